"""How long finding likely duplicates takes at national scale (100,000 organisations), and what it finds.

Times ``etl.duplicates.find_candidates`` on the national example data (best and median of
several runs, as the build calls it: organisations and regional units) and applying 500 merge
decisions. Target: at most about 2 s added to a build on a 2-core machine.

    .venv/bin/python benchmarks/duplicates_speed.py [--scale national] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civilkort.duplicates import MERGE, REASONS  # noqa: E402
from etl import demo, duplicates  # noqa: E402
from etl.clean import CleanInput, builtin_vocabularies  # noqa: E402


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", default="national")
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()

    tables = demo.generate(args.scale, seed=2027)
    n_orgs, n_units = len(tables["organisations"]), len(tables["regional_units"])
    duplicates.find_candidates(tables)  # warm up (reference data, place names)
    times, cpu = [], []
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        found = duplicates.find_candidates(tables)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(f"Dubletter, skala {args.scale}: {_n(n_orgs)} organisationer, {_n(n_units)} regionale enheder")
    print(
        f"  find_candidates   bedst {min(times):5.2f} s   median {statistics.median(times):5.2f} s  "
        f"(CPU-tid median {statistics.median(cpu):.2f} s, {args.runs} kørsler)"
    )
    print(f"  par fundet        {_n(len(found))}")
    for col, label in REASONS.items():
        print(f"    {label:<16}{_n(int(found[col].sum())):>8}")
    print("  højeste score:")
    for row in found.head(5).itertuples():
        print(f"    {row.score:>3}  {row.name_a} ~ {row.name_b}  ({row.reasons})")

    decisions = [
        {
            "pair_key": r.pair_key,
            "key_a": r.key_a,
            "key_b": r.key_b,
            "decision": MERGE,
            "keep_key": r.key_a,
            "decided_by": "benchmark",
            "decided_at": "2026-11-22T12:00:00+00:00",
        }
        for r in found[found["kind"] == "organisation"].head(500).itertuples()
    ]
    data = CleanInput(tables=tables, vocabularies=builtin_vocabularies())
    t0 = time.perf_counter()
    applied = duplicates.apply_decisions(data, decisions)
    print(
        f"  {len(decisions)} fletninger anvendt på {time.perf_counter() - t0:.2f} s ({len(applied.merged)} flettet)"
    )


if __name__ == "__main__":
    main()
