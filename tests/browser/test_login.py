"""Logging in for real, in Chromium: st.login against a real OpenID Connect provider (panva's oidc-provider,
started on loopback by the test), and the coordinator staying logged in across a reload and a second tab
until they log out, which also ends the provider's session.

The app is opened on ``localhost`` (the host in ``redirect_uri``; on 127.0.0.1 the login silently fails).
Its ``[auth]`` secrets come from a file outside the repository (``--secrets.files``). Screenshots go to
``test-output/login-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.browser.appserver import (
    assert_clean,
    copy_data,
    poll,
    print_log_if_failed,
    require_browser,
    wait_idle,
)
from tests.browser.conftest import OfflinePage
from tests.browser.oidc_app import LoginApp, open_page, status
from tests.browser.oidc_app import login_app as running_login_app
from tests.oidc_provider import ACCOUNTS

pytestmark = [pytest.mark.browser, pytest.mark.oidc]

KIRSTEN = ACCOUNTS[0]


@pytest.fixture(scope="module")
def login_app(small_db_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoginApp]:
    require_browser()
    data = copy_data(small_db_dir, tmp_path_factory, "login-app")
    logs = tmp_path_factory.mktemp("login-logs")
    with running_login_app(data, logs, {"CIVILKORT_KOORDINATORER": KIRSTEN.email}) as app:
        yield app


@pytest.fixture
def app(login_app: LoginApp, request: pytest.FixtureRequest) -> Iterator[LoginApp]:
    yield login_app
    print_log_if_failed(request, login_app.server)


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
    open_page(page, f"{app.base}/gennemgang")
    assert status(page) == ""
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
    poll(page, lambda: KIRSTEN.name in status(page), "navnet i statuslinjen efter login")
    open_page(page, f"{app.base}/gennemgang")
    assert page.get_by_role("button", name="Log ind").count() == 0
    assert "Det kræver koordinatoradgang" not in page.locator("[data-testid=stMain]").inner_text()
    _shot(opage, "2-logget-ind")
    assert_clean(opage, app.base)

    # --- a reload, and a second tab, are still logged in -----------------------------------------------------
    page.reload()
    wait_idle(page)
    poll(page, lambda: KIRSTEN.name in status(page), "stadig logget ind efter genindlæsning")
    second = page.context.new_page()
    open_page(second, f"{app.base}/gennemgang")
    poll(second, lambda: KIRSTEN.name in status(second), "logget ind i en ny fane")
    second.close()

    # --- log out: the app and the provider's session end -----------------------------------------------------
    page.locator("[data-testid=stSidebar]").get_by_role("button", name="Ud").click()
    page.wait_for_url(re.compile(re.escape(app.provider.issuer) + r"/session/end"), timeout=20_000)
    page.get_by_role("button", name="Ja, log mig ud").click()
    page.wait_for_url(re.compile(re.escape(app.base)), timeout=20_000)
    wait_idle(page)
    open_page(page, f"{app.base}/gennemgang")
    assert status(page) == ""
    _shot(opage, "3-logget-ud")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_label("Brugernavn").wait_for(timeout=20_000)
    # with the provider's session still alive it would offer "Fortsæt som Kirsten Koordinator"
    assert page.get_by_role("button", name=re.compile("Fortsæt som")).count() == 0
