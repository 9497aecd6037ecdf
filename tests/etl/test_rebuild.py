"""Re-running the serving build from its stored inputs (what workshop review and upload use)."""

import pandas as pd
import pytest

from civilkort import auth
from civilkort.db import Database, current_path
from civilkort.issues import InputError
from civilkort.settings import Settings
from etl.build import build
from etl.rebuild import NothingToRebuild, current_inputs, rebuild
from tests.conftest import PROJECT_ROOT, clean_input, typed_rows

CORE = ("organisations", "offers", "regional_units", "collaborations", "experiences")


@pytest.fixture
def cfg(tmp_path, example_tables, tiny_boundaries, monkeypatch):
    """A data folder holding one build of the small example data."""
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(tmp_path))
    cfg = Settings(data_dir=tmp_path, static_dir=PROJECT_ROOT / "static")
    build(clean_input(example_tables), boundaries=tiny_boundaries, meta={"is_example": "true"}, cfg=cfg)
    return cfg


def _core(cfg, name):
    db = Database(current_path(cfg))
    try:
        df = db.query(f"SELECT * EXCLUDE (source_file, source_sheet, source_row) FROM core_{name}")
        key = df.columns[0]
        return df.sort_values(key).reset_index(drop=True), db.meta()
    finally:
        db.close()


def test_rebuild_without_changes_gives_the_same_tables(cfg):
    before = {n: _core(cfg, n)[0] for n in CORE}
    first = current_path(cfg)
    rebuild(principal=auth.operator(), cfg=cfg)
    assert current_path(cfg) != first
    for name in CORE:
        after, meta = _core(cfg, name)
        pd.testing.assert_frame_equal(after, before[name], check_dtype=False, obj=name)
    assert meta["is_example"] == "true"
    assert meta["boundaries_source"] == "syntetisk-test"


def test_inputs_read_back_have_the_cleaned_dtypes(cfg, example_tables):
    db = Database(current_path(cfg))
    try:
        data = current_inputs(db)
    finally:
        db.close()
    for name in CORE:
        got, want = data.tables[name], clean_input(example_tables).tables[name]
        assert len(got) == len(want)
        for col in want.columns:
            if col in got.columns and not col.startswith("_"):
                assert str(got[col].dtype) == str(want[col].dtype), (name, col)


def test_rebuild_adds_and_replaces_rows_by_id(cfg, example_tables):
    orgs = example_tables["organisations"]
    first = orgs.iloc[0]
    new = typed_rows(
        orgs,
        [
            {**first.to_dict(), "organisation_id": "WS-1", "name": "Ny forening fra workshop"},
            {**first.to_dict(), "name": "Omdøbt forening"},
        ],
        "Organisationer",
    )
    rebuild({"organisations": new}, note="workshop", principal=auth.operator(), cfg=cfg)
    after, meta = _core(cfg, "organisations")
    assert len(after) == len(orgs) + 1
    names = dict(zip(after["organisation_id"], after["name"]))
    assert names["WS-1"] == "Ny forening fra workshop"
    assert names[first["organisation_id"]] == "Omdøbt forening"
    assert meta["inputs"].endswith("workshop")


def test_a_bad_change_keeps_the_serving_database(cfg, example_tables):
    offers = example_tables["offers"]
    bad = typed_rows(
        offers, [{**offers.iloc[0].to_dict(), "offer_id": "X-1", "organisation_id": "FINDES-IKKE"}], "Tilbud"
    )
    serving = current_path(cfg)
    with pytest.raises(InputError):
        rebuild({"offers": bad}, principal=auth.operator(), cfg=cfg)
    assert current_path(cfg) == serving


def test_no_database_to_rebuild(tmp_path):
    with pytest.raises(NothingToRebuild):
        rebuild(principal=auth.operator(), cfg=Settings(data_dir=tmp_path, static_dir=tmp_path))


def test_partial_rows_leave_missing_fields_empty(cfg, example_tables):
    first = example_tables["organisations"].iloc[0]
    partial = pd.DataFrame(
        [
            {
                "organisation_id": "WS-2",
                "name": "Kun navn og sted",
                "organisation_type": first["organisation_type"],
                "municipality": 751,
                "_file": "workshop: test",
                "_sheet": "organisation",
                "_row": 1,
            }
        ]
    )
    rebuild({"organisations": partial}, principal=auth.operator(), cfg=cfg)
    after, _ = _core(cfg, "organisations")
    row = after.set_index("organisation_id").loc["WS-2"]
    assert row["name"] == "Kun navn og sted" and pd.isna(row["cvr"]) and row["municipality_code"] == 751


def test_a_build_made_from_an_older_database_does_not_switch(cfg, example_tables, tiny_boundaries):
    from etl.build import OutdatedBase

    base = current_path(cfg)
    build(clean_input(example_tables), boundaries=tiny_boundaries, cfg=cfg)  # someone else rebuilt meanwhile
    newer = current_path(cfg)
    with pytest.raises(OutdatedBase, match="bygget igen imens"):
        build(clean_input(example_tables), boundaries=tiny_boundaries, cfg=cfg, based_on=base)
    assert current_path(cfg) == newer
    assert len(list(cfg.builds_dir.glob("*.duckdb"))) <= 3  # the refused file was removed
    build(clean_input(example_tables), boundaries=tiny_boundaries, cfg=cfg, based_on=newer)
    assert current_path(cfg) != newer
