"""Need indicators as the publishers hand them out: Statistikbanken's exports and API CSVs, plain sheets."""

from __future__ import annotations

import pandas as pd
import pytest

from civilkort.issues import InputError
from etl.indicators import UNITS, frames, from_frames, number, read_indicator, unit_code

FOLK1A_BY_AGE = (
    '"Befolkningen den 1. i kvartalet efter område, alder og tid"\r\n""\r\n'
    '"";"";"2025K3"\r\n'
    '"000 Hele landet";"80-84 år";"180000"\r\n'
    ';"85-89 år";"90000"\r\n'
    '"084 Region Hovedstaden";"80-84 år";"50000"\r\n'
    ';"85-89 år";"25000"\r\n'
    '"101 København";"80-84 år";"14000"\r\n'
    ';"85-89 år";"7000"\r\n'
    '"751 Aarhus";"80-84 år";"9000"\r\n'
    ';"85-89 år";"4500"\r\n'
    '"825 Læsø";"80-84 år";"120"\r\n'
    ';"85-89 år";"60"\r\n'
)


def _values(ind) -> dict[int, float]:
    return dict(zip(ind.values["municipality_code"], ind.values["value"], strict=True))


def test_statbank_web_export_by_age_band_adds_the_bands_and_skips_country_and_region(write_csv):
    path = write_csv("FOLK1A.csv", FOLK1A_BY_AGE, encoding="cp1252")
    notes = []
    ind = read_indicator(path, issues=notes)
    assert _values(ind) == {101: 21000, 751: 13500, 825: 180}
    assert ind.name == "Befolkningen den 1. i kvartalet efter område, alder og tid"  # the file's title
    assert (ind.unit, ind.period, ind.source, ind.file) == (
        "people",
        "2025K3",
        "Danmarks Statistik, FOLK1A",
        "FOLK1A.csv",
    )
    said = {i.message: i for i in notes}
    assert said["Rækker for hele landet eller regioner er sprunget over"].value == (
        "000 Hele landet, 084 Region Hovedstaden"
    )
    assert "80-84 år, 85-89 år" in said["Værdierne er lagt sammen pr. kommune"].value
    missing = said["Indikatorfilen mangler værdier for 95 af 98 kommuner; de vises uden værdi"]
    assert missing.value.startswith("Frederiksberg, Ballerup") and missing.value.endswith("og 85 flere")


def test_options_name_the_indicator(write_csv):
    path = write_csv("FOLK1A.csv", FOLK1A_BY_AGE, encoding="cp1252")
    ind = read_indicator(path, name="Borgere 80+", unit="personer", period="1. kvt. 2025", source="DST")
    assert (ind.name, ind.unit, ind.period, ind.source) == ("Borgere 80+", "people", "1. kvt. 2025", "DST")


def test_statbank_api_csv_folk1e_with_codes_and_two_periods(write_csv):
    rows = ["OMRÅDE;HERKOMST;TID;INDHOLD"]
    for period, n in (("2024K4", 1000), ("2025K1", 2000)):
        rows += [
            f"000;Indvandrere;{period};900000",
            f"101;Indvandrere;{period};{n}",
            f"101;Efterkommere;{period};{n // 2}",
        ]
    path = write_csv("folk1e.csv", "\n".join(rows) + "\n")
    notes = []
    ind = read_indicator(path, issues=notes)
    assert (
        _values(ind) == {101: 3000} and ind.period == "2025K1" and ind.source == "Danmarks Statistik, FOLK1E"
    )
    assert any(i.message == "Filen har 2 perioder; værdien for den nyeste, 2025K1, bruges" for i in notes)


def test_plain_xlsx_with_a_free_header_and_percentages(write_xlsx):
    path = write_xlsx(
        "ensomhed.xlsx",
        {
            "Kommuner": [
                ["Navn", "Andel meget ensomme"],
                ["København", 12.5],
                ["Århus", 9.25],
                ["Læsø Kommune", 7],
            ]
        },
    )
    with pytest.raises(InputError) as exc:
        read_indicator(path)
    assert exc.value.issues[0].message == "Angiv indikatorens enhed: værdierne har decimaler"
    notes = []
    ind = read_indicator(path, unit="procent", period="2021", source="Danskernes Sundhed", issues=notes)
    assert _values(ind) == {101: 12.5, 751: 9.25, 825: 7.0}
    assert (ind.name, ind.unit, ind.source) == ("ensomhed", "percent", "Danskernes Sundhed")
    assert notes[0].sheet == "Kommuner" and notes[0].message.startswith(
        "Indikatorfilen mangler værdier for 95"
    )


def test_plain_csv_with_danish_numbers_and_a_period_header(write_csv):
    path = write_csv("hjemloese.csv", "Kommune;2024\nKøbenhavn;1.789\nAarhus;512\nOdense;..\n")
    notes = []
    ind = read_indicator(path, issues=notes)
    assert notes[0].message.startswith("1 kommune har ingen værdi i filen") and notes[0].value == "Odense"
    assert _values(ind) == {101: 1789, 751: 512} and ind.period == "2024" and ind.unit == "people"
    assert ind.source == "" and ind.name == "hjemloese"


def test_a_plain_file_without_header_or_period_says_the_period_is_missing(write_csv):
    path = write_csv("x.csv", "København;3,5\nAarhus;4,25\n")
    notes = []
    ind = read_indicator(path, unit="pr. 1.000", issues=notes)
    assert _values(ind) == {101: 3.5, 751: 4.25} and ind.unit == "per_1000"
    assert any(i.message == "Filen siger ikke, hvilken periode tallene gælder" for i in notes)


def test_a_mix_of_semicolons_and_commas_names_the_row(write_csv):
    path = write_csv("blandet.csv", "Kommune;Andel\nKøbenhavn;12,5\nAarhus,9,5\nOdense;8\n")
    with pytest.raises(InputError) as exc:
        read_indicator(path)
    (issue,) = exc.value.issues
    assert issue.message == "Rækken har 1 kolonne, men tabellen har 2: skilletegnene er blandet"
    assert (issue.file, issue.row, issue.value) == ("blandet.csv", 3, "Aarhus,9,5")
    assert "semikolon" in issue.hint


def test_commas_as_separator_with_decimal_commas_is_named(write_csv):
    path = write_csv("komma.csv", "Kommune,Andel\nKøbenhavn,12,5\nAarhus,9\n")
    with pytest.raises(InputError) as exc:
        read_indicator(path)
    assert [i.row for i in exc.value.issues] == [2] and "decimalkommaer" in exc.value.issues[0].hint


def test_an_unknown_code_is_named_with_its_row(write_csv):
    path = write_csv("f.csv", "OMRÅDE;TID;INDHOLD\n101 København;2025;10\n999 Ukendtby;2025;5\n")
    with pytest.raises(InputError) as exc:
        read_indicator(path)
    (issue,) = exc.value.issues
    assert issue.message == "Ukendt kommune"
    assert (issue.file, issue.row, issue.column, issue.value) == ("f.csv", 3, "OMRÅDE", "999 Ukendtby")


def test_a_value_that_is_not_a_number_names_file_row_and_column(write_csv):
    path = write_csv("f.csv", "Kommune;Andel\nKøbenhavn;12,5\nAarhus;mange\n")
    with pytest.raises(InputError) as exc:
        read_indicator(path, unit="procent")
    (issue,) = exc.value.issues
    assert (issue.message, issue.file, issue.row, issue.column, issue.value) == (
        "Værdien er ikke et tal",
        "f.csv",
        3,
        "Andel",
        "mange",
    )


def test_a_share_split_by_another_variable_cannot_be_added_up(write_csv):
    path = write_csv("f.csv", "OMRÅDE;KØN;TID;INDHOLD\n101;Mænd;2025;10,5\n101;Kvinder;2025;12,5\n")
    with pytest.raises(InputError) as exc:
        read_indicator(path, unit="procent")
    assert exc.value.issues[0].message == "Kommunen står flere gange (en andel kan ikke lægges sammen)"


def test_a_municipality_twice_in_a_plain_file_is_an_error(write_csv):
    path = write_csv("f.csv", "København;10\nAarhus;4\nKøbenhavn;11\n")
    with pytest.raises(InputError) as exc:
        read_indicator(path)
    assert (exc.value.issues[0].message, exc.value.issues[0].row) == ("Kommunen står flere gange", 3)


@pytest.mark.parametrize("content", ["", "hej med dig\n", "\x00\x01", "Kommune;Andel\nKøbenhavn;..\n"])
def test_a_file_that_is_no_table_says_what_was_expected(write_csv, content):
    with pytest.raises(InputError) as exc:
        read_indicator(write_csv("f.csv", content))
    assert "Forventede" in exc.value.issues[0].hint


def test_a_broken_excel_file_is_a_danish_message(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError) as exc:
        read_indicator(path)
    assert exc.value.issues[0].message.startswith("Excel-filen x.xlsx kan ikke læses")


def test_a_password_protected_workbook_is_refused_as_every_workbook_is(write_xlsx, tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx("plain.xlsx", {"Ark1": [["Kommune", "Antal"], ["København", 12]]})
    path = tmp_path / "hemmelig.xlsx"
    with plain.open("rb") as src, path.open("wb") as out:
        OOXMLFile(src).encrypt("hemmelig", out)
    with pytest.raises(InputError) as exc:
        read_indicator(path, unit="personer")
    (issue,) = exc.value.issues
    assert issue.message == "Excel-filen er beskyttet med adgangskode og kan ikke læses"
    assert (issue.file, "fjern adgangskoden" in issue.hint) == ("hemmelig.xlsx", True)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"Kommune;Antal\nK\xc3\xb8benhavn;12\n",
            "Filen ældre.xlsx er en tekstfil (CSV eller lignende), selvom navnet ender på .xlsx",
        ),
        (b"%PDF-1.4 ...", "Filen ældre.xlsx er en PDF-fil, ikke en Excel-fil"),
        (b"", "Filen ældre.xlsx er tom (0 byte)"),
    ],
)
def test_a_file_named_xlsx_that_is_not_a_workbook_says_what_it_is(tmp_path, content, message):
    path = tmp_path / "ældre.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError) as exc:
        read_indicator(path, unit="personer")
    assert [i.message for i in exc.value.issues] == [message]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234", 1234),
        ("12,5", 12.5),
        ("1.234,5", 1234.5),
        ("12.5", 12.5),
        ("-3", -3),
        ("1 234", 1234),
        ("x", None),
    ],
)
def test_danish_numbers(text, value):
    assert number(text) == value


def test_units_in_danish_and_english():
    assert [unit_code(u) for u in ("Personer", "procent", "%", "pr. 1.000", "per_1000")] == [
        "people",
        "percent",
        "percent",
        "per_1000",
        "per_1000",
    ]
    assert set(UNITS.values()) == {"personer", "procent", "pr. 1.000"}
    with pytest.raises(InputError):
        unit_code("kilo")


def test_frames_round_trip_with_distinct_ids(write_csv):
    a = read_indicator(write_csv("a.csv", "København;1\n"), name="Ældre 80+")
    b = read_indicator(write_csv("b.csv", "Aarhus;2\n"), name="Ældre 80+")
    values, meta = frames([a, b])
    assert list(meta["indicator_id"]) == ["aeldre-80", "aeldre-80-2"]
    assert list(meta["municipalities"]) == [1, 1]
    back = from_frames(values, meta)
    assert [(i.name, i.file) for i in back] == [("Ældre 80+", "a.csv"), ("Ældre 80+", "b.csv")]
    pd.testing.assert_frame_equal(back[1].values, b.values)
    assert frames([])[0].empty and frames([])[1].empty
