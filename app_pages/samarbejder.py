"""Collaboration radar: the area's collaborations over time, those ending soon, governance gaps and
organisations or units without partners. Every figure's SQL is shown under 'Vis SQL'."""

import pandas as pd
import streamlit as st

from civilkort.charts import timeline_figure
from civilkort.radar import ENDING_WINDOWS, GOVERNANCE_GAPS, ORPHAN_LISTS, ORPHAN_SQL, chart_rows, table
from ui import followup, radar, selection, touch
from ui.data import database
from ui.details import item
from ui.notices import run_safely
from ui.tables import grid, table_with_export

TABS = ["Tidslinje", "Slutter snart", "Styring", "Forældreløse", "Opfølgning"]
MAX_BARS = 250
MAX_CHOICES = 500
GAP_LABELS = {
    "without_tovholder": "Uden tovholder",
    "without_legal_review": "Uden juristvurdering",
    "without_experience": "Uden erfaringer",
}
ORPHAN_LABELS = {
    "organisations": "Organisationer med tilbud uden samarbejde",
    "units": "Regionale enheder uden partner i et tema",
    "multi_council": "Organisationer i flere sundhedsråd",
}
ORPHAN_RULES = {
    "organisations": "Organisationer med adresse i området og mindst ét tilbud (efter filtrene), som ikke er partner "
    "i et igangværende samarbejde. 'Afsluttede samarbejder' viser, om de har samarbejdet før.",
    "units": "Regionale enheder i området og hvert tema, hvor enheden ikke har et igangværende samarbejde. "
    "'Igangværende samarbejder (alle temaer)' = 0 betyder ingen partnere overhovedet.",
    "multi_council": "Organisationer, der holder tilbud eller har igangværende samarbejder i mindst to sundhedsråd, "
    "heraf mindst ét sted i området. Et tilbuds dækningsområde tæller ikke.",
}


def _pct(value) -> str:
    return "–" if pd.isna(value) else f"{value:.1f} %".replace(".", ",")


def _open_picked(key: str, prefix: str) -> None:
    value = st.session_state.get(key)
    if value:
        selection.set_focus(item=f"{prefix}:{value}")
    st.session_state[key] = None


def _clicked_bar() -> None:
    points = st.session_state["radar_timeline_chart"]["selection"]["points"]
    if points:
        ident = (points[0].get("customdata") or [points[0].get("y")])[0]
        selection.set_focus(item=f"collaboration:{ident}")


def _picker(df: pd.DataFrame, *, id_col: str, label_col: str, prefix: str, key: str, label: str) -> None:
    """A choice of one row whose details open above the tabs."""
    shown = df.head(MAX_CHOICES)
    names = dict(zip(shown[id_col], shown[label_col]))
    st.selectbox(
        label,
        list(names),
        index=None,
        format_func=lambda i: f"{names[i]} ({i})",
        key=key,
        on_change=_open_picked,
        args=(key, prefix),
        placeholder="Vælg for at se detaljer …"
        if len(df) <= MAX_CHOICES
        else f"Vælg blandt de første {MAX_CHOICES} for at se detaljer …",
    )


def _sql(*names: str) -> None:
    with st.expander("Vis SQL"):
        st.caption(
            "Tallene ovenfor kommer fra disse forespørgsler på de offentlige views, med områdets og "
            "filtrenes værdier som parametre ($codes, $themes …, $today = dagens dato). Se README."
        )
        st.code(radar.sql(*names), language="sql")


def _timeline(sel) -> None:
    data = radar.view("timeline_view", sel)
    rows, share = data["timeline"], data["kind_share"]
    c1, c2, *kind_cols = st.columns(2 + len(share))
    c1.metric("Samarbejder i området", len(rows))
    c2.metric("Igangværende", int(share["n_current"].sum()))
    for col, k in zip(kind_cols, share.itertuples(index=False)):
        col.metric(
            k.kind_label,
            _pct(k.pct_current),
            help=f"Andel af de igangværende: {k.n_current}. Af alle i området: {k.n} ({_pct(k.pct)}).",
        )
    if rows.empty:
        st.info("Ingen samarbejder i området med de valgte filtre.")
        _sql("timeline", "kind_share")
        return
    left, right = st.columns([2, 1])
    colour_by = left.radio(
        "Farv efter",
        ["theme", "kind"],
        format_func={"theme": "Tema (første tema)", "kind": "Art (projekt / drift)"}.get,
        horizontal=True,
        key="radar_colour",
    )
    include_ended = right.toggle("Vis også afsluttede", key="radar_include_ended")
    drawn, n = chart_rows(rows, include_ended=include_ended, limit=MAX_BARS)
    if n > len(drawn):
        st.caption(
            f"Viser de {len(drawn)} af {n} samarbejder, der slutter først. Vælg et mindre område for alle."
        )
    if drawn.empty:
        st.info("Ingen igangværende samarbejder i området. Slå 'Vis også afsluttede' til.")
    else:
        touch.pass_taps("radar_timeline_chart")
        st.plotly_chart(
            timeline_figure(drawn, colour_by=colour_by, today=radar.today()),
            key="radar_timeline_chart",
            on_select=_clicked_bar,
            selection_mode="points",
            config={"displaylogo": False},
        )
        st.caption(
            "Hver bjælke er et samarbejde fra start til slut. Skraverede bjælker med ▸ er løbende "
            "(ingen slutdato) og tegnes 2 år frem; blege er afsluttede. Klik på en bjælke for detaljer."
        )
    _picker(
        rows,
        id_col="collaboration_id",
        label_col="title",
        prefix="collaboration",
        key="radar_pick_timeline",
        label="Vis et samarbejde",
    )
    grid(
        share,
        hide_index=True,
        column_order=["kind_label", "n", "pct", "n_current", "pct_current"],
        column_config={
            "kind_label": "Art",
            "n": "I alt",
            "pct": st.column_config.NumberColumn("Andel (%)", format="%.1f"),
            "n_current": "Igangværende",
            "pct_current": st.column_config.NumberColumn("Andel af igangværende (%)", format="%.1f"),
        },
    )
    _sql("timeline", "kind_share")


def _ending(sel) -> None:
    data = radar.view("ending", sel)
    for col, m in zip(st.columns(len(ENDING_WINDOWS)), ENDING_WINDOWS):
        col.metric(f"Slutter inden for {m} måneder", data["counts"][m])
    st.caption("Igangværende samarbejder med en slutdato fra i dag og frem; løbende samarbejder er ikke med.")
    window = st.radio(
        "Vis samarbejder der slutter inden for",
        list(ENDING_WINDOWS),
        format_func=lambda m: f"{m} måneder",
        horizontal=True,
        key="radar_window",
    )
    rows = data["rows"][window]
    table_with_export(table(rows), title=f"Slutter inden for {window} måneder", sel=sel, key="radar_ending")
    _picker(
        rows,
        id_col="collaboration_id",
        label_col="title",
        prefix="collaboration",
        key="radar_pick_ending",
        label="Vis et samarbejde",
    )
    _sql("ending")


def _governance(sel) -> None:
    data = radar.view("gaps_in_governance", sel)
    total = data["counts"]["total"]
    for col, gap in zip(st.columns(len(GOVERNANCE_GAPS)), GOVERNANCE_GAPS):
        col.metric(GAP_LABELS[gap], data["counts"][gap], help=f"af {total} samarbejder i området")
    st.caption("Alle samarbejder i området, også afsluttede (se kolonnerne Status og Igangværende).")
    gap = st.radio("Vis", list(GOVERNANCE_GAPS), format_func=GAP_LABELS.get, horizontal=True, key="radar_gap")
    rows = data[gap]
    table_with_export(table(rows), title=f"Samarbejder {GAP_LABELS[gap].lower()}", sel=sel, key="radar_gov")
    _picker(
        rows,
        id_col="collaboration_id",
        label_col="title",
        prefix="collaboration",
        key="radar_pick_gov",
        label="Vis et samarbejde",
    )
    _sql("governance")


def _orphans(sel) -> None:
    which = st.radio(
        "Vis", list(ORPHAN_LABELS), format_func=ORPHAN_LABELS.get, horizontal=True, key="radar_orphan"
    )
    rows = radar.view(ORPHAN_LISTS[which], sel)
    st.metric(ORPHAN_LABELS[which], len(rows))
    st.caption(ORPHAN_RULES[which])
    table_with_export(table(rows), title=ORPHAN_LABELS[which], sel=sel, key="radar_orphans")
    if which == "units":
        _picker(
            rows,
            id_col="unit_id",
            label_col="name",
            prefix="unit",
            key="radar_pick_unit",
            label="Vis en enhed",
        )
    else:
        _picker(
            rows,
            id_col="organisation_id",
            label_col="name",
            prefix="org",
            key="radar_pick_org",
            label="Vis en organisation",
        )
    _sql(ORPHAN_SQL[which])


def page() -> None:
    sel = selection.current()
    st.title(f"Samarbejder: {sel.area_name()}")
    st.caption(
        "Områdets samarbejder mellem regionale enheder og organisationer: hvornår de løber, hvad der "
        "snart slutter, hvad der mangler, og hvem der står uden partner; under Opfølgning koordinatorernes "
        "arbejdsliste. Følger område og filtre i sidepanelet."
    )
    if sel.item:
        with st.container(border=True):
            item(database(), sel.item)
    tabs = st.tabs(TABS, key="radar_tab", on_change="rerun")
    for tab, body in zip(tabs, (_timeline, _ending, _governance, _orphans, followup.tab)):
        if tab.open:
            with tab:
                body(sel)


run_safely(page)
