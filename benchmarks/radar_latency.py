"""Server script time of the Samarbejdsradar page after a filter change, per view, at national scale.

Runs the app in-process with Streamlit's AppTest (the same script run a browser triggers), opens
the page on one view (Tidslinje, Slutter snart, Styring, Forældreløse), changes theme and target
group to selections not seen before (cold cache), then repeats them (warm cache), and prints
p50/p90 of the app's own timing (ui.timing) per view and area kind. Target: p90 <= 150 ms.

    CIVILKORT_DATA_DIR=/tmp/nat .venv/bin/python benchmarks/radar_latency.py [--quick]
(build the database first: CIVILKORT_DATA_DIR=/tmp/nat .venv/bin/python -m etl demo --scale national
 -q --boundaries ../shared/geo/kommuner.geojson)
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


def main() -> None:
    if current_path() is None:
        raise SystemExit("Ingen database: byg national skala først (se docstring).")
    quick = "--quick" in sys.argv
    print(f"Database: {current_path()}")
    combos = list(itertools.product([[], *[[t] for t in THEMES]], [[], *[[g] for g in GROUPS]]))[1:13]
    if quick:
        combos = combos[:6]
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


if __name__ == "__main__":
    main()
