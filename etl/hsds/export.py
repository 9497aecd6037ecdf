"""Export the product's tables as Open Referral HSDS 3.0: a tabular data package (one CSV per
entity and a datapackage.json) and, optionally, the JSON form (a list of organizations with
their services, locations, programs ... nested).

Ids are UUIDs made from the product's ids (``mapping.hsds_id``), so exporting the same data
twice gives the same files; a record read from another publisher's HSDS feed keeps that publisher's id
(column ``hsds_id``; ``record_ids``), so a directory syncing from both sees one record.  What has no HSDS field is kept in ``attribute`` rows of the
Danish profile (see ``mapping`` and the README), so an export imports back to the same records.

The package is valid HSDS 3.0 against the official JSON schemas and the official tabular rules
(``tabular``): only official columns are written; a required field the product has no value for is
filled with a description made from the record's own facts and marked by a ``filled`` attribute
(the import leaves it out again); an address lacking street, postcode, city or region is kept as
location attributes; a program's owner is one of the collaboration's participants, each owning at
most one program (``program.organization_id`` is unique in HSDS 3.0).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from civilkort import reference
from civilkort.issues import ERROR, Issue
from civilkort.schema import TABLES_BY_NAME, VOCABULARY_NAMES

from . import mapping as m
from . import package_rules
from .mapping import hsds_id
from .nesting import nest

Package = dict[str, list[dict]]
"""HSDS records per entity (flat, as in the tabular form)."""

PERSONAL_FIELDS = {
    table: {f.name for f in TABLES_BY_NAME[table].fields if f.is_personal}
    for table in ("organisations", "offers", "regional_units", "collaborations", "experiences")
}


@dataclass
class ExportResult:
    """What an export wrote."""

    paths: list[Path]
    counts: dict[str, int]
    issues: list[Issue] = field(default_factory=list)


def _value(v: object) -> object:
    """A cell as a plain Python value: None for every kind of missing, dates as 'ÅÅÅÅ-MM-DD'."""
    if isinstance(v, list):
        return v
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, pd.Timestamp | dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def _rows(df: pd.DataFrame | None) -> list[dict]:
    """Rows of a typed table as dicts of plain values."""
    if df is None or df.empty:
        return []
    cols = list(df.columns)
    return [
        {
            c: (list(v) if hasattr(v, "__len__") and not isinstance(v, str) else _value(v))
            for c, v in zip(cols, r)
        }
        for r in df.itertuples(index=False, name=None)
    ]


def _bool_text(v: object) -> str:
    """'true' or 'false'."""
    return "true" if v else "false"


class _Builder:
    """Collects HSDS records from the product's rows."""

    def __init__(self, vocabularies: pd.DataFrame, include_personal: bool, ids: dict[tuple[str, str], str]):
        self.pkg: Package = {e: [] for e in m.ENTITIES}
        self.ids = ids
        self.include_personal = include_personal
        self.vocab = vocabularies
        self.labels = {
            (str(v), str(c)): str(lab)
            for v, c, lab in zip(vocabularies["vocabulary"], vocabularies["code"], vocabularies["label"])
        }
        self.names: dict[str, str] = {}
        self.owners: dict[str, str] = {}
        self.regions = reference.municipalities().set_index("municipality_code")["region_id"].to_dict()
        self.region_names = dict(zip(reference.regions()["region_id"], reference.regions()["region_name"]))
        self.municipality_names = dict(
            zip(
                reference.municipalities()["municipality_code"],
                reference.municipalities()["municipality_name"],
            )
        )

    def rid(self, kind: str, key: object) -> str:
        """The HSDS id of a product record (see ``record_ids``)."""
        return self.ids.get((kind, str(key))) or hsds_id(kind, key)

    def keep(self, table: str, name: str) -> bool:
        """False for a personal field when personal data is left out."""
        return self.include_personal or name not in PERSONAL_FIELDS[table]

    # ---------------------------------------------------------------- attributes

    def _attribute(
        self,
        entity: str,
        link_id: str,
        link_type: str,
        term: str,
        n: int = 0,
        value: object = None,
        label: str | None = None,
    ) -> str:
        aid = hsds_id("attribute", f"{entity}:{link_id}:{link_type}:{n}")
        rec = {
            "id": aid,
            "link_id": link_id,
            "taxonomy_term_id": term,
            "link_type": link_type,
            "link_entity": entity,
        }
        if value is not None:
            rec["value"] = str(value)
        if label:
            rec["label"] = label
        self.pkg["attribute"].append(rec)
        return aid

    def field_attr(
        self, entity: str, link_id: str, name: str, value: object, n: int = 0, label: str | None = None
    ) -> None:
        """A profile field attribute (skipped when the value is empty)."""
        if value is None or value == "":
            return
        if isinstance(value, bool):
            value = _bool_text(value)
        self._attribute(
            entity, link_id, name, m.field_term_id(name), n, value, label or m.PROFILE_FIELDS[name][0]
        )

    def vocab_attrs(self, entity: str, link_id: str, table: str, row: dict) -> None:
        """One attribute per vocabulary value of the row (themes, target groups, types, statuses ...)."""
        for name, vocabulary in m.VOCAB_FIELDS[table].items():
            value = row.get(name)
            codes = value if isinstance(value, list) else ([] if value is None else [value])
            for n, code in enumerate(codes):
                label = self.labels.get((vocabulary, str(code)), str(code))
                self._attribute(entity, link_id, name, m.term_id(vocabulary, str(code)), n, code, label)

    # ---------------------------------------------------------------- places

    def location(self, kind: str, key: str, org_uuid: str, name: str, row: dict) -> str | None:
        """A location (+ address) for a row with any place field; returns its id."""
        fields = ("address", "postcode", "city", "lat", "lon", "municipality")
        if all(row.get(f) is None for f in fields):
            return None
        lid = hsds_id("location", f"{kind}:{key}")
        loc = {"id": lid, "location_type": "physical", "organization_id": org_uuid, "name": name}
        if row.get("lat") is not None:
            loc["latitude"] = float(row["lat"])
        if row.get("lon") is not None:
            loc["longitude"] = float(row["lon"])
        self.pkg["location"].append(loc)
        self.field_attr("location", lid, "location_of", kind)
        code = row.get("municipality")
        if code is not None:
            self.field_attr(
                "location",
                lid,
                "municipality",
                int(code),
                label=self.municipality_names.get(int(code), "Kommune"),
            )
        parts = {f: row.get(f) for f in ("address", "postcode", "city")}
        region = self.region_name(code, parts["postcode"])
        if all(parts.values()) and region:
            self.pkg["address"].append(
                {
                    "id": hsds_id("address", f"{kind}:{key}"),
                    "location_id": lid,
                    "address_1": parts["address"],
                    "city": parts["city"],
                    "state_province": region,
                    "postal_code": parts["postcode"],
                    "country": "DK",
                    "address_type": "physical",
                }
            )
        else:  # HSDS 3.0 requires street, postcode, city and region in an address: keep the parts known
            for name, value in parts.items():
                self.field_attr("location", lid, name, value)
        return lid

    def region_name(self, municipality: object, postcode: object) -> str | None:
        """The region (HSDS state_province) of a stated municipality, else of the postcode's municipality."""
        if municipality is None and postcode is not None:
            point = reference.postcode_point(postcode)
            municipality = point[2] if point else None
        region = self.regions.get(int(municipality)) if municipality is not None else None
        return self.region_names.get(region) if region else None

    def filled(self, entity: str, rid: str, name: str, text: str) -> str:
        """``text`` for a field HSDS requires but the record lacks, marked by a 'filled' attribute naming
        the field (the import leaves such a field out again)."""
        self.field_attr(entity, rid, "filled", name)
        return text

    # ---------------------------------------------------------------- tables

    def organisation(self, row: dict) -> None:
        """An organisation: organization, CVR identifier, contact, location, 'verified' metadata, attributes."""
        key = row["organisation_id"]
        oid = self.rid("organisation", key)
        self.names[oid] = row.get("name") or ""
        org = {
            "id": oid,
            "name": row.get("name") or "",
            "description": row.get("description")
            or self.filled(
                "organization",
                oid,
                "description",
                f"{self.labels.get(('organisation_type', str(row.get('organisation_type'))), 'Organisation')}. "
                "Civilsamfundskortet har ingen beskrivelse af organisationen.",
            ),
        }
        if row.get("email") is not None and self.keep("organisations", "email"):
            org["email"] = row["email"]
        if row.get("website") is not None:
            org["website"] = row["website"]
        self.pkg["organization"].append(org)
        self.field_attr("organization", oid, "id", key)
        self.vocab_attrs("organization", oid, "organisations", row)
        self.field_attr("organization", oid, "source", row.get("source"))
        if row.get("cvr") is not None:
            self.pkg["organization_identifier"].append(
                {
                    "id": hsds_id("cvr", key),
                    "organization_id": oid,
                    "identifier_scheme": "DK-CVR",
                    "identifier_type": "CVR-nummer",
                    "identifier": row["cvr"],
                }
            )
        if row.get("contact_person") is not None and self.keep("organisations", "contact_person"):
            self.pkg["contact"].append(
                {
                    "id": hsds_id("contact", f"organisation:{key}"),
                    "organization_id": oid,
                    "name": row["contact_person"],
                }
            )
        self.location("organisation", key, oid, org["name"], row)
        self.field_attr("organization", oid, "last_verified", row.get("last_verified"))

    def unit(self, row: dict) -> None:
        """A regional unit: an organization marked by its unit_type attribute, with its location."""
        key = row["unit_id"]
        oid = self.rid("regional_unit", key)
        self.names[oid] = row.get("name") or ""
        kind = self.labels.get(("unit_type", str(row.get("unit_type"))))
        description = f"Regional enhed i Civilsamfundskortet{f' ({kind})' if kind else ''}."
        self.pkg["organization"].append(
            {
                "id": oid,
                "name": row.get("name") or "",
                "description": self.filled("organization", oid, "description", description),
            }
        )
        self.field_attr("organization", oid, "id", key)
        self.vocab_attrs("organization", oid, "regional_units", row)
        names = reference.area_names()
        for n, area in enumerate(row.get("serves") or []):
            self.field_attr("organization", oid, "serves", area, n, label=names.get(area, area))
        self.field_attr("organization", oid, "source", row.get("source"))
        self.location("regional_unit", key, oid, row.get("name") or "", row)

    def offer(self, row: dict) -> None:
        """An offer: service, own location, service areas, schedule, attributes."""
        key = row["offer_id"]
        sid = self.rid("offer", key)
        service = {
            "id": sid,
            "organization_id": self.rid("organisation", row.get("organisation_id")),
            "name": row.get("name") or "",
            "status": m.service_status(row.get("status")),
        }
        if row.get("description") is not None:
            service["description"] = row["description"]
        if row.get("cost") is not None:
            service["fees_description"] = row["cost"]
        if row.get("last_verified") is not None:
            service["assured_date"] = row["last_verified"]
        self.pkg["service"].append(service)
        self.field_attr("service", sid, "id", key)
        self.vocab_attrs("service", sid, "offers", row)
        if row.get("accepts_social_referrals") is not None:
            self.field_attr("service", sid, "accepts_social_referrals", bool(row["accepts_social_referrals"]))
        self.field_attr("service", sid, "source", row.get("source"))
        lid = self.location("offer", key, service["organization_id"], service["name"], row)
        if lid is not None:
            self.pkg["service_at_location"].append(
                {"id": hsds_id("service_at_location", key), "service_id": sid, "location_id": lid}
            )
        names = reference.area_names()
        for area in row.get("service_area") or []:
            kind = area.partition(":")[0]
            self.pkg["service_area"].append(
                {
                    "id": hsds_id("service_area", f"{key}:{area}"),
                    "service_id": sid,
                    "name": names.get(area, area),
                    "description": _AREA_KINDS.get(kind, kind),
                    "uri": m.AREA_URN + area,
                }
            )
        if row.get("schedule") is not None:
            self.pkg["schedule"].append(
                {"id": hsds_id("schedule", key), "service_id": sid, "description": row["schedule"]}
            )

    def collaboration(self, row: dict) -> None:
        """A collaboration: program with partner, vocabulary and field attributes, funding, metadata."""
        key = row["collaboration_id"]
        pid = self.rid("collaboration", key)
        orgs = [self.rid("organisation", o) for o in row.get("organisation_ids") or []]
        units = [self.rid("regional_unit", u) for u in row.get("unit_ids") or []]
        owner = self.owners.get(key) or (orgs[0] if orgs else "")
        description = row.get("description") or self.filled(
            "program",
            pid,
            "description",
            f"Samarbejde mellem {len(orgs)} organisation{'er' if len(orgs) != 1 else ''} og "
            f"{len(units)} regional{'e' if len(units) != 1 else ''} enhed{'er' if len(units) != 1 else ''}. "
            "Civilsamfundskortet har ingen beskrivelse af samarbejdet.",
        )
        self.pkg["program"].append(
            {"id": pid, "organization_id": owner, "name": row.get("title") or "", "description": description}
        )
        self.field_attr("program", pid, "id", key)
        for n, unit in enumerate(row.get("unit_ids") or []):
            uid = self.rid("regional_unit", unit)
            self.field_attr("program", pid, "unit_ids", uid, n, label=self.names.get(uid) or unit)
        for n, (org, oid) in enumerate(zip(row.get("organisation_ids") or [], orgs)):
            self.field_attr("program", pid, "organisation_ids", oid, n, label=self.names.get(oid) or org)
        self.vocab_attrs("program", pid, "collaborations", row)
        for name in ("start_date", "end_date", "tovholder", "legal_review_done", "source"):
            if self.keep("collaborations", name):
                self.field_attr("program", pid, name, row.get(name))
        names = reference.area_names()
        for n, area in enumerate(row.get("municipalities") or []):
            self.field_attr("program", pid, "municipalities", area, n, label=names.get(area, area))
        if row.get("funding") is not None:
            fid = hsds_id("funding", key)
            self.pkg["funding"].append({"id": fid, "organization_id": owner, "source": row["funding"]})
            self.field_attr("funding", fid, "program_id", pid)
        self.field_attr("program", pid, "last_verified", row.get("last_verified"))

    def experience(self, row: dict) -> None:
        """An experience: an attribute on its program, with its own fields as attributes on that attribute."""
        key = row["experience_id"]
        pid = self.rid("collaboration", row.get("collaboration_id"))
        eid = self._attribute(
            "program",
            pid,
            "experience",
            m.field_term_id("experience"),
            0 if key is None else key,
            row.get("learning") or "",
            m.PROFILE_FIELDS["experience"][0],
        )
        self.field_attr("attribute", eid, "id", key)
        self.field_attr("attribute", eid, "date", row.get("date"))
        self.vocab_attrs("attribute", eid, "experiences", row)
        self.field_attr("attribute", eid, "evaluation_link", row.get("evaluation_link"))

    # ---------------------------------------------------------------- taxonomies

    def taxonomies(self) -> None:
        """One taxonomy per product vocabulary (every value, also a council's own), plus the field terms."""
        vocab = self.vocab.sort_values(["vocabulary", "sort_order"], kind="stable")
        order = list(dict.fromkeys([*VOCABULARY_NAMES, *vocab["vocabulary"].astype(str)]))
        for name in order:
            group = vocab[vocab["vocabulary"] == name]
            tid = m.taxonomy_id(name)
            self.pkg["taxonomy"].append(
                {
                    "id": tid,
                    "name": f"Civilsamfundskortet: {m.vocabulary_title(name)}",
                    "description": f"Værdierne i Civilsamfundskortets vokabular '{m.vocabulary_title(name)}' ({name}).",
                    "uri": m.VOCABULARY_URN + name,
                    "version": m.HSDS_VERSION,
                }
            )
            for code, label, description in zip(group["code"], group["label"], group["description"]):
                term = m.term_id(name, str(code))
                if pd.isna(description) or not str(description):
                    description = self.filled(
                        "taxonomy_term",
                        term,
                        "description",
                        f"Værdien '{label}' i Civilsamfundskortets vokabular '{m.vocabulary_title(name)}'.",
                    )
                self.pkg["taxonomy_term"].append(
                    {
                        "id": term,
                        "code": f"{name}:{code}",
                        "name": str(label),
                        "description": str(description),
                        "taxonomy": m.VOCABULARY_URN + name,
                        "language": m.LANGUAGE,
                        "taxonomy_id": tid,
                    }
                )
        tid = m.taxonomy_id("felter")
        self.pkg["taxonomy"].append(
            {
                "id": tid,
                "name": "Civilsamfundskortet: felter uden HSDS-felt",
                "description": "Civilsamfundskortets felter, som HSDS ikke har et felt til; værdien står i attribute.value.",
                "uri": m.FIELD_TAXONOMY_URN,
                "version": m.HSDS_VERSION,
            }
        )
        for name, (label, description) in m.PROFILE_FIELDS.items():
            self.pkg["taxonomy_term"].append(
                {
                    "id": m.field_term_id(name),
                    "code": m.FIELD_CODE_PREFIX + name,
                    "name": label,
                    "description": description,
                    "taxonomy": m.FIELD_TAXONOMY_URN,
                    "language": m.LANGUAGE,
                    "taxonomy_id": tid,
                }
            )


_AREA_KINDS = {
    "municipality": "Kommune",
    "council": "Sundhedsråd",
    "region": "Region",
    "national": "Hele landet",
}


def program_owners(collaborations: list[dict], rid: Callable[[str, object], str] = hsds_id) -> dict[str, str]:
    """The organization (HSDS id) that owns each collaboration's program: one of its participants, each
    owning at most one program, since HSDS 3.0's datapackage.json makes ``program.organization_id``
    unique.  Organisations are preferred to regional units and earlier participants to later ones; a
    collaboration is left out of the result only when no assignment gives every program its own owner.

    A maximum bipartite matching (Kuhn's augmenting paths, searched breadth first)."""
    candidates = {
        row["collaboration_id"]: [
            *(rid("organisation", o) for o in row.get("organisation_ids") or []),
            *(rid("regional_unit", u) for u in row.get("unit_ids") or []),
        ]
        for row in collaborations
    }
    owner_of: dict[str, str] = {}  # organization -> collaboration
    owns: dict[str, str] = {}  # collaboration -> organization
    for start, wanted in candidates.items():
        free = next((o for o in wanted if o not in owner_of), None)
        if free is not None:  # the common case: a participant without a program yet
            owner_of[free], owns[start] = start, free
            continue
        came_from: dict[str, tuple[str, str]] = {}  # organization -> (collaboration, previous organization)
        queue, seen_collabs, end = deque([start]), {start}, None
        while queue and end is None:
            collab = queue.popleft()
            for org in candidates[collab]:
                if org in came_from:
                    continue
                came_from[org] = (collab, owns.get(collab, ""))
                if org not in owner_of:
                    end = org
                    break
                holder = owner_of[org]
                if holder not in seen_collabs:
                    seen_collabs.add(holder)
                    queue.append(holder)
        while end:  # flip the path: each collaboration on it takes the next organization
            collab, previous = came_from[end]
            owner_of[end], owns[collab] = collab, end
            end = previous if collab != start else ""
    return owns


ID_KINDS = (
    ("organisation", "organisations"),
    ("regional_unit", "regional_units"),
    ("offer", "offers"),
    ("collaboration", "collaborations"),
)
"""The product records that become HSDS records with an id of their own: (kind, table)."""


def record_ids(tables: dict[str, pd.DataFrame]) -> dict[tuple[str, str], str]:
    """The HSDS id of each record, by (kind, product id): the publisher's id (column ``hsds_id``, a UUID as
    HSDS 3.0 requires) for a record read from an HSDS feed, else the id made from the product id
    (``mapping.hsds_id``).

    No two records get the same id: a publisher id that another record also claims (another record's
    publisher id or made id) is given up by every record claiming it, which then takes its made id;
    made ids differ from each other, so this ends."""
    made: dict[tuple[str, str], str] = {}
    given: dict[tuple[str, str], str] = {}
    for kind, table in ID_KINDS:
        df = tables.get(table)
        if df is None or df.empty:
            continue
        keys = [str(k) for k in df[TABLES_BY_NAME[table].id_field.name]]
        made.update(((kind, k), hsds_id(kind, k)) for k in keys)
        if "hsds_id" in df.columns:
            for k, pub in zip(keys, df["hsds_id"]):
                if isinstance(pub, str) and m.is_uuid(pub.strip()):
                    given[(kind, k)] = pub.strip()
    wanted = {**made, **given}
    while given:
        claims = Counter(wanted.values())
        clashing = [r for r, i in given.items() if claims[i] > 1]
        if not clashing:
            break
        for r in clashing:
            wanted[r] = made[r]
            del given[r]
    return wanted


def to_hsds(
    tables: dict[str, pd.DataFrame],
    vocabularies: pd.DataFrame,
    *,
    include_personal: bool = True,
    taxonomies: bool = True,
    ids: dict[tuple[str, str], str] | None = None,
) -> Package:
    """HSDS records (flat, per entity) for the product's typed tables; with ``taxonomies`` (the default) also
    every vocabulary as a taxonomy with its terms (a reader of a few records at a time makes those once);
    ``ids`` (``record_ids`` of the whole data) when ``tables`` hold a part of it, so each record keeps the id
    it has in the whole."""
    b = _Builder(vocabularies, include_personal, record_ids(tables) if ids is None else ids)
    for row in _rows(tables.get("organisations")):
        b.organisation(row)
    for row in _rows(tables.get("regional_units")):
        b.unit(row)
    for row in _rows(tables.get("offers")):
        b.offer(row)
    collaborations = _rows(tables.get("collaborations"))
    b.owners = program_owners(collaborations, b.rid)
    for row in collaborations:
        b.collaboration(row)
    for row in _rows(tables.get("experiences")):
        b.experience(row)
    if taxonomies:
        b.taxonomies()
    return b.pkg


# ---------------------------------------------------------------- writing


def _cell(v: object) -> str:
    """A value as CSV text (floats exactly, booleans as true/false)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return _bool_text(v)
    if isinstance(v, float):
        return repr(v)
    return str(v)


def export_columns(entity: str) -> tuple[str, ...]:
    """The columns written for an entity: our fields that HSDS 3.0 has a column for (our schemas also
    read a few 3.1 fields, such as attribute.label, which a 3.0 package must not have)."""
    official = set(package_rules.columns(entity))
    return tuple(c for c in m.scalar_fields(entity) if c in official)


def _table_schema(entity: str) -> dict:
    """The Frictionless table schema of one resource: the official HSDS 3.0 rules (types, required,
    unique, keys) for the columns written, with our Danish field descriptions."""
    props = m.own_schema(entity)["properties"]
    schema = package_rules.table_schema(entity, export_columns(entity))
    order = {name: i for i, name in enumerate(export_columns(entity))}
    schema["fields"] = sorted(
        ({**f, "description": props[f["name"]].get("description", "")} for f in schema["fields"]),
        key=lambda f: order[f["name"]],
    )
    return schema


def datapackage() -> dict:
    """The datapackage.json describing every resource and its fields."""
    return {
        "profile": "tabular-data-package",
        "name": "civilsamfundskortet-hsds",
        "title": "Civilsamfundskortet: organisationer, tilbud og samarbejder (Open Referral HSDS 3.0)",
        "description": (
            "Civilsamfundets organisationer, tilbud og samarbejder med regionale enheder pr. sundhedsråd, "
            "som HSDS 3.0. Felter uden HSDS-felt står som attributter efter Civilsamfundskortets danske profil "
            f"({m.PROFILE_URN}); se README, afsnittet Open Referral HSDS 3.0."
        ),
        "hsds_version": m.HSDS_VERSION,
        "civilkort_profile": m.PROFILE_URN,
        "resources": [
            {
                "name": entity,
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": m.own_schema(entity)
                .get("description", "")
                .split(" Civilsamfundskortets eget")[0],
                "schema": _table_schema(entity),
            }
            for entity, path in m.ENTITIES.items()
        ],
    }


def _cells(pkg: Package) -> dict[str, list[dict[str, str]]]:
    """Every record as the CSV cells written, per entity (column -> text)."""
    return {
        entity: [{c: _cell(rec.get(c)) for c in export_columns(entity)} for rec in pkg.get(entity, [])]
        for entity in m.ENTITIES
    }


def write_tabular(pkg: Package, folder: Path) -> list[Path]:
    """Write one CSV per entity and datapackage.json into ``folder``; returns the files written."""
    return _write_cells(_cells(pkg), folder)


def _write_cells(cells: dict[str, list[dict[str, str]]], folder: Path) -> list[Path]:
    """Write the CSV files and datapackage.json."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for entity, name in m.ENTITIES.items():
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(export_columns(entity))
        writer.writerows(row.values() for row in cells[entity])
        path = folder / name
        path.write_text(buf.getvalue(), encoding="utf-8", newline="")
        paths.append(path)
    meta = folder / "datapackage.json"
    meta.write_text(json.dumps(datapackage(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return [meta, *paths]


# ---------------------------------------------------------------- the JSON form


def write_json(pkg: Package, path: Path) -> Path:
    """Write the JSON form (a list of organization objects) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nest(pkg), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def export(
    tables: dict[str, pd.DataFrame],
    vocabularies: pd.DataFrame,
    folder: Path,
    *,
    as_json: bool = False,
    include_personal: bool = True,
) -> ExportResult:
    """Write the tabular package (and with ``as_json`` also organizations.json) and check it."""
    from .records import HsdsData, Record
    from .validation import tabular_rules, validate_data

    pkg = to_hsds(tables, vocabularies, include_personal=include_personal)
    cells = _cells(pkg)
    paths = _write_cells(cells, folder)
    if as_json:
        paths.append(write_json(pkg, folder / "organizations.json"))
    data = HsdsData(label=folder.name)
    for entity, recs in pkg.items():
        for i, rec in enumerate(recs, start=2):
            data.add(
                Record(entity, dict(rec), f"{folder.name}/{m.ENTITIES[entity]}", entity, i, key=rec["id"])
            )
    issues: list[Issue] = []
    validate_data(data, issues, tabular_check=False)
    rules, label = tabular_rules()
    package_rules.check(
        cells,
        rules,
        issues,
        severity=ERROR,
        files={e: f"{folder.name}/{name}" for e, name in m.ENTITIES.items()},
        label=label,
    )
    return ExportResult(paths, {e: len(r) for e, r in pkg.items()}, issues)
