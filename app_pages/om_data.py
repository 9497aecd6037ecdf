"""Where the data come from: build, example marking, boundaries, the council table's uncertain rows, quality."""

from urllib.parse import urlsplit

import streamlit as st

from api.hsds import MOUNT
from civilkort import danish, housing
from ui import gaps as gapdata
from ui.data import database, query
from ui.notices import is_example, run_safely
from ui.tables import grid
from ui.text import md, verbatim

SCALES = {"small": "lille", "council": "et sundhedsråds størrelse pr. råd", "national": "national"}

BOUNDARY_HELP = """
Uden kommunegrænser vises hver kommune som et punkt, og kommuner placeres ud fra postnummer eller
angivet kommune. Tilføj grænser ved at bygge igen med fx

```
python -m etl build MINE-DATA.xlsx --boundaries kommuner.geojson
```

`--boundaries` tager en sti eller en URL til DAGI-kommuner (Klimadatastyrelsen), DAWA-GeoJSON eller
Eurostat GISCO LAU (GeoJSON, GeoPackage, Shapefile eller zip).
"""

# Inline code, not a code block: a block that scrolls sideways on a phone is a tab stop axe asks for.
INDICATOR_HELP = """
Der er ikke indlæst indikatorer for behov (fx borgere over 80 år, andel der føler sig meget ensomme,
hjemløse pr. kommune). En national administrator indlæser dem på *Indlæs data*, eller ved at bygge igen
med `--indicator FIL`, fx `python -m etl build MINE-DATA.xlsx --indicator FOLK1A.csv --indicator-name
"Borgere over 80 år"`.

Filen kan være en tabel fra Statistikbanken (fx FOLK1A efter alder eller FOLK1E) eller to kolonner:
kommune og værdi. Se README for enheder, perioder og hvor tallene kan hentes.
"""


HOUSING_HELP = """
Ministeriets liste over udsatte boligområder er ikke indlæst. En national administrator indlæser den på
*Indlæs data* (Valgfrit: udsatte boligområder og behovskort), eller ved at bygge igen med
`--boligomraader LISTE.xlsx`. Se README, afsnittet Udsatte boligområder, for hvor listen hentes.
"""


def _api_url() -> str:
    """The HSDS API's address as the browser reaches the app (the path alone when that is unknown)."""
    parts = urlsplit(st.context.url or "")
    base = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return f"{base}{MOUNT}/"


def page() -> None:
    db = database()
    meta = db.meta()
    st.title("Om data")

    st.subheader("Denne database")
    c1, c2, c3 = st.columns(3)
    c1.metric("Bygget", danish.local_time(meta.get("built_at", "")))
    c2.metric("Eksempeldata", "Ja" if is_example(db) else "Nej")
    c3.metric("Kommunegrænser", "Indlæst" if meta.get("boundaries_loaded") == "true" else "Ikke indlæst")
    st.write(f"**Kilde:** {md(meta.get('inputs', 'ukendt'))}")
    if is_example(db):
        st.info(
            "Eksempeldata er genereret (skala: "
            f"{SCALES.get(meta.get('example_scale', ''), '?')}, frø {meta.get('example_seed', '?')}). "
            "De rigtige samarbejder, der "
            "nævnes i Region Hovedstadens og Region Midtjyllands strategipapirer, er med; alt andet er opdigtet "
            "og markeret 'Eksempeldata (genereret)'. Datoer er regnet fra "
            f"{danish.date(meta.get('example_today', ''))}."
        )

    st.subheader("Kommunegrænser")
    if meta.get("boundaries_loaded") == "true":
        st.write(
            f"Grænser fra **{md(meta.get('boundaries_source', '?'))}**, forenklet til visning (ca. 150 m). "
            f"{md(meta.get('boundaries_credit', ''))}. "
            "Kommuneinddelingen har ikke ændret sig strukturelt siden 2007."
        )
    else:
        st.warning("Der er ikke indlæst kommunegrænser.")
        st.markdown(BOUNDARY_HELP)

    st.subheader("Indikatorer for behov")
    indicators = query("indicators")
    if len(indicators):
        st.write(
            "Tal for behov pr. kommune, som tilbuddene kan holdes op imod. "
            "Kommuner uden værdi i filen står uden tal."
        )
        grid(
            indicators.rename(
                columns={
                    "name": "Indikator",
                    "unit": "Enhed",
                    "period": "Periode",
                    "source": "Kilde",
                    "file_name": "Fil",
                    "municipalities": "Kommuner med værdi",
                }
            )
        )
    else:
        st.markdown(INDICATOR_HELP)
    need = gapdata.need_map()
    if len(indicators) and len(need):
        st.markdown("**Målgrupper og behov**")
        st.write(
            "Hvilken indikator der tæller personerne i hver målgruppe, så Huller kan vise tilbud pr. 1.000 "
            "i målgruppen. En andel eller et tal pr. 1.000 regnes om med kommunens folketal (uden folketal: "
            "intet tal). Ændres med et behovskort (`--behovskort FIL`, se README)."
        )
        grid(
            need.assign(origin=need["origin"].replace({"standard": "standardkortet"}))[
                ["label", "indicator", "counted", "origin"]
            ].rename(
                columns={
                    "label": "Målgruppe",
                    "indicator": "Indikator",
                    "counted": "Sådan tælles personerne",
                    "origin": "Fastsat i",
                }
            )
        )

    st.subheader("Udsatte boligområder")
    about = housing.about(db)
    if about is None:
        st.markdown(HOUSING_HELP)
    else:
        example = " Eksempeldata: opdigtede områder, ikke ministeriets liste." if about["is_example"] else ""
        st.write(
            f"{danish.count(int(about['areas']), 'område', 'områder')} fra "
            f"{md(about['title'] or about['file_name'])}"
            f"{', ' + md(about['period']) if about['period'] else ''} (kilde: {md(about['source'])}; fil: "
            f"{md(about['file_name'])}). Vises som lag på Kort med de nærmeste aktive tilbud for hvert område, "
            f"i luftlinje.{example}"
        )

    st.subheader("Sundhedsråd og kommuner")
    st.write(
        "Fordelingen af de 98 kommuner på de 17 sundhedsråd (fra 1. januar 2027) er samlet fra offentlige kilder. "
        "Rækker, der kun bygger på én kilde, er markeret; tjek dem mod regionernes egne sider før I bruger "
        "dem officielt."
    )
    councils = query("council_table").sort_values(
        ["is_single_source", "council_name"], ascending=[False, True]
    )
    uncertain = councils[councils["is_single_source"]]
    st.write(f"{len(uncertain)} af {len(councils)} kommuners placering bygger på én kilde.")
    grid(
        councils.rename(
            columns={
                "council_name": "Sundhedsråd",
                "region_name": "Region",
                "municipality_name": "Kommune",
                "municipality_code": "Kode",
                "is_single_source": "Kun én kilde",
                "source_note": "Kildenote",
            }
        ),
        hide_index=True,
        width="stretch",
        height=360,
    )

    st.subheader("Datakvalitet")
    report = query("quality_report")
    grid(report.rename(columns={"measure": "Mål", "value": "Værdi"}), hide_index=True, width="stretch")
    issues = query("quality_issues")
    if len(issues):
        st.write(f"{len(issues)} advarsler fra indlæsningen (data er indlæst; advarslerne er ting at rette):")
        grid(
            issues.rename(
                columns={
                    "severity": "Type",
                    "message": "Besked",
                    "file": "Fil",
                    "sheet": "Ark",
                    "row": "Række",
                    "column": "Kolonne",
                    "value": "Værdi",
                    "hint": "Råd",
                }
            ),
            hide_index=True,
            width="stretch",
            height=300,
        )

    st.subheader("Del data med andre registre")
    api = _api_url()
    st.markdown(
        "Tilbud og organisationer kan hentes som Open Referral HSDS 3.0, så fx en kommunes tilbudsoversigt "
        "eller en platform for social ordination kan synkronisere fra kortet i stedet for at taste igen. "
        f"API'et ligger på {verbatim(api)} og er beskrevet i {verbatim(api + 'openapi.json')}. Det viser det "
        "samme, som alle kan se her, uden personoplysninger. Et sundhedsråds tilbud: "
        f"{verbatim(api + 'services?council_id=aarhus')}; det, der er ændret siden en dato: "
        f"{verbatim(api + 'services?modified_after=2026-12-01')}. README har flere eksempler."
    )

    st.subheader("Indlæs jeres egne data")
    st.markdown(
        """
Koordinatorer kan uploade filerne direkte på siden **Indlæs data** og se fejl og ændringer, før de bygger.
Fra kommandolinjen:

1. Hent skabelonen: `python -m etl template skabelon.xlsx` (et ark pr. tabel, rullelister og vejledning).
2. Udfyld den, eller læg jeres CSV-filer i en mappe med samme kolonner.
3. Tjek filerne: `python -m etl check skabelon.xlsx`. Hver fejl nævner fil, ark, række og kolonne.
4. Byg: `python -m etl build skabelon.xlsx --boundaries kommuner.geojson`. Appen skifter til de nye data
   ved næste klik; fejler indlæsningen, bruges de hidtidige data fortsat.
"""
    )
    st.caption(
        "Kilder: sundhedsrådenes kommuner (offentlige kilder, se README), postnumre og kommunegrænser: "
        "DAGI (Klimadatastyrelsen). Folketal: Danmarks Statistik, FOLK1A, når indlæst."
    )


run_safely(page)
