"""AppTest of the room on the wall: a step with *Vis rummets bidrag* shows the running count of what a
workshop in its area has added (and the pins on its map), a step without it or in another area does not,
and a coordinator turns the option on in the sequence editor."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest

from civilkort import queries, review, sequences
from civilkort import workshop as ws
from civilkort.auth import Principal
from civilkort.sequences import Step
from civilkort.store import Store
from tests.app.test_presentation import AARHUS, COORD, _markdown, _metrics, _no_errors, _open, _presenting
from ui import presentation

AARHUS_PIN = (56.1572, 10.2107)


@pytest.fixture
def store(small_db, tmp_path, monkeypatch) -> Store:
    s = Store(tmp_path / "store.sqlite")
    monkeypatch.setattr(presentation, "store", lambda: s)
    return s


@pytest.fixture
def room(store):
    """A workshop for Aarhus in progress today, with Mette joined; adds an entry per call."""
    row, code = ws.create_workshop(
        store, COORD, "Workshop *Aarhus*", held_on=dt.date.today(), council_id="aarhus"
    )
    mette = ws.join(store, Principal(), row["workshop_id"], code, "Mette Hansen")

    def add(kind: str, fields: dict, **place) -> dict:
        return ws.add_entry(
            store, mette, row["workshop_id"], kind, fields, client_token=uuid.uuid4().hex, **place
        ).entry

    return add


def _folium_args(at) -> str:
    """The map component's arguments as sent to the browser (the feature groups' script is in them)."""
    args = [json.loads(c.proto.json_args or "{}") for c in at.get("component_instance")]
    return json.dumps(args, ensure_ascii=False)


def test_a_room_step_counts_what_the_room_adds_and_pins_it_on_the_map(store, room, small_db):
    room(
        "organisation",
        {"name": "Gadeidræt", "organisation_type": "fond"},
        lat=AARHUS_PIN[0],
        lon=AARHUS_PIN[1],
    )
    room("note", {"note_type": "hul", "text": "Mangler tilbud til unge"}, municipality="Aarhus")
    spam = room("note", {"note_type": "hul", "text": "Spam"}, municipality="Aarhus")
    review.reject(store, COORD, spam["entry_id"], "dublet")
    steps = [
        Step("Rummets bidrag", "kort", AARHUS, room=True),
        Step("Kortet uden rummet", "kort", AARHUS),
        Step("Temaer med rummet", "temaer", AARHUS, room=True),
        Step("Fyn med rummet", "kort", presentation.Selection(area="council:fyn"), room=True),
    ]
    created = sequences.create(store, COORD, "Workshop", steps)
    at = _open({"sekvens": created.sequence_id})
    _presenting(at, "Rummets bidrag", 1, 4)
    assert at.query_params["rum"] == "1"
    counts = _metrics(at)
    assert counts["Rummets bidrag"] == "2"  # the rejected one is not counted
    assert (counts["Organisationer"], counts["Parkeringsplads"], counts["Tilbud"]) == ("1", "1", "0")
    assert "Tilbud i alt" not in counts
    note = next(m for m in _markdown(at) if "Opdateres af sig selv" in m)
    assert "Ingen er gennemgået endnu." in note and r"»Workshop \*Aarhus\*«" in note  # escaped
    args = _folium_args(at)
    assert "Gadeidræt" in args and "Spam" not in args and "Mette" not in args

    # someone saves: the next run (the watcher's, within seconds) shows it
    room("tilbud", {"name": "Løbeklub", "themes": ["lighed"]}, municipality="Aarhus")
    at.run()
    assert _metrics(at)["Rummets bidrag"] == "3" and _metrics(at)["Tilbud"] == "1"
    assert "Løbeklub" in _folium_args(at)

    at.button(key="ck-next").click().run()  # a step without the room: the area's own figures, no pins
    _presenting(at, "Kortet uden rummet", 2, 4)
    assert "rum" not in at.query_params
    assert "Rummets bidrag" not in _metrics(at)
    assert _metrics(at)["Tilbud"] == str(queries.key_figures(small_db, AARHUS)["offers"])
    assert "Gadeidræt" not in _folium_args(at)

    at.button(key="ck-next").click().run()  # any view kind: the count beside the chart
    _presenting(at, "Temaer med rummet", 3, 4)
    assert _metrics(at)["Rummets bidrag"] == "3"

    at.button(key="ck-next").click().run()  # no workshop in the step's area: the step as usual
    _presenting(at, "Fyn med rummet", 4, 4)
    assert "Rummets bidrag" not in _metrics(at)


def test_the_coordinator_turns_the_room_on_in_the_editor(store):
    created = sequences.create(store, COORD, "Workshop", [Step("Overblik", "kort", AARHUS)])
    ident = created.sequence_id
    at = _open({"omraade": "council:aarhus"}, principal=COORD)
    at.selectbox(key="praes-edit").set_value(ident).run()
    _no_errors(at)
    [box] = [c for c in at.checkbox if c.key and c.key.startswith(f"praes-room-{ident}-0-")]
    assert box.value is False and box.label == "Vis rummets bidrag"
    box.check().run()
    _no_errors(at)
    assert sequences.load(store, ident)[0].steps[0].room is True
    assert any("viser nu rummets bidrag" in s.value for s in at.success)

    at.checkbox(key=f"praes-add-room-{ident}").check()
    at.selectbox(key=f"praes-add-kind-{ident}").set_value("temaer")
    at.button(key=f"praes-add-{ident}").click().run()
    _no_errors(at)
    steps = sequences.load(store, ident)[0].steps
    assert [(s.kind, s.room) for s in steps] == [("kort", True), ("temaer", True)]


def test_the_built_in_sequence_shows_the_room_while_a_workshop_is_in_progress(store, room):
    at = _open({"sekvens": "standard", "omraade": "council:aarhus"})
    _presenting(
        at, "Deltag i workshoppen", 1, 5
    )  # the room joins first (tests/app/test_presentation_join.py)
    at.button(key="ck-next").click().run()
    _presenting(at, "Overblik", 2, 5)
    assert _metrics(at)["Rummets bidrag"] == "0"  # the workshop is on, nothing added yet
    room("note", {"note_type": "ide", "text": "Løbeklub"}, municipality="Aarhus")
    at.run()
    assert _metrics(at)["Rummets bidrag"] == "1"
