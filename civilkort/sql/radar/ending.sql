-- Samarbejdsradar · Slutter snart: igangværende samarbejder der slutter inden for $months måneder.
--
-- Området og filtrene som i timeline.sql. Et samarbejde er med, når
--   slutdatoen >= $today (slutter i dag eller senere; allerede udløbne er ikke med),
--   status ikke er 'afsluttet', og
--   slutdatoen <= $today + m kalendermåneder for mindst ét m i $months (grænsen er med:
--   med $today = 2026-11-30 og m = 3 er sidste dag 2027-02-28).
-- Løbende samarbejder (uden slutdato) er aldrig med. within_months er det mindste vindue, rækken
-- ligger i. Sidens tal "slutter inden for m måneder" er
--   SELECT count(*) FROM (<denne forespørgsel>) WHERE within_months <= m
WITH sel_collabs AS (
    SELECT c.*
    FROM collaborations c
    WHERE list_has_any(c.municipality_codes, $codes::INTEGER[])
      AND (len($themes::VARCHAR[]) = 0 OR list_has_any(c.themes, $themes::VARCHAR[]))
      AND (len($groups::VARCHAR[]) = 0 OR list_has_any(c.target_groups, $groups::VARCHAR[]))
      AND ($text = '' OR contains(lower(c.title), $text) OR contains(lower(c.description), $text))
),
windows AS (
    SELECT unnest($months::INTEGER[]) AS months
),
ending AS (
    SELECT c.collaboration_id, min(w.months) AS within_months
    FROM sel_collabs c
    JOIN windows w ON c.end_date <= CAST($today::DATE + to_months(w.months) AS DATE)
    WHERE c.end_date >= $today::DATE
      AND c.status IS DISTINCT FROM 'afsluttet'
    GROUP BY c.collaboration_id
),
partner_names AS (
    SELECT p.collaboration_id,
           string_agg(u.name, '; ' ORDER BY u.name) AS units,
           string_agg(g.name, '; ' ORDER BY g.name) AS organisations
    FROM collaboration_partners p
    JOIN ending e USING (collaboration_id)
    LEFT JOIN regional_units u ON p.partner_kind = 'regional_unit' AND u.unit_id = p.partner_id
    LEFT JOIN organisations g ON p.partner_kind = 'organisation' AND g.organisation_id = p.partner_id
    GROUP BY p.collaboration_id
)
SELECT c.collaboration_id, c.title, n.units, n.organisations,
       coalesce(c.kind_label, 'Ikke angivet') AS kind_label,
       array_to_string(c.theme_labels, '; ') AS themes,
       c.start_date, c.end_date,
       date_diff('day', $today::DATE, c.end_date) AS days_left,
       e.within_months, c.status_label, c.tovholder
FROM ending e
JOIN sel_collabs c USING (collaboration_id)
LEFT JOIN partner_names n USING (collaboration_id)
ORDER BY c.end_date, c.title, c.collaboration_id
