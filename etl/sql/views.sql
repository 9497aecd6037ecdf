-- The public schema: stable views an analyst can query (documented in README.md).
-- core_* tables are the build's internals and may change; these views should not.
-- Personal fields (email, contact_person, tovholder) are always NULL in a build: they live in the store
-- (civilkort/personal.py); has_<field> says whether one is registered.

CREATE VIEW regions AS
SELECT region_id, region_name, region_code
FROM ref_regions;

CREATE VIEW councils AS
SELECT c.council_id, c.council_name, c.region_id, r.region_name,
       (SELECT count(*) FROM ref_municipalities m WHERE m.council_id = c.council_id) AS n_municipalities,
       g.council_id IS NOT NULL AS has_boundary
FROM ref_councils c
JOIN ref_regions r USING (region_id)
LEFT JOIN geo_councils g USING (council_id);

CREATE VIEW municipalities AS
SELECT m.municipality_code, m.municipality_name, m.council_id, c.council_name, m.region_id,
       m.lon, m.lat, m.is_single_source, m.source_note,
       p.population, p.population_period,
       g.municipality_code IS NOT NULL AS has_boundary
FROM ref_municipalities m
JOIN ref_councils c USING (council_id)
LEFT JOIN ref_population p USING (municipality_code)
LEFT JOIN geo_municipalities g USING (municipality_code);

CREATE VIEW indicators AS
SELECT indicator_id, municipality_code, value FROM ref_indicators;

CREATE VIEW indicator_meta AS
SELECT indicator_id, name, unit, period, source, file_name, municipalities FROM ref_indicator_meta;

-- Which indicator counts each target group's people (etl/need_map.py): one row per target group, NULL
-- indicator_id where no indicator is mapped; origin 'standard' or the coordinator's file.
CREATE VIEW target_group_need AS
SELECT target_group, indicator_id, rule, origin FROM ref_target_group_need;

-- People in each target group per municipality, from its indicator: people as they are, a percentage or a
-- rate per 1,000 of the municipality's population (FOLK1A); NULL without population, never guessed.
CREATE VIEW target_group_people AS
SELECT n.target_group, n.indicator_id, i.municipality_code,
       CASE m.unit
           WHEN 'people' THEN i.value
           WHEN 'percent' THEN i.value * p.population / 100.0
           WHEN 'per_1000' THEN i.value * p.population / 1000.0
       END AS people
FROM ref_target_group_need n
JOIN ref_indicators i USING (indicator_id)
JOIN ref_indicator_meta m USING (indicator_id)
LEFT JOIN ref_population p USING (municipality_code);

CREATE VIEW vocabularies AS
SELECT vocabulary, code, label, description, sort_order, is_builtin
FROM ref_vocabularies;

CREATE VIEW organisations AS
SELECT organisation_id, name, cvr, organisation_type, organisation_type_label, staffing, staffing_label,
       description, website, email, contact_person, has_email, has_contact_person, address, postcode, city,
       lat, lon, location_precision, municipality_code, municipality_method, stated_municipality_code,
       council_id, region_id, last_verified, source, hsds_id, is_example,
       source_file, source_sheet, source_row
FROM core_organisations;

CREATE VIEW offers AS
SELECT offer_id, organisation_id, name, description, themes, theme_labels, target_groups, target_group_labels,
       prevention_level, prevention_level_label, accepts_social_referrals,
       has_own_location, address, postcode, city, lat, lon, location_precision,
       municipality_code, municipality_method, council_id, region_id,
       service_area, service_municipality_codes, schedule, cost, status, status_label,
       last_verified, source, hsds_id, is_example, source_file, source_sheet, source_row
FROM core_offers;

-- A region-wide unit (is_region_wide) belongs to its region: council_id is NULL, region_id is the region it
-- covers, municipality_code is its address's (where it is drawn). area_municipality_codes: the municipalities
-- it belongs to (its own; a region-wide unit's every covered one). A unit is in an area when the area holds
-- all of area_municipality_codes; serves is the raw 'Dækker' list.
CREATE VIEW regional_units AS
SELECT unit_id, name, unit_type, unit_type_label, address, postcode, city, lat, lon, location_precision,
       municipality_code, municipality_method, council_id, region_id,
       is_region_wide, area_municipality_codes, serves, source, is_example,
       source_file, source_sheet, source_row
FROM core_regional_units;

CREATE VIEW collaborations AS
SELECT collaboration_id, title, description, unit_ids, organisation_ids, themes, theme_labels,
       target_groups, target_group_labels, form, form_label, kind, kind_label,
       start_date, end_date, end_date IS NULL AS is_open_ended, funding, tovholder, has_tovholder,
       legal_review_done, status, status_label,
       municipality_code, council_id, region_id, municipality_codes, council_ids,
       last_verified, source, is_example, source_file, source_sheet, source_row
FROM core_collaborations;

CREATE VIEW collaboration_partners AS
SELECT c.collaboration_id, 'regional_unit' AS partner_kind, u.unit_id AS partner_id
FROM core_collaborations c, unnest(c.unit_ids) AS u(unit_id)
UNION ALL
SELECT c.collaboration_id, 'organisation', o.organisation_id
FROM core_collaborations c, unnest(c.organisation_ids) AS o(organisation_id);

CREATE VIEW experiences AS
SELECT e.experience_id, e.collaboration_id, e.date, e.learning, e.evaluation, e.evaluation_label,
       e.evaluation_link, c.municipality_code, c.council_id, e.source_file, e.source_sheet, e.source_row
FROM core_experiences e
JOIN core_collaborations c USING (collaboration_id);

CREATE VIEW quality_issues AS
SELECT severity, message, file, sheet, "row", "column", value, hint
FROM meta_quality_issues;

CREATE VIEW build_info AS
SELECT key, value FROM meta_build;

-- Likely duplicates left after the coordinators' decisions (etl/duplicates.py; README "Dubletter"):
-- one row per pair, best first by score, both records side by side (_a, _b).
CREATE VIEW duplicate_candidates AS
WITH ids AS (
    SELECT kind, key_a AS id FROM core_duplicate_candidates
    UNION SELECT kind, key_b FROM core_duplicate_candidates
), offer_counts AS (
    SELECT organisation_id AS id, count(*) AS n FROM core_offers
    WHERE organisation_id IN (SELECT id FROM ids WHERE kind = 'organisation')
    GROUP BY 1
), collaboration_counts AS (
    SELECT p.partner_kind AS kind, p.partner_id AS id, count(DISTINCT p.collaboration_id) AS n
    FROM collaboration_partners p
    JOIN ids ON ids.kind = p.partner_kind AND ids.id = p.partner_id
    GROUP BY 1, 2
), records AS (
    SELECT 'organisation' AS kind, organisation_id AS id, name, cvr, address, postcode, city,
           municipality_code, council_id, source_file, source_sheet, source_row
    FROM core_organisations
    UNION ALL
    SELECT 'regional_unit', unit_id, name, NULL::VARCHAR, address, postcode, city,
           municipality_code, council_id, source_file, source_sheet, source_row
    FROM core_regional_units
), detail AS (
    SELECT r.*, m.municipality_name, coalesce(o.n, 0) AS n_offers, coalesce(c.n, 0) AS n_collaborations
    FROM records r
    JOIN ids USING (kind, id)
    LEFT JOIN ref_municipalities m USING (municipality_code)
    LEFT JOIN offer_counts o ON r.kind = 'organisation' AND o.id = r.id
    LEFT JOIN collaboration_counts c ON c.kind = r.kind AND c.id = r.id
)
SELECT d.kind, d.pair_key, d.key_a, d.key_b, d.score, d.reasons,
       d.same_cvr, d.similar_name, d.same_address, d.name_similarity,
       a.name AS name_a, a.cvr AS cvr_a, a.address AS address_a, a.postcode AS postcode_a, a.city AS city_a,
       a.municipality_code AS municipality_code_a, a.municipality_name AS municipality_name_a,
       a.council_id AS council_id_a, a.source_file AS source_file_a, a.source_sheet AS source_sheet_a,
       a.source_row AS source_row_a, a.n_offers AS n_offers_a, a.n_collaborations AS n_collaborations_a,
       b.name AS name_b, b.cvr AS cvr_b, b.address AS address_b, b.postcode AS postcode_b, b.city AS city_b,
       b.municipality_code AS municipality_code_b, b.municipality_name AS municipality_name_b,
       b.council_id AS council_id_b, b.source_file AS source_file_b, b.source_sheet AS source_sheet_b,
       b.source_row AS source_row_b, b.n_offers AS n_offers_b, b.n_collaborations AS n_collaborations_b
FROM core_duplicate_candidates d
JOIN detail a ON a.kind = d.kind AND a.id = d.key_a
JOIN detail b ON b.kind = d.kind AND b.id = d.key_b
ORDER BY d.score DESC, d.pair_key;

-- One row per measure; the CLI prints it and the app shows it.
CREATE VIEW quality_report AS
WITH located AS (
    SELECT 'organisations' AS tbl, location_precision, last_verified FROM core_organisations
    UNION ALL SELECT 'offers', location_precision, last_verified FROM core_offers
), per_table AS (
    SELECT tbl,
           count(*) AS n,
           count(*) FILTER (WHERE location_precision <> 'coordinates') AS n_approx,
           count(*) FILTER (WHERE last_verified >= current_date - INTERVAL 12 MONTH) AS n_fresh,
           count(*) FILTER (WHERE last_verified IS NULL) AS n_never
    FROM located GROUP BY tbl
)
SELECT 1 AS sort_order, 'Organisationer' AS measure, format('{:t.}', (SELECT count(*) FROM core_organisations)) AS value
UNION ALL SELECT 2, 'Tilbud', format('{:t.}', (SELECT count(*) FROM core_offers))
UNION ALL SELECT 3, 'Regionale enheder', format('{:t.}', (SELECT count(*) FROM core_regional_units))
UNION ALL SELECT 4, 'Heraf enheder for hele regionen',
    format('{:t.}', (SELECT count(*) FILTER (WHERE is_region_wide) FROM core_regional_units))
UNION ALL SELECT 5, 'Samarbejder', format('{:t.}', (SELECT count(*) FROM core_collaborations))
UNION ALL SELECT 6, 'Erfaringer', format('{:t.}', (SELECT count(*) FROM core_experiences))
UNION ALL SELECT 6.5, 'Tilbud uden tema (tema ikke angivet)',
    format('{:t.}', (SELECT count(*) FROM core_offers WHERE len(themes) = 0))
UNION ALL SELECT 7, 'Advarsler', format('{:t.}', (SELECT count(*) FROM meta_quality_issues WHERE severity = 'advarsel'))
UNION ALL SELECT 8, 'Organisationer med omtrentlig placering (%)',
    (SELECT replace(round(100.0 * n_approx / nullif(n, 0), 1)::VARCHAR, '.', ',') FROM per_table WHERE tbl = 'organisations')
UNION ALL SELECT 9, 'Tilbud med omtrentlig placering (%)',
    (SELECT replace(round(100.0 * n_approx / nullif(n, 0), 1)::VARCHAR, '.', ',') FROM per_table WHERE tbl = 'offers')
UNION ALL SELECT 10, 'Organisationer verificeret inden for 12 måneder (%)',
    (SELECT replace(round(100.0 * n_fresh / nullif(n, 0), 1)::VARCHAR, '.', ',') FROM per_table WHERE tbl = 'organisations')
UNION ALL SELECT 11, 'Tilbud verificeret inden for 12 måneder (%)',
    (SELECT replace(round(100.0 * n_fresh / nullif(n, 0), 1)::VARCHAR, '.', ',') FROM per_table WHERE tbl = 'offers')
UNION ALL SELECT 12, 'Organisationer aldrig verificeret',
    (SELECT format('{:t.}', n_never) FROM per_table WHERE tbl = 'organisations')
UNION ALL SELECT 13, 'Nyeste verificering', (SELECT strftime(max(last_verified), '%d-%m-%Y') FROM located)
UNION ALL SELECT 14, 'Kommuner med grænser', format('{:t.}', (SELECT count(*) FROM geo_municipalities))
ORDER BY sort_order;
