"""Likely duplicates within and across sources, and the coordinators' decisions applied to a build.

**Finding pairs** (:func:`find_candidates`) compares organisations (and regional units) on three
signs, each found by *blocking*, so that 100,000 records take about a second instead of 5·10⁹
comparisons (``benchmarks/duplicates_speed.py``):

* **Same CVR** (strong): records sharing a CVR number. Two different CVR numbers mean two legal
  entities, so such a pair is never proposed.
* **Names alike** after normalising: case, punctuation, spacing, æ/ø/å ↔ ae/oe/aa (as
  :func:`civilkort.reference.fold`), generic words (*forening*, *foreningen*, *afdeling*,
  *lokalafdeling*, *og*/&, *i*, …) also at the end of a compound (*Hjerteløbsforeningen*), and word
  order. Compared with rapidfuzz within the same municipality: each record's nearest neighbours in
  sorted order, by the name, the name backwards (which catches a typo at either end) and its words
  sorted. Names differing in a number, a district word (*Nord*, *Syd* …) or a town (*Randbøl*,
  *Vandel*) are different branches; names sharing their town must also be alike without it
  (*Diabetes-* and *Idrætsforeningen Frederiksberg Centrum* are not).
* **Same address**: street and number (floor and door ignored) plus postcode, when the names are at
  least partly alike (organisations often share a house).

A CVR or address shared by more than :data:`MAX_GROUP` records (an umbrella CVR, a volunteer
centre's address) is not taken as a sign by itself. Each pair gets Danish reasons and a score
(0-100): 0.6 × name similarity (halved when numbers, district words or towns differ) + 35 for the
same CVR + 20 for the same address, at most 100.

**Decisions** (:func:`apply_decisions`), from the store (``civilkort.duplicates``): *hold adskilt*
pairs are not proposed again; *flet* merges the pair before validation: the kept record takes over
the other's empty fields, offers and collaborations are repointed to it, and the other record is
removed, with a warning naming both and who decided.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

from civilkort import danish, reference
from civilkort.duplicates import (
    KEEP_APART,
    MERGE,
    ORGANISATION,
    REGIONAL_UNIT,
    pair_key,
    record_key,
    split_key,
)
from civilkort.issues import Issue, warning
from civilkort.schema import TABLES_BY_NAME
from etl.clean import CleanInput

NAME_ALIKE = 90
"""Similarity (0-100, rapidfuzz ratio of the normalised names) from which names count as alike."""
NAME_WITH_ADDRESS = 60
"""Similarity from which two records at the same address are proposed."""
MAX_GROUP = 8
"""A CVR number or address shared by more records than this is not a sign of duplicates by itself."""
WINDOW = 2
"""Neighbours compared in each sorted-names pass (name, name backwards, words sorted)."""
PROVENANCE_COLUMNS = ("_file", "_sheet", "_row")
MERGED_MARK = "som dublet"
"""Words in the warning a merge leaves (how a build's merges are counted)."""

GENERIC_WORDS = frozenset(
    {
        "forening", "foreningen", "foreninger", "foreningens",
        "afdeling", "afdelingen", "afd", "lokalafdeling", "lokalafdelingen",
        "lokalforening", "lokalforeningen", "og", "i", "for", "af", "paa", "aps", "ivs", "smba",
    }
)  # fmt: skip
"""Words left out when names are compared (folded: 'på' is 'paa')."""
DISTRICT_WORDS = frozenset({"nord", "syd", "oest", "vest", "centrum", "midt"})
"""Words that tell branches apart: 'Ældre Sagen Viby Nord' is not 'Ældre Sagen Viby'."""
_COMPOUND_END = r"([a-z0-9]{3})(?:foreningens|foreningen|foreninger|forening)\b"
_FOLD_PAIRS = (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e"), ("ü", "u"), ("ö", "oe"), ("ä", "ae"))
_GENERIC_RE = r"\b(?:" + "|".join(sorted(GENERIC_WORDS, key=len, reverse=True)) + r")\b"
_PLACE_STOPWORDS = frozenset(
    {"noerre", "soender", "store", "lille", "strand", "kirke", "sjaelland", "vester", "oester", "sankt", "havn",
     "soe", "fyn", "sct"}
)  # fmt: skip
"""Words of place names that are also ordinary words in organisation names."""
_MARKS = re.compile(r"\d+")
_STREET_NUMBER = re.compile(r"^(\D*?\d+(?: ?[a-z](?![a-z]))?)")


@dataclass(frozen=True)
class _Kind:
    """A table whose records can be duplicates."""

    kind: str
    table: str
    id_col: str
    label: str


KINDS = (
    _Kind(ORGANISATION, "organisations", "organisation_id", "Organisationen"),
    _Kind(REGIONAL_UNIT, "regional_units", "unit_id", "Den regionale enhed"),
)
_BY_KIND = {k.kind: k for k in KINDS}

CANDIDATE_DTYPES: dict[str, str] = {
    "kind": "string",
    "pair_key": "string",
    "key_a": "string",
    "key_b": "string",
    "name_a": "string",
    "name_b": "string",
    "source_a": "string",
    "source_b": "string",
    "reasons": "string",
    "score": "int64",
    "same_cvr": "bool",
    "similar_name": "bool",
    "same_address": "bool",
    "name_similarity": "int64",
}
"""The columns of the candidate pairs (one row per pair, best first)."""


# ---------------------------------------------------------------- normalising


def _arrow_text(values: pd.Series) -> pa.Array:
    return pa.array(values.astype(object).where(values.notna(), None).tolist(), type=pa.string())


def _fold_arrow(arr: pa.Array) -> pa.Array:
    """:func:`civilkort.reference.fold` for a whole column at once (Arrow kernels, no Python loop)."""
    arr = pc.utf8_lower(pc.utf8_normalize(arr, form="NFKC"))
    for letter, plain in _FOLD_PAIRS:
        arr = pc.replace_substring(arr, letter, plain)
    return pc.utf8_trim_whitespace(pc.replace_substring_regex(arr, r"[^0-9a-z]+", " "))


def normalise_names(names: pd.Series) -> pd.Series:
    """Names as compared: folded, generic words dropped (also as a compound's end), single spaces.

    A name made only of generic words ('Foreningen') keeps them rather than becoming empty.
    """
    folded = _fold_arrow(_arrow_text(names))
    bare = pc.replace_substring_regex(folded, _COMPOUND_END, r"\1")
    bare = pc.replace_substring_regex(bare, _GENERIC_RE, " ")
    bare = pc.utf8_trim_whitespace(pc.replace_substring_regex(bare, r" +", " "))
    bare = pc.if_else(pc.equal(bare, ""), folded, bare)
    return pd.Series(bare.to_pandas(), index=names.index, dtype="string")


def name_key(name: str) -> str:
    """One name's comparison key (normalised, without spaces): 'ÆldreSagen, Århus' -> 'aeldresagenaarhus'."""
    return str(normalise_names(pd.Series([name])).iloc[0]).replace(" ", "")


def _address_keys(address: pd.Series, postcode: pd.Series) -> pd.Series:
    """'Nørregade 10, 2. tv' + '8000' -> 'noerregade10|8000'; None without a house number or postcode."""
    folded = pd.Series(_fold_arrow(_arrow_text(address)).to_pandas(), index=address.index, dtype=object)
    cache: dict[str, str | None] = {}
    out = []
    for text, pcode in zip(folded.to_numpy(dtype=object), postcode.astype(object).to_numpy()):
        if not isinstance(text, str) or not text or pcode is None or pcode is pd.NA:
            out.append(None)
            continue
        if text not in cache:
            m = _STREET_NUMBER.match(text)
            cache[text] = m.group(1).replace(" ", "") if m else None
        street = cache[text]
        out.append(f"{street}|{pcode}" if street else None)
    return pd.Series(out, index=address.index, dtype=object)


def _municipalities(df: pd.DataFrame) -> np.ndarray:
    """Municipality per record for blocking: placed, else stated, else from the postcode; -1 unknown."""
    out = pd.Series(-1, index=df.index, dtype="int64")
    for col in ("municipality_code", "municipality"):
        if col in df.columns:
            given = pd.to_numeric(df[col], errors="coerce")
            out = out.where(out >= 0, given.fillna(-1).astype("int64"))
    if "postcode" in df.columns:
        todo = (out < 0) & df["postcode"].notna()
        if todo.any():
            codes = {
                p: (hit[2] if (hit := reference.postcode_point(p)) else -1)
                for p in pd.unique(df.loc[todo, "postcode"].astype(object))
            }
            out[todo] = df.loc[todo, "postcode"].astype(object).map(codes).astype("int64")
    return out.to_numpy()


# ---------------------------------------------------------------- blocking


def _neighbour_pairs(frame: pd.DataFrame, order: list[str], same: list[str], window: int) -> np.ndarray:
    """Positions (i, j) of rows at most ``window`` apart when sorted by ``order`` that agree on ``same``.

    ``frame``'s index holds the positions. Sorted with Arrow (several times faster than pandas on text).
    """
    if len(frame) < 2:
        return np.empty((0, 2), dtype=np.int64)
    table = pa.table({c: pa.array(frame[c].to_numpy(), from_pandas=True) for c in order})
    ranked = pc.sort_indices(table, sort_keys=[(c, "ascending") for c in order]).to_numpy()
    pos = frame.index.to_numpy()[ranked]
    values = [frame[c].to_numpy()[ranked] for c in same]
    found = []
    for d in range(1, min(window, len(pos) - 1) + 1):
        ok = np.ones(len(pos) - d, dtype=bool)
        for v in values:
            ok &= v[:-d] == v[d:]
        found.append(np.column_stack([pos[:-d][ok], pos[d:][ok]]))
    return np.concatenate(found) if found else np.empty((0, 2), dtype=np.int64)


def _group_pairs(keys: pd.Series, max_group: int = MAX_GROUP) -> np.ndarray:
    """Every pair of positions sharing a (non-empty) key, in groups of 2 to ``max_group`` records."""
    codes = pd.Series(pd.factorize(keys, use_na_sentinel=True)[0])
    sizes = codes.map(codes.value_counts())
    keep = (codes >= 0) & sizes.between(2, max_group)
    frame = pd.DataFrame({"code": codes[keep].to_numpy()}, index=np.flatnonzero(keep.to_numpy()))
    return _neighbour_pairs(frame, ["code"], ["code"], max_group - 1)


def _records(df: pd.DataFrame, kind: _Kind) -> pd.DataFrame:
    """What the comparison needs of each record, by position."""
    df = df.reset_index(drop=True)
    norm = normalise_names(df["name"]).fillna("")
    compact = norm.str.replace(" ", "", regex=False)
    sorted_key = pd.Series(
        ["".join(sorted(s.split())) for s in norm.to_numpy(dtype=object)], index=df.index, dtype=object
    )
    empty = pd.Series([None] * len(df), index=df.index, dtype=object)
    return pd.DataFrame(
        {
            "id": _objects(df[kind.id_col]),
            "name": _objects(df["name"]),
            "norm": norm.astype(object),
            "compact": compact.astype(object),
            "reversed": pc.utf8_reverse(pa.array(compact.to_numpy(dtype=object))).to_numpy(
                zero_copy_only=False
            ),
            "sorted": sorted_key,
            "muni": _municipalities(df),
            "cvr": _objects(df["cvr"]) if "cvr" in df.columns else empty,
            "address": _address_keys(df["address"], df["postcode"]) if "address" in df.columns else empty,
            "file": _objects(df["_file"]) if "_file" in df.columns else empty,
        }
    )


def _objects(values: pd.Series) -> pd.Series:
    """Text as a plain object column with None for missing (fast to index and compare)."""
    return pd.Series(values.to_numpy(dtype=object, na_value=None), index=values.index, dtype=object)


def _pairs(rec: pd.DataFrame) -> np.ndarray:
    """Candidate positions (i < j), deduplicated, from every blocking pass."""
    named = rec[rec["compact"] != ""]
    passes = [
        # within a municipality: neighbours by name, by name backwards, and by words in sorted order
        _neighbour_pairs(named, ["muni", "compact"], ["muni"], WINDOW),
        _neighbour_pairs(named, ["muni", "reversed"], ["muni"], WINDOW),
        _neighbour_pairs(named, ["muni", "sorted"], ["muni"], WINDOW),
        _group_pairs(rec["cvr"]),
        _group_pairs(rec["address"]),
    ]
    unknown = named["muni"] < 0
    if unknown.any():  # a record without a place: equal names anywhere
        some = named[named["compact"].isin(set(named.loc[unknown, "compact"]))]
        passes.append(_neighbour_pairs(some, ["compact", "muni"], ["compact"], MAX_GROUP - 1))
    pairs = np.concatenate(passes)
    if not len(pairs):
        return pairs
    pairs = np.sort(pairs, axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    codes = np.sort(pairs[:, 0].astype(np.int64) * len(rec) + pairs[:, 1])
    codes = codes[np.r_[True, codes[1:] != codes[:-1]]]
    return np.column_stack([codes // len(rec), codes % len(rec)])


# ---------------------------------------------------------------- scoring


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    """Folded words of Danish town and municipality names ('viby', 'randboel'), minus common words."""
    names = [*reference.postcodes()["postcode_name"], *reference.municipalities()["municipality_name"]]
    words = {w for n in names for w in reference.fold(n).split() if len(w) >= 3}
    return frozenset(words - _PLACE_STOPWORDS - GENERIC_WORDS - DISTRICT_WORDS)


@dataclass(frozen=True)
class _Marks:
    """What tells branches apart in a normalised name, and what is left to compare."""

    fixed: tuple[str, ...]  # numbers and district words, sorted, repeats kept ('Vejle Øst Øst')
    places: frozenset[str]  # town and municipality names
    core: str  # the rest, without spaces
    core_sorted: str  # the rest, words sorted


def _marks(norm: str) -> _Marks:
    """Numbers, district words and places in a normalised name, and the rest of it."""
    places = place_words()
    words = norm.split()
    fixed = tuple(sorted([*_MARKS.findall(norm), *(w for w in words if w in DISTRICT_WORDS)]))
    rest = [w for w in words if w not in places and w not in DISTRICT_WORDS and not w.isdigit()]
    return _Marks(fixed, places.intersection(words), "".join(rest), "".join(sorted(rest)))


def _marks_agree(a: _Marks, b: _Marks) -> bool:
    """Same numbers and district words, and the same places if both names name one."""
    return a.fixed == b.fixed and (not a.places or not b.places or a.places == b.places)


def _core_similarity(a: _Marks, b: _Marks, whole: int) -> int:
    """Similarity of the names without their places and marks ('Diabetes-' vs 'Idrætsforeningen
    Frederiksberg Centrum' is mostly the shared place); the whole names' unless they share their places."""
    if a.places != b.places or (not a.core and not b.core):  # a misspelt town stays in the comparison
        return whole
    return round(max(fuzz.ratio(a.core, b.core), fuzz.ratio(a.core_sorted, b.core_sorted)))


def _partial(a: str, b: str) -> int:
    """How far the shorter name (place names left out) is found in the longer: rapidfuzz partial_ratio."""
    places = place_words()
    x, y = ("".join(w for w in n.split() if w not in places) for n in (a, b))
    if min(len(x), len(y)) < 4:
        return 0
    return round(fuzz.partial_ratio(x, y))


def _kind_candidates(df: pd.DataFrame, kind: _Kind, hold_apart: Collection[str]) -> pd.DataFrame:
    """Candidate pairs within one table."""
    if df is None or len(df) < 2:
        return empty_candidates()
    rec = _records(df, kind)
    pairs = _pairs(rec)
    if not len(pairs):
        return empty_candidates()
    col = {c: rec[c].to_numpy() for c in rec.columns}
    for c in ("cvr", "address"):  # as integer codes (-1: none): compared much faster than text
        col[c] = pd.factorize(rec[c], use_na_sentinel=True)[0]
    ia, ib = pairs[:, 0], pairs[:, 1]
    cut = {"scorer": fuzz.ratio, "score_cutoff": NAME_WITH_ADDRESS, "workers": -1}  # below: 0, and faster
    sim = np.maximum(
        cpdist(col["compact"][ia], col["compact"][ib], **cut),
        cpdist(col["sorted"][ia], col["sorted"][ib], **cut),
    )
    sim = np.rint(sim).astype(np.int64)
    cvr_a, cvr_b = col["cvr"][ia], col["cvr"][ib]
    has_cvr = (cvr_a >= 0) & (cvr_b >= 0)
    same_cvr = has_cvr & (cvr_a == cvr_b)
    cvr_conflict = has_cvr & ~same_cvr
    address_a, address_b = col["address"][ia], col["address"][ib]
    same_address = (address_a >= 0) & (address_a == address_b)
    muni_a, muni_b = col["muni"][ia], col["muni"][ib]
    muni_ok = (muni_a == muni_b) | (muni_a < 0) | (muni_b < 0)
    # At one address the town is shared by construction: compare what is left, and one name may hold
    # the other ('Natcaféen' ~ 'Natcafé v/ Kirkens Korshær'), so a partial match counts there.
    near = sim.copy()
    for k in np.flatnonzero(same_address & (sim < NAME_ALIKE)):
        near[k] = max(sim[k], _partial(col["norm"][ia[k]], col["norm"][ib[k]]))
    by_address = same_address & (near >= NAME_WITH_ADDRESS)
    maybe = ~cvr_conflict & (same_cvr | ((sim >= NAME_ALIKE) & muni_ok) | by_address)
    # Numbers, district words and places only for the pairs that may stay (a Python call each).
    # Then the names without their places: what is left must be alike too.
    marks_equal = np.ones(len(pairs), dtype=bool)
    norm = col["norm"]
    cache: dict[str, _Marks] = {}
    for k in np.flatnonzero(maybe):
        x, y = norm[ia[k]], norm[ib[k]]
        if x == y:
            continue
        mx = cache[x] if x in cache else cache.setdefault(x, _marks(x))
        my = cache[y] if y in cache else cache.setdefault(y, _marks(y))
        marks_equal[k] = _marks_agree(mx, my)
        if sim[k] >= NAME_ALIKE:
            sim[k] = min(sim[k], _core_similarity(mx, my, int(sim[k])))
    similar_name = (sim >= NAME_ALIKE) & marks_equal & muni_ok
    keep = maybe & (same_cvr | similar_name | by_address)
    sim = np.where(similar_name, sim, np.maximum(sim, np.where(by_address, near, 0)))
    name_points = np.where(marks_equal, sim, sim * 0.5)
    score = np.minimum(100, np.rint(0.6 * name_points + 35 * same_cvr + 20 * same_address)).astype(np.int64)

    rows = np.flatnonzero(keep)
    ia, ib = ia[rows], ib[rows]
    swap = col["id"][ia] > col["id"][ib]  # key_a first in sort order, like the pair key
    ia, ib = np.where(swap, ib, ia), np.where(swap, ia, ib)
    out = pd.DataFrame(
        {
            "kind": kind.kind,
            "pair_key": [
                pair_key(record_key(kind.kind, x), record_key(kind.kind, y))
                for x, y in zip(col["id"][ia], col["id"][ib])
            ],
            "key_a": col["id"][ia],
            "key_b": col["id"][ib],
            "name_a": col["name"][ia],
            "name_b": col["name"][ib],
            "source_a": col["file"][ia],
            "source_b": col["file"][ib],
            "reasons": [
                _reasons(c, n, ad, s)
                for c, n, ad, s in zip(same_cvr[rows], similar_name[rows], same_address[rows], sim[rows])
            ],
            "score": score[rows],
            "same_cvr": same_cvr[rows],
            "similar_name": similar_name[rows],
            "same_address": same_address[rows],
            "name_similarity": sim[rows],
        }
    )
    out = out[~out["pair_key"].isin(set(hold_apart))]
    return out.astype(CANDIDATE_DTYPES)


def _reasons(same_cvr: bool, similar_name: bool, same_address: bool, sim: int) -> str:
    """The Danish reasons for one pair, strongest first: 'samme CVR, navne ens (94 %)'."""
    parts = []
    if same_cvr:
        parts.append("samme CVR")
    if similar_name:
        parts.append(f"navne ens ({sim} %)")
    elif same_address and sim >= NAME_WITH_ADDRESS:
        parts.append(f"navne ligner delvist ({sim} %)")
    if same_address:
        parts.append("samme adresse")
    return ", ".join(parts)


def empty_candidates() -> pd.DataFrame:
    """No pairs, with the candidate columns and types."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in CANDIDATE_DTYPES.items()})


def find_candidates(tables: Mapping[str, pd.DataFrame], *, hold_apart: Collection[str] = ()) -> pd.DataFrame:
    """Likely duplicate organisations and regional units in typed tables, best first.

    ``hold_apart``: pair keys a coordinator has kept apart; they are left out.
    """
    found = [
        _kind_candidates(tables[k.table], k, hold_apart) for k in KINDS if tables.get(k.table) is not None
    ]
    found = [f for f in found if len(f)]
    if not found:
        return empty_candidates()
    out = pd.concat(found, ignore_index=True)
    return out.sort_values(["score", "pair_key"], ascending=[False, True], ignore_index=True)


# ---------------------------------------------------------------- decisions


@dataclass
class Applied:
    """Inputs after the merge decisions, and the pairs kept apart."""

    data: CleanInput
    hold_apart: frozenset[str] = frozenset()
    merged: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, kept id, removed id)


def _is_empty(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and np.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | np.ndarray):
        return len(value) == 0
    return False


def _where(values: Mapping[str, np.ndarray], i: int) -> dict:
    """File, sheet and row of the record at position ``i`` (for the issue)."""
    out: dict = {}
    for col, key in (("_file", "file"), ("_sheet", "sheet")):
        if col in values and not _is_empty(values[col][i]):
            out[key] = str(values[col][i])
    if "_row" in values and not _is_empty(values["_row"][i]):
        out["row"] = int(values["_row"][i])
    return out


def apply_decisions(data: CleanInput, decisions: Sequence[Mapping]) -> Applied:
    """Apply the coordinators' decisions (oldest first) to typed inputs; returns new inputs.

    Merges are applied in order and chain (A into B, then B into C puts both into C). A decision
    naming a record that is not in the inputs is skipped with a warning.
    """
    if not decisions:
        return Applied(data)
    tables = dict(data.tables)
    issues: list[Issue] = []
    hold: set[str] = set()
    named = {split_key(str(d[c]))[1] for d in decisions for c in ("key_a", "key_b")}
    present = {
        k.kind: set(_ids_among(tables[k.table][k.id_col], named)) if k.table in tables else set()
        for k in KINDS
    }
    alias: dict[tuple[str, str], str] = {}

    def final(kind: str, ident: str) -> str:
        while (kind, ident) in alias:
            ident = alias[(kind, ident)]
        return ident

    merges: list[tuple[_Kind, str, str, Mapping]] = []
    for d in decisions:
        (kind_a, id_a), (kind_b, id_b) = split_key(str(d["key_a"])), split_key(str(d["key_b"]))
        missing = [i for k, i in ((kind_a, id_a), (kind_b, id_b)) if i not in present.get(k, set())]
        if missing or kind_a != kind_b:
            issues.append(
                warning(
                    f"En beslutning om dubletter ({'fletning' if d['decision'] == MERGE else 'hold adskilt'}, "
                    f"truffet af {d.get('decided_by') or '?'} {danish.date(d.get('decided_at'))}) er sprunget over: "
                    f"{', '.join(missing) or 'posterne'} findes ikke længere i data.",
                    value=str(d.get("pair_key") or pair_key(d["key_a"], d["key_b"])),
                    hint="Fortryd eller ignorer beslutningen; den gælder ikke for de nuværende data.",
                )
            )
            continue
        if d["decision"] == KEEP_APART:
            hold.add(pair_key(d["key_a"], d["key_b"]))
            continue
        keep_id = split_key(str(d["keep_key"]))[1]
        other_id = id_b if keep_id == id_a else id_a
        keep_final, other_final = final(kind_a, keep_id), final(kind_a, other_id)
        if keep_final == other_final:
            continue
        alias[(kind_a, other_final)] = keep_final
        merges.append((_BY_KIND[kind_a], keep_final, other_final, d))

    applied = []
    if merges:
        tables = dict(tables)
        refs = _references(tables, {i for _, k, o, _ in merges for i in (k, o)})
        for kind in {m[0] for m in merges}:
            mine = [m for m in merges if m[0] == kind]
            tables[kind.table], found = _merge_rows(tables[kind.table], kind, mine, refs)
            issues += found
            applied += [(kind.kind, keep_id, other_id) for _, keep_id, other_id, _ in mine]
        tables = {
            name: df.copy() if name in ("offers", "collaborations") else df for name, df in tables.items()
        }
        _repoint(tables, {k: v for k, v in ((key, final(*key)) for key in alias)})
    return Applied(
        CleanInput(tables=tables, vocabularies=data.vocabularies, issues=[*data.issues, *issues]),
        frozenset(hold),
        applied,
    )


def _merge_rows(
    df: pd.DataFrame, kind: _Kind, merges: list[tuple[_Kind, str, str, Mapping]], refs: dict
) -> tuple[pd.DataFrame, list[Issue]]:
    """Merge records of one table in order: fill the kept record's empty fields, drop the other.

    Works on the few rows involved and writes back one assignment per changed column (setting cells
    one by one in a 100,000-row Arrow-backed column copies it each time).
    """
    where = _positions(df, kind)
    touched = sorted({where[k] for _, k, _, _ in merges} | {where[o] for _, _, o, _ in merges})
    local = {pos: i for i, pos in enumerate(touched)}
    sub = df.iloc[touched]
    fields = [f.name for f in TABLES_BY_NAME[kind.table].fields if f.name != kind.id_col]
    values = {c: sub[c].to_numpy(dtype=object).copy() for c in [*fields, *PROVENANCE_COLUMNS] if c in sub}
    changed: dict[str, set[int]] = {c: set() for c in fields}
    issues, removed = [], []
    for _, keep_id, other_id, d in merges:
        ik, io = local[where[keep_id]], local[where[other_id]]
        for c in fields:
            if _is_empty(values[c][ik]) and not _is_empty(values[c][io]):
                values[c][ik] = values[c][io]
                changed[c].add(ik)
        issues.append(
            warning(
                f"{kind.label} '{values['name'][io]}' ({other_id}) er flettet ind i '{values['name'][ik]}' "
                f"({keep_id}) {MERGED_MARK}, efter beslutning af {d.get('decided_by') or '?'} "
                f"{danish.date(d.get('decided_at'))}.{_moved(refs, kind.kind, keep_id, other_id)}",
                **_where(values, io),
                value=other_id,
                hint="Er det forkert, fortryd beslutningen på siden Mulige dubletter og byg igen.",
            )
        )
        removed.append(touched[io])
    out = df.copy()
    for c, rows in changed.items():
        if not rows:
            continue
        j = out.columns.get_loc(c)
        for i in rows:
            if isinstance(values[c][i], list | tuple | np.ndarray):
                out.iat[touched[i], j] = values[c][i]
                rows = rows - {i}
        if rows:
            at = sorted(rows)
            out.iloc[[touched[i] for i in at], j] = pd.array([values[c][i] for i in at], dtype=out[c].dtype)
    keep = np.ones(len(df), dtype=bool)
    keep[removed] = False
    return out.iloc[np.flatnonzero(keep)], issues


def _ids_among(ids: pd.Series, named: set[str]) -> list[str]:
    """The ids in ``ids`` that are among ``named`` (fast for a few names in a long column)."""
    return [str(i) for i in ids[ids.isin(named)]]


def _positions(df: pd.DataFrame, kind: _Kind) -> dict[str, int]:
    """Row position of each id (the first, should an id repeat)."""
    ids = df[kind.id_col].astype(str).to_numpy()
    return {i: p for p, i in reversed(list(enumerate(ids)))}


def _references(tables: Mapping[str, pd.DataFrame], ids: Collection[str]) -> dict[str, dict[str, list[int]]]:
    """How many offers and collaborations point at each of ``ids``: {kind: {id: [offers, collaborations]}}."""
    refs: dict[str, dict[str, list[int]]] = {ORGANISATION: {}, REGIONAL_UNIT: {}}
    wanted = set(ids)
    if "offers" in tables:
        col = tables["offers"]["organisation_id"]
        for ident, n in col[col.isin(wanted)].value_counts().items():
            refs[ORGANISATION].setdefault(str(ident), [0, 0])[0] = int(n)
    if "collaborations" in tables:
        for kind, col in ((ORGANISATION, "organisation_ids"), (REGIONAL_UNIT, "unit_ids")):
            for items in tables["collaborations"][col]:
                for ident in set(items) & wanted if isinstance(items, list | tuple | np.ndarray) else ():
                    refs[kind].setdefault(str(ident), [0, 0])[1] += 1
    return refs


def _moved(refs: dict[str, dict[str, list[int]]], kind: str, keep_id: str, other_id: str) -> str:
    """' 3 tilbud og 1 samarbejde følger med.' for the record merged away (empty if none); moves the counts."""
    n_offers, n_collab = refs[kind].pop(other_id, [0, 0])
    kept = refs[kind].setdefault(keep_id, [0, 0])
    kept[0] += n_offers
    kept[1] += n_collab
    parts = []
    if n_offers:
        parts.append(f"{n_offers} tilbud")
    if n_collab:
        parts.append(f"{n_collab} {'samarbejde' if n_collab == 1 else 'samarbejder'}")
    return f" {' og '.join(parts)} følger med." if parts else ""


def _repoint(tables: dict[str, pd.DataFrame], final: Mapping[tuple[str, str], str]) -> None:
    """Point offers and collaborations at the records that stay."""
    orgs = {i: k for (kind, i), k in final.items() if kind == ORGANISATION}
    units = {i: k for (kind, i), k in final.items() if kind == REGIONAL_UNIT}
    if orgs and "offers" in tables:
        offers = tables["offers"]
        hit = offers["organisation_id"].isin(set(orgs))
        if hit.any():
            offers.loc[hit, "organisation_id"] = offers.loc[hit, "organisation_id"].map(orgs)
    if "collaborations" in tables:
        collab = tables["collaborations"]
        for col, mapping in (("organisation_ids", orgs), ("unit_ids", units)):
            if mapping:
                collab[col] = [_remap(v, mapping) for v in collab[col]]


def _remap(items: object, mapping: Mapping[str, str]) -> list[str]:
    """A list of ids with merged ones replaced, each id once, order kept."""
    out: list[str] = []
    for i in list(items) if isinstance(items, list | tuple | np.ndarray) else []:
        j = mapping.get(i, i)
        if j not in out:
            out.append(j)
    return out


def merged_count(issues: Sequence[Issue]) -> int:
    """How many records a build merged away on the coordinators' decisions (from the build's issues)."""
    return sum(MERGED_MARK in i.message for i in issues)
