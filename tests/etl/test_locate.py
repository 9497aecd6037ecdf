"""Placing records: precision, swapped and UTM coordinates, municipality by polygon or fallback."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from civilkort.schema import OFFERS, ORGANISATIONS
from etl import locate

AARHUS_C = (56.1572, 10.2107)  # lat, lon in Aarhus (751)


def orgs(*rows: dict) -> pd.DataFrame:
    base = {
        "organisation_id": None,
        "name": "X",
        "lat": np.nan,
        "lon": np.nan,
        "postcode": pd.NA,
        "municipality": pd.NA,
    }
    df = pd.DataFrame([{**base, "organisation_id": f"O{i}", **r} for i, r in enumerate(rows)])
    df["postcode"] = df["postcode"].astype("string")
    df["municipality"] = df["municipality"].astype("Int64")
    df["lat"], df["lon"] = df["lat"].astype(float), df["lon"].astype(float)
    return df.assign(_file="org.csv", _sheet="", _row=range(2, 2 + len(df)))


@pytest.mark.parametrize("with_boundaries", [True, False])
def test_coordinates_give_best_precision(tiny_boundaries, with_boundaries):
    out, issues = locate.place(
        orgs({"lat": AARHUS_C[0], "lon": AARHUS_C[1], "postcode": "8000"}),
        ORGANISATIONS,
        tiny_boundaries if with_boundaries else None,
    )
    row = out.iloc[0]
    assert row["location_precision"] == "coordinates"
    assert (
        row["municipality_code"] == 751
        and row["council_id"] == "aarhus"
        and row["region_id"] == "midtjylland"
    )
    assert row["municipality_method"] == ("polygon" if with_boundaries else "postcode")
    assert issues == []


def test_swapped_coordinates_are_turned_and_reported(tiny_boundaries):
    out, issues = locate.place(orgs({"lat": AARHUS_C[1], "lon": AARHUS_C[0]}), ORGANISATIONS, tiny_boundaries)
    assert out.iloc[0][["lat", "lon"]].tolist() == pytest.approx(list(AARHUS_C))
    assert out.iloc[0]["municipality_code"] == 751
    (issue,) = issues
    assert (
        "byttet om" in issue.message
        and issue.row == 2
        and issue.file == "org.csv"
        and issue.column == "Breddegrad"
    )


@pytest.mark.parametrize("swap", [False, True])
def test_utm32_metres_are_converted(tiny_boundaries, swap):
    easting, northing = 575_000.0, 6_224_000.0  # central Aarhus in EPSG:25832
    lat, lon = (easting, northing) if swap else (northing, easting)
    out, issues = locate.place(orgs({"lat": lat, "lon": lon}), ORGANISATIONS, tiny_boundaries)
    assert out.iloc[0]["lat"] == pytest.approx(56.15, abs=0.02)
    assert out.iloc[0]["lon"] == pytest.approx(10.2, abs=0.03)
    assert any("UTM" in i.message for i in issues)


def test_outside_denmark_falls_back_to_postcode():
    out, issues = locate.place(orgs({"lat": 48.85, "lon": 2.35, "postcode": "8000"}), ORGANISATIONS, None)
    row = out.iloc[0]
    assert row["location_precision"] == "postcode" and row["municipality_code"] == 751
    assert any("uden for Danmark" in i.message for i in issues)


def test_postcode_then_municipality_precision():
    out, issues = locate.place(
        orgs({"postcode": "1050"}, {"municipality": 580}, {"postcode": "9999", "municipality": 751}),
        ORGANISATIONS,
        None,
    )
    assert out["location_precision"].tolist() == ["postcode", "municipality", "municipality"]
    assert out["municipality_code"].tolist() == [101, 580, 751]
    assert issues == []


def test_stated_municipality_wins_over_postcode_for_approximate_places():
    # 8000 is Aarhus; a stated Favrskov (710) is trusted since postcodes cross municipal borders
    out, _ = locate.place(orgs({"postcode": "8000", "municipality": 710}), ORGANISATIONS, None)
    assert out.iloc[0]["municipality_code"] == 710 and out.iloc[0]["location_precision"] == "postcode"


def test_stated_municipality_disagreeing_with_polygon_is_a_warning(tiny_boundaries):
    out, issues = locate.place(
        orgs({"lat": AARHUS_C[0], "lon": AARHUS_C[1], "municipality": 101}), ORGANISATIONS, tiny_boundaries
    )
    assert out.iloc[0]["municipality_code"] == 751
    (issue,) = issues
    assert not issue.is_error and "København" in issue.message and "Aarhus" in issue.message
    assert issue.column == "Kommune" and issue.row == 2


def test_nothing_to_place_by_is_an_error_naming_the_row():
    _, issues = locate.place(orgs({"name": "Ingen adresse"}), ORGANISATIONS, None)
    (issue,) = issues
    assert issue.is_error and "Ingen adresse" in issue.message and issue.row == 2


def test_half_coordinates_are_ignored_with_a_warning():
    out, issues = locate.place(orgs({"lat": 56.1, "postcode": "8000"}), ORGANISATIONS, None)
    assert out.iloc[0]["location_precision"] == "postcode"
    assert any("ene koordinat" in i.message for i in issues)


def test_offer_without_place_inherits_its_organisation(tiny_boundaries):
    placed, _ = locate.place(orgs({"lat": AARHUS_C[0], "lon": AARHUS_C[1]}), ORGANISATIONS, tiny_boundaries)
    offers = orgs({}, {"postcode": "1050"}).rename(columns={"organisation_id": "offer_id"})
    offers["organisation_id"] = "O0"
    out, issues = locate.place(
        offers,
        OFFERS,
        tiny_boundaries,
        parent=placed.set_index("organisation_id"),
        parent_key="organisation_id",
    )
    assert out["municipality_method"].tolist() == ["parent", "postcode"]
    assert out["municipality_code"].tolist() == [751, 101]
    assert out.iloc[0]["location_precision"] == "coordinates"
    assert issues == []


def test_point_in_the_sea_near_the_coast_snaps_to_nearest_municipality(real_boundaries_file):
    from etl import boundaries

    b = boundaries.load(real_boundaries_file)
    # just off Aarhus harbour, in the bay
    out, _ = locate.place(orgs({"lat": 56.150, "lon": 10.245}), ORGANISATIONS, b)
    assert out.iloc[0]["municipality_code"] == 751


def _partial(tiny_boundaries, lacking: set[int]):
    from etl.boundaries import Boundaries

    m = tiny_boundaries.municipalities
    return Boundaries(m[~m["municipality_code"].isin(lacking)].reset_index(drop=True), "delvis.geojson")


def _near_border(tiny_boundaries, inside: int, neighbour: int, metres: float) -> tuple[float, float]:
    """A point in ``inside``'s cell, ``metres`` from ``neighbour``'s cell (lat, lon)."""
    import shapely

    m = tiny_boundaries.municipalities.set_index("municipality_code").to_crs(25832).geometry
    own, other = m[inside], m[neighbour]
    border = shapely.intersection(own.boundary, other.boundary)
    edge = shapely.get_parts(border)[0]
    mid = edge.interpolate(0.5, normalized=True)
    toward = own.representative_point()
    step = metres / mid.distance(toward)
    x, y = mid.x + (toward.x - mid.x) * step, mid.y + (toward.y - mid.y) * step
    import geopandas as gpd

    p = gpd.GeoSeries(gpd.points_from_xy([x], [y]), crs=25832).to_crs(4326).iloc[0]
    assert own.contains(shapely.Point(x, y)) and other.distance(shapely.Point(x, y)) < locate.SNAP_DISTANCE_M
    return p.y, p.x


def test_partial_boundaries_never_move_a_point_into_another_municipality(tiny_boundaries):
    # The file lacks Aarhus (council Aarhus); its neighbour Favrskov (council Kronjylland) is in it.
    partial = _partial(tiny_boundaries, {751, 741, 101})
    lat, lon = _near_border(tiny_boundaries, 751, 710, 800)
    out, issues = locate.place(
        orgs(
            {"lat": lat, "lon": lon, "municipality": 751},  # stated
            {"lat": lat, "lon": lon, "postcode": "8000"},  # postcode only
            {"lat": AARHUS_C[0], "lon": AARHUS_C[1]},  # neither: the nearest municipality point
            {"lat": 56.33, "lon": 9.95, "municipality": 710},  # in Favrskov, which the file has
        ),
        ORGANISATIONS,
        partial,
    )
    assert out["municipality_code"].tolist() == [751, 751, 751, 710]
    assert out["municipality_method"].tolist() == ["stated", "postcode", "nearest_point", "polygon"]
    assert out["council_id"].tolist()[:3] == ["aarhus"] * 3
    assert (out["location_precision"] == "coordinates").all()
    assert out.loc[0, "lat"] == pytest.approx(lat)  # the point stays where it is
    (issue,) = issues
    assert issue.message.startswith("Organisationer: 3 steder ligger i kommuner, som grænsefilen ikke har")
    assert issue.value == "Aarhus (3)" and issue.file == "delvis.geojson"


def test_partial_boundaries_still_snap_a_point_stated_in_a_municipality_the_file_has(tiny_boundaries):
    partial = _partial(tiny_boundaries, {751})
    lat, lon = _near_border(tiny_boundaries, 751, 710, 800)
    out, issues = locate.place(orgs({"lat": lat, "lon": lon, "municipality": 710}), ORGANISATIONS, partial)
    assert out.iloc[0]["municipality_code"] == 710 and out.iloc[0]["municipality_method"] == "polygon"
    assert issues == []


def test_partial_boundaries_drop_a_point_at_sea_even_in_a_missing_municipality(tiny_boundaries):
    # Outside every shape of a file without Bornholm, stated in Bornholm, but 20+ km from any postcode.
    out, issues = locate.place(
        orgs({"lat": 54.59, "lon": 13.68, "municipality": 400}),
        ORGANISATIONS,
        _partial(tiny_boundaries, {400}),
    )
    assert out.iloc[0]["location_precision"] == "municipality" and out.iloc[0]["municipality_code"] == 400
    (issue,) = issues
    assert "ligger ikke i nogen dansk kommune" in issue.message and issue.row == 2
