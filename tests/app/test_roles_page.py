"""AppTest for 'Roller': an administrator grants and revokes; a regional only for their councils; a
coordinator of one council is refused."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from civilkort import roles
from civilkort.auth import Principal
from civilkort.store import open_store
from tests.conftest import PROJECT_ROOT

APP = str(PROJECT_ROOT / "app.py")
PAGE = "app_pages/roller.py"


@pytest.fixture
def data(small_db_dir, tmp_path, monkeypatch):
    """The small build, and a store of this test's own (the roles table lives there)."""
    data = tmp_path / "data"
    shutil.copytree(small_db_dir, data, ignore=shutil.ignore_patterns("store.sqlite*"))
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(data))
    return data


def _open(person: Principal) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["principal"] = person
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def test_an_administrator_grants_and_revokes_a_role(data):
    at = _open(Principal("Ane", via="kode", is_admin=True))
    at.selectbox(key="roller_role").set_value("koordinator").run()
    at.text_input(key="roller_email").input("Kim@RM.dk")
    at.selectbox(key="roller_scope").set_value("aarhus")
    at.button[0].click().run()  # the form's 'Tildel'
    assert not at.error, [e.value for e in at.error]
    assert roles.grants_for(open_store(), "kim@rm.dk") == {roles.Grant("koordinator", "aarhus")}
    assert "koordinator, Sundhedsråd Aarhus" in at.dataframe[0].value["Rolle"].tolist()
    at.button(key="roller_revoke_btn").click().run()
    assert roles.grants_for(open_store(), "kim@rm.dk") == frozenset()


def test_a_regional_is_offered_only_their_regions_councils(data):
    at = _open(Principal("Lis", via="login", regions=frozenset({"midtjylland"})))
    assert at.selectbox(key="roller_role").options == ["Koordinator for et sundhedsråd"]
    assert at.selectbox(key="roller_scope").options == [
        "Sundhedsråd Aarhus", "Sundhedsråd Horsens", "Sundhedsråd Kronjylland", "Sundhedsråd Midt",
        "Sundhedsråd Vestjylland",
    ]  # fmt: skip


def test_a_coordinator_of_one_council_is_refused(data):
    at = _open(Principal("Kim", via="login", councils=frozenset({"aarhus"})))
    assert any(
        w.value == "Du er koordinator for Sundhedsråd Aarhus. Roller styres af en national administrator."
        for w in at.warning
    )
    assert not [t for t in at.text_input if t.key == "roller_email"]
    reader = _open(Principal("Lene"))
    assert any("national administrator" in w.value for w in reader.warning)
    assert not [t for t in reader.text_input if t.key == "roller_email"]
