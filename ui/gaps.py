"""Cached access to the gap views (``civilkort.gaps``) for the Huller and Sammenlign pages.

Results are cached per (database, selection, view, arguments, today); the selection is first
stripped of what these views do not use (map measure and layers, the open point or municipality),
and the comparison ignores the area, so those choices never recompute a view.  Every view is one SQL
file (``civilkort/sql/gaps/``) on the build's reader tables; 'Vis SQL' shows exactly what ran.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from civilkort import charts, gaps
from civilkort.db import Database
from civilkort.filters import Selection
from ui import data
from ui.tables import download_buttons, grid
from ui.text import md

VIEWS: dict[str, tuple[str, str, str]] = {
    "kommune_tema": ("Kommune × tema", "municipality", "theme"),
    "kommune_maalgruppe": ("Kommune × målgruppe", "municipality", "target_group"),
    "tema_maalgruppe": ("Tema × målgruppe", "theme", "target_group"),
    "kortlaegning": ("Kortlægning", "", ""),
    "henvisninger": ("Sociale henvisninger", "municipality", "target_group"),
    "behov": ("Behov og tilbud", "municipality", "target_group"),
}
"""The Huller page's views: label, row axis, column axis."""

COMPARE_MEASURES: dict[str, str] = {
    "offers": "Tilbud",
    "offers_per_10k": "Tilbud pr. 10.000 indbyggere",
    "organisations": "Organisationer",
    "collaborations": "Samarbejder",
    "referral_pct": "Andel tilbud med sociale henvisninger (%)",
    "empty_theme_cells_pct": "Tomme kommune × tema-felter (%)",
    "empty_target_group_cells_pct": "Tomme kommune × målgruppe-felter (%)",
    "municipalities_unmapped": "Kommuner ikke kortlagt",
    "verified_pct": "Verificeret inden for 12 mdr. (%)",
    "score": "Kortlægningsscore (0-100)",
}

CELL_KEY = "huller_cell"
"""Session-state key of the clicked cell: {"view": …, "cell": (row_key, col_key)}."""

_GENERATION_KEY = "huller_chart_generation"
_DATED = frozenset({"coverage", "compare_councils"})


def _normalise(name: str, sel: Selection, kwargs: dict) -> Selection:
    """The selection as the view uses it (``gaps.effective_selection``): what it ignores hits the cache."""
    axes = {"rows": "municipality", "cols": "target_group"} if name.startswith("referral") else {}
    return gaps.effective_selection(name, sel, **{**axes, **kwargs})


@st.cache_data(max_entries=256, show_spinner=False, ttl=3600)
def _cached(name: str, path: str, sel: Selection, kwargs: tuple, today: dt.date) -> Any:
    fn = getattr(gaps, name)
    options = dict(kwargs)
    if name in _DATED:
        options["today"] = today
    return fn(data._open(path), sel, **options)


def view(name: str, sel: Selection, **kwargs) -> pd.DataFrame:
    """Run ``civilkort.gaps.<name>`` for the current database, cached per selection."""
    db = data.database()
    key = _normalise(name, sel, kwargs)
    return _cached(name, str(db.path), key, tuple(sorted(kwargs.items())), dt.date.today())


_prefetcher = ThreadPoolExecutor(max_workers=2, thread_name_prefix="civilkort-huller")


@lru_cache(maxsize=32)
def _items(db: Database, name: str, sel: Selection, kwargs: tuple, limit: int | None) -> pd.DataFrame:
    return getattr(gaps, name)(db, sel, limit=limit, **dict(kwargs))


def prefetch(name: str, sel: Selection, *, limit: int | None = None, **kwargs) -> Callable[[], pd.DataFrame]:
    """Start ``civilkort.gaps.<name>`` (the offers behind a cell: SQL) in a worker thread now; the returned
    function waits for it. DuckDB runs without holding the GIL, so the query and the page's own work on the
    matrix and its heatmap go on side by side. Kept per selection like :func:`view` (a list of a few rows)."""
    db = data.database()  # here in the script thread (it may stop the page); the worker only queries
    key = _normalise(name, sel, kwargs)
    future = _prefetcher.submit(_items, db, name, key, tuple(sorted(kwargs.items())), limit)
    return lambda: future.result().copy()  # the cached frame itself stays unchanged


def loader(name: str, sel: Selection, **kwargs) -> Callable[[], pd.DataFrame]:
    """``civilkort.gaps.<name>`` for the current database, run only when called (a full list for a
    download, made when the button is clicked)."""
    path, key = str(data.database().path), _normalise(name, sel, kwargs)
    return lambda: getattr(gaps, name)(data._open(path), key, **kwargs)


@st.cache_resource(max_entries=64, show_spinner=False, ttl=3600)
def _heatmap(
    name: str, path: str, sel: Selection, kwargs: tuple, today: dt.date, title: str, per_10k: bool, cell
) -> go.Figure:
    df = _cached(name, path, sel, kwargs, today)
    decimals = 2 if dict(kwargs).get("measure") == "per_1000_group" else 1
    return charts.gap_heatmap(df, value_title=title, per_10k=per_10k, selected=cell, decimals=decimals)


def heatmap(name: str, sel: Selection, *, title: str, cell: tuple[str, str] | None, **kwargs) -> go.Figure:
    """The heatmap of ``view(name, sel, **kwargs)``, built once per (data, selection, clicked cell).

    Shared, not copied (cache_resource): st.plotly_chart only reads the figure.
    """
    db = data.database()
    key = _normalise(name, sel, kwargs)
    per_10k = bool(kwargs.get("per_10k")) or kwargs.get("measure") not in (None, "n")
    args = (name, str(db.path), key, tuple(sorted(kwargs.items())), dt.date.today())
    return _heatmap(*args, title, per_10k, cell)


@st.cache_data(max_entries=4, show_spinner=False, ttl=3600)
def _population_loaded(path: str) -> bool:
    return gaps.population_loaded(data._open(path))


def population_loaded() -> bool:
    """True when the current build has population (FOLK1A)."""
    return _population_loaded(str(data.database().path))


@st.cache_data(max_entries=4, show_spinner=False, ttl=3600)
def _need_map(path: str) -> pd.DataFrame:
    return gaps.need_map(data._open(path))


def need_map() -> pd.DataFrame:
    """Each target group and the indicator that counts its people in the current build (``gaps.need_map``)."""
    return _need_map(str(data.database().path))


def need_caption(need: pd.DataFrame) -> str:
    """Which indicator counts each target group's people, and which groups have none (Markdown, escaped)."""
    mapped = need[need["indicator"].notna()]
    parts = [f"{md(r.label)}: {md(r.indicator)} ({md(r.counted)})" for r in mapped.itertuples()]
    text = "Personer i målgruppen tælles med behovsindikatoren: " + "; ".join(parts) + "."
    none = need.loc[need["indicator"].isna(), "label"]
    if len(none):
        text += " Uden indikator (intet tal pr. 1.000): " + ", ".join(md(v) for v in none) + "."
    return (
        text + " Uden folketal kan en andel eller et tal pr. 1.000 ikke regnes om til personer (se Om data)."
    )


def matrix_download(df: pd.DataFrame, rows: str, cols: str, *, title: str, key: str) -> None:
    """Excel and CSV downloads of a matrix with every measure it has (``gaps.matrix_table``), made on the click."""
    download_buttons(
        lambda: gaps.matrix_table(df, rows, cols), title=title, key=key, formats=("xlsx", "csv_dk")
    )


def selected_cell(view_name: str) -> tuple[str, str] | None:
    """The cell clicked in this view's heatmap, if any."""
    state = st.session_state.get(CELL_KEY) or {}
    cell = state.get("cell") if state.get("view") == view_name else None
    return (str(cell[0]), str(cell[1])) if cell else None


def chart_key(view_name: str) -> str:
    """The heatmap's widget key; renewed when the list is closed, so the chart forgets its selection."""
    return f"huller_chart_{view_name}_{st.session_state.get(_GENERATION_KEY, 0)}"


def forget_cell() -> None:
    """'Luk listen': forget the clicked cell and start the chart afresh."""
    st.session_state[CELL_KEY] = None
    st.session_state[_GENERATION_KEY] = st.session_state.get(_GENERATION_KEY, 0) + 1


def remember_cell(view_name: str, chart_key: str) -> None:
    """on_select callback: keep the clicked cell (or forget it when the click cleared the selection)."""
    event = st.session_state.get(chart_key) or {}
    cell = charts.heatmap_cell(event.get("selection"))
    st.session_state[CELL_KEY] = {"view": view_name, "cell": cell} if cell else None


def show_sql(name: str, sel: Selection, **kwargs) -> None:
    """The exact SQL and parameters behind a figure, to reproduce it on the public schema."""
    text, params = gaps.statement(name, sel, today=dt.date.today(), **kwargs)
    st.caption(
        "Kør forespørgslen mod databasen (`python -m etl path`) med DuckDB og parametrene nedenfor, fx "
        "`duckdb.connect(sti, read_only=True).execute(sql, parametre).df()`. Se README: "
        "*Huller og sammenligning: SQL*."
    )
    st.code(text, language="sql")
    st.code(json.dumps(params, ensure_ascii=False, default=str, indent=1), language="json")


def aggregate_table(df: pd.DataFrame, *, title: str, key: str) -> None:
    """A table of figures (no personal data) with Excel and CSV downloads, made only when clicked."""
    grid(df)
    download_buttons(df, title=title, key=key, formats=("xlsx", "csv_dk"))
