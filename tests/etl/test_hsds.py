"""Open Referral HSDS 3.0: export, import, round trips, schema validation and the CLI command."""

from __future__ import annotations

import csv
import json
import shutil
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from civilkort.issues import ERROR, WARNING, InputError, Issue
from civilkort.schema import TABLES, TABLES_BY_NAME
from etl.build import prepare
from etl.clean import CleanInput, builtin_vocabularies, clean
from etl.cli import main
from etl.hsds import export as hsds_export
from etl.hsds import importer as hsds_importer
from etl.hsds import mapping
from etl.hsds import validation as hsds_validation
from etl.hsds.validation import own_schemas, validate_json_document
from etl.read import PROVENANCE, read_inputs
from tests.etl.conftest import only

# ---------------------------------------------------------------- helpers


def read_back(*paths: Path, schemas: str | None = None) -> CleanInput:
    """Read inputs the way the CLI does: read, then clean."""
    with hsds_validation.using_official_schemas(schemas):
        raw = read_inputs(list(paths))
    data = clean(raw)
    data.issues = [*raw.issues, *data.issues]
    return data


def assert_same_records(expected: dict[str, pd.DataFrame], got: dict[str, pd.DataFrame]) -> None:
    """Every data table has the same records (provenance aside), compared by id."""
    for table in TABLES:
        key = table.id_field.name
        a = expected[table.name].drop(columns=PROVENANCE).sort_values(key).reset_index(drop=True)
        b = got[table.name].drop(columns=PROVENANCE).sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, obj=table.name)


def write_package(folder: Path, resources: dict[str, list[dict]], **meta) -> Path:
    """A tabular data package written the way another publisher might: CSV files plus datapackage.json."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for entity, rows in resources.items():
        path = mapping.ENTITIES.get(entity, f"{entity}.csv")
        columns = list(dict.fromkeys(k for r in rows for k in r))
        with (folder / path).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, columns)
            writer.writeheader()
            writer.writerows(rows)
        entries.append({"name": entity, "path": path})
    (folder / "datapackage.json").write_text(
        json.dumps({"name": "example", "title": "HSDS-eksempel", "resources": entries, **meta}),
        encoding="utf-8",
    )
    return folder


def issues_at(issues: list[Issue], **where) -> list[Issue]:
    return [i for i in issues if all(getattr(i, k) == v for k, v in where.items())]


@pytest.fixture(scope="module")
def example_export(tmp_path_factory, example_tables) -> Path:
    """The small example data exported once as a tabular package plus the JSON form."""
    folder = tmp_path_factory.mktemp("hsds") / "pakke"
    result = hsds_export.export(example_tables, builtin_vocabularies(), folder, as_json=True)
    assert result.issues == [], [str(i) for i in result.issues]
    return folder


# ---------------------------------------------------------------- round trips


def test_round_trip_through_tabular_package_gives_the_same_records(example_export, example_tables):
    data = read_back(example_export)
    assert not [i for i in data.issues if i.is_error]
    assert_same_records(example_tables, data.tables)


def test_round_trip_through_json_form_gives_the_same_records(example_export, example_tables):
    data = read_back(example_export / "organizations.json")
    assert not [i for i in data.issues if i.is_error]
    assert_same_records(example_tables, data.tables)


def test_round_trip_names_nothing_of_our_own_export_as_skipped(example_export):
    """The warnings about fields, files and items not read are for other publishers' data only."""
    for path in (example_export, example_export / "organizations.json"):
        data = read_back(path)
        skipped = [str(i) for i in data.issues if "bruges ikke" in i.message or "springes over" in i.message]
        assert skipped == [], skipped


def test_round_trip_keeps_every_field_kind_and_a_councils_own_vocabulary_value(tmp_path, tables):
    """The hand-made tables use every field kind: areas of each kind, half coordinates, yes/no, dates."""
    extra = pd.DataFrame(
        [
            {
                "vocabulary": "target_group",
                "code": "unge_spiseforstyrrelser",
                "label": "Unge med spiseforstyrrelser",
                "description": "Tilføjet af sundhedsrådet",
                "sort_order": 99,
                "is_builtin": False,
            }
        ]
    )
    vocab = pd.concat([builtin_vocabularies(), extra], ignore_index=True)
    offers = tables["offers"]
    offers["target_groups"] = [offers["target_groups"].iloc[0], ["unge_spiseforstyrrelser", "ensomme"]]
    for as_json in (False, True):
        folder = tmp_path / f"ud-{as_json}"
        result = hsds_export.export(tables, vocab, folder, as_json=as_json)
        assert result.issues == []
        data = read_back(folder / "organizations.json" if as_json else folder)
        assert not [i for i in data.issues if i.is_error], [str(i) for i in data.issues]
        assert_same_records(tables, data.tables)
        added = data.vocabularies[~data.vocabularies["is_builtin"]]
        assert added[["vocabulary", "code", "label", "description"]].to_dict("records") == [
            {k: extra.iloc[0][k] for k in ("vocabulary", "code", "label", "description")}
        ]


def test_export_is_deterministic_and_maps_onto_hsds_fields(tmp_path, tables):
    first = hsds_export.export(tables, builtin_vocabularies(), tmp_path / "a", as_json=True)
    second = hsds_export.export(tables, builtin_vocabularies(), tmp_path / "b", as_json=True)
    for a, b in zip(first.paths, second.paths, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    pkg = hsds_export.to_hsds(tables, builtin_vocabularies())
    org = next(o for o in pkg["organization"] if o["name"] == "Hjerteforeningen Aarhus")
    assert org["id"] == mapping.hsds_id("organisation", "ORG-001")
    cvr = only_record(pkg["organization_identifier"], organization_id=org["id"])
    assert (cvr["identifier_scheme"], cvr["identifier"]) == ("DK-CVR", "12345678")
    service = next(s for s in pkg["service"] if s["name"] == "Løbecafé")
    assert service["assured_date"] == "2024-12-31" and service["status"] == "active"
    areas = [a["uri"] for a in pkg["service_area"] if a["service_id"] == service["id"]]
    assert areas == [
        "urn:civilkort:omraade:municipality:751",
        "urn:civilkort:omraade:council:horsens",
        "urn:civilkort:omraade:national:DK",
    ]
    program = only_record(pkg["program"], name="Patientstøtter")
    partners = [a for a in pkg["attribute"] if a["link_id"] == program["id"] and a["link_type"] == "unit_ids"]
    assert [a["value"] for a in partners] == [
        mapping.hsds_id("regional_unit", "ENH-001"),
        mapping.hsds_id("regional_unit", "ENH-002"),
    ]
    assert partners[0]["taxonomy_term_id"] == mapping.field_term_id("unit_ids")


def only_record(records: list[dict], **fields) -> dict:
    hits = [r for r in records if all(r.get(k) == v for k, v in fields.items())]
    assert len(hits) == 1, hits
    return hits[0]


def test_json_form_nests_everything_and_passes_the_nested_schemas(example_export):
    doc = json.loads((example_export / "organizations.json").read_text(encoding="utf-8"))
    with_service = next(o for o in doc if o.get("services"))
    assert validate_json_document(with_service) == []
    service = with_service["services"][0]
    assert service["organization_id"] == with_service["id"]
    assert any(
        a["taxonomy_term"]["taxonomy"] == "urn:civilkort:vokabular:theme" for a in service["attributes"]
    )
    experiences = [
        a
        for o in doc
        for p in o.get("programs", [])
        for a in p.get("attributes", [])
        if a["link_type"] == "experience"
    ]
    assert any({c["link_type"] for c in e["attributes"]} >= {"id", "date", "evaluation"} for e in experiences)
    broken = {**with_service, "locations": [{"id": "x", "location_type": "mars", "latitude": 100}]}
    problems = validate_json_document(broken)
    assert any("locations/0/latitude" in p for p in problems) and any("location_type" in p for p in problems)


def test_editing_the_package_changes_what_is_imported(tmp_path, example_tables, example_export):
    """The round trip really reads the attributes: change one theme in attributes.csv and it shows."""
    folder = tmp_path / "rettet"
    shutil.copytree(example_export, folder)
    attrs = (folder / "attributes.csv").read_text(encoding="utf-8")
    old_term, new_term = mapping.term_id("theme", "forebyggelse"), mapping.term_id("theme", "udvikling")
    offer_uuid = mapping.hsds_id("offer", "TILBUD-000001")
    lines = attrs.split("\r\n")
    lines = [
        line.replace(old_term, new_term).replace(",forebyggelse,", ",udvikling,")
        if offer_uuid in line and old_term in line
        else line
        for line in lines
    ]
    (folder / "attributes.csv").write_text("\r\n".join(lines), encoding="utf-8")
    data = read_back(folder)
    offers = data.tables["offers"].set_index("offer_id")
    assert offers.at["TILBUD-000001", "themes"] == ["udvikling"]
    with pytest.raises(AssertionError):
        assert_same_records(example_tables, data.tables)


def test_zip_and_datapackage_json_paths_read_like_the_folder(tmp_path, example_export, example_tables):
    archive = tmp_path / "hsds.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in sorted(example_export.glob("*.csv")) + [example_export / "datapackage.json"]:
            zf.write(p, f"eksport/{p.name}")
    assert_same_records(example_tables, read_back(archive).tables)
    data = read_back(example_export / "datapackage.json")
    assert_same_records(example_tables, data.tables)
    assert data.tables["organisations"]["_file"].iloc[0] == "pakke/organizations.csv"


def test_leaving_out_personal_data(tmp_path, tables):
    hsds_export.export(tables, builtin_vocabularies(), tmp_path, include_personal=False)
    assert (tmp_path / "contacts.csv").read_text(encoding="utf-8").strip().count("\n") == 0
    assert "kontakt@example.dk" not in (tmp_path / "organizations.csv").read_text(encoding="utf-8")
    assert ",tovholder," not in (tmp_path / "attributes.csv").read_text(encoding="utf-8")


# ---------------------------------------------------------------- another publisher's data

ORG = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
SERVICE = "ac148810-d857-441c-9679-408f346de14b"
LOCATION = "3a19ff88-4620-4d17-9830-ac1d859eb5d5"
PROGRAM = "e7ec2e57-4540-43fa-b2c7-6be5a0ef7f42"
TAXONOMY = "5c4d79d7-cc55-470e-9f1f-8cad074e4892"


def foreign_resources() -> dict[str, list[dict]]:
    """A package shaped like the public HSDS 3.0 example data (latitude 100!), set in Aarhus."""
    terms = {
        "3f7b145d-84af-42d7-8fae-eaca714b02b2": "Forebyggelse",
        "0bc248fa-dc27-4650-9ba4-8f1a24ef16a2": "Ensomme",
        "2226a1e5-7ff1-4c46-a5fb-955304b05917": "Community Counselling",
    }
    return {
        "organization": [
            {
                "id": ORG,
                "name": "Example Organization Inc.",
                "description": "Example Org is a non-profit organization",
                "email": "email@example.com",
                "website": "http://example.com",
                "legal_status": "Limited Company",
            }
        ],
        "organization_identifier": [
            {
                "id": "d4dbcebc-0802-47cb-8651-b937ac4f2f3e",
                "organization_id": ORG,
                "identifier_scheme": "DK-CVR",
                "identifier_type": "company",
                "identifier": "12345678",
            }
        ],
        "program": [
            {
                "id": PROGRAM,
                "organization_id": ORG,
                "name": "Community Mental Health Support",
                "description": "",
            }
        ],
        "service": [
            {
                "id": SERVICE,
                "organization_id": ORG,
                "program_id": PROGRAM,
                "name": "Community Counselling",
                "description": "Counselling Services provided by trained professionals.",
                "status": "active",
                "fees_description": "Gratis",
                "assured_date": "2025-01-01",
            }
        ],
        "location": [
            {
                "id": LOCATION,
                "location_type": "physical",
                "organization_id": ORG,
                "name": "MyCity Civic Center",
                "latitude": "100",
                "longitude": "101",
            }
        ],
        "address": [
            {
                "id": "74706e55-df26-4b84-80fe-ecc30b5befb4",
                "location_id": LOCATION,
                "address_1": "1-30 Main Street",
                "city": "Aarhus C",
                "state_province": "",
                "postal_code": "8000",
                "country": "DK",
                "address_type": "physical",
            }
        ],
        "service_at_location": [
            {"id": "e94c9f38-1e8f-4564-91d4-d53501ab1765", "service_id": SERVICE, "location_id": LOCATION}
        ],
        "service_area": [
            {"id": "381c64f1-a724-4884-9c21-ac96c21cca3e", "service_id": SERVICE, "name": "Aarhus Kommune"},
            {"id": "481c64f1-a724-4884-9c21-ac96c21cca3e", "service_id": SERVICE, "name": "MyCity"},
        ],
        "schedule": [
            {
                "id": "48102e86-bb50-41c4-8f1e-e269368c41d1",
                "service_id": SERVICE,
                "freq": "WEEKLY",
                "byday": "TH,FR",
                "opens_at": "10:00",
                "closes_at": "18:00",
            }
        ],
        "taxonomy": [
            {"id": TAXONOMY, "name": "Open Eligibility", "description": "", "uri": "http://example.com"}
        ],
        "taxonomy_term": [
            {"id": tid, "code": name.lower(), "name": name, "description": "", "taxonomy_id": TAXONOMY}
            for tid, name in terms.items()
        ],
        "attribute": [
            {
                "id": f"ae58cc39-8b70-4ab1-8aea-786882e5ac8{i}",
                "link_id": SERVICE,
                "taxonomy_term_id": tid,
                "link_type": "service_type",
                "link_entity": "service",
            }
            for i, tid in enumerate(terms)
        ],
    }


def test_foreign_package_imports_sensibly_and_reports_latitude_100(tmp_path):
    folder = write_package(tmp_path / "eksempel", foreign_resources())
    data = read_back(folder)
    assert not [i for i in data.issues if i.is_error], [str(i) for i in data.issues]
    lat = only(data.issues, file="eksempel/locations.csv", row=2, column="latitude")
    assert lat.severity == WARNING and lat.sheet == "location" and lat.value == "100"
    assert "-90 til 90" in lat.message
    org = data.tables["organisations"].iloc[0]
    assert (org["organisation_id"], org["name"], org["cvr"]) == (ORG, "Example Organization Inc.", "12345678")
    assert org["organisation_type"] == "ngo" and org["postcode"] == "8000"
    assert pd.isna(org["lat"]) and pd.isna(org["lon"])  # latitude 100: the pair is not used
    assert org["source"] == "HSDS: HSDS-eksempel"
    offer = data.tables["offers"].iloc[0]
    assert offer["organisation_id"] == ORG and offer["themes"] == ["forebyggelse"]
    assert offer["target_groups"] == ["ensomme"] and offer["service_area"] == ["municipality:751"]
    assert (
        offer["status"] == "aktiv"
        and offer["cost"] == "Gratis"
        and offer["schedule"] == "ugentligt TH,FR 10:00-18:00"
    )
    assert str(offer["last_verified"].date()) == "2025-01-01"
    term = only(data.issues, message="'Community Counselling'")
    assert (
        term.severity == WARNING and term.file == "eksempel/attributes.csv" and "Nærmeste værdi" in term.hint
    )
    area = only(data.issues, message="'MyCity'")
    assert area.severity == WARNING and area.column == "name" and area.row == 3
    only(data.issues, message="ingen organisationstype")
    only(data.issues, message="programmer er ikke samarbejder")
    prepared = prepare(data, None)
    assert prepared.errors == []
    placed = prepared.tables["organisations"].iloc[0]
    assert placed["location_precision"] == "postcode" and placed["municipality_code"] == 751


def test_foreign_package_mixed_with_spreadsheet_files(tmp_path, write_csv):
    folder = write_package(tmp_path / "hsds", foreign_resources())
    write_csv(
        "regionale_enheder.csv",
        "Id;Navn;Enhedstype;Kommune\nENH-1;Aarhus Universitetshospital;Hospital;Aarhus\n",
    )
    write_csv(
        "samarbejder.csv",
        f"Id;Titel;Regionale enheder (id);Organisationer (id)\nSAM-1;Samtalegrupper;ENH-1;{ORG}\n",
    )
    data = read_back(folder, tmp_path / "regionale_enheder.csv", tmp_path / "samarbejder.csv")
    prepared = prepare(data, None)
    assert prepared.errors == [], [str(i) for i in prepared.errors]
    assert prepared.tables["collaborations"]["organisation_ids"].iloc[0] == [ORG]


def test_foreign_json_with_nested_objects_and_pagination(tmp_path):
    r = foreign_resources()
    term = {**r["taxonomy_term"][1], "taxonomy_detail": r["taxonomy"][0]}
    location = {**r["location"][0], "latitude": 56.15, "longitude": 500, "addresses": r["address"]}
    service = {
        **{k: v for k, v in r["service"][0].items() if k != "organization_id"},
        "attributes": [
            {"id": "a1", "taxonomy_term": r["taxonomy_term"][0] | {"taxonomy_id": TAXONOMY}},
            {"id": "a2", "taxonomy_term": term},
        ],
        "service_at_locations": [{"id": "sal-1", "location": location}],
        "service_areas": [{"id": "sa-1", "name": "751"}],
    }
    doc = {
        "total_items": 1,
        "contents": [{**r["organization"][0], "services": [service], "locations": [location]}],
    }
    path = tmp_path / "organisationer.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    data = read_back(path)
    assert not [i for i in data.issues if i.is_error], [str(i) for i in data.issues]
    lon = only(data.issues, column="longitude")
    assert lon.file == "organisationer.json" and lon.sheet == "location" and lon.value == "500"
    assert "contents[0].services[0]" in lon.hint
    offer = data.tables["offers"].iloc[0]
    assert offer["organisation_id"] == ORG and offer["themes"] == ["forebyggelse"]
    assert offer["target_groups"] == ["ensomme"] and offer["service_area"] == ["municipality:751"]
    assert pd.isna(offer["lat"]) and pd.isna(offer["lon"]) and offer["postcode"] == "8000"
    assert len(data.tables["organisations"]) == 1
    uuids = only(data.issues, column="id", value="a1")
    assert uuids.severity == WARNING and "UUID" in uuids.message


def test_semicolon_csv_and_a_descriptor_with_another_name(tmp_path):
    """Files re-saved by Danish Excel use ';'; a descriptor may be called something else than datapackage.json."""
    folder = write_package(tmp_path / "semikolon", foreign_resources())
    for csv_file in folder.glob("*.csv"):
        rows = list(csv.reader(csv_file.open(encoding="utf-8", newline="")))
        with csv_file.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, delimiter=";").writerows(rows)
    descriptor = (folder / "datapackage.json").rename(folder / "hsds-pakke.json")
    data = read_back(descriptor)
    assert not [i for i in data.issues if i.is_error], [str(i) for i in data.issues]
    assert data.tables["offers"]["themes"].iloc[0] == ["forebyggelse"]


# ---------------------------------------------------------------- invalid records


def bad_resources() -> dict[str, list[dict]]:
    r = foreign_resources()
    r["organization"].append({"id": "b9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610", "name": "", "description": ""})
    r["service"][0]["assured_date"] = "2024-13-45"
    r["service"].append(
        {
            **r["service"][0],
            "id": "bc148810-d857-441c-9679-408f346de14b",
            "status": "Active",
            "assured_date": "",
        }
    )
    r["service"].append(
        {
            **r["service"][0],
            "id": "cc148810-d857-441c-9679-408f346de14b",
            "status": "open",
            "assured_date": "",
        }
    )
    r["location"][0]["latitude"] = "abc"
    r["location"][0]["longitude"] = "500"
    return r


def test_invalid_records_become_located_issues_not_a_crash(tmp_path):
    folder = write_package(tmp_path / "fejl", bad_resources())
    with pytest.raises(InputError) as exc:
        read_inputs([folder])
    issues = exc.value.issues
    name = only(issues, file="fejl/organizations.csv", row=3, column="name")
    assert name.severity == ERROR and name.sheet == "organization" and "tomt" in name.message
    date = only(issues, file="fejl/services.csv", row=2, column="assured_date")
    assert date.severity == ERROR and date.value == "2024-13-45" and "ÅÅÅÅ-MM-DD" in date.hint
    lat = only(issues, file="fejl/locations.csv", row=2, column="latitude")
    assert lat.severity == ERROR and lat.value == "abc" and "Ikke et tal" in lat.message
    status = only(issues, file="fejl/services.csv", row=4, column="status")
    assert status.severity == ERROR and status.value == "open" and "active" in status.hint
    assert not issues_at(issues, file="fejl/services.csv", row=3, column="status")  # 'Active' is a warning


def test_check_command_prints_danish_issues_without_traceback(tmp_path, capsys):
    folder = write_package(tmp_path / "fejl", bad_resources())
    code = main(["check", str(folder)])
    err = capsys.readouterr().err
    assert code == 1
    assert "fejl/services.csv" in err and "række 2" in err and "assured_date" in err
    assert "Ikke et tal" in err and "Traceback" not in err


def test_missing_required_column_is_reported_once_per_file(tmp_path):
    r = foreign_resources()
    for org in r["organization"]:
        del org["description"]
    folder = write_package(tmp_path / "uden", r)
    data = read_back(folder)
    issue = only(data.issues, column="description", file="uden/organizations.csv")
    assert issue.severity == WARNING and issue.row == 1 and "mangler" in issue.message


def test_not_a_package(tmp_path):
    (tmp_path / "tom.zip").write_bytes(b"PK\x03\x04 broken")
    (tmp_path / "forkert.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_inputs([tmp_path / "forkert.json", tmp_path / "tom.zip"])
    assert only(exc.value.issues, file="forkert.json").row == 1
    only(exc.value.issues, file="tom.zip")


# ---------------------------------------------------------------- official schemas


def official_like(folder: Path) -> Path:
    """Schema files shaped like the official ones: no $schema, HSDS' own keywords, relative $refs.

    Two differences from ours show which set found what: no range on latitude (as in HSDS),
    and a service status list without 'defunct' (so only the 'official' set rejects it).
    """
    folder.mkdir(parents=True, exist_ok=True)
    for entity, path in mapping.ENTITIES.items():
        schema = json.loads(json.dumps(mapping.own_schema(entity)))
        schema.pop("$schema")
        schema["$id"] = (
            f"https://raw.githubusercontent.com/openreferral/specification/3.0/schema/{entity}.json"
        )
        schema.update({"name": entity, "path": path, "datapackage_metadata": {"format": "csv"}})
        if entity == "location":
            schema["properties"]["latitude"] = {"type": "number", "core": "Y", "example": "100"}
        if entity == "service":
            schema["properties"]["status"]["enum"] = ["active", "inactive", "temporarily closed"]
            schema["properties"]["organization_id"] = {"$ref": "organization.json#/properties/id"}
        (folder / f"{entity}.json").write_text(json.dumps(schema), encoding="utf-8")
    return folder


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture
def schema_server(tmp_path):
    """Official-like schema files served over HTTP from a free local port."""
    folder = official_like(tmp_path / "served")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_official_schemas_downloaded_from_a_url(tmp_path, schema_server):
    r = foreign_resources()
    r["service"][0]["status"] = "defunct"
    r["service"][0]["organization_id"] = "not-a-uuid"
    folder = write_package(tmp_path / "pakke", r)
    issues: list[Issue] = []
    with hsds_validation.using_official_schemas(schema_server):
        hsds_importer.load(folder, issues, max_bytes=10**8, max_rows=1000)
    status = only(issues, column="status")
    assert status.severity == ERROR and status.value == "defunct" and status.row == 2
    assert "officielle HSDS-skemaer" in status.hint and schema_server in status.hint
    assert only(issues, column="latitude").severity == WARNING  # our own range check still applies
    ref = only(issues, column="organization_id", file="pakke/services.csv", message="UUID")
    assert (
        "UUID" in ref.message and "officielle" in ref.hint
    )  # checked through a $ref fetched from the server
    with pytest.raises(InputError) as exc:
        read_back(folder, schemas=schema_server)
    assert "defunct" in str(exc.value)


def test_official_schemas_from_a_folder_and_a_missing_source(tmp_path):
    folder = write_package(tmp_path / "pakke", foreign_resources())
    schemas = official_like(tmp_path / "specification" / "schema")
    data = read_back(folder, schemas=str(tmp_path / "specification"))
    assert not [i for i in data.issues if i.is_error]
    assert hsds_validation.official_schemas(str(schemas)).validators["service"].schema["name"] == "service"
    with pytest.raises(InputError) as exc:
        read_back(folder, schemas=str(tmp_path / "findes-ikke"))
    missing = only(exc.value.issues, file=str(tmp_path / "findes-ikke"))
    assert "organization.json" in missing.message


def test_own_schemas_are_valid_draft_2020_12():
    from jsonschema import Draft202012Validator

    for entity, validator in own_schemas().validators.items():
        Draft202012Validator.check_schema(validator.schema)
        assert validator.schema["$schema"].endswith("2020-12/schema"), entity
    assert set(own_schemas().validators) == set(mapping.ENTITIES)


# ---------------------------------------------------------------- the command line


def test_hsds_export_command_from_the_database_then_build_from_it(
    tmp_path, small_db_dir, monkeypatch, capsys
):
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(small_db_dir))
    out = tmp_path / "hsds"
    code = main(["hsds-export", "--out", str(out), "--json", "-q"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert str(out / "datapackage.json") in printed.out and (out / "organizations.json").is_file()
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert package["civilkort_profile"] == mapping.PROFILE_URN
    assert {r["name"] for r in package["resources"]} == set(mapping.ENTITIES)
    code = main(["check", str(out), "-q"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "Ingen fejl" in printed.out


def test_hsds_export_command_from_inputs_and_danish_help(tmp_path, capsys, tables):
    from etl.template import write_inputs

    folder = write_inputs(tables, tmp_path / "input")
    code = main(["hsds-export", str(folder), "--out", str(tmp_path / "ud"), "-q"])
    assert code == 0, capsys.readouterr().err
    assert "kontakt@example.dk" not in (tmp_path / "ud" / "organizations.csv").read_text(encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["hsds-export", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "Open Referral HSDS 3.0" in help_text and "--med-personoplysninger" in help_text


def test_every_table_field_has_a_home_in_the_profile():
    """A new schema field must be mapped (or the round trip tests would silently miss it)."""
    homes = {
        "organisations": {
            "organisation_id",
            "name",
            "cvr",
            "description",
            "website",
            "email",
            "contact_person",
            "address",
            "postcode",
            "city",
            "lat",
            "lon",
            "municipality",
            "last_verified",
            "source",
            "hsds_id",  # the record's HSDS id itself
        },
        "offers": {
            "offer_id",
            "organisation_id",
            "name",
            "description",
            "accepts_social_referrals",
            "address",
            "postcode",
            "city",
            "lat",
            "lon",
            "municipality",
            "service_area",
            "schedule",
            "cost",
            "last_verified",
            "source",
            "hsds_id",
        },
        "regional_units": {
            "unit_id",
            "name",
            "address",
            "postcode",
            "city",
            "lat",
            "lon",
            "municipality",
            "serves",
            "source",
        },
        "collaborations": {
            "collaboration_id",
            "title",
            "description",
            "unit_ids",
            "organisation_ids",
            "start_date",
            "end_date",
            "funding",
            "tovholder",
            "legal_review_done",
            "municipalities",
            "last_verified",
            "source",
        },
        "experiences": {"experience_id", "collaboration_id", "date", "learning", "evaluation_link"},
    }
    for name, fields in homes.items():
        mapped = fields | set(mapping.VOCAB_FIELDS[name])
        assert set(TABLES_BY_NAME[name].field_names) == mapped, name
