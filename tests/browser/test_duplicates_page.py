"""'Mulige dubletter' in a real headless Chromium on the council-scale example data (what ``make run`` shows).

A viewer sees the count and the lock; a coordinator logs in with the code, sees the pairs side by side,
keeps one apart and applies the decisions. Screenshots: ``test-output/dubletter-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from civilkort.store import open_store
from tests.browser.appserver import AppServer, serving, wait_idle, wait_settled
from tests.browser.conftest import OfflinePage, new_offline_page
from tests.conftest import PROJECT_ROOT, TODAY, clean_input, real_boundaries_path

pytestmark = pytest.mark.browser

CODE = "dublet-test-kode"
VIEWPORT = {"width": 1400, "height": 1100}


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory, tiny_boundaries) -> Path:
    from civilkort.settings import Settings
    from etl import boundaries as boundary_io
    from etl import demo
    from etl.build import build

    path = tmp_path_factory.mktemp("dubletter-db")
    real = real_boundaries_path()
    shapes = boundary_io.load(real) if real is not None else tiny_boundaries
    cfg = Settings(data_dir=path, static_dir=PROJECT_ROOT / "static")
    tables = demo.generate("council", seed=2027, today=TODAY)
    build(
        clean_input(tables), boundaries=shapes, meta={"is_example": "true", "inputs": "Eksempeldata"}, cfg=cfg
    )
    return path


@pytest.fixture(scope="module")
def server(data_folder, tmp_path_factory) -> Iterator[AppServer]:
    env = {"CIVILKORT_KOORDINATOR_KODE": CODE}
    with serving(data_folder, tmp_path_factory.mktemp("dubletter-streamlit"), env) as app:
        yield app


@pytest.fixture
def browser_page(chromium, request) -> Iterator[OfflinePage]:
    opage, context = new_offline_page(chromium, VIEWPORT)
    yield opage
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        opage.screenshot(f"FAILED-{request.node.name}")
    context.close()


def _idle(page) -> None:
    """The run is over and the page has settled (before a screenshot); runs here can be slow (a rebuild)."""
    wait_idle(page, timeout=60_000)
    wait_settled(page, timeout=60)


def test_viewer_then_coordinator_decides_and_applies(server, browser_page, data_folder):
    page = browser_page.page
    page.goto(f"{server.base}/dubletter")
    page.get_by_role("heading", name="Mulige dubletter").wait_for(timeout=60_000)
    _idle(page)
    page.get_by_text("koordinatoradgang", exact=False).first.wait_for(timeout=10_000)
    assert page.get_by_role("button", name="Hold adskilt").count() == 0
    browser_page.screenshot("dubletter-laeser")

    page.get_by_label("Dit navn").fill("Kim")
    page.get_by_label("Koordinatorkode").fill(CODE)
    page.get_by_role("button", name="Log ind som koordinator").click()
    page.get_by_role("button", name="Hold adskilt").first.wait_for(timeout=60_000)
    _idle(page)
    assert page.get_by_role("button", name=re.compile("Flet – behold venstre")).count() >= 5
    page.get_by_text("samme CVR, navne ens", exact=False).first.wait_for()
    browser_page.screenshot("dubletter-koordinator", full_page=True)

    page.get_by_role("button", name="Hold adskilt").first.click()
    page.get_by_text("holdes adskilt", exact=False).first.wait_for(timeout=30_000)
    _idle(page)
    browser_page.screenshot("dubletter-besluttet")
    from civilkort.settings import Settings

    cfg = Settings(data_dir=data_folder, static_dir=PROJECT_ROOT / "static")
    assert len(open_store(cfg).rows("SELECT * FROM duplicate_decisions")) == 1

    page.get_by_role("button", name="Anvend nu").click()
    page.get_by_text("Data er bygget igen", exact=False).first.wait_for(timeout=120_000)
    _idle(page)
    browser_page.screenshot("dubletter-anvendt")
    assert not browser_page.blocked and not browser_page.errors
