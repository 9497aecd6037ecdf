"""FOLK1A population as Statistics Denmark hands it out: the StatBank API's CSV and the web page's export."""

from __future__ import annotations

import pytest

from civilkort.issues import InputError
from etl.population import read_folk1a

WEB_TITLE = '"Befolkningen den 1. i kvartalet efter område og tid"\r\n""\r\n'


def _write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _as_dict(df) -> dict[int, int]:
    return dict(zip(df["municipality_code"], df["population"], strict=True))


def test_web_export_with_title_blank_line_quotes_cp1252_and_code_name_labels(tmp_path):
    path = _write(
        tmp_path,
        "FOLK1A.csv",
        WEB_TITLE + '"";"2024K4";"2025K1"\r\n'
        '"000 Hele landet";"5961249";"5992734"\r\n'
        '"084 Region Hovedstaden";"1900000";"1910000"\r\n'
        '"101 København";"663000";"667099"\r\n'
        '"751 Aarhus";"365000";"367095"\r\n'
        '"825 Læsø";"1700";"1750"\r\n',
        encoding="cp1252",
    )
    notes = []
    df = read_folk1a(path, notes)
    assert _as_dict(df) == {101: 667099, 751: 367095, 825: 1750}
    assert set(df["population_period"]) == {"2025K1"}
    periods = next(i for i in notes if "perioder" in i.message)
    assert periods.message == "Filen har 2 perioder; folketallet for den nyeste, 2025K1, bruges"
    assert periods.file == "FOLK1A.csv" and periods.value == "2024K4, 2025K1"


def test_web_export_with_variables_as_columns_and_blank_repeated_labels(tmp_path):
    path = _write(
        tmp_path,
        "folk1a.csv",
        "Befolkningen den 1. i kvartalet efter område, køn, alder, civilstand og tid\n\n"
        ";;;;2025K1\n"
        '"Hele landet";"I alt";"Alder i alt";"I alt";5992734\n'
        '"København";"Mænd";"Alder i alt";"I alt";330000\n'
        ';"Kvinder";"Alder i alt";"I alt";337099\n'
        ';"I alt";"Alder i alt";"I alt";667099\n'
        '"Aarhus";"I alt";"Alder i alt";"I alt";367095\n',
        encoding="cp1252",
    )
    assert _as_dict(read_folk1a(path)) == {101: 667099, 751: 367095}  # the totals, not men + women + total


def test_web_export_with_a_header_over_the_areas(tmp_path):
    path = _write(
        tmp_path, "f.csv", 'område;2024K4;2025K1\n"101 København";663000;667099\n', encoding="cp1252"
    )
    df = read_folk1a(path)
    assert _as_dict(df) == {101: 667099} and list(df["population_period"]) == ["2025K1"]


def test_api_csv_with_codes(tmp_path):
    path = _write(
        tmp_path, "api.csv", "OMRÅDE;TID;INDHOLD\n000;2025K1;5992734\n101;2025K1;667099\n0751;2025K1;367095\n"
    )
    assert _as_dict(read_folk1a(path)) == {101: 667099, 751: 367095}


def test_api_csv_with_every_variable_takes_the_totals_and_the_newest_period(tmp_path):
    rows = ["OMRÅDE;KØN;ALDER;CIVILSTAND;TID;INDHOLD"]
    for period, base in (("2024K4", 660000), ("2025K1", 667099)):
        rows += [
            f"København;I alt;Alder i alt;I alt;{period};{base}",
            f"København;Mænd;Alder i alt;I alt;{period};{base // 2}",
            f"København;Kvinder;Alder i alt;I alt;{period};{base - base // 2}",
        ]
    path = _write(tmp_path, "api.csv", "\n".join(rows) + "\n")
    notes = []
    df = read_folk1a(path, notes)
    assert _as_dict(df) == {101: 667099} and list(df["population_period"]) == ["2025K1"]
    assert any("nyeste, 2025K1" in i.message for i in notes)


def test_sexes_without_a_total_are_added_up(tmp_path):
    path = _write(
        tmp_path,
        "api.csv",
        "OMRÅDE;KØN;TID;INDHOLD\n101 København;1;2025K1;330000\n101 København;2;2025K1;337099\n",
    )
    assert _as_dict(read_folk1a(path)) == {101: 667099}


def test_thousands_separators_and_missing_values(tmp_path):
    path = _write(tmp_path, "f.csv", 'OMRÅDE;TID;INDHOLD\n"København";2025K1;"667.099"\n"Aarhus";2025K1;..\n')
    assert _as_dict(read_folk1a(path)) == {101: 667099}


def test_missing_municipalities_are_named(tmp_path):
    path = _write(tmp_path, "f.csv", "OMRÅDE;TID;INDHOLD\nKøbenhavn;2025K1;667099\n")
    notes = []
    read_folk1a(path, notes)
    (missing,) = notes
    assert missing.message.startswith("FOLK1A-filen mangler folketal for 97 af 98 kommuner")
    assert missing.value.startswith("Frederiksberg, Ballerup") and missing.value.endswith("og 87 flere")


def test_regions_only_says_what_it_found_and_what_it_expected(tmp_path):
    path = _write(
        tmp_path,
        "regioner.csv",
        WEB_TITLE + '"";"2025K1"\r\n"Hele landet";"5992734"\r\n"Region Hovedstaden";"1910000"\r\n',
        encoding="cp1252",
    )
    with pytest.raises(InputError) as exc:
        read_folk1a(path)
    (issue,) = exc.value.issues
    assert issue.message == "Ingen kommuner fundet i FOLK1A-filen" and issue.file == "regioner.csv"
    assert issue.value == "Hele landet, Region Hovedstaden"
    assert "101 København" in issue.hint and "Alle kommuner" in issue.hint


def test_a_value_that_is_not_a_number_names_row_and_column(tmp_path):
    path = _write(tmp_path, "f.csv", "OMRÅDE;TID;INDHOLD\nKøbenhavn;2025K1;667099\nAarhus;2025K1;mange\n")
    with pytest.raises(InputError) as exc:
        read_folk1a(path)
    (issue,) = exc.value.issues
    assert issue.message == "Folketallet er ikke et helt tal"
    assert (issue.file, issue.row, issue.column, issue.value) == ("f.csv", 3, "INDHOLD", "mange")


def test_a_value_in_the_web_export_names_its_period_column(tmp_path):
    path = _write(tmp_path, "f.csv", WEB_TITLE + '"";"2025K1"\r\n"101 København";"x"\r\n', encoding="cp1252")
    with pytest.raises(InputError) as exc:
        read_folk1a(path)
    (issue,) = exc.value.issues
    assert (issue.row, issue.column, issue.value) == (4, "2025K1", "x")


@pytest.mark.parametrize("content", ["", "a;b\n1;2\n", "hej med dig\n", "\x00\x01"])
def test_a_file_that_is_not_folk1a_says_what_was_expected(tmp_path, content):
    path = _write(tmp_path, "folketal.csv", content)
    with pytest.raises(InputError) as exc:
        read_folk1a(path)
    (issue,) = exc.value.issues
    assert issue.file == "folketal.csv"
    assert "FOLK1A" in issue.message or "FOLK1A" in issue.hint or "OMRÅDE" in issue.hint
