"""WCAG 2.x contrast of sRGB colours, and the text colour that reads on a given fill (no Streamlit).

The formula is WCAG's own (relative luminance, https://www.w3.org/TR/WCAG21/#dfn-relative-luminance,
and contrast ratio, #dfn-contrast-ratio): a dozen lines, so no library for it. Product code needs it to
pick label colours per cell; the tests use it to check the app's own colours (tests/civilkort/
test_contrast.py).
"""

from __future__ import annotations

import re

AA_TEXT = 4.5
"""WCAG 2.1 AA, 1.4.3: normal text against its background."""
AA_LARGE = 3.0
"""WCAG 2.1 AA: large text (1.4.3), and graphical objects that carry meaning (1.4.11)."""
WHITE = "#ffffff"
BLACK = "#000000"

_RGB = re.compile(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)")


def rgba(colour: str) -> tuple[float, float, float, float]:
    """``#rgb``, ``#rrggbb``, ``rgb(r, g, b)``, ``rgba(r, g, b, a)``, ``white`` or ``black`` as (r, g, b in
    0–255, alpha)."""
    text = {"white": WHITE, "black": BLACK}.get(colour.strip().lower(), colour.strip().lower())
    if text.startswith("#") and len(text) in (4, 7):
        digits = text[1:] if len(text) == 7 else "".join(c * 2 for c in text[1:])
        return (*(float(int(digits[i : i + 2], 16)) for i in (0, 2, 4)), 1.0)
    match = _RGB.fullmatch(text)
    if match is None:
        raise ValueError(f"Ukendt farve: {colour!r}")
    r, g, b, a = match.groups()
    return float(r), float(g), float(b), float(a) if a is not None else 1.0


def over(colour: str, background: str, opacity: float = 1.0) -> str:
    """``colour`` (its own alpha times ``opacity``) painted over an opaque ``background``, as ``#rrggbb``."""
    r, g, b, a = rgba(colour)
    base = rgba(background)[:3]
    alpha = a * opacity
    mixed = (alpha * c + (1 - alpha) * d for c, d in zip((r, g, b), base))
    return "#" + "".join(f"{round(v):02x}" for v in mixed)


def luminance(colour: str) -> float:
    """WCAG relative luminance (0 for black, 1 for white) of an opaque colour."""
    r, g, b, a = rgba(colour)
    if a < 1:
        raise ValueError(f"{colour!r} is see-through: paint it over its background first (over())")
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r / 255, g / 255, b / 255)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two opaque colours, from 1 (the same) to 21 (black on white)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def ink(fill: str, dark: str = "#111111", light: str = WHITE) -> str:
    """The text colour for ``fill``: ``light`` or ``dark``, whichever contrasts more with it; black when
    neither reaches :data:`AA_TEXT` (mid-tones such as #2c7fb8 are 4.3:1 with white and with #111111,
    but every colour is at least 4.58:1 with white or with black)."""
    best = max((light, dark), key=lambda c: contrast(fill, c))
    return best if contrast(fill, best) >= AA_TEXT else BLACK
