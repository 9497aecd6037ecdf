"""Mulige dubletter: pairs the build found; a coordinator merges them or keeps them apart."""

import streamlit as st

from civilkort import duplicates
from civilkort.auth import COORDINATOR
from civilkort.store import open_store
from ui import auth, selection
from ui import duplicates as review
from ui.data import database
from ui.notices import run_safely


def page() -> None:
    db = database()
    sel = selection.current()
    st.title("Mulige dubletter")
    st.caption(
        f"{sel.area_name()}. Organisationer (og regionale enheder), der kan være den samme, fundet ved "
        "indlæsningen: samme CVR-nummer, navne der er ens, når store/små bogstaver, tegnsætning, æøå og ord "
        "som *forening* og *afdeling* ses bort fra, eller samme adresse. Beslutningen huskes ved næste "
        "indlæsning."
    )
    review.message()
    if not duplicates.available(db):
        st.info(
            "Databasen er bygget med en ældre version, der ikke ledte efter dubletter. Byg data igen "
            "(fx med *Anvend nu* herunder eller en ny indlæsning), så vises mulige dubletter her.",
            icon=":material/info:",
        )
    store = open_store()
    reasons = review.reason_filter()
    todo, waiting = duplicates.pending(duplicates.candidates(db, sel, reasons), duplicates.decisions(store))
    review.summary(todo, waiting)
    person = auth.require(COORDINATOR, what="At flette dubletter eller holde dem adskilt.")
    review.decisions_section(store, db, person)
    review.pair_list(store, todo)


run_safely(page)
