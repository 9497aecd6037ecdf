"""Read input files (Excel workbooks, CSV files, folders of them) into raw tables.

The raw layer only finds the tables, matches the headers to schema fields and keeps
where every row came from; the values stay as they were typed (text, or the cell
values Excel stored) and are parsed in :mod:`etl.clean`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import python_calamine as pc

from civilkort.issues import InputError, Issue, error, warning
from civilkort.reference import fold
from civilkort.schema import ALL_TABLES, TABLES_BY_NAME, Table

MAX_FILE_BYTES = 250 * 1024 * 1024
"""Largest input file read (bytes)."""
MAX_ROWS = 1_000_000
"""Most data rows read from one sheet or CSV file."""
HEADER_SEARCH_ROWS = 10
"""The header row is looked for within this many rows from the top."""

EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})
CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
INSTRUCTIONS_SHEET = "Vejledning"
LISTS_SHEET = "Lister"
TEMPLATE_SHEETS = frozenset({fold(INSTRUCTIONS_SHEET), fold(LISTS_SHEET)})
"""The template's own sheets: skipped without a warning."""
PROVENANCE = ["_file", "_sheet", "_row"]

CSV_SEPARATORS = (";", "\t", ",", "|")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

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
    return str(value).strip()


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
        name = keys.get(fold(text)) if text else None
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
        stripped = col.str.strip()
        return stripped.mask((stripped == "").fillna(False))
    kind = pd.api.types.infer_dtype(col, skipna=True)
    if kind == "empty":
        return pd.Series([None] * len(col), index=col.index, dtype=object)
    if kind == "string":
        return _clean_cells(col.astype("string"))
    try:
        stripped = col.str.strip()
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
) -> pd.DataFrame:
    """Cut a table out of a grid of cells below its header row; rows numbered from ``first_row``."""
    table = match.table
    header_row = first_row + match.row_index
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
        if h or pos >= data.shape[1]:
            continue
        col = _clean_cells(data.iloc[:, pos])
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
        {name: _clean_cells(data.iloc[:, pos]) for pos, name in match.columns.items()},
        index=data.index,
    )
    order = [f for f in table.field_names if f in out.columns]
    out = out[order]
    rows = pd.Series(range(header_row + 1, header_row + 1 + len(data)), index=data.index, dtype="int64")
    keep = out.notna().any(axis=1) if len(out.columns) else pd.Series(False, index=data.index)
    out = out[keep].reset_index(drop=True)
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
    return match.table.name, _frame_from_cells(cells, match, first_row, file, sheet, issues)


def _too_many_rows(file: str, sheet: str, rows: int, max_rows: int) -> Issue:
    return error(
        f"For mange rækker ({rows:,}); højst {max_rows:,} rækker kan indlæses".replace(",", "."),
        file=file,
        sheet=sheet,
        hint="Del data op i flere filer, eller fjern tomme og overflødige rækker.",
    )


def _read_excel(path: Path, issues: list[Issue], max_rows: int) -> list[tuple[str, pd.DataFrame]]:
    """Every table sheet of a workbook."""
    file = path.name
    with path.open("rb") as fh:
        magic = fh.read(8)
    if magic == _OLE_MAGIC:
        issues.append(
            error(
                "Filen er ikke i .xlsx-format (gammelt Excel-format eller beskyttet med adgangskode)",
                file=file,
                hint="Åbn filen i Excel, fjern evt. adgangskoden og gem den som 'Excel-projektmappe (*.xlsx)'.",
            )
        )
        return []
    if magic[:4] != _ZIP_MAGIC:
        issues.append(
            error(
                f"Filen {file} er ikke en Excel-fil, selvom navnet ender på {path.suffix}",
                file=file,
                hint="Gem filen fra Excel som 'Excel-projektmappe (*.xlsx)', eller som CSV med endelsen .csv.",
            )
        )
        return []
    try:
        workbook = pc.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises several types for broken files
        issues.append(
            error(
                f"Excel-filen {file} kan ikke læses ({type(exc).__name__})",
                file=file,
                value=str(exc)[:200],
                hint="Filen er måske beskadiget. Åbn den i Excel og gem den igen som .xlsx.",
            )
        )
        return []
    out: list[tuple[str, pd.DataFrame]] = []
    with workbook:
        for meta in workbook.sheets_metadata:
            name = meta.name
            if fold(name) in TEMPLATE_SHEETS:
                continue
            if meta.visible != pc.SheetVisibleEnum.Visible:
                issues.append(
                    warning(
                        f"Det skjulte ark '{name}' ignoreres",
                        file=file,
                        sheet=name,
                        hint="Vis arket i Excel (højreklik på et faneblad > Vis), hvis det skal indlæses.",
                    )
                )
                continue
            table = table_for_name(name)
            if table is None or meta.typ != pc.SheetTypeEnum.WorkSheet:
                issues.append(
                    warning(
                        f"Arket '{name}' svarer ikke til nogen tabel og ignoreres",
                        file=file,
                        sheet=name,
                        hint=f"Ark der indlæses: {', '.join(t.sheet for t in ALL_TABLES)}. Omdøb arket, hvis det skal med.",
                    )
                )
                continue
            sheet = workbook.get_sheet_by_name(name)
            limit = max_rows + HEADER_SEARCH_ROWS + 1
            if sheet.total_height > limit:
                grid = sheet.to_python(skip_empty_area=False, nrows=limit + 1)
            else:
                grid = sheet.to_python(skip_empty_area=False)
            while grid and not any(c != "" for c in grid[-1]):
                grid.pop()
            if len(grid) > limit:
                issues.append(_too_many_rows(file, name, sheet.total_height, max_rows))
                continue
            if not grid:
                issues.append(warning(f"Arket '{name}' er tomt", file=file, sheet=name))
                continue
            cells = pd.DataFrame(grid, dtype=object)
            found = _table_from_rows(cells, table, file, name, 1, issues)
            if found is not None:
                if len(found[1]) > max_rows:
                    issues.append(_too_many_rows(file, name, len(found[1]), max_rows))
                    continue
                out.append(found)
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


def _sniff(text: str, table: Table | None) -> tuple[str, _HeaderMatch | None, list[int]]:
    """Choose the separator whose split gives the best header match (and the match itself)."""
    best: tuple[int, str, _HeaderMatch | None, list[int]] | None = None
    fallback: tuple[int, str, list[int]] | None = None
    for sep in CSV_SEPARATORS:
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
    assert fallback is not None
    return fallback[1], None, fallback[2]


_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")


def _parse_csv(
    text: str, utf8: bytes, sep: str, skip_lines: int, width: int, file: str, issues: list[Issue]
) -> pd.DataFrame:
    """All records from line ``skip_lines`` on, as 'string' columns numbered 0..width-1.

    Fast path: pyarrow's parser (it drops blank lines, so only used when there are none);
    then pandas' C parser (keeps blank lines, so row numbers stay right); then the csv module
    (rows longer than the header).
    """
    names = [str(i) for i in range(width)]
    if not _BLANK_LINE.search(text.rstrip()):
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
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        issues.append(
            error(
                f"Filen {file} er en Excel-fil, ikke en CSV-fil",
                file=file,
                hint="Omdøb filen, så den ender på .xlsx, eller gem den fra Excel som CSV.",
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
    if not text.strip():
        issues.append(warning(f"Filen {file} er tom", file=file))
        return []
    stem_table = table_for_name(path.stem)
    sep, match, starts = _sniff(text, stem_table)
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
    found = _table_from_rows(cells, match.table, file, "", first_row, issues)
    return [found] if found is not None else []


def _expand(paths: Sequence[Path | str], issues: list[Issue]) -> list[Path]:
    """Files to read: the given files, and the input files in given folders (not recursive)."""
    files: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
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
