"""Server script time of the Samarbejdsradar page after a filter change, per view, at national scale.

First, before and after issue 17 item 1 side by side: the two organisation lists (orphan organisations,
organisations in several councils) as the page answered them before (the in-memory index,
``benchmarks/radar_before/radar_index.py``), the view-only SQL that was shown under "Vis SQL" then
(``benchmarks/radar_before/*.sql``), and the SQL the page runs now (``civilkort/sql/radar/``, on the
build's out_ tables): p50/p90 of the call alone, the three taken in turn for each selection so that the
machine's load falls on all of them alike.

Then the page: runs the app in-process with Streamlit's AppTest (the same script run a browser triggers), opens
the page on one view (Tidslinje, Slutter snart, Styring, Forældreløse), changes theme and target
group to selections not seen before (cold cache), then repeats them (warm cache), and prints
p50/p90 of the app's own timing (ui.timing) per view and area kind. Target: p90 <= 150 ms.

    CIVILKORT_DATA_DIR=/tmp/nat .venv/bin/python benchmarks/radar_latency.py [--quick] [--lists-only]
(build the database first: CIVILKORT_DATA_DIR=/tmp/nat .venv/bin/python -m etl demo --scale national
 -q --boundaries ../shared/geo/kommuner.geojson)
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.apptiming import pct, run  # noqa: E402
from benchmarks.before_sql import run_file  # noqa: E402
from benchmarks.radar_before.radar_index import RadarIndex  # noqa: E402
from civilkort import queries, radar  # noqa: E402
from civilkort.db import Database, current_path  # noqa: E402
from civilkort.filters import Selection  # noqa: E402
from civilkort.index import DataIndex  # noqa: E402

PAGE = "app_pages/samarbejder.py"
VIEWS = {
    "Tidslinje": {"radar_tab": "Tidslinje"},
    "Slutter snart": {"radar_tab": "Slutter snart"},
    "Styring": {"radar_tab": "Styring"},
    "Forældreløse/org": {"radar_tab": "Forældreløse", "radar_orphan": "organisations"},
    "Forældreløse/enh": {"radar_tab": "Forældreløse", "radar_orphan": "units"},
    "Forældreløse/råd": {"radar_tab": "Forældreløse", "radar_orphan": "multi_council"},
}
"""Each view (and each of the orphan view's three lists), as the session state that opens it."""
THEMES = ["forebyggelse", "lighed", "brobygning", "udvikling"]
GROUPS = ["aeldre", "ensomme", "boern_unge"]
AREAS = {"et sundhedsråd": ["council:aarhus", "council:fyn", "council:hovedstaden"], "hele landet": ["dk"]}


def measure(state: dict[str, str], area: str, combos: list) -> tuple[list[float], list[float]]:
    """Cold and warm script times of filter changes on one view of one area."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["omraade"] = area
    at.run()
    at.switch_page(PAGE)
    for key, value in state.items():
        at.session_state[key] = value
    run(at)  # first load of the page (not a filter change)
    cold, warm = [], []
    for times in (cold, warm):
        for themes, groups in combos:
            at.sidebar.multiselect(key="sel_themes").set_value(themes)
            at.sidebar.multiselect(key="sel_target_groups").set_value(groups)
            times.append(run(at))
    return cold, warm


BEFORE_SQL = ROOT / "benchmarks" / "radar_before"
LISTS = ("orphan_organisations", "multi_council_organisations")


def _before_sql(db: Database, name: str, sel: Selection, today: dt.date):
    """The view-only SQL file that the page showed before (bound as civilkort.radar binds)."""
    return run_file(db, BEFORE_SQL / f"{name}.sql", {**queries.params(sel), "today": today})


def lists_before_after(combos: list) -> None:
    """Index (before) / view-only SQL (before) / SQL on out_ tables (after), per list and area kind."""
    db = Database(current_path())
    today = dt.date.today()
    t = time.perf_counter()
    index = RadarIndex(DataIndex(db), db)
    print(f"(indekset bygget på {time.perf_counter() - t:.1f} s; før: én gang pr. byggeri)")
    ways = {
        "før: indeks": lambda name, sel: getattr(index, name)(sel, today),
        "før: SQL på views": lambda name, sel: _before_sql(db, name, sel, today),
        "efter: SQL på out_": lambda name, sel: getattr(radar, name)(db, sel, today),
    }
    print(f"{'liste':<29}{'område':<16}" + "".join(f"{w:>26}" for w in ways) + "   (p50 / p90 ms)")
    for name in LISTS:
        for label, areas in AREAS.items():
            times: dict[str, list[float]] = {w: [] for w in ways}
            for area, (themes, groups) in itertools.product(areas, combos):
                sel = Selection(area=area, themes=tuple(themes), target_groups=tuple(groups))
                for way, call in ways.items():
                    t = time.perf_counter()
                    call(name, sel)
                    times[way].append((time.perf_counter() - t) * 1000)
            cells = "".join(f"{pct(v, 50):>15.0f} / {pct(v, 90):>6.0f}" for v in times.values())
            print(f"{name:<29}{label:<16}{cells}", flush=True)
    db.close()


def main() -> None:
    if current_path() is None:
        raise SystemExit("Ingen database: byg national skala først (se docstring).")
    quick = "--quick" in sys.argv
    print(f"Database: {current_path()}")
    combos = list(itertools.product([[], *[[t] for t in THEMES]], [[], *[[g] for g in GROUPS]]))[1:13]
    if quick:
        combos = combos[:6]
    print(
        f"Belastning (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}; {os.cpu_count()} kerner"
    )
    lists_before_after(combos)
    print(f"Belastning efter listerne: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if "--lists-only" in sys.argv:
        return
    worst = 0.0
    for view, state in VIEWS.items():
        for label, areas in AREAS.items():
            cold: list[float] = []
            warm: list[float] = []
            for area in areas:
                c, w = measure(state, area, combos)
                cold += c
                warm += w
            worst = max(worst, pct(cold, 90))
            print(
                f"{view:<17} {label:<15} ny udvælgelse: p50 {pct(cold, 50):5.0f} ms  p90 {pct(cold, 90):5.0f} ms"
                f"   set før: p50 {pct(warm, 50):5.0f} ms  p90 {pct(warm, 90):5.0f} ms   (n={len(cold)})",
                flush=True,
            )
    print(f"Mål: p90 <= 150 ms efter et filterskift. Værste p90 (ny udvælgelse): {worst:.0f} ms")
    print(f"Belastning til sidst: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
