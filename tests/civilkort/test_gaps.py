"""Gap analysis and council comparison, pinned on a tiny hand-made database (today = 01-11-2026).

The world: Sundhedsråd Vendsyssel (810 Brønderslev, 813 Frederikshavn, 825 Læsø, 860 Hjørring),
plus one organisation in 851 Aalborg (Sundhedsråd Limfjorden). 12 months before today is 01-11-2025.

    org  place                 precision     verified
    A    Hjørring              coordinates   01-06-2026 (fresh)
    B    Hjørring              municipality  never
    C    Frederikshavn         coordinates   01-06-2025 (stale)
    D    Aalborg               coordinates   01-10-2026

    offer org  place (how)             themes                 groups            referral  status   verified
    T1    A    Hjørring (org's)        forebyggelse, lighed   aeldre            ja        aktiv    01-10-2026
    T2    A    Hjørring (org's)        lighed                 aeldre, ensomme   nej       aktiv    never
    T3    B    Hjørring (org's, ~)     brobygning             ensomme           ?         aktiv    01-11-2025 (edge)
    T4    B    Hjørring (org's, ~)     forebyggelse           boern_unge        ja        ophoert  31-10-2025
    T5    C    Frederikshavn (org's)   forebyggelse           aeldre            ja        aktiv    15-01-2026
    T6    C    Brønderslev (own)       lighed                 boern_unge        ja        aktiv    31-10-2026
    T7    D    Aalborg (org's)         udvikling              aeldre            nej       aktiv    01-10-2026

Læsø has no records at all: 'ikke kortlagt'. Brønderslev has no organisation but one offer: mapped.
Collaboration S1 joins a hospital in Hjørring with D (Aalborg): it touches two councils of one region.
Population (FOLK1A): Brønderslev 36.000, Frederikshavn 40.000, Læsø 1.800, Hjørring 64.000,
Aalborg 222.000; the other municipalities have none.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from civilkort import charts, gaps, queries
from civilkort.db import Database
from civilkort.filters import Selection
from civilkort.index import DataIndex
from civilkort.settings import Settings
from tests.conftest import PROJECT_ROOT, clean_input, typed_rows

TODAY = dt.date(2026, 11, 1)
D = pd.Timestamp
VENDSYSSEL = Selection(area="council:vendsyssel")
THEMES = ["forebyggelse", "lighed", "brobygning", "udvikling"]
POINT = {810: (57.20378, 10.19538), 813: (57.46076, 10.45444), 860: (57.46275, 10.07536), 851: (57.04, 9.92)}
POPULATION = {810: 36000, 813: 40000, 825: 1800, 860: 64000, 851: 222000}


def _org(oid, name, municipality, exact, verified, org_type="frivillig_forening", staffing="frivillige"):
    lat, lon = POINT[municipality] if exact else (None, None)
    return {
        "organisation_id": oid,
        "name": name,
        "organisation_type": org_type,
        "staffing": staffing,
        "municipality": municipality,
        "lat": lat,
        "lon": lon,
        "last_verified": D(verified) if verified else pd.NaT,
    }


def _offer(oid, org, themes, groups, referral, status, verified, own=None, level="primaer"):
    lat, lon = POINT[own] if own else (None, None)
    return {
        "offer_id": oid,
        "organisation_id": org,
        "name": f"Tilbud {oid}",
        "themes": themes,
        "target_groups": groups,
        "accepts_social_referrals": referral,
        "prevention_level": level,
        "service_area": [],
        "status": status,
        "last_verified": D(verified) if verified else pd.NaT,
        "municipality": own,
        "lat": lat,
        "lon": lon,
    }


def tiny_tables(example: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The hand-made world described in the module docstring."""
    rows = {
        "organisations": [
            _org("A", "Forening A", 860, True, "2026-06-01"),
            _org("B", "Netværk B", 860, False, None, org_type="uformelt_netvaerk", staffing="loennede"),
            _org("C", "Forening C", 813, True, "2025-06-01"),
            _org("D", "Forening D", 851, True, "2026-10-01"),
        ],
        "offers": [
            _offer("T1", "A", ["forebyggelse", "lighed"], ["aeldre"], True, "aktiv", "2026-10-01"),
            _offer("T2", "A", ["lighed"], ["aeldre", "ensomme"], False, "aktiv", None),
            _offer("T3", "B", ["brobygning"], ["ensomme"], None, "aktiv", "2025-11-01"),
            _offer("T4", "B", ["forebyggelse"], ["boern_unge"], True, "ophoert", "2025-10-31"),
            _offer("T5", "C", ["forebyggelse"], ["aeldre"], True, "aktiv", "2026-01-15", level="sekundaer"),
            _offer("T6", "C", ["lighed"], ["boern_unge"], True, "aktiv", "2026-10-31", own=810),
            _offer("T7", "D", ["udvikling"], ["aeldre"], False, "aktiv", "2026-10-01"),
        ],
        "regional_units": [
            {"unit_id": "U1", "name": "Hospital H", "unit_type": "hospital", "municipality": 860}
        ],
        "collaborations": [
            {
                "collaboration_id": "S1",
                "title": "Samarbejde over rådsgrænsen",
                "unit_ids": ["U1"],
                "organisation_ids": ["D"],
                "themes": ["udvikling"],
                "target_groups": ["aeldre"],
                "municipalities": [],
                "status": "aktiv",
            }
        ],
        "experiences": [],
    }
    sheets = {"organisations": "Organisationer", "offers": "Tilbud", "regional_units": "Regionale enheder"}
    return {
        name: typed_rows(example[name], r, sheets.get(name, name.capitalize())) for name, r in rows.items()
    }


def _build(tmp_path_factory, example_tables, population: pd.DataFrame | None) -> Database:
    from etl.build import build

    path = tmp_path_factory.mktemp("gaps-db")
    result = build(
        clean_input(tiny_tables(example_tables)),
        population=population,
        cfg=Settings(data_dir=path, static_dir=PROJECT_ROOT / "static"),
    )
    return Database(result.path)


@pytest.fixture(scope="module")
def db(tmp_path_factory, example_tables):
    population = pd.DataFrame(
        {
            "municipality_code": list(POPULATION),
            "population": list(POPULATION.values()),
            "population_period": "2025K1",
        }
    )
    database = _build(tmp_path_factory, example_tables, population)
    yield database
    database.close()


@pytest.fixture(scope="module")
def db_without_population(tmp_path_factory, example_tables):
    database = _build(tmp_path_factory, example_tables, None)
    yield database
    database.close()


def _grid(df: pd.DataFrame, column: str = "n") -> dict[tuple[str, str], object]:
    return {(r, c): v for r, c, v in zip(df["row_label"], df["col_key"], df[column])}


# --- the hand-made database itself ------------------------------------------------------------------


def test_the_tiny_world_is_placed_as_described(db):
    placed = db.query("SELECT offer_id, municipality_code, location_precision FROM offers ORDER BY offer_id")
    assert dict(zip(placed["offer_id"], placed["municipality_code"])) == {
        "T1": 860,
        "T2": 860,
        "T3": 860,
        "T4": 860,
        "T5": 813,
        "T6": 810,
        "T7": 851,
    }
    assert set(placed.loc[placed["location_precision"] != "coordinates", "offer_id"]) == {"T3", "T4"}
    assert db.scalar("SELECT municipality_codes FROM collaborations") == [851, 860]


# --- matrices ---------------------------------------------------------------------------------------


def test_municipality_by_theme_has_every_cell_in_order_with_zeros(db):
    m = gaps.matrix(db, VENDSYSSEL, "municipality", "theme")
    assert list(dict.fromkeys(m["row_label"])) == ["Brønderslev", "Frederikshavn", "Hjørring", "Læsø"]
    assert list(dict.fromkeys(m["col_key"])) == THEMES
    assert len(m) == 16
    grid = _grid(m)
    assert [grid["Hjørring", t] for t in THEMES] == [1, 2, 1, 0]  # T4 is 'ophoert', outside the default
    assert [grid["Frederikshavn", t] for t in THEMES] == [1, 0, 0, 0]
    assert [grid["Brønderslev", t] for t in THEMES] == [0, 1, 0, 0]  # T6 counts where it is held
    assert [grid["Læsø", t] for t in THEMES] == [0, 0, 0, 0]
    assert m["value"].equals(m["n"])


def test_ikke_kortlagt_is_not_a_gap(db):
    m = gaps.matrix(db, VENDSYSSEL, "municipality", "theme")
    mapped = dict(zip(m["row_label"], m["row_mapped"]))
    assert mapped == {"Brønderslev": True, "Frederikshavn": True, "Hjørring": True, "Læsø": False}
    assert gaps.matrix_summary(m) == {"cells": 12, "empty": 7, "unmapped": 1}


def test_an_axis_ignores_its_own_filter_and_keeps_the_others(db):
    plain = gaps.matrix(db, VENDSYSSEL, "municipality", "theme")
    by_theme = gaps.matrix(
        db, Selection(area="council:vendsyssel", themes=("lighed",)), "municipality", "theme"
    )
    pd.testing.assert_frame_equal(plain, by_theme)
    # ... but the theme filter applies to the target-group matrix: only T1, T2 and T6 remain.
    groups = gaps.matrix(
        db, Selection(area="council:vendsyssel", themes=("lighed",)), "municipality", "target_group"
    )
    nonzero = {k: v for k, v in _grid(groups).items() if v}
    assert nonzero == {
        ("Brønderslev", "boern_unge"): 1,
        ("Hjørring", "aeldre"): 2,
        ("Hjørring", "ensomme"): 1,
    }
    # Other filters apply to every matrix: status, prevention level, organisation type, referrals, text.
    everything = gaps.matrix(db, Selection(area="council:vendsyssel", statuses=()), "municipality", "theme")
    assert _grid(everything)["Hjørring", "forebyggelse"] == 2
    secondary = gaps.matrix(
        db, Selection(area="council:vendsyssel", prevention_levels=("sekundaer",)), "municipality", "theme"
    )
    assert {k: v for k, v in _grid(secondary).items() if v} == {("Frederikshavn", "forebyggelse"): 1}
    networks = Selection(area="council:vendsyssel", organisation_types=("uformelt_netvaerk",))
    assert {k: v for k, v in _grid(gaps.matrix(db, networks, "municipality", "theme")).items() if v} == {
        ("Hjørring", "brobygning"): 1
    }
    named = Selection(area="council:vendsyssel", text="tilbud t6")
    assert {k: v for k, v in _grid(gaps.matrix(db, named, "municipality", "theme")).items() if v} == {
        ("Brønderslev", "lighed"): 1
    }


def test_theme_by_target_group_ignores_both_axis_filters(db):
    sel = Selection(area="council:vendsyssel", themes=("brobygning",), target_groups=("hjemloese",))
    m = gaps.matrix(db, sel, "theme", "target_group")
    assert len(m) == 4 * 16 and list(dict.fromkeys(m["row_key"])) == THEMES
    nonzero = {(r, c): v for r, c, v in zip(m["row_key"], m["col_key"], m["n"]) if v}
    assert nonzero == {
        ("forebyggelse", "aeldre"): 2,
        ("lighed", "aeldre"): 2,
        ("lighed", "ensomme"): 1,
        ("lighed", "boern_unge"): 1,
        ("brobygning", "ensomme"): 1,
    }
    assert m["row_mapped"].all() and m["col_mapped"].all()


def test_per_10k_uses_each_municipality_and_rounds_half_up(db):
    m = gaps.matrix(db, VENDSYSSEL, "municipality", "theme", per_10k=True)
    grid = _grid(m, "value")
    assert grid["Hjørring", "lighed"] == pytest.approx(0.3)  # 2 / 64.000
    assert grid["Frederikshavn", "forebyggelse"] == pytest.approx(0.3)  # 1 / 40.000 = 0,25 -> 0,3 like SQL
    assert grid["Brønderslev", "lighed"] == pytest.approx(0.3)  # 1 / 36.000
    assert grid["Læsø", "lighed"] == 0
    # theme x target group: the area's population (36.000 + 40.000 + 1.800 + 64.000 = 141.800)
    t = gaps.matrix(db, VENDSYSSEL, "theme", "target_group", per_10k=True)
    assert set(t["population"]) == {141800}
    assert _grid(t, "value")["Forebyggelse", "aeldre"] == pytest.approx(0.1)


def test_without_population_everything_works_and_per_10k_is_empty(db_without_population):
    m = gaps.matrix(db_without_population, VENDSYSSEL, "municipality", "theme", per_10k=True)
    assert m["value"].isna().all() and m["n"].sum() == 6  # T1 counts under two themes
    assert not gaps.population_loaded(db_without_population)
    compare = gaps.compare_councils(db_without_population, Selection(), today=TODAY)
    assert compare["offers_per_10k"].isna().all() and compare["population"].isna().all()


def test_a_population_gap_in_the_area_leaves_the_area_rate_empty(db):
    # Region Nordjylland has municipalities without population: no area total, no rate.
    t = gaps.matrix(db, Selection(area="region:nordjylland"), "theme", "target_group", per_10k=True)
    assert t["population"].isna().all() and t["value"].isna().all()


def test_transposed_matrix_is_the_same_cells(db):
    a = gaps.matrix(db, VENDSYSSEL, "municipality", "theme")
    b = gaps.matrix(db, VENDSYSSEL, "theme", "municipality")
    assert list(dict.fromkeys(b["row_key"])) == THEMES
    assert list(dict.fromkeys(b["col_label"])) == ["Brønderslev", "Frederikshavn", "Hjørring", "Læsø"]
    assert {(r, c): n for r, c, n in zip(a["row_key"], a["col_key"], a["n"])} == {
        (c, r): n for r, c, n in zip(b["row_key"], b["col_key"], b["n"])
    }
    assert not dict(zip(b["col_label"], b["col_mapped"]))["Læsø"]
    assert b["row_mapped"].all()


def test_unknown_axes_are_refused(db):
    with pytest.raises(gaps.UnknownDimension):
        gaps.matrix(db, VENDSYSSEL, "municipality", "municipality")
    with pytest.raises(gaps.UnknownDimension):
        gaps.matrix(db, VENDSYSSEL, "municipality", "'; DROP TABLE offers --")


# --- drill-down -------------------------------------------------------------------------------------


def test_the_offers_behind_a_cell(db):
    items = gaps.matrix_items(db, VENDSYSSEL, "860", "lighed", "municipality", "theme")
    assert list(items["offer_id"]) == ["T1", "T2"]
    # The same rule as the matrix: the theme filter does not hide the cell's offers.
    sel = Selection(area="council:vendsyssel", themes=("brobygning",))
    assert list(gaps.matrix_items(db, sel, 860, "lighed", "municipality", "theme")["offer_id"]) == [
        "T1",
        "T2",
    ]
    flipped = gaps.matrix_items(db, VENDSYSSEL, "lighed", "860", "theme", "municipality")
    assert list(flipped["offer_id"]) == ["T1", "T2"]
    pair = gaps.matrix_items(db, VENDSYSSEL, "lighed", "ensomme", "theme", "target_group")
    assert list(pair["offer_id"]) == ["T2"]
    assert gaps.matrix_items(db, VENDSYSSEL, "825", "lighed", "municipality", "theme").empty


@pytest.mark.parametrize(
    ("rows", "cols"),
    [("municipality", "theme"), ("municipality", "target_group"), ("theme", "target_group")],
)
def test_every_cell_count_equals_its_list(db, rows, cols):
    sel = Selection(area="region:nordjylland")
    m = gaps.matrix(db, sel, rows, cols)
    for r, c, n in zip(m["row_key"], m["col_key"], m["n"]):
        if n or r in ("860", "lighed"):
            assert len(gaps.matrix_items(db, sel, r, c, rows, cols)) == n, (r, c)


def test_a_limited_list_is_the_first_rows_and_the_cell_count_the_whole(small_db):
    sel = Selection(area="dk")
    m = gaps.matrix(small_db, sel, "municipality", "theme")
    r, c, n = max(zip(m["row_key"], m["col_key"], m["n"]), key=lambda x: x[2])
    full = gaps.matrix_items(small_db, sel, r, c, "municipality", "theme")
    first = gaps.matrix_items(small_db, sel, r, c, "municipality", "theme", limit=3)
    assert n > 3 and gaps.cell_count(m, r, c) == n == len(full)
    pd.testing.assert_frame_equal(first, full.head(3))
    assert gaps.cell_count(m, "999", c) == 0
    refs = gaps.referral_items(small_db, sel, r, "aeldre")
    assert len(gaps.referral_items(small_db, sel, r, "aeldre", limit=1)) == min(1, len(refs))


# --- coverage ---------------------------------------------------------------------------------------


def test_coverage_scores_and_ikke_kortlagt(db):
    cov = gaps.coverage(db, VENDSYSSEL, today=TODAY).set_index("municipality_name")
    h = cov.loc["Hjørring"]
    assert (h["organisations"], h["offers"], h["records"], h["offers_matching"]) == (2, 4, 6, 3)
    # Verified: A, T1 and T3 (exactly 12 months) of 6; approximate: B, T3, T4 of 6; depth 2/10.
    assert (h["verified_pct"], h["approximate_pct"], h["depth_pct"]) == (50.0, 50.0, 20.0)
    assert h["score"] == 38 and h["status"] == "spinkelt kortlagt"  # 8 + 20 + 10
    f = cov.loc["Frederikshavn"]
    assert (f["verified_pct"], f["approximate_pct"], f["score"], f["status"]) == (
        50.0,
        0.0,
        44,
        "delvist kortlagt",
    )
    b = cov.loc["Brønderslev"]  # one offer, no organisation: mapped, but thinly
    assert (b["organisations"], b["records"], b["score"], b["status"]) == (0, 1, 60, "delvist kortlagt")
    laeso = cov.loc["Læsø"]
    assert laeso["status"] == "ikke kortlagt" and laeso["records"] == 0
    assert pd.isna(laeso["score"]) and pd.isna(laeso["verified_pct"]) and laeso["depth_pct"] == 0
    assert gaps.coverage_summary(cov.reset_index()) == {"municipalities": 4, "unmapped": 1, "mean_score": 36}


def test_coverage_ignores_filters_except_in_the_matching_column(db):
    plain = gaps.coverage(db, VENDSYSSEL, today=TODAY)
    filtered = gaps.coverage(
        db, Selection(area="council:vendsyssel", themes=("udvikling",), referrals="ja"), today=TODAY
    )
    pd.testing.assert_frame_equal(
        plain.drop(columns="offers_matching"), filtered.drop(columns="offers_matching")
    )
    assert filtered["offers_matching"].sum() == 0


def test_freshness_moves_with_today(db):
    later = gaps.coverage(db, VENDSYSSEL, today=dt.date(2026, 11, 2)).set_index("municipality_name")
    assert later.loc["Hjørring", "verified_pct"] == pytest.approx(33.3)  # T3 is now 12 months + 1 day old


def test_a_fully_mapped_municipality_is_godt_kortlagt(db, monkeypatch):
    monkeypatch.setattr(gaps, "FULL_DEPTH", 1)
    cov = gaps.coverage(db, Selection(area="council:limfjorden"), today=TODAY).set_index("municipality_name")
    assert cov.loc["Aalborg", "score"] == 100 and cov.loc["Aalborg", "status"] == "godt kortlagt"


# --- social referrals -------------------------------------------------------------------------------


def test_referral_readiness_per_municipality_and_target_group(db):
    r = gaps.referral_readiness(db, VENDSYSSEL)
    assert len(r) == 4 * 16
    cells = {(m, g): (n, t, u, s) for m, g, n, t, u, s in r[["row_label", "col_key", "n", "n_offers", "n_unknown", "share_pct"]].itertuples(index=False)}  # fmt: skip
    assert cells["Hjørring", "aeldre"] == (1, 2, 0, 50.0)
    assert cells["Hjørring", "ensomme"] == (0, 2, 1, 0.0)
    assert cells["Frederikshavn", "aeldre"] == (1, 1, 0, 100.0)
    assert cells["Brønderslev", "boern_unge"] == (1, 1, 0, 100.0)
    n, total, _, share = cells["Hjørring", "boern_unge"]  # T4 is 'ophoert'
    assert (n, total) == (0, 0) and pd.isna(share)
    assert not dict(zip(r["row_label"], r["row_mapped"]))["Læsø"]
    # The referral and target-group filters are the view's own axes: ignored.
    ignored = gaps.referral_readiness(
        db, Selection(area="council:vendsyssel", referrals="nej", target_groups=("hjemloese",))
    )
    pd.testing.assert_frame_equal(r, ignored)
    items = gaps.referral_items(db, VENDSYSSEL, "860", "aeldre")
    assert list(items["offer_id"]) == ["T1"]


# --- the council comparison -------------------------------------------------------------------------


def test_compare_lists_17_councils_4_regions_and_the_nation(db):
    c = gaps.compare_councils(db, Selection(area="council:fyn"), today=TODAY)  # the area is ignored
    assert list(c["level"].value_counts().sort_index().items()) == [
        ("council", 17),
        ("national", 1),
        ("region", 4),
    ]
    assert c["level"].iloc[-1] == "national" and c["name"].iloc[-1] == "Hele Danmark"
    # Each region's councils come first, then the region's own row.
    nord = c[c["region_name"] == "Region Nordjylland"]
    assert list(nord["name"]) == ["Sundhedsråd Limfjorden", "Sundhedsråd Vendsyssel", "Region Nordjylland"]
    assert c.loc[c["level"] == "council", "n_municipalities"].sum() == 98


def test_compare_measures_for_a_council_its_region_and_the_nation(db):
    c = gaps.compare_councils(db, Selection(), today=TODAY).set_index("area_id")
    v = c.loc["vendsyssel"]
    assert (v["n_municipalities"], v["population"], v["organisations"], v["offers"]) == (4, 141800, 3, 5)
    assert v["offers_per_10k"] == pytest.approx(0.4)  # 5 / 141.800
    assert (v["referral_offers"], v["referral_pct"]) == (3, 60.0)
    assert (v["theme_gaps"], v["target_group_gaps"]) == (1, 13)
    assert v["empty_theme_cells_pct"] == pytest.approx(58.3)  # 7 of 12 cells in mapped municipalities
    assert (v["municipalities_unmapped"], v["verified_pct"], v["approximate_pct"]) == (1, 55.6, 33.3)
    assert v["score"] == 36  # mean of 60, 44, 38 and 0 (Læsø), rounded half up
    cov = gaps.coverage(db, VENDSYSSEL, today=TODAY)
    assert gaps.coverage_summary(cov)["mean_score"] == v["score"]
    # S1 touches Vendsyssel and Limfjorden: once in each council, once in the region, once nationally.
    assert c.loc["vendsyssel", "collaborations"] == 1 and c.loc["limfjorden", "collaborations"] == 1
    assert c.loc["nordjylland", "collaborations"] == 1 and c.loc["dk", "collaborations"] == 1
    n = c.loc["dk"]
    assert (n["offers"], n["organisations"], n["n_municipalities"]) == (6, 4, 98)
    assert pd.isna(n["population"]) and pd.isna(n["offers_per_10k"])
    assert n["municipalities_unmapped"] == 98 - 4  # records in Brønderslev, Frederikshavn, Hjørring, Aalborg
    assert c.loc["fyn", "score"] == 0 and pd.isna(c.loc["fyn", "verified_pct"])


def test_compare_applies_filters_but_each_measure_ignores_its_own_axis(db):
    c = gaps.compare_councils(db, Selection(themes=("lighed",), referrals="nej"), today=TODAY)
    v = c.set_index("area_id").loc["vendsyssel"]
    assert v["offers"] == 1  # T2 only
    assert (v["referral_offers"], v["referral_pct"]) == (2, pytest.approx(66.7))  # T1, T6 of T1, T2, T6
    assert v["theme_gaps"] == 3  # themes counted without the theme filter: only T2 (lighed) is 'nej'
    assert v["organisations"] == 1  # A (has T2)


# --- the gap views agree with the map and the lists ------------------------------------------------------------------------------

SELECTIONS = [
    Selection(),
    VENDSYSSEL,
    Selection(area="region:nordjylland", themes=("lighed",), referrals="ja"),
    Selection(area="council:vendsyssel", target_groups=("aeldre", "ensomme"), statuses=()),
    Selection(text="tilbud t", organisation_types=("frivillig_forening",)),
    Selection(
        area="council:vendsyssel", staffing=("loennede",), prevention_levels=("primaer",), referrals="nej"
    ),
]


def _agree(db: Database, selections: list[Selection]) -> None:
    """The gap views (SQL) give the figures the map (the in-memory index) and the lists give."""
    index = DataIndex(db)
    for sel in selections:
        coverage = gaps.coverage(db, sel, today=TODAY).set_index("municipality_code")
        on_map = queries.municipality_measures(db, sel, index).set_index("municipality_code")
        assert coverage["offers_matching"].to_dict() == on_map["offers"].to_dict(), sel
        for rows, cols in [
            ("municipality", "theme"),
            ("municipality", "target_group"),
            ("theme", "target_group"),
        ]:
            m = gaps.matrix(db, sel, rows, cols)
            cells = pd.concat([m[m["n"] > 0], m[m["n"] == 0].head(5)])  # every count, and some zeros
            for row_key, col_key, n in cells[["row_key", "col_key", "n"]].itertuples(index=False):
                items = gaps.matrix_items(db, sel, row_key, col_key, rows, cols)
                assert len(items) == n, (sel, rows, cols, row_key, col_key)
        compared = gaps.compare_councils(db, sel, today=TODAY).set_index("area_id")
        for council in compared.index[compared["level"] == "council"]:
            figures = queries.key_figures(db, replace(sel, area=f"council:{council}"), index)
            row = compared.loc[council]
            assert (row["organisations"], row["offers"], row["collaborations"]) == (
                figures["organisations"],
                figures["offers"],
                figures["collaborations"],
            ), (sel, council)


def test_the_gap_views_give_the_map_s_and_the_lists_figures(db):
    _agree(db, SELECTIONS)


def test_the_gap_views_agree_on_the_example_data(small_db):
    _agree(small_db, SELECTIONS[:1] + SELECTIONS[2:4])


# --- reproducibility: documented SQL on the public schema ---------------------------------------------


@pytest.mark.parametrize(
    ("view", "kwargs"),
    [
        ("matrix", {"rows": "municipality", "cols": "theme"}),
        ("matrix", {"rows": "theme", "cols": "target_group"}),
        ("matrix_items", {"row_key": "860", "col_key": "lighed", "rows": "municipality", "cols": "theme"}),
        ("coverage", {}),
        ("referral_readiness", {}),
        ("referral_items", {"row_key": "860", "col_key": "aeldre"}),
        ("compare_councils", {}),
    ],
)
def test_statement_is_the_sql_file_with_the_selection_parameters(db, view, kwargs):
    sel = Selection(area="council:vendsyssel", prevention_levels=("primaer",))
    text, params = gaps.statement(view, sel, today=TODAY, **kwargs)
    assert text in {gaps.sql(name) for name in gaps.SQL_FILES}
    extras = {"today", "full_depth", "cell_municipality", "cell_theme", "cell_group"}
    assert set(params) <= set(queries.params(sel)) | extras
    # The comparison shows all councils: it binds no area at all.
    assert params.get("codes") == (None if view == "compare_councils" else queries.params(sel)["codes"])
    assert params["levels"] == ["primaer"]
    assert not db.query(text, params).empty  # the shown SQL runs as it is


def test_effective_selection_is_what_a_view_uses():
    sel = Selection(area="council:aarhus", themes=("lighed",), target_groups=("aeldre",), referrals="ja")
    sel_elsewhere = Selection(
        area="council:aarhus", themes=("udvikling",), target_groups=("ensomme",), referrals="ja", item="org:X"
    )
    both = {"rows": "theme", "cols": "target_group"}
    assert gaps.effective_selection("matrix", sel, **both) == gaps.effective_selection(
        "matrix", sel_elsewhere, **both
    )
    mt = {"rows": "municipality", "cols": "theme"}
    assert gaps.effective_selection("matrix", sel, **mt).themes == ()
    assert gaps.effective_selection("matrix", sel, **mt).target_groups == ("aeldre",)
    ready = gaps.effective_selection("referral_readiness", sel)
    assert (ready.target_groups, ready.referrals, ready.themes) == ((), "", ("lighed",))
    assert gaps.effective_selection("compare_councils", sel).area == "dk"
    assert gaps.effective_selection("coverage", sel).area == "council:aarhus"


def test_sql_files_use_only_the_public_views():
    internal = re.compile(r"\b(core|ref|geo|meta)_\w+")
    for name in gaps.SQL_FILES:
        text = gaps.sql(name)
        assert not internal.search(text), name
        assert text.lstrip().startswith("--"), f"{name}.sql has no header comment"


def test_readme_lists_every_sql_file():
    readme = (Path(PROJECT_ROOT) / "README.md").read_text(encoding="utf-8")
    assert "## Huller og sammenligning: SQL" in readme
    for name in gaps.SQL_FILES:
        assert f"civilkort/sql/gaps/{name}.sql" in readme


# --- charts -------------------------------------------------------------------------------------------


def test_heatmap_marks_empty_and_unmapped_cells_and_escapes_labels(db):
    m = gaps.matrix(db, VENDSYSSEL, "municipality", "theme")
    m.loc[m["row_label"] == "Hjørring", "row_label"] = "<b>Hjørring</b>"
    fig = charts.gap_heatmap(m, selected=("860", "lighed"))
    heatmaps = [t for t in fig.data if t.type == "heatmap"]
    zero = next(t for t in heatmaps if t.colorscale[0][1] == charts.GAP_ZERO_COLOUR)
    unmapped = next(t for t in heatmaps if t.colorscale[0][1] == charts.UNMAPPED_COLOUR)
    assert sum(v == 1 for row in zero.z for v in row) == 7 and "0" in {x for row in zero.text for x in row}
    assert sum(v == 1 for row in unmapped.z for v in row) == 4  # the Læsø row
    ticks = list(fig.layout.yaxis.ticktext)
    assert "Læsø (ikke kortlagt)" in ticks and "&lt;b&gt;Hjørring&lt;/b&gt;" in ticks
    cells = next(t for t in fig.data if t.type == "scatter" and t.customdata is not None)
    assert len(cells.customdata) == 16 and list(cells.customdata[9]) == ["860", "lighed"]
    assert len(fig.layout.shapes) == 1  # the selected cell is outlined
    assert fig.layout.separators == ",."  # 1.234 and 2,5, as Danes write them


def test_heatmap_cell_reads_the_clicked_keys():
    assert charts.heatmap_cell({"points": [{"x": 1, "y": 2, "customdata": ["860", "lighed"]}]}) == (
        "860",
        "lighed",
    )
    assert charts.heatmap_cell({"points": []}) is None
    assert charts.heatmap_cell(None) is None
    assert charts.heatmap_cell({"points": [{"x": None, "customdata": None}]}) is None


def test_coverage_and_compare_charts(db):
    cov = gaps.coverage(db, VENDSYSSEL, today=TODAY)
    bar = charts.coverage_bar(cov)
    assert bar.data[0].y[0] == "Læsø" and bar.data[0].text[0] == "ikke kortlagt"
    c = gaps.compare_councils(db, Selection(), today=TODAY)
    fig = charts.compare_bar(c, "offers", title="Tilbud", additive=True)
    assert sum(len(t.y) for t in fig.data) == 17
    assert "Gennemsnit pr. sundhedsråd" in fig.layout.annotations[0].text
    assert gaps.danish(c).columns[0] == "Niveau" and "Hele landet" in set(gaps.danish(c)["Niveau"])


# --- an offer without theme (from another publisher's HSDS feed) -------------------------------------


@pytest.fixture(scope="module")
def db_themeless(tmp_path_factory, example_tables):
    """The tiny world plus T8: an offer of A in Hjørring read from HSDS without a theme (group: aeldre)."""
    from etl.build import build

    tables = tiny_tables(example_tables)
    t8 = typed_rows(
        example_tables["offers"], [_offer("T8", "A", [], ["aeldre"], None, "aktiv", None)], "service"
    )
    tables["offers"] = pd.concat([tables["offers"], t8], ignore_index=True)
    path = tmp_path_factory.mktemp("gaps-themeless")
    result = build(clean_input(tables), cfg=Settings(data_dir=path, static_dir=PROJECT_ROOT / "static"))
    database = Database(result.path)
    yield database
    database.close()


def test_an_offer_without_theme_is_counted_as_tema_ikke_angivet(db, db_themeless):
    assert "ikke_angivet" not in set(gaps.matrix(db, VENDSYSSEL, "municipality", "theme")["col_key"])
    m = gaps.matrix(db_themeless, VENDSYSSEL, "municipality", "theme")
    assert list(dict.fromkeys(m["col_key"])) == [*THEMES, "ikke_angivet"]
    grid = _grid(m)
    assert grid["Hjørring", "ikke_angivet"] == 1 and grid["Frederikshavn", "ikke_angivet"] == 0
    assert set(m.loc[m["col_key"] == "ikke_angivet", "col_label"]) == {"Tema ikke angivet"}
    # its cells are neither cells of the analysis nor gaps: the summary is the tiny world's
    assert gaps.matrix_summary(m) == gaps.matrix_summary(gaps.matrix(db, VENDSYSSEL, "municipality", "theme"))
    pair = gaps.matrix(db_themeless, VENDSYSSEL, "theme", "target_group")
    assert {
        (r, c): n for r, c, n in zip(pair["row_key"], pair["col_key"], pair["n"]) if r == "ikke_angivet" and n
    } == {("ikke_angivet", "aeldre"): 1}
    items = gaps.matrix_items(db_themeless, VENDSYSSEL, "860", "ikke_angivet", "municipality", "theme")
    assert list(items["offer_id"]) == ["T8"]
    _agree(db_themeless, SELECTIONS)


def test_an_offer_without_theme_in_the_theme_counts_and_the_quality_report(db_themeless):
    index = DataIndex(db_themeless)
    for by_theme in (
        queries.offers_by_theme(db_themeless, VENDSYSSEL),
        queries.offers_by_theme(db_themeless, VENDSYSSEL, index),
    ):
        assert by_theme.iloc[-1].tolist() == ["Tema ikke angivet", 1]
    themed = queries.offers_by_theme(db_themeless, Selection(area="council:vendsyssel", themes=("lighed",)))
    assert "Tema ikke angivet" not in set(themed["label"])  # a theme filter keeps only offers with that theme
    report = dict(queries.quality_report(db_themeless).itertuples(index=False))
    assert report["Tilbud uden tema (tema ikke angivet)"] == "1"


def test_an_offer_without_theme_says_so_in_the_lists_and_on_its_organisations_page(db_themeless):
    listed = queries.offers(db_themeless, VENDSYSSEL).set_index("offer_id")
    assert listed.loc["T8", "themes"] == "Tema ikke angivet"
    assert "Tema ikke angivet" not in set(listed.drop(index="T8")["themes"])  # the others name their themes
    owner = db_themeless.scalar("SELECT organisation_id FROM offers WHERE offer_id = 'T8'")
    offers = queries.organisation_detail(db_themeless, owner)["offers"].set_index("offer_id")
    assert offers.loc["T8", "themes"] == "Tema ikke angivet"
