"""What the pages ask of a build for a selection: the lists and details as SQL on the public views, with
bound parameters, and the map's figures (key figures, counts per municipality and per theme, the points)
from the in-memory index (``civilkort.index``), their one definition, which follows the lists' rules.

Each function takes the Database and the user's Selection and returns a DataFrame (or a small dict); pages
only call these and render. Without an ``index`` the figures use the database's shared one (``index.of``).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from civilkort import index as data_index
from civilkort import reference
from civilkort.db import Database
from civilkort.filters import Selection
from civilkort.index import DataIndex
from civilkort.schema import NO_THEME, NO_THEME_LABEL

# The offers matching a selection (area by the offer's place, every filter), joined to their organisation.
_OFFERS_CTE = """
sel_offers AS (
    SELECT o.*, g.name AS organisation_name, g.organisation_type, g.organisation_type_label,
           g.staffing, g.staffing_label
    FROM offers o
    JOIN organisations g USING (organisation_id)
    WHERE list_contains($codes, o.municipality_code)
      AND (len($themes) = 0 OR list_has_any(o.themes, $themes))
      AND (len($groups) = 0 OR list_has_any(o.target_groups, $groups))
      AND (len($levels) = 0 OR list_contains($levels, o.prevention_level))
      AND (len($statuses) = 0 OR list_contains($statuses, o.status))
      AND ($referrals = '' OR o.accepts_social_referrals = ($referrals = 'ja'))
      AND (len($orgtypes) = 0 OR list_contains($orgtypes, g.organisation_type))
      AND (len($staffing) = 0 OR list_contains($staffing, g.staffing))
      AND ($text = '' OR contains(lower(o.name), $text) OR contains(lower(o.description), $text) OR contains(lower(g.name), $text))
)"""

# The organisations matching a selection: in the area, organisation filters, and, when offer
# filters are set, at least one matching offer.
_ORGS_CTE = """
sel_orgs AS (
    SELECT g.*
    FROM organisations g
    WHERE list_contains($codes, g.municipality_code)
      AND (len($orgtypes) = 0 OR list_contains($orgtypes, g.organisation_type))
      AND (len($staffing) = 0 OR list_contains($staffing, g.staffing))
      AND (CASE WHEN $offer_filters
                THEN g.organisation_id IN (
                    SELECT o.organisation_id FROM offers o
                    WHERE (len($themes) = 0 OR list_has_any(o.themes, $themes))
                      AND (len($groups) = 0 OR list_has_any(o.target_groups, $groups))
                      AND (len($levels) = 0 OR list_contains($levels, o.prevention_level))
                      AND (len($statuses) = 0 OR list_contains($statuses, o.status))
                      AND ($referrals = '' OR o.accepts_social_referrals = ($referrals = 'ja')))
                ELSE TRUE END)
      AND ($text = '' OR contains(lower(g.name), $text) OR contains(lower(g.description), $text)
           OR g.organisation_id IN (SELECT organisation_id FROM offers WHERE contains(lower(name), $text)))
)"""

# Collaborations touching the area (any involved municipality), filtered by theme and target group.
_COLLAB_CTE = """
sel_collabs AS (
    SELECT c.*
    FROM collaborations c
    WHERE list_has_any(c.municipality_codes, $codes)
      AND (len($themes) = 0 OR list_has_any(c.themes, $themes))
      AND (len($groups) = 0 OR list_has_any(c.target_groups, $groups))
      AND ($text = '' OR contains(lower(c.title), $text) OR contains(lower(c.description), $text))
)"""


def params(sel: Selection) -> dict:
    """Bound parameters shared by the selection CTEs."""
    return {
        "codes": sel.municipality_codes(),
        "themes": list(sel.themes),
        "groups": list(sel.target_groups),
        "levels": list(sel.prevention_levels),
        "statuses": list(sel.statuses),
        "referrals": sel.referrals,
        "orgtypes": list(sel.organisation_types),
        "staffing": list(sel.staffing),
        "text": sel.text.strip().lower(),
        "offer_filters": sel.has_offer_filters,
    }


def _run(db: Database, ctes: list[str], body: str, sel: Selection, extra: dict | None = None) -> pd.DataFrame:
    p = params(sel)
    used = {k: v for k, v in p.items() if f"${k}" in "".join(ctes) + body}
    used.update(extra or {})
    casts = {
        "codes": "INTEGER[]",
        "themes": "VARCHAR[]",
        "groups": "VARCHAR[]",
        "levels": "VARCHAR[]",
        "statuses": "VARCHAR[]",
        "orgtypes": "VARCHAR[]",
        "staffing": "VARCHAR[]",
    }
    sql = ("WITH " + ",".join(ctes) + "\n" if ctes else "") + body
    for name, cast in casts.items():
        sql = sql.replace(f"${name}", f"${name}::{cast}")
    return db.query(sql, used)


def vocabulary(db: Database, name: str) -> pd.DataFrame:
    """code, label of one vocabulary in its display order."""
    return db.query(
        "SELECT code, label FROM vocabularies WHERE vocabulary = $v ORDER BY sort_order, label", {"v": name}
    )


def offers(db: Database, sel: Selection) -> pd.DataFrame:
    """The offers matching the selection, with their organisation and municipality names."""
    return _run(
        db,
        [_OFFERS_CTE],
        """SELECT o.offer_id, o.name, o.organisation_id, o.organisation_name, o.organisation_type_label,
                  coalesce(nullif(array_to_string(o.theme_labels, '; '), ''), $no_theme_label) AS themes,
                  array_to_string(o.target_group_labels, '; ') AS target_groups,
                  o.prevention_level_label, o.accepts_social_referrals, o.status_label, o.schedule, o.cost,
                  o.address, o.postcode, o.city, m.municipality_name, c.council_name, o.location_precision,
                  o.last_verified, o.source, o.description, o.lat, o.lon
           FROM sel_offers o JOIN municipalities m USING (municipality_code) JOIN councils c ON c.council_id = o.council_id
           ORDER BY o.name""",
        sel,
        {"no_theme_label": NO_THEME_LABEL},
    )


def organisations(db: Database, sel: Selection) -> pd.DataFrame:
    """The organisations matching the selection, with counts of offers and collaborations."""
    return _run(
        db,
        [_ORGS_CTE],
        """SELECT g.organisation_id, g.name, g.organisation_type_label, g.staffing_label, g.cvr,
                  g.address, g.postcode, g.city, m.municipality_name, c.council_name,
                  (SELECT count(*) FROM offers o WHERE o.organisation_id = g.organisation_id) AS n_offers,
                  (SELECT count(*) FROM collaboration_partners p
                    WHERE p.partner_kind = 'organisation' AND p.partner_id = g.organisation_id) AS n_collaborations,
                  g.website, g.email, g.contact_person, g.location_precision, g.last_verified, g.source,
                  g.description, g.lat, g.lon
           FROM sel_orgs g JOIN municipalities m USING (municipality_code) JOIN councils c ON c.council_id = g.council_id
           ORDER BY g.name""",
        sel,
    )


def collaborations(db: Database, sel: Selection) -> pd.DataFrame:
    """The collaborations touching the area, with partner names."""
    return _run(
        db,
        [_COLLAB_CTE],
        """SELECT c.collaboration_id, c.title,
                  (SELECT string_agg(u.name, '; ' ORDER BY u.name) FROM regional_units u WHERE list_contains(c.unit_ids, u.unit_id)) AS units,
                  (SELECT string_agg(g.name, '; ' ORDER BY g.name) FROM organisations g WHERE list_contains(c.organisation_ids, g.organisation_id)) AS organisations,
                  array_to_string(c.theme_labels, '; ') AS themes, array_to_string(c.target_group_labels, '; ') AS target_groups,
                  c.form_label, c.kind_label, c.start_date, c.end_date, c.is_open_ended, c.status_label,
                  c.funding, c.tovholder, c.legal_review_done,
                  (SELECT count(*) FROM experiences e WHERE e.collaboration_id = c.collaboration_id) AS n_experiences,
                  c.last_verified, c.source, c.description
           FROM sel_collabs c
           ORDER BY c.end_date NULLS LAST, c.title""",
        sel,
    )


def map_points(db: Database, sel: Selection, index: DataIndex | None = None) -> pd.DataFrame:
    """Points to draw: matching organisations, and matching offers held at their own address (``DataIndex.points``)."""
    index = index or data_index.of(db)
    return index.points(index.masks(sel))


def links(db: Database, sel: Selection) -> pd.DataFrame:
    """One line per (collaboration, unit, organisation) pair of the area's collaborations."""
    return _run(
        db,
        [_COLLAB_CTE],
        """SELECT c.collaboration_id, c.title, c.kind, u.lat AS unit_lat, u.lon AS unit_lon,
                  g.lat AS org_lat, g.lon AS org_lon
           FROM sel_collabs c, unnest(c.unit_ids) AS x(unit_id), unnest(c.organisation_ids) AS y(organisation_id)
           JOIN regional_units u ON u.unit_id = x.unit_id
           JOIN organisations g ON g.organisation_id = y.organisation_id""",
        sel,
    )


def municipality_measures(db: Database, sel: Selection, index: DataIndex | None = None) -> pd.DataFrame:
    """Per municipality of the area: offers, organisations, collaborations (all filtered), population, records_any
    (organisations and offers placed there, whatever the filters), offers_per_10k (``DataIndex.municipality_measures``)."""
    index = index or data_index.of(db)
    return index.municipality_measures(sel, index.masks(sel))


def key_figures(db: Database, sel: Selection, index: DataIndex | None = None) -> dict[str, int]:
    """Headline numbers for the selection: organisations, offers and collaborations (as the lists count them),
    the regional units belonging to the area and its municipalities without any records."""
    index = index or data_index.of(db)
    masks = index.masks(sel)
    counts = index.municipality_counts(masks).loc[sel.municipality_codes()]
    return {
        "organisations": int(masks.organisations.sum()),
        "offers": int(masks.offers.sum()),
        "collaborations": int(masks.collaborations.sum()),
        "units": index.unit_count(sel),
        "municipalities_without": int((counts["records_any"] == 0).sum()),
    }


def offers_by_theme(db: Database, sel: Selection, index: DataIndex | None = None) -> pd.DataFrame:
    """Number of matching offers per theme (every theme listed, zeros included), then a row 'Tema ikke
    angivet' counting the matching offers without a theme, where there are any."""
    index = index or data_index.of(db)
    n = index.offers_by_theme(index.masks(sel))
    labels = index.theme_vocabulary
    out = pd.DataFrame({"label": labels["label"], "n": labels["code"].map(n).fillna(0).astype(int)})
    if n[NO_THEME] > 0:
        out = pd.concat([out, pd.DataFrame({"label": [NO_THEME_LABEL], "n": [int(n[NO_THEME])]})])
    return out.reset_index(drop=True)


def _format_value(measure: str, value: float) -> str:
    if pd.isna(value):
        return "ingen data"
    if measure == "offers_per_10k":
        return f"{value:.1f} tilbud pr. 10.000 indbyggere".replace(".", ",")
    unit = {"offers": "tilbud", "organisations": "organisationer", "collaborations": "samarbejder"}[measure]
    return f"{int(value)} {unit}"


def _with_values(measures: pd.DataFrame, measure: str) -> pd.DataFrame:
    """``value`` and ``value_label`` for the chosen measure; 'ikke kortlagt' where nothing is recorded."""
    value = measures[measure].astype(float)
    # A municipality with no records at all (no organisation, no offer) is 'ikke kortlagt', not a zero.
    unmapped = (measures["records_any"] == 0).to_numpy()
    value[unmapped] = float("nan")
    labels = ["ikke kortlagt" if u else _format_value(measure, v) for u, v in zip(unmapped, value)]
    return measures.assign(value=value, value_label=labels)


def municipality_values(
    db: Database, sel: Selection, measure: str, index: DataIndex | None = None
) -> pd.DataFrame:
    """Per municipality of the area: the map's ``measure`` as ``value`` and ``value_label`` (the choropleth's
    numbers; NaN and 'ikke kortlagt' where nothing is recorded), for the tile map."""
    return _with_values(municipality_measures(db, sel, index), measure)


def map_layers(
    db: Database, sel: Selection, measure: str, index: DataIndex | None = None, *, points: bool = True
) -> dict:
    """Everything the map draws for a selection: areas coloured by ``measure``, points, units, links, bounds,
    and the area's inset for an outlying island (:func:`civilkort.inset.for_area`, or None).

    Links are only fetched when the links layer is on; points not with ``points=False`` (the caller draws
    them its own way: see ``ui.data.map_layers``). The area's shapes, outlines and units come from the index's
    per-area cache (:meth:`DataIndex.area_static`); only the filter-dependent values are computed.
    """
    index = index or data_index.of(db)
    measures = _with_values(municipality_measures(db, sel, index), measure)
    mpoints = measures[["municipality_code", "municipality_name", "lat", "lon", "value", "value_label"]]
    static = index.area_static(sel)
    areas = None
    if static["shapes"] is not None:
        by_code = measures.set_index("municipality_code")
        areas = static["shapes"].assign(
            value=static["shapes"]["municipality_code"].map(by_code["value"]),
            value_label=static["shapes"]["municipality_code"].map(by_code["value_label"]),
        )
    return {
        "areas": areas,
        "council_outlines": static["outlines"],
        "municipality_points": mpoints,
        "points": map_points(db, sel, index) if points else None,
        "units": static["units"],
        "links": links(db, sel) if "links" in sel.layers else None,
        "bounds": static["bounds"],
        "inset": static["inset"],
        "attribution": _attribution(db),
    }


def _attribution(db: Database) -> str:
    """Credit line for the map: boundary source, and that the data may be example data."""
    meta = db.meta()
    parts = []
    if meta.get("boundaries_loaded") == "true":
        parts.append(meta.get("boundaries_credit") or f"Grænser: {meta.get('boundaries_source', '')}")
    if meta.get("is_example") == "true":
        parts.append("Eksempeldata")
    return " · ".join(parts)


def has_boundaries(db: Database) -> bool:
    """True if the build loaded municipality boundaries."""
    return bool(db.scalar("SELECT count(*) FROM geo_municipalities"))


def municipality_shapes(db: Database, codes: list[int]) -> gpd.GeoDataFrame | None:
    """Display shapes (EPSG:4326) of the given municipalities, or None without boundaries."""
    df = db.query(
        "SELECT municipality_code, geojson FROM geo_municipalities WHERE list_contains($codes::INTEGER[], municipality_code)",
        {"codes": codes},
    )
    if df.empty:
        return None
    return gpd.GeoDataFrame(
        {"municipality_code": df["municipality_code"]}, geometry=shapely.from_geojson(df["geojson"]), crs=4326
    )


def organisation_detail(db: Database, organisation_id: str) -> dict[str, pd.DataFrame]:
    """An organisation with its offers, collaborations and their experiences."""
    p = {"id": organisation_id}
    return {
        "organisation": db.query(
            """SELECT g.*, m.municipality_name, c.council_name FROM organisations g
               JOIN municipalities m USING (municipality_code) JOIN councils c ON c.council_id = g.council_id
               WHERE organisation_id = $id""",
            p,
        ),
        "offers": db.query(
            """SELECT offer_id, name,
                      coalesce(nullif(array_to_string(theme_labels, '; '), ''), $no_theme_label) AS themes,
                      array_to_string(target_group_labels, '; ') AS target_groups, status_label,
                      accepts_social_referrals, schedule, cost, last_verified
               FROM offers WHERE organisation_id = $id ORDER BY name""",
            {**p, "no_theme_label": NO_THEME_LABEL},
        ),
        "collaborations": db.query(
            """SELECT c.collaboration_id, c.title,
                      (SELECT string_agg(u.name, '; ') FROM regional_units u WHERE list_contains(c.unit_ids, u.unit_id)) AS units,
                      c.kind_label, c.start_date, c.end_date, c.status_label, c.tovholder
               FROM collaborations c WHERE list_contains(c.organisation_ids, $id) ORDER BY c.start_date""",
            p,
        ),
        "experiences": db.query(
            """SELECT e.date, c.title AS collaboration, e.learning, e.evaluation_label, e.evaluation_link
               FROM experiences e JOIN collaborations c USING (collaboration_id)
               WHERE list_contains(c.organisation_ids, $id) ORDER BY e.date DESC""",
            p,
        ),
    }


def offer_detail(db: Database, offer_id: str) -> pd.DataFrame:
    """One offer with its organisation's name."""
    return db.query(
        """SELECT o.*, g.name AS organisation_name, m.municipality_name FROM offers o
           JOIN organisations g USING (organisation_id) JOIN municipalities m ON m.municipality_code = o.municipality_code
           WHERE o.offer_id = $id""",
        {"id": offer_id},
    )


def collaboration_detail(db: Database, collaboration_id: str) -> dict[str, pd.DataFrame]:
    """A collaboration with partner names and its experiences."""
    p = {"id": collaboration_id}
    return {
        "collaboration": db.query(
            """SELECT c.*,
                      (SELECT string_agg(u.name, '; ') FROM regional_units u WHERE list_contains(c.unit_ids, u.unit_id)) AS units,
                      (SELECT string_agg(g.name, '; ') FROM organisations g WHERE list_contains(c.organisation_ids, g.organisation_id)) AS organisations
               FROM collaborations c WHERE collaboration_id = $id""",
            p,
        ),
        "experiences": db.query(
            "SELECT date, learning, evaluation_label, evaluation_link FROM experiences WHERE collaboration_id = $id ORDER BY date DESC",
            p,
        ),
    }


def unit_detail(db: Database, unit_id: str) -> dict[str, pd.DataFrame]:
    """A regional unit and its collaborations."""
    p = {"id": unit_id}
    return {
        "unit": db.query("SELECT * FROM regional_units WHERE unit_id = $id", p),
        "collaborations": db.query(
            """SELECT c.title,
                      (SELECT string_agg(g.name, '; ') FROM organisations g WHERE list_contains(c.organisation_ids, g.organisation_id)) AS organisations,
                      c.kind_label, c.start_date, c.end_date, c.status_label
               FROM collaborations c WHERE list_contains(c.unit_ids, $id) ORDER BY c.start_date""",
            p,
        ),
    }


def network(db: Database, sel: Selection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Partnership network of the area: nodes (units and organisations) and weighted edges.

    A node's ``n_collaborations`` counts its collaborations (one with three partners counts once) and
    ``n_partners`` its partners; an edge's ``weight`` is the number of collaborations the two share."""
    edges = _run(
        db,
        [_COLLAB_CTE],
        """SELECT x.unit_id AS source, y.organisation_id AS target, count(*) AS weight,
                  string_agg(c.title, '; ') AS titles, list(c.collaboration_id) AS collaboration_ids
           FROM sel_collabs c, unnest(c.unit_ids) AS x(unit_id), unnest(c.organisation_ids) AS y(organisation_id)
           GROUP BY 1, 2""",
        sel,
    )
    ids = {"units": sorted(set(edges["source"])), "orgs": sorted(set(edges["target"]))}
    nodes = db.query(
        """SELECT unit_id AS node_id, name, 'regional_unit' AS kind, unit_type_label AS type_label
           FROM regional_units WHERE list_contains($units::VARCHAR[], unit_id)
           UNION ALL
           SELECT organisation_id, name, 'organisation', organisation_type_label
           FROM organisations WHERE list_contains($orgs::VARCHAR[], organisation_id)""",
        ids,
    )
    ends = pd.concat(
        [
            edges[["source", "collaboration_ids"]].set_axis(["node_id", "collaboration_id"], axis=1),
            edges[["target", "collaboration_ids"]].set_axis(["node_id", "collaboration_id"], axis=1),
        ]
    )
    counts = pd.DataFrame(
        {
            "n_collaborations": ends.explode("collaboration_id")
            .groupby("node_id")["collaboration_id"]
            .nunique(),
            "n_partners": ends.groupby("node_id").size(),
        }
    )
    nodes = nodes.merge(counts, left_on="node_id", right_index=True, how="left")
    return nodes, edges


_NETWORK_NODE = {
    "regional_unit": {
        "node": """SELECT n.unit_id AS node_id, n.name, n.unit_type_label AS type_label, n.lat, n.lon,
                          m.municipality_name, k.council_name
                   FROM regional_units n LEFT JOIN municipalities m USING (municipality_code)
                   LEFT JOIN councils k ON k.council_id = n.council_id WHERE n.unit_id = $id""",
        "mine": "c.unit_ids",
        "theirs": "c.organisation_ids",
        "partner": """SELECT organisation_id AS partner_id, name, organisation_type_label AS type_label
                      FROM organisations""",
    },
    "organisation": {
        "node": """SELECT n.organisation_id AS node_id, n.name, n.organisation_type_label AS type_label, n.lat,
                          n.lon, m.municipality_name, k.council_name
                   FROM organisations n LEFT JOIN municipalities m USING (municipality_code)
                   LEFT JOIN councils k ON k.council_id = n.council_id WHERE n.organisation_id = $id""",
        "mine": "c.organisation_ids",
        "theirs": "c.unit_ids",
        "partner": """SELECT unit_id AS partner_id, name, unit_type_label AS type_label FROM regional_units""",
    },
}


def network_node(db: Database, sel: Selection, kind: str, node_id: str) -> dict[str, pd.DataFrame]:
    """One node of :func:`network` (``kind`` 'regional_unit' or 'organisation'): the unit or organisation,
    its collaborations in the selection with their partners, themes and periods, and its partners with the
    number of collaborations they share."""
    q = _NETWORK_NODE[kind]
    extra = {"id": node_id}
    partner_cte = f"partner AS ({q['partner']})"
    return {
        "node": db.query(q["node"], extra),
        "collaborations": _run(
            db,
            [_COLLAB_CTE, partner_cte],
            f"""SELECT c.collaboration_id, c.title,
                       (SELECT string_agg(p.name, '; ' ORDER BY p.name) FROM partner p
                        WHERE list_contains({q["theirs"]}, p.partner_id)) AS partners,
                       array_to_string(c.theme_labels, '; ') AS themes, c.kind_label, c.status_label,
                       c.start_date, c.end_date, c.is_open_ended
                FROM sel_collabs c WHERE list_contains({q["mine"]}, $id)
                ORDER BY c.start_date NULLS LAST, c.title""",
            sel,
            extra,
        ),
        "partners": _run(
            db,
            [_COLLAB_CTE, partner_cte],
            f"""SELECT p.partner_id, p.name, p.type_label, count(*) AS n_shared,
                       string_agg(c.title, '; ' ORDER BY c.title) AS titles
                FROM sel_collabs c, unnest({q["theirs"]}) AS t(partner_id) JOIN partner p USING (partner_id)
                WHERE list_contains({q["mine"]}, $id)
                GROUP BY ALL ORDER BY n_shared DESC, p.name""",
            sel,
            extra,
        ),
    }


def council_table(db: Database) -> pd.DataFrame:
    """The council table with its source notes, for 'Om data'."""
    return db.query(
        """SELECT c.council_name, c.region_name, m.municipality_name, m.municipality_code,
                  m.is_single_source, m.source_note
           FROM municipalities m JOIN councils c USING (council_id)
           ORDER BY c.region_name, c.council_name, m.municipality_name"""
    )


def indicators(db: Database) -> pd.DataFrame:
    """The need indicators loaded, for 'Om data': name, unit (in Danish), period, source, file_name,
    municipalities (how many have a value). None in a build made before they were kept (schema 4)."""
    columns = ["name", "unit", "period", "source", "file_name", "municipalities"]
    if not db.scalar("SELECT count(*) FROM duckdb_views() WHERE view_name = 'indicator_meta'"):
        return pd.DataFrame(columns=columns)
    out = db.query(f"SELECT {', '.join(columns)} FROM indicator_meta ORDER BY name, indicator_id")
    return out.assign(unit=out["unit"].map(reference.INDICATOR_UNITS).fillna(out["unit"]))


def quality_report(db: Database) -> pd.DataFrame:
    """The stored data-quality report."""
    return db.query("SELECT measure, value FROM quality_report")


def quality_issues(db: Database, limit: int = 5000) -> pd.DataFrame:
    """Stored findings (warnings) from the build."""
    return db.query("SELECT * FROM quality_issues LIMIT $n", {"n": limit})
