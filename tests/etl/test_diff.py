"""What an upload would change: new, changed and removed rows per table, by id, in both modes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from etl.clean import CleanInput, builtin_vocabularies
from etl.diff import (
    REPLACE,
    UPDATE,
    diff,
    equal_values,
    readable,
    readable_changes,
    value_text,
)
from etl.rebuild import with_changes
from tests.etl.conftest import sample_tables, typed


def _upload_orgs(rows: list[dict]) -> pd.DataFrame:
    return typed("organisations", rows, file="organisationer.csv")


ORG_1 = {
    "organisation_id": "ORG-001",
    "name": "Hjerteforeningen Aarhus",
    "cvr": "12345678",
    "organisation_type": "patientforening",
    "staffing": "frivillige",
    "description": 'Lokalforening;\nmed linjeskift og "citat"',
    "website": "https://example.dk",
    "email": "kontakt@example.dk",
    "address": "Nørregade 10",
    "postcode": "8000",
    "city": "Aarhus C",
    "lat": 56.1572,
    "lon": 10.2107,
    "municipality": 751,
    "last_verified": "2025-03-01",
    "source": "Workshop",
}
ORG_2 = {
    "organisation_id": "ORG-002",
    "name": "Løbeklubben, Horsens",
    "organisation_type": "frivillig_forening",
    "postcode": "0800",
    "lat": 55.8,
    "municipality": 615,
}


def test_update_counts_new_changed_unchanged_and_removes_nothing():
    current = sample_tables()
    upload = _upload_orgs(
        [
            ORG_1,  # the same values (from another file and row): unchanged
            {**ORG_2, "name": "Løbeklubben Horsens", "staffing": "begge"},
            {"organisation_id": "ORG-NY", "name": "Ny forening", "organisation_type": "fond"},
        ]
    )
    d = diff(current, {"organisations": upload}, UPDATE)
    orgs = d.tables["organisations"]
    assert (orgs.n_new, orgs.n_changed, orgs.n_removed, orgs.unchanged) == (1, 1, 0, 1)
    assert list(orgs.new["organisation_id"]) == ["ORG-NY"]
    assert set(orgs.changes["field"]) == {"name", "staffing"}
    name = orgs.changes.set_index("field").loc["name"]
    assert (name["id"], name["old"], name["new"], name["header"]) == (
        "ORG-002",
        "Løbeklubben, Horsens",
        "Løbeklubben Horsens",
        "Navn",
    )
    assert pd.isna(orgs.changes.set_index("field").loc["staffing", "old"])
    assert orgs.rows_after == 3
    assert d.totals() == {"new": 1, "changed": 1, "removed": 0, "unchanged": 1}


def test_replace_removes_the_ids_missing_from_an_uploaded_table():
    current = sample_tables()
    upload = _upload_orgs([ORG_1, {"organisation_id": "ORG-NY", "name": "Ny", "organisation_type": "fond"}])
    orgs = diff(current, {"organisations": upload}, REPLACE).tables["organisations"]
    assert (orgs.n_new, orgs.n_changed, orgs.n_removed, orgs.unchanged) == (1, 0, 1, 1)
    assert list(orgs.removed["organisation_id"]) == ["ORG-002"]
    assert orgs.rows_after == 2


@pytest.mark.parametrize("mode", [UPDATE, REPLACE])
def test_tables_not_uploaded_are_left_alone_in_both_modes(mode):
    current = sample_tables()
    d = diff(current, {"organisations": _upload_orgs([ORG_1])}, mode)
    assert [t.table for t in d.uploaded] == ["organisations"]
    assert [t.table for t in d.untouched] == ["offers", "regional_units", "collaborations", "experiences"]
    for t in d.untouched:
        assert not t.has_changes and t.rows_after == len(current[t.table])
    summary = d.summary().set_index("Tabel")
    assert summary.loc["Tilbud", "Uploadet"] == "Nej (uændret)"
    assert summary.loc["Tilbud", "Rækker efter"] == 2


@pytest.mark.parametrize("mode", [UPDATE, REPLACE])
def test_rows_after_matches_what_the_rebuild_makes(mode):
    current = sample_tables()
    upload = _upload_orgs([{**ORG_2, "city": "Horsens"}, {"organisation_id": "ORG-9", "name": "X"}])
    d = diff(current, {"organisations": upload}, mode)
    merged = with_changes(
        CleanInput(current, builtin_vocabularies()), {"organisations": upload}, replace=mode == REPLACE
    )
    for name, td in d.tables.items():
        assert td.rows_after == len(merged.tables[name]), name


def test_theme_lists_compare_as_sets_and_id_lists_in_order():
    current = sample_tables()
    offer = current["offers"].iloc[[0]].copy()
    offer["themes"] = [["brobygning", "forebyggelse"]]  # same themes, other order
    offer["_file"] = "tilbud.csv"
    d = diff(current, {"offers": offer}, UPDATE).tables["offers"]
    assert (d.n_changed, d.unchanged) == (0, 1)

    offer["themes"] = [["brobygning", "forebyggelse", "lighed"]]
    d = diff(current, {"offers": offer}, UPDATE).tables["offers"]
    assert list(d.changes["field"]) == ["themes"]
    assert readable_changes(d).iloc[0]["Efter"] == "brobygning; forebyggelse; lighed"

    collab = current["collaborations"].copy()
    collab["unit_ids"] = [["ENH-002", "ENH-001"]]  # the first unit places a collaboration: a change
    d = diff(current, {"collaborations": collab}, UPDATE).tables["collaborations"]
    assert list(d.changes["field"]) == ["unit_ids"]


def test_empty_lists_and_missing_lists_are_the_same():
    current = sample_tables()
    offer = current["offers"].iloc[[1]].copy()
    offer["target_groups"] = pd.Series([np.array([], dtype=object)], index=offer.index, dtype=object)
    assert diff(current, {"offers": offer}, UPDATE).tables["offers"].n_changed == 0


def test_dates_compare_by_day_and_na_equals_na():
    current = sample_tables()
    collab = current["collaborations"].copy()
    collab["start_date"] = pd.Series([pd.Timestamp("2025-03-01 00:00")]).astype("datetime64[ns]")
    d = diff(current, {"collaborations": collab}, UPDATE).tables["collaborations"]
    assert d.n_changed == 0, d.changes

    collab["end_date"] = pd.Series([pd.NaT]).astype("datetime64[us]")  # the end date removed: a change
    d = diff(current, {"collaborations": collab}, UPDATE).tables["collaborations"]
    change = d.changes.iloc[0]
    assert (change["field"], value_text(change["old"]), value_text(change["new"])) == (
        "end_date",
        "28-02-2026",
        "",
    )


def test_all_kinds_of_empty_are_equal_and_floats_within_tolerance():
    current = sample_tables()
    org = current["organisations"].iloc[[1]].copy()
    org["cvr"] = pd.Series([""], index=org.index, dtype="string")  # NA before
    org["lon"] = np.nan  # NaN before
    org["lat"] = 55.8 + 1e-12
    org["last_verified"] = pd.NaT
    assert diff(current, {"organisations": org}, UPDATE).tables["organisations"].n_changed == 0

    org["lat"] = 55.9
    org["municipality"] = pd.array([pd.NA], dtype="Int64")
    d = diff(current, {"organisations": org}, UPDATE).tables["organisations"]
    assert set(d.changes["field"]) == {"lat", "municipality"}


def test_booleans_na_and_false_differ():
    current = sample_tables()
    offer = current["offers"].iloc[[1]].copy()  # accepts_social_referrals False
    offer["accepts_social_referrals"] = pd.array([pd.NA], dtype="boolean")
    d = diff(current, {"offers": offer}, UPDATE).tables["offers"]
    assert list(d.changes["field"]) == ["accepts_social_referrals"]
    assert readable_changes(d).iloc[0][["Før", "Efter"]].tolist() == ["Nej", "(tom)"]


def test_rows_without_an_id_count_as_new():
    current = sample_tables()
    upload = _upload_orgs([{"name": "Uden id", "organisation_type": "fond"}])
    orgs = diff(current, {"organisations": upload}, REPLACE).tables["organisations"]
    assert (orgs.n_new, orgs.n_removed) == (1, 2)


def test_an_uploaded_empty_table_in_replace_mode_removes_everything():
    current = sample_tables()
    exp = diff(current, {"experiences": typed("experiences", [])}, REPLACE).tables["experiences"]
    assert (exp.uploaded, exp.n_removed, exp.rows_after) == (True, 1, 0)


def test_an_empty_current_database_makes_everything_new():
    upload = sample_tables()
    d = diff({}, upload, UPDATE)
    assert {n: t.n_new for n, t in d.tables.items()} == {n: len(t) for n, t in upload.items()}


def test_bad_mode_or_table_is_refused():
    with pytest.raises(ValueError, match="tilstand"):
        diff(sample_tables(), {}, "slet")
    with pytest.raises(ValueError, match="Ukendte tabeller"):
        diff(sample_tables(), {"vokabularer": typed("organisations", [])}, UPDATE)


def test_equal_values_aligns_by_position():
    a = pd.Series(["x", None, "z"], index=[5, 6, 7], dtype="string")
    b = pd.Series(["x", "", "y"], dtype=object)
    assert equal_values("text", a, b).tolist() == [True, True, False]


def test_readable_rows_are_text_under_danish_headers_without_empty_columns():
    orgs = sample_tables()["organisations"]
    shown = readable("organisations", orgs)
    assert shown.loc[0, "Sidst verificeret"] == "01-03-2025"
    assert shown.loc[0, "Breddegrad"] == "56,1572"
    assert shown.loc[0, "Kommune"] == "751"
    assert "Kontaktperson" not in shown.columns  # empty in every row
    offers = readable("offers", sample_tables()["offers"])
    assert offers.loc[0, "Temaer"] == "forebyggelse; brobygning"
    assert offers.loc[0, "Modtager sociale henvisninger"] == "Ja"
