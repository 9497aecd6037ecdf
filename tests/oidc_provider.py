"""A real OpenID Connect provider for the login tests: panva's ``oidc-provider`` run by ``tests/oidc/provider.mjs``.

Needs Node.js and the package installed once (``npm ci --prefix tests/oidc``); without them the tests that
use it skip on a laptop and fail in CI (``tests.services.missing``). The provider listens on a free port of
127.0.0.1 and is stopped after use. Its accounts carry ``groups`` claims in the form the roles are mapped
from (``koordinator:<sundhedsråd>``, ``regional:<region>``, ``admin``).
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.services import missing, program, stop_process

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
START_TIMEOUT_S = 30
CLIENT_ID = "civilkort-test"
CLIENT_SECRET = "civilkort-test-hemmelighed"


@dataclass(frozen=True)
class Account:
    """A person the provider knows: what they type on its login page, and the claims their id_token carries."""

    login: str
    password: str
    sub: str
    email: str
    name: str
    groups: tuple[str, ...] = ()

    def as_config(self) -> dict[str, Any]:
        claims = {"sub": self.sub, "email": self.email, "name": self.name, "groups": list(self.groups)}
        return {"password": self.password, "claims": claims}


ACCOUNTS = (
    Account("kirsten", "aarhus-1234", "kirsten-1", "kirsten@aarhus.example", "Kirsten Koordinator",
            ("koordinator:aarhus",)),
    Account("rasmus", "region-1234", "rasmus-1", "rasmus@rm.example", "Rasmus Regional",
            ("regional:midtjylland",)),
    Account("anna", "admin-1234", "anna-1", "anna@sst.example", "Anna Administrator", ("admin",)),
    Account("frederik", "fyn-1234", "frederik-1", "frederik@fyn.example", "Frederik Fyn",
            ("koordinator:fyn",)),
)  # fmt: skip


@dataclass
class OidcProvider:
    """A running provider: its issuer, the one client's credentials, and its log."""

    issuer: str
    process: subprocess.Popen
    log: Path
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    accounts: Mapping[str, Account] = field(default_factory=dict)

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        stop_process(self.process)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def require_provider() -> str:
    """The path of ``node`` once the provider's packages are installed; else skip (laptop) or fail (CI)."""
    node = program("node", "Node.js is needed for the OIDC test provider")
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        missing("the OIDC test provider is not installed: run `npm ci --prefix tests/oidc`")
    return node


@contextmanager
def running_provider(
    port: int,
    redirect_uris: Sequence[str],
    log_dir: Path,
    accounts: Sequence[Account] = ACCOUNTS,
) -> Iterator[OidcProvider]:
    """Start the provider on 127.0.0.1:``port`` for a client with these redirect (and post-logout) URIs;
    wait until its discovery document answers; stop it afterwards."""
    node = require_provider()
    issuer = f"http://127.0.0.1:{port}"
    config = {
        "port": port,
        "issuer": issuer,
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": list(redirect_uris),
            "post_logout_redirect_uris": list(redirect_uris),
        },
        "accounts": {a.login: a.as_config() for a in accounts},
    }
    config_path = log_dir / f"oidc-{port}.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    log = log_dir / f"oidc-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [node, str(OIDC_DIR / "provider.mjs"), str(config_path)],
            cwd=OIDC_DIR,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    provider = OidcProvider(issuer, process, log, accounts={a.login: a for a in accounts})
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers(provider.metadata_url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"OIDC-udbyderen startede ikke (kode {process.poll()}):\n{provider.log_text()[-4000:]}"
                )
            time.sleep(0.1)
        yield provider
    finally:
        provider.stop()


def auth_secrets(provider: OidcProvider, redirect_uri: str, cookie_secret: str) -> str:
    """The ``[auth]`` section of a Streamlit secrets file that logs in through ``provider``."""
    values = {
        "redirect_uri": redirect_uri,
        "cookie_secret": cookie_secret,
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "server_metadata_url": provider.metadata_url,
    }
    return "[auth]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in values.items())
