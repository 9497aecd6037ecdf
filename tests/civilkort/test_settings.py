"""Settings: every CIVILKORT_* variable is read in one place, checked, and documented in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from civilkort.settings import PROJECT_ROOT, Settings, SettingsError


def test_defaults_are_the_embedded_ones(tmp_path):
    cfg = Settings.from_env({"CIVILKORT_DATA_DIR": str(tmp_path)})
    assert cfg.data_dir == tmp_path.resolve()
    assert cfg.store_url == f"sqlite:///{tmp_path.resolve() / 'store.sqlite'}"
    assert not cfg.store_is_shared
    assert cfg.object_store_url is None
    assert cfg.migrate == "auto"
    assert cfg.roles_claim == "groups"


def test_postgres_url_makes_the_store_shared(tmp_path):
    cfg = Settings.from_env({"CIVILKORT_DATABASE_URL": "postgresql://civilkort@db:5432/civilkort"})
    assert cfg.store_url == "postgresql://civilkort@db:5432/civilkort"
    assert cfg.store_is_shared


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("DATABASE_URL", "mysql://x@y/z", "CIVILKORT_DATABASE_URL"),
        ("OBJECT_STORE_URL", "ftp://host/x", "CIVILKORT_OBJECT_STORE_URL"),
        ("OBJECT_STORE_URL", "s3:///nobucket", "bucket"),
        ("MIGRATE", "sometimes", "CIVILKORT_MIGRATE"),
        ("ROLLER_FIL", "/no/such/roles.toml", "CIVILKORT_ROLLER_FIL"),
    ],
)
def test_a_bad_value_is_named_in_danish(name, value, said):
    with pytest.raises(SettingsError, match=said) as err:
        Settings.from_env({f"CIVILKORT_{name}": value})
    assert "skal" in str(err.value) or "findes" in str(err.value)


def test_blank_values_count_as_unset():
    cfg = Settings.from_env({"CIVILKORT_DATABASE_URL": "  ", "CIVILKORT_KOORDINATOR_KODE": ""})
    assert cfg.database_url is None and cfg.coordinator_code is None


def _python_files() -> list[Path]:
    return [
        p for folder in ("civilkort", "etl", "ui", "app_pages") for p in (PROJECT_ROOT / folder).rglob("*.py")
    ] + [PROJECT_ROOT / "app.py", PROJECT_ROOT / "serve.py"]


def test_environment_is_read_only_in_settings():
    readers = [
        p.relative_to(PROJECT_ROOT).as_posix()
        for p in _python_files()
        if re.search(r"os\.environ|os\.getenv", p.read_text(encoding="utf-8"))
    ]
    assert readers == ["civilkort/settings.py"]


def test_every_variable_is_in_the_readme():
    source = (PROJECT_ROOT / "civilkort" / "settings.py").read_text(encoding="utf-8")
    names = {f"CIVILKORT_{n}" for n in re.findall(r'get\("([A-Z_]+)"\)', source)}
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    missing = sorted(n for n in names if f"`{n}`" not in readme)
    assert names and not missing, f"not in the README's table of settings: {missing}"


def test_smtp_is_off_unless_a_server_and_a_sender_are_set():
    assert not Settings.from_env({}).smtp_configured
    cfg = Settings.from_env(
        {
            "CIVILKORT_SMTP_HOST": "mail.rm.dk",
            "CIVILKORT_SMTP_FROM": "sundhedsraad@rm.dk",
            "CIVILKORT_SMTP_PORT": "25",
        }
    )
    assert cfg.smtp_configured and cfg.smtp_port == 25 and cfg.smtp_starttls
    assert not Settings.from_env(
        {"CIVILKORT_SMTP_HOST": "h", "CIVILKORT_SMTP_FROM": "a@b.dk", "CIVILKORT_SMTP_STARTTLS": "nej"}
    ).smtp_starttls


@pytest.mark.parametrize(
    ("env", "said"),
    [
        ({"CIVILKORT_SMTP_HOST": "h"}, "CIVILKORT_SMTP_FROM"),
        ({"CIVILKORT_SMTP_HOST": "h", "CIVILKORT_SMTP_FROM": "ikke en adresse"}, "e-mailadresse"),
        ({"CIVILKORT_SMTP_PORT": "smtp"}, "CIVILKORT_SMTP_PORT"),
        ({"CIVILKORT_SMTP_STARTTLS": "måske"}, "CIVILKORT_SMTP_STARTTLS"),
        ({"CIVILKORT_SMTP_PASSWORD": "x"}, "CIVILKORT_SMTP_USER"),
    ],
)
def test_a_bad_mail_setting_is_named_in_danish(env, said):
    with pytest.raises(SettingsError, match=said):
        Settings.from_env(env)
