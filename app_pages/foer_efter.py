"""Før og efter: the data frozen at a workshop against the data now, for the area in the sidebar."""

import streamlit as st

from civilkort import charts, danish, snapshots
from civilkort import workshop as ws
from civilkort.auth import COORDINATOR
from civilkort.store import StoreError
from ui import auth as ui_auth
from ui import selection
from ui import workshop as ui_ws
from ui.notices import run_safely
from ui.tables import grid
from ui.text import md


def page() -> None:
    sel = selection.current()
    s = ui_ws.store()
    person = ui_auth.current()
    st.title(f"Før og efter: {sel.area_name()}")
    st.caption(
        "Sammenlign data, som de var ved en workshop (et frosset øjebliksbillede), med data nu: nye og "
        "afsluttede samarbejder, nye organisationer og ændringen i aktive tilbud pr. kommune og tema."
    )
    frozen = snapshots.list_snapshots(s)
    if person.has(COORDINATOR):
        with st.popover("Frys data nu", icon=":material/ac_unit:"):
            name = st.text_input("Navn på øjebliksbilledet", key="snap_name")
            if st.button("Frys", key="snap_freeze", type="primary"):
                try:
                    snapshots.freeze(s, person, name=name)
                except (snapshots.SnapshotError, ws.PermissionDenied, StoreError) as exc:
                    st.error(str(exc))
                else:
                    st.rerun()
    if not frozen:
        st.info("Der er endnu intet øjebliksbillede. Koordinatoren fryser data, når en workshop oprettes.")
        return
    labels = {f["snapshot_id"]: f"{f['name']} (frosset {danish.local_time(f['created_at'])})" for f in frozen}
    chosen = st.selectbox("Øjebliksbillede", list(labels), format_func=labels.get, key="snap_pick")
    snapshot = next(f for f in frozen if f["snapshot_id"] == chosen)
    try:
        result = ui_ws.comparison(snapshot, sel)
    except snapshots.SnapshotError as exc:
        st.error(str(exc))
        return
    summary = result.summary
    c = st.columns(5)
    c[0].metric("Nye samarbejder", summary["new_collaborations"])
    c[1].metric("Afsluttede samarbejder", summary["ended_collaborations"])
    c[2].metric("Nye organisationer", summary["new_organisations"])
    c[3].metric("Fjernede organisationer", summary["removed_organisations"])
    c[4].metric(
        "Aktive tilbud",
        summary["active_offers_now"],
        delta=summary["active_offers_now"] - summary["active_offers_then"],
        help="Aktive tilbud i området nu; ændringen siden øjebliksbilledet.",
    )
    st.subheader("Ændring i aktive tilbud pr. kommune og tema")
    st.caption(
        f"{summary['cells_gained']} kommune × tema-felter har fået tilbud, {summary['cells_lost']} har mistet "
        "alle. Grøn: flere end før, rød: færre."
    )
    st.plotly_chart(charts.change_heatmap(result.coverage), width="stretch", config={"displayModeBar": False})
    for title, frame in (
        ("Nye samarbejder", result.new_collaborations),
        ("Afsluttede samarbejder", result.ended_collaborations),
        ("Nye og fjernede organisationer", result.organisations),
    ):
        st.subheader(f"{title} ({len(frame)})")
        if frame.empty:
            st.caption("Ingen.")
        else:
            grid(snapshots.danish(frame), hide_index=True, width="stretch")
    st.caption(f"Øjebliksbillede: {md(snapshot['name'])}; data bygget {md(snapshot.get('built_at') or '?')}.")


run_safely(page)
