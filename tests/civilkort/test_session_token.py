"""The signed session cookie's value: a code sign-in comes back after a reload, and nothing else does."""

import datetime as dt
import stat
import subprocess
import sys

import pytest

from civilkort import auth, session_token
from civilkort.auth import ANONYMOUS, COORDINATOR, PARTICIPANT
from civilkort.session_token import ExpiredSession, InvalidSession
from tests.conftest import PROJECT_ROOT

SECRET = "a" * 64
CODE = "koordinator-kode"
NOW = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def _workshop(code: str = "1234-5678", expires: str = "2026-05-04T15:00:00+00:00") -> dict:
    return {
        "workshop_id": "w1",
        "name": "Vest",
        "code_hash": auth.hash_code(code),
        "code_expires_at": expires,
    }


def _coordinator() -> auth.Principal:
    return auth.from_coordinator_code("Kirsten", CODE, expected=CODE)


def _no_workshop(_id: str) -> None:
    return None


def test_a_coordinator_comes_back_with_name_key_and_role():
    person = _coordinator()
    token = session_token.issue(person, SECRET, coordinator_code=CODE, now=NOW)
    assert token is not None and token.max_age_s == session_token.SESSION_HOURS * 3600
    assert CODE not in token.value
    back = session_token.restore(token.value, SECRET, coordinator_code=CODE, workshop=_no_workshop, now=NOW)
    assert (back.name, back.key, back.via, back.roles) == (
        "Kirsten",
        person.key,
        "kode",
        frozenset({COORDINATOR}),
    )


def test_the_token_expires():
    token = session_token.issue(_coordinator(), SECRET, coordinator_code=CODE, now=NOW)
    later = NOW + dt.timedelta(hours=session_token.SESSION_HOURS, seconds=1)
    with pytest.raises(ExpiredSession, match="udløbet"):
        session_token.restore(token.value, SECRET, coordinator_code=CODE, workshop=_no_workshop, now=later)
    almost = NOW + dt.timedelta(hours=session_token.SESSION_HOURS, seconds=-1)
    assert session_token.read(token.value, SECRET, now=almost)["n"] == "Kirsten"


def test_an_altered_token_or_another_secret_is_refused():
    token = session_token.issue(_coordinator(), SECRET, coordinator_code=CODE, now=NOW).value
    payload, signature = token.rsplit(".", 1)
    forged = session_token.issue(
        auth.from_coordinator_code("Mallory", CODE, expected=CODE), SECRET, coordinator_code=CODE, now=NOW
    ).value.rsplit(".", 1)[0]
    for bad in (f"{forged}.{signature}", f"{payload}.{signature[:-2]}xx", "", "garbage", token + "a"):
        with pytest.raises(InvalidSession):
            session_token.read(bad, SECRET, now=NOW)
    with pytest.raises(InvalidSession, match="anden nøgle"):
        session_token.read(token, "b" * 64, now=NOW)


def test_a_new_coordinator_code_ends_the_sessions_of_the_old_one():
    token = session_token.issue(_coordinator(), SECRET, coordinator_code=CODE, now=NOW).value
    for code_now in ("ny-kode", None):
        back = session_token.restore(token, SECRET, coordinator_code=code_now, workshop=_no_workshop, now=NOW)
        assert back == ANONYMOUS


def test_a_participant_comes_back_while_the_workshops_code_is_the_same_and_live():
    w = _workshop()
    person = auth.as_participant(ANONYMOUS, w, "1234-5678", "Mette", at=NOW)
    token = session_token.issue(person, SECRET, now=NOW).value
    assert w["code_hash"] not in token
    back = session_token.restore(token, SECRET, coordinator_code=CODE, workshop={"w1": w}.get, now=NOW)
    assert back.roles == {PARTICIPANT} and back.workshop_id == "w1" and back.name == "Mette"
    auth.require_participant(back, w, at=NOW)  # may write to the workshop again
    # a new code: no role any more (nothing may be written), but the page knows who and where, to ask for it
    renewed = {**w, "code_hash": auth.hash_code("9999-0000")}
    stale = session_token.restore(token, SECRET, coordinator_code=CODE, workshop={"w1": renewed}.get, now=NOW)
    assert not stale.roles and stale.workshop_id == "w1" and stale.name == "Mette" and stale.key == person.key
    with pytest.raises(auth.PermissionDenied):
        auth.require_participant(stale, renewed, at=NOW)
    # an expired code, or a deleted workshop: the participant is anonymous again
    for lookup in (_no_workshop,):
        assert (
            session_token.restore(token, SECRET, coordinator_code=CODE, workshop=lookup, now=NOW) == ANONYMOUS
        )


def test_only_code_sign_ins_get_a_token():
    assert session_token.issue(ANONYMOUS, SECRET, now=NOW) is None
    login = auth.Principal(name="Kirsten", via="login", key="abc", councils=frozenset({"aarhus"}))
    assert session_token.issue(login, SECRET, coordinator_code=CODE, now=NOW) is None
    # the coordinator code is no longer in force (e.g. login switched on): nothing to keep
    assert session_token.issue(_coordinator(), SECRET, coordinator_code=None, now=NOW) is None


READ_SECRET = "import sys, pathlib; from civilkort import session_token as t; print(t.data_dir_secret(pathlib.Path(sys.argv[1])))"
"""What each of the processes runs: only the module under test (a process pool would import this whole module
and its test dependencies in every worker)."""


def test_the_data_folder_secret_is_made_once_private_and_shared_by_processes(tmp_path):
    started = [
        subprocess.Popen(
            [sys.executable, "-c", READ_SECRET, str(tmp_path)],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    made = [process.communicate(timeout=120)[0].strip() for process in started]
    assert all(process.returncode == 0 for process in started)
    assert len(set(made)) == 1 and len(made[0]) == 64
    assert session_token.data_dir_secret(tmp_path) == made[0]
    path = tmp_path / session_token.SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [session_token.SECRET_FILE]  # no drafts left
