"""The project's own reference data: regions, councils, municipalities, postcodes,
vocabularies; and lookups that match the spellings people actually use."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pandas as pd

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
"""The reference tables shipped with the package (codes, names, the council table, representative points)."""

NATIONAL = "national"
NATIONAL_NAMES = ("hele landet", "national", "landsdækkende", "danmark", "hele danmark")
OWN_REGION = "egen"
"""The region code of the area 'Hele regionen': the region of the record's own municipality."""
OWN_REGION_NAMES = ("hele regionen", "egen region", "regionen")
INDICATOR_UNITS = {"people": "personer", "percent": "procent", "per_1000": "pr. 1.000"}
"""A need indicator's unit (``indicator_meta.unit``) -> how it is written in Danish."""

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "oe", "ä": "ae"})


def fold(text: object) -> str:
    """A matching key: lower case, æøå as ae/oe/aa, punctuation and spacing folded.

    >>> fold(" Høje  Taastrup ") == fold("hoeje-taastrup")
    True
    """
    s = unicodedata.normalize("NFKC", str(text)).strip().lower().translate(_FOLD)
    s = re.sub(r"[^0-9a-z]+", " ", s)
    return " ".join(s.split())


def _fold_place(text: object) -> str:
    """``fold`` without the words 'kommune', 'regionskommune', 'sundhedsråd', 'region'."""
    s = fold(text)
    s = re.sub(r"\b(regionskommune|kommune|kommunes|sundhedsraad|sundhedsraadet|region)\b", " ", s)
    return " ".join(s.split())


@lru_cache(maxsize=1)
def regions() -> pd.DataFrame:
    """The four regions from 2027."""
    return pd.read_csv(REFERENCE_DIR / "regions.csv", dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def councils() -> pd.DataFrame:
    """The 17 health councils with their region."""
    return pd.read_csv(REFERENCE_DIR / "councils.csv", dtype=str)


@lru_cache(maxsize=1)
def municipalities() -> pd.DataFrame:
    """The 98 municipalities: code, name, council, region, representative point, source note."""
    df = pd.read_csv(
        REFERENCE_DIR / "municipalities.csv",
        dtype={"municipality_code": "int64", "municipality_name": str, "council_id": str, "region_id": str},
    )
    df["is_single_source"] = df["is_single_source"].astype(bool)
    return df


@lru_cache(maxsize=1)
def postcodes() -> pd.DataFrame:
    """Postcode representative points (DAGI 2014) with the municipality each point lies in.

    Ranges such as ``1000-1499`` are expanded into ``postcode_from``/``postcode_to``.
    """
    df = pd.read_csv(REFERENCE_DIR / "postcodes.csv", dtype={"postcode": str})
    bounds = df["postcode"].str.split("-", expand=True)
    df["postcode_from"] = bounds[0].astype(int)
    df["postcode_to"] = bounds[1].fillna(bounds[0]).astype(int)
    return df


@lru_cache(maxsize=1)
def vocabularies() -> pd.DataFrame:
    """The built-in vocabularies (vocabulary, code, label, description, sort_order)."""
    return pd.read_csv(REFERENCE_DIR / "vocabularies.csv", dtype=str, keep_default_na=False).assign(
        sort_order=lambda d: d["sort_order"].astype(int)
    )


@lru_cache(maxsize=1)
def _municipality_keys() -> dict[str, int]:
    m = municipalities()
    keys: dict[str, int] = {}
    for code, name in zip(m["municipality_code"], m["municipality_name"]):
        keys[_fold_place(name)] = int(code)
        keys[str(code)] = int(code)
        keys[f"{code:04d}"] = int(code)
    aliases = pd.read_csv(REFERENCE_DIR / "municipality_aliases.csv", dtype={"alias": str})
    for alias, code in zip(aliases["alias"], aliases["municipality_code"]):
        keys.setdefault(_fold_place(alias), int(code))
    return keys


def municipality_code(text: object) -> int | None:
    """The municipality code for a name, old spelling or code (``'Århus'``, ``'0751'``), or None."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    s = str(text).strip()
    if re.fullmatch(r"\d+(\.0)?", s):
        s = str(int(float(s)))
        return _municipality_keys().get(s)
    return _municipality_keys().get(_fold_place(s))


@lru_cache(maxsize=1)
def _area_keys() -> dict[str, tuple[str, str]]:
    keys: dict[str, tuple[str, str]] = {}
    for rid, name in zip(regions()["region_id"], regions()["region_name"]):
        keys[_fold_place(name)] = ("region", rid)
        keys[fold(rid)] = ("region", rid)
    for cid, name in zip(councils()["council_id"], councils()["council_name"]):
        keys[_fold_place(name)] = ("council", cid)
        keys[fold(cid)] = ("council", cid)
    for name in NATIONAL_NAMES:
        keys[fold(name)] = (NATIONAL, "DK")
    for name in OWN_REGION_NAMES:
        keys[fold(name)] = ("region", OWN_REGION)
    return keys


def area(text: object) -> tuple[str, str] | None:
    """Classify an area name: ``('municipality', '751')``, ``('council', 'aarhus')``,
    ``('region', 'midtjylland')``, ``('national', 'DK')``, ``('region', 'egen')`` for 'Hele regionen'
    (the record's own region), or None if unknown.

    A municipality wins over a council of the same name ("Aarhus") unless the text
    says "Sundhedsråd" or "Region".
    """
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    folded = fold(s)
    said_council = "sundhedsraad" in folded.split()
    said_region = "region" in folded.split() and "regionskommune" not in folded
    keys = _area_keys()
    key = _fold_place(s)
    if said_council or said_region:
        hit = keys.get(key)
        if hit and (hit[0] == "council") == said_council:
            return hit
    code = municipality_code(s)
    if code is not None and not (said_council or said_region):
        return ("municipality", str(code))
    return keys.get(key) or keys.get(folded)


@lru_cache(maxsize=1)
def area_names() -> dict[str, str]:
    """'type:code' -> the Danish name that reads back as that area ('municipality:751' -> 'Aarhus')."""
    names = {
        f"municipality:{code}": name
        for code, name in zip(
            municipalities()["municipality_code"],
            municipalities()["municipality_name"],
            strict=True,
        )
    }
    council_rows = councils()
    names.update(
        {
            f"council:{c}": n
            for c, n in zip(council_rows["council_id"], council_rows["council_name"], strict=True)
        }
    )
    region_rows = regions()
    names.update(
        {f"region:{r}": n for r, n in zip(region_rows["region_id"], region_rows["region_name"], strict=True)}
    )
    names[f"region:{OWN_REGION}"] = "Hele regionen"
    names[f"{NATIONAL}:DK"] = "Hele landet"
    return names


@lru_cache(maxsize=1)
def postcode_points() -> pd.DataFrame:
    """One row per 4-digit postcode (ranges such as 1000-1499 expanded), first match kept:
    ``postcode`` ('8000'), ``lon``, ``lat``, ``municipality_code``."""
    pc = postcodes()
    rows = [
        (f"{n:04d}", float(lon), float(lat), int(code))
        for lo, hi, lon, lat, code in zip(
            pc["postcode_from"], pc["postcode_to"], pc["lon"], pc["lat"], pc["municipality_code"]
        )
        for n in range(lo, hi + 1)
    ]
    return pd.DataFrame(rows, columns=["postcode", "lon", "lat", "municipality_code"]).drop_duplicates(
        "postcode"
    )


@lru_cache(maxsize=1)
def _postcode_index() -> dict[int, tuple[float, float, int]]:
    t = postcode_points()
    return {int(p): (lon, lat, code) for p, lon, lat, code in t.itertuples(index=False)}


def postcode_point(postcode: object) -> tuple[float, float, int] | None:
    """(lon, lat, municipality_code) of a postcode's representative point, or None if unknown."""
    try:
        n = int(str(postcode).strip())
    except (TypeError, ValueError):
        return None
    return _postcode_index().get(n)
