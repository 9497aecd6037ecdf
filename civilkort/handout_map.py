"""The small map on the citizen's handout: the chosen offers' places, numbered as on the sheet, among the
towns around them (matplotlib; no background tiles, so it prints offline).

What helps a citizen find the way on paper without a street map: each offer's number at its place, the names of
the nearby towns (the postcode areas' names at their points), a scale bar in km, and a thin outline of the
coast and municipal borders when the build has boundaries. Nothing about the citizen is drawn: no home point,
no circle around it (the sheet says nothing about where they live). Offers without a place of their own (those
serving a whole area) are not drawn; the sheet says so.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

from civilkort import reference

MIN_SPAN_KM = 6.0
"""The map shows at least this many km across, so one offer still has towns around it."""
MAX_TOWNS = 8
KM_PER_DEG_LAT = 111.2
OFFER_COLOUR = "#0b5563"
"""The app's accent (a dark teal: white numbers on it have a contrast of 7.6:1)."""


def _extent(lat: np.ndarray, lon: np.ndarray) -> tuple[float, float, float, float]:
    """(south, west, north, east) around the points, padded, at least :data:`MIN_SPAN_KM` each way."""
    mid_lat = float(lat.mean())
    km_lon = KM_PER_DEG_LAT * math.cos(math.radians(mid_lat))
    half_h = max((lat.max() - lat.min()) / 2 * 1.3, MIN_SPAN_KM / 2 / KM_PER_DEG_LAT)
    half_w = max((lon.max() - lon.min()) / 2 * 1.3, MIN_SPAN_KM / 2 / km_lon)
    # the sheet's frame is 2:1 (wide): widen whichever side is short
    if half_w * km_lon < 2 * half_h * KM_PER_DEG_LAT:
        half_w = 2 * half_h * KM_PER_DEG_LAT / km_lon
    else:
        half_h = half_w * km_lon / 2 / KM_PER_DEG_LAT
    c_lat, c_lon = (lat.max() + lat.min()) / 2, (lon.max() + lon.min()) / 2
    return c_lat - half_h, c_lon - half_w, c_lat + half_h, c_lon + half_w


def towns(south: float, west: float, north: float, east: float, limit: int = MAX_TOWNS) -> pd.DataFrame:
    """Up to ``limit`` postcode areas' names (one per name) whose points lie inside the box, nearest the middle
    first: ``postcode_name``, ``lat``, ``lon``."""
    pc = reference.postcodes()
    inside = pc[pc["lat"].between(south, north) & pc["lon"].between(west, east)].copy()
    mid_lat, mid_lon = (south + north) / 2, (west + east) / 2
    inside["d"] = np.hypot(
        inside["lat"] - mid_lat, (inside["lon"] - mid_lon) * math.cos(math.radians(mid_lat))
    )
    inside = inside.sort_values("d").drop_duplicates("postcode_name")
    return inside.head(limit)[["postcode_name", "lat", "lon"]].reset_index(drop=True)


def is_placed(row: pd.Series) -> bool:
    """True for an offer drawn on the map: a place of its own (not one serving a whole area)."""
    lat, lon = pd.to_numeric(row.get("lat"), errors="coerce"), pd.to_numeric(row.get("lon"), errors="coerce")
    return bool(pd.notna(lat) and pd.notna(lon) and not bool(row.get("serves_area") or False))


def png(offers: pd.DataFrame, outlines: list | None = None) -> bytes | None:
    """The map for the handout's offers (rows with ``lat``, ``lon``, numbered 1, 2 … in their order), or None
    when none of them has a place. ``outlines``: shapely geometries (lon/lat) of the municipalities to draw
    thinly, when the build has boundaries."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib import patheffects

    numbers = np.arange(1, len(offers) + 1)
    lat = pd.to_numeric(offers["lat"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(offers["lon"], errors="coerce").to_numpy(float)
    placed = np.isfinite(lat) & np.isfinite(lon)
    if "serves_area" in offers:
        placed &= ~offers["serves_area"].fillna(False).astype(bool).to_numpy()
    if not placed.any():
        return None
    south, west, north, east = _extent(lat[placed], lon[placed])
    scale = math.cos(math.radians((south + north) / 2))
    fig = plt.figure(figsize=(7.0, 3.5))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect(1 / scale)
    ax.set_axis_off()
    fig.patch.set_facecolor("white")
    for geom in outlines or ():
        for part in getattr(geom, "geoms", [geom]):
            x, y = part.exterior.xy
            ax.plot(x, y, color="#9aa5b1", linewidth=0.7, zorder=1)
    for t in towns(south, west, north, east).itertuples():
        ax.plot(t.lon, t.lat, "o", color="#52606d", markersize=2.5, zorder=2)
        # right of the point, clear of an offer's mark there (offers often sit at a postcode's point), with a
        # white halo so a line or a mark under it does not hide it
        ax.annotate(t.postcode_name, (t.lon, t.lat), xytext=(13, -4), textcoords="offset points", fontsize=10,
                    color="#323f4b", zorder=5, path_effects=[patheffects.withStroke(linewidth=3, foreground="white")])  # fmt: skip
    for n, y, x in zip(numbers[placed], lat[placed], lon[placed], strict=True):
        ax.plot(
            x,
            y,
            "o",
            markersize=21,
            color=OFFER_COLOUR,
            markeredgecolor="white",
            markeredgewidth=1.5,
            zorder=3,
        )
        ax.annotate(str(n), (x, y), ha="center", va="center", fontsize=12, fontweight="bold", color="white",
                    zorder=4)  # fmt: skip
    _scale_bar(ax, south, west, east, scale)
    ax.add_patch(
        plt.Rectangle((west, south), east - west, north - south, fill=False, edgecolor="#323f4b", lw=1)
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=160)
    plt.close(fig)
    return buf.getvalue()


def _scale_bar(ax, south: float, west: float, east: float, scale: float) -> None:
    """A bar of a round number of km in the lower left corner."""
    width_km = (east - west) * KM_PER_DEG_LAT * scale
    km = next(k for k in (0.5, 1, 2, 5, 10, 20, 50) if k >= width_km / 6)
    x0 = west + (east - west) * 0.03
    y0 = south + (east - west) * 0.02 * scale
    length = km / (KM_PER_DEG_LAT * scale)
    ax.plot([x0, x0 + length], [y0, y0], color="#1f2933", linewidth=3, solid_capstyle="butt", zorder=5)
    label = f"{km:g} km".replace(".", ",")
    ax.annotate(label, (x0 + length, y0), xytext=(4, -3), textcoords="offset points", fontsize=8, zorder=5)
