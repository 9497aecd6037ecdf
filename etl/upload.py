"""Files a coordinator uploads in the app: save them, check them against the serving build, build.

The app's page (``app_pages/indlaes.py`` with ``ui/upload.py``) only shows what these functions
return; nothing here imports Streamlit.  The flow:

1. :func:`etl.upload_files.save_uploads` writes the files under ``data/uploads/<time>-<random>/`` with safe names
   (the original names are kept for every message);
2. :func:`check_upload` reads and cleans them through the same :mod:`etl.read` and :mod:`etl.clean`
   as the command line, lays them over the serving build's stored inputs (``opdater`` or
   ``erstat``, see :mod:`etl.diff`), and validates and places the result with the serving build's
   boundaries, without writing a database: every finding, and what would change;
3. :func:`build_upload` builds that result the usual all-or-nothing way.  On any error the database
   that was serving keeps serving.

Saving needs a coordinator; building needs scope over every record the upload adds, changes or removes
(:mod:`etl.scope`: a coordinator of each record's council; records elsewhere are refused by name), and a
national administrator for population, boundary or indicator files (they hold every municipality).  Checked here,
not only by the page; :func:`check_upload` with a ``principal`` also lists what is outside the caller's
councils as errors, so the preview says so before anyone presses *Byg*.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import pandas as pd

from civilkort import auth, reference
from civilkort.auth import COORDINATOR, Principal
from civilkort.db import Database, current_path
from civilkort.issues import InputError, Issue, error, warning
from civilkort.reference import fold
from civilkort.schema import TABLES, TABLES_BY_NAME, VOCABULARY_NAMES
from civilkort.settings import Settings, settings
from civilkort.store import open_store
from etl import scope
from etl.boundaries import Boundaries, BoundaryError
from etl.build import BuildError, BuildResult, OutdatedBase, StepCallback, build, prepare
from etl.clean import CleanInput, builtin_vocabularies, clean, empty_table
from etl.diff import MODES, REPLACE, UPDATE, Diff, diff, value_text
from etl.housing import HousingList, read_housing_areas
from etl.hsds.vocabulary_map import load_map
from etl.indicators import Indicator, read_indicator
from etl.indicators import frames as indicator_frames
from etl.need_map import Rule, read_need_map
from etl.read import RawInput, read_inputs
from etl.rebuild import (
    DATA_TABLES,
    NothingToRebuild,
    current_inputs,
    stored_boundaries,
    stored_housing,
    stored_indicators,
    stored_need_map,
    stored_population,
    with_changes,
)
from etl.upload_files import SavedFile, Upload

INDICATOR_UNITS = ("personer", "procent", "pr. 1.000")
"""The units offered for an uploaded indicator, as :func:`etl.indicators.unit_code` reads them."""
STORED = "allerede indlæst"
"""Provenance of rows that come from the serving build, not from the upload."""
STEPS = {
    "valider": "Data valideret",
    "placer": "Placeringer fundet",
    "afled": "Kommuner og sundhedsråd afledt",
    "dubletter": "Mulige dubletter fundet",
    "skriv database": "Ny databasefil skrevet",
    "læsetabeller": "Læsetabeller til appens lister lagt klar",
    "datatjek": "Datatjek bestået",
    "persondata i lageret": "Personoplysninger gemt i lageret",
}
"""The steps a build reports through its ``on_step`` callback, in order, with what they mean in Danish."""
ISSUE_HEADERS = {
    "severity": "Type",
    "file": "Fil",
    "sheet": "Ark",
    "row": "Række",
    "column": "Kolonne",
    "value": "Værdi",
    "message": "Besked",
    "hint": "Råd",
}
MODE_LABELS = {UPDATE: "opdateret", REPLACE: "erstattet"}


class UploadOutdated(Exception):
    """The serving build changed after the files were checked; check them again before building."""


@dataclass(frozen=True)
class IndicatorAbout:
    """What the coordinator says about an uploaded indicator file; empty fields come from the file."""

    name: str = ""
    unit: str = ""
    period: str = ""
    source: str = ""


def _upload_outcome(
    check: Check, principal: Principal, cfg: Settings, status: str, build: str | None
) -> None:
    """Note on the upload's record what became of it (built into which build, or refused) and the councils
    its records touch; an upload saved before the store kept records is left as it is."""
    councils = sorted({t.council_id or "national" for t in check.touched})
    store = open_store(cfg)
    with store.write(principal.actor) as tx:
        if tx.get("uploads", check.upload.folder.name) is None:
            return
        changes = {"status": status, "build": build, "council_ids": json.dumps(councils)}
        tx.update("uploads", check.upload.folder.name, changes, action=f"upload {status}")


# ---------------------------------------------------------------- checking


@dataclass
class Check:
    """An upload read, cleaned, laid over the serving build and validated, with what it would change."""

    upload: Upload
    mode: str
    base: Path | None
    """The database file serving when the files were checked (None: no database yet)."""
    base_meta: dict[str, str]
    issues: list[Issue]
    diff: Diff | None
    """None when the files could not be read at all."""
    data: CleanInput | None = None
    boundaries: Boundaries | None = None
    population: pd.DataFrame | None = None
    indicators: list[Indicator] = field(default_factory=list)
    """The need indicators to build with: the serving build's, with the uploaded one added or replacing one
    with the same name."""
    vocabulary_added: list[tuple[str, str]] = field(default_factory=list)
    """(vocabulary name, label) of new vocabulary values in the upload."""
    touched: list[scope.Touched] = field(default_factory=list)
    """Every record the upload adds, changes or removes, with its council(s)."""
    new_indicator: Indicator | None = None
    """The uploaded indicator, as read (also in ``indicators``)."""
    housing: HousingList | None = None
    """The list of vulnerable housing areas to build with: the uploaded one, else the serving build's."""
    need_map: list[Rule] = field(default_factory=list)
    """Which indicator counts each target group's people: the uploaded rules, else the serving build's."""

    @property
    def errors(self) -> list[Issue]:
        """Findings that stop the build."""
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        """Findings that do not stop the build."""
        return [i for i in self.issues if not i.is_error]

    def is_from_upload(self, issue: Issue) -> bool:
        """True if the finding is about one of the uploaded files (not the data already loaded)."""
        return issue.file in {f.original for f in self.upload.files}

    def labels(self) -> dict[str, dict[str, str]]:
        """How to show codes in this upload's preview (its vocabularies and municipality names)."""
        return display_labels(self.data.vocabularies if self.data is not None else builtin_vocabularies())

    @property
    def changes_anything(self) -> bool:
        """True if building would change the data, the population, the boundaries or the indicators."""
        return bool(
            (self.diff is not None and self.diff.has_changes)
            or self.vocabulary_added
            or self.upload.population is not None
            or self.upload.boundaries is not None
            or self.upload.indicator is not None
            or self.upload.housing is not None
            or self.upload.need_map is not None
        )

    @property
    def can_build(self) -> bool:
        """True when there are no errors and something to build."""
        return self.data is not None and not self.errors and self.changes_anything


def _rename(issues: Iterable[Issue], names: Mapping[str, str]) -> list[Issue]:
    """Issues with saved file names turned back into the names the user gave the files."""
    odd = {s: o for s, o in names.items() if s != o}
    out = []
    for issue in issues:
        message, hint, file = issue.message, issue.hint, names.get(issue.file, issue.file)
        for saved, original in odd.items():
            message, hint = message.replace(saved, original), hint.replace(saved, original)
        out.append(replace(issue, file=file, message=message, hint=hint))
    return out


def _vocabulary_id(text: object) -> str | None:
    """The vocabulary id a cell names ('Målgrupper', 'target_group', a column header), or None."""
    key = fold(text)
    for vid, name in VOCABULARY_NAMES.items():
        if key in (fold(vid), fold(name)):
            return vid
    for t in TABLES:
        for f in t.fields:
            if f.vocabulary and key in (fold(f.header), fold(f.name)):
                return f.vocabulary
    return None


def _with_stored_vocabularies(raw: RawInput, stored: pd.DataFrame) -> None:
    """Put the serving build's own vocabulary values in front of the upload's, so rows may use them.

    The upload's rows that repeat a stored value are dropped (re-uploading the same workbook is quiet).
    """
    own = stored[~stored["is_builtin"].astype(bool)] if "is_builtin" in stored else stored.iloc[0:0]
    if own.empty:
        return
    known = {(str(v), fold(lab)) for v, lab in zip(own["vocabulary"], own["label"], strict=True)}
    given = raw.tables.get("vocabularies")
    if given is not None and len(given) and {"vocabulary", "label"} <= set(given.columns):
        repeat = [
            (_vocabulary_id(v), fold(lab)) in known if v is not None and lab is not None else False
            for v, lab in zip(given["vocabulary"], given["label"], strict=True)
        ]
        given = given[[not r for r in repeat]]
    rows = pd.DataFrame(
        {
            "vocabulary": own["vocabulary"].astype(object).to_numpy(),
            "code": own["code"].astype(object).to_numpy(),
            "label": own["label"].astype(object).to_numpy(),
            "description": own["description"].astype(object).to_numpy(),
            "_file": STORED,
            "_sheet": "Vokabularer",
            "_row": pd.Series(range(len(own)), dtype="int64").to_numpy() + 2,
        }
    )
    parts = [rows] if given is None or given.empty else [rows, given.astype({"_row": "int64"})]
    raw.tables["vocabularies"] = pd.concat(parts, ignore_index=True)


def _empty_inputs() -> CleanInput:
    return CleanInput({n: empty_table(n) for n in DATA_TABLES}, builtin_vocabularies(), [])


def _read_population(saved: SavedFile, issues: list[Issue]) -> pd.DataFrame | None:
    from etl.population import read_folk1a

    try:
        return read_folk1a(saved.path, issues)
    except InputError as exc:
        issues.extend(exc.with_warnings)
    except Exception as exc:  # noqa: BLE001 - pandas raises several types for files that are not CSV
        issues.append(
            error(
                f"Folketalsfilen kan ikke læses ({type(exc).__name__})",
                file=saved.path.name,
                hint="Hent FOLK1A som CSV (semikolon-separeret) fra Danmarks Statistik; se README.",
            )
        )
    return None


def _read_indicator(saved: SavedFile, about: IndicatorAbout, issues: list[Issue]) -> Indicator | None:
    """The uploaded indicator, named by the coordinator (else by the file's title or name); None on errors."""
    found: list[Issue] = []
    try:
        read = read_indicator(
            saved.path,
            name=about.name.strip() or None,
            unit=about.unit or None,
            period=about.period.strip() or None,
            source=about.source.strip() or None,
            issues=found,
        )
    except InputError as exc:
        issues.extend(exc.with_warnings)
        return None
    for issue in found:  # the command line's option is the page's field here
        cli = "--indicator-period" in issue.hint
        issues.append(replace(issue, hint="Skriv den i feltet Periode.") if cli else issue)
    name = Path(saved.original).stem if read.name == saved.path.stem else read.name
    return replace(read, name=name, file=saved.original)


def with_indicator(loaded: list[Indicator], new: Indicator) -> tuple[list[Indicator], Indicator | None]:
    """The loaded indicators with ``new`` added, or in the place of the one with the same name (returned)."""
    same = next((i for i in loaded if fold(i.name) == fold(new.name)), None)
    if same is None:
        return [*loaded, new], None
    return [new if i is same else i for i in loaded], same


def _read_boundaries(saved: SavedFile, issues: list[Issue]) -> Boundaries | None:
    from etl.boundaries import load

    try:
        shapes = load(saved.path)
    except BoundaryError as exc:
        issues.append(
            error(
                str(exc),
                file=saved.path.name,
                hint="Brug DAGI- eller GISCO-kommunegrænser som GeoJSON, TopoJSON, GeoPackage eller zip (se README).",
            )
        )
        return None
    shapes.source = saved.original
    return shapes


def _blanked_columns(
    changes: Diff, tables: Mapping[str, pd.DataFrame], given: Mapping[str, set[str]]
) -> list[Issue]:
    """Warnings for columns a file leaves out that would empty values in the rows it replaces."""
    issues = []
    for name, df in tables.items():
        td = changes.tables[name]
        if not td.n_changed:
            continue
        table = TABLES_BY_NAME[name]
        left_out = {f.name: f.header for f in table.fields if f.name not in given.get(name, set())}
        emptied = td.changes[td.changes["field"].isin(list(left_out)) & td.changes["old"].map(_has_value)]
        if emptied.empty:
            continue
        headers = [left_out[f] for f in dict.fromkeys(emptied["field"])]
        files = ", ".join(dict.fromkeys(df["_file"].astype(str)))
        issues.append(
            warning(
                f"Kolonnerne {', '.join(headers)} findes ikke i filen; de bliver tomme i "
                f"{emptied['id'].nunique()} af de {td.n_changed} rækker på arket {table.sheet}, der erstattes",
                file=files,
                sheet=str(df["_sheet"].iloc[0]) if len(df) else "",
                column=headers[0],
                hint="En række med samme id erstatter hele den hidtidige række. Tag kolonnerne med i filen, "
                "hvis de hidtidige værdier skal bevares.",
            )
        )
    return issues


def _has_value(value: object) -> bool:
    return value_text(value) != ""


def check_upload(
    upload: Upload,
    mode: str,
    *,
    indicator: IndicatorAbout | None = None,
    cfg: Settings | None = None,
    principal: Principal | None = None,
) -> Check:
    """Read, clean, merge and validate an upload against the serving build; writes nothing.

    ``indicator`` says what the upload's indicator file holds (name, unit, period, source).  With
    ``principal``, records outside the caller's councils (and population, boundary or indicator files
    without national scope) are errors in the check, named in Danish.
    """
    if mode not in MODES:
        raise ValueError(f"Ukendt tilstand '{mode}'")
    cfg = cfg or settings()
    base = current_path(cfg)
    issues: list[Issue] = []
    current, bounds, population, meta = _empty_inputs(), None, None, {}
    indicators: list[Indicator] = []
    housing: HousingList | None = None
    need_map: list[Rule] = []
    serving: scope.Councils = {}
    if base is not None:
        db = Database(base)
        try:
            meta = db.meta()
            serving = scope.serving_councils(db)
            try:
                current = current_inputs(db, cfg=cfg)
            except NothingToRebuild as exc:
                issues.append(
                    error(
                        str(exc),
                        hint="Byg databasen én gang fra filerne med 'python -m etl build'; derefter kan der "
                        "indlæses i appen.",
                    )
                )
                return Check(upload, mode, base, meta, issues, None)
            bounds, population = stored_boundaries(db), stored_population(db)
            indicators, housing, need_map = stored_indicators(db), stored_housing(db), stored_need_map(db)
        finally:
            db.close()
    if upload.population is not None:
        read = _read_population(upload.population, issues)
        population = read if read is not None else population
    if upload.boundaries is not None:
        shapes = _read_boundaries(upload.boundaries, issues)
        bounds = shapes if shapes is not None else bounds
    new: Indicator | None = None
    if upload.indicator is not None:
        new = _read_indicator(upload.indicator, indicator or IndicatorAbout(), issues)
        if new is not None:
            indicators, old = with_indicator(indicators, new)
            if old is not None:
                issues.append(
                    warning(
                        f"Indikatoren '{new.name}' erstatter den hidtidige med samme navn"
                        + (f" (fra {old.file})" if old.file else ""),
                        file=upload.indicator.original,
                        hint="Giv indikatoren et andet navn, hvis begge skal med.",
                    )
                )

    tables: dict[str, pd.DataFrame] = {}
    given: dict[str, set[str]] = {}
    vocabularies = current.vocabularies
    if upload.data_files:
        try:
            terms = load_map(upload.vocabulary_map.path if upload.vocabulary_map else None)
            raw = read_inputs([f.path for f in upload.data_files], vocabulary_map=terms)
        except InputError as exc:
            issues.extend(exc.with_warnings)
            return Check(upload, mode, base, meta, _rename(issues, upload.names), None)
        names = upload.names
        for df in raw.tables.values():
            df["_file"] = df["_file"].map(lambda f: names.get(f, f)).astype("str")
        _with_stored_vocabularies(raw, current.vocabularies)
        cleaned = clean(raw)
        issues += [*raw.issues, *cleaned.issues]
        tables = {n: cleaned.tables[n] for n in DATA_TABLES if n in raw.tables}
        given = {n: {c for c in raw.tables[n].columns if not c.startswith("_")} for n in tables}
        vocabularies = cleaned.vocabularies

    changes = diff(current.tables, tables, mode)
    if mode == UPDATE:
        issues += _blanked_columns(changes, tables, given)
    merged = with_changes(current, tables, replace=mode == REPLACE)
    data = CleanInput(merged.tables, vocabularies, _rename(issues, upload.names))
    prepared = prepare(data, bounds)
    before = set(zip(current.vocabularies["vocabulary"], current.vocabularies["code"], strict=True))
    added = [
        (VOCABULARY_NAMES.get(str(v), str(v)), str(lab))
        for v, c, lab in zip(
            vocabularies["vocabulary"], vocabularies["code"], vocabularies["label"], strict=True
        )
        if (v, c) not in before
    ]
    records = scope.touched(changes, serving, scope.prepared_councils(prepared.tables))
    found = _rename(prepared.issues, upload.names)
    if upload.housing is not None:
        read = _read_upload(
            upload.housing,
            found,
            lambda path, notes: read_housing_areas(path, boundaries=bounds, issues=notes),
        )
        housing = read if read is not None else housing
    if upload.need_map is not None:
        indicator_meta = indicator_frames(indicators)[1]
        rules = _read_upload(
            upload.need_map, found, lambda path, notes: read_need_map(path, vocabularies, indicator_meta)
        )
        if rules is not None:  # each rule names the file it came from, as the user named it
            need_map = [replace(r, origin=upload.need_map.original) for r in rules]
    if principal is not None:
        found += _scope_issues(principal, upload, records)
    return Check(
        upload, mode, base, meta, found, changes, data, bounds, population, indicators, added, records, new,
        housing, need_map,
    )  # fmt: skip


T = TypeVar("T")


def _read_upload(saved: SavedFile, issues: list[Issue], read: Callable[[Path, list[Issue]], T]) -> T | None:
    """``read(path, notes)`` of one uploaded file, its findings (errors too) named by the user's file name."""
    found: list[Issue] = []
    try:
        value = read(saved.path, found)
    except InputError as exc:
        found.extend(exc.with_warnings)
        value = None
    issues.extend(_rename(found, {saved.path.name: saved.original}))
    return value


def _national_files(upload: Upload) -> list[str]:
    """Names of the upload's files that hold every municipality (population, boundaries, an indicator, the
    housing-area list, the need map)."""
    files = (upload.population, upload.boundaries, upload.indicator, upload.housing, upload.need_map)
    return [f.original for f in files if f is not None]


def _scope_issues(principal: Principal, upload: Upload, records: list[scope.Touched]) -> list[Issue]:
    """Errors for what the caller may not change: records in other councils, national files."""
    issues = []
    refused = scope.outside(principal, records)
    if refused:
        issues.append(
            error(
                f"Uden for dit område ({principal.scope_text}): {scope.describe(refused)}",
                file=", ".join(f.original for f in upload.data_files),
                hint="Tag rækkerne ud af filen, eller bed en koordinator for de sundhedsråd om at indlæse dem.",
            )
        )
    national = _national_files(upload)
    if national and not principal.is_admin:
        issues.append(
            error(
                "Folketal, kommunegrænser, indikatorer, behovskort og listen over udsatte boligområder gælder "
                "hele landet og indlæses af en national administrator",
                file=", ".join(national),
            )
        )
    return issues


def display_labels(vocabularies: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Labels for showing codes: vocabulary id -> code -> label, and 'municipality' -> code -> name."""
    out: dict[str, dict[str, str]] = {}
    for v, c, lab in zip(
        vocabularies["vocabulary"], vocabularies["code"], vocabularies["label"], strict=True
    ):
        out.setdefault(str(v), {})[str(c)] = str(lab)
    m = reference.municipalities()
    out["municipality"] = {
        str(c): str(n) for c, n in zip(m["municipality_code"], m["municipality_name"], strict=True)
    }
    return out


def issues_table(issues: Iterable[Issue]) -> pd.DataFrame:
    """Findings as a table with Danish headers, errors first (then in the order found)."""
    rows = [i.as_dict() for i in issues]
    df = pd.DataFrame(rows, columns=list(ISSUE_HEADERS))
    if len(df):
        df = df.iloc[df["severity"].ne("fejl").argsort(kind="stable")]
    df["row"] = df["row"].astype("Int64")
    df["severity"] = df["severity"].str.capitalize()
    return df.rename(columns=ISSUE_HEADERS).reset_index(drop=True)


# ---------------------------------------------------------------- building


def build_meta(check: Check, principal: Principal, *, today: dt.date | None = None) -> dict[str, str]:
    """The new build's metadata: what it was built from, carried over from the serving build."""
    today = today or dt.date.today()
    files = ", ".join(f.original for f in check.upload.files)
    note = f"{files} ({MODE_LABELS[check.mode]} i appen {today:%d-%m-%Y} af {principal.name})"
    serving = check.base_meta
    keep = {k: v for k, v in serving.items() if k.startswith("example_") or k in ("is_example", "inputs")}
    whole = check.mode == REPLACE and check.diff is not None and len(check.diff.uploaded) == len(TABLES)
    if whole:  # every table replaced: nothing of the example data is left
        keep = {"is_example": "false", "inputs": note}
    else:
        inputs = f"{keep.get('inputs', '')}; {note}".strip("; ")
        keep["inputs"] = inputs if len(inputs) <= 500 else "… " + inputs[-480:]
    keep["upload"] = check.upload.folder.name
    return keep


def build_upload(
    check: Check,
    principal: Principal,
    *,
    cfg: Settings | None = None,
    on_step: StepCallback | None = None,
) -> BuildResult:
    """Build the checked upload and switch to it; raises PermissionDenied, UploadOutdated, InputError or BuildError.

    The database that was serving keeps serving on every error.  Records outside the caller's councils are
    refused by name (PermissionDenied), population and boundary files without national scope.
    """
    auth.require(principal, COORDINATOR)
    scope.refuse_outside(principal, check.touched, what="Indlæsningen")
    if _national_files(check.upload):
        auth.require_admin(
            principal,
            what="At indlæse folketal, kommunegrænser, indikatorer, behovskort eller boligområder "
            "(de gælder hele landet)",
        )
    if check.data is None or check.errors:
        raise InputError(check.errors or [error("Filerne kunne ikke læses")])
    cfg = cfg or settings()
    if current_path(cfg) != check.base:
        raise UploadOutdated(
            "Databasen er blevet bygget igen, siden filerne blev tjekket (fx af en anden koordinator). "
            "Tjek filerne igen, før du bygger."
        )
    try:
        result = build(
            check.data,
            boundaries=check.boundaries,
            population=check.population,
            indicators=check.indicators,
            need_map=check.need_map,
            housing=check.housing,
            meta=build_meta(check, principal),
            cfg=cfg,
            on_step=on_step,
            based_on=check.base,
            actor=principal.actor,
        )
    except (InputError, BuildError, OutdatedBase):
        _upload_outcome(check, principal, cfg, "afvist", None)
        raise
    _upload_outcome(check, principal, cfg, "bygget", result.path.name)
    return result


def serving_vocabularies(db: Database) -> pd.DataFrame:
    """The vocabularies a build uses: the built-in ones plus the council's own additions."""
    return db.query(
        "SELECT vocabulary, code, label, description, sort_order, is_builtin FROM ref_vocabularies"
    )


def template_bytes(vocabularies: pd.DataFrame | None = None) -> bytes:
    """The Excel template (etl.template) as bytes, with the given vocabularies in its dropdowns."""
    from etl.template import write_template

    with tempfile.TemporaryDirectory() as tmp:
        path = write_template(Path(tmp) / "skabelon.xlsx", vocabularies)
        return path.read_bytes()
