"""HSDS records nested, the way HSDS's compiled schemas nest them.

- the export's JSON form (:func:`nest`): organizations with everything of theirs inside;
- the HSDS API (``api/``): a service with its organization, program, locations, areas and schedules inside
  (``compiled/service.json``), an organization with its services inside (``compiled/organization.json``).

One :class:`Nested` per package indexes it once, so that nesting any one record costs only that record."""

from __future__ import annotations

from collections import defaultdict

Package = dict[str, list[dict]]
"""HSDS records per entity (flat, as in the tabular form)."""

# (key in the organization, entity) of everything an organization holds, in the JSON form's order
_ORGANIZATION_PARTS = (
    ("organization_identifiers", "organization_identifier"),
    ("contacts", "contact"),
    ("locations", "location"),
    ("programs", "program"),
    ("funding", "funding"),
)


class Nested:
    """One package's records, indexed for nesting."""

    def __init__(self, pkg: Package, *, taxonomies: Package | None = None) -> None:
        """``taxonomies``: where the terms and taxonomies are, when not in ``pkg`` (made once for many)."""
        self.pkg = pkg
        self._by: dict[tuple[str, str], dict[str, list[dict]]] = {}
        terms_from = pkg if taxonomies is None else taxonomies
        self._terms = {t["id"]: t for t in terms_from.get("taxonomy_term", [])}
        self._taxonomies = {t["id"]: t for t in terms_from.get("taxonomy", [])}
        self._attributes: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for a in pkg.get("attribute", []):
            self._attributes[(a["link_entity"], a["link_id"])].append(a)
        self._locations = {x["id"]: x for x in pkg.get("location", [])}
        self._organizations = {x["id"]: x for x in pkg.get("organization", [])}
        self._programs = {x["id"]: x for x in pkg.get("program", [])}

    def index(self, entity: str, fk: str) -> dict[str, list[dict]]:
        """``entity``'s records by the value of their field ``fk`` (made on first use)."""
        key = (entity, fk)
        if key not in self._by:
            found: dict[str, list[dict]] = defaultdict(list)
            for rec in self.pkg.get(entity, []):
                if rec.get(fk):
                    found[rec[fk]].append(rec)
            self._by[key] = found
        return self._by[key]

    def attributes(self, entity: str, record_id: str) -> list[dict]:
        """The attribute rows linked to one record (flat)."""
        return self._attributes.get((entity, record_id), [])

    def with_meta(self, entity: str, rec: dict) -> dict:
        """A copy of ``rec`` with its attributes (their terms inside) and metadata rows."""
        out = dict(rec)
        found = self._attributes.get((entity, rec["id"]))
        if found:
            out["attributes"] = [self._attribute(a) for a in found]
        meta = [
            x
            for x in self.index("metadata", "resource_id").get(rec["id"], [])
            if x.get("resource_type") == entity
        ]
        if meta:
            out["metadata"] = [dict(x) for x in meta]
        return out

    def _attribute(self, a: dict) -> dict:
        out = self.with_meta("attribute", a)
        term = self._terms.get(a["taxonomy_term_id"])
        if term is not None:
            nested_term = dict(term)
            if term.get("taxonomy_id") in self._taxonomies:
                nested_term["taxonomy_detail"] = dict(self._taxonomies[term["taxonomy_id"]])
            out["taxonomy_term"] = nested_term
        return out

    def location(self, loc: dict) -> dict:
        """A location with its addresses."""
        out = self.with_meta("location", loc)
        found = self.index("address", "location_id").get(loc["id"])
        if found:
            out["addresses"] = [self.with_meta("address", a) for a in found]
        return out

    def organization(self, org: dict, *, services: bool = True, organization_only: bool = False) -> dict:
        """An organization with its identifiers, contacts, locations, programs and funding inside, and (with
        ``services``) its services, each without the organization again.  ``organization_only``: the
        organization's own fields, attributes and metadata only (as inside a service)."""
        obj = self.with_meta("organization", org)
        if organization_only:
            return obj
        oid = org["id"]
        for key, entity in _ORGANIZATION_PARTS:
            found = self.index(entity, "organization_id").get(oid)
            if found:
                obj[key] = [
                    self.location(x) if entity == "location" else self.with_meta(entity, x) for x in found
                ]
        if services:
            found = self.index("service", "organization_id").get(oid)
            if found:
                obj["services"] = [self.service(x, organization=False) for x in found]
        return obj

    def service(self, s: dict, *, organization: bool = True) -> dict:
        """A service with its locations, areas and schedules inside; with ``organization`` also its
        organization and program (their own fields only), as ``compiled/service.json`` has them."""
        out = self.with_meta("service", s)
        sals = [
            {
                **self.with_meta("service_at_location", sal),
                "location": self.location(self._locations[sal["location_id"]]),
            }
            for sal in self.index("service_at_location", "service_id").get(s["id"], [])
            if sal["location_id"] in self._locations
        ]
        for key, entity in (("service_areas", "service_area"), ("schedules", "schedule")):
            found = self.index(entity, "service_id").get(s["id"])
            if found:
                out[key] = [self.with_meta(entity, x) for x in found]
        if sals:
            out["service_at_locations"] = sals
        if organization:
            org = self._organizations.get(s.get("organization_id") or "")
            if org is not None:
                out["organization"] = self.organization(org, organization_only=True)
            program = self._programs.get(s.get("program_id") or "")
            if program is not None:
                out["program"] = self.with_meta("program", program)
        return out


def nest(pkg: Package) -> list[dict]:
    """The JSON form: organizations with everything that belongs to them nested inside."""
    nested = Nested(pkg)
    return [nested.organization(org) for org in pkg.get("organization", [])]
