"""Danish notation, in one place: dates as dd-mm-åååå, times in Danish local time, numbers as 1.234,5.

Stored times are UTC (a time without a zone is taken as UTC); people read them in Europe/Copenhagen time,
summer and winter alike.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

TZ = ZoneInfo("Europe/Copenhagen")
MISSING = "–"


def _missing(value: object) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array is not missing
        return False


def date(value: object, *, missing: str = MISSING) -> str:
    """A date (date, datetime, Timestamp or ISO text) as 'dd-mm-åååå'; a missing one as ``missing``; text
    that is not a date as it is."""
    if _missing(value) or value == "":
        return missing
    try:
        return pd.Timestamp(value).strftime("%d-%m-%Y")
    except (TypeError, ValueError):
        return str(value)


def local_time(value: object, *, seconds: bool = False, kl: bool = False, missing: str = MISSING) -> str:
    """A stored time as Danish local time: '22-11-2026 14:05' (``kl``: '22-11-2026 kl. 14.05'); a missing
    one as ``missing``; text that is not a time as it is."""
    if _missing(value) or value == "":
        return missing
    try:
        moment = pd.Timestamp(value)
    except (TypeError, ValueError):
        return str(value)
    if moment.tzinfo is None:
        moment = moment.tz_localize(dt.UTC)
    moment = moment.tz_convert(TZ)
    if kl:
        return moment.strftime("%d-%m-%Y kl. %H.%M.%S" if seconds else "%d-%m-%Y kl. %H.%M")
    return moment.strftime("%d-%m-%Y %H:%M:%S" if seconds else "%d-%m-%Y %H:%M")


def number(value: object, decimals: int | None = None, *, missing: str = MISSING) -> str:
    """A number with '.' between thousands and ',' before decimals: 1.234 and 14,6 (``decimals`` fixed,
    or as many as the number has)."""
    if _missing(value):
        return missing
    n = float(value)  # type: ignore[arg-type]
    if decimals is None:
        decimals = 0 if n.is_integer() else len(f"{n:g}".partition(".")[2])
    text = f"{n:,.{decimals}f}"
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def count(n: int, one: str, many: str) -> str:
    """A number with its noun in the Danish singular or plural: '1 post', '3 poster', '1.200 poster'."""
    return f"{number(n)} {one if n == 1 else many}"


def place(address: object, postcode: object, city: object) -> str:
    """A place as a Danish address is written: 'Vestergade 1, 8000 Aarhus C' (what is known of it; '' when
    nothing is)."""
    parts = ["" if _missing(v) else str(v).strip() for v in (address, postcode, city)]
    town = " ".join(p for p in parts[1:] if p)
    return ", ".join(p for p in (parts[0], town) if p)
