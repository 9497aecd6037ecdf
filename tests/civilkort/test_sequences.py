"""Guided sequences: stored, listed, renamed, reordered and deleted (audited, coordinators only); the
built-in default; steps that outlived their data; steps as links."""

from __future__ import annotations

import json

import pytest

from civilkort import sequences
from civilkort.auth import ANONYMOUS, PARTICIPANT, PermissionDenied, Principal
from civilkort.filters import Selection, from_params, to_params
from civilkort.sequences import DEFAULT_ID, SequenceError, Step
from civilkort.store import Conflict, Store, new_id, now

COORDINATOR_K = Principal(name="Karin Koordinator", via="kode", is_admin=True)
PARTICIPANT_P = Principal(name="Per Deltager", roles=frozenset({PARTICIPANT}), workshop_id="w1")
AARHUS = Selection(area="council:aarhus")
KNOWN = sequences.known_codes(
    {"theme": ["forebyggelse", "lighed"], "target_group": ["aeldre"], "offer_status": ["aktiv", "pause"]}
)


def _steps() -> list[Step]:
    return [
        Step("Overblik", "kort", AARHUS),
        Step("Temaer", "temaer", Selection(area="council:aarhus", themes=("lighed",))),
        Step("Huller", "huller", Selection(area="region:midtjylland")),
    ]


def test_an_edit_from_an_older_version_is_refused_naming_who_changed_it(store):
    created = sequences.create(store, COORDINATOR_K, "Workshop Aarhus", _steps())
    assert created.version == 1
    other = Principal(name="Ole", via="login", is_admin=True)
    renamed = sequences.rename(store, other, created.sequence_id, "Ny", expected_version=created.version)
    assert renamed.version == 2
    for edit in (
        lambda: sequences.rename(store, COORDINATOR_K, created.sequence_id, "X", expected_version=1),
        lambda: sequences.remove_step(store, COORDINATOR_K, created.sequence_id, 0, expected_version=1),
        lambda: sequences.move_step(store, COORDINATOR_K, created.sequence_id, 0, 2, expected_version=1),
        lambda: sequences.edit_step(
            store, COORDINATOR_K, created.sequence_id, 0, title="T", expected_version=1
        ),
        lambda: sequences.add_step(
            store, COORDINATOR_K, created.sequence_id, _steps()[0], expected_version=1
        ),
        lambda: sequences.delete(store, COORDINATOR_K, created.sequence_id, expected_version=1),
    ):
        with pytest.raises(Conflict, match=r"^Sekvensen 'Ny' er ændret af Ole den "):
            edit()
    loaded, _ = sequences.load(store, created.sequence_id)
    assert (loaded.name, len(loaded.steps), loaded.version) == ("Ny", 3, 2)
    assert (
        sequences.set_steps(
            store, COORDINATOR_K, created.sequence_id, _steps()[:1], expected_version=2
        ).version
        == 3
    )


def test_create_list_rename_reorder_delete_are_stored_and_audited(store):
    created = sequences.create(store, COORDINATOR_K, "  Workshop   Aarhus ", _steps())
    assert created.name == "Workshop Aarhus" and created.created_by == "Karin Koordinator"
    assert created.council_id is None  # the steps show a council and a region
    listed = sequences.list_sequences(store)
    assert [(r["sequence_id"], r["name"], r["n_steps"]) for r in listed] == [
        (created.sequence_id, "Workshop Aarhus", 3)
    ]

    sequences.rename(store, COORDINATOR_K, created.sequence_id, "Workshop Kronjylland")
    sequences.move_step(store, COORDINATOR_K, created.sequence_id, 2, 0)
    sequences.edit_step(store, COORDINATOR_K, created.sequence_id, 1, kind="flisekort", title="Kortet")
    sequences.remove_step(store, COORDINATOR_K, created.sequence_id, 2)
    sequences.add_step(store, COORDINATOR_K, created.sequence_id, Step("Nøgletal", "noegletal", AARHUS))
    loaded, notes = sequences.load(store, created.sequence_id, known=KNOWN)
    assert notes == []
    assert loaded.name == "Workshop Kronjylland"
    assert [(s.title, s.kind) for s in loaded.steps] == [
        ("Huller", "huller"),
        ("Kortet", "flisekort"),
        ("Nøgletal", "noegletal"),
    ]
    assert loaded.steps[0].selection == Selection(area="region:midtjylland")

    sequences.delete(store, COORDINATOR_K, created.sequence_id)
    assert sequences.list_sequences(store) == []
    assert sequences.load(store, created.sequence_id)[0] is None
    history = store.history(entity="sequences", entity_id=created.sequence_id)
    assert [h["action"] for h in history] == [
        "slet",
        "ret trin",
        "ret trin",
        "ret trin",
        "ret trin",
        "omdøb",
        "opret",
    ]
    assert {h["actor"] for h in history} == {"Karin Koordinator"}
    assert json.loads(history[-1]["after"])["name"] == "Workshop Aarhus"

    store.undo_last("Karin Koordinator", entity="sequences")  # a deleted sequence can be brought back
    assert sequences.load(store, created.sequence_id)[0].name == "Workshop Kronjylland"


@pytest.mark.parametrize("who", [ANONYMOUS, PARTICIPANT_P], ids=["viewer", "participant"])
def test_only_coordinators_may_change_sequences(store, who):
    created = sequences.create(store, COORDINATOR_K, "Workshop", _steps())
    before = store.version()
    ident = created.sequence_id
    for change in (
        lambda: sequences.create(store, who, "Min egen", _steps()),
        lambda: sequences.rename(store, who, ident, "Andet navn"),
        lambda: sequences.set_steps(store, who, ident, []),
        lambda: sequences.add_step(store, who, ident, Step("X", "kort")),
        lambda: sequences.move_step(store, who, ident, 0, 1),
        lambda: sequences.remove_step(store, who, ident, 0),
        lambda: sequences.edit_step(store, who, ident, 0, title="Y"),
        lambda: sequences.delete(store, who, ident),
    ):
        with pytest.raises(PermissionDenied, match="koordinatoradgang"):
            change()
    assert store.version() == before  # nothing written, nothing audited
    # Viewing and presenting are open.
    assert sequences.list_sequences(store)[0]["name"] == "Workshop"
    assert len(sequences.load(store, ident)[0].steps) == 3


def test_bad_changes_are_refused_in_danish(store):
    with pytest.raises(SequenceError, match="navn"):
        sequences.create(store, COORDINATOR_K, "   ", [])
    created = sequences.create(store, COORDINATOR_K, "Workshop", [])
    with pytest.raises(SequenceError, match="findes ikke"):
        sequences.rename(store, COORDINATOR_K, "nope", "X")
    with pytest.raises(SequenceError, match="Trin 5"):
        sequences.remove_step(store, COORDINATOR_K, created.sequence_id, 4)
    with pytest.raises(SequenceError, match="Trin 1 findes ikke"):
        sequences.edit_step(store, COORDINATOR_K, created.sequence_id, 0, kind="kort")  # no step 1 yet
    sequences.add_step(store, COORDINATOR_K, created.sequence_id, Step("X", "kort"))
    with pytest.raises(SequenceError, match="Ukendt visning: lysbilleder"):
        sequences.edit_step(store, COORDINATOR_K, created.sequence_id, 0, kind="lysbilleder")
    with pytest.raises(SequenceError, match="Ukendt visning"):
        sequences.step_from_selection(AARHUS, "lysbilleder")


def test_default_sequence_for_any_area(store):
    default = sequences.default_sequence("council:fyn")
    assert default.sequence_id == DEFAULT_ID and default.is_builtin and default.council_id == "fyn"
    assert [s.title for s in default.steps] == ["Overblik", "Temaer", "Huller", "Samarbejder der udløber"]
    assert [s.kind for s in default.steps] == ["kort", "temaer", "huller", "udloeber"]
    assert {s.selection.area for s in default.steps} == {"council:fyn"}
    assert default.name == "Standardsekvens: Sundhedsråd Fyn"
    # Without boundaries the overview is the tile map; an unknown area falls back to the country.
    assert sequences.default_sequence("dk", has_boundaries=False).steps[0].kind == "flisekort"
    assert sequences.default_sequence("council:atlantis").steps[0].selection.area == "dk"
    loaded, notes = sequences.load(store, DEFAULT_ID, area="region:nordjylland")
    assert loaded.name == "Standardsekvens: Region Nordjylland" and notes == []


def test_a_sequence_saved_for_data_that_changed_loads_with_notes(store):
    ident = new_id()
    steps = [
        {"title": "Temaer", "kind": "temaer", "params": {"omraade": "council:aarhus", "tema": "lighed,forsvundet", "maalgruppe": "aeldre,boern", "lag": "areas,nyt-lag"}},
        {"title": "Gammelt område", "kind": "kort", "params": {"omraade": "council:nedlagt", "kort": "99,99,99"}},
        {"title": "", "kind": "lysbilleder", "params": {"status": "aktiv,lukket"}},
        "ikke et trin",
    ]  # fmt: skip
    with store.write("test") as tx:
        tx.insert(
            "sequences",
            {"sequence_id": ident, "name": "Gammel", "steps": json.dumps(steps), "created_by": "x", "created_at": now(), "updated_at": now()},
        )  # fmt: skip
    loaded, notes = sequences.load(store, ident, known=KNOWN)
    first, second, third, fourth = loaded.steps
    assert first.selection.themes == ("lighed",) and first.selection.target_groups == ("aeldre",)
    assert first.selection.layers == ("areas",)
    assert second.selection.area == "dk" and second.selection.view is None and second.kind == "kort"
    assert third.kind == "kort" and third.title == "Kort" and third.selection.statuses == ("aktiv",)
    assert fourth.kind == "kort"
    text = "\n".join(notes)
    assert "Trin 1 »Temaer«: temaet »forsvundet« findes ikke længere i data og er udeladt." in notes
    assert "målgruppen »boern«" in text and "laget »nyt-lag«" in text
    assert "Trin 2 »Gammelt område«: området »council:nedlagt« findes ikke længere" in text
    assert (
        "kortudsnittet" in text
        and "visningen »lysbilleder« findes ikke" in text
        and "status »lukket«" in text
    )
    # Without known codes nothing is checked against the vocabularies (but nothing fails either).
    assert sequences.load(store, ident)[0].steps[0].selection.themes == ("lighed", "forsvundet")


def test_unreadable_steps_give_an_empty_sequence_with_a_note(store):
    ident = new_id()
    with store.write("test") as tx:
        tx.insert(
            "sequences",
            {"sequence_id": ident, "name": "Ødelagt", "steps": "{not json", "created_by": "x", "created_at": now(), "updated_at": now()},
        )  # fmt: skip
    loaded, notes = sequences.load(store, ident)
    assert loaded.steps == () and notes == ["Sekvensens trin kunne ikke læses; den er tom."]
    assert sequences.list_sequences(store)[0]["n_steps"] == 0


def test_a_step_is_exactly_a_shareable_app_state():
    sel = Selection(
        area="council:aarhus", themes=("lighed",), measure="collaborations", view=(56.15, 10.2, 11)
    )
    step = sequences.step_from_selection(
        Selection(**{**sel.__dict__, "item": "org:ORG-1", "municipality": 751}), "kort", ""
    )
    assert step.title == "Kort" and step.selection == sel  # the open point and municipality are left out
    params = sequences.step_params("abc", 3, step)
    assert params["sekvens"] == "abc" and params["trin"] == "3" and params["visning"] == "kort"
    assert {k: v for k, v in params.items() if k not in ("sekvens", "trin", "visning")} == to_params(sel)
    assert from_params(params) == sel
    assert sequences.position(params) == ("abc", 3)
    assert sequences.position({"sekvens": "x y", "trin": "-2"}) == (None, 1)
    assert sequences.position({"sekvens": ["a", "b"], "trin": "0"}) == ("b", 1)
    assert sequences.position({}) == (None, 1)
    assert sequences.load(Store.__new__(Store), "../etc")[0] is None  # not a valid id: never queried


def test_a_step_may_show_the_room_and_keeps_it_through_the_store_and_the_link(store):
    plain, room = Step("Overblik", "kort", AARHUS), Step("Rummet", "kort", AARHUS, room=True)
    assert "room" not in plain.to_dict() and room.to_dict()["room"] is True  # old sequences stay as stored
    assert "rum" not in sequences.step_params("abc", 1, plain)
    assert sequences.step_params("abc", 1, room)["rum"] == "1"
    assert sequences.step_from_selection(AARHUS, "temaer", room=True).room is True
    # a stored step with anything but true is not a room step (hand-edited or older data)
    assert sequences.parse_step({"kind": "kort", "room": "ja"}, 1)[0].room is False
    created = sequences.create(store, COORDINATOR_K, "Workshop", [plain])
    changed = sequences.edit_step(store, COORDINATOR_K, created.sequence_id, 0, room=True)
    assert changed.steps[0].room is True
    retitled = sequences.edit_step(store, COORDINATOR_K, created.sequence_id, 0, title="Nyt navn")
    assert retitled.steps[0].room is True  # other edits keep it
    assert sequences.load(store, created.sequence_id)[0].steps == (
        Step("Nyt navn", "kort", AARHUS, room=True),
    )
    # the built-in sequence's overview shows the room (nothing extra while no workshop is in progress)
    assert [s.room for s in sequences.default_sequence("council:aarhus").steps] == [True, False, False, False]


def test_the_default_sequence_opens_with_deltag_while_a_workshop_is_in_progress(store):
    plain = sequences.default_sequence("council:aarhus")
    live = sequences.default_sequence("council:aarhus", workshop=True)
    assert [s.kind for s in live.steps] == ["deltag", *(s.kind for s in plain.steps)]
    assert live.steps[0].title == "Deltag i workshoppen" and live.steps[0].selection == AARHUS
    assert live.steps[1:] == plain.steps and live.council_id == "aarhus"
    assert "deltag" not in [s.kind for s in plain.steps]  # no workshop: the sequence as before
    assert sequences.VIEW_KINDS["deltag"] == "Deltag: kode og QR"


def test_a_deltag_step_is_stored_and_old_sequences_load_unchanged(store):
    old = [Step("Overblik", "kort", AARHUS, room=True), Step("Nøgletal", "noegletal", AARHUS)]
    stored_before = json.dumps([s.to_dict() for s in old], ensure_ascii=False)
    created = sequences.create(store, COORDINATOR_K, "Fra før", old)
    assert store.one("SELECT steps FROM sequences")["steps"] == stored_before  # the stored form is as before
    loaded, notes = sequences.load(store, created.sequence_id)
    assert loaded.steps == tuple(old) and notes == []
    join = sequences.step_from_selection(AARHUS, "deltag", "Kom med")
    added = sequences.add_step(store, COORDINATOR_K, created.sequence_id, join)
    assert added.steps[-1] == Step("Kom med", "deltag", AARHUS)
    assert sequences.step_params(created.sequence_id, 3, join)["visning"] == "deltag"
    moved = sequences.move_step(store, COORDINATOR_K, created.sequence_id, 2, 0)
    assert [s.kind for s in moved.steps] == ["deltag", "kort", "noegletal"]
    assert sequences.parse_step({"kind": "deltag"}, 1)[0].title == "Deltag: kode og QR"


def test_a_link_keeps_its_step_when_the_built_in_sequence_gains_or_loses_its_join_step():
    without = sequences.default_sequence("council:aarhus")
    with_join = sequences.default_sequence("council:aarhus", workshop=True)
    assert [s.kind for s in with_join.steps][:2] == ["deltag", "kort"]
    huller = [s.kind for s in without.steps].index("huller") + 1
    # a workshop started while the room looked at Huller: the same step, one further on
    assert with_join.steps[sequences.step_meant(with_join, huller, "huller") - 1].kind == "huller"
    # and the day after, without the join step: one back
    moved = huller + 1
    assert without.steps[sequences.step_meant(without, moved, "huller") - 1].kind == "huller"
    # a link that matches, names no kind, or a kind nowhere near, keeps its number
    assert sequences.step_meant(without, huller, "huller") == huller
    assert sequences.step_meant(without, 2, None) == 2
    assert sequences.step_meant(with_join, 1, "udloeber") == 1
    assert sequences.step_meant(without, 99, "huller") == 99
