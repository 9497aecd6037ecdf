"""The council map: what exists in the area, where, for whom and with whom."""

from functools import partial

import streamlit as st
from streamlit_folium import st_folium

from civilkort import assets, danish, map_clicks, page_map, tiles, workshop_tables
from civilkort import workshop as ws
from civilkort.filters import LAYERS, MEASURES
from ui import browser, details, housing, map_table, selection, touch
from ui import workshop as ui_ws
from ui.bars import bar_table
from ui.data import database, map_layers, query
from ui.notices import run_safely
from ui.text import md
from ui.tiles import tile_chart


def _tile_clicked(key: str) -> None:
    code = tiles.clicked_code((st.session_state.get(key) or {}).get("selection"))
    if code is not None:
        selection.set_focus(municipality=code)


def page() -> None:
    sel = selection.current()
    db = database()
    st.title(f"Kort: {sel.area_name()}")

    measures = query("municipality_measures", sel)
    figures = query("key_figures", sel)
    browser.style("key_figures.css")  # three to a line on a phone, so the map is nearer the top
    with st.container(key="ck-key-figures"):
        c = st.columns(5)
        c[0].metric("Organisationer", danish.number(figures["organisations"]))
        c[1].metric("Tilbud", danish.number(figures["offers"]))
        c[2].metric("Samarbejder", danish.number(figures["collaborations"]))
        c[3].metric("Regionale enheder", danish.number(figures["units"]))
        c[4].metric(
            "Kommuner uden registreringer",
            figures["municipalities_without"],
            help="Kommuner i området, hvor der slet ikke er registreret organisationer eller tilbud: ikke kortlagt endnu.",
        )

    missing = assets.missing()
    if missing:
        st.error("Kortets filer (Leaflet) er ikke installeret, så kortet kan ikke vises. Kør: `make setup`")
    has_population = measures["population"].notna().any()
    measure = sel.measure
    # Always the same number of elements above the map, so a filter change never moves (and re-creates) it.
    notice = st.empty()
    if measure == "offers_per_10k" and not has_population:
        notice.info("Der er ikke indlæst folketal, så kommunerne farves efter antal tilbud. Se »Om data«.")
        measure = "offers"

    # Workshop entries not yet reviewed: their own layer, kept current while a workshop is live (one cheap query
    # when none is, so normal use pays nothing).
    store = ui_ws.store()
    pins = None
    if ws.is_live(store):
        ui_ws.poll(store, ui_ws.MAP_SEEN_KEY)  # the version first: a save after this read redraws the map
        pins = workshop_tables.map_entries(store)
    col_map, col_side = st.columns([3, 2], gap="medium")
    with col_map:
        top = st.columns([2, 3], vertical_alignment="center")
        # Past the map for the keyboard and screen readers: the same figures as tables, below it.
        top[1].markdown(f":material/table_rows: [Spring kortet over: se det som tabel](#{map_table.ANCHOR})")
        as_tiles = top[0].toggle(
            "Flisekort",
            value=not query("has_boundaries"),
            key="kort_flisekort",
            help="Hver kommune som en lige stor sekskant, placeret omtrent hvor den ligger: en lille kommune "
            "ses lige så tydeligt som en stor. Kræver ingen kommunegrænser.",
        )
        if as_tiles:
            values = query("municipality_values", sel, measure)
            layout = tiles.hex_layout(sel.municipality_codes())
            touch.pass_taps(f"fliser-{sel.area}")
            tile_chart(
                tiles.tile_figure(
                    layout, values, measure=measure, measure_label=MEASURES[measure], height=620, legend="top"
                ),
                key=f"fliser-{sel.area}",
                height=620,
                on_select=partial(_tile_clicked, f"fliser-{sel.area}"),
                selection_mode="points",
            )
            if layout.moved:
                st.caption(f"{', '.join(md(n) for n in layout.moved)} er rykket tættere på (stiplet kant).")
        elif not missing:
            data = {**map_layers(sel, measure), "housing": housing.layer(sel)}
            if data["areas"] is None:
                st.caption(
                    "Der er ikke indlæst kommunegrænser: kommunerne vises som cirkler. Se »Om data« for hvordan."
                )
            # The base map depends on the area only, so st_folium keeps its iframe (and the user's view) when a
            # filter changes; the data layers travel as feature groups, which its frontend swaps in place.
            view = page_map.page_map(
                data,
                layers=sel.layers,
                measure_label=MEASURES[measure],
                view=sel.view,
                area_name=sel.area_name(),
                workshop=pins if pins is not None and len(pins) else None,
            )
            key = f"kort-{sel.area}"
            returned = st_folium(
                view.base,
                key=key,
                feature_group_to_add=view.groups,
                returned_objects=list(map_clicks.RETURNED_OBJECTS),
                height=620,
                use_container_width=True,
            )
            # A rerun returns the last click again; a new click (also on the same object) has a new count.
            # A new map (another area, or the page opened again) starts counting afresh, so forget the old one.
            clicked = map_clicks.click_key(returned)
            if clicked is None:
                st.session_state.pop("kort_last_click", None)
            click = view.identify(returned or {})
            if click and (key, clicked) != st.session_state.get("kort_last_click"):
                st.session_state["kort_last_click"] = (key, clicked)
                kind, ident = click
                if kind == "municipality":
                    selection.set_focus(municipality=int(ident))
                elif kind == "point":
                    selection.set_focus(item=str(ident))  # already "org:…" or "offer:…"
                elif kind == "housing":
                    selection.set_focus(item=f"housing:{ident}")
                else:
                    selection.set_focus(item=f"{kind}:{ident}")  # "unit:…" or "collaboration:…"
                sel = selection.current()
        st.caption(
            "Klik på en sekskant for kommunens opsummering. Grå, skraverede: ikke kortlagt."
            if as_tiles
            else "Fyldte punkter: kendt adresse. Hule, stiplede punkter: omtrentlig placering (postnummer eller kommune). "
            f"Lag: {', '.join(LAYERS[x] for x in sel.layers) or 'ingen'} (vælg under »Kortet« i sidepanelet)."
        )
        housing.notice(sel, on_tiles=as_tiles)
        st.download_button(
            "Hent kortet som billede (PNG) til referatet",
            data=lambda: ui_ws.map_png(sel, measure, pins),
            file_name=f"kort-{sel.area.replace(':', '-')}.png",
            mime="image/png",
            icon=":material/image:",
            key="kort_png",
        )
        st.subheader("Kortet som tabel", anchor=map_table.ANCHOR)
        if st.toggle(
            "Vis kommunernes tal og kortets punkter som tabeller",
            key="kort_tabel",
            help="Det samme som kortet viser (område og filtre), til skærmlæser, tastatur eller udskrift.",
        ):
            map_table.show(sel, measures)

    with col_side:
        if sel.item:
            details.item(db, sel.item)
        elif sel.municipality is not None:
            details.municipality(sel, measures, sel.municipality)
        else:
            st.subheader("Tilbud pr. tema")
            # A table with bars, not a plotly chart: the map page loads without the 4.7 MB charting bundle.
            bar_table(
                query("offers_by_theme", sel), "label", "n", caption="Antal tilbud", label_header="Tema"
            )
            st.caption("Klik på et punkt eller en kommune på kortet for detaljer.")
            housing.without_list(sel)
    if pins is not None:  # after the map, so it never changes what is above the map
        ui_ws.map_refresher(store)


run_safely(page)
