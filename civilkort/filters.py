"""The user's selection (area + filters) and its round trip through a URL query string."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache

from civilkort import reference

NATIONAL_AREA = "dk"
MEASURES: dict[str, str] = {
    "offers": "Antal tilbud",
    "offers_per_10k": "Tilbud pr. 10.000 indbyggere",
    "organisations": "Antal organisationer",
    "collaborations": "Antal samarbejder",
}
LAYERS: dict[str, str] = {
    "areas": "Kommuner",
    "points": "Organisationer og tilbud",
    "units": "Regionale enheder",
    "links": "Samarbejder som linjer",
    "housing": "Udsatte boligområder",
    "tiles": "Baggrundskort (kræver internet)",
}
DEFAULT_LAYERS = ("areas", "points", "units")
VIEW_BOUNDS = ((54.5, 7.8), (57.9, 15.3))
"""A map view's center must lie in this box (Denmark, ``(south, west), (north, east)``)."""
VIEW_ZOOMS = (5, 18)
"""The zoom levels a map view may have (the map's own limits)."""


@dataclass(frozen=True)
class Selection:
    """Area, filters, map measure and layers: everything a link must restore."""

    area: str = NATIONAL_AREA  # "dk", "council:<id>" or "region:<id>"
    themes: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    prevention_levels: tuple[str, ...] = ()
    organisation_types: tuple[str, ...] = ()
    staffing: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("aktiv",)
    referrals: str = ""  # "", "ja" or "nej"
    text: str = ""
    measure: str = "offers"
    layers: tuple[str, ...] = DEFAULT_LAYERS
    municipality: int | None = None  # the municipality whose summary is open
    item: str = ""  # the point whose details are open, e.g. "org:ORG-1"
    view: tuple[float, float, int] | None = (
        None  # the map's (lat, lon, zoom) from a copied link; None: fit the area
    )

    @property
    def has_offer_filters(self) -> bool:
        """True when any filter applies to offers (not only to organisations)."""
        return bool(
            self.themes
            or self.target_groups
            or self.prevention_levels
            or self.referrals
            or self.statuses != ("aktiv",)
        )

    def municipality_codes(self) -> list[int]:
        """The municipality codes of the chosen area."""
        return list(_area_codes(self.area))

    def council_ids(self) -> tuple[str, ...] | None:
        """The councils the chosen area covers; None for all of Denmark."""
        return _area_councils(self.area)

    def area_name(self) -> str:
        """The chosen area's Danish name."""
        kind, _, ident = self.area.partition(":")
        if kind == "council":
            hit = reference.councils().set_index("council_id")["council_name"]
            return str(hit.get(ident, ident))
        if kind == "region":
            hit = reference.regions().set_index("region_id")["region_name"]
            return str(hit.get(ident, ident))
        return "Hele Danmark"


@lru_cache(maxsize=64)
def _area_codes(area: str) -> tuple[int, ...]:
    m = reference.municipalities()
    kind, _, ident = area.partition(":")
    if kind == "council":
        m = m[m["council_id"] == ident]
    elif kind == "region":
        m = m[m["region_id"] == ident]
    return tuple(int(c) for c in m["municipality_code"])


@lru_cache(maxsize=64)
def _area_councils(area: str) -> tuple[str, ...] | None:
    kind, _, ident = area.partition(":")
    if kind == "council":
        return (ident,)
    if kind == "region":
        c = reference.councils()
        return tuple(c.loc[c["region_id"] == ident, "council_id"])
    return None


_LISTS = {
    "themes": "tema",
    "target_groups": "maalgruppe",
    "prevention_levels": "forebyggelse",
    "organisation_types": "orgtype",
    "staffing": "bemanding",
    "statuses": "status",
    "layers": "lag",
}
_SCALARS = {"area": "omraade", "referrals": "henvisning", "text": "q", "measure": "maal", "item": "valgt"}


def _valid_area(area: str) -> bool:
    kind, _, ident = area.partition(":")
    if area == NATIONAL_AREA:
        return True
    if kind == "council":
        return ident in set(reference.councils()["council_id"])
    if kind == "region":
        return ident in set(reference.regions()["region_id"])
    return False


def _coordinate(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def format_view(view: tuple[float, float, int]) -> str:
    """The ``kort`` parameter of a map view: ``lat,lon,zoom`` with 5 decimals at most."""
    lat, lon, zoom = view
    return f"{_coordinate(lat)},{_coordinate(lon)},{int(zoom)}"


def parse_view(text: str | None) -> tuple[float, float, int] | None:
    """A map view from ``lat,lon,zoom``; None unless the center is in Denmark and the zoom allowed."""
    parts = (text or "")[:100].split(",")
    if len(parts) != 3:
        return None
    try:
        lat, lon = round(float(parts[0]), 5), round(float(parts[1]), 5)
        zoom = int(parts[2].strip())
    except ValueError:
        return None
    (south, west), (north, east) = VIEW_BOUNDS
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (south <= lat <= north and west <= lon <= east and VIEW_ZOOMS[0] <= zoom <= VIEW_ZOOMS[1]):
        return None
    return lat, lon, zoom


def to_params(sel: Selection) -> dict[str, str]:
    """Query-string parameters for a selection; defaults are left out to keep links short."""
    default = Selection()
    out: dict[str, str] = {}
    for name, key in _SCALARS.items():
        value = getattr(sel, name)
        if value != getattr(default, name):
            out[key] = str(value)
    for name, key in _LISTS.items():
        value = getattr(sel, name)
        if value != getattr(default, name):
            out[key] = ",".join(value) if value else "-"
    if sel.municipality is not None:
        out["kommune"] = str(sel.municipality)
    if sel.view is not None:
        out["kort"] = format_view(sel.view)
    return out


def from_params(params: dict[str, str | list[str]]) -> Selection:
    """A selection from query-string parameters; unknown or malformed values fall back to defaults."""

    def get(key: str) -> str | None:
        value = params.get(key)
        if isinstance(value, list):
            value = value[-1] if value else None
        return None if value is None else str(value)

    sel = Selection()
    changes: dict = {}
    for name, key in _SCALARS.items():
        value = get(key)
        if value is not None:
            changes[name] = value[:200]
    if "area" in changes and not _valid_area(changes["area"]):
        del changes["area"]
    if changes.get("measure") not in MEASURES:
        changes.pop("measure", None)
    if changes.get("referrals") not in ("", "ja", "nej"):
        changes.pop("referrals", None)
    for name, key in _LISTS.items():
        value = get(key)
        if value is not None:
            items = tuple(v for v in value.split(",") if v and v != "-")
            if name == "layers":
                items = tuple(v for v in items if v in LAYERS)
            changes[name] = items
    municipality = get("kommune")
    if municipality and municipality.isdigit():
        code = int(municipality)
        if code in set(reference.municipalities()["municipality_code"]):
            changes["municipality"] = code
    view = parse_view(get("kort"))
    if view is not None:
        changes["view"] = view
    return replace(sel, **changes)
