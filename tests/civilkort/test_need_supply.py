"""Need beside supply: tertile classes, the ranked cells, the export's columns, the map and its legend."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from civilkort import export, tiles
from civilkort import need_supply as ns
from civilkort import need_supply_map as nsm

NAMES = {
    101: "København",
    147: "Frederiksberg",
    151: "Ballerup",
    153: "Brøndby",
    155: "Dragør",
    157: "Gentofte",
}


def matrix(people: dict, offers: dict, population: dict | None = None, group: str = "aeldre") -> pd.DataFrame:
    """A municipality × target-group matrix frame as ``gaps.matrix`` returns it, for one target group plus
    'Børn og unge' without an indicator."""
    rows = []
    for code in people:
        pop = (population or {}).get(code)
        for key, label, p in ((group, "Ældre", people[code]), ("boern_unge", "Børn og unge", np.nan)):
            n = offers[code] if key == group else 1
            per = round(n * 1000 / p, 2) if p and p > 0 else np.nan
            rows.append((str(code), NAMES.get(code, str(code)), key, label, n, pop, p, per, True))
    df = pd.DataFrame(
        rows,
        columns=["row_key", "row_label", "col_key", "col_label", "n", "population", "group_people",
                 "per_1000_group", "row_mapped"],
    )  # fmt: skip
    df["population"] = df["population"].astype("Int64")
    return df


# --- classes ----------------------------------------------------------------------------------------


def test_distinct_values_fall_into_three_equal_thirds():
    assert ns.classify([9, 1, 5, 3, 7, 2, 8, 4, 6]).tolist() == [3, 1, 2, 1, 3, 1, 3, 2, 2]
    assert ns.classify([10, 20, 30]).tolist() == [1, 2, 3]


def test_ties_share_a_class_and_the_lowest_is_always_low():
    # Four municipalities without offers: all 'few', however many there are.
    assert ns.classify([0, 0, 0, 0, 1, 2]).tolist() == [1, 1, 1, 1, 3, 3]
    assert ns.classify([5, 5, 5]).tolist() == [1, 1, 1]
    out = ns.classify([1, 2, 2, 3, 4, 4])
    assert out[1] == out[2] and out[4] == out[5]


def test_missing_values_stay_missing_and_are_not_counted():
    out = ns.classify([np.nan, 1, 2, 3, np.nan])
    assert np.isnan(out[0]) and np.isnan(out[4])
    assert out[1:4].tolist() == [1, 2, 3]
    assert np.isnan(ns.classify([np.nan, np.nan])).all()


def test_classes_against_another_reference():
    assert ns.classify([0.5, 5, 99], reference=[1, 2, 3, 4, 5, 6]).tolist() == [1, 3, 3]


def test_a_table_classes_within_the_area_per_target_group():
    people = {101: 1000, 147: 2000, 151: 3000, 153: 4000, 155: 5000, 157: 6000}
    offers = {101: 6, 147: 5, 151: 4, 153: 3, 155: 2, 157: 1}
    cells = ns.table(matrix(people, offers))
    old = cells[cells["target_group"] == "aeldre"].set_index("municipality_code")
    assert old["need_class"].tolist() == [1, 1, 2, 2, 3, 3]
    assert old["supply_class"].tolist() == [3, 3, 2, 2, 1, 1]
    assert old.loc[157, "class_label"] == ns.WORRY
    assert old.loc[157, "colour"] == ns.PALETTE[2][0] == "#be64ac"
    assert set(old["classed_by"]) == {"området"}
    # A target group without an indicator gets no classes, and is not offered.
    young = cells[cells["target_group"] == "boern_unge"]
    assert young["need_class"].isna().all() and (young["class_label"] == ns.NO_CLASS).all()
    assert ns.groups_with_need(cells) == {"aeldre": "Ældre"}


def test_need_is_a_share_of_the_inhabitants_when_population_is_loaded():
    people = {101: 1000, 147: 1000, 151: 1000}
    population = {101: 100_000, 147: 10_000, 151: 20_000}
    cells = ns.table(matrix(people, {101: 1, 147: 1, 151: 1}, population))
    old = cells[cells["target_group"] == "aeldre"].set_index("municipality_code")
    assert old["need_pct"].tolist() == [1.0, 10.0, 5.0]
    assert old["need"].tolist() == [1.0, 10.0, 5.0]
    assert old["need_class"].tolist() == [1, 3, 2]  # the same number of people, a different share
    assert ns.uses_share(matrix(people, {101: 1, 147: 1, 151: 1}, population))
    assert "andel af kommunens indbyggere" in ns.need_caption(True)


def test_without_population_need_is_the_number_of_people():
    m = matrix({101: 100, 147: 300, 151: 200}, {101: 1, 147: 1, 151: 1})
    assert not ns.uses_share(m)
    cells = ns.table(m)
    old = cells[cells["target_group"] == "aeldre"]
    assert old["need_pct"].isna().all()
    assert old["need"].tolist() == [100, 300, 200]
    assert old["need_class"].tolist() == [1, 3, 2]
    assert "antal personer" in ns.need_caption(False)


def test_a_municipality_without_an_indicator_value_has_no_class():
    cells = ns.table(matrix({101: 100, 147: 300, 151: 200, 153: np.nan}, {101: 1, 147: 1, 151: 1, 153: 4}))
    row = cells[(cells["target_group"] == "aeldre") & (cells["municipality_code"] == 153)].iloc[0]
    assert pd.isna(row["need_class"]) and pd.isna(row["supply_class"])
    assert row["class_label"] == ns.NO_CLASS and row["colour"] == ns.NO_CLASS_COLOUR


@pytest.mark.parametrize("codes", [[101], [101, 147]])
def test_an_area_of_one_or_two_municipalities_is_classed_against_the_country(codes):
    people = {101: 6000, 147: 1000, 151: 2000, 153: 3000, 155: 4000, 157: 5000}
    offers = {101: 1, 147: 6, 151: 5, 153: 4, 155: 3, 157: 2}
    national = matrix(people, offers)
    area = matrix({c: people[c] for c in codes}, {c: offers[c] for c in codes})
    assert ns.needs_national(area)
    alone = ns.table(area)
    assert alone["need_class"].isna().all()  # no reference: no classes rather than thirds of one or two
    cells = ns.table(area, national)
    old = cells[cells["target_group"] == "aeldre"].set_index("municipality_code")
    assert old.loc[101, "need_class"] == 3 and old.loc[101, "supply_class"] == 1
    if 147 in old.index:
        assert old.loc[147, "need_class"] == 1 and old.loc[147, "supply_class"] == 3
    assert set(old["classed_by"]) == {"hele landet"}
    assert "hele landets" in ns.classes_caption(old.reset_index())


def test_an_area_of_three_needs_no_country():
    m = matrix({101: 1, 147: 2, 151: 3}, {101: 1, 147: 1, 151: 1})
    assert not ns.needs_national(m)
    assert "hele landets" not in ns.classes_caption(ns.table(m))


# --- the ranked table and the export ----------------------------------------------------------------


def test_ranked_puts_high_need_and_few_offers_first():
    people = {101: 1000, 147: 2000, 151: 3000, 153: 4000, 155: 5000, 157: 6000}
    offers = {101: 1, 147: 5, 151: 4, 153: 3, 155: 2, 157: 1}
    r = ns.ranked(ns.table(matrix(people, offers)))
    assert r["rank"].tolist() == list(range(1, 7))
    assert r["municipality_code"].tolist()[:2] == [157, 155]  # need 3, supply 1: fewest per 1,000 first
    pairs = list(zip(r["need_class"], r["supply_class"]))
    assert pairs == sorted(pairs, key=lambda p: (-p[0], p[1]))
    assert "boern_unge" not in set(r["target_group"])  # no classes, not ranked
    assert len(ns.ranked(ns.table(matrix(people, offers)), limit=3)) == 3


def test_ranked_breaks_ties_by_per_1000_then_need():
    # Two cells in the same classes: the one with fewer offers per 1,000 first.
    people = {101: 5000, 147: 6000, 151: 1000, 153: 2000, 155: 3000, 157: 4000}
    offers = {101: 5, 147: 3, 151: 9, 153: 9, 155: 9, 157: 9}
    r = ns.ranked(ns.table(matrix(people, offers)))
    assert r["municipality_code"].tolist()[:2] == [147, 101]


def test_export_has_the_figures_and_both_classes_in_words(tmp_path):
    m = matrix(
        {101: 1000, 147: 2000, 151: 3000}, {101: 3, 147: 2, 151: 1}, {101: 10_000, 147: 10_000, 151: 5}
    )
    cells = ns.table(m)
    table = ns.export_table(cells, share=True)
    assert list(table.columns) == [
        "Rang", "Kommune", "Målgruppe", "Behov og tilbud", "Andel af indbyggerne (%)", "Personer i målgruppen",
        "Tilbud", "Tilbud pr. 1.000 i målgruppen", "Behovsklasse (1-3)", "Tilbudsklasse (1-3)", "Folketal",
        "Klasser efter",
    ]  # fmt: skip
    assert table["Rang"].tolist() == [1, 2, 3]  # only Ældre has an indicator: no 'Børn og unge' rows
    assert table.iloc[0]["Behov og tilbud"] == ns.WORRY
    no_share = ns.export_table(cells, share=False)
    assert "Folketal" not in no_share.columns and "Andel af indbyggerne (%)" not in no_share.columns
    wb = openpyxl.load_workbook(io.BytesIO(export.to_xlsx({"Behov og tilbud": table}, note="x")))
    rows = list(wb["Behov og tilbud"].iter_rows(min_row=2, values_only=True))
    assert list(rows[0]) == list(table.columns)
    assert rows[1][0] == 1 and rows[1][1] == "Ballerup" and rows[1][3] == ns.WORRY


def test_unclassed_cells_follow_the_ranked_ones_in_the_export():
    cells = ns.table(matrix({101: 100, 147: 300, 151: 200, 153: np.nan}, {101: 1, 147: 1, 151: 1, 153: 4}))
    table = ns.export_table(cells, share=False)
    assert table["Rang"].tolist()[:3] == [1, 2, 3] and pd.isna(table["Rang"].iloc[3])
    assert table["Behov og tilbud"].iloc[3] == ns.NO_CLASS


def test_a_formula_in_a_name_is_neutralised_in_the_xlsx():
    m = matrix({101: 1, 147: 2, 151: 3}, {101: 1, 147: 1, 151: 1})
    m.loc[m["row_key"] == "101", "row_label"] = '=HYPERLINK("http://x")'
    table = ns.export_table(ns.table(m), share=False)
    wb = openpyxl.load_workbook(io.BytesIO(export.to_xlsx({"B": table})))
    names = [r[1] for r in wb["B"].iter_rows(min_row=2, values_only=True)]
    assert not any(str(n).startswith("=") for n in names)


# --- the map and its legend -------------------------------------------------------------------------


def _one(cells: pd.DataFrame) -> pd.DataFrame:
    return cells[cells["target_group"] == "aeldre"]


def test_the_tile_map_colours_each_class_and_says_it_in_text():
    people = {101: 1000, 147: 2000, 151: 3000, 153: 4000, 155: 5000, 157: np.nan}
    offers = {101: 6, 147: 5, 151: 4, 153: 3, 155: 2, 157: 1}
    cells = ns.table(matrix(people, offers))
    layout = tiles.hex_layout(list(people))
    named = layout.cells.assign(
        municipality_name=layout.cells["municipality_name"].replace("Dragør", "<b>Dragør</b>")
    )
    layout = tiles.TileLayout(cells=named, size=layout.size)
    fig = nsm.tile_figure(layout, _one(cells), share=False, height=400)
    fills = {t.fillcolor: t.meta["codes"] for t in fig.data if (t.meta or {}).get("kind") == "hexagons"}
    assert fills[ns.PALETTE[2][0]] == [155]  # high need, few offers
    assert fills["#ffffff"] == [157]  # no indicator value: hatched white
    hover = next(t for t in fig.data if t.name == "kommuner")
    text = " ".join(hover.hovertext)
    assert "&lt;b&gt;Dragør&lt;/b&gt;" in text and "<b>Dragør</b>" not in text
    assert ns.WORRY in text and ns.NO_CLASS in text and "Behov: –<br>" in text
    labels = fig.data[-1]
    assert labels.name == "labels" and any("B3·T1" in x for x in labels.text)
    assert fig.layout.meta["tile_map"] and fig.data[-2].name == "short-labels"  # tiles.label_css reads these


def test_the_legend_names_the_corner_and_counts_municipalities():
    cells = ns.table(matrix({101: 1000, 147: 2000, 151: 3000}, {101: 3, 147: 2, 151: 1}))
    text = nsm.legend_html(_one(cells))
    assert nsm.NEED_AXIS in text and nsm.SUPPLY_AXIS in text and ns.WORRY in text
    assert text.count('class="ck-bv-cell') == 9
    assert "ck-bv-worry" in text and "1 kommune<" in text and "0 kommuner" in text
    for words in ("Højt behov, få tilbud", "Lavt behov, mange tilbud"):
        assert words in text


def test_fitting_height_follows_the_layouts_shape():
    wide = tiles.hex_layout([101, 147, 151, 153, 155, 157, 159, 161])
    assert 280 <= nsm.fitting_height(wide, 500) <= 560
    assert nsm.fitting_height(tiles.hex_layout([400]), 500) == 560


def test_the_report_image_is_a_png():
    cells = ns.table(matrix({101: 1000, 147: 2000, 151: 3000}, {101: 3, 147: 2, 151: 1}))
    png = nsm.report_png(tiles.hex_layout([101, 147, 151]), _one(cells), "Ældre")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("seed", range(5))
def test_a_tables_classes_are_classify_within_each_target_group(seed):
    rng = np.random.default_rng(seed)
    codes = [101, 147, 151, 153, 155, 157]
    people = {c: float(rng.choice([np.nan, 100, 200, 300, 400])) for c in codes}
    offers = {c: int(rng.integers(0, 4)) for c in codes}
    cells = _one(ns.table(matrix(people, offers)))
    valid = cells["need"].notna() & cells["per_1000_group"].notna()
    if valid.sum() < ns.MIN_AREA:
        assert cells["need_class"].isna().all()
        return
    ok = cells[valid]
    assert ok["need_class"].tolist() == ns.classify(ok["need"]).tolist()
    assert ok["supply_class"].tolist() == ns.classify(ok["per_1000_group"]).tolist()


def test_the_boundaries_map_colours_each_municipality_and_escapes_its_tooltip():
    from tests.conftest import synthetic_municipalities

    people = {101: 1000, 147: 2000, 151: 3000, 153: 4000, 155: 5000, 157: np.nan}
    offers = {101: 6, 147: 5, 151: 4, 153: 3, 155: 2, 157: 1}
    cells = ns.table(matrix(people, offers))
    cells.loc[cells["municipality_code"] == 155, "municipality_name"] = "<img src=x onerror=alert(1)>"
    shapes = synthetic_municipalities()
    shapes = shapes[shapes["municipality_code"].isin(list(people))][["municipality_code", "geometry"]]
    m = nsm.folium_map(shapes, _one(cells), share=False, title="Ældre <b>")
    page = m.get_root().render()
    # in the GeoJSON (JSON-encoded: & as \u0026) the name is escaped; the tooltip shows it as text
    assert "<img src=x" not in page and "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page
    assert ns.PALETTE[2][0] in page  # Dragør's high need, few offers
    assert "cdn" not in page.lower() and "/app/static/vendor/leaflet/leaflet.js" in page
