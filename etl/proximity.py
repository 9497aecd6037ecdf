"""The nearest active offers to each housing area, by target group, with a spatial index.

Distances are straight lines (*i luftlinje*) in metres between points projected to ETRS89 / UTM zone 32N
(EPSG:25832, the Danish standard projection), not routes.  One :class:`shapely.STRtree` over every offer with a
place of its own answers "which offers lie within 5 km of each area" in one query; the target groups are then a
boolean mask over those pairs.  An area with fewer than :data:`NEAREST` offers of a group within 5 km is asked
again with wider circles, only for the groups that still lack some, so the nearest are found however far away.

Which offers count: active (``status = 'aktiv'``), held at a place (``service_area`` empty: offers that serve a
whole municipality or region have no distance and are counted apart by the app), and placed at an address
or coordinates or a postcode's point (``location_precision`` coordinates or postcode): a point at the
municipality's middle says nothing about distance.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

NEAREST = 5
"""Offers listed per area and target group."""
RADII_M = (1000, 2000, 5000)
"""The circles counted around each area (metres)."""
_WIDER_M = (20_000, 100_000, 600_000)
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
    """``(nearest, counts)`` for ``areas`` (area_id, lat, lon) and ``offers`` as :func:`offers_sql` selects.

    ``nearest``: area_id, target_group, rank (1 = nearest), offer_id, distance_m, up to :data:`NEAREST` per area
    and group (``target_group`` :data:`ALL_GROUPS` for every offer).  ``counts``: area_id, target_group,
    within_1km, within_2km, within_5km, nearest_m (NaN: no such offer anywhere)."""
    codes = [ALL_GROUPS, *groups]
    area_xy = _projected(areas["lat"].to_numpy(), areas["lon"].to_numpy())
    offer_xy = _projected(offers["lat"].to_numpy(), offers["lon"].to_numpy())
    member = np.ones((len(offers), len(codes)), dtype=bool)
    member[:, 1:] = False
    flat = offers["target_groups"].reset_index(drop=True).explode().dropna()
    column = pd.Index(codes).get_indexer(flat.to_numpy())
    known = column > 0
    member[flat.index.to_numpy()[known], column[known]] = True
    tree = shapely.STRtree(shapely.points(offer_xy))
    area_points = shapely.points(area_xy)
    n_areas = len(areas)
    area_ids, offer_ids = areas["area_id"].to_numpy(dtype=object), offers["offer_id"].to_numpy(dtype=object)

    def pairs_within(which: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a, o = tree.query(area_points[which], predicate="dwithin", distance=radius)
        a = which[a]
        d = np.hypot(*(offer_xy[o] - area_xy[a]).T)
        return a, o, d

    a, o, d = pairs_within(np.arange(n_areas), RADII_M[-1])
    nearest_parts, count_parts = [], []
    for j, code in enumerate(codes):
        keep = member[o, j]
        ga, go, gd = a[keep], o[keep], d[keep]
        counts = {
            f"within_{r // 1000}km": np.bincount(ga[gd <= r], minlength=n_areas).astype("int64")
            for r in RADII_M
        }
        have = counts[f"within_{RADII_M[-1] // 1000}km"]
        asked = RADII_M[-1]
        for radius in _WIDER_M:
            short = np.flatnonzero(have < NEAREST)
            if not len(short) or not member[:, j].any():
                break
            wa, wo, wd = pairs_within(short, radius)
            wk = member[wo, j] & (wd > asked)  # nearer ones were found by the last, narrower query
            ga, go, gd = (
                np.concatenate([ga, wa[wk]]),
                np.concatenate([go, wo[wk]]),
                np.concatenate([gd, wd[wk]]),
            )
            have, asked = np.bincount(ga, minlength=n_areas), radius
        order = np.lexsort((go, gd, ga))
        ga, go, gd = ga[order], go[order], gd[order]
        rank = _rank_within(ga)
        top = rank <= NEAREST
        nearest_parts.append(
            pd.DataFrame(
                {
                    "area_id": area_ids[ga[top]],
                    "target_group": code,
                    "rank": rank[top],
                    "offer_id": offer_ids[go[top]],
                    "distance_m": np.round(gd[top], 0),
                }
            )
        )
        first = np.full(n_areas, np.nan)
        first[ga[rank == 1]] = gd[rank == 1]
        count_parts.append(
            pd.DataFrame(
                {
                    "area_id": areas["area_id"].to_numpy(),
                    "target_group": code,
                    **counts,
                    "nearest_m": np.round(first),
                }
            )
        )
    nearest = pd.concat(nearest_parts, ignore_index=True) if nearest_parts else _empty_nearest()
    counts = pd.concat(count_parts, ignore_index=True)
    return (
        nearest.astype(
            {"area_id": "string", "target_group": "string", "rank": "int64", "offer_id": "string"}
        ),
        counts.astype({"area_id": "string", "target_group": "string"}),
    )


def _rank_within(sorted_keys: np.ndarray) -> np.ndarray:
    """1, 2, 3 … within each run of equal keys of an already sorted array."""
    if not len(sorted_keys):
        return np.zeros(0, dtype="int64")
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_keys)) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(sorted_keys)]))
    return np.arange(len(sorted_keys)) - run_start + 1


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
