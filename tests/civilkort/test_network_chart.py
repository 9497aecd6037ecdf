"""The partnership network's figure: layout, labels, the chosen node and its partners, escaped names."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from civilkort import network_chart as nc


def _network(units: int, orgs_per_unit: int, *, shared: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``units`` stars of ``orgs_per_unit`` organisations each; the first ``shared`` organisations also
    collaborate with the next unit (joining the stars into one part)."""
    edges = []
    for u in range(units):
        edges += [(f"U{u}", f"O{u}-{o}", 1) for o in range(orgs_per_unit)]
        if u + 1 < units:
            edges += [(f"U{u + 1}", f"O{u}-{o}", 1) for o in range(shared)]
    e = pd.DataFrame(edges, columns=["source", "target", "weight"])
    counts = pd.concat([e.groupby("source").size(), e.groupby("target").size()])
    nodes = pd.DataFrame(
        {
            "node_id": counts.index,
            "name": [f"Navn {i}" for i in counts.index],
            "kind": ["regional_unit" if i.startswith("U") else "organisation" for i in counts.index],
            "type_label": "Hospital",
            "n_collaborations": counts.to_numpy(),
            "n_partners": counts.to_numpy(),
        }
    )
    return nodes, e


def _traces(fig) -> list[dict]:
    return json.loads(pio.to_json(fig, validate=False, remove_uids=False))["data"]


def _array(value) -> np.ndarray:
    """A trace's array as Plotly writes it (a plain list, or base64 'bdata' for numbers)."""
    if isinstance(value, dict) and "bdata" in value:
        import base64

        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.asarray(value)


def test_items_name_units_and_organisations_as_the_map_does():
    assert nc.node_item("regional_unit", "ENH-1") == "unit:ENH-1"
    assert nc.node_item("organisation", "ORG-1") == "org:ORG-1"
    assert nc.item_node("org:ORG-1") == ("organisation", "ORG-1")
    assert nc.item_node("unit:ENH-1") == ("regional_unit", "ENH-1")
    for other in ("offer:T-1", "collaboration:SAM-1", "org:", "", None, "ORG-1"):
        assert nc.item_node(other) is None


def test_the_separate_parts_are_packed_apart_and_the_layout_is_repeatable():
    nodes, edges = _network(6, 5)  # six stars, not linked
    pos = nc.layout(nodes, edges)
    assert set(pos) == set(nc.with_items(nodes)["item"])
    boxes = []
    for u in range(6):
        part = [pos[f"unit:U{u}"], *(pos[f"org:O{u}-{o}"] for o in range(5))]
        xs, ys = zip(*part)
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1], (a, b)
    nc._layout.cache_clear()
    assert nc.layout(nodes, edges) == pos


def test_a_national_network_is_drawn_without_scipy():
    """networkx's spring layout needs scipy for 500 nodes or more, and scipy is no dependency: the whole of
    Denmark's example network (723 nodes) stopped the page. Each part is laid out on its own."""
    nodes, edges = _network(60, 10)  # 660 nodes in 60 parts
    fig = nc.network_figure(nodes, edges)
    assert len(_array(_traces(fig)[1]["x"])) + len(_array(_traces(fig)[3]["x"])) == 660


def test_one_part_of_500_nodes_or_more_is_drawn_too():
    nodes, edges = _network(11, 45, shared=2)  # one part of 506 nodes
    pos = nc.layout(nodes, edges)
    assert len(pos) == len(nodes) == 506
    assert all(np.isfinite(p).all() for p in pos.values())


def test_the_larger_nodes_are_labelled_most_collaborations_first():
    nodes, edges = _network(12, 4, shared=1)
    order = nc.label_order(nodes, edges)
    n = nc.with_items(nodes).set_index("item")["n_collaborations"]
    assert len(order) <= nc.MAX_LABELS and all(n[i] >= 2 for i in order)
    assert list(n[order]) == sorted(n[order], reverse=True)
    assert set(order) == set(n[n >= 2].index)


def test_a_small_network_has_every_node_labelled():
    nodes, edges = _network(2, 4)
    assert len(nodes) <= nc.ALL_LABELS_UP_TO
    assert set(nc.label_order(nodes, edges)) == set(nc.with_items(nodes)["item"])


def test_a_chosen_node_is_labelled_first_then_its_partners_only():
    nodes, edges = _network(12, 4, shared=1)
    order = nc.label_order(nodes, edges, "unit:U3")
    assert order[0] == "unit:U3"
    assert set(order[1:]) == nc.partners(edges, "unit:U3") == {f"org:O3-{o}" for o in range(4)} | {"org:O2-0"}


def test_the_chosen_node_is_outlined_its_partners_lit_and_the_rest_dimmed():
    nodes, edges = _network(3, 3, shared=1)
    fig = nc.network_figure(nodes, edges, selected="unit:U1")
    traces = _traces(fig)
    lit = {"unit:U1", "org:O1-0", "org:O1-1", "org:O1-2", "org:O0-0"}
    for t in traces:
        if t.get("mode") == "markers" and t.get("customdata") is not None and len(t["customdata"]) > 1:
            opacity = dict(zip(t["customdata"], _array(t["marker"]["opacity"])))
            for item, value in opacity.items():
                assert value == (1.0 if item in lit else nc.DIM), item
    outlined = [t for t in traces if t.get("customdata") == ["unit:U1"]]
    assert outlined and outlined[0]["marker"]["line"]["width"] == 3
    links = [t for t in traces if t.get("mode") == "lines"]
    assert [t["line"]["color"] for t in links] == [nc.FADED_EDGE_COLOUR, nc.TEXT_COLOUR]
    chosen_links = _array(links[1]["x"])
    assert np.isfinite(chosen_links).sum() == 2 * 4  # the four links of U1, each from U1 to a partner


def test_nothing_is_dimmed_without_a_choice_or_with_one_outside_the_network():
    nodes, edges = _network(3, 3)
    for selected in (None, "org:findes-ikke", "offer:T-1"):
        traces = _traces(nc.network_figure(nodes, edges, selected=selected))
        for t in traces:
            if t.get("mode") == "markers" and "opacity" in t.get("marker", {}):
                assert (_array(t["marker"]["opacity"]) == 1).all()
        assert len([t for t in traces if t.get("mode") == "lines"]) == 1


def test_each_node_carries_its_item_for_the_click():
    nodes, edges = _network(2, 2)
    items = [
        i
        for t in _traces(nc.network_figure(nodes, edges))
        if t.get("mode") == "markers"
        for i in t.get("customdata") or []
    ]
    assert sorted(items) == sorted(nc.with_items(nodes)["item"])


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("Vrå IF", ["Vrå IF"]),
        ("Regionshospital Nordjylland, Hjørring", ["Regionshospital Nordjylland,", "Hjørring"]),
        ("Aarhus Universitetshospital, Psykiatrien", ["Aarhus Universitetshospital,", "Psykiatrien"]),
        (
            "Socialøkonomisk Køkken  Sindal\nog omegns venner af haven",
            ["Socialøkonomisk Køkken Sindal", "og omegns venner af haven"],
        ),
        (
            "Et meget langt navn på en forening der samarbejder med mange om alt muligt",
            ["Et meget langt navn på en", "forening der samarbejder med…"],
        ),
    ],
)
def test_labels_are_at_most_two_short_lines(name, lines):
    assert nc.short_label(name) == lines
    assert all(len(line) <= nc.LABEL_CHARS for line in nc.short_label(name))


def test_names_are_escaped_in_labels_and_hover():
    nodes, edges = _network(1, 2)
    nodes.loc[nodes["node_id"] == "U0", "name"] = "<img src=x onerror=alert(1)>"
    nodes.loc[nodes["node_id"] == "O0-0", "type_label"] = "<b>fed</b>"
    text = json.dumps(_traces(nc.network_figure(nodes, edges)))
    assert "<img" not in text and "<b>" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "&lt;b&gt;fed&lt;/b&gt;" in text


def test_large_networks_have_smaller_markers():
    n = pd.Series([1, 5, 10])
    small, large = nc.marker_size(n, 50), nc.marker_size(n, 720)
    assert (large < small).all() and (large >= small / 2).all()
    assert small.iloc[0] == 8 + 4  # one collaboration, full size
