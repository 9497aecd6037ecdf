"""Read access to the current database: every query the app runs goes through here.

The ETL switches builds by rewriting ``data/current.txt`` (or the shared pointer: the store's row or the
object store's ``current.json``);
``current_path`` reads it whenever it changed, so a new build is picked up without a restart,
and a database file is only ever opened read-only.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from civilkort import buildstore
from civilkort.settings import Settings, settings


class NoDatabase(Exception):
    """No database has been built yet; the message says how to build one."""


OLDEST_READABLE_SCHEMA = 8
"""The oldest build schema (``build_info.schema_version``, written by ``etl.build``) the app's queries read:
8 added ``out_records_by_day``, which Huller's coverage and Sammenlign read; 4 added the reader tables (``out_*``) that the radar's organisation lists query (3 added region-wide regional
units, ``regional_units.area_municipality_codes``, which the area's units and figures need)."""


_POINTER_SEEN: dict[Path, tuple[tuple[int, int, int], Path | None]] = {}
"""Pointer file -> (its inode, mtime and size when read, what it named): a page run asks a dozen times."""


def current_path(cfg: Settings | None = None) -> Path | None:
    """The database file currently served, or None if none is built.

    The pointer is read again whenever it changed (a build replaces it atomically: a new inode); a
    named file that has gone missing is noticed on the next call as well.  With an object store or a
    shared store (PostgreSQL), the shared pointer is read every few seconds and a new build fetched and
    verified before it is named (:func:`civilkort.buildstore.serving_path`)."""
    cfg = cfg or settings()
    if cfg.object_store_url or cfg.store_is_shared:
        return buildstore.serving_path(cfg)
    pointer = cfg.current_pointer
    try:
        st = pointer.stat()
    except FileNotFoundError:
        return None
    stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
    seen = _POINTER_SEEN.get(pointer)
    if seen is not None and seen[0] == stamp and (seen[1] is None or seen[1].exists()):
        return seen[1]
    try:
        lines = pointer.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    name = lines[0].strip() if lines else ""  # the name; key=value lines after it (civilkort.builds)
    path = cfg.builds_dir / name
    found = path if name and path.exists() else None
    _POINTER_SEEN[pointer] = (stamp, found)
    return found


class Database:
    """A read-only DuckDB database; safe to share between threads (one cursor per query)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._con = duckdb.connect(str(self.path), read_only=True)
        self._lock = threading.Lock()
        self._meta: dict[str, str] | None = None

    def query(self, sql: str, params: dict | list | None = None, *, via_arrow: bool = False) -> pd.DataFrame:
        """Run one SELECT with bound parameters and return a DataFrame.

        ``via_arrow`` fetches through Arrow: several times faster for long lists of text (the radar's
        organisation lists, 90,000 rows nationally), but dates come back as Python objects, not datetime64."""
        if via_arrow:
            return self.arrow(sql, params).to_pandas()
        with self._lock:
            cur = self._con.cursor()
        try:
            return cur.execute(sql, params or {}).df()
        finally:
            cur.close()

    def arrow(self, sql: str, params: dict | list | None = None) -> pa.Table:
        """Run one SELECT with bound parameters and return an Arrow table (long texts kept in Arrow's buffers,
        not one Python object each: half the memory of :meth:`query` for the search index's 400.000 texts)."""
        with self._lock:
            cur = self._con.cursor()
        try:
            return cur.sql(sql, params=params or {}).to_arrow_table()
        finally:
            cur.close()

    def scalar(self, sql: str, params: dict | list | None = None):
        """Run a query returning one value."""
        with self._lock:
            cur = self._con.cursor()
        try:
            row = cur.execute(sql, params or {}).fetchone()
            return row[0] if row else None
        finally:
            cur.close()

    def meta(self) -> dict[str, str]:
        """The build's metadata (built_at, is_example, boundaries_source, ...); a build never changes."""
        if self._meta is None:
            self._meta = dict(
                self.query("SELECT key, value FROM build_info").itertuples(index=False, name=None)
            )
        return dict(self._meta)

    def outdated(self) -> str | None:
        """A Danish message if this build is older than the app reads (build it again), else None."""
        version = self.meta().get("schema_version", "")
        if not version.isdigit() or int(version) >= OLDEST_READABLE_SCHEMA:
            return None
        return (
            f"Databasen er bygget af en ældre version af Civilsamfundskortet (skema {version}; appen læser "
            f"skema {OLDEST_READABLE_SCHEMA} og nyere) og kan ikke vises. Byg den igen af de samme input med "
            "'python -m etl rebuild' (eksempeldata: 'python -m etl demo')."
        )

    def close(self) -> None:
        """Close the connection."""
        self._con.close()


def open_current(cfg: Settings | None = None) -> Database:
    """Open the database currently served, or raise NoDatabase."""
    path = current_path(cfg)
    if path is None:
        raise NoDatabase(
            "Der er endnu ingen database. Byg eksempeldata med 'python -m etl demo' "
            "eller jeres egne data med 'python -m etl build FILER'."
        )
    return Database(path)
