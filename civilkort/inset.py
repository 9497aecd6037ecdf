"""An inset for an outlying island (Bornholm), as Danish maps draw it (no Streamlit).

Bornholm lies about 150 km east of the rest of Denmark. A map that fits an area holding Bornholm and
anything else (all of Denmark, Region Østdanmark, Sundhedsråd Hovedstaden) would otherwise fit both, and
København becomes a speck. With an inset the main view fits the rest of the area, and Bornholm gets a
small framed map of its own in a corner: the interactive map's runtime (``civilkort/web/map_inset.js``)
and the report's static map (:func:`civilkort.report.map_png`) draw it from :class:`Inset`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

Bounds = list[list[float]]
"""``[[south, west], [north, east]]`` in degrees."""

OUTLYING: dict[int, str] = {400: "Bornholm"}
"""Municipalities that get an inset when their area holds others, by code, with the inset's caption."""
MIN_GAP_DEG = 0.5
"""How far (degrees of longitude or latitude) the island must lie from the rest of the area's extent."""
POINT_PAD_DEG = 0.1
"""Without boundaries a municipality is a point: its extent is that point padded by this much."""


@dataclass(frozen=True)
class Inset:
    """The inset of one area: what it shows, and what the main view fits instead of the whole area."""

    name: str
    """The caption, e.g. "Bornholm"."""
    codes: tuple[int, ...]
    """Municipality codes drawn in the inset."""
    bounds: Bounds
    """The island's extent: what the inset fits."""
    fit: Bounds
    """The rest of the area's extent: what the main view fits."""

    def spec(self) -> dict[str, Any]:
        """What the map runtime needs (``ckLib.inset``)."""
        return {"name": self.name, "codes": list(self.codes), "bounds": self.bounds}


def _union(boxes: Sequence[Sequence[float]]) -> Bounds:
    """The extent of ``(minx, miny, maxx, maxy)`` boxes."""
    return [
        [min(b[1] for b in boxes), min(b[0] for b in boxes)],
        [max(b[3] for b in boxes), max(b[2] for b in boxes)],
    ]


def _gap(a: Bounds, b: Bounds) -> float:
    """How far apart two extents are (0 when they overlap), in degrees along the larger axis."""
    (s1, w1), (n1, e1) = a
    (s2, w2), (n2, e2) = b
    return max(w2 - e1, w1 - e2, s2 - n1, s1 - n2, 0.0)


def from_extents(
    extents: Mapping[int, Sequence[float]], centres: Mapping[int, Sequence[float]] | None = None
) -> Inset | None:
    """The inset for an area whose municipalities have these extents (``code -> (minx, miny, maxx, maxy)``).

    None unless the area holds an outlying municipality and something else, at least :data:`MIN_GAP_DEG`
    apart: measured between the municipalities' ``centres`` (``code -> (lon, lat)``) when given, which do not
    depend on how the shapes were drawn, else between the extents.
    """
    for code, name in OUTLYING.items():
        if code not in extents:
            continue
        rest = [box for other, box in extents.items() if other != code]
        if not rest:
            return None  # the island alone: the map fits it
        island, others = _union([extents[code]]), _union(rest)
        if centres and code in centres and len(centres) > 1:
            near = [(x, y, x, y) for other, (x, y) in centres.items() if other != code]
            x, y = centres[code]
            far = _gap(_union([(x, y, x, y)]), _union(near)) >= MIN_GAP_DEG
        else:
            far = _gap(island, others) >= MIN_GAP_DEG
        return Inset(name=name, codes=(code,), bounds=island, fit=others) if far else None
    return None


def for_area(shapes: gpd.GeoDataFrame | None, municipalities: pd.DataFrame) -> Inset | None:
    """The inset of an area from its municipalities (``municipality_code``, ``lat``, ``lon``: their reference
    points, which decide whether the island is far) and their display shapes (``municipality_code``, geometry),
    whose extents the inset and the main view fit; without boundaries, the points padded by
    :data:`POINT_PAD_DEG`."""
    centres: dict[int, tuple[float, float]] = {}
    if len(municipalities):
        for code, lat, lon in zip(
            municipalities["municipality_code"].astype(int),
            municipalities["lat"],
            municipalities["lon"],
            strict=True,
        ):
            if pd.notna(lat) and pd.notna(lon):
                centres[int(code)] = (float(lon), float(lat))
    extents: dict[int, tuple[float, float, float, float]] = {}
    if shapes is not None and len(shapes):
        frame = (
            shapes.to_crs("EPSG:4326")
            if shapes.crs is not None and not shapes.crs.equals("EPSG:4326")
            else shapes
        )
        for code, geom in zip(frame["municipality_code"].astype(int), frame.geometry, strict=True):
            if geom is None or geom.is_empty:
                continue
            box = geom.bounds
            old = extents.get(code)
            extents[code] = box if old is None else (
                min(old[0], box[0]), min(old[1], box[1]), max(old[2], box[2]), max(old[3], box[3])
            )  # fmt: skip
    else:
        pad = POINT_PAD_DEG
        extents = {code: (x - pad, y - pad, x + pad, y + pad) for code, (x, y) in centres.items()}
    return from_extents(extents, centres)


def main_bounds(data: Mapping[str, Any]) -> Bounds:
    """What the main view of a ``map_layers`` result fits: the rest of the area when it has an inset."""
    inset = data.get("inset")
    return inset.fit if inset is not None else data["bounds"]
