"""Declared checks on the typed tables (pandera: required, unique ids, accepted values,
ranges) and checks across tables (references, date order), as located ``Issue``s.

``validate`` returns only the issues it finds itself; cells that ``clean`` already
reported as errors are not reported twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import chain

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow
import pyarrow.compute as pc
from pandera.errors import SchemaErrors

from civilkort import danish, reference
from civilkort.issues import ERROR, Issue, error, warning
from civilkort.reference import fold
from civilkort.schema import ORGANISATIONS, TABLES, TABLES_BY_NAME, VOCABULARY_NAMES, Field, Table

from .clean import KIND_DTYPES, LIST_KINDS, MAX_ISSUES_PER_COLUMN, CleanInput, empty_table

HSDS_OFFER_SHEET = "service"
"""The sheet of an offer read from HSDS (its rows keep the HSDS entity as their sheet). Such an offer may
have no theme: another publisher's feed has no Danish themes, and it is loaded as 'Tema ikke angivet'.
The template and CSV files keep requiring one. The build's check ``offers_have_theme`` says the same."""
OPTIONAL_FROM_HSDS = frozenset({("offers", "themes")})
"""(table, field) required in the template but not in an HSDS input."""

DATE_MIN = pd.Timestamp("1900-01-01")
DATE_MAX = pd.Timestamp("2100-12-31")


@dataclass(frozen=True)
class _Rule:
    """How a failed check reads in Danish."""

    message: Callable[[str], str]  # value -> message
    hint: str


def _value_text(value: object) -> str:
    if isinstance(value, list | tuple | np.ndarray):
        return "; ".join(str(v) for v in value)
    if isinstance(value, pd.Timestamp):
        return danish.date(value)
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


@lru_cache(maxsize=1)
def _municipality_codes() -> tuple[int, ...]:
    return tuple(int(c) for c in reference.municipalities()["municipality_code"])


def _items_in(allowed: frozenset[str]) -> Callable[[pd.Series], pd.Series]:
    """A vectorised check: every item of each row's list is in ``allowed`` (a missing value passes)."""

    def check(s: pd.Series) -> pd.Series:
        values = s.to_numpy(dtype=object)
        with suppress(TypeError):  # an unhashable item
            # the usual column, lists of allowed codes: one pass in C (exploding took 10 times longer)
            if set(map(type, values)) <= {list} and allowed.issuperset(chain.from_iterable(values)):
                return pd.Series(True, index=s.index)
        items = s.explode()
        ok = items.isna() | items.isin(allowed)
        return ok.groupby(level=0).all().reindex(s.index, fill_value=True)

    return check


def _not_empty_list(s: pd.Series) -> pd.Series:
    """A vectorised check: each row holds a list with at least one item (a missing value passes)."""
    try:  # the typed tables from clean hold a list in every row: lengths in one C loop
        lengths = np.fromiter(map(len, s.to_numpy(dtype=object)), dtype=np.int64, count=len(s))
    except TypeError:
        present = s.dropna()
        if len(present) < len(s):  # the rest checked on their own, as pandera's ignore_na would
            return _not_empty_list(present).reindex(s.index, fill_value=True)
        return s.map(lambda v: isinstance(v, list | tuple | np.ndarray) and len(v) > 0).astype(bool)
    return pd.Series(lengths > 0, index=s.index)


def _checks_for(
    f: Field, table: Table, vocab_codes: dict[str, frozenset[str]], labels: dict[str, str]
) -> tuple[list[pa.Check], list[_Rule]]:
    """The pandera checks for one field and how a failure of each reads (same order)."""
    checks: list[pa.Check] = []
    rules: list[_Rule] = []
    header = f.header

    def add(check: pa.Check, rule: _Rule) -> None:
        checks.append(check)
        rules.append(rule)

    if f.required and f.kind in LIST_KINDS:
        what = {"unit_ids": "én regional enhed", "organisation_ids": "én organisation"}.get(f.name)
        message = (
            (lambda v, what=what: f"Et samarbejde skal have mindst {what}")
            if table.name == "collaborations" and what
            else (lambda v: f"Kolonnen {header} skal udfyldes")
        )
        add(
            pa.Check(_not_empty_list, name=f"not_empty:{f.name}", ignore_na=False),
            _Rule(message, f"Udfyld kolonnen {header}."),
        )
    if f.kind == "vocab" and f.vocabulary:
        allowed = vocab_codes.get(f.vocabulary, frozenset())
        add(
            pa.Check.isin(sorted(allowed), name=f"vocab:{f.name}"),
            _Rule(lambda v: f"Ukendt værdi '{v}' i kolonnen {header}", labels.get(f.vocabulary, "")),
        )
    elif f.kind == "vocab_list" and f.vocabulary:
        allowed = vocab_codes.get(f.vocabulary, frozenset())
        add(
            pa.Check(_items_in(allowed), name=f"vocab_list:{f.name}", ignore_na=False),
            _Rule(lambda v: f"Ukendt værdi i kolonnen {header}: '{v}'", labels.get(f.vocabulary, "")),
        )
    elif f.kind == "area_list":
        add(
            pa.Check(
                _items_in(frozenset(reference.area_names())), name=f"area_list:{f.name}", ignore_na=False
            ),
            _Rule(
                lambda v: f"Ukendt område i kolonnen {header}: '{v}'",
                "Områder skrives 'municipality:751', 'council:aarhus', 'region:midtjylland' eller 'national:DK'.",
            ),
        )
    elif f.kind == "municipality":
        add(
            pa.Check.isin(_municipality_codes(), name=f"municipality:{f.name}"),
            _Rule(lambda v: f"Ukendt kommunekode {v}", "Brug en af de 98 kommunekoder, fx 751 for Aarhus."),
        )
    elif f.kind == "cvr":
        add(
            pa.Check.str_matches(r"^\d{8}$", name=f"cvr:{f.name}"),
            _Rule(lambda v: f"Ugyldigt CVR-nummer '{v}'", "Et CVR-nummer er 8 cifre, fx 12345678."),
        )
    elif f.kind == "postcode":
        add(
            pa.Check.str_matches(r"^\d{4}$", name=f"postcode:{f.name}"),
            _Rule(lambda v: f"Ugyldigt postnummer '{v}'", "Et postnummer er 4 cifre, fx 8000."),
        )
    elif f.kind == "date":
        add(
            pa.Check.in_range(DATE_MIN, DATE_MAX, name=f"date_range:{f.name}"),
            _Rule(
                lambda v: f"Datoen {danish.date(v)} ligger uden for årene 1900-2100",
                "Tjek årstallet; datoer skrives dd-mm-åååå, fx 01-03-2025.",
            ),
        )
    return checks, rules


def _vocab_hints(vocabularies: pd.DataFrame) -> dict[str, str]:
    hints = {}
    for name, group in vocabularies.sort_values("sort_order", kind="stable").groupby("vocabulary"):
        pairs = [f"{c} ({lab})" for c, lab in zip(group["code"], group["label"], strict=True)]
        shown = ", ".join(pairs[:20]) + (" ..." if len(pairs) > 20 else "")
        hints[str(name)] = f"Tilladte koder for {VOCABULARY_NAMES.get(str(name), name)}: {shown}."
    return hints


def _dtype_ok(kind: str, dtype: object) -> bool:
    if kind in LIST_KINDS:
        return dtype == np.dtype(object)
    if KIND_DTYPES[kind] == "string":
        return pd.api.types.is_string_dtype(dtype)
    if kind == "municipality":
        return pd.api.types.is_integer_dtype(dtype)
    if kind == "float":
        return pd.api.types.is_float_dtype(dtype) or pd.api.types.is_integer_dtype(dtype)
    if kind == "date":
        return isinstance(dtype, np.dtype) and dtype.kind == "M"
    if kind == "bool":
        return pd.api.types.is_bool_dtype(dtype)
    return True


class _Locator:
    """Turns row positions of one table into Issues located by _file/_sheet/_row."""

    def __init__(self, table: Table, df: pd.DataFrame):
        self.table = table
        self.df = df
        self.counts: dict[tuple[str, str], int] = {}
        self.summary: dict[tuple[str, str], Issue] = {}

    # made on first use: most tables have nothing to locate
    @cached_property
    def files(self) -> np.ndarray:
        """The file of each row."""
        df = self.df
        return df["_file"].astype(str).to_numpy() if "_file" in df else np.array([""] * len(df), dtype=object)

    @cached_property
    def sheets(self) -> np.ndarray:
        """The sheet of each row ('' for CSV)."""
        df = self.df
        return (
            df["_sheet"].astype(str).to_numpy() if "_sheet" in df else np.array([""] * len(df), dtype=object)
        )

    @cached_property
    def rows(self) -> np.ndarray:
        """The user-visible row number of each row."""
        df = self.df
        return df["_row"].to_numpy() if "_row" in df else np.arange(2, len(df) + 2)

    def row_of(self, pos: int) -> int | None:
        """The user-visible row number of a position."""
        row = self.rows[pos]
        return None if pd.isna(row) else int(row)

    def place_of(self, pos: int, seen_from: int) -> str:
        """'3', or '3 (fil b.csv)' / '3 (fil a.xlsx, ark Tilbud)' when it is elsewhere than ``seen_from``."""
        row = str(self.row_of(pos))
        if (self.files[pos], self.sheets[pos]) == (self.files[seen_from], self.sheets[seen_from]):
            return row
        where = f"fil {self.files[pos]}" + (f", ark {self.sheets[pos]}" if self.sheets[pos] else "")
        return f"{row} ({where})"

    def issue(self, pos: int, message: str, column: str, value: object, hint: str, key: str) -> Issue | None:
        """An error at a row, or None once ``MAX_ISSUES_PER_COLUMN`` were made for ``key``."""
        k = (column, key)
        self.counts[k] = self.counts.get(k, 0) + 1
        if self.counts[k] > MAX_ISSUES_PER_COLUMN:
            extra = self.counts[k] - MAX_ISSUES_PER_COLUMN
            self.summary[k] = error(
                f"{extra} rækker mere med samme slags fejl i kolonnen {column} på arket {self.table.sheet}",
                file=str(self.files[pos]),
                sheet=str(self.sheets[pos]),
                column=column,
                hint="Ret de viste rækker og indlæs igen for at se resten.",
            )
            return None
        return error(
            message,
            file=str(self.files[pos]),
            sheet=str(self.sheets[pos]),
            row=self.row_of(pos),
            column=column,
            value=_value_text(value),
            hint=hint,
        )


def _structure_issues(table: Table, df: pd.DataFrame) -> list[Issue]:
    """Missing columns and columns of the wrong dtype (typed tables made by code, not by clean)."""
    issues = []
    for f in table.fields:
        if f.name not in df.columns:
            issues.append(
                error(
                    f"Kolonnen {f.header} ({f.name}) mangler i tabellen {table.name}",
                    column=f.header,
                    hint="Typede tabeller skal have alle felter fra civilkort.schema.",
                )
            )
        elif not _dtype_ok(f.kind, df[f.name].dtype):
            issues.append(
                error(
                    f"Kolonnen {f.header} ({f.name}) i tabellen {table.name} har typen {df[f.name].dtype}; "
                    f"forventet {KIND_DTYPES[f.kind]}",
                    column=f.header,
                    hint="Se typeformatet i etl.clean (KIND_DTYPES).",
                )
            )
    return issues


def _schema_issues(
    table: Table, df: pd.DataFrame, vocab_codes: dict[str, frozenset[str]], hints: dict[str, str]
) -> list[Issue]:
    """Run the table's pandera schema and translate its failure cases."""
    columns: dict[str, pa.Column] = {}
    rules: dict[tuple[str, int], _Rule] = {}
    skip = {i.column for i in _structure_issues(table, df)}
    for f in table.fields:
        if f.header in skip:
            continue
        checks, field_rules = _checks_for(f, table, vocab_codes, hints)
        rules.update({(f.name, k): r for k, r in enumerate(field_rules)})
        nullable = not f.required or f.kind in LIST_KINDS
        columns[f.name] = pa.Column(None, checks, nullable=nullable, unique=f.kind == "id", required=True)
    schema = pa.DataFrameSchema(columns, strict=False, name=table.name)
    try:
        schema.validate(df, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    loc = _Locator(table, df)
    issues: list[Issue] = []
    ids = table.id_field.name
    for column, check, number, index in zip(
        cases["column"], cases["check"], cases["check_number"], cases["index"], strict=True
    ):
        if index is None or pd.isna(index) or column not in df.columns:
            continue
        pos = int(index)
        if (
            check == f"not_empty:{column}"
            and (table.name, column) in OPTIONAL_FROM_HSDS
            and loc.sheets[pos] == HSDS_OFFER_SHEET
        ):
            continue
        f = table.field(column)
        value = df[column].iloc[pos]
        if check == "not_nullable":
            message, hint = f"Kolonnen {f.header} skal udfyldes", f"Udfyld {f.header} i rækken."
            if f.name == ids:
                hint = "Giv rækken et entydigt id, fx ORG-001."
        elif check == "field_uniqueness":
            same = df.index[df[column] == value]
            others = [loc.place_of(int(p), pos) for p in same if int(p) != pos][:10]
            message = f"Id'et '{value}' findes flere gange på arket {table.sheet}"
            hint = f"Også i række {', '.join(others)}. Hvert id må kun bruges én gang." if others else ""
        elif number is not None and not pd.isna(number) and (column, int(number)) in rules:
            rule = rules[(column, int(number))]
            shown = value
            if isinstance(value, list):
                allowed = _allowed_for(f, vocab_codes)
                shown = "; ".join(v for v in value if v not in allowed)
            message, hint = rule.message(_value_text(shown)), rule.hint
        else:
            message, hint = f"Kontrollen {check} fejlede for kolonnen {f.header}", ""
        issue = loc.issue(pos, message, f.header, value, hint, str(check))
        if issue is not None:
            issues.append(issue)
    return issues + list(loc.summary.values())


def _allowed_for(f: Field, vocab_codes: dict[str, frozenset[str]]) -> frozenset[str]:
    if f.kind == "area_list":
        return frozenset(reference.area_names())
    return vocab_codes.get(f.vocabulary or "", frozenset())


def _id_key(value: str) -> str:
    """An id compared loosely: case, spacing, punctuation and leading zeros ignored ('org 01' ~ 'ORG-001').

    No fuzzy matching: ids are often sequential, and 'ORG-1' is not a typo for 'ORG-2'.
    """
    return re.sub(r"\d+", lambda m: str(int(m.group())), fold(value)).replace(" ", "")


def _suggestion(missing: str, keys: dict[str, str]) -> str:
    hit = keys.get(_id_key(missing))
    return f"Mente du '{hit}'? " if hit else ""


def _is_in(s: pd.Series, ids: pd.Index) -> np.ndarray:
    """Whether each value is one of the text ``ids``; Arrow text is looked up in Arrow (pandas' isin
    took 20 times longer than Arrow's, and converting to objects first twice as long)."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        found = pc.is_in(pyarrow.array(s), value_set=pyarrow.array(ids, type=pyarrow.large_string()))
        return found.to_numpy(zero_copy_only=False)
    return s.astype(object).isin(ids).to_numpy()


def _reference_issues(tables: dict[str, pd.DataFrame]) -> list[Issue]:
    """Every ref / ref_list value must be an id in the table it points to."""
    issues: list[Issue] = []
    for table in TABLES:
        df = tables[table.name]
        loc = _Locator(table, df)
        for f in table.fields:
            if f.kind not in ("ref", "ref_list") or f.name not in df.columns or not f.ref_table:
                continue
            target = TABLES_BY_NAME[f.ref_table]
            tdf = tables.get(target.name)
            id_name = target.id_field.name
            ids = (
                pd.Index(tdf[id_name].dropna().astype(str).unique())
                if tdf is not None and id_name in tdf
                else pd.Index([])
            )
            s = df[f.name]
            items = s if f.kind == "ref" else s.explode()
            bad = items.notna() & ~_is_in(items, ids)
            if not bad.any():
                continue
            missing = items[bad]
            uniques = missing.astype(str).unique()
            keys = {_id_key(i): i for i in ids} if len(uniques) else {}
            hints = {
                u: _suggestion(u, keys)
                + f"Tjek id'et, eller tilføj en række med id'et '{u}' på arket {target.sheet}."
                for u in uniques
            }
            for pos, value in zip(missing.index, missing.astype(str), strict=True):
                issue = loc.issue(
                    int(pos),
                    f"Id'et '{value}' findes ikke på arket {target.sheet}",
                    f.header,
                    value,
                    hints[value],
                    f"ref:{f.name}",
                )
                if issue is not None:
                    issues.append(issue)
        issues.extend(loc.summary.values())
    return issues


def _date_order_issues(tables: dict[str, pd.DataFrame]) -> list[Issue]:
    """A start date must not be after the end date."""
    issues: list[Issue] = []
    for table in TABLES:
        df = tables[table.name]
        if not {"start_date", "end_date"} <= set(df.columns) or df.empty:
            continue
        start, end = df["start_date"], df["end_date"]
        bad = (start.notna() & end.notna() & (start > end)).to_numpy()
        loc = _Locator(table, df)
        header = table.field("end_date").header
        for pos in np.flatnonzero(bad):
            issue = loc.issue(
                int(pos),
                f"Slutdatoen {danish.date(end.iloc[pos])} ligger før startdatoen {danish.date(start.iloc[pos])}",
                header,
                end.iloc[pos],
                "Ret datoerne, eller lad slutdatoen være tom for et løbende samarbejde.",
                "date_order",
            )
            if issue is not None:
                issues.append(issue)
        issues.extend(loc.summary.values())
    return issues


def _duplicate_name_issues(orgs: pd.DataFrame) -> list[Issue]:
    """Warnings for organisations with the same name (case and spacing aside) under different ids.

    Only exact names; near-duplicates ('ÆldreSagen, Århus') are the duplicate finder's job.
    """
    if orgs.empty or "name" not in orgs:
        return []
    key = orgs["name"].astype("string").str.casefold()
    spaced = key.str.contains("[\t\n\r\u00a0]|  ", regex=True).fillna(False)  # the few with space to collapse
    if spaced.any():
        key[spaced] = key[spaced].str.replace("[ \t\n\r\u00a0]+", " ", regex=True)
    key = key.str.strip()
    ids = orgs[ORGANISATIONS.id_field.name].astype("string")
    dup = key.notna() & key.duplicated(keep=False)
    if not dup.any():
        return []
    loc = _Locator(ORGANISATIONS, orgs)
    header = ORGANISATIONS.field("name").header
    first: dict[str, int] = {}
    issues: list[Issue] = []
    extra = 0
    for pos in np.flatnonzero(dup.to_numpy()):
        k = key.iat[pos]
        if k not in first:
            first[k] = int(pos)
            continue
        other = first[k]
        this_id, other_id = ids.iat[pos], ids.iat[other]
        if pd.isna(this_id) or pd.isna(other_id) or this_id == other_id:
            continue  # a missing or repeated id is an error reported elsewhere
        if len(issues) >= MAX_ISSUES_PER_COLUMN:
            extra += 1
            continue
        issues.append(
            warning(
                f"Navnet '{orgs['name'].iat[pos]}' bruges også af organisationen '{ids.iat[other]}' "
                f"(række {loc.place_of(other, int(pos))})",
                file=str(loc.files[pos]),
                sheet=str(loc.sheets[pos]),
                row=loc.row_of(int(pos)),
                column=header,
                value=str(orgs["name"].iat[pos]),
                hint="Er det den samme organisation, så brug ét id og slet den ene række. Er det forskellige "
                "afdelinger, så skriv fx byen i navnet.",
            )
        )
    if extra:
        issues.append(
            warning(
                f"{extra} organisationer mere har samme navn som en anden organisation",
                column=header,
                hint="Ret de viste rækker og indlæs igen for at se resten.",
            )
        )
    return issues


def validate(data: CleanInput) -> list[Issue]:
    """Declared and cross-table checks on typed tables; issues not already found by clean."""
    vocab = data.vocabularies
    vocab_codes = {
        str(name): frozenset(group["code"].astype(str))
        for name, group in vocab.groupby("vocabulary", sort=False)
    }
    hints = _vocab_hints(vocab)
    tables: dict[str, pd.DataFrame] = {}
    issues: list[Issue] = []
    for table in TABLES:
        df = data.tables.get(table.name)
        df = empty_table(table.name) if df is None else df.reset_index(drop=True)
        tables[table.name] = df
        issues.extend(_structure_issues(table, df))
        if not df.empty:
            issues.extend(_schema_issues(table, df, vocab_codes, hints))
    issues.extend(_reference_issues(tables))
    issues.extend(_date_order_issues(tables))
    issues.extend(_duplicate_name_issues(tables[ORGANISATIONS.name]))
    known = {(i.file, i.sheet, i.row, i.column) for i in data.issues if i.severity == ERROR}
    return [i for i in issues if i.row is None or (i.file, i.sheet, i.row, i.column) not in known]
