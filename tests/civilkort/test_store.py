"""The SQLite store: durable, audited, undoable, and safe with many writers at once."""

import json
import subprocess
import sys
import threading

import pytest

from civilkort.store import NothingToUndo, Store, new_id, now


def _workshop(tx, workshop_id="w1"):
    return tx.insert(
        "workshops",
        {
            "workshop_id": workshop_id,
            "name": "Workshop Vest",
            "held_on": "2027-02-01",
            "code_hash": "x",
            "code_expires_at": "2099-01-01T00:00:00+00:00",
            "created_by": "Facilitator",
            "created_at": now(),
        },
    )


def _entry(tx, title, token=None, workshop_id="w1"):
    return tx.insert(
        "entries",
        {
            "entry_id": new_id(),
            "workshop_id": workshop_id,
            "kind": "note",
            "title": title,
            "author": "Deltager",
            "created_at": now(),
            "client_token": token,
        },
    )


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "store.sqlite")
    with s.write("Facilitator") as tx:
        _workshop(tx)
    return s


def test_changes_are_audited_with_before_and_after(store):
    with store.write("Mette") as tx:
        e = _entry(tx, "Mangler tilbud til unge")
        tx.update("entries", e["entry_id"], {"title": "Mangler tilbud til unge i Vejen"})
    trail = store.history(entity="entries")
    assert [t["action"] for t in trail] == ["ret", "opret"]
    assert trail[0]["actor"] == "Mette"
    assert json.loads(trail[0]["before"])["title"] == "Mangler tilbud til unge"
    assert json.loads(trail[0]["after"])["title"] == "Mangler tilbud til unge i Vejen"


def test_undo_reverses_the_last_change_and_is_audited(store):
    with store.write("Mette") as tx:
        e = _entry(tx, "A")
    with store.write("Koordinator") as tx:
        tx.update("entries", e["entry_id"], {"status": "afvist"})
    undone = store.undo_last("Koordinator")
    assert undone["action"] == "ret"
    assert store.one("SELECT status FROM entries")["status"] == "ny"
    store.undo_last("Koordinator")  # now the creation
    assert store.rows("SELECT * FROM entries") == []
    assert store.history()[0]["action"] == "fortryd opret"
    store.undo_last("Koordinator")  # the workshop itself
    with pytest.raises(NothingToUndo):
        store.undo_last("Koordinator")


def test_undo_of_a_delete_restores_the_row(store):
    with store.write("Mette") as tx:
        e = _entry(tx, "A")
    with store.write("Mette") as tx:
        tx.delete("entries", e["entry_id"])
    store.undo_last("Mette", only_by="Mette")
    assert store.one("SELECT title FROM entries")["title"] == "A"


def test_a_failed_transaction_leaves_nothing(store):
    with pytest.raises(RuntimeError), store.write("Mette") as tx:
        _entry(tx, "halv")
        raise RuntimeError
    assert store.rows("SELECT * FROM entries") == []
    assert store.history(entity="entries") == []


def test_a_retried_submission_is_not_a_duplicate(store):
    with store.write("Mette") as tx:
        _entry(tx, "A", token="form-1")
    with pytest.raises(Exception, match="UNIQUE"), store.write("Mette") as tx:
        _entry(tx, "A", token="form-1")
    assert len(store.rows("SELECT * FROM entries")) == 1


def test_version_grows_with_every_change(store):
    v = store.version()
    with store.write("Mette") as tx:
        _entry(tx, "A")
    assert store.version() > v


def test_many_threads_writing_at_once_lose_nothing(store):
    start = threading.Barrier(24)
    errors = []

    def writer(i):
        try:
            start.wait()
            for j in range(5):
                with store.write(f"deltager-{i}") as tx:
                    _entry(tx, f"{i}-{j}", token=f"{i}-{j}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    titles = [r["title"] for r in store.rows("SELECT title FROM entries")]
    assert sorted(titles) == sorted(f"{i}-{j}" for i in range(24) for j in range(5))


WRITER = """
import sys
from civilkort.store import Store, new_id, now
s = Store(sys.argv[1])
for j in range(10):
    with s.write("p" + sys.argv[2]) as tx:
        tx.insert("entries", {"entry_id": new_id(), "workshop_id": "w1", "kind": "note",
                  "title": sys.argv[2] + "-" + str(j), "author": "p", "created_at": now()})
"""


def test_many_processes_writing_at_once_lose_nothing(store):
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(store.path), str(i)]) for i in range(20)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    titles = {r["title"] for r in store.rows("SELECT title FROM entries")}
    assert len(titles) == 200 == len(store.rows("SELECT title FROM entries"))


def test_entries_survive_reopening(tmp_path):
    path = tmp_path / "s.sqlite"
    s = Store(path)
    with s.write("F") as tx:
        _workshop(tx)
        _entry(tx, "gemt")
    del s
    assert Store(path).one("SELECT title FROM entries")["title"] == "gemt"
