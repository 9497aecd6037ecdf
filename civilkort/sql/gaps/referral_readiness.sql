-- Huller: parathed til sociale henvisninger – tilbud, der modtager sociale henvisninger, pr. kommune ×
-- målgruppe i det valgte område. Én række pr. (kommune, målgruppe), nuller med.
--
-- * n          tilbud, der modtager sociale henvisninger (accepts_social_referrals = TRUE)
--   n_offers   alle tilbud i feltet (med filtrene); n_unknown: tilbud, hvor det ikke er oplyst
--   share_pct  100 × n / n_offers (NULL når feltet ingen tilbud har)
-- * Parametre som queries.params(sel). Målgruppen er akse, og henvisning er selve målet, så
--   målgruppefilteret ($groups) og henvisningsfilteret ($referrals) bruges ikke her; alle andre gælder.
-- * row_mapped er FALSE for en kommune uden nogen registreringer: 'ikke kortlagt'.
-- Læser byggeriets out_-tabeller (README "Den offentlige database"): temaer og målgrupper er bits i
-- theme_mask/target_group_mask (out_bits siger hvilke), så "et af de valgte temaer" er
-- theme_mask & <de valgte temaers bits> <> 0.
WITH chosen AS (
    SELECT coalesce(bit_or(bit) FILTER (WHERE vocabulary = 'theme' AND list_contains($themes::VARCHAR[], code)), 0) AS themes
    FROM out_bits
),
text_hits AS (
    SELECT o.offer_id FROM offers o JOIN organisations g USING (organisation_id)
    WHERE $text <> '' AND (contains(lower(o.name), $text) OR contains(lower(o.description), $text)
                           OR contains(lower(g.name), $text))
),
kept AS (  -- the matching offers, counted per municipality, set of target groups and referral answer
    SELECT o.municipality_code, o.target_group_mask, o.accepts_social_referrals, count(*) AS n
    FROM out_offers o, chosen w
    WHERE o.municipality_code IN (SELECT unnest($codes::INTEGER[]))
      AND (len($themes::VARCHAR[]) = 0 OR o.theme_mask & w.themes <> 0)
      AND (len($levels::VARCHAR[]) = 0 OR list_contains($levels::VARCHAR[], o.prevention_level))
      AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], o.status))
      AND (len($orgtypes::VARCHAR[]) = 0 OR list_contains($orgtypes::VARCHAR[], o.organisation_type))
      AND (len($staffing::VARCHAR[]) = 0 OR list_contains($staffing::VARCHAR[], o.staffing))
      AND ($text = '' OR o.offer_id IN (SELECT offer_id FROM text_hits))
    GROUP BY ALL
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
    WHERE vocabulary = 'target_group'
),
cells AS (
    SELECT k.municipality_code::VARCHAR AS row_key, b.code AS col_key,
           coalesce(sum(k.n) FILTER (WHERE k.accepts_social_referrals), 0)::BIGINT AS n,
           sum(k.n)::BIGINT AS n_offers,
           coalesce(sum(k.n) FILTER (WHERE k.accepts_social_referrals IS NULL), 0)::BIGINT AS n_unknown
    FROM kept k JOIN out_bits b ON b.vocabulary = 'target_group' AND k.target_group_mask & b.bit <> 0
    GROUP BY ALL
)
SELECT r.row_key, r.row_label, c.col_key, c.col_label, coalesce(x.n, 0) AS n,
       coalesce(x.n_offers, 0) AS n_offers, coalesce(x.n_unknown, 0) AS n_unknown,
       round(100.0 * x.n / x.n_offers, 1) AS share_pct, r.population,
       round(coalesce(x.n, 0) * 10000.0 / r.population, 1) AS per_10k, r.row_mapped
FROM row_dim r
CROSS JOIN col_dim c
LEFT JOIN cells x USING (row_key, col_key)
ORDER BY r.row_order, c.col_order;
