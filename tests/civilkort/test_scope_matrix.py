"""Every write in the library, tried as every kind of user: allowed where their scope covers it, else
refused with a Danish PermissionDenied that changed nothing (the audit trail and the files are as before).
The one guarded read, the workshop's running code, is tried the same way: its council's coordinators and
the workshop's own projector screen see it, nobody else.

The records belong to Sundhedsråd Aarhus (Region Midtjylland); "the other" council is Fyn (Region
Syddanmark). Uploads, rebuilds and applying workshop entries are tried in tests/etl/test_scope.py.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from civilkort import auth, followup, review, roles, sequences, snapshots
from civilkort import duplicates as dup
from civilkort import workshop as ws
from civilkort.auth import PermissionDenied, Principal
from civilkort.db import Database
from civilkort.filters import Selection
from civilkort.sequences import Step
from civilkort.settings import Settings
from civilkort.store import Store
from tests.conftest import PROJECT_ROOT

ADMIN = Principal("Ane Admin", via="login", key="a1", is_admin=True)
SECRET = "hemmeligheden-der-forsegler-koderne"
PEOPLE: dict[str, Principal | None] = {
    "læser": Principal("Lene Læser"),
    "deltager": None,  # joins the Aarhus workshop in the fixture
    "koordinator Aarhus": Principal("Kim", via="login", key="k1", councils=frozenset({"aarhus"})),
    "koordinator Fyn": Principal("Finn", via="login", key="f1", councils=frozenset({"fyn"})),
    "regional Midtjylland": Principal("Lis", via="login", key="l1", regions=frozenset({"midtjylland"})),
    "regional Syddanmark": Principal("Sus", via="login", key="s1", regions=frozenset({"syddanmark"})),
    "national administrator": ADMIN,
    "projektor": None,  # the Aarhus workshop's projector screen (read-only)
}
COORDINATING_AARHUS = {"koordinator Aarhus", "regional Midtjylland", "national administrator"}


@dataclass
class World:
    """A store with an Aarhus workshop, a participant's entries, a sequence and a duplicate decision."""

    store: Store
    cfg: Settings
    db: Database
    workshop: dict[str, Any]
    participant: Principal
    entries: list[dict[str, Any]]
    sequence_id: str
    pair: tuple[str, str]


def _two_aarhus_organisations(db: Database) -> tuple[str, str]:
    ids = db.query(
        "SELECT organisation_id FROM organisations WHERE council_id = 'aarhus' ORDER BY organisation_id LIMIT 2"
    )["organisation_id"]
    return str(ids[0]), str(ids[1])


@pytest.fixture
def data_cfg(tmp_path, small_db_dir) -> Settings:
    """A data folder serving the session's small build (linked, not copied) with room for snapshots."""
    data = tmp_path / "data"
    (data / "builds").mkdir(parents=True)
    name = (small_db_dir / "current.txt").read_text().splitlines()[0].strip()
    (data / "builds" / name).symlink_to(small_db_dir / "builds" / name)
    (data / "current.txt").write_text(name + "\n")
    return Settings(data_dir=data, static_dir=PROJECT_ROOT / "static")


@pytest.fixture
def world(tmp_path, data_cfg, small_db) -> World:
    store = Store(tmp_path / "store.sqlite")
    workshop, code = ws.create_workshop(
        store,
        ADMIN,
        "Workshop Aarhus",
        held_on=dt.date(2027, 2, 1),
        council_id="aarhus",
        code="1234-5678",
        secret=SECRET,
    )
    participant = ws.join(store, Principal(), workshop["workshop_id"], code, "Mette")
    entries = [
        ws.add_entry(
            store,
            participant,
            workshop["workshop_id"],
            "note",
            {"note_type": "hul", "text": f"Hul {n}"},
            municipality="Aarhus",
            client_token=uuid.uuid4().hex,
        ).entry
        for n in range(2)
    ]
    seq = sequences.create(
        store, ADMIN, "Aarhus", [Step("Overblik", "kort", Selection(area="council:aarhus"))]
    )
    pair = _two_aarhus_organisations(small_db)
    return World(store, data_cfg, small_db, workshop, participant, entries, seq.sequence_id, pair)


def _undo_entry(w: World, p: Principal) -> None:
    review.undo_last(w.store, p)


def _undo_decision(w: World, p: Principal) -> None:
    dup.decide(w.store, ADMIN, *w.pair, dup.KEEP_APART, db=w.db)
    before = w.store.version()
    try:
        dup.undo_last(w.store, p, db=w.db)
    except PermissionDenied:
        assert w.store.version() == before
        raise


WRITES: dict[str, tuple[Callable[[World, Principal], Any], set[str]]] = {
    "opret workshop": (
        lambda w, p: ws.create_workshop(w.store, p, "Ny", held_on=dt.date(2027, 3, 1), council_id="aarhus"),
        COORDINATING_AARHUS,
    ),
    "ny kode": (lambda w, p: ws.new_code(w.store, p, w.workshop["workshop_id"]), COORDINATING_AARHUS),
    "forlæng": (lambda w, p: ws.extend(w.store, p, w.workshop["workshop_id"]), COORDINATING_AARHUS),
    "afslut": (lambda w, p: ws.end_workshop(w.store, p, w.workshop["workshop_id"]), COORDINATING_AARHUS),
    "godkend": (lambda w, p: review.accept(w.store, p, w.entries[0]["entry_id"]), COORDINATING_AARHUS),
    "afvis": (
        lambda w, p: review.reject(w.store, p, w.entries[0]["entry_id"], "Dublet"),
        COORDINATING_AARHUS,
    ),
    "fortryd indtastning": (_undo_entry, COORDINATING_AARHUS | {"deltager"}),
    "opret sekvens": (
        lambda w, p: sequences.create(
            w.store, p, "Min", [Step("Kort", "kort", Selection(area="council:aarhus"))]
        ),
        COORDINATING_AARHUS,
    ),
    "ret sekvens": (
        lambda w, p: sequences.rename(w.store, p, w.sequence_id, "Nyt navn"),
        COORDINATING_AARHUS,
    ),
    "slet sekvens": (lambda w, p: sequences.delete(w.store, p, w.sequence_id), COORDINATING_AARHUS),
    "frys workshoppens data": (
        lambda w, p: snapshots.freeze(
            w.store, p, name="Før", workshop_id=w.workshop["workshop_id"], cfg=w.cfg
        ),
        COORDINATING_AARHUS,
    ),
    "dubletbeslutning": (
        lambda w, p: dup.decide(w.store, p, *w.pair, dup.MERGE, keep_key=w.pair[0], db=w.db),
        COORDINATING_AARHUS,
    ),
    "fortryd dubletbeslutning": (_undo_decision, COORDINATING_AARHUS),
    "opfølgningsstatus": (
        lambda w, p: followup.set_status(
            w.store,
            p,
            "aarhus",
            followup.ORGANISATION,
            w.pair[0],
            "kontaktet",
            "Ringet",
            expected_version=0,
            db=w.db,
        ),
        COORDINATING_AARHUS,
    ),
    "opfølgning: e-mail sendt": (
        lambda w, p: followup.record_request(
            w.store, p, "aarhus", followup.ORGANISATION, w.pair[0], title="X"
        ),
        COORDINATING_AARHUS,
    ),
    "tildel rolle": (
        lambda w, p: roles.grant(w.store, p, "ny@rm.dk", "koordinator", "aarhus"),
        {"regional Midtjylland", "national administrator"},
    ),
    "fjern rolle": (
        lambda w, p: roles.revoke(
            w.store,
            p,
            roles.grant(w.store, ADMIN, "ny@rm.dk", "koordinator", "aarhus")["subject"],
            "koordinator",
            "aarhus",
        ),
        {"regional Midtjylland", "national administrator"},
    ),
}


def _snapshot_files(cfg: Settings) -> list[Path]:
    return sorted(cfg.snapshots_dir.glob("*")) if cfg.snapshots_dir.exists() else []


@pytest.mark.parametrize("who", list(PEOPLE))
@pytest.mark.parametrize("write", list(WRITES))
def test_every_write_checks_the_callers_scope(world, write, who):
    act, allowed = WRITES[write]
    person = PEOPLE[who] or (
        world.participant if who == "deltager" else auth.as_projector(world.workshop, expires=2**40)
    )
    if write == "fjern rolle":  # the grant to revoke is made by the administrator first
        roles.grant(world.store, ADMIN, "ny@rm.dk", "koordinator", "aarhus")
    before, files = world.store.version(), _snapshot_files(world.cfg)
    if who in allowed:
        act(world, person)
        assert world.store.version() > before
        return
    with pytest.raises(PermissionDenied) as refused:
        act(world, person)
    message = str(refused.value)
    assert message.startswith("Du ") and "Traceback" not in message
    if who.startswith(("koordinator", "regional")):  # a coordinator is told their own scope
        assert message.startswith(f"Du er {person.scope_text}.")
    assert world.store.version() == before or write in ("fortryd dubletbeslutning", "fjern rolle")
    assert _snapshot_files(world.cfg) == files


READS: dict[str, tuple[Callable[[World, Principal], Any], set[str]]] = {
    "vis kørende kode": (
        lambda w, p: ws.running_code(w.store, p, w.workshop["workshop_id"], secret=SECRET),
        COORDINATING_AARHUS | {"projektor"},  # the projector shows it to the room (the Deltag step)
    ),
}


@pytest.mark.parametrize("who", list(PEOPLE))
@pytest.mark.parametrize("read", list(READS))
def test_every_guarded_read_checks_the_callers_scope(world, read, who):
    act, allowed = READS[read]
    person = PEOPLE[who] or (
        world.participant if who == "deltager" else auth.as_projector(world.workshop, expires=2**40)
    )
    before = world.store.version()
    if who in allowed:
        assert act(world, person) == "1234-5678"
    else:
        with pytest.raises(PermissionDenied) as refused:
            act(world, person)
        message = str(refused.value)
        assert message.startswith("Du ") and "1234" not in message
    assert world.store.version() == before  # a read writes nothing, not even to the audit trail


def test_the_projector_of_another_workshop_does_not_see_this_ones_code(world):
    other, _ = ws.create_workshop(world.store, ADMIN, "Anden", held_on=dt.date(2027, 2, 1),
                                  council_id="aarhus", secret=SECRET)  # fmt: skip
    with pytest.raises(PermissionDenied, match="en anden workshop"):
        READS["vis kørende kode"][0](world, auth.as_projector(other, expires=2**40))


def test_a_workshop_without_a_council_is_national(world):
    for who in ("koordinator Aarhus", "regional Midtjylland"):
        with pytest.raises(PermissionDenied, match="national administrator"):
            ws.create_workshop(world.store, PEOPLE[who], "Landsmøde", held_on=dt.date(2027, 3, 1))
    ws.create_workshop(world.store, ADMIN, "Landsmøde", held_on=dt.date(2027, 3, 1))


def test_a_coordinator_of_another_council_is_told_which_council_it_takes(world):
    with pytest.raises(PermissionDenied) as exc:
        ws.end_workshop(world.store, PEOPLE["koordinator Fyn"], world.workshop["workshop_id"])
    assert str(exc.value) == (
        "Du er koordinator for Sundhedsråd Fyn. Workshoppen 'Workshop Aarhus' hører til Sundhedsråd Aarhus, "
        "så det kræver koordinatoradgang dér."
    )


def test_a_coordinators_undo_stops_at_another_councils_change(world):
    fyn, _ = ws.create_workshop(
        world.store, ADMIN, "Workshop Fyn", held_on=dt.date(2027, 2, 1), council_id="fyn", code="9999-0000"
    )
    guest = ws.join(world.store, Principal(), fyn["workshop_id"], "9999-0000", "Ole")
    ws.add_entry(world.store, guest, fyn["workshop_id"], "note", {"note_type": "ide", "text": "x"},
                 client_token=uuid.uuid4().hex)  # fmt: skip
    before = world.store.version()
    with pytest.raises(PermissionDenied, match="Workshop Fyn.*Sundhedsråd Fyn"):
        review.undo_last(world.store, PEOPLE["koordinator Aarhus"])
    assert world.store.version() == before
    review.undo_last(world.store, PEOPLE["regional Syddanmark"])


def test_a_participant_may_only_write_to_the_workshop_they_joined(world):
    fyn, _ = ws.create_workshop(
        world.store, ADMIN, "Workshop Fyn", held_on=dt.date(2027, 2, 1), council_id="fyn", code="9999-0000"
    )
    with pytest.raises(PermissionDenied, match="ikke med i workshoppen"):
        ws.add_entry(world.store, world.participant, fyn["workshop_id"], "note",
                     {"note_type": "ide", "text": "x"}, client_token=uuid.uuid4().hex)  # fmt: skip
    with pytest.raises(
        PermissionDenied, match="ikke med i workshoppen"
    ):  # Fyn's coordinator is no participant
        ws.add_entry(world.store, PEOPLE["koordinator Fyn"], world.workshop["workshop_id"], "note",
                     {"note_type": "ide", "text": "x"}, client_token=uuid.uuid4().hex)  # fmt: skip


def test_a_pair_across_two_councils_needs_both(world, small_db):
    fyn = str(small_db.scalar("SELECT min(organisation_id) FROM organisations WHERE council_id = 'fyn'"))
    aarhus = world.pair[0]
    both = Principal("Bo", via="login", councils=frozenset({"aarhus", "fyn"}))
    for who in ("koordinator Aarhus", "koordinator Fyn", "regional Midtjylland"):
        with pytest.raises(PermissionDenied, match="Dubletparret"):
            dup.decide(world.store, PEOPLE[who], aarhus, fyn, dup.KEEP_APART, db=small_db)
    assert dup.decisions(world.store).empty
    dup.decide(world.store, both, aarhus, fyn, dup.KEEP_APART, db=small_db)
    with pytest.raises(PermissionDenied, match="national administrator"):  # not in the build: national
        dup.decide(world.store, both, aarhus, "ORG-FINDES-IKKE", dup.KEEP_APART, db=small_db)


def test_a_sequence_showing_a_region_or_the_country_needs_that_scope(world):
    region = [Step("Region", "kort", Selection(area="region:midtjylland"))]
    country = [Step("Danmark", "kort", Selection())]
    with pytest.raises(PermissionDenied, match="Region Midtjylland"):
        sequences.create(world.store, PEOPLE["koordinator Aarhus"], "R", region)
    sequences.create(world.store, PEOPLE["regional Midtjylland"], "R", region)
    with pytest.raises(PermissionDenied, match="national administrator"):
        sequences.create(world.store, PEOPLE["regional Midtjylland"], "DK", country)
    with pytest.raises(
        PermissionDenied, match="Sundhedsråd Aarhus"
    ):  # taking over another council's sequence
        sequences.set_steps(world.store, PEOPLE["koordinator Fyn"], world.sequence_id,
                            [Step("Fyn", "kort", Selection(area="council:fyn"))])  # fmt: skip
    assert sequences.may_change(
        PEOPLE["koordinator Aarhus"], sequences.load(world.store, world.sequence_id)[0].steps
    )
