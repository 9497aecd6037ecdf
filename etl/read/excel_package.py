"""An .xlsx package before anything reads it: safety checks (zip and XML bombs), its sheets' parts,
and what the worksheet XML says that calamine's values do not (hidden rows, errors, merges)."""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import defusedxml.ElementTree as DefusedET

from civilkort.issues import Issue, error

from .content import _KIND_NAMES

# ---------------------------------------------------------------- workbooks: safety and what calamine does not say


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
