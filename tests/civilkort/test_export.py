"""Exports are exactly the rows given, safe against formula injection, without personal data by default."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from civilkort import export

HOSTILE = ['=HYPERLINK("http://x","klik")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "=cmd|' /C calc'!A0"]


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": HOSTILE + ["Normal forening"],
            "lat": [56.15] * 8,
            "tovholder": ["Anne Jensen"] * 8,
            "email": ["a@b.dk"] * 8,
            "accepts_social_referrals": [True] * 8,
        }
    )


@pytest.mark.parametrize("value", HOSTILE)
def test_neutralise_prefixes_formula_starts(value):
    assert export.neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Forening", "12", 12, None, "a=b", "e-mail"])
def test_neutralise_leaves_other_values(value):
    assert export.neutralise(value) == value


@pytest.mark.parametrize("danish", [False, True])
def test_csv_is_neutralised_and_leaves_out_personal_data(danish):
    text = export.to_csv(frame(), danish_excel=danish).decode("utf-8-sig")
    df = pd.read_csv(io.StringIO(text), sep=";" if danish else ",", dtype=str, keep_default_na=False)
    assert list(df.columns) == ["Navn", "Breddegrad", "Modtager sociale henvisninger"]
    assert all(v[0] not in "=+-@\t\r" for v in df["Navn"])
    assert df["Navn"].iloc[-1] == "Normal forening"
    assert df["Breddegrad"].iloc[0] == ("56,15" if danish else "56.15")
    assert df["Modtager sociale henvisninger"].iloc[0] == "Ja"


def test_personal_data_only_on_request():
    text = export.to_csv(frame(), include_personal=True).decode("utf-8-sig")
    assert "Tovholder" in text and "Anne Jensen" in text


def test_xlsx_has_no_formulas_and_the_same_rows(tmp_path):
    data = export.to_xlsx({"Tilbud": frame()}, note="Tilbud, Sundhedsråd Aarhus")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Tilbud"]
    assert ws["A1"].value == "Tilbud, Sundhedsråd Aarhus"
    headers = [c.value for c in ws[2]]
    assert headers == ["Navn", "Breddegrad", "Modtager sociale henvisninger"]
    values = [r[0].value for r in ws.iter_rows(min_row=3)]
    assert len(values) == 8
    for cell in ws.iter_rows(min_row=3):
        assert cell[0].data_type == "s"  # a string, never a formula
        assert not str(cell[0].value).startswith(("=", "+", "-", "@"))


@pytest.mark.parametrize("dtype", ["str", "string", "string[pyarrow]", object])
def test_every_text_dtype_is_neutralised_cell_by_cell_alike(dtype):
    values = [*HOSTILE, "Normal", "", None, "a=b", " =x", "'=y"]
    column = pd.Series(values, dtype=dtype)
    out = export.prepare(pd.DataFrame({"name": column}))["Navn"]
    expected = [None if v is None else export.neutralise(v) for v in values]
    assert [None if pd.isna(v) else v for v in out] == expected


def test_mixed_columns_neutralise_their_text_only():
    column = pd.Series(["=1+1", 5, ["=a"], None, 2.5], dtype=object)
    assert export.prepare(pd.DataFrame({"name": column}))["Navn"].tolist()[:3] == ["'=1+1", 5, ["=a"]]
