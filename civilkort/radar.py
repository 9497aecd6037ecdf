"""Collaboration radar: timeline, collaborations ending soon, governance gaps and orphans of an area.

Every figure comes from one SQL file in ``civilkort/sql/radar/`` run against the public schema (the
views and, for the organisation lists, the build's reader tables ``out_*``) with bound parameters: the
selection's parameters (``queries.params``) plus ``$today`` (and ``$months`` for ``ending``). The files
carry the rules in their header comments and are shown on the page, so a number on the page can be
reproduced in ``duckdb`` (README: "Samarbejdsradar: SQL"). The SQL is the only definition: the page runs
these files, at national scale too.

Shared rules:
- *the area's collaborations*: at least one involved municipality in the area, filtered by theme,
  target group and free text, as everywhere else in the app;
- *ended*: status 'afsluttet' or an end date before ``today``; everything else is *current*
  (planned ones included);
- *open-ended* (løbende): no end date.

``today`` defaults to ``date.today()`` and is a parameter everywhere so tests can pin it.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from pathlib import Path

import pandas as pd

from civilkort import queries
from civilkort.db import Database
from civilkort.filters import Selection

SQL_DIR = Path(__file__).parent / "sql" / "radar"
SQL_FILES: dict[str, str] = {
    "timeline": "timeline.sql",
    "kind_share": "kind_share.sql",
    "ending": "ending.sql",
    "governance": "governance.sql",
    "orphan_organisations": "orphan_organisations.sql",
    "units_without_partner": "units_without_partner.sql",
    "multi_council_organisations": "multi_council_organisations.sql",
    "not_verified": "not_verified.sql",
}
"""Figure name -> its SQL file (also listed in the README)."""

ENDING_WINDOWS: tuple[int, ...] = (3, 6, 12)
"""Months ahead for 'ending soon'."""

STALE_MONTHS = 12
"""A record not verified for this many months is due for follow-up (not_verified.sql)."""

GOVERNANCE_GAPS: dict[str, str] = {
    "without_tovholder": "lacks_tovholder",
    "without_legal_review": "lacks_legal_review",
    "without_experience": "lacks_experience",
}
"""Governance list -> the flag column of governance.sql that selects it."""


_COMMENT = re.compile(r"--[^\n]*")


@cache
def sql_text(name: str) -> str:
    """The SQL (with its explanatory header) behind the figure ``name``."""
    return (SQL_DIR / SQL_FILES[name]).read_text(encoding="utf-8")


LONG_TEXT_LISTS = frozenset({"orphan_organisations", "multi_council_organisations"})
"""Figures that are long lists of text without dates (nationally up to 90,000 rows): fetched via Arrow."""


def _run(db: Database, name: str, sel: Selection, today: dt.date | None, extra: dict | None = None):
    """Run one radar SQL file with the selection's bound parameters (only those the file uses)."""
    sql = sql_text(name)
    code = _COMMENT.sub("", sql)
    available = {**queries.params(sel), "today": today or dt.date.today(), **(extra or {})}
    used = {k: v for k, v in available.items() if re.search(rf"\${k}\b", code)}
    return db.query(sql, used, via_arrow=name in LONG_TEXT_LISTS)


def timeline(db: Database, sel: Selection, today: dt.date | None = None) -> pd.DataFrame:
    """One row per collaboration of the area, with the period to draw (open-ended up to a horizon)."""
    return _run(db, "timeline", sel, today)


def chart_rows(
    df: pd.DataFrame, *, include_ended: bool = False, limit: int = 250
) -> tuple[pd.DataFrame, int]:
    """The timeline rows to draw and how many qualified: current ones (ended too if asked); above
    ``limit``, the ones ending first (open-ended last), shown in order of start."""
    rows = df if include_ended else df[~df["is_ended"]]
    kept = rows.sort_values(["draw_end", "is_open_ended", "title"], kind="stable").head(limit)
    return kept.sort_values(["draw_start", "title"], kind="stable"), len(rows)


def kind_share(db: Database, sel: Selection, today: dt.date | None = None) -> pd.DataFrame:
    """Number and share (%) of the area's collaborations per kind (projekt/drift), all and current."""
    return _run(db, "kind_share", sel, today)


def ending(
    db: Database, sel: Selection, today: dt.date | None = None, months: tuple[int, ...] = ENDING_WINDOWS
) -> dict:
    """Current collaborations ending within each window: ``{"counts": {m: n}, "rows": {m: df}}``.

    Windows are cumulative (within 6 months includes within 3) and inclusive of their last day.
    """
    rows = _run(db, "ending", sel, today, {"months": [int(m) for m in months]})
    by_window = {m: rows[rows["within_months"] <= m].reset_index(drop=True) for m in months}
    return {"counts": {m: len(r) for m, r in by_window.items()}, "rows": by_window}


def not_verified(
    db: Database, sel: Selection, today: dt.date | None = None, months: int = STALE_MONTHS
) -> pd.DataFrame:
    """Organisations and current collaborations of the area not verified for ``months`` months (or never)."""
    return _run(db, "not_verified", sel, today, {"stale_months": int(months)})


def gaps_in_governance(db: Database, sel: Selection, today: dt.date | None = None) -> dict:
    """Collaborations of the area without tovholder, without legal review, without any experience.

    Returns ``{"rows": every collaboration with its flags, "<gap>": the rows with that gap for each
    of GOVERNANCE_GAPS, "counts": {"<gap>": n, "total": collaborations in the area}}``.
    """
    rows = _run(db, "governance", sel, today)
    out: dict = {"rows": rows, "counts": {}}
    for gap, flag in GOVERNANCE_GAPS.items():
        out[gap] = rows[rows[flag]].reset_index(drop=True)
        out["counts"][gap] = len(out[gap])
    out["counts"]["total"] = len(rows)
    return out


def orphan_organisations(db: Database, sel: Selection, today: dt.date | None = None) -> pd.DataFrame:
    """Organisations in the area with matching offers but no current collaboration."""
    return _run(db, "orphan_organisations", sel, today)


def units_without_partner_in_theme(
    db: Database, sel: Selection, today: dt.date | None = None
) -> pd.DataFrame:
    """(Regional unit in the area, theme) pairs with no current collaboration in that theme."""
    return _run(db, "units_without_partner", sel, today)


def multi_council_organisations(db: Database, sel: Selection, today: dt.date | None = None) -> pd.DataFrame:
    """Organisations whose offers (their place) or current collaborations span two or more health
    councils, at least one municipality of it in the area."""
    return _run(db, "multi_council_organisations", sel, today)


ORPHAN_LISTS: dict[str, str] = {
    "organisations": "orphan_organisations",
    "units": "units_without_partner_in_theme",
    "multi_council": "multi_council_organisations",
}
"""The 'Forældreløse' view's three lists -> the function computing each."""

ORPHAN_SQL: dict[str, str] = {
    "organisations": "orphan_organisations",
    "units": "units_without_partner",
    "multi_council": "multi_council_organisations",
}
"""The 'Forældreløse' view's three lists -> their SQL file (SQL_FILES key)."""


def orphans(db: Database, sel: Selection, today: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """The three orphan lists of the 'Forældreløse' view."""
    return {
        "organisations": orphan_organisations(db, sel, today),
        "units": units_without_partner_in_theme(db, sel, today),
        "multi_council": multi_council_organisations(db, sel, today),
    }


def timeline_view(db: Database, sel: Selection, today: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """The 'Tidslinje' view's data: the timeline rows and the kind shares."""
    return {"timeline": timeline(db, sel, today), "kind_share": kind_share(db, sel, today)}


TABLE_LABELS: dict[str, str] = {
    "theme_label": "Tema",
    "unit_type_label": "Enhedstype",
    "days_left": "Dage tilbage",
    "within_months": "Slutter inden for (måneder)",
    "is_current": "Igangværende",
    "legal_review": "Juristvurdering",
    "lacks_tovholder": "Uden tovholder",
    "lacks_legal_review": "Uden juristvurdering",
    "lacks_experience": "Uden erfaringer",
    "n_ended_collaborations": "Afsluttede samarbejder",
    "n_collaborations_any": "Igangværende samarbejder (alle temaer)",
    "n_councils": "Antal sundhedsråd",
    "councils": "Sundhedsråd",
    "n_councils_offers": "Sundhedsråd med tilbud",
    "n_councils_collaborations": "Sundhedsråd med samarbejder",
}
"""Danish headers for the radar's own columns (the shared ones are in export.COLUMN_LABELS)."""

_INTERNAL = ("draw_start", "draw_end", "kind", "status", "theme", "is_start_unknown")


def table(df: pd.DataFrame) -> pd.DataFrame:
    """A radar result as a list to show and export: drawing columns dropped, radar columns in Danish."""
    return df.drop(columns=[c for c in _INTERNAL if c in df.columns]).rename(columns=TABLE_LABELS)
