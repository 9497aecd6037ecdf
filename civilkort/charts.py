"""Plotly figures from query results (no Streamlit import)."""

from __future__ import annotations

import html
import textwrap
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from civilkort import danish
from civilkort.contrast import BLACK, WHITE, ink

UNIT_COLOUR = "#b2182b"
ORG_COLOUR = "#0b5563"


def _esc(text: object) -> str:
    """Plotly hover text is HTML: escape user text."""
    return html.escape(str(text), quote=True)


TEXT_COLOUR = "#111111"
"""Every chart's text: the app's own text colour (``.streamlit/config.toml`` textColor), 18.9:1 on white."""


def readable_text(fig: go.Figure) -> go.Figure:
    """All of ``fig``'s text in :data:`TEXT_COLOUR` on white hover labels, set in the figure's own layout.

    Every figure the app draws goes through here (the builders below, and ``civilkort.tiles``). Streamlit's
    chart theme (``st.plotly_chart``'s default ``theme="streamlit"``) draws axis labels and titles, legend
    titles, colour bars and hover text in its grey #808495, 3.7:1 on white (WCAG AA asks 4.5:1). It does so
    in the browser by merging its own values over the figure's *template* (``layout.template.layout``), so a
    Plotly template of ours would lose; values in the figure's layout itself win over any template.
    """
    text = {"color": TEXT_COLOUR}
    fig.update_layout(
        font=text,
        title_font=text,
        legend_font=text,
        legend_title_font=text,
        hoverlabel={"font": text, "bgcolor": WHITE, "bordercolor": TEXT_COLOUR},
    )
    fig.update_xaxes(tickfont=text, title_font=text)
    fig.update_yaxes(tickfont=text, title_font=text)
    return fig


def _danish_numbers(fig: go.Figure) -> go.Figure:
    """Numbers as Danes write them: 128.965 and 2,5 (not 128965, 129k or 2.5) on every axis and label;
    and the text readable (:func:`readable_text`): every builder here returns through this."""
    fig.update_layout(separators=",.")
    fig.update_xaxes(exponentformat="none", separatethousands=True)
    fig.update_yaxes(exponentformat="none", separatethousands=True)
    return readable_text(fig)


def scale_colour(scale: list, value: float, zmin: float, zmax: float) -> str:
    """The colour Plotly paints ``value`` with on a continuous ``scale`` from ``zmin`` to ``zmax``
    (linear in RGB between the stops, as plotly.js does), as ``rgb(r, g, b)``."""
    t = 0.0 if zmax <= zmin else min(1.0, max(0.0, (float(value) - zmin) / (zmax - zmin)))
    return sample_colorscale(scale, [t], colortype="rgb")[0]


def cell_inks(values: np.ndarray, scale: list, zmin: float, zmax: float, dark: str) -> np.ndarray:
    """For each heatmap cell value, the text colour that reads on its cell (:func:`civilkort.contrast.ink`:
    ``dark`` or white, whichever contrasts more, and at least 4.5:1)."""
    flat = np.asarray(values, dtype=float).reshape(-1)
    chosen = {v: ink(scale_colour(scale, v, zmin, zmax), dark, WHITE) for v in set(flat[np.isfinite(flat)])}
    return np.asarray([chosen.get(v, dark) for v in flat], dtype=object).reshape(np.shape(values))


def counts_bar(df: pd.DataFrame, label_col: str, value_col: str, *, title: str) -> go.Figure:
    """A horizontal bar chart, largest on top, zero bars kept visible."""
    d = df.sort_values(value_col)
    fig = go.Figure(
        go.Bar(
            x=d[value_col],
            y=[_esc(v) for v in d[label_col]],
            orientation="h",
            marker_color=ORG_COLOUR,
            text=d[value_col],
            texttemplate="%{x:,}",
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    fig.update_layout(
        title=title,
        height=max(220, 28 * len(d) + 80),
        margin={"l": 10, "r": 30, "t": 40, "b": 10},
        # each bar carries its number: an axis of thousands would only crowd a narrow column
        xaxis={
            "title": None,
            "range": [0, max(1, float(d[value_col].max())) * 1.15],
            "showticklabels": False,
        },
        yaxis_title=None,
    )
    return _danish_numbers(fig)


TIMELINE_PALETTE = ("#0b5563", "#e07a1f", "#6a3d9a", "#2a9d3a", "#b2182b", "#1f78b4", "#8c6d31", "#d4488e")
KIND_COLOURS = {"Projekt": "#e07a1f", "Drift": "#0b5563", "Ikke angivet": "#9aa5ad"}
NO_VALUE_COLOUR = "#9aa5ad"
OPEN_ENDED_LABEL = "Løbende (ingen slutdato) ▸"


def _period(row) -> str:
    start = "ukendt start" if row.is_start_unknown else danish.date(row.start_date)
    end = "løbende" if row.is_open_ended else danish.date(row.end_date)
    return f"{start} – {end}"


def _year_ticks(lo: pd.Timestamp, hi: pd.Timestamp) -> tuple[list[str], list[str]]:
    """Ticks on 1 January (and 1 July when the span is short), labelled without English month names."""
    half_years = (hi - lo).days < 4 * 365
    vals, texts = [], []
    for year in range(lo.year, hi.year + 2):
        for month, text in ((1, str(year)), (7, f"jul. {year}")):
            tick = pd.Timestamp(year=year, month=month, day=1)
            if lo <= tick <= hi and (month == 1 or half_years):
                vals.append(tick.strftime("%Y-%m-%d"))
                texts.append(text)
    return vals, texts


def timeline_figure(df: pd.DataFrame, *, colour_by: str = "theme", today: object = None) -> go.Figure:
    """Collaborations as bars from start to end (rows in the given order, top to bottom).

    ``df`` holds radar.timeline rows. Bars are coloured by first theme (``colour_by="theme"``) or by
    kind (``"kind"``); open-ended bars are hatched, end in an arrow and share the legend entry
    'Løbende'; ended ones are faded; a dashed line marks today. Each bar's customdata is its
    collaboration_id (for click-through). Built from plain lists in one go: it runs on every rerun.
    """
    column = "theme_label" if colour_by == "theme" else "kind_label"
    today_ts = pd.Timestamp(today) if today is not None else pd.Timestamp.today().normalize()
    if df.empty:
        return readable_text(
            go.Figure(layout={"height": 160, "margin": {"l": 10, "r": 10, "t": 10, "b": 10}})
        )
    groups = list(dict.fromkeys(df[column]))
    if colour_by == "kind":
        colours = {g: KIND_COLOURS.get(g, NO_VALUE_COLOUR) for g in groups}
    else:
        named = sorted(g for g in groups if g != "Intet tema")
        colours = {g: TIMELINE_PALETTE[i % len(TIMELINE_PALETTE)] for i, g in enumerate(named)}
        colours["Intet tema"] = NO_VALUE_COLOUR
    start = pd.to_datetime(df["draw_start"])
    end = pd.to_datetime(df["draw_end"])
    # A one-day collaboration still gets a visible bar.
    duration_ms = (((end - start).dt.days.clip(lower=1) + 1) * 86_400_000).tolist()
    starts, ends = start.dt.strftime("%Y-%m-%d").tolist(), end.dt.strftime("%Y-%m-%d").tolist()
    ids, labels = [], []
    bars: dict[tuple[str, bool], dict[str, list]] = {}
    arrows: dict[str, list] = {"x": [], "y": [], "customdata": [], "hovertext": []}
    for i, r in enumerate(df.itertuples(index=False)):
        ident, is_open = str(r.collaboration_id), bool(r.is_open_ended)
        title = str(r.title)
        ids.append(ident)
        labels.append(_esc(title if len(title) <= 45 else title[:44] + "…"))
        hover = (
            f"<b>{_esc(title)}</b><br>{_esc(r.units or '–')} × {_esc(r.organisations or '–')}"
            f"<br>{_period(r)}<br>Art: {_esc(r.kind_label)} · Tema: {_esc(r.theme_label)}"
            f"<br>Status: {_esc(r.status_label if pd.notna(r.status_label) else '–')}"
        )
        bar = bars.setdefault(
            (getattr(r, column), is_open),
            {"y": [], "x": [], "base": [], "customdata": [], "hovertext": [], "opacity": []},
        )
        bar["y"].append(ident)
        bar["x"].append(duration_ms[i])
        bar["base"].append(starts[i])
        bar["customdata"].append([ident])
        bar["hovertext"].append(hover)
        bar["opacity"].append(0.35 if r.is_ended else (0.7 if is_open else 0.95))
        if is_open:
            arrows["x"].append(ends[i])
            arrows["y"].append(ident)
            arrows["customdata"].append([ident])
            arrows["hovertext"].append(hover)
    traces: list[dict] = []
    in_legend: set[str] = set()  # a group's first trace names it, open-ended or not
    for group in groups:
        for is_open in (False, True):
            bar = bars.get((group, is_open))
            if bar is None and (is_open or any(g == group for g, _ in bars)):
                continue
            bar = bar or {"y": [], "x": [], "base": [], "customdata": [], "hovertext": [], "opacity": []}
            opacity = bar.pop("opacity")
            traces.append(
                {
                    "type": "bar",
                    "orientation": "h",
                    "name": _esc(group),
                    "legendgroup": _esc(group),
                    "showlegend": group not in in_legend,
                    "hovertemplate": "%{hovertext}<extra></extra>",
                    "marker": {
                        "color": colours[group],
                        "opacity": opacity,
                        "pattern": {
                            "shape": "/" if is_open else "",
                            "fillmode": "overlay",
                            "fgcolor": "white",
                            "size": 7,
                        },
                        "line": {"width": 0},
                    },
                    **bar,
                }
            )
            in_legend.add(group)
    traces.append(
        {
            "type": "scatter",
            "mode": "markers",
            "name": OPEN_ENDED_LABEL,
            "legendgroup": "open_ended",
            "showlegend": True,
            "marker": {"symbol": "triangle-right", "size": 10, "color": "#333333"},
            "hovertemplate": "%{hovertext}<extra></extra>",
            **arrows,
        }
    )
    lo = min(start.min(), today_ts) - pd.Timedelta(days=30)
    hi = max(end.max(), today_ts) + pd.Timedelta(days=45)
    tickvals, ticktext = _year_ticks(lo, hi)
    today_iso = today_ts.strftime("%Y-%m-%d")
    top, bottom = 110, 30
    height = max(300, 22 * len(df) + top + bottom)
    layout = {
        "barmode": "overlay",
        "height": height,
        "margin": {"l": 10, "r": 20, "t": top, "b": bottom},
        # Above the top date axis: 36 px over the plot area, whatever the chart's height.
        "legend": {
            "orientation": "h",
            "y": 1 + 36 / (height - top - bottom),
            "yanchor": "bottom",
            "x": 0,
            "title": {"text": ""},
        },
        "plot_bgcolor": "white",
        "bargap": 0.25,
        "clickmode": "event+select",
        "xaxis": {
            "type": "date",
            "range": [lo.strftime("%Y-%m-%d"), hi.strftime("%Y-%m-%d")],
            "tickvals": tickvals,
            "ticktext": ticktext,
            "showgrid": True,
            "gridcolor": "#e5e8eb",
            "side": "top",
        },
        "yaxis": {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": ids,
            "autorange": "reversed",
            "tickmode": "array",
            "tickvals": ids,
            "ticktext": labels,
            "automargin": True,
        },
        "shapes": [
            {
                "type": "line",
                "x0": today_iso,
                "x1": today_iso,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
                "line": {"color": "#b2182b", "width": 2, "dash": "dash"},
            }
        ],
        "annotations": [
            {
                "x": today_iso,
                "y": 0,
                "yref": "paper",
                "text": f"I dag ({today_ts:%d-%m-%Y})",
                "showarrow": False,
                "yanchor": "top",
                "font": {"color": "#b2182b"},
            }
        ],
    }
    return _danish_numbers(go.Figure({"data": traces, "layout": layout}))


# --- Gap analysis (Huller) and council comparison (Sammenlign) -------------------------------------

GAP_ZERO_COLOUR = "#f4a261"
"""Empty cells (no offers): a warm colour that stands out from the blue-green scale."""
GAP_ZERO_TEXT = "#b34700"
"""Text saying 'no offers' on white: the gap colour, dark enough to read."""
UNMAPPED_COLOUR = "#c9c9c9"
"""Municipalities without any records ('ikke kortlagt'): grey, never a white spot."""
GAP_SCALE = [[0.0, "#e0f3f1"], [0.5, "#5fa8a8"], [1.0, ORG_COLOUR]]
GAP_DARK_TEXT = "#10302f"
"""Numbers on light cells of :data:`GAP_SCALE` (white on dark ones; :func:`cell_inks` picks)."""
STATUS_COLOURS = {
    "godt kortlagt": ORG_COLOUR,
    "delvist kortlagt": "#5fa8a8",
    "spinkelt kortlagt": GAP_ZERO_COLOUR,
    "ikke kortlagt": UNMAPPED_COLOUR,
}
REGION_COLOURS = ["#0b5563", "#b2182b", "#6a51a3", "#d08c00", "#4d4d4d"]


def _wrap(text: object, width: int) -> str:
    """Escaped label broken into lines of about ``width`` characters (Plotly's <br>)."""
    return "<br>".join(_esc(line) for line in textwrap.wrap(str(text), width) or [""])


def _number(value: float, per_10k: bool) -> str:
    if pd.isna(value):
        return "–"
    return f"{value:.1f}".replace(".", ",") if per_10k else str(int(value))


def _inked_heatmap(
    fig: go.Figure,
    z: np.ndarray,
    text: np.ndarray,
    *,
    where: np.ndarray,
    scale: list,
    zmin: float,
    zmax: float,
    dark: str,
    scale_title: str,
    **trace: Any,
) -> None:
    """Add the cells ``where`` of ``z`` (with their ``text``) to ``fig`` on one colour scale, as one heatmap
    trace per text colour, so every number reads on its own cell (a heatmap has one text colour per trace):
    ``dark`` on light cells, white on dark ones, black where neither reaches 4.5:1 (:func:`cell_inks`). Only
    the first trace shows the scale; ``trace`` goes to every trace (axes, hover)."""
    inks = np.where(where, cell_inks(z, scale, zmin, zmax, dark), "")
    fonts = [f for f in (dark, WHITE, BLACK) if (inks == f).any()] or [dark]
    for k, font in enumerate(fonts):
        mask = where & (inks == font)
        fig.add_trace(
            go.Heatmap(
                z=np.where(mask, z, np.nan),
                text=np.where(mask, text, ""),
                texttemplate="%{text}",
                textfont={"color": font},
                colorscale=scale,
                zmin=zmin,
                zmax=zmax,
                xgap=2,
                ygap=2,
                showscale=k == 0,
                colorbar={"title": {"text": scale_title, "side": "right"}, "thickness": 12, "len": 0.6},
                **trace,
            )
        )


def gap_heatmap(
    df: pd.DataFrame,
    *,
    value_title: str = "Tilbud",
    per_10k: bool = False,
    selected: tuple[str, str] | None = None,
    col_wrap: int = 16,
    decimals: int = 1,
) -> go.Figure:
    """A gap matrix as a heatmap: counts on a blue-green scale, empty cells orange with '0',
    'ikke kortlagt' rows/columns grey with '–'; one invisible clickable marker per cell
    (customdata = [row_key, col_key]).

    ``df`` is a long matrix from ``civilkort.gaps`` (row_key, row_label, col_key, col_label, n,
    value, row_mapped, col_mapped) in display order. ``selected`` outlines one cell. ``per_10k``: the value is
    a rate, written with ``decimals`` (missing as '–').
    Built from numpy arrays: a 98 × 16 matrix must render within a filter change's time budget.
    """
    rows = df.drop_duplicates("row_key")
    cols = df.drop_duplicates("col_key")
    row_keys, col_keys = rows["row_key"].astype(str).tolist(), cols["col_key"].astype(str).tolist()
    nr, nc = len(row_keys), len(col_keys)
    n = df["n"].to_numpy().reshape(nr, nc)
    value = df["value"].astype(float).to_numpy().reshape(nr, nc)
    unmapped = ~(df["row_mapped"].to_numpy(bool) & df["col_mapped"].to_numpy(bool)).reshape(nr, nc)
    zero = (n == 0) & ~unmapped
    positive = ~zero & ~unmapped
    if per_10k:
        shown = pd.Series(value.reshape(-1)).map(
            lambda v: "–" if pd.isna(v) else f"{v:.{decimals}f}".replace(".", ",")
        )
    else:
        shown = pd.Series(n.reshape(-1)).astype(str)
    text = np.where(unmapped.reshape(-1), "–", shown.to_numpy(dtype=object)).reshape(nr, nc)
    x, y = np.arange(nc), np.arange(nr)
    row_labels = [
        _esc(label) + ("" if ok else " (ikke kortlagt)")
        for label, ok in zip(rows["row_label"], rows["row_mapped"])
    ]
    upright = nc <= 8  # few columns: wrapped horizontal labels; many: vertical labels
    col_labels = [
        _wrap(label, col_wrap if upright else 26) + ("" if ok else "<br>(ikke kortlagt)")
        for label, ok in zip(cols["col_label"], cols["col_mapped"])
    ]

    def own_text(mask: np.ndarray) -> np.ndarray:  # each trace writes only its own cells' numbers
        return np.where(mask, text, "")

    vmax = max(float(np.nanmax(value[positive])) if positive.any() else 1.0, 1e-9)
    fig = go.Figure()
    _inked_heatmap(fig, value, text, where=positive, scale=GAP_SCALE, zmin=0, zmax=vmax, dark=GAP_DARK_TEXT,
                   scale_title=_esc(value_title), x=x, y=y, hoverinfo="skip")  # fmt: skip
    for mask, colour, font in ((zero, GAP_ZERO_COLOUR, "#5a2a00"), (unmapped, UNMAPPED_COLOUR, "#444444")):
        fig.add_trace(
            go.Heatmap(
                z=np.where(mask, 1.0, np.nan),
                x=x,
                y=y,
                text=own_text(mask),
                texttemplate="%{text}",
                textfont={"color": font},
                colorscale=[[0, colour], [1, colour]],
                showscale=False,
                xgap=2,
                ygap=2,
                hoverinfo="skip",
            )
        )
    state = np.where(unmapped, "ikke kortlagt", np.where(zero, "ingen tilbud", text)).reshape(-1)
    col_names = [_esc(c) for c in cols["col_label"]]
    hover = [
        f"{row_labels[i]}<br>{col_names[j]}<br><b>{state[i * nc + j]}</b>"
        for i in range(nr)
        for j in range(nc)
    ]
    keys = np.column_stack([np.repeat(row_keys, nc), np.tile(col_keys, nr)]) if nr * nc else np.empty((0, 2))
    # Plotly heatmaps cannot be selected; a transparent marker on each cell carries the click.
    fig.add_trace(
        go.Scatter(
            x=np.tile(x, nr),
            y=np.repeat(y, nc),
            mode="markers",
            marker={"symbol": "square", "size": 26, "color": "rgba(0,0,0,0)"},
            selected={"marker": {"color": "rgba(0,0,0,0.18)"}},
            unselected={"marker": {"opacity": 1}},
            customdata=keys,
            text=hover,
            hovertemplate="%{text}<extra></extra>",
            showlegend=False,
            name="felter",
        )
    )
    for label, colour in (("0 = ingen tilbud (hul)", GAP_ZERO_COLOUR), ("Ikke kortlagt", UNMAPPED_COLOUR)):
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "square", "size": 14, "color": colour},
                name=label,
                hoverinfo="skip",
            )
        )
    if selected is not None and str(selected[0]) in row_keys and str(selected[1]) in col_keys:
        i, j = row_keys.index(str(selected[0])), col_keys.index(str(selected[1]))
        fig.add_shape(
            type="rect", x0=j - 0.5, x1=j + 0.5, y0=i - 0.5, y1=i + 0.5, line={"color": "#111111", "width": 3}
        )
    if upright:
        label_px = 16 * max((c.count("<br>") + 1 for c in col_labels), default=1)
    else:
        label_px = 6 * max(
            (len(line) for c in cols["col_label"] for line in textwrap.wrap(str(c), 26)), default=1
        )
    fig.update_layout(
        height=max(260, 26 * nr + label_px + 140),
        margin={"l": 10, "r": 10, "t": label_px + 20, "b": 10},
        xaxis={
            "tickangle": 0 if upright else -90,
            "tickmode": "array",
            "tickvals": x,
            "ticktext": col_labels,
            "side": "top",
            "showgrid": False,
            "zeroline": False,
            "range": [-0.5, nc - 0.5],
            "fixedrange": True,
        },
        yaxis={
            "tickmode": "array",
            "tickvals": y,
            "ticktext": row_labels,
            "autorange": "reversed",
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },
        legend={"orientation": "h", "y": -0.02, "yanchor": "top", "x": 0},
        plot_bgcolor="white",
        hovermode="closest",
        hoverdistance=-1,  # the nearest cell centre is the cell under the pointer
        clickmode="event+select",
    )
    return _danish_numbers(fig)


def heatmap_cell(selection: dict | None) -> tuple[str, str] | None:
    """The (row_key, col_key) of a clicked heatmap cell from st.plotly_chart's selection state."""
    points = (selection or {}).get("points") or []
    for point in points:
        data = point.get("customdata")
        if isinstance(data, list | tuple) and len(data) == 2:
            return str(data[0]), str(data[1])
    return None


def coverage_bar(df: pd.DataFrame) -> go.Figure:
    """Coverage score per municipality, weakest on top; 'ikke kortlagt' as a hatched grey bar."""
    d = df.assign(_order=df["score"].astype(float).fillna(-1)).sort_values(
        ["_order", "municipality_name"], ascending=[True, True]
    )
    unmapped = d["status"] == "ikke kortlagt"
    colours = [STATUS_COLOURS.get(s, ORG_COLOUR) for s in d["status"]]
    fig = go.Figure(
        go.Bar(
            x=[100 if u else float(s) for u, s in zip(unmapped, d["score"].astype(float))],
            y=[_esc(v) for v in d["municipality_name"]],
            orientation="h",
            marker={
                "color": colours,
                "pattern": {"shape": ["/" if u else "" for u in unmapped], "fgcolor": "#7a7a7a"},
            },
            text=[
                "ikke kortlagt" if u else str(int(s))
                for u, s in zip(unmapped, d["score"].astype(float).fillna(0))
            ],
            textposition="inside",
            insidetextanchor="start",
            # Plotly's own choice (#444 or white by lightness) is 3.5:1 on the mid teal
            textfont={"color": [ink(c, TEXT_COLOUR) for c in colours]},
            customdata=[_esc(s) for s in d["status"]],
            hovertemplate="%{y}: %{text} (%{customdata})<extra></extra>",
        )
    )
    fig.update_layout(
        height=max(220, 24 * len(d) + 80),
        margin={"l": 10, "r": 20, "t": 30, "b": 10},
        xaxis={"title": "Score (0–100)", "range": [0, 100], "side": "top"},
        yaxis={"title": None, "autorange": "reversed"},
        plot_bgcolor="white",
    )
    return _danish_numbers(fig)


def compare_bar(df: pd.DataFrame, measure: str, *, title: str, additive: bool = False) -> go.Figure:
    """One measure for the 17 councils, coloured by region, with a dashed reference line: the national
    value for rates and shares, the mean per council for counts (``additive``)."""
    councils = df[df["level"] == "council"].sort_values(measure, ascending=False, na_position="last")
    national = df.loc[df["level"] == "national", measure].astype(float)
    if additive and len(councils):
        national = national / len(councils)
    regions = list(dict.fromkeys(df.loc[df["level"] == "council", "region_name"]))
    fig = go.Figure()
    for k, region in enumerate(regions):
        d = councils[councils["region_name"] == region]
        fig.add_trace(
            go.Bar(
                x=d[measure],
                y=[_esc(v) for v in d["name"]],
                orientation="h",
                name=_esc(region),
                marker_color=REGION_COLOURS[k % len(REGION_COLOURS)],
                hovertemplate="%{y}: %{x}<extra></extra>",
            )
        )
    if len(national) and pd.notna(national.iloc[0]):
        fig.add_vline(
            x=float(national.iloc[0]),
            line={"dash": "dash", "color": "#333333"},
            annotation_text=(
                f"{'Gennemsnit pr. sundhedsråd' if additive else 'Hele landet'}: "
                f"{_number(float(national.iloc[0]), True)}"
            ),
            annotation_position="bottom right",
        )
    fig.update_layout(
        title=_esc(title),
        height=max(300, 26 * len(councils) + 120),
        margin={"l": 10, "r": 20, "t": 60, "b": 10},
        yaxis={
            "categoryorder": "array",
            "categoryarray": [_esc(v) for v in councils["name"]],
            "autorange": "reversed",
        },
        legend={"orientation": "h", "y": -0.05, "yanchor": "top"},
        barmode="overlay",
        plot_bgcolor="white",
    )
    return _danish_numbers(fig)


# --- Presentation (projector) ----------------------------------------------------------------------

PROJECTOR_FONT = 22
"""Base text size (px) for figures shown on a projector: readable from the back of a room."""


def for_projector(fig: go.Figure, *, font_size: int = PROJECTOR_FONT, height: int | None = None) -> go.Figure:
    """A copy of ``fig`` with projector-size text (axes, legend, hover, labels in the plot) and dark ink.

    ``height``: a fixed height in px, or None to leave it to the page (Streamlit's ``height="stretch"``).
    The figure's own text colours (white on dark cells) are kept; only the sizes change.
    """
    out = go.Figure(fig)
    out.update_layout(
        height=height,
        font={"size": font_size, "color": "#111111"},
        hoverlabel={"font": {"size": font_size}},
        legend={"font": {"size": font_size}},
    )
    if out.layout.title and out.layout.title.text:
        out.update_layout(title={"font": {"size": round(font_size * 1.2)}})
    ink = {"size": font_size, "color": "#111111"}
    out.update_xaxes(tickfont=ink, title_font=ink)
    out.update_yaxes(tickfont=ink, title_font=ink)
    out.update_traces(textfont_size=font_size, selector=lambda t: "textfont" in t._valid_props)
    for annotation in out.layout.annotations or ():
        annotation.font.size = font_size
    return out


def ending_bar(df: pd.DataFrame, *, months: int = 12) -> go.Figure:
    """Collaborations ending soon: one bar per collaboration from today to its end (days left), soonest on
    top, coloured by kind (projekt/drift), its end date at the bar's end.

    ``df``: rows of ``civilkort.radar.ending`` (collaboration_id, title, kind_label, end_date, days_left).
    """
    d = df.sort_values(["days_left", "title"], kind="stable")
    horizon = max(31 * months, int(d["days_left"].max()) if len(d) else 0) + 40
    fig = go.Figure()
    for kind in dict.fromkeys(d["kind_label"]):
        rows = d[d["kind_label"] == kind]
        fig.add_trace(
            go.Bar(
                x=rows["days_left"].clip(lower=1),
                y=rows["collaboration_id"].astype(str),
                orientation="h",
                name=_esc(kind),
                marker_color=KIND_COLOURS.get(kind, NO_VALUE_COLOUR),
                text=[danish.date(v) for v in rows["end_date"]],
                textposition="outside",
                cliponaxis=False,
                customdata=[_esc(t) for t in rows["title"]],
                hovertemplate="%{customdata}<br>Slutter %{text}<extra></extra>",
            )
        )
    ticks = [0, *(round(m * 30.44) for m in range(3, months + 1, 3))]
    ids = d["collaboration_id"].astype(str).tolist()
    fig.update_layout(
        barmode="overlay",
        bargap=0.3,
        margin={"l": 10, "r": 20, "t": 10, "b": 10},
        plot_bgcolor="white",
        legend={"orientation": "h", "y": 0, "yanchor": "top", "x": 0},
        xaxis={
            "range": [0, horizon],
            "tickvals": ticks,
            "ticktext": ["i dag", *(f"{m} mdr." for m in range(3, months + 1, 3))],
            "showgrid": True,
            "gridcolor": "#d0d5da",
            "side": "top",
            "fixedrange": True,
        },
        yaxis={  # by id, labelled by title: two collaborations may share a title
            "type": "category",
            "categoryorder": "array",
            "categoryarray": ids,
            "tickmode": "array",
            "tickvals": ids,
            "ticktext": [_esc(t if len(str(t)) <= 45 else str(t)[:44] + "…") for t in d["title"]],
            "autorange": "reversed",
            "fixedrange": True,
            "automargin": True,
        },
    )
    return _danish_numbers(fig)


CHANGE_SCALE = [[0.0, "#b2182b"], [0.5, "#f7f7f7"], [1.0, ORG_COLOUR]]
"""Diverging: fewer (red) – unchanged (white) – more (teal)."""


def change_heatmap(df: pd.DataFrame, *, title: str = "") -> go.Figure:
    """Before/after coverage as a heatmap of the change: municipality × theme, '+2' / '−1' / '0' in each cell.

    ``df``: long frame from :func:`civilkort.snapshots.compare` (municipality_name, theme_label, before,
    after, change), in display order. Hover shows before → now.
    """
    rows = list(dict.fromkeys(df["municipality_name"]))
    cols = list(dict.fromkeys(df["theme_label"]))
    nr, nc = len(rows), len(cols)
    change = df["change"].to_numpy(dtype=float).reshape(nr, nc) if nr * nc else np.zeros((0, 0))
    before = df["before"].to_numpy().reshape(nr, nc) if nr * nc else np.zeros((0, 0))
    after = df["after"].to_numpy().reshape(nr, nc) if nr * nc else np.zeros((0, 0))
    text = (
        np.vectorize(lambda v: f"+{int(v)}" if v > 0 else ("0" if v == 0 else f"−{int(-v)}"))(change)
        if nr * nc
        else change
    )
    hover = [
        [
            f"{_esc(rows[i])}<br>{_esc(cols[j])}<br>før {int(before[i, j])} → nu {int(after[i, j])}"
            for j in range(nc)
        ]
        for i in range(nr)
    ]
    top = max(1.0, float(np.abs(change).max()) if change.size else 1.0)
    fig = go.Figure()
    # each trace hovers only on its own cells
    _inked_heatmap(fig, change, text, where=np.ones(change.shape, dtype=bool), scale=CHANGE_SCALE, zmin=-top,
                   zmax=top, dark=TEXT_COLOUR, scale_title="Ændring i aktive tilbud",
                   x=[_wrap(c, 18) for c in cols], y=[_esc(r) for r in rows], customdata=hover,
                   hovertemplate="%{customdata}<extra></extra>", hoverongaps=False)  # fmt: skip
    fig.update_layout(
        title=title,
        height=max(260, 24 * nr + 160),
        margin={"l": 10, "r": 10, "t": 90 if not title else 120, "b": 10},
        xaxis={"side": "top", "showgrid": False, "fixedrange": True},
        yaxis={"autorange": "reversed", "showgrid": False, "fixedrange": True},
        plot_bgcolor="white",
    )
    return _danish_numbers(fig)
