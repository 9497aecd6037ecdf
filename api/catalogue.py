"""One build as the HSDS API serves it: which records a request asks for (SQL on the build) and those records in
HSDS 3.0, made a page at a time.

The records are the export's: a page's kept input rows (``etl.rebuild.input_rows``) go through
``etl.hsds.export.to_hsds`` without personal fields and are nested by ``etl.hsds.nesting``, so the API and
``python -m etl hsds-export`` never disagree. Nothing is made for the whole country at once: at national
scale (300,000 offers) that takes 80 s and 3.7 GB; a page of 50 takes milliseconds. What is kept per build
is small: HSDS id <-> product id for the id lookups (a publisher's id where the build kept one, ``hsds_id``),
and the taxonomies.

Filters read the build's placed tables: a service is *in or for* an area when it is placed there or its
service area covers it (``service_municipality_codes``); an organisation when it is placed there, or one of
its offers is in or for it, or (a regional unit) it serves it. A service's ``last_modified`` is the time its
row last changed (``out_modified``, ``etl/sql/modified.sql``). Search is *Søg*'s own index
(``civilkort.search.index_for``, shared with the app in the same process).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from civilkort import reference
from civilkort.db import Database
from civilkort.schema import TABLES_BY_NAME
from civilkort.search import fold, index_for
from etl.hsds import mapping as m
from etl.hsds.export import ID_KINDS, record_ids, to_hsds
from etl.hsds.nesting import Nested
from etl.rebuild import input_rows

_OFFER_VOCABULARIES = m.VOCAB_FIELDS["offers"]
"""offers' field -> vocabulary: which terms a service carries (its attributes)."""
_LIST_FIELDS = {"themes", "target_groups"}

_MODIFIED = "(SELECT record_id, modified_at FROM out_modified WHERE entity = 'offers')"
_NO_MODIFIED = (
    "(SELECT CAST(NULL AS VARCHAR) AS record_id, CAST(NULL AS TIMESTAMPTZ) AS modified_at WHERE false)"
)


@dataclass(frozen=True)
class ServiceFilter:
    """What a list of services is narrowed to (None: not narrowed)."""

    search: str | None = None
    council: str | None = None
    municipality: int | None = None
    organization: str | None = None
    term: str | None = None
    taxonomy: str | None = None
    since: dt.datetime | None = None


@dataclass(frozen=True)
class OrganizationFilter:
    """What a list of organizations is narrowed to (None: not narrowed)."""

    search: str | None = None
    council: str | None = None
    municipality: int | None = None


def utc_text(value: object) -> str | None:
    """A timestamp as HSDS's date-time text in UTC ('2026-12-07T10:00:00Z'), or None."""
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


class Catalogue:
    """The HSDS API's view of one build (read-only; safe to share between threads)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.build_name = path.name
        self.db = Database(path)
        db = self.db
        self.vocabularies = db.query(
            "SELECT vocabulary, code, label, description, sort_order, is_builtin FROM ref_vocabularies"
        )
        has_modified = db.scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'out_modified'")
        self._modified = _MODIFIED if has_modified else _NO_MODIFIED
        self._offers: list[str] = list(db.query("SELECT offer_id FROM offers ORDER BY offer_id")["offer_id"])
        self.ids = _record_ids(db)
        self._offer_of = {hid: k for (kind, k), hid in self.ids.items() if kind == "offer"}
        self._org_of: dict[str, tuple[str, str]] = {
            hid: (kind, k) for (kind, k), hid in self.ids.items() if kind in ("organisation", "regional_unit")
        }
        taxonomy = to_hsds({}, self.vocabularies, include_personal=False)
        self._taxonomy_package = taxonomy
        self.taxonomies: list[dict] = taxonomy["taxonomy"]
        self.taxonomy_by_id = {t["id"]: t for t in self.taxonomies}
        self.terms: list[dict] = taxonomy["taxonomy_term"]
        self.term_by_id = {t["id"]: t for t in self.terms}
        self._term_code = {
            m.term_id(v, str(c)): (v, str(c))
            for v, c in zip(self.vocabularies["vocabulary"], self.vocabularies["code"])
        }
        self._taxonomy_vocabulary = {m.taxonomy_id(v): v for v in self.vocabularies["vocabulary"].unique()}
        councils = reference.municipalities()
        self._council_codes = {
            c: [int(x) for x in g["municipality_code"]] for c, g in councils.groupby("council_id", sort=False)
        }
        self._searched = lru_cache(maxsize=256)(self._search)

    def close(self) -> None:
        self.db.close()

    # ---------------------------------------------------------------- which records

    def hsds_id(self, kind: str, key: str) -> str:
        """The HSDS id of a product record (a publisher's id where the build kept one)."""
        return self.ids.get((kind, str(key))) or m.hsds_id(kind, key)

    def offer_id(self, service_id: str) -> str | None:
        return self._offer_of.get(service_id)

    def organization_key(self, organization_id: str) -> tuple[str, str] | None:
        return self._org_of.get(organization_id)

    def count_services(self, f: ServiceFilter) -> int:
        if f == ServiceFilter():
            return len(self._offers)
        where, params = self._service_where(f)
        return int(self.db.scalar(f"SELECT count(*) FROM {self._offers_from(f)} WHERE {where}", params))

    def service_ids(self, f: ServiceFilter, start: int, stop: int | None) -> list[str]:
        """The matching offers' ids [start, stop): the best search matches first, else in id order."""
        if f == ServiceFilter():
            return self._offers[start:stop]
        where, params = self._service_where(f)
        order = "fr.found_rank" if "found" in params else "o.offer_id"
        rows = self.db.query(_page("o.offer_id", self._offers_from(f), where, order, start, stop), params)
        return list(rows["offer_id"])

    def minimal_rows(self, offer_ids: list[str]) -> pd.DataFrame:
        """``offer_id``, ``name``, ``status`` and ``modified_at`` of these offers, in their order."""
        rows = self.db.query(
            f"SELECT o.offer_id, o.name, o.status, mo.modified_at FROM offers o "
            f"LEFT JOIN {self._modified} mo ON mo.record_id = o.offer_id WHERE o.offer_id = ANY($ids)",
            {"ids": offer_ids},
        )
        return rows.set_index("offer_id", drop=False).reindex(offer_ids)

    def _offers_from(self, f: ServiceFilter) -> str:
        """The FROM of a service query: offers; with a search, joined to its matches' ranks; joined to their
        times of change only when asked by them."""
        source = "offers o"
        if f.search is not None:
            source += f" JOIN {_FOUND} ON fr.found_id = o.offer_id"
        if f.since is not None:
            source += f" LEFT JOIN {self._modified} mo ON mo.record_id = o.offer_id"
        return source

    def _service_where(self, f: ServiceFilter) -> tuple[str, dict]:
        clauses, params = ["true"], {}
        if f.search is not None:
            params["found"] = list(self._searched(f.search, "offer"))  # joined in _offers_from
        if f.council is not None:
            params["council"], params["council_codes"] = f.council, self._council_codes.get(f.council, [])
            clauses.append(
                "(o.council_id = $council OR list_has_any(o.service_municipality_codes, $council_codes))"
            )
        if f.municipality is not None:
            params["municipality"] = f.municipality
            clauses.append(
                "(o.municipality_code = $municipality OR list_contains(o.service_municipality_codes, $municipality))"
            )
        if f.organization is not None:
            kind, key = self._org_of.get(f.organization, ("", ""))
            params["organisation"] = key if kind == "organisation" else None
            clauses.append("o.organisation_id = $organisation")
        if f.term is not None:
            vocabulary, code = self._term_code.get(f.term, ("", ""))
            params["code"] = code
            clauses.append(self._carries(vocabulary, "$code"))
        if f.taxonomy is not None:
            clauses.append(self._carries(self._taxonomy_vocabulary.get(f.taxonomy, ""), None))
        if f.since is not None:
            params["since"] = f.since
            # a record without a known time of change is sent: a sync must never miss one
            clauses.append("(mo.modified_at IS NULL OR mo.modified_at >= $since)")
        return " AND ".join(clauses), params

    @staticmethod
    def _carries(vocabulary: str, code: str | None) -> str:
        """SQL: the offer carries ``code`` (any code when None) of ``vocabulary`` in one of its fields."""
        tests = []
        for name, vocab in _OFFER_VOCABULARIES.items():
            if vocab != vocabulary:
                continue
            if name in _LIST_FIELDS:
                tests.append(f"list_contains(o.{name}, {code})" if code else f"len(o.{name}) > 0")
            else:
                tests.append(f"o.{name} = {code}" if code else f"o.{name} IS NOT NULL")
        return "(" + " OR ".join(tests) + ")" if tests else "false"

    def count_organizations(self, f: OrganizationFilter) -> int:
        where, params = self._organization_where(f)
        return int(self.db.scalar(f"SELECT count(*) FROM {_organizations_from(f)} WHERE {where}", params))

    def organization_keys(self, f: OrganizationFilter, start: int, stop: int | None) -> list[tuple[str, str]]:
        """(kind, product id) of the matching organisations and regional units [start, stop)."""
        where, params = self._organization_where(f)
        order = "fr.found_rank" if "found" in params else "g.kind, g.key"
        rows = self.db.query(
            _page("g.kind, g.key", _organizations_from(f), where, order, start, stop), params
        )
        return list(zip(rows["kind"], rows["key"]))

    def _organization_where(self, f: OrganizationFilter) -> tuple[str, dict]:
        clauses, params = ["true"], {}
        if f.search is not None:
            params["found"] = list(self._searched(f.search, "organisation"))  # joined in _organizations_from
        if f.council is not None:
            params["council_codes"] = self._council_codes.get(f.council, [])
            clauses.append("list_has_any(g.codes, $council_codes)")
        if f.municipality is not None:
            params["municipality"] = f.municipality
            clauses.append("list_contains(g.codes, $municipality)")
        return " AND ".join(clauses), params

    def _search(self, query: str, kind: str) -> tuple[str, ...]:
        """Product ids of the offers or organisations matching ``query`` as *Søg* finds them, best first
        (kept for the last 256 searches: a client pages through one)."""
        index = index_for(self.path)
        found = index.search(query, limit=max(len(index.records), 1), kinds=(kind,))
        return tuple(found.rows["id"])

    # ---------------------------------------------------------------- the records in HSDS

    def services(self, offer_ids: list[str], modified: dict[str, object], *, full: bool) -> list[dict]:
        """The services of ``offer_ids`` in that order: their one-to-one fields with their organization's
        (``compiled/service_list.json``), or (``full``) fully nested (``compiled/service.json``)."""
        offers = input_rows(self.db, "offers", offer_ids)
        owners = [o for o in offers["organisation_id"].dropna().unique()]
        pkg = to_hsds(
            {"offers": offers, "organisations": input_rows(self.db, "organisations", owners)},
            self.vocabularies,
            include_personal=False,
            taxonomies=False,
            ids=self.ids,
        )
        nested = Nested(pkg, taxonomies=self._taxonomy_package)
        by_id = {s["id"]: s for s in pkg["service"]}
        organizations = {o["id"]: o for o in pkg["organization"]}
        out = []
        for offer_id in offer_ids:
            s = by_id.get(self.hsds_id("offer", offer_id))
            if s is None:
                continue
            if full:
                record = nested.service(s)
            else:
                record = dict(s)
                if s.get("organization_id") in organizations:
                    record["organization"] = dict(organizations[s["organization_id"]])
            changed = utc_text(modified.get(offer_id))
            if changed:
                record["last_modified"] = changed
            out.append(record)
        return out

    def organizations(self, keys: list[tuple[str, str]], *, nested: bool, full_service: bool) -> list[dict]:
        """The organizations of ``keys`` in that order: their own fields (``compiled/organization_list.json``),
        or (``nested``) with everything of theirs inside and their services, by their own fields or (with
        ``full_service``) fully nested (``compiled/organization.json``)."""
        orgs = [k for kind, k in keys if kind == "organisation"]
        units = [k for kind, k in keys if kind == "regional_unit"]
        tables = {
            "organisations": input_rows(self.db, "organisations", orgs),
            "regional_units": input_rows(self.db, "regional_units", units),
        }
        modified: dict[str, object] = {}
        if nested and orgs:
            offers = self.db.query(
                f"SELECT o.offer_id, mo.modified_at FROM offers o LEFT JOIN {self._modified} mo "
                "ON mo.record_id = o.offer_id WHERE o.organisation_id = ANY($orgs) ORDER BY o.offer_id",
                {"orgs": orgs},
            )
            modified = dict(zip(offers["offer_id"], offers["modified_at"]))
            tables["offers"] = input_rows(self.db, "offers", list(offers["offer_id"]))
        pkg = to_hsds(tables, self.vocabularies, include_personal=False, taxonomies=False, ids=self.ids)
        by_id = {o["id"]: o for o in pkg["organization"]}
        made = Nested(pkg, taxonomies=self._taxonomy_package) if nested else None
        out = []
        for kind, key in keys:
            org = by_id.get(self.hsds_id(kind, key))
            if org is None:
                continue
            if made is None:
                out.append(dict(org))
                continue
            record = made.organization(org, services=False)
            services = made.index("service", "organization_id").get(org["id"], [])
            if services:
                record["services"] = [
                    _with_modified(
                        made.service(s, organization=False) if full_service else dict(s), modified, self
                    )
                    for s in services
                ]
            out.append(record)
        return out

    def modified_of(self, offer_ids: list[str]) -> dict[str, object]:
        """offer id -> when its row last changed, for these offers."""
        rows = self.db.query(
            f"SELECT record_id, modified_at FROM {self._modified} WHERE record_id = ANY($ids)",
            {"ids": offer_ids},
        )
        return dict(zip(rows["record_id"], rows["modified_at"]))


def _with_modified(record: dict, modified: dict[str, object], catalogue: Catalogue) -> dict:
    changed = utc_text(modified.get(catalogue.offer_id(record["id"]) or ""))
    if changed:
        record["last_modified"] = changed
    return record


_FOUND = "(SELECT unnest($found) AS found_id, generate_subscripts($found, 1) AS found_rank) AS fr"
"""A search's matches (product ids, best first) with their rank, to join: a list of 100,000 is one hash join."""


def _organizations_from(f: OrganizationFilter) -> str:
    """The FROM of an organization query: with an area, every organisation and unit with the municipalities it
    is in, serves or has offers in or for (a pass over all offers); without one, just their ids. With a search,
    the civil-society organisations it matched."""
    area = f.council is not None or f.municipality is not None
    source = f"({_ORGANIZATIONS if area else _ORGANIZATION_IDS}) AS g"
    if f.search is not None:
        source += f" JOIN {_FOUND} ON fr.found_id = g.key AND g.kind = 'organisation'"
    return source


def _page(columns: str, source: str, where: str, order: str, start: int, stop: int | None) -> str:
    """SQL for rows [start, stop) of ``source`` in ``order`` (all from ``start`` when ``stop`` is None)."""
    limit = "" if stop is None else f"LIMIT {int(stop - start)}"
    return f"SELECT {columns} FROM {source} WHERE {where} ORDER BY {order} {limit} OFFSET {int(start)}"


# every organisation and regional unit with the municipalities it is in, serves or has offers in or for
_ORGANIZATIONS = """
SELECT 'organisation' AS kind, g.organisation_id AS key,
       list_distinct(flatten([[g.municipality_code], coalesce(list(x.code) FILTER (WHERE x.code IS NOT NULL), [])])) AS codes
FROM organisations g
LEFT JOIN (
    SELECT organisation_id, unnest(list_append(service_municipality_codes, municipality_code)) AS code FROM offers
) AS x USING (organisation_id)
GROUP BY g.organisation_id, g.municipality_code
UNION ALL
SELECT 'regional_unit', unit_id, list_append(coalesce(area_municipality_codes, []), municipality_code)
FROM regional_units
"""


_ORGANIZATION_IDS = """
SELECT 'organisation' AS kind, organisation_id AS key FROM organisations
UNION ALL
SELECT 'regional_unit', unit_id FROM regional_units
"""


def matches_text(query: str, *texts: object) -> bool:
    """Every folded word of ``query`` is inside one of ``texts`` (folded): taxonomy search."""
    words = [w for w in fold(query).split(" ") if w]
    haystack = " ".join(fold(str(t)) for t in texts if t)
    return all(w in haystack for w in words)


def _record_ids(db: Database) -> dict[tuple[str, str], str]:
    """Every record's HSDS id, as the export gives them (``etl.hsds.export.record_ids`` of the whole build);
    a build made before the ``hsds_id`` column existed gets the ids made from the product ids."""
    tables = {}
    for _, table in ID_KINDS:
        key = TABLES_BY_NAME[table].id_field.name
        has = db.scalar(
            "SELECT count(*) FROM duckdb_columns() WHERE table_name = $t AND column_name = 'hsds_id'",
            {"t": table},
        )
        tables[table] = db.query(f"SELECT {key}{', hsds_id' if has else ''} FROM {table}")
    return record_ids(tables)
