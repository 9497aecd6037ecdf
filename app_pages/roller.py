"""Roller: who coordinates which councils (the roles table); for national administrators and regionals."""

import streamlit as st

from civilkort import roles
from civilkort.auth import COORDINATOR
from civilkort.store import open_store
from ui import auth as ui_auth
from ui import roles as ui_roles
from ui.notices import run_safely


def page() -> None:
    st.title("Roller")
    st.caption(
        "Hvem er koordinator for hvilke sundhedsråd. En rolle her lægges til det, login (grupper) og "
        "CIVILKORT_KOORDINATORER giver; en ændring virker inden for få sekunder."
    )
    person = ui_auth.require(COORDINATOR, what="Roller styres af en national administrator.")
    if not roles.may_manage(person):
        st.warning(
            f"Du er {person.scope_text}. Roller styres af en national administrator.", icon=":material/lock:"
        )
        return
    store = open_store()
    rows = roles.list_roles(store, person)
    ui_roles.table(rows)
    st.subheader("Tildel en rolle")
    ui_roles.grant_form(store, person)
    st.subheader("Fjern en rolle")
    ui_roles.revoke_form(store, person, rows)


run_safely(page)
