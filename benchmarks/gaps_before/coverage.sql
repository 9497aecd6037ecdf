-- Huller: kortlægningens dækning og friskhed pr. kommune i det valgte område.
--
-- 'Ingen tilbud' er ikke det samme som 'ingen data'. Målene beskriver selve kortlægningen, så de
-- bruger kun området ($codes), ikke filtrene: alle organisationer og tilbud i kommunen, uanset status.
--   records         organisationer + tilbud placeret i kommunen
--   verified_pct    andel af records verificeret inden for 12 måneder før $today (aldrig verificeret = nej)
--   approximate_pct andel af records med omtrentlig placering (postnummer eller kommune)
--   depth_pct       100 × min(1, organisationer / $full_depth)
--   score           0–100 = round(40 × min(1, organisationer / $full_depth)
--                                 + 40 × andel verificeret + 20 × andel med præcis placering)
--   status          'ikke kortlagt' (ingen records; score og andele er NULL), ellers
--                   'godt kortlagt' (score ≥ 70), 'delvist kortlagt' (≥ 40), 'spinkelt kortlagt' (< 40)
-- offers_matching er tilbud i kommunen med alle filtre (som på kortet), så 0 tilbud kan læses i forhold
-- til, om kommunen overhovedet er kortlagt.
WITH records AS (
    SELECT municipality_code, 'organisation' AS kind, last_verified, location_precision
    FROM organisations
    WHERE list_contains($codes::INTEGER[], municipality_code)
    UNION ALL
    SELECT municipality_code, 'offer', last_verified, location_precision
    FROM offers
    WHERE list_contains($codes::INTEGER[], municipality_code)
),
per_municipality AS (
    SELECT municipality_code,
           count(*) FILTER (WHERE kind = 'organisation') AS organisations,
           count(*) FILTER (WHERE kind = 'offer') AS offers,
           count(*) AS records,
           count(*) FILTER (WHERE last_verified >= $today::DATE - INTERVAL 12 MONTH) AS verified,
           count(*) FILTER (WHERE location_precision <> 'coordinates') AS approximate
    FROM records
    GROUP BY municipality_code
),
sel_offers AS (
    SELECT o.municipality_code, count(*) AS offers_matching
    FROM offers o
    JOIN organisations g USING (organisation_id)
    WHERE list_contains($codes::INTEGER[], o.municipality_code)
      AND (len($themes::VARCHAR[]) = 0 OR list_has_any(o.themes, $themes::VARCHAR[]))
      AND (len($groups::VARCHAR[]) = 0 OR list_has_any(o.target_groups, $groups::VARCHAR[]))
      AND (len($levels::VARCHAR[]) = 0 OR list_contains($levels::VARCHAR[], o.prevention_level))
      AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], o.status))
      AND ($referrals = '' OR o.accepts_social_referrals = ($referrals = 'ja'))
      AND (len($orgtypes::VARCHAR[]) = 0 OR list_contains($orgtypes::VARCHAR[], g.organisation_type))
      AND (len($staffing::VARCHAR[]) = 0 OR list_contains($staffing::VARCHAR[], g.staffing))
      AND ($text = '' OR contains(lower(o.name), $text) OR contains(lower(o.description), $text)
           OR contains(lower(g.name), $text))
    GROUP BY o.municipality_code
),
scored AS (
    SELECT m.municipality_code, m.municipality_name, m.council_name, m.population,
           coalesce(p.organisations, 0) AS organisations,
           coalesce(p.offers, 0) AS offers,
           coalesce(p.records, 0) AS records,
           coalesce(s.offers_matching, 0) AS offers_matching,
           round(100.0 * p.verified / p.records, 1) AS verified_pct,
           round(100.0 * p.approximate / p.records, 1) AS approximate_pct,
           round(100.0 * least(1.0, coalesce(p.organisations, 0) / $full_depth::DOUBLE), 1) AS depth_pct,
           round(40.0 * least(1.0, p.organisations / $full_depth::DOUBLE)
                 + 40.0 * p.verified / p.records
                 + 20.0 * (1 - p.approximate / p.records))::INTEGER AS score
    FROM municipalities m
    LEFT JOIN per_municipality p USING (municipality_code)
    LEFT JOIN sel_offers s USING (municipality_code)
    WHERE list_contains($codes::INTEGER[], m.municipality_code)
)
SELECT *,
       CASE WHEN records = 0 THEN 'ikke kortlagt'
            WHEN score >= 70 THEN 'godt kortlagt'
            WHEN score >= 40 THEN 'delvist kortlagt'
            ELSE 'spinkelt kortlagt' END AS status
FROM scored
ORDER BY municipality_name;
