"""Reading CSV files, workbooks and folders into raw tables."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from civilkort.issues import InputError
from etl.read import read_inputs
from tests.etl.conftest import OFFER_HEADER, ORG_HEADER, Formula, only

ORG_ROW = "ORG-1;Ældre Sagen Århus;Frivillig forening"


def errors_of(exc: pytest.ExceptionInfo[InputError]) -> list:
    return exc.value.issues


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("utf-8", ";"), ("utf-8-sig", ";"), ("cp1252", ";"), ("utf-16", "\t")],
    ids=["utf8", "utf8-bom", "windows-1252", "utf16-excel-unicode-text"],
)
def test_csv_encodings(write_csv, encoding, sep):
    text = f"{ORG_HEADER}\n{ORG_ROW}\n".replace(";", sep)
    raw = read_inputs([write_csv("organisationer.csv", text, encoding)])
    orgs = raw.tables["organisations"]
    assert orgs["name"].tolist() == ["Ældre Sagen Århus"]
    assert orgs["organisation_type"].tolist() == ["Frivillig forening"]
    assert orgs[["_file", "_sheet", "_row"]].iloc[0].tolist() == ["organisationer.csv", "", 2]


@pytest.mark.parametrize("sep", [";", ",", "\t", "|"], ids=["semicolon", "comma", "tab", "pipe"])
def test_separator_is_sniffed(write_csv, sep):
    text = f"{ORG_HEADER}\n{ORG_ROW}\nORG-2;Røde Kors;NGO / non-profit\n".replace(";", sep)
    raw = read_inputs([write_csv("organisationer.csv", text)])
    assert raw.tables["organisations"]["organisation_id"].tolist() == ["ORG-1", "ORG-2"]


def test_comma_separated_with_quoted_commas(write_csv):
    text = 'Id,Navn,Organisationstype\nORG-1,"Kræftens Bekæmpelse, Aarhus",Patientforening\n'
    raw = read_inputs([write_csv("organisationer.csv", text)])
    assert raw.tables["organisations"]["name"].tolist() == ["Kræftens Bekæmpelse, Aarhus"]


def test_quoted_newlines_keep_row_numbers(write_csv):
    text = f'{ORG_HEADER}\nORG-1;"To\nlinjer";Fond\nORG-2;Tre;Fond\n'
    raw = read_inputs([write_csv("organisationer.csv", text)])
    orgs = raw.tables["organisations"]
    assert orgs["name"].tolist() == ["To\nlinjer", "Tre"]
    assert orgs["_row"].tolist() == [2, 3]  # records, as Excel shows them


def test_empty_rows_are_skipped_and_row_numbers_kept(write_csv):
    text = f"{ORG_HEADER}\nORG-1;A;Fond\n\n;;\n  ;  ;\nORG-2;B;Fond\n"
    raw = read_inputs([write_csv("organisationer.csv", text)])
    orgs = raw.tables["organisations"]
    assert orgs["organisation_id"].tolist() == ["ORG-1", "ORG-2"]
    assert orgs["_row"].tolist() == [2, 6]


def test_values_are_stripped_and_empty_cells_are_missing(write_csv):
    text = f"{ORG_HEADER};Beskrivelse\n  ORG-1  ; Navn med mellemrum  ;Fond;   \n"
    orgs = read_inputs([write_csv("organisationer.csv", text)]).tables["organisations"]
    assert orgs["organisation_id"].tolist() == ["ORG-1"]
    assert orgs["name"].tolist() == ["Navn med mellemrum"]
    assert orgs["description"].isna().all()


def test_header_on_a_later_line(write_csv):
    text = f"Kortlægning Aarhus 2025;;\n;;\n{ORG_HEADER}\nORG-1;A;Fond\n"
    orgs = read_inputs([write_csv("organisationer.csv", text)]).tables["organisations"]
    assert orgs["organisation_id"].tolist() == ["ORG-1"]
    assert orgs["_row"].tolist() == [4]


@pytest.mark.parametrize(
    ("file", "base", "header", "field"),
    [
        ("tilbud.csv", OFFER_HEADER, "Maalgrupper", "target_groups"),
        ("tilbud.csv", OFFER_HEADER, "  MÅLGRUPPER  ", "target_groups"),
        ("tilbud.csv", OFFER_HEADER, "target_groups", "target_groups"),
        ("tilbud.csv", OFFER_HEADER, "Target groups", "target_groups"),
        ("tilbud.csv", OFFER_HEADER, "Laengdegrad", "lon"),
        ("tilbud.csv", OFFER_HEADER, "lng", "lon"),
        ("tilbud.csv", OFFER_HEADER, "Daekningsomraade", "service_area"),
        ("tilbud.csv", "Id;Organisation id;Navn;Temaer", "Status", "status"),
        ("tilbud.csv", "id;ORGANISATION_ID;name;themes", "Status", "status"),
        ("organisationer.csv", ORG_HEADER, "E-mail", "email"),
        ("organisationer.csv", ORG_HEADER, "Postnr.", "postcode"),
        ("organisationer.csv", ORG_HEADER, "website", "website"),
        ("organisationer.csv", "Id;Navn *;Organisationstype *", "CVR nr", "cvr"),
    ],
)
def test_header_variations(write_csv, file, base, header, field):
    width = base.count(";") + 1
    text = f"{base};{header}\n{';'.join(['x'] * width)};værdi\n"
    raw = read_inputs([write_csv(file, text)])
    table = next(iter(raw.tables.values()))
    assert table[field].tolist() == ["værdi"]
    assert not raw.issues


def test_unknown_columns_give_a_warning_and_are_ignored(write_csv):
    text = f"{ORG_HEADER};Telefon;Noter\nORG-1;A;Fond;12345678;x\n"
    raw = read_inputs([write_csv("organisationer.csv", text)])
    issue = only(raw.issues, severity="advarsel", file="organisationer.csv", row=1)
    assert "Ukendte kolonner" in issue.message and "'Telefon'" in issue.message and "'Noter'" in issue.message
    assert "Telefon" not in raw.tables["organisations"].columns


def test_values_without_header_give_a_warning(write_csv):
    text = f"{ORG_HEADER}\nORG-1;A;Fond;løs værdi\n"
    raw = read_inputs([write_csv("organisationer.csv", text)])
    issue = only(raw.issues, file="organisationer.csv", column="D")
    assert "ingen overskrift" in issue.message
    assert raw.tables["organisations"]["organisation_id"].tolist() == ["ORG-1"]


def test_empty_columns_are_ignored(write_csv):
    text = f"{ORG_HEADER};;Beskrivelse\nORG-1;A;Fond;;B\n"
    raw = read_inputs([write_csv("organisationer.csv", text)])
    assert raw.tables["organisations"]["description"].tolist() == ["B"]
    assert not raw.issues


@pytest.mark.parametrize(
    ("name", "table"),
    [
        ("data.csv", "organisations"),
        ("Tilbud 2025.csv", "offers"),
        ("offers.csv", "offers"),
        ("REGIONALE_ENHEDER.CSV", "regional_units"),
        ("vokabularer.txt", "vocabularies"),
    ],
)
def test_table_from_file_name_or_headers(write_csv, name, table):
    headers = {
        "organisations": (ORG_HEADER, "ORG-1;A;Fond"),
        "offers": (OFFER_HEADER, "T-1;ORG-1;Løb;Forebyggelse"),
        "regional_units": ("Id;Navn;Enhedstype", "E-1;AUH;Hospital"),
        "vocabularies": ("Vokabular;Betegnelse", "Målgrupper;Unge"),
    }
    header, row = headers[table]
    raw = read_inputs([write_csv(name, f"{header}\n{row}\n")])
    assert list(raw.tables) == [table]
    assert len(raw.tables[table]) == 1


def test_missing_required_column_names_file_column_and_found_headers(write_csv):
    path = write_csv("tilbud.csv", "Id;Organisation (id);Navn\nT-1;O-1;Løb\n")
    with pytest.raises(InputError) as exc:
        read_inputs([path])
    issue = only(errors_of(exc), file="tilbud.csv", sheet="", row=1, column="Temaer")
    assert "påkrævede kolonne 'Temaer' mangler" in issue.message
    assert "'Id', 'Organisation (id)', 'Navn'" in issue.hint


def test_unrecognisable_csv(write_csv):
    path = write_csv("data.csv", "Foo;Bar\n1;2\n")
    with pytest.raises(InputError) as exc:
        read_inputs([path])
    issue = only(errors_of(exc), file="data.csv")
    assert "Kan ikke se hvilken tabel" in issue.message
    assert "'Foo', 'Bar'" in issue.hint and "tilbud.csv" in issue.hint


def test_duplicate_columns_are_an_error(write_csv):
    path = write_csv("organisationer.csv", f"{ORG_HEADER};Name\nORG-1;A;Fond;B\n")
    with pytest.raises(InputError) as exc:
        read_inputs([path])
    issue = only(errors_of(exc), file="organisationer.csv", row=1, column="Navn")
    assert "findes flere gange" in issue.message


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("noter.pdf", b"%PDF-1.4", "Filtypen '.pdf' kan ikke indlæses"),
        ("gammel.xls", b"\xd0\xcf\x11\xe0", "er ikke en Excel-fil"),
        ("falsk.xlsx", b"Id;Navn\n1;2\n", "er en tekstfil (CSV eller lignende)"),
        ("beskadiget.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "kan ikke læses"),
        ("beskadiget.xlsx", b"PK\x03\x04garbage", "kan ikke læses"),
        ("omdoebt.csv", b"PK\x03\x04rest of a zip", "er en Excel-fil, ikke en CSV-fil"),
        ("binaer.csv", bytes(range(256)) * 4, "er ikke en tekstfil"),
    ],
)
def test_files_that_are_not_what_they_say(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as exc:
        read_inputs([path])
    issue = only(errors_of(exc), file=name)
    assert message in issue.message
    assert issue.hint


def test_oversized_file(write_csv):
    path = write_csv("organisationer.csv", f"{ORG_HEADER}\n{ORG_ROW}\n")
    with pytest.raises(InputError) as exc:
        read_inputs([path], max_bytes=10)
    assert "for stor" in only(errors_of(exc), file="organisationer.csv").message


def test_too_many_rows_csv(write_csv):
    rows = "\n".join(f"ORG-{i};A;Fond" for i in range(5))
    path = write_csv("organisationer.csv", f"{ORG_HEADER}\n{rows}\n")
    with pytest.raises(InputError) as exc:
        read_inputs([path], max_rows=3)
    assert "For mange rækker" in only(errors_of(exc), file="organisationer.csv").message


def test_too_many_rows_excel(write_xlsx):
    rows = [["Id", "Navn", "Organisationstype"]] + [[f"ORG-{i}", "A", "Fond"] for i in range(20)]
    path = write_xlsx("in.xlsx", {"Organisationer": rows})
    with pytest.raises(InputError) as exc:
        read_inputs([path], max_rows=3)
    issue = only(errors_of(exc), file="in.xlsx", sheet="Organisationer")
    assert "For mange rækker" in issue.message


def test_missing_path(tmp_path):
    with pytest.raises(InputError) as exc:
        read_inputs([tmp_path / "findes-ikke.xlsx"])
    assert "findes ikke" in only(errors_of(exc), file="findes-ikke.xlsx").message


def test_all_errors_are_collected(write_csv):
    a = write_csv("tilbud.csv", "Id;Navn\n1;2\n")
    b = write_csv("data.csv", "Foo\n1\n")
    with pytest.raises(InputError) as exc:
        read_inputs([a, b])
    files = {i.file for i in errors_of(exc)}
    assert files == {"tilbud.csv", "data.csv"}
    assert "fejl mere" in str(exc.value)


def test_excel_header_below_title_rows_and_empty_rows(write_xlsx):
    rows = [
        ["Kortlægning af tilbud"],
        [],
        [None, "Id", "Organisation (id)", "Navn", "Temaer"],
        [None, "T-1", "O-1", "Løbecafé", "Forebyggelse"],
        [],
        [None, "T-2", "O-1", "Gåtur", "Lighed i sundhed"],
    ]
    raw = read_inputs([write_xlsx("in.xlsx", {"Tilbud": rows})])
    offers = raw.tables["offers"]
    assert offers["offer_id"].tolist() == ["T-1", "T-2"]
    assert offers["_row"].tolist() == [4, 6]
    assert offers["_sheet"].tolist() == ["Tilbud", "Tilbud"]
    assert offers["_file"].tolist() == ["in.xlsx", "in.xlsx"]


def test_excel_cell_values_are_kept(write_xlsx):
    rows = [
        ["Id", "Organisation (id)", "Navn", "Temaer", "Sidst verificeret", "Postnummer", "Breddegrad"],
        [
            "T-1",
            "O-1",
            Formula('="Løb"&"ecafé"', "Løbecafé"),
            "Forebyggelse",
            dt.date(2025, 3, 1),
            8000,
            56.1572,
        ],
    ]
    offers = read_inputs([write_xlsx("in.xlsx", {"Tilbud": rows})]).tables["offers"]
    row = offers.iloc[0]
    assert row["name"] == "Løbecafé"  # the formula's cached result
    assert pd.Timestamp(row["last_verified"]) == pd.Timestamp("2025-03-01")
    assert row["postcode"] == 8000
    assert row["lat"] == pytest.approx(56.1572)


def test_excel_extra_and_hidden_sheets(write_xlsx):
    org = [["Id", "Navn", "Organisationstype"], ["ORG-1", "A", "Fond"]]
    path = write_xlsx(
        "in.xlsx",
        {
            "Vejledning": [["Tekst"]],
            "Organisationer": org,
            "Noter": [["x"]],
            "Tilbud": org,
            "Lister": [["a"]],
        },
        hidden={"Tilbud", "Lister"},
    )
    raw = read_inputs([path])
    assert list(raw.tables) == ["organisations"]
    assert "svarer ikke til nogen tabel" in only(raw.issues, sheet="Noter").message
    assert "skjulte ark" in only(raw.issues, sheet="Tilbud").message
    assert {i.sheet for i in raw.issues} == {"Noter", "Tilbud"}


def test_excel_sheet_without_known_headers(write_xlsx):
    path = write_xlsx("in.xlsx", {"Tilbud": [["Foo", "Bar"], ["1", "2"]]})
    with pytest.raises(InputError) as exc:
        read_inputs([path])
    issue = only(errors_of(exc), file="in.xlsx", sheet="Tilbud")
    assert "Ingen kendte kolonneoverskrifter" in issue.message
    assert "'Foo', 'Bar'" in issue.hint


def test_excel_missing_required_column_names_sheet_and_row(write_xlsx):
    path = write_xlsx("in.xlsx", {"Tilbud": [[], ["Id", "Navn", "Temaer"], ["T-1", "Løb", "Lighed"]]})
    with pytest.raises(InputError) as exc:
        read_inputs([path])
    issue = only(errors_of(exc), file="in.xlsx", sheet="Tilbud", row=2, column="Organisation (id)")
    assert "'Id', 'Navn', 'Temaer'" in issue.hint


def test_folder_and_several_paths_are_concatenated(tmp_path, write_csv, write_xlsx):
    folder = tmp_path / "inputs"
    write_csv("organisationer.csv", f"{ORG_HEADER}\nORG-1;A;Fond\n", folder=folder)
    write_csv("README.md", "# noter", folder=folder)
    write_csv("~$organisationer.xlsx", "lock", folder=folder)
    xlsx = write_xlsx(
        "mere.xlsx",
        {
            "Organisationer": [
                ["Id", "Navn", "Organisationstype", "CVR-nummer"],
                ["ORG-2", "B", "Fond", "12345678"],
            ]
        },
    )
    raw = read_inputs([folder, xlsx])
    orgs = raw.tables["organisations"]
    assert orgs["organisation_id"].tolist() == ["ORG-1", "ORG-2"]
    assert orgs["_file"].tolist() == ["organisationer.csv", "mere.xlsx"]
    assert pd.isna(orgs["cvr"].iloc[0])
    assert list(orgs.columns) == [
        "organisation_id",
        "name",
        "cvr",
        "organisation_type",
        "_file",
        "_sheet",
        "_row",
    ]
    assert "README.md" in only(raw.issues, file="README.md").message


def test_row_longer_than_header(write_csv):
    text = f"{ORG_HEADER}\nORG-1;A;Fond\nORG-2;B;Fond;ekstra;mere\n"
    raw = read_inputs([write_csv("organisationer.csv", text)])
    assert raw.tables["organisations"]["organisation_id"].tolist() == ["ORG-1", "ORG-2"]
    assert {i.column for i in raw.issues} == {"D", "E"}


def test_empty_csv_is_a_warning_but_no_tables_is_an_error(write_csv):
    path = write_csv("organisationer.csv", "")
    with pytest.raises(InputError) as exc:
        read_inputs([path])
    assert "Ingen tabeller" in str(exc.value)


def test_excel_empty_sheet_and_header_only_sheet(write_xlsx):
    path = write_xlsx(
        "in.xlsx", {"Organisationer": [["Id", "Navn", "Organisationstype"]], "Tilbud": [], "Noter": []}
    )
    raw = read_inputs([path])
    assert list(raw.tables) == ["organisations"]
    assert raw.tables["organisations"].empty
    assert "tomt" in only(raw.issues, sheet="Tilbud").message


def test_excel_numbers_in_header_and_mixed_cells(write_xlsx):
    rows = [["Id", "Navn", "Organisationstype", 2025], [1001, "A", "Fond", 1], [1002.0, " B ", "Fond", None]]
    raw = read_inputs([write_xlsx("in.xlsx", {"Organisationer": rows})])
    orgs = raw.tables["organisations"]
    assert orgs["organisation_id"].tolist() == [1001, 1002]
    assert orgs["name"].tolist() == ["A", "B"]
    assert "'2025'" in only(raw.issues, sheet="Organisationer").message
