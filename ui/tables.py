"""A table of the current selection with its export buttons (xlsx, csv, csv for Danish Excel).

The files are made only when a button is clicked (deferred download data), not on every run.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from civilkort import export
from civilkort.filters import Selection

HIDDEN = ("lat", "lon", "description")
MAX_SHOWN = 5_000
"""Rows sent to the browser; longer lists show their first rows and export in full (poor wifi, big areas)."""


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def table_with_export(df: pd.DataFrame, *, title: str, sel: Selection, key: str) -> None:
    """Show ``df`` (searchable, sortable) and offer exactly these rows for download."""
    shown = df.drop(columns=[c for c in HIDDEN if c in df.columns])
    include_personal = st.toggle(
        "Medtag personoplysninger (kontaktperson, funktionspostkasse, tovholder) i eksport",
        key=f"{key}_personal",
        help="Lad dem være ude, hvis listen skal deles bredt.",
    )
    if not include_personal:
        shown = shown.drop(columns=[c for c in export.PERSONAL_COLUMNS if c in shown.columns])
    if len(shown) > MAX_SHOWN:
        st.caption(
            f"Viser de første {MAX_SHOWN:,} af {len(shown):,} rækker; indsnævr med filtrene, "
            "eller hent hele listen nedenfor.".replace(",", ".")
        )
        shown = shown.head(MAX_SHOWN)
    display = export.prepare(shown, include_personal=True)
    for col in display.columns:  # empty text cells show empty, not "None"
        if display[col].dtype == object or pd.api.types.is_string_dtype(display[col]):
            display[col] = display[col].astype(object).where(display[col].notna(), "")
    st.dataframe(display, hide_index=True, width="stretch", height=480)
    stem = f"{_slug(title)}-{_slug(sel.area_name())}-{dt.date.today().isoformat()}"
    note = f"{title}, {sel.area_name()}, udtrukket {dt.date.today():%d-%m-%Y} fra Civilsamfundskortet"
    c1, c2, c3 = st.columns(3)
    c1.download_button(
        "Hent som Excel (xlsx)",
        lambda: export.to_xlsx({title: df}, include_personal=include_personal, note=note),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        width="stretch",
    )
    c2.download_button(
        "Hent som CSV",
        lambda: export.to_csv(df, include_personal=include_personal),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        width="stretch",
    )
    c3.download_button(
        "Hent som CSV til dansk Excel (;)",
        lambda: export.to_csv(df, danish_excel=True, include_personal=include_personal),
        file_name=f"{stem}-excel.csv",
        mime="text/csv",
        key=f"{key}_csv_dk",
        width="stretch",
    )
