"""The collaborations (the real ones first, then synthetic ones) and their experiences."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import numpy as np

from etl.demo.arrays import _days_ago, _ids, _nullable, _pick, _quota
from etl.demo.catalogue import (
    _COLLAB_TEMPLATES,
    _DEPARTMENTS,
    _FUNDING,
    _LEARNINGS,
    _ORG_SIDE_ROLES,
    _THEME_CODES,
    _UNIT_TYPE_WEIGHTS,
    REAL_COLLABORATIONS,
    SOURCE_SYNTHETIC,
)
from etl.demo.geo import _Geo
from etl.demo.organisations import _Orgs
from etl.demo.scales import ScaleSpec
from etl.demo.units import _Units

# ---------------------------------------------------------------------------
# Collaborations and experiences
# ---------------------------------------------------------------------------


@dataclass
class _Collabs:
    columns: dict[str, object]
    n_known: int
    start: np.ndarray  # datetime64[D]
    end: np.ndarray  # datetime64[D]


_END_SHARES = (0.15, 0.08, 0.07, 0.10, 0.15, 0.40, 0.05)
"""Shares of synthetic collaborations: ended, ending within 3 / 6 / 12 months, later, open-ended, planned."""


def _collab_dates(
    rng: np.random.Generator, n: int, today: dt.date
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Start, end, status and kind per synthetic collaboration, with guaranteed shares of each end category."""
    t0 = np.datetime64(today, "D")
    cat = _quota(rng, n, _END_SHARES)
    days = lambda lo, hi: rng.integers(lo, hi, size=n).astype("timedelta64[D]")  # noqa: E731
    start = t0 - days(30, 6 * 365)
    end = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    ended = cat == 0
    start = np.where(ended, t0 - days(200, 6 * 365), start)
    span = (t0 - start).astype(np.int64) - 1
    end_ended = start + (np.minimum(90, span) + rng.random(n) * (span - np.minimum(90, span))).astype(
        "timedelta64[D]"
    )
    end = np.where(ended, end_ended, end)
    for c, (lo, hi) in ((1, (1, 91)), (2, (91, 183)), (3, (183, 366)), (4, (366, 3 * 365))):
        end = np.where(cat == c, t0 + days(lo, hi), end)
    planned = cat == 6
    start = np.where(planned, t0 + days(14, 180), start)
    end = np.where(planned & (rng.random(n) < 0.6), start + days(365, 3 * 365), end)
    status = np.where(ended, "afsluttet", np.where(planned, "planlagt", "aktiv")).astype(object)
    p_project = np.where(cat == 5, 0.2, 0.8)
    kind = np.where(rng.random(n) < p_project, "projekt", "drift").astype(object)
    kind[rng.random(n) < 0.05] = None
    return start, end, status, kind


def _collaborations(
    spec: ScaleSpec, rng: np.random.Generator, geo: _Geo, units: _Units, orgs: _Orgs, today: dt.date
) -> _Collabs:
    """Real collaborations first, then synthetic ones, at least one per council."""
    known = REAL_COLLABORATIONS
    n_known = len(known)
    n = max(spec.collaborations - n_known, 0)
    n_councils = len(geo.council_ids)
    synth = np.arange(orgs.n_known, len(orgs.muni_idx))
    org_council = geo.muni_council[orgs.muni_idx[synth]]

    # Council per collaboration: one per council first, then in proportion to the organisations.
    counts = np.bincount(org_council, minlength=n_councils).astype(float) + 1
    council = np.concatenate(
        [
            np.arange(min(n, n_councils)),
            rng.choice(n_councils, size=max(n - n_councils, 0), p=counts / counts.sum()),
        ]
    )

    # Unit pools per council and type.
    unit_council = np.where(units.muni_idx >= 0, geo.muni_council[np.maximum(units.muni_idx, 0)], -1)
    pools: list[dict[str, np.ndarray]] = []
    for c in range(n_councils):
        cid = geo.council_ids[c]
        in_pool = (unit_council == c) & ~np.isin(units.types, ["region", "social_virksomhed"])
        in_pool |= np.array([cid in s for s in units.serves])
        idx = np.nonzero(in_pool)[0]
        pools.append(
            {t: idx[units.types[idx] == t] for t in _UNIT_TYPE_WEIGHTS if (units.types[idx] == t).any()}
        )
    templates_by_type = {
        t: [i for i, ct in enumerate(_COLLAB_TEMPLATES) if ct.unit_type == t] for t in _UNIT_TYPE_WEIGHTS
    }
    template_masks = [sum(1 << _THEME_CODES.index(th) for th in ct.themes) for ct in _COLLAB_TEMPLATES]
    org_rows_by_council = [synth[org_council == c] for c in range(n_councils)]
    region_of_council = geo.council_region

    start, end, status, kind = _collab_dates(rng, n, today)
    form = np.array(["formel", "uformel", None], dtype=object)[_quota(rng, n, (0.55, 0.37, 0.08))]
    no_tovholder = _quota(rng, n, (0.8, 0.2)) == 1
    legal = np.array([True, False, None], dtype=object)[_quota(rng, n, (0.5, 0.3, 0.2))]
    n_orgs_per = np.array([1, 2, 3])[_quota(rng, n, (0.6, 0.28, 0.12))]
    explicit_munis = rng.random(n) < 0.25
    funding = _nullable(_pick(rng, np.array(_FUNDING, dtype=object), n), rng.random(n) < 0.25)

    unit_names = units.columns["name"].tolist()
    unit_ids = units.columns["unit_id"].tolist()
    unit_muni = units.muni_idx.tolist()
    org_names = orgs.columns["name"].tolist()
    org_ids = orgs.columns["organisation_id"].tolist()
    org_muni = orgs.muni_idx.tolist()
    muni_names = geo.muni_names.tolist()
    muni_codes = geo.muni_codes.tolist()
    pool_types = [list(pool) for pool in pools]
    pool_weights = [[_UNIT_TYPE_WEIGHTS[t] for t in pool] for pool in pools]
    pool_units = [{t: idx.tolist() for t, idx in pool.items()} for pool in pools]
    pool_all = [np.concatenate(list(pool.values())).tolist() for pool in pools]
    candidates: dict[tuple[int, int], np.ndarray] = {}

    def orgs_for(c: int, ti: int, k: int) -> list[int]:
        """Organisations in council ``c`` working with the template's themes (any, if too few)."""
        key = (c, ti)
        if key not in candidates:
            cand = org_rows_by_council[c]
            if len(cand) == 0:
                cand = synth[np.isin(org_council, np.nonzero(region_of_council == region_of_council[c])[0])]
            matching = cand[(orgs.theme_mask[cand] & template_masks[ti]) != 0]
            candidates[key] = matching if len(matching) >= 3 else cand
        cand = candidates[key]
        return [int(cand[j]) for j in py.sample(range(len(cand)), min(k, len(cand)))]

    # Scalar draws in the loop use Python's generator (seeded from numpy's), which is much faster.
    py = random.Random(int(rng.integers(2**62)))
    titles, descriptions, unit_lists, org_lists, themes, targets, tovholders, muni_lists = (
        [] for _ in range(8)
    )
    for i in range(n):
        c = int(council[i])
        utype = py.choices(pool_types[c], weights=pool_weights[c])[0]
        u0 = py.choice(pool_units[c][utype])
        chosen_units = [u0]
        if py.random() < 0.3:
            u1 = py.choice(pool_all[c])
            if u1 != u0:
                chosen_units.append(u1)
        ti = py.choice(templates_by_type[utype])
        ct = _COLLAB_TEMPLATES[ti]
        chosen_orgs = orgs_for(c, ti, int(n_orgs_per[i]))

        dept = py.choice(_DEPARTMENTS)
        m0 = unit_muni[u0] if unit_muni[u0] >= 0 and not units.serves[u0] else org_muni[chosen_orgs[0]]
        titles.append(ct.title.format(dept=dept))
        descriptions.append(
            f"{ct.description} Parter: {' og '.join(unit_names[u] for u in chosen_units)} samt "
            f"{', '.join(org_names[o] for o in chosen_orgs)}."
        )
        unit_lists.append([unit_ids[u] for u in chosen_units])
        org_lists.append([org_ids[o] for o in chosen_orgs])
        themes.append(list(ct.themes))
        targets.append(sorted(py.sample(ct.targets, min(1 + (py.random() < 0.5), len(ct.targets)))))
        if no_tovholder[i]:
            tovholders.append(None)
        elif py.random() < 0.3:
            tovholders.append(py.choice(_ORG_SIDE_ROLES))
        else:
            tovholders.append(py.choice(ct.roles).format(dept=dept, municipality=muni_names[m0]))
        if explicit_munis[i]:
            # a unit for the whole region (serves) belongs to no one municipality: its address is not involved
            involved = {
                muni_codes[unit_muni[u]] for u in chosen_units if unit_muni[u] >= 0 and not units.serves[u]
            }
            involved |= {muni_codes[org_muni[o]] for o in chosen_orgs if org_muni[o] >= 0}
            muni_lists.append([f"municipality:{m}" for m in sorted(involved)])
        else:
            muni_lists.append([])

    nat = np.full(n_known, np.datetime64("NaT"), dtype="datetime64[D]")
    columns = {
        "collaboration_id": _ids("SAM", n_known + n, 5),
        "title": np.array([k.title for k in known] + titles, dtype=object),
        "description": np.array([k.description for k in known] + descriptions, dtype=object),
        "unit_ids": [[units.by_name[u] for u in k.unit_names] for k in known] + unit_lists,
        "organisation_ids": [[orgs.by_name[o] for o in k.organisation_names] for k in known] + org_lists,
        "themes": [k.themes for k in known] + themes,
        "target_groups": [k.target_groups for k in known] + targets,
        "form": np.concatenate([[k.form for k in known], form]),
        "kind": np.concatenate([[k.kind for k in known], kind]),
        "start_date": np.concatenate([nat, start]),
        "end_date": np.concatenate([nat, end]),
        "funding": np.concatenate([[None] * n_known, funding]),
        "tovholder": np.array([None] * n_known + tovholders, dtype=object),
        "legal_review_done": np.concatenate([[None] * n_known, legal]),
        "status": np.concatenate([[k.status for k in known], status]),
        "municipalities": [k.municipalities for k in known] + muni_lists,
        "last_verified": np.concatenate([nat, _days_ago(rng, today, n, 3 * 365)]),
        "source": np.concatenate([[k.source for k in known], np.full(n, SOURCE_SYNTHETIC, dtype=object)]),
    }
    return _Collabs(columns, n_known, start, end)


def _experiences(spec: ScaleSpec, rng: np.random.Generator, collabs: _Collabs, today: dt.date) -> dict:
    """Experiences for a share of the synthetic collaborations that have started."""
    t0 = np.datetime64(today, "D")
    n_syn = len(collabs.start)
    started = np.nonzero(collabs.start < t0)[0]
    chosen = started[rng.random(len(started)) < spec.experience_share]
    per = 1 + (rng.random(len(chosen)) < 0.3).astype(np.int64)
    rows = np.repeat(chosen, per)
    n = len(rows)
    if n_syn == 0 or n == 0:
        rows = np.zeros(0, dtype=np.int64)
        n = 0
    stop = np.where(np.isnat(collabs.end[rows]), t0, np.minimum(collabs.end[rows], t0))
    span = np.maximum((stop - collabs.start[rows]).astype(np.int64), 1)
    date = collabs.start[rows] + (rng.random(n) * span).astype(np.int64).astype("timedelta64[D]")
    evaluation = np.array(["ingen", "intern", "ekstern", None], dtype=object)[
        _quota(rng, n, (0.42, 0.33, 0.2, 0.05))
    ]
    collab_ids = np.asarray(collabs.columns["collaboration_id"], dtype=object)[collabs.n_known + rows]
    links = np.array([f"https://evaluering.example.dk/{c.lower()}" for c in collab_ids], dtype=object)
    return {
        "experience_id": _ids("ERF", n, 5),
        "collaboration_id": collab_ids,
        "date": date,
        "learning": _pick(rng, np.array(_LEARNINGS, dtype=object), n),
        "evaluation": evaluation,
        "evaluation_link": _nullable(links, evaluation != "ekstern"),
    }
