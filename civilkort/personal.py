"""Personal fields (contact persons, role mailboxes, tovholder names) live in the store, never in a build.

A build file is served to everyone and copied to every replica, the object store and snapshots, so it holds
no personal data: every field :mod:`civilkort.schema` marks ``is_personal`` is NULL in the DuckDB file (its
public tables and the typed inputs it keeps for rebuilds alike).  The build writes them to the store, the
system of record (``personal_builds`` and ``personal_fields``), keyed by the build's content name and the
record, in one bulk transaction, in two layers:

* ``built``: the record as the build serves it, with its council: what coordinators see
  (:func:`personal_fields`, :func:`fill`), only for the councils they coordinate;
* ``input``: the typed input row the build was made from, so a rebuild (workshop, upload, duplicates) puts
  them back (:func:`fill_inputs`) and loses nothing.

Rows of builds no longer kept are pruned with the builds (:func:`prune`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from civilkort import auth
from civilkort.auth import COORDINATOR, Principal
from civilkort.schema import TABLES, TABLES_BY_NAME
from civilkort.store import Store, now

PERSONAL: dict[str, tuple[str, ...]] = {
    t.name: tuple(f.name for f in t.fields if f.is_personal)
    for t in TABLES
    if any(f.is_personal for f in t.fields)
}
"""Table -> its personal fields (organisations: email, contact_person; collaborations: tovholder)."""

ID_FIELDS: dict[str, str] = {name: TABLES_BY_NAME[name].id_field.name for name in PERSONAL}
COLUMN_TABLE: dict[str, str] = {f: table for table, fields in PERSONAL.items() for f in fields}
"""Personal column -> the table it belongs to (the column names are unique across tables)."""

BUILT, INPUT = "built", "input"
KEEP_BUILDS = 5
"""Builds whose personal fields are kept (the current one always, and the newest others)."""
META_KEY = "personal_fields"
"""The build's metadata key saying where its personal fields are (``store``) and their digest."""
COLUMNS = ("build", "layer", "entity", "record_id", "council_id", "fields")
_ID_CHUNK = 500

Record = tuple[str, str, str, str, str | None, str]
"""One row of ``personal_fields`` in :data:`COLUMNS` order."""


class PersonalDataMissing(Exception):
    """The build's personal fields are not in this store; a rebuild would lose them.  The message is Danish."""


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value)


def records(build: str, layer: str, table: str, df: pd.DataFrame) -> list[Record]:
    """The personal fields of ``df``'s rows that have any, as rows for ``personal_fields`` (vectorised: a
    national build has ~100,000 organisations)."""
    fields = [f for f in PERSONAL.get(table, ()) if f in df.columns]
    key = ID_FIELDS.get(table)
    if not fields or key not in df.columns or df.empty:
        return []
    values = df[fields].astype("string")
    sub = df[values.notna().any(axis=1) & df[key].notna()]
    sub = sub.loc[~sub[key].astype("string").duplicated(keep="last")]
    if sub.empty:
        return []
    objects = values.loc[sub.index].to_json(orient="records", lines=True, force_ascii=False).splitlines()
    ids = sub[key].astype("string").tolist()
    if layer == BUILT and "council_id" in sub.columns:
        councils = [None if pd.isna(c) else str(c) for c in sub["council_id"].to_numpy(dtype=object)]
    else:
        councils = [None] * len(sub)
    return [
        (build, layer, table, ident, council, obj)
        for ident, council, obj in zip(ids, councils, objects, strict=True)
    ]


def collect(
    build: str, *, inputs: Mapping[str, pd.DataFrame], built: Mapping[str, pd.DataFrame]
) -> list[Record]:
    """Every personal field of a build: the served records (``built``) and the typed inputs (``input``)."""
    rows: list[Record] = []
    for table in PERSONAL:
        if table in built:
            rows += records(build, BUILT, table, built[table])
        if table in inputs:
            rows += records(build, INPUT, table, inputs[table])
    return rows


def digest(rows: Sequence[Record]) -> str:
    """A SHA-256 over the personal fields (build name left out): it goes into the build's metadata, so two
    builds that differ only in personal fields get different content names."""
    h = hashlib.sha256()
    for row in sorted(r[1:] for r in rows):
        h.update(json.dumps(row, ensure_ascii=False).encode())
    return h.hexdigest()


def public(df: pd.DataFrame, table: str, *, flags: bool = False) -> pd.DataFrame:
    """``df`` with its personal columns emptied (NULL, same type), so every query keeps working; with
    ``flags`` also ``has_<field>`` (whether one is registered: e.g. the radar's 'uden tovholder')."""
    fields = [f for f in PERSONAL.get(table, ()) if f in df.columns]
    if not fields:
        return df
    out = df.copy()
    for f in fields:
        if flags:
            out[f"has_{f}"] = out[f].map(lambda v: (_text(v) or "").strip() != "").astype(bool)
        out[f] = pd.Series(pd.NA, index=out.index, dtype="string")
    return out


def save(store: Store, build: str, rows: Sequence[Record]) -> int:
    """Write a build's personal fields in one transaction (replacing any kept for that build); returns the
    rows written."""
    statements = [
        ("DELETE FROM personal_fields WHERE build = ?", [build]),
        ("DELETE FROM personal_builds WHERE build = ?", [build]),
        (
            "INSERT INTO personal_builds (build, written_at, n_records) VALUES (?, ?, ?)",
            [build, now(), len(rows)],
        ),
    ]
    return store.bulk(statements, [("personal_fields", COLUMNS, rows)])


def forget(store: Store, builds: Iterable[str]) -> None:
    """Delete the personal fields kept for ``builds`` (a build that was not switched to, or pruned)."""
    statements: list[tuple[str, Sequence[Any]]] = []
    for build in builds:
        statements += [
            ("DELETE FROM personal_fields WHERE build = ?", [build]),
            ("DELETE FROM personal_builds WHERE build = ?", [build]),
        ]
    if statements:
        store.bulk(statements)


def prune(store: Store, *, protect: Iterable[str], keep: int = KEEP_BUILDS) -> list[str]:
    """Delete the personal fields of all but the newest ``keep`` builds, never of ``protect``; returns them."""
    protected = set(protect)
    kept = store.rows("SELECT build FROM personal_builds ORDER BY written_at DESC, build")
    gone = [r["build"] for r in kept[keep:] if r["build"] not in protected]
    forget(store, gone)
    return gone


def is_stored(store: Store, build: str) -> bool:
    """True when the store keeps personal fields for ``build`` (possibly none at all)."""
    return store.one("SELECT 1 AS x FROM personal_builds WHERE build = ?", (build,)) is not None


def build_name(path: str | Path) -> str:
    """The build's key in the store: its file's (content) name."""
    return Path(path).name


def _values(store: Store, sql: str, params: list[Any]) -> dict[str, dict[str, str]]:
    """record_id -> its non-empty personal fields."""
    return {
        str(r["record_id"]): {f: v for f, v in json.loads(r["fields"]).items() if v is not None}
        for r in store.rows(sql, params)
    }


def fill_inputs(store: Store, build: str, tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The typed inputs of ``build`` with their personal fields put back from the store.

    For rebuilding only: what goes in comes out in the next build's store rows, never to a page.  Raises
    :class:`PersonalDataMissing` when the store has nothing for the build (it would lose them)."""
    if not is_stored(store, build):
        raise PersonalDataMissing(
            f"Personoplysningerne (kontaktpersoner, funktionspostkasser, tovholdere) til databasen {build} findes "
            "ikke i lageret, så en ny opbygning ville miste dem. Byg i stedet fra filerne med "
            "'python -m etl build', eller brug det lager, databasen blev bygget med."
        )
    out = dict(tables)
    for table, fields in PERSONAL.items():
        df = tables.get(table)
        if df is None or df.empty:
            continue
        found = _values(
            store,
            "SELECT record_id, fields FROM personal_fields WHERE build = ? AND layer = ? AND entity = ?",
            [build, INPUT, table],
        )
        df = df.copy()
        ids = df[ID_FIELDS[table]].astype("string")
        for f in fields:
            if f in df.columns:
                df[f] = pd.Series([found.get(i, {}).get(f) for i in ids], index=df.index, dtype=df[f].dtype)
        out[table] = df
    return out


def personal_fields(
    store: Store, principal: Principal, build: str, table: str, ids: Iterable[str] | None = None
) -> pd.DataFrame:
    """The personal fields of ``table``'s records in ``build`` (all, or ``ids``) that ``principal`` may see,
    one row per record that has any, indexed by record id.

    Only coordinators see any (else :class:`civilkort.auth.PermissionDenied`), and only of records in the
    councils they coordinate (an organisation: its municipality's council; a collaboration: its council);
    records of other councils, and national ones for all but administrators, are left out."""
    auth.require(principal, COORDINATOR)
    fields = PERSONAL.get(table, ())
    empty = pd.DataFrame({f: pd.Series(dtype="string") for f in fields}, index=pd.Index([], name="record_id"))
    if not fields:
        return empty
    where = ["build = ?", "layer = ?", "entity = ?"]
    params: list[Any] = [build, BUILT, table]
    if not principal.is_admin:
        councils = principal.coordinated_councils
        if not councils:
            return empty
        where.append(f"council_id IN ({', '.join('?' * len(councils))})")
        params += councils
    wanted = None if ids is None else list(dict.fromkeys(str(i) for i in ids if _text(i) is not None))
    sql = f"SELECT record_id, fields FROM personal_fields WHERE {' AND '.join(where)}"
    if wanted is None:
        found = _values(store, sql, params)
    else:
        found = {}
        for start in range(0, len(wanted), _ID_CHUNK):
            chunk = wanted[start : start + _ID_CHUNK]
            found |= _values(store, f"{sql} AND record_id IN ({', '.join('?' * len(chunk))})", params + chunk)
    if not found:
        return empty
    frame = pd.DataFrame.from_dict(found, orient="index").reindex(columns=list(fields)).astype("string")
    frame.index.name = "record_id"
    return frame.sort_index()


def fill(store: Store, principal: Principal, build: str, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` (a list of organisations or collaborations, with their id column) with its personal columns
    filled from the store for the records ``principal`` may see (:func:`personal_fields`); the rest empty."""
    out = df.copy()
    for table, fields in PERSONAL.items():
        present = [f for f in fields if f in out.columns]
        key = ID_FIELDS[table]
        if not present or key not in out.columns:
            continue
        ids = out[key].astype("string")
        shown = personal_fields(store, principal, build, table, ids.dropna())
        for f in present:
            out[f] = pd.Series(ids.map(shown[f]).to_numpy(dtype=object), index=out.index, dtype="string")
    return out
