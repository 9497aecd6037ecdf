"""AppTest for the Organisation and Tilbud pages (``?id=…``) and Søg, on the small example data plus a few
hand-made records: one with hostile text, one whose name the search must find however it is spelled."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import clean_input, typed_rows
from ui.text import md

APP = str(Path(__file__).resolve().parents[2] / "app.py")
ORG_PAGE, OFFER_PAGE, SEARCH_PAGE = "app_pages/organisation.py", "app_pages/tilbud.py", "app_pages/soeg.py"
HOSTILE = '<img src=x onerror="alert(1)"> **fed** [klik](javascript:alert(1)) `kode`'
CVR = "12345678"


@pytest.fixture(scope="module")
def records_dir(tmp_path_factory, example_tables, tiny_boundaries) -> Path:
    from civilkort.settings import Settings
    from etl.build import build

    ex = example_tables
    org = {"organisation_type": "frivillig_forening", "source": "Håndlavet"}
    extra_orgs = typed_rows(
        ex["organisations"],
        [
            {
                "organisation_id": "ORG-ONDT",
                "name": HOSTILE,
                "description": f"Beskrivelse: {HOSTILE}",
                "municipality": 751,
                "postcode": "8000",
                "city": "Aarhus C",
                **org,
            },
            {
                "organisation_id": "ORG-AABENRAA",
                "name": "Ældre Sagen Åbenrå",
                "cvr": CVR,
                "municipality": 580,
                "postcode": "6200",
                "city": "Aabenraa",
                "address": "Storegade 1",
                **org,
            },
        ],
        "Organisationer",
    )
    extra_offers = typed_rows(
        ex["offers"],
        [
            {
                "offer_id": "T-ONDT",
                "organisation_id": "ORG-ONDT",
                "name": HOSTILE,
                "description": HOSTILE,
                "themes": ["forebyggelse"],
                "schedule": HOSTILE,
            },
            {
                "offer_id": "T-GAA",
                "organisation_id": "ORG-AABENRAA",
                "name": "Gåtur for ældre",
                "themes": ["forebyggelse"],
                "target_groups": ["aeldre"],
            },
        ],
        "Tilbud",
    )
    tables = dict(ex)
    tables["organisations"] = pd.concat([ex["organisations"], extra_orgs], ignore_index=True)
    tables["offers"] = pd.concat([ex["offers"], extra_offers], ignore_index=True)
    path = tmp_path_factory.mktemp("records-db")
    cfg = Settings(data_dir=path, static_dir=Path(APP).parent / "static")
    build(clean_input(tables), boundaries=tiny_boundaries, meta={"is_example": "true"}, cfg=cfg)
    return path


@pytest.fixture
def at(records_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(records_dir))
    return AppTest.from_file(APP, default_timeout=60)


def _open(at: AppTest, page: str, ident: str | None) -> AppTest:
    if ident is not None:
        at.query_params["id"] = ident
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]
    return at


def _text(at: AppTest) -> str:
    return "\n".join(m.value for m in [*at.markdown, *at.caption, *at.title, *at.warning, *at.info])


def test_organisation_page_shows_everything_known_and_keeps_its_link(at):
    _open(at, ORG_PAGE, "ORG-AABENRAA")
    assert at.title[0].value == "Ældre Sagen Åbenrå"
    text = _text(at)
    for fact in (f"**CVR:** {CVR}", "Storegade 1, 6200 Aabenraa", "Aabenraa \\(", "**Kilde:** Håndlavet"):
        assert fact in text, fact
    assert "**Sidst verificeret:** aldrig" in text
    assert "**Tilbud (1)**" in text and "Samarbejder (0)" in text
    assert at.query_params["id"] == "ORG-AABENRAA"  # the selection written into the URL keeps the record


def test_offer_page_shows_the_offer_and_its_organisation(at):
    _open(at, OFFER_PAGE, "T-GAA")
    assert at.title[0].value == "Gåtur for ældre"
    text = _text(at)
    assert "**Organisation:** Ældre Sagen Åbenrå" in text
    assert "**Målgrupper:** Ældre" in text
    assert at.query_params["id"] == "T-GAA"


@pytest.mark.parametrize(
    ("page", "title"), [(ORG_PAGE, "Organisationen findes ikke"), (OFFER_PAGE, "Tilbuddet findes ikke")]
)
def test_an_unknown_id_gets_a_danish_message(at, page, title):
    _open(at, page, "FINDES-IKKE")
    assert at.title[0].value == title
    assert "`FINDES-IKKE`" in at.warning[-1].value


def test_a_link_without_id_says_so(at):
    _open(at, ORG_PAGE, None)
    assert at.title[0].value == "Organisationen findes ikke"
    assert "mangler id" in at.info[-1].value


def test_a_hostile_id_is_shown_as_text(at):
    _open(at, ORG_PAGE, "<script>alert(1)</script>`")
    warning = at.warning[-1].value
    assert "<script>" in warning and warning.count("``") == 2  # inside inline code, fenced past its backtick


@pytest.mark.parametrize(("page", "ident"), [(ORG_PAGE, "ORG-ONDT"), (OFFER_PAGE, "T-ONDT")])
def test_hostile_text_is_escaped(at, page, ident):
    _open(at, page, ident)
    assert at.title[0].value == md(HOSTILE)
    text = _text(at)
    assert "<img" not in text.replace("\\<img", "")  # every < escaped
    assert "[klik]" not in text.replace("\\[klik\\]", "")  # no link made from the data


def test_se_paa_kortet_opens_the_map_with_the_record_chosen(at):
    _open(at, ORG_PAGE, "ORG-AABENRAA")
    at.button(key="record_on_map").click().run()
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("Kort: Sundhedsråd")
    assert at.session_state["sel_item"] == "org:ORG-AABENRAA"
    assert at.query_params["valgt"] == "org:ORG-AABENRAA"
    assert "Ældre Sagen Åbenrå" in [s.value for s in at.subheader]  # the details panel is open


def _search(at: AppTest, words: str) -> list[str]:
    if not at.text_input:
        _open(at, SEARCH_PAGE, None)
    at.text_input(key="soeg_tekst").set_value(words).run()
    assert not at.exception, at.exception
    return [
        c.value
        for c in at.caption
        if " · " in c.value and not c.value.startswith(("Data bygget", ":material"))
    ]


@pytest.mark.parametrize(
    "words",
    [
        "Ældre Sagen Åbenrå",
        "aeldre sagen aabenraa",
        "AELDRE SAGEN ÅBENRAA",
        "Aeldre Sagn Aabenra",
        CVR,
        "12 34 56 78",
    ],
)
def test_search_finds_the_organisation_however_it_is_spelled(at, words):
    found = _search(at, words)
    assert found, f"intet fundet for {words!r}"
    assert found[0].startswith("Organisation · 6200 Aabenraa"), found[:3]
    assert at.query_params["soeg"] == words  # a search is a link


def test_search_finds_offers_by_place_and_says_when_nothing_matches(at):
    _search(at, "gåtur 6200")
    assert any(c.value.startswith("Tilbud · hos Ældre Sagen Åbenrå") for c in at.caption)
    _search(at, "qqqzzz")
    assert "Intet fundet" in at.info[-1].value


def test_search_results_escape_hostile_text(at):
    _search(at, "onerror alert")
    assert not any("<img" in c.value.replace("\\<img", "") for c in at.caption)


def test_search_keeps_to_the_sidebars_area_and_says_what_lies_outside(at):
    at.query_params["omraade"] = "council:aarhus"  # Ældre Sagen Åbenrå is in Sønderjylland's council
    _open(at, SEARCH_PAGE, None)
    assert "Sundhedsråd Aarhus" in _text(at)  # the page says where it searches
    assert _search(at, "Ældre Sagen Åbenrå") == []
    outside = [c.value for c in at.caption if "uden for Sundhedsråd Aarhus" in c.value]
    assert outside and "2 resultater mere" in outside[0], outside  # the organisation and its offer
    at.button(key="soeg-udvid").click().run()
    assert at.toggle(key="soeg_hele_landet").value is True
    found = [c.value for c in at.caption if c.value.startswith("Organisation · 6200 Aabenraa")]
    assert found, [c.value for c in at.caption]
    assert at.query_params["omraade"] == "council:aarhus"  # the sidebar's area is left as it was
    at.toggle(key="soeg_hele_landet").set_value(False).run()
    assert _search(at, "Ældre Sagen Åbenrå") == []  # back to the area


def test_search_in_the_records_own_area_finds_it_with_nothing_said_about_elsewhere(at):
    at.query_params["omraade"] = "council:soenderjylland"
    found = _search(at, "Ældre Sagen Åbenrå")
    assert found and found[0].startswith("Organisation · 6200 Aabenraa"), found
    assert not [c.value for c in at.caption if "uden for" in c.value]
