"""Lists of the current selection, searchable and sortable, and exports of exactly what is filtered."""

import streamlit as st

from ui import selection
from ui.data import query
from ui.notices import run_safely
from ui.tables import table_with_export


def page() -> None:
    sel = selection.current()
    st.title(f"Lister: {sel.area_name()}")
    st.caption("Listerne følger område og filtre i sidepanelet. Klik på en kolonneoverskrift for at sortere.")
    orgs = query("organisations", sel)
    offers = query("offers", sel)
    collabs = query("collaborations", sel)
    t1, t2, t3 = st.tabs(
        [f"Organisationer ({len(orgs)})", f"Tilbud ({len(offers)})", f"Samarbejder ({len(collabs)})"]
    )
    with t1:
        table_with_export(orgs, title="Organisationer", sel=sel, key="orgs")
    with t2:
        table_with_export(offers, title="Tilbud", sel=sel, key="offers")
    with t3:
        table_with_export(collabs, title="Samarbejder", sel=sel, key="collabs")


run_safely(page)
