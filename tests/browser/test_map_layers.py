"""The app's map in a real browser: a filter change swaps the data layers inside the same Leaflet map.

Runs ``streamlit run serve.py`` (app.py as ``make run`` serves it) on a small example database and drives it
with headless Chromium (requests to anything but localhost are blocked). Checks that picking a theme does not
re-create the map's iframe or reset the user's view while the points and the legend change, that a layer
switched off in the layer control stays off, and that clicks on municipalities, points, units and links drawn by swapped-in layers still open their
details in the side panel.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from civilkort import map_legend
from civilkort.settings import Settings
from tests.browser.appserver import serving, wait_settled
from tests.browser.conftest import OfflinePage
from tests.conftest import PROJECT_ROOT, clean_input, real_boundaries_path

pytestmark = pytest.mark.browser

AREA = "council:aarhus"
FRAME = 'iframe[src*="/component/streamlit_folium.st_folium/"]'  # its title names the area

# What each data layer holds now, by layer name (markers, polygons or lines), and the legend body's text.
# Points and municipalities arrive after their layers (fetched once per area, then from the page's own copy):
# wait for them.
_POINTS_DRAWN = f"""() => window.map.ckState.groups
  .filter((g) => [{json.dumps(map_legend.LAYER_POINTS)}, {json.dumps(map_legend.LAYER_AREAS)}].includes(g.ckName))
  .every((g) => g.getLayers().some((inner) => inner.getLayers && inner.getLayers().length > 0))"""

_CONTENTS = """() => {
  const out = {legend: document.querySelector('.ck-legend-body').textContent};
  window.map.ckState.groups.forEach((g) => {
    let n = 0;
    g.eachLayer((l) => { n += l.getLayers ? l.getLayers().length : 1; });
    out[g.ckName] = n;
  });
  return out;
}"""

# A spot (page coordinates inside the iframe) where a layer of the given kind is the topmost element,
# with the name its tooltip shows; null if none is visible. Points may first need zooming in (async).
_FIND = """async (kind) => {
  const map = window.map, box = map.getContainer().getBoundingClientRect();
  const byName = (name) => map.ckState.groups.find((g) => g.ckName === name);
  const inner = (name) => byName(name).getLayers()[0];
  const title = (layer) => {
    const tip = layer.getTooltip && layer.getTooltip();
    if (!tip) { return null; }
    const doc = new DOMParser().parseFromString(tip.getContent(), 'text/html');
    return doc.querySelector('.ck-tip-title').textContent;
  };
  const hit = (layer, latlng, element) => {
    const p = map.latLngToContainerPoint(latlng);
    const x = p.x + box.left, y = p.y + box.top;
    const found = document.elementFromPoint(x, y);
    return found && (found === element || element.contains(found)) ? {x, y, name: title(layer)} : null;
  };
  if (kind === 'area') {
    for (const poly of inner(__AREAS__).getLayers()) {
      const spot = hit(poly, poly.getCenter(), poly._path);
      if (spot) { return spot; }
    }
  } else if (kind === 'unit') {
    for (const m of inner(__UNITS__).getLayers()) {
      const spot = hit(m, m.getLatLng(), m._icon);
      if (spot) { return spot; }
    }
  } else if (kind === 'link') {
    for (const line of inner(__LINKS__).getLayers()) {
      map.fitBounds(line.getBounds(), {padding: [80, 80], maxZoom: 13, animate: false});
      const [a, b] = line.getLatLngs();
      for (const f of [0.5, 0.3, 0.7, 0.2, 0.8]) {
        const spot = hit(line, L.latLng(a.lat + f * (b.lat - a.lat), a.lng + f * (b.lng - a.lng)), line._path);
        if (spot) { return spot; }
      }
    }
  } else if (kind === 'point') {
    const group = inner(__POINTS__);
    const visible = () => {
      for (const m of group._featureGroup.getLayers()) {
        if (m.ckIndex !== undefined) {
          const spot = hit(m, m.getLatLng(), m._path);
          if (spot) { return spot; }
        }
      }
      return null;
    };
    let spot = visible();
    if (!spot) {  // every point is in a cluster: zoom until one stands alone
      await new Promise((done) => group.zoomToShowLayer(group.getLayers()[0], done));
      // and until the clusters have finished splitting (their animation ends after the callback)
      await new Promise((done) => {
        const settled = () => (group._inZoomAnimation > 0 || group._queue.length > 0
          ? requestAnimationFrame(settled) : done());
        settled();
      });
      spot = visible();
    }
    return spot;
  }
  return null;
}"""
for _key, _name in (
    ("AREAS", map_legend.LAYER_AREAS),
    ("UNITS", map_legend.LAYER_UNITS),
    ("LINKS", map_legend.LAYER_LINKS),
    ("POINTS", map_legend.LAYER_POINTS),
):
    _FIND = _FIND.replace(f"__{_key}__", json.dumps(_name))


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, example_tables) -> Iterator[str]:
    """``streamlit run serve.py`` on the small example database (real boundaries if present, else none)."""
    from etl import boundaries as etl_boundaries
    from etl.build import build

    data_dir = tmp_path_factory.mktemp("kort-app")
    path = real_boundaries_path()
    build(
        clean_input(example_tables),
        boundaries=etl_boundaries.load(path) if path else None,
        meta={"is_example": "true"},
        cfg=Settings(data_dir=data_dir, static_dir=PROJECT_ROOT / "static"),
    )
    with serving(data_dir, data_dir) as server:
        yield f"{server.base}/"


def _open_map(opened: OfflinePage, url: str) -> tuple[Any, Any]:
    """The map's iframe (element) and frame once the base map and its data layers are drawn; both tagged."""
    page = opened.page
    page.set_viewport_size({"width": 1400, "height": 1150})  # the whole 620 px map below the page header
    page.goto(url)
    element = page.wait_for_selector(FRAME, timeout=60_000)
    frame = element.content_frame()
    frame.wait_for_function(
        "() => window.map && window.map.ckState && window.map.ckState.groups.length > 0", timeout=30_000
    )
    frame.wait_for_function(_POINTS_DRAWN, timeout=30_000)
    wait_settled(page)  # the cluster layer has finished its first pass
    # marks that disappear if the component is remounted or the Leaflet map re-created
    element.evaluate("(e) => { e.dataset.ckMarker = '1'; }")
    frame.evaluate("() => { window.__ckMarker = 1; window.map.getContainer().dataset.ckMarker = '1'; }")
    return element, frame


def _same_map(element: Any, frame: Any) -> bool:
    return element.evaluate("(e) => e.isConnected && e.dataset.ckMarker === '1'") and frame.evaluate(
        "() => window.__ckMarker === 1 && window.map.getContainer().dataset.ckMarker === '1'"
    )


def _pick_theme(opened: OfflinePage, frame: Any) -> str:
    """Choose the first theme in the sidebar's "Tema" filter; return once the map got the new layers."""
    page = opened.page
    frame.evaluate("() => { window.map.ckState.groups.forEach((g) => { g.ckOld = true; }); }")
    page.locator('[data-testid="stSidebar"] summary').filter(has_text="Filtre").click()
    page.locator('[data-testid="stMultiSelect"]').filter(has_text="Tema").first.click()
    option = page.get_by_role("option").filter(has_not_text="Select all").first
    theme = option.inner_text().strip()
    option.click()
    page.keyboard.press("Escape")
    frame.wait_for_function(
        "() => { const g = window.map.ckState.groups; return g.length > 0 && g.every((x) => !x.ckOld); }",
        timeout=30_000,
    )
    frame.wait_for_function(_POINTS_DRAWN, timeout=30_000)
    wait_settled(page)
    return theme


def _click(opened: OfflinePage, element: Any, frame: Any, kind: str) -> str:
    """Hover and click a visible layer of ``kind`` on the map; return the name its tooltip shows."""
    page = opened.page
    frame.evaluate("() => { window.map.closePopup(); }")
    spot = frame.evaluate(_FIND, kind)
    assert spot, f"ingen synlig {kind} på kortet"
    box = element.bounding_box()
    x, y = box["x"] + spot["x"], box["y"] + spot["y"]
    page.mouse.move(x - 3, y - 3)
    page.mouse.move(x, y)
    tip = frame.locator(".leaflet-tooltip .ck-tip-title")  # the hover opened the layer's tooltip
    (tip.filter(has_text=spot["name"]) if spot["name"] else tip).last.wait_for(timeout=5_000)
    name = spot["name"] or tip.last.inner_text()
    page.mouse.click(x, y)
    return name


def test_a_filter_change_swaps_the_layers_inside_the_same_map(
    app_url: str, offline_page: OfflinePage
) -> None:
    element, frame = _open_map(offline_page, f"{app_url}?omraade={AREA}")
    before = frame.evaluate(_CONTENTS)
    assert before[map_legend.LAYER_POINTS] > 0 and before[map_legend.LAYER_AREAS] > 0, before
    # the user's own view, which a re-created map would lose (it would fit the area again)
    frame.evaluate("() => { window.map.setView([56.16, 10.2], 11.5, {animate: false}); }")
    # and the municipalities switched off in the layer control
    frame.locator(".leaflet-control-layers").hover()
    frame.get_by_text(map_legend.LAYER_AREAS, exact=True).click()
    assert frame.locator("path.ck-area").count() == 0
    offline_page.screenshot("kort-app-foer-filter")

    theme = _pick_theme(offline_page, frame)

    after = frame.evaluate(_CONTENTS)
    assert _same_map(element, frame), "kortet blev lavet forfra ved et filterskift"
    assert after[map_legend.LAYER_POINTS] < before[map_legend.LAYER_POINTS], (theme, before, after)
    assert map_legend.LAYER_POINTS in after["legend"]  # the legend body was refilled by the new layers
    view = frame.evaluate(
        "() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]"
    )
    assert view == pytest.approx([56.16, 10.2, 11.5], abs=1e-6)
    assert frame.locator("path.ck-area").count() == 0  # still off, as the user left it
    assert (
        frame.evaluate("() => window.feature_group.length")
        == len(frame.evaluate("() => window.map.ckState.groups")) + 1
    )
    labels = frame.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    # replaced, not added twice
    assert [label.strip() for label in labels].count(map_legend.LAYER_POINTS) == 1
    offline_page.screenshot("kort-app-efter-filter")
    # the area's points came once, as a file; the filter change sent only which of them to show
    fetched = sorted(
        u.rsplit("/", 1)[1].split("-")[0] for u in offline_page.requests if "/app/static/kort/" in u
    )
    assert fetched == ["civilkort", "kommuner", "punkter", "raad"], fetched
    assert offline_page.blocked == [], offline_page.blocked
    assert offline_page.errors == [] and offline_page.dialogs == []


# How many times the map has been drawn to the end (civilkort/web/map_runtime.js sets it when all is done).
_DRAWN = "() => document.documentElement.getAttribute('data-ck-drawn')"
# Records the points layer's payload from the moment it is installed (ckLib.layer's last argument).
_RECORD_POINTS = f"""() => {{
  if (window.__ckRecording) {{ return; }}
  window.__ckRecording = true;
  const layer = ckLib.layer;
  ckLib.layer = function (map, container, name, builder, on, persistent, d) {{
    if (name === {json.dumps(map_legend.LAYER_POINTS)} && map === window.map) {{ window.__ckPointsAsked = d; }}
    return layer.apply(this, arguments);
  }};
}}"""
# The points the last change asked for (its bitmask) against what the cluster group holds and has clustered.
_POINTS_NOW = f"""() => {{
  const d = window.__ckPointsAsked;
  const outer = window.map.ckState.groups.find((g) => g.ckName === {json.dumps(map_legend.LAYER_POINTS)});
  const group = outer.getLayers().find((l) => l._topClusterLevel);
  return {{asked: ckLib.kept(d.keep, d.n).length, held: group.getLayers().length,
           clustered: group._topClusterLevel.getChildCount()}};
}}"""


def test_the_map_says_when_a_filter_change_is_drawn(app_url: str, offline_page: OfflinePage) -> None:
    """data-ck-drawn counts the draws; when it moves, every point the change asked for is clustered (the
    browser benchmark times a filter change to it: clustering changes nothing in the DOM until it is done)."""
    page = offline_page.page
    _, frame = _open_map(offline_page, f"{app_url}?omraade={AREA}&lag=points")
    frame.evaluate(_RECORD_POINTS)
    sidebar = page.locator('[data-testid="stSidebar"]')
    counts = set()
    for choice in ("Ja", "Alle", "Nej"):
        drawn = frame.evaluate(_DRAWN)
        assert drawn is not None  # the first draw was said
        if not sidebar.locator('[data-testid="stRadio"]').first.is_visible():
            sidebar.locator("summary").filter(has_text="Filtre").click()
        radio = sidebar.locator('[data-testid="stRadio"]').filter(has_text="Modtager sociale henvisninger")
        radio.get_by_text(choice, exact=True).click()
        frame.wait_for_function(f"() => ({_DRAWN})() !== {json.dumps(drawn)}", timeout=30_000)
        now = frame.evaluate(_POINTS_NOW)
        assert now["asked"] > 0 and now["held"] == now["clustered"] == now["asked"], (choice, now)
        counts.add(now["asked"])
    assert len(counts) == 3  # three different answers, each drawn to the end before the signal
    assert offline_page.errors == [] and offline_page.dialogs == []


def test_clicks_on_swapped_in_layers_open_their_details(app_url: str, offline_page: OfflinePage) -> None:
    page = offline_page.page
    layers = "areas,points,units,links"
    element, frame = _open_map(offline_page, f"{app_url}?omraade={AREA}&lag={layers}")
    _pick_theme(offline_page, frame)  # every data layer below now comes from a swap

    name = _click(offline_page, element, frame, "area")
    page.get_by_role("heading", name=f"{name} Kommune", exact=True).wait_for(timeout=20_000)
    assert page.get_by_role("button", name="Luk detaljer").is_visible()
    offline_page.screenshot("kort-app-klik-kommune")

    for kind in ("point", "unit", "link"):
        name = _click(offline_page, element, frame, kind)
        page.get_by_role("heading", name=name, exact=True).wait_for(timeout=20_000)
        offline_page.screenshot(f"kort-app-klik-{kind}")

    assert _same_map(element, frame), "kortet blev lavet forfra ved et klik"
    assert offline_page.blocked == [], offline_page.blocked
    assert offline_page.errors == [] and offline_page.dialogs == []


_VIEW = "() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]"
COPY_LABEL = "Kopiér link til dette kortudsnit"


def test_a_copied_link_restores_the_map_view(app_url: str, offline_page: OfflinePage) -> None:
    page = offline_page.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url.rstrip("/"))
    element, frame = _open_map(offline_page, f"{app_url}?omraade={AREA}&kort=56.15,10.2,13")
    assert frame.evaluate(_VIEW) == pytest.approx([56.15, 10.2, 13], abs=1e-4)  # not fitted to the area
    button = frame.get_by_role("button", name=COPY_LABEL)
    assert button.get_attribute("title") == COPY_LABEL
    offline_page.screenshot("kort-app-kopier-link")

    # the user's own view, then the button: the link carries it (and the page's own parameters)
    frame.evaluate("() => { window.map.setView([56.1, 10.15], 12, {animate: false}); }")
    button.click()
    frame.get_by_role("status").filter(has_text="Link kopieret").wait_for(timeout=5_000)
    offline_page.screenshot("kort-app-link-kopieret")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.startswith(app_url) and "kort=56.10000%2C10.15000%2C12" in copied, copied
    assert "omraade=council%3Aaarhus" in copied, copied
    assert _same_map(element, frame), "kopiering af linket lavede kortet forfra"

    # the copied link opens the map there
    element, frame = _open_map(offline_page, copied)
    assert frame.evaluate(_VIEW) == pytest.approx([56.1, 10.15, 12], abs=1e-4)
    assert "kort=56.1%2C10.15%2C12" in page.url  # read and written back by the app
    assert offline_page.blocked == [], offline_page.blocked
    assert offline_page.errors == [] and offline_page.dialogs == []


def test_clicking_the_same_municipality_again_reopens_its_summary(
    app_url: str, offline_page: OfflinePage
) -> None:
    page = offline_page.page
    element, frame = _open_map(offline_page, f"{app_url}?omraade={AREA}")
    name = _click(offline_page, element, frame, "area")
    heading = page.get_by_role("heading", name=f"{name} Kommune", exact=True)
    heading.wait_for(timeout=20_000)
    # a mouse click leaves no focus rectangle on the shape (keyboard focus still shows: :focus-visible)
    focused = frame.evaluate(
        "() => { const e = document.activeElement;"
        " return [e.tagName, e.getAttribute('class'), getComputedStyle(e).outlineStyle]; }"
    )
    assert focused[0] == "path" and "leaflet-interactive" in focused[1], focused  # Chromium focuses the shape
    assert focused[2] == "none", focused

    page.get_by_role("button", name="Luk detaljer").click()
    heading.wait_for(state="detached", timeout=20_000)
    page.get_by_role("heading", name="Tilbud pr. tema").wait_for(timeout=20_000)

    assert _click(offline_page, element, frame, "area") == name  # the very same municipality
    heading.wait_for(timeout=20_000)
    assert _same_map(element, frame)
    assert offline_page.blocked == [], offline_page.blocked
    assert offline_page.errors == [] and offline_page.dialogs == []


def test_map_data_that_cannot_be_fetched_is_said_so_and_comes_with_the_next_change(
    app_url: str, offline_page: OfflinePage
) -> None:
    page = offline_page.page
    page.route("**/app/static/kort/*.json.gz", lambda route: route.abort())  # the data, not the runtime
    page.set_viewport_size({"width": 1400, "height": 1150})
    page.goto(f"{app_url}?omraade={AREA}")
    frame = page.wait_for_selector(FRAME, timeout=60_000).content_frame()
    note = frame.locator(".ck-points-missing")
    note.wait_for(timeout=30_000)
    assert "Kortets data kunne ikke hentes" in note.inner_text()
    assert frame.locator(".ck-legend").count() > 0  # the rest of the map is there
    offline_page.screenshot("kort-app-punkter-mangler")

    page.unroute("**/app/static/kort/*.json.gz")
    _pick_theme(offline_page, frame)  # waits for the points
    assert note.count() == 0
    contents = frame.evaluate(_CONTENTS)
    assert contents[map_legend.LAYER_POINTS] > 0 and contents[map_legend.LAYER_AREAS] > 0, contents
