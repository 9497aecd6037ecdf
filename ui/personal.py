"""Personal fields on the pages: read from the store, for the coordinators of the record's council only.

A build holds none (civilkort.personal); readers and workshop participants never see any, and a
coordinator sees those of the councils they coordinate.
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from civilkort import personal
from civilkort.auth import COORDINATOR
from civilkort.store import StoreError, open_store
from ui import auth as ui_auth
from ui.data import database

log = logging.getLogger("civilkort.app")


def may_see() -> bool:
    """True for a coordinator (of any council: what they see is limited to their councils' records)."""
    return ui_auth.current().has(COORDINATOR)


def _build() -> str:
    return personal.build_name(database().path)


def fill(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with its personal columns filled for the records the user may see (the rest empty); without
    them for anyone who is no coordinator."""
    if not may_see():
        return df.drop(columns=[c for c in personal.COLUMN_TABLE if c in df.columns])
    try:
        return personal.fill(open_store(), ui_auth.current(), _build(), df)
    except StoreError as exc:
        log.warning("Personoplysninger kunne ikke læses: %s", exc)
        st.warning(f"Personoplysningerne kunne ikke hentes lige nu: {exc}")
        return df


def of_record(table: str, record_id: str) -> dict[str, str] | None:
    """The personal fields of one record the user may see ({} if none registered); None if they may not."""
    if not may_see():
        return None
    try:
        found = personal.personal_fields(open_store(), ui_auth.current(), _build(), table, [record_id])
    except StoreError as exc:
        log.warning("Personoplysninger kunne ikke læses: %s", exc)
        return None
    if record_id not in found.index:
        return None if not _in_scope(table, record_id) else {}
    row = found.loc[record_id]
    return {f: str(v) for f, v in row.items() if pd.notna(v)}


def _in_scope(table: str, record_id: str) -> bool:
    """True when the user coordinates the record's council (so 'none registered' is true, not hidden)."""
    key = personal.ID_FIELDS[table]
    council = database().scalar(f"SELECT council_id FROM {table} WHERE {key} = $id", {"id": record_id})
    return ui_auth.current().may_coordinate(council)
