"""The projector role on screen: the facilitator's projector link (with its QR code), and a projector
screen's arrival from that link.

The link (``…/praesentation?projektor=<signed token>``, civilkort/projector.py) signs the screen that opens
it in as the workshop's projector: read-only, kept through reloads by the session cookie until the link's
end, and sent straight into presenting the workshop's area. A coordinator who opens it stays coordinator.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from civilkort import danish, projector, session_token
from civilkort import workshop as ws
from civilkort.auth import COORDINATOR, PermissionDenied, Principal
from civilkort.filters import Selection, to_params
from civilkort.sequences import DEFAULT_ID, SEQUENCE_PARAM, STEP_PARAM
from civilkort.store import Store, StoreError, open_store
from ui import auth as ui_auth
from ui import join_kit, session_cookie
from ui.text import md

PAGE_PATH = "praesentation"
_LINKS = "ws_projector_links"
"""This session's projector links, per workshop: (token, expiry as ISO)."""


def projector_link(page_url: str, token: str) -> str:
    """The projector link: the Præsentation page beside the page the browser shows, with only the token."""
    return join_kit.page_beside(page_url, PAGE_PATH, {projector.LINK_PARAM: token})


def _workshop(workshop_id: str) -> dict | None:
    try:
        return ws.get_workshop(open_store(), workshop_id)
    except ws.EntryError:
        return None


def arrive() -> None:
    """A projector link in the URL: sign this screen in as the workshop's projector (unless it is already a
    coordinator's) and present the workshop's area. A bad or expired link says so and is dropped."""
    token = st.query_params.get(projector.LINK_PARAM)
    if not token:
        return
    try:
        screen = projector.redeem(token, session_cookie.secret(), _workshop)
    except session_token.InvalidSession as exc:
        del st.query_params[projector.LINK_PARAM]
        st.error(str(exc), icon=":material/link_off:")
        return
    if not ui_auth.current().has(COORDINATOR):
        ui_auth.set_current(screen)
    row = _workshop(screen.workshop_id or "") or {}
    area = projector.area_of(row)
    st.query_params.from_dict(
        {SEQUENCE_PARAM: DEFAULT_ID, STEP_PARAM: "1", **to_params(Selection(area=area))}
    )


def panel(s: Store, person: Principal, workshop: dict[str, Any]) -> None:
    """'Projektorlink' in a workshop's facilitator panel: the link and its QR code for the room's screen."""
    wid = workshop["workshop_id"]
    links: dict[str, tuple[str, str]] = st.session_state.setdefault(_LINKS, {})
    if wid not in links:
        if st.button("Projektorlink", key=f"ws-projector-{wid}", icon=":material/cast:",
                     help="Et link til projektorens skærm: viser Præsentation uden koordinatoradgang."):  # fmt: skip
            try:
                token, until = projector.issue(s, person, wid, session_cookie.secret())
            except (PermissionDenied, ws.EntryError, StoreError) as exc:
                st.error(md(str(exc)))
                return
            links[wid] = (token, until.isoformat())
            st.rerun()
        return
    token, until = links[wid]
    link = projector_link(st.context.url or "", token)
    with st.container(border=True, key=f"ws-projector-panel-{wid}"):
        text, qr = st.columns([3, 2], vertical_alignment="center")
        text.markdown("**Projektorlink**")
        text.caption(
            "Åbn linket på den computer, der viser på lærredet: den viser Præsentation for workshoppens "
            f"område uden koordinatoradgang, kan ikke ændre noget og husker rollen, til linket udløber "
            f"{danish.local_time(until)}."
        )
        text.code(link, language=None, wrap_lines=True)
        qr.image(join_kit.qr_png(link), caption="QR-kode: projektorlinket", width=200,
                 alt="QR-kode med projektorlinket")  # fmt: skip
        if text.button(
            "Skjul projektorlinket", key=f"ws-projector-hide-{wid}", icon=":material/visibility_off:"
        ):
            links.pop(wid, None)
            st.rerun()
