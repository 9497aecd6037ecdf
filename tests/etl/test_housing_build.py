"""The housing-area list from the command line and *Indlæs data* into the build, kept by a rebuild and an upload;
the need map uploaded beside it."""

from __future__ import annotations

import pandas as pd

from civilkort import auth, housing
from civilkort.auth import Principal
from civilkort.db import open_current
from tests.etl.test_cli import run
from tests.etl.test_housing import MINISTRY_CSV


def _areas() -> list[tuple]:
    db = open_current()
    try:
        frame = housing.areas(
            db, db.query("SELECT municipality_code FROM municipalities")["municipality_code"], ""
        )
        return sorted(frame[["name", "municipality_name"]].itertuples(index=False, name=None))
    finally:
        db.close()


def _about() -> dict | None:
    db = open_current()
    try:
        return housing.about(db)
    finally:
        db.close()


def test_the_cli_builds_the_list_with_each_areas_nearest_offers_and_a_rebuild_keeps_it(
    capsys, data_dir, tmp_path
):
    from etl.rebuild import rebuild

    path = tmp_path / "boligomraader.csv"
    path.write_bytes(MINISTRY_CSV.encode("cp1252"))
    code, _, err = run(capsys, "demo", "--scale", "small", "-q", "--boligomraader", str(path))
    assert code == 0, err
    assert "5 udsatte boligområder fra boligomraader.csv (5 placeret omtrentligt" in err
    assert "Rækker med totaler er sprunget over (fil boligomraader.csv)" in err
    before = _areas()
    assert ("Gellerupparken/Toveshøj", "Aarhus") in before and len(before) == 5
    about = _about()
    assert (about["file_name"], about["period"], about["areas"], about["is_example"]) == (
        "boligomraader.csv",
        "1. december 2025",
        5,
        False,
    )
    db = open_current()
    try:
        area_id = housing.areas(db, [751], "")["area_id"].iloc[0]
        near = housing.nearest(db, area_id, "")
        assert 1 <= len(near) <= 5 and near["distance_m"].is_monotonic_increasing
        assert set(near["offer_id"]) <= set(
            db.query("SELECT offer_id FROM offers WHERE status = 'aktiv'")["offer_id"]
        )
        assert housing.counts(db, area_id, "")["within_5km"] >= 0
    finally:
        db.close()
    rebuild(principal=auth.operator())
    assert _areas() == before and _about()["file_name"] == "boligomraader.csv"


def test_the_example_data_has_its_own_list_marked_as_example(capsys, data_dir):
    assert run(capsys, "demo", "--scale", "small", "-q")[0] == 0
    about = _about()
    assert about["is_example"] and about["areas"] == 14
    assert all("(eksempel)" in name for name, _ in _areas())


def test_a_broken_list_is_a_danish_message_and_keeps_the_previous_database(capsys, data_dir, tmp_path):
    assert run(capsys, "demo", "--scale", "small", "-q")[0] == 0
    first = open_current().path
    bad = tmp_path / "liste.csv"
    bad.write_text("Kommune;Boligområde\nAarhus;Gellerup\nNarnia;Skovbyen\n", encoding="utf-8")
    code, _, err = run(capsys, "demo", "--scale", "small", "-q", "--boligomraader", str(bad))
    assert code == 1 and "Traceback" not in err
    assert "Ukendt kommune (fil liste.csv, række 3, kolonne Kommune). Værdi: 'Narnia'" in err
    assert open_current().path == first


def test_an_upload_replaces_the_list_and_the_need_map_and_needs_a_national_administrator(capsys, data_dir):
    from etl import upload as up
    from etl import upload_files
    from etl.diff import UPDATE
    from tests.etl.test_upload import KIM

    assert run(capsys, "demo", "--scale", "small", "-q")[0] == 0
    rules = "Målgruppe;Indikator\nÆldre;Borgere 80+\nHjemløse;\n".encode()
    council = Principal("Kim", via="login", councils=frozenset({"aarhus"}))
    files = {"housing": ("liste.csv", MINISTRY_CSV.encode("cp1252")), "need_map": ("behov.csv", rules)}
    refused = up.check_upload(upload_files.save_uploads(council, [], **files), UPDATE, principal=council)
    assert any(
        "listen over udsatte boligområder gælder hele landet" in i.message and "liste.csv" in i.file
        for i in refused.errors
    )
    check = up.check_upload(upload_files.save_uploads(KIM, [], **files), UPDATE, principal=KIM)
    assert check.can_build, [str(i) for i in check.errors]
    assert len(check.housing.areas) == 5
    assert [(r.target_group, r.pattern, r.origin) for r in check.need_map] == [
        ("aeldre", "Borgere 80+", "behov.csv"),
        ("hjemloese", "", "behov.csv"),
    ]
    up.build_upload(check, KIM)
    assert _about()["file_name"] == "liste.csv" and len(_areas()) == 5
    db = open_current()
    try:
        kept = db.query("SELECT * FROM ref_target_group_need_file")
        assert not kept.empty
    finally:
        db.close()


def test_a_broken_uploaded_list_is_named_by_the_users_file_name(capsys, data_dir):
    from etl import upload as up
    from etl import upload_files
    from etl.diff import UPDATE
    from tests.etl.test_upload import KIM

    assert run(capsys, "demo", "--scale", "small", "-q")[0] == 0
    broken = "Kommune;Boligområde\nNarnia;Skovbyen\n".encode()
    check = up.check_upload(
        upload_files.save_uploads(KIM, [], housing=("Min liste (2025).csv", broken)), UPDATE, principal=KIM
    )
    assert not check.can_build
    issue = check.errors[0]
    assert (issue.message, issue.file, issue.row, issue.value) == (
        "Ukendt kommune",
        "Min liste (2025).csv",
        2,
        "Narnia",
    )
    assert _about()["is_example"]  # nothing changed
    assert isinstance(check.issues, list) and pd.notna(issue.column)
