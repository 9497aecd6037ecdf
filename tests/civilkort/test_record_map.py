"""civilkort.record_map: a record's small map, its point marked exact or approximate, its municipality shown."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

from civilkort import record_map
from tests.civilkort.test_maps import rendered_spec


def _shape() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"municipality_code": [751]}, geometry=[box(10.0, 56.0, 10.4, 56.3)], crs=4326)


def test_an_exact_point_is_shown_close_up_and_an_approximate_one_with_its_municipality():
    exact = record_map.bounds_for(56.15, 10.2, "coordinates", _shape())
    assert exact[1][0] - exact[0][0] < 0.05
    assert record_map.bounds_for(56.15, 10.2, "municipality", _shape()) == [[56.0, 10.0], [56.3, 10.4]]
    assert record_map.bounds_for(56.15, 10.2, "postcode", None)[0][0] < 56.15 - 0.05


def test_the_map_draws_the_point_with_its_precision_and_names_itself():
    m = record_map.record_map(
        point_id="org:ORG-1", kind="organisation", name="<b>Café</b>", lat=56.15, lon=10.2,
        precision="postcode", municipality=_shape(),
    )  # fmt: skip
    html = m.get_root().render()
    assert (
        rendered_spec(html, "base")["title"] == "Kort over placeringen af <b>Café</b>"
    )  # JSON, escaped by ckLib
    assert '"points"' in html and "<b>Café</b>" not in html.replace("\\u003cb\\u003e", "")


def test_has_place():
    assert record_map.has_place(56.1, 10.2)
    assert not record_map.has_place(None, 10.2) and not record_map.has_place(float("nan"), 1.0)
