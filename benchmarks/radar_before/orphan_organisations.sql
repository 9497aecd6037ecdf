-- BEFORE (benchmarks only): the view-only version, replaced by civilkort/sql/radar/ on the out_ tables.
-- Samarbejdsradar · Forældreløse organisationer: organisationer i området med tilbud, men uden
-- igangværende samarbejde.
--
-- Med er en organisation, når
--   dens adresse ligger i området ($codes) og den passer på organisationsfiltrene ($orgtypes,
--   $staffing, fritekst $text i navn, beskrivelse eller et tilbuds navn),
--   den har mindst ét tilbud (hvor som helst) der passer på tilbudsfiltrene ($themes, $groups,
--   $levels, $statuses, $referrals; som standard kun aktive tilbud), og
--   den ikke er partner i et igangværende samarbejde (status ikke 'afsluttet' og slutdato tom eller
--   >= $today). Tidligere samarbejder tælles i n_ended_collaborations.
WITH sel_orgs AS (
    SELECT g.*
    FROM organisations g
    WHERE list_contains($codes::INTEGER[], g.municipality_code)
      AND (len($orgtypes::VARCHAR[]) = 0 OR list_contains($orgtypes::VARCHAR[], g.organisation_type))
      AND (len($staffing::VARCHAR[]) = 0 OR list_contains($staffing::VARCHAR[], g.staffing))
      AND ($text = '' OR contains(lower(g.name), $text) OR contains(lower(g.description), $text)
           OR g.organisation_id IN (SELECT organisation_id FROM offers WHERE $text <> '' AND contains(lower(name), $text)))
),
matching_offers AS (
    SELECT o.organisation_id, count(*) AS n_offers,
           list_sort(list_distinct(flatten(list(o.theme_labels)))) AS theme_labels
    FROM offers o
    WHERE o.organisation_id IN (SELECT organisation_id FROM sel_orgs)
      AND (len($themes::VARCHAR[]) = 0 OR list_has_any(o.themes, $themes::VARCHAR[]))
      AND (len($groups::VARCHAR[]) = 0 OR list_has_any(o.target_groups, $groups::VARCHAR[]))
      AND (len($levels::VARCHAR[]) = 0 OR list_contains($levels::VARCHAR[], o.prevention_level))
      AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], o.status))
      AND ($referrals = '' OR o.accepts_social_referrals = ($referrals = 'ja'))
    GROUP BY o.organisation_id
),
org_collaborations AS (
    SELECT p.partner_id AS organisation_id,
           count(*) FILTER (WHERE (c.status = 'afsluttet' OR c.end_date < $today::DATE) IS NOT TRUE) AS n_current,
           count(*) FILTER (WHERE (c.status = 'afsluttet' OR c.end_date < $today::DATE) IS TRUE) AS n_ended
    FROM collaboration_partners p
    JOIN collaborations c USING (collaboration_id)
    WHERE p.partner_kind = 'organisation'
    GROUP BY p.partner_id
)
SELECT g.organisation_id, g.name, g.organisation_type_label, m.municipality_name,
       mo.n_offers, array_to_string(mo.theme_labels, '; ') AS themes,
       coalesce(oc.n_ended, 0) AS n_ended_collaborations
FROM sel_orgs g
JOIN matching_offers mo USING (organisation_id)
JOIN municipalities m ON m.municipality_code = g.municipality_code
LEFT JOIN org_collaborations oc USING (organisation_id)
WHERE coalesce(oc.n_current, 0) = 0
ORDER BY g.name, g.organisation_id
