"""The end dates of a council's collaborations as an iCalendar file (RFC 5545), for a coordinator's calendar.

One all-day VEVENT per current collaboration with an end date from today on: on its end date, with a UID
made from the collaboration's stable id (the same every time the file is made, so a calendar that imports
it again updates the event instead of doubling it), a Danish summary and description.  Writing, folding
and escaping are the ``icalendar`` package's (text such as ``;``, ``,`` and line breaks in a title is
escaped by it, never by hand).  The rows come from the radar's timeline SQL (:func:`civilkort.radar.timeline`).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import icalendar
import pandas as pd

from civilkort import danish, radar
from civilkort.db import Database
from civilkort.followup import council_name, council_selection

PRODID = "-//Civilsamfundskortet//Samarbejdernes slutdatoer//DA"
UID_DOMAIN = "civilsamfundskortet"


def uid(collaboration_id: str) -> str:
    """The event's stable UID: the collaboration's id (percent-encoded) and what the event is."""
    return f"samarbejde-{quote(str(collaboration_id), safe='')}-slutdato@{UID_DOMAIN}"


def end_dates(db: Database, council_id: str, today: dt.date | None = None) -> pd.DataFrame:
    """The council's current collaborations with an end date from ``today`` on, soonest first."""
    rows = radar.timeline(db, council_selection(council_id), today)
    rows = rows[~rows["is_ended"] & rows["end_date"].notna()]
    return rows.sort_values(["end_date", "title", "collaboration_id"], kind="stable").reset_index(drop=True)


def calendar(rows: pd.DataFrame, council_id: str, *, stamp: dt.datetime | None = None) -> icalendar.Calendar:
    """The calendar of ``rows`` (from :func:`end_dates`): one all-day event per collaboration's end date."""
    name = council_name(council_id)
    cal = icalendar.Calendar.new(
        prodid=PRODID,
        uid=f"slutdatoer-{quote(council_id, safe='')}@{UID_DOMAIN}",
        name=f"Samarbejder der slutter – {name}",
        description=f"Slutdatoer for igangværende samarbejder i {name}, fra Civilsamfundskortet.",
    )
    stamp = stamp or dt.datetime.now(dt.UTC)
    for r in rows.itertuples(index=False):
        end = pd.Timestamp(r.end_date).date()
        parts = [f"Samarbejdet '{r.title}' slutter {danish.date(end)}."]
        if isinstance(r.organisations, str) and r.organisations:
            parts.append(f"Organisationer: {r.organisations}.")
        if isinstance(r.units, str) and r.units:
            parts.append(f"Regionale enheder: {r.units}.")
        parts.append(f"Samarbejde (id): {r.collaboration_id}. Fra Civilsamfundskortet, {name}.")
        cal.add_component(
            icalendar.Event.new(
                uid=uid(r.collaboration_id),
                stamp=stamp,
                start=end,
                end=end + dt.timedelta(days=1),
                summary=f"Samarbejde slutter: {r.title}",
                description="\n".join(parts),
                transparency="TRANSPARENT",
            )
        )
    return cal


def to_ics(db: Database, council_id: str, today: dt.date | None = None) -> bytes:
    """The council's end dates as the bytes of an ``.ics`` file."""
    return calendar(end_dates(db, council_id, today), council_id).to_ical()
