"""The mapping report for a council, as PDF and xlsx, to take to the next meeting."""

import datetime as dt

import streamlit as st

from civilkort import reference
from ui import selection
from ui.data import council_report
from ui.notices import run_safely


def page() -> None:
    sel = selection.current()
    st.title("Rapport til mødet")
    st.caption(
        "Kortlægningsrapporten for et sundhedsråd: nøgletal, kort, huller, samarbejder der slutter, "
        "forældreløse organisationer og enheder, datakvalitet og kilder. Rapporten dækker hele rådets "
        "kortlægning (filtrene i sidepanelet gælder ikke her)."
    )
    councils = reference.councils().sort_values("council_name")
    names = dict(zip(councils["council_id"], councils["council_name"]))
    kind, _, ident = sel.area.partition(":")
    default = list(names).index(ident) if kind == "council" and ident in names else 0
    council_id = st.selectbox(
        "Sundhedsråd", list(names), index=default, format_func=names.get, key="rapport_council"
    )
    if st.button("Lav rapport", type="primary"):
        with st.spinner("Laver rapporten …"):
            st.session_state["rapport"] = council_report(council_id, dt.date.today())
    made = st.session_state.get("rapport")
    if made and made.council_id == council_id:
        st.success(f"Rapporten for {made.council_name} er klar.")
        c1, c2 = st.columns(2)
        c1.download_button(
            "Hent PDF",
            made.pdf,
            file_name=f"kortlaegning-{council_id}-{dt.date.today()}.pdf",
            mime="application/pdf",
            width="stretch",
        )
        c2.download_button(
            "Hent tabellerne (xlsx)",
            made.xlsx,
            file_name=f"kortlaegning-{council_id}-{dt.date.today()}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            width="stretch",
        )
    st.caption(
        "Alle 17 rapporter på én gang fra kommandolinjen: `python -m etl council-report --out rapporter`."
    )


run_safely(page)
