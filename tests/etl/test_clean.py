"""Parsing raw values into typed columns, and the issues for values that cannot be parsed."""

from __future__ import annotations

import datetime as dt
import gc

import numpy as np
import pandas as pd
import pytest

from civilkort.schema import TABLES
from etl.clean import KIND_DTYPES, MAX_ISSUES_PER_COLUMN, builtin_vocabularies, clean, empty_table
from etl.read import RawInput, read_inputs
from tests.etl.conftest import only

REQUIRED = {
    "organisations": {"organisation_id": "ORG-1", "name": "A", "organisation_type": "Fond"},
    "offers": {"offer_id": "T-1", "organisation_id": "ORG-1", "name": "Løb", "themes": "Forebyggelse"},
    "collaborations": {
        "collaboration_id": "S-1",
        "title": "T",
        "unit_ids": "E-1",
        "organisation_ids": "ORG-1",
    },
}


def raw_input(table: str, field: str, values: list, file: str = "in.xlsx", sheet: str = "Ark") -> RawInput:
    """Raw input with one column of values (object dtype, as read from Excel) and the required fields."""
    n = len(values)
    cols = {name: [value] * n for name, value in REQUIRED.get(table, {}).items()}
    cols[field] = values
    df = pd.DataFrame(cols, dtype=object)
    df["_file"] = file
    df["_sheet"] = sheet
    df["_row"] = range(2, n + 2)
    return RawInput({table: df}, [])


def parse(table: str, field: str, values: list) -> tuple[list, list]:
    out = clean(raw_input(table, field, values))
    return out.tables[table][field].tolist(), out.issues


@pytest.mark.parametrize(
    "value",
    [
        "01-03-2025",
        "1-3-2025",
        "01.03.2025",
        "1.3.2025",
        "1/3/2025",
        "01/03/25",
        "2025-03-01",
        "2025-03-01 00:00:00",
        "2025-03-01T14:30:00",
        "01-03-2025 14:30",
        "20250301",
        "45717",
        45717,
        45717.6,
        "1. marts 2025",
        "1 mar 2025",
        dt.date(2025, 3, 1),
        dt.datetime(2025, 3, 1, 9, 15),
        pd.Timestamp("2025-03-01"),
        "  01-03-2025  ",
    ],
)
def test_dates(value):
    values, issues = parse("offers", "last_verified", [value])
    assert values == [pd.Timestamp("2025-03-01")]
    assert not issues


def test_excel_serial_45658_is_new_year_2025():
    values, _ = parse("offers", "last_verified", [45658])
    assert values == [pd.Timestamp("2025-01-01")]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31-02-2025", "Datoen '31-02-2025' findes ikke"),
        ("3/25/2025", "Datoen '3/25/2025' findes ikke"),
        ("snart", "Ugyldig dato 'snart'"),
        (True, "Ugyldig dato"),
    ],
)
def test_bad_dates_are_located_errors(value, message):
    values, issues = parse("collaborations", "start_date", ["01-01-2025", value])
    assert values[0] == pd.Timestamp("2025-01-01") and pd.isna(values[1])
    issue = only(issues, file="in.xlsx", sheet="Ark", row=3, column="Startdato")
    assert issue.is_error and message in issue.message
    assert "dd-mm-åååå" in issue.hint


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Ja", True),
        ("ja", True),
        ("J", True),
        ("x", True),
        ("X", True),
        ("1", True),
        ("Sand", True),
        ("TRUE", True),
        ("yes", True),
        (True, True),
        (1.0, True),
        ("Nej", False),
        ("N", False),
        ("0", False),
        ("Falsk", False),
        ("false", False),
        ("no", False),
        (False, False),
        (0, False),
    ],
)
def test_booleans(value, expected):
    values, issues = parse("offers", "accepts_social_referrals", [value])
    assert values == [expected]
    assert not issues


def test_bad_boolean():
    values, issues = parse("offers", "accepts_social_referrals", ["måske"])
    assert pd.isna(values[0])
    issue = only(issues, row=2, column="Modtager sociale henvisninger", file="in.xlsx", sheet="Ark")
    assert "Ugyldig Ja/Nej-værdi 'måske'" in issue.message and "Ja eller Nej" in issue.hint


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("56,1572", 56.1572),
        ("56.1572", 56.1572),
        (" 10,2107 ", 10.2107),
        ("1.234,5", 1234.5),
        ("1 234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1.234.567", 1234567.0),
        ("-3,5", -3.5),
        (56.1572, 56.1572),
        (12, 12.0),
    ],
)
def test_numbers(value, expected):
    values, issues = parse("offers", "lat", [value])
    assert values == [pytest.approx(expected)]
    assert not issues


def test_bad_number():
    values, issues = parse("offers", "lat", ["56,1572", "nord"])
    assert values[0] == pytest.approx(56.1572) and np.isnan(values[1])
    issue = only(issues, row=3, column="Breddegrad", file="in.xlsx", sheet="Ark")
    assert "Ikke et tal: 'nord'" in issue.message


def test_numbers_from_csv_text_are_vectorised_and_exact(write_csv):
    text = "Id;Organisation (id);Navn;Temaer;Breddegrad;Længdegrad\nT-1;O;L;Forebyggelse;56,1572;1.234,5\nT-2;O;L;Forebyggelse;x;\n"
    out = clean(read_inputs([write_csv("tilbud.csv", text)]))
    offers = out.tables["offers"]
    assert offers["lat"].iloc[0] == 56.1572 and offers["lon"].iloc[0] == 1234.5
    only(out.issues, file="tilbud.csv", sheet="", row=3, column="Breddegrad")


def csv_column(table: str, field: str, values: list) -> pd.Series:
    """One column cleaned from text as the CSV reader gives it (the 'string' dtype), with the required fields."""
    n = len(values)
    cols = {name: [value] * n for name, value in REQUIRED.get(table, {}).items()}
    cols[field] = values
    df = pd.DataFrame(cols, dtype="string")
    df["_file"], df["_sheet"], df["_row"] = "in.csv", "", range(2, n + 2)
    out = clean(RawInput({table: df}, []))
    assert not out.issues
    return out.tables[table][field]


def to_numeric_bits(values: list) -> np.ndarray:
    """What the whole column read by pandas.to_numeric gives, as bit patterns (tells -0.0 from 0.0)."""
    text = pd.Series(values, dtype="string").str.strip().str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan).view(np.int64)


@pytest.mark.parametrize(
    "values",
    [
        ["56,1572", "10", None, "-3,5", "0"],  # plain numbers: read by Arrow
        ["-0,0", "0,000", "1234567,1234567", "-9999999"],
        ["-0", "10"],  # to_numeric reads '-0' as 0 in a column of integers: not plain, whole column as before
        ["-0", "1,5"],  # ... and as -0.0 beside a decimal number
        ["12345678901234567", "1,5"],  # more digits than a double holds exactly
        ["1e5", "007,5", "+2", ".5", "5."],
    ],
)
def test_numbers_from_csv_text_are_exactly_what_to_numeric_reads(values):
    got = csv_column("offers", "lat", values).to_numpy().view(np.int64)
    assert got.tolist() == to_numeric_bits(values).tolist()


def test_many_plain_numbers_from_csv_text_read_bit_for_bit():
    rng = np.random.default_rng(2027)
    ints, decimals, places = (
        rng.integers(-(10**7) + 1, 10**7, 3000),
        rng.integers(0, 10**7, 3000),
        rng.integers(1, 8, 3000),
    )
    values = [
        f"{i}" if k % 3 == 0 else f"{'-' if i < 0 else ''}{abs(i)},{d % 10**p:0{p}d}"
        for k, (i, d, p) in enumerate(zip(ints, decimals, places, strict=True))
    ]
    got = csv_column("offers", "lat", values).to_numpy().view(np.int64)
    assert got.tolist() == to_numeric_bits(values).tolist()


def test_carriage_returns_in_csv_text_become_line_breaks():
    values = ["a\r\nb", "c\rd", " e\r", "f"]
    assert csv_column("offers", "description", values).tolist() == ["a\nb", "c\nd", "e", "f"]
    assert csv_column("offers", "description", ["a", " b\n"]).tolist() == ["a", "b"]


@pytest.mark.parametrize(
    "value", ["Ensomme", "ensomme", "ENSOMME", "  Ensomme  ", "ensomme", "Ensomme.", "ENSOMME "]
)
def test_vocabulary_by_label_or_code(value):
    values, issues = parse("offers", "target_groups", [value])
    assert values == [["ensomme"]]
    assert not issues


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Ældre", "aeldre"),
        ("aeldre", "aeldre"),
        ("AELDRE", "aeldre"),
        ("Paaroerende", "paaroerende"),
        ("boern_unge", "boern_unge"),
    ],
)
def test_vocabulary_folds_danish_letters(value, code):
    values, _ = parse("offers", "target_groups", [value])
    assert values == [[code]]


def test_unknown_vocabulary_value_suggests_and_lists():
    values, issues = parse("offers", "prevention_level", ["Primær", "Sekundaer", "Tertier"])
    assert values[:2] == ["primaer", "sekundaer"] and pd.isna(values[2])
    issue = only(issues, row=4, column="Forebyggelsesniveau", file="in.xlsx", sheet="Ark")
    assert issue.is_error
    assert "Ukendt værdi 'Tertier'" in issue.message
    assert "Mente du 'Tertiær'?" in issue.hint
    assert "Tilladte værdier: Primær, Sekundær, Tertiær" in issue.hint


def test_several_values_in_a_single_value_column():
    _, issues = parse("offers", "prevention_level", ["Primær; Sekundær"])
    assert "kan kun have én værdi" in only(issues, row=2).hint


@pytest.mark.parametrize(
    "value",
    [
        "Forebyggelse; Lighed i sundhed",
        "Forebyggelse;Lighed i sundhed;",
        "Forebyggelse, Lighed i sundhed",
        "Forebyggelse\nLighed i sundhed",
        "forebyggelse; lighed; Forebyggelse",
        "- Forebyggelse\n- Lighed i sundhed",
    ],
)
def test_vocabulary_lists(value):
    values, issues = parse("offers", "themes", [value])
    assert values == [["forebyggelse", "lighed"]]
    assert not issues


def test_unknown_item_in_a_list_is_named():
    values, issues = parse("offers", "themes", ["Forebyggelse; Sundhedsfremme"])
    assert values == [["forebyggelse"]]
    issue = only(issues, row=2, column="Temaer")
    assert "Ukendt værdi 'Sundhedsfremme' i kolonnen Temaer" in issue.message
    assert issue.value == "Forebyggelse; Sundhedsfremme"


@pytest.mark.parametrize(
    "value", ["Aarhus", "Århus", "aarhus kommune", "751", "0751", 751, 751.0, "  AARHUS "]
)
def test_municipalities(value):
    values, issues = parse("offers", "municipality", [value])
    assert values == [751]
    assert not issues


def test_unknown_municipality_suggests_closest():
    values, issues = parse("offers", "municipality", ["Kobenhavn", "Aarhuss"])  # ø typed as o is fine
    assert values[0] == 101 and pd.isna(values[1])
    issue = only(issues, row=3, column="Kommune", file="in.xlsx", sheet="Ark")
    assert "Ukendt kommune 'Aarhuss'" in issue.message and "Mente du 'Aarhus'?" in issue.hint


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Aarhus; Sundhedsråd Horsens; Hele landet", ["municipality:751", "council:horsens", "national:DK"]),
        ("Region Midtjylland", ["region:midtjylland"]),
        ("Region Østdanmark, Samsø", ["region:oestdanmark", "municipality:741"]),
        ("Sundhedsråd Fyn\nOdense", ["council:fyn", "municipality:461"]),
        ("landsdækkende", ["national:DK"]),
    ],
)
def test_area_lists(value, expected):
    values, issues = parse("offers", "service_area", [value])
    assert values == [expected]
    assert not issues


def test_unknown_area():
    values, issues = parse("offers", "service_area", ["Aarhus; Sundhedsråd Østjylland"])
    assert values == [["municipality:751"]]
    issue = only(issues, row=2, column="Dækningsområde")
    assert "Ukendt område 'Sundhedsråd Østjylland'" in issue.message


@pytest.mark.parametrize(
    ("value", "expected"), [("8000", "8000"), (8000.0, "8000"), ("DK-8000", "8000"), (" 2100 ", "2100")]
)
def test_postcodes(value, expected):
    values, issues = parse("organisations", "postcode", [value])
    assert values == [expected]
    assert not issues


def test_unknown_postcode_is_a_warning_and_kept():
    values, issues = parse("organisations", "postcode", [800])
    assert values == ["0800"]
    issue = only(issues, row=2, column="Postnummer")
    assert not issue.is_error and "Ukendt postnummer '0800'" in issue.message


def test_bad_postcode_is_an_error():
    values, issues = parse("organisations", "postcode", ["8000 Aarhus C"])
    assert pd.isna(values[0])
    issue = only(issues, row=2, column="Postnummer", file="in.xlsx", sheet="Ark")
    assert issue.is_error and "4 cifre" in issue.hint


@pytest.mark.parametrize("value", ["12345678", "DK12345678", "DK 12 34 56 78", "dk-12345678", 12345678.0])
def test_cvr(value):
    values, issues = parse("organisations", "cvr", [value])
    assert values == ["12345678"]
    assert not issues


@pytest.mark.parametrize("value", ["1234567", "CVR 12345678", "123456789"])
def test_bad_cvr(value):
    values, issues = parse("organisations", "cvr", [value])
    assert pd.isna(values[0])
    issue = only(issues, row=2, column="CVR-nummer", file="in.xlsx", sheet="Ark")
    assert issue.is_error and "Ugyldigt CVR-nummer" in issue.message and "8 cifre" in issue.hint


def test_cvr_from_csv_is_vectorised(write_csv):
    text = "Id;Navn;Organisationstype;CVR-nummer\nO-1;A;Fond;DK 1234 5678\nO-2;B;Fond;12\n"
    out = clean(read_inputs([write_csv("organisationer.csv", text)]))
    assert out.tables["organisations"]["cvr"].tolist() == ["12345678", pd.NA]
    only(out.issues, file="organisationer.csv", row=3, column="CVR-nummer")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "kontakt(at)example.dk", "E-mailadressen"),
        ("email", "a@b", "E-mailadressen"),
        ("website", "example dk", "Webadressen"),
        ("website", "hjemmeside", "Webadressen"),
    ],
)
def test_malformed_email_and_url_are_warnings(field, value, message):
    values, issues = parse("organisations", field, [value])
    assert values == [value]
    issue = only(issues, row=2)
    assert not issue.is_error and message in issue.message


@pytest.mark.parametrize(
    ("field", "value"),
    [("email", "kontakt@example.dk"), ("email", "mailto:kontakt@example.dk"), ("website", "www.example.dk")],
)
def test_good_email_and_url(field, value):
    values, issues = parse("organisations", field, [value])
    assert values[0].endswith("example.dk")
    assert not issues


def test_ref_lists():
    values, issues = parse("collaborations", "unit_ids", ["E-1; E-2, E-3\nE-1", None, ""])
    assert values == [["E-1", "E-2", "E-3"], [], []]
    assert not issues


def test_text_from_excel_numbers_and_dates():
    values, _ = parse("offers", "schedule", [17.0, 17.5, dt.datetime(2025, 3, 1), "  Tirsdag  ", True])
    assert values == ["17", "17.5", "01-03-2025", "Tirsdag", "Ja"]


def test_clean_never_raises_and_fills_every_table():
    out = clean(RawInput({}, []))
    assert list(out.tables) == [t.name for t in TABLES]
    for table in TABLES:
        pd.testing.assert_frame_equal(out.tables[table.name], empty_table(table.name))
    assert out.vocabularies["is_builtin"].all()


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_typed_dtypes(table):
    df = empty_table(table.name)
    assert list(df.columns) == [*table.field_names, "_file", "_sheet", "_row"]
    for f in table.fields:
        assert str(df[f.name].dtype) == KIND_DTYPES[f.kind], f.name
    assert str(df["_row"].dtype) == "int64"


def test_clean_output_types_per_kind(write_csv):
    text = (
        "Id;Organisation (id);Navn;Temaer;Modtager sociale henvisninger;Kommune;Breddegrad;Sidst verificeret\n"
        "T-1;O-1;Løb;Forebyggelse;Ja;Aarhus;56,1;01-03-2025\n"
    )
    offers = clean(read_inputs([write_csv("tilbud.csv", text)])).tables["offers"]
    for f in TABLES[1].fields:
        assert str(offers[f.name].dtype) == KIND_DTYPES[f.kind], f.name
    row = offers.iloc[0]
    assert row["themes"] == ["forebyggelse"] and row["target_groups"] == []
    assert row["municipality"] == 751 and bool(row["accepts_social_referrals"]) is True
    assert offers["_row"].tolist() == [2] and offers["_sheet"].tolist() == [""]


def test_list_cells_do_not_share_list_objects():
    values, _ = parse("offers", "themes", ["Forebyggelse", "Forebyggelse", None, None])
    values[0].append("x")
    values[2].append("y")
    assert values[1] == ["forebyggelse"] and values[3] == []


@pytest.mark.parametrize("enabled", [True, False])
def test_list_columns_leave_the_garbage_collector_as_it_was(enabled):
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        parse("offers", "themes", ["Forebyggelse", None] * 1000)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_many_bad_values_are_summed_up():
    n = MAX_ISSUES_PER_COLUMN + 5
    _, issues = parse("offers", "last_verified", ["ikke en dato"] * n)
    located = [i for i in issues if i.row is not None]
    assert len(located) == MAX_ISSUES_PER_COLUMN
    summary = only(issues, row=None)
    assert "5 rækker mere" in summary.message and summary.column == "Sidst verificeret"


# ---------------------------------------------------------------- vocabulary additions


def additions(rows: list[dict]) -> RawInput:
    df = pd.DataFrame(rows, dtype=object)
    df["_file"] = "in.xlsx"
    df["_sheet"] = "Vokabularer"
    df["_row"] = range(2, len(rows) + 2)
    return RawInput({"vocabularies": df}, [])


def test_user_vocabulary_additions_are_allowed_values():
    raw = additions(
        [
            {"vocabulary": "Målgrupper", "label": "Unge med spiseforstyrrelser"},
            {
                "vocabulary": "target_group",
                "code": "veteraner",
                "label": "Veteraner",
                "description": "Tidligere udsendte",
            },
            {"vocabulary": "Enhedstype", "label": "Hospice"},
        ]
    )
    raw.tables.update(raw_input("offers", "target_groups", ["Veteraner; unge med spiseforstyrrelser"]).tables)
    out = clean(raw)
    assert not out.issues
    assert out.tables["offers"]["target_groups"].tolist() == [["veteraner", "unge_med_spiseforstyrrelser"]]
    added = out.vocabularies[~out.vocabularies["is_builtin"]]
    assert added["code"].tolist() == ["unge_med_spiseforstyrrelser", "veteraner", "hospice"]
    assert added["vocabulary"].tolist() == ["target_group", "target_group", "unit_type"]
    last = builtin_vocabularies().groupby("vocabulary")["sort_order"].max()
    assert added["sort_order"].tolist() == [
        last["target_group"] + 1,
        last["target_group"] + 2,
        last["unit_type"] + 1,
    ]
    assert list(out.vocabularies.columns) == [
        "vocabulary",
        "code",
        "label",
        "description",
        "sort_order",
        "is_builtin",
    ]


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ({"vocabulary": "Temaer", "label": "Sundhedsfremme"}, "Vokabular", "kan ikke udvides"),
        ({"vocabulary": "Malgruper", "label": "X"}, "Vokabular", "Ukendt vokabular 'Malgruper'"),
        ({"label": "X"}, "Vokabular", "Vokabular mangler"),
        ({"vocabulary": "Målgrupper"}, "Betegnelse", "Betegnelse mangler"),
        (
            {"vocabulary": "Målgrupper", "code": "aeldre", "label": "Gamle"},
            "Kode",
            "bruges allerede til 'Ældre'",
        ),
        ({"vocabulary": "Målgrupper", "label": "Unge; voksne"}, "Betegnelse", "indeholder semikolon"),
    ],
)
def test_bad_vocabulary_additions(row, column, message):
    out = clean(additions([row]))
    issue = only(out.issues, file="in.xlsx", sheet="Vokabularer", row=2, column=column)
    assert issue.is_error and message in issue.message


def test_unknown_vocabulary_suggests_name():
    out = clean(additions([{"vocabulary": "Malgruper", "label": "X"}]))
    assert "Mente du 'Målgrupper'?" in only(out.issues, row=2).hint


def test_addition_that_exists_is_a_warning():
    out = clean(additions([{"vocabulary": "Målgrupper", "label": "ældre"}]))
    issue = only(out.issues, row=2, column="Betegnelse")
    assert not issue.is_error and "findes allerede" in issue.message
    assert out.vocabularies["is_builtin"].all()
