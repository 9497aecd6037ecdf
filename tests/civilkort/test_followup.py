"""The follow-up worklist (civilkort.followup) and the end dates' calendar (civilkort.ics), on the radar's
tiny hand-made world (tests/civilkort/test_radar.py, today = 30-11-2026), with the store on each backend.

Last verified, added here: O1 01-06-2026, O2 29-11-2025 (a day past 12 months: stale), O3 30-11-2025
(exactly 12 months: still fresh), O4 never, O5 and O6 01-06-2026; every collaboration 01-06-2026 but C4
(never).  So Sundhedsråd Aarhus has due: ending within 3 months C5 (today) and C1 (the edge), within 6
also C4 (01-03-2027, across Aarhus and Fyn), within 12 also C8; not verified O2, O4 and C4.
"""

from __future__ import annotations

import datetime as dt

import icalendar
import pandas as pd
import pytest

from civilkort import auth, followup, ics
from civilkort.auth import PermissionDenied, Principal
from civilkort.db import Database, current_path
from civilkort.followup import COLLABORATION, ORGANISATION, FollowupError
from civilkort.settings import Settings
from civilkort.store import Conflict, Store
from etl.build import build
from etl.rebuild import rebuild
from tests.civilkort.test_radar import TODAY, tiny_tables
from tests.conftest import PROJECT_ROOT, clean_input

SARA = Principal(name="Sara", key="s1", councils={"aarhus"})
BO = Principal(name="Bo", key="b2", councils={"aarhus"})
FYN = Principal(name="Fie", key="f3", councils={"fyn"})
VERIFIED = {
    "O1": "2026-06-01",
    "O2": "2025-11-29",
    "O3": "2025-11-30",
    "O5": "2026-06-01",
    "O6": "2026-06-01",
}


def world(example_tables) -> dict[str, pd.DataFrame]:
    """The radar's tiny world with last verified dates and a role mailbox for O1."""
    tables = tiny_tables(example_tables)
    orgs = tables["organisations"]
    orgs["last_verified"] = pd.to_datetime(orgs["organisation_id"].map(VERIFIED)).astype(
        orgs["last_verified"].dtype
    )
    orgs["email"] = pd.Series(
        ["kontakt@forening-et.example.dk" if i == "O1" else None for i in orgs["organisation_id"]],
        index=orgs.index,
        dtype="string",
    )
    orgs["website"] = pd.Series(["https://forening-et.example.dk"] + [None] * (len(orgs) - 1), dtype="string")
    collabs = tables["collaborations"]
    collabs["last_verified"] = pd.Series(
        [pd.NaT if c == "C4" else pd.Timestamp("2026-06-01") for c in collabs["collaboration_id"]],
        index=collabs.index,
    ).astype(collabs["last_verified"].dtype)
    return tables


@pytest.fixture
def cfg(store_url, tmp_path, monkeypatch, example_tables):
    """A data folder with the tiny world built, its store on each backend."""
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CIVILKORT_DATABASE_URL", store_url)
    cfg = Settings(data_dir=tmp_path, static_dir=PROJECT_ROOT / "static", database_url=store_url)
    build(clean_input(world(example_tables)), cfg=cfg)
    return cfg


@pytest.fixture
def store(cfg):
    opened = Store(cfg.store_url)
    yield opened
    opened.close()


@pytest.fixture
def db(cfg):
    database = Database(current_path(cfg))
    yield database
    database.close()


def _keys(df: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(df["entity"], df["record_id"]))


def _row(df: pd.DataFrame, record_id: str) -> dict:
    hit = df[df["record_id"] == record_id]
    assert len(hit) == 1, (record_id, df[["entity", "record_id"]])
    return hit.iloc[0].to_dict()


def test_what_is_due_ending_soon_and_not_verified_for_twelve_months(db):
    three = followup.due(db, "aarhus", months=3, today=TODAY)
    assert _keys(three) == {
        (COLLABORATION, "C5"),
        (COLLABORATION, "C1"),
        (COLLABORATION, "C4"),
        (ORGANISATION, "O2"),
        (ORGANISATION, "O4"),
    }
    assert _row(three, "C5")["reason"] == "Slutter i dag"
    assert _row(three, "C1")["reason"] == "Slutter om 90 dage"
    assert _row(three, "C1")["last_verified"] == pd.Timestamp("2026-06-01")  # looked up for an ending one
    assert _row(three, "C4")["reason"] == "Slutter om 91 dage; Aldrig verificeret"  # due as not verified
    assert _row(three, "O2")["reason"] == "Ikke verificeret i 12 måneder"
    six = followup.due(db, "aarhus", months=6, today=TODAY)
    assert _row(six, "C4")["reason"] == "Slutter om 91 dage; Aldrig verificeret"
    assert (COLLABORATION, "C8") in _keys(followup.due(db, "aarhus", months=12, today=TODAY))
    assert _keys(followup.due(db, "fyn", months=3, today=TODAY)) == {(COLLABORATION, "C4")}


def test_a_status_is_kept_with_its_note_versioned_and_audited(db, store):
    row = followup.set_status(store, SARA, "aarhus", COLLABORATION, "C1", "kontaktet", " Ringede til O1 ",
                              expected_version=0, db=db)  # fmt: skip
    assert (row["status"], row["note"], row["title"], row["version"]) == (
        "kontaktet",
        "Ringede til O1",
        "Ender på grænsen",
        1,
    )
    row = followup.set_status(store, BO, "aarhus", COLLABORATION, "C1", "forlaenget", "Forlænget til 2028",
                              expected_version=1, db=db)  # fmt: skip
    assert (row["status"], row["updated_by"], row["version"]) == ("forlaenget", "Bo", 2)
    trail = followup.history(store, SARA, "aarhus", COLLABORATION, "C1")
    assert [(h["actor"], h["action"], h["status"], h["note"]) for h in trail] == [
        ("Bo (#b2)", "opfølgning: forlænget", "Forlænget", "Forlænget til 2028"),
        ("Sara (#s1)", "opfølgning: kontaktet", "Kontaktet", "Ringede til O1"),
    ]
    listed = followup.worklist(db, store, SARA, "aarhus", months=3, today=TODAY)
    c1 = _row(listed, "C1")
    assert (c1["status"], c1["note"], c1["version"], c1["is_due"]) == (
        "forlaenget",
        "Forlænget til 2028",
        2,
        True,
    )
    assert _row(listed, "C5")["status"] == "aaben" and _row(listed, "C5")["version"] == 0
    # the same collaboration is followed up apart in each council it involves
    followup.set_status(store, FYN, "fyn", COLLABORATION, "C4", "afsluttet", expected_version=0, db=db)
    assert (
        _row(followup.worklist(db, store, SARA, "aarhus", months=6, today=TODAY), "C4")["status"] == "aaben"
    )


def test_the_later_of_two_coordinators_is_told_who_saved_first_and_nothing_is_lost(db, store):
    seen = _row(followup.worklist(db, store, SARA, "aarhus", months=3, today=TODAY), "C1")["version"]
    followup.set_status(store, SARA, "aarhus", COLLABORATION, "C1", "kontaktet", "Sara ringede",
                        expected_version=seen, db=db)  # fmt: skip
    with pytest.raises(Conflict) as refused:
        followup.set_status(store, BO, "aarhus", COLLABORATION, "C1", "afsluttet", "Bo lukkede",
                            expected_version=seen, db=db)  # fmt: skip
    said = str(refused.value)
    assert (
        "Opfølgningen på 'Ender på grænsen' er ændret af Sara" in said and "Din ændring er ikke gemt" in said
    )
    kept = _row(followup.worklist(db, store, BO, "aarhus", months=3, today=TODAY), "C1")
    assert (kept["status"], kept["note"]) == ("kontaktet", "Sara ringede")
    # having reloaded, Bo's change goes through
    followup.set_status(store, BO, "aarhus", COLLABORATION, "C1", "afsluttet", "Bo lukkede",
                        expected_version=kept["version"], db=db)  # fmt: skip


def test_every_change_checks_the_callers_council_in_the_library(db, store):
    with pytest.raises(PermissionDenied, match="Sundhedsråd Aarhus"):
        followup.set_status(store, FYN, "aarhus", COLLABORATION, "C1", "kontaktet", expected_version=0, db=db)
    with pytest.raises(PermissionDenied):
        followup.set_status(
            store, auth.ANONYMOUS, "aarhus", COLLABORATION, "C1", "kontaktet", expected_version=0, db=db
        )
    with pytest.raises(PermissionDenied):
        followup.worklist(db, store, FYN, "aarhus", today=TODAY)
    with pytest.raises(PermissionDenied):
        followup.record_request(store, FYN, "aarhus", ORGANISATION, "O1", title="Forening Et")
    with pytest.raises(FollowupError, match="C6 findes ikke i data for Sundhedsråd Aarhus"):
        followup.set_status(
            store, SARA, "aarhus", COLLABORATION, "C6", "kontaktet", expected_version=0, db=db
        )
    with pytest.raises(FollowupError, match="Ukendt status"):
        followup.set_status(store, SARA, "aarhus", COLLABORATION, "C1", "glemt", expected_version=0, db=db)
    with pytest.raises(FollowupError, match="for lang"):
        followup.set_status(
            store, SARA, "aarhus", COLLABORATION, "C1", "kontaktet", "x" * 501, expected_version=0, db=db
        )
    admin = Principal(name="Ane", key="a", is_admin=True)
    followup.set_status(store, admin, "aarhus", ORGANISATION, "O4", "kontaktet", expected_version=0, db=db)
    assert store.rows("SELECT count(*) AS n FROM followups")[0]["n"] == 1


def test_a_send_makes_an_open_row_contacted_and_keeps_a_chosen_status(db, store):
    row = followup.record_request(store, SARA, "aarhus", ORGANISATION, "O2", title="Forening To")
    assert (row["status"], row["requested_by"], row["version"]) == ("kontaktet", "Sara", 1)
    followup.set_status(store, SARA, "aarhus", COLLABORATION, "C1", "forlaenget", expected_version=0, db=db)
    again = followup.record_request(store, SARA, "aarhus", COLLABORATION, "C1", title="Ender på grænsen")
    assert again["status"] == "forlaenget" and again["requested_at"]
    assert store.history(entity="followups")[0]["action"] == followup.REQUEST_ACTION


def test_the_worklist_survives_a_rebuild_and_names_what_left_the_radar_or_the_data(
    cfg, db, store, example_tables
):
    for entity, record_id, status in ((COLLABORATION, "C1", "kontaktet"), (ORGANISATION, "O2", "kontaktet"),
                                      (COLLABORATION, "C4", "forlaenget")):  # fmt: skip
        followup.set_status(store, SARA, "aarhus", entity, record_id, status, f"Note om {record_id}",
                            expected_version=0, db=db)  # fmt: skip
    tables = world(example_tables)
    orgs, collabs = tables["organisations"], tables["collaborations"]
    orgs.loc[orgs["organisation_id"] == "O2", "last_verified"] = pd.Timestamp("2026-11-01")  # verified since
    rebuild({"organisations": orgs[orgs["organisation_id"] == "O2"]}, principal=auth.operator(), cfg=cfg)
    exps = tables["experiences"]
    gone = {
        "collaborations": collabs[collabs["collaboration_id"] != "C1"],
        "experiences": exps[exps["collaboration_id"] != "C1"],
    }
    rebuild(gone, replace=True, principal=auth.operator(), cfg=cfg)
    assert current_path(cfg) != db.path
    after = Database(current_path(cfg))
    try:
        listed = followup.worklist(after, store, SARA, "aarhus", months=3, today=TODAY)
    finally:
        after.close()
    c1, o2, c4 = (_row(listed, i) for i in ("C1", "O2", "C4"))
    assert (c1["status"], c1["note"], c1["title"], c1["reason"]) == (
        "kontaktet", "Note om C1", "Ender på grænsen", followup.GONE)  # fmt: skip
    assert not c1["is_in_build"] and not c1["is_due"]
    assert (o2["status"], o2["reason"], o2["is_in_build"]) == ("kontaktet", followup.OFF_RADAR, True)
    assert (c4["status"], c4["is_due"]) == ("forlaenget", True)


def test_a_stored_row_due_later_than_the_window_follows_the_window(db, store):
    followup.set_status(store, SARA, "aarhus", COLLABORATION, "C8", "kontaktet", expected_version=0, db=db)
    assert "C8" not in set(followup.worklist(db, store, SARA, "aarhus", months=3, today=TODAY)["record_id"])
    assert (
        _row(followup.worklist(db, store, SARA, "aarhus", months=12, today=TODAY), "C8")["status"]
        == "kontaktet"
    )


# --- the calendar ----------------------------------------------------------------------------------


def test_the_calendar_has_one_all_day_event_per_end_date_with_a_stable_uid(db):
    rows = ics.end_dates(db, "aarhus", TODAY)
    assert list(rows["collaboration_id"]) == ["C5", "C1", "C4", "C8", "C7"]
    made = ics.calendar(rows, "aarhus", stamp=dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)).to_ical()
    parsed = icalendar.Calendar.from_ical(made)
    events = {str(e["UID"]): e for e in parsed.events}
    assert set(events) == {ics.uid(c) for c in rows["collaboration_id"]}
    c1 = events["samarbejde-C1-slutdato@civilsamfundskortet"]
    assert c1.start == dt.date(2027, 2, 28) and c1.end == dt.date(2027, 3, 1)
    assert str(c1["SUMMARY"]) == "Samarbejde slutter: Ender på grænsen"
    assert "Organisationer: Forening Et." in str(c1["DESCRIPTION"])
    assert str(parsed["X-WR-CALNAME"]) == "Samarbejder der slutter – Sundhedsråd Aarhus"
    again = icalendar.Calendar.from_ical(ics.to_ics(db, "aarhus", TODAY))
    assert {str(e["UID"]) for e in again.events} == set(events)  # the same UIDs each time


def test_text_that_means_something_in_icalendar_is_escaped_by_the_library(db):
    rows = ics.end_dates(db, "aarhus", TODAY).head(1).copy()
    tricky = "Møde; frokost, kaffe\nEND:VEVENT\\ BEGIN:VALARM"
    rows["title"] = tricky
    rows["collaboration_id"] = "C/1 ø"
    made = ics.calendar(rows, "aarhus").to_ical()
    assert b"\nEND:VEVENT\\ BEGIN" not in made and made.count(b"BEGIN:VEVENT") == 1
    event = icalendar.Calendar.from_ical(made).events[0]
    assert str(event["SUMMARY"]) == f"Samarbejde slutter: {tricky}"
    assert str(event["UID"]) == "samarbejde-C%2F1%20%C3%B8-slutdato@civilsamfundskortet"
