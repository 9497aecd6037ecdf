"""The housing areas' nearest offers at national scale: the build step's time against a plain double loop.

Reads the active offers with a place from the serving build (as the build step does: ``etl.proximity.OFFERS_SQL``)
and times :func:`etl.proximity.proximity` for the example list (14 areas), a list the size of the ministry's
(about 70 areas of all four categories) and a stress list of 250, each the best of ``--repeat`` runs. The
baseline, in the same run, computes every area's distance to every offer with numpy (no spatial index) and
takes the nearest per target group: what a double loop would do, vectorised. Target (issue 19): <= 1 s for all
listed areas against 300,000 offers.

    CIVILKORT_DATA_DIR=/tmp/nat .venv/bin/python benchmarks/housing_proximity.py [--repeat 3]
(build the database first: CIVILKORT_DATA_DIR=/tmp/nat .venv/bin/python -m etl demo --scale national -q)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from civilkort.db import Database, current_path  # noqa: E402
from etl.proximity import NEAREST, OFFERS_SQL, RADII_M, _projected, proximity  # noqa: E402

TARGET_S = 1.0


def _areas(db: Database, n: int, seed: int) -> pd.DataFrame:
    """``n`` areas near municipalities' points, more where more people live (as the real list is)."""
    rng = np.random.default_rng(seed)
    m = db.query("SELECT municipality_code, lat, lon FROM municipalities")
    pick = rng.integers(0, len(m), n)
    lat = m["lat"].to_numpy()[pick] + rng.normal(0, 0.02, n)
    lon = m["lon"].to_numpy()[pick] + rng.normal(0, 0.03, n)
    return pd.DataFrame({"area_id": [f"A{i}" for i in range(n)], "lat": lat, "lon": lon})


def _brute(areas: pd.DataFrame, offers: pd.DataFrame, groups: list[str]) -> None:
    """Every area against every offer (numpy, no index), nearest and counts per group."""
    axy = _projected(areas["lat"].to_numpy(), areas["lon"].to_numpy())
    oxy = _projected(offers["lat"].to_numpy(), offers["lon"].to_numpy())
    lists = offers["target_groups"].tolist()
    masks = [np.ones(len(offers), bool)] + [
        np.array([x is not None and g in x for x in lists]) for g in groups
    ]
    for a in axy:
        d = np.hypot(oxy[:, 0] - a[0], oxy[:, 1] - a[1])
        for mask in masks:
            dm = d[mask]
            if len(dm):
                np.partition(dm, min(NEAREST, len(dm) - 1))[:NEAREST]
                [(dm <= r).sum() for r in RADII_M]


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    path = current_path()
    if path is None:
        print("Ingen database: byg den nationale eksempeldatabase først (se docstring).", file=sys.stderr)
        return 1
    db = Database(path)
    measured = db.query(OFFERS_SQL.replace("core_offers", "offers"))
    every = db.query(
        "SELECT offer_id, lat, lon, target_groups FROM offers WHERE lat IS NOT NULL ORDER BY offer_id"
    )
    groups = db.query("SELECT code FROM vocabularies WHERE vocabulary = 'target_group' ORDER BY code")["code"]
    groups = groups.tolist()
    print(f"{len(groups)} målgrupper + alle; tid = bedste af {args.repeat} (k-d-træ), 1 (dobbelt løkke)")
    for what, offers in (
        ("aktive tilbud med sted (det bygningen måler til)", measured),
        ("alle tilbud", every),
    ):
        print(f"\n{len(offers):,} {what}".replace(",", "."))
        print(f"{'områder':>8} {'k-d-træ':>9} {'dobbelt løkke':>14} {'forhold':>8}  mål <= {TARGET_S:.1f} s")
        for n in (14, 70, 250):
            areas = _areas(db, n, seed=n)
            indexed = _best(lambda a=areas, o=offers: proximity(a, o, groups), args.repeat)
            loop = _best(lambda a=areas, o=offers: _brute(a, o, groups), 1)
            verdict = "ok" if indexed <= TARGET_S else "OVER"
            print(f"{n:>8} {indexed:>8.2f}s {loop:>13.2f}s {loop / indexed:>7.1f}x  {verdict}")
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
