"""The map's figures: an in-memory columnar index of one database, the one definition of what the map shows.

A filter change must answer in tens of milliseconds at national scale (300,000 offers), and the map page
asks for several figures per change (offers, organisations and collaborations per municipality, the key
figures, offers per theme, the points kept), so this index loads the few columns the filters touch once
per database file and answers with numpy masks: themes and target groups as boolean matrices, codes as
small integers, counts per municipality with ``bincount``. One SQL query per figure, even on the build's
reader tables, takes 20-50 ms each (``benchmarks/views_latency.py``), too slow for the page's 80 ms.
The selection rules are the lists' (``queries``: the SQL that the lists and exports run); the tests hold
the map's counts to the lists' lengths for many selections.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from civilkort import inset, map_payload
from civilkort.db import Database
from civilkort.filters import Selection
from civilkort.schema import NO_THEME

MAX_MUNICIPALITY_CODE = 1000
MASK_CACHE = 16
KEPT_INDEXES = 2
"""Indexes kept by :func:`of` (the serving build's and the one before it, while sessions move over)."""


def _codes(values: pd.Series) -> tuple[np.ndarray, dict[str, int]]:
    """Small-integer codes for a text column (-1 for missing) and the code lookup."""
    cat = pd.Categorical(values)
    return cat.codes.astype(np.int16), {str(c): i for i, c in enumerate(cat.categories)}


def _matrix(lists: pd.Series, vocabulary: list[str]) -> np.ndarray:
    """Boolean matrix rows x vocabulary: True where the row's list holds the value."""
    position = {v: i for i, v in enumerate(vocabulary)}
    out = np.zeros((len(lists), max(1, len(vocabulary))), dtype=bool)
    exploded = lists.explode().dropna()
    if len(exploded):
        rows = np.repeat(np.arange(len(lists)), lists.map(len).to_numpy())
        cols = exploded.map(position).to_numpy()
        ok = ~pd.isna(cols)
        out[rows[ok], cols[ok].astype(int)] = True
    return out


def _any_of(matrix: np.ndarray, vocabulary: list[str], wanted: tuple[str, ...]) -> np.ndarray | None:
    """Rows holding any of ``wanted``; None when there is no filter."""
    if not wanted:
        return None
    cols = [vocabulary.index(w) for w in wanted if w in vocabulary]
    if not cols:
        return np.zeros(matrix.shape[0], dtype=bool)
    return matrix[:, cols].any(axis=1)


def _in(codes: np.ndarray, lookup: dict[str, int], wanted: tuple[str, ...]) -> np.ndarray | None:
    if not wanted:
        return None
    ids = [lookup[w] for w in wanted if w in lookup]
    return np.isin(codes, ids) if ids else np.zeros(len(codes), dtype=bool)


def _and(*masks: np.ndarray | None, n: int) -> np.ndarray:
    out = np.ones(n, dtype=bool)
    for m in masks:
        if m is not None:
            out &= m
    return out


def _contains(text: pd.Series, needle: str, where: np.ndarray) -> np.ndarray:
    """Case-insensitive substring match, evaluated only on rows still in play."""
    out = np.zeros(len(text), dtype=bool)
    idx = np.flatnonzero(where)
    if len(idx):
        out[idx] = text.iloc[idx].str.contains(needle, regex=False, na=False).to_numpy()
    return out


@dataclass
class Masks:
    """Which offers, organisations and collaborations a selection keeps."""

    offers: np.ndarray
    organisations: np.ndarray
    collaborations: np.ndarray
    counts: pd.DataFrame | None = None  # per municipality, made once (a page asks for them twice)
    measures: pd.DataFrame | None = None  # the area's rows of counts with population, made once too


class DataIndex:
    """The filterable columns of one database, held in memory."""

    def __init__(self, db: Database):
        # in the order queries.vocabulary gives each vocabulary
        vocab = db.query(
            "SELECT vocabulary, code, label FROM vocabularies ORDER BY vocabulary, sort_order, label"
        )
        themes = vocab[vocab["vocabulary"] == "theme"]
        self.themes = themes["code"].tolist()
        self.groups = vocab.loc[vocab["vocabulary"] == "target_group", "code"].tolist()
        self.theme_vocabulary = themes[["code", "label"]].reset_index(drop=True)

        g = db.query(
            """SELECT organisation_id, name, lower(name) AS name_lc, lower(description) AS desc_lc,
                      municipality_code, organisation_type, staffing, lat, lon, location_precision
               FROM organisations ORDER BY organisation_id"""
        )
        self.orgs = g[["organisation_id", "name", "lat", "lon", "location_precision", "municipality_code"]]
        self.org_name = g["name_lc"]
        self.org_desc = g["desc_lc"]
        self.org_mun = g["municipality_code"].to_numpy(np.int16)
        self.org_type, self.org_type_codes = _codes(g["organisation_type"])
        self.org_staffing, self.org_staffing_codes = _codes(g["staffing"])
        org_pos = pd.Series(np.arange(len(g)), index=g["organisation_id"])

        o = db.query(
            """SELECT offer_id, organisation_id, name, lower(name) AS name_lc, lower(description) AS desc_lc,
                      municipality_code,
                      themes, target_groups, prevention_level, status, accepts_social_referrals,
                      has_own_location, lat, lon, location_precision
               FROM offers ORDER BY offer_id"""
        )
        self.offers = o[["offer_id", "name", "lat", "lon", "location_precision", "municipality_code"]]
        self.offer_name = o["name_lc"]
        self.offer_desc = o["desc_lc"]
        self.offer_org = org_pos.reindex(o["organisation_id"]).to_numpy(np.int64)
        self.offer_mun = o["municipality_code"].to_numpy(np.int16)
        self.offer_themes = _matrix(o["themes"], self.themes)
        # an offer from another publisher's HSDS feed may have no theme ('Tema ikke angivet')
        self.offer_no_theme = ~self.offer_themes.any(axis=1)
        self.has_no_theme = bool(self.offer_no_theme.any())
        self.offer_groups = _matrix(o["target_groups"], self.groups)
        self.offer_level, self.level_codes = _codes(o["prevention_level"])
        self.offer_status, self.status_codes = _codes(o["status"])
        referral = o["accepts_social_referrals"]
        self.offer_referral = np.where(referral.isna(), -1, referral.fillna(False).astype(int)).astype(
            np.int8
        )
        self.offer_own_location = o["has_own_location"].to_numpy(bool)

        c = db.query(
            """SELECT collaboration_id, lower(title) AS title_lc, lower(description) AS desc_lc,
                      municipality_codes, themes, target_groups
               FROM collaborations ORDER BY collaboration_id"""
        )
        self.collab_ids = c["collaboration_id"]
        self.collab_title = c["title_lc"]
        self.collab_desc = c["desc_lc"]
        self.collab_themes = _matrix(c["themes"], self.themes)
        self.collab_groups = _matrix(c["target_groups"], self.groups)
        pairs = c["municipality_codes"].map(len).to_numpy()
        self.collab_pair_collab = np.repeat(np.arange(len(c)), pairs)
        self.collab_pair_mun = (
            np.concatenate([np.asarray(x, dtype=np.int16) for x in c["municipality_codes"]])
            if len(c)
            else np.zeros(0, np.int16)
        )
        # 'ikke kortlagt' = no organisation and no offer placed in the municipality, whatever the filters
        self.records_any = np.bincount(self.org_mun, minlength=MAX_MUNICIPALITY_CODE) + np.bincount(
            self.offer_mun, minlength=MAX_MUNICIPALITY_CODE
        )
        self.municipalities = db.query(
            """SELECT municipality_code, municipality_name, council_id, council_name, lat, lon, population
               FROM municipalities ORDER BY municipality_name"""
        )
        self.units = db.query(
            """SELECT u.unit_id, u.name, u.unit_type, u.unit_type_label, u.lat, u.lon, u.location_precision,
                      (SELECT count(*) FROM collaboration_partners p
                        WHERE p.partner_kind = 'regional_unit' AND p.partner_id = u.unit_id) AS n_collaborations,
                      m.municipality_name, u.is_region_wide, u.area_municipality_codes
               FROM regional_units u JOIN municipalities m USING (municipality_code)
               ORDER BY u.unit_id"""
        )
        # each unit's municipalities (its own; a region-wide unit's whole region) as a units x codes matrix
        self.unit_area = np.zeros((len(self.units), MAX_MUNICIPALITY_CODE), dtype=bool)
        for row, codes in enumerate(self.units.pop("area_municipality_codes")):
            self.unit_area[row, np.asarray(codes, dtype=np.int64)] = True
        shapes = db.query("SELECT municipality_code, geojson FROM geo_municipalities")
        self.shapes = (
            gpd.GeoDataFrame(
                {"municipality_code": shapes["municipality_code"]},
                geometry=shapely.from_geojson(shapes["geojson"]),
                crs=4326,
            )
            if len(shapes)
            else None
        )
        outlines = db.query(
            "SELECT g.council_id, c.council_name, g.geojson FROM geo_councils g JOIN councils c USING (council_id)"
        )
        self.council_shapes = (
            gpd.GeoDataFrame(
                outlines[["council_id", "council_name"]],
                geometry=shapely.from_geojson(outlines["geojson"]),
                crs=4326,
            )
            if len(outlines)
            else None
        )
        self._masks: OrderedDict[Selection, Masks] = OrderedDict()
        self._points: pd.DataFrame | None = None
        self._area_points: dict[str, tuple[pd.DataFrame, np.ndarray]] = {}
        self._areas: dict[str, dict] = {}
        self._lock = threading.Lock()

    def masks(self, sel: Selection) -> Masks:
        """Masks for a selection (the last few are kept: one page run asks several times)."""
        with self._lock:
            hit = self._masks.get(sel)
            if hit is not None:
                self._masks.move_to_end(sel)
                return hit
        masks = self._compute_masks(sel)
        with self._lock:
            self._masks[sel] = masks
            while len(self._masks) > MASK_CACHE:
                self._masks.popitem(last=False)
        return masks

    def offer_filter(self, sel: Selection) -> np.ndarray:
        """Offers passing the offer filters (theme, group, level, status, referrals), anywhere."""
        return _and(
            _any_of(self.offer_themes, self.themes, sel.themes),
            _any_of(self.offer_groups, self.groups, sel.target_groups),
            _in(self.offer_level, self.level_codes, sel.prevention_levels),
            _in(self.offer_status, self.status_codes, sel.statuses),
            None if not sel.referrals else self.offer_referral == (1 if sel.referrals == "ja" else 0),
            n=len(self.offer_mun),
        )

    def organisation_filter(self, sel: Selection) -> np.ndarray:
        """Organisations passing type, staffing and free text (in their name, description or an
        offer's name), anywhere: the radar's ``sel_orgs`` before the area."""
        keep = _and(
            _in(self.org_type, self.org_type_codes, sel.organisation_types),
            _in(self.org_staffing, self.org_staffing_codes, sel.staffing),
            n=len(self.org_mun),
        )
        text = sel.text.strip().lower()
        if text:
            by_offer_name = np.zeros(len(self.org_mun), dtype=bool)
            named = _contains(self.offer_name, text, np.ones(len(self.offer_name), dtype=bool))
            by_offer_name[self.offer_org[named]] = True
            keep &= (
                _contains(self.org_name, text, keep) | _contains(self.org_desc, text, keep) | by_offer_name
            )
        return keep

    def _compute_masks(self, sel: Selection) -> Masks:
        """Apply area and filters, by the rules the lists in ``queries`` apply in SQL (tests hold them equal)."""
        in_area = np.zeros(MAX_MUNICIPALITY_CODE, dtype=bool)
        in_area[sel.municipality_codes()] = True
        text = sel.text.strip().lower()

        offer_only = self.offer_filter(sel)
        org_type = _in(self.org_type, self.org_type_codes, sel.organisation_types)
        org_staff = _in(self.org_staffing, self.org_staffing_codes, sel.staffing)
        org_ok = _and(org_type, org_staff, n=len(self.org_mun))

        offers = offer_only & in_area[self.offer_mun] & org_ok[self.offer_org]
        if text:
            org_name_of_offer = self.org_name.iloc[self.offer_org].reset_index(drop=True)
            offers &= (
                _contains(self.offer_name, text, offers)
                | _contains(self.offer_desc, text, offers)
                | _contains(org_name_of_offer, text, offers)
            )

        orgs = in_area[self.org_mun] & org_ok
        if sel.has_offer_filters:
            has = np.zeros(len(self.org_mun), dtype=bool)
            has[self.offer_org[offer_only]] = True
            orgs &= has
        if text:
            by_offer_name = np.zeros(len(self.org_mun), dtype=bool)
            named = _contains(self.offer_name, text, np.ones(len(self.offer_name), dtype=bool))
            by_offer_name[self.offer_org[named]] = True
            orgs &= (
                _contains(self.org_name, text, orgs) | _contains(self.org_desc, text, orgs) | by_offer_name
            )

        collab_area = np.zeros(len(self.collab_ids), dtype=bool)
        touching = in_area[self.collab_pair_mun]
        collab_area[self.collab_pair_collab[touching]] = True
        collabs = _and(
            collab_area,
            _any_of(self.collab_themes, self.themes, sel.themes),
            _any_of(self.collab_groups, self.groups, sel.target_groups),
            n=len(self.collab_ids),
        )
        if text:
            collabs &= _contains(self.collab_title, text, collabs) | _contains(
                self.collab_desc, text, collabs
            )
        return Masks(offers, orgs, collabs)

    def municipality_counts(self, masks: Masks) -> pd.DataFrame:
        """Offers, organisations and collaborations kept, per municipality code (all codes)."""
        if masks.counts is not None:
            return masks.counts
        pair_kept = masks.collaborations[self.collab_pair_collab]
        counts = pd.DataFrame(
            {
                "offers": np.bincount(self.offer_mun[masks.offers], minlength=MAX_MUNICIPALITY_CODE),
                "organisations": np.bincount(
                    self.org_mun[masks.organisations], minlength=MAX_MUNICIPALITY_CODE
                ),
                "collaborations": np.bincount(
                    self.collab_pair_mun[pair_kept], minlength=MAX_MUNICIPALITY_CODE
                ),
                "records_any": self.records_any,
            }
        )
        counts.index.name = "municipality_code"
        masks.counts = counts
        return counts

    def municipality_measures(self, sel: Selection, masks: Masks) -> pd.DataFrame:
        """The area's municipalities with their counts under ``masks`` and offers per 10,000 inhabitants
        (``queries.municipality_measures``); made once per selection, a fresh copy each call."""
        if masks.measures is None:
            out = self.area_municipalities(sel).join(self.municipality_counts(masks), on="municipality_code")
            masks.measures = out.assign(
                offers_per_10k=lambda d: (d["offers"] / d["population"].astype(float) * 10_000).round(1)
            )
        return masks.measures.copy()

    def _all_points(self) -> pd.DataFrame:
        """Every organisation and every offer held at its own address, encoded once for the map payload
        (``map_payload.encode_points``: sorted by latitude, names coded), with where each row comes from."""
        with self._lock:
            if self._points is not None:
                return self._points
        own = np.flatnonzero(self.offer_own_location)
        g, o = self.orgs, self.offers.iloc[own]
        table = pd.concat(
            [
                pd.DataFrame(
                    {
                        "point_id": "org:" + g["organisation_id"],
                        "kind": "organisation",
                        "name": g["name"],
                        "lat": g["lat"],
                        "lon": g["lon"],
                        "location_precision": g["location_precision"],
                        "_row": np.arange(len(g)),
                    }
                ),
                pd.DataFrame(
                    {
                        "point_id": "offer:" + o["offer_id"],
                        "kind": "offer",
                        "name": o["name"],
                        "lat": o["lat"],
                        "lon": o["lon"],
                        "location_precision": o["location_precision"],
                        "_row": own,
                    }
                ),
            ],
            ignore_index=True,
        )
        encoded = map_payload.encode_points(table)
        self._point_is_org = (encoded["kind"] == "organisation").to_numpy()
        self._point_row = encoded["_row"].to_numpy()
        with self._lock:
            self._points = encoded
        return encoded

    def points(self, masks: Masks) -> pd.DataFrame:
        """Map points: organisations kept, and offers kept that are held at their own address (in the
        order the map sends them, with their payload columns: see ``map_payload.encode_points``)."""
        table = self._all_points()
        out = table[self.point_keep(masks)].reset_index(drop=True)
        out.attrs = dict(table.attrs)
        return out

    def area_points(self, area: str) -> tuple[pd.DataFrame, np.ndarray]:
        """Every map point placed in the area (as :meth:`points` gives them without any filter but the
        area, status included), and their rows in the whole table; kept per area."""
        with self._lock:
            hit = self._area_points.get(area)
        if hit is not None:
            return hit
        table = self._all_points()
        in_area = np.zeros(MAX_MUNICIPALITY_CODE, dtype=bool)
        in_area[Selection(area=area).municipality_codes()] = True
        mun = np.where(
            self._point_is_org,
            self.org_mun[np.where(self._point_is_org, self._point_row, 0)],
            self.offer_mun[np.where(self._point_is_org, 0, self._point_row)],
        )
        rows = np.flatnonzero(in_area[mun])
        if len(rows) == len(table):
            subset = table
        else:
            subset = table.iloc[rows].reset_index(drop=True)
            subset.attrs = dict(table.attrs)
        with self._lock:
            self._area_points[area] = (subset, rows)
        return subset, rows

    def point_keep(self, masks: Masks, rows: np.ndarray | None = None) -> np.ndarray:
        """Which of the points at ``rows`` (from :meth:`area_points`; default: all) the masks keep."""
        self._all_points()
        is_org, row = self._point_is_org, self._point_row
        if rows is not None:
            is_org, row = is_org[rows], row[rows]
        return np.where(
            is_org,
            masks.organisations[np.where(is_org, row, 0)],
            masks.offers[np.where(is_org, 0, row)],
        )

    def offers_by_theme(self, masks: Masks) -> pd.Series:
        """Number of offers kept per theme code, in vocabulary order, then those without a theme (NO_THEME)."""
        kept = masks.offers
        return pd.Series(
            [*self.offer_themes[kept].sum(axis=0), int(self.offer_no_theme[kept].sum())],
            index=[*self.themes, NO_THEME],
        )

    def collaboration_ids(self, masks: Masks) -> list[str]:
        """Ids of the collaborations kept."""
        return self.collab_ids[masks.collaborations].tolist()

    def area_municipalities(self, sel: Selection) -> pd.DataFrame:
        """Reference rows (name, council, point, population) of the area's municipalities."""
        return self.municipalities[self.municipalities["municipality_code"].isin(sel.municipality_codes())]

    def _unit_rows(self, sel: Selection) -> tuple[np.ndarray, np.ndarray]:
        """Per unit: whether it serves the area (the area holds any of its municipalities: its address's, or
        for a region-wide unit every municipality of its region) and whether it belongs to it (all of them).
        The map draws the units serving the area (a region-wide unit at its address, marked as such); the
        area's figures count the units belonging to it."""
        in_area = np.zeros(MAX_MUNICIPALITY_CODE, dtype=bool)
        in_area[sel.municipality_codes()] = True
        inside = (self.unit_area & in_area).sum(axis=1)
        return inside > 0, inside == self.unit_area.sum(axis=1)

    def area_units(self, sel: Selection) -> pd.DataFrame:
        """Regional units serving the area (a region-wide unit: any municipality of its region) with their
        number of collaborations; ``municipality_name`` is the address's."""
        serves, _ = self._unit_rows(sel)
        return self.units[serves].reset_index(drop=True)

    def unit_count(self, sel: Selection) -> int:
        """Regional units belonging to the area (a region-wide unit only to an area holding its region)."""
        _, belongs = self._unit_rows(sel)
        return int(belongs.sum())

    def area_shapes(self, codes: list[int]) -> gpd.GeoDataFrame | None:
        """Display shapes of the given municipalities, or None without boundaries."""
        if self.shapes is None:
            return None
        return self.shapes[self.shapes["municipality_code"].isin(codes)].reset_index(drop=True)

    def area_council_shapes(self, council_ids: list[str]) -> gpd.GeoDataFrame | None:
        """Display outlines of the given councils, or None without boundaries."""
        if self.council_shapes is None:
            return None
        return self.council_shapes[self.council_shapes["council_id"].isin(council_ids)].reset_index(drop=True)

    def area_static(self, sel: Selection) -> dict:
        """What the map needs of an area that no filter changes (kept per area): the municipalities'
        reference rows and shapes, council outlines, regional units and the area's bounds."""
        hit = self._areas.get(sel.area)
        if hit is not None:
            return hit
        codes = sel.municipality_codes()
        municipalities = self.area_municipalities(sel).reset_index(drop=True)
        shapes = self.area_shapes(codes)
        if shapes is not None:
            shapes = shapes.merge(
                municipalities[["municipality_code", "municipality_name", "council_name"]],
                on="municipality_code",
            )
            outlines = self.area_council_shapes(sorted(set(municipalities["council_id"])))
            minx, miny, maxx, maxy = shapes.total_bounds
        else:
            outlines = None
            pad = 0.1
            minx, miny = municipalities["lon"].min() - pad, municipalities["lat"].min() - pad
            maxx, maxy = municipalities["lon"].max() + pad, municipalities["lat"].max() + pad
        if shapes is not None:  # the payloads' encoded shapes, made once per area
            shapes = shapes.assign(_g=map_payload.encode_shapes(shapes))
            outlines = (
                outlines.assign(_g=map_payload.encode_shapes(outlines)) if outlines is not None else None
            )
        static = {
            "municipalities": municipalities,
            "shapes": shapes,
            "outlines": outlines,
            "units": self.area_units(sel),
            "bounds": [[float(miny), float(minx)], [float(maxy), float(maxx)]],
            "inset": inset.for_area(shapes, municipalities),
        }
        with self._lock:
            self._areas[sel.area] = static
        return static


_INDEXES: OrderedDict[str, DataIndex] = OrderedDict()
_INDEXES_LOCK = threading.Lock()


def of(db: Database) -> DataIndex:
    """The index of a database file, made once per file (a build never changes) and shared by every caller:
    the pages, the council reports, the published map files."""
    key = str(db.path)
    with _INDEXES_LOCK:
        hit = _INDEXES.get(key)
        if hit is not None:
            _INDEXES.move_to_end(key)
            return hit
    made = DataIndex(db)
    with _INDEXES_LOCK:
        index = _INDEXES.setdefault(key, made)  # two threads may both have made one: keep the first
        _INDEXES.move_to_end(key)
        while len(_INDEXES) > KEPT_INDEXES:
            _INDEXES.popitem(last=False)
    return index
