-- Huller: tilbud pr. kommune × tema i det valgte område. Én række pr. (kommune, tema), nuller med.
--
-- * Et tilbud med flere temaer tælles under hvert af dem; kommunen er tilbuddets egen (som på kortet).
-- * Findes der tilbud uden tema (fra HSDS), har tabellen en sidste kolonne 'Tema ikke angivet'
--   (nøgle 'ikke_angivet', civilkort.schema.NO_THEME), der tæller dem.
-- * Parametre som queries.params(sel). Temaet er krydstabellens akse, så temafilteret ($themes)
--   bruges ikke her; alle andre filtre gælder.
-- * row_mapped er FALSE for en kommune uden nogen registreringer (organisationer eller tilbud, uanset
--   filtre): 'ikke kortlagt', ikke et hul.
-- * per_10k: tilbud pr. 10.000 indbyggere (NULL uden folketal).
WITH sel_offers AS (
    SELECT o.offer_id, o.municipality_code, o.themes
    FROM offers o
    JOIN organisations g USING (organisation_id)
    WHERE list_contains($codes::INTEGER[], o.municipality_code)
      AND (len($groups::VARCHAR[]) = 0 OR list_has_any(o.target_groups, $groups::VARCHAR[]))
      AND (len($levels::VARCHAR[]) = 0 OR list_contains($levels::VARCHAR[], o.prevention_level))
      AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], o.status))
      AND ($referrals = '' OR o.accepts_social_referrals = ($referrals = 'ja'))
      AND (len($orgtypes::VARCHAR[]) = 0 OR list_contains($orgtypes::VARCHAR[], g.organisation_type))
      AND (len($staffing::VARCHAR[]) = 0 OR list_contains($staffing::VARCHAR[], g.staffing))
      AND ($text = '' OR contains(lower(o.name), $text) OR contains(lower(o.description), $text)
           OR contains(lower(g.name), $text))
),
mapped AS (
    SELECT municipality_code FROM organisations
    UNION
    SELECT municipality_code FROM offers
),
row_dim AS (
    SELECT m.municipality_code::VARCHAR AS row_key, m.municipality_name AS row_label,
           row_number() OVER (ORDER BY m.municipality_name) AS row_order, m.population,
           m.municipality_code IN (SELECT municipality_code FROM mapped) AS row_mapped
    FROM municipalities m
    WHERE list_contains($codes::INTEGER[], m.municipality_code)
),
col_dim AS (
    SELECT code AS col_key, label AS col_label, row_number() OVER (ORDER BY sort_order, label) AS col_order
    FROM vocabularies
    WHERE vocabulary = 'theme'
    UNION ALL
    SELECT 'ikke_angivet', 'Tema ikke angivet', 1000000 WHERE EXISTS (SELECT 1 FROM offers WHERE len(themes) = 0)
),
cells AS (
    SELECT o.municipality_code::VARCHAR AS row_key, t.code AS col_key, count(*) AS n
    FROM sel_offers o, unnest(CASE WHEN len(o.themes) = 0 THEN ['ikke_angivet'] ELSE o.themes END) AS t(code)
    GROUP BY ALL
)
SELECT r.row_key, r.row_label, c.col_key, c.col_label, coalesce(x.n, 0) AS n, r.population,
       round(coalesce(x.n, 0) * 10000.0 / r.population, 1) AS per_10k, r.row_mapped
FROM row_dim r
CROSS JOIN col_dim c
LEFT JOIN cells x USING (row_key, col_key)
ORDER BY r.row_order, c.col_order;
