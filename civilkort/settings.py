"""One place for paths and settings; every path can be overridden by an environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
REFERENCE_DIR = PACKAGE_DIR / "reference"


@dataclass(frozen=True)
class Settings:
    """Paths the ETL and the app use."""

    data_dir: Path
    static_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        """Read ``CIVILKORT_DATA_DIR`` and ``CIVILKORT_STATIC_DIR``, defaulting to the project folders."""
        return cls(
            data_dir=Path(os.environ.get("CIVILKORT_DATA_DIR", PROJECT_ROOT / "data")).resolve(),
            static_dir=Path(os.environ.get("CIVILKORT_STATIC_DIR", PROJECT_ROOT / "static")).resolve(),
        )

    @property
    def builds_dir(self) -> Path:
        """Folder holding one DuckDB file per build."""
        return self.data_dir / "builds"

    @property
    def current_pointer(self) -> Path:
        """Text file naming the database file currently served (switched atomically)."""
        return self.data_dir / "current.txt"

    @property
    def store_path(self) -> Path:
        """SQLite file with workshop entries, reviews, sequences and decisions (survives rebuilds)."""
        return self.data_dir / "store.sqlite"

    @property
    def uploads_dir(self) -> Path:
        """Files coordinators uploaded in the app, one folder per upload (the newest few are kept)."""
        return self.data_dir / "uploads"

    @property
    def snapshots_dir(self) -> Path:
        """Frozen copies of builds, e.g. the state at a workshop, kept apart from pruned builds."""
        return self.data_dir / "snapshots"

    @property
    def vendor_dir(self) -> Path:
        """Leaflet and plugin assets installed at set-up, served by Streamlit at /app/static/vendor."""
        return self.static_dir / "vendor"

    @property
    def published_dir(self) -> Path:
        """Data files the app writes for browsers to fetch once (e.g. an area's map points), served by
        Streamlit at /app/static/kort and named by their content, so a browser can keep them."""
        return self.static_dir / "kort"


def settings() -> Settings:
    """The settings in force now (the environment is read on each call, so tests can point elsewhere)."""
    return _settings(
        os.environ.get("CIVILKORT_DATA_DIR"), os.environ.get("CIVILKORT_STATIC_DIR"), os.getcwd()
    )


@lru_cache(maxsize=16)
def _settings(data_dir: str | None, static_dir: str | None, cwd: str) -> Settings:
    # resolving the paths costs file-system calls; a page run asks for the settings a dozen times
    return Settings.from_env()
