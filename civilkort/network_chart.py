"""The partnership network as a Plotly figure (no Streamlit import)."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

from civilkort.charts import ORG_COLOUR, UNIT_COLOUR, _danish_numbers, _esc


def network_figure(nodes: pd.DataFrame, edges: pd.DataFrame, *, seed: int = 7) -> go.Figure:
    """Regional units and organisations linked by collaborations; node size by number of collaborations."""
    g = nx.Graph()
    for row in nodes.itertuples(index=False):
        g.add_node(row.node_id)
    for row in edges.itertuples(index=False):
        g.add_edge(row.source, row.target, weight=row.weight)
    pos = nx.spring_layout(g, seed=seed, k=1.2 / max(1, len(g) ** 0.5)) if len(g) else {}
    ex, ey = [], []
    for row in edges.itertuples(index=False):
        (x0, y0), (x1, y1) = pos[row.source], pos[row.target]
        ex += [x0, x1, None]
        ey += [y0, y1, None]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=ex,
            y=ey,
            mode="lines",
            line={"width": 1, "color": "#9aa5ad"},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    for kind, colour, symbol, name in (
        ("regional_unit", UNIT_COLOUR, "square", "Regionale enheder"),
        ("organisation", ORG_COLOUR, "circle", "Organisationer"),
    ):
        d = nodes[nodes["kind"] == kind]
        n = d["n_collaborations"].fillna(0)
        fig.add_trace(
            go.Scatter(
                x=[pos[i][0] for i in d["node_id"]],
                y=[pos[i][1] for i in d["node_id"]],
                mode="markers",
                name=name,
                marker={
                    "size": 8 + 4 * n.clip(upper=10) ** 0.9,
                    "color": colour,
                    "symbol": symbol,
                    "line": {"width": 1, "color": "white"},
                },
                text=[
                    f"{_esc(a)}<br>{_esc(b)}<br>{int(c)} samarbejder"
                    for a, b, c in zip(d["name"], d["type_label"], n)
                ],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    fig.update_layout(
        height=620,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x"},
        legend={"orientation": "h", "y": -0.02},
        plot_bgcolor="white",
    )
    return _danish_numbers(fig)
