"""A whole workshop in real browsers, offline: the facilitator creates it, two participants in their own
browser contexts join and save at the same moment, each sees the other's entry within seconds without
reloading (list and map), and the coordinator reviews one entry and undoes the decision.

Every request to another host is blocked and recorded; the test asserts none was made. Screenshots go to
``test-output/workshop-*.png``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from civilkort import auth
from civilkort import workshop as ws
from civilkort.store import Store
from tests.browser.appserver import (
    AppServer,
    assert_clean,
    choose,
    copy_data,
    download,
    page_opener,
    poll,
    serving,
    wait_idle,
    wait_settled,
)
from tests.browser.conftest import COORDINATOR_CODE, OfflinePage

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1400, "height": 1000}
SEEN_WITHIN_S = 12.0
"""A new entry must show on another open screen within this (the screens poll every 3–4 s)."""


@pytest.fixture(scope="module")
def workshop_data(small_db_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_data(small_db_dir, tmp_path_factory, "workshop-app")


@pytest.fixture(scope="module")
def server(workshop_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with serving(workshop_data, tmp_path_factory.mktemp("streamlit-workshop")) as srv:
        yield srv


@pytest.fixture
def open_page(offline_pages: Callable[..., OfflinePage], server: AppServer, request) -> Iterator[Callable]:
    yield from page_opener(offline_pages, server, request, VIEWPORT)


def _shot(opage: OfflinePage, name: str) -> Path:
    path = opage.screenshot(f"workshop-{name}", full_page=True)
    assert path.stat().st_size > 10_000, path
    return path


def _key(page: Any, key: str) -> Any:
    """The element Streamlit made for a widget with this key."""
    return page.locator(f".st-key-{key}")


def _log_in_as_coordinator(page: Any) -> None:
    form = page.locator("[data-testid=stForm]").filter(
        has=page.get_by_role("textbox", name="Koordinatorkode")
    )
    form.get_by_role("textbox", name="Dit navn").fill("Kirsten Koordinator")
    form.get_by_role("textbox", name="Koordinatorkode").fill(COORDINATOR_CODE)
    form.get_by_role("button", name="Log ind som koordinator").click()
    wait_idle(page)


def _choose(page: Any, label: str, option: str) -> None:
    """Pick ``option`` in the select box labelled ``label`` (appserver.choose)."""
    choose(page, page.get_by_role("combobox", name=label), option)


def _entry_count(page: Any) -> int:
    heading = page.get_by_role("heading", name=re.compile(r"^Indtastninger \(\d+\)"))
    match = re.search(r"\((\d+)\)", heading.first.inner_text()) if heading.count() else None
    return int(match.group(1)) if match else -1


def _map_iframe(page: Any) -> Any:
    """The (only) map's component iframe element on the page."""
    return page.locator('[data-testid=stMain] iframe[src*="/component/streamlit_folium.st_folium/"]').first


def _map_frame(page: Any) -> Any:
    """The frame of the page's map."""
    frame_el = _map_iframe(page)
    frame_el.wait_for(timeout=30_000)
    return poll(page, lambda: frame_el.content_frame, "kortets iframe")


def _pins_on_map(frame: Any) -> int:
    try:
        return frame.locator(".ck-ws").count()
    except Exception:  # noqa: BLE001 - the frame reloads while Streamlit re-renders
        return -1


def test_a_whole_workshop_offline(open_page, workshop_data: Path) -> None:
    store = Store(workshop_data / "store.sqlite")

    # --- the facilitator creates the workshop and shows the code ---------------------------------------
    boss = open_page("workshop")
    page = boss.page
    _log_in_as_coordinator(page)
    page.get_by_role("textbox", name="Navn", exact=True).fill("Workshop Aarhus")
    _choose(page, "Sundhedsråd", "Sundhedsråd Aarhus")
    page.get_by_role("button", name="Opret workshop").click()
    wait_idle(page)
    code_el = page.locator("h1 code").first
    code_el.wait_for(timeout=20_000)
    code = code_el.inner_text().strip()
    assert re.fullmatch(r"\d{4}-\d{4}", code), code
    _shot(boss, "1-facilitator-kode")
    (workshop,) = ws.list_workshops(store)

    # --- two participants join in their own browser contexts --------------------------------------------
    people = []
    for name in ("Mette", "Ole"):
        opage = open_page("workshop")
        p = opage.page
        _key(p, "ws_join_code").locator("input").fill(code)
        _key(p, "ws_join_name").locator("input").fill(name)
        p.get_by_role("button", name="Deltag").click()
        wait_idle(p)
        p.get_by_role("button", name="Gem").wait_for(timeout=20_000)
        people.append(opage)
    mette, ole = people

    # Mette sets a pin by clicking the small map; Ole picks a municipality
    frame = _map_frame(mette.page)
    frame.locator(".leaflet-container").wait_for(timeout=20_000)
    box = frame.locator(".leaflet-container").bounding_box()
    # a frame element's bounding box is already in page coordinates
    mette.page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.6)
    poll(mette.page, lambda: mette.page.get_by_text("Nål sat").count() > 0, "nålen er sat", timeout=20)
    wait_idle(mette.page)
    poll(mette.page, lambda: _map_frame(mette.page).locator(".ck-ws-chosen").count() == 1,
          "den gule nål på kortet", timeout=20)  # fmt: skip
    mette.page.get_by_role("textbox", name="Tekst *").fill("Mangler tilbud til unge i Gellerup")
    _choose(ole.page, "Kommune (uden nål)", "Aarhus")
    ole.page.get_by_role("textbox", name="Tekst *").fill("Idé: løbeklub ved hospitalet")
    _shot(mette, "2-deltager-formular-med-naal")

    # both save at the same moment (the clicks are sent back to back, before either save has answered)
    mette.page.get_by_role("button", name="Gem").click(no_wait_after=True)
    ole.page.get_by_role("button", name="Gem").click(no_wait_after=True)
    for opage in people:
        poll(opage.page, lambda p=opage.page: _entry_count(p) == 2, "begge indtastninger på skærmen",
              timeout=SEEN_WITHIN_S)  # fmt: skip
    assert sorted(e["author"] for e in ws.entries(store)) == ["Mette", "Ole"]
    assert {e["fields"].get("_placering") for e in ws.entries(store)} == {"coordinates", "municipality"}
    ole.page.get_by_role("heading", name=re.compile(r"^Indtastninger")).first.scroll_into_view_if_needed()
    ole.page.locator("[data-testid=stDataFrame] canvas").first.wait_for(timeout=10_000)
    wait_settled(ole.page)  # the grid paints after it is laid out
    _shot(ole, "3-deltager-liste")

    # the map page shows both as 'fra workshop' pins, and a third entry appears there without reloading
    kort = open_page("")
    kort_frame = poll(kort.page, lambda: next((f for f in kort.page.frames if _pins_on_map(f) > 0), None),
                       "workshoppens nåle på kortet", timeout=30)  # fmt: skip
    assert _pins_on_map(kort_frame) == 2
    ole.page.get_by_role("textbox", name="Tekst *").fill("Spørgsmål: hvem har frivillige tolke?")
    _choose(ole.page, "Kommune (uden nål)", "Samsø")  # a place, so it is drawn on the map
    wait_idle(ole.page)
    ole.page.get_by_role("button", name="Gem").click()
    poll(ole.page, lambda: _entry_count(ole.page) == 3, "den nye indtastning hos Ole", timeout=SEEN_WITHIN_S)
    poll(kort.page, lambda: any(_pins_on_map(f) == 3 for f in kort.page.frames), "den nye nål på kortet",
          timeout=SEEN_WITHIN_S + 6)  # fmt: skip
    poll(
        mette.page,
        lambda: _entry_count(mette.page) == 3,
        "den nye indtastning hos Mette",
        timeout=SEEN_WITHIN_S,
    )
    _shot(kort, "4-kort-med-workshop-naale")

    # take-aways: the map as a picture for the minutes, the additions as xlsx
    png = Path(download(kort.page, "Hent kortet som billede (PNG) til referatet").path()).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
    xlsx = Path(download(ole.page, "Hent workshoppens tilføjelser (xlsx)").path()).read_bytes()
    assert xlsx[:2] == b"PK"

    # --- the coordinator reviews one entry and undoes the decision ---------------------------------------
    review = open_page("gennemgang")
    page = review.page
    _log_in_as_coordinator(page)
    first = next(e for e in ws.entries(store) if e["author"] == "Mette")
    _key(page, f"rv-action-{first['entry_id']}").get_by_text("Godkend", exact=True).click()
    wait_idle(page)
    _key(page, f"rv-accept-{first['entry_id']}").get_by_role("button").click()
    wait_idle(page)
    poll(page, lambda: ws.get_entry(store, first["entry_id"])["status"] == "godkendt", "godkendt")
    poll(page, lambda: page.get_by_text("Til gennemgang (2)").count() > 0, "køen er kortere")
    _shot(review, "5-gennemgang")
    _key(page, "rv-undo").get_by_role("button").click()
    wait_idle(page)
    poll(page, lambda: ws.get_entry(store, first["entry_id"])["status"] == "ny", "fortrudt")
    poll(page, lambda: page.get_by_text("Til gennemgang (3)").count() > 0, "tilbage i køen")
    _shot(review, "6-gennemgang-fortrudt")

    # before and after: the data frozen when the workshop was created, against now
    after = open_page("foer_efter")
    after.page.locator("[data-testid=stMetricValue]").first.wait_for(timeout=30_000)
    after.page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    wait_settled(after.page)
    _shot(after, "7-foer-og-efter")

    for opage in (boss, mette, ole, kort, review, after):
        assert_clean(opage, opage.page.url.split("/")[0] + "//" + opage.page.url.split("/")[2])


PHONE = {"width": 390, "height": 844}


def test_on_a_phone_the_join_link_opens_a_form_that_reads_top_down_with_the_answer_in_view(
    offline_pages, server: AppServer, workshop_data: Path, request
) -> None:
    store = Store(workshop_data / "store.sqlite")
    row, code = ws.create_workshop(
        store, auth.operator("test"), "Workshop på telefon", held_on=dt.date.today(), council_id="aarhus"
    )
    phone = next(page_opener(offline_pages, server, request, PHONE))(f"workshop?deltag={row['workshop_id']}")
    page = phone.page
    assert page.locator("[data-testid=stSidebar]").get_attribute("data-collapsed") == "true"
    # the join link chose this workshop (another may be running): only the code and a name to type
    assert "Workshop på telefon" in _key(page, "ws_join_workshop").get_by_role("combobox").input_value()
    _key(page, "ws_join_code").locator("input").fill(code)
    _key(page, "ws_join_name").locator("input").fill("Sara")
    page.get_by_role("button", name="Deltag").click()
    wait_idle(page)
    save = page.get_by_role("button", name="Gem")
    save.wait_for(timeout=20_000)
    _map_frame(page).locator(".leaflet-container").wait_for(timeout=20_000)

    def top(locator: Any) -> float:
        box = locator.bounding_box()
        assert box is not None
        return box["y"]

    text = page.get_by_role("textbox", name="Tekst *")
    # one column, in the order a person fills it: where (the pin map), what, then Gem
    assert top(_map_iframe(page)) < top(text) < top(save)
    text.fill("Mangler tilbud til unge på Samsø")
    _choose(page, "Kommune (uden nål)", "Samsø")
    save.click()
    # the answer right under Gem, and as a notice fixed in the window, whatever was scrolled
    page.locator("[data-testid=stAlertContentSuccess]").filter(has_text="Gemt: ").wait_for(timeout=20_000)
    toast = page.locator("[data-testid=stToast]").filter(
        has_text="Gemt: Hul: Mangler tilbud til unge på Samsø"
    )
    toast.wait_for(timeout=20_000)

    def in_view() -> bool:
        box = toast.bounding_box()
        return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]

    poll(page, in_view, "»Gemt« synlig uden at rulle")
    _shot(phone, "5-telefon-gemt")
    assert [e["author"] for e in ws.entries(store) if e["workshop_id"] == row["workshop_id"]] == ["Sara"]
    assert_clean(phone, server.base)


def test_undo_after_apply_takes_the_record_out_of_the_data_again(open_page, workshop_data: Path) -> None:
    import uuid

    from civilkort import review
    from civilkort.auth import Principal
    from civilkort.db import Database, current_path
    from civilkort.settings import Settings
    from tests.conftest import PROJECT_ROOT

    cfg = Settings(data_dir=workshop_data, static_dir=PROJECT_ROOT / "static")

    def in_data(record: str) -> bool:
        db = Database(current_path(cfg))
        try:
            sql = "SELECT count(*) AS n FROM organisations WHERE organisation_id = $id"
            return bool(db.query(sql, {"id": record})["n"].iloc[0])
        finally:
            db.close()

    store = Store(workshop_data / "store.sqlite")
    boss = auth.operator("test")
    row, code = ws.create_workshop(
        store, boss, "Workshop til data", held_on=dt.date.today(), council_id="aarhus"
    )
    person = ws.join(store, Principal(), row["workshop_id"], code, "Mette")
    entry = ws.add_entry(store, person, row["workshop_id"], "organisation",
                         {"name": "Naboskab Viby", "organisation_type": "Frivillig forening"},
                         municipality="Aarhus", client_token=uuid.uuid4().hex).entry  # fmt: skip
    review.accept(store, boss, entry["entry_id"])
    record = ws.record_id(entry)

    opage = open_page("gennemgang")
    page = opage.page
    _log_in_as_coordinator(page)
    page.get_by_role("button", name="Indarbejd godkendte i data").click()
    page.get_by_text("1 post er nu en del af data").wait_for(timeout=90_000)
    assert in_data(record)
    # the undo button says what it will do: take the apply out of the data, not only the entry's mark
    page.get_by_text(re.compile(r"1 indtastning indarbejdet i data")).wait_for(timeout=20_000)
    _shot(opage, "8-indarbejdet")
    _key(page, "rv-undo").get_by_role("button").click()
    page.get_by_text("Indarbejdningen er fortrudt").wait_for(timeout=90_000)
    assert not in_data(record)
    assert ws.get_entry(store, entry["entry_id"])["applied_at"] is None
    assert ws.get_entry(store, entry["entry_id"])["status"] == "godkendt"  # ready to be applied again
    _shot(opage, "9-indarbejdning-fortrudt")
