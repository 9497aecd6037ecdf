"""A workshop's entries as people see them: tables for the lists and the export, rows for the map's workshop
layer, and the existing records a form or a review may link or merge to.

Read-only: what the room adds is :mod:`civilkort.workshop`, what the coordinator decides :mod:`civilkort.review`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from civilkort import danish, export, reference, update_form
from civilkort.db import Database
from civilkort.store import Store
from civilkort.workshop import (
    FIELDS,
    KINDS,
    PRECISIONS,
    STATUSES,
    TARGET_TABLES,
    TITLE_FIELD,
    WORKSHOP_REF,
    _as_list,
    _empty,
    entries,
    get_workshop,
    is_update,
    vocabulary_options,
    workshop_label,
)

# --- choices for the form and the review ----------------------------------------------------------

MAX_OPTIONS = 3000
"""Existing records offered in a select box (a council has a few hundred; the rest by searching)."""


def _codes_of(council_id: str | None) -> list[int]:
    m = reference.municipalities()
    if council_id:
        m = m[m["council_id"] == council_id]
    return [int(c) for c in m["municipality_code"]]


def link_options(db: Database, store: Store, workshop: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """What a tilbud or samarbejde may be linked to: id -> label of the council's organisations (plus the
    workshop's own organisation entries as 'workshop:<id>') and regional units."""
    codes = _codes_of(workshop.get("council_id"))
    orgs = db.query(
        "SELECT organisation_id AS id, name || ' (' || coalesce(m.municipality_name, '?') || ')' AS label"
        " FROM organisations o LEFT JOIN municipalities m USING (municipality_code)"
        " WHERE list_contains($codes, o.municipality_code) ORDER BY name LIMIT $n",
        {"codes": codes, "n": MAX_OPTIONS},
    )
    units = db.query(
        "SELECT unit_id AS id, name || ' (' || CASE WHEN u.is_region_wide THEN 'hele regionen'"
        " ELSE coalesce(m.municipality_name, '?') END || ')' AS label"
        " FROM regional_units u LEFT JOIN municipalities m USING (municipality_code)"
        " WHERE list_has_any($codes, u.area_municipality_codes) ORDER BY name LIMIT $n",  # region-wide ones too
        {"codes": codes, "n": MAX_OPTIONS},
    )
    own = {
        f"{WORKSHOP_REF}{e['entry_id']}": f"{e['title']} (tilføjet på workshoppen)"
        for e in entries(store, workshop["workshop_id"], kinds=["organisation"], statuses=["ny", "godkendt"])
    }
    return {
        "organisations": own | dict(zip(orgs["id"], orgs["label"], strict=True)),
        "units": dict(zip(units["id"], units["label"], strict=True)),
    }


def search_records(db: Database, kind: str, text: str, *, limit: int = 50) -> dict[str, str]:
    """Existing records an entry of ``kind`` may be merged into, whose name contains ``text``: id -> label."""
    table = TARGET_TABLES[kind]
    key, name = {
        "organisations": ("organisation_id", "name"),
        "offers": ("offer_id", "name"),
        "collaborations": ("collaboration_id", "title"),
    }[table]
    found = db.query(
        f"SELECT {key} AS id, {name} || ' (' || {key} || coalesce(', ' || m.municipality_name, '') || ')' AS label"
        f" FROM {table} t LEFT JOIN municipalities m USING (municipality_code)"
        f" WHERE contains(lower({name}), lower($text)) OR lower({key}) = lower($text)"
        f" ORDER BY {name} LIMIT $n",
        {"text": text.strip(), "n": limit},
    )
    return dict(zip(found["id"], found["label"], strict=True))


# --- views of the entries --------------------------------------------------------------------------


def _fields_text(entry: Mapping[str, Any]) -> str:
    """The form's fields as one readable line ('Temaer: Forebyggelse; Målgrupper: Ældre'); an organisation's
    update as what it changes ('Hjemmeside: gammel → ny')."""
    if is_update(entry):
        return " · ".join(f"{label}: {old} → {new}" for label, old, new in update_form.changes(entry))
    parts = []
    for f in FIELDS.get(entry["kind"], ()):
        if f.name in (TITLE_FIELD[entry["kind"]], "note_type"):  # both are in the title
            continue
        value = entry["fields"].get(f.name)
        if _empty(value):
            continue
        if f.kind in ("vocab", "vocab_list"):
            labels = vocabulary_options(f.vocabulary or "")
            value = [labels.get(v, v) for v in _as_list(value)]
        elif f.kind == "choice":
            value = dict(f.choices).get(value, value)
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value)
        parts.append(f"{f.label}: {value}")
    return " · ".join(parts)


def _municipality_names() -> dict[int, str]:
    m = reference.municipalities()
    return dict(zip(m["municipality_code"].astype(int), m["municipality_name"], strict=True))


def entries_frame(
    items: Sequence[Mapping[str, Any]], workshops: Sequence[Mapping[str, Any]] = ()
) -> pd.DataFrame:
    """Entries as a table for lists and the export (Danish values; ``author`` and ``reviewed_by`` personal)."""
    names = _municipality_names()
    labels = {w["workshop_id"]: workshop_label(w) for w in workshops}
    rows = []
    for e in items:
        rows.append(
            {
                "entry_id": e["entry_id"],
                "Workshop": labels.get(e["workshop_id"], ""),
                "Tidspunkt": danish.local_time(e["created_at"]),
                "Type": KINDS.get(e["kind"], e["kind"]),
                "title": e["title"],
                "Detaljer": _fields_text(e),
                "Kommune": names.get(int(e["municipality_code"]))
                if e["municipality_code"] is not None
                else None,
                "Placering": PRECISIONS.get(e["fields"].get("_placering") or "", "ingen"),
                "status_label": STATUSES.get(e["status"], e["status"]),
                "author": e["author"],
                "reviewed_by": e.get("reviewed_by"),
                "Begrundelse/bemærkning": e.get("review_note"),
                "Flettet ind i": e.get("merged_into"),
                "Indarbejdet som": e.get("applied_as"),
            }
        )
    columns = ["entry_id", "Workshop", "Tidspunkt", "Type", "title", "Detaljer", "Kommune", "Placering",
               "status_label", "author", "reviewed_by", "Begrundelse/bemærkning", "Flettet ind i",
               "Indarbejdet som"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def export_xlsx(store: Store, workshop_id: str, *, include_personal: bool = False) -> bytes:
    """The workshop's additions as xlsx for follow-up (through civilkort.export: no formulas, no names unless asked)."""
    workshop = get_workshop(store, workshop_id)
    items = entries(store, workshop_id)
    frame = entries_frame(items, [workshop]).drop(columns=["entry_id", "Workshop"])
    is_note = frame["Type"] == KINDS["note"]
    sheets = {"Tilføjelser": frame[~is_note], "Parkeringsplads": frame[is_note]}
    return export.to_xlsx(
        sheets, include_personal=include_personal, note=f"Workshop {workshop_label(workshop)}"
    )


def map_entries(
    store: Store, *, workshop_ids: Iterable[str] | None = None, statuses: Iterable[str] = ("ny",)
) -> pd.DataFrame:
    """Entries with a place, for the map's workshop layer: id, title, kind, mark, lat, lon, approx, reviewed.

    By default the unreviewed entries of every workshop (the map page); the wall (civilkort.room) asks for
    its room's workshops and every status but rejected. ``mark`` says whether an entry has been reviewed.
    """
    statuses = list(statuses)
    where = [f"e.status IN ({', '.join('?' * len(statuses)) or 'NULL'})"]
    params: list[Any] = statuses
    if workshop_ids is not None:
        ids = list(workshop_ids)
        where.append(f"e.workshop_id IN ({', '.join('?' * len(ids)) or 'NULL'})")
        params = [*params, *ids]
    rows = store.rows(
        "SELECT e.entry_id, e.kind, e.title, e.status, e.lat, e.lon, e.payload, w.name, w.held_on"
        " FROM entries e JOIN workshops w USING (workshop_id)"
        f" WHERE {' AND '.join(where)} AND e.lat IS NOT NULL AND e.lon IS NOT NULL ORDER BY e.created_at",
        params,
    )
    out = [
        {
            "entry_id": r["entry_id"],
            "title": r["title"],
            "kind_label": KINDS.get(r["kind"], r["kind"]),
            "mark": f"Fra workshop {r['name']}, {danish.date(r['held_on'])} · "
            + ("ikke verificeret" if r["status"] == "ny" else STATUSES.get(r["status"], r["status"]).lower()),
            "lat": float(r["lat"]),
            "lon": float(r["lon"]),
            "is_approximate": json.loads(r["payload"] or "{}").get("_placering") != "coordinates",
            "is_reviewed": r["status"] != "ny",
        }
        for r in rows
    ]
    return pd.DataFrame(
        out,
        columns=["entry_id", "title", "kind_label", "mark", "lat", "lon", "is_approximate", "is_reviewed"],
    )
