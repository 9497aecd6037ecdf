-- BEFORE (benchmarks only): the view-only version, replaced by civilkort/sql/radar/ on the out_ tables.
-- Samarbejdsradar · Organisationer i flere sundhedsråd.
--
-- En organisation arbejder i en kommune, når den dér
--   holder et tilbud: tilbuddets kommune (offers.municipality_code; et tilbud uden eget sted ligger
--   hos organisationen), for tilbud der passer på tilbudsfiltrene ($themes, $groups, $levels,
--   $statuses, $referrals; som standard kun aktive tilbud), eller
--   er partner i et igangværende samarbejde (status ikke 'afsluttet' og slutdato tom eller >= $today)
--   inden for tema-/målgruppefiltrene: alle samarbejdets kommuner (municipality_codes).
-- Kommunen giver sundhedsrådet (municipalities.council_id). Dækningsområdet (service_area) tæller
-- ikke: det siger hvem et tilbud er for, ikke hvor organisationen er til stede (og et tilbud for
-- "Hele landet" ville gøre organisationen til en, der arbejder i alle 17 råd).
-- Med er organisationer, der passer på organisationsfiltrene ($orgtypes, $staffing, fritekst $text),
-- arbejder i mindst én kommune i området ($codes) og i mindst to sundhedsråd i alt.
WITH sel_orgs AS (
    SELECT g.*
    FROM organisations g
    WHERE (len($orgtypes::VARCHAR[]) = 0 OR list_contains($orgtypes::VARCHAR[], g.organisation_type))
      AND (len($staffing::VARCHAR[]) = 0 OR list_contains($staffing::VARCHAR[], g.staffing))
      AND ($text = '' OR contains(lower(g.name), $text) OR contains(lower(g.description), $text)
           OR g.organisation_id IN (SELECT organisation_id FROM offers WHERE $text <> '' AND contains(lower(name), $text)))
),
offer_places AS (
    SELECT o.organisation_id, o.municipality_code, 'tilbud' AS via
    FROM offers o
    WHERE (len($themes::VARCHAR[]) = 0 OR list_has_any(o.themes, $themes::VARCHAR[]))
      AND (len($groups::VARCHAR[]) = 0 OR list_has_any(o.target_groups, $groups::VARCHAR[]))
      AND (len($levels::VARCHAR[]) = 0 OR list_contains($levels::VARCHAR[], o.prevention_level))
      AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], o.status))
      AND ($referrals = '' OR o.accepts_social_referrals = ($referrals = 'ja'))
),
collaboration_places AS (
    SELECT p.partner_id AS organisation_id, unnest(c.municipality_codes) AS municipality_code,
           'samarbejde' AS via
    FROM collaborations c
    JOIN collaboration_partners p USING (collaboration_id)
    WHERE p.partner_kind = 'organisation'
      AND (c.status = 'afsluttet' OR c.end_date < $today::DATE) IS NOT TRUE
      AND (len($themes::VARCHAR[]) = 0 OR list_has_any(c.themes, $themes::VARCHAR[]))
      AND (len($groups::VARCHAR[]) = 0 OR list_has_any(c.target_groups, $groups::VARCHAR[]))
),
all_places AS (
    SELECT * FROM offer_places
    UNION ALL
    SELECT * FROM collaboration_places
),
-- kun organisationer der arbejder i området regnes igennem (samme resultat, færre rækker)
places AS (
    SELECT * FROM all_places
    WHERE organisation_id IN (SELECT organisation_id FROM all_places
                              WHERE list_contains($codes::INTEGER[], municipality_code))
),
footprint AS (
    SELECT p.organisation_id,
           count(DISTINCT m.council_id) AS n_councils,
           list_sort(list_distinct(list(m.council_name))) AS council_names,
           count(DISTINCT m.council_id) FILTER (WHERE p.via = 'tilbud') AS n_councils_offers,
           count(DISTINCT m.council_id) FILTER (WHERE p.via = 'samarbejde') AS n_councils_collaborations
    FROM places p
    JOIN municipalities m USING (municipality_code)
    GROUP BY p.organisation_id
    HAVING count(DISTINCT m.council_id) >= 2
)
SELECT g.organisation_id, g.name, g.organisation_type_label, m.municipality_name,
       f.n_councils, array_to_string(f.council_names, '; ') AS councils,
       f.n_councils_offers, f.n_councils_collaborations
FROM footprint f
JOIN sel_orgs g USING (organisation_id)
LEFT JOIN municipalities m ON m.municipality_code = g.municipality_code
ORDER BY f.n_councils DESC, g.name, g.organisation_id
