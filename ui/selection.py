"""The sidebar: area and filters, kept in session state and mirrored in the URL.

Rendered by app.py on every run (before the page), so the choice follows the user
across pages, and a copied link restores it.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import streamlit as st

from civilkort import reference, update_form
from civilkort.filters import LAYERS, MEASURES, NATIONAL_AREA, Selection, from_params, to_params
from ui.data import vocabulary_labels
from ui.join_kit import JOIN_PARAM

_KEYS = {
    "area": "sel_area",
    "themes": "sel_themes",
    "target_groups": "sel_target_groups",
    "prevention_levels": "sel_prevention_levels",
    "organisation_types": "sel_organisation_types",
    "staffing": "sel_staffing",
    "statuses": "sel_statuses",
    "referrals": "sel_referrals",
    "text": "sel_text",
    "measure": "sel_measure",
    "layers": "sel_layers",
}
PAGE_PARAMS = ("workshop", JOIN_PARAM, "id", "soeg", "huller", "behov", update_form.LINK_PARAM)
"""A page's own URL parameters, kept when the selection is written into the URL (Gennemgang's workshop,
the join link's workshop, the record of the Organisation and Tilbud pages, Søg's search words, Huller's
view and the need-and-supply view's target group, the update form's link)."""
_LIST_FIELDS = {
    "themes",
    "target_groups",
    "prevention_levels",
    "organisation_types",
    "staffing",
    "statuses",
    "layers",
}


def area_options() -> dict[str, str]:
    """All choosable areas, value -> Danish label: Denmark, the regions, the 17 councils."""
    return dict(_area_options())


@lru_cache(maxsize=1)
def _area_options() -> tuple[tuple[str, str], ...]:  # the reference tables are fixed while the app runs
    options = {NATIONAL_AREA: "Hele Danmark"}
    councils = reference.councils()
    for rid, rname in zip(reference.regions()["region_id"], reference.regions()["region_name"]):
        options[f"region:{rid}"] = rname
        in_region = councils[councils["region_id"] == rid]
        for cid, cname in zip(in_region["council_id"], in_region["council_name"]):
            options[f"council:{cid}"] = f"\u2003{cname}"  # indented under its region, no visible mark
    return tuple(options.items())


def _init_state() -> None:
    if st.session_state.get("sel_initialised"):
        return
    apply(from_params(st.query_params.to_dict()))


def apply(sel: Selection) -> None:
    """Make ``sel`` the session's selection (e.g. the step a presentation ended on)."""
    for name, key in _KEYS.items():
        value = getattr(sel, name)
        st.session_state[key] = list(value) if name in _LIST_FIELDS else value
    st.session_state["sel_municipality"] = sel.municipality
    st.session_state["sel_item"] = sel.item
    st.session_state["sel_view"] = sel.view
    st.session_state["sel_initialised"] = True


def current() -> Selection:
    """The selection in session state now."""
    _init_state()
    values = {}
    for name, key in _KEYS.items():
        value = st.session_state.get(key)
        if value is None:
            continue
        values[name] = tuple(value) if name in _LIST_FIELDS else value
    return replace(
        Selection(),
        **values,
        municipality=st.session_state.get("sel_municipality"),
        item=st.session_state.get("sel_item") or "",
        view=st.session_state.get("sel_view"),
    )


def set_focus(*, item: str | None = None, municipality: int | None = None) -> None:
    """Open a point's details or a municipality's summary (from a map click or a list)."""
    st.session_state["sel_item"] = item or ""
    st.session_state["sel_municipality"] = municipality


def show_on_map(item: str, area: str, view: tuple[float, float, int] | None = None) -> None:
    """Choose a record on the map: its area, its details open, the map at ``view`` (a button's on_click,
    which runs before the sidebar's widgets are drawn; the page then switches to the map)."""
    st.session_state[_KEYS["area"]] = area if area in area_options() else NATIONAL_AREA
    set_focus(item=item)
    st.session_state["sel_view"] = view


def _vocab_multiselect(label: str, vocabulary: str, key: str, help: str | None = None) -> None:
    labels = vocabulary_labels(vocabulary)
    st.session_state[key] = [c for c in st.session_state.get(key, []) if c in labels]
    st.multiselect(
        label,
        list(labels),
        format_func=lambda c: labels.get(c, c),
        key=key,
        help=help,
        placeholder="Alle",
        select_all=False,
    )


def _area_changed() -> None:
    set_focus()
    st.session_state["sel_view"] = None  # a copied link's map view belongs to its area: fit the new one


def sidebar() -> Selection:
    """Render the area picker and filters in the sidebar; sync the URL; return the selection."""
    _init_state()
    options = area_options()
    with st.sidebar:
        st.selectbox(
            "Område",
            list(options),
            format_func=lambda v: options[v],
            key=_KEYS["area"],
            on_change=_area_changed,
            help="Et af de 17 sundhedsråd, en region eller hele landet.",
        )
        with st.expander("Filtre", expanded=False):
            _vocab_multiselect("Tema", "theme", _KEYS["themes"])
            _vocab_multiselect("Målgruppe", "target_group", _KEYS["target_groups"])
            _vocab_multiselect("Forebyggelsesniveau", "prevention_level", _KEYS["prevention_levels"])
            _vocab_multiselect("Organisationstype", "organisation_type", _KEYS["organisation_types"])
            _vocab_multiselect("Bemanding", "staffing", _KEYS["staffing"])
            _vocab_multiselect("Status for tilbud", "offer_status", _KEYS["statuses"])
            st.radio(
                "Modtager sociale henvisninger",
                ["", "ja", "nej"],
                format_func={"": "Alle", "ja": "Ja", "nej": "Nej"}.get,
                key=_KEYS["referrals"],
                horizontal=True,
            )
            st.text_input("Fritekst", key=_KEYS["text"], placeholder="Navn eller beskrivelse", max_chars=200)
            st.button("Nulstil filtre", width="stretch", on_click=_reset_filters)
        with st.expander("Kortet", expanded=False):
            st.selectbox(
                "Farv kommuner efter", list(MEASURES), format_func=MEASURES.get, key=_KEYS["measure"]
            )
            st.multiselect(
                "Lag",
                list(LAYERS),
                format_func=LAYERS.get,
                key=_KEYS["layers"],
                placeholder="Ingen lag",
                select_all=False,
            )
    return sync_url()


def sync_url() -> Selection:
    """Write the selection into the URL if it changed (also after the page, which may focus an item)."""
    sel = current()
    params = to_params(sel) | {k: st.query_params[k] for k in PAGE_PARAMS if k in st.query_params}
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)
    return sel


def active_filters(sel: Selection) -> str:
    """The filters in force, in Danish, e.g. 'Tema: Lighed i sundhed · Fritekst: »café«'; '' when none."""
    parts = []
    for label, vocabulary, values in (
        ("Tema", "theme", sel.themes),
        ("Målgruppe", "target_group", sel.target_groups),
        ("Forebyggelse", "prevention_level", sel.prevention_levels),
        ("Organisationstype", "organisation_type", sel.organisation_types),
        ("Bemanding", "staffing", sel.staffing),
    ):
        if values:
            labels = vocabulary_labels(vocabulary)
            parts.append(f"{label}: {', '.join(labels.get(x, x) for x in values)}")
    if sel.statuses != ("aktiv",):
        labels = vocabulary_labels("offer_status")
        parts.append("Status: " + (", ".join(labels.get(x, x) for x in sel.statuses) or "alle"))
    if sel.referrals:
        parts.append(f"Sociale henvisninger: {'ja' if sel.referrals == 'ja' else 'nej'}")
    if sel.text.strip():
        parts.append(f"Fritekst: »{sel.text.strip()}«")
    return " · ".join(parts)


def _reset_filters() -> None:
    default = Selection()
    for name in (
        "themes",
        "target_groups",
        "prevention_levels",
        "organisation_types",
        "staffing",
        "statuses",
    ):
        st.session_state[_KEYS[name]] = list(getattr(default, name))
    st.session_state[_KEYS["referrals"]] = ""
    st.session_state[_KEYS["text"]] = ""
