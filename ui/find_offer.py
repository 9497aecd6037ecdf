"""Find et tilbud: where the citizen lives and what fits them (widgets), the nearest offers
(civilkort.find_offer), and the handout to print (civilkort.handout). Nothing about the citizen is stored."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from civilkort import danish, find_offer, handout, queries, reference
from civilkort.map_payload import PRECISIONS
from civilkort.point_municipality import municipality_at
from civilkort.workshop import DENMARK_BOX
from ui import details, selection
from ui.data import database, vocabulary_labels
from ui.pin_map import pin_picker
from ui.text import md

_POSTCODE, _CLICK = "postnummer", "kort"
_WHERE = {_POSTCODE: "Postnummer", _CLICK: "Klik på kortet"}
KM_STEPS = (1, 2, 5, 10, 20, 50, 100)
PICK = "fo-pick-"
"""Session key prefix of an offer's "Med på arket" box."""
PIN = "fo_pin"
_NOTHING_KEPT = (
    "Der gemmes intet om borgeren: postnummer, nål og valg bruges kun til denne søgning og kommer ikke med på "
    "arket."
)


def _from_postcode() -> tuple[float, float, int] | None:
    text = st.columns([1, 2])[0].text_input(
        "Borgerens postnummer eller adresse",
        key="fo_postcode",
        max_chars=120,
        placeholder="fx 8000 eller Vestergade 1, 8000 Aarhus C",
    )
    if not text.strip():
        st.caption("Adresser slås ikke op: søgningen går ud fra postnummerets midtpunkt.")
        return None
    postcode = find_offer.postcode_of(text)
    if postcode != text.strip():
        st.caption(f"Adressen slås ikke op: søgningen går ud fra postnummer {md(postcode)}s midtpunkt.")
    else:
        st.caption("Søgningen går ud fra postnummerets midtpunkt.")
    try:
        return find_offer.from_postcode(postcode)
    except find_offer.PlaceError as exc:
        st.warning(md(str(exc)), icon=":material/location_off:")
        return None


def _from_map(area: str) -> tuple[float, float, int] | None:
    chosen = pin_picker(area, key=f"fo-map-{area}", pin_key=PIN, digits=5, height=320,
                        pin=("Borgerens sted", "Borgerens sted", "Søgningen går ud fra her"))  # fmt: skip
    if not chosen:
        st.caption("Klik på kortet, omtrent hvor borgeren bor. Adresser slås ikke op.")
        return None
    south, west, north, east = DENMARK_BOX
    if not (south <= chosen[0] <= north and west <= chosen[1] <= east):
        st.warning(
            "Stedet ligger uden for Danmark. Klik et andet sted på kortet.", icon=":material/location_off:"
        )
        return None
    st.caption(":material/location_on: Sted valgt på kortet.")
    return chosen[0], chosen[1], municipality_at(chosen[0], chosen[1], database())


def _vocab(label: str, vocabulary: str, key: str) -> tuple[str, ...]:
    labels = vocabulary_labels(vocabulary)
    chosen = st.multiselect(
        label,
        list(labels),
        format_func=lambda c: labels.get(c, c),
        key=key,
        placeholder="Alle",
        select_all=False,
    )
    return tuple(chosen)


def _weekday_label(code: str) -> str:
    return find_offer.WEEKDAYS.get(code, "Alle dage")


def _filters(lat: float, lon: float, municipality: int | None) -> find_offer.Need:
    c1, c2 = st.columns(2)
    with c1:
        groups = _vocab("Målgruppe", "target_group", "fo_groups")
    with c2:
        themes = _vocab("Tema", "theme", "fo_themes")
    c3, c4 = st.columns(2)
    weekday = c3.selectbox(
        "Ugedag",
        ["", *find_offer.WEEKDAYS],
        format_func=_weekday_label,
        key="fo_weekday",
        help="Læses i tilbuddets tidspunkt (fritekst): dagens navn, også i flertal (»mandage«); på hverdage "
        "også »hverdage«. Tilbud »efter aftale« eller uden tidspunkt kommer ikke med.",
    )
    km = c4.select_slider(
        "Højst så langt væk (km, i luftlinje)",
        KM_STEPS,
        value=10,
        key="fo_km",
        help="Gælder tilbud, der holdes et bestemt sted. Tilbud, der dækker et helt område, vises for sig.",
    )
    referrals = st.checkbox(
        "Tager imod sociale henvisninger",
        value=True,
        key="fo_referrals",
        help="Kun tilbud, hvor det er oplyst, at læge eller hospital kan henvise borgere.",
    )
    free = st.checkbox(
        "Kun gratis",
        key="fo_free",
        help="Læses i tilbuddets pris (fritekst): »Gratis« eller 0 kr. Tilbud uden oplyst pris kommer ikke med.",
    )
    return find_offer.Need(
        lat=lat,
        lon=lon,
        municipality_code=municipality,
        target_groups=groups,
        themes=themes,
        referrals_only=referrals,
        free_only=free,
        weekday=weekday or None,
        max_km=float(km),
    )


def _facts(row: pd.Series, local: bool) -> str:
    """Lines under an offer's name: how far or which area, where, when, price, how to get in touch."""
    lines = []
    if local:
        where = find_offer.distance_text(row["distance_km"])
        if row["location_precision"] != "coordinates":
            where += f" · {PRECISIONS.get(row['location_precision'], 'omtrentlig placering').lower()}"
        lines.append(f":material/straighten: {md(where)}")
    else:
        lines.append(f":material/public: Dækker {md(row['serves'])}")
    lines.append(f":material/corporate_fare: {md(row['organisation_name'])}")
    place = find_offer.place_text(row)
    if place:
        lines.append(f":material/location_on: {md(place)}")
    for icon, column in (("schedule", "schedule"), ("payments", "cost")):
        if pd.notna(row[column]) and str(row[column]).strip():
            lines.append(f":material/{icon}: {md(row[column])}")
    if pd.notna(row["website"]) and str(row["website"]).strip():
        lines.append(f":material/language: {md(row['website'])}")
    return "  \n".join(lines)


def _offer(row: pd.Series, local: bool, picked: int) -> None:
    key = f"{PICK}{row['offer_id']}"
    with st.container(border=True):
        st.page_link(
            details.OFFER_PAGE,
            label=f"**{md(row['name'])}**",
            icon=":material/event_available:",
            query_params={"id": row["offer_id"]},
        )
        st.markdown(_facts(row, local))
        full = picked >= handout.MAX_OFFERS and not st.session_state.get(key)
        st.checkbox(
            "Med på arket",
            key=key,
            disabled=full,
            help=f"Højst {handout.MAX_OFFERS} tilbud på et ark." if full else None,
        )


def _summary(shown: int, total: int, what: str) -> str:
    found = danish.count(total, "tilbud", "tilbud")
    return f"{found} {what}" + (f"; de {shown} første vises." if total > shown else ".")


def _picked(found: find_offer.Found) -> pd.DataFrame:
    rows = pd.concat([found.local, found.area], ignore_index=True)
    keep = [bool(st.session_state.get(f"{PICK}{i}")) for i in rows["offer_id"]]
    return rows[keep].head(handout.MAX_OFFERS)


def _outlines() -> list | None:
    """The build's municipality shapes for the handout's map (None without boundaries)."""
    codes = reference.municipalities()["municipality_code"].astype(int).tolist()
    shapes = queries.municipality_shapes(database(), codes)
    return None if shapes is None else list(shapes.geometry)


def _handout(chosen: pd.DataFrame) -> None:
    st.subheader("Ark til borgeren")
    if chosen.empty:
        st.caption(f"Sæt flueben ved »Med på arket« ved op til {handout.MAX_OFFERS} tilbud.")
        return
    st.markdown("  \n".join(f"- {md(n)}" for n in chosen["name"]))
    st.download_button(
        "Hent arket (PDF)",
        lambda: handout.pdf(chosen, outlines=_outlines()),
        file_name=f"tilbud-{dt.date.today().isoformat()}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        type="primary",
        key="fo_pdf",
    )
    st.caption(
        "Stor skrift og let dansk: tilbuddene, hvordan man kommer i kontakt, og datoen. "
        "Et lille kort viser tilbuddenes steder med deres numre og byerne omkring dem. "
        "Intet om borgeren, heller ikke postnummer, afstand eller hjem på kortet."
    )


def page() -> None:
    st.title("Find et tilbud")
    st.caption(
        "Til sociale henvisninger: find aktive tilbud tæt på, hvor borgeren bor, og giv borgeren et ark med. "
        + _NOTHING_KEPT
        + " Sidepanelets filtre gælder ikke her; kortet nedenfor viser sidepanelets område."
    )
    how = st.radio("Hvor bor borgeren?", list(_WHERE), format_func=_WHERE.get, horizontal=True, key="fo_how")
    place = _from_postcode() if how == _POSTCODE else _from_map(selection.current().area)
    if place is None:
        return
    need = _filters(*place)
    found = find_offer.find(database(), need)
    if found.n_local == 0 and found.n_area == 0:
        st.info(
            "Ingen aktive tilbud passer. Prøv med færre valg eller en længere afstand.",
            icon=":material/search_off:",
        )
        return
    chosen = _picked(found)  # the boxes' state is set before the run: the same before and after drawing them
    picked = len(chosen)
    st.subheader("Tæt på")
    if found.n_local:
        st.markdown(f"**{_summary(len(found.local), found.n_local, f'inden for {need.max_km:g} km')}** "
                    "Afstanden er i luftlinje, ikke ad vej.")  # fmt: skip
        for _, row in found.local.iterrows():
            _offer(row, True, picked)
    else:
        st.caption(f"Ingen tilbud inden for {need.max_km:g} km. Prøv en længere afstand.")
    if found.n_area:
        st.subheader("Dækker hele området")
        st.markdown(
            f"**{_summary(len(found.area), found.n_area, 'for alle, der bor i området')}** "
            "De gælder for alle, der bor i det område, de dækker, og får derfor ingen afstand."
        )
        for _, row in found.area.iterrows():
            _offer(row, False, picked)
    _handout(chosen)
    st.caption(
        "Kontakt: organisationens navn, adresse og hjemmeside, som data har dem. E-mail og telefon vises ikke her."
    )
