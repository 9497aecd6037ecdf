"""Foreign vocabularies: another publisher's taxonomy terms become themes, target groups and prevention
levels through the vocabulary map (shipped, or a coordinator's file over it); terms it does not know are
named; an offer left without a theme is loaded as 'Tema ikke angivet'. The feed is written here, in the
layout publishers use (organizations with nested services, attributes with nested taxonomy terms)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from civilkort.issues import ERROR, WARNING, InputError
from etl.build import prepare
from etl.clean import clean
from etl.cli import main
from etl.hsds.vocabulary_map import load_map
from etl.read import read_inputs
from tests.etl.conftest import only

TAXONOMY = "esd-needs"


def term(code: str, name: str) -> dict:
    return {"id": f"term-{code}", "code": code, "name": name, "taxonomy": TAXONOMY, "description": ""}


def service(n: int, name: str, *terms: dict) -> dict:
    return {
        "id": f"svc-{n}",
        "name": name,
        "description": "",
        "status": "active",
        "attributes": [{"id": f"attr-{n}-{i}", "taxonomy_term": t} for i, t in enumerate(terms)],
        "service_at_locations": [
            {
                "id": f"sal-{n}",
                "location": {
                    "id": f"loc-{n}",
                    "location_type": "physical",
                    "addresses": [
                        {
                            "id": f"adr-{n}",
                            "address_1": "Vestergade 1",
                            "city": "Aarhus C",
                            "state_province": "",
                            "postal_code": "8000",
                            "country": "DK",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
    }


def feed(tmp_path: Path) -> Path:
    """Three services: walking (Physical activity, Older people), visiting (Loneliness), advice (Debt advice)."""
    doc = [
        {
            "id": "org-1",
            "name": "Forening A",
            "description": "",
            "services": [
                service(1, "Gåklub", term("PA", "Physical activity"), term("OP", "older PEOPLE")),
                service(2, "Besøgsven", term("LON", "Loneliness")),
                service(3, "Gældsrådgivning", term("DEBT", "Debt advice")),
            ],
        }
    ]
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def offers_of(path: Path, vocabulary_map: Path | None = None):
    raw = read_inputs([path], vocabulary_map=load_map(vocabulary_map))
    data = clean(raw)
    data.issues = [*raw.issues, *data.issues]
    return data, data.tables["offers"].set_index("name")


def test_terms_map_through_the_shipped_table_and_the_rest_are_named(tmp_path):
    data, offers = offers_of(feed(tmp_path))
    assert offers.at["Gåklub", "themes"] == ["forebyggelse"]
    assert offers.at["Gåklub", "target_groups"] == ["aeldre"]  # matched without regard to case
    assert offers.at["Besøgsven", "themes"] == ["brobygning"]
    assert offers.at["Besøgsven", "target_groups"] == ["ensomme"]
    assert offers.at["Gældsrådgivning", "themes"] == []
    said = only(data.issues, message="fra HSDS-termen 'Loneliness'")
    assert said.severity == WARNING
    assert (
        "1 tilbud fik tema 'Brobygning til hverdagsliv og fællesskaber' og målgruppe 'Ensomme'"
        in said.message
    )
    assert "standardkortet" in said.hint
    only(data.issues, message="fra HSDS-termen 'Physical activity'")
    unknown = only(data.issues, message="'Debt advice'")
    assert unknown.severity == WARNING and "bruges ikke" in unknown.message
    themeless = only(data.issues, message="intet af Civilsamfundskortets temaer")
    assert themeless.severity == WARNING and "'Tema ikke angivet'" in themeless.message
    assert "Gældsrådgivning" in themeless.hint
    prepared = prepare(data, None)
    assert prepared.errors == [], [str(i) for i in prepared.errors]


def test_a_coordinators_map_adds_terms_and_overrides_the_shipped_rows(tmp_path):
    own = tmp_path / "kort.csv"
    own.write_text(
        "taksonomi;termkode;termnavn;vokabular;kode\n"
        ";DEBT;;Temaer;Lighed i sundhed\n"  # by code, a Danish label
        f"{TAXONOMY};;loneliness;theme;forebyggelse\n"  # this taxonomy only; replaces the shipped rows
        ";;Physical activity;;\n",  # deliberately not used
        encoding="cp1252",
    )
    data, offers = offers_of(feed(tmp_path), own)
    assert offers.at["Gældsrådgivning", "themes"] == ["lighed"]
    assert offers.at["Besøgsven", "themes"] == ["forebyggelse"]
    assert offers.at["Besøgsven", "target_groups"] == []
    assert offers.at["Gåklub", "themes"] == []
    said = only(data.issues, message="fra HSDS-termen 'Debt advice'")
    assert "kort.csv" in said.hint
    assert only(data.issues, message="HSDS-termen 'Physical activity' bruges ikke").severity == WARNING
    assert not [i for i in data.issues if "svarer ikke til nogen værdi" in i.message]


def test_a_bad_map_is_an_error_naming_the_row(tmp_path):
    own = tmp_path / "kort.csv"
    own.write_text("term_name,vocabulary,code\nLoneliness,theme,ensomhed\nCarers,hobby,x\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_map(own)
    first, second = caught.value.issues
    assert (first.row, first.column, first.value) == (2, "code", "ensomhed") and "Temaer" in first.message
    assert (second.row, second.column) == (3, "vocabulary")


def test_build_and_check_take_a_map_on_the_command_line(tmp_path, data_dir, capsys):
    path = feed(tmp_path)
    own = tmp_path / "kort.csv"
    own.write_text("term_code,vocabulary,code\nDEBT,theme,lighed\n", encoding="utf-8")
    assert main(["check", str(path), "--vokabular-kort", str(own), "-q"]) == 0
    assert "Ingen fejl" in capsys.readouterr().out
    assert main(["build", str(path)]) == 0  # without a map: the advice has no theme, and is built
    out = capsys.readouterr().out
    assert re.search(r"Tilbud uden tema \(tema ikke angivet\) +1\n", out), out
    bad = tmp_path / "ond.csv"
    bad.write_text("navn\n", encoding="utf-8")
    assert main(["check", str(path), "--vokabular-kort", str(bad), "-q"]) != 0
    assert "Vokabularkortet mangler kolonner" in capsys.readouterr().err


def test_the_template_still_requires_a_theme(write_csv):
    orgs = write_csv(
        "organisationer.csv", "Id;Navn;Organisationstype;Postnummer\nORG-1;Forening A;NGO;8000\n"
    )
    offers = write_csv("tilbud.csv", "Id;Organisation (id);Navn;Temaer\nT-1;ORG-1;Gåklub;\n")
    raw = read_inputs([orgs, offers])
    data = clean(raw)
    missing = only(prepare(data, None).issues, column="Temaer")
    assert missing.severity == ERROR and "skal udfyldes" in missing.message


def test_a_build_with_an_offer_without_theme_can_be_rebuilt(tmp_path, data_dir):
    from civilkort.auth import Principal
    from etl.rebuild import rebuild

    assert main(["build", str(feed(tmp_path)), "-q"]) == 0
    result = rebuild(principal=Principal("Kim Koordinator", via="kode", is_admin=True))
    assert result.counts["offers"] == 3
