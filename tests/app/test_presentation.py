"""AppTest of the Præsentation page: presenting the default and a saved sequence (no sidebar), next and
previous, a deep link to step 3, stale and unknown links, exit; building a sequence as coordinator (and
being refused without the role); the Flisekort toggle on the Kort page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from civilkort import gaps, queries, sequences
from civilkort.auth import Principal
from civilkort.filters import Selection
from civilkort.sequences import Step
from civilkort.store import Store
from ui import presentation

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "app_pages/praesentation.py"
KORT = "app_pages/kort.py"
TIMEOUT = 60
AARHUS = Selection(area="council:aarhus")
COORD = Principal(name="Karin Koordinator", via="kode", is_admin=True)


@pytest.fixture
def store(small_db, tmp_path, monkeypatch) -> Store:
    """A store of its own for each test (the page's store() points at it)."""
    s = Store(tmp_path / "store.sqlite")
    monkeypatch.setattr(presentation, "store", lambda: s)
    return s


def _open(params: dict[str, str], principal: Principal | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    if principal is not None:
        at.session_state["principal"] = principal
    return at.switch_page(PAGE).run()  # opened directly, as a shared link is


def _no_errors(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def _presenting(at: AppTest, title: str, number: int, total: int) -> None:
    _no_errors(at)
    assert [t.value for t in at.title] == [title]
    assert f"{number} / {total}" in _markdown(at)
    assert at.query_params["trin"] == str(number)
    assert len(at.sidebar) == 0  # no sidebar, banner or filter line while presenting
    assert not at.warning or all("Eksempeldata" not in w.value for w in at.warning)


def test_presenting_the_default_sequence_next_and_previous(store, small_db):
    at = _open({"sekvens": "standard", "omraade": "council:aarhus"})
    _presenting(at, "Overblik", 1, 4)
    figures = queries.key_figures(small_db, AARHUS)
    assert _metrics(at)["Tilbud"] == str(figures["offers"])
    assert at.button(key="ck-prev").disabled

    at.button(key="ck-next").click().run()
    _presenting(at, "Temaer", 2, 4)
    assert at.query_params["visning"] == "temaer" and at.query_params["omraade"] == "council:aarhus"
    by_theme = queries.offers_by_theme(small_db, AARHUS)
    assert _metrics(at)["Temaer uden tilbud"] == str(int((by_theme["n"] == 0).sum()))

    at.button(key="ck-next-pg").click().run()  # Page Down from a presentation clicker
    _presenting(at, "Huller", 3, 4)
    at.button(key="ck-next").click().run()
    _presenting(at, "Samarbejder der udløber", 4, 4)
    assert at.button(key="ck-next").disabled
    at.button(key="ck-prev").click().run()
    _presenting(at, "Huller", 3, 4)


def test_deep_link_to_step_three(store, small_db):
    at = _open({"sekvens": "standard", "omraade": "council:aarhus", "trin": "3"})
    _presenting(at, "Huller", 3, 4)
    matrix = gaps.matrix(small_db, AARHUS, rows="municipality", cols="theme")
    assert _metrics(at)["Huller"] == str(gaps.matrix_summary(matrix)["empty"])
    assert len(at.get("plotly_chart")) == 1


def test_a_link_past_the_end_or_to_a_deleted_sequence_still_presents(store):
    at = _open({"sekvens": "standard", "omraade": "council:aarhus", "trin": "9"})
    _presenting(at, "Samarbejder der udløber", 4, 4)
    assert any("kun 4 trin" in w.value for w in at.warning)
    at = _open({"sekvens": "slettet123", "omraade": "council:fyn", "trin": "2"})
    _presenting(at, "Temaer", 2, 4)
    assert any("findes ikke" in w.value for w in at.warning)
    assert at.query_params["sekvens"] == "standard" and at.query_params["omraade"] == "council:fyn"


def test_presenting_a_saved_sequence_with_every_view_kind(store, small_db):
    steps = [Step(f"Trin {kind}", kind, AARHUS) for kind in sequences.VIEW_KINDS]
    created = sequences.create(store, COORD, "Alle visninger", steps)
    at = _open({"sekvens": created.sequence_id})
    for number, kind in enumerate(sequences.VIEW_KINDS, start=1):
        _presenting(at, f"Trin {kind}", number, len(steps))
        assert at.query_params["visning"] == kind
        if kind == "noegletal":
            organisations = queries.key_figures(small_db, AARHUS)["organisations"]
            assert _metrics(at)["Organisationer"] == str(organisations)
        if number < len(steps):
            at.button(key="ck-next").click().run()


def test_exit_returns_to_normal_mode_with_the_steps_state(store):
    at = _open({"sekvens": "standard", "omraade": "council:aarhus", "trin": "2"})
    at.button(key="ck-exit").click().run()
    _no_errors(at)
    assert [t.value for t in at.title] == ["Præsentation"]
    assert "sekvens" not in at.query_params
    assert at.sidebar.selectbox(key="sel_area").value == "council:aarhus"


def test_building_a_sequence_as_coordinator_and_presenting_it(store, small_db):
    at = _open({"omraade": "council:aarhus"}, principal=COORD)
    _no_errors(at)
    at.text_input(key="praes-new-name").input("Workshop Aarhus").run()
    at.button(key="praes-create-default").click().run()
    _no_errors(at)
    [row] = sequences.list_sequences(store)
    assert (
        row["name"] == "Workshop Aarhus" and row["n_steps"] == 4 and row["created_by"] == "Karin Koordinator"
    )
    ident = row["sequence_id"]

    # Add the current view (a theme filter set in the sidebar) as a tile-map step, then move it first.
    at.sidebar.multiselect(key="sel_themes").set_value(["lighed"]).run()
    at.text_input(key=f"praes-add-title-{ident}").input("Lighed i sundhed").run()
    at.selectbox(key=f"praes-add-kind-{ident}").set_value("flisekort").run()
    at.button(key=f"praes-add-{ident}").click().run()
    _no_errors(at)
    loaded, _ = sequences.load(store, ident)
    assert loaded.steps[-1] == Step(
        "Lighed i sundhed", "flisekort", Selection(area="council:aarhus", themes=("lighed",))
    )
    up = [b for b in at.button if b.key and b.key.startswith(f"praes-up-{ident}-4-")]
    up[0].click().run()
    assert sequences.load(store, ident)[0].steps[3].title == "Lighed i sundhed"
    assert [a["action"] for a in store.history(entity="sequences")] == ["ret trin", "ret trin", "opret"]

    at.button(key=f"praes-start-{ident}").click().run()
    _presenting(at, "Overblik", 1, 5)
    assert at.query_params["sekvens"] == ident


def test_coordinator_code_flow_and_refusal_without_the_role(store, monkeypatch):
    monkeypatch.setenv("CIVILKORT_KOORDINATOR_KODE", "4821-0937")
    at = _open({"omraade": "council:aarhus"})
    _no_errors(at)
    assert not [b for b in at.button if b.key == "praes-create-default"]  # no way to save for a viewer
    assert at.button(key="praes-start-standard")  # presenting is open
    submit = "FormSubmitter:praes-koordinator-form-Log ind som koordinator"
    at.text_input(key="praes-koordinator-name").input("Karin")
    at.text_input(key="praes-koordinator-code").input("forkert")
    at.button(key=submit).click().run()
    assert any("Forkert koordinatorkode" in e.value for e in at.error)
    at.text_input(key="praes-koordinator-code").input("48210937")
    at.button(key=submit).click().run()
    _no_errors(at)
    assert at.button(key="praes-create-default")


def test_kort_page_flisekort_toggle(small_db):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["omraade"] = "council:aarhus"
    at.run()
    _no_errors(at)
    assert at.toggle(key="kort_flisekort").value is False  # boundaries are loaded: the map first
    at.toggle(key="kort_flisekort").set_value(True).run()
    _no_errors(at)
    [chart] = at.get("plotly_chart")[:1]
    assert '"tile_map":true' in chart.proto.spec.replace(" ", "")
