"""Which municipality a point lies in: its polygon in the build when the build has shapes, else the nearest
municipality's representative point (a workshop's pin, a citizen's click on *Find et tilbud*)."""

from __future__ import annotations

import math
import threading

import numpy as np
import pandas as pd
import shapely

from civilkort import reference
from civilkort.db import Database

_shapes_lock = threading.Lock()
_shapes: dict[str, tuple[shapely.STRtree, list[int]] | None] = {}


def _placement_shapes(db: Database) -> tuple[shapely.STRtree, list[int]] | None:
    """The build's municipality shapes as a search tree (cached per database file), or None without any."""
    key = str(db.path)
    with _shapes_lock:
        if key in _shapes:
            return _shapes[key]
    try:
        geo = db.query("SELECT municipality_code, wkb FROM geo_placement")
    except Exception:  # noqa: BLE001 - an older build without the table: fall back on points
        geo = pd.DataFrame()
    value = None
    if len(geo):
        geoms = shapely.from_wkb([bytes(b) for b in geo["wkb"]])
        value = (shapely.STRtree(geoms), [int(c) for c in geo["municipality_code"]])
    with _shapes_lock:
        _shapes[key] = value
    return value


def municipality_at(lat: float, lon: float, db: Database | None = None) -> int:
    """The municipality of a point: its polygon in the build when there are shapes, else the nearest
    municipality's representative point."""
    if db is not None:
        shapes = _placement_shapes(db)
        if shapes is not None:
            tree, codes = shapes
            hits = tree.query(shapely.Point(lon, lat), predicate="intersects")
            if len(hits):
                return codes[int(hits[0])]
    m = reference.municipalities()
    dx = (m["lon"].to_numpy() - lon) * math.cos(math.radians(lat))
    dy = m["lat"].to_numpy() - lat
    return int(m["municipality_code"].iloc[int(np.argmin(dx * dx + dy * dy))])
