"""The presentation's *Deltag* step (kind ``deltag``): for each workshop in the step's area whose code works
now, its name, the code very large (read from the back of a room at 1920×1080), the QR code and the short
join link, drawn by ui/join_kit.py (one implementation with the facilitator's screen).

Who sees the code is decided in the library (:func:`civilkort.workshop.running_code`): a coordinator of
the workshop's council, and the projector screen signed in for that workshop. Anyone else presenting gets
the QR code, the link and a sentence saying where the code is shown; a projector screen shows its own
workshop only. The step redraws by itself within seconds when a workshop in the area starts, gets a new
code or ends. Nothing here takes the keyboard: the clicker keeps changing the step.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from civilkort import room as rooms
from civilkort import workshop as ws
from civilkort.auth import PermissionDenied, Principal
from civilkort.filters import Selection
from civilkort.store import Store, StoreError
from ui import join_kit, session_cookie
from ui import workshop as ui_ws

WATCH_SECONDS = 4.0
"""How often the step looks for a workshop that started, got a new code or ended (one small query)."""
QR_PX = {1: 460, 2: 300}
"""The QR code's width in px by the number of workshops shown (more than two: as for two)."""
NOT_YOURS = (
    "#### Koden står på koordinatorens skærm og på workshoppens projektorskærm.\n\n"
    "Den vises kun her for en koordinator af workshoppens sundhedsråd eller på workshoppens projektorlink."
)
NOT_KEPT = (
    "#### Koden kan ikke vises igen her.\n\nKoordinatoren laver en ny under *Workshop* (*Ny kode*) og viser "
    "den derfra."
)
NONE_LIVE = (
    "## Ingen workshop i området er i gang lige nu.\n\n"
    "Når en koordinator opretter en workshop for området under *Workshop*, står koden, QR-koden og linket "
    "her af sig selv."
)


def code_for(s: Store, person: Principal, workshop: dict[str, Any]) -> tuple[str | None, str]:
    """The workshop's code if ``person`` may see it on the wall, else None and the Danish sentence shown
    in its place (the library decides who may: civilkort.workshop.require_code_reader)."""
    try:
        code = ws.running_code(s, person, workshop["workshop_id"], secret=session_cookie.secret())
    except PermissionDenied:
        return None, NOT_YOURS
    except (ws.EntryError, StoreError):  # gone since the list was read: the next run leaves it out
        return None, NOT_KEPT
    return (code, "") if code else (None, NOT_KEPT)


def joinable(s: Store, person: Principal, area: str) -> list[dict[str, Any]]:
    """The workshops the step shows: the area's whose code works now (civilkort.room.joinable); on a
    projector screen only its own workshop (its room is in front of it)."""
    found = rooms.joinable(s, area)
    if person.is_projector:
        found = [w for w in found if w["workshop_id"] == person.workshop_id]
    return found


def _fingerprint(workshops: list[dict[str, Any]]) -> tuple[tuple[str, str, str], ...]:
    """What the step shows depends on: the joinable workshops, their codes and how long they work."""
    return tuple((w["workshop_id"], w["code_hash"], w["code_expires_at"]) for w in workshops)


def _watch(s: Store, person: Principal, area: str, shown: tuple[tuple[str, str, str], ...]) -> None:
    """Redraw the step when a workshop in the area starts, gets a new code or ends."""

    @st.fragment(run_every=WATCH_SECONDS)
    def _look() -> None:
        try:
            now = _fingerprint(joinable(s, person, area))
        except StoreError:  # the store is busy or away for a moment: look again next time
            return
        if now != shown:
            st.rerun(scope="app")

    _look()


def show(s: Store, person: Principal, sel: Selection) -> None:
    """The step: each joinable workshop of the area with its code (or where to find it), QR code and link."""
    found = joinable(s, person, sel.area)
    with st.container(key="ck-join"):
        if not found:
            st.markdown(NONE_LIVE)
        qr_px = QR_PX[min(len(found), 2)] if found else QR_PX[1]
        for workshop in found:
            code, instead = code_for(s, person, workshop)
            with st.container(border=len(found) > 1):
                join_kit.show(
                    workshop, code, ui_ws.workshop_caption(workshop), qr_width=qr_px, no_code=instead
                )
    _watch(s, person, sel.area, _fingerprint(found))
