"""Read input files (Excel workbooks, CSV files, folders of them) into raw tables.

The raw layer only finds the tables, matches the headers to schema fields and keeps
where every row came from; the values stay as they were typed (text, or the cell
values Excel stored) and are parsed in :mod:`etl.clean`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from civilkort.issues import InputError, Issue, error, warning
from civilkort.schema import ALL_TABLES, Table

from .csv_files import CSV_SEPARATORS, _read_csv
from .excel import _read_excel, sheet_rows
from .tables import (
    BLANKS,
    CSV_SUFFIXES,
    EXCEL_SUFFIXES,
    HEADER_SEARCH_ROWS,
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_UNZIPPED_BYTES,
    PROVENANCE,
    TEMPLATE_SHEETS,
    RawInput,
    header_keys,
    table_for_name,
)

if TYPE_CHECKING:
    from etl.hsds.vocabulary_map import VocabularyMap

__all__ = [
    "BLANKS",
    "CSV_SEPARATORS",
    "CSV_SUFFIXES",
    "EXCEL_SUFFIXES",
    "HEADER_SEARCH_ROWS",
    "INSTRUCTIONS_SHEET",
    "LISTS_SHEET",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_UNZIPPED_BYTES",
    "PROVENANCE",
    "TEMPLATE_SHEETS",
    "RawInput",
    "header_keys",
    "read_inputs",
    "sheet_rows",
    "table_for_name",
]


def _is_hsds(path: Path) -> bool:
    """An Open Referral HSDS input (package folder, datapackage.json, zip, folder of HSDS CSV files, JSON)."""
    if path.suffix.lower() not in {".json", ".zip"} and not path.is_dir():
        return False
    from etl.hsds.importer import is_hsds_input

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
    path: Path,
    issues: list[Issue],
    max_bytes: int,
    max_rows: int,
    vocabulary_map: VocabularyMap | None = None,
) -> list[tuple[str, pd.DataFrame]]:
    if _is_hsds(path):
        from etl.hsds.importer import read_hsds

        return read_hsds(path, issues, max_bytes=max_bytes, max_rows=max_rows, vocabulary_map=vocabulary_map)
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
    vocabulary_map: VocabularyMap | None = None,
) -> RawInput:
    """Read Excel workbooks, CSV files and folders of them; raise InputError listing every error found.

    ``vocabulary_map`` (an ``etl.hsds.vocabulary_map.VocabularyMap``; default the shipped one) translates other
    publishers' taxonomy terms in HSDS inputs."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    issues: list[Issue] = []
    parts: dict[str, list[pd.DataFrame]] = {}
    for path in _expand(paths, issues):
        for name, frame in _read_file(path, issues, max_bytes, max_rows, vocabulary_map):
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
