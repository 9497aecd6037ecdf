"""Workshop: join with the code, add what the room knows (a few fields and a pin), see everyone's entries live."""

import streamlit as st

from civilkort import workshop as ws
from civilkort import workshop_tables
from civilkort.auth import COORDINATOR
from ui import auth as ui_auth
from ui import workshop as ui_ws
from ui import workshop_session as ws_session
from ui.notices import run_safely
from ui.text import md


def page() -> None:
    s = ui_ws.store()
    person = ui_auth.current()
    st.title("Workshop")
    st.caption(
        "Tilføj organisationer, tilbud, samarbejder og noter til parkeringspladsen under workshoppen. "
        "Alt gemmes med det samme, vises på alle skærme inden for få sekunder og er markeret "
        "*fra workshop · ikke verificeret*, indtil koordinatoren har gennemgået det."
    )
    if ui_auth.refuse_projector():  # a projector screen only presents: no join, no form
        return
    is_coordinator = person.has(COORDINATOR)
    if is_coordinator:
        ui_ws.code_banner(s, person)
    live = {w["workshop_id"]: w for w in ws.list_workshops(s, live_only=True)}

    workshop = None
    if person.workshop_id:
        workshop = live.get(person.workshop_id) or next(
            (w for w in ws.list_workshops(s) if w["workshop_id"] == person.workshop_id), None
        )
    elif is_coordinator and ws.in_scope(person, live.values()):
        labels = {w["workshop_id"]: ws.workshop_label(w) for w in ws.in_scope(person, live.values())}
        chosen = st.selectbox(
            "Indtast i workshop", list(labels), format_func=labels.get, key="ws_coordinator_pick"
        )
        workshop = live[chosen]

    ws_session.draft(workshop["workshop_id"] if workshop else None)  # the form's text, kept in this tab
    if workshop is None:
        ui_ws.join_form(s)
    else:
        role = "venter på den nye kode" if ws_session.needs_new_code(person, workshop) else person.label
        st.markdown(f"**{ui_ws.workshop_caption(workshop)}** · du er *{md(person.name)}* ({role})")
        ws_session.leave_button(person)
        if workshop["workshop_id"] in live:
            above = st.container()  # the field for a changed code: here, unless Gem was refused and has it
            if not ui_ws.capture(s, person, workshop, ui_ws.current_db()) and ws_session.needs_new_code(
                person, workshop
            ):
                with above:
                    ws_session.new_code_form(s, person, workshop)
            ui_ws.undo_own(s, person)
        else:
            st.info(
                "Workshoppen er afsluttet; der kan ikke tilføjes mere. Koordinatoren gennemgår indtastningerne."
            )
        ui_ws.live_entries(s, workshop)
        st.download_button(
            "Hent workshoppens tilføjelser (xlsx)",
            data=lambda: workshop_tables.export_xlsx(s, workshop["workshop_id"]),
            file_name=f"workshop-{workshop['held_on']}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/download:",
        )

    st.divider()
    st.header("Facilitator")
    if is_coordinator:
        ui_ws.facilitator(s, person)
    else:
        st.caption("Opret en workshop og vis koden for lokalet. Det kræver koordinatoradgang.")
        ui_auth.coordinator_form(key="ws-koordinator")


run_safely(page)
