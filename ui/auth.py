"""The signed-in user in the app: OIDC login when configured, the documented code fallback when not."""

from __future__ import annotations

from typing import Any

import streamlit as st

from civilkort import auth
from civilkort.auth import COORDINATOR, PARTICIPANT, Principal
from ui import session_cookie
from ui.details import md

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


def current() -> Principal:
    """The user of this session (anonymous viewer until they log in or enter a code)."""
    if _KEY not in st.session_state:  # a new session (reload, new tab): a code sign-in comes back
        st.session_state[_KEY] = session_cookie.restore(_code_in_force())
    stored: Principal = st.session_state[_KEY]
    if login_configured() and getattr(st.user, "is_logged_in", False):
        person = auth.from_login(
            st.user.get("email"),
            st.user.get("name"),
            coordinators=auth.coordinator_emails(_settings().get("koordinatorer")),
        )
        if stored.workshop_id:  # a logged-in user who also joined a workshop keeps that
            return Principal(
                name=person.name,
                roles=person.roles | stored.roles,
                via="login",
                workshop_id=stored.workshop_id,
                workshop_code_hash=stored.workshop_code_hash,
                key=person.key,
            )
        return person
    return stored


def set_current(principal: Principal) -> None:
    """Remember who the user is for the rest of the session (and, for a code sign-in, in this browser)."""
    st.session_state[_KEY] = principal
    session_cookie.remember(principal, _code_in_force())


def sign_out() -> None:
    """Forget codes entered in this session (and log out of OIDC if logged in)."""
    st.session_state[_KEY] = auth.ANONYMOUS
    session_cookie.forget()
    if login_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def coordinator_form(key: str = "koordinator") -> None:
    """Log in as coordinator: the OIDC button when configured, else the coordinator code."""
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
                Principal(
                    name=person.name,
                    roles=person.roles | old.roles,
                    via=person.via,
                    workshop_id=old.workshop_id,
                    workshop_code_hash=old.workshop_code_hash,
                    key=person.key,
                )
            )
            st.rerun()


def require(role: str, *, what: str) -> Principal:
    """The current user if they hold ``role``; otherwise explain (in Danish), offer a way in, and stop."""
    person = current()
    if person.has(role):
        return person
    st.warning(f"{what} {auth.WHAT_IT_TAKES[role]}", icon=":material/lock:")
    if role == COORDINATOR:
        coordinator_form(key=f"krav-{what[:12]}")
    st.stop()
    raise AssertionError  # st.stop() does not return


def status_line() -> None:
    """One sidebar line: who you are here, and a way out."""
    person = current()  # first: a new session's cookie is read (and cleared if no longer good) here
    session_cookie.render()
    if person.roles or person.via == "login":
        cols = st.columns([3, 1], vertical_alignment="center")
        cols[0].caption(f":material/badge: {md(person.name)} ({person.label})")
        if cols[1].button("Ud", key="auth-sign-out", help="Log ud / glem indtastede koder"):
            sign_out()
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
