"""Before and after: a frozen copy of the data compared with the data now."""

from __future__ import annotations

import datetime as dt
import shutil

import numpy as np
import pandas as pd
import pytest

from civilkort import auth, charts, reference, snapshots
from civilkort.auth import PermissionDenied, Principal
from civilkort.db import Database, current_path
from civilkort.settings import Settings
from etl.rebuild import rebuild
from tests.conftest import PROJECT_ROOT, typed_rows

COORDINATOR_PERSON = Principal(name="Kim", via="kode", is_admin=True)
TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def cfg(small_db_dir, tmp_path, monkeypatch) -> Settings:
    path = tmp_path / "data"
    shutil.copytree(small_db_dir, path)
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(path))
    return Settings(data_dir=path, static_dir=PROJECT_ROOT / "static")


def _changed_data(cfg: Settings, example_tables) -> dict[str, str]:
    """Rebuild with one new organisation + active offer in Aarhus, one new and one ended collaboration."""
    db = Database(current_path(cfg))
    try:
        running = db.query(
            "SELECT collaboration_id FROM collaborations WHERE status = 'aktiv' AND end_date IS NULL"
            " AND list_contains(municipality_codes, 751) ORDER BY 1 LIMIT 1"
        )["collaboration_id"].iloc[0]
    finally:
        db.close()
    orgs, offers, collabs = (example_tables[n] for n in ("organisations", "offers", "collaborations"))
    org = {**orgs.iloc[0].to_dict(), "organisation_id": "WS-NY", "name": "Ny forening", "municipality": 751,
           "postcode": "8000", "city": "Aarhus C", "lat": None, "lon": None}  # fmt: skip
    offer = {**offers.iloc[0].to_dict(), "offer_id": "WS-TILBUD", "organisation_id": "WS-NY", "themes": ["lighed"],
             "status": "aktiv", "municipality": 751, "postcode": "8000", "lat": None, "lon": None,
             "service_area": []}  # fmt: skip
    ended = collabs[collabs["collaboration_id"] == running].iloc[0].to_dict() | {"status": "afsluttet"}
    new = {**collabs.iloc[0].to_dict(), "collaboration_id": "WS-SAM", "title": "Nyt samarbejde",
           "organisation_ids": ["WS-NY"], "status": "aktiv"}  # fmt: skip
    rebuild(
        {
            "organisations": typed_rows(orgs, [org], "Organisationer"),
            "offers": typed_rows(offers, [offer], "Tilbud"),
            "collaborations": typed_rows(collabs, [ended, new], "Samarbejder"),
        },
        principal=auth.operator(),
        cfg=cfg,
    )
    return {"ended": running}


def test_freeze_needs_a_coordinator_and_keeps_a_copy_apart_from_builds(cfg, store):
    with pytest.raises(PermissionDenied):
        snapshots.freeze(store, Principal(name="Læser"), name="x", cfg=cfg)
    row = snapshots.freeze(store, COORDINATOR_PERSON, name="Før workshoppen", cfg=cfg)
    path = snapshots.snapshot_path(row, cfg)
    assert path.parent == cfg.snapshots_dir and path.stat().st_size == current_path(cfg).stat().st_size
    assert row["built_at"] and snapshots.list_snapshots(store)[0]["name"] == "Før workshoppen"
    assert store.history(entity="snapshots")[0]["action"] == "frys"


def test_compare_finds_new_and_ended_collaborations_new_organisations_and_coverage_change(
    cfg, example_tables, store
):
    row = snapshots.freeze(store, COORDINATOR_PERSON, name="Før", cfg=cfg)
    frozen = snapshots.snapshot_path(row, cfg)
    expected = _changed_data(cfg, example_tables)
    aarhus = [int(c) for c in reference.municipalities().query("council_id == 'aarhus'")["municipality_code"]]

    result = snapshots.compare(frozen, then_date=TODAY, codes=aarhus, today=TODAY, cfg=cfg)
    assert result.new_collaborations["collaboration_id"].tolist() == ["WS-SAM"]
    assert result.new_collaborations["organisations"].tolist() == ["Ny forening"]
    ended = result.ended_collaborations.set_index("collaboration_id")
    assert ended.loc[expected["ended"], "reason"] == "status afsluttet"
    assert result.organisations[["change", "organisation_id"]].values.tolist() == [["ny", "WS-NY"]]
    cov = result.coverage.set_index(["municipality_code", "theme"])
    assert cov.loc[(751, "lighed"), "change"] == 1
    assert cov.loc[(751, "lighed"), "after"] == cov.loc[(751, "lighed"), "before"] + 1
    assert (result.coverage.drop(index=result.coverage.index[
        (result.coverage["municipality_code"] == 751) & (result.coverage["theme"] == "lighed")])["change"] == 0).all()  # fmt: skip
    assert set(result.coverage["municipality_code"]) == set(aarhus)
    assert result.summary["new_organisations"] == 1 and result.summary["active_offers_now"] == (
        result.summary["active_offers_then"] + 1
    )

    back = snapshots.compare(current_path(cfg), frozen, then_date=TODAY, codes=aarhus, today=TODAY)
    assert back.organisations[["change", "organisation_id"]].values.tolist() == [["fjernet", "WS-NY"]]
    assert "WS-SAM" in back.ended_collaborations["collaboration_id"].tolist()  # gone from the data

    everywhere = snapshots.compare(frozen, then_date=TODAY, today=TODAY, cfg=cfg)
    assert everywhere.coverage["municipality_code"].nunique() == 98


def test_the_change_heatmap_shows_signed_changes_and_escapes_names():
    df = pd.DataFrame(
        {
            "municipality_name": ["<b>A</b>", "<b>A</b>", "B", "B"],
            "theme_label": ["T1", "T2", "T1", "T2"],
            "before": [1, 0, 3, 2],
            "after": [3, 0, 1, 2],
            "change": [2, 0, -2, 0],
        }
    )
    fig = charts.change_heatmap(df)
    # one heatmap per text colour (white on the strong cells), on one scale; together they write every cell
    text = np.array([t.text for t in fig.data]).astype(str)
    assert ["".join(cell) for cell in np.moveaxis(text, 0, -1).reshape(-1, len(fig.data))] == [
        "+2",
        "0",
        "−2",
        "0",
    ]
    trace = fig.data[0]
    assert "&lt;b&gt;A&lt;/b&gt;" in trace.y[0] and "før 1 → nu 3" in trace.customdata[0][0]
    assert {(t.zmin, t.zmax) for t in fig.data} == {(-2, 2)} and sum(bool(t.showscale) for t in fig.data) == 1


def test_a_missing_snapshot_file_is_a_danish_error(cfg):
    with pytest.raises(snapshots.SnapshotError, match="findes ikke længere"):
        snapshots.snapshot_path({"name": "Væk", "file": "findes-ikke.duckdb"}, cfg)
