"""Read the HSDS 3.0 JSON forms into flat records: organizations or services with nested
objects, paginated lists, or one list per entity.

Nested JSON objects are flattened into the same records a tabular package holds: a service
inside an organization gets its ``organization_id``, an attribute its ``link_id`` and
``link_entity``, a nested location its id in ``service_at_location.location_id``; an object
met twice (a location under the organization and under a service) is kept once.
"""

from __future__ import annotations

import json
from pathlib import Path

from civilkort.issues import Issue, error, warning

from .records import HsdsData, Record, _decode, coerce, entity_for

_ARRAYS: dict[str, dict[str, tuple[str, str]]] = {
    "organization": {
        "services": ("service", "organization_id"),
        "locations": ("location", "organization_id"),
        "programs": ("program", "organization_id"),
        "organization_identifiers": ("organization_identifier", "organization_id"),
        "contacts": ("contact", "organization_id"),
        "phones": ("phone", "organization_id"),
        "funding": ("funding", "organization_id"),
    },
    "service": {
        "service_at_locations": ("service_at_location", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "schedules": ("schedule", "service_id"),
        "contacts": ("contact", "service_id"),
        "phones": ("phone", "service_id"),
        "funding": ("funding", "service_id"),
    },
    "service_at_location": {
        "service_areas": ("service_area", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
        "contacts": ("contact", "service_at_location_id"),
        "phones": ("phone", "service_at_location_id"),
    },
    "location": {
        "addresses": ("address", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
        "contacts": ("contact", "location_id"),
    },
    "contact": {"phones": ("phone", "contact_id")},
}
"""Nested arrays: parent entity -> {key: (child entity, the child's field that names the parent)}."""

_OBJECTS: dict[str, dict[str, tuple[str, str]]] = {
    "service": {"organization": ("organization", "organization_id"), "program": ("program", "program_id")},
    "service_at_location": {"location": ("location", "location_id")},
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
}
"""Nested single objects: parent entity -> {key: (child entity, the parent's field that names the child)}."""


class _Flattener:
    """Turns nested HSDS JSON objects into flat records, each kept once."""

    def __init__(self, file: str, data: HsdsData, issues: list[Issue]):
        self.file = file
        self.data = data
        self.issues = issues
        self.seen: dict[tuple[str, str], Record] = {}
        self.counts: dict[str, int] = {}

    def flatten(self, entity: str, obj: object, path: str, links: dict[str, object]) -> str | None:
        """Add ``obj`` (and everything nested in it) as records; returns its key."""
        if not isinstance(obj, dict):
            self.issues.append(
                warning(
                    f"Forventede et {entity}-objekt, fandt {type(obj).__name__}; det springes over",
                    file=self.file,
                    sheet=entity,
                    hint=f"Sti i JSON: {path}.",
                )
            )
            return None
        values = {
            k: coerce(entity, k, v)
            for k, v in obj.items()
            if not isinstance(v, (list, dict)) and v is not None
        }
        for k, v in links.items():
            values.setdefault(k, v)
        given = values.get("id")
        key = str(given) if given not in (None, "") else f"{self.file}#{path}"
        existing = self.seen.get((entity, key)) if given not in (None, "") else None
        if existing is not None:
            for k, v in values.items():
                existing.data.setdefault(k, v)
            return key
        for name, (child, ref) in _OBJECTS.get(entity, {}).items():
            if isinstance(obj.get(name), dict):
                child_key = self.flatten(child, obj[name], f"{path}.{name}", {})
                if child_key is not None:
                    values.setdefault(ref, child_key)
        self.counts[entity] = self.counts.get(entity, 0) + 1
        record = Record(entity, values, self.file, entity, self.counts[entity], path=path, key=key)
        self.seen[(entity, key)] = record
        self.data.add(record)
        children = dict(_ARRAYS.get(entity, {}))
        for name, items in obj.items():
            if not isinstance(items, list):
                continue
            if name == "attributes":
                link = {"link_id": key, "link_entity": entity}
                child = "attribute"
            elif name == "metadata":
                link = {"resource_id": key, "resource_type": entity}
                child = "metadata"
            elif name in children:
                child, ref = children[name]
                link = {ref: key}
            else:
                continue  # languages, accessibility, cost_options ...: not read
            for i, item in enumerate(items):
                self.flatten(child, item, f"{path}.{name}[{i}]", link)
        return key


def _root_entity(obj: object) -> str:
    """Whether a top-level JSON object is a service or an organization."""
    if (
        isinstance(obj, dict)
        and "status" in obj
        and ("organization" in obj or "organization_id" in obj or "service_at_locations" in obj)
    ):
        return "service"
    return "organization"


def read_json(path: Path, issues: list[Issue], *, max_bytes: int) -> HsdsData | None:
    """Records of an HSDS JSON file; None (with an error issue) if it cannot be read."""
    file = path.name
    size = path.stat().st_size
    if size > max_bytes:
        issues.append(
            error(
                f"Filen er for stor ({size / 1024**2:.0f} MB); højst {max_bytes / 1024**2:.0f} MB kan indlæses",
                file=file,
                hint="Del data op i flere filer.",
            )
        )
        return None
    try:
        doc = json.loads(_decode(path.read_bytes()))
    except json.JSONDecodeError as exc:
        issues.append(
            error(
                f"Filen {file} er ikke gyldig JSON",
                file=file,
                row=exc.lineno,
                value=exc.msg,
                hint="Ret filen, fx med en JSON-validator, og indlæs igen.",
            )
        )
        return None
    data = HsdsData(label=file, title=file)
    flat = _Flattener(file, data, issues)
    if isinstance(doc, dict) and isinstance(doc.get("contents"), list):
        doc = doc["contents"]  # a paginated list from an HSDS API
    if isinstance(doc, dict) and any(entity_for(k) and isinstance(v, list) for k, v in doc.items()):
        for k, items in doc.items():
            entity = entity_for(k)
            if entity and isinstance(items, list):
                for i, item in enumerate(items):
                    flat.flatten(entity, item, f"{k}[{i}]", {})
        return data
    items = doc if isinstance(doc, list) else [doc]
    for i, item in enumerate(items):
        entity = _root_entity(item)
        flat.flatten(entity, item, f"{entity}[{i}]", {})
    if not data.records:
        issues.append(
            error(
                f"Filen {file} indeholder ingen HSDS-organisationer eller -tilbud",
                file=file,
                hint="Forventet: en liste af organization- eller service-objekter efter HSDS 3.0.",
            )
        )
        return None
    return data
