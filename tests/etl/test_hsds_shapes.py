"""Reading HSDS 3.0 in every shape publishers use: one object, lists, pages, one list per entity,
CSV with or without datapackage.json, zip; each item's kind from the schema; nothing dropped
without a warning. The fixtures are written here, in the publishers' layouts."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from civilkort.issues import ERROR, WARNING, InputError, Issue
from etl.cli import main
from etl.hsds import importer as hsds_importer
from etl.hsds.records import HsdsData
from etl.read import read_inputs
from tests.etl.conftest import only

ORG = "11111111-1111-4111-8111-111111111111"
SERVICE = "55555555-5555-4555-8555-555555555555"
TERM = {
    "id": "22222222-2222-4222-8222-222222222222",
    "name": "Forebyggelse",
    "description": "",
    "code": "forebyggelse",
}
ADDRESS = {
    "id": "44444444-4444-4444-8444-444444444444",
    "address_1": "Vestergade 1",
    "city": "Aarhus C",
    "state_province": "Region Midtjylland",
    "postal_code": "8000",
    "country": "DK",
    "address_type": "physical",
}
LOCATION = {
    "id": "33333333-3333-4333-8333-333333333333",
    "location_type": "physical",
    "name": "Huset",
    "addresses": [ADDRESS],
}


def organization(**extra) -> dict:
    return {"id": ORG, "name": "Forening A", "description": "En forening", **extra}


def service(**extra) -> dict:
    """A service with a theme term, a place and a nested list the product has no use for."""
    return {
        "id": SERVICE,
        "name": "Samtalegruppe",
        "description": "Hver torsdag",
        "status": "active",
        "attributes": [{"id": "66666666-6666-4666-8666-666666666666", "taxonomy_term": TERM}],
        "service_at_locations": [{"id": "77777777-7777-4777-8777-777777777777", "location": LOCATION}],
        "languages": [{"id": "88888888-8888-4888-8888-888888888888", "name": "Danish"}],
        **extra,
    }


def write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def load(path: Path) -> tuple[HsdsData | None, list[Issue]]:
    issues: list[Issue] = []
    return hsds_importer.load(path, issues, max_bytes=10**8, max_rows=10**6), issues


def errors(issues: list[Issue]) -> list[str]:
    return [str(i) for i in issues if i.is_error]


def assert_one_organisation_with_its_offer(path: Path) -> list[Issue]:
    """The file reads as one organisation (Forening A) and its offer (Samtalegruppe), no errors."""
    raw = read_inputs([path])
    assert not errors(raw.issues)
    orgs, offers = raw.tables["organisations"], raw.tables["offers"]
    assert list(orgs["name"]) == ["Forening A"] and list(orgs["organisation_id"]) == [ORG]
    assert list(offers["name"]) == ["Samtalegruppe"] and list(offers["organisation_id"]) == [ORG]
    assert list(offers["postcode"]) == ["8000"] and list(offers["themes"]) == ["forebyggelse"]
    return raw.issues


# ---------------------------------------------------------------- shapes


ONE_OBJECT = {
    "organization_full.json": organization(services=[service()], locations=[LOCATION]),
    "service_full.json": service(organization=organization()),
    "service_at_location_full.json": {
        "id": "99999999-9999-4999-8999-999999999999",
        "service": service(organization=organization(), service_at_locations=[]),
        "location": LOCATION,
    },
    "eksempel.json": organization(services=[service()]),  # no name to go by: the schema decides
}


@pytest.mark.parametrize("name", ONE_OBJECT)
def test_one_top_level_object_is_read_with_everything_nested(tmp_path, name):
    issues = assert_one_organisation_with_its_offer(write(tmp_path / name, ONE_OBJECT[name]))
    languages = only(issues, column="languages")
    assert (
        languages.severity == WARNING
        and languages.sheet == "service"
        and "springes over" in languages.message
    )


def shapes() -> dict[str, object]:
    flat = service(organization_id=ORG)
    return {
        "list of services": [service(organization=organization())],
        "API page": {
            "total_items": 1,
            "total_pages": 1,
            "page_number": 1,
            "contents": [service(organization=organization())],
        },
        "one list per entity, flat": {"organizations": [organization()], "services": [flat]},
        "one list per entity, service first": {"services": [flat], "organization": [organization()]},
        "list of organizations": [organization(services=[service()])],
    }


@pytest.mark.parametrize("shape", shapes())
def test_lists_pages_and_one_list_per_entity(tmp_path, shape):
    assert_one_organisation_with_its_offer(write(tmp_path / "feed.json", shapes()[shape]))


def test_a_service_without_nested_organization_is_a_service(tmp_path):
    """Before: a service with no nested organization was taken for an organisation."""
    data, issues = load(write(tmp_path / "tilbud.json", [service(organization_id=ORG)]))
    assert [r.data["name"] for r in data.get("service")] == ["Samtalegruppe"]
    assert data.get("organization") == []
    both = write(tmp_path / "organizations.json", [organization()])
    raw = read_inputs([tmp_path / "tilbud.json", both])
    assert list(raw.tables["offers"]["organisation_id"]) == [ORG]


def test_taxonomy_and_term_files_are_not_organisations(tmp_path):
    """Before: each term became an organisation called by the term's name."""
    terms = write(tmp_path / "termer.json", [TERM, {**TERM, "id": "23222222-2222-4222-8222-222222222222"}])
    data, _ = load(terms)
    assert len(data.get("taxonomy_term")) == 2 and data.get("organization") == []
    taxonomy = write(
        tmp_path / "taxonomies.json", [{"id": "t1", "name": "Open Eligibility", "description": "x"}]
    )
    assert len(load(taxonomy)[0].get("taxonomy")) == 1
    with pytest.raises(InputError) as exc:
        read_inputs([terms])
    held = only(exc.value.warnings, file="termer.json", message="ingen organisationer eller tilbud")
    assert "taxonomy_term (2)" in held.message


def test_items_that_fit_several_kinds_are_named_not_guessed(tmp_path):
    path = write(tmp_path / "data.json", [{"id": "a", "name": "Noget", "description": "x"}])
    with pytest.raises(InputError) as exc:
        read_inputs([path])
    skipped = only(exc.value.warnings, file="data.json", message="kan ikke bestemmes")
    assert "organization" in skipped.hint and "taxonomy_term" in skipped.hint
    assert "services.json" in skipped.hint


def test_a_list_decides_the_kind_of_its_items_that_fit_several(tmp_path):
    """An organisation without e-mail or services fits several kinds; its list is one of organisations."""
    doc = [
        organization(email="a@example.dk", website="https://a.dk"),
        {**organization(), "id": "o2", "name": "B"},
    ]
    data, issues = load(write(tmp_path / "data.json", doc))
    assert [r.data["name"] for r in data.get("organization")] == ["Forening A", "B"]
    assert not [i for i in issues if "bestemmes" in i.message]


def test_a_page_envelope_key_that_is_not_hsds_is_named(tmp_path):
    doc = {"total_items": 1, "contents": [service(organization=organization())], "next_cursor": "abc"}
    issues = assert_one_organisation_with_its_offer(write(tmp_path / "side.json", doc))
    assert only(issues, column="next_cursor").severity == WARNING


def test_a_json_file_that_is_not_hsds_is_an_error(tmp_path):
    path = write(tmp_path / "kort.json", {"type": "FeatureCollection", "features": []})
    with pytest.raises(InputError) as exc:
        read_inputs([path])
    assert "ingen HSDS 3.0-poster" in only(exc.value.issues, file="kort.json").message


# ---------------------------------------------------------------- duplicates and types


def test_duplicate_ids_in_json_are_an_error_naming_both_places(tmp_path):
    """Before: 128 services with one id became 1, and a second item's nested organization vanished."""
    second = service(name="Et andet tilbud", organization=organization(name="Forening B"))
    path = write(tmp_path / "services.json", [service(organization=organization()), second])
    with pytest.raises(InputError) as exc:
        read_inputs([path])
    dup = only(exc.value.issues, sheet="service", column="id")
    assert dup.severity == ERROR and "flere gange" in dup.message and dup.value == SERVICE
    assert "services.json, service[0]" in dup.hint and "service[1]" in dup.hint
    org = only(exc.value.issues, sheet="organization", column="id")
    assert "service[0].organization" in org.hint and "service[1].organization" in org.hint


def test_the_same_nested_object_twice_is_one_record(tmp_path):
    """An organization nested in each of its services is one organisation, not a duplicate."""
    other = service(id="56555555-5555-4555-8555-555555555555", name="Anden", organization=organization())
    data, issues = load(write(tmp_path / "services.json", [service(organization=organization()), other]))
    assert len(data.get("organization")) == 1 and len(data.get("service")) == 2
    assert not errors(issues)


def test_a_number_in_a_text_field_is_read_as_text_with_a_warning(tmp_path):
    """Before: an identifier of another scheme written as a number blocked the import."""
    org = organization(
        organization_identifiers=[
            {"id": "i1", "identifier_scheme": "DK-CVR", "identifier_type": "CVR", "identifier": 12345678}
        ],
        services=[service()],
    )
    path = write(tmp_path / "organization.json", org)
    raw = read_inputs([path])
    assert list(raw.tables["organisations"]["cvr"]) == ["12345678"]
    note = only(raw.issues, column="identifier")
    assert note.severity == WARNING and note.value == "12345678" and "læses som tekst" in note.message


def test_a_type_error_is_explained_in_danish(tmp_path):
    _, issues = load(write(tmp_path / "organization.json", organization(email=True, services=[service()])))
    issue = only(issues, column="email")
    assert issue.severity == ERROR and "sand/falsk (true/false), hvor HSDS 3.0 kræver tekst" in issue.message
    assert "Forventet" not in str(issue) and "string" not in str(issue)


# ---------------------------------------------------------------- CSV without datapackage.json


def write_csv_folder(folder: Path) -> Path:
    """HSDS CSV files as several profiles publish them: no datapackage.json."""
    folder.mkdir()
    files = {
        "organizations.csv": f"id,name,description\n{ORG},Forening A,En forening\n",
        "services.csv": f"id,organization_id,name,description,status\n{SERVICE},{ORG},Samtalegruppe,Hver torsdag,active\n",
        "locations.csv": f"id,organization_id,location_type,name\n{LOCATION['id']},{ORG},physical,Huset\n",
        "service_at_location.csv": f"id,service_id,location_id\nsal1,{SERVICE},{LOCATION['id']}\n",
        "adresser.csv": "id,location_id,address_1,city,state_province,postal_code,country,address_type\n"
        f"a1,{LOCATION['id']},Vestergade 1,Aarhus C,Region Midtjylland,8000,DK,physical\n",
        "taxonomy_terms.csv": f"id,name,description,code\n{TERM['id']},Forebyggelse,,forebyggelse\n",
        "attributes.csv": f"id,link_id,link_entity,taxonomy_term_id\nat1,{SERVICE},service,{TERM['id']}\n",
        "languages.csv": f"id,service_id,name\nl1,{SERVICE},Danish\n",
        "LÆSMIG.txt": "Eksport fra et andet system\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_csv_folder_and_zip_without_datapackage_json(tmp_path):
    """Before: 25 misleading errors, services.csv read as organisations."""
    folder = write_csv_folder(tmp_path / "hsds")
    archive = tmp_path / "hsds.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in folder.iterdir():
            z.write(f, f"eksport/{f.name}")
    for path, label in ((folder, "hsds"), (archive, "hsds.zip")):
        issues = assert_one_organisation_with_its_offer(path)
        assert only(issues, file=f"{label}/LÆSMIG.txt").severity == WARNING
        assert "ikke bruger" in only(issues, file=f"{label}/languages.csv").message
        by_headers = only(issues, file=f"{label}/adresser.csv", message="kolonneoverskrifterne")
        assert "'address'" in by_headers.message and "addresses.csv" in by_headers.hint


def test_a_folder_of_the_products_own_csv_files_is_not_hsds(tmp_path):
    folder = tmp_path / "skema"
    folder.mkdir()
    (folder / "organisationer.csv").write_text(
        "Id;Navn;Organisationstype\nORG-1;A;Forening\n", encoding="utf-8"
    )
    (folder / "organisations.csv").write_text(
        "Id;Navn;Organisationstype\nORG-2;B;Forening\n", encoding="utf-8"
    )
    assert not hsds_importer.is_hsds_input(folder)


# ---------------------------------------------------------------- warnings printed with errors


def test_warnings_that_explain_a_fatal_error_are_printed_with_it(tmp_path, capsys):
    folder = write_csv_folder(tmp_path / "pakke")
    (folder / "services.csv").unlink()
    resources = [
        {"name": "organization", "path": "organizations.csv"},
        {"name": "service", "path": "services.csv"},
    ]
    (folder / "datapackage.json").write_text(json.dumps({"resources": resources}), encoding="utf-8")
    doc = write(tmp_path / "termer.json", [TERM])
    code = main(["check", str(doc)])
    err = capsys.readouterr().err
    assert code == 1 and "Ingen tabeller fundet" in err and "kun taxonomy_term (1)" in err
    code = main(["check", str(folder)])
    err = capsys.readouterr().err
    assert code == 1 and "services.csv til ressourcen 'service' findes ikke i pakken" in err
    assert "Traceback" not in err


def test_hsds_3_1_extras_are_kept_where_they_map_and_named_where_they_do_not(tmp_path):
    term = {
        "id": "a9",
        "link_id": SERVICE,
        "link_entity": "service",
        "taxonomy_term": TERM,
        "label": "Forebyggelse",
    }
    doc = service(
        organization=organization(),
        attributes=[term],
        capacities=[{"id": "c1", "available": 3}],
        last_checked="2025-01-01",
    )
    issues = assert_one_organisation_with_its_offer(write(tmp_path / "service.json", doc))
    assert "springes over" in only(issues, column="capacities").message
    assert "ikke et HSDS 3.0-felt" in only(issues, column="last_checked").message
    folder = write_csv_folder(tmp_path / "csv")
    services = folder / "services.csv"
    services.write_text(
        services.read_text(encoding="utf-8").replace("status\n", "status,x_kilde\n").rstrip("\n") + ",nyt\n",
        encoding="utf-8",
    )
    raw = read_inputs([folder])
    extra = only(raw.issues, file="csv/services.csv", column="x_kilde")
    assert extra.severity == WARNING and "ikke HSDS 3.0-felter" in extra.message
