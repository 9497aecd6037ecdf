"""Presenting a sequence in a real headless Chromium, with every request off this machine blocked.

A saved sequence (map → tile map → themes → key figures) is opened from its link; the arrow keys and
Page Down (what presentation clickers send) move between steps, the browser's back button goes back a step.
Screenshots at 1920×1080 and 1280×720 go to ``test-output/praesentation-*.png``; the key figure must be at
least 48 px and the map or chart must fill most of the screen. The tile map (all of Denmark, Østdanmark,
one council; in presentation mode and on the Kort page) must fill its plot with hexagons large enough to
read, each label inside its own hexagon and none touching another (``test-output/fliser-*.png``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from civilkort import sequences
from civilkort.auth import Principal
from civilkort.filters import Selection
from civilkort.sequences import Step
from civilkort.store import Store
from civilkort.tiles import HEX_SCALE
from tests.browser.appserver import (
    AppServer,
    poll,
    print_log_if_failed,
    require_browser,
    serving,
    wait_idle,
    wait_settled,
)
from tests.browser.conftest import OfflinePage
from tests.conftest import PROJECT_ROOT, TODAY, clean_input, real_boundaries_path

pytestmark = pytest.mark.browser

STEPS = [
    Step("Overblik over Aarhus", "kort", Selection(area="council:aarhus")),
    Step("Alle kommuner, lige store", "flisekort", Selection()),
    Step("Temaer i Aarhus", "temaer", Selection(area="council:aarhus")),
    Step("Nøgletal", "noegletal", Selection(area="council:aarhus")),
]
FULL_HD = {"width": 1920, "height": 1080}
HD = {"width": 1280, "height": 720}
MIN_KEY_FIGURE_PX = 48
TILE_STEPS = [
    Step("Østdanmark", "flisekort", Selection(area="region:oestdanmark")),
    Step("Aarhus", "flisekort", Selection(area="council:aarhus")),
]


@pytest.fixture(scope="module")
def presentation_server(
    tmp_path_factory: pytest.TempPathFactory, example_tables, tiny_boundaries
) -> Iterator[tuple[AppServer, dict[str, str]]]:
    """The app on the example data (real boundaries when present) with two saved sequences; their ids."""
    require_browser()
    from civilkort.settings import Settings
    from etl import boundaries as boundary_io
    from etl.build import build

    path = tmp_path_factory.mktemp("praesentation-db")
    real = real_boundaries_path()
    cfg = Settings(data_dir=path, static_dir=PROJECT_ROOT / "static")
    build(
        clean_input(example_tables),
        boundaries=boundary_io.load(real) if real is not None else tiny_boundaries,
        meta={"is_example": "true", "example_today": TODAY.isoformat(), "inputs": "Eksempeldata (genereret)"},
        cfg=cfg,
    )
    coordinator = Principal(name="Facilitator", is_admin=True)
    created = sequences.create(Store(cfg.store_path), coordinator, "Workshop Aarhus", STEPS)
    tiles = sequences.create(Store(cfg.store_path), coordinator, "Fliser", TILE_STEPS)
    with serving(path, tmp_path_factory.mktemp("streamlit-praesentation")) as server:
        yield server, {"workshop": created.sequence_id, "fliser": tiles.sequence_id}


@pytest.fixture
def present(
    offline_pages: Callable[..., OfflinePage],
    presentation_server: tuple[AppServer, dict[str, str]],
    request: pytest.FixtureRequest,
) -> Iterator[Callable[..., OfflinePage]]:
    """Open a saved sequence ("workshop" or "fliser") at a step in a new offline page of the given size."""
    server, idents = presentation_server

    def open_(viewport: dict[str, int], step: int = 1, sequence: str = "workshop") -> OfflinePage:
        opage = offline_pages(viewport=viewport)
        opage.page.goto(f"{server.base}/praesentation?sekvens={idents[sequence]}&trin={step}")
        wait_idle(opage.page)
        return opage

    yield open_
    print_log_if_failed(request, server)


def _title(page: Any) -> str:
    return page.locator("h1").first.inner_text().strip()


def _wait_title(page: Any, title: str) -> None:
    poll(page, lambda: _title(page) == title, f"trinnet »{title}«")
    wait_idle(page)


def _box(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def _key_figure_px(page: Any) -> float:
    return page.evaluate(
        "() => parseFloat(getComputedStyle(document.querySelector('.st-key-ck-key [data-testid=stMetricValue]')).fontSize)"
    )


def _stage_fills_screen(page: Any, viewport: dict[str, int], selector: str) -> None:
    """The map or chart fills most of the screen below the title (after it has been resized to the stage)."""

    def filled() -> bool:
        box = page.locator(selector).first.bounding_box()
        return (
            bool(box)
            and box["height"] >= 0.7 * viewport["height"]
            and box["width"] >= 0.6 * viewport["width"]
        )

    poll(page, filled, f"{selector} fylder skærmen")
    box = _box(page, selector)
    assert (
        box["y"] + box["height"] <= viewport["height"] + 2
    )  # and stays on it: no scrolling in front of a room


def _readable(opage: OfflinePage, viewport: dict[str, int]) -> None:
    page = opage.page
    assert not page.locator("[data-testid=stSidebar]").is_visible()
    assert _key_figure_px(page) >= MIN_KEY_FIGURE_PX
    title_px = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    assert title_px >= 34


STAGE = ".st-key-ck-stage"
KORT_TILES = ".st-key-ck-tiles"
TILE_GEOMETRY = """(scope) => {
  const gd = document.querySelector(scope + ' .js-plotly-plot');
  if (!gd || !gd._fullLayout || !gd._fullLayout.meta) return null;
  const L = gd._fullLayout, xa = L.xaxis, ya = L.yaxis;
  const box = gd.getBoundingClientRect(), outer = gd.closest(scope).getBoundingClientRect();
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const p of gd.querySelectorAll('.scatterlayer path.js-fill')) {
    const b = p.getBoundingClientRect();
    if (!b.width) continue;
    x0 = Math.min(x0, b.left); x1 = Math.max(x1, b.right); y0 = Math.min(y0, b.top); y1 = Math.max(y1, b.bottom);
  }
  const labels = [...gd.querySelectorAll('.scatterlayer .textpoint text')]
    .filter(t => t.getBoundingClientRect().width > 0)
    .map(t => {
      const b = t.getBoundingClientRect();
      const p = new DOMPoint(+t.getAttribute('x'), +t.getAttribute('y')).matrixTransform(t.parentNode.getScreenCTM());
      return {text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize), fill: getComputedStyle(t).fill,
              left: b.left, right: b.right, top: b.top, bottom: b.bottom, x: p.x, y: p.y};
    });
  return {cell: xa._m * (xa.range[1] - xa.range[0]) / L.meta.cols_span, chart: [box.width, box.height],
          scope: [outer.width, outer.height], plot: [xa._length, ya._length], grid: [x1 - x0, y1 - y0], labels};
}"""
"""The tile map's geometry in px: ``cell`` (distance between hexagon centres), the chart, its container,
Plotly's plot area, the hexagon grid's extent, and each visible label's box, font size and point."""


def _tiles_settled(page: Any, scope: str) -> dict[str, Any]:
    """The tile map's geometry once Plotly has drawn it at the size the page gives it (the same twice)."""
    last: list[Any] = [None]

    def settled() -> dict[str, Any] | None:
        now = page.evaluate(TILE_GEOMETRY, scope)
        ok = (
            now is not None
            and now["labels"]
            and abs(now["chart"][1] - now["scope"][1]) < 2
            and abs(now["chart"][0] - now["scope"][0]) < 2
            and last[0] is not None
            and abs(now["cell"] - last[0]["cell"]) < 0.01
        )
        last[0] = now
        return now if ok else None

    return poll(page, settled, f"flisekortet i {scope} tegnet i sin endelige størrelse")


def _tiles_readable(
    tiles: dict[str, Any], *, n: int, min_across: float, two_lines: bool, min_font: float
) -> None:
    """Hexagons at least ``min_across`` px across filling the plot; every label inside its own hexagon."""
    cell = tiles["cell"]
    assert cell * HEX_SCALE >= min_across, f"sekskanter {cell * HEX_SCALE:.0f} px brede"
    grid_w, grid_h = tiles["grid"]
    plot_w, plot_h = tiles["plot"]
    chart_w, chart_h = tiles["chart"]
    assert max(grid_w / plot_w, grid_h / plot_h) >= 0.9, tiles  # the axes hug the grid
    assert max(grid_w / chart_w, grid_h / chart_h) >= 0.7, tiles  # and the plot fills the chart
    labels = tiles["labels"]
    assert len(labels) == n, [t["text"] for t in labels]
    for t in labels:
        width, height = t["right"] - t["left"], t["bottom"] - t["top"]
        assert t["px"] >= min_font, t
        assert width <= 0.9 * cell and height <= 0.9 * cell, (t, cell)  # fits in the hexagon
        assert abs((t["left"] + t["right"]) / 2 - t["x"]) <= 0.1 * cell, t  # centred on it
        assert abs((t["top"] + t["bottom"]) / 2 - t["y"]) <= 0.1 * cell, t
        assert any(c.isdigit() or c == "–" for c in t["text"]) == two_lines, t  # value shown or not
        assert "0.2)" not in t["fill"], t  # not dimmed
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            apart = (
                a["right"] <= b["left"]
                or b["right"] <= a["left"]
                or a["bottom"] <= b["top"]
                or b["bottom"] <= a["top"]
            )
            assert apart, (a["text"], b["text"])


def _offline(opage: OfflinePage) -> None:
    assert opage.blocked == [], f"forsøgte at hente udefra: {opage.blocked}"
    assert opage.dialogs == []


def test_step_through_a_sequence_with_the_keyboard_offline(present):
    opage = present(FULL_HD, 1)
    page = opage.page
    _wait_title(page, "Overblik over Aarhus")
    assert page.get_by_text("1 / 4", exact=True).is_visible()
    _stage_fills_screen(page, FULL_HD, ".st-key-ck-stage iframe")
    _readable(opage, FULL_HD)
    wait_settled(page)  # Leaflet has drawn before the picture
    opage.screenshot("praesentation-1920x1080-1-kort")

    page.keyboard.press("ArrowRight")
    _wait_title(page, "Alle kommuner, lige store")
    assert re.search(r"trin=2\b", page.url)
    assert page.get_by_text("2 / 4", exact=True).is_visible()
    _stage_fills_screen(page, FULL_HD, ".st-key-ck-stage .js-plotly-plot")
    # All 98 municipalities: hexagons at least 40 px across, filling the stage, label over value in each.
    tiles = _tiles_settled(page, STAGE)
    _tiles_readable(tiles, n=98, min_across=40, two_lines=True, min_font=16)
    # København: abbreviation over its value (the labels' text runs the two lines together).
    assert any(t["text"].startswith("KBH") and t["text"][3:].isdigit() for t in tiles["labels"])
    _readable(opage, FULL_HD)
    opage.screenshot("praesentation-1920x1080-2-flisekort")

    page.keyboard.press("PageDown")  # a presentation clicker
    _wait_title(page, "Temaer i Aarhus")
    _stage_fills_screen(page, FULL_HD, ".st-key-ck-stage .js-plotly-plot")
    opage.screenshot("praesentation-1920x1080-3-temaer")

    page.go_back()  # the browser's back button: the step before
    _wait_title(page, "Alle kommuner, lige store")
    assert re.search(r"trin=2\b", page.url)
    page.keyboard.press("ArrowLeft")
    _wait_title(page, "Overblik over Aarhus")
    _offline(opage)


MAP_ZOOM = """() => {
  for (const key of Object.keys(window)) {
    try { if (window[key] instanceof L.Map) { return window[key].getZoom(); } } catch (e) { /* a getter */ }
  }
  return null;
}"""


def test_the_clicker_changes_the_step_after_a_click_in_the_map_and_the_map_refits(present):
    opage = present(HD, 1)
    page = opage.page
    _wait_title(page, "Overblik over Aarhus")
    frame_el = page.locator(".st-key-ck-stage iframe").first
    frame_el.content_frame.locator(".leaflet-container").wait_for(timeout=30_000)
    frame = frame_el.element_handle().content_frame()
    small = poll(page, lambda: frame.evaluate(MAP_ZOOM), "kortets zoom")
    # the window grows (F11, moved to the projector): the map refits its area, a level or more closer
    page.set_viewport_size(FULL_HD)
    poll(page, lambda: (frame.evaluate(MAP_ZOOM) or 0) > small, f"kortet tilpasser sig (zoom {small})")

    # someone clicks in the map (empty water, top left of the area), then the clicker's Page Down
    box = frame_el.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + 40)
    poll(page, lambda: page.evaluate("document.activeElement && document.activeElement.tagName") != "IFRAME"
         or frame.evaluate("!document.hasFocus()"), "kortet giver tastaturet tilbage")  # fmt: skip
    page.keyboard.press("PageDown")
    _wait_title(page, "Alle kommuner, lige store")
    # and the arrows, straight after a click in the map on the way back
    page.keyboard.press("ArrowLeft")
    _wait_title(page, "Overblik over Aarhus")
    page.locator(".st-key-ck-stage iframe").first.content_frame.locator(".leaflet-container").wait_for()
    box = page.locator(".st-key-ck-stage iframe").first.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + 40)
    page.keyboard.press("ArrowRight")
    _wait_title(page, "Alle kommuner, lige store")
    _offline(opage)


def test_readable_on_a_small_projector(present):
    for step, title, stage in (
        (1, "Overblik over Aarhus", ".st-key-ck-stage iframe"),
        (2, "Alle kommuner, lige store", ".st-key-ck-stage .js-plotly-plot"),
    ):
        opage = present(HD, step)
        page = opage.page
        _wait_title(page, title)
        _stage_fills_screen(page, HD, stage)
        _readable(opage, HD)
        buttons = [_box(page, f".st-key-ck-{b} button") for b in ("prev", "next", "exit")]
        assert len({round(b["y"]) for b in buttons}) == 1  # the three buttons on one line
        wait_settled(page)
        opage.screenshot(f"praesentation-1280x720-{step}")
        _offline(opage)

    opage = present(HD, 4)
    _wait_title(opage.page, "Nøgletal")
    sizes = opage.page.evaluate(
        "() => [...document.querySelectorAll('.st-key-ck-grid [data-testid=stMetricValue]')].map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert len(sizes) == 6 and min(sizes) >= MIN_KEY_FIGURE_PX
    opage.screenshot("praesentation-1280x720-4-noegletal")
    _offline(opage)


def test_tile_map_is_readable_in_presentation_mode(present):
    """Dense and sparse areas at both projector sizes (all of Denmark at 1920×1080 is checked above)."""
    cases = [
        # viewport, sequence, step, labels, hexagon px across, label over value?, label px
        (HD, "workshop", 2, "danmark", 98, 34, False, 13),  # abbreviations only, values in the hover
        (FULL_HD, "fliser", 1, "oestdanmark", 46, 70, True, 20),
        (HD, "fliser", 1, "oestdanmark", 46, 45, True, 14),
        (FULL_HD, "fliser", 2, "aarhus", 2, 150, True, 40),  # full names
    ]
    for viewport, sequence, step, name, n, across, two_lines, font in cases:
        opage = present(viewport, step, sequence)
        wait_idle(opage.page)
        tiles = _tiles_settled(opage.page, STAGE)
        opage.screenshot(f"fliser-praesentation-{viewport['width']}x{viewport['height']}-{name}")
        _tiles_readable(tiles, n=n, min_across=across, two_lines=two_lines, min_font=font)
        _offline(opage)


def test_tile_map_on_the_kort_page(offline_pages, presentation_server):
    """The Flisekort toggle: the grid fills the map column, labels fit; a click opens the municipality."""
    server, _ = presentation_server
    for viewport, area, name, n, across, two_lines, font in (
        (FULL_HD, "dk", "danmark", 98, 34, False, 13),
        (HD, "region%3Aoestdanmark", "oestdanmark", 46, 45, True, 14),
        (FULL_HD, "council%3Aaarhus", "aarhus", 2, 150, True, 40),
    ):
        opage = offline_pages(viewport=viewport)
        page = opage.page
        page.goto(f"{server.base}/?omraade={area}")
        wait_idle(page)
        page.get_by_text("Flisekort", exact=True).click()
        wait_idle(page)
        page.locator(KORT_TILES).scroll_into_view_if_needed()  # below the key figures: into the picture
        tiles = _tiles_settled(page, KORT_TILES)
        opage.screenshot(f"fliser-kort-{viewport['width']}x{viewport['height']}-{name}")
        _tiles_readable(tiles, n=n, min_across=across, two_lines=two_lines, min_font=font)
        _offline(opage)
    # Click Aarhus' hexagon (on the last page): the municipality is chosen and no label fades.
    label = next(t for t in tiles["labels"] if t["text"].startswith("Aarhus"))
    page.mouse.click(label["x"], label["y"])
    poll(page, lambda: "kommune=751" in page.url, "kommunen valgt i linket")
    wait_idle(page)
    _tiles_readable(_tiles_settled(page, KORT_TILES), n=2, min_across=150, two_lines=True, min_font=40)
    _offline(opage)
