"""The running code shown again (sealed, never in clear) and the projector link (read-only, expiring)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from civilkort import auth, projector, sealed_code, session_token
from civilkort import workshop as ws
from civilkort.auth import PermissionDenied, Principal
from civilkort.store import HEAD
from civilkort.store.migrate import upgrade

SECRET = "en-lang-hemmelighed-til-testen"
ADMIN = Principal(name="Kirsten", via="kode", is_admin=True, key="k1")
AARHUS = Principal(name="Aage", via="login", councils=frozenset({"aarhus"}), key="a1")
FYN = Principal(name="Frida", via="login", councils=frozenset({"fyn"}), key="f1")
HELD_ON = dt.date(2027, 2, 1)


@pytest.fixture
def workshop(store):
    row, code = ws.create_workshop(
        store, AARHUS, "Workshop Aarhus", held_on=HELD_ON, council_id="aarhus", secret=SECRET
    )
    return {**row, "code": code}


def _everything(store) -> str:
    return json.dumps(store.rows("SELECT * FROM workshops")) + json.dumps(store.rows("SELECT * FROM audit"))


# --- the code shown again --------------------------------------------------------------------------


def test_a_coordinator_of_the_council_sees_the_running_code_again_and_it_is_never_stored_in_clear(
    store, workshop
):
    assert ws.running_code(store, AARHUS, workshop["workshop_id"], secret=SECRET) == workshop["code"]
    assert ws.running_code(store, ADMIN, workshop["workshop_id"], secret=SECRET) == workshop["code"]
    digits = workshop["code"].replace("-", "")
    assert workshop["code"] not in _everything(store) and digits not in _everything(store)
    # joins are still checked against the hash
    assert ws.join(store, Principal(), workshop["workshop_id"], workshop["code"], "Mette").workshop_id


def test_the_workshops_own_projector_sees_the_code_until_its_link_ends(store, workshop):
    wid = workshop["workshop_id"]
    ends = int(dt.datetime(2027, 2, 1, 18, tzinfo=dt.UTC).timestamp())
    screen = auth.as_projector(workshop, expires=ends)
    before = dt.datetime(2027, 2, 1, 17, 59, tzinfo=dt.UTC)
    assert ws.running_code(store, screen, wid, secret=SECRET, at=before) == workshop["code"]
    with pytest.raises(PermissionDenied, match="udløbet"):
        ws.running_code(store, screen, wid, secret=SECRET, at=before + dt.timedelta(minutes=1))


def test_nobody_else_sees_the_code(store, workshop):
    wid = workshop["workshop_id"]
    with pytest.raises(PermissionDenied, match="Sundhedsråd Aarhus"):
        ws.running_code(store, FYN, wid, secret=SECRET)
    participant = ws.join(store, Principal(), wid, workshop["code"], "Mette")
    other, _ = ws.create_workshop(store, AARHUS, "Anden", held_on=HELD_ON, council_id="aarhus", secret=SECRET)
    elsewhere = auth.as_projector(other, expires=2**40)  # the projector of another workshop, same council
    for person in (Principal(), participant, elsewhere):
        with pytest.raises(PermissionDenied):
            ws.running_code(store, person, wid, secret=SECRET)
    with pytest.raises(PermissionDenied, match="en anden workshop"):
        ws.running_code(store, elsewhere, wid, secret=SECRET)
    assert ws.running_code(store, elsewhere, other["workshop_id"], secret=SECRET)  # its own, yes


def test_a_new_code_replaces_the_kept_one_and_the_old_one_opens_no_more(store, workshop):
    wid = workshop["workshop_id"]
    old = store.one("SELECT code_sealed FROM workshops WHERE workshop_id = ?", (wid,))["code_sealed"]
    new = ws.new_code(store, AARHUS, wid, secret=SECRET)
    assert ws.running_code(store, AARHUS, wid, secret=SECRET) == new != workshop["code"]
    row = ws.get_workshop(store, wid)
    # the old sealed code is bound to the old hash: put back beside the new hash, it does not open
    assert sealed_code.unseal(old, SECRET, workshop_id=wid, code_hash=row["code_hash"]) is None
    assert new not in _everything(store)


def test_the_code_cannot_be_shown_without_the_secret_it_was_sealed_with_nor_in_another_workshop(
    store, workshop
):
    wid = workshop["workshop_id"]
    assert ws.running_code(store, AARHUS, wid, secret="en-anden-hemmelighed") is None
    other, _ = ws.create_workshop(store, AARHUS, "Anden", held_on=HELD_ON, council_id="aarhus", secret=SECRET)
    sealed = ws.get_workshop(store, wid)["code_sealed"]
    with store.write("test") as tx:  # copied into another workshop's row, it does not open there
        tx.update("workshops", other["workshop_id"], {"code_sealed": sealed})
    assert ws.running_code(store, AARHUS, other["workshop_id"], secret=SECRET) is None


def test_a_workshop_made_without_a_kept_code_says_it_cannot_be_shown(store):
    row, _ = ws.create_workshop(store, AARHUS, "Uden", held_on=HELD_ON, council_id="aarhus")
    assert row["code_sealed"] is None
    assert ws.running_code(store, AARHUS, row["workshop_id"], secret=SECRET) is None
    code = ws.new_code(store, AARHUS, row["workshop_id"], secret=SECRET)  # 'Ny kode' makes it showable
    assert ws.running_code(store, AARHUS, row["workshop_id"], secret=SECRET) == code


def test_workshops_made_before_the_migration_keep_working_and_have_no_kept_code(tmp_path):
    url = f"sqlite:///{tmp_path / 'gammel.sqlite'}"
    upgrade(url, revision="0003")
    with sqlite3.connect(tmp_path / "gammel.sqlite") as con:
        con.execute(
            "INSERT INTO workshops (workshop_id, name, council_id, held_on, code_hash, code_expires_at,"
            " created_by, created_at) VALUES ('w1', 'Før', 'aarhus', '2027-02-01', ?, '2999-01-01T00:00:00+00:00',"
            " 'x', '2027-01-01T00:00:00+00:00')",
            (auth.hash_code("1111-2222"),),
        )
    assert upgrade(url) == ("0003", HEAD)
    from civilkort.store import Store

    store = Store(url)
    assert ws.get_workshop(store, "w1")["code_sealed"] is None
    assert ws.running_code(store, AARHUS, "w1", secret=SECRET) is None
    assert ws.join(store, Principal(), "w1", "1111 2222", "Mette").workshop_id == "w1"
    store.close()


# --- the projector ---------------------------------------------------------------------------------


def test_only_a_coordinator_of_the_council_makes_a_projector_link(store, workshop):
    wid = workshop["workshop_id"]
    for person in (Principal(), FYN, ws.join(store, Principal(), wid, workshop["code"], "Mette")):
        with pytest.raises(PermissionDenied):
            projector.issue(store, person, wid, SECRET)
    token, until = projector.issue(store, AARHUS, wid, SECRET)
    assert workshop["code"] not in token and wid not in token.split(".")[-1]
    assert until > dt.datetime.now(dt.UTC) + dt.timedelta(hours=11)


def _lookup(store):
    def find(wid: str):
        try:
            return ws.get_workshop(store, wid)
        except ws.EntryError:
            return None

    return find


def test_the_projector_link_signs_in_a_read_only_screen_for_its_workshop(store, workshop):
    wid = workshop["workshop_id"]
    token, _ = projector.issue(store, AARHUS, wid, SECRET)
    screen = projector.redeem(token, SECRET, _lookup(store))
    assert screen.is_projector and screen.workshop_id == wid and screen.label == "projektor"
    assert projector.area_of(workshop) == "council:aarhus"
    # nothing that writes: not an entry, not a join, not a code, not a workshop
    with pytest.raises(PermissionDenied, match="projektor"):
        ws.add_entry(store, screen, wid, "note", {"note_type": "hul", "text": "x"}, client_token="t1")
    with pytest.raises(PermissionDenied, match="projektor"):
        ws.join(store, screen, wid, workshop["code"], "Projektor")
    with pytest.raises(PermissionDenied, match="projektor"):
        ws.new_code(store, screen, wid, secret=SECRET)
    with pytest.raises(PermissionDenied, match="projektor"):
        ws.create_workshop(store, screen, "X", held_on=HELD_ON, council_id="aarhus")
    assert store.one("SELECT count(*) AS n FROM entries")["n"] == 0


def test_a_projector_link_expires_and_a_forged_or_altered_one_is_refused(store, workshop):
    wid = workshop["workshop_id"]
    then = dt.datetime(2027, 2, 1, 8, tzinfo=dt.UTC)
    token, until = projector.issue(store, AARHUS, wid, SECRET, hours=2, now=then)
    assert projector.redeem(token, SECRET, _lookup(store), now=then + dt.timedelta(hours=1)).is_projector
    with pytest.raises(session_token.ExpiredSession, match="udløbet"):
        projector.redeem(token, SECRET, _lookup(store), now=until)
    with pytest.raises(session_token.InvalidSession, match="ikke gyldigt"):
        projector.redeem(token, "en-anden-hemmelighed", _lookup(store), now=then)
    # one character of the signature changed (not the last: its low bits are padding, which base64 ignores;
    # and never to itself, so the test cannot pass by luck)
    altered = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    with pytest.raises(session_token.InvalidSession):
        projector.redeem(altered, SECRET, _lookup(store), now=then)
    # a session token (a participant's cookie) is not a projector link
    joined = ws.join(store, Principal(), wid, workshop["code"], "Mette")
    cookie = session_token.issue(joined, SECRET)
    with pytest.raises(session_token.InvalidSession):
        projector.redeem(cookie.value, SECRET, _lookup(store))


def test_a_projector_screen_survives_a_reload_until_its_link_ends(store, workshop):
    wid = workshop["workshop_id"]
    then = dt.datetime(2027, 2, 1, 8, tzinfo=dt.UTC)
    token, _ = projector.issue(store, AARHUS, wid, SECRET, hours=2, now=then)
    screen = projector.redeem(token, SECRET, _lookup(store), now=then)
    cookie = session_token.issue(screen, SECRET, now=then + dt.timedelta(minutes=30))
    assert cookie is not None and cookie.max_age_s == 90 * 60
    back = session_token.restore(
        cookie.value, SECRET, coordinator_code=None, workshop=_lookup(store), now=then + dt.timedelta(hours=1)
    )
    assert back.is_projector and back.workshop_id == wid and not back.has(auth.PARTICIPANT)
    with pytest.raises(session_token.ExpiredSession):
        session_token.restore(
            cookie.value,
            SECRET,
            coordinator_code=None,
            workshop=_lookup(store),
            now=then + dt.timedelta(hours=2),
        )
