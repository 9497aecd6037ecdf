"""Test-only fault injection for browser tests: lets a test make the app server's next build fail its data check.

A browser test starts ``streamlit run`` with this folder first on PYTHONPATH, so Python imports this file at
start-up (``sitecustomize``).  While the file named by ``CIVILKORT_TEST_FAIL_CHECKS_FILE`` exists, every data
check of a new build fails, as a broken check would: the build raises BuildError and the database that was
serving must keep serving.  Nothing in the application knows about this; without the variable it does nothing.
"""

import os
from pathlib import Path

_MARKER = os.environ.get("CIVILKORT_TEST_FAIL_CHECKS_FILE")

if _MARKER:
    import etl.build as _build

    _original = _build._run_checks

    def _run_checks(con):  # noqa: ANN001, ANN202 - mirrors etl.build._run_checks
        if Path(_MARKER).exists():
            return ["Datatjekket fejlede med vilje i en test (testfejl: 1 rækker)"]
        return _original(con)

    _build._run_checks = _run_checks
