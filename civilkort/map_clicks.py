"""What a click on the map hit, from st_folium's return value and the frames the map drew (no Streamlit)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from civilkort.map_payload import SharedPoints, _floats, _point_grid, _to_wgs84

_TAG = re.compile(r"\[ck:(?P<kind>[pmulch]):(?P<key>-?\d+)\]\s*$")


RETURNED_OBJECTS = ("last_object_clicked", "last_object_clicked_tooltip", "last_object_clicked_count")
"""What the app asks st_folium to return: enough for :func:`identify_click`; panning returns nothing.

The count (streamlit-folium's frontend adds one per object click) tells a second click on the same object
from a rerun: see :func:`click_key`."""

CLICK_TOLERANCE_DEG = 3e-3
"""How far (degrees) a reported marker position may be from the row's own: a marker spread out of a pile
(spiderfied at the highest zoom) reports its leg position, up to ~200 px = ~0.002° away."""
EXACT_POSITION_DEG = 2e-6
"""A marker reports its own position; this absorbs float rounding only (0.2 m)."""
AREA_CLICK_TOLERANCE_DEG = 0.02
"""How far outside the (unsimplified) municipality a polygon click may land (display simplification)."""


def click_tag(returned: Mapping[str, Any] | None) -> tuple[str, int] | None:
    """The ``(kind, key)`` hidden in the clicked object's tooltip text, e.g. ``("p", 12)``; None if absent."""
    if not returned:
        return None
    text = returned.get("last_object_clicked_tooltip")
    match = _TAG.search(text) if isinstance(text, str) else None
    return (match.group("kind"), int(match.group("key"))) if match else None


def click_key(returned: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    """What tells one object click from the next in st_folium's return value; None before any click.

    A rerun returns the previous click again, while a new click (even on the same object, e.g. after its
    details were closed) raises ``last_object_clicked_count``; position and tooltip are kept as well.
    """
    if not returned or not returned.get("last_object_clicked"):
        return None
    where = returned.get("last_object_clicked")
    position = tuple(sorted(where.items())) if isinstance(where, Mapping) else str(where)
    return (returned.get("last_object_clicked_count"), position, returned.get("last_object_clicked_tooltip"))


def _clicked_latlng(returned: Mapping[str, Any]) -> tuple[float, float] | None:
    where = returned.get("last_object_clicked")
    if not isinstance(where, Mapping):
        return None
    try:
        return float(where["lat"]), float(where["lng"])
    except (KeyError, TypeError, ValueError):
        return None


def _near(latlng: tuple[float, float] | None, lat: Any, lon: Any) -> bool:
    if latlng is None:
        return True
    try:
        return (
            abs(latlng[0] - float(lat)) <= CLICK_TOLERANCE_DEG
            and abs(latlng[1] - float(lon)) <= CLICK_TOLERANCE_DEG
        )
    except (TypeError, ValueError):
        return False


def identify_click(
    returned: Mapping[str, Any] | None,
    points: pd.DataFrame | SharedPoints | None = None,
    areas: gpd.GeoDataFrame | None = None,
    units: pd.DataFrame | None = None,
    municipality_points: pd.DataFrame | None = None,
    *,
    links: pd.DataFrame | None = None,
    housing: pd.DataFrame | None = None,
) -> tuple[str, Any] | None:
    """What the user clicked, from st_folium's return value and the frames given to :func:`build_map`.

    Returns ``("point", point_id)``, ``("municipality", municipality_code)``, ``("unit", unit_id)``,
    ``("collaboration", collaboration_id)``, ``("housing", area_id)`` or None (nothing, a cluster, or a click that does not match).
    Reliable with ``last_object_clicked`` and ``last_object_clicked_tooltip`` in st_folium's
    ``returned_objects`` (the tooltip carries a hidden tag); with the position alone it falls back on an
    exact marker position, then the municipality polygon under the click. Pass the same frames, in the same
    row order, that built the map.
    """
    if not returned:
        return None
    latlng = _clicked_latlng(returned)
    tag = click_tag(returned)
    if tag is None:
        if latlng is None:
            return None
        shown = points.kept() if isinstance(points, SharedPoints) else points
        return _identify_by_position(latlng, shown, areas, units)
    kind, key = tag
    if kind == "p" and isinstance(points, SharedPoints):
        table = points.table
        if not (0 <= key < len(table)) or table["_qy"].iloc[key] < 0 or not points.keep[key]:
            return None  # the tag counts the published file's points with coordinates, which come first
        row = table.iloc[key]
        return ("point", row["point_id"]) if _near(latlng, row["lat"], row["lon"]) else None
    if kind == "p" and points is not None and 0 <= key < len(points):
        rows = _point_grid(points)[0]
        if key >= len(rows):
            return None
        row = points.iloc[int(rows[key])]
        return ("point", row["point_id"]) if _near(latlng, row["lat"], row["lon"]) else None
    if kind == "u" and units is not None and 0 <= key < len(units):
        row = units.iloc[key]
        return ("unit", row["unit_id"]) if _near(latlng, row["lat"], row["lon"]) else None
    if kind == "h" and housing is not None:
        drawn = housing[np.isfinite(_floats(housing["lat"])) & np.isfinite(_floats(housing["lon"]))]
        if 0 <= key < len(drawn):
            row = drawn.iloc[key]
            return ("housing", row["area_id"]) if _near(latlng, row["lat"], row["lon"]) else None
        return None
    if kind == "l" and links is not None and 0 <= key < len(links):
        return ("collaboration", links.iloc[key]["collaboration_id"])
    if kind == "m":
        return _identify_municipality(key, latlng, areas, municipality_points)
    return None


def _identify_by_position(
    latlng: tuple[float, float],
    points: pd.DataFrame | None,
    areas: gpd.GeoDataFrame | None,
    units: pd.DataFrame | None,
) -> tuple[str, Any] | None:
    """Fallback without the tooltip tag: a marker at exactly that position, else the municipality under it."""
    for frame, kind, id_column in ((units, "unit", "unit_id"), (points, "point", "point_id")):
        if frame is None or frame.empty:
            continue
        hit = (np.abs(_floats(frame["lat"]) - latlng[0]) <= EXACT_POSITION_DEG) & (
            np.abs(_floats(frame["lon"]) - latlng[1]) <= EXACT_POSITION_DEG
        )
        if hit.any():
            return (kind, frame[id_column].iloc[int(np.flatnonzero(hit)[0])])
    if areas is not None and not areas.empty:
        shown = _to_wgs84(areas)
        inside = shown.geometry.intersects(shapely.Point(latlng[1], latlng[0]))
        if inside.any():
            return ("municipality", int(shown["municipality_code"][inside].iloc[0]))
    return None


def _identify_municipality(
    code: int,
    latlng: tuple[float, float] | None,
    areas: gpd.GeoDataFrame | None,
    municipality_points: pd.DataFrame | None,
) -> tuple[str, int] | None:
    if areas is not None:
        codes = pd.to_numeric(areas["municipality_code"], errors="coerce")
        rows = areas[codes == code]
        if rows.empty:
            return None
        if latlng is not None:
            geoms = _to_wgs84(rows).geometry
            where = shapely.Point(latlng[1], latlng[0])
            if not any(g is not None and g.distance(where) <= AREA_CLICK_TOLERANCE_DEG for g in geoms):
                return None
        return ("municipality", code)
    if municipality_points is not None:
        codes = pd.to_numeric(municipality_points["municipality_code"], errors="coerce")
        return ("municipality", code) if (codes == code).any() else None
    return ("municipality", code)
