"""Huller's need-and-supply view in a real Chromium at desktop and phone size: the bivariate tile map with one
hexagon per municipality, the 3 × 3 legend a council member can read, the ranked table; axe WCAG 2.1 AA clean
and no sideways scrolling on a phone. Screenshots in test-output/ (look at them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from civilkort.filters import Selection
from tests.app.test_huller_need import need_dir  # noqa: F401  (indicators and a population)
from tests.browser import a11y
from tests.browser.appserver import AppServer, assert_clean, copy_data, page_opener, poll, serving, wait_idle

pytestmark = pytest.mark.browser

AREA = "region:nordjylland"
SIZES = {"desktop": {"width": 1280, "height": 900}, "telefon": {"width": 390, "height": 844}}
HEXAGONS = """() => {
  const gd = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
  if (!gd || !gd._fullData) { return null; }
  return gd._fullData.filter((t) => t.meta && t.meta.kind === 'hexagons').flatMap((t) => t.meta.codes);
}"""


@pytest.fixture(scope="module")
def server(need_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:  # noqa: F811
    data = copy_data(need_dir, tmp_path_factory, "need-supply")
    with serving(data, tmp_path_factory.mktemp("streamlit-need-supply")) as running:
        yield running


@pytest.mark.parametrize("size", list(SIZES))
def test_the_bivariate_map_legend_and_ranked_table(
    offline_pages: Any, server: AppServer, request: pytest.FixtureRequest, size: str
) -> None:
    opener = page_opener(offline_pages, server, request, SIZES[size])
    opage = next(opener)(f"huller?omraade={AREA}&huller=behov&behov=aeldre")
    page = opage.page
    main = page.locator("[data-testid=stMain]")
    main.get_by_role("heading", name="Højt behov, få tilbud: kommuner og målgrupper").wait_for(timeout=30_000)
    wait_idle(page)
    assert main.get_by_role("radio", name="Behov og tilbud").is_checked()

    municipalities = Selection(area=AREA).municipality_codes()
    # Boundaries are loaded (synthetic ones): the choropleth on them first, one shape per municipality,
    # each named in its tooltip with its class in words.
    frame = page.frame_locator("iframe[title]").first
    shapes = frame.locator("path.leaflet-interactive")
    poll(page, lambda: shapes.count() == len(municipalities), "kommunerne er tegnet på kortet")
    page.locator("iframe[title]").first.scroll_into_view_if_needed()
    opage.screenshot(f"huller-behov-{size}-graenser")
    found = a11y.blocking(a11y.violations(page))
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)

    main.get_by_text("Flisekort", exact=True).click()
    wait_idle(page)
    codes = poll(page, lambda: page.evaluate(HEXAGONS), "sekskanterne er tegnet")
    assert sorted(codes) == sorted(municipalities)
    legend = page.locator(".ck-bv-legend")
    legend.scroll_into_view_if_needed()
    assert legend.is_visible()
    text = legend.inner_text()
    for words in ("Behov ↑", "Tilbud pr. 1.000 i målgruppen →", "Højt behov, få tilbud", "B3·T1", "kommune"):
        assert words in text, words
    assert legend.locator("td.ck-bv-cell").count() == 9
    opage.screenshot(f"huller-behov-{size}-kort")

    table = main.locator("[data-testid=stDataFrame]").last
    table.scroll_into_view_if_needed()
    assert table.is_visible()
    opage.screenshot(f"huller-behov-{size}-tabel")
    assert main.get_by_role("button", name="Hent som Excel (xlsx)").count() == 1

    found = a11y.blocking(a11y.violations(page))
    assert found == [], json.dumps(found, indent=1, ensure_ascii=False)
    if size == "telefon":
        width = SIZES[size]["width"]
        poll(
            page,
            lambda: page.evaluate("document.documentElement.scrollWidth") <= width,
            f"ingen vandret rulning ved {width} px",
        )
    assert_clean(opage, server.base)
    next(opener, None)
