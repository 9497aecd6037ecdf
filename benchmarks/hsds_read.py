"""Reading a large HSDS JSON feed: N services as another publisher writes them, read and mapped.

Writes N services (a list, each with its organization nested, one location with an address
and a theme term as an attribute; one organization per ten services) to a temporary JSON file,
then times ``etl.read.read_inputs`` on it (read -> validate -> map onto the product's tables),
best of ``--repeat`` runs, and prints services per second, the tables' row counts and the
issues. Not a test: it always exits 0.

    .venv/bin/python benchmarks/hsds_read.py [--services 8000] [--repeat 3] [--repo PATH]

``--repo`` reads with another checkout's code (to compare before and after a change).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path


def _id(kind: str, n: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench:{kind}:{n}"))


def feed(n: int) -> list[dict]:
    """N services with nested organization, location, address and a theme attribute."""
    term = {"id": _id("term", 0), "name": "Forebyggelse", "description": "", "code": "forebyggelse"}
    out = []
    for i in range(n):
        org = i // 10
        location = {
            "id": _id("location", i),
            "location_type": "physical",
            "name": f"Sted {i}",
            "latitude": 56.15 + (i % 100) / 1000,
            "longitude": 10.2 + (i % 100) / 1000,
            "addresses": [
                {
                    "id": _id("address", i),
                    "address_1": f"Vestergade {i % 200 + 1}",
                    "city": "Aarhus C",
                    "state_province": "Region Midtjylland",
                    "postal_code": "8000",
                    "country": "DK",
                    "address_type": "physical",
                }
            ],
        }
        out.append(
            {
                "id": _id("service", i),
                "name": f"Tilbud {i}",
                "description": "Samtalegruppe for ensomme",
                "status": "active",
                "organization": {
                    "id": _id("organization", org),
                    "name": f"Forening {org}",
                    "description": "En frivillig forening",
                },
                "service_at_locations": [{"id": _id("sal", i), "location": location}],
                "attributes": [{"id": _id("attribute", i), "taxonomy_term": term}],
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--services", type=int, default=8000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    sys.path.insert(0, str(args.repo.resolve()))
    from civilkort.issues import InputError
    from etl.read import read_inputs

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "services.json"
        path.write_text(json.dumps(feed(args.services)), encoding="utf-8")
        size = path.stat().st_size / 1024**2
        runs, result = [], None
        for _ in range(args.repeat):
            gc.collect()
            started = time.perf_counter()
            try:
                result = read_inputs([path])
                issues = result.issues
            except InputError as exc:
                issues = exc.issues
            runs.append(time.perf_counter() - started)
    best = min(runs)
    print(f"{args.services} services, {size:.1f} MB JSON, code from {args.repo}")
    print(f"read_inputs: {best:.2f} s (best of {args.repeat}), {args.services / best:,.0f} services/s")
    if result is not None:
        print("tables:", ", ".join(f"{name} {len(df)}" for name, df in result.tables.items()))
    else:
        print("tables: none (the input was refused)")
    counts = Counter(f"{i.severity}: {i.message[:90]}" for i in issues)
    print(f"issues: {len(issues)}")
    for text, n in counts.most_common(8):
        print(f"  {n:>6} x {text}")


if __name__ == "__main__":
    main()
