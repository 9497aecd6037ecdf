"""How many rows of each table the example data has at each scale."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScaleSpec:
    """How many rows of each table a scale produces (totals, the real records included)."""

    organisations: int
    offers: int
    collaborations: int
    gp_practices_per_council: int
    experience_share: float = 0.4


SCALES: dict[str, ScaleSpec] = {
    "small": ScaleSpec(organisations=150, offers=400, collaborations=60, gp_practices_per_council=1),
    "council": ScaleSpec(organisations=3_000, offers=8_000, collaborations=400, gp_practices_per_council=3),
    "national": ScaleSpec(
        organisations=100_000, offers=300_000, collaborations=5_000, gp_practices_per_council=8
    ),
}
