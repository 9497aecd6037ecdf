"""A tile map: each municipality one equal-size hexagon, placed roughly where it is (no Streamlit).

A choropleth hides small municipalities (Frederiksberg, Dragør, Læsø) next to large ones; here every
municipality gets the same area. The layout needs no boundary file: it starts from the municipalities'
representative points (``civilkort.reference.municipalities()``):

1. project them (``x = lon · cos(lat0)``, ``y = lat``, so a degree east and a degree north have about the
   same length), and take the typical distance to the nearest neighbour (its upper quartile, see
   :data:`SIZE_QUANTILE`) as the distance between hexagon centres;
2. pull far-away points (Bornholm) towards their nearest neighbour until they are at most
   :data:`MAX_GAP` hexagons away, and flag them (``is_moved``) so the map can say so;
3. lay a hexagon grid over the points and give each municipality its own cell with the smallest total
   squared distance between point and cell (an optimal assignment, the Hungarian method), trying a few
   grid offsets and keeping the best.

Everything is deterministic: the same codes give the same cells.  :func:`tile_figure` draws the layout
as a Plotly figure coloured like the map's choropleth (same classes and palette, same "ikke kortlagt"),
its axes hugging the grid so that it fills whatever size the page gives it; :func:`label_css` sizes the
labels to the hexagons on screen (Plotly's text sizes are fixed px, the page's size is known only there).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from civilkort import reference
from civilkort.charts import readable_text
from civilkort.contrast import contrast, ink
from civilkort.map_payload import PALETTE, class_colors, format_number, value_classes

MAX_GAP = 2.5
"""A point further than this many hexagons from its nearest neighbour is pulled in (and flagged)."""
SIZE_QUANTILE = 0.75
"""Hexagon spacing: this quantile of the nearest-neighbour distances. The median packs dense suburbs
tightly but leaves holes in rural Jutland; the upper quartile gives a compact, contiguous map."""
SQRT3 = math.sqrt(3.0)
UNMAPPED_COLOUR = "#c9c9c9"
"""Municipalities without any records ('ikke kortlagt'): grey and hatched, as in the gap matrix."""
UNMAPPED_PATTERN = {
    "shape": "/",
    "bgcolor": UNMAPPED_COLOUR,
    "fgcolor": "#8f8f8f",
    "solidity": 0.15,
    "size": 9,
}
"""Light stripes on the grey, so the shape shows and a dark label on it still reads."""
UNMAPPED_LABEL = "Ikke kortlagt"
MOVED_LABEL = "Rykket tættere på"
OUTLINE_COLOUR = "#ffffff"
MOVED_OUTLINE_COLOUR = "#333333"
FULL_NAMES_UP_TO = 24
"""With at most this many hexagons they are large enough for the full name; above it, abbreviations."""
HEX_SCALE = 0.96
"""Hexagons drawn this much smaller than their cell, leaving a thin white gap between neighbours."""
RANGE_PAD = 0.06
"""Room around the outermost hexagons, in cells: the axes hug the grid."""
EDGE_PX = 4
"""Figure margin (px) on the sides without the legend."""
TWO_LINE_FACTOR = 0.30
"""Label over value: font size as a share of the distance between hexagon centres (both lines fit)."""
SHORT_FACTOR = 0.38
"""The abbreviation alone (hexagons too small for two lines): font size as a share of the distance."""
MIN_TWO_LINE_PX = 12
"""Label over value only when that gives at least this font size; below, the abbreviation alone."""
MIN_CELL_PX = 22
"""Hexagons closer than this (px) get no label at all (the hover still names them)."""
MAX_LABEL_PX = 56
"""Labels never larger than this, however large the hexagons."""
CHAR_EM = 0.5
"""A generous average character width (em) of the UI font, for reserving the legend's room."""
TOP_LEGEND_WIDTH_PX = 460
"""A legend above the map is given room for the rows it takes in a plot this narrow (the Kort page's map
column on a 1280 px screen with the sidebar open); wider, it takes fewer rows and leaves a little room."""
DARK_INK = "#111111"
LIGHT_INK = "#ffffff"

ABBREVIATIONS: dict[int, str] = {
    101: "KBH", 147: "FRB", 151: "BAL", 153: "BRØ", 155: "DRA", 157: "GEN", 159: "GLA", 161: "GLO",
    163: "HER", 165: "ALB", 167: "HVI", 169: "HTÅ", 173: "LTÅ", 175: "RØD", 183: "ISH", 185: "TÅR",
    187: "VAL", 190: "FUR", 201: "ALL", 210: "FRE", 217: "HEL", 219: "HIL", 223: "HØR", 230: "RUD",
    240: "EGE", 250: "FRS", 253: "GRE", 259: "KØG", 260: "HAL", 265: "ROS", 269: "SOL", 270: "GRI",
    306: "ODS", 316: "HOL", 320: "FAX", 326: "KAL", 329: "RIN", 330: "SLA", 336: "STE", 340: "SOR",
    350: "LEJ", 360: "LOL", 370: "NÆS", 376: "GUL", 390: "VOR", 400: "BOR", 410: "MID", 420: "ASS",
    430: "FMI", 440: "KER", 450: "NYB", 461: "ODE", 479: "SVE", 480: "NFY", 482: "LAN", 492: "ÆRØ",
    510: "HAD", 530: "BIL", 540: "SØN", 550: "TØN", 561: "ESB", 563: "FAN", 573: "VAR", 575: "VJN",
    580: "ABR", 607: "FRC", 615: "HOR", 621: "KOL", 630: "VEJ", 657: "HRN", 661: "HST", 665: "LEM",
    671: "STR", 706: "SDJ", 707: "NDJ", 710: "FAV", 727: "ODD", 730: "RAN", 740: "SIL", 741: "SAM",
    746: "SKA", 751: "AAR", 756: "IBR", 760: "RKS", 766: "HED", 773: "MOR", 779: "SKI", 787: "THI",
    791: "VIB", 810: "BRS", 813: "FRH", 820: "VHI", 825: "LÆS", 840: "REB", 846: "MAR", 849: "JAM",
    851: "AAL", 860: "HJØ",
}  # fmt: skip
"""Three-letter abbreviations, unique across the 98 municipalities, for small hexagons."""


@dataclass(frozen=True)
class TileLayout:
    """Hexagon cells for a set of municipalities.

    ``cells``: one row per municipality (sorted by code): ``municipality_code``, ``municipality_name``,
    ``col``, ``row`` (the grid cell, counted from the west and from the top), ``x``, ``y`` (the cell's
    centre, projected degrees), ``point_x``, ``point_y`` (the representative point, projected) and
    ``is_moved`` (pulled closer because it lies far from the rest, e.g. Bornholm).
    ``size``: the distance between neighbouring centres.
    """

    cells: pd.DataFrame
    size: float

    @property
    def moved(self) -> list[str]:
        """Names of the municipalities pulled closer to the rest."""
        return self.cells.loc[self.cells["is_moved"], "municipality_name"].tolist()

    def neighbours(self, code_a: int, code_b: int) -> bool:
        """True if the two municipalities' cells share an edge."""
        by_code = self.cells.set_index("municipality_code")
        a, b = by_code.loc[code_a], by_code.loc[code_b]
        return bool(math.isclose(math.hypot(a.x - b.x, a.y - b.y), self.size, rel_tol=1e-6))


# --- layout ----------------------------------------------------------------------------------------


def _project(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points as (x, y) with x = lon · cos(mean lat), y = lat."""
    lat0 = math.radians(float(np.mean(lat)))
    return np.column_stack([lon * math.cos(lat0), lat])


def _nearest(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distance to, and index of, each point's nearest other point."""
    d = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    return d.min(axis=1), d.argmin(axis=1)


def _pull_in(points: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """Points further than MAX_GAP cells from their nearest neighbour moved to that distance; and which."""
    out = points.copy()
    moved = np.zeros(len(points), dtype=bool)
    if len(points) < 2:
        return out, moved
    dist, nearest = _nearest(points)
    for i in np.argsort(-dist, kind="stable"):  # the most remote first, each towards its neighbour as is
        j = nearest[i]
        gap = float(np.hypot(*(out[i] - out[j])))
        if gap > MAX_GAP * size:
            out[i] = out[j] + (out[i] - out[j]) * (MAX_GAP * size / gap)
            moved[i] = True
    return out, moved


def _grid(points: np.ndarray, size: float, shift: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Hexagon cells (col, row) and their centres around the points, the grid shifted by ``shift`` cells."""
    dy = size * SQRT3 / 2
    margin = 2
    x0 = points[:, 0].min() - margin * size + shift[0] * size
    y0 = points[:, 1].min() - margin * dy + shift[1] * dy
    n_cols = int(math.ceil((points[:, 0].max() - x0) / size)) + margin + 1
    n_rows = int(math.ceil((points[:, 1].max() - y0) / dy)) + margin + 1
    cols, rows = np.meshgrid(np.arange(n_cols), np.arange(n_rows))
    cols, rows = cols.ravel(), rows.ravel()
    centres = np.column_stack([x0 + (cols + 0.5 * (rows % 2)) * size, y0 + rows * dy])
    return np.column_stack([cols, rows]), centres


def assign(cost: np.ndarray) -> np.ndarray:
    """The column for each row that minimises the total cost, each column used at most once.

    The Hungarian method (shortest augmenting paths with potentials), O(n² m) for n rows ≤ m columns,
    with the inner loop over columns in numpy.  Deterministic: ties go to the lowest index.
    """
    n, m = cost.shape
    if n > m:
        raise ValueError(f"Flere rækker ({n}) end kolonner ({m})")
    u = np.zeros(n + 1)
    v = np.zeros(m + 1)
    p = np.zeros(m + 1, dtype=int)  # p[j]: the row (1-based) holding column j; 0 = free
    way = np.zeros(m + 1, dtype=int)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = np.full(m + 1, np.inf)
        used = np.zeros(m + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = p[j0]
            free = ~used[1:]
            cur = cost[i0 - 1] - u[i0] - v[1:]
            better = free & (cur < minv[1:])
            minv[1:][better] = cur[better]
            way[1:][better] = j0
            masked = np.where(free, minv[1:], np.inf)
            j1 = int(np.argmin(masked)) + 1
            delta = masked[j1 - 1]
            u[p[used]] += delta
            v[used] -= delta
            minv[1:][free] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
    result = np.empty(n, dtype=int)
    for j in range(1, m + 1):
        if p[j]:
            result[p[j] - 1] = j - 1
    return result


SHIFTS = tuple((sx / 3, sy / 2) for sy in range(2) for sx in range(3))
"""Grid offsets tried (in cells); the one with the smallest total displacement is kept."""


@lru_cache(maxsize=64)
def _layout(codes: tuple[int, ...]) -> TileLayout:
    m = reference.municipalities().set_index("municipality_code").loc[list(codes)]
    points = _project(m["lat"].to_numpy(float), m["lon"].to_numpy(float))
    if len(points) == 1:
        size = 1.0
    else:
        size = float(np.quantile(_nearest(points)[0], SIZE_QUANTILE))
        size = size if size > 0 else 1.0
    pulled, moved = _pull_in(points, size)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for shift in SHIFTS:
        cells, centres = _grid(pulled, size, shift)
        cost = ((pulled[:, None, :] - centres[None, :, :]) ** 2).sum(-1) / size**2
        chosen = assign(cost)
        total = float(cost[np.arange(len(chosen)), chosen].sum())
        if best is None or total < best[0] - 1e-9:
            best = (total, cells[chosen], centres[chosen])
    assert best is not None
    _, cells, centres = best
    # Rows counted from the top (north), columns from the west, both from 0.
    rows = cells[:, 1].max() - cells[:, 1]
    frame = pd.DataFrame(
        {
            "municipality_code": list(codes),
            "municipality_name": m["municipality_name"].tolist(),
            "col": cells[:, 0] - cells[:, 0].min(),
            "row": rows - rows.min(),
            "x": centres[:, 0],
            "y": centres[:, 1],
            "point_x": points[:, 0],
            "point_y": points[:, 1],
            "is_moved": moved,
        }
    )
    return TileLayout(cells=frame, size=size)


def hex_layout(codes: list[int] | tuple[int, ...]) -> TileLayout:
    """The tile layout of these municipality codes (any subset of the 98; order does not matter)."""
    unique = tuple(sorted({int(c) for c in codes}))
    if not unique:
        raise ValueError("Ingen kommuner at lægge ud")
    known = set(reference.municipalities()["municipality_code"])
    unknown = [c for c in unique if c not in known]
    if unknown:
        raise ValueError(f"Ukendte kommunekoder: {unknown}")
    return _layout(unique)


def hexagon(x: float, y: float, size: float, scale: float = HEX_SCALE) -> tuple[list[float], list[float]]:
    """The corners of a pointy-top hexagon around (x, y), closed (7 points), ``scale`` < 1 leaves a gap."""
    radius = size / SQRT3 * scale
    angles = np.radians(90 + 60 * np.arange(7))
    return (x + radius * np.cos(angles)).tolist(), (y + radius * np.sin(angles)).tolist()


def _outlines(cells: pd.DataFrame, size: float, scale: float = HEX_SCALE) -> tuple[list, list]:
    """The hexagons of ``cells`` (columns x, y) as one line trace's x and y, each closed and cut by a None."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for r in cells.itertuples(index=False):
        hx, hy = hexagon(r.x, r.y, size, scale)
        xs += [*hx, None]
        ys += [*hy, None]
    return xs, ys


# --- figure ----------------------------------------------------------------------------------------


def abbreviation(code: int, name: str) -> str:
    """The municipality's short label (three letters), or the first three letters of an unknown one."""
    return ABBREVIATIONS.get(int(code)) or str(name)[:3].upper()


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def text_colour(fill: str) -> str:
    """Label ink for a hexagon's fill: white or dark, whichever reads better, and at least WCAG AA's 4.5:1
    (:func:`civilkort.contrast.ink`; black on the mid blue #2c7fb8, where white and #111111 are 4.3:1)."""
    return ink(fill, DARK_INK, LIGHT_INK)


def _wrap_name(name: str) -> str:
    """A full name for a large hexagon: hyphenated names broken after the hyphen."""
    return "-<br>".join(_esc(part) for part in str(name).split("-"))


def _value_text(measure: str, value: float) -> str:
    if measure == "offers_per_10k":
        return f"{value:.1f}".replace(".", ",")
    return format_number(value)


def label_factor(names: list[str], full: bool) -> float:
    """Label font size as a share of the distance between hexagon centres, so the labels fit inside.

    Abbreviations (three letters over a number): :data:`TWO_LINE_FACTOR`. Full names: smaller for the
    longest line (names are broken after a hyphen), so 'Frederikssund' still fits across a hexagon.
    """
    if not full:
        return TWO_LINE_FACTOR
    longest = max((len(part) for n in names for part in str(n).split("-")), default=3)
    return round(min(TWO_LINE_FACTOR, 0.9 / (0.6 * max(longest, 3))), 4)


def _legend_room(title: str, items: list[str], title_px: int, item_px: int, side: str) -> int:
    """A generous estimate (px) of the legend's width (``side="right"``) or height (``"top"``: the title
    over rows of items, laid out for a plot :data:`TOP_LEGEND_WIDTH_PX` wide)."""
    title_w = CHAR_EM * title_px * len(title)
    widths = [CHAR_EM * item_px * len(i) + 40 for i in items]
    if side == "right":
        return int(math.ceil(max([title_w, *widths]) + 16))
    rows, used = 1, 0.0
    for w in widths:
        if used and used + w > TOP_LEGEND_WIDTH_PX:
            rows, used = rows + 1, 0.0
        used += w
    return int(math.ceil((1 + rows) * (max(title_px, item_px) * 1.6 + 2) + 4))


def frame(cells: pd.DataFrame, size: float) -> tuple[list[float], list[float], float, float]:
    """The axes' ranges hugging the hexagons centred at ``cells``' x, y (:data:`RANGE_PAD` of a cell around
    them), and how many cells high and wide they are (what :func:`label_css` sizes the labels by)."""
    pad = RANGE_PAD * size
    half_width, radius = size / 2 * HEX_SCALE, size / SQRT3 * HEX_SCALE
    x_range = [float(cells["x"].min() - half_width - pad), float(cells["x"].max() + half_width + pad)]
    y_range = [float(cells["y"].min() - radius - pad), float(cells["y"].max() + radius + pad)]
    return x_range, y_range, (y_range[1] - y_range[0]) / size, (x_range[1] - x_range[0]) / size


def hover_trace(cells: pd.DataFrame, hover: list[str], codes: list[int]) -> dict:
    """Invisible markers at the centres that carry the (escaped) hover and the click: the nearest centre is
    the hexagon under the pointer. On their own trace, so a click dims nothing that can be seen."""
    return dict(
        type="scatter",
        x=cells["x"].tolist(),
        y=cells["y"].tolist(),
        mode="markers",
        marker={"symbol": "hexagon", "size": 4, "color": "rgba(0,0,0,0)"},
        hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>",
        customdata=codes,
        showlegend=False,
        name="kommuner",
        meta={"kind": "hover"},
    )


def label_traces(
    cells: pd.DataFrame,
    abbreviations: list[str],
    names: list[str],
    values: list[str],
    size_px: int,
    ink: list[str],
) -> list[dict]:
    """The labels, a map's last two traces (:func:`label_css` finds them there and shows one of them): the
    abbreviation alone for hexagons too small for two lines, and name over value. Texts already escaped."""
    codes = cells["municipality_code"].astype(int).tolist()
    return [
        dict(
            type="scatter",
            x=cells["x"].tolist(),
            y=cells["y"].tolist(),
            mode="text",
            text=text,
            textposition="middle center",
            textfont={"size": size_px, "color": ink},
            customdata=codes,
            hoverinfo="skip",
            # A click selects a point of the hover trace; Plotly would dim every label (none of them is
            # selected) unless the selected ones have a colour of their own.
            selected={"textfont": {"color": DARK_INK}},
            showlegend=False,
            name=kind,
            meta={"kind": kind},
        )
        for kind, text in (
            ("short-labels", abbreviations),
            ("labels", [f"{a}<br><b>{b}</b>" for a, b in zip(names, values)]),
        )
    ]


def tile_figure(
    layout: TileLayout,
    values: pd.DataFrame,
    *,
    measure: str,
    measure_label: str,
    large: bool = False,
    height: int | None = None,
    full_names: bool | None = None,
    legend: str = "right",
) -> go.Figure:
    """The tile map: one hexagon per municipality, coloured by ``value`` in the map's classes and palette.

    ``values``: ``municipality_code``, ``municipality_name``, ``value`` (NaN = ikke kortlagt) and
    ``value_label`` (as :func:`civilkort.queries.municipality_values` returns them). Each hexagon holds its
    label (abbreviation, or the full name when there are few) over its value, centred; the hover text holds
    the full name and value label (escaped); each label point's ``customdata`` is the municipality code.
    'Ikke kortlagt' is grey and hatched. Hexagons moved closer (Bornholm) get a dark dotted outline.

    The axes hug the hexagons (:data:`RANGE_PAD` of a cell around them) at equal scale, and the plot
    area shrinks in the direction with room to spare (``constrain="domain"``), so the grid fills the
    width or the height of whatever size the page gives the figure. The margins are fixed (the legend's
    room is reserved, ``legend="right"`` or ``"top"``), so a page can size the labels to the hexagons
    with :func:`label_css`; ``layout.meta`` carries what that needs. Without the CSS the labels get a
    fixed size (from ``height`` in px when given). ``large``: projector-size legend and hover text.
    """
    if legend not in ("right", "top"):
        raise ValueError(f"Ukendt placering af signaturen: {legend!r}")
    by_code = values.set_index("municipality_code")
    cells = layout.cells.join(by_code[["value", "value_label"]], on="municipality_code")
    value = cells["value"].astype(float).to_numpy()
    unmapped = ~np.isfinite(value)
    classes = value_classes(value[~unmapped])
    colours = class_colors(len(classes))
    highs = np.asarray([hi for _, hi in classes]) if classes else np.asarray([])
    index = np.where(
        unmapped, -1, np.minimum(np.searchsorted(highs, np.nan_to_num(value), side="left"), len(classes) - 1)
    )
    full = len(cells) <= FULL_NAMES_UP_TO if full_names is None else full_names
    factor = label_factor(cells["municipality_name"].tolist(), full)
    size = layout.size
    x_range, y_range, rows_span, cols_span = frame(cells, size)

    legend_px = 22 if large else 12
    item_px = legend_px - 2 if large else legend_px
    groups = [(k, colours[k], _class_label(*classes[k])) for k in range(len(classes))]
    groups.append((-1, UNMAPPED_COLOUR, UNMAPPED_LABEL))
    moved = cells[cells["is_moved"]]
    # The dotted outline gets a legend entry beside the map; above it the room is short, and the pages
    # say in words which municipalities were moved.
    moved_entry = bool(len(moved)) and legend == "right"
    items = [label for k, _, label in groups if (index == k).any()] + ([MOVED_LABEL] if moved_entry else [])
    room = _legend_room(str(measure_label), items, legend_px, item_px, legend)
    margin = {"l": EDGE_PX, "r": EDGE_PX, "t": EDGE_PX, "b": EDGE_PX}
    if legend == "right":
        margin["r"] = room + EDGE_PX
        legend_place = {"orientation": "v", "x": 1, "xanchor": "right", "y": 1, "yanchor": "top"}
    else:  # rows above the map, the title on top
        margin["t"] = room + EDGE_PX
        legend_place = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "top"}
    label_px = 17 if large else 12
    if height:  # without CSS: the labels as large as the hexagons are at least (the height binds)
        cell_px = (height - margin["t"] - margin["b"]) / rows_span
        label_px = int(min(MAX_LABEL_PX, max(9, factor * cell_px)))

    fig = go.Figure()
    for k, colour, label in groups:
        members = cells[index == k]
        if not len(members):
            continue
        xs, ys = _outlines(members, size)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=colour,
                fillpattern=UNMAPPED_PATTERN if k == -1 else None,
                line={"color": OUTLINE_COLOUR, "width": 1.5},
                name=_esc(label),
                hoverinfo="skip",
                showlegend=False,
                meta={"kind": "hexagons", "codes": [int(c) for c in members["municipality_code"]]},
            )
        )
        # The legend entry: a hexagon of the class colour (a filled line trace would show a line).
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={
                    "symbol": "hexagon",
                    "size": 22 if large else 14,
                    "color": colour,
                    "line": {"color": "#6b6b6b" if k == -1 else colour, "width": 1},
                },
                name=_esc(label),
                legendrank=k if k >= 0 else 1000,
                hoverinfo="skip",
            )
        )
    if len(moved):
        xs, ys = _outlines(moved, size, scale=0.88)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"color": MOVED_OUTLINE_COLOUR, "width": 2, "dash": "dot"},
                name=MOVED_LABEL,
                hoverinfo="skip",
                showlegend=moved_entry,
                legendrank=2000,
            )
        )
    codes = cells["municipality_code"].astype(int).tolist()
    names = cells["municipality_name"].tolist()
    abbreviations = [_esc(abbreviation(c, n)) for c, n in zip(codes, names)]
    short = [_wrap_name(n) for n in names] if full else abbreviations
    shown = ["–" if u else _value_text(measure, v) for u, v in zip(unmapped, value)]
    ink = [text_colour(UNMAPPED_COLOUR if k < 0 else colours[k]) for k in index]
    hover = [
        f"<b>{_esc(n)}</b><br>{_esc(lbl if isinstance(lbl, str) else '–')}"
        + ("<br><i>Rykket tættere på resten af kortet</i>" if mv else "")
        for n, lbl, mv in zip(names, cells["value_label"], cells["is_moved"])
    ]
    fig.add_traces(
        [hover_trace(cells, hover, codes), *label_traces(cells, abbreviations, short, shown, label_px, ink)]
    )
    axis = {"visible": False, "fixedrange": True, "constrain": "domain", "autorange": False}
    fig.update_layout(
        height=height,
        margin={**margin, "autoexpand": False, "pad": 0},
        xaxis={**axis, "range": x_range, "constraintoward": "center"},
        yaxis={
            **axis,
            "range": y_range,
            "scaleanchor": "x",
            "scaleratio": 1,
            "constraintoward": "top" if legend == "top" else "middle",
        },
        plot_bgcolor="white",
        paper_bgcolor="white",
        hovermode="closest",
        hoverdistance=-1,
        hoverlabel={"font": {"size": legend_px}},
        showlegend=True,
        legend={
            **legend_place,
            "xref": "container",
            "yref": "container",
            "title": {"text": _esc(measure_label), "font": {"size": legend_px, "color": "#111111"}},
            "font": {"size": item_px, "color": "#111111"},
            "bgcolor": "rgba(255,255,255,0.85)",
            "itemclick": False,
            "itemdoubleclick": False,
        },
        dragmode=False,
        clickmode="event+select",
        meta={
            "tile_map": True,
            "label_factor": factor,
            "short_factor": SHORT_FACTOR,
            "rows_span": round(rows_span, 4),
            "cols_span": round(cols_span, 4),
            "margin": margin,
            "moved": [_esc(n) for n in moved["municipality_name"]],
        },
    )
    return readable_text(fig)  # the hover text too, whatever Streamlit's chart theme says


def cell_px(meta: dict, width: float, height: float) -> float:
    """The distance between hexagon centres in px when the figure is ``width`` × ``height`` px."""
    m = meta["margin"]
    return min((height - m["t"] - m["b"]) / meta["rows_span"], (width - m["l"] - m["r"]) / meta["cols_span"])


def label_css(meta: dict, scope: str, *, height_px: int | None = None) -> str:
    """CSS that sizes a tile map's labels to its hexagons on screen (numbers only, no user data).

    ``scope``: a selector for the element holding just the chart, which becomes a CSS size container:
    ``height_px`` is the chart's height when the page fixes it (only the width is then measured),
    otherwise the element must have a definite height (as the presentation stage has). The distance
    between hexagon centres is worked out as :func:`cell_px` does, from the container's size
    (``cqw``/``cqh``); label over value at ``label_factor`` of it when that is at least
    :data:`MIN_TWO_LINE_PX`, else the abbreviation alone at ``short_factor``, else (below
    :data:`MIN_CELL_PX`) no label, only the hover. Each label is centred in its hexagon by lines (em).
    """
    m = meta["margin"]
    rows, cols = float(meta["rows_span"]), float(meta["cols_span"])
    factor, short = float(meta["label_factor"]), float(meta["short_factor"])
    high = (
        f"({height_px - m['t'] - m['b']}px / {rows:.4f})"
        if height_px
        else f"((100cqh - {m['t'] + m['b']}px) / {rows:.4f})"
    )
    wide = f"((100cqw - {m['l'] + m['r']}px) / {cols:.4f})"
    cell = f"min({high}, {wide})"
    two_line_px = MIN_TWO_LINE_PX / factor  # the smallest cell that takes label over value

    def below(px: float) -> str:
        """A container condition true when the cell is smaller than ``px``."""
        parts = [f"(max-width: {px * cols + m['l'] + m['r'] - 0.01:.2f}px)"]
        if height_px is None:
            parts.append(f"(max-height: {px * rows + m['t'] + m['b'] - 0.01:.2f}px)")
        elif (height_px - m["t"] - m["b"]) / rows < px:
            return "(min-width: 0px)"  # always
        return " or ".join(parts)

    layer = f"{scope} .js-plotly-plot .scatterlayer"
    css = _LABEL_CSS.substitute(
        scope=scope,
        container_type="inline-size" if height_px else "size",
        layer=layer,
        full=f"{layer} .trace:nth-last-child(1)",
        abbr=f"{layer} .trace:nth-last-child(2)",
        cell=cell,
        factor=f"{factor:.4f}",
        short=f"{short:.4f}",
        max_label=MAX_LABEL_PX,
        below_two_lines=below(two_line_px),
        below_min_cell=below(MIN_CELL_PX),
    )
    return f"<style>{css}</style>"


_LABEL_CSS = Template((Path(__file__).parent / "web" / "tile_labels.css").read_text(encoding="utf-8"))


def _class_label(low: float, high: float) -> str:
    return format_number(low) if low == high else f"{format_number(low)} – {format_number(high)}"


def clicked_code(selection: dict | None) -> int | None:
    """The municipality code of a clicked hexagon from st.plotly_chart's selection state."""
    for point in (selection or {}).get("points") or []:
        data = point.get("customdata")
        if isinstance(data, list | tuple):
            data = data[0] if data else None
        if isinstance(data, int | float) and not isinstance(data, bool):
            return int(data)
    return None


__all__ = [
    "ABBREVIATIONS",
    "PALETTE",
    "TileLayout",
    "abbreviation",
    "assign",
    "cell_px",
    "contrast",
    "hex_layout",
    "label_css",
    "label_factor",
    "text_colour",
    "tile_figure",
]
