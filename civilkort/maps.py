"""Data -> folium map: municipalities by value, clustered organisations/offers, regional units, links (no Streamlit).

The folium assembly and the map's entry points; each layer's payload comes from :mod:`civilkort.map_payload`,
the legend from :mod:`civilkort.map_legend`, and :mod:`civilkort.map_clicks` reads what was clicked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
from branca.element import Element, MacroElement
from folium.elements import ElementAddToElement, JSCSSMixin
from folium.template import Template

from civilkort import assets
from civilkort.housing_layer import housing_legend, housing_payload
from civilkort.map_legend import (
    COUNCIL_LEGEND,
    DATA_LAYERS,
    LAYER_AREAS,
    LAYER_COUNCILS,
    LAYER_HOUSING,
    LAYER_LINKS,
    LAYER_POINTS,
    LAYER_TILES,
    LAYER_UNITS,
    LAYER_WORKSHOP,
    WORKSHOP_LEGEND,
    _legend_sections,
    workshop_legend,
)
from civilkort.map_payload import (
    _OUTLINE_STYLE,
    DISPLAY_TOLERANCE,
    SHAPE_SCALE,
    WORKSHOP_COLUMNS,
    MapInputError,
    SharedPoints,
    _areas_payload,
    _circles_payload,
    _encode_shape,
    _floats,
    _links_payload,
    _outlines_payload,
    _points_payload,
    _shared_points_payload,
    _to_wgs84,
    _units_payload,
    _workshop_payload,
    value_classes,
)

DENMARK_BOUNDS = ((54.55, 8.05), (57.76, 15.20))


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
    LAYER_HOUSING,
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
    housing: tuple[pd.DataFrame, str] | None = None,
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
    drawn as their own layer of pins on top; ``housing``: the vulnerable housing areas
    (:data:`civilkort.housing_layer.HOUSING_COLUMNS`) and the chosen target group's label ("til ældre").
    ``points`` may also be :class:`SharedPoints` (the app's map: the
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

    housing_section = None
    if housing is not None and len(housing[0]):
        payload = housing_payload(*housing)
        housing_section = housing_legend(payload, housing[1])
        calls.append(_LayerCall(LAYER_HOUSING, "housing", to_script_json(payload), None, on=True))

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
    if housing_section is not None:
        legend.append(housing_section)
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


def pin_map(
    *,
    bounds: Sequence[Sequence[float]] | None = None,
    municipalities: gpd.GeoDataFrame | None = None,
    council_outlines: gpd.GeoDataFrame | None = None,
    title: str = PIN_MAP_TITLE,
    runtime_src: str | None = None,
) -> folium.Map:
    """A small map to set a pin by clicking (no background tiles): municipality borders as thin lines.

    The pins go in as feature groups from :func:`pin_layers` (so setting a pin does not re-create the map);
    read the click with ``st_folium(returned_objects=["last_clicked"])``. Also the base of a record's map
    (:mod:`civilkort.record_map`), with its own ``title``; ``runtime_src`` as for :func:`build_base_map`.
    """
    m = build_base_map(
        bounds=bounds,
        council_outlines=council_outlines,
        simplify_tolerance=None,
        title=title,
        runtime_src=runtime_src,
    )
    if municipalities is not None and len(municipalities):
        features = [{"g": s} for s in (_encode_shape(g) for g in _to_wgs84(municipalities).geometry) if s]
        style = {"pane": "ck-areas", "className": "ck-area", "color": "#7b8794", "weight": 0.8, "fill": True,
                 "fillColor": "#f5f7fa", "fillOpacity": 1, "interactive": False}  # fmt: skip
        payload = {"q": SHAPE_SCALE, "style": style, "features": features}
        _LayerCall(LAYER_AREAS, "outlines", to_script_json(payload), None, on=True, persistent=True).add_to(m)
    return assets.localize(m)


def pin_layers(
    entries: pd.DataFrame | None,
    chosen: tuple[float, float] | None = None,
    *,
    pin: tuple[str, str, str] = ("Din nål", "Ny indtastning", "Gemmes, når du trykker Gem"),
) -> list[folium.FeatureGroup]:
    """The workshop's pins (and the one being set, in yellow) as feature groups for :func:`pin_map`.

    ``pin``: the chosen pin's title, kind and note. Without ``entries`` the legend names the chosen pin only
    (a page that sets a pin for something else than a workshop, such as *Find et tilbud*)."""
    frame = entries if entries is not None else pd.DataFrame(columns=list(WORKSHOP_COLUMNS))
    if chosen is not None:
        row = {"title": pin[0], "kind_label": pin[1], "mark": pin[2],
               "lat": chosen[0], "lon": chosen[1], "is_approximate": False, "is_chosen": True}  # fmt: skip
        frame = pd.concat([frame.assign(is_chosen=False), pd.DataFrame([row])], ignore_index=True)
    chosen_item = {"kind": "ws ck-swatch-ws-chosen", "label": pin[0]}
    legend = [WORKSHOP_LEGEND]
    if chosen is not None:
        if entries is not None:
            legend = [{**WORKSHOP_LEGEND, "items": [*WORKSHOP_LEGEND["items"], chosen_item]}]
        else:
            legend = [{"title": pin[1], "items": [chosen_item]}]
    elif entries is None:
        legend = []
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
