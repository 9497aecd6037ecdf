"""The store's backend-neutral part: the audited transaction, reads, undo, record versions, the build pointer.

A backend (:mod:`civilkort.store.sqlite`, :mod:`civilkort.store.postgres`) supplies four things: run one
SELECT, open one *serialised* write transaction (writers queue one behind the other, so a check and the
write after it cannot interleave with another writer, and audit ids grow in commit order), read the
schema's revision, and a service-wide lock (:meth:`Store.exclusive`).  Everything else is here, in SQL
that both SQLite and PostgreSQL run unchanged (``?`` placeholders; the PostgreSQL backend translates
them in one place).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from civilkort import danish

BUSY_TIMEOUT_S = 30.0
"""How long a writer waits for the writers ahead of it before giving up."""

HEAD = "0005"
"""The schema revision this code writes to (the newest migration; a test keeps it equal to alembic's head)."""
REVISIONS = ("0001", "0002", "0003", "0004", "0005")
"""Every revision this code knows, oldest first."""

KEYS: dict[str, tuple[str, ...]] = {
    "workshops": ("workshop_id",),
    "entries": ("entry_id",),
    "sequences": ("sequence_id",),
    "snapshots": ("snapshot_id",),
    "duplicate_decisions": ("pair_key",),
    "roles": ("subject", "role", "scope"),
    "build_pointer": ("name",),
    "uploads": ("upload_id",),
    "followups": ("record_id", "entity", "council_id"),
}
"""Each audited table and its primary key columns.  A key of several columns is written as one string,
the values joined by '|' (a role: ``"anna@kommune.dk|koordinator|aarhus"``); only the first column may
itself hold a '|', so the string is split from the right."""

VERSIONED = frozenset({"workshops", "entries", "sequences", "followups"})
"""Tables whose rows carry a ``version``: every update adds one, and an edit can say which it started from."""

_ACTOR_KEY = re.compile(r"\s*\(#[^)]*\)$")
_NOUNS = {
    "workshops": "Workshoppen",
    "entries": "Indtastningen",
    "sequences": "Sekvensen",
    "followups": "Opfølgningen på",
}


class NothingToUndo(Exception):
    """There is no change left to undo."""


class StoreError(Exception):
    """A store problem the user must be told about; the message is Danish and says what to do."""


class WriteRefused(StoreError):
    """The store opens for reading but refuses every write (its schema and this code differ)."""


class SchemaOutdated(WriteRefused):
    """The database's schema is older than this code: someone must run ``python -m etl migrate``."""


class SchemaTooNew(WriteRefused):
    """The database's schema is newer than this code: this server runs an older version of the app."""


class Conflict(StoreError):
    """Someone else changed the record after the caller read it; nothing was saved."""

    def __init__(self, message: str, *, actor: str | None = None, at: str | None = None):
        super().__init__(message)
        self.actor = actor
        self.at = at


class LockBusy(StoreError):
    """A lock was not free within the time allowed."""


class StoreUnavailable(StoreError):
    """The database server cannot be reached."""


class _Any:
    def __repr__(self) -> str:
        return "ANY"


ANY: Any = _Any()
"""``switch_build(..., expect=ANY)``: switch whatever build is current."""


def now() -> str:
    """The current time in UTC as an ISO string (what the store records)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def new_id() -> str:
    """A fresh random id."""
    return uuid.uuid4().hex


def lock_key(name: str) -> int:
    """A stable signed 64-bit number for a lock name (PostgreSQL's advisory locks are numbered)."""
    digest = hashlib.blake2b(f"civilkort:{name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


WRITE_LOCK = lock_key("write")
"""The PostgreSQL advisory lock every write transaction holds (migrations take it too)."""


def local_stamp(iso: str | None) -> str:
    """A stored UTC time in Danish local time, 'dd-mm-åååå kl. HH.MM' ('03-02-2027 kl. 14.05')."""
    return danish.local_time(iso, kl=True, missing=str(iso))


def person(actor: str | None) -> str:
    """The name in an audit actor, without the sign-in's key ('Sara (#a1b2)' -> 'Sara')."""
    return _ACTOR_KEY.sub("", actor or "") or "ukendt"


def key_of(table: str, row: Mapping[str, Any]) -> str:
    """The audit key of a row: its primary key, the values joined by '|' when there are several."""
    return "|".join(str(row[c]) for c in KEYS[table])


def _key_where(table: str, key: str) -> tuple[str, list[str]]:
    cols = KEYS[table]
    values = [key] if len(cols) == 1 else key.rsplit("|", len(cols) - 1)
    if len(values) != len(cols):
        raise KeyError(f"{table}: {key}")
    return " AND ".join(f"{c} = ?" for c in cols), values


def refusal(revision: str | None) -> WriteRefused:
    """The Danish refusal for a store at ``revision`` (None: no schema at all) when the code needs HEAD."""
    if revision is None or revision in REVISIONS:
        return SchemaOutdated(
            f"Databasens skema er ældre end denne version af Civilsamfundskortet (databasen: "
            f"{revision or 'tom'}, programmet: {HEAD}). Driftsansvarlig: kør 'python -m etl migrate'; "
            "indtil da kan intet gemmes, men alt kan stadig ses."
        )
    return SchemaTooNew(
        f"Databasens skema ({revision}) er nyere end denne version af Civilsamfundskortet ({HEAD}): "
        "programmet på denne server er ældre end databasen. Opdatér programmet; indtil da kan intet gemmes, "
        "men alt kan stadig ses."
    )


Run = Callable[[str, Sequence[Any] | Mapping[str, Any]], list[dict[str, Any]]]
"""Runs one statement inside a transaction and returns its rows (empty for statements without)."""

Load = tuple[str, Sequence[str], Iterable[Sequence[Any]]]
"""Rows to load in bulk: (table, its columns, the rows as value sequences in that order)."""


class Transaction:
    """One write transaction; every change through it is audited."""

    def __init__(self, run: Run, actor: str):
        self._run = run
        self.actor = actor

    def rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict[str, Any]]:
        """Run one statement inside the transaction (sees its own changes); the rows as dicts."""
        return self._run(sql, params)

    def one(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> dict[str, Any] | None:
        """The first row of a statement inside the transaction, or None."""
        rows = self._run(sql, params)
        return rows[0] if rows else None

    def get(self, table: str, key: str) -> dict[str, Any] | None:
        """One row by primary key, or None."""
        where, values = _key_where(table, key)
        return self.one(f"SELECT * FROM {table} WHERE {where}", values)

    def _audit(self, action: str, table: str, key: str, before: Mapping | None, after: Mapping | None) -> int:
        row = self.one(
            "INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES (?,?,?,?,?,?,?)"
            " RETURNING audit_id",
            (
                now(),
                self.actor,
                action,
                table,
                key,
                None if before is None else json.dumps(dict(before), ensure_ascii=False),
                None if after is None else json.dumps(dict(after), ensure_ascii=False),
            ),
        )
        assert row is not None
        return int(row["audit_id"])

    def _insert(self, table: str, row: Mapping[str, Any]) -> dict[str, Any]:
        cols = list(row)
        stored = self.one(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) RETURNING *",
            [row[c] for c in cols],
        )
        assert stored is not None
        return stored

    def insert(self, table: str, row: Mapping[str, Any], action: str = "opret") -> dict[str, Any]:
        """Insert one row and audit it; returns the row as stored."""
        stored = self._insert(table, row)
        self._audit(action, table, key_of(table, stored), None, stored)
        return stored

    def _set(self, table: str, key: str, changes: Mapping[str, Any], bump_from: int | None) -> dict[str, Any]:
        where, values = _key_where(table, key)
        sets = [f"{c} = ?" for c in changes if c != "version"]
        params = [v for c, v in changes.items() if c != "version"]
        if table in VERSIONED:
            sets.append("version = ?")
            params.append((bump_from or 0) + 1)
        after = self.one(
            f"UPDATE {table} SET {', '.join(sets)} WHERE {where} RETURNING *", [*params, *values]
        )
        assert after is not None
        return after

    def update(
        self,
        table: str,
        key: str,
        changes: Mapping[str, Any],
        action: str = "ret",
        *,
        expected_version: int | None = None,
    ) -> dict[str, Any]:
        """Change columns of one row and audit before/after; returns the new row.

        A row of a versioned table gets the next ``version``; with ``expected_version`` the change is made
        only if the row is still at that version, else :class:`Conflict` names who changed it and when.
        """
        before = self.get(table, key)
        if before is None:
            raise KeyError(f"{table}: {key}")
        if expected_version is not None and before.get("version") != expected_version:
            raise self.conflict(table, key, before)
        after = self._set(table, key, changes, before.get("version"))
        self._audit(action, table, key, before, after)
        return after

    def delete(self, table: str, key: str, action: str = "slet") -> dict[str, Any]:
        """Delete one row and audit what it was."""
        before = self.get(table, key)
        if before is None:
            raise KeyError(f"{table}: {key}")
        where, values = _key_where(table, key)
        self._run(f"DELETE FROM {table} WHERE {where}", values)
        self._audit(action, table, key, before, None)
        return before

    def last_change(self, table: str, key: str) -> dict[str, Any] | None:
        """The newest audit row of one record (who changed it last, and when)."""
        return self.one(
            "SELECT * FROM audit WHERE entity = ? AND entity_id = ? ORDER BY audit_id DESC LIMIT 1",
            (table, key),
        )

    def conflict(self, table: str, key: str, current: Mapping[str, Any]) -> Conflict:
        """The Danish refusal of an edit made from an older version of a record, naming who and when."""
        last = self.last_change(table, key) or {}
        who, when = person(last.get("actor")), local_stamp(last.get("at"))
        title = current.get("title") or current.get("name")
        what = _NOUNS.get(table, "Posten") + (f" '{title}'" if title else "")
        return Conflict(
            f"{what} er ændret af {who} den {when}, efter du åbnede den. Din ændring er ikke gemt: "
            "genindlæs, se ændringen, og ret igen.",
            actor=last.get("actor"),
            at=last.get("at"),
        )


def _undoable_sql(actor: str | None, entity: str | None) -> tuple[str, list[str]]:
    where = ["undone_by IS NULL", "undoes IS NULL"]
    params: list[str] = []
    if actor:
        where.append("actor = ?")
        params.append(actor)
    if entity:
        where.append("entity = ?")
        params.append(entity)
    return f"SELECT * FROM audit WHERE {' AND '.join(where)} ORDER BY audit_id DESC LIMIT 1", params


def _reverse(tx: Transaction, change: Mapping[str, Any]) -> None:
    """Give a row back what it held before ``change`` (with the next ``version``), and record the undo."""
    table, key = change["entity"], change["entity_id"]
    before = json.loads(change["before"]) if change["before"] else None
    current = tx.get(table, key)
    restored: dict[str, Any] | None
    if before is None:
        where, values = _key_where(table, key)
        tx.rows(f"DELETE FROM {table} WHERE {where}", values)
        restored = None
    elif current is None:
        row = dict(before)
        if table in VERSIONED:
            row["version"] = int(before.get("version") or 1) + 1
        restored = tx._insert(table, row)
    else:
        restored = tx._set(table, key, before, current.get("version"))
    undo_id = tx._audit(f"fortryd {change['action']}", table, key, current, restored)
    tx.rows("UPDATE audit SET undoes = ? WHERE audit_id = ?", (change["audit_id"], undo_id))
    tx.rows("UPDATE audit SET undone_by = ? WHERE audit_id = ?", (undo_id, change["audit_id"]))


_BACKENDS: dict[str, Callable[[], type[Store]]] = {}
"""URL scheme -> the backend class (loaded when first needed); filled by :mod:`civilkort.store`, so this
module never imports its own backends."""
_UPGRADE: list[Callable[[str], object]] = []
"""The migration runner (:func:`civilkort.store.migrate.upgrade`), registered by :mod:`civilkort.store`."""


def register_backend(scheme: str, loader: Callable[[], type[Store]]) -> None:
    """Make ``Store(url)`` open URLs of ``scheme`` ('sqlite' or 'postgresql') with ``loader()``'s class."""
    _BACKENDS[scheme] = loader


def register_upgrade(upgrade: Callable[[str], object]) -> None:
    """Set the function ``migrate="auto"`` calls to bring a store's schema up to date."""
    _UPGRADE[:] = [upgrade]


class Store:
    """The store: ``Store(path_or_url)`` opens the backend it names (a SQLite file, or PostgreSQL).

    One object per process, shared between threads.  ``migrate="auto"`` brings the schema up to date on
    opening; ``"manual"`` leaves that to ``python -m etl migrate`` and, while the schema differs from this
    code's, opens for reading only (every write raises :class:`WriteRefused`, in Danish).
    """

    url: str
    revision: str | None = None
    """The schema revision the database was at when last looked at (None: no schema)."""

    def __new__(cls, target: str | Path = "", *args: Any, **kwargs: Any) -> Store:
        if cls is not Store:
            return super().__new__(cls)
        scheme = (
            "postgresql" if str(target).startswith(("postgresql:", "postgres:", "postgresql+")) else "sqlite"
        )
        return super().__new__(_BACKENDS[scheme]())

    # --- what a backend supplies ----------------------------------------------------------------------

    def _query(self, sql: str, params: Sequence[Any] | Mapping[str, Any]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _begin(self) -> AbstractContextManager[tuple[Run, str | None]]:
        """A write transaction behind every other writer's, committed durably on exit; gives the statement
        runner and the schema's revision as read inside it (after the wait)."""
        raise NotImplementedError

    def read_revision(self) -> str | None:
        """The schema revision in the database now (None: no schema yet)."""
        raise NotImplementedError

    def exclusive(self, name: str, timeout_s: float) -> AbstractContextManager[None]:
        """Hold the service-wide lock ``name`` (one holder across all processes and replicas); LockBusy
        (Danish) if it is not free within ``timeout_s`` seconds."""
        raise NotImplementedError

    def _bulk(self, statements: Sequence[tuple[str, Sequence[Any]]], loads: Sequence[Load]) -> int:
        """Run ``statements`` then load ``loads`` in one transaction, the fastest way the backend has;
        returns the rows loaded."""
        raise NotImplementedError

    def close(self) -> None:
        """Release connections (the object is not used afterwards)."""

    _schema_errors: tuple[type[Exception], ...] = ()

    # --- opening ---------------------------------------------------------------------------------------

    def _open(self, migrate: str) -> None:
        """Bring the schema up to date (``auto``) or just note where it is (``manual``)."""
        self.revision = self.read_revision()
        # a schema newer than this code is left alone: this replica reads, and refuses writes
        if (
            migrate == "auto"
            and self.revision != HEAD
            and (self.revision is None or self.revision in REVISIONS)
        ):
            _UPGRADE[0](self.url)
            self.revision = self.read_revision()

    @property
    def writable(self) -> bool:
        """True when the schema is the one this code writes (looked at again when it was not)."""
        if self.revision != HEAD:
            self.revision = self.read_revision()
        return self.revision == HEAD

    # --- writing ---------------------------------------------------------------------------------------

    @contextmanager
    def write(self, actor: str) -> Iterator[Transaction]:
        """A write transaction: queued behind other writers, committed (durably) on exit.

        Raises :class:`WriteRefused` (Danish) when the database's schema is not the one this code writes.
        """
        if not self.writable:
            raise refusal(self.revision)
        with self._begin() as (run, revision):
            if revision != HEAD:  # migrated by a newer replica since we looked
                self.revision = revision
                raise refusal(revision)
            yield Transaction(run, actor)

    def bulk(self, statements: Sequence[tuple[str, Sequence[Any]]] = (), loads: Sequence[Load] = ()) -> int:
        """Run ``statements`` (e.g. a DELETE), then load many rows, all in one transaction; returns the rows
        loaded.  SQLite: ``executemany`` behind the other writers; PostgreSQL: ``COPY``.

        For derived data no check-then-write depends on (a build's personal fields): not audited, and on
        PostgreSQL not queued behind the writers' lock, so a large load never holds up a workshop's saves.
        Raises :class:`WriteRefused` (Danish) when the database's schema is not the one this code writes.
        """
        if not self.writable:
            raise refusal(self.revision)
        return self._bulk(statements, loads)

    # --- reading ---------------------------------------------------------------------------------------

    def rows(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[dict[str, Any]]:
        """Run one SELECT and return the rows as dicts."""
        try:
            return self._query(sql, params)
        except self._schema_errors:
            if self.revision != HEAD and self.read_revision() != HEAD:
                raise refusal(self.revision) from None
            raise

    def one(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> dict[str, Any] | None:
        """The first row of a SELECT, or None."""
        rows = self.rows(sql, params)
        return rows[0] if rows else None

    def version(self) -> int:
        """A number that grows with every change, in commit order: poll it to see whether anything is new."""
        row = self.one("SELECT coalesce(max(audit_id), 0) AS v FROM audit")
        return int(row["v"]) if row else 0

    def history(
        self, *, entity: str | None = None, entity_id: str | None = None, limit: int = 200
    ) -> list[dict]:
        """The audit trail, newest first (optionally for one table or one row)."""
        where, params = [], []
        if entity:
            where.append("entity = ?")
            params.append(entity)
        if entity_id:
            where.append("entity_id = ?")
            params.append(entity_id)
        sql = "SELECT * FROM audit" + (f" WHERE {' AND '.join(where)}" if where else "")
        return self.rows(sql + " ORDER BY audit_id DESC LIMIT ?", [*params, limit])

    def last_undoable(self, *, actor: str | None = None, entity: str | None = None) -> dict | None:
        """The newest change not yet undone (and not itself an undo), optionally by one actor or table."""
        return self.one(*_undoable_sql(actor, entity))

    # --- undo ------------------------------------------------------------------------------------------

    def undo_last(
        self,
        actor: str,
        *,
        only_by: str | None = None,
        entity: str | None = None,
        check: Callable[[dict], None] | None = None,
    ) -> dict:
        """Reverse the newest change (by ``only_by`` if given); records the undo; returns the undone change.

        The row gets back what it held before the change, with the next ``version``: an edit started from
        the undone state is refused as a conflict, like any other edit started from an older version.
        ``check`` is called with the change inside the transaction before anything is reversed (e.g. to
        check the caller's scope over it); whatever it raises aborts the undo.
        """
        with self.write(actor) as tx:
            change = tx.one(*_undoable_sql(only_by, entity))
            if change is None:
                raise NothingToUndo("Der er ingen ændring at fortryde.")
            if check is not None:
                check(change)
            _reverse(tx, change)
        return change

    def undo_newest(
        self, actor: str, *, entity: str, count: int, check: Callable[[dict], None]
    ) -> list[dict]:
        """Reverse the ``count`` newest changes to ``entity`` in one transaction (a change made as one step,
        such as one apply of many entries); returns them, newest first.

        ``check`` is called with each change before it is reversed; whatever it raises aborts them all, so
        either every change is undone or none is."""
        undone = []
        with self.write(actor) as tx:
            for _ in range(count):
                change = tx.one(*_undoable_sql(None, entity))
                if change is None:
                    raise NothingToUndo("Der er ingen ændring at fortryde.")
                check(change)
                _reverse(tx, change)
                undone.append(change)
        return undone

    # --- the build the service serves ------------------------------------------------------------------

    def current_build(self) -> dict[str, Any] | None:
        """The build every replica serves (build, sha256, size_bytes, built_at, switched_at/by), or None."""
        return self.one("SELECT * FROM build_pointer WHERE name = 'current'")

    def switch_build(self, row: Mapping[str, Any], actor: str, *, expect: str | None = ANY) -> dict[str, Any]:
        """Point the service at build ``row`` (build, sha256, size_bytes, built_at), audited; returns it.

        Compare-and-set: with ``expect`` (the build the caller believes current; None for "none yet") the
        switch happens only if that is still so, else :class:`Conflict` names who switched and when.
        """
        new = {
            "build": str(row["build"]),
            "sha256": str(row["sha256"]),
            "size_bytes": int(row["size_bytes"]),
            "built_at": row.get("built_at"),
            "switched_at": now(),
            "switched_by": actor,
        }
        with self.write(actor) as tx:
            current = tx.get("build_pointer", "current")
            if expect is not ANY and (current["build"] if current else None) != expect:
                last = tx.last_change("build_pointer", "current") or {}
                raise Conflict(
                    f"Data er allerede skiftet til {current['build'] if current else 'ingen'} af "
                    f"{person(last.get('actor'))} den {local_stamp(last.get('at'))}; dit skift er ikke gjort.",
                    actor=last.get("actor"),
                    at=last.get("at"),
                )
            if current is None:
                return tx.insert("build_pointer", {"name": "current", **new}, action="skift data")
            return tx.update("build_pointer", "current", new, action="skift data")


def safe_lock_name(name: str) -> str:
    """A lock name as a file-name part (letters, digits, '-', '_', '.')."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "_", name.strip())
    if not cleaned:
        raise ValueError("Låsen skal have et navn.")
    return cleaned
