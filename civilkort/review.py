"""Review of what the room added, and its way into the data.

A coordinator accepts (optionally with edits), merges into an existing record, or rejects each entry a
workshop captured (:mod:`civilkort.workshop`); :func:`plan_apply` turns accepted and merged entries into
ordinary input rows, which :mod:`etl.apply` hands to the rebuild (all or nothing; the previous data keep
serving on any error) before :func:`mark_applied` marks them.
Notes stay in the store. Every change is one audited transaction; :func:`undo_last` undoes the newest, and
:func:`trail` shows them.

Roles are checked here, in the function that makes the change (:mod:`civilkort.auth`), not only in the UI.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from civilkort import auth, danish
from civilkort.auth import COORDINATOR, PARTICIPANT, PermissionDenied, Principal
from civilkort.db import Database
from civilkort.schema import TABLES_BY_NAME
from civilkort.store import NothingToUndo, Store
from civilkort.workshop import (
    FIELD_LABELS,
    FIELDS,
    KINDS,
    MAX_TEXT,
    MERGEABLE,
    PROVENANCE,
    STATUSES,
    TARGET_TABLES,
    TITLE_FIELD,
    UPDATE_KEY,
    WORKSHOP_REF,
    EntryError,
    _clean_text,
    _empty,
    _existing_ids,
    _iso,
    _now,
    _title,
    decode,
    entries,
    get_workshop,
    get_workshop_in,
    is_update,
    list_workshops,
    record_id,
    require_workshop,
    source_text,
    validate_fields,
    workshop_label,
)

# --- review ----------------------------------------------------------------------------------------


def _open_for_review(
    tx: Any, entry_id: str, principal: Principal, expected_version: int | None = None
) -> dict[str, Any]:
    row = tx.get("entries", entry_id)
    if row is None:
        raise EntryError("Indtastningen findes ikke (længere); den kan være fortrudt.")
    require_workshop(principal, get_workshop_in(tx, row["workshop_id"]))
    if expected_version is not None and row.get("version") != expected_version:
        raise tx.conflict("entries", entry_id, row)
    if row["status"] != "ny":
        raise EntryError(f"'{row['title']}' er allerede gennemgået ({STATUSES[row['status']].lower()}).")
    return decode(row)


def _ready_for_data(entry: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
    """A data entry must be complete enough to become a record when it is accepted."""
    kind = entry["kind"]
    if kind == "tilbud" and _empty(fields.get("organisation_id")):
        raise EntryError(
            f"'{entry['title']}': vælg tilbuddets organisation (Ret og godkend), før det kan godkendes."
        )
    if kind == "samarbejde":
        for name in ("unit_ids", "organisation_ids"):
            if _empty(fields.get(name)):
                raise EntryError(
                    f"'{entry['title']}': {FIELD_LABELS[name]} skal udfyldes (Ret og godkend), "
                    "før samarbejdet kan godkendes."
                )


def accept(
    store: Store,
    principal: Principal,
    entry_id: str,
    *,
    edits: Mapping[str, Any] | None = None,
    note: str | None = None,
    db: Database | None = None,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Accept an entry (coordinator), optionally with edited fields; one audited change (undoable).

    With ``expected_version`` (the entry's version when the coordinator opened it) a change made since
    raises Conflict, naming who and when."""
    auth.require(principal, COORDINATOR)
    with store.write(principal.actor) as tx:
        entry = _open_for_review(tx, entry_id, principal, expected_version)
        if is_update(entry):  # the organisation's own change to its record: accepting it is merging it
            if edits:
                raise EntryError("En opdatering fra organisationen kan godkendes eller afvises, ikke rettes.")
            update = entry["fields"][UPDATE_KEY]
            _target(db, entry["kind"], update["target"])
            changes = {
                "status": "flettet",
                "merged_into": update["target"],
                "merge_fields": json.dumps(update["changed"]),
                "reviewed_by": principal.name,
                "reviewed_at": _iso(_now(at)),
                "review_note": _clean_text(note, "Bemærkning", MAX_TEXT) if note else None,
            }
            return decode(
                tx.update("entries", entry_id, changes, action="godkend", expected_version=expected_version)
            )
        fields = {k: v for k, v in entry["fields"].items() if not k.startswith("_")}
        extra = {k: v for k, v in entry["fields"].items() if k.startswith("_")}
        if edits:
            fields = validate_fields(
                entry["kind"], {**fields, **edits}, store=store, workshop_id=entry["workshop_id"], db=db
            )
        _ready_for_data(entry, fields)
        changes: dict[str, Any] = {
            "status": "godkendt",
            "reviewed_by": principal.name,
            "reviewed_at": _iso(_now(at)),
            "review_note": _clean_text(note, "Bemærkning", MAX_TEXT) if note else None,
        }
        if edits:
            changes["payload"] = json.dumps({**fields, **extra}, ensure_ascii=False)
            changes["title"] = _title(entry["kind"], fields)
        return decode(
            tx.update("entries", entry_id, changes, action="godkend", expected_version=expected_version)
        )


def _target(db: Database | None, kind: str, target_id: str) -> None:
    table = TARGET_TABLES[kind]
    key = {"organisations": "organisation_id", "offers": "offer_id", "collaborations": "collaboration_id"}[
        table
    ]
    if db is not None and not _existing_ids(db, table, key, [target_id]):
        raise EntryError(f"Flet: {target_id!r} findes ikke blandt de nuværende {KINDS[kind].lower()}er.")


def merge(
    store: Store,
    principal: Principal,
    entry_id: str,
    target_id: str,
    *,
    replace: Iterable[str] = (),
    note: str | None = None,
    db: Database | None = None,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Merge an entry into an existing record (coordinator): its fields fill the record's empty fields,
    and replace those named in ``replace``, when the accepted entries are put into the data.
    ``expected_version`` as for :func:`accept`."""
    auth.require(principal, COORDINATOR)
    target_id = str(target_id or "").strip()
    with store.write(principal.actor) as tx:
        entry = _open_for_review(tx, entry_id, principal, expected_version)
        if is_update(entry):
            raise EntryError(
                "En opdatering fra organisationen gælder sin egen post; godkend eller afvis den."
            )
        if entry["kind"] not in MERGEABLE:
            raise EntryError(
                "En note fra parkeringspladsen kan ikke flettes ind i en post; godkend eller afvis den."
            )
        if not target_id:
            raise EntryError("Flet: vælg den eksisterende post, der skal flettes ind i.")
        _target(db, entry["kind"], target_id)
        chosen = list(dict.fromkeys(replace))
        wrong = [f for f in chosen if f not in MERGEABLE[entry["kind"]]]
        if wrong:
            raise EntryError(
                f"Flet: feltet {wrong[0]!r} kan ikke erstattes i en {KINDS[entry['kind']].lower()}."
            )
        changes = {
            "status": "flettet",
            "merged_into": target_id,
            "merge_fields": json.dumps(chosen),
            "reviewed_by": principal.name,
            "reviewed_at": _iso(_now(at)),
            "review_note": _clean_text(note, "Bemærkning", MAX_TEXT) if note else None,
        }
        return decode(
            tx.update("entries", entry_id, changes, action="flet", expected_version=expected_version)
        )


def reject(
    store: Store,
    principal: Principal,
    entry_id: str,
    reason: str,
    *,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Reject an entry (coordinator) with a reason; it stays in the store and the audit trail.
    ``expected_version`` as for :func:`accept`."""
    auth.require(principal, COORDINATOR)
    reason = _clean_text(reason or "", "Begrundelse", MAX_TEXT)
    if not reason:
        raise EntryError("Begrundelse: skriv hvorfor indtastningen afvises.")
    with store.write(principal.actor) as tx:
        _open_for_review(tx, entry_id, principal, expected_version)
        changes = {
            "status": "afvist",
            "review_note": reason,
            "reviewed_by": principal.name,
            "reviewed_at": _iso(_now(at)),
        }
        return decode(
            tx.update("entries", entry_id, changes, action="afvis", expected_version=expected_version)
        )


def last_change(store: Store, principal: Principal) -> dict[str, Any] | None:
    """The change :func:`undo_last` would undo for this user (None if nothing), for the button's label."""
    if principal.has(COORDINATOR):
        return store.last_undoable(entity="entries")
    if PARTICIPANT in principal.roles:
        return store.last_undoable(actor=principal.actor, entity="entries")
    return None


def undo_last(store: Store, principal: Principal, *, at: dt.datetime | None = None) -> dict[str, Any]:
    """Undo the newest change to the entries: a coordinator any (in a workshop of their councils; the newest
    change being another council's is refused, naming it), a participant only their own last entry (while
    it is unreviewed and their code still works). Returns the audit row undone.

    When the newest change is an apply, it is refused here: undoing it takes its records out of the data
    again, a rebuild (:func:`etl.apply.undo_last` does both), so the data never keep what the entries no
    longer say was applied."""
    if principal.has(COORDINATOR):
        if last_apply(store) is not None:
            raise EntryError(
                "Den seneste ændring lagde indtastninger ind i data; den fortrydes sammen med data "
                "(en genopbygning), ikke her."
            )

        def in_my_councils(change: dict) -> None:
            row = json.loads(change["after"] or change["before"] or "{}")
            workshop = get_workshop(store, row.get("workshop_id", ""))
            what = f"Den seneste ændring ('{row.get('title', '')}' i workshoppen '{workshop['name']}')"
            auth.require_council(principal, [workshop.get("council_id")], what=what)

        try:
            return store.undo_last(principal.actor, entity="entries", check=in_my_councils)
        except NothingToUndo as exc:
            raise EntryError(str(exc)) from None
    if PARTICIPANT not in principal.roles or not principal.workshop_id:
        raise PermissionDenied(f"Du kan ikke fortryde her. {auth.WHAT_IT_TAKES[PARTICIPANT]}")
    auth.require_participant(principal, get_workshop(store, principal.workshop_id), at=at)
    change = store.last_undoable(actor=principal.actor, entity="entries")
    after = json.loads(change["after"]) if change and change["after"] else None
    if (
        change is None
        or change["action"] != "opret"
        or not after
        or after["workshop_id"] != principal.workshop_id
    ):
        raise EntryError("Du har ingen indtastning at fortryde i denne workshop.")
    current = store.one("SELECT status FROM entries WHERE entry_id = ?", (change["entity_id"],))
    if current is not None and current["status"] != "ny":
        raise EntryError("Din seneste indtastning er allerede gennemgået; bed koordinatoren om at ændre den.")
    try:
        return store.undo_last(principal.actor, only_by=principal.actor, entity="entries")
    except NothingToUndo as exc:
        raise EntryError(str(exc)) from None


# --- into the data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """What apply_accepted did: entries applied (entry id -> record id), rows per table, the new build."""

    records: dict[str, str]
    rows: dict[str, int]
    build_path: str | None


def _location_columns(entry: Mapping[str, Any]) -> dict[str, Any]:
    precision = entry["fields"].get("_placering")
    if precision == "coordinates":
        return {"lat": entry["lat"], "lon": entry["lon"], "municipality": entry["municipality_code"]}
    if precision == "postcode":
        return {"postcode": entry["fields"].get("_postnummer"), "municipality": entry["municipality_code"]}
    if precision == "municipality":
        return {"municipality": entry["municipality_code"]}
    return {}


def _record_fields(entry: Mapping[str, Any], resolve: Any) -> dict[str, Any]:
    """The entry's fields as input columns of its target table."""
    f = entry["fields"]
    kind = entry["kind"]
    if is_update(entry):  # the input columns the organisation changed, as sent
        return {k: f.get(k) for k in f[UPDATE_KEY]["changed"]}
    if kind == "organisation":
        cols = {k: f.get(k) for k in ("name", "organisation_type", "staffing", "description", "website")}
    elif kind == "tilbud":
        cols = {k: f.get(k) for k in ("name", "description")}
        cols |= {"themes": f.get("themes") or [], "target_groups": f.get("target_groups") or []}
        cols["organisation_id"] = (
            resolve(f.get("organisation_id"), entry) if f.get("organisation_id") else None
        )
    else:
        cols = {k: f.get(k) for k in ("title", "description", "kind")}
        cols["themes"] = f.get("themes") or []
        cols["unit_ids"] = list(f.get("unit_ids") or [])
        cols["organisation_ids"] = [resolve(r, entry) for r in f.get("organisation_ids") or []]
        if f.get("partner_names"):
            extra = f"Parter nævnt på workshoppen: {f['partner_names']}"
            cols["description"] = f"{cols['description']}\n{extra}" if cols.get("description") else extra
    if kind != "samarbejde":
        cols["placering"] = _location_columns(entry)
    return cols


def _fill(current: dict[str, Any], fields: Mapping[str, Any], replace: Sequence[str]) -> dict[str, Any]:
    """An existing input row with the entry's fields filled in where empty, or replaced where chosen."""
    out = dict(current)
    for name, value in fields.items():
        if name == "placering":
            has_place = not all(_empty(out.get(c)) for c in ("lat", "lon", "postcode", "address"))
            if value and ("placering" in replace or not has_place):
                for c in ("lat", "lon", "postcode", "address", "city", "municipality"):
                    out[c] = None
                out.update(value)
            continue
        if _empty(value):
            continue
        if name in replace or _empty(out.get(name)):
            out[name] = value
    return out


def _updated(current: dict[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """An existing input row with the organisation's changes (a cleared field cleared); a new address or
    postcode drops the old point (and a new postcode the stated municipality), so the build places it anew."""
    out = {**current, **fields}
    if {"address", "postcode", "city"} & set(fields):
        out["lat"] = out["lon"] = None
    if "postcode" in fields and "municipality" in out:
        out["municipality"] = None
    return out


def _plain(row: Mapping[str, Any]) -> dict[str, Any]:
    """Missing values as None (a column mixing pd.NA and numbers cannot be typed), arrays as lists."""
    out = {}
    for key, value in row.items():
        if isinstance(value, np.ndarray | tuple):
            value = list(value)
        elif not isinstance(value, list) and _empty(value):
            value = None
        out[key] = value
    return out


@dataclass(frozen=True)
class ApplyPlan:
    """What an apply hands to the rebuild (``changes``: input rows per table) and what marking needs after."""

    pending: list[dict[str, Any]]
    changes: dict[str, pd.DataFrame]
    records: dict[str, str]  # entry id -> record id
    final: dict[str, dict[str, dict[str, Any]]]  # table -> record id -> its input row
    originals: dict[tuple[str, str], dict[str, Any]]  # (table, merged record) -> it before this apply
    note: str


def pending_apply(store: Store, principal: Principal) -> list[dict[str, Any]]:
    """The accepted and merged entries not yet in the data, of workshops whose council the caller (a
    coordinator) coordinates; the others wait for their own coordinators."""
    auth.require(principal, COORDINATOR)
    workshops = {w["workshop_id"]: w for w in list_workshops(store)}
    return [
        e
        for e in entries(store, statuses=("godkendt", "flettet"), kinds=TARGET_TABLES)
        if not e.get("applied_at") and principal.may_coordinate(workshops[e["workshop_id"]].get("council_id"))
    ]


def plan_apply(
    store: Store, pending: Sequence[Mapping[str, Any]], tables: Mapping[str, pd.DataFrame]
) -> ApplyPlan:
    """The input rows the ``pending`` entries become, given the serving build's input ``tables``.

    Accepted entries become new records ('WS-…' ids, source 'Workshop <name>, <date>', unverified); merged
    entries fill or replace fields of the record they were merged into (EntryError if it is gone)."""
    workshops = {w["workshop_id"]: w for w in list_workshops(store)}

    def resolve(ref: str, entry: Mapping[str, Any]) -> str:
        """An organisation reference as a record id ('workshop:<entry>' -> that entry's record)."""
        if not str(ref).startswith(WORKSHOP_REF):
            return str(ref)
        other = store.one("SELECT * FROM entries WHERE entry_id = ?", (str(ref).removeprefix(WORKSHOP_REF),))
        if other is not None and other["status"] == "godkendt":
            return record_id(other)
        if other is not None and other["status"] == "flettet":
            return str(other["merged_into"])
        name = decode(other)["title"] if other else "(fortrudt)"
        raise EntryError(
            f"'{entry['title']}' hører til organisationen '{name}' fra workshoppen, som ikke er godkendt. "
            "Godkend eller flet organisationen først."
        )

    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TARGET_TABLES.values()}
    records: dict[str, str] = {}
    originals: dict[tuple[str, str], dict[str, Any]] = {}
    counters: dict[tuple[str, str], int] = {}
    for entry in pending:
        table = TARGET_TABLES[entry["kind"]]
        workshop = workshops[entry["workshop_id"]]
        fields = _record_fields(entry, resolve)
        key = tables[table].columns[0]
        if entry["status"] == "flettet":
            target = str(entry["merged_into"])
            existing = [r for r in rows[table] if r[key] == target]
            if existing:
                current = existing[0]
                rows[table].remove(current)
            else:
                found = tables[table][tables[table][key] == target]
                if found.empty:
                    raise EntryError(
                        f"'{entry['title']}' skulle flettes ind i {target!r}, som ikke findes i data længere."
                    )
                current = found.iloc[0].to_dict()
                originals[(table, target)] = _plain(current)
            row = (
                _updated(current, fields)
                if is_update(entry)
                else _fill(current, fields, entry["merge_fields"])
            )
            addition = f"suppleret fra {source_text(workshop)}"
            if addition not in str(row.get("source") or ""):
                row["source"] = "; ".join(s for s in (row.get("source"), addition) if not _empty(s))
            records[entry["entry_id"]] = target
        else:
            place_cols = fields.pop("placering", {}) or {}
            counters[(workshop["workshop_id"], entry["kind"])] = n = (
                counters.get((workshop["workshop_id"], entry["kind"]), 0) + 1
            )
            row = {
                key: record_id(entry),
                **fields,
                **place_cols,
                "last_verified": None,
                "source": source_text(workshop),
                "_file": f"workshop: {workshop['name']}",
                "_sheet": entry["kind"],
                "_row": n,
            }
            records[entry["entry_id"]] = record_id(entry)
        rows[table].append(row)

    # every column given (as None when empty): etl.rebuild types a column that is absent from pd.NA, which
    # a float column cannot take
    changes = {
        t: pd.DataFrame([_plain(row) for row in r], columns=[*TABLES_BY_NAME[t].field_names, *PROVENANCE])
        for t, r in rows.items()
        if r
    }
    final = {t: {r[TABLES_BY_NAME[t].fields[0].name]: _plain(r) for r in rs} for t, rs in rows.items()}
    names = sorted({workshop_label(workshops[e["workshop_id"]]) for e in pending})
    return ApplyPlan(
        [dict(e) for e in pending], changes, records, final, originals, f"workshop: {'; '.join(names)}"
    )


def mark_applied(store: Store, principal: Principal, plan: ApplyPlan, built: Database) -> Applied:
    """Mark the plan's entries as applied, now that ``built`` (the rebuild of ``plan.changes``) serves, in one
    audited transaction (coordinator of each entry's workshop): never applied twice, and each keeps what
    undoing needs (its record's digest in the build; a merged record's fields before the apply)."""
    auth.require(principal, COORDINATOR)
    workshops = {w["workshop_id"]: w for w in list_workshops(store)}
    for entry in plan.pending:
        require_workshop(principal, workshops[entry["workshop_id"]])
    digests = {t: _digests(built, t, list(plan.final[t])) for t in plan.final if plan.final[t]}
    stamp = _iso(_now())
    by_id = {e["entry_id"]: e for e in plan.pending}
    with store.write(principal.actor) as tx:
        for entry_id, rid in plan.records.items():
            entry = by_id[entry_id]
            table = TARGET_TABLES[entry["kind"]]
            undo = {"_applied_digest": digests[table][rid]}
            if (
                table,
                rid,
            ) in plan.originals:  # what undoing puts back: the merged record's fields as they were
                after = plan.final[table][rid]
                undo["_before_apply"] = {
                    c: v
                    for c, v in plan.originals[(table, rid)].items()
                    if c in after and _json(v) != _json(after[c])
                }
            payload = json.dumps({**entry["fields"], **undo}, ensure_ascii=False, default=str)
            tx.update("entries", entry_id, {"applied_at": stamp, "applied_as": rid, "payload": payload},
                      action="indarbejd")  # fmt: skip
    return Applied(plan.records, {t: len(r) for t, r in plan.final.items() if r}, str(built.path))


def _json(value: Any) -> str:
    """A value as comparable text (numbers, dates, lists and missing values alike in every read)."""
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def _digests(db: Database, table: str, ids: Sequence[str]) -> dict[str, str]:
    """record id -> a digest of its input row in the build ``db`` (to tell whether it changed since)."""
    key = TABLES_BY_NAME[table].fields[0].name
    found = db.query(f"SELECT * FROM input_{table} WHERE list_contains($ids, {key})", {"ids": list(ids)})
    return {
        str(row[key]): hashlib.sha256(_json(_plain(row)).encode()).hexdigest()
        for row in found.to_dict("records")
    }


@dataclass(frozen=True)
class Unapplied:
    """What unapply took out of the data: record ids removed and restored, the new build, the changes undone."""

    removed: list[str]
    restored: list[str]
    build_path: str
    changes: list[dict]


def last_apply(store: Store) -> tuple[str, list[dict[str, Any]]] | None:
    """The newest apply still standing: its stamp and its entries (None if the newest change is not one)."""
    last = store.last_undoable(entity="entries")
    if last is None or last["action"] != "indarbejd":
        return None
    stamp = json.loads(last["after"])["applied_at"]
    return stamp, [
        e for e in entries(store, statuses=("godkendt", "flettet")) if e.get("applied_at") == stamp
    ]


@dataclass(frozen=True)
class UnapplyPlan:
    """What undoing the newest apply hands to the rebuild (``changes``: whole input tables, to replace)."""

    stamp: str
    applied: list[dict[str, Any]]
    removed: list[str]
    restored: list[str]
    changes: dict[str, pd.DataFrame]
    note: str


def plan_unapply(
    store: Store, principal: Principal, db: Database, tables: Mapping[str, pd.DataFrame]
) -> UnapplyPlan:
    """How to take the newest apply out of the serving build ``db`` (whose input ``tables`` are given): its
    new records removed, the records it merged into with their earlier fields back (coordinator of its
    councils).

    Refused, with nothing changed, when a record has changed in the data since (an upload or another apply):
    undoing would lose that change."""
    auth.require(principal, COORDINATOR)
    found = last_apply(store)
    if found is None:
        raise EntryError("Den seneste ændring er ikke en indarbejdning i data.")
    stamp, applied = found
    workshops = {w["workshop_id"]: w for w in list_workshops(store)}
    for entry in applied:
        require_workshop(principal, workshops[entry["workshop_id"]])
    for table in {TARGET_TABLES[e["kind"]] for e in applied}:
        ids = [e["applied_as"] for e in applied if TARGET_TABLES[e["kind"]] == table]
        now_digests = _digests(db, table, ids)
        for entry in applied:
            rid = entry["applied_as"]
            if TARGET_TABLES[entry["kind"]] != table:
                continue
            if "_applied_digest" not in entry["fields"]:
                raise EntryError(
                    f"'{entry['title']}' blev indarbejdet, før indarbejdninger kunne fortrydes; "
                    "ret posten i data i stedet."
                )
            if now_digests.get(rid) != entry["fields"]["_applied_digest"]:
                raise EntryError(
                    f"{rid} ('{entry['title']}') er ændret i data siden indarbejdningen; at fortryde ville "
                    "fjerne den ændring. Intet er ændret; ret posten i data i stedet."
                )

    removed = [e["applied_as"] for e in applied if e["status"] == "godkendt"]
    restore: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in applied:
        if entry["status"] == "flettet":
            restore.setdefault((TARGET_TABLES[entry["kind"]], entry["applied_as"]), {}).update(
                entry["fields"].get("_before_apply") or {}
            )
    changes: dict[str, pd.DataFrame] = {}
    for table in {TARGET_TABLES[e["kind"]] for e in applied}:
        frame = tables[table]
        key = frame.columns[0]
        back = [
            _plain(frame[frame[key] == rid].iloc[0].to_dict()) | before
            for (t, rid), before in restore.items()
            if t == table
        ]
        frame = frame[~frame[key].isin([*removed, *(r[key] for r in back)])]
        if back:
            frame = pd.concat([frame, pd.DataFrame(back, columns=frame.columns)], ignore_index=True)
        changes[table] = frame
    names = sorted({workshop_label(workshops[e["workshop_id"]]) for e in applied})
    return UnapplyPlan(
        stamp, applied, removed, sorted(r for _, r in restore), changes,
        f"fortrudt indarbejdning: {'; '.join(names)}",
    )  # fmt: skip


def mark_unapplied(store: Store, principal: Principal, plan: UnapplyPlan, build_path: str) -> Unapplied:
    """Make the plan's entries accepted-but-not-applied again (one audited transaction; coordinator of their
    councils), now that the rebuild without them serves, ready to be applied or reviewed anew."""
    auth.require(principal, COORDINATOR)
    workshops = {w["workshop_id"]: w for w in list_workshops(store)}
    for entry in plan.applied:
        require_workshop(principal, workshops[entry["workshop_id"]])

    def same_apply(change: dict) -> None:
        after = json.loads(change["after"] or "{}")
        if change["action"] != "indarbejd" or after.get("applied_at") != plan.stamp:
            raise EntryError("Indtastningerne er ændret imens; prøv igen.")

    undone = store.undo_newest(principal.actor, entity="entries", count=len(plan.applied), check=same_apply)
    return Unapplied(plan.removed, plan.restored, build_path, undone)


def _short(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, list):
        return "; ".join(map(str, value)) or "–"
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


_TRAIL_COLUMNS = ("title", "status", "payload", "merged_into", "review_note", "applied_as", "code_expires_at")
_TRAIL_NAMES = {"title": "titel", "status": "status", "merged_into": "flettet ind i", "review_note": "begrundelse",
                "applied_as": "indarbejdet som", "code_expires_at": "kode udløber"}  # fmt: skip


def describe_change(change: Mapping[str, Any]) -> str:
    """What one audit row changed, before → after, in Danish ('status: ny → godkendt; titel: A → B')."""
    before = json.loads(change["before"]) if change.get("before") else None
    after = json.loads(change["after"]) if change.get("after") else None
    if before is None and after is not None:
        return "oprettet"
    if after is None and before is not None:
        return "fjernet"
    parts = []
    for col in _TRAIL_COLUMNS:
        b, a = (before or {}).get(col), (after or {}).get(col)
        if b == a:
            continue
        if col == "payload":
            fb, fa = json.loads(b or "{}"), json.loads(a or "{}")
            kind = (after or before or {}).get("kind", "")
            labels = {f.name: f.label for f in FIELDS.get(kind, ())}
            for key in sorted(set(fb) | set(fa)):
                if key.startswith("_") or key == TITLE_FIELD.get(kind):  # the title is shown on its own
                    continue
                if fb.get(key) != fa.get(key):
                    label = labels.get(key, key).lower()
                    parts.append(f"{label}: {_short(fb.get(key))} → {_short(fa.get(key))}")
            continue
        parts.append(f"{_TRAIL_NAMES[col]}: {_short(b)} → {_short(a)}")
    if "code_hash" in (after or {}) and (before or {}).get("code_hash") != (after or {}).get("code_hash"):
        parts.append("ny kode")
    return "; ".join(parts) or "ingen synlig ændring"


def change_title(change: Mapping[str, Any]) -> str:
    """The title (or name) of the row an audit change is about."""
    for side in ("after", "before"):
        row = json.loads(change[side]) if change.get(side) else None
        if row:
            return str(row.get("title") or row.get("name") or "")
    return ""


def trail(store: Store, *, limit: int = 200) -> pd.DataFrame:
    """The audit trail of workshops and entries, newest first: who, when, what, before → after."""
    rows = [r for r in store.history(limit=limit * 2) if r["entity"] in ("entries", "workshops")][:limit]
    out = [
        {
            "Tid": danish.local_time(r["at"], seconds=True),
            "Hvem": r["actor"],
            "Handling": r["action"] + (" (fortrudt)" if r["undone_by"] else ""),
            "Hvad": ("Workshop: " if r["entity"] == "workshops" else "") + change_title(r),
            "Ændring (før → efter)": describe_change(r),
        }
        for r in rows
    ]
    return pd.DataFrame(out, columns=["Tid", "Hvem", "Handling", "Hvad", "Ændring (før → efter)"])


__all__ = [
    "Applied",
    "ApplyPlan",
    "Unapplied",
    "UnapplyPlan",
    "accept",
    "last_apply",
    "last_change",
    "mark_applied",
    "mark_unapplied",
    "merge",
    "pending_apply",
    "plan_apply",
    "plan_unapply",
    "reject",
    "trail",
    "undo_last",
]
