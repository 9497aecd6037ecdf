"""Accessibility checks in the browser tests: axe-core's WCAG 2.1 A/AA rules, offline.

axe-core comes from ``tests/a11y/node_modules`` (``npm ci --prefix tests/a11y``) and is injected from disk
into the page and each of its frames, with the small runner ``tests/a11y/run_axe.js``; nothing is fetched.
Without the package the test skips on a laptop and fails in CI (``tests.services.missing``).
"""

from __future__ import annotations

from typing import Any

from tests.conftest import PROJECT_ROOT
from tests.services import missing

A11Y_DIR = PROJECT_ROOT / "tests" / "a11y"
AXE = A11Y_DIR / "node_modules" / "axe-core" / "axe.min.js"
RUNNER = A11Y_DIR / "run_axe.js"
BLOCKING = ("serious", "critical")
PAGE_AND_STATUS = {"include": [["[data-testid=stMain]"], ["[data-testid=stSidebarUserContent]"]]}
"""The page itself and the sidebar's own content (the sign-in status line), without Streamlit's page list:
``st.navigation`` with sections puts its headings as <div>s inside the list (axe ``list``/``listitem``),
which only Streamlit can change."""


def violations(page: Any, context: str | dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on ``page`` (optionally only in ``context``: a CSS selector or an
    axe context such as :data:`PAGE_AND_STATUS`)."""
    if not AXE.exists():
        missing("axe-core is not installed: run `npm ci --prefix tests/a11y`")
    for frame in page.frames:  # axe checks a frame only if it runs there too
        frame.add_script_tag(path=str(AXE))
    page.add_script_tag(path=str(RUNNER))
    return page.evaluate("(context) => window.civilkortAxe(context)", context)


def blocking(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The serious and critical ones."""
    return [v for v in found if v["impact"] in BLOCKING]
