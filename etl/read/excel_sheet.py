"""One sheet read the calamine way (every cell a Python value), and what both ways share."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import python_calamine as pc

from civilkort.issues import Issue, error, warning
from civilkort.reference import fold
from civilkort.schema import ALL_TABLES, Table

from .excel_package import _SheetXml
from .tables import (
    HEADER_SEARCH_ROWS,
    _cell_text,
    _detect_table,
    _find_header,
    _HeaderMatch,
    _table_from_rows,
    _too_many_rows,
    header_keys,
    table_for_name,
)


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
