"""The HSDS export against the official HSDS 3.0 files in ../shared/hsds-3.0: every CSV row against the
official JSON schemas, the JSON form against the compiled organization schema, and every file against
the official datapackage.json rules (required, unique, primary and foreign keys, code lists)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from civilkort.issues import ERROR, WARNING
from etl.clean import builtin_vocabularies
from etl.cli import main
from etl.hsds import export as hsds_export
from etl.hsds import importer as hsds_importer
from etl.hsds import mapping, package_rules
from etl.hsds import validation as hsds_validation
from etl.hsds.export import program_owners
from tests.conftest import PROJECT_ROOT

SHARED = PROJECT_ROOT.parent / "shared" / "hsds-3.0"


@pytest.fixture(scope="module")
def official() -> Path:
    if not (SHARED / "datapackage.json").is_file():
        pytest.skip("De officielle HSDS 3.0-filer (../shared/hsds-3.0) findes ikke på denne maskine")
    return SHARED


def _registry(folder: Path) -> Registry:
    def retrieve(uri: str) -> Resource:
        name = uri.rstrip("/").rsplit("/", 1)[-1]
        return Resource.from_contents(
            json.loads((folder / name).read_text(encoding="utf-8")), default_specification=DRAFT202012
        )

    return Registry(retrieve=retrieve)


def official_problems(folder: Path, spec: Path) -> list[str]:
    """Every way the package in ``folder`` breaks the official HSDS 3.0 files in ``spec``."""
    package = json.loads((spec / "datapackage.json").read_text(encoding="utf-8"))
    rules = package_rules.derive_rules(package)
    registry = _registry(spec / "schema")
    formats = FormatChecker(formats=("date", "uuid", "email"))
    problems, tables, files = [], {}, {}
    for entity, resource in rules["resources"].items():
        path = folder / resource["path"]
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            rows = list(reader)
            header = reader.fieldnames or []
        types = {f["name"]: f["type"] for f in resource["fields"]}
        problems += [f"{path.name}: kolonnen {c} findes ikke i HSDS 3.0" for c in header if c not in types]
        schema = json.loads((spec / "schema" / f"{entity}.json").read_text(encoding="utf-8"))
        validator = Draft202012Validator(schema, registry=registry, format_checker=formats)
        for n, row in enumerate(rows, start=2):
            record = {
                k: float(v) if types.get(k) in ("number", "integer") else v for k, v in row.items() if v != ""
            }
            problems += [f"{path.name} række {n}: {e.message}" for e in validator.iter_errors(record)]
        tables[entity], files[entity] = rows, path.name
    issues: list = []
    package_rules.check(tables, rules, issues, severity=ERROR, files=files)
    problems += [str(i) for i in issues]
    nested = folder / "organizations.json"
    if nested.is_file():
        compiled = json.loads(
            (spec / "schema" / "compiled" / "organization.json").read_text(encoding="utf-8")
        )
        validator = Draft202012Validator(compiled, registry=registry, format_checker=formats)
        for org in json.loads(nested.read_text(encoding="utf-8")):
            problems += [f"organizations.json {org['id']}: {e.message}" for e in validator.iter_errors(org)]
    return problems


def test_shipped_rules_are_derived_from_the_official_datapackage(official):
    package = json.loads((official / "datapackage.json").read_text(encoding="utf-8"))
    assert package_rules.official_rules() == package_rules.derive_rules(package)
    assert package_rules.official_rules()["license"]["type"] == "CC-BY-SA-4.0"


def test_export_of_the_example_data_is_valid_hsds_3(official, tmp_path, example_tables):
    result = hsds_export.export(example_tables, builtin_vocabularies(), tmp_path, as_json=True)
    assert result.issues == [], [str(i) for i in result.issues]
    assert official_problems(tmp_path, official) == []
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    program = next(r for r in package["resources"] if r["name"] == "program")
    owner = next(f for f in program["schema"]["fields"] if f["name"] == "organization_id")
    assert owner["constraints"] == {"required": True, "unique": True}  # the official rules, carried along
    assert {
        "fields": "organization_id",
        "reference": {"resource": "organization", "fields": "id"},
    } in program["schema"]["foreignKeys"]


def test_export_of_hand_made_data_is_valid_and_fills_required_fields_honestly(official, tmp_path, tables):
    """The hand-made tables lack what HSDS requires: descriptions, a street, a council's own term's text."""
    extra = pd.DataFrame(
        [
            {
                "vocabulary": "target_group",
                "code": "egen",
                "label": "Egen målgruppe",
                "description": None,
                "sort_order": 99,
                "is_builtin": False,
            }
        ]
    )
    vocab = pd.concat([builtin_vocabularies(), extra], ignore_index=True)
    result = hsds_export.export(tables, vocab, tmp_path, as_json=True)
    assert result.issues == [], [str(i) for i in result.issues]
    assert official_problems(tmp_path, official) == []
    pkg = hsds_export.to_hsds(tables, vocab)
    org = next(o for o in pkg["organization"] if o["id"] == mapping.hsds_id("organisation", "ORG-002"))
    assert (
        org["description"]
        == "Frivillig forening. Civilsamfundskortet har ingen beskrivelse af organisationen."
    )
    filled = [a for a in pkg["attribute"] if a["link_type"] == "filled"]
    assert {(a["link_entity"], a["link_id"], a["value"]) for a in filled} >= {
        ("organization", org["id"], "description"),
        ("program", mapping.hsds_id("collaboration", "SAM-001"), "description"),
        ("taxonomy_term", mapping.term_id("target_group", "egen"), "description"),
    }
    # ORG-002 has only a postcode: no HSDS address (it needs street, city and region), the postcode is kept
    location = mapping.hsds_id("location", "organisation:ORG-002")
    assert not [a for a in pkg["address"] if a["location_id"] == location]
    kept = {(a["link_type"], a["value"]) for a in pkg["attribute"] if a["link_id"] == location}
    assert ("postcode", "0800") in kept
    assert pkg["metadata"] == []  # last verified is an attribute: a verification is no change record
    verified = [a for a in pkg["attribute"] if a["link_type"] == "last_verified"]
    assert [(a["link_id"], a["value"]) for a in verified] == [
        (mapping.hsds_id("organisation", "ORG-001"), "2025-03-01")
    ]


def test_a_full_address_gets_the_region_as_state_province(official, tables):
    tables["organisations"].loc[1, ["address", "city"]] = ["Søndergade 1", "Horsens"]
    pkg = hsds_export.to_hsds(tables, builtin_vocabularies())
    address = next(a for a in pkg["address"] if a["address_1"] == "Søndergade 1")
    assert (address["postal_code"], address["city"], address["country"]) == ("0800", "Horsens", "DK")
    assert address["state_province"].startswith("Region ")


def test_each_program_gets_its_own_owner_among_the_participants():
    rows = [
        {"collaboration_id": "A", "organisation_ids": ["o1", "o2"], "unit_ids": []},
        {"collaboration_id": "B", "organisation_ids": ["o2"], "unit_ids": []},
        {"collaboration_id": "C", "organisation_ids": ["o1"], "unit_ids": ["u1"]},
        {"collaboration_id": "D", "organisation_ids": ["o1"], "unit_ids": []},
    ]
    owners = program_owners(rows)
    org, unit = partial_id("organisation"), partial_id("regional_unit")
    assert owners == {"A": org("o1"), "B": org("o2"), "C": unit("u1")}  # D: no participant left
    assert len(set(owners.values())) == len(owners)
    # the first free participant is kept; an earlier program moves to its next participant when needed
    assert program_owners(rows[1:2] + rows[:1]) == {"B": org("o2"), "A": org("o1")}
    assert program_owners(
        [
            {"collaboration_id": "A", "organisation_ids": ["o1", "o2"]},
            {"collaboration_id": "B", "organisation_ids": ["o1"]},
        ]
    ) == {"A": org("o2"), "B": org("o1")}


def partial_id(kind: str):
    return lambda key: mapping.hsds_id(kind, key)


def test_a_broken_export_is_reported_by_file_row_and_column(official, tmp_path, tables, capsys):
    """The check can fail: an empty required field and a duplicate id are reported (and the export's own
    check stops on a broken record)."""
    folder = tmp_path / "pakke"
    hsds_export.export(tables, builtin_vocabularies(), folder)
    broken = tmp_path / "rettet"
    shutil.copytree(folder, broken)

    def edit(name: str, change) -> None:
        rows = list(csv.DictReader((broken / name).open(encoding="utf-8", newline="")))
        change(rows)
        with (broken / name).open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)

    edit("organizations.csv", lambda rows: rows[1].update(description=""))
    problems = official_problems(broken, official)
    assert any("description" in p and "række 3" in p for p in problems), problems
    main(["check", str(broken), "--hsds-schemas", str(official / "schema"), "-q"])
    printed = capsys.readouterr()
    assert (
        "Feltet 'description' er påkrævet i organization, men er tomt "
        "(fil rettet/organizations.csv, række 3, kolonne description)"
    ) in printed.out + printed.err
    assert "regel fra datapackage.json ved" in printed.out + printed.err

    edit("services.csv", lambda rows: rows[1].update(id=rows[0]["id"]))
    problems = official_problems(broken, official)
    assert any("findes flere gange i service" in p and "række 3" in p for p in problems), problems

    tables["organisations"].loc[0, "name"] = ""
    result = hsds_export.export(tables, builtin_vocabularies(), tmp_path / "tom")
    empty = [i for i in result.issues if i.column == "name" and i.file == "tom/organizations.csv"]
    assert empty and all(i.severity == ERROR for i in empty) and empty[0].row == 2


def test_hsds_schemas_reads_the_tabular_rules_beside_the_schemas(official, tmp_path, tables):
    """A datapackage.json next to the given schema folder is used (here one that requires an e-mail)."""
    spec = tmp_path / "spec"
    shutil.copytree(official, spec)
    package = json.loads((spec / "datapackage.json").read_text(encoding="utf-8"))
    org = next(r for r in package["resources"] if r["name"] == "organization")
    next(f for f in org["schema"]["fields"] if f["name"] == "email")["constraints"]["required"] = True
    (spec / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    with hsds_validation.using_official_schemas(str(spec / "schema")):
        result = hsds_export.export(tables, builtin_vocabularies(), tmp_path / "ud")
    missing = [i for i in result.issues if i.column == "email"]
    assert [i.row for i in missing] == [3, 4, 5] and str(spec / "schema") in missing[0].hint
    issues: list = []
    with hsds_validation.using_official_schemas(str(spec / "schema")):
        hsds_importer.load(tmp_path / "ud", issues, max_bytes=10**8, max_rows=1000)
    assert [(i.severity, i.file, i.row) for i in issues if i.column == "email"] == [
        (WARNING, "ud/organizations.csv", n) for n in (3, 4, 5)
    ]
