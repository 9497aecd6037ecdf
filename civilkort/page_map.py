"""The app's map page: the base map and the data layers for a selection, and what a click on them was.

Made from :func:`civilkort.queries.map_layers` output and the sidebar's layer codes by :func:`page_map`;
the folium assembly itself is :mod:`civilkort.maps`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import folium
import pandas as pd

from civilkort.map_clicks import identify_click
from civilkort.maps import DataLayers, build_base_map, build_data_layers, map_title


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
        housing = d.get("housing")
        return identify_click(
            returned,
            d["points"],
            d["areas"],
            d["units"],
            d["municipality_points"],
            links=d["links"],
            housing=housing[0] if housing is not None else None,
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
    ``data["housing"]`` (optional): the vulnerable housing areas and the chosen target group's label, as
    :func:`civilkort.maps.build_data_layers` takes them. ``data["inset"]`` (:class:`civilkort.inset.Inset`, optional): the main view fits the rest of the area and
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
        "housing": data.get("housing") if "housing" in layers else None,
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
