"""Every table sheet of a workbook (.xlsx, .xlsm or the old .xls): the file checked, each sheet read
the fast way or the calamine way, and what the worksheet XML shows added to the issues."""

from __future__ import annotations

import logging
import mmap
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import python_calamine as pc

from civilkort.issues import Issue, error, warning
from civilkort.reference import fold

from .content import _KIND_NAMES, _content_kind, _decode, _looks_like_text
from .excel_fast import _LOADERS, _fast_frame, _fast_head, _fast_problem, _fast_rows, _FastBook, _open_fast
from .excel_package import _check_package, _scan_sheets
from .excel_sheet import _calamine_sheet, _not_a_table, _sheet_findings, _SheetRead
from .tables import MAX_UNZIPPED_BYTES, TEMPLATE_SHEETS

_log = logging.getLogger(__name__)
logging.getLogger("fastexcel").setLevel(logging.ERROR)  # not 'falling back to string' for every empty column


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


def _checked_kind(
    path: Path, file: str, issues: list[Issue], max_unzipped: int
) -> tuple[str, dict[str, str]] | None:
    """What the file's bytes say it is ('zip' or 'ole') and an .xlsx package's sheet parts; None (with the
    error in ``issues``) for an empty file, a text, PDF or HTML file named as Excel, a zip bomb or a workbook
    with a password."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    kind = _content_kind(head)
    if kind not in ("zip", "ole"):
        if kind == "empty":
            issues.append(error(f"Filen {file} er tom (0 byte)", file=file, hint="Gem filen igen fra Excel."))
            return None
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
            return None
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
        return None
    parts: dict[str, str] = {}
    if kind == "zip":
        ok, parts = _check_package(path, file, issues, max_unzipped)
        if not ok:
            return None
    elif _is_encrypted(path):
        issues.append(
            error(
                "Excel-filen er beskyttet med adgangskode og kan ikke læses",
                file=file,
                hint="Åbn filen i Excel, fjern adgangskoden (Filer > Info > Beskyt projektmappe) og gem den igen.",
            )
        )
        return None
    return kind, parts


def _old_format(path: Path, kind: str, file: str, issues: list[Issue]) -> None:
    """Say so when an old .xls workbook is named .xlsx (it is read all the same)."""
    if kind == "ole" and path.suffix.lower() != ".xls":
        issues.append(
            warning(
                f"Filen {file} er i det gamle Excel-format (.xls), selvom navnet ender på {path.suffix}; "
                "den læses alligevel",
                file=file,
                hint="Gem den gerne som 'Excel-projektmappe (*.xlsx)'.",
            )
        )


def sheet_rows(
    path: Path, issues: list[Issue], max_unzipped: int = MAX_UNZIPPED_BYTES
) -> tuple[str, list[list[object]]] | None:
    """The first visible worksheet with data, as calamine's raw cell values (empty rows and columns around
    the data left out), and its name; after the same checks as every workbook. None, with the errors in
    ``issues``, if the file cannot be read; ('', []) for a workbook without data.

    For inputs that are not the schema's tables (an indicator's two columns), where ``_read_excel``'s
    header-typed frames do not fit."""
    file = path.name
    checked = _checked_kind(path, file, issues, max_unzipped)
    if checked is None:
        return None
    workbook = _open_workbook(path, checked[0], file, issues)
    if workbook is None:
        return None
    _old_format(path, checked[0], file, issues)
    try:
        for meta in workbook.sheets_metadata:
            if meta.visible != pc.SheetVisibleEnum.Visible or meta.typ != pc.SheetTypeEnum.WorkSheet:
                continue
            cells = workbook.get_sheet_by_name(meta.name).to_python(skip_empty_area=True)
            if any(any(c != "" for c in row) for row in cells):
                return meta.name, cells
    except Exception as exc:  # calamine: broken or hostile XML in a sheet or the shared strings
        issues.append(
            error(
                f"Excel-filen {file} kan ikke læses ({type(exc).__name__})",
                file=file,
                value=str(exc)[:200],
                hint="Filen er måske beskadiget. Åbn den i Excel og gem den igen som .xlsx.",
            )
        )
        return None
    finally:
        workbook.close()
    return "", []


def _read_excel(
    path: Path, issues: list[Issue], max_rows: int, max_unzipped: int = MAX_UNZIPPED_BYTES
) -> list[tuple[str, pd.DataFrame]]:
    """Every table sheet of a workbook (.xlsx, .xlsm or the old .xls)."""
    file = path.name
    checked = _checked_kind(path, file, issues, max_unzipped)
    if checked is None:
        return []
    kind, parts = checked
    scan: Future | None = None
    fast: _FastBook | None = None
    if kind == "zip":
        pool = ThreadPoolExecutor(max_workers=1)
        scan = pool.submit(_scan_sheets, path, parts)
        pool.shutdown(wait=False)
        fast = _open_fast(path, parts)
    whole = None if fast is not None else _open_workbook(path, kind, file, issues)
    workbook = fast.head if fast is not None else whole
    if workbook is None:
        if scan is not None:
            scan.cancel()
        return []
    _old_format(path, kind, file, issues)

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
