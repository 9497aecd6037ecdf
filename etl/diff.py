"""What an upload would change: new, changed and removed rows per table, compared by id.

Two modes, matching :func:`etl.rebuild.with_changes`:

- ``opdater`` (update): an uploaded row replaces the row with the same id, other rows are added;
  nothing is removed.
- ``erstat`` (replace): each uploaded table is the whole new table; ids missing from it are removed.

In both modes a table that was not uploaded at all is left as it is.  Values are compared by what
they mean, not how they are stored: empty (None, NA, NaN, NaT, '') equals empty, dates compare as
days, floats within 1e-9, theme/target-group/area lists as sets, id lists in order (the first
regional unit places a collaboration).  The provenance columns (file, sheet, row) are not compared.
Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from civilkort import danish
from civilkort.schema import TABLES, TABLES_BY_NAME, Field
from etl.clean import LIST_KINDS

UPDATE = "opdater"
REPLACE = "erstat"
MODES = (UPDATE, REPLACE)
ORDERED_LISTS = frozenset({"ref_list"})
"""List kinds whose order carries meaning; other lists compare as sets."""
LABEL_FIELDS = {
    "organisations": "name",
    "offers": "name",
    "regional_units": "name",
    "collaborations": "title",
    "experiences": "learning",
}
"""The column that tells a person which row it is, next to its id."""
CHANGE_COLUMNS = ["id", "label", "field", "header", "old", "new"]
FLOAT_TOLERANCE = 1e-9
EMPTY = "(tom)"
"""How an empty value reads in the before/after of a change."""


def key_field(table: str) -> str:
    """The id column of a table: its first field in civilkort.schema."""
    return TABLES_BY_NAME[table].fields[0].name


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(float(value))
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value)) if np.ndim(value) == 0 else False
    except (TypeError, ValueError):
        return False


def _items(value: object) -> list[str]:
    """A list cell as a list of text items (missing or empty -> [])."""
    if isinstance(value, list | tuple | np.ndarray | pd.Series):
        return [str(v) for v in value if not _is_missing(v)]
    if _is_missing(value):
        return []
    return [str(value)]


def _list_key(value: object, kind: str) -> tuple[str, ...]:
    items = _items(value)
    return tuple(items) if kind in ORDERED_LISTS else tuple(sorted(set(items)))


def _scalar_text(s: pd.Series) -> pd.Series:
    """Text with '' as NA."""
    out = s.astype("string")
    return out.mask((out.str.strip() == "").fillna(False))


def equal_values(kind: str, old: pd.Series, new: pd.Series) -> np.ndarray:
    """Element-wise: do two aligned columns of a field kind hold the same values?"""
    old = old.reset_index(drop=True)
    new = new.reset_index(drop=True)
    if kind in LIST_KINDS:  # equal Python lists first (most rows, fast), then by meaning
        return np.array(
            [
                (a.__class__ is list and b.__class__ is list and a == b)
                or _list_key(a, kind) == _list_key(b, kind)
                for a, b in zip(old.to_numpy(dtype=object), new.to_numpy(dtype=object), strict=True)
            ],
            dtype=bool,
        )
    if kind == "float":
        a = pd.to_numeric(old, errors="coerce").astype("float64").to_numpy()
        b = pd.to_numeric(new, errors="coerce").astype("float64").to_numpy()
        return np.isclose(a, b, rtol=0.0, atol=FLOAT_TOLERANCE, equal_nan=True)
    if kind == "date":
        a = pd.to_datetime(old, errors="coerce").dt.normalize()
        b = pd.to_datetime(new, errors="coerce").dt.normalize()
    elif kind == "bool":
        a, b = old.astype("boolean"), new.astype("boolean")
    elif kind == "municipality":
        a = pd.to_numeric(old, errors="coerce").astype("Int64")
        b = pd.to_numeric(new, errors="coerce").astype("Int64")
    else:
        a, b = _scalar_text(old), _scalar_text(new)
    same = (a == b).fillna(False).to_numpy(dtype=bool)
    both_empty = (a.isna() & b.isna()).to_numpy(dtype=bool)
    return same | both_empty


def value_text(value: object) -> str:
    """A value as a person reads it: lists '; '-joined, dates dd-mm-åååå, Ja/Nej, '' when empty."""
    if isinstance(value, list | tuple | np.ndarray | pd.Series):
        return "; ".join(_items(value))
    if _is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "Ja" if value else "Nej"
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return danish.date(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return str(int(f)) if f.is_integer() else f"{f:g}".replace(".", ",")
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


@dataclass
class TableDiff:
    """The effect of an upload on one table."""

    table: str
    uploaded: bool
    current_rows: int
    new: pd.DataFrame
    """Uploaded rows whose id is not in the current table (or that have no id)."""
    changes: pd.DataFrame
    """One row per changed field: id, label, field, header, old, new."""
    removed: pd.DataFrame
    """Current rows that go away (only in ``erstat`` mode)."""
    unchanged: int

    @property
    def sheet(self) -> str:
        """The table's Danish name (its sheet in the template)."""
        return TABLES_BY_NAME[self.table].sheet

    @property
    def n_new(self) -> int:
        """Rows added."""
        return len(self.new)

    @property
    def n_changed(self) -> int:
        """Rows whose values change."""
        return int(self.changes["id"].nunique()) if len(self.changes) else 0

    @property
    def n_removed(self) -> int:
        """Rows removed."""
        return len(self.removed)

    @property
    def rows_after(self) -> int:
        """Rows in the table after the upload."""
        return self.current_rows + self.n_new - self.n_removed

    @property
    def has_changes(self) -> bool:
        """True if anything in this table would change."""
        return bool(self.n_new or self.n_changed or self.n_removed)

    def changed_fields(self) -> pd.DataFrame:
        """One row per changed row: id, label and the Danish headers of its changed fields."""
        if not len(self.changes):
            return pd.DataFrame({"id": [], "label": [], "fields": []}, dtype=object)
        return self.changes.groupby("id", sort=False, as_index=False).agg(
            label=("label", "first"), fields=("header", lambda h: ", ".join(h))
        )


@dataclass
class Diff:
    """The effect of an upload on every data table, in schema order."""

    mode: str
    tables: dict[str, TableDiff] = field(default_factory=dict)

    @property
    def uploaded(self) -> list[TableDiff]:
        """Tables the upload contained."""
        return [t for t in self.tables.values() if t.uploaded]

    @property
    def untouched(self) -> list[TableDiff]:
        """Tables not uploaded: left exactly as they are, in both modes."""
        return [t for t in self.tables.values() if not t.uploaded]

    @property
    def has_changes(self) -> bool:
        """True if any table would change."""
        return any(t.has_changes for t in self.tables.values())

    def totals(self) -> dict[str, int]:
        """Rows new, changed, removed and unchanged over all tables."""
        return {
            "new": sum(t.n_new for t in self.tables.values()),
            "changed": sum(t.n_changed for t in self.tables.values()),
            "removed": sum(t.n_removed for t in self.tables.values()),
            "unchanged": sum(t.unchanged for t in self.uploaded),
        }

    def summary(self) -> pd.DataFrame:
        """One row per table with Danish headers: what happens to it."""
        rows = []
        for t in self.tables.values():
            rows.append(
                {
                    "Tabel": t.sheet,
                    "Uploadet": "Ja" if t.uploaded else "Nej (uændret)",
                    "Nye": t.n_new,
                    "Ændrede": t.n_changed,
                    "Fjernede": t.n_removed,
                    "Uændrede": t.unchanged if t.uploaded else t.current_rows,
                    "Rækker før": t.current_rows,
                    "Rækker efter": t.rows_after,
                }
            )
        return pd.DataFrame(rows)


def _label_of(table: str, df: pd.DataFrame) -> pd.Series:
    name = LABEL_FIELDS.get(table)
    if name and name in df.columns:
        return df[name].astype("string").fillna("").str.slice(0, 80).reset_index(drop=True)
    return pd.Series([""] * len(df), dtype="string")


def _field_changes(
    table: str, fields: tuple[Field, ...], ids: pd.Series, old: pd.DataFrame, new: pd.DataFrame
) -> pd.DataFrame:
    """Long table of changed fields for rows aligned by position (same ids)."""
    labels = _label_of(table, new)
    parts = []
    for f in fields:
        a = old[f.name] if f.name in old.columns else pd.Series([None] * len(old), dtype=object)
        b = new[f.name] if f.name in new.columns else pd.Series([None] * len(new), dtype=object)
        differs = ~equal_values(f.kind, a, b)
        if not differs.any():
            continue
        pos = np.flatnonzero(differs)
        parts.append(
            pd.DataFrame(
                {
                    "id": ids.iloc[pos].to_numpy(dtype=object),
                    "label": labels.iloc[pos].to_numpy(dtype=object),
                    "field": f.name,
                    "header": f.header,
                    "old": a.reset_index(drop=True).iloc[pos].to_numpy(dtype=object),
                    "new": b.reset_index(drop=True).iloc[pos].to_numpy(dtype=object),
                    "_order": pos,
                }
            )
        )
    if not parts:
        return _no_changes()
    out = pd.concat(parts, ignore_index=True).sort_values("_order", kind="stable")
    return out.drop(columns="_order").reset_index(drop=True)


def diff_table(table: str, current: pd.DataFrame, upload: pd.DataFrame | None, mode: str) -> TableDiff:
    """What uploading ``upload`` (None: not uploaded) does to ``current`` in ``mode``."""
    if mode not in MODES:
        raise ValueError(f"Ukendt tilstand '{mode}'; brug {' eller '.join(MODES)}")
    key = key_field(table)
    current = current.reset_index(drop=True)
    empty = current.iloc[0:0]
    if upload is None:
        return TableDiff(table, False, len(current), empty, _no_changes(), empty, 0)
    upload = upload.reset_index(drop=True)
    cur_ids = _ids(current[key])
    up_ids = _ids(upload[key])
    has_id = np.array([i is not None for i in up_ids], dtype=bool)
    first = ~pd.Index(up_ids, dtype=object).duplicated(keep="first")
    known = pd.Index([i for i in cur_ids if i is not None], dtype=object).drop_duplicates()
    found = known.get_indexer(pd.Index(up_ids, dtype=object))
    in_current = has_id & (found >= 0)
    new = upload[~in_current]
    if mode == REPLACE:
        kept = pd.Index(cur_ids, dtype=object).isin(set(up_ids) - {None})
        removed = current[~kept]
    else:
        removed = empty
    pick = in_current & first
    both = upload[pick].reset_index(drop=True)
    position = pd.Index(cur_ids, dtype=object).get_indexer(known)  # first row of each known id
    old = current.iloc[position[found[pick]]].reset_index(drop=True)
    fields = TABLES_BY_NAME[table].fields[1:]
    changes = _field_changes(table, fields, pd.Series(up_ids[pick], dtype=object), old, both)
    unchanged = len(both) - (int(changes["id"].nunique()) if len(changes) else 0)
    return TableDiff(table, True, len(current), new, changes, removed.reset_index(drop=True), unchanged)


def _ids(col: pd.Series) -> np.ndarray:
    """Ids as an object array of str, None where missing (hashes fast, unlike Arrow-backed strings)."""
    return _scalar_text(col).to_numpy(dtype=object, na_value=None)


def _no_changes() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in CHANGE_COLUMNS})


def diff(current: Mapping[str, pd.DataFrame], upload: Mapping[str, pd.DataFrame], mode: str) -> Diff:
    """Compare typed tables per table by id; tables missing from ``upload`` were not uploaded."""
    if mode not in MODES:
        raise ValueError(f"Ukendt tilstand '{mode}'; brug {' eller '.join(MODES)}")
    unknown = set(upload) - {t.name for t in TABLES}
    if unknown:
        raise ValueError(f"Ukendte tabeller: {', '.join(sorted(unknown))}")
    out = Diff(mode)
    for t in TABLES:
        cur = current.get(t.name)
        if cur is None:
            cur = pd.DataFrame({f.name: pd.Series(dtype=object) for f in t.fields})
        out.tables[t.name] = diff_table(t.name, cur, upload.get(t.name), mode)
    return out


Labels = Mapping[str, Mapping[str, str]]
"""Display names by vocabulary id (code -> label), and under 'municipality' (code -> name)."""


def _labels_for(f: Field, labels: Labels | None) -> Mapping[str, str]:
    if not labels:
        return {}
    key = "municipality" if f.kind == "municipality" else f.vocabulary
    return labels.get(key or "", {})


def display_text(value: object, mapping: Mapping[str, str] | None = None) -> str:
    """``value_text`` with codes shown by their label ('frivillig_forening' -> 'Frivillig forening')."""
    if not mapping:
        return value_text(value)
    if isinstance(value, list | tuple | np.ndarray | pd.Series):
        return "; ".join(mapping.get(i, i) for i in _items(value))
    text = value_text(value)
    return mapping.get(text, text)


def readable(
    table: str, df: pd.DataFrame, limit: int | None = None, *, labels: Labels | None = None
) -> pd.DataFrame:
    """Rows as text under their Danish headers (schema fields only; columns empty in every row left out)."""
    head = df if limit is None else df.head(limit)
    cols = {}
    for f in TABLES_BY_NAME[table].fields:
        if f.name not in head.columns:
            continue
        mapping = _labels_for(f, labels)
        texts = [display_text(v, mapping) for v in head[f.name]]
        if f.kind == "id" or any(texts):
            cols[f.header] = texts
    return pd.DataFrame(cols, index=range(len(head)))


def readable_changes(
    td: TableDiff, limit: int | None = None, *, labels: Labels | None = None
) -> pd.DataFrame:
    """One row per changed field, as text: Id, the row's name, Felt, Før, Efter."""
    ch = td.changes if limit is None else td.changes.head(limit)
    table = TABLES_BY_NAME[td.table]
    label = table.field(LABEL_FIELDS[td.table]).header
    mappings = [_labels_for(table.field(name), labels) for name in ch["field"]]
    return pd.DataFrame(
        {
            "Id": ch["id"].astype(str).to_numpy(),
            label: ch["label"].astype(str).to_numpy(),
            "Felt": ch["header"].astype(str).to_numpy(),
            "Før": [display_text(v, m) or EMPTY for v, m in zip(ch["old"], mappings, strict=True)],
            "Efter": [display_text(v, m) or EMPTY for v, m in zip(ch["new"], mappings, strict=True)],
        }
    )
