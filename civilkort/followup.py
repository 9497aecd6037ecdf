"""The follow-up worklist: what a council's coordinators do about what the radar shows (issue 14).

*What is due* comes from the serving build (:mod:`civilkort.radar`): the council's collaborations ending
within 3, 6 or 12 months (``ending.sql``) and its organisations and current collaborations not verified
for 12 months (``not_verified.sql``).  *What was done about it* lives in the store (``followups``): a
status (åben, kontaktet, forlænget, afsluttet), a short note, who and when, keyed by the record's stable
id (the ``organisation_id``/``collaboration_id`` of the data's own files, which every rebuild keeps), its
kind and the council.  So the worklist survives every rebuild: it is what is due, each with its stored
status, plus every stored row whose record is no longer due, named as such ("ikke længere på radaren",
or "findes ikke længere i data" when the record has left the build), never silently dropped.

Reading and writing need a coordinator of the council, checked here (:func:`worklist`,
:func:`set_status`, :func:`record_request`), not in the page.  A change carries the version the
coordinator saw (0: no row yet); a change someone else made since is refused (:class:`Conflict`, naming
who and when) instead of being overwritten.  Every change is audited by the store.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import pandas as pd

from civilkort import danish, grants, radar
from civilkort.auth import COORDINATOR, Principal, require, require_council
from civilkort.db import Database
from civilkort.filters import Selection
from civilkort.store import Conflict, Store, now

TABLE = "followups"
ORGANISATION, COLLABORATION = "organisation", "collaboration"
ENTITY_LABELS = {ORGANISATION: "Organisation", COLLABORATION: "Samarbejde"}
OPEN, CONTACTED, EXTENDED, CLOSED = "aaben", "kontaktet", "forlaenget", "afsluttet"
STATUS_LABELS = {OPEN: "Åben", CONTACTED: "Kontaktet", EXTENDED: "Forlænget", CLOSED: "Afsluttet"}
"""The statuses as stored -> their Danish labels (a row without a stored status is 'Åben')."""
NOTE_MAX = 500
"""The longest note kept (characters)."""
REQUEST_ACTION = "bed om opdatering: e-mail sendt"

GONE = "Findes ikke længere i data"
OFF_RADAR = "Ikke længere på radaren"
COLUMNS = [
    "entity",
    "record_id",
    "title",
    "reason",
    "end_date",
    "last_verified",
    "status",
    "note",
    "updated_by",
    "updated_at",
    "requested_at",
    "version",
    "is_due",
    "is_in_build",
]
"""The worklist's columns (``version`` 0: nothing stored yet)."""

_SOURCES = {
    ORGANISATION: ("organisations", "organisation_id", "name", "[council_id]", "CAST(NULL AS DATE)"),
    COLLABORATION: ("collaborations", "collaboration_id", "title", "council_ids", "end_date"),
}


class FollowupError(ValueError):
    """A follow-up change that cannot be made (unknown status, a record not in the council); Danish."""


def key(record_id: str, entity: str, council_id: str) -> str:
    """The store's key of one follow-up row (its audit ``entity_id``)."""
    return f"{record_id}|{entity}|{council_id}"


def council_name(council_id: str) -> str:
    """'Sundhedsråd Aarhus' for 'aarhus' (the id itself if unknown)."""
    return grants.council_names().get(council_id, council_id)


def council_selection(council_id: str) -> Selection:
    """The council as an area, without filters: the worklist is the council's whole follow-up."""
    return replace(Selection(), area=f"council:{council_id}")


def records(db: Database, entity: str, ids: Iterable[str]) -> pd.DataFrame:
    """The build's records of one kind among ``ids``: record_id, title, last_verified, end_date, council_ids."""
    table, id_col, title, councils, end = _SOURCES[entity]
    return db.query(
        f"SELECT {id_col} AS record_id, {title} AS title, last_verified, {end} AS end_date,"
        f" {councils} AS council_ids FROM {table} WHERE list_contains($ids, {id_col})",
        {"ids": [str(i) for i in ids]},
    )


def _ends_in(days: int) -> str:
    """'Slutter i dag', 'Slutter i morgen', 'Slutter om 12 dage'."""
    if days <= 1:
        return "Slutter i dag" if days <= 0 else "Slutter i morgen"
    return f"Slutter om {danish.count(days, 'dag', 'dage')}"


def due(db: Database, council_id: str, *, months: int = 12, today: dt.date | None = None) -> pd.DataFrame:
    """What is due in the council: collaborations ending within ``months`` months and records not verified
    for 12 months (or never); one row per record with the reasons in Danish, soonest first (``within_months``:
    the smallest ending window the row is in, ``is_stale``: not verified)."""
    every = _due_within(db, council_id, max(int(months), *radar.ENDING_WINDOWS), today)
    return _in_window(every, months)


def _in_window(rows: pd.DataFrame, months: int) -> pd.DataFrame:
    return rows[rows["is_stale"] | (rows["within_months"] <= int(months))].reset_index(drop=True)


def _due_within(db: Database, council_id: str, months: int, today: dt.date | None) -> pd.DataFrame:
    """Every record due within ``months`` (one query per kind: the windows come from ending.sql)."""
    sel = council_selection(council_id)
    windows = tuple(sorted({*radar.ENDING_WINDOWS, int(months)}))
    ending = radar.ending(db, sel, today, months=windows)["rows"][int(months)]
    stale = radar.not_verified(db, sel, today)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for r in ending.itertuples(index=False):
        rows[(COLLABORATION, r.collaboration_id)] = {
            "entity": COLLABORATION,
            "record_id": r.collaboration_id,
            "title": r.title,
            "end_date": r.end_date,
            "last_verified": pd.NaT,
            "within_months": int(r.within_months),
            "is_stale": False,
            "reasons": [_ends_in(int(r.days_left))],
        }
    for r in stale.itertuples(index=False):
        why = (
            "Aldrig verificeret"
            if pd.isna(r.last_verified)
            else f"Ikke verificeret i {radar.STALE_MONTHS} måneder"
        )
        row = rows.setdefault(
            (r.entity, r.record_id),
            {
                "entity": r.entity,
                "record_id": r.record_id,
                "title": r.title,
                "end_date": r.end_date,
                "within_months": None,
                "reasons": [],
            },
        )
        row["last_verified"] = r.last_verified
        row["is_stale"] = True
        row["reasons"].append(why)
    out = pd.DataFrame(
        [{**r, "reason": "; ".join(r.pop("reasons"))} for r in rows.values()],
        columns=[
            "entity",
            "record_id",
            "title",
            "end_date",
            "last_verified",
            "reason",
            "within_months",
            "is_stale",
        ],
    )
    out["within_months"] = pd.to_numeric(out["within_months"]).astype("Int64")
    out["is_stale"] = out["is_stale"].astype(bool)
    missing = out["entity"].eq(COLLABORATION) & out["last_verified"].isna()
    if missing.any():  # the ending ones: their last verification, from the build
        found = records(db, COLLABORATION, out.loc[missing, "record_id"]).set_index("record_id")
        out.loc[missing, "last_verified"] = out.loc[missing, "record_id"].map(found["last_verified"])
    for col in ("end_date", "last_verified"):
        out[col] = pd.to_datetime(out[col])
    return out


def stored(store: Store, principal: Principal, council_id: str) -> pd.DataFrame:
    """The council's stored follow-up rows (a coordinator of the council only)."""
    require_council_scope(principal, council_id, "Opfølgningslisten")
    rows = store.rows(f"SELECT * FROM {TABLE} WHERE council_id = ? ORDER BY entity, record_id", (council_id,))
    return pd.DataFrame(rows, columns=[*COLUMNS[:3], "council_id", "status", "note", "updated_by",
                                       "updated_at", "requested_at", "requested_by", "version"])  # fmt: skip


def worklist(
    db: Database,
    store: Store,
    principal: Principal,
    council_id: str,
    *,
    months: int = 12,
    today: dt.date | None = None,
) -> pd.DataFrame:
    """The council's worklist (:data:`COLUMNS`): what is due within ``months`` months with its stored status,
    then every stored row no longer due (why, in ``reason``). Rows due within 12 months but not within
    ``months`` follow the window. A coordinator of the council only."""
    kept = stored(store, principal, council_id)
    widest = _due_within(db, council_id, max(int(months), *radar.ENDING_WINDOWS), today)
    on_radar = set(zip(widest["entity"], widest["record_id"]))
    shown = _in_window(widest, months)
    shown = shown.merge(
        kept.drop(columns=["title", "council_id", "requested_by"]), on=["entity", "record_id"], how="left"
    )
    shown["is_due"], shown["is_in_build"] = True, True
    is_later = pd.Series(
        [(e, r) not in on_radar for e, r in zip(kept["entity"], kept["record_id"])], dtype=bool
    )
    later = kept.loc[is_later.to_numpy()]
    extra = []
    for entity, group in later.groupby("entity"):
        found = records(db, str(entity), group["record_id"]).set_index("record_id")
        for row in group.to_dict("records"):
            hit = found.loc[row["record_id"]] if row["record_id"] in found.index else None
            extra.append(
                {
                    **row,
                    "title": row["title"] if hit is None else hit["title"],
                    "reason": GONE if hit is None else OFF_RADAR,
                    "end_date": pd.NaT if hit is None else hit["end_date"],
                    "last_verified": pd.NaT if hit is None else hit["last_verified"],
                    "is_due": False,
                    "is_in_build": hit is not None,
                }
            )
    out = (
        pd.concat([shown, pd.DataFrame(extra, columns=shown.columns)], ignore_index=True) if extra else shown
    )[COLUMNS].copy()
    out["status"] = out["status"].fillna(OPEN)
    out["version"] = out["version"].fillna(0).astype(int)
    for col in ("end_date", "last_verified"):
        out[col] = pd.to_datetime(out[col])
    return out


def require_council_scope(principal: Principal, council_id: str, what: str) -> None:
    """PermissionDenied (Danish) unless ``principal`` coordinates ``council_id``; FollowupError if unknown."""
    require(principal, COORDINATOR)
    if council_id not in grants.council_names():
        raise FollowupError(f"Ukendt sundhedsråd: {council_id!r}.")
    require_council(principal, [council_id], what=f"{what} for {council_name(council_id)}")


def _check(entity: str, status: str | None) -> None:
    if entity not in ENTITY_LABELS:
        raise FollowupError(f"Ukendt slags post: {entity!r} (organisation eller samarbejde).")
    if status is not None and status not in STATUS_LABELS:
        raise FollowupError(f"Ukendt status: {status!r}. Brug {', '.join(STATUS_LABELS.values())}.")


def _title_in_council(db: Database | None, entity: str, record_id: str, council_id: str) -> str | None:
    """The record's title if ``db`` holds it in the council; None if not (or no ``db``)."""
    if db is None:
        return None
    found = records(db, entity, [record_id])
    for row in found.itertuples(index=False):
        if council_id in list(row.council_ids):
            return str(row.title)
    return None


def set_status(
    store: Store,
    principal: Principal,
    council_id: str,
    entity: str,
    record_id: str,
    status: str,
    note: str | None = None,
    *,
    expected_version: int,
    db: Database,
) -> dict[str, Any]:
    """Set a record's follow-up status and note for the council; audited; returns the stored row.

    A coordinator of the council only.  ``expected_version`` is the row's version as the coordinator saw
    it (0: nothing stored yet); if it has changed since, :class:`Conflict` names who changed it and when,
    and nothing is saved.  A record not stored yet must be in the council in ``db`` (the serving build).
    """
    require_council_scope(principal, council_id, "At følge op")
    _check(entity, status)
    text = (note or "").strip() or None
    if text and len(text) > NOTE_MAX:
        raise FollowupError(f"Noten er for lang ({len(text)} tegn); højst {NOTE_MAX}.")
    title = _title_in_council(db, entity, record_id, council_id)
    row_key = key(record_id, entity, council_id)
    changes = {"status": status, "note": text, "updated_by": principal.name, "updated_at": now()}
    if title is not None:
        changes["title"] = title
    action = f"opfølgning: {STATUS_LABELS[status].lower()}"
    with store.write(principal.actor) as tx:
        current = tx.get(TABLE, row_key)
        if current is None:
            if expected_version:
                raise Conflict("Opfølgningen findes ikke længere (fortrudt?). Genindlæs siden, og prøv igen.")
            if title is None:
                raise FollowupError(
                    f"{ENTITY_LABELS[entity]} {record_id} findes ikke i data for {council_name(council_id)}."
                )
            new = {
                "record_id": record_id,
                "entity": entity,
                "council_id": council_id,
                **changes,
                "version": 1,
            }
            return tx.insert(TABLE, new, action=action)
        if current["version"] != expected_version:
            raise tx.conflict(TABLE, row_key, current)
        if current["status"] == status and current["note"] == text:
            return current
        return tx.update(TABLE, row_key, changes, action=action, expected_version=expected_version)


def record_request(
    store: Store, principal: Principal, council_id: str, entity: str, record_id: str, *, title: str
) -> dict[str, Any]:
    """Record that the server sent a "bed om opdatering" e-mail about a record: when and by whom, and an
    'åben' row becomes 'kontaktet'; audited as :data:`REQUEST_ACTION`.  A coordinator of the council only."""
    require_council_scope(principal, council_id, "At bede om en opdatering")
    _check(entity, None)
    row_key = key(record_id, entity, council_id)
    stamp = now()
    sent = {
        "requested_at": stamp,
        "requested_by": principal.name,
        "updated_by": principal.name,
        "updated_at": stamp,
    }
    with store.write(principal.actor) as tx:
        current = tx.get(TABLE, row_key)
        if current is None:
            new = {"record_id": record_id, "entity": entity, "council_id": council_id, "status": CONTACTED,
                   "note": None, "title": title, **sent, "version": 1}  # fmt: skip
            return tx.insert(TABLE, new, action=REQUEST_ACTION)
        status = CONTACTED if current["status"] == OPEN else current["status"]
        return tx.update(TABLE, row_key, {**sent, "status": status}, action=REQUEST_ACTION)


def history(
    store: Store, principal: Principal, council_id: str, entity: str, record_id: str
) -> list[dict[str, Any]]:
    """One record's follow-up changes in the council, newest first: when, who, what, status and note."""
    require_council_scope(principal, council_id, "Opfølgningens historik")
    out = []
    for change in store.history(entity=TABLE, entity_id=key(record_id, entity, council_id)):
        after = json.loads(change["after"]) if change["after"] else {}
        out.append(
            {
                "at": change["at"],
                "actor": change["actor"],
                "action": change["action"],
                "status": STATUS_LABELS.get(after.get("status", ""), "–"),
                "note": after.get("note"),
            }
        )
    return out
