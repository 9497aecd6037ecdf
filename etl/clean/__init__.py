"""Parse raw input values into typed columns: text, numbers, dates, yes/no, vocabulary
codes, municipality codes and lists.

Every column is parsed once per distinct value and the result mapped back onto the
rows, so a 300,000-row table with few distinct dates or themes costs little.  Bad
values become ``Issue``s located by file, sheet, row and Danish column header; the
value itself is left empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from civilkort.issues import Issue
from civilkort.schema import TABLES, VOCABULARY_ADDITIONS
from etl.read import RawInput

from .columns import (
    KIND_DTYPES,
    LIST_KINDS,
    MAX_ISSUES_PER_COLUMN,
    STRING_KINDS,
    _clean_table,
    empty_column,
    empty_table,
)
from .values import _vocabulary_lookups
from .vocabularies import VOCABULARY_COLUMNS, _clean_vocabularies, builtin_vocabularies, code_for_label

__all__ = [
    "KIND_DTYPES",
    "LIST_KINDS",
    "MAX_ISSUES_PER_COLUMN",
    "STRING_KINDS",
    "VOCABULARY_COLUMNS",
    "CleanInput",
    "builtin_vocabularies",
    "clean",
    "code_for_label",
    "empty_column",
    "empty_table",
]


@dataclass
class CleanInput:
    """Typed tables (all five data tables), the vocabularies in force, and the issues found."""

    tables: dict[str, pd.DataFrame]
    vocabularies: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)


def clean(raw: RawInput) -> CleanInput:
    """Typed tables and vocabularies from raw input; bad values become issues, never exceptions."""
    issues: list[Issue] = []
    vocabularies = _clean_vocabularies(raw.tables.get(VOCABULARY_ADDITIONS.name), issues)
    lookups = _vocabulary_lookups(vocabularies)
    tables = {t.name: _clean_table(t, raw.tables.get(t.name), lookups, issues) for t in TABLES}
    return CleanInput(tables, vocabularies, issues)
