"""Builds across replicas: upload and switch, a replica's fetch + verify, the pointer check, and warm-up.

Builds the example data (``--scale``, default council) on replica A with an object store, then measures
on a fresh replica B: the first fetch and verification, the pointer check a page run makes a dozen times
(between reads and when the TTL has run out), the switch to a new build, and ``warm``'s publishing of
every area's map files. The object store is a temporary shared folder, or S3 with
``CIVILKORT_OBJECT_STORE_URL=s3://…`` (and ``CIVILKORT_S3_ENDPOINT_URL``) set.

With ``--postgres URL`` (a server whose user may create databases, e.g. the test services') it then measures
the build switch across two replicas side by side: the pointer in the object store (``current.json``, with
the SQLite store) and in PostgreSQL (the ``build_pointer`` row and the advisory lock, in a fresh database):
A's seal + upload + switch, one pointer read, and the time until replica B, asking as page runs do (every
20 ms, the pointer read at most every 2 s), serves the new build.

    .venv/bin/python benchmarks/builds_replicas.py --scale national --boundaries ../shared/geo/kommuner.geojson
    eval "$(scripts/test-services.sh env)"
    .venv/bin/python benchmarks/builds_replicas.py --postgres "$CIVILKORT_TEST_POSTGRES_URL"
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from civilkort import buildstore, published  # noqa: E402
from civilkort.db import Database, current_path  # noqa: E402
from civilkort.index import DataIndex  # noqa: E402
from civilkort.settings import settings  # noqa: E402


def _per_call_us(fn, n: int = 20000) -> float:
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - started) / n * 1e6


@contextmanager
def _fresh_postgres(server: str):
    """A new, migrated database on ``server`` for the run, dropped afterwards; yields its URL."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    from civilkort.store import Store

    name = f"civilkort_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    try:
        Store(url).close()
        yield url
    finally:
        from civilkort import store as store_mod

        opened = store_mod._stores.pop(url, None)
        if opened is not None:
            opened.close()
        with psycopg.connect(server, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _switch_across(label: str, a, b, make) -> list[str]:
    """One pointer kind: A builds anew; the figures for A's switch, a pointer read and B serving it."""
    make(a)  # the first build, and B serving it, so what follows is a switch
    current_path(b)
    reads = []
    for _ in range(200):
        started = time.perf_counter()
        buildstore.build_pointer(b).current()
        reads.append(time.perf_counter() - started)
    reads.sort()
    switches, seen = [], []
    for experiences in (3, 2, 1):  # three switches: where B is in its 2 s between reads varies
        old = current_path(b)
        result, switch_s = make(a, experiences=experiences)
        switched = time.perf_counter()
        while (served := current_path(b)) == old:  # as page runs ask: the pointer is read every 2 s at most
            time.sleep(0.02)
        seen.append(time.perf_counter() - switched)
        switches.append(switch_s)
        assert served.name == result.path.name
    return [
        label,
        f"{min(switches):.2f}–{max(switches):.2f} s",
        f"{reads[len(reads) // 2] * 1e3:.2f} / {reads[int(len(reads) * 0.99)] * 1e3:.2f} ms",
        f"{min(seen):.2f}–{max(seen):.2f} s",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="council", choices=["small", "council", "national"])
    parser.add_argument("--boundaries")
    parser.add_argument(
        "--postgres", help="PostgreSQL-server til sammenligningen af pegere (opretter en database)"
    )
    args = parser.parse_args()
    from etl import demo
    from etl.boundaries import load
    from etl.build import build
    from etl.clean import CleanInput, builtin_vocabularies

    tmp = Path(tempfile.mkdtemp(prefix="civilkort-bench-"))
    base = settings()
    url = base.object_store_url or (tmp / "shared").as_uri()
    a = replace(base, data_dir=tmp / "a", static_dir=tmp / "a-static", object_store_url=url)
    b = replace(base, data_dir=tmp / "b", static_dir=tmp / "b-static", object_store_url=url)
    bounds = load(args.boundaries) if args.boundaries else None
    tables = demo.generate(args.scale, seed=2027, today=dt.date(2026, 11, 1))

    def build_on(cfg, experiences: int | None = None):
        data = {k: v.copy() for k, v in tables.items()}
        if experiences is not None:
            data["experiences"] = data["experiences"].iloc[:experiences]
        inputs = CleanInput(tables=data, vocabularies=builtin_vocabularies(), issues=[])
        steps: list[tuple[str, float]] = []
        started = time.perf_counter()
        result = build(inputs, boundaries=bounds, meta={"is_example": "true"}, cfg=cfg,
                       on_step=lambda s, r, t: steps.append((s, t)))  # fmt: skip
        total = time.perf_counter() - started
        return result, total - sum(t for _, t in steps)

    def make(experiences: int | None = None):
        return build_on(a, experiences)

    result, switch_s = make()
    size_mb = result.path.stat().st_size / 1e6
    print(f"Objektlager: {url}\nDatabase: {result.path.name} ({size_mb:.1f} MB)")
    print(f"Byg A: navngiv (SHA-256) + upload + skift: {switch_s:.2f} s")
    started = time.perf_counter()
    path = current_path(b)
    print(f"Replika B: første hentning + kontrol: {time.perf_counter() - started:.2f} s ({path.name})")

    print(f"Pegertjek mellem læsninger (objektlager): {_per_call_us(lambda: current_path(b)):.1f} µs/kald")

    def expired():
        buildstore.recheck(b)
        return current_path(b)

    print(f"Pegertjek når TTL er udløbet (læser current.json): {_per_call_us(expired, n=200):.0f} µs/kald")
    single = replace(a, object_store_url=None)
    print(
        f"Pegertjek uden objektlager (current.txt): {_per_call_us(lambda: current_path(single)):.1f} µs/kald"
    )

    _, switch2_s = make(experiences=3)
    buildstore.recheck(b)
    started = time.perf_counter()
    new = current_path(b)
    print(
        f"Nyt byg: A upload + skift {switch2_s:.2f} s; B ser, henter og kontrollerer {time.perf_counter() - started:.2f} s"
    )
    assert new != path

    os.environ["CIVILKORT_STATIC_DIR"] = str(tmp / "b-static")  # publish() writes where the settings say
    for label in ("tom mappe", "filerne findes"):
        started = time.perf_counter()
        db = Database(new)
        index = DataIndex(db)
        indexed = time.perf_counter() - started
        urls = published.publish_all(index)
        db.close()
        total = time.perf_counter() - started
        print(
            f"warm, udgiv kortfiler ({label}): indeks {indexed:.2f} s, i alt {total:.2f} s, {len(urls)} filer"
        )

    if args.postgres:
        print("\nSkift på tværs af to replikaer (pegeren læses højst hvert 2. s pr. replika):")
        rows = [
            ["peger", "A: navngiv + upload + skift", "én pegerlæsning p50 / p99", "B viser den nye (3 skift)"]
        ]
        fresh = Path(tempfile.mkdtemp(prefix="civilkort-bench-peger-"))
        file_url = base.object_store_url or (fresh / "delt").as_uri()
        pair = [replace(base, data_dir=fresh / f"fil-{n}", static_dir=fresh / "s", object_store_url=file_url,
                        database_url=None) for n in "ab"]  # fmt: skip
        rows.append(_switch_across("objektlager (current.json)", *pair, build_on))
        with _fresh_postgres(args.postgres) as url:
            pg_url = base.object_store_url or (fresh / "delt-pg").as_uri()
            pair = [replace(base, data_dir=fresh / f"pg-{n}", static_dir=fresh / "s", object_store_url=pg_url,
                            database_url=url) for n in "ab"]  # fmt: skip
            rows.append(_switch_across("PostgreSQL (build_pointer)", *pair, build_on))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)))


if __name__ == "__main__":
    main()
