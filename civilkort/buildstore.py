"""Builds shared between app replicas through an object store (S3 or a shared volume), verified on arrival.

With ``CIVILKORT_OBJECT_STORE_URL`` set, a build is uploaded to the store (named by its content, the
SHA-256 kept as metadata) and only then is the store's pointer (``current.json`` beside the builds)
switched, by compare-and-set.  A replica that sees the pointer name a build it does not have downloads
it to a temporary file in ``data/builds/``, checks size and SHA-256, and only then renames it into place
and serves it; on any failure it keeps serving the build it had and says so in the log.  The pointer is
read at most every :data:`POINTER_TTL_S` seconds per process, so a page run that asks a dozen times pays
for a dictionary look-up.  Without an object store, everything stays in ``data/`` as before.

When the store is shared (PostgreSQL, ``Settings.store_is_shared``), the system of record holds the pointer
(its ``build_pointer`` row, switched by compare-and-set and audited: :class:`RecordPointer`) and the build
lock (an advisory lock: one build at a time across the whole service, :class:`RecordLocks`); the object
store then only carries the files.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from civilkort.builds import (
    BuildPointer,
    BuildRef,
    Exclusive,
    FileLocks,
    FilePointer,
    LockTimeout,
    PointerMoved,
    file_digest,
    now_iso,
    prune_local,
    same_build,
)
from civilkort.objectstore import BuildFetchError, FileStore, ObjectStore, ObjectStoreError
from civilkort.settings import Settings
from civilkort.store import Conflict, LockBusy, Store, StoreError, open_store

log = logging.getLogger("civilkort.builds")

POINTER_TTL_S = 2.0
"""How long a replica trusts the pointer it read before it reads it again."""
KEEP_LOCAL_BUILDS = 3
"""Builds a replica keeps in ``data/builds``: the one it serves and the newest others."""
RETRY_AFTER_FAILURE_S = 30.0
"""After a failed download, how long a replica serves what it has before it tries again."""


class StorePointer:
    """:class:`BuildPointer` kept in the object store (``current.json``), switched by compare-and-set."""

    def __init__(self, store: ObjectStore):
        self.store = store

    def current(self) -> BuildRef | None:
        """The build the store's pointer names."""
        data, _ = self.store.read_pointer()
        return BuildRef.from_dict(data) if data else None

    def switch(self, ref: BuildRef, *, expect: BuildRef | None, actor: str = "") -> None:
        """Replace the pointer only if it still names ``expect`` and nobody replaced it meanwhile."""
        data, token = self.store.read_pointer()
        found = BuildRef.from_dict(data) if data else None
        if not same_build(found, expect):
            raise PointerMoved(expect.name if expect else None, found.name if found else None)
        new = BuildRef.from_dict({**ref.as_dict(), "switched_at": now_iso(), "switched_by": actor})
        try:
            self.store.write_pointer(new.as_dict(), token=token)
        except PointerMoved as exc:
            raise PointerMoved(expect.name if expect else None, exc.found) from None


class RecordPointer:
    """:class:`BuildPointer` as the store's ``build_pointer`` row: every replica's, audited, compare-and-set."""

    def __init__(self, store: Store):
        self.store = store

    def current(self) -> BuildRef | None:
        """The build the row names (one indexed read)."""
        row = self.store.current_build()
        return BuildRef.from_dict({**row, "name": row["build"]}) if row else None

    def switch(self, ref: BuildRef, *, expect: BuildRef | None, actor: str = "") -> None:
        """Point the row at ``ref`` if it still names ``expect``; the store's Conflict becomes PointerMoved."""
        if ref.sha256 is None or ref.size_bytes is None:
            raise ValueError(f"{ref.name} har ingen kontrolsum og kan ikke tages i brug.")
        row = {
            "build": ref.name,
            "sha256": ref.sha256,
            "size_bytes": ref.size_bytes,
            "built_at": ref.built_at,
        }
        try:
            self.store.switch_build(row, actor or "ukendt", expect=expect.name if expect else None)
        except Conflict as exc:
            found = self.current()
            raise PointerMoved(expect.name if expect else None, found.name if found else None) from exc


class RecordLocks:
    """:class:`Exclusive` as the store's service-wide locks (PostgreSQL: advisory locks on the server)."""

    def __init__(self, store: Store):
        self.store = store

    @contextmanager
    def exclusive(self, name: str, timeout_s: float) -> Iterator[None]:
        """Hold the store's lock ``name``; LockTimeout (Danish) when it is not free in ``timeout_s``."""
        with ExitStack() as held:
            try:
                held.enter_context(self.store.exclusive(name, timeout_s))
            except LockBusy as exc:
                raise LockTimeout(
                    f"En anden proces har bygget i mere end {timeout_s:.0f} s ({name}); prøv igen om lidt."
                ) from exc
            yield


@lru_cache(maxsize=16)
def object_store(cfg: Settings) -> ObjectStore | None:
    """The object store ``cfg.object_store_url`` names, or None on a single machine."""
    if not cfg.object_store_url:
        return None
    parts = urlsplit(cfg.object_store_url)
    if parts.scheme == "file":
        return FileStore(Path(unquote(parts.path)), cfg.object_store_url)
    from civilkort.objectstore_s3 import S3Store  # boto3 is imported only where S3 is used

    return S3Store(parts.netloc, parts.path.strip("/"), endpoint_url=cfg.s3_endpoint_url)


def build_pointer(cfg: Settings) -> BuildPointer:
    """The pointer in force: the shared store's row; else the object store's; else ``data/current.txt``."""
    if cfg.store_is_shared:
        return RecordPointer(open_store(cfg))
    store = object_store(cfg)
    return StorePointer(store) if store is not None else FilePointer(cfg.current_pointer)


def build_locks(cfg: Settings) -> Exclusive:
    """The locks that keep to one build at a time: the shared store's; else lock files in the shared volume,
    else in ``data/``."""
    if cfg.store_is_shared:
        return RecordLocks(open_store(cfg))
    store = object_store(cfg)
    return FileLocks(store.root if isinstance(store, FileStore) else cfg.data_dir)


def upload(store: ObjectStore, path: Path, ref: BuildRef) -> None:
    """Put a sealed build in the store unless the same content is there already; check what arrived."""
    there = store.info(ref.name)
    if there is None or (there.size_bytes, there.sha256) != (ref.size_bytes, ref.sha256):
        store.put(path, ref.name, sha256=ref.sha256 or "")
        there = store.info(ref.name)
    if there is None or there.size_bytes != ref.size_bytes:
        raise ObjectStoreError(
            f"{ref.name} blev ikke lagt korrekt i {store.url} "
            f"({there.size_bytes if there else 0} af {ref.size_bytes} bytes)."
        )


def fetch(store: ObjectStore, ref: BuildRef, folder: Path, *, verify_existing: bool = False) -> Path:
    """The local file of build ``ref`` in ``folder``, downloaded and verified first if absent.

    The download goes to a hidden temporary file; only when its size and SHA-256 are those the pointer
    (or the object's metadata) names is it renamed into place. Raises BuildFetchError otherwise."""
    target = folder / ref.name
    if target.exists() and not verify_existing:
        return target
    expected_sha, expected_size = ref.sha256, ref.size_bytes
    if expected_sha is None or expected_size is None:
        there = store.info(ref.name)
        if there is None:
            raise BuildFetchError(f"Databasen {ref.name} findes ikke i {store.url}.")
        expected_sha, expected_size = expected_sha or there.sha256, expected_size or there.size_bytes
    if not expected_sha:
        raise BuildFetchError(f"Databasen {ref.name} har ingen kontrolsum, så den kan ikke kontrolleres.")
    if target.exists():
        if file_digest(target) == (expected_sha, expected_size):
            return target
        log.warning("Den lokale kopi af %s passer ikke med kontrolsummen; den hentes igen.", ref.name)
        target.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f".{ref.name}.{uuid.uuid4().hex}.part"
    try:
        try:
            store.get(ref.name, part)
            sha256, size = file_digest(part)
        except OSError as exc:  # e.g. the local disk is full
            raise BuildFetchError(
                f"Databasen {ref.name} kunne ikke gemmes lokalt: {exc.strerror or exc}"
            ) from exc
        if size != expected_size:
            how = "kom kun delvist frem" if size < expected_size else "har en anden størrelse end ventet"
            raise BuildFetchError(
                f"Databasen {ref.name} {how} ({size} af {expected_size} bytes) og bruges ikke."
            )
        if sha256 != expected_sha:
            raise BuildFetchError(
                f"Databasen {ref.name} har en forkert kontrolsum (SHA-256 {sha256[:12]}…, ventet "
                f"{expected_sha[:12]}…) og bruges ikke."
            )
        part.chmod(0o444)
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return target


def prune_store(store: ObjectStore, *, keep: int, current: str, protect: set[str]) -> list[str]:
    """Delete build objects beyond the newest ``keep``, never ``current`` nor one in ``protect`` (snapshots').

    The current build counts as the newest whatever its time says: S3 gives times to the second, so
    builds made within one second tie, and the tie must not spend the keep budget on an older one.
    """
    builds = sorted(store.builds(), key=lambda o: (o.name == current, o.modified), reverse=True)
    protect = protect | {current}
    gone = [o.name for o in builds[keep:] if o.name not in protect]
    for name in gone:
        store.delete(name)
    return gone


# --- what this replica serves ------------------------------------------------------------------


@dataclass
class _Serving:
    """This process's view of the pointer: what it read when, and the last build it could serve."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    next_check: float = 0.0
    path: Path | None = None
    problem: str | None = None


_SERVING: dict[Settings, _Serving] = {}
_SERVING_LOCK = threading.Lock()


def _state(cfg: Settings) -> _Serving:
    state = _SERVING.get(cfg)
    if state is None:
        with _SERVING_LOCK:
            state = _SERVING.setdefault(cfg, _Serving())
    return state


def serving_path(cfg: Settings) -> Path | None:
    """The local file of the build to serve, fetched and verified when the shared pointer moved.

    Cheap between pointer reads (every :data:`POINTER_TTL_S` s). While one thread downloads a new build,
    the others keep serving the previous one; on failure the previous one stays (logged in Danish)."""
    state = _state(cfg)
    if time.monotonic() < state.next_check and (state.path is None or state.path.exists()):
        return state.path
    if not state.lock.acquire(blocking=state.path is None):
        return state.path  # another thread is reading the pointer or downloading
    try:
        if time.monotonic() < state.next_check and (state.path is None or state.path.exists()):
            return state.path
        _refresh(cfg, state)
    finally:
        state.lock.release()
    return state.path


def _refresh(cfg: Settings, state: _Serving) -> None:
    store = object_store(cfg)
    try:
        ref = build_pointer(cfg).current()
        if ref is not None and (state.path is None or state.path.name != ref.name or not state.path.exists()):
            path = fetch(store, ref, cfg.builds_dir) if store is not None else _on_shared_volume(cfg, ref)
            if state.path is not None:
                log.info("Skifter fra %s til %s.", state.path.name, ref.name)
            state.path = path
            if store is not None:  # a shared volume is pruned by the builder only
                prune_local(cfg.builds_dir, keep=KEEP_LOCAL_BUILDS, current=ref.name)
        state.problem = None
        state.next_check = time.monotonic() + POINTER_TTL_S
    except (ObjectStoreError, StoreError) as exc:  # e.g. S3 or PostgreSQL briefly out of reach
        keep = f"Den hidtidige database ({state.path.name}) bruges fortsat." if state.path else ""
        state.problem = str(exc)
        state.next_check = time.monotonic() + RETRY_AFTER_FAILURE_S
        log.error("Kunne ikke hente den nye database: %s %s", exc, keep)


def _on_shared_volume(cfg: Settings, ref: BuildRef) -> Path:
    """The pointer's build in the data folder every replica mounts (no object store); BuildFetchError if absent."""
    path = cfg.builds_dir / ref.name
    if not path.exists():
        raise BuildFetchError(
            f"Databasen {ref.name} findes ikke i {cfg.builds_dir}. Replikaerne skal dele datamappen eller et "
            "objektlager (CIVILKORT_OBJECT_STORE_URL)."
        )
    return path


def serving_problem(cfg: Settings) -> str | None:
    """Why the latest attempt to fetch the pointer's build failed (Danish), or None."""
    state = _SERVING.get(cfg)
    return state.problem if state else None


def note_switched(cfg: Settings, path: Path) -> None:
    """Serve ``path`` at once in this process (it just switched the pointer to it)."""
    state = _state(cfg)
    with state.lock:
        state.path, state.problem = path, None
        state.next_check = time.monotonic() + POINTER_TTL_S


def recheck(cfg: Settings) -> None:
    """Read the pointer again on the next call, whatever the TTL (e.g. right after a known switch elsewhere)."""
    _state(cfg).next_check = 0.0
