"""Uploads in the app, without the app: save, check against the serving build, build all-or-nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from civilkort import auth
from civilkort.auth import ANONYMOUS, PermissionDenied, Principal
from civilkort.db import Database, current_path
from civilkort.issues import InputError
from civilkort.settings import Settings
from civilkort.store import open_store
from etl import build as build_module
from etl import upload as up
from etl import upload_files
from etl.build import BuildError
from etl.diff import REPLACE, UPDATE
from etl.rebuild import rebuild
from tests.conftest import PROJECT_ROOT, synthetic_municipalities

KIM = Principal("Kim Koordinator", via="kode", is_admin=True)
ORG_HEADER = "Id;Navn;Organisationstype;Kommune"
GOOD_ORG = "ORG-NY-1;Foreningen Ny;Frivillig forening;Aarhus"


@pytest.fixture
def cfg(small_db_dir, tmp_path, monkeypatch) -> Settings:
    """A copy of the small example build, to build on."""
    data = tmp_path / "data"
    shutil.copytree(small_db_dir, data)
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(data))
    return Settings(data_dir=data, static_dir=PROJECT_ROOT / "static")


def _csv(*lines: str) -> bytes:
    return "\n".join(lines).encode("utf-8")


def _check(cfg, files, mode=UPDATE, **extra):
    return up.check_upload(upload_files.save_uploads(KIM, files, cfg=cfg, **extra), mode, cfg=cfg)


def _count(cfg, table: str, where: str = "true") -> int:
    db = Database(current_path(cfg))
    try:
        return db.scalar(f"SELECT count(*) FROM {table} WHERE {where}")
    finally:
        db.close()


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("tilbud.csv", "tilbud.csv"),
        ("Organisationer (ny) æøå.xlsx", "Organisationer (ny) æøå.xlsx"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\kim\\tilbud.csv", "tilbud.csv"),
        (".skjult.csv", "skjult.csv"),
        ("<script>alert(1)</script>.csv", "script_.csv"),
        ("tilbud<1>|*?.csv", "tilbud_1_.csv"),
        ("tab\there\x00.csv", "tabhere.csv"),
        ("", "fil"),
        ("...", "fil"),
        ("x" * 300 + ".csv", "x" * 100 + ".csv"),
    ],
)
def test_sanitise_name(given, safe):
    assert upload_files.sanitise_name(given) == safe


def test_uploads_are_saved_in_their_own_folder_with_safe_unique_names(cfg):
    saved = upload_files.save_uploads(KIM, [("a/tilbud.csv", b"1"), ("b/tilbud.csv", b"2")], cfg=cfg)
    assert saved.folder.parent == cfg.uploads_dir
    assert [f.path.name for f in saved.data_files] == ["tilbud.csv", "2-tilbud.csv"]
    assert [f.original for f in saved.data_files] == ["a/tilbud.csv", "b/tilbud.csv"]
    assert [f.path.read_bytes() for f in saved.data_files] == [b"1", b"2"]


def test_only_the_newest_upload_folders_are_kept(cfg):
    folders = [
        upload_files.save_uploads(KIM, [("x.csv", b"")], cfg=cfg).folder
        for _ in range(upload_files.KEEP_UPLOADS + 2)
    ]
    kept = sorted(p.name for p in cfg.uploads_dir.iterdir())
    assert len(kept) == upload_files.KEEP_UPLOADS
    assert folders[-1].name in kept


def test_saving_and_building_need_a_coordinator(cfg):
    with pytest.raises(PermissionDenied, match="koordinator"):
        upload_files.save_uploads(ANONYMOUS, [("x.csv", b"")], cfg=cfg)
    check = _check(cfg, [("organisationer.csv", _csv(ORG_HEADER, GOOD_ORG))])
    before = current_path(cfg)
    with pytest.raises(PermissionDenied):
        up.build_upload(check, Principal("Deltager", frozenset({"participant"})), cfg=cfg)
    assert current_path(cfg) == before


def test_a_bad_row_is_an_error_naming_the_file_as_given_row_and_column(cfg):
    name = "organisationer: marts.csv"  # saved as 'organisationer_ marts.csv'; messages use the given name
    check = _check(cfg, [(name, _csv(ORG_HEADER, GOOD_ORG, "ORG-NY-2;Anden;Ukendt type;Aarhus"))])
    assert not check.can_build
    (err,) = check.errors
    assert (err.file, err.row, err.column, err.value) == (name, 3, "Organisationstype", "Ukendt type")
    table = up.issues_table(check.issues)
    assert list(table.columns) == ["Type", "Fil", "Ark", "Række", "Kolonne", "Værdi", "Besked", "Råd"]
    assert table.iloc[0]["Type"] == "Fejl" and table.iloc[0]["Række"] == 3


def test_unreadable_files_give_errors_and_no_preview(cfg):
    check = _check(cfg, [("noter.pdf", b"%PDF-1.4 ...")])
    assert check.diff is None and check.data is None and check.errors
    assert check.errors[0].file == "noter.pdf"
    assert not check.can_build


def test_the_warnings_that_explain_an_unreadable_file_are_shown_with_its_error(cfg):
    """An HSDS file with only a taxonomy term cannot be loaded; the warning says why (it holds no organisations
    or services), as on the command line."""
    term = b'[{"id": "22222222-2222-4222-8222-222222222222", "name": "Forebyggelse", "description": "", "code": "f"}]'
    check = _check(cfg, [("termer.json", term)])
    assert not check.can_build and check.errors
    (held,) = [w for w in check.warnings if "ingen organisationer eller tilbud" in w.message]
    assert (
        held.file == "termer.json" and "kun taxonomy_term (1)" in held.message and check.is_from_upload(held)
    )
    table = up.issues_table(check.issues)
    assert table["Type"].tolist()[: len(check.errors)] == ["Fejl"] * len(check.errors)
    assert any("kun taxonomy_term (1)" in m for m in table["Besked"])


def test_errors_are_listed_first_then_warnings():
    from civilkort.issues import error, warning

    table = up.issues_table([warning("w", file="a"), error("e", file="b", row=4), warning("v")])
    assert table["Besked"].tolist() == ["e", "w", "v"]


def test_a_good_upload_builds_and_switches(cfg):
    before = current_path(cfg)
    n_orgs = _count(cfg, "organisations")
    check = _check(cfg, [("organisationer.csv", _csv(ORG_HEADER, GOOD_ORG))])
    assert check.can_build, check.errors
    orgs = check.diff.tables["organisations"]
    assert (orgs.n_new, orgs.n_changed, orgs.n_removed) == (1, 0, 0)
    steps = []
    result = up.build_upload(check, KIM, cfg=cfg, on_step=lambda s, r, t: steps.append(s))
    assert steps[0] == "valider" and steps[-2:] == ["datatjek", "persondata i lageret"]
    assert set(steps) <= set(up.STEPS)  # a new build step needs a Danish label for the progress
    assert current_path(cfg) == result.path != before
    assert _count(cfg, "organisations") == n_orgs + 1
    assert _count(cfg, "organisations", "organisation_id = 'ORG-NY-1' AND municipality_code = 751") == 1
    db = Database(result.path)
    try:
        meta = db.meta()
        assert db.scalar("SELECT source_file FROM core_organisations WHERE organisation_id = 'ORG-NY-1'") == (
            "organisationer.csv"
        )
    finally:
        db.close()
    assert meta["is_example"] == "true"  # the example rows are still there
    assert "organisationer.csv (opdateret i appen" in meta["inputs"] and "Kim Koordinator" in meta["inputs"]
    assert meta["upload"] == check.upload.folder.name
    assert meta["boundaries_source"] == "syntetisk-test"  # the serving build's boundaries were kept


def test_a_failing_data_check_keeps_the_previous_build_serving(cfg, monkeypatch):
    before = current_path(cfg)
    builds = set(cfg.builds_dir.iterdir())
    check = _check(cfg, [("organisationer.csv", _csv(ORG_HEADER, GOOD_ORG))])
    monkeypatch.setattr(build_module, "_run_checks", lambda con: ["Testfejl (test: 1 rækker, fx x)"])
    with pytest.raises(BuildError, match="Testfejl"):
        up.build_upload(check, KIM, cfg=cfg)
    assert current_path(cfg) == before
    assert set(cfg.builds_dir.iterdir()) == builds  # the failed file was deleted


def test_a_build_after_someone_else_rebuilt_is_refused(cfg):
    check = _check(cfg, [("organisationer.csv", _csv(ORG_HEADER, GOOD_ORG))])
    rebuild(principal=auth.operator(), cfg=cfg)
    serving = current_path(cfg)
    with pytest.raises(up.UploadOutdated, match="Tjek filerne igen"):
        up.build_upload(check, KIM, cfg=cfg)
    assert current_path(cfg) == serving


def test_a_check_with_errors_cannot_be_built(cfg):
    check = _check(cfg, [("organisationer.csv", _csv(ORG_HEADER, "ORG-X;X;Ukendt;Aarhus"))])
    with pytest.raises(InputError):
        up.build_upload(check, KIM, cfg=cfg)


def test_update_warns_when_left_out_columns_would_empty_values(cfg):
    db = Database(current_path(cfg))
    try:
        org = db.query(
            "SELECT organisation_id, name FROM organisations WHERE description IS NOT NULL ORDER BY 1 LIMIT 1"
        ).iloc[0]
    finally:
        db.close()
    line = f"{org['organisation_id']};{org['name']};Frivillig forening;Aarhus"
    check = _check(cfg, [("organisationer.csv", _csv(ORG_HEADER, line))])
    assert check.diff.tables["organisations"].n_changed == 1
    warning = next(i for i in check.warnings if "findes ikke i filen" in i.message)
    assert "Beskrivelse" in warning.message and warning.file == "organisationer.csv"


def test_replace_removes_rows_and_references_to_them_are_errors(cfg):
    check = _check(cfg, [("organisationer.csv", _csv(ORG_HEADER, GOOD_ORG))], mode=REPLACE)
    orgs = check.diff.tables["organisations"]
    assert orgs.n_removed == _count(cfg, "organisations") and orgs.n_new == 1
    assert any("findes ikke på arket Organisationer" in e.message for e in check.errors)
    assert [t.sheet for t in check.diff.untouched] == [
        "Tilbud",
        "Regionale enheder",
        "Samarbejder",
        "Erfaringer",
    ]


def test_replacing_every_table_is_no_longer_example_data(cfg, example_tables):
    from etl.diff import diff

    check = _check(cfg, [("organisationer.csv", _csv(ORG_HEADER, GOOD_ORG))], mode=REPLACE)
    check.diff = diff({}, {n: t.iloc[0:0] for n, t in example_tables.items()}, REPLACE)
    meta = up.build_meta(check, KIM)
    assert meta["is_example"] == "false" and meta["inputs"].startswith(
        "organisationer.csv (erstattet i appen"
    )
    partly = _check(cfg, [("organisationer.csv", _csv(ORG_HEADER, GOOD_ORG))], mode=REPLACE)
    assert "is_example" in up.build_meta(partly, KIM)


def test_own_vocabulary_values_carry_over_to_later_uploads(cfg):
    vocab = _csv("Vokabular;Betegnelse", "Målgrupper;Unge med spiseforstyrrelser")
    offer_header = "Id;Organisation (id);Navn;Temaer;Målgrupper"
    offer = "TILBUD-NY-1;ORG-000001;Spisegruppe;Forebyggelse;Unge med spiseforstyrrelser"
    first = _check(cfg, [("vokabularer.csv", vocab), ("tilbud.csv", _csv(offer_header, offer))])
    assert first.can_build, first.errors
    assert first.vocabulary_added == [("Målgrupper", "Unge med spiseforstyrrelser")]
    up.build_upload(first, KIM, cfg=cfg)

    later = _check(cfg, [("tilbud.csv", _csv(offer_header, offer.replace("TILBUD-NY-1", "TILBUD-NY-2")))])
    assert not later.errors, later.errors
    again = _check(cfg, [("vokabularer.csv", vocab)])  # the same workbook uploaded again: quiet
    assert not [i for i in again.issues if again.is_from_upload(i)]
    assert again.vocabulary_added == [] and not again.changes_anything


def test_population_upload_replaces_the_population(cfg):
    folk1a = _csv(
        '"OMRÅDE";"TID";"INDHOLD"', '"Hele landet";"2025K1";"5960000"', '"Aarhus";"2025K1";"367000"'
    )
    check = _check(cfg, [], population=("FOLK1A.csv", folk1a))
    assert check.can_build and check.changes_anything and not check.diff.has_changes
    up.build_upload(check, KIM, cfg=cfg)
    assert _count(cfg, "ref_population", "municipality_code = 751 AND population = 367000") == 1


def test_bad_population_or_boundaries_files_are_errors_naming_the_file(cfg):
    check = _check(
        cfg, [], population=("folketal.csv", b"a;b\n1;2\n"), boundaries=("graenser.geojson", b"not json")
    )
    assert {e.file for e in check.errors} == {"folketal.csv", "graenser.geojson"}
    assert not check.can_build


def test_boundaries_upload_is_used_for_placement(cfg, tmp_path):
    path = tmp_path / "kommuner.geojson"
    synthetic_municipalities().rename(columns={"municipality_code": "kommunekode"}).to_file(path)
    check = _check(cfg, [], boundaries=("Kommuner 2026.geojson", path.read_bytes()))
    assert check.can_build, check.errors
    assert check.boundaries.source == "Kommuner 2026.geojson"
    result = up.build_upload(check, KIM, cfg=cfg)
    db = Database(result.path)
    try:
        assert db.meta()["boundaries_source"] == "Kommuner 2026.geojson"
    finally:
        db.close()


def test_the_template_is_an_excel_workbook(cfg):
    db = Database(current_path(cfg))
    try:
        data = up.template_bytes(up.serving_vocabularies(db))
    finally:
        db.close()
    assert data[:2] == b"PK"


def test_upload_limit_is_the_etl_limit():
    from etl.read import MAX_FILE_BYTES

    assert upload_files.MAX_UPLOAD_MB * 1024 * 1024 == MAX_FILE_BYTES


def test_nothing_is_written_by_a_check(cfg):
    before = sorted(p.name for p in cfg.builds_dir.iterdir())
    _check(cfg, [("organisationer.csv", _csv(ORG_HEADER, GOOD_ORG))])
    assert sorted(p.name for p in cfg.builds_dir.iterdir()) == before
    assert isinstance(current_path(cfg), Path)


def test_the_serving_data_uploaded_again_as_the_filled_in_template_changes_nothing(cfg, tmp_path):
    from etl.rebuild import current_inputs
    from etl.template import write_inputs

    db = Database(current_path(cfg))
    try:
        data = current_inputs(db)
    finally:
        db.close()
    workbook = write_inputs(data.tables, tmp_path / "alt.xlsx", data.vocabularies)
    check = _check(cfg, [("alt.xlsx", workbook.read_bytes())])
    assert not check.errors, check.errors[:3]
    assert len(check.diff.uploaded) == 5
    changed = {
        n: t.changes.groupby("field").size().to_dict() for n, t in check.diff.tables.items() if t.has_changes
    }
    assert changed == {}
    assert not check.changes_anything and not check.can_build


def test_each_upload_is_recorded_in_the_store_with_what_became_of_it(cfg, monkeypatch):
    import hashlib

    data = _csv(ORG_HEADER, GOOD_ORG)
    check = _check(cfg, [("organisationer.csv", data)])
    (record,) = upload_files.uploads(cfg)
    assert record["upload_id"] == check.upload.folder.name and record["status"] == "modtaget"
    assert record["uploaded_by"] == KIM.actor
    assert record["files"] == [
        {
            "name": "organisationer.csv",
            "saved_as": "organisationer.csv",
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
        }
    ]
    result = up.build_upload(check, KIM, cfg=cfg)
    (record,) = upload_files.uploads(cfg)
    assert (record["status"], record["build"], record["council_ids"]) == (
        "bygget",
        result.path.name,
        ["aarhus"],
    )

    refused = _check(cfg, [("organisationer.csv", _csv(ORG_HEADER, GOOD_ORG.replace("NY-1", "NY-2")))])
    monkeypatch.setattr(build_module, "_run_checks", lambda con: ["Testfejl (test: 1 rækker, fx x)"])
    with pytest.raises(BuildError):
        up.build_upload(refused, KIM, cfg=cfg)
    newest = upload_files.uploads(cfg)[0]
    assert (newest["upload_id"], newest["status"], newest["build"]) == (
        refused.upload.folder.name,
        "afvist",
        None,
    )
    history = [r["action"] for r in open_store(cfg).history(entity="uploads")]
    assert history == ["upload afvist", "modtag upload", "upload bygget", "modtag upload"]


LONELY = _csv("Kommune;Andel", "København;12,5", "Aarhus;9,8", "Odense;11")
ABOUT = up.IndicatorAbout("Meget ensomme", "procent", "2021", "Danskernes Sundhed")


def _indicators(cfg) -> list[tuple[str, str, str, str, int]]:
    db = Database(current_path(cfg))
    try:
        rows = db.query(
            "SELECT m.name, m.unit, m.period, m.source, count(i.value) AS n FROM ref_indicator_meta m "
            "LEFT JOIN ref_indicators i USING (indicator_id) GROUP BY ALL ORDER BY m.name"
        )
    finally:
        db.close()
    return [tuple(r) for r in rows.itertuples(index=False)]


def _check_indicator(cfg, name, data, about=ABOUT, principal=KIM):
    saved = upload_files.save_uploads(principal, [], indicator=(name, data), cfg=cfg)
    return up.check_upload(saved, UPDATE, indicator=about, cfg=cfg, principal=principal)


def test_an_indicator_upload_is_built_beside_the_loaded_ones_and_replaces_one_with_its_name(cfg):
    first = _check_indicator(cfg, "ensomhed.csv", LONELY)
    assert first.can_build and first.changes_anything and not first.diff.has_changes, first.errors
    up.build_upload(first, KIM, cfg=cfg)
    elderly = _csv("Kommune;Antal", "København;21000", "Aarhus;13500")
    second = _check_indicator(
        cfg, "FOLK1A.csv", elderly, up.IndicatorAbout("Borgere 80+", "personer", "2025K3")
    )
    up.build_upload(second, KIM, cfg=cfg)
    assert _indicators(cfg) == [
        ("Borgere 80+", "people", "2025K3", "Danmarks Statistik, FOLK1A", 2),
        ("Meget ensomme", "percent", "2021", "Danskernes Sundhed", 3),
    ]

    again = _check_indicator(
        cfg,
        "ensomhed 2023.csv",
        _csv("Kommune;Andel", "Aarhus;10,1"),
        up.IndicatorAbout("meget ensomme", "procent", "2023"),
    )
    (note,) = [i for i in again.warnings if "erstatter" in i.message]
    assert (
        note.message
        == "Indikatoren 'meget ensomme' erstatter den hidtidige med samme navn (fra ensomhed.csv)"
    )
    assert note.file == "ensomhed 2023.csv"
    up.build_upload(again, KIM, cfg=cfg)
    assert _indicators(cfg) == [
        ("Borgere 80+", "people", "2025K3", "Danmarks Statistik, FOLK1A", 2),
        ("meget ensomme", "percent", "2023", "", 1),
    ]


def test_a_broken_indicator_file_is_a_danish_error_and_nothing_loaded_is_lost(cfg):
    up.build_upload(_check_indicator(cfg, "ensomhed.csv", LONELY), KIM, cfg=cfg)
    serving, before = current_path(cfg), _indicators(cfg)
    bad = _check_indicator(cfg, "ensomhed.csv", _csv("Kommune;Andel", "København;12,5", "Atlantis;3"))
    (issue,) = bad.errors
    assert (issue.message, issue.file, issue.row, issue.column, issue.value) == (
        "Ukendt kommune",
        "ensomhed.csv",
        3,
        "Kommune",
        "Atlantis",
    )
    assert not bad.can_build
    with pytest.raises(InputError):
        up.build_upload(bad, KIM, cfg=cfg)
    assert (current_path(cfg), _indicators(cfg)) == (serving, before)


def test_an_indicator_without_a_period_asks_for_the_page_field(cfg):
    check = _check_indicator(cfg, "ensomhed.csv", LONELY, up.IndicatorAbout(unit="procent"))
    (note,) = [i for i in check.warnings if "periode" in i.message]
    assert note.hint == "Skriv den i feltet Periode."
    assert check.indicators[-1].name == "ensomhed"


def test_only_a_national_administrator_loads_an_indicator(cfg):
    council = Principal("Kim", via="login", councils=frozenset({"aarhus"}))
    check = _check_indicator(cfg, "ensomhed.csv", LONELY, principal=council)
    assert any("national administrator" in e.message and e.file == "ensomhed.csv" for e in check.errors)
    with pytest.raises(PermissionDenied):
        up.build_upload(check, council, cfg=cfg)


def test_an_hsds_upload_uses_the_vocabulary_map_uploaded_with_it(cfg, tmp_path):
    from tests.etl.test_hsds_vocabulary import feed

    hsds = ("feed.json", feed(tmp_path).read_bytes())
    own = ("vores kort.csv", _csv("term_code;vocabulary;code", "DEBT;theme;lighed"))
    check = _check(cfg, [hsds], vocabulary_map=own)
    assert check.errors == [], [str(i) for i in check.errors]
    offers = check.data.tables["offers"].set_index("offer_id")
    assert offers.at["svc-3", "themes"] == ["lighed"]  # by the uploaded map
    assert offers.at["svc-2", "themes"] == ["brobygning"]  # by the shipped map
    without = _check(cfg, [hsds])
    assert (
        without.errors == []
        and without.data.tables["offers"].set_index("offer_id").at["svc-3", "themes"] == []
    )
    bad = _check(
        cfg, [hsds], vocabulary_map=("vores kort.csv", _csv("term_code;vocabulary;code", "DEBT;theme;x"))
    )
    (err,) = bad.errors
    assert (err.file, err.row, err.column) == ("vores kort.csv", 2, "code") and not bad.can_build
