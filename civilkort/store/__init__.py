"""The store: what people add and decide in the app, kept apart from the built database.

Workshops and their entries, review decisions, guided sequences, duplicate decisions, snapshots' records,
roles, uploads' records and the pointer to the build the service serves live here, never in the DuckDB
build.  Two backends, one interface, chosen by ``CIVILKORT_DATABASE_URL`` (``Settings.store_url``):

* **SQLite** (default, ``data/store.sqlite``): no server, one host (:mod:`civilkort.store.sqlite`);
* **PostgreSQL** (``postgresql://…``): the system of record that every replica shares
  (:mod:`civilkort.store.postgres`).

Both keep the same promises:

* **Durable on save.** Each change is one transaction, committed before the call returns.
* **Survives rebuilds.** A build writes a new DuckDB file and switches to it; the store is not touched.
* **Writers one at a time.** A write transaction waits for the one before it (SQLite: ``BEGIN
  IMMEDIATE``; PostgreSQL: an advisory lock), so a check and the write after it cannot interleave, and
  :meth:`Store.version` grows in commit order; readers carry on meanwhile.
* **Audited and undoable.** Every change goes through :class:`Transaction`, which records who, when,
  what, and the row before and after in ``audit``; :meth:`Store.undo_last` reverses the latest change
  that is not yet undone, and records that too.
* **A version per record** (workshops, entries, sequences): an edit made from an older version raises
  :class:`Conflict`, naming who changed it and when, instead of overwriting it.
* **Migrations** (alembic, :mod:`civilkort.store.migrate`): with ``CIVILKORT_MIGRATE=auto`` the store
  brings its schema up to date when opened; with ``manual``, a store on another schema opens for reading
  and refuses writes (:class:`WriteRefused`, in Danish) until ``python -m etl migrate`` has run.
"""

from __future__ import annotations

import threading

from civilkort.settings import Settings, settings
from civilkort.store import migrate, sqlite
from civilkort.store.base import (
    ANY,
    HEAD,
    KEYS,
    VERSIONED,
    Conflict,
    LockBusy,
    NothingToUndo,
    SchemaOutdated,
    SchemaTooNew,
    Store,
    StoreError,
    StoreUnavailable,
    Transaction,
    WriteRefused,
    new_id,
    now,
    register_backend,
    register_upgrade,
)

__all__ = [
    "ANY",
    "HEAD",
    "KEYS",
    "VERSIONED",
    "Conflict",
    "LockBusy",
    "NothingToUndo",
    "SchemaOutdated",
    "SchemaTooNew",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "Transaction",
    "WriteRefused",
    "new_id",
    "now",
    "open_store",
]


def _postgres() -> type[Store]:
    from civilkort.store.postgres import PostgresStore  # psycopg is imported only where it is used

    return PostgresStore


register_backend("sqlite", lambda: sqlite.SQLiteStore)
register_backend("postgresql", _postgres)
register_upgrade(migrate.upgrade)

_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def open_store(cfg: Settings | None = None) -> Store:
    """The store in force (one Store object per URL and process), migrated first if ``cfg.migrate`` is auto."""
    cfg = cfg or settings()
    url = cfg.store_url
    with _stores_lock:
        if url not in _stores:
            _stores[url] = Store(url, migrate=cfg.migrate)
        return _stores[url]
