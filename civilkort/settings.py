"""One place for paths and settings: every environment variable the product reads is read here.

:meth:`Settings.from_env` reads them and checks them; a bad value raises :class:`SettingsError`
with a Danish message naming the variable, so the app and the CLI can say what to fix at start-up
instead of failing later in the middle of a page.  The README's table of settings lists the same
variables (``tests/civilkort/test_settings.py`` keeps the two in step).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent

ENV_PREFIX = "CIVILKORT_"
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")
OBJECT_STORE_SCHEMES = ("s3", "file")
MIGRATE_MODES = ("auto", "manual")
YES, NO = ("1", "ja", "true", "yes"), ("0", "nej", "false", "no")


class SettingsError(ValueError):
    """A setting has a value the product cannot use; the message is Danish and names the variable."""


@dataclass(frozen=True)
class Settings:
    """Paths, backends and access settings the ETL and the app use."""

    data_dir: Path
    static_dir: Path
    database_url: str | None = None
    """The system of record (the store): ``sqlite:///path`` (default: ``data/store.sqlite``) or
    ``postgresql://user:password@host:port/db``."""
    object_store_url: str | None = None
    """Where built databases are shared between replicas: ``s3://bucket/prefix`` or ``file:///path``;
    None on a single machine (builds stay in ``data/builds``)."""
    s3_endpoint_url: str | None = None
    """The S3 API's address for object stores other than AWS (MinIO, Ceph, a test server)."""
    migrate: str = "auto"
    """``auto``: the app brings the store's schema up to date when it opens it; ``manual``: only
    ``python -m etl migrate`` does (one process, before the replicas start)."""
    boundaries: str | None = None
    """Municipality boundaries for the ETL when ``--boundaries`` is not given (a path or URL)."""
    coordinator_code: str | None = None
    """The shared coordinator code, the fallback where no login is configured."""
    coordinators: str | None = None
    """Logged-in users' roles by e-mail: ``kim@rm.dk=aarhus+horsens, ane@x.dk=admin`` (see civilkort.grants)."""
    roles_file: Path | None = None
    """A TOML file mapping the identity provider's groups/roles to the product's roles."""
    roles_claim: str = "groups"
    """The id_token claim that holds the user's groups or roles."""
    cookie_secret: str | None = None
    """Signs the coordinator-code cookie; the same on every replica (defaults to ``[auth] cookie_secret``)."""
    smtp_host: str | None = None
    """The mail server that sends "bed om opdatering" e-mails; unset: the server sends none (the page
    offers the text to copy and a ``mailto:`` link)."""
    smtp_port: int = 587
    smtp_from: str | None = None
    """The sender address of those e-mails (needed with ``smtp_host``)."""
    smtp_starttls: bool = True
    """Upgrade the connection with STARTTLS before anything is sent (the default)."""
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read every ``CIVILKORT_*`` variable, check it, and default what is unset."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(ENV_PREFIX + name)
            return value.strip() if value and value.strip() else None

        data_dir = Path(get("DATA_DIR") or PROJECT_ROOT / "data").resolve()
        static_dir = Path(get("STATIC_DIR") or PROJECT_ROOT / "static").resolve()
        database_url = get("DATABASE_URL")
        if database_url is not None:
            _check_url("CIVILKORT_DATABASE_URL", database_url, DATABASE_SCHEMES)
        object_store_url = get("OBJECT_STORE_URL")
        if object_store_url is not None:
            _check_url("CIVILKORT_OBJECT_STORE_URL", object_store_url, OBJECT_STORE_SCHEMES)
            if urlsplit(object_store_url).scheme == "s3" and not urlsplit(object_store_url).netloc:
                raise SettingsError(
                    "CIVILKORT_OBJECT_STORE_URL skal nævne en bucket, fx s3://civilkort/builds "
                    f"(fik {object_store_url!r})."
                )
        migrate = (get("MIGRATE") or "auto").lower()
        if migrate not in MIGRATE_MODES:
            raise SettingsError(f"CIVILKORT_MIGRATE skal være 'auto' eller 'manual' (fik {migrate!r}).")
        roles_file = get("ROLLER_FIL")
        if roles_file is not None and not Path(roles_file).is_file():
            raise SettingsError(f"CIVILKORT_ROLLER_FIL peger på {roles_file}, som ikke findes.")
        _check_grants(get("KOORDINATORER"), roles_file)
        smtp = _smtp(get)
        return cls(
            data_dir=data_dir,
            static_dir=static_dir,
            database_url=database_url,
            object_store_url=object_store_url,
            s3_endpoint_url=get("S3_ENDPOINT_URL"),
            migrate=migrate,
            boundaries=get("BOUNDARIES"),
            coordinator_code=get("KOORDINATOR_KODE"),
            coordinators=get("KOORDINATORER"),
            roles_file=Path(roles_file).resolve() if roles_file else None,
            roles_claim=get("ROLLER_CLAIM") or "groups",
            cookie_secret=get("COOKIE_SECRET"),
            **smtp,
        )

    @property
    def smtp_configured(self) -> bool:
        """True when the server may send e-mails itself (a mail server and a sender address are set)."""
        return bool(self.smtp_host and self.smtp_from)

    @property
    def store_url(self) -> str:
        """The store's URL: ``CIVILKORT_DATABASE_URL``, else the SQLite file in the data folder."""
        return self.database_url or f"sqlite:///{self.store_path}"

    @property
    def store_is_shared(self) -> bool:
        """True when the store is a server (PostgreSQL) that several app replicas share."""
        return urlsplit(self.store_url).scheme != "sqlite"

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


def _check_url(name: str, value: str, schemes: tuple[str, ...]) -> None:
    scheme = urlsplit(value).scheme.split("+")[0].lower()
    if scheme not in schemes:
        allowed = ", ".join(f"{s}://…" for s in schemes)
        raise SettingsError(f"{name} skal begynde med {allowed} (fik {value!r}).")


def _smtp(get: Callable[[str], str | None]) -> dict[str, Any]:
    """The mail server's settings, checked: a port number, a sender e-mail, a yes/no for STARTTLS, a
    password with a user; a host without a sender (or the reverse) is named."""
    host, sender, user, password = get("SMTP_HOST"), get("SMTP_FROM"), get("SMTP_USER"), get("SMTP_PASSWORD")
    port_text = get("SMTP_PORT") or "587"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SettingsError(f"CIVILKORT_SMTP_PORT skal være et portnummer, fx 587 (fik {port_text!r}).")
    tls = (get("SMTP_STARTTLS") or "1").lower()
    if tls not in YES + NO:
        raise SettingsError(f"CIVILKORT_SMTP_STARTTLS skal være 1 eller 0 (ja/nej) (fik {tls!r}).")
    if bool(host) != bool(sender):
        raise SettingsError(
            "CIVILKORT_SMTP_HOST og CIVILKORT_SMTP_FROM skal sættes sammen (server og afsender)."
        )
    if sender is not None and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", sender):
        raise SettingsError(f"CIVILKORT_SMTP_FROM skal være en e-mailadresse (fik {sender!r}).")
    if password is not None and user is None:
        raise SettingsError("CIVILKORT_SMTP_PASSWORD er sat uden CIVILKORT_SMTP_USER.")
    return {
        "smtp_host": host,
        "smtp_port": int(port_text),
        "smtp_from": sender,
        "smtp_starttls": tls in YES,
        "smtp_user": user,
        "smtp_password": password,
    }


def _check_grants(coordinators: str | None, roles_file: str | None) -> None:
    """Unknown councils, regions or roles in CIVILKORT_KOORDINATORER or the roles file, named at start."""
    from civilkort import grants  # imported when checked: grants reads the reference tables (pandas)

    try:
        grants.parse_coordinators(coordinators)
    except grants.GrantError as exc:
        raise SettingsError(f"CIVILKORT_KOORDINATORER: {exc}") from None
    try:
        grants.load_roles_file(Path(roles_file) if roles_file else None)
    except (grants.GrantError, OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"CIVILKORT_ROLLER_FIL: {exc}") from None


def settings() -> Settings:
    """The settings in force now (the environment is read on each call, so tests can point elsewhere)."""
    ours = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(ENV_PREFIX)))
    return _settings(ours, os.getcwd())


@lru_cache(maxsize=16)
def _settings(ours: tuple[tuple[str, str], ...], cwd: str) -> Settings:
    # resolving the paths costs file-system calls; a page run asks for the settings a dozen times
    return Settings.from_env()
