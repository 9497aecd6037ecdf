"""The workshop's join kit for the room: the code, large, a join link that opens the join form with the
workshop chosen, and that link as a QR code a phone's camera opens.

The link names the workshop only; the code stays on the screen in the room, so a photo of the link alone
does not let anyone in. QR codes come from segno (pure Python, no image library). One implementation for
the facilitator's screen (ui/workshop.py) and the presentation's *Deltag* step (ui/join_step.py): the link
always opens the workshop page beside the page the browser is on.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno
import streamlit as st

from ui.text import md, verbatim

JOIN_PARAM = "deltag"
"""The workshop page's URL parameter that chooses the workshop in the join form."""
WORKSHOP_PATH = "workshop"
"""The workshop page's path (app.py's st.navigation)."""


def page_beside(page_url: str, page_path: str, query: dict[str, str]) -> str:
    """The app's page ``page_path`` beside the named page the browser is on (scheme, host and any proxy
    prefix as the browser sees them), with only ``query``."""
    parts = urlsplit(page_url)
    base = parts.path.rstrip("/").rsplit("/", 1)[0] if "/" in parts.path.strip("/") else ""
    return urlunsplit((parts.scheme, parts.netloc, f"{base}/{page_path}", urlencode(query), ""))


def join_link(page_url: str, workshop_id: str) -> str:
    """The join link: the workshop page beside this one, with only the workshop in its query."""
    return page_beside(page_url, WORKSHOP_PATH, {JOIN_PARAM: workshop_id})


def qr_png(link: str) -> bytes:
    """The link as a QR code (PNG): error correction M, dark on white, a quiet zone of four modules."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=10, border=4, dark="#111111", light="#ffffff")
    return out.getvalue()


def chosen_workshop(workshop_ids: list[str]) -> str | None:
    """The join link's workshop, if it is one of these (in progress); else None."""
    wanted = st.query_params.get(JOIN_PARAM)
    return wanted if wanted in workshop_ids else None


def show(
    workshop: dict[str, Any], code: str | None, caption: str, *, qr_width: int = 260, no_code: str = ""
) -> None:
    """The code, large, with the QR code and the link beside it (generated digits and an id: no user text
    in the code or the link; the workshop's name is escaped). Without a ``code`` (the viewer may not see
    it, or it cannot be shown again), ``no_code`` (Danish Markdown) stands in its place."""
    page = st.context.url or ""
    link = join_link(page, workshop["workshop_id"])
    typed = link.split("?", 1)[0]  # short enough to type: the workshop page, without the workshop's id
    text, qr = st.columns([3, 2], vertical_alignment="center")
    with text:
        st.markdown(f"### Kode til *{md(workshop['name'])}*")
        if code:
            st.markdown(f"# `{code}`")
        else:
            st.markdown(no_code)
        st.markdown(f"Scan QR-koden, eller åbn **{verbatim(typed)}**, vælg workshoppen og skriv koden.")
        st.caption(caption)
    qr.image(
        qr_png(link),
        caption="QR-kode: åbner workshoppen på telefonen",
        width=qr_width,
        alt="QR-kode med linket til workshoppen",  # without it, axe: image-alt (critical)
    )
    qr.caption(f"Linket i QR-koden: {verbatim(link)}")
