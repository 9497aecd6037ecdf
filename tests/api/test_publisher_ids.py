"""The HSDS API serves a record read from a publisher's HSDS feed under the publisher's id, as the export does,
and the product's own records under their made ids."""

from __future__ import annotations

import json

import pandas as pd

from api.catalogue import Catalogue
from civilkort.settings import Settings
from etl.build import build
from etl.hsds.mapping import hsds_id
from tests.conftest import PROJECT_ROOT, clean_input
from tests.etl.test_hsds_roundtrip import ORG, SERVICE, feed, read_back


def test_a_publishers_records_are_served_under_the_publishers_ids(tmp_path, example_tables, tiny_boundaries):
    path = tmp_path / "organization_full.json"
    path.write_text(json.dumps(feed(), ensure_ascii=False), encoding="utf-8")
    imported = read_back(path).tables
    tables = {
        name: pd.concat([df, imported[name]], ignore_index=True) if name in imported else df
        for name, df in example_tables.items()
    }
    cfg = Settings(data_dir=tmp_path / "data", static_dir=PROJECT_ROOT / "static")
    built = build(clean_input(tables), boundaries=tiny_boundaries, cfg=cfg)
    catalogue = Catalogue(built.path)
    try:
        assert catalogue.offer_id(SERVICE) == SERVICE
        assert catalogue.organization_key(ORG) == ("organisation", ORG)
        (service,) = catalogue.services([SERVICE], {}, full=True)
        assert service["id"] == SERVICE and service["organization"]["id"] == ORG
        (org,) = catalogue.organizations([("organisation", ORG)], nested=True, full_service=False)
        assert org["id"] == ORG and SERVICE in {s["id"] for s in org["services"]}
        own = str(example_tables["offers"]["offer_id"].iloc[0])
        assert catalogue.offer_id(hsds_id("offer", own)) == own
    finally:
        catalogue.close()
