"""AppTest of the workshop pages: create and join, add an entry, review it, undo; refused without the role."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from civilkort import workshop as ws
from civilkort.auth import Principal
from civilkort.settings import Settings
from civilkort.store import Store
from tests.conftest import PROJECT_ROOT

APP = str(Path(__file__).resolve().parents[2] / "app.py")
WORKSHOP = "app_pages/workshop.py"
REVIEW = "app_pages/gennemgang.py"
BEFORE_AFTER = "app_pages/foer_efter.py"
TIMEOUT = 60
COORDINATOR_CODE = "koordinator-test-kode"


@pytest.fixture
def data(small_db_dir, tmp_path, monkeypatch) -> Settings:
    """A copy of the small example data with its own store; the coordinator code set up."""
    path = tmp_path / "data"
    shutil.copytree(small_db_dir, path, ignore=shutil.ignore_patterns("store.sqlite*"))
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(path))
    monkeypatch.setenv("CIVILKORT_KOORDINATOR_KODE", COORDINATOR_CODE)
    return Settings(data_dir=path, static_dir=PROJECT_ROOT / "static")


def _new(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page(page).run()
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


def _submit(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    return at


def _log_in_as_coordinator(at: AppTest, key: str) -> None:
    at.text_input(key=f"{key}-name").input("Kirsten")
    at.text_input(key=f"{key}-code").input(COORDINATOR_CODE)
    _submit(at, "Log ind som koordinator")
    _ok(at)


def _create_workshop(at: AppTest) -> str:
    at.text_input(key="ws_new_name").input("Workshop Aarhus")
    at.selectbox(key="ws_new_council").set_value("aarhus")
    _submit(at, "Opret workshop")
    _ok(at)
    code = next((m.group(1) for md in at.markdown if (m := re.fullmatch(r"# `([0-9-]+)`", md.value))), None)
    assert code, [m.value for m in at.markdown]
    return code


def _join(code: str, name: str) -> AppTest:
    at = _new(WORKSHOP)
    at.text_input(key="ws_join_code").input(code)
    at.text_input(key="ws_join_name").input(name)
    _submit(at, "Deltag")
    _ok(at)
    return at


def _add_note(at: AppTest, text: str) -> None:
    state = at.session_state  # AppTest's session state has no .get
    generation = state["ws_form_generation"] if "ws_form_generation" in state else 0  # noqa: SIM401
    at.segmented_control(key="ws_kind").set_value("note").run()
    at.text_area(key=f"ws-note-{generation}-text").input(text)
    at.selectbox(key=f"ws-muni-{generation}").set_value("Aarhus")
    _submit(at, "Gem")
    _ok(at)


def test_a_viewer_is_refused_capture_and_review(data):
    at = _new(WORKSHOP)
    _ok(at)
    assert any("ingen workshop i gang" in i.value for i in at.info)
    assert not [b for b in at.button if b.label == "Gem"]
    review = _new(REVIEW)
    assert any("Det kræver koordinatoradgang" in w.value for w in review.warning)
    assert not review.subheader or all("Til gennemgang" not in s.value for s in review.subheader)
    wrong = _new(REVIEW)
    wrong.text_input(key="krav-Gennemgangen-name").input("Ole")
    wrong.text_input(key="krav-Gennemgangen-code").input("forkert")
    _submit(wrong, "Log ind som koordinator")
    assert any("Forkert koordinatorkode" in e.value for e in wrong.error)


def test_a_full_workshop_join_add_review_undo_and_before_after(data):
    coordinator = _new(WORKSHOP)
    _log_in_as_coordinator(coordinator, "ws-koordinator")
    code = _create_workshop(coordinator)
    store = Store(data.store_path)
    (workshop,) = ws.list_workshops(store)
    assert workshop["snapshot_id"]  # the data were frozen for before/after

    wrong = _new(WORKSHOP)
    wrong.text_input(key="ws_join_code").input("0000-0000")
    wrong.text_input(key="ws_join_name").input("Ukendt")
    _submit(wrong, "Deltag")
    assert any("Forkert workshopkode" in e.value for e in wrong.error)

    mette, ole = _join(code, "Mette"), _join(code, "Ole")
    _add_note(mette, "Mangler tilbud til unge i Gellerup")
    _add_note(ole, "Idé: løbeklub ved hospitalet")
    assert any("Gemt" in s.value for s in mette.success)
    assert {e["author"] for e in ws.entries(store)} == {"Mette", "Ole"}
    mette.run()  # the live list on Mette's screen shows Ole's entry too
    _ok(mette)
    listed = mette.dataframe[0].value
    assert set(listed["Titel"]) == {
        "Hul: Mangler tilbud til unge i Gellerup",
        "Hul: Idé: løbeklub ved hospitalet",
    }
    assert not listed.isna().any().any()  # no review note yet: empty cells, never Streamlit's "None"

    review = _new(REVIEW)
    _log_in_as_coordinator(review, "krav-Gennemgangen")
    _ok(review)
    queue = ws.entries(store, statuses=["ny"])
    assert len(queue) == 2
    first = next(e for e in queue if e["author"] == "Mette")
    review.segmented_control(key=f"rv-action-{first['entry_id']}").set_value("godkend").run()
    review.button(key=f"rv-accept-{first['entry_id']}").click().run()
    _ok(review)
    assert ws.get_entry(store, first["entry_id"])["status"] == "godkendt"
    second = next(e for e in queue if e["author"] == "Ole")
    review.segmented_control(key=f"rv-action-{second['entry_id']}").set_value("afvis").run()
    review.text_input(key=f"rv-reason-{second['entry_id']}").input("Findes allerede")
    review.button(key=f"rv-reject-{second['entry_id']}").click().run()
    _ok(review)
    assert ws.get_entry(store, second["entry_id"])["status"] == "afvist"

    review.button(key="rv-undo").click().run()  # undo the rejection
    _ok(review)
    assert ws.get_entry(store, second["entry_id"])["status"] == "ny"
    trail = review.dataframe[-1].value
    assert "fortryd afvis" in set(trail["Handling"]) and "afvis (fortrudt)" in set(trail["Handling"])

    before_after = _new(BEFORE_AFTER)
    _ok(before_after)
    assert {m.label for m in before_after.metric} >= {
        "Nye samarbejder",
        "Nye organisationer",
        "Aktive tilbud",
    }


def test_a_participant_undoes_only_their_own_entry_from_the_page(data):
    store = Store(data.store_path)
    boss = Principal(name="K", via="kode", is_admin=True)
    _, code = ws.create_workshop(store, boss, "Workshop Vest", held_on=dt.date(2027, 2, 1))
    mette, ole = _join(code, "Mette"), _join(code, "Ole")
    _add_note(mette, "Mettes note")
    _add_note(ole, "Oles note")
    mette.run()
    _submit(mette, "Fortryd min seneste indtastning")
    _ok(mette)
    assert [e["title"] for e in ws.entries(store)] == ["Hul: Oles note"]


def test_the_same_form_pressed_again_in_a_new_session_saves_it_once(data):
    # A replica dies after saving but before the confirmation reached the browser; the page reconnects to
    # another replica (a new session, the form still filled in) and the participant presses Gem again.
    store = Store(data.store_path)
    boss = Principal(name="K", via="kode", is_admin=True)
    _, code = ws.create_workshop(store, boss, "Workshop Vest", held_on=dt.date(2027, 2, 1))
    first, second = _join(code, "Mette"), _join(code, "Mette")
    _add_note(first, "Mangler tilbud til unge i Gellerup")
    _add_note(second, "Mangler tilbud til unge i Gellerup")
    assert [s.value for s in second.success] == [
        "Gemt: Hul\\: Mangler tilbud til unge i Gellerup"
    ]  # Markdown-escaped
    assert [e["title"] for e in ws.entries(store)] == ["Hul: Mangler tilbud til unge i Gellerup"]
    _add_note(second, "Mangler tilbud til unge i Brabrand")  # another text is another entry
    assert len(ws.entries(store)) == 2
    _submit(second, "Fortryd min seneste indtastning")  # undone, then the same text again: saved anew
    _add_note(second, "Mangler tilbud til unge i Brabrand")
    assert len(ws.entries(store)) == 2


def test_the_code_comes_with_a_join_link_and_a_qr_code_that_choose_the_workshop(data):
    coordinator = _new(WORKSHOP)
    _log_in_as_coordinator(coordinator, "ws-koordinator")
    _create_workshop(coordinator)
    shown_first = coordinator.session_state["ws_show"]
    _create_workshop(coordinator)  # a second one, whose code is shown now
    shown = coordinator.session_state["ws_show"]
    assert shown != shown_first
    text = " ".join(m.value for m in coordinator.caption)
    assert f"deltag={shown}" in text, text
    assert len(coordinator.get("image")) == 1  # the QR code beside the code

    plain = _new(WORKSHOP)  # without a link the form starts on one of the two: the link must choose the other
    default = plain.selectbox(key="ws_join_workshop").value
    wanted = shown_first if default == shown else shown
    code = coordinator.session_state["ws_codes"][wanted]

    linked = AppTest.from_file(APP, default_timeout=TIMEOUT)
    linked.query_params["deltag"] = wanted
    linked.switch_page(WORKSHOP).run()
    _ok(linked)
    assert linked.selectbox(key="ws_join_workshop").value == wanted
    linked.text_input(key="ws_join_code").input(code)
    linked.text_input(key="ws_join_name").input("Sara")
    _submit(linked, "Deltag")
    _ok(linked)
    assert any("du er *Sara*" in m.value for m in linked.markdown)

    unknown = AppTest.from_file(APP, default_timeout=TIMEOUT)
    unknown.query_params["deltag"] = "findes-ikke"
    unknown.switch_page(WORKSHOP).run()
    _ok(unknown)
    assert unknown.selectbox(key="ws_join_workshop").value == default  # a stale link chooses nothing
