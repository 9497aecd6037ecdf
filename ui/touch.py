"""A tap on a phone chooses a chart's point as a click does.

Streamlit hears of a click on a chart drawn with ``on_select`` through Plotly's selection event, which Plotly
does not send for a tap on a touch screen (plotly/plotly.js#6721): ``ui/assets/plotly_taps.js`` passes a tap
on as the selection of its point. Call :func:`pass_taps` beside every chart drawn with ``on_select``.
"""

from __future__ import annotations

from ui import browser


def pass_taps(key: str) -> None:
    """Run the tap script beside the chart ``key`` (once per document in effect; takes no room)."""
    browser.run(
        "plotly_taps.js", "civilkortPlotlyTaps.install", hidden=f"taps-{key}", needs=("charts_watch.js",)
    )
