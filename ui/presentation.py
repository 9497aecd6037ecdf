"""Presentation mode: a guided sequence of views on a projector, and the facilitator's tools to build one.

The URL is the source of truth while presenting: ``?sekvens=<id>&trin=3`` plus the step's own state
(``civilkort.sequences.step_params``). Previous/Next write the next step's parameters into the URL, so a
copied link opens that step and the browser's back button goes to the previous one (Streamlit pushes a
history entry for each change and reruns the page with the old query string on *back*).

app.py asks :func:`is_presenting` before it draws the sidebar, the banner and the filter line: while
presenting, the page gets the whole screen. The CSS below holds no user data.
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlencode, urlsplit

import streamlit as st
from streamlit_folium import st_folium

from civilkort import assets, charts, danish, gaps, maps, page_map, sequences, tiles
from civilkort import room as rooms
from civilkort.auth import COORDINATOR, PermissionDenied
from civilkort.filters import MEASURES, Selection, format_view, from_params, parse_view, to_params
from civilkort.radar import ENDING_WINDOWS
from civilkort.schema import NO_THEME_LABEL
from civilkort.sequences import SEQUENCE_PARAM, Sequence, Step
from civilkort.store import Store, StoreError, open_store
from ui import auth as ui_auth
from ui import browser, data, join_step, radar, selection
from ui import gaps as gapdata
from ui import room as wall
from ui.notices import is_example
from ui.text import md
from ui.tiles import tile_chart

PAGE = "app_pages/praesentation.py"
URL_PATH = "praesentation"
VOCABULARIES = ("theme", "target_group", "prevention_level", "organisation_type", "staffing", "offer_status")
FULL_MATRIX_UP_TO = 20
"""Municipality × theme for areas with at most this many municipalities; theme × target group above."""
MAX_ENDING_BARS = 14
"""Collaborations drawn on the 'ending' step; more would not be readable from the back of a room."""
# --- state -----------------------------------------------------------------------------------------


def is_presenting(page) -> bool:
    """True when ``page`` (from st.navigation) is this page and the URL names a sequence."""
    return getattr(page, "url_path", None) == URL_PATH and SEQUENCE_PARAM in st.query_params


def store() -> Store:
    """The store of the data folder in force."""
    return open_store()


def known_codes() -> dict[str, frozenset[str]]:
    """The codes of today's vocabularies, to check saved steps against."""
    return sequences.known_codes(
        {v: data.query("vocabulary", None, v)["code"].tolist() for v in VOCABULARIES}
    )


def has_boundaries() -> bool:
    """True if the served build has municipality boundaries."""
    return bool(data.query("has_boundaries"))


def _default(area: str) -> Sequence:
    """The built-in sequence for ``area``: opened by *Deltag* while a workshop there is in progress or
    held today (civilkort.room)."""
    live = bool(rooms.workshops(store(), area))
    return sequences.default_sequence(area, has_boundaries=has_boundaries(), workshop=live)


def _load(sequence_id: str | None, area: str) -> tuple[Sequence | None, list[str]]:
    if sequence_id == sequences.DEFAULT_ID:
        return _default(area), []
    return sequences.load(
        store(), sequence_id, known=known_codes(), area=area, has_boundaries=has_boundaries()
    )


def _go(sequence: Sequence, number: int) -> None:
    """Show step ``number`` (1-based): its parameters become the URL (a history entry per step)."""
    number = max(1, min(number, len(sequence.steps)))
    st.query_params.from_dict(sequences.step_params(sequence.sequence_id, number, sequence.steps[number - 1]))


def _exit(step: Step) -> None:
    """Back to normal mode, with the app showing what the last step showed."""
    selection.apply(step.selection)
    st.query_params.from_dict(to_params(step.selection))


def link(params: dict[str, str]) -> str:
    """An absolute link to this page with ``params`` (for 'Kopiér link')."""
    base = ""
    try:
        parts = urlsplit(st.context.url or "")
        if parts.scheme and parts.netloc:
            path = parts.path.rstrip("/")
            path = path[: -len(URL_PATH)].rstrip("/") if path.endswith(URL_PATH) else path
            base = f"{parts.scheme}://{parts.netloc}{path}"
    except Exception:  # noqa: BLE001 - no request context (tests): a relative link is still useful
        base = ""
    return f"{base}/{URL_PATH}?{urlencode(params)}"


# --- presenting ------------------------------------------------------------------------------------


def present() -> None:
    """The presentation screen for the sequence and step in the URL."""
    browser.style("presenting.css")
    params = st.query_params.to_dict()
    sequence_id, number = sequences.position(params)
    area = from_params(params).area
    sequence, notes = _load(sequence_id, area)
    if sequence is None:
        notes = ["Sekvensen i linket findes ikke (længere). Standardsekvensen for området vises i stedet."]
        sequence, _ = _load(sequences.DEFAULT_ID, area)
        assert sequence is not None
    if not sequence.steps:
        st.title("Sekvensen har ingen trin")
        st.info("Tilføj trin under *Præsentation* (uden for præsentationstilstand).")
        st.button("Afslut præsentation", on_click=_exit, args=(Step("", "kort", Selection(area=area)),))
        return
    total = len(sequence.steps)
    if number > total:
        notes.append(f"Sekvensen har kun {total} trin; trin {total} vises.")
        number = total
    kind = params.get(sequences.KIND_PARAM)
    number = sequences.step_meant(sequence, number, kind if isinstance(kind, str) else None)
    step = sequence.steps[number - 1]
    expected = sequences.step_params(sequence.sequence_id, number, step)
    if params != expected:  # an old or hand-made link: show the step as saved, and say so in the URL
        st.query_params.from_dict(expected)

    _header(sequence, number, step)
    if notes:
        with st.container(key="ck-notes"):
            st.warning(" ".join(md(n) for n in notes), icon=":material/info:")
    show_step(step)


def _header(sequence: Sequence, number: int, step: Step) -> None:
    total = len(sequence.steps)
    left, counter, nav = st.columns([5.2, 0.9, 4.4], vertical_alignment="center")
    with left, st.container(key="ck-title"):
        st.title(md(step.title), anchor=False)
        subtitle = [md(step.selection.area_name())]
        filters = selection.active_filters(step.selection)
        if filters:
            subtitle.append(md(filters))
        if is_example(data.database()):
            subtitle.append("Eksempeldata")
        st.markdown(" · ".join(subtitle))
    with counter, st.container(key="ck-counter"):
        st.markdown(f"{number} / {total}")
    with nav, st.container(key="ck-nav", horizontal=True, horizontal_alignment="right"):
        st.button(
            "Forrige",
            icon=":material/arrow_back:",
            key="ck-prev",
            shortcut="Left",
            disabled=number <= 1,
            on_click=_go,
            args=(sequence, number - 1),
            help="Forrige trin (←, Page Up)",
        )
        st.button(
            "Næste",
            icon=":material/arrow_forward:",
            key="ck-next",
            shortcut="Right",
            type="primary",
            disabled=number >= total,
            on_click=_go,
            args=(sequence, number + 1),
            help="Næste trin (→, Page Down)",
        )
        st.button(
            "Afslut",
            icon=":material/close:",
            key="ck-exit",
            shortcut="Esc",
            on_click=_exit,
            args=(step,),
            help="Tilbage til almindelig visning (Esc)",
        )
    # Presentation clickers send Page Up / Page Down: the same moves, on buttons nobody sees.
    with st.container(key="ck-pageup"):
        st.button(
            "Forrige (Page Up)",
            key="ck-prev-pg",
            shortcut="PageUp",
            on_click=_go,
            args=(sequence, number - 1),
        )
    with st.container(key="ck-pagedown"):
        st.button(
            "Næste (Page Down)",
            key="ck-next-pg",
            shortcut="PageDown",
            on_click=_go,
            args=(sequence, number + 1),
        )


def _measure(sel: Selection) -> str:
    measure = sel.measure
    if measure == "offers_per_10k" and data.query("municipality_measures", sel)["population"].isna().all():
        return "offers"
    return measure


def _room(step: Step) -> rooms.Room | None:
    """The room's contributions when the step shows them and a workshop in its area is in progress."""
    return wall.current(store(), step.selection.area) if step.room else None


def show_step(step: Step) -> None:
    """The step's key figure, or the room's running count (left), and its map or chart filling the rest."""
    sel = step.selection
    if step.kind == "deltag":  # the code, QR code and join link of the area's workshop, the whole width
        join_step.show(store(), ui_auth.current(), sel)
        return
    room = _room(step)
    if step.kind == "noegletal" and room is None:
        _key_figures_grid(sel)
    else:
        side, main = st.columns([1, 4.2], gap="medium")
        with side, st.container(key="ck-figures"):
            if room is not None:
                wall.panel(room)
            else:
                _figures(step)
        with main, st.container(key="ck-stage"):
            if step.kind == "kort":
                _map(sel, room.pins if room is not None and len(room.pins) else None)
            else:
                {
                    "flisekort": _tile_map,
                    "temaer": _themes,
                    "huller": _gaps,
                    "udloeber": _ending,
                    "noegletal": _key_figures_grid,
                }[step.kind](sel)
    if step.room:  # after the stage, so it never changes what is above the map
        wall.watch(store())


def _key(label: str, value: str, help: str | None = None) -> None:
    with st.container(key="ck-key"):
        st.metric(label, value, help=help)


def _more(items: list[tuple[str, str]]) -> None:
    with st.container(key="ck-more"):
        for label, value in items:
            st.metric(label, value)


def _figures(step: Step) -> None:
    sel = step.selection
    figures = data.query("key_figures", sel)
    if step.kind in ("kort", "flisekort"):
        measure = _measure(sel)
        if measure == "collaborations":
            _key("Samarbejder", danish.number(figures["collaborations"]))
            _more(
                [
                    ("Tilbud", danish.number(figures["offers"])),
                    ("Organisationer", danish.number(figures["organisations"])),
                ]
            )
        else:
            _key("Tilbud", danish.number(figures["offers"]))
            _more(
                [
                    ("Organisationer", danish.number(figures["organisations"])),
                    ("Samarbejder", danish.number(figures["collaborations"])),
                ]
            )
        note = (
            f"Farve: {MEASURES[measure].lower()}. Grå: ikke kortlagt ({figures['municipalities_without']})."
        )
        if step.kind == "flisekort":
            note += " Hver kommune er lige stor."
            moved = tiles.hex_layout(sel.municipality_codes()).moved
            if moved:
                note += f" {', '.join(md(n) for n in moved)} er rykket tættere på (stiplet kant)."
        _note(note)
    elif step.kind == "temaer":
        by_theme = data.query("offers_by_theme", sel)
        empty = int((by_theme["n"] == 0).sum())
        _key(
            "Temaer uden tilbud",
            str(empty),
            help="Temaer, hvor der ikke er registreret nogen tilbud i området.",
        )
        themes = int(
            (by_theme["label"] != NO_THEME_LABEL).sum()
        )  # the row of offers without theme is no theme
        _more([("Tilbud", danish.number(figures["offers"])), ("Temaer i alt", str(themes))])
    elif step.kind == "huller":
        df, rows, cols = _matrix(sel)
        summary = gaps.matrix_summary(df)
        _key("Huller", danish.number(summary["empty"]), help="Felter uden tilbud i en kortlagt kommune.")
        _more(
            [
                ("Felter", danish.number(summary["cells"])),
                ("Ikke kortlagt", danish.number(summary["unmapped"])),
            ]
        )
        _note(
            "Orange felt: 0 tilbud (et hul). Gråt: ikke kortlagt."
            + (" Tema × målgruppe for hele området." if rows == "theme" else "")
        )
    elif step.kind == "udloeber":
        ending = radar.view("ending", sel)
        counts = ending["counts"]
        longest = max(ENDING_WINDOWS)
        _key(f"Udløber inden for {longest} måneder", danish.number(counts[longest]))
        _more([(f"Inden for {m} måneder", danish.number(counts[m])) for m in ENDING_WINDOWS if m != longest])
        note = "Igangværende samarbejder med en slutdato; løbende samarbejder er ikke med."
        if counts[longest] > MAX_ENDING_BARS:
            note += f" Grafen viser de {MAX_ENDING_BARS}, der slutter først; alle under *Samarbejdsradar*."
        _note(note)


def _note(text: str) -> None:
    """A line of explanation under the key figures, in readable size and ink."""
    with st.container(key="ck-note"):
        st.markdown(text)


def _map(sel: Selection, pins=None) -> None:
    """The area's map; ``pins``: the room's entries (civilkort.room), drawn as the map page's workshop layer."""
    if assets.missing():
        st.error("Kortets filer (Leaflet) er ikke installeret. Kør: `make setup`")
        return
    measure = _measure(sel)
    layers = data.map_layers(sel, measure)
    view = page_map.page_map(
        layers,
        layers=sel.layers,
        measure_label=MEASURES[measure],
        view=sel.view,
        area_name=sel.area_name(),
        workshop=pins,
    )
    st_folium(
        maps.for_projector(view.base),
        key=f"praes-kort-{sel.area}",
        feature_group_to_add=view.groups,
        returned_objects=[],
        height=720,
        use_container_width=True,
    )


def _tile_map(sel: Selection) -> None:
    measure = _measure(sel)
    values = data.query("municipality_values", sel, measure)
    layout = tiles.hex_layout(sel.municipality_codes())
    fig = tiles.tile_figure(layout, values, measure=measure, measure_label=MEASURES[measure], large=True)
    tile_chart(fig, key="praes-fliser", scope=".st-key-ck-stage")


def _themes(sel: Selection) -> None:
    by_theme = data.query("offers_by_theme", sel)
    fig = charts.for_projector(charts.counts_bar(by_theme, "label", "n", title=""))
    fig.update_layout(margin={"l": 10, "r": 60, "t": 10, "b": 10}, xaxis={"showticklabels": False})
    counts = list(fig.data[0].x)  # a theme without offers is a gap: say so, in the gap colour
    fig.update_traces(
        text=["0 – ingen tilbud" if n == 0 else danish.number(n) for n in counts],
        textfont_color=[charts.GAP_ZERO_TEXT if n == 0 else "#111111" for n in counts],
    )
    st.plotly_chart(
        fig, height="stretch", config={"displayModeBar": False, "staticPlot": True}, key="praes-temaer"
    )


def _matrix(sel: Selection):
    if len(sel.municipality_codes()) <= FULL_MATRIX_UP_TO:
        rows, cols = "municipality", "theme"
    else:
        rows, cols = "theme", "target_group"
    return gapdata.view("matrix", sel, rows=rows, cols=cols, per_10k=False), rows, cols


def _gaps(sel: Selection) -> None:
    _, rows, cols = _matrix(sel)
    fig = gapdata.heatmap("matrix", sel, title="Tilbud", cell=None, rows=rows, cols=cols, per_10k=False)
    fig = charts.for_projector(fig, font_size=22 if rows == "municipality" else 18)
    fig.update_traces(showscale=False, selector={"type": "heatmap"})
    fig.update_layout(legend={"y": -0.01})
    st.plotly_chart(
        fig, height="stretch", config={"displayModeBar": False, "staticPlot": True}, key="praes-huller"
    )


def _ending(sel: Selection) -> None:
    ending = radar.view("ending", sel)
    rows = ending["rows"][max(ENDING_WINDOWS)]
    if rows.empty:
        st.markdown(f"### Ingen samarbejder i området udløber inden for {max(ENDING_WINDOWS)} måneder.")
        return
    shown = rows.sort_values(["days_left", "title"], kind="stable").head(MAX_ENDING_BARS)
    fig = charts.for_projector(charts.ending_bar(shown, months=max(ENDING_WINDOWS)), font_size=20)
    st.plotly_chart(
        fig, height="stretch", config={"displayModeBar": False, "staticPlot": True}, key="praes-udloeb"
    )


def _key_figures_grid(sel: Selection) -> None:
    figures = data.query("key_figures", sel)
    ending = radar.view("ending", sel)["counts"][max(ENDING_WINDOWS)]
    with st.container(key="ck-grid"):
        top = st.columns(3)
        top[0].metric("Organisationer", danish.number(figures["organisations"]))
        top[1].metric("Tilbud", danish.number(figures["offers"]))
        top[2].metric("Samarbejder", danish.number(figures["collaborations"]))
        bottom = st.columns(3)
        bottom[0].metric("Regionale enheder", danish.number(figures["units"]))
        bottom[1].metric("Kommuner ikke kortlagt", danish.number(figures["municipalities_without"]))
        bottom[2].metric(f"Udløber inden for {max(ENDING_WINDOWS)} måneder", danish.number(ending))


# --- the facilitator's view ------------------------------------------------------------------------


def map_view_from(text: str) -> tuple[float, float, int] | None:
    """A map view from a pasted app link (its ``kort`` parameter) or from ``lat,lon,zoom``."""
    text = (text or "").strip()
    if "?" in text or "kort=" in text:
        query = urlsplit(text).query or text.split("?", 1)[-1]
        values = parse_qs(query).get("kort")
        return parse_view(values[-1]) if values else None
    return parse_view(text)


_FLASH = "praes_flash"


def _flash(kind: str, text: str) -> None:
    st.session_state[_FLASH] = (kind, text)


def _act(what: str, fn, *args, **kwargs) -> bool:
    """Run a change to the store from a button; its outcome is shown on the next run (Danish).

    A change made from an older version than the store's (someone else saved meanwhile) is refused by the
    store (Conflict, naming who and when) and shown the same way; True if the change was saved."""
    try:
        fn(store(), ui_auth.current(), *args, **kwargs)
    except (PermissionDenied, StoreError, sequences.SequenceError) as exc:
        _flash("error", md(str(exc)))
        return False
    _flash("success", what)
    return True


def _start(sequence: Sequence) -> None:
    if sequence.steps:
        _go(sequence, 1)
    else:
        _flash("error", "Sekvensen har ingen trin endnu.")


def _describe(sel: Selection) -> str:
    """One line on what a step shows: area, filters, measure, map view (escaped for Markdown)."""
    parts = [md(sel.area_name())]
    filters = selection.active_filters(sel)
    if filters:
        parts.append(md(filters))
    parts.append(md(MEASURES.get(sel.measure, sel.measure)))
    if sel.view is not None:
        parts.append(f"kortudsnit {md(format_view(sel.view))}")
    return " · ".join(parts)


def _sequence_card(sequence: Sequence, *, info: str) -> None:
    with st.container(border=True):
        top = st.columns([5, 1.3, 1.3], vertical_alignment="center")
        top[0].markdown(f"**{md(sequence.name)}**  \n{info}")
        top[1].button(
            "Præsentér",
            icon=":material/slideshow:",
            key=f"praes-start-{sequence.sequence_id}",
            type="primary",
            on_click=_start,
            args=(sequence,),
            width="stretch",
        )
        with top[2].popover("Kopiér link", icon=":material/link:", width="stretch"):
            if sequence.steps:
                st.code(
                    link(sequences.step_params(sequence.sequence_id, 1, sequence.steps[0])),
                    language=None,
                    wrap_lines=True,
                )
                st.caption("Klik på kopiér-ikonet. Linket åbner første trin; hvert trin har sit eget link.")
            else:
                st.caption("Sekvensen har ingen trin endnu.")
        st.caption(" → ".join(md(s.title) for s in sequence.steps) or "Ingen trin endnu.")


def sequence_list(sel: Selection) -> list[dict]:
    """The saved sequences and the built-in one for the current area, each with 'Præsentér' and a link."""
    st.subheader("Sekvenser")
    _sequence_card(
        _default(sel.area),
        info="Indbygget: følger det valgte område i sidepanelet. Mens en workshop i området er i gang, "
        "begynder den med workshoppens kode og QR-kode, og overblikket viser rummets bidrag.",
    )
    saved = sequences.list_sequences(store())
    for row in saved:
        sequence, notes = _load(row["sequence_id"], sel.area)
        if sequence is None:
            continue
        when = danish.date(row["updated_at"])
        _sequence_card(
            sequence,
            info=f"{row['n_steps']} trin · ændret {when} af {md(row['created_by'])}"
            + (" · *nogle filterværdier findes ikke længere*" if notes else ""),
        )
    return saved


def _add_current(sequence_id: str, sel: Selection, version: int) -> None:
    kind = st.session_state.get(f"praes-add-kind-{sequence_id}", "kort")
    title = st.session_state.get(f"praes-add-title-{sequence_id}", "")
    room = bool(st.session_state.get(f"praes-add-room-{sequence_id}", False))
    pasted = st.session_state.get(f"praes-add-view-{sequence_id}", "")
    if pasted.strip():
        view = map_view_from(pasted)
        if view is None:
            _flash(
                "error",
                "Kortudsnittet kunne ikke læses: indsæt et link fra kortets »Kopiér link« eller bredde,længde,zoom.",
            )
            return
        sel = replace(sel, view=view)
    try:
        step = sequences.step_from_selection(sel, kind, title, room=room)
    except sequences.SequenceError as exc:
        _flash("error", md(str(exc)))
        return
    _act(f"Trinnet »{md(step.title)}« er tilføjet.", sequences.add_step, sequence_id, step,
         expected_version=version)  # fmt: skip
    st.session_state[f"praes-add-title-{sequence_id}"] = ""
    st.session_state[f"praes-add-view-{sequence_id}"] = ""


def _create(sel: Selection, from_default: bool) -> None:
    name = st.session_state.get("praes-new-name", "")
    steps = _default(sel.area).steps if from_default else ()
    try:
        created = sequences.create(store(), ui_auth.current(), name, steps)
    except (PermissionDenied, StoreError, sequences.SequenceError) as exc:
        _flash("error", md(str(exc)))
        return
    st.session_state["praes-edit"] = created.sequence_id
    st.session_state["praes-new-name"] = ""
    _flash("success", f"Sekvensen »{md(created.name)}« er oprettet.")


def _rename(sequence_id: str, key: str, version: int) -> None:
    _act("Sekvensen er omdøbt.", sequences.rename, sequence_id, st.session_state.get(key, ""),
         expected_version=version)  # fmt: skip


def _edit_kind(sequence_id: str, index: int, key: str, version: int) -> None:
    _act("Visningen er ændret.", sequences.edit_step, sequence_id, index, kind=st.session_state.get(key),
         expected_version=version)  # fmt: skip


def _edit_title(sequence_id: str, index: int, key: str, version: int) -> None:
    _act("Titlen er ændret.", sequences.edit_step, sequence_id, index, title=st.session_state.get(key, ""),
         expected_version=version)  # fmt: skip


def _edit_room(sequence_id: str, index: int, key: str, version: int) -> None:
    shown = bool(st.session_state.get(key))
    _act("Trinnet viser nu rummets bidrag." if shown else "Trinnet viser ikke længere rummets bidrag.",
         sequences.edit_step, sequence_id, index, room=shown, expected_version=version)  # fmt: skip


def _delete(sequence_id: str, version: int) -> None:
    if _act("Sekvensen er slettet.", sequences.delete, sequence_id, expected_version=version):
        st.session_state["praes-edit"] = None


def editor(sel: Selection, saved: list[dict]) -> None:
    """Build and change sequences (coordinators): add the current view as a step, reorder, rename, delete."""
    st.subheader("Byg en sekvens")
    person = ui_auth.current()
    if not person.has(COORDINATOR):
        st.caption(
            "At gemme og ændre sekvenser kræver koordinatoradgang. At vise og præsentere er åbent for alle."
        )
        ui_auth.coordinator_form(key="praes-koordinator")
        return
    names = {row["sequence_id"]: row["name"] for row in saved}
    if st.session_state.get("praes-edit") not in names:
        st.session_state["praes-edit"] = None
    chosen = st.selectbox(
        "Sekvens at redigere",
        [None, *names],
        format_func=lambda i: "Ny sekvens …" if i is None else names[i],
        key="praes-edit",
    )
    if chosen is None:
        st.text_input("Navn på den nye sekvens", key="praes-new-name", max_chars=sequences.MAX_NAME)
        c = st.columns(2)
        c[0].button(
            "Opret tom sekvens",
            key="praes-create",
            on_click=_create,
            args=(sel, False),
            icon=":material/add:",
        )
        c[1].button(
            "Opret ud fra standardsekvensen",
            key="praes-create-default",
            on_click=_create,
            args=(sel, True),
            icon=":material/content_copy:",
            help="Overblik → Temaer → Huller → Samarbejder der udløber for det valgte område.",
        )
        return
    sequence, notes = _load(chosen, sel.area)
    if sequence is None:
        st.info("Sekvensen findes ikke længere.")
        return
    for note in notes:
        st.caption(f":material/info: {md(note)}")
    # Every change goes with the version shown here (expected_version): a change someone else saved since
    # is refused, naming them, instead of overwritten. Widget keys change with every save, so that the
    # widgets always show what is stored.
    shown = sequence.version
    version = f"{sequence.updated_at}-{shown}"
    name_key = f"praes-name-{chosen}-{version}"
    c = st.columns([4, 1], vertical_alignment="bottom")
    c[0].text_input("Navn", value=sequence.name, key=name_key, max_chars=sequences.MAX_NAME)
    c[1].button(
        "Omdøb",
        key=f"praes-rename-{chosen}",
        on_click=_rename,
        args=(chosen, name_key, shown),
        width="stretch",
    )

    st.markdown("**Trin**")
    if not sequence.steps:
        st.caption("Ingen trin endnu: vælg område og filtre i sidepanelet, og tilføj visningen nedenfor.")
    last = len(sequence.steps) - 1
    for i, step in enumerate(sequence.steps):
        with st.container(border=True):
            row = st.columns([0.4, 3.2, 2.4, 0.55, 0.55, 0.55], vertical_alignment="center")
            row[0].markdown(f"**{i + 1}.**")
            title_key = f"praes-title-{chosen}-{i}-{version}"
            row[1].text_input(
                "Titel",
                value=step.title,
                key=title_key,
                on_change=_edit_title,
                args=(chosen, i, title_key, shown),
                label_visibility="collapsed",
                max_chars=sequences.MAX_NAME,
            )
            kind_key = f"praes-kind-{chosen}-{i}-{version}"
            row[2].selectbox(
                "Visning",
                list(sequences.VIEW_KINDS),
                index=list(sequences.VIEW_KINDS).index(step.kind),
                format_func=sequences.VIEW_KINDS.get,
                key=kind_key,
                on_change=_edit_kind,
                args=(chosen, i, kind_key, shown),
                label_visibility="collapsed",
            )
            row[3].button(
                "",
                icon=":material/arrow_upward:",
                key=f"praes-up-{chosen}-{i}-{version}",
                disabled=i == 0,
                help="Flyt op",
                on_click=_act,
                args=("Trinnet er flyttet.", sequences.move_step, chosen, i, i - 1),
                kwargs={"expected_version": shown},
            )
            row[4].button(
                "",
                icon=":material/arrow_downward:",
                key=f"praes-down-{chosen}-{i}-{version}",
                disabled=i == last,
                help="Flyt ned",
                on_click=_act,
                args=("Trinnet er flyttet.", sequences.move_step, chosen, i, i + 1),
                kwargs={"expected_version": shown},
            )
            row[5].button(
                "",
                icon=":material/delete:",
                key=f"praes-remove-{chosen}-{i}-{version}",
                help="Slet trinnet",
                on_click=_act,
                args=("Trinnet er slettet.", sequences.remove_step, chosen, i),
                kwargs={"expected_version": shown},
            )
            below = st.columns([4, 2], vertical_alignment="center")
            below[0].caption(_describe(step.selection))
            room_key = f"praes-room-{chosen}-{i}-{version}"
            below[1].checkbox(
                wall.LABEL,
                value=step.room,
                key=room_key,
                on_change=_edit_room,
                args=(chosen, i, room_key, shown),
                help=wall.HELP,
            )

    with st.container(border=True):
        st.markdown("**Tilføj nuværende visning som trin**")
        st.caption(f"Nu valgt: {_describe(sel)}")
        c = st.columns([3, 2])
        c[0].text_input(
            "Titel",
            key=f"praes-add-title-{chosen}",
            placeholder="fx Hvor er hullerne?",
            max_chars=sequences.MAX_NAME,
        )
        c[1].selectbox(
            "Visning",
            list(sequences.VIEW_KINDS),
            format_func=sequences.VIEW_KINDS.get,
            key=f"praes-add-kind-{chosen}",
        )
        st.text_input(
            "Kortudsnit (valgfrit)",
            key=f"praes-add-view-{chosen}",
            placeholder="Indsæt et link fra kortets »Kopiér link«, eller bredde,længde,zoom",
            help="Uden kortudsnit viser kortet hele området.",
        )
        st.checkbox(wall.LABEL, key=f"praes-add-room-{chosen}", help=wall.HELP)
        st.button(
            "Tilføj nuværende visning som trin",
            key=f"praes-add-{chosen}",
            icon=":material/add_to_queue:",
            type="primary",
            on_click=_add_current,
            args=(chosen, sel, shown),
        )

    with st.expander("Slet sekvensen"):
        st.caption("Sletningen logges med hvem og hvornår; sekvensen forsvinder for alle.")
        st.button(
            "Slet sekvensen",
            key=f"praes-delete-{chosen}",
            icon=":material/delete_forever:",
            on_click=_delete,
            args=(chosen, shown),
        )


def facilitator(sel: Selection) -> None:
    """The page outside presentation mode: saved sequences to present, and the sequence builder."""
    st.title("Præsentation")
    st.caption(
        "Vis kortet og tallene for rummet, trin for trin, i fuld skærm med stor tekst. "
        "Skift trin med ← → (eller Page Up / Page Down fra en præsentationsklikker); Esc afslutter. "
        "Alt virker uden internet."
    )
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        (st.success if flash[0] == "success" else st.error)(flash[1])
    saved = sequence_list(sel)
    editor(sel, saved)
