"""The 17 health councils side by side on the same measures, per region and nationally."""

import streamlit as st

from civilkort import charts, gaps
from ui import gaps as gapdata
from ui import selection
from ui.notices import run_safely


def page() -> None:
    sel = selection.current()
    st.title("Sammenlign sundhedsråd")
    st.caption(
        "Alle 17 sundhedsråd på de samme mål, med regionerne og hele landet. Området i sidepanelet bruges "
        "ikke her; de øvrige filtre gælder (et mål bruger dog ikke filteret på sin egen akse, fx tæller "
        "'Temaer uden tilbud' alle temaer)."
    )
    df = gapdata.view("compare_councils", sel)
    measures = gapdata.COMPARE_MEASURES
    if not gapdata.population_loaded():
        measures = {k: v for k, v in measures.items() if k != "offers_per_10k"}
        st.info("Der er ikke indlæst folketal, så tilbud pr. 10.000 indbyggere kan ikke vises. Se *Om data*.")
    if st.session_state.get("sammenlign_measure") not in measures:
        st.session_state.pop("sammenlign_measure", None)
    measure = st.selectbox("Mål", list(measures), format_func=measures.get, key="sammenlign_measure")
    st.plotly_chart(
        charts.compare_bar(df, measure, title=measures[measure], additive=measure in gaps.ADDITIVE),
        width="stretch",
        config={"displayModeBar": False},
    )
    st.subheader("Alle mål")
    gapdata.aggregate_table(gaps.danish(df), title="Sammenligning af sundhedsråd", key="sammenlign")
    st.markdown(gaps.SCORE_HELP)
    with st.expander("Vis SQL"):
        gapdata.show_sql("compare_councils", sel)


run_safely(page)
