"""Declared checks per column (pandera) and checks across tables."""

from __future__ import annotations

import pandas as pd
import pytest

from etl.clean import CleanInput, builtin_vocabularies, clean
from etl.read import read_inputs
from etl.validate import validate
from tests.etl.conftest import only, typed


def check(tables: dict[str, pd.DataFrame], issues: list | None = None) -> list:
    return validate(CleanInput(tables, builtin_vocabularies(), issues or []))


def test_consistent_tables_pass(tables):
    assert check(tables) == []


def test_missing_required_value(tables):
    tables["organisations"].loc[1, "name"] = pd.NA
    issue = only(check(tables), file="test.csv", row=3, column="Navn")
    assert issue.is_error and "Kolonnen Navn skal udfyldes" in issue.message


def test_duplicate_ids_name_the_other_row(tables):
    tables["organisations"].loc[1, "organisation_id"] = "ORG-001"
    issues = [i for i in check(tables) if "findes flere gange" in i.message]
    assert [(i.row, i.column) for i in issues] == [(2, "Id"), (3, "Id")]
    assert "Også i række 3" in issues[0].hint and "Også i række 2" in issues[1].hint
    assert "Id'et 'ORG-001' findes flere gange på arket Organisationer" in issues[0].message


def test_unknown_vocabulary_code(tables):
    tables["offers"].loc[0, "status"] = "lukket"
    issue = only(check(tables), row=2, column="Status", file="test.csv")
    assert "Ukendt værdi 'lukket'" in issue.message and "aktiv (Aktiv)" in issue.hint


def test_unknown_code_in_a_list_is_named(tables):
    tables["offers"].at[1, "themes"] = ["lighed", "sundhedsfremme"]
    issue = only(check(tables), row=3, column="Temaer")
    assert "'sundhedsfremme'" in issue.message and "lighed" not in issue.message


def test_user_vocabulary_additions_are_accepted(tables):
    tables["offers"].at[0, "target_groups"] = ["veteraner"]
    vocab = builtin_vocabularies()
    extra = pd.DataFrame(
        [
            {
                "vocabulary": "target_group",
                "code": "veteraner",
                "label": "Veteraner",
                "description": "",
                "sort_order": 99,
                "is_builtin": False,
            }
        ]
    )
    data = CleanInput(tables, pd.concat([vocab, extra], ignore_index=True), [])
    assert validate(data) == []


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({0: ["lighed", None]}, []),  # a missing item passes
        ({0: None}, []),  # so does a missing cell (pandera's ignore_na)
        ({0: ("lighed",)}, []),
        ({0: "lighed"}, []),  # text in place of a list is read as one item
        ({0: "lighed", 1: None}, []),
        ({0: "", 1: None}, ["Kolonnen Temaer skal udfyldes", "Ukendt værdi i kolonnen Temaer: ''"]),
        ({0: []}, ["Kolonnen Temaer skal udfyldes"]),
        ({0: ["lighed", "x"], 1: None}, ["Ukendt værdi i kolonnen Temaer: 'x'"]),
    ],
)
def test_list_cells_other_than_lists_of_codes(tables, cells, expected):
    """The one-pass checks for the usual lists of codes fall back to the row-by-row ones for anything else."""
    for row, value in cells.items():
        tables["offers"].at[row, "themes"] = value
    assert [i.message for i in check(tables) if i.column == "Temaer"] == expected


def test_unknown_area_code(tables):
    tables["offers"].at[0, "service_area"] = ["municipality:751", "council:atlantis"]
    issue = only(check(tables), row=2, column="Dækningsområde")
    assert "council:atlantis" in issue.message


def test_reference_to_missing_organisation_suggests_id(tables):
    tables["offers"].loc[1, "organisation_id"] = "org-002"
    issue = only(check(tables), file="test.csv", row=3, column="Organisation (id)")
    assert "Id'et 'org-002' findes ikke på arket Organisationer" in issue.message
    assert "Mente du 'ORG-002'?" in issue.hint


@pytest.mark.parametrize(("missing", "hint"), [("org 2", "Mente du 'ORG-002'?"), ("ORG-003", "")])
def test_reference_suggestions_are_loose_matches_only(tables, missing, hint):
    tables["offers"].loc[1, "organisation_id"] = missing
    issue = only(check(tables), row=3, column="Organisation (id)")
    assert ("Mente du" in issue.hint) == bool(hint) and hint in issue.hint


@pytest.mark.parametrize("dtype", ["string", "str", object])
def test_references_are_the_same_whatever_the_text_dtype(tables, dtype):
    tables["offers"].loc[1, "organisation_id"] = "org-002"
    tables["offers"]["organisation_id"] = tables["offers"]["organisation_id"].astype(dtype)
    issue = only(check(tables), row=3, column="Organisation (id)")
    assert "Id'et 'org-002' findes ikke på arket Organisationer" in issue.message
    assert "Mente du 'ORG-002'?" in issue.hint


def test_reference_list_to_missing_unit(tables):
    tables["collaborations"].at[0, "unit_ids"] = ["ENH-001", "ENH-404"]
    issue = only(check(tables), row=2, column="Regionale enheder (id)")
    assert "'ENH-404' findes ikke på arket Regionale enheder" in issue.message


def test_experience_points_at_missing_collaboration(tables):
    tables["experiences"].loc[0, "collaboration_id"] = "SAM-999"
    issue = only(check(tables), row=2, column="Samarbejde (id)")
    assert "findes ikke på arket Samarbejder" in issue.message


def test_start_after_end(tables):
    tables["collaborations"].loc[0, "end_date"] = pd.Timestamp("2024-01-01")
    issue = only(check(tables), row=2, column="Slutdato", file="test.csv")
    assert "Slutdatoen 01-01-2024 ligger før startdatoen 01-03-2025" in issue.message
    assert "tom" in issue.hint


@pytest.mark.parametrize(
    ("field", "column", "message"),
    [
        ("unit_ids", "Regionale enheder (id)", "mindst én regional enhed"),
        ("organisation_ids", "Organisationer (id)", "mindst én organisation"),
    ],
)
def test_collaboration_needs_a_unit_and_an_organisation(tables, field, column, message):
    tables["collaborations"].at[0, field] = []
    issue = only(check(tables), row=2, column=column)
    assert issue.is_error and message in issue.message


@pytest.mark.parametrize(
    ("table", "field", "value", "column", "message"),
    [
        ("organisations", "municipality", 9999, "Kommune", "Ukendt kommunekode 9999"),
        ("organisations", "cvr", "1234", "CVR-nummer", "Ugyldigt CVR-nummer '1234'"),
        ("organisations", "postcode", "80000", "Postnummer", "Ugyldigt postnummer '80000'"),
        (
            "organisations",
            "last_verified",
            pd.Timestamp("1025-03-01"),
            "Sidst verificeret",
            "uden for årene 1900-2100",
        ),
    ],
)
def test_value_checks(tables, table, field, value, column, message):
    tables[table].loc[0, field] = value
    issue = only(check(tables), row=2, column=column, file="test.csv")
    assert message in issue.message


def test_wrong_dtype_is_reported(tables):
    tables["offers"]["municipality"] = tables["offers"]["municipality"].astype("float64")
    tables["offers"] = tables["offers"].drop(columns=["cost"])
    issues = check(tables)
    assert "har typen float64; forventet Int64" in only(issues, column="Kommune").message
    assert "mangler i tabellen offers" in only(issues, column="Pris").message


def test_cells_clean_already_reported_are_not_reported_again(write_csv):
    text = "Id;Organisation (id);Navn;Temaer\nT-1;ORG-1;Løb;Sundhedsfremme\n"
    orgs = "Id;Navn;Organisationstype\nORG-1;A;Fond\n"
    data = clean(read_inputs([write_csv("tilbud.csv", text), write_csv("organisationer.csv", orgs)]))
    assert [(i.row, i.column) for i in data.issues] == [(2, "Temaer")]
    assert validate(data) == []


def test_located_by_excel_provenance():
    orgs = typed(
        "organisations", [{"organisation_id": "O-1", "name": "A"}], file="kort.xlsx", sheet="Organisationer"
    )
    data = CleanInput({"organisations": orgs}, builtin_vocabularies(), [])
    issue = only(validate(data), column="Organisationstype")
    assert (issue.file, issue.sheet, issue.row) == ("kort.xlsx", "Organisationer", 2)


def test_validate_end_to_end_from_files(write_csv):
    orgs = "Id;Navn;Organisationstype\nORG-1;A;Fond\nORG-1;B;Fond\n"
    offers = "Id;Organisation (id);Navn;Temaer\nT-1;ORG-9;Løb;Forebyggelse\n"
    data = clean(read_inputs([write_csv("organisationer.csv", orgs), write_csv("tilbud.csv", offers)]))
    issues = validate(data)
    assert {(i.file, i.row, i.column) for i in issues} == {
        ("organisationer.csv", 2, "Id"),
        ("organisationer.csv", 3, "Id"),
        ("tilbud.csv", 2, "Organisation (id)"),
    }
