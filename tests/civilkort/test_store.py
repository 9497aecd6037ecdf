"""The store on both backends (SQLite, PostgreSQL): durable, audited, undoable, safe with many writers at
once, with record versions, the build pointer and a service-wide lock."""

import json
import re
import subprocess
import sys
import threading

import pytest

from civilkort.store import Conflict, LockBusy, NothingToUndo, Store, new_id, now


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
def store(store):
    """The conftest's fresh store (each backend) with one workshop."""
    with store.write("Facilitator") as tx:
        _workshop(tx)
    return store


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


def test_undo_newest_reverses_a_step_of_many_changes_all_or_nothing(store):
    with store.write("Mette") as tx:
        a, b = _entry(tx, "A"), _entry(tx, "B")
    with store.write("Koordinator") as tx:
        tx.update("entries", a["entry_id"], {"status": "godkendt"}, action="indarbejd")
        tx.update("entries", b["entry_id"], {"status": "godkendt"}, action="indarbejd")

    def only_applies(change: dict) -> None:
        if change["action"] != "indarbejd":
            raise ValueError(change["action"])

    with pytest.raises(ValueError, match="opret"):  # the third is not part of the step: nothing is undone
        store.undo_newest("Koordinator", entity="entries", count=3, check=only_applies)
    assert {r["status"] for r in store.rows("SELECT status FROM entries")} == {"godkendt"}
    undone = store.undo_newest("Koordinator", entity="entries", count=2, check=only_applies)
    assert [u["entity_id"] for u in undone] == [b["entry_id"], a["entry_id"]]  # newest first
    assert {r["status"] for r in store.rows("SELECT status FROM entries")} == {"ny"}
    assert [h["action"] for h in store.history(entity="entries")[:2]] == ["fortryd indarbejd"] * 2
    assert store.last_undoable(entity="entries")["action"] == "opret"


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
    with pytest.raises(Exception, match="(?i)unique"), store.write("Mette") as tx:
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
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, store.url, str(i)]) for i in range(20)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    titles = {r["title"] for r in store.rows("SELECT title FROM entries")}
    assert len(titles) == 200 == len(store.rows("SELECT title FROM entries"))


def test_entries_survive_reopening(store):
    with store.write("F") as tx:
        _entry(tx, "gemt")
    reopened = Store(store.url)
    try:
        assert reopened.one("SELECT title FROM entries")["title"] == "gemt"
    finally:
        reopened.close()


# --- the same rows on both backends ----------------------------------------------------------------


def test_rows_are_the_same_plain_dicts_on_both_backends(store):
    with store.write("Mette") as tx:
        tx.insert(
            "entries",
            {"entry_id": "e1", "workshop_id": "w1", "kind": "note", "title": "Æble – ø", "lat": 56.157213,
             "lon": 10.210745, "municipality_code": 751, "author": "Mette", "created_at": "2027-02-01T10:00:00.000+00:00"},
        )  # fmt: skip
    assert store.one("SELECT * FROM entries") == {
        "entry_id": "e1", "workshop_id": "w1", "kind": "note", "title": "Æble – ø", "payload": "{}",
        "lat": 56.157213, "lon": 10.210745, "municipality_code": 751, "author": "Mette",
        "created_at": "2027-02-01T10:00:00.000+00:00", "status": "ny", "reviewed_by": None, "reviewed_at": None,
        "merged_into": None, "client_token": None, "review_note": None, "merge_fields": None, "applied_at": None,
        "applied_as": None, "version": 1,
    }  # fmt: skip
    # text sorts byte-wise on both (PostgreSQL's columns use the "C" collation, as SQLite compares)
    with store.write("Mette") as tx:
        for i, title in enumerate(["b", "B", "å", "a|z", "a z", "Ø"]):
            _entry(tx, title, token=f"t{i}")
    titles = [
        r["title"]
        for r in store.rows("SELECT title FROM entries WHERE client_token IS NOT NULL ORDER BY title")
    ]
    assert titles == sorted(["b", "B", "å", "a|z", "a z", "Ø"], key=lambda t: t.encode())
    assert store.one("SELECT count(*) AS n FROM entries WHERE title LIKE ?", ["a%"])["n"] == 2
    assert store.one("SELECT title FROM entries WHERE entry_id = :id", {"id": "e1"})["title"] == "Æble – ø"


# --- record versions and conflicts -----------------------------------------------------------------


def test_an_update_bumps_the_version_and_an_edit_from_an_older_version_is_refused_naming_who_and_when(store):
    with store.write("Mette") as tx:
        e = _entry(tx, "Mangler tilbud til unge")
    assert e["version"] == 1
    with store.write("Sara (#a1b2c3)") as tx:
        assert tx.update("entries", e["entry_id"], {"status": "afvist"}, expected_version=1)["version"] == 2
    with pytest.raises(Conflict) as caught, store.write("Mette") as tx:
        tx.update("entries", e["entry_id"], {"status": "godkendt"}, expected_version=1)
    message = str(caught.value)
    assert message.startswith("Indtastningen 'Mangler tilbud til unge' er ændret af Sara den ")
    assert "#a1b2c3" not in message and "ikke gemt" in message
    assert re.search(r"den \d{2}-\d{2}-\d{4} kl\. \d{2}\.\d{2},", message), message
    last = store.history(entity="entries")[0]
    assert caught.value.actor == last["actor"] and caught.value.at == last["at"]
    assert store.one("SELECT status, version FROM entries") == {"status": "afvist", "version": 2}


def test_the_conflict_time_is_danish_local_time():
    from civilkort.store.base import local_stamp

    assert local_stamp("2027-02-03T13:05:00.000+00:00") == "03-02-2027 kl. 14.05"  # winter: UTC+1
    assert local_stamp("2027-07-03T13:05:00.000+00:00") == "03-07-2027 kl. 15.05"  # summer: UTC+2


def test_undo_restores_the_row_with_a_new_version_so_an_edit_from_before_the_undo_conflicts(store):
    with store.write("Mette") as tx:
        e = _entry(tx, "A")
    with store.write("Sara") as tx:
        tx.update("entries", e["entry_id"], {"title": "B"})
    store.undo_last("Sara")
    row = store.one("SELECT title, version FROM entries")
    assert row == {"title": "A", "version": 3}
    with pytest.raises(Conflict), store.write("Kim") as tx:
        tx.update("entries", e["entry_id"], {"title": "C"}, expected_version=2)
    with store.write("Mette") as tx:
        tx.delete("entries", e["entry_id"])
    store.undo_last("Mette")
    assert store.one("SELECT title, version FROM entries") == {"title": "A", "version": 4}


# --- roles, the build pointer ----------------------------------------------------------------------


def test_roles_are_audited_under_subject_role_scope(store):
    role = {"subject": "a|nna@kommune.dk", "role": "koordinator", "scope": "aarhus", "granted_by": "admin",
            "granted_at": now()}  # fmt: skip
    with store.write("admin") as tx:
        tx.insert("roles", role)
    key = "a|nna@kommune.dk|koordinator|aarhus"
    assert store.history(entity="roles")[0]["entity_id"] == key
    with store.write("admin") as tx:
        assert tx.get("roles", key) == role
        tx.delete("roles", key)
    store.undo_last("admin")
    assert store.rows("SELECT * FROM roles") == [role]
    with pytest.raises(Exception, match="(?i)check"), store.write("admin") as tx:
        tx.insert("roles", {**role, "role": "konge"})


def test_the_build_pointer_is_compare_and_set_and_audited(store):
    assert store.current_build() is None
    first = {"build": "b-1", "sha256": "a" * 64, "size_bytes": 5_000_000_000, "built_at": "2027-02-01"}
    row = store.switch_build(first, "Kim", expect=None)
    assert row["build"] == "b-1" and row["size_bytes"] == 5_000_000_000 and row["switched_by"] == "Kim"
    with pytest.raises(Conflict, match=r"allerede skiftet til b-1 af Kim den \d{2}-\d{2}-\d{4} kl"):
        store.switch_build({**first, "build": "b-2"}, "Sara", expect=None)
    store.switch_build({**first, "build": "b-2"}, "Sara", expect="b-1")
    assert store.current_build()["build"] == "b-2"
    store.switch_build({**first, "build": "b-3"}, "Sara")  # no expectation: whatever is current
    assert [h["action"] for h in store.history(entity="build_pointer")] == ["skift data"] * 3


# --- commit order, locks ---------------------------------------------------------------------------


def test_version_grows_in_commit_order_so_a_poller_never_skips_a_change(store):
    writers, per_writer = 8, 15
    done = threading.Event()
    seen: set[str] = set()
    versions: list[int] = []

    def poll():
        version = 0
        while True:
            finished = done.is_set()
            now_version = store.version()
            rows = store.rows("SELECT entity_id FROM audit WHERE audit_id > ? AND audit_id <= ? AND entity = 'entries'",
                              (version, now_version))  # fmt: skip
            seen.update(r["entity_id"] for r in rows)
            versions.append(now_version)
            version = now_version
            if finished:
                return

    def write(i):
        for j in range(per_writer):
            with store.write(f"p{i}") as tx:
                _entry(tx, f"{i}-{j}")

    poller = threading.Thread(target=poll)
    poller.start()
    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    poller.join()
    assert versions == sorted(versions)
    assert seen == {r["entry_id"] for r in store.rows("SELECT entry_id FROM entries")}
    assert len(seen) == writers * per_writer


def test_an_exclusive_lock_has_one_holder_and_a_second_gives_up_in_danish(store):
    with store.exclusive("build", timeout_s=5):
        result: list[object] = []

        def other():
            try:
                with store.exclusive("build", timeout_s=0.3):
                    result.append("got it")
            except LockBusy as exc:
                result.append(exc)

        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert isinstance(result[0], LockBusy) and "er i gang et andet sted" in str(result[0])
        with store.exclusive("andet navn", timeout_s=0.3):  # another name is another lock
            pass
    with store.exclusive("build", timeout_s=0.3):  # free again
        pass


HOLDER = """
import sys
from civilkort.store import Store
s = Store(sys.argv[1])
with s.exclusive("build", timeout_s=5):
    print("holder", flush=True)
    sys.stdin.read()  # until the test closes stdin or kills us
"""


def test_an_exclusive_lock_excludes_another_process_and_ends_with_it(store):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, store.url], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "holder"
        with pytest.raises(LockBusy), store.exclusive("build", timeout_s=0.3):
            pass
    finally:
        holder.kill()  # dies holding the lock: the lock must end with it
        holder.wait(timeout=30)
    with store.exclusive("build", timeout_s=10):
        pass


def test_placeholders_become_psycopgs_in_one_place():
    from civilkort.store.postgres import to_pyformat

    assert to_pyformat("SELECT * FROM t WHERE a = ? AND b LIKE 'x%?' AND c = :c::text") == (
        "SELECT * FROM t WHERE a = %s AND b LIKE 'x%%?' AND c = %(c)s::text"
    )
    assert to_pyformat("SELECT '?' AS q, \"we?ird\" FROM t -- what?\nWHERE x = ?") == (
        "SELECT '?' AS q, \"we?ird\" FROM t -- what?\nWHERE x = %s"
    )
