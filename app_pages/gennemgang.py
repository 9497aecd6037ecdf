"""Gennemgang: the coordinator reviews what the workshop added, undoes, and folds it into the data."""

import streamlit as st

from civilkort import review, workshop_tables
from civilkort import workshop as ws
from civilkort.auth import COORDINATOR
from ui import auth as ui_auth
from ui import workshop as ui_ws
from ui.notices import run_safely
from ui.tables import grid


def page() -> None:
    st.title("Gennemgang af workshoppens tilføjelser")
    person = ui_auth.require(COORDINATOR, what="Gennemgangen er for koordinatoren.")
    s = ui_ws.store()
    db = ui_ws.current_db()
    linked = ui_ws.linked_workshop(s, person)  # ?workshop=<id>: refused here if not the user's council
    workshops = ws.in_scope(person, ws.list_workshops(s))  # the user's councils' workshops
    labels = {"": "Alle mine workshops"} | {w["workshop_id"]: ws.workshop_label(w) for w in workshops}
    if linked and st.session_state.get("rv_linked") != linked:  # a new link chooses its workshop once
        st.session_state["rv_linked"] = st.session_state["rv_workshop"] = linked
    chosen = st.selectbox("Workshop", list(labels), format_func=labels.get, key="rv_workshop")
    queue = ws.entries(s, chosen or None, statuses=["ny"], workshop_ids=[w["workshop_id"] for w in workshops])

    ui_ws.review_flash()  # the outcome of the last decision, or why it was refused
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(f"Til gennemgang ({len(queue)})")
        if not queue:
            st.caption("Ingen indtastninger venter.")
        for entry in queue:
            ui_ws.review_entry(s, person, entry, db)
    with right:
        st.subheader("Fortryd")
        ui_ws.undo_button(s, person)
        st.subheader("Ind i data")
        ui_ws.apply_button(s, person)
        if chosen:
            st.download_button(
                "Hent workshoppens tilføjelser (xlsx)",
                data=lambda: workshop_tables.export_xlsx(s, chosen),
                file_name="workshop-tilfoejelser.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                icon=":material/download:",
            )

    st.subheader("Alle indtastninger")
    grid(
        workshop_tables.entries_frame(
            ws.entries(s, chosen or None, workshop_ids=[w["workshop_id"] for w in workshops]), workshops
        )
        .drop(columns=["entry_id"])
        .rename(
            columns={
                "title": "Titel",
                "status_label": "Status",
                "author": "Af",
                "reviewed_by": "Gennemgået af",
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.subheader("Ændringslog")
    st.caption("Hvem, hvornår, hvad – før → efter. Fortrudte ændringer står stadig i loggen.")
    grid(review.trail(s), hide_index=True, width="stretch")


run_safely(page)
