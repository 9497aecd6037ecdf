"""Logging in for real, in Chromium: st.login against a real OpenID Connect provider (panva's oidc-provider,
started on loopback by the test), and the coordinator staying logged in across a reload and a second tab
until they log out, which also ends the provider's session.

The app is opened on ``localhost`` (the host in ``redirect_uri``; on 127.0.0.1 the login silently fails).
Its ``[auth]`` secrets come from a file outside the repository (``--secrets.files``). Screenshots go to
``test-output/login-*.png``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.appserver import (
    AppServer,
    assert_clean,
    copy_data,
    free_port,
    poll,
    print_log_if_failed,
    require_browser,
    start_server,
    wait_idle,
)
from tests.browser.conftest import OfflinePage
from tests.oidc_provider import ACCOUNTS, OidcProvider, auth_secrets, running_provider

pytestmark = [pytest.mark.browser, pytest.mark.oidc]

KIRSTEN = ACCOUNTS[0]


@dataclass
class LoginApp:
    """The app configured to log in through the provider, and the address to open it on."""

    server: AppServer
    provider: OidcProvider
    base: str  # http://localhost:<port>


@pytest.fixture(scope="module")
def login_app(small_db_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoginApp]:
    require_browser()
    data = copy_data(small_db_dir, tmp_path_factory, "login-app")
    logs = tmp_path_factory.mktemp("login-logs")
    app_port = free_port()
    base = f"http://localhost:{app_port}"
    redirect_uri = f"{base}/oauth2callback"
    with running_provider(free_port(), [redirect_uri], logs) as provider:
        secrets_file = logs / "secrets.toml"
        secrets_file.write_text(auth_secrets(provider, redirect_uri, secrets.token_hex(32)), encoding="utf-8")
        server = start_server(
            data,
            logs,
            {"CIVILKORT_KOORDINATORER": KIRSTEN.email},
            port=app_port,
            args=("--secrets.files", str(secrets_file)),
        )
        try:
            yield LoginApp(server, provider, base)
        finally:
            server.stop()
            if "Traceback" in provider.log_text():
                print(f"--- oidc-provider-log ---\n{provider.log_text()[-4000:]}")


@pytest.fixture
def app(login_app: LoginApp, request: pytest.FixtureRequest) -> Iterator[LoginApp]:
    yield login_app
    print_log_if_failed(request, login_app.server)


def _status(page: Any) -> str:
    """The sidebar's sign-in line ('' when nobody is signed in)."""
    line = page.locator("[data-testid=stSidebar] [data-testid=stCaptionContainer]").filter(
        has_text=re.compile(r"\((koordinator|læser|workshopdeltager)\)")
    )
    return line.first.inner_text() if line.count() else ""


def _open(page: Any, url: str) -> None:
    page.goto(url)
    wait_idle(page)


def _shot(opage: OfflinePage, name: str) -> Path:
    path = opage.screenshot(f"login-{name}", full_page=True)
    assert path.stat().st_size > 5_000, path
    return path


def test_log_in_reload_second_tab_and_log_out(
    app: LoginApp, offline_pages: Callable[..., OfflinePage]
) -> None:
    opage = offline_pages(viewport={"width": 1300, "height": 900})
    page = opage.page

    # --- a coordinator page offers the login; the provider shows its form ----------------------------------
    _open(page, f"{app.base}/gennemgang")
    assert _status(page) == ""
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(re.escape(app.provider.issuer) + r"/interaction/"), timeout=20_000)
    page.get_by_label("Brugernavn").wait_for()
    _shot(opage, "1-udbyderens-formular")
    page.get_by_label("Brugernavn").fill(KIRSTEN.login)
    page.get_by_label("Adgangskode").fill(KIRSTEN.password)
    page.get_by_role("button", name="Log ind").click()

    # --- back in the app, logged in --------------------------------------------------------------------------
    page.wait_for_url(re.compile(re.escape(app.base)), timeout=20_000)
    wait_idle(page)
    poll(page, lambda: KIRSTEN.name in _status(page), "navnet i statuslinjen efter login")
    _open(page, f"{app.base}/gennemgang")
    assert page.get_by_role("button", name="Log ind").count() == 0
    assert "Det kræver koordinatoradgang" not in page.locator("[data-testid=stMain]").inner_text()
    _shot(opage, "2-logget-ind")
    assert_clean(opage, app.base)

    # --- a reload, and a second tab, are still logged in -----------------------------------------------------
    page.reload()
    wait_idle(page)
    poll(page, lambda: KIRSTEN.name in _status(page), "stadig logget ind efter genindlæsning")
    second = page.context.new_page()
    _open(second, f"{app.base}/gennemgang")
    poll(second, lambda: KIRSTEN.name in _status(second), "logget ind i en ny fane")
    second.close()

    # --- log out: the app and the provider's session end -----------------------------------------------------
    page.locator("[data-testid=stSidebar]").get_by_role("button", name="Ud").click()
    page.wait_for_url(re.compile(re.escape(app.provider.issuer) + r"/session/end"), timeout=20_000)
    page.get_by_role("button", name="Ja, log mig ud").click()
    page.wait_for_url(re.compile(re.escape(app.base)), timeout=20_000)
    wait_idle(page)
    _open(page, f"{app.base}/gennemgang")
    assert _status(page) == ""
    _shot(opage, "3-logget-ud")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_label("Brugernavn").wait_for(timeout=20_000)
    # with the provider's session still alive it would offer "Fortsæt som Kirsten Koordinator"
    assert page.get_by_role("button", name=re.compile("Fortsæt som")).count() == 0
