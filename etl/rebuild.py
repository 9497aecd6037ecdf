"""Re-run the build that is serving now, optionally with rows added or replaced.

Every build keeps its typed inputs (``input_*`` tables), the vocabularies in force, the
population, the need indicators with the coordinator's mapping of target groups to them, the list of vulnerable
housing areas, and the full municipality shapes it placed points with.  So the app can fold in
what a workshop added, or what a coordinator uploaded, without the original files: it reads
them back from the database that is serving, changes what it was asked to, and builds a new
file the usual all-or-nothing way.  The database that was serving keeps serving on any error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from civilkort import auth, personal
from civilkort.auth import Principal
from civilkort.db import Database, current_path
from civilkort.schema import TABLES_BY_NAME
from civilkort.settings import Settings, settings
from civilkort.store import open_store
from etl import scope
from etl.boundaries import Boundaries
from etl.build import BuildResult, Prepared, StepCallback, build
from etl.clean import KIND_DTYPES, LIST_KINDS, CleanInput, empty_column, empty_table
from etl.diff import REPLACE, UPDATE, diff
from etl.housing import HousingList
from etl.housing import from_frames as housing_from_frames
from etl.indicators import Indicator, from_frames
from etl.need_map import Rule, from_frame
from etl.read import PROVENANCE

DATA_TABLES = ("organisations", "offers", "regional_units", "collaborations", "experiences")
_PROVENANCE_DTYPES = {"_file": "string", "_sheet": "string", "_row": "Int64"}


class NothingToRebuild(Exception):
    """There is no database serving, or it was built before inputs were kept."""


class PersonalDataMissing(NothingToRebuild, personal.PersonalDataMissing):
    """The serving build's personal fields are not in the store, so a rebuild would lose them."""


def _typed(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Give a table read back from DuckDB the dtypes cleaning produces (lists as Python lists)."""
    table = TABLES_BY_NAME[name]
    out = empty_table(name) if df.empty else pd.DataFrame(index=df.index)
    if df.empty:
        return out
    for f in table.fields:
        if f.name not in df.columns:  # a partial row: the field is empty
            out[f.name] = empty_column(f.kind, len(df)).set_axis(df.index)
            continue
        col = df[f.name]
        if f.kind in LIST_KINDS:
            out[f.name] = [
                list(v) if isinstance(v, (list, tuple, np.ndarray)) else []
                for v in col.to_numpy(dtype=object)
            ]
        elif KIND_DTYPES[f.kind].startswith("datetime"):
            out[f.name] = pd.to_datetime(col).astype(KIND_DTYPES[f.kind])
        else:
            out[f.name] = col.astype(KIND_DTYPES[f.kind])
    for col in PROVENANCE:
        out[col] = df[col].astype(_PROVENANCE_DTYPES[col]) if col in df.columns else pd.NA
    return out


def current_inputs(db: Database, *, cfg: Settings | None = None, with_personal: bool = True) -> CleanInput:
    """The typed inputs the serving database was built from, with their personal fields back from the store
    (:func:`civilkort.personal.fill_inputs`; unless ``with_personal`` is False).

    A build made before personal fields moved to the store still holds them in its file, and keeps them.
    Raises PersonalDataMissing (a NothingToRebuild) when the store lacks them, as a rebuild would lose them."""
    present = set(db.query("SELECT table_name FROM duckdb_tables()")["table_name"])
    if not {f"input_{n}" for n in DATA_TABLES} <= present:
        raise NothingToRebuild(
            "Databasen er bygget med en ældre version uden gemte inddata; byg den igen fra filerne."
        )
    tables = {n: _typed(n, db.query(f"SELECT * FROM input_{n}")) for n in DATA_TABLES}
    if with_personal and db.meta().get(personal.META_KEY, "").startswith("store"):
        try:
            tables = personal.fill_inputs(open_store(cfg), personal.build_name(db.path), tables)
        except personal.PersonalDataMissing as exc:
            raise PersonalDataMissing(str(exc)) from None
    vocab = db.query(
        "SELECT vocabulary, code, label, description, sort_order, is_builtin FROM ref_vocabularies"
    )
    return CleanInput(tables=tables, vocabularies=vocab, issues=[])


def input_rows(db: Database, name: str, ids: Sequence[str]) -> pd.DataFrame:
    """The kept input rows of table ``name`` whose id is in ``ids``, typed as cleaning made them (public fields
    only: personal ones are empty in a build). For readers of a few records at a time (the HSDS API)."""
    key = TABLES_BY_NAME[name].id_field.name
    rows = db.query(f"SELECT * FROM input_{name} WHERE {key} = ANY($ids)", {"ids": list(ids)})
    return _typed(name, rows)


def stored_boundaries(db: Database) -> Boundaries | None:
    """The municipality shapes the serving build placed points with, or None if it had none."""
    geo = db.query("SELECT municipality_code, wkb FROM geo_placement")
    if geo.empty:
        return None
    meta = db.meta()
    shapes = gpd.GeoDataFrame(
        {"municipality_code": geo["municipality_code"].astype("int64")},
        geometry=shapely.from_wkb([bytes(b) for b in geo["wkb"]]),
        crs="EPSG:4326",
    )
    return Boundaries(shapes, meta.get("boundaries_source", ""), kind=meta.get("boundaries_kind") or "ukendt")


def stored_population(db: Database) -> pd.DataFrame | None:
    """The population table of the serving build, or None if none was loaded."""
    pop = db.query("SELECT * FROM ref_population")
    return None if pop.empty else pop


def stored_indicators(db: Database) -> list[Indicator]:
    """The need indicators of the serving build (none for a build made before they were kept, schema 4)."""
    present = set(db.query("SELECT table_name FROM duckdb_tables()")["table_name"])
    if "ref_indicator_meta" not in present:
        return []
    return from_frames(db.query("SELECT * FROM ref_indicators"), db.query("SELECT * FROM ref_indicator_meta"))


def stored_need_map(db: Database) -> list[Rule]:
    """The coordinator's target group → indicator rules of the serving build (none before schema 6: defaults)."""
    present = set(db.query("SELECT table_name FROM duckdb_tables()")["table_name"])
    if "ref_target_group_need_file" not in present:
        return []
    return from_frame(db.query("SELECT * FROM ref_target_group_need_file"))


def stored_housing(db: Database) -> HousingList | None:
    """The list of vulnerable housing areas the serving build holds (none before schema 7, or none loaded)."""
    present = set(db.query("SELECT table_name FROM duckdb_tables()")["table_name"])
    if "ref_housing_meta" not in present:
        return None
    return housing_from_frames(
        db.query("SELECT * FROM ref_housing_areas ORDER BY source_row"),
        db.query("SELECT * FROM ref_housing_meta"),
    )


def with_changes(
    data: CleanInput, changes: Mapping[str, pd.DataFrame], *, replace: bool = False
) -> CleanInput:
    """Add rows to the inputs, replacing rows with the same id (or whole tables with ``replace``)."""
    tables = dict(data.tables)
    for name, new in changes.items():
        key = TABLES_BY_NAME[name].fields[0].name
        new = _typed(name, new.reset_index(drop=True))
        if replace:
            tables[name] = new
            continue
        old = tables[name]
        kept = old[~old[key].isin(set(new[key].dropna()))]
        tables[name] = pd.concat([kept, new], ignore_index=True) if len(kept) else new
    return CleanInput(tables=tables, vocabularies=data.vocabularies, issues=list(data.issues))


def rebuild(
    changes: Mapping[str, pd.DataFrame] | None = None,
    *,
    principal: Principal,
    note: str = "",
    replace: bool = False,
    cfg: Settings | None = None,
    on_step: StepCallback | None = None,
) -> BuildResult:
    """Build anew from the serving database's inputs plus ``changes``; raises InputError, BuildError or
    PermissionDenied.

    Rebuilding needs a coordinator; the records ``changes`` add, change or remove must all belong to
    councils the caller coordinates (checked on the placed rows before anything is written, see
    etl.scope).  A rebuild without changes only re-applies what was checked when it was decided (the
    duplicate decisions), so any coordinator may start it.
    """
    auth.require(principal, auth.COORDINATOR)
    cfg = cfg or settings()
    path = current_path(cfg)
    if path is None:
        raise NothingToRebuild("Der er ingen database at bygge videre på.")
    db = Database(path)
    try:
        current = current_inputs(db, cfg=cfg)
        before = scope.serving_councils(db) if changes else {}
        data = with_changes(current, changes or {}, replace=replace)
        bounds, population, meta = stored_boundaries(db), stored_population(db), db.meta()
        indicators, need_map, housing = stored_indicators(db), stored_need_map(db), stored_housing(db)
    finally:
        db.close()
    guard = None
    if changes:
        typed = {n: _typed(n, df.reset_index(drop=True)) for n, df in changes.items()}
        change = diff(current.tables, typed, REPLACE if replace else UPDATE)

        def guard(prepared: Prepared) -> None:
            after = scope.prepared_councils(prepared.tables)
            scope.refuse_outside(principal, scope.touched(change, before, after), what="Ændringen")

    keep = {k: v for k, v in meta.items() if k.startswith("example_") or k in ("is_example", "inputs")}
    if note:
        keep["inputs"] = f"{keep.get('inputs', '')}; {note}".strip("; ")
    return build(
        data,
        boundaries=bounds,
        population=population,
        indicators=indicators,
        need_map=need_map,
        housing=housing,
        meta=keep,
        cfg=cfg,
        on_step=on_step,
        based_on=path,
        actor=principal.actor,
        guard=guard,
    )
