"""Find et tilbud: the active offers near one citizen that fit them, for social prescribing.

Where the citizen lives is a point (a postcode's representative point or a click on a map) and its
municipality. Two kinds of offer can be near them:

* *local* offers (no service area of their own: ``service_area`` empty), ranked by straight-line distance
  (haversine, in DuckDB) from the citizen's point to the offer's place, and cut at ``max_km``;
* *area* offers, whose ``service_area`` names municipalities, councils, regions or the whole country: they
  count as near everyone living in that area (the citizen's municipality is one of
  ``service_municipality_codes``), carry no distance, and are listed apart, the narrowest area first.

Filters read what the data holds: target groups and themes (vocabulary codes), the referral flag
(``accepts_social_referrals`` is TRUE), and, as the build stores cost and schedule as free text, "free" and
"on a weekday" read from those texts (:data:`FREE_PATTERN`, :func:`weekday_pattern`). Nothing about the
citizen is kept: a :class:`Need` lives only as long as one search.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from civilkort import danish, reference
from civilkort.db import Database

EARTH_RADIUS_KM = 6371.0088
"""The mean Earth radius (IUGG), as haversine distances use."""
LIMIT = 20
"""Offers of each kind shown at most."""
MAX_KM = 200.0

WEEKDAYS: dict[str, str] = {
    "mandag": "Mandag",
    "tirsdag": "Tirsdag",
    "onsdag": "Onsdag",
    "torsdag": "Torsdag",
    "fredag": "Fredag",
    "loerdag": "Lørdag",
    "soendag": "Søndag",
}
"""Weekday codes (ASCII) -> Danish names."""
_WEEKDAY_WORDS = {code: label.lower() for code, label in WEEKDAYS.items()}
_WORKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag")

FREE_PATTERN = r"^\s*(gratis|0\s*(kr\b|kr\.|kroner|,-)|kr\.?\s*0\s*(,-|,00)?\s*$|0\s*$)"
"""A cost text that says the offer is free: it begins with "gratis" or says 0 kr. ("0 kr.", "kr. 0,-", "0")."""


def weekday_pattern(code: str) -> str:
    """The regular expression (on lower-case text) for a schedule held on that weekday.

    The day's name as a word, also in its plural and definite forms ("mandag", "mandage", "mandagen",
    "mandagene"); on a workday, also "hverdag"/"hverdage"."""
    word = _WEEKDAY_WORDS[code]
    words = f"{word}|hverdag" if code in _WORKDAYS else word
    # RE2 (DuckDB) has no Unicode \b: a word is bounded by a start/end or a character that is not a letter
    return rf"(^|[^a-zæøå])({words})(e|en|ene)?([^a-zæøå]|$)"


@dataclass(frozen=True)
class Need:
    """What one search asks for: the citizen's point and municipality, and the filters."""

    lat: float
    lon: float
    municipality_code: int | None
    target_groups: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    referrals_only: bool = False
    free_only: bool = False
    weekday: str | None = None
    max_km: float = 10.0


@dataclass(frozen=True)
class Found:
    """The answer: up to ``LIMIT`` local offers (nearest first) and area offers, and how many matched."""

    local: pd.DataFrame
    area: pd.DataFrame
    n_local: int
    n_area: int


class PlaceError(ValueError):
    """A place that cannot be searched from (an unknown postcode, a point outside Denmark); Danish message."""


_POSTCODE_IN_ADDRESS = re.compile(r"(?<!\d)(\d{4})(?!\d)(?=\s*[A-Za-zÆØÅæøåÉé])")
"""A Danish postcode as an address writes it: four digits before the town ('Vestergade 1, 8000 Aarhus C')."""


def postcode_of(text: object) -> str:
    """The postcode in what was typed: the text itself (a postcode), or the one an address names before its
    town ('Vestergade 1, 8000 Aarhus C' -> '8000'); the text unchanged when it names none (the caller's
    :func:`from_postcode` then says what is wrong). Addresses are not looked up: the postcode's point is used."""
    s = str(text or "").strip()
    if s.isdigit():
        return s
    found = _POSTCODE_IN_ADDRESS.findall(s)
    return found[-1] if found else s


def from_postcode(postcode: object) -> tuple[float, float, int]:
    """(lat, lon, municipality_code) of a Danish postcode's representative point; :class:`PlaceError` if unknown."""
    text = str(postcode or "").strip()
    if not text:
        raise PlaceError("Skriv et postnummer med fire cifre, fx 8000.")
    if not (len(text) == 4 and text.isdigit()):
        raise PlaceError("Et postnummer har fire cifre, fx 8000.")
    point = reference.postcode_point(text)
    if point is None:
        raise PlaceError(f"Postnummeret {text} findes ikke i listen over danske postnumre.")
    lon, lat, code = point
    return lat, lon, int(code)


def _haversine_sql(lat: str, lon: str) -> str:
    """Great-circle distance in km from ($lat, $lon) to the columns ``lat``, ``lon`` (SQL expression)."""
    return (
        f"2 * {EARTH_RADIUS_KM} * asin(sqrt(pow(sin(radians({lat} - $lat) / 2), 2)"
        f" + cos(radians($lat)) * cos(radians({lat})) * pow(sin(radians({lon} - $lon) / 2), 2)))"
    )


_SQL = f"""
WITH matching AS (
    SELECT o.offer_id, o.name, o.organisation_id, g.name AS organisation_name, g.website,
           o.has_own_location,
           CASE WHEN o.has_own_location THEN o.address ELSE g.address END AS address,
           CASE WHEN o.has_own_location THEN o.postcode ELSE g.postcode END AS postcode,
           CASE WHEN o.has_own_location THEN o.city ELSE g.city END AS city,
           o.lat, o.lon, o.location_precision, m.municipality_name,
           o.schedule, o.cost, o.accepts_social_referrals, o.theme_labels, o.target_group_labels,
           o.service_area, len(o.service_municipality_codes) AS n_served,
           len(o.service_area) > 0 AS serves_area
    FROM offers o
    JOIN organisations g USING (organisation_id)
    LEFT JOIN municipalities m ON m.municipality_code = o.municipality_code
    WHERE o.status = 'aktiv'
      AND (len($groups) = 0 OR list_has_any(o.target_groups, $groups))
      AND (len($themes) = 0 OR list_has_any(o.themes, $themes))
      AND (NOT $referrals OR coalesce(o.accepts_social_referrals, FALSE))
      AND (NOT $free OR regexp_matches(lower(coalesce(o.cost, '')), $free_pattern))
      AND ($weekday = '' OR regexp_matches(lower(coalesce(o.schedule, '')), $weekday))
      AND (CASE WHEN len(o.service_area) > 0
                THEN $municipality IS NOT NULL AND list_contains(o.service_municipality_codes, $municipality)
                ELSE o.lat IS NOT NULL AND o.lon IS NOT NULL END)
)
SELECT *, CASE WHEN NOT serves_area THEN {_haversine_sql("lat", "lon")} END AS distance_km
FROM matching
"""


def find(db: Database, need: Need, limit: int = LIMIT) -> Found:
    """The active offers that fit ``need``: local ones within ``need.max_km``, nearest first; area ones apart."""
    params = {
        "lat": float(need.lat),
        "lon": float(need.lon),
        "municipality": None if need.municipality_code is None else int(need.municipality_code),
        "groups": list(need.target_groups),
        "themes": list(need.themes),
        "referrals": bool(need.referrals_only),
        "free": bool(need.free_only),
        "free_pattern": FREE_PATTERN,
        "weekday": weekday_pattern(need.weekday) if need.weekday else "",
    }
    rows = db.query(_SQL, params)
    max_km = min(max(float(need.max_km), 0.0), MAX_KM)
    local = rows[~rows["serves_area"] & (rows["distance_km"] <= max_km)]
    local = local.sort_values(["distance_km", "name", "offer_id"], kind="stable")
    area = rows[rows["serves_area"]].sort_values(["n_served", "name", "offer_id"], kind="stable")
    names = reference.area_names()
    area = area.assign(
        serves=["; ".join(names.get(str(a), str(a)) for a in list(areas)) for areas in area["service_area"]]
    )
    return Found(
        local=local.head(limit).reset_index(drop=True),
        area=area.head(limit).reset_index(drop=True),
        n_local=len(local),
        n_area=len(area),
    )


def distance_text(km: float) -> str:
    """A distance said honestly: 'ca. 2,3 km i luftlinje' (under 1 km in hundreds of metres)."""
    if km is None or (isinstance(km, float) and math.isnan(km)):
        return ""
    if km < 0.1:
        return "under 100 m i luftlinje"
    if km < 1:
        return f"ca. {round(km * 10) * 100} m i luftlinje"
    if km < 10:
        return f"ca. {danish.number(km, 1)} km i luftlinje"
    return f"ca. {round(km)} km i luftlinje"


def place_text(row: pd.Series) -> str:
    """Address, postcode and city of an offer's place as far as known ('' when none)."""
    return danish.place(row.get("address"), row.get("postcode"), row.get("city"))


def known(value: object) -> bool:
    """A value that is there: not missing, not blank."""
    return (
        value is not None
        and not (pd.api.types.is_scalar(value) and pd.isna(value))
        and str(value).strip() != ""
    )
