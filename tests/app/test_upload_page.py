"""AppTest for 'Indlæs data': the lock, the upload, every error, the preview, the build and its failures."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from civilkort.auth import Principal
from civilkort.db import Database, current_path
from civilkort.settings import Settings
from etl import build as build_module
from etl.read import MAX_FILE_BYTES
from tests.conftest import PROJECT_ROOT

APP = str(PROJECT_ROOT / "app.py")
PAGE = "app_pages/indlaes.py"
TIMEOUT = 60
ORG_HEADER = "Id;Navn;Organisationstype;Kommune"
GOOD = f"{ORG_HEADER}\nORG-NY-1;Foreningen Ny;Frivillig forening;Aarhus\n".encode()
BAD = f"{ORG_HEADER}\nORG-NY-1;Foreningen Ny;Frivillig forening;Aarhus\nORG-NY-2;Anden;Ukendt type;Aarhus\n".encode()


@pytest.fixture
def cfg(small_db_dir, tmp_path, monkeypatch) -> Settings:
    """A copy of the small example build that the page may build on."""
    data = tmp_path / "data"
    shutil.copytree(small_db_dir, data)
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(data))
    return Settings(data_dir=data, static_dir=PROJECT_ROOT / "static")


@pytest.fixture
def page(cfg) -> AppTest:
    """The upload page for a signed-in coordinator."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["principal"] = Principal("Kim", via="kode", is_admin=True)
    at.switch_page(PAGE).run()
    return at


def _no_exception(at: AppTest) -> None:
    assert not at.exception, at.exception


def _upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader(key="indlaes_data_0").set_value([(n, b, "text/csv") for n, b in files]).run()
    _no_exception(at)
    return at


def _frame(at: AppTest, *columns: str, without: str = ""):
    """The first table showing all ``columns`` (and not ``without``)."""
    for df in (d.value for d in at.dataframe):
        if set(columns) <= set(df.columns) and without not in df.columns:
            return df
    raise AssertionError(f"no table with {columns}: {[list(d.value.columns) for d in at.dataframe]}")


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


def test_a_viewer_sees_the_lock_and_can_log_in_with_the_coordinator_code(cfg, monkeypatch):
    monkeypatch.setenv("CIVILKORT_KOORDINATOR_KODE", "hemmelig-kode")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page(PAGE).run()
    _no_exception(at)
    assert any("koordinatoradgang" in w for w in _texts(at.warning))
    assert not at.file_uploader
    name = next(t for t in at.text_input if t.label == "Dit navn")
    code = next(t for t in at.text_input if t.label == "Koordinatorkode")
    submit = next(b for b in at.button if b.label == "Log ind som koordinator")
    name.input("Kim")
    code.input("forkert")
    submit.click().run()
    assert not at.file_uploader and "Forkert koordinatorkode." in _texts(at.error)
    next(t for t in at.text_input if t.label == "Koordinatorkode").input("hemmelig-kode")
    next(b for b in at.button if b.label == "Log ind som koordinator").click().run()
    _no_exception(at)
    assert at.file_uploader(key="indlaes_data_0")


def test_the_page_shows_the_serving_build_the_template_and_limits(page, cfg):
    _no_exception(page)
    assert page.title[0].value == "Indlæs data"
    assert any(current_path(cfg).name in c and "Appen viser nu" in c for c in _texts(page.caption))
    assert page.get("download_button")[0].proto.label == "Hent Excel-skabelonen"
    uploader = page.file_uploader(key="indlaes_data_0")
    assert uploader.accept_multiple_files
    assert {"xlsx", "xls", "csv", "txt", "zip", "json"} <= {t.lstrip(".") for t in uploader.allowed_type}
    assert uploader.proto.max_upload_size_mb * 1024 * 1024 == MAX_FILE_BYTES
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] * 1024 * 1024 == MAX_FILE_BYTES


def test_a_bad_row_is_shown_with_file_row_and_column_and_the_build_is_disabled(page):
    _upload(page, ("organisationer.csv", BAD))
    assert any("1 fejl" in e for e in _texts(page.error))
    issues = _frame(page, "Fil", "Række", "Kolonne")
    row = issues.iloc[0]
    assert (row["Type"], row["Fil"], row["Række"], row["Kolonne"], row["Værdi"]) == (
        "Fejl",
        "organisationer.csv",
        "3",
        "Organisationstype",
        "Ukendt type",
    )
    assert "Ukendt værdi" in row["Besked"] and row["Råd"]
    assert page.button(key="indlaes_build").disabled
    assert any(b.proto.label == "Hent fejl og advarsler som Excel" for b in page.get("download_button"))


def test_the_warnings_that_explain_an_unreadable_file_are_listed_with_its_error(page):
    term = b'[{"id": "22222222-2222-4222-8222-222222222222", "name": "Forebyggelse", "description": "", "code": "f"}]'
    _upload(page, ("termer.json", term))
    assert any("fejl" in e for e in _texts(page.error))
    issues = _frame(page, "Fil", "Række", "Kolonne")
    assert issues.iloc[0]["Type"] == "Fejl"
    (held,) = [r for _, r in issues.iterrows() if "ingen organisationer eller tilbud" in r["Besked"]]
    assert (
        held["Type"] == "Advarsel"
        and held["Fil"] == "termer.json"
        and "kun taxonomy_term (1)" in held["Besked"]
    )
    assert page.button(key="indlaes_build").disabled


def test_a_good_file_previews_then_builds_and_the_app_shows_the_new_data(page, cfg):
    before = current_path(cfg)
    _upload(page, ("organisationer.csv", GOOD))
    assert not _texts(page.error)
    assert [t.label for t in page.tabs] == ["Organisationer: 1 ny · 0 ændrede · 0 fjernede"]
    new_rows = _frame(page, "Id", "Organisationstype", without="Fil")
    assert new_rows.iloc[0]["Id"] == "ORG-NY-1" and new_rows.iloc[0]["Kommune"] == "Aarhus"
    assert any("Ikke uploadet, og derfor uændret: Tilbud" in c for c in _texts(page.caption))
    assert not page.button(key="indlaes_build").disabled

    page.button(key="indlaes_build").click().run()
    _no_exception(page)
    assert current_path(cfg) != before
    (done,) = _texts(page.success)
    assert "Databasen er bygget" in done and "1 ny" in done and "151 organisationer" in done
    assert not page.file_uploader(key="indlaes_data_1").value  # the used files are cleared
    assert any(current_path(cfg).name in c for c in _texts(page.caption))
    (history,) = [e for e in page.expander if e.label.startswith("Seneste indlæsninger")]
    record = history.dataframe[0].value.iloc[0]
    assert (record["Filer"], record["Sundhedsråd"], record["Udfald"]) == (
        "organisationer.csv",
        "Sundhedsråd Aarhus",
        "bygget",
    )

    page.switch_page("app_pages/lister.py").run()
    _no_exception(page)
    assert page.tabs[0].label == "Organisationer (151)"


def test_a_failing_data_check_says_so_and_the_previous_build_keeps_serving(page, cfg, monkeypatch):
    before = current_path(cfg)
    _upload(page, ("organisationer.csv", GOOD))
    monkeypatch.setattr(build_module, "_run_checks", lambda con: ["Testfejl i datatjekket (test: 1 rækker)"])
    page.button(key="indlaes_build").click().run()
    _no_exception(page)
    assert current_path(cfg) == before
    (err,) = _texts(page.error)
    assert "Databasen blev ikke bygget" in err and "Testfejl i datatjekket" in err
    assert "De hidtidige data bruges fortsat" in err
    assert any("Appen viser fortsat" in c and before.name in c for c in _texts(page.caption))


def test_an_unexpected_error_while_building_is_a_danish_message(page, cfg, monkeypatch):
    before = current_path(cfg)
    _upload(page, ("organisationer.csv", GOOD))

    def broken(*args, **kwargs):
        raise OSError("disken er fuld")

    monkeypatch.setattr(build_module, "write_database", broken)
    page.button(key="indlaes_build").click().run()
    _no_exception(page)
    assert current_path(cfg) == before
    assert any("Uventet fejl" in e and "OSError" in e for e in _texts(page.error))


def test_replace_mode_previews_removed_rows_and_names_the_tables_left_alone(page, cfg):
    page.radio(key="indlaes_mode").set_value("erstat").run()
    _upload(page, ("organisationer.csv", GOOD))
    db = Database(current_path(cfg))
    try:
        n_orgs = db.scalar("SELECT count(*) FROM organisations")
    finally:
        db.close()
    assert page.tabs[0].label == f"Organisationer: 1 ny · 0 ændrede · {n_orgs} fjernede"
    assert any("ikke uploadet, og derfor uændret" in w.lower() for w in _texts(page.warning))
    assert page.button(key="indlaes_build").disabled  # offers still point at the removed organisations


def test_changed_rows_show_which_fields_change(page, cfg):
    db = Database(current_path(cfg))
    try:
        org = db.query("SELECT organisation_id, name FROM organisations ORDER BY 1 LIMIT 1").iloc[0]
    finally:
        db.close()
    line = f"{ORG_HEADER}\n{org['organisation_id']};{org['name']} (nyt navn);Frivillig forening;Aarhus\n"
    _upload(page, ("organisationer.csv", line.encode()))
    changed = _frame(page, "Felt", "Før", "Efter")
    name = changed[changed["Felt"] == "Navn"].iloc[0]
    assert (name["Før"], name["Efter"]) == (org["name"], f"{org['name']} (nyt navn)")


def test_the_check_is_kept_between_reruns(page, monkeypatch):
    _upload(page, ("organisationer.csv", GOOD))
    from etl import upload as up

    def fail(*args, **kwargs):
        raise AssertionError("checked again")

    monkeypatch.setattr(up, "check_upload", fail)
    page.run()
    _no_exception(page)
    assert [t.label for t in page.tabs] == ["Organisationer: 1 ny · 0 ændrede · 0 fjernede"]


def test_the_page_is_in_the_data_section(cfg):
    text = Path(APP).read_text(encoding="utf-8")
    data_section = text.split('"Data": [', 1)[1].split("]", 1)[0]
    assert 'st.Page("app_pages/indlaes.py", title="Indlæs data"' in data_section


def _indicator(at: AppTest, name: str, data: bytes, **fields: str) -> AppTest:
    at.text_input(key="indlaes_indicator_name_0").input(fields.get("navn", ""))
    if "enhed" in fields:
        at.selectbox(key="indlaes_indicator_unit_0").select(fields["enhed"])
    at.text_input(key="indlaes_indicator_period_0").input(fields.get("periode", ""))
    at.text_input(key="indlaes_indicator_source_0").input(fields.get("kilde", ""))
    at.file_uploader(key="indlaes_indicator_0").set_value([(name, data, "text/csv")]).run()
    _no_exception(at)
    return at


def _om_data(at: AppTest) -> list[dict]:
    at.switch_page("app_pages/om_data.py").run()
    _no_exception(at)
    table = next((d.value for d in at.dataframe if "Indikator" in d.value.columns), None)
    return (
        [] if table is None else table[["Indikator", "Enhed", "Periode", "Kilde", "Fil"]].to_dict("records")
    )


LONELY = "Kommune;Andel\nKøbenhavn;12,5\nAarhus;9,8\n".encode()


def test_an_indicator_file_builds_and_shows_on_om_data_and_a_broken_one_loses_nothing(page, cfg):
    _indicator(
        page, "ensomhed.csv", LONELY, navn="Meget ensomme", enhed="procent", periode="2021", kilde="DS"
    )
    assert not _texts(page.error)
    assert any(
        c.startswith("Indikatoren Meget ensomme fra ensomhed") and "(2 kommuner med værdi)" in c
        for c in _texts(page.caption)
    )
    page.button(key="indlaes_build").click().run()
    _no_exception(page)
    assert "Databasen er bygget" in _texts(page.success)[0]
    loaded = [
        {
            "Indikator": "Meget ensomme",
            "Enhed": "procent",
            "Periode": "2021",
            "Kilde": "DS",
            "Fil": "ensomhed.csv",
        }
    ]
    assert _om_data(page) == loaded

    serving = current_path(cfg)
    page.switch_page(PAGE).run()
    page.file_uploader(key="indlaes_indicator_1").set_value(
        [("ensomhed.csv", LONELY.replace(b"Aarhus", b"Atlantis"), "text/csv")]
    ).run()
    _no_exception(page)
    assert any("1 fejl" in e for e in _texts(page.error))
    row = _frame(page, "Fil", "Række", "Kolonne").iloc[0]
    assert (row["Type"], row["Fil"], row["Række"], row["Kolonne"], row["Værdi"], row["Besked"]) == (
        "Fejl",
        "ensomhed.csv",
        "3",
        "Kommune",
        "Atlantis",
        "Ukendt kommune",
    )
    assert page.button(key="indlaes_build").disabled
    assert current_path(cfg) == serving and _om_data(page) == loaded
