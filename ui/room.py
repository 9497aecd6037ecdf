"""The room on the wall: the running count of what a workshop in progress has added, beside a presentation
step, and the watcher that redraws the step within seconds of a save anywhere (the map page's mechanism).

The count comes from :mod:`civilkort.room`; workshop names are user text and shown through ``md()``.
"""

from __future__ import annotations

import streamlit as st

from civilkort import danish
from civilkort import room as core
from civilkort.store import Store
from ui import workshop as ui_ws
from ui.text import md

SEEN_KEY = "praes_seen_room"
"""Session key of the store version the wall last drew."""
LABEL = "Vis rummets bidrag"
"""The sequence editor's option (civilkort.sequences.Step.room)."""
HELP = (
    "Mens en workshop i området er i gang: deltagernes nye nåle på kortet og en løbende optælling ved siden "
    "af, opdateret af sig selv inden for få sekunder. Kun titel, type og sted; afviste er ikke med."
)
LABELS = {"organisation": "Organisationer", "tilbud": "Tilbud", "samarbejde": "Samarbejder",
          "note": "Parkeringsplads"}  # fmt: skip


def current(s: Store, area: str) -> core.Room | None:
    """The area's room, or None when no workshop there is in progress; notes the store's version first, so
    that :func:`watch` redraws on any save after this read."""
    ui_ws.poll(s, SEEN_KEY)
    found = core.room(s, area)
    return found if found.is_open else None


def panel(room: core.Room) -> None:
    """The count, large (readable from the back of the room): all contributions, then per kind, then whether
    they have been reviewed and from which workshop."""
    with st.container(key="ck-room"):
        with st.container(key="ck-key"):
            st.metric(
                "Rummets bidrag",
                danish.number(room.total),
                help="Det, workshoppen har tilføjet i dag (alt undtagen afviste). Opdateres af sig selv.",
            )
        with st.container(key="ck-more"):
            for kind, label in LABELS.items():
                st.metric(label, danish.number(room.by_kind.get(kind, 0)))
        with st.container(key="ck-note"):
            st.markdown(f"{room.review_line()} Fra workshop {md(room.names())}. Opdateres af sig selv.")


def watch(s: Store) -> None:
    """Redraw the step when an entry changed anywhere (one cheap query every few seconds otherwise)."""
    ui_ws.map_refresher(s, key=SEEN_KEY)
