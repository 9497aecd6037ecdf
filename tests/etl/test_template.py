"""The Excel template, and writing typed tables back out as input files (round trip)."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from civilkort import reference
from civilkort.schema import ALL_TABLES, TABLES, VOCABULARY_NAMES
from etl.clean import builtin_vocabularies, clean
from etl.read import read_inputs
from etl.template import write_inputs, write_template
from etl.validate import validate
from tests.etl.conftest import typed

PROVENANCE = ["_file", "_sheet", "_row"]


def next_sort_order(vocabulary: str) -> int:
    """The sort order a user addition to ``vocabulary`` gets."""
    v = builtin_vocabularies()
    return int(v.loc[v["vocabulary"] == vocabulary, "sort_order"].max()) + 1


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> str:
    return str(write_template(tmp_path_factory.mktemp("tpl") / "skabelon.xlsx"))


@pytest.fixture(scope="module")
def workbook(template):
    return openpyxl.load_workbook(template)


def test_empty_template_reads_back_without_issues(template):
    raw = read_inputs([template])
    assert raw.issues == []
    assert list(raw.tables) == [t.name for t in ALL_TABLES]
    assert all(df.empty for df in raw.tables.values())
    data = clean(raw)
    assert data.issues == [] and validate(data) == []


def test_sheets_in_order_instructions_first_lists_hidden(workbook):
    assert workbook.sheetnames == ["Vejledning", *(t.sheet for t in ALL_TABLES), "Lister"]
    assert workbook.active.title == "Vejledning"
    assert workbook["Lister"].sheet_state == "hidden"
    assert all(workbook[t.sheet].sheet_state == "visible" for t in ALL_TABLES)


@pytest.mark.parametrize("table", ALL_TABLES, ids=lambda t: t.name)
def test_data_sheet_headers_notes_and_frozen_row(workbook, table):
    ws = workbook[table.sheet]
    headers = [c.value for c in ws[1]]
    assert headers == [f.header + (" *" if f.required else "") for f in table.fields]
    for cell, f in zip(ws[1], table.fields, strict=True):
        assert cell.comment is not None and cell.comment.text
        assert ("SKAL UDFYLDES" in cell.comment.text) == f.required
        assert ws.column_dimensions[cell.column_letter].width >= len(f.header)
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 1  # no example rows in the data sheets


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_dropdowns_for_vocabulary_fields(workbook, table):
    ws = workbook[table.sheet]
    by_column = {}
    for dv in ws.data_validations.dataValidation:
        for rng in list(dv.sqref.ranges):
            by_column[rng.min_col - 1] = dv
    for pos, f in enumerate(table.fields):
        if f.kind in ("vocab", "vocab_list"):
            dv = by_column[pos]
            assert dv.type == "list"
            assert dv.formula1 == f"liste_{f.vocabulary}"
            assert next(iter(dv.sqref.ranges)).max_row == 1_048_576
            assert dv.showErrorMessage == (f.kind == "vocab")
    names = workbook.defined_names
    for f in table.fields:
        if f.vocabulary:
            target = names[f"liste_{f.vocabulary}"].attr_text
            assert target.startswith("Lister!$")
            count = (builtin_vocabularies()["vocabulary"] == f.vocabulary).sum()
            assert target.endswith(f"${count + 1}")


def test_lists_sheet_holds_labels(workbook):
    ws = workbook["Lister"]
    columns = {col[0].value: [c.value for c in col[1:] if c.value] for col in ws.iter_cols()}
    assert columns["Temaer"] == [
        "Forebyggelse",
        "Lighed i sundhed",
        "Brobygning til hverdagsliv og fællesskaber",
        "Ressource i udvikling af løsninger",
    ]
    assert len(columns["kommuner"]) == 98
    assert columns["ja_nej"] == ["Ja", "Nej"]


def test_instructions_explain_every_sheet_and_column(workbook):
    text = "\n".join(str(c.value) for row in workbook["Vejledning"].iter_rows() for c in row if c.value)
    for table in ALL_TABLES:
        assert f"Arket {table.sheet}" in text
        for f in table.fields:
            assert f.header in text
            if f.example:
                assert f.example in text
    for phrase in ("semikolon", "dd-mm-åååå", "Ja eller Nej", "Vokabularer", "Målgrupper", "Forebyggelse"):
        assert phrase in text


def test_template_with_user_vocabulary(tmp_path):
    extra = pd.DataFrame([{"vocabulary": "target_group", "code": "veteraner", "label": "Veteraner"}])
    path = write_template(tmp_path / "t.xlsx", pd.concat([builtin_vocabularies(), extra], ignore_index=True))
    wb = openpyxl.load_workbook(path)
    column = next(col for col in wb["Lister"].iter_cols() if col[0].value == "Målgrupper")
    labels = [c.value for c in column if c.value]
    assert labels[-1] == "Veteraner"
    count = (builtin_vocabularies()["vocabulary"] == "target_group").sum()
    assert wb.defined_names["liste_target_group"].attr_text.endswith(f"${count + 2}")


def assert_round_trip(tables: dict[str, pd.DataFrame], data) -> None:
    # the only finding: postcode 0800 has no reference point (kept, with a warning)
    assert [(i.severity, i.value) for i in data.issues] in ([], [("advarsel", "0800")])
    for name, df in tables.items():
        expected = df.drop(columns=PROVENANCE).reset_index(drop=True)
        pd.testing.assert_frame_equal(data.tables[name].drop(columns=PROVENANCE), expected, check_exact=True)


@pytest.mark.parametrize("target", ["inputs.xlsx", "csv-mappe"])
def test_round_trip(tmp_path, tables, target):
    path = write_inputs(tables, tmp_path / target)
    data = clean(read_inputs([path]))
    assert_round_trip(tables, data)
    assert validate(data) == []
    offers = data.tables["offers"]
    if target.endswith(".xlsx"):
        assert (
            offers["_sheet"].tolist() == ["Tilbud", "Tilbud"]
            and offers["_file"].tolist() == ["inputs.xlsx"] * 2
        )
    else:
        assert offers["_sheet"].tolist() == ["", ""] and offers["_file"].tolist() == ["tilbud.csv"] * 2
    assert offers["_row"].tolist() == [2, 3]


@pytest.mark.parametrize("target", ["inputs.xlsx", "csv-mappe"])
def test_round_trip_with_user_vocabulary_and_empty_tables(tmp_path, target):
    vocab = pd.concat(
        [
            builtin_vocabularies(),
            pd.DataFrame(
                [
                    {
                        "vocabulary": "target_group",
                        "code": "veteraner",
                        "label": "Veteraner, udsendte",
                        "description": "Tidligere udsendte soldater",
                        "sort_order": next_sort_order("target_group"),
                        "is_builtin": False,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )
    offers = typed(
        "offers",
        [
            {
                "offer_id": "T-1",
                "organisation_id": "O-1",
                "name": "Café",
                "themes": ["lighed"],
                "target_groups": ["veteraner", "aeldre"],
            }
        ],
    )
    orgs = typed(
        "organisations", [{"organisation_id": "O-1", "name": "Veteranhjem", "organisation_type": "fond"}]
    )
    tables = {"organisations": orgs, "offers": offers}
    data = clean(read_inputs([write_inputs(tables, tmp_path / target, vocab)]))
    assert_round_trip(tables, data)
    pd.testing.assert_frame_equal(data.vocabularies, vocab)
    assert all(data.tables[t.name].empty for t in TABLES if t.name not in tables)


def test_csv_files_are_what_danish_excel_opens(tmp_path, tables):
    folder = write_inputs(tables, tmp_path / "csv")
    assert sorted(p.name for p in folder.iterdir()) == sorted(t.csv_name for t in ALL_TABLES)
    raw = (folder / "tilbud.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header.split(";")[:3] == ['"Id"', '"Organisation (id)"', '"Navn"']
    assert '"Forebyggelse; Brobygning til hverdagsliv og fællesskaber"' in text
    assert '"Aarhus; Sundhedsråd Horsens; Hele landet"' in text
    assert '"Ensomme; Ældre"' in text and '"Tertiær"' in text and '"Ja"' in text and '"Nej"' in text
    assert '"31-12-2024"' in text and '"0,00001"' in text and '"Region Østdanmark"' in text
    orgs = (folder / "organisationer.csv").read_text(encoding="utf-8-sig")
    assert '"56,1572"' in orgs and '"Horsens"' in orgs and '"0800"' in orgs and '"Patientforening"' in orgs


def test_every_area_name_reads_back_as_its_area(tmp_path):
    areas = [f"municipality:{c}" for c in reference.municipalities()["municipality_code"]]
    areas += [f"council:{c}" for c in reference.councils()["council_id"]]
    areas += [f"region:{r}" for r in reference.regions()["region_id"]] + ["national:DK"]
    offers = typed(
        "offers",
        [
            {
                "offer_id": f"T-{i}",
                "organisation_id": "O",
                "name": "x",
                "themes": ["lighed"],
                "service_area": [a],
                "municipality": int(a.split(":")[1]) if a.startswith("municipality") else None,
            }
            for i, a in enumerate(areas)
        ],
    )
    data = clean(read_inputs([write_inputs({"offers": offers}, tmp_path / "csv")]))
    assert data.issues == []
    assert data.tables["offers"]["service_area"].tolist() == [[a] for a in areas]
    assert data.tables["offers"]["municipality"].equals(offers["municipality"])


def test_vocabulary_names_are_all_listed(workbook):
    headers = [c.value for c in workbook["Lister"][1]]
    for name in VOCABULARY_NAMES.values():
        assert name in headers


def test_csv_numbers_are_exact(tmp_path):
    values = [0.1 + 0.2, 1 / 3, 1e-300, 123456.789, -0.0, 1e20]
    offers = typed(
        "offers",
        [
            {"offer_id": f"T-{i}", "organisation_id": "O", "name": "x", "themes": ["lighed"], "lat": v}
            for i, v in enumerate(values)
        ],
    )
    data = clean(read_inputs([write_inputs({"offers": offers}, tmp_path / "csv")]))
    assert data.tables["offers"]["lat"].tolist() == values
