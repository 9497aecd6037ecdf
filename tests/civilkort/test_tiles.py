"""The tile map: unique cells, deterministic, neighbours kept, islands in place; the figure drawn from it."""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from civilkort import map_payload, reference, tiles

M = reference.municipalities()
ALL = M["municipality_code"].tolist()
CODE = dict(zip(M["municipality_name"], M["municipality_code"]))


def _cells(layout: tiles.TileLayout) -> pd.DataFrame:
    return layout.cells.set_index("municipality_name")


def _values(codes, value=None) -> pd.DataFrame:
    m = M.set_index("municipality_code").loc[list(codes)].reset_index()
    v = np.arange(len(m), dtype=float) if value is None else np.asarray(value, dtype=float)
    labels = ["ikke kortlagt" if np.isnan(x) else f"{int(x)} tilbud" for x in v]
    return pd.DataFrame(
        {
            "municipality_code": m["municipality_code"],
            "municipality_name": m["municipality_name"],
            "value": v,
            "value_label": labels,
        }
    )


def test_assignment_is_optimal_against_brute_force():
    rng = np.random.default_rng(7)
    for _ in range(20):
        cost = rng.random((4, 6)).round(2)
        best = min(
            sum(cost[i, c] for i, c in enumerate(cols)) for cols in itertools.permutations(range(6), 4)
        )
        chosen = tiles.assign(cost)
        assert len(set(chosen)) == 4
        assert math.isclose(cost[np.arange(4), chosen].sum(), best)


def test_every_municipality_gets_its_own_cell():
    layout = tiles.hex_layout(ALL)
    cells = layout.cells
    assert len(cells) == 98 and cells["municipality_code"].is_unique
    assert len(set(zip(cells["col"], cells["row"]))) == 98
    assert len(set(zip(cells["x"].round(6), cells["y"].round(6)))) == 98
    # Centres sit on a hexagon grid: every pair at least one cell apart.
    xy = cells[["x", "y"]].to_numpy()
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) + np.eye(98) * 99
    assert d.min() == pytest.approx(layout.size, rel=1e-6)


def test_layout_is_deterministic_and_ignores_input_order():
    first = tiles.hex_layout(ALL).cells
    tiles._layout.cache_clear()
    again = tiles.hex_layout(list(reversed(ALL))).cells
    pd.testing.assert_frame_equal(first, again)


def test_neighbours_stay_neighbours_roughly():
    layout = tiles.hex_layout(ALL)
    c = _cells(layout)
    assert layout.neighbours(CODE["København"], CODE["Frederiksberg"])
    assert c.loc["Aarhus", "x"] < c.loc["Syddjurs", "x"]  # Aarhus west of Syddjurs
    assert c.loc["Aalborg", "y"] > c.loc["Aarhus", "y"]  # Aalborg north of Aarhus
    assert c.loc["Esbjerg", "x"] < c.loc["Odense", "x"] < c.loc["Roskilde", "x"]
    assert c.loc["Hjørring", "y"] == c["y"].max() or c.loc["Frederikshavn", "y"] == c["y"].max()
    # Every municipality within a few cells of its own point (the dense suburbs spread out the most).
    shift = np.hypot(layout.cells["x"] - layout.cells["point_x"], layout.cells["y"] - layout.cells["point_y"])
    assert (shift[~layout.cells["is_moved"]] / layout.size).max() < 4


def test_islands_stay_roughly_where_they_are_and_bornholm_is_pulled_in_and_flagged():
    layout = tiles.hex_layout(ALL)
    c = _cells(layout)
    for island in ("Læsø", "Samsø", "Ærø", "Fanø"):
        shift = math.hypot(
            c.loc[island, "x"] - c.loc[island, "point_x"], c.loc[island, "y"] - c.loc[island, "point_y"]
        )
        assert shift <= 1.5 * layout.size, island
    assert (
        c.loc["Fanø", "x"] < c.loc["Esbjerg", "x"] + layout.size
    )  # off the west coast, not in Jutland's middle
    assert c.loc["Læsø", "x"] > c.loc["Hjørring", "x"]
    assert layout.moved == ["Bornholm"]
    assert c.loc["Bornholm", "x"] == c["x"].max()  # still the easternmost
    assert c.loc["Bornholm", "x"] - c.loc["Bornholm", "point_x"] < 0  # pulled west, towards the rest


@pytest.mark.parametrize("council", sorted(reference.councils()["council_id"]))
def test_each_council_alone(council):
    codes = M.loc[M["council_id"] == council, "municipality_code"].tolist()
    cells = tiles.hex_layout(codes).cells
    assert sorted(cells["municipality_code"]) == sorted(codes)
    assert len(set(zip(cells["col"], cells["row"]))) == len(codes)


def test_one_municipality_and_bad_input():
    cells = tiles.hex_layout([751]).cells
    assert cells[["col", "row"]].values.tolist() == [[0, 0]]
    with pytest.raises(ValueError):
        tiles.hex_layout([])
    with pytest.raises(ValueError, match="9999"):
        tiles.hex_layout([751, 9999])


def test_abbreviations_are_unique_and_cover_all_98():
    assert set(tiles.ABBREVIATIONS) == set(ALL)
    assert len(set(tiles.ABBREVIATIONS.values())) == 98
    assert tiles.abbreviation(123456, "Ukendtby") == "UKE"


def _trace(fig, kind: str):
    """The one trace of this kind (``meta.kind``)."""
    [trace] = [t for t in fig.data if (t.meta or {}).get("kind") == kind]
    return trace


def _polygons(fig) -> dict[int, int]:
    """Municipality code -> number of closed hexagons drawn for it."""
    out: dict[int, int] = {}
    for trace in fig.data:
        meta = trace.meta or {}
        if meta.get("kind") != "hexagons":
            continue
        xs = list(trace.x)
        rings = [list(g) for k, g in itertools.groupby(xs, key=lambda v: v is None) if not k]
        assert len(rings) == len(meta["codes"])
        for code, ring in zip(meta["codes"], rings):
            assert len(ring) == 7  # six corners, closed
            out[code] = out.get(code, 0) + 1
    return out


def test_figure_draws_one_hexagon_per_municipality_with_a_label_each():
    layout = tiles.hex_layout(ALL)
    fig = tiles.tile_figure(layout, _values(ALL), measure="offers", measure_label="Antal tilbud")
    assert _polygons(fig) == dict.fromkeys(ALL, 1)
    labels = next(t for t in fig.data if (t.meta or {}).get("kind") == "labels")
    assert sorted(labels.customdata) == sorted(ALL)
    text = dict(zip(labels.customdata, labels.text))
    assert text[101] == "KBH<br><b>0</b>"  # abbreviation and value for the whole country


def test_figure_uses_the_maps_classes_and_shows_ikke_kortlagt_distinctly():
    codes = M.loc[M["council_id"] == "aarhus", "municipality_code"].tolist()  # Aarhus, Samsø
    values = _values(codes, [12.0 if c == CODE["Aarhus"] else np.nan for c in codes])
    fig = tiles.tile_figure(tiles.hex_layout(codes), values, measure="offers", measure_label="Antal tilbud")
    fills = {c: t for t in fig.data if (t.meta or {}).get("kind") == "hexagons" for c in t.meta["codes"]}
    samso = fills[CODE["Samsø"]]
    assert samso.fillcolor == tiles.UNMAPPED_COLOUR and samso.fillpattern.shape == "/"
    assert fills[CODE["Aarhus"]].fillcolor in map_payload.PALETTE
    assert tiles.UNMAPPED_LABEL in [t.name for t in fig.data if t.showlegend is not False]
    text = dict(zip(_trace(fig, "labels").customdata, _trace(fig, "labels").text))
    assert text[CODE["Samsø"]] == "Samsø<br><b>–</b>"  # few municipalities: full names
    assert dict(zip(_trace(fig, "short-labels").customdata, _trace(fig, "short-labels").text)) == {
        CODE["Aarhus"]: "AAR",
        CODE["Samsø"]: "SAM",
    }
    hover = dict(zip(_trace(fig, "hover").customdata, _trace(fig, "hover").hovertext))
    assert "ikke kortlagt" in hover[CODE["Samsø"]]


def test_per_10k_values_are_danish():
    codes = [751]
    fig = tiles.tile_figure(
        tiles.hex_layout(codes), _values(codes, [12.5]), measure="offers_per_10k", measure_label="Pr. 10.000"
    )
    labels = next(t for t in fig.data if (t.meta or {}).get("kind") == "labels")
    assert labels.text[0].endswith("<b>12,5</b>")


def test_hover_and_labels_are_escaped():
    layout = tiles.hex_layout([751, 741])
    hostile = layout.cells.assign(municipality_name=["<img src=x onerror=alert(1)>", "A&B"])
    fig = tiles.tile_figure(
        replace(layout, cells=hostile),
        _values([741, 751]).assign(value_label=["<b>x</b>", "1 tilbud"]),
        measure="offers",
        measure_label="<i>mål</i>",
    )
    everything = " ".join(
        [*_trace(fig, "hover").hovertext, *_trace(fig, "labels").text, fig.layout.legend.title.text]
    )
    assert "<img" not in everything and "&lt;img src=x onerror=alert(1)&gt;" in everything
    assert "A&amp;B" in everything and "&lt;b&gt;x&lt;/b&gt;" in everything and "&lt;i&gt;" in everything


def test_large_and_height_give_bigger_text():
    codes = ALL
    layout = tiles.hex_layout(codes)
    small = tiles.tile_figure(layout, _values(codes), measure="offers", measure_label="x")
    large = tiles.tile_figure(layout, _values(codes), measure="offers", measure_label="x", large=True)
    sized = tiles.tile_figure(layout, _values(codes), measure="offers", measure_label="x", height=1200)

    def size(fig):
        return next(t for t in fig.data if (t.meta or {}).get("kind") == "labels").textfont.size

    assert size(large) > size(small)
    assert large.layout.legend.font.size > small.layout.legend.font.size
    assert size(sized) > 12
    assert large.layout.meta["label_factor"] == tiles.label_factor([], False)


def test_clicked_code():
    assert tiles.clicked_code({"points": [{"customdata": 751}]}) == 751
    assert tiles.clicked_code({"points": [{"customdata": [147]}]}) == 147
    assert tiles.clicked_code({"points": []}) is None
    assert tiles.clicked_code(None) is None


AREAS = {
    "Danmark": ALL,
    "Østdanmark": M.loc[M["region_id"] == "oestdanmark", "municipality_code"].tolist(),
    "Aarhus": M.loc[M["council_id"] == "aarhus", "municipality_code"].tolist(),
    "én kommune": [751],
}
STAGE_1920 = (1493, 930)
"""The presentation stage at 1920×1080 (measured in the browser: the column beside the key figures)."""


def _extent(fig) -> tuple[float, float, float, float]:
    """x0, x1, y0, y1 of all hexagon corners drawn."""
    xs = [v for t in fig.data if (t.meta or {}).get("kind") == "hexagons" for v in t.x if v is not None]
    ys = [v for t in fig.data if (t.meta or {}).get("kind") == "hexagons" for v in t.y if v is not None]
    return min(xs), max(xs), min(ys), max(ys)


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("legend", ["right", "top"])
def test_axes_hug_the_hexagons_at_equal_scale(area, legend):
    codes = AREAS[area]
    layout = tiles.hex_layout(codes)
    fig = tiles.tile_figure(layout, _values(codes), measure="offers", measure_label="x", legend=legend)
    x0, x1, y0, y1 = _extent(fig)
    (rx0, rx1), (ry0, ry1) = fig.layout.xaxis.range, fig.layout.yaxis.range
    slack = 0.1 * layout.size  # at most a tenth of a cell of white around the grid, and nothing cut off
    assert 0 < x0 - rx0 <= slack and 0 < rx1 - x1 <= slack
    assert 0 < y0 - ry0 <= slack and 0 < ry1 - y1 <= slack
    # Equal scale, and the plot area (not the range) gives way, so the ranges stay as they are.
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1
    assert fig.layout.xaxis.constrain == fig.layout.yaxis.constrain == "domain"
    assert fig.layout.xaxis.autorange is False and fig.layout.yaxis.autorange is False
    # Fixed margins (no auto-expansion), as the label CSS assumes; the legend's room is reserved.
    assert fig.layout.margin.autoexpand is False
    meta = fig.layout.meta
    assert {k: getattr(fig.layout.margin, k) for k in "lrtb"} == meta["margin"]
    assert meta["rows_span"] == pytest.approx((ry1 - ry0) / layout.size, abs=1e-3)
    assert meta["cols_span"] == pytest.approx((rx1 - rx0) / layout.size, abs=1e-3)


def test_all_of_denmark_fills_the_presentation_stage():
    layout = tiles.hex_layout(ALL)
    fig = tiles.tile_figure(layout, _values(ALL), measure="offers", measure_label="Antal tilbud", large=True)
    meta, m = fig.layout.meta, fig.layout.meta["margin"]
    cell = tiles.cell_px(meta, *STAGE_1920)
    assert cell >= 55  # hexagons ~60 px apart (they were ~20 px when the axes did not hug the grid)
    x0, x1, y0, y1 = _extent(fig)
    grid_w, grid_h = (x1 - x0) / layout.size * cell, (y1 - y0) / layout.size * cell
    share = max(grid_w / (STAGE_1920[0] - m["l"] - m["r"]), grid_h / (STAGE_1920[1] - m["t"] - m["b"]))
    assert share >= 0.95  # the grid fills the plot area's binding side
    assert max(grid_w / STAGE_1920[0], grid_h / STAGE_1920[1]) >= 0.9  # and most of the stage
    assert tiles.label_factor([], False) * cell >= 16  # label over value, readable across a room


def test_legend_room_is_reserved_where_the_legend_goes():
    layout = tiles.hex_layout(ALL)
    right = tiles.tile_figure(
        layout, _values(ALL), measure="offers", measure_label="Antal tilbud", large=True
    )
    top = tiles.tile_figure(
        layout, _values(ALL), measure="offers", measure_label="Antal tilbud", legend="top"
    )
    assert right.layout.margin.r >= 200 and right.layout.margin.t <= 8
    assert top.layout.margin.t >= 40 and top.layout.margin.r <= 8
    assert right.layout.legend.orientation == "v" and top.layout.legend.orientation == "h"
    # Bornholm's dotted outline: in the legend beside the map; above it the pages say it in words.
    names = {t.name for t in right.data if t.showlegend is not False}
    assert tiles.MOVED_LABEL in names
    assert tiles.MOVED_LABEL not in {t.name for t in top.data if t.showlegend is not False}
    longer = tiles.tile_figure(
        layout,
        _values(ALL),
        measure="offers",
        measure_label="Tilbud pr. 10.000 indbyggere (2025)",
        large=True,
    )
    assert longer.layout.margin.r > right.layout.margin.r
    with pytest.raises(ValueError):
        tiles.tile_figure(layout, _values(ALL), measure="offers", measure_label="x", legend="left")


def test_labels_are_the_last_two_traces_and_the_hover_is_apart():
    fig = tiles.tile_figure(tiles.hex_layout(ALL), _values(ALL), measure="offers", measure_label="x")
    assert [(t.meta or {}).get("kind") for t in fig.data[-3:]] == ["hover", "short-labels", "labels"]
    for kind in ("short-labels", "labels"):
        trace = _trace(fig, kind)
        assert trace.mode == "text" and trace.hoverinfo == "skip" and trace.textposition == "middle center"
        assert trace.selected.textfont.color  # a click does not dim the labels
    hover = _trace(fig, "hover")
    assert sorted(hover.customdata) == sorted(ALL) and len(hover.hovertext) == 98
    short = dict(zip(_trace(fig, "short-labels").customdata, _trace(fig, "short-labels").text))
    assert short[101] == "KBH" and short[825] == "LÆS"


def test_label_ink_contrasts_with_every_fill():
    codes = ALL
    fig = tiles.tile_figure(
        tiles.hex_layout(codes),
        _values(codes, [np.nan if i % 7 == 0 else float(i) for i in range(len(codes))]),
        measure="offers",
        measure_label="x",
    )
    fill = {
        c: t.fillcolor for t in fig.data if (t.meta or {}).get("kind") == "hexagons" for c in t.meta["codes"]
    }
    labels = _trace(fig, "labels")
    inks = dict(zip(labels.customdata, labels.textfont.color))
    assert len(set(fill.values())) == 6  # five classes and 'ikke kortlagt'
    for code, colour in fill.items():
        assert tiles.contrast(colour, inks[code]) >= 4.5, (code, colour, inks[code])  # WCAG AA
    assert tiles.text_colour(map_payload.PALETTE[-1]) == tiles.LIGHT_INK  # white on the darkest blue
    assert tiles.text_colour(map_payload.PALETTE[0]) == tiles.DARK_INK  # dark on the palest yellow
    assert tiles.text_colour(tiles.UNMAPPED_COLOUR) == tiles.DARK_INK


def _px(css: str, feature: str) -> list[float]:
    import re

    return [float(v) for v in re.findall(rf"\({feature}: ([0-9.]+)px\)", css)]


def test_label_css_switches_at_the_cell_sizes_it_promises():
    fig = tiles.tile_figure(
        tiles.hex_layout(ALL), _values(ALL), measure="offers", measure_label="x", large=True
    )
    meta = fig.layout.meta
    css = tiles.label_css(meta, ".st-key-ck-stage")
    assert "container-type: size" in css and "100cqh" in css and "100cqw" in css
    assert ".st-key-ck-stage .js-plotly-plot .scatterlayer .trace:nth-last-child(1)" in css
    # Each breakpoint is where cell_px (the same sum in Python) crosses the threshold.
    two_line, none = tiles.MIN_TWO_LINE_PX / meta["label_factor"], tiles.MIN_CELL_PX
    widths, heights = _px(css, "max-width"), _px(css, "max-height")
    assert len(widths) == len(heights) == 2
    for threshold, w, h in zip((two_line, none), widths, heights):
        assert tiles.cell_px(meta, w, 10_000) == pytest.approx(threshold, abs=0.01)
        assert tiles.cell_px(meta, 10_000, h) == pytest.approx(threshold, abs=0.01)
    # A page with a fixed height: only the width is measured; 620 px is tall enough for two lines here.
    fixed = tiles.label_css(meta, ".st-key-ck-tiles", height_px=620)
    assert "container-type: inline-size" in fixed and "cqh" not in fixed and _px(fixed, "max-height") == []
    short = tiles.label_css(meta, ".st-key-ck-tiles", height_px=300)  # never tall enough: always short
    assert "@container (min-width: 0px)" in short


def test_label_css_holds_no_user_text():
    layout = tiles.hex_layout([751, 741])
    hostile = layout.cells.assign(municipality_name=["</style><script>x</script>", "A&B"], is_moved=True)
    fig = tiles.tile_figure(
        replace(layout, cells=hostile), _values([741, 751]), measure="offers", measure_label="<i>"
    )
    css = tiles.label_css(fig.layout.meta, ".st-key-ck-stage")
    assert css.count("<style>") == 1 and css.count("</style>") == 1
    assert "script" not in css and "A&B" not in css and "<i>" not in css
