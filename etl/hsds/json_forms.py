"""Read the HSDS 3.0 JSON forms into flat records: one object, a list, the API's pages
(``{"contents": [...], "total_items": ...}``) or one list per entity (``{"services": [...]}``),
nested or flat.

Each item's kind comes from the schema, never from a guess: the key it stands under
(``services``), the nested object or list it is in, the file's name (``services.json``,
``service_full.json``), and otherwise the one entity whose properties and required fields it
fits best (items a list holds that fit several are taken as the kind the list's other items
are). An item whose kind cannot be told is named in a warning and skipped.

Nested JSON objects are flattened into the same records a tabular package holds: a service
inside an organization gets its ``organization_id``, an attribute its ``link_id`` and
``link_entity``, a nested location its id in ``service_at_location.location_id``; an object
met twice (a location under the organization and under a service) is kept once. Two items
at the top with one id, or two nested objects with one id and different values, are both
kept, so that validation reports the id as a duplicate naming both places.
"""

from __future__ import annotations

import json
from pathlib import Path

from civilkort.issues import Issue, error, warning

from .mapping import ENTITIES, field_types
from .records import (
    HsdsData,
    Record,
    _decode,
    coerce,
    entities_fitting,
    entity_for,
    entity_for_ignored,
    entity_in_name,
    schema_fields,
    type_word,
    value_text,
)

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
    "service_at_location": {
        "location": ("location", "location_id"),
        "service": ("service", "service_id"),
    },
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
}
"""Nested single objects: parent entity -> {key: (child entity, the parent's field that names the child)}."""

ENVELOPE = frozenset(
    {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"}
)
"""Keys of the HSDS API's paged envelope (openapi.json ``Page``)."""

_NAMES = {e: e.replace("_", " ") for e in ENTITIES}
_PLACEHOLDER = "(tom)"


def _kind_text(entities: tuple[str, ...]) -> str:
    return ", ".join(entities) if entities else "ingen HSDS 3.0-type"


class _Flattener:
    """Turns nested HSDS JSON objects into flat records; a nested object met again is kept once."""

    def __init__(self, file: str, data: HsdsData, issues: list[Issue]):
        self.file = file
        self.data = data
        self.issues = issues
        self.seen: dict[tuple[str, str], Record] = {}
        self.counts: dict[str, int] = {}
        self.tops: set[tuple[str, str]] = set()
        self.skipped: dict[tuple[str, str], list] = {}
        self.changed: dict[tuple[str, str], list] = {}
        self.extra: dict[tuple[str, str], list] = {}

    def _note(self, table: dict, entity: str, name: str, path: str, value: object) -> None:
        """Count one skipped or changed field; the first place and value are kept for the warning."""
        hit = table.setdefault((entity, name), [0, path, value])
        hit[0] += 1

    def _scalar(self, entity: str, name: str, value: object, path: str) -> object:
        """A scalar as the schema's type: text cells to numbers, numbers in text fields to text."""
        kind = field_types(entity).get(name)
        if type(value) is str:
            return coerce(entity, name, value) if kind in ("number", "integer") else value
        if kind == "string" and isinstance(value, int | float) and not isinstance(value, bool):
            self._note(self.changed, entity, name, path, value)
            return value_text(value)
        return value

    def flatten(
        self, entity: str, obj: object, path: str, links: dict[str, object], *, top: bool = False
    ) -> str | None:
        """Add ``obj`` (and everything nested in it) as records; returns its key."""
        if not isinstance(obj, dict):
            self.issues.append(
                warning(
                    f"Forventede et {entity}-objekt, fandt {type_word(obj)}; det springes over",
                    file=self.file,
                    sheet=entity,
                    value=value_text(obj),
                    hint=f"Sti i JSON: {path}.",
                )
            )
            return None
        values = {
            k: self._scalar(entity, k, v, path)
            for k, v in obj.items()
            if not isinstance(v, list | dict) and v is not None
        }
        for k in values.keys() - schema_fields(entity):
            self._note(self.extra, entity, k, path, values[k])
        for k, v in links.items():
            values.setdefault(k, v)
        given = values.get("id")
        key = str(given) if given not in (None, "") else f"{self.file}#{path}"
        existing = self.seen.get((entity, key)) if given not in (None, "") else None
        if existing is not None:
            twice = top and (entity, key) in self.tops  # two items in the lists read: a duplicate id
            if not twice and all(existing.data.get(k, v) == v for k, v in values.items()):
                for k, v in values.items():
                    existing.data.setdefault(k, v)
                if not top:
                    return key
                self.tops.add((entity, key))
                self._children(entity, obj, path, key)
                return key
        if top:
            self.tops.add((entity, key))
        for name, (child, ref) in _OBJECTS.get(entity, {}).items():
            if isinstance(obj.get(name), dict):
                child_key = self.flatten(child, obj[name], f"{path}.{name}", {})
                if child_key is not None:
                    values.setdefault(ref, child_key)
        self.counts[entity] = self.counts.get(entity, 0) + 1
        record = Record(entity, values, self.file, entity, self.counts[entity], path=path, key=key)
        self.seen.setdefault((entity, key), record)
        self.data.add(record)
        self._children(entity, obj, path, key)
        return key

    def _children(self, entity: str, obj: dict, path: str, key: str) -> None:
        """Flatten the lists (and single objects under list names) nested in ``obj``."""
        children = _ARRAYS.get(entity, {})
        for name, items in obj.items():
            if name in _OBJECTS.get(entity, {}) and isinstance(items, dict):
                continue
            if not isinstance(items, list | dict):
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
                self._note(self.skipped, entity, name, path, items)
                continue
            for i, item in enumerate(items if isinstance(items, list) else [items]):
                self.flatten(child, item, f"{path}.{name}[{i}]", link)

    def report(self) -> None:
        """Warnings for the nested fields not read and the numbers read as text."""
        for (entity, name), (count, path, _) in self.skipped.items():
            word = "oplysninger" if entity_for_ignored(name) else "felt"
            self.issues.append(
                warning(
                    f"Feltet '{name}' i {entity} bruges ikke af Civilsamfundskortet og springes over"
                    + (f" ({count} gange)" if count > 1 else ""),
                    file=self.file,
                    sheet=entity,
                    column=name,
                    hint=f"Første sted i JSON: {path}. Civilsamfundskortet har ingen plads til disse {word}.",
                )
            )
        for (entity, name), (count, path, value) in self.extra.items():
            self.issues.append(
                warning(
                    f"Feltet '{name}' i {entity} er ikke et HSDS 3.0-felt og bruges ikke"
                    + (f" ({count} gange)" if count > 1 else ""),
                    file=self.file,
                    sheet=entity,
                    column=name,
                    value=value_text(value),
                    hint=f"Første sted i JSON: {path}. Felter fra en nyere HSDS-version (3.1) eller en "
                    "udgivers egne felter har ingen plads i Civilsamfundskortet.",
                )
            )
        for (entity, name), (count, path, value) in self.changed.items():
            self.issues.append(
                warning(
                    f"Feltet '{name}' i {entity} er tekst efter HSDS 3.0, men står som tal; tallet læses som tekst"
                    + (f" ({count} gange)" if count > 1 else ""),
                    file=self.file,
                    sheet=entity,
                    column=name,
                    value=value_text(value),
                    hint=f'Første sted i JSON: {path}. Skriv værdien i anførselstegn, fx "{value_text(value)}".',
                )
            )


def _items(doc: object, file: str, issues: list[Issue]) -> list[tuple[str, str | None, list]]:
    """The document's lists of items: (label for paths, the entity its key or file names, items)."""
    named = entity_in_name(file)
    if isinstance(doc, list):
        return [(named or "", named, doc)]
    if not isinstance(doc, dict):
        return []
    if isinstance(doc.get("contents"), list):  # a page from an HSDS API
        for k in doc:
            if k not in ENVELOPE:
                _skip_key(k, doc[k], file, issues)
        return [("contents", named, doc["contents"])]
    per_entity = "id" not in doc and any(
        (entity_for(k) or entity_for_ignored(k)) and isinstance(v, list | dict) for k, v in doc.items()
    )
    if not per_entity:
        return [(named or "", named, [doc])]
    out = []
    for k, v in doc.items():
        entity = entity_for(k)
        if entity is None or not isinstance(v, list | dict):
            _skip_key(k, v, file, issues)
            continue
        out.append((k, entity, v if isinstance(v, list) else [v]))
    return out


def _skip_key(key: str, value: object, file: str, issues: list[Issue]) -> None:
    """A warning for a top-level key that is not read."""
    if key in ENVELOPE:
        return
    known = entity_for_ignored(key)
    issues.append(
        warning(
            f"Nøglen '{key}' øverst i filen "
            + (
                "er HSDS-oplysninger, Civilsamfundskortet ikke bruger"
                if known
                else "er ikke en HSDS 3.0-liste"
            )
            + "; den springes over",
            file=file,
            column=key,
            value=value_text(value) if not isinstance(value, list | dict) else "",
            hint="Lister der læses: " + ", ".join(ENTITIES) + " (ental eller flertal, fx services).",
        )
    )


def _kinds(label: str, named: str | None, items: list) -> list[tuple[str | None, tuple[str, ...]]]:
    """(kind, the entities it fits) per item: the name decides; else the schema, then the list's kind."""
    if named is not None:
        return [(named, (named,)) for _ in items]
    fits = [entities_fitting(frozenset(i)) if isinstance(i, dict) else () for i in items]
    decided = {f[0] for f in fits if len(f) == 1}
    common = next(iter(decided)) if len(decided) == 1 else None
    return [(f[0] if len(f) == 1 else (common if common in f else None), f) for f in fits]


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
    unknown: list[tuple[str, tuple[str, ...]]] = []
    for label, named, items in _items(doc, file, issues):
        for i, (item, (kind, fits)) in enumerate(zip(items, _kinds(label, named, items))):
            where = f"{label or 'post'}[{i}]" if label or len(items) > 1 else (kind or "post")
            if kind is None:
                unknown.append((where, fits))
                continue
            flat.flatten(kind, item, where, {}, top=True)
    flat.report()
    if unknown:
        where, fits = unknown[0]
        issues.append(
            warning(
                f"{len(unknown)} poster i {file} kan ikke bestemmes som én HSDS-type og springes over",
                file=file,
                hint=f"Første: {where}, der passer til {_kind_text(fits)}. Navngiv filen efter typen "
                '(fx services.json) eller læg posterne i en liste med typens navn, fx {"services": [...]}.',
            )
        )
    if not data.records:
        issues.append(
            error(
                f"Filen {file} indeholder ingen HSDS 3.0-poster, der kan læses",
                file=file,
                hint="Forventet: HSDS 3.0-objekter (fx organization eller service) som ét objekt, en liste, "
                'sider fra et HSDS-API ({"contents": [...]}) eller én liste pr. type ({"services": [...]}).',
            )
        )
        return None
    return data
