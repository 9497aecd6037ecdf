"""Find et tilbud in a real headless Chromium, at desktop and phone size, offline: type a postcode, pick a
target group, see the nearest offers (with their straight-line distance), axe WCAG 2.1 AA, a screenshot."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import a11y
from tests.browser.appserver import (
    ACTIVE_OPTION_JS,
    AppServer,
    assert_clean,
    copy_data,
    page_opener,
    poll,
    serving,
    wait_idle,
    wait_settled,
)

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 800}, "telefon": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def server(small_db_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    data = copy_data(small_db_dir, tmp_path_factory, "find-offer")
    with serving(data, tmp_path_factory.mktemp("streamlit-find-offer")) as running:
        yield running


def _main(page: Any) -> Any:
    return page.locator("[data-testid=stMain]")


def _pick(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in a multiselect as :func:`choose` does in a select box; the list then stays open
    (more may be picked): Escape closes it, and the option stands as a chip in the box."""
    box = _main(page).get_by_role("combobox", name=label)
    wait_settled(page)
    box.click()
    page.keyboard.type(option)
    poll(page, lambda: option in box.evaluate(ACTIVE_OPTION_JS), f"{option} fremhævet i listen")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    chosen = _main(page).locator("[data-testid=stMultiSelect]").filter(has_text=label).filter(has_text=option)
    poll(
        page, lambda: chosen.count() == 1 and box.get_attribute("aria-expanded") != "true", f"{option} valgt"
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_a_postcode_and_a_target_group_find_offers(
    offline_pages, server: AppServer, request, size: str
) -> None:
    opener = page_opener(offline_pages, server, request, SIZES[size])
    opage = next(opener)("find_tilbud")
    page = opage.page
    page.get_by_role("heading", name="Find et tilbud").wait_for(timeout=30_000)
    box = page.get_by_role("textbox", name="Borgerens postnummer")
    box.fill("8000")
    box.press("Enter")
    wait_idle(page)
    page.get_by_role("heading", name="Tæt på").wait_for(timeout=30_000)
    _pick(page, "Målgruppe", "Ældre")
    wait_idle(page)
    poll(page, lambda: "i luftlinje" in _main(page).inner_text(), "tilbud med afstand i luftlinje")
    links = _main(page).locator("a[href*='tilbud?id=']")
    assert links.count() > 0
    assert page.get_by_role("checkbox", name="Med på arket").count() == links.count()
    wait_settled(page)
    found = a11y.blocking(a11y.violations(page, a11y.PAGE_AND_STATUS))
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)
    if size == "telefon":  # no sideways scrolling on a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    page.get_by_role("heading", name="Tæt på").scroll_into_view_if_needed()  # the page scrolls inside stMain
    wait_settled(page)
    opage.screenshot(f"find-tilbud-{size}")
    page.get_by_text("Med på arket", exact=True).first.click()  # the box itself is hidden under its label
    wait_idle(page)
    poll(
        page, lambda: page.get_by_role("checkbox", name="Med på arket").first.is_checked(), "tilbuddet valgt"
    )
    button = page.get_by_role("button", name="Hent arket (PDF)")
    button.wait_for(timeout=30_000)
    button.scroll_into_view_if_needed()
    wait_settled(page)
    opage.screenshot(f"find-tilbud-ark-{size}")
    assert_clean(opage, server.base)
    next(opener, None)
