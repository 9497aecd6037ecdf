"""The partnership network's page parts: the chart and its click, a list to choose a node by keyboard, and the
chosen node's details.

The chosen node is the selection's ``item`` (``unit:<id>`` or ``org:<id>``, the URL's ``valgt``), as a point
chosen on the map is: a copied link or a reload opens the network with it chosen, and *Se på kortet* opens
the same unit or organisation on the map.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from civilkort import danish
from civilkort import network_chart as nc
from civilkort.filters import Selection, to_params
from ui import browser, selection, touch
from ui.data import query
from ui.tables import grid
from ui.text import md

CHART_KEY = "netvaerk_graf"
CHOOSER_KEY = "netvaerk_valg"
CLOSE_KEY = "netvaerk_luk"
DETAILS_ANCHOR = "valgt-i-netvaerket"


def data(sel: Selection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The area's network (nodes with their items, and edges); the same for every chosen node."""
    nodes, edges = query("network", _filters(sel))
    return nc.with_items(nodes), edges


def _filters(sel: Selection) -> Selection:
    # what is chosen or where the map looks does not change the network: one cached answer per area and filters
    return replace(sel, item="", municipality=None, view=None)


def chosen(sel: Selection, nodes: pd.DataFrame) -> str | None:
    """The chosen node's item, if the selection's item is a node of this network."""
    return sel.item if nc.item_node(sel.item) and sel.item in set(nodes["item"]) else None


def install_labels() -> None:
    """Run ``ui/assets/network_chart.js`` in the page (it places the chart's labels); takes no room."""
    browser.run(
        "network_chart.js", "civilkortNetwork.install", hidden="network-labels", needs=("charts_watch.js",)
    )


def _option_label(nodes: pd.DataFrame) -> dict[str, str]:
    return {
        item: f"{name} ({type_label or nc.KIND_LABEL[kind]}, {danish.count(n, 'samarbejde', 'samarbejder')})"
        for item, name, type_label, kind, n in zip(
            nodes["item"],
            nodes["name"],
            nodes["type_label"].fillna(""),
            nodes["kind"],
            nodes["n_collaborations"].fillna(0).astype(int),
        )
    }


def _chose() -> None:
    selection.set_focus(item=st.session_state.get(CHOOSER_KEY))


def chooser(nodes: pd.DataFrame, item: str | None) -> None:
    """A searchable list of the nodes (type to search): the keyboard's and screen reader's way to the click."""
    labels = _option_label(nodes.sort_values("name", key=lambda s: s.str.lower()))
    st.session_state[CHOOSER_KEY] = item  # follows a click in the chart, a link and *Ryd valget*
    st.selectbox(
        "Vælg en enhed eller organisation",
        list(labels),
        format_func=labels.get,
        key=CHOOSER_KEY,
        on_change=_chose,
        placeholder="Skriv et navn for at søge …",
        help="Fremhæver den og dens partnere i netværket og viser detaljerne under netværket. "
        "Det samme som at klikke på den i netværket.",
    )


def _clicked() -> None:
    event = st.session_state.get(CHART_KEY) or {}
    for point in (event.get("selection") or {}).get("points") or []:
        item = point.get("customdata")
        item = item[0] if isinstance(item, list) and item else item
        if isinstance(item, str) and nc.item_node(item):
            selection.set_focus(item=item)
            return


def chart(nodes: pd.DataFrame, edges: pd.DataFrame, item: str | None) -> None:
    """The network; a click on a node (or a tap on a phone) chooses it."""
    touch.pass_taps(CHART_KEY)
    st.plotly_chart(
        nc.network_figure(nodes, edges, selected=item),
        key=CHART_KEY,
        on_select=_clicked,
        selection_mode="points",
        width="stretch",
        config={"displaylogo": False},
    )


def period(start: object, end: object, is_open_ended: object) -> str:
    """A collaboration's period in Danish: '01-02-2024 – 31-12-2026', '01-02-2024 – løbende'."""
    open_ended = is_open_ended is not None and not pd.isna(is_open_ended) and bool(is_open_ended)
    last = danish.date(end, missing="") or ("løbende" if open_ended else "ukendt slut")
    return f"{danish.date(start, missing='') or 'ukendt start'} – {last}"


def details(sel: Selection, item: str) -> None:
    """The chosen node: what it is, its partners and its collaborations in the selection, and a way to the map."""
    kind, node_id = nc.item_node(item) or (None, None)
    info = query("network_node", _filters(sel), kind, node_id)
    node, collaborations, partners = info["node"], info["collaborations"], info["partners"]
    if node.empty:
        st.info("Enheden eller organisationen findes ikke i de nuværende data.")
        return
    n = node.iloc[0]
    st.subheader(md(n["name"]), anchor=DETAILS_ANCHOR)
    where = f" · {md(n['municipality_name'])} Kommune" if pd.notna(n["municipality_name"]) else ""
    st.caption(f"{nc.KIND_LABEL[kind]} · {md(n['type_label'])}{where}")
    left, right, *_ = st.columns([1, 1, 2])
    left.metric("Samarbejder", len(collaborations))
    right.metric("Partnere", len(partners))
    buttons = st.columns([1, 1, 2])
    buttons[0].button("Ryd valget", key=CLOSE_KEY, on_click=selection.set_focus, icon=":material/close:")
    if pd.notna(n["lat"]) and pd.notna(n["lon"]):
        with buttons[1]:
            st.page_link(
                "app_pages/kort.py",
                label="Se på kortet",
                icon=":material/map:",
                query_params=to_params(replace(sel, item=item, municipality=None, view=None)),
            )
    st.markdown(f"**Partnere ({len(partners)})**")
    _table(
        {
            "Partner": partners["name"],
            "Type": partners["type_label"],
            "Fælles samarbejder": partners["n_shared"].astype(int),
            "Samarbejder": partners["titles"],
        },
        alt=f"Partnere for {n['name']}",
    )
    st.markdown(f"**Samarbejder ({len(collaborations)})**")
    _table(
        {
            "Samarbejde": collaborations["title"],
            "Partnere": collaborations["partners"],
            "Temaer": collaborations["themes"].replace("", None),
            "Periode": [
                period(*row)
                for row in zip(
                    collaborations["start_date"], collaborations["end_date"], collaborations["is_open_ended"]
                )
            ],
            "Art": collaborations["kind_label"].fillna("Ikke angivet"),
            "Status": collaborations["status_label"],
        },
        alt=f"Samarbejder for {n['name']}",
    )


def _table(columns: dict[str, object], *, alt: str) -> None:
    """A real HTML table (a screen reader reads it cell by cell with its headers; the first column heads each
    row). st.table renders Markdown, so the data's text is escaped."""
    frame = pd.DataFrame(columns)
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            frame[col] = [md(v) for v in frame[col]]
    st.table(frame.set_index(frame.columns[0]), alt=alt)


def most_connected(nodes: pd.DataFrame) -> None:
    """The nodes with most collaborations (when none is chosen)."""
    st.subheader("Flest samarbejder")
    top = nodes.sort_values(["n_collaborations", "name"], ascending=[False, True]).head(25)
    grid(
        pd.DataFrame(
            {
                "Navn": top["name"],
                "Type": top["type_label"].fillna("–"),
                "Samarbejder": top["n_collaborations"].fillna(0).astype(int),
                "Partnere": top["n_partners"].fillna(0).astype(int),
            }
        ),
        hide_index=True,
        width="stretch",
    )
