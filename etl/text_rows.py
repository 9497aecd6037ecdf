"""Small table files as rows of text: an indicator, a list of housing areas.

A workbook's first sheet with data (read by :func:`etl.read.sheet_rows`, with the checks every workbook gets), or
a CSV in any of the dialects :func:`etl.statbank.table_rows` reads; numbers as text written the Danish way, so
one parser reads both.  :func:`check_columns` finds where the table starts and refuses rows that do not split
into the same columns (mixed separators).
"""

from __future__ import annotations

import csv
from pathlib import Path

from civilkort import danish
from civilkort.issues import InputError, Issue, error
from etl.read import EXCEL_SUFFIXES, sheet_rows
from etl.statbank import table_rows, text_of


def _excel_rows(path: Path, notes: list[Issue], expected: str) -> tuple[list[list[str]], str]:
    """The first sheet with data as rows of text (numbers written without thousands dots); and its name.

    Read by :func:`etl.read.sheet_rows`, with the checks every workbook gets (content, zip bombs, passwords)."""
    found: list[Issue] = []
    sheet = sheet_rows(path, found)
    if sheet is None or any(i.is_error for i in found):
        raise InputError(found)
    notes.extend(found)
    name, cells = sheet
    if not cells:
        raise InputError([error("Excel-filen er tom", file=path.name, hint=expected)])
    return [[_cell(v) for v in row] for row in cells], name


def _cell(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, float):
        return (f"{value:.0f}" if value.is_integer() else repr(value)).replace(".", ",")
    return str(value).strip()


def text_rows(path: Path, notes: list[Issue], *, what: str, expected: str) -> tuple[list[list[str]], str]:
    """A small table file's rows as text, and its sheet's name ('' for CSV); ``what`` names the file in messages
    ('Indikatorfilen'), ``expected`` says what layouts are read.  Raises InputError."""
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _excel_rows(path, notes, expected)
    if path.suffix.lower() in {".xlsb", ".ods", ".numbers"}:
        raise InputError(
            [
                error(
                    f"Filtypen '{path.suffix}' kan ikke indlæses",
                    file=path.name,
                    hint="Åbn filen og gem den som 'Excel-projektmappe (*.xlsx)'.",
                )
            ]
        )
    try:
        return table_rows(text_of(path)), ""
    except (OSError, csv.Error) as exc:
        raise InputError(
            [error(f"{what} kan ikke læses som CSV ({exc})", file=path.name, hint=expected)]
        ) from exc


def check_columns(rows: list[list[str]], file: str, sheet: str, *, expected: str) -> tuple[int, str]:
    """Where the table starts, and its title line (the line before it, as statistikbanken.dk writes it).

    Raises InputError when the rows do not split into the same columns (a comma in one, a semicolon in another,
    or decimal commas in a comma-separated file)."""
    start = next((i for i, r in enumerate(rows) if len(r) >= 2), None)
    if start is None:
        raise InputError(
            [
                error(
                    "Filen kan ikke deles i kolonner",
                    file=file,
                    sheet=sheet,
                    value=next((r[0] for r in rows if r and r[0]), "")[:120],
                    hint="Adskil kolonnerne med semikolon (;). " + expected,
                )
            ]
        )
    width = len(rows[start])
    bad = [
        error(
            f"Rækken har {danish.count(len(r), 'kolonne', 'kolonner')}, men tabellen har {width}: skilletegnene er blandet",
            file=file,
            sheet=sheet,
            row=start + 1 + n,
            value=";".join(r)[:120],
            hint="Brug semikolon (;) som skilletegn i hele filen; med komma som skilletegn bliver decimalkommaer "
            "læst som nye kolonner.",
        )
        for n, r in enumerate(rows[start:])
        if any(r) and len(r) != width
    ]
    if bad:
        raise InputError(bad[:20])
    title = next((r[0] for r in reversed(rows[:start]) if r and r[0]), "")
    return start, title
