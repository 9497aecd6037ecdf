"""deploy/entrypoint.sh, deploy/preflight.py and deploy/healthcheck.py: the steps a replica runs, in order."""

from __future__ import annotations

import http.server
import importlib.util
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import PROJECT_ROOT

ENTRYPOINT = PROJECT_ROOT / "deploy" / "entrypoint.sh"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "deploy" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


preflight = _module("preflight")
healthcheck = _module("healthcheck")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIVILKORT_")}
    return {**env, "CIVILKORT_DATA_DIR": str(tmp_path / "data"), "PYTHON": sys.executable, **extra}


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(ENTRYPOINT), *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)


@pytest.fixture
def fake_python(tmp_path: Path) -> Path:
    """A stand-in for Python that records each call; ``-m etl <FAIL_STEP>`` exits 3 (a failing step)."""
    calls = tmp_path / "calls.txt"
    script = tmp_path / "python"
    script.write_text(
        "#!/usr/bin/env bash\n"
        f'echo "$*" >> {calls}\n'
        'if [ "$1 $2 $3" = "-m etl ${FAIL_STEP:-none}" ]; then echo "trin fejlede" >&2; exit 3; fi\n'
    )
    script.chmod(0o755)
    return script


def calls(fake_python: Path) -> list[str]:
    path = fake_python.parent / "calls.txt"
    return path.read_text().splitlines() if path.exists() else []


def test_serving_checks_warms_then_execs_streamlit_with_the_proxy_options(tmp_path, fake_python) -> None:
    done = run(env=_env(tmp_path, PYTHON=str(fake_python), PORT="8600"))
    assert done.returncode == 0, done.stderr
    steps = calls(fake_python)
    assert [s.split()[:3] for s in steps] == [
        ["deploy/preflight.py"],
        ["-m", "etl", "warm"],
        ["-m", "streamlit", "run"],
    ], steps
    serve = steps[-1]
    for option in (
        "--server.address 0.0.0.0",
        "--server.port 8600",
        "--server.headless true",
        "--server.enableCORS true",
        "--server.enableXsrfProtection true",
        "--server.fileWatcherType none",
    ):
        assert option in serve, serve


def test_migration_runs_before_warming_only_when_asked(tmp_path, fake_python) -> None:
    done = run(env=_env(tmp_path, PYTHON=str(fake_python), CIVILKORT_MIGRATE_ON_START="1"))
    assert done.returncode == 0, done.stderr
    assert [" ".join(s.split()[:3]) for s in calls(fake_python)][1:] == [
        "-m etl migrate",
        "-m etl warm",
        "-m streamlit run",
    ]


def test_the_migrate_command_migrates_and_stops(tmp_path, fake_python) -> None:
    done = run("migrate", env=_env(tmp_path, PYTHON=str(fake_python)))
    assert done.returncode == 0, done.stderr
    assert [" ".join(s.split()[:3]) for s in calls(fake_python)] == ["deploy/preflight.py", "-m etl migrate"]


def test_warming_is_skipped_only_by_the_explicit_flag(tmp_path, fake_python) -> None:
    done = run(env=_env(tmp_path, PYTHON=str(fake_python), CIVILKORT_WARM_ON_START="0"))
    assert done.returncode == 0, done.stderr
    assert not any("etl warm" in s for s in calls(fake_python))
    assert "CIVILKORT_WARM_ON_START=0" in done.stderr
    wrong = run(env=_env(tmp_path, PYTHON=str(fake_python), CIVILKORT_WARM_ON_START="måske"))
    assert wrong.returncode == 2 and "CIVILKORT_WARM_ON_START skal være 1 eller 0" in wrong.stderr


@pytest.mark.parametrize("step", ["warm", "migrate"])
def test_a_failing_step_stops_the_replica_before_it_serves(tmp_path, fake_python, step) -> None:
    env = _env(tmp_path, PYTHON=str(fake_python), FAIL_STEP=step, CIVILKORT_MIGRATE_ON_START="1")
    done = run(env=env)
    assert done.returncode == 1
    assert "fejlede (kode 3): replikaen starter ikke" in done.stderr
    assert not any("streamlit" in s for s in calls(fake_python))


def test_a_bad_setting_stops_the_replica_with_a_danish_message(tmp_path) -> None:
    done = run(env=_env(tmp_path, CIVILKORT_MIGRATE="nogle gange"))
    assert done.returncode == 2
    assert "Indstillingerne kan ikke bruges: CIVILKORT_MIGRATE skal være" in done.stderr
    assert "Traceback" not in done.stderr
    port = run(env=_env(tmp_path, PORT="http"))
    assert port.returncode == 2 and "PORT skal være et portnummer" in port.stderr


def test_check_passes_with_the_embedded_defaults(tmp_path) -> None:
    done = run("check", env=_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "Indstillinger i orden: lager SQLite" in done.stderr


def test_an_unknown_command_is_refused(tmp_path) -> None:
    done = run("start", env=_env(tmp_path))
    assert done.returncode == 2 and "ukendt kommando 'start'" in done.stderr


# --- preflight -------------------------------------------------------------------------------------


def _settings(tmp_path: Path, **env: str):
    from civilkort.settings import Settings

    return Settings.from_env(
        {"CIVILKORT_DATA_DIR": str(tmp_path), "CIVILKORT_STATIC_DIR": str(PROJECT_ROOT / "static"), **env}
    )


COMPLETE_AUTH = {key: "x" for key in preflight.AUTH_KEYS}


def test_an_incomplete_login_section_is_named(tmp_path) -> None:
    with pytest.raises(preflight.PreflightError, match="mangler: client_secret, server_metadata_url"):
        preflight.check(
            _settings(tmp_path),
            {"auth": {k: "x" for k in ("redirect_uri", "cookie_secret", "client_id")}},
            Path("secrets.toml"),
        )


def test_a_complete_login_section_needs_authlib(tmp_path, monkeypatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "authlib" else real(name))
    with pytest.raises(preflight.PreflightError, match="Authlib"):
        preflight.check(_settings(tmp_path), {"auth": COMPLETE_AUTH}, Path("secrets.toml"))


def test_a_broken_secrets_file_is_named(tmp_path) -> None:
    path = tmp_path / "secrets.toml"
    path.write_text("[auth\nclient_id = 1\n")
    with pytest.raises(preflight.PreflightError, match="ikke gyldig TOML"):
        preflight.read_secrets(path)
    assert preflight.read_secrets(tmp_path / "absent.toml") == {}


def test_shared_replicas_need_one_cookie_secret_and_are_told_to_migrate_manually(tmp_path) -> None:
    shared = {
        "CIVILKORT_DATABASE_URL": "postgresql://civilkort@db/civilkort",
        "CIVILKORT_KOORDINATOR_KODE": "k",
    }
    with pytest.raises(preflight.PreflightError, match="samme\\s+CIVILKORT_COOKIE_SECRET"):
        preflight.check(_settings(tmp_path, **shared), {}, Path("secrets.toml"))
    warnings = preflight.check(
        _settings(tmp_path, **shared, CIVILKORT_COOKIE_SECRET="s"), {}, Path("secrets.toml")
    )
    assert len(warnings) == 1 and "CIVILKORT_MIGRATE=manual" in warnings[0]
    manual = _settings(tmp_path, **shared, CIVILKORT_MIGRATE="manual")
    assert preflight.check(manual, {"auth": COMPLETE_AUTH}, Path("secrets.toml")) == []


# --- health check ----------------------------------------------------------------------------------


@pytest.fixture
def health_server() -> Iterator[str]:
    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            body = b"ok" if self.path == "/_stcore/health" else b"nej"
            self.send_response(200 if body == b"ok" else 404)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_health_check_passes_on_ok_and_fails_when_nothing_answers(health_server) -> None:
    assert healthcheck.main([health_server]) == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]  # bound, never listening: refused
        assert healthcheck.main([f"http://127.0.0.1:{closed}"]) == 1
