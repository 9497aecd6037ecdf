"""Stores for tests on both backends: a SQLite file, or a fresh PostgreSQL database per test.

The ``store_url`` and ``store`` fixtures in ``tests/conftest.py`` use these.  A PostgreSQL database is
created on the server in ``CIVILKORT_TEST_POSTGRES_URL`` for each test and dropped after it (skipped on a
laptop without the variable, failed in CI).  Migrated stores are copied from a template made once per
session (a file; a template database), so a test pays for a copy, not a migration.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.services import env_url

POSTGRES_ENV = "CIVILKORT_TEST_POSTGRES_URL"


def postgres_server() -> str:
    """The test server's URL (a user that may create databases), or skip/fail naming what is missing."""
    return env_url(POSTGRES_ENV, "PostgreSQL")


def database_url(server: str, name: str) -> str:
    """The URL of database ``name`` on the server at ``server``."""
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


@contextmanager
def fresh_database(template: str | None = None) -> Iterator[str]:
    """A new database (empty, or a copy of ``template``), dropped afterwards; yields its URL."""
    import psycopg
    from psycopg import sql

    server = postgres_server()
    name = f"civilkort_test_{uuid.uuid4().hex[:12]}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        create = sql.SQL("{} TEMPLATE {}").format(create, sql.Identifier(template))
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(create)
    try:
        yield database_url(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as con:
            con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def postgres_template() -> Iterator[str]:
    """A database migrated to the newest schema, to copy from; yields its name."""
    from civilkort.store import Store

    with fresh_database() as url:
        Store(url).close()
        yield urlsplit(url).path.lstrip("/")


def sqlite_copy(template: Path, folder: Path) -> str:
    """A copy of the migrated SQLite template in ``folder``; returns its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "store.sqlite"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def sqlite_template(folder: Path) -> Path:
    """A SQLite store file migrated to the newest schema (its WAL folded in), to copy from."""
    from civilkort.store import Store

    path = folder / "template.sqlite"
    store = Store(path)
    store.rows("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path
