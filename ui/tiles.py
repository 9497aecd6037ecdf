"""The tile map on a page: the Plotly figure plus the CSS that sizes its labels to the hexagons on screen."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from civilkort import tiles


def tile_chart(
    fig: go.Figure, *, key: str, scope: str | None = None, height: int | None = None, **kwargs: Any
) -> Any:
    """Draw a figure from :func:`civilkort.tiles.tile_figure` whose labels follow the hexagons' size.

    ``scope``: a CSS selector for an element with a definite height that holds only this chart (the
    presentation stage); without it the chart gets its own container (``.st-key-ck-tiles``) and
    ``height`` (px) is required. Other arguments go to ``st.plotly_chart``; returns what it returns.
    """
    config = {"displayModeBar": False}
    if scope is not None:
        st.html(tiles.label_css(fig.layout.meta, scope, height_px=height))
        return st.plotly_chart(fig, key=key, height=height or "stretch", config=config, **kwargs)
    if height is None:
        raise ValueError("A tile map in its own container needs a height")
    with st.container(key="ck-tiles"):
        st.html(tiles.label_css(fig.layout.meta, ".st-key-ck-tiles", height_px=height))
        return st.plotly_chart(fig, key=key, height=height, config=config, **kwargs)
