"""Gap analysis and council comparison: what a coordinator needs to act on.

Every figure comes from one SQL file in ``civilkort/sql/gaps/`` run against the build's public
views and reader tables (``out_*``, ``etl/sql/out.sql``) with bound parameters named as in
``queries.params(sel)``: that file is the figure's one definition, and an analyst can reproduce it
(``statement`` returns the exact SQL and parameters; the pages show them).

Rules (also in each SQL file's header):

* **Cross-tabulation.** A matrix's axes ignore their own filter: municipality × theme ignores
  the theme filter, municipality × target group the target-group filter, theme × target group
  both; every other filter (prevention level, status, referrals, organisation type, staffing,
  text) applies. The municipality axis is the chosen area's municipalities (an offer counts
  where it is placed, as on the map). Every row and column is present, zeros included;
  rows and columns follow vocabulary order, municipalities name order.
* **Ikke kortlagt.** A municipality without any records (no organisation or offer placed in
  it, whatever the filters) is 'ikke kortlagt' (``row_mapped`` False), not a gap.
* **Coverage score** (0-100, per municipality, without filters, NULL when 'ikke kortlagt')::

      round(40 × min(1, organisations / FULL_DEPTH)
            + 40 × share of records verified within 12 months of today
            + 20 × share of records with an exact location)

  where records are the organisations and offers placed in the municipality (any status).
  Status: 'godt kortlagt' >= 70, 'delvist kortlagt' >= 40, else 'spinkelt kortlagt'.
* **Per 1,000 in the target group** (municipality × target group only): offers per 1,000 people in the
  target group, the people counted by the group's need indicator (``target_group_people``, see
  ``etl/need_map.py``); NULL where the group has no indicator, the municipality no value or no population.
* **Referral readiness** counts offers accepting social referrals per municipality × target
  group; it ignores the target-group and the referral filter.
* **Compare** ignores the area (all 17 councils, their regions and the nation); other filters
  as above; a council's score is the mean of its municipalities' scores ('ikke kortlagt' = 0).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import replace
from functools import cache
from pathlib import Path

import pandas as pd

from civilkort import queries
from civilkort.db import Database
from civilkort.filters import Selection
from civilkort.schema import NO_THEME

SQL_DIR = Path(__file__).resolve().parent / "sql" / "gaps"
FULL_DEPTH = 10
"""Organisations in a municipality that count as a full 'records present' component of the score."""
VERIFIED_MONTHS = 12

DIMENSIONS: dict[str, str] = {"municipality": "Kommune", "theme": "Tema", "target_group": "Målgruppe"}
_MATRIX_SQL = {
    ("municipality", "theme"): "matrix_municipality_theme",
    ("municipality", "target_group"): "matrix_municipality_target_group",
    ("theme", "target_group"): "matrix_theme_target_group",
}
_FILTER_OF = {"theme": "themes", "target_group": "target_groups"}
_FILTER_FIELDS = (
    "area",
    "themes",
    "target_groups",
    "prevention_levels",
    "organisation_types",
    "staffing",
    "statuses",
    "referrals",
    "text",
)
"""The Selection fields the gap views use (area and filters); the rest (map measure, layers, focus) is not."""
_CELL_PARAM = {"municipality": "cell_municipality", "theme": "cell_theme", "target_group": "cell_group"}
SQL_FILES: dict[str, str] = {
    "matrix_municipality_theme": "Kommune × tema: tilbud pr. felt",
    "matrix_municipality_target_group": "Kommune × målgruppe: tilbud pr. felt",
    "matrix_theme_target_group": "Tema × målgruppe: tilbud pr. felt",
    "matrix_items": "Tilbuddene bag ét felt",
    "coverage": "Kortlægningens dækning og friskhed pr. kommune (score)",
    "referral_readiness": "Tilbud, der modtager sociale henvisninger, pr. kommune × målgruppe",
    "compare_councils": "De 17 sundhedsråd, regionerne og hele landet på de samme mål",
}
"""The SQL files, by name, with what each computes (README: 'Huller og sammenligning: SQL')."""

LABELS: dict[str, str] = {
    "level": "Niveau",
    "name": "Område",
    "region_name": "Region",
    "municipality_name": "Kommune",
    "council_name": "Sundhedsråd",
    "n_municipalities": "Kommuner",
    "population": "Folketal",
    "organisations": "Organisationer",
    "offers": "Tilbud",
    "records": "Registreringer",
    "offers_matching": "Tilbud med filtrene",
    "offers_per_10k": "Tilbud pr. 10.000 indbyggere",
    "collaborations": "Samarbejder",
    "referral_offers": "Tilbud med sociale henvisninger",
    "referral_pct": "Andel med sociale henvisninger (%)",
    "theme_gaps": "Temaer uden tilbud",
    "empty_theme_cells_pct": "Tomme kommune × tema-felter (%)",
    "target_group_gaps": "Målgrupper uden tilbud",
    "empty_target_group_cells_pct": "Tomme kommune × målgruppe-felter (%)",
    "municipalities_unmapped": "Kommuner ikke kortlagt",
    "verified_pct": "Verificeret inden for 12 mdr. (%)",
    "approximate_pct": "Omtrentlig placering (%)",
    "depth_pct": "Antal organisationer (% af fuld)",
    "score": "Score (0-100)",
    "status": "Status",
}
"""Danish column headers for display and export."""
LEVELS = {"council": "Sundhedsråd", "region": "Region", "national": "Hele landet"}
ADDITIVE = frozenset(
    {
        "n_municipalities",
        "population",
        "organisations",
        "offers",
        "referral_offers",
        "municipalities_unmapped",
    }
    | {"collaborations"}
)
"""Comparison measures that are sums over municipalities (compared with the mean per council), not rates.
Collaborations are counted once per area, so close to additive; they are compared the same way."""
SCORE_HELP = f"""
**Sådan regnes scoren (0–100)** for en kommune ud fra alle registrerede organisationer og tilbud
(uanset filtre): 40 × min(1, organisationer / {FULL_DEPTH}) + 40 × andel verificeret inden for
{VERIFIED_MONTHS} måneder + 20 × andel med præcis placering. *Godt kortlagt* fra 70, *delvist* fra 40,
ellers *spinkelt*. En kommune helt uden registreringer er *ikke kortlagt* (ingen score). Et områdes
score er gennemsnittet af kommunernes, hvor ikke kortlagte tæller 0.
"""
"""The score formula in Danish, for the pages."""


MEASURES: dict[str, str] = {
    "n": "Antal",
    "per_10k": "pr. 10.000 indbyggere",
    "per_1000_group": "pr. 1.000 i målgruppen",
}
"""A matrix's measures (its ``value`` column); ``per_1000_group`` only for municipality × target group."""
_NEED_VIEW = "target_group_people"
_NO_NEED = (
    "(SELECT NULL::VARCHAR AS target_group, NULL::VARCHAR AS indicator_id, NULL::INTEGER AS municipality_code, "
    "NULL::DOUBLE AS people WHERE false)"
)
"""What a build older than schema 6 (no need mapping) reads in place of ``target_group_people``."""


class UnknownDimension(ValueError):
    """A matrix axis that is not one of DIMENSIONS (or the same axis twice)."""


@cache
def sql(name: str) -> str:
    """The text of ``sql/gaps/<name>.sql``."""
    if name not in SQL_FILES:
        raise KeyError(f"Ingen SQL-fil ved navn {name!r}")
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def _used(text: str) -> set[str]:
    """Parameter names a SQL text binds (comments left out)."""
    return set(re.findall(r"\$(\w+)", re.sub(r"--[^\n]*", "", text)))


def _params(name: str, sel: Selection, extra: dict) -> dict:
    """The bound parameters a file uses: queries.params(sel) plus ``extra``, nothing unused."""
    p = queries.params(sel) | extra
    wanted = _used(sql(name))
    missing = wanted - set(p)
    if missing:
        raise KeyError(f"{name}.sql bruger parametre, der ikke er sat: {sorted(missing)}")
    return {k: v for k, v in p.items() if k in wanted}


def _today(today: dt.date | None) -> dt.date:
    return today or dt.date.today()


def _check_axes(rows: str, cols: str) -> tuple[str, str]:
    for d in (rows, cols):
        if d not in DIMENSIONS:
            raise UnknownDimension(f"Ukendt akse {d!r}; vælg mellem {', '.join(DIMENSIONS)}")
    if rows == cols:
        raise UnknownDimension(f"Rækker og kolonner er begge {rows!r}")
    return rows, cols


def _without_axis_filters(sel: Selection, *axes: str) -> Selection:
    """The selection with the filter of each cross-tabulated axis removed (the cross-tab rule)."""
    return replace(sel, **{_FILTER_OF[a]: () for a in axes if a in _FILTER_OF})


def effective_selection(view: str, sel: Selection, **kwargs) -> Selection:
    """The selection as a view uses it: the rules above applied, everything it ignores reset.

    Two selections with the same effective selection give the same figures, so the pages cache
    on this (a theme filter change does not recompute theme × target group).
    """
    default = Selection()
    sel = Selection(
        **{name: getattr(sel, name) for name in _FILTER_FIELDS}
    )  # map measure, layers, view … reset
    if view in ("matrix", "matrix_items"):
        return _without_axis_filters(sel, *_check_axes(kwargs["rows"], kwargs["cols"]))
    if view == "referral_readiness":
        return replace(sel, target_groups=(), referrals="")
    if view == "referral_items":
        return replace(sel, target_groups=(), referrals="ja")
    if view == "compare_councils":
        return replace(sel, area=default.area)
    if view == "coverage":
        return sel
    raise KeyError(f"Ukendt visning {view!r}")


def statement(view: str, sel: Selection, **kwargs) -> tuple[str, dict]:
    """The exact SQL text and bound parameters behind a view, to show under 'Vis SQL'.

    ``view`` is 'matrix' (kwargs rows, cols), 'matrix_items' (row_key, col_key, rows, cols),
    'coverage', 'referral_readiness', 'referral_items' (row_key, col_key) or 'compare_councils';
    ``today`` may be given for the dated measures.
    """
    today = _today(kwargs.get("today"))
    dated = {"today": today, "full_depth": FULL_DEPTH}
    if view in ("referral_items", "referral_readiness"):
        kwargs = {**kwargs, "rows": "municipality", "cols": "target_group"}
    sel = effective_selection(view, sel, **kwargs)
    if view == "matrix":
        rows, cols = kwargs["rows"], kwargs["cols"]
        name = _MATRIX_SQL[(rows, cols) if (rows, cols) in _MATRIX_SQL else (cols, rows)]
        return sql(name), _params(name, sel, {})
    if view in ("matrix_items", "referral_items"):
        cell = dict.fromkeys(_CELL_PARAM.values())
        for axis, key in ((kwargs["rows"], kwargs["row_key"]), (kwargs["cols"], kwargs["col_key"])):
            cell[_CELL_PARAM[axis]] = int(key) if axis == "municipality" else str(key)
        return sql("matrix_items"), _params("matrix_items", sel, cell)
    if view == "referral_readiness":
        return sql(view), _params(view, sel, {})
    return sql(view), _params(view, sel, dated)


def has_need_map(db: Database) -> bool:
    """True when the build maps target groups to need indicators (schema 6 and newer)."""
    return bool(db.scalar("SELECT count(*) FROM duckdb_views() WHERE view_name = $v", {"v": _NEED_VIEW}))


def _run(db: Database, view: str, sel: Selection, limit: int | None = None, **kwargs) -> pd.DataFrame:
    text, p = statement(view, sel, **kwargs)
    if f"FROM {_NEED_VIEW}" in text and not has_need_map(db):  # an older build: no people per target group
        text = text.replace(f"FROM {_NEED_VIEW}", f"FROM {_NO_NEED}")
    if limit is not None:  # the first rows in the statement's own order
        text = f"{text.rstrip().rstrip(';')}\nLIMIT {int(limit)}"
    return db.query(text, p)


def matrix(
    db: Database,
    sel: Selection,
    rows: str,
    cols: str,
    per_10k: bool = False,
    *,
    measure: str | None = None,
) -> pd.DataFrame:
    """Offers per (row, col) cell, long form, every cell present in display order.

    Columns: row_key, row_label, col_key, col_label, n, population, per_10k, (municipality × target group
    only: group_people, per_1000_group,) row_mapped, col_mapped, value (the ``measure``, one of MEASURES;
    ``per_10k=True`` is ``measure='per_10k'``; else ``n``). Keys are text (municipality codes as digits);
    ``row_mapped``/``col_mapped`` are False for an 'ikke kortlagt' municipality.
    """
    rows, cols = _check_axes(rows, cols)
    measure = measure or ("per_10k" if per_10k else "n")
    if measure not in MEASURES:
        raise KeyError(f"Ukendt mål {measure!r}; vælg mellem {', '.join(MEASURES)}")
    stored = (rows, cols) if (rows, cols) in _MATRIX_SQL else (cols, rows)
    df = _run(db, "matrix", sel, rows=rows, cols=cols)
    df = df.assign(col_mapped=True)
    if (rows, cols) != stored:  # the stored file has the other orientation: swap the axes
        df = _transpose(df)
    if measure not in df.columns:
        raise KeyError(f"{DIMENSIONS[rows]} × {DIMENSIONS[cols]} har ikke målet {MEASURES[measure]!r}")
    return df.assign(value=df[measure])


def _transpose(df: pd.DataFrame) -> pd.DataFrame:
    """Swap the rows and columns of a long matrix, keeping display order and the 'mapped' flags."""
    new_rows = {k: i for i, k in enumerate(dict.fromkeys(df["col_key"]))}
    new_cols = {k: i for i, k in enumerate(dict.fromkeys(df["row_key"]))}
    out = df.rename(
        columns={
            "row_key": "col_key",
            "row_label": "col_label",
            "col_key": "row_key",
            "col_label": "row_label",
            "row_mapped": "col_mapped",
            "col_mapped": "row_mapped",
        }
    )
    order = out["row_key"].map(new_rows) * len(new_cols) + out["col_key"].map(new_cols)
    return out.iloc[order.argsort(kind="stable")][list(df.columns)].reset_index(drop=True)


def matrix_items(
    db: Database,
    sel: Selection,
    row_key: str | int,
    col_key: str | int,
    rows: str,
    cols: str,
    limit: int | None = None,
) -> pd.DataFrame:
    """The offers behind one matrix cell (same filters as the matrix), as in the offers list;
    with ``limit`` only the first rows (by name), as many as a page shows."""
    return _run(db, "matrix_items", sel, limit, row_key=row_key, col_key=col_key, rows=rows, cols=cols)


def coverage(db: Database, sel: Selection, *, today: dt.date | None = None) -> pd.DataFrame:
    """Per municipality of the area: records, shares verified / approximate, score and status."""
    return _run(db, "coverage", sel, today=today)


def referral_readiness(db: Database, sel: Selection) -> pd.DataFrame:
    """Offers accepting social referrals per municipality × target group (long form, zeros included).

    Columns as ``matrix`` plus n_offers, n_unknown and share_pct; ``value`` is n.
    """
    df = _run(db, "referral_readiness", sel)
    return df.assign(col_mapped=True, value=df["n"])


def referral_items(
    db: Database, sel: Selection, row_key: str | int, col_key: str, limit: int | None = None
) -> pd.DataFrame:
    """The offers accepting social referrals behind one readiness cell (municipality, target group)."""
    return _run(db, "referral_items", sel, limit, row_key=row_key, col_key=col_key)


def compare_councils(db: Database, sel: Selection, *, today: dt.date | None = None) -> pd.DataFrame:
    """All 17 councils, then per region and nationally, on the same measures (area ignored)."""
    return _run(db, "compare_councils", sel, today=today)


def danish(df: pd.DataFrame) -> pd.DataFrame:
    """Display copy: Danish column headers and level names; unknown columns kept as they are."""
    out = df.copy()
    if "level" in out.columns:
        out["level"] = out["level"].map(LEVELS).fillna(out["level"])
    return out.drop(columns=[c for c in ("area_id", "municipality_code") if c in out.columns]).rename(
        columns=LABELS
    )


def population_loaded(db: Database) -> bool:
    """True when the build has population for at least one municipality (FOLK1A loaded)."""
    return bool(db.scalar("SELECT count(population) > 0 FROM municipalities"))


_MATRIX_COLUMNS = {
    "n": "Tilbud",
    "population": "Folketal",
    "per_10k": "Tilbud pr. 10.000 indbyggere",
    "group_people": "Personer i målgruppen",
    "per_1000_group": "Tilbud pr. 1.000 i målgruppen",
}


def matrix_table(df: pd.DataFrame, rows: str, cols: str) -> pd.DataFrame:
    """A long matrix as a table to export: the two axes by their Danish names, then every measure it has
    (offers, population, per 10,000; for municipality × target group also the people in the group and offers
    per 1,000 of them), 'ikke kortlagt' said in a column of its own."""
    measures = [c for c in _MATRIX_COLUMNS if c in df.columns]
    out = pd.DataFrame({DIMENSIONS[rows]: df["row_label"], DIMENSIONS[cols]: df["col_label"]})
    for c in measures:
        out[_MATRIX_COLUMNS[c]] = df[c].to_numpy()
    mapped = df["row_mapped"].astype(bool) & df["col_mapped"].astype(bool)
    out["Kortlagt"] = mapped.map({True: "ja", False: "nej (ikke kortlagt)"}).to_numpy()
    return out


def need_map(db: Database) -> pd.DataFrame:
    """Each target group (vocabulary order) with the indicator that counts its people, for 'Om data' and Huller:
    target_group, label, indicator_id, indicator (its name), unit (code), counted (how, in Danish), origin
    ('standard' or the coordinator's file). Empty for a build without the mapping (before schema 6)."""
    columns = ["target_group", "label", "indicator_id", "indicator", "unit", "counted", "origin"]
    if not has_need_map(db):
        return pd.DataFrame(columns=columns)
    out = db.query(
        """SELECT n.target_group, v.label, n.indicator_id, m.name AS indicator, m.unit, n.origin
           FROM target_group_need n
           JOIN vocabularies v ON v.vocabulary = 'target_group' AND v.code = n.target_group
           LEFT JOIN indicator_meta m USING (indicator_id)
           ORDER BY v.sort_order, v.label"""
    )
    out["counted"] = out["unit"].map(COUNTED).astype(object).where(out["unit"].notna(), None)
    return out[columns]


COUNTED = {
    "people": "personer, som indikatoren tæller dem",
    "percent": "andel (%) × kommunens folketal / 100",
    "per_1000": "pr. 1.000 × kommunens folketal / 1.000",
}
"""How a target group's people are counted from its indicator's unit (``target_group_people``), in Danish."""


def matrix_summary(df: pd.DataFrame) -> dict[str, int]:
    """Cells, empty cells (0 offers, mapped) and 'ikke kortlagt' rows/columns of a long matrix; the cells
    of 'Tema ikke angivet' count offers without a theme, neither cells of the analysis nor gaps."""
    mapped = (
        df["row_mapped"].astype(bool)
        & df["col_mapped"].astype(bool)
        & (df["row_key"].astype(str) != NO_THEME)
        & (df["col_key"].astype(str) != NO_THEME)
    )
    unmapped_keys = set(df.loc[~df["row_mapped"].astype(bool), "row_key"]) | set(
        df.loc[~df["col_mapped"].astype(bool), "col_key"]
    )
    return {
        "cells": int(mapped.sum()),
        "empty": int(((df["n"] == 0) & mapped).sum()),
        "unmapped": len(unmapped_keys),
    }


def cell_count(df: pd.DataFrame, row_key: str, col_key: str) -> int:
    """The number of offers in one cell of a long matrix (0 when the cell is not in it)."""
    hit = df[(df["row_key"].astype(str) == str(row_key)) & (df["col_key"].astype(str) == str(col_key))]
    return int(hit["n"].iloc[0]) if len(hit) else 0


def cell_labels(df: pd.DataFrame, row_key: str, col_key: str) -> tuple[str, str] | None:
    """Row and column label of a cell of a long matrix, or None when the cell is not in it."""
    hit = df[(df["row_key"].astype(str) == str(row_key)) & (df["col_key"].astype(str) == str(col_key))]
    if hit.empty:
        return None
    return str(hit["row_label"].iloc[0]), str(hit["col_label"].iloc[0])


def coverage_summary(df: pd.DataFrame) -> dict[str, object]:
    """Municipalities, how many 'ikke kortlagt', and the mean score (unmapped as 0) of a coverage frame."""
    unmapped = int((df["status"] == "ikke kortlagt").sum())
    scores = df["score"].astype(float).fillna(0)
    return {
        "municipalities": len(df),
        "unmapped": unmapped,
        # Rounded half up, like SQL: equals the council's score in compare_councils for a council area.
        "mean_score": int(math.floor(float(scores.mean()) + 0.5)) if len(df) else None,
    }
