"""The app as a real server for the browser tests, and the waits every browser test needs.

``streamlit run serve.py`` (what ``make run`` runs: app.py, its frontend compressed) on a free port of 127.0.0.1 with its own data folder; opening pages on it in
offline browser contexts; waiting for a finished script run, a condition or a download; and the check
that nothing left the machine. Shared by the browser test modules (each starts its own server).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from civilkort import assets
from tests.browser.conftest import CHROMIUM, OfflinePage, is_local, require_or_skip
from tests.conftest import PROJECT_ROOT
from tests.services import stop_process

SERVER_START_TIMEOUT = 60
SETTLED_JS = (Path(__file__).parent / "assets" / "settled.js").read_text(encoding="utf-8")
"""JS listing what in a document still moves or arrives (an empty list: settled)."""
ENTRY = "serve.py"
"""The script ``make run`` hands to ``streamlit run`` (tests/browser/test_wifi_budget.py checks they agree)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class AppServer:
    """A ``streamlit run serve.py`` subprocess on 127.0.0.1; ``used`` once a test has opened a page on it."""

    base: str
    process: subprocess.Popen
    log: Path
    used: bool = False

    def stop(self) -> None:
        stop_process(self.process)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_server(
    data_dir: Path,
    log_dir: Path,
    env: Mapping[str, str] | None = None,
    *,
    port: int | None = None,
    args: Sequence[str] = (),
) -> AppServer:
    """Start the app on ``port`` (default: a free one) with CIVILKORT_DATA_DIR (and ``env``) set, and extra
    ``streamlit run`` options ``args`` (e.g. ``--secrets.files``); wait for /_stcore/health."""
    port = port or free_port()
    log = log_dir / f"streamlit-{port}.log"
    environment = {**os.environ, **(env or {}), "CIVILKORT_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    environment.pop("CIVILKORT_STATIC_DIR", None)  # the app's own static/ (Leaflet, published map data)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "streamlit", "run", ENTRY),
                *("--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true"),
                *("--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"),
                *args,
            ],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = AppServer(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while not _healthy(server.base):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"streamlit startede ikke (kode {process.poll()}):\n{server.log_text()[-4000:]}")
        time.sleep(0.2)
    return server


def require_browser() -> None:
    """Skip without Chromium (fail where CIVILKORT_REQUIRE_BROWSER is set); fail without the map's files."""
    if not CHROMIUM.exists():
        require_or_skip(f"Chromium findes ikke på {CHROMIUM} (apt-get install chromium)")
    if assets.missing():
        pytest.fail(f"{assets.MISSING_MESSAGE} (mangler: {', '.join(assets.missing())})")


@contextmanager
def serving(data_dir: Path, log_dir: Path, env: Mapping[str, str] | None = None) -> Iterator[AppServer]:
    """A server for a module's tests, stopped at the end (also when a test fails)."""
    require_browser()
    server = start_server(data_dir, log_dir, env)
    try:
        yield server
    finally:
        server.stop()


def copy_data(source: Path, factory: pytest.TempPathFactory, name: str) -> Path:
    """A module's own copy of a data folder: builds, pointer and store (which holds the builds' personal
    fields, so rebuilds and uploads can keep them), copied so that what a module changes stays its own."""
    path = factory.mktemp(name) / "data"
    shutil.copytree(source, path)
    return path


def print_log_if_failed(request: pytest.FixtureRequest, server: AppServer) -> None:
    """After a test: the end of the server's log when the test failed (pytest shows it with the failure)."""
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(f"--- streamlit-log ({server.base}) ---\n{server.log_text()[-6000:]}")


def page_opener(
    offline_pages: Callable[..., OfflinePage],
    server: AppServer,
    request: pytest.FixtureRequest,
    viewport: dict[str, int],
) -> Iterator[Callable[[str], OfflinePage]]:
    """For an ``open_page`` fixture (``yield from``): open a path of the app in a new offline page (own
    context: a new Streamlit session) and wait for its first script run to finish."""

    def open_(path: str) -> OfflinePage:
        opage = offline_pages(viewport=viewport)
        opage.page.goto(f"{server.base}/{path}")
        wait_idle(opage.page)
        return opage

    yield open_
    print_log_if_failed(request, server)


# --- waiting and checking --------------------------------------------------------------------------


def poll(page: Any, fn: Callable[[], Any], what: str, timeout: float = 20.0, interval: float = 0.25) -> Any:
    """Call ``fn`` until it returns something truthy (errors from a reloading frame count as not yet).

    Waits with ``page.wait_for_timeout``, never ``time.sleep``: the sync Playwright client must keep serving
    the browser while waiting, or the page stalls (Streamlit's component iframe then never loads).
    """
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = fn()
        except Exception as error:  # noqa: BLE001 - a frame may detach while Streamlit re-renders
            last = error
        else:
            if last:
                return last
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: ikke efter {timeout:.0f} s (sidst: {last!r})")
        page.wait_for_timeout(interval * 1000)


def wait_idle(page: Any, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished the current script run.

    The first 200 ms stay a fixed wait: nothing in the page says that a run was asked for. A widget sends its
    rerun request without changing the page's script state (Streamlit 1.67 sets "rerunRequested" only for a
    rerun from the "r" key or the menu); the state turns "running" when the server's answer arrives, a round
    trip later. Watching the websocket for the request itself would not do either: streamlit-folium sends a
    click on the map 250 ms later (its value is debounced) from its iframe, so the request may not be sent
    yet when this is called (even these 200 ms do not cover a map click). A wait for "running" would need a
    deadline that is itself a guess, and a wait that returns before the run has started would see the
    finished previous run. So after a map click, wait for what the run shows (e.g. the side panel's
    heading) before this, as the map tests do.
    """
    page.wait_for_timeout(200)  # let a run that was just triggered start (see above)
    page.wait_for_selector(
        "[data-testid=stApp]:not([data-test-script-state=running]):not([data-test-script-state=initial])",
        timeout=timeout,
    )


def wait_settled(page: Any, timeout: float = 30.0) -> None:
    """Wait until nothing in the page or its frames still moves or arrives (tests/browser/assets/settled.js:
    a Streamlit run, animations and transitions, Leaflet zooms, tiles and cluster moves, skeletons, frames,
    charts, the data grid's paint), twice in a row: the condition before a screenshot, an axe check or a
    measurement, instead of a fixed wait. Also for a page without Streamlit (a standalone map); after an
    action that starts a run, call ``wait_idle`` first."""
    seen: list[list[str]] = []

    def moving() -> list[str]:
        found: list[str] = []
        for frame in page.frames:
            if frame.is_detached():
                continue
            try:
                found += frame.evaluate(SETTLED_JS)
            except Exception as error:  # noqa: BLE001 - a frame navigating or re-rendering: not settled yet
                found.append(f"{frame.url[:80]}: {str(error).splitlines()[0][:120]}")
        return found

    def settled() -> bool:
        seen.append(moving())
        return len(seen) >= 2 and seen[-1] == [] and seen[-2] == []

    try:
        poll(page, settled, "siden falder til ro", timeout=timeout, interval=0.1)
    except AssertionError as error:
        raise AssertionError(f"{error}; bevæger sig stadig: {seen[-1] if seen else '?'}") from None


ACTIVE_OPTION_JS = """(box) => {
  const id = box.getAttribute('aria-activedescendant');
  const option = id && document.getElementById(id);
  return option ? option.textContent.trim() : '';
}"""
"""The text of the option a select box's keyboard focus is on (react-aria sets aria-activedescendant)."""


def choose(page: Any, box: Any, option: str, *, click: bool = True) -> None:
    """Pick ``option`` in a Streamlit select box the way a keyboard user does: type it, then Enter once the
    list's keyboard focus is on a match. Enter before that (the list still filtering on a busy machine) only
    closes the list and leaves the typed text standing, not chosen, and the box empties when it loses focus,
    so an Enter can look chosen without being it. (A click on an option can miss: the list redraws under the
    pointer as it filters.) First the page must be still: the list closes when the page scrolls or shifts
    under it (a map frame growing as the page settles). ``click=False``: the box already has the focus (a
    keyboard-only walk)."""
    wait_settled(page)
    if click:
        box.click()
    page.keyboard.type(option)
    poll(page, lambda: option in box.evaluate(ACTIVE_OPTION_JS), f"{option} fremhævet i listen")
    page.keyboard.press("Enter")
    poll(page, lambda: box.get_attribute("aria-expanded") == "false" and option in box.input_value(),
         f"{option} valgt")  # fmt: skip


def frames_have_no_injected_image(page: Any) -> None:
    """No <img> made from data (a hostile name or description) in the page or any of its frames."""
    for frame in page.frames:
        try:
            count = frame.evaluate(
                '() => document.querySelectorAll(\'img[src="x"], img[src*="evil"]\').length'
            )
        except Exception:  # noqa: BLE001 - a detached frame has nothing left
            continue
        assert count == 0, f"et <img> fra data findes i {frame.url}"


def assert_clean(opage: OfflinePage, base: str) -> None:
    """Nothing left localhost, no dialog, no script error, no injected image, no traceback or error box."""
    page = opage.page
    assert opage.blocked == [], f"forespørgsler ud af maskinen: {opage.blocked}"
    outside = [u for u in opage.requests if not (u.startswith(base) or is_local(u))]
    assert outside == [], outside
    assert opage.dialogs == [], f"dialog(er) åbnet: {opage.dialogs}"
    assert opage.errors == [], f"scriptfejl: {opage.errors}"
    frames_have_no_injected_image(page)
    assert page.locator("[data-testid=stException]").count() == 0
    text = page.locator("[data-testid=stMain]").inner_text()
    assert "Traceback" not in text and "Noget gik galt" not in text, text[:2000]


def download(page: Any, button: str, attempts: int = 2) -> Any:
    """Click a download button and return the download; the file is made on the click (deferred data),
    which takes a server round trip, so wait for the app to be idle first and try once more if needed.
    The button is disabled while its file is being made: a second try waits for that to end, never clicks a
    disabled button (on a busy machine the first file can take long, not fail)."""
    for attempt in range(attempts):
        wait_idle(page)
        target = page.get_by_role("button", name=button, exact=True).first
        poll(page, target.is_enabled, f"knappen {button!r} er klar", timeout=60)
        try:
            with page.expect_download(timeout=60_000) as info:
                target.click()
            return info.value
        except Exception:  # noqa: BLE001 - a click swallowed by a rerun: try again
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")
