"""A code sign-in that survives a reload: the signed session cookie, read at a session's start, written and
cleared by a few lines of browser code (``ui/assets/session_cookie.js``, run in the app's own document).

Streamlit has no way to set a cookie from Python: the server signs the value (civilkort.session_token),
and the page stores it. A new session (a reload, a second tab) reads it from ``st.context.cookies``.
The key is ``CIVILKORT_COOKIE_SECRET``, else ``[auth] cookie_secret`` from the secrets, else a secret the
data folder makes once; every replica needs the same one.
"""

from __future__ import annotations

import streamlit as st

from civilkort import session_token
from civilkort import workshop as ws
from civilkort.auth import ANONYMOUS, Principal
from civilkort.settings import settings
from civilkort.store import open_store
from ui import browser

_PENDING = "session_cookie_pending"
"""What this session wants the browser's cookie to be: (token, seconds to keep it), or ("", 0) to clear it."""


def _auth_cookie_secret() -> str | None:
    """Streamlit's ``[auth] cookie_secret`` (also used for the login's cookie), if configured."""
    try:
        return str(st.secrets.get("auth", {}).get("cookie_secret") or "") or None
    except Exception:  # no secrets file at all: Streamlit raises; that simply means "not configured"
        return None


def secret() -> str:
    """The key that signs the session cookie (the same on every replica that shares the settings)."""
    cfg = settings()
    return cfg.cookie_secret or _auth_cookie_secret() or session_token.data_dir_secret(cfg.data_dir)


def _workshop(workshop_id: str) -> dict | None:
    try:
        return ws.get_workshop(open_store(), workshop_id)
    except ws.EntryError:
        return None


def restore(coordinator_code: str | None) -> Principal:
    """Who this browser's cookie says the user is (ANONYMOUS without a valid one, which is then cleared)."""
    token = st.context.cookies.get(session_token.COOKIE_NAME)
    if not token:
        return ANONYMOUS
    try:
        person = session_token.restore(token, secret(), coordinator_code=coordinator_code, workshop=_workshop)
    except session_token.InvalidSession:
        person = ANONYMOUS
    if person == ANONYMOUS:
        forget()  # expired, signed elsewhere, or its code has changed: let the browser drop it
    return person


def remember(principal: Principal, coordinator_code: str | None) -> None:
    """Keep a code sign-in in this browser (or clear the cookie when there is nothing to keep)."""
    token = session_token.issue(principal, secret(), coordinator_code=coordinator_code)
    st.session_state[_PENDING] = (token.value, token.max_age_s) if token else ("", 0)


def forget() -> None:
    """Clear the cookie (on sign-out)."""
    st.session_state[_PENDING] = ("", 0)


def render() -> None:
    """Write the cookie in the browser if this session changed it (call on every run, in one fixed place:
    an unchanged element is not run again, and a sign-in's own run ends in st.rerun before it could be)."""
    pending = st.session_state.get(_PENDING)
    if pending is None:
        return
    value, max_age = pending
    cookie = {"name": session_token.COOKIE_NAME, "value": value, "maxAge": max_age}
    browser.run("session_cookie.js", "civilkortSessionCookie", cookie)
