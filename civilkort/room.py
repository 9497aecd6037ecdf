"""The room on the wall: what the workshops in progress in an area have added, for a presentation step.

*The room* is the area's workshops whose code works now or that are held today (so the wall still shows the
room's work after the facilitator has ended capture): those of the area's councils, and for the whole
country also those without a council. Its entries count unless rejected; accepted and merged ones are
*reviewed*. The pins are :func:`civilkort.workshop_tables.map_entries` (the map page's layer, one implementation);
nothing personal goes on the wall (no authors, reviewers or notes: titles, kinds and places only).
No Streamlit here: ``ui.presentation`` draws it, and polls ``civilkort.workshop.changed_since`` to redraw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from civilkort import auth, reference, workshop_tables
from civilkort import workshop as ws
from civilkort.filters import NATIONAL_AREA
from civilkort.store import Store

SHOWN_STATUSES = ("ny", "godkendt", "flettet")
"""Entry statuses that count on the wall (all but rejected)."""
REVIEWED_STATUSES = ("godkendt", "flettet")
KIND_WORDS: dict[str, tuple[str, str]] = {
    "organisation": ("organisation", "organisationer"),
    "tilbud": ("tilbud", "tilbud"),
    "samarbejde": ("samarbejde", "samarbejder"),
    "note": ("note til parkeringspladsen", "noter til parkeringspladsen"),
}
"""Entry kind -> Danish (singular, plural) for the running count."""


@dataclass(frozen=True)
class Room:
    """The room's workshops, its pins and its running count."""

    workshops: tuple[dict[str, Any], ...] = ()
    pins: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The entries with a place (:func:`civilkort.workshop_tables.map_entries`; ``is_reviewed`` says which are)."""
    by_kind: Mapping[str, int] = field(default_factory=dict)
    """Entry kind -> entries not rejected (every kind of :data:`KIND_WORDS`, zeros included)."""
    reviewed: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    @property
    def is_open(self) -> bool:
        """True when some workshop of the area is in progress (or held today)."""
        return bool(self.workshops)

    def headline(self) -> str:
        """'12 bidrag: 5 organisationer, 4 tilbud, 3 samarbejder' (kinds with none are left out)."""
        parts = [_count(n, kind) for kind, n in self.by_kind.items() if n]
        return f"{self.total} bidrag" + (f": {', '.join(parts)}" if parts else "")

    def review_line(self) -> str:
        """Whether the entries have been reviewed, in Danish."""
        if not self.total:
            return "Endnu ingen bidrag."
        waiting = self.total - self.reviewed
        if not self.reviewed:
            return "Ingen er gennemgået endnu."
        if not waiting:
            return "Alle er gennemgået og godkendt."
        return f"{self.reviewed} gennemgået og godkendt, {waiting} venter på gennemgang."

    def names(self) -> str:
        """The workshops' names, as '»A« og »B«' (user text: escape it where it becomes HTML or Markdown)."""
        names = [f"»{w['name']}«" for w in self.workshops]
        if len(names) < 2:
            return "".join(names)
        return ", ".join(names[:-1]) + " og " + names[-1]


def _count(n: int, kind: str) -> str:
    one, many = KIND_WORDS.get(kind, (kind, kind))
    return f"{n} {one if n == 1 else many}"


def _councils(area: str) -> set[str] | None:
    """The councils of an area (None: the whole country, every workshop)."""
    if area == NATIONAL_AREA:
        return None
    kind, _, ident = area.partition(":")
    councils = reference.councils()
    if kind == "council":
        return {ident}
    if kind == "region":
        return set(councils.loc[councils["region_id"] == ident, "council_id"])
    return set()


def _today(at: dt.datetime | None) -> str:
    moment = pd.Timestamp(at or dt.datetime.now(dt.UTC)).tz_convert("Europe/Copenhagen")
    return moment.date().isoformat()


def workshops(store: Store, area: str, *, at: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The area's workshops in progress or held today (newest first)."""
    councils = _councils(area)
    today = _today(at)
    return [
        w
        for w in ws.list_workshops(store)
        if (councils is None or w.get("council_id") in councils)
        and not ws.is_standing(w)  # organisations' updates: no room, no code
        and (auth.code_is_live(w, at=at) or w.get("held_on") == today)
    ]


def joinable(store: Store, area: str, *, at: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The area's workshops whose code works now, newest first: those the room can still join (the
    presentation's *Deltag* step shows their code, QR code and join link)."""
    return [w for w in workshops(store, area, at=at) if auth.code_is_live(w, at=at)]


def room(store: Store, area: str, *, at: dt.datetime | None = None) -> Room:
    """The room for an area: its workshops, the pins of their entries not rejected, and the count."""
    found = workshops(store, area, at=at)
    if not found:
        return Room()
    ids = [w["workshop_id"] for w in found]
    marks = ", ".join("?" * len(ids))
    rows = store.rows(
        f"SELECT kind, status, COUNT(*) AS n FROM entries WHERE workshop_id IN ({marks})"
        " AND status IN (?, ?, ?) GROUP BY kind, status",
        [*ids, *SHOWN_STATUSES],
    )
    by_kind = dict.fromkeys(KIND_WORDS, 0)
    reviewed = 0
    for r in rows:
        by_kind[r["kind"]] = by_kind.get(r["kind"], 0) + int(r["n"])
        if r["status"] in REVIEWED_STATUSES:
            reviewed += int(r["n"])
    pins = workshop_tables.map_entries(store, workshop_ids=ids, statuses=SHOWN_STATUSES)
    return Room(workshops=tuple(found), pins=pins, by_kind=by_kind, reviewed=reviewed)
