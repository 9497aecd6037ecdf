-- Samarbejdsradar · Tidslinje: ét samarbejde pr. række, med den periode der tegnes.
--
-- Området: samarbejder hvor mindst én involveret kommune (municipality_codes) ligger i området
-- ($codes), filtreret på tema ($themes), målgruppe ($groups) og fritekst ($text) som på resten af
-- siderne. $today er datoen "i dag".
--
-- Regler:
--   is_open_ended     ingen slutdato (løbende). Tegnes til horisonten (draw_end) = den seneste af
--                     $today + 2 år og områdets seneste slutdato, så ingen fast slutdato rækker
--                     længere end en løbende.
--   is_start_unknown  ingen startdato. Tegnes fra områdets tidligste kendte startdato (ellers $today).
--   is_ended          afsluttet: status 'afsluttet' eller slutdato før $today. Alle andre er
--                     igangværende (også planlagte).
--   theme_label       første tema (theme_labels[1]) eller 'Intet tema'; kind_label 'Ikke angivet' hvis tom.
WITH sel_collabs AS (
    SELECT c.*
    FROM collaborations c
    WHERE list_has_any(c.municipality_codes, $codes::INTEGER[])
      AND (len($themes::VARCHAR[]) = 0 OR list_has_any(c.themes, $themes::VARCHAR[]))
      AND (len($groups::VARCHAR[]) = 0 OR list_has_any(c.target_groups, $groups::VARCHAR[]))
      AND ($text = '' OR contains(lower(c.title), $text) OR contains(lower(c.description), $text))
),
partner_names AS (
    SELECT p.collaboration_id,
           string_agg(u.name, '; ' ORDER BY u.name) AS units,
           string_agg(g.name, '; ' ORDER BY g.name) AS organisations
    FROM collaboration_partners p
    JOIN sel_collabs s USING (collaboration_id)
    LEFT JOIN regional_units u ON p.partner_kind = 'regional_unit' AND u.unit_id = p.partner_id
    LEFT JOIN organisations g ON p.partner_kind = 'organisation' AND g.organisation_id = p.partner_id
    GROUP BY p.collaboration_id
),
bounds AS (
    SELECT greatest(CAST($today::DATE + INTERVAL 2 YEAR AS DATE), coalesce(max(end_date), $today::DATE)) AS horizon,
           coalesce(min(start_date), $today::DATE) AS earliest
    FROM sel_collabs
)
SELECT c.collaboration_id, c.title, n.units, n.organisations,
       c.start_date, c.end_date, c.is_open_ended,
       c.start_date IS NULL AS is_start_unknown,
       least(coalesce(c.start_date, b.earliest), coalesce(c.end_date, b.horizon)) AS draw_start,
       coalesce(c.end_date, b.horizon) AS draw_end,
       c.kind, coalesce(c.kind_label, 'Ikke angivet') AS kind_label,
       coalesce(c.theme_labels[1], 'Intet tema') AS theme_label,
       c.form_label, c.status, c.status_label,
       (c.status = 'afsluttet' OR c.end_date < $today::DATE) IS TRUE AS is_ended
FROM sel_collabs c
CROSS JOIN bounds b
LEFT JOIN partner_names n USING (collaboration_id)
ORDER BY draw_start, c.title, c.collaboration_id
