"""Bornholm in an inset, as Danish maps draw it (issue #12), in a real Chromium.

An area holding Bornholm and more (Sundhedsråd Hovedstaden, Region Østdanmark, all of Denmark) fits the
rest in the main view, so København is no longer a speck, and Bornholm gets a small framed map in the
bottom-right corner with the same shapes and markers. The inset is named, takes no Tab stop, passes axe,
keeps clear of the area, passes a click on to the page as the main map does, and gives way when the main
view shows Bornholm itself. Screenshots (desktop, projector, phone) go to ``test-output/inset-*.png``.

Runs on the same server and example data (real boundaries when present) as tests/browser/test_app.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser import test_app as _app
from tests.browser.appserver import assert_clean, poll, wait_idle
from tests.browser.test_app import FIND_MAP, _map_frame, _wait_for_map
from tests.browser.test_map_a11y import MAX_TAB_STOPS, NAMED, TAB_STOPS, _map_violations

app_data_dir = _app.app_data_dir
app_server = _app.app_server
app_url = _app.app_url

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}
PROJECTOR = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
BORNHOLM_WEST = 14.68
"""Bornholm's westernmost longitude (about): a main view that ends before it does not show Bornholm."""

# The main map's view and area, the inset's state and what it draws, and where it sits in the map (px).
INSET_STATE = (
    "() => {"
    + FIND_MAP
    + """
  const box = document.querySelector('.ck-inset'), inner = document.querySelector('.ck-inset-map');
  const main = ckMap.getContainer().getBoundingClientRect(), b = ckMap.getBounds();
  const area = [...document.querySelectorAll('path.ck-area')].filter((p) => !inner || !inner.contains(p));
  const named = (name) => area.filter((p) => (p.getAttribute('aria-label') || '').startsWith(name + ':'))
    .map((p) => p.getBoundingClientRect().width);
  const state = {west: b.getWest(), east: b.getEast(), main_width: main.width,
                 koebenhavn_px: Math.max(0, ...named('København')), inset: null};
  if (box) {
    const r = box.getBoundingClientRect();
    state.inset = {
      hidden: box.hidden || r.width === 0,
      caption: (box.querySelector('figcaption') || {}).textContent,
      role: inner.getAttribute('role'), name: inner.getAttribute('aria-label'),
      left: r.left - main.left, top: r.top - main.top, width: r.width, height: r.height,
      areas: [...inner.querySelectorAll('path.ck-area')].map((p) => p.getAttribute('aria-label')),
      markers: inner.querySelectorAll('.leaflet-marker-icon').length,
    };
  }
  return state;
}"""
)


def _open(offline_pages: Any, url: str, viewport: dict[str, int]) -> tuple[Any, Any]:
    opage = offline_pages(viewport=viewport)
    opage.page.goto(url)
    _wait_for_map(opage.page, min_polygons=2)
    wait_idle(opage.page)
    frame = _map_frame(opage.page)
    frame.frame_element().scroll_into_view_if_needed()
    return opage, frame


def _inset(page: Any, frame: Any, *, hidden: bool = False) -> dict[str, Any]:
    """The map's state once the inset has drawn Bornholm (or is hidden, with ``hidden``)."""

    def ready() -> dict[str, Any] | None:
        state = frame.evaluate(INSET_STATE)
        inset = state["inset"]
        if inset is None:
            return None
        if hidden:
            return state if inset["hidden"] else None
        drawn = not inset["hidden"] and any(a.startswith("Bornholm:") for a in inset["areas"])
        return state if drawn else None

    return poll(page, ready, "Bornholm i det indsatte kort" + (" skjult" if hidden else ""), timeout=30)


def test_hovedstaden_fits_koebenhavn_and_shows_bornholm_in_an_inset(app_url: str, offline_pages: Any) -> None:
    opage, frame = _open(offline_pages, f"{app_url}/?omraade=council:hovedstaden", DESKTOP)
    page = opage.page
    state = _inset(page, frame)
    inset = state["inset"]
    # the main view fits København and Frederiksberg: Bornholm is not in it, and København is no speck
    assert state["east"] < BORNHOLM_WEST, state
    assert state["east"] - state["west"] < 1.2, state  # with Bornholm in view it spanned more than 2.7°
    assert state["koebenhavn_px"] > 0.3 * state["main_width"], state
    # the inset: framed, captioned and named, in the bottom-right corner, drawing Bornholm and its markers
    assert inset["caption"] == "Bornholm" and inset["role"] == "region", inset
    assert inset["name"] == "Indsat kort over Bornholm", inset
    assert inset["left"] > state["main_width"] / 2 and inset["width"] >= 100, inset
    assert all(a.startswith("Bornholm:") for a in inset["areas"]), inset["areas"]
    assert inset["markers"] > 0, inset
    # the area keeps clear of the inset: its fitted extent ends left of or above the inset's corner
    area = frame.evaluate(
        "() => {"
        + FIND_MAP
        + """
      const g = L.featureGroup(Object.values(ckMap._layers).filter((l) => l instanceof L.Polygon
        && typeof l.ckLabel === 'string' && !l.ckLabel.startsWith('Bornholm:')));
      const b = g.getBounds(), ne = ckMap.latLngToContainerPoint(b.getNorthEast()),
            sw = ckMap.latLngToContainerPoint(b.getSouthWest());
      return {right: ne.x, bottom: sw.y}; }"""
    )
    assert area["right"] <= inset["left"] + 2 or area["bottom"] <= inset["top"] + 2, (area, inset)

    # no Tab stop in the inset, every marker and shape in it named, and axe finds nothing
    stops = frame.evaluate(TAB_STOPS)
    assert len(stops) <= MAX_TAB_STOPS and not [
        s for s in stops if "ck-inset-map" in s or s.startswith("figure")
    ], stops
    in_inset = frame.evaluate(
        NAMED.replace(".leaflet-marker-icon, path", ".ck-inset-map .leaflet-marker-icon, .ck-inset-map path")
    )
    assert in_inset and all(n["name"] and n["role"] == "img" and n["tabindex"] < 0 for n in in_inset), (
        in_inset
    )
    assert _map_violations(page, frame.frame_element()) == []
    opage.screenshot("inset-hovedstaden-1280")
    assert_clean(opage, app_url)


def test_a_click_in_the_inset_opens_bornholm_on_the_page(app_url: str, offline_pages: Any) -> None:
    opage, frame = _open(offline_pages, f"{app_url}/?omraade=council:hovedstaden&lag=areas", DESKTOP)
    page = opage.page
    _inset(page, frame)
    area = frame.locator(".ck-inset-map path.ck-area").first
    box = area.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_role("heading", name="Bornholm Kommune").wait_for(timeout=30_000)
    assert_clean(opage, app_url)


def test_all_of_denmark_has_the_inset_until_the_main_view_shows_bornholm(
    app_url: str, offline_pages: Any
) -> None:
    opage, frame = _open(offline_pages, f"{app_url}/", DESKTOP)
    page = opage.page
    shown = _inset(page, frame)
    assert shown["inset"]["markers"] > 0
    opage.screenshot("inset-danmark-1280")
    # zoomed out so that all of Bornholm is in the main view: the inset gives way; back in: it is back
    frame.evaluate("() => {" + FIND_MAP + "ckMap.setView([56.2, 11.5], 6, {animate: false}); }")
    _inset(page, frame, hidden=True)
    frame.evaluate("() => {" + FIND_MAP + "ckMap.setView([55.7, 12.5], 10, {animate: false}); }")
    _inset(page, frame)
    # a click on a point in the inset opens its details on the page, as a click on the main map does
    point = frame.locator(".ck-inset-map path.ck-point").first
    box = point.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    poll(
        page,
        lambda: re.search(r"[?&]valgt=(org|offer)", page.url),
        "punktets detaljer efter et klik i indsatsen",
    )
    assert_clean(opage, app_url)


def test_a_council_without_bornholm_has_no_inset(app_url: str, offline_pages: Any) -> None:
    opage, frame = _open(offline_pages, f"{app_url}/?omraade=council:aarhus", DESKTOP)
    assert frame.evaluate(INSET_STATE)["inset"] is None
    assert_clean(opage, app_url)


@pytest.mark.parametrize(("name", "viewport"), [("1920", PROJECTOR), ("390", PHONE)])
def test_the_inset_on_a_projector_and_a_phone(app_url: str, offline_pages: Any, name: str, viewport) -> None:
    opage, frame = _open(offline_pages, f"{app_url}/?omraade=council:hovedstaden", viewport)
    state = _inset(opage.page, frame)
    assert state["east"] < BORNHOLM_WEST, state
    opage.screenshot(f"inset-hovedstaden-{name}")
    opage.page.goto(f"{app_url}/")
    _wait_for_map(opage.page, min_polygons=90)
    _map_frame(opage.page).frame_element().scroll_into_view_if_needed()
    poll(opage.page, lambda: _map_frame(opage.page).evaluate(INSET_STATE)["inset"], "kortet over Danmark")
    opage.screenshot(f"inset-danmark-{name}")
    assert_clean(opage, app_url)


def test_the_presentation_map_has_the_inset(app_url: str, offline_pages: Any) -> None:
    opage = offline_pages(viewport=PROJECTOR)
    page = opage.page
    page.goto(f"{app_url}/praesentation?sekvens=standard&omraade=council:hovedstaden")
    _wait_for_map(page, min_polygons=2)
    frame = _map_frame(page)
    state = _inset(page, frame)
    assert state["east"] < BORNHOLM_WEST, state
    opage.screenshot("inset-praesentation-hovedstaden-1920")
    # a click in the inset does not take the clicker's keys: Page Down still moves to the next step
    frame.locator(".ck-inset-map path.ck-area").first.click(position={"x": 5, "y": 5}, force=True)
    page.keyboard.press("PageDown")
    poll(page, lambda: "trin=2" in page.url, "trin 2 efter Page Down")
    assert_clean(opage, app_url)
