"""A region-wide unit belongs to its region: a Copenhagen collaboration with Region Hovedstaden (address in
Hillerød) is København's, not Nordsjælland's, in the radar, the lists, the map and the report; region views
count it once; the map's in-memory index agrees with the SQL (issue 12 item 7)."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from pypdf import PdfReader

from civilkort import map_payload, queries, radar, report
from civilkort.filters import Selection
from civilkort.index import DataIndex
from tests.conftest import PROJECT_ROOT, TODAY, clean_input, typed_rows

SOON = pd.Timestamp(TODAY + dt.timedelta(days=70))
KBH, NORDSJ, REGION = "council:hovedstaden", "council:nordsjaelland", "region:oestdanmark"
AREAS = (KBH, NORDSJ, REGION, "council:fyn", "national")


@pytest.fixture(scope="module")
def db(tmp_path_factory, example_tables, tiny_boundaries):
    from civilkort.db import Database, current_path
    from civilkort.settings import Settings
    from etl.build import build

    ex = example_tables
    org = {"organisation_type": "frivillig_forening"}
    tables = {
        "organisations": typed_rows(
            ex["organisations"],
            [
                {"organisation_id": "ORG-KBH", "name": "Café København", "municipality": 101, **org},
                {"organisation_id": "ORG-HIL", "name": "Café Hillerød", "municipality": 219, **org},
            ],
            "Organisationer",
        ),
        "offers": typed_rows(
            ex["offers"],
            [
                {
                    "offer_id": "T-KBH",
                    "organisation_id": "ORG-KBH",
                    "name": "Løbecafé",
                    "themes": ["forebyggelse"],
                },
                {
                    "offer_id": "T-HIL",
                    "organisation_id": "ORG-HIL",
                    "name": "Gåtur",
                    "themes": ["forebyggelse"],
                },
            ],
            "Tilbud",
        ),
        "regional_units": typed_rows(
            ex["regional_units"],
            [
                {
                    "unit_id": "ENH-RH",
                    "name": "Region Hovedstaden",
                    "unit_type": "region",
                    "postcode": "3400",
                },
                {
                    "unit_id": "ENH-NOH",
                    "name": "Nordsjællands Hospital",
                    "unit_type": "hospital",
                    "postcode": "3400",
                },
                {"unit_id": "ENH-RIG", "name": "Rigshospitalet", "unit_type": "hospital", "postcode": "2100"},
            ],
            "Regionale enheder",
        ),
        "collaborations": typed_rows(
            ex["collaborations"],
            [
                {
                    "collaboration_id": "SAM-KBH",
                    "title": "Varmestue på Vesterbro",
                    "unit_ids": ["ENH-RH"],
                    "organisation_ids": ["ORG-KBH"],
                    "themes": ["lighed"],
                    "end_date": SOON,
                    "status": "aktiv",
                },
                {
                    "collaboration_id": "SAM-HIL",
                    "title": "Gåture i Hillerød",
                    "unit_ids": ["ENH-NOH"],
                    "organisation_ids": ["ORG-HIL"],
                    "themes": ["forebyggelse"],
                    "end_date": SOON,
                    "status": "aktiv",
                },
            ],
            "Samarbejder",
        ),  # fmt: skip
        "experiences": typed_rows(ex["experiences"], [], "Erfaringer"),
    }
    path = tmp_path_factory.mktemp("region-wide")
    cfg = Settings(data_dir=path, static_dir=PROJECT_ROOT / "static")
    build(clean_input(tables), boundaries=tiny_boundaries, meta={"is_example": "true"}, cfg=cfg)
    database = Database(current_path(cfg))
    yield database
    database.close()


@pytest.fixture(scope="module")
def index(db):
    return DataIndex(db)


def _ending_ids(db, area: str) -> list[str]:
    return radar.ending(db, Selection(area=area), TODAY)["rows"][3]["collaboration_id"].tolist()


def test_a_copenhagen_collaboration_ends_soon_in_koebenhavn_not_in_nordsjaelland(db):
    assert _ending_ids(db, KBH) == ["SAM-KBH"]
    assert _ending_ids(db, NORDSJ) == ["SAM-HIL"]
    assert sorted(_ending_ids(db, REGION)) == ["SAM-HIL", "SAM-KBH"]  # the region counts it once


@pytest.mark.parametrize("area", AREAS)
def test_collaborations_follow_the_organisation_on_the_map_and_in_the_lists(db, index, area):
    sel = Selection(area=area, statuses=())
    listed = sorted(queries.collaborations(db, sel)["collaboration_id"])
    assert sorted(index.collaboration_ids(index.masks(sel))) == listed
    assert queries.key_figures(db, sel, index)["collaborations"] == len(listed)
    for name in ("timeline", "governance"):
        assert len(radar._run(db, name, sel, TODAY)) == len(listed)
    expected = {KBH: ["SAM-KBH"], NORDSJ: ["SAM-HIL"], REGION: ["SAM-HIL", "SAM-KBH"], "council:fyn": [],
                "national": ["SAM-HIL", "SAM-KBH"]}[area]  # fmt: skip
    assert listed == expected


def test_the_map_counts_the_collaboration_in_koebenhavn_only(db, index):
    measures = queries.municipality_measures(db, Selection(area=REGION, statuses=()), index)
    by_code = measures.set_index("municipality_code")["collaborations"]
    assert by_code[101] == 1 and by_code[219] == 1  # 219: SAM-HIL only


@pytest.mark.parametrize("area", AREAS)
def test_units_region_wide_drawn_where_they_serve_counted_only_in_their_region(db, index, area):
    sel = Selection(area=area, statuses=())
    drawn = queries.map_layers(db, sel, "offers", index, points=False)["units"]
    counted = queries.key_figures(db, sel, index)["units"]
    expected_drawn, expected_counted = {
        KBH: (["ENH-RH", "ENH-RIG"], 1),
        NORDSJ: (["ENH-NOH", "ENH-RH"], 1),
        REGION: (["ENH-NOH", "ENH-RH", "ENH-RIG"], 3),
        "council:fyn": ([], 0),
        "national": (["ENH-NOH", "ENH-RH", "ENH-RIG"], 3),
    }[area]
    assert sorted(drawn["unit_id"]) == expected_drawn and counted == expected_counted
    wide = drawn.set_index("unit_id")["is_region_wide"]
    assert all(bool(wide[u]) == (u == "ENH-RH") for u in wide.index)


def test_units_without_partner_list_a_region_wide_unit_under_its_region(db):
    def units(area):
        return set(radar.units_without_partner_in_theme(db, Selection(area=area), TODAY)["unit_id"])

    assert "ENH-RH" not in units(NORDSJ) and "ENH-NOH" in units(NORDSJ)
    assert "ENH-RH" not in units(KBH)
    assert {"ENH-RH", "ENH-NOH", "ENH-RIG"} <= units(REGION)


def test_no_organisation_works_in_two_councils_through_a_region_wide_partner(db):
    # Café København's collaboration with the region counts in København only (the region-wide unit adds
    # no Hillerød), and Café Hillerød works in Hillerød only: no area lists anyone in two councils.
    for area in AREAS:
        assert radar.multi_council_organisations(db, Selection(area=area), TODAY).empty, area
    kbh = db.query(
        """SELECT p.municipality_codes, p.council_mask = b.bit AS is_hovedstaden_only
           FROM out_organisation_collaborations p, out_bits b
           WHERE p.organisation_id = 'ORG-KBH' AND b.vocabulary = 'council' AND b.code = 'hovedstaden'"""
    )
    assert kbh["municipality_codes"].tolist()[0].tolist() == [101] and kbh["is_hovedstaden_only"].all()


def test_the_marker_says_region_wide_and_leaves_the_area_fit_alone(db):
    units = queries.map_layers(db, Selection(area=NORDSJ), "offers", points=False)["units"]
    payload, extent, legend = map_payload._units_payload(units)
    labels = {row[5]: row[6] for row in payload["rows"]}
    assert labels["Region Hovedstaden"].endswith(map_payload.REGION_WIDE_LABEL)
    assert not labels["Nordsjællands Hospital"].endswith(map_payload.REGION_WIDE_LABEL)
    assert map_payload.REGION_WIDE_LABEL not in " ".join(legend.values())


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_council_report_lists_the_collaboration_under_koebenhavn(db):
    kbh = _pdf_text(report.council_report(db, "hovedstaden", today=TODAY).pdf)
    nordsj = _pdf_text(report.council_report(db, "nordsjaelland", today=TODAY).pdf)
    assert "Varmestue på Vesterbro" in kbh and "Gåture i Hillerød" not in kbh
    assert "Gåture i Hillerød" in nordsj and "Varmestue på Vesterbro" not in nordsj
    assert "Regionale enheder 1" in nordsj.replace("\n", " ")  # the hospital; not the region's administration


def test_the_build_report_says_how_many_units_are_region_wide(db):
    measures = dict(db.query("SELECT measure, value FROM quality_report").itertuples(index=False))
    assert measures["Regionale enheder"] == "3" and measures["Heraf enheder for hele regionen"] == "1"


def test_a_build_older_than_the_app_reads_says_so_in_danish(db, tmp_path):
    import duckdb

    from civilkort.db import OLDEST_READABLE_SCHEMA, Database
    from etl.build import SCHEMA_VERSION

    assert int(SCHEMA_VERSION) >= OLDEST_READABLE_SCHEMA and db.outdated() is None
    path = tmp_path / "gammel.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE VIEW build_info AS SELECT 'schema_version' AS key, '2' AS value")
    con.close()
    old = Database(path)
    try:
        message = old.outdated()
    finally:
        old.close()
    assert message and "ældre version" in message and "python -m etl demo" in message
