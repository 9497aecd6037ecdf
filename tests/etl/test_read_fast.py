"""Workbooks read the fast way (fastexcel below the header) give exactly what the calamine way gives:
the same frames, value for value and type for type, and the same issues in the same order."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from civilkort.issues import InputError
from etl import read
from etl.read import excel, excel_fast, excel_package
from etl.template import write_inputs
from tests.etl import messy
from tests.etl.messy import ORG_HEADER, Formula, write_xlsx

OFFERS = [*messy.OFFER_HEADER, "Sidst verificeret", "Breddegrad", "Modtager sociale henvisninger"]
ORGS = [ORG_HEADER, ["ORG-1", "Ældre Sagen", "Fond", "8000"]]


def _offer(i: int) -> list[object]:
    verified = dt.datetime(2024, 1, 1 + i % 28, 0 if i % 3 else 14, 30 if i % 3 == 0 else 0)
    return [f"T-{i}", "ORG-1", f"  Tilbud {i} ", "Forebyggelse", verified, 56.0 + i / 100, i % 2 == 0]


def _outcome(paths: list[Path], options: dict) -> tuple[dict | None, list[dict]]:
    try:
        raw = read.read_inputs(paths, **options)
    except InputError as exc:
        return None, [i.as_dict() for i in exc.issues]
    return raw.tables, [i.as_dict() for i in raw.issues]


def _both_ways(paths: list[Path], monkeypatch, caplog, **options) -> list[str]:
    """Read the fast way and the calamine way, assert the results are identical; the sheets that went
    the calamine way in the first read (with why)."""
    caplog.set_level(logging.DEBUG, logger=excel.__name__)
    caplog.clear()
    fast = _outcome(paths, options)
    fallbacks = [r.getMessage() for r in caplog.records if r.name == excel.__name__]
    with monkeypatch.context() as m:
        m.setattr(excel, "_open_fast", lambda *a: None)
        slow = _outcome(paths, options)
    assert fast[1] == slow[1]  # issues, in order
    assert (fast[0] is None) == (slow[0] is None)
    if slow[0] is not None:
        assert fast[0].keys() == slow[0].keys()
        for name, want in slow[0].items():
            got = fast[0][name]
            pd.testing.assert_frame_equal(got, want, check_exact=True, obj=name)
            for col in want.columns:
                if want[col].dtype == object:  # 1.0 == True and date == datetime are not enough
                    assert [type(v) for v in got[col]] == [type(v) for v in want[col]], (name, col)
    return fallbacks


def test_template_workbook_is_read_the_fast_way(example_tables, tmp_path, monkeypatch, caplog):
    path = write_inputs(example_tables, tmp_path / "kortlaegning.xlsx")
    assert _both_ways([path], monkeypatch, caplog) == []


EXCEL_CASES = [c for c in messy.CASES if c.kind not in ("encoding", "bom", "delimiters", "quoted-newlines")]
"""The corpus but for the kinds only CSV files have."""


@pytest.mark.parametrize("case", EXCEL_CASES, ids=[c.name for c in EXCEL_CASES])
def test_messy_input_reads_alike_both_ways(case, tmp_path, monkeypatch, caplog):
    paths = case.write(tmp_path)
    _both_ways(paths, monkeypatch, caplog, **case.read)


def test_values_of_every_kind_and_a_merged_title(tmp_path, monkeypatch, caplog):
    """Text with spaces, numbers, yes/no, dates and datetimes, a column with no values, a headerless
    column with values, hidden rows and a title merged above the header: all read the fast way."""
    rows = [["Tilbud i Aarhus"], [*OFFERS, "Pris", None, "Noter"]]
    rows += [[*_offer(i), None, "løs" if i == 5 else None, "note"] for i in range(40)]
    path = write_xlsx(
        tmp_path,
        "in.xlsx",
        {"Organisationer": ORGS, "Tilbud": rows},
        merges={"Tilbud": [("A1:F1", "Tilbud i Aarhus")]},
        hidden_rows={"Tilbud": [4, 9]},
    )
    assert _both_ways([path], monkeypatch, caplog) == []
    raw = read.read_inputs([path])
    offers = raw.tables["offers"]
    assert offers["name"].iloc[0] == "Tilbud 0"
    assert offers["last_verified"].iloc[0] == dt.datetime(2024, 1, 1, 14, 30)
    assert offers["last_verified"].iloc[1] == dt.date(2024, 1, 2)  # a whole day: a date, as calamine gives
    assert offers["accepts_social_referrals"].iloc[:2].tolist() == [True, False]
    assert offers["_row"].iloc[0] == 3
    messages = [i.message for i in raw.issues]
    assert any("ingen overskrift" in m for m in messages) and any("skjulte rækker" in m for m in messages)


def test_openpyxl_workbooks_and_1904_dates(tmp_path, monkeypatch, caplog):
    """Inline strings (as openpyxl writes them); Mac workbooks count dates from 1904."""
    for epoch in (None, CALENDAR_MAC_1904):
        wb = openpyxl.Workbook()
        if epoch is not None:
            wb.epoch = epoch
        ws = wb.active
        ws.title = "Organisationer"
        for row in ORGS:
            ws.append(row)
        offers = wb.create_sheet("Tilbud")
        offers.append(OFFERS)
        for i in range(30):
            offers.append(_offer(i))
        path = tmp_path / f"excel-{epoch is not None}.xlsx"
        wb.save(path)
        assert _both_ways([path], monkeypatch, caplog) == []


TRICKY_TEXT = [
    "<t>a_x000D_b</t>",
    "<t> no preserve </t>",
    '<t xml:space="preserve"> kept </t>',
    '<r><t>rich</t></r><r><rPr><b/></rPr><t xml:space="preserve"> text</t></r>',
    '<t>base</t><rPh sb="0" eb="1"><t>PH</t></rPh>',
    "<t>a &amp; b &lt;c&gt; &#10;line&#x41;</t>",
    "<t/>",
    "<t>\u00a0nbsp\u200b</t>",
    "<t>x\r\ny</t>",
]


def test_tricky_text_in_shared_and_inline_strings(tmp_path, monkeypatch, caplog):
    """Escapes, rich text, phonetic runs and spaces: fastexcel's calamine decodes them as python-calamine's."""
    rows = [ORG_HEADER] + [
        [f"ORG-{i}", f"PLACEHOLDER{i % len(TRICKY_TEXT)}", "Fond", "8000"] for i in range(20)
    ]
    base = write_xlsx(tmp_path, "base.xlsx", {"Organisationer": rows})
    with zipfile.ZipFile(base) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    sst = parts["xl/sharedStrings.xml"].decode()
    for i, text in enumerate(TRICKY_TEXT):
        sst = sst.replace(f"<si><t>PLACEHOLDER{i}</t></si>", f"<si>{text}</si>")
    items = re.findall(r"<si>(.*?)</si>", sst, re.S)
    inline = re.sub(
        r'<c r="([A-Z]+\d+)"( s="\d+")? t="s"><v>(\d+)</v></c>',
        lambda m: f'<c r="{m[1]}"{m[2] or ""} t="inlineStr"><is>{items[int(m[3])]}</is></c>',
        parts["xl/worksheets/sheet1.xml"].decode(),
    )
    for name, changed in (
        ("sst.xlsx", {"xl/sharedStrings.xml": sst}),
        ("inline.xlsx", {"xl/worksheets/sheet1.xml": inline}),
    ):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as zf:
            for part, data in parts.items():
                zf.writestr(part, changed[part].encode() if part in changed else data)
        assert _both_ways([path], monkeypatch, caplog) == []
        names = read.read_inputs([path]).tables["organisations"]["name"].tolist()
        assert names[:2] == ["a\rb", "no preserve"] and "richtext" not in names[3]


def _sheet_with(cells: list[object]) -> dict[str, list[list[object]]]:
    """Organisationer and Tilbud; one cell of Tilbud's 'Breddegrad' column replaced by each of ``cells``."""
    rows = [OFFERS] + [_offer(i) for i in range(20)]
    for i, cell in enumerate(cells):
        rows[2 + i][5] = cell
    return {"Organisationer": ORGS, "Tilbud": rows}


@pytest.mark.parametrize(
    ("cells", "merges", "why"),
    [
        (["56,1"], [], "column contains"),  # a number typed as text among numbers
        ([Formula("=1/0", "#DIV/0!")], [], "Excel errors"),
        ([], [("E3:E5", None)], "merged cells below the header"),
    ],
    ids=["mixed-column", "error-cell", "merged-data"],
)
def test_what_fastexcel_cannot_give_alike_goes_the_calamine_way(
    cells, merges, why, tmp_path, monkeypatch, caplog
):
    path = write_xlsx(tmp_path, "in.xlsx", _sheet_with(cells), merges={"Tilbud": merges})
    fallbacks = _both_ways([path], monkeypatch, caplog)
    assert len(fallbacks) == 1 and "sheet Tilbud" in fallbacks[0] and why in fallbacks[0], fallbacks


def test_times_of_day_and_iso_dates_go_the_calamine_way(tmp_path, monkeypatch, caplog):
    for iso in (False, True):
        wb = openpyxl.Workbook()
        wb.iso_dates = iso
        ws = wb.active
        ws.title = "Tilbud"
        ws.append(OFFERS)
        for i in range(5):
            row = _offer(i)
            row[4] = dt.time(10, 30) if not iso else row[4]
            ws.append(row)
        path = tmp_path / f"times-{iso}.xlsx"
        wb.save(path)
        fallbacks = _both_ways([path], monkeypatch, caplog)
        assert len(fallbacks) == 1 and ("ISO dates" if iso else "timestamp") in fallbacks[0], fallbacks


def test_first_rows_of_a_sheet_keep_prefixes_and_rows_without_numbers():
    xml = (
        b'<x:worksheet xmlns:x="main"><x:sheetData>'
        + b"".join(
            b'<x:row><x:c t="inlineStr"><x:is><x:t>%d</x:t></x:is></x:c></x:row>' % i for i in range(15)
        )
        + b"</x:sheetData><x:mergeCells/></x:worksheet>"
    )
    head = excel_fast._first_rows_xml(io.BytesIO(xml), 10)
    assert head.count(b"<x:row>") == 10 and head.endswith(b"</x:sheetData></x:worksheet>")
    short = b'<worksheet><sheetData><row r="1"/><row r="12"><c/></row></sheetData></worksheet>'
    assert excel_fast._first_rows_xml(io.BytesIO(short), 10) == (
        b'<worksheet><sheetData><row r="1"/></sheetData></worksheet>'
    )


def test_shared_strings_are_cut_after_the_last_one_the_first_rows_use():
    sst = b'<sst xmlns="m">' + b"".join(b"<si><t>s%d</t></si>" % i for i in range(100)) + b"</sst>"
    cells = (
        b'<row r="1"><c r="A1" t="s"><v>3</v></c><c r="B1" t="s"><v>41</v></c><c r="C1"><v>99</v></c></row>'
    )
    last = excel_fast._last_shared_string(cells)
    assert last == 41
    cut = excel_fast._first_shared_strings(io.BytesIO(sst), last + 1)
    assert cut.count(b"<si>") == 42 and cut.endswith(b"<si><t>s41</t></si></sst>")


def test_head_package_holds_only_the_first_rows(example_tables, tmp_path):
    path = write_inputs(example_tables, tmp_path / "kortlaegning.xlsx")
    with zipfile.ZipFile(path) as zf:
        parts = excel_package._sheet_parts(zf, excel_package._workbook_part(zf))
    data, date1904 = excel_fast._head_package(path, parts)
    assert not date1904
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        rows = [len(re.findall(rb"<row\b", zf.read(part))) for part in parts.values()]
    assert max(rows) <= read.HEADER_SEARCH_ROWS
