"""The signed-in user in the app: OIDC login when configured, the documented code fallback when not."""

from __future__ import annotations

import dataclasses
from typing import Any

import streamlit as st

from civilkort import auth, roles
from civilkort.auth import COORDINATOR, PARTICIPANT, Principal
from civilkort.grants import Grant
from civilkort.settings import settings
from civilkort.store import open_store
from ui import session_cookie
from ui.text import md

ROLES_TTL_S = 10
"""How long a page run may reuse a user's roles from the roles table (a change on 'Roller' shows within this)."""

_KEY = "principal"


def _secrets_section(name: str) -> dict[str, Any]:
    """A section of .streamlit/secrets.toml, or {} when there is no such file or section."""
    try:
        return dict(st.secrets.get(name, {}))
    except Exception:  # no secrets file at all: Streamlit raises; that simply means "not configured"
        return {}


def login_configured() -> bool:
    """True when Streamlit's OIDC login (``[auth]`` in secrets.toml) is set up."""
    return bool(_secrets_section("auth"))


def _settings() -> dict[str, Any]:
    return _secrets_section("civilkort")


def _code_in_force() -> str | None:
    """The coordinator code, while it is the way in (login not configured)."""
    return None if login_configured() else auth.coordinator_code(_settings().get("koordinator_kode"))


@st.cache_data(ttl=ROLES_TTL_S, show_spinner=False)
def _table_grants(subject: str) -> frozenset[Grant]:
    return roles.grants_for(open_store(), subject)


def current() -> Principal:
    """The user of this session (anonymous viewer until they log in or enter a code).

    A logged-in user's scope: the id_token's roles claim, CIVILKORT_KOORDINATORER and the roles table. A
    code sign-in (coordinator or workshop code) comes back from its signed cookie in a new session.
    """
    if _KEY not in st.session_state:  # a new session (reload, new tab): a code sign-in comes back
        st.session_state[_KEY] = session_cookie.restore(_code_in_force())
    stored: Principal = st.session_state[_KEY]
    if login_configured() and getattr(st.user, "is_logged_in", False):
        claims = st.user.to_dict()
        person = auth.from_login(
            claims, configured=_configured(), granted=_table_grants(auth.subject_of(claims))
        )
        if stored.workshop_id:  # a logged-in user who also joined a workshop keeps that
            return dataclasses.replace(
                person,
                roles=person.roles | (stored.roles & {PARTICIPANT}),
                workshop_id=stored.workshop_id,
                workshop_code_hash=stored.workshop_code_hash,
            )
        return person
    return stored


def _configured() -> str | None:
    """CIVILKORT_KOORDINATORER plus ``koordinatorer`` under ``[civilkort]`` in secrets.toml (same format)."""
    listed = _settings().get("koordinatorer")
    if not listed:
        return None  # from_login reads the setting itself
    extra = listed if isinstance(listed, str) else ", ".join(map(str, listed))
    return ", ".join(filter(None, [settings().coordinators, extra]))


def roles_changed() -> None:
    """Forget cached roles (after a grant or revoke in this process)."""
    _table_grants.clear()


def set_current(principal: Principal) -> None:
    """Remember who the user is for the rest of the session (and, for a code sign-in, in this browser)."""
    st.session_state[_KEY] = principal
    session_cookie.remember(principal, _code_in_force())


def sign_out() -> bool:
    """Forget codes entered in this session (and log out of OIDC if logged in).

    Returns True when the browser is being sent to the login's logout (then the run must end without
    ``st.rerun``: a new run drops the queued redirect before it reaches a slow browser, and the user would
    stay logged in)."""
    st.session_state[_KEY] = auth.ANONYMOUS
    session_cookie.forget()
    if login_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()
        return True
    return False


def refuse_projector() -> bool:
    """On a projector screen: say that it only presents (with the way to Præsentation) and return True."""
    if not current().is_projector:
        return False
    st.warning(auth.PROJECTOR_REFUSAL, icon=":material/lock:")
    st.markdown(":material/slideshow: [Til Præsentation](praesentation)")
    return True


def coordinator_form(key: str = "koordinator") -> None:
    """Log in as coordinator: the OIDC button when configured, else the coordinator code (not on a
    projector screen: it only presents; *Ud* in the sidebar frees it)."""
    if refuse_projector():
        return
    if login_configured():
        st.caption("Koordinatorer logger ind med deres organisations login.")
        if st.button("Log ind", key=f"{key}-login", icon=":material/login:"):
            st.login()
        return
    expected = auth.coordinator_code(_settings().get("koordinator_kode"))
    if not expected:
        st.info(
            "Koordinatoradgang er ikke sat op på denne installation. Sæt miljøvariablen "
            "`CIVILKORT_KOORDINATOR_KODE`, eller slå login til (se README, afsnittet *Adgang og roller*)."
        )
        return
    with st.form(f"{key}-form", border=False):
        name = st.text_input("Dit navn", key=f"{key}-name")
        code = st.text_input("Koordinatorkode", type="password", key=f"{key}-code")
        if st.form_submit_button("Log ind som koordinator", icon=":material/key:"):
            try:
                person = auth.from_coordinator_code(name, code, expected=expected)
            except auth.PermissionDenied as exc:
                st.error(str(exc))
                return
            old = current()
            set_current(
                dataclasses.replace(
                    person,
                    roles=old.roles & {PARTICIPANT},
                    workshop_id=old.workshop_id,
                    workshop_code_hash=old.workshop_code_hash,
                )
            )
            st.rerun()


def require(role: str, *, what: str) -> Principal:
    """The current user if they hold ``role``; otherwise explain (in Danish), offer a way in, and stop."""
    person = current()
    if person.has(role):
        return person
    if refuse_projector():
        st.stop()
    st.warning(f"{what} {auth.WHAT_IT_TAKES[role]}", icon=":material/lock:")
    if role == COORDINATOR:
        coordinator_form(key=f"krav-{what[:12]}")
    st.stop()
    raise AssertionError  # st.stop() does not return


def keep_session() -> None:
    """Write a changed session cookie where the sidebar is not drawn (presenting: a projector screen)."""
    current()
    session_cookie.render()


def status_line() -> None:
    """One sidebar line: who you are here, and a way out."""
    person = current()  # first: a new session's cookie is read (and cleared if no longer good) here
    session_cookie.render()
    if person.roles or person.via == "login":
        cols = st.columns([3, 1], vertical_alignment="center")
        cols[0].caption(f":material/badge: {md(person.name)} ({md(person.scope_text)})")
        if cols[1].button("Ud", key="auth-sign-out", help="Log ud / glem indtastede koder"):
            if sign_out():
                session_cookie.render()  # clear a code cookie too, before the browser leaves for the logout
                st.stop()
            st.rerun()


__all__ = [
    "COORDINATOR",
    "PARTICIPANT",
    "current",
    "require",
    "set_current",
    "coordinator_form",
    "status_line",
]
