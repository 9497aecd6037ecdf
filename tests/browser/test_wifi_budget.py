"""What keeps the app light on a workshop's poor wifi (issue 12 item 6), checked on the server ``make run`` runs.

Not timings (benchmarks/browser_latency.py measures those): the behaviour the figures rest on. Streamlit's
frontend JavaScript comes gzipped to a browser that asks for it, the websocket negotiates permessage-deflate,
and neither the map page nor the workshop's join form makes the browser fetch the 4.7 MB charting bundle (nor
the map page the italic font).
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

from civilkort import auth
from civilkort import workshop as ws
from civilkort.store import Store
from tests.browser.appserver import ENTRY, AppServer, copy_data, page_opener, poll, serving, wait_idle
from tests.browser.conftest import OfflinePage
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
CHARTING_BUNDLE = re.compile(r"/static/js/PlotlyChart\.[^/]*\.js")
# Streamlit's italic text face (0.14 MB): a browser fetches it only when some text on the page is italic
ITALIC_FONT = re.compile(r"/static/media/SourceSans[^/]*-Italic\.")


@pytest.fixture(scope="module")
def server(small_db_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    data = copy_data(small_db_dir, tmp_path_factory, "wifi-app")
    # a running workshop, so that /workshop shows its join form
    ws.create_workshop(Store(data / "store.sqlite"), auth.operator("test"), "Wifi", held_on=dt.date.today())
    with serving(data, tmp_path_factory.mktemp("streamlit-wifi")) as srv:
        yield srv


@pytest.fixture
def open_page(offline_pages: Callable[..., OfflinePage], server: AppServer, request) -> Iterator[Callable]:
    yield from page_opener(offline_pages, server, request, VIEWPORT)


def _get(url: str, **headers: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
        return response.read(), {k.lower(): v for k, v in response.headers.items()}


def test_make_run_serves_the_entry_the_tests_serve() -> None:
    assert re.search(rf"streamlit run {re.escape(ENTRY)}\b", (PROJECT_ROOT / "Makefile").read_text())


def test_the_frontend_javascript_comes_gzipped_when_the_browser_asks(server: AppServer) -> None:
    html, _ = _get(f"{server.base}/")
    scripts = re.findall(rb'src="\.?/?(static/js/[^"]+\.js)"', html)
    assert scripts, html[:500]
    url = f"{server.base}/{scripts[0].decode()}"
    plain, plain_headers = _get(url, **{"Accept-Encoding": "identity"})
    packed, headers = _get(url, **{"Accept-Encoding": "gzip, deflate, br"})
    assert "content-encoding" not in plain_headers  # a client that does not ask gets it as it is
    assert headers.get("content-encoding") == "gzip"
    assert gzip.decompress(packed) == plain
    assert len(packed) < len(plain) / 2


def test_the_websocket_negotiates_compression(server: AppServer) -> None:
    url = server.base.replace("http://", "ws://") + "/_stcore/stream"
    with connect(url, compression="deflate", origin=server.base, subprotocols=["streamlit"]) as socket:
        extensions = socket.response.headers.get("Sec-WebSocket-Extensions", "")
    assert "permessage-deflate" in extensions


def _map_drawn(page) -> bool:
    for frame in page.frames:
        if "streamlit_folium" in frame.url:
            try:
                return frame.evaluate(
                    "() => document.querySelectorAll('.leaflet-pane path, .leaflet-marker-icon').length > 0"
                )
            except Exception:  # noqa: BLE001 - the frame may be replaced while we look
                return False
    return False


def test_the_map_page_and_the_join_form_do_not_fetch_the_charting_bundle(
    open_page: Callable[[str], OfflinePage], offline_pages: Callable[..., OfflinePage], server: AppServer
) -> None:
    opage = open_page("")
    page = opage.page
    page.get_by_role("heading", name=re.compile("^Kort: ")).wait_for(timeout=30_000)
    page.get_by_role("heading", name="Tilbud pr. tema").wait_for(timeout=30_000)
    poll(page, lambda: _map_drawn(page), "kortet tegnet", timeout=60)
    # the counts by theme are there, as a table a screen reader reads
    assert page.get_by_role("table", name="Antal tilbud").get_by_role("row").count() > 2
    wait_idle(page)
    assert not [u for u in opage.requests if CHARTING_BUNDLE.search(u)], "kortsiden hentede plotly-bundtet"
    # nothing on the map page (nor the banner every page shows) is set in italics: names are in »…«
    assert not [u for u in opage.requests if ITALIC_FONT.search(u)], "kortsiden hentede den kursive skrift"

    phone = offline_pages(viewport=PHONE)
    phone.page.goto(f"{server.base}/workshop")
    phone.page.get_by_role("textbox", name="Workshoppens kode").wait_for(timeout=30_000)
    wait_idle(phone.page)
    assert not [u for u in phone.requests if CHARTING_BUNDLE.search(u)], (
        "workshopsiden hentede plotly-bundtet"
    )
    # the check can fail: a page with a chart does fetch it
    other = open_page("sammenlign")
    other.page.locator("[data-testid=stPlotlyChart]").first.wait_for(timeout=30_000)
    assert [u for u in other.requests if CHARTING_BUNDLE.search(u)]
