"""ui/browser.py: a script's arguments cannot end the script; every script survives st.html's sanitiser."""

from __future__ import annotations

import json
import re

import pytest

from ui import browser


def test_arguments_go_in_as_json_that_cannot_close_the_script():
    hostile = {"value": "</script><script>alert(1)</script>", "n": 3}
    text = browser.call("civilkortSessionCookie", hostile, "a</b")
    assert "</" not in text
    assert text.startswith("civilkortSessionCookie(") and text.endswith(")")
    assert json.loads(text.removeprefix("civilkortSessionCookie(").split(', "a')[0]) == hostile


def test_no_arguments_calls_with_none():
    assert browser.call("civilkortDanish.install") == "civilkortDanish.install()"


def test_every_asset_the_app_runs_exists():
    for name in ("document_da.js", "network_chart.js", "session_cookie.js", "workshop_draft.js",
                 "scroll_into_view.js", "script_holder.css", "workshop_phone.css", "presenting.css"):  # fmt: skip
        assert browser.asset(name).strip()


@pytest.mark.parametrize("path", sorted(browser.ASSETS.glob("*.js")), ids=lambda p: p.name)
def test_every_script_survives_the_sanitiser_of_st_html(path):
    # DOMPurify (st.html) removes an element whose text has "<" before a letter or "/" (its guard against
    # mutation XSS): the script would then silently never run.
    assert re.search(r"<[/\w]", path.read_text(encoding="utf-8")) is None
