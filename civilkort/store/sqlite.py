"""The store in one SQLite file (``data/store.sqlite``): the embedded default, no server needed.

* **Durable on save.** Each change is one transaction, committed with ``synchronous=FULL`` before the
  call returns, so it survives a crash or restart of the app.
* **Many writers, one at a time.** WAL mode lets any number of threads (Streamlit sessions) and processes
  (the app, the CLI) write: writers queue on the file lock (``BEGIN IMMEDIATE`` with a busy timeout)
  while readers carry on.  It is in the standard library.
* **One host only.** WAL needs shared memory, so the file must not live on a network file system and
  cannot be shared by replicas on several hosts: that is what the PostgreSQL backend is for.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from civilkort.store.base import BUSY_TIMEOUT_S, Load, LockBusy, Run, Store, safe_lock_name

URL_PREFIX = "sqlite:///"


def path_of(url: str) -> Path:
    """The file of a ``sqlite:///path`` URL (``sqlite:////abs/path`` for an absolute path)."""
    if not url.startswith(URL_PREFIX):
        raise ValueError(f"Ikke en SQLite-adresse: {url!r}")
    return Path(url[len(URL_PREFIX) :])


def lock_path(path: Path, name: str) -> Path:
    """The lock file ``name`` beside the store file."""
    return path.with_name(f"{path.name}.{safe_lock_name(name)}.lock")


class SQLiteStore(Store):
    """The SQLite store at one path; open one per process and share it between threads."""

    _schema_errors = (sqlite3.OperationalError,)

    def __init__(self, target: str | Path, *, migrate: str = "auto"):
        text = str(target)
        self.path = path_of(text) if text.startswith(URL_PREFIX) else Path(target)
        self.url = f"{URL_PREFIX}{self.path}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        con = self._connect()
        try:
            con.execute("PRAGMA journal_mode=WAL")
        finally:
            con.close()
        self._open(migrate)

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

    def _query(self, sql: str, params: Sequence[Any] | Mapping[str, Any]) -> list[dict[str, Any]]:
        return [dict(r) for r in self._con().execute(sql, params).fetchall()]

    @contextmanager
    def _begin(self) -> Iterator[tuple[Run, str | None]]:
        con = self._con()
        try:
            con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise LockBusy(
                    f"Lageret er optaget af andre, der gemmer; prøv igen om lidt (ventede {BUSY_TIMEOUT_S:.0f} s)."
                ) from exc
            raise
        try:
            found = con.execute("SELECT version_num FROM alembic_version").fetchone()
            yield self._query, found[0] if found else None
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    def _bulk(self, statements: Sequence[tuple[str, Sequence[Any]]], loads: Sequence[Load]) -> int:
        """One ``BEGIN IMMEDIATE`` transaction: the statements, then ``executemany`` per table."""
        loaded = 0
        with self._begin():
            con = self._con()
            for sql, params in statements:
                con.execute(sql, params)
            for table, columns, rows in loads:
                cur = con.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                    rows,
                )
                loaded += max(cur.rowcount, 0)
        return loaded

    def read_revision(self) -> str | None:
        """The schema revision in the file now (None: no schema yet)."""
        con = self._con()
        if con.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone():
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            return row[0] if row else None
        return None

    @contextmanager
    def exclusive(self, name: str, timeout_s: float) -> Iterator[None]:
        """Hold the lock ``name``: a lock file beside the store file (all processes on this host)."""
        lock = FileLock(lock_path(self.path, name), thread_local=False)
        try:
            lock.acquire(timeout=timeout_s)
        except Timeout:
            raise LockBusy(
                f"'{name}' er i gang et andet sted (ventede {timeout_s:.0f} s); prøv igen, når det er færdigt."
            ) from None
        try:
            yield
        finally:
            lock.release()

    def close(self) -> None:
        """Close this thread's connection."""
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None
