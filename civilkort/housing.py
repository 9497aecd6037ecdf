"""Vulnerable housing areas (*udsatte boligområder*) and the offers nearest to them, as a build holds them.

The build (``etl.housing``, ``etl.proximity``) keeps the ministry's list placed (``ref_housing_areas``), and for
each area and target group the :data:`NEAREST` nearest active offers held at a place (``housing_nearest``) and
how many lie within 1, 2 and 5 km (``housing_counts``); all distances are straight lines.  Offers that serve a
whole municipality, council or region have no distance: they are counted apart (:func:`serving_area`).
A build made before the list was kept (schema 6) has none: :func:`has_list` is False.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from civilkort.db import Database

ALL_GROUPS = ""
"""The target group code for every active offer, whatever its target groups."""
DEFAULT_GROUP = "udsatte_boligomraader"
"""The target group an area's panel opens with: offers for residents of vulnerable housing areas."""
NONE_WITHIN_KM = 2
"""An area with no offer of the chosen group within this many km is listed as without."""
CATEGORY_ORDER = ("Parallelsamfund", "Omdannelsesområde", "Udsat boligområde", "Forebyggelsesområde")


def has_list(db: Database) -> bool:
    """True when the build holds a list of vulnerable housing areas (possibly of the example data)."""
    present = set(db.query("SELECT table_name FROM duckdb_tables()")["table_name"])
    return "ref_housing_meta" in present and bool(
        db.query("SELECT count(*) AS n FROM ref_housing_meta")["n"][0]
    )


def about(db: Database) -> dict[str, object] | None:
    """The loaded list: file_name, title, period, source, is_example and the number of areas; None if none."""
    if not has_list(db):
        return None
    meta = db.query("SELECT * FROM ref_housing_meta").iloc[0].to_dict()
    meta["areas"] = int(db.query("SELECT count(*) AS n FROM ref_housing_areas")["n"][0])
    return meta


def areas(db: Database, codes: Sequence[int], group: str = DEFAULT_GROUP) -> pd.DataFrame:
    """The listed areas in these municipalities, with the counts and nearest distance for ``group``.

    Columns: area_id, name, category, housing_org, residents, address, location_precision, lat, lon,
    municipality_code, municipality_name, within_1km, within_2km, within_5km, nearest_m; ordered by
    municipality and name."""
    if not has_list(db):
        return pd.DataFrame(
            columns=["area_id", "name", "category", "housing_org", "residents", "address", "location_precision",
                     "lat", "lon", "municipality_code", "municipality_name", "within_1km", "within_2km",
                     "within_5km", "nearest_m"]
        )  # fmt: skip
    return db.query(
        """SELECT a.area_id, a.name, a.category, a.housing_org, a.residents, a.address, a.location_precision,
                  a.lat, a.lon, a.municipality_code, m.municipality_name,
                  coalesce(c.within_1km, 0) AS within_1km, coalesce(c.within_2km, 0) AS within_2km,
                  coalesce(c.within_5km, 0) AS within_5km, c.nearest_m
           FROM ref_housing_areas a
           JOIN municipalities m USING (municipality_code)
           LEFT JOIN housing_counts c ON c.area_id = a.area_id AND c.target_group = $group
           WHERE list_contains($codes, a.municipality_code)
           ORDER BY m.municipality_name, a.name, a.area_id""",
        {"codes": [int(c) for c in codes], "group": group},
    )


def area(db: Database, area_id: str) -> pd.Series | None:
    """One area's row (as :func:`areas`, without counts), or None if this build has no such area."""
    if not has_list(db):
        return None
    rows = db.query(
        """SELECT a.*, m.municipality_name, m.council_id
           FROM ref_housing_areas a JOIN municipalities m USING (municipality_code)
           WHERE a.area_id = $id""",
        {"id": area_id},
    )
    return None if rows.empty else rows.iloc[0]


def counts(db: Database, area_id: str, group: str) -> dict[str, float]:
    """within_1km, within_2km, within_5km and nearest_m (NaN: none anywhere) of one area for ``group``."""
    rows = db.query(
        "SELECT within_1km, within_2km, within_5km, nearest_m FROM housing_counts "
        "WHERE area_id = $id AND target_group = $group",
        {"id": area_id, "group": group},
    )
    if rows.empty:
        return {"within_1km": 0, "within_2km": 0, "within_5km": 0, "nearest_m": float("nan")}
    return rows.iloc[0].to_dict()


def nearest(db: Database, area_id: str, group: str) -> pd.DataFrame:
    """The nearest active offers of ``group`` to one area, nearest first: rank, offer_id, name,
    organisation_id, organisation_name, distance_m, location_precision, address, postcode, city."""
    return db.query(
        """SELECT n.rank, n.offer_id, o.name, o.organisation_id, g.name AS organisation_name, n.distance_m,
                  o.location_precision,
                  CASE WHEN o.has_own_location THEN o.address ELSE g.address END AS address,
                  CASE WHEN o.has_own_location THEN o.postcode ELSE g.postcode END AS postcode,
                  CASE WHEN o.has_own_location THEN o.city ELSE g.city END AS city
           FROM housing_nearest n
           JOIN offers o USING (offer_id)
           JOIN organisations g ON g.organisation_id = o.organisation_id
           WHERE n.area_id = $id AND n.target_group = $group
           ORDER BY n.rank""",
        {"id": area_id, "group": group},
    )


def serving_area(db: Database, municipality_code: int, group: str) -> int:
    """How many active offers of ``group`` serve the whole municipality (or a council, region or the country
    that holds it): near every resident, but without a distance."""
    return int(
        db.query(
            """SELECT count(*) AS n FROM offers
               WHERE status = 'aktiv' AND len(service_area) > 0
                 AND list_contains(service_municipality_codes, $code)
                 AND ($group = '' OR list_contains(target_groups, $group))""",
            {"code": int(municipality_code), "group": group},
        )["n"][0]
    )


def without_offers(frame: pd.DataFrame, km: int = NONE_WITHIN_KM) -> pd.DataFrame:
    """The rows of :func:`areas` with no offer of the chosen group within ``km`` (1, 2 or 5) km."""
    return frame[frame[f"within_{km}km"] == 0]
