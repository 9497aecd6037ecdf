"""Synthetic need indicators for the example data: plausible per municipality, never real figures.

Each is derived from the rough population in ``catalogue/population.csv`` with noise from the demo's seed,
and carries "(eksempel)" in its name and ``Eksempeldata (genereret)`` as its source, so that no one takes it
for a published figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from civilkort import reference
from etl.demo.catalogue import _APPROX_POPULATION_K, PROVENANCE_FILE, SOURCE_SYNTHETIC
from etl.indicators import Indicator

_STREAM = 5
"""The seed's child stream for the indicators (0-4 are the tables' in ``etl.demo.generate``)."""


def example_indicators(seed: int = 2027) -> list[Indicator]:
    """Three synthetic indicators for all 98 municipalities: people 80+, share very lonely, homeless per 1,000."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_STREAM,)))
    codes = reference.municipalities()["municipality_code"].astype("int64").to_numpy()
    people = np.array([_APPROX_POPULATION_K.get(int(c), 20.0) for c in codes]) * 1000
    size = np.log10(people / 50_000)  # about -1 for an island municipality, +1 for Copenhagen
    n = len(codes)
    old_share = np.clip(0.055 - 0.015 * size + rng.normal(0, 0.005, n), 0.025, 0.10)
    lonely_pct = np.clip(8.0 + 1.2 * size + rng.normal(0, 0.8, n), 4.0, 14.0)
    homeless_per_1000 = np.clip(0.5 * (people / 50_000) ** 0.7 * rng.lognormal(0, 0.25, n), 0.02, 4.0)

    def indicator(name: str, unit: str, period: str, values: np.ndarray) -> Indicator:
        frame = pd.DataFrame({"municipality_code": codes, "value": values.astype("float64")})
        return Indicator(name, unit, period, SOURCE_SYNTHETIC, PROVENANCE_FILE, frame)

    return [
        indicator("Borgere 80+ (eksempel)", "people", "2025K3", np.round(people * old_share)),
        indicator("Andel der føler sig meget ensomme (eksempel)", "percent", "2021", np.round(lonely_pct, 1)),
        indicator(
            "Hjemløse pr. 1.000 borgere (eksempel)", "per_1000", "2024", np.round(homeless_per_1000, 2)
        ),
    ]
