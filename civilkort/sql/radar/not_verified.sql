-- Samarbejdsradar · Opfølgning: organisationer og samarbejder, der ikke er verificeret i $stale_months måneder.
--
-- Med er
--   en organisation med adresse i området ($codes), og
--   et igangværende samarbejde (status ikke 'afsluttet', slutdato tom eller >= $today) med mindst én
--   involveret kommune i området, filtreret på tema og målgruppe som i timeline.sql,
-- når 'Sidst verificeret' er tom (aldrig verificeret) eller ligger før $today minus $stale_months
-- kalendermåneder (grænsen er med: verificeret præcis for 12 måneder siden er stadig frisk).
-- Fritekst ($text) gælder navn/titel og beskrivelse for begge.
-- Én række pr. post: entity ('organisation' eller 'collaboration'), record_id (postens faste id fra
-- datafilerne), title, last_verified og end_date (kun samarbejder).
SELECT 'organisation' AS entity, g.organisation_id AS record_id, g.name AS title,
       g.last_verified, CAST(NULL AS DATE) AS end_date
FROM organisations g
WHERE g.municipality_code IN (SELECT unnest($codes::INTEGER[]))
  AND ($text = '' OR contains(lower(g.name), $text) OR contains(lower(g.description), $text))
  AND (g.last_verified IS NULL
       OR g.last_verified < CAST($today::DATE - to_months($stale_months) AS DATE))
UNION ALL
SELECT 'collaboration', c.collaboration_id, c.title, c.last_verified, c.end_date
FROM collaborations c
WHERE list_has_any(c.municipality_codes, $codes::INTEGER[])
  AND (len($themes::VARCHAR[]) = 0 OR list_has_any(c.themes, $themes::VARCHAR[]))
  AND (len($groups::VARCHAR[]) = 0 OR list_has_any(c.target_groups, $groups::VARCHAR[]))
  AND ($text = '' OR contains(lower(c.title), $text) OR contains(lower(c.description), $text))
  AND (c.status = 'afsluttet' OR c.end_date < $today::DATE) IS NOT TRUE
  AND (c.last_verified IS NULL
       OR c.last_verified < CAST($today::DATE - to_months($stale_months) AS DATE))
ORDER BY last_verified NULLS FIRST, entity DESC, title, record_id
