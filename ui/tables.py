"""A table of the current selection with its export buttons (xlsx, csv, csv for Danish Excel).

The files are made only when a button is clicked (deferred download data), not on every run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from civilkort import export
from civilkort.filters import Selection
from ui import personal
from ui.text import md

HIDDEN = ("lat", "lon", "description")
MAX_SHOWN = 5_000
"""Rows sent to the browser; longer lists show their first rows and export in full (poor wifi, big areas)."""


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def table_with_export(
    df: pd.DataFrame,
    *,
    title: str,
    sel: Selection,
    key: str,
    total: int | None = None,
    full: Callable[[], pd.DataFrame] | None = None,
) -> None:
    """Show ``df`` (searchable, sortable) and offer exactly these rows for download.

    ``df`` may be the first rows of a longer list: then ``total`` is its length and ``full`` makes the
    whole list, only when a download button is clicked."""
    total = len(df) if total is None else total
    if total == 0:  # a Danish sentence, not an empty grid saying "empty", and nothing to download
        st.info(f"{md(title)}: ingen i området med de valgte filtre.")
        return
    shown = df.drop(columns=[c for c in HIDDEN if c in df.columns])
    has_personal = any(c in shown.columns for c in export.PERSONAL_COLUMNS)
    include_personal = (
        has_personal
        and personal.may_see()
        and st.toggle(
            "Medtag personoplysninger (kontaktperson, funktionspostkasse, tovholder)",
            key=f"{key}_personal",
            help="Kun for jeres egne sundhedsråds poster. Lad dem være ude, hvis listen skal deles bredt.",
        )
    )
    if include_personal:  # filled from the store (a build holds none) for the user's councils only
        df, whole = personal.fill(df), full
        shown = df.drop(columns=[c for c in HIDDEN if c in df.columns])
        full = (lambda: personal.fill(whole())) if whole is not None else None
    else:
        shown = shown.drop(columns=[c for c in export.PERSONAL_COLUMNS if c in shown.columns])
    if max(len(shown), total) > MAX_SHOWN or total > len(shown):
        shown = shown.head(MAX_SHOWN)
        st.caption(
            f"Viser de første {len(shown):,} af {total:,} rækker; indsnævr med filtrene, "
            "eller hent hele listen nedenfor.".replace(",", ".")
        )
    display = export.prepare(shown, include_personal=True)
    for col in display.columns:  # empty text cells show empty, not "None"
        if display[col].dtype == object:
            display[col] = display[col].where(display[col].notna(), "")
        elif pd.api.types.is_string_dtype(display[col]):
            display[col] = display[col].fillna("")
    st.dataframe(display, hide_index=True, width="stretch", height=480)
    download_buttons(
        full if full is not None and total > len(df) else df,
        title=title,
        context=sel.area_name(),
        key=key,
        include_personal=include_personal,
        formats=("xlsx", "csv", "csv_dk"),
    )


_FORMATS = {
    "xlsx": (
        "Hent som Excel (xlsx)",
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "csv": ("Hent som CSV", ".csv", "text/csv"),
    "csv_dk": ("Hent som CSV til dansk Excel (;)", "-excel.csv", "text/csv"),
}


def download_buttons(
    df: pd.DataFrame | Callable[[], pd.DataFrame],
    *,
    title: str,
    key: str,
    context: str = "",
    include_personal: bool = False,
    formats: tuple[str, ...] = ("xlsx", "csv", "csv_dk"),
) -> None:
    """Download buttons for exactly ``df`` (or what calling it gives); each file is made only when its
    button is clicked."""

    def rows() -> pd.DataFrame:
        return df() if callable(df) else df

    today = dt.date.today()
    stem = "-".join(x for x in (_slug(title), _slug(context), today.isoformat()) if x)
    note = f"{title}{', ' + context if context else ''}, udtrukket {today:%d-%m-%Y} fra Civilsamfundskortet"
    makers = {
        "xlsx": lambda: export.to_xlsx({title: rows()}, include_personal=include_personal, note=note),
        "csv": lambda: export.to_csv(rows(), include_personal=include_personal),
        "csv_dk": lambda: export.to_csv(rows(), danish_excel=True, include_personal=include_personal),
    }
    for column, fmt in zip(st.columns(len(formats)), formats):
        label, suffix, mime = _FORMATS[fmt]
        column.download_button(
            label, makers[fmt], file_name=f"{stem}{suffix}", mime=mime, key=f"{key}_{fmt}", width="stretch"
        )
