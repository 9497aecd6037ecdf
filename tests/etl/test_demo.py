"""Tests for the example data generator (etl/demo/)."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from civilkort import reference, schema
from etl import demo

TODAY = dt.date(2026, 6, 1)
PROVENANCE = ["_file", "_sheet", "_row"]
STRING_KINDS = {"id", "ref", "text", "url", "email", "cvr", "postcode", "vocab"}
LIST_KINDS = {"vocab_list", "ref_list", "area_list"}


@pytest.fixture(scope="module")
def small() -> dict[str, pd.DataFrame]:
    """The small example dataset, anchored on a fixed date."""
    return demo.generate("small", seed=2027, today=TODAY)


@pytest.fixture(scope="module")
def council() -> dict[str, pd.DataFrame]:
    """The default (council) example dataset, anchored on a fixed date."""
    return demo.generate("council", seed=2027, today=TODAY)


def assert_typed(frame: pd.DataFrame, table: schema.Table) -> None:
    """Fail unless ``frame`` has exactly the typed format for ``table``: columns, dtypes, provenance."""
    assert list(frame.columns) == table.field_names + PROVENANCE, table.name
    for f in table.fields:
        col = frame[f.name]
        where = f"{table.name}.{f.name} ({f.kind}): {col.dtype}"
        if f.kind in STRING_KINDS:
            assert isinstance(col.dtype, pd.StringDtype) and col.dtype.na_value is pd.NA, where
        elif f.kind == "municipality":
            assert col.dtype == "Int64", where
        elif f.kind == "float":
            assert col.dtype == "float64", where
        elif f.kind == "date":
            assert pd.api.types.is_datetime64_dtype(col.dtype), where
            assert getattr(col.dtype, "tz", None) is None, where
            assert (col.dropna() == col.dropna().dt.normalize()).all(), f"{where}: not midnight"
        elif f.kind == "bool":
            assert col.dtype == "boolean", where
        elif f.kind in LIST_KINDS:
            assert col.dtype == object, where
            assert all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in col), where
        else:
            pytest.fail(f"unknown kind {f.kind} in {where}")
    assert pd.api.types.is_string_dtype(frame["_file"]) and (frame["_file"] == demo.PROVENANCE_FILE).all()
    assert pd.api.types.is_string_dtype(frame["_sheet"]) and (frame["_sheet"] == table.sheet).all()
    assert frame["_row"].dtype == "int64"
    assert (frame["_row"].to_numpy() == np.arange(len(frame)) + 2).all()
    for f in table.fields:
        if f.required and f.kind not in LIST_KINDS:
            assert frame[f.name].notna().all(), f"{table.name}.{f.name} is required"
        if f.required and f.kind in LIST_KINDS:
            assert frame[f.name].map(len).gt(0).all(), f"{table.name}.{f.name} is required"


def municipality_of_record(frame: pd.DataFrame) -> pd.Series:
    """Municipality code per row: the given one, else the one of its postcode point (NA if neither)."""
    postcodes = frame["postcode"].dropna().unique()
    via_postcode = {p: reference.postcode_point(p)[2] for p in postcodes}
    from_postcode = frame["postcode"].map(via_postcode).astype("Float64")
    return frame["municipality"].astype("Float64").fillna(from_postcode).astype("Int64")


def council_of_record(frame: pd.DataFrame) -> pd.Series:
    """Council id per row, through its municipality (None if unplaced)."""
    munis = reference.municipalities().set_index("municipality_code")["council_id"].to_dict()
    return municipality_of_record(frame).map(lambda c: munis.get(int(c)) if pd.notna(c) else None)


def collaboration_councils(data: dict[str, pd.DataFrame]) -> set[str]:
    """Councils that have a collaboration, through the places of its units and organisations."""
    unit_council = dict(zip(data["regional_units"]["unit_id"], council_of_record(data["regional_units"])))
    org_council = dict(
        zip(data["organisations"]["organisation_id"], council_of_record(data["organisations"]))
    )
    found: set[str] = set()
    for units, orgs in zip(data["collaborations"]["unit_ids"], data["collaborations"]["organisation_ids"]):
        found |= {unit_council[u] for u in units} | {org_council[o] for o in orgs}
    return {c for c in found if isinstance(c, str)}


# ------------------------------------------------------------------ format


@pytest.mark.parametrize("table", schema.TABLES, ids=lambda t: t.name)
def test_every_table_has_the_typed_format(small: dict[str, pd.DataFrame], table: schema.Table) -> None:
    assert list(small) == [t.name for t in schema.TABLES]
    assert_typed(small[table.name], table)


@pytest.mark.parametrize("table", schema.TABLES, ids=lambda t: t.name)
def test_council_scale_has_the_typed_format(council: dict[str, pd.DataFrame], table: schema.Table) -> None:
    assert_typed(council[table.name], table)


def test_same_seed_gives_identical_frames(small: dict[str, pd.DataFrame]) -> None:
    again = demo.generate("small", seed=2027, today=TODAY)
    for name, frame in small.items():
        pd.testing.assert_frame_equal(frame, again[name])


def test_different_seed_gives_different_frames(small: dict[str, pd.DataFrame]) -> None:
    other = demo.generate("small", seed=7, today=TODAY)
    assert not small["organisations"]["name"].equals(other["organisations"]["name"])
    assert not small["collaborations"]["start_date"].equals(other["collaborations"]["start_date"])


def test_today_defaults_to_the_current_date() -> None:
    data = demo.generate("small")
    latest = data["organisations"]["last_verified"].max()
    assert latest <= pd.Timestamp(dt.date.today())
    assert latest >= pd.Timestamp(dt.date.today() - dt.timedelta(days=60))


def test_unknown_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="skala"):
        demo.generate("enorm")


# ------------------------------------------------------------------ integrity


@pytest.mark.parametrize("table", schema.TABLES, ids=lambda t: t.name)
def test_ids_are_unique(small: dict[str, pd.DataFrame], table: schema.Table) -> None:
    ids = small[table.name][table.id_field.name]
    assert ids.is_unique


def test_all_references_resolve(small: dict[str, pd.DataFrame]) -> None:
    for table in schema.TABLES:
        frame = small[table.name]
        for f in table.fields:
            if f.kind not in ("ref", "ref_list"):
                continue
            target = schema.TABLES_BY_NAME[f.ref_table]
            known = set(small[target.name][target.id_field.name])
            values = frame[f.name].dropna() if f.kind == "ref" else frame[f.name].explode().dropna()
            assert set(values) <= known, f"{table.name}.{f.name}"


def test_every_vocabulary_code_exists(small: dict[str, pd.DataFrame]) -> None:
    vocab = reference.vocabularies()
    for table in schema.TABLES:
        for f in table.fields:
            if f.kind not in ("vocab", "vocab_list"):
                continue
            codes = set(vocab.loc[vocab["vocabulary"] == f.vocabulary, "code"])
            col = small[table.name][f.name]
            values = col.dropna() if f.kind == "vocab" else col.explode().dropna()
            assert set(values) <= codes, f"{table.name}.{f.name}: {set(values) - codes}"


def test_area_lists_use_known_areas(council: dict[str, pd.DataFrame]) -> None:
    valid = {f"municipality:{c}" for c in reference.municipalities()["municipality_code"]}
    valid |= {f"council:{c}" for c in reference.councils()["council_id"]}
    valid |= {f"region:{r}" for r in reference.regions()["region_id"]} | {"national:DK"}
    used = set(council["offers"]["service_area"].explode().dropna())
    used |= set(council["collaborations"]["municipalities"].explode().dropna())
    assert used <= valid
    assert {a.split(":")[0] for a in used} == {"municipality", "council", "region", "national"}


def test_places_are_consistent(small: dict[str, pd.DataFrame]) -> None:
    codes = set(reference.municipalities()["municipality_code"])
    for name in ("organisations", "offers", "regional_units"):
        frame = small[name]
        assert set(frame["municipality"].dropna()) <= codes, name
        with_postcode = frame[frame["postcode"].notna()]
        assert with_postcode["postcode"].str.fullmatch(r"\d{4}").all(), name
        points = with_postcode["postcode"].map(reference.postcode_point)
        assert points.notna().all(), name
        given = with_postcode["municipality"].notna()
        assert (points[given].map(lambda p: p[2]) == with_postcode.loc[given, "municipality"]).all(), name
        assert (frame["lat"].isna() == frame["lon"].isna()).all(), name


def test_coordinates_lie_in_denmark(council: dict[str, pd.DataFrame]) -> None:
    lat_min, lat_max, lon_min, lon_max = demo.DK_BOUNDS
    for name in ("organisations", "offers", "regional_units"):
        frame = council[name].dropna(subset=["lat", "lon"])
        assert len(frame) > 0 or name == "regional_units"
        assert frame["lat"].between(lat_min, lat_max).all(), name
        assert frame["lon"].between(lon_min, lon_max).all(), name


def test_synthetic_coordinates_stay_near_their_postcode_point(small: dict[str, pd.DataFrame]) -> None:
    frame = small["organisations"].dropna(subset=["lat", "postcode"])
    points = frame["postcode"].map(reference.postcode_point)
    lat = points.map(lambda p: p[1])
    lon = points.map(lambda p: p[0])
    dy = (frame["lat"] - lat) * 111_320
    dx = (frame["lon"] - lon) * 111_320 * np.cos(np.radians(lat))
    assert (np.hypot(dx, dy) <= demo.MAX_OFFSET_M + 1).all()


def test_cvr_numbers_are_eight_digits_passing_modulus_11(small: dict[str, pd.DataFrame]) -> None:
    cvr = small["organisations"]["cvr"].dropna()
    assert len(cvr) > 0
    assert cvr.str.fullmatch(r"\d{8}").all()
    weights = [2, 7, 6, 5, 4, 3, 2, 1]
    assert all(sum(int(d) * w for d, w in zip(c, weights)) % 11 == 0 for c in cvr)


def test_synthetic_contacts_are_example_addresses_and_roles(council: dict[str, pd.DataFrame]) -> None:
    orgs = council["organisations"]
    synthetic = orgs[orgs["source"] == demo.SOURCE_SYNTHETIC]
    assert synthetic["email"].dropna().str.fullmatch(r"kontakt@[a-z0-9-]+\.example\.dk").all()
    assert synthetic["website"].dropna().str.fullmatch(r"https://[a-z0-9-]+\.example\.dk").all()
    assert synthetic["address"].isna().all()
    roles = set(synthetic["contact_person"].dropna())
    assert roles and all(re.fullmatch(r"[A-ZÆØÅ][a-zæøå ]+", r) for r in roles)


# ------------------------------------------------------------------ coverage


def test_all_councils_and_regions_have_organisations(small: dict[str, pd.DataFrame]) -> None:
    councils = reference.councils()
    found = set(council_of_record(small["organisations"]).dropna())
    assert found == set(councils["council_id"])
    regions = set(councils.set_index("council_id").loc[sorted(found), "region_id"])
    assert regions == set(reference.regions()["region_id"])


def test_all_councils_and_regions_have_collaborations(small: dict[str, pd.DataFrame]) -> None:
    councils = reference.councils().set_index("council_id")
    found = collaboration_councils(small)
    assert found == set(councils.index)
    assert set(councils.loc[sorted(found), "region_id"]) == set(reference.regions()["region_id"])


def test_units_cover_every_council_with_a_hospital_and_municipalities(small: dict[str, pd.DataFrame]) -> None:
    units = small["regional_units"]
    councils = council_of_record(units)
    hospitals = set(councils[units["unit_type"] == "hospital"].dropna())
    assert hospitals == set(reference.councils()["council_id"])
    assert (units["unit_type"] == "kommune").sum() == 98
    assert {"psykiatri", "social_virksomhed", "almen_praksis", "region"} <= set(units["unit_type"])
    assert not units.loc[units["source"] != demo.SOURCE_SYNTHETIC, "lat"].notna().any()


def test_some_municipalities_are_thin_and_some_combinations_empty(council: dict[str, pd.DataFrame]) -> None:
    per_muni = municipality_of_record(council["organisations"]).value_counts()
    assert per_muni.min() <= 3
    assert per_muni.max() >= 100
    offers = council["offers"].explode("themes").explode("target_groups")
    combos = set(zip(offers["themes"], offers["target_groups"]))
    vocab = reference.vocabularies()
    themes = vocab.loc[vocab["vocabulary"] == "theme", "code"]
    groups = vocab.loc[vocab["vocabulary"] == "target_group", "code"]
    missing = {(t, g) for t in themes for g in groups} - combos
    assert len(missing) >= 5


def test_some_organisations_work_in_several_councils(small: dict[str, pd.DataFrame]) -> None:
    offers = small["offers"]
    org_council = dict(
        zip(small["organisations"]["organisation_id"], council_of_record(small["organisations"]))
    )
    own = offers[offers["postcode"].notna() | offers["municipality"].notna()]
    councils = pd.DataFrame({"org": own["organisation_id"], "council": council_of_record(own)}).assign(
        home=lambda d: d["org"].map(org_council)
    )
    elsewhere = councils[councils["council"] != councils["home"]]
    assert elsewhere["org"].nunique() >= 2


def test_some_organisations_have_offers_but_no_collaboration(small: dict[str, pd.DataFrame]) -> None:
    partners = set(small["collaborations"]["organisation_ids"].explode())
    with_offers = set(small["offers"]["organisation_id"])
    assert len(with_offers - partners) > 10


def test_locations_mix_precisions(council: dict[str, pd.DataFrame]) -> None:
    orgs = council["organisations"]
    synthetic = orgs[orgs["source"] == demo.SOURCE_SYNTHETIC]
    coords = synthetic["lat"].notna()
    postcode_only = synthetic["lat"].isna() & synthetic["postcode"].notna()
    municipality_only = synthetic["postcode"].isna() & synthetic["municipality"].notna()
    assert 0.6 < coords.mean() < 0.9
    assert postcode_only.mean() > 0.05
    assert municipality_only.mean() > 0.03
    offers = council["offers"]
    own_place = offers["postcode"].notna() | offers["municipality"].notna()
    assert 0.1 < own_place.mean() < 0.5


def test_last_verified_spreads_over_three_years(council: dict[str, pd.DataFrame]) -> None:
    dates = council["organisations"]["last_verified"].dropna()
    age = (pd.Timestamp(TODAY) - dates).dt.days
    assert age.min() >= 0 and age.max() <= 3 * 366
    assert age.max() - age.min() > 2 * 365


# ------------------------------------------------------------------ real collaborations


@pytest.mark.parametrize("scale", ["small", "council"])
@pytest.mark.parametrize("real", demo.REAL_COLLABORATIONS, ids=lambda c: c.title)
def test_real_collaborations_are_present(
    small: dict[str, pd.DataFrame],
    council: dict[str, pd.DataFrame],
    scale: str,
    real: demo.KnownCollaboration,
) -> None:
    data = small if scale == "small" else council
    collabs = data["collaborations"]
    rows = collabs[collabs["title"] == real.title]
    assert len(rows) == 1
    row = rows.iloc[0]
    units = data["regional_units"].set_index("unit_id")["name"]
    orgs = data["organisations"].set_index("organisation_id")["name"]
    assert [units[u] for u in row["unit_ids"]] == list(real.unit_names)
    assert [orgs[o] for o in row["organisation_ids"]] == list(real.organisation_names)
    assert row["source"] == real.source and row["source"].startswith("Region ")
    assert pd.isna(row["start_date"]) and pd.isna(row["tovholder"])
    assert set(row["themes"]) <= {"forebyggelse", "lighed", "brobygning", "udvikling"} and row["themes"]


def test_real_organisations_have_no_invented_facts(small: dict[str, pd.DataFrame]) -> None:
    orgs = small["organisations"]
    real = orgs[orgs["source"] != demo.SOURCE_SYNTHETIC]
    assert len(real) == len(demo.KNOWN_ORGANISATIONS)
    assert real[["cvr", "email", "contact_person", "address", "lat", "lon"]].isna().all().all()
    assert real["source"].isin([demo.SOURCE_RH, demo.SOURCE_RM]).all()


def test_named_hospitals_are_placed_in_their_municipality(small: dict[str, pd.DataFrame]) -> None:
    units = small["regional_units"].set_index("name")
    expected = {
        "Herlev og Gentofte Hospital": 163,
        "Nordsjællands Hospital": 219,
        "Psykiatrisk Center København": 101,
        "Amager og Hvidovre Hospital": 167,
        "Rigshospitalet": 101,
        "Bispebjerg Hospital": 101,
        "Psykiatrisk Center Amager": 101,
        "Regionshospitalet Gødstrup": 657,
    }
    for name, code in expected.items():
        assert units.loc[name, "municipality"] == code, name


# ------------------------------------------------------------------ dates and follow-up


def test_collaboration_dates_support_follow_up(small: dict[str, pd.DataFrame]) -> None:
    c = small["collaborations"]
    today = pd.Timestamp(TODAY)
    both = c.dropna(subset=["start_date", "end_date"])
    assert (both["end_date"] >= both["start_date"]).all()
    assert c["end_date"].between(today, today + pd.Timedelta(days=92)).any()
    assert c["end_date"].between(today + pd.Timedelta(days=92), today + pd.Timedelta(days=183)).any()
    assert c["end_date"].between(today + pd.Timedelta(days=183), today + pd.Timedelta(days=366)).any()
    synthetic = c[c["source"] == demo.SOURCE_SYNTHETIC]
    assert (synthetic["end_date"].isna() & (synthetic["status"] == "aktiv")).any()
    assert synthetic["tovholder"].isna().any()
    assert synthetic["legal_review_done"].isna().any() and (synthetic["legal_review_done"] == False).any()  # noqa: E712
    assert synthetic["start_date"].min() >= today - pd.Timedelta(days=6 * 366)
    ended = synthetic["end_date"] < today
    assert ended.any() and (synthetic.loc[ended, "status"] == "afsluttet").all()
    assert (synthetic.loc[synthetic["status"] == "afsluttet", "end_date"] < today).all()
    planned = synthetic["status"] == "planlagt"
    assert planned.any() and (synthetic.loc[planned, "start_date"] > today).all()
    assert set(synthetic["form"].dropna()) == {"formel", "uformel"}
    assert set(synthetic["kind"].dropna()) == {"projekt", "drift"}


def test_collaborations_link_one_or_two_units_and_up_to_three_organisations(
    council: dict[str, pd.DataFrame],
) -> None:
    c = council["collaborations"]
    synthetic = c[c["source"] == demo.SOURCE_SYNTHETIC]
    assert synthetic["unit_ids"].map(len).between(1, 2).all()
    assert synthetic["organisation_ids"].map(len).between(1, 3).all()
    assert set(synthetic["organisation_ids"].map(len)) == {1, 2, 3}


def test_experiences_fit_their_collaboration(small: dict[str, pd.DataFrame]) -> None:
    e = small["experiences"]
    assert len(e) > 0
    c = small["collaborations"].set_index("collaboration_id")
    start = e["collaboration_id"].map(c["start_date"])
    end = e["collaboration_id"].map(c["end_date"]).fillna(pd.Timestamp(TODAY))
    assert (e["date"] >= start).all() and (e["date"] <= end).all()
    external = e["evaluation"] == "ekstern"
    assert external.any() and e.loc[external, "evaluation_link"].str.startswith("https://").all()
    assert e.loc[~external, "evaluation_link"].isna().all()
    assert {"ingen", "intern", "ekstern"} <= set(e["evaluation"].dropna())


# ------------------------------------------------------------------ scales


def test_scale_sizes(small: dict[str, pd.DataFrame], council: dict[str, pd.DataFrame]) -> None:
    assert set(demo.SCALES) >= {"small", "council", "national"}
    assert len(small["organisations"]) == 150
    assert 300 <= len(small["offers"]) <= 500
    expected = {"organisations": 3_000, "offers": 8_000, "collaborations": 400}
    for name, n in expected.items():
        assert abs(len(council[name]) - n) <= n * 0.05, name
    national = demo.SCALES["national"]
    assert (national.organisations, national.offers, national.collaborations) == (100_000, 300_000, 5_000)


def test_example_indicators_are_deterministic_plausible_and_marked_as_examples() -> None:
    first, again, other = (
        demo.example_indicators(2027),
        demo.example_indicators(2027),
        demo.example_indicators(1),
    )
    assert [i.name for i in first] == [
        "Borgere 80+ (eksempel)",
        "Andel der føler sig meget ensomme (eksempel)",
        "Hjemløse pr. 1.000 borgere (eksempel)",
    ]
    assert {(i.source, i.file) for i in first} == {(demo.SOURCE_SYNTHETIC, demo.PROVENANCE_FILE)}
    assert [i.unit for i in first] == ["people", "percent", "per_1000"]
    all_codes = set(reference.municipalities()["municipality_code"])
    for a, b, c in zip(first, again, other, strict=True):
        pd.testing.assert_frame_equal(a.values, b.values)
        assert not a.values.equals(c.values)
        assert set(a.values["municipality_code"]) == all_codes and a.values["value"].notna().all()
    elderly, lonely, homeless = (i.values.set_index("municipality_code")["value"] for i in first)
    assert (elderly % 1 == 0).all()
    assert elderly[101] > elderly[751] > elderly[825] > 0  # København, Aarhus, Læsø
    assert 200_000 < elderly.sum() < 400_000  # Denmark has about 300,000 people aged 80 and over
    assert lonely.between(3, 15).all() and homeless.between(0, 5).all()
    assert homeless[101] > homeless.median()
