"""Built databases as immutable, content-named files, and the seam that says which one is served.

A finished build is named by its content (``civilkort-<first 20 hex of its SHA-256>.duckdb``), made
read-only and never written again; its full digest and size travel with it as a :class:`BuildRef`.

Which build is served is a :class:`BuildPointer` (``current()``, and ``switch(ref, expect=...)`` as a
compare-and-set), and one build at a time is an :class:`Exclusive` lock.  Today's implementations are
files: :class:`FilePointer` (``data/current.txt``) and :class:`FileLocks` (``data/.build.lock``); the
object store keeps its own pointer, and a shared store (PostgreSQL) its ``build_pointer`` row and an
advisory lock (both in ``civilkort.buildstore``), through the same two small protocols.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, Protocol

from filelock import FileLock, Timeout

BUILD_PREFIX = "civilkort-"
BUILD_SUFFIX = ".duckdb"
BUILD_GLOB = f"{BUILD_PREFIX}*{BUILD_SUFFIX}"
NAME_HEX = 20
"""Hex digits of the SHA-256 in a build's name (80 bits: no two builds ever share one)."""


class PointerMoved(Exception):
    """Compare-and-set refused: another build was switched to since the caller looked."""

    def __init__(self, expected: str | None, found: str | None):
        super().__init__(
            f"Den viste database er skiftet imens (ventede {expected or 'ingen'}, fandt {found or 'ingen'})."
        )
        self.expected = expected
        self.found = found


class LockTimeout(Exception):
    """Another process held the lock for longer than the caller would wait; the message is Danish."""


@dataclass(frozen=True)
class BuildRef:
    """One finished build: its file name and, for content-named builds, its full digest and size."""

    name: str
    sha256: str | None = None
    size_bytes: int | None = None
    built_at: str | None = None
    switched_at: str | None = None
    switched_by: str | None = None

    def __post_init__(self) -> None:
        if not self.name or Path(self.name).name != self.name or self.name.startswith("."):
            raise ValueError(f"Ugyldigt navn på en database: {self.name!r}")

    def as_dict(self) -> dict[str, Any]:
        """The fields that are set, e.g. for a JSON pointer object."""
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BuildRef:
        """A ref from :meth:`as_dict`'s output (unknown keys ignored, size as int)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known and v not in (None, "")}
        if "size_bytes" in values:
            values["size_bytes"] = int(values["size_bytes"])
        return cls(**values)


def same_build(a: BuildRef | None, b: BuildRef | None) -> bool:
    """True when both name the same file (or both are None)."""
    return (a.name if a else None) == (b.name if b else None)


def content_name(sha256: str) -> str:
    """The file name of a build with this digest."""
    return f"{BUILD_PREFIX}{sha256[:NAME_HEX]}{BUILD_SUFFIX}"


def file_digest(path: Path) -> tuple[str, int]:
    """(SHA-256 hex, size in bytes) of a file, read in chunks."""
    with path.open("rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    return digest, path.stat().st_size


def now_iso() -> str:
    """Now in UTC, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def seal(path: Path, *, built_at: str | None = None) -> tuple[BuildRef, bool]:
    """Name a finished (checkpointed, closed) build file by its content and make it read-only.

    Returns the ref and whether the file is new: a file with that name already holds the same bytes (a
    build is never changed), so then the new copy is dropped and the existing one marked newest."""
    sha256, size = file_digest(path)
    target = path.with_name(content_name(sha256))
    if target.exists() and target.stat().st_size == size:
        path.unlink()
        os.utime(target)
        return BuildRef(target.name, sha256, size, built_at), False
    path.chmod(0o444)
    os.replace(path, target)
    return BuildRef(target.name, sha256, size, built_at), True


class BuildPointer(Protocol):
    """Which build is served, switched by compare-and-set."""

    def current(self) -> BuildRef | None:
        """The build served now, or None before the first build."""
        ...

    def switch(self, ref: BuildRef, *, expect: BuildRef | None, actor: str = "") -> None:
        """Serve ``ref`` if ``expect`` is still served (None: nothing yet); else raise PointerMoved."""
        ...


class Exclusive(Protocol):
    """Named locks held by one process at a time across everything that shares them."""

    def exclusive(self, name: str, timeout_s: float) -> AbstractContextManager[None]:
        """Hold lock ``name``; raise LockTimeout after ``timeout_s`` seconds of waiting."""
        ...


class FileLocks:
    """:class:`Exclusive` as lock files in one folder (``.<name>.lock``): for processes on one host."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @contextmanager
    def exclusive(self, name: str, timeout_s: float) -> Iterator[None]:
        """Hold ``<folder>/.<name>.lock``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.folder / f".{name}.lock", timeout=timeout_s)
        try:
            lock.acquire()
        except Timeout as exc:
            raise LockTimeout(
                f"En anden proces har bygget i mere end {timeout_s:.0f} s ({name}); prøv igen om lidt."
            ) from exc
        try:
            yield
        finally:
            lock.release()


class FilePointer:
    """:class:`BuildPointer` as a text file (``data/current.txt``) replaced atomically.

    The first line names the build's file (all that older versions wrote and read); ``key=value`` lines
    after it hold the digest, size and times."""

    def __init__(self, pointer_file: Path):
        self.file = Path(pointer_file)

    def current(self) -> BuildRef | None:
        """The build the file names, or None."""
        try:
            text = self.file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        lines = text.splitlines()
        name = lines[0].strip() if lines else ""
        if not name:
            return None
        extra = dict(line.split("=", 1) for line in lines[1:] if "=" in line)
        return BuildRef.from_dict({**{k.strip(): v.strip() for k, v in extra.items()}, "name": name})

    def switch(self, ref: BuildRef, *, expect: BuildRef | None, actor: str = "") -> None:
        """Compare and rewrite the file (temp file, then rename over) under a short lock."""
        with FileLock(self.file.with_name(f".{self.file.name}.lock"), timeout=30):
            found = self.current()
            if not same_build(found, expect):
                raise PointerMoved(expect.name if expect else None, found.name if found else None)
            switched = BuildRef.from_dict({**ref.as_dict(), "switched_at": now_iso(), "switched_by": actor})
            data = switched.as_dict()
            body = "".join(f"{k}={v}\n" for k, v in data.items() if k != "name")
            tmp = self.file.with_name(f".current-{uuid.uuid4().hex}.tmp")
            tmp.write_text(f"{switched.name}\n{body}", encoding="utf-8")
            os.replace(tmp, self.file)


def prune_local(builds_dir: Path, *, keep: int, current: str | None) -> list[Path]:
    """Delete local builds other than ``current`` and the newest ``keep``; return what was deleted."""
    builds = sorted(builds_dir.glob(BUILD_GLOB), key=_mtime, reverse=True) if builds_dir.is_dir() else []
    gone = []
    for old in builds[keep:]:
        if old.name != current:
            old.unlink(missing_ok=True)
            Path(f"{old}.wal").unlink(missing_ok=True)
            gone.append(old)
    return gone


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # another process pruned it
        return 0.0
