"""The document around the pages: its title and the script that makes it Danish for assistive technology."""

from __future__ import annotations

import re

from ui import document


def test_the_title_names_the_page_the_area_and_the_product():
    assert (
        document.title("Huller", "Sundhedsråd Aarhus") == "Huller · Sundhedsråd Aarhus · Civilsamfundskortet"
    )
    assert document.title("Roller") == "Roller · Civilsamfundskortet"


def test_the_script_survives_the_sanitiser_of_st_html():
    # DOMPurify (st.html) removes an element whose text has "<" before a letter or "/" (its guard against
    # mutation XSS): the script would then silently never run.
    text = document._script()
    assert "civilkortDanish" in text
    assert re.search(r"<[/\w]", text) is None
