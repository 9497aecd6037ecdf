"""WCAG 2.1 AA contrast of the app's own colours (issue #18): text 4.5:1, large text and meaningful
graphical objects 3:1, computed with ``civilkort.contrast`` for the charts, the tile map, the heatmaps,
the map's markers and clusters (``civilkort/web/map_runtime.css``) and the choropleth classes."""

from __future__ import annotations

import inspect
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from civilkort import charts, map_payload, network_chart, reference, tiles
from civilkort.contrast import AA_LARGE, AA_TEXT, BLACK, WHITE, contrast, ink, luminance, over, rgba

ROOT = Path(__file__).resolve().parents[2]
CSS = (ROOT / "civilkort" / "web" / "map_runtime.css").read_text(encoding="utf-8")
STREAMLIT_CHART_GREY = "#808495"
"""What Streamlit's chart theme draws chart text in when the figure does not say (3.7:1 on white)."""


# --- the formula ----------------------------------------------------------------------------------


def test_contrast_gives_wcag_reference_values():
    assert contrast(BLACK, WHITE) == pytest.approx(21.0)
    assert contrast("#777", "#777777") == pytest.approx(1.0)
    assert round(contrast("#767676", WHITE), 2) == 4.54  # the lightest grey that passes AA on white
    assert round(contrast(STREAMLIT_CHART_GREY, WHITE), 1) == 3.7
    assert contrast("#2c7fb8", WHITE) == pytest.approx(contrast(WHITE, "#2c7fb8"))
    assert luminance("rgb(255, 255, 255)") == pytest.approx(1.0)
    assert over("rgba(0,0,0,.5)", WHITE) == "#808080" and over("#000000", WHITE, 0.25) == "#bfbfbf"
    with pytest.raises(ValueError):
        luminance("rgba(0,0,0,.5)")  # see-through: composite first
    with pytest.raises(ValueError):
        rgba("teal")


@pytest.mark.parametrize(
    "fill", [f"#{v:02x}{w:02x}{v:02x}" for v in range(0, 256, 15) for w in (0, 128, 255)]
)
def test_ink_always_reaches_aa(fill):
    assert contrast(fill, ink(fill)) >= AA_TEXT
    assert contrast("#2c7fb8", ink("#2c7fb8")) >= AA_TEXT  # 4.3:1 with both white and #111111


# --- charts: the text Streamlit's theme would draw grey ----------------------------------------------


def _timeline() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "collaboration_id": [1, 2],
            "title": ["Motion for alle", "<b>Madklub</b>"],
            "draw_start": ["2025-01-01", "2025-06-01"],
            "draw_end": ["2026-06-30", "2027-01-01"],
            "start_date": ["2025-01-01", "2025-06-01"],
            "end_date": ["2026-06-30", None],
            "is_start_unknown": [False, False],
            "is_open_ended": [False, True],
            "is_ended": [False, False],
            "units": ["Hospital", "Kommune"],
            "organisations": ["DGI", "Ældre Sagen"],
            "kind_label": ["Projekt", "Drift"],
            "theme_label": ["Bevægelse", "Ensomhed"],
            "status_label": ["Aktiv", None],
        }
    )


def _matrix(n: int = 12) -> pd.DataFrame:
    rows = [("101", "København", True), ("147", "Frederiksberg", True), ("825", "Læsø", False)]
    cols = [(f"t{j}", f"Tema {j}", True) for j in range(n)]
    out = []
    for i, (rk, rl, rm) in enumerate(rows):
        for j, (ck, cl, cm) in enumerate(cols):
            value = float((i * n + j) % (n + 1))  # 0 (a gap) up to the top of the scale
            out.append((rk, rl, ck, cl, int(value), value, rm, cm))
    return pd.DataFrame(
        out,
        columns=["row_key", "row_label", "col_key", "col_label", "n", "value", "row_mapped", "col_mapped"],
    )


def _change() -> pd.DataFrame:
    changes = list(range(-6, 7))
    return pd.DataFrame(
        {
            "municipality_name": ["A"] * len(changes),
            "theme_label": [f"T{c}" for c in changes],
            "before": [10] * len(changes),
            "after": [10 + c for c in changes],
            "change": changes,
        }
    )


def _coverage() -> pd.DataFrame:
    status = ["godt kortlagt", "delvist kortlagt", "spinkelt kortlagt", "ikke kortlagt"]
    return pd.DataFrame(
        {"municipality_name": ["A", "B", "C", "D"], "score": [90.0, 55.0, 12.0, None], "status": status}
    )


def _compare() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "level": ["council", "council", "national"],
            "name": ["Aarhus", "Vestjylland", "Hele landet"],
            "region_name": ["Midtjylland", "Midtjylland", None],
            "offers": [120.0, 80.0, 1000.0],
        }
    )


def _tile_figure() -> go.Figure:
    m = reference.municipalities()
    codes = m["municipality_code"].tolist()
    values = [np.nan if i % 7 == 0 else float(i) for i in range(len(codes))]
    frame = pd.DataFrame(
        {
            "municipality_code": codes,
            "municipality_name": m["municipality_name"],
            "value": values,
            "value_label": ["ikke kortlagt" if np.isnan(v) else f"{v:.0f} tilbud" for v in values],
        }
    )
    return tiles.tile_figure(tiles.hex_layout(codes), frame, measure="offers", measure_label="Tilbud")


FIGURES = {
    "counts_bar": lambda: charts.counts_bar(
        pd.DataFrame({"l": ["a", "b"], "n": [3, 0]}), "l", "n", title="T"
    ),
    "network_figure": lambda: network_chart.network_figure(
        pd.DataFrame(
            {
                "node_id": ["u1", "o1"],
                "kind": ["regional_unit", "organisation"],
                "name": ["Hospital", "DGI"],
                "type_label": ["Hospital", "Forening"],
                "n_collaborations": [1, 1],
            }
        ),
        pd.DataFrame({"source": ["u1"], "target": ["o1"], "weight": [1]}),
    ),
    "timeline_figure": lambda: charts.timeline_figure(_timeline(), today="2026-01-01"),
    "timeline_figure (tom)": lambda: charts.timeline_figure(_timeline().iloc[0:0], today="2026-01-01"),
    "gap_heatmap": lambda: charts.gap_heatmap(_matrix(), value_title="Tilbud"),
    "coverage_bar": lambda: charts.coverage_bar(_coverage()),
    "compare_bar": lambda: charts.compare_bar(_compare(), "offers", title="Tilbud", additive=True),
    "ending_bar": lambda: charts.ending_bar(
        pd.DataFrame(
            {
                "collaboration_id": [1, 2],
                "title": ["A", "B"],
                "kind_label": ["Projekt", "Drift"],
                "end_date": [pd.Timestamp("2026-03-01"), pd.Timestamp("2026-09-01")],
                "days_left": [60, 240],
            }
        )
    ),
    "change_heatmap": lambda: charts.change_heatmap(_change()),
    "tile_figure": _tile_figure,
    "for_projector": lambda: charts.for_projector(
        charts.counts_bar(pd.DataFrame({"l": ["a"], "n": [1]}), "l", "n", title="")
    ),
}


def test_every_chart_builder_is_checked():
    """A new figure builder in charts.py or network_chart.py must be added to FIGURES (and so go through readable_text)."""
    builders = {
        name
        for module in (charts, network_chart)
        for name, f in inspect.getmembers(module, inspect.isfunction)
        if f.__module__ == module.__name__
        and not name.startswith("_")
        and inspect.signature(f).return_annotation in ("go.Figure", go.Figure)
        and name != "readable_text"
    }
    assert builders <= {name.split(" ")[0] for name in FIGURES}


def _text_colours(fig: go.Figure) -> dict[str, str]:
    """Where chart text gets its colour, and the colour: the figure's own, or else Streamlit's grey."""
    lay = fig.layout
    found = {
        "font": lay.font.color,
        "title": lay.title.font.color,
        "legend": lay.legend.font.color,
        "legend title": lay.legend.title.font.color,
        "hover": lay.hoverlabel.font.color,
    }
    for axis in [*fig.select_xaxes(), *fig.select_yaxes()]:
        name = axis.plotly_name
        found[f"{name} ticks"] = axis.tickfont.color
        found[f"{name} title"] = axis.title.font.color
    return {k: v or STREAMLIT_CHART_GREY for k, v in found.items()}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_chart_text_reads_on_white(name):
    fig = FIGURES[name]()
    backgrounds = {fig.layout.plot_bgcolor or WHITE, fig.layout.paper_bgcolor or WHITE}
    hover_bg = fig.layout.hoverlabel.bgcolor
    assert hover_bg and contrast(hover_bg, WHITE) == 1  # hover boxes white, not a trace colour
    for where, colour in _text_colours(fig).items():
        for bg in backgrounds:
            assert contrast(colour, bg) >= AA_TEXT, (name, where, colour, bg, round(contrast(colour, bg), 2))


def _plotly_auto_ink(fill: str) -> str:
    """Plotly's own text colour on a bar or heatmap cell when the figure gives none: #444 on light, white on
    dark (tinycolor's perceived brightness)."""
    r, g, b, _ = rgba(fill)
    return "#444444" if (r * 299 + g * 587 + b * 114) / 1000 >= 128 else WHITE


def _heatmap_labels(fig: go.Figure) -> list[tuple[str, str, str]]:
    """(text, its colour, its cell's colour) for every number drawn in a heatmap cell."""
    out = []
    for trace in fig.data:
        if trace.type != "heatmap" or not trace.texttemplate:
            continue
        z = np.asarray(trace.z, dtype=float)
        text = np.asarray(trace.text, dtype=object)
        zmin = trace.zmin if trace.zmin is not None else np.nanmin(z)
        zmax = trace.zmax if trace.zmax is not None else np.nanmax(z)
        scale = [list(stop) for stop in trace.colorscale]
        for (i, j), value in np.ndenumerate(z):
            if np.isnan(value) or not text[i, j]:
                continue
            cell = charts.scale_colour(scale, value, zmin, zmax)
            out.append((text[i, j], trace.textfont.color or _plotly_auto_ink(cell), cell))
    return out


@pytest.mark.parametrize("name", ["gap_heatmap", "change_heatmap"])
def test_heatmap_numbers_read_on_their_cells(name):
    labels = _heatmap_labels(FIGURES[name]())
    assert len(labels) >= 13
    worst = min(labels, key=lambda t: contrast(t[1], t[2]))
    assert contrast(worst[1], worst[2]) >= AA_TEXT, worst


@pytest.mark.parametrize("scale", ["GAP_SCALE", "CHANGE_SCALE"])
def test_cell_inks_read_on_every_colour_of_the_scale(scale):
    colours = getattr(charts, scale)
    values = np.linspace(0, 1, 201)
    for value, font in zip(values, charts.cell_inks(values, colours, 0, 1, charts.TEXT_COLOUR)):
        cell = charts.scale_colour(colours, value, 0, 1)
        assert contrast(font, cell) >= AA_TEXT, (scale, value, cell, font)


def test_gap_and_unmapped_cells_have_readable_numbers():
    for cell, font in ((charts.GAP_ZERO_COLOUR, "#5a2a00"), (charts.UNMAPPED_COLOUR, "#444444")):
        fig = FIGURES["gap_heatmap"]()
        trace = next(t for t in fig.data if t.type == "heatmap" and t.colorscale[0][1] == cell)
        assert trace.textfont.color == font and contrast(font, cell) >= AA_TEXT
    assert contrast(charts.GAP_ZERO_TEXT, WHITE) >= AA_TEXT  # '0 – ingen tilbud' on the projector


def test_coverage_bar_numbers_read_inside_their_bars():
    bar = FIGURES["coverage_bar"]().data[0]
    colours = bar.textfont.color if bar.textfont.color is not None else [None] * len(bar.marker.color)
    for fill, font in zip(bar.marker.color, colours):
        font = font or _plotly_auto_ink(fill)
        assert contrast(fill, font) >= AA_TEXT, (fill, font, round(contrast(fill, font), 2))


# --- tile map ---------------------------------------------------------------------------------------


def test_tile_labels_read_on_every_tile_colour():
    fig = _tile_figure()
    fill = {
        c: t.fillcolor for t in fig.data if (t.meta or {}).get("kind") == "hexagons" for c in t.meta["codes"]
    }
    assert len(set(fill.values())) == 6  # five classes and 'ikke kortlagt'
    for kind in ("labels", "short-labels"):
        trace = next(t for t in fig.data if (t.meta or {}).get("kind") == kind)
        inks = dict(zip(trace.customdata, trace.textfont.color))
        for code, colour in fill.items():
            assert contrast(colour, inks[code]) >= AA_TEXT, (code, colour, inks[code])
    # every class colour a tile can get, however many classes the data makes
    for n in range(1, len(map_payload.PALETTE) + 1):
        for colour in map_payload.class_colors(n):
            assert contrast(colour, tiles.text_colour(colour)) >= AA_TEXT, colour
    stripes = tiles.UNMAPPED_PATTERN["fgcolor"]
    assert contrast(tiles.text_colour(tiles.UNMAPPED_COLOUR), stripes) >= AA_TEXT  # the label over a stripe


# --- the map: markers, clusters, choropleth ---------------------------------------------------------


def _rules(selector_part: str) -> dict[str, str]:
    """Declarations of the CSS rules whose selector contains ``selector_part`` (later rules win)."""
    out: dict[str, str] = {}
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        if selector_part in selector:
            for decl in body.split(";"):
                if ":" in decl:
                    key, value = decl.split(":", 1)
                    out[key.strip()] = value.strip()
    return out


MAP_BACKGROUND = _rules(".leaflet-container")["background"]


def test_unit_marker_letters_read_on_every_marker_fill():
    """White letters on each unit type's colour, exact and approximate ('ck-approx') alike; the
    approximate look is a dashed border, not a see-through marker (80 % gave 3.3:1 on Den Sociale
    Virksomhed's teal)."""
    letter = _rules(".ck-unit-shape")["color"]
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS):
        if ".ck-unit" in selector:
            assert "opacity" not in body, selector
    assert "dashed" in _rules(".ck-unit.ck-approx")["border-style"]
    for _, colour, _ in map_payload.UNIT_TYPES.values():
        assert contrast(letter, colour) >= AA_TEXT, (colour, round(contrast(letter, colour), 2))


def _choropleth_fills() -> list[str]:
    """The five classes as drawn on the map: at the areas' fill opacity over the map's background."""
    opacity = inspect.signature(map_payload._areas_payload).parameters["opacity"].default
    return [over(c, MAP_BACKGROUND, opacity) for c in map_payload.PALETTE]


def test_cluster_circles_stand_out_and_their_numbers_read():
    inner = _rules(".ck-cluster-inner")
    circle, number = inner["background"], inner["color"]
    ring = inner["border"].split()[-1]
    assert contrast(number, circle) >= AA_TEXT
    assert contrast(circle, MAP_BACKGROUND) >= AA_LARGE
    # over a coloured municipality: the dark circle or its white ring stands out from every class
    for fill in _choropleth_fills():
        assert max(contrast(circle, fill), contrast(ring, fill)) >= AA_LARGE, fill


CLASS_FIGURES = {
    # class: (vs the next class, vs the map's 'ikke kortlagt' hatch ground, vs the tile map's grey)
    "#ffffcc": (1.55, 1.09, 1.61),
    "#a1dab4": (1.52, 1.30, 1.04),
    "#41b6c4": (1.80, 1.81, 1.46),
    "#2c7fb8": (2.42, 2.82, 2.62),
    "#253494": (None, 5.53, 6.35),
}
"""The choropleth's figures (WCAG ratios). Five classes from pale yellow to dark blue cannot each be 3:1
from the next (that would take 3⁴ = 81:1), nor all 3:1 from one grey: 'ikke kortlagt' is told apart by
its hatching (map and tile map) and the tile map's '–' label, not by colour alone (WCAG 1.4.1)."""


def test_choropleth_classes_are_ordered_and_documented():
    assert list(CLASS_FIGURES) == list(map_payload.PALETTE)
    assert [luminance(c) for c in map_payload.PALETTE] == sorted(
        (luminance(c) for c in map_payload.PALETTE), reverse=True
    )
    hatch_ground = over("#eeeeee", MAP_BACKGROUND, 0.9)  # the map's #ck-hatch pattern at its fill opacity
    for k, (colour, drawn) in enumerate(zip(map_payload.PALETTE, _choropleth_fills())):
        nxt, vs_map, vs_tiles = CLASS_FIGURES[colour]
        if nxt is not None:
            assert round(contrast(colour, map_payload.PALETTE[k + 1]), 2) == nxt >= 1.5
        assert round(contrast(drawn, hatch_ground), 2) == vs_map
        assert round(contrast(colour, tiles.UNMAPPED_COLOUR), 2) == vs_tiles
    # the darkest class, the one most often next to a hatched 'ikke kortlagt', is 3:1 from it on both
    assert (
        CLASS_FIGURES[map_payload.PALETTE[-1]][1] >= AA_LARGE
        and CLASS_FIGURES[map_payload.PALETTE[-1]][2] >= AA_LARGE
    )
    assert tiles.UNMAPPED_PATTERN["shape"]  # hatched, not only grey


# --- the app's theme --------------------------------------------------------------------------------


def test_theme_captions_and_code_in_captions_read():
    """Streamlit draws captions at 60 % of the text colour; code in a caption at 60 % of the code colour,
    on the code's light grey (#fdfdfd as drawn, measured by axe on *Rapport til mødet*)."""
    theme = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["theme"]
    caption = over(theme["textColor"], WHITE, 0.6)
    assert contrast(caption, WHITE) >= AA_TEXT
    code = over(theme.get("codeTextColor", "#158237"), WHITE, 0.6)
    assert contrast(code, "#fdfdfd") >= AA_TEXT, code
    assert theme["textColor"] == charts.TEXT_COLOUR  # charts write in the app's text colour
