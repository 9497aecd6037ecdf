"""Uploads, rebuilds and applying workshop entries change only the councils the caller coordinates; a
refusal names the records and councils and leaves the serving database as it was."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from civilkort import review
from civilkort import workshop as ws
from civilkort.auth import PermissionDenied, Principal
from civilkort.db import Database, current_path
from civilkort.settings import Settings
from civilkort.store import Store
from etl import apply as workshop_apply
from etl import upload as up
from etl import upload_files
from etl.diff import UPDATE
from etl.rebuild import current_inputs, rebuild
from tests.conftest import PROJECT_ROOT

ADMIN = Principal("Ane", via="login", is_admin=True)
AARHUS = Principal("Kim", via="login", councils=frozenset({"aarhus"}))
MIDT = Principal("Lis", via="login", regions=frozenset({"midtjylland"}))
FYN = Principal("Finn", via="login", councils=frozenset({"fyn"}))
HEADER = "Id;Navn;Organisationstype;Kommune"


@pytest.fixture
def cfg(small_db_dir, tmp_path, monkeypatch) -> Settings:
    data = tmp_path / "data"
    shutil.copytree(small_db_dir, data)
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(data))
    return Settings(data_dir=data, static_dir=PROJECT_ROOT / "static")


def _org(cfg: Settings, council: str) -> dict:
    db = Database(current_path(cfg))
    try:
        return (
            db.query(
                "SELECT organisation_id, name, organisation_type FROM organisations WHERE council_id = $c"
                " ORDER BY organisation_id LIMIT 1",
                {"c": council},
            )
            .iloc[0]
            .to_dict()
        )
    finally:
        db.close()


def _check(cfg, principal, *rows: str) -> up.Check:
    files = [("organisationer.csv", "\n".join([HEADER, *rows]).encode())]
    return up.check_upload(
        upload_files.save_uploads(principal, files, cfg=cfg), UPDATE, cfg=cfg, principal=principal
    )


def test_an_upload_touching_another_council_is_refused_naming_the_records(cfg):
    fyn = _org(cfg, "fyn")
    rows = ("ORG-NY-1;Løbeklubben Aarhus;Frivillig forening;Aarhus",
            f"{fyn['organisation_id']};{fyn['name']} (ændret);Frivillig forening;Odense",
            "ORG-NY-2;Svømmeklubben Odense;Frivillig forening;Odense")  # fmt: skip
    serving = current_path(cfg)
    for who in (AARHUS, MIDT):
        check = _check(cfg, who, *rows)
        message = next(i.message for i in check.errors if "Uden for dit område" in i.message)
        assert "Sundhedsråd Fyn" in message and fyn["organisation_id"] in message and "ORG-NY-2" in message
        assert "ORG-NY-1" not in message and not check.can_build
        with pytest.raises(PermissionDenied) as refused:
            up.build_upload(check, who, cfg=cfg)
        assert str(refused.value).startswith(f"Du er {who.scope_text}. Indlæsningen rører poster uden for")
        assert "ORG-NY-2 (Svømmeklubben Odense)" in str(refused.value)
    assert current_path(cfg) == serving
    assert not _check(cfg, ADMIN, *rows).errors


def test_moving_a_record_out_of_another_council_is_a_change_there(cfg):
    aarhus = _org(cfg, "aarhus")
    check = _check(cfg, AARHUS, f"{aarhus['organisation_id']};{aarhus['name']};Frivillig forening;Odense")
    assert any("Sundhedsråd Fyn" in i.message for i in check.errors)
    assert not _check(
        cfg, FYN, f"{aarhus['organisation_id']};{aarhus['name']};Frivillig forening;Odense"
    ).can_build


def test_a_coordinator_uploads_their_own_council_and_not_national_files(cfg):
    check = _check(cfg, AARHUS, "ORG-NY-1;Løbeklubben Aarhus;Frivillig forening;Aarhus")
    assert check.can_build and [(t.record_id, t.council_id) for t in check.touched] == [
        ("ORG-NY-1", "aarhus")
    ]
    up.build_upload(check, AARHUS, cfg=cfg)
    assert "ORG-NY-1" in set(
        current_inputs(Database(current_path(cfg))).tables["organisations"]["organisation_id"]
    )
    population = upload_files.save_uploads(AARHUS, [], population=("folketal.csv", b"x"), cfg=cfg)
    checked = up.check_upload(population, UPDATE, cfg=cfg, principal=AARHUS)
    assert any("national administrator" in i.message for i in checked.errors)


def test_a_rebuild_with_rows_of_another_council_is_refused_before_anything_is_written(cfg):
    serving = current_path(cfg)
    db = Database(serving)
    try:
        orgs = current_inputs(db).tables["organisations"]
        fyn_id = _org(cfg, "fyn")["organisation_id"]
    finally:
        db.close()
    changed = orgs[orgs["organisation_id"] == fyn_id].assign(description="Ændret fra Aarhus")
    with pytest.raises(
        PermissionDenied, match=f"Ændringen rører poster uden for dit område: Sundhedsråd Fyn: {fyn_id}"
    ):
        rebuild({"organisations": changed}, principal=AARHUS, cfg=cfg)
    with pytest.raises(PermissionDenied):
        rebuild(principal=Principal("Læser"), cfg=cfg)
    assert current_path(cfg) == serving
    assert sorted(p.name for p in cfg.builds_dir.iterdir()) == [serving.name]


def test_applying_entries_only_takes_own_councils_and_refuses_a_merge_into_another(cfg, tmp_path):
    store = Store(tmp_path / "store.sqlite")
    workshop, code = ws.create_workshop(
        store, ADMIN, "Aarhus", held_on=dt.date(2027, 2, 1), council_id="aarhus"
    )
    person = ws.join(store, Principal(), workshop["workshop_id"], code, "Mette")
    fyn = _org(cfg, "fyn")
    entry = ws.add_entry(store, person, workshop["workshop_id"], "organisation",
                         {"name": "Klubben", "organisation_type": "Frivillig forening", "description": "Ny tekst"},
                         municipality="Aarhus", client_token="t1").entry  # fmt: skip
    review.merge(store, AARHUS, entry["entry_id"], fyn["organisation_id"], replace=["description"])
    serving = current_path(cfg)
    assert (
        workshop_apply.apply_accepted(store, FYN, cfg=cfg).records == {}
    )  # Aarhus's entries wait for Aarhus
    with pytest.raises(PermissionDenied, match=f"Sundhedsråd Fyn: {fyn['organisation_id']}"):
        workshop_apply.apply_accepted(store, AARHUS, cfg=cfg)
    assert current_path(cfg) == serving and ws.get_entry(store, entry["entry_id"])["applied_at"] is None
    # the core's marking checks the caller itself, whoever hands it a plan
    db = Database(serving)
    try:
        plan = review.plan_apply(
            store, review.pending_apply(store, AARHUS), current_inputs(db, cfg=cfg).tables
        )
        before = store.version()
        with pytest.raises(PermissionDenied, match="Workshoppen 'Aarhus'"):
            review.mark_applied(store, FYN, plan, db)
    finally:
        db.close()
    assert store.version() == before and ws.get_entry(store, entry["entry_id"])["applied_at"] is None
    with pytest.raises(PermissionDenied):
        rebuild(principal=Principal("Læser"), cfg=cfg)
