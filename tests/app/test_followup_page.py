"""AppTest of the radar's 'Opfølgning' tab: the council's worklist, setting a status with a note, the
status filter, the later of two coordinators refused in Danish, 'bed om opdatering' and the calendar."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from civilkort import followup
from civilkort.auth import Principal
from civilkort.db import Database, current_path
from civilkort.settings import Settings
from civilkort.store import Store
from tests.conftest import PROJECT_ROOT
from ui.followup import _row_key

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "app_pages/samarbejder.py"
TIMEOUT = 60
KIM = Principal("Kim", via="login", key="k1", councils=frozenset({"aarhus"}))


@pytest.fixture
def cfg(small_db_dir, tmp_path, monkeypatch) -> Settings:
    """A copy of the small example data folder (the tab writes to its store)."""
    data = tmp_path / "data"
    shutil.copytree(small_db_dir, data)
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(data))
    return Settings(data_dir=data, static_dir=PROJECT_ROOT / "static")


@pytest.fixture
def due(cfg):
    """The worklist as the library makes it for Aarhus today (12 months), before any change."""
    db = Database(current_path(cfg))
    store = Store(cfg.store_url)
    try:
        yield followup.worklist(db, store, KIM, "aarhus", months=12, today=dt.date.today())
    finally:
        db.close()
        store.close()


def _open(principal: Principal | None = KIM) -> AppTest:
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["omraade"] = "council:aarhus"
    if principal is not None:
        at.session_state["principal"] = principal
    at.run()
    at = at.switch_page(PAGE).run()
    at.session_state["radar_tab"] = "Opfølgning"
    at.run()
    _no_errors(at)
    return at


def _no_errors(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _pick(at: AppTest, entity: str, record_id: str) -> str:
    key = _row_key(entity, record_id)
    at.selectbox(key="fu_pick").set_value(key).run()
    _no_errors(at)
    return key


def test_a_reader_is_asked_to_log_in_and_sees_no_statuses(cfg):
    at = _open(principal=None)
    assert any("Opfølgningslisten er for koordinatorer" in i.value for i in at.info)
    assert not [m for m in at.metric if m.label == "Kontaktet"]


def test_the_worklist_lists_what_is_due_with_a_status_each(cfg, due):
    at = _open()
    at.radio(key="fu_window").set_value(12).run()
    assert _metrics(at)["Åben"] == str(len(due)) and _metrics(at)["Kontaktet"] == "0"
    shown = at.dataframe[0].value
    assert len(shown) == len(due)
    assert list(shown.columns[:5]) == ["Slags", "Navn / titel", "Id", "Hvorfor", "Slutdato"]
    assert set(shown["Status"]) == {"Åben"}
    assert any(b.label == "Hent slutdatoer som kalender (.ics)" for b in at.get("download_button"))


def test_a_status_and_note_are_saved_audited_and_filtered_by(cfg, due):
    at = _open()
    at.radio(key="fu_window").set_value(12).run()
    first = due.iloc[0]
    key = _pick(at, first["entity"], first["record_id"])
    at.radio(key=f"fu_s_{key}").set_value("kontaktet")
    at.text_area(key=f"fu_n_{key}").input("Ringet til formanden <b>i dag</b>")
    [b for b in at.button if b.label == "Gem status"][0].click().run()
    _no_errors(at)
    assert any("er nu *kontaktet*" in s.value for s in at.success)
    assert _metrics(at)["Kontaktet"] == "1"
    store = Store(cfg.store_url)
    row = store.one("SELECT * FROM followups")
    assert (row["record_id"], row["status"], row["note"], row["updated_by"]) == (
        first["record_id"], "kontaktet", "Ringet til formanden <b>i dag</b>", "Kim")  # fmt: skip
    assert store.history(entity="followups")[0]["actor"] == "Kim (#k1)"
    store.close()
    at.multiselect(key="fu_status").set_value(["kontaktet"]).run()
    shown = at.dataframe[0].value
    assert list(shown["Id"]) == [first["record_id"]] and list(shown["Note"]) == [
        "Ringet til formanden <b>i dag</b>"
    ]
    assert any("kontaktet" in m.value and "\\<b\\>" in m.value for m in at.markdown)  # the note escaped


def test_the_later_of_two_coordinators_sees_who_saved_first(cfg, due):
    at = _open()
    at.radio(key="fu_window").set_value(12).run()
    first = due.iloc[0]
    key = _pick(at, first["entity"], first["record_id"])
    store, db = Store(cfg.store_url), Database(current_path(cfg))
    bo = Principal("Bo", via="login", key="b2", councils=frozenset({"aarhus"}))
    followup.set_status(store, bo, "aarhus", first["entity"], first["record_id"], "afsluttet", "Bo lukkede",
                        expected_version=0, db=db)  # fmt: skip
    db.close()
    at.radio(key=f"fu_s_{key}").set_value("kontaktet")
    [b for b in at.button if b.label == "Gem status"][0].click().run()
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "er ændret af Bo" in errors[0] and "Din ændring er ikke gemt" in errors[0]
    assert store.one("SELECT status, note FROM followups") == {"status": "afsluttet", "note": "Bo lukkede"}
    store.close()


def test_bed_om_opdatering_shows_the_text_and_a_mailto_link_and_sends_nothing_without_smtp(cfg, due):
    at = _open()
    at.radio(key="fu_window").set_value(12).run()
    org = due[due["entity"] == "organisation"].iloc[0]
    _pick(at, "organisation", org["record_id"])
    body = [c.value for c in at.code if c.value.startswith("Kære ")]
    assert len(body) == 1 and "Venlig hilsen\nKim\nSundhedsråd Aarhus" in body[0]
    links = at.get("link_button")
    assert [link.proto.url.startswith("mailto:") for link in links] == [True]
    assert not [b for b in at.button if b.label == "Send e-mailen nu"]
    assert any("Serveren sender ikke selv e-mails" in c.value for c in at.caption)


def test_a_configured_mail_server_offers_to_send(cfg, due, monkeypatch):
    monkeypatch.setenv("CIVILKORT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CIVILKORT_SMTP_FROM", "sundhedsraad@rm.example.dk")
    at = _open()
    at.radio(key="fu_window").set_value(12).run()
    org = due[due["entity"] == "organisation"].iloc[0]
    _pick(at, "organisation", org["record_id"])
    assert [b for b in at.button if b.label == "Send e-mailen nu"]


def test_the_search_narrows_the_list_and_the_choice(cfg, due):
    at = _open()
    at.radio(key="fu_window").set_value(12).run()
    first = due.iloc[0]
    at.text_input(key="fu_q").input(first["record_id"].lower()).run()
    _no_errors(at)
    assert list(at.dataframe[0].value["Id"]) == [first["record_id"]]
    assert at.selectbox(key="fu_pick").options == [
        f"{followup.ENTITY_LABELS[first['entity']]}: {first['title']} ({first['record_id']})"
    ]


def test_send_goes_through_the_configured_server_and_is_noted(cfg, due, monkeypatch):
    from aiosmtpd.controller import Controller

    from civilkort import personal
    from tests.civilkort.test_update_request import Inbox, _free_port

    inbox, port = Inbox(), _free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        for name, value in {"HOST": "127.0.0.1", "PORT": str(port), "FROM": "sundhedsraad@rm.example.dk",
                            "STARTTLS": "0"}.items():  # fmt: skip
            monkeypatch.setenv(f"CIVILKORT_SMTP_{name}", value)
        store = Store(cfg.store_url)
        orgs = due[due["entity"] == "organisation"]
        mailboxes = personal.personal_fields(
            store, KIM, current_path(cfg).name, "organisations", orgs["record_id"]
        )["email"].dropna()
        org = orgs[orgs["record_id"] == mailboxes.index[0]].iloc[0]
        at = _open()
        at.radio(key="fu_window").set_value(12).run()
        _pick(at, "organisation", org["record_id"])
        [b for b in at.button if b.label == "Send e-mailen nu"][0].click().run()
        _no_errors(at)
        assert any("er sendt til" in s.value for s in at.success)
        [(_, rcpt_tos, _)] = inbox.received
        assert rcpt_tos == [mailboxes.iloc[0]]
        row = store.one("SELECT status, requested_by FROM followups WHERE record_id = ?", (org["record_id"],))
        assert row == {"status": "kontaktet", "requested_by": "Kim"}
        store.close()
    finally:
        server.stop()
