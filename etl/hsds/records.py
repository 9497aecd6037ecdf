"""HSDS 3.0 data as flat records, whichever form it was read from (``tabular`` for data
packages and CSV files, ``json_forms`` for the JSON forms).  Every record remembers where it
came from (file, resource, row, JSON path).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .mapping import ENTITIES, field_types, own_schema

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


TYPE_WORDS = {
    "string": "tekst",
    "number": "et tal",
    "integer": "et heltal",
    "boolean": "sand/falsk (true/false)",
    "array": "en liste",
    "object": "et objekt",
    "null": "ingenting (null)",
}
"""JSON Schema types in Danish, for messages."""


def type_word(value: object) -> str:
    """What a JSON value is, in Danish ('et tal', 'en liste' ...)."""
    if isinstance(value, bool):
        return TYPE_WORDS["boolean"]
    if isinstance(value, int | float):
        return TYPE_WORDS["number"]
    if isinstance(value, str):
        return TYPE_WORDS["string"]
    if isinstance(value, list):
        return TYPE_WORDS["array"]
    return TYPE_WORDS["null"] if value is None else TYPE_WORDS["object"]


def entity_for(name: str) -> str | None:
    """The HSDS entity a resource or file name stands for ('organizations' -> 'organization')."""
    key = re.sub(r"[^a-z_]", "", Path(str(name).lower()).stem.replace("-", "_").replace(" ", "_"))
    return _ALIASES.get(key)


def entity_in_name(name: str) -> str | None:
    """The HSDS entity a file's name starts with ('service_full.json', 'organizations-2.json')."""
    key = re.sub(r"[^a-z_]", "", Path(str(name).lower()).stem.replace("-", "_").replace(" ", "_"))
    if key in _ALIASES:
        return _ALIASES[key]
    starts = [a for a in _ALIASES if key.startswith(a + "_")]
    return _ALIASES[max(starts, key=len)] if starts else None


@cache
def _shape(entity: str) -> tuple[frozenset[str], frozenset[str]]:
    """(every property, the required ones that are not links) of an entity in our schema."""
    schema = own_schema(entity)
    required = frozenset(r for r in schema.get("required", ()) if not r.endswith("_id"))
    return frozenset(schema["properties"]), required


def schema_fields(entity: str) -> frozenset[str]:
    """Every property of an entity in our schema (HSDS 3.0's, with the profile's additions)."""
    return _shape(entity)[0]


@cache
def entities_fitting(keys: frozenset[str]) -> tuple[str, ...]:
    """The HSDS entities whose schema an object with these keys fits best, best first.

    An entity's misfit is the number of keys that are not its properties plus its required
    fields (links aside, which nesting implies) that are missing. Every entity with the least
    misfit is returned; none when that misfit outweighs the keys that do fit (not HSDS).
    """
    scores: dict[str, int] = {}
    for entity in ENTITIES:
        props, required = _shape(entity)
        if len(keys & props) * 2 > len(keys):
            scores[entity] = len(keys - props) + len(required - keys)
    if not scores:
        return ()
    best = min(scores.values())
    return tuple(e for e, s in scores.items() if s == best)


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
