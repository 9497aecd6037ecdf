"""Municipality population from a Statistics Denmark FOLK1A CSV export.

Expected: the StatBank API's CSV (``api.statbank.dk/v1/data/FOLK1A/CSV?OMRÅDE=*&KØN=TOT&ALDER=IALT&CIVILSTAND=TOT&Tid=2025K1``)
or a table saved from statistikbanken.dk as CSV: ``;``-separated, a column for the
area (OMRÅDE), one for the period (TID) and the value (INDHOLD), UTF-8 or
Windows-1252.  Rows for the whole country and regions are ignored; with several
periods, the newest is used.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from civilkort import reference
from civilkort.issues import InputError, error


def read_folk1a(path: Path) -> pd.DataFrame:
    """municipality_code, population, population_period from a FOLK1A CSV; raises InputError."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    df = pd.read_csv(io.StringIO(text), sep=None, engine="python", dtype=str)
    cols = {reference.fold(c): c for c in df.columns}
    area = cols.get("omraade") or cols.get("omrade")
    value = cols.get("indhold") or cols.get("value")
    period = cols.get("tid") or cols.get("time")
    if area is None or value is None:
        raise InputError(
            [
                error(
                    "Filen ligner ikke en FOLK1A-udtræk fra Danmarks Statistik",
                    file=path.name,
                    value=", ".join(df.columns),
                    hint="Forventede kolonnerne OMRÅDE, TID og INDHOLD (semikolon-separeret CSV).",
                )
            ]
        )
    df["municipality_code"] = df[area].map(reference.municipality_code)
    df["population"] = pd.to_numeric(df[value].str.replace(".", "", regex=False).str.strip(), errors="coerce")
    df["population_period"] = df[period] if period else ""
    df = df.dropna(subset=["municipality_code", "population"])
    if df.empty:
        raise InputError(
            [
                error(
                    "Ingen kommuner fundet i FOLK1A-filen",
                    file=path.name,
                    hint="Vælg OMRÅDE = alle kommuner.",
                )
            ]
        )
    newest = df["population_period"].max()
    df = df[df["population_period"] == newest]
    out = df.groupby("municipality_code", as_index=False).agg(
        population=("population", "sum"), population_period=("population_period", "first")
    )
    out["municipality_code"] = out["municipality_code"].astype("int64")
    out["population"] = out["population"].astype("int64")
    return out
