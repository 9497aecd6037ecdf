"""The update link end to end in a real headless Chromium, at desktop and phone size, fully offline.

A coordinator opens 'bed om opdatering' on Opfølgning and finds the update link in the e-mail's text; the
organisation opens it in a browser of its own (no login), sees its fields pre-filled, changes its website
and sends it; the coordinator finds the change, old → new, on Gennemgang.  axe-core finds no serious or
critical WCAG 2.1 A/AA violation on the form at either size.  Screenshots: ``test-output/opdater-*.png``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import a11y
from tests.browser.appserver import (
    AppServer,
    assert_clean,
    choose,
    copy_data,
    page_opener,
    poll,
    serving,
    wait_idle,
    wait_settled,
)
from tests.browser.conftest import COORDINATOR_CODE
from tests.browser.test_accessibility import ENGLISH, NAMES

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
NEW_SITE = "https://ny-hjemmeside.example.dk"


@pytest.fixture(scope="module")
def server(small_db_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    data = copy_data(small_db_dir, tmp_path_factory, "opdater")
    with serving(data, tmp_path_factory.mktemp("streamlit-opdater")) as running:
        yield running


def _main(page: Any) -> Any:
    return page.locator("[data-testid=stMain]")


def _axe_clean(page: Any) -> None:
    wait_settled(page)
    found = a11y.blocking(a11y.violations(page, a11y.PAGE_AND_STATUS))
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)


def _update_link(page: Any) -> str:
    """Log in on Opfølgning, pick an organisation, and read the update link out of the e-mail's text."""
    main = _main(page)
    main.get_by_role("tab", name="Opfølgning").click()
    main.get_by_label("Dit navn").fill("Kim")
    main.get_by_label("Koordinatorkode").fill(COORDINATOR_CODE)
    main.get_by_role("button", name="Log ind som koordinator").click()
    main.get_by_text("Følg op på").first.wait_for(timeout=60_000)
    wait_idle(page)
    choose(page, main.get_by_role("combobox", name="Følg op på"), "Organisation:")
    main.get_by_text("Venlig hilsen").first.wait_for(timeout=30_000)
    wait_idle(page)
    text = main.locator("[data-testid=stCode]").inner_text()
    found = re.search(r"https?://\S+/opdater\?opdater=\S+", text)
    assert found, text
    return found.group(0)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "telefon"])
def test_the_organisation_corrects_its_website_and_the_coordinator_sees_it(
    offline_pages, server: AppServer, request: pytest.FixtureRequest, viewport: dict[str, int]
) -> None:
    size = "desktop" if viewport is DESKTOP else "telefon"
    coordinator_pages = page_opener(offline_pages, server, request, DESKTOP)
    coordinator = next(coordinator_pages)("samarbejder?omraade=council:aarhus")
    link = _update_link(coordinator.page)
    assert link.startswith(server.base)

    organisation_pages = page_opener(offline_pages, server, request, viewport)
    org = next(organisation_pages)(link.removeprefix(server.base + "/"))  # a browser of its own: no login
    page, main = org.page, _main(org.page)
    main.get_by_role("heading", name="Opdater jeres oplysninger").wait_for(timeout=30_000)
    form = main.get_by_test_id("stForm")
    name = poll(
        page, lambda: form.get_by_role("textbox", name="Navn", exact=True).first.input_value(), "navnet"
    )
    assert form.get_by_role("textbox", name="Funktionspostkasse (e-mail)").input_value() == ""  # never shown
    org.screenshot(f"opdater-{size}-formular")
    _axe_clean(page)

    def english_left() -> list[str] | None:  # Streamlit's own English names, translated by ui/document.py
        return [
            n for n in page.evaluate(NAMES) if any(n.startswith(e) or f"\n{e}" in n for e in ENGLISH)
        ] or None

    poll(page, lambda: english_left() is None, "ingen engelske navne fra Streamlit")
    site = form.get_by_role("textbox", name="Hjemmeside", exact=True)
    site.fill(NEW_SITE)
    form.get_by_role("button", name="Send ændringerne").click()
    main.get_by_text("1 ændring er sendt til sundhedsrådet").wait_for(timeout=30_000)
    wait_idle(page)
    assert "opdater=" in page.url  # the link stays in the address after the send
    org.screenshot(f"opdater-{size}-sendt")
    _axe_clean(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_clean(org, server.base)

    review = coordinator.page
    review.goto(f"{server.base}/gennemgang")
    wait_idle(review)
    entry = _main(review).get_by_text(f"Opdatering: {name}").first
    entry.wait_for(timeout=30_000)
    poll(
        review, lambda: NEW_SITE.removeprefix("https://") in _main(review).inner_text(), "den nye hjemmeside"
    )
    _main(review).get_by_role("button", name="Godkend").first.wait_for(timeout=30_000)
    wait_settled(review)
    coordinator.screenshot(f"opdater-{size}-gennemgang")
    assert_clean(coordinator, server.base)
    next(organisation_pages, None)
    next(coordinator_pages, None)
