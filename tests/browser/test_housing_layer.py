"""The vulnerable housing areas on *Kort* in a real headless Chromium, at desktop and phone size, offline: the
houses on the map (the red '!' ones where no offer is near), a click that opens an area's nearest offers with
their straight-line distance, the list of areas without offers near, axe WCAG 2.1 AA, screenshots."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import a11y
from tests.browser.appserver import (
    AppServer,
    assert_clean,
    page_opener,
    poll,
    serving,
    wait_idle,
    wait_settled,
)
from tests.browser.test_app import _map_frame
from tests.conftest import PROJECT_ROOT, clean_input

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1400, "height": 1000}, "telefon": {"width": 390, "height": 844}}
AREA = "council:hovedstaden"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory, example_tables, tiny_boundaries) -> Path:
    """The small example data with the example list of housing areas (boundaries: the folium map shows)."""
    from civilkort.settings import Settings
    from etl.build import build
    from etl.demo import example_housing_areas

    path = tmp_path_factory.mktemp("housing-browser") / "data"
    cfg = Settings(data_dir=path, static_dir=PROJECT_ROOT / "static")
    build(
        clean_input(example_tables),
        boundaries=tiny_boundaries,
        housing=example_housing_areas(),
        meta={"is_example": "true", "inputs": "Eksempeldata (genereret)"},
        cfg=cfg,
    )
    return path


@pytest.fixture(scope="module")
def server(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with serving(data_dir, tmp_path_factory.mktemp("streamlit-housing")) as running:
        yield running


def _expected(data_dir: Path) -> tuple[int, int]:
    """How many housing areas the area has, and how many of them have no offer near (the default group)."""
    from civilkort import housing
    from civilkort.db import open_current
    from civilkort.settings import Settings

    db = open_current(Settings(data_dir=data_dir, static_dir=PROJECT_ROOT / "static"))
    try:
        codes = db.query("SELECT municipality_code FROM municipalities WHERE council_id = 'hovedstaden'")
        frame = housing.areas(db, codes["municipality_code"].tolist(), housing.DEFAULT_GROUP)
        return len(frame), len(housing.without_offers(frame))
    finally:
        db.close()


def _main(page: Any) -> Any:
    return page.locator("[data-testid=stMain]")


@pytest.mark.parametrize("size", list(SIZES))
def test_the_houses_open_an_areas_nearest_offers(
    offline_pages, server: AppServer, data_dir: Path, request, size: str
) -> None:
    n_areas, n_without = _expected(data_dir)
    assert n_areas >= 3
    opener = page_opener(offline_pages, server, request, SIZES[size])
    opage = next(opener)(f"?omraade={AREA}&lag=areas,points,housing")
    page = opage.page
    frame = _map_frame(page, timeout=60)
    poll(
        page, lambda: frame.locator(".ck-housing").count() == n_areas, f"{n_areas} huse på kortet", timeout=60
    )
    assert frame.locator(".ck-housing-none").count() == n_without
    names = frame.locator(".ck-housing").evaluate_all("(els) => els.map((e) => e.getAttribute('aria-label'))")
    assert all("i luftlinje" in name and "(eksempel)" in name for name in names), names
    heading = _main(page).get_by_role("heading", name="Boligområder uden tilbud inden for 2 km")
    heading.wait_for(timeout=30_000)
    legend = frame.locator(".ck-legend")
    assert "Udsatte boligområder" in legend.inner_text() or legend.locator("summary").count() == 1
    wait_settled(page)
    found = a11y.blocking(a11y.violations(page, a11y.PAGE_AND_STATUS))
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)
    if size == "telefon":  # no sideways scrolling on a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    frame.locator(".ck-housing").first.scroll_into_view_if_needed()
    wait_settled(page)
    opage.screenshot(f"boligomraader-kort-{size}")

    frame.locator(".ck-housing").first.dispatch_event("click")
    wait_idle(page)
    poll(page, lambda: "Aktive tilbud i luftlinje" in _main(page).inner_text(), "områdets nærmeste tilbud")
    nearest = _main(page).get_by_role("button").filter(has_text="i luftlinje")
    assert 1 <= nearest.count() <= 5
    assert "housing%3A" in page.url or "housing:" in page.url  # the open area is in the link
    page.get_by_text("Aktive tilbud i luftlinje").scroll_into_view_if_needed()
    wait_settled(page)
    found = a11y.blocking(a11y.violations(page, a11y.PAGE_AND_STATUS))
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)
    opage.screenshot(f"boligomraade-naermeste-{size}")

    # a nearest offer opens the offer's own details
    first = nearest.first.inner_text()
    nearest.first.click()
    wait_idle(page)
    poll(page, lambda: "offer%3A" in page.url or "offer:" in page.url, f"tilbuddet åbnet fra '{first}'")
    assert_clean(opage, server.base)
    next(opener, None)
