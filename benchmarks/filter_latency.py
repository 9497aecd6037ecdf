"""Server script time of a filter change on the map page, at national scale.

Runs the app in-process with Streamlit's AppTest (the same script run a browser
triggers, including building the map and serialising it for st_folium), changes
one filter at a time to selections not seen before (cold cache), then repeats them
(warm cache), and prints p50/p90 per area kind.  Targets (issue 3): p50 <= 80 ms,
p90 <= 150 ms.

    CIVILKORT_DATA_DIR=/tmp/nat .venv/bin/python benchmarks/filter_latency.py
(build the database first: CIVILKORT_DATA_DIR=/tmp/nat .venv/bin/python -m etl demo --scale national
 --boundaries ../shared/geo/kommuner.geojson)
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.apptiming import pct, run  # noqa: E402
from civilkort.db import current_path  # noqa: E402

THEMES = ["forebyggelse", "lighed", "brobygning", "udvikling"]
GROUPS = ["aeldre", "ensomme", "boern_unge", "paaroerende", "psykisk_saarbare"]
AREAS = {"et sundhedsråd": ["council:aarhus", "council:fyn", "council:hovedstaden"], "hele landet": ["dk"]}


def main() -> None:
    if current_path() is None:
        raise SystemExit("Ingen database: byg national skala først (se docstring).")
    print(f"Database: {current_path()}")
    for label, areas in AREAS.items():
        cold: list[float] = []
        warm: list[float] = []
        for area in areas:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            at.query_params["omraade"] = area
            run(at)  # first load of the area (not a filter change)
            combos = list(itertools.product([[], *[[t] for t in THEMES]], [[], *[[g] for g in GROUPS[:3]]]))[
                1:13
            ]
            for themes, groups in combos:
                at.sidebar.multiselect(key="sel_themes").set_value(themes)
                at.sidebar.multiselect(key="sel_target_groups").set_value(groups)
                cold.append(run(at))
            for themes, groups in combos:
                at.sidebar.multiselect(key="sel_themes").set_value(themes)
                at.sidebar.multiselect(key="sel_target_groups").set_value(groups)
                warm.append(run(at))
        print(
            f"{label:<15} filterskift, ny udvælgelse:  p50 {pct(cold, 50):6.0f} ms  p90 {pct(cold, 90):6.0f} ms"
            f"   (n={len(cold)})"
        )
        print(
            f"{label:<15} filterskift, set før (cache): p50 {pct(warm, 50):6.0f} ms  p90 {pct(warm, 90):6.0f} ms"
            f"   (n={len(warm)})"
        )
    print("Mål: p50 <= 80 ms, p90 <= 150 ms (serverens scripttid pr. filterskift).")


if __name__ == "__main__":
    main()
