"""Migrations: from an empty database, from a SQLite store made before migrations, once and behind a lock
when two processes start together, and a store on another schema read but never written (in Danish)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest

from civilkort.settings import Settings
from civilkort.store import HEAD, SchemaOutdated, SchemaTooNew, Store, now, open_store
from civilkort.store.base import REVISIONS
from civilkort.store.migrate import LEGACY, MIGRATE_LOCK, script_head, upgrade
from civilkort.store.sqlite import lock_path, path_of
from tests.conftest import BACKENDS, PROJECT_ROOT
from tests.stores import fresh_database

LEGACY_SCHEMA = """
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
    client_token      TEXT UNIQUE
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
"""The store's schema as the code made it before migrations, in its oldest form (the four columns of
ADDED_COLUMNS missing: the old code added them when it opened such a file)."""


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    """An empty database: a SQLite file not yet made, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'store.sqlite'}"
        return
    with fresh_database() as url:
        yield url


def _workshop(store: Store, workshop_id: str = "w1") -> None:
    with store.write("Kim") as tx:
        tx.insert("workshops", {"workshop_id": workshop_id, "name": "W", "held_on": "2027-02-01", "code_hash": "x",
                                "code_expires_at": "2099", "created_by": "Kim", "created_at": now()})  # fmt: skip


def _migrate(url: str) -> subprocess.Popen:
    """``python -m etl migrate`` in a process of its own, on the store at ``url``."""
    env = {**os.environ, "CIVILKORT_DATABASE_URL": url}
    return subprocess.Popen([sys.executable, "-m", "etl", "migrate"], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def test_the_code_knows_the_newest_migration_script():
    assert script_head() == HEAD == REVISIONS[-1]


def test_an_empty_database_is_migrated_once(empty_url):
    assert upgrade(empty_url) == (None, HEAD)
    assert upgrade(empty_url) == (HEAD, HEAD)
    store = Store(empty_url, migrate="manual")
    try:
        assert store.revision == HEAD
        _workshop(store)
        assert store.one("SELECT version FROM workshops")["version"] == 1
        assert [store.rows(f"SELECT * FROM {t}") for t in ("roles", "build_pointer", "uploads")] == [
            [],
            [],
            [],
        ]
    finally:
        store.close()


def test_a_sqlite_store_made_before_migrations_is_recognised_and_continued(tmp_path):
    path = tmp_path / "data" / "store.sqlite"
    path.parent.mkdir()
    con = sqlite3.connect(path)
    con.executescript(LEGACY_SCHEMA)
    con.execute(
        "INSERT INTO workshops VALUES ('w1', 'Gammel', NULL, '2026-01-01', 'x', '2026-01-02', NULL, 'Kim', '2026-01-01')"
    )
    con.execute(
        "INSERT INTO entries (entry_id, workshop_id, kind, title, author, created_at) VALUES ('e1', 'w1', 'note', 'Før', 'Mette', '2026-01-01')"
    )
    con.execute(
        "INSERT INTO audit (at, actor, action, entity, entity_id, after) VALUES ('2026-01-01', 'Mette', 'opret', 'entries', 'e1', '{}')"
    )
    con.commit()
    con.close()

    proc = _migrate(f"sqlite:///{path}")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert f"migreret fra et lager fra før migreringerne til {HEAD}" in out

    store = Store(path)
    try:
        entry = store.one("SELECT * FROM entries")
        assert (entry["title"], entry["version"], entry["review_note"], entry["applied_as"]) == (
            "Før",
            1,
            None,
            None,
        )
        with store.write("Kim") as tx:
            tx.update("entries", "e1", {"status": "afvist", "review_note": "gammel"}, expected_version=1)
        store.undo_last("Kim")
        assert store.one("SELECT status, version FROM entries") == {"status": "ny", "version": 3}
        assert store.version() == 3  # the old audit row is kept, and the trail continues from it
    finally:
        store.close()


def test_a_legacy_store_is_also_adopted_when_the_app_opens_it(tmp_path):
    path = tmp_path / "store.sqlite"
    con = sqlite3.connect(path)
    con.executescript(LEGACY_SCHEMA)
    con.close()
    assert upgrade(f"sqlite:///{path}") == (LEGACY, HEAD)
    assert Store(path).revision == HEAD


def _revision(url: str) -> str | None:
    store = Store(url, migrate="manual")
    try:
        return store.revision
    finally:
        store.close()


def _hold_migrate_lock(url: str):
    """Take the migration lock as another process would; returns a function that lets it go."""
    if url.startswith("sqlite:"):
        from filelock import FileLock

        lock = FileLock(lock_path(path_of(url), "migrate"), thread_local=False)
        lock.acquire(timeout=5)
        return lock.release
    import psycopg

    con = psycopg.connect(url, autocommit=True)
    con.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK,))
    return con.close


@pytest.mark.timeout(300)
def test_a_second_migration_waits_for_the_first_then_does_its_part(empty_url):
    if empty_url.startswith("sqlite:"):
        path_of(empty_url).parent.mkdir(parents=True, exist_ok=True)
    release = _hold_migrate_lock(empty_url)
    try:
        proc = _migrate(empty_url)
        assert proc.stdout.readline().startswith("Lageret: ")
        assert "venter" in proc.stdout.readline()
        assert proc.poll() is None  # still waiting
        assert _revision(empty_url) is None  # and has not touched the schema
    finally:
        release()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert f"migreret fra tomt til {HEAD}" in out


@pytest.mark.timeout(300)
def test_two_processes_migrating_at_once_migrate_once(empty_url):
    if empty_url.startswith("sqlite:"):
        path_of(empty_url).parent.mkdir(parents=True, exist_ok=True)
    procs = [_migrate(empty_url) for _ in range(2)]
    results = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in results]
    outs = [out for out, _ in results]
    assert sum(f"migreret fra tomt til {HEAD}" in out for out in outs) == 1, outs
    assert sum("allerede det nyeste" in out for out in outs) == 1, outs


def test_manual_mode_reads_an_older_schema_and_refuses_every_write_in_danish(empty_url, tmp_path):
    upgrade(empty_url, revision="0001")
    cfg = Settings(data_dir=tmp_path, static_dir=tmp_path, database_url=empty_url, migrate="manual")
    store = open_store(cfg)
    try:
        assert store.revision == "0001"
        assert store.rows("SELECT * FROM workshops") == []  # reading works
        for write in (lambda: _workshop(store), lambda: store.undo_last("Kim"),
                      lambda: store.switch_build({"build": "b", "sha256": "s", "size_bytes": 1}, "Kim")):  # fmt: skip
            with pytest.raises(SchemaOutdated) as refused:
                write()
            assert str(refused.value).startswith(
                "Databasens skema er ældre end denne version af Civilsamfundskortet"
            )
            assert "kør 'python -m etl migrate'" in str(refused.value)
            assert "indtil da kan intet gemmes" in str(refused.value)
        upgrade(empty_url)  # the operator migrates: the same replica writes again, without a restart
        _workshop(store)
        assert store.one("SELECT name FROM workshops")["name"] == "W"
    finally:
        store.close()


def test_a_schema_newer_than_the_code_is_read_but_never_written(empty_url):
    store = Store(empty_url)
    try:
        _workshop(store)
        with store.write("Kim") as tx:  # a newer version of the app has migrated the database
            tx.rows("UPDATE alembic_version SET version_num = '0999'")
        with pytest.raises(SchemaTooNew, match="programmet på denne server er ældre end databasen"):
            _workshop(store, "w2")
        again = Store(empty_url)  # auto mode leaves a newer schema alone: it opens, reads, refuses writes
        try:
            assert again.revision == "0999" and len(again.rows("SELECT * FROM workshops")) == 1
            with pytest.raises(SchemaTooNew):
                _workshop(again, "w3")
        finally:
            again.close()
        with pytest.raises(SchemaTooNew):
            upgrade(empty_url)
    finally:
        store.close()


def test_manual_mode_on_an_empty_database_says_so_in_danish_when_read(empty_url):
    store = Store(empty_url, migrate="manual")
    try:
        with pytest.raises(SchemaOutdated, match="databasen: tom"):
            store.rows("SELECT * FROM workshops")
    finally:
        store.close()


def test_a_refused_write_is_shown_on_the_page_as_an_error_not_a_traceback():
    from streamlit.testing.v1 import AppTest

    def page():
        from civilkort.store.base import refusal
        from ui.notices import run_safely

        def body():
            raise refusal("0001")

        run_safely(body)

    at = AppTest.from_function(page).run(timeout=60)
    assert not at.exception
    assert "kør 'python -m etl migrate'" in at.error[0].value
