"""Browser fixtures: headless Chromium that may only talk to localhost, a static file server, screenshots.

Every request to another host is blocked and recorded (``OfflinePage.blocked``), so a test can assert that
nothing left the machine. Tests skip when Chromium is missing, unless ``CIVILKORT_REQUIRE_BROWSER=1``
(then they fail). Screenshots go to ``test-output/``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = PROJECT_ROOT / "test-output"
CHROMIUM = Path(os.environ.get("CIVILKORT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about", "chrome-error"}


COORDINATOR_CODE = "browser-test-koordinator"
"""The coordinator code (CIVILKORT_KOORDINATOR_KODE) every test server in tests/browser starts with."""


@pytest.fixture(scope="module", autouse=True)
def coordinator_code() -> Iterator[str]:
    """Set CIVILKORT_KOORDINATOR_KODE for the module, so a server started from it knows the code."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CIVILKORT_KOORDINATOR_KODE", COORDINATOR_CODE)
        yield COORDINATOR_CODE


def require_or_skip(reason: str) -> None:
    """Skip the test, or fail it when the environment says browser tests are required."""
    if os.environ.get("CIVILKORT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (CIVILKORT_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def is_local(url: str) -> bool:
    """True for URLs that stay on this machine."""
    parsed = urlparse(url)
    return parsed.scheme in LOCAL_SCHEMES or (parsed.hostname or "") in LOCAL_HOSTS


@dataclass
class OfflinePage:
    """A Playwright page plus what happened on it."""

    page: Any
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def screenshot(self, name: str, **kwargs: Any) -> Path:
        """Save a PNG under test-output/ and return its path."""
        SCREENSHOT_DIR.mkdir(exist_ok=True)
        path = SCREENSHOT_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
        self.page.screenshot(path=str(path), **kwargs)
        return path


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Chromium (Debian's /usr/bin/chromium; never downloads a browser)."""
    if not CHROMIUM.exists():
        require_or_skip(f"Chromium findes ikke på {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip("playwright er ikke installeret (pip install -r requirements-dev.txt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_offline_page(chromium: Any, viewport: dict[str, int] | None = None) -> tuple[OfflinePage, Any]:
    """A page in a fresh browser context whose requests to anything but localhost are blocked and recorded.

    Returns the page and its context (close the context when done). Dialogs (``alert``) from the page or any
    of its frames are dismissed and recorded, as are uncaught script errors.
    """
    context = chromium.new_context(
        viewport=viewport or {"width": 1200, "height": 800}, locale="da-DK", service_workers="block"
    )
    result = OfflinePage(page=None)

    def route(r: Any) -> None:
        url = r.request.url
        if is_local(url):
            r.continue_()
        else:
            result.blocked.append(url)
            r.abort()

    def route_socket(ws: Any) -> None:
        if is_local(ws.url):
            ws.connect_to_server()
        else:
            result.blocked.append(ws.url)
            ws.close()

    context.route("**/*", route)
    context.route_web_socket(re.compile(".*"), route_socket)
    page = context.new_page()
    page.on("request", lambda request: result.requests.append(request.url))
    page.on(
        "dialog", lambda dialog: (result.dialogs.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss())
    )
    page.on("pageerror", lambda error: result.errors.append(str(error)))
    result.page = page
    return result, context


@pytest.fixture
def offline_page(chromium: Any) -> Iterator[OfflinePage]:
    """A fresh page whose requests to anything but localhost are blocked and recorded."""
    result, context = new_offline_page(chromium)
    yield result
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[Any]:
    """Keep each phase's report on the test item (``item.rep_call``), so fixtures can tell a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def offline_pages(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., OfflinePage]]:
    """Factory for more offline pages in one test (each in its own context, so no shared session or cookies).

    ``offline_pages(viewport={"width": 1400, "height": 1000})``; all are closed at teardown. When the test
    failed, each page's last state is saved first as ``test-output/FAILED-<test>-<n>.png``.
    """
    made: list[tuple[OfflinePage, Any]] = []

    def make(viewport: dict[str, int] | None = None) -> OfflinePage:
        result, context = new_offline_page(chromium, viewport)
        made.append((result, context))
        return result

    yield make
    report = getattr(request.node, "rep_call", None)
    for n, (result, context) in enumerate(made, start=1):
        if report is not None and report.failed:
            with contextlib.suppress(Exception):  # the page may be gone; the failure itself is what matters
                result.screenshot(f"FAILED-{request.node.name}-{n}")
        context.close()


@pytest.fixture
def serve_directory() -> Iterator[Callable[[Path], str]]:
    """Serve a folder over http://127.0.0.1:<free port>/ in a thread; returns the base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    def serve(directory: Path) -> str:
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(directory))
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()
