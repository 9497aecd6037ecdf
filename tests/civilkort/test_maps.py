"""The map builder: layers, safety of user text, approximate/no-data styling, payload size, click identification."""

from __future__ import annotations

import base64
import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import shapely.ops

from civilkort import assets, map_clicks, map_legend, map_payload, maps, page_map, reference

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "`${alert(1)}`",
    "C:\\u0000 \\ \x00 end",
    "\"'><script>alert(1)</script>",
    "</script><script>alert(2)</script>",
    "line\u2028break\u2029para <!-- x",
    "{{ 'map' }} {% raw %}",
]
_EXTERNAL = re.compile(r"(?:https?:)?//[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.IGNORECASE)


# --- fixtures ----------------------------------------------------------------------------------------


def grid_areas(values: list[float] | None = None) -> gpd.GeoDataFrame:
    """Four 0.1° squares sharing edges (a tiny valid coverage) near Copenhagen."""
    values = values if values is not None else [1.0, 2.5, float("nan"), 4.0]
    codes = [101, 147, 151, 153]
    names = ["København", "Frederiksberg", "Ballerup", "Brøndby"]
    cells = [
        shapely.box(12.3 + 0.1 * (i % 2), 55.6 + 0.1 * (i // 2), 12.4 + 0.1 * (i % 2), 55.7 + 0.1 * (i // 2))
        for i in range(4)
    ]
    return gpd.GeoDataFrame(
        {
            "municipality_code": codes,
            "municipality_name": names,
            "council_name": ["Sundhedsråd Hovedstaden"] * 4,
            "value": values,
            "value_label": [f"{v:g} tilbud" if not math.isnan(v) else "ikke kortlagt" for v in values],
        },
        geometry=cells,
        crs=4326,
    )


def points_frame(n: int = 40, seed: int = 1, hostile: bool = True) -> pd.DataFrame:
    """Random points inside the grid; the first ones carry hostile names."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "point_id": [f"org:ORG-{i}" if i % 2 == 0 else f"offer:T-{i}" for i in range(n)],
            "kind": ["organisation" if i % 2 == 0 else "offer" for i in range(n)],
            "name": [f"Forening {i}" for i in range(n)],
            "lat": rng.uniform(55.61, 55.79, n).round(6),
            "lon": rng.uniform(12.31, 12.49, n).round(6),
            "location_precision": rng.choice(["coordinates", "postcode", "municipality"], n),
        }
    )
    if hostile:
        frame.loc[: len(HOSTILE) - 1, "name"] = HOSTILE
    return frame


def units_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": ["U1", "U2", "U3"],
            "name": ["Rigshospitalet", HOSTILE[0], HOSTILE[1]],
            "unit_type": ["hospital", "psykiatri", "noget_nyt"],
            "unit_type_label": ["Hospital", HOSTILE[3], ""],
            "lat": [55.696, 55.70, 55.65],
            "lon": [12.366, 12.42, 12.33],
            "location_precision": ["coordinates", "coordinates", "municipality"],
            "n_collaborations": [12, 1, None],
        }
    )


def links_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "collaboration_id": ["S1", "S2"],
            "title": ["Patientstøtte", HOSTILE[3]],
            "unit_lat": [55.696, 55.70],
            "unit_lon": [12.366, 12.42],
            "org_lat": [55.75, 55.62],
            "org_lon": [12.45, 12.32],
            "kind": ["Formelt", HOSTILE[2]],
        }
    )


def outlines_frame() -> gpd.GeoDataFrame:
    shape = grid_areas().union_all()
    return gpd.GeoDataFrame(
        {"council_id": ["hovedstaden"], "council_name": [HOSTILE[0]]}, geometry=[shape], crs=4326
    )


def full_map(**overrides) -> folium.Map:
    kwargs = {
        "areas": grid_areas(),
        "council_outlines": outlines_frame(),
        "points": points_frame(),
        "units": units_frame(),
        "links": links_frame(),
        "measure_label": HOSTILE[0],
        "attribution": HOSTILE[3],
    }
    kwargs.update(overrides)
    return maps.build_map(**kwargs)


def real_areas(path: Path) -> gpd.GeoDataFrame:
    """Municipality polygons from the DAGI GeoJSON (kommunekode, kommunenavn), as build_map wants them."""
    raw = gpd.read_file(path)
    code = next((c for c in ("kommunekode", "municipality_code") if c in raw.columns), None)
    if code is None:
        pytest.skip(f"{path} har hverken kommunekode eller municipality_code")
    raw["municipality_code"] = raw[code].astype(int)
    names = reference.municipalities().merge(reference.councils(), on="council_id")
    g = (
        raw[["municipality_code", "geometry"]]
        .to_crs(4326)
        .merge(names[["municipality_code", "municipality_name", "council_name"]], on="municipality_code")
    )
    g["value"] = np.linspace(0, 10, len(g))
    g.loc[g.index[::9], "value"] = np.nan
    g["value_label"] = "x tilbud"
    return g


_LAYER_CALL = re.compile(
    r"= ckLib\.layer\(map_\w+, (?:feature_group_\w+|null), \"[^\"]*\", \"(\w+)\", (?:true|false), (?:true|false), "
    r"(.*)\);\s*$",
    flags=re.MULTILINE,
)


def rendered_payloads(html: str) -> dict[str, dict]:
    """The JSON each ckLib builder receives, parsed back out of the rendered page (by builder name)."""
    return {builder: json.loads(payload) for builder, payload in _LAYER_CALL.findall(html)}


def rendered_spec(html: str, call: str) -> dict:
    """The JSON given to ``ckLib.base`` or ``ckLib.update`` in the rendered page."""
    return json.loads(
        re.search(rf"ckLib\.{call}\(map_\w+, (\{{.*\}})\);\s*$", html, flags=re.MULTILINE).group(1)
    )


def legend_titles(html: str) -> list[str]:
    return [section["title"] for section in rendered_spec(html, "update")["legend"]]


def inline_scripts(html: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)


# --- layers ------------------------------------------------------------------------------------------


def test_layers_present_with_danish_names() -> None:
    m = full_map(show_tiles_layer=True)
    # the council outlines belong to the base map, the rest are swappable data layers
    assert list(maps.layer_data(m)) == [
        map_legend.LAYER_COUNCILS,
        map_legend.LAYER_AREAS,
        map_legend.LAYER_LINKS,
        map_legend.LAYER_POINTS,
        map_legend.LAYER_UNITS,
    ]
    html = m.get_root().render()
    # ckLib's own layer control (folium's would not know the layers swapped in later), in a fixed order
    assert not any(isinstance(c, folium.LayerControl) for c in m._children.values())
    assert rendered_spec(html, "base")["order"] == list(maps.LAYER_ORDER)
    update = rendered_spec(html, "update")
    assert update["tiles"]["name"] == map_legend.LAYER_TILES and map_legend.LAYER_TILES in update["names"]
    for name in maps.LAYER_ORDER:
        assert maps.to_script_json(name) in html
    assert "Signaturforklaring" in html


def test_one_js_call_per_layer_not_one_folium_object_per_point() -> None:
    small = full_map(points=points_frame(20))
    large = full_map(points=points_frame(5_000))
    assert len(large._children) == len(small._children) < 15
    assert _descendants(large) == _descendants(small) < 40


def _descendants(element) -> int:
    return sum(1 + _descendants(child) for child in element._children.values())


def test_no_non_local_url_anywhere_in_the_rendered_html() -> None:
    m = full_map()
    html = m.get_root().render()
    assert _EXTERNAL.findall(html) == []
    assets.assert_local_html(html)
    js, css = assets.asset_urls(m)  # what streamlit-folium would load (it walks default_js/default_css)
    assert js and css
    assert all(url.startswith("/app/static/vendor/") for url in js + css)
    assert assets.LEAFLET_JS in js and assets.MARKERCLUSTER_JS in js


def test_the_only_external_url_with_the_background_map_is_the_tile_template() -> None:
    html = full_map(show_tiles_layer=True).get_root().render()
    hosts = {u.split("//")[1] for u in _EXTERNAL.findall(html)}
    assert hosts <= {"tile.openstreetmap.org", "www.openstreetmap.org", "openstreetmap.org"}, hosts


def test_layers_on_and_show_areas_start_layers_switched_off() -> None:
    m = full_map(show_areas=False, layers_on=[map_legend.LAYER_POINTS, map_legend.LAYER_AREAS])
    hidden = maps.hidden_layers(m)
    assert set(hidden) == {
        map_legend.LAYER_AREAS,
        map_legend.LAYER_COUNCILS,
        map_legend.LAYER_LINKS,
        map_legend.LAYER_UNITS,
    }
    html = m.get_root().render()
    starts = dict(re.findall(r"ckLib\.layer\(map_\w+, \w+, \"([^\"]*)\", \"\w+\", (true|false),", html))
    assert starts == {
        map_legend.LAYER_COUNCILS: "false",
        map_legend.LAYER_AREAS: "false",
        map_legend.LAYER_LINKS: "false",
        map_legend.LAYER_POINTS: "true",
        map_legend.LAYER_UNITS: "false",
    }


# --- safety ------------------------------------------------------------------------------------------


def test_hostile_text_never_appears_raw_and_every_payload_parses() -> None:
    m = full_map()
    html = m.get_root().render()
    for bad in ("<img src=x", "<script>alert", "</script><script>", "<!-- x", "'>", "\u2028", "\u2029"):
        assert bad not in html, bad
    # every script tag is one we wrote: no data closed a script early or opened a new one
    assert (
        html.count("<script")
        == html.count("</script>")
        == len(inline_scripts(html)) + len(assets.asset_urls(m)[0])
    )
    data = rendered_payloads(html)  # parsed from the page, after folium's rendering
    assert set(data) == {"areas", "outlines", "links", "points", "units"}
    names = map_payload.point_names(data["points"])
    for bad in HOSTILE:
        assert bad in names, bad  # the exact text reaches the browser, as JSON data
    assert HOSTILE[0] in [row[5] for row in data["units"]["rows"]]
    assert HOSTILE[3] in [row[5] for row in data["links"]["rows"]]
    assert HOSTILE[2] in data["links"]["kinds"]


def test_text_is_never_run_as_a_template_on_the_server() -> None:
    """branca re-parses every rendered script as Jinja; data must not be able to open a tag."""
    frame = points_frame(10, hostile=False)
    frame.loc[0, "name"] = "{{ 7*7 }} {# c #} {% if true %}x{% endif %} {{ this.__class__ }}"
    m = maps.build_map(areas=grid_areas(), points=frame, measure_label="{{ 6*7 }}")
    html = m.get_root().render()
    assert not re.search(r"\{[{%#]", html.split("<script>", 1)[1])
    assert frame.loc[0, "name"] in map_payload.point_names(rendered_payloads(html)["points"])
    assert legend_titles(html)[0] == "{{ 6*7 }}"


def test_payload_json_escapes_html_significant_characters() -> None:
    text = maps.to_script_json({"n": HOSTILE})
    for raw in ("<", ">", "&", "'", "\u2028", "\u2029"):
        assert raw not in text
    assert json.loads(text) == {"n": HOSTILE}


def test_legend_and_attribution_text_travel_as_json_not_html() -> None:
    html = full_map().get_root().render()
    assert legend_titles(html)[0] == HOSTILE[0]
    base = rendered_spec(html, "base")
    assert base["attribution"] == HOSTILE[3]
    assert (
        base["legend"]["footer"][0]["items"][0]["label"] == "Grænse for sundhedsråd"
    )  # drawn by the base map
    (south, west), (north, east) = base["bounds"]  # the initial view fits the data
    assert 55.5 < south < north < 55.9 and 12.2 < west < east < 12.6


def test_runtime_builds_user_text_with_escape_or_text_content_only() -> None:
    js = maps._RUNTIME_JS
    assert "textContent" in js and "esc(title)" in js
    # innerHTML is used once, for the constant SVG hatch pattern
    assert js.count("innerHTML") == 1 and "holder.innerHTML = '<svg" in js


@pytest.mark.skipif(shutil.which("node") is None, reason="node er ikke installeret")
def test_generated_javascript_parses(tmp_path: Path) -> None:
    html = full_map().get_root().render()
    script = tmp_path / "map.js"
    script.write_text("\n;\n".join(inline_scripts(html)), encoding="utf-8")
    result = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


# --- styling -----------------------------------------------------------------------------------------


def test_approximate_points_are_styled_differently_and_explained() -> None:
    m = full_map()
    payload = maps.layer_data(m)[map_legend.LAYER_POINTS]
    styles = payload["styles"]
    frame = points_frame()
    rows = map_payload._point_grid(frame)[0]
    for code, row in zip(payload["c"], rows, strict=True):
        style = styles[code]
        precision = frame["location_precision"].iloc[row]
        assert payload["precisions"][code] == map_payload.PRECISIONS[precision]
        if precision == "coordinates":
            assert (
                "ck-exact" in style["className"] and "dashArray" not in style and style["fillOpacity"] > 0.5
            )
        else:
            assert "ck-approx" in style["className"] and style["dashArray"] and style["fillOpacity"] < 0.2
    sections = rendered_spec(m.get_root().render(), "update")["legend"]
    labels = [item["label"] for section in sections for item in section["items"]]
    assert any("omtrentlig placering" in label.lower() for label in labels)


def test_nan_areas_are_hatched_and_called_ikke_kortlagt() -> None:
    payload = maps.layer_data(full_map())[map_legend.LAYER_AREAS]
    by_code = {f["c"]: f for f in payload["features"]}
    assert by_code[151]["k"] == -1 and by_code[151]["l"] == "ikke kortlagt"
    assert all(by_code[c]["k"] >= 0 for c in (101, 147, 153))
    assert (
        payload["nodata"]["fillColor"] == "url(#ck-hatch)" and "ck-nodata" in payload["nodata"]["className"]
    )
    html = full_map().get_root().render()
    assert map_payload.NO_DATA_LABEL in html


def test_classes_use_the_sequential_palette_light_to_dark() -> None:
    payload = maps.layer_data(full_map())[map_legend.LAYER_AREAS]
    by_code = {f["c"]: f["k"] for f in payload["features"]}
    assert by_code[101] < by_code[147] < by_code[153]
    assert payload["colors"] == map_payload.class_colors(3)


def test_without_boundaries_municipalities_become_proportional_circles() -> None:
    centres = pd.DataFrame(
        {
            "municipality_code": [101, 147, 151],
            "municipality_name": ["København", "Frederiksberg", HOSTILE[0]],
            "lat": [55.66, 55.68, 55.73],
            "lon": [12.6, 12.52, 12.36],
            "value": [10.0, 2.0, float("nan")],
            "value_label": ["10 tilbud", "2 tilbud", "ikke kortlagt"],
        }
    )
    m = maps.build_map(
        areas=None, municipality_points=centres, points=points_frame(10), measure_label="Antal tilbud"
    )
    payload = maps.layer_data(m)[map_legend.LAYER_AREAS]
    rows = {r[2]: r for r in payload["rows"]}
    assert rows[101][7] > rows[147][7] > 0  # bigger value, bigger circle
    assert rows[151][6] == -1 and "ck-nodata" in payload["nodata"]["className"]
    html = m.get_root().render()
    assert set(rendered_payloads(html)) == {"circles", "points"} and "Cirklens størrelse" in html


def test_no_data_at_all_still_builds_a_map_of_denmark() -> None:
    m = maps.build_map()
    assert maps.layer_data(m) == {}
    base = rendered_spec(m.get_root().render(), "base")
    assert base["bounds"] == [list(maps.DENMARK_BOUNDS[0]), list(maps.DENMARK_BOUNDS[1])]
    assert base["attribution"] == ""


def test_unit_types_get_their_own_symbols_and_unknown_types_fall_back_to_andet() -> None:
    payload = maps.layer_data(full_map())[map_legend.LAYER_UNITS]
    keys = [t["key"] for t in payload["types"]]
    types = [keys[row[2]] for row in payload["rows"]]
    assert types == ["hospital", "psykiatri", "andet"]
    sizes = [row[4] for row in payload["rows"]]
    assert sizes[0] > sizes[1] >= sizes[2]  # sized by number of collaborations
    assert [row[3] for row in payload["rows"]] == [0, 0, 1]  # approximate location flagged
    assert len({t["color"] for t in payload["types"]}) == len(payload["types"])


# --- inputs ------------------------------------------------------------------------------------------


def test_missing_column_is_named() -> None:
    with pytest.raises(map_payload.MapInputError, match="location_precision"):
        maps.build_map(points=points_frame().drop(columns="location_precision"))


def test_bad_kind_names_row_and_value() -> None:
    frame = points_frame()
    frame.loc[3, "kind"] = "forening"
    with pytest.raises(map_payload.MapInputError, match=r"kind i række 3 er 'forening'"):
        maps.build_map(points=frame)


def test_points_without_coordinates_are_skipped() -> None:
    frame = points_frame(10)
    frame.loc[[2, 5], "lat"] = np.nan
    payload = maps.layer_data(maps.build_map(points=frame))[map_legend.LAYER_POINTS]
    assert len(payload["x"]) == 8


@pytest.mark.parametrize(
    ("value", "text"),
    [(1234.0, "1.234"), (12.5, "12,5"), (2.5, "2,5"), (0.25, "0,25"), (3.0, "3"), (float("nan"), "")],
)
def test_format_number_is_danish(value: float, text: str) -> None:
    assert map_payload.format_number(value) == text


def test_value_classes() -> None:
    assert map_payload.value_classes([float("nan")]) == []
    assert map_payload.value_classes([1, 2, 2]) == [(1.0, 1.0), (2.0, 2.0)]
    counts = map_payload.value_classes(range(0, 100))
    assert len(counts) == 5 and counts[0][0] == 0 and counts[-1][1] == 99
    assert all(lo == prev_hi + 1 for (lo, _), (_, prev_hi) in zip(counts[1:], counts[:-1], strict=True))
    rates = map_payload.value_classes(np.linspace(0.1, 11.9, 50))
    assert all(len(map_payload.format_number(edge)) <= 4 for pair in rates for edge in pair)
    assert map_payload.value_classes([0.0, 5.0], breaks=[0, 2, 4, 6]) == [(0, 2), (2, 4), (4, 6)]


# --- geometry ----------------------------------------------------------------------------------------


def test_simplify_keeps_shared_borders_shared() -> None:
    x = np.linspace(12.3, 12.5, 400)
    border = shapely.LineString(np.column_stack([x, 55.7 + 0.004 * np.sin(x * 900)]))
    halves = shapely.ops.split(shapely.box(12.3, 55.6, 12.5, 55.8), border).geoms
    wiggly = gpd.GeoDataFrame({"municipality_code": [1, 2]}, geometry=list(halves), crs=4326)
    assert shapely.coverage_is_valid(np.asarray(wiggly.geometry.values))
    simple = map_payload.simplify_for_display(wiggly, 0.002)
    assert simple.geometry.is_valid.all() and not simple.geometry.is_empty.any()
    assert shapely.coverage_is_valid(np.asarray(simple.geometry.values))  # no gaps, no overlaps
    assert (
        shapely.get_num_coordinates(simple.geometry.values).sum()
        < shapely.get_num_coordinates(wiggly.geometry.values).sum() / 3
    )


def test_real_municipalities_simplify_well_under_400_kb(real_boundaries_file: Path) -> None:
    areas = real_areas(real_boundaries_file)
    simple = map_payload.simplify_for_display(areas)
    assert len(simple) == len(areas) == 98
    assert simple.geometry.is_valid.all() and not simple.geometry.is_empty.any()
    assert shapely.coverage_is_valid(np.asarray(simple.geometry.values))
    payload = maps.to_script_json(maps.layer_data(maps.build_map(areas=areas))[map_legend.LAYER_AREAS])
    assert len(payload.encode("utf-8")) < 250_000


# --- payload -----------------------------------------------------------------------------------------


def _st_folium_bytes(m: folium.Map) -> int:
    from streamlit_folium import _get_header, _get_html, _get_map_string

    m.get_root().render()
    parts = (_get_html(m), _get_header(m), _get_map_string(m))
    return sum(len(p.encode("utf-8")) for p in parts)


def test_one_council_with_6000_points_is_under_1_5_mb(tiny_boundaries) -> None:
    shapes = tiny_boundaries.municipalities
    refs = reference.municipalities().merge(reference.councils(), on="council_id")
    areas = shapes.merge(
        refs[["municipality_code", "municipality_name", "council_name"]], on="municipality_code"
    )
    areas = areas[areas["council_name"] == "Sundhedsråd Fyn"].assign(value=3.0, value_label="3 tilbud")
    west, south, east, north = areas.total_bounds
    rng = np.random.default_rng(3)
    n = 6_000
    pts = pd.DataFrame(
        {
            "point_id": [f"org:ORG-{i}" for i in range(n)],
            "kind": "organisation",
            "name": [f"Frivillig forening for pårørende nr. {i}" for i in range(n)],
            "lat": rng.uniform(south, north, n),
            "lon": rng.uniform(west, east, n),
            "location_precision": "coordinates",
        }
    )
    size = _st_folium_bytes(maps.build_map(areas=areas, points=pts, measure_label="Tilbud"))
    assert size < 1.5 * 1024 * 1024
    assert size / n < 80  # bytes per point, names included


def test_st_folium_sees_the_same_layers_and_clicks_survive_its_renaming() -> None:
    from streamlit_folium import _get_map_string

    m = full_map(layers_on=[map_legend.LAYER_AREAS])
    m.get_root().render()
    script = _get_map_string(m)
    assert "ckLib.base(map_div," in script and "ckLib.update(map_div," in script
    assert re.search(
        r"var ck_layer_div_\w+ = ckLib\.layer\(map_div, feature_group_div_\w+, \"Kommuner\", \"areas\", true",
        script,
    )
    assert re.search(
        r"ckLib\.layer\(map_div, feature_group_div_\w+, \"Organisationer og tilbud\", \"points\", false",
        script,
    )


# --- clicks ------------------------------------------------------------------------------------------


def _tag_index(frame: pd.DataFrame, row: int) -> int:
    return int(np.flatnonzero(map_payload._point_grid(frame)[0] == row)[0])


def _returned(lat: float | None, lng: float | None, tooltip: str | None) -> dict:
    """A dict shaped like st_folium's return value."""
    where = None if lat is None else {"lat": lat, "lng": lng}
    return {"last_object_clicked": where, "last_object_clicked_tooltip": tooltip, "last_clicked": where}


def test_identify_point_from_tooltip_tag_and_position() -> None:
    frame = points_frame()
    row = 3
    tip = f"{HOSTILE[3]}TilbudPræcis placering[ck:p:{_tag_index(frame, row)}]"
    lat, lon = frame.loc[row, ["lat", "lon"]]
    assert map_clicks.identify_click(_returned(lat + 1e-6, lon, tip), frame, grid_areas()) == (
        "point",
        frame.loc[row, "point_id"],
    )
    # a stale tooltip from an earlier click with a different position does not match
    assert map_clicks.identify_click(_returned(lat + 0.02, lon, tip), frame, grid_areas()) is None
    # a marker spread out of a pile (spiderfied) reports its leg position, a little off
    assert map_clicks.identify_click(_returned(lat + 5e-4, lon - 9e-4, tip), frame, None) == (
        "point",
        frame.loc[row, "point_id"],
    )


def test_identify_point_among_duplicates_at_one_postcode() -> None:
    frame = points_frame(6, hostile=False)
    frame[["lat", "lon"]] = [55.7, 12.4]  # all at the same postcode centroid
    for row in range(6):
        tip = f"Forening {row}[ck:p:{_tag_index(frame, row)}]"
        assert map_clicks.identify_click(_returned(55.7, 12.4, tip), frame, None) == (
            "point",
            frame.loc[row, "point_id"],
        )


def test_identify_municipality_unit_and_collaboration() -> None:
    areas, units, links = grid_areas(), units_frame(), links_frame()
    assert map_clicks.identify_click(
        _returned(55.65, 12.35, "KøbenhavnxHovedstaden[ck:m:101]"), None, areas
    ) == (
        "municipality",
        101,
    )
    assert (
        map_clicks.identify_click(_returned(56.5, 9.0, "København[ck:m:101]"), None, areas) is None
    )  # far from 101
    assert map_clicks.identify_click(_returned(55.65, 12.35, "[ck:m:999]"), None, areas) is None
    assert map_clicks.identify_click(
        _returned(55.696, 12.366, "Rigshospitalet[ck:u:0]"), None, areas, units
    ) == (
        "unit",
        "U1",
    )
    assert map_clicks.identify_click(_returned(55.7, 12.4, "x[ck:l:1]"), None, areas, links=links) == (
        "collaboration",
        "S2",
    )


def test_identify_municipality_without_boundaries() -> None:
    centres = pd.DataFrame({"municipality_code": [101, 147]})
    assert map_clicks.identify_click(_returned(55.6, 12.5, "x[ck:m:147]"), None, None, None, centres) == (
        "municipality",
        147,
    )
    assert map_clicks.identify_click(_returned(55.6, 12.5, "x[ck:m:153]"), None, None, None, centres) is None


def test_identify_ignores_clusters_and_empty_returns() -> None:
    frame = points_frame()
    assert (
        map_clicks.identify_click(
            _returned(55.7, 12.4, "12 organisationer og tilbud[ck:c:0]"), frame, grid_areas()
        )
        is None
    )
    assert map_clicks.identify_click({}, frame, grid_areas()) is None
    assert map_clicks.identify_click(None, frame, grid_areas()) is None
    assert map_clicks.identify_click(_returned(None, None, None), frame, grid_areas()) is None
    assert map_clicks.identify_click(_returned(55.7, 12.4, "[ck:p:99999]"), frame, grid_areas()) is None


def test_identify_falls_back_on_position_without_the_tooltip() -> None:
    frame, areas, units = points_frame(), grid_areas(), units_frame()
    only_position = {
        "last_object_clicked": {"lat": float(frame.loc[5, "lat"]), "lng": float(frame.loc[5, "lon"])}
    }
    assert map_clicks.identify_click(only_position, frame, areas, units) == (
        "point",
        frame.loc[5, "point_id"],
    )
    on_unit = {"last_object_clicked": {"lat": 55.696, "lng": 12.366}}
    assert map_clicks.identify_click(on_unit, frame, areas, units) == ("unit", "U1")
    in_polygon = {"last_object_clicked": {"lat": 55.75, "lng": 12.45}}
    assert map_clicks.identify_click(in_polygon, frame, areas, units) == ("municipality", 153)
    assert (
        map_clicks.identify_click({"last_object_clicked": {"lat": 50.0, "lng": 5.0}}, frame, areas, units)
        is None
    )


def test_click_tag_reads_only_the_trailing_tag() -> None:
    assert map_clicks.click_tag({"last_object_clicked_tooltip": "Navn [ck:p:1] i navnet[ck:p:7]"}) == ("p", 7)
    assert map_clicks.click_tag({"last_object_clicked_tooltip": "Navn [ck:p:1] i navnet"}) is None
    assert map_clicks.click_tag({"last_object_clicked_tooltip": None}) is None


# --- base map + swappable data layers (what the app hands to st_folium) ------------------------------


def _st_folium_args(monkeypatch: pytest.MonkeyPatch, base: folium.Map, groups: list) -> dict:
    """What st_folium would send to its frontend (its own code path; only the component call is stubbed)."""
    import streamlit_folium

    sent: dict = {}

    def component(**kwargs):
        sent.update(kwargs)
        return kwargs["default"]

    monkeypatch.setattr(streamlit_folium, "_component_func", component)
    streamlit_folium.st_folium(
        base,
        key="kort-council:hovedstaden",
        feature_group_to_add=groups,
        returned_objects=list(map_clicks.RETURNED_OBJECTS),
        height=620,
        use_container_width=True,
    )
    return sent


def _base(**overrides) -> folium.Map:
    kwargs = {
        "bounds": [[55.6, 12.3], [55.8, 12.5]],
        "council_outlines": outlines_frame(),
        "attribution": HOSTILE[3],
        "simplify_tolerance": None,
    }
    kwargs.update(overrides)
    return maps.build_base_map(**kwargs)


def _layers(**overrides) -> maps.DataLayers:
    kwargs = {
        "areas": grid_areas(),
        "points": points_frame(),
        "units": units_frame(),
        "links": links_frame(),
        "measure_label": HOSTILE[0],
    }
    kwargs.update(overrides)
    return maps.build_data_layers(**kwargs)


def test_a_filter_change_keeps_the_base_map_and_its_component_key(monkeypatch: pytest.MonkeyPatch) -> None:
    first = _st_folium_args(monkeypatch, _base(), _layers().groups)
    fewer = points_frame(12, seed=9, hostile=False)
    other = grid_areas([9.0, 1.0, 2.0, float("nan")])
    second = _st_folium_args(
        monkeypatch,
        _base(),
        _layers(areas=other, points=fewer, links=None, measure_label="Antal organisationer").groups,
    )
    # the frontend keys the iframe on this: same key, same script -> the map is kept, not re-created
    assert first["key"] == second["key"]
    assert first["script"] == second["script"] and first["header"] == second["header"]
    assert first["feature_group"] != second["feature_group"]  # swapped in place by the frontend
    assert first["layer_control"] is None  # ckLib keeps its own control in the base map
    layers = {name for name in maps.layer_data(_layers(points=fewer, links=None))}
    assert map_legend.LAYER_LINKS not in layers
    # another area (other bounds and outlines) is another map
    elsewhere = _st_folium_args(monkeypatch, _base(bounds=[[56.0, 9.0], [56.5, 10.5]]), _layers().groups)
    assert elsewhere["key"] != first["key"]


def test_the_data_layers_arrive_as_feature_groups_with_the_update_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layers = _layers(layers_on=[map_legend.LAYER_AREAS, map_legend.LAYER_POINTS])
    assert all(isinstance(g, folium.FeatureGroup) for g in layers.groups)
    assert [type(g.call).__name__ for g in layers.groups] == ["_Update"] + ["_LayerCall"] * 4
    assert set(maps.hidden_layers(layers)) == {map_legend.LAYER_LINKS, map_legend.LAYER_UNITS}
    (south, west), (north, east) = layers.extent
    assert 55.5 < south < north < 55.9 and 12.2 < west < east < 12.6
    sent = _st_folium_args(monkeypatch, _base(), layers.groups)
    groups = sent["feature_group"]
    # the first group's call drops the previous set before any new layer registers in the control
    assert groups.index("ckLib.update(map_div,") < groups.index("ckLib.layer(")
    assert groups.index("ckLib.update(map_div,") < groups.index("window.feature_group.push")
    for i, (name, builder) in enumerate(
        [
            (map_legend.LAYER_AREAS, "areas"),
            (map_legend.LAYER_LINKS, "links"),
            (map_legend.LAYER_POINTS, "points"),
            (map_legend.LAYER_UNITS, "units"),
        ],
        start=1,
    ):
        call = f'ckLib.layer(map_div, feature_group_feature_group_{i}, "{name}", "{builder}",'
        assert call in groups, call
    assert "ckLib.base(map_div," in sent["script"] and '"Sundhedsråd", "outlines"' in sent["script"]


def test_nothing_st_folium_sends_asks_another_host_or_carries_raw_user_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    layers = _layers()
    for group in layers.groups:
        assert assets.asset_urls(group) == ([], [])  # the groups bring no plugin files of their own
    sent = _st_folium_args(monkeypatch, _base(), layers.groups)
    assert all(url.startswith("/app/static/vendor/") for url in sent["js_links"] + sent["css_links"])
    assert assets.MARKERCLUSTER_JS in sent["js_links"] and assets.LEAFLET_CSS in sent["css_links"]
    for part in ("script", "header", "html", "feature_group"):
        text = sent[part]
        assert _EXTERNAL.findall(text) == [], part
        for bad in ("<img src=x", "<script>alert", "<!-- x", "\u2028", "\u2029"):
            assert bad not in text, (part, bad)
    for part in ("script", "feature_group"):  # evaluated as JavaScript by the frontend
        assert "</script" not in sent[part] and "'>" not in sent[part], part
    assert not re.search(r"\{[{%#]", sent["feature_group"])  # no Jinja tag survived (branca re-parses it)
    payloads = rendered_payloads(sent["feature_group"].replace("map_div", "map_x"))
    assert set(payloads) == {"areas", "links", "points", "units"}
    assert set(HOSTILE) <= set(map_payload.point_names(payloads["points"]))
    # with the background map the tile template is the only other host, and only in the groups
    tiles = _st_folium_args(monkeypatch, _base(), _layers(show_tiles_layer=True).groups)
    assert _EXTERNAL.findall(tiles["script"]) == []
    hosts = {u.split("//")[1] for u in _EXTERNAL.findall(tiles["feature_group"])}
    assert hosts <= {"tile.openstreetmap.org", "www.openstreetmap.org"}, hosts


def test_hostile_outline_names_and_attribution_stay_data_in_the_base_map() -> None:
    base = _base(attribution="{{ 7*7 }} " + HOSTILE[4])
    html = base.get_root().render()
    assert "</script><script>" not in html and "{{ 7*7 }}" not in html
    assert rendered_spec(html, "base")["attribution"] == "{{ 7*7 }} " + HOSTILE[4]
    assert maps.layer_data(base) == {map_legend.LAYER_COUNCILS: rendered_payloads(html)["outlines"]}
    assert HOSTILE[0] not in html  # the council's name is not drawn at all


@pytest.mark.skipif(shutil.which("node") is None, reason="node er ikke installeret")
def test_the_scripts_st_folium_sends_parse(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sent = _st_folium_args(monkeypatch, _base(), _layers(show_tiles_layer=True).groups)
    script = tmp_path / "kort.js"
    script.write_text(sent["script"] + "\n;\n" + sent["feature_group"], encoding="utf-8")
    result = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def _page_data() -> dict:
    """Shaped like civilkort.queries.map_layers output."""
    return {
        "areas": grid_areas(),
        "council_outlines": outlines_frame(),
        "municipality_points": pd.DataFrame(
            {
                "municipality_code": [101],
                "municipality_name": ["København"],
                "lat": [55.65],
                "lon": [12.35],
                "value": [1.0],
                "value_label": ["1 tilbud"],
            }
        ),
        "points": points_frame(),
        "units": units_frame(),
        "links": links_frame(),
        "bounds": [[55.6, 12.3], [55.8, 12.5]],
        "attribution": "Kommunegrænser: DAGI",
    }


def test_page_map_draws_the_chosen_layers_and_identifies_clicks_on_them() -> None:
    data = _page_data()
    view = page_map.page_map(data, layers=("points", "units"), measure_label="Antal tilbud")
    assert set(maps.layer_data(view.layers)) == {
        map_legend.LAYER_AREAS,
        map_legend.LAYER_POINTS,
        map_legend.LAYER_UNITS,
    }
    # "areas" not chosen: drawn, switched off
    assert maps.hidden_layers(view.layers) == [map_legend.LAYER_AREAS]
    assert maps.layer_data(view.base) == {
        map_legend.LAYER_COUNCILS: maps.layer_data(view.base)[map_legend.LAYER_COUNCILS]
    }
    assert view.groups is view.layers.groups
    link_click = _returned(55.7, 12.4, "x[ck:l:1]")
    assert view.identify(link_click) is None  # links are not drawn
    assert view.identify(_returned(55.696, 12.366, "Rigshospitalet[ck:u:0]")) == ("unit", "U1")
    assert view.identify(_returned(55.65, 12.35, "København[ck:m:101]")) == ("municipality", 101)
    with_links = page_map.page_map(data, layers=("areas", "links"), measure_label="Antal tilbud")
    assert with_links.identify(link_click) == ("collaboration", "S2")
    assert with_links.identify(_returned(55.696, 12.366, "Rigshospitalet[ck:u:0]")) is None
    # the same inputs give the same base map: only the area decides it
    assert _base_script(view.base) == _base_script(with_links.base)


def _base_script(base: folium.Map) -> str:
    from streamlit_folium import _get_map_string

    base.get_root().render()
    return _get_map_string(base)


def test_a_copied_links_view_opens_the_base_map_there_and_keeps_it_stable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fitted = _base()
    html = fitted.get_root().render()
    assert "view" not in rendered_spec(html, "base")  # no view: fit the area
    assert 'aria-label", COPY_LABEL' in html and "Kopiér link til dette kortudsnit" in html  # the copy button
    at = _base(view=(56.15, 10.2, 13))
    spec = rendered_spec(at.get_root().render(), "base")
    assert spec["view"] == [56.15, 10.2, 13] and spec["bounds"] == [[55.6, 12.3], [55.8, 12.5]]
    assert at.location == [56.15, 10.2] and at.options["zoom"] == 13
    # the same link gives the same script and component key: a filter change keeps the map
    first = _st_folium_args(monkeypatch, _base(view=(56.15, 10.2, 13)), _layers().groups)
    second = _st_folium_args(monkeypatch, _base(view=(56.15, 10.2, 13)), _layers(links=None).groups)
    assert first["key"] == second["key"] and first["script"] == second["script"]
    page = page_map.page_map(
        _page_data(), layers=("points",), measure_label="Antal tilbud", view=(55.7, 12.4, 11)
    )
    assert rendered_spec(page.base.get_root().render(), "base")["view"] == [55.7, 12.4, 11]


def test_click_key_tells_a_new_click_on_the_same_object_from_a_rerun(monkeypatch: pytest.MonkeyPatch) -> None:
    # st_folium knows every returned object the app asks for (its frontend counts object clicks)
    sent = _st_folium_args(monkeypatch, _base(), _layers().groups)
    assert set(sent["default"]) == set(map_clicks.RETURNED_OBJECTS)
    assert "last_object_clicked_count" in map_clicks.RETURNED_OBJECTS
    first = dict(_returned(55.65, 12.35, "København[ck:m:101]"), last_object_clicked_count=1)
    again = dict(first, last_object_clicked_count=2)
    assert map_clicks.click_key(first) == map_clicks.click_key(dict(first))  # a rerun: the same click
    assert map_clicks.click_key(again) != map_clicks.click_key(first)  # the same object clicked once more
    assert map_clicks.click_key(None) is None and map_clicks.click_key(_returned(None, None, None)) is None
    assert map_clicks.click_key({"last_object_clicked": None, "last_object_clicked_count": 0}) is None


# --- points published once, a bitmask per filter change -------------------------------------------------


def shared(
    n: int = 300, keep_every: int = 3, src: str = "/app/static/kort/punkter-test.json"
) -> map_payload.SharedPoints:
    table = map_payload.encode_points(points_frame(n))
    keep = np.zeros(len(table), dtype=bool)
    keep[::keep_every] = True
    return map_payload.SharedPoints(table, keep, src)


def test_the_published_file_is_the_inline_payload_of_every_point_in_the_area() -> None:
    points = shared()
    inline = maps.layer_data(maps.build_data_layers(points=points.table))[map_legend.LAYER_POINTS]
    assert json.loads(map_payload.points_file(points.table)) == inline
    assert set(HOSTILE) <= set(map_payload.point_names(json.loads(map_payload.points_file(points.table))))


def test_a_filter_change_sends_the_files_url_and_a_bit_per_point_only() -> None:
    points = shared(3000)
    payload = maps.layer_data(maps.build_data_layers(points=points))[map_legend.LAYER_POINTS]
    assert set(payload) == {"src", "n", "keep"}
    assert payload["src"] == points.src and payload["n"] == 3000
    bits = np.unpackbits(np.frombuffer(base64.b64decode(payload["keep"]), dtype=np.uint8), bitorder="little")
    assert np.array_equal(bits[:3000].astype(bool), points.keep) and not bits[3000:].any()
    assert len(json.dumps(payload)) < 3000 / 8 * 4 / 3 + 200  # the bitmask, base64: no names, no positions
    inline = maps.layer_data(maps.build_data_layers(points=points.kept()))[map_legend.LAYER_POINTS]
    assert len(json.dumps(inline)) > 20 * len(json.dumps(payload))


def test_the_legend_and_extent_follow_the_points_kept_not_the_whole_file() -> None:
    table = map_payload.encode_points(points_frame(60, hostile=False))
    keep = (table["kind"] == "offer").to_numpy() & (table["location_precision"] == "coordinates").to_numpy()
    points = map_payload.SharedPoints(table, keep, "/app/static/kort/x.json")
    from_file = maps.build_data_layers(points=points)
    as_frame = maps.build_data_layers(points=points.kept())
    spec = lambda layers: json.loads(layers.groups[0].call.spec)["legend"]  # noqa: E731
    assert spec(from_file) == spec(as_frame)
    assert np.allclose(from_file.extent, as_frame.extent)
    assert (
        maps.build_data_layers(points=map_payload.SharedPoints(table, np.zeros(60, bool), "x")).calls() == []
    )


def test_points_without_coordinates_are_left_out_of_the_bitmask() -> None:
    frame = points_frame(20, hostile=False)
    frame.loc[[2, 5], ["lat", "lon"]] = np.nan
    table = map_payload.encode_points(frame)
    points = map_payload.SharedPoints(table, np.ones(20, dtype=bool), "x")
    payload = maps.layer_data(maps.build_data_layers(points=points))[map_legend.LAYER_POINTS]
    assert payload["n"] == 18 == len(json.loads(map_payload.points_file(table))["x"])


def test_shared_points_must_be_encoded_and_match_their_mask() -> None:
    with pytest.raises(map_payload.MapInputError, match="encode_points"):
        maps.build_data_layers(
            points=map_payload.SharedPoints(points_frame(5, hostile=False), np.ones(5, bool), "x")
        )
    with pytest.raises(map_payload.MapInputError, match="4 værdier for 5 punkter"):
        maps.build_data_layers(
            points=map_payload.SharedPoints(
                map_payload.encode_points(points_frame(5, hostile=False)), np.ones(4, bool), "x"
            )
        )


def test_a_click_on_a_shared_point_is_identified_by_its_place_in_the_file() -> None:
    points = shared(40, keep_every=2)
    table = points.table
    for i in (0, 2, 38):
        row = table.iloc[i]
        tip = f"{row['name']}[ck:p:{i}]"
        assert map_clicks.identify_click(_returned(row["lat"], row["lon"], tip), points) == (
            "point",
            row["point_id"],
        )
    hidden = table.iloc[3]  # not kept: a stale tooltip cannot open it
    assert map_clicks.identify_click(_returned(hidden["lat"], hidden["lon"], "x[ck:p:3]"), points) is None
    assert map_clicks.identify_click(_returned(55.7, 12.4, "x[ck:p:40]"), points) is None
    # without the tag, only a kept point's exact position counts
    assert map_clicks.identify_click(_returned(hidden["lat"], hidden["lon"], None), points) is None
    kept = table.iloc[2]
    assert map_clicks.identify_click(_returned(kept["lat"], kept["lon"], None), points) == (
        "point",
        kept["point_id"],
    )
    assert map_clicks.identify_click({"last_object_clicked": None}, points) is None


@pytest.mark.skipif(shutil.which("node") is None, reason="node er ikke installeret")
def test_the_browser_reads_the_bitmask_as_the_server_wrote_it(tmp_path: Path) -> None:
    rng = np.random.default_rng(7)
    cases = []
    for n in (1, 7, 8, 9, 1000, 4099):
        keep = rng.random(n) < 0.4
        table = map_payload.encode_points(points_frame(n, hostile=False))
        payload = maps.layer_data(maps.build_data_layers(points=map_payload.SharedPoints(table, keep, "x")))
        if keep.any():
            cases.append((payload[map_legend.LAYER_POINTS], np.flatnonzero(keep).tolist()))
    script = tmp_path / "kept.js"
    script.write_text(
        "globalThis.window = globalThis;\n"
        + maps._RUNTIME_JS
        + f"\nconst cases = {json.dumps([c[0] for c in cases])};\n"
        + "console.log(JSON.stringify(cases.map(d => window.ckLib.kept(d.keep, d.n))));\n",
        encoding="utf-8",
    )
    result = subprocess.run(["node", str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [c[1] for c in cases]


def test_published_shapes_leave_only_values_in_the_areas_layer() -> None:
    areas = grid_areas()
    inline = maps.layer_data(maps.build_data_layers(areas=areas, simplify_tolerance=None))[
        map_legend.LAYER_AREAS
    ]
    src = "/app/static/kort/kommuner-x.json.gz"
    payload = maps.layer_data(maps.build_data_layers(areas=areas, shapes_src=src))[map_legend.LAYER_AREAS]
    assert payload["src"] == src and all("g" not in f for f in payload["features"])
    assert [{k: v for k, v in f.items() if k != "g"} for f in inline["features"]] == payload["features"]
    file = json.loads(map_payload.shapes_file(areas))
    assert file["q"] == inline["q"]
    assert {int(c): g for c, g in file["g"].items()} == {f["c"]: f["g"] for f in inline["features"]}


def test_published_outlines_and_runtime_leave_the_base_map_small() -> None:
    outlines = outlines_frame()
    inline = maps.build_base_map(council_outlines=outlines, simplify_tolerance=None)  # as the app's map
    src, runtime = "/app/static/kort/raad-x.json.gz", "/app/static/kort/civilkort-kort-x.js"
    shared = maps.build_base_map(council_outlines=outlines, outlines_src=src, runtime_src=runtime)
    assert maps.layer_data(shared)[map_legend.LAYER_COUNCILS] == {
        "src": src,
        "style": maps.layer_data(inline)[map_legend.LAYER_COUNCILS]["style"],
    }
    assert (
        json.loads(map_payload.outlines_file(outlines)) == maps.layer_data(inline)[map_legend.LAYER_COUNCILS]
    )
    js, _ = assets.asset_urls(shared)
    assert js[-1] == runtime and runtime not in assets.asset_urls(inline)[0]
    html, shared_html = inline.get_root().render(), shared.get_root().render()
    assert "window.ckLib = " in html and "window.ckLib = " not in shared_html
    assert maps.runtime_file().decode() in html  # the same script, inline or as a file
    assert len(shared_html) < len(html) - len(maps.runtime_file()) + 1000


@pytest.mark.skipif(shutil.which("node") is None, reason="node er ikke installeret")
def test_the_runtime_file_parses(tmp_path: Path) -> None:
    script = tmp_path / "runtime.js"
    script.write_bytes(maps.runtime_file())
    result = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_the_map_is_named_after_its_area_in_danish() -> None:
    # the name goes to the base map's spec; the browser makes it the iframe's title (and the document Danish)
    assert maps.map_title("Sundhedsråd Aarhus") == "Kort over Sundhedsråd Aarhus"
    assert maps.map_title("Hele Danmark") == "Kort over hele Danmark"
    assert maps.map_title("Region Midtjylland") == "Kort over Region Midtjylland"
    assert maps.map_title(None) == maps.map_title("") == maps.MAP_TITLE == "Interaktivt kort"
    page = page_map.page_map(
        _page_data(), layers=("points",), measure_label="Antal tilbud", area_name="Sundhedsråd Aarhus"
    )
    assert rendered_spec(page.base.get_root().render(), "base")["title"] == "Kort over Sundhedsråd Aarhus"
    unnamed = page_map.page_map(_page_data(), layers=("points",), measure_label="Antal tilbud")
    assert rendered_spec(unnamed.base.get_root().render(), "base")["title"] == "Interaktivt kort"
    hostile = rendered_spec(_base(title=HOSTILE[1]).get_root().render(), "base")
    assert hostile["title"] == HOSTILE[1]  # data in the spec, set as an attribute value in the browser
    pins = rendered_spec(maps.pin_map(council_outlines=outlines_frame()).get_root().render(), "base")
    assert pins["title"] == maps.PIN_MAP_TITLE
