"""The running app in a real headless Chromium: ``streamlit run`` on a free port, fully offline.

One server per module, on a small example database plus hostile records (HTML, script, template and
Markdown injection in names and descriptions) placed in Aarhus. Every page is opened with each request to
another host blocked and recorded and each dialog (``alert``) recorded; each test saves a screenshot to
``test-output/app-*.png``. The tests look at what a user sees (polygons, clusters, side panel, URL); only the
map's view is read from the Leaflet map object, found by type rather than by a variable name.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from civilkort import queries, reference
from civilkort.filters import Selection
from tests.browser.appserver import (
    AppServer,
    assert_clean,
    choose,
    download,
    poll,
    print_log_if_failed,
    serving,
    wait_idle,
    wait_settled,
)
from tests.browser.conftest import OfflinePage
from tests.conftest import PROJECT_ROOT, TODAY, clean_input, real_boundaries_path

pytestmark = pytest.mark.browser

AARHUS = (56.1572, 10.2107)
HOSTILE_NAMES = [
    "<img src=x onerror=alert(1)>",
    "`${alert(1)}`",
    "C:\\u0000\\\\evil",
    "\"'><script>alert(1)</script>",
    "{{ 7*7 }}",
]
HOSTILE_DESCRIPTION = "Se ![x](http://evil.example/t.png) og [klik](javascript:alert(1)) <b>fed</b>"
HOSTILE_OFFER = "Tilbud **fed** <i>kursiv</i>"
# Each hostile organisation alone on its own spot in central Aarhus (≥ 550 m apart: single points at zoom 16),
# well inside the municipality with real and with synthetic boundaries.
HOSTILE_POSITIONS = [
    (AARHUS[0] + 0.005 * i, AARHUS[1] - 0.008 - 0.005 * (i % 2)) for i in range(len(HOSTILE_NAMES))
]
OFFER_POSITION = (AARHUS[0] - 0.004, AARHUS[1] - 0.025)
SAMSOE = (55.93, 10.60)  # inside Samsø (in Sundhedsråd Aarhus, no organisations), away from its unit marker
AREA = "council:aarhus"
AREA_URL = re.compile(r"omraade=council(%3A|:)aarhus")
VIEWPORT = {"width": 1400, "height": 1000}
NAVIGATION = ["Kort", "Lister og eksport", "Partnerskaber", "Om data"]


def _hostile_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The example tables plus hostile organisations and one hostile offer, copied from real rows."""
    out = {k: v.copy() for k, v in tables.items()}
    orgs = out["organisations"]
    template = orgs[orgs["municipality"] == 751].iloc[[0]]
    new_orgs = []
    for i, (name, (lat, lon)) in enumerate(zip(HOSTILE_NAMES, HOSTILE_POSITIONS, strict=True)):
        row = template.copy()
        row["organisation_id"] = f"ORG-XSS-{i}"
        row["name"] = name
        row["description"] = HOSTILE_DESCRIPTION
        row["address"] = "Testvej 1"
        row["postcode"] = "8000"
        row["city"] = "Aarhus C"
        row["municipality"] = 751
        row["lat"] = lat
        row["lon"] = lon
        row["_row"] = len(orgs) + 2 + i
        new_orgs.append(row)
    out["organisations"] = pd.concat([orgs, *new_orgs], ignore_index=True).astype(orgs.dtypes.to_dict())

    offers = out["offers"]
    template = offers[offers["status"] == "aktiv"].iloc[[0]].copy()
    template["offer_id"] = "TILBUD-XSS-0"
    template["organisation_id"] = "ORG-XSS-0"
    template["name"] = HOSTILE_OFFER
    template["description"] = HOSTILE_DESCRIPTION
    template["themes"] = [["lighed"]]
    template["address"] = "Testvej 2"
    template["postcode"] = "8000"
    template["city"] = "Aarhus C"
    template["municipality"] = 751
    template["lat"] = OFFER_POSITION[0]
    template["lon"] = OFFER_POSITION[1]
    template["service_area"] = [[]]
    template["_row"] = len(offers) + 2
    out["offers"] = pd.concat([offers, template], ignore_index=True).astype(offers.dtypes.to_dict())
    return out


@pytest.fixture(scope="module")
def app_data_dir(tmp_path_factory: pytest.TempPathFactory, example_tables, tiny_boundaries) -> Path:
    """A data folder with the example database plus the hostile records (real boundaries when present)."""
    from civilkort.settings import Settings
    from etl import boundaries as boundary_io
    from etl.build import build

    path = tmp_path_factory.mktemp("app-db")
    real = real_boundaries_path()
    shapes = boundary_io.load(real) if real is not None else tiny_boundaries
    cfg = Settings(data_dir=path, static_dir=PROJECT_ROOT / "static")
    build(
        clean_input(_hostile_tables(example_tables)),
        boundaries=shapes,
        meta={  # as `python -m etl demo` writes it, so the app's notices read as they do for users
            "is_example": "true",
            "example_scale": "small",
            "example_seed": "2027",
            "example_today": TODAY.isoformat(),
            "inputs": "Eksempeldata (genereret) med fjendtlige testposter",
        },
        cfg=cfg,
    )
    return path


# --- the server ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app_server(app_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """One server for the module; stopped at teardown, also when a test fails."""
    with serving(app_data_dir, tmp_path_factory.mktemp("streamlit")) as server:
        yield server


@pytest.fixture
def app_url(app_server: AppServer) -> str:
    """The module server's base URL, e.g. ``http://127.0.0.1:51234``."""
    app_server.used = True
    return app_server.base


@pytest.fixture
def fresh_app_url(
    app_server: AppServer, app_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A server no page has been opened on yet: the module's, if still unused, else a new one."""
    if not app_server.used:
        app_server.used = True
        yield app_server.base
        return
    with serving(app_data_dir, tmp_path_factory.mktemp("streamlit-fresh")) as server:
        yield server.base


@pytest.fixture(scope="module")
def app_db(app_data_dir: Path):
    """The database the server serves, opened read-only here, for expected counts."""
    from civilkort.db import open_current
    from civilkort.settings import Settings

    db = open_current(Settings(data_dir=app_data_dir, static_dir=PROJECT_ROOT / "static"))
    yield db
    db.close()


@pytest.fixture
def open_page(
    offline_pages: Callable[..., OfflinePage], app_server: AppServer, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], OfflinePage]]:
    """Open a URL in a new offline page (own context: a new Streamlit session) at a desktop size.

    When the test fails, the end of the server's log is printed (pytest shows it with the failure).
    """

    def open_(url: str) -> OfflinePage:
        opage = offline_pages(viewport=VIEWPORT)
        opage.page.goto(url)
        return opage

    yield open_
    print_log_if_failed(request, app_server)


# --- helpers ---------------------------------------------------------------------------------------

FIND_MAP = """
const ckMap = (() => {
  if (!window.L || !L.Map) { return null; }
  if (window.map instanceof L.Map) { return window.map; }
  for (const key of Object.keys(window)) {
    try { if (window[key] instanceof L.Map) { return window[key]; } } catch (e) { /* a getter that throws */ }
  }
  return null;
})();
"""
"""JS that finds the Leaflet map in the component iframe (streamlit-folium names it ``window.map``)."""

MAP_STATE = (
    "() => {"
    + FIND_MAP
    + """
  if (!ckMap) { return null; }
  const layers = Object.values(ckMap._layers);
  const shown = (l) => l._path && l._path.isConnected;
  const clusters = L.MarkerCluster ? layers.filter((l) => l instanceof L.MarkerCluster && l._icon) : [];
  const b = ckMap.getBounds();
  return {
    zoom: ckMap.getZoom(),
    lat: ckMap.getCenter().lat,
    lon: ckMap.getCenter().lng,
    south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast(),
    polygons: layers.filter((l) => l instanceof L.Polygon && shown(l)).length,
    svg_paths: document.querySelectorAll(".leaflet-container svg path").length,
    clusters: clusters.filter((c) => c._icon.isConnected && c._icon.offsetWidth > 0).length,
    cluster_labels: clusters.map((c) => c._icon.textContent.trim()),
  };
}"""
)


def _map_frame(page: Any, timeout: float = 30) -> Any:
    """The frame holding the Leaflet map (streamlit-folium's component iframe)."""

    def find() -> Any:
        for frame in page.frames:
            if frame is page.main_frame:
                continue
            try:
                if frame.evaluate("() => {" + FIND_MAP + "return ckMap !== null; }"):
                    return frame
            except Exception:  # noqa: BLE001 - detached or still loading
                continue
        return None

    return poll(page, find, "kortet (Leaflet) i sidens iframe", timeout=timeout)


def _map_state(page: Any) -> dict[str, Any]:
    return _map_frame(page, timeout=1).evaluate(MAP_STATE)


def _wait_for_map(page: Any, min_polygons: int, min_clusters: int = 0) -> dict[str, Any]:
    """Wait until the map shows at least this many polygons and cluster icons; return its state."""

    def ready() -> dict[str, Any] | None:
        state = _map_state(page)
        ok = state and state["polygons"] >= min_polygons and state["clusters"] >= min_clusters
        return state if ok else None

    return poll(page, ready, f"kort med ≥ {min_polygons} polygoner og ≥ {min_clusters} klynger", timeout=45)


def _map_point(page: Any, lat: float, lon: float, zoom: float) -> tuple[float, float]:
    """Centre the map on a position (no animation) and return where it is on the page."""
    frame = _map_frame(page)
    # Focusing the map scrolls the page so the whole map is visible: do it before measuring anything.
    frame.evaluate("() => {" + FIND_MAP + "ckMap.closePopup(); ckMap.getContainer().focus(); }")

    def in_view() -> bool:
        box, height = frame.frame_element().bounding_box(), page.viewport_size["height"]
        return box is not None and box["y"] >= -1 and box["y"] + box["height"] <= height + 1  # ±1: sub-pixels

    poll(page, in_view, "kortet helt på skærmen efter fokus", timeout=5, interval=0.05)
    frame.evaluate(
        "([lat, lon, z]) => {" + FIND_MAP + "ckMap.setView([lat, lon], z, {animate: false}); }",
        [lat, lon, zoom],
    )
    wait_settled(page)  # clusters split and re-render after a view change; a closed popup fades out
    x, y = frame.evaluate(
        "([lat, lon]) => {"
        + FIND_MAP
        + """const p = ckMap.latLngToContainerPoint([lat, lon]);
        const r = ckMap.getContainer().getBoundingClientRect();
        return [p.x + r.left, p.y + r.top];
    }""",
        [lat, lon],
    )
    box = frame.frame_element().bounding_box()
    return box["x"] + x, box["y"] + y


def _element_at(page: Any, x: float, y: float) -> str:
    """Tag and class of the map element under a page position (for messages and checks)."""
    frame = _map_frame(page)
    box = frame.frame_element().bounding_box()
    return frame.evaluate(
        "([x, y]) => { const e = document.elementFromPoint(x, y);"
        " return e ? e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || '') : ''; }",
        [x - box["x"], y - box["y"]],
    )


def _hover_until_tooltip(page: Any, x: float, y: float, expected: str) -> str:
    """Hover a map position until Leaflet shows a tooltip containing ``expected``; return its text."""
    frame = _map_frame(page)

    def shown() -> str | None:
        page.mouse.move(x - 30, y - 30)
        page.mouse.move(x, y)
        texts = frame.locator(".leaflet-tooltip").all_inner_texts()
        return next((t for t in texts if expected in t), None)

    return poll(page, shown, f"tooltip med {expected!r} (under musen: {_element_at(page, x, y)})", timeout=8)


def _side_panel(page: Any) -> Any:
    """The map page's right-hand column while details are open (it has the 'Luk detaljer' button)."""
    return page.locator("[data-testid=stColumn]").filter(has=page.get_by_role("button", name="Luk detaljer"))


def _shot(opage: OfflinePage, name: str) -> Path:
    wait_settled(opage.page)
    path = opage.screenshot(f"app-{name}")
    assert path.stat().st_size > 10_000, path
    return path


def _select_area(page: Any, label: str) -> None:
    """Choose an area in the sidebar's 'Område' select box, like a user typing its name."""
    choose(page, page.locator("[data-testid=stSidebar]").get_by_role("combobox", name="Område"), label)


# --- the tests -------------------------------------------------------------------------------------
# The deep-link test comes first, so it gets the module's server while it is still fresh (see fresh_app_url).


def test_deep_link_to_lists_shows_navigation_hostile_names_as_text_and_exports(
    fresh_app_url: str, open_page, app_db
) -> None:
    opage = open_page(f"{fresh_app_url}/lister?omraade={AREA}")
    page = opage.page
    page.get_by_role("heading", name="Lister: Sundhedsråd Aarhus").wait_for(timeout=30_000)
    wait_idle(page)
    nav = page.locator("[data-testid=stSidebarNavLink] [data-testid=stMarkdownContainer]").all_inner_texts()
    labels = [n.strip() for n in nav]
    # the app's own navigation (in this order, other pages may come between), not the page files' names
    assert [label for label in labels if label in NAVIGATION] == NAVIGATION, labels
    assert not [label for label in labels if re.fullmatch(r"[a-z_]+", label)], labels
    current = page.locator("[data-testid=stSidebarNavLink][aria-current=page]").inner_text()
    assert "Lister og eksport" in current

    sel = Selection(area=AREA)
    n_orgs = len(queries.organisations(app_db, sel))
    page.get_by_role("tab", name=f"Organisationer ({n_orgs})").wait_for(timeout=10_000)
    for label in ("Hent som Excel (xlsx)", "Hent som CSV", "Hent som CSV til dansk Excel (;)"):
        page.get_by_role("button", name=label, exact=True).first.wait_for(timeout=10_000)
    page.locator("[data-testid=stDataFrame] td").first.wait_for(state="attached")
    _shot(opage, "lister-aarhus")
    assert_clean(opage, fresh_app_url)

    # Free text from the URL narrows the list to the hostile records; the grid shows their names as text.
    opage = open_page(f"{fresh_app_url}/lister?omraade={AREA}&q=evil.example")
    page = opage.page
    page.get_by_role("tab", name=f"Organisationer ({len(HOSTILE_NAMES)})").wait_for(timeout=30_000)
    wait_idle(page)
    grid = page.locator("[data-testid=stDataFrame]").first
    cells = poll(
        page,
        lambda: grid.locator("td").evaluate_all("cells => cells.map(c => c.textContent)"),
        "tabellens celler",
    )
    for name in HOSTILE_NAMES:
        assert name in cells, f"{name!r} ikke vist som tekst i tabellen: {cells[:40]}"
    assert "49" not in cells
    _shot(opage, "lister-fjendtlige-navne")
    grid.hover()  # the grid's tool bar shows on hover: it has no CSV button of its own (formulas; config.toml)
    page.locator("[data-testid=stElementToolbar]").first.wait_for(timeout=10_000)
    assert page.get_by_role("button", name="Download as CSV").count() == 0
    assert page.get_by_role("button", name="Gem den viste tabel som CSV").count() == 0
    csv_file = download(page, "Hent som CSV")
    assert csv_file.suggested_filename.endswith(".csv")
    text = Path(csv_file.path()).read_bytes().decode("utf-8-sig")
    exported = {cell for row in csv.reader(io.StringIO(text)) for cell in row}
    assert set(HOSTILE_NAMES) <= exported, exported
    assert_clean(opage, fresh_app_url)


def test_a_download_survives_other_sessions_runs_while_it_travels(
    app_url: str, open_page, offline_pages: Callable[..., OfflinePage]
) -> None:
    """On a busy server (a workshop: phones refreshing their lists) other sessions' runs end while a
    download travels to a phone on poor wifi; each sweeps unreferenced media files.  The file must still be
    there when the browser fetches it (ui/downloads.py).  Here everything the server sends after the click,
    its answer with the file's URL included, is held back on the way to the browser until another session
    has run twice, and then delivered in order."""
    held: list[str | bytes] = []
    holding: list[bool] = []
    sockets: list[Any] = []

    def slow_answers(ws: Any) -> None:
        server = ws.connect_to_server()
        sockets.append(ws)
        ws.on_message(server.send)
        # once holding, queue every message (also those arriving while the queue is being delivered)
        server.on_message(lambda m: held.append(m) if holding or held else ws.send(m))

    opage = offline_pages(viewport=VIEWPORT)
    page = opage.page
    page.route_web_socket(re.compile(r"/_stcore/stream"), slow_answers)
    page.goto(f"{app_url}/lister?omraade={AREA}")
    page.get_by_role("button", name="Hent som CSV").first.wait_for(timeout=30_000)
    wait_idle(page)
    made: list[Any] = []
    page.on("download", lambda d: made.append(d))
    holding.append(True)
    page.get_by_role("button", name="Hent som CSV", exact=True).first.click()
    poll(page, lambda: any(map(_names_a_media_file, held)), "serverens svar med filens adresse", timeout=30)

    other = open_page(f"{app_url}/om_data").page  # another session: runs that end, each one a sweep
    for _ in range(2):
        wait_idle(other)
        other.reload()
    wait_idle(other)

    holding.clear()
    while held:
        sockets[-1].send(held.pop(0))
    download = poll(page, lambda: made, "filen hentet", timeout=30)[0]
    assert download.failure() is None
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    assert text.startswith("Organisation (id),Navn"), text[:200]


def _names_a_media_file(message: str | bytes) -> bool:
    """A message from the server answering a deferred download (it carries the made file's URL)."""
    return isinstance(message, bytes) and re.search(rb"/media/[0-9a-f]{20,}\.", message) is not None


def test_landing_page_shows_polygons_clusters_and_example_banner_offline(app_url: str, open_page) -> None:
    opage = open_page(f"{app_url}/")
    page = opage.page
    page.get_by_role("heading", name="Kort: Hele Danmark").wait_for(timeout=30_000)
    state = _wait_for_map(page, min_polygons=90, min_clusters=3)
    wait_idle(page)
    assert state["svg_paths"] >= 90, state  # the municipalities are drawn (SVG paths), not only known to JS
    labels = [label for label in state["cluster_labels"] if label]
    assert labels and all(re.fullmatch(r"[\d.]+", label) for label in labels), labels
    frame = _map_frame(page)
    assert frame.locator(".leaflet-marker-icon").filter(has_text=re.compile(r"^\d+$")).count() >= 3
    banner = page.locator("[data-testid=stAlert]").filter(has_text="Eksempeldata.")
    banner.wait_for(timeout=10_000)
    assert "genererede eksempler" in banner.inner_text()
    _shot(opage, "kort-danmark")
    assert_clean(opage, app_url)


def test_choosing_a_council_zooms_the_map_to_it(app_url: str, open_page) -> None:
    opage = open_page(f"{app_url}/")
    page = opage.page
    page.get_by_role("heading", name="Kort: Hele Danmark").wait_for(timeout=30_000)
    before = _wait_for_map(page, min_polygons=90, min_clusters=3)
    wait_idle(page)
    _select_area(page, "Sundhedsråd Aarhus")
    page.wait_for_url(AREA_URL, timeout=15_000)
    page.get_by_role("heading", name="Kort: Sundhedsråd Aarhus").wait_for(timeout=30_000)

    def zoomed_to_aarhus() -> dict[str, Any] | None:
        s = _map_state(page)
        inside = s["south"] < AARHUS[0] < s["north"] and s["west"] < AARHUS[1] < s["east"]
        small = (s["east"] - s["west"]) < 2.5 and (s["north"] - s["south"]) < 1.5  # not all of Denmark
        near = abs(s["lat"] - 56.05) < 0.4 and abs(s["lon"] - 10.35) < 0.5  # Aarhus and Samsø
        # The fit follows the message; the municipality shapes come from a file fetched after it, so the
        # shapes of Aarhus and Samsø (beside the council outline) are waited for, not assumed drawn.
        shapes = s["polygons"] >= 2
        return s if inside and small and near and shapes and s["zoom"] >= before["zoom"] + 1.5 else None

    poll(page, zoomed_to_aarhus, f"kortet zoomer til Sundhedsråd Aarhus med dets kommuner (før: {before})")
    wait_idle(page)
    value = page.locator("[data-testid=stSidebar]").get_by_role("combobox", name="Område").input_value()
    assert "Sundhedsråd Aarhus" in value
    _shot(opage, "kort-aarhus")
    assert_clean(opage, app_url)


def test_clicking_points_shows_hostile_names_as_text_in_map_and_side_panel(app_url: str, open_page) -> None:
    opage = open_page(f"{app_url}/?omraade={AREA}")
    page = opage.page
    page.get_by_role("heading", name="Kort: Sundhedsråd Aarhus").wait_for(timeout=30_000)
    _wait_for_map(page, min_polygons=2)
    wait_idle(page)
    frame_popup = ".leaflet-popup-content"

    # every hostile name: the map's tooltip shows it as text
    for name, (lat, lon) in zip(HOSTILE_NAMES, HOSTILE_POSITIONS, strict=True):
        x, y = _map_point(page, lat, lon, 16)
        tip = _hover_until_tooltip(page, x, y, name)
        assert tip.splitlines()[0] == name

    # two of them clicked: popup on the map and details in the side panel, as literal text
    for index in (0, 4):
        name = HOSTILE_NAMES[index]
        x, y = _map_point(page, *HOSTILE_POSITIONS[index], 16)
        _hover_until_tooltip(page, x, y, name)
        page.mouse.click(x, y)
        popup = poll(
            page,
            lambda n=name: next(
                (t for t in _map_frame(page).locator(frame_popup).all_inner_texts() if n in t), None
            ),
            f"popup med {name!r}",
            timeout=8,
        )
        assert popup.splitlines()[0] == name
        heading = _side_panel(page).get_by_role("heading", name=name, exact=True)
        heading.wait_for(timeout=15_000)
        wait_idle(page)
        assert heading.inner_text().strip() == name
        # shown as the literal text (a word joiner, U+2060, keeps Markdown from turning addresses into links)
        side = _side_panel(page).first.inner_text().replace("\u2060", "")
        assert "![x](http://evil.example/t.png)" in side and "[klik](javascript:alert(1))" in side
        assert _side_panel(page).first.locator("a[href^='http://evil'], a[href^='javascript']").count() == 0
        assert "<b>fed</b>" in side
        if index == 0:
            _shot(opage, "kort-fjendtligt-navn")
    assert "49" not in _side_panel(page).get_by_role("heading").first.inner_text()

    # the offer with Markdown in its name and description: shown as typed, no image, no javascript: link
    x, y = _map_point(page, *OFFER_POSITION, 16)
    _hover_until_tooltip(page, x, y, HOSTILE_OFFER)
    page.mouse.click(x, y)
    _side_panel(page).get_by_role("heading", name=HOSTILE_OFFER, exact=True).wait_for(timeout=15_000)
    wait_idle(page)
    side = _side_panel(page).first
    assert HOSTILE_NAMES[0] in side.inner_text()  # its organisation's name, as text
    assert side.locator("img").count() == 0
    assert page.locator("a[href^='javascript:' i]").count() == 0
    assert _map_frame(page).locator("a[href^='javascript:' i]").count() == 0
    _shot(opage, "kort-fjendtligt-tilbud")
    assert_clean(opage, app_url)


def test_clicking_a_municipality_opens_its_summary(app_url: str, open_page) -> None:
    opage = open_page(f"{app_url}/?omraade={AREA}")
    page = opage.page
    page.get_by_role("heading", name="Kort: Sundhedsråd Aarhus").wait_for(timeout=30_000)
    _wait_for_map(page, min_polygons=2)
    wait_idle(page)
    x, y = _map_point(page, *SAMSOE, 10)
    assert _element_at(page, x, y).startswith("path"), _element_at(page, x, y)  # a polygon, not a marker
    _hover_until_tooltip(page, x, y, "Samsø")
    page.mouse.click(x, y)
    heading = _side_panel(page).get_by_role("heading", name="Samsø Kommune", exact=True)
    heading.wait_for(timeout=15_000)
    wait_idle(page)
    side = _side_panel(page).first.inner_text()
    assert "Sundhedsråd Aarhus" in side
    assert "Ikke kortlagt" in side  # no organisations are registered on Samsø in the example data
    _shot(opage, "kort-samsoe")
    assert_clean(opage, app_url)


def test_a_copied_link_restores_area_and_filter(app_url: str, open_page, app_db) -> None:
    opage = open_page(f"{app_url}/?omraade={AREA}&tema=lighed")
    page = opage.page
    page.get_by_role("heading", name="Kort: Sundhedsråd Aarhus").wait_for(timeout=30_000)
    _wait_for_map(page, min_polygons=2)
    wait_idle(page)
    sidebar = page.locator("[data-testid=stSidebar]")
    assert "Sundhedsråd Aarhus" in sidebar.get_by_role("combobox", name="Område").input_value()
    sidebar.locator("[data-testid=stExpander] summary").filter(has_text="Filtre").click()
    theme = sidebar.locator("[data-testid=stMultiSelect]").filter(has=page.get_by_text("Tema", exact=True))
    theme.get_by_text("Lighed i sundhed", exact=True).wait_for(timeout=5_000)
    expected = queries.key_figures(app_db, Selection(area=AREA, themes=("lighed",)))
    metric = page.locator("[data-testid=stMetric]").filter(has_text="Tilbud").first
    assert metric.locator(
        "[data-testid=stMetricValue]"
    ).inner_text().strip() == f"{expected['offers']:,}".replace(",", ".")
    assert AREA_URL.search(page.url) and "tema=lighed" in page.url
    _shot(opage, "kort-link-med-filter")
    assert_clean(opage, app_url)


def test_om_data_lists_the_uncertain_council_rows(app_url: str, open_page) -> None:
    opage = open_page(f"{app_url}/om_data")
    page = opage.page
    page.get_by_role("heading", name="Om data", exact=True).wait_for(timeout=30_000)
    wait_idle(page)
    municipalities = reference.municipalities()
    uncertain = int(municipalities["is_single_source"].sum())
    sentence = f"{uncertain} af {len(municipalities)} kommuners placering bygger på én kilde."
    page.get_by_text(sentence, exact=True).wait_for(timeout=5_000)
    headers = page.locator("[data-testid=stDataFrame] th")
    poll(
        page,
        lambda: (
            {"Kun én kilde", "Kildenote"} <= set(headers.evaluate_all("hs => hs.map(h => h.textContent)"))
        ),
        "tabellen over sundhedsråd og kommuner med kolonnen 'Kun én kilde'",
    )
    boundaries = page.locator("[data-testid=stMetric]").filter(has_text="Kommunegrænser")
    assert "Indlæst" in boundaries.inner_text()  # real or synthetic boundaries were loaded
    _shot(opage, "om-data")
    assert_clean(opage, app_url)


GAP_VIEWS = [
    "Kommune × tema",
    "Kommune × målgruppe",
    "Tema × målgruppe",
    "Kortlægning",
    "Sociale henvisninger",
]
RADAR_TABS = ["Tidslinje", "Slutter snart", "Styring", "Forældreløse"]


HEATMAP_CELL = """() => {
  const gd = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');
  const t = gd && gd._fullData && gd._fullData.find((t) => t.type === 'heatmap');
  if (!t) { return null; }
  const i = t.z.findIndex((row) => row.some((v) => v > 0));
  const j = t.z[i].findIndex((v) => v > 0);
  const L = gd._fullLayout, box = gd.getBoundingClientRect();
  return {x: box.left + L._size.l + L.xaxis.d2p(t.x[j]), y: box.top + L._size.t + L.yaxis.d2p(t.y[i])};
}"""


def test_a_tap_on_a_phone_opens_a_gap_cell(chromium: Any, app_url: str) -> None:
    """Plotly sends no selection for a tap on a touch screen (plotly/plotly.js#6721); the page passes it on,
    so a council member on a phone sees the offers behind a cell as a mouse click shows them."""
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, locale="da-DK"
    )
    try:
        page = context.new_page()
        page.goto(f"{app_url}/huller?omraade={AREA}")
        page.get_by_role("heading", name=re.compile("^Huller")).wait_for(timeout=30_000)
        wait_idle(page)
        page.locator("[data-testid=stPlotlyChart]").first.scroll_into_view_if_needed()
        where = poll(page, lambda: page.evaluate(HEATMAP_CELL), "krydstabellen er tegnet")
        assert page.get_by_text("Klik på et felt for at se tilbuddene bag det.").count() == 1
        page.touchscreen.tap(where["x"], where["y"])
        heading = page.get_by_role("heading", name=re.compile(r" × .*: [\d.]+ tilbud$"))
        poll(page, lambda: heading.count() == 1, "tilbuddene bag feltet efter et tryk")
    finally:
        context.close()


def test_each_gap_radar_and_compare_view_renders_offline(app_url: str, open_page) -> None:
    """Issue 4's views, one screenshot each (look at them in test-output/), all offline and error-free."""
    opage = open_page(f"{app_url}/huller?omraade={AREA}")
    page = opage.page
    page.get_by_role("heading", name=re.compile("^Huller")).wait_for(timeout=30_000)
    main = page.locator("[data-testid=stMain]")  # "Kortlægning" is also a section of the sidebar's navigation
    for view in GAP_VIEWS:
        main.get_by_text(view, exact=True).first.click()
        wait_idle(page)
        poll(
            page,
            lambda view=view: main.get_by_role("radio", name=view).is_checked(),
            f"visningen {view} valgt",
        )
        page.locator("[data-testid=stPlotlyChart]").first.wait_for(timeout=20_000)
        _shot(opage, "huller-" + re.sub(r"\W+", "-", view.lower()).strip("-"))
    assert_clean(opage, app_url)

    opage = open_page(f"{app_url}/samarbejder?omraade={AREA}")
    page = opage.page
    page.get_by_role("heading", name=re.compile("^Samarbejder")).wait_for(timeout=30_000)
    for tab in RADAR_TABS:
        page.get_by_role("tab", name=re.compile(f"^{tab}")).click()
        wait_idle(page)
        # the screenshot shows the view, not the placeholders Streamlit shows while it arrives
        poll(page, lambda: page.locator("[data-testid=stSkeleton]").count() == 0, f"fanen {tab} vist")
        _shot(opage, "radar-" + re.sub(r"\W+", "-", tab.lower()).strip("-"))
    assert_clean(opage, app_url)

    opage = open_page(f"{app_url}/sammenlign")
    page = opage.page
    page.get_by_role("heading", name="Sammenlign sundhedsråd").wait_for(timeout=30_000)
    wait_idle(page)
    page.locator("[data-testid=stPlotlyChart]").first.wait_for(timeout=20_000)
    _shot(opage, "sammenlign")
    assert_clean(opage, app_url)

    opage = open_page(f"{app_url}/rapport?omraade={AREA}")
    page = opage.page
    page.get_by_role("button", name="Lav rapport").click()
    page.get_by_role("button", name="Hent PDF").wait_for(timeout=60_000)
    assert download(page, "Hent PDF").suggested_filename.startswith("kortlaegning-aarhus")
    _shot(opage, "rapport")
    assert_clean(opage, app_url)
