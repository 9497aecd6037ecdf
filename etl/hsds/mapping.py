"""The product's model in Open Referral HSDS 3.0 terms: entities, stable ids and the Danish profile.

The profile ("civilkort", documented in the README) says where every product field lives in
HSDS.  Fields with an HSDS home use it (offer -> service, CVR -> organization_identifier with
scheme DK-CVR, last verified -> service.assured_date or a ``verified`` metadata row).  The rest
become ``attribute`` rows whose ``link_type`` is the product field name and whose
``taxonomy_term`` is either a vocabulary value (one taxonomy per product vocabulary) or a
profile field term (taxonomy ``urn:civilkort:felter``, term code ``felt:<field>``) with the
value in ``attribute.value``.
"""

from __future__ import annotations

import json
import re
import uuid
from functools import cache
from pathlib import Path

from civilkort.schema import (
    COLLABORATIONS,
    EXPERIENCES,
    OFFERS,
    ORGANISATIONS,
    REGIONAL_UNITS,
    VOCABULARY_NAMES,
)

SCHEMA_DIR = Path(__file__).parent / "schemas"
HSDS_VERSION = "3.0"

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:civilkort:hsds")
"""Namespace of every id the export makes: uuid5(NAMESPACE, '<kind>:<product id>')."""

PROFILE_URN = "urn:civilkort:hsds:profil:1"
"""Marks a package written by Civilsamfundskortet (datapackage.json key ``civilkort_profile``)."""
VOCABULARY_URN = "urn:civilkort:vokabular:"
"""Prefix of the taxonomy URI of each product vocabulary: ``urn:civilkort:vokabular:theme``."""
FIELD_TAXONOMY_URN = "urn:civilkort:felter"
"""URI of the taxonomy of profile field terms (codes ``felt:<field>``)."""
FIELD_CODE_PREFIX = "felt:"
AREA_URN = "urn:civilkort:omraade:"
"""Prefix of ``service_area.uri``: ``urn:civilkort:omraade:municipality:751``."""
VERIFIED = "verified"
"""``metadata.last_action_type`` of a 'last verified' date."""
LANGUAGE = "da"

ENTITIES: dict[str, str] = {
    "organization": "organizations.csv",
    "program": "programs.csv",
    "service": "services.csv",
    "service_at_location": "service_at_location.csv",
    "location": "locations.csv",
    "address": "addresses.csv",
    "phone": "phones.csv",
    "contact": "contacts.csv",
    "schedule": "schedules.csv",
    "service_area": "service_areas.csv",
    "funding": "funding.csv",
    "organization_identifier": "organization_identifiers.csv",
    "attribute": "attributes.csv",
    "taxonomy": "taxonomies.csv",
    "taxonomy_term": "taxonomy_terms.csv",
    "metadata": "metadata.csv",
}
"""The HSDS 3.0 entities read and written, with their file names in a tabular package."""

OFFER_STATUS_TO_HSDS = {"aktiv": "active", "pause": "temporarily closed", "ophoert": "defunct"}


def service_status(status: object) -> str:
    """HSDS's service status for an offer's status code (an offer without one is active)."""
    return OFFER_STATUS_TO_HSDS.get(str(status) if status else "aktiv", "active")


HSDS_STATUS_TO_OFFER = {
    "active": "aktiv",
    "temporarily closed": "pause",
    "inactive": "pause",
    "defunct": "ophoert",
}

VOCAB_FIELDS: dict[str, dict[str, str]] = {
    table.name: {f.name: f.vocabulary for f in table.fields if f.vocabulary}
    for table in (ORGANISATIONS, OFFERS, REGIONAL_UNITS, COLLABORATIONS, EXPERIENCES)
}
"""Per product table: field -> vocabulary, for the fields exported as vocabulary attributes."""

PROFILE_FIELDS: dict[str, tuple[str, str]] = {
    "id": (
        "Id i Civilsamfundskortet",
        "Postens eget id (organisation, tilbud, enhed, samarbejde, erfaring).",
    ),
    "source": ("Kilde", "Hvor oplysningerne kommer fra."),
    "accepts_social_referrals": ("Modtager sociale henvisninger", "true eller false."),
    "location_of": ("Sted for", "organisation, offer eller regional_unit: hvis sted det er."),
    "municipality": ("Kommune", "Den angivne kommunekode, fx 751."),
    "unit_ids": ("Regional enhed i samarbejdet", "Værdi: HSDS-id på enhedens organization; etiket: navnet."),
    "organisation_ids": ("Organisation i samarbejdet", "Værdi: HSDS-id på organisationen; etiket: navnet."),
    "start_date": ("Startdato", "ÅÅÅÅ-MM-DD."),
    "end_date": ("Slutdato", "ÅÅÅÅ-MM-DD; ingen attribut for et løbende samarbejde."),
    "tovholder": ("Tovholder", "Rolle eller person der holder samarbejdet i gang."),
    "legal_review_done": ("Juristvurdering foretaget", "true eller false."),
    "municipalities": ("Involveret område", "Områdenøgle, fx municipality:751; etiket: navnet."),
    "serves": (
        "Dækker",
        "På en regional enhed: område den dækker, fx region:egen (hele regionen) eller council:fyn; etiket: navnet.",
    ),
    "program_id": ("Samarbejde", "På funding: HSDS-id på samarbejdets program."),
    "experience": ("Erfaring", "Værdi: erfaringen; dens id, dato, evaluering og link er attributter på den."),
    "date": ("Dato", "Erfaringens dato, ÅÅÅÅ-MM-DD."),
    "evaluation_link": ("Link til evaluering", "Webadresse."),
    "last_verified": (
        "Sidst verificeret",
        "ÅÅÅÅ-MM-DD: hvornår organisationens eller samarbejdets oplysninger sidst blev tjekket "
        "(HSDS 3.0 har kun et felt til det på service: assured_date).",
    ),
    "address": (
        "Adresse",
        "På et sted uden fuld HSDS-adresse: gade og nummer. HSDS 3.0 kræver gade, postnummer, by og "
        "region i en address; kendes de ikke alle, står de kendte dele her i stedet.",
    ),
    "postcode": ("Postnummer", "På et sted uden fuld HSDS-adresse: postnummeret, fx 8000."),
    "city": ("By", "På et sted uden fuld HSDS-adresse: bynavnet."),
    "filled": (
        "Udfyldt af eksporten",
        "Værdi: navnet på et felt, HSDS 3.0 kræver, men som posten ikke har i Civilsamfundskortet; "
        "eksporten har skrevet en beskrivende tekst ud fra postens egne oplysninger. Ved indlæsning "
        "springes feltet over.",
    ),
}
"""Profile field terms (taxonomy ``urn:civilkort:felter``, code ``felt:<name>``): name, description."""

LOCATION_KINDS = ("organisation", "offer", "regional_unit")


def hsds_id(kind: str, key: object) -> str:
    """A stable UUID for a product record: the same ids give the same HSDS ids on every export."""
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{key}"))


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def is_uuid(text: object) -> bool:
    """True for a UUID written as HSDS 3.0 requires of every id (8-4-4-4-12 hexadecimal digits)."""
    return isinstance(text, str) and bool(_UUID.fullmatch(text))


def taxonomy_id(vocabulary: str) -> str:
    """Id of the taxonomy of a product vocabulary (or of the profile fields, 'felter')."""
    return hsds_id("taxonomy", vocabulary)


def term_id(vocabulary: str, code: str) -> str:
    """Id of a vocabulary value's taxonomy term."""
    return hsds_id("term", f"{vocabulary}:{code}")


def field_term_id(name: str) -> str:
    """Id of a profile field's taxonomy term."""
    return hsds_id("term", f"{FIELD_CODE_PREFIX}{name}")


def vocabulary_title(vocabulary: str) -> str:
    """Danish name of a vocabulary."""
    return VOCABULARY_NAMES.get(vocabulary, vocabulary)


@cache
def own_schema(entity: str) -> dict:
    """Our JSON Schema (draft 2020-12) for one HSDS entity."""
    return json.loads((SCHEMA_DIR / f"{entity}.json").read_text(encoding="utf-8"))


@cache
def scalar_fields(entity: str) -> tuple[str, ...]:
    """The entity's tabular columns (properties that are not arrays or objects), in schema order."""
    props = own_schema(entity)["properties"]
    return tuple(n for n, p in props.items() if p.get("type") not in ("array", "object") and "$ref" not in p)


@cache
def field_types(entity: str) -> dict[str, str]:
    """JSON type of each tabular column ('string', 'number', ...)."""
    props = own_schema(entity)["properties"]
    return {n: props[n].get("type", "string") for n in scalar_fields(entity)}
