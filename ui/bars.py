"""Counts as a light HTML bar table: for pages that must load fast on poor wifi (the map page).

``st.plotly_chart`` makes the browser fetch Streamlit's charting bundle (4.7 MB, ~1.4 MB compressed) the first
time a page shows one; the map page's "Tilbud pr. tema" is a handful of labelled counts, which a table with a
bar in each row says as well (and a screen reader reads as a table). Labels are user text: escaped.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from civilkort.charts import ORG_COLOUR


def danish_int(value: int) -> str:
    return f"{int(value):,}".replace(",", ".")


def bar_table_html(
    df: pd.DataFrame, label_col: str, value_col: str, *, caption: str, label_header: str
) -> str:
    """An HTML table, largest first: label, number, and a bar as long as the number (relative to the largest)."""
    d = df.sort_values(value_col, ascending=False, kind="stable")
    top = max(1, int(d[value_col].max())) if len(d) else 1
    rows = []
    for label, value in zip(d[label_col], d[value_col]):
        width = round(100 * int(value) / top, 1)
        rows.append(
            "<tr>"
            f'<th scope="row" style="text-align:left;font-weight:normal;padding:2px 8px 2px 0">'
            f"{html.escape(str(label))}</th>"
            f'<td style="text-align:right;padding:2px 8px;font-variant-numeric:tabular-nums">{danish_int(value)}</td>'
            f'<td style="width:55%;padding:2px 0" aria-hidden="true">'
            f'<div style="background:{ORG_COLOUR};height:14px;width:{width}%;min-width:1px"></div></td>'
            "</tr>"
        )
    return (
        '<table class="ck-bars" style="width:100%;border-collapse:collapse;color:#111111;font-size:0.9rem">'
        f'<caption style="text-align:left;caption-side:top;padding-bottom:4px">{html.escape(caption)}</caption>'
        f'<thead><tr><th scope="col" style="text-align:left;padding:2px 8px 2px 0">{html.escape(label_header)}</th>'
        '<th scope="col" style="text-align:right;padding:2px 8px">Antal</th><td></td></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def bar_table(df: pd.DataFrame, label_col: str, value_col: str, *, caption: str, label_header: str) -> None:
    st.html(bar_table_html(df, label_col, value_col, caption=caption, label_header=label_header))
