"""The organisations: the known ones first, then synthetic ones spread over all councils."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.demo.arrays import (
    _Coded,
    _days_ago,
    _dedupe_suffix,
    _ids,
    _nullable,
    _per_unique,
    _pick,
    _quota,
    _slug,
)
from etl.demo.catalogue import (
    _CONTACT_ROLES,
    _MULTI_SHARE,
    _OFFER_KINDS,
    _ORG_TEMPLATES,
    _THEME_CODES,
    _THIN_MUNICIPALITIES,
    KNOWN_ORGANISATIONS,
    SOURCE_SYNTHETIC,
)
from etl.demo.geo import _choose_postcode, _Geo, _near
from etl.demo.scales import ScaleSpec

# ---------------------------------------------------------------------------
# Organisations
# ---------------------------------------------------------------------------


@dataclass
class _Orgs:
    columns: dict[str, object]
    n_known: int
    muni_idx: np.ndarray  # municipality index of every organisation (-1 unknown)
    template: np.ndarray  # template index per synthetic organisation (-1 for known ones)
    theme_mask: np.ndarray  # bit mask of the themes an organisation works with
    by_name: dict[str, str]


def _cvr_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Synthetic CVR numbers: 8 digits starting with 9 (not issued today) that pass the modulus-11 check."""
    weights = np.array([2, 7, 6, 5, 4, 3, 2])
    digits = np.empty((n, 7), dtype=np.int64)
    todo = np.arange(n)
    check = np.empty(n, dtype=np.int64)
    while len(todo):
        d = rng.integers(0, 10, size=(len(todo), 7))
        d[:, 0] = 9
        c = (-(d @ weights)) % 11
        ok = c < 10
        digits[todo[ok]] = d[ok]
        check[todo[ok]] = c[ok]
        todo = todo[~ok]
    number = digits @ (10 ** np.arange(7, 0, -1)) + check
    # A CVR number names one legal entity: replace repeats (about 4,000 at national scale) with the next
    # free valid numbers, without drawing more random numbers (so every other column stays the same).
    repeated = np.flatnonzero(pd.Series(number).duplicated().to_numpy())
    if len(repeated):
        used = set(number.tolist())
        prefix = 9_000_000
        for i in repeated:
            while True:
                prefix += 1
                c = -sum(int(d) * w for d, w in zip(str(prefix), weights)) % 11
                if c < 10 and prefix * 10 + c not in used:
                    break
            number[i] = prefix * 10 + c
            used.add(int(number[i]))
    return number.astype("U8").astype(object)


def _template_theme_masks() -> np.ndarray:
    masks = []
    for t in _ORG_TEMPLATES:
        m = 0
        for k in t.kinds:
            for th in _OFFER_KINDS[k].themes:
                m |= 1 << _THEME_CODES.index(th)
        masks.append(m)
    return np.array(masks, dtype=np.int64)


def _organisations(spec: ScaleSpec, rng: np.random.Generator, geo: _Geo, today: dt.date) -> _Orgs:
    """Known organisations first, then synthetic ones spread over all councils."""
    known = KNOWN_ORGANISATIONS
    n_known = len(known)
    n = max(spec.organisations - n_known, 0)
    n_councils = len(geo.council_ids)

    # Where: size-weighted municipalities with per-seed variation and a few thin ones;
    # the first two rounds go one per council so every council is covered at every scale.
    weight = geo.muni_weight * rng.lognormal(0.0, 0.2, size=len(geo.muni_codes))
    weight[np.isin(geo.muni_codes, _THIN_MUNICIPALITIES)] *= 0.05
    n_rr = min(n, 2 * n_councils)
    muni = np.empty(n, dtype=np.int64)
    for c in range(n_councils):
        members = np.nonzero(geo.muni_council == c)[0]
        rows = np.arange(c, n_rr, n_councils)
        w = weight[members]
        muni[rows] = members[rng.choice(len(members), size=len(rows), p=w / w.sum())]
    muni[n_rr:] = rng.choice(len(weight), size=n - n_rr, p=weight / weight.sum())
    council = geo.muni_council[muni]

    # What: template per organisation; each council lacks a couple of local templates (gaps).
    local = np.array([i for i, t in enumerate(_ORG_TEMPLATES) if not t.multi])
    multi = np.array([i for i, t in enumerate(_ORG_TEMPLATES) if t.multi])
    base_w = np.array([_ORG_TEMPLATES[i].weight for i in local])
    template = np.empty(n, dtype=np.int64)
    for c in range(n_councils):
        rows = np.nonzero(council == c)[0]
        w = base_w * rng.lognormal(0.0, 0.5, size=len(local))
        w[rng.choice(len(local), size=2, replace=False)] = 0.0
        template[rows] = local[rng.choice(len(local), size=len(rows), p=w / w.sum())]
    is_multi = _quota(rng, n, (1 - _MULTI_SHARE, _MULTI_SHARE)) == 1 if n else np.zeros(0, bool)
    template[is_multi] = _pick(rng, multi, int(is_multi.sum()))

    # Precision: coordinates / postcode only / municipality only.
    precision = _quota(rng, n, (0.75, 0.17, 0.08))
    pc = _choose_postcode(rng, geo, muni)
    lat, lon = _near(rng, geo, pc)
    has_xy = precision == 0
    has_pc = precision <= 1
    lat = np.where(has_xy, lat, np.nan)
    lon = np.where(has_xy, lon, np.nan)
    muni_given = (precision == 2) | (has_xy & (rng.random(n) < 0.9))

    # Names from template variants and the place (postcode town, municipality, or council for multi),
    # formatted once per distinct combination.
    places = np.concatenate([geo.pc_place, geo.muni_names, geo.council_short])
    n_places = len(places)
    place = np.where(has_pc, pc, len(geo.pc_place) + muni)
    place = np.where(is_multi, len(geo.pc_place) + len(geo.muni_names) + council, place)
    formats = [f for t in _ORG_TEMPLATES for f in t.names]
    f_start = np.cumsum([0] + [len(t.names) for t in _ORG_TEMPLATES])[:-1]
    f_count = np.array([len(t.names) for t in _ORG_TEMPLATES])
    fmt = f_start[template] + (rng.random(n) * f_count[template]).astype(np.int64)
    base = _per_unique(
        fmt * n_places + place, lambda k: formats[k // n_places].format(place=places[k % n_places])
    )
    suffix = _dedupe_suffix(base)
    names = base + suffix
    slug = _per_unique(base, _slug) + _per_unique(suffix, lambda x: "-" + _slug(x) if x else "")
    codes, uniques = pd.factorize(template * n_places + place)
    descriptions = _Coded(
        codes, [_ORG_TEMPLATES[k // n_places].description.format(place=places[k % n_places]) for k in uniques]
    )

    org_type = np.array(
        [_ORG_TEMPLATES[t].organisation_type for t in range(len(_ORG_TEMPLATES))], dtype=object
    )[template]
    staffing_p = np.array([_ORG_TEMPLATES[t].staffing for t in range(len(_ORG_TEMPLATES))])[template]
    staffing_codes = np.array(["frivillige", "loennede", "begge"], dtype=object)
    staffing = staffing_codes[(rng.random(n)[:, None] > np.cumsum(staffing_p, axis=1)).sum(axis=1).clip(0, 2)]
    staffing = _nullable(staffing, rng.random(n) < 0.08)
    informal = org_type == "uformelt_netvaerk"
    cvr = _nullable(_cvr_numbers(rng, n), informal | (rng.random(n) < 0.15))
    names, cvr = _respelled_duplicates(names, cvr, muni, template, is_multi)
    website = _nullable("https://" + slug + ".example.dk", rng.random(n) < np.where(informal, 0.6, 0.15))
    email = _nullable("kontakt@" + slug + ".example.dk", rng.random(n) < 0.12)
    contact = _nullable(_pick(rng, np.array(_CONTACT_ROLES, dtype=object), n), rng.random(n) < 0.35)

    known_muni = np.array([_known_muni_idx(geo, o.municipality) for o in known], dtype=np.int64)
    columns = {
        "organisation_id": _ids("ORG", n_known + n, 6),
        "name": np.concatenate([[o.name for o in known], names]),
        "cvr": np.concatenate([[None] * n_known, cvr]),
        "organisation_type": np.concatenate([[o.organisation_type for o in known], org_type]),
        "staffing": np.concatenate([[o.staffing for o in known], staffing]),
        "description": descriptions.after([o.description for o in known]),
        "website": np.concatenate([[o.website for o in known], website]),
        "email": np.concatenate([[None] * n_known, email]),
        "contact_person": np.concatenate([[None] * n_known, contact]),
        "postcode": np.concatenate([[o.postcode for o in known], _nullable(geo.pc_code[pc], ~has_pc)]),
        "city": np.concatenate(
            [
                [geo.pc_name[geo.postcode_index(o.postcode)] if o.postcode else None for o in known],
                _nullable(geo.pc_name[pc], ~has_pc),
            ]
        ),
        "lat": np.concatenate([np.full(n_known, np.nan), lat]),
        "lon": np.concatenate([np.full(n_known, np.nan), lon]),
        "municipality": np.concatenate(
            [
                [float(o.municipality) if o.municipality else np.nan for o in known],
                np.where(muni_given, geo.muni_codes[muni], np.nan),
            ]
        ),
        "last_verified": np.concatenate(
            [np.full(n_known, np.datetime64("NaT"), dtype="datetime64[D]"), _days_ago(rng, today, n, 3 * 365)]
        ),
        "source": np.concatenate([[o.source for o in known], np.full(n, SOURCE_SYNTHETIC, dtype=object)]),
    }
    all_names = columns["name"]
    return _Orgs(
        columns=columns,
        n_known=n_known,
        muni_idx=np.concatenate([known_muni, muni]),
        template=np.concatenate([np.full(n_known, -1), template]),
        theme_mask=np.concatenate([np.zeros(n_known, dtype=np.int64), _template_theme_masks()[template]]),
        by_name=dict(zip(all_names, columns["organisation_id"], strict=True)),
    )


DUPLICATES_PER_ORGANISATIONS = 400
"""One organisation in this many is registered twice, spelled differently (at least two per data set)."""

_ASCII_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})
_RESPELLINGS = (
    lambda s: re.sub(r"^(\S+) (\S+) ", r"\1\2, ", s) if s.count(" ") >= 2 else s.upper(),  # ÆldreSagen, Viby
    lambda s: s.translate(_ASCII_DANISH),  # Aeldre Sagen Aarhus
    lambda s: f"{s} - lokalafdeling",
    lambda s: s.upper(),
    lambda s: f"Foreningen {s}" if "forening" not in s.lower() else s.replace(" ", "  ").lower(),
)
"""Ways the same organisation gets written in another list; each leaves the compared name unchanged."""


def _respelled_duplicates(
    names: np.ndarray, cvr: np.ndarray, muni: np.ndarray, template: np.ndarray, is_multi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Make a few organisations a second registration of an earlier one in the same municipality.

    As when two lists are combined: the name respelled (case, æøå, punctuation, 'lokalafdeling'),
    every other one with the same CVR number. Deterministic, and draws no random numbers.
    """
    names, cvr = names.copy(), cvr.copy()
    n = len(names)
    local = np.flatnonzero(~is_multi)
    wanted = max(2, n // DUPLICATES_PER_ORGANISATIONS)
    if len(local) < 4:
        return names, cvr
    used: set[int] = set()
    made = 0
    for j in local[::-1][:: max(1, len(local) // (2 * wanted))]:
        if made == wanted:
            break
        same = np.flatnonzero((muni[:j] == muni[j]) & (template[:j] == template[j]) & ~is_multi[:j])
        same = [int(i) for i in same if int(i) not in used]
        if not same or int(j) in used:
            continue
        i = same[0]
        names[j] = _RESPELLINGS[made % len(_RESPELLINGS)](str(names[i]))
        cvr[j] = cvr[i] if made % 2 == 0 else None
        used.update((i, int(j)))
        made += 1
    return names, cvr


def _known_muni_idx(geo: _Geo, code: int | None) -> int:
    """Municipality index for an optional code (-1 when unknown)."""
    return -1 if code is None else geo.muni_index(code)
