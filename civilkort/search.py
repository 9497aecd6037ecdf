"""Search across organisations, offers and collaborations: by name, CVR, place or word, the Danish way.

Every text is *folded* before it is compared: lower case, æ/ø/å written as ae/oe/aa (so "Ældre", "aeldre",
"Åbenrå" and "Aabenraa" meet), ä/ö as æ/ø, other accents dropped (é → e), anything but letters and digits a
word break. The same pyarrow function folds the data and the query, so both sides always agree.

The index is built once per build, in memory (a few seconds at national scale): the sorted vocabulary of
folded words and, per word, the records that hold it, once for names (and CVR) and once for everything else
(place, description, themes, partners). A query word then matches a word of the vocabulary exactly, as its
start ("frivillig" finds "frivilligcenter"), inside it (from 3 letters: "center" finds "frivilligcenter"),
or with typos (words of letters; from 4 letters: one, from 8: two; rapidfuzz's optimal string alignment
distance, where two swapped letters are one typo, against the vocabulary's word starts, the first letter
taken as typed). Every query word must match; records are ranked by how well (exact before start before inside
before typo, a name before the rest). ``benchmarks/search_latency.py`` measures it at national scale.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz.distance import OSA
from rapidfuzz.process import cdist

from civilkort.db import Database

KINDS = ("organisation", "offer", "collaboration")
KIND_LABELS = {"organisation": "Organisation", "offer": "Tilbud", "collaboration": "Samarbejde"}
MAX_QUERY = 200
"""Characters of a query read (the rest is ignored)."""
MAX_WORDS = 8
"""Query words used (the first ones)."""

EXACT, PREFIX, INSIDE = 1.0, 0.8, 0.6
TYPO = (0.5, 0.4)
"""Weights of a word matched with one and with two typos."""
NAME_WEIGHT = 2.0
"""A word matched in the name (or CVR) counts this much more than one matched elsewhere."""

_LETTERS = [("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("ä", "ae"), ("ö", "oe"), ("ß", "ss")]
_CVR = re.compile(r"^\s*(?:dk)?[\s\-]*((?:\d[\s\-]*){8})$", re.IGNORECASE)


def fold_array(texts: pa.Array | list) -> pa.Array:
    """Fold each text (see the module's docstring) into lower-case words of a-z and 0-9 split by one space."""
    arr = pc.utf8_lower(pc.cast(texts if isinstance(texts, pa.Array) else pa.array(texts), pa.large_string()))
    for letter, written in _LETTERS:
        arr = pc.replace_substring(arr, letter, written)
    arr = pc.utf8_normalize(arr, form="NFKD")
    arr = pc.replace_substring_regex(arr, r"\p{Mn}+", "")
    arr = pc.replace_substring_regex(arr, r"[^a-z0-9]+", " ")
    return pc.utf8_trim_whitespace(arr)


def fold(text: str) -> str:
    """One text folded: ``fold("Ældre Sagen, Århus") == "aeldre sagen aarhus"``."""
    return str(fold_array([text])[0].as_py() or "")


def query_words(query: str) -> list[str]:
    """The folded words of a query; a CVR number written with spaces, dashes or "DK" as one word."""
    query = query[:MAX_QUERY]
    cvr = _CVR.match(query)
    if cvr:
        return [re.sub(r"\D", "", cvr.group(1))]
    return [w for w in fold(query).split(" ") if w][:MAX_WORDS]


_RECORDS_SQL = """
SELECT 'organisation' AS kind, g.organisation_id AS id, g.name, NULL AS organisation_name,
       g.organisation_id AS organisation_id, g.council_id,
       concat_ws(' ', g.postcode, g.city) AS place, m.municipality_name,
       concat_ws(' ', g.name, g.cvr) AS title_text,
       concat_ws(' ', g.address, g.postcode, g.city, m.municipality_name, c.council_name,
                 g.organisation_type_label, g.description) AS other_text
FROM organisations g JOIN municipalities m USING (municipality_code) JOIN councils c ON c.council_id = g.council_id
UNION ALL
SELECT 'offer', o.offer_id, o.name, g.name, o.organisation_id, o.council_id,
       -- an offer held at its organisation's address is found by that place
       CASE WHEN o.has_own_location THEN concat_ws(' ', o.postcode, o.city) ELSE concat_ws(' ', g.postcode, g.city) END,
       m.municipality_name,
       o.name,
       concat_ws(' ', g.name, o.address, o.postcode, o.city,
                 CASE WHEN NOT o.has_own_location THEN concat_ws(' ', g.address, g.postcode, g.city) END,
                 m.municipality_name,
                 array_to_string(o.theme_labels, ' '), array_to_string(o.target_group_labels, ' '),
                 o.schedule, o.cost, o.description)
FROM offers o JOIN organisations g USING (organisation_id) JOIN municipalities m ON m.municipality_code = o.municipality_code
UNION ALL
SELECT 'collaboration', c.collaboration_id, c.title, p.partners, NULL, c.council_id,
       NULL, m.municipality_name,
       c.title,
       concat_ws(' ', p.partners, m.municipality_name, array_to_string(c.theme_labels, ' '),
                 array_to_string(c.target_group_labels, ' '), c.form_label, c.kind_label, c.description)
FROM collaborations c
LEFT JOIN municipalities m ON m.municipality_code = c.municipality_code
LEFT JOIN (
    SELECT cp.collaboration_id, string_agg(coalesce(g.name, u.name), '; ' ORDER BY coalesce(g.name, u.name)) AS partners
    FROM collaboration_partners cp
    LEFT JOIN organisations g ON cp.partner_kind = 'organisation' AND g.organisation_id = cp.partner_id
    LEFT JOIN regional_units u ON cp.partner_kind = 'regional_unit' AND u.unit_id = cp.partner_id
    GROUP BY cp.collaboration_id
) p USING (collaboration_id)
"""


def _texts(table: pa.Table, column: str) -> pa.Array:
    """A text column as one array, missing texts empty."""
    return pc.fill_null(table.column(column).combine_chunks(), "")


def _split(folded: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The words of each folded text, one after the other, and the index of the text each came from."""
    words = pc.split_pattern(folded, " ")
    return pc.list_flatten(words), pc.list_parent_indices(words).to_numpy().astype(np.int32)


@dataclass(frozen=True)
class _Postings:
    """Per vocabulary word, the records holding it: ``records[start[w]:start[w + 1]]``."""

    start: np.ndarray
    records: np.ndarray

    @classmethod
    def build(cls, word_ids: np.ndarray, records: np.ndarray, n_words: int) -> _Postings:
        """From one (word, record) pair per word of each record, in record order."""
        order = np.argsort(word_ids, kind="stable")  # by word; records stay in order within a word
        word, record = word_ids[order], records[order]
        if len(word):
            first = np.empty(len(word), dtype=bool)
            first[0] = True
            np.logical_or(word[1:] != word[:-1], record[1:] != record[:-1], out=first[1:])
            word, record = word[first], record[first]  # each (word, record) once
        start = np.searchsorted(word, np.arange(n_words + 1))
        return cls(start=start, records=record.astype(np.int32))

    def of(self, word_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The records of the given words, and for each the index (into ``word_ids``) of its word."""
        lo, hi = self.start[word_ids], self.start[word_ids + 1]
        sizes = hi - lo
        total = int(sizes.sum())
        if total == 0:
            return np.empty(0, np.int32), np.empty(0, np.int64)
        which = np.repeat(np.arange(len(word_ids)), sizes)
        offsets = np.arange(total) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return self.records[lo[which] + offsets], which


class SearchIndex:
    """The search index of one build (see the module's docstring); ``search`` is thread-safe."""

    def __init__(self, db: Database) -> None:
        rows = db.arrow(_RECORDS_SQL)
        self.records = rows.drop_columns(["title_text", "other_text"]).to_pandas()
        self._kind_masks = {kind: (self.records["kind"] == kind).to_numpy() for kind in KINDS}
        council = pd.Categorical(self.records["council_id"])
        self._council_codes = np.asarray(council.codes)
        self._council_of = {c: i for i, c in enumerate(council.categories)}
        title, other = (_split(fold_array(_texts(rows, c))) for c in ("title_text", "other_text"))
        del rows
        # one code per distinct word (pyarrow's hash), then the codes renumbered in the words' sorted order
        encoded = pc.dictionary_encode(pa.concat_arrays([title[0], other[0]]))
        order = pc.array_sort_indices(encoded.dictionary).to_numpy()  # byte order: the same as str's here
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        vocabulary = pc.take(encoded.dictionary, pa.array(order)).to_pylist()
        ids = rank[encoded.indices.to_numpy()]
        del encoded, rank, order
        empty = 1 if vocabulary and vocabulary[0] == "" else 0  # a record with no text has one empty word
        self.vocabulary: list[str] = vocabulary[empty:]
        ids -= empty
        cut = len(title[0])
        postings = []
        for word_ids, records in ((ids[:cut], title[1]), (ids[cut:], other[1])):
            keep = word_ids >= 0
            postings.append(_Postings.build(word_ids[keep], records[keep], len(self.vocabulary)))
        self._title, self._other = postings
        # every word on its own line: a word's inside is found with one str.find loop over this text
        self._joined = "\n" + "\n".join(self.vocabulary) + "\n"
        self._line_starts = (
            np.cumsum([1] + [len(w) + 1 for w in self.vocabulary[:-1]]) if self.vocabulary else []
        )
        self._prefixes = lru_cache(maxsize=64)(self._prefixes_of_length)
        for length in range(3, 25):  # the lengths typo matching asks for: ready before the first search
            self._prefixes(length)
        pa.default_memory_pool().release_unused()  # the build's passing arrays: give the memory back

    def _of_kinds(self, kinds: tuple[str, ...]) -> np.ndarray:
        mask = np.zeros(len(self.records), dtype=bool)
        for kind in kinds:
            mask |= self._kind_masks[kind]
        return mask

    def __len__(self) -> int:
        return len(self.records)

    def _prefixes_of_length(self, length: int) -> tuple[list[str], np.ndarray]:
        """The distinct first ``length`` letters of the vocabulary's words, and where each one's words start."""
        cut = [w[:length] for w in self.vocabulary]
        firsts = [i for i in range(len(cut)) if i == 0 or cut[i] != cut[i - 1]]
        return [cut[i] for i in firsts], np.array([*firsts, len(cut)], dtype=np.int64)

    def _prefix_range(self, word: str) -> tuple[int, int]:
        lo = bisect.bisect_left(self.vocabulary, word)
        hi = bisect.bisect_left(self.vocabulary, word + "\x7f")
        return lo, hi

    def _matches(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """Vocabulary ids matching one query word and each one's weight (the best way it matches)."""
        weights: dict[int, float] = {}

        def add(ids: range | list[int], weight: float) -> None:
            for i in ids:
                if weights.get(i, 0.0) < weight:
                    weights[i] = weight

        if len(word) >= 4 and not word.isdigit():  # a postcode or CVR number is exact: 2100 is not 2200
            typos = 1 if len(word) < 8 else 2
            for length in range(len(word) - typos, len(word) + typos + 1):
                prefixes, starts = self._prefixes(length)
                # only word starts with the same first letter: a typo there is rare, and this is 20 times faster
                lo = bisect.bisect_left(prefixes, word[0])
                hi = bisect.bisect_left(prefixes, word[0] + "\x7f", lo)
                if lo == hi:
                    continue
                distance = cdist([word], prefixes[lo:hi], scorer=OSA.distance, score_cutoff=typos,
                                 dtype=np.int8, workers=1)[0]  # fmt: skip
                for j in np.flatnonzero(distance <= typos) + lo:
                    d = int(distance[j - lo])
                    if d:
                        add(range(int(starts[j]), int(starts[j + 1])), TYPO[d - 1])
        if len(word) >= 3 and not word.isdigit():
            found, at = [], self._joined.find(word)
            while at != -1:
                found.append(at)
                at = self._joined.find(word, at + 1)
            if found:
                lines = np.searchsorted(self._line_starts, np.array(found), side="right") - 1
                add(np.unique(lines).tolist(), INSIDE)
        if len(word) >= 2:
            add(range(*self._prefix_range(word)), PREFIX)
        lo = bisect.bisect_left(self.vocabulary, word)
        if lo < len(self.vocabulary) and self.vocabulary[lo] == word:
            add([lo], EXACT)
        ids = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
        return ids, np.fromiter(weights.values(), dtype=np.float32, count=len(weights))

    def _score(self, word: str) -> np.ndarray:
        """Per record, how well it matches one query word (0: not at all)."""
        score = np.zeros(len(self.records), dtype=np.float32)
        ids, weights = self._matches(word)
        if len(ids) == 0:
            return score
        for postings, factor in ((self._other, 1.0), (self._title, NAME_WEIGHT)):
            records, which = postings.of(ids)
            np.maximum.at(score, records, weights[which] * factor)
        return score

    def _in_councils(self, councils: Collection[str]) -> np.ndarray:
        wanted = [self._council_of[c] for c in councils if c in self._council_of]
        return np.isin(self._council_codes, np.array(wanted, dtype=self._council_codes.dtype))

    def search(
        self,
        query: str,
        limit: int = 50,
        kinds: tuple[str, ...] = KINDS,
        councils: Collection[str] | None = None,
    ) -> SearchResult:
        """The best ``limit`` records of ``kinds`` matching every word of ``query``, best first (see
        :class:`SearchResult`); with ``councils``, only records in those health councils (the others that
        match are counted in ``elsewhere``)."""
        words = query_words(query)
        if not words or not len(self.records):
            return SearchResult(self.records.iloc[0:0].assign(score=pd.Series(dtype="float32")), 0, words)
        total = np.zeros(len(self.records), dtype=np.float32)
        matched = (
            np.ones(len(self.records), dtype=bool) if set(kinds) >= set(KINDS) else self._of_kinds(kinds)
        )
        for word in words:
            score = self._score(word)
            matched &= score > 0
            total += score
        elsewhere = 0
        if councils is not None:
            inside = self._in_councils(councils)
            elsewhere = int(np.count_nonzero(matched & ~inside))
            matched &= inside
        hits = np.flatnonzero(matched)
        found = len(hits)
        if found > limit:
            hits = hits[np.argpartition(-total[hits], limit - 1)[:limit]]
        order = hits[np.lexsort((hits, -total[hits]))]  # best first; equal scores in the build's order
        rows = self.records.iloc[order].assign(score=total[order]).reset_index(drop=True)
        return SearchResult(rows, found, words, elsewhere)


@dataclass(frozen=True)
class SearchResult:
    """What a search found."""

    rows: pd.DataFrame
    """The best records, best first: ``kind`` (see :data:`KINDS`), ``id``, ``name``, ``organisation_name`` (an
    offer's organisation, a collaboration's partners), ``organisation_id``, ``council_id``, ``place`` (postcode
    and city), ``municipality_name`` and ``score``."""
    total: int
    """How many records matched every word (``rows`` holds the best of them)."""
    words: list[str]
    """The folded query words searched for."""
    elsewhere: int = 0
    """How many records outside the councils searched in also matched (0 when searching all of Denmark)."""


_SHARED: dict[str, SearchIndex] = {}
_SHARED_LOCK = threading.Lock()
SHARED_BUILDS = 2
"""Builds whose index is kept per process: the one served and the one before it (while readers move over)."""


def index_for(path: Path | str) -> SearchIndex:
    """The search index of the build at ``path``, one per process, shared by everyone who searches it (*Søg*
    and Find et tilbud in the app, the HSDS API's ``search``); made on first use."""
    key = str(path)
    with _SHARED_LOCK:  # one index per build, however many ask at once
        found = _SHARED.get(key)
        if found is None:
            db = Database(Path(key))
            try:
                found = SearchIndex(db)
            finally:
                db.close()
            _SHARED[key] = found
            for old in list(_SHARED)[:-SHARED_BUILDS]:
                del _SHARED[old]
        return found
