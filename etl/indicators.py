"""Need indicators per municipality (people 65+, share who feel very lonely, homeless people ...) from a file.

Read one indicator per file, in the layouts people can get:
- a plain two-column sheet or CSV: municipality, value (a header is optional; Danish numbers such as
  ``1.234`` and ``12,5`` are read as Danish); an ``.xlsx`` uses its first sheet with data;
- a Statistics Denmark table as ``etl.statbank`` reads it (the StatBank API's CSV, or statistikbanken.dk's
  "Gem som CSV"), e.g. FOLK1A by age band or FOLK1E.
The municipality may be a name, a code or "kode navn", as for the population. Rows for the whole country and
the regions are skipped and said so; an unknown area, a value that is not a number, a file whose rows do not
split into the same columns are errors naming file, row and column.  Missing municipalities are a warning
naming them.  The name, unit, period and source come from the caller where given, else from the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from civilkort import danish, reference
from civilkort.issues import InputError, Issue, error, warning
from etl.statbank import (
    AREA_HEADERS,
    MISSING_VALUES,
    PERIOD,
    TOTALS,
    area_code,
    is_aggregate,
    long_table,
    missing_names,
    newest_only,
)
from etl.text_rows import check_columns, text_rows

UNITS = reference.INDICATOR_UNITS
_UNIT_WORDS = {
    **{w: "people" for w in ("people", "personer", "antal", "persons", "personer i alt")},
    **{w: "percent" for w in ("percent", "procent", "pct", "pct.", "%", "andel")},
    **{
        w: "per_1000"
        for w in ("per_1000", "per 1000", "per 1.000", "pr. 1.000", "pr. 1000", "pr 1000", "promille")
    },
}
EXPECTED = (
    "Forventede enten to kolonner (kommune og værdi, fx 'København;12,5') som CSV med semikolon eller som "
    "Excel-ark, eller en tabel fra Danmarks Statistik som CSV (fra statistikbanken.dk eller api.statbank.dk "
    "med OMRÅDE, TID og INDHOLD)."
)
_TABLE_CODE = re.compile(r"^[A-Za-zÆØÅæøå]{2,}\d+[A-Za-z]*$")
"""A StatBank table's code as a file is often named: FOLK1A, FOLK1E, INDKP101."""
_NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}(\.\d{3})+)(,\d+)?$|^[+-]?\d*\.\d+$|^[+-]?\d+\.$")


@dataclass(frozen=True)
class Indicator:
    """One indicator: a value per municipality and what the value is."""

    name: str
    unit: str
    period: str
    source: str
    file: str
    values: pd.DataFrame
    """municipality_code (int64), value (float64); one row per municipality with a value."""


def unit_code(text: str) -> str:
    """The unit code for what a person wrote ('procent', 'pr. 1.000', 'personer'); raises InputError."""
    code = _UNIT_WORDS.get(" ".join(str(text).lower().split()))
    if code is None:
        raise InputError(
            [
                error(
                    "Ukendt enhed for indikatoren",
                    value=str(text),
                    hint="Brug personer, procent eller pr. 1.000.",
                )
            ]
        )
    return code


def number(text: str) -> float | None:
    """A number written the Danish way ('1.234', '12,5', '1.234,5'; '12.5' too); None if it is not one."""
    s = text.replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.match(s):
        return None
    if "," in s or re.fullmatch(r"[+-]?\d{1,3}(\.\d{3})+", s):
        s = s.replace(".", "").replace(",", ".")
    return float(s)


def _name_plain_header(rows: list[list[str]], start: int) -> None:
    """A plain sheet's header names its columns freely ('Kommune', 'Navn'; 'Andel'): mark the first as the area."""
    head = rows[start]
    if any(PERIOD.match(c) for c in head) or any(reference.fold(c) in AREA_HEADERS for c in head):
        return
    if number(head[-1]) is None and area_code(head[0]) is None and not is_aggregate(head[0]):
        rows[start] = ["kommune", *head[1:]]


def read_indicator(
    path: Path,
    *,
    name: str | None = None,
    unit: str | None = None,
    period: str | None = None,
    source: str | None = None,
    issues: list[Issue] | None = None,
) -> Indicator:
    """One indicator from a file; raises InputError naming what is wrong. Warnings go to ``issues``."""
    file = path.name
    if not path.is_file():
        raise InputError([error("Indikatorfilen findes ikke", file=str(path), hint=EXPECTED)])
    found: list[Issue] = []
    rows, sheet = text_rows(path, found, what="Indikatorfilen", expected=EXPECTED)
    start, title = check_columns(rows, file, sheet, expected=EXPECTED)
    _name_plain_header(rows, start)
    df = long_table(rows[start:])
    if df.empty or "_area" not in df:
        raise InputError([error("Filen ligner ikke en indikator pr. kommune", file=file, hint=EXPECTED)])
    df["_line"] += start
    where = {"file": file, "sheet": sheet}
    labels = pd.Series(df["_area"].unique())
    codes = {label: area_code(label) for label in labels}
    aggregate = [label for label in labels if codes[label] is None and is_aggregate(label)]
    unknown = [label for label in labels if codes[label] is None and label not in aggregate]
    if unknown:
        first = df.drop_duplicates("_area").set_index("_area")["_line"]
        raise InputError(
            [
                error(
                    "Ukendt kommune",
                    **where,
                    row=int(first[label]),
                    column=df.attrs.get("area_column", ""),
                    value=str(label),
                    hint="Skriv kommunen som navn (København), kode (101) eller 'kode navn' (101 København).",
                )
                for label in unknown[:20]
            ]
        )
    if aggregate:
        found.append(
            warning(
                "Rækker for hele landet eller regioner er sprunget over", **where, value=", ".join(aggregate)
            )
        )
    df = df[~df["_area"].isin(aggregate)].copy()
    df["municipality_code"] = df["_area"].map(codes)
    text = df["_value"].astype(str).str.strip()
    blank = text.isin(MISSING_VALUES)
    df["value"] = [None if b else number(t) for t, b in zip(text, blank, strict=True)]
    bad = df[df["value"].isna() & ~blank]
    if not bad.empty:
        column = df.attrs.get("value_column") or "værdi"
        raise InputError(
            [
                error(
                    "Værdien er ikke et tal",
                    **where,
                    row=int(r["_line"]),
                    column=str(r.get("_column", column)),
                    value=str(r["_value"]),
                )
                for _, r in bad.head(20).iterrows()
            ]
        )
    if blank.any():
        empty = list(dict.fromkeys(df.loc[blank, "_area"].astype(str)))
        found.append(
            warning(
                f"{danish.count(len(empty), 'kommune', 'kommuner')} har ingen værdi i filen (tom, '..' eller '-'); de vises uden værdi",
                **where,
                value=", ".join(empty[:10]) + (f" og {len(empty) - 10} flere" if len(empty) > 10 else ""),
            )
        )
    df = df[~blank]
    df, newest = newest_only(
        df, lambda message, value: found.append(warning(message, **where, value=value)), "værdien"
    )
    whole = bool(df["value"].dropna().map(float.is_integer).all())
    unit = unit_code(unit) if unit else ("people" if whole else None)
    if unit is None:
        raise InputError(
            [
                error(
                    "Angiv indikatorens enhed: værdierne har decimaler",
                    **where,
                    hint="Brug procent eller pr. 1.000.",
                )
            ]
        )
    df = _one_per_municipality(df, unit, where, found)
    values = df[["municipality_code", "value"]].astype({"municipality_code": "int64", "value": "float64"})
    if values.empty:
        raise InputError([error("Filen har ingen værdier for kommunerne", **where, hint=EXPECTED)])
    missing = missing_names(values["municipality_code"])
    if missing:
        found.append(
            warning(
                f"Indikatorfilen mangler værdier for {missing[0]} af 98 kommuner; de vises uden værdi",
                **where,
                value=missing[1],
            )
        )
    if not (period or newest):
        found.append(
            warning(
                "Filen siger ikke, hvilken periode tallene gælder",
                **where,
                hint="Angiv den med --indicator-period.",
            )
        )
    if issues is not None:
        issues.extend(found)
    stem = path.stem
    default_source = (
        f"Danmarks Statistik, {stem.upper()}"
        if _TABLE_CODE.match(stem)
        else "Danmarks Statistik"
        if title
        else ""
    )
    return Indicator(
        name=(name or title or stem).strip(),
        unit=unit,
        period=(period or newest).strip(),
        source=(default_source if source is None else source).strip(),
        file=file,
        values=values.reset_index(drop=True),
    )


def _one_per_municipality(df: pd.DataFrame, unit: str, where: dict, found: list[Issue]) -> pd.DataFrame:
    """One value per municipality: a variable's total where it has one, else its values added up (people only)."""
    others = [c for c in df.columns if not c.startswith("_") and c not in ("municipality_code", "value")]
    summed = []
    for column in others:
        is_total = df[column].map({v: reference.fold(v) in TOTALS for v in df[column].unique()})
        if is_total.any():
            df = df[is_total]
        elif df[column].nunique() > 1:
            summed.append(f"{column}: {', '.join(dict.fromkeys(df[column].astype(str)))}")
    repeated = df[df.duplicated("municipality_code", keep=False)]
    if repeated.empty:
        return df
    if summed and unit == "people":
        found.append(warning("Værdierne er lagt sammen pr. kommune", **where, value="; ".join(summed)[:300]))
        return df.groupby("municipality_code", as_index=False).agg(value=("value", "sum"))
    raise InputError(
        [
            error(
                "Kommunen står flere gange" + (" (en andel kan ikke lægges sammen)" if summed else ""),
                **where,
                row=int(r["_line"]),
                value=str(r["_area"]),
                hint="Vælg én værdi for hver variabel (eller 'I alt') i Statistikbanken."
                if summed
                else "Hver kommune må kun stå én gang.",
            )
            for _, r in repeated.drop_duplicates("municipality_code", keep="last").head(20).iterrows()
        ]
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", reference.fold(text)).strip("-") or "indikator"


def frames(indicators: Sequence[Indicator]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The build's tables: ``indicators`` (indicator_id, municipality_code, value) and ``indicator_meta``."""
    ids: list[str] = []
    for ind in indicators:
        base = _slug(ind.name)
        ids.append(base if base not in ids else f"{base}-{sum(i.startswith(base) for i in ids) + 1}")
    values = [ind.values.assign(indicator_id=i) for i, ind in zip(ids, indicators, strict=True)]
    values_df = (
        pd.concat(values, ignore_index=True)[["indicator_id", "municipality_code", "value"]]
        if values
        else pd.DataFrame(
            {
                "indicator_id": pd.Series(dtype="string"),
                "municipality_code": pd.Series(dtype="int64"),
                "value": pd.Series(dtype="float64"),
            }
        )
    )
    meta = pd.DataFrame(
        {
            "indicator_id": pd.Series(ids, dtype="string"),
            "name": pd.Series([i.name for i in indicators], dtype="string"),
            "unit": pd.Series([i.unit for i in indicators], dtype="string"),
            "period": pd.Series([i.period for i in indicators], dtype="string"),
            "source": pd.Series([i.source for i in indicators], dtype="string"),
            "file_name": pd.Series([i.file for i in indicators], dtype="string"),
            "municipalities": pd.Series([len(i.values) for i in indicators], dtype="int64"),
        }
    )
    return values_df.astype({"indicator_id": "string"}), meta


def from_frames(values: pd.DataFrame, meta: pd.DataFrame) -> list[Indicator]:
    """The indicators a build holds, as read (for a rebuild, which keeps them)."""
    return [
        Indicator(
            name=m["name"],
            unit=m["unit"],
            period=m["period"],
            source=m["source"],
            file=m["file_name"],
            values=values.loc[values["indicator_id"] == m["indicator_id"], ["municipality_code", "value"]]
            .astype({"municipality_code": "int64", "value": "float64"})
            .reset_index(drop=True),
        )
        for m in meta.to_dict("records")
    ]
