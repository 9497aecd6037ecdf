"""The map on *Kort* for keyboard and screen-reader users (issue #18, WCAG 2.1 AA), in a real Chromium.

Inside the map's iframe: the document is Danish and the iframe is named after the area; the keyboard
reaches only the map itself (arrows pan, +/- zoom) and its few controls, not each of the hundreds of
markers and cluster icons (2.1.1, 2.4.3); every marker and shape that is drawn has a name (1.1.1, 4.1.2);
focus is visible (2.4.7); axe finds nothing serious in the map. Mouse clicks on markers and shapes are
covered by tests/browser/test_app.py and test_map_layers.py.

Runs on the same server and example data (with hostile names) as tests/browser/test_app.py.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser import test_app as _app
from tests.browser.a11y import blocking, violations
from tests.browser.appserver import assert_clean, poll, wait_idle, wait_settled
from tests.browser.test_app import FIND_MAP, _map_frame, _map_state, _wait_for_map

# the server, its example data (with hostile names) and the page opener of test_app.py, one server per module
app_data_dir = _app.app_data_dir
app_server = _app.app_server
app_url = _app.app_url
open_page = _app.open_page

pytestmark = pytest.mark.browser

MAX_TAB_STOPS = 8
"""The map container, zoom in/out, copy link, layer control, legend, attribution (and OSM's when shown)."""

# Every element of the map's document that Tab stops on, as the browser decides it (tabIndex >= 0, not
# disabled, rendered and visible), in document order.
TAB_STOPS = """() => [...document.querySelectorAll('*')]
  .filter((e) => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0
                 && getComputedStyle(e).visibility !== 'hidden')
  .map((e) => e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || '').trim().replace(/\\s+/g, '.'))"""

# Markers (units, clusters, pins) and clickable shapes (municipalities, points, links), with their role and
# accessible name as ARIA gives it here (aria-label; none of them is labelled by other elements).
NAMED = """() => [...document.querySelectorAll('.leaflet-marker-icon, path.leaflet-interactive')]
  .filter((e) => e.isConnected)
  .map((e) => ({
    what: e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || '').trim().replace(/\\s+/g, '.'),
    role: e.getAttribute('role'),
    name: (e.getAttribute('aria-label') || '').trim(),
    tabindex: e.tabIndex,
  }))"""

ACTIVE = """() => { const e = document.activeElement;
  return e && e !== document.body && document.hasFocus()
    ? e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || '').trim().replace(/\\s+/g, '.') : null; }"""

# The focus ring on what has focus: its outline, or for the map itself the ring drawn over its panes (::after).
FOCUS_RING = """() => { const e = document.activeElement, s = getComputedStyle(e), a = getComputedStyle(e, '::after');
  return e.classList.contains('leaflet-container')
    ? {style: a.borderTopStyle, width: parseFloat(a.borderTopWidth), color: a.borderTopColor, inner: a.boxShadow}
    : {style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor, inner: s.boxShadow}; }"""
RING_COLOR = "rgb(11, 85, 99)"


def _assert_ring(frame: Any) -> None:
    ring = frame.evaluate(FOCUS_RING)
    ok = ring["style"] == "solid" and ring["width"] >= 3 and ring["color"] == RING_COLOR
    assert ok and "255, 255, 255" in ring["inner"], ring


def _open_kort(opener: Any, url: str, min_polygons: int, min_clusters: int) -> tuple[Any, Any, Any]:
    """The page, its map frame and the iframe element once the map has drawn its shapes and clusters."""
    opage = opener(url)
    page = opage.page
    _wait_for_map(page, min_polygons=min_polygons, min_clusters=min_clusters)
    wait_idle(page)
    frame = _map_frame(page)
    return opage, frame, frame.frame_element()


def _tab_walk(page: Any, frame: Any, limit: int) -> list[str]:
    """Focus the map and press Tab until focus leaves the map's document; the elements it stopped on."""
    frame.evaluate("() => {" + FIND_MAP + "ckMap.getContainer().focus(); }")
    stops = [frame.evaluate(ACTIVE)]
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = frame.evaluate(ACTIVE)
        if active is None:
            break
        stops.append(active)
    return stops


def _check_names(frame: Any) -> list[dict[str, Any]]:
    """Every marker and clickable shape has a role and a name and is no Tab stop; return them."""
    named = frame.evaluate(NAMED)
    assert named, "ingen markører eller figurer på kortet"
    unnamed = [n for n in named if not n["name"] or n["role"] not in ("img", "graphics-symbol")]
    assert unnamed == [], unnamed[:10]
    focusable = [n for n in named if n["tabindex"] >= 0]
    assert focusable == [], focusable[:10]
    return named


def _map_violations(page: Any, element: Any) -> list[dict[str, Any]]:
    """axe's serious and critical findings inside the map's iframe (the page around it is not checked)."""
    element.evaluate("(e) => { e.dataset.ckAxe = 'kort'; }")
    return blocking(violations(page, {"include": [["iframe[data-ck-axe=kort]"]]}))


def test_the_map_of_denmark_is_danish_named_and_few_tab_stops_with_named_markers(
    app_url: str, open_page
) -> None:
    opage, frame, element = _open_kort(open_page, f"{app_url}/", min_polygons=90, min_clusters=3)
    page = opage.page

    assert frame.evaluate("() => document.documentElement.lang") == "da"
    assert element.get_attribute("title") == "Kort over hele Danmark"

    stops = frame.evaluate(TAB_STOPS)
    assert len(stops) <= MAX_TAB_STOPS, stops
    assert not [s for s in stops if "leaflet-marker-icon" in s or s.startswith("path")], stops
    walked = _tab_walk(page, frame, limit=3 * MAX_TAB_STOPS)
    assert len(walked) <= MAX_TAB_STOPS, walked  # Tab leaves the map after its few stops

    named = _check_names(frame)
    clusters = [n["name"] for n in named if "ck-cluster" in n["what"]]
    assert clusters and all(re.fullmatch(r"[\d.]+ organisationer og tilbud", c) for c in clusters), clusters
    units = [n["name"] for n in named if "ck-unit" in n["what"]]
    assert units and all(re.match(r"[^:]+: \S", u) for u in units), units[:5]  # "Hospital: Aarhus …"
    areas = [n["name"] for n in named if "ck-area" in n["what"]]
    assert len(areas) >= 90 and "Aarhus" in {a.split(":")[0] for a in areas}, areas[:5]

    # Leaflet's own controls speak Danish
    assert frame.locator(".leaflet-control-zoom-in").get_attribute("aria-label") == "Zoom ind"
    assert frame.locator(".leaflet-control-zoom-in").get_attribute("title") == "Zoom ind"
    assert frame.locator(".leaflet-control-zoom-out").get_attribute("aria-label") == "Zoom ud"
    toggle = frame.locator(".leaflet-control-layers-toggle")
    assert toggle.get_attribute("aria-label") == toggle.get_attribute("title") == "Vælg kortlag"
    english = frame.evaluate(
        "() => [...document.querySelectorAll('[title], [aria-label]')]"
        ".map((e) => (e.getAttribute('title') || '') + ' ' + (e.getAttribute('aria-label') || ''))"
        ".filter((t) => /\\b(zoom in|zoom out|layers|close popup)\\b|javascript library/i.test(t))"
    )
    assert english == [], english

    found = _map_violations(page, element)
    assert found == [], found

    # a unit marker, no Tab stop now, still opens its card on a click; the card's close button is Danish
    frame.locator(".leaflet-marker-icon.ck-unit").first.dispatch_event("click")
    close = frame.locator(".leaflet-popup-close-button")
    close.wait_for(timeout=10_000)
    assert close.get_attribute("aria-label") == close.get_attribute("title") == "Luk"
    assert_clean(opage, app_url)


def test_the_map_works_with_the_keyboard_and_shows_where_focus_is(app_url: str, open_page) -> None:
    opage, frame, element = _open_kort(open_page, f"{app_url}/", min_polygons=90, min_clusters=3)
    page = opage.page
    before = _map_state(page)
    # from the iframe (the page's element before the map's own content), Tab goes to the map itself
    element.focus()
    page.keyboard.press("Tab")
    active = poll(page, lambda: frame.evaluate(ACTIVE), "fokus i kortet efter Tab")
    assert active.startswith("div.leaflet-container"), active
    _assert_ring(frame)
    opage.screenshot("kort-fokus-kortet")

    page.keyboard.press("+")
    zoomed = poll(
        page,
        lambda: (s := _map_state(page))["zoom"] > before["zoom"] and s,
        f"kortet zoomer ind med + (før: {before['zoom']})",
    )
    wait_settled(page)  # Leaflet ignores an arrow key while a pan animation still runs
    page.keyboard.press("ArrowRight")
    poll(
        page,
        lambda: (s := _map_state(page))["lon"] > zoomed["lon"] + 1e-4 and s,
        f"kortet flytter sig mod øst med pil højre (før: {zoomed['lon']})",
    )

    # the controls are the next stops, each with a visible focus ring; Enter on "Zoom ind" zooms
    walked = [active]
    while len(walked) <= MAX_TAB_STOPS and "leaflet-control-zoom-in" not in (walked[-1] or ""):
        page.keyboard.press("Tab")
        walked.append(frame.evaluate(ACTIVE))
    assert "leaflet-control-zoom-in" in (walked[-1] or ""), walked
    _assert_ring(frame)
    opage.screenshot("kort-fokus-zoom-ind")
    moved = _map_state(page)
    page.keyboard.press("Enter")
    poll(page, lambda: _map_state(page)["zoom"] > moved["zoom"], "Enter på Zoom ind zoomer ind")
    assert_clean(opage, app_url)


def test_the_map_of_a_council_is_named_after_it_and_has_few_tab_stops(app_url: str, open_page) -> None:
    opage, frame, element = _open_kort(
        open_page, f"{app_url}/?omraade=council:aarhus", min_polygons=2, min_clusters=0
    )
    page = opage.page
    assert frame.evaluate("() => document.documentElement.lang") == "da"
    assert element.get_attribute("title") == "Kort over Sundhedsråd Aarhus"
    stops = frame.evaluate(TAB_STOPS)
    assert len(stops) <= MAX_TAB_STOPS, stops
    named = _check_names(frame)
    assert any("ck-area" in n["what"] and n["name"].startswith("Aarhus:") for n in named), named[:10]
    found = _map_violations(page, element)
    assert found == [], found
    assert_clean(opage, app_url)
