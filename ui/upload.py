"""The upload page's pieces: the uploaders, the check (kept per set of files), findings, preview, build.

The work is done by :mod:`etl.upload` (save, check, build) and :mod:`etl.diff` (what changes); this
module only draws it and keeps the check in the session, so a click does not read the files again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from civilkort import danish, export
from civilkort.auth import PermissionDenied, Principal
from civilkort.db import current_path
from civilkort.issues import InputError, Issue
from civilkort.schema import TABLES_BY_NAME
from civilkort.store import StoreError
from etl import upload as up
from etl import upload_files
from etl.build import BuildError
from etl.diff import REPLACE, UPDATE, TableDiff, readable, readable_changes
from etl.housing import summary as housing_summary
from ui.data import database
from ui.tables import grid
from ui.text import md

log = logging.getLogger("civilkort.app")

MAX_SHOWN = 1_000
"""Rows of each preview list sent to the browser (the counts are always complete)."""
MODE_LABELS = {
    UPDATE: "Opdater: rækker med samme id erstattes, nye rækker tilføjes, intet slettes",
    REPLACE: "Erstat: de uploadede tabeller er hele det nye indhold; rækker, der ikke er med, fjernes",
}
_SAVED = "indlaes_saved"  # (files' signature, Upload): the files are saved once per set of files
_CHECK = "indlaes_check"  # (signature incl. mode and serving build, Check)
_ROUND = "indlaes_round"  # bumped after a build: the uploaders get new keys and empty out
_OUTCOME = "indlaes_outcome"  # the last build's outcome, shown after the rerun


@dataclass
class Files:
    """What the user chose on the page."""

    mode: str
    data: list[Any]
    population: Any | None
    boundaries: Any | None
    indicator: Any | None = None
    about: up.IndicatorAbout = up.IndicatorAbout()
    """What the indicator file holds, from the fields beside it."""
    vocabulary_map: Any | None = None
    housing: Any | None = None
    need_map: Any | None = None

    @property
    def any(self) -> bool:
        """True if any file was given."""
        return bool(
            self.data
            or self.population
            or self.boundaries
            or self.indicator
            or self.vocabulary_map
            or self.housing
            or self.need_map
        )

    @property
    def signature(self) -> tuple:
        """Identifies this set of files (Streamlit gives each upload its own file id)."""
        return (
            tuple(f.file_id for f in self.data),
            getattr(self.population, "file_id", None),
            getattr(self.boundaries, "file_id", None),
            getattr(self.indicator, "file_id", None),
            getattr(self.vocabulary_map, "file_id", None),
            getattr(self.housing, "file_id", None),
            getattr(self.need_map, "file_id", None),
        )


def serving_line(prefix: str = "Appen viser nu") -> None:
    """One line naming the build that is serving: file, build time and source."""
    db = database()
    meta = db.meta()
    st.caption(
        f":material/database: **{prefix}:** `{db.path.name}`, bygget "
        f"{danish.local_time(meta.get('built_at', ''))} · kilde: {md(meta.get('inputs', 'ukendt'))}"
    )


def template_button() -> None:
    """Download the Excel template, with the serving build's vocabularies in its dropdowns."""
    st.download_button(
        "Hent Excel-skabelonen",
        lambda: up.template_bytes(up.serving_vocabularies(database())),
        file_name="civilsamfundskortet-skabelon.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key="indlaes_template",
        help="Ét ark pr. tabel med rullelister og en vejledning. Udfyld den, eller brug samme kolonner i CSV-filer.",
    )


def choose_files() -> Files:
    """The mode and the uploaders (data files; folketal and boundaries under 'Valgfrit')."""
    r = st.session_state.get(_ROUND, 0)
    mode = st.radio(
        "Hvordan skal filerne bruges?",
        [UPDATE, REPLACE],
        format_func=MODE_LABELS.get,
        key="indlaes_mode",
        help="Tabeller, der ikke er med i filerne, bliver som de er i begge tilfælde.",
    )
    data = st.file_uploader(
        "Datafiler: den udfyldte skabelon (xlsx) eller CSV-filer",
        type=list(upload_files.DATA_TYPES),
        accept_multiple_files=True,
        key=f"indlaes_data_{r}",
        max_upload_size=upload_files.MAX_UPLOAD_MB,
        help="CSV-filer navngives efter tabellen, fx organisationer.csv eller tilbud.csv, eller har skabelonens "
        "kolonneoverskrifter.",
    )
    with st.expander("Valgfrit: folketal og kommunegrænser"):
        st.caption(
            "Uden disse filer bruges den nuværende databases folketal og kommunegrænser. "
            "Folketal: FOLK1A som CSV fra Danmarks Statistik. Grænser: DAGI eller GISCO (GeoJSON, GeoPackage, zip)."
        )
        population = st.file_uploader(
            "Folketal (FOLK1A, CSV)",
            type=list(upload_files.POPULATION_TYPES),
            key=f"indlaes_population_{r}",
            max_upload_size=upload_files.MAX_UPLOAD_MB,
        )
        boundaries = st.file_uploader(
            "Kommunegrænser",
            type=list(upload_files.BOUNDARY_TYPES),
            key=f"indlaes_boundaries_{r}",
            max_upload_size=upload_files.MAX_UPLOAD_MB,
        )
    with st.expander("Valgfrit: vokabularkort til HSDS-data fra andre udgivere"):
        st.caption(
            "Oversætter andre udgiveres taksonomitermer (fx 'Loneliness') til temaer, målgrupper og "
            "forebyggelsesniveauer; lægges oven på standardkortet. CSV med kolonnerne taxonomy, term_code, "
            "term_name, vocabulary og code (se README, afsnittet Vokabularkortet)."
        )
        vocabulary_map = st.file_uploader(
            "Vokabularkort (CSV)",
            type=["csv", "txt"],
            key=f"indlaes_vocabulary_map_{r}",
            max_upload_size=upload_files.MAX_UPLOAD_MB,
        )
    indicator, about = _indicator_fields(r)
    housing, need_map = _need_files(r)
    return Files(
        mode, list(data or []), population, boundaries, indicator, about, vocabulary_map, housing, need_map
    )


def _need_files(r: int) -> tuple[Any | None, Any | None]:
    """The optional list of vulnerable housing areas and the coordinator's need map."""
    with st.expander("Valgfrit: udsatte boligområder og behovskort"):
        st.caption(
            "Ministeriets liste over udsatte boligområder (Excel eller CSV, en række pr. område med Boligområde "
            "og Kommune; gerne Kategori, Beboere, Adresse, Postnummer eller koordinater) erstatter den hidtidige "
            "liste og vises som lag på kortet med de nærmeste tilbud."
        )
        housing = st.file_uploader(
            "Liste over udsatte boligområder",
            type=list(upload_files.HOUSING_TYPES),
            key=f"indlaes_housing_{r}",
            max_upload_size=upload_files.MAX_UPLOAD_MB,
        )
        st.caption(
            "Behovskortet siger, hvilken indikator der tæller hver målgruppes personer (CSV med semikolon: "
            "målgruppe;indikator, fx 'Ældre;Borgere 80+'). Det erstatter standardkortet for de målgrupper, "
            "filen nævner."
        )
        need_map = st.file_uploader(
            "Behovskort (CSV)",
            type=list(upload_files.NEED_MAP_TYPES),
            key=f"indlaes_need_map_{r}",
            max_upload_size=upload_files.MAX_UPLOAD_MB,
        )
    return housing, need_map


def _indicator_fields(r: int) -> tuple[Any | None, up.IndicatorAbout]:
    """The optional need indicator: its file and what it holds (name, unit, period, source)."""
    with st.expander("Valgfrit: en indikator for behov"):
        st.caption(
            "Én værdi pr. kommune, fx borgere over 80 år eller andelen, der føler sig meget ensomme: to kolonner "
            "(kommune og værdi) som CSV eller Excel, eller en tabel fra Statistikbanken. Den bygges med ved "
            "siden af de indikatorer, der allerede er indlæst; en med samme navn erstattes."
        )
        indicator = st.file_uploader(
            "Indikatorfil (CSV eller Excel)",
            type=list(upload_files.INDICATOR_TYPES),
            key=f"indlaes_indicator_{r}",
            max_upload_size=upload_files.MAX_UPLOAD_MB,
        )
        name = st.text_input(
            "Navn",
            key=f"indlaes_indicator_name_{r}",
            placeholder="Fx Borgere 80+ (tomt: filens titel eller navn)",
        )
        unit = st.selectbox(
            "Enhed",
            up.INDICATOR_UNITS,
            index=None,
            key=f"indlaes_indicator_unit_{r}",
            placeholder="Vælg (tomt: personer, hvis alle værdier er hele tal)",
        )
        period = st.text_input(
            "Periode", key=f"indlaes_indicator_period_{r}", placeholder="Fx 2025K3 eller 2021"
        )
        source = st.text_input(
            "Kilde", key=f"indlaes_indicator_source_{r}", placeholder="Fx Danmarks Statistik, FOLK1A"
        )
    return indicator, up.IndicatorAbout(name, unit or "", period, source)


def checked(principal: Principal, files: Files) -> up.Check | None:
    """The check of these files in this mode against the serving build (made once, then kept)."""
    if not files.any:
        return None
    base = str(current_path())
    key = (files.signature, files.about, files.mode, base, principal.scope_text)
    kept = st.session_state.get(_CHECK)
    if kept and kept[0] == key:
        return kept[1]
    try:
        with st.spinner("Læser og tjekker filerne …"):
            saved = st.session_state.get(_SAVED)
            if not saved or saved[0] != files.signature:
                upload = upload_files.save_uploads(
                    principal,
                    [(f.name, f.getbuffer()) for f in files.data],
                    population=(files.population.name, files.population.getbuffer())
                    if files.population
                    else None,
                    boundaries=(files.boundaries.name, files.boundaries.getbuffer())
                    if files.boundaries
                    else None,
                    indicator=(files.indicator.name, files.indicator.getbuffer())
                    if files.indicator
                    else None,
                    vocabulary_map=(files.vocabulary_map.name, files.vocabulary_map.getbuffer())
                    if files.vocabulary_map
                    else None,
                    housing=(files.housing.name, files.housing.getbuffer()) if files.housing else None,
                    need_map=(files.need_map.name, files.need_map.getbuffer()) if files.need_map else None,
                )
                saved = (files.signature, upload)
                st.session_state[_SAVED] = saved
            result = up.check_upload(saved[1], files.mode, indicator=files.about, principal=principal)
    except PermissionDenied as exc:
        st.error(str(exc))
        return None
    except Exception as exc:  # noqa: BLE001 - the edge: a Danish message, never a traceback
        log.exception("Upload kunne ikke tjekkes")
        st.error(
            f"Filerne kunne ikke tjekkes ({type(exc).__name__}). Intet er ændret; de hidtidige data bruges "
            "fortsat. Fejlen er skrevet i serverens log."
        )
        return None
    st.session_state[_CHECK] = (key, result)
    return result


def _issues_frame(issues: list[Issue]) -> None:
    df = up.issues_table(issues)
    df["Række"] = [
        ("" if pd.isna(r) else str(int(r))) for r in df["Række"]
    ]  # no 'None' for whole-file findings
    grid(
        df.head(MAX_SHOWN),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * min(len(df), MAX_SHOWN), 420),
        column_config={
            "Type": st.column_config.TextColumn(width="small"),
            "Ark": st.column_config.TextColumn(width="small"),
            "Række": st.column_config.TextColumn(width="small"),
            "Besked": st.column_config.TextColumn(width="large"),
            "Råd": st.column_config.TextColumn(width="large"),
        },
    )
    if len(df) > MAX_SHOWN:
        st.caption(f"Viser de første {MAX_SHOWN:,} af {len(df):,}; hent alle som Excel.".replace(",", "."))


def findings(check: up.Check) -> None:
    """Every error and warning (file, sheet, row, column, value, message, hint), errors first."""
    st.subheader("Fejl og advarsler")
    errors, warnings = check.errors, check.warnings
    own = [i for i in check.issues if i.is_error or check.is_from_upload(i)]
    rest = [i for i in warnings if not check.is_from_upload(i)]
    if errors:
        st.error(
            f"**{danish.count(len(errors), 'fejl', 'fejl')}** skal rettes, før databasen kan bygges. "
            "Ret dem i filerne, og upload dem igen. Intet er ændret endnu.",
            icon=":material/error:",
        )
    elif own:
        st.info(
            f"Ingen fejl. {danish.count(len(own), 'advarsel', 'advarsler')} om filerne: de stopper ikke "
            "indlæsningen og gemmes, så de kan ses under *Om data*.",
            icon=":material/info:",
        )
    else:
        st.success("Ingen fejl eller advarsler i filerne.", icon=":material/check_circle:")
    if own:
        _issues_frame(own)
    if rest:
        with st.expander(
            f"{danish.count(len(rest), 'advarsel', 'advarsler')} om de data, der allerede er indlæst"
        ):
            _issues_frame(rest)
    if check.issues:
        st.download_button(
            "Hent fejl og advarsler som Excel",
            lambda: export.to_xlsx(
                {"Fejl og advarsler": up.issues_table(check.issues)},
                note="Fejl og advarsler fra indlæsning i Civilsamfundskortet",
            ),
            file_name="fejl-og-advarsler.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/download:",
            key="indlaes_issues_xlsx",
        )


def _table_label(td: TableDiff) -> str:
    return (
        f"{td.sheet}: {danish.count(td.n_new, 'ny', 'nye')} · {danish.count(td.n_changed, 'ændret', 'ændrede')} · "
        f"{danish.count(td.n_removed, 'fjernet', 'fjernede')}"
    )


CHANGE_WIDTHS = {"Id": 110, "Felt": 130, "Før": 260, "Efter": 260}
"""Pixel widths of the changed-fields table, so 'before' and 'after' are both in view."""


def _rows(title: str, df: pd.DataFrame, *, total: int, widths: dict[str, int] | None = None) -> None:
    st.markdown(f"**{title}**")
    config = {c: st.column_config.TextColumn(width=w) for c, w in (widths or {}).items() if c in df.columns}
    grid(
        df, hide_index=True, width="stretch", height=min(38 + 35 * len(df), 320), column_config=config or None
    )
    if total > len(df):
        st.caption(f"Viser de første {len(df):,} af {total:,}.".replace(",", "."))


def _table_preview(td: TableDiff, labels) -> None:
    c = st.columns(4)
    c[0].metric("Nye", td.n_new)
    c[1].metric("Ændrede", td.n_changed)
    c[2].metric("Fjernede", td.n_removed)
    c[3].metric("Uændrede", td.unchanged)
    if not td.has_changes:
        st.write("Ingen ændringer i denne tabel.")
    if td.n_new:
        _rows("Nye rækker", readable(td.table, td.new, MAX_SHOWN, labels=labels), total=td.n_new)
    if td.n_changed:
        _rows(
            "Ændrede rækker: hvilke felter, før og efter",
            readable_changes(td, MAX_SHOWN, labels=labels),
            total=len(td.changes),
            widths=CHANGE_WIDTHS,
        )
    if td.n_removed:
        _rows(
            "Rækker, der fjernes",
            readable(td.table, td.removed, MAX_SHOWN, labels=labels),
            total=td.n_removed,
        )


def preview(check: up.Check) -> None:
    """What building would change, per table: counts, the new rows, changed fields, removed rows."""
    d = check.diff
    if d is None:
        return
    st.subheader("Det ændres")
    totals = d.totals()
    c = st.columns(4)
    c[0].metric("Nye rækker", totals["new"])
    c[1].metric("Ændrede rækker", totals["changed"])
    c[2].metric("Fjernede rækker", totals["removed"])
    c[3].metric("Uændrede rækker", totals["unchanged"])
    if d.untouched:
        names = ", ".join(t.sheet for t in d.untouched)
        if d.mode == REPLACE:
            st.warning(
                f"**Erstat** gælder kun de tabeller, der er i filerne. Ikke uploadet, og derfor uændret: {names}.",
                icon=":material/info:",
            )
        else:
            st.caption(f"Ikke uploadet, og derfor uændret: {names}.")
    for vocabulary, label in check.vocabulary_added:
        st.caption(f"Ny værdi i {md(vocabulary)}: {md(label)}")
    if check.upload.population is not None:
        st.caption(f"Folketal fra {md(check.upload.population.original)} erstatter de hidtidige.")
    if check.upload.boundaries is not None:
        st.caption(f"Kommunegrænser fra {md(check.upload.boundaries.original)} erstatter de hidtidige.")
    if (new := check.new_indicator) is not None:
        st.caption(
            f"Indikatoren {md(new.name)} fra {md(check.upload.indicator.original)} bygges med "
            f"({danish.count(len(new.values), 'kommune', 'kommuner')} med værdi)."
        )
    if check.upload.housing is not None and check.housing is not None:
        st.caption(f"{md(housing_summary(check.housing))} erstatter den hidtidige liste.")
    if check.upload.need_map is not None:
        st.caption(
            f"Behovskortet fra {md(check.upload.need_map.original)} bygges med "
            f"({danish.count(len(check.need_map), 'regel', 'regler')})."
        )
    if d.uploaded:
        labels = check.labels()
        tabs = st.tabs([_table_label(td) for td in d.uploaded])
        for tab, td in zip(tabs, d.uploaded, strict=True):
            with tab:
                _table_preview(td, labels)


def outcome() -> None:
    """The last build's outcome on this page (kept over the rerun that shows the new data)."""
    done = st.session_state.pop(_OUTCOME, None)
    if done:
        st.success(done, icon=":material/check_circle:")


def build_section(check: up.Check, principal: Principal) -> None:
    """The build button (disabled while there are errors), with progress while it runs."""
    st.subheader("Byg databasen")
    if check.errors:
        st.caption("Knappen kan bruges, når fejlene ovenfor er rettet.")
    elif not check.changes_anything:
        st.info("Filerne ændrer ikke noget i de data, appen viser nu.", icon=":material/info:")
    else:
        st.caption(
            "Der bygges en ny database ved siden af den nuværende; appen skifter først, når den er færdig og "
            "har bestået datatjekket. Går noget galt, bruges de hidtidige data fortsat."
        )
    if st.button(
        "Byg databasen",
        type="primary",
        disabled=not check.can_build,
        icon=":material/build:",
        key="indlaes_build",
    ):
        _build(check, principal)


def _build(check: up.Check, principal: Principal) -> None:
    failure: str | None = None
    issues: list[Issue] = []
    with st.status("Bygger databasen …", expanded=True) as status:
        bar = st.progress(0.0, text="Starter …")
        steps: list[str] = []

        def on_step(step: str, rows: int, seconds: float) -> None:
            steps.append(step)
            label = up.STEPS.get(step, step)
            bar.progress(min(len(steps) / len(up.STEPS), 1.0), text=label)
            n, secs = f"{rows:,}".replace(",", "."), f"{seconds:.1f}".replace(".", ",")
            st.write(f":material/check: {label}: {n} rækker på {secs} s")

        try:
            result = up.build_upload(check, principal, on_step=on_step)
        except InputError as exc:
            issues = exc.with_warnings  # the warnings that explain the errors are shown with them
            failure = f"{danish.count(len(exc.issues), 'fejl', 'fejl')} i data."
        except BuildError as exc:
            failure = str(exc)
        except (up.UploadOutdated, PermissionDenied, StoreError) as exc:
            failure = str(exc)
        except Exception as exc:  # noqa: BLE001 - the edge: a Danish message, never a traceback
            log.exception("Bygning fra upload fejlede")
            failure = f"Uventet fejl ({type(exc).__name__}); den er skrevet i serverens log."
        if failure is not None:
            status.update(label="Databasen blev ikke bygget", state="error", expanded=True)
        else:
            status.update(label="Databasen er bygget", state="complete", expanded=False)
    if failure is not None:
        st.error(
            f"**Databasen blev ikke bygget.** {md(failure.rstrip('. '))}. De hidtidige data bruges fortsat.",
            icon=":material/error:",
        )
        serving_line("Appen viser fortsat")
        if issues:
            _issues_frame(issues)
        return
    totals = check.diff.totals() if check.diff is not None else {"new": 0, "changed": 0, "removed": 0}
    counts = ", ".join(
        f"{n:,} {TABLES_BY_NAME[name].sheet.lower()}".replace(",", ".") for name, n in result.counts.items()
    )
    st.session_state[_OUTCOME] = (
        f"**Databasen er bygget**, og appen viser nu de nye data: {danish.count(totals['new'], 'ny', 'nye')}, "
        f"{danish.count(totals['changed'], 'ændret', 'ændrede')} og {danish.count(totals['removed'], 'fjernet', 'fjernede')} "
        f"rækker. Databasen har nu {counts}."
    )
    st.session_state[_ROUND] = st.session_state.get(_ROUND, 0) + 1
    st.session_state.pop(_CHECK, None)
    st.session_state.pop(_SAVED, None)
    st.rerun()


UPLOAD_STATUS = {"modtaget": "modtaget (ikke bygget)", "bygget": "bygget", "afvist": "afvist ved byggeriet"}


def history() -> None:
    """The newest uploads from the store's records: when, by whom, which files, which councils, outcome."""
    from civilkort import reference

    try:
        records = upload_files.uploads()
    except StoreError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    with st.expander(f"Seneste indlæsninger ({len(records)})"):
        if not records:
            st.write("Der er ikke indlæst noget i appen endnu.")
            return
        names = dict(
            zip(reference.councils()["council_id"], reference.councils()["council_name"], strict=True)
        )
        names["national"] = "hele landet"
        grid(
            pd.DataFrame(
                {
                    "Tidspunkt": [danish.local_time(r["uploaded_at"]) for r in records],
                    "Af": [r["uploaded_by"] for r in records],
                    "Filer": ["; ".join(f["name"] for f in r["files"]) for r in records],
                    "Sundhedsråd": [
                        ", ".join(names.get(c, c) for c in r["council_ids"]) or "–" for r in records
                    ],
                    "Udfald": [UPLOAD_STATUS.get(r["status"], r["status"]) for r in records],
                }
            ),
            hide_index=True,
            width="stretch",
        )
