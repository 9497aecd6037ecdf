"""The update link: an organisation corrects what the product shows about it, and the council reviews it.

A coordinator of the organisation's council makes the link (:func:`issue`, checked here): a token signed
with the service's cookie secret (itsdangerous, this module's own salt) that names the organisation, the
council and when it stops working (:data:`LINK_DAYS`), nothing personal.  Whoever opens it sees the
organisation's public fields and offers as the serving build shows them (:func:`current`) and may send
changes (:func:`submit`, authorised by the token, checked here): each changed record becomes one entry in
the council's standing session 'Opdateringer fra organisationer' (never live, never joined; the entries
table needs a session, and this one keeps the review queue, its audit, undo and apply as they are for
workshop entries).  On Gennemgang the coordinator sees old → new and approves or rejects; an approved
update is merged into its record by the same apply and rebuild as a workshop's entries
(:mod:`civilkort.review`, :mod:`etl.apply`).  At most :data:`MAX_PENDING` unreviewed submissions per
organisation, so a leaked link cannot flood the queue.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from itsdangerous import BadData, URLSafeSerializer

from civilkort import auth, grants, reference
from civilkort import workshop as ws
from civilkort.auth import COORDINATOR, Principal
from civilkort.db import Database
from civilkort.store import Store, Transaction, new_id

LINK_PARAM = "opdater"
"""The URL parameter that carries an update token."""
PAGE_PATH = "opdater"
"""The public page's path ('Opdater jeres oplysninger')."""
LINK_DAYS = 30
"""How long an update link works."""
MAX_PENDING = 3
"""Unreviewed submissions per organisation; a further one is refused until the council has reviewed."""
STANDING_NAME = "Opdateringer fra organisationer"
_SALT = "civilkort.update_form.v1"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")

ORGANISATION_FIELDS: dict[str, tuple[str, int]] = {
    "name": ("Navn", ws.MAX_TEXT),
    "address": ("Adresse", ws.MAX_TEXT),
    "postcode": ("Postnummer", 4),
    "city": ("By", ws.MAX_TEXT),
    "website": ("Hjemmeside", ws.MAX_TEXT),
    "email": ("Funktionspostkasse (e-mail)", ws.MAX_TEXT),
    "description": ("Beskrivelse", ws.MAX_LONG_TEXT),
}
"""What an organisation may change about itself: input column -> (Danish label, most characters)."""
OFFER_FIELDS: dict[str, tuple[str, int]] = {
    "name": ("Navn", ws.MAX_TEXT),
    "description": ("Beskrivelse", ws.MAX_LONG_TEXT),
    "schedule": ("Tidspunkt", ws.MAX_TEXT),
    "cost": ("Pris", ws.MAX_TEXT),
    "status": ("Status", ws.MAX_TEXT),
}
"""What it may change about each of its offers."""
PERSONAL = frozenset({"email"})
"""Fields the public page never shows (the build keeps them out of its public tables): new value only."""


class InvalidLink(Exception):
    """An update link that is not ours, tampered with, or whose organisation is gone; Danish."""


class ExpiredLink(InvalidLink):
    """An update link past its end; Danish."""


@dataclass(frozen=True)
class Link:
    """What a valid token names."""

    organisation_id: str
    council_id: str
    expires: dt.datetime


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SALT)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def _organisation_row(db: Database, organisation_id: str) -> dict[str, Any] | None:
    found = db.query(
        "SELECT organisation_id, name, address, postcode, city, website, description, council_id"
        " FROM organisations WHERE organisation_id = $id",
        {"id": organisation_id},
    )
    return None if found.empty else found.iloc[0].to_dict()


def issue(
    db: Database,
    principal: Principal,
    council_id: str,
    organisation_id: str,
    secret: str,
    *,
    days: int = LINK_DAYS,
    now: dt.datetime | None = None,
) -> tuple[str, dt.datetime]:
    """An update token for one organisation of ``council_id`` and when it stops working (a coordinator of
    that council; the organisation must belong to it in the serving build).  The end is midnight UTC, so
    the same link is made all day."""
    auth.require(principal, COORDINATOR)
    if council_id not in grants.council_names():
        raise InvalidLink(f"Ukendt sundhedsråd: {council_id!r}.")
    auth.require_council(
        principal, [council_id], what=f"Opdateringslinket for {grants.council_names()[council_id]}"
    )
    org = _organisation_row(db, organisation_id)
    if org is None:
        raise InvalidLink(f"Organisationen {organisation_id} findes ikke i de viste data.")
    if org["council_id"] != council_id:
        raise InvalidLink(f"{org['name']} hører ikke til {grants.council_names()[council_id]}.")
    day = _now(now).astimezone(dt.UTC).date() + dt.timedelta(days=days + 1)
    until = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    token = _serializer(secret).dumps({"o": organisation_id, "c": council_id, "exp": int(until.timestamp())})
    return token, until


def redeem(token: str, secret: str, *, now: dt.datetime | None = None) -> Link:
    """What a token names; InvalidLink (Danish) if it is not one of ours, ExpiredLink when its time is up."""
    try:
        payload = _serializer(secret).loads(str(token or ""))
    except BadData as exc:
        raise InvalidLink(
            "Linket er ikke gyldigt. Kontrollér, at hele linket fra e-mailen er kopieret, eller bed "
            "sundhedsrådet om et nyt."
        ) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int) or not payload.get("o"):
        raise InvalidLink("Linket er ikke gyldigt. Bed sundhedsrådet om et nyt.")
    if payload["exp"] <= _now(now).timestamp():
        raise ExpiredLink(
            "Linket er udløbet. Bed sundhedsrådet om et nyt link til at opdatere jeres oplysninger."
        )
    return Link(
        str(payload["o"]), str(payload.get("c") or ""), dt.datetime.fromtimestamp(payload["exp"], dt.UTC)
    )


def _text(value: object) -> str:
    """A build value as the form shows it ('' when missing)."""
    if value is None or (not isinstance(value, str | list) and pd.isna(value)):
        return ""
    return str(value)


def current(db: Database, link: Link) -> dict[str, Any]:
    """The organisation's public fields and its offers as the serving build shows them (``offers``: offer
    id -> fields); InvalidLink if it is gone or has left the link's council.  Personal fields are not read."""
    org = _organisation_row(db, link.organisation_id)
    if org is None or org["council_id"] != link.council_id:
        raise InvalidLink("Organisationen i linket findes ikke længere i data. Kontakt sundhedsrådet.")
    offers = db.query(
        "SELECT offer_id, name, description, schedule, cost, status FROM offers WHERE organisation_id = $id"
        " ORDER BY name, offer_id",
        {"id": link.organisation_id},
    )
    return {
        "organisation_id": link.organisation_id,
        **{k: _text(org.get(k)) for k in ORGANISATION_FIELDS if k not in PERSONAL},
        "offers": {
            str(o["offer_id"]): {k: _text(o[k]) for k in OFFER_FIELDS} for o in offers.to_dict("records")
        },
    }


def status_options() -> dict[str, str]:
    """An offer's statuses: code -> Danish label."""
    return ws.vocabulary_options("offer_status")


def _clean(name: str, value: object, fields: Mapping[str, tuple[str, int]]) -> str | None:
    """One submitted value checked and normalised (None: cleared); EntryError names the field."""
    label, limit = fields[name]
    text = ws._clean_text("" if value is None else value, label, limit)
    text = " ".join(text.split()) if name != "description" else text
    if not text:
        if name == "name":
            raise ws.EntryError(f"{label}: skal udfyldes.")
        return None
    if name == "postcode" and reference.postcode_point(text) is None:
        raise ws.EntryError(f"{label}: {text!r} er ikke et kendt dansk postnummer.")
    if name == "website":
        return ws.checked_url(text, label)
    if name == "email" and not _EMAIL.match(text):
        raise ws.EntryError(f"{label}: {text!r} ligner ikke en e-mailadresse.")
    if name == "status" and text not in status_options():
        raise ws.EntryError(f"{label}: vælg en af {', '.join(status_options().values())}.")
    return text


def _changes(
    before: Mapping[str, str], sent: Mapping[str, Any], fields: Mapping[str, tuple[str, int]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The sent fields that differ from ``before``: new values and the values they replace."""
    unknown = set(sent) - set(fields)
    if unknown:
        raise ws.EntryError(f"Feltet {sorted(unknown)[0]!r} kan ikke ændres her.")
    new, old = {}, {}
    for name, value in sent.items():
        clean = _clean(name, value, fields)
        if name in PERSONAL and clean is None:  # never shown, so an empty field is no change
            continue
        if (clean or "") != (before.get(name) or ""):
            new[name], old[name] = clean, before.get(name) or None
    return new, old


def standing_session(store: Store, council_id: str, actor: str, *, at: dt.datetime | None = None) -> dict:
    """The council's standing session for organisations' updates, made the first time it is needed: a
    workshops row whose code nobody knows and that expired when it was made (never live, never joined)."""
    workshop_id = f"{ws.STANDING_PREFIX}{council_id}"
    found = store.one("SELECT * FROM workshops WHERE workshop_id = ?", (workshop_id,))
    if found is not None:
        return found
    moment = ws._iso(_now(at))
    row = {
        "workshop_id": workshop_id,
        "name": STANDING_NAME,
        "council_id": council_id,
        "held_on": moment[:10],
        "code_hash": auth.hash_code(secrets.token_urlsafe(24)),
        "code_sealed": None,
        "code_expires_at": moment,
        "snapshot_id": None,
        "created_by": actor,
        "created_at": moment,
    }
    with store.write(actor) as tx:
        again = tx.one("SELECT * FROM workshops WHERE workshop_id = ?", (workshop_id,))
        return again if again is not None else tx.insert("workshops", row, action="opret opdateringer")


def pending(reader: Store | Transaction, council_id: str, organisation_id: str) -> int:
    """How many unreviewed submissions the organisation has in its council's queue (``reader``: the store,
    or a write transaction, so that the count and the insert cannot interleave with another sender's)."""
    rows = reader.rows(
        "SELECT payload FROM entries WHERE workshop_id = ? AND status = 'ny'",
        (f"{ws.STANDING_PREFIX}{council_id}",),
    )
    updates = [json.loads(r["payload"]).get(ws.UPDATE_KEY) or {} for r in rows]
    return len({u.get("submission") for u in updates if u.get("organisation_id") == organisation_id})


def submit(
    store: Store,
    db: Database,
    token: str,
    secret: str,
    organisation: Mapping[str, Any],
    offers: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    at: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """The organisation's changes as entries in its council's review queue (one per changed record), in one
    audited transaction; authorised by ``token`` (InvalidLink, ExpiredLink).  Only fields that differ from
    the serving build count; EntryError (Danish) when nothing changed, a field is wrong, or
    :data:`MAX_PENDING` submissions already wait.  Sending the same changes again returns the first ones."""
    link = redeem(token, secret, now=at)
    shown = current(db, link)
    records: list[tuple[str, str, dict, dict]] = []  # (kind, target id, new, old)
    new, old = _changes(shown, organisation, ORGANISATION_FIELDS)
    if new:
        records.append(("organisation", link.organisation_id, new, old))
    for offer_id, sent in (offers or {}).items():
        if offer_id not in shown["offers"]:
            raise ws.EntryError(f"Tilbuddet {offer_id!r} hører ikke til {shown['name']}.")
        new, old = _changes(shown["offers"][offer_id], sent, OFFER_FIELDS)
        if new:
            records.append(("tilbud", offer_id, new, old))
    if not records:
        raise ws.EntryError("Der er ingen ændringer at sende: alle felter er som før.")
    digest = json.dumps([token, records], ensure_ascii=False, sort_keys=True, default=str)
    submission = hashlib.sha256(digest.encode()).hexdigest()[:24]
    actor = f"{shown['name']} (opdateringslink)"
    session = standing_session(store, link.council_id, actor, at=at)
    stamp = ws._iso(_now(at))
    rows = []
    for n, (kind, target, new, old) in enumerate(records):
        name = new.get("name") or (shown if kind == "organisation" else shown["offers"][target])["name"]
        update = {"target": target, "organisation_id": link.organisation_id, "before": old,
                  "changed": list(new), "submission": submission}  # fmt: skip
        rows.append({
            "entry_id": new_id(),
            "workshop_id": session["workshop_id"],
            "kind": kind,
            "title": f"Opdatering: {name}"[:120],
            "payload": json.dumps({**new, ws.UPDATE_KEY: update}, ensure_ascii=False),
            "lat": None, "lon": None, "municipality_code": None,
            "author": actor,
            "created_at": stamp,
            "client_token": f"opd-{submission}-{n}",
        })  # fmt: skip
    with store.write(
        actor
    ) as tx:  # writers queue one at a time: the checks and the inserts cannot interleave
        again = tx.rows("SELECT * FROM entries WHERE client_token LIKE ?", (f"opd-{submission}-%",))
        if again:  # the same changes sent again (a double click, a retry): the entries already made
            return [
                ws.decode(r) for r in sorted(again, key=lambda r: int(r["client_token"].rsplit("-", 1)[1]))
            ]
        if pending(tx, link.council_id, link.organisation_id) >= MAX_PENDING:
            raise ws.EntryError(
                f"Der venter allerede {MAX_PENDING} opdateringer fra jer, som sundhedsrådet ikke har gennemgået. "
                "Prøv igen, når de er gennemgået, eller skriv til sundhedsrådet."
            )
        return [ws.decode(tx.insert("entries", row, action="opret")) for row in rows]


def changes(entry: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """What an update entry changes: (Danish label, old, new) per field ('–' for none)."""
    update = entry["fields"][ws.UPDATE_KEY]
    fields = ORGANISATION_FIELDS if entry["kind"] == "organisation" else OFFER_FIELDS
    statuses = status_options()

    def shown(name: str, value: object) -> str:
        if value is None or value == "":
            return "ikke vist" if name in PERSONAL else "–"
        return statuses.get(str(value), str(value)) if name == "status" else str(value)

    return [
        (fields[name][0], shown(name, update["before"].get(name)) if name not in PERSONAL else "ikke vist",
         shown(name, entry["fields"].get(name)))
        for name in update["changed"]
    ]  # fmt: skip


__all__ = [
    "ExpiredLink",
    "InvalidLink",
    "Link",
    "changes",
    "current",
    "issue",
    "redeem",
    "submit",
]
