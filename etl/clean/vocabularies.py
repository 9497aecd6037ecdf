"""The vocabularies in force: the built-in ones plus the additions from the sheet Vokabularer."""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from civilkort import reference
from civilkort.issues import Issue, error, warning
from civilkort.reference import fold
from civilkort.schema import (
    EXTENSIBLE_VOCABULARIES,
    TABLES,
    VOCABULARY_ADDITIONS,
    VOCABULARY_NAMES,
)

from .columns import _provenance
from .values import _suggest, _text

VOCABULARY_COLUMNS = ["vocabulary", "code", "label", "description", "sort_order", "is_builtin"]


# ---------------------------------------------------------------- vocabulary additions


@lru_cache(maxsize=1)
def _vocabulary_name_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for vid, name in VOCABULARY_NAMES.items():
        keys[fold(vid)] = vid
        keys[fold(name)] = vid
    for table in TABLES:
        for f in table.fields:
            if f.vocabulary:
                keys.setdefault(fold(f.header), f.vocabulary)
                keys.setdefault(fold(f.name), f.vocabulary)
    return keys


def code_for_label(label: str) -> str:
    """A code made from a label: 'Unge med spiseforstyrrelser' -> 'unge_med_spiseforstyrrelser'."""
    return fold(label).replace(" ", "_")


def builtin_vocabularies() -> pd.DataFrame:
    """The built-in vocabularies in the CleanInput.vocabularies format."""
    v = reference.vocabularies()
    out = v[["vocabulary", "code", "label", "description"]].astype("str")
    out["sort_order"] = v["sort_order"].astype("int64")
    out["is_builtin"] = True
    return out.reset_index(drop=True)


def _clean_vocabularies(raw: pd.DataFrame | None, issues: list[Issue]) -> pd.DataFrame:
    """Built-in vocabularies plus the user's additions (checked one by one; few rows)."""
    builtin = builtin_vocabularies()
    if raw is None or raw.empty:
        return builtin
    raw = raw.reset_index(drop=True)
    prov = _provenance(raw)
    headers = {f.name: f.header for f in VOCABULARY_ADDITIONS.fields}
    extensible = ", ".join(VOCABULARY_NAMES[v] for v in sorted(EXTENSIBLE_VOCABULARIES))
    known: dict[tuple[str, str], str] = {}  # (vocabulary, folded code) -> label
    labels: dict[tuple[str, str], str] = {}  # (vocabulary, folded label) -> code
    next_order: dict[str, int] = {}
    for v, c, lab, order in zip(
        builtin["vocabulary"], builtin["code"], builtin["label"], builtin["sort_order"], strict=True
    ):
        known[(v, fold(c))] = lab
        labels[(v, fold(lab))] = c
        next_order[v] = max(next_order.get(v, 0), int(order) + 1)
    added = []
    for i in range(len(raw)):
        where = {
            "file": str(prov["_file"].iloc[i]),
            "sheet": str(prov["_sheet"].iloc[i]),
            "row": int(prov["_row"].iloc[i]),
        }
        vocab_text = _text(raw["vocabulary"].iloc[i]) if "vocabulary" in raw else None
        label = _text(raw["label"].iloc[i]) if "label" in raw else None
        code = _text(raw["code"].iloc[i]) if "code" in raw else None
        description = (_text(raw["description"].iloc[i]) if "description" in raw else None) or ""
        if vocab_text is None:
            issues.append(
                error(
                    "Vokabular mangler",
                    column=headers["vocabulary"],
                    hint=f"Skriv hvilket vokabular værdien hører til: {extensible}.",
                    **where,
                )
            )
            continue
        vocab = _vocabulary_name_keys().get(fold(vocab_text))
        if vocab is None:
            best = _suggest(vocab_text, list(VOCABULARY_NAMES.values()))
            issues.append(
                error(
                    f"Ukendt vokabular '{vocab_text}'",
                    column=headers["vocabulary"],
                    value=vocab_text,
                    hint=(f"Mente du '{best}'? " if best else "")
                    + f"Vokabularer der kan udvides: {extensible}.",
                    **where,
                )
            )
            continue
        if vocab not in EXTENSIBLE_VOCABULARIES:
            issues.append(
                error(
                    f"Vokabularet '{VOCABULARY_NAMES[vocab]}' kan ikke udvides",
                    column=headers["vocabulary"],
                    value=vocab_text,
                    hint=f"Værdierne styrer kortets logik. Vokabularer der kan udvides: {extensible}.",
                    **where,
                )
            )
            continue
        if label is None:
            issues.append(
                error(
                    "Betegnelse mangler",
                    column=headers["label"],
                    hint="Skriv den nye værdi, som den skal stå i listerne.",
                    **where,
                )
            )
            continue
        if ";" in label or "\n" in label:
            issues.append(
                error(
                    f"Betegnelsen '{label}' indeholder semikolon eller linjeskift",
                    column=headers["label"],
                    value=label,
                    hint="Semikolon og linjeskift adskiller værdier i lister; brug fx komma eller bindestreg.",
                    **where,
                )
            )
            continue
        code = code or code_for_label(label)
        existing_label = known.get((vocab, fold(code)))
        existing_code = labels.get((vocab, fold(label)))
        if existing_label is not None and fold(existing_label) != fold(label):
            issues.append(
                error(
                    f"Koden '{code}' bruges allerede til '{existing_label}' i {VOCABULARY_NAMES[vocab]}",
                    column=headers["code"],
                    value=code,
                    hint="Vælg en anden kode, eller lad feltet være tomt.",
                    **where,
                )
            )
            continue
        if existing_label is not None or existing_code is not None:
            issues.append(
                warning(
                    f"'{label}' findes allerede i {VOCABULARY_NAMES[vocab]}; rækken ignoreres",
                    column=headers["label"],
                    value=label,
                    **where,
                )
            )
            continue
        known[(vocab, fold(code))] = label
        labels[(vocab, fold(label))] = code
        added.append(
            {
                "vocabulary": vocab,
                "code": code,
                "label": label,
                "description": description,
                "sort_order": next_order[vocab],
                "is_builtin": False,
            }
        )
        next_order[vocab] += 1
    if not added:
        return builtin
    extra = pd.DataFrame(added, columns=VOCABULARY_COLUMNS)
    out = pd.concat([builtin, extra], ignore_index=True)
    out[["vocabulary", "code", "label", "description"]] = out[
        ["vocabulary", "code", "label", "description"]
    ].astype("str")
    return out.astype({"sort_order": "int64", "is_builtin": "bool"})
