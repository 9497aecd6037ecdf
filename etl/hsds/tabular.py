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
from .records import DATAPACKAGE, HsdsData, Record, _decode, coerce, entity_for, entity_for_ignored


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
