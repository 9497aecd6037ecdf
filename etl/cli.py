"""Command line: ``python -m etl build|demo|check|template|path|warm|migrate|report|hsds-export``.

Library code raises; this is the one place that turns exceptions into Danish
messages and exit codes (0 ok, 1 input errors, 2 build check or boundary failure,
3 an unexpected error: its trace goes to a log file, never to the terminal).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from civilkort.db import Database, current_path
from civilkort.issues import InputError, Issue
from civilkort.settings import SettingsError, settings
from civilkort.store import StoreError

MAX_LISTED = 50
LOG_NAME = "civilkort-etl.log"
log = logging.getLogger(__name__)
_reading: list[str] = []
"""The file being read now, for the message about an unexpected error."""
BOUNDARIES_HELP = (
    "Kommunegrænser: sti eller URL til GeoJSON, TopoJSON, GeoPackage, Shapefile eller zip (DAGI, DAWA eller "
    "Eurostat GISCO LAU). Standard: miljøvariablen CIVILKORT_BOUNDARIES. Uden grænser vises kommuner som punkter."
)


def _err(text: str = "") -> None:
    print(text, file=sys.stderr)


@contextmanager
def _read_file(label: str) -> Iterator[None]:
    """Name ``label`` as the file being read while the block runs (kept if the block raises)."""
    _reading.append(label)
    yield
    _reading.pop()


def _log_trace(exc: BaseException) -> Path | None:
    """Write the full trace to the log file in the data folder (else the temp folder); its path, or None."""
    folders = []
    with suppress(Exception):  # the settings may be what failed
        folders.append(settings().data_dir / "logs")
    folders.append(Path(tempfile.gettempdir()))
    for folder in folders:
        path = folder / LOG_NAME
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(path, encoding="utf-8")
        except OSError:
            continue
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        try:
            log.error(
                "Unexpected error (python -m etl %s, reading %s)",
                " ".join(sys.argv[1:]),
                _reading[-1] if _reading else "-",
                exc_info=exc,
            )
        finally:
            log.removeHandler(handler)
            handler.close()
        return path
    return None


def _unexpected(exc: BaseException) -> int:
    """Report an error no one planned for in Danish, with where its trace was logged; exit code 3."""
    where = f" under læsning af {_reading[-1]}" if _reading else ""
    _err(f"Uventet fejl{where}: {type(exc).__name__}: {exc}".rstrip(": "))
    path = _log_trace(exc)
    _err(f"Hele forløbet er skrevet i {path}." if path else "Forløbet kunne ikke skrives i en logfil.")
    _err("Den tidligere database bruges fortsat. Send gerne logfilen med, hvis I melder fejlen.")
    return 3


INDICATOR_HELP = (
    "Indikator for behov pr. kommune (fx borgere over 80 år, andel der føler sig meget ensomme, hjemløse): "
    "CSV eller Excel med to kolonner (kommune og værdi) eller en tabel fra Statistikbanken (fx FOLK1A efter "
    "alder eller FOLK1E; gemt som CSV eller fra api.statbank.dk). Kan gentages, én gang pr. fil. "
    "--indicator-name, --indicator-unit, --indicator-period og --indicator-source gælder den --indicator, "
    "de står efter."
)


class _IndicatorFile(argparse.Action):
    """``--indicator FIL``: one more indicator file (its options follow it)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest) or []), {"file": values}])


class _IndicatorOption(argparse.Action):
    """``--indicator-name`` and the like: a setting of the ``--indicator`` before it."""

    def __call__(self, parser, namespace, values, option_string=None):
        specs = getattr(namespace, "indicators", None)
        if not specs:
            parser.error(f"{option_string} skal stå efter den --indicator FIL, den gælder")
        key = self.dest.removeprefix("indicator_")
        if key in specs[-1]:
            parser.error(f"{option_string} er angivet to gange for {specs[-1]['file']}")
        specs[-1][key] = values


NEED_MAP_HELP = (
    "Behovskort: hvilken indikator der tæller personerne i hver målgruppe. CSV med to kolonner adskilt af "
    "semikolon, målgruppe;indikator (fx 'Ældre;Borgere 80+'); indikatoren er hele navnet eller en del af det. "
    "Erstatter standardkortet for de målgrupper, filen nævner (tom indikator: ingen)."
)


HOUSING_HELP = (
    "Ministeriets liste over udsatte boligområder (Excel eller CSV): en række pr. område med Boligområde og "
    "Kommune, gerne også Kategori, Beboere, Adresse, Postnummer eller Breddegrad og Længdegrad. Vises som lag "
    "på kortet med de nærmeste tilbud for hvert område."
)


def _add_indicator_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--behovskort", metavar="FIL", help=NEED_MAP_HELP)
    sub.add_argument("--boligomraader", metavar="FIL", help=HOUSING_HELP)
    sub.add_argument(
        "--indicator", dest="indicators", action=_IndicatorFile, metavar="FIL", help=INDICATOR_HELP
    )
    for key, metavar, text in (
        ("name", "NAVN", "Indikatorens navn (standard: tabellens titel eller filens navn)."),
        (
            "unit",
            "ENHED",
            "personer, procent eller pr. 1.000 (standard: personer, når alle værdier er hele tal).",
        ),
        (
            "period",
            "PERIODE",
            "Perioden, tallene gælder, fx 2025K1 (standard: den nyeste i filens tidskolonne).",
        ),
        (
            "source",
            "KILDE",
            "Kilden, fx 'Danskernes Sundhed 2021' (standard: Danmarks Statistik for dens tabeller).",
        ),
    ):
        sub.add_argument(
            f"--indicator-{key}", dest=f"indicator_{key}", action=_IndicatorOption, metavar=metavar, help=text
        )


def _step_printer(quiet: bool):
    def on_step(step: str, rows: int, seconds: float) -> None:
        if not quiet:
            rate = f"{rows / seconds:,.0f} rækker/s" if seconds > 0 and rows else ""
            _err(f"  {step:<16} {rows:>9,} rækker  {seconds:6.2f} s  {rate}".replace(",", "."))

    return on_step


def print_issues(issues: list[Issue], *, limit: int = MAX_LISTED) -> None:
    """Print errors in full, then warnings (grouped when many)."""
    errors = [i for i in issues if i.is_error]
    warnings = [i for i in issues if not i.is_error]
    for issue in errors[:limit]:
        _err(f"  {issue}")
    if len(errors) > limit:
        _err(f"  ... og {len(errors) - limit} fejl mere")
    if warnings:
        _err(f"{len(warnings)} advarsler:")
        if len(warnings) <= limit:
            for issue in warnings:
                _err(f"  {issue}")
        else:
            for message, n in Counter(i.message for i in warnings).most_common(15):
                _err(f"  {n:>6} × {message}")


def _load_boundaries(source: str | None, quiet: bool):
    from etl import boundaries

    source = source or settings().boundaries
    if not source:
        _err("Ingen kommunegrænser angivet (--boundaries): kommuner vises som punkter i appen.")
        return None
    if not quiet:
        _err(f"Læser kommunegrænser fra {source}")
    with _read_file(str(source)):
        return boundaries.load(source, progress=not quiet)


def _read(paths: list[str], quiet: bool, hsds_schemas: str | None = None, vocabulary_map: str | None = None):
    from etl.clean import clean
    from etl.hsds.vocabulary_map import load_map
    from etl.read import read_inputs

    with _read_file(vocabulary_map or "standardkortet"):
        terms = load_map(vocabulary_map)
    if not quiet:
        _err(f"Læser {', '.join(paths)}")
    with _read_file(", ".join(paths)):
        if hsds_schemas:
            from etl.hsds.validation import using_official_schemas

            with using_official_schemas(hsds_schemas):
                raw = read_inputs(paths, vocabulary_map=terms)
        else:
            raw = read_inputs(paths, vocabulary_map=terms)
        data = clean(raw)
    data.issues = [*raw.issues, *data.issues]
    return data


def _report_build(result, quiet: bool) -> None:
    print(f"Database bygget: {result.path}")
    print(", ".join(f"{n} {name}" for name, n in result.counts.items()))
    if not quiet:
        print_issues([i for i in result.issues if not i.is_error])
        print_report(Database(result.path))


def print_report(db: Database) -> None:
    """Print the stored data-quality report."""
    print("Datakvalitet:")
    for measure, value in db.query("SELECT measure, value FROM quality_report").itertuples(index=False):
        print(f"  {measure:<52} {value if value is not None else '-'}")


def _operator() -> str:
    """Who switched the data from the command line, as the pointer's history records it."""
    from civilkort.auth import operator

    return operator().actor


def cmd_build(args) -> int:
    from etl.build import build

    data = _read(args.inputs, args.quiet, args.hsds_schemas, args.vocabulary_map)
    bounds = _load_boundaries(args.boundaries, args.quiet)
    population = _population(args.population)
    indicators = _indicators(args.indicators)
    result = build(
        data,
        boundaries=bounds,
        population=population,
        indicators=indicators,
        need_map=_need_map(args.behovskort, data.vocabularies, indicators),
        housing=_housing(args.boligomraader, bounds),
        meta={"inputs": ", ".join(Path(p).name for p in args.inputs), "is_example": "false"},
        on_step=_step_printer(args.quiet),
        actor=_operator(),
    )
    _report_build(result, args.quiet)
    return 0


def _population(path: str | None):
    if not path:
        return None
    from etl.population import read_folk1a

    notes: list[Issue] = []
    with _read_file(path):
        population = read_folk1a(Path(path), notes)
    print_issues(notes)
    return population


def _indicators(specs: list[dict[str, str]] | None):
    """The indicators named on the command line; every file's errors together in one InputError."""
    if not specs:
        return ()
    from etl.indicators import read_indicator

    read, notes, errors = [], [], []
    for spec in specs:
        options = {k: v for k, v in spec.items() if k != "file"}
        with _read_file(spec["file"]):
            try:
                read.append(read_indicator(Path(spec["file"]), issues=notes, **options))
            except InputError as exc:
                errors.extend(exc.with_warnings)
    if errors:
        raise InputError(errors)
    print_issues(notes)
    return read


def _need_map(path: str | None, vocabularies, indicators):
    """The coordinator's target group → indicator rules (``--behovskort``), checked; none: the defaults."""
    if not path:
        return ()
    from etl import indicators as ind
    from etl.need_map import read_need_map

    with _read_file(path):
        return read_need_map(Path(path), vocabularies, ind.frames(indicators)[1])


def _housing(path: str | None, bounds, example=None):
    """The list of vulnerable housing areas (``--boligomraader``), placed; else ``example`` (the demo's)."""
    if not path:
        return example
    from etl.housing import read_housing_areas, summary

    notes: list[Issue] = []
    with _read_file(path):
        housing = read_housing_areas(Path(path), boundaries=bounds, issues=notes)
    print_issues(notes)
    _err(f"  {summary(housing)}")
    return housing


def cmd_demo(args) -> int:
    from etl import demo
    from etl.build import build
    from etl.clean import CleanInput, builtin_vocabularies

    today = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    timer_start = dt.datetime.now()
    tables = demo.generate(args.scale, seed=args.seed, today=today)
    if not args.quiet:
        secs = (dt.datetime.now() - timer_start).total_seconds()
        _err(
            f"  {'generer':<16} {sum(len(t) for t in tables.values()):>9,} rækker  {secs:6.2f} s".replace(
                ",", "."
            )
        )
    data = CleanInput(tables=tables, vocabularies=builtin_vocabularies(), issues=[])
    if args.write_inputs:
        from etl.template import write_inputs

        target = write_inputs(tables, Path(args.write_inputs))
        print(f"Eksempeldata skrevet som inputfiler: {target}")
    bounds = _load_boundaries(args.boundaries, args.quiet)
    indicators = [*demo.example_indicators(args.seed), *_indicators(args.indicators)]
    result = build(
        data,
        boundaries=bounds,
        population=_population(args.population),
        indicators=indicators,
        need_map=_need_map(args.behovskort, data.vocabularies, indicators),
        housing=_housing(args.boligomraader, bounds, demo.example_housing_areas(args.seed)),
        meta={
            "is_example": "true",
            "example_scale": args.scale,
            "example_seed": str(args.seed),
            "example_today": today.isoformat(),
            "inputs": "Eksempeldata (genereret)",
        },
        on_step=_step_printer(args.quiet),
        actor=_operator(),
    )
    _report_build(result, args.quiet)
    return 0


def cmd_check(args) -> int:
    from etl.build import prepare

    data = _read(args.inputs, args.quiet, args.hsds_schemas, args.vocabulary_map)
    bounds = _load_boundaries(args.boundaries, args.quiet)
    prepared = prepare(data, bounds)
    print_issues(prepared.issues)
    n_rows = sum(len(t) for t in data.tables.values())
    if prepared.errors:
        _err(f"{len(prepared.errors)} fejl skal rettes, før data kan indlæses.")
        return 1
    print(f"Ingen fejl: {n_rows} rækker kan indlæses.")
    return 0


def cmd_template(args) -> int:
    from etl.template import write_template

    path = write_template(Path(args.output))
    print(f"Skabelon skrevet: {path}")
    return 0


def cmd_path(args) -> int:
    path = current_path()
    if path is None:
        _err("Der er ingen database endnu. Kør 'python -m etl demo' eller 'python -m etl build FILER'.")
        return 1
    print(path)
    return 0


def cmd_rebuild(args) -> int:
    from civilkort.auth import operator
    from etl.rebuild import NothingToRebuild, rebuild

    try:
        result = rebuild(principal=operator(), note="bygget igen", on_step=_step_printer(args.quiet))
    except NothingToRebuild as exc:
        _err(str(exc))
        return 1
    _report_build(result, args.quiet)
    return 0


def cmd_warm(args) -> int:
    from civilkort import buildstore, published
    from civilkort import index as data_index
    from civilkort.builds import prune_local

    started = time.perf_counter()
    cfg = settings()
    store = buildstore.object_store(cfg)
    if store is not None:
        ref = buildstore.build_pointer(cfg).current()
        if ref is None:
            _err(
                f"Der er endnu ingen database i objektlageret {store.url}. Byg en med 'python -m etl build'."
            )
            return 1
        path = buildstore.fetch(store, ref, cfg.builds_dir, verify_existing=True)
        prune_local(cfg.builds_dir, keep=buildstore.KEEP_LOCAL_BUILDS, current=ref.name)
        size_mb = path.stat().st_size / 1e6
        _err(
            f"Database {ref.name} ({size_mb:.1f} MB) hentet og kontrolleret (SHA-256) på "
            f"{time.perf_counter() - started:.1f} s."
        )
    else:
        path = current_path()
        if path is None:
            _err("Der er ingen database endnu. Kør 'python -m etl demo' eller 'python -m etl build FILER'.")
            return 1
    step = time.perf_counter()
    db = Database(path)
    try:
        urls = published.publish_all(data_index.of(db))
    finally:
        db.close()
    if None in urls:
        _err(f"Kortfilerne kunne ikke skrives i {cfg.published_dir}; kortet kan ikke vises fra denne server.")
        return 2
    _err(
        f"{len(urls)} kortfiler udgivet for {len(published.areas())} områder på "
        f"{time.perf_counter() - step:.1f} s (i alt {time.perf_counter() - started:.1f} s). Klar."
    )
    print(path)
    return 0


def _shown_url(url: str) -> str:
    """A store URL fit for a terminal or a log: any password replaced by '***'."""
    parts = urlsplit(url)
    if parts.password:
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
    return url


def cmd_migrate(args) -> int:
    from civilkort.store.migrate import LEGACY, upgrade

    url = settings().store_url
    print(f"Lageret: {_shown_url(url)}")
    before, after = upgrade(
        url, on_wait=lambda: print("En anden proces migrerer lageret lige nu; venter på den …", flush=True)
    )
    if before == after:
        print(f"Skemaet er allerede det nyeste ({after}); intet at gøre.")
    else:
        origin = {None: "tomt", LEGACY: "et lager fra før migreringerne"}.get(before, before)
        print(f"Skemaet er migreret fra {origin} til {after}.")
    return 0


def cmd_report(args) -> int:
    path = current_path()
    if path is None:
        _err("Der er ingen database endnu.")
        return 1
    db = Database(path)
    meta = db.meta()
    print(f"Database: {path}")
    print(
        f"Bygget: {meta.get('built_at', '?')}  Eksempeldata: {'ja' if meta.get('is_example') == 'true' else 'nej'}"
    )
    print_report(db)
    issues = db.query("SELECT * FROM quality_issues")
    if len(issues):
        print_issues(
            [
                Issue(**{k: (None if k == "row" and v != v else v) for k, v in r.items()})
                for r in issues.to_dict("records")
            ]
        )
    return 0


def cmd_council_report(args) -> int:
    from civilkort import report
    from civilkort.reference import councils

    path = current_path()
    if path is None:
        _err("Der er ingen database endnu. Kør 'python -m etl demo' eller 'python -m etl build FILER'.")
        return 1
    db = Database(path)
    today = dt.date.fromisoformat(args.today) if args.today else None
    out = Path(args.out)
    known = set(councils()["council_id"])
    if args.council and args.council not in known:
        _err(f"Ukendt sundhedsråd '{args.council}'. Vælg et af: {', '.join(sorted(known))}")
        return 1
    started = dt.datetime.now()
    if args.council:
        paths = report.council_report(db, args.council, today=today).write(out)
    else:
        paths = report.all_councils(db, out, today=today, progress=not args.quiet)
    secs = (dt.datetime.now() - started).total_seconds()
    for p in paths:
        print(p)
    _err(f"{len(paths)} filer skrevet på {secs:.1f} s.")
    return 0


def cmd_hsds_export(args) -> int:
    from etl.hsds.export import export as hsds_export
    from etl.hsds.validation import using_official_schemas
    from etl.validate import validate

    if args.inputs:
        data = _read(args.inputs, args.quiet, args.hsds_schemas, args.vocabulary_map)
        problems = [*data.issues, *validate(data)]
        if any(i.is_error for i in problems):
            raise InputError(problems)
    else:
        from etl.rebuild import NothingToRebuild, current_inputs

        path = current_path()
        if path is None:
            _err("Der er ingen database endnu. Kør 'python -m etl demo' eller angiv inputfiler.")
            return 1
        db = Database(path)
        try:
            data = current_inputs(db, with_personal=args.with_personal)
        except NothingToRebuild as exc:
            _err(str(exc))
            return 1
        finally:
            db.close()
    with using_official_schemas(args.hsds_schemas):
        result = hsds_export(
            data.tables,
            data.vocabularies,
            Path(args.out),
            as_json=args.json,
            include_personal=args.with_personal,
        )
    for p in result.paths:
        print(p)
    if not args.quiet:
        _err(", ".join(f"{n} {entity}" for entity, n in result.counts.items() if n))
    if any(i.is_error for i in result.issues):
        _err("Den eksporterede pakke består ikke skematjekket:")
        print_issues(result.issues)
        return 2
    print_issues(result.issues)
    return 0


VOCABULARY_MAP_HELP = (
    "Jeres eget vokabularkort (CSV: taxonomy, term_code, term_name, vocabulary, code), der oversætter "
    "andre udgiveres HSDS-termer til temaer, målgrupper og forebyggelsesniveauer; lægges oven på standardkortet."
)
HSDS_SCHEMAS_HELP = (
    "Valider også HSDS-data mod de officielle HSDS 3.0-skemaer: en mappe med <entitet>.json "
    "(fx schema/ fra openreferral/specification) eller en URL, hvorfra de hentes."
)


def parser() -> argparse.ArgumentParser:
    """The argument parser (Danish help)."""
    p = argparse.ArgumentParser(
        prog="python -m etl",
        description="Indlæs civilsamfundsdata, valider dem og byg databasen til Civilsamfundskortet.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="Skriv kun resultatet, ikke fremdrift.")
    sub = p.add_subparsers(dest="command", required=True, metavar="KOMMANDO")

    b = sub.add_parser(
        "build", parents=[common], help="Byg databasen af jeres egne filer (Excel-skabelon eller CSV)."
    )
    b.add_argument(
        "inputs",
        nargs="+",
        metavar="FIL",
        help="Excel-filer, CSV-filer, mapper med CSV-filer eller Open Referral HSDS 3.0 "
        "(mappe med datapackage.json, datapackage.json, zip eller JSON).",
    )
    b.add_argument("--hsds-schemas", metavar="MAPPE_ELLER_URL", help=HSDS_SCHEMAS_HELP)
    b.add_argument("--vokabular-kort", dest="vocabulary_map", metavar="FIL", help=VOCABULARY_MAP_HELP)
    b.add_argument("--boundaries", metavar="STI_ELLER_URL", help=BOUNDARIES_HELP)
    b.add_argument(
        "--population", metavar="FOLK1A.csv", help="Folketal pr. kommune (Danmarks Statistik FOLK1A)."
    )
    _add_indicator_options(b)
    b.set_defaults(func=cmd_build)

    d = sub.add_parser(
        "demo", parents=[common], help="Byg databasen med eksempeldata (markeret som eksempeldata)."
    )
    d.add_argument("--scale", default="council", choices=["small", "council", "national"], help="Datamængde.")
    d.add_argument(
        "--seed", type=int, default=2027, help="Frø for tilfældige tal (samme frø giver samme data)."
    )
    d.add_argument("--today", metavar="ÅÅÅÅ-MM-DD", help="Dato som slutdatoer regnes fra (standard: i dag).")
    d.add_argument("--boundaries", metavar="STI_ELLER_URL", help=BOUNDARIES_HELP)
    d.add_argument(
        "--population", metavar="FOLK1A.csv", help="Folketal pr. kommune (Danmarks Statistik FOLK1A)."
    )
    _add_indicator_options(d)
    d.add_argument(
        "--write-inputs", metavar="MAPPE_ELLER_XLSX", help="Skriv også eksempeldata som inputfiler."
    )
    d.set_defaults(func=cmd_demo)

    c = sub.add_parser("check", parents=[common], help="Valider filer uden at bygge.")
    c.add_argument("inputs", nargs="+", metavar="FIL")
    c.add_argument("--boundaries", metavar="STI_ELLER_URL", help=BOUNDARIES_HELP)
    c.add_argument("--hsds-schemas", metavar="MAPPE_ELLER_URL", help=HSDS_SCHEMAS_HELP)
    c.add_argument("--vokabular-kort", dest="vocabulary_map", metavar="FIL", help=VOCABULARY_MAP_HELP)
    c.set_defaults(func=cmd_check)

    t = sub.add_parser(
        "template", parents=[common], help="Skriv Excel-skabelonen med vejledning og rullelister."
    )
    t.add_argument("output", nargs="?", default="civilsamfundskortet-skabelon.xlsx", metavar="FIL.xlsx")
    t.set_defaults(func=cmd_template)

    r = sub.add_parser(
        "council-report",
        parents=[common],
        help="Skriv kortlægningsrapporten (PDF + xlsx) for ét eller alle 17 sundhedsråd.",
    )
    r.add_argument("--council", metavar="ID", help="Sundhedsrådets id, fx aarhus. Uden: alle 17.")
    r.add_argument(
        "--out", default="rapporter", metavar="MAPPE", help="Mappe til filerne (standard: rapporter)."
    )
    r.add_argument("--today", metavar="ÅÅÅÅ-MM-DD", help="Dato som slutdatoer og friskhed regnes fra.")
    r.set_defaults(func=cmd_council_report)

    h = sub.add_parser(
        "hsds-export",
        parents=[common],
        help="Eksporter data som Open Referral HSDS 3.0 (CSV-datapakke og evt. JSON).",
        description="Eksporter den nuværende database (eller de angivne inputfiler) som en Open Referral "
        "HSDS 3.0-datapakke: én CSV-fil pr. entitet og datapackage.json. Felter uden HSDS-felt står som "
        "attributter efter Civilsamfundskortets danske profil (se README), så intet går tabt.",
    )
    h.add_argument("inputs", nargs="*", metavar="FIL", help="Inputfiler at eksportere (standard: databasen).")
    h.add_argument("--out", required=True, metavar="MAPPE", help="Mappe til datapakken.")
    h.add_argument(
        "--json", action="store_true", help="Skriv også JSON-formen (organizations.json) med alt indlejret."
    )
    h.add_argument(
        "--med-personoplysninger",
        dest="with_personal",
        action="store_true",
        help="Medtag personoplysninger (kontaktperson, funktionspostkasse, tovholder). Som standard "
        "udelades de, som i appens eksport; medtag dem for en fuld sikkerhedskopi.",
    )
    h.add_argument("--hsds-schemas", metavar="MAPPE_ELLER_URL", help=HSDS_SCHEMAS_HELP)
    h.add_argument("--vokabular-kort", dest="vocabulary_map", metavar="FIL", help=VOCABULARY_MAP_HELP)
    h.set_defaults(func=cmd_hsds_export)

    sub.add_parser(
        "path", parents=[common], help="Skriv stien til den database, appen bruger nu."
    ).set_defaults(func=cmd_path)
    sub.add_parser(
        "rebuild",
        parents=[common],
        help="Byg den database, der vises nu, igen med denne version (efter en opdatering).",
        description="Byg databasen igen af de samme input, som den, der vises nu, blev bygget af (data, "
        "grænser, folketal, indikatorer, behovskort, boligområder, lagerets beslutninger), med denne version "
        "af Civilsamfundskortet. Brug den, når appen siger, at databasen er bygget af en ældre version.",
    ).set_defaults(func=cmd_rebuild)
    sub.add_parser(
        "warm",
        parents=[common],
        help="Gør en server klar, før appen starter: hent og kontroller databasen, udgiv kortfilerne.",
        description="Hent den database, der vises nu, fra objektlageret (CIVILKORT_OBJECT_STORE_URL) og "
        "kontroller størrelse og SHA-256; udgiv derefter kortets filer (static/kort) for hele landet, "
        "regionerne og de 17 sundhedsråd. Kør den, før Streamlit starter, så serveren først melder sig "
        "sund, når den kan vise kortet.",
    ).set_defaults(func=cmd_warm)
    sub.add_parser(
        "report", parents=[common], help="Skriv datakvalitetsrapporten for den nuværende database."
    ).set_defaults(func=cmd_report)
    sub.add_parser(
        "migrate",
        parents=[common],
        help="Bring lagerets skema (CIVILKORT_DATABASE_URL) op til denne version; kør det før replikaerne "
        "startes med CIVILKORT_MIGRATE=manual.",
    ).set_defaults(func=cmd_migrate)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    from civilkort.objectstore import ObjectStoreError
    from etl.boundaries import BoundaryError
    from etl.build import BuildError

    args = parser().parse_args(argv)
    _reading.clear()
    try:
        settings()  # checked before any work: a bad setting is named at once, not mid-build
        return args.func(args)
    except SettingsError as exc:
        _err(f"Indstillingerne kan ikke bruges: {exc}")
        return 2
    except InputError as exc:
        _err(f"Data kan ikke indlæses ({len(exc.issues)} fejl). Den tidligere database bruges fortsat.")
        print_issues(exc.with_warnings)
        return 1
    except ObjectStoreError as exc:
        _err(f"Objektlageret: {exc}")
        _err("Den tidligere database bruges fortsat.")
        return 2
    except (BuildError, BoundaryError) as exc:
        _err(f"Fejl: {exc}")
        _err("Den tidligere database bruges fortsat.")
        return 2
    except StoreError as exc:
        _err(f"Fejl i lageret: {exc}")
        return 2
    except KeyboardInterrupt:
        _err("Afbrudt. Den tidligere database bruges fortsat.")
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place no traceback may pass
        return _unexpected(exc)
