"""One build as the HSDS API serves it: its records in HSDS 3.0 and the facts its filters need, made once.

The records are the export's (``etl.hsds.to_hsds`` without personal fields, nested by ``etl.hsds.nesting``),
so the API and ``python -m etl hsds-export`` never disagree.  A service's or organization's place (its
municipality, the municipalities it serves and their health councils) comes from the build's placed
tables, a service's ``last_modified`` from ``out_modified`` (``etl/sql/modified.sql``).  Search is the
app's own (``civilkort.search``, as on *Søg*), built the first time someone searches.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from civilkort import reference
from civilkort.db import Database
from civilkort.search import SearchIndex, fold
from etl.hsds.export import to_hsds
from etl.hsds.mapping import HSDS_VERSION, hsds_id
from etl.hsds.nesting import Nested
from etl.rebuild import current_inputs


@dataclass(frozen=True)
class Place:
    """Where a record is and what it serves: municipality codes and health-council ids."""

    municipalities: frozenset[int]
    councils: frozenset[str]


_NOWHERE = Place(frozenset(), frozenset())


def _utc_text(value: object) -> str | None:
    """A timestamp as HSDS's date-time text in UTC ('2026-12-07T10:00:00Z'), or None."""
    if value is None or value != value:  # None or NaT/NaN
        return None
    if isinstance(value, dt.datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


class Catalogue:
    """The HSDS records of one build and the facts the API's filters read (immutable once made)."""

    def __init__(self, db: Database) -> None:
        self.path: Path = db.path
        meta = db.meta()
        self.build_name = db.path.name
        self.built_at = meta.get("built_at", "")
        self.version = HSDS_VERSION
        inputs = current_inputs(db, with_personal=False)
        pkg = to_hsds(inputs.tables, inputs.vocabularies, include_personal=False)
        self.nested = Nested(pkg)
        self._modified = self._modified_times(db)

        self.services: list[dict] = []
        self._service_place: dict[str, Place] = {}
        self._service_changed: dict[str, dt.datetime | None] = {}
        self.offer_of: dict[str, str] = {}
        places = self._offer_places(db)
        for s in pkg.get("service", []):
            offer_id = self._own_id("service", s["id"])
            changed = self._modified.get(("offers", offer_id))
            text = _utc_text(changed)
            service = {**s, "last_modified": text} if text else dict(s)
            self.services.append(service)
            self.offer_of[s["id"]] = offer_id
            self._service_place[s["id"]] = places.get(offer_id, _NOWHERE)
            self._service_changed[s["id"]] = changed
        self.service_by_id = {s["id"]: s for s in self.services}

        self.organizations: list[dict] = list(pkg.get("organization", []))
        self.organization_by_id = {o["id"]: o for o in self.organizations}
        self._organization_place = self._organization_places(db)
        self.taxonomies: list[dict] = list(pkg.get("taxonomy", []))
        self.taxonomy_by_id = {t["id"]: t for t in self.taxonomies}
        self.terms: list[dict] = list(pkg.get("taxonomy_term", []))
        self.term_by_id = {t["id"]: t for t in self.terms}
        self._service_terms: dict[str, frozenset[str]] = {
            s["id"]: frozenset(a["taxonomy_term_id"] for a in self.nested.attributes("service", s["id"]))
            for s in self.services
        }
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()
        self._searched = lru_cache(maxsize=256)(self._search)

    # ---------------------------------------------------------------- made once

    def _own_id(self, entity: str, hsds: str) -> str:
        """The product's id of a record (the profile's ``id`` attribute), or the HSDS id if it has none."""
        for a in self.nested.attributes(entity, hsds):
            if a.get("link_type") == "id":
                return str(a.get("value"))
        return hsds

    @staticmethod
    def _modified_times(db: Database) -> dict[tuple[str, str], dt.datetime]:
        """(entity, product id) -> when it last changed; empty for a build made before out_modified."""
        has = db.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'out_modified'")
        if not has:
            return {}
        rows = db.query("SELECT entity, record_id, modified_at FROM out_modified")
        return {
            (e, r): m.to_pydatetime() if hasattr(m, "to_pydatetime") else m
            for e, r, m in zip(rows["entity"], rows["record_id"], rows["modified_at"])
        }

    @staticmethod
    def _place(codes: set[int], councils_of: dict[int, str]) -> Place:
        return Place(frozenset(codes), frozenset(councils_of[c] for c in codes if c in councils_of))

    def _offer_places(self, db: Database) -> dict[str, Place]:
        """offer id -> the municipality it is in and every municipality it serves."""
        councils_of = _councils_of()
        rows = db.query("SELECT offer_id, municipality_code, service_municipality_codes FROM offers")
        out = {}
        for offer_id, code, served in zip(
            rows["offer_id"], rows["municipality_code"], rows["service_municipality_codes"]
        ):
            codes = {int(c) for c in (served if served is not None else ()) if c == c}
            if code == code and code is not None:
                codes.add(int(code))
            out[offer_id] = self._place(codes, councils_of)
        return out

    def _organization_places(self, db: Database) -> dict[str, Place]:
        """HSDS organization id -> where the organisation (or regional unit) is, what it serves, and where
        its services are."""
        councils_of = _councils_of()
        codes: dict[str, set[int]] = {}
        orgs = db.query("SELECT organisation_id, municipality_code FROM organisations")
        for key, code in zip(orgs["organisation_id"], orgs["municipality_code"]):
            codes.setdefault(hsds_id("organisation", key), set()).update([int(code)] if code == code else [])
        units = db.query("SELECT unit_id, municipality_code, area_municipality_codes FROM regional_units")
        for key, code, area in zip(
            units["unit_id"], units["municipality_code"], units["area_municipality_codes"]
        ):
            found = codes.setdefault(hsds_id("regional_unit", key), set())
            found.update([int(code)] if code == code else [])
            found.update(int(c) for c in (area if area is not None else ()))
        for s in self.services:
            org = s.get("organization_id")
            if org in codes:
                codes[org] |= self._service_place[s["id"]].municipalities
        return {oid: self._place(found, councils_of) for oid, found in codes.items()}

    # ---------------------------------------------------------------- asked per request

    def service_place(self, service_id: str) -> Place:
        return self._service_place.get(service_id, _NOWHERE)

    def organization_place(self, organization_id: str) -> Place:
        return self._organization_place.get(organization_id, _NOWHERE)

    def service_changed(self, service_id: str) -> dt.datetime | None:
        return self._service_changed.get(service_id)

    def service_terms(self, service_id: str) -> frozenset[str]:
        return self._service_terms.get(service_id, frozenset())

    def search_ids(self, query: str, kind: str) -> tuple[str, ...]:
        """HSDS ids of the services (``kind='offer'``) or organizations (``'organisation'``) matching
        ``query`` as *Søg* finds them, best first (the last 256 searches kept: a client pages through one)."""
        return self._searched(query, kind)

    def _search(self, query: str, kind: str) -> tuple[str, ...]:
        index = self._search_index()
        found = index.search(query, limit=max(len(index.records), 1), kinds=(kind,))
        entity = "offer" if kind == "offer" else "organisation"
        return tuple(hsds_id(entity, key) for key in found.rows["id"])

    def _search_index(self) -> SearchIndex:
        with self._index_lock:
            if self._index is None:
                db = Database(self.path)
                try:
                    self._index = SearchIndex(db)
                finally:
                    db.close()
            return self._index


def matches_text(query: str, *texts: object) -> bool:
    """Every folded word of ``query`` is inside one of ``texts`` (folded): taxonomy search."""
    words = [w for w in fold(query).split(" ") if w]
    haystack = " ".join(fold(str(t)) for t in texts if t)
    return all(w in haystack for w in words)


def _councils_of() -> dict[int, str]:
    m = reference.municipalities()
    return dict(zip(m["municipality_code"].astype(int), m["council_id"].astype(str)))


def load(path: Path) -> Catalogue:
    """The catalogue of the build at ``path``."""
    db = Database(path)
    try:
        return Catalogue(db)
    finally:
        db.close()
