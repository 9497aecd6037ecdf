"""AppTest for 'Mulige dubletter': the count and the lock for viewers; deciding, undoing and applying."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from civilkort import duplicates as dup
from civilkort.auth import Principal
from civilkort.db import Database, current_path
from civilkort.filters import Selection
from civilkort.settings import Settings
from civilkort.store import open_store
from etl.build import build
from tests.civilkort.test_duplicates import duplicate_tables
from tests.conftest import PROJECT_ROOT, clean_input

APP = str(PROJECT_ROOT / "app.py")
PAGE = "app_pages/dubletter.py"
TIMEOUT = 60


@pytest.fixture(scope="module")
def built(tmp_path_factory, example_tables, tiny_boundaries):
    """A data folder with the small example data plus three pairs of duplicates (built once)."""
    data = tmp_path_factory.mktemp("dubletter")
    cfg = Settings(data_dir=data, static_dir=PROJECT_ROOT / "static")
    build(clean_input(duplicate_tables(example_tables)), boundaries=tiny_boundaries, cfg=cfg)
    return data


@pytest.fixture
def cfg(built, tmp_path, monkeypatch) -> Settings:
    """A fresh copy of that folder (the page writes decisions and may rebuild)."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(built, data)
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(data))
    monkeypatch.setenv("CIVILKORT_KOORDINATOR_KODE", "hemmelig-kode")
    return Settings(data_dir=data, static_dir=PROJECT_ROOT / "static")


def _open(principal: Principal | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if principal is not None:
        at.session_state["principal"] = principal  # what ui.auth.set_current stores
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _button(at: AppTest, label: str, n: int = 0):
    return [b for b in at.button if b.label == label][n]


def _candidates(cfg: Settings):
    db = Database(current_path(cfg))
    try:
        return dup.candidates(db, Selection())
    finally:
        db.close()


def test_a_viewer_sees_the_count_and_the_lock_but_no_decisions(cfg):
    at = _open()
    assert at.title[0].value == "Mulige dubletter"
    assert _metrics(at)["Mulige dubletter"] == str(len(_candidates(cfg)))
    assert any("koordinatoradgang" in w for w in _texts(at.warning))
    assert not [
        b for b in at.button if b.label in ("Hold adskilt", "Anvend nu", "Fortryd seneste beslutning")
    ]
    assert not any("Ældre Sagen Aarhus" in m for m in _texts(at.markdown))


def test_a_coordinator_logs_in_with_the_code_and_sees_the_pairs_side_by_side(cfg):
    at = _open()
    next(t for t in at.text_input if t.label == "Dit navn").input("Kim")
    next(t for t in at.text_input if t.label == "Koordinatorkode").input("hemmelig-kode")
    _button(at, "Log ind som koordinator").click().run()
    assert not at.exception, at.exception
    markdown = "\n".join(_texts(at.markdown))
    assert "Ældre Sagen Aarhus" in markdown and "ÆldreSagen, Århus" in markdown
    assert "samme CVR, navne ens \\(100 %\\)" in markdown
    assert "\\*\\*Hjerteløb\\*\\* forening" in markdown  # the data's own Markdown is escaped
    assert "Kilde: hand\\-made, ark Organisationer, række" in markdown
    assert {b.label for b in at.button} >= {"Flet – behold venstre", "Flet – behold højre", "Hold adskilt"}


def test_the_reason_and_area_filters(cfg):
    at = _open(Principal("Kim", via="kode", is_admin=True))
    total = int(_metrics(at)["Mulige dubletter"])
    at.button_group(key="dup_reasons").set_value(["same_address"]).run()
    assert int(_metrics(at)["Mulige dubletter"]) == len(
        dup.candidates(Database(current_path(cfg)), Selection(), ["same_address"])
    )
    assert int(_metrics(at)["Mulige dubletter"]) < total
    at.button_group(key="dup_reasons").set_value([]).run()
    at.sidebar.selectbox(key="sel_area").set_value("council:aarhus").run()
    expected = dup.candidates(Database(current_path(cfg)), Selection(area="council:aarhus"))
    assert int(_metrics(at)["Mulige dubletter"]) == len(expected)
    assert "Ældre Sagen Aarhus" in "\n".join(_texts(at.markdown))
    assert "Foreningen Hjerteløb" not in "\n".join(_texts(at.markdown))


def test_a_coordinator_keeps_a_pair_apart_and_undoes_it(cfg):
    at = _open(Principal("Kim", via="kode", is_admin=True))
    first = _candidates(cfg).iloc[0]
    before = int(_metrics(at)["Mulige dubletter"])
    _button(at, "Hold adskilt", 0).click().run()
    assert not at.exception, at.exception
    assert any("holdes adskilt" in s for s in _texts(at.success))
    decided = dup.decisions(open_store(cfg))
    assert list(decided["pair_key"]) == [first["pair_key"]] and decided.iloc[0]["decided_by"] == "Kim"
    assert int(_metrics(at)["Mulige dubletter"]) == before - 1
    assert any("ikke anvendt" in c for c in _texts(at.caption))
    _button(at, "Fortryd seneste beslutning").click().run()
    assert any("Fortrudt" in s for s in _texts(at.success))
    assert dup.decisions(open_store(cfg)).empty
    assert int(_metrics(at)["Mulige dubletter"]) == before


def test_merge_and_apply_now_takes_effect_right_away(cfg):
    at = _open(Principal("Kim", via="kode", is_admin=True))
    old = current_path(cfg)
    rows = _candidates(cfg)
    i = list(rows["pair_key"]).index("DUP-A1|DUP-A2")
    _button(at, "Flet – behold venstre", i).click().run()
    decided = dup.decisions(open_store(cfg)).iloc[0]
    assert (decided["decision"], decided["keep_key"]) == (dup.MERGE, "DUP-A1")
    _button(at, "Anvend nu").click().run()
    assert not at.exception, at.exception
    assert any("1 post flettet" in s for s in _texts(at.success)), _texts(at.success) + _texts(at.error)
    assert current_path(cfg) != old
    db = Database(current_path(cfg))
    assert db.scalar("SELECT count(*) FROM organisations WHERE organisation_id = 'DUP-A2'") == 0
    assert "DUP-A1|DUP-A2" not in set(dup.candidates(db, Selection())["pair_key"])
    assert any("Alle beslutninger er anvendt" in c for c in _texts(at.caption))


def test_a_failed_apply_says_so_in_danish_and_keeps_the_data(cfg, monkeypatch):
    import etl.rebuild
    from etl.build import BuildError

    def fail(**_):
        raise BuildError("Den nye database bestod ikke datatjekket: prøve")

    monkeypatch.setattr(etl.rebuild, "rebuild", fail)
    at = _open(Principal("Kim", via="kode", is_admin=True))
    old = current_path(cfg)
    _button(at, "Anvend nu").click().run()
    assert not at.exception, at.exception
    assert any("Data kunne ikke bygges" in e and "hidtidige data" in e for e in _texts(at.error))
    assert current_path(cfg) == old
