"""HSDS records nested: the JSON form of the export (organizations with everything of theirs inside).

Moved out of ``export`` so that the HSDS API (``api/``) nests the same records the same way."""

from __future__ import annotations

from collections import defaultdict

Package = dict[str, list[dict]]
"""HSDS records per entity (flat, as in the tabular form)."""


def nest(pkg: Package) -> list[dict]:
    """The JSON form: organizations with everything that belongs to them nested inside."""
    by: dict[tuple[str, str], dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))

    def index(entity: str, fk: str) -> dict[str, list[dict]]:
        key = (entity, fk)
        if key not in by:
            for rec in pkg.get(entity, []):
                if rec.get(fk):
                    by[key][rec[fk]].append(rec)
        return by[key]

    terms = {t["id"]: t for t in pkg.get("taxonomy_term", [])}
    taxonomies = {t["id"]: t for t in pkg.get("taxonomy", [])}
    attrs: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for a in pkg.get("attribute", []):
        attrs[(a["link_entity"], a["link_id"])].append(a)
    metadata = index("metadata", "resource_id")

    def with_meta(entity: str, rec: dict) -> dict:
        out = dict(rec)
        found = attrs.get((entity, rec["id"]))
        if found:
            out["attributes"] = [attribute(a) for a in found]
        meta = [x for x in metadata.get(rec["id"], []) if x.get("resource_type") == entity]
        if meta:
            out["metadata"] = [dict(x) for x in meta]
        return out

    def attribute(a: dict) -> dict:
        out = with_meta("attribute", a)
        term = terms.get(a["taxonomy_term_id"])
        if term is not None:
            nested_term = dict(term)
            if term.get("taxonomy_id") in taxonomies:
                nested_term["taxonomy_detail"] = dict(taxonomies[term["taxonomy_id"]])
            out["taxonomy_term"] = nested_term
        return out

    def location(loc: dict) -> dict:
        out = with_meta("location", loc)
        found = index("address", "location_id").get(loc["id"])
        if found:
            out["addresses"] = [with_meta("address", a) for a in found]
        return out

    locations = {x["id"]: x for x in pkg.get("location", [])}

    def service(s: dict) -> dict:
        out = with_meta("service", s)
        sals = [
            {**with_meta("service_at_location", sal), "location": location(locations[sal["location_id"]])}
            for sal in index("service_at_location", "service_id").get(s["id"], [])
            if sal["location_id"] in locations
        ]
        for key, entity in (("service_areas", "service_area"), ("schedules", "schedule")):
            found = index(entity, "service_id").get(s["id"])
            if found:
                out[key] = [with_meta(entity, x) for x in found]
        if sals:
            out["service_at_locations"] = sals
        return out

    def program(p: dict) -> dict:
        return with_meta("program", p)

    def funding(f: dict) -> dict:
        return with_meta("funding", f)

    out = []
    for org in pkg.get("organization", []):
        obj = with_meta("organization", org)
        oid = org["id"]
        for key, entity, build in (
            (
                "organization_identifiers",
                "organization_identifier",
                lambda x: with_meta("organization_identifier", x),
            ),
            ("contacts", "contact", lambda x: with_meta("contact", x)),
            ("locations", "location", location),
            ("programs", "program", program),
            ("funding", "funding", funding),
            ("services", "service", service),
        ):
            found = index(entity, "organization_id").get(oid)
            if found:
                obj[key] = [build(x) for x in found]
        out.append(obj)
    return out
