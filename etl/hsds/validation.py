"""Validate HSDS records against JSON Schemas: our own (``schemas/``, draft 2020-12) and, when
given, the official HSDS schema files from a folder or a base URL.

Findings become Danish ``Issue``s naming file, resource, row, field and value.  Severity
follows the product's input rules: a missing id or name, a value that is not a number, an
invalid date or an unknown status in a field the product reads is an error (as in
``etl.clean``); coordinates outside the world are a warning and the value is not used (as
``etl.locate`` treats coordinates outside Denmark); everything about fields the product does
not read is a warning.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urljoin

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

from civilkort.issues import ERROR, WARNING, Issue, error
from civilkort.reference import fold

from . import package_rules
from .mapping import ENTITIES, SCHEMA_DIR, own_schema
from .records import TYPE_WORDS, HsdsData, Record, type_word, value_text

MAX_ISSUES_PER_FIELD = 200
"""Issues listed per file, field and kind of problem; the rest are summed up in one more issue."""
DOWNLOAD_TIMEOUT_S = 30.0

FORMATS = FormatChecker(formats=("date", "uuid"))
"""Formats asserted: dates (ÅÅÅÅ-MM-DD) and UUIDs. E-mail and web addresses are checked by etl.clean."""

KEY_ENTITIES = frozenset({"organization", "service", "program", "location"})
"""Entities whose ids become the product's ids and links: a missing id here is an error."""
NAMED_ENTITIES = frozenset({"organization", "service", "program"})
"""Entities whose name becomes a required product name."""

USED_FIELDS: dict[str, frozenset[str]] = {
    "organization": frozenset({"id", "name", "description", "email", "website", "legal_status"}),
    "service": frozenset(
        {"id", "organization_id", "name", "description", "status", "fees_description", "fees", "assured_date"}
    ),
    "program": frozenset({"id", "organization_id", "name", "description"}),
    "location": frozenset({"id", "organization_id", "name", "latitude", "longitude"}),
    "address": frozenset(
        {
            "id",
            "location_id",
            "address_1",
            "address_2",
            "city",
            "postal_code",
            "country",
            "region",
            "state_province",
        }
    ),
    "service_at_location": frozenset({"id", "service_id", "location_id"}),
    "service_area": frozenset({"id", "service_id", "service_at_location_id", "name", "uri"}),
    "attribute": frozenset(
        {"id", "link_id", "link_entity", "link_type", "taxonomy_term_id", "value", "label"}
    ),
    "taxonomy_term": frozenset({"id", "code", "name", "description", "taxonomy", "taxonomy_id"}),
    "taxonomy": frozenset({"id", "name", "uri"}),
    "contact": frozenset({"id", "organization_id", "service_id", "location_id", "name"}),
    "schedule": frozenset({"id", "service_id", "service_at_location_id", "description"}),
    "funding": frozenset({"id", "organization_id", "source"}),
    "metadata": frozenset({"id", "resource_id", "resource_type", "last_action_date", "last_action_type"}),
    "organization_identifier": frozenset(
        {"id", "organization_id", "identifier_scheme", "identifier_type", "identifier"}
    ),
    "phone": frozenset(),
}
"""Per entity, the fields Civilsamfundskortet needs right to read a record: its ids and links, and the values
an invalid one of which would be read wrongly. A wrong type in one of them is an error (the record cannot be
read as meant); elsewhere a warning, and the value is dropped. Not the same answer as ``unkept.KEPT`` (the
fields whose values the product keeps, for the warnings about what an import loses): a kept field such as a
schedule's ``opens_at`` is dropped with a warning when invalid, and a link such as a contact's
``service_id`` is needed but not kept."""


class SchemaSourceError(Exception):
    """Official schema files could not be loaded; the message is Danish and names the source."""


@dataclass(frozen=True)
class SchemaSet:
    """One validator per entity, and a Danish name for messages."""

    label: str
    validators: dict[str, Draft202012Validator]


def _registry(load: Callable[[str], dict]) -> Registry:
    """A registry that fetches '<name>.json' for any $ref by the last part of its URI."""

    def retrieve(uri: str) -> Resource:
        name = uri.rstrip("/").rsplit("/", 1)[-1].split("#", 1)[0]
        try:
            contents = load(name)
        except SchemaSourceError as exc:
            raise NoSuchResource(ref=uri) from exc
        return Resource.from_contents(contents, default_specification=DRAFT202012)

    return Registry(retrieve=retrieve)


@cache
def own_schemas() -> SchemaSet:
    """Validators from our own schema files."""

    def load(name: str) -> dict:
        target = SCHEMA_DIR / name
        if not target.is_file():
            raise SchemaSourceError(f"Skemaet {name} findes ikke")
        return json.loads(target.read_text(encoding="utf-8"))

    registry = _registry(load)
    validators = {
        e: Draft202012Validator(own_schema(e), registry=registry, format_checker=FORMATS) for e in ENTITIES
    }
    return SchemaSet("Civilsamfundskortets HSDS 3.0-skemaer", validators)


def _loader(source: str):
    """A function name -> schema (dict) reading from a folder or downloading from a base URL."""
    if source.startswith(("http://", "https://")):
        base = source.rstrip("/") + "/"

        @cache
        def download(name: str) -> dict:
            import httpx

            url = base + name
            try:
                response = httpx.get(url, timeout=DOWNLOAD_TIMEOUT_S, follow_redirects=True)
                response.raise_for_status()
                return response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise SchemaSourceError(f"HSDS-skemaet {url} kan ikke hentes ({type(exc).__name__})") from exc

        return download
    folder = Path(source)
    if (folder / "schema").is_dir() and not (folder / "organization.json").is_file():
        folder = folder / "schema"

    def read(name: str) -> dict:
        target = folder / name
        try:
            return json.loads(target.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise SchemaSourceError(f"HSDS-skemaet {name} findes ikke i {folder}") from exc
        except (OSError, ValueError) as exc:
            raise SchemaSourceError(f"HSDS-skemaet {target} kan ikke læses ({type(exc).__name__})") from exc

    return read


_OFFICIAL_CACHE: dict[str, SchemaSet] = {}


def official_schemas(source: str) -> SchemaSet:
    """Validators from the official HSDS schema files in a folder or at a base URL (cached)."""
    if source in _OFFICIAL_CACHE:
        return _OFFICIAL_CACHE[source]
    load = _loader(source)
    registry = _registry(load)
    validators = {}
    for entity in ENTITIES:
        schema = load(f"{entity}.json")
        if not isinstance(schema, dict):
            raise SchemaSourceError(f"HSDS-skemaet {entity}.json fra {source} er ikke et JSON-objekt")
        validators[entity] = Draft202012Validator(schema, registry=registry, format_checker=FORMATS)
    out = SchemaSet(f"de officielle HSDS-skemaer ({source})", validators)
    _OFFICIAL_CACHE[source] = out
    return out


_SOURCE: ContextVar[str | None] = ContextVar("hsds_schema_source", default=None)


@contextmanager
def using_official_schemas(source: str | None) -> Iterator[None]:
    """Also validate against the official schemas at ``source`` (a folder or a URL) inside the block."""
    token = _SOURCE.set(source or None)
    try:
        yield
    finally:
        _SOURCE.reset(token)


_RULES_CACHE: dict[str, dict | None] = {}


def _official_datapackage(source: str) -> dict | None:
    """The official datapackage.json beside the official schemas at ``source`` (the specification keeps
    it one level above schema/), or None if there is none."""
    if source in _RULES_CACHE:
        return _RULES_CACHE[source]
    found = None
    if source.startswith(("http://", "https://")):
        import httpx

        base = source.rstrip("/") + "/"
        for url in (urljoin(base, "datapackage.json"), urljoin(base, "../datapackage.json")):
            try:
                response = httpx.get(url, timeout=DOWNLOAD_TIMEOUT_S, follow_redirects=True)
                if response.status_code == 200:
                    found = response.json()
                    break
            except (httpx.HTTPError, ValueError):
                continue
    else:
        folder = Path(source)
        for candidate in (folder / "datapackage.json", folder.parent / "datapackage.json"):
            try:
                found = json.loads(candidate.read_text(encoding="utf-8"))
                break
            except (OSError, ValueError):
                continue
    if not (isinstance(found, dict) and isinstance(found.get("resources"), list)):
        found = None
    _RULES_CACHE[source] = found
    return found


def tabular_rules() -> tuple[dict, str]:
    """The official tabular rules (required, unique, keys) to check against and their name: the
    datapackage.json beside the official schemas given with ``using_official_schemas``, else the
    HSDS 3.0 rules shipped with the product."""
    source = _SOURCE.get()
    official = _official_datapackage(source) if source else None
    if official is not None:
        return package_rules.derive_rules(official), f"datapackage.json ved {source}"
    return package_rules.official_rules(), "HSDS 3.0's datapackage.json"


def schema_sets(issues: list[Issue]) -> list[SchemaSet]:
    """Our schemas, plus the official ones if asked for (a load failure becomes an error issue)."""
    sets = [own_schemas()]
    source = _SOURCE.get()
    if source:
        try:
            sets.append(official_schemas(source))
        except SchemaSourceError as exc:
            issues.append(
                error(
                    str(exc),
                    file=source,
                    hint="Angiv en mappe med HSDS-skemaerne (fx schema/ fra openreferral/specification) "
                    "eller en URL, hvorfra <entitet>.json kan hentes.",
                )
            )
    return sets


# ---------------------------------------------------------------- judging findings


@dataclass(frozen=True)
class _Finding:
    """One schema failure on one field of one record, in Danish."""

    field: str
    kind: str
    severity: str
    message: str
    hint: str
    drop: bool = False
    replace: object = None


def _enum_match(value: object, allowed: list) -> object | None:
    """The allowed value ``value`` matches when case and spacing are ignored."""
    if not isinstance(value, str):
        return None
    hits = [a for a in allowed if isinstance(a, str) and fold(a) == fold(value)]
    return hits[0] if hits else None


def _required(record: Record, missing: list[str]) -> list[_Finding]:
    """Findings for required fields that are not there."""
    out = []
    for name in missing:
        key = (name == "id" and record.entity in KEY_ENTITIES) or (
            name == "name" and record.entity in NAMED_ENTITIES
        )
        out.append(
            _Finding(
                name,
                "required",
                ERROR if key else WARNING,
                f"Feltet '{name}' mangler i {record.entity}",
                "Feltet er påkrævet i HSDS 3.0."
                + (" Civilsamfundskortet kan ikke indlæse posten uden." if key else ""),
            )
        )
    return out


def _judge(record: Record, err: ValidationError, name: str | None = None) -> list[_Finding]:
    """Danish findings for one validation error; ``name`` is the field when validated one by one."""
    entity = record.entity
    used = USED_FIELDS.get(entity, frozenset())
    kind = str(err.validator)
    if name is None:
        if kind == "required":
            return _required(record, [f for f in err.validator_value if f not in record.data])
        if not err.absolute_path:
            return [_Finding("", kind, WARNING, f"Posten i {entity} er ugyldig: {err.message}", "")]
        name = str(err.absolute_path[0])
    value = record.data.get(name)
    is_used = name in used
    if kind == "minLength":
        key = (name == "id" and entity in KEY_ENTITIES) or (name == "name" and entity in NAMED_ENTITIES)
        return [
            _Finding(
                name,
                kind,
                ERROR if key else WARNING,
                f"Feltet '{name}' er tomt i {entity}",
                "Udfyld feltet." + (" Civilsamfundskortet kan ikke indlæse posten uden." if key else ""),
            )
        ]
    if kind in ("minimum", "maximum") and name in ("latitude", "longitude"):
        word, span = (
            ("Breddegraden", "-90 til 90") if name == "latitude" else ("Længdegraden", "-180 til 180")
        )
        return [
            _Finding(
                name,
                "range",
                WARNING,
                f"{word} {value_text(value)} ligger uden for {span}; koordinaterne bruges ikke",
                "Tjek koordinaterne (decimalgrader, WGS84); stedet placeres ud fra postnummer eller kommune i stedet.",
                drop=True,
            )
        ]
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return [
            _Finding(
                name,
                "range",
                WARNING,
                f"Værdien {value_text(value)} i feltet '{name}' er uden for det tilladte",
                "",
                drop=True,
            )
        ]
    if kind == "type":
        expected = err.validator_value
        if expected in ("number", "integer") or (isinstance(expected, list) and "number" in expected):
            message, hint = (
                f"Ikke et tal: '{value_text(value)}' i feltet '{name}'",
                "Skriv et tal med punktum, fx 56.1572.",
            )
        else:
            wanted = " eller ".join(TYPE_WORDS.get(str(t), str(t)) for t in _listed(expected))
            message, hint = (
                f"Forkert type i feltet '{name}': {type_word(value)}, hvor HSDS 3.0 kræver {wanted}",
                f"Skriv værdien som {wanted}"
                + (', i anførselstegn i JSON, fx "tekst".' if "string" in _listed(expected) else "."),
            )
        return [_Finding(name, kind, ERROR if is_used else WARNING, message, hint, drop=True)]
    if kind == "format" and err.validator_value == "date":
        return [
            _Finding(
                name,
                "date",
                ERROR if is_used else WARNING,
                f"Ugyldig dato '{value_text(value)}' i feltet '{name}'",
                "HSDS-datoer skrives ÅÅÅÅ-MM-DD, fx 2025-03-01.",
                drop=True,
            )
        ]
    if kind == "format" and err.validator_value == "uuid":
        return [
            _Finding(
                name,
                "uuid",
                WARNING,
                f"'{value_text(value)}' i feltet '{name}' er ikke et UUID",
                "HSDS 3.0 bruger UUID'er som id'er; værdien bruges alligevel som id.",
            )
        ]
    if kind == "enum":
        allowed = list(err.validator_value)
        hit = _enum_match(value, allowed)
        shown = ", ".join(str(a) for a in allowed)
        if hit is not None:
            return [
                _Finding(
                    name,
                    "enum",
                    WARNING,
                    f"Værdien '{value_text(value)}' i feltet '{name}' skal skrives '{hit}'",
                    f"Tilladte værdier: {shown}. Værdien bruges som '{hit}'.",
                    replace=hit,
                )
            ]
        return [
            _Finding(
                name,
                "enum",
                ERROR if is_used else WARNING,
                f"Ukendt værdi '{value_text(value)}' i feltet '{name}'",
                f"Tilladte værdier: {shown}.",
                drop=True,
            )
        ]
    return [
        _Finding(
            name,
            kind,
            WARNING,
            f"Værdien '{value_text(value)}' i feltet '{name}' er ugyldig",
            err.message[:200],
        )
    ]


def _listed(expected: object) -> list:
    """A schema's 'type' as a list."""
    return list(expected) if isinstance(expected, list | tuple) else [expected]


class _Collector:
    """Issues, each once, at most MAX_ISSUES_PER_FIELD per file, field and kind."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        self.seen: set[tuple] = set()
        self.counts: dict[tuple, int] = {}
        self.summaries: dict[tuple, Issue] = {}

    def add(self, record: Record, finding: _Finding, source: str) -> None:
        """Report one finding (a missing CSV column once per file)."""
        value = record.data.get(finding.field)
        if finding.kind == "required" and record.columns is not None and finding.field not in record.columns:
            key = (record.file, finding.field, "column")
            if key in self.seen:
                return
            self.seen.add(key)
            self.issues.append(
                Issue(
                    finding.severity,
                    f"Kolonnen '{finding.field}' mangler i {record.entity}",
                    file=record.file,
                    sheet=record.sheet,
                    row=1,
                    column=finding.field,
                    hint=finding.hint + source,
                )
            )
            return
        key = (record.file, record.row, record.path, finding.field, finding.kind)
        if key in self.seen:
            return
        self.seen.add(key)
        group = (record.file, finding.field, finding.kind, finding.severity)
        self.counts[group] = self.counts.get(group, 0) + 1
        if self.counts[group] > MAX_ISSUES_PER_FIELD:
            extra = self.counts[group] - MAX_ISSUES_PER_FIELD
            self.summaries[group] = Issue(
                finding.severity,
                f"{extra} poster mere med samme slags {finding.severity} i feltet '{finding.field}'",
                file=record.file,
                sheet=record.sheet,
                column=finding.field,
                hint="Ret de viste poster og indlæs igen for at se resten.",
            )
            return
        hint = finding.hint + (f" Sti i JSON: {record.path}." if record.path else "") + source
        self.issues.append(
            Issue(
                finding.severity,
                finding.message,
                **{**record.where(finding.field, value), "hint": hint.strip()},
            )
        )

    def close(self) -> None:
        """Add the summaries of findings beyond the limit."""
        self.issues.extend(self.summaries.values())


_COORDINATES = ("latitude", "longitude")
_ANNOTATIONS = frozenset(
    {
        "$comment",
        "$id",
        "$schema",
        "constraints",
        "core",
        "datapackage_metadata",
        "datapackage_type",
        "description",
        "example",
        "examples",
        "name",
        "path",
        "tabular_required",
        "title",
    }
)
"""Keywords that never make a value invalid (JSON Schema annotations and HSDS' own metadata)."""
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _is_date(value: str) -> bool:
    """True for an existing date in ISO form."""
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _fast_check(sub: dict) -> Callable[[object], bool] | None:
    """A quick test that a value surely passes a simple property schema, or None if not simple.

    Only ever says 'valid' when jsonschema would; anything else is checked by jsonschema itself.
    """
    if set(sub) - _ANNOTATIONS - {"type", "format", "minLength", "minimum", "maximum", "enum", "pattern"}:
        return None
    tests: list[Callable[[object], bool]] = []
    kind = sub.get("type")
    if kind == "string":
        tests.append(lambda v: isinstance(v, str))
    elif kind == "number":
        tests.append(lambda v: isinstance(v, int | float) and not isinstance(v, bool))
    elif kind is not None:
        return None
    if sub.get("format") == "uuid":
        tests.append(lambda v: not isinstance(v, str) or bool(_UUID.fullmatch(v)))
    elif sub.get("format") == "date":
        tests.append(lambda v: not isinstance(v, str) or (bool(_DATE.fullmatch(v)) and _is_date(v)))
    if "minLength" in sub:
        n = sub["minLength"]
        tests.append(lambda v: not isinstance(v, str) or len(v) >= n)
    if "minimum" in sub:
        lo = sub["minimum"]
        tests.append(lambda v: not isinstance(v, int | float) or v >= lo)
    if "maximum" in sub:
        hi = sub["maximum"]
        tests.append(lambda v: not isinstance(v, int | float) or v <= hi)
    if "enum" in sub:
        allowed = list(sub["enum"])
        tests.append(lambda v: v in allowed)
    if "pattern" in sub:
        pattern = re.compile(sub["pattern"])
        tests.append(lambda v: not isinstance(v, str) or bool(pattern.search(v)))
    return lambda v: all(t(v) for t in tests)


class _EntityCheck:
    """Validates flat records of one entity, field by field where the schema allows (much faster)."""

    def __init__(self, validator: Draft202012Validator):
        schema = validator.schema if isinstance(validator.schema, dict) else {}
        self.validator = validator
        simple = not (set(schema) - _ANNOTATIONS - {"type", "properties", "required"})
        self.by_field = simple and schema.get("type", "object") == "object"
        self.required = [str(f) for f in schema.get("required", [])]
        self.props: dict[str, tuple[Draft202012Validator, Callable[[object], bool] | None]] = {}
        for name, sub in (schema.get("properties") or {}).items():
            if isinstance(sub, dict):
                self.props[name] = (validator.evolve(schema=sub), _fast_check(sub))

    def findings(self, record: Record) -> list[_Finding]:
        """Every finding for one record."""
        data = record.data
        if not self.by_field:
            return [f for err in self.validator.iter_errors(data) for f in _judge(record, err)]
        out = _required(record, [f for f in self.required if f not in data])
        for name, value in data.items():
            check = self.props.get(name)
            if check is None or (check[1] is not None and check[1](value)):
                continue
            for err in check[0].iter_errors(value):
                out.extend(_judge(record, err, name))
        return out


def validate_data(data: HsdsData, issues: list[Issue], *, tabular_check: bool = True) -> None:
    """Check every record against the schemas; report, drop invalid values, fix enum spelling.

    With official schemas given, CSV records are also checked against the official tabular rules
    (required, unique, keys); what they find is a warning, as the product's own needs are checked above.
    """
    sets = schema_sets(issues)
    if tabular_check and _SOURCE.get():
        _check_tabular(data, issues)
    collector = _Collector(issues)
    for entity, records in data.records.items():
        for index, schema_set in enumerate(sets):
            validator = schema_set.validators.get(entity)
            if validator is None:
                continue
            checker = _EntityCheck(validator)
            source = "" if index == 0 else f" (fundet af {schema_set.label})"
            for record in records:
                findings = checker.findings(record)
                for finding in findings:
                    collector.add(record, finding, source)
                for finding in findings:
                    if finding.replace is not None:
                        record.data[finding.field] = finding.replace
                    elif finding.drop:
                        record.data.pop(finding.field, None)
                        if finding.kind == "range" and finding.field in _COORDINATES:
                            for other in _COORDINATES:  # half a coordinate pair is no place
                                record.data.pop(other, None)
        _duplicates(entity, records, issues)
    collector.close()


def _check_tabular(data: HsdsData, issues: list[Issue]) -> None:
    """The official tabular rules on the records read from CSV files."""
    tables = {e: [r for r in records if r.columns is not None] for e, records in data.records.items()}
    tables = {e: records for e, records in tables.items() if records}
    if not tables:
        return
    rules, label = tabular_rules()
    package_rules.check(
        {e: [r.data for r in records] for e, records in tables.items()},
        rules,
        issues,
        severity=WARNING,
        files={e: records[0].file for e, records in tables.items()},
        rows={e: [r.row for r in records] for e, records in tables.items()},
        label=label,
    )


def _duplicates(entity: str, records: list[Record], issues: list[Issue]) -> None:
    """Ids given more than once in one entity: an error where the id becomes a product id."""
    first: dict[str, Record] = {}
    for record in records:
        given = record.data.get("id")
        if given in (None, ""):
            continue
        other = first.setdefault(str(given), record)
        if other is record:
            continue
        issues.append(
            Issue(
                ERROR if entity in KEY_ENTITIES else WARNING,
                f"Id'et '{given}' findes flere gange i {entity}",
                **record.where("id", given),
                hint=f"Også i {_place(other)}. Hvert id må kun bruges én gang."
                + (f" Sti i JSON: {record.path}." if record.path else ""),
            )
        )


def _place(record: Record) -> str:
    """Where a record is, for a message: the file and its row, or its path in a JSON file."""
    return f"{record.file}, {record.path}" if record.path else f"{record.file}, række {record.row}"


def validate_json_document(doc: object, entity: str = "organization") -> list[str]:
    """Messages for a whole nested JSON object against our schema (used by tests and the export)."""
    validator = own_schemas().validators[entity]
    return [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
