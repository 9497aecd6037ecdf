"""A participant's session in the room: the new code typed in place when it changes, *Forlad workshoppen*,
and what they typed in the form kept in the browser through a reload (``ui/assets/workshop_draft.js``).

The session itself survives a reload through the signed cookie (ui/session_cookie.py); a participant whose
workshop got a new code comes back with their name and workshop but no role (civilkort.session_token), and
the field for the new code is right here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import streamlit as st

from civilkort import workshop as ws
from civilkort.auth import ANONYMOUS, COORDINATOR, PARTICIPANT, PermissionDenied, Principal
from civilkort.store import Store, StoreError
from ui import auth as ui_auth
from ui import browser

_CLEAR = "ws_draft_clear"
CODE_CHANGED = "Workshoppens kode er skiftet. Indtast den nye kode."


def needs_new_code(person: Principal, workshop: dict[str, Any]) -> bool:
    """True when ``person`` joined ``workshop`` but its code has changed since (a coordinator of it never)."""
    if person.may_coordinate(workshop.get("council_id")) or person.workshop_id != workshop["workshop_id"]:
        return False
    return PARTICIPANT not in person.roles or person.workshop_code_hash != workshop["code_hash"]


def new_code_form(s: Store, person: Principal, workshop: dict[str, Any], *, key: str = "ws-rejoin") -> None:
    """The field for the workshop's new code, in place: name and workshop are kept, and so is the form."""
    with st.form(key, border=True):
        st.markdown(f"**{CODE_CHANGED}**")
        st.caption(
            "Koden står på skærmen i lokalet. Det, du har skrevet i formularen, bliver stående, mens du skriver den."
        )
        code = st.text_input("Den nye kode", key=f"{key}-code")
        if st.form_submit_button("Fortsæt med den nye kode", type="primary", icon=":material/key:"):
            try:
                again = ws.join(s, person, workshop["workshop_id"], code, person.name)
            except (ws.EntryError, PermissionDenied, StoreError) as exc:
                st.error(str(exc), icon=":material/error:")
                return
            ui_auth.set_current(again)
            st.rerun()


def leave_button(person: Principal) -> None:
    """*Forlad workshoppen*: end this participant's session (the cookie is cleared) and show the join form."""
    if not person.workshop_id:
        return
    if st.button("Forlad workshoppen", key="ws-leave", icon=":material/logout:",
                 help="Afslut din deltagelse på denne enhed. Det, du har gemt, bliver i workshoppen."):  # fmt: skip
        if person.has(COORDINATOR):
            left = dataclasses.replace(
                person, roles=person.roles - {PARTICIPANT}, workshop_id=None, workshop_code_hash=None
            )
        else:
            left = ANONYMOUS
        ui_auth.set_current(left)
        for key in ("ws_join_code", "ws-rejoin-code", "ws_pin", "ws_pin_seen", "ws_join_workshop"):
            st.session_state.pop(key, None)
        st.session_state[_CLEAR] = True
        st.rerun()


def cleared() -> None:
    """After a saved entry: the next draft call clears what the browser kept."""
    st.session_state[_CLEAR] = True


def draft(workshop_id: str | None) -> None:
    """Keep and restore the form's text in this browser tab (call once per run, before the form)."""
    clear = bool(st.session_state.pop(_CLEAR, False))
    browser.run(
        "workshop_draft.js", "civilkortWorkshopDraft", {"workshop": workshop_id or "", "clear": clear}
    )
