"""Object stores for built databases: the protocol, its errors, and the shared-volume implementation.

An object store holds the build files (named by their content) and the pointer object ``current.json``;
:mod:`civilkort.objectstore_s3` is the S3 implementation, :mod:`civilkort.buildstore` uses either.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from filelock import FileLock

from civilkort.builds import BUILD_GLOB, BuildRef, PointerMoved

POINTER_KEY = "current.json"
"""The pointer object beside the builds: the served build's name, digest, size and times."""


class ObjectStoreError(Exception):
    """The object store cannot be reached or refused a request; the message is Danish."""


class BuildFetchError(ObjectStoreError):
    """A build could not be downloaded, or what arrived was not the build the pointer names."""


@dataclass(frozen=True)
class ObjectInfo:
    """A build object in the store."""

    name: str
    size_bytes: int
    sha256: str | None
    modified: float


class ObjectStore(Protocol):
    """Where builds and their pointer live, shared by every replica."""

    url: str

    def put(self, path: Path, name: str, *, sha256: str) -> None:
        """Upload a build file under ``name`` with its SHA-256 as metadata."""
        ...

    def get(self, name: str, dest: Path) -> None:
        """Download build ``name`` to ``dest`` (the caller verifies it)."""
        ...

    def info(self, name: str) -> ObjectInfo | None:
        """Size, SHA-256 and time of build ``name``, or None if it is not there."""
        ...

    def builds(self) -> list[ObjectInfo]:
        """Every build object."""
        ...

    def delete(self, name: str) -> None:
        """Remove build ``name``."""
        ...

    def read_pointer(self) -> tuple[dict | None, str | None]:
        """The pointer's content and a version token for :meth:`write_pointer` (None, None: no pointer)."""
        ...

    def write_pointer(self, data: dict, *, token: str | None) -> None:
        """Replace the pointer if it is still at version ``token``; else raise PointerMoved."""
        ...


class FileStore:
    """An object store on a shared volume (``file:///path``): plain files, renamed into place."""

    def __init__(self, root: Path, url: str = ""):
        self.root = Path(root)
        self.url = url or self.root.as_uri()

    def _path(self, name: str) -> Path:
        return self.root / BuildRef(name).name

    def put(self, path: Path, name: str, *, sha256: str) -> None:
        """Copy to a hidden temporary file in the volume, then rename (readers never see a part).

        The digest goes first, to ``<name>.sha256`` beside it (the file system has no object metadata)."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{name}.{uuid.uuid4().hex}.part"
        try:
            tmp.write_text(sha256 + "\n", encoding="ascii")
            os.replace(tmp, self._digest_path(name))
            shutil.copyfile(path, tmp)
            tmp.chmod(0o444)
            os.replace(tmp, self._path(name))
        except OSError as exc:
            raise ObjectStoreError(f"Kunne ikke lægge {name} i {self.url}: {exc.strerror or exc}") from exc
        finally:
            tmp.unlink(missing_ok=True)

    def _digest_path(self, name: str) -> Path:
        return self.root / f"{BuildRef(name).name}.sha256"

    def get(self, name: str, dest: Path) -> None:
        """Copy the file."""
        try:
            shutil.copyfile(self._path(name), dest)
        except OSError as exc:
            raise BuildFetchError(f"Kunne ikke hente {name} fra {self.url}: {exc.strerror or exc}") from exc

    def info(self, name: str) -> ObjectInfo | None:
        """Size and time from the file system, the digest from ``<name>.sha256``."""
        try:
            st = self._path(name).stat()
        except FileNotFoundError:
            return None
        try:
            sha256 = self._digest_path(name).read_text(encoding="ascii").strip() or None
        except FileNotFoundError:
            sha256 = None
        return ObjectInfo(name, st.st_size, sha256, st.st_mtime)

    def builds(self) -> list[ObjectInfo]:
        """Every ``civilkort-*.duckdb`` in the folder."""
        found = []
        for path in self.root.glob(BUILD_GLOB) if self.root.is_dir() else []:
            info = self.info(path.name)
            if info is not None:
                found.append(info)
        return found

    def delete(self, name: str) -> None:
        """Remove the file and its digest."""
        self._path(name).unlink(missing_ok=True)
        self._digest_path(name).unlink(missing_ok=True)

    def read_pointer(self) -> tuple[dict | None, str | None]:
        """The JSON file; its text is the version token."""
        try:
            text = (self.root / POINTER_KEY).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            raise ObjectStoreError(f"Kunne ikke læse {POINTER_KEY} i {self.url}: {exc}") from exc
        return json.loads(text), text

    def write_pointer(self, data: dict, *, token: str | None) -> None:
        """Compare and replace under a lock file in the volume."""
        self.root.mkdir(parents=True, exist_ok=True)
        with FileLock(self.root / f".{POINTER_KEY}.lock", timeout=30):
            _, now = self.read_pointer()
            if now != token:
                found = json.loads(now).get("name") if now else None
                raise PointerMoved(None, found)
            tmp = self.root / f".{POINTER_KEY}.{uuid.uuid4().hex}.tmp"
            tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
            os.replace(tmp, self.root / POINTER_KEY)
