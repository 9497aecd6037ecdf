"""User text in Markdown shows as text: no formatting, links, images or HTML from the data."""

from __future__ import annotations

import re

import pytest

from ui.text import md, verbatim


@pytest.mark.parametrize(
    "text",
    [
        "![x](http://evil.example/t.png)",
        "[klik](javascript:alert(1))",
        "http://evil.example/t.png",
        "www.evil.example",
        "kontakt@evil.example",
        "<img src=x onerror=alert(1)>",
        "**fed** _kursiv_ `kode` # overskrift",
    ],
)
def test_markdown_specials_are_escaped_and_autolinks_broken(text):
    out = md(text)
    assert not re.search(r"(?<!\\)[\[\]()!<>*_`#]", out)
    assert "http:" not in out and "www." not in out and "@e" not in out
    assert out.replace("\u2060", "").replace("\\", "") == text


def test_missing_values_show_a_dash():
    assert md(None) == md(float("nan")) == "–"


@pytest.mark.parametrize(
    "text", ["https://kort.rm.dk/workshop?deltag=ab12", "a`b", "`start", "ende``", "www.x.dk mailto:a@b.dk"]
)
def test_verbatim_text_is_inline_code_that_copies_as_is(text):
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").renderInline(verbatim(text))
    assert html.startswith("<code>") and html.endswith("</code>") and "<a" not in html
    inner = html.removeprefix("<code>").removesuffix("</code>")
    assert inner.replace("&amp;", "&") == text and "\u2060" not in inner
