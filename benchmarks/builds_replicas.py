"""Builds across replicas: upload and switch, a replica's fetch + verify, the pointer check, and warm-up.

Builds the example data (``--scale``, default council) on replica A with an object store, then measures
on a fresh replica B: the first fetch and verification, the pointer check a page run makes a dozen times
(between reads and when the TTL has run out), the switch to a new build, and ``warm``'s publishing of
every area's map files. The object store is a temporary shared folder, or S3 with
``CIVILKORT_OBJECT_STORE_URL=s3://…`` (and ``CIVILKORT_S3_ENDPOINT_URL``) set.

    .venv/bin/python benchmarks/builds_replicas.py --scale national --boundaries ../shared/geo/kommuner.geojson
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from civilkort import buildstore, published  # noqa: E402
from civilkort.db import Database, current_path  # noqa: E402
from civilkort.index import DataIndex  # noqa: E402
from civilkort.settings import settings  # noqa: E402


def _per_call_us(fn, n: int = 20000) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - started) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="council", choices=["small", "council", "national"])
    parser.add_argument("--boundaries")
    args = parser.parse_args()
    from etl import demo
    from etl.boundaries import load
    from etl.build import build
    from etl.clean import CleanInput, builtin_vocabularies

    tmp = Path(tempfile.mkdtemp(prefix="civilkort-bench-"))
    base = settings()
    url = base.object_store_url or (tmp / "shared").as_uri()
    a = replace(base, data_dir=tmp / "a", static_dir=tmp / "a-static", object_store_url=url)
    b = replace(base, data_dir=tmp / "b", static_dir=tmp / "b-static", object_store_url=url)
    bounds = load(args.boundaries) if args.boundaries else None
    tables = demo.generate(args.scale, seed=2027, today=dt.date(2026, 11, 1))

    def make(experiences: int | None = None):
        data = {k: v.copy() for k, v in tables.items()}
        if experiences is not None:
            data["experiences"] = data["experiences"].iloc[:experiences]
        inputs = CleanInput(tables=data, vocabularies=builtin_vocabularies(), issues=[])
        steps: list[tuple[str, float]] = []
        started = time.perf_counter()
        result = build(inputs, boundaries=bounds, meta={"is_example": "true"}, cfg=a,
                       on_step=lambda s, r, t: steps.append((s, t)))  # fmt: skip
        total = time.perf_counter() - started
        return result, total - sum(t for _, t in steps)

    result, switch_s = make()
    size_mb = result.path.stat().st_size / 1e6
    print(f"Objektlager: {url}\nDatabase: {result.path.name} ({size_mb:.1f} MB)")
    print(f"Byg A: navngiv (SHA-256) + upload + skift: {switch_s:.2f} s")
    started = time.perf_counter()
    path = current_path(b)
    print(f"Replika B: første hentning + kontrol: {time.perf_counter() - started:.2f} s ({path.name})")

    print(f"Pegertjek mellem læsninger (objektlager): {_per_call_us(lambda: current_path(b)):.1f} µs/kald")

    def expired():
        buildstore.recheck(b)
        return current_path(b)

    print(f"Pegertjek når TTL er udløbet (læser current.json): {_per_call_us(expired, n=200):.0f} µs/kald")
    single = replace(a, object_store_url=None)
    print(
        f"Pegertjek uden objektlager (current.txt): {_per_call_us(lambda: current_path(single)):.1f} µs/kald"
    )

    _, switch2_s = make(experiences=3)
    buildstore.recheck(b)
    started = time.perf_counter()
    new = current_path(b)
    print(
        f"Nyt byg: A upload + skift {switch2_s:.2f} s; B ser, henter og kontrollerer {time.perf_counter() - started:.2f} s"
    )
    assert new != path

    os.environ["CIVILKORT_STATIC_DIR"] = str(tmp / "b-static")  # publish() writes where the settings say
    for label in ("tom mappe", "filerne findes"):
        started = time.perf_counter()
        db = Database(new)
        index = DataIndex(db)
        indexed = time.perf_counter() - started
        urls = published.publish_all(index)
        db.close()
        total = time.perf_counter() - started
        print(
            f"warm, udgiv kortfiler ({label}): indeks {indexed:.2f} s, i alt {total:.2f} s, {len(urls)} filer"
        )


if __name__ == "__main__":
    main()
