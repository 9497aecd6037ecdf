-- Reader tables (out_*): facts the app's figures filter on, flattened and pre-joined from the public
-- views once per build, so that one query per figure answers at national scale (README "Den offentlige
-- database"). Made after views.sql, from the views only; public like them.
--
-- Codes a figure filters by "any of" (themes, target groups) or counts distinct (councils) are stored as
-- bits of a BIGINT mask; out_bits says which bit is which code. A filter on themes becomes
-- theme_mask & <the chosen themes' bits> <> 0 instead of list_has_any over every row.

-- One row per code that an out_ table stores as a bit: vocabulary 'theme', 'target_group' (in the
-- vocabulary's order) and 'council' (in council_id order). At most 63 codes per vocabulary (checks.sql).
CREATE TABLE out_bits AS
WITH codes AS (
    SELECT vocabulary, code, label, sort_order FROM vocabularies WHERE vocabulary IN ('theme', 'target_group')
    UNION ALL
    SELECT 'council', council_id, council_name, 0 FROM councils
), numbered AS (
    SELECT *, row_number() OVER (PARTITION BY vocabulary ORDER BY sort_order, code) AS n FROM codes
)
SELECT vocabulary, code, label,
       CASE WHEN n <= 63 THEN CAST(1 AS BIGINT) << CAST(n - 1 AS BIGINT) END AS bit  -- beyond 63: checks.sql fails
FROM numbered
ORDER BY vocabulary, n;

-- code -> bit, one map per vocabulary, and a list of codes as the OR of their bits (build-time helpers).
CREATE TEMP TABLE out_bit_maps AS
SELECT map(list(code) FILTER (WHERE vocabulary = 'theme'), list(bit) FILTER (WHERE vocabulary = 'theme')) AS theme,
       map(list(code) FILTER (WHERE vocabulary = 'target_group'),
           list(bit) FILTER (WHERE vocabulary = 'target_group')) AS target_group,
       map(list(code) FILTER (WHERE vocabulary = 'council'), list(bit) FILTER (WHERE vocabulary = 'council')) AS council
FROM out_bits;
CREATE TEMP MACRO out_mask(codes, bits) AS
    coalesce(list_aggregate(list_transform(list_distinct(codes), lambda c: bits[c]), 'bit_or'), CAST(0 AS BIGINT));

-- One row per organisation, with what its lists show (type, municipality) and org_no, a number for fast
-- joins between out_ tables; name_rank orders by name (then id) as ORDER BY name, organisation_id would.
CREATE TABLE out_organisations AS
SELECT CAST(row_number() OVER (ORDER BY g.organisation_id) AS INTEGER) AS org_no,
       g.organisation_id, g.name,
       CAST(row_number() OVER (ORDER BY g.name, g.organisation_id) AS INTEGER) AS name_rank,
       g.organisation_type, g.organisation_type_label, g.staffing,
       g.municipality_code, m.municipality_name, g.council_id
FROM organisations g
LEFT JOIN municipalities m USING (municipality_code)
ORDER BY org_no;

-- One row per offer, with the codes the offer filters use; its themes and target groups as masks and the
-- council of its municipality as a one-bit mask (council_mask); its organisation's type and staffing, so
-- that the organisation filters need no join.
CREATE TABLE out_offers AS
SELECT o.offer_id, g.org_no, o.organisation_id, o.municipality_code,
       coalesce(k.council[m.council_id], 0) AS council_mask,
       out_mask(o.themes, k.theme) AS theme_mask, out_mask(o.target_groups, k.target_group) AS target_group_mask,
       o.prevention_level, o.status, o.accepts_social_referrals, g.organisation_type, g.staffing
FROM offers o
JOIN out_organisations g USING (organisation_id)
LEFT JOIN municipalities m ON m.municipality_code = o.municipality_code
CROSS JOIN out_bit_maps k
ORDER BY g.org_no, o.offer_id;

-- One row per (organisation, collaboration it is a partner in): the collaboration's status, end date,
-- themes and target groups (masks), municipalities and their councils (council_mask).
CREATE TABLE out_organisation_collaborations AS
SELECT g.org_no, p.partner_id AS organisation_id, c.collaboration_id, c.status, c.end_date,
       out_mask(c.themes, k.theme) AS theme_mask, out_mask(c.target_groups, k.target_group) AS target_group_mask,
       c.municipality_codes,
       out_mask(list_transform(c.municipality_codes, lambda code: councils[code]), k.council) AS council_mask
FROM collaboration_partners p
JOIN collaborations c USING (collaboration_id)
JOIN out_organisations g ON g.organisation_id = p.partner_id
CROSS JOIN out_bit_maps k
CROSS JOIN (SELECT map(list(municipality_code), list(council_id)) AS councils FROM municipalities)
WHERE p.partner_kind = 'organisation'
ORDER BY g.org_no, c.collaboration_id;

-- Per municipality and day last verified: the records (organisations and offers) placed there, for the
-- measures of the mapping itself (Huller's coverage, Sammenlign), which use no filter. A municipality
-- without a row here has no records: 'ikke kortlagt'.
CREATE TABLE out_records_by_day AS
SELECT municipality_code, last_verified,
       count(*) FILTER (WHERE is_organisation) AS organisations,
       count(*) FILTER (WHERE NOT is_organisation) AS offers,
       count(*) AS records,
       count(*) FILTER (WHERE location_precision <> 'coordinates') AS approximate
FROM (SELECT municipality_code, TRUE AS is_organisation, last_verified, location_precision FROM organisations
      UNION ALL
      SELECT municipality_code, FALSE, last_verified, location_precision FROM offers)
GROUP BY municipality_code, last_verified
ORDER BY municipality_code, last_verified;

DROP MACRO out_mask;
DROP TABLE out_bit_maps;
