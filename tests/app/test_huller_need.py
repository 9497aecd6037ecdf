"""AppTest: Huller's offers per 1,000 people in the target group, and Om data's mapping, on the small example
data with its synthetic indicators and a population."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from civilkort import gaps, reference
from civilkort.filters import Selection

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(scope="module")
def need_dir(tmp_path_factory, example_tables, tiny_boundaries) -> Path:
    from civilkort.settings import Settings
    from etl import demo
    from etl.build import build
    from tests.conftest import PROJECT_ROOT, clean_input

    path = tmp_path_factory.mktemp("need-app")
    codes = reference.municipalities()["municipality_code"].astype("int64")
    population = pd.DataFrame(
        {"municipality_code": codes, "population": 50_000, "population_period": "2025K3"}
    )
    build(
        clean_input(example_tables),
        boundaries=tiny_boundaries,
        population=population,
        indicators=demo.example_indicators(),
        meta={"is_example": "true"},
        cfg=Settings(data_dir=path, static_dir=PROJECT_ROOT / "static"),
    )
    return path


@pytest.fixture
def at(need_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(need_dir))
    return AppTest.from_file(APP, default_timeout=60)


def _no_errors(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


def test_huller_offers_per_1000_in_the_target_group(at, need_dir):
    at.query_params["omraade"] = "region:nordjylland"
    at.run()
    at.switch_page("app_pages/huller.py").run()
    at.radio(key="huller_view").set_value("kommune_maalgruppe").run()
    _no_errors(at)
    measure = at.radio(key="huller_measure")
    assert measure.options == ["Antal", "pr. 10.000 indbyggere", "pr. 1.000 i målgruppen"]
    captions = " ".join(c.value for c in at.caption)
    assert "Ældre: Borgere 80\\+ \\(eksempel\\)" in captions
    assert "Uden indikator" in captions and "Børn og unge" in captions
    measure.set_value("per_1000_group").run()
    _no_errors(at)
    assert len(at.get("plotly_chart")) == 1
    assert len(at.get("download_button")) == 2  # the matrix as Excel and CSV

    from civilkort.db import open_current

    db = open_current()
    try:
        m = gaps.matrix(
            db, Selection(area="region:nordjylland"), "municipality", "target_group", measure="per_1000_group"
        )
    finally:
        db.close()
    assert m.loc[m["col_key"] == "aeldre", "value"].notna().all()
    assert m.loc[m["col_key"] == "boern_unge", "value"].isna().all()


def test_the_theme_matrix_keeps_its_toggle(at):
    at.run()
    at.switch_page("app_pages/huller.py").run()
    _no_errors(at)
    assert "huller_measure" not in [r.key for r in at.radio]
    assert at.toggle(key="huller_per_10k").proto.disabled is False


def test_om_data_lists_the_mapping(at):
    at.run()
    at.switch_page("app_pages/om_data.py").run()
    _no_errors(at)
    tables = [df.value for df in at.dataframe]
    need = next(t for t in tables if "Målgruppe" in t.columns and "Sådan tælles personerne" in t.columns)
    row = need.set_index("Målgruppe").loc["Hjemløse"]
    assert row["Indikator"] == "Hjemløse pr. 1.000 borgere (eksempel)"
    assert row["Sådan tælles personerne"] == gaps.COUNTED["per_1000"] and row["Fastsat i"] == "standardkortet"
