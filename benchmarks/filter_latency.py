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
            # every council gives 12 changes; all of Denmark, the one national area, 24
            combos = list(itertools.product([[], *[[t] for t in THEMES]], [[], *[[g] for g in GROUPS]]))[
                1 : 13 if area != "dk" else 25
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
    print()
    message_sizes()


def message_sizes() -> None:
    """What the browser receives: the map message on each filter change, and the area's points file once."""
    import gzip

    from streamlit_folium import _get_feature_group_string

    from benchmarks.map_payload import st_folium_payload
    from civilkort import map_payload, maps, page_map, queries
    from civilkort.db import Database
    from civilkort.filters import Selection
    from civilkort.index import DataIndex

    db = Database(current_path())
    index = DataIndex(db)
    runtime = len(gzip.compress(maps.runtime_file(), mtime=0))  # for scale: a script the browser keeps
    for area in [*AREAS["et sundhedsråd"], "dk"]:
        sel = Selection(area=area, themes=("lighed",))
        data = queries.map_layers(db, sel, "offers", index, points=False)
        table, rows = index.area_points(area)
        static = index.area_static(sel)
        once = {
            "punkter": map_payload.points_file(table),
            "kommuner": map_payload.shapes_file(static["shapes"]),
            "råd": map_payload.outlines_file(static["outlines"]),
        }
        once_bytes = {k: len(gzip.compress(v, compresslevel=6, mtime=0)) for k, v in once.items()}
        keep = index.point_keep(index.masks(sel), rows)
        data["points"] = map_payload.SharedPoints(table, keep, "/app/static/kort/punkter.json.gz")
        data |= {
            "shapes_src": "/app/static/kort/kommuner.json.gz",
            "outlines_src": "/app/static/kort/raad.json.gz",
            "runtime_src": "/app/static/kort/civilkort-kort.js",
        }
        view = page_map.page_map(data, layers=sel.layers, measure_label="Tilbud")
        base = st_folium_payload(view.base)["total"]
        layers = sum(
            len(_get_feature_group_string(g, view.base, i).encode()) for i, g in enumerate(view.groups)
        )
        print(
            f"{area:<20} kortbesked pr. filterskift {(base + layers) / 1e6:5.3f} MB (heraf datalag "
            f"{layers / 1e6:5.3f} MB); én gang pr. område: "
            + ", ".join(f"{k} {v / 1e6:4.2f} MB" for k, v in once_bytes.items())
            + f" ({len(table):,} punkter, {int(keep.sum()):,} vist)"
        )
    print(f"Kortets script (ckLib), én gang pr. browser: {runtime / 1e3:.0f} kB pakket")
    print("Mål: kortbesked <= 1,5 MB for et sundhedsråd, <= 4 MB for hele landet.")


if __name__ == "__main__":
    main()
