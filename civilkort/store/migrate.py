"""Schema migrations (alembic, scripts in ``civilkort/migrations``): run once, by one process, behind a lock.

:func:`upgrade` brings a store to :data:`~civilkort.store.base.HEAD`.  Only one process migrates at a time:
on PostgreSQL it holds the session advisory lock :data:`MIGRATE_LOCK` (and, inside the migration's
transaction, the writers' lock, so no save interleaves with a schema change); on SQLite a lock file beside
the store file.  A second process waits, then finds the schema up to date and does nothing.

A SQLite store made before migrations existed (tables, no ``alembic_version``) is recognised: revision 1
adopts it, adding the columns later versions of the old code added on opening (see ``0001``), and
records itself, so the file continues from there like any other.

SQLAlchemy is used here only, to run alembic; the app itself talks to the database through the backends.
"""

from __future__ import annotations

from collections.abc import Callable

from filelock import FileLock, Timeout

from civilkort.settings import PACKAGE_DIR
from civilkort.store.base import HEAD, REVISIONS, LockBusy, StoreUnavailable, lock_key, refusal
from civilkort.store.sqlite import URL_PREFIX, lock_path, path_of

MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
MIGRATE_LOCK = lock_key("migrate")
LEGACY = "før-migreringer"
"""What :func:`upgrade` reports as the revision before for a store made before migrations existed."""
MIGRATE_TIMEOUT_S = 600.0
"""How long a process waits for another's migration before giving up."""


def sqlalchemy_url(url: str) -> str:
    """The store URL as SQLAlchemy names it (PostgreSQL through psycopg 3)."""
    scheme, sep, rest = url.partition("://")
    if scheme.split("+")[0] in ("postgresql", "postgres"):
        return f"postgresql+psycopg{sep}{rest}"
    return url


def alembic_config(connection: object | None = None) -> object:
    """Alembic's configuration for the package's scripts (no alembic.ini: nothing to find on disk)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def script_head() -> str:
    """The newest revision among the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def upgrade(
    url: str, *, on_wait: Callable[[], None] | None = None, revision: str = "head"
) -> tuple[str | None, str]:
    """Bring the store at ``url`` to HEAD (or ``revision``), once; returns (revision before, revision after).

    ``on_wait`` is called when another process is migrating and this one waits for it.  Raises
    :class:`~civilkort.store.base.SchemaTooNew` for a database migrated by newer code than this.
    """
    if url.startswith(URL_PREFIX):
        path = path_of(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(lock_path(path, "migrate"), thread_local=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if on_wait:
                on_wait()
            try:
                lock.acquire(timeout=MIGRATE_TIMEOUT_S)
            except Timeout:
                raise LockBusy(
                    f"En anden migrering af {path} blev ikke færdig inden for {MIGRATE_TIMEOUT_S:.0f} s."
                ) from None
        try:
            return _upgrade(url, None, revision)
        finally:
            lock.release()
    return _upgrade(url, on_wait, revision)


def _upgrade(url: str, on_wait: Callable[[], None] | None, revision: str) -> tuple[str | None, str]:
    import sqlalchemy as sa
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    engine = sa.create_engine(sqlalchemy_url(url), poolclass=sa.NullPool)
    try:
        try:
            connection = engine.connect()
        except sa.exc.OperationalError as exc:
            reason = " ".join(str(exc.orig or exc).split())
            raise StoreUnavailable(f"Der er ingen forbindelse til databasen: {reason}") from None
        with connection as conn:
            is_pg = conn.dialect.name == "postgresql"
            if is_pg:
                conn.exec_driver_sql(f"SET lock_timeout = '{int(MIGRATE_TIMEOUT_S * 1000)}ms'")
                got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": MIGRATE_LOCK}).scalar()
                if not got:
                    if on_wait:
                        on_wait()
                    conn.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATE_LOCK})
                conn.commit()
            try:
                before = MigrationContext.configure(conn).get_current_revision()
                legacy = before is None and sa.inspect(conn).has_table("workshops")
                conn.commit()
                if before is not None and before not in REVISIONS:
                    raise refusal(before)
                if before != (HEAD if revision == "head" else revision):
                    command.upgrade(alembic_config(conn), revision)
                    conn.commit()
                after = MigrationContext.configure(conn).get_current_revision()
                conn.commit()
            finally:
                if is_pg:
                    conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATE_LOCK})
                    conn.commit()
    finally:
        engine.dispose()
    assert after is not None
    return (LEGACY if legacy else before), after


def current(url: str) -> str | None:
    """The revision the store at ``url`` is at (None: no schema), without changing anything."""
    from civilkort.store.base import Store

    store = Store(url, migrate="manual")
    try:
        return store.revision
    finally:
        store.close()
