"""The vocabulary map: which product vocabulary values another publisher's taxonomy terms stand for.

A map is a table (CSV, ``,`` or ``;``) with the columns ``taxonomy`` (the taxonomy's name or URI; empty:
any taxonomy), ``term_code`` and ``term_name`` (either or both; a term matches on its code or its name),
``vocabulary`` (theme, target_group, prevention_level, organisation_type or staffing, or their Danish
names) and ``code`` (the value's code or Danish label).  Matching ignores case, accents and punctuation.
A term may have several rows (Loneliness -> a theme and a target group).  A row with an empty
vocabulary and code says that the term is deliberately not used.

The product ships ``vocabulary_map.csv`` beside this module; a coordinator's own map is laid over it:
the rows it has for a term replace the shipped rows for that term.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from civilkort import reference
from civilkort.issues import InputError, Issue, error
from civilkort.reference import fold
from civilkort.schema import VOCABULARY_NAMES

SHIPPED = Path(__file__).with_name("vocabulary_map.csv")
MAPPED_VOCABULARIES = ("theme", "target_group", "prevention_level", "organisation_type", "staffing")
"""The product vocabularies a foreign term can stand for."""
_HEADERS = {
    "taxonomy": ("taxonomy", "taksonomi"),
    "term_code": ("term_code", "termkode", "term kode"),
    "term_name": ("term_name", "termnavn", "term navn", "term"),
    "vocabulary": ("vocabulary", "vokabular"),
    "code": ("code", "kode", "vaerdi", "value"),
}
ANY_TAXONOMY = ""


@dataclass(frozen=True)
class Term:
    """A foreign taxonomy term as the map sees it."""

    code: str = ""
    name: str = ""
    taxonomies: tuple[str, ...] = ()  # the taxonomy's name, URI, ...


@dataclass
class VocabularyMap:
    """(folded taxonomy or '' for any, folded term code or name) -> [(vocabulary, code)], and each key's origin."""

    entries: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    origin: dict[tuple[str, str], str] = field(default_factory=dict)

    def lookup(self, term: Term) -> tuple[list[tuple[str, str]], str] | None:
        """The values a term stands for and the map that said so, or None if the map has no row for it.

        A row for the term's own taxonomy wins over a row for any taxonomy; the code over the name."""
        texts = [fold(t) for t in (term.code, term.name) if t and fold(t)]
        taxonomies = [fold(t) for t in term.taxonomies if t and fold(t)]
        for tax in [*taxonomies, ANY_TAXONOMY]:
            for text in texts:
                key = (tax, text)
                if key in self.entries:
                    return self.entries[key], self.origin[key]
        return None

    def over(self, base: VocabularyMap) -> VocabularyMap:
        """This map laid over ``base``: its rows for a term replace the base's rows for that term."""
        return VocabularyMap({**base.entries, **self.entries}, {**base.origin, **self.origin})


@cache
def _value_keys() -> dict[str, dict[str, str]]:
    """Per vocabulary: folded code or label -> code (built-in values)."""
    v = reference.vocabularies()
    keys: dict[str, dict[str, str]] = {}
    for vocabulary, code, label in zip(v["vocabulary"], v["code"], v["label"], strict=True):
        keys.setdefault(vocabulary, {}).setdefault(fold(code), code)
        keys[vocabulary].setdefault(fold(label), code)
    return keys


@cache
def _vocabulary_keys() -> dict[str, str]:
    return {fold(k): v for v in MAPPED_VOCABULARIES for k in (v, VOCABULARY_NAMES[v])}


def _text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_map(path: Path, label: str | None = None) -> VocabularyMap:
    """Read a vocabulary map file; raises InputError naming every bad row."""
    label = label or path.name
    issues: list[Issue] = []
    try:
        text = _text(path.read_bytes())
    except OSError as exc:
        raise InputError(
            [error(f"Vokabularkortet kan ikke læses: {exc.strerror or exc}", file=label)]
        ) from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = list(reader)
    if not rows:
        raise InputError([error("Vokabularkortet er tomt", file=label, hint=_FORMAT_HINT)])
    columns: dict[str, int] = {}
    for i, header in enumerate(rows[0]):
        for name, spellings in _HEADERS.items():
            if fold(header) in {fold(x) for x in spellings}:
                columns.setdefault(name, i)
    missing = [n for n in ("vocabulary", "code") if n not in columns]
    if missing or not {"term_code", "term_name"} & set(columns):
        raise InputError(
            [
                error(
                    "Vokabularkortet mangler kolonner: "
                    + ", ".join(
                        missing + ([] if {"term_code", "term_name"} & set(columns) else ["term_name"])
                    ),
                    file=label,
                    row=1,
                    hint=_FORMAT_HINT,
                )
            ]
        )
    out = VocabularyMap()
    for n, cells in enumerate(rows[1:], start=2):

        def cell(name: str, cells: list[str] = cells) -> str:
            i = columns.get(name)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        if not any(c.strip() for c in cells):
            continue
        texts = [fold(t) for t in (cell("term_code"), cell("term_name")) if fold(t)]
        if not texts:
            issues.append(
                error("Rækken har hverken termkode eller termnavn", file=label, row=n, hint=_FORMAT_HINT)
            )
            continue
        vocab_text, value_text = cell("vocabulary"), cell("code")
        value: tuple[str, str] | None = None
        if vocab_text or value_text:
            vocabulary = _vocabulary_keys().get(fold(vocab_text))
            if vocabulary is None:
                issues.append(
                    error(
                        f"Ukendt vokabular '{vocab_text}'",
                        file=label,
                        row=n,
                        column="vocabulary",
                        value=vocab_text,
                        hint="Brug theme, target_group, prevention_level, organisation_type eller staffing "
                        "(eller de danske navne: "
                        + ", ".join(VOCABULARY_NAMES[v] for v in MAPPED_VOCABULARIES)
                        + ").",
                    )
                )
                continue
            code = _value_keys().get(vocabulary, {}).get(fold(value_text))
            if code is None:
                allowed = ", ".join(sorted(set(_value_keys()[vocabulary].values())))
                issues.append(
                    error(
                        f"'{value_text}' er ikke en værdi i {VOCABULARY_NAMES[vocabulary]}",
                        file=label,
                        row=n,
                        column="code",
                        value=value_text,
                        hint=f"Tilladte koder: {allowed}.",
                    )
                )
                continue
            value = (vocabulary, code)
        for text in texts:
            key = (fold(cell("taxonomy")), text)
            values = out.entries.setdefault(key, [])
            out.origin[key] = label
            if value is not None and value not in values:
                values.append(value)
    if issues:
        raise InputError(issues)
    return out


_FORMAT_HINT = (
    "Et vokabularkort er en CSV-fil med kolonnerne taxonomy, term_code, term_name, vocabulary og code; "
    "se README, afsnittet Open Referral HSDS 3.0."
)


@cache
def shipped_map() -> VocabularyMap:
    """The map shipped with the product (common HSDS and UK terms)."""
    return read_map(SHIPPED, "standardkortet")


def load_map(path: Path | str | None) -> VocabularyMap:
    """The shipped map with a coordinator's map (if any) laid over it; raises InputError."""
    if path is None:
        return shipped_map()
    return read_map(Path(path)).over(shipped_map())
