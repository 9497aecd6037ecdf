"""Database access for the pages: the current build, opened once per file, results cached per selection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import streamlit as st

from civilkort import queries
from civilkort.db import Database, current_path
from civilkort.filters import Selection
from civilkort.index import DataIndex

if TYPE_CHECKING:
    from civilkort.report import CouncilReport


@st.cache_resource(max_entries=3, show_spinner=False)
def _open(path: str) -> Database:
    return Database(path)


def database() -> Database:
    """The database currently served; a new build is picked up on the next rerun."""
    path = current_path()
    if path is None:
        st.title("Civilsamfundskortet")
        st.info(
            "Der er endnu ingen data. Byg eksempeldata med `python -m etl demo`, "
            "eller indlæs jeres egne data med `python -m etl build FILER` (se README)."
        )
        st.stop()
    return _open(str(path))


@st.cache_resource(max_entries=2, show_spinner="Indlæser data …")
def _index(path: str) -> DataIndex:
    return DataIndex(_open(path))


INDEXED = frozenset(
    {
        "key_figures",
        "municipality_measures",
        "municipality_values",
        "offers_by_theme",
        "map_points",
        "map_layers",
    }
)
"""Queries answered from the in-memory index (the map page's filter changes). They are not put through
st.cache_data: the index answers in milliseconds, and pickling the frames in and out of the cache cost more."""


@st.cache_data(max_entries=256, show_spinner=False, ttl=3600)
def _cached(name: str, path: str, sel: Selection | None, extra: tuple) -> Any:
    fn: Callable = getattr(queries, name)
    db = _open(path)
    if sel is None:
        return fn(db, *extra)
    return fn(db, sel, *extra)


def query(name: str, sel: Selection | None = None, *extra) -> Any:
    """Run ``civilkort.queries.<name>`` for the current database, cached per (database, selection)."""
    db = database()
    path = str(db.path)
    if sel is not None and name in INDEXED:
        return getattr(queries, name)(db, sel, *extra, index=_index(path))
    return _cached(name, path, sel, tuple(extra))


@st.cache_data(max_entries=34, show_spinner=False, ttl=3600)
def _council_report(path: str, council_id: str, today: dt.date) -> CouncilReport:
    from civilkort import report

    return report.council_report(_open(path), council_id, today=today, index=_index(path))


def council_report(council_id: str, today: dt.date) -> CouncilReport:
    """The council's PDF and xlsx report for the current database (cached per day)."""
    return _council_report(str(database().path), council_id, today)
