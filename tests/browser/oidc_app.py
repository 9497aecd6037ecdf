"""The app logging in through the OIDC test provider, for the browser tests that log in for real.

:func:`login_app` starts the provider (tests/oidc_provider.py) and the app on ``localhost`` (the host in
``redirect_uri``; on 127.0.0.1 the login silently fails), with the ``[auth]`` secrets in a file outside the
repository (``--secrets.files``). :func:`status` reads the sidebar's sign-in line.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.browser.appserver import AppServer, free_port, start_server, wait_idle
from tests.oidc_provider import OidcProvider, auth_secrets, running_provider


@dataclass
class LoginApp:
    """The app configured to log in through the provider, and the address to open it on."""

    server: AppServer
    provider: OidcProvider
    base: str  # http://localhost:<port>


@contextmanager
def login_app(data: Path, logs: Path, env: Mapping[str, str]) -> Iterator[LoginApp]:
    """The provider and the app (data folder ``data``, environment ``env``), both stopped afterwards."""
    app_port = free_port()
    base = f"http://localhost:{app_port}"
    redirect_uri = f"{base}/oauth2callback"
    with running_provider(free_port(), [redirect_uri], logs) as provider:
        secrets_file = logs / "secrets.toml"
        secrets_file.write_text(auth_secrets(provider, redirect_uri, secrets.token_hex(32)), encoding="utf-8")
        server = start_server(
            data,
            logs,
            env,
            port=app_port,
            args=("--secrets.files", str(secrets_file)),
        )
        try:
            yield LoginApp(server, provider, base)
        finally:
            server.stop()
            if "Traceback" in provider.log_text():
                print(f"--- oidc-provider-log ---\n{provider.log_text()[-4000:]}")


def status(page: Any) -> str:
    """The sidebar's sign-in line ('' when nobody is signed in): 'Navn (koordinator for Sundhedsråd Aarhus)'."""
    line = page.locator("[data-testid=stSidebar] [data-testid=stCaptionContainer]").filter(
        has_text=re.compile(
            r"\((koordinator|regional koordinator|national administrator|læser|workshopdeltager)\b"
        )
    )
    # the line starts with a Material icon, whose ligature ('badge') is text in the DOM
    return line.first.inner_text().removeprefix("badge").strip() if line.count() else ""


def open_page(page: Any, url: str) -> None:
    """Go to ``url`` and wait for the script run to finish."""
    page.goto(url)
    wait_idle(page)
