-- When each record last changed: out_modified, read by the HSDS API (api/) for a service's
-- last_modified and for modified_after, the incremental sync other directories rely on (README "HSDS-API").
--
-- A record's row hash covers its public, placed row (what the app and the API show), not where in which
-- file it stood. It is compared with the build this one replaces (previous_modified, made by
-- etl/build.py: that build's out_modified, or empty when there is none): the same hash keeps that
-- build's time, a new or changed record gets this build's time ($built_at). So a rebuild of unchanged
-- data moves no record's time, and a client that syncs with modified_after misses no change; at worst
-- (a first build, a build without a previous one on this machine) it fetches records that did not change.
CREATE TABLE out_modified AS
WITH now_rows AS (
    SELECT 'offers' AS entity, offer_id AS record_id, md5(CAST(r AS VARCHAR)) AS row_hash
    FROM (SELECT * EXCLUDE (source_file, source_sheet, source_row, is_example) FROM core_offers) AS r
    UNION ALL
    SELECT 'organisations', organisation_id, md5(CAST(r AS VARCHAR))
    FROM (SELECT * EXCLUDE (source_file, source_sheet, source_row, is_example) FROM core_organisations) AS r
    UNION ALL
    SELECT 'regional_units', unit_id, md5(CAST(r AS VARCHAR))
    FROM (SELECT * EXCLUDE (source_file, source_sheet, source_row, is_example) FROM core_regional_units) AS r
    UNION ALL
    SELECT 'collaborations', collaboration_id, md5(CAST(r AS VARCHAR))
    FROM (SELECT * EXCLUDE (source_file, source_sheet, source_row, is_example) FROM core_collaborations) AS r
    UNION ALL
    SELECT 'experiences', experience_id, md5(CAST(r AS VARCHAR))
    FROM (SELECT * EXCLUDE (source_file, source_sheet, source_row, is_example) FROM core_experiences) AS r
)
SELECT n.entity, n.record_id, n.row_hash,
       CASE WHEN p.row_hash = n.row_hash THEN p.modified_at
            ELSE CAST($built_at AS TIMESTAMPTZ) END AS modified_at
FROM now_rows AS n
LEFT JOIN previous_modified AS p ON p.entity = n.entity AND p.record_id = n.record_id
ORDER BY n.entity, n.record_id;
