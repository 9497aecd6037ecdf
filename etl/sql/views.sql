-- The public schema: stable views an analyst can query (documented in README.md).
-- core_* tables are the build's internals and may change; these views should not.

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

CREATE VIEW vocabularies AS
SELECT vocabulary, code, label, description, sort_order, is_builtin
FROM ref_vocabularies;

CREATE VIEW organisations AS
SELECT organisation_id, name, cvr, organisation_type, organisation_type_label, staffing, staffing_label,
       description, website, email, contact_person, address, postcode, city,
       lat, lon, location_precision, municipality_code, municipality_method, stated_municipality_code,
       council_id, region_id, last_verified, source, is_example,
       source_file, source_sheet, source_row
FROM core_organisations;

CREATE VIEW offers AS
SELECT offer_id, organisation_id, name, description, themes, theme_labels, target_groups, target_group_labels,
       prevention_level, prevention_level_label, accepts_social_referrals,
       has_own_location, address, postcode, city, lat, lon, location_precision,
       municipality_code, municipality_method, council_id, region_id,
       service_area, service_municipality_codes, schedule, cost, status, status_label,
       last_verified, source, is_example, source_file, source_sheet, source_row
FROM core_offers;

CREATE VIEW regional_units AS
SELECT unit_id, name, unit_type, unit_type_label, address, postcode, city, lat, lon, location_precision,
       municipality_code, municipality_method, council_id, region_id, source, is_example,
       source_file, source_sheet, source_row
FROM core_regional_units;

CREATE VIEW collaborations AS
SELECT collaboration_id, title, description, unit_ids, organisation_ids, themes, theme_labels,
       target_groups, target_group_labels, form, form_label, kind, kind_label,
       start_date, end_date, end_date IS NULL AS is_open_ended, funding, tovholder,
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
SELECT 1 AS sort_order, 'Organisationer' AS measure, (SELECT count(*) FROM core_organisations)::VARCHAR AS value
UNION ALL SELECT 2, 'Tilbud', (SELECT count(*) FROM core_offers)::VARCHAR
UNION ALL SELECT 3, 'Regionale enheder', (SELECT count(*) FROM core_regional_units)::VARCHAR
UNION ALL SELECT 4, 'Samarbejder', (SELECT count(*) FROM core_collaborations)::VARCHAR
UNION ALL SELECT 5, 'Erfaringer', (SELECT count(*) FROM core_experiences)::VARCHAR
UNION ALL SELECT 6, 'Advarsler', (SELECT count(*) FROM meta_quality_issues WHERE severity = 'advarsel')::VARCHAR
UNION ALL SELECT 7, 'Organisationer med omtrentlig placering (%)',
    (SELECT round(100.0 * n_approx / nullif(n, 0), 1)::VARCHAR FROM per_table WHERE tbl = 'organisations')
UNION ALL SELECT 8, 'Tilbud med omtrentlig placering (%)',
    (SELECT round(100.0 * n_approx / nullif(n, 0), 1)::VARCHAR FROM per_table WHERE tbl = 'offers')
UNION ALL SELECT 9, 'Organisationer verificeret inden for 12 måneder (%)',
    (SELECT round(100.0 * n_fresh / nullif(n, 0), 1)::VARCHAR FROM per_table WHERE tbl = 'organisations')
UNION ALL SELECT 10, 'Tilbud verificeret inden for 12 måneder (%)',
    (SELECT round(100.0 * n_fresh / nullif(n, 0), 1)::VARCHAR FROM per_table WHERE tbl = 'offers')
UNION ALL SELECT 11, 'Organisationer aldrig verificeret',
    (SELECT n_never::VARCHAR FROM per_table WHERE tbl = 'organisations')
UNION ALL SELECT 12, 'Nyeste verificering', (SELECT max(last_verified)::VARCHAR FROM located)
UNION ALL SELECT 13, 'Kommuner med grænser', (SELECT count(*)::VARCHAR FROM geo_municipalities)
ORDER BY sort_order;
