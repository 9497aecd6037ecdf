"""Files a coordinator uploads in the app, saved: each upload in its own folder, recorded in the store.

:func:`save_uploads` writes the files under ``data/uploads/<time>-<random>/`` with safe names (the original
names are kept for every message) and records who uploaded what (names, sizes, SHA-256) in the store, audited;
:mod:`etl.upload` checks and builds them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import shutil
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from civilkort import auth
from civilkort.auth import COORDINATOR, Principal
from civilkort.settings import Settings, settings
from civilkort.store import now, open_store
from etl.read import MAX_FILE_BYTES

MAX_UPLOAD_MB = MAX_FILE_BYTES // (1024 * 1024)
"""Largest file the app accepts, in MB: the ETL's own limit (also ``server.maxUploadSize``)."""
DATA_TYPES = ("xlsx", "xlsm", "xls", "csv", "txt", "tsv", "zip", "json")
"""File types offered for data; anything ``etl.read.read_inputs`` cannot read gets a Danish error there."""
POPULATION_TYPES = ("csv", "txt")
INDICATOR_TYPES = ("csv", "txt", "xlsx", "xlsm", "xls")
HOUSING_TYPES = ("csv", "txt", "xlsx", "xlsm", "xls")
NEED_MAP_TYPES = ("csv", "txt")


BOUNDARY_TYPES = ("geojson", "json", "topojson", "gpkg", "zip")
KEEP_UPLOADS = 10
"""Upload folders kept (newest first); older ones are deleted when a new upload is saved."""


_UNSAFE = re.compile(r"[^\w ().,+-]+")


def sanitise_name(name: str, fallback: str = "fil") -> str:
    """A safe file name for an uploaded file: no folders, no control or odd characters, not hidden."""
    base = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(c for c in base if c.isprintable())
    base = _UNSAFE.sub("_", base)
    base = re.sub(r"\s+", " ", base).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem, suffix = stem[:100].strip(" ."), suffix[:10]
    if not stem:
        return fallback + (f".{suffix}" if suffix else "")
    return f"{stem}.{suffix}" if suffix else stem


@dataclass(frozen=True)
class SavedFile:
    """One uploaded file: the name the user gave it and where it was saved."""

    original: str
    path: Path


@dataclass(frozen=True)
class Upload:
    """The files of one upload, saved in their own folder."""

    folder: Path
    data_files: tuple[SavedFile, ...] = ()
    population: SavedFile | None = None
    boundaries: SavedFile | None = None
    indicator: SavedFile | None = None
    vocabulary_map: SavedFile | None = None
    """A coordinator's vocabulary map for HSDS data files (etl.hsds.vocabulary_map)."""
    housing: SavedFile | None = None
    """The ministry's list of vulnerable housing areas (etl.housing)."""
    need_map: SavedFile | None = None
    """Which indicator counts each target group's people (etl.need_map)."""

    @property
    def files(self) -> list[SavedFile]:
        """Every file of the upload."""
        extra = [
            f
            for f in (
                self.population,
                self.boundaries,
                self.indicator,
                self.vocabulary_map,
                self.housing,
                self.need_map,
            )
            if f is not None
        ]
        return [*self.data_files, *extra]

    @property
    def names(self) -> dict[str, str]:
        """Saved file name -> the name the user gave it."""
        return {f.path.name: f.original for f in self.files}


def _save(folder: Path, name: str, data: bytes | memoryview, used: set[str]) -> SavedFile:
    safe = sanitise_name(name)
    candidate, n = safe, 1
    while candidate.lower() in used:
        n += 1
        candidate = f"{n}-{safe}"
    used.add(candidate.lower())
    path = folder / candidate
    path.write_bytes(data)
    return SavedFile(str(name), path)


def prune_uploads(cfg: Settings, keep: int = KEEP_UPLOADS) -> None:
    """Delete all but the newest ``keep`` upload folders."""
    if not cfg.uploads_dir.is_dir():
        return
    folders = sorted((p for p in cfg.uploads_dir.iterdir() if p.is_dir()), key=lambda p: p.name, reverse=True)
    for old in folders[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def save_uploads(
    principal: Principal,
    data_files: Iterable[tuple[str, bytes | memoryview]],
    *,
    population: tuple[str, bytes | memoryview] | None = None,
    boundaries: tuple[str, bytes | memoryview] | None = None,
    indicator: tuple[str, bytes | memoryview] | None = None,
    vocabulary_map: tuple[str, bytes | memoryview] | None = None,
    housing: tuple[str, bytes | memoryview] | None = None,
    need_map: tuple[str, bytes | memoryview] | None = None,
    cfg: Settings | None = None,
) -> Upload:
    """Save (name, bytes) pairs in a new folder under ``data/uploads/``; coordinators only."""
    auth.require(principal, COORDINATOR)
    cfg = cfg or settings()
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S-%f")  # sorts by time, newest last
    folder = cfg.uploads_dir / f"{stamp}-{secrets.token_hex(4)}"
    folder.mkdir(parents=True, mode=0o700)
    used: set[str] = set()
    saved = tuple(_save(folder, name, data, used) for name, data in data_files)
    pop = _save(folder, population[0], population[1], used) if population else None
    bounds = _save(folder, boundaries[0], boundaries[1], used) if boundaries else None
    ind = _save(folder, indicator[0], indicator[1], used) if indicator else None
    terms = _save(folder, vocabulary_map[0], vocabulary_map[1], used) if vocabulary_map else None
    areas = _save(folder, housing[0], housing[1], used) if housing else None
    rules = _save(folder, need_map[0], need_map[1], used) if need_map else None
    upload = Upload(folder, saved, pop, bounds, ind, terms, areas, rules)
    _record_upload(upload, principal, cfg)
    prune_uploads(cfg)
    return upload


def _record_upload(upload: Upload, principal: Principal, cfg: Settings) -> None:
    """The upload's record in the store (who, when, which files with their SHA-256), audited."""
    files = [
        {
            "name": f.original,
            "saved_as": f.path.name,
            "sha256": hashlib.sha256(f.path.read_bytes()).hexdigest(),
            "size": f.path.stat().st_size,
        }
        for f in upload.files
    ]
    row = {
        "upload_id": upload.folder.name,
        "uploaded_by": principal.actor,
        "uploaded_at": now(),
        "files": json.dumps(files, ensure_ascii=False),
        "council_ids": None,
        "status": "modtaget",
        "build": None,
    }
    with open_store(cfg).write(principal.actor) as tx:
        tx.insert("uploads", row, action="modtag upload")


def uploads(cfg: Settings | None = None, *, limit: int = 50) -> list[dict]:
    """The newest uploads' records (who, when, files, councils, what became of them), newest first."""
    rows = open_store(cfg or settings()).rows(
        "SELECT * FROM uploads ORDER BY uploaded_at DESC LIMIT ?", (limit,)
    )
    return [
        {**r, "files": json.loads(r["files"] or "[]"), "council_ids": json.loads(r["council_ids"] or "[]")}
        for r in rows
    ]
