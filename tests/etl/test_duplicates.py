"""Finding likely duplicates, and the coordinators' decisions applied by the next build."""

from __future__ import annotations

import pandas as pd
import pytest

from civilkort import duplicates as dup
from civilkort.auth import ANONYMOUS, PARTICIPANT, PermissionDenied, Principal
from civilkort.db import Database
from civilkort.settings import Settings
from civilkort.store import open_store
from etl import duplicates
from etl.build import build
from etl.rebuild import rebuild
from tests.conftest import PROJECT_ROOT, clean_input, typed_rows

COORDINATOR_KIM = Principal("Kim", via="kode", is_admin=True)


def orgs(example_tables, rows: list[dict], sheet: str = "Organisationer") -> pd.DataFrame:
    """Typed organisation rows; every row a voluntary association unless it says otherwise."""
    rows = [{"organisation_type": "frivillig_forening", **r} for r in rows]
    return typed_rows(example_tables["organisations"], rows, sheet)


def pairs(found: pd.DataFrame) -> set[frozenset[str]]:
    return {frozenset((a, b)) for a, b in zip(found["key_a"], found["key_b"])}


def pair(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def row_of(found: pd.DataFrame, a: str, b: str) -> dict:
    hit = found[found.apply(lambda r: {r["key_a"], r["key_b"]} == {a, b}, axis=1)]
    assert len(hit) == 1, found[["key_a", "key_b", "reasons"]]
    return hit.iloc[0].to_dict()


# ------------------------------------------------------------------ normalising


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Ældre Sagen Aarhus", "ÆldreSagen, Århus"),
        ("Ældre Sagen Aarhus", "Aeldre Sagen - Aarhus afd."),
        ("Foreningen Hjerteløb", "Hjerteløb forening"),
        ("Hjerteløb", "Hjerteløb, lokalafdeling"),
        ("Mødrehjælpen & Familier", "Mødrehjælpen og familier"),
        ("SIND Ungdom", "sind  ungdom"),
    ],
)
def test_names_written_differently_have_the_same_key(one, other):
    assert duplicates.name_key(one) == duplicates.name_key(other)


def test_a_name_of_generic_words_only_keeps_them():
    assert duplicates.name_key("Foreningen") == "foreningen"


# ------------------------------------------------------------------ finding pairs


@pytest.fixture
def messy(example_tables) -> pd.DataFrame:
    """Organisations as two lists combined: duplicates written differently, and look-alikes that are not."""
    return orgs(
        example_tables,
        [
            # duplicates
            {"organisation_id": "A1", "name": "Ældre Sagen Aarhus", "municipality": 751},
            {"organisation_id": "A2", "name": "ÆldreSagen, Århus", "postcode": "8000"},
            {"organisation_id": "A3", "name": "Aeldre Sagen - Aarhus afd.", "postcode": "8000"},
            {"organisation_id": "H1", "name": "Foreningen Hjerteløb", "municipality": 101},
            {"organisation_id": "H2", "name": "Hjerteløb forening", "postcode": "2200"},
            {"organisation_id": "C1", "name": "Café Solsikken", "cvr": "12345678", "municipality": 630},
            {
                "organisation_id": "C2",
                "name": "Solsikke-caféen i Vejle",
                "cvr": "12345678",
                "municipality": 621,
            },
            {
                "organisation_id": "N1",
                "name": "Natcaféen Vesterbro",
                "address": "Istedgade 20",
                "postcode": "1650",
            },
            {
                "organisation_id": "N2",
                "name": "Natcafé Vesterbro v/ Kirkens Korshær",
                "address": "Istedgade 20, st. tv.",
                "postcode": "1650",
            },
            {"organisation_id": "K1", "name": "Kirkens Korshær Horsens", "municipality": 615},
            {"organisation_id": "K2", "name": "Kirkens Korshaer Horsnes", "municipality": 615},
            # not duplicates
            {"organisation_id": "V1", "name": "Ældre Sagen Viby", "municipality": 751},
            {"organisation_id": "V2", "name": "Ældre Sagen Viby Nord", "municipality": 751},
            {"organisation_id": "S1", "name": "Spejdergruppe 1 Aalborg", "municipality": 851},
            {"organisation_id": "S2", "name": "Spejdergruppe 2 Aalborg", "municipality": 851},
            {"organisation_id": "R1", "name": "Kræftnetværket Randbøl", "municipality": 530},
            {"organisation_id": "R2", "name": "Kræftnetværket Vandel", "municipality": 530},
            {"organisation_id": "X1", "name": "Ældre Sagen Aars", "municipality": 820},
            {"organisation_id": "O1", "name": "Kræftnetværket Vejle Øst", "municipality": 630},
            {"organisation_id": "O2", "name": "Kræftnetværket Vejle Øst Øst", "municipality": 630},
            {
                "organisation_id": "D1",
                "name": "Diabetesforeningen Frederiksberg Centrum",
                "municipality": 147,
            },
            {"organisation_id": "D2", "name": "Idrætsforeningen Frederiksberg Centrum", "municipality": 147},
            {"organisation_id": "L1", "name": "Løbeklubben Ry", "cvr": "11111111", "municipality": 740},
            {"organisation_id": "L2", "name": "Løbeklubben Ry", "cvr": "22222222", "municipality": 740},
            {
                "organisation_id": "F1",
                "name": "Frivilligcenter Horsens",
                "address": "Borgergade 1",
                "postcode": "8700",
            },
            {
                "organisation_id": "F2",
                "name": "Diabetesforeningen Horsens",
                "address": "Borgergade 1",
                "postcode": "8700",
            },
        ],
    )


def test_duplicates_written_differently_are_found(messy):
    found = duplicates.find_candidates({"organisations": messy})
    got = pairs(found)
    for a, b in [
        ("A1", "A2"),
        ("A1", "A3"),
        ("A2", "A3"),
        ("H1", "H2"),
        ("C1", "C2"),
        ("N1", "N2"),
        ("K1", "K2"),
    ]:
        assert pair(a, b) in got, (a, b)


def test_messy_corpus_case_duplicate_organisations_spelled_differently(example_tables):
    """The messy-spreadsheet corpus's case 'duplicate-organisations-spelled-differently' (tests/etl/messy.py):
    the three spellings, all at postcode 8000, are found as likely duplicates of each other."""
    rows = orgs(
        example_tables,
        [
            {"organisation_id": "ORG-1", "name": "Ældre Sagen Aarhus", "postcode": "8000"},
            {"organisation_id": "ORG-2", "name": "ÆldreSagen, Århus", "postcode": "8000"},
            {"organisation_id": "ORG-3", "name": "Aeldre Sagen - Aarhus afd.", "postcode": "8000"},
        ],
    )
    found = duplicates.find_candidates({"organisations": rows})
    assert pairs(found) == {pair("ORG-1", "ORG-2"), pair("ORG-1", "ORG-3"), pair("ORG-2", "ORG-3")}
    assert (found["reasons"] == "navne ens (100 %)").all()


def test_look_alikes_that_are_not_duplicates_are_not_paired(messy):
    got = pairs(duplicates.find_candidates({"organisations": messy}))
    for a, b in [
        ("V1", "V2"),  # a district word: another branch
        ("S1", "S2"),  # another number
        ("R1", "R2"),  # another town in the same municipality
        ("O1", "O2"),  # 'Øst' once more: another branch in the town Vejle Øst
        ("D1", "D2"),  # alike mostly by the shared place: the rest differs
        ("A1", "X1"),  # 'Aarhus' and 'Aars' are alike, but in different municipalities
        ("L1", "L2"),  # the same name, but two CVR numbers: two legal entities
        ("F1", "F2"),  # a shared house
    ]:
        assert pair(a, b) not in got, (a, b)
    assert {k for p in got for k in p} <= {"A1", "A2", "A3", "H1", "H2", "C1", "C2", "N1", "N2", "K1", "K2"}


def test_each_pair_says_why_in_danish_with_a_score(messy):
    found = duplicates.find_candidates({"organisations": messy})
    assert row_of(found, "A1", "A2")["reasons"] == "navne ens (100 %)"
    cvr = row_of(found, "C1", "C2")
    assert cvr["reasons"] == "samme CVR" and cvr["same_cvr"] and not cvr["similar_name"]
    address = row_of(found, "N1", "N2")
    assert address["same_address"] and address["reasons"].endswith("samme adresse")
    typo = row_of(found, "K1", "K2")
    assert typo["reasons"].startswith("navne ens (") and 90 <= typo["name_similarity"] < 100
    assert found["score"].is_monotonic_decreasing
    assert found["score"].between(0, 100).all()
    assert row_of(found, "A1", "A2")["source_a"] == "hand-made"


def test_the_pair_keys_are_sorted_and_the_columns_typed(messy):
    found = duplicates.find_candidates({"organisations": messy})
    assert (found["key_a"] < found["key_b"]).all()
    assert (found["pair_key"] == found["key_a"] + "|" + found["key_b"]).all()
    assert list(found.columns) == list(duplicates.CANDIDATE_DTYPES)
    assert all(found[c].dtype == bool for c in ("same_cvr", "similar_name", "same_address"))
    assert all(found[c].dtype == "int64" for c in ("score", "name_similarity"))


def test_equal_names_pair_across_places_only_when_one_has_no_place(example_tables):
    rows = orgs(
        example_tables,
        [
            {"organisation_id": "P1", "name": "Natteravnene", "municipality": 751},
            {"organisation_id": "P2", "name": "Natteravnene", "municipality": 461},
            {"organisation_id": "P3", "name": "NATTERAVNENE"},
        ],
    )
    assert pairs(duplicates.find_candidates({"organisations": rows})) == {pair("P1", "P3"), pair("P2", "P3")}


def test_pairs_kept_apart_are_left_out(messy):
    found = duplicates.find_candidates({"organisations": messy}, hold_apart={"A1|A2"})
    assert pair("A1", "A2") not in pairs(found) and pair("A1", "A3") in pairs(found)


def test_an_umbrella_cvr_is_not_a_sign_by_itself(example_tables):
    rows = [
        {"organisation_id": f"U{i}", "name": f"{town} Lokalforening", "cvr": "33333333", "municipality": code}
        for i, (town, code) in enumerate(
            [("Aarhus", 751), ("Odense", 461), ("Aalborg", 851), ("Vejle", 630), ("Herning", 657),
             ("Randers", 730), ("Kolding", 621), ("Horsens", 615), ("Esbjerg", 561)]
        )
    ]  # fmt: skip
    assert duplicates.find_candidates({"organisations": orgs(example_tables, rows)}).empty


def test_regional_units_are_compared_too(example_tables):
    units = typed_rows(
        example_tables["regional_units"],
        [
            {
                "unit_id": "E1",
                "name": "Regionshospitalet Randers",
                "unit_type": "hospital",
                "municipality": 730,
            },
            {
                "unit_id": "E2",
                "name": "Regionshospitalet, Randers",
                "unit_type": "hospital",
                "postcode": "8930",
            },
            {
                "unit_id": "E3",
                "name": "Regionspsykiatrien Randers",
                "unit_type": "psykiatri",
                "municipality": 730,
            },
        ],
        "Regionale enheder",
    )
    found = duplicates.find_candidates({"regional_units": units})
    assert pairs(found) == {pair("E1", "E2")}
    assert found.iloc[0]["kind"] == dup.REGIONAL_UNIT and found.iloc[0]["pair_key"] == "enhed:E1|enhed:E2"


def test_no_pairs_gives_the_typed_empty_table(example_tables):
    found = duplicates.find_candidates({"organisations": example_tables["organisations"].head(1)})
    assert found.empty and list(found.columns) == list(duplicates.CANDIDATE_DTYPES)


# ------------------------------------------------------------------ applying decisions (pure)


def _decision(a: str, b: str, decision: str, keep: str | None = None, by: str = "Kim") -> dict:
    x, y = sorted((a, b))
    return {
        "pair_key": dup.pair_key(a, b),
        "key_a": x,
        "key_b": y,
        "decision": decision,
        "keep_key": keep,
        "decided_by": by,
        "decided_at": "2026-11-20T10:00:00.000+00:00",
    }


@pytest.fixture
def with_duplicate(example_tables):
    """The small example data plus a second registration of an organisation, with an offer and a collaboration."""
    tables = {k: v.copy() for k, v in example_tables.items()}
    kept = tables["organisations"].iloc[20]
    extra = orgs(
        example_tables,
        [
            {
                "organisation_id": "DUBLET-1",
                "name": str(kept["name"]).upper(),
                "municipality": int(kept["municipality"]) if pd.notna(kept["municipality"]) else None,
                "postcode": kept["postcode"],
                "website": "https://dublet.example.dk",
                "contact_person": "Formand",
                "description": "Fra kommunens liste",
            }
        ],
        sheet="Kommunens liste",
    )
    extra["website"] = extra["website"].astype("string")
    tables["organisations"] = pd.concat([tables["organisations"], extra], ignore_index=True)
    offer = tables["offers"].iloc[[0]].copy()
    offer["offer_id"] = "DUBLET-TILBUD-1"
    offer["organisation_id"] = "DUBLET-1"
    tables["offers"] = pd.concat([tables["offers"], offer], ignore_index=True)
    collab = tables["collaborations"].iloc[[0]].copy()
    collab["collaboration_id"] = "DUBLET-SAMARBEJDE-1"
    collab["organisation_ids"] = [["DUBLET-1", str(kept["organisation_id"])]]
    tables["collaborations"] = pd.concat([tables["collaborations"], collab], ignore_index=True)
    return tables, str(kept["organisation_id"])


def test_a_merge_repoints_references_keeps_fields_and_says_who_decided(with_duplicate):
    tables, kept_id = with_duplicate
    before = tables["organisations"].set_index("organisation_id").loc[kept_id]
    applied = duplicates.apply_decisions(
        clean_input(tables), [_decision(kept_id, "DUBLET-1", dup.MERGE, keep=kept_id)]
    )
    out = applied.data.tables
    assert "DUBLET-1" not in set(out["organisations"]["organisation_id"])
    kept = out["organisations"].set_index("organisation_id").loc[kept_id]
    assert kept["name"] == before["name"]  # the kept record's own values stay
    if pd.isna(before["website"]):
        assert kept["website"] == "https://dublet.example.dk"  # empty fields taken over
    assert kept["contact_person"] == (
        before["contact_person"] if pd.notna(before["contact_person"]) else "Formand"
    )
    assert (out["offers"].set_index("offer_id").loc["DUBLET-TILBUD-1", "organisation_id"]) == kept_id
    assert out["collaborations"].set_index("collaboration_id").loc[
        "DUBLET-SAMARBEJDE-1", "organisation_ids"
    ] == [kept_id]
    (issue,) = [i for i in applied.data.issues if "flettet ind i" in i.message]
    assert "DUBLET-1" in issue.message and kept_id in issue.message and "Kim" in issue.message
    assert "1 tilbud og 1 samarbejde følger med" in issue.message
    assert (issue.file, issue.sheet, issue.row) == ("hand-made", "Kommunens liste", 2)
    assert not issue.is_error
    assert applied.merged == [(dup.ORGANISATION, kept_id, "DUBLET-1")]
    # the inputs themselves are untouched (a later undo must find the record again)
    assert "DUBLET-1" in set(tables["organisations"]["organisation_id"])


def test_merges_chain(example_tables):
    data = clean_input(example_tables)
    ids = list(example_tables["organisations"]["organisation_id"][20:23])
    applied = duplicates.apply_decisions(
        data,
        [
            _decision(ids[0], ids[1], dup.MERGE, keep=ids[1]),
            _decision(ids[1], ids[2], dup.MERGE, keep=ids[2]),
        ],
    )
    left = set(applied.data.tables["organisations"]["organisation_id"])
    assert ids[2] in left and not {ids[0], ids[1]} & left
    assert not set(applied.data.tables["offers"]["organisation_id"]) & {ids[0], ids[1]}


def test_a_decision_on_records_no_longer_there_is_skipped_with_a_warning(example_tables):
    applied = duplicates.apply_decisions(
        clean_input(example_tables), [_decision("ORG-000001", "FINDES-IKKE", dup.MERGE, keep="FINDES-IKKE")]
    )
    assert len(applied.data.tables["organisations"]) == len(example_tables["organisations"])
    (issue,) = applied.data.issues
    assert (
        not issue.is_error and "FINDES-IKKE findes ikke længere" in issue.message and "Kim" in issue.message
    )


def test_regional_units_merge_into_collaborations(example_tables):
    units = example_tables["regional_units"]
    collab = example_tables["collaborations"]
    first = collab.iloc[0]["unit_ids"][0]
    other = next(u for u in units["unit_id"] if u != first)
    applied = duplicates.apply_decisions(
        clean_input(example_tables),
        [_decision(f"enhed:{first}", f"enhed:{other}", dup.MERGE, keep=f"enhed:{other}")],
    )
    out = applied.data.tables
    assert first not in set(out["regional_units"]["unit_id"])
    assert all(first not in ids for ids in out["collaborations"]["unit_ids"])
    assert other in out["collaborations"].iloc[0]["unit_ids"]


# ------------------------------------------------------------------ decisions remembered by the build


@pytest.fixture
def cfg(data_dir) -> Settings:
    return Settings(data_dir=data_dir, static_dir=PROJECT_ROOT / "static")


def _build(tables, cfg, tiny_boundaries) -> Database:
    result = build(clean_input(tables), boundaries=tiny_boundaries, cfg=cfg)
    return Database(result.path)


def _candidate_pairs(db: Database) -> set[frozenset[str]]:
    return pairs(db.query("SELECT key_a, key_b FROM duplicate_candidates"))


def test_a_build_without_decisions_proposes_pairs_and_decides_nothing(with_duplicate, cfg, tiny_boundaries):
    tables, kept_id = with_duplicate
    db = _build(tables, cfg, tiny_boundaries)
    assert pair(kept_id, "DUBLET-1") in _candidate_pairs(db)
    row = db.query("SELECT * FROM duplicate_candidates WHERE key_b = 'DUBLET-1' OR key_a = 'DUBLET-1'").iloc[
        0
    ]
    side = "a" if row["key_a"] == "DUBLET-1" else "b"
    assert row[f"n_offers_{side}"] == 1 and row[f"n_collaborations_{side}"] == 1
    assert row[f"source_sheet_{side}"] == "Kommunens liste" and row[f"source_row_{side}"] == 2
    # the build keeps its personal fields in the store (so it exists now), but it decides no pair itself
    assert open_store(cfg).rows("SELECT * FROM duplicate_decisions") == []


def test_a_merge_decision_takes_effect_at_the_next_build(with_duplicate, cfg, tiny_boundaries):
    tables, kept_id = with_duplicate
    store = open_store(cfg)
    dup.decide(store, COORDINATOR_KIM, kept_id, "DUBLET-1", dup.MERGE, keep_key=kept_id)
    db = _build(tables, cfg, tiny_boundaries)
    assert db.scalar("SELECT count(*) FROM organisations WHERE organisation_id = 'DUBLET-1'") == 0
    assert db.scalar("SELECT organisation_id FROM offers WHERE offer_id = 'DUBLET-TILBUD-1'") == kept_id
    assert db.scalar(
        "SELECT organisation_ids FROM collaborations WHERE collaboration_id = 'DUBLET-SAMARBEJDE-1'"
    ) == [kept_id]
    assert pair(kept_id, "DUBLET-1") not in _candidate_pairs(db)
    messages = db.query("SELECT message FROM quality_issues")["message"]
    assert messages.str.contains("DUBLET-1").any() and messages.str.contains("Kim").any()
    # the build keeps the inputs as they came, so undoing the decision brings the record back
    assert db.scalar("SELECT count(*) FROM input_organisations WHERE organisation_id = 'DUBLET-1'") == 1
    dup.undo_last(store, COORDINATOR_KIM)
    db = _build(tables, cfg, tiny_boundaries)
    assert db.scalar("SELECT count(*) FROM organisations WHERE organisation_id = 'DUBLET-1'") == 1
    assert pair(kept_id, "DUBLET-1") in _candidate_pairs(db)


def test_keeping_apart_is_remembered_across_builds(with_duplicate, cfg, tiny_boundaries):
    tables, kept_id = with_duplicate
    assert pair(kept_id, "DUBLET-1") in _candidate_pairs(_build(tables, cfg, tiny_boundaries))
    dup.decide(open_store(cfg), COORDINATOR_KIM, "DUBLET-1", kept_id, dup.KEEP_APART)
    for _ in range(2):
        db = _build(tables, cfg, tiny_boundaries)
        assert pair(kept_id, "DUBLET-1") not in _candidate_pairs(db)
        assert db.scalar("SELECT count(*) FROM organisations WHERE organisation_id = 'DUBLET-1'") == 1


def test_a_stale_decision_is_a_warning_in_the_build(example_tables, cfg, tiny_boundaries):
    dup.decide(open_store(cfg), COORDINATOR_KIM, "ORG-000001", "VAEK-1", dup.MERGE, keep_key="VAEK-1")
    db = _build(example_tables, cfg, tiny_boundaries)
    issues = db.query("SELECT severity, message FROM quality_issues WHERE message LIKE '%VAEK-1%'")
    assert len(issues) == 1 and issues.iloc[0]["severity"] == "advarsel"
    assert db.scalar("SELECT count(*) FROM organisations WHERE organisation_id = 'ORG-000001'") == 1


@pytest.mark.parametrize("who", [ANONYMOUS, Principal("Deltager", frozenset({PARTICIPANT}), "workshopkode")])
def test_only_a_coordinator_may_decide_or_undo(cfg, who):
    store = open_store(cfg)
    with pytest.raises(PermissionDenied, match="koordinatoradgang"):
        dup.decide(store, who, "ORG-1", "ORG-2", dup.KEEP_APART)
    dup.decide(store, COORDINATOR_KIM, "ORG-1", "ORG-2", dup.KEEP_APART)
    with pytest.raises(PermissionDenied):
        dup.undo_last(store, who)
    with pytest.raises(PermissionDenied):
        rebuild(principal=who, cfg=cfg)
    assert len(dup.decisions(store)) == 1
