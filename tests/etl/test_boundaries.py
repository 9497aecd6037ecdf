"""Boundaries from files and URLs in the formats people have: DAGI, DAWA, GISCO; any CRS."""

from __future__ import annotations

import http.server
import json
import threading
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
