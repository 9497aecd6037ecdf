"""The map alone in a real headless Chromium, fully offline: polygons, clusters, hostile names shown as text."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from civilkort import assets, map_legend, maps, reference
from tests.browser.appserver import poll, wait_settled
from tests.browser.conftest import OfflinePage, require_or_skip
from tests.conftest import real_boundaries_path, synthetic_municipalities

pytestmark = pytest.mark.browser

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "`${alert(1)}`",
    "C:\\u0000 \\ \x00 slut",
    "\"'><script>alert(1)</script>",
    "</script><script>window.ckPwned=1</script>",
    "<img src=x onerror=window.ckPwned=1> {{ 7*7 }}",
]


def _areas() -> tuple[gpd.GeoDataFrame, str]:
    path = real_boundaries_path()
    if path is not None:
        raw = gpd.read_file(path)
        code = next((c for c in ("kommunekode", "municipality_code") if c in raw.columns), None)
        if code is not None:
            raw["municipality_code"] = raw[code].astype(int)
            shapes, source = raw[["municipality_code", "geometry"]].to_crs(4326), "DAGI"
    if path is None or code is None:
        shapes, source = synthetic_municipalities().reset_index(drop=True), "syntetisk"
    refs = reference.municipalities().merge(reference.councils(), on="council_id")
    g = shapes.merge(refs[["municipality_code", "municipality_name", "council_name"]], on="municipality_code")
    rng = np.random.default_rng(5)
    g["value"] = rng.gamma(2.0, 2.0, len(g)).round(1)
    g.loc[g["municipality_code"].isin([101, 147, 400]), "value"] = np.nan
    g["value_label"] = [
        f"{v:.1f} tilbud".replace(".", ",") if v == v else "ikke kortlagt" for v in g["value"]
    ]
    g.loc[g["municipality_code"] == 101, "municipality_name"] = HOSTILE[0]
    return g, source


def _points() -> pd.DataFrame:
    rng = np.random.default_rng(6)
    n = 3_000
    frame = pd.DataFrame(
        {
            "point_id": [f"org:ORG-{i}" if i % 2 else f"offer:T-{i}" for i in range(n)],
            "kind": ["organisation" if i % 2 else "offer" for i in range(n)],
            "name": [f"Forening {i}" for i in range(n)],
            "lat": rng.uniform(54.9, 57.4, n),
            "lon": rng.uniform(8.6, 12.5, n),
            "location_precision": rng.choice(
                ["coordinates", "postcode", "municipality"], n, p=[0.6, 0.3, 0.1]
            ),
        }
    )
    # hostile names on isolated points off the west coast, 0.1° apart, so each stands alone at zoom 16
    hostile = pd.DataFrame(
        {
            "point_id": [f"org:HOSTILE-{i}" for i in range(len(HOSTILE))],
            "kind": "organisation",
            "name": HOSTILE,
            "lat": [56.0 + 0.1 * i for i in range(len(HOSTILE))],
            "lon": 8.05,
            "location_precision": "coordinates",
        }
    )
    return pd.concat([frame, hostile], ignore_index=True)


def _units() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit_id": ["U1", "U2", "U3", "U4"],
            "name": [
                "Rigshospitalet",
                "Psykiatrisk Center København",
                HOSTILE[3],
                "Regionshospitalet Gødstrup",
            ],
            "unit_type": ["hospital", "psykiatri", "social_virksomhed", "hospital"],
            "unit_type_label": ["Hospital", "Psykiatri", "Den Sociale Virksomhed", "Hospital"],
            "lat": [55.6955, 55.7175, 55.6631, 56.1310],
            "lon": [12.5665, 12.5467, 12.4541, 8.9340],
            "location_precision": ["coordinates", "coordinates", "municipality", "coordinates"],
            "n_collaborations": [9, 2, 1, 4],
        }
    )


@pytest.fixture(scope="module")
def map_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The standalone map HTML written to a temp folder; the tests serve it from 127.0.0.1."""
    if assets.missing():
        require_or_skip(f"{assets.MISSING_MESSAGE} (mangler {', '.join(assets.missing())})")
    areas, source = _areas()
    units = _units()
    links = pd.DataFrame(
        {
            "collaboration_id": ["S1", "S2"],
            "title": ["Patientstøtte", HOSTILE[1]],
            "unit_lat": units["lat"][:2],
            "unit_lon": units["lon"][:2],
            "org_lat": [55.8, 55.6],
            "org_lon": [12.3, 12.2],
            "kind": ["Formelt", "Uformelt"],
        }
    )
    m = maps.build_map(
        areas=areas,
        council_outlines=None,
        points=_points(),
        units=units,
        links=links,
        measure_label="Tilbud pr. 10.000 indbyggere",
        attribution=f"Kommunegrænser: {source}",
    )
    folder = tmp_path_factory.mktemp("kort")
    (folder / "kort.html").write_text(assets.standalone_html(m), encoding="utf-8")
    return "kort.html"


def _open(offline_page: OfflinePage, serve_directory, map_url: str, tmp_root: Path) -> OfflinePage:
    page = offline_page.page
    page.goto(serve_directory(tmp_root) + map_url)
    page.wait_for_selector(".ck-cluster", timeout=20_000)
    page.wait_for_function("() => window.ckLib !== undefined")
    return offline_page


@pytest.fixture
def opened(offline_page: OfflinePage, serve_directory, map_url: str, tmp_path_factory) -> OfflinePage:
    root = next(p for p in tmp_path_factory.getbasetemp().iterdir() if (p / map_url).exists())
    return _open(offline_page, serve_directory, map_url, root)


def _map(page) -> str:
    return page.evaluate("document.querySelector('.folium-map').id")


def _view(page, lat: float, lon: float, zoom: float, expect: str | None = None) -> tuple[float, float]:
    """Centre the map on a position and return its page coordinates (waiting for ``expect`` to be there)."""
    mid = _map(page)
    # Let a popup's auto-pan and any zoom animation finish first: Leaflet ignores setView during a zoom
    # animation, and the cluster layer does not redraw for a view change that lands mid-animation.
    page.evaluate("(id) => { window[id].closePopup(); }", mid)
    wait_settled(page)
    # the arrow body returns nothing: returning the Leaflet map would make Playwright serialise all of it
    page.evaluate(
        "([id, lat, lon, z]) => { window[id].setView([lat, lon], z, {animate: false}); }",
        [mid, lat, lon, zoom],
    )
    x, y = page.evaluate(
        """([id, lat, lon]) => {
            const p = window[id].latLngToContainerPoint([lat, lon]);
            const r = document.getElementById(id).getBoundingClientRect();
            return [p.x + r.left, p.y + r.top];
        }""",
        [mid, lat, lon],
    )
    if expect:  # clusters split with an animation; wait until the marker itself is under the position
        try:
            page.wait_for_function(
                "([x, y, sel]) => { const e = document.elementFromPoint(x, y); return e && e.matches(sel); }",
                arg=[x, y, expect],
                timeout=5_000,
            )
        except Exception as error:  # say what is there instead
            found = page.evaluate("([x, y]) => (document.elementFromPoint(x, y) || {}).outerHTML", [x, y])
            raise AssertionError(
                f"{expect} ikke ved ({lat}, {lon}) zoom {zoom}; fandt {str(found)[:300]}"
            ) from error
    else:  # the clusters split or merge for the new view
        wait_settled(page)
    return x, y


def _plain(text: str) -> str:
    return " ".join(text.replace("\x00", "").replace("\ufffd", "").split())


def test_map_renders_offline_with_polygons_clusters_units_and_legend(opened: OfflinePage) -> None:
    page = opened.page
    wait_settled(page)
    assert page.locator("path.ck-area").count() >= 90
    assert page.locator("path.ck-nodata").count() == 3
    assert page.locator(".ck-cluster").count() > 5
    assert page.locator(".leaflet-marker-icon.ck-unit").count() == 4
    assert page.locator("path.ck-link").count() == 2
    legend = page.locator(".ck-legend").inner_text()
    assert "Signaturforklaring" in legend and "Ikke kortlagt" in legend and "omtrentlig placering" in legend
    shot = opened.screenshot("kort-danmark")
    assert shot.stat().st_size > 20_000
    assert opened.blocked == [], opened.blocked
    assert all(url.startswith(("http://127.0.0.1", "data:")) for url in opened.requests)
    assert opened.errors == [] and opened.dialogs == []


def test_hostile_names_show_as_text_and_run_nothing(opened: OfflinePage) -> None:
    page = opened.page
    for i, name in enumerate(HOSTILE):
        x, y = _view(page, 56.0 + 0.1 * i, 8.05, 16, expect="path.ck-point")
        page.mouse.move(x, y)
        # this point's tooltip (the previous point's may still be fading out beside it)
        poll(
            page,
            lambda name=name: any(
                _plain(name) in _plain(t) for t in page.locator(".leaflet-tooltip").all_inner_texts()
            ),
            f"værktøjstip med {name!r}",
            timeout=10,
        )
        page.mouse.click(x, y)
        popup = page.locator(
            ".leaflet-popup-content .ck-card-title"
        ).last  # an earlier one may still fade out
        popup.wait_for(timeout=3_000)
        assert _plain(popup.inner_text()) == _plain(name)
        if i == 0:  # the popup faded in, fully shown
            page.wait_for_function(
                "() => { const p = [...document.querySelectorAll('.leaflet-popup')].pop();"
                " return p && getComputedStyle(p).opacity === '1'; }"
            )
            opened.screenshot("kort-fjendtligt-navn-popup")
        page.mouse.move(5, 400)
    # the municipality with a hostile name: its tooltip shows the text too
    x, y = _view(page, 55.655, 12.60, 12, expect="path.ck-area")
    page.mouse.move(x, y)
    page.locator(".leaflet-tooltip").filter(has_text=HOSTILE[0]).first.wait_for(timeout=3_000)
    wait_settled(page)  # the tooltip faded in, the earlier one faded out
    opened.screenshot("kort-fjendtligt-kommunenavn")
    assert page.evaluate("window.ckPwned === undefined")
    assert page.locator("img[src='x']").count() == 0
    assert opened.dialogs == [] and opened.errors == [] and opened.blocked == []


def test_approximate_points_look_approximate(opened: OfflinePage) -> None:
    page = opened.page
    _view(page, 56.2, 10.2, 10)
    approx = page.locator("path.ck-approx")
    exact = page.locator("path.ck-exact")
    assert approx.count() > 0 and exact.count() > 0
    assert approx.first.get_attribute("stroke-dasharray")
    assert not exact.first.get_attribute("stroke-dasharray")
    assert float(approx.first.get_attribute("fill-opacity")) < float(
        exact.first.get_attribute("fill-opacity")
    )
    assert page.locator("path.ck-nodata").first.get_attribute("fill") == "url(#ck-hatch)"
    assert page.locator("#ck-hatch").count() == 1
    opened.screenshot("kort-aarhus-zoom")


def test_layer_control_has_danish_names_and_toggles_layers(opened: OfflinePage) -> None:
    page = opened.page
    page.hover(".leaflet-control-layers")
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [label.strip() for label in labels] == [
        map_legend.LAYER_AREAS,
        map_legend.LAYER_LINKS,
        map_legend.LAYER_POINTS,
        map_legend.LAYER_UNITS,
    ]
    page.get_by_text(map_legend.LAYER_AREAS, exact=True).click()
    assert page.locator("path.ck-area").count() == 0
    opened.screenshot("kort-uden-kommuner")
    page.get_by_text(map_legend.LAYER_AREAS, exact=True).click()
    assert page.locator("path.ck-area").count() >= 90
