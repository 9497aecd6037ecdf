"""The Excel template people fill in, and typed tables written back out as input files.

CSV output is UTF-8 with BOM, ``;`` as separator and decimal comma: what Danish Excel
opens correctly with a double click.  Values are written the way people type them
(labels, municipality names, dd-mm-åååå, Ja/Nej), so ``write_inputs`` ->
``read_inputs`` -> ``clean`` gives back the same typed tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from civilkort import reference
from civilkort.schema import (
    ALL_TABLES,
    EXTENSIBLE_VOCABULARIES,
    LIST_SEPARATORS,
    TABLES_BY_NAME,
    VOCABULARY_ADDITIONS,
    VOCABULARY_NAMES,
    Field,
    Table,
)

from .clean import builtin_vocabularies
from .read import INSTRUCTIONS_SHEET, LISTS_SHEET

CSV_SEPARATOR = ";"
CSV_BOM = b"\xef\xbb\xbf"
"""CSV files are UTF-8 with a byte order mark, so that Excel detects the encoding."""
LIST_JOIN = "; "
REQUIRED_MARK = " *"
"""Appended to required headers in the workbook (the reader ignores it)."""
LAST_ROW = 1_048_575
"""Last 0-based Excel row: dropdowns cover the whole column."""

_KIND_TEXT = {
    "id": "Id: entydig tekst",
    "ref": "Id fra arket {ref}",
    "ref_list": "Et eller flere id'er fra arket {ref}, adskilt af semikolon",
    "text": "Tekst",
    "url": "Webadresse",
    "email": "E-mailadresse",
    "cvr": "CVR-nummer (8 cifre)",
    "postcode": "Postnummer (4 cifre)",
    "vocab": "Én værdi fra rullelisten",
    "vocab_list": "Én eller flere værdier fra listen, adskilt af semikolon",
    "municipality": "Kommunens navn eller kode",
    "area_list": "Kommuner, sundhedsråd, regioner, 'Hele regionen' eller 'Hele landet', adskilt af semikolon",
    "date": "Dato, dd-mm-åååå",
    "bool": "Ja eller Nej",
    "float": "Tal med decimalkomma",
}
_KIND_WIDTH = {
    "id": 14,
    "ref": 18,
    "ref_list": 22,
    "text": 28,
    "url": 30,
    "email": 28,
    "cvr": 12,
    "postcode": 11,
    "vocab": 24,
    "vocab_list": 36,
    "municipality": 18,
    "area_list": 30,
    "date": 13,
    "bool": 12,
    "float": 12,
}
_TEXT_KINDS = {"id", "ref", "ref_list", "text", "cvr", "postcode", "url", "email"}


# ---------------------------------------------------------------- vocabularies


def _vocabularies(vocabularies: pd.DataFrame | None) -> pd.DataFrame:
    """Built-in vocabularies plus any user additions in ``vocabularies``, with is_builtin set."""
    builtin = builtin_vocabularies()
    if vocabularies is None or vocabularies.empty:
        return builtin
    v = vocabularies.copy()
    keys = set(zip(builtin["vocabulary"], builtin["code"], strict=True))
    extra = v[[(a, b) not in keys for a, b in zip(v["vocabulary"], v["code"], strict=True)]].copy()
    if extra.empty:
        return builtin
    for col in ("description",):
        if col not in extra:
            extra[col] = ""
    extra["description"] = extra["description"].fillna("").astype("str")
    if "sort_order" not in extra:
        extra["sort_order"] = range(1000, 1000 + len(extra))
    extra["is_builtin"] = False
    out = pd.concat([builtin, extra[builtin.columns]], ignore_index=True)
    return out.sort_values(["vocabulary", "sort_order"], kind="stable").reset_index(drop=True)


def _labels(vocab: pd.DataFrame) -> dict[str, dict[str, str]]:
    """vocabulary -> code -> label."""
    out: dict[str, dict[str, str]] = {}
    for v, c, lab in zip(vocab["vocabulary"], vocab["code"], vocab["label"], strict=True):
        out.setdefault(str(v), {})[str(c)] = str(lab)
    return out


def _user_additions(vocab: pd.DataFrame) -> pd.DataFrame:
    """The Vokabularer sheet: one row per user addition, typed as the other tables' strings."""
    extra = vocab[~vocab["is_builtin"].astype(bool)]
    return pd.DataFrame(
        {
            "vocabulary": [VOCABULARY_NAMES.get(v, v) for v in extra["vocabulary"]],
            "code": list(extra["code"]),
            "label": list(extra["label"]),
            "description": [d if isinstance(d, str) and d else None for d in extra["description"]],
        },
        dtype="string",
    )


# ---------------------------------------------------------------- values as people type them


def _arrow(values: pd.Series | list, type_: pa.DataType | None = None) -> pa.Array:
    """A pandas column as one arrow array (NaN and NA as null)."""
    arr = pa.array(values, type=type_, from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _map_text(arr: pa.Array, mapping: Mapping[str, str]) -> pa.Array:
    """Replace values found in ``mapping``; others stay as they are."""
    if not mapping or len(arr) == 0:
        return arr
    keys = pa.array(list(mapping), type=arr.type)
    mapped = pc.take(pa.array(list(mapping.values()), pa.string()), pc.index_in(arr, value_set=keys))
    return pc.coalesce(mapped, pc.cast(arr, pa.string()))


def _empty_to_null(arr: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)


def _join_lists(s: pd.Series, mapping: Mapping[str, str] | None = None) -> pa.Array:
    """Each list as 'a; b' with items mapped (codes to labels); empty lists as null."""
    items = [None if v is None or (isinstance(v, float) and np.isnan(v)) else list(v) for v in s]
    try:
        lists = pa.array(items, type=pa.list_(pa.string()))
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # items that are not text
        lists = pa.array(
            [None if v is None else [str(x) for x in v] for v in items], type=pa.list_(pa.string())
        )
    if mapping:
        values = _map_text(lists.values, mapping)
        lists = pa.ListArray.from_arrays(lists.offsets, values, mask=lists.is_null())
    return _empty_to_null(pc.binary_join(lists, LIST_JOIN))


@lru_cache(maxsize=1)
def _municipality_names() -> dict[int, str]:
    m = reference.municipalities()
    return dict(zip(m["municipality_code"].astype(int), m["municipality_name"], strict=True))


def _export_column(f: Field, s: pd.Series, labels: dict[str, dict[str, str]], excel: bool) -> pa.Array | list:
    """One typed column as people type it: an arrow string array, or (Excel) numbers and dates as such."""
    kind = f.kind
    if kind == "vocab":
        return _map_text(_arrow(s.astype("string"), pa.string()), labels.get(f.vocabulary or "", {}))
    if kind == "vocab_list":
        return _join_lists(s, labels.get(f.vocabulary or "", {}))
    if kind == "area_list":
        return _join_lists(s, reference.area_names())
    if kind == "ref_list":
        return _join_lists(s)
    if kind == "municipality":
        codes = _arrow(s.astype("Int64"), pa.int64())
        names = _municipality_names()
        mapped = pc.take(
            pa.array(list(names.values()), pa.string()), pc.index_in(codes, pa.array(list(names)))
        )
        return pc.coalesce(mapped, pc.cast(codes, pa.string()))
    if kind == "bool":
        return pc.if_else(_arrow(s.astype("boolean"), pa.bool_()), "Ja", "Nej")
    if kind == "date":
        d = pd.to_datetime(s).astype("datetime64[us]")
        if excel:
            return [None if pd.isna(v) else v.to_pydatetime() for v in d]
        return pc.strftime(_arrow(d), format="%d-%m-%Y")
    if kind == "float":
        x = s.astype("float64")
        if excel:
            return [None if np.isnan(v) else float(v) for v in x]
        return pc.replace_substring(pc.cast(_arrow(x, pa.float64()), pa.string()), ".", ",")
    return _arrow(s.astype("string"), pa.string())


def _export_frame(
    table: Table, df: pd.DataFrame | None, labels: dict[str, dict[str, str]], excel: bool
) -> dict:
    """Field name -> output values (arrow string array for CSV; list of Python values for Excel)."""
    n = 0 if df is None else len(df)
    out: dict[str, pa.Array | list] = {}
    for f in table.fields:
        if df is None or f.name not in df.columns:
            values: pa.Array | list = pa.nulls(n, pa.string())
        else:
            values = _export_column(f, df[f.name].reset_index(drop=True), labels, excel)
        if excel and isinstance(values, pa.Array):
            values = values.to_pylist()
        out[f.name] = values
    return out


# ---------------------------------------------------------------- CSV


def _write_csv_folder(tables: Mapping[str, pd.DataFrame], folder: Path, vocab: pd.DataFrame) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    labels = _labels(vocab)
    for table in ALL_TABLES:
        df = _user_additions(vocab) if table is VOCABULARY_ADDITIONS else tables.get(table.name)
        columns = _export_frame(table, df, labels, excel=False)
        data = pa.table({f.header: columns[f.name] for f in table.fields})
        with (folder / table.csv_name).open("wb") as fh:
            fh.write(CSV_BOM)
            pacsv.write_csv(data, fh, pacsv.WriteOptions(delimiter=CSV_SEPARATOR, quoting_style="needed"))
    return folder


# ---------------------------------------------------------------- Excel


def _example(f: Field, lists: dict[str, list[str]]) -> str:
    """The field's example, or the first allowed value of its vocabulary."""
    if f.example:
        return f.example
    if f.vocabulary and lists.get(f.vocabulary):
        return lists[f.vocabulary][0]
    return {"bool": "Ja", "date": "01-03-2025", "municipality": "Aarhus"}.get(f.kind, "")


def _help_text(f: Field, example: str) -> str:
    """The note on a header cell."""
    parts = []
    if f.required:
        parts.append("SKAL UDFYLDES.")
    ref = TABLES_BY_NAME[f.ref_table].sheet if f.ref_table else ""
    parts.append(_KIND_TEXT.get(f.kind, "Tekst").format(ref=ref) + ".")
    if f.help:
        parts.append(f.help)
    if f.vocabulary:
        parts.append(f"Værdier: se rullelisten ({VOCABULARY_NAMES.get(f.vocabulary, f.vocabulary)}).")
    if example:
        parts.append(f"Eksempel: {example}")
    if f.is_personal:
        parts.append("Personoplysning: skriv kun hvad personen har sagt ja til.")
    return " ".join(parts)


def _list_sources(vocab: pd.DataFrame) -> dict[str, list[str]]:
    """Named lists for dropdowns: one per vocabulary, plus yes/no, municipalities, areas, vocabularies."""
    lists: dict[str, list[str]] = {}
    for name in VOCABULARY_NAMES:
        rows = vocab[vocab["vocabulary"] == name].sort_values("sort_order", kind="stable")
        lists[name] = list(rows["label"].astype(str))
    lists["ja_nej"] = ["Ja", "Nej"]
    municipalities = sorted(reference.municipalities()["municipality_name"])
    lists["kommuner"] = municipalities
    areas = reference.area_names()
    lists["omraader"] = (
        ["Hele landet"]
        + [n for k, n in areas.items() if k.startswith("region:")]
        + [n for k, n in areas.items() if k.startswith("council:")]
        + municipalities
    )
    lists["vokabularer"] = [VOCABULARY_NAMES[v] for v in sorted(EXTENSIBLE_VOCABULARIES)]
    return lists


def _list_for(f: Field) -> tuple[str, bool] | None:
    """(list name, whether only listed values are expected) for a field's dropdown, or None."""
    if f.kind == "vocab" and f.vocabulary:
        return f.vocabulary, True
    if f.kind == "vocab_list" and f.vocabulary:
        return f.vocabulary, False
    if f.kind == "bool":
        return "ja_nej", True
    if f.kind == "municipality":
        return "kommuner", False
    if f.kind == "area_list":
        return "omraader", False
    if f.name == "vocabulary":
        return "vokabularer", True
    return None


class _Formats:
    """The workbook's cell formats."""

    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
        self.required = wb.add_format(
            {**base, "bold": True, "bg_color": "#1F4E5F", "font_color": "#FFFFFF", "border": 1}
        )
        self.optional = wb.add_format({**base, "bold": True, "bg_color": "#D9E7EC", "border": 1})
        self.text = wb.add_format({**base, "num_format": "@"})
        self.date = wb.add_format({**base, "num_format": "dd-mm-yyyy"})
        self.plain = wb.add_format(base)
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.title = wb.add_format({**base, "bold": True, "font_size": 16, "font_color": "#1F4E5F"})
        self.heading = wb.add_format({**base, "bold": True, "font_size": 13, "font_color": "#1F4E5F"})
        self.table_head = wb.add_format(
            {**base, "bold": True, "bg_color": "#D9E7EC", "border": 1, "text_wrap": True}
        )
        self.cell = wb.add_format({**base, "text_wrap": True, "border": 1})
        self.cell_required = wb.add_format({**base, "text_wrap": True, "border": 1, "bold": True})


def _write_instructions(
    ws: Worksheet, fmt: _Formats, vocab: pd.DataFrame, lists: dict[str, list[str]]
) -> None:
    """The Vejledning sheet: how to fill in each sheet and column, in Danish."""
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 13)
    ws.set_column(2, 2, 34)
    ws.set_column(3, 3, 70)
    ws.set_column(4, 4, 40)
    sheets = ", ".join(t.sheet for t in ALL_TABLES)
    seps = " eller ".join(
        {";": "semikolon (;)", ",": "komma (,)", "\n": "linjeskift (Alt+Enter)"}[s] for s in LIST_SEPARATORS
    )
    extensible = ", ".join(VOCABULARY_NAMES[v] for v in sorted(EXTENSIBLE_VOCABULARIES))
    rules = [
        (
            "Ark",
            f"Ét ark pr. tabel: {sheets}. Arkene Vejledning og Lister indlæses ikke. Andre ark ignoreres.",
        ),
        (
            "Overskrifter",
            "Første række på hvert ark er overskrifterne. Lad dem stå. Kolonner markeret med * og "
            "mørk farve skal udfyldes; resten må være tomme. Hold musen over en overskrift for at se en forklaring.",
        ),
        (
            "Id",
            "Hver række har et id, der er entydigt på arket, fx ORG-001, TILBUD-001, ENH-001, SAM-001. "
            "Andre ark henviser til rækken med dette id, fx kolonnen 'Organisation (id)' på arket Tilbud.",
        ),
        ("Lister", f"Flere værdier i én celle adskilles med {seps}, fx 'Forebyggelse; Lighed i sundhed'."),
        (
            "Datoer",
            "Skriv datoer som dd-mm-åååå, fx 01-03-2025. Også 1.3.2025, 1/3/2025, 2025-03-01 og Excel-datoer forstås.",
        ),
        ("Ja/Nej", "Skriv Ja eller Nej (også J/N, x, 1/0 og Sand/Falsk forstås)."),
        ("Tal", "Koordinater skrives med decimalkomma, fx 56,1572 og 10,2107 (punktum forstås også)."),
        ("Kommune", "Skriv kommunens navn (fx Aarhus, Høje-Taastrup) eller kommunekode (fx 751)."),
        (
            "Dækningsområde",
            "Kommuner, sundhedsråd (fx 'Sundhedsråd Horsens'), regioner (fx 'Region Midtjylland'), "
            "'Hele regionen' (regionen for postens egen adresse) eller 'Hele landet', adskilt af semikolon.",
        ),
        (
            "Dækker (regionale enheder)",
            "Tom: enheden hører til sundhedsrådet for sin adresse. En enhed for hele regionen (fx regionens "
            "administration eller Den Sociale Virksomhed) skrives 'Hele regionen', en region eller de "
            "sundhedsråd den dækker; den tælles så under regionen, ikke under adressens sundhedsråd.",
        ),
        (
            "Rullelister",
            "Kolonner med faste værdier har en rulleliste. Store/små bogstaver og æ/ø/å skrevet som "
            "ae/oe/aa er ligegyldige. Hvor flere værdier er tilladt, skriv dem adskilt af semikolon.",
        ),
        (
            "Nye værdier",
            f"Vokabularerne {extensible} kan udvides: skriv en række på arket Vokabularer med "
            "vokabularets navn (fx Målgrupper) og den nye betegnelse. Koden dannes selv, hvis den er tom.",
        ),
        (
            "Personoplysninger",
            "Brug funktionspostkasser frem for personlige e-mails, og skriv kun navne på "
            "personer, der har sagt ja til det.",
        ),
        (
            "Tomme rækker",
            "Tomme rækker springes over. Kolonner med ukendte overskrifter ignoreres (med en advarsel).",
        ),
    ]
    ws.write(0, 0, "Civilsamfundskortet: skabelon til kortlægning", fmt.title)
    ws.write(
        1, 0, "Udfyld et ark pr. tabel. Denne vejledning forklarer hvert ark og hver kolonne.", fmt.plain
    )
    row = 3
    ws.write(row, 0, "Sådan udfylder du skabelonen", fmt.heading)
    row += 1
    for key, text in rules:
        ws.set_row(row, 32 if len(text) > 110 else 16)  # merged cells do not grow by themselves
        ws.write(row, 0, key, fmt.cell_required)
        ws.merge_range(row, 1, row, 4, text, fmt.cell)
        row += 1
    for table in ALL_TABLES:
        row += 1
        ws.write(row, 0, f"Arket {table.sheet}", fmt.heading)
        ws.merge_range(row, 1, row, 4, table.description, fmt.plain)
        row += 1
        for col, head in enumerate(("Kolonne", "Skal udfyldes", "Indhold", "Forklaring", "Eksempel")):
            ws.write(row, col, head, fmt.table_head)
        row += 1
        for f in table.fields:
            ref = TABLES_BY_NAME[f.ref_table].sheet if f.ref_table else ""
            help_text = f.help
            if f.vocabulary:
                help_text = (help_text + " " if help_text else "") + (
                    f"Værdier fra {VOCABULARY_NAMES.get(f.vocabulary, f.vocabulary)} (se nederst)."
                )
            ws.write(
                row,
                0,
                f.header + (REQUIRED_MARK if f.required else ""),
                fmt.cell_required if f.required else fmt.cell,
            )
            ws.write(row, 1, "Ja" if f.required else "", fmt.cell)
            ws.write(row, 2, _KIND_TEXT.get(f.kind, "Tekst").format(ref=ref), fmt.cell)
            ws.write(row, 3, help_text, fmt.cell)
            ws.write_string(row, 4, _example(f, lists), fmt.cell)
            row += 1
    row += 1
    ws.write(row, 0, "Tilladte værdier", fmt.heading)
    row += 1
    for col, head in enumerate(("Vokabular", "Kan udvides", "Værdier")):
        ws.write(row, col, head, fmt.table_head)
    ws.merge_range(row, 2, row, 4, "Værdier", fmt.table_head)
    row += 1
    for name, title in VOCABULARY_NAMES.items():
        labels = vocab[vocab["vocabulary"] == name].sort_values("sort_order", kind="stable")["label"]
        text = "; ".join(labels.astype(str))
        ws.set_row(row, 16 * max(1, len(text) // 120 + 1))
        ws.write(row, 0, title, fmt.cell_required)
        ws.write(row, 1, "Ja" if name in EXTENSIBLE_VOCABULARIES else "Nej", fmt.cell)
        ws.merge_range(row, 2, row, 4, text, fmt.cell)
        row += 1


def _write_lists(wb: xlsxwriter.Workbook, ws: Worksheet, lists: dict[str, list[str]], fmt: _Formats) -> None:
    """The hidden Lister sheet, one named range per list (written row by row: constant memory)."""
    ws.set_column(0, len(lists) - 1, 30)
    for col, (name, values) in enumerate(lists.items()):
        ws.write(0, col, VOCABULARY_NAMES.get(name, name), fmt.optional)
        letter = xlsxwriter.utility.xl_col_to_name(col)
        last = max(2, len(values) + 1)
        wb.define_name(f"liste_{name}", f"={LISTS_SHEET}!${letter}$2:${letter}${last}")
    columns = list(lists.values())
    for row in range(max(len(v) for v in columns)):
        for col, values in enumerate(columns):
            if row < len(values):
                ws.write_string(row + 1, col, values[row], fmt.text)
    ws.hide()


def _write_table_sheet(
    ws: Worksheet, table: Table, fmt: _Formats, lists: dict[str, list[str]], columns: dict
) -> None:
    """A data sheet: headers with notes, widths, frozen header, dropdowns, then the data (if any)."""
    ws.set_comments_author("Civilsamfundskortet")
    n = max((len(v) for v in columns.values()), default=0)
    for col, f in enumerate(table.fields):
        width = max(_KIND_WIDTH.get(f.kind, 20), len(f.header) + 4)
        if f.name in ("description", "learning"):
            width = 50
        cell_format = fmt.date if f.kind == "date" else fmt.text if f.kind in _TEXT_KINDS else None
        ws.set_column(col, col, width, cell_format)
        header = f.header + (REQUIRED_MARK if f.required else "")
        ws.write_string(0, col, header, fmt.required if f.required else fmt.optional)
        ws.write_comment(0, col, _help_text(f, _example(f, lists)), {"x_scale": 2.2, "y_scale": 1.6})
        source = _list_for(f)
        if source is not None and lists.get(source[0]):
            name, strict = source
            options = {
                "validate": "list",
                "source": f"=liste_{name}",
                "ignore_blank": True,
                "show_error": strict,
            }
            if strict:
                options.update(
                    {
                        "error_type": "warning",
                        "error_title": "Ukendt værdi",
                        "error_message": "Værdien er ikke i listen. Nye værdier kan tilføjes på arket Vokabularer.",
                    }
                )
            ws.data_validation(1, col, LAST_ROW, col, options)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(n, 1), len(table.fields) - 1)
    # Row by row, as the workbook's constant-memory mode requires.
    values = [columns.get(f.name) or [None] * n for f in table.fields]
    writers = [
        (col, ws.write_datetime, fmt.date) if f.kind == "date" else (col, ws.write_number, None)
        for col, f in enumerate(table.fields)
    ]
    for row, cells in enumerate(zip(*values, strict=True), start=1):
        for (col, write, cell_format), value in zip(writers, cells, strict=True):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(row, col, value)
            else:
                write(row, col, value, cell_format)


def _write_workbook(path: Path, tables: Mapping[str, pd.DataFrame], vocab: pd.DataFrame) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    labels = _labels(vocab)
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "constant_memory": True,  # rows are flushed as written: 300k rows need little memory
        },
    )
    fmt = _Formats(wb)
    lists = _list_sources(vocab)
    instructions = wb.add_worksheet(INSTRUCTIONS_SHEET)
    _write_instructions(instructions, fmt, vocab, lists)
    for table in ALL_TABLES:
        df = _user_additions(vocab) if table is VOCABULARY_ADDITIONS else tables.get(table.name)
        ws = wb.add_worksheet(table.sheet)
        _write_table_sheet(ws, table, fmt, lists, _export_frame(table, df, labels, excel=True))
    _write_lists(wb, wb.add_worksheet(LISTS_SHEET), lists, fmt)
    instructions.activate()
    wb.close()
    return path


def write_template(path: Path | str, vocabularies: pd.DataFrame | None = None) -> Path:
    """The empty Excel template (Vejledning, one sheet per table, dropdowns from the vocabularies)."""
    return _write_workbook(Path(path), {}, _vocabularies(vocabularies))


def write_inputs(
    tables: Mapping[str, pd.DataFrame], target: Path | str, vocabularies: pd.DataFrame | None = None
) -> Path:
    """Typed tables as input files: the filled-in template (target .xlsx) or a folder of CSV files."""
    target = Path(target)
    vocab = _vocabularies(vocabularies)
    if target.suffix.lower() in (".xlsx", ".xlsm"):
        return _write_workbook(target, tables, vocab)
    return _write_csv_folder(tables, target, vocab)
