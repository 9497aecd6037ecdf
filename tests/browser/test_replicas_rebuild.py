"""A rebuild switches both replicas while 10 readers keep loading pages through nginx, with 0 errors.

Two replicas (``deploy/entrypoint.sh``, each with its own empty data folder) share a fresh PostgreSQL database
(the build pointer and lock) and S3 bucket (the builds) behind nginx; the example data are built first by
``entrypoint.sh etl demo``.  Ten browser readers, five pinned to each replica by their affinity cookie, load
the map, the lists and "Om data" one after the other, all at once, while ``entrypoint.sh etl build`` of other
data switches the pointer.  Each page's provenance caption ("Data bygget … · Kilde: …") says which build it
was made from.  Every load must finish without an exception box, a Danish error banner or "no data", nginx
must answer no request with a 5xx, no page started more than 45 s after the switch may show the old build,
and a replica that showed the new build never goes back to the old one.  The time from the switch to each replica's first page with the new build is
printed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.browser.appserver import poll, wait_idle
from tests.browser.conftest import OfflinePage, new_offline_page
from tests.browser.replicas import (
    AFFINITY_COOKIE,
    ENTRYPOINT,
    MARKS,
    ReplicaSet,
    keys_per_replica,
    replica_environment,
    replicas_behind_nginx,
    run_entrypoint,
    shared_backends,
)
from tests.conftest import PROJECT_ROOT, real_boundaries_path

pytestmark = MARKS

READERS_PER_REPLICA = 5
PATHS = ["", "lister", "om_data"]
"""The map (the default page), the lists, and "Om data", in turn."""
OLD_SOURCE = "Eksempeldata (genereret)"
NEW_SOURCE = "nye-data.xlsx"
LOAD_TIMEOUT_S = 180.0
"""A page load that has not finished after this long counts as an error the reader saw (a page takes
20-80 s here with ten readers on two cores shared with other work)."""
SWITCH_BOUND_S = 45.0
"""No page started this long after the pointer switched shows the old build (pointer TTL 2 s + the fetch +
the wait for a page's script run here).  When the new build's first page *finishes* depends on how long a
cold page takes with ten browsers on two cores (printed, not bounded)."""
BUILD_TIMEOUT_S = 300.0
READER_JS = (Path(__file__).parent / "replica_reader.js").read_text(encoding="utf-8")
NAVIGATE_JS = (Path(__file__).parent / "replica_navigate.js").read_text(encoding="utf-8")


@dataclass
class Load:
    """One finished (or timed-out) page load by one reader."""

    reader: int
    replica: str
    path: str
    started: float
    done: float
    source: str | None
    errors: list[str]


@dataclass
class Reader:
    """A browser context pinned to one replica, loading the pages in turn without waiting on Python."""

    number: int
    replica: str
    opage: OfflinePage
    context: Any
    loads: list[Load] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    """Requests the browser gave up on (network errors, aborted by a navigation), with the reason."""
    started: float | None = None
    path: str = ""

    def step(self, base: str, *, more: bool = True) -> None:
        """Start the next load (unless ``more`` is False), or look whether the current one has finished
        (never blocks for long)."""
        page = self.opage.page
        if self.started is None and not more:
            return
        if self.started is None:
            self.path = PATHS[len(self.loads) % len(PATHS)]
            self.started = time.time()
            # the navigation may tear down the context the call ran in
            with contextlib.suppress(Exception):
                page.evaluate(NAVIGATE_JS, f"{base}/{self.path}")
            return
        try:
            seen = page.evaluate(READER_JS)
        except Exception:  # noqa: BLE001 - a document being replaced has no context to evaluate in
            seen = None
        now = time.time()
        if seen is None and now - self.started < LOAD_TIMEOUT_S:
            return
        if seen is None:
            seen = {
                "source": None,
                "errors": [f"siden /{self.path} var ikke færdig efter {LOAD_TIMEOUT_S:.0f} s"],
            }
        self.loads.append(
            Load(self.number, self.replica, self.path, self.started, now, seen["source"], seen["errors"])
        )
        self.started = None


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    """A fresh database and bucket, migrated once; the example data built into them by the entrypoint."""
    work = tmp_path_factory.mktemp("replicas-rebuild")
    with shared_backends() as env:
        run_entrypoint(["migrate"], env, work / "migrering")
        built = run_entrypoint(["etl", "demo", "--scale", "small", "-q", *boundaries()], env, work / "bygger")
        log(work).write_text(built, encoding="utf-8")
        yield env, work


def boundaries() -> list[str]:
    path = real_boundaries_path()
    return ["--boundaries", str(path)] if path else []


def log(work: Path) -> Path:
    return work / "entrypoint.log"


@pytest.fixture(scope="module")
def service(backends: tuple[dict[str, str], Path]) -> Iterator[ReplicaSet]:
    """Two replicas with empty data folders (they fetch the build from the bucket), behind nginx."""
    env, work = backends
    dirs = [work / f"replika-{n}" for n in (1, 2)]
    with replicas_behind_nginx(dirs, work, env) as replica_set:
        yield replica_set


@pytest.fixture
def readers(chromium: Any, service: ReplicaSet, request: pytest.FixtureRequest) -> Iterator[list[Reader]]:
    """Five readers per replica, each in its own browser context with the affinity cookie preset."""
    made: list[Reader] = []
    for name, keys in keys_per_replica(service, READERS_PER_REPLICA).items():
        for key in keys:
            opage, context = new_offline_page(chromium)
            context.add_cookies([{"name": AFFINITY_COOKIE, "value": key, "url": service.proxy.base}])
            reader = Reader(len(made) + 1, name, opage, context)
            opage.page.on(
                "requestfailed", lambda r, reader=reader: reader.failed.append(f"{r.url}: {r.failure}")
            )
            made.append(reader)
    yield made
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(service.diagnostics())
    for reader in made:
        reader.context.close()


def pointer(env: dict[str, str]) -> tuple[str, float] | None:
    """(build, switched at as epoch seconds) from the store's build_pointer row, or None."""
    import psycopg

    with psycopg.connect(env["CIVILKORT_DATABASE_URL"], autocommit=True) as con:
        row = con.execute("SELECT build, switched_at FROM build_pointer WHERE name = 'current'").fetchone()
    return (row[0], dt.datetime.fromisoformat(row[1]).timestamp()) if row else None


def new_inputs(work: Path) -> Path:
    """Other data as an input file (the example generator with another seed, written as a filled-in template)."""
    import datetime

    from etl import demo
    from etl.template import write_inputs

    tables = demo.generate("small", seed=2031, today=datetime.date.today())
    return write_inputs(tables, work / NEW_SOURCE)


def summary(readers: list[Reader]) -> str:
    """Each reader's loads so far (for a failure message): how many, how long, what it saw last."""
    now, lines = time.time(), []
    for r in readers:
        took = sorted(load.done - load.started for load in r.loads)
        busy = f", nu /{r.path} i {now - r.started:.0f} s" if r.started else ""
        lines.append(
            f"læser {r.number} ({r.replica}): {len(r.loads)} sider, median {took[len(took) // 2] if took else 0:.1f} s, "
            f"sidst {r.loads[-1].source if r.loads else '-'!r}{busy}, "
            f"fejl {[(x.path, e) for x in r.loads for e in x.errors]}"
        )
    return "\n".join(lines)


def read_until(
    readers: list[Reader], base: str, done: Any, what: str, timeout: float, *, more: bool = True
) -> None:
    """Let every reader load page after page (``more=False``: only finish the load under way) until
    ``done()``; fail naming ``what`` after ``timeout`` s."""
    pump = readers[0].opage.page
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: ikke efter {timeout:.0f} s\n{summary(readers)}")
        for reader in readers:
            reader.step(base, more=more)
        pump.wait_for_timeout(100)  # keeps the sync Playwright client serving the browser meanwhile


def test_a_rebuild_switches_both_replicas_with_no_errors_for_ten_readers(
    service: ReplicaSet, backends: tuple[dict[str, str], Path], readers: list[Reader]
) -> None:
    env, work = backends
    base = service.proxy.base
    before = pointer(env)
    assert before is not None, "eksempeldata blev ikke bygget ind i PostgreSQL"
    inputs = new_inputs(work)
    read_until(readers, base, lambda: all(r.loads for r in readers), "hver læser har vist en side", 240)

    command = [str(ENTRYPOINT), "etl", "build", str(inputs), "-q", *boundaries()]
    environment = {**replica_environment(env), "CIVILKORT_DATA_DIR": str(work / "bygger")}
    with log(work).open("a", encoding="utf-8") as out:
        build_started = time.time()
        builder = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment, stdout=out, stderr=out)
    try:
        switched: list[tuple[str, float]] = []

        def has_switched() -> bool:
            if builder.poll() not in (None, 0):
                raise AssertionError(f"ombygningen fejlede (kode {builder.returncode}); se {log(work)}")
            now = pointer(env)
            if now is not None and now[0] != before[0]:
                switched.append(now)
            return bool(switched)

        read_until(readers, base, has_switched, "pointeren skiftede", BUILD_TIMEOUT_S)
        switch_at = switched[0][1]

        def all_read_new() -> bool:
            return all(
                any(load.started > switch_at and load.source == NEW_SOURCE for load in r.loads)
                for r in readers
            )

        read_until(
            readers,
            base,
            all_read_new,
            "alle læsere ser det nye byggeri",
            SWITCH_BOUND_S + 3 * LOAD_TIMEOUT_S,
        )
        read_until(
            readers,
            base,
            lambda: all(r.started is None for r in readers),
            "igangværende sider",
            LOAD_TIMEOUT_S + 10,
            more=False,
        )
        assert builder.wait(timeout=BUILD_TIMEOUT_S) == 0
    finally:
        if builder.poll() is None:
            builder.kill()
            builder.wait()

    loads = [load for r in readers for load in r.loads]
    errors = [(load.replica, load.path, error) for load in loads for error in load.errors]
    window = [row for row in service.proxy.requests() if float(row["msec"]) >= build_started - 5]
    assert [row for row in service.proxy.requests() if row["status"].startswith("5")] == []
    assert not any(r.opage.errors or r.opage.blocked or r.opage.dialogs for r in readers), [
        (r.opage.errors, r.opage.blocked, r.opage.dialogs) for r in readers
    ]

    lines = [
        f"Ombygning: pointeren skiftede {switch_at - build_started:.1f} s efter start "
        f"({before[0]} -> {switched[0][0]}); {len(loads)} sideindlæsninger af {len(readers)} læsere, "
        f"{len(window)} forespørgsler gennem nginx under ombygningen, {len(errors)} fejl"
    ]
    for replica in service.replicas:
        mine = sorted((load for load in loads if load.replica == replica.name), key=lambda load: load.started)
        first_new = min(
            (load.done for load in mine if load.source == NEW_SOURCE and load.started > switch_at),
            default=math.inf,
        )
        last_old = max((load.started for load in mine if load.source == OLD_SOURCE), default=-math.inf)
        # once a replica showed the new build, it never shows the old one again
        assert not [load for load in mine if load.started > first_new and load.source == OLD_SOURCE], (
            replica.name
        )
        assert last_old - switch_at < SWITCH_BOUND_S, (replica.name, last_old - switch_at)
        lines.append(
            f"  {replica.name}: første side med det nye byggeri færdig {first_new - switch_at:.1f} s efter skiftet "
            f"(sidste side med det gamle startet {last_old - switch_at:+.1f} s); "
            f"{len(mine)} sider"
        )
    print("\n".join(lines) + "\n" + summary(readers))
    failed = sorted({f for r in readers for f in r.failed if "/static/" in f or "/_stcore/" in f})
    print(f"Forespørgsler, browseren opgav ({len(failed)}):\n" + "\n".join(failed[:20]))
    for name in {r.replica for r in readers}:
        reader = next(r for r in readers if r.replica == name)
        page = reader.opage.page  # a reader moves on at the caption; let this page finish drawing first
        wait_idle(page, timeout=LOAD_TIMEOUT_S * 1000)
        poll(page, lambda page=page: page.locator("[data-testid=stSkeleton]").count() == 0, "siden tegnet",
             timeout=LOAD_TIMEOUT_S)  # fmt: skip
        reader.opage.screenshot(f"replikaer-nyt-byggeri-{name}")
    assert errors == [], errors
    assert {load.source for load in loads} == {OLD_SOURCE, NEW_SOURCE}, {load.source for load in loads}
