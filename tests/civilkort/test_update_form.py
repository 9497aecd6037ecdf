"""The update link (civilkort.update_form): the signed token, the organisation's changes as entries in its
council's review queue, the cap per organisation, and an approved change through the same apply and
rebuild as a workshop's entries; on both stores."""

from __future__ import annotations

import datetime as dt

import pytest
from itsdangerous import URLSafeSerializer

from civilkort import review, room, update_form, update_request
from civilkort import workshop as ws
from civilkort.auth import PermissionDenied, Principal
from civilkort.db import Database, current_path
from civilkort.update_form import ExpiredLink, InvalidLink
from etl import apply as workshop_apply
from tests.civilkort.test_followup import FYN, SARA, cfg, db, store  # noqa: F401 (fixtures)

SECRET = "test-secret-for-update-links"
NOW = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
READER = Principal(name="Læser")


def _token(db, now=NOW) -> str:  # noqa: F811
    return update_form.issue(db, SARA, "aarhus", "O1", SECRET, now=now)[0]


def test_a_link_names_the_organisation_council_and_end_and_nothing_personal(db):  # noqa: F811
    token, until = update_form.issue(db, SARA, "aarhus", "O1", SECRET, now=NOW)
    assert until == dt.datetime(2027, 1, 7, tzinfo=dt.UTC)  # 30 days, to midnight: the same link all day
    assert update_form.issue(db, SARA, "aarhus", "O1", SECRET, now=NOW + dt.timedelta(hours=5))[0] == token
    payload = URLSafeSerializer(SECRET, salt="civilkort.update_form.v1").loads(token)
    assert set(payload) == {"o", "c", "exp"}
    link = update_form.redeem(token, SECRET, now=NOW)
    assert (link.organisation_id, link.council_id, link.expires) == ("O1", "aarhus", until)


def test_only_a_coordinator_of_the_organisations_council_makes_a_link(db):  # noqa: F811
    with pytest.raises(PermissionDenied):
        update_form.issue(db, READER, "aarhus", "O1", SECRET)
    with pytest.raises(PermissionDenied, match="Fyn|fyn"):
        update_form.issue(db, FYN, "aarhus", "O1", SECRET)
    with pytest.raises(InvalidLink, match="hører ikke til"):
        update_form.issue(db, FYN, "fyn", "O1", SECRET)  # O1 is Aarhus's
    with pytest.raises(InvalidLink, match="findes ikke"):
        update_form.issue(db, SARA, "aarhus", "NOPE", SECRET)


def test_an_expired_tampered_or_foreign_token_is_refused_in_danish(db):  # noqa: F811
    token = _token(db)
    with pytest.raises(ExpiredLink, match="udløbet"):
        update_form.redeem(token, SECRET, now=NOW + dt.timedelta(days=31))
    with pytest.raises(InvalidLink, match="ikke gyldigt"):
        update_form.redeem(token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"), SECRET, now=NOW)
    with pytest.raises(InvalidLink, match="ikke gyldigt"):
        update_form.redeem(token, "another-secret", now=NOW)
    projector = URLSafeSerializer(SECRET, salt="civilkort.projector.v1").dumps(
        {"o": "O1", "c": "aarhus", "exp": 2**40}
    )
    with pytest.raises(InvalidLink):  # the same secret, another salt: not an update link
        update_form.redeem(projector, SECRET, now=NOW)
    with pytest.raises(InvalidLink):
        update_form.redeem("", SECRET, now=NOW)


def test_the_form_shows_the_public_fields_and_the_offers_never_the_mailbox(db):  # noqa: F811
    shown = update_form.current(db, update_form.redeem(_token(db), SECRET, now=NOW))
    assert shown["name"] == "Forening Et" and shown["website"] == "https://forening-et.example.dk"
    assert "email" not in shown and "contact_person" not in shown
    assert shown["offers"] == {"T1": {"name": "Tilbud T1", "description": "", "schedule": "", "cost": "",
                                      "status": "aktiv"}}  # fmt: skip


def test_a_submission_becomes_one_entry_per_changed_record_in_the_councils_queue(db, store):  # noqa: F811
    shown = update_form.current(db, update_form.redeem(_token(db), SECRET, now=NOW))
    sent = {k: v for k, v in shown.items() if k not in ("offers", "organisation_id")}
    made = update_form.submit(
        store, db, _token(db), SECRET,
        {**sent, "website": "forening-et.example.dk/ny", "email": "ny@forening-et.example.dk"},
        {"T1": {**shown["offers"]["T1"], "schedule": "Tirsdage kl. 10-12", "status": "pause"}},
        at=NOW,
    )  # fmt: skip
    assert [(e["kind"], e["fields"][ws.UPDATE_KEY]["target"]) for e in made] == [("organisation", "O1"),
                                                                                  ("tilbud", "T1")]  # fmt: skip
    org, offer = made
    assert org["fields"][ws.UPDATE_KEY]["changed"] == ["website", "email"]  # only what changed
    assert update_form.changes(org) == [
        ("Hjemmeside", "https://forening-et.example.dk", "https://forening-et.example.dk/ny"),
        ("Funktionspostkasse (e-mail)", "ikke vist", "ny@forening-et.example.dk"),
    ]
    assert update_form.changes(offer) == [
        ("Tidspunkt", "–", "Tirsdage kl. 10-12"),
        ("Status", "Aktiv", "Pause"),
    ]
    session = ws.get_workshop(store, org["workshop_id"])
    assert session["council_id"] == "aarhus" and ws.is_standing(session)
    assert not ws.auth.code_is_live(session) and session not in ws.list_workshops(store, live_only=True)
    assert org["status"] == "ny" and org["author"] == "Forening Et (opdateringslink)"
    assert session not in room.workshops(store, "council:aarhus")  # no room, no presentation step
    # the same changes sent again (a double click): the entries already made, not new ones
    again = update_form.submit(store, db, _token(db), SECRET, {**sent, "website": "forening-et.example.dk/ny",
                               "email": "ny@forening-et.example.dk"},
                               {"T1": {**shown["offers"]["T1"], "schedule": "Tirsdage kl. 10-12", "status": "pause"}},
                               at=NOW)  # fmt: skip
    assert [e["entry_id"] for e in again] == [e["entry_id"] for e in made]
    assert len(ws.entries(store, org["workshop_id"])) == 2


def test_bad_input_is_refused_naming_the_field(db, store):  # noqa: F811
    token = _token(db)
    for fields, message in [
        ({"name": "Forening Et"}, "ingen ændringer"),
        ({"name": ""}, "Navn: skal udfyldes"),
        ({"postcode": "0001"}, "Postnummer"),
        ({"website": "ikke en adresse"}, "Hjemmeside"),
        ({"email": "ingen-snabel-a"}, "e-mail"),
        ({"description": "x" * (ws.MAX_LONG_TEXT + 1)}, "højst"),
        ({"contact_person": "Hanne"}, "kan ikke ændres"),
    ]:
        with pytest.raises(ws.EntryError, match=message):
            update_form.submit(store, db, token, SECRET, fields, at=NOW)
    with pytest.raises(ws.EntryError, match="Status"):
        update_form.submit(store, db, token, SECRET, {}, {"T1": {"status": "lukket"}}, at=NOW)
    with pytest.raises(ws.EntryError, match="hører ikke til"):
        update_form.submit(store, db, token, SECRET, {}, {"T2": {"name": "Ikke jeres"}}, at=NOW)
    with pytest.raises(ExpiredLink):
        update_form.submit(store, db, token, SECRET, {"city": "Aarhus C"}, at=NOW + dt.timedelta(days=40))
    assert ws.entries(store) == []


def test_at_most_a_few_unreviewed_submissions_per_organisation(db, store):  # noqa: F811
    token = _token(db)
    for n in range(update_form.MAX_PENDING):
        update_form.submit(store, db, token, SECRET, {"city": f"By {n}"}, at=NOW)
    with pytest.raises(ws.EntryError, match="venter allerede"):
        update_form.submit(store, db, token, SECRET, {"city": "By igen"}, at=NOW)
    first = ws.entries(store)[0]
    review.reject(store, SARA, first["entry_id"], "Forkert by")
    assert update_form.submit(store, db, token, SECRET, {"city": "By igen"}, at=NOW)  # room again
    # another organisation of the council has its own allowance
    other = update_form.issue(db, SARA, "aarhus", "O2", SECRET, now=NOW)[0]
    assert update_form.submit(store, db, other, SECRET, {"city": "Skejby"}, at=NOW)


def test_review_is_the_councils_and_an_approved_update_goes_into_the_data_by_the_same_rebuild(cfg, db, store):  # noqa: F811
    token = _token(db, now=dt.datetime.now(dt.UTC))
    org, offer = update_form.submit(
        store, db, token, SECRET, {"website": "https://forening-et.example.dk/ny", "postcode": "8000"},
        {"T1": {"schedule": "Tirsdage kl. 10-12"}},
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        review.accept(store, FYN, org["entry_id"], db=db)
    with pytest.raises(ws.EntryError, match="godkendes eller afvises"):
        review.accept(store, SARA, org["entry_id"], edits={"name": "X"}, db=db)
    with pytest.raises(ws.EntryError, match="godkend eller afvis"):
        review.merge(store, SARA, org["entry_id"], "O2", db=db)
    accepted = review.accept(store, SARA, org["entry_id"], db=db)
    assert (accepted["status"], accepted["merged_into"]) == ("flettet", "O1")
    review.reject(store, SARA, offer["entry_id"], "Tidspunktet er forkert")
    applied = workshop_apply.apply_accepted(store, SARA, cfg=cfg)
    assert applied.records == {org["entry_id"]: "O1"}
    built = Database(current_path(cfg))
    try:
        row = built.query("SELECT website, postcode, city, source, council_id FROM organisations"
                          " WHERE organisation_id = 'O1'").iloc[0]  # fmt: skip
        assert row["website"] == "https://forening-et.example.dk/ny" and row["postcode"] == "8000"
        assert "opdatering fra organisationen" in row["source"]
        assert built.query("SELECT schedule FROM offers WHERE offer_id = 'T1'").iloc[0]["schedule"] is None
    finally:
        built.close()
    # undo takes it out again, as for a workshop's entries
    workshop_apply.undo_last(store, SARA, cfg=cfg)
    back = Database(current_path(cfg))
    try:
        assert back.query("SELECT website FROM organisations WHERE organisation_id = 'O1'").iloc[0, 0] == (
            "https://forening-et.example.dk"
        )
    finally:
        back.close()


def test_the_e_mail_offers_the_link_when_it_is_given(db, store):  # noqa: F811
    link = ("https://kort.example.dk/opdater?opdater=abc", dt.datetime(2027, 1, 7, tzinfo=dt.UTC))
    with_link = update_request.prepare(db, store, SARA, "aarhus", "O1", update_link=link)
    assert "https://kort.example.dk/opdater?opdater=abc" in with_link.body
    assert "til og med 06-01-2027" in with_link.body
    assert "opdater?" not in update_request.prepare(db, store, SARA, "aarhus", "O1").body
