"""A code sign-in survives a reload, in Chromium: the coordinator code and a workshop's code are kept in a
signed cookie with an expiry, which two app processes with the same secret both accept, a forged one is
refused, and signing out clears.

Both servers share one data folder and ``CIVILKORT_COOKIE_SECRET`` (as replicas do). Cookies are per host,
not per port, so one browser context that opens both servers carries the same cookie to each.
Screenshots go to ``test-output/kodesession-*.png``.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from civilkort import auth, session_token
from civilkort import workshop as ws
from civilkort.store import Store
from tests.browser.appserver import (
    AppServer,
    assert_clean,
    copy_data,
    poll,
    print_log_if_failed,
    require_browser,
    start_server,
    wait_idle,
)
from tests.browser.conftest import COORDINATOR_CODE, OfflinePage
from tests.browser.oidc_app import status

pytestmark = pytest.mark.browser

NAME = "Kirsten Koordinator"


@pytest.fixture(scope="module")
def shared_data(small_db_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_data(small_db_dir, tmp_path_factory, "kodesession")


@pytest.fixture(scope="module")
def replicas(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[AppServer]]:
    """Two app processes on one data folder with one cookie secret."""
    require_browser()
    logs = tmp_path_factory.mktemp("kodesession-logs")
    env = {"CIVILKORT_COOKIE_SECRET": secrets.token_hex(32)}
    servers: list[AppServer] = []
    try:
        for _ in range(2):
            servers.append(start_server(shared_data, logs, env))
        yield servers
    finally:
        for server in servers:
            server.stop()


@pytest.fixture
def two(replicas: list[AppServer], request: pytest.FixtureRequest) -> Iterator[list[AppServer]]:
    yield replicas
    for server in replicas:
        print_log_if_failed(request, server)


def _open(page: Any, url: str) -> None:
    page.goto(url)
    wait_idle(page)


def _session_cookie(page: Any) -> dict | None:
    found = [c for c in page.context.cookies() if c["name"] == session_token.COOKIE_NAME]
    return found[0] if found else None


def _locked(page: Any) -> bool:
    return "Det kræver koordinatoradgang" in page.locator("[data-testid=stMain]").inner_text()


def test_the_coordinator_code_survives_a_reload_on_both_replicas(
    two: list[AppServer], offline_pages: Callable[..., OfflinePage]
) -> None:
    a, b = two
    opage = offline_pages(viewport={"width": 1300, "height": 1000})
    page = opage.page

    _open(page, f"{a.base}/gennemgang")
    assert _locked(page) and status(page) == ""
    form = page.locator("[data-testid=stForm]").filter(
        has=page.get_by_role("textbox", name="Koordinatorkode")
    )
    form.get_by_role("textbox", name="Dit navn").fill(NAME)
    form.get_by_role("textbox", name="Koordinatorkode").fill(COORDINATOR_CODE)
    form.get_by_role("button", name="Log ind som koordinator").click()
    wait_idle(page)
    poll(page, lambda: NAME in status(page), "koordinator efter koden")

    # --- the cookie: signed, no code in it, SameSite=Strict, Path=/, about a working day ---------------------
    cookie = poll(page, lambda: _session_cookie(page), "sessionscookien er sat")
    assert COORDINATOR_CODE not in cookie["value"]
    assert (cookie["sameSite"], cookie["path"], cookie["secure"]) == ("Strict", "/", False)
    hours_left = (cookie["expires"] - time.time()) / 3600
    assert session_token.SESSION_HOURS - 0.1 < hours_left <= session_token.SESSION_HOURS, hours_left

    # --- a reload on replica A, and a new tab on replica B: still the coordinator ----------------------------
    page.reload()
    wait_idle(page)
    poll(page, lambda: NAME in status(page), "koordinator efter genindlæsning")
    assert not _locked(page)
    opage.screenshot("kodesession-1-efter-genindlaesning", full_page=True)
    other = page.context.new_page()
    _open(other, f"{b.base}/gennemgang")
    poll(other, lambda: NAME in status(other), "koordinator på den anden replika")
    assert not _locked(other)
    assert_clean(opage, a.base)

    # --- sign out on B: the cookie goes, and a reload on A is anonymous --------------------------------------
    other.locator("[data-testid=stSidebar]").get_by_role("button", name="Ud").click()
    wait_idle(other)
    poll(other, lambda: _session_cookie(other) is None, "cookien er slettet ved log ud")
    page.reload()
    wait_idle(page)
    assert status(page) == "" and _locked(page)


def test_a_forged_or_foreign_cookie_is_refused_and_cleared(
    two: list[AppServer], offline_pages: Callable[..., OfflinePage]
) -> None:
    a, _ = two
    page = offline_pages().page
    person = auth.from_coordinator_code("Mallory", COORDINATOR_CODE, expected=COORDINATOR_CODE)
    foreign = session_token.issue(person, "en-anden-hemmelighed" * 3, coordinator_code=COORDINATOR_CODE)
    assert foreign is not None
    page.context.add_cookies([{"name": session_token.COOKIE_NAME, "value": foreign.value, "url": a.base}])
    _open(page, f"{a.base}/gennemgang")
    assert status(page) == "" and _locked(page)
    poll(page, lambda: _session_cookie(page) is None, "den fremmede cookie er slettet")


def test_a_participant_stays_in_the_workshop_after_a_reload(
    two: list[AppServer], shared_data: Path, offline_pages: Callable[..., OfflinePage]
) -> None:
    a, b = two
    boss = auth.from_coordinator_code("Facilitator", COORDINATOR_CODE, expected=COORDINATOR_CODE)
    ws.create_workshop(
        Store(shared_data / "store.sqlite"), boss, "Workshop Vest", held_on=dt.date.today(), code="2468-1357"
    )
    page = offline_pages(viewport={"width": 1300, "height": 1000}).page
    _open(page, f"{a.base}/workshop")
    page.locator(".st-key-ws_join_code input").fill("2468-1357")
    page.locator(".st-key-ws_join_name input").fill("Mette")
    page.get_by_role("button", name="Deltag").click()
    wait_idle(page)
    page.get_by_role("button", name="Gem").wait_for(timeout=20_000)
    poll(page, lambda: _session_cookie(page), "sessionscookien er sat")
    for url in (f"{a.base}/workshop", f"{b.base}/workshop"):  # a reload, and the other replica
        _open(page, url)
        page.get_by_role("button", name="Gem").wait_for(timeout=20_000)
        assert "Mette" in status(page) and "workshopdeltager" in status(page)
