"""The update link's widgets: the link for 'bed om opdatering', the public page 'Opdater jeres oplysninger',
and an update's old → new on Gennemgang (civilkort.update_form).

The page needs no login: the signed link is the organisation's authority, checked by the library on every
submit. User text is shown through ``md()`` or in widgets' values, never as HTML.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import streamlit as st

from civilkort import danish, update_form
from civilkort import workshop as ws
from civilkort.auth import PermissionDenied, Principal
from civilkort.store import StoreError, open_store
from civilkort.update_form import OFFER_FIELDS, ORGANISATION_FIELDS, ExpiredLink, InvalidLink
from ui import join_kit, session_cookie
from ui.data import database
from ui.text import md

ERRORS = (InvalidLink, ws.EntryError, PermissionDenied, StoreError)
_DONE = "uf_done"


def link(person: Principal, council_id: str, organisation_id: str) -> tuple[str, dt.datetime] | None:
    """The organisation's update link beside the page the coordinator is on, and its end; None when the
    app's address is unknown here (the e-mail is then written without it) or the link is refused."""
    page_url = st.context.url or ""
    if not page_url.startswith(("http://", "https://")):
        return None
    try:
        token, until = update_form.issue(
            database(), person, council_id, organisation_id, session_cookie.secret()
        )
    except ERRORS:
        return None
    return join_kit.page_beside(page_url, update_form.PAGE_PATH, {update_form.LINK_PARAM: token}), until


def _key(*parts: str) -> str:
    return "uf_" + hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:12]


def _inputs(prefix: str, fields: dict[str, tuple[str, int]], values: dict[str, str]) -> None:
    """One record's fields, pre-filled (the mailbox empty: it is never shown here)."""
    for name, (label, limit) in fields.items():
        key = _key(prefix, name)
        if name == "status":
            options = update_form.status_options()
            current = values.get(name) or next(iter(options))
            st.selectbox(label, list(options), index=list(options).index(current) if current in options else 0,
                         format_func=options.get, key=key)  # fmt: skip
        elif name == "description":
            st.text_area(label, value=values.get(name, ""), max_chars=limit, key=key)
        elif name == "email":
            st.text_input(label, value="", max_chars=limit, key=key, placeholder="Kun hvis den er ændret",
                          help="Den nuværende funktionspostkasse vises ikke offentligt. Skriv en ny, hvis den er ændret.")  # fmt: skip
        else:
            st.text_input(label, value=values.get(name, ""), max_chars=limit, key=key)


def _changed(prefix: str, fields: dict[str, tuple[str, int]], values: dict[str, str]) -> dict[str, Any]:
    """The fields whose value differs from what was shown (only those are sent)."""
    out = {}
    for name in fields:
        value = st.session_state.get(_key(prefix, name))
        if value is not None and str(value).strip() != (values.get(name) or "").strip():
            out[name] = value
    return out


def page() -> None:
    """'Opdater jeres oplysninger': the organisation's fields and offers, pre-filled; changes to the queue."""
    st.title("Opdater jeres oplysninger")
    token = st.query_params.get(update_form.LINK_PARAM)
    if not token:
        st.info("Siden åbnes fra linket i e-mailen fra sundhedsrådet.", icon=":material/link:")
        return
    secret = session_cookie.secret()
    try:
        shown = update_form.current(database(), update_form.redeem(token, secret))
    except ExpiredLink as exc:
        st.warning(md(str(exc)), icon=":material/timer_off:")
        return
    except InvalidLink as exc:
        st.error(md(str(exc)), icon=":material/link_off:")
        return
    st.markdown(
        f"Her er det, Civilsamfundskortet viser om **{md(shown['name'])}**. Ret det, der ikke passer, og send. "
        "Sundhedsrådet gennemgår ændringerne, før de vises på kortet."
    )
    org_id = shown["organisation_id"]
    with st.form("uf_form"):
        st.subheader("Organisationen", anchor=False)
        _inputs(org_id, ORGANISATION_FIELDS, shown)
        for offer_id, values in shown["offers"].items():
            st.subheader(f"Tilbud: {md(values['name'])}", anchor=False)
            _inputs(f"{org_id}\x1e{offer_id}", OFFER_FIELDS, values)
        sent = st.form_submit_button("Send ændringerne", type="primary", icon=":material/send:")
    done = st.session_state.pop(_DONE, None)
    if done:  # under the button, where the sender is (on a phone the form's top is screens away)
        st.success(done, icon=":material/check_circle:")
    if not sent:
        return
    org = _changed(org_id, ORGANISATION_FIELDS, shown)
    offers = {
        o: c for o, v in shown["offers"].items() if (c := _changed(f"{org_id}\x1e{o}", OFFER_FIELDS, v))
    }
    try:
        made = update_form.submit(open_store(), database(), token, secret, org, offers)
    except (*ERRORS, ExpiredLink) as exc:
        st.error(md(str(exc)), icon=":material/error:")
        return
    fields = sum(len(e["fields"][ws.UPDATE_KEY]["changed"]) for e in made)
    st.session_state[_DONE] = (
        f"Tak! {danish.count(fields, 'ændring', 'ændringer')} er sendt til sundhedsrådet, som gennemgår dem. "
        "Indtil da vises de hidtidige oplysninger."
    )
    st.rerun()


def review_changes(entry: dict[str, Any]) -> None:
    """An update on Gennemgang: which record, and each field old → new."""
    update = entry["fields"][ws.UPDATE_KEY]
    what = "organisation" if entry["kind"] == "organisation" else "tilbud"
    lines = [f"**{md(entry['title'])}** ({what} {md(update['target'])})",
             f":material/person: {md(entry['author'])} · {md(danish.local_time(entry['created_at']))}"]  # fmt: skip
    lines += [f"- {md(label)}: {md(old)} → **{md(new)}**" for label, old, new in update_form.changes(entry)]
    st.markdown("  \n".join(lines[:2]) + "\n\n" + "\n".join(lines[2:]))
