"""BEFORE (kept for benchmarks/radar_latency.py only): the radar's organisation lists from numpy.

Until the build materialised the out_ tables, the page answered orphan organisations and organisations
in several councils from this class over the map's :class:`~civilkort.index.DataIndex`, because the
view-only SQL (``benchmarks/radar_before/*.sql``) took a few hundred milliseconds nationally. The page
now runs ``civilkort/sql/radar/*.sql`` only; this copy lets the benchmark print before and after in one
run. Not used by the app or the tests.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from civilkort.db import Database
from civilkort.filters import Selection
from civilkort.index import MAX_MUNICIPALITY_CODE, DataIndex, _and, _any_of


def _join_sorted(labels: np.ndarray, member: np.ndarray) -> pd.Series:
    """Per row, the labels whose column is True, sorted and joined by '; ' (rows x labels matrix).

    Rows share few distinct combinations, so each combination's text is made once."""
    if member.shape[0] == 0:
        return pd.Series([], dtype="str")
    bits = member.astype(np.int64) @ (np.int64(1) << np.arange(member.shape[1], dtype=np.int64))
    combos, row_combo = np.unique(bits, return_inverse=True)
    order = np.argsort(labels, kind="stable")
    texts = ["; ".join(labels[c] for c in order if combo >> c & 1) for combo in combos]
    return pd.Series(texts, dtype="str").iloc[row_combo].reset_index(drop=True)


def _take(values: pd.Series, rows: np.ndarray) -> pd.Series:
    """Rows of a column without converting it (pandas' string columns convert slowly from numpy)."""
    return values.iloc[rows].reset_index(drop=True)


class RadarIndex:
    """Orphan organisations and organisations in several councils, from a DataIndex."""

    def __init__(self, base: DataIndex, db: Database):
        self.base = base
        g = db.query(
            """SELECT g.organisation_id, g.organisation_type_label, m.municipality_name
               FROM organisations g LEFT JOIN municipalities m USING (municipality_code)
               ORDER BY g.organisation_id"""
        )
        self.org_id = g["organisation_id"]
        self.org_name = base.orgs["name"].reset_index(drop=True)
        self.org_type_label = g["organisation_type_label"]
        self.org_mun_name = g["municipality_name"]
        order = np.lexsort(
            (self.org_id.to_numpy(object), self.org_name.to_numpy(object))
        )  # ORDER BY name, organisation_id (binary, like DuckDB)
        self.org_rank = np.empty(len(order), dtype=np.int64)
        self.org_rank[order] = np.arange(len(order))
        org_pos = pd.Series(np.arange(len(g)), index=g["organisation_id"])

        labels = db.query(
            "SELECT code, label FROM vocabularies WHERE vocabulary = 'theme' ORDER BY sort_order"
        )
        label_of = dict(zip(labels["code"], labels["label"]))
        self.theme_labels = np.array([label_of.get(c, c) for c in base.themes], dtype=object)

        c = db.query(
            "SELECT collaboration_id, status, end_date FROM collaborations ORDER BY collaboration_id"
        )
        self.collab_closed = (c["status"] == "afsluttet").fillna(False).to_numpy(bool)
        self.collab_end = pd.to_datetime(c["end_date"]).to_numpy("datetime64[D]")
        collab_pos = pd.Series(np.arange(len(c)), index=c["collaboration_id"])
        p = db.query(
            "SELECT collaboration_id, partner_id FROM collaboration_partners WHERE partner_kind = 'organisation'"
        )
        self.partner_org = org_pos.reindex(p["partner_id"]).to_numpy(np.int64)
        self.partner_collab = collab_pos.reindex(p["collaboration_id"]).to_numpy(np.int64)
        # each collaboration's municipalities, as CSR offsets into base.collab_pair_mun
        counts = np.bincount(base.collab_pair_collab, minlength=len(c))
        self.collab_start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        self.collab_count = counts.astype(np.int64)

        m = db.query("SELECT municipality_code, council_id, council_name FROM municipalities")
        councils = sorted(set(m["council_id"]))
        council_no = {cid: i for i, cid in enumerate(councils)}
        self.council_of = np.full(MAX_MUNICIPALITY_CODE, -1, dtype=np.int64)
        self.council_of[m["municipality_code"].to_numpy()] = m["council_id"].map(council_no).to_numpy()
        names_of = dict(zip(m["council_id"], m["council_name"]))
        self.council_names = np.array([names_of[cid] for cid in councils], dtype=object)

    def _current(self, today: dt.date) -> np.ndarray:
        """Collaborations still running on ``today`` (not 'afsluttet', no end date before it)."""
        ended = self.collab_closed | (self.collab_end < np.datetime64(today, "D"))
        return ~ended

    def orphan_organisations(self, sel: Selection, today: dt.date) -> pd.DataFrame:
        """As ``sql/radar/orphan_organisations.sql``."""
        b = self.base
        n_orgs = len(self.org_id)
        offer_ok = b.offer_filter(sel)
        in_area = np.zeros(MAX_MUNICIPALITY_CODE, dtype=bool)
        in_area[sel.municipality_codes()] = True
        chosen = in_area[b.org_mun] & self.organisation_filter(sel)
        matching = offer_ok & chosen[b.offer_org]
        n_offers = np.bincount(b.offer_org[matching], minlength=n_orgs)
        current = self._current(today)[self.partner_collab]
        n_current = np.bincount(self.partner_org[current], minlength=n_orgs)
        n_ended = np.bincount(self.partner_org[~current], minlength=n_orgs)
        keep = np.flatnonzero(chosen & (n_offers > 0) & (n_current == 0))
        keep = keep[np.argsort(self.org_rank[keep], kind="stable")]
        themes = np.zeros((len(keep), len(b.themes)), dtype=bool)
        if len(keep):
            row_of = np.full(n_orgs, -1, dtype=np.int64)
            row_of[keep] = np.arange(len(keep))
            rows = row_of[b.offer_org[matching]]
            hit = rows >= 0
            for t in range(len(b.themes)):
                with_theme = b.offer_themes[matching, t] & hit
                themes[rows[with_theme], t] = True
        return pd.DataFrame(
            {
                "organisation_id": _take(self.org_id, keep),
                "name": _take(self.org_name, keep),
                "organisation_type_label": _take(self.org_type_label, keep),
                "municipality_name": _take(self.org_mun_name, keep),
                "n_offers": n_offers[keep].astype(np.int64),
                "themes": _join_sorted(self.theme_labels, themes),
                "n_ended_collaborations": n_ended[keep].astype(np.int64),
            }
        )

    def organisation_filter(self, sel: Selection) -> np.ndarray:
        """Organisations passing type, staffing and text (anywhere)."""
        return self.base.organisation_filter(sel)

    def multi_council_organisations(self, sel: Selection, today: dt.date) -> pd.DataFrame:
        """As ``sql/radar/multi_council_organisations.sql``."""
        b = self.base
        n_orgs, n_councils = len(self.org_id), len(self.council_names)
        offer_ok = b.offer_filter(sel)
        # places: (organisation, municipality, via) from matching offers and current collaborations
        off_org, off_mun = b.offer_org[offer_ok], b.offer_mun[offer_ok].astype(np.int64)
        collab_ok = _and(
            self._current(today),
            _any_of(b.collab_themes, b.themes, sel.themes),
            _any_of(b.collab_groups, b.groups, sel.target_groups),
            n=len(self.collab_closed),
        )
        pick = collab_ok[self.partner_collab]
        p_org, p_col = self.partner_org[pick], self.partner_collab[pick]
        reps = self.collab_count[p_col]
        col_org = np.repeat(p_org, reps)
        starts = np.repeat(self.collab_start[p_col], reps)
        within = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
        col_mun = b.collab_pair_mun[starts + within].astype(np.int64)

        in_area = np.zeros(MAX_MUNICIPALITY_CODE, dtype=bool)
        in_area[sel.municipality_codes()] = True
        works_here = np.zeros(n_orgs, dtype=bool)
        works_here[off_org[in_area[off_mun]]] = True
        works_here[col_org[in_area[col_mun]]] = True

        def council_sets(orgs: np.ndarray, muns: np.ndarray) -> np.ndarray:
            pairs = np.unique(orgs * n_councils + self.council_of[muns])
            out = np.zeros((n_orgs, n_councils), dtype=bool)
            out[pairs // n_councils, pairs % n_councils] = True
            return out

        by_offer = council_sets(off_org, off_mun)
        by_collab = council_sets(col_org, col_mun)
        every = by_offer | by_collab
        n_all = every.sum(axis=1)
        keep = np.flatnonzero(works_here & (n_all >= 2) & self.organisation_filter(sel))
        keep = keep[np.lexsort((self.org_rank[keep], -n_all[keep]))]
        return pd.DataFrame(
            {
                "organisation_id": _take(self.org_id, keep),
                "name": _take(self.org_name, keep),
                "organisation_type_label": _take(self.org_type_label, keep),
                "municipality_name": _take(self.org_mun_name, keep),
                "n_councils": n_all[keep].astype(np.int64),
                "councils": _join_sorted(self.council_names, every[keep]),
                "n_councils_offers": by_offer[keep].sum(axis=1).astype(np.int64),
                "n_councils_collaborations": by_collab[keep].sum(axis=1).astype(np.int64),
            }
        )
