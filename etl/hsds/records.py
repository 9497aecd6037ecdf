"""Read HSDS 3.0 data into flat records: tabular data packages (folder, datapackage.json or zip)
and the JSON forms (organizations or services with nested objects, paginated lists, or one
list per entity).  Every record remembers where it came from (file, resource, row, JSON path).

Nested JSON objects are flattened into the same records a tabular package holds: a service
inside an organization gets its ``organization_id``, an attribute its ``link_id`` and
``link_entity``, a nested location its id in ``service_at_location.location_id``; an object
met twice (a location under the organization and under a service) is kept once.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from civilkort.issues import Issue, error, warning

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


# ---------------------------------------------------------------- tabular packages


class _Container:
    """A folder or a zip file holding a datapackage.json and its CSV files."""

    def __init__(
        self,
        label: str,
        read: Callable[[str], bytes | None],
        size: Callable[[str], int | None],
        close: Callable[[], None] = lambda: None,
    ):
        self.label = label
        self.read = read
        self.size = size
        self.close = close


def is_descriptor(path: Path) -> bool:
    """True for a data package descriptor: datapackage.json, or a JSON object with a 'resources' list."""
    if not path.is_file() or path.suffix.lower() != ".json":
        return False
    if path.name.lower() == DATAPACKAGE:
        return True
    with path.open("rb") as fh:
        head = _decode(fh.read(4096)).lstrip()
    return head.startswith("{") and re.search(r'"resources"\s*:\s*\[', head) is not None


def _open_container(path: Path, issues: list[Issue]) -> _Container | None:
    """The package folder (or zip) for a folder, a descriptor path or a zip file."""
    if path.is_dir() or is_descriptor(path):
        root = path if path.is_dir() else path.parent

        def read_file(rel: str) -> bytes | None:
            target = root / rel
            return target.read_bytes() if target.is_file() else None

        def size_file(rel: str) -> int | None:
            target = root / rel
            return target.stat().st_size if target.is_file() else None

        return _Container(root.name or str(root), read_file, size_file)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        issues.append(
            error(
                f"Zip-filen {path.name} kan ikke åbnes",
                file=path.name,
                value=str(exc)[:200],
                hint="Pak mappen med datapackage.json og CSV-filerne igen som .zip.",
            )
        )
        return None
    names = {n: info for n in archive.namelist() if not (info := archive.getinfo(n)).is_dir()}
    packages = sorted((n for n in names if PurePosixPath(n).name == DATAPACKAGE), key=len)
    base = str(PurePosixPath(packages[0]).parent) if packages else ""
    prefix = "" if base in ("", ".") else base + "/"

    def read_member(rel: str) -> bytes | None:
        info = names.get(prefix + rel)
        return archive.read(info) if info is not None else None

    def size_member(rel: str) -> int | None:
        info = names.get(prefix + rel)
        return info.file_size if info is not None else None

    return _Container(path.name, read_member, size_member, archive.close)


def _safe_relative(rel: object) -> str | None:
    """A resource path inside the package, or None for absolute paths, URLs and '..'."""
    if not isinstance(rel, str) or not rel.strip():
        return None
    text = rel.strip().replace("\\", "/")
    if re.match(r"^[a-z][a-z0-9+.-]*://", text, re.IGNORECASE) or text.startswith("/"):
        return None
    parts = PurePosixPath(text).parts
    if ".." in parts or (parts and re.match(r"^[A-Za-z]:$", parts[0])):
        return None
    return str(PurePosixPath(*parts))


def read_tabular(path: Path, issues: list[Issue], *, max_bytes: int, max_rows: int) -> HsdsData | None:
    """Records of a tabular data package; None (with an error issue) if it cannot be read."""
    container = _open_container(path, issues)
    if container is None:
        return None
    try:
        return _read_package(path, container, issues, max_bytes=max_bytes, max_rows=max_rows)
    finally:
        container.close()


def _read_package(
    path: Path, container: _Container, issues: list[Issue], *, max_bytes: int, max_rows: int
) -> HsdsData | None:
    """Records of the resources a package's descriptor lists."""
    label = container.label
    descriptor = path.name if path.is_file() and path.suffix.lower() == ".json" else DATAPACKAGE
    raw = container.read(descriptor)
    if raw is None:
        issues.append(
            error(
                f"{label} indeholder ingen {DATAPACKAGE}",
                file=label,
                hint="En HSDS-datapakke er en mappe (eller zip) med datapackage.json og én CSV-fil pr. ressource.",
            )
        )
        return None
    try:
        package = json.loads(_decode(raw))
    except json.JSONDecodeError as exc:
        issues.append(
            error(
                f"{DATAPACKAGE} er ikke gyldig JSON",
                file=f"{label}/{descriptor}",
                row=exc.lineno,
                value=exc.msg,
                hint="Ret filen, fx med en JSON-validator, og indlæs igen.",
            )
        )
        return None
    resources = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(resources, list):
        issues.append(
            error(
                f"{DATAPACKAGE} har ingen liste 'resources'",
                file=f"{label}/{DATAPACKAGE}",
                hint="Hver ressource (fx organization) skal stå i 'resources' med 'name' og 'path'.",
            )
        )
        return None
    data = HsdsData(
        label=label,
        title=str(package.get("title") or package.get("name") or label),
        is_profile=bool(package.get("civilkort_profile")),
    )
    for i, resource in enumerate(resources):
        if not isinstance(resource, dict):
            continue
        name = str(resource.get("name") or "")
        paths = resource.get("path")
        paths = paths if isinstance(paths, list) else [paths]
        entity = entity_for(name) or (entity_for(str(paths[0])) if paths and paths[0] else None)
        if entity is None:
            if entity_for_ignored(name):
                continue
            issues.append(
                warning(
                    f"Ressourcen '{name or i + 1}' er ikke en HSDS 3.0-ressource, Civilsamfundskortet læser; den ignoreres",
                    file=f"{label}/{DATAPACKAGE}",
                    sheet=name,
                    value=name,
                    hint=f"Ressourcer der læses: {', '.join(ENTITIES)}.",
                )
            )
            continue
        dialect = resource.get("dialect") if isinstance(resource.get("dialect"), dict) else {}
        delimiter = str(dialect.get("delimiter") or "")[:1] or None
        for rel in paths:
            safe = _safe_relative(rel)
            if safe is None:
                issues.append(
                    error(
                        f"Ressourcen '{name}' peger uden for datapakken",
                        file=f"{label}/{DATAPACKAGE}",
                        sheet=name,
                        value=str(rel),
                        hint="Stier i datapackage.json skal være relative stier inde i pakken, fx organizations.csv.",
                    )
                )
                continue
            size = container.size(safe)
            if size is None:
                issues.append(
                    warning(
                        f"Filen {safe} til ressourcen '{name}' findes ikke i pakken; ressourcen springes over",
                        file=f"{label}/{safe}",
                        sheet=name,
                    )
                )
                continue
            if size > max_bytes:
                issues.append(
                    error(
                        f"Filen er for stor ({size / 1024**2:.0f} MB); højst {max_bytes / 1024**2:.0f} MB kan indlæses",
                        file=f"{label}/{safe}",
                        sheet=name,
                        hint="Del data op i flere pakker.",
                    )
                )
                continue
            content = container.read(safe) or b""
            _read_csv(
                entity, name or entity, f"{label}/{safe}", _decode(content), delimiter, data, issues, max_rows
            )
    return data


def entity_for_ignored(name: str) -> bool:
    """True for HSDS resources Civilsamfundskortet skips on purpose (languages, accessibility ...)."""
    key = re.sub(r"[^a-z_]", "", Path(str(name).lower()).stem)
    return (
        key in IGNORED_ENTITIES
        or key.rstrip("s") in IGNORED_ENTITIES
        or key == "accessibility_for_disabilities"
    )


def _read_csv(
    entity: str,
    sheet: str,
    file: str,
    text: str,
    delimiter: str | None,
    data: HsdsData,
    issues: list[Issue],
    max_rows: int,
) -> None:
    """Records of one CSV file of a resource."""
    if delimiter is None:  # no dialect given: comma, unless the header only splits on semicolons
        first = text.split("\n", 1)[0]
        delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as exc:
        issues.append(
            error(
                "CSV-filen kan ikke læses",
                file=file,
                sheet=sheet,
                row=reader.line_num,
                value=str(exc),
                hint='Tjek at anførselstegn (") står parvis omkring tekst med komma eller linjeskift.',
            )
        )
        return
    if not rows:
        return
    header = [h.strip().lstrip("\ufeff").lower() for h in rows[0]]
    if len(rows) - 1 > max_rows:
        issues.append(
            error(
                f"For mange rækker ({len(rows) - 1:,}); højst {max_rows:,} rækker kan indlæses".replace(
                    ",", "."
                ),
                file=file,
                sheet=sheet,
                hint="Del data op i flere pakker.",
            )
        )
        return
    required = set(own_schema(entity).get("required", ()))
    types = field_types(entity)
    columns = frozenset(h for h in header if h)
    for number, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        values: dict[str, object] = {}
        for name, cell in zip(header, cells):
            if not name or name in values:
                continue
            cell = cell.strip()
            if cell:
                values[name] = coerce(entity, name, cell)
            elif name in required and types.get(name, "string") == "string":
                values[name] = ""  # an empty required text column counts as given, but empty
        key = values.get("id")
        data.add(
            Record(
                entity,
                values,
                file,
                sheet,
                number,
                key=str(key) if key not in (None, "") else f"{file}#{number}",
                columns=columns,
            )
        )


# ---------------------------------------------------------------- JSON forms

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
