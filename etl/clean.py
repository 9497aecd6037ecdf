"""Parse raw input values into typed columns: text, numbers, dates, yes/no, vocabulary
codes, municipality codes and lists.

Every column is parsed once per distinct value and the result mapped back onto the
rows, so a 300,000-row table with few distinct dates or themes costs little.  Bad
values become ``Issue``s located by file, sheet, row and Danish column header; the
value itself is left empty.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
from rapidfuzz import fuzz, process

from civilkort import reference
from civilkort.issues import ERROR, WARNING, Issue, error, warning
from civilkort.reference import fold
from civilkort.schema import (
    EXTENSIBLE_VOCABULARIES,
    TABLES,
    TABLES_BY_NAME,
    VOCABULARY_ADDITIONS,
    VOCABULARY_NAMES,
    Field,
    Table,
)

from .read import PROVENANCE, RawInput

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

VOCABULARY_COLUMNS = ["vocabulary", "code", "label", "description", "sort_order", "is_builtin"]
MAX_ISSUES_PER_COLUMN = 200
"""Issues listed per column and table; the rest are summed up in one more issue."""

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_MAX_EXCEL_SERIAL = 2_958_465  # 31-12-9999


@dataclass
class CleanInput:
    """Typed tables (all five data tables), the vocabularies in force, and the issues found."""

    tables: dict[str, pd.DataFrame]
    vocabularies: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)


@dataclass(frozen=True)
class _Problem:
    """What is wrong with one distinct value."""

    severity: str
    message: str
    hint: str = ""


_Parsed = tuple[object, "_Problem | None"]


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


# ---------------------------------------------------------------- single values


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _text(value: object) -> str | None:
    """A cell value as stripped text; numbers without '.0', dates as dd-mm-åååå."""
    if _is_missing(value):
        return None
    if isinstance(value, str):
        s = value.strip()
        if "\r" in s:
            s = s.replace("\r\n", "\n").replace("\r", "\n")
        return s or None
    if isinstance(value, bool | np.bool_):
        return "Ja" if value else "Nej"
    if isinstance(value, float | np.floating):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.strftime("%d-%m-%Y")
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    return str(value).strip() or None


def _parse_text(value: object) -> _Parsed:
    return _text(value), None


_CVR_PREFIX = re.compile(r"^dk[\s:-]*", re.IGNORECASE)


def _parse_cvr(value: object) -> _Parsed:
    s = _text(value)
    if s is None:
        return None, None
    digits = re.sub(r"[\s.-]", "", _CVR_PREFIX.sub("", s))
    if re.fullmatch(r"\d{8}", digits):
        return digits, None
    return None, _Problem(
        ERROR,
        f"Ugyldigt CVR-nummer '{s}'",
        "Et CVR-nummer er 8 cifre, fx 12345678 (mellemrum og 'DK' er tilladt).",
    )


def _parse_postcode(value: object) -> _Parsed:
    s = _text(value)
    if s is None:
        return None, None
    code = re.sub(r"\s", "", _CVR_PREFIX.sub("", s))
    if re.fullmatch(r"\d{3}", code):
        code = "0" + code  # Excel drops the leading zero of 0800-0999
    if not re.fullmatch(r"\d{4}", code):
        return None, _Problem(
            ERROR,
            f"Ugyldigt postnummer '{s}'",
            "Et postnummer er 4 cifre, fx 8000. Skriv bynavnet i kolonnen By.",
        )
    if reference.postcode_point(code) is None:
        return code, _Problem(
            WARNING,
            f"Ukendt postnummer '{code}'",
            "Tjek postnummeret; placeringen kan ikke findes ud fra det.",
        )
    return code, None


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


_WS = " \t\n\r\f\v\u00a0"
"""White space as literal characters: a regex with \\s makes pandas leave pyarrow for Python's re."""
_EMAIL = f"[^@{_WS};,<>]+@[^@{_WS};,<>]+\\.[A-Za-z]{{2,}}"
_URL = f"(https?://)?[^{_WS}/]+\\.[^{_WS}]+"


def _parse_float(value: object) -> _Parsed:
    if _is_missing(value):
        return None, None
    if isinstance(value, bool | np.bool_):
        return None, _Problem(ERROR, f"Ikke et tal: '{_text(value)}'", "Skriv et tal, fx 56,1572.")
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value), None
    s = _text(value)
    if s is None:
        return None, None
    t = re.sub(r"[\s\u00a0'’]", "", s)
    if "," in t and "." in t:
        t = t.replace(".", "").replace(",", ".") if t.rfind(",") > t.rfind(".") else t.replace(",", "")
    elif t.count(",") == 1:
        t = t.replace(",", ".")
    elif t.count(",") > 1:
        t = t.replace(",", "")
    elif t.count(".") > 1:
        t = t.replace(".", "")
    try:
        number = float(t)
    except ValueError:
        return None, _Problem(
            ERROR, f"Ikke et tal: '{s}'", "Skriv et tal med komma eller punktum, fx 56,1572."
        )
    if math.isnan(number) or math.isinf(number):
        return None, _Problem(ERROR, f"Ikke et tal: '{s}'", "Skriv et tal, fx 56,1572.")
    return number, None


_MONTHS = {
    "jan": 1, "januar": 1, "january": 1,
    "feb": 2, "februar": 2, "february": 2,
    "mar": 3, "marts": 3, "march": 3,
    "apr": 4, "april": 4,
    "maj": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oktober": 10, "oct": 10, "october": 10,
    "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip
_DMY = re.compile(
    r"(\d{1,2})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{4}|\d{2})(?:[ t]\d{1,2}[:.]\d{2}(?:[:.]\d{2})?)?"
)
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{1,7}(?:[.,]\d+)?")
_NAMED = re.compile(r"(\d{1,2})\.?\s*([a-zæøå]+)\.?\s+(\d{4})")
_DATE_HINT = "Skriv datoen som dd-mm-åååå, fx 01-03-2025 (også 1.3.2025, 1/3/2025 og 2025-03-01 forstås)."


def _serial_date(number: float) -> pd.Timestamp | None:
    if not 1 <= number <= _MAX_EXCEL_SERIAL:
        return None
    return pd.Timestamp(_EXCEL_EPOCH + dt.timedelta(days=int(number)))


def _make_date(year: int, month: int, day: int, s: str) -> _Parsed:
    try:
        return pd.Timestamp(dt.date(year, month, day)), None
    except ValueError:
        return None, _Problem(
            ERROR, f"Datoen '{s}' findes ikke", _DATE_HINT + " Datoer skrives dag, måned, år."
        )


def _parse_date(value: object) -> _Parsed:
    if _is_missing(value):
        return None, None
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value.replace(tzinfo=None)).normalize(), None
    if isinstance(value, dt.date):
        return pd.Timestamp(value), None
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool | np.bool_):
        stamp = _serial_date(float(value))
        if stamp is not None:
            return stamp, None
        return None, _Problem(ERROR, f"Ugyldig dato '{_text(value)}'", _DATE_HINT)
    s = _text(value)
    if s is None:
        return None, None
    low = s.lower()
    if m := _DMY.fullmatch(low):
        day, month, year = int(m[1]), int(m[2]), m[3]
        y = int(year)
        if len(year) == 2:
            y += 2000 if y <= (dt.date.today().year % 100) + 10 else 1900
        return _make_date(y, month, day, s)
    if m := _YMD.fullmatch(low):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), s)
    if m := _COMPACT.fullmatch(low):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), s)
    if _SERIAL.fullmatch(low):
        stamp = _serial_date(float(low.replace(",", ".")))
        if stamp is not None:
            return stamp, None
    if (m := _NAMED.fullmatch(low)) and m[2] in _MONTHS:
        return _make_date(int(m[3]), _MONTHS[m[2]], int(m[1]), s)
    return None, _Problem(ERROR, f"Ugyldig dato '{s}'", _DATE_HINT)


_TRUE = frozenset({"ja", "j", "x", "1", "sand", "true", "yes", "y", "✓", "✔", "1.0"})
_FALSE = frozenset({"nej", "n", "0", "falsk", "false", "no", "0.0"})


def _parse_bool(value: object) -> _Parsed:
    if _is_missing(value):
        return None, None
    if isinstance(value, bool | np.bool_):
        return bool(value), None
    if isinstance(value, int | float | np.integer | np.floating) and value in (0, 1):
        return bool(value), None
    s = _text(value)
    if s is None:
        return None, None
    key = s.strip().lower()
    if key in _TRUE:
        return True, None
    if key in _FALSE:
        return False, None
    return None, _Problem(
        ERROR, f"Ugyldig Ja/Nej-værdi '{s}'", "Skriv Ja eller Nej (også J/N, x, 1/0, Sand/Falsk forstås)."
    )


# ---------------------------------------------------------------- vocabularies and places


@dataclass(frozen=True)
class _Vocabulary:
    """Allowed values of one vocabulary: folded label or code -> code."""

    name: str
    keys: dict[str, str]
    labels: tuple[str, ...]

    @property
    def title(self) -> str:
        """Danish name."""
        return VOCABULARY_NAMES.get(self.name, self.name)


def _vocabulary_lookups(vocab: pd.DataFrame) -> dict[str, _Vocabulary]:
    out: dict[str, _Vocabulary] = {}
    for name, group in vocab.sort_values("sort_order", kind="stable").groupby("vocabulary", sort=False):
        keys: dict[str, str] = {}
        for code, label in zip(group["code"], group["label"], strict=True):
            keys.setdefault(fold(code), code)
            keys.setdefault(fold(label), code)
        out[str(name)] = _Vocabulary(str(name), keys, tuple(group["label"]))
    return out


def _suggest(text: str, choices: tuple[str, ...] | list[str], cutoff: float = 70) -> str | None:
    """The choice closest to ``text`` (compared folded), or None."""
    if not choices:
        return None
    folded = [fold(c) for c in choices]
    hit = process.extractOne(fold(text), folded, scorer=fuzz.WRatio, score_cutoff=cutoff)
    return choices[hit[2]] if hit else None


def _vocab_hint(vocab: _Vocabulary, text: str, header: str) -> str:
    parts = []
    if best := _suggest(text, vocab.labels):
        parts.append(f"Mente du '{best}'?")
    if len(vocab.labels) <= 20:
        parts.append(f"Tilladte værdier: {', '.join(vocab.labels)}.")
    else:
        parts.append(f"Se de tilladte værdier i skabelonens vejledning ({vocab.title}).")
    if vocab.name in EXTENSIBLE_VOCABULARIES:
        parts.append(f"Nye værdier kan tilføjes på arket Vokabularer (vokabular '{vocab.title}').")
    return " ".join(parts)


def _vocab_parser(vocab: _Vocabulary, header: str) -> Callable[[object], _Parsed]:
    def parse(value: object) -> _Parsed:
        s = _text(value)
        if s is None:
            return None, None
        code = vocab.keys.get(fold(s))
        if code is not None:
            return code, None
        parts = [p for p in re.split(r"[;,\n]", s) if p.strip()]
        hint = _vocab_hint(vocab, s, header)
        if len(parts) > 1 and all(fold(p) in vocab.keys for p in parts):
            hint = f"Kolonnen {header} kan kun have én værdi. " + hint
        return None, _Problem(ERROR, f"Ukendt værdi '{s}' i kolonnen {header}", hint)

    return parse


def _list_items(s: str, match: Callable[[str], str | None]) -> tuple[list[str], list[str]]:
    """Split a cell on ';' and line breaks (then ',' where a part is unknown); (matched, unknown)."""
    found: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[;\n]", s):
        part = part.strip(" \t-•*")
        if not part:
            continue
        hit = match(part)
        if hit is not None:
            found.append(hit)
            continue
        for sub in part.split(",") if "," in part else [part]:
            sub = sub.strip(" \t-•*")
            if not sub:
                continue
            hit = match(sub)
            if hit is None:
                unknown.append(sub)
            else:
                found.append(hit)
    return list(dict.fromkeys(found)), unknown


def _quote_all(items: list[str]) -> str:
    return ", ".join(f"'{i}'" for i in items)


def _vocab_list_parser(vocab: _Vocabulary, header: str) -> Callable[[object], _Parsed]:
    def parse(value: object) -> _Parsed:
        s = _text(value)
        if s is None:
            return [], None
        found, unknown = _list_items(s, lambda p: vocab.keys.get(fold(p)))
        if not unknown:
            return found, None
        word = "værdi" if len(unknown) == 1 else "værdier"
        return found, _Problem(
            ERROR,
            f"Ukendt {word} {_quote_all(unknown)} i kolonnen {header}",
            _vocab_hint(vocab, unknown[0], header),
        )

    return parse


def _parse_ref_list(value: object) -> _Parsed:
    s = _text(value)
    if s is None:
        return [], None
    items = [p.strip() for p in re.split(r"[;,\n]", s)]
    return list(dict.fromkeys(p for p in items if p)), None


@lru_cache(maxsize=1)
def _municipality_names() -> tuple[str, ...]:
    return tuple(reference.municipalities()["municipality_name"])


def _loose(text: str) -> str:
    """``fold`` with æ/ø/å typed as a/o/a also matching: 'Kobenhavn' and 'København' meet."""
    return re.sub(r"(ae|oe|aa)", lambda m: m.group(0)[0], fold(text))


@lru_cache(maxsize=1)
def _loose_municipalities() -> dict[str, int]:
    m = reference.municipalities()
    return {_loose(n): int(c) for n, c in zip(m["municipality_name"], m["municipality_code"], strict=True)}


_MUNICIPALITY_HINT = "Skriv kommunens navn (fx Aarhus) eller kommunekode (fx 751)."


def _parse_municipality(value: object) -> _Parsed:
    s = _text(value)
    if s is None:
        return None, None
    code = reference.municipality_code(s)
    if code is None:
        code = _loose_municipalities().get(_loose(re.sub(r"(?i)\s+kommune$", "", s)))
    if code is not None:
        return code, None
    best = _suggest(s, _municipality_names())
    hint = (f"Mente du '{best}'? " if best else "") + _MUNICIPALITY_HINT
    return None, _Problem(ERROR, f"Ukendt kommune '{s}'", hint)


def _area_code(text: str) -> str | None:
    hit = reference.area(text)
    if hit is None:
        code = _loose_municipalities().get(_loose(re.sub(r"(?i)\s+kommune$", "", text)))
        return None if code is None else f"municipality:{code}"
    return f"{hit[0]}:{hit[1]}"


def _area_list_parser(header: str) -> Callable[[object], _Parsed]:
    def parse(value: object) -> _Parsed:
        s = _text(value)
        if s is None:
            return [], None
        found, unknown = _list_items(s, _area_code)
        if not unknown:
            return found, None
        best = _suggest(unknown[0], list(reference.area_names().values()))
        hint = (f"Mente du '{best}'? " if best else "") + (
            "Skriv kommuner, sundhedsråd (fx Sundhedsråd Horsens), regioner (fx Region Midtjylland), "
            "'Hele regionen' eller 'Hele landet', adskilt af semikolon."
        )
        word = "område" if len(unknown) == 1 else "områder"
        return found, _Problem(ERROR, f"Ukendt {word} {_quote_all(unknown)} i kolonnen {header}", hint)

    return parse


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


# ---------------------------------------------------------------- vocabulary additions


@lru_cache(maxsize=1)
def _vocabulary_name_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for vid, name in VOCABULARY_NAMES.items():
        keys[fold(vid)] = vid
        keys[fold(name)] = vid
    for table in TABLES:
        for f in table.fields:
            if f.vocabulary:
                keys.setdefault(fold(f.header), f.vocabulary)
                keys.setdefault(fold(f.name), f.vocabulary)
    return keys


def code_for_label(label: str) -> str:
    """A code made from a label: 'Unge med spiseforstyrrelser' -> 'unge_med_spiseforstyrrelser'."""
    return fold(label).replace(" ", "_")


def builtin_vocabularies() -> pd.DataFrame:
    """The built-in vocabularies in the CleanInput.vocabularies format."""
    v = reference.vocabularies()
    out = v[["vocabulary", "code", "label", "description"]].astype("str")
    out["sort_order"] = v["sort_order"].astype("int64")
    out["is_builtin"] = True
    return out.reset_index(drop=True)


def _clean_vocabularies(raw: pd.DataFrame | None, issues: list[Issue]) -> pd.DataFrame:
    """Built-in vocabularies plus the user's additions (checked one by one; few rows)."""
    builtin = builtin_vocabularies()
    if raw is None or raw.empty:
        return builtin
    raw = raw.reset_index(drop=True)
    prov = _provenance(raw)
    headers = {f.name: f.header for f in VOCABULARY_ADDITIONS.fields}
    extensible = ", ".join(VOCABULARY_NAMES[v] for v in sorted(EXTENSIBLE_VOCABULARIES))
    known: dict[tuple[str, str], str] = {}  # (vocabulary, folded code) -> label
    labels: dict[tuple[str, str], str] = {}  # (vocabulary, folded label) -> code
    next_order: dict[str, int] = {}
    for v, c, lab, order in zip(
        builtin["vocabulary"], builtin["code"], builtin["label"], builtin["sort_order"], strict=True
    ):
        known[(v, fold(c))] = lab
        labels[(v, fold(lab))] = c
        next_order[v] = max(next_order.get(v, 0), int(order) + 1)
    added = []
    for i in range(len(raw)):
        where = {
            "file": str(prov["_file"].iloc[i]),
            "sheet": str(prov["_sheet"].iloc[i]),
            "row": int(prov["_row"].iloc[i]),
        }
        vocab_text = _text(raw["vocabulary"].iloc[i]) if "vocabulary" in raw else None
        label = _text(raw["label"].iloc[i]) if "label" in raw else None
        code = _text(raw["code"].iloc[i]) if "code" in raw else None
        description = (_text(raw["description"].iloc[i]) if "description" in raw else None) or ""
        if vocab_text is None:
            issues.append(
                error(
                    "Vokabular mangler",
                    column=headers["vocabulary"],
                    hint=f"Skriv hvilket vokabular værdien hører til: {extensible}.",
                    **where,
                )
            )
            continue
        vocab = _vocabulary_name_keys().get(fold(vocab_text))
        if vocab is None:
            best = _suggest(vocab_text, list(VOCABULARY_NAMES.values()))
            issues.append(
                error(
                    f"Ukendt vokabular '{vocab_text}'",
                    column=headers["vocabulary"],
                    value=vocab_text,
                    hint=(f"Mente du '{best}'? " if best else "")
                    + f"Vokabularer der kan udvides: {extensible}.",
                    **where,
                )
            )
            continue
        if vocab not in EXTENSIBLE_VOCABULARIES:
            issues.append(
                error(
                    f"Vokabularet '{VOCABULARY_NAMES[vocab]}' kan ikke udvides",
                    column=headers["vocabulary"],
                    value=vocab_text,
                    hint=f"Værdierne styrer kortets logik. Vokabularer der kan udvides: {extensible}.",
                    **where,
                )
            )
            continue
        if label is None:
            issues.append(
                error(
                    "Betegnelse mangler",
                    column=headers["label"],
                    hint="Skriv den nye værdi, som den skal stå i listerne.",
                    **where,
                )
            )
            continue
        if ";" in label or "\n" in label:
            issues.append(
                error(
                    f"Betegnelsen '{label}' indeholder semikolon eller linjeskift",
                    column=headers["label"],
                    value=label,
                    hint="Semikolon og linjeskift adskiller værdier i lister; brug fx komma eller bindestreg.",
                    **where,
                )
            )
            continue
        code = code or code_for_label(label)
        existing_label = known.get((vocab, fold(code)))
        existing_code = labels.get((vocab, fold(label)))
        if existing_label is not None and fold(existing_label) != fold(label):
            issues.append(
                error(
                    f"Koden '{code}' bruges allerede til '{existing_label}' i {VOCABULARY_NAMES[vocab]}",
                    column=headers["code"],
                    value=code,
                    hint="Vælg en anden kode, eller lad feltet være tomt.",
                    **where,
                )
            )
            continue
        if existing_label is not None or existing_code is not None:
            issues.append(
                warning(
                    f"'{label}' findes allerede i {VOCABULARY_NAMES[vocab]}; rækken ignoreres",
                    column=headers["label"],
                    value=label,
                    **where,
                )
            )
            continue
        known[(vocab, fold(code))] = label
        labels[(vocab, fold(label))] = code
        added.append(
            {
                "vocabulary": vocab,
                "code": code,
                "label": label,
                "description": description,
                "sort_order": next_order[vocab],
                "is_builtin": False,
            }
        )
        next_order[vocab] += 1
    if not added:
        return builtin
    extra = pd.DataFrame(added, columns=VOCABULARY_COLUMNS)
    out = pd.concat([builtin, extra], ignore_index=True)
    out[["vocabulary", "code", "label", "description"]] = out[
        ["vocabulary", "code", "label", "description"]
    ].astype("str")
    return out.astype({"sort_order": "int64", "is_builtin": "bool"})


def clean(raw: RawInput) -> CleanInput:
    """Typed tables and vocabularies from raw input; bad values become issues, never exceptions."""
    issues: list[Issue] = []
    vocabularies = _clean_vocabularies(raw.tables.get(VOCABULARY_ADDITIONS.name), issues)
    lookups = _vocabulary_lookups(vocabularies)
    tables = {t.name: _clean_table(t, raw.tables.get(t.name), lookups, issues) for t in TABLES}
    return CleanInput(tables, vocabularies, issues)
