"""The map's layer of vulnerable housing areas: its payload for the browser and its legend (no Streamlit).

One house per listed area; a red house with "!" where no active offer for the chosen target group lies within
:data:`civilkort.housing.NONE_WITHIN_KM` km in a straight line (the mark is a shape and a sign as well as a
colour); a dashed outline where the area is placed approximately (its postcode's or municipality's point).
Names and labels travel as data and are escaped in the browser (``ckLib.housing`` in ``web/map_runtime.js``).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from civilkort import danish
from civilkort.housing import NONE_WITHIN_KM
from civilkort.map_legend import LAYER_HOUSING
from civilkort.map_payload import _floats, _require, _text

HOUSING_COLUMNS = ("name", "category", "municipality_name", "lat", "lon", "location_precision", "within_2km")
"""Columns of the layer's frame (:func:`civilkort.housing.areas`)."""
APPROX = "Omtrentlig placering (postnummer eller kommune)"


def _count_line(n: int, group_label: str) -> str:
    words = [danish.count(n, "tilbud", "tilbud"), group_label, f"inden for {NONE_WITHIN_KM} km i luftlinje"]
    return " ".join(w for w in words if w)


def housing_payload(frame: pd.DataFrame, group_label: str) -> dict[str, Any]:
    """Rows [lat, lon, approx, name, category · municipality, count line, none within 2 km]."""
    _require(frame, HOUSING_COLUMNS, "housing")
    lat, lon = _floats(frame["lat"]), _floats(frame["lon"])
    names = _text(frame["name"], "(uden navn)")
    categories = _text(frame["category"], "", 60)
    places = _text(frame["municipality_name"], "", 60)
    approx = (frame["location_precision"].astype("string").fillna("municipality") != "coordinates").tolist()
    counts = frame["within_2km"].fillna(0).astype(int).tolist()
    rows = [
        [
            round(lat[i], 6),
            round(lon[i], 6),
            int(approx[i]),
            names[i],
            " · ".join(x for x in (categories[i], places[i]) if x),
            _count_line(counts[i], group_label),
            int(counts[i] == 0),
        ]  # fmt: skip
        for i in range(len(frame))
        if math.isfinite(lat[i]) and math.isfinite(lon[i])
    ]
    return {"approx": APPROX, "rows": rows}


def housing_legend(payload: dict[str, Any], group_label: str) -> dict[str, Any]:
    """The layer's legend section: the house, and the red one only when some area has no offer near."""
    items = [{"kind": "housing", "label": "Udsat boligområde (ministeriets liste)"}]
    if any(r[6] for r in payload["rows"]):
        items.append(
            {
                "kind": "housing ck-swatch-housing-none",
                "label": " ".join(
                    w for w in ("! Intet tilbud", group_label, f"inden for {NONE_WITHIN_KM} km") if w
                ),
            }
        )
    if any(r[2] for r in payload["rows"]):
        items.append({"kind": "housing ck-swatch-approx", "label": "Stiplet kant: omtrentlig placering"})
    return {"title": LAYER_HOUSING, "note": "Afstande i luftlinje", "items": items}
