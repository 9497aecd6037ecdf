"""The Organisation and Tilbud pages: everything known about one record, its small map, and the way to the map.

A page is reached by its own link (``/organisation?id=ORG-1``, ``/tilbud?id=TILBUD-1``): from the map's
details panel, from Søg, or pasted. The id comes from the URL, so it is never trusted: it is only bound as a
query parameter and shown as inline code.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from civilkort import danish, record_map, reference
from ui import details, document, selection
from ui.data import query, runtime_url
from ui.text import md, verbatim

MAP_PAGE = "app_pages/kort.py"
SEARCH_PAGE = "app_pages/soeg.py"
MAX_ID = 100
"""Longest id read from the URL (ids are short; a longer text is no id)."""
MAX_OFFER_LINKS = 50
"""An organisation's offers get a link each up to this many (the table lists them all)."""
VIEW_ZOOM = 14
"""How close "Se på kortet" opens the map on a point known by its address."""

_PRECISION_NOTE = {
    "coordinates": "Punktet står på adressen.",
    "postcode": "Omtrentlig placering: punktet står midt i postnummeret (hul, stiplet prik), ikke på adressen.",
    "municipality": "Omtrentlig placering: punktet står midt i kommunen (hul, stiplet prik); kortet viser "
    "hele kommunen, for adressen kendes ikke.",
}


def record_id() -> str:
    """The ``id`` of the URL, trimmed ('' when none)."""
    value = st.query_params.get("id", "")
    return str(value).strip()[:MAX_ID]


_MISSING = {
    "organisation": ("Organisationen findes ikke", "ingen organisation", "den organisation"),
    "offer": ("Tilbuddet findes ikke", "intet tilbud", "det tilbud"),
}


def _not_found(kind: str, ident: str) -> None:
    title, none, which = _MISSING[kind]
    st.title(title)
    if ident:
        st.warning(
            f"Der er {none} med id {verbatim(ident)} i de nuværende data. Måske er det fjernet eller slået "
            "sammen med et andet ved seneste indlæsning, eller linket er skåret af.",
            icon=":material/search_off:",
        )
    else:
        st.info(f"Linket mangler id'et på {which}, der skal vises.", icon=":material/link_off:")
    st.page_link(
        SEARCH_PAGE, label="Søg efter organisationer, tilbud og samarbejder", icon=":material/search:"
    )


def _title(name: str, kind: str) -> None:
    st.set_page_config(page_title=document.title(f"{name} · {kind}"))
    st.title(md(name))


def _map(point_id: str, kind: str, row: pd.Series) -> None:
    """The record's small map and a note on how precisely its place is known."""
    if not record_map.has_place(row["lat"], row["lon"]):
        st.caption("Der er ingen placering registreret, så den kan ikke vises på et kort.")
        return
    shapes = query("municipality_shapes", None, [int(row["municipality_code"])])
    m = record_map.record_map(
        point_id=point_id,
        kind=kind,
        name=str(row["name"]),
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        precision=str(row["location_precision"]),
        municipality=shapes,
        runtime_src=runtime_url(),
    )
    st_folium(m, key=f"post-kort-{point_id}", returned_objects=[], height=320, use_container_width=True)
    st.caption(_PRECISION_NOTE.get(str(row["location_precision"]), "Placeringen er ukendt."))


def _view(row: pd.Series) -> tuple[float, float, int] | None:
    """Where the map opens for a record: on its point when the address is known, else the council's whole map."""
    if row["location_precision"] != "coordinates" or not record_map.has_place(row["lat"], row["lon"]):
        return None
    return round(float(row["lat"]), 5), round(float(row["lon"]), 5), VIEW_ZOOM


def _on_map_button(item: str, row: pd.Series) -> None:
    """ "Se på kortet": the map of the record's health council, with the record chosen and its details open."""
    if st.button(
        "Se på kortet",
        icon=":material/map:",
        type="primary",
        on_click=selection.show_on_map,
        args=(item, f"council:{row['council_id']}", _view(row)),
        key="record_on_map",
        help="Åbner kortet over sundhedsrådet med den her valgt og dens detaljer åbne.",
    ):
        st.switch_page(MAP_PAGE)


def _service_area(codes: object) -> str | None:
    """Which areas an offer serves, by name ('' entries and unknown codes as they are); None when none."""
    if codes is None or (isinstance(codes, float) and pd.isna(codes)) or len(codes) == 0:  # type: ignore[arg-type]
        return None
    names = reference.area_names()
    return "; ".join(names.get(str(code), str(code)) for code in codes)  # type: ignore[union-attr]


def organisation(ident: str) -> None:
    """The Organisation page for ``ident`` (an unknown or missing id gets a Danish message)."""
    detail = query("organisation_detail", None, ident) if ident else None
    if detail is None or detail["organisation"].empty:
        _not_found("organisation", ident)
        return
    g = detail["organisation"].iloc[0]
    _title(str(g["name"]), "Organisation")
    st.caption("Organisation" + (" · Eksempeldata" if g["is_example"] else ""))
    left, right = st.columns([3, 2], gap="medium")
    with left:
        details.facts(details.organisation_facts(g, ident))
        if pd.notna(g["description"]):
            st.markdown(md(g["description"]))
    with right:
        _on_map_button(f"org:{ident}", g)
        _map(f"org:{ident}", "organisation", g)
    details.organisation_sections(detail)
    offers = detail["offers"]
    if len(offers):
        st.markdown("**Tilbuddenes egne sider**")
        for offer_id, name in zip(offers["offer_id"].head(MAX_OFFER_LINKS), offers["name"], strict=False):
            st.page_link("app_pages/tilbud.py", label=md(name), query_params={"id": offer_id})
        if len(offers) > MAX_OFFER_LINKS:
            st.caption(
                f"Og {danish.number(len(offers) - MAX_OFFER_LINKS)} tilbud mere: find dem under »Søg«."
            )


def offer(ident: str) -> None:
    """The Tilbud page for ``ident`` (an unknown or missing id gets a Danish message)."""
    found = query("offer_detail", None, ident) if ident else None
    if found is None or found.empty:
        _not_found("offer", ident)
        return
    o = found.iloc[0]
    _title(str(o["name"]), "Tilbud")
    st.caption("Tilbud" + (" · Eksempeldata" if o["is_example"] else ""))
    left, right = st.columns([3, 2], gap="medium")
    with left:
        details.facts(
            [
                *details.offer_facts(o),
                ("Dækker", _service_area(o["service_area"])),
            ]
        )
        if pd.notna(o["description"]):
            st.markdown(md(o["description"]))
        st.page_link(
            details.ORGANISATION_PAGE,
            label=f"Organisationen: {md(o['organisation_name'])}",
            icon=":material/corporate_fare:",
            query_params={"id": o["organisation_id"]},
        )
    with right:
        _on_map_button(f"offer:{ident}", o)
        if not o["has_own_location"]:
            st.caption("Tilbuddet holdes på organisationens adresse.")
        _map(f"offer:{ident}", "offer", o)
