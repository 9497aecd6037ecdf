"""AppTest for every page and the main interactions: area choice, each filter, the URL, lists, errors."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from civilkort import queries
from civilkort.auth import Principal
from civilkort.filters import Selection

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60


@pytest.fixture
def app(small_db, monkeypatch) -> AppTest:
    """The app on the small example database (settings point at it through small_db)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _no_errors(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


def test_landing_page_is_the_map_for_all_of_denmark(app, small_db):
    app.run()
    _no_errors(app)
    assert app.title[0].value == "Kort: Hele Danmark"
    figures = queries.key_figures(small_db, Selection())
    assert _metrics(app)["Organisationer"] == str(figures["organisations"])
    assert any("Eksempeldata" in w.value for w in app.warning)


def test_area_choice_changes_every_count_and_the_url(app, small_db):
    app.run()
    app.sidebar.selectbox(key="sel_area").set_value("council:aarhus").run()
    _no_errors(app)
    assert app.title[0].value == "Kort: Sundhedsråd Aarhus"
    figures = queries.key_figures(small_db, Selection(area="council:aarhus"))
    assert _metrics(app)["Tilbud"] == str(figures["offers"])
    assert app.query_params["omraade"] == "council:aarhus"


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("sel_themes", ["lighed"], "themes"),
        ("sel_target_groups", ["aeldre"], "target_groups"),
        ("sel_prevention_levels", ["primaer"], "prevention_levels"),
        ("sel_organisation_types", ["frivillig_forening"], "organisation_types"),
        ("sel_staffing", ["frivillige"], "staffing"),
        ("sel_statuses", ["aktiv", "pause"], "statuses"),
    ],
)
def test_each_filter_updates_the_counts(app, small_db, key, value, field):
    app.run()
    app.sidebar.multiselect(key=key).set_value(value).run()
    _no_errors(app)
    expected = queries.key_figures(small_db, Selection(**{field: tuple(value)}))
    assert _metrics(app)["Tilbud"] == str(expected["offers"])
    assert _metrics(app)["Organisationer"] == str(expected["organisations"])


def test_referral_and_text_filters(app, small_db):
    app.run()
    app.sidebar.radio(key="sel_referrals").set_value("ja").run()
    app.sidebar.text_input(key="sel_text").input("café").run()
    _no_errors(app)
    expected = queries.key_figures(small_db, Selection(referrals="ja", text="café"))
    assert _metrics(app)["Tilbud"] == str(expected["offers"])
    assert app.query_params["henvisning"] == "ja" and app.query_params["q"] == "café"


def test_a_copied_link_restores_the_selection(small_db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["omraade"] = "region:nordjylland"
    at.query_params["tema"] = "forebyggelse"
    at.run()
    _no_errors(at)
    assert at.title[0].value == "Kort: Region Nordjylland"
    assert at.sidebar.multiselect(key="sel_themes").value == ["forebyggelse"]
    expected = queries.key_figures(small_db, Selection(area="region:nordjylland", themes=("forebyggelse",)))
    assert _metrics(at)["Tilbud"] == str(expected["offers"])


def test_a_malformed_link_falls_back_quietly(small_db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["omraade"] = "<script>alert(1)</script>"
    at.query_params["maal"] = "'; DROP TABLE x"
    at.run()
    _no_errors(at)
    assert at.title[0].value == "Kort: Hele Danmark"


def test_lists_page_shows_the_selection_with_exports(app, small_db):
    app.run()
    app.sidebar.selectbox(key="sel_area").set_value("council:fyn").run()
    app.switch_page("app_pages/lister.py").run()
    _no_errors(app)
    assert app.title[0].value == "Lister: Sundhedsråd Fyn"
    n_orgs = len(queries.organisations(small_db, Selection(area="council:fyn")))
    assert app.tabs[0].label == f"Organisationer ({n_orgs})"
    assert len(app.dataframe[0].value) == n_orgs
    assert len(app.get("download_button")) == 9  # three formats for each of three lists


def test_lists_never_offer_personal_data_to_readers(app):
    app.switch_page("app_pages/lister.py").run()
    _no_errors(app)
    columns = set(app.dataframe[0].value.columns)
    assert "Funktionspostkasse" not in columns and "Kontaktperson" not in columns
    assert not [t for t in app.toggle if t.key.endswith("_personal")]


def test_a_coordinator_asks_for_personal_data_and_sees_only_their_councils(app):
    # a build holds no personal data: they come from the store, for the coordinator's councils only
    app.session_state["principal"] = Principal("Kim", via="kode", councils=frozenset({"fyn"}))
    app.switch_page("app_pages/lister.py").run()
    assert "Kontaktperson" not in set(app.dataframe[0].value.columns)
    app.toggle(key="orgs_personal").set_value(True).run()
    _no_errors(app)
    shown = app.dataframe[0].value
    named = shown[shown["Kontaktperson"] != ""]
    assert len(named) > 0 and len(named) < len(shown)
    assert set(named["Sundhedsråd"]) == {"Sundhedsråd Fyn"}


def _details(app, item, principal=None):
    if principal is not None:
        app.session_state["principal"] = principal
    app.run()
    app.session_state["sel_item"] = item
    app.run()
    _no_errors(app)
    return " ".join(m.value for m in app.markdown)


def test_details_show_the_contact_person_only_to_the_councils_coordinators(small_db):
    orgs = small_db.query(
        "SELECT organisation_id, council_id FROM organisations WHERE has_contact_person AND council_id = 'fyn'"
    )
    item = f"org:{orgs['organisation_id'].iloc[0]}"
    reader = _details(AppTest.from_file(APP, default_timeout=TIMEOUT), item)
    fyn = _details(
        AppTest.from_file(APP, default_timeout=TIMEOUT),
        item,
        Principal("Kim", via="kode", councils=frozenset({"fyn"})),
    )
    aarhus = _details(
        AppTest.from_file(APP, default_timeout=TIMEOUT),
        item,
        Principal("Ea", via="kode", councils=frozenset({"aarhus"})),
    )
    assert "Kontaktperson" in fyn and "Funktionspostkasse" in fyn
    assert "Kontaktperson" not in reader and "Kontaktperson" not in aarhus
    assert "Hjemmeside" in reader  # the panel is there, without the personal fields


def test_partnership_page(app):
    app.switch_page("app_pages/netvaerk.py").run()
    _no_errors(app)
    assert app.title[0].value == "Partnerskaber: Hele Danmark"
    assert len(app.get("plotly_chart")) == 1


def _network_chart(at: AppTest) -> list[dict]:
    return json.loads(at.get("plotly_chart")[0].proto.spec)["data"]


def _outlined(at: AppTest) -> list[str]:
    """The items of the outlined (chosen) node in the network chart."""
    return [
        i
        for t in _network_chart(at)
        if (t.get("marker") or {}).get("line", {}).get("width") == 3
        for i in t["customdata"]
    ]


def test_a_node_chosen_in_the_list_is_highlighted_and_goes_into_the_link(app, small_db):
    nodes, edges = queries.network(small_db, Selection(area="council:midt"))
    hub = nodes.sort_values("n_partners", ascending=False).iloc[0]
    item = f"unit:{hub.node_id}" if hub.kind == "regional_unit" else f"org:{hub.node_id}"
    app.query_params["omraade"] = "council:midt"
    app.switch_page("app_pages/netvaerk.py").run()
    _no_errors(app)
    assert _outlined(app) == [] and app.subheader[0].value == "Flest samarbejder"
    app.selectbox(key="netvaerk_valg").set_value(item).run()
    _no_errors(app)
    assert app.query_params["valgt"] == item
    assert _outlined(app) == [item]
    assert app.subheader[0].value == hub["name"]
    assert _metrics(app)["Partnere"] == str(hub.n_partners)
    partners = app.table[0].value
    assert len(partners) == hub.n_partners and "Fælles samarbejder" in partners.columns
    assert len(app.table[1].value) == hub.n_collaborations
    link = app.get("page_link")[0].proto
    assert link.label == "Se på kortet"
    assert parse_qs(link.query_string) == {"omraade": ["council:midt"], "valgt": [item]}

    app.button(key="netvaerk_luk").click().run()
    _no_errors(app)
    assert "valgt" not in app.query_params and _outlined(app) == []
    assert app.selectbox(key="netvaerk_valg").value is None


def test_a_link_with_a_chosen_node_opens_it_chosen(small_db):
    nodes, _ = queries.network(small_db, Selection(area="council:midt"))
    org = nodes[nodes["kind"] == "organisation"].iloc[0]
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["omraade"] = "council:midt"
    at.query_params["valgt"] = f"org:{org.node_id}"
    at.switch_page("app_pages/netvaerk.py").run()
    _no_errors(at)
    assert _outlined(at) == [f"org:{org.node_id}"]
    assert at.selectbox(key="netvaerk_valg").value == f"org:{org.node_id}"
    assert at.subheader[0].value == org["name"]
    at.run()  # a rerun (as a reload) keeps it
    assert at.query_params["valgt"] == f"org:{org.node_id}" and _outlined(at) == [f"org:{org.node_id}"]


def test_a_chosen_point_that_is_no_node_of_the_network_leaves_it_unchosen(small_db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["valgt"] = "offer:findes-ikke"
    at.switch_page("app_pages/netvaerk.py").run()
    _no_errors(at)
    assert _outlined(at) == [] and at.selectbox(key="netvaerk_valg").value is None


def test_about_page_shows_sources_and_uncertain_rows(app):
    app.switch_page("app_pages/om_data.py").run()
    _no_errors(app)
    text = " ".join(m.value for m in app.markdown)
    assert "56 af 98 kommuners placering bygger på én kilde" in text
    assert "Grænser fra **syntetisk\\-test**" in text  # the test build's boundaries, credited as given


def test_without_a_database_the_app_says_how_to_build_one(tmp_path, monkeypatch):
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "python -m etl demo" in at.info[0].value


def test_an_unexpected_error_is_a_danish_message_not_a_traceback(app, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("intern detalje")

    monkeypatch.setattr(queries, "collaborations", boom)
    st.cache_data.clear()
    app.switch_page("app_pages/lister.py").run()
    assert not app.exception
    assert "Noget gik galt" in app.error[0].value and "intern detalje" not in app.error[0].value


def test_a_new_build_is_picked_up_without_restart(tmp_path, monkeypatch, example_tables):
    """The app re-reads data/current.txt on every run: a finished build shows on the next click."""
    from civilkort.settings import Settings
    from etl.build import build
    from tests.conftest import clean_input

    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(tmp_path))
    cfg = Settings(data_dir=tmp_path, static_dir=tmp_path)
    build(clean_input(example_tables), meta={"is_example": "true"}, cfg=cfg)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    before = _metrics(at)["Samarbejder"]
    fewer = {k: v.copy() for k, v in example_tables.items()}
    fewer["experiences"] = fewer["experiences"].iloc[0:0]
    fewer["collaborations"] = fewer["collaborations"].iloc[:5]
    build(clean_input(fewer), meta={"is_example": "true"}, cfg=cfg)
    at.run()
    _no_errors(at)
    assert _metrics(at)["Samarbejder"] == "5" != before


def test_report_page_makes_pdf_and_xlsx_for_the_chosen_council(app):
    app.query_params["omraade"] = "council:fyn"
    app.run()
    app.switch_page("app_pages/rapport.py").run()
    _no_errors(app)
    assert app.selectbox(key="rapport_council").value == "fyn"
    app.button[0].click().run()
    _no_errors(app)
    assert "Sundhedsråd Fyn" in app.success[0].value
    assert len(app.get("download_button")) == 2


def test_a_map_view_link_is_kept_until_the_area_changes(small_db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["omraade"] = "council:aarhus"
    at.query_params["kort"] = "56.15,10.2,13"
    at.run()
    _no_errors(at)
    assert at.query_params["kort"] == "56.15,10.2,13"
    at.sidebar.multiselect(key="sel_themes").set_value(["lighed"]).run()
    assert at.query_params["kort"] == "56.15,10.2,13"
    at.sidebar.selectbox(key="sel_area").set_value("council:fyn").run()
    assert "kort" not in at.query_params


def test_long_lists_show_their_first_rows_and_say_so(app, monkeypatch):
    from ui import tables

    monkeypatch.setattr(tables, "MAX_SHOWN", 10)
    app.switch_page("app_pages/lister.py").run()
    _no_errors(app)
    assert len(app.dataframe[0].value) == 10
    assert any("Viser de første 10 af" in c.value for c in app.caption)


def _spy_on_the_map(monkeypatch) -> list[dict]:
    """What each run hands st_folium as data layers (the page imports st_folium when it runs)."""
    import streamlit_folium

    from civilkort import maps

    sent: list[dict] = []
    real = streamlit_folium.st_folium

    def spy(fig, **kwargs):
        sent.append(maps.layer_data(kwargs["feature_group_to_add"]))
        return real(fig, **kwargs)

    monkeypatch.setattr(streamlit_folium, "st_folium", spy)
    return sent


def test_the_map_publishes_the_areas_points_once_and_a_filter_change_sends_which_to_show(
    app, small_db, monkeypatch
):
    import base64
    import gzip
    import json

    import numpy as np

    from civilkort import assets, map_legend, map_payload

    sent = _spy_on_the_map(monkeypatch)
    app.run()
    app.sidebar.selectbox(key="sel_area").set_value("council:aarhus").run()
    first = sent[-1][map_legend.LAYER_POINTS]
    app.sidebar.multiselect(key="sel_themes").set_value(["lighed"]).run()
    _no_errors(app)
    payload = sent[-1][map_legend.LAYER_POINTS]
    assert set(payload) == {"src", "n", "keep"} and payload["src"] == first["src"] and payload != first
    path = assets.published_path(payload["src"])
    assert path is not None and path.is_file()
    assert path.name.endswith(".json.gz")
    everything = json.loads(gzip.decompress(path.read_bytes()))
    bits = np.unpackbits(np.frombuffer(base64.b64decode(payload["keep"]), np.uint8), bitorder="little")
    shown = [name for name, bit in zip(map_payload.point_names(everything), bits, strict=False) if bit]
    expected = queries.map_points(small_db, Selection(area="council:aarhus", themes=("lighed",)))
    assert sorted(shown) == sorted(expected["name"])
    # the municipalities' shapes come from a file too: the change sent their values only
    areas = sent[-1][map_legend.LAYER_AREAS]
    assert areas["src"].endswith(".json.gz") and all("g" not in f for f in areas["features"])
    shapes = json.loads(gzip.decompress(assets.published_path(areas["src"]).read_bytes()))
    assert {str(f["c"]) for f in areas["features"]} <= set(shapes["g"])


def test_the_map_sends_its_points_inline_where_the_static_folder_cannot_be_written(
    app, small_db, monkeypatch
):
    from civilkort import assets, map_legend, map_payload
    from ui import data

    sent = _spy_on_the_map(monkeypatch)
    monkeypatch.setattr(assets, "publish", lambda *a, **k: None)
    monkeypatch.setattr(assets, "published_path", lambda *a, **k: None)  # nor one published before
    data._area_files.clear()
    data._runtime.clear()
    app.query_params["omraade"] = "council:fyn"
    app.run()
    _no_errors(app)
    payload = sent[-1][map_legend.LAYER_POINTS]
    assert "src" not in payload and "src" not in sent[-1][map_legend.LAYER_AREAS]
    expected = queries.map_points(small_db, Selection(area="council:fyn"))
    assert sorted(map_payload.point_names(payload)) == sorted(expected["name"])


@pytest.mark.parametrize(
    "script", sorted(p.name for p in (Path(APP).parent / "app_pages").glob("*.py")) + ["app.py"]
)
def test_page_scripts_hold_no_bare_strings_that_streamlit_would_show(script):
    """Streamlit's "magic" writes any bare expression in a page script to the page, a stray attribute
    docstring included (an English one once showed on Huller); docstrings of modules and functions are fine."""
    import ast

    path = Path(APP).parent / ("app_pages" if script != "app.py" else "") / script
    stray = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        documented = isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        for i, statement in enumerate(body):
            bare = isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            if bare and not (i == 0 and documented):
                stray.append((statement.lineno, repr(statement.value.value)[:60]))
    assert stray == [], stray
