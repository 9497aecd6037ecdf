"""The build pointer and the build lock in the system of record, when the store is shared (PostgreSQL).

Each test runs on the kinds where it makes sense: ``maskine`` (one machine: SQLite, ``data/current.txt``
and a lock file, as before), ``postgres+mappe`` (PostgreSQL's ``build_pointer`` row and advisory lock, the
builds in a shared folder) and ``postgres+s3`` (the same with a real S3 server).  A "replica" is another data
folder with the same database URL and object store; "another process" is a real one (spawned), since a lock
or a compare-and-set that only holds inside one process would hold nothing in production.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from civilkort import buildstore
from civilkort.auth import Principal
from civilkort.builds import BuildRef, FileLocks, FilePointer, PointerMoved, file_digest
from civilkort.db import current_path
from civilkort.settings import Settings
from civilkort.store import open_store
from etl import build as build_mod
from etl.build import OUTDATED_MESSAGE, BuildError, OutdatedBase, build
from tests.conftest import clean_input
from tests.services import S3_KEYS, fresh_bucket

KIM = Principal(name="Kim", via="kode", is_admin=True)
KINDS = [
    "maskine",
    pytest.param("postgres+mappe", marks=pytest.mark.postgres),
    pytest.param("postgres+s3", marks=[pytest.mark.postgres, pytest.mark.s3]),
]
SHARED = [k for k in KINDS if not isinstance(k, str)]


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch):
    """Read the pointer on every call (the tests change it and look at once, never sleep)."""
    monkeypatch.setattr(buildstore, "POINTER_TTL_S", 0.0)
    monkeypatch.setattr(buildstore, "RETRY_AFTER_FAILURE_S", 0.0)


@dataclass
class Service:
    """The backends replicas share; ``replica(name)`` is one replica's settings."""

    kind: str
    replica: Callable[[str], Settings]

    @property
    def is_shared(self) -> bool:
        return self.kind != "maskine"


@pytest.fixture
def service(request, tmp_path, monkeypatch) -> Iterator[Service]:
    """A fresh service of one kind: its own database and object store, dropped afterwards."""
    if request.param == "maskine":
        folder = tmp_path / "maskine"
        yield Service("maskine", lambda name: Settings(data_dir=folder, static_dir=folder / "static"))
        return
    from tests.stores import fresh_database

    template = request.getfixturevalue("_postgres_store_template")
    with fresh_database(template=template) as url:
        if request.param == "postgres+s3":
            for key, value in S3_KEYS.items():
                monkeypatch.setenv(key, value)
            bucket = stack_bucket(request)
        else:
            bucket = ((tmp_path / "delt").as_uri(), None)

        def replica(name: str) -> Settings:
            folder = tmp_path / name
            return Settings(
                data_dir=folder,
                static_dir=folder / "static",
                database_url=url,
                object_store_url=bucket[0],
                s3_endpoint_url=bucket[1],
            )

        yield Service(request.param, replica)
        forget_store(url)


def forget_store(url: str) -> None:
    """Close this process's pool on ``url`` before its database is dropped."""
    from civilkort import store as store_mod

    opened = store_mod._stores.pop(url, None)  # noqa: SLF001 - the test owns the database it drops
    if opened is not None:
        opened.close()


def stack_bucket(request) -> tuple[str, str]:
    """A fresh bucket for the rest of the test (removed at its end)."""
    context = fresh_bucket()
    bucket = context.__enter__()
    request.addfinalizer(lambda: context.__exit__(None, None, None))
    return bucket


def make(cfg: Settings, tables, *, experiences: int | None = None, **kw):
    """Build the example data on replica ``cfg`` (fewer experiences: different content)."""
    data = {k: v.copy() for k, v in tables.items()}
    if experiences is not None:
        data["experiences"] = data["experiences"].iloc[:experiences]
    return build(clean_input(data), meta={"is_example": "true"}, cfg=cfg, **kw)


def build_elsewhere(
    cfg: Settings, tables, experiences: int, based_on: str | None, lock_timeout_s: float | None = None
) -> tuple[str, str]:
    """In a process of its own: build, and say how it went ("ok"/"outdated"/"refused", name or message)."""
    if lock_timeout_s is not None:
        build_mod.LOCK_TIMEOUT_S = lock_timeout_s
    try:
        given = {"based_on": Path(based_on)} if based_on else {}  # none given: whatever serves
        result = make(cfg, tables, experiences=experiences, **given)
    except OutdatedBase as exc:
        return "outdated", str(exc)
    except BuildError as exc:
        return "refused", str(exc)
    return "ok", result.path.name


def other_processes(n: int) -> ProcessPoolExecutor:
    """``n`` fresh Python processes (spawned: nothing shared with this one but the environment)."""
    return ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"))


@pytest.mark.parametrize("service", SHARED, indirect=True)
def test_a_build_on_one_replica_is_served_by_another_from_the_stores_pointer(service, example_tables):
    builder, other = service.replica("a"), service.replica("b")
    result = make(builder, example_tables, actor="Kim (#k1)")
    assert isinstance(buildstore.build_pointer(other), buildstore.RecordPointer)
    row = open_store(other).current_build()
    sha256, size = file_digest(result.path)
    assert (row["build"], row["sha256"], row["size_bytes"]) == (result.path.name, sha256, size)
    assert row["switched_by"] == "Kim (#k1)"
    served = current_path(other)
    assert served == other.builds_dir / result.path.name and file_digest(served) == (sha256, size)
    # the row is the only pointer: no current.txt on either replica, no current.json in the object store
    assert buildstore.object_store(builder).read_pointer()[0] is None
    assert not builder.current_pointer.exists() and not other.current_pointer.exists()
    second = make(other, example_tables, experiences=3)
    assert current_path(builder) == builder.builds_dir / second.path.name  # and back the other way


@pytest.mark.parametrize("service", KINDS, indirect=True)
def test_two_builds_racing_from_two_processes_one_switches_the_other_is_told(service, example_tables):
    first = make(service.replica("a"), example_tables)
    cfgs = [service.replica("a"), service.replica("b")]
    with other_processes(2) as pool:
        runs = [
            pool.submit(build_elsewhere, cfg, example_tables, n, str(first.path))
            for cfg, n in zip(cfgs, (3, 2))
        ]
        outcomes = [run.result(timeout=240) for run in runs]
    assert sorted(kind for kind, _ in outcomes) == ["ok", "outdated"], outcomes
    assert next(text for kind, text in outcomes if kind == "outdated") == OUTDATED_MESSAGE
    winner = next(name for kind, name in outcomes if kind == "ok")
    assert buildstore.build_pointer(service.replica("b")).current().name == winner
    for cfg in cfgs:
        assert current_path(cfg).name == winner


@pytest.mark.parametrize("service", KINDS, indirect=True)
def test_the_build_lock_keeps_a_builder_in_another_process_waiting(service, example_tables):
    first = make(service.replica("a"), example_tables)
    locks = buildstore.build_locks(service.replica("a"))
    assert isinstance(locks, buildstore.RecordLocks if service.is_shared else FileLocks)
    with other_processes(1) as pool:
        with locks.exclusive("build", timeout_s=5):
            kind, text = pool.submit(
                build_elsewhere, service.replica("b"), example_tables, 3, None, 1.0
            ).result(timeout=240)
            assert kind == "refused" and "En anden proces har bygget" in text, (kind, text)
            assert buildstore.build_pointer(service.replica("b")).current().name == first.path.name
        kind, name = pool.submit(build_elsewhere, service.replica("b"), example_tables, 3, None, 30.0).result(
            timeout=240
        )
    assert kind == "ok" and buildstore.build_pointer(service.replica("a")).current().name == name


@pytest.mark.parametrize("service", SHARED, indirect=True)
def test_the_pointers_history_is_in_the_audit_table(service, example_tables, monkeypatch):
    from civilkort.auth import operator
    from etl.cli import main
    from etl.rebuild import rebuild

    cfg = service.replica("a")
    first = make(cfg, example_tables, experiences=3, actor="Ane (#a1)")
    for name, value in {
        "CIVILKORT_DATA_DIR": str(cfg.data_dir),
        "CIVILKORT_DATABASE_URL": cfg.database_url,
        "CIVILKORT_OBJECT_STORE_URL": cfg.object_store_url,
        "CIVILKORT_S3_ENDPOINT_URL": cfg.s3_endpoint_url,
    }.items():
        if value:
            monkeypatch.setenv(name, value)
    assert main(["demo", "--scale", "small", "--seed", "7", "-q"]) == 0  # the operator at the terminal
    demo = buildstore.build_pointer(cfg).current()
    third = rebuild(principal=KIM, cfg=cfg)  # a coordinator's rebuild (workshop, duplicates, upload alike)
    history = open_store(cfg).history(entity="build_pointer")
    assert [h["action"] for h in history] == ["skift data"] * 3
    assert [h["actor"] for h in history] == [KIM.actor, operator().actor, "Ane (#a1)"]
    builds = [(_field(h["before"], "build"), _field(h["after"], "build")) for h in reversed(history)]
    assert builds == [(None, first.path.name), (first.path.name, demo.name), (demo.name, third.path.name)]


def _field(text: str | None, key: str) -> str | None:
    import json

    return json.loads(text)[key] if text else None


@pytest.mark.parametrize("service", SHARED, indirect=True)
def test_a_conflict_in_the_store_is_the_outdated_base_message(service, example_tables, monkeypatch):
    cfg = service.replica("a")
    first = make(cfg, example_tables)
    second = make(cfg, example_tables, experiences=3)
    pointer = buildstore.build_pointer(cfg)
    with pytest.raises(PointerMoved) as moved:  # the store's compare-and-set, from a stale view
        pointer.switch(BuildRef(first.path.name, "0" * 64, 1), expect=BuildRef(first.path.name))
    assert (moved.value.expected, moved.value.found) == (first.path.name, second.path.name)

    class Stale(buildstore.RecordPointer):
        """A replica whose view of the pointer is one build behind (e.g. a switch from a host that skipped
        the build lock): the row's compare-and-set is what refuses it."""

        def current(self) -> BuildRef:
            return BuildRef(first.path.name)

    monkeypatch.setattr(build_mod, "build_pointer", lambda c: Stale(open_store(c)))
    with pytest.raises(OutdatedBase) as refused:
        make(cfg, example_tables, experiences=2)
    assert str(refused.value) == OUTDATED_MESSAGE
    assert buildstore.build_pointer(cfg).current().name == second.path.name
    assert [h["action"] for h in open_store(cfg).history(entity="build_pointer")] == ["skift data"] * 2


@pytest.mark.postgres
def test_a_replica_on_a_shared_volume_serves_the_rows_build_and_says_when_it_is_missing(
    tmp_path, example_tables, request
):
    from tests.stores import fresh_database

    with fresh_database(template=request.getfixturevalue("_postgres_store_template")) as url:
        shared = Settings(data_dir=tmp_path / "delt", static_dir=tmp_path / "s", database_url=url)
        result = make(shared, example_tables)
        assert current_path(shared) == result.path
        elsewhere = Settings(data_dir=tmp_path / "egen", static_dir=tmp_path / "s", database_url=url)
        assert current_path(elsewhere) is None
        assert "Replikaerne skal dele datamappen" in buildstore.serving_problem(elsewhere)
        assert FilePointer(shared.current_pointer).current() is None
        forget_store(url)
