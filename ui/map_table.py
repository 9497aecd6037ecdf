"""The map as tables, for whoever cannot use the map itself (keyboard alone, a screen reader, a lost map).

What the map shows, in the same selection: the municipality figures it colours by, the organisations
and offers it draws as points, and the vulnerable housing areas when that layer is on (area and filters from the sidebar; the map's zoom does not narrow them).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from civilkort import danish
from civilkort.map_payload import PRECISIONS
from ui import housing
from ui.data import query
from ui.tables import MAX_SHOWN, grid

ANCHOR = "kortet-som-tabel"
"""The heading the map page's skip link leads to."""


def municipality_table(measures: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality of the area, with the figures the map colours by (Danish number format)."""
    return pd.DataFrame(
        {
            "Kommune": measures["municipality_name"].astype(str),
            "Organisationer": measures["organisations"].map(danish.number),
            "Tilbud": measures["offers"].map(danish.number),
            "Samarbejder": measures["collaborations"].map(danish.number),
            "Tilbud pr. 10.000 indbyggere": measures["offers_per_10k"].map(lambda v: danish.number(v, 1)),
            "Indbyggere": measures["population"].map(danish.number),
        }
    )


def points_table(organisations: pd.DataFrame, offers: pd.DataFrame) -> pd.DataFrame:
    """The map's points: organisations and offers with where they are and how precisely that is known."""

    def rows(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
        place = frame["address"].fillna("").astype(str).str.strip()
        town = (
            frame["postcode"].fillna("").astype(str) + " " + frame["city"].fillna("").astype(str)
        ).str.strip()
        address = (place + ", " + town).str.strip(", ")
        return pd.DataFrame(
            {
                "Navn": frame["name"].fillna("").astype(str),
                "Type": kind,
                "Kommune": frame["municipality_name"].fillna("").astype(str),
                "Adresse": address,
                "Placering": frame["location_precision"].map(PRECISIONS).fillna("Ingen placering"),
            }
        )

    both = pd.concat([rows(organisations, "Organisation"), rows(offers, "Tilbud")], ignore_index=True)
    return both.sort_values(["Kommune", "Navn", "Type"], kind="stable", ignore_index=True)


def show(sel, measures: pd.DataFrame) -> None:
    """Both tables (only when asked for: nothing is queried for the map page otherwise)."""
    st.markdown("**Kommunerne** (de tal kortet farver efter)")
    # st.table: a real HTML table, which a screen reader reads cell by cell with its headers
    st.table(municipality_table(measures).set_index("Kommune"))
    points = points_table(query("organisations", sel), query("offers", sel))
    st.markdown(f"**Organisationer og tilbud** ({len(points):,} punkter på kortet)".replace(",", "."))
    if len(points) > MAX_SHOWN:
        st.caption(
            f"De første {MAX_SHOWN:,} vises her; hele listen står under »Lister og eksport«.".replace(
                ",", "."
            )
        )
    grid(points.head(MAX_SHOWN), hide_index=True, width="stretch")
    housing.table(sel)
