"""Export the product's tables as Open Referral HSDS 3.0: a tabular data package (one CSV per
entity and a datapackage.json) and, optionally, the JSON form (a list of organizations with
their services, locations, programs ... nested).

Ids are UUIDs made from the product's ids (``mapping.hsds_id``), so exporting the same data
twice gives the same files.  What has no HSDS field is kept in ``attribute`` rows of the
Danish profile (see ``mapping`` and the README), so an export imports back to the same records.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from civilkort import reference
from civilkort.issues import Issue
from civilkort.schema import TABLES_BY_NAME, VOCABULARY_NAMES

from . import mapping as m
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

    def __init__(self, vocabularies: pd.DataFrame, include_personal: bool):
        self.pkg: Package = {e: [] for e in m.ENTITIES}
        self.include_personal = include_personal
        self.vocab = vocabularies
        self.labels = {
            (str(v), str(c)): str(lab)
            for v, c, lab in zip(vocabularies["vocabulary"], vocabularies["code"], vocabularies["label"])
        }
        self.names: dict[str, str] = {}
        self.regions = reference.municipalities().set_index("municipality_code")["region_id"].to_dict()
        self.region_names = dict(zip(reference.regions()["region_id"], reference.regions()["region_name"]))
        self.municipality_names = dict(
            zip(
                reference.municipalities()["municipality_code"],
                reference.municipalities()["municipality_name"],
            )
        )

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
        if any(row.get(f) is not None for f in ("address", "postcode", "city")):
            region = self.regions.get(int(code)) if code is not None else None
            self.pkg["address"].append(
                {
                    "id": hsds_id("address", f"{kind}:{key}"),
                    "location_id": lid,
                    "address_1": row.get("address") or "",
                    "city": row.get("city") or "",
                    "state_province": self.region_names.get(region, "") if region else "",
                    "postal_code": row.get("postcode") or "",
                    "country": "DK",
                    "address_type": "physical",
                }
            )
        return lid

    def verified(self, entity: str, rid: str, date: object) -> None:
        """A 'verified' metadata row for a last-verified date."""
        if date is None:
            return
        self.pkg["metadata"].append(
            {
                "id": hsds_id("metadata", f"{entity}:{rid}:{m.VERIFIED}"),
                "resource_id": rid,
                "resource_type": entity,
                "last_action_date": str(date),
                "last_action_type": m.VERIFIED,
                "field_name": "",
                "previous_value": "",
                "replacement_value": "",
                "updated_by": "",
            }
        )

    # ---------------------------------------------------------------- tables

    def organisation(self, row: dict) -> None:
        """An organisation: organization, CVR identifier, contact, location, 'verified' metadata, attributes."""
        key = row["organisation_id"]
        oid = hsds_id("organisation", key)
        self.names[oid] = row.get("name") or ""
        org = {"id": oid, "name": row.get("name") or "", "description": row.get("description") or ""}
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
        self.verified("organization", oid, row.get("last_verified"))

    def unit(self, row: dict) -> None:
        """A regional unit: an organization marked by its unit_type attribute, with its location."""
        key = row["unit_id"]
        oid = hsds_id("regional_unit", key)
        self.names[oid] = row.get("name") or ""
        self.pkg["organization"].append({"id": oid, "name": row.get("name") or "", "description": ""})
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
        sid = hsds_id("offer", key)
        service = {
            "id": sid,
            "organization_id": hsds_id("organisation", row.get("organisation_id")),
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
        pid = hsds_id("collaboration", key)
        orgs = [hsds_id("organisation", o) for o in row.get("organisation_ids") or []]
        owner = orgs[0] if orgs else ""
        self.pkg["program"].append(
            {
                "id": pid,
                "organization_id": owner,
                "name": row.get("title") or "",
                "description": row.get("description") or "",
            }
        )
        self.field_attr("program", pid, "id", key)
        for n, unit in enumerate(row.get("unit_ids") or []):
            uid = hsds_id("regional_unit", unit)
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
        self.verified("program", pid, row.get("last_verified"))

    def experience(self, row: dict) -> None:
        """An experience: an attribute on its program, with its own fields as attributes on that attribute."""
        key = row["experience_id"]
        pid = hsds_id("collaboration", row.get("collaboration_id"))
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
                self.pkg["taxonomy_term"].append(
                    {
                        "id": m.term_id(name, str(code)),
                        "code": f"{name}:{code}",
                        "name": str(label),
                        "description": "" if pd.isna(description) else str(description),
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


def to_hsds(
    tables: dict[str, pd.DataFrame], vocabularies: pd.DataFrame, *, include_personal: bool = True
) -> Package:
    """HSDS records (flat, per entity) for the product's typed tables."""
    b = _Builder(vocabularies, include_personal)
    for row in _rows(tables.get("organisations")):
        b.organisation(row)
    for row in _rows(tables.get("regional_units")):
        b.unit(row)
    for row in _rows(tables.get("offers")):
        b.offer(row)
    for row in _rows(tables.get("collaborations")):
        b.collaboration(row)
    for row in _rows(tables.get("experiences")):
        b.experience(row)
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


def _table_schema(entity: str) -> dict:
    """The Frictionless table schema of one resource, from our JSON Schema."""
    schema = m.own_schema(entity)
    props = schema["properties"]
    fields = []
    for name in m.scalar_fields(entity):
        p = props[name]
        spec = {"name": name, "type": p.get("type", "string"), "description": p.get("description", "")}
        if p.get("format") == "date":
            spec["type"] = "date"
        elif p.get("format") in ("uuid", "email", "uri"):
            spec["format"] = p["format"]
        if name == "id" or p.get("minLength"):
            spec["constraints"] = {"required": True}
        if name == "id":
            spec.setdefault("constraints", {})["unique"] = True
        if "enum" in p:
            spec.setdefault("constraints", {})["enum"] = p["enum"]
        fields.append(spec)
    keys = [
        {"fields": f, "reference": {"resource": target, "fields": "id"}}
        for f, target in _FOREIGN_KEYS.get(entity, ())
    ]
    out = {"fields": fields, "primaryKey": "id"}
    if keys:
        out["foreignKeys"] = keys
    return out


_FOREIGN_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "service": (("organization_id", "organization"),),
    "program": (("organization_id", "organization"),),
    "location": (("organization_id", "organization"),),
    "address": (("location_id", "location"),),
    "service_at_location": (("service_id", "service"), ("location_id", "location")),
    "service_area": (("service_id", "service"),),
    "schedule": (("service_id", "service"),),
    "contact": (("organization_id", "organization"),),
    "funding": (("organization_id", "organization"),),
    "organization_identifier": (("organization_id", "organization"),),
    "attribute": (("taxonomy_term_id", "taxonomy_term"),),
    "taxonomy_term": (("taxonomy_id", "taxonomy"),),
}


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


def write_tabular(pkg: Package, folder: Path) -> list[Path]:
    """Write one CSV per entity and datapackage.json into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for entity, name in m.ENTITIES.items():
        columns = m.scalar_fields(entity)
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(columns)
        for rec in pkg.get(entity, []):
            writer.writerow([_cell(rec.get(c)) for c in columns])
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
    from .validation import validate_data

    pkg = to_hsds(tables, vocabularies, include_personal=include_personal)
    paths = write_tabular(pkg, folder)
    if as_json:
        paths.append(write_json(pkg, folder / "organizations.json"))
    data = HsdsData(label=folder.name)
    for entity, recs in pkg.items():
        for i, rec in enumerate(recs, start=2):
            data.add(
                Record(entity, dict(rec), f"{folder.name}/{m.ENTITIES[entity]}", entity, i, key=rec["id"])
            )
    issues: list[Issue] = []
    validate_data(data, issues)
    return ExportResult(paths, {e: len(r) for e, r in pkg.items()}, issues)
