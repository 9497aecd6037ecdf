"""AppTest: Huller's need-and-supply view (bivariate tile map, legend, ranked table, downloads, the link),
and the council report's section, on the small example data with its synthetic indicators and a population."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from civilkort import need_supply as ns
from tests.app.test_huller_need import need_dir  # noqa: F401  (the build with indicators and population)

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def at(need_dir, monkeypatch) -> AppTest:  # noqa: F811
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(need_dir))
    return AppTest.from_file(APP, default_timeout=60)


def _no_errors(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


def _html(at: AppTest) -> str:
    return " ".join(str(h.proto.body) for h in at.get("html"))


def test_a_link_opens_the_view_with_its_target_group(at):
    at.query_params["omraade"] = "region:nordjylland"
    at.query_params["huller"] = "behov"
    at.query_params["behov"] = "aeldre"
    at.run()
    at.switch_page("app_pages/huller.py").run()
    _no_errors(at)
    assert at.radio(key="huller_view").value == "behov"
    group = at.selectbox(key="huller_behov_group")
    assert group.value == "aeldre"
    assert "boern_unge" not in group.options  # no indicator: not offered
    captions = " ".join(c.value for c in at.caption)
    assert "andel af kommunens indbyggere" in captions  # a population is loaded
    assert "tredjedele (tertiler) blandt områdets kommuner" in captions
    assert ns.RANK_RULE in captions
    # Boundaries are loaded: the choropleth on them first, the tile map one switch away.
    assert at.toggle(key="huller_behov_tiles").value is False
    assert not at.get("plotly_chart")
    assert "Hvid med stiplet kant" in _html(at)
    at.toggle(key="huller_behov_tiles").set_value(True).run()
    _no_errors(at)
    assert len(at.get("plotly_chart")) == 1
    legend = _html(at)
    assert "Skraveret: ingen klasse" in legend
    assert ns.WORRY in legend and "Behov ↑" in legend and "Tilbud pr. 1.000 i målgruppen →" in legend
    ranked = at.dataframe[-1].value
    assert list(ranked.columns)[:3] == ["Rang", "Kommune", "Målgruppe"]
    assert ranked["Rang"].tolist() == list(range(1, len(ranked) + 1))
    assert len(at.get("download_button")) == 2
    assert at.query_params["huller"] == "behov" and at.query_params["behov"] == "aeldre"


def test_the_view_and_group_are_written_into_the_link_and_left_out_elsewhere(at):
    at.query_params["omraade"] = "region:nordjylland"
    at.run()
    at.switch_page("app_pages/huller.py").run()
    assert "huller" not in at.query_params
    at.radio(key="huller_view").set_value("behov").run()
    _no_errors(at)
    assert at.query_params["huller"] == "behov"
    groups = at.selectbox(key="huller_behov_group").options
    assert "Ensomme" in groups and "Ældre" in groups  # two of the synthetic indicators' groups
    at.selectbox(key="huller_behov_group").set_value("ensomme").run()
    _no_errors(at)
    assert at.query_params["behov"] == "ensomme"
    at.radio(key="huller_view").set_value("kommune_tema").run()
    assert "huller" not in at.query_params and "behov" not in at.query_params


def test_an_unknown_group_or_view_in_the_link_falls_back(at):
    at.query_params["huller"] = "findes-ikke"
    at.query_params["behov"] = "<script>"
    at.run()
    at.switch_page("app_pages/huller.py").run()
    _no_errors(at)
    assert at.radio(key="huller_view").value == "kommune_tema"


def test_a_council_of_two_municipalities_is_classed_against_the_country(at):
    at.query_params["omraade"] = "council:aarhus"
    at.query_params["huller"] = "behov"
    at.run()
    at.switch_page("app_pages/huller.py").run()
    _no_errors(at)
    captions = " ".join(c.value for c in at.caption)
    assert "hele landets" in captions
    table = at.dataframe[0].value  # the map as a table: both municipalities, their classes in words
    assert set(table["Kommune"]) == {"Aarhus", "Samsø"}
    assert table["Behov og tilbud"].str.contains("behov").all()


def test_without_indicators_the_view_says_what_to_load(small_db_dir, monkeypatch):
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(small_db_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["huller"] = "behov"
    at.run()
    at.switch_page("app_pages/huller.py").run()
    _no_errors(at)
    assert any("behovsindikator" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_the_council_report_has_the_section_and_the_sheet(need_dir):  # noqa: F811
    from civilkort import report
    from civilkort.db import Database, current_path
    from civilkort.settings import Settings

    db = Database(current_path(Settings(data_dir=need_dir, static_dir=need_dir)))
    made = report.council_report(db, "aarhus", today=dt.date(2026, 11, 1))
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(made.pdf)).pages)
    assert "Behov og tilbud: højt behov, få tilbud" in text
    assert "Rækkefølge: højeste behovsklasse først" in text
    assert "hele landets" in text  # two municipalities: classed against the country
    assert "Ældre: behov og tilbud pr. kommune" not in text  # the map is an image, its title drawn in it
    wb = openpyxl.load_workbook(io.BytesIO(made.xlsx))
    sheet = wb["Behov og tilbud"]
    header = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert header[:3] == ["Rang", "Kommune", "Målgruppe"] and "Behov og tilbud" in header
    assert sheet.cell(row=3, column=1).value == 1
