"""The area's partnership network: regional units and organisations linked by collaborations."""

import streamlit as st

from ui import network, selection
from ui.notices import run_safely


def page() -> None:
    sel = selection.current()
    st.title(f"Partnerskaber: {sel.area_name()}")
    st.caption(
        "Regionale enheder (firkanter) og organisationer (cirkler), forbundet af samarbejder. "
        "Jo flere samarbejder, jo større. Klik på en enhed eller organisation, eller vælg den i listen, "
        "for at fremhæve dens partnere og se detaljerne under netværket. Filtrér på tema og målgruppe i sidepanelet."
    )
    nodes, edges = network.data(sel)
    if edges.empty:
        st.info("Ingen samarbejder i området med de valgte filtre.")
        return
    item = network.chosen(sel, nodes)
    c1, c2, c3 = st.columns(3)
    c1.metric("Samarbejdsrelationer", len(edges))
    c2.metric("Regionale enheder", int((nodes["kind"] == "regional_unit").sum()))
    c3.metric("Organisationer", int((nodes["kind"] == "organisation").sum()))
    network.chooser(nodes, item)
    network.install_labels()
    network.chart(nodes, edges, item)
    if item:
        network.details(sel, item)
    else:
        network.most_connected(nodes)


run_safely(page)
