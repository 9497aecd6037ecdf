"""A build holds no personal fields; the store keeps them per build, rebuilds keep them, and only the
coordinators of a record's council see them (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from civilkort import auth, personal
from civilkort.auth import PermissionDenied, Principal
from civilkort.db import Database, current_path
from civilkort.settings import Settings
from civilkort.store import Store
from etl.build import OutdatedBase, build
from etl.rebuild import PersonalDataMissing, current_inputs, rebuild
from tests.conftest import PROJECT_ROOT, clean_input, typed_rows

MARKS = ("Persontest", "persondata-", "Tovholdertest")
"""Every personal value below contains one of these, and nothing else in the example data does."""


def _marked(example_tables) -> dict[str, pd.DataFrame]:
    """The example data with a distinctive contact person, mailbox and tovholder on most records."""
    tables = {k: v.copy() for k, v in example_tables.items()}
    orgs = tables["organisations"]
    ids = orgs["organisation_id"].astype(str)
    keep = pd.Series(range(len(orgs)), index=orgs.index) % 5 != 0  # some records without any
    orgs["contact_person"] = pd.Series(
        [f"Persontest {i}" if k else None for i, k in zip(ids, keep)], index=orgs.index, dtype="string"
    )
    orgs["email"] = pd.Series(
        [f"persondata-{i.lower()}@example.dk" if k else None for i, k in zip(ids, keep)],
        index=orgs.index,
        dtype="string",
    )
    collab = tables["collaborations"]
    collab["tovholder"] = pd.Series(
        [f"Tovholdertest {i}" if n % 3 else None for n, i in enumerate(collab["collaboration_id"])],
        index=collab.index,
        dtype="string",
    )
    return tables


@pytest.fixture
def cfg(store_url, tmp_path, monkeypatch, example_tables, tiny_boundaries):
    """A data folder with one build of the marked example data, its store on each backend (store_url)."""
    url = store_url
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CIVILKORT_DATABASE_URL", url)
    cfg = Settings(data_dir=tmp_path, static_dir=PROJECT_ROOT / "static", database_url=url)
    build(clean_input(_marked(example_tables)), boundaries=tiny_boundaries, cfg=cfg)
    return cfg


@pytest.fixture
def store(cfg):
    opened = Store(cfg.store_url)
    yield opened
    opened.close()


def _personal_values(tables) -> set[str]:
    return {
        str(v) for name, fields in personal.PERSONAL.items() for f in fields for v in tables[name][f].dropna()
    }


def _stored(store, build_name, layer, table) -> dict[str, dict]:
    rows = store.rows(
        "SELECT record_id, fields FROM personal_fields WHERE build = ? AND layer = ? AND entity = ?",
        (build_name, layer, table),
    )
    return {r["record_id"]: json.loads(r["fields"]) for r in rows}


def test_a_built_file_holds_none_of_the_personal_values(cfg, example_tables):
    values = _personal_values(_marked(example_tables))
    assert len(values) > 100
    path = current_path(cfg)
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = []
        tables = con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        assert {"core_organisations", "input_organisations", "core_collaborations"} <= {t for (t,) in tables}
        for (table,) in tables:
            for (column,) in con.execute(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ?", [table]
            ).fetchall():
                cells = con.execute(f'SELECT DISTINCT CAST("{column}" AS VARCHAR) FROM "{table}"').fetchall()
                for (cell,) in cells:
                    if cell is not None and (cell in values or any(m in cell for m in MARKS)):
                        found.append((table, column, cell))
    finally:
        con.close()
    assert found == []
    raw = path.read_bytes()
    assert not any(m.encode() in raw for m in MARKS)


def test_the_store_keeps_them_per_build_and_record(cfg, store, example_tables):
    marked = _marked(example_tables)
    name = current_path(cfg).name
    assert personal.is_stored(store, name)
    orgs = marked["organisations"].dropna(subset=["contact_person"])
    built = _stored(store, name, personal.BUILT, "organisations")
    assert {i: v["contact_person"] for i, v in built.items()} == dict(
        zip(orgs["organisation_id"], orgs["contact_person"])
    )
    inputs = _stored(store, name, personal.INPUT, "collaborations")
    with_tovholder = marked["collaborations"].dropna(subset=["tovholder"])
    assert {i: v["tovholder"] for i, v in inputs.items()} == dict(
        zip(with_tovholder["collaboration_id"], with_tovholder["tovholder"])
    )
    db = Database(current_path(cfg))
    try:  # the radar still knows which collaborations lack a tovholder
        has = db.query("SELECT collaboration_id, has_tovholder FROM collaborations")
    finally:
        db.close()
    assert set(has.loc[has["has_tovholder"], "collaboration_id"]) == set(with_tovholder["collaboration_id"])


def test_a_rebuild_with_an_unrelated_change_keeps_them(cfg, store, example_tables):
    marked = _marked(example_tables)
    first = current_path(cfg).name
    orgs = marked["organisations"]
    row = orgs[orgs["contact_person"].isna()].iloc[0].to_dict()
    renamed = typed_rows(orgs, [{**row, "name": "Omdøbt uden persondata"}], "Organisationer")
    rebuild({"organisations": renamed}, principal=auth.operator(), cfg=cfg)
    second = current_path(cfg).name
    assert second != first
    for layer in (personal.BUILT, personal.INPUT):
        for table in personal.PERSONAL:
            assert _stored(store, second, layer, table) == _stored(store, first, layer, table) != {}
    db = Database(current_path(cfg))
    try:
        data = current_inputs(db, cfg=cfg)
    finally:
        db.close()
    got = data.tables["organisations"].set_index("organisation_id")["contact_person"]
    want = orgs.set_index("organisation_id")["contact_person"]
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_dtype=False)


def test_a_rebuild_refuses_when_the_store_lost_them(cfg, store):
    store.bulk([("DELETE FROM personal_builds", [])])
    with pytest.raises(PersonalDataMissing, match="Personoplysningerne"):
        rebuild(principal=auth.operator(), cfg=cfg)


def test_a_build_that_is_not_switched_to_leaves_no_rows(cfg, store, example_tables, tiny_boundaries):
    before = {r["build"] for r in store.rows("SELECT build FROM personal_builds")}
    changed = _marked(example_tables)
    changed["organisations"].loc[0, "contact_person"] = "Persontest ændret"
    with pytest.raises(OutdatedBase):
        build(clean_input(changed), boundaries=tiny_boundaries, cfg=cfg, based_on=cfg.data_dir / "no.duckdb")
    assert {r["build"] for r in store.rows("SELECT build FROM personal_builds")} == before


def test_only_the_newest_builds_keep_them(cfg, store):
    for _ in range(personal.KEEP_BUILDS + 1):
        rebuild(principal=auth.operator(), cfg=cfg)
    kept = {r["build"] for r in store.rows("SELECT build FROM personal_builds")}
    assert len(kept) == personal.KEEP_BUILDS
    assert current_path(cfg).name in kept
    assert {r["build"] for r in store.rows("SELECT DISTINCT build FROM personal_fields")} <= kept


def _councils(cfg):
    db = Database(current_path(cfg))
    try:
        return db.query("SELECT organisation_id, council_id FROM organisations WHERE has_contact_person")
    finally:
        db.close()


def test_coordinators_see_only_their_councils_records(cfg, store):
    orgs = _councils(cfg)
    council = orgs["council_id"].value_counts().index[0]
    name = current_path(cfg).name
    mine = personal.personal_fields(
        store, Principal("K", councils=frozenset({council})), name, "organisations"
    )
    assert set(mine.index) == set(orgs.loc[orgs["council_id"] == council, "organisation_id"])
    assert mine["contact_person"].str.startswith("Persontest").all()
    everyone = personal.personal_fields(store, auth.operator(), name, "organisations")
    assert set(everyone.index) == set(orgs["organisation_id"])
    other = orgs.loc[orgs["council_id"] != council, "organisation_id"].head(3).tolist()
    asked = personal.personal_fields(
        store, Principal("K", councils=frozenset({council})), name, "organisations", other
    )
    assert asked.empty
    for nobody in (auth.ANONYMOUS, Principal("Deltager", roles=frozenset({auth.PARTICIPANT}))):
        with pytest.raises(PermissionDenied):
            personal.personal_fields(store, nobody, name, "organisations")


def test_fill_fills_a_list_for_the_rows_the_coordinator_may_see(cfg, store):
    orgs = _councils(cfg)
    council = orgs["council_id"].iloc[0]
    listed = orgs.assign(email=pd.NA, contact_person=pd.NA, name="x")
    filled = personal.fill(
        store, Principal("K", councils=frozenset({council})), current_path(cfg).name, listed
    )
    mine = filled["council_id"] == council
    assert filled.loc[mine, "email"].str.startswith("persondata-").all()
    assert filled.loc[~mine, "email"].isna().all()
    assert filled.loc[~mine, "contact_person"].isna().all()
