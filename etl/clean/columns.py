"""Typed columns and tables: each column parsed once per distinct value (vectorised where the
values allow), the problems found located by file, sheet, row and Danish column header."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pyarrow as pa

from civilkort.issues import ERROR, WARNING, Issue
from civilkort.schema import (
    TABLES_BY_NAME,
    Field,
    Table,
)
from etl.read import PROVENANCE

from .values import (
    _EMAIL,
    _URL,
    _WS,
    _area_list_parser,
    _parse_bool,
    _parse_cvr,
    _parse_date,
    _parse_float,
    _parse_municipality,
    _parse_postcode,
    _parse_ref_list,
    _parse_text,
    _Parsed,
    _Problem,
    _text,
    _vocab_list_parser,
    _vocab_parser,
    _Vocabulary,
)

STRING_KINDS = frozenset({"id", "ref", "text", "url", "email", "cvr", "postcode", "vocab"})
LIST_KINDS = frozenset({"vocab_list", "ref_list", "area_list"})
KIND_DTYPES: dict[str, str] = {
    **dict.fromkeys(STRING_KINDS, "string"),
    "municipality": "Int64",
    "float": "float64",
    "date": "datetime64[us]",
    "bool": "boolean",
    **dict.fromkeys(LIST_KINDS, "object"),
}
"""The pandas dtype of each field kind in a typed table."""


MAX_ISSUES_PER_COLUMN = 200
"""Issues listed per column and table; the rest are summed up in one more issue."""


def empty_column(kind: str, length: int = 0) -> pd.Series:
    """A column of ``length`` empty values of the dtype for ``kind``."""
    if kind in LIST_KINDS:
        return pd.Series([[] for _ in range(length)], dtype=object)
    return pd.Series([None] * length, dtype=object).astype(KIND_DTYPES[kind])


def empty_table(table_name: str) -> pd.DataFrame:
    """Typed empty frame with every field of the table, then ``_file``, ``_sheet``, ``_row``."""
    table = TABLES_BY_NAME[table_name]
    cols = {f.name: empty_column(f.kind) for f in table.fields}
    cols["_file"] = pd.Series([], dtype="str")
    cols["_sheet"] = pd.Series([], dtype="str")
    cols["_row"] = pd.Series([], dtype="int64")
    return pd.DataFrame(cols)


def _cvr_column(raw: pd.Series) -> tuple[pd.Series, list]:
    """CVR numbers, vectorised: 8 digits after dropping spaces, dots, dashes and a leading 'DK'."""
    s = _text_column(raw)
    digits = s.str.replace(f"^[Dd][Kk][{_WS}:-]*", "", regex=True).str.replace(f"[{_WS}.-]", "", regex=True)
    ok = digits.str.fullmatch(r"[0-9]{8}").fillna(True).to_numpy(dtype=bool)
    problems = [
        (
            int(pos),
            _Problem(
                ERROR,
                f"Ugyldigt CVR-nummer '{s.iloc[pos]}'",
                "Et CVR-nummer er 8 cifre, fx 12345678 (mellemrum og 'DK' er tilladt).",
            ),
        )
        for pos in np.flatnonzero(~ok)
    ]
    return digits.where(ok), problems


# ---------------------------------------------------------------- columns


def _all_text(raw: pd.Series) -> bool:
    return pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty")


def _may_contain(s: pd.Series, char: str) -> bool:
    """False only when no value of a 'string' column holds the ASCII ``char``.

    One scan of the Arrow character buffers, about 20 times faster than a substring search per
    value; bytes the buffers hold outside the values can only give a harmless True.
    """
    arr = pa.array(s) if s.dtype.storage == "pyarrow" else None
    if arr is None or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return bool(s.str.contains(char, regex=False).any())
    code = ord(char)
    for chunk in getattr(arr, "chunks", [arr]):
        data = chunk.buffers()[2]
        if data is not None and (np.frombuffer(data, dtype=np.uint8) == code).any():
            return True
    return False


def _text_column(raw: pd.Series) -> pd.Series:
    """Vectorised stripping of an all-text column into the 'string' dtype."""
    s = raw.astype("string").str.strip()
    if _may_contain(s, "\r"):
        s = s.str.replace("\r\n", "\n", regex=False).str.replace("\r", "\n", regex=False)
    return s.mask((s == "").fillna(False))


def _typed_array(kind: str, values: list[object]) -> object:
    """Parsed distinct values (plus a trailing missing value) as an array of the kind's dtype."""
    if kind in LIST_KINDS:
        arr = np.empty(len(values), dtype=object)
        for i, v in enumerate(values):
            arr[i] = v if v is not None else []
        return arr
    if kind == "float":
        return np.array([np.nan if v is None else v for v in values], dtype="float64")
    if kind == "date":
        return np.array(
            [np.datetime64("NaT") if v is None else v.to_datetime64() for v in values], dtype="datetime64[us]"
        )
    return pd.array(values, dtype=KIND_DTYPES[kind])


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while making many small containers that hold no cycles.

    The full collections that a few hundred thousand new lists trigger walk every object alive in
    the process, and took several times longer than making the lists.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _per_unique(raw: pd.Series, kind: str, parse: Callable[[object], _Parsed]) -> tuple[pd.Series, list]:
    """Parse each distinct value once; (typed column, [(row position, problem), ...])."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    results = [parse(u) for u in uniques]
    missing = [] if kind in LIST_KINDS else None
    values = [r[0] for r in results] + [missing]
    arr = _typed_array(kind, values)
    taken = arr[codes]  # code -1 (missing) picks the trailing missing value
    if kind in LIST_KINDS:
        with _gc_paused():  # a list object of its own per row, so changing one row never changes another
            col = pd.Series(list(map(list, taken)), dtype=object)
    else:
        col = pd.Series(taken)
    bad = np.array([r[1] is not None for r in results] + [False])
    problems = [(int(pos), results[codes[pos]][1]) for pos in np.flatnonzero(bad[codes])]
    return col, problems


_PLAIN_NUMBER = r"-?[0-9]{1,7}\.[0-9]{1,7}|-?[1-9][0-9]{0,6}|0"
"""A number that Arrow reads to the same double as pandas.to_numeric, whatever else is in the
column: at most 14 digits are exact before the one rounding both make (checked on 10 million
random ones), and no '-0', which to_numeric reads as 0 in a column of integers."""


def _float_column(raw: pd.Series) -> tuple[pd.Series, list]:
    """Vectorised for text with a decimal comma or point; other values parsed one by one."""
    if not _all_text(raw):
        return _per_unique(raw, "float", _parse_float)
    s = _text_column(raw)
    dotted = s.str.replace(",", ".", regex=False)
    if dotted.dropna().str.fullmatch(_PLAIN_NUMBER).all():  # the usual case: a cast in Arrow
        out = pa.array(dotted).cast(pa.float64()).to_numpy(zero_copy_only=False).copy()  # writable
    else:  # whole column, as its mix decides how to_numeric reads '-0' or 20-digit integers
        out = pd.to_numeric(dotted, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    slow = s.notna().to_numpy() & np.isnan(out)
    problems: list = []
    if slow.any():
        col, slow_problems = _per_unique(s[slow].reset_index(drop=True), "float", _parse_float)
        positions = np.flatnonzero(slow)
        out[positions] = col.to_numpy()
        problems = [(int(positions[p]), problem) for p, problem in slow_problems]
    return pd.Series(out, dtype="float64"), problems


def _pattern_warnings(s: pd.Series, pattern: str, message: str, hint: str) -> list:
    bad = s.notna() & ~s.str.fullmatch(pattern).fillna(True)
    return [
        (int(pos), _Problem(WARNING, message.format(value=s.iloc[pos]), hint))
        for pos in np.flatnonzero(bad.to_numpy())
    ]


def _clean_column(f: Field, raw: pd.Series, vocabs: dict[str, _Vocabulary]) -> tuple[pd.Series, list]:
    """One typed column and the problems found, as (row position, problem)."""
    kind = f.kind
    if kind in ("id", "ref", "text", "url", "email"):
        if _all_text(raw):
            col, problems = _text_column(raw), []
        else:
            col, problems = _per_unique(raw, kind, _parse_text)
        if kind == "email":
            col = col.str.replace(f"^[Mm][Aa][Ii][Ll][Tt][Oo]:[{_WS}]*", "", regex=True)
            problems += _pattern_warnings(
                col,
                _EMAIL,
                "E-mailadressen '{value}' ser forkert ud",
                "Skriv én adresse, fx kontakt@example.dk.",
            )
        elif kind == "url":
            problems += _pattern_warnings(
                col, _URL, "Webadressen '{value}' ser forkert ud", "Skriv en adresse, fx https://example.dk."
            )
        return col, problems
    if kind == "float":
        return _float_column(raw)
    if kind == "cvr" and _all_text(raw):
        return _cvr_column(raw)
    parsers: dict[str, Callable[[object], _Parsed]] = {
        "cvr": _parse_cvr,
        "postcode": _parse_postcode,
        "municipality": _parse_municipality,
        "date": _parse_date,
        "bool": _parse_bool,
        "ref_list": _parse_ref_list,
    }
    if kind in ("vocab", "vocab_list"):
        vocab = vocabs.get(f.vocabulary or "", _Vocabulary(f.vocabulary or "", {}, ()))
        parse = (_vocab_parser if kind == "vocab" else _vocab_list_parser)(vocab, f.header)
    elif kind == "area_list":
        parse = _area_list_parser(f.header)
    else:
        parse = parsers.get(kind, _parse_text)
    return _per_unique(raw, kind, parse)


def _issues_for(
    problems: list,
    raw: pd.Series,
    f: Field,
    prov: pd.DataFrame,
    table: Table,
    limit: int = MAX_ISSUES_PER_COLUMN,
) -> list[Issue]:
    """Problems as Issues located by the rows' file, sheet, row and the column's Danish header."""
    issues: list[Issue] = []
    counts = {ERROR: 0, WARNING: 0}
    files, sheets, rows = prov["_file"].to_numpy(), prov["_sheet"].to_numpy(), prov["_row"].to_numpy()
    for pos, problem in problems:
        counts[problem.severity] += 1
        if counts[problem.severity] > limit:
            continue
        issues.append(
            Issue(
                problem.severity,
                problem.message,
                file=str(files[pos]),
                sheet=str(sheets[pos]),
                row=int(rows[pos]),
                column=f.header,
                value=_text(raw.iloc[pos]) or "",
                hint=problem.hint,
            )
        )
    for severity, n in counts.items():
        if n > limit:
            files_hit = sorted({str(files[p]) for p, pr in problems if pr.severity == severity})
            issues.append(
                Issue(
                    severity,
                    f"{n - limit} rækker mere med samme slags {severity} i kolonnen {f.header} på arket {table.sheet}",
                    file=", ".join(files_hit),
                    column=f.header,
                    hint="Ret de viste rækker og indlæs igen for at se resten.",
                )
            )
    return issues


def _provenance(raw: pd.DataFrame) -> pd.DataFrame:
    n = len(raw)
    return pd.DataFrame(
        {
            "_file": raw["_file"].astype("str") if "_file" in raw else pd.Series([""] * n, dtype="str"),
            "_sheet": raw["_sheet"].astype("str") if "_sheet" in raw else pd.Series([""] * n, dtype="str"),
            "_row": raw["_row"].astype("int64")
            if "_row" in raw
            else pd.Series(np.arange(2, n + 2), dtype="int64"),
        }
    )


def _clean_table(
    table: Table, raw: pd.DataFrame | None, vocabs: dict[str, _Vocabulary], issues: list[Issue]
) -> pd.DataFrame:
    """One typed table with every field in schema order, then the provenance columns."""
    if raw is None or raw.empty:
        return empty_table(table.name)
    raw = raw.reset_index(drop=True)
    prov = _provenance(raw)
    cols: dict[str, pd.Series] = {}
    for f in table.fields:
        if f.name not in raw.columns:
            cols[f.name] = empty_column(f.kind, len(raw))
            continue
        col, problems = _clean_column(f, raw[f.name], vocabs)
        cols[f.name] = col.reset_index(drop=True)
        if problems:
            issues.extend(_issues_for(problems, raw[f.name], f, prov, table))
    for name in PROVENANCE:  # 'str', 'str', 'int64', on the same RangeIndex as the typed columns
        cols[name] = prov[name]
    return pd.DataFrame(cols)
