"""Personal fields in the store at national scale, SQLite and PostgreSQL side by side.

Times, for ~100,000 organisations (mailbox and contact person) and 20,000 collaborations (tovholder), in both
layers (served records and inputs): collecting them from the tables, writing them for one build (one
transaction: executemany / COPY), reading them back for a rebuild, a council coordinator's and an
administrator's read, and pruning one build.

    .venv/bin/python benchmarks/personal_store.py [--organisations 100000] [--postgres URL]

PostgreSQL runs when ``--postgres`` or ``CIVILKORT_TEST_POSTGRES_URL`` names a server that may create
databases (``scripts/test-services.sh start``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from civilkort import auth, personal, reference  # noqa: E402
from civilkort.auth import Principal  # noqa: E402
from civilkort.store import Store  # noqa: E402


def tables(n_orgs: int, n_collabs: int) -> dict[str, pd.DataFrame]:
    """Organisations and collaborations with personal fields, spread over every council."""
    councils = reference.councils()["council_id"].tolist()
    orgs = pd.DataFrame(
        {
            "organisation_id": [f"ORG-{i:06d}" for i in range(n_orgs)],
            "email": pd.Series([f"kontakt{i}@forening{i % 977}.dk" for i in range(n_orgs)], dtype="string"),
            "contact_person": pd.Series(
                [f"Fornavn{i % 3000} Efternavn{i % 71}" for i in range(n_orgs)], dtype="string"
            ),
            "council_id": [councils[i % len(councils)] for i in range(n_orgs)],
        }
    )
    collabs = pd.DataFrame(
        {
            "collaboration_id": [f"SAM-{i:06d}" for i in range(n_collabs)],
            "tovholder": pd.Series(
                [f"Koordinator {i}, afdeling {i % 40}" for i in range(n_collabs)], dtype="string"
            ),
            "council_id": [councils[i % len(councils)] for i in range(n_collabs)],
        }
    )
    return {"organisations": orgs, "collaborations": collabs}


@contextmanager
def postgres(server: str) -> Iterator[str]:
    """A fresh database on ``server``, dropped afterwards."""
    import psycopg
    from psycopg import sql

    name = f"civilkort_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as con:
        con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as con:
            con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def measure(url: str, data: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Seconds per step on the store at ``url``."""
    store = Store(url)
    out: dict[str, str] = {}
    try:
        t = time.perf_counter()
        rows = personal.collect("civilkort-bench.duckdb", inputs=data, built=data)
        out["samle (collect)"] = f"{time.perf_counter() - t:.2f} s"
        out["rækker"] = f"{len(rows):,}".replace(",", ".")
        t = time.perf_counter()
        personal.save(store, "civilkort-bench.duckdb", rows)
        out["skriv én build (save)"] = f"{time.perf_counter() - t:.2f} s"
        t = time.perf_counter()
        personal.save(store, "civilkort-bench2.duckdb", [("civilkort-bench2.duckdb", *r[1:]) for r in rows])
        out["skriv næste build"] = f"{time.perf_counter() - t:.2f} s"
        t = time.perf_counter()
        personal.fill_inputs(store, "civilkort-bench.duckdb", data)
        out["læs til genopbygning (fill_inputs)"] = f"{time.perf_counter() - t:.2f} s"
        coordinator = Principal("K", councils=frozenset({"aarhus"}))
        t = time.perf_counter()
        mine = personal.personal_fields(store, coordinator, "civilkort-bench.duckdb", "organisations")
        out[f"koordinator, ét råd ({len(mine)} org.)"] = f"{(time.perf_counter() - t) * 1000:.0f} ms"
        ids = data["organisations"]["organisation_id"].head(5000)
        t = time.perf_counter()
        personal.personal_fields(store, coordinator, "civilkort-bench.duckdb", "organisations", ids)
        out["koordinator, 5.000 id'er (en liste)"] = f"{(time.perf_counter() - t) * 1000:.0f} ms"
        t = time.perf_counter()
        personal.personal_fields(store, auth.operator(), "civilkort-bench.duckdb", "organisations")
        out["administrator, alle org."] = f"{time.perf_counter() - t:.2f} s"
        t = time.perf_counter()
        personal.prune(store, protect={"civilkort-bench2.duckdb"}, keep=1)
        out["ryd én build (prune)"] = f"{time.perf_counter() - t:.2f} s"
    finally:
        store.close()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--organisations", type=int, default=100_000)
    p.add_argument("--collaborations", type=int, default=20_000)
    p.add_argument("--postgres", default=os.environ.get("CIVILKORT_TEST_POSTGRES_URL"))
    args = p.parse_args()
    data = tables(args.organisations, args.collaborations)
    results: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = measure(f"sqlite:///{tmp}/store.sqlite", data)
    if args.postgres:
        with postgres(args.postgres) as url:
            results["PostgreSQL"] = measure(url, data)
    steps = list(next(iter(results.values())))
    width = max(len(s) for s in steps)
    print(f"{'':{width}}  " + "  ".join(f"{b:>12}" for b in results))
    for step in steps:
        print(f"{step:{width}}  " + "  ".join(f"{results[b][step]:>12}" for b in results))


if __name__ == "__main__":
    main()
