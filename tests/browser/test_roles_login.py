"""Roles per council, end to end in Chromium: logged in through the real OIDC provider, with the scope taken
from the id_token's ``groups`` claim only (no CIVILKORT_KOORDINATORER).

The Aarhus coordinator sees the scope in the sidebar, is offered only Aarhus when creating a workshop, and is
refused (on the page, in Danish, naming the councils) a Fyn workshop's review and an upload touching a Fyn
record. The national administrator grants ``koordinator:fyn`` on the page 'Roller', with the keyboard only,
and the Aarhus coordinator can then accept a Fyn entry; the Roller page passes axe-core's WCAG 2.1 A/AA rules.
Screenshots: ``test-output/roller-*.png``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from civilkort import auth, roles
from civilkort import workshop as ws
from civilkort.store import Store
from tests.browser import a11y
from tests.browser.appserver import (
    assert_clean,
    choose,
    copy_data,
    poll,
    print_log_if_failed,
    require_browser,
    wait_idle,
)
from tests.browser.conftest import OfflinePage
from tests.browser.oidc_app import LoginApp, login_app, open_page, status
from tests.oidc_provider import ACCOUNTS, Account

pytestmark = [pytest.mark.browser, pytest.mark.oidc]

KIRSTEN, ANNA = ACCOUNTS[0], ACCOUNTS[2]  # koordinator:aarhus; admin
VIEWPORT = {"width": 1300, "height": 950}
FYN_REFUSAL = (
    "Du er koordinator for Sundhedsråd Aarhus. Workshoppen 'Workshop Fyn' hører til Sundhedsråd Fyn, "
    "så det kræver koordinatoradgang dér."
)


@dataclass
class World:
    """The app, its store (the same file the server uses) and a Fyn workshop with one entry to review."""

    app: LoginApp
    store: Store
    fyn_workshop: str
    fyn_entry: dict[str, Any]


@pytest.fixture(scope="module")
def world(small_db_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    require_browser()
    data = copy_data(small_db_dir, tmp_path_factory, "roles-app")
    store = Store(data / "store.sqlite")  # made (and migrated) before the server opens it
    row, code = ws.create_workshop(store, auth.operator("test"), "Workshop Fyn", held_on=dt.date.today(),
                                   council_id="fyn")  # fmt: skip
    guest = ws.join(store, auth.ANONYMOUS, row["workshop_id"], code, "Gæst")
    entry = ws.add_entry(store, guest, row["workshop_id"], "note", {"note_type": "ide", "text": "Løbeklub i Odense"},
                         client_token="fyn-1", municipality="Odense").entry  # fmt: skip
    env = {"CIVILKORT_KOORDINATORER": ""}  # roles from the groups claim (and the Roller page) only
    with login_app(data, tmp_path_factory.mktemp("roles-logs"), env) as app:
        yield World(app, store, row["workshop_id"], entry)


@pytest.fixture
def app(world: World, request: pytest.FixtureRequest) -> Iterator[World]:
    yield world
    print_log_if_failed(request, world.app.server)


def _shot(opage: OfflinePage, name: str) -> Path:
    path = opage.screenshot(f"roller-{name}", full_page=True)
    assert path.stat().st_size > 5_000, path
    return path


def _main(page: Any) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def _log_in(opage: OfflinePage, app: LoginApp, account: Account, *, shot: str | None = None) -> None:
    """From a coordinator page's 'Log ind', through the provider's form, back to the app, logged in."""
    page = opage.page
    open_page(page, f"{app.base}/gennemgang")
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(re.escape(app.provider.issuer) + r"/interaction/"), timeout=20_000)
    page.get_by_label("Brugernavn").fill(account.login)
    page.get_by_label("Adgangskode").fill(account.password)
    if shot:
        _shot(opage, shot)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(re.compile(re.escape(app.base)), timeout=20_000)
    wait_idle(page)
    poll(page, lambda: account.name in status(page), f"{account.name} i statuslinjen efter login")


def _open_options(page: Any, within: Any, label: str) -> list[str]:
    """The options of the select box labelled ``label`` inside ``within`` (opened, read, closed with Escape).

    The open list is drawn at the end of the page, outside the form."""
    listbox = page.get_by_role("listbox")

    def opened() -> list[str]:
        if not listbox.count():  # a click during a rerun may be lost: click again until the list is open
            within.get_by_label(label).first.click()
            listbox.wait_for(timeout=2_000)
        return listbox.get_by_role("option").all_inner_texts()

    options = poll(page, opened, f"listen i {label}")
    page.keyboard.press("Escape")
    return options


def test_an_aarhus_coordinator_sees_aarhus_and_is_refused_fyn(
    app: World, offline_pages: Callable[..., OfflinePage]
) -> None:
    opage = offline_pages(viewport=VIEWPORT)
    page = opage.page
    _log_in(opage, app.app, KIRSTEN, shot="1-login")
    assert status(page) == "Kirsten Koordinator (koordinator for Sundhedsråd Aarhus)"

    # --- creating a workshop offers only Aarhus -------------------------------------------------------------
    open_page(page, f"{app.app.base}/workshop")
    form = page.locator("[data-testid=stForm]").filter(has_text="Opret workshop")
    form.wait_for()
    assert _open_options(page, form, "Sundhedsråd") == ["Sundhedsråd Aarhus"]
    form.get_by_label("Navn").fill("Workshop i Aarhus")
    form.get_by_role("button", name="Opret workshop").click()
    poll(page, lambda: "Kode til Workshop i Aarhus" in _main(page), "koden til den nye workshop")
    assert {w["council_id"] for w in ws.list_workshops(app.store) if w["name"] == "Workshop i Aarhus"} == {
        "aarhus"
    }
    page.locator("[data-testid=stMain]").get_by_role(
        "heading", name="Workshop", exact=True
    ).scroll_into_view_if_needed()
    _shot(opage, "2-aarhus-logget-ind")
    assert_clean(opage, app.app.base)

    # --- a Fyn workshop's review is refused on the page, naming both councils -------------------------------
    open_page(page, f"{app.app.base}/gennemgang?workshop={app.fyn_workshop}")
    alert = page.locator("[data-testid=stAlertContentError]")
    poll(page, lambda: FYN_REFUSAL in alert.inner_text(), "afvisningen af Fyns workshop")
    assert "Løbeklub i Odense" not in _main(page)  # nothing of the workshop is shown
    assert page.locator("[data-testid=stException]").count() == 0
    _shot(opage, "3-fyn-afvist")

    # --- an upload that touches a Fyn record is refused, naming it ------------------------------------------
    open_page(page, f"{app.app.base}/indlaes")
    page.locator(".st-key-indlaes_data_0 input[type=file]").set_input_files(
        files=[{"name": "organisationer.csv", "mimeType": "text/csv",
                "buffer": b"Id;Navn;Organisationstype;Kommune\nORG-FYN-1;Foreningen Fyn;Frivillig forening;Odense"}]
    )  # fmt: skip
    grid = page.locator("[data-testid=stDataFrame]").first  # the errors table: file, row, column, message
    cells = poll(
        page,
        lambda: [c for c in grid.locator("td").all_inner_texts() if "Uden for dit område" in c],
        "afvisningen af en upload med en post i Fyn",
        timeout=60,
    )
    assert cells == [
        "Uden for dit område (koordinator for Sundhedsråd Aarhus): Sundhedsråd Fyn: ORG-FYN-1 (Foreningen Fyn)"
    ], cells
    assert page.get_by_role("button", name=re.compile("Byg databasen")).is_disabled()
    _shot(opage, "3b-upload-afvist")


def _focused(page: Any) -> str:
    """What has the keyboard focus (for a failure message)."""
    return page.evaluate("() => document.activeElement.outerHTML.slice(0, 200)")


def _tab_to(page: Any, selector: str, limit: int = 15) -> None:
    """Press Tab until the focus is inside ``selector`` (fail after ``limit`` presses)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => !!document.activeElement.closest(s)", selector):
            return
    raise AssertionError(f"{selector} kunne ikke nås med Tab (sidst: {_focused(page)})")


def test_the_administrator_grants_fyn_on_the_roller_page_and_aarhus_can_act_there(
    app: World, offline_pages: Callable[..., OfflinePage]
) -> None:
    kirsten = offline_pages(viewport=VIEWPORT)
    _log_in(kirsten, app.app, KIRSTEN)
    fyn_review = f"{app.app.base}/gennemgang?workshop={app.fyn_workshop}"
    open_page(kirsten.page, fyn_review)
    poll(kirsten.page, lambda: FYN_REFUSAL in _main(kirsten.page), "afvist før tildelingen")

    anna = offline_pages(viewport=VIEWPORT)
    page = anna.page
    _log_in(anna, app.app, ANNA)
    assert status(page) == "Anna Administrator (national administrator)"
    open_page(page, f"{app.app.base}/roller")
    page.get_by_label("E-mail (som login giver den)").wait_for()
    _shot(anna, "4-roller-side")
    found = a11y.violations(page, a11y.PAGE_AND_STATUS)
    assert a11y.blocking(found) == [], json.dumps(a11y.blocking(found), indent=1, ensure_ascii=False)
    assert_clean(anna, app.app.base)

    # --- grant with the keyboard only: type the e-mail, Tab to the council, type it, Tab to Tildel, Enter ----
    page.get_by_label("E-mail (som login giver den)").focus()
    page.keyboard.type(KIRSTEN.email)
    _tab_to(page, ".st-key-roller_scope")  # the council's select box
    choose(page, page.locator(".st-key-roller_scope").get_by_role("combobox"), "Fyn", click=False)
    _tab_to(page, "[data-testid=stFormSubmitButton]")  # 'Tildel'
    page.keyboard.press("Enter")
    fyn = {roles.Grant("koordinator", "fyn")}
    poll(page, lambda: roles.grants_for(app.store, KIRSTEN.email) == fyn, "den nye rolle i rolletabellen")
    grid = page.locator("[data-testid=stDataFrame]").first  # the page's table (its cells are <td>s too)
    poll(
        page,
        lambda: "koordinator, Sundhedsråd Fyn" in grid.locator("td").all_inner_texts(),
        "rollen på siden",
    )

    # --- the Aarhus coordinator now reviews Fyn's workshop (roles are re-read within 10 s; reload until) -----
    def allowed() -> bool:
        open_page(kirsten.page, fyn_review)
        return "Løbeklub i Odense" in _main(kirsten.page)

    poll(kirsten.page, allowed, "Fyn-workshoppen efter tildelingen", timeout=20, interval=1)
    poll(kirsten.page, lambda: "koordinator for Sundhedsråd Aarhus og Fyn" in status(kirsten.page), "scopet")
    entry_id = app.fyn_entry["entry_id"]
    kirsten.page.locator(f".st-key-rv-action-{entry_id}").get_by_text("Godkend", exact=True).click()
    wait_idle(kirsten.page)
    kirsten.page.locator(f".st-key-rv-accept-{entry_id}").get_by_role("button").click()
    poll(kirsten.page, lambda: "Godkendt: Idé: Løbeklub i Odense" in _main(kirsten.page), "godkendelsen")
    assert ws.get_entry(app.store, entry_id)["reviewed_by"] == KIRSTEN.name
    _shot(kirsten, "5-aarhus-godkender-fyn")

    # --- revoke with the keyboard: Tab to Fjern, Enter ------------------------------------------------------
    page.get_by_label("E-mail (som login giver den)").focus()
    _tab_to(page, ".st-key-roller_revoke_btn")
    page.keyboard.press("Enter")
    poll(page, lambda: roles.grants_for(app.store, KIRSTEN.email) == frozenset(), "rollen fjernet")
