"""The architecture's rules (pyproject.toml, [tool.importlinter]) hold: layers, no Streamlit in the core, no circles."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import PROJECT_ROOT


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout and result.stdout.count("KEPT") == 4, result.stdout


PRODUCT = ("civilkort", "etl", "ui", "app_pages", "app.py", "serve.py")
_INLINE_CODE = re.compile(r"<(script|style)(\s[^<>\\]*)?>(?!\s*(\{|<|$))", re.IGNORECASE)
_CSS_RULE = re.compile(r"\{\s*[a-z-]+\s*:\s*[^;{}]+;")
_JS = re.compile(
    r"\bfunction\s*\(|=>\s*\{|addEventListener\(|querySelector(All)?\(|\bdocument\.(get|query|create|body|head|documentElement)"
)


def _strings(tree: ast.AST):
    """String constants that are not docstrings (f-strings give their literal parts)."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            docstrings.add(id(node.value))  # attribute docstrings too
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node


def test_no_javascript_or_css_in_python_strings():
    """Browser code lives in .js/.css files (ui/assets, civilkort/web) with their own linting and tests;
    Python only fills in data (JSON arguments, numbers in a stylesheet's placeholders)."""
    found = []
    for top in PRODUCT:
        root = PROJECT_ROOT / top
        for path in [root] if root.is_file() else sorted(root.rglob("*.py")):
            for node in _strings(ast.parse(path.read_text(encoding="utf-8"))):
                text = node.value
                if _INLINE_CODE.search(text) or _CSS_RULE.search(text) or _JS.search(text):
                    found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {text[:70]!r}")
    assert found == [], "\n".join(found)


def test_no_english_select_all_in_a_multiselect():
    """Streamlit 1.67 puts an English "Select all" at the top of a multiselect's list unless it is told not
    to (``select_all=False``); the UI speaks Danish, and choosing every theme at once is what "Alle" (no
    choice) already means."""
    found = []
    for top in PRODUCT:
        root = PROJECT_ROOT / top
        for path in [root] if root.is_file() else sorted(root.rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "multiselect"
                ):
                    off = [k for k in node.keywords if k.arg == "select_all"]
                    if not (off and isinstance(off[0].value, ast.Constant) and off[0].value.value is False):
                        found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}")
    assert found == [], "multiselect uden select_all=False: " + ", ".join(found)
