"""The HSDS API under load: requests/s, p50 and p99 per kind of request, against ``/`` (no data) in the same run.

The API runs alone under uvicorn in its own process (as ``uvicorn api:app``), on the build in
CIVILKORT_DATA_DIR; a client with CONCURRENCY requests in flight asks each kind for SECONDS. The first
request's time is the catalogue being opened for the build (once per build, in the background at start when
served by serve.py), the first search's the search index being made (once per build and process). Sizes are of one answer, as sent and gzipped (what the proxy or serve.py sends).

    CIVILKORT_DATA_DIR=bench-output/national .venv/bin/python benchmarks/hsds_api_load.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.apptiming import pct  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _load(base: str, paths: list[str], seconds: float, concurrency: int) -> tuple[list[float], int]:
    """Ask for ``paths`` (in turn) with ``concurrency`` requests in flight for ``seconds``."""
    times: list[float] = []
    failures = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def worker(n: int) -> None:
            nonlocal failures
            i = n
            while time.perf_counter() < stop:
                t = time.perf_counter()
                r = await client.get(paths[i % len(paths)])
                times.append(time.perf_counter() - t)
                failures += r.status_code != 200
                i += concurrency

        await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return times, failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--concurrency", type=int, default=8)
    args = ap.parse_args()
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api:app", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=600) as client:
            while True:
                try:
                    client.get("/")
                    break
                except httpx.TransportError:
                    if server.poll() is not None:
                        print("uvicorn stopped", file=sys.stderr)
                        return 1
                    time.sleep(0.1)
            t = time.perf_counter()
            first = client.get("/services", params={"per_page": 1})
            if first.status_code != 200:
                print(f"/services: {first.status_code} {first.text[:200]}", file=sys.stderr)
                return 1
            print(f"catalogue made for the build (first request): {time.perf_counter() - t:.2f} s")
            t = time.perf_counter()
            client.get("/services", params={"search": "frivillig", "per_page": 1})
            print(
                f"search index made (first search; shared with Søg in the app): {time.perf_counter() - t:.2f} s"
            )
            total = first.json()["total_items"]
            ids = [s["id"] for s in client.get("/services", params={"minimal": "true"}).json()["contents"]]
            orgs = client.get("/organizations", params={"per_page": 1}).json()["total_items"]
        rng = random.Random(2027)
        pages = max(1, total // 50)
        kinds = {
            "/ (baseline: no data)": ["/"],
            "/services page of 50": [f"/services?page={rng.randint(1, pages)}" for _ in range(200)],
            "/services?full=true page of 50": [
                f"/services?full=true&page={rng.randint(1, pages)}" for _ in range(50)
            ],
            "/services/{id}": [f"/services/{rng.choice(ids)}" for _ in range(500)],
            "/services?council_id=aarhus": [f"/services?council_id=aarhus&page={p}" for p in range(1, 4)],
            "/services?modified_after=…": ["/services?modified_after=2026-01-01T00:00:00Z"],
            "/services?search=…": [
                "/services?search=frivillig",
                "/services?search=demens",
                "/services?search=sorg",
            ],
            "/organizations page of 50": [
                f"/organizations?page={rng.randint(1, max(1, orgs // 50))}" for _ in range(100)
            ],
        }
        print(
            f"{total} services, {orgs} organizations; {args.concurrency} requests in flight, {args.seconds:.0f} s each"
        )
        print(f"{'request':36} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs /':>6} {'bytes':>9} {'gzip':>8}")
        baseline = None
        with httpx.Client(base_url=base, timeout=60) as client:
            for label, paths in kinds.items():
                times, failures = asyncio.run(_load(base, paths, args.seconds, args.concurrency))
                rate = len(times) / args.seconds
                baseline = baseline or rate
                body = client.get(paths[0]).content
                print(
                    f"{label:36} {rate:8.0f} {pct(times, 50) * 1000:8.1f} {pct(times, 99) * 1000:8.1f} "
                    f"{rate / baseline:6.2f} {len(body):9,} {len(gzip.compress(body, 6)):8,}"
                    + (f"  ({failures} not 200)" if failures else "")
                )
    finally:
        server.terminate()
        server.wait(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
