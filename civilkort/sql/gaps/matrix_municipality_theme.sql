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
-- Læser byggeriets out_-tabeller (README "Den offentlige database"): temaer og målgrupper er bits i
-- theme_mask/target_group_mask (out_bits siger hvilke), så "en af de valgte målgrupper" er
-- target_group_mask & <de valgte målgruppers bits> <> 0.
WITH chosen AS (
    SELECT coalesce(bit_or(bit) FILTER (WHERE vocabulary = 'target_group' AND list_contains($groups::VARCHAR[], code)), 0) AS groups
    FROM out_bits
),
text_hits AS (
    SELECT o.offer_id FROM offers o JOIN organisations g USING (organisation_id)
    WHERE $text <> '' AND (contains(lower(o.name), $text) OR contains(lower(o.description), $text)
                           OR contains(lower(g.name), $text))
),
kept AS (  -- the matching offers, counted per municipality and set of themes
    SELECT o.municipality_code, o.theme_mask, count(*) AS n
    FROM out_offers o, chosen w
    WHERE o.municipality_code IN (SELECT unnest($codes::INTEGER[]))
      AND (len($groups::VARCHAR[]) = 0 OR o.target_group_mask & w.groups <> 0)
      AND (len($levels::VARCHAR[]) = 0 OR list_contains($levels::VARCHAR[], o.prevention_level))
      AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], o.status))
      AND ($referrals = '' OR o.accepts_social_referrals = ($referrals = 'ja'))
      AND (len($orgtypes::VARCHAR[]) = 0 OR list_contains($orgtypes::VARCHAR[], o.organisation_type))
      AND (len($staffing::VARCHAR[]) = 0 OR list_contains($staffing::VARCHAR[], o.staffing))
      AND ($text = '' OR o.offer_id IN (SELECT offer_id FROM text_hits))
    GROUP BY ALL
),
theme_of AS (  -- each set of themes as its themes ('ikke_angivet' for none)
    SELECT k.theme_mask, coalesce(b.code, 'ikke_angivet') AS code
    FROM (SELECT DISTINCT theme_mask FROM kept) k
    LEFT JOIN out_bits b ON b.vocabulary = 'theme' AND k.theme_mask & b.bit <> 0
),
row_dim AS (
    SELECT m.municipality_code::VARCHAR AS row_key, m.municipality_name AS row_label,
           row_number() OVER (ORDER BY m.municipality_name) AS row_order, m.population,
           m.municipality_code IN (SELECT municipality_code FROM out_records_by_day) AS row_mapped
    FROM municipalities m
    WHERE list_contains($codes::INTEGER[], m.municipality_code)
),
col_dim AS (
    SELECT code AS col_key, label AS col_label, row_number() OVER (ORDER BY sort_order, label) AS col_order
    FROM vocabularies
    WHERE vocabulary = 'theme'
    UNION ALL
    SELECT 'ikke_angivet', 'Tema ikke angivet', 1000000 WHERE EXISTS (SELECT 1 FROM out_offers WHERE theme_mask = 0)
),
cells AS (
    SELECT k.municipality_code::VARCHAR AS row_key, t.code AS col_key, sum(k.n)::BIGINT AS n
    FROM kept k JOIN theme_of t USING (theme_mask)
    GROUP BY ALL
)
SELECT r.row_key, r.row_label, c.col_key, c.col_label, coalesce(x.n, 0) AS n, r.population,
       round(coalesce(x.n, 0) * 10000.0 / r.population, 1) AS per_10k, r.row_mapped
FROM row_dim r
CROSS JOIN col_dim c
LEFT JOIN cells x USING (row_key, col_key)
ORDER BY r.row_order, c.col_order;
