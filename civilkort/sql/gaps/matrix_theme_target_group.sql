-- Huller: tilbud pr. tema × målgruppe i det valgte område. Én række pr. (tema, målgruppe), nuller med.
--
-- * Et tilbud tælles i hver kombination af sine temaer og målgrupper.
-- * Findes der tilbud uden tema (fra HSDS), har tabellen en sidste række 'Tema ikke angivet'
--   (nøgle 'ikke_angivet', civilkort.schema.NO_THEME), der tæller dem.
-- * Parametre som queries.params(sel). Tema og målgruppe er krydstabellens akser, så tema- og
--   målgruppefiltrene ($themes, $groups) bruges ikke her; alle andre filtre gælder.
-- * population er hele områdets folketal (NULL, hvis en af områdets kommuner mangler folketal);
--   per_10k: tilbud pr. 10.000 indbyggere i området.
-- Læser byggeriets out_-tabeller (README "Den offentlige database"): temaer og målgrupper er bits i
-- theme_mask/target_group_mask (out_bits siger hvilke).
WITH text_hits AS (
    SELECT o.offer_id FROM offers o JOIN organisations g USING (organisation_id)
    WHERE $text <> '' AND (contains(lower(o.name), $text) OR contains(lower(o.description), $text)
                           OR contains(lower(g.name), $text))
),
kept AS (  -- the matching offers, counted per set of themes and set of target groups
    SELECT o.theme_mask, o.target_group_mask, count(*) AS n
    FROM out_offers o
    WHERE o.municipality_code IN (SELECT unnest($codes::INTEGER[]))
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
area AS (
    SELECT CASE WHEN count(population) = count(*) THEN sum(population)::BIGINT END AS population
    FROM municipalities
    WHERE list_contains($codes::INTEGER[], municipality_code)
),
row_dim AS (
    SELECT code AS row_key, label AS row_label, row_number() OVER (ORDER BY sort_order, label) AS row_order
    FROM vocabularies
    WHERE vocabulary = 'theme'
    UNION ALL
    SELECT 'ikke_angivet', 'Tema ikke angivet', 1000000 WHERE EXISTS (SELECT 1 FROM out_offers WHERE theme_mask = 0)
),
col_dim AS (
    SELECT code AS col_key, label AS col_label, row_number() OVER (ORDER BY sort_order, label) AS col_order
    FROM vocabularies
    WHERE vocabulary = 'target_group'
),
cells AS (
    SELECT t.code AS row_key, b.code AS col_key, sum(k.n)::BIGINT AS n
    FROM kept k
    JOIN theme_of t USING (theme_mask)
    JOIN out_bits b ON b.vocabulary = 'target_group' AND k.target_group_mask & b.bit <> 0
    GROUP BY ALL
)
SELECT r.row_key, r.row_label, c.col_key, c.col_label, coalesce(x.n, 0) AS n, a.population,
       round(coalesce(x.n, 0) * 10000.0 / a.population, 1) AS per_10k, TRUE AS row_mapped
FROM row_dim r
CROSS JOIN col_dim c
CROSS JOIN area a
LEFT JOIN cells x USING (row_key, col_key)
ORDER BY r.row_order, c.col_order;
