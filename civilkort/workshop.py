"""Workshop capture: what the room adds, kept in the store.

A coordinator creates a workshop (name, council, date) and gets a code to show the room; whoever enters the
code (before it expires) may add entries: an organisation, an offer (tilbud), a collaboration (samarbejde)
or a note for the "parkeringsplads" (a gap, an idea, a question), with a pin or a municipality.  Each entry
is one audited transaction in the store (:mod:`civilkort.store`), durable when the call returns and
untouched by rebuilds; a retried save with the same ``client_token`` returns the entry already saved.

Reviewing the entries and putting them into the data is :mod:`civilkort.review`; the entries as tables, map
rows and choices are :mod:`civilkort.workshop_tables`.

Roles are checked here, in the function that makes the change (:mod:`civilkort.auth`), not only in the UI.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from civilkort import auth, danish, reference, sealed_code
from civilkort.auth import COORDINATOR, PermissionDenied, Principal
from civilkort.db import Database
from civilkort.point_municipality import municipality_at
from civilkort.store import Store, Transaction, new_id

# --- what can be captured --------------------------------------------------------------------------

KINDS: dict[str, str] = {
    "organisation": "Organisation",
    "tilbud": "Tilbud",
    "samarbejde": "Samarbejde",
    "note": "Parkeringsplads",
}
"""Entry kinds (as stored) with their Danish labels."""
NOTE_TYPES: dict[str, str] = {"hul": "Hul", "ide": "Idé", "spoergsmaal": "Spørgsmål"}
"""Kinds of parkeringsplads notes."""
STATUSES: dict[str, str] = {
    "ny": "Ny (ikke gennemgået)",
    "godkendt": "Godkendt",
    "flettet": "Flettet ind i eksisterende",
    "afvist": "Afvist",
}
PRECISIONS: dict[str, str] = {
    "coordinates": "Nål på kortet",
    "postcode": "Postnummer (omtrentlig)",
    "municipality": "Kommune (omtrentlig)",
}
TARGET_TABLES: dict[str, str] = {
    "organisation": "organisations",
    "tilbud": "offers",
    "samarbejde": "collaborations",
}
"""The input table each data kind becomes (notes stay in the store)."""
WORKSHOP_REF = "workshop:"
"""Prefix of a reference to another entry of the same workshop (an organisation added in the room)."""
ID_PREFIX = "WS-"
DENMARK_BOX = (54.4, 7.9, 57.9, 15.3)
"""(south, west, north, east): a pin outside this is refused."""
MAX_TEXT = 200
MAX_LONG_TEXT = 2000
DEFAULT_HOURS = 8.0
PROVENANCE = ("_file", "_sheet", "_row")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class FormField:
    """One field of the fast form.

    kind: ``text``, ``longtext``, ``url``, ``vocab`` / ``vocab_list`` (a built-in vocabulary), ``choice``
    (one of ``choices``), ``organisation`` / ``organisations`` (existing id or an organisation entry of the
    same workshop), ``units`` (existing regional unit ids).
    """

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    vocabulary: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""


FIELDS: dict[str, tuple[FormField, ...]] = {
    "organisation": (
        FormField("name", "Navn", required=True),
        FormField("organisation_type", "Organisationstype", "vocab", True, "organisation_type"),
        FormField("staffing", "Bemanding", "vocab", vocabulary="staffing"),
        FormField("description", "Beskrivelse", "longtext"),
        FormField("website", "Hjemmeside", "url"),
    ),
    "tilbud": (
        FormField("name", "Navn på tilbuddet", required=True),
        FormField(
            "organisation_id",
            "Organisation",
            "organisation",
            help="Vælg en eksisterende organisation eller en, der er tilføjet på workshoppen.",
        ),
        FormField(
            "organisation_name",
            "Organisation (hvis den ikke findes på listen)",
            help="Koordinatoren knytter tilbuddet til organisationen ved gennemgangen.",
        ),
        FormField("themes", "Temaer", "vocab_list", True, "theme"),
        FormField("target_groups", "Målgrupper", "vocab_list", vocabulary="target_group"),
        FormField("description", "Beskrivelse", "longtext"),
    ),
    "samarbejde": (
        FormField("title", "Titel", required=True),
        FormField("unit_ids", "Regionale enheder", "units"),
        FormField("organisation_ids", "Organisationer", "organisations"),
        FormField("partner_names", "Parter (hvis de ikke findes på listerne)"),
        FormField("themes", "Temaer", "vocab_list", vocabulary="theme"),
        FormField("kind", "Art", "vocab", vocabulary="collaboration_kind"),
        FormField("description", "Beskrivelse", "longtext"),
    ),
    "note": (
        FormField("note_type", "Type", "choice", True, choices=tuple(NOTE_TYPES.items())),
        FormField("text", "Tekst", "longtext", True),
        FormField("themes", "Temaer", "vocab_list", vocabulary="theme"),
    ),
}
"""The fast form per kind: a few fields, in the order shown."""
TITLE_FIELD = {"organisation": "name", "tilbud": "name", "samarbejde": "title", "note": "text"}
MERGEABLE: dict[str, tuple[str, ...]] = {
    "organisation": ("name", "organisation_type", "staffing", "description", "website", "placering"),
    "tilbud": ("name", "organisation_id", "themes", "target_groups", "description", "placering"),
    "samarbejde": ("title", "unit_ids", "organisation_ids", "themes", "kind", "description"),
}
"""Fields a merge can fill or replace in the existing record ("placering": the pin or municipality)."""
FIELD_LABELS = {f.name: f.label for fields in FIELDS.values() for f in fields} | {"placering": "Placering"}


class EntryError(ValueError):
    """An entry or a review that cannot be saved; the message is Danish and names the field."""


# --- small helpers ---------------------------------------------------------------------------------


def _now(at: dt.datetime | None = None) -> dt.datetime:
    return at or dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def _clean_text(value: object, label: str, limit: int) -> str:
    text = _CONTROL.sub("", str(value)).strip()
    if len(text) > limit:
        raise EntryError(f"{label}: højst {limit} tegn (der er {len(text)}).")
    return text


STANDING_PREFIX = "opdateringer-"
"""Id prefix of a council's standing session for updates sent by organisations (civilkort.update_form):
never live, never joined, shown only on Gennemgang."""
UPDATE_KEY = "_opdatering"
"""Payload key of an entry sent by an organisation through its update link: target, before, changed."""


def is_standing(workshop: Mapping[str, Any]) -> bool:
    """True for a council's standing 'Opdateringer fra organisationer' session (not a real workshop)."""
    return str(workshop.get("workshop_id", "")).startswith(STANDING_PREFIX)


def is_update(entry: Mapping[str, Any]) -> bool:
    """True for an entry that asks to change an existing record (sent by the organisation itself)."""
    return isinstance(entry.get("fields"), Mapping) and UPDATE_KEY in entry["fields"]


def workshop_label(workshop: Mapping[str, Any]) -> str:
    """'Workshop Vest, 01-02-2027' for lists and marks (a standing session: its name only)."""
    if is_standing(workshop):
        return str(workshop["name"])
    return f"{workshop['name']}, {danish.date(workshop['held_on'])}"


def source_text(workshop: Mapping[str, Any]) -> str:
    """The ``source`` of a record that came from a workshop: 'Workshop <name>, <date>' (or the standing
    session's: 'opdatering fra organisationen')."""
    if is_standing(workshop):
        return "opdatering fra organisationen"
    return f"Workshop {workshop_label(workshop)}"


def record_id(entry: Mapping[str, Any]) -> str:
    """The id an accepted entry gets in the data: 'WS-' and the start of the entry id (stable)."""
    return f"{ID_PREFIX}{str(entry['entry_id'])[:10].upper()}"


@dataclass(frozen=True)
class _Vocab:
    by_key: dict[str, dict[str, str]]
    labels: dict[str, dict[str, str]]


_vocab_cache: _Vocab | None = None


def _vocab() -> _Vocab:
    global _vocab_cache
    if _vocab_cache is None:
        v = reference.vocabularies()
        by_key: dict[str, dict[str, str]] = {}
        labels: dict[str, dict[str, str]] = {}
        for name, code, label in zip(v["vocabulary"], v["code"], v["label"], strict=True):
            keys = by_key.setdefault(name, {})
            keys[reference.fold(code)] = code
            keys[reference.fold(label)] = code
            labels.setdefault(name, {})[code] = label
        _vocab_cache = _Vocab(by_key, labels)
    return _vocab_cache


def vocabulary_options(name: str) -> dict[str, str]:
    """Code -> Danish label of a built-in vocabulary, in its order (for the form)."""
    return dict(_vocab().labels.get(name, {}))


def _vocab_code(vocabulary: str, value: object, label: str) -> str:
    code = _vocab().by_key.get(vocabulary, {}).get(reference.fold(value))
    if code is None:
        allowed = ", ".join(_vocab().labels.get(vocabulary, {}).values())
        raise EntryError(f"{label}: {str(value)!r} er ikke en kendt værdi. Vælg en af: {allowed}.")
    return code


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"[;\n]", value) if p.strip()]
    if isinstance(value, Iterable):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [str(value)]


def _empty(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str | list | tuple | np.ndarray):
        return len(value) == 0
    return False


# --- workshops -------------------------------------------------------------------------------------


def get_workshop(store: Store, workshop_id: str) -> dict[str, Any]:
    """One workshop row; EntryError (Danish) if there is none."""
    row = store.one("SELECT * FROM workshops WHERE workshop_id = ?", (workshop_id,))
    if row is None:
        raise EntryError("Workshoppen findes ikke (længere).")
    return row


def list_workshops(store: Store, *, live_only: bool = False, at: dt.datetime | None = None) -> list[dict]:
    """All workshops, newest first (with ``live_only`` only those whose code has not expired)."""
    rows = store.rows("SELECT * FROM workshops ORDER BY held_on DESC, created_at DESC")
    if live_only:
        rows = [w for w in rows if auth.code_is_live(w, at=at)]
    return rows


def create_workshop(
    store: Store,
    principal: Principal,
    name: str,
    *,
    held_on: dt.date,
    council_id: str | None = None,
    code: str | None = None,
    hours: float = DEFAULT_HOURS,
    snapshot_id: str | None = None,
    secret: str | None = None,
    at: dt.datetime | None = None,
) -> tuple[dict[str, Any], str]:
    """Create a workshop (coordinator of ``council_id``; without a council, a national administrator);
    returns the row and its code.  The store keeps the code's salted hash (joins are checked against it)
    and, given the service's ``secret``, the code sealed so that :func:`running_code` can show it again."""
    auth.require(principal, COORDINATOR)
    name = _clean_text(name, "Navn", MAX_TEXT)
    if not name:
        raise EntryError("Navn: skriv workshoppens navn.")
    if council_id and council_id not in set(reference.councils()["council_id"]):
        raise EntryError(f"Sundhedsråd: {council_id!r} findes ikke.")
    auth.require_council(principal, [council_id or None], what="Workshoppen")
    code = _checked_code(code)
    if hours <= 0:
        raise EntryError("Gyldighed: angiv et positivt antal timer.")
    moment = _now(at)
    workshop_id = new_id()
    row = {
        "workshop_id": workshop_id,
        "name": name,
        "council_id": council_id or None,
        "held_on": held_on.isoformat(),
        **_code_columns(workshop_id, code, secret),
        "code_expires_at": _iso(moment + dt.timedelta(hours=hours)),
        "snapshot_id": snapshot_id,
        "created_by": principal.name,
        "created_at": _iso(moment),
    }
    with store.write(principal.actor) as tx:
        stored = tx.insert("workshops", row, action="opret workshop")
    return stored, code


def require_workshop(principal: Principal, workshop: Mapping[str, Any]) -> None:
    """PermissionDenied unless the caller coordinates the workshop's council (none: national)."""
    auth.require_council(principal, [workshop.get("council_id")], what=f"Workshoppen '{workshop['name']}'")


def in_scope(principal: Principal, workshops: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The workshops whose council the caller coordinates (for lists that offer changes)."""
    return [w for w in workshops if principal.may_coordinate(w.get("council_id"))]


def _code_columns(workshop_id: str, code: str, secret: str | None) -> dict[str, str | None]:
    """The stored form of a code: its salted hash, and the code sealed under ``secret`` (None without one)."""
    code_hash = auth.hash_code(code)
    sealed = sealed_code.seal(code, secret, workshop_id=workshop_id, code_hash=code_hash) if secret else None
    return {"code_hash": code_hash, "code_sealed": sealed}


def require_code_reader(
    principal: Principal, workshop: Mapping[str, Any], *, at: dt.datetime | None = None
) -> None:
    """PermissionDenied (Danish) unless the caller may see the workshop's running code: a coordinator of its
    council, or the projector screen signed in for *this* workshop (its link not yet expired: the code is
    shown to the room anyway). A projector of another workshop, a participant and anyone else are refused."""
    if principal.is_projector:
        mine = principal.workshop_id == workshop["workshop_id"]
        if mine and principal.expires is not None and _now(at).timestamp() < principal.expires:
            return
        raise PermissionDenied(
            f"Du er på projektorskærmen for en anden workshop: koden til '{workshop['name']}' vises hos "
            "koordinatoren og på workshoppens egen projektor."
            if not mine
            else "Projektorlinket er udløbet. Bed koordinatoren om et nyt."
        )
    auth.require(principal, COORDINATOR)
    require_workshop(principal, workshop)


def running_code(
    store: Store, principal: Principal, workshop_id: str, *, secret: str, at: dt.datetime | None = None
) -> str | None:
    """The workshop's current code, to show it again: to a coordinator of the workshop's council, and to
    the workshop's own projector screen (:func:`require_code_reader`); None when it cannot be shown (made
    before codes were kept, or sealed under another secret): make a new one.

    Raises PermissionDenied (Danish) for anyone else; reading it is not audited (the code is never logged).
    """
    workshop = get_workshop(store, workshop_id)
    require_code_reader(principal, workshop, at=at)
    return sealed_code.unseal(
        workshop.get("code_sealed"), secret, workshop_id=workshop_id, code_hash=workshop["code_hash"]
    )


def _checked_code(code: str | None) -> str:
    """A code given by the facilitator (letters, digits, spaces, dashes; at least 4), or a new one."""
    code = (code or "").strip()
    if not code:
        return auth.new_code()
    if not re.fullmatch(r"[A-Za-z0-9æøåÆØÅ -]{4,40}", code) or len(re.sub(r"\W", "", code)) < 4:
        raise EntryError("Kode: 4–40 tegn, kun bogstaver, tal, mellemrum og bindestreg.")
    return code


def new_code(
    store: Store,
    principal: Principal,
    workshop_id: str,
    *,
    code: str | None = None,
    hours: float | None = None,
    secret: str | None = None,
    at: dt.datetime | None = None,
) -> str:
    """Give a workshop a new code (coordinator); sessions that joined with the old code must re-enter it.
    With the service's ``secret`` the new code is kept sealed, to be shown again (:func:`running_code`)."""
    auth.require(principal, COORDINATOR)
    require_workshop(principal, get_workshop(store, workshop_id))
    code = _checked_code(code)
    changes: dict[str, Any] = _code_columns(workshop_id, code, secret)
    if hours is not None:
        changes["code_expires_at"] = _iso(_now(at) + dt.timedelta(hours=hours))
    with store.write(principal.actor) as tx:
        tx.update("workshops", workshop_id, changes, action="ny kode")
    return code


def extend(
    store: Store, principal: Principal, workshop_id: str, *, hours: float = 2.0, at: dt.datetime | None = None
) -> dict[str, Any]:
    """Let the code work ``hours`` longer (from now, or from its expiry if that is later)."""
    auth.require(principal, COORDINATOR)
    workshop = get_workshop(store, workshop_id)
    require_workshop(principal, workshop)
    start = max(_now(at), dt.datetime.fromisoformat(workshop["code_expires_at"]))
    with store.write(principal.actor) as tx:
        return tx.update(
            "workshops",
            workshop_id,
            {"code_expires_at": _iso(start + dt.timedelta(hours=hours))},
            action="forlæng kode",
        )


def end_workshop(
    store: Store, principal: Principal, workshop_id: str, *, at: dt.datetime | None = None
) -> dict[str, Any]:
    """End capture now: the code expires (entries stay for review)."""
    auth.require(principal, COORDINATOR)
    require_workshop(principal, get_workshop(store, workshop_id))
    with store.write(principal.actor) as tx:
        return tx.update(
            "workshops", workshop_id, {"code_expires_at": _iso(_now(at))}, action="afslut workshop"
        )


def join(
    store: Store,
    principal: Principal,
    workshop_id: str,
    code: str,
    name: str,
    *,
    at: dt.datetime | None = None,
) -> Principal:
    """Join a workshop with its code and your name; PermissionDenied (Danish) if wrong or expired."""
    name = _CONTROL.sub("", name or "").strip()[:80]
    if not name:
        raise EntryError("Dit navn: skriv dit navn, så koordinatoren ved, hvem der har tilføjet hvad.")
    return auth.as_participant(principal, get_workshop(store, workshop_id), code, name, at=at)


def is_live(store: Store, *, at: dt.datetime | None = None) -> bool:
    """True while some workshop's code works or some entry awaits review (one cheap query)."""
    row = store.one(
        "SELECT EXISTS (SELECT 1 FROM workshops WHERE code_expires_at > ?)"
        " OR EXISTS (SELECT 1 FROM entries WHERE status = 'ny') AS live",
        (_iso(_now(at)),),
    )
    return bool(row and row["live"])


# --- placing a pin ---------------------------------------------------------------------------------


def place(
    *,
    lat: float | None = None,
    lon: float | None = None,
    municipality: object = None,
    postcode: object = None,
    db: Database | None = None,
) -> dict[str, Any]:
    """Where an entry is: lat, lon, municipality_code, precision, postcode (all None without a location)."""
    if lat is not None and lon is not None and not (_empty(lat) or _empty(lon)):
        try:
            lat, lon = float(lat), float(lon)
        except (TypeError, ValueError):
            raise EntryError("Placering: nålens koordinater kan ikke læses.") from None
        south, west, north, east = DENMARK_BOX
        if not (south <= lat <= north and west <= lon <= east):
            raise EntryError("Placering: nålen ligger uden for Danmark. Sæt den igen på kortet.")
        code = municipality_at(lat, lon, db)
        return {"lat": round(lat, 6), "lon": round(lon, 6), "municipality_code": code,
                "precision": "coordinates", "postcode": None}  # fmt: skip
    if not _empty(postcode):
        found = reference.postcode_point(postcode)
        if found is None:
            raise EntryError(f"Postnummer: {str(postcode)!r} er ikke et kendt dansk postnummer.")
        p_lon, p_lat, code = found
        return {"lat": p_lat, "lon": p_lon, "municipality_code": int(code), "precision": "postcode",
                "postcode": f"{int(str(postcode).strip()):04d}"}  # fmt: skip
    if not _empty(municipality):
        code = reference.municipality_code(municipality)
        if code is None:
            raise EntryError(f"Kommune: {str(municipality)!r} er ikke en kendt kommune.")
        m = reference.municipalities().set_index("municipality_code").loc[code]
        return {"lat": float(m["lat"]), "lon": float(m["lon"]), "municipality_code": int(code),
                "precision": "municipality", "postcode": None}  # fmt: skip
    return {"lat": None, "lon": None, "municipality_code": None, "precision": None, "postcode": None}


# --- validating the form ---------------------------------------------------------------------------


def _existing_ids(db: Database | None, table: str, key: str, ids: Sequence[str]) -> set[str]:
    if db is None or not ids:
        return set(ids)
    found = db.query(f"SELECT {key} FROM {table} WHERE list_contains($ids, {key})", {"ids": list(ids)})
    return set(found[key].astype(str))


def _check_refs(
    store: Store, db: Database | None, workshop_id: str, field: FormField, values: list[str]
) -> list[str]:
    """Existing ids (checked against the serving data when given) and 'workshop:<entry>' organisations."""
    table, key = (
        ("regional_units", "unit_id") if field.kind == "units" else ("organisations", "organisation_id")
    )
    local = [v for v in values if v.startswith(WORKSHOP_REF)]
    plain = [v for v in values if not v.startswith(WORKSHOP_REF)]
    if local and field.kind == "units":
        raise EntryError(f"{field.label}: vælg regionale enheder fra listen.")
    missing = [v for v in plain if v not in _existing_ids(db, table, key, plain)]
    if missing:
        raise EntryError(f"{field.label}: {missing[0]!r} findes ikke i de nuværende data.")
    for ref in local:
        row = store.one(
            "SELECT kind, workshop_id FROM entries WHERE entry_id = ?", (ref.removeprefix(WORKSHOP_REF),)
        )
        if row is None or row["kind"] != "organisation" or row["workshop_id"] != workshop_id:
            raise EntryError(f"{field.label}: organisationen fra workshoppen findes ikke (længere).")
    return list(dict.fromkeys(values))


def validate_fields(
    kind: str,
    fields: Mapping[str, Any],
    *,
    store: Store | None = None,
    workshop_id: str = "",
    db: Database | None = None,
) -> dict[str, Any]:
    """The form's fields checked and normalised (vocabulary labels to codes); EntryError names the field."""
    if kind not in FIELDS:
        raise EntryError(f"Type: {kind!r} kendes ikke. Vælg en af: {', '.join(KINDS.values())}.")
    unknown = set(fields) - {f.name for f in FIELDS[kind]}
    if unknown:
        raise EntryError(f"Feltet {sorted(unknown)[0]!r} hører ikke til en {KINDS[kind].lower()}.")
    out: dict[str, Any] = {}
    for f in FIELDS[kind]:
        raw = fields.get(f.name)
        if f.kind in ("vocab_list", "organisations", "units"):
            values = [_clean_text(v, f.label, MAX_TEXT) for v in _as_list(raw)]
            if f.kind == "vocab_list":
                values = list(dict.fromkeys(_vocab_code(f.vocabulary or "", v, f.label) for v in values))
            elif store is not None:
                values = _check_refs(store, db, workshop_id, f, values)
            value: Any = values
        elif _empty(raw):
            value = None
        else:
            text = _clean_text(raw, f.label, MAX_LONG_TEXT if f.kind == "longtext" else MAX_TEXT)
            value = text or None
            if value and f.kind == "vocab":
                value = _vocab_code(f.vocabulary or "", value, f.label)
            elif value and f.kind == "choice":
                keys = {reference.fold(k): k for k, _ in f.choices} | {
                    reference.fold(v): k for k, v in f.choices
                }
                if reference.fold(value) not in keys:
                    raise EntryError(f"{f.label}: vælg en af {', '.join(v for _, v in f.choices)}.")
                value = keys[reference.fold(value)]
            elif value and f.kind == "url":
                value = checked_url(value, f.label)
            elif value and f.kind == "organisation" and store is not None:
                value = _check_refs(store, db, workshop_id, f, [value])[0]
        if f.required and _empty(value):
            raise EntryError(f"{f.label}: skal udfyldes.")
        out[f.name] = value
    return out


def checked_url(value: str, label: str) -> str:
    """A web address as typed ('example.dk' -> 'https://example.dk'); EntryError if it is not one."""
    if not re.match(r"(?i)^(https?://)?[\w.-]+\.[a-z]{2,}(/\S*)?$", value):
        raise EntryError(f"{label}: {value!r} ligner ikke en webadresse.")
    if not value.lower().startswith(("http://", "https://")):
        value = "https://" + value
    return value


def _title(kind: str, fields: Mapping[str, Any]) -> str:
    title = str(fields.get(TITLE_FIELD[kind]) or "").strip()
    if kind == "note":
        label = NOTE_TYPES.get(str(fields.get("note_type")), "Note")
        title = f"{label}: {title}"
    return title if len(title) <= 120 else title[:119] + "…"


# --- capture ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saved:
    """What add_entry did: the entry as stored, and whether this call created it (False: a retried save)."""

    entry: dict[str, Any]
    created: bool


def decode(row: Mapping[str, Any]) -> dict[str, Any]:
    """An entries row with ``fields`` (the form's fields) and ``merge_fields`` decoded from JSON."""
    out = dict(row)
    out["fields"] = json.loads(row.get("payload") or "{}")
    out["merge_fields"] = json.loads(row.get("merge_fields") or "[]")
    return out


def form_token(
    workshop_id: str,
    author: str,
    kind: str,
    fields: Mapping[str, Any],
    *,
    lat: float | None = None,
    lon: float | None = None,
    municipality: object = None,
    postcode: object = None,
) -> str:
    """The ``client_token`` of a form as filled in: the same entry by the same person gives the same token in
    any session on any replica, so a save repeated after a lost answer (a reconnect) finds the first one."""
    content = {
        "workshop_id": workshop_id,
        "author": author,
        "kind": kind,
        "fields": {name: fields[name] for name in sorted(fields)},
        "where": [lat, lon, municipality, postcode],
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return "form-" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def add_entry(
    store: Store,
    principal: Principal,
    workshop_id: str,
    kind: str,
    fields: Mapping[str, Any],
    *,
    client_token: str,
    lat: float | None = None,
    lon: float | None = None,
    municipality: object = None,
    postcode: object = None,
    db: Database | None = None,
    at: dt.datetime | None = None,
) -> Saved:
    """Save one entry from the room: checked, placed, audited, durable on return; idempotent on client_token.

    Raises PermissionDenied without the workshop's current code (checked at write time) and EntryError
    (Danish, naming the field) for bad input. A second call with the same ``client_token`` (a double click,
    a retried save) returns the entry saved the first time, never a duplicate.
    """
    token = str(client_token or "").strip()
    if not token:
        raise EntryError("Intern fejl: formularen mangler sit engangs-id (client_token).")
    existing = store.one("SELECT * FROM entries WHERE client_token = ?", (token,))
    if existing is not None:
        return _same_save(existing, principal, workshop_id)
    workshop = get_workshop(store, workshop_id)
    auth.require_participant(principal, workshop, at=at)
    clean = validate_fields(kind, fields, store=store, workshop_id=workshop_id, db=db)
    where = place(lat=lat, lon=lon, municipality=municipality, postcode=postcode, db=db)
    if kind == "organisation" and where["precision"] is None:
        raise EntryError("Placering: sæt en nål på kortet, eller vælg kommune eller postnummer.")
    if where["precision"]:
        clean = {**clean, "_placering": where["precision"], "_postnummer": where["postcode"]}
    row = {
        "entry_id": new_id(),
        "workshop_id": workshop_id,
        "kind": kind,
        "title": _title(kind, clean),
        "payload": json.dumps(clean, ensure_ascii=False),
        "lat": where["lat"],
        "lon": where["lon"],
        "municipality_code": where["municipality_code"],
        "author": principal.name,
        "created_at": _iso(_now(at)),
        "client_token": token,
    }
    with store.write(principal.actor) as tx:
        # Writers queue one at a time (store.write): this check and the insert cannot interleave with another.
        again = tx.one("SELECT * FROM entries WHERE client_token = ?", (token,))
        if again is not None:
            return _same_save(again, principal, workshop_id)
        auth.require_participant(principal, get_workshop_in(tx, workshop_id), at=at)
        stored = tx.insert("entries", row, action="opret")
    return Saved(decode(stored), True)


def get_workshop_in(tx: Transaction, workshop_id: str) -> dict[str, Any]:
    """The workshop row read inside a write transaction (its code may just have changed)."""
    found = tx.one("SELECT * FROM workshops WHERE workshop_id = ?", (workshop_id,))
    if found is None:
        raise EntryError("Workshoppen findes ikke (længere).")
    return found


def _same_save(existing: Mapping[str, Any], principal: Principal, workshop_id: str) -> Saved:
    if existing["workshop_id"] != workshop_id or existing["author"] != principal.name:
        raise EntryError("Formularen er allerede brugt til en anden indtastning. Genindlæs siden.")
    return Saved(decode(existing), False)


def entries(
    store: Store,
    workshop_id: str | None = None,
    *,
    statuses: Iterable[str] | None = None,
    kinds: Iterable[str] | None = None,
    workshop_ids: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """Entries (decoded), oldest first, optionally of one workshop (or of ``workshop_ids``), some statuses or kinds."""
    where, params = [], []
    if workshop_id:
        where.append("workshop_id = ?")
        params.append(workshop_id)
    for column, values in (("status", statuses), ("kind", kinds), ("workshop_id", workshop_ids)):
        if values is not None:
            values = list(values)
            where.append(f"{column} IN ({', '.join('?' * len(values)) or 'NULL'})")
            params += values
    sql = "SELECT * FROM entries" + (f" WHERE {' AND '.join(where)}" if where else "")
    return [decode(r) for r in store.rows(sql + " ORDER BY created_at, entry_id", params)]


def get_entry(store: Store, entry_id: str) -> dict[str, Any]:
    """One entry (decoded); EntryError if it is gone."""
    row = store.one("SELECT * FROM entries WHERE entry_id = ?", (entry_id,))
    if row is None:
        raise EntryError("Indtastningen findes ikke (længere); den kan være fortrudt.")
    return decode(row)


def changed_since(store: Store, version: int) -> tuple[int, list[str]]:
    """The store's version now and the ids of entries changed after ``version`` (for polling screens)."""
    now_version = store.version()
    if now_version == version:
        return now_version, []
    rows = store.rows(
        "SELECT DISTINCT entity_id FROM audit WHERE audit_id > ? AND entity = 'entries'", (int(version),)
    )
    return now_version, [r["entity_id"] for r in rows]


__all__ = [
    "EntryError",
    "FIELDS",
    "KINDS",
    "NOTE_TYPES",
    "PermissionDenied",
    "Saved",
    "STATUSES",
    "add_entry",
    "create_workshop",
    "running_code",
    "end_workshop",
    "entries",
    "extend",
    "join",
    "new_code",
]
