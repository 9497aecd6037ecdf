"""Every messy input in tests/etl/messy.py through the whole pipeline: it loads right, or it is refused
with located Danish errors and the database that was serving stays served, unchanged."""

from __future__ import annotations

import hashlib
import math
import resource
import shutil
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from civilkort import personal
from civilkort.auth import Principal
from civilkort.issues import InputError, Issue
from civilkort.settings import Settings
from civilkort.store import open_store
from etl.build import build, current_pointer_target
from etl.clean import clean
from etl.read import read_inputs
from tests.conftest import PROJECT_ROOT, real_boundaries_path
from tests.etl import messy
from tests.etl.messy import CASES, KINDS, Case, Loads, Refused, Want

EXCEL = (".xlsx", ".xlsm", ".xls")

ADMIN = Principal("Test", via="kode", is_admin=True)


def _run(paths: list[Path], cfg: Settings, case: Case, boundaries):
    """read -> clean -> validate/place -> build, as ``python -m etl build`` does."""
    raw = read_inputs(paths, **case.read)
    data = clean(raw)
    data.issues = [*raw.issues, *data.issues]
    return build(data, boundaries=boundaries, cfg=cfg, meta={"inputs": ", ".join(p.name for p in paths)})


@pytest.fixture(scope="module")
def served_template(tmp_path_factory) -> Path:
    """A data folder with a database already serving (built once; each case gets a copy)."""
    root = tmp_path_factory.mktemp("served")
    folder = root / "in"
    folder.mkdir()
    paths = [messy.orgs_csv(folder, "ORG-1;Serverende organisation;Fond;8000")]
    cfg = Settings(data_dir=root / "data", static_dir=PROJECT_ROOT / "static")
    _run(paths, cfg, Case("baseline", "encoding", lambda f: [], Loads()), None)
    return root / "data"


@pytest.fixture(scope="module")
def real_boundaries():
    from etl import boundaries

    path = real_boundaries_path()
    return boundaries.load(path) if path else None


def _state(cfg: Settings) -> tuple[Path | None, dict[str, str]]:
    """The database served, a digest of every file in the data folder and the store's rows.

    The store is SQLite in WAL mode: merely opening and closing it may checkpoint the log,
    which changes its files' bytes but not one row, so it is compared by its SQL dump.
    """
    files = {
        str(p.relative_to(cfg.data_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(cfg.data_dir.rglob("*"))
        if p.is_file() and not p.name.startswith("store.sqlite")
    }
    store = cfg.data_dir / "store.sqlite"
    if store.exists():
        with closing(sqlite3.connect(store)) as con:
            files["store.sqlite (rows)"] = "\n".join(con.iterdump())
    return current_pointer_target(cfg), files


def _matches(issue: Issue, want: Want) -> bool:
    return (
        issue.severity == want.severity
        and want.message in issue.message
        and issue.file == want.file
        and issue.sheet == want.sheet
        and issue.row == want.row
        and issue.column == want.column
        and want.hint in issue.hint
    )


def _assert_found(wants: tuple[Want, ...], issues: list[Issue]) -> None:
    shown = "\n".join(f"  {i.severity}: {i.as_dict()}" for i in issues)
    for want in wants:
        assert any(_matches(i, want) for i in issues), f"expected {want}\namong:\n{shown}"


def _assert_located(issues: list[Issue]) -> None:
    """Every finding names a file; one about a row names its sheet (in a workbook); one about a
    cell's value names the column."""
    for i in issues:
        assert i.file, f"no file in {i}"
        if i.row is not None and i.file.endswith(EXCEL):
            assert i.sheet, f"no sheet in {i}"
        if i.row is not None and i.value:
            assert i.column, f"no column in {i}"


def _plain(value: object) -> object:
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _same(got: object, want: object) -> bool:
    if isinstance(want, float) and isinstance(got, float):
        return math.isclose(got, want, abs_tol=1e-6)
    return got == want


def _assert_rows(db_path: Path, expected: dict[str, list[dict]], cfg: Settings) -> None:
    """The build's rows as an administrator sees them: the public database, with the personal fields
    (kept only in the store) filled in."""
    build = personal.build_name(db_path)
    store = open_store(cfg)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        for view, rows in expected.items():
            id_col = {
                "organisations": "organisation_id",
                "offers": "offer_id",
                "regional_units": "unit_id",
            }.get(view, "collaboration_id")
            rows = sorted(rows, key=lambda r: r[id_col])
            columns = list(dict.fromkeys([id_col, *(k for r in rows for k in r)]))
            got = con.execute(f"SELECT {', '.join(columns)} FROM {view} ORDER BY {id_col}").fetchall()
            got = [dict(zip(columns, map(_plain, r), strict=True)) for r in got]
            if view in personal.PERSONAL:
                shown = personal.personal_fields(store, ADMIN, build, view)
                for g in got:
                    for field in set(personal.PERSONAL[view]) & set(columns):
                        value = shown[field].get(str(g[id_col])) if g[id_col] in shown.index else None
                        g[field] = None if pd.isna(value) else value
            assert len(got) == len(rows), f"{view}: expected {len(rows)} rows, got {got}"
            for g, w in zip(got, rows, strict=True):
                wrong = {k: (g[k], v) for k, v in w.items() if not _same(g[k], v)}
                assert not wrong, f"{view} {g[id_col]}: (got, expected) {wrong}"
    finally:
        con.close()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_messy_input(case: Case, tmp_path: Path, served_template: Path, request) -> None:
    boundaries = None
    if case.boundaries == "real":
        boundaries = request.getfixturevalue("real_boundaries")
        if boundaries is None:
            pytest.skip("Ingen rigtige kommunegrænser (../shared/geo/kommuner.geojson) på denne maskine")
    folder = tmp_path / "in"
    folder.mkdir()
    paths = case.write(folder)
    cfg = Settings(data_dir=tmp_path / "data", static_dir=PROJECT_ROOT / "static")
    shutil.copytree(served_template, cfg.data_dir)
    before = _state(cfg)
    assert before[0] is not None

    started = time.perf_counter()
    if isinstance(case.outcome, Refused):
        with pytest.raises(InputError) as exc:
            _run(paths, cfg, case, boundaries)
        seconds = time.perf_counter() - started
        errors = exc.value.issues
        assert errors and all(i.is_error for i in errors)
        _assert_found(case.outcome.errors, errors)
        _assert_located(errors)
        assert _state(cfg) == before, "a refused input changed the data folder"
    else:
        result = _run(paths, cfg, case, boundaries)
        seconds = time.perf_counter() - started
        assert current_pointer_target(cfg) == result.path != before[0]
        assert not [i for i in result.issues if i.is_error]
        _assert_found(case.outcome.warnings, result.issues)
        _assert_located(result.issues)
        _assert_rows(result.path, case.outcome.rows, cfg)
    if case.max_seconds is not None:
        assert seconds < case.max_seconds, f"{case.name} took {seconds:.2f} s"


def test_the_corpus_covers_every_kind_the_issue_lists() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)) >= 45
    assert {c.kind for c in CASES} == set(KINDS)
    assert all(c.note for c in CASES), [c.name for c in CASES if not c.note]


def test_xml_bomb_is_refused_without_expanding(tmp_path: Path) -> None:
    """The billion-laughs workbook is refused in well under a second, and memory does not grow by the
    gigabytes an expansion would take (calamine never expands entities; we refuse before it reads)."""
    bomb = next(c for c in CASES if c.name == "xml-bomb-in-shared-strings")
    paths = bomb.write(tmp_path)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(InputError):
        read_inputs(paths)
    assert time.perf_counter() - started < 0.5
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 50


def test_xml_bomb_in_a_sheet_is_refused_by_calamine_too(tmp_path: Path, monkeypatch) -> None:
    """Defence in depth: with our DOCTYPE check switched off, calamine still refuses (it does not
    expand entities) and the error is reported, not raised."""
    from etl.read import excel_package

    bomb = next(c for c in CASES if c.name == "xml-bomb-in-shared-strings")
    paths = bomb.write(tmp_path)
    monkeypatch.setattr(excel_package, "_package_problem", lambda *a: None)
    started = time.perf_counter()
    with pytest.raises(InputError) as exc:
        read_inputs(paths)
    assert time.perf_counter() - started < 0.5
    assert any("kan ikke læses" in i.message and i.file == "bombe.xlsx" for i in exc.value.issues)


def test_openpyxl_parses_through_defusedxml(tmp_path: Path) -> None:
    """openpyxl (used by tests and tools, not by the readers) refuses entity definitions via defusedxml."""
    import openpyxl
    from defusedxml import EntitiesForbidden

    assert openpyxl.DEFUSEDXML is True
    bomb = next(c for c in CASES if c.name == "xml-bomb-in-shared-strings")
    (path,) = bomb.write(tmp_path)
    with pytest.raises(Exception) as exc:
        openpyxl.load_workbook(path)
    assert isinstance(exc.value.__cause__ or exc.value, EntitiesForbidden)
