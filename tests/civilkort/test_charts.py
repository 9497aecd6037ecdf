"""Charts speak Danish numbers: thousands with a dot, decimals with a comma, no SI suffixes."""

from __future__ import annotations

import pandas as pd

from civilkort import charts


def test_bar_numbers_are_written_the_danish_way():
    df = pd.DataFrame({"label": ["Forebyggelse", "<b>Lighed</b>"], "n": [128_965, 0]})
    fig = charts.counts_bar(df, "label", "n", title="")
    assert fig.layout.separators == ",."  # plotly: decimal separator first, then thousands
    bar = fig.data[0]
    assert bar.texttemplate == "%{x:,}" and "%{x:,}" in bar.hovertemplate
    assert fig.layout.xaxis.exponentformat == "none" and fig.layout.xaxis.separatethousands
    assert list(bar.y) == ["&lt;b&gt;Lighed&lt;/b&gt;", "Forebyggelse"]  # user text stays text
