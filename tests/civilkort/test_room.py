"""The room on the wall: which workshops count for an area, the running count, reviewed or not, no rejected
entries and nothing personal in the pins."""

from __future__ import annotations

import datetime as dt
import uuid

from civilkort import map_legend, maps, review, workshop_tables
from civilkort import room as rooms
from civilkort import workshop as ws
from civilkort.auth import Principal

COORDINATOR_PERSON = Principal(name="Kirsten Koordinator", via="kode", is_admin=True)
NOW = dt.datetime(2027, 2, 1, 10, 0, tzinfo=dt.UTC)
AARHUS = (56.1572, 10.2107)
TODAY = NOW.date()


def _workshop(store, name, council_id, held_on=TODAY, code="1234-5678"):
    row, _ = ws.create_workshop(
        store, COORDINATOR_PERSON, name, held_on=held_on, council_id=council_id, code=code, at=NOW
    )
    return row


def _add(store, person, workshop, kind, fields, **place):
    return ws.add_entry(
        store, person, workshop["workshop_id"], kind, fields, client_token=uuid.uuid4().hex, at=NOW, **place
    ).entry


def test_the_rooms_count_pins_and_review_state(store):
    aarhus = _workshop(store, "Workshop Aarhus", "aarhus")
    other = _workshop(store, "Workshop Horsens", "horsens", code="9999-0000")
    mette = ws.join(store, Principal(), aarhus["workshop_id"], "1234-5678", "Mette Hansen", at=NOW)
    ole = ws.join(store, Principal(), other["workshop_id"], "9999-0000", "Ole", at=NOW)
    assert rooms.room(store, "council:aarhus", at=NOW).headline() == "0 bidrag"

    org = _add(store, mette, aarhus, "organisation", {"name": "<b>Gadeidræt</b>", "organisation_type": "fond"},
               lat=AARHUS[0], lon=AARHUS[1])  # fmt: skip
    _add(store, mette, aarhus, "organisation", {"name": "Løbeklubben", "organisation_type": "fond"},
         municipality="Aarhus")  # fmt: skip
    rejected = _add(store, mette, aarhus, "note", {"note_type": "hul", "text": "Spam"}, municipality="Aarhus")
    _add(store, mette, aarhus, "note", {"note_type": "ide", "text": "Uden sted"})
    _add(store, ole, other, "note", {"note_type": "hul", "text": "I Horsens"}, municipality="Horsens")
    review.reject(store, COORDINATOR_PERSON, rejected["entry_id"], "dublet", at=NOW)
    review.accept(store, COORDINATOR_PERSON, org["entry_id"], at=NOW)

    room = rooms.room(store, "council:aarhus", at=NOW)
    assert [w["name"] for w in room.workshops] == ["Workshop Aarhus"]
    assert room.total == 3 and room.by_kind["organisation"] == 2 and room.by_kind["note"] == 1
    assert room.headline() == "3 bidrag: 2 organisationer, 1 note til parkeringspladsen"
    assert room.review_line() == "1 gennemgået og godkendt, 2 venter på gennemgang."
    # the pins: those with a place, rejected left out, reviewed marked; titles, kinds and places only
    pins = room.pins.sort_values("title")
    assert pins["title"].tolist() == ["<b>Gadeidræt</b>", "Løbeklubben"]
    assert pins["is_reviewed"].tolist() == [True, False]
    assert pins["mark"].tolist() == [
        "Fra workshop Workshop Aarhus, 01-02-2027 · godkendt",
        "Fra workshop Workshop Aarhus, 01-02-2027 · ikke verificeret",
    ]
    assert "Mette" not in room.pins.to_json()
    # the map page's layer draws them, a reviewed pin in its own colour with its own legend line
    layers = maps.build_data_layers(workshop=room.pins)
    rows = maps.layer_data(layers)[map_legend.LAYER_WORKSHOP]["rows"]
    assert sorted(r[7] for r in rows) == [0, 1]
    assert map_legend.WORKSHOP_REVIEWED in map_legend.workshop_legend(room.pins)["items"]
    # the map page itself is unchanged: unreviewed pins of every workshop
    assert sorted(workshop_tables.map_entries(store)["title"]) == ["Hul: I Horsens", "Løbeklubben"]

    # the region holds both councils' rooms; the country every workshop
    assert rooms.room(store, "region:midtjylland", at=NOW).total == 4
    assert rooms.room(store, "dk", at=NOW).total == 4
    assert not rooms.room(store, "council:koebenhavn", at=NOW).is_open


def test_a_room_ended_today_still_shows_but_not_the_next_day(store):
    aarhus = _workshop(store, "Workshop Aarhus", "aarhus")
    ws.end_workshop(store, COORDINATOR_PERSON, aarhus["workshop_id"], at=NOW)
    assert rooms.room(store, "council:aarhus", at=NOW + dt.timedelta(hours=1)).is_open
    assert not rooms.room(store, "council:aarhus", at=NOW + dt.timedelta(days=1)).is_open
    earlier = _workshop(
        store, "Sidste uge", "aarhus", held_on=NOW.date() - dt.timedelta(days=7), code="1111-2222"
    )
    ws.end_workshop(store, COORDINATOR_PERSON, earlier["workshop_id"], at=NOW)
    assert [w["name"] for w in rooms.workshops(store, "council:aarhus", at=NOW)] == ["Workshop Aarhus"]


def test_the_room_can_join_only_the_workshops_whose_code_works_now(store):
    aarhus = _workshop(store, "Workshop Aarhus", "aarhus")
    ended = _workshop(store, "Slut i dag", "aarhus", code="3333-4444")
    _workshop(store, "Workshop Fyn", "fyn", code="5555-6666")
    ws.end_workshop(store, COORDINATOR_PERSON, ended["workshop_id"], at=NOW)
    later = NOW + dt.timedelta(minutes=1)
    assert {w["name"] for w in rooms.workshops(store, "council:aarhus", at=later)} == {
        "Workshop Aarhus",
        "Slut i dag",
    }  # on the wall today
    assert [w["workshop_id"] for w in rooms.joinable(store, "council:aarhus", at=later)] == [
        aarhus["workshop_id"]
    ]  # but only one can still be joined
    assert {w["name"] for w in rooms.joinable(store, "dk", at=later)} == {"Workshop Aarhus", "Workshop Fyn"}
    assert rooms.joinable(store, "council:aarhus", at=NOW + dt.timedelta(days=1)) == []


def test_the_workshops_names_read_as_danish():
    one = rooms.Room(workshops=({"name": "A"},))
    three = rooms.Room(workshops=({"name": "A"}, {"name": "B"}, {"name": "C"}))
    assert one.names() == "»A«" and three.names() == "»A«, »B« og »C«"
    assert rooms.Room(by_kind={"tilbud": 1, "samarbejde": 1}).headline() == "2 bidrag: 1 tilbud, 1 samarbejde"
