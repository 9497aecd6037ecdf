"""The app's own browser code in the page: one way to run ``ui/assets/*.js`` and apply ``ui/assets/*.css``.

Each file is read once per process; a script's arguments go in as JSON that cannot end the script (``</``
escaped), so the only code that reaches the page is the file's own; a script that draws nothing can sit in a
container that takes no room (``ui/assets/script_holder.css``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

ASSETS = Path(__file__).parent / "assets"
_HOLDER_KEY = "ck-script-"  # the prefix script_holder.css hides


@cache
def asset(name: str) -> str:
    """The text of ``ui/assets/<name>``."""
    return (ASSETS / name).read_text(encoding="utf-8")


def call(function: str, *args: Any) -> str:
    """``function(arg, …)`` with each argument as JSON, safe inside a ``<script>`` element."""
    return f"{function}({', '.join(json.dumps(a) for a in args)})".replace("</", "<\\/")


def run(
    script: str, function: str, *args: Any, hidden: str | None = None, needs: tuple[str, ...] = ()
) -> None:
    """Run ``ui/assets/<script>`` in the app's document (after the scripts it ``needs``), then
    ``function(*args)``.

    ``hidden``: a key; the script then sits in a container of that key that takes no room."""
    code = "\n".join(asset(name) for name in (*needs, script))
    html = f"<script>{code}\n{call(function, *args)};</script>"
    if hidden is None:
        st.html(html, unsafe_allow_javascript=True)
        return
    with st.container(key=_HOLDER_KEY + hidden):
        st.html(f"<style>{asset('script_holder.css')}</style>{html}", unsafe_allow_javascript=True)


def style(name: str) -> None:
    """Apply ``ui/assets/<name>`` (a stylesheet) to the page; takes no room."""
    st.html(ASSETS / name)
