"""The app's queries: every count follows area and filters; parameters are bound, never spliced."""

from __future__ import annotations

import pandas as pd
import pytest

from civilkort import queries
from civilkort.filters import Selection

AARHUS = Selection(area="council:aarhus")


def test_key_figures_match_lists(small_db):
    for sel in (Selection(), AARHUS, Selection(area="region:nordjylland", themes=("lighed",))):
        figures = queries.key_figures(small_db, sel)
        assert figures["organisations"] == len(queries.organisations(small_db, sel))
        assert figures["offers"] == len(queries.offers(small_db, sel))
        assert figures["collaborations"] == len(queries.collaborations(small_db, sel))
        measures = queries.municipality_measures(small_db, sel)
        assert measures["offers"].sum() == figures["offers"]


def test_area_restricts_to_its_municipalities(small_db):
    offers = queries.offers(small_db, AARHUS)
    assert len(offers) and set(offers["council_name"]) == {"Sundhedsråd Aarhus"}
    measures = queries.municipality_measures(small_db, AARHUS)
    assert sorted(measures["municipality_code"]) == [741, 751]


@pytest.mark.parametrize(
    "change",
    [
        {"themes": ("lighed",)},
        {"target_groups": ("aeldre",)},
        {"prevention_levels": ("primaer",)},
        {"organisation_types": ("fond",)},
        {"staffing": ("loennede",)},
        {"referrals": "ja"},
        {"referrals": "nej"},
        {"statuses": ("ophoert",)},
        {"text": "café"},
    ],
)
def test_each_filter_narrows_every_count(small_db, change):
    base = Selection(statuses=())
    sel = Selection(**{"statuses": (), **change})
    for fn in ("offers", "organisations"):
        assert len(getattr(queries, fn)(small_db, sel)) <= len(getattr(queries, fn)(small_db, base))
    assert len(queries.offers(small_db, sel)) < len(queries.offers(small_db, base))


def test_theme_filter_is_exact(small_db):
    offers = queries.offers(small_db, Selection(themes=("lighed",)))
    assert len(offers) and all("Lighed i sundhed" in t for t in offers["themes"])


@pytest.mark.parametrize("text", ["' OR 1=1 --", "%", "_", "\\", "'; DROP TABLE core_offers; --"])
def test_free_text_is_bound_not_spliced(small_db, text):
    assert len(queries.offers(small_db, Selection(text=text))) < len(queries.offers(small_db, Selection()))
    assert small_db.scalar("SELECT count(*) FROM offers") > 0


def test_map_layers_shape(small_db):
    data = queries.map_layers(small_db, AARHUS, "offers")
    assert set(data["points"]["kind"]) <= {"organisation", "offer"}
    assert data["points"]["point_id"].is_unique
    assert data["areas"] is not None and len(data["areas"]) == 2
    assert {"value", "value_label", "municipality_name"} <= set(data["areas"].columns)
    (south, west), (north, east) = data["bounds"]
    assert 55.5 < south < north < 56.5 and 9.5 < west < east < 11.5


def test_municipality_without_records_is_not_mapped_not_zero(small_db):
    data = queries.map_layers(small_db, Selection(), "offers")
    empty = data["municipality_points"][data["municipality_points"]["value_label"] == "ikke kortlagt"]
    assert empty["value"].isna().all()


def test_network_nodes_and_edges(small_db):
    nodes, edges = queries.network(small_db, Selection())
    assert len(edges) and set(edges["source"]) | set(edges["target"]) == set(nodes["node_id"])
    assert (nodes["n_collaborations"] >= 1).all()


def test_network_counts_collaborations_not_partner_pairs(small_db):
    """A collaboration of one unit with three organisations is one collaboration of the unit, with three partners."""
    nodes, edges = queries.network(small_db, Selection())
    rows = small_db.query("SELECT collaboration_id, unit_ids, organisation_ids FROM collaborations")
    expected: dict[str, set] = {}
    for cid, units, orgs in rows.itertuples(index=False):
        if len(units) and len(orgs):
            for node in (*units, *orgs):
                expected.setdefault(node, set()).add(cid)
    got = nodes.set_index("node_id")
    assert {k: len(v) for k, v in expected.items()} == got["n_collaborations"].to_dict()
    partners = pd.concat([edges.groupby("source").size(), edges.groupby("target").size()])
    assert partners.to_dict() == got["n_partners"].to_dict()
    assert (
        got["n_partners"] > got["n_collaborations"]
    ).any()  # the example has collaborations with several partners


@pytest.mark.parametrize("sel", [Selection(), Selection(area="council:midt", themes=("lighed",))])
def test_a_network_node_has_the_partners_and_collaborations_of_the_network(small_db, sel):
    nodes, edges = queries.network(small_db, sel)
    for row in nodes.sort_values("n_partners", ascending=False).head(6).itertuples():
        node = queries.network_node(small_db, sel, row.kind, row.node_id)
        assert node["node"]["name"].tolist() == [row.name]
        mine = edges[(edges["source"] == row.node_id) | (edges["target"] == row.node_id)]
        theirs = (set(mine["target"]) | set(mine["source"])) - {row.node_id}
        assert set(node["partners"]["partner_id"]) == theirs
        shared = dict(zip(mine["target"], mine["weight"])) | dict(zip(mine["source"], mine["weight"]))
        assert dict(zip(node["partners"]["partner_id"], node["partners"]["n_shared"])) == {
            p: shared[p] for p in theirs
        }
        assert len(node["collaborations"]) == row.n_collaborations
        assert node["collaborations"]["partners"].notna().all()


def test_a_network_node_outside_the_data_is_empty(small_db):
    node = queries.network_node(small_db, Selection(), "organisation", "findes-ikke")
    assert node["node"].empty and node["partners"].empty and node["collaborations"].empty


def test_details(small_db):
    org_id = small_db.scalar(
        "SELECT organisation_id FROM organisations WHERE organisation_id IN (SELECT partner_id FROM collaboration_partners) LIMIT 1"
    )
    detail = queries.organisation_detail(small_db, org_id)
    assert len(detail["organisation"]) == 1 and len(detail["collaborations"]) >= 1
    assert queries.organisation_detail(small_db, "findes-ikke")["organisation"].empty


SELECTIONS = [
    Selection(),
    AARHUS,
    Selection(area="region:oestdanmark", themes=("lighed", "forebyggelse")),
    Selection(area="council:fyn", target_groups=("aeldre", "ensomme"), statuses=()),
    Selection(prevention_levels=("primaer",), referrals="ja"),
    Selection(referrals="nej", organisation_types=("frivillig_forening", "fond")),
    Selection(staffing=("frivillige",), statuses=("aktiv", "pause")),
    Selection(text="café"),
    Selection(text="sagen", area="region:midtjylland"),
    Selection(area="council:hovedstaden", text="hospital", themes=("brobygning",)),
    Selection(themes=("udvikling",), target_groups=("paaroerende",), statuses=("ophoert",)),
]


@pytest.fixture(scope="module")
def index(small_db_dir):
    from civilkort.db import Database, current_path
    from civilkort.index import DataIndex
    from civilkort.settings import Settings

    db = Database(current_path(Settings(data_dir=small_db_dir, static_dir=small_db_dir)))
    return DataIndex(db)


@pytest.mark.parametrize("sel", SELECTIONS, ids=[str(i) for i in range(len(SELECTIONS))])
def test_the_map_s_figures_are_the_lists_counted(small_db, index, sel):
    """The map's figures (the in-memory index, their one definition) count exactly what the lists (SQL) list."""
    offers, orgs = queries.offers(small_db, sel), queries.organisations(small_db, sel)
    figures = queries.key_figures(small_db, sel, index)
    assert (figures["offers"], figures["organisations"], figures["collaborations"]) == (
        len(offers),
        len(orgs),
        len(queries.collaborations(small_db, sel)),
    )
    measures = queries.municipality_measures(small_db, sel, index).set_index("municipality_name")
    assert measures["offers"].to_dict() == {
        name: int((offers["municipality_name"] == name).sum()) for name in measures.index
    }
    assert measures["organisations"].to_dict() == {
        name: int((orgs["municipality_name"] == name).sum()) for name in measures.index
    }
    points = queries.map_points(small_db, sel, index)
    drawn = set(points["point_id"])
    assert {p for p in drawn if p.startswith("org:")} == {f"org:{i}" for i in orgs["organisation_id"]}
    assert {p for p in drawn if p.startswith("offer:")} <= {f"offer:{i}" for i in offers["offer_id"]}
    by_theme = queries.offers_by_theme(small_db, sel, index).set_index("label")["n"]
    for label, n in by_theme.items():
        assert n == sum(label in themes.split("; ") for themes in offers["themes"]), label


@pytest.mark.parametrize("sel", SELECTIONS, ids=[str(i) for i in range(len(SELECTIONS))])
def test_an_areas_published_points_and_their_mask_give_the_selections_points(small_db, index, sel):
    """The map's file of an area's points, masked, is exactly the selection's points in the same order."""
    table, rows = index.area_points(sel.area)
    keep = index.point_keep(index.masks(sel), rows)
    assert table[keep]["point_id"].tolist() == index.points(index.masks(sel))["point_id"].tolist()
    # the file holds every point placed in the area, whatever the filters (ended offers too)
    placed = small_db.query(
        """SELECT 'org:' || organisation_id AS point_id FROM organisations WHERE list_contains($codes, municipality_code)
           UNION ALL SELECT 'offer:' || offer_id FROM offers
           WHERE has_own_location AND list_contains($codes, municipality_code)""",
        {"codes": sel.municipality_codes()},
    )
    assert sorted(table["point_id"]) == sorted(placed["point_id"])
