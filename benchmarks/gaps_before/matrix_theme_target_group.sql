-- Huller: tilbud pr. tema × målgruppe i det valgte område. Én række pr. (tema, målgruppe), nuller med.
--
-- * Et tilbud tælles i hver kombination af sine temaer og målgrupper.
-- * Findes der tilbud uden tema (fra HSDS), har tabellen en sidste række 'Tema ikke angivet'
--   (nøgle 'ikke_angivet', civilkort.schema.NO_THEME), der tæller dem.
-- * Parametre som queries.params(sel). Tema og målgruppe er krydstabellens akser, så tema- og
--   målgruppefiltrene ($themes, $groups) bruges ikke her; alle andre filtre gælder.
-- * population er hele områdets folketal (NULL, hvis en af områdets kommuner mangler folketal);
--   per_10k: tilbud pr. 10.000 indbyggere i området.
WITH sel_offers AS (
    SELECT o.offer_id, o.themes, o.target_groups
    FROM offers o
    JOIN organisations g USING (organisation_id)
    WHERE list_contains($codes::INTEGER[], o.municipality_code)
      AND (len($levels::VARCHAR[]) = 0 OR list_contains($levels::VARCHAR[], o.prevention_level))
      AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], o.status))
      AND ($referrals = '' OR o.accepts_social_referrals = ($referrals = 'ja'))
      AND (len($orgtypes::VARCHAR[]) = 0 OR list_contains($orgtypes::VARCHAR[], g.organisation_type))
      AND (len($staffing::VARCHAR[]) = 0 OR list_contains($staffing::VARCHAR[], g.staffing))
      AND ($text = '' OR contains(lower(o.name), $text) OR contains(lower(o.description), $text)
           OR contains(lower(g.name), $text))
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
    SELECT 'ikke_angivet', 'Tema ikke angivet', 1000000 WHERE EXISTS (SELECT 1 FROM offers WHERE len(themes) = 0)
),
col_dim AS (
    SELECT code AS col_key, label AS col_label, row_number() OVER (ORDER BY sort_order, label) AS col_order
    FROM vocabularies
    WHERE vocabulary = 'target_group'
),
cells AS (
    SELECT t.code AS row_key, tg.code AS col_key, count(*) AS n
    FROM sel_offers o, unnest(CASE WHEN len(o.themes) = 0 THEN ['ikke_angivet'] ELSE o.themes END) AS t(code),
         unnest(o.target_groups) AS tg(code)
    GROUP BY ALL
)
SELECT r.row_key, r.row_label, c.col_key, c.col_label, coalesce(x.n, 0) AS n, a.population,
       round(coalesce(x.n, 0) * 10000.0 / a.population, 1) AS per_10k, TRUE AS row_mapped
FROM row_dim r
CROSS JOIN col_dim c
CROSS JOIN area a
LEFT JOIN cells x USING (row_key, col_key)
ORDER BY r.row_order, c.col_order;
