"""Which councils a change to the data touches, and whether the caller may touch them all.

An upload or a rebuild with rows changes records; each record belongs to the health council of its
municipality (an organisation, an offer, a regional unit), a collaboration to the council that places it
(its first regional unit's, the one it is listed under), an experience to its collaboration's.  A record
that is changed counts for its council before *and* after (moving a record out of another council is a
change there too); a removed record for its council before; a new one for its council after.  A record
with no council (not placed) counts as national: only a national administrator may touch it.

:func:`refuse_outside` raises :class:`civilkort.auth.PermissionDenied` naming the records and councils
outside the caller's scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from civilkort import auth
from civilkort.auth import PermissionDenied, Principal
from civilkort.db import Database
from etl.diff import LABEL_FIELDS, Diff, key_field

TABLES = ("organisations", "offers", "regional_units", "collaborations", "experiences")
SHOWN = 5
"""Records named per council in a refusal (the rest are counted)."""

Councils = dict[str, dict[str, tuple[str, str | None]]]
"""table -> record id -> (label, council_id or None)."""


@dataclass(frozen=True)
class Touched:
    """One record a change touches, in one council (None: national)."""

    table: str
    record_id: str
    label: str
    council_id: str | None


def _council(value: object) -> str | None:
    return None if value is None or pd.isna(value) or not str(value) else str(value)


def serving_councils(db: Database) -> Councils:
    """Every record of a built database with its label and council."""
    out: Councils = {}
    present = set(db.query("SELECT table_name FROM information_schema.tables")["table_name"])  # views too
    for table in TABLES:
        if table not in present:
            out[table] = {}
            continue
        key, label = key_field(table), LABEL_FIELDS[table]
        df = db.query(f"SELECT {key} AS id, {label} AS label, council_id FROM {table}")
        out[table] = {
            str(i): (str(lab or "")[:80], _council(c))
            for i, lab, c in zip(df["id"], df["label"], df["council_id"], strict=True)
        }
    return out


def prepared_councils(tables: Mapping[str, pd.DataFrame]) -> Councils:
    """The same for prepared (validated and placed) tables, before they are written."""
    out: Councils = {}
    collab_council: dict[str, str | None] = {}
    if "collaborations" in tables and "council_id" in tables["collaborations"]:
        c = tables["collaborations"]
        collab_council = {
            str(i): _council(v) for i, v in zip(c["collaboration_id"], c["council_id"], strict=True)
        }
    for table in TABLES:
        df = tables.get(table)
        if df is None or df.empty:
            out[table] = {}
            continue
        key, label = key_field(table), LABEL_FIELDS[table]
        if table == "experiences":
            councils = [collab_council.get(str(c)) for c in df["collaboration_id"]]
        elif "council_id" in df:
            councils = [_council(v) for v in df["council_id"]]
        else:
            councils = [None] * len(df)
        out[table] = {
            str(i): (str(lab if lab is not None and not pd.isna(lab) else "")[:80], c)
            for i, lab, c in zip(df[key], df[label], councils, strict=True)
        }
    return out


def touched(diff: Diff, before: Councils, after: Councils) -> list[Touched]:
    """The records ``diff`` adds, changes or removes, each with the council(s) it belongs to."""
    out: dict[tuple[str, str, str | None], Touched] = {}

    def add(table: str, ident: object, sides: Iterable[Councils]) -> None:
        found = [side[table][str(ident)] for side in sides if str(ident) in side.get(table, {})]
        for label, council in found or [("", None)]:
            out.setdefault((table, str(ident), council), Touched(table, str(ident), label, council))

    for td in diff.tables.values():
        key = key_field(td.table)
        for ident in td.new[key] if len(td.new) else ():
            if ident is not None and not pd.isna(ident):
                add(td.table, ident, [after])
        for ident in dict.fromkeys(td.changes["id"]) if len(td.changes) else ():
            add(td.table, ident, [before, after])
        for ident in td.removed[key] if len(td.removed) else ():
            add(td.table, ident, [before])
    return list(out.values())


def outside(principal: Principal, records: Iterable[Touched]) -> list[Touched]:
    """The records the caller may not touch."""
    return [t for t in records if not principal.may_coordinate(t.council_id)]


def describe(records: list[Touched]) -> str:
    """'Sundhedsråd Fyn: ORG-1 (Løbeklubben), ORG-2 og 3 flere; landsdækkende (uden sundhedsråd): …'."""
    by_council: dict[str | None, list[Touched]] = {}
    for t in records:
        by_council.setdefault(t.council_id, []).append(t)
    parts = []
    for council, items in sorted(by_council.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
        shown = [f"{t.record_id} ({t.label})" if t.label else t.record_id for t in items[:SHOWN]]
        more = f" og {len(items) - SHOWN} flere" if len(items) > SHOWN else ""
        where = auth.council_list([council]) if council else "landsdækkende (uden sundhedsråd)"
        parts.append(f"{where}: {', '.join(shown)}{more}")
    return "; ".join(parts)


def refuse_outside(principal: Principal, records: Iterable[Touched], *, what: str) -> None:
    """Raise PermissionDenied naming the records and councils outside the caller's scope (if any)."""
    refused = outside(principal, records)
    if not refused:
        return
    needs_admin = any(t.council_id is None for t in refused)
    you = f"Du er {principal.scope_text}." if principal.has(auth.COORDINATOR) else f"Du er {principal.label}."
    raise PermissionDenied(
        f"{you} {what} rører poster uden for dit område: {describe(refused)}. "
        + (
            "Det kræver koordinatoradgang dér"
            + (" (poster uden sundhedsråd: en national administrator)." if needs_admin else ".")
        )
    )
