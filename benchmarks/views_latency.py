"""Server script time of the Huller and Sammenlign views after a filter change, at national scale.

Runs the app in-process with Streamlit's AppTest (the same script run a browser triggers,
including building the heatmap and serialising it), opens each view, then changes the theme and
target-group filters to selections not seen before (cold cache) and prints p50/p90 per view,
using the app's own timing (``ui.timing.RUNS``).  Target: p90 <= 150 ms per view. The need-and-supply
view (bivariate tile map, legend, ranked table) is also printed as a ratio to Kommune × målgruppe, the
matrix it is made from, measured in the same run.

    CIVILKORT_DATA_DIR=/tmp/nat .venv/bin/python benchmarks/views_latency.py
(build the database first: CIVILKORT_DATA_DIR=/tmp/nat .venv/bin/python -m etl demo --scale national
 --boundaries ../shared/geo/kommuner.geojson)

First, before and after issue 17 item 1 side by side: each view's call alone as the pages answered it before
(the in-memory index, ``benchmarks/gaps_before/gap_index.py``), the view-only SQL that was shown under "Vis SQL"
then (``benchmarks/gaps_before/*.sql``), and the SQL the pages run now (``civilkort/sql/gaps/``, on the build's
out_ tables): p50/p90, the three taken in turn for each selection so that the machine's load falls on all alike.
``--calls-only`` stops there.

Needs the two pages registered in app.py (app_pages/huller.py and app_pages/sammenlign.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import sys
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.apptiming import pct, run  # noqa: E402
from benchmarks.before_sql import run_file  # noqa: E402
from benchmarks.gaps_before.gap_index import GapIndex  # noqa: E402
from civilkort import gaps, queries  # noqa: E402
from civilkort.db import Database, current_path  # noqa: E402
from civilkort.filters import Selection  # noqa: E402
from civilkort.index import DataIndex  # noqa: E402
from ui.gaps import CELL_KEY  # noqa: E402
from ui.need_supply import TILES_KEY  # noqa: E402

THEMES = ["forebyggelse", "lighed", "brobygning", "udvikling"]
GROUPS = ["aeldre", "ensomme", "boern_unge", "paaroerende", "psykisk_saarbare"]
AREAS = ["council:aarhus", "dk"]
TILES = "flisekort"
"""In place of a clicked cell: Behov og tilbud's tile map switched on (with boundaries loaded, the view
draws the choropleth on them unless asked for tiles)."""
# (label, page, radio value or None, a clicked cell, TILES or None)
VIEWS = [
    ("Kommune × tema", "app_pages/huller.py", "kommune_tema", None),
    ("Kommune × målgruppe", "app_pages/huller.py", "kommune_maalgruppe", None),
    ("Tema × målgruppe", "app_pages/huller.py", "tema_maalgruppe", None),
    ("Kortlægning", "app_pages/huller.py", "kortlaegning", None),
    ("Sociale henvisninger", "app_pages/huller.py", "henvisninger", None),
    ("Behov og tilbud", "app_pages/huller.py", "behov", None),
    ("Behov og tilbud, flisekort", "app_pages/huller.py", "behov", TILES),
    ("Kommune × tema + felt valgt", "app_pages/huller.py", "kommune_tema", ("751", "lighed")),
    ("Sammenlign sundhedsråd", "app_pages/sammenlign.py", None, None),
    ("(grundniveau: Om data)", "app_pages/om_data.py", None, None),
]
"""The last row is the app's fixed cost per run (sidebar, banner, a page without gap views), for scale."""
COMBOS = list(itertools.product([[], *[[t] for t in THEMES]], [[], *[[g] for g in GROUPS]]))[1:]


BEFORE_SQL = ROOT / "benchmarks" / "gaps_before"
MATRIX_FILES = {
    ("municipality", "theme"): "matrix_municipality_theme",
    ("municipality", "target_group"): "matrix_municipality_target_group",
    ("theme", "target_group"): "matrix_theme_target_group",
}
# (label, view, its file, axes)
CALLS = [
    *(
        (f"{gaps.DIMENSIONS[r]} × {gaps.DIMENSIONS[c]}", "matrix", f, (r, c))
        for (r, c), f in MATRIX_FILES.items()
    ),
    ("Kortlægning", "coverage", "coverage", None),
    ("Sociale henvisninger", "referral_readiness", "referral_readiness", None),
    ("Sammenlign sundhedsråd", "compare_councils", "compare_councils", None),
]


def _before_sql(db: Database, view: str, name: str, axes, sel: Selection, today: dt.date):
    """The view-only SQL file that the pages showed before (bound as civilkort.gaps binds)."""
    kwargs = {"rows": axes[0], "cols": axes[1]} if axes else {}
    if view == "referral_readiness":
        kwargs = {"rows": "municipality", "cols": "target_group"}
    sel = gaps.effective_selection(view, sel, **kwargs)
    available = {**queries.params(sel), "today": today, "full_depth": gaps.FULL_DEPTH}
    return run_file(db, BEFORE_SQL / f"{name}.sql", available)


def _index_call(index: GapIndex, view: str, axes, sel: Selection, today: dt.date):
    if view == "matrix":
        return index.matrix(sel, *axes)
    if view == "referral_readiness":
        return index.referral_readiness(sel)
    return getattr(index, view)(sel, today, gaps.FULL_DEPTH)


def _after(db: Database, view: str, axes, sel: Selection, today: dt.date):
    if view == "matrix":
        return gaps.matrix(db, sel, *axes)
    if view == "referral_readiness":
        return gaps.referral_readiness(db, sel)
    return getattr(gaps, view)(db, sel, today=today)


def calls_before_after() -> None:
    """Index (before) / view-only SQL (before) / SQL on out_ tables (after), per view and area."""
    db = Database(current_path())
    today = dt.date.today()
    t = time.perf_counter()
    index = GapIndex(DataIndex(db), db)
    print(f"(indekset bygget på {time.perf_counter() - t:.1f} s; før: én gang pr. byggeri)")
    ways = {
        "før: indeks": lambda view, name, axes, sel: _index_call(index, view, axes, sel, today),
        "før: SQL på views": lambda view, name, axes, sel: _before_sql(db, view, name, axes, sel, today),
        "efter: SQL på out_": lambda view, name, axes, sel: _after(db, view, axes, sel, today),
    }
    print(f"{'visning':<26}{'område':<16}" + "".join(f"{w:>26}" for w in ways) + "   (p50 / p90 ms)")
    for label, view, name, axes in CALLS:
        for area in AREAS:
            times: dict[str, list[float]] = {w: [] for w in ways}
            for themes, groups in COMBOS[:12]:
                sel = Selection(area=area, themes=tuple(themes), target_groups=tuple(groups))
                for way, call in ways.items():
                    t = time.perf_counter()
                    call(view, name, axes, sel)
                    times[way].append((time.perf_counter() - t) * 1000)
            cells = "".join(f"{pct(v, 50):>15.0f} / {pct(v, 90):>6.0f}" for v in times.values())
            print(f"{label:<26}{area:<16}{cells}", flush=True)
    db.close()


def main() -> None:
    if current_path() is None:
        raise SystemExit("Ingen database: byg national skala først (se docstring).")
    print(f"Database: {current_path()}")
    print(
        f"Belastning (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}; {os.cpu_count()} kerner"
    )
    calls_before_after()
    if "--calls-only" in sys.argv:
        return
    worst = 0.0
    p90: dict[str, float] = {}
    combos = itertools.cycle(COMBOS)
    for label, page, radio, cell in VIEWS:
        times: dict[str, list[float]] = {}
        for area in AREAS:
            st.cache_data.clear()  # every measured selection is new to this view (indexes stay loaded)
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            at.query_params["omraade"] = area
            if cell == TILES:
                at.session_state[TILES_KEY] = True
            elif cell:
                at.session_state[CELL_KEY] = {"view": radio, "cell": cell}
            run(at)
            at.switch_page(page)
            run(at)  # first load of the page (indexes are built once per database; not a filter change)
            if radio and radio != "kommune_tema":
                at.radio(key="huller_view").set_value(radio)
                run(at)
            for _ in range(12):
                themes, groups = next(combos)  # a selection not seen before on this page: a cold cache
                at.sidebar.multiselect(key="sel_themes").set_value(themes)
                at.sidebar.multiselect(key="sel_target_groups").set_value(groups)
                times.setdefault(area, []).append(run(at))
        cold = [t for v in times.values() for t in v]
        p90[label] = pct(cold, 90)
        if not label.startswith("("):
            worst = max(worst, pct(cold, 90))
        per_area = "  ".join(f"{a}: p90 {pct(v, 90):4.0f}" for a, v in times.items())
        print(
            f"{label:<30} p50 {pct(cold, 50):5.0f} ms  p90 {pct(cold, 90):5.0f} ms  (n={len(cold)}; {per_area})"
        )
    base, new = p90["Kommune × målgruppe"], p90["Behov og tilbud"]
    print(f"Behov og tilbud / Kommune × målgruppe, p90: {new:.0f} / {base:.0f} ms = {new / base:.2f}×")
    print(f"Mål: p90 <= 150 ms pr. visning efter et filterskift. Værste p90: {worst:.0f} ms.")


if __name__ == "__main__":
    main()
