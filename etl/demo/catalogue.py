"""The example data's catalogue: the real records from the strategy papers and the templates the
synthetic records are made from."""

from __future__ import annotations

from dataclasses import dataclass

PROVENANCE_FILE = "eksempeldata"
SOURCE_SYNTHETIC = "Eksempeldata (genereret)"
SOURCE_RH = "Region Hovedstaden: Strategisk retning for civilsamfundssamarbejde (visionspapir)"
SOURCE_RM = (
    "Region Midtjylland: Sammen om fremtidens sundhed – civilsamfundets rolle i et ligeværdigt "
    "sundhedsvæsen (civilsamfundspapir)"
)
SOURCE_UNIT = "Offentligt kendt enhed; placeret omtrentligt ved postnummer (tjek i SOR)"
SOURCE_MUNICIPALITY = "Danmarks kommuner (projektets referencedata)"


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
