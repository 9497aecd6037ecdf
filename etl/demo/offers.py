"""The offers: the known ones first, then synthetic offers of the synthetic organisations."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np

from etl.demo.arrays import _Coded, _days_ago, _flat_pick, _ids, _nullable, _objects, _quota
from etl.demo.catalogue import _OFFER_KINDS, _ORG_TEMPLATES, KNOWN_OFFERS, SOURCE_SYNTHETIC
from etl.demo.geo import _choose_muni, _choose_postcode, _Geo, _near
from etl.demo.organisations import _Orgs
from etl.demo.scales import ScaleSpec

# ---------------------------------------------------------------------------
# Offers
# ---------------------------------------------------------------------------


def _offers(spec: ScaleSpec, rng: np.random.Generator, geo: _Geo, orgs: _Orgs, today: dt.date) -> dict:
    """Known offers first, then synthetic offers of the synthetic organisations."""
    known = KNOWN_OFFERS
    n_known = len(known)
    n_orgs = len(orgs.template) - orgs.n_known
    n = max(spec.offers - n_known, 0)
    synth = np.arange(orgs.n_known, orgs.n_known + n_orgs)
    template = orgs.template[synth]
    is_multi = np.array([_ORG_TEMPLATES[t].multi for t in template], dtype=bool)

    # Owners: every organisation one offer, multi-council ones two more, the rest skewed at random.
    first = synth[: min(n, n_orgs)]
    multi_orgs = synth[is_multi]
    extra_multi = np.repeat(multi_orgs, 2)[: max(n - len(first), 0)]
    n_rest = n - len(first) - len(extra_multi)
    w = rng.gamma(1.5, 1.0, size=n_orgs)
    rest = synth[rng.choice(n_orgs, size=n_rest, p=w / w.sum())] if n_rest > 0 else np.zeros(0, np.int64)
    owner = np.sort(np.concatenate([first, extra_multi, rest]).astype(np.int64), kind="stable")
    o_template = orgs.template[owner]
    o_multi = np.array([_ORG_TEMPLATES[t].multi for t in range(len(_ORG_TEMPLATES))])[o_template]
    o_muni = orgs.muni_idx[owner]

    # Kind of activity, from the owner's template.
    kind_keys = list(_OFFER_KINDS)
    kind_table = np.full((len(_ORG_TEMPLATES), max(len(t.kinds) for t in _ORG_TEMPLATES)), -1, dtype=np.int64)
    n_kinds = np.array([len(t.kinds) for t in _ORG_TEMPLATES])
    for i, t in enumerate(_ORG_TEMPLATES):
        kind_table[i, : len(t.kinds)] = [kind_keys.index(k) for k in t.kinds]
    kind = kind_table[o_template, (rng.random(n) * n_kinds[o_template]).astype(np.int64)]
    kinds = [_OFFER_KINDS[k] for k in kind_keys]

    names = _flat_pick(rng, [k.names for k in kinds], kind)
    descriptions = _Coded(kind, [k.description for k in kinds])

    # Themes (fixed per kind) and 1-2 target groups from the kind's list (a few left empty).
    themes = _objects([k.themes for k in kinds])[kind]
    combos = [[(t,) for t in k.targets] + list(itertools.combinations(k.targets, 2)) for k in kinds]
    targets = _flat_pick(rng, combos, kind)
    no_targets = np.nonzero(rng.random(n) < 0.08)[0]
    targets[no_targets] = _objects([()] * len(no_targets))

    prev_p = np.array([k.prevention for k in kinds])[kind]
    prev_codes = np.array(["primaer", "sekundaer", "tertiaer", None], dtype=object)
    prevention = prev_codes[(rng.random(n)[:, None] > np.cumsum(prev_p, axis=1)).sum(axis=1)]
    ref_p = np.array([k.referral for k in kinds])[kind]
    referrals = np.where(rng.random(n) < ref_p, True, False).astype(object)
    referrals[rng.random(n) < 0.12] = None

    schedules = _nullable(_flat_pick(rng, [k.schedules for k in kinds], kind), rng.random(n) < 0.1)
    costs = _nullable(_flat_pick(rng, [k.costs for k in kinds], kind), rng.random(n) < 0.15)
    status = np.array(["aktiv", "pause", "ophoert"], dtype=object)[_quota(rng, n, (0.88, 0.07, 0.05))]
    status = _nullable(status, rng.random(n) < 0.05)

    # Own location: multi-council organisations mostly elsewhere in their region, others sometimes
    # at another postcode (rarely a neighbouring municipality in the same council).
    first_of_owner = np.r_[True, owner[1:] != owner[:-1]]
    own = np.where(o_multi, ~first_of_owner & (rng.random(n) < 0.85), rng.random(n) < 0.22)
    home_council = geo.muni_council[o_muni]
    target_muni = o_muni.copy()
    for region in np.unique(geo.muni_region):
        in_region = np.nonzero(geo.muni_region == region)[0]
        rows = np.nonzero(own & o_multi & (geo.muni_region[o_muni] == region))[0]
        if len(rows):
            cand = _choose_muni(rng, geo, len(rows) * 3, in_region).reshape(len(rows), 3)
            other = geo.muni_council[cand] != home_council[rows, None]
            pick = np.where(other.any(axis=1), other.argmax(axis=1), 0)
            target_muni[rows] = cand[np.arange(len(rows)), pick]
    neighbour = own & ~o_multi & (rng.random(n) < 0.25)
    for c in range(len(geo.council_ids)):
        rows = np.nonzero(neighbour & (home_council == c))[0]
        if len(rows):
            target_muni[rows] = _choose_muni(rng, geo, len(rows), np.nonzero(geo.muni_council == c)[0])
    pc = _choose_postcode(rng, geo, target_muni)
    owner_pc_code = np.asarray(orgs.columns["postcode"], dtype=object)[owner]
    same = (geo.pc_code[pc] == owner_pc_code) & (geo.pc_count[target_muni] > 1)
    pc = np.where(
        same, geo.pc_start[target_muni] + (pc - geo.pc_start[target_muni] + 1) % geo.pc_count[target_muni], pc
    )
    own_xy = own & (rng.random(n) < 0.8)
    lat, lon = _near(rng, geo, pc)
    own_muni_given = own & (own_xy & (rng.random(n) < 0.9))

    # Service area: mostly empty (own municipality); some neighbours, council, region or national.
    area_kind = _quota(rng, n, (0.82, 0.08, 0.06, 0.03, 0.01))
    area_kind = np.where(o_multi & (area_kind == 0), 3, area_kind)
    o_region = geo.muni_region[target_muni]
    partner = _choose_muni(rng, geo, n)  # replaced below by a municipality in the same council
    for c in range(len(geo.council_ids)):
        rows = np.nonzero((area_kind == 1) & (geo.muni_council[target_muni] == c))[0]
        if len(rows):
            partner[rows] = _choose_muni(rng, geo, len(rows), np.nonzero(geo.muni_council == c)[0])
    # Area codes by table lookup: municipalities, then councils, then regions, then national, then none.
    regions = np.unique(geo.muni_region)
    area_codes = _objects(
        [f"municipality:{c}" for c in geo.muni_codes]
        + [f"council:{c}" for c in geo.council_ids]
        + [f"region:{r}" for r in regions]
        + ["national:DK", None]
    )
    n_m, n_c = len(geo.muni_codes), len(geo.council_ids)
    lo = np.minimum(target_muni, partner)  # municipality indices are sorted by code
    hi = np.maximum(target_muni, partner)
    first_idx = np.select(
        [area_kind == 1, area_kind == 2, area_kind == 3, area_kind == 4],
        [
            lo,
            n_m + geo.muni_council[target_muni],
            n_m + n_c + np.searchsorted(regions, o_region),
            len(area_codes) - 2,
        ],
        len(area_codes) - 1,
    )
    first_area = area_codes[first_idx]
    second_area = area_codes[np.where((area_kind == 1) & (lo != hi), hi, len(area_codes) - 1)]
    service = [
        [] if a is None else [a] if b is None else [a, b]
        for a, b in zip(first_area, second_area, strict=True)
    ]

    ids = _ids("TILBUD", n_known + n, 6)
    k_org = np.array([orgs.by_name[o.organisation] for o in known], dtype=object)
    synth_org_ids = np.asarray(orgs.columns["organisation_id"], dtype=object)[owner]
    return {
        "offer_id": ids,
        "organisation_id": np.concatenate([k_org, synth_org_ids]),
        "name": np.concatenate([[o.name for o in known], names]),
        "description": descriptions.after([o.description for o in known]),
        "themes": [o.themes for o in known] + list(themes),
        "target_groups": [o.target_groups for o in known] + list(targets),
        "prevention_level": np.concatenate([[o.prevention_level for o in known], prevention]),
        "accepts_social_referrals": np.concatenate([[o.accepts_social_referrals for o in known], referrals]),
        "postcode": np.concatenate([[o.postcode for o in known], _nullable(geo.pc_code[pc], ~own)]),
        "city": np.concatenate(
            [
                [geo.pc_name[geo.postcode_index(o.postcode)] if o.postcode else None for o in known],
                _nullable(geo.pc_name[pc], ~own),
            ]
        ),
        "lat": np.concatenate([np.full(n_known, np.nan), np.where(own_xy, lat, np.nan)]),
        "lon": np.concatenate([np.full(n_known, np.nan), np.where(own_xy, lon, np.nan)]),
        "municipality": np.concatenate(
            [
                [float(o.municipality) if o.municipality else np.nan for o in known],
                np.where(own_muni_given, geo.muni_codes[target_muni], np.nan),
            ]
        ),
        "service_area": [o.service_area for o in known] + service,
        "schedule": np.concatenate([[o.schedule for o in known], schedules]),
        "cost": np.concatenate([[None] * n_known, costs]),
        "status": np.concatenate([["aktiv"] * n_known, status]),
        "last_verified": np.concatenate(
            [np.full(n_known, np.datetime64("NaT"), dtype="datetime64[D]"), _days_ago(rng, today, n, 3 * 365)]
        ),
        "source": np.concatenate([[o.source for o in known], np.full(n, SOURCE_SYNTHETIC, dtype=object)]),
    }
