"""Which need indicator counts the people in each target group (the *behovskort*).

A target group (vocabulary ``target_group``) is linked to the indicator whose name matches one of its rules:
a rule is a piece of text (``80+``, ``hjemløs``) found in the indicator's name, case not minded. A group's
rules are tried in order; the first that matches an indicator decides (the first such indicator in the
build's order). The shipped defaults (``need_map.csv``) match the example data's indicators and the usual
Statistics Denmark names; a coordinator's file in the same two-column layout (målgruppe; indikator) replaces
the defaults of each group it names (an empty indikator: the group has no indicator).

A build keeps the coordinator's rules (``ref_target_group_need_file``) and the mapping in force
(``ref_target_group_need``: one row per target group, the indicator or NULL), so a rebuild maps again with the
indicators it then has. How people are counted from an indicator is in ``etl/sql/views.sql``
(``target_group_people``): people as they are, a percentage or a rate per 1,000 of the municipality's
population (none without population).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from civilkort import reference
from civilkort.issues import InputError, error
from etl.statbank import decode

DEFAULTS_FILE = Path(__file__).with_name("need_map.csv")
STANDARD = "standard"
"""The origin of a rule from the shipped defaults."""
HEADER = ("maalgruppe", "indikator")
EXPECTED = (
    "Forventede en CSV-fil med to kolonner adskilt af semikolon: målgruppe;indikator (fx 'Ældre;80+'). "
    "Målgruppen er dens navn eller kode; indikatoren hele navnet eller en del af det."
)


@dataclass(frozen=True)
class Rule:
    """One line of a mapping: the target group (its code) and the text an indicator's name holds ('' = none)."""

    target_group: str
    pattern: str
    origin: str = STANDARD
    """``standard`` for the shipped defaults, else the coordinator's file name."""


def _key(text: str) -> str:
    return " ".join(str(text).casefold().split())


def _groups(vocab: pd.DataFrame) -> pd.DataFrame:
    v = vocab[vocab["vocabulary"] == "target_group"]
    return v.sort_values(["sort_order", "label"], kind="stable")[["code", "label"]].reset_index(drop=True)


def _group_code(text: str, groups: pd.DataFrame) -> str | None:
    """The target group's code for its code or label (æøå and case not minded)."""
    wanted = reference.fold(text)
    for code, label in groups.itertuples(index=False):
        if wanted in (reference.fold(code), reference.fold(label)):
            return str(code)
    return None


def matches(pattern: str, name: str, indicator_id: str = "") -> bool:
    """True when an indicator (its name, or id) is the one a rule names."""
    p = _key(pattern)
    return bool(p) and (p in _key(name) or p == _key(indicator_id))


def _rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=";")]


def default_rules() -> list[Rule]:
    """The shipped defaults (``need_map.csv``), with the built-in target groups' codes."""
    groups = _groups(reference_vocab())
    out = []
    for row in _rows(DEFAULTS_FILE.read_text(encoding="utf-8"))[1:]:
        if row and any(row):
            out.append(Rule(_group_code(row[0], groups) or row[0], row[1]))
    return out


def reference_vocab() -> pd.DataFrame:
    """The built-in vocabularies (vocabulary, code, label, sort_order)."""
    return reference.vocabularies()[["vocabulary", "code", "label", "sort_order"]]


def read_need_map(path: Path, vocab: pd.DataFrame, indicator_meta: pd.DataFrame) -> list[Rule]:
    """A coordinator's mapping file, checked against the target groups and the indicators it will be built with.

    ``indicator_meta``: indicator_id and name of each indicator (``etl.indicators.frames``). Raises InputError
    naming file, row and column for a wrong separator, an unknown target group or an indicator no name holds."""
    file = path.name
    if not path.is_file():
        raise InputError([error("Behovskortet findes ikke", file=str(path), hint=EXPECTED)])
    try:
        rows = _rows(decode(path.read_bytes()))
    except csv.Error as exc:
        raise InputError([error(f"Behovskortet kan ikke læses ({exc})", file=file, hint=EXPECTED)]) from exc
    numbered = [(n, r) for n, r in enumerate(rows, start=1) if any(r)]
    if numbered and tuple(reference.fold(c) for c in numbered[0][1][:2]) == HEADER:
        numbered = numbered[1:]
    if not numbered:
        raise InputError([error("Behovskortet er tomt", file=file, hint=EXPECTED)])
    groups = _groups(vocab)
    meta = indicator_meta[["indicator_id", "name"]].astype(str)
    problems, rules = [], []
    for n, row in numbered:
        if len(row) != 2:
            sep = next((s for s in (",", "\t") if s in ";".join(row)), "")
            problems.append(
                error(
                    f"Rækken har {len(row)} kolonne{'' if len(row) == 1 else 'r'}, ikke 2"
                    + (
                        f": skilletegnet ser ud til at være {'tabulator' if sep == chr(9) else 'komma'}"
                        if sep
                        else ""
                    ),
                    file=file,
                    row=n,
                    value=";".join(row)[:120],
                    hint="Adskil målgruppe og indikator med semikolon (;). " + EXPECTED,
                )
            )
            continue
        group, pattern = row
        code = _group_code(group, groups)
        if code is None:
            problems.append(
                error(
                    "Ukendt målgruppe",
                    file=file,
                    row=n,
                    column="målgruppe",
                    value=group,
                    hint="Brug en målgruppe fra ordlisten (navn eller kode), fx "
                    + ", ".join(f"'{label}'" for label in groups["label"].head(4)),
                )
            )
            continue
        if pattern and not any(matches(pattern, m, i) for i, m in zip(meta["indicator_id"], meta["name"])):
            names = ", ".join(f"'{m}'" for m in meta["name"]) or "ingen"
            problems.append(
                error(
                    "Ingen indikator har det navn",
                    file=file,
                    row=n,
                    column="indikator",
                    value=pattern,
                    hint=f"Skriv hele indikatorens navn eller en del af det. Indlæste indikatorer: {names}.",
                )
            )
            continue
        rules.append(Rule(code, pattern, file))
    if problems:
        raise InputError(problems[:20])
    return rules


def in_force(file_rules: Sequence[Rule]) -> list[Rule]:
    """The rules in force: the coordinator's for each group they name, the defaults for the others."""
    named = {r.target_group for r in file_rules}
    return [*file_rules, *(r for r in default_rules() if r.target_group not in named)]


def frames(
    file_rules: Sequence[Rule], vocab: pd.DataFrame, indicator_meta: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The build's tables: ``ref_target_group_need`` (target_group, indicator_id, rule, origin; one row per
    target group, NULL where none matches) and ``ref_target_group_need_file`` (the coordinator's rules)."""
    rules = in_force(file_rules)
    meta = indicator_meta[["indicator_id", "name"]].astype(str)
    chosen = []
    for code in _groups(vocab)["code"]:
        hit = next(
            (
                (i, r)
                for r in rules
                if r.target_group == code
                for i, m in zip(meta["indicator_id"], meta["name"])
                if matches(r.pattern, m, i)
            ),
            None,
        )
        origin = next((r.origin for r in rules if r.target_group == code), None)
        chosen.append((code, hit[0] if hit else None, hit[1].pattern if hit else None, origin))
    need = pd.DataFrame(chosen, columns=["target_group", "indicator_id", "rule", "origin"]).astype("string")
    kept = pd.DataFrame(
        {
            "target_group": pd.Series([r.target_group for r in file_rules], dtype="string"),
            "pattern": pd.Series([r.pattern for r in file_rules], dtype="string"),
            "file_name": pd.Series([r.origin for r in file_rules], dtype="string"),
        }
    )
    return need, kept


def from_frame(kept: pd.DataFrame) -> list[Rule]:
    """The coordinator's rules a build holds (for a rebuild, which keeps them)."""
    return [Rule(r["target_group"], r["pattern"] or "", r["file_name"]) for r in kept.to_dict("records")]
