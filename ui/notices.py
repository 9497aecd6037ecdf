"""Where the data comes from, shown on every page; and the one place errors are rendered."""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from civilkort import danish
from civilkort.db import Database
from civilkort.store import StoreError
from ui.text import md

log = logging.getLogger("civilkort.app")


def is_example(db: Database) -> bool:
    """True when the current build is example data."""
    return db.meta().get("is_example") == "true"


def provenance_banner(db: Database) -> None:
    """A clear notice when the data are example data; a one-line data date otherwise."""
    meta = db.meta()
    built = danish.date(meta.get("built_at", ""), missing="?")
    if is_example(db):
        st.warning(
            "**Eksempeldata.** Organisationer, tilbud og samarbejder her er genererede eksempler "
            "(dog med de rigtige samarbejder fra regionernes strategipapirer). "
            "De er ikke jeres egne data. Se »Om data« for hvordan I indlæser jeres egne.",
            icon="⚠️",
        )
    st.caption(
        f"Data bygget {built} · Kilde: {md(meta.get('inputs', 'ukendt'))} · Se »Om data« for kilder og kvalitet."
    )


def run_safely(page: Callable[[], None]) -> None:
    """Run a page body; any unexpected error becomes a Danish message, never a traceback."""
    try:
        page()
    except ScriptControlException:  # st.stop() / st.rerun() are control flow, not errors
        raise
    except StoreError as exc:  # the store says what to do (e.g. a schema to migrate) in Danish
        log.warning("Lageret: %s", exc)
        st.error(str(exc), icon=":material/database:")
    except Exception as exc:  # noqa: BLE001 - the edge where errors become messages
        log.exception("Fejl på siden")
        st.error(
            "Noget gik galt, da siden skulle vises. Prøv igen, eller vælg et andet område. "
            f"Fejlen er skrevet i serverens log ({type(exc).__name__})."
        )
