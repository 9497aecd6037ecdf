"""Find a table in a grid of cells: the header row matched to schema fields, the rows below it
cut out with where each came from (``_file``, ``_sheet``, ``_row``); the limits every reader keeps."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pacompute

from civilkort.issues import Issue, error, warning
from civilkort.reference import fold
from civilkort.schema import ALL_TABLES, TABLES_BY_NAME, Table

MAX_FILE_BYTES = 150 * 1024 * 1024
"""Largest input file read (bytes)."""
MAX_ROWS = 1_000_000
"""Most data rows read from one sheet or CSV file."""
MAX_UNZIPPED_BYTES = 2 * 1024**3
"""Largest total size of a workbook's parts once unpacked (a guard against zip bombs)."""
HEADER_SEARCH_ROWS = 10
"""The header row is looked for within this many rows from the top."""

EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls"})
CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
INSTRUCTIONS_SHEET = "Vejledning"
LISTS_SHEET = "Lister"
TEMPLATE_SHEETS = frozenset({fold(INSTRUCTIONS_SHEET), fold(LISTS_SHEET)})
"""The template's own sheets: skipped without a warning."""
PROVENANCE = ["_file", "_sheet", "_row"]
BLANKS = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u200c\u200d\u2060\ufeff"
"""Stripped from the ends of every cell: white space, non-breaking and zero-width spaces, stray BOMs."""


_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("e-mail", "mail", "e-mailadresse", "emailadresse"),
    "postcode": ("postnr", "post nr", "zip", "zip code", "postal code"),
    "website": ("url", "web", "webside", "hjemmeside"),
    "cvr": ("cvr", "cvr nr", "cvrnr"),
}
"""Common spellings not declared as Field.aliases (see the report to the schema owner)."""


@dataclass
class RawInput:
    """Tables as read, one column per schema field found, plus ``_file``, ``_sheet``, ``_row``.

    A column holding only text (every CSV column) has the pandas 'string' dtype with NA
    when empty; other columns (Excel) are object dtype holding the cell values (str,
    float, bool, datetime), None when empty.  Text is stripped; empty rows are dropped.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


@cache
def header_keys(table_name: str) -> dict[str, str]:
    """Folded header spellings (Danish header, field name, aliases) -> field name."""
    table = TABLES_BY_NAME[table_name]
    keys: dict[str, str] = {}
    for f in table.fields:
        for text in (f.header, f.name, *f.aliases, *_EXTRA_ALIASES.get(f.name, ())):
            keys.setdefault(fold(text), f.name)
            keys.setdefault(fold(text).replace(" ", ""), f.name)  # 'Organisations type', 'Post nummer'
    return keys


@lru_cache(maxsize=1)
def _table_name_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for t in ALL_TABLES:
        for text in (t.sheet, t.name, Path(t.csv_name).stem):
            keys[fold(text)] = t.name
    return keys


def table_for_name(name: str) -> Table | None:
    """The table a sheet or file stem names ('Tilbud', 'tilbud_2025', 'offers'), or None."""
    key = fold(name)
    keys = _table_name_keys()
    if key in keys:
        return TABLES_BY_NAME[keys[key]]
    hits = {t for k, t in keys.items() if key.startswith(k + " ")}
    if len(hits) == 1:
        return TABLES_BY_NAME[hits.pop()]
    return None


def _cell_text(value: object) -> str:
    """A header cell as text ('' when empty)."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip(BLANKS)


@dataclass
class _HeaderMatch:
    """How one row matches a table's headers."""

    table: Table
    row_index: int
    columns: dict[int, str]  # column position -> field name
    headers: list[str]  # every header text in the row
    duplicates: list[tuple[str, list[str]]]  # field name -> the header texts that all map to it

    @property
    def score(self) -> int:
        """How many fields were found."""
        return len(self.columns)

    @property
    def missing_required(self) -> list[str]:
        """Danish headers of required fields not found."""
        found = set(self.columns.values())
        return [f.header for f in self.table.fields if f.required and f.name not in found]


def _match_row(cells: list[object], table: Table, row_index: int) -> _HeaderMatch:
    keys = header_keys(table.name)
    headers = [_cell_text(c) for c in cells]
    columns: dict[int, str] = {}
    seen: dict[str, list[str]] = {}
    for pos, text in enumerate(headers):
        name = (keys.get(key) or keys.get(key.replace(" ", ""))) if text and (key := fold(text)) else None
        if name is None:
            continue
        seen.setdefault(name, []).append(text)
        if len(seen[name]) == 1:
            columns[pos] = name
    duplicates = [(n, texts) for n, texts in seen.items() if len(texts) > 1]
    return _HeaderMatch(table, row_index, columns, headers, duplicates)


def _find_header(rows: list[list[object]], table: Table) -> _HeaderMatch | None:
    """The best matching header row among the first rows, or None if no row matches."""
    best: _HeaderMatch | None = None
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        match = _match_row(cells, table, i)
        if match.score and (best is None or match.score > best.score):
            best = match
    return best


def _detect_table(rows: list[list[object]]) -> tuple[_HeaderMatch | None, list[_HeaderMatch]]:
    """The table whose headers the rows show: (the match, or None if unclear; all candidates)."""
    matches = [m for t in ALL_TABLES if (m := _find_header(rows, t)) is not None]
    complete = [m for m in matches if not m.missing_required]
    pool = complete or [m for m in matches if m.score >= 2]
    if not pool:
        return None, matches
    pool.sort(key=lambda m: m.score, reverse=True)
    if len(pool) > 1 and pool[0].score == pool[1].score:
        return None, matches
    return pool[0], matches


def _first_nonempty_row(rows: list[list[object]]) -> list[str]:
    for cells in rows[:HEADER_SEARCH_ROWS]:
        texts = [_cell_text(c) for c in cells]
        if any(texts):
            return [t for t in texts if t]
    return []


def _join(texts: Sequence[str], limit: int = 30) -> str:
    shown = ", ".join(f"'{t}'" for t in texts[:limit])
    return shown + (f" og {len(texts) - limit} flere" if len(texts) > limit else "")


def _excel_column(pos: int) -> str:
    """Excel column letters for a 0-based position (0 -> 'A')."""
    letters = ""
    pos += 1
    while pos:
        pos, rest = divmod(pos - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _clean_cells(col: pd.Series) -> pd.Series:
    """Strip text and empty it out: 'string' columns stay 'string' (NA), others become object (None)."""
    if isinstance(col.dtype, pd.StringDtype):
        if col.dtype.storage == "pyarrow":  # in Arrow throughout: pandas' mask() on Arrow strings is slow
            text = pacompute.utf8_trim(col.array.__arrow_array__(), BLANKS)
            text = pacompute.if_else(pacompute.equal(text, ""), pa.scalar(None, pa.string()), text)
            return pd.Series(pd.arrays.ArrowStringArray(text), index=col.index)
        stripped = col.str.strip(BLANKS)
        return stripped.mask((stripped == "").fillna(False))
    kind = pd.api.types.infer_dtype(col, skipna=True)
    if kind == "empty":
        return pd.Series([None] * len(col), index=col.index, dtype=object)
    if kind == "string":  # straight to Arrow (twice as fast as astype("string") on an object column)
        text = pa.array(col.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        return _clean_cells(pd.Series(pd.arrays.ArrowStringArray(text), index=col.index))
    values = col.to_numpy(dtype=object, copy=True)
    with contextlib.suppress(
        TypeError, ValueError
    ):  # calamine's empty cells: numbers or dates may be all that is left
        values[values == ""] = None
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "mixed", "mixed-integer", "bytes"):
        col = pd.Series(values, index=col.index, dtype=object)
        return col.where(col.notna(), None)
    try:
        stripped = col.str.strip(BLANKS)
    except AttributeError:  # no text at all in this column
        return col.astype(object).where(col.notna(), None)
    out = stripped.where(stripped.notna(), col).astype(object)
    return out.where(out.notna() & (out != ""), None)


def _frame_from_cells(
    cells: pd.DataFrame,
    match: _HeaderMatch,
    first_row: int,
    file: str,
    sheet: str,
    issues: list[Issue],
    data: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Cut a table out of a grid of cells below its header row; rows numbered from ``first_row``.

    ``data``: the cells below the header when they were read apart from ``cells`` (columns labelled
    by position; a column left out is empty).
    """
    table = match.table
    header_row = first_row + match.row_index
    if data is None:
        data = cells.iloc[match.row_index + 1 :]
    unknown = [h for pos, h in enumerate(match.headers) if h and pos not in match.columns]
    if unknown:
        issues.append(
            warning(
                f"Ukendte kolonner ignoreres: {_join(unknown)}",
                file=file,
                sheet=sheet,
                row=header_row,
                column=unknown[0],
                hint=f"Kendte kolonner på arket {table.sheet}: {_join([f.header for f in table.fields])}.",
            )
        )
    for pos, h in enumerate(match.headers):
        if h or pos not in data.columns:
            continue
        col = _clean_cells(data[pos])
        if col.notna().any():
            issues.append(
                warning(
                    f"Kolonne {_excel_column(pos)} har værdier men ingen overskrift; den ignoreres",
                    file=file,
                    sheet=sheet,
                    row=header_row,
                    column=_excel_column(pos),
                    hint="Giv kolonnen en af de kendte overskrifter, hvis den skal indlæses.",
                )
            )
    out = pd.DataFrame(
        {name: _clean_cells(data[pos]) for pos, name in match.columns.items()},
        index=data.index,
    )
    order = [f for f in table.field_names if f in out.columns]
    out = out[order]
    rows = pd.Series(range(header_row + 1, header_row + 1 + len(data)), index=data.index, dtype="int64")
    keep = out.notna().any(axis=1) if len(out.columns) else pd.Series(False, index=data.index)
    out = (out if keep.all() else out[keep]).reset_index(drop=True)  # no copy when every row has data
    out["_file"] = pd.Series([file] * len(out), dtype="str")
    out["_sheet"] = pd.Series([sheet] * len(out), dtype="str")
    out["_row"] = rows[keep].to_numpy()
    return out


def _header_issues(match: _HeaderMatch, file: str, sheet: str, header_row: int | None) -> list[Issue]:
    """Errors for missing required columns and columns given twice."""
    issues = []
    found = [h for h in match.headers if h]
    where = f"arket {match.table.sheet}" if sheet else f"tabellen {match.table.sheet}"
    for header in match.missing_required:
        issues.append(
            error(
                f"Den påkrævede kolonne '{header}' mangler i {where}",
                file=file,
                sheet=sheet,
                row=header_row,
                column=header,
                hint=f"Fundne overskrifter: {_join(found) or 'ingen'}. Tilføj kolonnen '{header}' i overskriftsrækken.",
            )
        )
    for name, texts in match.duplicates:
        header = match.table.field(name).header
        issues.append(
            error(
                f"Kolonnen '{header}' findes flere gange ({_join(texts)})",
                file=file,
                sheet=sheet,
                row=header_row,
                column=header,
                hint="Slet eller omdøb de ekstra kolonner, så hver kolonne kun findes én gang.",
            )
        )
    return issues


def _table_from_rows(
    cells: pd.DataFrame,
    table: Table | None,
    file: str,
    sheet: str,
    first_row: int,
    issues: list[Issue],
) -> tuple[str, pd.DataFrame] | None:
    """Find the header (and the table, if not known), check it and cut the table out of the cells."""
    match = _checked_header(cells, table, file, sheet, first_row, issues)
    if match is None:
        return None
    return match.table.name, _frame_from_cells(cells, match, first_row, file, sheet, issues)


def _checked_header(
    cells: pd.DataFrame,
    table: Table | None,
    file: str,
    sheet: str,
    first_row: int,
    issues: list[Issue],
) -> _HeaderMatch | None:
    """The header row among the first rows (and the table, if not known), or None after reporting why not."""
    head = cells.iloc[:HEADER_SEARCH_ROWS].to_numpy(dtype=object).tolist()
    if table is not None:
        match = _find_header(head, table)
    else:
        match, _ = _detect_table(head)
        if match is None:
            names = ", ".join(f"{t.sheet} ({t.csv_name})" for t in ALL_TABLES)
            issues.append(
                error(
                    "Kan ikke se hvilken tabel filen indeholder",
                    file=file,
                    sheet=sheet,
                    hint=(
                        f"Fundne overskrifter: {_join(_first_nonempty_row(head)) or 'ingen'}. "
                        f"Navngiv filen efter tabellen, fx tilbud.csv, eller brug overskrifterne fra skabelonen. "
                        f"Tabeller: {names}."
                    ),
                )
            )
            return None
    if match is None:
        found = _first_nonempty_row(head)
        where = f"arket {table.sheet}" if sheet else f"tabellen {table.sheet}"
        issues.append(
            error(
                f"Ingen kendte kolonneoverskrifter i de første {HEADER_SEARCH_ROWS} rækker i {where}",
                file=file,
                sheet=sheet,
                column=next((f.header for f in table.fields if f.required), ""),
                hint=(
                    f"Fundne overskrifter: {_join(found) or 'ingen'}. "
                    f"Forventede overskrifter: {_join([f.header for f in table.fields])}."
                ),
            )
        )
        return None
    header_row = first_row + match.row_index
    problems = _header_issues(match, file, sheet, header_row)
    issues.extend(problems)
    if any(p.is_error for p in problems):
        return None
    return match


def _too_many_rows(file: str, sheet: str, rows: int, max_rows: int) -> Issue:
    return error(
        f"For mange rækker ({rows:,}); højst {max_rows:,} rækker kan indlæses".replace(",", "."),
        file=file,
        sheet=sheet,
        hint="Del data op i flere filer, eller fjern tomme og overflødige rækker.",
    )
