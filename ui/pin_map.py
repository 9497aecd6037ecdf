"""A small map of an area (no tiles) on which a click sets one pin: the workshop's place for an entry, and
Find et tilbud's place for a citizen. The pin lives in session state; a new click replaces it."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from civilkort import maps
from civilkort.filters import Selection
from ui.data import query


def pin_picker(
    area: str,
    *,
    key: str,
    pin_key: str,
    digits: int,
    height: int,
    entries: pd.DataFrame | None = None,
    pin: tuple[str, str, str] | None = None,
) -> tuple[float, float] | None:
    """Draw the area's map with ``entries`` (other pins) and the chosen pin; a click stores (lat, lon),
    rounded to ``digits``, under ``pin_key`` and reruns. Returns the pin chosen before this run, or None.
    ``pin``: the chosen pin's name, tooltip and note (maps.pin_layers)."""
    data = query("map_layers", Selection(area=area), "offers")
    base = maps.pin_map(
        bounds=data["bounds"], municipalities=data["areas"], council_outlines=data["council_outlines"]
    )
    chosen = st.session_state.get(pin_key)
    named: dict[str, Any] = {"pin": pin} if pin else {}
    returned = st_folium(
        base,
        key=key,
        feature_group_to_add=maps.pin_layers(entries, chosen, **named),
        returned_objects=["last_clicked"],
        height=height,
        use_container_width=True,
    )
    clicked = (returned or {}).get("last_clicked")
    seen_key = f"{pin_key}_seen"
    if clicked and clicked != st.session_state.get(seen_key):  # a new click, not the last one returned again
        st.session_state[seen_key] = clicked
        st.session_state[pin_key] = (
            round(float(clicked["lat"]), digits),
            round(float(clicked["lng"]), digits),
        )
        st.rerun()
    return chosen
