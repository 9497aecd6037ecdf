"""HSDS 3.0 data as flat records, whichever form it was read from (``tabular`` for data
packages and CSV files, ``json_forms`` for the JSON forms).  Every record remembers where it
came from (file, resource, row, JSON path).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .mapping import ENTITIES, field_types

DATAPACKAGE = "datapackage.json"
IGNORED_ENTITIES = frozenset(
    {
        "accessibility",
        "cost_option",
        "language",
        "meta_table_description",
        "required_document",
        "service_capacity",
        "unit",
        "url",
    }
)
"""HSDS 3.0 entities Civilsamfundskortet has no use for: skipped without a warning."""

_ALIASES: dict[str, str] = {
    **{e: e for e in ENTITIES},
    **{Path(p).stem: e for e, p in ENTITIES.items()},
    "organisation": "organization",
    "organisations": "organization",
    "services_at_location": "service_at_location",
    "service_at_locations": "service_at_location",
    "services_at_locations": "service_at_location",
    "taxonomy_terms": "taxonomy_term",
    "taxonomies": "taxonomy",
    "attributes": "attribute",
}


@dataclass
class Record:
    """One HSDS record: its scalar fields and where it was read."""

    entity: str
    data: dict[str, object]
    file: str
    sheet: str
    row: int
    path: str = ""
    key: str = ""
    columns: frozenset[str] | None = None

    def where(self, column: str = "", value: object = "") -> dict:
        """Location keywords for an Issue about this record."""
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": column,
            "value": value_text(value),
        }


@dataclass
class HsdsData:
    """Records per entity, plus what the package says about itself."""

    records: dict[str, list[Record]] = field(default_factory=dict)
    label: str = ""
    title: str = ""
    is_profile: bool = False

    def add(self, record: Record) -> None:
        """Append a record to its entity's list."""
        self.records.setdefault(record.entity, []).append(record)

    def get(self, entity: str) -> list[Record]:
        """The records of one entity (empty list if none)."""
        return self.records.get(entity, [])


def value_text(value: object) -> str:
    """A value as short text for an Issue ('100' for 100.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:197] + "..."


def entity_for(name: str) -> str | None:
    """The HSDS entity a resource or file name stands for ('organizations' -> 'organization')."""
    key = re.sub(r"[^a-z_]", "", Path(str(name).lower()).stem.replace("-", "_").replace(" ", "_"))
    return _ALIASES.get(key)


def coerce(entity: str, name: str, value: object) -> object:
    """A text cell as the JSON type our schema gives the field (numbers); other values unchanged."""
    if field_types(entity).get(name) in ("number", "integer") and isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return value
        if number == number and number not in (float("inf"), float("-inf")):
            return number
    return value


def _decode(data: bytes) -> str:
    """Text of a CSV or JSON file: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def entity_for_ignored(name: str) -> bool:
    """True for HSDS resources Civilsamfundskortet skips on purpose (languages, accessibility ...)."""
    key = re.sub(r"[^a-z_]", "", Path(str(name).lower()).stem)
    return (
        key in IGNORED_ENTITIES
        or key.rstrip("s") in IGNORED_ENTITIES
        or key == "accessibility_for_disabilities"
    )
