"""A publisher's HSDS feed through the product and out again (issue #13): the publisher's ids come back,
every field the product has a place for comes back, and each field it has no place for is named in the
import's warnings. The feed is written here in the layout of the official ``*_full.json`` examples: one
organization object with its services, locations, phones, contacts and programs nested."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from civilkort.issues import WARNING, Issue
from etl.clean import CleanInput, builtin_vocabularies, clean
from etl.hsds import export as hsds_export
from etl.hsds import mapping
from etl.hsds.export import record_ids, to_hsds
from etl.read import PROVENANCE, read_inputs
from tests.etl.test_hsds_official import official, official_problems  # noqa: F401 (a fixture)

ORG = "0b6b1c2e-8f1a-4c55-9d3e-1a2b3c4d5e01"
SERVICE = "0b6b1c2e-8f1a-4c55-9d3e-1a2b3c4d5e02"
SECOND_SERVICE = "0b6b1c2e-8f1a-4c55-9d3e-1a2b3c4d5e03"
ORG_LOCATION = "0b6b1c2e-8f1a-4c55-9d3e-1a2b3c4d5e04"
SERVICE_LOCATION = "0b6b1c2e-8f1a-4c55-9d3e-1a2b3c4d5e05"
PROGRAM = "0b6b1c2e-8f1a-4c55-9d3e-1a2b3c4d5e06"


def uid(n: int) -> str:
    return f"9c0d7a3e-1111-4b22-8c33-{n:012d}"


def theme(n: int, name: str) -> dict:
    return {"id": uid(n), "taxonomy_term": {"id": uid(n + 1), "name": name, "description": "", "code": name}}


def feed() -> dict:
    """One organization as a publisher's *_full.json file gives it."""
    return {
        "id": ORG,
        "name": "Frivilligcenter Østjylland",
        "description": "Frivilligcenter for hele Østjylland.",
        "email": "info@frivilligcenter.example.dk",
        "website": "https://frivilligcenter.example.dk",
        "year_incorporated": 1998,
        "organization_identifiers": [
            {
                "id": uid(10),
                "identifier_scheme": "DK-CVR",
                "identifier_type": "CVR",
                "identifier": "12345678",
            },
            {
                "id": uid(11),
                "identifier_scheme": "GB-CHC",
                "identifier_type": "Charity",
                "identifier": "1100",
            },
        ],
        "phones": [{"id": uid(20), "number": "+45 86 12 34 56"}],
        "contacts": [
            {
                "id": uid(30),
                "name": "Mette Jensen",
                "title": "Koordinator",
                "email": "mette@frivilligcenter.example.dk",
                "phones": [{"id": uid(31), "number": "+45 20 11 22 33"}],
            }
        ],
        "programs": [{"id": PROGRAM, "name": "Sammen om trivsel", "description": "Et program."}],
        "locations": [
            {
                "id": ORG_LOCATION,
                "location_type": "physical",
                "name": "Frivilligcenter Østjylland",
                "latitude": 56.1594,
                "longitude": 10.2108,
                "addresses": [
                    {
                        "id": uid(40),
                        "address_1": "Mejlgade 22",
                        "address_2": "1. sal",
                        "city": "Aarhus C",
                        "state_province": "Region Midtjylland",
                        "postal_code": "8000",
                        "country": "DK",
                        "address_type": "physical",
                    }
                ],
            }
        ],
        "services": [
            {
                "id": SERVICE,
                "name": "Samtalegruppe for unge",
                "description": "Hver torsdag.",
                "status": "active",
                "url": "https://frivilligcenter.example.dk/samtale",
                "email": "samtale@frivilligcenter.example.dk",
                "minimum_age": 15,
                "maximum_age": 25,
                "fees_description": "Gratis",
                "assured_date": "2025-03-01",
                "attributes": [theme(50, "Forebyggelse")],
                "phones": [{"id": uid(60), "number": "+45 86 00 00 01"}],
                "contacts": [
                    {"id": uid(61), "name": "Ole Hansen", "email": "ole@frivilligcenter.example.dk"}
                ],
                "service_at_locations": [
                    {
                        "id": uid(70),
                        "location": {
                            "id": SERVICE_LOCATION,
                            "location_type": "physical",
                            "name": "Huset på hjørnet",
                            "addresses": [
                                {
                                    "id": uid(71),
                                    "address_1": "Vestergade 5",
                                    "address_2": "Baghuset",
                                    "city": "Aarhus C",
                                    "state_province": "Region Midtjylland",
                                    "postal_code": "8000",
                                    "country": "DK",
                                    "address_type": "physical",
                                }
                            ],
                        },
                    }
                ],
            },
            {
                "id": SECOND_SERVICE,
                "name": "Besøgsvenner",
                "description": "Besøg i eget hjem.",
                "status": "active",
                "attributes": [theme(80, "Forebyggelse")],
            },
        ],
    }


def read_back(path: Path) -> CleanInput:
    """Read inputs the way the CLI does: read, then clean."""
    raw = read_inputs([path])
    data = clean(raw)
    data.issues = [*raw.issues, *data.issues]
    return data


@pytest.fixture
def imported(tmp_path) -> CleanInput:
    path = tmp_path / "organization_full.json"
    path.write_text(json.dumps(feed(), ensure_ascii=False), encoding="utf-8")
    data = read_back(path)
    assert not [i for i in data.issues if i.is_error], [str(i) for i in data.issues]
    return data


def unkept(issues: list[Issue]) -> list[Issue]:
    return [i for i in issues if "har ingen plads i Civilsamfundskortet" in i.message]


def test_the_import_keeps_the_publishers_ids_and_the_fields_with_a_place(imported):
    org = imported.tables["organisations"].set_index("organisation_id").loc[ORG]
    assert org["hsds_id"] == ORG
    assert (org["email"], org["website"], org["cvr"]) == (
        "info@frivilligcenter.example.dk",
        "https://frivilligcenter.example.dk",
        "12345678",
    )
    assert org["contact_person"] == "Mette Jensen"
    assert org["address"] == "Mejlgade 22, 1. sal" and org["postcode"] == "8000"
    offers = imported.tables["offers"].set_index("offer_id")
    assert list(offers["hsds_id"]) == [SERVICE, SECOND_SERVICE]
    assert offers.at[SERVICE, "address"] == "Vestergade 5, Baghuset"
    assert offers.at[SERVICE, "cost"] == "Gratis"


def test_each_field_without_a_place_is_named_in_a_warning(imported):
    named = {i.sheet: i for i in unkept(imported.issues) if i.message.startswith("Felt")}
    assert all(i.severity == WARNING for i in named.values())
    service = named["service"].message
    for field in ("url (1 post)", "email (1 post)", "minimum_age (1 post)", "maximum_age (1 post)"):
        assert field in service
    assert "year_incorporated (1 post)" in named["organization"].message
    assert "email" not in named["organization"].message  # the organisation's mailbox is kept
    location = named["location"]
    assert "name (1 post)" in location.message and location.value == "Huset på hjørnet"
    assert "title (1 post)" in named["contact"].message and "email (1 post)" in named["contact"].message
    assert "address" not in named  # address_2 and state_province are kept
    whole = {i.message.split(" har ")[0] for i in unkept(imported.issues) if i.message[0].isdigit()}
    assert whole == {
        "3 telefonnumre (phone)",
        "1 kontakt til tilbud eller steder (contact med service_id, service_at_location_id eller location_id)",
        "1 organisations-id uden for CVR (organization_identifier)",
    }
    assert [i for i in imported.issues if "programmer er ikke samarbejder" in i.message]


def test_the_export_gives_back_the_publishers_ids_and_the_kept_fields(official, imported, tmp_path):  # noqa: F811
    folder = tmp_path / "ud"
    result = hsds_export.export(imported.tables, imported.vocabularies, folder, include_personal=True)
    assert result.issues == [], [str(i) for i in result.issues]
    assert official_problems(folder, official) == []
    pkg = to_hsds(imported.tables, imported.vocabularies)
    org = {o["id"]: o for o in pkg["organization"]}[ORG]
    assert (org["email"], org["website"]) == (
        "info@frivilligcenter.example.dk",
        "https://frivilligcenter.example.dk",
    )
    services = {s["id"]: s for s in pkg["service"]}
    assert set(services) == {SERVICE, SECOND_SERVICE}
    assert {s["organization_id"] for s in services.values()} == {ORG}
    assert (
        services[SERVICE]["fees_description"] == "Gratis"
        and services[SERVICE]["assured_date"] == "2025-03-01"
    )
    assert [c["name"] for c in pkg["contact"] if c.get("organization_id") == ORG] == ["Mette Jensen"]
    addresses = {a["address_1"]: a for a in pkg["address"]}
    for street in ("Mejlgade 22, 1. sal", "Vestergade 5, Baghuset"):
        assert (addresses[street]["state_province"], addresses[street]["postal_code"]) == (
            "Region Midtjylland",
            "8000",
        )
    names = {loc["name"] for loc in pkg["location"]}
    assert "Frivilligcenter Østjylland" in names
    ids = [r["id"] for recs in pkg.values() for r in recs]
    assert [i for i, n in Counter(ids).items() if n > 1] == []


def test_the_public_export_leaves_the_personal_fields_out(imported):
    pkg = to_hsds(imported.tables, imported.vocabularies, include_personal=False)
    org = {o["id"]: o for o in pkg["organization"]}[ORG]
    assert "email" not in org and pkg["contact"] == []


def test_the_export_reads_back_to_the_same_records_with_the_same_ids(imported, tmp_path):
    folder = tmp_path / "ud"
    hsds_export.export(imported.tables, imported.vocabularies, folder, as_json=True)
    for path in (folder, folder / "organizations.json"):
        again = read_back(path)
        assert not [i for i in again.issues if i.is_error], [str(i) for i in again.issues]
        for table, key in (("organisations", "organisation_id"), ("offers", "offer_id")):
            a = imported.tables[table].drop(columns=[*PROVENANCE, "source"]).sort_values(key)
            b = again.tables[table].drop(columns=[*PROVENANCE, "source"]).sort_values(key)
            pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), obj=table)


def test_records_made_in_the_product_keep_their_made_ids(tables):
    pkg = to_hsds(tables, builtin_vocabularies())
    offers = tables["offers"]["offer_id"]
    assert {s["id"] for s in pkg["service"]} == {mapping.hsds_id("offer", o) for o in offers}


def test_no_two_records_get_the_same_id(tables):
    """A publisher id claimed twice, or equal to another record's made id, is given up by the publisher's
    records; an id that is not a UUID is never used."""
    offers = tables["offers"].copy()
    organisations = tables["organisations"].copy()
    first, second = offers["offer_id"].iloc[0], offers["offer_id"].iloc[1]
    organisations["hsds_id"] = [mapping.hsds_id("offer", first), *[None] * (len(organisations) - 1)]
    offers["hsds_id"] = [ORG, ORG]
    ids = record_ids({"organisations": organisations, "offers": offers})
    assert ids[("offer", first)] == mapping.hsds_id("offer", first)
    assert ids[("offer", second)] == mapping.hsds_id("offer", second)
    org = organisations["organisation_id"].iloc[0]
    assert ids[("organisation", org)] == mapping.hsds_id("organisation", org)
    offers["hsds_id"] = [ORG, "not-a-uuid"]
    ids = record_ids({"organisations": organisations, "offers": offers})
    assert ids[("offer", first)] == ORG and ids[("offer", second)] == mapping.hsds_id("offer", second)
    pkg = to_hsds({"organisations": organisations, "offers": offers}, builtin_vocabularies())
    every = [r["id"] for recs in pkg.values() for r in recs]
    assert len(every) == len(set(every))


def test_our_own_export_names_nothing_as_unkept(tmp_path, example_tables):
    """The product's own export has only fields it keeps: no warning about a field without a place."""
    folder = tmp_path / "egen"
    hsds_export.export(example_tables, builtin_vocabularies(), folder, as_json=True)
    for path in (folder, folder / "organizations.json"):
        assert [str(i) for i in unkept(read_back(path).issues)] == []
