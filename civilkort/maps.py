"""Data -> folium map: municipalities by value, clustered organisations/offers, regional units, links (no Streamlit)."""

from __future__ import annotations

import base64
import json
import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.elements import ElementAddToElement, JSCSSMixin
from folium.template import Template

from civilkort import assets

# --- names the app and the tests share -------------------------------------------------------------

LAYER_AREAS = "Kommuner"
LAYER_COUNCILS = "Sundhedsråd"
LAYER_POINTS = "Organisationer og tilbud"
LAYER_UNITS = "Regionale enheder"
LAYER_LINKS = "Samarbejder"
LAYER_TILES = "Baggrundskort (kræver internet)"
LAYER_WORKSHOP = "Fra workshop (ikke verificeret)"
DATA_LAYERS = (LAYER_AREAS, LAYER_COUNCILS, LAYER_LINKS, LAYER_POINTS, LAYER_UNITS)

DENMARK_BOUNDS = ((54.55, 8.05), (57.76, 15.20))
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
_TAG = re.compile(r"\[ck:(?P<kind>[pmulc]):(?P<key>-?\d+)\]\s*$")

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


_JINJA_OPEN = re.compile(r"\{(?=[{%#])")


def to_script_json(value: Any) -> str:
    """JSON safe to paste into an inline ``<script>`` that folium renders (and re-parses as a Jinja template).

    Escapes ``<``, ``>``, ``&``, ``'``, U+2028/2029 as ``\\uXXXX`` (no ``</script>``, ``<!--`` or quote
    can break out), and every ``{`` that would open a Jinja tag (``{{``, ``{%``, ``{#``): branca wraps each
    rendered script in a new Template, so such text would otherwise run as a template on the server.
    Structural JSON braces are never followed by ``{``, ``%`` or ``#``, so only string content changes.
    A NaN becomes ``null``.
    """
    try:  # orjson: the same compact text as json.dumps, several times faster on large payloads
        text = orjson.dumps(value).decode("utf-8")
    except TypeError:  # a type orjson does not take (e.g. a numpy scalar): the standard library decides
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("'", "\\u0027")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return _JINJA_OPEN.sub(r"\\u007b", text)


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


def _class_label(low: float, high: float) -> str:
    return format_number(low) if low == high else f"{format_number(low)} – {format_number(high)}"


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


# --- folium elements -------------------------------------------------------------------------------

WEB_DIR = Path(__file__).resolve().parent / "web"
"""The map's browser code and styles, as real .js/.css files (linted and tested on their own)."""


def _web_file(name: str) -> str:
    """The text of one file in :data:`WEB_DIR`."""
    return (WEB_DIR / name).read_text(encoding="utf-8")


_RUNTIME_CSS = _web_file("map_runtime.css")

_RUNTIME_JS = _web_file("map_runtime.js") + "\n" + _web_file("map_inset.js")
_RUNTIME_CSS += _web_file("map_inset.css")


class _Raw(Element):
    """Text a macro has rendered already, returned as it is.

    branca wraps each rendered part of a MacroElement in a new Element and compiles that text as a
    Jinja template, on every run; for the runtime (≈30 kB of JS) and the data layers (JSON payloads,
    up to megabytes) that compile took a large share of a filter change (benchmarks/profile_run.py).
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class _Prerendered(MacroElement):
    """A MacroElement whose rendered header, html and script are added as :class:`_Raw` text."""

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        macros = self._template.module.__dict__
        for part, target in (("header", figure.header), ("html", figure.html), ("script", figure.script)):
            macro = macros.get(part)
            if macro is not None:
                target.add_child(_Raw(macro(self, kwargs)), name=self.get_name())
        for element in self._children.values():
            element.render(**kwargs)


class _Runtime(JSCSSMixin, _Prerendered):
    """Shared JS helpers (``window.ckLib``), CSS and the marker-cluster plugin files."""

    default_js = [("leaflet.markercluster", assets.MARKERCLUSTER_JS)]
    default_css = [("leaflet.markercluster.css", assets.MARKERCLUSTER_CSS)]
    _template = Template(
        "{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}"
        "{% macro script(this, kwargs) %}{{ this.js }}{% endmacro %}"
    )

    def __init__(self, src: str | None = None) -> None:
        super().__init__()
        self._name = "CkRuntime"
        self.css = _RUNTIME_CSS
        self.js = _RUNTIME_JS
        if src:  # loaded as a script file (runtime_file), once per browser, instead of sent on every run
            self.default_js = [*self.default_js, ("civilkort-runtime", src)]
            self.js = ""


def runtime_file() -> bytes:
    """The map runtime (``window.ckLib``) as a script file, for :func:`civilkort.assets.publish`."""
    return _RUNTIME_JS.encode("utf-8")


def _map_of(element: Element) -> folium.Map:
    """The map an element sits in (directly or inside a feature group)."""
    parent = element._parent
    while parent is not None and not isinstance(parent, folium.Map):
        parent = parent._parent
    if parent is None:
        raise MapInputError(f"{type(element).__name__} er ikke lagt på et kort")
    return parent


class _Base(_Prerendered):
    """The base map's own setup: layer control, legend box (with the base map's own legend lines), view."""

    _template = Template(
        "{% macro script(this, kwargs) %}ckLib.base({{ this._parent.get_name() }}, {{ this.spec }});{% endmacro %}"
    )

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        self._name = "CkBase"
        self.spec = to_script_json(spec)


class _LayerCall(_Prerendered):
    """One overlay drawn by a ckLib builder from a JSON payload (one JS call, not one folium object per row).

    Put in a :class:`_DataGroup` (drawn into that feature group) or directly on the map (base map layers).
    """

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "var {{ this.get_name() }} = ckLib.layer({{ this.map_name }}, {{ this.container_name }}, "
        "{{ this.name_json }}, {{ this.builder_json }}, {{ this.on_json }}, {{ this.persistent_json }}, "
        "{{ this.payload }});"
        "{% endmacro %}"
    )

    def __init__(
        self,
        name: str,
        builder: str,
        payload: str,
        bounds: list[list[float]] | None,
        *,
        on: bool,
        persistent: bool = False,
    ) -> None:
        super().__init__()
        self._name = "CkLayer"
        self.layer_name = name
        self.builder = builder
        self.payload = payload
        self.bounds = bounds
        self.initially_on = on
        self.name_json = to_script_json(name)
        self.builder_json = to_script_json(builder)
        self.on_json = "true" if on else "false"
        self.persistent_json = "true" if persistent else "false"

    # names are read at render time: streamlit-folium renames the map and the groups before rendering them
    @property
    def map_name(self) -> str:
        return _map_of(self).get_name()

    @property
    def container_name(self) -> str:
        return "null" if isinstance(self._parent, folium.Map) else self._parent.get_name()

    def _get_self_bounds(self) -> list[list[float | None]]:
        return self.bounds or [[None, None], [None, None]]


class _Update(_Prerendered):
    """First call of each set of data layers: drop the previous set, background map, legend body."""

    _template = Template(
        "{% macro script(this, kwargs) %}ckLib.update({{ this.map_name }}, {{ this.spec }});{% endmacro %}"
    )

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        self._name = "CkUpdate"
        self.spec = to_script_json(spec)

    @property
    def map_name(self) -> str:
        return _map_of(self).get_name()


class _DataGroup(folium.FeatureGroup):
    """A feature group holding one ckLib call; st_folium's ``feature_group_to_add`` swaps these in place.

    ``control=False``: ckLib lists the layer in its own layer control (folium's LayerControl is not used).
    """

    def __init__(self, child: _LayerCall | _Update, name: str) -> None:
        super().__init__(name=name, overlay=True, control=False, show=True)
        child.add_to(self)
        self.call = child

    def render(self, **kwargs) -> None:
        """folium's ``Layer.render`` (the group adds itself to the map), with the rendered parts added as text
        (:class:`_Raw`): the groups are made anew on every run, and compiling their text cost each run."""
        if self.show:
            self.add_child(_AddTo(self.get_name(), self._parent.get_name()), name=self.get_name() + "_add")
        _Prerendered.render(self, **kwargs)


class _AddTo(_Prerendered):
    """folium's ``ElementAddToElement`` (same template), rendered as text."""

    _template = ElementAddToElement._template

    def __init__(self, element_name: str, element_parent_name: str) -> None:
        super().__init__()
        self.element_name = element_name
        self.element_parent_name = element_parent_name


@dataclass
class DataLayers:
    """The filter-dependent part of the map: feature groups for st_folium, and the extent of their data."""

    groups: list[folium.FeatureGroup]
    """First the set's update call (legend, background map), then one group per data layer."""
    extent: list[list[float]] | None
    """``[[south, west], [north, east]]`` of the areas, points and units drawn (None without any)."""

    def calls(self) -> list[_LayerCall]:
        return [g.call for g in self.groups if isinstance(g.call, _LayerCall)]


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


# --- legend ----------------------------------------------------------------------------------------


COUNCIL_LEGEND = {
    "title": "",
    "items": [{"kind": "line", "color": "#1f2933", "width": 2.5, "label": "Grænse for sundhedsråd"}],
}


def _legend_sections(
    *,
    measure_label: str,
    classes: list[tuple[float, float]] | None,
    circles: bool,
    has_no_data: bool,
    point_codes: set[int],
    unit_types: dict[str, str],
    link_kinds: list[str],
    link_colors: list[str],
) -> dict[str, Any]:
    sections: list[dict[str, Any]] = []
    if classes is not None:
        items: list[dict[str, Any]] = []
        for (low, high), color in zip(classes, class_colors(len(classes)), strict=True):
            if circles:
                items.append(
                    {
                        "kind": "circle",
                        "fill": color,
                        "border": "1px solid #52606d",
                        "label": _class_label(low, high),
                    }
                )
            else:
                items.append({"kind": "fill", "fill": color, "label": _class_label(low, high)})
        if has_no_data:
            if circles:
                items.append(
                    {
                        "kind": "circle",
                        "fill": "#e0e0e0",
                        "border": "1.5px dashed #757575",
                        "label": NO_DATA_LABEL,
                    }
                )
            else:
                items.append({"kind": "hatch", "label": NO_DATA_LABEL})
        note = "Cirklens størrelse viser værdien (kommunegrænser ikke indlæst)" if circles else ""
        sections.append({"title": measure_label or "Kommuner", "note": note, "items": items})
    if point_codes:
        items = []
        for k, (label, color) in enumerate(KINDS.values()):
            if any(code // len(PRECISIONS) == k for code in point_codes):
                items.append({"kind": "circle", "fill": color, "border": "1px solid #ffffff", "label": label})
        if any(code % len(PRECISIONS) for code in point_codes):
            items.append({"kind": "circle", "fill": "rgba(82,96,109,.12)", "border": "1.5px dashed #52606d", "size": 13,
                          "label": "Stiplet ring: omtrentlig placering (postnr./kommune)"})  # fmt: skip
        items.append({"kind": "cluster", "label": "Antal samlet her (klik: zoom ind)"})
        sections.append({"title": LAYER_POINTS, "items": items})
    if unit_types:
        items = [
            {
                "kind": "unit",
                "type": key,
                "fill": UNIT_TYPES[key][1],
                "letter": UNIT_TYPES[key][2],
                "label": label,
            }
            for key, label in unit_types.items()
        ]
        sections.append({"title": LAYER_UNITS, "note": "Størrelse: antal samarbejder", "items": items})
    if link_kinds:
        items = [
            {"kind": "line", "color": c, "width": 2, "label": k}
            for k, c in zip(link_kinds, link_colors, strict=True)
        ]
        sections.append({"title": LAYER_LINKS, "items": items})
    return sections


# --- the builders ----------------------------------------------------------------------------------

TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
TILES_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
LAYER_ORDER = (
    LAYER_TILES,
    LAYER_AREAS,
    LAYER_COUNCILS,
    LAYER_LINKS,
    LAYER_POINTS,
    LAYER_UNITS,
    LAYER_WORKSHOP,
)
"""The order of the layer control."""
MAP_TITLE = "Interaktivt kort"
"""The map's name (its iframe's title, read by screen readers) when no area is given."""
PIN_MAP_TITLE = "Kort: klik for at sætte en nål"


def map_title(area_name: str | None) -> str:
    """The map's name for an area's Danish name: "Kort over Sundhedsråd Aarhus", "Kort over hele Danmark"."""
    if not area_name:
        return MAP_TITLE
    if area_name.startswith("Hele "):
        area_name = area_name[0].lower() + area_name[1:]
    return f"Kort over {area_name}"


RETURNED_OBJECTS = ("last_object_clicked", "last_object_clicked_tooltip", "last_object_clicked_count")
"""What the app asks st_folium to return: enough for :func:`identify_click`; panning returns nothing.

The count (streamlit-folium's frontend adds one per object click) tells a second click on the same object
from a rerun: see :func:`click_key`."""


def build_base_map(
    *,
    bounds: Sequence[Sequence[float]] | None = None,
    council_outlines: gpd.GeoDataFrame | None = None,
    attribution: str | None = None,
    layers_on: Iterable[str] | None = None,
    simplify_tolerance: float | None = DISPLAY_TOLERANCE,
    view: Sequence[float] | None = None,
    outlines_src: str | None = None,
    runtime_src: str | None = None,
    title: str = MAP_TITLE,
    inset: Mapping[str, Any] | None = None,
) -> folium.Map:
    """The part of the map that does not depend on the filters: give it the same input, get the same script.

    Leaflet map, shared runtime (``ckLib``) and plugin files, the layer control, the legend box (its body is
    filled by the data layers), council outlines, attribution and the initial view. Streamlit-folium keys the
    map's iframe on this script, so within one area a filter change does not re-create the map; the data
    layers from :func:`build_data_layers` go to ``st_folium(feature_group_to_add=...)``.

    bounds: ``[[south, west], [north, east]]`` to fit (default: the outlines' extent, else Denmark).
    council_outlines: GeoDataFrame or None: ``council_id``, ``council_name``, geometry (thick outlines).
    attribution: source credit shown in the map corner (escaped), e.g. for the municipality boundaries.
    layers_on: as for :func:`build_map` (only :data:`LAYER_COUNCILS` matters here).
    simplify_tolerance: degrees for :func:`simplify_for_display` of the outlines (None: draw as given).
    view: ``(lat, lon, zoom)`` to open at instead of fitting ``bounds`` (a copied link's map view).
    outlines_src: URL of :func:`outlines_file` of ``council_outlines`` (fetched once instead of sent).
    runtime_src: URL of :func:`runtime_file` (a script the browser loads once instead of the runtime inline).
    title: the map's name (e.g. :func:`map_title`): its iframe's title, which screen readers announce.
    inset: :meth:`civilkort.inset.Inset.spec` of an outlying island, drawn in a framed inset map in a corner
        (``bounds`` should then be the rest of the area: :attr:`civilkort.inset.Inset.fit`).
    """
    on = set(DATA_LAYERS) if layers_on is None else set(layers_on)
    outlines = None
    if council_outlines is not None and len(council_outlines):
        outlines = (
            {"src": outlines_src, "style": _OUTLINE_STYLE}
            if outlines_src
            else _outlines_payload(council_outlines, simplify_tolerance)
        )
    if bounds is not None:
        fit = [list(map(float, bounds[0])), list(map(float, bounds[1]))]
    elif outlines is not None:
        fit = _extent_of(council_outlines)
    else:
        fit = None
    fit = fit or [list(DENMARK_BOUNDS[0]), list(DENMARK_BOUNDS[1])]
    start = [float(view[0]), float(view[1]), int(view[2])] if view is not None else None
    m = folium.Map(
        location=start[:2] if start else [(fit[0][0] + fit[1][0]) / 2, (fit[0][1] + fit[1][1]) / 2],
        zoom_start=start[2] if start else 7,
        tiles=None,
        control_scale=False,  # the runtime adds a metric-only scale bar
        # Map-level limits (folium's own min_zoom/max_zoom only reach a tile layer; clustering needs maxZoom).
        **{"minZoom": 5, "maxZoom": 18},
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    _Runtime(runtime_src).add_to(m)
    legend = {"open": True, "position": "topright", "footer": [COUNCIL_LEGEND] if outlines else []}
    spec = {
        "order": list(LAYER_ORDER),
        "legend": legend,
        "attribution": attribution or "",
        "bounds": fit,
        "title": title or MAP_TITLE,
    }
    if inset:
        spec["inset"] = dict(inset)
    if start:
        spec["view"] = start
    _Base(spec).add_to(m)
    if outlines is not None:
        _LayerCall(
            LAYER_COUNCILS,
            "outlines",
            to_script_json(outlines),
            None,
            on=LAYER_COUNCILS in on,
            persistent=True,
        ).add_to(m)
    return assets.localize(m)


def build_data_layers(
    *,
    areas: gpd.GeoDataFrame | None = None,
    municipality_points: pd.DataFrame | None = None,
    points: pd.DataFrame | SharedPoints | None = None,
    units: pd.DataFrame | None = None,
    links: pd.DataFrame | None = None,
    workshop: pd.DataFrame | None = None,
    measure_label: str = "",
    show_areas: bool = True,
    show_tiles_layer: bool = False,
    layers_on: Iterable[str] | None = None,
    breaks: Sequence[float] | None = None,
    simplify_tolerance: float | None = DISPLAY_TOLERANCE,
    shapes_src: str | None = None,
) -> DataLayers:
    """The filter-dependent layers, one folium feature group each, for ``st_folium(feature_group_to_add=...)``.

    The first group sets the legend body and the background map and drops the previous set; then one group per
    data layer (municipalities, links, points, units), each a single ckLib call on a compact JSON payload. The
    groups carry no plugin files of their own (the base map's runtime has them) and are localized all the same.
    Parameters as for :func:`build_map`; ``workshop``: unreviewed workshop entries (see :data:`WORKSHOP_COLUMNS`),
    drawn as their own layer of pins on top. ``points`` may also be :class:`SharedPoints` (the app's map: the
    browser fetches the area's points once and each change sends only which to show); ``shapes_src``: URL of
    :func:`shapes_file` of ``areas`` (the shapes are fetched once; each change sends the values).
    """
    on = set(DATA_LAYERS) if layers_on is None else set(layers_on)
    if not show_areas:
        on.discard(LAYER_AREAS)
    calls: list[_LayerCall] = []
    extents: list[list[list[float]]] = []
    classes: list[tuple[float, float]] | None = None
    has_no_data = circles = False

    if areas is not None:
        values = _floats(areas["value"]) if "value" in areas.columns else np.array([])
        classes = value_classes(values, breaks=breaks)
        has_no_data = bool(np.isnan(values).any())
        opacity = 0.55 if show_tiles_layer else 0.8  # let the background map show through
        payload, extent = _areas_payload(areas, classes, simplify_tolerance, opacity, shapes_src)
        calls.append(_LayerCall(LAYER_AREAS, "areas", to_script_json(payload), extent, on=LAYER_AREAS in on))
    elif municipality_points is not None:
        values = (
            _floats(municipality_points["value"]) if "value" in municipality_points.columns else np.array([])
        )
        classes = value_classes(values, breaks=breaks)
        has_no_data = bool(np.isnan(values).any())
        circles = True
        payload, extent = _circles_payload(municipality_points, classes)
        calls.append(
            _LayerCall(LAYER_AREAS, "circles", to_script_json(payload), extent, on=LAYER_AREAS in on)
        )
    if calls and calls[-1].bounds:
        extents.append(calls[-1].bounds)

    link_kinds: list[str] = []
    link_colors: list[str] = []
    if links is not None and len(links):
        payload, link_colors = _links_payload(links)
        link_kinds = payload["kinds"]
        calls.append(_LayerCall(LAYER_LINKS, "links", to_script_json(payload), None, on=LAYER_LINKS in on))

    point_codes: set[int] = set()
    if points is not None and len(points):
        if isinstance(points, SharedPoints):
            payload, extent, point_codes = _shared_points_payload(points)
        else:
            payload, extent = _points_payload(points)
            point_codes = set(payload["c"])
        calls.append(
            _LayerCall(LAYER_POINTS, "points", to_script_json(payload), extent, on=LAYER_POINTS in on)
        )
        if extent:
            extents.append(extent)

    unit_types: dict[str, str] = {}
    if units is not None and len(units):
        payload, extent, unit_types = _units_payload(units)
        calls.append(_LayerCall(LAYER_UNITS, "units", to_script_json(payload), extent, on=LAYER_UNITS in on))
        if extent:
            extents.append(extent)

    if workshop is not None and len(workshop):
        calls.append(
            _LayerCall(LAYER_WORKSHOP, "workshop", to_script_json(_workshop_payload(workshop)), None, on=True)
        )

    tiles = None
    if show_tiles_layer:
        options = {"attribution": TILES_ATTRIBUTION, "maxZoom": 19, "maxNativeZoom": 19}
        tiles = {"name": LAYER_TILES, "url": TILES_URL, "options": options}
    legend = _legend_sections(
        measure_label=measure_label,
        classes=classes,
        circles=circles,
        has_no_data=has_no_data,
        point_codes=point_codes,
        unit_types=unit_types,
        link_kinds=link_kinds,
        link_colors=link_colors,
    )
    if workshop is not None and len(workshop):
        legend.append(workshop_legend(workshop))
    names = [call.layer_name for call in calls] + ([LAYER_TILES] if tiles else [])
    update = _Update({"names": names, "tiles": tiles, "legend": legend})
    groups: list[folium.FeatureGroup] = [_DataGroup(update, "ck-opdatering")]
    groups += [_DataGroup(call, call.layer_name) for call in calls]
    for group in groups:
        assets.localize(group)  # st_folium collects default_js/default_css from the groups too
    return DataLayers(groups=groups, extent=_union(extents))


def build_map(
    *,
    areas: gpd.GeoDataFrame | None = None,
    council_outlines: gpd.GeoDataFrame | None = None,
    municipality_points: pd.DataFrame | None = None,
    points: pd.DataFrame | None = None,
    units: pd.DataFrame | None = None,
    links: pd.DataFrame | None = None,
    measure_label: str = "",
    bounds: Sequence[Sequence[float]] | None = None,
    show_tiles_layer: bool = False,
    show_areas: bool = True,
    layers_on: Iterable[str] | None = None,
    breaks: Sequence[float] | None = None,
    simplify_tolerance: float | None = DISPLAY_TOLERANCE,
    attribution: str | None = None,
) -> folium.Map:
    """The whole product map in one folium Map (base map + data layers), e.g. for standalone HTML.

    The app uses :func:`build_base_map` and :func:`build_data_layers` (via :func:`page_map`) instead, so a
    filter change swaps the data layers without re-creating the map. Local Leaflet assets only.

    areas: GeoDataFrame (EPSG:4326) of municipalities, or None when no boundaries are loaded:
        ``municipality_code`` (int), ``municipality_name``, ``council_name``, ``value`` (float; NaN = no data ->
        hatched/grey "ikke kortlagt"), ``value_label`` (str shown in the tooltip, e.g. "12 tilbud"), geometry.
    council_outlines: GeoDataFrame or None: ``council_id``, ``council_name``, geometry (thick outlines).
    municipality_points: DataFrame used when ``areas`` is None (no boundaries): ``municipality_code``,
        ``municipality_name``, ``lat``, ``lon``, ``value``, ``value_label`` (optional ``council_name``)
        -> proportional circles, so the map works without any boundary file.
    points: DataFrame of organisations/offers: ``point_id`` (str like "org:ORG-1" / "offer:T-5"), ``kind``
        ("organisation" | "offer"), ``name``, ``lat``, ``lon``, ``location_precision`` ("coordinates" |
        "postcode" | "municipality"; missing = "municipality"). Drawn as clusters from one compact JSON array.
    units: DataFrame of regional units: ``unit_id``, ``name``, ``unit_type`` (hospital | psykiatri |
        social_virksomhed | almen_praksis | kommune | region | andet), ``unit_type_label``, ``lat``, ``lon``,
        ``location_precision``, ``n_collaborations`` -> own symbol per type, size by n_collaborations.
    links: DataFrame or None: ``collaboration_id``, ``title``, ``unit_lat``, ``unit_lon``, ``org_lat``,
        ``org_lon``, ``kind`` -> lines between unit and organisation.
    measure_label: legend title for the municipality values, e.g. "Tilbud pr. 10.000 indbyggere".
    bounds: ``[[south, west], [north, east]]`` to fit; default: the data's extent (else Denmark).
    show_tiles_layer: add the OpenStreetMap background (needs internet), switched on and listed in the layer
        control; without it the map requests nothing from any other host.
    show_areas: start with the municipality layer switched on (it stays in the layer control either way).
    layers_on: names (``LAYER_*``) of the data layers switched on at start (default: all given ones).
    breaks: class edges for the colours (default: quantiles of ``value``, at most 5 classes).
    simplify_tolerance: degrees for :func:`simplify_for_display` of areas/outlines (None: draw as given).
    attribution: source credit shown in the map corner (escaped), e.g. for the municipality boundaries.
    """
    layers_on = None if layers_on is None else list(layers_on)
    layers = build_data_layers(
        areas=areas,
        municipality_points=municipality_points,
        points=points,
        units=units,
        links=links,
        measure_label=measure_label,
        show_areas=show_areas,
        show_tiles_layer=show_tiles_layer,
        layers_on=layers_on,
        breaks=breaks,
        simplify_tolerance=simplify_tolerance,
    )
    m = build_base_map(
        bounds=bounds if bounds is not None else layers.extent or DENMARK_BOUNDS,
        council_outlines=council_outlines,
        attribution=attribution,
        layers_on=layers_on,
        simplify_tolerance=simplify_tolerance,
    )
    for group in layers.groups:
        group.add_to(m)
    return assets.localize(m)


@dataclass
class PageMap:
    """What the map page shows: the base map, the data layers, and the frames they were drawn from."""

    base: folium.Map
    layers: DataLayers
    drawn: dict[str, Any]
    """``areas``, ``municipality_points``, ``points``, ``units``, ``links`` as drawn (None: not drawn)."""

    @property
    def groups(self) -> list[folium.FeatureGroup]:
        return self.layers.groups

    def identify(self, returned: Mapping[str, Any] | None) -> tuple[str, Any] | None:
        """:func:`identify_click` against the frames this map drew."""
        d = self.drawn
        return identify_click(
            returned, d["points"], d["areas"], d["units"], d["municipality_points"], links=d["links"]
        )


def page_map(
    data: Mapping[str, Any],
    *,
    layers: Collection[str],
    measure_label: str,
    view: Sequence[float] | None = None,
    workshop: pd.DataFrame | None = None,
    area_name: str | None = None,
) -> PageMap:
    """The app's map from :func:`civilkort.queries.map_layers` output and the sidebar's layer codes.

    ``layers``: codes as in :data:`civilkort.filters.LAYERS` ("areas", "points", "units", "links", "tiles").
    The municipalities are always drawn ("areas" only decides whether they start switched on); the shapes are
    used as given (the build already simplified them for display). ``view``: ``(lat, lon, zoom)`` to open at
    instead of fitting the area (:attr:`civilkort.filters.Selection.view`). ``workshop``: unreviewed workshop
    entries to draw as their own layer (:func:`civilkort.workshop_tables.map_entries`), or None. ``area_name``: the
    area's Danish name (:meth:`civilkort.filters.Selection.area_name`), for the map's name (:func:`map_title`).
    ``data["inset"]`` (:class:`civilkort.inset.Inset`, optional): the main view fits the rest of the area and
    the island gets its own framed map in a corner. ``data`` may also
    hold ``shapes_src``, ``outlines_src`` and ``runtime_src``: URLs of the area's published files (see
    ``ui.data.map_layers``), which the browser fetches once instead of getting them on every run.
    """
    drawn = {
        "areas": data["areas"],
        "municipality_points": data["municipality_points"] if data["areas"] is None else None,
        "points": data["points"] if "points" in layers else None,
        "units": data["units"] if "units" in layers else None,
        "links": data["links"] if "links" in layers else None,
    }
    area_inset = data.get("inset")
    base = build_base_map(
        bounds=area_inset.fit if area_inset is not None else data["bounds"],
        inset=area_inset.spec() if area_inset is not None else None,
        council_outlines=data["council_outlines"],
        attribution=data["attribution"],
        simplify_tolerance=None,
        view=view,
        outlines_src=data.get("outlines_src"),
        runtime_src=data.get("runtime_src"),
        title=map_title(area_name),
    )
    groups = build_data_layers(
        **drawn,
        workshop=workshop,
        measure_label=measure_label,
        show_areas="areas" in layers,
        show_tiles_layer="tiles" in layers,
        simplify_tolerance=None,
        shapes_src=data.get("shapes_src") if drawn["areas"] is not None else None,
    )
    return PageMap(base=base, layers=groups, drawn=drawn)


PROJECTOR_CSS = _web_file("projector.css")
"""Presentation mode: the map fills its frame (the page sizes the frame to the screen); larger legend text."""


class _Projector(_Prerendered):
    """Header CSS for a map shown on a projector (no user data)."""

    _template = Template("{% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}")

    def __init__(self) -> None:
        super().__init__()
        self._name = "CkProjector"
        self.css = PROJECTOR_CSS


def for_projector(m: folium.Map) -> folium.Map:
    """The map made to fill its frame's height, with legend text readable on a projector."""
    _Projector().add_to(m)
    return m


# --- workshop entries ------------------------------------------------------------------------------

WORKSHOP_COLUMNS = ("title", "kind_label", "mark", "lat", "lon", "is_approximate")
"""Columns of the workshop layer's frame (optional ``is_chosen``: the pin being set in the form; optional
``is_reviewed``: accepted or merged, drawn in its own colour)."""
WORKSHOP_LEGEND = {
    "title": LAYER_WORKSHOP,
    "items": [{"kind": "ws", "label": "Tilføjet på workshop, ikke gennemgået"}],
}
WORKSHOP_REVIEWED = {"kind": "ws ck-swatch-ws-ok", "label": "Tilføjet på workshop, gennemgået og godkendt"}


def _flags(frame: pd.DataFrame, column: str) -> list[bool]:
    return frame[column].fillna(False).astype(bool).tolist() if column in frame else [False] * len(frame)


def workshop_legend(frame: pd.DataFrame) -> dict[str, Any]:
    """The workshop layer's legend: a line for reviewed pins only when some are drawn."""
    if any(_flags(frame, "is_reviewed")):
        return {**WORKSHOP_LEGEND, "items": [*WORKSHOP_LEGEND["items"], WORKSHOP_REVIEWED]}
    return WORKSHOP_LEGEND


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


def pin_map(
    *,
    bounds: Sequence[Sequence[float]] | None = None,
    municipalities: gpd.GeoDataFrame | None = None,
    council_outlines: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """A small map to set a pin by clicking (no background tiles): municipality borders as thin lines.

    The pins go in as feature groups from :func:`pin_layers` (so setting a pin does not re-create the map);
    read the click with ``st_folium(returned_objects=["last_clicked"])``.
    """
    m = build_base_map(
        bounds=bounds, council_outlines=council_outlines, simplify_tolerance=None, title=PIN_MAP_TITLE
    )
    if municipalities is not None and len(municipalities):
        features = [{"g": s} for s in (_encode_shape(g) for g in _to_wgs84(municipalities).geometry) if s]
        style = {"pane": "ck-areas", "className": "ck-area", "color": "#7b8794", "weight": 0.8, "fill": True,
                 "fillColor": "#f5f7fa", "fillOpacity": 1, "interactive": False}  # fmt: skip
        payload = {"q": SHAPE_SCALE, "style": style, "features": features}
        _LayerCall(LAYER_AREAS, "outlines", to_script_json(payload), None, on=True, persistent=True).add_to(m)
    return assets.localize(m)


def pin_layers(
    entries: pd.DataFrame | None, chosen: tuple[float, float] | None = None
) -> list[folium.FeatureGroup]:
    """The workshop's pins (and the one being set, in yellow) as feature groups for :func:`pin_map`."""
    frame = entries if entries is not None else pd.DataFrame(columns=list(WORKSHOP_COLUMNS))
    if chosen is not None:
        pin = {"title": "Din nål", "kind_label": "Ny indtastning", "mark": "Gemmes, når du trykker Gem",
               "lat": chosen[0], "lon": chosen[1], "is_approximate": False, "is_chosen": True}  # fmt: skip
        frame = pd.concat([frame.assign(is_chosen=False), pd.DataFrame([pin])], ignore_index=True)
    legend = [WORKSHOP_LEGEND]
    if chosen is not None:
        legend = [{**WORKSHOP_LEGEND, "items": [*WORKSHOP_LEGEND["items"],
                                                {"kind": "ws ck-swatch-ws-chosen", "label": "Din nål"}]}]  # fmt: skip
    update = _Update({"names": [LAYER_WORKSHOP], "tiles": None, "legend": legend})
    call = _LayerCall(LAYER_WORKSHOP, "workshop", to_script_json(_workshop_payload(frame)), None, on=True)
    groups: list[folium.FeatureGroup] = [
        _DataGroup(update, "ck-opdatering"),
        _DataGroup(call, LAYER_WORKSHOP),
    ]
    for group in groups:
        assets.localize(group)
    return groups


def _extent_of(gdf: gpd.GeoDataFrame) -> list[list[float]] | None:
    total = _to_wgs84(gdf).geometry.total_bounds
    return None if np.isnan(total).any() else [[total[1], total[0]], [total[3], total[2]]]


def _union(extents: list[list[list[float]]]) -> list[list[float]] | None:
    if not extents:
        return None
    return [
        [min(e[0][0] for e in extents), min(e[0][1] for e in extents)],
        [max(e[1][0] for e in extents), max(e[1][1] for e in extents)],
    ]


def _layer_calls(source: Element | DataLayers | Iterable[Element]) -> list[_LayerCall]:
    if isinstance(source, DataLayers):
        return source.calls()
    roots = [source] if isinstance(source, Element) else list(source)
    found: list[_LayerCall] = []

    def walk(element: Element) -> None:
        if isinstance(element, _LayerCall):
            found.append(element)
        for child in element._children.values():
            walk(child)

    for root in roots:
        walk(root)
    return found


def layer_data(source: Element | DataLayers | Iterable[Element]) -> dict[str, dict[str, Any]]:
    """The JSON each data layer draws from, by layer name (for tests and debugging).

    ``source``: a map from :func:`build_map` or :func:`build_base_map`, a :class:`DataLayers`, or groups.
    """
    return {call.layer_name: json.loads(call.payload) for call in _layer_calls(source)}


def hidden_layers(source: Element | DataLayers | Iterable[Element]) -> list[str]:
    """Names of the data layers that start switched off."""
    return [call.layer_name for call in _layer_calls(source) if not call.initially_on]


def point_names(payload: Mapping[str, Any]) -> list[str]:
    """The names in a points payload, decoded from the word table (in the order sent)."""
    words = payload["w"]
    return [_PRIVATE_USE.sub(lambda c: words[ord(c.group()) - _PRIVATE_USE_START], n) for n in payload["n"]]


# --- clicks ----------------------------------------------------------------------------------------

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
) -> tuple[str, Any] | None:
    """What the user clicked, from st_folium's return value and the frames given to :func:`build_map`.

    Returns ``("point", point_id)``, ``("municipality", municipality_code)``, ``("unit", unit_id)``,
    ``("collaboration", collaboration_id)`` or None (nothing, a cluster, or a click that does not match).
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
