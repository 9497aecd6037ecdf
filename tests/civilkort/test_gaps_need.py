"""Offers per 1,000 people in the target group, on the tiny hand-made world of ``test_gaps`` (same offers and
population) with three need indicators:

    indicator                     unit       Brønderslev 810  Frederikshavn 813  Hjørring 860  Læsø 825
    Borgere 80+                   people     2.500            3.000              4.000         (none)
    Andel meget ensomme           percent    (none)           5,0                12,5
    Hjemløse pr. 1.000 borgere    per_1000   0,25             0,4                0,3

Mapped by the defaults: Ældre ↔ 80+, Ensomme ↔ ensom, Hjemløse ↔ hjemløs; Børn og unge has none.
"""

from __future__ import annotations

import pandas as pd
import pytest

from civilkort import gaps
from civilkort.db import Database
from civilkort.settings import Settings
from etl.indicators import Indicator
from etl.need_map import Rule
from tests.civilkort.test_gaps import POPULATION, VENDSYSSEL, tiny_tables
from tests.conftest import PROJECT_ROOT, clean_input


def _indicator(name: str, unit: str, values: dict[int, float]) -> Indicator:
    frame = pd.DataFrame({"municipality_code": list(values), "value": [float(v) for v in values.values()]})
    return Indicator(name, unit, "2025", "Test", "test.csv", frame)


INDICATORS = [
    _indicator("Borgere 80+", "people", {810: 2500, 813: 3000, 860: 4000}),
    _indicator("Andel meget ensomme", "percent", {813: 5.0, 860: 12.5}),
    _indicator("Hjemløse pr. 1.000 borgere", "per_1000", {810: 0.25, 813: 0.4, 860: 0.3}),
]


def _build(tmp_path_factory, example_tables, *, population: bool, need_map=()) -> Database:
    from etl.build import build

    pop = pd.DataFrame(
        {
            "municipality_code": list(POPULATION),
            "population": list(POPULATION.values()),
            "population_period": "x",
        }
    )
    result = build(
        clean_input(tiny_tables(example_tables)),
        population=pop if population else None,
        indicators=INDICATORS,
        need_map=need_map,
        cfg=Settings(data_dir=tmp_path_factory.mktemp("need-db"), static_dir=PROJECT_ROOT / "static"),
    )
    return Database(result.path)


@pytest.fixture(scope="module")
def db(tmp_path_factory, example_tables):
    database = _build(tmp_path_factory, example_tables, population=True)
    yield database
    database.close()


def _cells(df: pd.DataFrame, column: str) -> dict[tuple[str, str], object]:
    return {(r, c): v for r, c, v in zip(df["row_label"], df["col_key"], df[column])}


def test_the_defaults_map_the_groups_whose_indicator_is_loaded(db):
    m = gaps.need_map(db).set_index("target_group")
    assert m.loc["aeldre", "indicator"] == "Borgere 80+" and m.loc["aeldre", "origin"] == "standard"
    assert m.loc["ensomme", "indicator"] == "Andel meget ensomme"
    assert m.loc["hjemloese", "indicator"] == "Hjemløse pr. 1.000 borgere"
    assert m.loc["hjemloese", "counted"] == gaps.COUNTED["per_1000"]
    assert pd.isna(m.loc["boern_unge", "indicator"]) and pd.isna(m.loc["sprogbarrierer", "indicator"])


def test_one_cell_by_hand(db):
    m = gaps.matrix(db, VENDSYSSEL, "municipality", "target_group", measure="per_1000_group")
    people, per_1000 = _cells(m, "group_people"), _cells(m, "value")
    # Hjørring, Ældre: T1 and T2 (T4 is 'ophoert') among 4.000 people 80+: 2 × 1.000 / 4.000 = 0,5
    assert (people["Hjørring", "aeldre"], per_1000["Hjørring", "aeldre"]) == (4000, 0.5)
    # Hjørring, Ensomme: T2, T3 among 12,5 % of 64.000 = 8.000: 0,25
    assert (people["Hjørring", "ensomme"], per_1000["Hjørring", "ensomme"]) == (8000, 0.25)
    # Frederikshavn, Hjemløse: 0,4 per 1.000 of 40.000 = 16 people, no offer: 0
    assert (people["Frederikshavn", "hjemloese"], per_1000["Frederikshavn", "hjemloese"]) == (16, 0.0)
    # Brønderslev, Hjemløse: 0,25 × 36.000 / 1.000 = 9 people
    assert people["Brønderslev", "hjemloese"] == 9
    # Frederikshavn, Ældre: T5 among 3.000: 0,33
    assert per_1000["Frederikshavn", "aeldre"] == pytest.approx(0.33)
    # No indicator for Børn og unge; Læsø has no value for any; Brønderslev no share lonely
    assert pd.isna(per_1000["Hjørring", "boern_unge"]) and pd.isna(people["Hjørring", "boern_unge"])
    assert pd.isna(per_1000["Læsø", "aeldre"]) and pd.isna(people["Brønderslev", "ensomme"])
    # beside offers per 10.000 inhabitants, unchanged
    assert _cells(m, "per_10k")["Hjørring", "aeldre"] == pytest.approx(0.3)  # 2 / 64.000


def test_both_orientations_carry_the_measure(db):
    m = gaps.matrix(db, VENDSYSSEL, "target_group", "municipality", measure="per_1000_group")
    hit = m[(m["row_key"] == "aeldre") & (m["col_label"] == "Hjørring")]
    assert hit["value"].iloc[0] == 0.5 and hit["group_people"].iloc[0] == 4000
    with pytest.raises(KeyError):
        gaps.matrix(db, VENDSYSSEL, "municipality", "theme", measure="per_1000_group")


def test_without_population_only_counts_of_people_give_a_figure(tmp_path_factory, example_tables):
    db = _build(tmp_path_factory, example_tables, population=False)
    try:
        m = gaps.matrix(db, VENDSYSSEL, "municipality", "target_group", measure="per_1000_group")
        per_1000 = _cells(m, "value")
        assert per_1000["Hjørring", "aeldre"] == 0.5  # people as they are
        assert pd.isna(per_1000["Hjørring", "ensomme"]) and pd.isna(per_1000["Hjørring", "hjemloese"])
    finally:
        db.close()


def test_a_coordinators_rules_replace_the_defaults_of_the_groups_they_name(tmp_path_factory, example_tables):
    rules = [Rule("aeldre", "", "kort.csv"), Rule("boern_unge", "ensomme", "kort.csv")]
    db = _build(tmp_path_factory, example_tables, population=True, need_map=rules)
    try:
        m = gaps.need_map(db).set_index("target_group")
        assert pd.isna(m.loc["aeldre", "indicator"]) and m.loc["aeldre", "origin"] == "kort.csv"
        assert m.loc["boern_unge", "indicator"] == "Andel meget ensomme"
        assert m.loc["ensomme", "origin"] == "standard"  # not named: the default
        kept = db.query("SELECT target_group, pattern, file_name FROM ref_target_group_need_file")
        assert kept.to_dict("list") == {
            "target_group": ["aeldre", "boern_unge"],
            "pattern": ["", "ensomme"],
            "file_name": ["kort.csv", "kort.csv"],
        }
    finally:
        db.close()


def test_an_older_build_without_the_mapping_gives_no_figure(db, tmp_path):
    import duckdb

    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute(f"ATTACH '{db.path}' AS src (READ_ONLY)")
    con.execute("COPY FROM DATABASE src TO old")
    con.execute("DROP VIEW target_group_people")
    con.close()
    older = Database(old)
    try:
        assert not gaps.has_need_map(older) and gaps.need_map(older).empty
        m = gaps.matrix(older, VENDSYSSEL, "municipality", "target_group", measure="per_1000_group")
        assert m["value"].isna().all() and m["n"].sum() > 0
    finally:
        older.close()


def test_the_export_table_carries_the_measures(db):
    m = gaps.matrix(db, VENDSYSSEL, "municipality", "target_group")
    table = gaps.matrix_table(m, "municipality", "target_group")
    assert list(table.columns) == [
        "Kommune",
        "Målgruppe",
        "Tilbud",
        "Folketal",
        "Tilbud pr. 10.000 indbyggere",
        "Personer i målgruppen",
        "Tilbud pr. 1.000 i målgruppen",
        "Kortlagt",
    ]
    row = table[(table["Kommune"] == "Hjørring") & (table["Målgruppe"] == "Ældre")].iloc[0]
    assert row["Tilbud pr. 1.000 i målgruppen"] == 0.5
