"""Huller's need-and-supply view: the bivariate tile map for one target group, its legend, the map as a
table, and the ranked municipality × target-group cells with their downloads (``civilkort.need_supply``).

The figures come from the same cached municipality × target-group matrix as the other gap views (its SQL
file, ``matrix_municipality_target_group.sql``); the chosen view and target group are kept in the URL (``huller``,
``behov``), so a copied link opens the same map.
"""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from civilkort import need_supply as ns
from civilkort import need_supply_map as nsm
from civilkort import queries, tiles
from civilkort.filters import NATIONAL_AREA, Selection
from ui import browser, data
from ui import gaps as gapdata
from ui.tables import download_buttons, grid
from ui.text import md
from ui.tiles import tile_chart

VIEW = "behov"
"""The Huller view's key (``ui.gaps.VIEWS``)."""
VIEW_PARAM = "huller"
"""The URL parameter that holds Huller's view (left out for the first view)."""
GROUP_PARAM = "behov"
"""The URL parameter that holds the chosen target group of the need-and-supply view."""
GROUP_KEY = "huller_behov_group"
TILES_KEY = "huller_behov_tiles"
FOLIUM_HEIGHT = 520
MAP_WIDTH = 420
"""The map's height fits this width (px): a little under the map column on a 1280 px screen with the sidebar
open (there the map then leaves room at its sides), a little over a phone's (there it leaves some below)."""
SHOWN = 25
"""Rows of the ranked table on the page; the downloads hold every cell."""


def view_from_url(key: str, options: list[str]) -> None:
    """Open Huller on the view a link names (only before its radio has a value of its own)."""
    wanted = st.query_params.get(VIEW_PARAM)
    if key not in st.session_state and wanted in options:
        st.session_state[key] = wanted


def keep_view_in_url(view: str, default: str) -> None:
    """Huller's view in the URL (none for ``default``); the target group only with this view."""
    _set_param(VIEW_PARAM, None if view == default else view)
    if view != VIEW:
        _set_param(GROUP_PARAM, None)


def _set_param(name: str, value: str | None) -> None:
    if value is None:
        if name in st.query_params:
            del st.query_params[name]
    elif st.query_params.get(name) != value:
        st.query_params[name] = value


def cells(sel: Selection) -> pd.DataFrame:
    """Every municipality × target-group cell of the area with need, supply and classes (cached matrices).

    The whole country's matrix is fetched only when some target group has too few municipalities with a
    figure in the area to make tertiles of (``need_supply.MIN_AREA``)."""
    kwargs = {"rows": "municipality", "cols": "target_group", "measure": "per_1000_group"}
    matrix = gapdata.view("matrix", sel, **kwargs)
    national = None
    if sel.area != NATIONAL_AREA and ns.needs_national(matrix):
        national = gapdata.view("matrix", replace(sel, area=NATIONAL_AREA), **kwargs)
    return ns.table(matrix, national)


def _legend(one: pd.DataFrame, map_kind: str) -> None:
    browser.style("need_supply.css")
    st.html(nsm.legend_html(one, map_kind=map_kind))


@st.cache_data(max_entries=8, show_spinner=False, ttl=3600)
def _shapes(path: str, codes: tuple[int, ...]) -> gpd.GeoDataFrame | None:
    return queries.municipality_shapes(data._open(path), list(codes))


def _boundaries_map(sel: Selection, one: pd.DataFrame, *, share: bool, group_label: str) -> None:
    """The bivariate choropleth on the loaded boundaries (no reruns on pan, zoom or hover)."""
    shapes = _shapes(str(data.database().path), tuple(sel.municipality_codes()))
    if shapes is None:
        st.info("Der er ikke indlæst kommunegrænser; se flisekortet.")
        return
    title = f"{group_label}: behov og tilbud pr. kommune, {sel.area_name()}"
    st_folium(
        nsm.folium_map(shapes, one, share=share, title=title),
        key=f"huller-behov-kort-{sel.area}-{one['target_group'].iloc[0]}",
        returned_objects=[],
        height=FOLIUM_HEIGHT,
        use_container_width=True,
    )


def need_supply_view(sel: Selection) -> None:
    """The view: a target group to choose, the bivariate tile map and legend, the ranked table."""
    everything = cells(sel)
    groups = ns.groups_with_need(everything)
    if not groups:
        st.info(
            "Ingen målgruppe har en behovsindikator med tal i området. Indlæs indikatorer (fx ældre over 80 "
            "fra FOLK1A) og et behovskort; se *Om data* og README: *Målgrupper og behov*."
        )
        return
    wanted = st.query_params.get(GROUP_PARAM)
    if GROUP_KEY not in st.session_state or st.session_state[GROUP_KEY] not in groups:
        st.session_state[GROUP_KEY] = wanted if wanted in groups else next(iter(groups))
    group = st.columns([2, 3])[0].selectbox(
        "Målgruppe",
        list(groups),
        format_func=groups.get,
        key=GROUP_KEY,
        help="Målgrupper med en behovsindikator (se *Om data*).",
    )
    _set_param(GROUP_PARAM, group)
    share = ns.uses_share(everything)
    one = everything[everything["target_group"] == group]
    st.caption(
        f"{ns.need_caption(share)} Tilbud = tilbud for målgruppen pr. 1.000 personer i den. "
        f"{ns.classes_caption(one)} Målgruppefilteret bruges ikke her; de øvrige filtre gælder."
    )
    as_tiles = st.toggle(
        "Flisekort",
        value=not data.query("has_boundaries"),
        key=TILES_KEY,
        help="Hver kommune som en lige stor sekskant, så en lille kommune ses lige så tydeligt som en stor; "
        "kommunens klasse står i sekskanten (B = behov, T = tilbud). Kræver ingen kommunegrænser.",
    )
    left, right = st.columns([3, 2], gap="medium")
    with left:
        if as_tiles:
            layout = tiles.hex_layout(sel.municipality_codes())
            height = nsm.fitting_height(layout, MAP_WIDTH)
            tile_chart(
                nsm.tile_figure(layout, one, share=share, height=height),
                key=f"huller-behov-{sel.area}-{group}",
                height=height,
            )
            if layout.moved:
                st.caption(f"{', '.join(md(n) for n in layout.moved)} er rykket tættere på.")
        else:
            _boundaries_map(sel, one, share=share, group_label=groups[group])
    with right:
        _legend(one, "tiles" if as_tiles else "boundaries")
    with st.expander(f"Kortet som tabel: {md(groups[group])}"):
        grid(ns.danish(one.sort_values("municipality_name"), share=share))

    st.subheader("Højt behov, få tilbud: kommuner og målgrupper")
    st.caption(f"{ns.RANK_RULE} Alle målgrupper med en behovsindikator; kun felter med begge klasser.")
    ranked = ns.ranked(everything)
    if ranked.empty:
        st.info("Ingen felter har både et behov og et antal tilbud pr. 1.000 i området.")
    else:
        grid(ns.danish(ranked.head(SHOWN), share=share))
        if len(ranked) > SHOWN:
            st.caption(f"Viser de første {SHOWN} af {len(ranked)}; filerne har dem alle.")
    download_buttons(
        lambda: ns.export_table(everything, share=share),
        title="Behov og tilbud",
        context=sel.area_name(),
        key="huller_behov_export",
        formats=("xlsx", "csv_dk"),
    )
