"""Municipality population from a Statistics Denmark FOLK1A table, as the StatBank API or its web page gives it.

Read:
- the StatBank API's CSV (``api.statbank.dk/v1/data/FOLK1A/CSV?OMRÅDE=*&Tid=2025K1``): ``;``-separated,
  one column per variable (OMRÅDE, KØN, ALDER, CIVILSTAND, TID) and the value (INDHOLD), with texts,
  codes (``valuePresentation=Code``) or both (``101 København``);
- a table saved from statistikbanken.dk ("Gem som CSV"): a title line and a blank line before the table,
  quoted cells, Windows-1252, the variables as columns on the left (repeated labels left blank) and one
  column per period.
The area may be a name, a code or "kode navn"; rows for the whole country, regions and parts of the country
are skipped. Where another variable (sex, age, marital status) has a total ("I alt", ``TOT``) only the total
is used, else its rows are added up. With several periods the newest is used, and a warning says so.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from civilkort import reference
from civilkort.issues import InputError, Issue, error, warning
from etl.statbank import (
    MISSING_VALUES,
    TOTALS,
    area_codes,
    long_table,
    missing_names,
    newest_only,
    table_rows,
    text_of,
)

EXPECTED = (
    "Forventede FOLK1A fra Danmarks Statistik som CSV: fra API'et (api.statbank.dk, kolonnerne OMRÅDE, TID og "
    "INDHOLD) eller gemt fra statistikbanken.dk (OMRÅDE i venstre kolonne, én kolonne pr. kvartal)."
)


def read_folk1a(path: Path, issues: list[Issue] | None = None) -> pd.DataFrame:
    """municipality_code, population, population_period from a FOLK1A CSV; raises InputError.

    Warnings (several periods, municipalities missing) are added to ``issues`` if given.
    """
    name = path.name
    try:
        rows = table_rows(text_of(path))
    except csv.Error as exc:
        raise InputError(
            [error(f"Folketalsfilen kan ikke læses som CSV ({exc})", file=name, hint=EXPECTED)]
        ) from exc
    df = long_table(rows)
    if df.empty or "_area" not in df:
        first = next((", ".join(r) for r in rows if any(r)), "")
        raise InputError(
            [
                error(
                    "Filen ligner ikke et FOLK1A-udtræk fra Danmarks Statistik",
                    file=name,
                    value=first[:120],
                    hint=EXPECTED,
                )
            ]
        )
    df["municipality_code"] = area_codes(df["_area"])
    areas = df[df["municipality_code"].notna()].copy()
    if areas.empty:
        found = list(dict.fromkeys(df["_area"].astype(str)))
        raise InputError(
            [
                error(
                    "Ingen kommuner fundet i FOLK1A-filen",
                    file=name,
                    value=", ".join(found[:8]) + (f" og {len(found) - 8} flere" if len(found) > 8 else ""),
                    hint="Forventede kommunerne i OMRÅDE som navn (København), kode (101) eller 'kode navn' "
                    "(101 København). Vælg 'Alle kommuner' under OMRÅDE i Statistikbanken.",
                )
            ]
        )
    text = areas["_value"].astype(str).str.replace(r"[.\s\u00a0]", "", regex=True)
    blank = areas["_value"].astype(str).str.strip().isin(MISSING_VALUES)
    areas["population"] = pd.to_numeric(text.where(~blank), errors="coerce")
    bad = areas[areas["population"].isna() & ~blank]
    if not bad.empty:
        column = df.attrs.get("value_column") or "INDHOLD"
        raise InputError(
            [
                error(
                    "Folketallet er ikke et helt tal",
                    file=name,
                    row=int(r["_line"]),
                    column=str(r.get("_column", column)),
                    value=str(r["_value"]),
                )
                for _, r in bad.head(20).iterrows()
            ]
        )
    areas = areas.dropna(subset=["population"])
    others = [
        c for c in areas.columns if not c.startswith("_") and c not in ("municipality_code", "population")
    ]
    for column in others:
        is_total = areas[column].map({v: reference.fold(v) in TOTALS for v in areas[column].unique()})
        if is_total.any():
            areas = areas[is_total]
    areas, newest = newest_only(
        areas, lambda message, value: _say(issues, warning(message, file=name, value=value)), "folketallet"
    )
    out = areas.groupby("municipality_code", as_index=False).agg(population=("population", "sum"))
    out["population_period"] = newest
    out["municipality_code"] = out["municipality_code"].astype("int64")
    out["population"] = out["population"].astype("int64")
    missing = missing_names(out["municipality_code"])
    if missing:
        _say(
            issues,
            warning(
                f"FOLK1A-filen mangler folketal for {missing[0]} af 98 kommuner; de vises uden folketal",
                file=name,
                value=missing[1],
                hint="Vælg 'Alle kommuner' under OMRÅDE i Statistikbanken.",
            ),
        )
    return out


def _say(issues: list[Issue] | None, issue: Issue) -> None:
    if issues is not None:
        issues.append(issue)
