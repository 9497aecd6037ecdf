"""Exports of exactly what is filtered, safe to open in Excel.

Every text cell that a spreadsheet would read as a formula (starting with = + - @,
a tab or a carriage return) is prefixed with an apostrophe, as OWASP recommends
against CSV/formula injection.  Personal fields are left out unless asked for.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import numpy as np
import pandas as pd
import xlsxwriter

from civilkort.schema import TABLES

FORMULA_START = re.compile(r"^[=+\-@\t\r]")
PERSONAL_COLUMNS = frozenset(
    {f.name for t in TABLES for f in t.fields if f.is_personal}
    | {"email", "contact_person", "tovholder", "author", "reviewed_by"}
)
"""Columns holding personal data (names, mailboxes): exported only on request."""

COLUMN_LABELS: dict[str, str] = {
    "offer_id": "Tilbud (id)",
    "organisation_id": "Organisation (id)",
    "collaboration_id": "Samarbejde (id)",
    "unit_id": "Enhed (id)",
    "name": "Navn",
    "title": "Titel",
    "organisation_name": "Organisation",
    "organisation_type_label": "Organisationstype",
    "staffing_label": "Bemanding",
    "cvr": "CVR-nummer",
    "themes": "Temaer",
    "target_groups": "Målgrupper",
    "prevention_level_label": "Forebyggelsesniveau",
    "accepts_social_referrals": "Modtager sociale henvisninger",
    "status_label": "Status",
    "schedule": "Tidspunkt",
    "cost": "Pris",
    "address": "Adresse",
    "postcode": "Postnummer",
    "city": "By",
    "municipality_name": "Kommune",
    "council_name": "Sundhedsråd",
    "location_precision": "Placering",
    "last_verified": "Sidst verificeret",
    "source": "Kilde",
    "description": "Beskrivelse",
    "lat": "Breddegrad",
    "lon": "Længdegrad",
    "n_offers": "Antal tilbud",
    "n_collaborations": "Antal samarbejder",
    "website": "Hjemmeside",
    "email": "Funktionspostkasse",
    "contact_person": "Kontaktperson",
    "units": "Regionale enheder",
    "organisations": "Organisationer",
    "form_label": "Form",
    "kind_label": "Art",
    "start_date": "Startdato",
    "end_date": "Slutdato",
    "is_open_ended": "Løbende (ingen slutdato)",
    "funding": "Finansiering",
    "tovholder": "Tovholder",
    "legal_review_done": "Juristvurdering foretaget",
    "n_experiences": "Antal erfaringer",
    "author": "Forfatter",
    "reviewed_by": "Gennemgået af",
}


def neutralise(value: object) -> object:
    """Prefix text a spreadsheet would run as a formula with an apostrophe; other values unchanged."""
    if isinstance(value, str) and FORMULA_START.match(value):
        return "'" + value
    return value


_FORMULA_CHARS = ["=", "+", "-", "@", "\t", "\r"]
"""The first characters :data:`FORMULA_START` matches, for the vectorised check of text columns."""


def _neutralise_column(values: pd.Series) -> pd.Series:
    if values.dtype != object:  # a text dtype: every value is text or missing, checked in one pass
        hit = values.str[:1].isin(_FORMULA_CHARS).fillna(False).to_numpy(dtype=bool)
        return values.where(~hit, "'" + values) if hit.any() else values
    return values.map(neutralise, na_action="ignore")  # mixed values: only text is touched


def prepare(df: pd.DataFrame, *, include_personal: bool = False) -> pd.DataFrame:
    """Drop personal columns unless asked, neutralise formulas, and give the columns Danish headers."""
    out = df.drop(columns=[c for c in df.columns if c in PERSONAL_COLUMNS and not include_personal])
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = _neutralise_column(out[col])
        elif pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: "Ja", False: "Nej"})
    return out.rename(columns=COLUMN_LABELS)


def to_csv(df: pd.DataFrame, *, danish_excel: bool = False, include_personal: bool = False) -> bytes:
    """CSV bytes: UTF-8 with BOM; with ``danish_excel`` ';' separators and decimal commas."""
    data = prepare(df, include_personal=include_personal)
    text = data.to_csv(
        index=False,
        sep=";" if danish_excel else ",",
        decimal="," if danish_excel else ".",
        date_format="%d-%m-%Y" if danish_excel else "%Y-%m-%d",
    )
    return ("\ufeff" + text).encode("utf-8")


def _cell(value: object) -> object:
    """A value xlsxwriter writes as is: NA as empty, timestamps as dates, numpy scalars as Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, list | tuple | np.ndarray):
        return "; ".join(map(str, value))
    if hasattr(value, "item"):
        return value.item()
    return value


def to_xlsx(sheets: dict[str, pd.DataFrame], *, include_personal: bool = False, note: str = "") -> bytes:
    """An xlsx workbook with one sheet per table (strings written as text, never as formulas)."""
    buf = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buf,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True, "bg_color": "#E1ECEE", "border": 1})
    date = workbook.add_format({"num_format": "dd-mm-yyyy"})
    for name, df in sheets.items():
        data = prepare(df, include_personal=include_personal)
        sheet = workbook.add_worksheet(re.sub(r"[\[\]:*?/\\]", "", name)[:31] or "Ark")
        first = 0
        if note:
            sheet.write_string(0, 0, note)
            first = 1
        sheet.write_row(first, 0, [str(c) for c in data.columns], bold)
        for i, row in enumerate(data.itertuples(index=False, name=None), start=first + 1):
            for j, value in enumerate(row):
                value = _cell(value)
                if value is None:
                    continue
                if isinstance(value, dt.datetime | dt.date):
                    sheet.write_datetime(i, j, value, date)
                elif isinstance(value, str):
                    sheet.write_string(i, j, value)
                else:
                    sheet.write(i, j, value)
        sheet.freeze_panes(first + 1, 0)
        for j, col in enumerate(data.columns):
            lengths = data[col].dropna().astype(str).str.len()
            typical = int(lengths.quantile(0.9)) if len(lengths) else 0
            sheet.set_column(j, j, min(60, max(10, len(str(col)) + 2, typical + 2)))
    workbook.close()
    return buf.getvalue()
