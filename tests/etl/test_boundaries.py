"""Boundaries from files and URLs in the formats people have: DAGI, DAWA, GISCO; any CRS."""

from __future__ import annotations

import http.server
import json
import threading
import zipfile
from functools import partial

import geopandas as gpd
import pytest
import shapely

from etl import boundaries
from etl.boundaries import BoundaryError


def _square(lon: float, lat: float, d: float = 0.05):
    return shapely.box(lon - d, lat - d, lon + d, lat + d)


def _write_geojson(path, rows, crs=4326):
    gdf = gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k != "geometry"} for r in rows],
        geometry=[r["geometry"] for r in rows],
        crs=crs,
    )
    gdf.to_file(path, driver="GeoJSON")
    return path


def test_real_dagi_file_gives_98_municipalities_and_17_councils(real_boundaries_file):
    b = boundaries.load(real_boundaries_file)
    assert len(b.municipalities) == 98
    assert b.municipalities.crs.to_epsg() == 4326
    assert len(b.councils()) == 17
    assert b.issues == []


def test_multipart_dagi_layer_is_dissolved(real_boundaries_file):
    original = real_boundaries_file.parent / "original" / "dagi_kommuner_Neogeografen_2014.geojson"
    if not original.exists():
        pytest.skip("original DAGI file not present")
    b = boundaries.load(original)
    assert len(b.municipalities) == 98  # 311 parts, Christiansø (411) left out silently
    assert b.municipalities["municipality_code"].is_unique


def test_zero_padded_codes_and_missing_municipalities(tmp_path):
    path = _write_geojson(
        tmp_path / "dawa.geojson",
        [
            {"kode": "0101", "navn": "København", "geometry": _square(12.57, 55.68)},
            {"kode": "0751", "navn": "Aarhus", "geometry": _square(10.2, 56.15)},
        ],
    )
    b = boundaries.load(path)
    assert sorted(b.municipalities["municipality_code"]) == [101, 751]
    assert any("mangler 96 kommuner" in i.message for i in b.issues)


def test_gisco_lau_is_filtered_to_denmark(tmp_path):
    path = _write_geojson(
        tmp_path / "LAU_RG_01M_2024_4326.geojson",
        [
            {"CNTR_CODE": "DK", "LAU_ID": "101", "LAU_NAME": "København", "geometry": _square(12.57, 55.68)},
            {"CNTR_CODE": "SE", "LAU_ID": "1280", "LAU_NAME": "Malmö", "geometry": _square(13.0, 55.6)},
        ],
    )
    b = boundaries.load(path)
    assert list(b.municipalities["municipality_code"]) == [101]


def test_utm32_geopackage_is_reprojected(tmp_path):
    gdf = gpd.GeoDataFrame({"kommunekode": ["751"]}, geometry=[_square(10.2, 56.15)], crs=4326).to_crs(25832)
    gdf.to_file(tmp_path / "k.gpkg", driver="GPKG")
    b = boundaries.load(tmp_path / "k.gpkg")
    minx, miny, maxx, maxy = b.municipalities.total_bounds
    assert 10.0 < minx < maxx < 10.4 and 56.0 < miny < maxy < 56.3


def test_file_without_code_column_is_a_clear_error(tmp_path):
    path = _write_geojson(tmp_path / "x.geojson", [{"foo": "1", "geometry": _square(10, 56)}])
    with pytest.raises(BoundaryError, match="ingen kolonne med kommunekode"):
        boundaries.load(path)


@pytest.mark.parametrize("content", [b"not a geo file at all", b"\x00\x01\x02", b"{}"])
def test_unreadable_file_is_a_clear_error(tmp_path, content):
    path = tmp_path / "kommuner.geojson"
    path.write_bytes(content)
    with pytest.raises(BoundaryError):
        boundaries.load(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(BoundaryError, match="findes ikke"):
        boundaries.load(tmp_path / "nope.geojson")


@pytest.fixture
def local_server(tmp_path):
    """A throw-away HTTP server on localhost serving tmp_path."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_download_from_url_and_reuse_cache(tmp_path, local_server):
    _write_geojson(tmp_path / "k.geojson", [{"kommunekode": "751", "geometry": _square(10.2, 56.15)}])
    cache = tmp_path / "cache"
    b = boundaries.load(f"{local_server}/k.geojson", cache_dir=cache)
    assert list(b.municipalities["municipality_code"]) == [751]
    (tmp_path / "k.geojson").unlink()  # a second load must come from the cache
    b2 = boundaries.load(f"{local_server}/k.geojson", cache_dir=cache)
    assert len(b2.municipalities) == 1
    assert not list(cache.glob("*.part"))


def test_download_404_is_a_clear_error(tmp_path, local_server):
    with pytest.raises(BoundaryError, match="404"):
        boundaries.load(f"{local_server}/missing.geojson", cache_dir=tmp_path / "cache")


def test_unreachable_url_is_a_clear_error(tmp_path):
    with pytest.raises(BoundaryError, match="Kunne ikke hente"):
        boundaries.download("http://127.0.0.1:9/k.geojson", tmp_path, timeout=2)


def test_simplify_for_display_keeps_every_shape_and_shrinks(real_boundaries_file):
    b = boundaries.load(real_boundaries_file)
    simple = boundaries.simplify_for_display(b.municipalities)
    assert len(simple) == 98 and simple.is_valid.all() and not simple.is_empty.any()
    assert len(simple.to_json()) < 0.6 * len(b.municipalities.to_json())
    assert json.loads(simple.to_json())["features"]


def test_credit_follows_the_source(tmp_path, real_boundaries_file):
    assert boundaries.load(real_boundaries_file).credit.startswith("Indeholder data fra Klimadatastyrelsen")
    path = _write_geojson(
        tmp_path / "lau.geojson", [{"CNTR_CODE": "DK", "LAU_ID": "101", "geometry": _square(12.57, 55.68)}]
    )
    assert "EuroGeographics" in boundaries.load(path).credit
    path = _write_geojson(
        tmp_path / "egen.geojson", [{"municipality_code": "101", "geometry": _square(12.57, 55.68)}]
    )
    assert boundaries.load(path).credit == "Kilde: egen.geojson"


# --- Files as Danish publishers make them -------------------------------------------------------

TOPOJSON = {
    "type": "Topology",
    "transform": {"scale": [0.001, 0.001], "translate": [10.0, 56.0]},
    "objects": {
        "kommuner": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "properties": {"KOMKODE": "0751", "KOMNAVN": "Aarhus"}},
                {
                    "type": "Polygon",
                    "arcs": [[-1, 2]],
                    "properties": {"KOMKODE": "0710", "KOMNAVN": "Favrskov"},
                },
            ],
        }
    },
    # Delta-encoded, quantised arcs: the shared edge x = 10.1, then each square's other three sides.
    "arcs": [
        [[100, 0], [0, 100]],
        [[100, 100], [-100, 0], [0, -100], [100, 0]],
        [[100, 0], [100, 0], [0, 100], [-100, 0]],
    ],
}


def test_topojson_is_read_with_its_coordinates(tmp_path):
    path = tmp_path / "kommuner.topojson"
    path.write_text(json.dumps(TOPOJSON), encoding="utf-8")
    b = boundaries.load(path)
    m = b.municipalities.set_index("municipality_code")
    assert sorted(m.index) == [710, 751]
    assert m.geometry[751].bounds == pytest.approx((10.0, 56.0, 10.1, 56.1))
    assert m.geometry[710].bounds == pytest.approx((10.1, 56.0, 10.2, 56.1))
    assert b.kind == "dagi"
    simple = boundaries.simplify_for_display(b.municipalities)  # the step build crashed in
    assert simple.geom_type.isin(["Polygon", "MultiPolygon"]).all()


def test_topojson_in_utm32_metres_is_placed_in_denmark(tmp_path):
    # TopoJSON has no CRS member GDAL reads; Danish files are often in UTM zone 32 (EPSG:25832).
    topo = {**TOPOJSON, "transform": {"scale": [100.0, 100.0], "translate": [570000.0, 6220000.0]}}
    path = tmp_path / "kommuner_utm.json"
    path.write_text(json.dumps(topo), encoding="utf-8")
    b = boundaries.load(path)
    minx, miny, maxx, maxy = b.municipalities.total_bounds
    assert 10.1 < minx < maxx < 10.5 and 56.0 < miny < maxy < 56.3
    assert any("UTM zone 32" in i.message for i in b.issues)


def test_a_shape_that_repairs_into_lines_and_areas_keeps_only_the_areas(tmp_path):
    # A ring that doubles back on itself: make_valid gives a polygon and a dangling line.
    spike = shapely.Polygon(
        [(10.0, 56.0), (10.1, 56.0), (10.1, 56.1), (10.1, 56.2), (10.1, 56.1), (10.0, 56.1)]
    )
    assert not spike.is_valid
    path = _write_geojson(tmp_path / "k.geojson", [{"kommunekode": "751", "geometry": spike}])
    b = boundaries.load(path)
    (geom,) = b.municipalities.geometry
    assert geom.geom_type == "Polygon" and geom.is_valid
    repaired = next(i for i in b.issues if "repareret" in i.message)
    assert "make_valid" in repaired.message and repaired.value == "Aarhus" and repaired.file == "k.geojson"
    assert boundaries.simplify_for_display(b.municipalities).geom_type.tolist() == ["Polygon"]


@pytest.mark.parametrize(
    "props",
    [
        {"lau_1": "751", "label_dk": "Aarhus"},  # Neogeografen/magnuslarsen forks of DAGI
        {"nr": "751", "navn": "Aarhus"},
        {"KOMKODE": "0751", "KOMNAVN": "Aarhus"},  # DAGI shapefiles
        {"kommunekode": "0751"},
        {"komkode": 751},
        {"LAU_ID": "751", "LAU_NAME": "Aarhus"},
        {"id": "751", "name": "Aarhus"},
    ],
    ids=lambda p: "+".join(p),
)
def test_code_columns_danish_publishers_use(tmp_path, props):
    path = _write_geojson(tmp_path / "k.geojson", [{**props, "geometry": _square(10.2, 56.15)}])
    b = boundaries.load(path)
    assert list(b.municipalities["municipality_code"]) == [751]
    assert not any("navnene" in i.message for i in b.issues)


@pytest.mark.parametrize(
    "props",
    [
        {"label_dk": "Aarhus Kommune"},
        {"KOMNAVN": "Århus"},
        {"navn": "Aarhus", "nr": "1"},  # a running number is not a municipality code
        {"name": "Aarhus", "id": "f2c1e0a4-0000-4000-8000-000000000000"},
    ],
    ids=lambda p: "+".join(p),
)
def test_names_are_used_where_there_is_no_code(tmp_path, props):
    path = _write_geojson(tmp_path / "k.geojson", [{**props, "geometry": _square(10.2, 56.15)}])
    b = boundaries.load(path)
    assert list(b.municipalities["municipality_code"]) == [751]
    (by_name,) = [i for i in b.issues if "navnene" in i.message]
    name_column = next(k for k in props if k.lower() not in ("nr", "id"))
    assert by_name.column == name_column and by_name.file == "k.geojson"


def test_no_code_or_name_column_names_what_was_expected(tmp_path):
    path = _write_geojson(tmp_path / "x.geojson", [{"navn": "Skanderborg Sø", "geometry": _square(10, 56)}])
    with pytest.raises(BoundaryError) as exc:
        boundaries.load(path)
    text = str(exc.value)
    assert text.startswith("x.geojson: fandt ingen kolonne med kommunekode eller kommunenavn")
    assert "KOMKODE".lower() in text and "label_dk" in text and "filen har navn" in text


def _shapefile(folder, rows, *, encoding="cp1252", crs=4326):
    folder.mkdir(parents=True, exist_ok=True)
    gdf = gpd.GeoDataFrame(
        [{k: v for k, v in r.items() if k != "geometry"} for r in rows],
        geometry=[r["geometry"] for r in rows],
        crs=crs,
    )
    gdf.to_file(folder / "KOMMUNE.shp", encoding=encoding)
    return folder


def _zip(path, folder, prefix=""):
    with zipfile.ZipFile(path, "w") as archive:
        for f in sorted(folder.iterdir()):
            archive.write(f, f"{prefix}{f.name}")
    return path


def test_zipped_shapefile_in_a_subfolder_cp1252_utm(tmp_path):
    rows = [
        {"KOMKODE": "0751", "KOMNAVN": "Aarhus", "geometry": _square(10.2, 56.15)},
        {"KOMKODE": "0741", "KOMNAVN": "Samsø", "geometry": _square(10.6, 55.85)},
    ]
    folder = _shapefile(tmp_path / "shp", rows, crs=4326)
    gpd.read_file(folder / "KOMMUNE.shp").to_crs(25832).to_file(folder / "KOMMUNE.shp", encoding="cp1252")
    path = _zip(tmp_path / "DAGI_kommuner.zip", folder, prefix="DAGIREF_SHAPE_UTM32-EUREF89/ADM/")
    b = boundaries.load(path)
    assert sorted(b.municipalities["municipality_code"]) == [741, 751]
    assert b.source == "DAGI_kommuner.zip (KOMMUNE.shp)"
    assert b.municipalities.crs.to_epsg() == 4326
    minx, miny, *_ = b.municipalities.total_bounds
    assert 10.1 < minx < 10.2 and 55.7 < miny < 55.85


def test_shapefile_names_without_codepage_are_read_back_right(tmp_path):
    # UTF-8 names without a .cpg: GDAL reads them as Latin-1 ('KÃ¸benhavn').
    folder = _shapefile(
        tmp_path / "shp", [{"KOMNAVN": "København", "geometry": _square(12.57, 55.68)}], encoding="utf-8"
    )
    (folder / "KOMMUNE.cpg").unlink()
    b = boundaries.load(_zip(tmp_path / "k.zip", folder))
    assert list(b.municipalities["municipality_code"]) == [101]


def test_zipped_geopackage_with_several_layers_takes_the_municipalities(tmp_path):
    gpkg = tmp_path / "gpkg" / "DAGI.gpkg"
    gpkg.parent.mkdir()
    region = gpd.GeoDataFrame({"regionskode": ["1082"]}, geometry=[_square(10, 56, 0.5)], crs=4326)
    region.to_file(gpkg, layer="regionsinddeling", driver="GPKG")
    kommuner = gpd.GeoDataFrame({"kommunekode": ["0751"]}, geometry=[_square(10.2, 56.15)], crs=4326)
    kommuner.to_crs(25832).to_file(gpkg, layer="kommuneinddeling", driver="GPKG")
    b = boundaries.load(_zip(tmp_path / "dagi.zip", gpkg.parent))
    assert list(b.municipalities["municipality_code"]) == [751]
    assert "kommuneinddeling" in b.source


def test_zip_without_geodata_says_what_it_holds(tmp_path):
    path = tmp_path / "k.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("LÆSMIG.txt", "hej")
    with pytest.raises(BoundaryError, match=r"k\.zip indeholder ingen geodata.*LÆSMIG\.txt"):
        boundaries.load(path)


def test_utm_coordinates_without_crs_are_read_as_utm32_with_a_warning(tmp_path):
    utm = gpd.GeoSeries([_square(10.2, 56.15)], crs=4326).to_crs(25832).iloc[0]
    topo = tmp_path / "utm.geojson"
    topo.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"kode": "0751"},
                        "geometry": shapely.geometry.mapping(utm),
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    b = boundaries.load(topo)
    minx, miny, maxx, maxy = b.municipalities.total_bounds
    assert 10.1 < minx < maxx < 10.3 and 56.0 < miny < maxy < 56.3
    assert any("UTM zone 32" in i.message and i.file == "utm.geojson" for i in b.issues)


def test_shapes_outside_denmark_are_an_error_naming_where_they_are(tmp_path):
    path = _write_geojson(tmp_path / "k.geojson", [{"kode": "751", "geometry": _square(-70, 40)}])
    with pytest.raises(
        BoundaryError, match=r"k\.geojson: ingen af fladerne ligger i Danmark.*længdegrad -70"
    ):
        boundaries.load(path)


def test_points_instead_of_areas_are_an_error(tmp_path):
    path = _write_geojson(tmp_path / "k.geojson", [{"kode": "751", "geometry": shapely.Point(10.2, 56.15)}])
    with pytest.raises(BoundaryError, match="ingen flader .*Point"):
        boundaries.load(path)


def test_partial_file_names_the_missing_municipalities_and_reports_them(tmp_path, real_boundaries_file):
    full = gpd.read_file(real_boundaries_file)
    keep = full[full["kommunekode"].astype(int) != 751]
    path = tmp_path / "delvis.geojson"
    keep.to_file(path, driver="GeoJSON")
    b = boundaries.load(path)
    assert b.missing_codes == {751}
    (issue,) = [i for i in b.issues if "mangler" in i.message]
    assert issue.message.startswith("Grænsefilen mangler 1 kommuner") and issue.value == "Aarhus"
