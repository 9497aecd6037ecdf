"""Fixtures for the input-side tests: writing CSV and Excel inputs, building typed tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

from civilkort.issues import Issue
from civilkort.schema import TABLES_BY_NAME
from etl.clean import KIND_DTYPES, LIST_KINDS, empty_table

ORG_HEADER = "Id;Navn;Organisationstype"
OFFER_HEADER = "Id;Organisation (id);Navn;Temaer"


class Formula:
    """An Excel formula cell with its cached result."""

    def __init__(self, formula: str, value: object):
        self.formula = formula
        self.value = value


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write text as a CSV file in tmp_path: write_csv('tilbud.csv', 'Id;Navn\\n...', encoding='cp1252')."""

    def write(name: str, text: str, encoding: str = "utf-8", folder: Path | None = None) -> Path:
        path = (folder or tmp_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode(encoding))
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Write a workbook: write_xlsx('in.xlsx', {'Tilbud': [[row], ...]}, hidden={'Skjult'}).

    Cells may be str, numbers, bools, dates/datetimes or ``Formula``; None leaves a cell empty.
    """

    def write(name: str, sheets: dict[str, list[list[object]]], hidden: set[str] = frozenset()) -> Path:
        path = tmp_path / name
        wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
        date_format = wb.add_format({"num_format": "dd-mm-yyyy"})
        for sheet_name, rows in sheets.items():
            ws = wb.add_worksheet(sheet_name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, Formula):
                        ws.write_formula(r, c, value.formula, None, value.value)
                    elif isinstance(value, dt.date):
                        ws.write_datetime(r, c, value, date_format)
                    else:
                        ws.write(r, c, value)
            if sheet_name in hidden:
                ws.hide()
        wb.close()
        return path

    return write


def typed(table_name: str, rows: list[dict], file: str = "test.csv", sheet: str = "") -> pd.DataFrame:
    """A typed table (the clean() format) from a few rows given as {field: value}."""
    table = TABLES_BY_NAME[table_name]
    if not rows:
        return empty_table(table_name)
    cols = {}
    for f in table.fields:
        values = [r.get(f.name) for r in rows]
        if f.kind in LIST_KINDS:
            cols[f.name] = pd.Series([list(v) if v else [] for v in values], dtype=object)
        elif f.kind == "date":
            cols[f.name] = pd.Series(pd.to_datetime(values)).astype("datetime64[us]")
        else:
            cols[f.name] = pd.Series(values, dtype=object).astype(KIND_DTYPES[f.kind])
    out = pd.DataFrame(cols)
    out["_file"] = pd.Series([file] * len(rows), dtype="str")
    out["_sheet"] = pd.Series([sheet] * len(rows), dtype="str")
    out["_row"] = pd.Series(range(2, len(rows) + 2), dtype="int64")
    return out


def sample_tables() -> dict[str, pd.DataFrame]:
    """Small typed tables using every field kind, consistent across tables."""
    return {
        "organisations": typed(
            "organisations",
            [
                {
                    "organisation_id": "ORG-001",
                    "name": "Hjerteforeningen Aarhus",
                    "cvr": "12345678",
                    "organisation_type": "patientforening",
                    "staffing": "frivillige",
                    "description": 'Lokalforening;\nmed linjeskift og "citat"',
                    "website": "https://example.dk",
                    "email": "kontakt@example.dk",
                    "address": "Nørregade 10",
                    "postcode": "8000",
                    "city": "Aarhus C",
                    "lat": 56.1572,
                    "lon": 10.2107,
                    "municipality": 751,
                    "last_verified": "2025-03-01",
                    "source": "Workshop",
                },
                {
                    "organisation_id": "ORG-002",
                    "name": "Løbeklubben, Horsens",
                    "organisation_type": "frivillig_forening",
                    "postcode": "0800",
                    "lat": 55.8,
                    "municipality": 615,
                },
            ],
        ),
        "offers": typed(
            "offers",
            [
                {
                    "offer_id": "TILBUD-001",
                    "organisation_id": "ORG-001",
                    "name": "Løbecafé",
                    "themes": ["forebyggelse", "brobygning"],
                    "target_groups": ["ensomme", "aeldre"],
                    "prevention_level": "tertiaer",
                    "accepts_social_referrals": True,
                    "service_area": ["municipality:751", "council:horsens", "national:DK"],
                    "status": "aktiv",
                    "last_verified": "2024-12-31",
                    "lat": 1e-05,
                    "lon": 12.3456789012345,  # Excel keeps 15 significant digits
                },
                {
                    "offer_id": "TILBUD-002",
                    "organisation_id": "ORG-002",
                    "name": "Gåtur",
                    "themes": ["lighed"],
                    "accepts_social_referrals": False,
                    "service_area": ["region:oestdanmark"],
                    "municipality": 101,
                },
            ],
        ),
        "regional_units": typed(
            "regional_units",
            [
                {"unit_id": "ENH-001", "name": "Aarhus Universitetshospital", "unit_type": "hospital"},
                {
                    "unit_id": "ENH-002",
                    "name": "Psykiatrisk Center",
                    "unit_type": "psykiatri",
                    "municipality": 101,
                },
            ],
        ),
        "collaborations": typed(
            "collaborations",
            [
                {
                    "collaboration_id": "SAM-001",
                    "title": "Patientstøtter",
                    "unit_ids": ["ENH-001", "ENH-002"],
                    "organisation_ids": ["ORG-001"],
                    "themes": ["forebyggelse"],
                    "form": "formel",
                    "kind": "projekt",
                    "start_date": "2025-03-01",
                    "end_date": "2026-02-28",
                    "legal_review_done": False,
                    "status": "aktiv",
                    "municipalities": ["municipality:751", "municipality:101"],
                }
            ],
        ),
        "experiences": typed(
            "experiences",
            [
                {
                    "experience_id": "ERF-001",
                    "collaboration_id": "SAM-001",
                    "date": "2025-06-01",
                    "learning": "Faste aftaler virker",
                    "evaluation": "intern",
                    "evaluation_link": "https://example.dk/evaluering",
                }
            ],
        ),
    }


@pytest.fixture
def tables() -> dict[str, pd.DataFrame]:
    """Small typed tables (fresh for each test)."""
    return sample_tables()


def only(issues: list[Issue], **attrs) -> Issue:
    """The one issue whose attributes equal ``attrs`` (message matched as a substring)."""
    message = attrs.pop("message", None)
    hits = [
        i
        for i in issues
        if all(getattr(i, k) == v for k, v in attrs.items()) and (message is None or message in i.message)
    ]
    assert len(hits) == 1, f"expected one issue with {attrs} {message!r}, got: {[str(i) for i in issues]}"
    return hits[0]
