"""Check a replica's settings and secrets before it starts; a problem is named in Danish (exit code 2).

Usage: python deploy/preflight.py   (run by deploy/entrypoint.sh from the app's folder)

Checks what would otherwise fail later, in the middle of a page or a login: every ``CIVILKORT_*``
setting (:class:`civilkort.settings.Settings`), the map's Leaflet files, ``.streamlit/secrets.toml``
(valid TOML; a complete ``[auth]`` section with Authlib installed) and, when several replicas share the
store, one cookie secret for all of them.
"""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civilkort.settings import PROJECT_ROOT, Settings, SettingsError  # noqa: E402

SECRETS_FILE = Path(".streamlit") / "secrets.toml"
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
"""What ``st.login`` needs under ``[auth]`` (one provider, no named sub-sections)."""


class PreflightError(Exception):
    """The replica cannot start as configured; the message is Danish and says what to fix."""


def read_secrets(path: Path) -> dict[str, Any]:
    """The secrets file as a dict ({} when there is none)."""
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PreflightError(f"{path} er ikke gyldig TOML: {exc}") from exc


def check_auth(auth: dict[str, Any], path: Path) -> None:
    """A login section must be complete, and Authlib installed, or every login fails at the first click."""
    absent = [key for key in AUTH_KEYS if not str(auth.get(key) or "").strip()]
    if absent:
        raise PreflightError(f"[auth] i {path} mangler: {', '.join(absent)}.")
    if importlib.util.find_spec("authlib") is None:
        raise PreflightError(
            "[auth] er sat op, men Authlib er ikke installeret (pip install -r requirements.txt)."
        )


def check(cfg: Settings, secrets: dict[str, Any], secrets_path: Path) -> list[str]:
    """Raise :class:`PreflightError` for a setting the replica cannot run with; return warnings."""
    from civilkort import assets

    absent = assets.missing(cfg.vendor_dir)
    if absent:
        raise PreflightError(f"{assets.MISSING_MESSAGE} (mangler i {cfg.vendor_dir}: {', '.join(absent)})")
    auth = secrets.get("auth")
    if auth is not None:
        check_auth(auth, secrets_path)
    warnings: list[str] = []
    if cfg.store_is_shared:
        cookie_secret = cfg.cookie_secret or (auth or {}).get("cookie_secret")
        code = cfg.coordinator_code or (secrets.get("civilkort") or {}).get("koordinator_kode")
        if code and not cookie_secret:
            raise PreflightError(
                "Flere replikaer deler lageret, men ingen cookie-hemmelighed er sat: sæt den samme "
                "CIVILKORT_COOKIE_SECRET (eller [auth] cookie_secret) på alle replikaer."
            )
        if cfg.migrate == "auto":
            warnings.append(
                "CIVILKORT_MIGRATE=auto med et delt lager: kør hellere 'python -m etl migrate' én gang før "
                "replikaerne og sæt CIVILKORT_MIGRATE=manual i dem."
            )
    return warnings


def main() -> int:
    """Run the checks; print what is wrong (or the warnings) and return the exit code."""
    secrets_path = PROJECT_ROOT / SECRETS_FILE
    try:
        cfg = Settings.from_env()
        warnings = check(cfg, read_secrets(secrets_path), secrets_path)
    except SettingsError as exc:
        print(f"Indstillingerne kan ikke bruges: {exc}", file=sys.stderr)
        return 2
    except PreflightError as exc:
        print(f"Replikaen kan ikke starte: {exc}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"Advarsel: {warning}", file=sys.stderr)
    store = "PostgreSQL (delt)" if cfg.store_is_shared else "SQLite (én maskine)"
    builds = cfg.object_store_url or f"{cfg.builds_dir} (lokalt)"
    print(f"Indstillinger i orden: lager {store}, byggerier {builds}.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
