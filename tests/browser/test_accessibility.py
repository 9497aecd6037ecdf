"""Every page against WCAG 2.1 A/AA in a real headless Chromium, at desktop and phone size, fully offline.

axe-core (``tests/browser/a11y.py``, served from disk) runs on each page as an anonymous visitor sees it,
main document and frames (the map): no serious or critical violation may appear. The page must also say
``lang="da"``, carry its own title, and leave none of Streamlit's English control names for a screen reader
(``ui/assets/document_da.js``). A violation that only Streamlit can fix would be listed in ``KNOWN`` with its
upstream issue (and in the README's accessibility section); today there is none.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import a11y
from tests.browser.appserver import (
    AppServer,
    assert_clean,
    copy_data,
    page_opener,
    poll,
    serving,
    wait_idle,
    wait_settled,
)
from tests.browser.conftest import OfflinePage

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}
PAGES = {  # path → the title the browser tab shows (the example data, all of Denmark)
    "": "Kort · Hele Danmark",
    "soeg?soeg=aeldre": "Søg · Hele Danmark",
    "find_tilbud": "Find et tilbud",
    "organisation?id=ORG-000001": "Kræftens Bekæmpelse · Organisation",
    "tilbud?id=TILBUD-000001": "Støtte til kræftpatienter på Herlev og Gentofte Hospital · Tilbud",
    "organisation?id=findes-ikke": "Organisation",
    "opdater": "Opdater jeres oplysninger",  # without its link: how to get one (the form: test_update_form.py)
    "lister": "Lister og eksport · Hele Danmark",
    "netvaerk": "Partnerskaber · Hele Danmark",
    "huller": "Huller · Hele Danmark",
    "sammenlign": "Sammenlign sundhedsråd · Hele Danmark",
    "samarbejder": "Samarbejdsradar · Hele Danmark",
    "rapport": "Rapport til mødet · Hele Danmark",
    "praesentation": "Præsentation · Hele Danmark",
    "workshop": "Workshop",
    "gennemgang": "Gennemgang",
    "foer_efter": "Før og efter",
    "om_data": "Om data",
    "indlaes": "Indlæs data",
    "dubletter": "Mulige dubletter",
    "roller": "Roller",
}
KNOWN: dict[str, str] = {}
"""axe rule id → the upstream issue, for violations that come from Streamlit itself and cannot be fixed here."""

ENGLISH = (
    "App pages", "Sidebar", "Collapse sidebar", "Expand sidebar", "Help for ", "Remove ", "Clear all",
    "Link to heading", "Choose an option", "Press Enter", "Download as CSV", "Show/hide columns", "Fullscreen",
    "Selected values", "Drag and drop", "Browse files",
)  # fmt: skip
"""Streamlit's own English names and instructions (the start of each) that must not reach a screen reader."""

NAMES = """() => {
  const out = [];
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
    for (const a of ['aria-label', 'title', 'placeholder']) { if (el.hasAttribute(a)) { out.push(el.getAttribute(a)); } }
  }
  for (const el of document.querySelectorAll('[data-testid=InputInstructions], [data-testid=stFileUploader]')) {
    out.push(el.innerText);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def server(small_db_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    data = copy_data(small_db_dir, tmp_path_factory, "a11y")
    with serving(data, tmp_path_factory.mktemp("streamlit-a11y")) as running:
        yield running


@pytest.fixture
def open_at(
    offline_pages: Callable[..., OfflinePage], server: AppServer, request: pytest.FixtureRequest
) -> Iterator[Callable[[dict[str, int], str], OfflinePage]]:
    openers: dict[str, Any] = {}

    def open_(viewport: dict[str, int], path: str) -> OfflinePage:
        key = json.dumps(viewport)
        if key not in openers:
            openers[key] = page_opener(offline_pages, server, request, viewport)
        return next(openers[key])(path)

    yield open_
    for opener in openers.values():
        next(opener, None)  # prints the server's log when the test failed


def _settled(page: Any) -> None:
    """The run is over, the document is Danish, and a page with a map has drawn it (axe reads the frame)."""
    wait_idle(page)
    poll(page, lambda: page.evaluate("document.documentElement.lang") == "da", 'lang="da" på siden')
    if page.locator("iframe[title]").count():
        frame = page.frame_locator("iframe[title]").first
        frame.locator(".leaflet-container, body").first.wait_for(timeout=30_000)


@pytest.mark.parametrize("size", ["desktop", "telefon"])
@pytest.mark.parametrize("path", list(PAGES))
def test_page_passes_axe_and_speaks_danish(open_at, server: AppServer, path: str, size: str) -> None:
    opage = open_at(DESKTOP if size == "desktop" else PHONE, path)
    page = opage.page
    _settled(page)
    title = f"{PAGES[path]} · Civilsamfundskortet"
    poll(page, lambda: page.title() == title, f"titlen {title!r} (nu {page.title()!r})")

    found = [v for v in a11y.blocking(a11y.violations(page)) if v["id"] not in KNOWN]
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)

    def english_left() -> list[str] | None:
        left = [n for n in page.evaluate(NAMES) if any(n.startswith(e) or f"\n{e}" in n for e in ENGLISH)]
        return left or None

    # the names are translated in the frame after Streamlit draws them: wait for a frame with none left
    poll(page, lambda: english_left() is None, "ingen engelske navne fra Streamlit")
    opage.screenshot(f"a11y-{size}-{path or 'kort'}")
    if size == "telefon":  # and at 320 px (WCAG 1.4.10 reflow; also what 400 % zoom gives): no sideways page
        page.set_viewport_size(NARROW)
        poll(
            page,
            lambda: page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"],
            "ingen vandret rulning ved 320 px",
        )
        opage.screenshot(f"a11y-320px-{path or 'kort'}")
    assert_clean(opage, server.base)


def test_phone_opens_with_the_sidebar_closed_and_the_page_in_view(open_at) -> None:
    page = open_at(PHONE, "workshop").page
    _settled(page)
    assert (
        open_at(DESKTOP, "workshop").page.locator("[data-testid=stSidebar]").get_attribute("data-collapsed")
        == "false"
    )
    sidebar = page.locator("[data-testid=stSidebar]")
    assert sidebar.get_attribute("data-collapsed") == "true"
    main = page.locator("[data-testid=stMain] h1").first.bounding_box()
    assert main is not None and main["x"] >= 0 and main["x"] + main["width"] <= PHONE["width"] + 1
    page.get_by_role("button", name="Vis sidepanelet").click()
    poll(page, lambda: sidebar.get_attribute("data-collapsed") == "false", "sidepanelet åbner")


def test_a_keyboard_user_skips_the_map_and_reads_it_as_tables(open_at) -> None:
    page = open_at(DESKTOP, "?omraade=council:aarhus").page
    _settled(page)
    # the map's first render answers the server (a run of its own): a run that re-renders the page in the middle
    # of the key presses would move the focus, so the keys start when nothing moves any more
    wait_settled(page)
    skip = page.get_by_role("link", name="Spring kortet over: se det som tabel")
    skip.focus()
    page.keyboard.press("Enter")
    # the next Tab stop is after the map: the table heading's own link, then the switch that shows the tables
    focused = "() => document.activeElement && (document.activeElement.getAttribute('aria-label') || '')"
    page.keyboard.press("Tab")
    poll(page, lambda: page.evaluate(focused) == "Link til overskriften", "fokus efter kortet")
    wait_settled(page)
    page.keyboard.press("Tab")
    switch = page.get_by_role("switch", name="Vis kommunernes tal og kortets punkter som tabeller")
    poll(page, lambda: switch.evaluate("e => e === document.activeElement"), "fokus på kontakten")
    page.keyboard.press("Space")
    table = page.locator("[data-testid=stTable] table")
    table.wait_for(timeout=30_000)
    wait_idle(page)
    headers = table.locator("thead th").all_inner_texts()
    assert headers[:4] == ["Kommune", "Organisationer", "Tilbud", "Samarbejder"], headers
    rows = {r.locator("th, td").first.inner_text(): r for r in table.locator("tbody tr").all()}
    assert set(rows) == {"Aarhus", "Samsø"}, list(rows)
    figures = (
        page.locator("[data-testid=stMetric]")
        .filter(has_text="Organisationer")
        .locator("[data-testid=stMetricValue]")
    )
    organisations = int(figures.inner_text().replace(".", ""))
    in_table = sum(int(r.locator("td").first.inner_text().replace(".", "")) for r in rows.values())
    assert in_table == organisations
    page.locator("[data-testid=stDataFrame]").wait_for(timeout=30_000)
