"""Bornholm's inset: which areas get one, what the main view fits instead, and that the maps draw it (#12)."""

from __future__ import annotations

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import shapely

from civilkort import inset, maps, page_map, queries, report
from civilkort.filters import Selection
from tests.civilkort.test_maps import rendered_spec

BORNHOLM = (14.68, 54.98, 15.16, 55.30)
KOEBENHAVN = (12.45, 55.61, 12.73, 55.73)
FREDERIKSBERG = (12.49, 55.66, 12.56, 55.70)
BORNHOLM_CENTRE = (14.92284, 55.14306)


def test_an_area_with_bornholm_and_more_fits_the_rest_and_puts_bornholm_in_an_inset() -> None:
    found = inset.from_extents({101: KOEBENHAVN, 147: FREDERIKSBERG, 400: BORNHOLM})
    assert found is not None
    assert found.name == "Bornholm" and found.codes == (400,)
    assert found.bounds == [[54.98, 14.68], [55.30, 15.16]]
    assert found.fit == [[55.61, 12.45], [55.73, 12.73]]  # København and Frederiksberg, not Bornholm
    assert found.spec() == {"name": "Bornholm", "codes": [400], "bounds": found.bounds}


@pytest.mark.parametrize(
    "extents",
    [
        {400: BORNHOLM},  # Bornholm alone: the map fits it
        {101: KOEBENHAVN, 147: FREDERIKSBERG},  # no Bornholm
        {400: BORNHOLM, 999: (14.0, 55.0, 14.5, 55.2)},  # a neighbour closer than MIN_GAP_DEG
        {},
    ],
)
def test_no_inset_without_bornholm_far_from_the_rest(extents) -> None:
    assert inset.from_extents(extents) is None


def test_the_municipalities_centres_decide_how_far_when_given() -> None:
    touching = {101: (12.0, 55.0, 14.0, 56.0), 400: (14.0, 54.9, 15.3, 55.4)}  # e.g. Voronoi cells
    assert inset.from_extents(touching) is None
    found = inset.from_extents(touching, {101: (12.57, 55.67), 400: (14.92, 55.14)})
    assert found is not None and found.fit == [[55.0, 12.0], [56.0, 14.0]]
    assert inset.from_extents(touching, {101: (14.5, 55.2), 400: (14.92, 55.14)}) is None


def test_extents_come_from_shapes_or_without_boundaries_from_points() -> None:
    shapes = gpd.GeoDataFrame(
        {"municipality_code": [101, 400, 400]},
        geometry=[
            shapely.box(*KOEBENHAVN),
            shapely.box(14.68, 54.98, 15.0, 55.1),
            shapely.box(14.9, 55.1, 15.16, 55.3),
        ],
        crs="EPSG:4326",
    )
    from_shapes = inset.for_area(shapes, pd.DataFrame())
    assert from_shapes is not None and from_shapes.bounds == [[54.98, 14.68], [55.3, 15.16]]  # both parts
    np.testing.assert_allclose(
        inset.for_area(shapes.to_crs("EPSG:25832"), pd.DataFrame()).fit, from_shapes.fit
    )
    points = pd.DataFrame({"municipality_code": [101, 400], "lat": [55.67, 55.14], "lon": [12.57, 14.92]})
    from_points = inset.for_area(None, points)
    assert from_points is not None
    np.testing.assert_allclose(from_points.fit, [[55.57, 12.47], [55.77, 12.67]])
    assert inset.main_bounds({"inset": from_points, "bounds": "whole"}) == from_points.fit
    assert inset.main_bounds({"inset": None, "bounds": "whole"}) == "whole"


@pytest.mark.parametrize("area", ["dk", "region:oestdanmark", "council:hovedstaden"])
def test_the_areas_holding_bornholm_get_an_inset_with_and_without_the_index(small_db, area) -> None:
    from civilkort.index import DataIndex

    for index in (DataIndex(small_db), None):
        data = queries.map_layers(small_db, Selection(area=area), "offers", index, points=False)
        found = data["inset"]
        assert found is not None and found.codes == (400,), (area, index)
        (south, west), (north, east) = found.fit
        assert (
            east < BORNHOLM_CENTRE[0] < found.bounds[1][1]
        )  # the main view ends before Bornholm; the inset has it
        assert data["bounds"][1][1] > 15.0  # the whole area still holds it (the workshop's pin map fits that)


def test_a_council_without_bornholm_gets_no_inset(small_db) -> None:
    data = queries.map_layers(small_db, Selection(area="council:aarhus"), "offers", None, points=False)
    assert data["inset"] is None


def test_the_page_map_fits_the_rest_and_hands_the_inset_to_the_runtime(small_db) -> None:
    data = queries.map_layers(small_db, Selection(area="council:hovedstaden"), "offers", None)
    view = page_map.page_map(data, layers=("areas", "points"), measure_label="Antal tilbud")
    spec = rendered_spec(view.base.get_root().render(), "base")
    assert spec["bounds"] == data["inset"].fit
    assert spec["inset"] == {"name": "Bornholm", "codes": [400], "bounds": data["inset"].bounds}
    plain = page_map.page_map({**data, "inset": None}, layers=("areas",), measure_label="Antal tilbud")
    spec = rendered_spec(plain.base.get_root().render(), "base")
    assert "inset" not in spec and spec["bounds"] == data["bounds"]
    assert "ck.inset = inset;" in maps.runtime_file().decode()  # the runtime carries the inset's code


def test_the_reports_map_has_a_bornholm_inset_only_where_the_area_needs_one(small_db) -> None:
    data = queries.map_layers(small_db, Selection(area="council:hovedstaden", statuses=()), "offers", None)
    fig = report.map_figure(data, "Sundhedsråd Hovedstaden")
    main = fig.axes[0]
    assert main.get_xlim()[1] < BORNHOLM_CENTRE[0]  # the main map fits the rest
    insets = [a for a in main.child_axes if a.get_title(loc="left") == "Bornholm"]
    assert len(insets) == 1
    west, east = insets[0].get_xlim()
    assert west < 14.92 < east  # the inset shows Bornholm
    plt.close(fig)
    aarhus = queries.map_layers(small_db, Selection(area="council:aarhus", statuses=()), "offers", None)
    fig = report.map_figure(aarhus, "Sundhedsråd Aarhus")
    assert fig.axes[0].child_axes == []
    plt.close(fig)
    assert report.map_png(data, "Sundhedsråd Hovedstaden").startswith(b"\x89PNG")
