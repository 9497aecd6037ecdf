"""AppTest of 'Opdater jeres oplysninger' (the organisation's update form, opened from its signed link) and
of its changes on Gennemgang: pre-filled, only changes sent, an expired or tampered link told in Danish."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from civilkort import update_form
from civilkort import workshop as ws
from civilkort.auth import Principal
from civilkort.db import Database, current_path
from civilkort.settings import Settings
from civilkort.store import Store
from tests.conftest import PROJECT_ROOT

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "app_pages/opdater.py"
REVIEW = "app_pages/gennemgang.py"
TIMEOUT = 60
SECRET = "app-test-secret-for-update-links"


@pytest.fixture
def data(small_db_dir, tmp_path, monkeypatch) -> Settings:
    """A copy of the small example data with its own store and a known cookie secret."""
    path = tmp_path / "data"
    shutil.copytree(small_db_dir, path, ignore=shutil.ignore_patterns("store.sqlite*"))
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(path))
    monkeypatch.setenv("CIVILKORT_COOKIE_SECRET", SECRET)
    return Settings(data_dir=path, static_dir=PROJECT_ROOT / "static", cookie_secret=SECRET)


@pytest.fixture
def org(data) -> dict:
    """An organisation with an offer, its council's coordinator, and a link for it."""
    db = Database(current_path(data))
    try:
        row = (
            db.query(
                "SELECT o.organisation_id, o.name, o.council_id, min(f.offer_id) AS offer_id FROM organisations o"
                " JOIN offers f USING (organisation_id) WHERE o.council_id IS NOT NULL"
                " GROUP BY ALL ORDER BY o.organisation_id LIMIT 1"
            )
            .iloc[0]
            .to_dict()
        )
        kim = Principal("Kim", via="login", key="k1", councils=frozenset({row["council_id"]}))
        row["coordinator"] = kim
        row["token"] = update_form.issue(db, kim, row["council_id"], row["organisation_id"], SECRET)[0]
        row["shown"] = update_form.current(db, update_form.redeem(row["token"], SECRET))
    finally:
        db.close()
    return row


def _open(token: str | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(PAGE)
    if token is not None:
        at.query_params[update_form.LINK_PARAM] = token
    return at.run()


def test_the_link_opens_the_form_pre_filled_and_sends_only_the_changes(data, org):
    at = _open(org["token"])
    assert not at.exception and not at.error, (at.exception, [e.value for e in at.error])
    assert at.title[0].value == "Opdater jeres oplysninger"
    values = {}
    for t in at.text_input:  # the organisation's fields come first, then each offer's
        values.setdefault(t.label, t.value)
    assert values["Navn"] == org["name"] and values["Funktionspostkasse (e-mail)"] == ""
    offer = org["shown"]["offers"][org["offer_id"]]
    assert [t.value for t in at.text_input if t.label == "Navn"][1] == offer["name"]
    assert any(s.value == f"Tilbud: {org['shown']['offers'][org['offer_id']]['name']}" for s in at.subheader)
    next(t for t in at.text_input if t.label == "Hjemmeside").input("https://ny.example.dk")
    next(b for b in at.button if b.label == "Send ændringerne").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "1 ændring er sendt" in at.success[0].value
    store = Store(data.store_url)
    try:
        (entry,) = ws.entries(store)
    finally:
        store.close()
    assert (
        entry["fields"][ws.UPDATE_KEY]["changed"] == ["website"]
        and entry["fields"]["website"] == "https://ny.example.dk"
    )

    review = AppTest.from_file(APP, default_timeout=TIMEOUT)
    review.session_state["principal"] = org["coordinator"]
    review.run()
    review.switch_page(REVIEW).run()
    assert not review.exception, review.exception
    text = " ".join(m.value for m in review.markdown).replace("\\", "").replace("\u2060", "")
    assert f"Opdatering: {org['name']}" in text and "https://ny.example.dk" in text
    review.segmented_control(key=f"rv-action-{entry['entry_id']}").set_value("godkend").run()
    next(b for b in review.button if b.label == "Godkend").click().run()
    assert any("Godkendt" in s.value for s in review.success), [s.value for s in review.success]


def test_no_change_an_expired_and_a_tampered_link_are_told_in_danish(data, org):
    at = _open(org["token"])
    next(b for b in at.button if b.label == "Send ændringerne").click().run()
    assert "ingen ændringer" in at.error[0].value
    db = Database(current_path(data))
    try:
        old = update_form.issue(db, org["coordinator"], org["council_id"], org["organisation_id"], SECRET,
                                now=dt.datetime.now(dt.UTC) - dt.timedelta(days=40))[0]  # fmt: skip
    finally:
        db.close()
    expired = _open(old)
    assert not expired.exception and "udløbet" in expired.warning[-1].value
    assert not [t for t in expired.text_input if t.label == "Navn"]
    tampered = _open(org["token"][:-4] + "abcd")
    assert not tampered.exception and "ikke gyldigt" in tampered.error[0].value
    bare = _open(None)
    assert not bare.exception and "linket i e-mailen" in bare.info[0].value
