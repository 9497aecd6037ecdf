"""Roles: viewing is open, capturing needs the workshop code, reviewing needs a coordinator."""

import datetime as dt

import pytest

from civilkort import auth
from civilkort.auth import ANONYMOUS, COORDINATOR, PARTICIPANT, PermissionDenied


def _workshop(code="1234-5678", expires="2099-01-01T00:00:00+00:00"):
    return {
        "workshop_id": "w1",
        "name": "Vest",
        "code_hash": auth.hash_code(code),
        "code_expires_at": expires,
    }


def test_codes_are_hashed_salted_and_forgiving_about_spaces_and_dashes():
    stored = auth.hash_code("1234-5678")
    assert "1234" not in stored
    assert stored != auth.hash_code("1234-5678")
    assert auth.check_code("1234 5678", stored)
    assert auth.check_code("12345678", stored)
    assert not auth.check_code("1234-5679", stored)
    assert not auth.check_code("x", "garbage")


def test_anonymous_may_only_view():
    assert ANONYMOUS.has("viewer")
    with pytest.raises(PermissionDenied, match="workshoppens kode"):
        auth.require(ANONYMOUS, PARTICIPANT)
    with pytest.raises(PermissionDenied, match="koordinatoradgang"):
        auth.require(ANONYMOUS, COORDINATOR)


def test_joining_with_the_right_code_makes_a_participant_of_that_workshop_only():
    w = _workshop()
    p = auth.as_participant(ANONYMOUS, w, "1234-5678", "Mette")
    assert p.has(PARTICIPANT) and not p.has(COORDINATOR)
    auth.require_participant(p, w)
    other = {**_workshop(), "workshop_id": "w2", "name": "Øst"}
    with pytest.raises(PermissionDenied, match="ikke med i workshoppen"):
        auth.require_participant(p, other)


def test_wrong_or_expired_code_is_refused():
    with pytest.raises(PermissionDenied, match="Forkert"):
        auth.as_participant(ANONYMOUS, _workshop(), "0000-0000", "Mette")
    old = _workshop(expires="2020-01-01T00:00:00+00:00")
    with pytest.raises(PermissionDenied, match="udløbet"):
        auth.as_participant(ANONYMOUS, old, "1234-5678", "Mette")


def test_a_session_ends_when_the_code_expires_or_changes():
    w = _workshop(expires="2027-02-01T12:00:00+00:00")
    p = auth.as_participant(ANONYMOUS, w, "1234-5678", "Mette", at=dt.datetime(2027, 2, 1, 9, tzinfo=dt.UTC))
    auth.require_participant(p, w, at=dt.datetime(2027, 2, 1, 11, tzinfo=dt.UTC))
    with pytest.raises(PermissionDenied, match="udløbet"):
        auth.require_participant(p, w, at=dt.datetime(2027, 2, 1, 13, tzinfo=dt.UTC))
    with pytest.raises(PermissionDenied, match="skiftet"):
        auth.require_participant(
            p, {**w, "code_hash": auth.hash_code("9999")}, at=dt.datetime(2027, 2, 1, 11, tzinfo=dt.UTC)
        )


def test_coordinator_by_code_needs_it_set_up_and_right():
    with pytest.raises(PermissionDenied, match="ikke sat op"):
        auth.from_coordinator_code("Kim", "x", expected=None)
    with pytest.raises(PermissionDenied, match="Forkert"):
        auth.from_coordinator_code("Kim", "forkert", expected="hemmelig")
    kim = auth.from_coordinator_code("Kim", "hemmelig", expected="hemmelig")
    assert kim.has(COORDINATOR) and kim.has(PARTICIPANT)
    auth.require_participant(kim, _workshop())


def test_login_makes_a_coordinator_only_if_listed(monkeypatch):
    monkeypatch.setenv("CIVILKORT_KOORDINATORER", "kim@rm.dk, Anne@RSYD.dk=aarhus")
    anne = auth.from_login({"email": "anne@rsyd.dk", "name": "Anne"})
    assert anne.has(COORDINATOR) and anne.councils == {"aarhus"} and not anne.is_admin
    assert auth.from_login({"email": "kim@rm.dk", "name": "Kim"}).is_admin  # the old format: every right
    assert not auth.from_login({"email": "ole@x.dk", "name": "Ole"}).has(COORDINATOR)


def test_new_codes_are_easy_to_read_aloud():
    code = auth.new_code()
    assert len(code) == 9 and code[4] == "-" and code.replace("-", "").isdigit()
