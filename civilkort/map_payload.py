"""Data -> the compact JSON each map layer draws from: value classes, encoded shapes and points, published files.

:mod:`civilkort.maps` puts these payloads into the folium map; the browser (``civilkort/web/map_runtime.js``)
decodes them. No Streamlit.
"""

from __future__ import annotations

import base64
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely

# --- names the app and the tests share -------------------------------------------------------------

DISPLAY_TOLERANCE = 0.002
"""Default coverage-simplification tolerance in degrees (~150 m): 98 municipalities ≈ 150 KB."""

NO_DATA_LABEL = "Ikke kortlagt"
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
"""ColorBrewer YlGnBu, 5 classes (sequential, colour-blind safe)."""
_PALETTE_PICK = {1: (2,), 2: (1, 3), 3: (0, 2, 4), 4: (0, 1, 3, 4), 5: (0, 1, 2, 3, 4)}

KINDS: dict[str, tuple[str, str]] = {
    "organisation": ("Organisation", "#e66101"),
    "offer": ("Tilbud", "#7b3294"),
}
PRECISIONS: dict[str, str] = {
    "coordinates": "Præcis placering",
    "postcode": "Omtrentlig placering (postnummer)",
    "municipality": "Omtrentlig placering (kommune)",
}
UNIT_TYPES: dict[str, tuple[str, str, str]] = {
    "hospital": ("Hospital", "#c62828", "H"),
    "psykiatri": ("Psykiatri", "#ad1457", "P"),
    "social_virksomhed": ("Den Sociale Virksomhed", "#00838f", "S"),
    "almen_praksis": ("Almen praksis", "#2e7d32", "L"),
    "kommune": ("Kommune", "#1565c0", "K"),
    "region": ("Region", "#455a64", "R"),
    "andet": ("Andet", "#6d4c41", "A"),
}
"""unit_type -> (default label, colour, letter); each type also has its own CSS shape."""
REGION_WIDE_LABEL = "for hele regionen"
"""Added to a region-wide unit's label (``is_region_wide``): drawn at its address, counted under its region."""
LINK_COLORS = ("#37474f", "#d81b60", "#1e88e5", "#ffb300", "#43a047", "#8e24aa")

POINT_SCALE = 100_000
"""Point coordinates travel as integers in 1e-5 degrees (about 1 m)."""
SHAPE_SCALE = 100_000
_MAX_NAME = 120
_PRIVATE_USE_START, _PRIVATE_USE_END = 0xE000, 0xF8FF
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")

POINT_COLUMNS = ("point_id", "kind", "name", "lat", "lon", "location_precision")
AREA_COLUMNS = ("municipality_code", "municipality_name", "council_name", "value", "value_label", "geometry")
OUTLINE_COLUMNS = ("council_id", "council_name", "geometry")
MUNICIPALITY_POINT_COLUMNS = ("municipality_code", "municipality_name", "lat", "lon", "value", "value_label")
UNIT_COLUMNS = (
    "unit_id",
    "name",
    "unit_type",
    "unit_type_label",
    "lat",
    "lon",
    "location_precision",
    "n_collaborations",
)
LINK_COLUMNS = ("collaboration_id", "title", "unit_lat", "unit_lon", "org_lat", "org_lon", "kind")


class MapInputError(ValueError):
    """A frame given to the map builder lacks a column or holds a value the map cannot draw."""


# --- small pure helpers ----------------------------------------------------------------------------


def format_number(value: float) -> str:
    """Danish number format for legends: ``1.234``, ``12,5``, ``0,25``."""
    if value is None or not math.isfinite(value):
        return ""
    if abs(value) >= 100 or float(value).is_integer():
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:,.1f}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _nice(value: float, how: Any = round, digits: int = 2) -> float:
    """``value`` rounded to ``digits`` significant digits with ``how`` (round, math.floor or math.ceil)."""
    if value == 0 or not math.isfinite(value):
        return value
    exponent = math.floor(math.log10(abs(value))) - (digits - 1)
    return round(how(value / 10.0**exponent) * 10.0**exponent, max(0, -exponent))


def value_classes(
    values: Iterable[float], k: int = 5, breaks: Sequence[float] | None = None
) -> list[tuple[float, float]]:
    """Class intervals ``(low, high)`` for the choropleth: given ``breaks`` (edges), or rounded quantiles.

    A value belongs to the first class whose ``high`` it does not exceed. Whole-number data (counts) get
    whole-number classes that do not overlap (``0 – 2``, ``3 – 5``); other data two significant digits.
    """
    if breaks is not None:
        edges = sorted(float(b) for b in breaks)
        if len(edges) < 2:
            raise MapInputError(f"breaks skal have mindst to grænser; fik {list(breaks)!r}")
        return list(zip(edges[:-1], edges[1:]))[: len(PALETTE)]
    finite = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if finite.size == 0:
        return []
    unique = np.unique(finite)
    if unique.size <= k:
        return [(float(v), float(v)) for v in unique]
    quantiles = np.quantile(finite, np.linspace(0, 1, k + 1))
    if np.all(finite == np.round(finite)):
        highs = sorted({float(math.ceil(q)) for q in quantiles[1:]})
        lows = [float(finite.min())] + [h + 1 for h in highs[:-1]]
        return list(zip(lows, highs))
    inner = [_nice(float(q)) for q in quantiles[1:-1]]
    edges = sorted({_nice(float(finite.min()), math.floor), *inner, _nice(float(finite.max()), math.ceil)})
    return list(zip(edges[:-1], edges[1:]))


def class_colors(n_classes: int) -> list[str]:
    """The palette colours used for ``n_classes`` classes (light to dark)."""
    if n_classes <= 0:
        return []
    return [PALETTE[i] for i in _PALETTE_PICK[min(n_classes, len(PALETTE))]]


def _class_index(values: np.ndarray, classes: list[tuple[float, float]]) -> np.ndarray:
    """Class of each value (-1 for NaN), values above the last class go into the last one."""
    if not classes:
        return np.full(values.shape, -1, dtype=int)
    highs = np.asarray([hi for _, hi in classes])
    index = np.minimum(np.searchsorted(highs, values, side="left"), len(classes) - 1)
    return np.where(np.isfinite(values), index, -1).astype(int)


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise MapInputError(
            f"{what} mangler kolonne(r): {', '.join(absent)} (har: {', '.join(map(str, frame.columns))})"
        )


def _text(series: pd.Series, default: str, max_len: int = _MAX_NAME) -> list[str]:
    """Strings for tooltips: missing -> default, cut to ``max_len`` characters."""
    out: list[str] = []
    for value in series.tolist():
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            out.append(default)
            continue
        text = str(value).strip() or default
        out.append(text if len(text) <= max_len else text[: max_len - 1] + "…")
    return out


def _floats(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _nullable(values: np.ndarray, digits: int = 5) -> list[float | None]:
    return [round(v, digits) if math.isfinite(v) else None for v in np.asarray(values, dtype=float).tolist()]


def _bounds_of(lat: np.ndarray, lon: np.ndarray) -> list[list[float]] | None:
    ok = np.isfinite(lat) & np.isfinite(lon)
    if not ok.any():
        return None
    return [[float(lat[ok].min()), float(lon[ok].min())], [float(lat[ok].max()), float(lon[ok].max())]]


def _to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if gdf.crs is not None and not gdf.crs.equals("EPSG:4326"):
        return gdf.to_crs("EPSG:4326")
    return gdf


# --- geometry --------------------------------------------------------------------------------------


def simplify_for_display(
    gdf: gpd.GeoDataFrame, tolerance: float = DISPLAY_TOLERANCE, *, min_part_area: float | None = None
) -> gpd.GeoDataFrame:
    """A copy in EPSG:4326 with shared borders simplified together (coverage simplification) and specks dropped."""
    out = _to_wgs84(gdf).copy()
    geoms = np.asarray(out.geometry.values, dtype=object)
    usable = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    if not usable.any() or tolerance <= 0:
        return out
    try:
        simplified = shapely.coverage_simplify(geoms[usable], tolerance)
    except (shapely.errors.GEOSException, ValueError, TypeError):
        simplified = shapely.simplify(geoms[usable], tolerance, preserve_topology=True)
    smallest = (2 * tolerance) ** 2 if min_part_area is None else min_part_area
    geoms[usable] = [_drop_specks(g, smallest) for g in simplified]
    out = out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs="EPSG:4326"))
    return out


def _drop_specks(geom: shapely.Geometry, min_area: float) -> shapely.Geometry:
    """Remove polygon parts smaller than ``min_area`` (always keeping the largest part)."""
    parts = list(getattr(geom, "geoms", [geom]))
    if len(parts) <= 1:
        return geom
    largest = max(parts, key=lambda p: p.area)
    kept = [p for p in parts if p is largest or p.area >= min_area]
    return shapely.MultiPolygon([p for p in kept if p.geom_type == "Polygon"]) if len(kept) > 1 else largest


def _encode_shape(geom: shapely.Geometry | None, scale: int = SHAPE_SCALE) -> list[list[list[int]]]:
    """Polygons as rings of delta-encoded integer ``x, y`` pairs (first pair absolute); decoded by ckLib.shape."""
    if geom is None or geom.is_empty:
        return []
    parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("Polygon", "MultiPolygon")]
    polygons = [p for part in parts for p in getattr(part, "geoms", [part])]
    encoded: list[list[list[int]]] = []
    for polygon in polygons:
        rings: list[list[int]] = []
        for ring in (polygon.exterior, *polygon.interiors):
            coords = np.rint(np.asarray(ring.coords)[:, :2] * scale).astype(np.int64)
            if len(coords) > 1 and (coords[0] == coords[-1]).all():
                coords = coords[:-1]
            keep = np.ones(len(coords), dtype=bool)
            keep[1:] = (coords[1:] != coords[:-1]).any(axis=1)
            coords = coords[keep]
            if len(coords) < 3:
                continue
            rings.append(np.diff(coords, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel().tolist())
        if rings and len(rings[0]) >= 6:
            encoded.append(rings)
    return encoded


# --- payloads --------------------------------------------------------------------------------------


def encode_shapes(shapes: gpd.GeoDataFrame) -> list:
    """Shapes as the areas and outlines payloads send them, used as given (integer-encoded).

    They depend on the area only, so the map's index makes them once per area and passes them in a
    ``_g`` column; a filter change then only recomputes the values (used when no further
    simplification is asked for, as on the app's map page)."""
    return [_encode_shape(g) for g in _to_wgs84(shapes).geometry]


def shapes_file(areas: gpd.GeoDataFrame) -> bytes:
    """The municipalities' encoded shapes by code, as JSON, for :func:`civilkort.assets.publish`: an area's
    shapes travel once, and a filter change sends only the values (``shapes_src`` of
    :func:`build_data_layers`)."""
    shapes = areas["_g"].tolist() if "_g" in areas.columns else encode_shapes(areas)
    codes = areas["municipality_code"].astype(int).tolist()
    return orjson.dumps({"q": SHAPE_SCALE, "g": {str(c): g for c, g in zip(codes, shapes, strict=True) if g}})


def outlines_file(outlines: gpd.GeoDataFrame) -> bytes:
    """The council outlines' encoded shapes as JSON, for :func:`civilkort.assets.publish` (``outlines_src``
    of :func:`build_base_map`)."""
    return orjson.dumps(_outlines_payload(outlines, None))


def _areas_payload(
    areas: gpd.GeoDataFrame,
    classes: list[tuple[float, float]],
    tolerance: float | None,
    opacity: float = 0.8,
    shapes_src: str | None = None,
) -> tuple[dict[str, Any], list[list[float]] | None]:
    _require(areas, AREA_COLUMNS, "areas")
    shapes: list | None = None  # None: in a published file (shapes_file), where the codes find them
    if shapes_src:
        shown = _to_wgs84(areas)
    elif "_g" in areas.columns and not tolerance:  # encoded once per area (encode_shapes)
        shown, shapes = _to_wgs84(areas), areas["_g"].tolist()
    else:
        shown = simplify_for_display(areas, tolerance) if tolerance else _to_wgs84(areas)
        shapes = [_encode_shape(g) for g in shown.geometry]
    values = _floats(shown["value"])
    index = _class_index(values, classes)
    names = _text(shown["municipality_name"], "Ukendt kommune")
    councils = _text(shown["council_name"], "")
    labels = _text(shown["value_label"], "")
    features = []
    for i, code in enumerate(shown["municipality_code"].tolist()):
        label = labels[i] or (NO_DATA_LABEL if index[i] < 0 else format_number(values[i]))
        feature = {"c": int(code), "n": names[i], "r": councils[i], "l": label, "k": int(index[i])}
        if shapes is not None:
            if not shapes[i]:
                continue
            feature["g"] = shapes[i]
        features.append(feature)
    total = shown.geometry[~shown.geometry.is_empty & shown.geometry.notna()].total_bounds
    bounds = None if np.isnan(total).any() else [[total[1], total[0]], [total[3], total[2]]]
    payload = {
        "q": SHAPE_SCALE,
        "colors": class_colors(len(classes)),
        "base": {
            "pane": "ck-areas",
            "className": "ck-area",
            "color": "#ffffff",
            "weight": 0.8,
            "fillOpacity": opacity,
        },
        "nodata": {
            "pane": "ck-areas",
            "className": "ck-area ck-nodata",
            "color": "#9e9e9e",
            "weight": 0.8,
            "fillColor": "url(#ck-hatch)",
            "fillOpacity": 0.9,
        },
        "features": features,
    }
    if shapes_src:
        payload["src"] = shapes_src
    return payload, bounds


def _outlines_payload(outlines: gpd.GeoDataFrame, tolerance: float | None) -> dict[str, Any]:
    _require(outlines, OUTLINE_COLUMNS, "council_outlines")
    if "_g" in outlines.columns and not tolerance:  # encoded once per area (encode_shapes)
        shapes = outlines["_g"].tolist()
    else:
        shown = simplify_for_display(outlines, tolerance) if tolerance else _to_wgs84(outlines)
        shapes = [_encode_shape(g) for g in shown.geometry]
    features = [{"g": s} for s in shapes if s]
    return {"q": SHAPE_SCALE, "style": _OUTLINE_STYLE, "features": features}


_OUTLINE_STYLE = {
    "pane": "ck-outlines",
    "className": "ck-council",
    "fill": False,
    "color": "#1f2933",
    "weight": 2.2,
    "opacity": 0.85,
    "interactive": False,
}


def _circles_payload(
    frame: pd.DataFrame, classes: list[tuple[float, float]]
) -> tuple[dict[str, Any], list[list[float]] | None]:
    _require(frame, MUNICIPALITY_POINT_COLUMNS, "municipality_points")
    lat, lon, values = _floats(frame["lat"]), _floats(frame["lon"]), _floats(frame["value"])
    index = _class_index(values, classes)
    top = np.nanmax(np.abs(values)) if np.isfinite(values).any() else 0.0
    radius = np.where(np.isfinite(values) & (top > 0), 6 + 20 * np.sqrt(np.abs(values) / (top or 1)), 6)
    names = _text(frame["municipality_name"], "Ukendt kommune")
    labels = _text(frame["value_label"], "")
    councils = _text(frame["council_name"], "") if "council_name" in frame.columns else [""] * len(frame)
    rows = []
    for i, code in enumerate(frame["municipality_code"].tolist()):
        if not (math.isfinite(lat[i]) and math.isfinite(lon[i])):
            continue
        label = labels[i] or (NO_DATA_LABEL if index[i] < 0 else format_number(values[i]))
        rows.append(
            [
                round(lat[i], 5),
                round(lon[i], 5),
                int(code),
                names[i],
                label,
                councils[i],
                int(index[i]),
                round(float(radius[i]), 1),
            ]
        )
    rows.sort(key=lambda r: -r[7])  # small circles on top of large ones
    payload = {
        "colors": class_colors(len(classes)),
        "base": {
            "pane": "ck-areas",
            "className": "ck-area",
            "color": "#52606d",
            "weight": 1,
            "fillOpacity": 0.85,
        },
        "nodata": {
            "pane": "ck-areas",
            "className": "ck-area ck-nodata",
            "color": "#757575",
            "weight": 1.5,
            "dashArray": "3 3",
            "fillColor": "#bdbdbd",
            "fillOpacity": 0.35,
        },
        "rows": rows,
    }
    return payload, _bounds_of(lat, lon)


def _point_styles() -> list[dict[str, Any]]:
    styles = []
    for _, color in KINDS.values():
        styles.append({"pane": "ck-points", "className": "ck-point ck-exact", "radius": 5, "color": "#ffffff",
                       "weight": 1.2, "fillColor": color, "fillOpacity": 0.95})  # fmt: skip
        styles.append({"pane": "ck-points", "className": "ck-point ck-approx", "radius": 6, "color": color,
                       "weight": 1.6, "opacity": 0.9, "dashArray": "3 2", "fillColor": color, "fillOpacity": 0.12})  # fmt: skip
        styles.append({"pane": "ck-points", "className": "ck-point ck-approx", "radius": 7, "color": color,
                       "weight": 1.4, "opacity": 0.75, "dashArray": "1 3", "fillColor": color, "fillOpacity": 0.08})  # fmt: skip
    return styles


def _codes(
    frame: pd.DataFrame, column: str, allowed: Mapping[str, int], what: str, default: int | None
) -> np.ndarray:
    raw = frame[column]
    mapped = raw.map(allowed)
    bad = mapped.isna() & (raw.notna() if default is not None else True)
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise MapInputError(
            f"{what}.{column} i række {position} er {raw.iloc[position]!r}; tilladt: {', '.join(allowed)}"
        )
    return mapped.fillna(default if default is not None else 0).to_numpy(dtype=int)


def _point_grid(points: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """Rows with coordinates in the order they are sent (by latitude), and their integer grid positions."""
    lat, lon = _floats(points["lat"]), _floats(points["lon"])
    ok = np.flatnonzero(np.isfinite(lat) & np.isfinite(lon))
    lat0 = float(math.floor(lat[ok].min())) if ok.size else 0.0
    lon0 = float(math.floor(lon[ok].min())) if ok.size else 0.0
    qy = np.rint((lat[ok] - lat0) * POINT_SCALE).astype(np.int64)
    qx = np.rint((lon[ok] - lon0) * POINT_SCALE).astype(np.int64)
    order = np.argsort(qy, kind="stable")
    return ok[order], qy[order], qx[order], lat0, lon0


def _encode_names(names: list[str]) -> tuple[list[str], list[str]]:
    """Names with their most frequent words replaced by one private-use character each, and that word table."""
    if any(_PRIVATE_USE.search(n) for n in names):
        names = [_PRIVATE_USE.sub("\ufffd", n) for n in names]
    counts = Counter(" ".join(names).split(" "))
    gains = []
    for token, count in counts.items():
        size = len(token.encode("utf-8"))
        gain = (size - 3) * count - (size + 3)  # bytes saved in the names minus the table entry
        if size > 3 and count > 1 and gain > 0:
            gains.append((-gain, token))
    words = [token for _, token in sorted(gains)[: _PRIVATE_USE_END - _PRIVATE_USE_START + 1]]
    get = {token: chr(_PRIVATE_USE_START + i) for i, token in enumerate(words)}.get
    return [" ".join([get(t, t) for t in n.split(" ")]) for n in names], words


@dataclass(frozen=True)
class _PointCoding:
    """How :func:`encode_points` coded a table: the word table and the grid's origin.

    Kept in the frame's ``attrs``, which pandas deep-copies on every operation on the frame: this returns
    itself instead (it is never changed), where a list of thousands of words cost milliseconds per copy.
    """

    words: tuple[str, ...]
    lat0: float
    lon0: float

    def __deepcopy__(self, memo: dict) -> _PointCoding:
        return self


ENCODED_COLUMNS = ("_qy", "_qx", "_code", "_coded")
"""Payload columns :func:`encode_points` adds (rows without coordinates have ``_qy`` = -1)."""


def encode_points(points: pd.DataFrame) -> pd.DataFrame:
    """``points`` in the order the map sends them (by latitude; rows without coordinates last) with their
    payload columns made once, and the word table and grid origin in ``attrs["ck_points"]``.

    The map's index keeps every point of a database encoded like this, so a filter change only picks
    rows (a subset of the table keeps its order) instead of encoding names and coordinates again.
    """
    _require(points, POINT_COLUMNS, "points")
    kind = _codes(points, "kind", {k: i for i, k in enumerate(KINDS)}, "points", None)
    precision = _codes(points, "location_precision", {p: i for i, p in enumerate(PRECISIONS)}, "points", 2)
    rows, qy, qx, lat0, lon0 = _point_grid(points)
    names = _text(points["name"], "(uden navn)")
    coded, words = _encode_names([names[i] for i in rows.tolist()])
    rest = np.setdiff1d(np.arange(len(points)), rows)
    order = np.concatenate([rows, rest]).astype(np.int64)
    out = points.iloc[order].reset_index(drop=True)
    out["_qy"] = np.concatenate([qy, np.full(len(rest), -1, dtype=np.int64)])
    out["_qx"] = np.concatenate([qx, np.zeros(len(rest), dtype=np.int64)])
    out["_code"] = (kind * len(PRECISIONS) + precision)[order]
    out["_coded"] = pd.Series(coded + [""] * len(rest), dtype=object)
    out.attrs["ck_points"] = _PointCoding(tuple(words), lat0, lon0)
    return out


def _points_payload(points: pd.DataFrame) -> tuple[dict[str, Any], list[list[float]] | None]:
    """Compact columns: latitude deltas (rows sorted by latitude), longitudes, style codes, coded names."""
    if "ck_points" not in points.attrs or not set(ENCODED_COLUMNS) <= set(points.columns):
        points = encode_points(points)
    coding: _PointCoding = points.attrs["ck_points"]
    words, lat0, lon0 = list(coding.words), coding.lat0, coding.lon0
    qy_all = points["_qy"].to_numpy()
    ok = qy_all >= 0
    qy = qy_all[ok]
    kind_labels = [label for label, _ in KINDS.values()]
    payload = {
        "s": POINT_SCALE,
        "y0": lat0,
        "x0": lon0,
        "dy": np.diff(qy, prepend=0).tolist(),
        "x": points["_qx"].to_numpy()[ok].tolist(),
        "c": points["_code"].to_numpy()[ok].tolist(),
        "w": words,
        "n": points["_coded"].to_numpy(dtype=object)[ok].tolist(),
        "styles": _point_styles(),
        "kinds": [k for k in kind_labels for _ in PRECISIONS],
        "precisions": [p for _ in kind_labels for p in PRECISIONS.values()],
    }
    return payload, _bounds_of(_floats(points["lat"]), _floats(points["lon"]))


@dataclass(frozen=True, eq=False)
class SharedPoints:
    """An area's points published once as a file, and which of them the current selection keeps.

    The browser fetches ``src`` (the payload of every point in ``table``) once per area and build; a filter
    change then sends only ``keep`` as a bitmask: about 21 kB for all of Denmark instead of 2.6 MB of
    points, so neither the server nor a slow connection carries the points again on every change.
    """

    table: pd.DataFrame
    """The area's points as :func:`encode_points` gives them (rows with coordinates first)."""
    keep: np.ndarray
    """One bool per row of ``table``: shown with the current filters."""
    src: str
    """URL of :func:`points_file` of ``table`` (see :func:`civilkort.assets.publish`); a name ending in
    ``.gz`` is that file gzipped, which the browser unpacks itself."""

    def __len__(self) -> int:
        return int(np.count_nonzero(self.keep))

    def kept(self) -> pd.DataFrame:
        """The points shown, in the same order as in ``table``."""
        out = self.table[self.keep].reset_index(drop=True)
        out.attrs = dict(self.table.attrs)
        return out


def points_file(table: pd.DataFrame) -> bytes:
    """The points payload of every row of ``table`` as JSON, for :func:`civilkort.assets.publish`.

    It is fetched (not pasted into a script), so plain JSON; names stay text: the browser only ever puts
    them in the page escaped.
    """
    return orjson.dumps(_points_payload(table)[0])


def _shared_points_payload(points: SharedPoints) -> tuple[dict[str, Any], list[list[float]] | None, set[int]]:
    """What a filter change sends for :class:`SharedPoints`: the file's URL and a bit per point in it."""
    table = points.table
    if "ck_points" not in table.attrs or not set(ENCODED_COLUMNS) <= set(table.columns):
        raise MapInputError("SharedPoints.table skal være kodet med encode_points")
    if len(points.keep) != len(table):
        raise MapInputError(f"SharedPoints.keep har {len(points.keep)} værdier for {len(table)} punkter")
    n = int(np.count_nonzero(table["_qy"].to_numpy() >= 0))  # rows with coordinates come first
    keep = np.asarray(points.keep[:n], dtype=bool)
    rows = np.flatnonzero(keep)
    payload = {
        "src": points.src,
        "n": n,
        "keep": base64.b64encode(np.packbits(keep, bitorder="little").tobytes()).decode("ascii"),
    }
    bounds = None
    if len(rows):  # rows are sorted by latitude: the first and last kept hold its extremes
        lat = _floats(table["lat"].iloc[[rows[0], rows[-1]]])
        lon = table["lon"].to_numpy(dtype="float64", na_value=np.nan)[rows]
        bounds = [[float(lat[0]), float(np.nanmin(lon))], [float(lat[1]), float(np.nanmax(lon))]]
    codes = np.bincount(table["_code"].to_numpy()[rows], minlength=1)
    return payload, bounds, set(np.flatnonzero(codes).tolist())


def _unit_size(n: float) -> int:
    return int(round(16 + min(18.0, 4.0 * math.sqrt(max(n, 0.0)))))


def _units_payload(units: pd.DataFrame) -> tuple[dict[str, Any], list[list[float]] | None, dict[str, str]]:
    _require(units, UNIT_COLUMNS, "units")
    lat, lon, n = _floats(units["lat"]), _floats(units["lon"]), _floats(units["n_collaborations"])
    type_keys = list(UNIT_TYPES)
    raw_types = units["unit_type"].astype("string").str.strip().str.lower().fillna("andet").tolist()
    types = [t if t in UNIT_TYPES else "andet" for t in raw_types]
    labels = _text(units["unit_type_label"], "")
    names = _text(units["name"], "(uden navn)")
    precision = units["location_precision"].astype("string").fillna("municipality").tolist()
    wide = (
        units["is_region_wide"].fillna(False).astype(bool).tolist()
        if "is_region_wide" in units
        else [False] * len(units)
    )
    present: dict[str, str] = {}
    rows = []
    # Python numbers from the start: round() and int() on numpy scalars cost microseconds each
    lat_r, lon_r = _nullable(lat), _nullable(lon)
    counts = np.where(np.isfinite(n), n, 0).astype(int).tolist()
    type_index = {k: i for i, k in enumerate(type_keys)}
    for i in range(len(units)):
        label = labels[i] or UNIT_TYPES[types[i]][0]
        present.setdefault(types[i], label)
        if wide[i]:  # drawn at its address, but it belongs to its region, not to that council
            label = f"{label} · {REGION_WIDE_LABEL}"
        count = counts[i]
        rows.append([
            lat_r[i],
            lon_r[i],
            type_index[types[i]],
            int(precision[i] != "coordinates"),
            _unit_size(count),
            names[i],
            label,
            count,
        ])  # fmt: skip
    payload = {
        "types": [{"key": k, "color": c, "letter": letter} for k, (_, c, letter) in UNIT_TYPES.items()],
        "approx": "Omtrentlig placering",
        "rows": rows,
    }
    local = ~np.array(wide, dtype=bool)
    return payload, _bounds_of(lat[local], lon[local]), present


def _links_payload(links: pd.DataFrame) -> tuple[dict[str, Any], list[str]]:
    _require(links, LINK_COLUMNS, "links")
    kinds = _text(links["kind"], "Samarbejde", 60)
    distinct = list(dict.fromkeys(kinds))
    titles = _text(links["title"], "(uden titel)")
    columns = [_nullable(_floats(links[c])) for c in ("unit_lat", "unit_lon", "org_lat", "org_lon")]
    rows = [[*(col[i] for col in columns), distinct.index(kinds[i]), titles[i]] for i in range(len(links))]
    colors = [LINK_COLORS[i] if i < len(LINK_COLORS) else "#757575" for i in range(len(distinct))]
    style = {"pane": "ck-links", "className": "ck-link", "weight": 2, "opacity": 0.7}
    return {"kinds": distinct, "colors": colors, "style": style, "rows": rows}, colors


# --- workshop entries ------------------------------------------------------------------------------

WORKSHOP_COLUMNS = ("title", "kind_label", "mark", "lat", "lon", "is_approximate")
"""Columns of the workshop layer's frame (optional ``is_chosen``: the pin being set in the form; optional
``is_reviewed``: accepted or merged, drawn in its own colour)."""


def _flags(frame: pd.DataFrame, column: str) -> list[bool]:
    return frame[column].fillna(False).astype(bool).tolist() if column in frame else [False] * len(frame)


def _workshop_payload(frame: pd.DataFrame) -> dict[str, Any]:
    """Rows [lat, lon, approx, title, kind, mark, chosen, reviewed]; text travels as data and is escaped in the browser."""
    _require(frame, WORKSHOP_COLUMNS, "workshop")
    lat, lon = _floats(frame["lat"]), _floats(frame["lon"])
    titles = _text(frame["title"], "(uden titel)")
    kinds = _text(frame["kind_label"], "", 60)
    marks = _text(frame["mark"], "Fra workshop · ikke verificeret", 200)
    approx = frame["is_approximate"].fillna(True).astype(bool).tolist()
    chosen, reviewed = _flags(frame, "is_chosen"), _flags(frame, "is_reviewed")
    rows = [
        [
            round(lat[i], 6),
            round(lon[i], 6),
            int(approx[i]),
            titles[i],
            kinds[i],
            marks[i],
            int(chosen[i]),
            int(reviewed[i]),
        ]  # fmt: skip
        for i in range(len(frame))
        if math.isfinite(lat[i]) and math.isfinite(lon[i])
    ]
    return {"approx": "Omtrentlig placering (kommune eller postnummer)", "rows": rows}


def point_names(payload: Mapping[str, Any]) -> list[str]:
    """The names in a points payload, decoded from the word table (in the order sent)."""
    words = payload["w"]
    return [_PRIVATE_USE.sub(lambda c: words[ord(c.group()) - _PRIVATE_USE_START], n) for n in payload["n"]]
