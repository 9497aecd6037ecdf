"""Build the DuckDB database: validate, place, derive, write, check, then switch.

All or nothing: each build writes a new file under ``data/builds/``, runs the data
checks on it, names it by its content (``civilkort-<sha256>.duckdb``, read-only from then
on), uploads it to the object store if there is one, and only then switches the pointer
(``data/current.txt``, the object store's, or PostgreSQL's ``build_pointer`` row) to it by
compare-and-set.  A failed build deletes its own file and leaves the database that was serving
untouched; a file is never overwritten in place (DuckDB would then serve a mix of old and new pages
without any error).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import shapely

from civilkort import personal, reference
from civilkort.builds import BuildRef, LockTimeout, PointerMoved, prune_local, seal
from civilkort.buildstore import build_locks, build_pointer, note_switched, object_store, prune_store, upload
from civilkort.duplicates import stored_decisions
from civilkort.issues import ISSUE_COLUMNS, InputError, Issue, error
from civilkort.objectstore import ObjectStoreError
from civilkort.schema import OFFERS, ORGANISATIONS, REGIONAL_UNITS, TABLES
from civilkort.settings import Settings, settings
from civilkort.store import Store, StoreError, open_store
from etl import duplicates, locate
from etl import housing as housing_list
from etl.boundaries import Boundaries, simplify_for_display
from etl.clean import LIST_KINDS, CleanInput
from etl.housing import HousingList
from etl.indicators import Indicator, frames
from etl.need_map import Rule
from etl.need_map import frames as need_frames
from etl.proximity import OFFERS_SQL, proximity
from etl.validate import validate

SQL_DIR = Path(__file__).parent / "sql"
SCHEMA_VERSION = "8"
"""2: personal fields are NULL (they live in the store) and has_<field> says whether one is registered.
3: regional units say whether they cover their whole region (is_region_wide, area_municipality_codes, serves).
4: reader tables (out_*, ``sql/out.sql``): per-organisation facts, flattened offers and organisations'
collaborations with themes, target groups and councils as bitmasks, which the radar's SQL reads.
5: need indicators per municipality (``ref_indicators``, ``ref_indicator_meta``; views ``indicators`` and
``indicator_meta``), made by ``etl.indicators``; a build of schema 4 has none (the app reads it as none loaded).
6: which indicator counts each target group's people (``ref_target_group_need``, the coordinator's rules in
``ref_target_group_need_file``; views ``target_group_need``, ``target_group_people``), made by ``etl.need_map``;
7: the ministry's list of vulnerable housing areas (``ref_housing_areas``, ``ref_housing_meta``), made by
``etl.housing``, and each area's nearest active offers by target group (``housing_nearest``, ``housing_counts``),
made by ``etl.proximity``; a build of schema 6 has none (the app reads it as no list loaded).
an older build has none (the gap views then give no figure per 1,000 in the target group)."""
KEEP_BUILDS = 3
"""Builds kept in ``data/builds`` (the current one always, and the newest others)."""
KEEP_STORED_BUILDS = 5
"""Builds kept in the object store (the current one and those snapshots name always, and the newest others)."""
StepCallback = Callable[[str, int, float], None]


class BuildError(Exception):
    """The new database failed a data check; the previous one keeps serving."""


class OutdatedBase(BuildError):
    """Another build started serving while this one was made from the one before; nothing switched."""


_ANY = object()
LOCK_TIMEOUT_S = 300


@dataclass
class Prepared:
    """Validated, placed tables ready to write, with every finding."""

    tables: dict[str, pd.DataFrame]
    vocabularies: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    duplicate_candidates: pd.DataFrame | None = None  # likely duplicates (etl/duplicates.py)

    @property
    def errors(self) -> list[Issue]:
        """Findings that stop a build."""
        return [i for i in self.issues if i.is_error]


@dataclass
class BuildResult:
    """What a build made."""

    path: Path
    counts: dict[str, int]
    issues: list[Issue]
    steps: list[tuple[str, int, float]]


class _Timer:
    """Records (step, rows, seconds) and forwards them to a callback."""

    def __init__(self, on_step: StepCallback | None):
        self.steps: list[tuple[str, int, float]] = []
        self.on_step = on_step
        self.t0 = time.perf_counter()

    def done(self, step: str, rows: int) -> None:
        now = time.perf_counter()
        self.steps.append((step, rows, now - self.t0))
        if self.on_step:
            self.on_step(step, rows, now - self.t0)
        self.t0 = now


def _labels(vocab: pd.DataFrame, name: str) -> dict[str, str]:
    v = vocab[vocab["vocabulary"] == name]
    return dict(zip(v["code"], v["label"]))


def _label_lists(values: pd.Series, labels: dict[str, str]) -> list[list[str]]:
    cache: dict[tuple, list[str]] = {}
    out = []
    for items in values:
        key = tuple(items)
        if key not in cache:
            cache[key] = [labels.get(i, i) for i in items]
        out.append(cache[key])
    return out


def prepare(
    data: CleanInput,
    boundaries: Boundaries | None,
    *,
    on_step: StepCallback | None = None,
    decisions: Sequence[Mapping] = (),
) -> Prepared:
    """Validate and place everything; returns all findings (errors included) without writing.

    ``decisions``: the coordinators' decisions on duplicates (``civilkort.duplicates``), applied
    before validation; the remaining likely duplicates become the table ``duplicate_candidates``.
    """
    timer = _Timer(on_step)
    applied = duplicates.apply_decisions(data, decisions)
    data = applied.data
    issues = list(data.issues)
    tables = data.tables
    issues += validate(data)
    timer.done("valider", sum(len(t) for t in tables.values()))
    if any(i.is_error for i in issues):
        return Prepared(tables, data.vocabularies, issues)
    if boundaries is not None:
        issues += boundaries.issues

    orgs, found = locate.place(tables["organisations"], ORGANISATIONS, boundaries)
    issues += found
    units, found = locate.place(tables["regional_units"], REGIONAL_UNITS, boundaries)
    issues += found
    units, found = locate.belong(units, REGIONAL_UNITS)
    issues += found
    placed_orgs = orgs.dropna(subset=["municipality_code"]).set_index("organisation_id")
    offers, found = locate.place(
        tables["offers"], OFFERS, boundaries, parent=placed_orgs, parent_key="organisation_id"
    )
    issues += found
    offers["has_own_location"] = offers["municipality_method"] != "parent"
    timer.done("placer", len(orgs) + len(units) + len(offers))
    if any(i.is_error for i in issues):
        return Prepared(tables, data.vocabularies, issues)

    vocab = data.vocabularies
    orgs["organisation_type_label"] = orgs["organisation_type"].map(_labels(vocab, "organisation_type"))
    orgs["staffing_label"] = orgs["staffing"].map(_labels(vocab, "staffing"))
    units["unit_type_label"] = units["unit_type"].map(_labels(vocab, "unit_type"))
    offers["status"] = offers["status"].fillna("aktiv")
    offers["status_label"] = offers["status"].map(_labels(vocab, "offer_status"))
    offers["prevention_level_label"] = offers["prevention_level"].map(_labels(vocab, "prevention_level"))
    themes, groups = _labels(vocab, "theme"), _labels(vocab, "target_group")
    offers["theme_labels"] = _label_lists(offers["themes"], themes)
    offers["target_group_labels"] = _label_lists(offers["target_groups"], groups)
    offers["service_municipality_codes"] = locate.expand_areas(
        offers["service_area"], offers["municipality_code"]
    )

    collab = tables["collaborations"].copy()
    collab["theme_labels"] = _label_lists(collab["themes"], themes)
    collab["target_group_labels"] = _label_lists(collab["target_groups"], groups)
    for col, vname in (
        ("form", "collaboration_form"),
        ("kind", "collaboration_kind"),
        ("status", "collaboration_status"),
    ):
        collab[f"{col}_label"] = collab[col].map(_labels(vocab, vname))
    # A collaboration's municipalities: its organisations', its units' (a region-wide unit adds none: it
    # belongs to its region, not to the council of its address) and those it names itself.
    local_units = units[~units["is_region_wide"]]
    unit_mun = local_units.set_index("unit_id")["municipality_code"]
    org_mun = orgs.set_index("organisation_id")["municipality_code"]
    partners = [
        sorted(
            {int(unit_mun[u]) for u in us if u in unit_mun.index and pd.notna(unit_mun[u])}
            | {int(org_mun[o]) for o in os_ if o in org_mun.index and pd.notna(org_mun[o])}
        )
        for us, os_ in zip(collab["unit_ids"], collab["organisation_ids"], strict=True)
    ]
    given = locate.expand_areas(collab["municipalities"], pd.Series(pd.NA, index=collab.index))
    collab["municipality_codes"] = [sorted(set(g) | set(p)) for g, p in zip(given, partners, strict=True)]
    # It is listed under its first unit's municipality; with only region-wide units, its first organisation's.
    first_unit = collab["unit_ids"].map(lambda us: next((u for u in us if u in unit_mun.index), None))
    first_org = collab["organisation_ids"].map(lambda os_: os_[0] if len(os_) else None)
    collab["municipality_code"] = (
        first_unit.map(unit_mun).astype("Int64").fillna(first_org.map(org_mun).astype("Int64"))
    )
    mref = reference.municipalities().set_index("municipality_code")
    collab["council_id"] = collab["municipality_code"].map(mref["council_id"]).astype("string")
    collab["region_id"] = collab["municipality_code"].map(mref["region_id"]).astype("string")
    council_of = mref["council_id"].to_dict()
    collab["council_ids"] = [sorted({council_of[c] for c in codes}) for codes in collab["municipality_codes"]]
    exp = tables["experiences"].copy()
    exp["evaluation_label"] = exp["evaluation"].map(_labels(vocab, "evaluation"))
    timer.done("afled", len(offers) + len(collab))
    candidates = duplicates.find_candidates(
        {"organisations": orgs, "regional_units": units}, hold_apart=applied.hold_apart
    )
    timer.done("dubletter", len(orgs) + len(units))
    return Prepared(
        {
            "organisations": orgs,
            "offers": offers,
            "regional_units": units,
            "collaborations": collab,
            "experiences": exp,
        },
        vocab,
        issues,
        candidates,
    )


_INT_LIST_COLUMNS = frozenset({"service_municipality_codes", "municipality_codes", "area_municipality_codes"})
_TEXT_LIST_COLUMNS = frozenset(
    {f.name for t in TABLES for f in t.fields if f.kind in LIST_KINDS}
    | {"theme_labels", "target_group_labels", "council_ids"}
)


def _to_arrow(df: pd.DataFrame) -> pa.Table:
    """Arrow table with provenance columns renamed and dates as dates.

    Columns Arrow cannot type from their values (no rows, or only empty lists) get their
    declared type, so an input without, say, any collaborations still builds.
    """
    df = df.rename(columns={"_file": "source_file", "_sheet": "source_sheet", "_row": "source_row"})
    dates = set()
    for col in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[col]):
            df[col] = df[col].dt.date
            dates.add(col)
    drop = [c for c in ("municipality", "service_area_raw") if c in df.columns]
    table = pa.Table.from_pandas(df.drop(columns=drop), preserve_index=False)
    for i, f in enumerate(table.schema):
        untyped = pa.types.is_null(f.type) or (
            pa.types.is_list(f.type) and pa.types.is_null(f.type.value_type)
        )
        if f.name in dates:
            target = pa.date32()
        elif f.name in _INT_LIST_COLUMNS:
            target = pa.list_(pa.int64())
        elif f.name in _TEXT_LIST_COLUMNS:
            target = pa.list_(pa.string())
        else:
            target = pa.string()
        if table.num_rows == 0 and f.type != target and target != pa.string():
            # no rows: pandas gave a list column some other type (float64 for an empty comprehension)
            table = table.set_column(i, f.name, pa.array([], type=target))
        elif untyped:
            table = table.set_column(i, f.name, table.column(i).cast(target))
    return table


def _reference_frames(
    vocab: pd.DataFrame,
    population: pd.DataFrame | None,
    indicators: Sequence[Indicator] = (),
    need_map: Sequence[Rule] = (),
) -> dict[str, pd.DataFrame]:
    pop = (
        population
        if population is not None
        else pd.DataFrame(
            {
                "municipality_code": pd.Series(dtype="int64"),
                "population": pd.Series(dtype="int64"),
                "population_period": pd.Series(dtype="string"),
            }
        )
    )
    values, indicator_meta = frames(indicators)
    need, need_file = need_frames(need_map, vocab, indicator_meta)
    return {
        "ref_regions": reference.regions(),
        "ref_councils": reference.councils(),
        "ref_municipalities": reference.municipalities(),
        "ref_postcodes": reference.postcodes(),
        "ref_vocabularies": vocab,
        "ref_population": pop,
        "ref_indicators": values,
        "ref_indicator_meta": indicator_meta,
        "ref_target_group_need": need,
        "ref_target_group_need_file": need_file,
    }


def _geo_frames(boundaries: Boundaries | None) -> dict[str, pd.DataFrame]:
    if boundaries is None:
        return {
            "geo_municipalities": pd.DataFrame(
                {"municipality_code": pd.Series(dtype="int64"), "geojson": pd.Series(dtype="string")}
            ),
            "geo_councils": pd.DataFrame(
                {"council_id": pd.Series(dtype="string"), "geojson": pd.Series(dtype="string")}
            ),
        }
    mun = simplify_for_display(boundaries.municipalities)
    cou = simplify_for_display(boundaries.councils())
    return {
        "geo_municipalities": pd.DataFrame(
            {
                "municipality_code": mun["municipality_code"].astype("int64"),
                "geojson": shapely.to_geojson(mun.geometry.values),
            }
        ),
        "geo_councils": pd.DataFrame(
            {"council_id": cou["council_id"], "geojson": shapely.to_geojson(cou.geometry.values)}
        ),
    }


def _placement_frame(boundaries: Boundaries | None) -> pd.DataFrame:
    """The full municipality shapes used for placement (WKB), so a later rebuild places alike."""
    if boundaries is None:
        return pd.DataFrame({"municipality_code": pd.Series(dtype="int64"), "wkb": pd.Series(dtype="object")})
    m = boundaries.municipalities
    return pd.DataFrame(
        {
            "municipality_code": m["municipality_code"].astype("int64"),
            "wkb": shapely.to_wkb(m.geometry.values),
        }
    )


def _input_frame(df: pd.DataFrame) -> pa.Table:
    """A typed input table as it came out of cleaning, kept so the build can be re-run later."""
    return pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)


def _run_checks(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Run every check in checks.sql; return Danish descriptions of the failures."""
    failures = []
    text = (SQL_DIR / "checks.sql").read_text(encoding="utf-8")
    for block in re.split(r"^-- check:", text, flags=re.MULTILINE)[1:]:
        header, _, query = block.partition("\n")
        name, _, message = (s.strip() for s in header.partition("|"))
        rows = con.execute(
            f"SELECT count(*), any_value(x) FROM ({query.strip().rstrip(';')}) AS x"
        ).fetchone()
        if rows[0]:
            failures.append(f"{message} ({name}: {rows[0]} rækker, fx {rows[1]})")
    return failures


_PERSONAL_COLUMNS = frozenset(
    {f.name for t in TABLES for f in t.fields if f.is_personal}
    | {f.header for t in TABLES for f in t.fields if f.is_personal}
)


def _without_personal(issue: Issue) -> Issue:
    """A finding about a personal field without its value (the build is public; the value stays in the file)."""
    if issue.column not in _PERSONAL_COLUMNS or not issue.value:
        return issue
    return dataclasses.replace(
        issue, message=issue.message.replace(issue.value, "…"), value="(personoplysning, udeladt)"
    )


def write_database(
    prepared: Prepared,
    path: Path,
    *,
    boundaries: Boundaries | None,
    meta: dict[str, str],
    population: pd.DataFrame | None = None,
    indicators: Sequence[Indicator] = (),
    need_map: Sequence[Rule] = (),
    housing: HousingList | None = None,
    inputs: dict[str, pd.DataFrame] | None = None,
    timer: _Timer | None = None,
    previous: Path | None = None,
) -> dict[str, int]:
    """Write every table and view to a NEW file at ``path`` and check it; returns row counts.

    Personal fields are written empty (NULL), in the public tables and the kept inputs alike: they go to the
    store (:mod:`civilkort.personal`).  ``previous``: the build this one replaces, whose records' times of
    change carry over to the records that did not change (``sql/modified.sql``)."""
    if path.exists():
        raise FileExistsError(path)
    con = duckdb.connect(str(path))
    try:
        frames_in = {
            **_reference_frames(prepared.vocabularies, population, indicators, need_map),
            **housing_list.frames(housing),
        }
        for name, df in frames_in.items():
            con.register("_df", df)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM _df")
            con.unregister("_df")
        for name, df in _geo_frames(boundaries).items():
            con.register("_df", df)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM _df")
            con.unregister("_df")
        con.register("_df", _placement_frame(boundaries))
        con.execute("CREATE TABLE geo_placement AS SELECT * FROM _df")
        con.unregister("_df")
        for name, df in (inputs or {}).items():  # personal fields live in the store (civilkort.personal)
            con.register("_arrow", _input_frame(personal.public(df, name)))
            con.execute(f"CREATE TABLE input_{name} AS SELECT * FROM _arrow")
            con.unregister("_arrow")
        counts = {}
        for name, df in prepared.tables.items():
            con.register("_arrow", _to_arrow(personal.public(df, name, flags=True)))
            con.execute(
                f"CREATE TABLE core_{name} AS SELECT *, $ex AS is_example FROM _arrow",
                {"ex": meta.get("is_example") == "true"},
            )
            con.unregister("_arrow")
            counts[name] = len(df)
        candidates = prepared.duplicate_candidates
        con.register("_arrow", _to_arrow(duplicates.empty_candidates() if candidates is None else candidates))
        con.execute("CREATE TABLE core_duplicate_candidates AS SELECT * FROM _arrow")
        con.unregister("_arrow")
        issues = pd.DataFrame(
            [_without_personal(i).as_dict() for i in prepared.issues], columns=ISSUE_COLUMNS
        ).astype({"row": "Int64"})
        con.register("_df", issues)
        con.execute("CREATE TABLE meta_quality_issues AS SELECT * FROM _df")
        con.unregister("_df")
        meta = {
            **meta,
            "schema_version": SCHEMA_VERSION,
            "boundaries_loaded": str(boundaries is not None).lower(),
        }
        con.execute("CREATE TABLE meta_build (key VARCHAR PRIMARY KEY, value VARCHAR)")
        con.executemany("INSERT INTO meta_build VALUES (?, ?)", list(meta.items()))
        con.execute((SQL_DIR / "views.sql").read_text(encoding="utf-8"))
        if timer:
            timer.done("skriv database", sum(counts.values()))
        con.execute((SQL_DIR / "out.sql").read_text(encoding="utf-8"))
        if timer:
            timer.done("læsetabeller", counts.get("offers", 0) + counts.get("organisations", 0))
        _write_modified(con, previous, meta.get("built_at") or dt.datetime.now(dt.UTC).isoformat())
        _write_proximity(con, housing)
        if timer and housing is not None:
            timer.done("nærmeste tilbud ved boligområder", len(housing.areas))
        failures = _run_checks(con)
        if failures:
            raise BuildError("Den nye database bestod ikke datatjekket: " + "; ".join(failures))
        con.execute("CHECKPOINT")
        if timer:
            timer.done("datatjek", sum(counts.values()))
        return counts
    finally:
        con.close()


def _write_proximity(con: duckdb.DuckDBPyConnection, housing: HousingList | None) -> None:
    """housing_nearest and housing_counts: each listed area's nearest active offers by target group."""
    groups = [
        r[0]
        for r in con.execute(
            "SELECT code FROM ref_vocabularies WHERE vocabulary = 'target_group' ORDER BY code"
        ).fetchall()
    ]
    areas = housing.areas if housing is not None else housing_list.frames(None)["ref_housing_areas"]
    nearest, counts = proximity(areas, con.execute(OFFERS_SQL).df(), groups)
    for name, df in (("housing_nearest", nearest), ("housing_counts", counts)):
        con.register("_df", df)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM _df")
        con.unregister("_df")


def _write_modified(con: duckdb.DuckDBPyConnection, previous: Path | None, built_at: str) -> None:
    """out_modified: when each record last changed, carried over from ``previous`` (see sql/modified.sql).

    A previous build that cannot be read here (gone, another machine's, older than out_modified) counts as
    none: every record then gets this build's time, which a syncing client only fetches once too many."""
    attached = False
    if previous is not None and previous.exists():
        try:
            con.execute("ATTACH ? AS previous (READ_ONLY)", [str(previous)])
            attached = True
        except duckdb.Error as exc:
            logging.getLogger(__name__).warning(
                "Forrige database %s kunne ikke åbnes til ændringstider: %s", previous, exc
            )
    has_times = attached and bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = 'previous' AND table_name = 'out_modified'"
        ).fetchone()[0]
    )
    if has_times:
        con.execute("CREATE TEMP VIEW previous_modified AS SELECT * FROM previous.out_modified")
    else:
        con.execute(
            "CREATE TEMP TABLE previous_modified "
            "(entity VARCHAR, record_id VARCHAR, row_hash VARCHAR, modified_at TIMESTAMPTZ)"
        )
    con.execute((SQL_DIR / "modified.sql").read_text(encoding="utf-8"), {"built_at": built_at})
    con.execute("DROP VIEW IF EXISTS previous_modified" if has_times else "DROP TABLE previous_modified")
    if attached:
        con.execute("DETACH previous")


def current_pointer_target(cfg: Settings) -> Path | None:
    """The database file the pointer names now, if any (in this machine's builds folder)."""
    ref = build_pointer(cfg).current()
    return cfg.builds_dir / ref.name if ref is not None else None


def prune(cfg: Settings, keep: int = KEEP_BUILDS) -> None:
    """Delete all but the newest ``keep`` local builds, never the current one."""
    current = build_pointer(cfg).current()
    prune_local(cfg.builds_dir, keep=keep, current=current.name if current else None)


def _snapshot_builds(cfg: Settings) -> set[str]:
    """Build files that snapshots name (they are kept in the object store)."""
    if not cfg.store_is_shared and not cfg.store_path.exists():
        return set()
    from civilkort.store import open_store

    return {str(r["file"]) for r in open_store(cfg).rows("SELECT file FROM snapshots")}


def _prune_store(cfg: Settings, current: BuildRef) -> None:
    store = object_store(cfg)
    if store is None:
        return
    try:
        prune_store(store, keep=KEEP_STORED_BUILDS, current=current.name, protect=_snapshot_builds(cfg))
    except ObjectStoreError as exc:  # the build is done and served; old objects wait for the next build
        logging.getLogger("civilkort.builds").warning(
            "Gamle databaser i objektlageret blev ikke ryddet: %s", exc
        )


def build(
    data: CleanInput,
    *,
    boundaries: Boundaries | None = None,
    population: pd.DataFrame | None = None,
    indicators: Sequence[Indicator] = (),
    need_map: Sequence[Rule] = (),
    housing: HousingList | None = None,
    meta: dict[str, str] | None = None,
    cfg: Settings | None = None,
    on_step: StepCallback | None = None,
    based_on: Path | None | object = _ANY,
    actor: str = "",
    guard: Callable[[Prepared], None] | None = None,
) -> BuildResult:
    """Validate, place and write a new database, then switch to it. Raises InputError or BuildError.

    ``guard`` sees the validated and placed tables before anything is written and may refuse by raising
    (e.g. PermissionDenied for records outside the caller's councils, see etl.scope).

    ``based_on``: the database this build was made from (e.g. the app's rebuild with workshop
    entries or an upload laid over the serving data).  If another build has started serving since,
    this one does not switch (OutdatedBase), so one coordinator never silently undoes another's
    changes.  Checking and switching happen under the build lock (:func:`civilkort.buildstore.build_locks`:
    with PostgreSQL an advisory lock for the whole service) and the switch itself is a compare-and-set on the
    pointer (with PostgreSQL the store's audited ``build_pointer`` row).  The finished file is named by its
    content; with an object store it is uploaded before the pointer is switched.  ``actor``: who asked (recorded).
    """
    cfg = cfg or settings()
    decided, decided_version = stored_decisions(cfg)
    prepared = prepare(data, boundaries, on_step=on_step, decisions=decided)
    if prepared.errors:
        raise InputError(prepared.issues)
    if guard is not None:
        guard(prepared)
    if not any(len(prepared.tables.get(t.name, ())) for t in TABLES):
        raise InputError(
            [
                error(
                    "Ingen rækker med data: der er overskrifter, men ingen rækker under dem",
                    file=(meta or {}).get("inputs", ""),
                    hint="Udfyld mindst én række under overskrifterne. En tom indlæsning ville tømme kortet, "
                    "så den hidtidige database bruges fortsat.",
                )
            ]
        )
    cfg.builds_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    path = cfg.builds_dir / f".building-{stamp}-{uuid.uuid4().hex[:8]}.duckdb"
    timer = _Timer(on_step)
    full_meta = {
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "boundaries_source": boundaries.source if boundaries is not None else "",
        "boundaries_credit": boundaries.credit if boundaries is not None else "",
        "boundaries_kind": boundaries.kind if boundaries is not None else "",
        "is_example": "false",
        **(meta or {}),
        "duplicate_decisions_version": str(decided_version),
    }
    personal_rows = personal.collect("", inputs=data.tables, built=prepared.tables)
    full_meta[personal.META_KEY] = f"store sha256:{personal.digest(personal_rows)}"
    records = open_store(cfg)
    sealed: Path | None = None
    saved: str | None = None
    try:
        counts = write_database(
            prepared,
            path,
            boundaries=boundaries,
            meta=full_meta,
            population=population,
            indicators=indicators,
            need_map=need_map,
            housing=housing,
            inputs=data.tables,
            timer=timer,
            previous=_resolved(cfg, based_on) if based_on is not _ANY else current_pointer_target(cfg),
        )
        ref, is_new = seal(path, built_at=full_meta["built_at"])
        sealed = cfg.builds_dir / ref.name if is_new else None
        saved = ref.name if is_new else None
        personal.save(records, ref.name, [(ref.name, *r[1:]) for r in personal_rows])
        timer.done("persondata i lageret", len(personal_rows))
        store = object_store(cfg)
        if store is not None:
            upload(store, cfg.builds_dir / ref.name, ref)
        pointer = build_pointer(cfg)
        with build_locks(cfg).exclusive("build", LOCK_TIMEOUT_S):
            current = pointer.current()
            if based_on is not _ANY and _resolved(cfg, current) != _resolved(cfg, based_on):
                raise OutdatedBase(OUTDATED_MESSAGE)
            pointer.switch(ref, expect=current, actor=actor)
    except PointerMoved as exc:
        _remove(path, sealed, records, saved)
        raise OutdatedBase(OUTDATED_MESSAGE) from exc
    except (LockTimeout, ObjectStoreError, StoreError) as exc:  # StoreError: e.g. PostgreSQL out of reach
        _remove(path, sealed, records, saved)
        raise BuildError(str(exc)) from exc
    except BaseException:
        _remove(path, sealed, records, saved)
        raise
    served = cfg.builds_dir / ref.name
    if store is not None or cfg.store_is_shared:
        note_switched(cfg, served)
    prune(cfg)
    _prune_store(cfg, ref)
    personal.prune(records, protect={ref.name}, keep=KEEP_STORED_BUILDS)
    return BuildResult(served, counts, prepared.issues, timer.steps)


OUTDATED_MESSAGE = (
    "Data er blevet bygget igen imens (fx af en anden koordinator), så denne opbygning er "
    "ikke taget i brug. Prøv igen: den bygger så videre på de nyeste data."
)


def _remove(path: Path, sealed: Path | None, records: Store, saved: str | None) -> None:
    """Delete a build that was not switched to (the file being written, or the sealed new one) and the
    personal fields written for it."""
    if saved is not None:
        personal.forget(records, [saved])
    for p in (path, sealed):
        if p is not None:
            p.unlink(missing_ok=True)
            Path(f"{p}.wal").unlink(missing_ok=True)


def _resolved(cfg: Settings, base: BuildRef | Path | None | object) -> Path | None:
    """The local path a pointer entry or a based-on path names, for comparing the two."""
    if isinstance(base, BuildRef):
        return (cfg.builds_dir / base.name).resolve()
    return Path(base).resolve() if isinstance(base, (str, Path)) else None
