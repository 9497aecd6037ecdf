"""The document around the pages: its title and the script that makes it Danish for assistive technology."""

from __future__ import annotations

from ui import document


def test_the_title_names_the_page_the_area_and_the_product():
    assert (
        document.title("Huller", "Sundhedsråd Aarhus") == "Huller · Sundhedsråd Aarhus · Civilsamfundskortet"
    )
    assert document.title("Roller") == "Roller · Civilsamfundskortet"
