"""Read HSDS 3.0 tabular data packages (a folder, a datapackage.json or a zip) into flat records."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from civilkort.issues import Issue, error, warning

from .mapping import ENTITIES, field_types, own_schema
from .records import (
    DATAPACKAGE,
    HsdsData,
    Record,
    _decode,
    coerce,
    entities_fitting,
    entity_for,
    entity_for_ignored,
    schema_fields,
)


class _Container:
    """A folder or a zip file holding a datapackage.json and its CSV files."""

    def __init__(
        self,
        label: str,
        read: Callable[[str], bytes | None],
        size: Callable[[str], int | None],
        names: Callable[[], list[str]],
        close: Callable[[], None] = lambda: None,
    ):
        self.label = label
        self.read = read
        self.size = size
        self.names = names
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

        def list_files() -> list[str]:
            return sorted(
                p.name for p in root.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))
            )

        return _Container(root.name or str(root), read_file, size_file, list_files)
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
    if not packages:  # CSV files without a descriptor: the folder holding the first of them
        packages = sorted((n for n in names if n.lower().endswith(".csv")), key=len)
    base = str(PurePosixPath(packages[0]).parent) if packages else ""
    prefix = "" if base in ("", ".") else base + "/"

    def read_member(rel: str) -> bytes | None:
        info = names.get(prefix + rel)
        return archive.read(info) if info is not None else None

    def size_member(rel: str) -> int | None:
        info = names.get(prefix + rel)
        return info.file_size if info is not None else None

    def list_members() -> list[str]:
        return sorted(
            n[len(prefix) :]
            for n in names
            if n.startswith(prefix) and "/" not in n[len(prefix) :] and not n.startswith("__MACOSX")
        )

    return _Container(path.name, read_member, size_member, list_members, archive.close)


def csv_entity(name: str, header: list[str]) -> str | None:
    """The HSDS entity a CSV file holds, by its name and headers (None if it is not an HSDS file).

    A file named after an entity (services.csv) holds it if its headers include ``id`` and are mostly
    that entity's fields; any other file holds the one entity its headers fit (see entities_fitting).
    """
    keys = frozenset(h.strip().lstrip("\ufeff").lower() for h in header if h.strip())
    named = entity_for(name)
    if named is not None:
        props = frozenset(own_schema(named)["properties"])
        return named if "id" in keys and len(keys & props) * 2 > len(keys) else None
    fits = entities_fitting(keys)
    return fits[0] if len(fits) == 1 and "id" in keys else None


def _header(content: bytes) -> list[str]:
    """The first line of a CSV file, split on ',' or ';'."""
    first = _decode(content[:4096]).split("\n", 1)[0].strip()
    delimiter = ";" if ";" in first and "," not in first else ","
    return next(csv.reader([first], delimiter=delimiter), [])


def is_csv_package(path: Path) -> bool:
    """True for a folder or zip of HSDS CSV files without a descriptor (services.csv, organizations.csv ...)."""
    try:
        container = _open_container(path, [])
    except OSError:
        return False
    if container is None:
        return False
    try:
        for name in container.names():
            if name.lower().endswith(".csv") and csv_entity(name, _header(container.read(name) or b"")):
                return True
        return False
    finally:
        container.close()


def _found_resources(container: _Container, issues: list[Issue]) -> list[dict]:
    """Resources for a package without a descriptor: its HSDS CSV files, found by name and headers."""
    found, skipped = [], []
    for name in container.names():
        if not name.lower().endswith(".csv"):
            skipped.append(name)
            continue
        head = _header(container.read(name) or b"")
        entity = csv_entity(name, head)
        if entity is None:
            skipped.append(name)
            continue
        if entity_for(name) is None:
            issues.append(
                warning(
                    f"Filen {name} læses som HSDS-ressourcen '{entity}' ud fra kolonneoverskrifterne",
                    file=f"{container.label}/{name}",
                    sheet=entity,
                    hint=f"Navngiv filen {ENTITIES[entity]}, så det er entydigt.",
                )
            )
        found.append({"name": entity, "path": name})
    if found:
        for name in skipped:
            ignored = entity_for_ignored(name)
            issues.append(
                warning(
                    f"Filen {name} "
                    + (
                        "er HSDS-oplysninger, Civilsamfundskortet ikke bruger"
                        if ignored
                        else "er ikke en HSDS 3.0-ressource"
                    )
                    + "; den springes over",
                    file=f"{container.label}/{name}",
                    hint=f"Filer der læses (uden {DATAPACKAGE}): " + ", ".join(ENTITIES.values()) + ".",
                )
            )
    return found


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
    package = _descriptor(container, descriptor, issues)
    if package is None:
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


def _descriptor(container: _Container, descriptor: str, issues: list[Issue]) -> object | None:
    """The package's descriptor; without one, a descriptor of the HSDS CSV files found in it."""
    label = container.label
    raw = container.read(descriptor)
    if raw is None:
        found = _found_resources(container, issues)
        if found:
            return {"title": label, "resources": found}
        issues.append(
            error(
                f"{label} indeholder ingen {DATAPACKAGE} og ingen HSDS-CSV-filer",
                file=label,
                hint="En HSDS-datapakke er en mappe (eller zip) med én CSV-fil pr. ressource (organizations.csv, "
                "services.csv ...), gerne med datapackage.json.",
            )
        )
        return None
    try:
        return json.loads(_decode(raw))
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
    extra = [h for h in header if h and h not in schema_fields(entity)]
    if extra:
        issues.append(
            warning(
                f"Kolonnerne {', '.join(extra)} i {entity} er ikke HSDS 3.0-felter og bruges ikke",
                file=file,
                sheet=sheet,
                row=1,
                column=extra[0],
                hint="Felter fra en nyere HSDS-version (3.1) eller en udgivers egne felter har ingen plads i "
                "Civilsamfundskortet.",
            )
        )
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
