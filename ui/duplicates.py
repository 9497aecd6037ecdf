"""The review list of possible duplicates: pairs side by side, decisions, undo, and applying them now."""

from __future__ import annotations

import json
import logging

import pandas as pd
import streamlit as st

from civilkort import danish
from civilkort import duplicates as dup
from civilkort.auth import PermissionDenied, Principal
from civilkort.db import Database
from civilkort.issues import InputError
from civilkort.store import NothingToUndo, Store, StoreError
from ui import auth
from ui.tables import grid
from ui.text import md

log = logging.getLogger("civilkort.app")

PAGE_SIZE = 10
_MESSAGE = "dup_message"
_LIMIT = "dup_limit"
_SIDES = {"a": "venstre", "b": "højre"}


def reason_filter() -> list[str]:
    """The reasons to show (none chosen: all)."""
    chosen = st.pills(
        "Vis par med",
        options=list(dup.REASONS),
        format_func=dup.REASONS.get,
        selection_mode="multi",
        key="dup_reasons",
        help="Ingen valgt: alle par. Områdevalget i sidepanelet gælder også: et par vises, når én af de to "
        "ligger i området.",
    )
    return list(chosen or [])


def summary(todo: pd.DataFrame, waiting: pd.DataFrame) -> None:
    """How many pairs there are to look at, and how many by reason (visible to everyone)."""
    cols = st.columns(4)
    cols[0].metric("Mulige dubletter", len(todo))
    for col, (reason, label) in zip(cols[1:], dup.REASONS.items(), strict=True):
        col.metric(label[0].upper() + label[1:], int(todo[reason].sum()) if len(todo) else 0)
    if len(waiting):
        st.caption(f"{len(waiting)} par er afgjort og venter på at blive anvendt.")


def message() -> None:
    """The outcome of the last click (kept over the rerun)."""
    kind, text = st.session_state.pop(_MESSAGE, (None, None))
    if kind == "success":
        st.success(text, icon=":material/check_circle:")
    elif kind == "error":
        st.error(text, icon=":material/error:")


def _say(kind: str, text: str) -> None:
    st.session_state[_MESSAGE] = (kind, text)


def _decide(store: Store, row: dict, decision: str, keep: str | None) -> None:
    """Button callback: record the decision as the current user (the store function checks the role)."""
    kind = row["kind"]
    key_a, key_b = dup.record_key(kind, row["key_a"]), dup.record_key(kind, row["key_b"])
    keep_key = {"a": key_a, "b": key_b}.get(keep or "")
    try:
        dup.decide(store, auth.current(), key_a, key_b, decision, keep_key=keep_key)
    except (PermissionDenied, StoreError, ValueError) as exc:
        _say("error", str(exc))
        return
    if decision == dup.MERGE:
        kept, other = (row["name_a"], row["name_b"]) if keep == "a" else (row["name_b"], row["name_a"])
        text = f"Besluttet: **{md(other)}** flettes ind i **{md(kept)}**."
    else:
        text = f"Besluttet: **{md(row['name_a'])}** og **{md(row['name_b'])}** holdes adskilt."
    _say("success", f"{text} Det slår igennem, når du trykker *Anvend nu* (eller ved næste indlæsning).")


def _side(row: dict, side: str) -> None:
    """One record of a pair: the facts a coordinator needs to tell whether it is the same."""
    s = f"_{side}"
    where = ", ".join(str(v) for v in (row[f"address{s}"], row[f"postcode{s}"], row[f"city{s}"]) if _given(v))
    source = f"{row[f'source_file{s}']}, ark {row[f'source_sheet{s}']}, række {row[f'source_row{s}']}"
    facts = [
        ("Id", row[f"key{s}"]),
        ("CVR", row[f"cvr{s}"] if row["kind"] == dup.ORGANISATION else None),
        ("Adresse", where or None),
        ("Kommune", row[f"municipality_name{s}"]),
        ("Kilde", source),
        ("Tilbud", row[f"n_offers{s}"] if row["kind"] == dup.ORGANISATION else None),
        ("Samarbejder", row[f"n_collaborations{s}"]),
    ]
    st.markdown(f"**{md(row[f'name{s}'])}**")
    st.markdown(
        "\n".join(
            f"- {label}: {md(value) if _given(value) else '–'}"
            for label, value in facts
            if not (label in ("CVR", "Tilbud") and value is None)
        )
    )


def _given(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and value is not pd.NA


def pair_card(store: Store, row: dict, i: int) -> None:
    """A pair side by side with its reasons and the three decisions."""
    with st.container(border=True):
        kind = "" if row["kind"] == dup.ORGANISATION else " · regionale enheder"
        st.markdown(f"**{md(row['reasons'])}** · score {int(row['score'])}{kind}")
        left, right = st.columns(2)
        with left:
            _side(row, "a")
        with right:
            _side(row, "b")
        b1, b2, b3 = st.columns(3)
        b1.button(
            "Flet – behold venstre",
            key=f"dup_keep_a_{i}",
            on_click=_decide,
            args=(store, row, dup.MERGE, "a"),
            icon=":material/call_merge:",
            width="stretch",
        )
        b2.button(
            "Flet – behold højre",
            key=f"dup_keep_b_{i}",
            on_click=_decide,
            args=(store, row, dup.MERGE, "b"),
            icon=":material/call_merge:",
            width="stretch",
        )
        b3.button(
            "Hold adskilt",
            key=f"dup_apart_{i}",
            on_click=_decide,
            args=(store, row, dup.KEEP_APART, None),
            icon=":material/call_split:",
            width="stretch",
        )


def pair_list(store: Store, todo: pd.DataFrame) -> None:
    """The pairs still to decide, best first, a page at a time."""
    if todo.empty:
        st.info("Der er ingen mulige dubletter at se på her.", icon=":material/done_all:")
        return
    limit = st.session_state.get(_LIMIT, PAGE_SIZE)
    for i, row in enumerate(todo.head(limit).to_dict("records")):
        pair_card(store, row, i)
    if len(todo) > limit:
        st.button(
            f"Vis flere ({len(todo) - limit} tilbage)",
            key="dup_more",
            on_click=lambda: st.session_state.__setitem__(_LIMIT, limit + PAGE_SIZE),
        )


def _undo(store: Store) -> None:
    try:
        change = dup.undo_last(store, auth.current())
    except (PermissionDenied, StoreError, NothingToUndo) as exc:
        _say("error", str(exc))
        return
    _say("success", f"Fortrudt: {md(change['action'])} ({md(change['entity_id'])}).")


def decisions_section(store: Store, db: Database, person: Principal) -> None:
    """Apply now, undo the latest decision, and every decision made so far."""
    pending = dup.not_applied(store, db)
    c1, c2 = st.columns(2)
    with c1:
        if st.button(
            "Anvend nu",
            type="primary" if pending else "secondary",
            icon=":material/sync:",
            key="dup_apply",
            help="Byg data igen med beslutningerne. Går noget galt, bruges de hidtidige data fortsat.",
        ):
            apply_now(person)
        st.caption(
            "Nye beslutninger er endnu ikke anvendt på data."
            if pending
            else "Alle beslutninger er anvendt på de data, appen viser."
        )
    last = dup.last_decision(store)
    with c2:
        st.button(
            "Fortryd seneste beslutning",
            icon=":material/undo:",
            key="dup_undo",
            disabled=last is None,
            on_click=_undo,
            args=(store,),
        )
        if last is not None:
            st.caption(f"Seneste: {describe(db, last)}")
    decided = dup.decisions(store)
    if len(decided):
        with st.expander(f"Alle beslutninger ({len(decided)})"):
            grid(decisions_frame(db, decided), hide_index=True, width="stretch")


def describe(db: Database, change: dict) -> str:
    """A decision from the audit trail in words (escaped): 'hold adskilt: A og B (Kim, 22-11-2026 10:00 UTC)'."""
    made = json.loads(change["after"] or change["before"] or "{}")
    a, b = made.get("key_a", ""), made.get("key_b", "")
    names = dup.record_names(db, [a, b])
    what = dup.DECISION_LABELS.get(made.get("decision", ""), "?")
    text = f"{what}: {md(names.get(a, a))} og {md(names.get(b, b))}"
    if made.get("decision") == dup.MERGE and made.get("keep_key"):
        text += f", behold {md(names.get(made['keep_key'], made['keep_key']))}"
    return f"{text} ({md(change['actor'])}, {danish.local_time(change['at'])})"


def decisions_frame(db: Database, decided: pd.DataFrame) -> pd.DataFrame:
    """The decisions with names, in Danish, newest first."""
    names = dup.record_names(db, [*decided["key_a"], *decided["key_b"]])

    def name(key: str) -> str:
        return names.get(key, f"{key} (flettet væk)")

    return pd.DataFrame(
        {
            "Beslutning": decided["decision"].map(dup.DECISION_LABELS),
            "Post A": decided["key_a"].map(name),
            "Post B": decided["key_b"].map(name),
            "Beholdes": decided["keep_key"].map(lambda k: name(k) if isinstance(k, str) else ""),
            "Af": decided["decided_by"],
            "Tidspunkt": decided["decided_at"].map(lambda t: danish.local_time(t)),
        }
    ).iloc[::-1]


def apply_now(person: Principal) -> None:
    """Rebuild with the decisions (with a spinner); a Danish message either way, never a traceback."""
    from etl.build import BuildError
    from etl.duplicates import merged_count
    from etl.rebuild import NothingToRebuild, rebuild

    try:
        with st.spinner("Bygger data igen med beslutningerne …"):
            result = rebuild(principal=person)  # applies the decisions; any coordinator may start it
    except InputError as exc:
        _say("error", f"Data kunne ikke bygges: {md(str(exc))} De hidtidige data bruges fortsat.")
    except (BuildError, NothingToRebuild, PermissionDenied, StoreError) as exc:
        _say("error", f"Data kunne ikke bygges: {md(str(exc))} De hidtidige data bruges fortsat.")
    except Exception as exc:  # noqa: BLE001 - the edge: a Danish message, never a traceback
        log.exception("Anvend dubletbeslutninger fejlede")
        _say(
            "error",
            f"Uventet fejl ({type(exc).__name__}); den er skrevet i serverens log. De hidtidige data bruges fortsat.",
        )
    else:
        n = merged_count(result.issues)
        merged = "ingen poster flettet" if n == 0 else f"{danish.count(n, 'post', 'poster')} flettet"
        _say(
            "success",
            f"Data er bygget igen med beslutningerne: {merged}. Par, der holdes adskilt, foreslås ikke igen.",
        )
    st.rerun()
