"""A small map of one record (an organisation or an offer) for its own page: its point in its municipality.

A point known by its address is drawn filled; one placed at its postcode's or municipality's centre is drawn
hollow and dashed (the map's usual mark for an approximate place), and the map then shows the whole
municipality, so nobody reads the centre as the address.
"""

from __future__ import annotations

import math

import folium
import geopandas as gpd
import pandas as pd

from civilkort import maps

EXACT = "coordinates"
POINT_PAD = (0.012, 0.02)
"""Degrees (latitude, longitude) around a point known by its address: a few streets each way."""
AREA_PAD = 0.08
"""Degrees around an approximate point when the municipality's shape is not loaded."""


def has_place(lat: object, lon: object) -> bool:
    """True when a record has coordinates to draw."""
    try:
        return math.isfinite(float(lat)) and math.isfinite(float(lon))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def bounds_for(
    lat: float, lon: float, precision: str, municipality: gpd.GeoDataFrame | None
) -> list[list[float]]:
    """``[[south, west], [north, east]]``: close around an exact point; the municipality for an approximate one."""
    if precision == EXACT:
        dy, dx = POINT_PAD
        return [[lat - dy, lon - dx], [lat + dy, lon + dx]]
    if municipality is not None and len(municipality):
        west, south, east, north = municipality.to_crs(4326).total_bounds
        return [[float(south), float(west)], [float(north), float(east)]]
    return [[lat - AREA_PAD, lon - AREA_PAD], [lat + AREA_PAD, lon + AREA_PAD]]


def record_map(
    *,
    point_id: str,
    kind: str,
    name: str,
    lat: float,
    lon: float,
    precision: str,
    municipality: gpd.GeoDataFrame | None = None,
    runtime_src: str | None = None,
) -> folium.Map:
    """The record's map: its municipality's border (if loaded) and its point, approximate ones marked so.

    ``kind``: "organisation" or "offer"; ``point_id``: "org:…" or "offer:…"; ``precision``: the record's
    ``location_precision``; ``municipality``: the shape of the record's municipality (EPSG:4326) or None.
    """
    m = maps.pin_map(
        bounds=bounds_for(lat, lon, precision, municipality),
        municipalities=municipality,
        title=f"Kort over placeringen af {name}",
        runtime_src=runtime_src,
    )
    point = pd.DataFrame(
        [
            {
                "point_id": point_id,
                "kind": kind,
                "name": name,
                "lat": float(lat),
                "lon": float(lon),
                "location_precision": precision,
            }
        ]
    )
    for group in maps.build_data_layers(points=point).groups:
        group.add_to(m)
    return m
