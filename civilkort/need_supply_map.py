"""The need-and-supply view drawn: a bivariate tile map (Plotly, for the page), its 3 × 3 legend as HTML,
and both as one image for the council report (matplotlib). No Streamlit.

The tile map uses :mod:`civilkort.tiles`' layout (one equal hexagon per municipality, no boundaries needed)
and its label sizing (the last two traces are the abbreviations alone and label over class, with the
``layout.meta`` :func:`civilkort.tiles.label_css` reads). Every hexagon says its classes in text too
('B3·T1': behov 3, tilbud 1), the legend's cells say the same, and the hover says it in words, so the map
never relies on colour alone (WCAG 2.1 1.4.1). User text (municipality and target-group names) is escaped.
"""

from __future__ import annotations

import html
import io
import json
import math
from functools import cache, lru_cache

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from civilkort import assets, danish, tiles
from civilkort.charts import readable_text
from civilkort.need_supply import NEED_WORDS, NO_CLASS, NO_CLASS_COLOUR, PALETTE, SUPPLY_WORDS, WORRY
from civilkort.tiles import SQRT3, TileLayout

NEED_AXIS = "Behov ↑"
SUPPLY_AXIS = "Tilbud pr. 1.000 i målgruppen →"
NO_CLASS_PATTERN = {"shape": "/", "bgcolor": "#ffffff", "fgcolor": "#8f8f8f", "solidity": 0.2, "size": 9}
"""A municipality without classes: white with grey stripes, a grey outline."""
NO_CLASS_OUTLINE = "#6b6b6b"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def class_code(need, supply) -> str:
    """The short text in a hexagon and a legend cell: 'B3·T1' (behov 3, tilbud 1); '–' without classes."""
    if pd.isna(need) or pd.isna(supply):
        return "–"
    return f"B{int(need)}·T{int(supply)}"


def _number(value, decimals: int = 0) -> str:
    return "–" if value is None or pd.isna(value) else danish.number(float(value), decimals)


def hover_text(row, share: bool) -> str:
    """A hexagon's hover: name, class in words, the figures (escaped)."""
    if pd.isna(row.group_people):
        need = "–"
    elif share and pd.notna(row.need_pct):
        need = f"{_number(row.need_pct, 2)} % af indbyggerne ({_number(row.group_people)} personer)"
    else:
        need = f"{_number(row.group_people)} personer"
    lines = [
        f"<b>{_esc(row.municipality_name)}</b>",
        _esc(row.class_label),
        f"Behov: {need}",
        f"Tilbud: {_number(row.n)} · pr. 1.000 i målgruppen: {_number(row.per_1000_group, 2)}",
    ]
    return "<br>".join(lines)


def fitting_height(layout: TileLayout, width: int, low: int = 280, high: int = 560) -> int:
    """A height (px) at which the layout just fills ``width`` px, kept between ``low`` and ``high``."""
    x, y = layout.cells["x"], layout.cells["y"]
    cols = (x.max() - x.min()) / layout.size + 1 + 2 * tiles.RANGE_PAD
    rows = (y.max() - y.min()) / layout.size + 2 / SQRT3 + 2 * tiles.RANGE_PAD
    return int(min(high, max(low, round(width * rows / cols) + 2 * tiles.EDGE_PX)))


def tile_figure(layout: TileLayout, cells: pd.DataFrame, *, share: bool, height: int) -> go.Figure:
    """The bivariate tile map of one target group's ``cells`` (``need_supply.table`` rows for one group)."""
    by_code = cells.set_index("municipality_code")
    c = layout.cells.join(
        by_code[["need_class", "supply_class", "colour", "class_label", "need_pct", "group_people", "n",
                 "per_1000_group"]],
        on="municipality_code",
    )  # fmt: skip
    c["class_label"] = c["class_label"].fillna(NO_CLASS)
    has_class = c["need_class"].notna() & c["supply_class"].notna()
    size = layout.size
    x_range, y_range, rows_span, cols_span = tiles.frame(c, size)
    margin = {"l": tiles.EDGE_PX, "r": tiles.EDGE_PX, "t": tiles.EDGE_PX, "b": tiles.EDGE_PX}
    # Abbreviations, never full names: the class code then fits under them in smaller hexagons.
    factor = tiles.label_factor(c["municipality_name"].tolist(), False)
    label_px = int(min(tiles.MAX_LABEL_PX, max(9, factor * (height - 8) / rows_span)))

    traces: list[dict] = []
    xs_all, ys_all = _hexagons(c["x"].to_numpy(float), c["y"].to_numpy(float), size)
    colours = np.where(has_class.to_numpy(), c["colour"].fillna("").to_numpy(object), "")
    codes_all = c["municipality_code"].to_numpy(int)
    for colour in [col for row in PALETTE for col in row] + [""]:
        members = np.flatnonzero(colours == colour)
        if not len(members):
            continue
        traces.append(
            dict(
                type="scatter",
                x=_cut(xs_all[members]),
                y=_cut(ys_all[members]),
                mode="lines",
                fill="toself",
                fillcolor=colour or "#ffffff",
                **({} if colour else {"fillpattern": NO_CLASS_PATTERN}),
                line={"color": tiles.OUTLINE_COLOUR if colour else NO_CLASS_OUTLINE, "width": 1.5},
                hoverinfo="skip",
                showlegend=False,
                meta={"kind": "hexagons", "codes": codes_all[members].tolist()},
            )
        )
    codes = c["municipality_code"].astype(int).tolist()
    names = c["municipality_name"].tolist()
    abbreviations = [_esc(tiles.abbreviation(code, n)) for code, n in zip(codes, names)]
    shown = [class_code(a, b) for a, b in zip(c["need_class"], c["supply_class"])]
    ink = [tiles.text_colour(col if h else "#ffffff") for col, h in zip(c["colour"], has_class)]
    hover = [hover_text(r, share) for r in c[_HOVER_COLUMNS].itertuples(index=False)]
    traces += [
        tiles.hover_trace(c, hover, codes),
        *tiles.label_traces(c, abbreviations, abbreviations, shown, label_px, ink),
    ]
    axis = {"visible": False, "fixedrange": True, "constrain": "domain", "autorange": False}
    layout_dict = dict(
        height=height,
        margin={**margin, "autoexpand": False, "pad": 0},
        xaxis={**axis, "range": x_range, "constraintoward": "center"},
        yaxis={**axis, "range": y_range, "scaleanchor": "x", "scaleratio": 1, "constraintoward": "top"},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hovermode="closest",
        hoverdistance=-1,
        showlegend=False,
        dragmode=False,
        meta={
            "tile_map": True,
            "label_factor": factor,
            "short_factor": tiles.SHORT_FACTOR,
            "rows_span": round(rows_span, 4),
            "cols_span": round(cols_span, 4),
            "margin": margin,
            "moved": [_esc(n) for n in c.loc[c["is_moved"], "municipality_name"]],
        },
    )
    # Built without plotly's per-property validation (a third of a filter change's time at national scale);
    # the tests check the figure, and Streamlit sends a Figure as it is.
    layout_dict = _merge(_text_layout(), layout_dict)
    return go.Figure({"data": traces, "layout": layout_dict}, _validate=False)


_HOVER_COLUMNS = ["municipality_name", "class_label", "need_pct", "group_people", "n", "per_1000_group"]


@cache
def _text_layout() -> dict:
    """The layout :func:`civilkort.charts.readable_text` gives a figure (the app's readable text), made once."""
    return readable_text(go.Figure()).layout.to_plotly_json()


def _merge(base: dict, extra: dict) -> dict:
    """``extra`` over ``base``, nested dictionaries merged."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = (
            _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


def _hexagons(x: np.ndarray, y: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """The corners of each hexagon (as :func:`civilkort.tiles.hexagon`, closed: 7 per row)."""
    radius = size / SQRT3 * tiles.HEX_SCALE
    angles = np.radians(90 + 60 * np.arange(7))
    return x[:, None] + radius * np.cos(angles), y[:, None] + radius * np.sin(angles)


def _cut(corners: np.ndarray) -> list:
    """Rows of corners as one line trace's coordinates, each hexagon closed and cut from the next by None."""
    out = np.full((len(corners), corners.shape[1] + 1), None, dtype=object)
    out[:, :-1] = corners
    return out.ravel().tolist()


def legend_counts(cells: pd.DataFrame) -> dict[tuple[int, int], int]:
    """Municipalities per (need class, supply class)."""
    have = cells[cells["need_class"].notna() & cells["supply_class"].notna()]
    counts = have.groupby(["need_class", "supply_class"]).size()
    return {(int(n), int(s)): int(v) for (n, s), v in counts.items()}


NO_CLASS_NOTES = {
    "tiles": "Skraveret: ingen klasse (ingen indikator, intet folketal eller ikke kortlagt)",
    "boundaries": "Hvid med stiplet kant: ingen klasse (ingen indikator, intet folketal eller ikke kortlagt)",
}


def legend_html(cells: pd.DataFrame, *, map_kind: str = "tiles") -> str:
    """The 3 × 3 legend as an HTML table (``ui/assets/need_supply.css`` styles it): need up, supply right,
    each cell its colour, its code ('B3·T1'), its words and how many municipalities are in it; the
    worrying corner (high need, few offers) named and outlined."""
    counts = legend_counts(cells)
    rows = []
    for need in (3, 2, 1):
        tds = []
        for supply in (1, 2, 3):
            colour = PALETTE[need - 1][supply - 1]
            words = f"{NEED_WORDS[need]}, {SUPPLY_WORDS[supply]}"
            n = counts.get((need, supply), 0)
            worry = need == 3 and supply == 1
            tds.append(
                f'<td class="ck-bv-cell{" ck-bv-worry" if worry else ""}" '
                f'style="background:{colour};color:{tiles.text_colour(colour)}">'
                f'<span class="ck-bv-code">{class_code(need, supply)}</span>'
                + (f'<span class="ck-bv-name">{_esc(WORRY)}</span>' if worry else "")
                + f'<span class="ck-bv-n">{danish.count(n, "kommune", "kommuner")}</span>'
                + f'<span class="ck-bv-sr">{_esc(words)}</span></td>'
            )
        label = {3: "højt", 2: "middel", 1: "lavt"}[need]
        rows.append(f'<tr><th scope="row" class="ck-bv-y">{label}</th>{"".join(tds)}</tr>')
    head = "".join(f'<th scope="col">{w}</th>' for w in ("få", "middel", "mange"))
    return (
        '<div class="ck-bv-legend"><div class="ck-bv-axis-y" aria-hidden="true">'
        f"{_esc(NEED_AXIS)}</div>"
        "<table><caption>Signatur: behov (op) og tilbud pr. 1.000 i målgruppen (til højre)</caption>"
        f"<tbody>{''.join(rows)}</tbody>"
        f"<tfoot><tr><td></td>{head}</tr></tfoot></table>"
        f'<div class="ck-bv-axis-x" aria-hidden="true">{_esc(SUPPLY_AXIS)}</div>'
        f'<p class="ck-bv-none"><span class="ck-bv-swatch ck-bv-swatch-{map_kind}" aria-hidden="true"></span> '
        f"{NO_CLASS_NOTES[map_kind]}</p></div>"
    )


def folium_map(shapes: gpd.GeoDataFrame, cells: pd.DataFrame, *, share: bool, title: str) -> folium.Map:
    """The bivariate choropleth on the municipalities' boundaries (when loaded): one target group's ``cells``,
    ``shapes`` (``municipality_code``, geometry) as the build keeps them, simplified for display
    already (``queries.municipality_shapes``). No background tiles; a municipality without classes is white
    with a dashed grey border; the tooltip says the class in words (escaped)."""
    if shapes.crs is not None and shapes.crs.to_epsg() != 4326:
        shapes = shapes.to_crs(4326)
    gdf = shapes.merge(cells, on="municipality_code", how="left")
    has_class = gdf["need_class"].notna() & gdf["supply_class"].notna()
    gdf["fill"] = gdf["colour"].where(has_class, NO_CLASS_COLOUR).fillna(NO_CLASS_COLOUR)
    gdf["edge"] = np.where(has_class, "#ffffff", NO_CLASS_OUTLINE)
    gdf["dash"] = np.where(has_class, "", "4 3")
    gdf["tip"] = [
        hover_text(r, share) for r in gdf[_HOVER_COLUMNS].fillna({"class_label": NO_CLASS}).itertuples()
    ]
    west, south, east, north = gdf.total_bounds
    properties = gdf[["municipality_code", "fill", "edge", "dash", "tip"]].to_dict("records")
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": p, "geometry": g}
            for p, g in zip(properties, _geometries(tuple(shapely.to_geojson(gdf.geometry.values))))
        ],
    }
    m = folium.Map(tiles=None, zoom_control=True, attribution_control=False, zoom_snap=0.25, zoom_delta=0.5)
    folium.GeoJson(
        collection,
        name=_esc(title),
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 1,
            "color": f["properties"]["edge"],
            "weight": 1,
            "dashArray": f["properties"]["dash"] or None,
        },
        highlight_function=lambda f: {"weight": 3, "color": "#111111"},
        tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False, sticky=True),
    ).add_to(m)
    m.fit_bounds([[float(south), float(west)], [float(north), float(east)]])
    return assets.localize(m)


@lru_cache(maxsize=8)
def _geometries(texts: tuple[str, ...]) -> tuple[dict, ...]:
    """GeoJSON geometries as dicts, parsed once per area's shapes (a filter change only recolours them;
    geopandas' to_json walked every vertex in Python, a third of the map's time)."""
    return tuple(json.loads(t) for t in texts)


def report_png(layout: TileLayout, cells: pd.DataFrame, title: str) -> bytes:
    """The bivariate tile map with its 3 × 3 legend as one PNG for the council report (matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle, RegularPolygon

    c = layout.cells.join(cells.set_index("municipality_code")[["need_class", "supply_class", "colour"]],
                          on="municipality_code")  # fmt: skip
    fig = plt.figure(figsize=(8.0, 5.2))
    ax = fig.add_axes([0.0, 0.0, 0.64, 0.92])
    radius = layout.size / SQRT3 * tiles.HEX_SCALE
    full = len(c) <= tiles.FULL_NAMES_UP_TO
    font = 7 if full else max(4.0, min(8.0, 260 / max(1, math.sqrt(len(c)) * 12)))
    for r in c.itertuples():
        classed = not (pd.isna(r.need_class) or pd.isna(r.supply_class))
        colour = r.colour if classed else "#ffffff"
        ax.add_patch(
            RegularPolygon(
                (r.x, r.y),
                numVertices=6,
                radius=radius,
                orientation=0,
                facecolor=colour,
                edgecolor="#ffffff" if classed else NO_CLASS_OUTLINE,
                hatch=None if classed else "///",
                linewidth=1.0,
            )
        )
        name = (
            str(r.municipality_name) if full else tiles.abbreviation(r.municipality_code, r.municipality_name)
        )
        ink = tiles.text_colour(colour)
        ax.text(r.x, r.y, f"{name}\n{class_code(r.need_class, r.supply_class)}", ha="center", va="center",
                fontsize=font, color=ink)  # fmt: skip
    pad = layout.size
    ax.set_xlim(c["x"].min() - pad, c["x"].max() + pad)
    ax.set_ylim(c["y"].min() - pad, c["y"].max() + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    fig.suptitle(str(title), fontsize=10, x=0.02, ha="left")

    lg = fig.add_axes([0.70, 0.30, 0.27, 0.42])
    counts = legend_counts(cells)
    for need in (1, 2, 3):
        for supply in (1, 2, 3):
            colour = PALETTE[need - 1][supply - 1]
            lg.add_patch(Rectangle((supply - 1, need - 1), 1, 1, facecolor=colour, edgecolor="white"))
            text = f"{class_code(need, supply)}\n{counts.get((need, supply), 0)}"
            lg.text(supply - 0.5, need - 0.5, text, ha="center", va="center", fontsize=6.5,
                    color=tiles.text_colour(colour))  # fmt: skip
    lg.add_patch(Rectangle((0, 2), 1, 1, fill=False, edgecolor="#111111", linewidth=2))
    lg.annotate(WORRY, xy=(0.5, 3), xytext=(0.0, 3.35), fontsize=7, fontweight="bold",
                arrowprops={"arrowstyle": "-", "color": "#111111"})  # fmt: skip
    lg.set_xlim(0, 3)
    lg.set_ylim(0, 3)
    lg.set_aspect("equal")
    lg.set_xticks([0.5, 1.5, 2.5], ["få", "middel", "mange"], fontsize=6.5)
    lg.set_yticks([0.5, 1.5, 2.5], ["lavt", "middel", "højt"], fontsize=6.5)
    lg.set_xlabel(SUPPLY_AXIS, fontsize=7)
    lg.set_ylabel(NEED_AXIS, fontsize=7)
    for spine in lg.spines.values():
        spine.set_visible(False)
    lg.tick_params(length=0)
    fig.text(0.70, 0.16, "Tal i felterne: kommuner.\nSkraveret: ingen klasse.", fontsize=6.5)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=130, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


__all__ = ["NEED_AXIS", "SUPPLY_AXIS", "class_code", "folium_map", "legend_html", "report_png", "tile_figure"]
