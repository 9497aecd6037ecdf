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

Needs the two pages registered in app.py (app_pages/huller.py and app_pages/sammenlign.py).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.apptiming import pct, run  # noqa: E402
from civilkort.db import current_path  # noqa: E402
from ui.gaps import CELL_KEY  # noqa: E402

THEMES = ["forebyggelse", "lighed", "brobygning", "udvikling"]
GROUPS = ["aeldre", "ensomme", "boern_unge", "paaroerende", "psykisk_saarbare"]
AREAS = ["council:aarhus", "dk"]
# (label, page, radio value or None, a clicked cell or None)
VIEWS = [
    ("Kommune × tema", "app_pages/huller.py", "kommune_tema", None),
    ("Kommune × målgruppe", "app_pages/huller.py", "kommune_maalgruppe", None),
    ("Tema × målgruppe", "app_pages/huller.py", "tema_maalgruppe", None),
    ("Kortlægning", "app_pages/huller.py", "kortlaegning", None),
    ("Sociale henvisninger", "app_pages/huller.py", "henvisninger", None),
    ("Behov og tilbud", "app_pages/huller.py", "behov", None),
    ("Kommune × tema + felt valgt", "app_pages/huller.py", "kommune_tema", ("751", "lighed")),
    ("Sammenlign sundhedsråd", "app_pages/sammenlign.py", None, None),
    ("(grundniveau: Om data)", "app_pages/om_data.py", None, None),
]
"""The last row is the app's fixed cost per run (sidebar, banner, a page without gap views), for scale."""
COMBOS = list(itertools.product([[], *[[t] for t in THEMES]], [[], *[[g] for g in GROUPS]]))[1:]


def main() -> None:
    if current_path() is None:
        raise SystemExit("Ingen database: byg national skala først (se docstring).")
    print(f"Database: {current_path()}")
    worst = 0.0
    p90: dict[str, float] = {}
    combos = itertools.cycle(COMBOS)
    for label, page, radio, cell in VIEWS:
        times: dict[str, list[float]] = {}
        for area in AREAS:
            st.cache_data.clear()  # every measured selection is new to this view (indexes stay loaded)
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
            at.query_params["omraade"] = area
            if cell:
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
