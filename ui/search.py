"""Søg: organisations, offers and collaborations by name, CVR, place or word (civilkort.search), linked to their pages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from civilkort import danish
from civilkort.search import KIND_LABELS, KINDS, MAX_QUERY, SearchResult
from ui import details, selection
from ui.data import search_index
from ui.text import md

PARAM = "soeg"
"""The URL parameter that holds the search words, so a search can be shared as a link."""
KEY = "soeg_tekst"
EVERYWHERE = "soeg_hele_landet"
"""Session key of the switch that searches all of Denmark, not only the sidebar's area."""
LIMIT = 50
MAP_PAGE = "app_pages/kort.py"
_ICONS = {
    "organisation": ":material/corporate_fare:",
    "offer": ":material/event_available:",
    "collaboration": ":material/handshake:",
}
_SHOW = {"alle": "Alle", "organisation": "Organisationer", "offer": "Tilbud", "collaboration": "Samarbejder"}


def _words_from_url() -> None:
    if KEY not in st.session_state:
        st.session_state[KEY] = str(st.query_params.get(PARAM, ""))[:MAX_QUERY]


def _keep_in_url(text: str) -> None:
    if text.strip():
        st.query_params[PARAM] = text
    elif PARAM in st.query_params:
        del st.query_params[PARAM]


def _where(row: pd.Series) -> str:
    """One line under a result: what it is, whose it is and where."""
    parts = [KIND_LABELS[row["kind"]]]
    if row["kind"] == "offer" and pd.notna(row["organisation_name"]):
        parts.append(f"hos {row['organisation_name']}")
    if row["kind"] == "collaboration" and pd.notna(row["organisation_name"]):
        parts.append(f"parter: {row['organisation_name']}")
    place = row["place"] if pd.notna(row["place"]) and str(row["place"]).strip() else None
    municipality = row["municipality_name"] if pd.notna(row["municipality_name"]) else None
    if place and municipality:
        parts.append(f"{place} ({municipality} Kommune)")
    elif place or municipality:
        parts.append(place or f"{municipality} Kommune")
    return " · ".join(md(p) for p in parts)


def _result(i: int, row: pd.Series) -> None:
    kind, ident = row["kind"], row["id"]
    if kind == "collaboration":
        # no page of its own: "Se på kortet" opens the map with the collaboration's details
        if st.button(
            md(row["name"]),
            icon=_ICONS[kind],
            type="tertiary",
            key=f"soeg-{i}",
            on_click=selection.show_on_map,
            args=(f"collaboration:{ident}", f"council:{row['council_id']}"),
            help="Åbner kortet med samarbejdets detaljer.",
        ):
            st.switch_page(MAP_PAGE)
    else:
        page = details.ORGANISATION_PAGE if kind == "organisation" else details.OFFER_PAGE
        st.page_link(page, label=md(row["name"]), icon=_ICONS[kind], query_params={"id": ident})
    st.caption(_where(row))


def _search_everywhere() -> None:
    st.session_state[EVERYWHERE] = True


def _elsewhere(n: int, area_name: str) -> None:
    """Matches outside the area: said, with one click to see them."""
    cols = st.columns([3, 1], vertical_alignment="center")
    cols[0].caption(
        f":material/travel_explore: {danish.count(n, 'resultat', 'resultater')} mere uden for {md(area_name)}."
    )
    cols[1].button("Vis dem også", key="soeg-udvid", on_click=_search_everywhere, type="tertiary")


def _summary(result: SearchResult, shown: int) -> str:
    found = danish.count(result.total, "resultat", "resultater")
    if result.total > shown:
        return f"{found}; de {shown} bedste vises. Skriv flere ord for at finde færre."
    return found


def page() -> None:
    st.title("Søg")
    _words_from_url()
    text = st.text_input(
        "Søg efter navn, CVR-nummer, sted eller ord",
        key=KEY,
        max_chars=MAX_QUERY,
        placeholder="fx Ældre Sagen Aabenraa, 2100, motionscafé eller et CVR-nummer",
    )
    show = st.radio("Vis", list(_SHOW), format_func=_SHOW.get, horizontal=True, key="soeg_vis")
    sel = selection.current()
    councils = sel.council_ids()
    if councils is not None:
        everywhere = st.toggle(
            "Søg i hele landet",
            key=EVERYWHERE,
            help=f"Ellers søges kun i {sel.area_name()}, området i sidepanelet.",
        )
        if everywhere:
            councils = None
    where = "hele landet" if councils is None else md(sel.area_name())
    st.caption(
        f"Søger i organisationer, tilbud og samarbejder i {where}: navn, CVR-nummer, adresse, postnummer, by, "
        "kommune og beskrivelse. Store og små bogstaver er lige meget, æ, ø og å kan skrives ae, oe og aa, "
        "og en lille stavefejl finder stadig frem. Sidepanelets filtre gælder ikke her."
    )
    _keep_in_url(text)
    if not text.strip():
        return
    kinds = KINDS if show == "alle" else (show,)
    result = search_index().search(text, limit=LIMIT, kinds=kinds, councils=councils)
    if result.total == 0:
        if result.elsewhere:
            st.info(f"Intet fundet i {md(sel.area_name())}.", icon=":material/search_off:")
            _elsewhere(result.elsewhere, sel.area_name())
        else:
            st.info(
                "Intet fundet. Prøv med færre eller kortere ord, eller søg i alle typer.",
                icon=":material/search_off:",
            )
        return
    st.markdown(f"**{_summary(result, len(result.rows))}**")
    if result.elsewhere:
        _elsewhere(result.elsewhere, sel.area_name())
    for i, row in result.rows.iterrows():
        _result(int(i), row)
