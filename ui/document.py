"""The document around the pages: a title per page, and Danish as the language assistive technology hears.

Streamlit serves every page as ``<html lang="en">`` with one document title and some English names of its own
controls; ``ui/assets/document_da.js`` (run in the app's own document) sets ``lang="da"``, gives those controls
Danish names and repairs the page list's list markup. See its header for why each is needed.
"""

from __future__ import annotations

import streamlit as st

from ui import browser

PRODUCT = "Civilsamfundskortet"


def title(page: str, area: str | None = None) -> str:
    """The browser tab's title: the page, the area it shows (if it shows one) and the product."""
    return " · ".join(part for part in (page, area, PRODUCT) if part)


def describe(page: str, area: str | None = None) -> None:
    """Title the document after this page (and area), and keep it Danish for assistive technology.

    Call once per run, in one fixed place above the page. The script sits in a container that takes no room
    (so nothing on the page moves), in the main area: a phone's closed sidebar does not draw its content."""
    st.set_page_config(page_title=title(page, area))
    browser.run("document_da.js", "civilkortDanish.install", hidden="document")
    browser.style("phone.css")
