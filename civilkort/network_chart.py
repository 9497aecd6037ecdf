"""The partnership network as a Plotly figure (no Streamlit import).

Nodes are regional units (squares) and organisations (circles), linked by the collaborations they share. A
node is named by its *item*, ``unit:<id>`` or ``org:<id>``, as the map's details are (the ``valgt`` URL
parameter), so one link opens the same unit or organisation on the map and in the network.

The network's separate parts are laid out one by one with networkx and packed in rows, largest first. The
larger nodes get labels, in order of importance, in a trace of their own (:data:`LABEL_TRACE`); in the browser
``ui/assets/network_chart.js`` moves each to a free side of its node or hides it, so labels never overlap at
any size. A selected node is outlined and its partners and their links kept, while everything else is dimmed.
"""

from __future__ import annotations

import math
import re
import textwrap
from functools import lru_cache

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from civilkort import danish
from civilkort.charts import ORG_COLOUR, TEXT_COLOUR, UNIT_COLOUR, _danish_numbers, _esc

UNIT, ORG = "regional_unit", "organisation"
ITEM_PREFIX = {UNIT: "unit", ORG: "org"}
KIND_LABEL = {UNIT: "Regional enhed", ORG: "Organisation"}
LABEL_TRACE = "ck-labels"
"""The ``meta`` of the labels' trace; ``ui/assets/network_chart.js`` finds the labels by it (not by ``uid``,
which Plotly's JSON leaves out)."""
MAX_LABELS = 40
"""Labels asked for when no node is selected (the browser drops those that would overlap)."""
ALL_LABELS_UP_TO = 25
"""A network this small has every node labelled."""
LABEL_CHARS = 30
SMALL_NETWORK = 150
"""Up to this many nodes, markers have their full size."""
DIM = 0.18
"""Opacity of the nodes that are neither the selected node nor its partners."""
EDGE_COLOUR = "#9aa5ad"
FADED_EDGE_COLOUR = "#dde1e4"
HEIGHT = 620
_PART_GAP = 0.35
_ASPECT = 1.5
_DENSE_LIMIT = 500  # networkx's spring layout needs scipy from this many nodes; scipy is not a dependency


def node_item(kind: str, node_id: object) -> str:
    """The item of a node: ``unit:<id>`` for a regional unit, ``org:<id>`` for an organisation."""
    return f"{ITEM_PREFIX[kind]}:{node_id}"


def item_node(item: str | None) -> tuple[str, str] | None:
    """``(kind, id)`` of a node's item; None for any other item (an offer, a collaboration) or none."""
    prefix, _, ident = (item or "").partition(":")
    kind = {v: k for k, v in ITEM_PREFIX.items()}.get(prefix)
    return (kind, ident) if kind and ident else None


def with_items(nodes: pd.DataFrame) -> pd.DataFrame:
    """``nodes`` with an ``item`` column (see :func:`node_item`)."""
    return nodes.assign(item=nodes["kind"].map(ITEM_PREFIX).astype(str) + ":" + nodes["node_id"].astype(str))


def edge_items(edges: pd.DataFrame) -> pd.DataFrame:
    """``edges`` as items: ``unit`` (the regional unit's item) and ``org`` (the organisation's)."""
    return pd.DataFrame(
        {
            "unit": f"{ITEM_PREFIX[UNIT]}:" + edges["source"].astype(str),
            "org": f"{ITEM_PREFIX[ORG]}:" + edges["target"].astype(str),
            "weight": edges["weight"].to_numpy(),
        }
    )


def partners(edges: pd.DataFrame, item: str) -> set[str]:
    """The items of ``item``'s partners."""
    e = edge_items(edges)
    return set(e.loc[e["unit"] == item, "org"]) | set(e.loc[e["org"] == item, "unit"])


def short_label(name: object, width: int = LABEL_CHARS, lines: int = 2) -> list[str]:
    """A node's name for its label: at most ``lines`` lines of ``width`` characters, cut at a word (with …)."""
    words = textwrap.wrap(re.sub(r"\s+", " ", str(name)).strip(), width, break_on_hyphens=False) or [""]
    if len(words) <= lines:
        return words
    last = " ".join(words[lines - 1 :])
    cut = last[: width - 1]
    if " " in cut[width // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return [*words[: lines - 1], cut.rstrip(" ,;:-–") + "…"]


def layout(nodes: pd.DataFrame, edges: pd.DataFrame, *, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Each node's position by item: every connected part laid out on its own, the parts packed in rows."""
    e = edge_items(edges)
    key = tuple(sorted(zip(e["unit"], e["org"], e["weight"].astype(float))))
    lonely = tuple(sorted(set(with_items(nodes)["item"]) - set(e["unit"]) - set(e["org"])))
    return dict(_layout(key, lonely, seed))


@lru_cache(maxsize=32)  # a click redraws the same network: lay it out once
def _layout(
    edges: tuple[tuple[str, str, float], ...], lonely: tuple[str, ...], seed: int
) -> tuple[tuple[str, tuple[float, float]], ...]:
    g = nx.Graph()
    g.add_nodes_from(lonely)
    g.add_weighted_edges_from(edges)
    parts = sorted(
        (sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0])
    )  # largest first; ties in a fixed order, so a link draws the same picture every time
    placed: dict[str, tuple[float, float]] = {}
    sides = [max(1.0, math.sqrt(len(p))) for p in parts]
    row_width = max(sides[0], math.sqrt(sum(s * s for s in sides)) * _ASPECT) if parts else 0
    x = y = row_height = 0.0
    for part, side in zip(parts, sides):
        if x > 0 and x + side > row_width:
            x, y, row_height = 0.0, y - row_height - _PART_GAP, 0.0
        for node, (px, py) in _part_layout(g.subgraph(part), seed).items():
            placed[node] = (x + side / 2 + px * side * 0.45, y - side / 2 + py * side * 0.45)
        x += side + _PART_GAP
        row_height = max(row_height, side)
    return tuple(placed.items())


def _part_layout(g: nx.Graph, seed: int) -> dict[str, np.ndarray]:
    """One connected part within [-1, 1]²."""
    if len(g) == 1:
        return {next(iter(g)): np.zeros(2)}
    if len(g) < _DENSE_LIMIT:
        pos = nx.spring_layout(g, seed=seed, k=1.2 / math.sqrt(len(g)))
    else:
        pos = nx.forceatlas2_layout(g, seed=seed)
    return nx.rescale_layout_dict(pos, scale=1.0)


def label_order(nodes: pd.DataFrame, edges: pd.DataFrame, selected: str | None = None) -> list[str]:
    """The items to label, most important first: the selected node and its partners; or else the nodes
    with most collaborations (every node in a small network)."""
    n = with_items(nodes).assign(_n=nodes["n_collaborations"].fillna(0), _name=nodes["name"].astype(str))
    n = n.sort_values(["_n", "_name"], ascending=[False, True])
    if selected is not None and selected in set(n["item"]):
        near = partners(edges, selected)
        return [selected, *[i for i in n["item"] if i in near]]
    if len(n) > ALL_LABELS_UP_TO:
        n = n[n["_n"] >= 2].head(MAX_LABELS)
    return list(n["item"])


def marker_size(n_collaborations: pd.Series, n_nodes: int) -> pd.Series:
    """A node's marker size in pixels: the more collaborations, the larger (8 to about 40); smaller in a
    large network (down to half size from 600 nodes), where full-size markers would cover each other."""
    scale = min(1.0, max(0.5, math.sqrt(SMALL_NETWORK / max(1, n_nodes))))
    return (8 + 4 * n_collaborations.fillna(0).clip(upper=10) ** 0.9) * scale


def network_figure(
    nodes: pd.DataFrame, edges: pd.DataFrame, *, selected: str | None = None, seed: int = 7
) -> go.Figure:
    """Regional units and organisations linked by collaborations; node size by number of collaborations.

    ``selected`` (an item, see :func:`node_item`) is outlined, its partners and links kept and the rest
    dimmed. Each node trace carries its items as ``customdata``, which a click on the node returns."""
    nodes = with_items(nodes)
    pos = layout(nodes, edges, seed=seed)
    if selected not in pos:
        selected = None
    xy = pd.DataFrame.from_dict(pos, orient="index", columns=["x", "y"])
    nodes = nodes.join(xy, on="item").assign(size=lambda d: marker_size(d["n_collaborations"], len(d)))
    e = edge_items(edges)
    fig = go.Figure()
    if selected:
        mine = ((e["unit"] == selected) | (e["org"] == selected)).to_numpy()
        fig.add_trace(_links(e[~mine], xy, FADED_EDGE_COLOUR, 1))
        fig.add_trace(_links(e[mine], xy, TEXT_COLOUR, 2))
        lit = nodes["item"].isin(partners(edges, selected) | {selected}).to_numpy()
    else:
        fig.add_trace(_links(e, xy, EDGE_COLOUR, 1))
        lit = np.ones(len(nodes), dtype=bool)
    for kind in (UNIT, ORG):
        is_kind = (nodes["kind"] == kind).to_numpy()
        fig.add_trace(_nodes(nodes[is_kind], kind, np.where(lit[is_kind], 1.0, DIM)))
        colour, symbol, name = _LOOK[kind]
        fig.add_trace(  # the legend's entry, at full colour whatever is dimmed
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=name,
                legendgroup=kind,
                hoverinfo="skip",
                marker={"size": 10, "color": colour, "symbol": symbol},
            )
        )
    if selected:
        chosen = nodes[nodes["item"] == selected]
        kind = chosen["kind"].iloc[0]
        fig.add_trace(
            _nodes(
                chosen.assign(size=chosen["size"] + 6), kind, 1.0, outline={"width": 3, "color": TEXT_COLOUR}
            )
        )
    fig.add_trace(_labels(nodes, edges, selected))
    pad_x = 0.06 * max(1.0, float(xy["x"].max() - xy["x"].min()))
    pad_y = 0.08 * max(1.0, float(xy["y"].max() - xy["y"].min()))
    fig.update_layout(
        height=HEIGHT,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"visible": False, "range": [xy["x"].min() - pad_x, xy["x"].max() + pad_x]},
        yaxis={"visible": False, "range": [xy["y"].min() - pad_y, xy["y"].max() + pad_y]},
        legend={"orientation": "h", "y": -0.02},
        plot_bgcolor="white",
    )
    return _danish_numbers(fig)


def _links(e: pd.DataFrame, xy: pd.DataFrame, colour: str, width: float) -> go.Scatter:
    """The links between the units and organisations of ``e`` (see :func:`edge_items`), as one trace of
    segments separated by gaps."""
    ends = [xy.loc[e["unit"]].to_numpy(), xy.loc[e["org"]].to_numpy(), np.full((len(e), 2), np.nan)]
    segments = np.stack(ends, axis=1).reshape(-1, 2)  # unit, organisation, gap; unit, organisation, gap …
    return go.Scatter(
        x=segments[:, 0],
        y=segments[:, 1],
        mode="lines",
        line={"width": width, "color": colour},
        hoverinfo="skip",
        showlegend=False,
    )


_LOOK = {UNIT: (UNIT_COLOUR, "square", "Regionale enheder"), ORG: (ORG_COLOUR, "circle", "Organisationer")}


def _nodes(d: pd.DataFrame, kind: str, opacity: object, outline: dict | None = None) -> go.Scatter:
    """One kind's nodes (positioned, sized: see :func:`network_figure`); each carries its item as
    ``customdata``, which a click returns."""
    colour, symbol, name = _LOOK[kind]
    n = d["n_collaborations"].fillna(0).astype(int)
    n_partners = d["n_partners"].fillna(0).astype(int) if "n_partners" in d else n
    hover = [
        f"{_esc(name)}<br>{_esc(type_label)}<br>"
        f"{danish.count(c, 'samarbejde', 'samarbejder')}, {danish.count(p, 'partner', 'partnere')}"
        for name, type_label, c, p in zip(d["name"], d["type_label"].fillna(KIND_LABEL[kind]), n, n_partners)
    ]
    return go.Scatter(
        x=d["x"].to_numpy(),
        y=d["y"].to_numpy(),
        mode="markers",
        name=name,
        legendgroup=kind,
        showlegend=False,
        customdata=d["item"].to_numpy(dtype=object),
        marker={
            "size": d["size"].to_numpy(),
            "color": colour,
            "symbol": symbol,
            "opacity": opacity,
            "line": outline or {"width": 1, "color": "white"},
        },
        # a click leaves no Plotly selection style: the highlight is drawn from ``selected``
        selected={"marker": {"opacity": 1}},
        unselected={"marker": {"opacity": 1}},
        text=hover,
        hovertemplate="%{text}<extra></extra>",
    )


def _labels(nodes: pd.DataFrame, edges: pd.DataFrame, selected: str | None) -> go.Scatter:
    """The labels, most important first, each over an invisible marker of its node's size (Plotly sets a
    label off by its marker's radius)."""
    d = nodes.set_index("item").loc[label_order(nodes, edges, selected)]
    is_chosen = d.index == selected
    return go.Scatter(
        x=d["x"].to_numpy(),
        y=d["y"].to_numpy(),
        mode="markers+text",
        meta=LABEL_TRACE,
        name="Navne",
        showlegend=False,
        hoverinfo="skip",
        marker={"size": (d["size"] + 6 * is_chosen).to_numpy(), "opacity": 0},
        text=["<br>".join(_esc(line) for line in short_label(name)) for name in d["name"]],
        textposition="top center",
        textfont={
            "size": 12,
            "color": TEXT_COLOUR,
            "shadow": "auto",  # a halo of the background behind the letters: a line under them does not cut them
            "weight": np.where(is_chosen, 700, 400).tolist(),
        },
        cliponaxis=False,
    )
