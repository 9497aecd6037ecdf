"""A corpus of messy spreadsheets: odd or bad input as offices really send it.

Each case writes its fixture files into a folder (generated here in code: no binary
files are kept in the repository) and declares how the whole pipeline (read -> clean
-> validate -> build) must end:

- ``Loads``: the build succeeds; the listed rows are in the public views, and the
  listed warnings were given (others may be given too, but every warning about a row
  names its file, sheet and row, and a column when it is about a cell's value);
- ``Refused``: the build raises ``InputError`` carrying the listed errors, each located
  as a user sees it in Excel (file, sheet, 1-based sheet row, Danish column header),
  and the database that was serving stays the one served, byte for byte.

``tests/etl/test_messy.py`` runs every case; ``KINDS`` names the kinds of messy input
the issue lists, and every kind has at least one case.
"""

from __future__ import annotations

import datetime as dt
import os
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import xlsxwriter

from civilkort.issues import ERROR, WARNING

ORG_HEADER = ["Id", "Navn", "Organisationstype", "Postnummer"]
OFFER_HEADER = ["Id", "Organisation (id)", "Navn", "Temaer"]
MB = 1024 * 1024

KINDS: dict[str, str] = {
    "encoding": "encodings (UTF-8, Windows-1252, UTF-16 from Excel 'Unicode text')",
    "bom": "byte order mark",
    "delimiters": "delimiters other than comma",
    "quoted-newlines": "quoted newlines and quotes in cells",
    "merged-cells": "merged header cells",
    "header-row": "header not on row 1",
    "sheets": "extra and hidden sheets",
    "hidden-rows": "hidden rows",
    "formulas": "formulas and formula results",
    "dates": "dates as Excel serials and as text",
    "empty": "empty rows and columns",
    "spaces": "trailing spaces",
    "duplicate-ids": "duplicate ids",
    "duplicate-organisations": "duplicate organisations spelled slightly differently",
    "vocabulary": "unknown vocabulary values (suggest the closest)",
    "coordinates": "coordinates outside Denmark, swapped latitude/longitude, UTM zone 32",
    "postcodes": "postcodes not in the table",
    "municipalities": "municipality names with old spellings",
    "size": "a 200 MB file, row limits",
    "xml-bomb": "an XML-bomb xlsx (and a zip bomb)",
    "wrong-type": "a file that is not what its extension says",
    "columns": "unknown, missing and duplicate columns",
    "values": "CVR, e-mail, yes/no and other odd values",
}


@dataclass(frozen=True)
class Want:
    """An issue a case expects: located as a user sees it, with a Danish message fragment."""

    message: str
    file: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    severity: str = ERROR
    hint: str = ""


@dataclass(frozen=True)
class Loads:
    """The build succeeds; ``rows`` maps a public view to its rows (ordered by id, listed columns only)."""

    rows: dict[str, list[dict]] = field(default_factory=dict)
    warnings: tuple[Want, ...] = ()


@dataclass(frozen=True)
class Refused:
    """The build raises InputError with (at least) these errors."""

    errors: tuple[Want, ...]


@dataclass(frozen=True)
class Case:
    """One messy input: how to write it and how it must end."""

    name: str
    kind: str
    write: Callable[[Path], list[Path]]
    outcome: Loads | Refused
    read: dict = field(default_factory=dict)  # read_inputs keywords (limits)
    boundaries: str = ""  # "real": needs the real municipality boundaries (skipped without them)
    max_seconds: float | None = None
    note: str = ""


CASES: list[Case] = []


def case(name: str, kind: str, outcome: Loads | Refused, **options) -> Callable:
    """Register the decorated fixture writer as a case; its docstring is the case's note."""
    assert kind in KINDS, kind

    def register(write: Callable[[Path], list[Path]]) -> Callable[[Path], list[Path]]:
        CASES.append(Case(name, kind, write, outcome, note=(write.__doc__ or "").strip(), **options))
        return write

    return register


# ---------------------------------------------------------------- writers


class Formula:
    """An Excel formula; ``value`` is the cached result Excel stores (None: no result stored)."""

    def __init__(self, formula: str, value: object = None):
        self.formula = formula
        self.value = value


def write_text(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """Text encoded as given (lines as written: use \\r\\n in ``text`` for Windows line ends)."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def lines(*rows: str) -> str:
    return "\n".join(rows) + "\n"


def write_xlsx(
    folder: Path,
    name: str,
    sheets: dict[str, list[list[object]]],
    *,
    hidden_sheets: tuple[str, ...] = (),
    hidden_rows: dict[str, list[int]] | None = None,
    merges: dict[str, list[tuple[str, object]]] | None = None,
    date_format: str = "dd-mm-yyyy",
) -> Path:
    """A workbook written by xlsxwriter (as Excel writes it: every formula with a cached result).

    ``hidden_rows`` and merge ranges ('A1:C1') use Excel's 1-based rows.
    """
    path = folder / name
    wb = xlsxwriter.Workbook(str(path))
    dates = wb.add_format({"num_format": date_format})
    for sheet, rows in sheets.items():
        ws = wb.add_worksheet(sheet)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, Formula):
                    ws.write_formula(r, c, value.formula, None, value.value)
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, c, value, dates)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write(r, c, value)
        for row in (hidden_rows or {}).get(sheet, []):
            ws.set_row(row - 1, None, None, {"hidden": True})
        for cells, value in (merges or {}).get(sheet, []):
            ws.merge_range(cells, value)
        if sheet in hidden_sheets:
            ws.hide()
    wb.close()
    return path


def write_openpyxl(folder: Path, name: str, sheets: dict[str, list[list[object]]]) -> Path:
    """A workbook written by openpyxl, which stores formulas without a cached result."""
    path = folder / name
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, rows in sheets.items():
        ws = wb.create_sheet(sheet)
        for row in rows:
            ws.append([v.formula if isinstance(v, Formula) else v for v in row])
    wb.save(path)
    return path


def orgs_csv(
    folder: Path, *rows: str, name: str = "organisationer.csv", header: str = ";".join(ORG_HEADER)
) -> Path:
    return write_text(folder, name, lines(header, *rows))


def org(id_: str, name: str, **values: object) -> dict:
    """An expected row of the organisations view."""
    return {"organisation_id": id_, "name": name, **values}


# ---------------------------------------------------------------- encodings and bytes


@case(
    "csv-utf8",
    "encoding",
    Loads({"organisations": [org("ORG-1", "Ældre Sagen Århus", organisation_type="frivillig_forening")]}),
)
def _(folder):
    """Plain UTF-8 with æøå, semicolons (Excel's 'CSV UTF-8' without BOM)."""
    return [orgs_csv(folder, "ORG-1;Ældre Sagen Århus;Frivillig forening;8000")]


@case(
    "csv-windows-1252",
    "encoding",
    Loads({"organisations": [org("ORG-1", "Løbeklubben – Ærø & Øster Åby", organisation_type="fond")]}),
)
def _(folder):
    """Windows-1252 (Excel's plain 'CSV (semikolonsepareret)' on a Danish PC), with æøå and an en dash."""
    text = lines(";".join(ORG_HEADER), "ORG-1;Løbeklubben – Ærø & Øster Åby;Fond;8000")
    return [write_text(folder, "organisationer.csv", text, "cp1252")]


@case(
    "utf16-excel-unicode-text",
    "encoding",
    Loads({"organisations": [org("ORG-1", "Sind Ungdom Østjylland"), org("ORG-2", "Headspace Århus")]}),
)
def _(folder):
    """Excel's 'Unicode-tekst (*.txt)': UTF-16 LE with BOM, tab separated, CRLF, named .txt."""
    text = "\t".join(ORG_HEADER) + "\r\nORG-1\tSind Ungdom Østjylland\tNGO / non-profit\t8000\r\n"
    text += "ORG-2\tHeadspace Århus\tNGO / non-profit\t8000\r\n"
    return [write_text(folder, "organisationer.txt", text, "utf-16")]


@case("utf16-without-bom", "encoding", Loads({"organisations": [org("ORG-1", "Kræftens Bekæmpelse")]}))
def _(folder):
    """UTF-16 LE without a byte order mark (some export tools)."""
    text = lines("\t".join(ORG_HEADER), "ORG-1\tKræftens Bekæmpelse\tPatientforening\t8000")
    return [write_text(folder, "organisationer.csv", text, "utf-16-le")]


@case("utf8-bom", "bom", Loads({"organisations": [org("ORG-1", "Café Æblehaven", postcode="8000")]}))
def _(folder):
    """UTF-8 with BOM (Excel's 'CSV UTF-8'): the BOM must not become part of the first header, 'Id'."""
    return [
        write_text(
            folder,
            "organisationer.csv",
            lines(";".join(ORG_HEADER), "ORG-1;Café Æblehaven;Fond;8000"),
            "utf-8-sig",
        )
    ]


@case(
    "mac-cr-line-endings",
    "encoding",
    Loads({"organisations": [org("ORG-1", "Hjerteforeningen"), org("ORG-2", "Lungeforeningen")]}),
)
def _(folder):
    """Old Mac Excel's 'CSV (Macintosh)': lines end in CR only."""
    text = (
        "\r".join(
            [
                ";".join(ORG_HEADER),
                "ORG-1;Hjerteforeningen;Patientforening;8000",
                "ORG-2;Lungeforeningen;Patientforening;8000",
            ]
        )
        + "\r"
    )
    return [write_text(folder, "organisationer.csv", text)]


# ---------------------------------------------------------------- delimiters and quoting


@case(
    "semicolon-decimal-comma",
    "delimiters",
    Loads({"organisations": [org("ORG-1", "Foreningen Grønne Fællesskaber", lat=56.1572, lon=10.2107)]}),
)
def _(folder):
    """Danish Excel: ';' between fields, decimal comma in the coordinates."""
    header = ";".join([*ORG_HEADER, "Breddegrad", "Længdegrad"])
    return [orgs_csv(folder, "ORG-1;Foreningen Grønne Fællesskaber;Fond;8000;56,1572;10,2107", header=header)]


@case(
    "comma-with-quoted-commas",
    "delimiters",
    Loads({"organisations": [org("ORG-1", "Kræftens Bekæmpelse, Aarhus", lat=56.1572)]}),
)
def _(folder):
    """',' between fields, quoted names that hold commas, decimal point."""
    text = lines(
        ",".join([*ORG_HEADER, "Breddegrad", "Længdegrad"]),
        'ORG-1,"Kræftens Bekæmpelse, Aarhus",Patientforening,8000,56.1572,10.2107',
    )
    return [write_text(folder, "organisationer.csv", text)]


@case("tab-separated", "delimiters", Loads({"organisations": [org("ORG-1", "Røde Kors Aarhus")]}))
def _(folder):
    """Tab separated, named .tsv."""
    return [
        write_text(
            folder,
            "organisationer.tsv",
            lines("\t".join(ORG_HEADER), "ORG-1\tRøde Kors Aarhus\tNGO / non-profit\t8000"),
        )
    ]


@case("pipe-separated", "delimiters", Loads({"organisations": [org("ORG-1", "Mændenes Hjem")]}))
def _(folder):
    """'|' between fields (database exports)."""
    return [
        write_text(
            folder,
            "organisationer.csv",
            lines("|".join(ORG_HEADER), "ORG-1|Mændenes Hjem|Selvejende institution|8000"),
        )
    ]


@case(
    "excel-sep-line",
    "delimiters",
    Refused((Want("Ukendt værdi 'Forening'", "organisationer.csv", row=3, column="Organisationstype"),)),
)
def _(folder):
    """Excel's 'sep=;' first line: Excel hides it, so the header is row 1 and the bad value row 3."""
    text = lines("sep=;", ";".join(ORG_HEADER), "ORG-1;A;Fond;8000", "ORG-2;B;Forening;8000")
    return [write_text(folder, "organisationer.csv", text)]


@case(
    "quoted-newlines-and-quotes",
    "quoted-newlines",
    Loads(
        {
            "organisations": [
                org(
                    "ORG-1",
                    'Foreningen "Håb"',
                    description="Mødes tirsdag;\nonsdag og\ntorsdag",
                    source_row=2,
                ),
                org("ORG-2", "Næste række", source_row=3),
            ]
        }
    ),
)
def _(folder):
    """A quoted cell with line breaks and ';' inside, and doubled quotes; the next record is row 3 as in Excel."""
    text = lines(
        ";".join([*ORG_HEADER, "Beskrivelse"]),
        'ORG-1;"Foreningen ""Håb""";Fond;8000;"Mødes tirsdag;\nonsdag og\r\ntorsdag"',
        "ORG-2;Næste række;Fond;8000;",
    )
    return [write_text(folder, "organisationer.csv", text)]


@case(
    "quoted-newline-error-row",
    "quoted-newlines",
    Refused((Want("Ukendt værdi 'Klub'", "organisationer.csv", row=3, column="Organisationstype"),)),
)
def _(folder):
    """After a cell spanning three lines, an error is still reported on the record's row (3), not the line (5)."""
    text = lines(
        ";".join([*ORG_HEADER, "Beskrivelse"]), 'ORG-1;A;Fond;8000;"en\nto\ntre"', "ORG-2;B;Klub;8000;"
    )
    return [write_text(folder, "organisationer.csv", text)]


@case(
    "unclosed-quote",
    "quoted-newlines",
    Refused((Want("mangle sin afslutning", "organisationer.csv", row=2, column="Navn", hint='skrives ""'),)),
)
def _(folder):
    """A quote that is never closed swallows the rest of the file into one cell: refused, not a partial load."""
    text = lines(
        ";".join(ORG_HEADER), 'ORG-1;"Foreningen Håb;Fond;8000', "ORG-2;B;Fond;8000", "ORG-3;C;Fond;8000"
    )
    return [write_text(folder, "organisationer.csv", text)]


# ---------------------------------------------------------------- layout: headers, merged cells, sheets, rows


@case(
    "header-on-row-4",
    "header-row",
    Loads({"organisations": [org("ORG-1", "A", source_row=5), org("ORG-2", "B", source_row=6)]}),
)
def _(folder):
    """A title, a subtitle and an empty row above the header."""
    rows = [["Kortlægning af civilsamfundet"], ["Sundhedsråd Aarhus, marts 2025"], [], ORG_HEADER]
    rows += [["ORG-1", "A", "Fond", "8000"], ["ORG-2", "B", "Fond", "8000"]]
    return [write_xlsx(folder, "kortlaegning.xlsx", {"Organisationer": rows})]


@case(
    "header-on-row-4-error-row",
    "header-row",
    Refused((Want("Ukendt værdi 'Klub'", "kortlaegning.xlsx", "Organisationer", 6, "Organisationstype"),)),
)
def _(folder):
    """An error under a header on row 4 names the row Excel shows (6), not the data row number (2)."""
    rows = [
        ["Kortlægning"],
        [],
        [],
        ORG_HEADER,
        ["ORG-1", "A", "Fond", "8000"],
        ["ORG-2", "B", "Klub", "8000"],
    ]
    return [write_xlsx(folder, "kortlaegning.xlsx", {"Organisationer": rows})]


@case(
    "table-starts-in-column-c", "header-row", Loads({"organisations": [org("ORG-1", "A", postcode="8000")]})
)
def _(folder):
    """The table starts in C3, with empty columns A:B to its left."""
    rows = [[], [], [None, None, *ORG_HEADER], [None, None, "ORG-1", "A", "Fond", "8000"]]
    return [write_xlsx(folder, "in.xlsx", {"Organisationer": rows})]


@case(
    "merged-title-above-header", "merged-cells", Loads({"organisations": [org("ORG-1", "A", source_row=3)]})
)
def _(folder):
    """A title merged across A1:F1 above the header on row 2."""
    rows = [[], ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]]
    return [
        write_xlsx(
            folder,
            "in.xlsx",
            {"Organisationer": rows},
            merges={"Organisationer": [("A1:F1", "Organisationer i Aarhus")]},
        )
    ]


@case(
    "merged-two-row-header",
    "merged-cells",
    Loads(
        {
            "organisations": [
                org("ORG-1", "A", lat=56.1572, lon=10.2107, source_row=3, location_precision="coordinates")
            ]
        }
    ),
)
def _(folder):
    """A two-row header: Id, Navn ... merged down A1:A2 etc.; 'Koordinater' merged over E1:F1 with
    Breddegrad and Længdegrad below it on row 2."""
    rows = [
        [None] * 6,
        [None, None, None, None, "Breddegrad", "Længdegrad"],
        ["ORG-1", "A", "Fond", "8000", 56.1572, 10.2107],
    ]
    merges = [(f"{c}1:{c}2", h) for c, h in zip("ABCD", ORG_HEADER, strict=True)] + [("E1:F1", "Koordinater")]
    return [write_xlsx(folder, "in.xlsx", {"Organisationer": rows}, merges={"Organisationer": merges})]


@case(
    "merged-list-header",
    "merged-cells",
    Loads(
        {
            "offers": [
                {"offer_id": "T-1", "themes": ["forebyggelse", "lighed"]},
                {"offer_id": "T-2", "themes": ["brobygning"]},
            ]
        }
    ),
)
def _(folder):
    """'Temaer' merged across D1:F1 with one theme per column below: the themes are gathered."""
    orgs = [ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]]
    offers = [
        OFFER_HEADER,
        ["T-1", "ORG-1", "Løbecafé", "Forebyggelse", None, "Lighed i sundhed"],
        ["T-2", "ORG-1", "Gåtur", None, "Brobygning til hverdagsliv og fællesskaber"],
    ]
    return [
        write_xlsx(
            folder,
            "in.xlsx",
            {"Organisationer": orgs, "Tilbud": offers},
            merges={"Tilbud": [("D1:F1", "Temaer")]},
        )
    ]


@case(
    "merged-cells-in-data",
    "merged-cells",
    Loads({"offers": [{"offer_id": f"T-{i}", "organisation_id": "ORG-1"} for i in (1, 2, 3)]}),
)
def _(folder):
    """'Organisation (id)' merged down B2:B4 over three offers of the same organisation."""
    orgs = [ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]]
    offers = [OFFER_HEADER] + [[f"T-{i}", None, f"Tilbud {i}", "Forebyggelse"] for i in (1, 2, 3)]
    return [
        write_xlsx(
            folder,
            "in.xlsx",
            {"Organisationer": orgs, "Tilbud": offers},
            merges={"Tilbud": [("B2:B4", "ORG-1")]},
        )
    ]


@case(
    "extra-sheet-of-notes",
    "sheets",
    Loads(
        {"organisations": [org("ORG-1", "A")]},
        (Want("svarer ikke til nogen tabel", "in.xlsx", "Noter", severity=WARNING),),
    ),
)
def _(folder):
    """A sheet of notes and a chart-data sheet next to the table."""
    sheets = {
        "Noter": [["Husk at ringe til Ældre Sagen"], ["Møde 3/4"]],
        "Organisationer": [ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]],
    }
    return [write_xlsx(folder, "in.xlsx", sheets)]


@case(
    "hidden-sheet",
    "sheets",
    Loads(
        {"organisations": [org("ORG-1", "A")], "offers": []},
        (Want("skjulte ark 'Tilbud' ignoreres", "in.xlsx", "Tilbud", severity=WARNING),),
    ),
)
def _(folder):
    """A hidden sheet named like a table: ignored, with a warning (users hide scratch sheets)."""
    sheets = {
        "Organisationer": [ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]],
        "Tilbud": [OFFER_HEADER, ["T-1", "ORG-1", "Gammelt tilbud", "Forebyggelse"]],
    }
    return [write_xlsx(folder, "in.xlsx", sheets, hidden_sheets=("Tilbud",))]


@case(
    "sheet-name-not-a-table",
    "sheets",
    Loads(
        {"organisations": [org("ORG-1", "A")]},
        (Want("læses som Organisationer ud fra overskrifterne", "Ark1.xlsx", "Ark1", severity=WARNING),),
    ),
)
def _(folder):
    """One sheet called 'Ark1' (Excel's default): the table is recognised by its headers."""
    return [write_xlsx(folder, "Ark1.xlsx", {"Ark1": [ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]]})]


@case(
    "template-with-instructions",
    "sheets",
    Loads({"organisations": [org("ORG-1", "A")]}),
)
def _(folder):
    """The template's own 'Vejledning' and 'Lister' sheets are skipped without a word."""
    sheets = {
        "Vejledning": [["Sådan udfylder du skabelonen"]],
        "Organisationer": [ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]],
        "Lister": [["Fond"], ["Frivillig forening"]],
    }
    return [write_xlsx(folder, "skabelon.xlsx", sheets, hidden_sheets=("Lister",))]


@case(
    "hidden-rows",
    "hidden-rows",
    Loads(
        {"organisations": [org(f"ORG-{i}", f"Org {i}") for i in (1, 2, 3, 4)]},
        (
            Want(
                "2 skjulte rækker indlæses også (række 3, 5)",
                "in.xlsx",
                "Organisationer",
                3,
                severity=WARNING,
            ),
        ),
    ),
)
def _(folder):
    """Rows 3 and 5 hidden: loaded (hiding is a view, not a deletion), with a warning naming them."""
    rows = [ORG_HEADER] + [[f"ORG-{i}", f"Org {i}", "Fond", "8000"] for i in (1, 2, 3, 4)]
    return [write_xlsx(folder, "in.xlsx", {"Organisationer": rows}, hidden_rows={"Organisationer": [3, 5]})]


# ---------------------------------------------------------------- formulas


@case(
    "formulas-with-cached-results",
    "formulas",
    Loads({"organisations": [org("ORG-1", "Løbecafé Aarhus", lat=56.1572, postcode="8000")]}),
)
def _(folder):
    """Formulas as Excel saves them, with their results stored: the results are read."""
    row = [
        Formula('="ORG-"&1', "ORG-1"),
        Formula('=CONCATENATE("Løbecafé"," ","Aarhus")', "Løbecafé Aarhus"),
        "Fond",
        Formula("=7000+1000", 8000),
        Formula("=56+0.1572", 56.1572),
        10.2107,
    ]
    return [
        write_xlsx(folder, "in.xlsx", {"Organisationer": [[*ORG_HEADER, "Breddegrad", "Længdegrad"], row]})
    ]


@case(
    "formula-without-cached-result",
    "formulas",
    Refused(
        (
            Want(
                "formel uden gemt resultat",
                "in.xlsx",
                "Organisationer",
                2,
                "Navn",
                hint="Åbn og gem den i Excel",
            ),
        )
    ),
)
def _(folder):
    """A workbook written by a program that stores formulas but not their results (openpyxl, some exports)."""
    rows = [ORG_HEADER, ["ORG-1", Formula('="Løbe"&"café"'), "Fond", "8000"]]
    return [write_openpyxl(folder, "in.xlsx", {"Organisationer": rows})]


@case(
    "formula-error-values",
    "formulas",
    Refused(
        (
            Want("Excel-fejlen #N/A", "in.xlsx", "Organisationer", 2, "Postnummer"),
            Want("Excel-fejlen #DIV/0!", "in.xlsx", "Organisationer", 3, "Breddegrad"),
        )
    ),
)
def _(folder):
    """Failed look-ups and divisions: Excel stores #N/A and #DIV/0!, never a silent empty cell."""
    rows = [
        [*ORG_HEADER, "Breddegrad"],
        ["ORG-1", "A", "Fond", Formula("=VLOOKUP(A2,Postnumre!A:B,2,FALSE)", "#N/A")],
        ["ORG-2", "B", "Fond", "8000", Formula("=1/0", "#DIV/0!")],
    ]
    return [write_xlsx(folder, "in.xlsx", {"Organisationer": rows})]


# ---------------------------------------------------------------- dates


def _collab_inputs(folder: Path, name: str, dates: list[tuple[object, object]], **xlsx) -> list[Path]:
    """A workbook with one organisation, one unit and a collaboration per (start, end) pair."""
    header = ["Id", "Titel", "Regionale enheder (id)", "Organisationer (id)", "Startdato", "Slutdato"]
    collabs = [header] + [
        [f"SAM-{i}", f"Samarbejde {i}", "E-1", "ORG-1", s, e] for i, (s, e) in enumerate(dates, 1)
    ]
    sheets = {
        "Organisationer": [ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]],
        "Regionale enheder": [["Id", "Navn", "Enhedstype", "Postnummer"], ["E-1", "AUH", "Hospital", "8200"]],
        "Samarbejder": collabs,
    }
    return [write_xlsx(folder, name, sheets, **xlsx)]


def _collab_dates(*pairs: tuple[str, str | None]) -> Loads:
    rows = [
        {
            "collaboration_id": f"SAM-{i}",
            "start_date": dt.date.fromisoformat(s),
            "end_date": e and dt.date.fromisoformat(e),
        }
        for i, (s, e) in enumerate(pairs, 1)
    ]
    return Loads({"collaborations": rows})


@case(
    "dates-as-excel-serials",
    "dates",
    _collab_dates(("2025-03-01", "2026-02-28"), ("2024-01-15", None), ("2025-03-01", "2025-12-31")),
)
def _(folder):
    """Dates typed as numbers in General-format cells (Excel serials), as date cells, and serials as text."""
    return _collab_inputs(folder, "in.xlsx", [(45717, 46081), (45306, None), (dt.date(2025, 3, 1), "46022")])


@case(
    "dates-as-text",
    "dates",
    _collab_dates(
        ("2025-03-01", "2026-02-28"),
        ("2025-03-01", "2025-12-31"),
        ("2025-03-01", "2025-03-31"),
        ("2025-03-01", "2025-05-01"),
    ),
)
def _(folder):
    """Dates typed as text: dd-mm-yyyy, dd.mm.yy, d/m/yyyy, ISO and Danish month names."""
    pairs = [
        ("01-03-2025", "28-02-2026"),
        ("01.03.25", "31.12.25"),
        ("1/3/2025", "2025-03-31"),
        ("1. marts 2025", "1 maj 2025"),
    ]
    return _collab_inputs(folder, "in.xlsx", pairs)


@case(
    "dates-in-csv",
    "dates",
    Loads(
        {
            "organisations": [
                org("ORG-1", "A", last_verified=dt.date(2025, 3, 1)),
                org("ORG-2", "B", last_verified=dt.date(2025, 3, 1)),
            ]
        }
    ),
)
def _(folder):
    """CSV dates with day first: '01-03-2025' and '1.3.25'."""
    header = ";".join([*ORG_HEADER, "Sidst verificeret"])
    return [orgs_csv(folder, "ORG-1;A;Fond;8000;01-03-2025", "ORG-2;B;Fond;8000;1.3.25", header=header)]


@case(
    "date-that-does-not-exist",
    "dates",
    Refused(
        (
            Want("Datoen '31-02-2025' findes ikke", "organisationer.csv", row=2, column="Sidst verificeret"),
            Want(
                "Datoen '03/31/2025' findes ikke",
                "organisationer.csv",
                row=3,
                column="Sidst verificeret",
                hint="dag, måned, år",
            ),
        )
    ),
)
def _(folder):
    """31 February, and an American month-first date (month 31)."""
    header = ";".join([*ORG_HEADER, "Sidst verificeret"])
    return [orgs_csv(folder, "ORG-1;A;Fond;8000;31-02-2025", "ORG-2;B;Fond;8000;03/31/2025", header=header)]


# ---------------------------------------------------------------- empty rows and columns, spaces


@case(
    "empty-rows-and-columns-in-the-middle",
    "empty",
    Loads(
        {
            "organisations": [
                org("ORG-1", "A", source_row=2, postcode="8000"),
                org("ORG-2", "B", source_row=5, postcode="8000"),
            ]
        }
    ),
)
def _(folder):
    """Empty rows between the records and an empty column between Navn and Organisationstype."""
    rows = [
        ["Id", "Navn", None, "Organisationstype", "Postnummer"],
        ["ORG-1", "A", None, "Fond", "8000"],
        [],
        [None, " "],
        ["ORG-2", "B", None, "Fond", "8000"],
    ]
    return [write_xlsx(folder, "in.xlsx", {"Organisationer": rows})]


@case(
    "trailing-delimiters-and-blank-lines",
    "empty",
    Loads({"organisations": [org("ORG-1", "A", source_row=2), org("ORG-2", "B", source_row=4)]}),
)
def _(folder):
    """Every line ends in ';;;;' (Excel's used range) and blank lines sit in the middle and at the end."""
    text = lines(
        ";".join(ORG_HEADER) + ";;;;",
        "ORG-1;A;Fond;8000;;;;",
        ";;;;;;;",
        "ORG-2;B;Fond;8000;;;;",
        "",
        "   ",
        "",
    )
    return [write_text(folder, "organisationer.csv", text)]


@case(
    "spaces-and-non-breaking-spaces",
    "spaces",
    Loads(
        {
            "organisations": [
                org("ORG-1", "Ældre Sagen", organisation_type="frivillig_forening"),
                org("ORG-2", "Røde Kors", organisation_type="ngo"),
            ],
            "offers": [{"offer_id": "T-1", "organisation_id": "ORG-1", "themes": ["forebyggelse", "lighed"]}],
        }
    ),
)
def _(folder):
    """Leading/trailing spaces, tabs and non-breaking spaces around ids, references and vocabulary values."""
    orgs = write_text(
        folder,
        "organisationer.csv",
        lines(
            ";".join(ORG_HEADER),
            " ORG-1 ;  Ældre Sagen\u00a0;Frivillig\u00a0forening ;8000 ",
            "\u00a0ORG-2\t;Røde Kors ; NGO / non-profit;\u00a08000",
        ),
    )
    offers = write_text(
        folder,
        "tilbud.csv",
        lines(
            ";".join(OFFER_HEADER), 'T-1 ;ORG-1\u00a0; Løbecafé ;"Forebyggelse\u00a0;\u00a0Lighed i sundhed"'
        ),
    )
    return [orgs, offers]


@case(
    "zero-width-characters-in-ids",
    "spaces",
    Loads({"offers": [{"offer_id": "T-1", "organisation_id": "ORG-1"}]}),
)
def _(folder):
    """Ids copied from a web page carry invisible zero-width spaces and a stray BOM at their edges."""
    orgs = orgs_csv(folder, "\u200bORG-1\u200b;A;Fond;8000")
    offers = write_text(
        folder, "tilbud.csv", lines(";".join(OFFER_HEADER), "T-1\ufeff;ORG-1\u200b;Løbecafé;Forebyggelse")
    )
    return [orgs, offers]


# ---------------------------------------------------------------- duplicates


@case(
    "duplicate-ids",
    "duplicate-ids",
    Refused(
        (
            Want(
                "Id'et 'ORG-1' findes flere gange",
                "in.xlsx",
                "Organisationer",
                2,
                "Id",
                hint="Også i række 4",
            ),
            Want(
                "Id'et 'ORG-1' findes flere gange",
                "in.xlsx",
                "Organisationer",
                4,
                "Id",
                hint="Også i række 2",
            ),
        )
    ),
)
def _(folder):
    """The same id on rows 2 and 4: both rows are named, each pointing at the other."""
    rows = [
        ORG_HEADER,
        ["ORG-1", "A", "Fond", "8000"],
        ["ORG-2", "B", "Fond", "8000"],
        ["ORG-1", "C", "Fond", "8000"],
    ]
    return [write_xlsx(folder, "in.xlsx", {"Organisationer": rows})]


@case(
    "duplicate-ids-across-files",
    "duplicate-ids",
    Refused(
        (
            Want(
                "findes flere gange",
                "organisationer.csv",
                row=2,
                column="Id",
                hint="række 2 (fil mere.xlsx, ark Organisationer)",
            ),
            Want(
                "findes flere gange",
                "mere.xlsx",
                "Organisationer",
                2,
                "Id",
                hint="række 2 (fil organisationer.csv)",
            ),
        )
    ),
)
def _(folder):
    """ORG-1 in a CSV file and again in a workbook: each error says which file the other one is in."""
    csv = orgs_csv(folder, "ORG-1;A;Fond;8000")
    xlsx = write_xlsx(folder, "mere.xlsx", {"Organisationer": [ORG_HEADER, ["ORG-1", "B", "Fond", "8000"]]})
    return [csv, xlsx]


@case(
    "duplicate-names-different-ids",
    "duplicate-ids",
    Loads(
        {"organisations": [org("ORG-1", "Ældre Sagen Aarhus"), org("ORG-2", "ældre sagen  aarhus")]},
        (
            Want(
                "bruges også af organisationen 'ORG-1'",
                "organisationer.csv",
                row=3,
                column="Navn",
                severity=WARNING,
            ),
        ),
    ),
)
def _(folder):
    """The same organisation name (case and spacing aside) under two ids: loads, with a warning."""
    return [
        orgs_csv(
            folder,
            "ORG-1;Ældre Sagen Aarhus;Frivillig forening;8000",
            "ORG-2;ældre sagen  aarhus;Frivillig forening;8000",
        )
    ]


@case(
    "duplicate-organisations-spelled-differently",
    "duplicate-organisations",
    Loads(
        {
            "organisations": [
                org("ORG-1", "Ældre Sagen Aarhus"),
                org("ORG-2", "ÆldreSagen, Århus"),
                org("ORG-3", "Aeldre Sagen - Aarhus afd."),
            ]
        }
    ),
)
def _(folder):
    """Near-duplicates ('Ældre Sagen Aarhus' ~ 'ÆldreSagen, Århus'). Here only: they load. That they are
    found as likely duplicates is asserted in tests/etl/test_duplicates.py (the duplicate finder)."""
    return [
        orgs_csv(
            folder,
            "ORG-1;Ældre Sagen Aarhus;Frivillig forening;8000",
            "ORG-2;ÆldreSagen, Århus;Frivillig forening;8000",
            "ORG-3;Aeldre Sagen - Aarhus afd.;Frivillig forening;8000",
        )
    ]


# ---------------------------------------------------------------- vocabularies


@case(
    "unknown-vocabulary-value",
    "vocabulary",
    Refused(
        (
            Want(
                "Ukendt værdi 'Frivilig forenig'",
                "in.xlsx",
                "Organisationer",
                2,
                "Organisationstype",
                hint="Mente du 'Frivillig forening'?",
            ),
        )
    ),
)
def _(folder):
    """A misspelt organisation type: refused with the closest allowed value suggested."""
    return [
        write_xlsx(
            folder, "in.xlsx", {"Organisationer": [ORG_HEADER, ["ORG-1", "A", "Frivilig forenig", "8000"]]}
        )
    ]


@case(
    "unknown-theme-in-a-list",
    "vocabulary",
    Refused(
        (
            Want(
                "Ukendt værdi 'Forebygelse'",
                "tilbud.csv",
                row=2,
                column="Temaer",
                hint="Mente du 'Forebyggelse'?",
            ),
        )
    ),
)
def _(folder):
    """One misspelt theme among good ones: only the bad one is named."""
    orgs = orgs_csv(folder, "ORG-1;A;Fond;8000")
    offers = write_text(
        folder, "tilbud.csv", lines(";".join(OFFER_HEADER), 'T-1;ORG-1;Løb;"Lighed i sundhed; Forebygelse"')
    )
    return [orgs, offers]


@case(
    "vocabulary-spellings",
    "vocabulary",
    Loads(
        {
            "organisations": [
                org("ORG-1", "A", organisation_type="frivillig_forening"),
                org("ORG-2", "B", organisation_type="ngo"),
                org("ORG-3", "C", organisation_type="socialoekonomisk"),
            ],
            "offers": [{"offer_id": "T-1", "target_groups": ["aeldre", "boern_unge"]}],
        }
    ),
)
def _(folder):
    """Labels in capitals, codes instead of labels, ae/oe/aa for æ/ø/å."""
    orgs = orgs_csv(
        folder,
        "ORG-1;A;FRIVILLIG FORENING;8000",
        "ORG-2;B;ngo;8000",
        "ORG-3;C;Socialoekonomisk virksomhed;8000",
    )
    offers = write_text(
        folder,
        "tilbud.csv",
        lines(";".join([*OFFER_HEADER, "Målgrupper"]), 'T-1;ORG-1;Løb;Forebyggelse;"aeldre; Boern og unge"'),
    )
    return [orgs, offers]


@case(
    "vocabulary-extended-in-sheet",
    "vocabulary",
    Loads({"offers": [{"offer_id": "T-1", "target_groups": ["veteraner"]}]}),
)
def _(folder):
    """A council's own target group added on the 'Vokabularer' sheet and used on 'Tilbud'."""
    sheets = {
        "Organisationer": [ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]],
        "Tilbud": [[*OFFER_HEADER, "Målgrupper"], ["T-1", "ORG-1", "Løb", "Forebyggelse", "Veteraner"]],
        "Vokabularer": [["Vokabular", "Betegnelse"], ["Målgrupper", "Veteraner"]],
    }
    return [write_xlsx(folder, "in.xlsx", sheets)]


# ---------------------------------------------------------------- coordinates


def _coords(folder: Path, *rows: tuple[str, object, object, str]) -> list[Path]:
    header = [*ORG_HEADER, "Breddegrad", "Længdegrad"]
    data = [[id_, f"Org {id_}", "Fond", postcode, lat, lon] for id_, lat, lon, postcode in rows]
    return [write_xlsx(folder, "in.xlsx", {"Organisationer": [header, *data]})]


@case(
    "coordinates-outside-denmark",
    "coordinates",
    Loads(
        {
            "organisations": [
                org("ORG-1", "Org ORG-1", location_precision="postcode", municipality_code=751),
                org("ORG-2", "Org ORG-2", location_precision="postcode", municipality_code=751),
                org("ORG-3", "Org ORG-3", location_precision="postcode", municipality_code=751),
                org("ORG-4", "Org ORG-4", location_precision="postcode", municipality_code=751),
            ]
        },
        (
            Want("langt fra Danmark", "in.xlsx", "Organisationer", 2, "Breddegrad", severity=WARNING),
            Want("uden for Danmark", "in.xlsx", "Organisationer", 3, "Breddegrad", severity=WARNING),
            Want("langt fra Danmark", "in.xlsx", "Organisationer", 4, "Breddegrad", severity=WARNING),
            Want("uden for Danmark", "in.xlsx", "Organisationer", 5, "Breddegrad", severity=WARNING),
        ),
    ),
)
def _(folder):
    """Malmö (inside Denmark's bounding box), Hamburg, the Baltic Sea and 0,0: the coordinates are
    dropped with a warning and the postcode places the organisation instead."""
    return _coords(
        folder,
        ("ORG-1", 55.605, 13.0038, "8000"),
        ("ORG-2", 53.55, 9.99, "8000"),
        ("ORG-3", 55.0, 13.6, "8000"),
        ("ORG-4", 0, 0, "8000"),
    )


@case(
    "coordinates-in-germany-and-the-sea-with-boundaries",
    "coordinates",
    Loads(
        {
            "organisations": [
                org("ORG-1", "Org ORG-1", location_precision="postcode"),
                org("ORG-2", "Org ORG-2", location_precision="postcode"),
            ]
        },
        (
            Want(
                "ligger ikke i nogen dansk kommune",
                "in.xlsx",
                "Organisationer",
                2,
                "Breddegrad",
                severity=WARNING,
            ),
            Want(
                "ligger ikke i nogen dansk kommune",
                "in.xlsx",
                "Organisationer",
                3,
                "Breddegrad",
                severity=WARNING,
            ),
        ),
    ),
    boundaries="real",
)
def _(folder):
    """Flensburg (8 km south of the border) and the Kattegat: only municipality boundaries tell."""
    return _coords(folder, ("ORG-1", 54.7937, 9.4469, "6330"), ("ORG-2", 56.8, 11.8, "8000"))


@case(
    "coordinates-swapped",
    "coordinates",
    Loads(
        {
            "organisations": [
                org(
                    "ORG-1",
                    "Org ORG-1",
                    lat=56.1572,
                    lon=10.2107,
                    location_precision="coordinates",
                    municipality_code=751,
                )
            ]
        },
        (Want("byttet om", "in.xlsx", "Organisationer", 2, "Breddegrad", severity=WARNING),),
    ),
)
def _(folder):
    """Latitude and longitude the wrong way round."""
    return _coords(folder, ("ORG-1", 10.2107, 56.1572, "8000"))


@case(
    "coordinates-utm32",
    "coordinates",
    Loads(
        {
            "organisations": [
                org("ORG-1", "Org ORG-1", location_precision="coordinates", municipality_code=751)
            ]
        },
        (Want("UTM zone 32", "in.xlsx", "Organisationer", 2, "Breddegrad", severity=WARNING),),
    ),
)
def _(folder):
    """EPSG:25832 metres (from a GIS export) instead of degrees: converted, with a warning."""
    return _coords(folder, ("ORG-1", 6223080, 575750, "8000"))


@case(
    "coordinates-not-numbers",
    "coordinates",
    Refused((Want("Ikke et tal", "in.xlsx", "Organisationer", 2, "Breddegrad", hint="56,1572"),)),
)
def _(folder):
    """Degrees, minutes and seconds typed as text."""
    return _coords(folder, ("ORG-1", "56°09'26\"N", "10°12'38\"E", "8000"))


# ---------------------------------------------------------------- postcodes and municipalities


@case(
    "postcode-not-in-table",
    "postcodes",
    Loads(
        {
            "organisations": [
                org("ORG-1", "A", postcode="9999", location_precision="municipality", municipality_code=751)
            ]
        },
        (
            Want(
                "Ukendt postnummer '9999'", "organisationer.csv", row=2, column="Postnummer", severity=WARNING
            ),
        ),
    ),
)
def _(folder):
    """A postcode that does not exist, with the municipality given: placed by the municipality."""
    return [orgs_csv(folder, "ORG-1;A;Fond;9999;Aarhus", header=";".join([*ORG_HEADER, "Kommune"]))]


@case(
    "postcode-not-in-table-and-nothing-else",
    "postcodes",
    Refused(
        (
            Want(
                "kan ikke placeres", "organisationer.csv", row=2, column="Postnummer", hint="kendt postnummer"
            ),
        )
    ),
)
def _(folder):
    """An unknown postcode and nothing else to place the organisation by."""
    return [orgs_csv(folder, "ORG-1;A;Fond;0999")]


@case(
    "postcode-odd-forms",
    "postcodes",
    Loads(
        {
            "organisations": [
                org("ORG-1", "A", postcode="8000"),
                org("ORG-2", "B", postcode="8000"),
                org("ORG-3", "C", postcode="1234"),
            ]
        }
    ),
)
def _(folder):
    """'DK-8000', a number cell 8000, and 1234 inside the range 1000-1499 of central Copenhagen."""
    rows = [
        ORG_HEADER,
        ["ORG-1", "A", "Fond", "DK-8000"],
        ["ORG-2", "B", "Fond", 8000],
        ["ORG-3", "C", "Fond", 1234],
    ]
    return [write_xlsx(folder, "in.xlsx", {"Organisationer": rows})]


@case(
    "municipality-old-spellings",
    "municipalities",
    Loads(
        {
            "organisations": [
                org(f"ORG-{i}", f"Org {i}", municipality_code=code)
                for i, code in enumerate([751, 751, 580, 580, 810, 101, 173, 169, 400, 751, 147], 1)
            ]
        }
    ),
)
def _(folder):
    """Århus, Aarhus Kommune, Aabenraa, Åbenrå, Brønderslev-Dronninglund, Københavns Kommune, Lyngby,
    Hoeje-Taastrup, Bornholms Regionskommune, the code 0751 and 'Frederiksberg kommune'."""
    names = [
        "Århus",
        "Aarhus Kommune",
        "Aabenraa",
        "Åbenrå",
        "Brønderslev-Dronninglund",
        "Københavns Kommune",
        "Lyngby",
        "Hoeje-Taastrup",
        "Bornholms Regionskommune",
        "0751",
        "Frederiksberg kommune",
    ]
    rows = [f"ORG-{i};Org {i};Fond;;{n}" for i, n in enumerate(names, 1)]
    return [orgs_csv(folder, *rows, header=";".join([*ORG_HEADER, "Kommune"]))]


@case(
    "municipality-unknown",
    "municipalities",
    Refused(
        (
            Want(
                "Ukendt kommune 'Aarhuus'",
                "organisationer.csv",
                row=2,
                column="Kommune",
                hint="Mente du 'Aarhus'?",
            ),
        )
    ),
)
def _(folder):
    """A misspelt municipality: refused with the closest name suggested."""
    return [orgs_csv(folder, "ORG-1;A;Fond;;Aarhuus", header=";".join([*ORG_HEADER, "Kommune"]))]


# ---------------------------------------------------------------- size and limits


@case(
    "file-of-200-mb",
    "size",
    Refused((Want("Filen er for stor (200 MB)", "organisationer.csv", hint="Del data op"),)),
    max_seconds=1.0,
)
def _(folder):
    """A 200 MB file (sparse: it takes no disk): refused from its size before a byte is read."""
    path = orgs_csv(folder, "ORG-1;A;Fond;8000")
    os.truncate(path, 200 * MB)
    return [path]


@case(
    "too-many-rows-csv",
    "size",
    Refused((Want("For mange rækker (25)", "organisationer.csv", hint="Del data op"),)),
    read={"max_rows": 20},
)
def _(folder):
    """More rows than the row limit (set to 20 here; 1,000,000 by default)."""
    return [orgs_csv(folder, *[f"ORG-{i};Org {i};Fond;8000" for i in range(25)])]


@case(
    "too-many-rows-xlsx",
    "size",
    Refused((Want("For mange rækker", "in.xlsx", "Organisationer"),)),
    read={"max_rows": 20},
)
def _(folder):
    """More rows than the row limit in a sheet."""
    rows = [ORG_HEADER] + [[f"ORG-{i}", f"Org {i}", "Fond", "8000"] for i in range(40)]
    return [write_xlsx(folder, "in.xlsx", {"Organisationer": rows})]


def _billion_laughs() -> bytes:
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<!DOCTYPE sst [<!ENTITY lol0 "lol">{entities}]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5">'
        "<si><t>Id</t></si><si><t>Navn</t></si><si><t>Organisationstype</t></si><si><t>Postnummer</t></si>"
        "<si><t>&lol9;</t></si></sst>"
    ).encode()


def _replace_part(path: Path, part: str, data: bytes) -> None:
    """Rewrite one part of a zip package."""
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i) for i in zf.infolist()}
    parts[part] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts.items():
            zf.writestr(name, content)


@case(
    "xml-bomb-in-shared-strings",
    "xml-bomb",
    Refused((Want("XML-definitioner (DOCTYPE/ENTITY)", "bombe.xlsx", hint="gem den som en ny .xlsx"),)),
    max_seconds=2.0,
)
def _(folder):
    """'Billion laughs' in xl/sharedStrings.xml (10^9 'lol's, ~3 GB if expanded): refused unexpanded."""
    path = write_xlsx(folder, "bombe.xlsx", {"Organisationer": [ORG_HEADER, ["ORG-1", "x", "Fond", "8000"]]})
    _replace_part(path, "xl/sharedStrings.xml", _billion_laughs())
    return [path]


@case(
    "zip-bomb",
    "xml-bomb",
    Refused((Want("GB udpakket", "zipbombe.xlsx", hint="zip-bombe"),)),
    max_seconds=2.0,
)
def _(folder):
    """A package whose sheet says it unpacks to 3.9 GB (its central directory is patched, so the fixture
    stays small): refused from the declared sizes before anything is unpacked."""
    path = write_xlsx(
        folder, "zipbombe.xlsx", {"Organisationer": [ORG_HEADER, ["ORG-1", "x", "Fond", "8000"]]}
    )
    data = bytearray(path.read_bytes())
    entry = data.find(b"PK\x01\x02")  # the central directory's entries
    while entry >= 0:
        name_len = struct.unpack_from("<H", data, entry + 28)[0]
        if data[entry + 46 : entry + 46 + name_len] == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, entry + 24, 0xF0000000)
        entry = data.find(b"PK\x01\x02", entry + 4)
    path.write_bytes(bytes(data))
    return [path]


# ---------------------------------------------------------------- files that are not what they say


@case(
    "xls-old-binary",
    "wrong-type",
    Loads({"organisations": [org("ORG-1", "Ældre Sagen Århus", organisation_type="fond")]}),
)
def _(folder):
    """An Excel 97-2003 workbook (.xls, BIFF8): read as it is."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Organisationer")
    for r, row in enumerate([ORG_HEADER, ["ORG-1", "Ældre Sagen Århus", "Fond", "8000"]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    path = folder / "gammel.xls"
    book.save(str(path))
    return [path]


@case(
    "xls-named-xlsx",
    "wrong-type",
    Loads(
        {"organisations": [org("ORG-1", "A")]},
        (Want("gamle Excel-format (.xls), selvom navnet ender på .xlsx", "omdoebt.xlsx", severity=WARNING),),
    ),
)
def _(folder):
    """An .xls workbook renamed to .xlsx: the content decides, with a warning."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Organisationer")
    for r, row in enumerate([ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    path = folder / "omdoebt.xlsx"
    book.save(str(path))
    return [path]


@case(
    "csv-named-xlsx",
    "wrong-type",
    Refused(
        (
            Want(
                "er en tekstfil (CSV eller lignende), selvom navnet ender på .xlsx",
                "organisationer.xlsx",
                hint="Omdøb filen",
            ),
        )
    ),
)
def _(folder):
    """A CSV file saved with the name organisationer.xlsx."""
    return [write_text(folder, "organisationer.xlsx", lines(";".join(ORG_HEADER), "ORG-1;A;Fond;8000"))]


@case(
    "xlsx-named-csv",
    "wrong-type",
    Refused((Want("er en Excel-fil, ikke en CSV-fil", "organisationer.csv", hint="Omdøb filen"),)),
)
def _(folder):
    """A workbook saved with the name organisationer.csv."""
    path = write_xlsx(folder, "tmp.xlsx", {"Organisationer": [ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]]})
    return [path.rename(folder / "organisationer.csv")]


@case("pdf-named-xlsx", "wrong-type", Refused((Want("er en PDF-fil", "kortlaegning.xlsx"),)))
def _(folder):
    """A PDF report renamed to .xlsx."""
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    path = folder / "kortlaegning.xlsx"
    path.write_bytes(pdf)
    return [path]


@case("html-named-xls", "wrong-type", Refused((Want("er en webside (HTML)", "eksport.xls"),)))
def _(folder):
    """A web system's 'Excel export': an HTML table saved as .xls."""
    html = "<html><body><table><tr><td>Id</td><td>Navn</td></tr><tr><td>ORG-1</td><td>A</td></tr></table></body></html>"
    return [write_text(folder, "eksport.xls", html)]


@case(
    "excel-2003-xml-named-xls",
    "wrong-type",
    Refused(
        (Want("gamle XML-format (Excel 2003), som ikke kan læses", "eksport.xls", hint="Excel-projektmappe"),)
    ),
)
def _(folder):
    """An 'XML Spreadsheet 2003' file saved with the name .xls (older systems' exports)."""
    xml = (
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Organisationer">'
        '<Table><Row><Cell><Data ss:Type="String">Id</Data></Cell></Row></Table></Worksheet></Workbook>'
    )
    return [write_text(folder, "eksport.xls", xml)]


@case("word-document-named-xlsx", "wrong-type", Refused((Want("er et Word-dokument", "noter.xlsx"),)))
def _(folder):
    """A .docx (also a zip package) renamed to .xlsx."""
    path = folder / "noter.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<document/>")
    return [path]


@case(
    "password-protected-xlsx",
    "wrong-type",
    Refused((Want("beskyttet med adgangskode", "hemmelig.xlsx", hint="fjern adgangskoden"),)),
)
def _(folder):
    """A workbook saved with a password (Office encryption, made with msoffcrypto-tool)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(folder, "plain.xlsx", {"Organisationer": [ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]]})
    path = folder / "hemmelig.xlsx"
    with plain.open("rb") as src, path.open("wb") as out:
        OOXMLFile(src).encrypt("hemmelig", out)
    plain.unlink()
    return [path]


@case("empty-file", "wrong-type", Refused((Want("er tom (0 byte)", "organisationer.xlsx"),)))
def _(folder):
    """A 0-byte file (a failed download or save)."""
    path = folder / "organisationer.xlsx"
    path.touch()
    return [path]


@case(
    "empty-csv",
    "wrong-type",
    Refused((Want("Ingen tabeller fundet", "organisationer.csv"),)),
)
def _(folder):
    """An empty CSV file (only a line break): with nothing else to read, the build is refused."""
    return [write_text(folder, "organisationer.csv", "\r\n")]


@case(
    "header-only",
    "empty",
    Refused((Want("Ingen rækker med data", "organisationer.csv, tilbud.csv", hint="hidtidige database"),)),
)
def _(folder):
    """Only headers in every file (an unfilled template): refused, since loading it would empty the map."""
    return [orgs_csv(folder), write_text(folder, "tilbud.csv", lines(";".join(OFFER_HEADER)))]


@case(
    "header-only-next-to-data",
    "empty",
    Loads({"organisations": [org("ORG-1", "A")], "offers": []}),
)
def _(folder):
    """A header-only Tilbud sheet next to a filled Organisationer sheet: loads with no offers."""
    return [
        write_xlsx(
            folder,
            "in.xlsx",
            {"Organisationer": [ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]], "Tilbud": [OFFER_HEADER]},
        )
    ]


# ---------------------------------------------------------------- columns


@case(
    "unknown-column",
    "columns",
    Loads(
        {"organisations": [org("ORG-1", "A")]},
        (
            Want(
                "Ukendte kolonner ignoreres: 'Telefon'",
                "organisationer.csv",
                row=1,
                column="Telefon",
                severity=WARNING,
            ),
        ),
    ),
)
def _(folder):
    """A column the schema does not know ('Telefon'): ignored with a warning."""
    return [orgs_csv(folder, "ORG-1;A;Fond;8000;+45 12 34 56 78", header=";".join([*ORG_HEADER, "Telefon"]))]


@case(
    "missing-required-column",
    "columns",
    Refused(
        (
            Want(
                "påkrævede kolonne 'Organisationstype' mangler",
                "in.xlsx",
                "Organisationer",
                1,
                "Organisationstype",
                hint="Fundne overskrifter",
            ),
        )
    ),
)
def _(folder):
    """No 'Organisationstype' column: the error names the column and lists the headers found."""
    return [
        write_xlsx(
            folder, "in.xlsx", {"Organisationer": [["Id", "Navn", "Postnummer"], ["ORG-1", "A", "8000"]]}
        )
    ]


@case(
    "header-spellings",
    "columns",
    Loads(
        {"organisations": [org("ORG-1", "A", postcode="8000", email="kontakt@example.dk", cvr="12345678")]}
    ),
)
def _(folder):
    """Headers as people type them: capitals, 'ID', 'Postnr.', 'E-mail', 'CVR nr', 'Organisations type'."""
    header = "ID;NAVN;Organisations type;Postnr.;E-mail;CVR nr"
    return [orgs_csv(folder, "ORG-1;A;Fond;8000;kontakt@example.dk;12345678", header=header)]


@case(
    "same-column-twice",
    "columns",
    Refused((Want("Kolonnen 'Navn' findes flere gange", "organisationer.csv", row=1, column="Navn"),)),
)
def _(folder):
    """'Navn' and 'Name' in the same header: which one holds the name?"""
    return [orgs_csv(folder, "ORG-1;A;Fond;8000;B", header=";".join([*ORG_HEADER, "Name"]))]


# ---------------------------------------------------------------- values


@case(
    "cvr-with-spaces-and-dashes",
    "values",
    Loads({"organisations": [org(f"ORG-{i}", f"Org {i}", cvr="12345678") for i in (1, 2, 3, 4, 5)]}),
)
def _(folder):
    """CVR as '12 34 56 78', 'DK-12345678', '1234-5678', 'DK 12.34.56.78' and a number cell."""
    rows = [[*ORG_HEADER, "CVR-nummer"]]
    for i, cvr in enumerate(["12 34 56 78", "DK-12345678", "1234-5678", "DK 12.34.56.78", 12345678], 1):
        rows.append([f"ORG-{i}", f"Org {i}", "Fond", "8000", cvr])
    return [write_xlsx(folder, "in.xlsx", {"Organisationer": rows})]


@case(
    "cvr-invalid",
    "values",
    Refused(
        (Want("Ugyldigt CVR-nummer '1234567'", "in.xlsx", "Organisationer", 2, "CVR-nummer", hint="8 cifre"),)
    ),
)
def _(folder):
    """Seven digits (Excel dropped a leading digit? a typo?)."""
    return [
        write_xlsx(
            folder,
            "in.xlsx",
            {"Organisationer": [[*ORG_HEADER, "CVR-nummer"], ["ORG-1", "A", "Fond", "8000", "1234567"]]},
        )
    ]


@case(
    "email-and-web-oddities",
    "values",
    Loads(
        {
            "organisations": [
                org("ORG-1", "A", email="Kontakt@Example.dk", website="www.example.dk"),
                org("ORG-2", "B", email="a@example.dk; b@example.dk"),
            ]
        },
        (
            Want(
                "E-mailadressen 'a@example.dk; b@example.dk' ser forkert ud",
                "organisationer.csv",
                row=3,
                column="Funktionspostkasse",
                severity=WARNING,
            ),
        ),
    ),
)
def _(folder):
    """'mailto:' prefixes, a web address without https, and two e-mail addresses in one cell (a warning)."""
    header = ";".join([*ORG_HEADER, "E-mail", "Hjemmeside"])
    return [
        orgs_csv(
            folder,
            "ORG-1;A;Fond;8000;mailto:Kontakt@Example.dk;www.example.dk",
            'ORG-2;B;Fond;8000;"a@example.dk; b@example.dk";',
            header=header,
        )
    ]


@case(
    "yes-no-spellings",
    "values",
    Loads(
        {
            "offers": [
                {"offer_id": f"T-{i}", "accepts_social_referrals": v}
                for i, v in enumerate([True, False, True, True, False, True, False, True, None], 1)
            ]
        }
    ),
)
def _(folder):
    """Ja, nej, x, 1, 0, TRUE, FALSK, a real Excel TRUE cell and an empty cell."""
    values = ["Ja", "nej", "x", 1, 0, "TRUE", "FALSK", True, None]
    offers = [[*OFFER_HEADER, "Modtager sociale henvisninger"]]
    offers += [[f"T-{i}", "ORG-1", f"Tilbud {i}", "Forebyggelse", v] for i, v in enumerate(values, 1)]
    sheets = {"Organisationer": [ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]], "Tilbud": offers}
    return [write_xlsx(folder, "in.xlsx", sheets)]


@case(
    "yes-no-unknown",
    "values",
    Refused((Want("Ugyldig Ja/Nej-værdi 'måske'", "in.xlsx", "Tilbud", 2, "Modtager sociale henvisninger"),)),
)
def _(folder):
    """'måske' is neither yes nor no."""
    sheets = {
        "Organisationer": [ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]],
        "Tilbud": [
            [*OFFER_HEADER, "Modtager sociale henvisninger"],
            ["T-1", "ORG-1", "Løb", "Forebyggelse", "måske"],
        ],
    }
    return [write_xlsx(folder, "in.xlsx", sheets)]


@case(
    "numeric-ids-across-sheets",
    "values",
    Loads({"organisations": [org("1001", "A")], "offers": [{"offer_id": "1", "organisation_id": "1001"}]}),
)
def _(folder):
    """Ids typed as numbers (1001, 1001.0 after a formula) in one sheet and as text in another."""
    sheets = {
        "Organisationer": [ORG_HEADER, [1001, "A", "Fond", 8000]],
        "Tilbud": [OFFER_HEADER, [1.0, "1001", "Løb", "Forebyggelse"]],
    }
    return [write_xlsx(folder, "in.xlsx", sheets)]


@case(
    "text-that-looks-like-a-formula",
    "values",
    Loads({"organisations": [org("ORG-1", '=HYPERLINK("http://x")', description="+45 12 34 56 78")]}),
)
def _(folder):
    """CSV cells starting with '=' or '+' are text, kept as typed (exports guard against formula injection)."""
    return [
        orgs_csv(
            folder,
            'ORG-1;"=HYPERLINK(""http://x"")";Fond;8000;+45 12 34 56 78',
            header=";".join([*ORG_HEADER, "Beskrivelse"]),
        )
    ]


@case(
    "missing-reference",
    "values",
    Refused(
        (
            Want(
                "Id'et 'ORG-9' findes ikke på arket Organisationer",
                "in.xlsx",
                "Tilbud",
                3,
                "Organisation (id)",
            ),
        )
    ),
)
def _(folder):
    """An offer pointing at an organisation that is not there."""
    sheets = {
        "Organisationer": [ORG_HEADER, ["ORG-1", "A", "Fond", "8000"]],
        "Tilbud": [
            OFFER_HEADER,
            ["T-1", "ORG-1", "Løb", "Forebyggelse"],
            ["T-2", "ORG-9", "Gåtur", "Forebyggelse"],
        ],
    }
    return [write_xlsx(folder, "in.xlsx", sheets)]
