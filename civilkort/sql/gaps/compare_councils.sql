-- Sammenlign: alle 17 sundhedsråd side om side på de samme mål, med hver region og hele landet.
--
-- * Det valgte område bruges ikke (alle råd vises). Alle andre filtre gælder efter samme regel som
--   Huller: et mål bruger ikke filteret på sin egen akse – tema-huller ignorerer temafilteret ($themes),
--   målgruppe-huller ignorerer målgruppefilteret ($groups), henvisningsmålene ignorerer
--   henvisningsfilteret ($referrals). Dækningsmålene (verified_pct, approximate_pct,
--   municipalities_unmapped, score) bruger ingen filtre, som i coverage.sql.
-- * level: 'council' (17 rækker), 'region' (4) og 'national' (1). Regioner og landet er summer af
--   kommunerne (samarbejder dog talt én gang pr. område), andele og pr. 10.000 regnes af summerne.
--   organisations      organisationer med filtrene (samme regel som listen og kortet)
--   offers             tilbud med filtrene; offers_per_10k pr. 10.000 indbyggere (NULL uden folketal)
--   collaborations     samarbejder, der berører området (tema-, målgruppe- og fritekstfilter)
--   referral_offers    tilbud, der modtager sociale henvisninger; referral_pct af tilbuddene
--   theme_gaps         temaer uden noget tilbud i området; target_group_gaps: målgrupper uden tilbud
--   empty_theme_cells_pct / empty_target_group_cells_pct: andel tomme felter i kommune × tema /
--                      kommune × målgruppe (kun kortlagte kommuner)
--   municipalities_unmapped  kommuner uden nogen registreringer ('ikke kortlagt')
--   score              gennemsnit af kommunernes score fra coverage.sql; ikke kortlagte kommuner tæller 0
-- Læser byggeriets out_-tabeller (README "Den offentlige database"): temaer og målgrupper er bits i
-- out_offers (out_bits siger hvilke); out_records_by_day tæller registreringerne pr. kommune og dag.
WITH chosen AS (
    SELECT coalesce(bit_or(bit) FILTER (WHERE vocabulary = 'theme' AND list_contains($themes::VARCHAR[], code)), 0) AS themes,
           coalesce(bit_or(bit) FILTER (WHERE vocabulary = 'target_group' AND list_contains($groups::VARCHAR[], code)), 0) AS groups
    FROM out_bits
),
text_hits AS (
    SELECT o.offer_id FROM offers o JOIN organisations g USING (organisation_id)
    WHERE $text <> '' AND (contains(lower(o.name), $text) OR contains(lower(o.description), $text)
                           OR contains(lower(g.name), $text))
),
offer_kinds AS (  -- offers with the filters that every measure uses, counted per municipality and kind
    SELECT o.municipality_code, o.theme_mask, o.target_group_mask, o.accepts_social_referrals, count(*) AS n
    FROM out_offers o
    WHERE (len($levels::VARCHAR[]) = 0 OR list_contains($levels::VARCHAR[], o.prevention_level))
      AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], o.status))
      AND (len($orgtypes::VARCHAR[]) = 0 OR list_contains($orgtypes::VARCHAR[], o.organisation_type))
      AND (len($staffing::VARCHAR[]) = 0 OR list_contains($staffing::VARCHAR[], o.staffing))
      AND ($text = '' OR o.offer_id IN (SELECT offer_id FROM text_hits))
    GROUP BY ALL
),
base_offers AS (  -- each kind with the filters that some measures leave out (their own axis)
    SELECT k.*,
           (len($themes::VARCHAR[]) = 0 OR k.theme_mask & w.themes <> 0) AS ok_theme,
           (len($groups::VARCHAR[]) = 0 OR k.target_group_mask & w.groups <> 0) AS ok_group,
           coalesce($referrals = '' OR k.accepts_social_referrals = ($referrals = 'ja'), FALSE) AS ok_referral
    FROM offer_kinds k, chosen w
),
org_text_hits AS (
    SELECT organisation_id FROM organisations
    WHERE $text <> '' AND (contains(lower(name), $text) OR contains(lower(description), $text))
    UNION
    SELECT organisation_id FROM offers WHERE $text <> '' AND contains(lower(name), $text)
),
sel_orgs AS (
    SELECT g.municipality_code
    FROM out_organisations g
    WHERE (len($orgtypes::VARCHAR[]) = 0 OR list_contains($orgtypes::VARCHAR[], g.organisation_type))
      AND (len($staffing::VARCHAR[]) = 0 OR list_contains($staffing::VARCHAR[], g.staffing))
      AND (NOT $offer_filters OR g.org_no IN (
               SELECT o.org_no FROM out_offers o, chosen w
               WHERE (len($themes::VARCHAR[]) = 0 OR o.theme_mask & w.themes <> 0)
                 AND (len($groups::VARCHAR[]) = 0 OR o.target_group_mask & w.groups <> 0)
                 AND (len($levels::VARCHAR[]) = 0 OR list_contains($levels::VARCHAR[], o.prevention_level))
                 AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], o.status))
                 AND ($referrals = '' OR o.accepts_social_referrals = ($referrals = 'ja'))))
      AND ($text = '' OR g.organisation_id IN (SELECT organisation_id FROM org_text_hits))
),
sel_collabs AS (
    SELECT c.collaboration_id, c.municipality_codes
    FROM collaborations c
    WHERE (len($themes::VARCHAR[]) = 0 OR list_has_any(c.themes, $themes::VARCHAR[]))
      AND (len($groups::VARCHAR[]) = 0 OR list_has_any(c.target_groups, $groups::VARCHAR[]))
      AND ($text = '' OR contains(lower(c.title), $text) OR contains(lower(c.description), $text))
),
record_counts AS (
    SELECT municipality_code,
           sum(organisations) AS all_organisations,
           sum(records) AS records,
           coalesce(sum(records) FILTER (WHERE last_verified >= $today::DATE - INTERVAL 12 MONTH), 0) AS verified,
           sum(approximate) AS approximate
    FROM out_records_by_day
    GROUP BY municipality_code
),
offer_counts AS (
    SELECT municipality_code,
           coalesce(sum(n) FILTER (WHERE ok_theme AND ok_group AND ok_referral), 0) AS offers,
           coalesce(sum(n) FILTER (WHERE ok_theme AND ok_group), 0) AS referral_base,
           coalesce(sum(n) FILTER (WHERE ok_theme AND ok_group AND accepts_social_referrals), 0) AS referral_offers
    FROM base_offers
    GROUP BY municipality_code
),
org_counts AS (
    SELECT municipality_code, count(*) AS organisations FROM sel_orgs GROUP BY municipality_code
),
mun AS (
    SELECT m.municipality_code, m.council_id, m.region_id, m.population,
           coalesce(g.organisations, 0) AS organisations,
           coalesce(o.offers, 0) AS offers,
           coalesce(o.referral_base, 0) AS referral_base,
           coalesce(o.referral_offers, 0) AS referral_offers,
           coalesce(r.records, 0) AS records,
           coalesce(r.verified, 0) AS verified,
           coalesce(r.approximate, 0) AS approximate,
           coalesce(round(40.0 * least(1.0, r.all_organisations / $full_depth::DOUBLE)
                          + 40.0 * r.verified / r.records
                          + 20.0 * (1 - r.approximate / r.records))::INTEGER, 0) AS score
    FROM municipalities m
    LEFT JOIN org_counts g USING (municipality_code)
    LEFT JOIN offer_counts o USING (municipality_code)
    LEFT JOIN record_counts r USING (municipality_code)
),
per_level AS (
    SELECT CASE WHEN GROUPING(council_id) = 0 THEN 'council'
                WHEN GROUPING(region_id) = 0 THEN 'region' ELSE 'national' END AS level,
           region_id, council_id,
           count(*) AS n_municipalities,
           CASE WHEN count(population) = count(*) THEN sum(population)::BIGINT END AS population,
           sum(organisations)::BIGINT AS organisations,
           sum(offers)::BIGINT AS offers,
           sum(referral_base)::BIGINT AS referral_base,
           sum(referral_offers)::BIGINT AS referral_offers,
           sum(records)::BIGINT AS records,
           sum(verified)::BIGINT AS verified,
           sum(approximate)::BIGINT AS approximate,
           count(*) FILTER (WHERE records = 0) AS municipalities_unmapped,
           round(avg(score))::INTEGER AS score
    FROM mun
    GROUP BY GROUPING SETS ((region_id, council_id), (region_id), ())
),
theme_cells AS (
    SELECT m.council_id, m.region_id, m.records > 0 AS is_mapped, v.code, coalesce(sum(o.n), 0) AS n
    FROM mun m
    CROSS JOIN (SELECT code, bit FROM out_bits WHERE vocabulary = 'theme') v
    LEFT JOIN (SELECT municipality_code, theme_mask, n FROM base_offers WHERE ok_group AND ok_referral) o
           ON o.municipality_code = m.municipality_code AND o.theme_mask & v.bit <> 0
    GROUP BY m.municipality_code, m.council_id, m.region_id, m.records, v.code
),
theme_per_level AS (
    SELECT region_id, council_id, GROUPING(region_id, council_id) AS grp, sum(n)::BIGINT AS n,
           count(*) FILTER (WHERE is_mapped AND n = 0) AS empty_cells,
           count(*) FILTER (WHERE is_mapped) AS cells
    FROM theme_cells
    GROUP BY GROUPING SETS ((region_id, council_id, code), (region_id, code), (code))
),
theme_gaps AS (
    SELECT region_id, council_id, count(*) FILTER (WHERE n = 0) AS theme_gaps,
           round(100.0 * sum(empty_cells) / nullif(sum(cells), 0), 1) AS empty_theme_cells_pct
    FROM theme_per_level
    GROUP BY region_id, council_id, grp
),
group_cells AS (
    SELECT m.council_id, m.region_id, m.records > 0 AS is_mapped, v.code, coalesce(sum(o.n), 0) AS n
    FROM mun m
    CROSS JOIN (SELECT code, bit FROM out_bits WHERE vocabulary = 'target_group') v
    LEFT JOIN (SELECT municipality_code, target_group_mask, n FROM base_offers WHERE ok_theme AND ok_referral) o
           ON o.municipality_code = m.municipality_code AND o.target_group_mask & v.bit <> 0
    GROUP BY m.municipality_code, m.council_id, m.region_id, m.records, v.code
),
group_per_level AS (
    SELECT region_id, council_id, GROUPING(region_id, council_id) AS grp, sum(n)::BIGINT AS n,
           count(*) FILTER (WHERE is_mapped AND n = 0) AS empty_cells,
           count(*) FILTER (WHERE is_mapped) AS cells
    FROM group_cells
    GROUP BY GROUPING SETS ((region_id, council_id, code), (region_id, code), (code))
),
group_gaps AS (
    SELECT region_id, council_id, count(*) FILTER (WHERE n = 0) AS target_group_gaps,
           round(100.0 * sum(empty_cells) / nullif(sum(cells), 0), 1) AS empty_target_group_cells_pct
    FROM group_per_level
    GROUP BY region_id, council_id, grp
),
collab_places AS (
    SELECT DISTINCT c.collaboration_id, m.council_id, m.region_id
    FROM sel_collabs c, unnest(c.municipality_codes) AS x(municipality_code)
    JOIN municipalities m ON m.municipality_code = x.municipality_code
),
collab_per_level AS (
    SELECT region_id, council_id, count(DISTINCT collaboration_id) AS collaborations
    FROM collab_places
    GROUP BY GROUPING SETS ((region_id, council_id), (region_id), ())
)
SELECT l.level,
       coalesce(l.council_id, l.region_id, 'dk') AS area_id,
       coalesce(c.council_name, r.region_name, 'Hele Danmark') AS name,
       r.region_name,
       l.n_municipalities, l.population, l.organisations, l.offers,
       round(l.offers * 10000.0 / l.population, 1) AS offers_per_10k,
       coalesce(k.collaborations, 0) AS collaborations,
       l.referral_offers,
       round(100.0 * l.referral_offers / nullif(l.referral_base, 0), 1) AS referral_pct,
       t.theme_gaps, t.empty_theme_cells_pct,
       tg.target_group_gaps, tg.empty_target_group_cells_pct,
       l.municipalities_unmapped,
       round(100.0 * l.verified / nullif(l.records, 0), 1) AS verified_pct,
       round(100.0 * l.approximate / nullif(l.records, 0), 1) AS approximate_pct,
       l.score
FROM per_level l
LEFT JOIN councils c ON c.council_id = l.council_id
LEFT JOIN regions r ON r.region_id = l.region_id
LEFT JOIN theme_gaps t
       ON t.region_id IS NOT DISTINCT FROM l.region_id AND t.council_id IS NOT DISTINCT FROM l.council_id
LEFT JOIN group_gaps tg
       ON tg.region_id IS NOT DISTINCT FROM l.region_id AND tg.council_id IS NOT DISTINCT FROM l.council_id
LEFT JOIN collab_per_level k
       ON k.region_id IS NOT DISTINCT FROM l.region_id AND k.council_id IS NOT DISTINCT FROM l.council_id
ORDER BY r.region_name NULLS LAST, l.level = 'region', name;
