"""Test-only fault injection for browser tests: lets a test make the app server misbehave on purpose.

A browser test starts ``streamlit run`` (or ``deploy/entrypoint.sh``) with this folder first on PYTHONPATH, so
Python imports this file at start-up (``sitecustomize``).  Nothing in the application knows about this; without
the variables it does nothing.

* ``CIVILKORT_TEST_FAIL_CHECKS_FILE``: while that file exists, every data check of a new build fails, as a
  broken check would: the build raises BuildError and the database that was serving must keep serving.
* ``CIVILKORT_TEST_HOLD_SAVES_FILE``: a workshop entry whose title contains a line of that file (while it
  exists) is saved and committed, and then the save never answers, as when the replica dies between its commit and the
  participant's confirmation (the test kills the replica meanwhile).
"""

import importlib.abc
import importlib.machinery
import os
import sys
from pathlib import Path

_MARKER = os.environ.get("CIVILKORT_TEST_FAIL_CHECKS_FILE")
_HOLD = os.environ.get("CIVILKORT_TEST_HOLD_SAVES_FILE")

if _MARKER:
    import etl.build as _build

    _original = _build._run_checks

    def _run_checks(con):  # noqa: ANN001, ANN202 - mirrors etl.build._run_checks
        if Path(_MARKER).exists():
            return ["Datatjekket fejlede med vilje i en test (testfejl: 1 rækker)"]
        return _original(con)

    _build._run_checks = _run_checks


def _hold_saves(workshop) -> None:  # noqa: ANN001 - the module civilkort.workshop
    """Wrap ``workshop.add_entry``: a new entry whose title contains a line of the hold file is committed,
    and then the call never returns."""
    import threading

    original = workshop.add_entry

    def add_entry(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - mirrors civilkort.workshop.add_entry
        saved = original(*args, **kwargs)
        hold = Path(_HOLD)
        lines = hold.read_text().splitlines() if saved.created and hold.exists() else []
        if any(line and line in saved.entry["title"] for line in lines):
            threading.Event().wait(600)  # committed, never answered: the test kills this replica meanwhile
        return saved

    workshop.add_entry = add_entry


class _AfterImport(importlib.abc.MetaPathFinder):
    """Patches civilkort.workshop when something imports it (not here: every process would pay for pandas)."""

    def find_spec(self, name, path, target=None):  # noqa: ANN001, ANN201 - importlib's protocol
        if name != "civilkort.workshop":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module) -> None:  # noqa: ANN001
            run(module)
            _hold_saves(module)

        spec.loader.exec_module = exec_module
        return spec


if _HOLD:
    sys.meta_path.insert(0, _AfterImport())
