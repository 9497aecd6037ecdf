"""Read input files (Excel workbooks, CSV files, folders of them) into raw tables.

The raw layer only finds the tables, matches the headers to schema fields and keeps
where every row came from; the values stay as they were typed (text, or the cell
values Excel stored) and are parsed in :mod:`etl.clean`.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import mmap
import posixpath
import queue
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import IO

import defusedxml.ElementTree as DefusedET
import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pacompute
import pyarrow.csv as pacsv
import python_calamine as pc

from civilkort.issues import InputError, Issue, error, warning
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

CSV_SEPARATORS = (";", "\t", ",", "|")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PDF_MAGIC = b"%PDF"

_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "email": ("e-mail", "mail", "e-mailadresse", "emailadresse"),
    "postcode": ("postnr", "post nr", "zip", "zip code", "postal code"),
    "website": ("url", "web", "webside", "hjemmeside"),
    "cvr": ("cvr", "cvr nr", "cvrnr"),
}
"""Common spellings not declared as Field.aliases (see the report to the schema owner)."""

_log = logging.getLogger(__name__)
logging.getLogger("fastexcel").setLevel(logging.ERROR)  # not 'falling back to string' for every empty column


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


# ---------------------------------------------------------------- workbooks: safety and what calamine does not say


def _content_kind(head: bytes) -> str:
    """What the first bytes of a file say it is: 'empty', 'zip', 'ole', 'pdf', 'html', 'xml-spreadsheet'
    (Excel 2003 XML) or 'other'."""
    if not head:
        return "empty"
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    if head.startswith(_PDF_MAGIC):
        return "pdf"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        return "xml-spreadsheet"
    if start.startswith((b"<!doctype html", b"<html", b"<table")) or (
        start.startswith(b"<") and b"<html" in head.lower()
    ):
        return "html"
    return "other"


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _looks_like_text(text: str) -> bool:
    """True if decoded text has no control characters other than tab and line breaks."""
    return _CONTROL_CHARS.search(text) is None


_KIND_NAMES = {
    "pdf": "en PDF-fil",
    "html": "en webside (HTML)",
    "zip": "en zip-fil, men ikke en Excel-projektmappe",
    "empty": "tom (0 byte)",
    "xml-spreadsheet": "et regneark i det gamle XML-format (Excel 2003)",
}


def _workbook_part(zf: zipfile.ZipFile) -> str | None:
    """The workbook part of an OOXML package ('xl/workbook.xml'), or None if it is not a workbook."""
    names = set(zf.namelist())
    if "_rels/.rels" in names:
        try:
            rels = DefusedET.fromstring(zf.read("_rels/.rels"))
        except Exception:  # a broken package: calamine will say so
            rels = None
        for rel in rels if rels is not None else ():
            if rel.get("Type", "").endswith("/officeDocument"):
                target = rel.get("Target", "").lstrip("/")
                if target in names:
                    return target
    return "xl/workbook.xml" if "xl/workbook.xml" in names else None


def _sheet_parts(zf: zipfile.ZipFile, workbook: str) -> dict[str, str]:
    """Sheet name -> its XML part in the package (parsed with defusedxml)."""
    folder = posixpath.dirname(workbook)
    rels_part = posixpath.join(folder, "_rels", posixpath.basename(workbook) + ".rels")
    try:
        book = DefusedET.fromstring(zf.read(workbook))
        rels = DefusedET.fromstring(zf.read(rels_part))
    except Exception:  # calamine reports broken packages
        return {}
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        path = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join(folder, target))
        )
        targets[rel.get("Id")] = path
    out = {}
    for el in book.iter():
        if el.tag.rsplit("}", 1)[-1] == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), None)
            if rid in targets:
                out[el.get("name", "")] = targets[rid]
    return out


def _package_problem(zf: zipfile.ZipFile, file: str, max_unzipped: int) -> Issue | None:
    """Refuse packages that unpack too big (zip bombs) or carry XML entity definitions (XML bombs)."""
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if total > max_unzipped:
        return error(
            f"Excel-filen fylder {total / 1024**3:.1f} GB udpakket; højst {max_unzipped / 1024**3:.0f} GB "
            "kan læses",
            file=file,
            hint="Filen er usædvanligt stor indeni (evt. en såkaldt zip-bombe). Gem data i en ny projektmappe, "
            "eller del dem op i flere filer.",
        )
    for info in infos:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        with zf.open(info) as fh:
            head = fh.read(8192)
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            return error(
                "Excel-filen indeholder XML-definitioner (DOCTYPE/ENTITY), som Excel aldrig skriver; "
                "den afvises af sikkerhedshensyn",
                file=file,
                value=info.filename,
                hint="Filen er lavet eller ændret af et andet program. Åbn den i Excel og gem den som en ny .xlsx, "
                "eller få en ny kopi fra afsenderen.",
            )
    return None


@dataclass
class _SheetXml:
    """What the worksheet XML says that calamine's values do not; 0-based (row, column)."""

    hidden_rows: list[int] = field(default_factory=list)
    uncached: list[tuple[int, int]] = field(default_factory=list)  # formulas without a stored result
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # cells holding #N/A, #DIV/0! ...
    merges: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)  # as calamine's
    iso_dates: bool = False  # cells of type 'd' (an ISO 8601 date as text)


_SCAN_CHUNK = 8 * 1024 * 1024
_SCAN_OVERLAP = 1024 * 1024  # longer than any one cell's XML
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_ROW_REF = re.compile(rb'\br="(\d+)"')
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*\bhidden="(?:1|true)"[^>]*>')
_FORMULA_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b")
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*\bt="e"[^>]*)>')
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
_VALUE = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>([^<]*)<)")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_ISO_DATE_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*\bt="d"')
_HIDDEN_GATE = re.compile(rb"hidden=")
_ERROR_OR_DATE_GATE = re.compile(rb't="[ed]"')


def _cell_position(attrs: bytes) -> tuple[int, int] | None:
    m = _CELL_REF.search(attrs)
    if m is None:
        return None
    return _reference(m[1], m[2])


def _reference(letters: bytes, digits: bytes) -> tuple[int, int]:
    """0-based (row, column) of a cell reference's letters and digits (b'B', b'3' -> (2, 1))."""
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return int(digits) - 1, col - 1


def _scan_sheet_xml(fh: IO[bytes]) -> _SheetXml:
    """Hidden rows, formulas without a stored result, error cells, merged cells and ISO dates, by a
    chunked scan of the XML."""
    found = _SheetXml()
    tail = b""
    formula_tag = None
    while True:
        chunk = fh.read(_SCAN_CHUNK)
        buf = tail + chunk
        final = not chunk
        limit = len(buf) if final else max(0, len(buf) - _SCAN_OVERLAP)
        if formula_tag is None:  # '<f' or, in a package written with prefixes, '<x:f'
            root = _ROOT.search(buf)
            formula_tag = re.compile(
                re.escape(b"<" + (root[1] if root and root[1] else b"") + b"f") + rb"[\s>/]"
            )
        # Literal patterns: re finds them in the 200 MB of a big sheet faster than 'in' does.
        if _HIDDEN_GATE.search(buf):
            for m in _HIDDEN_ROW.finditer(buf, 0, len(buf)):
                if m.start() < limit and (r := _ROW_REF.search(m[0])):
                    found.hidden_rows.append(int(r[1]) - 1)
        if formula_tag.search(buf):
            for m in _FORMULA_CELL.finditer(buf):
                if m.start() >= limit or (pos := _cell_position(m[1])) is None:
                    continue
                end = _CELL_END.search(buf, m.end())
                if end is None:
                    continue
                value = _VALUE.search(buf, m.end(), end.start())
                is_text = b't="str"' in m[1]
                if value is None or (not value[1] and not is_text):
                    found.uncached.append(pos)
        if _ERROR_OR_DATE_GATE.search(buf):
            for m in _ERROR_CELL.finditer(buf) if b't="e"' in buf else ():
                if m.start() >= limit or (pos := _cell_position(m[1])) is None:
                    continue
                end = _CELL_END.search(buf, m.end())
                value = _VALUE.search(buf, m.end(), end.start() if end else len(buf))
                found.errors[pos] = (value[1] or b"").decode("utf-8", "replace") if value else ""
            if not found.iso_dates and b't="d"' in buf:
                found.iso_dates = _ISO_DATE_CELL.search(buf) is not None
        if b"mergeCell" in buf:
            for m in _MERGE.finditer(buf):
                if m.start() >= limit:
                    continue
                first = _reference(m[1], m[2])
                found.merges.append((first, _reference(m[3], m[4]) if m[3] else first))
        tail = buf[limit:]
        if final:
            return found


def _check_package(
    path: Path, file: str, issues: list[Issue], max_unzipped: int
) -> tuple[bool, dict[str, str]]:
    """Safety checks on an .xlsx package before anything reads it; (ok to read, {sheet name: XML part})."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return True, {}  # calamine reports the broken file
    with zf:
        problem = _package_problem(zf, file, max_unzipped)
        if problem is not None:
            issues.append(problem)
            return False, {}
        workbook = _workbook_part(zf)
        if workbook is None:
            what = "et Word-dokument" if "word/document.xml" in zf.namelist() else _KIND_NAMES["zip"]
            issues.append(
                error(
                    f"Filen {file} er {what}",
                    file=file,
                    hint="Gem data fra Excel som 'Excel-projektmappe (*.xlsx)' eller som CSV.",
                )
            )
            return False, {}
        return True, _sheet_parts(zf, workbook)


def _scan_sheets(path: Path, parts: dict[str, str]) -> dict[str, _SheetXml]:
    """``_scan_sheet_xml`` for each sheet; runs in a thread while calamine (which releases the GIL) parses."""
    findings = {}
    try:
        with zipfile.ZipFile(path) as zf:
            for name, part in parts.items():
                try:
                    with zf.open(part) as fh:
                        findings[name] = _scan_sheet_xml(fh)
                except (KeyError, zipfile.BadZipFile, OSError, EOFError, zlib.error):
                    continue  # calamine reports what it cannot read
    except (zipfile.BadZipFile, OSError):
        pass
    return findings


def _unmerge(grid: list[list[object]], merges: list | None) -> list[tuple[int, int, int, int]]:
    """Show merged cells as Excel does: a value merged down several rows is each row's value.

    Returns the merges across columns as (row, first column, last row, last column) for
    ``_gather_merged_lists``.
    """
    across = []
    for (r0, c0), (r1, c1) in merges or ():
        if c1 > c0:
            across.append((r0, c0, r1, c1))
        if r1 <= r0 or r0 >= len(grid) or c0 >= len(grid[r0]):
            continue
        value = grid[r0][c0]
        for r in range(r0 + 1, min(r1, len(grid) - 1) + 1):
            row = grid[r]
            if c0 < len(row) and row[c0] == "":
                row[c0] = value
    return across


def _gather_merged_lists(
    grid: list[list[object]], across: list[tuple[int, int, int, int]], table: Table
) -> None:
    """A list column's header merged across columns ('Temaer' over D:F) gathers the values below it."""
    for r0, c0, r1, c1 in across:
        if not _is_list_header(grid, r0, c0, table):
            continue
        for row in grid[r1 + 1 :]:
            texts = [t for c in range(c0, min(c1 + 1, len(row))) if (t := _cell_text(row[c]))]
            if len(texts) > 1 or (texts and row[c0] == ""):
                row[c0] = "; ".join(texts)
                for c in range(c0 + 1, min(c1 + 1, len(row))):
                    row[c] = ""


def _is_list_header(grid: list[list[object]], r0: int, c0: int, table: Table) -> bool:
    """True if the cell (r0, c0) among the first rows holds the header of a list column."""
    if r0 >= HEADER_SEARCH_ROWS or r0 >= len(grid) or c0 >= len(grid[r0]):
        return False
    name = header_keys(table.name).get(fold(_cell_text(grid[r0][c0])))
    return name is not None and table.field(name).kind in ("vocab_list", "ref_list", "area_list")


def _sheet_findings(
    found: _SheetXml, rows: pd.Series, match: _HeaderMatch, file: str, sheet: str
) -> list[Issue]:
    """Issues for the table's own cells: Excel errors and formulas without a result (errors), hidden rows."""
    issues: list[Issue] = []
    header = match.row_index
    columns = {pos: match.table.field(name).header for pos, name in match.columns.items()}
    for (r, c), code in sorted(found.errors.items()):
        if r > header and c in columns:
            issues.append(
                error(
                    f"Cellen indeholder Excel-fejlen {code or '#FEJL'} i stedet for en værdi",
                    file=file,
                    sheet=sheet,
                    row=r + 1,
                    column=columns[c],
                    value=code,
                    hint="Ret formlen i Excel (fx et opslag, der ikke finder noget), eller skriv værdien direkte.",
                )
            )
    for r, c in sorted(set(found.uncached)):
        if r > header and c in columns and (r, c) not in found.errors:
            issues.append(
                error(
                    "Cellen har en formel uden gemt resultat, så værdien kendes ikke",
                    file=file,
                    sheet=sheet,
                    row=r + 1,
                    column=columns[c],
                    hint="Filen er gemt af et program, der ikke regner formler ud. Åbn og gem den i Excel, "
                    "eller kopier cellerne og indsæt dem som værdier.",
                )
            )
    kept = set(rows.tolist())  # 1-based rows with data in the table's columns
    hidden = sorted(r for r in set(found.hidden_rows) if r > header and r + 1 in kept)
    if hidden:
        shown = ", ".join(str(r + 1) for r in hidden[:20]) + (
            f" og {len(hidden) - 20} flere" if len(hidden) > 20 else ""
        )
        issues.append(
            warning(
                f"{len(hidden)} skjulte rækker indlæses også (række {shown})",
                file=file,
                sheet=sheet,
                row=hidden[0] + 1,
                hint="Skjulte rækker er en visning i Excel; de er stadig data. Slet rækkerne, hvis de ikke skal med.",
            )
        )
    return issues


def _is_encrypted(path: Path) -> bool:
    """True for an OLE file holding an encrypted Office package (a workbook with a password)."""
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return data.find("EncryptedPackage".encode("utf-16-le")) >= 0


def _open_workbook(path: Path, kind: str, file: str, issues: list[Issue]) -> pc.CalamineWorkbook | None:
    """Open with calamine: the format follows the content (an .xls saved as .xlsx is still read)."""
    try:
        if (
            kind == "zip"
            and path.suffix.lower() in {".xlsx", ".xlsm"}
            or kind == "ole"
            and path.suffix.lower() == ".xls"
        ):
            return pc.CalamineWorkbook.from_path(str(path))
        with path.open("rb") as fh:
            return pc.CalamineWorkbook.from_filelike(fh)
    except pc.PasswordError:
        issues.append(
            error(
                "Excel-filen er beskyttet med adgangskode og kan ikke læses",
                file=file,
                hint="Åbn filen i Excel, fjern adgangskoden (Filer > Info > Beskyt projektmappe) og gem den igen.",
            )
        )
    except Exception as exc:  # calamine raises several types for broken files
        issues.append(
            error(
                f"Excel-filen {file} kan ikke læses ({type(exc).__name__})",
                file=file,
                value=str(exc)[:200],
                hint="Filen er måske beskadiget eller beskyttet med adgangskode. Åbn den i Excel og gem den igen "
                "som .xlsx.",
            )
        )
    return None


# ---------------------------------------------------------------- workbooks: the fast path (fastexcel)
#
# calamine (python-calamine) turns every cell into a Python object: on 200,000 rows that is most of
# the reading time. fastexcel (calamine too, into Arrow columns) reads the rows below the header
# instead, in one typed column each, and only columns that are not text become Python values (the
# same ones calamine gives). The header is still found in the first rows as calamine reads them
# (from a small copy of the package holding only those rows), and a sheet goes the calamine way
# when fastexcel cannot give the same cells: merged cells reaching below the header, Excel errors,
# formulas without a result, ISO dates, times of day and durations, a column mixing kinds of values
# (numbers and text, say), a header not found in the first rows, too many rows. Each time etl.read
# logs (debug) which sheet and why.

_LOADERS = 2
"""Sheets fastexcel reads at once (one thread and one reader each)."""
_HEAD_CHUNK = 64 * 1024
_HEAD_LIMIT = 32 * 1024 * 1024  # the first rows of a sheet, as XML, larger than this: read the calamine way
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_SHEET_DATA_END = re.compile(rb"</(?:\w+:)?sheetData>")
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si(?=[\s/>])")
_SST_ROOT = re.compile(rb"<(\w+:)?sst\b")
_STRING_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*\bt="s"[^>]*>')
_DATE_1904 = re.compile(rb'\bdate1904="(?:1|true)"')
_FIRST_DAY_MS = {False: -2_208_988_800_000, True: -2_082_758_400_000}
"""Day 1 (1900-01-01, or 1904-01-02 in a 1904-based workbook) in ms since 1970: calamine gives a time
of day (not a date) for values before it."""
_DAY_MS = 86_400_000


def _first_rows_xml(fh: IO[bytes], rows: int) -> bytes | None:
    """A worksheet's XML cut after its first ``rows`` rows (closed again), or None if they are too long."""
    buf = b""
    pos = 0
    row = 0
    while True:
        chunk = fh.read(_HEAD_CHUNK)
        buf += chunk
        for m in _ROW_TAG.finditer(buf, pos):
            ref = _ROW_REF.search(m[1])
            row = int(ref[1]) if ref else row + 1
            if row > rows:
                root = _ROOT.search(buf)
                prefix = (root[1] or b"") if root else b""
                return buf[: m.start()] + b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
            pos = m.end()
        if not chunk or _SHEET_DATA_END.search(buf, pos):
            return buf + fh.read()
        if len(buf) > _HEAD_LIMIT:
            return None


def _last_shared_string(xml: bytes) -> int:
    """The highest shared-string index the cells of a worksheet's XML use (-1 if none)."""
    last = -1
    for m in _STRING_CELL.finditer(xml):
        if m[0].endswith(b"/>"):
            continue
        end = _CELL_END.search(xml, m.end())
        value = _VALUE.search(xml, m.end(), end.start() if end else len(xml))
        if value and value[1] and value[1].strip().isdigit():
            last = max(last, int(value[1]))
    return last


def _first_shared_strings(fh: IO[bytes], count: int) -> bytes:
    """The shared-strings XML cut after its first ``count`` strings (closed again)."""
    buf = b""
    pos = 0
    seen = 0
    while True:
        chunk = fh.read(_HEAD_CHUNK)
        buf += chunk
        for m in _SHARED_STRING.finditer(buf, pos):
            if seen == count:
                root = _SST_ROOT.search(buf)
                prefix = (root[1] or b"") if root else b""
                return buf[: m.start()] + b"</" + prefix + b"sst>"
            seen += 1
            pos = m.end()
        if not chunk:
            return buf


def _head_package(path: Path, parts: dict[str, str]) -> tuple[bytes, bool] | None:
    """A copy of the package holding only the first rows of each sheet (and the shared strings they
    use), for calamine to read the header rows from; and whether dates count from 1904."""
    sheets = set(parts.values())
    heads: list[bytes] = []
    strings: list[zipfile.ZipInfo] = []
    out = io.BytesIO()
    with zipfile.ZipFile(path) as zf, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as head:
        workbook = _workbook_part(zf)
        date1904 = workbook is not None and _DATE_1904.search(zf.read(workbook)) is not None
        for info in zf.infolist():
            name = info.filename
            if name in sheets:
                with zf.open(info) as fh:
                    xml = _first_rows_xml(fh, HEADER_SEARCH_ROWS)
                if xml is None:
                    return None
                heads.append(xml)
                head.writestr(name, xml)
            elif posixpath.basename(name).lower() == "sharedstrings.xml":
                strings.append(info)
            elif name.lower().endswith((".xml", ".rels")):  # not pictures and the like
                head.writestr(name, zf.read(info))
        last = max((_last_shared_string(xml) for xml in heads), default=-1)
        for info in strings:
            with zf.open(info) as fh:
                head.writestr(info.filename, _first_shared_strings(fh, last + 1))
    return out.getvalue(), date1904


@dataclass
class _FastBook:
    """A workbook opened for the fast path."""

    path: Path
    head: pc.CalamineWorkbook  # the first rows of every sheet
    date1904: bool
    # fastexcel readers of the whole workbook, not in use (a reader loads one sheet at a time)
    readers: queue.SimpleQueue = field(default_factory=queue.SimpleQueue)

    @contextlib.contextmanager
    def reader(self) -> Iterator[fastexcel.ExcelReader]:
        """A fastexcel reader for this thread alone (a reader cannot load two sheets at once)."""
        try:
            reader = self.readers.get_nowait()
        except queue.Empty:
            reader = fastexcel.read_excel(str(self.path))
        try:
            yield reader
        finally:
            self.readers.put(reader)


def _open_fast(path: Path, parts: dict[str, str]) -> _FastBook | None:
    """The workbook for the fast path, or None (then it is read the calamine way)."""
    if not parts:
        return None
    try:
        head = _head_package(path, parts)
        if head is None:
            return None
        book = pc.CalamineWorkbook.from_filelike(io.BytesIO(head[0]))
    except Exception:  # whatever is wrong, the calamine way reports it
        return None
    fast = _FastBook(path, book, head[1])
    try:
        fast.readers.put(fastexcel.read_excel(str(path)))
    except Exception:
        book.close()
        return None
    return fast


@dataclass
class _SheetRead:
    """What reading one sheet gave: its issues in order, the table, and the header for the findings."""

    issues: list[Issue] = field(default_factory=list)
    found: tuple[str, pd.DataFrame] | None = None
    match: _HeaderMatch | None = None
    head: list[list[object]] | None = None  # fast path: the first rows, to check the header against merges
    key: tuple | None = None  # fast path: what the header check found


def _read_as(name: str, table: Table, file: str) -> Issue:
    """The warning for a sheet taken as a table from its headers, not its name."""
    return warning(
        f"Arket '{name}' læses som {table.sheet} ud fra overskrifterne",
        file=file,
        sheet=name,
        hint=f"Omdøb arket til '{table.sheet}' for at være sikker.",
    )


def _head_read(
    head: list[list[object]], merges: list, table: Table | None, file: str, name: str
) -> tuple[_SheetRead, pd.DataFrame] | None:
    """The header check of the calamine way, on the first rows only; None unless it finds a header
    without errors and nothing below the header depends on the merges."""
    grid = [list(row) for row in head]
    if not grid:
        return None
    across = _unmerge(grid, merges)
    read = _SheetRead(head=head)
    if table is None:
        match, _ = _detect_table(grid[:HEADER_SEARCH_ROWS])
        if match is None:
            return None
        table = match.table
        read.issues.append(_read_as(name, table, file))
    if any(_is_list_header(grid, r0, c0, table) for r0, c0, _, _ in across):
        return None  # gathering merged list columns changes the rows below
    cells = pd.DataFrame(grid, dtype=object)
    match = _checked_header(cells, table, file, name, 1, read.issues)
    if match is None:
        return None
    read.match = match
    read.key = (
        table.name,
        match.row_index,
        tuple(match.columns.items()),
        tuple(match.headers),
        tuple((n, tuple(t)) for n, t in match.duplicates),
        tuple(tuple(sorted(i.as_dict().items())) for i in read.issues),
    )
    return read, cells


def _python_values(array: pa.Array, date1904: bool) -> pd.arrays.ArrowStringArray | np.ndarray | None:
    """One fastexcel column as calamine gives it ('' when empty), text as Arrow strings; None when the
    values would differ."""
    kind = array.type
    if not len(array):  # no rows: calamine's columns hold no text either
        return np.array([], dtype=object)
    if pa.types.is_null(kind) or pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pd.arrays.ArrowStringArray(array if kind == pa.string() else array.cast(pa.string()))
    values = np.full(len(array), "", dtype=object)
    valid = array.is_valid().to_numpy(zero_copy_only=False)
    present = array.drop_null()
    if pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        values[valid] = present.to_numpy(zero_copy_only=False).astype(object)
    elif pa.types.is_timestamp(kind) and kind.tz is None:
        ms = present.cast(pa.timestamp("ms")).cast(pa.int64())
        distinct = pacompute.unique(ms)  # few: Python values for each distinct one only
        days = distinct.to_numpy(zero_copy_only=False)
        if len(days) and days.min() < _FIRST_DAY_MS[date1904]:
            return None  # calamine gives a time of day for these
        midnight = days % _DAY_MS == 0  # a whole day: calamine gives a date
        stamps = distinct.cast(pa.timestamp("ms"))
        objects = np.empty(len(days), dtype=object)
        objects[midnight] = stamps.filter(pa.array(midnight)).cast(pa.date32()).to_pylist()
        objects[~midnight] = stamps.filter(pa.array(~midnight)).to_pylist()
        values[valid] = objects[pacompute.index_in(ms, value_set=distinct).to_numpy(zero_copy_only=False)]
    else:  # whole numbers (calamine's .xls), durations, ISO dates
        return None
    return values


def _fast_head(book: _FastBook, name: str, file: str) -> tuple[_SheetRead, pd.DataFrame] | str:
    """The header of a sheet from its first rows, or why the sheet cannot be read the fast way."""
    try:
        head = book.head.get_sheet_by_name(name).to_python(skip_empty_area=False)[:HEADER_SEARCH_ROWS]
    except Exception as exc:
        return f"its first rows cannot be read ({type(exc).__name__})"
    done = _head_read(head, [], table_for_name(name), file, name)
    return "no header without errors in the first rows" if done is None else done


@dataclass
class _Rows:
    """The rows below a header as fastexcel read them: one Arrow column per sheet column wanted."""

    batch: pa.RecordBatch
    positions: list[int]  # the sheet column of each Arrow column (0 = A)
    width: int  # columns in the sheet (up to the last one used)


def _fast_rows(book: _FastBook, name: str, match: _HeaderMatch, max_rows: int) -> _Rows | str:
    """The rows below the header (in a worker thread: fastexcel lets go of the GIL), or why not."""
    headers = match.headers
    width = 0

    def wanted(column: fastexcel.ColumnInfoNoDtype) -> bool:
        nonlocal width
        pos = column.absolute_index
        width = max(width, pos + 1)
        return pos in match.columns or pos >= len(headers) or not headers[pos]

    try:
        with book.reader() as reader:
            sheet = reader.load_sheet(
                name,
                header_row=None,
                skip_rows=match.row_index + 1,
                schema_sample_rows=None,
                dtype_coercion="strict",
                use_columns=wanted,
            )
            if sheet.total_height > max_rows + HEADER_SEARCH_ROWS + 1:
                return "too many rows"
            batch = sheet.to_arrow()
            positions = [c.absolute_index for c in sheet.selected_columns]
    except Exception as exc:  # mixed kinds of values in a column, and whatever else
        return f"fastexcel: {str(exc).splitlines()[0][:200]}"
    return _Rows(batch, positions, width)


def _fast_frame(
    read: _SheetRead, cells: pd.DataFrame, rows: _Rows, date1904: bool, file: str, name: str, max_rows: int
) -> _SheetRead | str:
    """The table below the header from fastexcel's columns, or why not."""
    match = read.match
    assert match is not None
    index = pd.RangeIndex(match.row_index + 1, match.row_index + 1 + rows.batch.num_rows)
    columns: dict[int, pd.Series] = {}
    for pos, array in zip(rows.positions, rows.batch.columns, strict=True):
        values = _python_values(array, date1904)
        if values is None:
            return f"column {_excel_column(pos)} holds {array.type} values"
        columns[pos] = pd.Series(
            values, index=index, dtype=None if isinstance(values, pd.arrays.ArrowStringArray) else object
        )
    for pos in match.columns:
        if pos not in columns:  # a header with no values below it anywhere
            columns[pos] = pd.Series(
                _python_values(pa.nulls(len(index)), date1904), index=index, dtype=object
            )
    match.headers.extend([""] * (rows.width - len(match.headers)))
    data = pd.DataFrame(columns, index=index)
    frame = _frame_from_cells(cells, match, 1, file, name, read.issues, data=data)
    if len(frame) > max_rows:
        read.issues.append(_too_many_rows(file, name, len(frame), max_rows))
        read.match = None
    else:
        read.found = (match.table.name, frame)
    return read


def _fast_problem(read: _SheetRead, found: _SheetXml | None, name: str, file: str) -> str | None:
    """Why a sheet read the fast way must be read the calamine way after all (from the scan of its XML)."""
    if found is None:
        return "its XML was not scanned"
    if found.errors or found.uncached:
        return "Excel errors or formulas without a result"
    if found.iso_dates:
        return "ISO dates"
    if found.merges:
        row = read.match.row_index if read.match is not None else HEADER_SEARCH_ROWS
        if any(r1 > r0 and r1 > row for (r0, _), (r1, _) in found.merges):
            return "merged cells below the header"
        again = _head_read(read.head or [], found.merges, table_for_name(name), file, name)
        if again is None or again[0].key != read.key:
            return "merged cells in the header"
    return None


def _calamine_sheet(workbook: pc.CalamineWorkbook, name: str, file: str, max_rows: int) -> _SheetRead:
    """One sheet the calamine way: every cell a Python value."""
    read = _SheetRead()
    issues = read.issues
    table = table_for_name(name)
    limit = max_rows + HEADER_SEARCH_ROWS + 1
    try:
        sheet = workbook.get_sheet_by_name(name)
        height = sheet.total_height
        if height > limit:
            grid = sheet.to_python(skip_empty_area=False, nrows=limit + 1)
        else:
            grid = sheet.to_python(skip_empty_area=False)
        merges = sheet.merged_cell_ranges
    except Exception as exc:  # calamine: broken or hostile XML in the sheet or shared strings
        issues.append(
            error(
                f"Arket '{name}' kan ikke læses ({type(exc).__name__})",
                file=file,
                sheet=name,
                value=str(exc)[:200],
                hint="Filen er måske beskadiget. Åbn den i Excel og gem den igen som .xlsx.",
            )
        )
        return read
    while grid and not any(c != "" for c in grid[-1]):
        grid.pop()
    if len(grid) > limit:
        issues.append(_too_many_rows(file, name, height, max_rows))
        return read
    if not grid:
        issues.append(warning(f"Arket '{name}' er tomt", file=file, sheet=name))
        return read
    across = _unmerge(grid, merges)
    if table is None:
        match, _ = _detect_table(grid[:HEADER_SEARCH_ROWS])
        if match is None:
            issues.append(_not_a_table(name, file))
            return read
        table = match.table
        issues.append(_read_as(name, table, file))
    _gather_merged_lists(grid, across, table)
    cells = pd.DataFrame(grid, dtype=object)
    found = _table_from_rows(cells, table, file, name, 1, issues)
    if found is None:
        return read
    if len(found[1]) > max_rows:
        issues.append(_too_many_rows(file, name, len(found[1]), max_rows))
        return read
    read.match = _find_header(grid[:HEADER_SEARCH_ROWS], table)
    read.found = found
    return read


def _not_a_table(name: str, file: str) -> Issue:
    """The warning for a sheet that holds no table."""
    return warning(
        f"Arket '{name}' svarer ikke til nogen tabel og ignoreres",
        file=file,
        sheet=name,
        hint=f"Ark der indlæses: {', '.join(t.sheet for t in ALL_TABLES)}. Omdøb arket, hvis det skal med.",
    )


def _read_excel(
    path: Path, issues: list[Issue], max_rows: int, max_unzipped: int = MAX_UNZIPPED_BYTES
) -> list[tuple[str, pd.DataFrame]]:
    """Every table sheet of a workbook (.xlsx, .xlsm or the old .xls)."""
    file = path.name
    with path.open("rb") as fh:
        head = fh.read(4096)
    kind = _content_kind(head)
    if kind not in ("zip", "ole"):
        if kind == "empty":
            issues.append(error(f"Filen {file} er tom (0 byte)", file=file, hint="Gem filen igen fra Excel."))
            return []
        if kind == "other":
            text = _decode(head)
            text = text if text is not None and _looks_like_text(text[0]) else None
            what = "en tekstfil (CSV eller lignende)" if text is not None else "ikke en Excel-fil"
            hint = (
                "Omdøb filen, så den ender på .csv, eller åbn den i Excel og gem den som .xlsx."
                if text is not None
                else "Gem filen fra Excel som 'Excel-projektmappe (*.xlsx)', eller som CSV med endelsen .csv."
            )
            issues.append(
                error(f"Filen {file} er {what}, selvom navnet ender på {path.suffix}", file=file, hint=hint)
            )
            return []
        hint = "Gem data fra Excel som 'Excel-projektmappe (*.xlsx)', eller som CSV med endelsen .csv."
        if kind == "html":
            hint = (
                "Nogle systemer gemmer en webside med endelsen .xls. Åbn den i Excel og "
                + hint[0].lower()
                + hint[1:]
            )
        message = f"Filen {file} er {_KIND_NAMES[kind]}, ikke en Excel-fil"
        if kind == "xml-spreadsheet":
            message = f"Filen {file} er {_KIND_NAMES[kind]}, som ikke kan læses"
            hint = "Åbn filen i Excel og gem den som 'Excel-projektmappe (*.xlsx)'."
        issues.append(error(message, file=file, hint=hint))
        return []
    scan: Future | None = None
    fast: _FastBook | None = None
    if kind == "zip":
        ok, parts = _check_package(path, file, issues, max_unzipped)
        if not ok:
            return []
        pool = ThreadPoolExecutor(max_workers=1)
        scan = pool.submit(_scan_sheets, path, parts)
        pool.shutdown(wait=False)
        fast = _open_fast(path, parts)
    elif _is_encrypted(path):
        issues.append(
            error(
                "Excel-filen er beskyttet med adgangskode og kan ikke læses",
                file=file,
                hint="Åbn filen i Excel, fjern adgangskoden (Filer > Info > Beskyt projektmappe) og gem den igen.",
            )
        )
        return []
    whole = None if fast is not None else _open_workbook(path, kind, file, issues)
    workbook = fast.head if fast is not None else whole
    if workbook is None:
        if scan is not None:
            scan.cancel()
        return []
    if kind == "ole" and path.suffix.lower() != ".xls":
        issues.append(
            warning(
                f"Filen {file} er i det gamle Excel-format (.xls), selvom navnet ender på {path.suffix}; "
                "den læses alligevel",
                file=file,
                hint="Gem den gerne som 'Excel-projektmappe (*.xlsx)'.",
            )
        )

    def the_calamine_way(name: str, why: str) -> _SheetRead:
        nonlocal whole
        if fast is not None:
            _log.debug("%s, sheet %s: read with calamine (%s)", file, name, why)
        if whole is None:
            read = _SheetRead()
            whole = _open_workbook(path, kind, file, read.issues)
            if whole is None:
                return read
        return _calamine_sheet(whole, name, file, max_rows)

    reads: dict[str, _SheetRead] = {}  # sheet -> what reading it gave, in the workbook's order
    loading: dict[str, tuple[_SheetRead, pd.DataFrame, Future]] = {}  # fast path: sheets being read
    loader = (
        ThreadPoolExecutor(max_workers=_LOADERS, thread_name_prefix="fastexcel") if fast is not None else None
    )
    try:
        for meta in workbook.sheets_metadata:
            name = meta.name
            if fold(name) in TEMPLATE_SHEETS:
                continue
            if meta.visible != pc.SheetVisibleEnum.Visible:
                reads[name] = _SheetRead(
                    [
                        warning(
                            f"Det skjulte ark '{name}' ignoreres",
                            file=file,
                            sheet=name,
                            hint="Vis arket i Excel (højreklik på et faneblad > Vis), hvis det skal indlæses.",
                        )
                    ]
                )
                continue
            if meta.typ != pc.SheetTypeEnum.WorkSheet:
                reads[name] = _SheetRead([_not_a_table(name, file)])
                continue
            head = _fast_head(fast, name, file) if fast is not None else "no fast path"
            if isinstance(head, str):
                reads[name] = the_calamine_way(name, head)
                continue
            read, cells = head
            assert loader is not None and read.match is not None
            reads[name] = read  # keeps the sheet's place
            loading[name] = (read, cells, loader.submit(_fast_rows, fast, name, read.match, max_rows))
        fast_reads: list[str] = []  # sheets read the fast way, to check against the scan
        for name, (read, cells, future) in loading.items():
            rows = future.result()
            if not isinstance(rows, str):
                rows = _fast_frame(read, cells, rows, fast.date1904, file, name, max_rows)
            if isinstance(rows, str):
                reads[name] = the_calamine_way(name, rows)
            else:
                fast_reads.append(name)
        findings = scan.result() if scan is not None else {}
        for name in fast_reads:
            if (why := _fast_problem(reads[name], findings.get(name), name, file)) is not None:
                reads[name] = the_calamine_way(name, why)
    finally:
        if loader is not None:
            loader.shutdown(wait=True, cancel_futures=True)
        workbook.close()
        if whole is not None and whole is not workbook:
            whole.close()
    out: list[tuple[str, pd.DataFrame]] = []
    for read in reads.values():
        issues.extend(read.issues)
        if read.found is not None:
            out.append(read.found)
    for name, read in reads.items():
        if read.found is not None and read.match is not None and name in findings:
            issues.extend(_sheet_findings(findings[name], read.found[1]["_row"], read.match, file, name))
    return out


def _decode(data: bytes) -> tuple[str, bytes] | None:
    """(text, the same as UTF-8 bytes) of a CSV file in UTF-8 (with or without BOM), UTF-16 or
    Windows-1252; None if the file is binary."""
    if data.startswith(b"\xef\xbb\xbf"):
        raw = data[3:]
        try:
            return raw.decode("utf-8"), raw
        except UnicodeDecodeError:
            text = raw.decode("utf-8", errors="replace")
            return text, text.encode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
        return text, text.encode("utf-8")
    head = data[:4096]
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even == 0:
            text = data.decode("utf-16-le", errors="replace")
        elif even > len(head) // 4 and odd == 0:
            text = data.decode("utf-16-be", errors="replace")
        else:
            return None
        return text, text.encode("utf-8")
    try:
        return data.decode("utf-8"), data
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        return text, text.encode("utf-8")


def _head_records(text: str, sep: str, count: int) -> tuple[list[list[str]], list[int]]:
    """The first ``count`` records and the line index each starts on."""
    reader = csv.reader(io.StringIO(text[:1_000_000]), delimiter=sep)
    records: list[list[str]] = []
    starts: list[int] = []
    line = 0
    try:
        for rec in reader:
            records.append(rec)
            starts.append(line)
            line = reader.line_num
            if len(records) >= count:
                break
    except csv.Error:
        pass
    return records, starts


def _sniff(
    text: str, table: Table | None, separators: Sequence[str] = CSV_SEPARATORS
) -> tuple[str, _HeaderMatch | None, list[int]]:
    """Choose the separator whose split gives the best header match (and the match itself)."""
    best: tuple[int, str, _HeaderMatch | None, list[int]] | None = None
    fallback: tuple[int, str, list[int]] | None = None
    for sep in separators:
        records, starts = _head_records(text, sep, HEADER_SEARCH_ROWS)
        if not records:
            continue
        widths = [len(r) for r in records if any(c.strip() for c in r)]
        width = max(set(widths), key=widths.count) if widths else 1
        if fallback is None or width > fallback[0]:
            fallback = (width, sep, starts)
        if table is not None:
            match = _find_header(records, table)
        else:
            match, _ = _detect_table(records)
        if match is not None and (best is None or match.score > best[0]):
            best = (match.score, sep, match, starts)
    if best is not None:
        return best[1], best[2], best[3]
    if fallback is None:  # not even one record could be read
        return separators[0], None, []
    return fallback[1], None, fallback[2]


_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")
_SEP_LINE = re.compile(r"sep=([;,\t|])[ \t]*\r?\n", re.IGNORECASE)


def _parse_csv(
    text: str, utf8: bytes, sep: str, skip_lines: int, width: int, file: str, issues: list[Issue]
) -> pd.DataFrame:
    """All records from line ``skip_lines`` on, as 'string' columns numbered 0..width-1.

    Fast path: pyarrow's parser (it drops blank lines, so only used when there are none);
    then pandas' C parser (keeps blank lines, so row numbers stay right); then the csv module
    (rows longer than the header).
    """
    names = [str(i) for i in range(width)]
    end = len(text)
    while end and text[end - 1].isspace():  # trailing blank lines do not count (and no copy of the text)
        end -= 1
    if not _BLANK_LINE.search(text, 0, end):
        try:
            table = pacsv.read_csv(
                io.BytesIO(utf8),
                read_options=pacsv.ReadOptions(skip_rows=skip_lines, column_names=names),
                parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
            df = table.to_pandas(types_mapper=lambda t: pd.StringDtype() if pa.types.is_string(t) else None)
            df.columns = range(width)
            return df
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            names=list(range(width)),
            skiprows=skip_lines,
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            quotechar='"',
        )
        return df.astype("string")
    except pd.errors.ParserError:
        pass
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    try:
        records = list(reader)[skip_lines:]
    except csv.Error as exc:
        issues.append(
            error(
                "CSV-filen kan ikke læses",
                file=file,
                row=reader.line_num,
                value=str(exc),
                hint='Tjek at anførselstegn (") står parvis omkring tekst med linjeskift eller skilletegn.',
            )
        )
        return pd.DataFrame()
    width = max(width, *(len(r) for r in records)) if records else width
    padded = [r + [""] * (width - len(r)) for r in records]
    return pd.DataFrame(padded, columns=range(width), dtype=object).astype("string")


def _read_csv(path: Path, issues: list[Issue], max_rows: int) -> list[tuple[str, pd.DataFrame]]:
    """The one table in a CSV file."""
    file = path.name
    data = path.read_bytes()
    kind = _content_kind(data[:4096])
    if kind in ("zip", "ole"):
        issues.append(
            error(
                f"Filen {file} er en Excel-fil, ikke en CSV-fil",
                file=file,
                hint="Omdøb filen, så den ender på .xlsx, eller gem den fra Excel som CSV.",
            )
        )
        return []
    if kind in ("pdf", "html", "xml-spreadsheet"):
        issues.append(
            error(
                f"Filen {file} er {_KIND_NAMES[kind]}, ikke en CSV-fil",
                file=file,
                hint="Gem data fra Excel som 'CSV UTF-8 (kommasepareret)' eller som .xlsx.",
            )
        )
        return []
    decoded = _decode(data)
    if decoded is None:
        issues.append(
            error(
                f"Filen {file} er ikke en tekstfil (CSV)",
                file=file,
                hint="Gem data fra Excel som 'CSV UTF-8 (kommasepareret)' eller som .xlsx.",
            )
        )
        return []
    text, utf8 = decoded
    if not text or text.isspace():
        issues.append(warning(f"Filen {file} er tom", file=file))
        return []
    if "\r" in text[:65536] and "\n" not in text:  # old Mac line endings (CR only)
        text, utf8 = text.replace("\r", "\n"), utf8.replace(b"\r", b"\n")
    separators: Sequence[str] = CSV_SEPARATORS
    if m := _SEP_LINE.match(text):  # Excel's 'sep=;' line: Excel hides it, so rows count from the next line
        separators = (m[1],)
        text, utf8 = text[m.end() :], utf8[m.end() :]
    stem_table = table_for_name(path.stem)
    sep, match, starts = _sniff(text, stem_table, separators)
    if match is None:
        records, _ = _head_records(text, sep, HEADER_SEARCH_ROWS)
        cells = pd.DataFrame(records, dtype=object)
        _table_from_rows(cells, stem_table, file, "", 1, issues)  # reports what is wrong
        return []
    skip = starts[match.row_index]
    cells = _parse_csv(text, utf8, sep, skip, len(match.headers), file, issues)
    if cells.empty:
        return []
    if len(cells) - 1 > max_rows:
        issues.append(_too_many_rows(file, "", len(cells) - 1, max_rows))
        return []
    first_row = match.row_index + 1  # the record number of the header (records before it have no line breaks)
    if (runaway := _runaway_quote(text, cells, sep, skip)) is not None:
        pos, col = runaway
        issues.append(
            error(
                'Et anførselstegn (") i cellen ser ud til at mangle sin afslutning; cellen rummer hele rækker '
                "fra resten af filen",
                file=file,
                row=first_row + pos,
                column=_cell_text(cells.iat[0, col]) or _excel_column(col),
                value=str(cells.iat[pos, col]).split("\n", 1)[0][:100],
                hint='Tekst i anførselstegn skal slutte med " (og et " inde i teksten skrives ""). '
                "Ret rækken, så de følgende rækker ikke læses ind i denne celle.",
            )
        )
        return []
    found = _table_from_rows(cells, match.table, file, "", first_row, issues)
    return [found] if found is not None else []


def _runaway_quote(text: str, cells: pd.DataFrame, sep: str, skip: int) -> tuple[int, int] | None:
    """(record, column) of a quoted cell that swallowed whole records (an unclosed quote), or None.

    Cheap unless some cell spans lines: only then are such cells looked at, and a cell counts as a
    runaway when one of its later lines has as many separators as a whole record.
    """
    width = cells.shape[1]
    if width < 3 or '"' not in text:
        return None
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines - skip <= len(cells):
        return None
    for col in range(width):
        column = cells.iloc[:, col]
        spans = column.str.contains("\n", regex=False).fillna(False).to_numpy()
        for pos in spans.nonzero()[0]:
            later = str(column.iat[pos]).split("\n")[1:]
            if any(line.count(sep) >= width - 1 for line in later):
                return int(pos), col
    return None


def _is_hsds(path: Path) -> bool:
    """An Open Referral HSDS input (package folder, datapackage.json, zip of one, JSON): read by etl.hsds."""
    if path.suffix.lower() not in {".json", ".zip"} and not (path / "datapackage.json").is_file():
        return False
    from etl.hsds import is_hsds_input

    return is_hsds_input(path)


def _expand(paths: Sequence[Path | str], issues: list[Issue]) -> list[Path]:
    """Files to read: the given files, and the input files in given folders (not recursive)."""
    files: list[Path] = []
    for p in paths:
        path = Path(p)
        if _is_hsds(path):
            files.append(path)
        elif path.is_dir():
            for child in sorted(path.iterdir()):
                if child.name.startswith((".", "~$")) or child.is_dir():
                    continue
                if child.suffix.lower() in EXCEL_SUFFIXES | CSV_SUFFIXES:
                    files.append(child)
                else:
                    issues.append(
                        warning(
                            f"Filen '{child.name}' i mappen {path.name} er hverken Excel eller CSV og ignoreres",
                            file=child.name,
                        )
                    )
        elif path.is_file():
            files.append(path)
        else:
            issues.append(
                error(
                    f"Filen eller mappen findes ikke: {path}",
                    file=path.name,
                    hint="Tjek stavningen af stien.",
                )
            )
    return files


def _read_file(
    path: Path, issues: list[Issue], max_bytes: int, max_rows: int
) -> list[tuple[str, pd.DataFrame]]:
    if _is_hsds(path):
        from etl.hsds import read_hsds

        return read_hsds(path, issues, max_bytes=max_bytes, max_rows=max_rows)
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if size > max_bytes:
        issues.append(
            error(
                f"Filen er for stor ({size / 1024**2:.0f} MB); højst {max_bytes / 1024**2:.0f} MB kan indlæses",
                file=path.name,
                hint="Del data op i flere filer, eller fjern billeder og formatering.",
            )
        )
        return []
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, issues, max_rows)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, issues, max_rows)
    hint = "Brug Excel (.xlsx) eller CSV (.csv)."
    if suffix in {".xls", ".xlsb", ".ods", ".numbers"}:
        hint = "Åbn filen og gem den som 'Excel-projektmappe (*.xlsx)'."
    issues.append(error(f"Filtypen '{suffix or path.name}' kan ikke indlæses", file=path.name, hint=hint))
    return []


def _concat(frames: list[pd.DataFrame], table: Table) -> pd.DataFrame:
    """Rows of one table from several sources; fields in schema order, then provenance."""
    df = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    fields = [f for f in table.field_names if f in df.columns]
    df = df[fields + PROVENANCE].copy()
    for name in fields:
        col = df[name]
        if not isinstance(col.dtype, pd.StringDtype) and (col.dtype != object or col.isna().any()):
            df[name] = col.astype(object).where(col.notna(), None)
    df["_row"] = df["_row"].astype("int64")
    return df


def read_inputs(
    paths: Sequence[Path | str],
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_rows: int = MAX_ROWS,
) -> RawInput:
    """Read Excel workbooks, CSV files and folders of them; raise InputError listing every error found."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    issues: list[Issue] = []
    parts: dict[str, list[pd.DataFrame]] = {}
    for path in _expand(paths, issues):
        for name, frame in _read_file(path, issues, max_bytes, max_rows):
            parts.setdefault(name, []).append(frame)
    if not parts and not any(i.is_error for i in issues):
        issues.append(
            error(
                "Ingen tabeller fundet i input",
                file=", ".join(Path(p).name for p in paths),
                hint="Angiv en Excel-fil lavet ud fra skabelonen (python -m etl template) eller en mappe med CSV-filer.",
            )
        )
    if any(i.is_error for i in issues):
        raise InputError(issues)
    tables = {t.name: _concat(parts[t.name], t) for t in ALL_TABLES if t.name in parts}
    return RawInput(tables, issues)
