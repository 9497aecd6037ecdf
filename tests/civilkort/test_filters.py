"""The selection survives a round trip through the URL; bad parameters never break a page."""

from __future__ import annotations

import pytest

from civilkort.filters import Selection, from_params, to_params


def test_default_selection_gives_an_empty_query_string():
    assert to_params(Selection()) == {}


@pytest.mark.parametrize(
    "sel",
    [
        Selection(area="council:aarhus"),
        Selection(area="region:oestdanmark", themes=("forebyggelse", "lighed"), referrals="ja"),
        Selection(statuses=(), layers=("areas",), measure="collaborations", text="løb & gå"),
        Selection(area="council:fyn", municipality=461, item="org:ORG-1", organisation_types=("fond",)),
    ],
)
def test_round_trip(sel):
    assert from_params(to_params(sel)) == sel


@pytest.mark.parametrize(
    "params",
    [
        {"omraade": "council:atlantis"},
        {"omraade": "<script>"},
        {"maal": "nonsense"},
        {"henvisning": "måske"},
        {"kommune": "99999"},
        {"kommune": "abc"},
        {"lag": "areas,bogus"},
    ],
)
def test_malformed_parameters_fall_back_to_defaults(params):
    sel = from_params(params)
    assert sel.area == "dk" and sel.measure == "offers" and sel.referrals == "" and sel.municipality is None
    assert set(sel.layers) <= {"areas", "points", "units", "links", "tiles"}


def test_area_municipality_codes():
    assert sorted(Selection(area="council:aarhus").municipality_codes()) == [741, 751]
    assert len(Selection(area="region:nordjylland").municipality_codes()) == 11
    assert len(Selection().municipality_codes()) == 98
    assert Selection(area="council:aarhus").area_name() == "Sundhedsråd Aarhus"


def test_offer_filters_flag():
    assert not Selection().has_offer_filters
    assert Selection(themes=("lighed",)).has_offer_filters
    assert Selection(statuses=()).has_offer_filters
