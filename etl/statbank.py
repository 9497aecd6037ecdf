"""Tables as Statistics Denmark hands them out (statistikbanken.dk's "Gem som CSV" and the StatBank API's CSV).

Shared by the readers of population (``etl.population``) and need indicators (``etl.indicators``): the
file's rows, the table's layout (variables as columns or one column per period) and which area labels are
municipalities (a name, a code or "kode navn").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pandas as pd

from civilkort import reference

PERIOD = re.compile(r"^(?:19|20)\d{2}(?:[KQ][1-4]|M\d{2}|H[12])?$")
"""A StatBank period: 2025, 2025K1, 2025M03, 2025H1."""
AREA_HEADERS = frozenset({"omraade", "omrade", "area", "region", "kommune"})
VALUE_HEADERS = frozenset({"indhold", "value", "content", "antal", "folketal"})
PERIOD_HEADERS = frozenset({"tid", "time", "periode", "kvartal"})
TOTALS = frozenset({"i alt", "alder i alt", "tot", "ialt", "total", "age total", "in total"})
"""Folded labels and codes of a variable's total (KØN, ALDER, CIVILSTAND)."""
MISSING_VALUES = frozenset({"", "..", "...", "-"})


def decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def text_of(path: Path) -> str:
    """A CSV file's text, UTF-8 or Windows-1252 as Statistics Denmark writes it."""
    return decode(path.read_bytes())


def table_rows(text: str) -> list[list[str]]:
    """The file's rows as stripped cells; the delimiter is sniffed from the table, not the title."""
    lines = [line for line in text.splitlines() if line.strip()]
    sample = "\n".join(lines[-50:] if len(lines) > 3 else lines)
    with_semicolon = sum(";" in line for line in sample.splitlines())
    if with_semicolon and with_semicolon >= sum("," in line for line in sample.splitlines()):
        delimiter = ";"  # Danish files: a comma in a line with semicolons is a decimal comma
    else:
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
        except csv.Error:
            delimiter = max(";\t,", key=sample.count)
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def area_code(label: object) -> int | None:
    """The municipality for an area label: a name, a code or 'kode navn'; None for the country, regions."""
    s = str(label).strip()
    m = re.fullmatch(r"(\d{1,4})\s+(\S.*)", s)
    if m:
        code = int(m[1])
        return code if code in known_codes() else None
    code = reference.municipality_code(s)
    return code if code in known_codes() else None


def is_aggregate(label: object) -> bool:
    """True for the whole country, a region or a part of the country (a StatBank table's rows above the
    municipalities: '000 Hele landet', '084 Region Hovedstaden', 'Landsdel Østjylland', 81-85 or 1-11)."""
    s = str(label).strip()
    m = re.fullmatch(r"(\d{1,4})\s+(\S.*)", s)
    if m:
        s = m[2]
    elif s.isdigit():
        return int(s) == 0 or 81 <= int(s) <= 85 or 1 <= int(s) <= 11
    folded = reference.fold(s)
    kind = reference.area(s)
    return folded.startswith(("region ", "landsdel ")) or (
        kind is not None and kind[0] in ("national", "region")
    )


def area_codes(labels: pd.Series) -> pd.Series:
    """``_code`` for each label, each distinct label looked up once."""
    return labels.map({label: area_code(label) for label in labels.unique()})


@cache
def known_codes() -> frozenset[int]:
    return frozenset(reference.municipalities()["municipality_code"])


def long_table(rows: list[list[str]]) -> pd.DataFrame:
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
        out = _from_pivot([header, *rows], 0)
        out["_line"] -= 1  # the header above was made up: the first row is line 1
        return out
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
    out.attrs["area_column"] = area
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
    area = max(stub_names, key=lambda c: area_codes(df[c]).notna().sum()) if stub_names else None
    out = df.rename(columns={area: "_area"}) if area else df.assign(_area="")
    out.attrs["area_column"] = area or ""
    return out


def newest_only(df: pd.DataFrame, say: Callable[[str, str], None], what: str) -> tuple[pd.DataFrame, str]:
    """The rows of the newest period (``_period``) and that period; ``say`` tells (message, periods) if there
    were several."""
    periods = sorted(set(df["_period"].astype(str)))
    newest = periods[-1] if periods else ""
    if len(periods) > 1:
        say(
            f"Filen har {len(periods)} perioder; {what} for den nyeste, {newest}, bruges",
            ", ".join(periods[-6:]),
        )
    return df[df["_period"].astype(str) == newest], newest


def missing_names(codes: pd.Series) -> tuple[int, str] | None:
    """How many of the 98 municipalities ``codes`` lacks, and the first ten by name ('Frederiksberg, ... og 87
    flere'); None if none is missing."""
    missing = sorted(known_codes() - set(codes))
    if not missing:
        return None
    names = reference.municipalities().set_index("municipality_code")["municipality_name"]
    shown = ", ".join(names[c] for c in missing[:10]) + (
        f" og {len(missing) - 10} flere" if len(missing) > 10 else ""
    )
    return len(missing), shown
