"""Script-run timing: every run's server time is kept (bounded) for benchmarks, and slow runs are logged."""

from __future__ import annotations

import logging
import time
from collections import deque

SLOW_RUN_S = 1.0
RUNS: deque[float] = deque(maxlen=10_000)
"""Seconds per completed script run, newest last (read by benchmarks/filter_latency.py)."""

log = logging.getLogger("civilkort.app")


def start() -> float:
    """A start mark for this run."""
    return time.perf_counter()


def done(started: float, what: str) -> None:
    """Record a finished run; log it when slow."""
    elapsed = time.perf_counter() - started
    RUNS.append(elapsed)
    if elapsed > SLOW_RUN_S:
        log.warning("Langsom sidekørsel: %s tog %.2f s", what, elapsed)
