"""Before and after: freeze the data as they were at a workshop, and compare them with the data now.

Freezing copies the serving build file to ``data/snapshots/<its content name>.duckdb`` (builds are pruned,
snapshots are not) and records it in the store; a replica without the file fetches it from the object store.  Comparing attaches both files read-only to one in-memory DuckDB
(``thendb`` and ``nowdb``) and runs the queries in ``civilkort/sql/snapshots/``: new and ended
collaborations, new and removed organisations, and coverage (active offers) per municipality × theme.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from civilkort import auth, buildstore
from civilkort.auth import COORDINATOR, Principal
from civilkort.builds import BUILD_PREFIX, BuildRef
from civilkort.db import NoDatabase, current_path
from civilkort.objectstore import ObjectStoreError
from civilkort.settings import Settings, settings
from civilkort.store import Store, new_id, now

SQL_DIR = Path(__file__).parent / "sql" / "snapshots"
SQL_FILES = (
    "collaborations_new",
    "collaborations_ended",
    "organisations_changed",
    "coverage_change",
    "active_offers",
)


class SnapshotError(Exception):
    """A snapshot that cannot be made or read; the message is Danish."""


@cache
def sql(name: str) -> str:
    """The text of ``sql/snapshots/<name>.sql``."""
    if name not in SQL_FILES:
        raise KeyError(f"Ingen SQL-fil ved navn {name!r}")
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _used(text: str) -> set[str]:
    return set(re.findall(r"\$(\w+)", re.sub(r"--[^\n]*", "", text)))


def freeze(
    store: Store,
    principal: Principal,
    *,
    name: str,
    workshop_id: str | None = None,
    cfg: Settings | None = None,
) -> dict[str, Any]:
    """Copy the serving build to the snapshots folder and record it; returns the store row.

    A workshop's snapshot needs a coordinator of the workshop's council; any other snapshot any coordinator
    (it copies the data everyone sees, changes nothing and is only read to compare).
    """
    auth.require(principal, COORDINATOR)
    if workshop_id is not None:
        workshop = store.one("SELECT name, council_id FROM workshops WHERE workshop_id = ?", (workshop_id,))
        if workshop is None:
            raise SnapshotError("Workshoppen findes ikke (længere).")
        auth.require_council(principal, [workshop["council_id"]], what=f"Workshoppen '{workshop['name']}'")
    cfg = cfg or settings()
    source = current_path(cfg)
    if source is None:
        raise SnapshotError("Der er ingen data at fryse endnu.")
    name = (name or "").strip()[:200] or f"Øjebliksbillede {dt.date.today():%d-%m-%Y}"
    snapshot_id = new_id()
    # a build is named by its content and never changes: the copy keeps its name, so snapshots of one build
    # share one file, and the object store keeps the build a snapshot names (etl.build prunes around it)
    target = cfg.snapshots_dir / source.name
    target.parent.mkdir(parents=True, exist_ok=True)
    created = not target.exists()
    if created:
        partial = target.with_name(f".{target.name}.{snapshot_id}.part")
        shutil.copyfile(
            source, partial
        )  # a finished build is never written again: a plain copy is consistent
        partial.replace(target)
    try:
        con = duckdb.connect(str(target), read_only=True)
        try:
            row = con.execute("SELECT value FROM build_info WHERE key = 'built_at'").fetchone()
        finally:
            con.close()
        with store.write(principal.name) as tx:
            return tx.insert(
                "snapshots",
                {
                    "snapshot_id": snapshot_id,
                    "name": name,
                    "file": target.name,
                    "built_at": row[0] if row else None,
                    "workshop_id": workshop_id,
                    "created_by": principal.name,
                    "created_at": now(),
                },
                action="frys",
            )
    except BaseException:
        if created:
            target.unlink(missing_ok=True)
        raise


def list_snapshots(store: Store) -> list[dict[str, Any]]:
    """Recorded snapshots, newest first."""
    return store.rows("SELECT * FROM snapshots ORDER BY created_at DESC")


def snapshot_path(snapshot: dict[str, Any], cfg: Settings | None = None) -> Path:
    """The frozen file of a snapshot row (fetched and verified from the object store if this replica lacks
    it); SnapshotError if it is gone."""
    cfg = cfg or settings()
    path = cfg.snapshots_dir / Path(snapshot["file"]).name
    store = buildstore.object_store(cfg)
    if not path.exists() and store is not None and path.name.startswith(BUILD_PREFIX):
        try:
            return buildstore.fetch(store, BuildRef(path.name), cfg.snapshots_dir)
        except ObjectStoreError as exc:
            raise SnapshotError(
                f"Filen til øjebliksbilledet '{snapshot['name']}' kunne ikke hentes: {exc}"
            ) from exc
    if not path.exists():
        raise SnapshotError(
            f"Filen til øjebliksbilledet '{snapshot['name']}' findes ikke længere ({path.name})."
        )
    return path


@dataclass
class Comparison:
    """Then (a snapshot) against now, for one area."""

    new_collaborations: pd.DataFrame
    ended_collaborations: pd.DataFrame
    organisations: pd.DataFrame
    """'ny' and 'fjernet' organisations (column ``change``)."""
    coverage: pd.DataFrame
    """municipality_code, municipality_name, theme, theme_label, before, after, change."""
    summary: dict[str, int] = field(default_factory=dict)


def compare(
    then: Path,
    now_path: Path | None = None,
    *,
    then_date: dt.date,
    codes: Sequence[int] = (),
    today: dt.date | None = None,
    cfg: Settings | None = None,
) -> Comparison:
    """Compare a frozen build (``then``) with the serving one (or ``now_path``) for municipalities ``codes``
    (empty: all of Denmark). ``then_date``: when it was frozen (what was running then)."""
    now_path = now_path or current_path(cfg)
    if now_path is None:
        raise NoDatabase("Der er ingen data at sammenligne med.")
    params = {"codes": [int(c) for c in codes], "then": then_date, "today": today or dt.date.today()}
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{_quoted(then)}' AS thendb (READ_ONLY)")
        con.execute(f"ATTACH '{_quoted(now_path)}' AS nowdb (READ_ONLY)")
        frames = {}
        for name in SQL_FILES:
            text = sql(name)
            frames[name] = con.execute(text, {k: v for k, v in params.items() if k in _used(text)}).df()
    except duckdb.Error as exc:
        raise SnapshotError(
            f"Øjebliksbilledet kunne ikke sammenlignes med data nu ({type(exc).__name__})."
        ) from exc
    finally:
        con.close()
    orgs, cov = frames["organisations_changed"], frames["coverage_change"]
    summary = {
        "new_collaborations": len(frames["collaborations_new"]),
        "ended_collaborations": len(frames["collaborations_ended"]),
        "new_organisations": int((orgs["change"] == "ny").sum()),
        "removed_organisations": int((orgs["change"] == "fjernet").sum()),
        "active_offers_then": int(frames["active_offers"]["active_then"].iloc[0]),
        "active_offers_now": int(frames["active_offers"]["active_now"].iloc[0]),
        "cells_gained": int(((cov["before"] == 0) & (cov["after"] > 0)).sum()),
        "cells_lost": int(((cov["before"] > 0) & (cov["after"] == 0)).sum()),
    }
    return Comparison(frames["collaborations_new"], frames["collaborations_ended"], orgs, cov, summary)


def _quoted(path: Path) -> str:
    """A path as an SQL string literal body (ATTACH takes no parameters)."""
    return str(path).replace("'", "''")


DANISH_COLUMNS = {
    "collaboration_id": "Samarbejde (id)",
    "title": "Titel",
    "status": "Status",
    "start_date": "Startdato",
    "end_date": "Slutdato",
    "organisations": "Organisationer",
    "source": "Kilde",
    "end_date_then": "Slutdato dengang",
    "end_date_now": "Slutdato nu",
    "reason": "Hvorfor afsluttet",
    "change": "Ændring",
    "organisation_id": "Organisation (id)",
    "name": "Navn",
    "organisation_type": "Organisationstype",
    "municipality_code": "Kommunekode",
    "municipality_name": "Kommune",
    "theme_label": "Tema",
    "before": "Før",
    "after": "Nu",
}
"""Danish headers for the comparison tables."""


def danish(df: pd.DataFrame) -> pd.DataFrame:
    """A comparison table with Danish headers (internal columns left out)."""
    return df.drop(columns=[c for c in ("theme",) if c in df.columns]).rename(columns=DANISH_COLUMNS)
