"""The store: what people add and decide in the app, kept apart from the built database.

Workshop entries, review decisions, guided sequences, duplicate decisions and snapshots live
here, in one SQLite file (``data/store.sqlite``), never in the DuckDB build:

* **Durable on save.** Each change is one transaction, committed with ``synchronous=FULL``
  before the call returns, so it survives a crash or restart of the app.
* **Survives rebuilds.** A build writes a new DuckDB file and switches to it; this file is
  not touched, so nothing added in a workshop is lost when data is rebuilt.
* **Many writers.** A DuckDB file takes one writer *process*, and the app opens its build
  read-only.  SQLite in WAL mode lets any number of threads (Streamlit sessions) and
  processes (the app, the CLI) write: writers queue on the file lock (``BEGIN IMMEDIATE``
  with a busy timeout) while readers carry on.  It is in the standard library.
* **Audited and undoable.** Every change goes through :class:`Transaction`, which records who,
  when, what, and the row before and after in ``audit``; :meth:`Store.undo_last` reverses
  the latest change that is not yet undone, and records that too.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from civilkort.settings import Settings, settings

BUSY_TIMEOUT_S = 30.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS workshops (
    workshop_id     TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    council_id      TEXT,
    held_on         TEXT NOT NULL,          -- ISO date
    code_hash       TEXT NOT NULL,          -- see civilkort.auth.hash_code
    code_expires_at TEXT NOT NULL,          -- ISO timestamp, UTC
    snapshot_id     TEXT,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    entry_id          TEXT PRIMARY KEY,
    workshop_id       TEXT NOT NULL REFERENCES workshops (workshop_id),
    kind              TEXT NOT NULL CHECK (kind IN ('organisation', 'tilbud', 'samarbejde', 'note')),
    title             TEXT NOT NULL,
    payload           TEXT NOT NULL DEFAULT '{}',   -- JSON: the form's fields
    lat               REAL,
    lon               REAL,
    municipality_code INTEGER,
    author            TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    status            TEXT NOT NULL DEFAULT 'ny' CHECK (status IN ('ny', 'godkendt', 'flettet', 'afvist')),
    reviewed_by       TEXT,
    reviewed_at       TEXT,
    merged_into       TEXT,                 -- id of the existing record it was merged into
    client_token      TEXT UNIQUE,          -- one per form submission: a retried save is not a duplicate
    review_note       TEXT,                 -- the coordinator's reason (rejection) or remark
    merge_fields      TEXT,                 -- JSON list: fields a merge replaces (the rest only fill gaps)
    applied_at        TEXT,                 -- when it went into the data (civilkort.workshop.apply_accepted)
    applied_as        TEXT                  -- the record id it became or was merged into
);
CREATE INDEX IF NOT EXISTS entries_workshop ON entries (workshop_id, created_at);
CREATE TABLE IF NOT EXISTS sequences (
    sequence_id TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    council_id  TEXT,
    steps       TEXT NOT NULL,              -- JSON list of views
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
    snapshot_id TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    file        TEXT NOT NULL,              -- file name under data/snapshots/
    built_at    TEXT,                       -- the frozen build's own date
    workshop_id TEXT,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS duplicate_decisions (
    pair_key   TEXT PRIMARY KEY,            -- the two record keys, sorted, joined by '|'
    key_a      TEXT NOT NULL,
    key_b      TEXT NOT NULL,
    decision   TEXT NOT NULL CHECK (decision IN ('flet', 'hold_adskilt')),
    keep_key   TEXT,                        -- for 'flet': the record that stays
    note       TEXT,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS roles (
    subject    TEXT,                        -- e-mail, casefolded
    role       TEXT CHECK (role IN ('koordinator','regional','admin')),
    scope      TEXT NOT NULL,               -- council_id, region_id or '*'
    granted_by TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (subject, role, scope)
);
CREATE TABLE IF NOT EXISTS audit (
    audit_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,                -- table name
    entity_id TEXT NOT NULL,
    before    TEXT,                         -- JSON row, NULL when created
    after     TEXT,                         -- JSON row, NULL when deleted
    undoes    INTEGER REFERENCES audit (audit_id),
    undone_by INTEGER REFERENCES audit (audit_id)
);
"""

KEYS = {
    "workshops": "workshop_id",
    "entries": "entry_id",
    "sequences": "sequence_id",
    "snapshots": "snapshot_id",
    "duplicate_decisions": "pair_key",
    "roles": ("subject", "role", "scope"),
}
"""Each audited table and its primary key (a tuple of columns for a composite key)."""

ADDED_COLUMNS = (
    ("entries", "review_note", "TEXT"),
    ("entries", "merge_fields", "TEXT"),
    ("entries", "applied_at", "TEXT"),
    ("entries", "applied_as", "TEXT"),
)
"""Columns added after a table was first created: added to an older store file when it is opened."""


class NothingToUndo(Exception):
    """There is no change left to undo."""


def now() -> str:
    """The current time in UTC as an ISO string (what the store records)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def new_id() -> str:
    """A fresh random id."""
    return uuid.uuid4().hex


def _where(table: str) -> str:
    """The WHERE condition on a table's primary key (one placeholder per key column)."""
    key = KEYS[table]
    return " AND ".join(f"{c} = ?" for c in key) if isinstance(key, tuple) else f"{key} = ?"


def _key_params(table: str, key: Any) -> tuple:
    """A key value as query parameters: a composite key is a tuple, or its audit form 'a|b|c'."""
    if isinstance(KEYS[table], tuple):
        return tuple(key.split("|")) if isinstance(key, str) else tuple(key)
    return (key,)


def _key_of(table: str, row: Mapping[str, Any]) -> Any:
    key = KEYS[table]
    return tuple(row[c] for c in key) if isinstance(key, tuple) else row[key]


def _entity_id(key: Any) -> str:
    return "|".join(map(str, key)) if isinstance(key, tuple) else str(key)


class Transaction:
    """One write transaction; every change through it is audited."""

    def __init__(self, con: sqlite3.Connection, actor: str):
        self.con = con
        self.actor = actor

    def get(self, table: str, key: str) -> dict[str, Any] | None:
        """One row by primary key, or None."""
        row = self.con.execute(
            f"SELECT * FROM {table} WHERE {_where(table)}", _key_params(table, key)
        ).fetchone()
        return dict(row) if row else None

    def _audit(self, action: str, table: str, key: str, before: Mapping | None, after: Mapping | None) -> int:
        cur = self.con.execute(
            "INSERT INTO audit (at, actor, action, entity, entity_id, before, after) VALUES (?,?,?,?,?,?,?)",
            (
                now(),
                self.actor,
                action,
                table,
                _entity_id(key),
                None if before is None else json.dumps(dict(before), ensure_ascii=False),
                None if after is None else json.dumps(dict(after), ensure_ascii=False),
            ),
        )
        return int(cur.lastrowid)

    def insert(self, table: str, row: Mapping[str, Any], action: str = "opret") -> dict[str, Any]:
        """Insert one row and audit it; returns the row as stored."""
        cols = list(row)
        self.con.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [row[c] for c in cols],
        )
        stored = self.get(table, _key_of(table, row))
        assert stored is not None
        self._audit(action, table, _key_of(table, stored), None, stored)
        return stored

    def update(self, table: str, key: str, changes: Mapping[str, Any], action: str = "ret") -> dict[str, Any]:
        """Change columns of one row and audit before/after; returns the new row."""
        before = self.get(table, key)
        if before is None:
            raise KeyError(f"{table}: {key}")
        sets = ", ".join(f"{c} = ?" for c in changes)
        self.con.execute(
            f"UPDATE {table} SET {sets} WHERE {_where(table)}", [*changes.values(), *_key_params(table, key)]
        )
        after = self.get(table, key)
        assert after is not None
        self._audit(action, table, key, before, after)
        return after

    def delete(self, table: str, key: str, action: str = "slet") -> dict[str, Any]:
        """Delete one row and audit what it was."""
        before = self.get(table, key)
        if before is None:
            raise KeyError(f"{table}: {key}")
        self.con.execute(f"DELETE FROM {table} WHERE {_where(table)}", _key_params(table, key))
        self._audit(action, table, key, before, None)
        return before


class Store:
    """The SQLite store at one path; open one per process and share it between threads."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connect() as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(SCHEMA)
            for table, column, decl in ADDED_COLUMNS:
                have = {r["name"] for r in con.execute(f"PRAGMA table_info({table})")}
                if column not in have:
                    try:
                        con.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")
                    except sqlite3.OperationalError as exc:  # another process added it just now
                        if "duplicate column" not in str(exc):
                            raise

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA synchronous=FULL")
        con.execute("PRAGMA foreign_keys=ON")
        return con

    def _con(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections are not shared between threads)."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = self._connect()
        return con

    @contextmanager
    def write(self, actor: str) -> Iterator[Transaction]:
        """A write transaction: queued behind other writers, committed (durably) on exit."""
        con = self._con()
        con.execute("BEGIN IMMEDIATE")
        try:
            yield Transaction(con, actor)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def rows(self, sql: str, params: Mapping | tuple | list = ()) -> list[dict[str, Any]]:
        """Run one SELECT and return the rows as dicts."""
        return [dict(r) for r in self._con().execute(sql, params).fetchall()]

    def one(self, sql: str, params: Mapping | tuple | list = ()) -> dict[str, Any] | None:
        """The first row of a SELECT, or None."""
        rows = self.rows(sql, params)
        return rows[0] if rows else None

    def version(self) -> int:
        """A number that grows with every change: poll it to see whether anything is new."""
        row = self._con().execute("SELECT coalesce(max(audit_id), 0) FROM audit").fetchone()
        return int(row[0])

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
        where = ["undone_by IS NULL", "undoes IS NULL"]
        params: list = []
        if actor:
            where.append("actor = ?")
            params.append(actor)
        if entity:
            where.append("entity = ?")
            params.append(entity)
        return self.one(
            f"SELECT * FROM audit WHERE {' AND '.join(where)} ORDER BY audit_id DESC LIMIT 1", params
        )

    def undo_last(
        self,
        actor: str,
        *,
        only_by: str | None = None,
        entity: str | None = None,
        check: Callable[[dict], None] | None = None,
    ) -> dict:
        """Reverse the newest change (by ``only_by`` if given); records the undo; returns the undone change.

        ``check`` is called with the change inside the transaction before anything is reversed (e.g. to
        check the caller's scope over it); whatever it raises aborts the undo.
        """
        with self.write(actor) as tx:
            change = self.last_undoable(actor=only_by, entity=entity)
            if change is None:
                raise NothingToUndo("Der er ingen ændring at fortryde.")
            if check is not None:
                check(change)
            table, key = change["entity"], change["entity_id"]
            before = json.loads(change["before"]) if change["before"] else None
            current = tx.get(table, key)
            if before is None:
                tx.con.execute(f"DELETE FROM {table} WHERE {_where(table)}", _key_params(table, key))
            elif current is None:
                cols = list(before)
                tx.con.execute(
                    f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                    [before[c] for c in cols],
                )
            else:
                sets = ", ".join(f"{c} = ?" for c in before)
                tx.con.execute(
                    f"UPDATE {table} SET {sets} WHERE {_where(table)}",
                    [*before.values(), *_key_params(table, key)],
                )
            undo_id = tx._audit(f"fortryd {change['action']}", table, key, current, before)
            tx.con.execute("UPDATE audit SET undoes = ? WHERE audit_id = ?", (change["audit_id"], undo_id))
            tx.con.execute("UPDATE audit SET undone_by = ? WHERE audit_id = ?", (undo_id, change["audit_id"]))
        return change


_stores: dict[Path, Store] = {}
_stores_lock = threading.Lock()


def open_store(cfg: Settings | None = None) -> Store:
    """The store of the data folder in force (one Store object per path and process)."""
    path = (cfg or settings()).store_path
    with _stores_lock:
        if path not in _stores:
            _stores[path] = Store(path)
        return _stores[path]
