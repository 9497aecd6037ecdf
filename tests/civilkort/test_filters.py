"""The selection survives a round trip through the URL; bad parameters never break a page."""

from __future__ import annotations

import pytest

from civilkort.filters import Selection, format_view, from_params, parse_view, to_params


def test_default_selection_gives_an_empty_query_string():
    assert to_params(Selection()) == {}


@pytest.mark.parametrize(
    "sel",
    [
        Selection(area="council:aarhus"),
        Selection(area="region:oestdanmark", themes=("forebyggelse", "lighed"), referrals="ja"),
        Selection(statuses=(), layers=("areas",), measure="collaborations", text="løb & gå"),
        Selection(area="council:fyn", municipality=461, item="org:ORG-1", organisation_types=("fond",)),
        Selection(area="council:aarhus", view=(56.15, 10.2, 13)),
        Selection(view=(55.67611, 12.56834, 18), themes=("lighed",)),
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
        {"kort": "56.15,10.2"},
        {"kort": "56.15,10.2,13,1"},
        {"kort": "abc,10.2,13"},
        {"kort": "56.15,10.2,13.5"},
        {"kort": "56.15,10.2,4"},
        {"kort": "56.15,10.2,19"},
        {"kort": "48.85,2.35,12"},
        {"kort": "56.15,16,12"},
        {"kort": "nan,10.2,12"},
        {"kort": "inf,10.2,12"},
        {"kort": ""},
    ],
)
def test_malformed_parameters_fall_back_to_defaults(params):
    sel = from_params(params)
    assert sel.view is None
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


def test_map_view_parameter():
    assert to_params(Selection(area="council:aarhus", view=(56.15, 10.2, 13))) == {
        "omraade": "council:aarhus",
        "kort": "56.15,10.2,13",
    }
    # the copy-link button writes 5 decimals; more are rounded, the text is written back as read
    assert from_params({"kort": "56.150000,10.200000,13"}).view == (56.15, 10.2, 13)
    assert from_params({"kort": ["55,9,6", "55.123456,9.5,7"]}).view == (55.12346, 9.5, 7)
    assert to_params(from_params({"kort": "56.16123,10.21,11"}))["kort"] == "56.16123,10.21,11"
    assert format_view((57.0, 8.0, 5)) == "57,8,5"
    assert parse_view("54.5,7.8,5") == (54.5, 7.8, 5) and parse_view("57.9,15.3,18") == (57.9, 15.3, 18)
    assert parse_view(None) is None
