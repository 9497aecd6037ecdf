"""The ministry's list of vulnerable housing areas (*udsatte boligområder*) from a file.

The list is published each 1 December (Social-, Bolig- og Ældreministeriet / Bolig- og Planstyrelsen) as a
workbook: one row per area with its municipality, often the housing organisation and the number of residents,
and the category either in a column or as a heading row above the areas it covers ("Parallelsamfund",
"Omdannelsesområder", "Udsatte boligområder", "Forebyggelsesområder").  Both are read, as CSV or Excel, with
the header found among the first rows and named freely (*Boligområde*, *Kommune*, *Kategori*, *Beboere*;
optional *Breddegrad*/*Længdegrad* or UTM metres, *Adresse*, *Postnummer*).

An area is placed as everything else is (:func:`etl.locate.place`): at its coordinates where the file has them,
else at its postcode's point (a postcode column, or one written in the address), else at its municipality's
point, and the precision says which (the map marks the last two as approximate).  A row without a name or with
an unknown municipality is an error naming file, sheet, row and column; a total row is skipped and said so; an
area named twice in one municipality is an error naming both rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from civilkort import danish, reference
from civilkort.issues import InputError, Issue, error, warning
from civilkort.schema import Field, Table
from etl.boundaries import Boundaries
from etl.indicators import number
from etl.locate import place
from etl.statbank import MISSING_VALUES, area_code, is_aggregate
from etl.text_rows import check_columns, text_rows

EXPECTED = (
    "Forventede ministeriets liste over udsatte boligområder som Excel eller CSV med semikolon: en række pr. "
    "område med kolonnerne Boligområde og Kommune (gerne også Kategori, Beboere, Adresse, Postnummer eller "
    "Breddegrad og Længdegrad)."
)
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("boligomraade", "boligomraadets navn", "omraade", "omraadets navn", "navn", "boligafdeling",
             "afdeling", "afdelinger", "boligomraade afdelinger"),
    "municipality": ("kommune", "kommunenavn", "kommunekode", "kommunenr"),
    "category": ("kategori", "liste", "status", "type", "betegnelse", "omraadetype"),
    "residents": ("beboere", "antal beboere", "indbyggere", "antal indbyggere", "beboertal"),
    "housing_org": ("boligorganisation", "boligselskab", "organisation"),
    "address": ("adresse", "vejadresse"),
    "postcode": ("postnummer", "postnr", "post nr"),
    "lat": ("breddegrad", "bredde", "lat", "latitude", "y", "y koordinat", "northing"),
    "lon": ("laengdegrad", "laengde", "lon", "lng", "longitude", "x", "x koordinat", "easting"),
}  # fmt: skip
"""What each column may be called in a file (folded by :func:`civilkort.reference.fold`)."""
_HEADER_OF = {h: key for key, names in HEADERS.items() for h in names}
HEADER_SEARCH_ROWS = 15

CATEGORIES: dict[str, str] = {
    "parallelsamfund": "Parallelsamfund",
    "omdannelsesomraade": "Omdannelsesområde",
    "haardt ghettoomraade": "Omdannelsesområde",
    "haarde ghettoomraade": "Omdannelsesområde",
    "udsat boligomraade": "Udsat boligområde",
    "udsatte boligomraade": "Udsat boligområde",
    "forebyggelsesomraade": "Forebyggelsesområde",
}
"""The ministry's categories, by their folded singular form (``_category_key`` drops a plural ending)."""
_TOTALS = frozenset({"i alt", "ialt", "total", "samlet", "hele landet"})
_POSTCODE_IN_TEXT = re.compile(r"\b(\d{4})\b(?=\s+[A-Za-zÆØÅæøå])")
_PERIOD = re.compile(r"(?:\b\d{1,2}\.\s*[A-Za-zæøå]+\s+)?\b(?:19|20)\d{2}\b")

COLUMNS = ("area_id", "name", "category", "housing_org", "residents", "address", "postcode", "lat", "lon",
           "location_precision", "municipality_code", "council_id", "region_id", "source_row")  # fmt: skip
"""The build's ``ref_housing_areas`` columns, in order."""


@dataclass(frozen=True)
class HousingList:
    """The areas of one list and what the list is."""

    file: str
    title: str
    period: str
    source: str
    areas: pd.DataFrame
    """:data:`COLUMNS`, one row per area, placed."""
    is_example: bool = False


def _category_key(text: str) -> str:
    key = reference.fold(text)
    key = re.sub(r"omraade(r|rne|t)\b", "omraade", key)  # plural and definite forms, also in compounds
    return key.removesuffix(" pr").strip()


def category(text: str) -> str | None:
    """The ministry's category for a cell or heading ('Udsatte boligområder' -> 'Udsat boligområde'), or None."""
    key = _category_key(text)
    for known, label in CATEGORIES.items():
        if key == known or key.startswith(known + " "):
            return label
    return None


def _header(rows: list[list[str]], start: int, file: str, sheet: str) -> tuple[int, dict[str, int]]:
    """The header row (the first with a name and a municipality column) and each known column's position."""
    for i in range(start, min(len(rows), start + HEADER_SEARCH_ROWS)):
        found: dict[str, int] = {}
        for j, cell in enumerate(rows[i]):
            key = _HEADER_OF.get(reference.fold(cell))
            if key is not None and key not in found:
                found[key] = j
        if "name" in found and "municipality" in found:
            return i, found
    first = next((r for r in rows[start:] if any(r)), [])
    raise InputError(
        [
            error(
                "Listen har ingen kolonne for boligområdets navn og kommune",
                file=file,
                sheet=sheet,
                row=start + 1,
                value="; ".join(c for c in first if c)[:200],
                hint=EXPECTED,
            )
        ]
    )


def _period(*texts: str) -> str:
    for text in texts:
        m = _PERIOD.search(text or "")
        if m:
            return m[0]
    return ""


def read_housing_areas(
    path: Path,
    *,
    boundaries: Boundaries | None = None,
    source: str | None = None,
    issues: list[Issue] | None = None,
) -> HousingList:
    """The list in ``path``, placed; raises InputError naming every problem found. Warnings go to ``issues``."""
    file = path.name
    if not path.is_file():
        raise InputError([error("Listen over boligområder findes ikke", file=str(path), hint=EXPECTED)])
    found: list[Issue] = []
    rows, sheet = text_rows(path, found, what="Listen over boligområder", expected=EXPECTED)
    start, title = check_columns(rows, file, sheet, expected=EXPECTED)
    head, columns = _header(rows, start, file, sheet)
    headers = rows[head]
    title = title or next((r[0] for r in rows[:head] if r and r[0]), "")
    where = {"file": file, "sheet": sheet}

    def column(key: str) -> str:
        return headers[columns[key]] if key in columns else ""

    records: list[dict] = []
    errors: list[Issue] = []
    skipped: list[str] = []
    heading = ""
    for n, row in enumerate(rows[head + 1 :], start=head + 2):
        cells = {key: (row[j].strip() if j < len(row) else "") for key, j in columns.items()}
        filled = [c for c in row if c.strip()]
        if not filled:
            continue
        if len(filled) == 1 and category(filled[0]):  # a heading row: the category of the areas below it
            heading = category(filled[0]) or ""
            continue
        name, municipality = cells["name"], cells["municipality"]
        if reference.fold(name) in _TOTALS or reference.fold(municipality) in _TOTALS:
            skipped.append(f"række {n}")
            continue
        if not name:
            errors.append(error("Boligområdet har intet navn", **where, row=n, column=column("name")))
            continue
        code = area_code(municipality) if municipality else None
        if code is None:
            errors.append(
                error(
                    "Ukendt kommune" if municipality else "Kommunen mangler",
                    **where,
                    row=n,
                    column=column("municipality"),
                    value=municipality,
                    hint="Skriv kommunen som navn (Aarhus), kode (751) eller 'kode navn' (751 Aarhus)."
                    + (" Hele landet og regioner kan ikke bruges her." if is_aggregate(municipality) else ""),
                )
            )
            continue
        label = cells.get("category", "")
        cat = category(label) if label else heading
        if label and cat is None:
            cat = label
            found.append(
                warning(
                    "Ukendt kategori; den vises, som den står",
                    **where,
                    row=n,
                    column=column("category"),
                    value=label,
                    hint="Ministeriets kategorier er Parallelsamfund, Omdannelsesområde, Udsat boligområde "
                    "og Forebyggelsesområde.",
                )
            )
        residents = None
        text = cells.get("residents", "")
        if text and text not in MISSING_VALUES:
            residents = number(text)
            if residents is None or residents < 0 or not float(residents).is_integer():
                errors.append(
                    error(
                        "Antal beboere er ikke et helt tal",
                        **where,
                        row=n,
                        column=column("residents"),
                        value=text,
                    )
                )
                continue
        coords = []
        for key in ("lat", "lon"):
            value = cells.get(key, "")
            parsed = number(value) if value else None
            if value and parsed is None:
                found.append(
                    warning(
                        "Koordinaten er ikke et tal og bruges ikke",
                        **where,
                        row=n,
                        column=column(key),
                        value=value,
                    )
                )
            coords.append(parsed)
        address = cells.get("address", "")
        postcode = cells.get("postcode", "")
        if not postcode and address:
            m = _POSTCODE_IN_TEXT.search(address)
            postcode = m[1] if m else ""
        records.append(
            {
                "name": name,
                "category": cat or "",
                "housing_org": cells.get("housing_org", ""),
                "residents": residents,
                "address": address,
                "postcode": postcode or None,
                "lat": coords[0],
                "lon": coords[1],
                "municipality": code,
                "_file": file,
                "_sheet": sheet,
                "_row": n,
            }
        )
    if skipped:
        found.append(warning("Rækker med totaler er sprunget over", **where, value=", ".join(skipped)))
    if errors:
        raise InputError([*errors[:30], *found])
    if not records:
        raise InputError([error("Listen har ingen boligområder", **where, hint=EXPECTED), *found])
    df = pd.DataFrame(records)
    if "category" not in columns and not df["category"].astype(bool).any():
        found.append(
            warning(
                "Listen siger ikke, hvilken kategori områderne har (ingen kolonne Kategori og ingen overskrifter)",
                **where,
                hint="Områderne vises uden kategori.",
            )
        )
    table = Table(
        name="housing_areas",
        sheet=sheet or "Boligområder",
        csv_name=file,
        description="Udsatte boligområder",
        fields=tuple(Field(key, column(key) or key) for key in (*HEADERS, "municipality")),
    )
    placed, notes = place(df.astype({"lat": "float64", "lon": "float64"}), table, boundaries)
    found.extend(notes)
    if any(i.is_error for i in notes):
        raise InputError(found)
    placed["area_id"] = [
        f"{int(c)}-{_slug(name)}" for c, name in zip(placed["municipality_code"], placed["name"], strict=True)
    ]
    twice = placed[placed.duplicated("area_id", keep=False)]
    if not twice.empty:
        raise InputError(
            [
                error(
                    f"Boligområdet står to gange i samme kommune (rækkerne {' og '.join(map(str, g['_row']))})",
                    **where,
                    row=int(g["_row"].iloc[-1]),
                    column=column("name"),
                    value=str(g["name"].iloc[0]),
                    hint="Hvert område må kun stå én gang.",
                )
                for _, g in twice.groupby("area_id", sort=False)
            ]
            + found
        )
    if issues is not None:
        issues.extend(found)
    areas = placed.rename(columns={"_row": "source_row"}).assign(
        residents=placed["residents"].astype("Float64").round().astype("Int64"),
        postcode=placed["postcode"].astype("string"),
    )[list(COLUMNS)]
    return HousingList(
        file=file,
        title=title,
        period=_period(title, path.stem),
        source="Social-, Bolig- og Ældreministeriet" if source is None else source,
        areas=areas.reset_index(drop=True),
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", reference.fold(text)).strip("-") or "omraade"


def summary(housing: HousingList) -> str:
    """One line for the CLI and *Indlæs data*: '12 udsatte boligområder fra liste.xlsx (3 placeret omtrentligt)'."""
    approx = int((housing.areas["location_precision"] != "coordinates").sum())
    return (
        f"{danish.count(len(housing.areas), 'udsat boligområde', 'udsatte boligområder')} fra {housing.file}"
        + (f" ({approx} placeret omtrentligt: ved postnummer eller kommune)" if approx else "")
    )


META_COLUMNS = ("file_name", "title", "period", "source", "is_example")


def frames(housing: HousingList | None) -> dict[str, pd.DataFrame]:
    """The build's ``ref_housing_areas`` (:data:`COLUMNS`) and ``ref_housing_meta`` (one row, none without a list)."""
    if housing is None:
        areas = pd.DataFrame({c: pd.Series(dtype=_DTYPES.get(c, "string")) for c in COLUMNS})
        meta = pd.DataFrame(
            {c: pd.Series(dtype="bool" if c == "is_example" else "string") for c in META_COLUMNS}
        )
        return {"ref_housing_areas": areas, "ref_housing_meta": meta}
    areas = housing.areas.astype({c: _DTYPES.get(c, "string") for c in COLUMNS})
    meta = pd.DataFrame(
        [[housing.file, housing.title, housing.period, housing.source, housing.is_example]],
        columns=META_COLUMNS,
    ).astype({c: "string" for c in META_COLUMNS[:-1]})
    return {"ref_housing_areas": areas, "ref_housing_meta": meta}


_DTYPES = {
    "residents": "Int64",
    "lat": "float64",
    "lon": "float64",
    "municipality_code": "int64",
    "source_row": "int64",
}


def from_frames(areas: pd.DataFrame, meta: pd.DataFrame) -> HousingList | None:
    """The list a build holds, as read (for a rebuild, which keeps it); None when it has none."""
    if meta.empty:
        return None
    m = meta.iloc[0]
    return HousingList(
        file=str(m["file_name"]),
        title=str(m["title"]),
        period=str(m["period"]),
        source=str(m["source"]),
        areas=areas[list(COLUMNS)].reset_index(drop=True),
        is_example=bool(m["is_example"]),
    )
