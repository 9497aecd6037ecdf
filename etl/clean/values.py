"""Parse one raw value: text, CVR and postcode, numbers, dates, yes/no, vocabulary values,
municipalities and lists of areas; a bad value gives a ``_Problem`` (message and hint, in Danish)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from civilkort import reference
from civilkort.issues import ERROR, WARNING
from civilkort.reference import fold
from civilkort.schema import (
    EXTENSIBLE_VOCABULARIES,
    VOCABULARY_NAMES,
)

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_MAX_EXCEL_SERIAL = 2_958_465  # 31-12-9999


@dataclass(frozen=True)
class _Problem:
    """What is wrong with one distinct value."""

    severity: str
    message: str
    hint: str = ""


_Parsed = tuple[object, "_Problem | None"]


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
