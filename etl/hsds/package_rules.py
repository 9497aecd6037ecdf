"""The official HSDS 3.0 tabular rules (``datapackage.json``): which columns each CSV file has, which
cells are required, which values must be unique, primary and foreign keys, code lists.

The rules ship with the product in ``schemas/official/datapackage-rules.json``, derived by
:func:`derive_rules` from the official ``datapackage.json`` (Open Referral, CC BY-SA 4.0; see the
README there) so that an export is checked without the specification at hand.  To refresh them from
a newer copy of the specification: ``python -m etl.hsds.package_rules PATH/datapackage.json``.

:func:`check` applies the rules to rows of cells and reports in Danish, naming file, row and column.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from civilkort.issues import Issue

from .mapping import SCHEMA_DIR

RULES_PATH = SCHEMA_DIR / "official" / "datapackage-rules.json"
MAX_ISSUES_PER_RULE = 50
"""Issues listed per file, column and rule; the rest are summed up in one more issue."""

_FIELD_KEYS = ("name", "type", "format")


def derive_rules(official: Mapping) -> dict:
    """The minimal facts of an official datapackage.json: per resource its path, fields (name, type,
    format, constraints), primary key and foreign keys, plus where they come from."""
    resources = {}
    for resource in official.get("resources", []):
        schema = resource.get("schema") or {}
        fields = []
        for f in schema.get("fields", []):
            spec = {k: f[k] for k in _FIELD_KEYS if k in f}
            constraints = {k: v for k, v in (f.get("constraints") or {}).items() if v not in (False, None)}
            if constraints:
                spec["constraints"] = constraints
            fields.append(spec)
        entry: dict = {"path": resource["path"], "fields": fields}
        if schema.get("primaryKey"):
            entry["primaryKey"] = schema["primaryKey"]
        if schema.get("foreignKeys"):
            entry["foreignKeys"] = schema["foreignKeys"]
        resources[resource["name"]] = entry
    return {
        "source": (
            f"{official.get('title', 'HSDS')} {official.get('version', '')}, datapackage.json "
            "(openreferral/specification)"
        ).replace("  ", " "),
        "license": official.get("license", {}),
        "resources": resources,
    }


@cache
def official_rules() -> dict:
    """The rules shipped with the product."""
    return json.loads(RULES_PATH.read_text(encoding="utf-8"))


def columns(entity: str, rules: Mapping | None = None) -> tuple[str, ...]:
    """The official columns of one entity's CSV file, in the official order."""
    resource = (rules or official_rules())["resources"].get(entity)
    return tuple(f["name"] for f in resource["fields"]) if resource else ()


def table_schema(entity: str, only: Iterable[str], rules: Mapping | None = None) -> dict:
    """A Frictionless table schema with the official rules for the columns ``only`` (keys whose
    fields or target resource are left out are dropped)."""
    rules = rules or official_rules()
    resource = rules["resources"][entity]
    keep = set(only)
    fields = [dict(f) for f in resource["fields"] if f["name"] in keep]
    out: dict = {"fields": fields}
    if resource.get("primaryKey") in keep:
        out["primaryKey"] = resource["primaryKey"]
    keys = [
        k
        for k in resource.get("foreignKeys", [])
        if k["fields"] in keep and k["reference"]["resource"] in rules["resources"]
    ]
    if keys:
        out["foreignKeys"] = keys
    return out


def _text(value: object) -> str:
    """A cell as text; None is empty."""
    return "" if value is None else str(value)


def check(
    tables: Mapping[str, list[Mapping[str, object]]],
    rules: Mapping,
    issues: list[Issue],
    *,
    severity: str,
    files: Mapping[str, str],
    first_row: int = 2,
    rows: Mapping[str, list[int]] | None = None,
    label: str = "HSDS 3.0's datapackage.json",
) -> None:
    """Report every broken tabular rule (required, unique, primary key, foreign key, code list).

    ``tables`` holds the rows (column -> cell) per entity; ``files`` the file name to report for each
    entity; rows are numbered from ``first_row`` (the line after the header) unless ``rows`` gives
    each row's number.  A foreign key is only checked when its target entity is in ``tables``.
    """
    counts: dict[tuple, int] = {}

    def add(entity: str, index: int, column: str, value: str, rule: str, message: str, hint: str) -> None:
        key = (entity, column, rule)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] > MAX_ISSUES_PER_RULE:
            return
        row = rows[entity][index] if rows else first_row + index
        issues.append(
            Issue(severity, message, file=files[entity], row=row, column=column, value=value, hint=hint)
        )

    source = f" (regel fra {label})"
    targets: dict[tuple[str, str], set[str]] = {}
    for entity, records in tables.items():
        resource = rules["resources"].get(entity)
        if resource is None:
            continue
        for f in resource["fields"]:
            name, constraints = f["name"], f.get("constraints", {})
            required = constraints.get("required") or resource.get("primaryKey") == name
            unique = constraints.get("unique") or resource.get("primaryKey") == name
            enum = constraints.get("enum")
            seen: dict[str, int] = {}
            for i, rec in enumerate(records):
                value = _text(rec.get(name))
                if value == "":
                    if required:
                        add(
                            entity,
                            i,
                            name,
                            value,
                            "påkrævet",
                            f"Feltet '{name}' er påkrævet i {entity}, men er tomt",
                            "HSDS 3.0 kræver en værdi i feltet." + source,
                        )
                    continue
                if unique:
                    first = seen.setdefault(value, i)
                    if first != i:
                        at = rows[entity][first] if rows else first_row + first
                        add(
                            entity,
                            i,
                            name,
                            value,
                            "entydig",
                            f"Værdien '{value}' i feltet '{name}' findes flere gange i {entity}",
                            f"Også i række {at}. Feltet skal være entydigt i HSDS 3.0." + source,
                        )
                if enum and value not in enum:
                    add(
                        entity,
                        i,
                        name,
                        value,
                        "kodeliste",
                        f"Ukendt værdi '{value}' i feltet '{name}' i {entity}",
                        f"Tilladte værdier: {', '.join(map(str, enum))}." + source,
                    )
        for fk in resource.get("foreignKeys", []):
            target = fk["reference"]["resource"]
            if target not in tables:
                continue
            field, target_field = fk["fields"], fk["reference"]["fields"]
            if (target, target_field) not in targets:
                targets[(target, target_field)] = {_text(r.get(target_field)) for r in tables[target]}
            known = targets[(target, target_field)]
            for i, rec in enumerate(records):
                value = _text(rec.get(field))
                if value and value not in known:
                    add(
                        entity,
                        i,
                        field,
                        value,
                        "fremmednøgle",
                        f"'{field}' i {entity} peger på '{value}', som ikke findes i {target}",
                        f"Værdien skal være et {target_field} i {files.get(target, target)}." + source,
                    )
    for (entity, column, rule), n in counts.items():
        if n > MAX_ISSUES_PER_RULE:
            issues.append(
                Issue(
                    severity,
                    f"{n - MAX_ISSUES_PER_RULE} rækker mere i {entity} bryder samme regel ({rule}) i feltet '{column}'",
                    file=files[entity],
                    column=column,
                    hint="Ret de viste rækker og tjek igen for at se resten.",
                )
            )


def main(argv: list[str]) -> int:
    """Write the shipped rules from an official datapackage.json."""
    if len(argv) != 1:
        print("Brug: python -m etl.hsds.package_rules STI/datapackage.json", file=sys.stderr)
        return 2
    official = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    RULES_PATH.parent.mkdir(parents=True, exist_ok=True)
    RULES_PATH.write_text(
        json.dumps(derive_rules(official), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(RULES_PATH)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
