"""The map page's counts by theme as an HTML table with bars (ui/bars.py): order, numbers, escaping."""

from __future__ import annotations

import re

import pandas as pd

from ui.bars import bar_table_html


def test_largest_first_with_danish_numbers_and_bars_relative_to_the_largest() -> None:
    df = pd.DataFrame({"label": ["Motion", "Mad", "Ensomhed"], "n": [250, 12_345, 0]})
    out = bar_table_html(df, "label", "n", caption="Antal tilbud", label_header="Tema")
    assert [m for m in re.findall(r'<th scope="row"[^>]*>([^<]*)</th>', out)] == ["Mad", "Motion", "Ensomhed"]
    assert "12.345" in out and ">250<" in out and ">0<" in out
    assert re.findall(r"width:([\d.]+)%;min-width", out) == ["100.0", "2.0", "0.0"]
    assert "<caption" in out and ">Antal tilbud</caption>" in out


def test_user_text_is_escaped() -> None:
    df = pd.DataFrame({"label": ['<img src=x onerror="alert(1)">'], "n": [3]})
    out = bar_table_html(df, "label", "n", caption="<b>", label_header="Tema")
    assert "<img" not in out and "&lt;img src=x" in out and "&lt;b&gt;" in out


def test_no_rows_is_an_empty_table_not_an_error() -> None:
    out = bar_table_html(
        pd.DataFrame({"label": [], "n": []}), "label", "n", caption="Antal tilbud", label_header="Tema"
    )
    assert "<tbody></tbody>" in out
