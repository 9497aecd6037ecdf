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
import io
import re
from functools import cache
from pathlib import Path

import pandas as pd

from civilkort import reference
from civilkort.issues import InputError, Issue, error, warning

PERIOD = re.compile(r"^(?:19|20)\d{2}(?:[KQ][1-4]|M\d{2}|H[12])?$")
"""A StatBank period: 2025, 2025K1, 2025M03, 2025H1."""
AREA_HEADERS = frozenset({"omraade", "omrade", "area", "region", "kommune"})
VALUE_HEADERS = frozenset({"indhold", "value", "content", "antal", "folketal"})
PERIOD_HEADERS = frozenset({"tid", "time", "periode", "kvartal"})
TOTALS = frozenset({"i alt", "alder i alt", "tot", "ialt", "total", "age total", "in total"})
"""Folded labels and codes of a variable's total (KØN, ALDER, CIVILSTAND)."""
MISSING_VALUES = frozenset({"", "..", "...", "-"})
EXPECTED = (
    "Forventede FOLK1A fra Danmarks Statistik som CSV: fra API'et (api.statbank.dk, kolonnerne OMRÅDE, TID og "
    "INDHOLD) eller gemt fra statistikbanken.dk (OMRÅDE i venstre kolonne, én kolonne pr. kvartal)."
)


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _rows(text: str) -> list[list[str]]:
    """The file's rows as stripped cells; the delimiter is sniffed from the table, not the title."""
    lines = [line for line in text.splitlines() if line.strip()]
    sample = "\n".join(lines[-50:] if len(lines) > 3 else lines)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = max(";\t,", key=sample.count)
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _code(label: object) -> int | None:
    """The municipality for an area label: a name, a code or 'kode navn'; None for the country, regions."""
    s = str(label).strip()
    m = re.fullmatch(r"(\d{1,4})\s+(\S.*)", s)
    if m:
        code = int(m[1])
        return code if code in _known() else None
    code = reference.municipality_code(s)
    return code if code in _known() else None


def _codes(labels: pd.Series) -> pd.Series:
    """``_code`` for each label, each distinct label looked up once."""
    return labels.map({label: _code(label) for label in labels.unique()})


@cache
def _known() -> frozenset[int]:
    return frozenset(reference.municipalities()["municipality_code"])


def _long(rows: list[list[str]]) -> pd.DataFrame:
    """A long table (_area, other variables..., _period, _value, _line) from either layout; empty if none."""
    for i, row in enumerate(rows):
        if any(PERIOD.match(c) for c in row) and i + 1 < len(rows):
            return _from_pivot(rows, i)  # a header of periods: 'område';'2024K4';'2025K1'
        if any(reference.fold(c) in AREA_HEADERS for c in row):
            return _from_columns(rows, i)
    # No header at all: rows of labels ending in a number (a single period saved without its header).
    width = max((len(r) for r in rows), default=0)
    if width >= 2:
        header = [f"kolonne {j + 1}" for j in range(width - 1)] + [""]
        return _from_pivot([header, *rows], 0)
    return pd.DataFrame()


def _pad(row: list[str], width: int) -> list[str]:
    return (row + [""] * width)[:width]


def _from_columns(rows: list[list[str]], h: int) -> pd.DataFrame:
    """The API's layout: a header with OMRÅDE, ..., TID, INDHOLD; one row per area and period."""
    header = rows[h]
    width = len(header)
    body = [(_pad(r, width), h + 2 + n) for n, r in enumerate(rows[h + 1 :]) if any(r)]
    df = pd.DataFrame([r for r, _ in body], columns=[c or f"kolonne {j + 1}" for j, c in enumerate(header)])
    df["_line"] = [line for _, line in body]
    folded = {reference.fold(c): c for c in df.columns[:width]}
    area = next(folded[f] for f in folded if f in AREA_HEADERS)
    value = next((folded[f] for f in folded if f in VALUE_HEADERS), df.columns[width - 1])
    period = next((folded[f] for f in folded if f in PERIOD_HEADERS), None)
    out = df.rename(columns={area: "_area", value: "_value"})
    out["_period"] = out.pop(period) if period else ""
    out.attrs["value_column"] = value
    return out


def _from_pivot(rows: list[list[str]], h: int) -> pd.DataFrame:
    """The web page's layout: variables on the left (blank where repeated), one column per period."""
    header = rows[h]
    periods = [j for j, c in enumerate(header) if PERIOD.match(c) or (not c and j == len(header) - 1)]
    first = periods[0]
    width = len(header)
    records = []
    stub: list[str] = [""] * first
    for n, row in enumerate(rows[h + 1 :]):
        row = _pad(row, width)
        if not any(row):
            continue
        stub = [c or stub[j] for j, c in enumerate(row[:first])]  # a blank label repeats the one above
        for j in periods:
            records.append([*stub, header[j], row[j], h + 2 + n, header[j] or "antal"])
    stub_names = [c or f"kolonne {j + 1}" for j, c in enumerate(header[:first])]
    df = pd.DataFrame(records, columns=[*stub_names, "_period", "_value", "_line", "_column"])
    # The area is the stub whose labels are most often municipalities.
    area = max(stub_names, key=lambda c: _codes(df[c]).notna().sum()) if stub_names else None
    return df.rename(columns={area: "_area"}) if area else df.assign(_area="")


def read_folk1a(path: Path, issues: list[Issue] | None = None) -> pd.DataFrame:
    """municipality_code, population, population_period from a FOLK1A CSV; raises InputError.

    Warnings (several periods, municipalities missing) are added to ``issues`` if given.
    """
    name = path.name
    try:
        rows = _rows(_decode(path.read_bytes()))
    except csv.Error as exc:
        raise InputError(
            [error(f"Folketalsfilen kan ikke læses som CSV ({exc})", file=name, hint=EXPECTED)]
        ) from exc
    df = _long(rows)
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
    df["municipality_code"] = _codes(df["_area"])
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
    periods = sorted(set(areas["_period"].astype(str)))
    newest = periods[-1] if periods else ""
    if len(periods) > 1:
        _say(
            issues,
            warning(
                f"Filen har {len(periods)} perioder; folketallet for den nyeste, {newest}, bruges",
                file=name,
                value=", ".join(periods[-6:]),
            ),
        )
    areas = areas[areas["_period"].astype(str) == newest]
    out = areas.groupby("municipality_code", as_index=False).agg(population=("population", "sum"))
    out["population_period"] = newest
    out["municipality_code"] = out["municipality_code"].astype("int64")
    out["population"] = out["population"].astype("int64")
    missing = sorted(_known() - set(out["municipality_code"]))
    if missing:
        names = reference.municipalities().set_index("municipality_code")["municipality_name"]
        shown = ", ".join(names[c] for c in missing[:10]) + (
            f" og {len(missing) - 10} flere" if len(missing) > 10 else ""
        )
        _say(
            issues,
            warning(
                f"FOLK1A-filen mangler folketal for {len(missing)} af 98 kommuner; de vises uden folketal",
                file=name,
                value=shown,
                hint="Vælg 'Alle kommuner' under OMRÅDE i Statistikbanken.",
            ),
        )
    return out


def _say(issues: list[Issue] | None, issue: Issue) -> None:
    if issues is not None:
        issues.append(issue)
