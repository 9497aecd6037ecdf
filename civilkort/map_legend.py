"""What the map says to a user about its layers: their names and the legend's sections (no Streamlit)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from civilkort.map_payload import (
    KINDS,
    NO_DATA_LABEL,
    PRECISIONS,
    UNIT_TYPES,
    _flags,
    class_colors,
    format_number,
)

# --- names the app and the tests share -------------------------------------------------------------

LAYER_AREAS = "Kommuner"
LAYER_COUNCILS = "Sundhedsråd"
LAYER_POINTS = "Organisationer og tilbud"
LAYER_UNITS = "Regionale enheder"
LAYER_LINKS = "Samarbejder"
LAYER_TILES = "Baggrundskort (kræver internet)"
LAYER_WORKSHOP = "Fra workshop (ikke verificeret)"
LAYER_HOUSING = "Udsatte boligområder"
DATA_LAYERS = (LAYER_AREAS, LAYER_COUNCILS, LAYER_LINKS, LAYER_POINTS, LAYER_UNITS)


# --- legend ----------------------------------------------------------------------------------------


def _class_label(low: float, high: float) -> str:
    return format_number(low) if low == high else f"{format_number(low)} – {format_number(high)}"


COUNCIL_LEGEND = {
    "title": "",
    "items": [{"kind": "line", "color": "#1f2933", "width": 2.5, "label": "Grænse for sundhedsråd"}],
}


def _legend_sections(
    *,
    measure_label: str,
    classes: list[tuple[float, float]] | None,
    circles: bool,
    has_no_data: bool,
    point_codes: set[int],
    unit_types: dict[str, str],
    link_kinds: list[str],
    link_colors: list[str],
) -> dict[str, Any]:
    sections: list[dict[str, Any]] = []
    if classes is not None:
        items: list[dict[str, Any]] = []
        for (low, high), color in zip(classes, class_colors(len(classes)), strict=True):
            if circles:
                items.append(
                    {
                        "kind": "circle",
                        "fill": color,
                        "border": "1px solid #52606d",
                        "label": _class_label(low, high),
                    }
                )
            else:
                items.append({"kind": "fill", "fill": color, "label": _class_label(low, high)})
        if has_no_data:
            if circles:
                items.append(
                    {
                        "kind": "circle",
                        "fill": "#e0e0e0",
                        "border": "1.5px dashed #757575",
                        "label": NO_DATA_LABEL,
                    }
                )
            else:
                items.append({"kind": "hatch", "label": NO_DATA_LABEL})
        note = "Cirklens størrelse viser værdien (kommunegrænser ikke indlæst)" if circles else ""
        sections.append({"title": measure_label or "Kommuner", "note": note, "items": items})
    if point_codes:
        items = []
        for k, (label, color) in enumerate(KINDS.values()):
            if any(code // len(PRECISIONS) == k for code in point_codes):
                items.append({"kind": "circle", "fill": color, "border": "1px solid #ffffff", "label": label})
        if any(code % len(PRECISIONS) for code in point_codes):
            items.append({"kind": "circle", "fill": "rgba(82,96,109,.12)", "border": "1.5px dashed #52606d", "size": 13,
                          "label": "Stiplet ring: omtrentlig placering (postnr./kommune)"})  # fmt: skip
        items.append({"kind": "cluster", "label": "Antal samlet her (klik: zoom ind)"})
        sections.append({"title": LAYER_POINTS, "items": items})
    if unit_types:
        items = [
            {
                "kind": "unit",
                "type": key,
                "fill": UNIT_TYPES[key][1],
                "letter": UNIT_TYPES[key][2],
                "label": label,
            }
            for key, label in unit_types.items()
        ]
        sections.append({"title": LAYER_UNITS, "note": "Størrelse: antal samarbejder", "items": items})
    if link_kinds:
        items = [
            {"kind": "line", "color": c, "width": 2, "label": k}
            for k, c in zip(link_kinds, link_colors, strict=True)
        ]
        sections.append({"title": LAYER_LINKS, "items": items})
    return sections


WORKSHOP_LEGEND = {
    "title": LAYER_WORKSHOP,
    "items": [{"kind": "ws", "label": "Tilføjet på workshop, ikke gennemgået"}],
}
WORKSHOP_REVIEWED = {"kind": "ws ck-swatch-ws-ok", "label": "Tilføjet på workshop, gennemgået og godkendt"}


def workshop_legend(frame: pd.DataFrame) -> dict[str, Any]:
    """The workshop layer's legend: a line for reviewed pins only when some are drawn."""
    if any(_flags(frame, "is_reviewed")):
        return {**WORKSHOP_LEGEND, "items": [*WORKSHOP_LEGEND["items"], WORKSHOP_REVIEWED]}
    return WORKSHOP_LEGEND
