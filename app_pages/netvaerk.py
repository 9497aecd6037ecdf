"""The area's partnership network: regional units and organisations linked by collaborations."""

import streamlit as st

from civilkort.charts import network_figure
from ui import selection
from ui.data import query
from ui.notices import run_safely
from ui.tables import grid


def page() -> None:
    sel = selection.current()
    st.title(f"Partnerskaber: {sel.area_name()}")
    st.caption(
        "Regionale enheder (firkanter) og organisationer (cirkler), forbundet af samarbejder. "
        "Jo flere samarbejder, jo større. Filtrér på tema og målgruppe i sidepanelet."
    )
    nodes, edges = query("network", sel)
    if edges.empty:
        st.info("Ingen samarbejder i området med de valgte filtre.")
        return
    c1, c2, c3 = st.columns(3)
    c1.metric("Samarbejdsrelationer", len(edges))
    c2.metric("Regionale enheder", int((nodes["kind"] == "regional_unit").sum()))
    c3.metric("Organisationer", int((nodes["kind"] == "organisation").sum()))
    st.plotly_chart(network_figure(nodes, edges), width="stretch", config={"displaylogo": False})
    st.subheader("Flest samarbejder")
    top = nodes.sort_values("n_collaborations", ascending=False).head(25)
    grid(
        top[["name", "type_label", "n_collaborations"]].rename(
            columns={"name": "Navn", "type_label": "Type", "n_collaborations": "Samarbejder"}
        ),
        hide_index=True,
        width="stretch",
    )


run_safely(page)
