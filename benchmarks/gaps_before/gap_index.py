"""BEFORE (kept for benchmarks/views_latency.py only): the gap views from numpy.

Until the build materialised ``out_records_by_day`` and the gap SQL read the out_ tables, the Huller and
Sammenlign pages answered their views from this class over the map's :class:`~civilkort.index.DataIndex`,
because the view-only SQL (``benchmarks/gaps_before/*.sql``) took up to a second nationally; the SQL files
were shown under "Vis SQL" and the tests held the two together. The pages now run
``civilkort/sql/gaps/*.sql`` only; this copy lets the benchmark print before and after in one run. Not
used by the app or the tests.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import replace
from functools import cached_property

import numpy as np
import pandas as pd

from civilkort.db import Database
from civilkort.filters import NATIONAL_AREA, Selection
from civilkort.index import MAX_MUNICIPALITY_CODE, DataIndex
from civilkort.schema import NO_THEME, NO_THEME_LABEL

_AXIS_VOCAB = {"theme": "theme", "target_group": "target_group"}


def round_half_up(values, digits: int = 0) -> np.ndarray:
    """Round like SQL's round() on positive numbers (half away from zero), NaN kept."""
    scale = 10.0**digits
    return np.floor(np.asarray(values, dtype=float) * scale + 0.5) / scale


def _per_10k(n: np.ndarray, population: pd.Series) -> np.ndarray:
    pop = population.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return round_half_up(n * 10000.0 / pop, 1)


class GapIndex:
    """Gap matrices, coverage, referral readiness and the council comparison from a DataIndex."""

    def __init__(self, base: DataIndex, db: Database):
        self.base = base
        vocab = db.query(
            """SELECT vocabulary, code, label FROM vocabularies
               WHERE vocabulary IN ('theme', 'target_group') ORDER BY vocabulary, sort_order, label"""
        )
        self.vocab = {
            name: vocab[vocab["vocabulary"] == name][["code", "label"]].reset_index(drop=True)
            for name in ("theme", "target_group")
        }
        # The theme axis of the matrices: the themes, then 'Tema ikke angivet' where offers lack a theme.
        self.theme_axis = self.vocab["theme"]
        if base.has_no_theme:
            extra = pd.DataFrame({"code": [NO_THEME], "label": [NO_THEME_LABEL]})
            self.theme_axis = pd.concat([self.theme_axis, extra], ignore_index=True)
        # Columns of the index's theme / target-group matrices in display order.
        self._cols = {
            "theme": [base.themes.index(c) for c in self.vocab["theme"]["code"]],
            "target_group": [base.groups.index(c) for c in self.vocab["target_group"]["code"]],
        }
        self.municipalities = db.query(
            """SELECT m.municipality_code, m.municipality_name, m.council_id, m.council_name, m.region_id,
                      r.region_name, m.population
               FROM municipalities m JOIN regions r USING (region_id)
               ORDER BY m.municipality_name"""
        )
        self.councils = db.query("SELECT council_id, council_name, region_id FROM councils")
        self.group_people = self._load_group_people(db)
        g = db.query("SELECT last_verified, location_precision FROM organisations ORDER BY organisation_id")
        o = db.query("SELECT last_verified, location_precision FROM offers ORDER BY offer_id")
        self._verified = np.concatenate(
            [g["last_verified"].to_numpy("datetime64[D]"), o["last_verified"].to_numpy("datetime64[D]")]
        )
        self._record_mun = np.concatenate([base.org_mun, base.offer_mun])
        approx = np.concatenate(
            [
                g["location_precision"].to_numpy() != "coordinates",
                o["location_precision"].to_numpy() != "coordinates",
            ]
        )
        n = MAX_MUNICIPALITY_CODE
        self.organisations_all = np.bincount(base.org_mun, minlength=n)
        self.offers_all = np.bincount(base.offer_mun, minlength=n)
        self.records = self.organisations_all + self.offers_all
        self.approximate = np.bincount(self._record_mun[approx], minlength=n)
        self._verified_by_day: dict[dt.date, np.ndarray] = {}
        self._lock = threading.Lock()

    def _load_group_people(self, db: Database) -> np.ndarray:
        """People in each target group (display order) per municipality code, NaN where not counted."""
        codes = self.vocab["target_group"]["code"].tolist()
        out = np.full((MAX_MUNICIPALITY_CODE, len(codes)), np.nan)
        if not db.scalar("SELECT count(*) FROM duckdb_views() WHERE view_name = 'target_group_people'"):
            return out  # a build older than schema 6: no mapping
        people = db.query("SELECT municipality_code, target_group, people FROM target_group_people")
        col = people["target_group"].map({c: j for j, c in enumerate(codes)})
        known = col.notna() & people["people"].notna()
        out[people.loc[known, "municipality_code"].to_numpy(int), col[known].to_numpy(int)] = people.loc[
            known, "people"
        ].to_numpy(float)
        return out

    # -- building blocks -------------------------------------------------------------------------

    def verified(self, today: dt.date) -> np.ndarray:
        """Records per municipality code verified within 12 months before ``today``."""
        with self._lock:
            hit = self._verified_by_day.get(today)
        if hit is None:
            # The same calendar rule as SQL's `today - INTERVAL 12 MONTH`.
            since = (pd.Timestamp(today) - pd.DateOffset(months=12)).to_datetime64().astype("datetime64[D]")
            ok = self._verified >= since  # NaT compares False: never verified is not verified
            hit = np.bincount(self._record_mun[ok], minlength=MAX_MUNICIPALITY_CODE)
            with self._lock:
                self._verified_by_day[today] = hit
        return hit

    def _offers(self, sel: Selection) -> np.ndarray:
        return self.base.masks(sel).offers

    def _by_municipality(self, kept: np.ndarray, axis: str, weights: np.ndarray | None = None) -> np.ndarray:
        """Kept offers per (municipality code, axis value in display order): shape (codes, values)."""
        matrix = self.base.offer_themes if axis == "theme" else self.base.offer_groups
        mun = self.base.offer_mun[kept]
        m = matrix[kept][:, self._cols[axis]]
        if weights is not None:
            m = m & weights[kept][:, None]
        out = np.zeros((MAX_MUNICIPALITY_CODE, m.shape[1]), dtype=np.int64)
        for j in range(m.shape[1]):
            out[:, j] = np.bincount(mun[m[:, j]], minlength=MAX_MUNICIPALITY_CODE)
        return out

    def area(self, sel: Selection) -> pd.DataFrame:
        """The area's municipalities in name order."""
        m = self.municipalities
        return m[m["municipality_code"].isin(sel.municipality_codes())].reset_index(drop=True)

    def _long(
        self, rows: pd.DataFrame, cols: pd.DataFrame, counts: np.ndarray, population, mapped
    ) -> pd.DataFrame:
        """A long matrix frame (rows × cols, row-major) in the SQL files' column layout."""
        nr, nc = len(rows), len(cols)
        n = counts.reshape(-1).astype(np.int64)
        pop = pd.Series(np.repeat(np.asarray(population, dtype=object), nc)).astype("Int64")
        return pd.DataFrame(
            {
                "row_key": np.repeat(rows["key"].astype(str).to_numpy(), nc),
                "row_label": np.repeat(rows["label"].to_numpy(), nc),
                "col_key": np.tile(cols["code"].to_numpy(), nr),
                "col_label": np.tile(cols["label"].to_numpy(), nr),
                "n": n,
                "population": pop,
                "per_10k": _per_10k(n, pop),
                "row_mapped": np.repeat(np.asarray(mapped, dtype=bool), nc),
            }
        )

    # -- the views -------------------------------------------------------------------------------

    def matrix(self, sel: Selection, rows: str, cols: str) -> pd.DataFrame:
        """As ``matrix_<rows>_<cols>.sql`` (rows/cols in the stored orientation), axis filters removed."""
        axes = (rows, cols)
        sel = replace(
            sel,
            themes=() if "theme" in axes else sel.themes,
            target_groups=() if "target_group" in axes else sel.target_groups,
        )
        kept = self._offers(sel)
        if rows == "municipality":
            area = self.area(sel)
            codes = area["municipality_code"].to_numpy()
            counts = self._by_municipality(kept, cols)[codes]
            axis = self.vocab[cols]
            if cols == "theme" and self.base.has_no_theme:
                none = np.bincount(
                    self.base.offer_mun[kept & self.base.offer_no_theme], minlength=MAX_MUNICIPALITY_CODE
                )
                counts, axis = np.column_stack([counts, none[codes]]), self.theme_axis
            frame = pd.DataFrame({"key": codes, "label": area["municipality_name"]})
            out = self._long(frame, axis, counts, area["population"], self.records[codes] > 0)
            if cols == "target_group":
                people = self.group_people[codes].reshape(-1)
                with np.errstate(divide="ignore", invalid="ignore"):
                    per_1000 = np.where(people > 0, out["n"].to_numpy() * 1000.0 / people, np.nan)
                out.insert(7, "group_people", round_half_up(people))
                out.insert(8, "per_1000_group", round_half_up(per_1000, 2))
            return out
        t = self.base.offer_themes[kept][:, self._cols["theme"]].astype(np.int64)
        if self.base.has_no_theme:
            t = np.column_stack([t, self.base.offer_no_theme[kept].astype(np.int64)])
        g = self.base.offer_groups[kept][:, self._cols["target_group"]].astype(np.int64)
        counts = t.T @ g
        pop = self.area(sel)["population"]
        total = int(pop.sum()) if len(pop) and pop.notna().all() else pd.NA
        v = self.theme_axis
        frame = pd.DataFrame({"key": v["code"], "label": v["label"]})
        return self._long(frame, self.vocab["target_group"], counts, [total] * len(v), [True] * len(v))

    def referral_readiness(self, sel: Selection) -> pd.DataFrame:
        """As ``referral_readiness.sql``: the target-group and referral filters removed."""
        sel = replace(sel, target_groups=(), referrals="")
        kept = self._offers(sel)
        area = self.area(sel)
        codes = area["municipality_code"].to_numpy()
        referral = self.base.offer_referral
        n_offers = self._by_municipality(kept, "target_group")[codes]
        n = self._by_municipality(kept, "target_group", referral == 1)[codes]
        unknown = self._by_municipality(kept, "target_group", referral == -1)[codes]
        frame = pd.DataFrame({"key": codes, "label": area["municipality_name"]})
        out = self._long(frame, self.vocab["target_group"], n, area["population"], self.records[codes] > 0)
        total = n_offers.reshape(-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = round_half_up(np.where(total > 0, 100.0 * n.reshape(-1) / total, np.nan), 1)
        out.insert(5, "n_offers", total)
        out.insert(6, "n_unknown", unknown.reshape(-1))
        out.insert(7, "share_pct", share)
        return out

    def coverage(self, sel: Selection, today: dt.date, full_depth: int) -> pd.DataFrame:
        """As ``coverage.sql``."""
        area = self.area(sel)
        codes = area["municipality_code"].to_numpy()
        orgs, offers, records = self.organisations_all[codes], self.offers_all[codes], self.records[codes]
        verified, approx = self.verified(today)[codes], self.approximate[codes]
        matching = np.bincount(self.base.offer_mun[self._offers(sel)], minlength=MAX_MUNICIPALITY_CODE)[codes]
        score, depth, v_pct, a_pct = _score(orgs, records, verified, approx, full_depth)
        status = np.select(
            [records == 0, score >= 70, score >= 40],
            ["ikke kortlagt", "godt kortlagt", "delvist kortlagt"],
            "spinkelt kortlagt",
        )
        return pd.DataFrame(
            {
                "municipality_code": codes,
                "municipality_name": area["municipality_name"],
                "council_name": area["council_name"],
                "population": area["population"],
                "organisations": orgs,
                "offers": offers,
                "records": records,
                "offers_matching": matching,
                "verified_pct": v_pct,
                "approximate_pct": a_pct,
                "depth_pct": depth,
                "score": pd.array(np.where(records > 0, score, np.nan), dtype="Float64").astype("Int64"),
                "status": status,
            }
        )

    def compare_councils(self, sel: Selection, today: dt.date, full_depth: int) -> pd.DataFrame:
        """As ``compare_councils.sql``: all councils, the regions and the nation."""
        sel = replace(sel, area=NATIONAL_AREA)
        base = self.base
        masks = base.masks(sel)
        n = MAX_MUNICIPALITY_CODE
        no_referral = self._offers(replace(sel, referrals=""))
        m = self._by_code
        codes = m["municipality_code"].to_numpy()
        records = self.records[codes]
        score, *_ = _score(
            self.organisations_all[codes],
            records,
            self.verified(today)[codes],
            self.approximate[codes],
            full_depth,
        )
        per = {
            "organisations": np.bincount(base.org_mun[masks.organisations], minlength=n)[codes],
            "offers": np.bincount(base.offer_mun[masks.offers], minlength=n)[codes],
            "referral_base": np.bincount(base.offer_mun[no_referral], minlength=n)[codes],
            "referral_offers": np.bincount(
                base.offer_mun[no_referral & (base.offer_referral == 1)], minlength=n
            )[codes],
            "records": records,
            "verified": self.verified(today)[codes],
            "approximate": self.approximate[codes],
            "score": np.where(records > 0, score, 0.0),
            "mapped": (records > 0).astype(float),
            "has_population": m["population"].notna().to_numpy(float),
            "population": m["population"].fillna(0).to_numpy(float),
        }
        cells = {
            "theme": self._by_municipality(self._offers(replace(sel, themes=())), "theme")[codes],
            "target_group": self._by_municipality(
                self._offers(replace(sel, target_groups=())), "target_group"
            )[codes],
        }
        kept_pairs = masks.collaborations[base.collab_pair_collab]
        pair_collab = base.collab_pair_collab[kept_pairs]
        pair_row = self._row_of_code[base.collab_pair_mun[kept_pairs]]
        known = pair_row >= 0
        pair_collab, pair_row = pair_collab[known], pair_row[known]

        parts = []
        for level, gid, ng in self._levels:
            parts.append(self._level(level, gid, ng, per, cells, pair_collab, gid[pair_row]))
        out = pd.concat(parts, ignore_index=True)
        out = out.sort_values(["region_name", "is_region", "name"], na_position="last", kind="stable")
        return out.drop(columns="is_region").reset_index(drop=True)

    @cached_property
    def _by_code(self) -> pd.DataFrame:
        return self.municipalities.sort_values("municipality_code").reset_index(drop=True)

    @cached_property
    def _row_of_code(self) -> np.ndarray:
        """Row in ``_by_code`` of each municipality code (-1 for unknown codes)."""
        out = np.full(MAX_MUNICIPALITY_CODE, -1, dtype=np.int64)
        out[self._by_code["municipality_code"].to_numpy()] = np.arange(len(self.municipalities))
        return out

    @cached_property
    def _levels(self) -> list[tuple[pd.DataFrame, np.ndarray, int]]:
        """(level rows, group id of each municipality row, number of groups) for council, region, nation."""
        m = self._by_code
        out = []
        for level, key in (("council", "council_id"), ("region", "region_id"), ("national", None)):
            if key is None:
                gid = np.zeros(len(m), dtype=np.int64)
                rows = pd.DataFrame({"level": [level], "area_id": ["dk"], "name": ["Hele Danmark"]})
                rows["region_name"] = pd.array([None], dtype="str")
            else:
                ids, gid = np.unique(m[key].to_numpy(), return_inverse=True)
                first = m.drop_duplicates(key).set_index(key).loc[ids]
                rows = pd.DataFrame(
                    {
                        "level": level,
                        "area_id": ids,
                        "name": first["council_name" if level == "council" else "region_name"].to_numpy(),
                        "region_name": first["region_name"].to_numpy(),
                    }
                )
            out.append((rows, gid, len(rows)))
        return out

    @staticmethod
    def _level(
        rows: pd.DataFrame,
        gid: np.ndarray,
        ng: int,
        per: dict[str, np.ndarray],
        cells: dict[str, np.ndarray],
        pair_collab: np.ndarray,
        pair_gid: np.ndarray,
    ) -> pd.DataFrame:
        """One aggregation level of the comparison (council, region or national), in numpy."""

        def total(x: np.ndarray) -> np.ndarray:
            return np.bincount(gid, weights=x, minlength=ng)

        size = np.bincount(gid, minlength=ng)
        mapped = per["mapped"] > 0
        population = total(per["population"])
        complete = total(per["has_population"]) == size
        offers = total(per["offers"])
        out = rows.assign(
            is_region=rows["level"] == "region",
            n_municipalities=size,
            population=pd.array(np.where(complete, population, np.nan), dtype="Float64").astype("Int64"),
            organisations=total(per["organisations"]).astype(np.int64),
            offers=offers.astype(np.int64),
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            out["offers_per_10k"] = round_half_up(
                np.where(complete, offers * 10000.0 / population, np.nan), 1
            )
        span = int(pair_collab.max()) + 1 if len(pair_collab) else 1
        pairs = np.unique(pair_gid * span + pair_collab)  # each collaboration once per area
        out["collaborations"] = np.bincount(pairs // span, minlength=ng)
        out["referral_offers"] = total(per["referral_offers"]).astype(np.int64)
        out["referral_pct"] = _pct(total(per["referral_offers"]), total(per["referral_base"]))
        for axis, prefix in (("theme", "theme"), ("target_group", "target_group")):
            c = cells[axis]
            sums = np.zeros((ng, c.shape[1]))
            np.add.at(sums, gid, c)
            empty = np.bincount(gid[mapped], weights=(c[mapped] == 0).sum(axis=1), minlength=ng)
            out[f"{prefix}_gaps"] = (sums == 0).sum(axis=1)
            out[f"empty_{prefix}_cells_pct"] = _pct(empty, total(per["mapped"]) * c.shape[1])
        out["municipalities_unmapped"] = size - total(per["mapped"]).astype(np.int64)
        out["verified_pct"] = _pct(total(per["verified"]), total(per["records"]))
        out["approximate_pct"] = _pct(total(per["approximate"]), total(per["records"]))
        with np.errstate(divide="ignore", invalid="ignore"):
            out["score"] = round_half_up(total(per["score"]) / size).astype(np.int64)
        return out


def _pct(part, whole) -> np.ndarray:
    """100 × part / whole rounded to one decimal; NaN where whole is 0."""
    part, whole = np.asarray(part, dtype=float), np.asarray(whole, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return round_half_up(np.where(whole > 0, 100.0 * part / whole, np.nan), 1)


def _score(orgs, records, verified, approx, full_depth: int):
    """Score, depth %, verified % and approximate % per municipality (NaN where no records)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        depth = np.minimum(1.0, orgs / float(full_depth))
        r = np.where(records > 0, records, np.nan)
        raw = 40.0 * depth + 40.0 * verified / r + 20.0 * (1 - approx / r)
        return (
            round_half_up(raw),
            round_half_up(100.0 * depth, 1),
            round_half_up(100.0 * verified / r, 1),
            round_half_up(100.0 * approx / r, 1),
        )
