"""The reference geography as arrays, and random places in it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from civilkort import reference
from etl.demo.catalogue import _APPROX_POPULATION_K, _TIGHT_POSTCODES_M

DK_BOUNDS = (54.5, 57.8, 8.0, 15.3)
"""Denmark's bounding box: lat_min, lat_max, lon_min, lon_max."""

MAX_OFFSET_M = 400.0
"""Largest random offset from a postcode point for synthetic coordinates, in metres."""


# ---------------------------------------------------------------------------
# Reference geography as arrays
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Geo:
    muni_codes: np.ndarray  # (98,) int
    muni_names: np.ndarray  # object
    muni_council: np.ndarray  # council index per municipality
    muni_region: np.ndarray  # region id per municipality (object)
    muni_weight: np.ndarray  # float, rough size
    council_ids: np.ndarray  # (17,) object
    council_short: np.ndarray  # object, name without "Sundhedsråd "
    council_region: np.ndarray  # object
    pc_code: np.ndarray  # object, 4-digit text
    pc_name: np.ndarray  # object
    pc_place: np.ndarray  # object, postcode name without district letters
    pc_lon: np.ndarray
    pc_lat: np.ndarray
    pc_start: np.ndarray  # per municipality: first index into the postcode arrays (sorted by municipality)
    pc_count: np.ndarray  # per municipality: number of postcodes
    pc_radius: np.ndarray  # largest safe offset from each postcode point, in metres

    def muni_index(self, code: int) -> int:
        """Index of a municipality code in ``muni_codes``."""
        return int(np.searchsorted(self.muni_codes, code))

    def postcode_index(self, postcode: str) -> int:
        """Index of the postcode area holding ``postcode``."""
        n = int(postcode)
        ranges = _postcode_ranges()
        hit = np.nonzero((ranges[0] <= n) & (ranges[1] >= n))[0]
        return int(hit[0])


@lru_cache(maxsize=1)
def _postcode_ranges() -> tuple[np.ndarray, np.ndarray]:
    pcs = _sorted_postcodes()
    return pcs["postcode_from"].to_numpy(), pcs["postcode_to"].to_numpy()


@lru_cache(maxsize=1)
def _sorted_postcodes() -> pd.DataFrame:
    return reference.postcodes().sort_values(["municipality_code", "postcode_from"]).reset_index(drop=True)


@lru_cache(maxsize=1)
def _geo() -> _Geo:
    munis = reference.municipalities().sort_values("municipality_code").reset_index(drop=True)
    councils = reference.councils()
    council_ids = councils["council_id"].to_numpy(dtype=object)
    council_pos = {c: i for i, c in enumerate(council_ids)}
    pcs = _sorted_postcodes()
    codes = munis["municipality_code"].to_numpy(dtype=np.int64)
    pc_muni = pcs["municipality_code"].to_numpy(dtype=np.int64)
    start = np.searchsorted(pc_muni, codes, side="left")
    stop = np.searchsorted(pc_muni, codes, side="right")
    names = pcs["postcode_name"].astype(str)
    return _Geo(
        muni_codes=codes,
        muni_names=munis["municipality_name"].to_numpy(dtype=object),
        muni_council=munis["council_id"].map(council_pos).to_numpy(dtype=np.int64),
        muni_region=munis["region_id"].to_numpy(dtype=object),
        muni_weight=np.array([_APPROX_POPULATION_K.get(int(c), 20.0) for c in codes]),
        council_ids=council_ids,
        council_short=councils["council_name"].str.removeprefix("Sundhedsråd ").to_numpy(dtype=object),
        council_region=councils["region_id"].to_numpy(dtype=object),
        pc_code=pcs["postcode_from"].map(lambda n: f"{n:04d}").to_numpy(dtype=object),
        pc_name=names.to_numpy(dtype=object),
        pc_place=names.str.replace(r"\s+(C|V|K|Ø|N|S|SV|SØ|NV|NØ|J|M)$", "", regex=True).to_numpy(
            dtype=object
        ),
        pc_lon=pcs["lon"].to_numpy(dtype=float),
        pc_lat=pcs["lat"].to_numpy(dtype=float),
        pc_start=start,
        pc_count=stop - start,
        pc_radius=pcs["postcode_from"]
        .map(lambda n: _TIGHT_POSTCODES_M.get(f"{n:04d}", MAX_OFFSET_M))
        .to_numpy(float),
    )


def _near(rng: np.random.Generator, geo: _Geo, pc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lat, lon) near each postcode point: a random offset up to its safe radius, in a random direction."""
    lat = geo.pc_lat[pc]
    n = len(lat)
    r = geo.pc_radius[pc] * np.sqrt(rng.random(n))
    a = rng.random(n) * 2 * np.pi
    dlat = r * np.cos(a) / 111_320.0
    dlon = r * np.sin(a) / (111_320.0 * np.cos(np.radians(lat)))
    return np.round(lat + dlat, 6), np.round(geo.pc_lon[pc] + dlon, 6)


def _choose_postcode(rng: np.random.Generator, geo: _Geo, muni_idx: np.ndarray) -> np.ndarray:
    """A random postcode (index) whose point lies in each given municipality."""
    return geo.pc_start[muni_idx] + (rng.random(len(muni_idx)) * geo.pc_count[muni_idx]).astype(np.int64)


def _choose_muni(rng: np.random.Generator, geo: _Geo, n: int, among: np.ndarray | None = None) -> np.ndarray:
    """``n`` municipality indices weighted by size (optionally only among some)."""
    idx = np.arange(len(geo.muni_codes)) if among is None else among
    w = geo.muni_weight[idx]
    return idx[rng.choice(len(idx), size=n, p=w / w.sum())]
