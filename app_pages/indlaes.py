"""Indlæs data: a coordinator uploads files, sees every error and what would change, then builds."""

import streamlit as st

from civilkort.auth import COORDINATOR
from ui import auth, upload
from ui.notices import run_safely


def page() -> None:
    st.title("Indlæs data")
    person = auth.require(COORDINATOR, what="Her indlæser koordinatorer nye data.")
    upload.outcome()
    upload.serving_line()
    st.markdown(
        "Upload den udfyldte skabelon eller CSV-filer. Du ser først **alle fejl** (fil, ark, række og kolonne) "
        "og **hvad der ændres**; databasen bygges først, når du trykker *Byg databasen*. Går noget galt, "
        "bruges de hidtidige data fortsat."
    )
    upload.template_button()
    files = upload.choose_files()
    check = upload.checked(person, files)
    if check is not None:
        upload.findings(check)
        upload.preview(check)
        upload.build_section(check, person)
    upload.history()


run_safely(page)
