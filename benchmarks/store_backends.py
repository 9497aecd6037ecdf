"""The store on SQLite and on PostgreSQL side by side: a workshop's saves and the live-update check.

Times ``civilkort.workshop.add_entry`` (the whole save: checks, placing, the serialised write, commit)
with 60 participants as threads of one app process, in two loads:

* **burst**: all 60 press "Gem" at the same instant, ``--rounds`` times (the worst case);
* **steady**: each participant saves at random, on average every ``--every`` seconds (default 2 s: 30
  saves a second, far more than a room of 60 typing), for ``--seconds``;

and the live-update check every open screen polls (``civilkort.workshop.changed_since``) idle and while
the steady load runs.  Target: save p99 at most 50 ms on PostgreSQL.

    .venv/bin/python benchmarks/store_backends.py [--postgres postgresql://user@host:port/db]

``--postgres`` (default: $CIVILKORT_TEST_POSTGRES_URL) is a server where the user may create a database;
the benchmark makes its own and drops it.  Without it only SQLite is measured.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from civilkort import workshop as ws  # noqa: E402
from civilkort.auth import Principal  # noqa: E402
from civilkort.store import Store  # noqa: E402

PARTICIPANTS = 60
COORDINATOR_PERSON = Principal(name="Koordinator", via="kode", is_admin=True)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def _ms(values: list[float]) -> str:
    return f"p50 {_pct(values, 0.5):7.2f} ms · p99 {_pct(values, 0.99):7.2f} ms · n={len(values)}"


@contextmanager
def _postgres_database(server: str):
    import psycopg
    from psycopg import sql

    from tests.stores import database_url

    name = f"civilkort_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as con:
            con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _room(store: Store) -> tuple[dict, list[Principal]]:
    workshop, code = ws.create_workshop(
        store, COORDINATOR_PERSON, "Benchmark", held_on=dt.date.today(), council_id="aarhus", hours=4
    )
    joined = ws.join(store, Principal(), workshop["workshop_id"], code, "Deltager")
    people = [dataclasses.replace(joined, name=f"Deltager {i}", key=f"k{i}") for i in range(PARTICIPANTS)]
    return workshop, people


def _save(store: Store, person: Principal, workshop: dict, text: str) -> float:
    started = time.perf_counter()
    ws.add_entry(store, person, workshop["workshop_id"], "note", {"note_type": "hul", "text": text},
                 municipality="Aarhus", client_token=uuid.uuid4().hex)  # fmt: skip
    return time.perf_counter() - started


def burst(store: Store, workshop: dict, people: list[Principal], rounds: int) -> list[float]:
    """All participants save at the same instant, ``rounds`` times."""
    barrier = threading.Barrier(len(people))
    out: list[float] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        for r in range(rounds):
            barrier.wait()
            took = _save(store, people[i], workshop, f"burst {i}-{r}")
            with lock:
                out.append(took)

    _run_all(run, len(people))
    return out


def steady(
    store: Store, workshop: dict, people: list[Principal], every: float, seconds: float
) -> tuple[list[float], list[float]]:
    """Participants save at random (mean ``every`` s) for ``seconds``; a screen polls every 0.5 s."""
    saves: list[float] = []
    polls: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run(i: int) -> None:
        rng = random.Random(i)
        n = 0
        while True:
            time.sleep(rng.expovariate(1 / every))
            if time.perf_counter() > stop:
                return
            took = _save(store, people[i], workshop, f"steady {i}-{n}")
            n += 1
            with lock:
                saves.append(took)

    def poll() -> None:
        version = store.version()
        while time.perf_counter() < stop:
            started = time.perf_counter()
            version, _ = ws.changed_since(store, version)
            polls.append(time.perf_counter() - started)
            time.sleep(0.5)

    poller = threading.Thread(target=poll)
    poller.start()
    _run_all(run, len(people))
    poller.join()
    return saves, polls


def idle_polls(store: Store, n: int = 2000) -> list[float]:
    """The live-update check when nothing changed (what almost every poll finds)."""
    version = store.version()
    out = []
    for _ in range(n):
        started = time.perf_counter()
        ws.changed_since(store, version)
        out.append(time.perf_counter() - started)
    return out


def _run_all(target, n: int) -> None:
    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def measure(label: str, url: str, args: argparse.Namespace) -> dict[str, str]:
    """Every figure for one backend."""
    store = Store(url)
    try:
        workshop, people = _room(store)
        for i in range(20):  # warm up: connections, prepared statements, caches
            _save(store, people[i], workshop, f"warm {i}")
        figures = {"burst": _ms(burst(store, workshop, people, args.rounds))}
        saves, polls = steady(store, workshop, people, args.every, args.seconds)
        figures["steady"] = _ms(saves)
        figures["poll idle"] = _ms(idle_polls(store))
        figures["poll under load"] = _ms(polls)
        n = store.one("SELECT count(*) AS n FROM entries")["n"]
        figures["entries saved"] = f"{n} (audit rows {store.version()})"
        return figures
    finally:
        store.close()


def page_runs(data_dir: Path, url: str, workshop_entries: int, runs: int) -> list[float]:
    """Server script time of the map page for one council while a workshop there is live, with this store.

    The map page reads the store on every run (is a workshop live? its pins, the live-update check); the
    rest of the run reads the DuckDB build, the same for both backends."""
    from streamlit.testing.v1 import AppTest

    from benchmarks.apptiming import run

    os.environ["CIVILKORT_DATA_DIR"] = str(data_dir)
    os.environ["CIVILKORT_DATABASE_URL"] = url
    store = Store(url)
    try:
        workshop, people = _room(store)
        for i in range(workshop_entries):
            _save(store, people[i % len(people)], workshop, f"Side {i}")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["omraade"] = "council:aarhus"
        for _ in range(3):  # first runs load the build, the index and the published map files
            run(at)
        return [run(at) / 1000 for _ in range(runs)]  # seconds, as the other figures here
    finally:
        store.close()
        del os.environ["CIVILKORT_DATABASE_URL"]


def _example_data(folder: Path, database_url: str) -> Path:
    """A data folder with the example build (council scale) served through the store at ``database_url``
    (with PostgreSQL the build pointer is a row in it, so each backend gets its own build of the same data)."""
    import subprocess

    data = folder / "data"
    boundaries = ROOT.parent / "shared" / "geo" / "kommuner.geojson"
    subprocess.run(
        [sys.executable, "-m", "etl", "demo", "--scale", "council", "-q"]
        + (["--boundaries", str(boundaries)] if boundaries.exists() else []),
        check=True,
        cwd=ROOT,
        env={**os.environ, "CIVILKORT_DATA_DIR": str(data), "CIVILKORT_DATABASE_URL": database_url},
        stdout=subprocess.DEVNULL,
    )
    return data


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--postgres", default=os.environ.get("CIVILKORT_TEST_POSTGRES_URL"),
                   help="PostgreSQL server where the user may create a database")  # fmt: skip
    p.add_argument("--rounds", type=int, default=10, help="burst: how many times all 60 save at once")
    p.add_argument(
        "--every", type=float, default=2.0, help="steady: mean seconds between a participant's saves"
    )
    p.add_argument("--seconds", type=float, default=20.0, help="steady: how long")
    p.add_argument("--page-runs", type=int, default=30, help="map page runs per backend (0: skip)")
    args = p.parse_args()

    results: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as folder:
        results["SQLite"] = measure("SQLite", f"sqlite:///{Path(folder) / 'store.sqlite'}", args)
    if args.postgres:
        with _postgres_database(args.postgres) as url:
            results["PostgreSQL"] = measure("PostgreSQL", url, args)
    else:
        print("(ingen PostgreSQL: giv --postgres eller sæt CIVILKORT_TEST_POSTGRES_URL)")
    pages: dict[str, list[float]] = {}
    if args.page_runs:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'side.sqlite'}"
            pages["SQLite"] = page_runs(_example_data(Path(folder) / "sqlite", url), url, 200, args.page_runs)
            if args.postgres:
                with _postgres_database(args.postgres) as url:
                    data = _example_data(Path(folder) / "postgres", url)
                    pages["PostgreSQL"] = page_runs(data, url, 200, args.page_runs)

    print(f"\nWorkshop-gem med {PARTICIPANTS} samtidige deltagere (tråde i én app-proces), ws.add_entry:")
    rows = [
        ("burst", f"gem, alle {PARTICIPANTS} på én gang × {args.rounds}"),
        ("steady", f"gem, hver ~{args.every:g} s i {args.seconds:g} s"),
        ("poll idle", "live-tjek (changed_since), intet nyt"),
        ("poll under load", "live-tjek under steady-belastning"),
        ("entries saved", "gemte indtastninger"),
    ]
    for key, text in rows:
        print(f"  {text}")
        for backend, figures in results.items():
            print(f"    {backend:<11} {figures[key]}")
    if pages:
        print(
            "\nKortsiden for Sundhedsråd Aarhus under en live workshop (200 indtastninger), serverens scripttid:"
        )
        for backend, times in pages.items():
            print(f"    {backend:<11} {_ms(times)}")
        if len(pages) == 2:
            ratio = _pct(pages["PostgreSQL"], 50) / _pct(pages["SQLite"], 50)
            print(f"    PostgreSQL / SQLite, p50: {ratio:.2f}× (mål: højst 2×)")


if __name__ == "__main__":
    main()
