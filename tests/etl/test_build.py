"""The build: public schema, all-or-nothing switching, data checks, placement with real boundaries."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from civilkort.db import Database, current_path
from civilkort.issues import InputError
from civilkort.settings import settings
from etl import build as build_mod
from etl.build import BuildError, build
from tests.conftest import clean_input

PUBLIC_VIEWS = {
    "organisations": {
        "organisation_id",
        "name",
        "cvr",
        "organisation_type",
        "staffing",
        "municipality_code",
        "council_id",
        "region_id",
        "lat",
        "lon",
        "location_precision",
        "last_verified",
        "source",
        "is_example",
    },
    "offers": {
        "offer_id",
        "organisation_id",
        "themes",
        "target_groups",
        "prevention_level",
        "accepts_social_referrals",
        "service_area",
        "service_municipality_codes",
        "status",
        "municipality_code",
        "council_id",
        "last_verified",
    },
    "regional_units": {"unit_id", "name", "unit_type", "municipality_code", "council_id", "lat", "lon"},
    "collaborations": {
        "collaboration_id",
        "title",
        "unit_ids",
        "organisation_ids",
        "themes",
        "form",
        "kind",
        "start_date",
        "end_date",
        "is_open_ended",
        "funding",
        "tovholder",
        "legal_review_done",
        "status",
        "municipality_code",
        "council_id",
        "municipality_codes",
        "council_ids",
    },
    "experiences": {
        "experience_id",
        "collaboration_id",
        "date",
        "learning",
        "evaluation",
        "evaluation_link",
        "municipality_code",
        "council_id",
    },
    "municipalities": {
        "municipality_code",
        "municipality_name",
        "council_id",
        "region_id",
        "lat",
        "lon",
        "population",
        "is_single_source",
        "source_note",
        "has_boundary",
    },
    "councils": {"council_id", "council_name", "region_id", "region_name"},
}


@pytest.mark.parametrize("view", sorted(PUBLIC_VIEWS))
def test_public_views_have_documented_columns(small_db, view):
    columns = set(small_db.query(f"SELECT * FROM {view} LIMIT 0").columns)
    assert PUBLIC_VIEWS[view] <= columns


def test_every_record_sits_in_a_municipality_and_council(small_db):
    for view in ("organisations", "offers"):
        assert (
            small_db.scalar(
                f"SELECT count(*) FROM {view} WHERE municipality_code IS NULL OR council_id IS NULL"
            )
            == 0
        )
    # a regional unit has its address's municipality and a council, or, for the whole region, a region and no council
    units = small_db.query("SELECT * FROM regional_units")
    assert units["municipality_code"].notna().all() and units["region_id"].notna().all()
    assert (units["council_id"].isna() == units["is_region_wide"]).all()
    assert set(units.loc[units["is_region_wide"], "unit_type"]) == {"region", "social_virksomhed"}
    assert small_db.scalar("SELECT count(DISTINCT council_id) FROM organisations") == 17
    assert small_db.scalar("SELECT count(*) FROM councils") == 17
    assert small_db.scalar("SELECT count(*) FROM municipalities") == 98


def test_example_data_is_marked(small_db):
    assert small_db.meta()["is_example"] == "true"
    assert small_db.scalar("SELECT bool_and(is_example) FROM organisations")


def test_quality_report_is_stored(small_db):
    report = dict(small_db.query("SELECT measure, value FROM quality_report").itertuples(index=False))
    assert report["Organisationer"] == "150"
    assert (
        report["Heraf enheder for hele regionen"] == "6"
    )  # five regions' administrations, Den Sociale Virksomhed
    assert float(report["Organisationer med omtrentlig placering (%)"].replace(",", ".")) > 0  # Danish: 12,7
    assert re.fullmatch(r"\d\d-\d\d-\d{4}", report["Nyeste verificering"])


def _build(tables, data_dir, **kw):
    return build(clean_input(tables), meta={"is_example": "true"}, **kw)


def test_failed_build_leaves_previous_database_serving(data_dir, example_tables):
    first = _build(example_tables, data_dir)
    broken = {k: v.copy() for k, v in example_tables.items()}
    broken["offers"].loc[broken["offers"].index[0], "organisation_id"] = "FINDES-IKKE"
    with pytest.raises(InputError) as exc:
        _build(broken, data_dir)
    issue = next(i for i in exc.value.issues if i.value == "FINDES-IKKE")
    assert issue.sheet == "Tilbud" and issue.row == 2 and issue.column == "Organisation (id)"
    assert current_path() == first.path
    assert list(settings().builds_dir.glob("*.duckdb")) == [first.path]


def test_failing_data_check_deletes_the_new_file(data_dir, example_tables, tmp_path, monkeypatch):
    first = _build(example_tables, data_dir)
    sql = tmp_path / "sql"
    shutil.copytree(build_mod.SQL_DIR, sql)
    with (sql / "checks.sql").open("a", encoding="utf-8") as f:
        f.write("\n-- check: always | Altid fejl\nSELECT 1;\n")
    monkeypatch.setattr(build_mod, "SQL_DIR", sql)
    with pytest.raises(BuildError, match="Altid fejl"):
        _build(example_tables, data_dir)
    assert current_path() == first.path
    assert sorted(p.name for p in settings().builds_dir.iterdir()) == [first.path.name]


def test_open_reader_keeps_its_snapshot_while_a_new_build_switches(data_dir, example_tables):
    first = _build(example_tables, data_dir)
    reader = Database(first.path)
    smaller = {k: v.copy() for k, v in example_tables.items()}
    smaller["experiences"] = smaller["experiences"].iloc[:3]
    second = _build(smaller, data_dir)
    assert second.path != first.path and current_path() == second.path
    assert reader.scalar("SELECT count(*) FROM experiences") == len(example_tables["experiences"])
    assert Database(second.path).scalar("SELECT count(*) FROM experiences") == 3
    reader.close()


def test_never_writes_over_an_existing_file(data_dir, example_tables):
    from etl.build import prepare, write_database

    prepared = prepare(clean_input(example_tables), None)
    target = data_dir / "exists.duckdb"
    target.write_bytes(b"old")
    with pytest.raises(FileExistsError):
        write_database(prepared, target, boundaries=None, meta={})
    assert target.read_bytes() == b"old"


def test_old_builds_are_pruned(data_dir, example_tables):
    paths = [_build(example_tables, data_dir).path for _ in range(build_mod.KEEP_BUILDS + 2)]
    left = sorted(settings().builds_dir.glob("*.duckdb"))
    assert len(left) == build_mod.KEEP_BUILDS and paths[-1] in left


def test_without_boundaries_everything_still_builds(data_dir, example_tables):
    result = _build(example_tables, data_dir)
    db = Database(result.path)
    assert db.scalar("SELECT count(*) FROM geo_municipalities") == 0
    assert db.meta()["boundaries_loaded"] == "false"
    assert db.scalar("SELECT count(*) FROM organisations WHERE municipality_code IS NULL") == 0


def test_real_boundaries_place_every_point_in_its_municipality(
    data_dir, example_tables, real_boundaries_file
):
    from etl import boundaries

    result = _build(example_tables, data_dir, boundaries=boundaries.load(real_boundaries_file))
    assert [i for i in result.issues if "passer ikke" in i.message] == []
    db = Database(result.path)
    assert db.scalar("SELECT count(*) FROM geo_municipalities") == 98
    assert db.scalar("SELECT count(*) FROM geo_councils") == 17
    by_method = dict(
        db.query("SELECT municipality_method, count(*) FROM organisations GROUP BY 1").itertuples(index=False)
    )
    assert by_method.get("polygon", 0) > 0


def test_service_areas_expand_to_municipalities(small_db):
    df = small_db.query("SELECT service_area, service_municipality_codes, municipality_code FROM offers")
    own = df[df["service_area"].map(len) == 0]
    assert all(list(c) == [m] for c, m in zip(own["service_municipality_codes"], own["municipality_code"]))
    national = df[df["service_area"].map(lambda a: "national:DK" in list(a))]
    assert all(len(c) == 98 for c in national["service_municipality_codes"])


def test_collaboration_municipalities_cover_partners(small_db):
    df = small_db.query(
        """SELECT c.collaboration_id, c.municipality_codes, u.municipality_code AS unit_mun
           FROM collaborations c, unnest(c.unit_ids) AS x(unit_id) JOIN regional_units u ON u.unit_id = x.unit_id
           WHERE NOT u.is_region_wide"""
    )
    assert len(df) and all(m in list(codes) for codes, m in zip(df["municipality_codes"], df["unit_mun"]))
    assert pd.notna(small_db.scalar("SELECT min(start_date) FROM collaborations"))


def test_the_served_file_is_read_again_whenever_the_pointer_or_the_file_changes(tmp_path):
    from civilkort.settings import Settings

    cfg = Settings(data_dir=tmp_path, static_dir=tmp_path)
    cfg.builds_dir.mkdir()
    assert current_path(cfg) is None
    for name in ("a.duckdb", "b.duckdb"):
        (cfg.builds_dir / name).write_bytes(b"")
    tmp = cfg.current_pointer.with_suffix(".tmp")
    tmp.write_text("a.duckdb")
    tmp.replace(cfg.current_pointer)
    assert current_path(cfg) == cfg.builds_dir / "a.duckdb"
    assert current_path(cfg) == cfg.builds_dir / "a.duckdb"  # unchanged: from what was read
    tmp.write_text("b.duckdb")
    tmp.replace(cfg.current_pointer)  # a build switches atomically
    assert current_path(cfg) == cfg.builds_dir / "b.duckdb"
    (cfg.builds_dir / "b.duckdb").unlink()
    assert current_path(cfg) is None
    cfg.current_pointer.unlink()
    assert current_path(cfg) is None


def _modified(path) -> dict[tuple[str, str], str]:
    """(entity, record id) -> the day its row last changed."""
    db = Database(path)
    try:
        rows = db.query(
            "SELECT entity, record_id, strftime(modified_at AT TIME ZONE 'UTC', '%Y-%m-%d') AS d FROM out_modified"
        )
    finally:
        db.close()
    return {(e, r): d for e, r, d in zip(rows["entity"], rows["record_id"], rows["d"])}


def test_a_record_keeps_its_time_of_change_until_it_changes(data_dir, example_tables):
    first = build(
        clean_input(example_tables), meta={"is_example": "true", "built_at": "2026-01-05T10:00:00+00:00"}
    )
    before = _modified(first.path)
    assert set(before.values()) == {"2026-01-05"}
    tables = ("offers", "organisations", "regional_units", "collaborations", "experiences")
    assert len(before) == sum(len(example_tables[t]) for t in tables)

    changed = {k: v.copy() for k, v in example_tables.items()}
    offers = changed["offers"]
    edited, moved_in_file = offers["offer_id"].iloc[0], offers["offer_id"].iloc[1]
    offers.loc[offers.index[0], "name"] = "Nyt navn på tilbuddet"
    assert "_row" in offers
    offers.loc[offers.index[1], "_row"] = 999
    second = build(clean_input(changed), meta={"is_example": "true", "built_at": "2026-02-09T10:00:00+00:00"})
    after = _modified(second.path)
    assert after[("offers", edited)] == "2026-02-09"
    assert after[("offers", moved_in_file)] == "2026-01-05"  # where it stood in the file is no change
    assert sum(d == "2026-02-09" for d in after.values()) == 1

    # a rebuild of the same data moves no time
    third = build(clean_input(changed), meta={"is_example": "true", "built_at": "2026-03-01T10:00:00+00:00"})
    assert _modified(third.path) == after
