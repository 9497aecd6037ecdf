"""Cached access to the collaboration radar (civilkort.radar) for the Samarbejder page.

Results are cached per (database file, selection, today): a new build, another selection or a new
day gives new figures. Only the fields that change the figures are in the key, so opening a
collaboration's details (the selection's ``item``) reuses the cached data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import streamlit as st

from civilkort import radar
from civilkort.filters import Selection
from ui.data import _open, database

VIEWS = frozenset(
    {
        "timeline_view",
        "ending",
        "gaps_in_governance",
        "orphan_organisations",
        "units_without_partner_in_theme",
        "multi_council_organisations",
    }
)
"""The radar functions the page calls: one call per view (per list for the orphans)."""
LONG_LISTS = frozenset({"orphan_organisations", "multi_council_organisations"})
"""Lists run on every call, not cached: their SQL answers in tens of milliseconds from the out_ tables,
and pickling up to 90,000 rows (16 MB) into Streamlit's cache and out again costs as much."""


def data_key(sel: Selection) -> Selection:
    """The selection without the fields that do not change the radar's figures."""
    default = Selection()
    return replace(sel, item="", municipality=None, measure=default.measure, layers=default.layers)


@st.cache_data(max_entries=256, show_spinner=False, ttl=3600)
def _cached(name: str, path: str, sel: Selection, today: dt.date) -> Any:
    return getattr(radar, name)(_open(path), sel, today)


def view(name: str, sel: Selection) -> Any:
    """``civilkort.radar.<name>(db, sel, today)`` for the current database (cached unless a long list)."""
    if name not in VIEWS:
        raise ValueError(f"Ukendt visning: {name}")
    path = str(database().path)
    if name in LONG_LISTS:
        return getattr(radar, name)(_open(path), data_key(sel), today())
    return _cached(name, path, data_key(sel), today())


def today() -> dt.date:
    """Today's date (the radar's reference day)."""
    return dt.date.today()


def sql(*names: str) -> str:
    """The SQL files behind the named figures, one after the other."""
    return "\n\n".join(radar.sql_text(n) for n in names)
