"""The page 'Roller': a national administrator (or a regional coordinator, for their councils) grants roles."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from civilkort import grants, roles
from civilkort.auth import PermissionDenied, Principal
from civilkort.store import Store
from ui import auth as ui_auth
from ui.tables import grid

ROLE_CHOICES = {
    grants.COUNCIL: "Koordinator for et sundhedsråd",
    grants.REGION: "Regional koordinator (alle sundhedsråd i en region)",
    grants.ADMIN: "National administrator",
}


def scope_options(person: Principal, role: str) -> dict[str, str]:
    """The scopes the caller may grant ``role`` over: id -> Danish name."""
    names = {
        grants.COUNCIL: grants.council_names(),
        grants.REGION: grants.region_names(),
        grants.ADMIN: {grants.ALL: "Hele landet"},
    }[role]
    return {s: n for s, n in names.items() if roles.may_grant(person, grants.Grant(role, s))}


def table(rows: list[dict]) -> None:
    """The grants as a table with Danish headers."""
    if not rows:
        st.caption(
            "Rolletabellen er tom. Roller kan også komme fra login (grupper) og CIVILKORT_KOORDINATORER."
        )
        return
    frame = pd.DataFrame(rows)[["subject", "label", "granted_by", "granted_at"]]
    frame.columns = ["E-mail", "Rolle", "Tildelt af", "Tildelt"]
    grid(frame, hide_index=True, width="stretch")


def _act(fn, *args) -> None:
    try:
        fn(*args)
    except (PermissionDenied, roles.RoleError) as exc:
        st.error(str(exc))
        return
    ui_auth.roles_changed()
    st.rerun()


def grant_form(store: Store, person: Principal) -> None:
    """Give a person a role."""
    allowed = {r: label for r, label in ROLE_CHOICES.items() if scope_options(person, r)}
    role = st.selectbox("Rolle", list(allowed), format_func=allowed.get, key="roller_role")
    options = scope_options(person, role)
    with st.form("roller_grant", border=False):
        email = st.text_input("E-mail (som login giver den)", key="roller_email")
        scope = st.selectbox("Område", list(options), format_func=options.get, key="roller_scope")
        if st.form_submit_button("Tildel", icon=":material/person_add:", type="primary"):
            _act(roles.grant, store, person, email, role, scope)


def revoke_form(store: Store, person: Principal, rows: list[dict]) -> None:
    """Take a role away."""
    if not rows:
        return
    labels = {i: f"{r['subject']}: {r['label']}" for i, r in enumerate(rows)}
    chosen = st.selectbox("Fjern rolle", list(labels), format_func=labels.get, key="roller_revoke")
    if st.button("Fjern", key="roller_revoke_btn", icon=":material/person_remove:"):
        row = rows[chosen]
        _act(roles.revoke, store, person, row["subject"], row["role"], row["scope"])
