"""The one table in a CSV file: its encoding, separator (dialect) and header row found, then parsed."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from civilkort.issues import Issue, error, warning
from civilkort.schema import Table

from .content import _KIND_NAMES, _content_kind, _decode
from .tables import (
    HEADER_SEARCH_ROWS,
    _cell_text,
    _detect_table,
    _excel_column,
    _find_header,
    _HeaderMatch,
    _table_from_rows,
    _too_many_rows,
    table_for_name,
)

CSV_SEPARATORS = (";", "\t", ",", "|")


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
