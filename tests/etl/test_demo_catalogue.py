"""Tests for the example data's catalogue files (etl/demo/catalogue/) and their reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from civilkort import reference
from etl.demo import catalogue


def test_every_reference_between_the_files_resolves() -> None:
    kinds = set(catalogue._OFFER_KINDS)
    for template in catalogue._ORG_TEMPLATES:
        assert set(template.kinds) <= kinds, template.names
    organisations = {o.name for o in catalogue.KNOWN_ORGANISATIONS}
    assert {o.organisation for o in catalogue.KNOWN_OFFERS} <= organisations
    units = {u.name for u in catalogue.KNOWN_UNITS}
    municipality_units = {f"{name} Kommune" for name in reference.municipalities()["municipality_name"]}
    for collaboration in catalogue.REAL_COLLABORATIONS:
        assert set(collaboration.organisation_names) <= organisations, collaboration.title
        assert set(collaboration.unit_names) <= units | municipality_units, collaboration.title
    assert {t.unit_type for t in catalogue._COLLAB_TEMPLATES} <= set(catalogue._UNIT_TYPE_WEIGHTS)


def test_codes_are_known() -> None:
    councils = set(reference.councils()["council_id"])
    municipalities = set(reference.municipalities()["municipality_code"])
    for unit in catalogue.KNOWN_UNITS:
        assert set(unit.serves) <= councils, unit.name
        assert unit.municipality is None or unit.municipality in municipalities, unit.name
    assert set(catalogue._APPROX_POPULATION_K) == municipalities
    for kind in catalogue._OFFER_KINDS.values():
        assert len(kind.prevention) == 3 and sum(kind.prevention) <= 1, kind.names
    for template in catalogue._ORG_TEMPLATES:
        assert len(template.staffing) == 3 and sum(template.staffing) == pytest.approx(1), template.names


def test_a_bad_entry_is_named_by_file_and_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "known_offers.toml").write_text(
        '[[offer]]\norganisation = "A"\nname = "B"\ndescription = "C"\nthemes = []\ntarget_groups = []\n'
        'source = "rh"\n\n[[offer]]\norganisation = "A"\nnavn = "B"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(catalogue, "CATALOGUE_DIR", tmp_path)
    with pytest.raises(catalogue.CatalogueError, match=r"known_offers\.toml, entry 2: .*navn"):
        catalogue._records(catalogue.KnownOffer, "known_offers.toml", "offer")


def test_an_unknown_source_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "known_units.csv").write_text(
        "# a comment\nname,unit_type,postcode,municipality,serves,source\nX,hospital,2100,101,,paper\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(catalogue, "CATALOGUE_DIR", tmp_path)
    with pytest.raises(catalogue.CatalogueError, match=r"known_units\.csv, entry 1: unknown source 'paper'"):
        catalogue._known_units()
