"""The council report: a PDF and an xlsx with the right contents, in Danish, safe with any text."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from pypdf import PdfReader

from civilkort import report

TODAY = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def aarhus(small_db_dir):
    from civilkort.db import Database, current_path
    from civilkort.settings import Settings

    db = Database(current_path(Settings(data_dir=small_db_dir, static_dir=small_db_dir)))
    return report.council_report(db, "aarhus", today=TODAY)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_has_every_section_in_danish(aarhus):
    text = _text(aarhus.pdf)
    for heading in (
        "Kortlægning af civilsamfundet",
        "Sundhedsråd Aarhus",
        "Nøgletal",
        "Huller: kommune × tema",
        "Huller: tema × målgruppe",
        "Samarbejder der slutter inden for 12 måneder",
        "Organisationer med tilbud, men uden samarbejde",
        "Regionale enheder uden partner i et tema",
        "Datakvalitet pr. kommune",
        "Kilder",
        "EKSEMPELDATA",
        "01-11-2026",
    ):
        assert heading in text, heading
    assert len(PdfReader(io.BytesIO(aarhus.pdf)).pages) >= 4


def test_xlsx_has_the_tables(aarhus):
    wb = openpyxl.load_workbook(io.BytesIO(aarhus.xlsx))
    assert wb.sheetnames[:4] == ["Nøgletal", "Kommuner", "Kommune x tema", "Tema x målgruppe"]
    assert "EKSEMPELDATA" in wb["Nøgletal"]["A1"].value
    municipalities = {row[0] for row in wb["Kommune x tema"].iter_rows(min_row=3, values_only=True)}
    assert municipalities == {"Aarhus", "Samsø"}


def test_write_names_files_by_council(aarhus, tmp_path):
    paths = aarhus.write(tmp_path)
    assert [p.name for p in paths] == ["kortlaegning-aarhus.pdf", "kortlaegning-aarhus.xlsx"]
    assert paths[0].read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize("value", ["C:\u0000\\evil", "`${alert(1)}`", "Ærø 🚑 ½", None, float("nan")])
def test_any_text_prints(value):
    assert "\u0000" not in report.pdf_text(value)


def test_cli_writes_one_or_all_reports(small_db_dir, monkeypatch, tmp_path, capsys):
    from etl.cli import main

    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(small_db_dir))
    assert (
        main(["council-report", "--council", "fyn", "--out", str(tmp_path / "en"), "--today", "2026-11-01"])
        == 0
    )
    assert sorted(p.name for p in (tmp_path / "en").iterdir()) == [
        "kortlaegning-fyn.pdf",
        "kortlaegning-fyn.xlsx",
    ]
    assert main(["council-report", "--council", "atlantis"]) == 1
    assert "Ukendt sundhedsråd" in capsys.readouterr().err
