"""Text from the data, made safe for the page."""

from __future__ import annotations

import re

import pandas as pd

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
_AUTOLINK = re.compile(r"(?i)(?:https?|ftp|mailto|www|javascript)(?=\\?[:.])|@")


def md(text: object) -> str:
    """Escape user text for st.markdown: no links, images, HTML or formatting from the data."""
    if text is None or (isinstance(text, float) and pd.isna(text)) or text is pd.NA:
        return "–"
    escaped = _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")
    # GFM turns bare addresses into links even when escaped: a word joiner breaks the pattern, invisibly.
    return _AUTOLINK.sub(lambda m: m.group(0)[0] + "\u2060" + m.group(0)[1:], escaped)


def verbatim(text: str) -> str:
    """Text shown exactly as it is, as inline code (Markdown): copied, it is the same text, with no escapes or
    invisible joiners (for what the product makes itself, such as a link to type or copy). Nothing inside
    is formatting or a link; a fence longer than any run of backticks in the text keeps it whole."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
