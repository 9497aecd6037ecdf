"""Præsentation: step through a guided sequence of views on a projector, and build sequences.

With ``?sekvens=…`` in the URL the page presents (full screen, no sidebar: app.py leaves it out);
without, it lists the sequences and lets a coordinator build them from the current view.
"""

import streamlit as st

from ui import presentation, selection
from ui.notices import run_safely


def page() -> None:
    if presentation.SEQUENCE_PARAM in st.query_params:
        presentation.present()
    else:
        presentation.facilitator(selection.current())


run_safely(page)
