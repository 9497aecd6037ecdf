"""The HSDS API's query parameters, read strictly: a parameter it does not know or a value it cannot read is a
400 naming it (in Danish), never ignored: a client that filters on a misspelt parameter would otherwise take
the whole list for its answer."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 1000
MAX_PAGE = 1_000_000
MAX_MINIMAL_PER_PAGE = 100_000
"""``minimal=true`` lists ids to sync deletions with: all of a council, or the country in a few pages."""


class BadRequest(Exception):
    """A request the API cannot answer as asked; ``str(exc)`` is the Danish reason."""

    def __init__(self, message: str, parameter: str | None = None, status: int = 400) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.status = status


NOT_SUPPORTED = {
    "postcode": "søgning på postnummer understøttes ikke; brug municipality_code (kommunekode)",
    "proximity": "søgning på afstand understøttes ikke; brug municipality_code (kommunekode)",
}
"""Parameters of HSDS's OpenAPI this API does not serve, with what to use instead."""


def check_known(query: Mapping[str, str], allowed: Iterable[str]) -> None:
    """Refuse any parameter not in ``allowed`` (and any given twice)."""
    allowed = set(allowed)
    for name in query:
        if name in NOT_SUPPORTED:
            raise BadRequest(f"Parameteren '{name}' understøttes ikke: {NOT_SUPPORTED[name]}.", name)
        if name not in allowed:
            raise BadRequest(f"Ukendt parameter '{name}'. Tilladt her: {', '.join(sorted(allowed))}.", name)


def text(query: Mapping[str, str], name: str) -> str | None:
    """A text parameter, None when absent or empty."""
    value = query.get(name)
    return value if value not in (None, "") else None


def boolean(query: Mapping[str, str], name: str) -> bool:
    """A true/false parameter (absent: false)."""
    value = query.get(name)
    if value in (None, ""):
        return False
    folded = value.strip().lower()
    if folded in ("true", "1"):
        return True
    if folded in ("false", "0"):
        return False
    raise BadRequest(f"Parameteren '{name}' skal være true eller false (fik '{value[:40]}').", name)


def integer(query: Mapping[str, str], name: str, default: int, lowest: int, highest: int) -> int:
    """A whole number in [lowest, highest]."""
    value = query.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"Parameteren '{name}' skal være et helt tal (fik '{value[:40]}').", name) from None
    if not lowest <= number <= highest:
        raise BadRequest(f"Parameteren '{name}' skal være mellem {lowest} og {highest} (fik {number}).", name)
    return number


def timestamp(query: Mapping[str, str], name: str) -> dt.datetime | None:
    """An ISO 8601 date or date-time ('2026-12-01', '2026-12-01T08:00:00Z', with an offset); a time without
    a zone is UTC."""
    value = text(query, name)
    if value is None:
        return None
    try:
        # an offset's '+' written into a URL unescaped arrives as a space: '...T10:00:00 01:00'
        parsed = dt.datetime.fromisoformat(re.sub(r" (\d\d:?\d\d)$", r"+\1", value.strip()))
    except ValueError:
        raise BadRequest(
            f"Parameteren '{name}' skal være en dato eller et tidspunkt i ISO 8601, fx 2026-12-01 eller "
            f"2026-12-01T08:00:00Z (fik '{value[:40]}').",
            name,
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Paging:
    """Which page of how many items."""

    page: int
    per_page: int

    @classmethod
    def read(cls, query: Mapping[str, str], *, default_per_page: int = DEFAULT_PER_PAGE) -> Paging:
        return cls(
            integer(query, "page", 1, 1, MAX_PAGE),
            integer(query, "per_page", default_per_page, 1, max(MAX_PER_PAGE, default_per_page)),
        )

    def envelope(self, total: int, fetch) -> dict:
        """HSDS's paged envelope around this page of ``total`` items (``fetch(start, stop)`` makes them);
        ``size`` is the number of items on this page, as the OpenAPI's description says. A page past the last
        is a 404 (page 1 of an empty result is an empty page)."""
        pages = max(1, math.ceil(total / self.per_page))
        if self.page > pages:
            raise BadRequest(f"Side {self.page} findes ikke: der er {pages} side(r).", "page", status=404)
        start = (self.page - 1) * self.per_page
        contents = fetch(start, min(start + self.per_page, total)) if total else []
        return {
            "total_items": total,
            "total_pages": pages,
            "page_number": self.page,
            "size": len(contents),
            "first_page": self.page == 1,
            "last_page": self.page == pages,
            "empty": total == 0,
            "contents": contents,
        }
