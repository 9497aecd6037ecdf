"""The nearest active offers to each housing area, by target group, with a spatial index.

Distances are straight lines (*i luftlinje*) in metres between points projected to ETRS89 / UTM zone 32N
(EPSG:25832, the Danish standard projection), not routes.  One k-d tree (:class:`scipy.spatial.cKDTree`) per
target group over its offers answers both questions without measuring every pair: the :data:`NEAREST` nearest
however far away, and how many lie within each of :data:`RADII_M` (counted in the tree, no list of pairs made),
so a list of areas in a city with tens of thousands of offers costs what one in the country does.

Which offers count: active (``status = 'aktiv'``), held at a place (``service_area`` empty: offers that serve a
whole municipality or region have no distance and are counted apart by the app), and placed at an address
or coordinates or a postcode's point (``location_precision`` coordinates or postcode): a point at the
municipality's middle says nothing about distance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

NEAREST = 5
"""Offers listed per area and target group."""
RADII_M = (1000, 2000, 5000)
"""The circles counted around each area (metres)."""
ALL_GROUPS = ""
"""The target group code for "every active offer" (whatever its target groups)."""
PRECISIONS = ("coordinates", "postcode")

_TO_UTM = Transformer.from_crs(4326, 25832, always_xy=True)


def _projected(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    x, y = _TO_UTM.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.column_stack([x, y])


def proximity(
    areas: pd.DataFrame, offers: pd.DataFrame, groups: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(nearest, counts)`` for ``areas`` (area_id, lat, lon) and ``offers`` as :data:`OFFERS_SQL` selects.

    ``nearest``: area_id, target_group, rank (1 = nearest), offer_id, distance_m, up to :data:`NEAREST` per area
    and group (``target_group`` :data:`ALL_GROUPS` for every offer).  ``counts``: area_id, target_group,
    within_1km, within_2km, within_5km, nearest_m (NaN: no such offer anywhere)."""
    codes = [ALL_GROUPS, *groups]
    area_xy = _projected(areas["lat"].to_numpy(), areas["lon"].to_numpy())
    offer_xy = _projected(offers["lat"].to_numpy(), offers["lon"].to_numpy())
    area_ids, offer_ids = areas["area_id"].to_numpy(dtype=object), offers["offer_id"].to_numpy(dtype=object)
    flat = offers["target_groups"].reset_index(drop=True).explode().dropna()
    column = pd.Index(codes).get_indexer(flat.to_numpy())
    rows_of = {
        code: np.arange(len(offers)) if j == 0 else np.sort(flat.index.to_numpy()[column == j])
        for j, code in enumerate(codes)
    }
    n_areas = len(areas)
    nearest_parts, count_parts = [], []
    for code in codes:
        rows = rows_of[code]
        counts = {f"within_{r // 1000}km": np.zeros(n_areas, dtype="int64") for r in RADII_M}
        first = np.full(n_areas, np.nan)
        if len(rows) and n_areas:
            tree = cKDTree(offer_xy[rows])
            k = min(NEAREST, len(rows))
            dist, idx = tree.query(area_xy, k=k)
            dist, idx = dist.reshape(n_areas, k), idx.reshape(n_areas, k)
            first = np.round(dist[:, 0])
            for r in RADII_M:
                counts[f"within_{r // 1000}km"] = tree.query_ball_point(
                    area_xy, r, return_length=True
                ).astype("int64")
            nearest_parts.append(
                pd.DataFrame(
                    {
                        "area_id": np.repeat(area_ids, k),
                        "target_group": code,
                        "rank": np.tile(np.arange(1, k + 1), n_areas),
                        "offer_id": offer_ids[rows[idx.ravel()]],
                        "distance_m": np.round(dist.ravel(), 0),
                    }
                )
            )
        count_parts.append(
            pd.DataFrame({"area_id": area_ids, "target_group": code, **counts, "nearest_m": first})
        )
    nearest = pd.concat(nearest_parts, ignore_index=True) if nearest_parts else _empty_nearest()
    counts = pd.concat(count_parts, ignore_index=True)
    return (
        nearest.astype(
            {"area_id": "string", "target_group": "string", "rank": "int64", "offer_id": "string"}
        ),
        counts.astype({"area_id": "string", "target_group": "string"}),
    )


def _empty_nearest() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_id": pd.Series(dtype="string"),
            "target_group": pd.Series(dtype="string"),
            "rank": pd.Series(dtype="int64"),
            "offer_id": pd.Series(dtype="string"),
            "distance_m": pd.Series(dtype="float64"),
        }
    )


OFFERS_SQL = f"""
SELECT offer_id, lat, lon, target_groups
FROM core_offers
WHERE status = 'aktiv' AND len(coalesce(service_area, [])) = 0 AND lat IS NOT NULL AND lon IS NOT NULL
  AND location_precision IN ({", ".join(f"'{p}'" for p in PRECISIONS)})
ORDER BY offer_id
"""
"""The offers :func:`proximity` measures to, from a build being written."""
