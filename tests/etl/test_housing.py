"""The ministry's list of vulnerable housing areas as it is handed out, and each area's nearest offers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from civilkort.issues import InputError
from etl.housing import category, frames, from_frames, read_housing_areas
from etl.proximity import NEAREST, proximity

# The ministry's layout: a title, a blank line, the header, then the categories as heading rows above their areas;
# thousands written with dots, and a total line at the bottom.
MINISTRY_CSV = (
    "Liste over parallelsamfund, udsatte boligområder og forebyggelsesområder pr. 1. december 2025\r\n"
    ";;;;\r\n"
    "Kommune;Boligorganisation;Boligområde;Antal beboere;Adresse\r\n"
    "Parallelsamfund;;;;\r\n"
    "Aarhus;Brabrand Boligforening;Gellerupparken/Toveshøj;5.860;Karen Blixens Boulevard 7, 8220 Brabrand\r\n"
    "751 Aarhus;AAB;Bispehaven;2.317;\r\n"
    "Udsatte boligområder;;;;\r\n"
    "København;fsb;Tingbjerg/Utterslevhuse;6.541;\r\n"
    "Odense;Civica;Vollsmose;8.123;\r\n"
    "Forebyggelsesområder;;;;\r\n"
    "Høje-Taastrup;BO-VEST;Gadehavegård;1.902;\r\n"
    "I alt;;;24.743;\r\n"
)


def _by_name(h) -> dict[str, dict]:
    return {r["name"]: r for r in h.areas.to_dict("records")}


def test_the_ministrys_layout_with_category_headings_is_read_and_placed(write_csv):
    notes = []
    h = read_housing_areas(write_csv("boligomraader-2025.csv", MINISTRY_CSV, encoding="cp1252"), issues=notes)
    areas = _by_name(h)
    assert list(areas) == [
        "Gellerupparken/Toveshøj", "Bispehaven", "Tingbjerg/Utterslevhuse", "Vollsmose", "Gadehavegård",
    ]  # fmt: skip
    assert [a["category"] for a in areas.values()] == [
        "Parallelsamfund", "Parallelsamfund", "Udsat boligområde", "Udsat boligområde", "Forebyggelsesområde",
    ]  # fmt: skip
    gellerup = areas["Gellerupparken/Toveshøj"]
    assert (gellerup["municipality_code"], gellerup["residents"], gellerup["housing_org"]) == (
        751,
        5860,
        "Brabrand Boligforening",
    )
    # the postcode written in the address places it at the postcode's point; the others at their municipality's
    assert (gellerup["postcode"], gellerup["location_precision"]) == ("8220", "postcode")
    assert areas["Vollsmose"]["location_precision"] == "municipality"
    assert areas["Vollsmose"]["council_id"] == "fyn"
    assert gellerup["source_row"] == 5  # the file's own line
    assert h.period == "1. december 2025"
    assert h.title.startswith("Liste over parallelsamfund")
    assert any("totaler" in i.message and "række 12" in i.value for i in notes)


def test_a_workbook_with_a_category_column_and_utm_coordinates(write_xlsx):
    to_utm = Transformer.from_crs(4326, 25832, always_xy=True)
    x, y = to_utm.transform(10.0876, 56.1610)
    path = write_xlsx(
        "liste.xlsx",
        {
            "Boligområder": [
                ["Boligområder pr. 1. december 2024"],
                [],
                ["Boligområdets navn", "Kommunekode", "Kategori", "Beboere", "X", "Y"],
                ["Gellerup", 751, "Omdannelsesområde", 5860, x, y],
                ["Ringparken", "Slagelse", "Udsatte boligområder", None, None, None],
                ["Solsiden", 101, "Særligt område", 100, None, None],
            ]
        },
    )
    notes = []
    h = read_housing_areas(path, issues=notes)
    areas = _by_name(h)
    assert areas["Gellerup"]["location_precision"] == "coordinates"
    assert areas["Gellerup"]["lat"] == pytest.approx(56.1610, abs=1e-4)
    assert areas["Ringparken"]["category"] == "Udsat boligområde"  # the plural heading form, singular
    assert pd.isna(areas["Ringparken"]["residents"])
    assert any("UTM" in i.message for i in notes)
    # a category the ministry does not use is kept as written, and said so with its row and column
    unknown = next(i for i in notes if "Ukendt kategori" in i.message)
    assert (areas["Solsiden"]["category"], unknown.row, unknown.column, unknown.sheet) == (
        "Særligt område",
        6,
        "Kategori",
        "Boligområder",
    )
    assert h.period == "1. december 2024"


def test_categories_are_recognised_in_the_forms_people_write_them():
    assert category("Udsatte boligområder") == "Udsat boligområde"
    assert category("udsat boligområde") == "Udsat boligområde"
    assert category("Omdannelsesområder") == "Omdannelsesområde"
    assert category("Hårde ghettoområder") == "Omdannelsesområde"
    assert category("Forebyggelsesområder pr. 1. december 2025") == "Forebyggelsesområde"
    assert category("Parallelsamfund") == "Parallelsamfund"
    assert category("Aarhus") is None


@pytest.mark.parametrize(
    ("text", "message", "row", "column", "value"),
    [
        ("Kommune;Boligområde\nAarhus;Gellerup\nRegion Midtjylland;Alle\n", "Ukendt kommune", 3, "Kommune", "Region Midtjylland"),
        ("Kommune;Boligområde\nAarhus;Gellerup\nNarnia;Skovbyen\n", "Ukendt kommune", 3, "Kommune", "Narnia"),
        ("Kommune;Boligområde\nAarhus;\n", "Boligområdet har intet navn", 2, "Boligområde", ""),
        ("Kommune;Boligområde;Beboere\nAarhus;Gellerup;mange\n", "Antal beboere er ikke et helt tal", 2, "Beboere", "mange"),
    ],
)  # fmt: skip
def test_bad_rows_are_errors_naming_file_row_column_and_value(write_csv, text, message, row, column, value):
    with pytest.raises(InputError) as caught:
        read_housing_areas(write_csv("liste.csv", text))
    issue = caught.value.issues[0]
    assert message in issue.message
    assert (issue.file, issue.row, issue.column, issue.value) == ("liste.csv", row, column, value)


def test_a_whole_country_row_is_a_total_skipped_and_said_so(write_csv):
    notes = []
    h = read_housing_areas(
        write_csv("liste.csv", "Kommune;Boligområde\nAarhus;Gellerup\nHele landet;I alt\n"), issues=notes
    )
    assert h.areas["name"].tolist() == ["Gellerup"]
    assert [(i.message, i.value) for i in notes if "totaler" in i.message] == [
        ("Rækker med totaler er sprunget over", "række 3")
    ]


def test_an_area_named_twice_in_one_municipality_names_both_rows(write_csv):
    with pytest.raises(InputError) as caught:
        read_housing_areas(write_csv("liste.csv", "Kommune;Boligområde\nAarhus;Gellerup\nAarhus;Gellerup\n"))
    assert "rækkerne 2 og 3" in caught.value.issues[0].message


def test_mixed_separators_and_a_list_without_the_columns_are_refused_in_danish(write_csv):
    with pytest.raises(InputError) as caught:
        read_housing_areas(
            write_csv("liste.csv", "Kommune;Boligområde\nAarhus,Gellerup,7\nOdense;Vollsmose\n")
        )
    assert "skilletegnene er blandet" in caught.value.issues[0].message
    with pytest.raises(InputError) as caught:
        read_housing_areas(write_csv("liste.csv", "By;Sted\nAarhus;Gellerup\n"))
    assert "ingen kolonne for boligområdets navn og kommune" in caught.value.issues[0].message
    with pytest.raises(InputError) as caught:
        read_housing_areas(write_csv("liste.csv", "").with_name("findes-ikke.csv"))
    assert "findes ikke" in caught.value.issues[0].message


def test_a_list_survives_the_builds_tables_unchanged(write_csv):
    h = read_housing_areas(write_csv("liste.csv", MINISTRY_CSV, encoding="cp1252"))
    tables = frames(h)
    back = from_frames(tables["ref_housing_areas"], tables["ref_housing_meta"])
    assert back is not None
    pd.testing.assert_frame_equal(
        back.areas.reset_index(drop=True), tables["ref_housing_areas"].reset_index(drop=True)
    )
    assert (back.file, back.period, back.title) == (h.file, h.period, h.title)
    assert from_frames(*frames(None).values()) is None


def test_proximity_finds_the_true_nearest_and_counts_by_target_group():
    rng = np.random.default_rng(7)
    n = 4000
    groups = ["aeldre", "hjemloese"]
    offers = pd.DataFrame(
        {
            "offer_id": [f"T-{i}" for i in range(n)],
            "lat": rng.uniform(55.5, 56.5, n),
            "lon": rng.uniform(9.5, 11.0, n),
            "target_groups": [
                list(rng.choice(groups, size=rng.integers(0, 3), replace=False)) for _ in range(n)
            ],
        }
    )
    areas = pd.DataFrame({"area_id": ["A", "B", "far"], "lat": [56.0, 55.8, 57.6], "lon": [10.2, 9.9, 8.3]})
    nearest, counts = proximity(areas, offers, groups)
    to_utm = Transformer.from_crs(4326, 25832, always_xy=True)
    ox, oy = to_utm.transform(offers["lon"].to_numpy(), offers["lat"].to_numpy())
    for area in areas.itertuples():
        ax, ay = to_utm.transform(area.lon, area.lat)
        d = np.hypot(ox - ax, oy - ay)
        for group in ["", *groups]:
            mask = (
                np.ones(n, bool) if group == "" else np.array([group in g for g in offers["target_groups"]])
            )
            expected = np.sort(d[mask])
            got = nearest[(nearest["area_id"] == area.area_id) & (nearest["target_group"] == group)]
            assert got["rank"].tolist() == list(range(1, NEAREST + 1))
            assert got["distance_m"].tolist() == pytest.approx(np.round(expected[:NEAREST]).tolist(), abs=1)
            row = counts[(counts["area_id"] == area.area_id) & (counts["target_group"] == group)].iloc[0]
            assert [row["within_1km"], row["within_2km"], row["within_5km"]] == [
                int((expected <= r).sum()) for r in (1000, 2000, 5000)
            ]
    # an area 150 km from every offer still gets its nearest ones, found by the wider circles
    assert counts.loc[(counts["area_id"] == "far") & (counts["target_group"] == ""), "within_5km"].item() == 0
    assert len(nearest[(nearest["area_id"] == "far") & (nearest["target_group"] == "aeldre")]) == NEAREST


def test_proximity_without_offers_of_a_group_gives_no_nearest_and_zero_counts():
    offers = pd.DataFrame({"offer_id": ["T-1"], "lat": [56.0], "lon": [10.0], "target_groups": [["aeldre"]]})
    areas = pd.DataFrame({"area_id": ["A"], "lat": [56.0], "lon": [10.01]})
    nearest, counts = proximity(areas, offers, ["aeldre", "hjemloese"])
    assert nearest[nearest["target_group"] == "hjemloese"].empty
    none = counts[counts["target_group"] == "hjemloese"].iloc[0]
    assert (none["within_5km"], np.isnan(none["nearest_m"])) == (0, True)
    assert counts[counts["target_group"] == "aeldre"].iloc[0]["within_1km"] == 1
