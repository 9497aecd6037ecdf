"""Fixtures shared across the suite: geographies, a throw-away data folder, a small built database."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from civilkort import reference
from etl.boundaries import Boundaries

PROJECT_ROOT = Path(__file__).resolve().parents[1]
_MAIN_MODULE = sys.modules["__main__"]


@pytest.fixture(autouse=True)
def _main_module_restored():
    """Put pytest's own ``__main__`` back after each test: an AppTest run leaves the app's script there
    (Streamlit's script runner replaces ``sys.modules["__main__"]``), and a process started with "spawn"
    re-runs the parent's main file, so later tests' spawned workers would run ``app.py`` and die."""
    yield
    sys.modules["__main__"] = _MAIN_MODULE


TODAY = dt.date(2026, 11, 1)


def real_boundaries_path() -> Path | None:
    """The DAGI municipality file from ../shared/geo (or $CIVILKORT_TEST_BOUNDARIES), if present."""
    env = os.environ.get("CIVILKORT_TEST_BOUNDARIES")
    for candidate in (env, PROJECT_ROOT.parent / "shared" / "geo" / "kommuner.geojson"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def real_boundaries_file() -> Path:
    """Path to real boundaries; skips the test where they are not available."""
    path = real_boundaries_path()
    if path is None:
        pytest.skip("Ingen rigtige kommunegrænser (../shared/geo/kommuner.geojson) på denne maskine")
    return path


def synthetic_municipalities() -> gpd.GeoDataFrame:
    """A tiny synthetic geography: Voronoi cells of the 98 representative points, clipped to Denmark's box."""
    m = reference.municipalities()
    points = shapely.points(m["lon"].to_numpy(), m["lat"].to_numpy())
    box = shapely.box(7.8, 54.5, 15.3, 57.9)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=box))
    cells = [shapely.intersection(c, box) for c in cells]
    codes = []
    for cell in cells:
        inside = [i for i, p in enumerate(points) if cell.contains(p)]
        codes.append(int(m["municipality_code"].iloc[inside[0]]))
    return gpd.GeoDataFrame({"municipality_code": codes}, geometry=cells, crs=4326).sort_values(
        "municipality_code"
    )


@pytest.fixture(scope="session")
def tiny_boundaries() -> Boundaries:
    """Synthetic boundaries covering all 98 municipality codes (always available)."""
    return Boundaries(synthetic_municipalities().reset_index(drop=True), "syntetisk-test")


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    """A fresh data folder for builds; the settings point at it."""
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(path))
    return path


@pytest.fixture(scope="session")
def example_tables():
    """The small example data set (typed tables), generated once."""
    from etl import demo

    return demo.generate("small", seed=2027, today=TODAY)


def clean_input(tables):
    """CleanInput for typed tables with the built-in vocabularies."""
    from etl.clean import CleanInput, builtin_vocabularies

    return CleanInput(
        tables={k: v.copy() for k, v in tables.items()}, vocabularies=builtin_vocabularies(), issues=[]
    )


@pytest.fixture(scope="session")
def small_db_dir(tmp_path_factory, example_tables, tiny_boundaries) -> Path:
    """A data folder with the small example database built once for the session (read-only use)."""
    from civilkort.settings import Settings
    from etl.build import build

    path = tmp_path_factory.mktemp("small-db")
    cfg = Settings(data_dir=path, static_dir=PROJECT_ROOT / "static")
    build(clean_input(example_tables), boundaries=tiny_boundaries, meta={"is_example": "true"}, cfg=cfg)
    return path


@pytest.fixture
def small_db(small_db_dir, monkeypatch):
    """The small example database, opened read-only, with the settings pointing at it."""
    from civilkort.db import open_current

    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(small_db_dir))
    db = open_current()
    yield db
    db.close()


def typed_rows(example: pd.DataFrame, rows: list[dict], sheet: str) -> pd.DataFrame:
    """Hand-written typed rows shaped like ``example`` (an example table): missing columns empty, lists as lists."""

    out = {}
    for col in example.columns:
        values = [r.get(col) for r in rows]
        if col == "_file":
            values = ["hand-made"] * len(rows)
        elif col == "_sheet":
            values = [sheet] * len(rows)
        elif col == "_row":
            values = list(range(2, len(rows) + 2))
        if example[col].dtype == object and len(example) and isinstance(example[col].iloc[0], list):
            out[col] = pd.Series([v if v is not None else [] for v in values], dtype=object)
        else:
            out[col] = pd.Series(values, dtype=example[col].dtype)
    return pd.DataFrame(out)


# --- the store on both backends --------------------------------------------------------------------

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def _sqlite_store_template(tmp_path_factory) -> Path:
    from tests.stores import sqlite_template

    return sqlite_template(tmp_path_factory.mktemp("store-template"))


@pytest.fixture(scope="session")
def _postgres_store_template():
    from tests.stores import postgres_template

    with postgres_template() as name:
        yield name


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    """The URL of a fresh, migrated store: a SQLite file, or a PostgreSQL database dropped afterwards."""
    from tests.stores import fresh_database, sqlite_copy

    if request.param == "sqlite":
        yield sqlite_copy(request.getfixturevalue("_sqlite_store_template"), tmp_path / "store")
        return
    with fresh_database(template=request.getfixturevalue("_postgres_store_template")) as url:
        yield url


@pytest.fixture
def store(store_url):
    """A fresh store on each backend (the test runs once per backend)."""
    from civilkort.store import Store

    opened = Store(store_url)
    yield opened
    opened.close()
