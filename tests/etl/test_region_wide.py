"""Region-wide regional units: read from 'Dækker', placed in their region (no council of their own), and
adding no council of their own to their collaborations (issue 12 item 7)."""

from __future__ import annotations

import pandas as pd
import pytest

from civilkort import reference
from etl.build import prepare
from etl.clean import clean
from etl.read import read_inputs
from tests.conftest import clean_input, typed_rows

OESTDANMARK = sorted(
    int(c) for c in reference.municipalities().query("region_id == 'oestdanmark'")["municipality_code"]
)


def tables(example_tables, units: list[dict], collaborations: list[dict]) -> dict[str, pd.DataFrame]:
    """Two organisations (København, Hillerød), the given units and collaborations, nothing else."""
    orgs = typed_rows(
        example_tables["organisations"],
        [
            {"organisation_id": "ORG-KBH", "name": "Café København", "organisation_type": "frivillig_forening",
             "municipality": 101},
            {"organisation_id": "ORG-HIL", "name": "Café Hillerød", "organisation_type": "frivillig_forening",
             "municipality": 219},
        ],
        "Organisationer",
    )  # fmt: skip
    return {
        "organisations": orgs,
        "offers": typed_rows(example_tables["offers"], [], "Tilbud"),
        "regional_units": typed_rows(example_tables["regional_units"], units, "Regionale enheder"),
        "collaborations": typed_rows(example_tables["collaborations"], collaborations, "Samarbejder"),
        "experiences": typed_rows(example_tables["experiences"], [], "Erfaringer"),
    }


def unit(uid: str, name: str, unit_type: str, municipality: int, serves: list[str] | None = None) -> dict:
    return {"unit_id": uid, "name": name, "unit_type": unit_type, "municipality": municipality,
            "serves": serves or []}  # fmt: skip


def collab(cid: str, units: list[str], orgs: list[str], municipalities: list[str] | None = None) -> dict:
    return {"collaboration_id": cid, "title": cid, "unit_ids": units, "organisation_ids": orgs,
            "municipalities": municipalities or []}  # fmt: skip


def prepared(example_tables, tiny_boundaries, units, collaborations):
    out = prepare(clean_input(tables(example_tables, units, collaborations)), tiny_boundaries)
    assert not out.errors, out.errors
    return out


def test_a_regional_administration_belongs_to_its_region_not_to_the_council_of_its_address(
    example_tables, tiny_boundaries
):
    out = prepared(
        example_tables,
        tiny_boundaries,
        [
            unit("ENH-RH", "Region Hovedstaden", "region", 219),
            unit("ENH-NOH", "Nordsjællands Hospital", "hospital", 219),
        ],
        [],
    )
    units = out.tables["regional_units"].set_index("unit_id")
    region = units.loc["ENH-RH"]
    assert bool(region["is_region_wide"]) and pd.isna(region["council_id"])
    assert region["region_id"] == "oestdanmark" and region["municipality_code"] == 219  # drawn at its address
    assert sorted(region["area_municipality_codes"]) == OESTDANMARK  # 'Hele regionen' by default
    hospital = units.loc["ENH-NOH"]
    assert not hospital["is_region_wide"] and hospital["council_id"] == "nordsjaelland"
    assert list(hospital["area_municipality_codes"]) == [219]


def test_a_unit_covering_several_councils_is_region_wide_and_one_council_is_not(
    example_tables, tiny_boundaries
):
    out = prepared(
        example_tables,
        tiny_boundaries,
        [
            unit("ENH-1", "Den Sociale Virksomhed", "social_virksomhed", 219,
                 ["council:hovedstaden", "council:nordsjaelland"]),
            unit("ENH-2", "OUH", "hospital", 461, ["council:fyn", "council:lillebaelt"]),
            unit("ENH-3", "Hospice", "andet", 219, ["council:nordsjaelland"]),
            unit("ENH-4", "Klinik", "andet", 219, ["council:fyn"]),
        ],
        [],
    )  # fmt: skip
    units = out.tables["regional_units"].set_index("unit_id")
    assert units["is_region_wide"].tolist() == [True, True, False, False]
    assert units.loc["ENH-2", "region_id"] == "syddanmark" and pd.isna(units.loc["ENH-2", "council_id"])
    assert units.loc["ENH-3", "council_id"] == units.loc["ENH-4", "council_id"] == "nordsjaelland"
    # one council that is not the address's: said, and the address decides
    warned = [i for i in out.issues if "dækker kun ét sundhedsråd" in i.message]
    assert len(warned) == 1 and "Klinik" in warned[0].message and warned[0].column == "Dækker"


def test_a_collaboration_with_a_region_wide_unit_belongs_to_its_organisations_councils(
    example_tables, tiny_boundaries
):
    out = prepared(
        example_tables,
        tiny_boundaries,
        [
            unit("ENH-RH", "Region Hovedstaden", "region", 219),
            unit("ENH-NOH", "Nordsjællands Hospital", "hospital", 219),
        ],
        [
            collab("SAM-KBH", ["ENH-RH"], ["ORG-KBH"]),
            collab("SAM-BOTH", ["ENH-RH", "ENH-NOH"], ["ORG-KBH"]),
            collab("SAM-NAMED", ["ENH-RH"], ["ORG-KBH"], ["municipality:219"]),
        ],
    )
    c = out.tables["collaborations"].set_index("collaboration_id")
    assert list(c.loc["SAM-KBH", "municipality_codes"]) == [101]
    assert list(c.loc["SAM-KBH", "council_ids"]) == ["hovedstaden"]
    assert c.loc["SAM-KBH", "council_id"] == "hovedstaden" and c.loc["SAM-KBH", "municipality_code"] == 101
    # a local unit still brings its council, and is the one the collaboration is listed under
    assert list(c.loc["SAM-BOTH", "municipality_codes"]) == [101, 219]
    assert c.loc["SAM-BOTH", "council_id"] == "nordsjaelland"
    # a municipality the collaboration names itself counts, as always
    assert list(c.loc["SAM-NAMED", "municipality_codes"]) == [101, 219]


def test_daekker_is_read_from_a_file_with_danish_names(write_csv):
    text = (
        "Id;Navn;Enhedstype;Postnummer;Dækker\n"
        "E-1;Region Hovedstaden;Regional administration;3400;Hele regionen\n"
        'E-2;Den Sociale Virksomhed;Den Sociale Virksomhed;3400;"Sundhedsråd Hovedstaden; Sundhedsråd Nordsjælland"\n'
        "E-3;Hillerød Hospital;Hospital;3400;\n"
    )
    out = clean(read_inputs([write_csv("regionale_enheder.csv", text)]))
    serves = out.tables["regional_units"].set_index("unit_id")["serves"]
    assert serves.to_dict() == {
        "E-1": ["region:egen"],
        "E-2": ["council:hovedstaden", "council:nordsjaelland"],
        "E-3": [],
    }
    assert not [i for i in out.issues if i.is_error]


def test_an_unknown_area_in_daekker_is_an_error_in_danish(write_csv):
    text = "Id;Navn;Enhedstype;Postnummer;Dækker\nE-1;Region Hovedstaden;Regional administration;3400;Hele regionn\n"
    out = clean(read_inputs([write_csv("regionale_enheder.csv", text)]))
    errors = [i for i in out.issues if i.is_error]
    assert len(errors) == 1
    assert errors[0].column == "Dækker" and "Ukendt område 'Hele regionn'" in errors[0].message
    assert "Mente du 'Hele regionen'?" in errors[0].hint


@pytest.mark.parametrize("text", ["Hele regionen", "hele regionen", "Egen region"])
def test_hele_regionen_is_an_area_of_its_own(text):
    assert reference.area(text) == ("region", reference.OWN_REGION)
