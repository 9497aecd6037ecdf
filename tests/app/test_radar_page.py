"""AppTest of the Samarbejdsradar page: each view, its figures against civilkort.radar, its lists,
the SQL shown, and the drill-down to a collaboration, an organisation or a unit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from civilkort import radar
from civilkort.filters import Selection
from ui.text import md

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "app_pages/samarbejder.py"
TIMEOUT = 60
AARHUS = Selection(area="council:aarhus")


@pytest.fixture
def app(small_db) -> AppTest:
    """The radar page for Sundhedsråd Aarhus on the small example database."""
    return _at("council:aarhus")


def _at(area: str) -> AppTest:
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["omraade"] = area
    at.run()
    return at.switch_page(PAGE).run()


AREAS = pytest.mark.parametrize("area", ["council:aarhus", "dk"])


def _today() -> dt.date:
    return dt.date.today()  # the page's reference day (ui.radar.today)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _no_errors(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


def _tab(at: AppTest, label: str) -> AppTest:
    at.session_state["radar_tab"] = label
    return at.run()


def _sql_shown(at: AppTest) -> str:
    return "\n".join(c.value for c in at.code)


def test_timeline_view(app, small_db):
    _no_errors(app)
    assert app.title[0].value == "Samarbejder: Sundhedsråd Aarhus"
    assert [t.label for t in app.tabs] == [
        "Tidslinje",
        "Slutter snart",
        "Styring",
        "Forældreløse",
        "Opfølgning",
    ]
    timeline = radar.timeline(small_db, AARHUS, _today())
    share = radar.kind_share(small_db, AARHUS, _today())
    metrics = _metrics(app)
    assert metrics["Samarbejder i området"] == str(len(timeline))
    assert metrics["Igangværende"] == str(int(share["n_current"].sum()))
    projekt = share.set_index("kind_label").loc["Projekt", "pct_current"]
    assert metrics["Projekt"] == f"{projekt:.1f} %".replace(".", ",")
    assert len(app.get("plotly_chart")) == 1
    assert radar.sql_text("timeline").strip() in _sql_shown(app) and radar.sql_text(
        "kind_share"
    ).strip() in _sql_shown(app)


def test_timeline_colour_and_ended_switches(app):
    app.radio(key="radar_colour").set_value("kind").run()
    app.toggle(key="radar_include_ended").set_value(True).run()
    _no_errors(app)
    assert len(app.get("plotly_chart")) == 1


def test_timeline_follows_area_and_filters(app, small_db):
    app.sidebar.multiselect(key="sel_themes").set_value(["lighed"]).run()
    _no_errors(app)
    sel = Selection(area="council:aarhus", themes=("lighed",))
    assert _metrics(app)["Samarbejder i området"] == str(len(radar.timeline(small_db, sel, _today())))
    app.sidebar.selectbox(key="sel_area").set_value("dk").run()
    assert app.title[0].value == "Samarbejder: Hele Danmark"


def test_an_area_without_collaborations(small_db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["omraade"] = "council:aarhus"
    at.query_params["q"] = "findes-ikke-nogen-steder"
    at.run()
    at.switch_page(PAGE).run()
    _no_errors(at)
    assert _metrics(at)["Samarbejder i området"] == "0"
    assert "Ingen samarbejder" in at.info[0].value


def _listed(app) -> int:
    """Rows in the view's list: its table, or 0 with the Danish note an empty list gets instead of a grid."""
    if not app.dataframe:
        assert any("ingen i området med de valgte filtre" in note.value for note in app.info), app.info
        return 0
    return len(app.dataframe[0].value)


@AREAS
def test_ending_view(small_db, area):
    app = _at(area)
    sel = Selection(area=area)
    _tab(app, "Slutter snart")
    _no_errors(app)
    expected = radar.ending(small_db, sel, _today())
    metrics = _metrics(app)
    for m in (3, 6, 12):
        assert metrics[f"Slutter inden for {m} måneder"] == str(expected["counts"][m])
    assert _listed(app) == expected["counts"][3]
    assert len(app.get("download_button")) == (3 if expected["counts"][3] else 0)
    app.radio(key="radar_window").set_value(12).run()
    assert _listed(app) == expected["counts"][12] > 0
    assert "Tovholder" not in app.dataframe[0].value.columns  # personal data only on request
    assert radar.sql_text("ending").strip() in _sql_shown(app)


@AREAS
def test_governance_view(small_db, area):
    app = _at(area)
    sel = Selection(area=area)
    _tab(app, "Styring")
    _no_errors(app)
    expected = radar.gaps_in_governance(small_db, sel, _today())
    metrics = _metrics(app)
    assert metrics["Uden tovholder"] == str(expected["counts"]["without_tovholder"])
    assert metrics["Uden juristvurdering"] == str(expected["counts"]["without_legal_review"])
    assert metrics["Uden erfaringer"] == str(expected["counts"]["without_experience"])
    for gap in ("without_tovholder", "without_legal_review", "without_experience"):
        app.radio(key="radar_gap").set_value(gap).run()
        assert _listed(app) == len(expected[gap])
    assert radar.sql_text("governance").strip() in _sql_shown(app)


@AREAS
def test_orphans_view(small_db, area):
    app = _at(area)
    sel = Selection(area=area)
    _tab(app, "Forældreløse")
    _no_errors(app)
    expected = radar.orphans(small_db, sel, _today())
    labels = {
        "organisations": "Organisationer med tilbud uden samarbejde",
        "units": "Regionale enheder uden partner i et tema",
        "multi_council": "Organisationer i flere sundhedsråd",
    }
    sql = {
        "organisations": "orphan_organisations",
        "units": "units_without_partner",
        "multi_council": "multi_council_organisations",
    }
    for name in ("organisations", "units", "multi_council"):
        app.radio(key="radar_orphan").set_value(name).run()
        _no_errors(app)
        assert _metrics(app)[labels[name]] == str(len(expected[name]))
        assert _listed(app) == len(expected[name])
        assert len(app.get("download_button")) == (3 if len(expected[name]) else 0)
        assert radar.sql_text(sql[name]).strip() in _sql_shown(app)


def test_choosing_a_collaboration_opens_its_details_and_closing_them(app, small_db):
    _tab(app, "Slutter snart")
    app.radio(key="radar_window").set_value(12).run()
    rows = radar.ending(small_db, AARHUS, _today())["rows"][12]
    assert len(rows), "the example data should have collaborations ending within a year"
    first = rows.iloc[0]
    app.selectbox(key="radar_pick_ending").set_value(first["collaboration_id"]).run()
    _no_errors(app)
    assert app.subheader[0].value == md(first["title"])
    assert app.query_params["valgt"] == f"collaboration:{first['collaboration_id']}"
    assert app.selectbox(key="radar_pick_ending").value is None  # the picker is ready for the next one
    app.button(key="close_details").click().run()
    assert not app.subheader and "valgt" not in app.query_params


def test_choosing_from_the_timeline_and_the_governance_lists(app, small_db):
    timeline = radar.timeline(small_db, AARHUS, _today())
    last = timeline.iloc[-1]
    app.selectbox(key="radar_pick_timeline").set_value(last["collaboration_id"]).run()
    _no_errors(app)
    assert app.subheader[0].value == md(last["title"])
    app.sidebar.selectbox(key="sel_area").set_value("dk").run()  # Aarhus's two all have a tovholder
    _tab(app, "Styring")
    gaps = radar.gaps_in_governance(small_db, Selection(), _today())["without_tovholder"]
    app.selectbox(key="radar_pick_gov").set_value(gaps.iloc[0]["collaboration_id"]).run()
    assert app.subheader[0].value == md(gaps.iloc[0]["title"])
    assert "ingen registreret" in " ".join(m.value for m in app.markdown)  # its missing tovholder


def test_choosing_an_orphan_organisation_or_a_unit(app, small_db):
    _tab(app, "Forældreløse")
    orphans = radar.orphans(small_db, AARHUS, _today())
    org = orphans["organisations"].iloc[0]
    app.selectbox(key="radar_pick_org").set_value(org["organisation_id"]).run()
    _no_errors(app)
    assert app.subheader[0].value == md(org["name"])
    assert app.query_params["valgt"] == f"org:{org['organisation_id']}"
    if len(orphans["units"]):
        app.radio(key="radar_orphan").set_value("units").run()
        unit = orphans["units"].iloc[0]
        app.selectbox(key="radar_pick_unit").set_value(unit["unit_id"]).run()
        _no_errors(app)
        assert app.subheader[0].value == md(unit["name"])


def test_an_unexpected_error_is_a_danish_message(app, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("intern detalje")

    monkeypatch.setattr(radar, "gaps_in_governance", boom)
    st.cache_data.clear()
    _tab(app, "Styring")
    assert not app.exception
    assert "Noget gik galt" in app.error[0].value and "intern detalje" not in app.error[0].value
