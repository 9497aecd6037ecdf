"""Database access for the pages: the current build, opened once per file, results cached per selection."""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import threading
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import streamlit as st

from civilkort import buildstore, map_payload, published, queries
from civilkort import index as data_index
from civilkort.db import Database, current_path
from civilkort.filters import Selection
from civilkort.index import DataIndex
from civilkort.settings import SettingsError, settings

if TYPE_CHECKING:
    from civilkort.report import CouncilReport
    from civilkort.search import SearchIndex


@st.cache_resource(max_entries=3, show_spinner=False)
def _open(path: str) -> Database:
    return Database(path)


def database() -> Database:
    """The database currently served; a new build is picked up on the next rerun."""
    try:
        settings()
    except SettingsError as exc:
        st.title("Civilsamfundskortet")
        st.error(f"Installationens indstillinger kan ikke bruges: {exc}", icon=":material/settings:")
        st.stop()
    path = current_path()
    if path is None:
        st.title("Civilsamfundskortet")
        problem = buildstore.serving_problem(settings())
        if problem:
            st.error(f"Databasen kunne ikke hentes til denne server: {problem}", icon=":material/cloud_off:")
            st.stop()
        st.info(
            "Der er endnu ingen data. Byg eksempeldata med `python -m etl demo`, "
            "eller indlæs jeres egne data med `python -m etl build FILER` (se README)."
        )
        st.stop()
    db = _open(str(path))
    outdated = db.outdated()
    if outdated:
        st.title("Civilsamfundskortet")
        st.error(outdated, icon=":material/update:")
        st.stop()
    return db


@st.cache_resource(max_entries=2, show_spinner="Indlæser data …")
def _index(path: str) -> DataIndex:
    index = data_index.of(_open(path))  # the one the reports and published files share
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


@st.cache_resource(max_entries=32, show_spinner=False)
def _area_files(path: str, area: str) -> dict[str, Any]:
    """An area's map data that no filter changes, published once per build: points, shapes, outlines."""
    return published.area_files(_index(path), area)


@st.cache_resource(show_spinner=False)
def _runtime() -> published.Published:
    return published.runtime()


def runtime_url() -> str | None:
    """URL of the map's published runtime script (None: the map carries it inline)."""
    return _runtime().url()


def map_layers(sel: Selection, measure: str) -> dict:
    """``map_layers`` for the pages' maps, drawing on files the browser fetches once per area and build.

    The area's points, municipality shapes and council outlines, and the map's runtime script, are published
    under ``/app/static/kort`` (named by their content); a filter change then sends only which points to
    show (:class:`civilkort.map_payload.SharedPoints`) and the municipalities' values. Whatever cannot be written
    travels inline, as before.
    """
    db = database()
    path = str(db.path)
    index = _index(path)
    data = queries.map_layers(db, sel, measure, index, points=False)
    files = _area_files(path, sel.area)
    for key in ("shapes_src", "outlines_src"):
        data[key] = files[key].url() if files[key] is not None else None
    data["runtime_src"] = _runtime().url()
    if "points" in sel.layers:
        masks = index.masks(sel)
        src = files["points"].url()
        data["points"] = (
            index.points(masks)
            if src is None
            else map_payload.SharedPoints(files["table"], index.point_keep(masks, files["rows"]), src)
        )
    return data


@st.cache_resource(max_entries=2, show_spinner="Forbereder søgningen …")
def _search_index(path: str) -> SearchIndex:
    from civilkort.search import index_for

    return index_for(path)  # the process's one index of this build, shared with the HSDS API


def search_index() -> SearchIndex:
    """The search index of the current build (built on first use or at server start: see :func:`warm_up`)."""
    return _search_index(str(database().path))


@st.cache_data(max_entries=34, show_spinner=False, ttl=3600)
def _council_report(path: str, council_id: str, today: dt.date) -> CouncilReport:
    from civilkort import report

    return report.council_report(_open(path), council_id, today=today, index=_index(path))


def council_report(council_id: str, today: dt.date) -> CouncilReport:
    """The council's PDF and xlsx report for the current database (cached per day)."""
    return _council_report(str(database().path), council_id, today)


def warm_search() -> None:
    """Build Søg's index for the current build (about 20 s and 0.55 GB at national scale). Called once at
    server start, in a thread of its own after the server answers, so a start is not 20 s longer; a search
    meanwhile waits for this one build (the cache computes each key once). A failure is logged, never raised."""
    import logging

    try:
        path = current_path()
        if path is not None:
            _search_index(str(path))
    except Exception:  # noqa: BLE001 - the first search reports it in Danish
        logging.getLogger("civilkort.app").exception("Søgningens indeks blev ikke bygget ved start")


def warm_up() -> None:
    """Fill what the first visitor's map page would otherwise wait for: the current build opened, its index,
    the whole country's published map files and the map runtime, the sidebar's vocabularies, and the core's
    heavy modules imported. Called once at server start, in a thread (serve.py); a failure is logged, never raised
    (the first page then does the work and shows the error in Danish as usual)."""
    import importlib
    import logging
    import time

    from civilkort.filters import NATIONAL_AREA

    log = logging.getLogger("civilkort.app")
    started = time.perf_counter()
    try:
        # Only the core's heavy imports (folium, shapely, plotly): a module that declares a Streamlit component
        # (streamlit_folium) must be imported by the first page run, or the component is not registered with
        # the runtime the pages run in, and its iframe gets a 404.
        for module in ("civilkort.maps", "civilkort.tiles", "civilkort.charts"):
            importlib.import_module(module)
        settings()
        path = current_path()
        if path is None:
            return
        name = str(path)
        _index(name)
        _area_files(name, NATIONAL_AREA)
        _runtime()
        for vocabulary in (
            "theme",
            "target_group",
            "prevention_level",
            "organisation_type",
            "staffing",
            "offer_status",
        ):
            _vocabulary_labels(name, vocabulary)
    except Exception:  # noqa: BLE001 - the first page run reports it in Danish
        log.exception("Opvarmning ved start mislykkedes")
        return
    log.info("Opvarmet ved start på %.1f s", time.perf_counter() - started)
