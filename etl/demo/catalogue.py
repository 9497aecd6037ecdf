"""The example data's catalogue: the real records from the strategy papers and the templates the
synthetic records are made from, read from the data files in ``etl/demo/catalogue/``.

TOML for records and templates, CSV for plain tables (lines starting with ``#`` are comments).
"""

from __future__ import annotations

import csv
import dataclasses
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
"""The catalogue's data files, shipped with the package."""

T = TypeVar("T")

PROVENANCE_FILE = "eksempeldata"
SOURCE_SYNTHETIC = "Eksempeldata (genereret)"
SOURCE_RH = "Region Hovedstaden: Strategisk retning for civilsamfundssamarbejde (visionspapir)"
SOURCE_RM = (
    "Region Midtjylland: Sammen om fremtidens sundhed – civilsamfundets rolle i et ligeværdigt "
    "sundhedsvæsen (civilsamfundspapir)"
)
SOURCE_UNIT = "Offentligt kendt enhed; placeret omtrentligt ved postnummer (tjek i SOR)"
SOURCE_MUNICIPALITY = "Danmarks kommuner (projektets referencedata)"


# ---------------------------------------------------------------------------
# Real records from the strategy papers (seeds 001 and 004)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownUnit:
    """A real regional unit: name, type and an approximate place (postcode and/or municipality)."""

    name: str
    unit_type: str
    postcode: str | None = None
    municipality: int | None = None
    serves: tuple[str, ...] = ()
    source: str = SOURCE_UNIT


@dataclass(frozen=True)
class KnownOrganisation:
    """A real organisation named in the strategy papers; unknown facts are left empty."""

    name: str
    organisation_type: str
    description: str
    source: str
    staffing: str | None = None
    website: str | None = None
    postcode: str | None = None
    municipality: int | None = None


@dataclass(frozen=True)
class KnownOffer:
    """A real activity named in the strategy papers, run by a known organisation."""

    organisation: str
    name: str
    description: str
    themes: tuple[str, ...]
    target_groups: tuple[str, ...]
    source: str
    prevention_level: str | None = None
    accepts_social_referrals: bool | None = None
    postcode: str | None = None
    municipality: int | None = None
    service_area: tuple[str, ...] = ()
    schedule: str | None = None


@dataclass(frozen=True)
class KnownCollaboration:
    """A real collaboration named in the strategy papers."""

    title: str
    description: str
    unit_names: tuple[str, ...]
    organisation_names: tuple[str, ...]
    themes: tuple[str, ...]
    target_groups: tuple[str, ...]
    source: str
    status: str = "aktiv"
    form: str | None = None
    kind: str | None = None
    municipalities: tuple[str, ...] = ()


# ---------------------------------------------------------------------------
# Templates for the synthetic records
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _OfferKind:
    names: tuple[str, ...]
    description: str
    themes: tuple[str, ...]
    targets: tuple[str, ...]
    prevention: tuple[float, float, float]  # primaer, sekundaer, tertiaer; the rest empty
    referral: float
    schedules: tuple[str, ...]
    costs: tuple[str, ...] = ("Gratis",)


@dataclass(frozen=True)
class _OrgTemplate:
    names: tuple[str, ...]
    organisation_type: str
    staffing: tuple[float, float, float]  # frivillige, loennede, begge
    kinds: tuple[str, ...]
    description: str
    weight: float
    multi: bool = False


@dataclass(frozen=True)
class _CollabTemplate:
    unit_type: str
    title: str
    description: str
    themes: tuple[str, ...]
    targets: tuple[str, ...]
    roles: tuple[str, ...]


# ---------------------------------------------------------------------------
# Reading the data files
# ---------------------------------------------------------------------------


class CatalogueError(ValueError):
    """A catalogue file that cannot be read into records; the message names the file and the entry."""


_SOURCES = {"rh": SOURCE_RH, "rm": SOURCE_RM, "unit": SOURCE_UNIT}
"""The short names the data files give the sources by."""


def _toml(name: str) -> dict[str, Any]:
    """One TOML file of the catalogue."""
    path = CATALOGUE_DIR / name
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: {exc}") from exc


def _csv(name: str) -> list[dict[str, str]]:
    """The rows of one CSV file of the catalogue, comment lines left out."""
    path = CATALOGUE_DIR / name
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def _record(cls: type[T], name: str, number: int, values: dict[str, Any]) -> T:
    """One record from a file's entry: lists become tuples, a source's short name its full text."""
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    if "source" in values:
        if values["source"] not in _SOURCES:
            raise CatalogueError(f"{name}, entry {number}: unknown source {values['source']!r}")
        values["source"] = _SOURCES[values["source"]]
    try:
        return cls(**values)
    except TypeError as exc:
        raise CatalogueError(f"{name}, entry {number}: {exc}") from exc


def _records(cls: type[T], name: str, key: str) -> tuple[T, ...]:
    """The records of the array of tables ``key`` (``[[key]]``) in one TOML file."""
    entries = _toml(name).get(key)
    if not entries:
        raise CatalogueError(f"{name}: no [[{key}]] entries")
    return tuple(_record(cls, name, i, entry) for i, entry in enumerate(entries, start=1))


def _known_units() -> tuple[KnownUnit, ...]:
    """The known units from their CSV file: empty cells are unknown, ``serves`` is split at ';'."""
    fields = {f.name for f in dataclasses.fields(KnownUnit)}
    units = []
    for i, row in enumerate(_csv("known_units.csv"), start=1):
        if set(row) != fields:
            raise CatalogueError(f"known_units.csv: the columns are {sorted(row)}, not {sorted(fields)}")
        values: dict[str, Any] = {k: v or None for k, v in row.items()}
        values["municipality"] = int(row["municipality"]) if row["municipality"] else None
        values["serves"] = row["serves"].split(";") if row["serves"] else []
        units.append(_record(KnownUnit, "known_units.csv", i, values))
    return tuple(units)


def _numbers(name: str, key: str, value: str) -> dict[str, float]:
    """A two-column CSV file as {key: number}."""
    return {row[key]: float(row[value]) for row in _csv(name)}


# ---------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------

KNOWN_UNITS: tuple[KnownUnit, ...] = _known_units()
"""Main public hospitals, psychiatric centres and regional administrations (general knowledge)."""

KNOWN_ORGANISATIONS: tuple[KnownOrganisation, ...] = _records(
    KnownOrganisation, "known_organisations.toml", "organisation"
)
"""Organisations named in the strategy papers; addresses, CVR numbers and contacts are unknown."""

KNOWN_OFFERS: tuple[KnownOffer, ...] = _records(KnownOffer, "known_offers.toml", "offer")
"""Activities named in the strategy papers, placed at the hospital or municipality they name."""

REAL_COLLABORATIONS: tuple[KnownCollaboration, ...] = _records(
    KnownCollaboration, "real_collaborations.toml", "collaboration"
)
"""The collaborations named in the strategy papers, always part of the example data."""

_OFFER_KINDS: dict[str, _OfferKind] = {
    key: _record(_OfferKind, "offer_kinds.toml", i, values)
    for i, (key, values) in enumerate(_toml("offer_kinds.toml").items(), start=1)
}
_ORG_TEMPLATES: tuple[_OrgTemplate, ...] = _records(_OrgTemplate, "organisation_templates.toml", "template")

_MULTI_SHARE = 0.04
"""Share of synthetic organisations that work across several councils."""

_collab_file = _toml("collaboration_templates.toml")
_DEPARTMENTS: tuple[str, ...] = tuple(_collab_file["departments"])
_COLLAB_TEMPLATES: tuple[_CollabTemplate, ...] = _records(
    _CollabTemplate, "collaboration_templates.toml", "template"
)
_UNIT_TYPE_WEIGHTS: dict[str, float] = _collab_file["unit_type_weights"]

_phrases = _toml("phrases.toml")
_GP_NAMES: tuple[str, ...] = tuple(_phrases["gp_practice_names"])
_CONTACT_ROLES: tuple[str, ...] = tuple(_phrases["contact_roles"])
_ORG_SIDE_ROLES: tuple[str, ...] = tuple(_phrases["org_side_roles"])
_FUNDING: tuple[str, ...] = tuple(_phrases["funding"])
_LEARNINGS: tuple[str, ...] = tuple(_phrases["learnings"])

_APPROX_POPULATION_K: dict[int, float] = {
    int(code): k
    for code, k in _numbers("population.csv", "municipality_code", "population_thousands").items()
}
"""Rough population per municipality in thousands; only used to weight synthetic density."""

_TIGHT_POSTCODES_M: dict[str, float] = _numbers("tight_postcodes.csv", "postcode", "radius_m")
"""Postcode points too close to their municipality's border or coast for the full random offset, with
their safe offset radius in metres (see the file)."""

_THIN_MUNICIPALITIES = (825, 563, 741, 492, 482, 665)
"""Municipalities given very few synthetic records, so coverage gaps show up."""

_THEME_CODES = ("forebyggelse", "lighed", "brobygning", "udvikling")
