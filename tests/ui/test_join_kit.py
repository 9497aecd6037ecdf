"""The workshop's join kit: the link names the workshop only, on the page the browser is on."""

from __future__ import annotations

from ui import join_kit


def test_the_link_keeps_host_prefix_and_page_and_names_only_the_workshop():
    link = join_kit.join_link("https://kort.rm.dk/civil/workshop?omraade=council:aarhus&kode=1#x", "ws-7")
    assert link == "https://kort.rm.dk/civil/workshop?deltag=ws-7"


def test_the_qr_code_is_a_png_that_grows_with_the_link():
    short = join_kit.qr_png("https://a.dk/workshop?deltag=1")
    long = join_kit.qr_png("https://kort.region.dk/civilsamfundskortet/workshop?deltag=" + "x" * 120)
    assert short.startswith(b"\x89PNG\r\n\x1a\n") and long.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(long) > len(short)  # more modules for more data


def test_from_the_presentation_page_the_link_still_opens_the_workshop_page():
    link = join_kit.join_link("https://kort.rm.dk/civil/praesentation?sekvens=standard&trin=1", "ws-7")
    assert link == "https://kort.rm.dk/civil/workshop?deltag=ws-7"
    assert (
        join_kit.join_link("http://127.0.0.1:8501/praesentation", "w")
        == "http://127.0.0.1:8501/workshop?deltag=w"
    )
