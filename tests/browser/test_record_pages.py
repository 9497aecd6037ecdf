"""The Organisation page in a real headless Chromium: opened from a map click and from Søg, offline.

Runs on test_app's server and data (the example data plus hostile records in Aarhus): a hostile
organisation is clicked on the map, its page opened from the details panel, checked (its name as text, its
own map, ``lang="da"``, axe WCAG 2.1 AA), and "Se på kortet" brings the map back with it chosen; then Søg
finds it by its address spelled without å and opens the same page.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser import a11y, test_app
from tests.browser.appserver import assert_clean, poll, wait_idle
from tests.browser.test_app import (
    AREA,
    HOSTILE_NAMES,
    HOSTILE_POSITIONS,
    _hover_until_tooltip,
    _map_point,
    _side_panel,
    _wait_for_map,
)

# test_app's fixtures: its data (the example data plus the hostile records) and a server of this module's own
app_data_dir, app_server = test_app.app_data_dir, test_app.app_server
app_url, open_page = test_app.app_url, test_app.open_page

pytestmark = pytest.mark.browser

NAME = HOSTILE_NAMES[0]  # <img src=x onerror=alert(1)>
ORG_ID = "ORG-XSS-0"


def _record_page_checked(page: Any, name: str) -> None:
    """The organisation's page: its name as the heading (text, no element), its map, Danish, no axe violation."""
    page.get_by_role("heading", name=name, exact=True).wait_for(timeout=30_000)
    wait_idle(page)
    assert re.search(rf"/organisation\?(.*&)?id={ORG_ID}", page.url), page.url
    poll(page, lambda: page.evaluate("document.documentElement.lang") == "da", 'lang="da" på siden')
    assert page.locator("[data-testid=stMain] img[src=x]").count() == 0
    frame = page.frame_locator("iframe[title]").first
    frame.locator(".leaflet-container").first.wait_for(timeout=30_000)
    assert page.locator("iframe[title]").first.get_attribute("title") == f"Kort over placeringen af {name}"
    poll(page, lambda: page.title() == f"{name} · Organisation · Civilsamfundskortet", "sidens titel")
    found = a11y.blocking(a11y.violations(page))
    assert found == [], found


def test_organisation_page_opens_from_a_map_click_and_leads_back_to_the_map(app_url: str, open_page) -> None:
    opage = open_page(f"{app_url}/?omraade={AREA}")
    page = opage.page
    page.get_by_role("heading", name="Kort: Sundhedsråd Aarhus").wait_for(timeout=30_000)
    _wait_for_map(page, min_polygons=2)
    wait_idle(page)
    x, y = _map_point(page, *HOSTILE_POSITIONS[0], 16)
    _hover_until_tooltip(page, x, y, NAME)
    page.mouse.click(x, y)
    _side_panel(page).get_by_role("heading", name=NAME, exact=True).wait_for(timeout=15_000)
    wait_idle(page)
    _side_panel(page).get_by_role("link", name="Åbn siden for organisationen").click()

    _record_page_checked(page, NAME)
    text = page.locator("[data-testid=stMain]").inner_text()
    assert "Testvej 1, 8000 Aarhus C" in text and "Sidst verificeret" in text and "Kilde" in text
    opage.screenshot("organisation-fra-kortet")

    page.get_by_role("button", name="Se på kortet").click()
    page.get_by_role("heading", name="Kort: Sundhedsråd Aarhus").wait_for(timeout=30_000)
    _side_panel(page).get_by_role("heading", name=NAME, exact=True).wait_for(timeout=30_000)
    poll(page, lambda: "valgt=org" in page.url and ORG_ID in page.url, "valgt i adressen")
    assert_clean(opage, app_url)


def test_organisation_page_opens_from_search(app_url: str, open_page) -> None:
    opage = open_page(f"{app_url}/soeg")
    page = opage.page
    page.get_by_role("heading", name="Søg").wait_for(timeout=30_000)
    wait_idle(page)
    box = page.get_by_role("textbox", name="Søg efter navn, CVR-nummer, sted eller ord")
    box.fill("testvej aarhus onerror")  # the hostile ones' address, Århus spelled with aa, a word of the name
    box.press("Enter")
    link = page.get_by_role("link", name=NAME, exact=True).first
    link.wait_for(timeout=30_000)
    wait_idle(page)
    poll(page, lambda: "soeg=testvej" in page.url, "søgeordene i adressen")
    found = a11y.blocking(a11y.violations(page, a11y.PAGE_AND_STATUS))
    assert found == [], found
    opage.screenshot("soeg")
    link.click()
    _record_page_checked(page, NAME)
    assert_clean(opage, app_url)
