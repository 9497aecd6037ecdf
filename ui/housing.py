"""The map page's vulnerable housing areas: the layer's frame, an area's panel and the list of areas without
offers near.

Which target group the layer counts: the one chosen in the sidebar when exactly one is, else *Beboere i udsatte
boligområder*; an area's panel may look at another.  Every distance is a straight line and is said so.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pandas as pd
import streamlit as st

from civilkort import danish, housing
from civilkort.filters import Selection
from civilkort.find_offer import distance_text
from civilkort.schema import LOCATION_PRECISIONS
from ui import selection
from ui.data import database, vocabulary_labels
from ui.tables import grid
from ui.text import md

LOAD_HINT = (
    "Listen over udsatte boligområder er ikke indlæst. En national administrator indlæser ministeriets liste "
    "under »Indlæs data« (Valgfrit: udsatte boligområder og behovskort) eller med "
    "`python -m etl build … --boligomraader LISTE.xlsx` (se README, afsnittet Udsatte boligområder)."
)


def _path() -> str:
    return str(database().path)


@st.cache_data(max_entries=64, show_spinner=False, ttl=3600)
def _areas(path: str, codes: tuple[int, ...], group: str) -> pd.DataFrame:
    """Cached per build file (``path``: a new build is a new file), area and group."""
    return housing.areas(database(), codes, group)


def group_of(sel: Selection) -> str:
    """The target group the layer counts: the sidebar's one target group, else the default."""
    return sel.target_groups[0] if len(sel.target_groups) == 1 else housing.DEFAULT_GROUP


def group_label(code: str) -> str:
    """'for ældre' for a target group code; '' for every offer."""
    if code == housing.ALL_GROUPS:
        return ""
    label = vocabulary_labels("target_group").get(code, code)
    return f"for {label[:1].lower()}{label[1:]}"


def has_list() -> bool:
    """True when the serving build holds a list of vulnerable housing areas (asked once per build file: the
    page asks up to four times a run while the layer is on)."""
    return _has_list(str(database().path))


@lru_cache(maxsize=8)
def _has_list(path: str) -> bool:
    return housing.has_list(database())


def areas(sel: Selection) -> pd.DataFrame:
    """The area's listed housing areas with the counts for the layer's target group."""
    return _areas(_path(), tuple(sel.municipality_codes()), group_of(sel))


def layer(sel: Selection) -> tuple[pd.DataFrame, str] | None:
    """What the map's housing layer draws (None when the layer is off or no list is loaded)."""
    if "housing" not in sel.layers or not has_list():
        return None
    return areas(sel), group_label(group_of(sel))


def notice(sel: Selection, *, on_tiles: bool = False) -> None:
    """Under the map: how to load the list, or which target group the houses count (``on_tiles``: the hexagon
    map is shown, which has no places to draw houses at)."""
    if "housing" not in sel.layers:
        return
    if not has_list():
        st.info(LOAD_HINT, icon=":material/holiday_village:")
        return
    if on_tiles:
        st.caption(
            "Udsatte boligområder vises på det almindelige kort: slå »Flisekort« fra. Listen over områder uden "
            "tilbud tæt på står ved siden af kortet."
        )
        return
    about = housing.about(database()) or {}
    group = vocabulary_labels("target_group").get(group_of(sel), "alle målgrupper")
    example = " Eksempeldata: ikke ministeriets liste." if about.get("is_example") else ""
    st.caption(
        f"Udsatte boligområder ({md(about.get('title') or about.get('file_name') or 'listen')}"
        f"{', ' + md(about['period']) if about.get('period') else ''}). Husene tæller tilbud for "
        f"**{md(group)}**; vælg netop én målgruppe i sidepanelet for at tælle en anden. Rødt hus med "
        f"»!«: intet tilbud inden for {housing.NONE_WITHIN_KM} km i luftlinje.{example}"
    )


def without_list(sel: Selection) -> None:
    """The side panel's list of the area's housing areas with no offer of the group within 2 km, and a way to
    open any area's nearest offers without the map (keyboard, screen reader)."""
    if "housing" not in sel.layers or not has_list():
        return
    frame = areas(sel)
    if frame.empty:
        st.caption(f"Listen over udsatte boligområder har ingen områder i {md(sel.area_name())}.")
        return
    if len(frame):
        names = dict(
            zip(frame["area_id"], frame["name"] + " (" + frame["municipality_name"] + ")", strict=True)
        )
        st.selectbox(
            "Se de nærmeste tilbud for et udsat boligområde",
            list(names),
            index=None,
            format_func=names.get,
            placeholder="Vælg et boligområde",
            key=f"bolig_vaelg_{sel.area}",
            on_change=_open_chosen,
            args=(f"bolig_vaelg_{sel.area}",),
        )
    none = housing.without_offers(frame)
    group = vocabulary_labels("target_group").get(group_of(sel), "alle målgrupper")
    st.subheader(f"Boligområder uden tilbud inden for {housing.NONE_WITHIN_KM} km")
    st.caption(
        f"Tilbud for {md(group)}, i luftlinje fra områdets punkt. {len(none)} af {len(frame)} udsatte "
        "boligområder i området."
    )
    if len(none):
        grid(
            pd.DataFrame(
                {
                    "Boligområde": none["name"].astype(str),
                    "Kommune": none["municipality_name"].astype(str),
                    "Nærmeste tilbud": [_km(v) for v in none["nearest_m"]],
                }
            ),
            hide_index=True,
            width="stretch",
        )


def table(sel: Selection) -> None:
    """The housing areas as a table for *Kortet som tabel* (when the layer is on): what the houses say."""
    if "housing" not in sel.layers or not has_list():
        return
    frame = areas(sel)
    group = vocabulary_labels("target_group").get(group_of(sel), "alle målgrupper")
    st.markdown(f"**Udsatte boligområder** ({len(frame)}; aktive tilbud for {md(group)}, i luftlinje)")
    grid(
        pd.DataFrame(
            {
                "Boligområde": frame["name"].astype(str),
                "Kommune": frame["municipality_name"].astype(str),
                "Kategori": frame["category"].fillna("").astype(str),
                "Inden for 1 km": frame["within_1km"].map(danish.number),
                "Inden for 2 km": frame["within_2km"].map(danish.number),
                "Inden for 5 km": frame["within_5km"].map(danish.number),
                "Nærmeste": [_km(v) for v in frame["nearest_m"]],
                "Placering": frame["location_precision"].map(LOCATION_PRECISIONS).fillna(""),
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _open_chosen(key: str) -> None:
    chosen = st.session_state.get(key)
    if chosen:
        st.session_state[key] = None  # the panel opens; the box is empty again when it closes
        selection.set_focus(item=f"housing:{chosen}")


def _km(metres: object) -> str:
    if metres is None or (isinstance(metres, float) and math.isnan(metres)) or pd.isna(metres):
        return "intet aktivt tilbud"
    return distance_text(float(metres) / 1000)


def panel(sel: Selection, area_id: str) -> None:
    """One housing area: what it is, and the nearest active offers for a target group it chooses."""
    db = database()
    row = housing.area(db, area_id)
    if row is None:
        st.info("Boligområdet findes ikke i de nuværende data.")
        return
    st.subheader(md(row["name"]))
    precision = LOCATION_PRECISIONS.get(str(row["location_precision"]), "")
    lines = [
        ("Kategori", row["category"] or None),
        ("Kommune", row["municipality_name"]),
        ("Boligorganisation", row["housing_org"] or None),
        ("Beboere", danish.number(row["residents"]) if pd.notna(row["residents"]) else None),
        (
            "Placering",
            precision + (": afstandene er omtrentlige" if row["location_precision"] != "coordinates" else ""),
        ),
    ]
    st.markdown("\n".join(f"- **{label}:** {md(value)}" for label, value in lines if value))
    labels = vocabulary_labels("target_group")
    codes = [housing.ALL_GROUPS, *labels]
    default = group_of(sel)
    group = st.selectbox(
        "Målgruppe",
        codes,
        index=codes.index(default) if default in codes else 0,
        format_func=lambda c: "Alle målgrupper" if c == housing.ALL_GROUPS else labels.get(c, c),
        key=f"bolig_gruppe_{area_id}",
    )
    n = housing.counts(db, area_id, group)
    st.markdown(
        f"**Aktive tilbud i luftlinje:** {danish.number(n['within_1km'])} inden for 1 km · "
        f"{danish.number(n['within_2km'])} inden for 2 km · {danish.number(n['within_5km'])} inden for 5 km"
    )
    near = housing.nearest(db, area_id, group)
    if near.empty:
        st.info("Der er intet aktivt tilbud for målgruppen med en placering i de nuværende data.")
    else:
        st.markdown(f"**De {len(near)} nærmeste** (klik for tilbuddets detaljer)")
        for r in near.itertuples(index=False):
            approx = " (omtrentlig placering)" if r.location_precision != "coordinates" else ""
            place = danish.place(r.address, r.postcode, r.city)
            st.button(
                f"{distance_text(r.distance_m / 1000)}: {r.name}",
                key=f"bolig_tilbud_{area_id}_{group}_{r.rank}",
                help=" · ".join(x for x in (str(r.organisation_name), place, approx.strip(" ()")) if x),
                on_click=selection.set_focus,
                kwargs={"item": f"offer:{r.offer_id}"},
                width="stretch",
            )
    served = housing.serving_area(db, int(row["municipality_code"]), group)
    if served:
        st.caption(
            f"Desuden {danish.count(served, 'tilbud', 'tilbud')}, der dækker hele {md(row['municipality_name'])} "
            "Kommune eller et større område (uden afstand)."
        )
    st.caption("Afstande i luftlinje, ikke ad vej; kun tilbud med adresse, koordinater eller postnummer.")
