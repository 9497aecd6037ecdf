"""Gaps in the chosen area: themes, target groups and municipalities with few or no offers,
how well each municipality is mapped, and where social referrals are possible."""

from functools import partial

import streamlit as st

from civilkort import charts, gaps
from ui import gaps as gapdata
from ui import need_supply, selection, touch
from ui.notices import run_safely
from ui.tables import grid, table_with_export
from ui.text import md

# Offers listed under a clicked cell; the download holds them all (fetched only when clicked). A comment, not
# a docstring: Streamlit's "magic" would show a bare string in a page script on the page.
ITEMS_SHOWN = 1_000


def matrix_view(sel, view: str) -> None:
    _, rows, cols = gapdata.VIEWS[view]
    referrals = view == "henvisninger"
    cell = gapdata.selected_cell(view)
    fetch_items = None
    if cell:  # the offers behind the open cell are fetched while the matrix and its heatmap are made
        name = "referral_items" if referrals else "matrix_items"
        where = dict(row_key=cell[0], col_key=cell[1], **({} if referrals else dict(rows=rows, cols=cols)))
        fetch_items = gapdata.prefetch(name, sel, limit=ITEMS_SHOWN, **where)
    has_population = gapdata.population_loaded()
    if referrals:
        st.caption(
            "Tilbud, der modtager sociale henvisninger (fx fra egen læge eller hospital), pr. kommune og "
            "målgruppe. Målgruppe- og henvisningsfiltrene bruges ikke her; de øvrige filtre gælder."
        )
        df = gapdata.view("referral_readiness", sel)
    else:
        need = gapdata.need_map() if {rows, cols} == {"municipality", "target_group"} else None
        if need is not None and need["indicator"].notna().any():
            measures = [m for m in gaps.MEASURES if m != "per_10k" or has_population]
            measure = st.radio(
                "Mål",
                measures,
                format_func=gaps.MEASURES.get,
                key="huller_measure",
                horizontal=True,
                help="Tilbud pr. 1.000 personer i målgruppen: personerne tælles med målgruppens behovsindikator."
                + ("" if has_population else " Pr. 10.000 indbyggere kræver folketal (FOLK1A, se Om data)."),
            )
            st.caption(gapdata.need_caption(need))
        else:
            per_10k = (
                st.toggle(
                    "Pr. 10.000 indbyggere",
                    key="huller_per_10k",
                    disabled=not has_population,
                    help="Kommunens folketal; i tema × målgruppe hele områdets."
                    if has_population
                    else "Kræver folketal (FOLK1A, se Om data).",
                )
                and has_population
            )
            measure = "per_10k" if per_10k else "n"
        df = gapdata.view("matrix", sel, rows=rows, cols=cols, measure=measure)
        ignored = " og ".join(
            {"theme": "temafilteret", "target_group": "målgruppefilteret"}[a]
            for a in (rows, cols)
            if a != "municipality"
        )
        st.caption(
            f"Antal tilbud i hvert felt; et tilbud med flere temaer eller målgrupper tælles i hvert. "
            f"{ignored.capitalize()} bruges ikke her (det er tabellens akse); de øvrige filtre gælder."
        )
    summary = gaps.matrix_summary(df)
    c = st.columns(3)
    c[0].metric("Felter", summary["cells"])
    c[1].metric(
        "Tomme felter (0)", summary["empty"], help="Felter uden tilbud i en kortlagt kommune: huller."
    )
    c[2].metric(
        "Ikke kortlagt",
        summary["unmapped"],
        help="Kommuner uden nogen registreringer. De er ikke huller, men mangler data.",
    )
    chart_key = gapdata.chart_key(view)
    titles = {
        "n": "Tilbud",
        "per_10k": "Tilbud pr. 10.000",
        "per_1000_group": "Tilbud pr. 1.000 i målgruppen",
    }
    title = "Tilbud med sociale henvisninger" if referrals else titles[measure]
    if referrals:
        fig = gapdata.heatmap("referral_readiness", sel, title=title, cell=cell)
    else:
        fig = gapdata.heatmap("matrix", sel, title=title, cell=cell, rows=rows, cols=cols, measure=measure)
    touch.pass_taps(chart_key)
    st.plotly_chart(
        fig,
        key=chart_key,
        on_select=partial(gapdata.remember_cell, view, chart_key),
        selection_mode="points",
        width="stretch",
        config={"displayModeBar": False},
    )
    if not referrals:
        gapdata.matrix_download(
            df, rows, cols, title=f"Huller {gapdata.VIEWS[view][0]}", key=f"huller_matrix_{view}"
        )
    labels = gaps.cell_labels(df, *cell) if cell else None
    if labels is None:
        st.caption("Klik på et felt for at se tilbuddene bag det.")
    else:
        total = gaps.cell_count(df, *cell)
        items = fetch_items()
        st.subheader(f"{md(labels[0])} × {md(labels[1])}: {total:,} tilbud".replace(",", "."))
        st.button("Luk listen", on_click=gapdata.forget_cell, key="huller_close")
        if items.empty:
            st.info("Ingen tilbud i dette felt med de valgte filtre.")
        else:
            table_with_export(
                items,
                title=f"Tilbud {labels[0]} {labels[1]}",
                sel=sel,
                key="huller_items",
                total=total,
                full=gapdata.loader(name, sel, **where),
            )
    with st.expander("Vis SQL"):
        if referrals:
            gapdata.show_sql("referral_readiness", sel)
        else:
            gapdata.show_sql("matrix", sel, rows=rows, cols=cols)
        if labels is not None:
            st.markdown("**Tilbuddene bag det valgte felt**")
            if referrals:
                gapdata.show_sql("referral_items", sel, row_key=cell[0], col_key=cell[1])
            else:
                gapdata.show_sql("matrix_items", sel, row_key=cell[0], col_key=cell[1], rows=rows, cols=cols)


def coverage_view(sel) -> None:
    st.caption(
        "Ingen tilbud er ikke det samme som ingen data. Her er kortlægningen selv: hvor mange organisationer "
        "og tilbud der er registreret i hver kommune, hvor friske og hvor præcise de er. Filtrene bruges "
        "ikke her, undtagen i kolonnen *Tilbud med filtrene*."
    )
    cov = gapdata.view("coverage", sel)
    summary = gaps.coverage_summary(cov)
    c = st.columns(3)
    c[0].metric("Kommuner", summary["municipalities"])
    c[1].metric("Ikke kortlagt", summary["unmapped"], help="Kommuner uden nogen registreringer.")
    c[2].metric("Gennemsnitlig score", summary["mean_score"], help="Ikke kortlagte kommuner tæller 0.")
    st.plotly_chart(charts.coverage_bar(cov), width="stretch", config={"displayModeBar": False})
    table = gaps.danish(cov)
    grid(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            gaps.LABELS["score"]: st.column_config.ProgressColumn(
                gaps.LABELS["score"], min_value=0, max_value=100, format="%d"
            ),
        },
    )
    st.markdown(gaps.SCORE_HELP)
    with st.expander("Vis SQL"):
        gapdata.show_sql("coverage", sel)


def page() -> None:
    sel = selection.current()
    st.title(f"Huller: {sel.area_name()}")
    need_supply.view_from_url("huller_view", list(gapdata.VIEWS))
    view = st.radio(
        "Visning",
        list(gapdata.VIEWS),
        format_func=lambda v: gapdata.VIEWS[v][0],
        key="huller_view",
        horizontal=True,
        label_visibility="collapsed",
    )
    need_supply.keep_view_in_url(view, next(iter(gapdata.VIEWS)))
    if view == "kortlaegning":
        coverage_view(sel)
    elif view == need_supply.VIEW:
        need_supply.need_supply_view(sel)
    else:
        matrix_view(sel, view)


run_safely(page)
