"""The store on a PostgreSQL server: the system of record that every replica of the service shares.

* **A pool per process** (psycopg 3, ``psycopg_pool.ConnectionPool``), rows as dicts; reads run in
  autocommit, one statement each.
* **Writers one at a time, as SQLite's ``BEGIN IMMEDIATE``.** Each write transaction first takes the
  transaction-level advisory lock :data:`WRITE_LOCK` (``pg_advisory_xact_lock``), held to its commit.
  So the callers' "check, then write" (a retried form's ``client_token``, undo, a record's version) cannot
  interleave with another writer on any replica, and audit ids are drawn in commit order: the lock is
  released only after the commit is visible, so :meth:`Store.version` only ever grows in commit order and a
  poller never skips a change.  A writer waits at most ``lock_timeout`` (30 s) for the lock.
* **Durable on save.** ``synchronous_commit`` is left on: a commit has reached the server's disk (and, if
  the server is set up so, its synchronous standby) before the call returns.
* **Service-wide locks** (:meth:`PostgresStore.exclusive`) are session advisory locks on a connection of
  their own, released when it ends, even if the process dies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import errors
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from civilkort.store.base import (
    BUSY_TIMEOUT_S,
    WRITE_LOCK,
    Load,
    LockBusy,
    Run,
    Store,
    StoreUnavailable,
    lock_key,
)

POOL_MIN, POOL_MAX = 1, 20
"""Connections per process: writers queue on the lock anyway; readers are short."""

_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/|::|\?|%|:[A-Za-z_]\w*", re.S)


@lru_cache(maxsize=1024)
def to_pyformat(sql: str) -> str:
    """SQL with ``?`` and ``:name`` placeholders (as SQLite takes them) in psycopg's ``%s``/``%(name)s``;
    a literal ``%`` doubled.  Quoted text, quoted names, comments and ``::`` casts are left alone."""

    def swap(m: re.Match[str]) -> str:
        token = m.group(0)
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        if token.startswith(":") and token != "::":
            return f"%({token[1:]})s"
        return token.replace("%", "%%")

    return _TOKEN.sub(swap, sql)


def conninfo(url: str) -> str:
    """A libpq address from a store URL (``postgresql+psycopg://`` and ``postgres://`` accepted)."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql{sep}{rest}" if scheme.split("+")[0] in ("postgresql", "postgres") else url


def _unavailable(exc: Exception) -> StoreUnavailable:
    return StoreUnavailable(
        "Databasen (PostgreSQL) svarer ikke lige nu; prøv igen om lidt. "
        f"Driften kan se mere i loggen ({type(exc).__name__})."
    )


class PostgresStore(Store):
    """The store in one PostgreSQL database; open one per process and share it between threads."""

    _schema_errors = (errors.UndefinedTable, errors.UndefinedColumn)

    def __init__(self, target: str, *, migrate: str = "auto", pool_max: int = POOL_MAX):
        self.url = str(target)
        self._conninfo = conninfo(self.url)
        self._pool = ConnectionPool(
            self._conninfo,
            min_size=POOL_MIN,
            max_size=pool_max,
            kwargs={"autocommit": True, "row_factory": dict_row, "application_name": "civilkort"},
            configure=self._configure,
            timeout=BUSY_TIMEOUT_S,
            name="civilkort-store",
            open=False,
        )
        try:
            self._pool.open(wait=True, timeout=BUSY_TIMEOUT_S)
            self._open(migrate)
        except (PoolTimeout, psycopg.OperationalError) as exc:
            self._pool.close()
            raise _unavailable(exc) from exc
        except BaseException:
            self._pool.close()
            raise

    @staticmethod
    def _configure(con: psycopg.Connection) -> None:
        con.execute(f"SET lock_timeout = '{int(BUSY_TIMEOUT_S * 1000)}ms'")

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection]:
        try:
            with self._pool.connection() as con:
                yield con
        except PoolTimeout as exc:
            raise _unavailable(exc) from exc

    @staticmethod
    def _run(con: psycopg.Connection, sql: str, params: Sequence[Any] | Mapping[str, Any]) -> list[dict]:
        cur = con.execute(to_pyformat(sql), params) if params else con.execute(sql)
        return cur.fetchall() if cur.description is not None else []

    def _query(self, sql: str, params: Sequence[Any] | Mapping[str, Any]) -> list[dict[str, Any]]:
        with self._connection() as con:
            return self._run(con, sql, params)

    @contextmanager
    def _begin(self) -> Iterator[tuple[Run, str | None]]:
        with self._connection() as con:
            try:
                # one round trip: the statements still run in order, so the revision is read after the lock
                with con.pipeline():
                    con.execute("BEGIN")
                    con.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                    found = con.execute("SELECT version_num FROM alembic_version")
                revision = found.fetchone()
            except errors.LockNotAvailable as exc:
                con.execute("ROLLBACK")
                raise LockBusy(
                    f"Lageret er optaget af andre, der gemmer; prøv igen om lidt (ventede {BUSY_TIMEOUT_S:.0f} s)."
                ) from exc
            except BaseException:
                con.execute("ROLLBACK")
                raise
            try:
                yield (lambda sql, params: self._run(con, sql, params)), revision and revision["version_num"]
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def _bulk(self, statements: Sequence[tuple[str, Sequence[Any]]], loads: Sequence[Load]) -> int:
        """One transaction: the statements, then ``COPY ... FROM STDIN`` per table."""
        loaded = 0
        with self._connection() as con, con.transaction():
            for sql, params in statements:
                con.execute(to_pyformat(sql), params)
            with con.cursor() as cur:
                for table, columns, rows in loads:
                    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                            loaded += 1
        return loaded

    def read_revision(self) -> str | None:
        """The schema revision in the database now (None: no schema yet)."""
        with self._connection() as con:
            if con.execute("SELECT to_regclass('alembic_version') AS t").fetchone()["t"] is None:
                return None
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
            return row["version_num"] if row else None

    @contextmanager
    def exclusive(self, name: str, timeout_s: float) -> Iterator[None]:
        """Hold the lock ``name`` across every process and replica on this database: a session advisory
        lock on a connection of its own (so it ends with the connection, whatever happens)."""
        key = lock_key(f"exclusive:{name}")
        try:
            con = psycopg.connect(self._conninfo, autocommit=True, application_name="civilkort-lock")
        except psycopg.OperationalError as exc:
            raise _unavailable(exc) from exc
        try:
            con.execute(f"SET lock_timeout = '{max(1, int(timeout_s * 1000))}ms'")
            try:
                con.execute("SELECT pg_advisory_lock(%s)", (key,))
            except errors.LockNotAvailable:
                raise LockBusy(
                    f"'{name}' er i gang et andet sted (ventede {timeout_s:.0f} s); prøv igen, når det er færdigt."
                ) from None
            try:
                yield
            finally:
                if not con.closed:
                    con.execute("SELECT pg_advisory_unlock(%s)", (key,))
        finally:
            con.close()

    def close(self) -> None:
        """Close the pool."""
        self._pool.close()
