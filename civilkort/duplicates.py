"""Possible duplicates: the coordinator's decisions (in the store) and the review list (in the build).

The build (``etl/duplicates.py``) finds candidate pairs and applies the decisions kept here; the app
reads the candidates from the ``duplicate_candidates`` view and records decisions through
:func:`decide`, which checks the caller's scope itself, so a page cannot write without it: a decision
needs a coordinator of the councils of both records (looked up in the serving build; a pair across two
councils needs both; a record the build does not place, a national administrator).

Record keys: an organisation's key is its id (``ORG-001``); a regional unit's key is its id with the
prefix ``enhed:`` (``enhed:ENH-0001``), so the two tables can never be confused. A pair's key is the
two record keys, sorted, joined by ``|``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pandas as pd

from civilkort.auth import COORDINATOR, Principal, require, require_council
from civilkort.db import Database, current_path
from civilkort.filters import NATIONAL_AREA, Selection
from civilkort.settings import Settings
from civilkort.store import Store, now, open_store

ORGANISATION = "organisation"
REGIONAL_UNIT = "regional_unit"
KIND_LABELS = {ORGANISATION: "organisationer", REGIONAL_UNIT: "regionale enheder"}
UNIT_PREFIX = "enhed:"
MERGE = "flet"
KEEP_APART = "hold_adskilt"
DECISION_LABELS = {MERGE: "flet", KEEP_APART: "hold adskilt"}
TABLE = "duplicate_decisions"

REASONS: dict[str, str] = {
    "same_cvr": "samme CVR",
    "similar_name": "navne ens",
    "same_address": "samme adresse",
}
"""Reason columns of a candidate pair and their Danish labels (what the review list filters by)."""


def record_key(kind: str, ident: str) -> str:
    """The key a decision uses for one record: the id, with ``enhed:`` in front for a regional unit."""
    return f"{UNIT_PREFIX}{ident}" if kind == REGIONAL_UNIT else str(ident)


def split_key(key: str) -> tuple[str, str]:
    """(kind, id) of a record key made by :func:`record_key`."""
    if key.startswith(UNIT_PREFIX):
        return REGIONAL_UNIT, key[len(UNIT_PREFIX) :]
    return ORGANISATION, key


def pair_key(key_a: str, key_b: str) -> str:
    """The key of a pair: the two record keys, sorted, joined by '|'."""
    return "|".join(sorted((str(key_a), str(key_b))))


# ---------------------------------------------------------------- decisions (the store)


def decide(
    store: Store,
    principal: Principal,
    key_a: str,
    key_b: str,
    decision: str,
    keep_key: str | None = None,
    note: str | None = None,
    *,
    db: Database | None = None,
) -> dict[str, Any]:
    """Record (or change) the decision on a pair; a coordinator of both records' councils (looked up in
    ``db``, default the serving build). Returns the stored row.

    ``decision`` is ``'flet'`` (merge: ``keep_key`` is the record that stays) or ``'hold_adskilt'``
    (keep apart: the pair is not proposed again). Takes effect at the next build.
    """
    require(principal, COORDINATOR)
    _require_pair(principal, key_a, key_b, db)
    if decision not in (MERGE, KEEP_APART):
        raise ValueError(f"Ukendt beslutning '{decision}': brug '{MERGE}' eller '{KEEP_APART}'.")
    if key_a == key_b:
        raise ValueError("En post kan ikke være dublet af sig selv.")
    if split_key(key_a)[0] != split_key(key_b)[0]:
        raise ValueError("En organisation og en regional enhed kan ikke flettes.")
    if decision == MERGE and keep_key not in (key_a, key_b):
        raise ValueError("Ved fletning skal det angives, hvilken af de to poster der beholdes.")
    key = pair_key(key_a, key_b)
    a, b = sorted((str(key_a), str(key_b)))
    row = {
        "key_a": a,
        "key_b": b,
        "decision": decision,
        "keep_key": keep_key if decision == MERGE else None,
        "note": (note or "").strip() or None,
        "decided_by": principal.name,
        "decided_at": now(),
    }
    with store.write(principal.actor) as tx:
        if tx.get(TABLE, key) is None:
            return tx.insert(TABLE, {"pair_key": key, **row}, action=f"dublet: {DECISION_LABELS[decision]}")
        return tx.update(TABLE, key, row, action=f"dublet: {DECISION_LABELS[decision]}")


def undo_last(store: Store, principal: Principal, *, db: Database | None = None) -> dict[str, Any]:
    """Undo the newest decision on duplicates (by anyone); a coordinator of its records' councils (the newest
    being another council's is refused, naming it). Raises NothingToUndo."""
    require(principal, COORDINATOR)

    def in_my_councils(change: dict) -> None:
        row = json.loads(change["after"] or change["before"] or "{}")
        _require_pair(principal, row.get("key_a", ""), row.get("key_b", ""), db)

    return store.undo_last(principal.actor, entity=TABLE, check=in_my_councils)


def record_councils(db: Database | None, keys: Iterable[str]) -> dict[str, str | None]:
    """The council of each record key in ``db`` (default: the serving build); None where it is not placed."""
    keys = list(keys)
    out: dict[str, str | None] = dict.fromkeys(keys)
    own = db
    if own is None:
        path = current_path()
        if path is None:
            return out
        own = Database(path)
    try:
        orgs = [split_key(k)[1] for k in keys if split_key(k)[0] == ORGANISATION]
        units = [split_key(k)[1] for k in keys if split_key(k)[0] == REGIONAL_UNIT]
        for kind, table, column, ids in (
            (ORGANISATION, "organisations", "organisation_id", orgs),
            (REGIONAL_UNIT, "regional_units", "unit_id", units),
        ):
            if not ids:
                continue
            df = own.query(
                f"SELECT {column} AS id, council_id FROM {table} WHERE list_contains($ids, {column})",
                {"ids": ids},
            )
            for ident, council in zip(df["id"], df["council_id"], strict=True):
                out[record_key(kind, ident)] = None if pd.isna(council) else str(council)
    finally:
        if db is None:
            own.close()
    return out


def _require_pair(principal: Principal, key_a: str, key_b: str, db: Database | None) -> None:
    """PermissionDenied unless the caller coordinates the councils of both records of a pair."""
    councils = record_councils(db, [key_a, key_b])
    names = " og ".join(split_key(k)[1] for k in (key_a, key_b))
    require_council(principal, list(councils.values()), what=f"Dubletparret {names}")


def last_decision(store: Store) -> dict[str, Any] | None:
    """The change :func:`undo_last` would undo, with the decision as it is now, or None."""
    change = store.last_undoable(entity=TABLE)
    if change is None:
        return None
    return {**change, "row": store.one(f"SELECT * FROM {TABLE} WHERE pair_key = ?", (change["entity_id"],))}


def decisions(store: Store) -> pd.DataFrame:
    """Every decision in force, oldest first (the order the build applies them in)."""
    rows = store.rows(f"SELECT * FROM {TABLE} ORDER BY decided_at, pair_key")
    cols = ["pair_key", "key_a", "key_b", "decision", "keep_key", "note", "decided_by", "decided_at"]
    return pd.DataFrame(rows, columns=cols)


def decisions_version(store: Store) -> int:
    """A number that grows with every decision or undo (compare with the build's to see what is pending)."""
    row = store.one("SELECT coalesce(max(audit_id), 0) AS v FROM audit WHERE entity = ?", (TABLE,))
    return int(row["v"]) if row else 0


def stored_decisions(cfg: Settings) -> tuple[list[dict[str, Any]], int]:
    """The decisions of the data folder in force and their version; none if there is no store file yet."""
    if not cfg.store_path.exists():
        return [], 0
    store = open_store(cfg)
    return decisions(store).to_dict("records"), decisions_version(store)


# ---------------------------------------------------------------- the review list (the build)


def candidates(
    db: Database, sel: Selection | None = None, reasons: Iterable[str] = (), *, kind: str | None = None
) -> pd.DataFrame:
    """Candidate pairs of the serving build, best first: in the area (either record) and with any of ``reasons``."""
    if not available(db):
        return pd.DataFrame()
    where, params = ["true"], {}
    if sel is not None and sel.area != NATIONAL_AREA:
        where.append(
            "(list_contains($codes, municipality_code_a) OR list_contains($codes, municipality_code_b))"
        )
        params["codes"] = sel.municipality_codes()
    chosen = [r for r in reasons if r in REASONS]
    if chosen:
        where.append("(" + " OR ".join(chosen) + ")")
    if kind:
        where.append("kind = $kind")
        params["kind"] = kind
    return db.query(
        f"SELECT * FROM duplicate_candidates WHERE {' AND '.join(where)} ORDER BY score DESC, pair_key",
        params,
    )


def available(db: Database) -> bool:
    """False for a database built before duplicates were looked for (it has no such view)."""
    return bool(
        db.scalar(
            "SELECT count(*) FROM duckdb_views() WHERE view_name = 'duplicate_candidates' AND NOT internal"
        )
    )


def pending(candidates_df: pd.DataFrame, decided: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split candidates into (still to decide, decided but not yet applied by a build)."""
    if candidates_df.empty:
        return candidates_df, candidates_df
    done = candidates_df["pair_key"].isin(set(decided["pair_key"]))
    return candidates_df[~done], candidates_df[done]


def record_names(db: Database, keys: Iterable[str]) -> dict[str, str]:
    """Names of records by key in the serving build (records merged away are missing)."""
    orgs, units = [], []
    for key in keys:
        kind, ident = split_key(key)
        (units if kind == REGIONAL_UNIT else orgs).append(ident)
    names: dict[str, str] = {}
    if orgs:
        df = db.query(
            "SELECT organisation_id, name FROM organisations WHERE list_contains($ids, organisation_id)",
            {"ids": orgs},
        )
        names.update(zip(df["organisation_id"], df["name"]))
    if units:
        df = db.query(
            "SELECT unit_id, name FROM regional_units WHERE list_contains($ids, unit_id)", {"ids": units}
        )
        names.update((record_key(REGIONAL_UNIT, i), n) for i, n in zip(df["unit_id"], df["name"]))
    return names


def not_applied(store: Store, db: Database) -> bool:
    """True when decisions were made or undone after the serving build was made."""
    built = db.meta().get("duplicate_decisions_version")
    return built is not None and decisions_version(store) != int(built or 0)
