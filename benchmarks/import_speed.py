"""Import speed: the same rows as an Excel workbook and as CSV files, read -> clean -> validate.

Writes N offers (and the organisations they belong to) from the national example data as the
filled-in template (.xlsx) and as a folder of CSV files in a temporary folder, then times reading
alone and reading + cleaning + validating, best of ``--repeat`` runs, and prints rows per second
against the targets (issue: xlsx >= 50,000 rows/s, csv >= 200,000 rows/s end to end). Not a test:
it always exits 0.

    .venv/bin/python benchmarks/import_speed.py [--offers 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from etl import demo  # noqa: E402
from etl.clean import clean  # noqa: E402
from etl.read import read_inputs  # noqa: E402
from etl.template import write_inputs  # noqa: E402
from etl.validate import validate  # noqa: E402

TARGETS = {"xlsx": 50_000, "csv": 200_000}
"""Rows per second, read -> clean -> validate."""


def _tables(n_offers: int) -> dict:
    """The first ``n_offers`` national example offers and their organisations (other tables empty)."""
    tables = demo.generate("national", seed=2027, today=None)
    offers = tables["offers"].head(n_offers).reset_index(drop=True)
    orgs = tables["organisations"]
    orgs = orgs[orgs["organisation_id"].isin(offers["organisation_id"])].reset_index(drop=True)
    return {"organisations": orgs, "offers": offers}


def _best(fn, repeat: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of all threads) of the fastest run."""
    runs = []
    for _ in range(repeat):
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        fn()
        runs.append((time.perf_counter() - t, time.process_time() - c))
    return min(runs)


class _Fallbacks(logging.Handler):
    """Sheets etl.read read the calamine way (cell by cell) rather than with fastexcel, and why."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _end_to_end(path: Path) -> None:
    raw = read_inputs([path])
    data = clean(raw)
    errors = [i for i in [*data.issues, *validate(data)] if i.is_error]
    if errors:
        raise SystemExit(f"Uventede fejl i benchmark-data: {errors[:3]}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--offers", type=int, default=200_000, help="Antal tilbud (standard 200.000).")
    p.add_argument("--repeat", type=int, default=3, help="Antal gentagelser; den hurtigste tæller.")
    args = p.parse_args()

    tables = _tables(args.offers)
    rows = sum(len(t) for t in tables.values())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        inputs = {}
        t = time.perf_counter()
        inputs["xlsx"] = write_inputs(tables, tmp / "kortlaegning.xlsx")
        inputs["csv"] = write_inputs(tables, tmp / "csv")
        t_write = time.perf_counter() - t
        sizes = {
            "xlsx": inputs["xlsx"].stat().st_size,
            "csv": sum(f.stat().st_size for f in inputs["csv"].iterdir()),
        }
        results = {}
        fallbacks = _Fallbacks()
        log = logging.getLogger("etl.read")
        log.addHandler(fallbacks)
        log.setLevel(logging.DEBUG)
        for fmt, path in inputs.items():
            read_s = _best(lambda path=path: read_inputs([path]), args.repeat)
            total_s = _best(lambda path=path: _end_to_end(path), args.repeat)
            results[fmt] = (read_s, total_s)

    print(
        f"{rows:,} rækker ({len(tables['offers']):,} tilbud, {len(tables['organisations']):,} organisationer); "
        f"filerne skrevet på {t_write:.1f} s (ikke med i målingen); bedste af {args.repeat}"
    )
    print(
        f"{'format':<7}{'MB':>7}{'læs s':>8}{'læs rækker/s':>15}{'i alt s':>9}{'CPU s':>7}{'i alt rækker/s':>16}"
        f"{'mål':>10}"
    )
    for fmt, ((read_s, _), (total_s, total_cpu)) in results.items():
        rate = rows / total_s
        verdict = "ok" if rate >= TARGETS[fmt] else "UNDER MÅL"
        print(
            f"{fmt:<7}{sizes[fmt] / 1e6:>7.1f}{read_s:>8.2f}{rows / read_s:>15,.0f}{total_s:>9.2f}{total_cpu:>7.2f}"
            f"{rate:>16,.0f}{TARGETS[fmt]:>10,}  {verdict}"
        )
    print("'i alt' = læs -> rens -> valider (som 'python -m etl check', uden placering og database).")
    slow = sorted(set(fallbacks.messages))
    print(
        "xlsx: alle ark læst med fastexcel."
        if not slow
        else "xlsx: ark læst celle for celle med calamine (langsomt): " + "; ".join(slow)
    )
    print(
        f"CPU s = alle tråde (fastexcel, calamine og pyarrow bruger flere kerner). "
        f"Maskinens belastning: {os.getloadavg()[0]:.1f} på {os.cpu_count()} kerner."
    )


if __name__ == "__main__":
    main()
