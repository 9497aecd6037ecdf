"""Om data: the need indicators loaded, or how to load them."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.app.test_pages import APP, TIMEOUT, _no_errors


def _about(at: AppTest) -> AppTest:
    at.switch_page("app_pages/om_data.py").run()
    _no_errors(at)
    return at


def test_without_indicators_the_page_says_how_to_load_them(small_db):
    at = _about(AppTest.from_file(APP, default_timeout=TIMEOUT))
    text = " ".join(m.value for m in at.markdown)
    assert "Der er ikke indlæst indikatorer for behov" in text and "--indicator FIL" in text
    assert "python -m etl build MINE-DATA.xlsx --indicator FOLK1A.csv" in text


def test_loaded_indicators_are_listed_with_unit_period_source_and_coverage(
    tmp_path, monkeypatch, example_tables
):
    from civilkort.settings import Settings
    from etl.build import build
    from etl.indicators import Indicator
    from tests.conftest import clean_input

    values = pd.DataFrame({"municipality_code": [101, 751], "value": [12.5, 9.25]})
    hostile = Indicator(
        name="**Ensomme** <script>x</script>",
        unit="percent",
        period="2021",
        source="[Danskernes Sundhed](javascript:alert(1))",
        file="ensomhed.xlsx",
        values=values,
    )
    elderly = Indicator(
        "Borgere over 80 år", "people", "2025K3", "Danmarks Statistik, FOLK1A", "FOLK1A.csv", values
    )
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(tmp_path))
    cfg = Settings(data_dir=tmp_path, static_dir=tmp_path)
    build(clean_input(example_tables), indicators=[hostile, elderly], meta={"is_example": "true"}, cfg=cfg)
    at = _about(AppTest.from_file(APP, default_timeout=TIMEOUT))
    assert "Indikatorer for behov" in [s.value for s in at.subheader]
    assert not any("Der er ikke indlæst indikatorer" in m.value for m in at.markdown)
    table = next(d.value for d in at.dataframe if "Indikator" in d.value.columns)
    assert table.to_dict("records") == [
        {
            "Indikator": "**Ensomme** <script>x</script>",  # plain text in a grid: shown as written, not run
            "Enhed": "procent",
            "Periode": "2021",
            "Kilde": "[Danskernes Sundhed](javascript:alert(1))",
            "Fil": "ensomhed.xlsx",
            "Kommuner med værdi": 2,
        },
        {
            "Indikator": "Borgere over 80 år",
            "Enhed": "personer",
            "Periode": "2025K3",
            "Kilde": "Danmarks Statistik, FOLK1A",
            "Fil": "FOLK1A.csv",
            "Kommuner med værdi": 2,
        },
    ]
    assert not any("<script>" in m.value or "javascript:" in m.value for m in at.markdown)


def test_the_example_data_lists_its_example_indicators(data_dir):
    from etl.cli import main

    assert main(["demo", "--scale", "small", "-q"]) == 0
    at = _about(AppTest.from_file(APP, default_timeout=TIMEOUT))
    table = next(d.value for d in at.dataframe if "Indikator" in d.value.columns)
    assert set(table["Indikator"]) == {
        "Borgere 80+ (eksempel)",
        "Andel der føler sig meget ensomme (eksempel)",
        "Hjemløse pr. 1.000 borgere (eksempel)",
    }
    assert set(table["Kilde"]) == {"Eksempeldata (genereret)"} and set(table["Kommuner med værdi"]) == {98}


def test_the_page_gives_the_hsds_apis_address_to_share_with_other_directories(small_db):
    at = _about(AppTest.from_file(APP, default_timeout=TIMEOUT))
    text = " ".join(m.value for m in at.markdown)
    assert "Del data med andre registre" in " ".join(h.value for h in at.subheader)
    assert "`/api/hsds/`" in text and "`/api/hsds/openapi.json`" in text  # AppTest has no browser address
    assert "`/api/hsds/services?council_id=aarhus`" in text
