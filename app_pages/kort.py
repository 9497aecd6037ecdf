"""The council map: what exists in the area, where, for whom and with whom."""

import streamlit as st
from streamlit_folium import st_folium

from civilkort import assets, maps
from civilkort.charts import counts_bar
from civilkort.filters import LAYERS, MEASURES
from ui import details, selection
from ui.data import database, query
from ui.notices import run_safely


def page() -> None:
    sel = selection.current()
    db = database()
    st.title(f"Kort: {sel.area_name()}")

    measures = query("municipality_measures", sel)
    figures = query("key_figures", sel)
    c = st.columns(5)
    c[0].metric("Organisationer", f"{figures['organisations']:,}".replace(",", "."))
    c[1].metric("Tilbud", f"{figures['offers']:,}".replace(",", "."))
    c[2].metric("Samarbejder", f"{figures['collaborations']:,}".replace(",", "."))
    c[3].metric("Regionale enheder", f"{figures['units']:,}".replace(",", "."))
    c[4].metric(
        "Kommuner uden registreringer",
        figures["municipalities_without"],
        help="Kommuner i området, hvor der slet ikke er registreret organisationer: ikke kortlagt endnu.",
    )

    missing = assets.missing()
    if missing:
        st.error("Kortets filer (Leaflet) er ikke installeret, så kortet kan ikke vises. Kør: `make setup`")
    has_population = measures["population"].notna().any()
    measure = sel.measure
    if measure == "offers_per_10k" and not has_population:
        st.info("Der er ikke indlæst folketal, så kommunerne farves efter antal tilbud. Se *Om data*.")
        measure = "offers"

    col_map, col_side = st.columns([3, 2], gap="medium")
    with col_map:
        if not missing:
            data = query("map_layers", sel, measure)
            if data["areas"] is None:
                st.caption(
                    "Der er ikke indlæst kommunegrænser: kommunerne vises som cirkler. Se *Om data* for hvordan."
                )
            m = maps.build_map(
                areas=data["areas"],
                council_outlines=data["council_outlines"],
                municipality_points=data["municipality_points"],
                points=data["points"] if "points" in sel.layers else None,
                units=data["units"] if "units" in sel.layers else None,
                links=data["links"] if "links" in sel.layers else None,
                measure_label=MEASURES[measure],
                bounds=data["bounds"],
                show_tiles_layer="tiles" in sel.layers,
                show_areas="areas" in sel.layers,
                simplify_tolerance=None,  # the build already simplified the shapes for display
                attribution=data["attribution"],
            )
            returned = st_folium(
                m,
                key=f"kort-{sel.area}",
                height=620,
                use_container_width=True,
                returned_objects=["last_object_clicked", "last_object_clicked_tooltip"],
            )
            click = maps.identify_click(
                returned or {}, data["points"], data["areas"], data["units"], data["municipality_points"]
            )
            last = st.session_state.get("kort_last_click")
            clicked_at = (returned or {}).get("last_object_clicked")
            if click and clicked_at != last:
                st.session_state["kort_last_click"] = clicked_at
                kind, ident = click
                if kind == "municipality":
                    selection.set_focus(municipality=int(ident))
                elif kind == "point":
                    selection.set_focus(item=str(ident))  # already "org:…" or "offer:…"
                else:
                    selection.set_focus(item=f"{kind}:{ident}")  # "unit:…" or "collaboration:…"
                sel = selection.current()
        st.caption(
            "Fyldte punkter: kendt adresse. Hule, stiplede punkter: omtrentlig placering (postnummer eller kommune). "
            f"Lag: {', '.join(LAYERS[x] for x in sel.layers) or 'ingen'} (vælg under *Kortet* i sidepanelet)."
        )

    with col_side:
        if sel.item:
            details.item(db, sel.item)
        elif sel.municipality is not None:
            details.municipality(sel, measures, sel.municipality)
        else:
            st.subheader("Tilbud pr. tema")
            by_theme = query("offers_by_theme", sel)
            st.plotly_chart(
                counts_bar(by_theme, "label", "n", title=""),
                width="stretch",
                config={"displayModeBar": False},
            )
            st.caption("Klik på et punkt eller en kommune på kortet for detaljer.")


run_safely(page)
