"""A table of the current selection with its export buttons (xlsx, csv, csv for Danish Excel).

The files are made only when a button is clicked (deferred download data), not on every run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from civilkort import export
from civilkort.filters import Selection
from ui import personal
from ui.text import md

HIDDEN = ("lat", "lon", "description")
MAX_SHOWN = 5_000
"""Rows sent to the browser; longer lists show their first rows and export in full (poor wifi, big areas)."""


MISSING = "–"
"""What a missing value shows as in a grid (Streamlit's own default is the English "None")."""
TIMEZONE = "Europe/Copenhagen"


def _is_dates(col: pd.Series) -> bool:
    """A column of datetime.date values (pandas keeps them as objects)."""
    values = col.dropna()
    return len(values) > 0 and all(
        isinstance(v, dt.date) and not isinstance(v, dt.datetime) for v in values.head(50)
    )


def danish_columns(df: pd.DataFrame) -> dict[str, Any]:
    """Column settings that show a table in Danish: numbers in the reader's notation (14,6 and 1.234 in a
    Danish browser, not the program's 14.6), dates as dd-mm-åååå and times in Danish local time."""
    config: dict[str, Any] = {}
    for name in df.columns:
        col, label = df[name], str(name)
        if pd.api.types.is_bool_dtype(col):
            continue
        if pd.api.types.is_numeric_dtype(col):
            config[label] = st.column_config.NumberColumn(label, format="localized")
        elif pd.api.types.is_datetime64_any_dtype(col):
            has_time = bool((col.dropna().dt.normalize() != col.dropna()).any())
            config[label] = st.column_config.DatetimeColumn(
                label,
                format="DD-MM-YYYY HH:mm" if has_time else "DD-MM-YYYY",
                timezone=TIMEZONE if col.dt.tz is not None else None,  # naive times are local already
            )
        elif col.dtype == object and _is_dates(col):
            config[label] = st.column_config.DateColumn(label, format="DD-MM-YYYY")
    return config


def grid(df: pd.DataFrame, *, column_config: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """``st.dataframe`` in Danish: the one way the app shows a grid (missing values as "–", not "None";
    Danish numbers and dates; no index). ``column_config`` overrides the defaults per column."""
    kwargs.setdefault("hide_index", True)
    kwargs.setdefault("width", "stretch")
    st.dataframe(
        df, column_config={**danish_columns(df), **(column_config or {})}, placeholder=MISSING, **kwargs
    )


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
    grid(display, height=480)
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
