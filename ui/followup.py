"""The radar's 'Opfølgning' tab: a council's follow-up worklist with statuses, the end dates as a calendar
file, and 'bed om opdatering' (civilkort.followup, civilkort.ics, civilkort.update_request).

Every change goes through the library, which checks the caller's council itself; the version a row had when
it was drawn goes with its save button, so a coordinator who saves after another is told who saved first.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import streamlit as st

from civilkort import danish, followup, ics, update_form, update_request
from civilkort.auth import COORDINATOR, PermissionDenied, Principal
from civilkort.followup import NOTE_MAX, STATUS_LABELS, FollowupError, council_name, council_selection
from civilkort.radar import ENDING_WINDOWS
from civilkort.settings import settings
from civilkort.store import StoreError, open_store
from civilkort.update_request import MailError
from ui import auth as ui_auth
from ui import radar
from ui import update_form as ui_update_form
from ui.data import database
from ui.tables import table_with_export
from ui.text import md

ERRORS = (PermissionDenied, StoreError, FollowupError, MailError)
_FLASH = "fu_flash"
MAX_CHOICES = 500
"""Rows offered in the picker (a national council's list has thousands; the search finds the rest)."""
RULES = (
    "Listen er sundhedsrådets egen, uden sidepanelets temafiltre: igangværende samarbejder med en involveret "
    "kommune i rådet, der slutter inden for den valgte periode, og rådets organisationer og igangværende "
    "samarbejder, der ikke er verificeret i 12 måneder. Status og note gemmes i lageret og overlever nye data; "
    "en post, der ikke længere er på radaren eller i data, bliver stående med sin status."
)
LABELS = {
    "entity": "Slags",
    "title": "Navn / titel",
    "record_id": "Id",
    "reason": "Hvorfor",
    "end_date": "Slutdato",
    "last_verified": "Sidst verificeret",
    "status": "Status",
    "note": "Note",
    "updated": "Senest ændret",
    "requested_at": "E-mail sendt",
}


def _councils(sel, person: Principal) -> list[str]:
    """The councils of the area the user coordinates."""
    area = sel.council_ids()
    return [c for c in person.coordinated_councils if area is None or c in area]


def _row_key(entity: str, record_id: str) -> str:
    """A short widget key for one record (ids are the data's own text)."""
    return hashlib.sha1(f"{entity}\x1f{record_id}".encode()).hexdigest()[:12]


def _table(rows: pd.DataFrame) -> pd.DataFrame:
    """The worklist as shown and exported, in Danish."""
    out = rows.copy()
    out["entity"] = out["entity"].map(followup.ENTITY_LABELS)
    out["status"] = out["status"].map(STATUS_LABELS)
    out["updated"] = [
        "" if pd.isna(at) else f"{danish.local_time(at)} ({who})"
        for at, who in zip(out["updated_at"], out["updated_by"])
    ]
    out["requested_at"] = out["requested_at"].map(lambda v: danish.local_time(v, missing=""))
    return out[list(LABELS)].rename(columns=LABELS)


def _flash() -> None:
    shown = st.session_state.pop(_FLASH, None)
    if shown:
        kind, text = shown
        (st.error if kind == "error" else st.success)(
            text, icon=":material/error:" if kind == "error" else ":material/check_circle:"
        )


def _save(council: str, entity: str, record_id: str, version: int, title: str) -> None:
    """The save button's callback: the status and note as submitted, from the version that was drawn."""
    k = _row_key(entity, record_id)
    try:
        row = followup.set_status(
            open_store(), ui_auth.current(), council, entity, record_id,
            st.session_state[f"fu_s_{k}"], st.session_state.get(f"fu_n_{k}"),
            expected_version=version, db=database(),
        )  # fmt: skip
    except ERRORS as exc:
        st.session_state[_FLASH] = ("error", md(str(exc)))
        return
    st.session_state[_FLASH] = (
        "success",
        f"Gemt: {md(title)} er nu *{STATUS_LABELS[row['status']].lower()}*.",
    )


def _send(council: str, organisation_id: str) -> None:
    """The send button's callback: send through the configured mail server, noted in the worklist."""
    person = ui_auth.current()
    try:
        sent = update_request.send_request(
            database(), open_store(), person, council, organisation_id, settings(),
            update_link=ui_update_form.link(person, council, organisation_id),
        )  # fmt: skip
    except ERRORS as exc:
        st.session_state[_FLASH] = ("error", md(str(exc)))
        return
    st.session_state[_FLASH] = (
        "success",
        f"E-mailen til {md(sent.name)} er sendt til {md(sent.to)}; noteret i opfølgningen.",
    )


def _history(person: Principal, council: str, entity: str, record_id: str) -> None:
    changes = followup.history(open_store(), person, council, entity, record_id)
    with st.expander(f"Historik ({len(changes)})"):
        if not changes:
            st.caption("Ingen ændringer endnu: posten er åben.")
        for c in changes:
            note = f" · {md(c['note'])}" if c["note"] else ""
            st.markdown(f"{danish.local_time(c['at'], kl=True)} · {md(c['actor'])} · {md(c['action'])}{note}")


def _edit(person: Principal, rows: pd.DataFrame, council: str) -> None:
    """Choose one row; set its status and note; ask its organisation for an update."""
    if rows.empty:
        return
    options = {_row_key(r.entity, r.record_id): r for r in rows.head(MAX_CHOICES).itertuples(index=False)}
    if st.session_state.get("fu_pick") not in options:  # filtered away since it was picked
        st.session_state["fu_pick"] = None
    picked = st.selectbox(
        "Følg op på",
        list(options),
        index=None,
        format_func=lambda k: (
            f"{followup.ENTITY_LABELS[options[k].entity]}: {options[k].title} ({options[k].record_id})"
        ),
        placeholder="Vælg en post for at sætte status eller bede om opdatering …"
        if len(rows) <= MAX_CHOICES
        else f"Vælg blandt de første {MAX_CHOICES} (søg for at finde andre) …",
        key="fu_pick",
    )
    if picked is None:
        return
    row = options[picked]
    with st.container(border=True):
        st.markdown(f"**{md(row.title)}** ({md(row.record_id)}) · {md(row.reason)}")
        with st.form(f"fu_form_{picked}", border=False):
            st.radio("Status", list(STATUS_LABELS), index=list(STATUS_LABELS).index(row.status),
                     format_func=STATUS_LABELS.get, horizontal=True, key=f"fu_s_{picked}")  # fmt: skip
            st.text_area("Note", value="" if pd.isna(row.note) else row.note, max_chars=NOTE_MAX,
                         key=f"fu_n_{picked}", placeholder="Fx: Ringet til formanden; svarer i næste uge.")  # fmt: skip
            st.form_submit_button("Gem status", type="primary", on_click=_save,
                                  args=(council, row.entity, row.record_id, int(row.version), row.title))  # fmt: skip
        _history(person, council, row.entity, row.record_id)
        _request(person, council, row)


def _request(person: Principal, council: str, row) -> None:
    """'Bed om opdatering' for the row's organisation (a collaboration: one of its organisations)."""
    db = database()
    if row.entity == followup.ORGANISATION:
        orgs = {row.record_id: row.title} if row.is_in_build else {}
    else:
        orgs = update_request.partners(db, row.record_id) if row.is_in_build else {}
    st.subheader("Bed om opdatering", anchor=False)
    if not orgs:
        st.caption("Posten findes ikke i de viste data, så der er ingen organisation at skrive til.")
        return
    org = next(iter(orgs))
    if len(orgs) > 1:
        org = st.selectbox(
            "Organisation",
            list(orgs),
            format_func=orgs.get,
            key=f"fu_org_{_row_key(row.entity, row.record_id)}",
        )
    try:
        update_link = ui_update_form.link(person, council, org)
        request = update_request.prepare(db, open_store(), person, council, org, update_link=update_link)
    except ERRORS as exc:
        st.error(md(str(exc)))
        return
    if request.to:
        st.markdown(f"**Til:** {md(request.to)} (funktionspostkasse)  \n**Emne:** {md(request.subject)}")
    else:
        st.warning(
            f"{md(request.name)} har ingen funktionspostkasse, som du kan se (ikke registreret, eller "
            "organisationen hører til et andet sundhedsråd). Teksten kan stadig kopieres.",
            icon=":material/mail_lock:",
        )
    st.code(request.body, language=None, wrap_lines=True)
    st.caption(
        "Kopiér teksten med knappen øverst til højre i feltet, eller åbn den i dit eget e-mailprogram."
        + (
            f" Linket i teksten åbner en formular med organisationens oplysninger; rettelser kommer på "
            f"*Gennemgang* under *{update_form.STANDING_NAME}* (linket virker til og med "
            f"{danish.date(update_link[1] - dt.timedelta(days=1))})."
            if update_link
            else ""
        )
    )
    left, right = st.columns(2)
    left.link_button("Åbn i e-mailprogram", request.mailto, icon=":material/mail:", width="stretch")
    cfg = settings()
    if cfg.smtp_configured and request.to:
        right.button("Send e-mailen nu", key="fu_send", icon=":material/send:", on_click=_send, args=(council, org),
                     width="stretch", help=f"Sendes fra {cfg.smtp_from} og noteres i opfølgningen.")  # fmt: skip
    else:
        right.caption("Serveren sender ikke selv e-mails her (ingen mailserver sat op, se README).")


def _calendar(council: str, today: dt.date) -> None:
    db = database()
    st.download_button(
        "Hent slutdatoer som kalender (.ics)",
        lambda: ics.to_ics(db, council, today),
        file_name=f"slutdatoer-{council}-{today.isoformat()}.ics",
        mime="text/calendar",
        key="fu_ics",
        icon=":material/calendar_month:",
        help="Alle igangværende samarbejder i sundhedsrådet med en slutdato fra i dag: én heldagsbegivenhed "
        "på hver slutdato. Importér filen i Outlook eller Google Kalender; en ny import opdaterer begivenhederne.",
    )


def tab(sel) -> None:
    """The 'Opfølgning' tab for the area of ``sel``."""
    person = ui_auth.current()
    if not person.has(COORDINATOR):
        st.info(
            "Opfølgningslisten er for koordinatorer: log ind for at se og sætte status på jeres sundhedsråds poster."
        )
        ui_auth.coordinator_form(key="opfoelgning")
        return
    councils = _councils(sel, person)
    if not councils:
        st.info(f"Du er {md(person.scope_text)} og koordinerer ingen sundhedsråd i {md(sel.area_name())}. Vælg dit "
                "sundhedsråd som område i sidepanelet.")  # fmt: skip
        return
    council = councils[0]
    if len(councils) > 1:
        council = st.selectbox("Sundhedsråd", councils, format_func=council_name, key="fu_council")
    _flash()
    left, right = st.columns(2)
    months = left.radio("Samarbejder der slutter inden for", list(ENDING_WINDOWS), format_func=lambda m: f"{m} måneder",
                        horizontal=True, key="fu_window")  # fmt: skip
    chosen = right.multiselect("Vis status", list(STATUS_LABELS), default=list(STATUS_LABELS),
                               format_func=STATUS_LABELS.get, key="fu_status", placeholder="Vælg status …",
                               select_all=False)  # fmt: skip
    today = radar.today()
    try:
        rows = followup.worklist(database(), open_store(), person, council, months=months, today=today)
    except ERRORS as exc:
        st.error(md(str(exc)))
        return
    counts = rows["status"].value_counts()
    for col, status in zip(st.columns(len(STATUS_LABELS)), STATUS_LABELS):
        col.metric(STATUS_LABELS[status], int(counts.get(status, 0)))
    st.caption(RULES)
    wanted = st.text_input("Søg i listen", key="fu_q", placeholder="Navn, titel eller id").strip().casefold()
    keep = rows["status"].isin(chosen)
    if wanted:
        keep &= rows["title"].fillna("").astype(str).str.casefold().str.contains(wanted, regex=False) | rows[
            "record_id"
        ].str.casefold().str.contains(wanted, regex=False)
    shown = rows[keep].reset_index(drop=True)
    title = f"Opfølgning, {council_name(council)}"
    table_with_export(_table(shown), title=title, sel=council_selection(council), key="fu_list")
    _edit(person, shown, council)
    _calendar(council, today)
