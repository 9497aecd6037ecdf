"""Detail panels for a clicked point or municipality. User text is escaped before Markdown."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from civilkort import danish
from civilkort.db import Database
from civilkort.filters import Selection
from civilkort.schema import LOCATION_PRECISIONS, NO_THEME_LABEL
from ui import housing, personal, selection
from ui.data import query
from ui.tables import grid
from ui.text import md


def _close() -> None:
    selection.set_focus()


ORGANISATION_PAGE = "app_pages/organisation.py"
OFFER_PAGE = "app_pages/tilbud.py"


def facts(rows: list[tuple[str, object]]) -> None:
    """A list of labelled facts, the values escaped; rows whose value is None are left out."""
    st.markdown("\n".join(f"- **{label}:** {md(value)}" for label, value in rows if value is not None))


def table(df: pd.DataFrame, columns: dict[str, str]) -> None:
    """The given columns of ``df`` under their Danish names."""
    grid(df[list(columns)].rename(columns=columns), hide_index=True, width="stretch")


def item(db: Database, item_id: str) -> None:
    """Details of an organisation ('org:…'), an offer ('offer:…'), a regional unit ('unit:…'), a collaboration
    ('collaboration:…') or a vulnerable housing area ('housing:…')."""
    kind, _, ident = item_id.partition(":")
    st.button("Luk detaljer", on_click=_close, key="close_details")
    if kind == "org":
        _organisation(ident)
    elif kind == "offer":
        offer = query("offer_detail", None, ident)
        if offer.empty:
            st.info("Tilbuddet findes ikke i de nuværende data.")
            return
        o = offer.iloc[0]
        st.subheader(md(o["name"]))
        facts(offer_facts(o))
        if pd.notna(o["description"]):
            st.markdown(md(o["description"]))
        st.page_link(
            OFFER_PAGE,
            label="Åbn siden for tilbuddet",
            icon=":material/open_in_new:",
            query_params={"id": ident},
        )
        st.button(
            "Vis organisationen",
            on_click=selection.set_focus,
            kwargs={"item": f"org:{o['organisation_id']}"},
            key="show_org",
        )
    elif kind == "collaboration":
        _collaboration(ident)
    elif kind == "housing":
        housing.panel(selection.current(), ident)
    elif kind == "unit":
        detail = query("unit_detail", None, ident)
        if detail["unit"].empty:
            st.info("Enheden findes ikke i de nuværende data.")
            return
        u = detail["unit"].iloc[0]
        st.subheader(md(u["name"]))
        facts(
            [
                ("Type", u["unit_type_label"]),
                ("Placering", LOCATION_PRECISIONS.get(u["location_precision"])),
                (
                    "Hører til",
                    "hele regionen (tælles ikke under sundhedsrådet for adressen)"
                    if bool(u.get("is_region_wide"))
                    else None,
                ),
            ]
        )
        st.markdown(f"**Samarbejder ({len(detail['collaborations'])})**")
        if len(detail["collaborations"]):
            table(
                detail["collaborations"],
                {
                    "title": "Titel",
                    "organisations": "Organisationer",
                    "kind_label": "Art",
                    "end_date": "Slutdato",
                },
            )


def _yes_no(value: object) -> str:
    return "Ja" if value is True else "Nej" if value is False else "–"


def place(row: pd.Series) -> str:
    """Address, postcode and city of a record, as far as known ('' when none): '8000 Aarhus C'."""
    return danish.place(row["address"], row["postcode"], row["city"])


def offer_facts(o: pd.Series) -> list[tuple[str, object]]:
    """What the map's panel and the offer's page say about an offer (a row of ``offer_detail``)."""
    return [
        ("Organisation", o["organisation_name"]),
        ("Temaer", "; ".join(o["theme_labels"]) or NO_THEME_LABEL),
        ("Målgrupper", "; ".join(o["target_group_labels"]) or "–"),
        ("Forebyggelse", o["prevention_level_label"]),
        ("Sociale henvisninger", _yes_no(o["accepts_social_referrals"])),
        ("Tidspunkt", o["schedule"]),
        ("Pris", o["cost"]),
        ("Status", o["status_label"]),
        ("Sted", place(o) or "organisationens adresse"),
        ("Kommune", o["municipality_name"]),
        ("Placering", LOCATION_PRECISIONS.get(o["location_precision"], o["location_precision"])),
        ("Sidst verificeret", danish.date(o["last_verified"], missing="aldrig")),
        ("Kilde", o["source"]),
    ]


def _tovholder(ident: str, c: pd.Series) -> str:
    """The tovholder for the council's coordinators; for everyone else only whether one is registered."""
    shown = personal.of_record("collaborations", ident)
    if shown is not None:
        return shown.get("tovholder") or "ingen registreret"
    return "registreret (vises for rådets koordinatorer)" if c.get("has_tovholder") else "ingen registreret"


def _collaboration(ident: str) -> None:
    detail = query("collaboration_detail", None, ident)
    if detail["collaboration"].empty:
        st.info("Samarbejdet findes ikke i de nuværende data.")
        return
    c = detail["collaboration"].iloc[0]
    st.subheader(md(c["title"]))
    facts(
        [
            ("Regionale enheder", c["units"]),
            ("Organisationer", c["organisations"]),
            ("Temaer", "; ".join(c["theme_labels"]) or "–"),
            ("Form", c["form_label"]),
            ("Art", c["kind_label"]),
            (
                "Periode",
                f"{danish.date(c['start_date'], missing='aldrig')} – {'løbende' if pd.isna(c['end_date']) else danish.date(c['end_date'], missing='aldrig')}",
            ),
            ("Tovholder", _tovholder(ident, c)),
            (
                "Juristvurdering",
                _yes_no(c["legal_review_done"]),
            ),
            ("Status", c["status_label"]),
            ("Kilde", c["source"]),
        ]
    )
    if pd.notna(c["description"]):
        st.markdown(md(c["description"]))
    st.markdown(f"**Erfaringer ({len(detail['experiences'])})**")
    if len(detail["experiences"]):
        table(
            detail["experiences"], {"date": "Dato", "learning": "Erfaring", "evaluation_label": "Evaluering"}
        )


def _contact(ident: str) -> list[tuple[str, object]]:
    """Role mailbox and contact person, for the coordinators of the organisation's council only."""
    shown = personal.of_record("organisations", ident)
    if shown is None:
        return []
    return [
        ("Funktionspostkasse", shown.get("email") or "ingen registreret"),
        ("Kontaktperson", shown.get("contact_person") or "ingen registreret"),
    ]


def organisation_facts(g: pd.Series, ident: str) -> list[tuple[str, object]]:
    """What the map's panel and the organisation's page say about it (a row of ``organisation_detail``); the
    role mailbox and contact person only for the coordinators of its council."""
    return [
        ("Type", g["organisation_type_label"]),
        ("Bemanding", g["staffing_label"]),
        ("CVR", g["cvr"]),
        ("Adresse", place(g) or "–"),
        ("Kommune", f"{g['municipality_name']} ({g['council_name']})"),
        ("Placering", LOCATION_PRECISIONS.get(g["location_precision"], g["location_precision"])),
        ("Hjemmeside", g["website"]),
        *_contact(ident),
        ("Sidst verificeret", danish.date(g["last_verified"], missing="aldrig")),
        ("Kilde", g["source"]),
    ]


def organisation_sections(detail: dict[str, pd.DataFrame]) -> None:
    """The organisation's offers, collaborations and experiences as tables."""
    st.markdown(f"**Tilbud ({len(detail['offers'])})**")
    if len(detail["offers"]):
        table(
            detail["offers"],
            {"name": "Tilbud", "themes": "Temaer", "target_groups": "Målgrupper", "status_label": "Status"},
        )
    st.markdown(f"**Samarbejder ({len(detail['collaborations'])})**")
    if len(detail["collaborations"]):
        table(
            detail["collaborations"],
            {
                "title": "Titel",
                "units": "Regionale enheder",
                "kind_label": "Art",
                "start_date": "Start",
                "end_date": "Slut",
            },
        )
    else:
        st.caption("Ingen registrerede samarbejder med regionale enheder.")
    st.markdown(f"**Erfaringer ({len(detail['experiences'])})**")
    if len(detail["experiences"]):
        table(
            detail["experiences"],
            {
                "date": "Dato",
                "collaboration": "Samarbejde",
                "learning": "Erfaring",
                "evaluation_label": "Evaluering",
            },
        )


def _organisation(ident: str) -> None:
    detail = query("organisation_detail", None, ident)
    org = detail["organisation"]
    if org.empty:
        st.info("Organisationen findes ikke i de nuværende data.")
        return
    g = org.iloc[0]
    st.subheader(md(g["name"]))
    if g["is_example"]:
        st.caption("Eksempeldata")
    facts(organisation_facts(g, ident))
    if pd.notna(g["description"]):
        st.markdown(md(g["description"]))
    st.page_link(
        ORGANISATION_PAGE,
        label="Åbn siden for organisationen",
        icon=":material/open_in_new:",
        query_params={"id": ident},
    )
    organisation_sections(detail)


def municipality(sel: Selection, measures: pd.DataFrame, code: int) -> None:
    """Summary of one municipality in the current selection."""
    st.button("Luk detaljer", on_click=_close, key="close_municipality")
    row = measures[measures["municipality_code"] == code]
    if row.empty:
        st.info("Kommunen ligger ikke i det valgte område.")
        return
    r = row.iloc[0]
    st.subheader(f"{md(r['municipality_name'])} Kommune")
    st.caption(md(r["council_name"]))
    if r["records_any"] == 0:
        st.warning("Ikke kortlagt: der er endnu ikke registreret nogen organisationer i kommunen.")
    c1, c2, c3 = st.columns(3)
    c1.metric("Organisationer", int(r["organisations"]))
    c2.metric("Tilbud", int(r["offers"]))
    c3.metric("Samarbejder", int(r["collaborations"]))
    if pd.notna(r["population"]):
        st.metric("Tilbud pr. 10.000 indbyggere", f"{r['offers_per_10k']:.1f}".replace(".", ","))
    offers = query("offers", sel)
    offers = offers[offers["municipality_name"] == r["municipality_name"]]
    if len(offers):
        st.markdown("**Tilbud i kommunen (med de valgte filtre)**")
        table(offers.head(200), {"name": "Tilbud", "organisation_name": "Organisation", "themes": "Temaer"})
