"""Import Open Referral HSDS 3.0 data as the product's raw input tables.

``read_hsds`` is what ``etl.read`` calls for an HSDS input: it reads the records, validates
them against the schemas, and maps them onto the product's tables in the raw format
(``etl.clean`` then parses and checks them like any spreadsheet).  Records written by
Civilsamfundskortet (with the Danish profile's attributes) come back exactly; data from
other publishers is mapped as far as it goes: organization -> organisation, service ->
offer, location and address -> place, service_area -> area where the name or code is a
known municipality, council or region, taxonomy terms -> vocabulary values where the
term's name or code equals a value (otherwise a warning naming the closest value).
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

from civilkort import reference
from civilkort.issues import Issue, warning
from civilkort.reference import fold
from civilkort.schema import EXTENSIBLE_VOCABULARIES, NO_THEME_LABEL, TABLES_BY_NAME, VOCABULARY_NAMES

from . import mapping as m
from .json_forms import read_json
from .records import DATAPACKAGE, HsdsData, Record
from .tabular import is_csv_package, is_descriptor, read_tabular
from .unkept import report_unkept
from .validation import validate_data
from .vocabulary_map import Term, VocabularyMap, shipped_map

FALLBACK_ORGANISATION_TYPE = "ngo"
"""Organisation type given to organisations from other publishers that say nothing matching one."""
DANISH_COUNTRY = frozenset({"dk", "dnk", "danmark", "denmark"})
FOREIGN_VOCABULARIES: dict[str, tuple[str, ...]] = {
    "organization": ("organisation_type", "staffing"),
    "service": ("theme", "target_group", "prevention_level"),
}
"""Vocabularies a term from another publisher is matched against, per entity."""
_ENTITY_WORDS = {"organization": ("organisation", "organisationer"), "service": ("tilbud", "tilbud")}
_VALUE_WORDS = {
    "theme": "tema",
    "target_group": "målgruppe",
    "prevention_level": "forebyggelsesniveau",
    "organisation_type": "organisationstype",
    "staffing": "bemanding",
}
MAP_HINT = (
    "Et vokabularkort oversætter andre udgiveres termer (fx 'Loneliness') til Civilsamfundskortets "
    "værdier; angiv jeres eget med --vokabular-kort FIL (se README, afsnittet Open Referral HSDS 3.0)."
)


def is_hsds_input(path: Path) -> bool:
    """True for an HSDS input: a .json file, or a folder or zip holding datapackage.json or HSDS CSV
    files (recognised by their names and headers: services.csv with id, name, status ...)."""
    if path.is_dir():
        return (path / DATAPACKAGE).is_file() or is_csv_package(path)
    if not path.is_file():
        return False
    suffix = path.suffix.lower()
    if suffix == ".json":
        return True
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(path) as archive:
                if any(Path(n).name == DATAPACKAGE for n in archive.namelist()):
                    return True
        except (zipfile.BadZipFile, OSError):
            return False
        return is_csv_package(path)
    return False


def load(path: Path, issues: list[Issue], *, max_bytes: int, max_rows: int) -> HsdsData | None:
    """Read and validate an HSDS input; None if it cannot be read (the reason is in ``issues``)."""
    if path.is_file() and path.suffix.lower() == ".json" and not is_descriptor(path):
        data = read_json(path, issues, max_bytes=max_bytes)
    else:
        data = read_tabular(path, issues, max_bytes=max_bytes, max_rows=max_rows)
    if data is not None:
        validate_data(data, issues)
    return data


def read_hsds(
    path: Path,
    issues: list[Issue],
    *,
    max_bytes: int,
    max_rows: int,
    vocabulary_map: VocabularyMap | None = None,
) -> list[tuple[str, pd.DataFrame]]:
    """The product's raw tables from an HSDS input, as ``etl.read`` returns them for a file; another
    publisher's taxonomy terms are translated by ``vocabulary_map`` (default: the shipped map)."""
    data = load(path, issues, max_bytes=max_bytes, max_rows=max_rows)
    if data is None:
        return []
    tables = to_raw_tables(data, issues, vocabulary_map)
    if not tables:
        held = ", ".join(f"{e} ({len(r)})" for e, r in data.records.items() if r)
        issues.append(
            warning(
                f"{data.label} indeholder ingen organisationer eller tilbud, kun {held}; intet kan indlæses herfra",
                file=data.label,
                hint="Civilsamfundskortet indlæser HSDS' organization og service (og steder, adresser, "
                "taksonomier m.m. sammen med dem). Angiv filen sammen med organisationerne og tilbuddene.",
            )
        )
    return tables


@dataclass(frozen=True)
class _Term:
    """What an attribute's taxonomy term means to the product."""

    kind: str  # "vocab", "field" or "foreign"
    vocabulary: str = ""
    code: str = ""
    name: str = ""
    description: str = ""
    texts: tuple[str, ...] = ()
    foreign: Term | None = None  # a foreign term's code, name and taxonomy, for the vocabulary map


def _text(value: object) -> str | None:
    """Stripped text, or None for nothing."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


class _Importer:
    """Maps validated HSDS records onto the product's rows."""

    def __init__(self, data: HsdsData, issues: list[Issue], vocabulary_map: VocabularyMap | None = None):
        self.data = data
        self.issues = issues
        self.map = vocabulary_map or shipped_map()
        self.mapped: dict[
            tuple[str, str], list
        ] = {}  # (folded term, entity) -> [count, shown, origin, values]
        self.by_id = {e: {r.key: r for r in data.get(e)} for e in m.ENTITIES}
        self.attrs: dict[tuple[str, str], list[Record]] = defaultdict(list)
        for a in data.get("attribute"):
            self.attrs[
                (str(a.data.get("link_entity") or "").lower(), str(a.data.get("link_id") or ""))
            ].append(a)
        self._fk: dict[tuple[str, str], dict[str, list[Record]]] = {}
        self._terms: dict[str, _Term | None] = {}
        self._unfill()
        builtin = reference.vocabularies()
        self.builtin = {(v, c) for v, c in zip(builtin["vocabulary"], builtin["code"])}
        self.labels: dict[str, list[str]] = defaultdict(list)
        self.keys: dict[str, dict[str, str]] = defaultdict(dict)
        self.label_of: dict[tuple[str, str], str] = {}
        for v, c, lab in zip(builtin["vocabulary"], builtin["code"], builtin["label"]):
            self._learn(v, c, lab)
        self.additions: list[tuple[dict, Record]] = []
        for t in data.get("taxonomy_term"):
            info = self.term_by_id(t.key)
            if info is not None and info.kind == "vocab" and (info.vocabulary, info.code) not in self.builtin:
                self._learn(info.vocabulary, info.code, info.name or info.code)
                self.additions.append(
                    (
                        {
                            "vocabulary": info.vocabulary,
                            "code": info.code,
                            "label": info.name or info.code,
                            "description": info.description,
                        },
                        t,
                    )
                )
        self.unmatched: dict[tuple[str, str], list] = {}
        self.org_ids: dict[str, str] = {}
        self.program_ids: dict[str, str] = {}
        self.area_names = reference.area_names()

    def _learn(self, vocabulary: str, code: str, label: str) -> None:
        """Make a vocabulary value findable by code and label."""
        self.keys[vocabulary].setdefault(fold(code), code)
        self.keys[vocabulary].setdefault(fold(label), code)
        self.labels[vocabulary].append(label)
        self.label_of.setdefault((vocabulary, code), label)

    def _unfill(self) -> None:
        """Leave out the fields our export filled only because HSDS requires them ('filled' attributes)."""
        for entity, key in list(self.attrs):
            record = self.by_id.get(entity, {}).get(key)
            if record is not None:
                for name in self.field_values(self.attrs_of(entity, key), "filled"):
                    record.data.pop(name, None)

    # ---------------------------------------------------------------- lookups

    def fk(self, entity: str, field: str) -> dict[str, list[Record]]:
        """Records of ``entity`` grouped by the value of ``field``."""
        key = (entity, field)
        if key not in self._fk:
            groups: dict[str, list[Record]] = defaultdict(list)
            for r in self.data.get(entity):
                value = r.data.get(field)
                if value not in (None, ""):
                    groups[str(value)].append(r)
            self._fk[key] = groups
        return self._fk[key]

    def term_by_id(self, tid: str) -> _Term | None:
        """What the taxonomy term with id ``tid`` means (None if there is no such term)."""
        if tid in self._terms:
            return self._terms[tid]
        t = self.by_id["taxonomy_term"].get(tid)
        info = None
        if t is not None:
            tax = self.by_id["taxonomy"].get(str(t.data.get("taxonomy_id") or ""))
            uri = str((tax.data.get("uri") if tax else None) or t.data.get("taxonomy") or "")
            code = str(t.data.get("code") or "")
            name = str(t.data.get("name") or "")
            if uri.startswith(m.VOCABULARY_URN):
                vocabulary = uri[len(m.VOCABULARY_URN) :]
                own = code[len(vocabulary) + 1 :] if code.startswith(vocabulary + ":") else code
                info = _Term("vocab", vocabulary, own, name, str(t.data.get("description") or ""))
            elif uri == m.FIELD_TAXONOMY_URN and code.startswith(m.FIELD_CODE_PREFIX):
                info = _Term("field", code=code[len(m.FIELD_CODE_PREFIX) :], name=name)
            else:
                taxonomies = tuple(
                    x
                    for x in (
                        uri,
                        str((tax.data.get("name") if tax else None) or ""),
                        str(t.data.get("taxonomy") or ""),
                    )
                    if x
                )
                info = _Term(
                    "foreign", texts=tuple(x for x in (name, code) if x), foreign=Term(code, name, taxonomies)
                )
        self._terms[tid] = info
        return info

    def attrs_of(self, entity: str, key: str) -> list[tuple[Record, _Term]]:
        """The attributes of one record with what their terms mean."""
        out = []
        for a in self.attrs.get((entity, key), []):
            info = self.term_by_id(str(a.data.get("taxonomy_term_id") or ""))
            if info is None and _text(a.data.get("label")):
                info = _Term("foreign", texts=(str(a.data["label"]),))
            if info is not None:
                out.append((a, info))
        return out

    @staticmethod
    def field_values(attrs: list[tuple[Record, _Term]], name: str) -> list[str]:
        """Values of the profile field ``name`` in attribute order."""
        return [str(a.data.get("value") or "") for a, t in attrs if t.kind == "field" and t.code == name]

    def field(self, attrs: list[tuple[Record, _Term]], name: str) -> str | None:
        """The first value of the profile field ``name``, or None."""
        values = [v for v in self.field_values(attrs, name) if v]
        return values[0] if values else None

    @staticmethod
    def vocab(attrs: list[tuple[Record, _Term]], vocabulary: str) -> list[str]:
        """Codes of one product vocabulary in attribute order, each once."""
        return list(
            dict.fromkeys(t.code for _, t in attrs if t.kind == "vocab" and t.vocabulary == vocabulary)
        )

    def foreign(self, entity: str, attrs: list[tuple[Record, _Term]]) -> dict[str, list[str]]:
        """Vocabulary codes for another publisher's terms: a value's own name or code, else the vocabulary
        map's values; each translation noted for a summary, each term found in neither for a warning."""
        vocabularies = FOREIGN_VOCABULARIES[entity]
        found: dict[str, list[str]] = defaultdict(list)
        for a, t in attrs:
            if t.kind != "foreign":
                continue
            shown = t.texts[0] if t.texts else ""
            hit = next(
                (
                    (v, self.keys[v][fold(text)])
                    for text in t.texts
                    for v in vocabularies
                    if fold(text) in self.keys[v]
                ),
                None,
            )
            if hit is not None:
                values, origin = [hit], ""
            else:
                looked = self.map.lookup(t.foreign) if t.foreign else None
                if looked is None and t.foreign is None:  # a bare label: look it up as a term name
                    looked = self.map.lookup(Term(name=shown))
                if looked is None:
                    note = self.unmatched.setdefault((fold(shown), entity), [0, a, shown])
                    note[0] += 1
                    continue
                values, origin = [v for v in looked[0] if v[0] in vocabularies], looked[1]
            for vocabulary, code in values:
                if code not in found[vocabulary]:
                    found[vocabulary].append(code)
            note = self.mapped.setdefault((fold(shown), entity), [0, shown, origin, values])
            note[0] += 1
        return found

    def places(self, loc: Record | None) -> dict[str, object]:
        """Address, postcode, city, coordinates and stated municipality of a location."""
        if loc is None:
            return {}
        out: dict[str, object] = {}
        for src, dst in (("latitude", "lat"), ("longitude", "lon")):
            value = loc.data.get(src)
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[dst] = float(value)
        addresses = self.fk("address", "location_id").get(loc.key, [])
        address = next((a for a in addresses if a.data.get("address_type") != "postal"), None) or (
            addresses[0] if addresses else None
        )
        if address is not None:
            d = address.data
            country = _text(d.get("country"))
            if country and fold(country) not in DANISH_COUNTRY:
                self.issues.append(
                    warning(
                        f"Adressen ligger ikke i Danmark (land '{country}'); adressen bruges ikke",
                        **address.where("country", country),
                        hint="Civilsamfundskortet placerer kun steder i Danmark.",
                    )
                )
            else:
                line = ", ".join(x for x in (_text(d.get("address_1")), _text(d.get("address_2"))) if x)
                out["address"] = line or None
                out["postcode"] = _text(d.get("postal_code"))
                out["city"] = _text(d.get("city"))
        if address is None:  # our export keeps the parts of an incomplete address as attributes
            attrs = self.attrs_of("location", loc.key)
            out.update({k: v for k in ("address", "postcode", "city") if (v := self.field(attrs, k))})
        stated = self.field(self.attrs_of("location", loc.key), "municipality")
        if stated is None and address is not None:
            for candidate in (address.data.get("region"), address.data.get("state_province")):
                code = reference.municipality_code(candidate) if _text(candidate) else None
                if code is not None:
                    stated = str(code)
                    break
        if stated is not None:
            out["municipality"] = stated
        return out

    def verified(self, entity: str, key: str) -> str | None:
        """The latest 'verified' metadata date of a record."""
        dates = [
            str(r.data["last_action_date"])
            for r in self.fk("metadata", "resource_id").get(key, [])
            if fold(r.data.get("resource_type") or entity) == fold(entity)
            and fold(r.data.get("last_action_type") or "") in ("verified", "verificeret", "assured")
            and r.data.get("last_action_date")
        ]
        dates += self.field_values(self.attrs_of(entity, key), "last_verified")
        return max(d for d in dates if d) if any(dates) else None

    # ---------------------------------------------------------------- records

    def organisations(self) -> tuple[list, list]:
        """(organisation rows, regional unit rows), each as (row, record)."""
        orgs, units, defaulted = [], [], []
        for org in self.data.get("organization"):
            attrs = self.attrs_of("organization", org.key)
            own_id = self.field(attrs, "id")
            pid = own_id or org.key
            self.org_ids[org.key] = pid
            d = org.data
            place_kind = "organisation"
            if self.vocab(attrs, "unit_type"):
                place_kind = "regional_unit"
            locations = [
                loc
                for loc in self.fk("location", "organization_id").get(org.key, [])
                if own_id is None
                or self.field(self.attrs_of("location", loc.key), "location_of") == place_kind
            ]
            if not locations and own_id is None:
                for service in self.fk("service", "organization_id").get(org.key, []):
                    for sal in self.fk("service_at_location", "service_id").get(service.key, []):
                        loc = self.by_id["location"].get(str(sal.data.get("location_id") or ""))
                        if loc is not None:
                            locations.append(loc)
                            break
                    if locations:
                        break
            place = self.places(locations[0] if locations else None)
            source = self.field(attrs, "source")
            if own_id is None:
                source = f"HSDS: {self.data.title}"
            if place_kind == "regional_unit":
                row = {
                    "unit_id": pid,
                    "name": d.get("name"),
                    "unit_type": self.vocab(attrs, "unit_type")[0],
                    "serves": [self.area_names.get(v, v) for v in self.field_values(attrs, "serves") if v],
                }
                units.append(({**row, **place, "source": source}, org))
                continue
            types = self.vocab(attrs, "organisation_type")
            staffing = self.vocab(attrs, "staffing")
            if own_id is None:
                found = self.foreign("organization", attrs)
                legal = _text(d.get("legal_status"))
                if legal and fold(legal) in self.keys["organisation_type"]:
                    found["organisation_type"].append(self.keys["organisation_type"][fold(legal)])
                types = types or found.get("organisation_type", [])
                staffing = staffing or found.get("staffing", [])
                if not types:
                    types = [FALLBACK_ORGANISATION_TYPE]
                    defaulted.append(org)
            identifiers = self.fk("organization_identifier", "organization_id").get(org.key, [])
            cvr = next(
                (
                    i.data.get("identifier")
                    for i in identifiers
                    if fold(i.data.get("identifier_scheme") or "") == "dk cvr"
                    or "cvr" in fold(i.data.get("identifier_type") or "").split()
                ),
                None,
            )
            contacts = [
                _text(c.data.get("name"))
                for c in self.fk("contact", "organization_id").get(org.key, [])
                if not any(c.data.get(k) for k in ("service_id", "location_id", "service_at_location_id"))
            ]
            row = {
                "organisation_id": pid,
                "name": d.get("name"),
                "cvr": cvr,
                "organisation_type": types[0] if types else None,
                "staffing": staffing[0] if staffing else None,
                "description": d.get("description"),
                "website": d.get("website"),
                "email": d.get("email"),
                "contact_person": ", ".join(dict.fromkeys(c for c in contacts if c)) or None,
                **place,
                "last_verified": self.verified("organization", org.key),
                "source": source,
                "hsds_id": _publisher_id(org.key, "organisation", pid),
            }
            orgs.append((row, org))
        if defaulted:
            label = VOCABULARY_NAMES["organisation_type"]
            fallback = _label(FALLBACK_ORGANISATION_TYPE)
            self.issues.append(
                warning(
                    f"{len(defaulted)} organisationer har ingen organisationstype i HSDS-data; de får typen '{fallback}'",
                    **defaulted[0].where("attributes", defaulted[0].data.get("name")),
                    hint=f"Ret typen i arket Organisationer eller giv organisationerne en term fra {label} "
                    "(taksonomien urn:civilkort:vokabular:organisation_type).",
                )
            )
        return orgs, units

    def offers(self) -> list:
        """Offer rows, each as (row, record)."""
        out, themeless = [], []
        for s in self.data.get("service"):
            attrs = self.attrs_of("service", s.key)
            own_id = self.field(attrs, "id")
            d = s.data
            themes = self.vocab(attrs, "theme")
            groups = self.vocab(attrs, "target_group")
            levels = self.vocab(attrs, "prevention_level")
            status = (self.vocab(attrs, "offer_status") or [None])[0]
            if own_id is None:
                found = self.foreign("service", attrs)
                themes = themes or found.get("theme", [])
                groups = groups or found.get("target_group", [])
                levels = levels or found.get("prevention_level", [])
                status = status or m.HSDS_STATUS_TO_OFFER.get(str(d.get("status") or "").lower())
            if not themes:
                themeless.append(s)
            sals = self.fk("service_at_location", "service_id").get(s.key, [])
            locations = [self.by_id["location"].get(str(x.data.get("location_id") or "")) for x in sals]
            locations = [x for x in locations if x is not None]
            if len(locations) > 1:
                self.issues.append(
                    warning(
                        f"Tilbuddet '{d.get('name')}' gives {len(locations)} steder; kun det første bruges",
                        **sals[1].where("location_id", sals[1].data.get("location_id")),
                        hint="Civilsamfundskortet har ét sted pr. tilbud; opret evt. et tilbud pr. sted.",
                    )
                )
            sal_keys = [x.key for x in sals]
            areas = self.fk("service_area", "service_id").get(s.key, []) + [
                a for k in sal_keys for a in self.fk("service_area", "service_at_location_id").get(k, [])
            ]
            schedules = self.fk("schedule", "service_id").get(s.key, []) + [
                x for k in sal_keys for x in self.fk("schedule", "service_at_location_id").get(k, [])
            ]
            referrals = self.field(attrs, "accepts_social_referrals")
            source = self.field(attrs, "source") if own_id else f"HSDS: {self.data.title}"
            row = {
                "offer_id": own_id or s.key,
                "organisation_id": self.org_ids.get(
                    str(d.get("organization_id") or ""), d.get("organization_id")
                ),
                "name": d.get("name"),
                "description": d.get("description"),
                "themes": themes,
                "target_groups": groups,
                "prevention_level": levels[0] if levels else None,
                "accepts_social_referrals": None if referrals is None else referrals.lower() == "true",
                **self.places(locations[0] if locations else None),
                "service_area": self.areas(areas),
                "schedule": "; ".join(dict.fromkeys(x for x in map(_schedule_text, schedules) if x)) or None,
                "cost": d.get("fees_description") or d.get("fees"),
                "status": status,
                "last_verified": d.get("assured_date"),
                "source": source,
                "hsds_id": _publisher_id(s.key, "offer", own_id or s.key),
            }
            out.append((row, s))
        if themeless:
            first = themeless[0]
            names = ", ".join(f"'{x.data.get('name') or x.key}'" for x in themeless[:5])
            self.issues.append(
                warning(
                    f"{len(themeless)} tilbud har intet af Civilsamfundskortets temaer; "
                    f"de indlæses som '{NO_THEME_LABEL}'",
                    **first.where("attributes", first.data.get("name")),
                    hint=f"Fx {names}. De tælles under '{NO_THEME_LABEL}' i huller og datakvalitet. "
                    "Temaerne: " + ", ".join(self.labels["theme"]) + ". " + MAP_HINT,
                )
            )
        return out

    def areas(self, records: list[Record]) -> list[str]:
        """Area names (read back by etl.clean) for service areas; unknown ones reported."""
        out: list[str] = []
        for a in records:
            uri = str(a.data.get("uri") or "")
            name = _text(a.data.get("name"))
            key = uri[len(m.AREA_URN) :] if uri.startswith(m.AREA_URN) else None
            if key is None:
                key = (
                    _area_key(name)
                    or _area_key(a.data.get("description"))
                    or _area_key(uri.rsplit("/", 1)[-1])
                )
            if key is not None and key in self.area_names:
                out.append(self.area_names[key])
                continue
            shown = name or uri or a.key
            best = process.extractOne(
                fold(shown), [fold(x) for x in self.area_names.values()], scorer=fuzz.WRatio
            )
            closest = list(self.area_names.values())[best[2]] if best else ""
            self.issues.append(
                warning(
                    f"Dækningsområdet '{shown}' er ikke en kendt kommune, et sundhedsråd, en region eller hele landet; "
                    "det bruges ikke",
                    **a.where("name", shown),
                    hint=(f"Nærmeste: '{closest}'. " if closest else "")
                    + "Skriv kommunens navn eller kode, fx Aarhus eller 751.",
                )
            )
        return list(dict.fromkeys(out))

    def collaborations(self) -> tuple[list, list]:
        """(collaboration rows, experience rows), each as (row, record)."""
        collabs, foreign = [], []
        for p in self.data.get("program"):
            attrs = self.attrs_of("program", p.key)
            own_id = self.field(attrs, "id")
            units = self.field_values(attrs, "unit_ids")
            if own_id is None and not units:
                foreign.append(p)
                continue
            pid = own_id or p.key
            self.program_ids[p.key] = pid
            d = p.data
            orgs = self.field_values(attrs, "organisation_ids") or [str(d.get("organization_id") or "")]
            funding = [
                f
                for f in self.data.get("funding")
                if p.key in self.field_values(self.attrs_of("funding", f.key), "program_id")
            ]
            review = self.field(attrs, "legal_review_done")
            row = {
                "collaboration_id": pid,
                "title": d.get("name"),
                "description": d.get("description"),
                "unit_ids": [self.org_ids.get(u, u) for u in units if u],
                "organisation_ids": [self.org_ids.get(o, o) for o in orgs if o],
                "themes": self.vocab(attrs, "theme"),
                "target_groups": self.vocab(attrs, "target_group"),
                "form": (self.vocab(attrs, "collaboration_form") or [None])[0],
                "kind": (self.vocab(attrs, "collaboration_kind") or [None])[0],
                "start_date": self.field(attrs, "start_date"),
                "end_date": self.field(attrs, "end_date"),
                "funding": "; ".join(x for x in (_text(f.data.get("source")) for f in funding) if x) or None,
                "tovholder": self.field(attrs, "tovholder"),
                "legal_review_done": None if review is None else review.lower() == "true",
                "status": (self.vocab(attrs, "collaboration_status") or [None])[0],
                "municipalities": [
                    self.area_names.get(v, v) for v in self.field_values(attrs, "municipalities") if v
                ],
                "last_verified": self.verified("program", p.key),
                "source": self.field(attrs, "source"),
            }
            collabs.append((row, p))
        if foreign:
            self.issues.append(
                warning(
                    f"{len(foreign)} programmer er ikke samarbejder efter Civilsamfundskortets profil og springes over",
                    **foreign[0].where("id", foreign[0].data.get("name")),
                    hint="Et samarbejde er et program med attributter for de regionale enheder (felt:unit_ids); "
                    "se README, afsnittet Open Referral HSDS 3.0.",
                )
            )
        experiences = []
        for a in self.data.get("attribute"):
            info = self.term_by_id(str(a.data.get("taxonomy_term_id") or ""))
            if info is None or info.kind != "field" or info.code != "experience":
                continue
            children = self.attrs_of("attribute", a.key)
            link = str(a.data.get("link_id") or "")
            row = {
                "experience_id": self.field(children, "id") or a.key,
                "collaboration_id": self.program_ids.get(link, link),
                "date": self.field(children, "date"),
                "learning": a.data.get("value"),
                "evaluation": (self.vocab(children, "evaluation") or [None])[0],
                "evaluation_link": self.field(children, "evaluation_link"),
            }
            experiences.append((row, a))
        return collabs, experiences

    def warn_mapped(self) -> None:
        """One warning per term from another publisher that was translated: what it gave to how many."""
        for (_, entity), (count, shown, origin, values) in self.mapped.items():
            words = _ENTITY_WORDS[entity]
            gave = " og ".join(f"{_VALUE_WORDS[v]} '{self.label_of.get((v, c), c)}'" for v, c in values)
            where = f"vokabularkortet ({origin})" if origin else "værdiens eget navn"
            self.issues.append(
                warning(
                    f"{count} {words[0] if count == 1 else words[1]} fik {gave} fra HSDS-termen '{shown}'"
                    if values
                    else f"HSDS-termen '{shown}' bruges ikke ({count} {words[0] if count == 1 else words[1]})",
                    file=self.data.label,
                    value=shown,
                    hint=f"Oversat efter {where}. " + MAP_HINT,
                )
            )

    def warn_unmatched(self) -> None:
        """One warning per term from another publisher that matched no vocabulary value."""
        for (_, entity), (count, attr, shown) in self.unmatched.items():
            vocabularies = FOREIGN_VOCABULARIES[entity]
            choices = [(lab, v) for v in vocabularies for lab in self.labels[v]]
            best = process.extractOne(fold(shown), [fold(c[0]) for c in choices], scorer=fuzz.WRatio)
            closest = choices[best[2]] if best else None
            titles = ", ".join(VOCABULARY_NAMES[v] for v in vocabularies)
            words = _ENTITY_WORDS[entity]
            extend = [VOCABULARY_NAMES[v] for v in vocabularies if v in EXTENSIBLE_VOCABULARIES]
            self.issues.append(
                warning(
                    f"HSDS-termen '{shown}' svarer ikke til nogen værdi i {titles}; den bruges ikke",
                    **attr.where("taxonomy_term_id", shown),
                    hint=(
                        f"Nærmeste værdi: '{closest[0]}' ({VOCABULARY_NAMES[closest[1]]}). "
                        if closest
                        else ""
                    )
                    + f"Termen står på {count} {words[0] if count == 1 else words[1]}. "
                    + MAP_HINT
                    + (
                        f" Nye værdier kan tilføjes på arket Vokabularer ({', '.join(extend)})."
                        if extend
                        else ""
                    ),
                )
            )


def _publisher_id(key: str, kind: str, product_id: str) -> str | None:
    """The record's HSDS id when a publisher gave it as HSDS 3.0 requires (a UUID; another id is already
    warned about and stays only the product id), None when it is the id our export makes from the product
    id (a package of our own, so the record keeps its made id)."""
    return key if m.is_uuid(key) and key != m.hsds_id(kind, product_id) else None


def _label(code: str) -> str:
    """The Danish label of an organisation type."""
    v = reference.vocabularies()
    hit = v[(v["vocabulary"] == "organisation_type") & (v["code"] == code)]
    return str(hit["label"].iloc[0]) if len(hit) else code


def _area_key(text: object) -> str | None:
    """'municipality:751' for 'Aarhus', '751' or '0751'; councils, regions and 'Hele landet' too."""
    s = _text(text)
    if s is None:
        return None
    hit = reference.area(s)
    if hit is None and re.fullmatch(r"\d{3,4}", s):
        code = reference.municipality_code(s)
        hit = ("municipality", str(code)) if code is not None else None
    return None if hit is None else f"{hit[0]}:{hit[1]}"


def _schedule_text(s: Record) -> str | None:
    """A schedule as text: its description, else its weekly or monthly rule in short."""
    d = s.data
    if _text(d.get("description")):
        return _text(d.get("description"))
    parts = [
        {"WEEKLY": "ugentligt", "MONTHLY": "månedligt"}.get(str(d.get("freq") or "").upper(), ""),
        _text(d.get("byday")) or "",
        "-".join(x for x in (_text(d.get("opens_at")), _text(d.get("closes_at"))) if x),
    ]
    return " ".join(p for p in parts if p) or None


def _frame(table: str, rows: list[tuple[dict, Record]]) -> pd.DataFrame:
    """A raw table (object columns, lists joined with '; ') with the rows' provenance."""
    fields = TABLES_BY_NAME[table].field_names
    cols: dict[str, list] = {f: [] for f in fields}
    for row, _ in rows:
        for f in fields:
            value = row.get(f)
            if isinstance(value, list):
                value = "; ".join(str(v) for v in value) or None
            elif isinstance(value, str):
                value = value.strip() or None
            cols[f].append(value)
    out = pd.DataFrame({f: pd.Series(v, dtype=object) for f, v in cols.items()})
    out["_file"] = pd.Series([r.file for _, r in rows], dtype="str")
    out["_sheet"] = pd.Series([r.sheet for _, r in rows], dtype="str")
    out["_row"] = pd.Series([r.row for _, r in rows], dtype="int64")
    return out


def to_raw_tables(
    data: HsdsData, issues: list[Issue], vocabulary_map: VocabularyMap | None = None
) -> list[tuple[str, pd.DataFrame]]:
    """The product's raw tables (table name, frame) for validated HSDS records; other publishers' terms
    translated by ``vocabulary_map`` (default: the shipped map)."""
    imp = _Importer(data, issues, vocabulary_map)
    orgs, units = imp.organisations()
    offers = imp.offers()
    collabs, experiences = imp.collaborations()
    imp.warn_mapped()
    imp.warn_unmatched()
    report_unkept(data, issues)
    out = []
    for name, rows in (
        ("organisations", orgs),
        ("offers", offers),
        ("regional_units", units),
        ("collaborations", collabs),
        ("experiences", experiences),
        ("vocabularies", imp.additions),
    ):
        if rows:
            out.append((name, _frame(name, rows)))
    return out
