"""AppTest of the room's sessions: the running code shown again in a new session, the new code typed in
place, *Forlad workshoppen*, and the projector link (presents, refused on the pages that write)."""

from __future__ import annotations

import datetime as dt

from civilkort import projector
from civilkort import workshop as ws
from civilkort.auth import Principal
from civilkort.store import Store
from tests.app.test_workshop_pages import (
    WORKSHOP,
    _create_workshop,
    _join,
    _log_in_as_coordinator,
    _new,
    _ok,
    _submit,
    data,  # noqa: F401 - the fixture
)

REVIEW = "app_pages/gennemgang.py"
PRESENTATION = "app_pages/praesentation.py"
BOSS = Principal(name="K", via="kode", is_admin=True, key="k")


def _shown_code(at) -> str | None:
    return next((m.value.strip("# `") for m in at.markdown if m.value.startswith("# `")), None)


def test_a_coordinator_shows_the_running_code_again_in_a_new_session(data):  # noqa: F811
    first = _new(WORKSHOP)
    _log_in_as_coordinator(first, "ws-koordinator")
    code = _create_workshop(first)
    later = _new(WORKSHOP)  # a reload: a new session, nothing of the first one's state
    _log_in_as_coordinator(later, "ws-koordinator")
    assert _shown_code(later) is None
    _submit(later, "Vis koden stort")
    _ok(later)
    assert _shown_code(later) == code


def test_a_workshop_from_before_says_its_code_cannot_be_shown_and_offers_a_new_one(data):  # noqa: F811
    store = Store(data.store_path)
    ws.create_workshop(
        store, BOSS, "Gammel workshop", held_on=dt.date.today(), council_id="aarhus"
    )  # no secret
    at = _new(WORKSHOP)
    _log_in_as_coordinator(at, "ws-koordinator")
    assert any("kan ikke vises igen" in c.value for c in at.caption)
    assert not [b for b in at.button if b.label == "Vis koden stort"]
    _submit(at, "Ny kode")
    _ok(at)
    (row,) = ws.list_workshops(store)
    new = _shown_code(at)
    assert new and ws.join(store, Principal(), row["workshop_id"], new, "Mette").workshop_id


def test_a_participant_types_the_new_code_in_place_and_goes_on(data):  # noqa: F811
    store = Store(data.store_path)
    row, code = ws.create_workshop(store, BOSS, "Workshop", held_on=dt.date.today(), council_id="aarhus")
    mette = _join(code, "Mette")
    new = ws.new_code(store, BOSS, row["workshop_id"])
    mette.run()
    _ok(mette)
    assert any("Workshoppens kode er skiftet" in m.value for m in mette.markdown)
    mette.text_input(key="ws-rejoin-code").input(new)
    _submit(mette, "Fortsæt med den nye kode")
    _ok(mette)
    assert (
        mette.session_state["principal"].workshop_code_hash
        == ws.get_workshop(store, row["workshop_id"])["code_hash"]
    )
    assert not any("Workshoppens kode er skiftet" in m.value for m in mette.markdown)
    assert [b for b in mette.button if b.label == "Gem"]


def test_leaving_the_workshop_ends_the_session_and_shows_the_join_form(data):  # noqa: F811
    store = Store(data.store_path)
    _, code = ws.create_workshop(store, BOSS, "Workshop", held_on=dt.date.today(), council_id="aarhus")
    mette = _join(code, "Mette")
    _submit(mette, "Forlad workshoppen")
    _ok(mette)
    assert not mette.session_state["principal"].roles
    assert mette.session_state["session_cookie_pending"] == ("", 0)  # the browser drops the cookie
    assert mette.text_input(key="ws_join_code").value == ""


def test_the_projector_link_presents_and_is_refused_where_anything_is_written(data):  # noqa: F811
    from ui import session_cookie

    store = Store(data.store_path)
    row, _ = ws.create_workshop(store, BOSS, "Workshop", held_on=dt.date.today(), council_id="aarhus")
    secret = session_cookie.secret()
    token, _ = projector.issue(store, BOSS, row["workshop_id"], secret)
    at = _new(PRESENTATION)
    at.query_params["projektor"] = token
    at.switch_page(PRESENTATION).run()
    _ok(at)
    assert at.session_state["principal"].is_projector
    assert at.query_params["sekvens"] == "standard" and "projektor" not in at.query_params
    assert at.query_params["omraade"] == "council:aarhus", dict(at.query_params)
    at.switch_page(WORKSHOP).run()
    _ok(at)
    assert any("projektor" in w.value for w in at.warning)
    assert not [t for t in at.text_input if t.key in ("ws_join_code", "ws-koordinator-code")]
    at.switch_page(REVIEW).run()
    assert any("projektor" in w.value for w in at.warning)
    assert not [b for b in at.button if b.label in ("Log ind som koordinator", "Godkend")]

    bad = _new(PRESENTATION)
    bad.query_params["projektor"] = (
        token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    )  # never itself
    bad.switch_page(PRESENTATION).run()
    assert any("ikke gyldigt" in e.value for e in bad.error)
    assert not bad.session_state["principal"].is_projector
