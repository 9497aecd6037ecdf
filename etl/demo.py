"""Example data: the real collaborations named in the regional strategy papers plus
synthetic, plausible Danish organisations, offers, collaborations and experiences
for all 17 health councils, in the typed table format the input cleaning produces.

Everything synthetic is marked ``source = "Eksempeldata (genereret)"``, uses
``*.example.dk`` addresses, roles instead of people and no street addresses.
Output is deterministic for the same ``(scale, seed, today)``.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa

from civilkort import reference, schema

PROVENANCE_FILE = "eksempeldata"
SOURCE_SYNTHETIC = "Eksempeldata (genereret)"
SOURCE_RH = "Region Hovedstaden: Strategisk retning for civilsamfundssamarbejde (visionspapir)"
SOURCE_RM = (
    "Region Midtjylland: Sammen om fremtidens sundhed – civilsamfundets rolle i et ligeværdigt "
    "sundhedsvæsen (civilsamfundspapir)"
)
SOURCE_UNIT = "Offentligt kendt enhed; placeret omtrentligt ved postnummer (tjek i SOR)"
SOURCE_MUNICIPALITY = "Danmarks kommuner (projektets referencedata)"

DK_BOUNDS = (54.5, 57.8, 8.0, 15.3)
"""Denmark's bounding box: lat_min, lat_max, lon_min, lon_max."""

MAX_OFFSET_M = 400.0
"""Largest random offset from a postcode point for synthetic coordinates, in metres."""

_TIGHT_POSTCODES_M: dict[str, float] = {
    "1500": 290, "2150": 230, "2600": 280, "2760": 90, "2791": 200, "2900": 300, "2942": 105, "4682": 30,
    "5960": 300, "7270": 95, "7442": 305, "7680": 265, "8581": 60, "8990": 5, "9352": 35, "9430": 240,
}  # fmt: skip
"""Postcode points closer than MAX_OFFSET_M to their municipality's border or coast (DAGI 2014,
shared/geo/kommuner.geojson), with a safe offset radius (80 % of the distance), so every synthetic
point stays inside the municipality its postcode point lies in."""


@dataclass(frozen=True)
class ScaleSpec:
    """How many rows of each table a scale produces (totals, the real records included)."""

    organisations: int
    offers: int
    collaborations: int
    gp_practices_per_council: int
    experience_share: float = 0.4


SCALES: dict[str, ScaleSpec] = {
    "small": ScaleSpec(organisations=150, offers=400, collaborations=60, gp_practices_per_council=1),
    "council": ScaleSpec(organisations=3_000, offers=8_000, collaborations=400, gp_practices_per_council=3),
    "national": ScaleSpec(
        organisations=100_000, offers=300_000, collaborations=5_000, gp_practices_per_council=8
    ),
}


# ---------------------------------------------------------------------------
# Real records from the strategy papers (seeds 001 and 004)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KnownUnit:
    """A real regional unit: name, type and an approximate place (postcode and/or municipality)."""

    name: str
    unit_type: str
    postcode: str | None = None
    municipality: int | None = None
    serves: tuple[str, ...] = ()
    source: str = SOURCE_UNIT


@dataclass(frozen=True)
class KnownOrganisation:
    """A real organisation named in the strategy papers; unknown facts are left empty."""

    name: str
    organisation_type: str
    description: str
    source: str
    staffing: str | None = None
    website: str | None = None
    postcode: str | None = None
    municipality: int | None = None


@dataclass(frozen=True)
class KnownOffer:
    """A real activity named in the strategy papers, run by a known organisation."""

    organisation: str
    name: str
    description: str
    themes: tuple[str, ...]
    target_groups: tuple[str, ...]
    source: str
    prevention_level: str | None = None
    accepts_social_referrals: bool | None = None
    postcode: str | None = None
    municipality: int | None = None
    service_area: tuple[str, ...] = ()
    schedule: str | None = None


@dataclass(frozen=True)
class KnownCollaboration:
    """A real collaboration named in the strategy papers."""

    title: str
    description: str
    unit_names: tuple[str, ...]
    organisation_names: tuple[str, ...]
    themes: tuple[str, ...]
    target_groups: tuple[str, ...]
    source: str
    status: str = "aktiv"
    form: str | None = None
    kind: str | None = None
    municipalities: tuple[str, ...] = ()


_RH = ("hovedstaden", "koebenhavns-omegn-nord", "nordsjaelland", "amager-vestegnen")
_RS = ("oestsjaelland-oerne", "midt-vestsjaelland")
_RM = ("aarhus", "horsens", "kronjylland", "midt", "vestjylland")
_RSD = ("fyn", "lillebaelt", "soenderjylland", "sydvestjylland")
_RN = ("limfjorden", "vendsyssel")

KNOWN_UNITS: tuple[KnownUnit, ...] = (
    # Region Hovedstaden (from 2027 Region Østdanmark)
    KnownUnit("Rigshospitalet", "hospital", "2100", 101),
    KnownUnit("Rigshospitalet, Glostrup", "hospital", "2600", 161),
    KnownUnit("Bispebjerg Hospital", "hospital", "2400", 101),
    KnownUnit("Frederiksberg Hospital", "hospital", "2000", 147),
    KnownUnit("Herlev og Gentofte Hospital", "hospital", "2730", 163),
    KnownUnit("Herlev og Gentofte Hospital, Gentofte", "hospital", "2900", 157),
    KnownUnit("Amager og Hvidovre Hospital", "hospital", "2650", 167),
    KnownUnit("Amager og Hvidovre Hospital, Amager", "hospital", "2300", 101),
    KnownUnit("Nordsjællands Hospital", "hospital", "3400", 219),
    KnownUnit("Nordsjællands Hospital, Frederikssund", "hospital", "3600", 250),
    KnownUnit("Nordsjællands Hospital, Helsingør", "hospital", "3000", 217),
    KnownUnit("Bornholms Hospital", "hospital", "3700", 400),
    KnownUnit("Psykiatrisk Center København", "psykiatri", "2100", 101),
    KnownUnit("Psykiatrisk Center Amager", "psykiatri", "2300", 101),
    KnownUnit("Psykiatrisk Center Glostrup", "psykiatri", "2600", 161),
    KnownUnit("Psykiatrisk Center Ballerup", "psykiatri", "2750", 151),
    KnownUnit("Psykiatrisk Center Nordsjælland", "psykiatri", "3400", 219),
    KnownUnit("Psykiatrisk Center Frederiksberg", "psykiatri", "2000", 147),
    KnownUnit("Psykiatrisk Center Sct. Hans", "psykiatri", "4000", 265),
    KnownUnit("Region Hovedstaden", "region", "3400", 219, serves=_RH),
    # Location not known: placed approximately at the region's administration in Hillerød.
    KnownUnit("Den Sociale Virksomhed", "social_virksomhed", municipality=219, serves=_RH),
    # Region Sjælland (from 2027 Region Østdanmark)
    KnownUnit("Sjællands Universitetshospital, Køge", "hospital", "4600", 259),
    KnownUnit("Sjællands Universitetshospital, Roskilde", "hospital", "4000", 265),
    KnownUnit("Holbæk Sygehus", "hospital", "4300", 316),
    KnownUnit("Slagelse Sygehus", "hospital", "4200", 330),
    KnownUnit("Næstved Sygehus", "hospital", "4700", 370),
    KnownUnit("Nykøbing F. Sygehus", "hospital", "4800", 376),
    KnownUnit("Psykiatrisk Afdeling Slagelse", "psykiatri", "4200", 330),
    KnownUnit("Psykiatrisk Afdeling Vordingborg", "psykiatri", "4760", 390),
    KnownUnit("Region Sjælland", "region", "4180", 340, serves=_RS),
    # Region Syddanmark
    KnownUnit("Odense Universitetshospital", "hospital", "5000", 461),
    KnownUnit("Odense Universitetshospital, Svendborg", "hospital", "5700", 479),
    KnownUnit("Sygehus Lillebælt, Vejle", "hospital", "7100", 630),
    KnownUnit("Sygehus Lillebælt, Kolding", "hospital", "6000", 621),
    KnownUnit("Sygehus Lillebælt, Fredericia", "hospital", "7000", 607),
    KnownUnit("Sydvestjysk Sygehus, Esbjerg", "hospital", "6700", 561),
    KnownUnit("Sydvestjysk Sygehus, Grindsted", "hospital", "7200", 530),
    KnownUnit("Sygehus Sønderjylland, Aabenraa", "hospital", "6200", 580),
    KnownUnit("Sygehus Sønderjylland, Sønderborg", "hospital", "6400", 540),
    KnownUnit("Sygehus Sønderjylland, Tønder", "hospital", "6270", 550),
    KnownUnit("Psykiatrisk Afdeling Odense", "psykiatri", "5000", 461),
    KnownUnit("Psykiatrisk Afdeling Middelfart", "psykiatri", "5500", 410),
    KnownUnit("Psykiatrisk Afdeling Vejle", "psykiatri", "7100", 630),
    KnownUnit("Psykiatrisk Afdeling Esbjerg", "psykiatri", "6700", 561),
    KnownUnit("Psykiatrisk Afdeling Aabenraa", "psykiatri", "6200", 580),
    KnownUnit("Region Syddanmark", "region", "7100", 630, serves=_RSD),
    # Region Midtjylland
    KnownUnit("Aarhus Universitetshospital", "hospital", "8200", 751),
    KnownUnit("Aarhus Universitetshospital, Psykiatrien", "psykiatri", "8200", 751),
    KnownUnit("Regionshospitalet Randers", "hospital", "8930", 730),
    KnownUnit("Regionshospitalet Horsens", "hospital", "8700", 615),
    KnownUnit("Regionshospitalet Gødstrup", "hospital", "7400", 657),
    KnownUnit(
        "Socialmedicinsk Team, Klinik for Socialmedicin og Rehabilitering, Regionshospitalet Gødstrup",
        "hospital",
        "7400",
        657,
        source=SOURCE_RM,
    ),
    KnownUnit("Regionshospital Midt, Viborg", "hospital", "8800", 791),
    KnownUnit("Regionshospital Midt, Skive", "hospital", "7800", 779),
    KnownUnit("Regionshospitalet Silkeborg", "hospital", "8600", 740),
    KnownUnit("Regionspsykiatrien Gødstrup", "psykiatri", "7400", 657),
    KnownUnit("Regionspsykiatrien Randers", "psykiatri", "8930", 730),
    KnownUnit("Regionspsykiatrien Horsens", "psykiatri", "8700", 615),
    KnownUnit("Regionspsykiatrien Midt, Viborg", "psykiatri", "8800", 791),
    KnownUnit("Region Midtjylland", "region", "8800", 791, serves=_RM),
    KnownUnit("Almen praksis i Norddjurs Kommune", "almen_praksis", None, 707, source=SOURCE_RM),
    # Region Nordjylland
    KnownUnit("Aalborg Universitetshospital", "hospital", "9000", 851),
    KnownUnit("Aalborg Universitetshospital, Thisted", "hospital", "7700", 787),
    KnownUnit("Aalborg Universitetshospital, Hobro", "hospital", "9500", 846),
    KnownUnit("Aalborg Universitetshospital, Farsø", "hospital", "9640", 820),
    KnownUnit("Regionshospital Nordjylland, Hjørring", "hospital", "9800", 860),
    KnownUnit("Regionshospital Nordjylland, Frederikshavn", "hospital", "9900", 813),
    KnownUnit("Aalborg Universitetshospital, Psykiatrien", "psykiatri", "9000", 851),
    KnownUnit("Psykiatrien, Brønderslev", "psykiatri", "9700", 810),
    KnownUnit("Region Nordjylland", "region", "9220", 851, serves=_RN),
)
"""Main public hospitals, psychiatric centres and regional administrations (general knowledge)."""

KNOWN_ORGANISATIONS: tuple[KnownOrganisation, ...] = (
    KnownOrganisation(
        "Kræftens Bekæmpelse",
        "patientforening",
        "Landsdækkende patientforening, der kombinerer patientstøtte, interessevaretagelse og forskning.",
        SOURCE_RH,
        staffing="begge",
        website="https://www.cancer.dk",
        postcode="2100",
        municipality=101,
    ),
    KnownOrganisation(
        "Hjerteforeningen",
        "patientforening",
        "Landsdækkende patientforening for mennesker med hjertesygdom og deres pårørende.",
        SOURCE_RH,
        staffing="begge",
        website="https://hjerteforeningen.dk",
        municipality=101,
    ),
    KnownOrganisation(
        "Håb i Psykiatrien",
        "frivillig_forening",
        "Forening der samarbejder med Psykiatrisk Center København om motionscaféer.",
        SOURCE_RH,
        municipality=101,
    ),
    KnownOrganisation(
        "Brugernes Akademi",
        "frivillig_forening",
        "Organisation der arbejder med opsporing af hepatitis C og HIV blandt socialt udsatte.",
        SOURCE_RH,
        municipality=101,
    ),
    KnownOrganisation(
        "Røde Kors Hovedstaden",
        "ngo",
        "Røde Kors i hovedstadsområdet; driver i samarbejde med regionen et omsorgscenter for hjemløse.",
        SOURCE_RH,
        municipality=101,
    ),
    KnownOrganisation(
        "Social Sundhed",
        "ngo",
        "NGO der bygger bro mellem sårbare borgere og sundhedsvæsenet, bl.a. med følgeskab til aftaler.",
        SOURCE_RH,
        municipality=101,
    ),
    KnownOrganisation(
        "Danske Hospitalsklovne",
        "ngo",
        "Organisation der laver indsatser for indlagte børn på hospitalerne.",
        SOURCE_RH,
        municipality=101,
    ),
    KnownOrganisation(
        "WeShelter",
        "ngo",
        "Organisation der samarbejder med Bispebjerg Hospital om de sociale haver på hospitalet.",
        SOURCE_RH,
        municipality=101,
    ),
    KnownOrganisation(
        "Maskine Maskine Amager",
        "frivillig_forening",
        "Brugerdrevet kreativt fællesskab for mennesker med psykisk sygdom.",
        SOURCE_RH,
        municipality=101,
    ),
    KnownOrganisation(
        "Dansk Røde Kors",
        "ngo",
        "Landsdækkende humanitær organisation; i Region Midtjylland bl.a. frivilligguider ved "
        "hospitalernes indgange, patientstøtte, vågetjeneste og et omsorgscenter for hjemløse i Herning.",
        SOURCE_RM,
        staffing="begge",
        website="https://www.rodekors.dk",
        municipality=101,
    ),
    KnownOrganisation(
        "Den Sociale Investeringsfond",
        "fond",
        "Partner i Region Midtjyllands arbejde med sociale investeringer, bl.a. sociale henvisninger i "
        "Norddjurs og sundhed i udsatte boligområder i Herning.",
        SOURCE_RM,
        municipality=101,
    ),
    KnownOrganisation(
        "Østifterne",
        "fond",
        "Partner i udviklingen af en social investering om sociale henvisninger i Norddjurs Kommune. "
        "Placeret omtrentligt ved aktiviteten i Norddjurs; hovedsædet er ikke registreret.",
        SOURCE_RM,
        municipality=707,
    ),
    KnownOrganisation(
        "Landsbyggefonden",
        "fond",
        "Partner i udviklingsarbejdet om sundhed i udsatte boligområder i Herning.",
        SOURCE_RM,
        municipality=101,
    ),
    KnownOrganisation(
        "Boligsocial helhedsplan i Herning",
        "ngo",
        "Den boligsociale helhedsplan, partner i udviklingsarbejdet om sundhed i udsatte boligområder.",
        SOURCE_RM,
        municipality=657,
    ),
)
"""Organisations named in the strategy papers; addresses, CVR numbers and contacts are unknown."""

KNOWN_OFFERS: tuple[KnownOffer, ...] = (
    KnownOffer(
        "Kræftens Bekæmpelse",
        "Støtte til kræftpatienter på Herlev og Gentofte Hospital",
        "Støtte til kræftpatienter i samarbejde med Herlev og Gentofte Hospital.",
        ("forebyggelse",),
        ("kraeft",),
        SOURCE_RH,
        prevention_level="tertiaer",
        postcode="2730",
        municipality=163,
    ),
    KnownOffer(
        "Hjerteforeningen",
        "Patientstøtter på hjerteafdelingen",
        "Patientstøtter, der selv er tidligere hjertepatienter, kommer på hjerteafdelingen på "
        "Nordsjællands Hospital en gang om ugen.",
        ("forebyggelse", "brobygning"),
        ("hjerte", "indlagte"),
        SOURCE_RH,
        prevention_level="tertiaer",
        postcode="3400",
        municipality=219,
        schedule="En gang om ugen",
    ),
    KnownOffer(
        "Håb i Psykiatrien",
        "Motionscaféer",
        "Motionscaféer i samarbejde med Psykiatrisk Center København.",
        ("forebyggelse",),
        ("psykisk_saarbare",),
        SOURCE_RH,
        municipality=101,
    ),
    KnownOffer(
        "Brugernes Akademi",
        "Mobil klinik: test for hepatitis C og HIV",
        "Opsporing af hepatitis C og HIV blandt socialt udsatte i en mobil klinik, i samarbejde med "
        "Region Hovedstaden.",
        ("lighed",),
        ("socialt_udsatte",),
        SOURCE_RH,
        prevention_level="sekundaer",
        municipality=101,
    ),
    KnownOffer(
        "Røde Kors Hovedstaden",
        "Omsorgscenter for hjemløse, der udskrives fra hospitalet",
        "Omsorgscenter for hjemløse, der udskrives fra hospitalet, drevet i samarbejde med Region Hovedstaden.",
        ("lighed",),
        ("hjemloese",),
        SOURCE_RH,
        municipality=101,
    ),
    KnownOffer(
        "Social Sundhed",
        "Følgeskab til aftaler",
        "Frivillige følger sårbare borgere til aftaler i sundhedsvæsenet, bl.a. på Amager og Hvidovre Hospital.",
        ("lighed",),
        ("socialt_udsatte",),
        SOURCE_RH,
        postcode="2650",
        municipality=167,
    ),
    KnownOffer(
        "Danske Hospitalsklovne",
        "Hospitalsklovne for indlagte børn",
        "Indsatser for indlagte børn på Rigshospitalet.",
        ("brobygning",),
        ("boern_unge", "indlagte"),
        SOURCE_RH,
        postcode="2100",
        municipality=101,
    ),
    KnownOffer(
        "WeShelter",
        "Sociale haver på Bispebjerg Hospital",
        "De sociale haver på Bispebjerg Hospital.",
        ("brobygning",),
        (),
        SOURCE_RH,
        postcode="2400",
        municipality=101,
    ),
    KnownOffer(
        "Maskine Maskine Amager",
        "Brugerdrevet kreativt fællesskab",
        "Brugerdrevet kreativt fællesskab for mennesker med psykisk sygdom, i samarbejde med "
        "Psykiatrisk Center Amager.",
        ("brobygning",),
        ("psykisk_saarbare",),
        SOURCE_RH,
        municipality=101,
    ),
    KnownOffer(
        "Dansk Røde Kors",
        "Omsorgscenter for hjemløse i Herning",
        "Omsorgscenter med 7 sengepladser for hjemløse og funktionelt hjemløse mennesker, hvor regionen "
        "henviser patienter efter endt sygehusbehandling.",
        ("lighed",),
        ("hjemloese",),
        SOURCE_RM,
        accepts_social_referrals=True,
        postcode="7400",
        municipality=657,
    ),
    KnownOffer(
        "Dansk Røde Kors",
        "Frivilligguider, patientstøtte og vågetjeneste på hospitalerne",
        "Frivilligguider ved hospitalernes indgange, patientstøtte, vågetjeneste og en god start på "
        "livet i samarbejde med Region Midtjylland.",
        ("brobygning",),
        ("indlagte", "paaroerende", "familier"),
        SOURCE_RM,
        service_area=("region:midtjylland",),
    ),
)
"""Activities named in the strategy papers, placed at the hospital or municipality they name."""

REAL_COLLABORATIONS: tuple[KnownCollaboration, ...] = (
    KnownCollaboration(
        "Støtte til kræftpatienter",
        "Herlev og Gentofte Hospital samarbejder med Kræftens Bekæmpelse om støtte til kræftpatienter. "
        "Nævnt som eksempel på civilsamfundet som partner i forebyggelse.",
        ("Herlev og Gentofte Hospital",),
        ("Kræftens Bekæmpelse",),
        ("forebyggelse",),
        ("kraeft",),
        SOURCE_RH,
    ),
    KnownCollaboration(
        "Patientstøtter på hjerteafdelingen",
        "Nordsjællands Hospital samarbejder med Hjerteforeningen om patientstøtter, der selv er "
        "tidligere hjertepatienter og kommer på hjerteafdelingen en gang om ugen.",
        ("Nordsjællands Hospital",),
        ("Hjerteforeningen",),
        ("forebyggelse", "brobygning"),
        ("hjerte", "indlagte"),
        SOURCE_RH,
    ),
    KnownCollaboration(
        "Motionscaféer",
        "Psykiatrisk Center København samarbejder med Håb i Psykiatrien om motionscaféer.",
        ("Psykiatrisk Center København",),
        ("Håb i Psykiatrien",),
        ("forebyggelse",),
        ("psykisk_saarbare",),
        SOURCE_RH,
    ),
    KnownCollaboration(
        "Mobil klinik: opsporing af hepatitis C og HIV",
        "Regionen samarbejder med Brugernes Akademi om opsporing af hepatitis C og HIV blandt socialt "
        "udsatte i en mobil klinik.",
        ("Region Hovedstaden",),
        ("Brugernes Akademi",),
        ("lighed",),
        ("socialt_udsatte",),
        SOURCE_RH,
    ),
    KnownCollaboration(
        "Omsorgscenter for hjemløse, der udskrives fra hospitalet",
        "Regionen samarbejder med Røde Kors Hovedstaden om at drive et omsorgscenter for hjemløse, der "
        "udskrives fra hospitalet.",
        ("Region Hovedstaden",),
        ("Røde Kors Hovedstaden",),
        ("lighed",),
        ("hjemloese",),
        SOURCE_RH,
    ),
    KnownCollaboration(
        "Følgeskab til aftaler",
        "Amager og Hvidovre Hospital samarbejder med Social Sundhed om følgeskab til aftaler.",
        ("Amager og Hvidovre Hospital",),
        ("Social Sundhed",),
        ("lighed",),
        ("socialt_udsatte",),
        SOURCE_RH,
    ),
    KnownCollaboration(
        "Indsatser for indlagte børn",
        "Rigshospitalet samarbejder med Danske Hospitalsklovne om indsatser for indlagte børn.",
        ("Rigshospitalet",),
        ("Danske Hospitalsklovne",),
        ("brobygning",),
        ("boern_unge", "indlagte"),
        SOURCE_RH,
    ),
    KnownCollaboration(
        "De sociale haver på hospitalet",
        "Bispebjerg Hospital samarbejder med WeShelter om de sociale haver på hospitalet.",
        ("Bispebjerg Hospital",),
        ("WeShelter",),
        ("brobygning",),
        (),
        SOURCE_RH,
    ),
    KnownCollaboration(
        "Brugerdrevet kreativt fællesskab",
        "Psykiatrisk Center Amager samarbejder med Maskine Maskine Amager, der er et brugerdrevet kreativt "
        "fællesskab for mennesker med psykisk sygdom.",
        ("Psykiatrisk Center Amager",),
        ("Maskine Maskine Amager",),
        ("brobygning",),
        ("psykisk_saarbare",),
        SOURCE_RH,
    ),
    KnownCollaboration(
        "Omsorgscenter for hjemløse i Herning",
        "Dansk Røde Kors omsorgscenter med 7 sengepladser i Herning for hjemløse og funktionelt hjemløse "
        "mennesker, hvor regionen henviser patienter efter endt sygehusbehandling.",
        ("Region Midtjylland", "Regionshospitalet Gødstrup"),
        ("Dansk Røde Kors",),
        ("lighed",),
        ("hjemloese",),
        SOURCE_RM,
        municipalities=("municipality:657",),
    ),
    KnownCollaboration(
        "Sociale henvisninger fra praktiserende læger i Norddjurs",
        "En social investering, der udvikles sammen med Norddjurs Kommune, Den Sociale Investeringsfond og "
        "Østifterne, skal gøre det muligt for praktiserende læger i Norddjurs Kommune at være brobyggere "
        "for patienter til tilbud i lokalsamfundet (sociale henvisninger).",
        ("Region Midtjylland", "Almen praksis i Norddjurs Kommune", "Norddjurs Kommune"),
        ("Den Sociale Investeringsfond", "Østifterne"),
        ("forebyggelse", "brobygning", "udvikling"),
        (),
        SOURCE_RM,
        status="planlagt",
        municipalities=("municipality:707",),
    ),
    KnownCollaboration(
        "Sundhed i udsatte boligområder i Herning",
        "Udviklingsarbejde med Herning Kommune om at afprøve og evaluere en styrket boligsocial indsats med "
        "særligt fokus på sundhed i udsatte boligområder. Partnere: Region Midtjylland, Herning Kommune og "
        "den boligsociale helhedsplan, Den Sociale Investeringsfond og Landsbyggefonden. Søges afprøvet som "
        "en social investering.",
        ("Region Midtjylland", "Herning Kommune"),
        ("Boligsocial helhedsplan i Herning", "Den Sociale Investeringsfond", "Landsbyggefonden"),
        ("lighed", "forebyggelse"),
        ("udsatte_boligomraader",),
        SOURCE_RM,
        kind="projekt",
        municipalities=("municipality:657",),
    ),
    KnownCollaboration(
        "Frivilligguider, patientstøtte og vågetjeneste",
        "Region Midtjylland har en lang tradition for at samarbejde med Dansk Røde Kors om frivilligguider "
        "ved hospitalets indgange, patientstøtte, vågetjeneste og en god start på livet.",
        ("Region Midtjylland",),
        ("Dansk Røde Kors",),
        ("brobygning",),
        ("indlagte", "paaroerende", "familier"),
        SOURCE_RM,
        kind="drift",
    ),
)
"""The collaborations named in the strategy papers, always part of the example data."""


# ---------------------------------------------------------------------------
# Catalogues for the synthetic records
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _OfferKind:
    names: tuple[str, ...]
    description: str
    themes: tuple[str, ...]
    targets: tuple[str, ...]
    prevention: tuple[float, float, float]  # primaer, sekundaer, tertiaer; the rest empty
    referral: float
    schedules: tuple[str, ...]
    costs: tuple[str, ...] = ("Gratis",)


_OFFER_KINDS: dict[str, _OfferKind] = {
    "loebecafe": _OfferKind(
        ("Løbecafé", "Løbefællesskab for begyndere", "Morgenløb for alle"),
        "Uformelt løbefællesskab for alle, uanset form. Vi løber i små hold og slutter af med kaffe.",
        ("forebyggelse", "brobygning"),
        ("psykisk_saarbare", "ensomme", "udsatte_boligomraader"),
        (0.8, 0.0, 0.1),
        0.6,
        ("Tirsdage kl. 17-18", "Torsdage kl. 16.30-17.30", "Lørdage kl. 9-10"),
    ),
    "gaagruppe": _OfferKind(
        ("Gåfællesskab", "Gå-gruppe", "Gåture i naturen"),
        "Fælles gåture i roligt tempo på ca. 5 km med plads til en snak undervejs.",
        ("forebyggelse", "brobygning"),
        ("aeldre", "kronisk_syge", "ensomme", "hjerte"),
        (0.6, 0.0, 0.3),
        0.7,
        ("Mandage kl. 10-11.30", "Onsdage kl. 10-11", "Fredage kl. 9.30-11"),
    ),
    "besoegsven": _OfferKind(
        ("Besøgsven", "Besøgsvenner", "Besøgstjeneste"),
        "Frivillige besøgsvenner kommer hjemme hos ensomme, fx en gang om ugen til kaffe og en snak.",
        ("brobygning",),
        ("ensomme", "aeldre"),
        (0.3, 0.0, 0.0),
        0.8,
        ("Efter aftale", "En gang om ugen efter aftale"),
    ),
    "peer_stoette": _OfferKind(
        ("Peer-støttegruppe", "Samtalegruppe med peer-medarbejder", "Recovery-gruppe"),
        "Samtalegruppe for mennesker med egne erfaringer, ledet af en frivillig med levet erfaring.",
        ("brobygning", "lighed"),
        ("psykisk_saarbare", "misbrug"),
        (0.0, 0.1, 0.7),
        0.7,
        ("Hver anden onsdag kl. 17-19", "Tirsdage kl. 14-16"),
    ),
    "sorggruppe": _OfferKind(
        ("Sorggruppe", "Sorggruppe for voksne", "Sorggruppe for efterladte"),
        "Lukket gruppe for voksne, der har mistet en nær pårørende. Otte mødegange med en uddannet frivillig.",
        ("brobygning",),
        ("paaroerende", "ensomme"),
        (0.5, 0.0, 0.0),
        0.6,
        ("Hver anden onsdag kl. 17-19", "Torsdage kl. 19-21 (8 gange)"),
    ),
    "sorggruppe_unge": _OfferKind(
        ("Sorggruppe for børn og unge", "Ungegruppe for unge i sorg"),
        "Gruppe for børn og unge, der har mistet en forælder eller søskende, ledet af uddannede frivillige.",
        ("brobygning",),
        ("boern_unge", "paaroerende"),
        (0.5, 0.0, 0.0),
        0.5,
        ("Hver anden mandag kl. 16-18",),
    ),
    "lektiecafe": _OfferKind(
        ("Lektiecafé", "Lektiehjælp", "Lektiecafé på biblioteket"),
        "Gratis lektiehjælp til børn og unge ved frivillige, med saft og frugt.",
        ("lighed", "brobygning"),
        ("boern_unge", "sprogbarrierer"),
        (0.5, 0.0, 0.0),
        0.3,
        ("Mandage og onsdage kl. 15-17", "Tirsdage kl. 15.30-17.30"),
    ),
    "sundhedscafe": _OfferKind(
        ("Sundhedscafé i boligområdet", "Sundhedscafé", "Sund Snak i boligområdet"),
        "Uformel café hvor beboere kan få en snak om sundhed, få målt blodtryk og få hjælp til at finde vej "
        "i sundhedsvæsenet.",
        ("lighed", "forebyggelse"),
        ("udsatte_boligomraader", "sprogbarrierer"),
        (0.3, 0.6, 0.0),
        0.5,
        ("Torsdage kl. 13-15", "Første tirsdag i måneden kl. 16-18"),
    ),
    "sprogcafe": _OfferKind(
        ("Sprogcafé", "Dansk i fællesskab", "Snak dansk-café"),
        "Øv dansk i et uformelt fællesskab over en kop kaffe.",
        ("lighed", "brobygning"),
        ("sprogbarrierer", "ensomme"),
        (0.0, 0.0, 0.0),
        0.4,
        ("Onsdage kl. 16-18", "Lørdage kl. 10-12"),
    ),
    "spisefaellesskab": _OfferKind(
        ("Spisefællesskab", "Fællesspisning", "Torsdagsmiddag"),
        "Fælles aftensmad en gang om ugen. Man kan komme alene og gå derfra med nye bekendtskaber.",
        ("brobygning", "forebyggelse"),
        ("ensomme", "aeldre"),
        (0.4, 0.0, 0.0),
        0.6,
        ("Torsdage kl. 17.30-19.30", "Hver anden fredag kl. 18-20"),
        ("40 kr. for maden", "50 kr. pr. gang", "Gratis"),
    ),
    "motion_kronisk": _OfferKind(
        ("Motionshold for mennesker med kronisk sygdom", "Motion på recept-hold", "Træning for livet"),
        "Tilpasset træning i små hold med en frivillig instruktør, som fortsættelse af kommunens genoptræning.",
        ("forebyggelse",),
        ("kronisk_syge", "hjerte", "kraeft"),
        (0.0, 0.0, 0.9),
        0.8,
        ("Mandage kl. 10-11", "Onsdage kl. 14-15", "Tirsdage og torsdage kl. 9-10"),
        ("Kontingent 300 kr. pr. halvår", "50 kr. pr. gang", "Gratis"),
    ),
    "hjertemotion": _OfferKind(
        ("Hjertemotion", "Hjertemotion i hallen", "Hjertestien: gåtur for hjertepatienter"),
        "Motion for mennesker med hjertesygdom, ledet af frivillige instruktører med hjerteforeningens uddannelse.",
        ("forebyggelse", "brobygning"),
        ("hjerte",),
        (0.0, 0.0, 0.9),
        0.8,
        ("Tirsdage kl. 10-11", "Torsdage kl. 17-18"),
        ("Kontingent 300 kr. pr. halvår", "Gratis"),
    ),
    "lungemotion": _OfferKind(
        ("KOL-motion", "Lungemotion", "Sang for lungerne"),
        "Træning og vejrtrækningsøvelser for mennesker med KOL og andre lungesygdomme.",
        ("forebyggelse",),
        ("kronisk_syge",),
        (0.0, 0.0, 0.9),
        0.8,
        ("Mandage kl. 13-14", "Onsdage kl. 10-11"),
        ("50 kr. pr. gang", "Gratis"),
    ),
    "kraeftmotion": _OfferKind(
        ("Træning efter kræft", "Gåhold for kræftramte"),
        "Træning og gåture for mennesker i eller efter kræftbehandling, i roligt tempo og godt selskab.",
        ("forebyggelse", "brobygning"),
        ("kraeft",),
        (0.0, 0.0, 0.9),
        0.8,
        ("Onsdage kl. 10-11.30", "Fredage kl. 13-14"),
    ),
    "patientstoette": _OfferKind(
        ("Patientstøtter på hospitalet", "Frivillige patientvenner", "Samtalestøtte for indlagte"),
        "Frivillige med egen sygdomserfaring besøger indlagte patienter og deres pårørende.",
        ("brobygning",),
        ("indlagte", "hjerte", "kraeft", "paaroerende"),
        (0.0, 0.0, 0.6),
        0.2,
        ("En gang om ugen", "Hverdage kl. 10-14"),
    ),
    "paaroerendegruppe": _OfferKind(
        ("Pårørendegruppe", "Pårørendecafé", "Netværk for pårørende"),
        "Et fortroligt rum for pårørende, hvor man kan dele erfaringer og få ny energi.",
        ("brobygning",),
        ("paaroerende",),
        (0.4, 0.0, 0.0),
        0.5,
        ("Første mandag i måneden kl. 19-21", "Hver anden tirsdag kl. 17-19"),
    ),
    "vaerested": _OfferKind(
        ("Værested", "Åbent værested", "Morgencafé"),
        "Åbent værested med kaffe, samtale og mulighed for et bad og et varmt måltid.",
        ("lighed",),
        ("hjemloese", "misbrug", "psykisk_saarbare"),
        (0.0, 0.0, 0.0),
        0.5,
        ("Alle hverdage kl. 8-14", "Mandag-fredag kl. 9-15"),
        ("Gratis", "10 kr. for morgenmad"),
    ),
    "sygeplejeklinik": _OfferKind(
        ("Sygeplejeklinik for socialt udsatte", "Fodterapi og sygepleje", "Gadeklinik"),
        "Gratis sygepleje og fodterapi uden tidsbestilling for mennesker i hjemløshed eller misbrug.",
        ("lighed", "forebyggelse"),
        ("hjemloese", "misbrug"),
        (0.0, 0.7, 0.2),
        0.6,
        ("Tirsdage og torsdage kl. 10-14", "Onsdage kl. 12-16"),
    ),
    "raadgivning": _OfferKind(
        ("Telefonisk rådgivning", "Anonym rådgivning", "Chatrådgivning"),
        "Anonym og gratis rådgivning ved uddannede frivillige.",
        ("lighed",),
        ("psykisk_saarbare", "boern_unge", "familier"),
        (0.0, 0.6, 0.0),
        0.5,
        ("Alle dage kl. 17-23", "Hverdage kl. 10-16"),
    ),
    "familienetvaerk": _OfferKind(
        ("Netværksgruppe for gravide og nybagte forældre", "Familiecafé", "Mødregruppe"),
        "Fællesskab for gravide og nybagte forældre med sparring fra frivillige og en sundhedsplejerske.",
        ("forebyggelse", "lighed"),
        ("familier",),
        (0.8, 0.0, 0.0),
        0.5,
        ("Tirsdage kl. 10-12", "Hver anden fredag kl. 9.30-11.30"),
    ),
    "kreativt": _OfferKind(
        ("Kreativt værksted", "Musikfællesskab", "Malerværkstedet"),
        "Brugerdrevet værksted med maling, musik og håndværk, hvor fællesskabet er i centrum.",
        ("brobygning",),
        ("psykisk_saarbare", "handicap"),
        (0.0, 0.0, 0.5),
        0.6,
        ("Onsdage kl. 13-16", "Mandage og torsdage kl. 10-14"),
        ("Gratis", "20 kr. for materialer"),
    ),
    "itcafe": _OfferKind(
        ("IT-café", "Digital hjælp", "Hjælp til MitID og sundhed.dk"),
        "Frivillige hjælper med MitID, sundhed.dk og Min Læge-appen.",
        ("lighed", "udvikling"),
        ("aeldre", "sprogbarrierer"),
        (0.0, 0.0, 0.0),
        0.3,
        ("Første onsdag i måneden kl. 14-16", "Tirsdage kl. 10-12"),
    ),
    "maendsmoedested": _OfferKind(
        ("Mænds mødested", "Mandeværkstedet", "Mandeklubben"),
        "Værksted og fællesskab for mænd, der vil mødes om praktiske projekter og en kop kaffe.",
        ("brobygning", "forebyggelse"),
        ("ensomme", "aeldre"),
        (0.5, 0.0, 0.0),
        0.6,
        ("Tirsdage kl. 9-12", "Torsdage kl. 13-16"),
        ("Gratis", "Kontingent 150 kr. om året"),
    ),
    "gadefodbold": _OfferKind(
        ("Gadefodbold", "Socialt fodboldhold", "Fodbold for alle"),
        "Fodboldtræning og kampe for mennesker, der lever et liv på kanten, med fokus på fællesskab.",
        ("lighed", "forebyggelse"),
        ("hjemloese", "misbrug", "psykisk_saarbare"),
        (0.6, 0.0, 0.0),
        0.4,
        ("Mandage og torsdage kl. 15-17",),
    ),
    "faelleshave": _OfferKind(
        ("Fælleshave", "Køkkenhave for alle", "Grønt fællesskab"),
        "Fælles køkkenhave hvor alle kan være med til at så, luge og høste – med eller uden erfaring.",
        ("brobygning", "forebyggelse"),
        ("psykisk_saarbare", "udsatte_boligomraader", "ensomme"),
        (0.6, 0.0, 0.1),
        0.7,
        ("Onsdage kl. 16-18 (april-oktober)", "Lørdage kl. 10-13"),
    ),
    "brugerpanel": _OfferKind(
        ("Brugerpanel", "Erfaringspanel", "Borgerinddragelse i udvikling"),
        "Frivillige med egen erfaring deltager i udviklingen af nye tilbud sammen med hospitaler og kommune.",
        ("udvikling",),
        ("kronisk_syge", "psykisk_saarbare"),
        (0.0, 0.0, 0.0),
        0.0,
        ("Fire møder om året", "Efter aftale"),
    ),
    "handicapidraet": _OfferKind(
        ("Idræt for mennesker med handicap", "Paraidræt", "Svømning for alle"),
        "Idræt i trygge rammer for børn og voksne med fysisk eller psykisk handicap.",
        ("forebyggelse", "lighed"),
        ("handicap", "boern_unge"),
        (0.7, 0.0, 0.2),
        0.4,
        ("Lørdage kl. 10-11.30", "Onsdage kl. 17-18"),
        ("Kontingent 300 kr. pr. halvår", "Gratis"),
    ),
    "ungetrivsel": _OfferKind(
        ("Ungegruppe om mental trivsel", "Ungefællesskab", "Samtalegruppe for unge"),
        "Gruppeforløb for unge, der har det svært, ledet af frivillige med faglig baggrund.",
        ("forebyggelse",),
        ("boern_unge", "psykisk_saarbare"),
        (0.7, 0.2, 0.0),
        0.5,
        ("Tirsdage kl. 16-18", "Hver anden torsdag kl. 17-19"),
    ),
    "vaagetjeneste": _OfferKind(
        ("Vågetjeneste", "Frivillige vågekoner og vågemænd"),
        "Frivillige våger hos døende, så ingen skal dø alene.",
        ("brobygning",),
        ("indlagte", "aeldre", "paaroerende"),
        (0.0, 0.0, 0.0),
        0.0,
        ("Døgnet rundt efter aftale",),
    ),
    "foelgeskab": _OfferKind(
        ("Følgeskab til lægen", "Følgeven", "Følgeskab til hospitalet"),
        "Frivillige følger borgere til aftaler hos læge, tandlæge eller på hospitalet.",
        ("lighed",),
        ("sprogbarrierer", "psykisk_saarbare", "aeldre"),
        (0.0, 0.0, 0.0),
        0.6,
        ("Efter aftale",),
    ),
}


@dataclass(frozen=True)
class _OrgTemplate:
    names: tuple[str, ...]
    organisation_type: str
    staffing: tuple[float, float, float]  # frivillige, loennede, begge
    kinds: tuple[str, ...]
    description: str
    weight: float
    multi: bool = False


_ORG_TEMPLATES: tuple[_OrgTemplate, ...] = (
    _OrgTemplate(
        ("Ældre Sagen {place}",),
        "frivillig_forening",
        (0.9, 0.0, 0.1),
        ("besoegsven", "gaagruppe", "itcafe", "spisefaellesskab", "foelgeskab"),
        "Lokalafdeling med frivillige aktiviteter for ældre i {place}.",
        1.4,
    ),
    _OrgTemplate(
        ("Frivilligcenter {place}", "Frivillighedens Hus {place}"),
        "selvejende",
        (0.1, 0.2, 0.7),
        (
            "besoegsven",
            "sorggruppe",
            "sorggruppe_unge",
            "lektiecafe",
            "sprogcafe",
            "foelgeskab",
            "spisefaellesskab",
        ),
        "Frivilligcenter der samler og støtter foreninger og frivillige i {place}.",
        0.6,
    ),
    _OrgTemplate(
        ("Foreningen Grønne Fællesskaber {place}", "Fælleshaven {place}"),
        "frivillig_forening",
        (1.0, 0.0, 0.0),
        ("faelleshave", "spisefaellesskab", "gaagruppe"),
        "Forening der driver grønne fællesskaber og fælleshaver i {place}.",
        0.7,
    ),
    _OrgTemplate(
        ("Løbeklubben {place}", "{place} Løbefællesskab", "Motionsforeningen {place}"),
        "frivillig_forening",
        (1.0, 0.0, 0.0),
        ("loebecafe", "gaagruppe", "motion_kronisk"),
        "Motionsforening med løb og gang for alle niveauer i {place}.",
        1.0,
    ),
    _OrgTemplate(
        ("Idrætsforeningen {place}", "{place} IF", "{place} Idrætsforening"),
        "frivillig_forening",
        (0.95, 0.0, 0.05),
        ("handicapidraet", "loebecafe", "motion_kronisk", "gadefodbold"),
        "Idrætsforening med sociale og sundhedsfremmende hold i {place}.",
        1.0,
    ),
    _OrgTemplate(
        ("Hjerteforeningen {place}",),
        "patientforening",
        (0.9, 0.0, 0.1),
        ("gaagruppe", "hjertemotion", "patientstoette", "paaroerendegruppe"),
        "Lokalkomité med aktiviteter for hjertepatienter og pårørende i {place}.",
        0.5,
    ),
    _OrgTemplate(
        ("Diabetesforeningen {place}", "Gigtforeningen {place}"),
        "patientforening",
        (0.9, 0.0, 0.1),
        ("motion_kronisk", "gaagruppe", "paaroerendegruppe", "brugerpanel"),
        "Lokalafdeling af en patientforening med motion, netværk og rådgivning i {place}.",
        0.5,
    ),
    _OrgTemplate(
        ("Lungeforeningen {place}", "KOL-netværket {place}"),
        "patientforening",
        (0.9, 0.0, 0.1),
        ("lungemotion", "gaagruppe", "paaroerendegruppe"),
        "Lokalt netværk for mennesker med KOL og andre lungesygdomme og deres pårørende i {place}.",
        0.3,
    ),
    _OrgTemplate(
        ("Kræftnetværket {place}", "Netværk for kræftramte {place}"),
        "uformelt_netvaerk",
        (1.0, 0.0, 0.0),
        ("patientstoette", "kraeftmotion", "paaroerendegruppe", "sorggruppe"),
        "Uformelt netværk af kræftramte og pårørende i {place}.",
        0.4,
    ),
    _OrgTemplate(
        ("Psykiatrifællesskabet {place}", "Foreningen Åbent Sind {place}", "Recoveryhuset {place}"),
        "frivillig_forening",
        (0.7, 0.05, 0.25),
        ("peer_stoette", "kreativt", "paaroerendegruppe", "loebecafe", "brugerpanel"),
        "Fællesskab for mennesker med psykisk sårbarhed og deres pårørende i {place}.",
        0.8,
    ),
    _OrgTemplate(
        ("Værestedet {place}", "Natcaféen {place}", "Varmestuen {place}"),
        "selvejende",
        (0.2, 0.2, 0.6),
        ("vaerested", "sygeplejeklinik", "gadefodbold"),
        "Selvejende tilbud til mennesker i hjemløshed, misbrug eller psykisk sårbarhed i {place}.",
        0.5,
    ),
    _OrgTemplate(
        ("Kirkens Korshær {place}", "Menighedsplejen {place}"),
        "ngo",
        (0.6, 0.0, 0.4),
        ("vaerested", "spisefaellesskab", "besoegsven", "vaagetjeneste"),
        "Kirkelig social indsats med værested og besøgstjeneste i {place}.",
        0.5,
    ),
    _OrgTemplate(
        ("Røde Kors {place}",),
        "ngo",
        (0.9, 0.0, 0.1),
        ("besoegsven", "lektiecafe", "sprogcafe", "vaagetjeneste", "foelgeskab"),
        "Lokalafdeling med frivillige aktiviteter mod ensomhed og for familier i {place}.",
        0.7,
    ),
    _OrgTemplate(
        ("Beboerforeningen {place}", "Boligsocialt Fællesskab {place}"),
        "uformelt_netvaerk",
        (1.0, 0.0, 0.0),
        ("sundhedscafe", "lektiecafe", "sprogcafe", "faelleshave"),
        "Beboerdrevet fællesskab i et alment boligområde i {place}.",
        0.7,
    ),
    _OrgTemplate(
        ("Café Sammen {place}", "Socialøkonomisk Køkken {place}", "Værkstedet {place} ApS"),
        "socialoekonomisk",
        (0.0, 0.6, 0.4),
        ("spisefaellesskab", "kreativt", "itcafe"),
        "Socialøkonomisk virksomhed der beskæftiger mennesker på kanten af arbejdsmarkedet i {place}.",
        0.4,
    ),
    _OrgTemplate(
        ("Fonden for Fællesskab {place}", "Sundhedsfonden {place}"),
        "fond",
        (0.0, 0.9, 0.1),
        ("brugerpanel", "ungetrivsel", "familienetvaerk"),
        "Lokal fond der støtter og udvikler indsatser for sundhed og trivsel i {place}.",
        0.2,
    ),
    _OrgTemplate(
        ("Mændenes Værksted {place}",),
        "uformelt_netvaerk",
        (1.0, 0.0, 0.0),
        ("maendsmoedested",),
        "Uformelt værkstedsfællesskab for mænd i {place}.",
        0.4,
    ),
    _OrgTemplate(
        ("Forældrenetværket {place}", "Familiehuset {place}"),
        "frivillig_forening",
        (0.8, 0.0, 0.2),
        ("familienetvaerk", "lektiecafe"),
        "Netværk for børnefamilier og gravide i {place}.",
        0.4,
    ),
    _OrgTemplate(
        ("Ungeforeningen Trivsel {place}", "Ungdomshuset {place}"),
        "frivillig_forening",
        (0.5, 0.1, 0.4),
        ("ungetrivsel", "raadgivning"),
        "Forening for unges mentale trivsel i {place}.",
        0.4,
    ),
    _OrgTemplate(
        ("Sorg- og Livsnetværket {place}",),
        "frivillig_forening",
        (1.0, 0.0, 0.0),
        ("sorggruppe", "sorggruppe_unge", "vaagetjeneste"),
        "Frivillige der støtter mennesker i sorg og ved livets afslutning i {place}.",
        0.3,
    ),
    _OrgTemplate(
        ("Sprogbroen {place}", "Netværket Nye Naboer {place}"),
        "frivillig_forening",
        (0.9, 0.0, 0.1),
        ("sprogcafe", "foelgeskab", "lektiecafe", "sundhedscafe"),
        "Frivillige der bygger bro for nye danskere i {place}.",
        0.5,
    ),
    # Organisations working across several councils (offers in other councils of the region)
    _OrgTemplate(
        ("Rådgivningslinjen {place}", "Foreningen Åben Linje {place}"),
        "ngo",
        (0.3, 0.1, 0.6),
        ("raadgivning", "paaroerendegruppe", "peer_stoette"),
        "Regional rådgivningsorganisation med lokale grupper i flere kommuner i {place}.",
        0.0,
        multi=True,
    ),
    _OrgTemplate(
        ("Gå Sammen {place}", "Netværket Sund Bevægelse {place}"),
        "frivillig_forening",
        (1.0, 0.0, 0.0),
        ("gaagruppe", "loebecafe", "motion_kronisk"),
        "Netværk der starter gå- og løbefællesskaber i hele {place}.",
        0.0,
        multi=True,
    ),
    _OrgTemplate(
        ("Frivilligkorpset {place}", "Besøgstjenesten {place}"),
        "ngo",
        (0.8, 0.0, 0.2),
        ("besoegsven", "vaagetjeneste", "patientstoette", "foelgeskab"),
        "Frivilligkorps med besøgsvenner og patientstøtter på tværs af {place}.",
        0.0,
        multi=True,
    ),
    _OrgTemplate(
        ("Sundhedsbussen {place}", "Gadesundhed {place}"),
        "selvejende",
        (0.1, 0.3, 0.6),
        ("sygeplejeklinik", "sundhedscafe", "vaerested"),
        "Udgående sundhedstilbud til socialt udsatte i flere kommuner i {place}.",
        0.0,
        multi=True,
    ),
)

_MULTI_SHARE = 0.04
"""Share of synthetic organisations that work across several councils."""


@dataclass(frozen=True)
class _CollabTemplate:
    unit_type: str
    title: str
    description: str
    themes: tuple[str, ...]
    targets: tuple[str, ...]
    roles: tuple[str, ...]


_DEPARTMENTS = (
    "Kardiologisk afd.",
    "Medicinsk afd.",
    "Onkologisk afd.",
    "Lungemedicinsk afd.",
    "Børne- og Ungeafdelingen",
    "Akutafdelingen",
    "Geriatrisk afd.",
    "Palliativt Team",
)
_COLLAB_TEMPLATES: tuple[_CollabTemplate, ...] = (
    _CollabTemplate(
        "hospital",
        "Patientstøtter på {dept}",
        "Frivillige patientstøtter med egen sygdomserfaring besøger indlagte og pårørende på afdelingen.",
        ("brobygning", "forebyggelse"),
        ("indlagte", "hjerte", "kraeft"),
        ("Afdelingssygeplejerske, {dept}", "Frivilligkoordinator", "Udviklingssygeplejerske, {dept}"),
    ),
    _CollabTemplate(
        "hospital",
        "Besøgsvenner for indlagte",
        "Frivillige besøgsvenner tilbyder samvær og en snak til indlagte, der får få besøg.",
        ("brobygning",),
        ("indlagte", "ensomme", "aeldre"),
        ("Frivilligkoordinator", "Afdelingssygeplejerske, {dept}"),
    ),
    _CollabTemplate(
        "hospital",
        "Vågetjeneste for døende uden pårørende",
        "Frivillige vågere sidder hos døende patienter, så ingen skal dø alene.",
        ("brobygning",),
        ("indlagte", "aeldre", "paaroerende"),
        ("Frivilligkoordinator", "Afdelingssygeplejerske, Palliativt Team"),
    ),
    _CollabTemplate(
        "hospital",
        "Følgeskab til ambulante aftaler",
        "Frivillige følger sårbare patienter til og fra ambulante aftaler, så færre udebliver.",
        ("lighed",),
        ("sprogbarrierer", "psykisk_saarbare", "hjemloese"),
        ("Socialsygeplejerske", "Frivilligkoordinator"),
    ),
    _CollabTemplate(
        "hospital",
        "Fra hospital til fællesskab efter udskrivning",
        "Patienter introduceres under indlæggelsen til lokale fællesskaber, de kan fortsætte i efter udskrivning.",
        ("brobygning", "forebyggelse"),
        ("kronisk_syge", "ensomme", "hjerte"),
        ("Udviklingskonsulent", "Afdelingssygeplejerske, {dept}"),
    ),
    _CollabTemplate(
        "hospital",
        "Pårørendecafé på {dept}",
        "En månedlig café for pårørende, drevet af frivillige i samarbejde med afdelingens personale.",
        ("brobygning",),
        ("paaroerende",),
        ("Afdelingssygeplejerske, {dept}", "Frivilligkoordinator"),
    ),
    _CollabTemplate(
        "hospital",
        "Leg og aktiviteter for indlagte børn",
        "Frivillige laver leg, læsning og aktiviteter for indlagte børn og deres søskende.",
        ("brobygning",),
        ("boern_unge", "indlagte", "familier"),
        ("Afdelingssygeplejerske, Børne- og Ungeafdelingen", "Frivilligkoordinator"),
    ),
    _CollabTemplate(
        "hospital",
        "Motion efter hjerte- og lungerehabilitering",
        "Foreningen tilbyder fortsat træning til patienter, der afslutter hospitalets rehabilitering.",
        ("forebyggelse",),
        ("hjerte", "kronisk_syge"),
        ("Fysioterapeut, Kardiologisk afd.", "Udviklingskonsulent"),
    ),
    _CollabTemplate(
        "hospital",
        "Brugerpanel om nye patientforløb",
        "Patienter og foreninger udvikler sammen med hospitalet nye forløb og patientinformation.",
        ("udvikling",),
        ("kronisk_syge", "kraeft"),
        ("Patientinddragelseskonsulent", "Udviklingskonsulent"),
    ),
    _CollabTemplate(
        "psykiatri",
        "Peer-støtte efter udskrivning",
        "Frivillige med egen erfaring med psykisk sygdom støtter patienter i overgangen til hverdagen.",
        ("brobygning",),
        ("psykisk_saarbare",),
        ("Recovery-mentor", "Afdelingssygeplejerske, Ambulant psykiatri"),
    ),
    _CollabTemplate(
        "psykiatri",
        "Motionscafé for patienter",
        "Ugentlig motion og fællesskab for indlagte og ambulante patienter, drevet af frivillige.",
        ("forebyggelse", "brobygning"),
        ("psykisk_saarbare",),
        ("Fysioterapeut, Psykiatrien", "Frivilligkoordinator"),
    ),
    _CollabTemplate(
        "psykiatri",
        "Kreativt fællesskab for patienter",
        "Et brugerdrevet kreativt værksted, som patienter kan fortsætte i efter behandlingen.",
        ("brobygning",),
        ("psykisk_saarbare",),
        ("Ergoterapeut, Psykiatrien", "Recovery-mentor"),
    ),
    _CollabTemplate(
        "psykiatri",
        "Pårørendegruppe i psykiatrien",
        "Pårørendegrupper ledet af frivillige med egen erfaring som pårørende.",
        ("brobygning",),
        ("paaroerende", "psykisk_saarbare"),
        ("Pårørendekonsulent", "Socialrådgiver, Psykiatrien"),
    ),
    _CollabTemplate(
        "psykiatri",
        "Recovery-kurser udviklet med brugere",
        "Kurser om at komme sig, udviklet og undervist af brugere og fagpersoner sammen.",
        ("udvikling", "brobygning"),
        ("psykisk_saarbare",),
        ("Recovery-mentor", "Udviklingskonsulent, Psykiatrien"),
    ),
    _CollabTemplate(
        "kommune",
        "Sundhedscafé i boligområdet",
        "Kommune, region og foreninger driver sammen en sundhedscafé i et udsat boligområde.",
        ("lighed", "forebyggelse"),
        ("udsatte_boligomraader", "sprogbarrierer"),
        ("Sundhedskonsulent, {municipality} Kommune", "Boligsocial medarbejder"),
    ),
    _CollabTemplate(
        "kommune",
        "Sociale henvisninger til foreningslivet",
        "Borgere henvises fra kommunens sundhedscenter til lokale foreninger og fællesskaber.",
        ("forebyggelse", "brobygning"),
        ("ensomme", "kronisk_syge"),
        ("Sundhedskonsulent, {municipality} Kommune", "Frivilligkoordinator, {municipality} Kommune"),
    ),
    _CollabTemplate(
        "kommune",
        "Indsats mod ensomhed blandt ældre",
        "Kommune og foreninger opsporer ensomme ældre og bygger bro til fællesskaber.",
        ("brobygning",),
        ("aeldre", "ensomme"),
        ("Frivilligkoordinator, {municipality} Kommune", "Forebyggende medarbejder, Ældreområdet"),
    ),
    _CollabTemplate(
        "kommune",
        "Lektiecafé og familiesundhed",
        "Lektiecafé med sundhedsplejerske og frivillige for børnefamilier med sprogbarrierer.",
        ("lighed",),
        ("boern_unge", "familier", "sprogbarrierer"),
        ("Sundhedsplejerske", "Boligsocial medarbejder"),
    ),
    _CollabTemplate(
        "almen_praksis",
        "Sociale henvisninger fra almen praksis",
        "Lægepraksis henviser patienter til lokale fællesskaber, motion og rådgivning i foreningslivet.",
        ("forebyggelse", "brobygning"),
        ("ensomme", "psykisk_saarbare", "kronisk_syge"),
        ("Praktiserende læge", "Klinikkoordinator"),
    ),
    _CollabTemplate(
        "almen_praksis",
        "Gåhold for patienter med type 2-diabetes",
        "Lægepraksis og forening tilbyder gåhold som led i behandlingen af type 2-diabetes.",
        ("forebyggelse",),
        ("kronisk_syge",),
        ("Praksissygeplejerske", "Praktiserende læge"),
    ),
    _CollabTemplate(
        "region",
        "Sundhedsindsats ved varmestuer og herberger",
        "Sundhedsfaglig bistand tilbydes som konsultativ indsats for hjemløse omkring varmestuer og herberger.",
        ("lighed",),
        ("hjemloese", "misbrug"),
        ("Civilsamfundskoordinator", "Socialsygeplejerske"),
    ),
    _CollabTemplate(
        "region",
        "Fælles udvikling af løsninger med civilsamfundet",
        "Region og organisationer udvikler sammen nye løsninger i sundhedsrådets samarbejdsforum.",
        ("udvikling",),
        ("kronisk_syge", "aeldre"),
        ("Civilsamfundskoordinator", "Konsulent, Sundhedsområdet"),
    ),
    _CollabTemplate(
        "social_virksomhed",
        "Beskæftigelse og fællesskab",
        "Borgere med psykisk sårbarhed eller handicap får arbejde og fællesskab i en socialøkonomisk virksomhed.",
        ("lighed", "brobygning"),
        ("psykisk_saarbare", "handicap"),
        ("Projektleder", "Jobkonsulent"),
    ),
)
_UNIT_TYPE_WEIGHTS = {
    "hospital": 0.42,
    "psykiatri": 0.18,
    "kommune": 0.22,
    "almen_praksis": 0.12,
    "region": 0.04,
    "social_virksomhed": 0.02,
}
_ORG_SIDE_ROLES = ("Frivilligkoordinator (foreningen)", "Formand (foreningen)", "Daglig leder (foreningen)")
_CONTACT_ROLES = ("Formand", "Frivilligkoordinator", "Daglig leder", "Sekretariatet", "Næstformand")
_FUNDING = (
    "Driftsbudget (hospitalet)",
    "Regionale puljemidler til samarbejdet",
    "Fondsstøtte",
    "Kommunal medfinansiering",
    "Ingen særskilt finansiering",
    "Sundhedsrådets pulje",
)
_LEARNINGS = (
    "En fast kontaktperson på afdelingen gjorde det let for de frivillige at komme i gang.",
    "Det tog længere tid end ventet at rekruttere frivillige; opslag i lokalavisen og på biblioteket hjalp.",
    "Patienterne tog godt imod tilbuddet, men personalet kendte det ikke; en kort folder til afdelingen hjalp.",
    "Juristvurderingen afklarede tidligt, hvad de frivillige må og ikke må.",
    "Projektmidlerne udløb, og indsatsen blev sat på pause; næste gang planlægger vi drift fra starten.",
    "Fælles kompetenceudvikling for frivillige og personale styrkede kendskabet til hinanden.",
    "Henvisningerne kom først i gang, da foreningen fik en fast kontaktperson, lægerne kunne ringe til.",
    "Borgere med sprogbarrierer blev bedst nået gennem nøglepersoner i boligområdet.",
    "Tavshedspligt og databeskyttelse skulle afklares, før frivillige kunne deltage i udskrivningen.",
    "Deltagerne fortæller om mindre ensomhed og flere faste aftaler i hverdagen.",
    "Samarbejdet virker, men hviler på én person; vi arbejder på at dele tovholderrollen.",
    "Fremmødet faldt om sommeren; en pause i juli gav mere stabile hold resten af året.",
    "Det var en styrke, at foreningen var med fra starten og var med til at definere opgaven.",
    "Frivillige må ikke erstatte personale; en skriftlig rollebeskrivelse skabte ro på afdelingen.",
)

_APPROX_POPULATION_K: dict[int, float] = {
    101: 650, 147: 105, 151: 50, 153: 36, 155: 14, 157: 75, 159: 70, 161: 23, 163: 30, 165: 28,
    167: 54, 169: 52, 173: 57, 175: 41, 183: 24, 185: 44, 187: 17, 190: 41, 201: 26, 210: 41,
    217: 63, 219: 52, 223: 25, 230: 57, 240: 44, 250: 46, 253: 51, 259: 62, 260: 31, 265: 90,
    269: 23, 270: 41, 306: 33, 316: 72, 320: 37, 326: 49, 329: 35, 330: 79, 336: 23, 340: 30,
    350: 29, 360: 40, 370: 84, 376: 60, 390: 45, 400: 39, 410: 39, 420: 41, 430: 52, 440: 24,
    450: 32, 461: 207, 479: 59, 480: 29, 482: 12, 492: 6, 510: 55, 530: 27, 540: 74, 550: 37,
    561: 115, 563: 3.5, 573: 50, 575: 43, 580: 59, 607: 52, 615: 97, 621: 95, 630: 120, 657: 90,
    661: 59, 665: 19, 671: 21, 706: 43, 707: 37, 710: 49, 727: 23, 730: 99, 740: 98, 741: 3.7,
    746: 64, 751: 365, 756: 42, 760: 56, 766: 47, 773: 20, 779: 46, 787: 43, 791: 98, 810: 36,
    813: 58, 820: 36, 825: 1.8, 840: 30, 846: 42, 849: 38, 851: 222, 860: 64,
}  # fmt: skip
"""Rough population per municipality in thousands; only used to weight synthetic density."""

_THIN_MUNICIPALITIES = (825, 563, 741, 492, 482, 665)
"""Municipalities given very few synthetic records, so coverage gaps show up."""

_THEME_CODES = ("forebyggelse", "lighed", "brobygning", "udvikling")


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def generate(
    scale: str = "council", seed: int = 2027, today: dt.date | None = None
) -> dict[str, pd.DataFrame]:
    """The example dataset as typed frames keyed by table name (``schema.TABLES`` order)."""
    if scale not in SCALES:
        raise ValueError(f"Ukendt skala {scale!r}; vælg en af {', '.join(SCALES)}")
    spec = SCALES[scale]
    today = today or dt.date.today()
    rng_units, rng_orgs, rng_offers, rng_collabs, rng_exp = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)
    )
    with _paused_gc():
        geo = _geo()
        units = _units(spec, rng_units, geo)
        orgs = _organisations(spec, rng_orgs, geo, today)
        offers = _offers(spec, rng_offers, geo, orgs, today)
        collabs = _collaborations(spec, rng_collabs, geo, units, orgs, today)
        experiences = _experiences(spec, rng_exp, collabs, today)
        raw = {
            "organisations": orgs.columns,
            "offers": offers,
            "regional_units": units.columns,
            "collaborations": collabs.columns,
            "experiences": experiences,
        }
        return {t.name: _typed(t, raw[t.name]) for t in schema.TABLES}


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building millions of small lists (4x faster)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# ---------------------------------------------------------------------------
# Reference geography as arrays
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Geo:
    muni_codes: np.ndarray  # (98,) int
    muni_names: np.ndarray  # object
    muni_council: np.ndarray  # council index per municipality
    muni_region: np.ndarray  # region id per municipality (object)
    muni_weight: np.ndarray  # float, rough size
    council_ids: np.ndarray  # (17,) object
    council_short: np.ndarray  # object, name without "Sundhedsråd "
    council_region: np.ndarray  # object
    pc_code: np.ndarray  # object, 4-digit text
    pc_name: np.ndarray  # object
    pc_place: np.ndarray  # object, postcode name without district letters
    pc_lon: np.ndarray
    pc_lat: np.ndarray
    pc_start: np.ndarray  # per municipality: first index into the postcode arrays (sorted by municipality)
    pc_count: np.ndarray  # per municipality: number of postcodes
    pc_radius: np.ndarray  # largest safe offset from each postcode point, in metres

    def muni_index(self, code: int) -> int:
        """Index of a municipality code in ``muni_codes``."""
        return int(np.searchsorted(self.muni_codes, code))

    def postcode_index(self, postcode: str) -> int:
        """Index of the postcode area holding ``postcode``."""
        n = int(postcode)
        ranges = _postcode_ranges()
        hit = np.nonzero((ranges[0] <= n) & (ranges[1] >= n))[0]
        return int(hit[0])


@lru_cache(maxsize=1)
def _postcode_ranges() -> tuple[np.ndarray, np.ndarray]:
    pcs = _sorted_postcodes()
    return pcs["postcode_from"].to_numpy(), pcs["postcode_to"].to_numpy()


@lru_cache(maxsize=1)
def _sorted_postcodes() -> pd.DataFrame:
    return reference.postcodes().sort_values(["municipality_code", "postcode_from"]).reset_index(drop=True)


@lru_cache(maxsize=1)
def _geo() -> _Geo:
    munis = reference.municipalities().sort_values("municipality_code").reset_index(drop=True)
    councils = reference.councils()
    council_ids = councils["council_id"].to_numpy(dtype=object)
    council_pos = {c: i for i, c in enumerate(council_ids)}
    pcs = _sorted_postcodes()
    codes = munis["municipality_code"].to_numpy(dtype=np.int64)
    pc_muni = pcs["municipality_code"].to_numpy(dtype=np.int64)
    start = np.searchsorted(pc_muni, codes, side="left")
    stop = np.searchsorted(pc_muni, codes, side="right")
    names = pcs["postcode_name"].astype(str)
    return _Geo(
        muni_codes=codes,
        muni_names=munis["municipality_name"].to_numpy(dtype=object),
        muni_council=munis["council_id"].map(council_pos).to_numpy(dtype=np.int64),
        muni_region=munis["region_id"].to_numpy(dtype=object),
        muni_weight=np.array([_APPROX_POPULATION_K.get(int(c), 20.0) for c in codes]),
        council_ids=council_ids,
        council_short=councils["council_name"].str.removeprefix("Sundhedsråd ").to_numpy(dtype=object),
        council_region=councils["region_id"].to_numpy(dtype=object),
        pc_code=pcs["postcode_from"].map(lambda n: f"{n:04d}").to_numpy(dtype=object),
        pc_name=names.to_numpy(dtype=object),
        pc_place=names.str.replace(r"\s+(C|V|K|Ø|N|S|SV|SØ|NV|NØ|J|M)$", "", regex=True).to_numpy(
            dtype=object
        ),
        pc_lon=pcs["lon"].to_numpy(dtype=float),
        pc_lat=pcs["lat"].to_numpy(dtype=float),
        pc_start=start,
        pc_count=stop - start,
        pc_radius=pcs["postcode_from"]
        .map(lambda n: _TIGHT_POSTCODES_M.get(f"{n:04d}", MAX_OFFSET_M))
        .to_numpy(float),
    )


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _quota(rng: np.random.Generator, n: int, probs: tuple[float, ...]) -> np.ndarray:
    """Category index per row with (nearly) exact shares, shuffled; every category with p > 0 appears once n allows."""
    p = np.asarray(probs, dtype=float)
    p = p / p.sum()
    counts = np.floor(p * n).astype(int)
    counts[(p > 0) & (counts == 0) & (n >= np.count_nonzero(p))] = 1
    while counts.sum() > n:
        counts[np.argmax(counts)] -= 1
    rest = n - counts.sum()
    if rest > 0:
        counts += np.bincount(rng.choice(len(p), size=rest, p=p), minlength=len(p))
    return rng.permutation(np.repeat(np.arange(len(p)), counts))


def _pick(rng: np.random.Generator, options: np.ndarray, n: int) -> np.ndarray:
    """``n`` uniform draws from ``options``."""
    return options[rng.integers(0, len(options), size=n)]


def _days_ago(rng: np.random.Generator, today: dt.date, n: int, max_days: int) -> np.ndarray:
    """``n`` dates spread uniformly over the last ``max_days`` days (datetime64[D])."""
    return np.datetime64(today, "D") - rng.integers(0, max_days, size=n).astype("timedelta64[D]")


_SLUG_TABLE = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "oe", "ä": "ae"})


def _slug(text: str) -> str:
    """URL-safe slug: 'Ældre Sagen Viby' -> 'aeldre-sagen-viby'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(_SLUG_TABLE)).strip("-")


def _per_unique(values: np.ndarray, func: object) -> np.ndarray:
    """``func`` applied to each distinct value only, spread back over all rows (object array)."""
    codes, uniques = pd.factorize(values)
    return np.array([func(u) for u in uniques], dtype=object)[codes]


def _dedupe_suffix(names: np.ndarray) -> np.ndarray:
    """Suffixes that make names unique: '' first, then a district word, then a number."""
    k = pd.Series(names).groupby(names, sort=False).cumcount().to_numpy()
    words = ["", " Nord", " Syd", " Øst", " Vest", " Centrum"]
    table = np.array(
        words + [f" {i}" for i in range(2, max(int(k.max(initial=0)) - len(words) + 3, 2))], dtype=object
    )
    return table[k]


def _near(rng: np.random.Generator, geo: _Geo, pc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lat, lon) near each postcode point: a random offset up to its safe radius, in a random direction."""
    lat = geo.pc_lat[pc]
    n = len(lat)
    r = geo.pc_radius[pc] * np.sqrt(rng.random(n))
    a = rng.random(n) * 2 * np.pi
    dlat = r * np.cos(a) / 111_320.0
    dlon = r * np.sin(a) / (111_320.0 * np.cos(np.radians(lat)))
    return np.round(lat + dlat, 6), np.round(geo.pc_lon[pc] + dlon, 6)


def _choose_postcode(rng: np.random.Generator, geo: _Geo, muni_idx: np.ndarray) -> np.ndarray:
    """A random postcode (index) whose point lies in each given municipality."""
    return geo.pc_start[muni_idx] + (rng.random(len(muni_idx)) * geo.pc_count[muni_idx]).astype(np.int64)


def _choose_muni(rng: np.random.Generator, geo: _Geo, n: int, among: np.ndarray | None = None) -> np.ndarray:
    """``n`` municipality indices weighted by size (optionally only among some)."""
    idx = np.arange(len(geo.muni_codes)) if among is None else among
    w = geo.muni_weight[idx]
    return idx[rng.choice(len(idx), size=n, p=w / w.sum())]


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """Sequential ids such as ORG-000001 (numpy text array)."""
    digits = np.strings.zfill(np.arange(1, n + 1).astype(f"U{max(width, len(str(n)))}"), width)
    return np.strings.add(f"{prefix}-", digits)


def _lists(values: object, n: int) -> pd.Series:
    """An object column of fresh Python lists."""
    if values is None:
        return pd.Series([[] for _ in range(n)], dtype=object)
    return pd.Series([list(v) for v in values], dtype=object)


def _column(kind: str, values: object, n: int) -> object:
    """One typed column for a field kind (see the module docstring of civilkort.schema)."""
    if kind in ("vocab_list", "ref_list", "area_list"):
        return _lists(values, n)
    if kind == "municipality":
        if values is None:
            return pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))
        arr = np.asarray(values, dtype=float)
        mask = np.isnan(arr)
        return pd.arrays.IntegerArray(np.where(mask, 0, arr).astype(np.int64), mask)
    if kind == "float":
        return np.full(n, np.nan) if values is None else np.asarray(values, dtype=float)
    if kind == "date":
        if values is None:
            return np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
        return np.asarray(values, dtype="datetime64[D]").astype("datetime64[us]")
    if kind == "bool":
        if values is None:
            return pd.array([pd.NA] * n, dtype="boolean")
        return pd.array(np.asarray(values, dtype=object), dtype="boolean")
    if values is None:
        return _string_array(np.full(n, None, dtype=object))
    if isinstance(values, _Coded):
        return _coded_string_array(values)
    return _string_array(values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object))


def _coded_string_array(values: _Coded) -> object:
    """A pandas "string" array from codes and labels, via Arrow's take when that is the storage."""
    if pd.StringDtype().storage == "pyarrow":
        labels = pa.array(values.labels, type=pa.large_string())
        taken = labels.take(pa.array(values.codes, mask=values.codes < 0))
        arr = pd.arrays.ArrowStringArray(taken)
        if arr.dtype == "string":
            return arr
    return pd.array(values.values(), dtype="string")


def _string_array(values: np.ndarray) -> object:
    """A pandas "string" array; built straight from Arrow when that is the storage (2x faster)."""
    if pd.StringDtype().storage == "pyarrow":
        arr = pd.arrays.ArrowStringArray(pa.array(values, type=pa.large_string(), from_pandas=True))
        if arr.dtype == "string":
            return arr
    return pd.array(values, dtype="string")


def _typed(table: schema.Table, columns: dict[str, object]) -> pd.DataFrame:
    """A frame in the typed input format: schema columns in order plus _file, _sheet, _row."""
    unknown = set(columns) - set(table.field_names)
    if unknown:
        raise KeyError(f"{table.name}: unknown columns {sorted(unknown)}")
    n = len(columns[table.id_field.name])
    data = {f.name: _column(f.kind, columns.get(f.name), n) for f in table.fields}
    df = pd.DataFrame(data)
    df["_file"] = pd.Series([PROVENANCE_FILE] * n, dtype="str")
    df["_sheet"] = pd.Series([table.sheet] * n, dtype="str")
    df["_row"] = np.arange(2, n + 2, dtype=np.int64)
    return df


@dataclass(frozen=True)
class _Coded:
    """A low-cardinality text column as codes into labels (-1 = empty); cheap to turn into Arrow."""

    codes: np.ndarray
    labels: list[str]

    def after(self, first: list[str | None]) -> _Coded:
        """The column with ``first`` rows put in front."""
        n = len(self.labels)
        head = np.array([-1 if v is None else n + i for i, v in enumerate(first)], dtype=np.int64)
        return _Coded(np.concatenate([head, self.codes]), [*self.labels, *(v or "" for v in first)])

    def values(self) -> np.ndarray:
        """Plain object array with None for empty."""
        return _nullable(_objects(self.labels + [""])[self.codes], self.codes < 0)


def _flat_pick(rng: np.random.Generator, options: list[list | tuple], group: np.ndarray) -> np.ndarray:
    """One uniform draw per row from ``options[group[row]]`` (object array)."""
    flat = _objects([o for opts in options for o in opts])
    start = np.cumsum([0] + [len(o) for o in options])[:-1]
    count = np.array([len(o) for o in options])
    return flat[start[group] + (rng.random(len(group)) * count[group]).astype(np.int64)]


def _objects(items: list) -> np.ndarray:
    """A 1-D object array holding ``items`` as they are (tuples stay elements)."""
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


def _nullable(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Object array with None where ``mask`` is true."""
    out = np.asarray(values, dtype=object).copy()
    out[mask] = None
    return out


# ---------------------------------------------------------------------------
# Regional units
# ---------------------------------------------------------------------------


@dataclass
class _Units:
    columns: dict[str, object]
    types: np.ndarray
    muni_idx: np.ndarray  # -1 when unknown
    serves: list[tuple[str, ...]]
    by_name: dict[str, str]


_GP_NAMES = (
    "Lægehuset Torvet",
    "Lægerne i Søndergade",
    "Lægeklinikken ved Åen",
    "Lægehuset Stationsvej",
    "Lægerne Møllevej",
    "Lægehuset Kirkevej",
    "Lægeklinikken Parkvej",
    "Lægehuset ved Havnen",
    "Lægerne i Vestergade",
    "Lægehuset Skolevej",
    "Lægeklinikken Bakken",
    "Lægerne i Nørregade",
)


def _units(spec: ScaleSpec, rng: np.random.Generator, geo: _Geo) -> _Units:
    """Known units, the 98 municipalities, and a few synthetic GP practices per council."""
    names: list[str] = []
    types: list[str] = []
    postcodes: list[str | None] = []
    cities: list[str | None] = []
    munis: list[float] = []
    sources: list[str] = []
    serves: list[tuple[str, ...]] = []
    lats: list[float] = []
    lons: list[float] = []
    for u in KNOWN_UNITS:
        names.append(u.name)
        types.append(u.unit_type)
        postcodes.append(u.postcode)
        cities.append(str(geo.pc_name[geo.postcode_index(u.postcode)]) if u.postcode else None)
        munis.append(float(u.municipality) if u.municipality else np.nan)
        sources.append(u.source)
        serves.append(u.serves)
        lats.append(np.nan)
        lons.append(np.nan)
    for code, name in zip(geo.muni_codes, geo.muni_names, strict=True):
        names.append(f"{name} Kommune" if name != "Bornholm" else "Bornholms Regionskommune")
        types.append("kommune")
        postcodes.append(None)
        cities.append(None)
        munis.append(float(code))
        sources.append(SOURCE_MUNICIPALITY)
        serves.append(())
        lats.append(np.nan)
        lons.append(np.nan)
    # Synthetic GP practices: coordinates near a postcode point in a weighted municipality of each council.
    gp_munis = np.concatenate(
        [
            _choose_muni(rng, geo, spec.gp_practices_per_council, np.nonzero(geo.muni_council == c)[0])
            for c in range(len(geo.council_ids))
        ]
    )
    gp_pc = _choose_postcode(rng, geo, gp_munis)
    gp_lat, gp_lon = _near(rng, geo, gp_pc)
    gp_names = _pick(rng, np.array(_GP_NAMES, dtype=object), len(gp_munis)) + ", " + geo.pc_place[gp_pc]
    gp_names = gp_names + _dedupe_suffix(gp_names)
    names.extend(gp_names.tolist())
    types.extend(["almen_praksis"] * len(gp_munis))
    postcodes.extend(geo.pc_code[gp_pc].tolist())
    cities.extend(geo.pc_name[gp_pc].tolist())
    munis.extend(geo.muni_codes[gp_munis].astype(float).tolist())
    sources.extend([SOURCE_SYNTHETIC] * len(gp_munis))
    serves.extend([()] * len(gp_munis))
    lats.extend(gp_lat.tolist())
    lons.extend(gp_lon.tolist())

    n = len(names)
    ids = _ids("ENH", n, 4)
    muni_arr = np.array(munis)
    muni_idx = np.where(
        np.isnan(muni_arr), -1, np.searchsorted(geo.muni_codes, np.nan_to_num(muni_arr).astype(np.int64))
    )
    columns = {
        "unit_id": ids,
        "name": np.array(names, dtype=object),
        "unit_type": np.array(types, dtype=object),
        "postcode": np.array(postcodes, dtype=object),
        "city": np.array(cities, dtype=object),
        "lat": np.array(lats),
        "lon": np.array(lons),
        "municipality": muni_arr,
        "serves": [[f"council:{c}" for c in s] for s in serves],
        "source": np.array(sources, dtype=object),
    }
    return _Units(
        columns, np.array(types, dtype=object), muni_idx, serves, dict(zip(names, ids, strict=True))
    )


# ---------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------


@dataclass
class _Orgs:
    columns: dict[str, object]
    n_known: int
    muni_idx: np.ndarray  # municipality index of every organisation (-1 unknown)
    template: np.ndarray  # template index per synthetic organisation (-1 for known ones)
    theme_mask: np.ndarray  # bit mask of the themes an organisation works with
    by_name: dict[str, str]


def _cvr_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Synthetic CVR numbers: 8 digits starting with 9 (not issued today) that pass the modulus-11 check."""
    weights = np.array([2, 7, 6, 5, 4, 3, 2])
    digits = np.empty((n, 7), dtype=np.int64)
    todo = np.arange(n)
    check = np.empty(n, dtype=np.int64)
    while len(todo):
        d = rng.integers(0, 10, size=(len(todo), 7))
        d[:, 0] = 9
        c = (-(d @ weights)) % 11
        ok = c < 10
        digits[todo[ok]] = d[ok]
        check[todo[ok]] = c[ok]
        todo = todo[~ok]
    number = digits @ (10 ** np.arange(7, 0, -1)) + check
    # A CVR number names one legal entity: replace repeats (about 4,000 at national scale) with the next
    # free valid numbers, without drawing more random numbers (so every other column stays the same).
    repeated = np.flatnonzero(pd.Series(number).duplicated().to_numpy())
    if len(repeated):
        used = set(number.tolist())
        prefix = 9_000_000
        for i in repeated:
            while True:
                prefix += 1
                c = -sum(int(d) * w for d, w in zip(str(prefix), weights)) % 11
                if c < 10 and prefix * 10 + c not in used:
                    break
            number[i] = prefix * 10 + c
            used.add(int(number[i]))
    return number.astype("U8").astype(object)


def _template_theme_masks() -> np.ndarray:
    masks = []
    for t in _ORG_TEMPLATES:
        m = 0
        for k in t.kinds:
            for th in _OFFER_KINDS[k].themes:
                m |= 1 << _THEME_CODES.index(th)
        masks.append(m)
    return np.array(masks, dtype=np.int64)


def _organisations(spec: ScaleSpec, rng: np.random.Generator, geo: _Geo, today: dt.date) -> _Orgs:
    """Known organisations first, then synthetic ones spread over all councils."""
    known = KNOWN_ORGANISATIONS
    n_known = len(known)
    n = max(spec.organisations - n_known, 0)
    n_councils = len(geo.council_ids)

    # Where: size-weighted municipalities with per-seed variation and a few thin ones;
    # the first two rounds go one per council so every council is covered at every scale.
    weight = geo.muni_weight * rng.lognormal(0.0, 0.2, size=len(geo.muni_codes))
    weight[np.isin(geo.muni_codes, _THIN_MUNICIPALITIES)] *= 0.05
    n_rr = min(n, 2 * n_councils)
    muni = np.empty(n, dtype=np.int64)
    for c in range(n_councils):
        members = np.nonzero(geo.muni_council == c)[0]
        rows = np.arange(c, n_rr, n_councils)
        w = weight[members]
        muni[rows] = members[rng.choice(len(members), size=len(rows), p=w / w.sum())]
    muni[n_rr:] = rng.choice(len(weight), size=n - n_rr, p=weight / weight.sum())
    council = geo.muni_council[muni]

    # What: template per organisation; each council lacks a couple of local templates (gaps).
    local = np.array([i for i, t in enumerate(_ORG_TEMPLATES) if not t.multi])
    multi = np.array([i for i, t in enumerate(_ORG_TEMPLATES) if t.multi])
    base_w = np.array([_ORG_TEMPLATES[i].weight for i in local])
    template = np.empty(n, dtype=np.int64)
    for c in range(n_councils):
        rows = np.nonzero(council == c)[0]
        w = base_w * rng.lognormal(0.0, 0.5, size=len(local))
        w[rng.choice(len(local), size=2, replace=False)] = 0.0
        template[rows] = local[rng.choice(len(local), size=len(rows), p=w / w.sum())]
    is_multi = _quota(rng, n, (1 - _MULTI_SHARE, _MULTI_SHARE)) == 1 if n else np.zeros(0, bool)
    template[is_multi] = _pick(rng, multi, int(is_multi.sum()))

    # Precision: coordinates / postcode only / municipality only.
    precision = _quota(rng, n, (0.75, 0.17, 0.08))
    pc = _choose_postcode(rng, geo, muni)
    lat, lon = _near(rng, geo, pc)
    has_xy = precision == 0
    has_pc = precision <= 1
    lat = np.where(has_xy, lat, np.nan)
    lon = np.where(has_xy, lon, np.nan)
    muni_given = (precision == 2) | (has_xy & (rng.random(n) < 0.9))

    # Names from template variants and the place (postcode town, municipality, or council for multi),
    # formatted once per distinct combination.
    places = np.concatenate([geo.pc_place, geo.muni_names, geo.council_short])
    n_places = len(places)
    place = np.where(has_pc, pc, len(geo.pc_place) + muni)
    place = np.where(is_multi, len(geo.pc_place) + len(geo.muni_names) + council, place)
    formats = [f for t in _ORG_TEMPLATES for f in t.names]
    f_start = np.cumsum([0] + [len(t.names) for t in _ORG_TEMPLATES])[:-1]
    f_count = np.array([len(t.names) for t in _ORG_TEMPLATES])
    fmt = f_start[template] + (rng.random(n) * f_count[template]).astype(np.int64)
    base = _per_unique(
        fmt * n_places + place, lambda k: formats[k // n_places].format(place=places[k % n_places])
    )
    suffix = _dedupe_suffix(base)
    names = base + suffix
    slug = _per_unique(base, _slug) + _per_unique(suffix, lambda x: "-" + _slug(x) if x else "")
    codes, uniques = pd.factorize(template * n_places + place)
    descriptions = _Coded(
        codes, [_ORG_TEMPLATES[k // n_places].description.format(place=places[k % n_places]) for k in uniques]
    )

    org_type = np.array(
        [_ORG_TEMPLATES[t].organisation_type for t in range(len(_ORG_TEMPLATES))], dtype=object
    )[template]
    staffing_p = np.array([_ORG_TEMPLATES[t].staffing for t in range(len(_ORG_TEMPLATES))])[template]
    staffing_codes = np.array(["frivillige", "loennede", "begge"], dtype=object)
    staffing = staffing_codes[(rng.random(n)[:, None] > np.cumsum(staffing_p, axis=1)).sum(axis=1).clip(0, 2)]
    staffing = _nullable(staffing, rng.random(n) < 0.08)
    informal = org_type == "uformelt_netvaerk"
    cvr = _nullable(_cvr_numbers(rng, n), informal | (rng.random(n) < 0.15))
    names, cvr = _respelled_duplicates(names, cvr, muni, template, is_multi)
    website = _nullable("https://" + slug + ".example.dk", rng.random(n) < np.where(informal, 0.6, 0.15))
    email = _nullable("kontakt@" + slug + ".example.dk", rng.random(n) < 0.12)
    contact = _nullable(_pick(rng, np.array(_CONTACT_ROLES, dtype=object), n), rng.random(n) < 0.35)

    known_muni = np.array([_known_muni_idx(geo, o.municipality) for o in known], dtype=np.int64)
    columns = {
        "organisation_id": _ids("ORG", n_known + n, 6),
        "name": np.concatenate([[o.name for o in known], names]),
        "cvr": np.concatenate([[None] * n_known, cvr]),
        "organisation_type": np.concatenate([[o.organisation_type for o in known], org_type]),
        "staffing": np.concatenate([[o.staffing for o in known], staffing]),
        "description": descriptions.after([o.description for o in known]),
        "website": np.concatenate([[o.website for o in known], website]),
        "email": np.concatenate([[None] * n_known, email]),
        "contact_person": np.concatenate([[None] * n_known, contact]),
        "postcode": np.concatenate([[o.postcode for o in known], _nullable(geo.pc_code[pc], ~has_pc)]),
        "city": np.concatenate(
            [
                [geo.pc_name[geo.postcode_index(o.postcode)] if o.postcode else None for o in known],
                _nullable(geo.pc_name[pc], ~has_pc),
            ]
        ),
        "lat": np.concatenate([np.full(n_known, np.nan), lat]),
        "lon": np.concatenate([np.full(n_known, np.nan), lon]),
        "municipality": np.concatenate(
            [
                [float(o.municipality) if o.municipality else np.nan for o in known],
                np.where(muni_given, geo.muni_codes[muni], np.nan),
            ]
        ),
        "last_verified": np.concatenate(
            [np.full(n_known, np.datetime64("NaT"), dtype="datetime64[D]"), _days_ago(rng, today, n, 3 * 365)]
        ),
        "source": np.concatenate([[o.source for o in known], np.full(n, SOURCE_SYNTHETIC, dtype=object)]),
    }
    all_names = columns["name"]
    return _Orgs(
        columns=columns,
        n_known=n_known,
        muni_idx=np.concatenate([known_muni, muni]),
        template=np.concatenate([np.full(n_known, -1), template]),
        theme_mask=np.concatenate([np.zeros(n_known, dtype=np.int64), _template_theme_masks()[template]]),
        by_name=dict(zip(all_names, columns["organisation_id"], strict=True)),
    )


DUPLICATES_PER_ORGANISATIONS = 400
"""One organisation in this many is registered twice, spelled differently (at least two per data set)."""

_ASCII_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
_RESPELLINGS = (
    lambda s: re.sub(r"^(\S+) (\S+) ", r"\1\2, ", s) if s.count(" ") >= 2 else s.upper(),  # ÆldreSagen, Viby
    lambda s: s.translate(_ASCII_DANISH),  # Aeldre Sagen Aarhus
    lambda s: f"{s} - lokalafdeling",
    lambda s: s.upper(),
    lambda s: f"Foreningen {s}" if "forening" not in s.lower() else s.replace(" ", "  ").lower(),
)
"""Ways the same organisation gets written in another list; each leaves the compared name unchanged."""


def _respelled_duplicates(
    names: np.ndarray, cvr: np.ndarray, muni: np.ndarray, template: np.ndarray, is_multi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Make a few organisations a second registration of an earlier one in the same municipality.

    As when two lists are combined: the name respelled (case, æøå, punctuation, 'lokalafdeling'),
    every other one with the same CVR number. Deterministic, and draws no random numbers.
    """
    names, cvr = names.copy(), cvr.copy()
    n = len(names)
    local = np.flatnonzero(~is_multi)
    wanted = max(2, n // DUPLICATES_PER_ORGANISATIONS)
    if len(local) < 4:
        return names, cvr
    used: set[int] = set()
    made = 0
    for j in local[::-1][:: max(1, len(local) // (2 * wanted))]:
        if made == wanted:
            break
        same = np.flatnonzero((muni[:j] == muni[j]) & (template[:j] == template[j]) & ~is_multi[:j])
        same = [int(i) for i in same if int(i) not in used]
        if not same or int(j) in used:
            continue
        i = same[0]
        names[j] = _RESPELLINGS[made % len(_RESPELLINGS)](str(names[i]))
        cvr[j] = cvr[i] if made % 2 == 0 else None
        used.update((i, int(j)))
        made += 1
    return names, cvr


def _known_muni_idx(geo: _Geo, code: int | None) -> int:
    """Municipality index for an optional code (-1 when unknown)."""
    return -1 if code is None else geo.muni_index(code)


# ---------------------------------------------------------------------------
# Offers
# ---------------------------------------------------------------------------


def _offers(spec: ScaleSpec, rng: np.random.Generator, geo: _Geo, orgs: _Orgs, today: dt.date) -> dict:
    """Known offers first, then synthetic offers of the synthetic organisations."""
    known = KNOWN_OFFERS
    n_known = len(known)
    n_orgs = len(orgs.template) - orgs.n_known
    n = max(spec.offers - n_known, 0)
    synth = np.arange(orgs.n_known, orgs.n_known + n_orgs)
    template = orgs.template[synth]
    is_multi = np.array([_ORG_TEMPLATES[t].multi for t in template], dtype=bool)

    # Owners: every organisation one offer, multi-council ones two more, the rest skewed at random.
    first = synth[: min(n, n_orgs)]
    multi_orgs = synth[is_multi]
    extra_multi = np.repeat(multi_orgs, 2)[: max(n - len(first), 0)]
    n_rest = n - len(first) - len(extra_multi)
    w = rng.gamma(1.5, 1.0, size=n_orgs)
    rest = synth[rng.choice(n_orgs, size=n_rest, p=w / w.sum())] if n_rest > 0 else np.zeros(0, np.int64)
    owner = np.sort(np.concatenate([first, extra_multi, rest]).astype(np.int64), kind="stable")
    o_template = orgs.template[owner]
    o_multi = np.array([_ORG_TEMPLATES[t].multi for t in range(len(_ORG_TEMPLATES))])[o_template]
    o_muni = orgs.muni_idx[owner]

    # Kind of activity, from the owner's template.
    kind_keys = list(_OFFER_KINDS)
    kind_table = np.full((len(_ORG_TEMPLATES), max(len(t.kinds) for t in _ORG_TEMPLATES)), -1, dtype=np.int64)
    n_kinds = np.array([len(t.kinds) for t in _ORG_TEMPLATES])
    for i, t in enumerate(_ORG_TEMPLATES):
        kind_table[i, : len(t.kinds)] = [kind_keys.index(k) for k in t.kinds]
    kind = kind_table[o_template, (rng.random(n) * n_kinds[o_template]).astype(np.int64)]
    kinds = [_OFFER_KINDS[k] for k in kind_keys]

    names = _flat_pick(rng, [k.names for k in kinds], kind)
    descriptions = _Coded(kind, [k.description for k in kinds])

    # Themes (fixed per kind) and 1-2 target groups from the kind's list (a few left empty).
    themes = _objects([k.themes for k in kinds])[kind]
    combos = [[(t,) for t in k.targets] + list(itertools.combinations(k.targets, 2)) for k in kinds]
    targets = _flat_pick(rng, combos, kind)
    no_targets = np.nonzero(rng.random(n) < 0.08)[0]
    targets[no_targets] = _objects([()] * len(no_targets))

    prev_p = np.array([k.prevention for k in kinds])[kind]
    prev_codes = np.array(["primaer", "sekundaer", "tertiaer", None], dtype=object)
    prevention = prev_codes[(rng.random(n)[:, None] > np.cumsum(prev_p, axis=1)).sum(axis=1)]
    ref_p = np.array([k.referral for k in kinds])[kind]
    referrals = np.where(rng.random(n) < ref_p, True, False).astype(object)
    referrals[rng.random(n) < 0.12] = None

    schedules = _nullable(_flat_pick(rng, [k.schedules for k in kinds], kind), rng.random(n) < 0.1)
    costs = _nullable(_flat_pick(rng, [k.costs for k in kinds], kind), rng.random(n) < 0.15)
    status = np.array(["aktiv", "pause", "ophoert"], dtype=object)[_quota(rng, n, (0.88, 0.07, 0.05))]
    status = _nullable(status, rng.random(n) < 0.05)

    # Own location: multi-council organisations mostly elsewhere in their region, others sometimes
    # at another postcode (rarely a neighbouring municipality in the same council).
    first_of_owner = np.r_[True, owner[1:] != owner[:-1]]
    own = np.where(o_multi, ~first_of_owner & (rng.random(n) < 0.85), rng.random(n) < 0.22)
    home_council = geo.muni_council[o_muni]
    target_muni = o_muni.copy()
    for region in np.unique(geo.muni_region):
        in_region = np.nonzero(geo.muni_region == region)[0]
        rows = np.nonzero(own & o_multi & (geo.muni_region[o_muni] == region))[0]
        if len(rows):
            cand = _choose_muni(rng, geo, len(rows) * 3, in_region).reshape(len(rows), 3)
            other = geo.muni_council[cand] != home_council[rows, None]
            pick = np.where(other.any(axis=1), other.argmax(axis=1), 0)
            target_muni[rows] = cand[np.arange(len(rows)), pick]
    neighbour = own & ~o_multi & (rng.random(n) < 0.25)
    for c in range(len(geo.council_ids)):
        rows = np.nonzero(neighbour & (home_council == c))[0]
        if len(rows):
            target_muni[rows] = _choose_muni(rng, geo, len(rows), np.nonzero(geo.muni_council == c)[0])
    pc = _choose_postcode(rng, geo, target_muni)
    owner_pc_code = np.asarray(orgs.columns["postcode"], dtype=object)[owner]
    same = (geo.pc_code[pc] == owner_pc_code) & (geo.pc_count[target_muni] > 1)
    pc = np.where(
        same, geo.pc_start[target_muni] + (pc - geo.pc_start[target_muni] + 1) % geo.pc_count[target_muni], pc
    )
    own_xy = own & (rng.random(n) < 0.8)
    lat, lon = _near(rng, geo, pc)
    own_muni_given = own & (own_xy & (rng.random(n) < 0.9))

    # Service area: mostly empty (own municipality); some neighbours, council, region or national.
    area_kind = _quota(rng, n, (0.82, 0.08, 0.06, 0.03, 0.01))
    area_kind = np.where(o_multi & (area_kind == 0), 3, area_kind)
    o_region = geo.muni_region[target_muni]
    partner = _choose_muni(rng, geo, n)  # replaced below by a municipality in the same council
    for c in range(len(geo.council_ids)):
        rows = np.nonzero((area_kind == 1) & (geo.muni_council[target_muni] == c))[0]
        if len(rows):
            partner[rows] = _choose_muni(rng, geo, len(rows), np.nonzero(geo.muni_council == c)[0])
    # Area codes by table lookup: municipalities, then councils, then regions, then national, then none.
    regions = np.unique(geo.muni_region)
    area_codes = _objects(
        [f"municipality:{c}" for c in geo.muni_codes]
        + [f"council:{c}" for c in geo.council_ids]
        + [f"region:{r}" for r in regions]
        + ["national:DK", None]
    )
    n_m, n_c = len(geo.muni_codes), len(geo.council_ids)
    lo = np.minimum(target_muni, partner)  # municipality indices are sorted by code
    hi = np.maximum(target_muni, partner)
    first_idx = np.select(
        [area_kind == 1, area_kind == 2, area_kind == 3, area_kind == 4],
        [
            lo,
            n_m + geo.muni_council[target_muni],
            n_m + n_c + np.searchsorted(regions, o_region),
            len(area_codes) - 2,
        ],
        len(area_codes) - 1,
    )
    first_area = area_codes[first_idx]
    second_area = area_codes[np.where((area_kind == 1) & (lo != hi), hi, len(area_codes) - 1)]
    service = [
        [] if a is None else [a] if b is None else [a, b]
        for a, b in zip(first_area, second_area, strict=True)
    ]

    ids = _ids("TILBUD", n_known + n, 6)
    k_org = np.array([orgs.by_name[o.organisation] for o in known], dtype=object)
    synth_org_ids = np.asarray(orgs.columns["organisation_id"], dtype=object)[owner]
    return {
        "offer_id": ids,
        "organisation_id": np.concatenate([k_org, synth_org_ids]),
        "name": np.concatenate([[o.name for o in known], names]),
        "description": descriptions.after([o.description for o in known]),
        "themes": [o.themes for o in known] + list(themes),
        "target_groups": [o.target_groups for o in known] + list(targets),
        "prevention_level": np.concatenate([[o.prevention_level for o in known], prevention]),
        "accepts_social_referrals": np.concatenate([[o.accepts_social_referrals for o in known], referrals]),
        "postcode": np.concatenate([[o.postcode for o in known], _nullable(geo.pc_code[pc], ~own)]),
        "city": np.concatenate(
            [
                [geo.pc_name[geo.postcode_index(o.postcode)] if o.postcode else None for o in known],
                _nullable(geo.pc_name[pc], ~own),
            ]
        ),
        "lat": np.concatenate([np.full(n_known, np.nan), np.where(own_xy, lat, np.nan)]),
        "lon": np.concatenate([np.full(n_known, np.nan), np.where(own_xy, lon, np.nan)]),
        "municipality": np.concatenate(
            [
                [float(o.municipality) if o.municipality else np.nan for o in known],
                np.where(own_muni_given, geo.muni_codes[target_muni], np.nan),
            ]
        ),
        "service_area": [o.service_area for o in known] + service,
        "schedule": np.concatenate([[o.schedule for o in known], schedules]),
        "cost": np.concatenate([[None] * n_known, costs]),
        "status": np.concatenate([["aktiv"] * n_known, status]),
        "last_verified": np.concatenate(
            [np.full(n_known, np.datetime64("NaT"), dtype="datetime64[D]"), _days_ago(rng, today, n, 3 * 365)]
        ),
        "source": np.concatenate([[o.source for o in known], np.full(n, SOURCE_SYNTHETIC, dtype=object)]),
    }


# ---------------------------------------------------------------------------
# Collaborations and experiences
# ---------------------------------------------------------------------------


@dataclass
class _Collabs:
    columns: dict[str, object]
    n_known: int
    start: np.ndarray  # datetime64[D]
    end: np.ndarray  # datetime64[D]


_END_SHARES = (0.15, 0.08, 0.07, 0.10, 0.15, 0.40, 0.05)
"""Shares of synthetic collaborations: ended, ending within 3 / 6 / 12 months, later, open-ended, planned."""


def _collab_dates(
    rng: np.random.Generator, n: int, today: dt.date
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Start, end, status and kind per synthetic collaboration, with guaranteed shares of each end category."""
    t0 = np.datetime64(today, "D")
    cat = _quota(rng, n, _END_SHARES)
    days = lambda lo, hi: rng.integers(lo, hi, size=n).astype("timedelta64[D]")  # noqa: E731
    start = t0 - days(30, 6 * 365)
    end = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    ended = cat == 0
    start = np.where(ended, t0 - days(200, 6 * 365), start)
    span = (t0 - start).astype(np.int64) - 1
    end_ended = start + (np.minimum(90, span) + rng.random(n) * (span - np.minimum(90, span))).astype(
        "timedelta64[D]"
    )
    end = np.where(ended, end_ended, end)
    for c, (lo, hi) in ((1, (1, 91)), (2, (91, 183)), (3, (183, 366)), (4, (366, 3 * 365))):
        end = np.where(cat == c, t0 + days(lo, hi), end)
    planned = cat == 6
    start = np.where(planned, t0 + days(14, 180), start)
    end = np.where(planned & (rng.random(n) < 0.6), start + days(365, 3 * 365), end)
    status = np.where(ended, "afsluttet", np.where(planned, "planlagt", "aktiv")).astype(object)
    p_project = np.where(cat == 5, 0.2, 0.8)
    kind = np.where(rng.random(n) < p_project, "projekt", "drift").astype(object)
    kind[rng.random(n) < 0.05] = None
    return start, end, status, kind


def _collaborations(
    spec: ScaleSpec, rng: np.random.Generator, geo: _Geo, units: _Units, orgs: _Orgs, today: dt.date
) -> _Collabs:
    """Real collaborations first, then synthetic ones, at least one per council."""
    known = REAL_COLLABORATIONS
    n_known = len(known)
    n = max(spec.collaborations - n_known, 0)
    n_councils = len(geo.council_ids)
    synth = np.arange(orgs.n_known, len(orgs.muni_idx))
    org_council = geo.muni_council[orgs.muni_idx[synth]]

    # Council per collaboration: one per council first, then in proportion to the organisations.
    counts = np.bincount(org_council, minlength=n_councils).astype(float) + 1
    council = np.concatenate(
        [
            np.arange(min(n, n_councils)),
            rng.choice(n_councils, size=max(n - n_councils, 0), p=counts / counts.sum()),
        ]
    )

    # Unit pools per council and type.
    unit_council = np.where(units.muni_idx >= 0, geo.muni_council[np.maximum(units.muni_idx, 0)], -1)
    pools: list[dict[str, np.ndarray]] = []
    for c in range(n_councils):
        cid = geo.council_ids[c]
        in_pool = (unit_council == c) & ~np.isin(units.types, ["region", "social_virksomhed"])
        in_pool |= np.array([cid in s for s in units.serves])
        idx = np.nonzero(in_pool)[0]
        pools.append(
            {t: idx[units.types[idx] == t] for t in _UNIT_TYPE_WEIGHTS if (units.types[idx] == t).any()}
        )
    templates_by_type = {
        t: [i for i, ct in enumerate(_COLLAB_TEMPLATES) if ct.unit_type == t] for t in _UNIT_TYPE_WEIGHTS
    }
    template_masks = [sum(1 << _THEME_CODES.index(th) for th in ct.themes) for ct in _COLLAB_TEMPLATES]
    org_rows_by_council = [synth[org_council == c] for c in range(n_councils)]
    region_of_council = geo.council_region

    start, end, status, kind = _collab_dates(rng, n, today)
    form = np.array(["formel", "uformel", None], dtype=object)[_quota(rng, n, (0.55, 0.37, 0.08))]
    no_tovholder = _quota(rng, n, (0.8, 0.2)) == 1
    legal = np.array([True, False, None], dtype=object)[_quota(rng, n, (0.5, 0.3, 0.2))]
    n_orgs_per = np.array([1, 2, 3])[_quota(rng, n, (0.6, 0.28, 0.12))]
    explicit_munis = rng.random(n) < 0.25
    funding = _nullable(_pick(rng, np.array(_FUNDING, dtype=object), n), rng.random(n) < 0.25)

    unit_names = units.columns["name"].tolist()
    unit_ids = units.columns["unit_id"].tolist()
    unit_muni = units.muni_idx.tolist()
    org_names = orgs.columns["name"].tolist()
    org_ids = orgs.columns["organisation_id"].tolist()
    org_muni = orgs.muni_idx.tolist()
    muni_names = geo.muni_names.tolist()
    muni_codes = geo.muni_codes.tolist()
    pool_types = [list(pool) for pool in pools]
    pool_weights = [[_UNIT_TYPE_WEIGHTS[t] for t in pool] for pool in pools]
    pool_units = [{t: idx.tolist() for t, idx in pool.items()} for pool in pools]
    pool_all = [np.concatenate(list(pool.values())).tolist() for pool in pools]
    candidates: dict[tuple[int, int], np.ndarray] = {}

    def orgs_for(c: int, ti: int, k: int) -> list[int]:
        """Organisations in council ``c`` working with the template's themes (any, if too few)."""
        key = (c, ti)
        if key not in candidates:
            cand = org_rows_by_council[c]
            if len(cand) == 0:
                cand = synth[np.isin(org_council, np.nonzero(region_of_council == region_of_council[c])[0])]
            matching = cand[(orgs.theme_mask[cand] & template_masks[ti]) != 0]
            candidates[key] = matching if len(matching) >= 3 else cand
        cand = candidates[key]
        return [int(cand[j]) for j in py.sample(range(len(cand)), min(k, len(cand)))]

    # Scalar draws in the loop use Python's generator (seeded from numpy's), which is much faster.
    py = random.Random(int(rng.integers(2**62)))
    titles, descriptions, unit_lists, org_lists, themes, targets, tovholders, muni_lists = (
        [] for _ in range(8)
    )
    for i in range(n):
        c = int(council[i])
        utype = py.choices(pool_types[c], weights=pool_weights[c])[0]
        u0 = py.choice(pool_units[c][utype])
        chosen_units = [u0]
        if py.random() < 0.3:
            u1 = py.choice(pool_all[c])
            if u1 != u0:
                chosen_units.append(u1)
        ti = py.choice(templates_by_type[utype])
        ct = _COLLAB_TEMPLATES[ti]
        chosen_orgs = orgs_for(c, ti, int(n_orgs_per[i]))

        dept = py.choice(_DEPARTMENTS)
        m0 = unit_muni[u0] if unit_muni[u0] >= 0 and not units.serves[u0] else org_muni[chosen_orgs[0]]
        titles.append(ct.title.format(dept=dept))
        descriptions.append(
            f"{ct.description} Parter: {' og '.join(unit_names[u] for u in chosen_units)} samt "
            f"{', '.join(org_names[o] for o in chosen_orgs)}."
        )
        unit_lists.append([unit_ids[u] for u in chosen_units])
        org_lists.append([org_ids[o] for o in chosen_orgs])
        themes.append(list(ct.themes))
        targets.append(sorted(py.sample(ct.targets, min(1 + (py.random() < 0.5), len(ct.targets)))))
        if no_tovholder[i]:
            tovholders.append(None)
        elif py.random() < 0.3:
            tovholders.append(py.choice(_ORG_SIDE_ROLES))
        else:
            tovholders.append(py.choice(ct.roles).format(dept=dept, municipality=muni_names[m0]))
        if explicit_munis[i]:
            # a unit for the whole region (serves) belongs to no one municipality: its address is not involved
            involved = {
                muni_codes[unit_muni[u]] for u in chosen_units if unit_muni[u] >= 0 and not units.serves[u]
            }
            involved |= {muni_codes[org_muni[o]] for o in chosen_orgs if org_muni[o] >= 0}
            muni_lists.append([f"municipality:{m}" for m in sorted(involved)])
        else:
            muni_lists.append([])

    nat = np.full(n_known, np.datetime64("NaT"), dtype="datetime64[D]")
    columns = {
        "collaboration_id": _ids("SAM", n_known + n, 5),
        "title": np.array([k.title for k in known] + titles, dtype=object),
        "description": np.array([k.description for k in known] + descriptions, dtype=object),
        "unit_ids": [[units.by_name[u] for u in k.unit_names] for k in known] + unit_lists,
        "organisation_ids": [[orgs.by_name[o] for o in k.organisation_names] for k in known] + org_lists,
        "themes": [k.themes for k in known] + themes,
        "target_groups": [k.target_groups for k in known] + targets,
        "form": np.concatenate([[k.form for k in known], form]),
        "kind": np.concatenate([[k.kind for k in known], kind]),
        "start_date": np.concatenate([nat, start]),
        "end_date": np.concatenate([nat, end]),
        "funding": np.concatenate([[None] * n_known, funding]),
        "tovholder": np.array([None] * n_known + tovholders, dtype=object),
        "legal_review_done": np.concatenate([[None] * n_known, legal]),
        "status": np.concatenate([[k.status for k in known], status]),
        "municipalities": [k.municipalities for k in known] + muni_lists,
        "last_verified": np.concatenate([nat, _days_ago(rng, today, n, 3 * 365)]),
        "source": np.concatenate([[k.source for k in known], np.full(n, SOURCE_SYNTHETIC, dtype=object)]),
    }
    return _Collabs(columns, n_known, start, end)


def _experiences(spec: ScaleSpec, rng: np.random.Generator, collabs: _Collabs, today: dt.date) -> dict:
    """Experiences for a share of the synthetic collaborations that have started."""
    t0 = np.datetime64(today, "D")
    n_syn = len(collabs.start)
    started = np.nonzero(collabs.start < t0)[0]
    chosen = started[rng.random(len(started)) < spec.experience_share]
    per = 1 + (rng.random(len(chosen)) < 0.3).astype(np.int64)
    rows = np.repeat(chosen, per)
    n = len(rows)
    if n_syn == 0 or n == 0:
        rows = np.zeros(0, dtype=np.int64)
        n = 0
    stop = np.where(np.isnat(collabs.end[rows]), t0, np.minimum(collabs.end[rows], t0))
    span = np.maximum((stop - collabs.start[rows]).astype(np.int64), 1)
    date = collabs.start[rows] + (rng.random(n) * span).astype(np.int64).astype("timedelta64[D]")
    evaluation = np.array(["ingen", "intern", "ekstern", None], dtype=object)[
        _quota(rng, n, (0.42, 0.33, 0.2, 0.05))
    ]
    collab_ids = np.asarray(collabs.columns["collaboration_id"], dtype=object)[collabs.n_known + rows]
    links = np.array([f"https://evaluering.example.dk/{c.lower()}" for c in collab_ids], dtype=object)
    return {
        "experience_id": _ids("ERF", n, 5),
        "collaboration_id": collab_ids,
        "date": date,
        "learning": _pick(rng, np.array(_LEARNINGS, dtype=object), n),
        "evaluation": evaluation,
        "evaluation_link": _nullable(links, evaluation != "ekstern"),
    }
