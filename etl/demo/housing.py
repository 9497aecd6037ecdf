"""A synthetic list of vulnerable housing areas for the example data: plausible places, never real areas.

Each area lies a few hundred metres from one of a larger municipality's postcode points (several in the largest:
on land, where people live), with a made-up name that says "(eksempel)", so that no one takes it for the ministry's list; the last two have no
coordinates, as some lists' rows do, and are placed at their municipality's point (approximate).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civilkort import reference
from etl.demo.catalogue import _APPROX_POPULATION_K, PROVENANCE_FILE, SOURCE_SYNTHETIC
from etl.housing import COLUMNS, HousingList

_STREAM = 6
"""The seed's child stream for the housing areas (5 is the indicators')."""
_NAMES = (
    "Solsikkeparken", "Engtoften", "Lærkehaven", "Birkebakken", "Stjernehusene", "Vibeparken", "Kildeløkken",
    "Skovbrynet", "Havnegården", "Mølleparken", "Rosengårdsvej", "Fyrrehøj", "Nordlyset", "Åbakken",
)  # fmt: skip
_CATEGORIES = ("Parallelsamfund", "Omdannelsesområde", "Udsat boligområde", "Forebyggelsesområde")
_WITHOUT_COORDINATES = 2
_PER_MUNICIPALITY = (3, 2, 2)
"""Areas in the largest, second and third largest municipality; one each in the next ones."""


def example_housing_areas(seed: int = 2027) -> HousingList:
    """Fourteen synthetic areas near the larger municipalities' points, marked as example data."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_STREAM,)))
    m = reference.municipalities()
    m = m.assign(people=m["municipality_code"].map(lambda c: _APPROX_POPULATION_K.get(int(c), 0.0)))
    ranked = m.sort_values(["people", "municipality_code"], ascending=[False, True])
    repeats = [*_PER_MUNICIPALITY, *[1] * (len(_NAMES) - sum(_PER_MUNICIPALITY))]
    chosen = ranked.iloc[np.repeat(np.arange(len(repeats)), repeats)]
    n = len(chosen)
    # each at one of its municipality's postcode points (on land, where people live), a few hundred metres off
    points = reference.postcode_points()
    lat, lon = np.empty(n), np.empty(n)
    for i, code in enumerate(chosen["municipality_code"].astype(int)):
        own = points[points["municipality_code"] == code]
        at = own.iloc[int(rng.integers(0, len(own)))] if len(own) else chosen.iloc[i]
        lat[i] = float(at["lat"]) + rng.uniform(-0.002, 0.002)
        lon[i] = float(at["lon"]) + rng.uniform(-0.003, 0.003)
    placed = np.arange(n) < n - _WITHOUT_COORDINATES
    names = [f"{name} (eksempel)" for name in _NAMES[:n]]
    codes = chosen["municipality_code"].astype("int64").to_numpy()
    areas = pd.DataFrame(
        {
            "area_id": [
                f"{c}-{reference.fold(name).replace(' ', '-')}" for c, name in zip(codes, names, strict=True)
            ],
            "name": names,
            "category": [_CATEGORIES[i % len(_CATEGORIES)] for i in range(n)],
            "housing_org": "Eksempelboligselskabet",
            "residents": pd.array(np.round(rng.uniform(1000, 6000, n)).astype("int64"), dtype="Int64"),
            "address": "",
            "postcode": pd.array([None] * n, dtype="string"),
            "lat": np.where(placed, lat, chosen["lat"].to_numpy()),
            "lon": np.where(placed, lon, chosen["lon"].to_numpy()),
            "location_precision": np.where(placed, "coordinates", "municipality"),
            "municipality_code": codes,
            "council_id": chosen["council_id"].to_numpy(),
            "region_id": chosen["region_id"].to_numpy(),
            "source_row": np.arange(2, n + 2),
        }
    )[list(COLUMNS)]
    return HousingList(
        file=PROVENANCE_FILE,
        title="Udsatte boligområder (eksempel)",
        period="1. december 2025",
        source=SOURCE_SYNTHETIC,
        areas=areas,
        is_example=True,
    )
