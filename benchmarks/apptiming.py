"""Shared by the latency benchmarks: time one app script run as the server measures it."""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# The server compiles each page script once (its Runtime keeps one ScriptCache for every session);
# AppTest makes a new cache for each run, so every measured run would also pay for compiling the page
# (and Streamlit's "magic" rewrite of it). Share one cache, as the server does.
import streamlit.testing.v1.app_test as _app_test  # noqa: E402
import streamlit.testing.v1.local_script_runner as _local_runner  # noqa: E402
from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402

from ui import timing  # noqa: E402

_SCRIPT_CACHE = ScriptCache()
_app_test.ScriptCache = _local_runner.ScriptCache = lambda: _SCRIPT_CACHE


def pct(values: list[float], q: float) -> float:
    """The q-th percentile of ``values``."""
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def run(at: AppTest) -> float:
    """One script run; returns the server's own script time (ui.timing) in ms, not AppTest's polling."""
    before = len(timing.RUNS)
    at.run()
    if at.exception or at.error:
        raise SystemExit(f"Siden fejlede: {at.exception or [e.value for e in at.error]}")
    if len(timing.RUNS) != before + 1:
        raise SystemExit("Kørslen blev ikke timet (app.py kalder ikke ui.timing.done?)")
    return timing.RUNS[-1] * 1000
