"""The fast way to read a workbook's sheets (fastexcel, into Arrow columns), and why a sheet must go the
calamine way instead."""

from __future__ import annotations

import contextlib
import io
import posixpath
import queue
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pacompute
import python_calamine as pc

from civilkort.schema import Table

from .excel_package import _CELL_END, _ROOT, _ROW_REF, _VALUE, _SheetXml, _workbook_part
from .excel_sheet import _is_list_header, _read_as, _SheetRead, _unmerge
from .tables import (
    HEADER_SEARCH_ROWS,
    _checked_header,
    _detect_table,
    _excel_column,
    _frame_from_cells,
    _HeaderMatch,
    _too_many_rows,
    table_for_name,
)

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
