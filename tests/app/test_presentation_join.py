"""AppTest of the presentation's *Deltag* step: the code, the QR code and the join link of the area's
workshop on the wall, the code only for a coordinator of its council and for that workshop's projector
screen; the built-in sequence opens with it while a workshop is in progress."""

from __future__ import annotations

import datetime as dt

import pytest

from civilkort import auth, sequences
from civilkort import workshop as ws
from civilkort.auth import Principal
from civilkort.sequences import Step
from civilkort.store import Store
from tests.app.test_presentation import AARHUS, COORD, _markdown, _open, _presenting
from ui import join_step, presentation

SECRET = "hemmeligheden-til-deltag-trinnet"
AARHUS_COORD = Principal(name="Aage", via="login", key="a1", councils=frozenset({"aarhus"}))
FYN_COORD = Principal(name="Frida", via="login", key="f1", councils=frozenset({"fyn"}))


@pytest.fixture
def store(small_db, tmp_path, monkeypatch) -> Store:
    monkeypatch.setenv("CIVILKORT_COOKIE_SECRET", SECRET)  # the secret the page unseals codes with
    s = Store(tmp_path / "store.sqlite")
    monkeypatch.setattr(presentation, "store", lambda: s)
    return s


@pytest.fixture
def workshop(store) -> tuple[dict, str]:
    return ws.create_workshop(
        store, COORD, "Workshop *Aarhus*", held_on=dt.date.today(), council_id="aarhus", secret=SECRET
    )


def _projector(row: dict) -> Principal:
    return auth.as_projector(row, expires=int(dt.datetime.now(dt.UTC).timestamp()) + 3600)


def _text(at) -> str:
    return "\n".join(_markdown(at) + [c.value for c in at.caption])


def test_the_built_in_sequence_opens_with_the_code_for_the_workshops_projector(store, workshop):
    row, code = workshop
    at = _open({"sekvens": "standard", "omraade": "council:aarhus"}, principal=_projector(row))
    _presenting(at, "Deltag i workshoppen", 1, 5)
    assert at.query_params["visning"] == "deltag"
    assert f"# `{code}`" in _markdown(at)  # the code, as the facilitator's screen shows it (ui/join_kit.py)
    assert r"### Kode til *Workshop \*Aarhus\**" in _markdown(at)  # the name is user text: escaped
    assert len(at.get("image")) == 1  # the QR code
    assert f"/workshop?deltag={row['workshop_id']}" in _text(at)  # the join link, to the workshop page
    assert not at.metric  # the whole width: no key figures beside it

    new = ws.new_code(store, COORD, row["workshop_id"], secret=SECRET)
    at.run()  # the step's watcher reruns the page within seconds of a new code
    assert f"# `{new}`" in _markdown(at) and code not in _text(at)

    at.button(key="ck-next-pg").click().run()  # the clicker goes on to the overview
    _presenting(at, "Overblik", 2, 5)


def test_a_coordinator_of_the_council_sees_the_code(store, workshop):
    row, code = workshop
    at = _open({"sekvens": "standard", "omraade": "council:aarhus"}, principal=AARHUS_COORD)
    _presenting(at, "Deltag i workshoppen", 1, 5)
    assert f"# `{code}`" in _markdown(at)


@pytest.mark.parametrize("who", ["anonym", "koordinator Fyn", "deltager"])
def test_anyone_else_presenting_is_told_where_the_code_is_shown(store, workshop, who):
    row, code = workshop
    person = {
        "anonym": Principal(),
        "koordinator Fyn": FYN_COORD,
        "deltager": ws.join(store, Principal(), row["workshop_id"], code, "Mette"),
    }[who]
    at = _open({"sekvens": "standard", "omraade": "council:aarhus"}, principal=person)
    _presenting(at, "Deltag i workshoppen", 1, 5)
    assert code not in _text(at) and code.replace("-", "") not in _text(at)
    assert join_step.NOT_YOURS in _markdown(at)
    assert "koordinatorens skærm" in join_step.NOT_YOURS and "projektor" in join_step.NOT_YOURS
    assert len(at.get("image")) == 1  # the QR code and the link name the workshop only: shown to all
    assert f"deltag={row['workshop_id']}" in _text(at)


def test_the_projector_of_another_workshop_in_the_area_shows_only_its_own(store, workshop):
    row, code = workshop
    other, other_code = ws.create_workshop(
        store, COORD, "Anden workshop", held_on=dt.date.today(), council_id="aarhus", secret=SECRET
    )
    at = _open({"sekvens": "standard", "omraade": "council:aarhus"}, principal=_projector(other))
    _presenting(at, "Deltag i workshoppen", 1, 5)
    assert f"# `{other_code}`" in _markdown(at)
    assert code not in _text(at) and row["workshop_id"] not in _text(at)
    assert len(at.get("image")) == 1
    # the watcher looks at the same list the step shows (else it would redraw the wall every few seconds)
    mine = join_step.joinable(store, _projector(other), "council:aarhus")
    assert [w["workshop_id"] for w in mine] == [other["workshop_id"]]
    coordinator = _open({"sekvens": "standard", "omraade": "council:aarhus"}, principal=AARHUS_COORD)
    shown = _markdown(coordinator)  # the council's coordinator presenting: both workshops, both codes
    assert f"# `{code}`" in shown and f"# `{other_code}`" in shown
    assert len(coordinator.get("image")) == 2


def test_without_a_workshop_in_progress_the_step_says_so_and_the_default_has_no_deltag_step(store):
    created = sequences.create(
        store, COORD, "Workshopdag", [Step("Kom med", "deltag", AARHUS), Step("Overblik", "kort", AARHUS)]
    )
    at = _open({"sekvens": created.sequence_id}, principal=COORD)
    _presenting(at, "Kom med", 1, 2)
    assert join_step.NONE_LIVE in _markdown(at)
    assert not at.get("image")
    plain = _open({"sekvens": "standard", "omraade": "council:aarhus"})
    _presenting(plain, "Overblik", 1, 4)


def test_the_editor_offers_the_deltag_step(store):
    created = sequences.create(store, COORD, "Workshop", [Step("Overblik", "kort", AARHUS)])
    ident = created.sequence_id
    at = _open({"omraade": "council:aarhus"}, principal=COORD)
    at.selectbox(key="praes-edit").set_value(ident).run()
    assert "Deltag: kode og QR" in at.selectbox(key=f"praes-add-kind-{ident}").options
    at.selectbox(key=f"praes-add-kind-{ident}").set_value("deltag")
    at.button(key=f"praes-add-{ident}").click().run()
    assert not at.exception
    assert [s.kind for s in sequences.load(store, ident)[0].steps] == ["kort", "deltag"]
