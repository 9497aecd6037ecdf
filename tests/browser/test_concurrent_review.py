"""Two coordinators review the same workshop entry, each in their own browser: the first to accept wins, the
second is refused on the page with the store's Danish message naming the first and when, and then sees the
queue as it is. Nothing is overwritten. Screenshot: ``test-output/samtidig-*.png``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from civilkort import auth
from civilkort import workshop as ws
from civilkort.store import Store
from tests.browser.appserver import AppServer, assert_clean, copy_data, page_opener, poll, serving, wait_idle
from tests.browser.conftest import COORDINATOR_CODE, OfflinePage

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1300, "height": 950}


@pytest.fixture(scope="module")
def review_data(small_db_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_data(small_db_dir, tmp_path_factory, "concurrent-app")


@pytest.fixture(scope="module")
def server(review_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    Store(review_data / "store.sqlite").close()  # made (and migrated) before the server opens it
    with serving(review_data, tmp_path_factory.mktemp("streamlit-concurrent")) as srv:
        yield srv


@pytest.fixture
def open_page(offline_pages: Callable[..., OfflinePage], server: AppServer, request) -> Iterator[Callable]:
    yield from page_opener(offline_pages, server, request, VIEWPORT)


def _main(page: Any) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def _sign_in(page: Any, name: str) -> None:
    form = page.locator("[data-testid=stForm]").filter(has=page.get_by_label("Koordinatorkode"))
    form.get_by_label("Dit navn").fill(name)
    form.get_by_label("Koordinatorkode").fill(COORDINATOR_CODE)
    form.get_by_role("button", name="Log ind som koordinator").click()
    wait_idle(page)
    poll(page, lambda: "Til gennemgang" in _main(page), f"gennemgangen for {name}")


def _choose_accept(page: Any, entry_id: str) -> Any:
    """Pick 'Godkend' for the entry; returns its Godkend button."""
    page.locator(f".st-key-rv-action-{entry_id}").get_by_text("Godkend", exact=True).click()
    button = page.locator(f".st-key-rv-accept-{entry_id}").get_by_role("button")
    button.wait_for(timeout=20_000)
    wait_idle(page)
    return button


def test_the_second_coordinator_is_refused_naming_the_first(open_page, server, review_data) -> None:
    store = Store(review_data / "store.sqlite")
    row, code = ws.create_workshop(store, auth.operator("test"), "Workshop Aarhus", held_on=dt.date.today(),
                                   council_id="aarhus")  # fmt: skip
    guest = ws.join(store, auth.ANONYMOUS, row["workshop_id"], code, "Mette")
    entry = ws.add_entry(store, guest, row["workshop_id"], "note", {"note_type": "hul", "text": "Intet for unge"},
                         client_token="samtidig-1", municipality="Aarhus").entry  # fmt: skip
    eid = entry["entry_id"]

    karin, ole = open_page("gennemgang"), open_page("gennemgang")
    _sign_in(karin.page, "Karin Koordinator")
    _sign_in(ole.page, "Ole Olsen")
    first, second = _choose_accept(karin.page, eid), _choose_accept(ole.page, eid)  # both see it, unreviewed

    first.click()
    poll(karin.page, lambda: "Godkendt: Hul: Intet for unge" in _main(karin.page), "Karins godkendelse")
    second.click()
    alert = ole.page.locator("[data-testid=stAlertContentError] [data-testid=stMarkdownContainer]")
    refusal = poll(ole.page, lambda: alert.count() and alert.first.inner_text(), "afvisningen af Ole")
    assert refusal.startswith("Indtastningen 'Hul: Intet for unge' er ændret af Karin Koordinator den "), (
        refusal
    )
    assert refusal.endswith("Din ændring er ikke gemt: genindlæs, se ændringen, og ret igen."), refusal
    poll(ole.page, lambda: "Ingen indtastninger venter." in _main(ole.page), "Oles kø, som den er nu")
    ole.screenshot("samtidig-1-anden-koordinator-afvist", full_page=True)

    stored = ws.get_entry(store, eid)
    assert (stored["status"], stored["reviewed_by"], stored["version"]) == (
        "godkendt",
        "Karin Koordinator",
        2,
    )
    assert [a["action"] for a in store.history(entity="entries")].count("godkend") == 1
    for opage in (karin, ole):  # a refusal, not a traceback
        assert_clean(opage, server.base)
