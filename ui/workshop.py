"""Workshop widgets: join, the fast form with a pin, the live list, the facilitator's panel, the review queue.

Every change goes through :mod:`civilkort.workshop`, which checks the role itself; these widgets only
decide what to show. User text is shown through ``md()`` or in data frames, never as HTML.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from civilkort import danish, reference, review, workshop_tables
from civilkort import workshop as ws
from civilkort.auth import COORDINATOR, PermissionDenied, Principal
from civilkort.db import Database
from civilkort.filters import Selection
from civilkort.store import Store, StoreError, open_store
from ui import auth as ui_auth
from ui import browser, join_kit, session_cookie
from ui import projector as ui_projector
from ui import update_form as ui_update_form
from ui import workshop_session as ws_session
from ui.data import database, query
from ui.pin_map import pin_picker
from ui.tables import grid
from ui.text import md

POLL_SECONDS = 3.0
"""How often an open screen looks for new entries (one cheap query when nothing changed)."""
MAP_POLL_SECONDS = 4.0
ERRORS = (ws.EntryError, PermissionDenied, StoreError)


def store() -> Store:
    """The store of the data folder in force."""
    return open_store()


def _councils() -> dict[str, str]:
    c = reference.councils().sort_values("council_name")
    return dict(zip(c["council_id"], c["council_name"], strict=True))


def workshop_caption(workshop: dict[str, Any]) -> str:
    """One line: name, date, council, and until when the code works (escaped for Markdown)."""
    council = _councils().get(workshop.get("council_id") or "", "")
    expires = danish.local_time(workshop["code_expires_at"])
    live = "koden virker til" if ws.auth.code_is_live(workshop) else "afsluttet"
    return f"{md(ws.workshop_label(workshop))}{' · ' + md(council) if council else ''} · {live} {expires}"


# --- join ------------------------------------------------------------------------------------------


def join_form(s: Store) -> None:
    """Choose a workshop in progress, enter its code and your name."""
    live = ws.list_workshops(s, live_only=True)
    if not live:
        st.info("Der er ingen workshop i gang lige nu. Facilitatoren opretter den og viser koden.")
        return
    labels = {w["workshop_id"]: ws.workshop_label(w) for w in live}
    with st.form("ws-join", border=True):
        st.subheader("Deltag i en workshop")
        ids = list(labels)
        linked = join_kit.chosen_workshop(ids)
        if linked is not None and "ws_join_workshop" not in st.session_state:
            st.session_state["ws_join_workshop"] = linked  # the join link's workshop, until one is chosen
        workshop_id = st.selectbox("Workshop", ids, format_func=labels.get, key="ws_join_workshop")
        code = st.text_input("Workshoppens kode", key="ws_join_code", help="Koden står på skærmen i lokalet.")
        name = st.text_input(
            "Dit navn", key="ws_join_name", help="Så koordinatoren kan se, hvem der har tilføjet hvad."
        )
        if st.form_submit_button("Deltag", type="primary", icon=":material/login:"):
            try:
                person = ws.join(s, ui_auth.current(), workshop_id, code, name)
            except ERRORS as exc:
                st.error(str(exc))
                return
            ui_auth.set_current(person)
            st.session_state.pop("ws_pin", None)
            st.rerun()


# --- the fast form ---------------------------------------------------------------------------------


def _widget(field: ws.FormField, key: str, options: dict[str, dict[str, str]], value: Any = None) -> Any:
    """One form field as a Streamlit widget; returns its value (codes, ids or text)."""
    label = field.label + (" *" if field.required else "")
    if field.kind in ("vocab", "vocab_list", "choice"):
        choices = (
            dict(field.choices) if field.kind == "choice" else ws.vocabulary_options(field.vocabulary or "")
        )
        if field.kind == "vocab_list":
            default = [v for v in (value or []) if v in choices]
            return st.multiselect(label, list(choices), default=default, format_func=choices.get, key=key,
                                  placeholder="Vælg …", select_all=False)  # fmt: skip
        keys = list(choices)
        index = (
            keys.index(value) if value in keys else (0 if field.required and field.kind == "choice" else None)
        )
        return st.selectbox(label, keys, index=index, format_func=choices.get, key=key, placeholder="Vælg …")
    if field.kind in ("organisation", "organisations", "units"):
        choices = options.get("units" if field.kind == "units" else "organisations", {})
        current = value if isinstance(value, list) else ([value] if value else [])
        for v in current:
            choices.setdefault(v, v)
        if field.kind == "organisation":
            keys = list(choices)
            return st.selectbox(label, keys, index=keys.index(current[0]) if current else None,
                                format_func=choices.get, key=key, placeholder="Søg og vælg …", help=field.help)  # fmt: skip
        return st.multiselect(label, list(choices), default=current, format_func=choices.get, key=key,
                              placeholder="Søg og vælg …", help=field.help, select_all=False)  # fmt: skip
    if field.kind == "longtext":
        return st.text_area(label, value=value or "", key=key, height=90, help=field.help or None)
    return st.text_input(label, value=value or "", key=key, help=field.help or None)


def fields_form(
    kind: str, prefix: str, options: dict[str, dict[str, str]], values: dict | None = None
) -> dict:
    """The fields of one kind as widgets (inside a form); returns name -> value."""
    values = values or {}
    return {f.name: _widget(f, f"{prefix}-{f.name}", options, values.get(f.name)) for f in ws.FIELDS[kind]}


def _pin_picker(s: Store, workshop: dict[str, Any], key: str) -> None:
    """A small map (no tiles) of the workshop's council: a click sets the pin; the room's pins are shown."""
    area = f"council:{workshop['council_id']}" if workshop.get("council_id") else "national"
    chosen = pin_picker(area, key=key, pin_key="ws_pin", digits=6, height=380,
                        entries=workshop_tables.map_entries(s))  # fmt: skip
    if chosen:
        cols = st.columns([3, 1], vertical_alignment="center")
        cols[0].caption(f":material/location_on: Nål sat ({chosen[0]:.4f}, {chosen[1]:.4f}).")
        if cols[1].button("Fjern nål", key="ws-pin-clear"):
            st.session_state.pop("ws_pin", None)
            st.rerun()
    else:
        st.caption("Klik på kortet for at sætte en nål – eller vælg kommune eller postnummer i formularen.")


def capture(s: Store, person: Principal, workshop: dict[str, Any], db: Database) -> bool:
    """The fast form: what, a few fields, where; saved once however often Gem is pressed.

    Returns True when Gem was refused because the workshop's code has changed and the field for the new
    code is shown right under it."""
    kind = st.segmented_control(
        "Hvad vil du tilføje?", list(ws.KINDS), format_func=ws.KINDS.get, default="note", key="ws_kind",
        required=True,
    )  # fmt: skip
    generation = st.session_state.get("ws_form_generation", 0)
    options = workshop_tables.link_options(db, s, workshop) if kind in ("tilbud", "samarbejde") else {}
    # Side by side on a laptop; on a phone (stacked) the pin map comes first, so the form ends with Gem and
    # its answer in view (ui/assets/workshop_phone.css).
    browser.style("workshop_phone.css")
    with st.container(key="ws-capture"):
        col_form, col_map = st.columns([3, 2], gap="medium")
    with col_map:
        _pin_picker(s, workshop, key=f"ws-pin-{workshop['workshop_id']}")
    with col_form, st.form(f"ws-form-{kind}-{generation}", border=True):
        fields = fields_form(kind, f"ws-{kind}-{generation}", options)
        names = reference.municipalities().sort_values("municipality_name")["municipality_name"].tolist()
        c1, c2 = st.columns(2)
        municipality = c1.selectbox("Kommune (uden nål)", names, index=None, key=f"ws-muni-{generation}",
                                    placeholder="Vælg kommune …")  # fmt: skip
        postcode = c2.text_input("Postnummer (uden nål)", key=f"ws-postcode-{generation}", max_chars=4)
        submitted = st.form_submit_button("Gem", type="primary", icon=":material/save:")
    if submitted:
        pin = st.session_state.get("ws_pin")
        where = {
            "lat": pin[0] if pin else None,
            "lon": pin[1] if pin else None,
            "municipality": municipality,
            "postcode": postcode or None,
        }
        # The token comes from what the form holds, not from this session: after a reconnect to another
        # replica (a new session) the same form pressed again finds the entry the first press saved.
        token = ws.form_token(workshop["workshop_id"], person.name, kind, fields, **where)
        try:
            saved = ws.add_entry(
                s, person, workshop["workshop_id"], kind, fields, client_token=token, db=db, **where
            )
        except ERRORS as exc:
            st.toast("Ikke gemt: se beskeden under *Gem*.", icon=":material/error:")
            if ws_session.needs_new_code(person, ws.get_workshop(s, workshop["workshop_id"])):
                with col_form:  # the code has changed: the field for the new one, right under Gem
                    ws_session.new_code_form(s, person, workshop)
                return True
            col_form.error(str(exc), icon=":material/error:")  # right under Gem, where the eye is
            return False
        # the confirmation only after the commit; then a new, empty form (and the browser's draft cleared)
        ws_session.cleared()
        st.session_state.pop("ws_pin", None)
        st.session_state["ws_form_generation"] = generation + 1
        st.session_state["ws_saved"] = saved.entry["title"]
        st.rerun()
    if st.session_state.get("ws_saved"):
        saved_text = f"Gemt: {md(st.session_state.pop('ws_saved'))}"
        col_form.success(saved_text, icon=":material/check_circle:")
        st.toast(saved_text, icon=":material/check_circle:")  # in view wherever the form was scrolled to
    return False


def undo_own(s: Store, person: Principal) -> None:
    """'Fortryd min seneste': a participant's own last entry, while it is unreviewed."""
    change = review.last_change(s, person)
    # for a coordinator last_change is anyone's newest change (maybe another council's): only one's own here
    if change is None or change["action"] != "opret" or change["actor"] != person.actor:
        return
    st.caption(f"Din seneste indtastning: {md(review.change_title(change))}")
    if st.button("Fortryd min seneste indtastning", key="ws-undo-own", icon=":material/undo:"):
        try:
            review.undo_last(s, person)
        except ERRORS as exc:
            st.error(str(exc))
            return
        st.rerun()


# --- the live list ---------------------------------------------------------------------------------


def _entries_table(frame: pd.DataFrame) -> None:
    shown = frame.drop(
        columns=["entry_id", "Workshop", "reviewed_by", "Flettet ind i", "Indarbejdet som"]
    ).rename(columns={"title": "Titel", "status_label": "Status", "author": "Af"})
    shown = shown.fillna("")  # an entry without a place or a note: an empty cell, not Streamlit's "None"
    grid(shown, hide_index=True, width="stretch", height=min(420, 38 + 35 * max(1, len(shown))))


def poll(s: Store, key: str) -> tuple[bool, float]:
    """Has anything changed since this screen last looked (per key)? Returns (changed, milliseconds spent)."""
    started = time.perf_counter()
    seen = st.session_state.get(key)
    version, changed = ws.changed_since(s, seen if seen is not None else -1)
    st.session_state[key] = version
    return (seen is None or bool(changed)), (time.perf_counter() - started) * 1000


def live_entries(s: Store, workshop: dict[str, Any], *, every: float = POLL_SECONDS) -> None:
    """The workshop's entries, refreshed on this screen within seconds of any save anywhere."""
    workshop_id = workshop["workshop_id"]

    @st.fragment(run_every=every)
    def _live() -> None:
        changed, ms = poll(s, f"ws_seen_{workshop_id}")
        cache_key = f"ws_frame_{workshop_id}"
        if changed or cache_key not in st.session_state:
            st.session_state[cache_key] = workshop_tables.entries_frame(
                ws.entries(s, workshop_id), [workshop]
            )
        frame: pd.DataFrame = st.session_state[cache_key]
        st.subheader(f"Indtastninger ({len(frame)})")
        if frame.empty:
            st.caption("Endnu ingen indtastninger. Nye vises her af sig selv inden for få sekunder.")
        else:
            _entries_table(frame.iloc[::-1])
        st.caption(f"Opdateres af sig selv hvert {every:g}. sekund (sidste tjek {ms:.1f} ms).")

    _live()


MAP_SEEN_KEY = "ws_seen_map"
"""Session key of the store version the map page last drew its workshop pins at."""


def map_refresher(s: Store, *, every: float = MAP_POLL_SECONDS, key: str = MAP_SEEN_KEY) -> None:
    """On the map page while a workshop is live (and on the wall, ui.room): rerun the page when an entry
    changed, else do nothing. ``key``: where this screen keeps the store version it last drew."""

    @st.fragment(run_every=every)
    def _watch() -> None:
        first = key not in st.session_state
        changed, _ = poll(s, key)
        if changed and not first:
            st.rerun(scope="app")

    _watch()


def map_png(sel: Selection, measure: str, pins: pd.DataFrame | None) -> bytes:
    """The current area and selection as a PNG for the minutes (the council report's map renderer)."""
    from civilkort import report  # matplotlib: loaded when a picture is asked for, not with the page

    data = query("map_layers", sel, measure)
    return report.map_png(data, f"{sel.area_name()} – {dt.date.today():%d-%m-%Y}", pins=pins)


# --- the facilitator -------------------------------------------------------------------------------


def running_code(s: Store, person: Principal, workshop_id: str) -> str | None:
    """The workshop's code as this session made it, else as the store keeps it (sealed; None when it cannot
    be shown: a workshop made before codes were kept, or a changed secret)."""
    made = st.session_state.get("ws_codes", {}).get(workshop_id)
    if made:
        return made
    try:
        return ws.running_code(s, person, workshop_id, secret=session_cookie.secret())
    except ERRORS:
        return None


def code_banner(s: Store, person: Principal) -> None:
    """For the facilitator: the code, large, at the top (after creating a workshop, a new code, or
    *Vis koden stort*, also after a reload)."""
    wid = st.session_state.get("ws_show")
    if not wid:
        return
    workshop = next((w for w in ws.list_workshops(s, live_only=True) if w["workshop_id"] == wid), None)
    if workshop is None:
        return
    code = running_code(s, person, wid)
    if not code:
        return
    with st.container(border=True, key="ws-code-banner"):
        show_code(workshop, code)
        if st.session_state.pop("ws_scroll", False):  # shown from the panel below: bring it into view
            scroll_into_view(".st-key-ws-code-banner")
        if st.button("Skjul koden", key="ws-hide-code", icon=":material/visibility_off:"):
            st.session_state.pop("ws_show", None)
            st.rerun()


def scroll_into_view(selector: str) -> None:
    """Scroll the page to the element ``selector`` names (once; ui/assets/scroll_into_view.js)."""
    browser.run("scroll_into_view.js", "civilkortScrollIntoView", selector)


def show_code(workshop: dict[str, Any], code: str) -> None:
    """The code, large, for the room, with the join link and its QR code (ui/join_kit.py)."""
    join_kit.show(workshop, code, workshop_caption(workshop))


def facilitator(s: Store, person: Principal) -> None:
    """Create a workshop (and freeze the data for before/after), show its code, new code, extend, end."""
    from civilkort import snapshots

    codes: dict[str, str] = st.session_state.setdefault("ws_codes", {})
    with st.form("ws-create", border=True):
        st.subheader("Opret workshop")
        c1, c2 = st.columns(2)
        name = c1.text_input("Navn", key="ws_new_name", placeholder="Fx Workshop om lighed i sundhed")
        held_on = c2.date_input("Dato", value=dt.date.today(), format="DD-MM-YYYY", key="ws_new_date")
        councils = {c: n for c, n in _councils().items() if person.may_coordinate(c)}  # only the user's own
        council = c1.selectbox("Sundhedsråd", list(councils), index=None if person.is_admin else 0,
                               format_func=councils.get, key="ws_new_council", placeholder="Vælg …")  # fmt: skip
        hours = c2.number_input(
            "Koden virker i (timer)", min_value=1, max_value=72, value=8, key="ws_new_hours"
        )
        own_code = c1.text_input("Egen kode (tom: lav en)", key="ws_new_code")
        freeze = c2.checkbox("Frys data nu (til før og efter)", value=True, key="ws_new_freeze")
        if st.form_submit_button("Opret workshop", type="primary", icon=":material/add:"):
            try:
                snap = None
                if freeze:
                    snap = snapshots.freeze(s, person, name=f"Før {name.strip() or 'workshop'}")
                row, code = ws.create_workshop(
                    s, person, name, held_on=held_on, council_id=council, code=own_code or None,
                    hours=float(hours), snapshot_id=snap["snapshot_id"] if snap else None,
                    secret=session_cookie.secret(),
                )  # fmt: skip
            except (*ERRORS, snapshots.SnapshotError) as exc:
                st.error(str(exc))
                return
            if snap:
                with s.write(person.actor) as tx:
                    tx.update(
                        "snapshots", snap["snapshot_id"], {"workshop_id": row["workshop_id"]}, action="knyt"
                    )
            codes[row["workshop_id"]] = code
            st.session_state["ws_show"] = row["workshop_id"]
            st.session_state["ws_scroll"] = True
            st.rerun()

    for workshop in [w for w in ws.in_scope(person, ws.list_workshops(s)) if not ws.is_standing(w)][:10]:
        wid = workshop["workshop_id"]
        live = ws.auth.code_is_live(workshop)
        with st.expander(f"{ws.workshop_label(workshop)}{'' if live else ' (afsluttet)'}", expanded=live):
            st.caption(workshop_caption(workshop))
            if live and running_code(s, person, wid):
                if st.session_state.get("ws_show") != wid and st.button(
                    "Vis koden stort", key=f"ws-show-{wid}", icon=":material/visibility:"
                ):
                    st.session_state["ws_show"] = wid
                    st.session_state["ws_scroll"] = True
                    st.rerun()
            elif live:
                st.caption(
                    "Koden kan ikke vises igen: workshoppen blev oprettet, før koden blev gemt krypteret "
                    "(eller appens nøgle er skiftet). Lav en ny kode med *Ny kode*; deltagerne skriver den "
                    "nye kode, hvor de er."
                )
            if live:
                ui_projector.panel(s, person, workshop)
            b = st.columns(4)
            try:
                if b[0].button("Ny kode", key=f"ws-newcode-{wid}", icon=":material/key:"):
                    codes[wid] = ws.new_code(
                        s,
                        person,
                        wid,
                        hours=None if live else ws.DEFAULT_HOURS,
                        secret=session_cookie.secret(),
                    )
                    st.session_state["ws_show"] = wid
                    st.session_state["ws_scroll"] = True
                    st.rerun()
                if b[1].button("Forlæng 1 time", key=f"ws-extend-{wid}", icon=":material/more_time:"):
                    ws.extend(s, person, wid, hours=1)
                    st.rerun()
                if live and b[2].button("Afslut", key=f"ws-end-{wid}", icon=":material/stop_circle:"):
                    ws.end_workshop(s, person, wid)
                    codes.pop(wid, None)
                    st.rerun()
            except ERRORS as exc:
                st.error(str(exc))
            b[3].download_button(
                "Tilføjelser (xlsx)",
                data=lambda wid=wid: workshop_tables.export_xlsx(s, wid),
                file_name=f"workshop-{dt.date.today()}.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key=f"ws-xlsx-{wid}",
                icon=":material/download:",
            )


# --- the review queue ------------------------------------------------------------------------------


def _entry_facts(entry: dict[str, Any]) -> None:
    frame = workshop_tables.entries_frame([entry])
    row = frame.iloc[0]
    st.markdown(
        f"**{md(row['Type'])}: {md(entry['title'])}**  \n"
        f"{md(row['Detaljer']) if row['Detaljer'] else ''}  \n"
        f":material/person: {md(entry['author'])} · {md(row['Tidspunkt'])} · "
        f":material/location_on: {md(row['Kommune'] or 'ingen placering')} ({md(row['Placering'])})"
    )


WORKSHOP_PARAM = "workshop"
"""Gennemgang's URL parameter: the workshop to review (a link from the facilitator's panel)."""


def linked_workshop(s: Store, person: Principal) -> str | None:
    """The workshop the link names (``?workshop=<id>``), if the user may review it; else say why and stop.

    The refusal is the library's own (it names the workshop's council and the user's scope), shown on the
    page; nothing of the workshop is shown.
    """
    wanted = st.query_params.get(WORKSHOP_PARAM)
    if not wanted:
        return None
    try:
        ws.require_workshop(person, ws.get_workshop(s, wanted))
    except ERRORS as exc:
        st.error(md(str(exc)), icon=":material/lock:")
        st.stop()
    return wanted


_REVIEW_FLASH = "rv_flash"


def _decide(what: str, fn: Any, entry_id: str, version: int | None, **kwargs: Any) -> None:
    """Run one review decision from a button's callback, with the entry's version as it was shown.

    A callback runs before the page does, with the arguments the button was drawn with: the decision is
    made on the entry the coordinator saw. If someone changed it since, the store refuses (Conflict, naming
    who and when) and nothing is saved; the outcome is shown at the top of the queue on the next run.
    """
    try:
        fn(store(), ui_auth.current(), entry_id, expected_version=version, **kwargs)
    except ERRORS as exc:
        st.session_state[_REVIEW_FLASH] = ("error", md(str(exc)))
    else:
        st.session_state[_REVIEW_FLASH] = ("success", what)


def _accept(entry: dict[str, Any], version: int | None, edited: bool) -> None:
    eid = entry["entry_id"]
    edits = None
    if edited:  # the form's fields, as submitted (kept under their keys by Streamlit)
        edits = {f.name: st.session_state.get(f"rv-{eid}-{f.name}") for f in ws.FIELDS[entry["kind"]]}
    _decide(f"Godkendt: {md(entry['title'])}", review.accept, eid, version, edits=edits, db=current_db())


def _merge(entry: dict[str, Any], version: int | None) -> None:
    eid = entry["entry_id"]
    target = st.session_state.get(f"rv-target-{eid}")
    replace = st.session_state.get(f"rv-replace-{eid}") or []
    _decide(f"Flettet: {md(entry['title'])}", review.merge, eid, version, target_id=target, replace=replace,
            db=current_db())  # fmt: skip


def _reject(entry: dict[str, Any], version: int | None) -> None:
    eid = entry["entry_id"]
    reason = st.session_state.get(f"rv-reason-{eid}", "")
    _decide(f"Afvist: {md(entry['title'])}", review.reject, eid, version, reason=reason)


def review_flash() -> None:
    """The outcome of the last review decision (a refusal names who changed the entry, and when)."""
    flash = st.session_state.pop(_REVIEW_FLASH, None)
    if flash:
        kind, text = flash
        if kind == "error":
            st.error(text, icon=":material/error:")
        else:
            st.success(text, icon=":material/check_circle:")


def review_entry(s: Store, person: Principal, entry: dict[str, Any], db: Database) -> None:
    """One queued entry with accept / edit and accept / merge / reject.

    Each decision is made on the entry as shown here: its version goes with the button (``expected_version``),
    so a coordinator who decides after another has changed the entry is refused instead of overwriting it.
    """
    eid = entry["entry_id"]
    version = entry.get("version")
    update = ws.is_update(entry)  # sent by the organisation: approve (merged into its record) or reject
    with st.container(border=True):
        if update:
            ui_update_form.review_changes(entry)
        else:
            _entry_facts(entry)
        action = st.segmented_control(
            "Handling", ["godkend", "afvis"] if update else ["godkend", "ret", "flet", "afvis"], key=f"rv-action-{eid}",
            format_func={"godkend": "Godkend", "ret": "Ret og godkend", "flet": "Flet ind i eksisterende",
                         "afvis": "Afvis"}.get, label_visibility="collapsed",
        )  # fmt: skip
        try:
            if action == "godkend":
                st.button("Godkend", key=f"rv-accept-{eid}", type="primary", on_click=_accept,
                          args=(entry, version, False))  # fmt: skip
            elif action == "ret":
                workshop = ws.get_workshop(s, entry["workshop_id"])
                options = (
                    workshop_tables.link_options(db, s, workshop)
                    if entry["kind"] in ("tilbud", "samarbejde")
                    else {}
                )
                with st.form(f"rv-edit-{eid}"):
                    fields_form(entry["kind"], f"rv-{eid}", options, entry["fields"])
                    st.form_submit_button("Gem og godkend", type="primary", on_click=_accept,
                                          args=(entry, version, True))  # fmt: skip
            elif action == "flet" and entry["kind"] in ws.MERGEABLE:
                text = st.text_input("Søg den eksisterende post (navn eller id)", key=f"rv-search-{eid}",
                                     value=entry["fields"].get(ws.TITLE_FIELD[entry["kind"]]) or "")  # fmt: skip
                found = workshop_tables.search_records(db, entry["kind"], text) if text.strip() else {}
                if not found:
                    st.caption("Ingen poster fundet; prøv en del af navnet.")
                else:
                    st.selectbox("Flet ind i", list(found), format_func=found.get, key=f"rv-target-{eid}")
                    labels = {f: ws.FIELD_LABELS.get(f, f) for f in ws.MERGEABLE[entry["kind"]]}
                    st.multiselect(
                        "Erstat disse felter (de øvrige udfylder kun tomme felter)", list(labels),
                        format_func=labels.get, key=f"rv-replace-{eid}", placeholder="Ingen (udfyld kun tomme felter)",
                        select_all=False,
                    )  # fmt: skip
                    st.button("Flet", key=f"rv-merge-{eid}", type="primary", on_click=_merge,
                              args=(entry, version))  # fmt: skip
            elif action == "flet":
                st.caption("En note fra parkeringspladsen kan ikke flettes; godkend eller afvis den.")
            elif action == "afvis":
                st.text_input("Begrundelse", key=f"rv-reason-{eid}")
                st.button("Afvis", key=f"rv-reject-{eid}", on_click=_reject, args=(entry, version))
        except ERRORS as exc:
            st.error(str(exc), icon=":material/error:")


def undo_button(s: Store, person: Principal) -> None:
    """'Fortryd seneste' with what it would undo; after an apply, that is taking its records out of the data."""
    from civilkort.issues import InputError
    from etl import apply as workshop_apply
    from etl.build import BuildError
    from etl.rebuild import NothingToRebuild

    change = review.last_change(s, person)
    if change is None:
        st.caption("Intet at fortryde.")
        return
    found = review.last_apply(s) if person.has(COORDINATOR) else None
    applied = found[1] if found else None
    if applied is not None:
        titles = ", ".join(f"'{e['title']}'" for e in applied)
        st.caption(
            f"Seneste ændring: {danish.count(len(applied), 'indtastning', 'indtastninger')} indarbejdet i data af "
            f"{md(change['actor'])} "
            f"({md(titles)}). *Fortryd seneste* tager nye poster ud af data igen og giver flettede poster "
            "deres tidligere felter; indtastningerne står derefter som godkendte, klar til at blive indarbejdet igen."
        )
    else:
        what = f"{change['action']} af {change['actor']} – '{review.change_title(change)}' ({review.describe_change(change)})"
        st.caption(f"Seneste ændring: {md(what)}")
    if st.button("Fortryd seneste", key="rv-undo", icon=":material/undo:"):
        try:
            with st.spinner("Fortryder …"):
                workshop_apply.undo_last(s, person)
        except (*ERRORS, InputError, BuildError, NothingToRebuild) as exc:
            st.error(f"Kunne ikke fortryde; intet er ændret. {exc}")
            return
        if applied is not None:
            st.session_state["rv_applied"] = (
                f"Indarbejdningen er fortrudt: {danish.count(len(applied), 'indtastning', 'indtastninger')} er taget "
                "ud af data igen."
            )
        st.rerun()


def apply_button(s: Store, person: Principal) -> None:
    """'Indarbejd godkendte i data': one rebuild; on any error the previous data keep serving."""
    from civilkort.issues import InputError
    from etl import apply as workshop_apply
    from etl.build import BuildError
    from etl.rebuild import NothingToRebuild

    mine = {w["workshop_id"] for w in ws.in_scope(person, ws.list_workshops(s))}
    pending = [
        e
        for e in ws.entries(s, statuses=("godkendt", "flettet"), kinds=ws.TARGET_TABLES)
        if not e.get("applied_at") and e["workshop_id"] in mine
    ]
    st.caption(
        f"{danish.count(len(pending), 'godkendt eller flettet indtastning venter', 'godkendte eller flettede indtastninger venter')}"
        " på at komme i data."
    )
    if st.button("Indarbejd godkendte i data", key="rv-apply", type="primary", disabled=not pending,
                 icon=":material/published_with_changes:"):  # fmt: skip
        try:
            with st.spinner("Bygger data med workshoppens tilføjelser …"):
                applied = workshop_apply.apply_accepted(s, person)
        except (*ERRORS, InputError, BuildError, NothingToRebuild) as exc:
            st.error(f"Tilføjelserne kunne ikke indarbejdes; de hidtidige data vises fortsat. {exc}")
            return
        n = sum(applied.rows.values())
        st.session_state["rv_applied"] = (
            f"{danish.count(n, 'post', 'poster')} er nu en del af data (uverificeret, kilde: workshoppen)."
        )
        st.rerun()
    if st.session_state.get("rv_applied"):
        st.success(st.session_state.pop("rv_applied"), icon=":material/check_circle:")


def current_db() -> Database:
    """The serving database (for checks of ids and placing pins)."""
    return database()


# --- before and after ------------------------------------------------------------------------------


@st.cache_data(max_entries=16, show_spinner="Sammenligner …", ttl=3600)
def _compare(then: str, now_path: str, then_date: dt.date, codes: tuple[int, ...], today: dt.date) -> Any:

    from civilkort import snapshots

    return snapshots.compare(Path(then), Path(now_path), then_date=then_date, codes=codes, today=today)


def comparison(snapshot: dict[str, Any], sel: Selection) -> Any:
    """Then (``snapshot``) against the data now, for the selected area (cached per build and area)."""
    from civilkort import snapshots

    then = snapshots.snapshot_path(snapshot)
    then_date = dt.date.fromisoformat(snapshot["created_at"][:10])
    return _compare(
        str(then), str(database().path), then_date, tuple(sel.municipality_codes()), dt.date.today()
    )
