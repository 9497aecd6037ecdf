-- Huller: parathed til sociale henvisninger – tilbud, der modtager sociale henvisninger, pr. kommune ×
-- målgruppe i det valgte område. Én række pr. (kommune, målgruppe), nuller med.
--
-- * n          tilbud, der modtager sociale henvisninger (accepts_social_referrals = TRUE)
--   n_offers   alle tilbud i feltet (med filtrene); n_unknown: tilbud, hvor det ikke er oplyst
--   share_pct  100 × n / n_offers (NULL når feltet ingen tilbud har)
-- * Parametre som queries.params(sel). Målgruppen er akse, og henvisning er selve målet, så
--   målgruppefilteret ($groups) og henvisningsfilteret ($referrals) bruges ikke her; alle andre gælder.
-- * row_mapped er FALSE for en kommune uden nogen registreringer: 'ikke kortlagt'.
WITH sel_offers AS (
    SELECT o.offer_id, o.municipality_code, o.target_groups, o.accepts_social_referrals
    FROM offers o
    JOIN organisations g USING (organisation_id)
    WHERE list_contains($codes::INTEGER[], o.municipality_code)
      AND (len($themes::VARCHAR[]) = 0 OR list_has_any(o.themes, $themes::VARCHAR[]))
      AND (len($levels::VARCHAR[]) = 0 OR list_contains($levels::VARCHAR[], o.prevention_level))
      AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], o.status))
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
    WHERE vocabulary = 'target_group'
),
cells AS (
    SELECT o.municipality_code::VARCHAR AS row_key, t.code AS col_key,
           count(*) FILTER (WHERE o.accepts_social_referrals) AS n,
           count(*) AS n_offers,
           count(*) FILTER (WHERE o.accepts_social_referrals IS NULL) AS n_unknown
    FROM sel_offers o, unnest(o.target_groups) AS t(code)
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
