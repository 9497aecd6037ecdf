"""The room's browser scripts survive st.html's sanitiser, and the projector link points at Præsentation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ui import projector, workshop_session

ASSETS = Path(workshop_session.__file__).parent / "assets"


@pytest.mark.parametrize("name", ["workshop_draft.js", "scroll_into_view.js"])
def test_the_scripts_survive_the_sanitiser_of_st_html(name):
    # DOMPurify (st.html) drops a script whose text has "<" before a letter or "/": it would never run
    assert re.search(r"<[/\w]", (ASSETS / name).read_text(encoding="utf-8")) is None


def test_the_projector_link_is_the_presentation_page_beside_the_workshop_page_with_only_the_token():
    assert (
        projector.projector_link("https://kort.rm.dk/civil/workshop?deltag=1#x", "abc.def")
        == "https://kort.rm.dk/civil/praesentation?projektor=abc.def"
    )
    assert (
        projector.projector_link("http://127.0.0.1:8501/workshop", "t")
        == "http://127.0.0.1:8501/praesentation?projektor=t"
    )
