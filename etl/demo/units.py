"""The regional units: the known ones, the 98 municipalities and synthetic GP practices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl.demo.arrays import _dedupe_suffix, _ids, _pick
from etl.demo.catalogue import _GP_NAMES, KNOWN_UNITS, SOURCE_MUNICIPALITY, SOURCE_SYNTHETIC
from etl.demo.geo import _choose_muni, _choose_postcode, _Geo, _near
from etl.demo.scales import ScaleSpec

# ---------------------------------------------------------------------------
# Regional units
# ---------------------------------------------------------------------------


@dataclass
class _Units:
    columns: dict[str, object]
    types: np.ndarray
    muni_idx: np.ndarray  # -1 when unknown
    serves: list[tuple[str, ...]]
    by_name: dict[str, str]


def _units(spec: ScaleSpec, rng: np.random.Generator, geo: _Geo) -> _Units:
    """Known units, the 98 municipalities, and a few synthetic GP practices per council."""
    names: list[str] = []
    types: list[str] = []
    postcodes: list[str | None] = []
    cities: list[str | None] = []
    munis: list[float] = []
    sources: list[str] = []
    serves: list[tuple[str, ...]] = []
    lats: list[float] = []
    lons: list[float] = []
    for u in KNOWN_UNITS:
        names.append(u.name)
        types.append(u.unit_type)
        postcodes.append(u.postcode)
        cities.append(str(geo.pc_name[geo.postcode_index(u.postcode)]) if u.postcode else None)
        munis.append(float(u.municipality) if u.municipality else np.nan)
        sources.append(u.source)
        serves.append(u.serves)
        lats.append(np.nan)
        lons.append(np.nan)
    for code, name in zip(geo.muni_codes, geo.muni_names, strict=True):
        names.append(f"{name} Kommune" if name != "Bornholm" else "Bornholms Regionskommune")
        types.append("kommune")
        postcodes.append(None)
        cities.append(None)
        munis.append(float(code))
        sources.append(SOURCE_MUNICIPALITY)
        serves.append(())
        lats.append(np.nan)
        lons.append(np.nan)
    # Synthetic GP practices: coordinates near a postcode point in a weighted municipality of each council.
    gp_munis = np.concatenate(
        [
            _choose_muni(rng, geo, spec.gp_practices_per_council, np.nonzero(geo.muni_council == c)[0])
            for c in range(len(geo.council_ids))
        ]
    )
    gp_pc = _choose_postcode(rng, geo, gp_munis)
    gp_lat, gp_lon = _near(rng, geo, gp_pc)
    gp_names = _pick(rng, np.array(_GP_NAMES, dtype=object), len(gp_munis)) + ", " + geo.pc_place[gp_pc]
    gp_names = gp_names + _dedupe_suffix(gp_names)
    names.extend(gp_names.tolist())
    types.extend(["almen_praksis"] * len(gp_munis))
    postcodes.extend(geo.pc_code[gp_pc].tolist())
    cities.extend(geo.pc_name[gp_pc].tolist())
    munis.extend(geo.muni_codes[gp_munis].astype(float).tolist())
    sources.extend([SOURCE_SYNTHETIC] * len(gp_munis))
    serves.extend([()] * len(gp_munis))
    lats.extend(gp_lat.tolist())
    lons.extend(gp_lon.tolist())

    n = len(names)
    ids = _ids("ENH", n, 4)
    muni_arr = np.array(munis)
    muni_idx = np.where(
        np.isnan(muni_arr), -1, np.searchsorted(geo.muni_codes, np.nan_to_num(muni_arr).astype(np.int64))
    )
    columns = {
        "unit_id": ids,
        "name": np.array(names, dtype=object),
        "unit_type": np.array(types, dtype=object),
        "postcode": np.array(postcodes, dtype=object),
        "city": np.array(cities, dtype=object),
        "lat": np.array(lats),
        "lon": np.array(lons),
        "municipality": muni_arr,
        "serves": [[f"council:{c}" for c in s] for s in serves],
        "source": np.array(sources, dtype=object),
    }
    return _Units(
        columns, np.array(types, dtype=object), muni_idx, serves, dict(zip(names, ids, strict=True))
    )
