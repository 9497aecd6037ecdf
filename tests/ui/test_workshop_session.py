"""The projector link points at Præsentation."""

from __future__ import annotations

from ui import projector


def test_the_projector_link_is_the_presentation_page_beside_the_workshop_page_with_only_the_token():
    assert (
        projector.projector_link("https://kort.rm.dk/civil/workshop?deltag=1#x", "abc.def")
        == "https://kort.rm.dk/civil/praesentation?projektor=abc.def"
    )
    assert (
        projector.projector_link("http://127.0.0.1:8501/workshop", "t")
        == "http://127.0.0.1:8501/praesentation?projektor=t"
    )
