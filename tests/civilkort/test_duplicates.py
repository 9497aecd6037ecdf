"""Decisions on possible duplicates in the store, and the review list read from a build."""

from __future__ import annotations

import pandas as pd
import pytest

from civilkort import duplicates as dup
from civilkort.auth import Principal
from civilkort.filters import Selection
from civilkort.store import NothingToUndo

KIM = Principal("Kim", via="kode", is_admin=True)
SARA = Principal("Sara", via="login", is_admin=True)


def test_keys_of_records_and_pairs():
    assert dup.record_key(dup.ORGANISATION, "ORG-1") == "ORG-1"
    assert dup.record_key(dup.REGIONAL_UNIT, "ENH-1") == "enhed:ENH-1"
    assert dup.split_key("enhed:ENH-1") == (dup.REGIONAL_UNIT, "ENH-1")
    assert dup.split_key("ORG-1") == (dup.ORGANISATION, "ORG-1")
    assert dup.pair_key("ORG-2", "ORG-1") == dup.pair_key("ORG-1", "ORG-2") == "ORG-1|ORG-2"


def test_a_decision_is_stored_sorted_audited_and_can_be_changed(store):
    row = dup.decide(store, KIM, "ORG-2", "ORG-1", dup.MERGE, keep_key="ORG-2", note=" samme forening ")
    assert (row["pair_key"], row["key_a"], row["key_b"], row["keep_key"]) == (
        "ORG-1|ORG-2",
        "ORG-1",
        "ORG-2",
        "ORG-2",
    )
    assert row["decided_by"] == "Kim" and row["note"] == "samme forening"
    dup.decide(store, SARA, "ORG-1", "ORG-2", dup.KEEP_APART, keep_key="ORG-1")
    decided = dup.decisions(store)
    assert len(decided) == 1
    assert decided.iloc[0]["decision"] == dup.KEEP_APART and decided.iloc[0]["keep_key"] is None
    assert [h["actor"] for h in store.history(entity=dup.TABLE)] == ["Sara", "Kim"]


@pytest.mark.parametrize(
    ("a", "b", "decision", "keep"),
    [
        ("ORG-1", "ORG-2", "slet", None),
        ("ORG-1", "ORG-1", dup.KEEP_APART, None),
        ("ORG-1", "ORG-2", dup.MERGE, None),
        ("ORG-1", "ORG-2", dup.MERGE, "ORG-3"),
        ("ORG-1", "enhed:ENH-1", dup.KEEP_APART, None),
    ],
)
def test_impossible_decisions_are_refused(store, a, b, decision, keep):
    with pytest.raises(ValueError):
        dup.decide(store, KIM, a, b, decision, keep_key=keep)
    assert dup.decisions(store).empty


def test_undo_takes_back_the_newest_decision_and_the_version_moves(store):
    assert dup.decisions_version(store) == 0 and dup.last_decision(store) is None
    dup.decide(store, KIM, "ORG-1", "ORG-2", dup.KEEP_APART)
    dup.decide(store, SARA, "ORG-3", "ORG-4", dup.MERGE, keep_key="ORG-3")
    v = dup.decisions_version(store)
    assert dup.last_decision(store)["row"]["pair_key"] == "ORG-3|ORG-4"
    undone = dup.undo_last(store, KIM)
    assert undone["entity_id"] == "ORG-3|ORG-4"
    assert list(dup.decisions(store)["pair_key"]) == ["ORG-1|ORG-2"]
    assert dup.decisions_version(store) > v
    dup.undo_last(store, KIM)
    with pytest.raises(NothingToUndo):
        dup.undo_last(store, KIM)


def test_decisions_of_a_data_folder_without_a_store_are_none(tmp_path):
    from civilkort.settings import Settings

    cfg = Settings(data_dir=tmp_path / "nothing", static_dir=tmp_path)
    assert dup.stored_decisions(cfg) == ([], 0)
    assert not cfg.store_path.exists()


def test_pending_splits_decided_pairs_off():
    found = pd.DataFrame({"pair_key": ["A|B", "C|D"]})
    todo, waiting = dup.pending(found, pd.DataFrame({"pair_key": ["C|D"]}))
    assert list(todo["pair_key"]) == ["A|B"] and list(waiting["pair_key"]) == ["C|D"]


def duplicate_tables(example_tables) -> dict[str, pd.DataFrame]:
    """The small example data plus three pairs of duplicates: by CVR and name, by name, by address."""
    from tests.conftest import typed_rows

    rows = [
        {"organisation_id": "DUP-A1", "name": "Ældre Sagen Aarhus", "cvr": "12345678", "municipality": 751},
        {"organisation_id": "DUP-A2", "name": "ÆldreSagen, Århus", "cvr": "12345678", "postcode": "8000"},
        {"organisation_id": "DUP-H1", "name": "Foreningen Hjerteløb", "municipality": 101},
        {"organisation_id": "DUP-H2", "name": "**Hjerteløb** forening", "postcode": "2200"},
        {
            "organisation_id": "DUP-N1",
            "name": "Natcaféen Odense",
            "address": "Vestergade 12",
            "postcode": "5000",
        },
        {
            "organisation_id": "DUP-N2",
            "name": "Natcafé Odense v/ Kirkens Korshær",
            "address": "Vestergade 12, st.",
            "postcode": "5000",
        },
    ]
    extra = typed_rows(
        example_tables["organisations"],
        [{"organisation_type": "frivillig_forening", **r} for r in rows],
        "Organisationer",
    )
    tables = {k: v.copy() for k, v in example_tables.items()}
    tables["organisations"] = pd.concat([tables["organisations"], extra], ignore_index=True)
    return tables


@pytest.fixture(scope="module")
def dup_db(tmp_path_factory, example_tables, tiny_boundaries):
    from civilkort.db import Database
    from civilkort.settings import Settings
    from etl.build import build
    from tests.conftest import PROJECT_ROOT, clean_input

    cfg = Settings(data_dir=tmp_path_factory.mktemp("dup-db"), static_dir=PROJECT_ROOT / "static")
    result = build(clean_input(duplicate_tables(example_tables)), boundaries=tiny_boundaries, cfg=cfg)
    db = Database(result.path)
    yield db
    db.close()


def test_the_review_list_by_area_and_reason(dup_db):
    found = dup.candidates(dup_db, Selection())
    mine = found[found["key_a"].str.startswith("DUP-")]
    assert set(mine["pair_key"]) == {"DUP-A1|DUP-A2", "DUP-H1|DUP-H2", "DUP-N1|DUP-N2"}
    assert found["score"].is_monotonic_decreasing
    aarhus = dup.candidates(dup_db, Selection(area="council:aarhus"))
    assert "DUP-A1|DUP-A2" in set(aarhus["pair_key"]) and "DUP-H1|DUP-H2" not in set(aarhus["pair_key"])
    assert (aarhus["council_id_a"].eq("aarhus") | aarhus["council_id_b"].eq("aarhus")).all()
    by_cvr = dup.candidates(dup_db, Selection(), ["same_cvr"])
    assert set(by_cvr["pair_key"]) >= {"DUP-A1|DUP-A2"} and by_cvr["same_cvr"].all()
    by_address = dup.candidates(dup_db, Selection(), ["same_address", "same_cvr"])
    assert {"DUP-A1|DUP-A2", "DUP-N1|DUP-N2"} <= set(by_address["pair_key"])
    assert "DUP-H1|DUP-H2" not in set(by_address["pair_key"])
    row = found.set_index("pair_key").loc["DUP-A1|DUP-A2"]
    assert (row["municipality_name_a"], row["municipality_name_b"]) == ("Aarhus", "Aarhus")
    assert row["cvr_a"] == row["cvr_b"] == "12345678" and row["reasons"] == "samme CVR, navne ens (100 %)"
    assert dup_db.meta()["duplicate_decisions_version"] == "0"


def test_names_of_records(dup_db):
    names = dup.record_names(dup_db, ["DUP-A1", "VAEK"])
    assert names == {"DUP-A1": "Ældre Sagen Aarhus"}


def test_the_example_build_has_the_view(small_db):
    found = dup.candidates(small_db, Selection())
    assert {"pair_key", "name_a", "name_b", "n_offers_a", "municipality_code_b"} <= set(found.columns)
