"""The workshop room's sessions in Chromium: the facilitator's code shown again after a reload, a
participant's typed text kept through a reload, a changed code typed in place, *Forlad workshoppen*, and the
projector link (presents without coordinator rights, refused on the pages that write).

The projector opens on the presentation's *Deltag* step: the code very large, the QR code and the join
link, with the clicker's keys still working and a new code on the wall within seconds.

Screenshots go to ``test-output/vaerelse-*.png`` at phone (390×844) and projector (1920×1080) size.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from civilkort import auth, projector, session_token
from civilkort import workshop as ws
from civilkort.store import Store
from tests.browser import a11y
from tests.browser.appserver import (
    AppServer,
    choose,
    copy_data,
    poll,
    print_log_if_failed,
    serving,
    wait_idle,
)
from tests.browser.conftest import COORDINATOR_CODE, OfflinePage
from tests.browser.oidc_app import status

pytestmark = pytest.mark.browser

SECRET = secrets.token_hex(32)
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
LAPTOP = {"width": 1300, "height": 1000}


@pytest.fixture(scope="module")
def room_data(small_db_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_data(small_db_dir, tmp_path_factory, "vaerelse")


@pytest.fixture(scope="module")
def server(room_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with serving(
        room_data, tmp_path_factory.mktemp("vaerelse-logs"), {"CIVILKORT_COOKIE_SECRET": SECRET}
    ) as s:
        yield s


@pytest.fixture
def app(server: AppServer, request: pytest.FixtureRequest) -> Iterator[AppServer]:
    yield server
    print_log_if_failed(request, server)


def _store(room_data: Path) -> Store:
    return Store(room_data / "store.sqlite")


def _boss() -> auth.Principal:
    return auth.from_coordinator_code("Facilitator", COORDINATOR_CODE, expected=COORDINATOR_CODE)


def _workshop(room_data: Path, name: str) -> tuple[dict, str]:
    return ws.create_workshop(
        _store(room_data), _boss(), name, held_on=dt.date.today(), council_id="aarhus", secret=SECRET
    )


def _open(page: Any, url: str) -> None:
    page.goto(url)
    wait_idle(page)


def _main(page: Any) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def _cookie(page: Any) -> dict | None:
    found = [c for c in page.context.cookies() if c["name"] == session_token.COOKIE_NAME]
    return found[0] if found else None


def _join(page: Any, base: str, workshop_id: str, code: str, name: str) -> None:
    _open(page, f"{base}/workshop?deltag={workshop_id}")
    page.locator(".st-key-ws_join_code input").fill(code)
    page.locator(".st-key-ws_join_name input").fill(name)
    page.get_by_role("button", name="Deltag").click()
    wait_idle(page)
    page.get_by_role("button", name="Gem").wait_for(timeout=20_000)
    poll(page, lambda: _cookie(page), "sessionscookien er sat")
    # the form's draft keeper has seen the form (it keeps only what is typed after it runs)
    page.wait_for_function("() => window.__civilkortDraft && window.__civilkortDraft.kindAsked")


def _place(page: Any) -> None:
    box = page.get_by_role("combobox", name="Kommune (uden nål)")
    if "Aarhus" in (box.input_value() or ""):  # still chosen from before (kept through a rerun)
        return
    choose(page, box, "Aarhus")


def _axe_clean(page: Any) -> None:
    """No serious or critical WCAG 2.1 A/AA violation on the page as it is now."""
    found = a11y.blocking(a11y.violations(page))
    assert found == [], [(v["id"], v["help"]) for v in found]


def _note_field(page: Any) -> Any:
    return page.locator(".st-key-ws-capture textarea").first


# --- the facilitator ---------------------------------------------------------------------------------


def test_the_facilitator_reloads_and_shows_the_running_code_again(
    app: AppServer, offline_pages: Callable[..., OfflinePage]
) -> None:
    opage = offline_pages(viewport=PROJECTOR)
    page = opage.page
    _open(page, f"{app.base}/workshop")
    form = page.locator("[data-testid=stForm]").filter(
        has=page.get_by_role("textbox", name="Koordinatorkode")
    )
    form.get_by_role("textbox", name="Dit navn").fill("Kirsten")
    form.get_by_role("textbox", name="Koordinatorkode").fill(COORDINATOR_CODE)
    form.get_by_role("button", name="Log ind som koordinator").click()
    wait_idle(page)
    page.locator(".st-key-ws_new_name input").fill("Workshop om lighed")
    page.get_by_role("button", name="Opret workshop").click()
    wait_idle(page)
    banner = page.locator(".st-key-ws-code-banner")
    code = poll(page, lambda: re.search(r"\d{4}-\d{4}", banner.inner_text()), "koden vises").group(0)

    page.reload()  # the facilitator's reload: still coordinator, and the code can be shown again
    wait_idle(page)
    poll(page, lambda: "Kirsten" in status(page), "koordinator efter genindlæsning")
    assert code not in _main(page)
    page.get_by_role("button", name="Vis koden stort").first.click()
    wait_idle(page)
    poll(page, lambda: code in page.locator(".st-key-ws-code-banner").inner_text(), "koden vises igen")
    _axe_clean(page)
    opage.screenshot("vaerelse-1-koden-igen-projektor")


# --- the participant ---------------------------------------------------------------------------------


def test_what_a_participant_typed_comes_back_after_a_reload_and_is_saved(
    app: AppServer, room_data: Path, offline_pages: Callable[..., OfflinePage]
) -> None:
    row, code = _workshop(room_data, "Workshop Nord")
    page = offline_pages(viewport=PHONE).page
    _join(page, app.base, row["workshop_id"], code, "Mette")
    text = "Mangler en løbeklub for unge i Gellerup"
    _note_field(page).fill(text)
    page.reload()
    wait_idle(page)
    page.get_by_role("button", name="Gem").wait_for(timeout=20_000)
    poll(page, lambda: _note_field(page).input_value() == text, "teksten er tilbage efter genindlæsning")
    assert "Mette" in _main(page)
    # what came back is what the form sends: Gem saves it
    _place(page)
    page.get_by_role("button", name="Gem").click()
    wait_idle(page)
    poll(
        page,
        lambda: any(text in e["title"] for e in ws.entries(_store(room_data), row["workshop_id"])),
        "gemt",
    )
    poll(page, lambda: _note_field(page).input_value() == "", "en ny, tom formular")
    page.reload()  # after a save the draft is gone: the new form stays empty
    wait_idle(page)
    page.get_by_role("button", name="Gem").wait_for(timeout=20_000)
    page.wait_for_function("() => window.__civilkortDraft && window.__civilkortDraft.kindAsked")
    assert _note_field(page).input_value() == ""


def test_a_changed_code_is_typed_in_place_and_the_form_keeps_its_text(
    app: AppServer, room_data: Path, offline_pages: Callable[..., OfflinePage]
) -> None:
    row, code = _workshop(room_data, "Workshop Syd")
    opage = offline_pages(viewport=PHONE)
    page = opage.page
    _join(page, app.base, row["workshop_id"], code, "Ole")
    text = "Idé: gåtur fra hospitalet"
    _note_field(page).fill(text)
    new = ws.new_code(_store(room_data), _boss(), row["workshop_id"], secret=SECRET)
    # no place yet (a note needs none): the page redraws its form when it notices the new code, which would
    # close a select box opened now
    page.get_by_role(
        "button", name="Gem"
    ).click()  # refused: the code changed; the field for it is right here
    wait_idle(page)
    field = page.get_by_role("textbox", name="Den nye kode")
    field.wait_for(timeout=20_000)
    assert "Workshoppens kode er skiftet" in _main(page)
    _axe_clean(page)
    field.focus()  # by keyboard: the field, then its button
    page.keyboard.press("Tab")
    assert (
        page.evaluate("() => document.activeElement.innerText").strip().endswith("Fortsæt med den nye kode")
    )
    opage.screenshot("vaerelse-2-ny-kode-telefon", full_page=True)
    field.fill(new)
    page.get_by_role("button", name="Fortsæt med den nye kode").click()
    wait_idle(page)
    poll(page, lambda: page.get_by_role("textbox", name="Den nye kode").count() == 0, "koden er godtaget")
    poll(page, lambda: _note_field(page).input_value() == text, "teksten står der stadig")
    _place(page)
    page.get_by_role("button", name="Gem").click()
    wait_idle(page)
    poll(
        page,
        lambda: any(text in e["title"] for e in ws.entries(_store(room_data), row["workshop_id"])),
        "gemt",
    )

    # a reload after another new code: name and workshop are known, the field is right there
    newer = ws.new_code(_store(room_data), _boss(), row["workshop_id"], secret=SECRET)
    page.reload()
    wait_idle(page)
    page.get_by_role("textbox", name="Den nye kode").fill(newer)
    page.get_by_role("button", name="Fortsæt med den nye kode").click()
    wait_idle(page)
    poll(page, lambda: "Ole" in status(page) and "workshopdeltager" in status(page), "med igen efter reload")


def test_leaving_the_workshop_ends_the_session(
    app: AppServer, room_data: Path, offline_pages: Callable[..., OfflinePage]
) -> None:
    row, code = _workshop(room_data, "Workshop Vest")
    opage = offline_pages(viewport=PHONE)
    page = opage.page
    _join(page, app.base, row["workshop_id"], code, "Sara")
    _note_field(page).fill("Et udkast, der skal væk")
    opage.screenshot("vaerelse-3-deltager-telefon", full_page=True)
    _axe_clean(page)
    page.get_by_role("button", name="Forlad workshoppen").click()
    wait_idle(page)
    page.get_by_role("button", name="Deltag").wait_for(timeout=20_000)
    poll(page, lambda: _cookie(page) is None, "cookien er slettet")
    assert page.evaluate("() => window.sessionStorage.getItem('civilkort.workshop.udkast')") is None
    page.reload()
    wait_idle(page)
    page.get_by_role("button", name="Deltag").wait_for(timeout=20_000)
    assert status(page) == ""


# --- the projector -----------------------------------------------------------------------------------


def test_the_projector_link_presents_without_coordinator_rights_and_is_refused_on_write_pages(
    app: AppServer, room_data: Path, offline_pages: Callable[..., OfflinePage]
) -> None:
    row, _ = _workshop(room_data, "Workshop Øst")
    token, _ = projector.issue(_store(room_data), _boss(), row["workshop_id"], SECRET)
    opage = offline_pages(viewport=PROJECTOR)
    page = opage.page
    _open(page, f"{app.base}/praesentation?{projector.LINK_PARAM}={token}")
    poll(
        page, lambda: "sekvens=standard" in page.url and "omraade=council%3Aaarhus" in page.url, "præsenterer"
    )
    assert token not in page.url
    page.locator(".st-key-ck-title h1").wait_for(timeout=30_000)
    poll(page, lambda: page.locator("[data-testid=stSidebar]").is_hidden(), "fuld skærm: intet sidepanel")
    cookie = poll(page, lambda: _cookie(page), "projektorens cookie")
    assert cookie["sameSite"] == "Strict"
    assert "Projektor for Workshop Øst" not in _main(page)  # presenting: nothing of the sign-in on the wall
    page.get_by_role("button", name="Næste").first.click()  # the map step, drawn before the screenshot
    wait_idle(page)
    stage = page.locator(".st-key-ck-stage iframe, .st-key-ck-stage .stPlotlyChart").first
    stage.wait_for(timeout=30_000)
    poll(
        page,
        lambda: (
            page.locator(".st-key-ck-stage .leaflet-pane, .st-key-ck-stage svg").count()
            or page.frame_locator(".st-key-ck-stage iframe").first.locator(".leaflet-pane").count()
        ),
        "trinnet er tegnet",
    )
    opage.screenshot("vaerelse-4-projektor")

    page.reload()  # the projector screen survives a reload
    wait_idle(page)
    page.locator(".st-key-ck-title h1").wait_for(timeout=30_000)

    for path in ("workshop", "gennemgang"):
        _open(page, f"{app.base}/{path}")
        poll(page, lambda: "Du er på en projektorskærm" in _main(page), f"{path} afviser projektoren")
        assert page.get_by_role("textbox", name="Koordinatorkode").count() == 0
        assert page.get_by_role("textbox", name="Workshoppens kode").count() == 0
        assert page.get_by_role("button", name="Gem").count() == 0
    opage.screenshot("vaerelse-5-projektor-afvist")

    page.locator("[data-testid=stSidebar]").get_by_role("button", name="Ud").click()  # the screen is freed
    wait_idle(page)
    poll(page, lambda: _cookie(page) is None, "projektorens cookie er slettet")


def test_the_projector_opens_on_the_deltag_step_with_the_code_and_the_qr_code_large(
    app: AppServer, room_data: Path, offline_pages: Callable[..., OfflinePage]
) -> None:
    # Fyn: the other tests' workshops are Aarhus's, so this wall shows this one workshop
    row, code = ws.create_workshop(
        _store(room_data), _boss(), "Workshop Fyn", held_on=dt.date.today(), council_id="fyn", secret=SECRET
    )
    token, _ = projector.issue(_store(room_data), _boss(), row["workshop_id"], SECRET)
    opage = offline_pages(viewport=PROJECTOR)
    page = opage.page
    _open(page, f"{app.base}/praesentation?{projector.LINK_PARAM}={token}")
    poll(
        page,
        lambda: "visning=deltag" in page.url and re.search(r"trin=1\b", page.url),
        "Deltag er første trin",
    )
    join = page.locator(".st-key-ck-join")
    poll(page, lambda: code in join.inner_text(), "koden vises på projektoren")
    shown = join.inner_text().replace("\u2060", "")  # ui.text.md breaks autolinks with a word joiner
    assert f"{app.base}/workshop?deltag={row['workshop_id']}" in shown  # the join link, to the workshop page
    qr = join.get_by_role("img", name="QR-kode med linket til workshoppen")
    poll(page, lambda: qr.evaluate("img => img.complete && img.naturalWidth > 0"), "QR-koden er tegnet")
    # readable from the back of the room, and all of it on the screen without scrolling
    code_px = join.locator("h1 code").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert code_px >= 120, code_px
    for part in (join.locator("h1 code"), qr):
        box = part.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PROJECTOR["width"]
        assert box["y"] + box["height"] <= PROJECTOR["height"], box
    assert qr.bounding_box()["width"] >= 400
    _axe_clean(page)
    opage.screenshot("vaerelse-6-deltag-projektor")

    qr.click()  # someone points at the QR code with the mouse: the clicker still changes the step
    page.keyboard.press("PageDown")
    poll(page, lambda: re.search(r"trin=2\b", page.url), "klikkeren går videre")
    page.locator(".st-key-ck-title h1").filter(has_text="Overblik").wait_for(timeout=30_000)
    page.keyboard.press("PageUp")
    poll(page, lambda: "visning=deltag" in page.url, "og tilbage til Deltag")
    poll(page, lambda: code in page.locator(".st-key-ck-join").inner_text(), "koden vises igen")
    new = ws.new_code(_store(room_data), _boss(), row["workshop_id"], secret=SECRET)  # *Ny kode*
    poll(
        page,
        lambda: new in page.locator(".st-key-ck-join").inner_text(),
        "den nye kode på væggen uden tastetryk",
    )


def test_the_facilitator_hands_out_the_projector_link(
    app: AppServer, room_data: Path, offline_pages: Callable[..., OfflinePage]
) -> None:
    _workshop(room_data, "Workshop med projektor")
    page = offline_pages(viewport=PROJECTOR).page
    _open(page, f"{app.base}/workshop")
    form = page.locator("[data-testid=stForm]").filter(
        has=page.get_by_role("textbox", name="Koordinatorkode")
    )
    form.get_by_role("textbox", name="Dit navn").fill("Kirsten")
    form.get_by_role("textbox", name="Koordinatorkode").fill(COORDINATOR_CODE)
    form.get_by_role("button", name="Log ind som koordinator").click()
    wait_idle(page)
    page.get_by_role("button", name="Projektorlink").first.click()
    wait_idle(page)
    link = poll(
        page,
        lambda: re.search(r"http://\S+/praesentation\?projektor=[\w.-]+", _main(page)),
        "projektorlinket vises",
    ).group(0)
    _axe_clean(page)
    screen = offline_pages(viewport=PROJECTOR).page  # another screen, not logged in
    _open(screen, link)
    screen.locator(".st-key-ck-title h1").wait_for(timeout=30_000)
    assert "sekvens=standard" in screen.url
