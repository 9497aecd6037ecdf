"""Civilsamfundskortet: entry point (page config, shared sidebar, navigation).

Run with ``make run`` (``streamlit run serve.py``: this script, its frontend compressed, warmed at start).
Page scripts live in ``app_pages/``, not ``pages/``: Streamlit runs a folder named ``pages/`` with its legacy multipage mechanism on a fresh
server's first run, bypassing this file's navigation and shared sidebar (a deep link would break).
"""

from pathlib import Path

import streamlit as st

from ui import auth, document, downloads, presentation, projector, selection, timing
from ui.data import database
from ui.notices import provenance_banner
from ui.text import md

started = timing.start()
downloads.install()  # a clicked download's file must outlive other sessions' runs (see ui/downloads.py)
st.set_page_config(
    page_title="Civilsamfundskortet",
    page_icon=str(Path(__file__).parent / "ui" / "assets" / "favicon.png"),
    layout="wide",
    # Open on a laptop or projector, closed on a phone (where it would cover the page until closed).
    initial_sidebar_state="auto",
)

db = database()
projector.arrive()  # a projector link: this screen presents the workshop's area, read-only (ui/projector.py)
pages = {
    "Kortlægning": [
        st.Page("app_pages/kort.py", title="Kort", icon=":material/map:", default=True),
        st.Page("app_pages/soeg.py", title="Søg", icon=":material/search:"),
        st.Page("app_pages/find_tilbud.py", title="Find et tilbud", icon=":material/person_pin_circle:"),
        st.Page("app_pages/lister.py", title="Lister og eksport", icon=":material/table_view:"),
        st.Page("app_pages/netvaerk.py", title="Partnerskaber", icon=":material/hub:"),
        st.Page("app_pages/huller.py", title="Huller", icon=":material/grid_on:"),
        st.Page("app_pages/sammenlign.py", title="Sammenlign sundhedsråd", icon=":material/compare_arrows:"),
        st.Page("app_pages/samarbejder.py", title="Samarbejdsradar", icon=":material/timeline:"),
        st.Page("app_pages/rapport.py", title="Rapport til mødet", icon=":material/picture_as_pdf:"),
        # One record each, reached by its link (the map's details, Søg, a pasted link), not from the page list.
        st.Page(
            "app_pages/organisation.py",
            title="Organisation",
            icon=":material/corporate_fare:",
            visibility="hidden",
        ),
        st.Page(
            "app_pages/tilbud.py", title="Tilbud", icon=":material/event_available:", visibility="hidden"
        ),
        # An organisation's own update form, reached by the signed link in a 'bed om opdatering' e-mail.
        st.Page(
            "app_pages/opdater.py",
            title="Opdater jeres oplysninger",
            icon=":material/edit_note:",
            visibility="hidden",
        ),
    ],
    "Workshop": [
        st.Page("app_pages/praesentation.py", title="Præsentation", icon=":material/slideshow:"),
        st.Page("app_pages/workshop.py", title="Workshop", icon=":material/groups:"),
        st.Page("app_pages/gennemgang.py", title="Gennemgang", icon=":material/fact_check:"),
        st.Page("app_pages/foer_efter.py", title="Før og efter", icon=":material/difference:"),
    ],
    "Data": [
        st.Page("app_pages/om_data.py", title="Om data", icon=":material/info:"),
        st.Page("app_pages/indlaes.py", title="Indlæs data", icon=":material/upload_file:"),
        st.Page("app_pages/dubletter.py", title="Mulige dubletter", icon=":material/content_copy:"),
        st.Page("app_pages/roller.py", title="Roller", icon=":material/admin_panel_settings:"),
    ],
}
# expanded=True: all 18 listed pages stay listed (by default Streamlit folds the list after 10, hiding "Data").
page = st.navigation(pages, expanded=True)
# Find et tilbud searches from the citizen's home, and a record's page shows one record: their titles name no
# area. Søg searches the sidebar's area (unless told otherwise), so its title names it.
shows_an_area = {p.title for p in pages["Kortlægning"] if p.visibility == "visible"} - {"Find et tilbud"} | {
    "Præsentation"
}
# Pages the sidebar's filters do not apply to: the line under the banner says so instead of listing them.
ignores_filters = {"Søg", "Find et tilbud", "Organisation", "Tilbud", "Opdater jeres oplysninger"}
if presentation.is_presenting(page):
    document.describe(page.title, selection.current().area_name())
    auth.keep_session()  # a projector screen's cookie is written here (no sidebar while presenting)
    page.run()  # full screen for the room: no sidebar, banner or filter line; the URL holds the step
else:
    with st.sidebar:
        auth.status_line()  # who is signed in here (login, coordinator code or workshop code), and a way out
    sel = selection.sidebar()
    document.describe(page.title, sel.area_name() if page.title in shows_an_area else None)
    provenance_banner(db)
    # Always one line here, so that setting the first filter does not move (and remount) the map below.
    if page.title in ignores_filters:
        st.caption(":material/filter_alt_off: Sidepanelets filtre gælder ikke på denne side.")
    else:
        st.caption(
            f":material/filter_alt: **Filtre:** {md(selection.active_filters(sel) or 'ingen (alle aktive tilbud)')}"
        )
    page.run()
    selection.sync_url()  # the page may have focused a point or municipality: keep the link current
timing.done(started, page.title)
