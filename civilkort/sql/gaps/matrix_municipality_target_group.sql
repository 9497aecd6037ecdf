-- Huller: tilbud pr. kommune × målgruppe i det valgte område. Én række pr. (kommune, målgruppe), nuller med.
--
-- * Et tilbud med flere målgrupper tælles under hver af dem; kommunen er tilbuddets egen (som på kortet).
-- * Parametre som queries.params(sel). Målgruppen er krydstabellens akse, så målgruppefilteret
--   ($groups) bruges ikke her; alle andre filtre gælder.
-- * row_mapped er FALSE for en kommune uden nogen registreringer (organisationer eller tilbud, uanset
--   filtre): 'ikke kortlagt', ikke et hul.
-- * per_10k: tilbud pr. 10.000 indbyggere (NULL uden folketal).
-- * group_people: personer i målgruppen i kommunen, talt af målgruppens indikator (target_group_people:
--   personer som de er, en andel × folketal / 100 eller pr. 1.000 × folketal / 1.000), afrundet til hele personer;
--   per_1000_group: tilbud pr. 1.000 personer i målgruppen. Begge NULL, når målgruppen ingen indikator har,
--   kommunen ingen værdi (eller intet folketal, hvor det skal bruges) eller målgruppen 0 personer.
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
kept AS (  -- the matching offers, counted per municipality and set of target groups
    SELECT o.municipality_code, o.target_group_mask, count(*) AS n
    FROM out_offers o, chosen w
    WHERE o.municipality_code IN (SELECT unnest($codes::INTEGER[]))
      AND (len($themes::VARCHAR[]) = 0 OR o.theme_mask & w.themes <> 0)
      AND (len($levels::VARCHAR[]) = 0 OR list_contains($levels::VARCHAR[], o.prevention_level))
      AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], o.status))
      AND ($referrals = '' OR o.accepts_social_referrals = ($referrals = 'ja'))
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
group_people AS (
    SELECT municipality_code::VARCHAR AS row_key, target_group AS col_key, people
    FROM target_group_people
),
cells AS (
    SELECT k.municipality_code::VARCHAR AS row_key, b.code AS col_key, sum(k.n)::BIGINT AS n
    FROM kept k JOIN out_bits b ON b.vocabulary = 'target_group' AND k.target_group_mask & b.bit <> 0
    GROUP BY ALL
)
SELECT r.row_key, r.row_label, c.col_key, c.col_label, coalesce(x.n, 0) AS n, r.population,
       round(coalesce(x.n, 0) * 10000.0 / r.population, 1) AS per_10k,
       round(g.people) AS group_people,
       round(coalesce(x.n, 0) * 1000.0 / nullif(g.people, 0), 2) AS per_1000_group, r.row_mapped
FROM row_dim r
CROSS JOIN col_dim c
LEFT JOIN cells x USING (row_key, col_key)
LEFT JOIN group_people g USING (row_key, col_key)
ORDER BY r.row_order, c.col_order;
