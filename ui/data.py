"""Database access for the pages: the current build, opened once per file, results cached per selection."""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import gzip
import threading
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import streamlit as st

from civilkort import assets, maps, queries
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
    index = DataIndex(_open(path))
    _freeze_heap_once()
    return index


_frozen = threading.Lock()
_frozen_done = False


def _freeze_heap_once() -> None:
    """Move what is alive after the first data load (the libraries, Streamlit, the index) out of the garbage
    collector's reach, once per process. It lives as long as the app; a full collection, which page runs
    trigger now and then, then walks only newer objects: at national scale such a collection took 20-120
    ms in the middle of a filter change, and about 15 ms after (benchmarks/filter_latency.py)."""
    global _frozen_done
    with _frozen:
        if _frozen_done:
            return
        _frozen_done = True
    gc.collect()
    gc.freeze()
    atexit.register(gc.unfreeze)  # let the interpreter finalise those objects at exit as usual


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


@lru_cache(maxsize=64)  # a build's file never changes (a new build is a new file); cheaper than st.cache_*
def _vocabulary_labels(path: str, name: str) -> Mapping[str, str]:
    v = queries.vocabulary(_open(path), name)
    return MappingProxyType(dict(zip(v["code"], v["label"], strict=True)))


def vocabulary_labels(name: str) -> Mapping[str, str]:
    """Code -> label of one vocabulary in display order (read once per database: the sidebar asks on every run)."""
    return _vocabulary_labels(str(database().path), name)


def _points_stem(area: str) -> str:
    return f"punkter-{area.replace(':', '-')}"


@st.cache_resource(max_entries=32, show_spinner=False)
def _area_points(path: str, area: str) -> tuple[pd.DataFrame, np.ndarray, bytes, str | None]:
    table, rows = _index(path).area_points(area)
    # gzip: the static route sends files as they are (about 4 MB of JSON for all of Denmark -> 1 MB)
    payload = gzip.compress(maps.points_file(table), compresslevel=6, mtime=0)
    return table, rows, payload, assets.publish(payload, _points_stem(area), ".json.gz")


def map_layers(sel: Selection, measure: str) -> dict:
    """``map_layers`` for the pages' maps, with the points as :class:`civilkort.maps.SharedPoints`.

    The area's points are published once per build (``/app/static/kort``, named by their content) and the
    browser fetches them once; a filter change then sends only which points to show. When the folder cannot
    be written the points travel inline, as before.
    """
    db = database()
    path = str(db.path)
    index = _index(path)
    data = queries.map_layers(db, sel, measure, index, points=False)
    if "points" in sel.layers:
        masks = index.masks(sel)
        table, rows, payload, src = _area_points(path, sel.area)
        published = assets.published_path(src) if src else None
        if published is None or not published.is_file():  # not writable, or removed since: try again
            src = assets.publish(payload, _points_stem(sel.area), ".json.gz")
        data["points"] = (
            index.points(masks)
            if src is None
            else maps.SharedPoints(table, index.point_keep(masks, rows), src)
        )
    return data


@st.cache_data(max_entries=34, show_spinner=False, ttl=3600)
def _council_report(path: str, council_id: str, today: dt.date) -> CouncilReport:
    from civilkort import report

    return report.council_report(_open(path), council_id, today=today, index=_index(path))


def council_report(council_id: str, today: dt.date) -> CouncilReport:
    """The council's PDF and xlsx report for the current database (cached per day)."""
    return _council_report(str(database().path), council_id, today)
