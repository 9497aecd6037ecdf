"""The radar's 'Opfølgning' worklist in a real headless Chromium, at desktop and phone size, fully offline.

A coordinator logs in with the code, sets a status with a note on a record, sees it counted and kept after a
reload, reads the 'bed om opdatering' text and its mailto: link, and downloads the end dates as an .ics file
that parses back.  axe-core finds no serious or critical WCAG 2.1 A/AA violation on the tab at either size.
Screenshots: ``test-output/opfoelgning-*.png``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import icalendar
import pytest

from tests.browser import a11y
from tests.browser.appserver import (
    AppServer,
    assert_clean,
    choose,
    copy_data,
    download,
    page_opener,
    poll,
    serving,
    wait_idle,
    wait_settled,
)
from tests.browser.conftest import COORDINATOR_CODE, OfflinePage

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
PATH = "samarbejder?omraade=council:aarhus"


@pytest.fixture(scope="module")
def server(small_db_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    data = copy_data(small_db_dir, tmp_path_factory, "opfoelgning")
    with serving(data, tmp_path_factory.mktemp("streamlit-opfoelgning")) as running:
        yield running


@pytest.fixture
def open_at(
    offline_pages: Callable[..., OfflinePage], server: AppServer, request: pytest.FixtureRequest
) -> Iterator[Callable[[dict[str, int]], OfflinePage]]:
    openers: dict[str, Any] = {}

    def open_(viewport: dict[str, int]) -> OfflinePage:
        key = json.dumps(viewport)
        if key not in openers:
            openers[key] = page_opener(offline_pages, server, request, viewport)
        return next(openers[key])(PATH)

    yield open_
    for opener in openers.values():
        next(opener, None)


def _main(page: Any) -> Any:
    return page.locator("[data-testid=stMain]")


def _to_worklist(page: Any) -> None:
    """Open the tab, log in with the coordinator code there if not yet in, and wait for the worklist."""
    _main(page).get_by_role("tab", name="Opfølgning").click()
    main = _main(page)
    ready = main.get_by_text("Følg op på").first
    name = main.get_by_label("Dit navn")
    poll(page, lambda: ready.is_visible() or name.is_visible(), "arbejdslisten eller login", timeout=60)
    if not ready.is_visible():
        name.fill("Kim")
        main.get_by_label("Koordinatorkode").fill(COORDINATOR_CODE)
        main.get_by_role("button", name="Log ind som koordinator").click()
        ready.wait_for(timeout=60_000)
    wait_idle(page)


def _axe_clean(page: Any) -> None:
    wait_settled(page)
    found = a11y.blocking(a11y.violations(page, a11y.PAGE_AND_STATUS))
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)


def test_a_coordinator_sets_a_status_that_is_kept_and_exports_the_calendar(open_at, server):
    opage = open_at(DESKTOP)
    page = opage.page
    _to_worklist(page)
    main = _main(page)
    main.get_by_role("radiogroup", name="Samarbejder der slutter inden for").get_by_text("12 måneder").click()
    wait_idle(page)
    opage.screenshot("opfoelgning-desktop-liste")
    _axe_clean(page)

    box = main.get_by_role("combobox", name="Følg op på")
    choose(page, box, "Organisation:")
    main.get_by_role("button", name="Gem status").wait_for(timeout=30_000)
    main.get_by_role("radiogroup", name="Status").get_by_text("Kontaktet", exact=True).click()
    main.get_by_label("Note").fill("Ringet til formanden; svarer i næste uge <b>x</b>")
    main.get_by_role("button", name="Gem status").click()
    main.get_by_text("er nu kontaktet").wait_for(timeout=30_000)
    wait_idle(page)
    mailto = main.get_by_role("link", name="Åbn i e-mailprogram").get_attribute("href")
    assert (
        mailto.startswith("mailto:") and "subject=Er%20oplysningerne%20om%20" in mailto and "+" not in mailto
    )
    assert main.get_by_text("Venlig hilsen").count() >= 1
    opage.screenshot("opfoelgning-desktop-status")
    _axe_clean(page)

    got = download(page, "Hent slutdatoer som kalender (.ics)")
    parsed = icalendar.Calendar.from_ical(Path(got.path()).read_bytes())
    assert parsed.events and all(
        str(e["UID"]).endswith("-slutdato@civilsamfundskortet") for e in parsed.events
    )
    assert str(parsed["X-WR-CALNAME"]) == "Samarbejder der slutter – Sundhedsråd Aarhus"

    page.reload()  # a new run from the store: the status and the note are still there
    wait_idle(page)
    _to_worklist(page)
    metrics = main.get_by_test_id("stMetric")
    poll(page, lambda: any(t.split() == ["Kontaktet", "1"] for t in metrics.all_inner_texts()),
         "Kontaktet: 1 efter genindlæsning")  # fmt: skip
    assert "<b>x</b>" not in main.inner_html()  # the note is text, never markup
    assert_clean(opage, server.base)


def test_the_worklist_on_a_phone(open_at, server):
    opage = open_at(PHONE)
    page = opage.page
    _to_worklist(page)
    _main(page).get_by_role("tab", name="Opfølgning").scroll_into_view_if_needed()
    opage.screenshot("opfoelgning-telefon-top")
    box = _main(page).get_by_role("combobox", name="Følg op på")
    choose(page, box, "Samarbejde:")
    _main(page).get_by_role("button", name="Gem status").wait_for(timeout=30_000)
    wait_idle(page)
    opage.screenshot("opfoelgning-telefon-status")
    _main(page).get_by_role("heading", name="Bed om opdatering").scroll_into_view_if_needed()
    wait_settled(page)
    opage.screenshot("opfoelgning-telefon-email")
    _axe_clean(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_clean(opage, server.base)
