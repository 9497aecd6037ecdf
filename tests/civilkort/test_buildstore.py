"""Builds for many replicas: content-named, shared through an object store, verified before they are served.

Every test runs against a shared folder (``file://``, always) and against a real S3 server (marked ``s3``:
``CIVILKORT_TEST_S3_ENDPOINT``, e.g. moto's server; each test makes its own bucket). A "replica" is another
data folder with its own settings, as on another host.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest

from civilkort import buildstore, snapshots
from civilkort.auth import Principal
from civilkort.builds import BuildRef, FilePointer, PointerMoved, content_name, file_digest
from civilkort.db import Database, current_path
from civilkort.objectstore import BuildFetchError, FileStore, ObjectInfo
from civilkort.settings import Settings
from civilkort.store import open_store
from etl import build as build_mod
from etl.build import OutdatedBase, build
from tests.conftest import clean_input
from tests.services import env_url

KIM = Principal(name="Kim", via="kode", is_admin=True)


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch):
    """Read the pointer on every call (the tests change it and look at once, never sleep)."""
    monkeypatch.setattr(buildstore, "POINTER_TTL_S", 0.0)
    monkeypatch.setattr(buildstore, "RETRY_AFTER_FAILURE_S", 0.0)


@pytest.fixture(params=["file", pytest.param("s3", marks=pytest.mark.s3)])
def shared(request, tmp_path, monkeypatch) -> tuple[str, str | None]:
    """(object store URL, S3 endpoint) of a fresh, empty store."""
    if request.param == "file":
        yield (tmp_path / "shared").as_uri(), None
        return
    endpoint = env_url("CIVILKORT_TEST_S3_ENDPOINT", "An S3 server")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "civilkort-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "civilkort-test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint)
    bucket = f"civilkort-test-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    yield f"s3://{bucket}/builds", endpoint
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            client.delete_object(Bucket=bucket, Key=obj["Key"])
    client.delete_bucket(Bucket=bucket)


def replica(tmp_path: Path, name: str, shared: tuple[str, str | None]) -> Settings:
    """Settings of one replica: its own data and static folders, the shared object store."""
    folder = tmp_path / name
    folder.mkdir()
    return Settings(
        data_dir=folder, static_dir=folder / "static", object_store_url=shared[0], s3_endpoint_url=shared[1]
    )


def make(cfg: Settings, tables, *, experiences: int | None = None, **kw):
    """Build the example data on replica ``cfg`` (fewer experiences: different content)."""
    data = {k: v.copy() for k, v in tables.items()}
    if experiences is not None:
        data["experiences"] = data["experiences"].iloc[:experiences]
    return build(clean_input(data), meta={"is_example": "true"}, cfg=cfg, **kw)


def corrupt(cfg: Settings, name: str, tmp_path: Path) -> None:
    """Flip bytes in the middle of the stored object, keeping its size and stated SHA-256."""
    store = buildstore.object_store(cfg)
    local = tmp_path / "original.duckdb"
    store.get(name, local)
    data = bytearray(local.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
    data[len(data) // 2] ^= 0xFF
    if isinstance(store, FileStore):
        (store.root / name).unlink()
        (store.root / name).write_bytes(bytes(data))
    else:
        stated = store.info(name).sha256
        store.client.put_object(
            Bucket=store.bucket, Key=store._key(name), Body=bytes(data), Metadata={"sha256": stated}
        )
    assert store.info(name).size_bytes == len(data)


def leftovers(cfg: Settings) -> list[str]:
    """Partial downloads left in the builds folder."""
    return sorted(p.name for p in cfg.builds_dir.glob(".*.part")) if cfg.builds_dir.exists() else []


def test_a_build_is_named_by_its_content_and_never_written_again(tmp_path, example_tables):
    cfg = Settings(data_dir=tmp_path, static_dir=tmp_path / "static")
    result = make(cfg, example_tables)
    sha256, size = file_digest(result.path)
    assert result.path.name == content_name(sha256) and result.path.parent == cfg.builds_dir
    assert result.path.stat().st_mode & 0o222 == 0  # read-only
    ref = FilePointer(cfg.current_pointer).current()
    assert (ref.name, ref.sha256, ref.size_bytes) == (result.path.name, sha256, size)
    assert cfg.current_pointer.read_text().splitlines()[0] == result.path.name  # older readers still work
    assert sorted(p.name for p in cfg.builds_dir.iterdir()) == [result.path.name]  # no temporary file left


def test_a_build_reaches_another_replica_verified(tmp_path, example_tables, shared):
    builder, other = replica(tmp_path, "a", shared), replica(tmp_path, "b", shared)
    result = make(builder, example_tables)
    stored = buildstore.object_store(builder).info(result.path.name)
    sha256, size = file_digest(result.path)
    assert (stored.sha256, stored.size_bytes) == (sha256, size)  # the digest travels as metadata
    served = current_path(other)
    assert served == other.builds_dir / result.path.name
    assert file_digest(served) == (sha256, size)
    db = Database(served)
    assert db.scalar("SELECT count(*) FROM experiences") == len(example_tables["experiences"])
    db.close()
    assert leftovers(other) == []


def test_a_corrupt_object_is_never_opened(tmp_path, example_tables, shared, caplog):
    builder, other = replica(tmp_path, "a", shared), replica(tmp_path, "b", shared)
    result = make(builder, example_tables)
    corrupt(builder, result.path.name, tmp_path)
    with caplog.at_level(logging.ERROR, logger="civilkort.builds"):
        assert current_path(other) is None
    assert "kontrolsum" in buildstore.serving_problem(other)
    assert "kontrolsum" in caplog.text
    assert list(other.builds_dir.glob("*.duckdb")) == [] and leftovers(other) == []


@pytest.mark.parametrize("how", ["silently", "with an error"])
def test_a_download_cut_short_keeps_the_previous_build(
    tmp_path, example_tables, shared, monkeypatch, caplog, how
):
    builder, other = replica(tmp_path, "a", shared), replica(tmp_path, "b", shared)
    first = make(builder, example_tables)
    assert current_path(other).name == first.path.name
    second = make(builder, example_tables, experiences=3)
    store = buildstore.object_store(other)
    real_get = store.get

    def cut_short(name: str, dest: Path) -> None:
        real_get(name, dest)
        with dest.open("r+b") as f:
            f.truncate(dest.stat().st_size // 2)
        if how == "with an error":
            raise BuildFetchError(f"Hentning af {name} blev afbrudt.")

    monkeypatch.setattr(store, "get", cut_short)
    with caplog.at_level(logging.ERROR, logger="civilkort.builds"):
        assert current_path(other).name == first.path.name
    assert f"Den hidtidige database ({first.path.name}) bruges fortsat" in caplog.text
    assert not (other.builds_dir / second.path.name).exists() and leftovers(other) == []
    monkeypatch.setattr(store, "get", real_get)  # the connection is back: the next look fetches it
    assert current_path(other).name == second.path.name
    assert buildstore.serving_problem(other) is None


def test_a_new_build_is_served_without_restart(tmp_path, example_tables, shared, monkeypatch):
    monkeypatch.setattr(buildstore, "KEEP_LOCAL_BUILDS", 1)
    builder, other = replica(tmp_path, "a", shared), replica(tmp_path, "b", shared)
    make(builder, example_tables)
    before = Database(current_path(other))
    make(builder, example_tables, experiences=3)
    after = Database(current_path(other))
    assert after.path != before.path
    assert after.scalar("SELECT count(*) FROM experiences") == 3
    assert before.scalar("SELECT count(*) FROM experiences") == len(example_tables["experiences"])
    before.close()
    after.close()
    make(builder, example_tables, experiences=2)
    newest = current_path(other)
    assert sorted(p.name for p in other.builds_dir.glob("*.duckdb")) == [newest.name]  # pruned locally


def test_a_build_from_an_outdated_base_does_not_switch(tmp_path, example_tables, shared):
    builder = replica(tmp_path, "a", shared)
    first = make(builder, example_tables)
    second = make(builder, example_tables, experiences=3)
    with pytest.raises(OutdatedBase, match="bygget igen imens"):
        make(builder, example_tables, experiences=2, based_on=first.path)
    pointer = buildstore.build_pointer(builder)
    assert pointer.current().name == second.path.name
    with pytest.raises(PointerMoved):  # the switch itself is a compare-and-set
        pointer.switch(BuildRef(first.path.name), expect=BuildRef(first.path.name))
    store = buildstore.object_store(builder)
    with pytest.raises(PointerMoved):  # and so is the write under it (S3: a conditional PUT)
        store.write_pointer({"name": first.path.name}, token='"not-the-etag"')
    assert pointer.current().name == second.path.name


def test_the_store_keeps_the_current_build_and_those_snapshots_name(
    tmp_path, example_tables, shared, monkeypatch
):
    monkeypatch.setattr(build_mod, "KEEP_STORED_BUILDS", 1)
    builder, other = replica(tmp_path, "a", shared), replica(tmp_path, "b", shared)
    frozen = make(builder, example_tables)
    row = snapshots.freeze(open_store(builder), KIM, name="Workshop", cfg=builder)
    assert row["file"] == frozen.path.name
    middle = make(builder, example_tables, experiences=3)
    last = make(builder, example_tables, experiences=2)
    kept = {o.name for o in buildstore.object_store(builder).builds()}
    assert kept == {last.path.name, frozen.path.name} and middle.path.name not in kept
    path = snapshots.snapshot_path(row, cfg=other)  # another replica fetches the snapshot's build, verified
    assert path == other.snapshots_dir / frozen.path.name and file_digest(path) == file_digest(frozen.path)


def test_warm_fetches_verifies_and_publishes_every_areas_map_files(
    tmp_path, example_tables, shared, monkeypatch, capsys
):
    from civilkort import published
    from etl.cli import main

    builder, other = replica(tmp_path, "a", shared), replica(tmp_path, "b", shared)
    result = make(builder, example_tables)
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(other.data_dir))
    monkeypatch.setenv("CIVILKORT_STATIC_DIR", str(other.static_dir))
    monkeypatch.setenv("CIVILKORT_OBJECT_STORE_URL", shared[0])
    if shared[1]:
        monkeypatch.setenv("CIVILKORT_S3_ENDPOINT_URL", shared[1])
    other.builds_dir.mkdir()
    (other.builds_dir / result.path.name).write_bytes(b"not the build")  # a damaged local copy
    assert main(["warm"]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == str(other.builds_dir / result.path.name)
    assert "hentet og kontrolleret" in out.err and "Klar." in out.err
    assert file_digest(other.builds_dir / result.path.name) == file_digest(result.path)
    names = {p.name for p in other.published_dir.iterdir()}
    for area in published.areas():
        assert any(n.startswith(f"punkter-{area.replace(':', '-')}-") for n in names), area
    assert any(n.startswith("civilkort-kort-") for n in names)


def test_warm_without_a_build_in_the_store_says_so(tmp_path, shared, monkeypatch, capsys):
    from etl.cli import main

    other = replica(tmp_path, "b", shared)
    monkeypatch.setenv("CIVILKORT_DATA_DIR", str(other.data_dir))
    monkeypatch.setenv("CIVILKORT_OBJECT_STORE_URL", shared[0])
    if shared[1]:
        monkeypatch.setenv("CIVILKORT_S3_ENDPOINT_URL", shared[1])
    assert main(["warm"]) == 1
    assert "ingen database i objektlageret" in capsys.readouterr().err


def test_pruning_keeps_the_current_build_when_times_tie():
    """S3 gives times to the second: builds made within one second must not push out the current one."""

    class Listing:
        def __init__(self, names):
            self.objects = [ObjectInfo(n, 1, None, 1_700_000_000.0) for n in names]

        def builds(self):
            return list(self.objects)

        def delete(self, name):
            self.objects = [o for o in self.objects if o.name != name]

    for current in ("a.duckdb", "b.duckdb", "c.duckdb"):
        store = Listing(["a.duckdb", "b.duckdb", "c.duckdb"])
        gone = buildstore.prune_store(store, keep=1, current=current, protect={"a.duckdb"})
        kept = {o.name for o in store.builds()}
        assert current in kept and "a.duckdb" in kept and len(gone) == 3 - len(kept)
        assert kept == {current, "a.duckdb"}
