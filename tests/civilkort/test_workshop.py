"""Workshop capture and review: roles, idempotent saves, many writers at once, review, undo, into the data."""

from __future__ import annotations

import datetime as dt
import io
import json
import multiprocessing
import shutil
import threading
import uuid

import openpyxl
import pandas as pd
import pytest

from civilkort import auth, review, workshop_tables
from civilkort import workshop as ws
from civilkort.auth import PermissionDenied, Principal
from civilkort.db import Database, current_path
from civilkort.point_municipality import municipality_at
from civilkort.settings import Settings
from civilkort.store import Conflict, Store
from etl import apply as workshop_apply
from tests.conftest import PROJECT_ROOT

COORDINATOR_PERSON = Principal(name="Kirsten Koordinator", via="kode", is_admin=True)
HELD_ON = dt.date(2027, 2, 1)
AARHUS = (56.1572, 10.2107)


@pytest.fixture
def workshop(store):
    row, code = ws.create_workshop(
        store, COORDINATOR_PERSON, "Workshop Aarhus", held_on=HELD_ON, council_id="aarhus", code="1234-5678"
    )
    return {**row, "code": code}


@pytest.fixture
def participant(store, workshop) -> Principal:
    return ws.join(store, Principal(), workshop["workshop_id"], "1234 5678", "Mette")


def _token() -> str:
    return uuid.uuid4().hex


def _note(store, person, workshop, text="Mangler tilbud til unge", token=None):
    return ws.add_entry(
        store,
        person,
        workshop["workshop_id"],
        "note",
        {"note_type": "hul", "text": text},
        municipality="Aarhus",
        client_token=token or _token(),
    )


# --- who may write ---------------------------------------------------------------------------------


def test_only_a_coordinator_creates_a_workshop_and_only_the_hash_is_kept(store):
    with pytest.raises(PermissionDenied, match="koordinator"):
        ws.create_workshop(store, Principal(name="Læser"), "X", held_on=HELD_ON)
    row, code = ws.create_workshop(store, COORDINATOR_PERSON, "Workshop Vest", held_on=HELD_ON)
    assert len(code) == 9 and code not in json.dumps(store.rows("SELECT * FROM workshops"))
    assert code not in json.dumps(store.rows("SELECT * FROM audit"))
    assert row["code_hash"].startswith("scrypt$")


def test_capture_is_refused_without_code_with_a_wrong_code_or_workshop_and_after_expiry(store, workshop):
    with pytest.raises(PermissionDenied, match="ikke med i workshoppen"):
        _note(store, Principal(name="Anonym"), workshop)
    with pytest.raises(PermissionDenied, match="Forkert workshopkode"):
        ws.join(store, Principal(), workshop["workshop_id"], "0000-0000", "Mette")
    other, _ = ws.create_workshop(
        store, COORDINATOR_PERSON, "Anden workshop", held_on=HELD_ON, code="9999-0000"
    )
    member_elsewhere = ws.join(store, Principal(), other["workshop_id"], "9999-0000", "Ole")
    with pytest.raises(PermissionDenied, match="ikke med i workshoppen"):
        _note(store, member_elsewhere, workshop)
    person = ws.join(store, Principal(), workshop["workshop_id"], "12345678", "Mette")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=9)
    with pytest.raises(PermissionDenied, match="udløbet"):
        ws.add_entry(store, person, workshop["workshop_id"], "note", {"note_type": "ide", "text": "x"},
                     client_token=_token(), at=later)  # fmt: skip
    with pytest.raises(PermissionDenied, match="udløbet"):
        ws.join(store, Principal(), workshop["workshop_id"], "1234-5678", "Sen", at=later)
    assert store.rows("SELECT * FROM entries") == []


def test_a_new_code_ends_the_old_sessions_and_end_stops_capture(store, workshop, participant):
    code = ws.new_code(store, COORDINATOR_PERSON, workshop["workshop_id"])
    with pytest.raises(PermissionDenied, match="kode er skiftet"):
        _note(store, participant, workshop)
    again = ws.join(store, Principal(), workshop["workshop_id"], code, "Mette")
    assert _note(store, again, workshop).created
    with pytest.raises(PermissionDenied):
        ws.new_code(store, again, workshop["workshop_id"])
    ws.end_workshop(store, COORDINATOR_PERSON, workshop["workshop_id"])
    with pytest.raises(PermissionDenied, match="udløbet"):
        _note(store, again, workshop)
    ws.extend(store, COORDINATOR_PERSON, workshop["workshop_id"], hours=1)
    assert _note(store, again, workshop).created


def test_review_is_refused_for_participants_and_viewers(store, workshop, participant):
    entry = _note(store, participant, workshop).entry
    for person in (participant, Principal(name="Læser")):
        with pytest.raises(PermissionDenied, match="koordinator"):
            review.accept(store, person, entry["entry_id"])
        with pytest.raises(PermissionDenied):
            review.reject(store, person, entry["entry_id"], "nej")
        with pytest.raises(PermissionDenied):
            review.merge(store, person, entry["entry_id"], "ORG-000001")
        with pytest.raises(PermissionDenied):
            review.pending_apply(store, person)
    assert ws.get_entry(store, entry["entry_id"])["status"] == "ny"


# --- saving ----------------------------------------------------------------------------------------


def test_fields_are_checked_in_danish_and_vocabulary_labels_become_codes(store, workshop, participant):
    wid = workshop["workshop_id"]
    with pytest.raises(ws.EntryError, match="Navn: skal udfyldes"):
        ws.add_entry(store, participant, wid, "organisation", {"organisation_type": "Fond"},
                     municipality="Aarhus", client_token=_token())  # fmt: skip
    with pytest.raises(ws.EntryError, match="Organisationstype: 'Klub' er ikke en kendt værdi"):
        ws.add_entry(store, participant, wid, "organisation", {"name": "X", "organisation_type": "Klub"},
                     municipality="Aarhus", client_token=_token())  # fmt: skip
    with pytest.raises(ws.EntryError, match="Placering: sæt en nål"):
        ws.add_entry(store, participant, wid, "organisation", {"name": "X", "organisation_type": "Fond"},
                     client_token=_token())  # fmt: skip
    with pytest.raises(ws.EntryError, match="uden for Danmark"):
        ws.add_entry(store, participant, wid, "note", {"note_type": "hul", "text": "x"}, lat=52.5, lon=13.4,
                     client_token=_token())  # fmt: skip
    with pytest.raises(ws.EntryError, match="Temaer: skal udfyldes"):
        ws.add_entry(store, participant, wid, "tilbud", {"name": "Løbeklub"}, client_token=_token())
    saved = ws.add_entry(
        store, participant, wid, "tilbud",
        {"name": "Løbeklub", "themes": ["Forebyggelse", "lighed"], "target_groups": "Ældre; ensomme"},
        postcode="8000", client_token=_token(),
    )  # fmt: skip
    f = saved.entry["fields"]
    assert f["themes"] == ["forebyggelse", "lighed"] and f["target_groups"] == ["aeldre", "ensomme"]
    assert saved.entry["municipality_code"] == 751 and f["_placering"] == "postcode"
    assert saved.entry["author"] == "Mette" and saved.entry["status"] == "ny"


def test_a_pin_is_placed_in_its_municipality(store, workshop, participant, small_db):
    saved = ws.add_entry(
        store, participant, workshop["workshop_id"], "organisation",
        {"name": "Gadeidræt Aarhus", "organisation_type": "frivillig_forening", "website": "gadeidraet.dk"},
        lat=AARHUS[0], lon=AARHUS[1], db=small_db, client_token=_token(),
    )  # fmt: skip
    assert saved.entry["municipality_code"] == 751
    assert saved.entry["fields"]["website"] == "https://gadeidraet.dk"
    assert municipality_at(55.4038, 10.4024) == 461  # Odense, from representative points alone


def test_links_to_existing_records_are_checked_against_the_data(store, workshop, participant, small_db):
    wid = workshop["workshop_id"]
    with pytest.raises(ws.EntryError, match="'ORG-FINDES-IKKE' findes ikke"):
        ws.add_entry(store, participant, wid, "tilbud",
                     {"name": "X", "themes": ["lighed"], "organisation_id": "ORG-FINDES-IKKE"},
                     db=small_db, client_token=_token())  # fmt: skip
    org = ws.add_entry(store, participant, wid, "organisation", {"name": "Ny", "organisation_type": "fond"},
                       municipality="Aarhus", client_token=_token()).entry  # fmt: skip
    ok = ws.add_entry(store, participant, wid, "samarbejde",
                      {"title": "Følgeskab", "unit_ids": ["ENH-0001"],
                       "organisation_ids": ["ORG-000001", f"workshop:{org['entry_id']}"]},
                      db=small_db, client_token=_token())  # fmt: skip
    assert ok.entry["fields"]["organisation_ids"][1] == f"workshop:{org['entry_id']}"


def test_a_retried_save_returns_the_entry_already_saved(store, workshop, participant):
    token = _token()
    first = _note(store, participant, workshop, token=token)
    second = _note(store, participant, workshop, token=token)
    assert first.created and not second.created
    assert second.entry["entry_id"] == first.entry["entry_id"]
    assert len(store.rows("SELECT * FROM entries")) == 1
    assert len(store.history(entity="entries")) == 1


def test_a_forms_token_depends_on_what_it_holds_not_on_the_session(store, workshop, participant):
    wid = workshop["workshop_id"]
    fields = {"note_type": "hul", "text": "Mangler tilbud til unge", "themes": ["sundhed"]}
    token = ws.form_token(wid, "Mette", "note", fields, municipality="Aarhus")
    # the same form pressed again in another session (another replica): the same token, whatever the order
    assert ws.form_token(wid, "Mette", "note", dict(reversed(fields.items())), municipality="Aarhus") == token
    changed = [
        ws.form_token(wid, "Ole", "note", fields, municipality="Aarhus"),
        ws.form_token(
            wid, "Mette", "note", {**fields, "text": "Mangler tilbud til ældre"}, municipality="Aarhus"
        ),
        ws.form_token(wid, "Mette", "note", {**fields, "themes": []}, municipality="Aarhus"),
        ws.form_token(wid, "Mette", "note", fields, municipality="Horsens"),
        ws.form_token(wid, "Mette", "note", fields, lat=AARHUS[0], lon=AARHUS[1]),
        ws.form_token(wid, "Mette", "organisation", fields, municipality="Aarhus"),
        ws.form_token("en-anden-workshop", "Mette", "note", fields, municipality="Aarhus"),
    ]
    assert token not in changed and len(set(changed)) == len(changed)
    first = _note(store, participant, workshop, token=ws.form_token(wid, "Mette", "note", fields))
    again = _note(store, participant, workshop, token=ws.form_token(wid, "Mette", "note", dict(fields)))
    assert first.created and not again.created and again.entry["entry_id"] == first.entry["entry_id"]


def _write_many(store: Store, person: Principal, workshop: dict, who: int, n: int, barrier) -> list[str]:
    barrier.wait()
    ids = []
    for i in range(n):
        token = f"w{who}-{i}"
        for _ in range(2):  # every save is sent twice, as a double click would
            saved = _note(store, person, workshop, text=f"Note {who}-{i}", token=token)
        ids.append(saved.entry["entry_id"])
    return ids


def _check_all_saved(store: Store, writers: int, per_writer: int) -> None:
    rows = store.rows("SELECT title, client_token FROM entries")
    expected = {f"Hul: Note {w}-{i}" for w in range(writers) for i in range(per_writer)}
    assert len(rows) == writers * per_writer  # nothing duplicated
    assert {r["title"] for r in rows} == expected  # nothing lost
    assert len({r["client_token"] for r in rows}) == len(rows)
    assert len(store.history(entity="entries", limit=10_000)) == writers * per_writer


def test_24_threads_saving_at_once_lose_and_duplicate_nothing(store, workshop, participant):
    writers, per_writer = 24, 5
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def run(who: int) -> None:
        try:
            _write_many(store, participant, workshop, who, per_writer, barrier)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    _check_all_saved(store, writers, per_writer)


def _process_writer(path: str, person: Principal, workshop: dict, who: int, n: int, barrier, errors) -> None:
    try:
        _write_many(
            Store(path), person, workshop, who, n, barrier
        )  # a store of its own, as another process has
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        errors.put(repr(exc))


def test_20_processes_saving_at_once_lose_and_duplicate_nothing(store, workshop, participant):
    writers, per_writer = 20, 3
    ctx = multiprocessing.get_context("fork")
    barrier, errors = ctx.Barrier(writers), ctx.Queue()
    procs = [
        ctx.Process(target=_process_writer,
                    args=(store.url, participant, workshop, w, per_writer, barrier, errors))
        for w in range(writers)
    ]  # fmt: skip
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * writers
    assert errors.empty(), errors.get()
    _check_all_saved(store, writers, per_writer)


# --- review and undo -------------------------------------------------------------------------------


def _change(store, entry_id):
    return store.history(entity="entries", entity_id=entry_id, limit=1)[0]


def test_accept_with_edits_reject_and_merge_are_audited_with_before_and_after(store, workshop, participant):
    wid = workshop["workshop_id"]
    org = ws.add_entry(store, participant, wid, "organisation", {"name": "Løbeklubben", "organisation_type": "fond"},
                       municipality="Aarhus", client_token=_token()).entry  # fmt: skip
    accepted = review.accept(store, COORDINATOR_PERSON, org["entry_id"], edits={"name": "Løbeklubben Aarhus"})
    assert accepted["status"] == "godkendt" and accepted["title"] == "Løbeklubben Aarhus"
    change = _change(store, org["entry_id"])
    assert change["actor"] == COORDINATOR_PERSON.name and change["action"] == "godkend"
    assert (
        json.loads(change["before"])["status"] == "ny" and json.loads(change["after"])["status"] == "godkendt"
    )
    assert "titel: Løbeklubben → Løbeklubben Aarhus" in review.describe_change(change)
    assert "status: ny → godkendt" in review.describe_change(change)

    note = _note(store, participant, workshop).entry
    with pytest.raises(ws.EntryError, match="Begrundelse"):
        review.reject(store, COORDINATOR_PERSON, note["entry_id"], "  ")
    rejected = review.reject(store, COORDINATOR_PERSON, note["entry_id"], "Findes allerede")
    assert rejected["status"] == "afvist" and rejected["review_note"] == "Findes allerede"
    with pytest.raises(ws.EntryError, match="allerede gennemgået"):
        review.accept(store, COORDINATOR_PERSON, note["entry_id"])
    with pytest.raises(ws.EntryError, match="kan ikke flettes"):
        review.merge(
            store, COORDINATOR_PERSON, _note(store, participant, workshop).entry["entry_id"], "ORG-1"
        )

    offer = ws.add_entry(store, participant, wid, "tilbud", {"name": "Gåtur", "themes": ["lighed"]},
                         client_token=_token()).entry  # fmt: skip
    with pytest.raises(ws.EntryError, match="vælg tilbuddets organisation"):
        review.accept(store, COORDINATOR_PERSON, offer["entry_id"])
    merged = review.merge(store, COORDINATOR_PERSON, offer["entry_id"], "TILBUD-000001", replace=["name"])
    assert merged["status"] == "flettet" and merged["merged_into"] == "TILBUD-000001"
    assert merged["merge_fields"] == ["name"]
    assert "flettet ind i: – → TILBUD-000001" in review.describe_change(_change(store, offer["entry_id"]))
    trail = review.trail(store)
    assert list(trail.columns) == ["Tid", "Hvem", "Handling", "Hvad", "Ændring (før → efter)"]
    assert {"opret", "godkend", "afvis", "flet", "opret workshop"} <= set(trail["Handling"])


def test_undo_the_last_change_participant_only_their_own_coordinator_any(store, workshop, participant):
    wid = workshop["workshop_id"]
    other = ws.join(store, Principal(), wid, "1234-5678", "Ole")
    mine = _note(store, participant, workshop, text="Min").entry
    theirs = _note(store, other, workshop, text="Oles").entry
    assert review.last_change(store, participant)["entity_id"] == mine["entry_id"]
    undone = review.undo_last(store, participant)  # Mette's own, although Ole saved after her
    assert undone["entity_id"] == mine["entry_id"]
    assert [e["title"] for e in ws.entries(store, wid)] == ["Hul: Oles"]
    with pytest.raises(ws.EntryError, match="ingen indtastning at fortryde"):
        review.undo_last(store, participant)
    with pytest.raises(PermissionDenied):
        review.undo_last(store, Principal(name="Læser"))

    review.reject(store, COORDINATOR_PERSON, theirs["entry_id"], "Dublet")
    with pytest.raises(ws.EntryError, match="allerede gennemgået"):
        review.undo_last(store, other)
    review.undo_last(store, COORDINATOR_PERSON)  # the rejection
    assert ws.get_entry(store, theirs["entry_id"])["status"] == "ny"
    trail = store.history(entity="entries")
    assert trail[0]["action"] == "fortryd afvis" and trail[0]["actor"] == COORDINATOR_PERSON.name
    assert json.loads(trail[0]["before"])["status"] == "afvist"
    assert json.loads(trail[0]["after"])["status"] == "ny"


def test_two_participants_with_the_same_name_cannot_undo_each_other(store, workshop, participant):
    wid = workshop["workshop_id"]
    namesake = ws.join(store, Principal(), wid, "1234-5678", participant.name)
    assert namesake.actor != participant.actor
    mine = _note(store, participant, workshop, text="Min").entry
    _note(store, namesake, workshop, text="Den andens")
    assert review.undo_last(store, participant)["entity_id"] == mine["entry_id"]
    with pytest.raises(ws.EntryError, match="ingen indtastning at fortryde"):
        review.undo_last(store, participant)
    assert [e["title"] for e in ws.entries(store, wid)] == ["Hul: Den andens"]


def test_listing_polling_and_the_map_layer(store, workshop, participant):
    v0 = store.version()
    assert ws.is_live(store)
    saved = _note(store, participant, workshop)
    version, changed = ws.changed_since(store, v0)
    assert version > v0 and changed == [saved.entry["entry_id"]]
    assert ws.changed_since(store, version) == (version, [])
    layer = workshop_tables.map_entries(store)
    assert layer["mark"].tolist() == ["Fra workshop Workshop Aarhus, 01-02-2027 · ikke verificeret"]
    assert bool(layer["is_approximate"].iloc[0])
    review.reject(store, COORDINATOR_PERSON, saved.entry["entry_id"], "nej")
    assert workshop_tables.map_entries(store).empty
    ws.end_workshop(store, COORDINATOR_PERSON, workshop["workshop_id"])
    assert not ws.is_live(store)  # nothing to show: normal use pays nothing


def test_export_leaves_names_out_unless_asked_and_neutralises_formulas(store, workshop, participant):
    _note(store, participant, workshop, text='=HYPERLINK("http://evil")')
    ws.add_entry(store, participant, workshop["workshop_id"], "organisation",
                 {"name": "+Forening", "organisation_type": "fond"}, municipality="Aarhus",
                 client_token=_token())  # fmt: skip
    book = openpyxl.load_workbook(io.BytesIO(workshop_tables.export_xlsx(store, workshop["workshop_id"])))
    assert book.sheetnames == ["Tilføjelser", "Parkeringsplads"]
    notes = [[c.value for c in row] for row in book["Parkeringsplads"].iter_rows()]
    header = notes[1]
    assert "Titel" in header and "Status" in header and "Forfatter" not in header
    assert (
        notes[2][header.index("Titel")] == 'Hul: =HYPERLINK("http://evil")'
    )  # not a formula: text after "Hul: "
    added = [[c.value for c in row] for row in book["Tilføjelser"].iter_rows()]
    assert added[2][added[1].index("Titel")] == "'+Forening"
    assert "Mette" not in json.dumps(notes + added, default=str)
    with_names = openpyxl.load_workbook(
        io.BytesIO(workshop_tables.export_xlsx(store, workshop["workshop_id"], include_personal=True))
    )
    header = [c.value for c in next(with_names["Tilføjelser"].iter_rows(min_row=2, max_row=2))]
    assert "Forfatter" in header


# --- into the data ---------------------------------------------------------------------------------


@pytest.fixture
def data_cfg(small_db_dir, tmp_path, monkeypatch) -> Settings:
    """A copy of the small example build that may be rebuilt, with the settings pointing at it."""
    path = tmp_path / "data"
    shutil.copytree(small_db_dir, path)
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(path))
    return Settings(data_dir=path, static_dir=PROJECT_ROOT / "static")


def _query(cfg: Settings, sql: str, params=None):
    db = Database(current_path(cfg))
    try:
        return db.query(sql, params)
    finally:
        db.close()


def test_accepted_entries_become_ordinary_data_and_survive_rebuild_and_reopen(data_cfg, store):
    store_workshop, code = ws.create_workshop(store, COORDINATOR_PERSON, "Workshop Aarhus", held_on=HELD_ON,
                                              council_id="aarhus", code="4321-8765")  # fmt: skip
    wid = store_workshop["workshop_id"]
    person = ws.join(store, Principal(), wid, code, "Mette")
    db = Database(current_path(data_cfg))
    try:
        org = ws.add_entry(store, person, wid, "organisation",
                           {"name": "Gadeidræt Aarhus", "organisation_type": "Frivillig forening"},
                           lat=AARHUS[0], lon=AARHUS[1], db=db, client_token=_token()).entry  # fmt: skip
        offer = ws.add_entry(store, person, wid, "tilbud",
                             {"name": "Street-fodbold", "themes": ["lighed"],
                              "organisation_id": f"workshop:{org['entry_id']}"},
                             db=db, client_token=_token()).entry  # fmt: skip
        collab = ws.add_entry(store, person, wid, "samarbejde",
                              {"title": "Følgeskab til ambulatoriet", "unit_ids": ["ENH-0001"],
                               "organisation_ids": [f"workshop:{org['entry_id']}"], "kind": "Drift"},
                              db=db, client_token=_token()).entry  # fmt: skip
        merge_me = ws.add_entry(store, person, wid, "organisation",
                                {"name": "Kræftens Bekæmpelse", "organisation_type": "patientforening",
                                 "website": "https://ny.example.dk", "description": "Ny beskrivelse"},
                                municipality="København", client_token=_token()).entry  # fmt: skip
        note = _note(store, person, store_workshop).entry
        rejected = _note(store, person, store_workshop, text="Afvis mig").entry
    finally:
        db.close()
    before = _query(data_cfg, "SELECT * FROM organisations WHERE organisation_id = 'ORG-000001'").iloc[0]

    review.accept(store, COORDINATOR_PERSON, offer["entry_id"])
    with pytest.raises(ws.EntryError, match="som ikke er godkendt"):  # its organisation is not accepted yet
        workshop_apply.apply_accepted(store, COORDINATOR_PERSON, cfg=data_cfg)
    assert not any(e["applied_at"] for e in ws.entries(store))
    for entry in (org, collab, note):
        review.accept(store, COORDINATOR_PERSON, entry["entry_id"])
    review.merge(store, COORDINATOR_PERSON, merge_me["entry_id"], "ORG-000001", replace=["description"])
    review.reject(store, COORDINATOR_PERSON, rejected["entry_id"], "Dublet")

    serving = current_path(data_cfg)
    applied = workshop_apply.apply_accepted(store, COORDINATOR_PERSON, cfg=data_cfg)
    assert current_path(data_cfg) != serving
    assert applied.rows == {"organisations": 2, "offers": 1, "collaborations": 1}
    new_org = ws.record_id(org)
    got = _query(data_cfg, "SELECT * FROM organisations WHERE organisation_id = $id", {"id": new_org}).iloc[0]
    assert got["name"] == "Gadeidræt Aarhus" and got["municipality_code"] == 751
    assert got["source"] == "Workshop Workshop Aarhus, 01-02-2027"
    assert got["location_precision"] == "coordinates" and pd.isna(got["last_verified"])  # unverified
    assert got["source_file"] == "workshop: Workshop Aarhus" and got["source_sheet"] == "organisation"
    offer_row = _query(data_cfg, "SELECT * FROM offers WHERE offer_id = $id", {"id": ws.record_id(offer)})
    assert offer_row["organisation_id"].tolist() == [new_org]
    collab_row = _query(data_cfg, "SELECT * FROM collaborations WHERE collaboration_id = $id",
                        {"id": ws.record_id(collab)}).iloc[0]  # fmt: skip
    assert list(collab_row["organisation_ids"]) == [new_org] and collab_row["kind"] == "drift"
    merged = _query(data_cfg, "SELECT * FROM organisations WHERE organisation_id = 'ORG-000001'").iloc[0]
    assert merged["description"] == "Ny beskrivelse"  # chosen to replace
    assert merged["website"] == before["website"]  # not chosen, and not empty: kept
    assert merged["name"] == before["name"] and "suppleret fra Workshop" in merged["source"]
    n_orgs = len(_query(data_cfg, "SELECT organisation_id FROM organisations"))

    # applied once only; notes and rejected entries stay in the store
    assert workshop_apply.apply_accepted(store, COORDINATOR_PERSON, cfg=data_cfg).rows == {}
    marked = {e["entry_id"]: e for e in ws.entries(store)}
    assert marked[org["entry_id"]]["applied_as"] == new_org
    assert marked[merge_me["entry_id"]]["applied_as"] == "ORG-000001"
    assert marked[note["entry_id"]]["applied_at"] is None and marked[note["entry_id"]]["status"] == "godkendt"

    # a plain rebuild and a fresh store object (an app restart) keep everything
    from etl.rebuild import rebuild

    rebuild(principal=auth.operator(), cfg=data_cfg)
    assert len(_query(data_cfg, "SELECT organisation_id FROM organisations")) == n_orgs
    reopened = Store(store.url)
    try:
        assert len(ws.entries(reopened, wid)) == 6
        assert ws.get_entry(reopened, rejected["entry_id"])["review_note"] == "Dublet"
    finally:
        reopened.close()


def test_undoing_an_apply_takes_its_records_out_of_the_data_again(data_cfg, store, workshop, participant):
    wid = workshop["workshop_id"]
    db = Database(current_path(data_cfg))
    try:
        org = ws.add_entry(store, participant, wid, "organisation",
                           {"name": "Gadeidræt Aarhus", "organisation_type": "Frivillig forening"},
                           lat=AARHUS[0], lon=AARHUS[1], db=db, client_token=_token()).entry  # fmt: skip
        offer = ws.add_entry(store, participant, wid, "tilbud",
                             {"name": "Street-fodbold", "themes": ["lighed"],
                              "organisation_id": f"workshop:{org['entry_id']}"},
                             db=db, client_token=_token()).entry  # fmt: skip
        merge_me = ws.add_entry(store, participant, wid, "organisation",
                                {"name": "Kræftens Bekæmpelse", "organisation_type": "patientforening",
                                 "website": "https://ny.example.dk", "description": "Ny beskrivelse"},
                                municipality="København", client_token=_token()).entry  # fmt: skip
    finally:
        db.close()
    org_sql = "SELECT * FROM organisations WHERE organisation_id = $id"
    before = _query(data_cfg, org_sql, {"id": "ORG-000001"}).iloc[0]
    counts = "SELECT (SELECT count(*) FROM organisations) AS orgs, (SELECT count(*) FROM offers) AS offers"
    counted = _query(data_cfg, counts).iloc[0].to_dict()
    for entry in (org, offer):
        review.accept(store, COORDINATOR_PERSON, entry["entry_id"])
    review.merge(store, COORDINATOR_PERSON, merge_me["entry_id"], "ORG-000001", replace=["description"])
    workshop_apply.apply_accepted(store, COORDINATOR_PERSON, cfg=data_cfg)
    new_org = ws.record_id(org)
    assert len(_query(data_cfg, org_sql, {"id": new_org})) == 1
    assert _query(data_cfg, org_sql, {"id": "ORG-000001"}).iloc[0]["description"] == "Ny beskrivelse"
    assert review.last_change(store, COORDINATOR_PERSON)["action"] == "indarbejd"

    fyn = Principal("Finn", via="login", key="f1", councils=frozenset({"fyn"}))
    serving = current_path(data_cfg)
    with pytest.raises(
        ws.EntryError, match="allerede gennemgået"
    ):  # a participant: only their own, unreviewed
        workshop_apply.undo_last(store, participant, cfg=data_cfg)
    with pytest.raises(PermissionDenied):
        workshop_apply.undo_last(store, fyn, cfg=data_cfg)
    assert current_path(data_cfg) == serving

    with pytest.raises(ws.EntryError, match="fortrydes sammen med data"):  # the core alone cannot undo it
        review.undo_last(store, COORDINATOR_PERSON)
    assert (
        current_path(data_cfg) == serving
        and review.last_change(store, COORDINATOR_PERSON)["action"] == "indarbejd"
    )
    undone = workshop_apply.undo_last(store, COORDINATOR_PERSON, cfg=data_cfg)
    assert undone["action"] == "indarbejd"
    assert current_path(data_cfg) != serving
    assert (
        _query(data_cfg, counts).iloc[0].to_dict() == counted
    )  # the new organisation and its offer are gone
    assert _query(data_cfg, org_sql, {"id": new_org}).empty
    restored = _query(data_cfg, org_sql, {"id": "ORG-000001"}).iloc[0]
    assert restored["description"] == before["description"] and restored["source"] == before["source"]
    assert restored["website"] == before["website"] and restored["name"] == before["name"]
    back = {e["entry_id"]: e for e in ws.entries(store, wid)}
    assert all(back[e["entry_id"]]["applied_at"] is None for e in (org, offer, merge_me))
    assert back[merge_me["entry_id"]]["status"] == "flettet" and back[org["entry_id"]]["status"] == "godkendt"
    assert review.last_change(store, COORDINATOR_PERSON)["action"] == "flet"  # the undo is not itself undone

    # applied again, then changed in the data by someone else: undoing would lose that change, so it is refused
    workshop_apply.apply_accepted(store, COORDINATOR_PERSON, cfg=data_cfg)
    from etl.rebuild import rebuild

    renamed = _query(
        data_cfg, "SELECT * FROM input_organisations WHERE organisation_id = $id", {"id": new_org}
    )
    renamed["name"] = "Gadeidræt Aarhus (omdøbt)"
    rebuild({"organisations": renamed}, principal=COORDINATOR_PERSON, cfg=data_cfg)
    serving = current_path(data_cfg)
    with pytest.raises(ws.EntryError, match="ændret i data siden"):
        workshop_apply.undo_last(store, COORDINATOR_PERSON, cfg=data_cfg)
    assert current_path(data_cfg) == serving
    assert all(e["applied_at"] for e in ws.entries(store, wid))


# --- on the map and in the minutes -----------------------------------------------------------------


def test_the_map_layer_carries_user_text_as_data_only(store, workshop, participant):
    from civilkort import map_legend, maps

    hostile = "<img src=x onerror=alert(1)>{{ 7*7 }}"
    ws.add_entry(store, participant, workshop["workshop_id"], "organisation",
                 {"name": hostile, "organisation_type": "fond"}, lat=AARHUS[0], lon=AARHUS[1],
                 client_token=_token())  # fmt: skip
    layers = maps.build_data_layers(workshop=workshop_tables.map_entries(store))
    payload = maps.layer_data(layers)[map_legend.LAYER_WORKSHOP]
    (row,) = payload["rows"]
    assert row[3] == hostile and row[5].startswith("Fra workshop Workshop Aarhus, 01-02-2027")
    assert row[2] == 0  # a pin: exact
    base = maps.build_base_map()
    for group in layers.groups:
        group.add_to(base)
    html = base.get_root().render()
    assert "ckLib.layer(" in html and '"workshop"' in html
    assert "<img src=x" not in html and "{{ 7*7 }}" not in html
    picker = maps.pin_layers(workshop_tables.map_entries(store), chosen=(56.0, 10.0))
    rows = maps.layer_data(picker)[map_legend.LAYER_WORKSHOP]["rows"]
    assert [r[6] for r in rows] == [0, 1]  # the pin being set is marked as chosen


def test_the_map_png_for_the_minutes_draws_the_workshop_pins(store, workshop, participant, small_db):
    from civilkort import queries, report
    from civilkort.filters import Selection

    _note(store, participant, workshop)
    data = queries.map_layers(small_db, Selection(area="council:aarhus"), "offers")
    plain = report.map_png(data, "Sundhedsråd Aarhus")
    with_pins = report.map_png(data, "Sundhedsråd Aarhus", pins=workshop_tables.map_entries(store))
    assert with_pins[:8] == b"\x89PNG\r\n\x1a\n" and with_pins != plain


def test_polling_for_changes_costs_well_under_a_few_milliseconds(store, workshop, participant):
    import time

    for i in range(200):
        _note(store, participant, workshop, text=f"n{i}")
    version = store.version()
    timings = []
    for _ in range(200):
        started = time.perf_counter()
        assert ws.changed_since(store, version) == (version, [])
        timings.append(time.perf_counter() - started)
    timings.sort()
    assert timings[len(timings) // 2] < 0.002, timings[len(timings) // 2]  # median under 2 ms


def test_20_threads_sending_each_form_twice_at_once_lose_and_duplicate_nothing(store, workshop, participant):
    """Each form is sent by two threads at the same moment (a double click racing itself), and again."""
    threads, per_thread = 20, 4
    barrier = threading.Barrier(threads)
    saved: dict[str, set[str]] = {}
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(who: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                token = f"par{who // 2}-{i}"  # threads 2k and 2k+1 send the same forms
                for _ in range(2):
                    result = _note(store, participant, workshop, text=f"Note {who // 2}-{i}", token=token)
                    with lock:
                        saved.setdefault(token, set()).add(result.entry["entry_id"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(w,)) for w in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(timeout=120)
    assert errors == []
    assert all(len(ids) == 1 for ids in saved.values())  # every send of a form got the same entry
    _check_all_saved(store, threads // 2, per_thread)


def test_a_review_from_an_older_version_is_refused_naming_who_reviewed_it(store, workshop, participant):
    entry = _note(store, participant, workshop).entry
    sara = Principal(name="Sara", via="login", key="s1", is_admin=True)
    review.accept(store, sara, entry["entry_id"], expected_version=entry["version"])
    for act in (
        lambda: review.accept(
            store, COORDINATOR_PERSON, entry["entry_id"], expected_version=entry["version"]
        ),
        lambda: review.reject(store, COORDINATOR_PERSON, entry["entry_id"], "dublet", expected_version=1),
        lambda: review.merge(store, COORDINATOR_PERSON, entry["entry_id"], "ORG-1", expected_version=1),
    ):
        with pytest.raises(Conflict, match=r"er ændret af Sara den \d{2}-\d{2}-\d{4} kl\. \d{2}\.\d{2}"):
            act()
    assert ws.get_entry(store, entry["entry_id"])["status"] == "godkendt"
    assert ws.get_entry(store, entry["entry_id"])["version"] == 2
