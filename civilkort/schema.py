"""The input data model: one declaration per table, used by the template writer,
the readers, the validation and the database build.

Each input table (an Excel sheet or a CSV file) has Danish headers for people and
English snake_case field names for code.  Field kinds:

- ``text``: free text; ``id``: a record id unique within its table;
- ``ref`` / ``ref_list``: the id (or ids) of a record in another table;
- ``vocab`` / ``vocab_list``: a value (or values) from a vocabulary (see
  ``reference/vocabularies.csv``), given as label or code;
- ``municipality`` / ``area_list``: a municipality name or code / a list of areas
  (municipalities, councils, regions or "Hele landet");
- ``date``, ``bool``, ``float``, ``postcode``, ``cvr``, ``email``, ``url``.

Lists in one cell are separated by ``;`` (also ``,`` or a line break).
"""

from __future__ import annotations

from dataclasses import dataclass, field

LIST_SEPARATORS = (";", ",", "\n")


@dataclass(frozen=True)
class Field:
    """One column of an input table."""

    name: str
    header: str
    kind: str = "text"
    required: bool = False
    vocabulary: str | None = None
    ref_table: str | None = None
    is_personal: bool = False
    help: str = ""
    example: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One input table: an Excel sheet or a CSV file."""

    name: str
    sheet: str
    csv_name: str
    description: str
    fields: tuple[Field, ...] = field(default_factory=tuple)

    @property
    def id_field(self) -> Field:
        """The table's id column."""
        return next(f for f in self.fields if f.kind == "id")

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> list[str]:
        """Field names in declared order."""
        return [f.name for f in self.fields]


def _location_fields(what: str) -> tuple[Field, ...]:
    return (
        Field("address", "Adresse", help=f"Gade og nummer for {what}.", example="Nørregade 10"),
        Field("postcode", "Postnummer", "postcode", help="Dansk postnummer (4 cifre).", example="8000"),
        Field("city", "By", example="Aarhus C"),
        Field(
            "lat",
            "Breddegrad",
            "float",
            help="WGS84 i grader, fx 56,1572. Udfyldes kun hvis kendt.",
            example="56,1572",
            aliases=("lat", "latitude", "bredde"),
        ),
        Field(
            "lon",
            "Længdegrad",
            "float",
            help="WGS84 i grader, fx 10,2107. Udfyldes kun hvis kendt.",
            example="10,2107",
            aliases=("lon", "lng", "longitude", "laengde"),
        ),
        Field(
            "municipality",
            "Kommune",
            "municipality",
            help="Kommunens navn eller kode. Beregnes ud fra adressen hvis tom.",
            example="Aarhus",
        ),
    )


def _hsds_id_field(what: str) -> Field:
    """The publisher's HSDS id of a record read from an HSDS feed (the export gives it back)."""
    return Field(
        "hsds_id",
        "HSDS-id",
        help=f"Udfyldes ved indlæsning af HSDS-data: udgiverens id for {what}, som HSDS-eksporten og "
        "HSDS-API'et bruger igen, så et katalog der henter fra begge ser samme post. Tom for egne poster "
        "(de får et fast id dannet ud fra Id).",
    )


ORGANISATIONS = Table(
    "organisations",
    "Organisationer",
    "organisationer.csv",
    "Civilsamfundsorganisationer: foreninger, fonde, socialøkonomiske virksomheder, netværk.",
    (
        Field(
            "organisation_id",
            "Id",
            "id",
            True,
            help="Jeres egen entydige nøgle, fx ORG-001.",
            example="ORG-001",
        ),
        Field("name", "Navn", required=True, example="Hjerteforeningen Aarhus"),
        Field("cvr", "CVR-nummer", "cvr", help="8 cifre. Tomt for uformelle grupper.", example="12345678"),
        Field("organisation_type", "Organisationstype", "vocab", True, vocabulary="organisation_type"),
        Field("staffing", "Bemanding", "vocab", vocabulary="staffing"),
        Field("description", "Beskrivelse"),
        Field("website", "Hjemmeside", "url", example="https://example.dk"),
        Field("email", "Funktionspostkasse", "email", is_personal=True, example="kontakt@example.dk"),
        Field("contact_person", "Kontaktperson", is_personal=True),
        *_location_fields("organisationen"),
        Field(
            "last_verified", "Sidst verificeret", "date", help="Dato hvor oplysningerne sidst blev tjekket."
        ),
        Field("source", "Kilde", help="Hvor oplysningerne kommer fra."),
        _hsds_id_field("organisationen"),
    ),
)

OFFERS = Table(
    "offers",
    "Tilbud",
    "tilbud.csv",
    "Tilbud og aktiviteter som organisationerne driver for borgerne.",
    (
        Field("offer_id", "Id", "id", True, example="TILBUD-001"),
        Field(
            "organisation_id",
            "Organisation (id)",
            "ref",
            True,
            ref_table="organisations",
            help="Id fra arket Organisationer.",
            example="ORG-001",
        ),
        Field("name", "Navn", required=True, example="Løbecafé"),
        Field("description", "Beskrivelse"),
        Field(
            "themes",
            "Temaer",
            "vocab_list",
            True,
            vocabulary="theme",
            help="Et eller flere strategiske temaer, adskilt af semikolon.",
            example="Forebyggelse; Brobygning til hverdagsliv og fællesskaber",
        ),
        Field(
            "target_groups", "Målgrupper", "vocab_list", vocabulary="target_group", example="Ensomme; Ældre"
        ),
        Field("prevention_level", "Forebyggelsesniveau", "vocab", vocabulary="prevention_level"),
        Field(
            "accepts_social_referrals",
            "Modtager sociale henvisninger",
            "bool",
            help="Ja/Nej: kan læge eller hospital henvise borgere til tilbuddet?",
            example="Ja",
        ),
        *_location_fields("tilbuddet (tom: organisationens adresse)"),
        Field(
            "service_area",
            "Dækningsområde",
            "area_list",
            help="Kommuner, et sundhedsråd, en region eller 'Hele landet'. Tom: tilbuddets egen kommune.",
            example="Aarhus; Samsø",
        ),
        Field("schedule", "Tidspunkt", example="Tirsdage kl. 17-18"),
        Field("cost", "Pris", example="Gratis"),
        Field(
            "status",
            "Status",
            "vocab",
            vocabulary="offer_status",
            help="Aktiv, Pause eller Ophørt. Tom: Aktiv.",
        ),
        Field("last_verified", "Sidst verificeret", "date"),
        Field("source", "Kilde"),
        _hsds_id_field("tilbuddet"),
    ),
)

REGIONAL_UNITS = Table(
    "regional_units",
    "Regionale enheder",
    "regionale_enheder.csv",
    "Hospitaler, psykiatriske centre, Den Sociale Virksomhed, almen praksis og kommuner der samarbejder.",
    (
        Field("unit_id", "Id", "id", True, example="ENH-001"),
        Field("name", "Navn", required=True, example="Aarhus Universitetshospital"),
        Field("unit_type", "Enhedstype", "vocab", True, vocabulary="unit_type"),
        *_location_fields("enheden"),
        Field(
            "serves",
            "Dækker",
            "area_list",
            help="Tom: sundhedsrådet for enhedens adresse. 'Hele regionen', en region eller flere sundhedsråd: "
            "enheden hører til regionen og tælles ikke under adressens sundhedsråd. Regional administration "
            "og Den Sociale Virksomhed dækker hele regionen, når feltet er tomt.",
            aliases=("daekker", "daekningsomraade", "daekker hele regionen"),
        ),
        Field("source", "Kilde"),
    ),
)

COLLABORATIONS = Table(
    "collaborations",
    "Samarbejder",
    "samarbejder.csv",
    "Samarbejder mellem regionale enheder og civilsamfundsorganisationer.",
    (
        Field("collaboration_id", "Id", "id", True, example="SAM-001"),
        Field("title", "Titel", required=True, example="Patientstøtter på kardiologisk afdeling"),
        Field("description", "Beskrivelse"),
        Field(
            "unit_ids",
            "Regionale enheder (id)",
            "ref_list",
            True,
            ref_table="regional_units",
            help="Et eller flere id'er fra arket Regionale enheder.",
            example="ENH-001",
        ),
        Field(
            "organisation_ids",
            "Organisationer (id)",
            "ref_list",
            True,
            ref_table="organisations",
            help="Et eller flere id'er fra arket Organisationer.",
            example="ORG-001",
        ),
        Field("themes", "Temaer", "vocab_list", vocabulary="theme"),
        Field("target_groups", "Målgrupper", "vocab_list", vocabulary="target_group"),
        Field("form", "Form", "vocab", vocabulary="collaboration_form", help="Formel aftale eller Uformel."),
        Field("kind", "Art", "vocab", vocabulary="collaboration_kind", help="Projekt eller Drift."),
        Field("start_date", "Startdato", "date", example="01-03-2025"),
        Field("end_date", "Slutdato", "date", help="Tom hvis samarbejdet er løbende uden slutdato."),
        Field("funding", "Finansiering"),
        Field(
            "tovholder",
            "Tovholder",
            is_personal=True,
            help="Rolle eller person der holder samarbejdet i gang.",
            example="Frivilligkoordinator, Kardiologisk afd.",
        ),
        Field("legal_review_done", "Juristvurdering foretaget", "bool", example="Nej"),
        Field(
            "status",
            "Status",
            "vocab",
            vocabulary="collaboration_status",
            help="Planlagt, Aktiv eller Afsluttet.",
        ),
        Field(
            "municipalities",
            "Kommuner",
            "area_list",
            help="Andre involverede kommuner; enhedernes og organisationernes kommuner kommer automatisk med.",
        ),
        Field("last_verified", "Sidst verificeret", "date"),
        Field("source", "Kilde"),
    ),
)

EXPERIENCES = Table(
    "experiences",
    "Erfaringer",
    "erfaringer.csv",
    "Erfaringer og evalueringer knyttet til et samarbejde.",
    (
        Field("experience_id", "Id", "id", True, example="ERF-001"),
        Field(
            "collaboration_id",
            "Samarbejde (id)",
            "ref",
            True,
            ref_table="collaborations",
            example="SAM-001",
        ),
        Field("date", "Dato", "date"),
        Field("learning", "Erfaring", required=True, help="Hvad virkede, hvad virkede ikke?"),
        Field(
            "evaluation", "Evaluering", "vocab", vocabulary="evaluation", help="Ingen, Intern eller Ekstern."
        ),
        Field("evaluation_link", "Link til evaluering", "url"),
    ),
)

VOCABULARY_ADDITIONS = Table(
    "vocabularies",
    "Vokabularer",
    "vokabularer.csv",
    "Egne tilføjelser til vokabularerne, fx en ny målgruppe.",
    (
        Field(
            "vocabulary",
            "Vokabular",
            required=True,
            help="Fx target_group eller Målgrupper.",
            example="Målgrupper",
        ),
        Field("code", "Kode", help="Tom: dannes ud fra betegnelsen."),
        Field("label", "Betegnelse", required=True, example="Unge med spiseforstyrrelser"),
        Field("description", "Beskrivelse"),
    ),
)

TABLES: tuple[Table, ...] = (ORGANISATIONS, OFFERS, REGIONAL_UNITS, COLLABORATIONS, EXPERIENCES)
"""The data tables, in load order (a table only refers to tables before it)."""

ALL_TABLES: tuple[Table, ...] = (*TABLES, VOCABULARY_ADDITIONS)
TABLES_BY_NAME = {t.name: t for t in ALL_TABLES}

VOCABULARY_NAMES: dict[str, str] = {
    "theme": "Temaer",
    "target_group": "Målgrupper",
    "organisation_type": "Organisationstyper",
    "staffing": "Bemanding",
    "prevention_level": "Forebyggelsesniveauer",
    "offer_status": "Status for tilbud",
    "unit_type": "Enhedstyper",
    "collaboration_form": "Samarbejdsformer",
    "collaboration_kind": "Samarbejdsarter",
    "collaboration_status": "Status for samarbejder",
    "evaluation": "Evalueringstyper",
}
"""Vocabulary ids with their Danish names."""

NO_THEME = "ikke_angivet"
"""The key of the row or column that counts offers without a theme (an offer from another publisher's
HSDS feed may have none; the product's own template requires one). Never a theme code."""
NO_THEME_LABEL = "Tema ikke angivet"

EXTENSIBLE_VOCABULARIES = frozenset({"target_group", "organisation_type", "unit_type"})
"""Vocabularies a council may extend with its own values; the rest carry product logic."""

LOCATION_PRECISIONS: dict[str, str] = {
    "coordinates": "Koordinater",
    "postcode": "Postnummer (omtrentlig)",
    "municipality": "Kommune (omtrentlig)",
    "unknown": "Ukendt",
}
"""How precisely a point is known, best first."""
