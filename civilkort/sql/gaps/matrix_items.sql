-- Huller: tilbuddene bag ét felt i en krydstabel (kommune × tema, kommune × målgruppe, tema × målgruppe)
-- eller i tabellen over sociale henvisninger.
--
-- * Parametre som queries.params(sel), plus feltets nøgler: $cell_municipality (kommunekode),
--   $cell_theme og $cell_group (koder); en nøgle er NULL, når den ikke er en akse i tabellen.
--   $cell_theme = 'ikke_angivet' (civilkort.schema.NO_THEME) er tilbuddene uden tema.
-- * Samme regel som tabellen: filteret på en akse er tomt ($themes = [] når temaet er en akse,
--   $groups = [] når målgruppen er en akse); bag feltet i 'Sociale henvisninger' er $referrals = 'ja'.
SELECT o.offer_id, o.name, o.organisation_id, g.name AS organisation_name, g.organisation_type_label,
       array_to_string(o.theme_labels, '; ') AS themes, array_to_string(o.target_group_labels, '; ') AS target_groups,
       o.prevention_level_label, o.accepts_social_referrals, o.status_label, o.schedule, o.cost,
       o.address, o.postcode, o.city, m.municipality_name, m.council_name, o.location_precision,
       o.last_verified, o.source, o.description, o.lat, o.lon
FROM offers o
JOIN organisations g USING (organisation_id)
JOIN municipalities m ON m.municipality_code = o.municipality_code
WHERE list_contains($codes::INTEGER[], o.municipality_code)
  AND ($cell_municipality::INTEGER IS NULL OR o.municipality_code = $cell_municipality::INTEGER)
  AND ($cell_theme::VARCHAR IS NULL OR list_contains(o.themes, $cell_theme::VARCHAR)
       OR ($cell_theme::VARCHAR = 'ikke_angivet' AND len(o.themes) = 0))
  AND ($cell_group::VARCHAR IS NULL OR list_contains(o.target_groups, $cell_group::VARCHAR))
  AND (len($themes::VARCHAR[]) = 0 OR list_has_any(o.themes, $themes::VARCHAR[]))
  AND (len($groups::VARCHAR[]) = 0 OR list_has_any(o.target_groups, $groups::VARCHAR[]))
  AND (len($levels::VARCHAR[]) = 0 OR list_contains($levels::VARCHAR[], o.prevention_level))
  AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], o.status))
  AND ($referrals = '' OR o.accepts_social_referrals = ($referrals = 'ja'))
  AND (len($orgtypes::VARCHAR[]) = 0 OR list_contains($orgtypes::VARCHAR[], g.organisation_type))
  AND (len($staffing::VARCHAR[]) = 0 OR list_contains($staffing::VARCHAR[], g.staffing))
  AND ($text = '' OR contains(lower(o.name), $text) OR contains(lower(o.description), $text)
       OR contains(lower(g.name), $text))
ORDER BY o.name, o.offer_id;
