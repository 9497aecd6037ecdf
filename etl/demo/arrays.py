"""Array helpers: random draws, names, and columns in the typed input format."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from civilkort import schema
from etl.demo.catalogue import PROVENANCE_FILE

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _quota(rng: np.random.Generator, n: int, probs: tuple[float, ...]) -> np.ndarray:
    """Category index per row with (nearly) exact shares, shuffled; every category with p > 0 appears once n allows."""
    p = np.asarray(probs, dtype=float)
    p = p / p.sum()
    counts = np.floor(p * n).astype(int)
    counts[(p > 0) & (counts == 0) & (n >= np.count_nonzero(p))] = 1
    while counts.sum() > n:
        counts[np.argmax(counts)] -= 1
    rest = n - counts.sum()
    if rest > 0:
        counts += np.bincount(rng.choice(len(p), size=rest, p=p), minlength=len(p))
    return rng.permutation(np.repeat(np.arange(len(p)), counts))


def _pick(rng: np.random.Generator, options: np.ndarray, n: int) -> np.ndarray:
    """``n`` uniform draws from ``options``."""
    return options[rng.integers(0, len(options), size=n)]


def _days_ago(rng: np.random.Generator, today: dt.date, n: int, max_days: int) -> np.ndarray:
    """``n`` dates spread uniformly over the last ``max_days`` days (datetime64[D])."""
    return np.datetime64(today, "D") - rng.integers(0, max_days, size=n).astype("timedelta64[D]")


_SLUG_TABLE = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "oe", "ä": "ae"})


def _slug(text: str) -> str:
    """URL-safe slug: 'Ældre Sagen Viby' -> 'aeldre-sagen-viby'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(_SLUG_TABLE)).strip("-")


def _per_unique(values: np.ndarray, func: object) -> np.ndarray:
    """``func`` applied to each distinct value only, spread back over all rows (object array)."""
    codes, uniques = pd.factorize(values)
    return np.array([func(u) for u in uniques], dtype=object)[codes]


def _dedupe_suffix(names: np.ndarray) -> np.ndarray:
    """Suffixes that make names unique: '' first, then a district word, then a number."""
    k = pd.Series(names).groupby(names, sort=False).cumcount().to_numpy()
    words = ["", " Nord", " Syd", " Øst", " Vest", " Centrum"]
    table = np.array(
        words + [f" {i}" for i in range(2, max(int(k.max(initial=0)) - len(words) + 3, 2))], dtype=object
    )
    return table[k]


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """Sequential ids such as ORG-000001 (numpy text array)."""
    digits = np.strings.zfill(np.arange(1, n + 1).astype(f"U{max(width, len(str(n)))}"), width)
    return np.strings.add(f"{prefix}-", digits)


def _lists(values: object, n: int) -> pd.Series:
    """An object column of fresh Python lists."""
    if values is None:
        return pd.Series([[] for _ in range(n)], dtype=object)
    return pd.Series([list(v) for v in values], dtype=object)


def _column(kind: str, values: object, n: int) -> object:
    """One typed column for a field kind (see the module docstring of civilkort.schema)."""
    if kind in ("vocab_list", "ref_list", "area_list"):
        return _lists(values, n)
    if kind == "municipality":
        if values is None:
            return pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
        arr = np.asarray(values, dtype=float)
        mask = np.isnan(arr)
        return pd.arrays.IntegerArray(np.where(mask, 0, arr).astype(np.int64), mask)
    if kind == "float":
        return np.full(n, np.nan) if values is None else np.asarray(values, dtype=float)
    if kind == "date":
        if values is None:
            return np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
        return np.asarray(values, dtype="datetime64[D]").astype("datetime64[us]")
    if kind == "bool":
        if values is None:
            return pd.array([pd.NA] * n, dtype="boolean")
        return pd.array(np.asarray(values, dtype=object), dtype="boolean")
    if values is None:
        return _string_array(np.full(n, None, dtype=object))
    if isinstance(values, _Coded):
        return _coded_string_array(values)
    return _string_array(values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object))


def _coded_string_array(values: _Coded) -> object:
    """A pandas "string" array from codes and labels, via Arrow's take when that is the storage."""
    if pd.StringDtype().storage == "pyarrow":
        labels = pa.array(values.labels, type=pa.large_string())
        taken = labels.take(pa.array(values.codes, mask=values.codes < 0))
        arr = pd.arrays.ArrowStringArray(taken)
        if arr.dtype == "string":
            return arr
    return pd.array(values.values(), dtype="string")


def _string_array(values: np.ndarray) -> object:
    """A pandas "string" array; built straight from Arrow when that is the storage (2x faster)."""
    if pd.StringDtype().storage == "pyarrow":
        arr = pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string(), from_pandas=True))
        if arr.dtype == "string":
            return arr
    return pd.array(values, dtype="string")


def _typed(table: schema.Table, columns: dict[str, object]) -> pd.DataFrame:
    """A frame in the typed input format: schema columns in order plus _file, _sheet, _row."""
    unknown = set(columns) - set(table.field_names)
    if unknown:
        raise KeyError(f"{table.name}: unknown columns {sorted(unknown)}")
    n = len(columns[table.id_field.name])
    data = {f.name: _column(f.kind, columns.get(f.name), n) for f in table.fields}
    df = pd.DataFrame(data)
    df["_file"] = pd.Series([PROVENANCE_FILE] * n, dtype="str")
    df["_sheet"] = pd.Series([table.sheet] * n, dtype="str")
    df["_row"] = np.arange(2, n + 2, dtype=np.int64)
    return df


@dataclass(frozen=True)
class _Coded:
    """A low-cardinality text column as codes into labels (-1 = empty); cheap to turn into Arrow."""

    codes: np.ndarray
    labels: list[str]

    def after(self, first: list[str | None]) -> _Coded:
        """The column with ``first`` rows put in front."""
        n = len(self.labels)
        head = np.array([-1 if v is None else n + i for i, v in enumerate(first)], dtype=np.int64)
        return _Coded(np.concatenate([head, self.codes]), [*self.labels, *(v or "" for v in first)])

    def values(self) -> np.ndarray:
        """Plain object array with None for empty."""
        return _nullable(_objects(self.labels + [""])[self.codes], self.codes < 0)


def _flat_pick(rng: np.random.Generator, options: list[list | tuple], group: np.ndarray) -> np.ndarray:
    """One uniform draw per row from ``options[group[row]]`` (object array)."""
    flat = _objects([o for opts in options for o in opts])
    start = np.cumsum([0] + [len(o) for o in options])[:-1]
    count = np.array([len(o) for o in options])
    return flat[start[group] + (rng.random(len(group)) * count[group]).astype(np.int64)]


def _objects(items: list) -> np.ndarray:
    """A 1-D object array holding ``items`` as they are (tuples stay elements)."""
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


def _nullable(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Object array with None where ``mask`` is true."""
    out = np.asarray(values, dtype=object).copy()
    out[mask] = None
    return out
