"""National-scale build, end to end: generate -> CSV -> read -> clean -> validate -> place -> write.

Prints rows per second per step and the total, plus the same build fed from typed
tables directly (no files), so the cost of reading files shows as a ratio.
Target (issue 2): the whole national build <= 30 s on a 2-core machine.

    .venv/bin/python benchmarks/build_national.py [--boundaries PATH] [--scale national]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civilkort.settings import Settings  # noqa: E402
from etl import boundaries as boundaries_mod  # noqa: E402
from etl import demo  # noqa: E402
from etl.build import build  # noqa: E402
from etl.clean import CleanInput, builtin_vocabularies, clean  # noqa: E402
from etl.read import read_inputs  # noqa: E402
from etl.template import write_inputs  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", default="national")
    default = Path(__file__).resolve().parents[2] / "shared" / "geo" / "kommuner.geojson"
    p.add_argument(
        "--boundaries",
        default=os.environ.get("CIVILKORT_BOUNDARIES") or (str(default) if default.exists() else None),
    )
    args = p.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cfg = Settings(data_dir=tmp / "data", static_dir=tmp / "static")
        steps: list[tuple[str, int, float]] = []

        def record(step: str, rows: int, seconds: float) -> None:
            steps.append((step, rows, seconds))

        t0 = time.perf_counter()
        tables = demo.generate(args.scale, today=None)
        n = sum(len(t) for t in tables.values())
        record("generer", n, time.perf_counter() - t0)
        t = time.perf_counter()
        write_inputs(tables, tmp / "csv")
        t_write = time.perf_counter() - t
        size_mb = sum(f.stat().st_size for f in (tmp / "csv").iterdir()) / 1e6

        t_files = time.perf_counter()
        t = time.perf_counter()
        raw = read_inputs([tmp / "csv"])
        record("læs csv", n, time.perf_counter() - t)
        t = time.perf_counter()
        data = clean(raw)
        record("rens", n, time.perf_counter() - t)
        t = time.perf_counter()
        bounds = boundaries_mod.load(args.boundaries) if args.boundaries else None
        record("grænser", 98 if bounds is not None else 0, time.perf_counter() - t)
        build(data, boundaries=bounds, cfg=cfg, on_step=record)
        total_files = time.perf_counter() - t_files

        t = time.perf_counter()
        typed = CleanInput(tables=tables, vocabularies=builtin_vocabularies(), issues=[])
        build(typed, boundaries=bounds, cfg=cfg)
        total_typed = time.perf_counter() - t

    print(f"Skala {args.scale}: {n:,} rækker i alt; grænser: {args.boundaries or 'ingen'}")
    print(f"(skrev {size_mb:.0f} MB CSV på {t_write:.1f} s; ikke med i totalen)")
    print(f"{'trin':<16}{'rækker':>10}{'sek':>8}{'rækker/s':>14}")
    for step, rows, seconds in steps:
        rate = f"{rows / seconds:,.0f}" if seconds > 0 and rows else "-"
        print(f"{step:<16}{rows:>10,}{seconds:>8.2f}{rate:>14}")
    print(f"I alt fra CSV-filer til database: {total_files:.1f} s (mål: <= 30 s)")
    print(
        f"Samme build fra typede tabeller:  {total_typed:.1f} s; filerne koster x{total_files / total_typed:.2f}"
    )


if __name__ == "__main__":
    main()
