"""The map page's vulnerable housing areas: the list of areas without offers near, an area's nearest offers,
and what the page says when no list is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from civilkort import housing
from civilkort.db import open_current
from tests.conftest import clean_input
from ui.text import md

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60


@pytest.fixture(scope="module")
def housing_dir(tmp_path_factory, example_tables, tiny_boundaries) -> Path:
    """The small example data built with the example list of housing areas."""
    from civilkort.settings import Settings
    from etl.build import build
    from etl.demo import example_housing_areas

    path = tmp_path_factory.mktemp("housing-db")
    cfg = Settings(data_dir=path, static_dir=Path(APP).parent / "static")
    build(
        clean_input(example_tables),
        boundaries=tiny_boundaries,
        housing=example_housing_areas(),
        meta={"is_example": "true"},
        cfg=cfg,
    )
    return path


def _open(area: str = "council:hovedstaden", layers: str = "areas,points,housing") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["omraade"] = area
    at.query_params["lag"] = layers
    at.run()
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]
    return at


def test_the_side_panel_lists_areas_without_offers_near_and_opens_an_areas_nearest(housing_dir, monkeypatch):
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(housing_dir))
    at = _open()
    db = open_current()
    try:
        codes = db.query("SELECT municipality_code FROM municipalities WHERE council_id = 'hovedstaden'")
        frame = housing.areas(db, codes["municipality_code"].tolist(), housing.DEFAULT_GROUP)
    finally:
        db.close()
    assert len(frame) >= 3  # København's three example areas
    heading = f"Boligområder uden tilbud inden for {housing.NONE_WITHIN_KM} km"
    assert heading in [h.value for h in at.subheader]
    none = housing.without_offers(frame)
    assert any(f"{len(none)} af {len(frame)} udsatte boligområder" in c.value for c in at.caption)
    box = at.selectbox(key="bolig_vaelg_council:hovedstaden")
    chosen = frame.iloc[0]
    box.select(chosen["area_id"]).run()
    assert not at.exception, at.exception
    assert at.query_params["valgt"] == f"housing:{chosen['area_id']}"
    assert md(chosen["name"]) in [h.value for h in at.subheader]
    assert any("Aktive tilbud i luftlinje" in m.value for m in at.markdown)
    buttons = [b.label for b in at.button if "i luftlinje" in b.label]
    assert 1 <= len(buttons) <= 5
    # another target group in the panel: its own counts, nearest first
    at.selectbox(key=f"bolig_gruppe_{chosen['area_id']}").select("aeldre").run()
    assert not at.exception, at.exception
    assert at.selectbox(key=f"bolig_gruppe_{chosen['area_id']}").value == "aeldre"


def test_an_area_link_opens_its_panel_after_a_reload(housing_dir, monkeypatch):
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(housing_dir))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["omraade"] = "council:aarhus"
    at.query_params["lag"] = "areas,housing"
    at.query_params["valgt"] = "housing:751-birkebakken-eksempel"
    at.run()
    assert not at.exception, at.exception
    assert md("Birkebakken (eksempel)") in [h.value for h in at.subheader]


def test_without_a_list_the_layer_says_how_to_load_it(small_db):
    at = _open("council:aarhus")
    assert any("Listen over udsatte boligområder er ikke indlæst" in i.value for i in at.info)
    assert not any(h.value.startswith("Boligområder uden tilbud") for h in at.subheader)


def test_an_unknown_area_in_a_link_is_said_plainly(housing_dir, monkeypatch):
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(housing_dir))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lag"] = "areas,housing"
    at.query_params["valgt"] = "housing:<script>alert(1)</script>"
    at.run()
    assert not at.exception, at.exception
    assert any("Boligområdet findes ikke" in i.value for i in at.info)


def test_about_data_names_the_list_or_says_how_to_load_it(housing_dir, small_db, monkeypatch):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/om_data.py").run()
    assert not at.exception, at.exception
    assert any("Ministeriets liste over udsatte boligområder er ikke indlæst" in m.value for m in at.markdown)
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(housing_dir))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page("app_pages/om_data.py").run()
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "14 områder fra Udsatte boligområder \\(eksempel\\)" in text and "ikke ministeriets liste" in text


def test_the_map_as_a_table_lists_the_housing_areas_with_their_counts(housing_dir, monkeypatch):
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(housing_dir))
    at = _open()
    at.toggle(key="kort_tabel").set_value(True).run()
    assert not at.exception, at.exception
    assert any(m.value.startswith("**Udsatte boligområder**") for m in at.markdown)
    tables = [
        df for df in (d.value for d in at.dataframe) if "Boligområde" in df.columns and "Inden for 2 km" in df
    ]
    assert tables and len(tables[0]) >= 3
