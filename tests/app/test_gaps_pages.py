"""AppTest for the Huller and Sammenlign pages: every view, the cell drill-down, the SQL shown, errors.

AppTest cannot click a Plotly chart, and a chart's selection cannot be set through session state;
the page keeps the clicked cell under ``ui.gaps.CELL_KEY`` (set by the chart's on_select callback,
whose parsing ``charts.heatmap_cell`` is unit-tested), so the tests preset that key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from civilkort import gaps
from civilkort.filters import Selection
from ui.gaps import CELL_KEY, VIEWS

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60
HULLER = "app_pages/huller.py"
SAMMENLIGN = "app_pages/sammenlign.py"


@pytest.fixture
def app(small_db) -> AppTest:
    """The app on the small example database (settings point at it through small_db)."""
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _no_errors(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


def _huller(at: AppTest, view: str, area: str = "dk") -> AppTest:
    at.query_params["omraade"] = area
    at.run()
    at.switch_page(HULLER).run()
    if view != "kommune_tema":
        at.radio(key="huller_view").set_value(view).run()
    _no_errors(at)
    return at


@pytest.mark.parametrize("view", ["kommune_tema", "kommune_maalgruppe", "tema_maalgruppe"])
def test_each_matrix_view_shows_its_heatmap_and_counts(app, small_db, view):
    _, rows, cols = VIEWS[view]
    at = _huller(app, view, "region:nordjylland")
    assert at.title[0].value == "Huller: Region Nordjylland"
    expected = gaps.matrix_summary(gaps.matrix(small_db, Selection(area="region:nordjylland"), rows, cols))
    assert _metrics(at) == {
        "Felter": str(expected["cells"]),
        "Tomme felter (0)": str(expected["empty"]),
        "Ikke kortlagt": str(expected["unmapped"]),
    }
    charts = at.get("plotly_chart")
    assert len(charts) == 1 and f"huller_chart_{view}_" in charts[0].proto.id
    assert list(charts[0].proto.selection_mode)  # clickable: on_select with point selection
    assert "Klik på et felt" in " ".join(c.value for c in at.caption)


def test_coverage_view(app, small_db):
    at = _huller(app, "kortlaegning", "council:vendsyssel")
    cov = gaps.coverage(small_db, Selection(area="council:vendsyssel"))
    summary = gaps.coverage_summary(cov)
    assert _metrics(at)["Ikke kortlagt"] == str(summary["unmapped"])
    assert _metrics(at)["Gennemsnitlig score"] == str(summary["mean_score"])
    table = at.dataframe[0].value
    assert len(table) == len(cov) and "Score (0-100)" in table.columns and "Status" in table.columns
    assert "Sådan regnes scoren" in " ".join(m.value for m in at.markdown)


def test_referral_view(app, small_db):
    at = _huller(app, "henvisninger", "council:aarhus")
    r = gaps.referral_readiness(small_db, Selection(area="council:aarhus"))
    assert _metrics(at)["Tomme felter (0)"] == str(gaps.matrix_summary(r)["empty"])
    assert "sociale henvisninger" in at.caption[-3].value or any(
        "henvisninger" in c.value for c in at.caption
    )


def test_clicking_a_cell_lists_the_offers_behind_it(app, small_db):
    sel = Selection(area="council:aarhus")
    m = gaps.matrix(small_db, sel, "municipality", "theme")
    row = m[m["n"] > 0].iloc[0]
    app.session_state[CELL_KEY] = {"view": "kommune_tema", "cell": (row["row_key"], row["col_key"])}
    at = _huller(app, "kommune_tema", "council:aarhus")
    items = gaps.matrix_items(small_db, sel, row["row_key"], row["col_key"], "municipality", "theme")
    assert len(items) == row["n"] > 0
    assert at.subheader[0].value == f"{row['row_label']} × {row['col_label']}: {len(items)} tilbud"
    assert list(at.dataframe[0].value["Tilbud (id)"]) == list(items["offer_id"])
    assert len(at.get("download_button")) == 5  # the matrix (Excel, CSV) and the offers behind the cell (3)
    # 'Vis SQL' shows the matrix's SQL and the drill-down's, with their parameters.
    codes = [c.value.strip() for c in at.code]
    assert (
        gaps.sql("matrix_municipality_theme").strip() in codes and gaps.sql("matrix_items").strip() in codes
    )
    params = [json.loads(c.value) for c in at.code if c.language == "json"]
    assert (
        params[-1]["cell_municipality"] == int(row["row_key"]) and params[-1]["cell_theme"] == row["col_key"]
    )


def test_the_drill_down_follows_the_filters(app, small_db):
    sel = Selection(area="council:aarhus", statuses=())
    m = gaps.matrix(small_db, sel, "municipality", "target_group")
    row = m[m["n"] > 0].iloc[0]
    app.session_state[CELL_KEY] = {"view": "kommune_maalgruppe", "cell": (row["row_key"], row["col_key"])}
    at = _huller(app, "kommune_maalgruppe", "council:aarhus")
    at.sidebar.multiselect(key="sel_statuses").set_value([]).run()
    _no_errors(at)
    n = len(gaps.matrix_items(small_db, sel, row["row_key"], row["col_key"], "municipality", "target_group"))
    assert at.subheader[0].value.endswith(f": {n} tilbud")


def test_clicking_a_referral_cell(app, small_db):
    sel = Selection(area="council:aarhus")
    r = gaps.referral_readiness(small_db, sel)
    row = r[r["n"] > 0].iloc[0]
    app.session_state[CELL_KEY] = {"view": "henvisninger", "cell": (row["row_key"], row["col_key"])}
    at = _huller(app, "henvisninger", "council:aarhus")
    items = at.dataframe[0].value
    assert len(items) == row["n"] and set(items["Modtager sociale henvisninger"]) == {"Ja"}


def test_a_cell_from_another_view_or_area_is_ignored(app):
    app.session_state[CELL_KEY] = {"view": "kommune_tema", "cell": ("101", "lighed")}  # København
    at = _huller(app, "kommune_tema", "council:aarhus")
    assert not at.subheader and not at.dataframe
    at.radio(key="huller_view").set_value("tema_maalgruppe").run()
    assert not at.subheader


def test_a_filter_change_updates_the_matrix(app, small_db):
    at = _huller(app, "kommune_maalgruppe")
    at.sidebar.multiselect(key="sel_themes").set_value(["lighed"]).run()
    _no_errors(at)
    sel = Selection(themes=("lighed",))
    expected = gaps.matrix_summary(gaps.matrix(small_db, sel, "municipality", "target_group"))
    assert _metrics(at)["Tomme felter (0)"] == str(expected["empty"])


def test_per_10k_needs_population(app):
    at = _huller(app, "kommune_tema")
    toggle = at.toggle(key="huller_per_10k")
    assert toggle.proto.disabled and "FOLK1A" in toggle.proto.help


def test_compare_page(app, small_db):
    app.query_params["omraade"] = "council:fyn"
    app.run()
    at = app.switch_page(SAMMENLIGN).run()
    _no_errors(at)
    assert at.title[0].value == "Sammenlign sundhedsråd"
    table = at.dataframe[0].value
    expected = gaps.compare_councils(small_db, Selection())
    assert len(table) == 22 and list(table["Område"]) == list(expected["name"])
    assert list(table["Tilbud"]) == list(expected["offers"])
    assert "folketal" in at.info[0].value
    assert "offers_per_10k" not in at.selectbox(key="sammenlign_measure").options
    at.selectbox(key="sammenlign_measure").set_value("score").run()
    _no_errors(at)
    assert len(at.get("plotly_chart")) == 1 and len(at.get("download_button")) == 2
    assert gaps.sql("compare_councils").strip() in [c.value.strip() for c in at.code]


def test_compare_follows_the_filters_but_not_the_area(app, small_db):
    app.run()
    at = app.switch_page(SAMMENLIGN).run()
    at.sidebar.multiselect(key="sel_target_groups").set_value(["aeldre"]).run()
    at.sidebar.selectbox(key="sel_area").set_value("council:aarhus").run()
    _no_errors(at)
    expected = gaps.compare_councils(small_db, Selection(target_groups=("aeldre",)))
    assert list(at.dataframe[0].value["Tilbud"]) == list(expected["offers"])


def test_an_unexpected_error_is_a_danish_message(app, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("intern detalje")

    monkeypatch.setattr(gaps, "coverage", boom)
    st.cache_data.clear()
    at = _huller_raw(app)
    assert not at.exception
    assert "Noget gik galt" in at.error[0].value and "intern detalje" not in at.error[0].value


def _huller_raw(at: AppTest) -> AppTest:
    at.run()
    at.switch_page(HULLER).run()
    return at.radio(key="huller_view").set_value("kortlaegning").run()
