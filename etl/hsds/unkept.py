"""What an HSDS import cannot keep: the HSDS 3.0 fields and records of the entities read that the product
has no place for, named in warnings (one per entity), so a publisher knows what an export will not give back.

The fields kept are those ``importer`` maps onto a column of the product's tables (the README's table
"Hvad bevares"); a field used only to find another value (``legal_status`` for the organisation type,
``region``/``state_province`` for the municipality) counts as kept, since the export writes it again from
what it found.  Programs that are not collaborations, taxonomies and attributes are reported where they are read.
"""

from __future__ import annotations

from collections import defaultdict

from civilkort.danish import count
from civilkort.issues import Issue, warning
from civilkort.reference import fold

from . import mapping as m
from .records import HsdsData, Record

KEPT: dict[str, frozenset[str]] = {
    "organization": frozenset({"id", "name", "description", "email", "website", "legal_status"}),
    "service": frozenset(
        {"id", "organization_id", "name", "description", "status", "fees_description", "fees", "assured_date"}
    ),
    "location": frozenset({"id", "location_type", "organization_id", "latitude", "longitude"}),
    "address": frozenset(
        {
            "id",
            "location_id",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        }
    ),
    "service_at_location": frozenset({"id", "service_id", "location_id"}),
    "service_area": frozenset({"id", "service_id", "service_at_location_id", "name", "description", "uri"}),
    "schedule": frozenset(
        {
            "id",
            "service_id",
            "service_at_location_id",
            "description",
            "freq",
            "byday",
            "opens_at",
            "closes_at",
        }
    ),
    "contact": frozenset({"id", "organization_id", "name"}),
}
"""Per HSDS entity: the fields whose values the product keeps (its other 3.0 fields are named when given).
A location's name is kept when it is its organization's or service's name (the export names a place so)."""

_PLACE_LINKS = ("service_id", "service_at_location_id", "location_id")


def _given(value: object) -> bool:
    return value not in (None, "") and not (isinstance(value, list | dict) and not value)


def _counted(n: int) -> str:
    return count(n, "post", "poster")


def report_unkept(data: HsdsData, issues: list[Issue]) -> None:
    """One warning per entity naming the fields given that the product has no place for, and one per kind of
    record it has no place for at all (phone numbers, contacts of services or places, other identifiers)."""
    names = _owner_names(data)
    for entity, kept in KEPT.items():
        counts: dict[str, int] = defaultdict(int)
        first: dict[str, Record] = {}
        for r in data.get(entity):
            if entity == "contact" and any(_given(r.data.get(k)) for k in _PLACE_LINKS):
                continue  # reported as a whole below
            for name in m.scalar_fields(entity):
                value = r.data.get(name)
                if name in kept or not _given(value):
                    continue
                if entity == "location" and name == "name" and fold(str(value)) in names.get(r.key, ()):
                    continue  # the place is named as its owner is: the export names it so again
                counts[name] += 1
                first.setdefault(name, r)
        if counts:
            listed = ", ".join(f"{name} ({_counted(n)})" for name, n in counts.items())
            name = next(iter(counts))
            issues.append(
                warning(
                    f"{'Feltet' if len(counts) == 1 else 'Felterne'} {listed} i {entity} har ingen plads i "
                    "Civilsamfundskortet og indlæses ikke",
                    **first[name].where(name, first[name].data.get(name)),
                    hint="En HSDS-eksport fra Civilsamfundskortet giver dem derfor ikke tilbage. "
                    "Se README, afsnittet Open Referral HSDS 3.0: hvad bevares.",
                )
            )
    whole = (
        ("telefonnummer", "telefonnumre", "(phone)", list(data.get("phone"))),
        (
            "kontakt",
            "kontakter",
            "til tilbud eller steder (contact med service_id, service_at_location_id eller location_id)",
            [r for r in data.get("contact") if any(_given(r.data.get(k)) for k in _PLACE_LINKS)],
        ),
        (
            "organisations-id",
            "organisations-id'er",
            "uden for CVR (organization_identifier)",
            [r for r in data.get("organization_identifier") if not _is_cvr(r)],
        ),
    )
    for one, many, what, records in whole:
        if records:
            issues.append(
                warning(
                    f"{count(len(records), one, many)} {what} har ingen plads i Civilsamfundskortet og indlæses ikke",
                    **records[0].where("id", records[0].key),
                    hint="Kun en organisations kontaktpersoners navne (Kontaktperson) og CVR-nummer bevares. "
                    "Se README, afsnittet Open Referral HSDS 3.0: hvad bevares.",
                )
            )


def _is_cvr(r: Record) -> bool:
    """An identifier the importer reads as a CVR number (as ``importer`` decides it)."""
    return (
        fold(r.data.get("identifier_scheme") or "") == "dk cvr"
        or "cvr" in fold(r.data.get("identifier_type") or "").split()
    )


def _owner_names(data: HsdsData) -> dict[str, set[str]]:
    """Per location id: the folded names of its organization and of the services at it."""
    orgs = {r.key: str(r.data.get("name") or "") for r in data.get("organization")}
    services = {r.key: str(r.data.get("name") or "") for r in data.get("service")}
    out: dict[str, set[str]] = defaultdict(set)
    for loc in data.get("location"):
        out[loc.key].add(fold(orgs.get(str(loc.data.get("organization_id") or ""), "")))
    for sal in data.get("service_at_location"):
        name = services.get(str(sal.data.get("service_id") or ""))
        if name:
            out[str(sal.data.get("location_id") or "")].add(fold(name))
    return out
