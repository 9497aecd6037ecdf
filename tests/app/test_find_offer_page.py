"""AppTest for Find et tilbud: a postcode gives the nearest offers, an unknown one a Danish message, a hostile
offer name stays text, and the handout PDF holds the chosen offers and nothing of the citizen."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from tests.conftest import clean_input, typed_rows
from ui.text import md

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "app_pages/find_tilbud.py"
HOSTILE = '<img src=x onerror="alert(1)"> **fed** [klik](javascript:alert(1))'
CITIZEN = "8200"
"""The citizen's postcode (Aarhus N): the hand-made offers are held at 8000, so the handout's text is free of it."""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, example_tables, tiny_boundaries) -> Path:
    from civilkort.settings import Settings
    from etl.build import build

    ex = example_tables
    orgs = typed_rows(
        ex["organisations"],
        [
            {
                "organisation_id": "ORG-ONDT",
                "name": "Foreningen Åben Dør",
                "organisation_type": "frivillig_forening",
                "municipality": 751,
                "address": "Klostergade 1",
                "postcode": "8000",
                "city": "Aarhus C",
                "website": "https://aaben-doer.example.dk",
            }
        ],
        "Organisationer",
    )
    common = {"organisation_id": "ORG-ONDT", "themes": ["forebyggelse"], "target_groups": ["aeldre"],
              "accepts_social_referrals": True, "status": "aktiv", "cost": "Gratis"}  # fmt: skip
    offers = typed_rows(
        ex["offers"],
        [
            {"offer_id": "T-ONDT", "name": HOSTILE, "schedule": "Mandage kl. 10-12", **common},
            {"offer_id": "T-GAA", "name": "Gåtur ved åen", "schedule": "Tirsdage kl. 10", **common},
        ],
        "Tilbud",
    )
    tables = dict(ex)
    tables["organisations"] = pd.concat([ex["organisations"], orgs], ignore_index=True)
    tables["offers"] = pd.concat([ex["offers"], offers], ignore_index=True)
    path = tmp_path_factory.mktemp("find-offer-db")
    cfg = Settings(data_dir=path, static_dir=Path(APP).parent / "static")
    build(clean_input(tables), boundaries=tiny_boundaries, meta={"is_example": "true"}, cfg=cfg)
    return path


@pytest.fixture
def at(data_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(data_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(PAGE).run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


def _search(at: AppTest, postcode: str) -> AppTest:
    at.text_input(key="fo_postcode").input(postcode).run()
    _ok(at)
    return at


def test_a_postcode_gives_the_nearest_offers_with_distance_and_contact(at):
    _search(at, CITIZEN)
    text = "\n".join(m.value for m in at.markdown)
    assert "luftlinje" in text and "inden for 10 km" in text
    assert f"**{md('Gåtur ved åen')}**" in [link.proto.label for link in at.get("page_link")]
    assert md("Foreningen Åben Dør") in text and md("Klostergade 1, 8000 Aarhus C") in text
    assert [s.value for s in at.subheader][:1] == ["Tæt på"]
    assert "Dækker hele området" in [s.value for s in at.subheader]


def test_an_address_searches_from_its_postcode_and_says_it_is_not_looked_up(at):
    _search(at, f"Klostergade 1, {CITIZEN} Aarhus C")
    assert any(f"postnummer {CITIZEN}s midtpunkt" in c.value for c in at.caption)
    assert f"**{md('Gåtur ved åen')}**" in [link.proto.label for link in at.get("page_link")]


def test_filters_narrow_the_offers(at):
    _search(at, CITIZEN)
    before = len(at.get("page_link"))
    at.multiselect(key="fo_groups").select("aeldre").run()
    at.selectbox(key="fo_weekday").select("tirsdag").run()
    _ok(at)
    labels = [link.proto.label for link in at.get("page_link")]
    assert (
        f"**{md('Gåtur ved åen')}**" in labels and f"**{md(HOSTILE)}**" not in labels
    )  # the hostile one is on Mondays
    assert len(labels) < before


@pytest.mark.parametrize(("postcode", "says"), [("0001", "findes ikke"), ("abcd", "fire cifre")])
def test_an_unknown_postcode_gets_a_danish_message(at, postcode, says):
    _search(at, postcode)
    assert says in at.warning[-1].value
    assert not at.get("page_link") or "luftlinje" not in "\n".join(m.value for m in at.markdown)


def test_a_hostile_offer_name_is_text(at):
    _search(at, CITIZEN)
    labels = [link.proto.label for link in at.get("page_link")]
    assert f"**{md(HOSTILE)}**" in labels
    inner = [label.removeprefix("**").removesuffix("**") for label in labels]  # the name in bold
    assert not any(re.search(r"(?<!\\)[<\[*]", name) for name in inner)  # every mark-up sign escaped


@pytest.fixture
def made(monkeypatch) -> dict:
    """Each download's deferred maker by its file id (AppTest's runtime lives only during a run)."""
    makers: dict = {}
    add = MediaFileManager.add_deferred

    def spy(self, maker, *args, **kwargs):
        file_id = add(self, maker, *args, **kwargs)
        makers[file_id] = maker
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return makers


def _pdf(at: AppTest, made: dict) -> str:
    """The text of the handout a click on the page's download button makes."""
    (button,) = at.get("download_button")
    content = made[button.proto.deferred_file_id]()  # the click
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def test_the_handout_holds_the_chosen_offers_and_not_the_postcode(at, made):
    _search(at, CITIZEN)
    assert not at.get("download_button")  # nothing chosen yet
    at.checkbox(key="fo-pick-T-GAA").check().run()
    at.checkbox(key="fo-pick-T-ONDT").check().run()
    _ok(at)
    text = _pdf(at, made)
    assert "Gåtur ved åen" in text and " ".join(HOSTILE.split()) in text
    assert "Foreningen Åben Dør" in text and "Klostergade 1" in text
    assert CITIZEN not in text and "luftlinje" not in text
    page_text = "\n".join(c.value for c in at.caption)
    assert "Der gemmes intet om borgeren" in page_text


def test_the_map_way_asks_for_a_click_and_finds_from_the_pin(at):
    at.radio(key="fo_how").set_value("kort").run()
    _ok(at)
    assert any("Klik på kortet" in c.value for c in at.caption) and not at.get("page_link")
    at.session_state["fo_pin"] = (56.1629, 10.2039)  # what a click in Aarhus sets
    at.run()
    _ok(at)
    assert "Tæt på" in [s.value for s in at.subheader]
    at.session_state["fo_pin"] = (52.5, 13.4)  # Berlin
    at.run()
    assert "uden for Danmark" in at.warning[-1].value
