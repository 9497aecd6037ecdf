-- Samarbejdsradar · Regionale enheder uden partner i et tema: (enhed, tema)-par med 0 igangværende
-- samarbejder.
--
--   enheder: regionale enheder der hører til området ($codes), alle enhedstyper: en enhed hører til
--            området, når alle dens kommuner (area_municipality_codes) ligger i det; det er adressens
--            kommune, og for en enhed for hele regionen (is_region_wide) alle regionens kommuner, så den
--            kun er med i regionens og hele landets liste, ikke under adressens sundhedsråd
--   temaer:  temaerne fra vokabularet, eller kun de valgte ($themes)
--   tælles:  igangværende samarbejder (status ikke 'afsluttet' og slutdato tom eller >= $today) hvor
--            enheden er blandt unit_ids og temaet blandt themes; med målgruppefilter ($groups) kun
--            samarbejder for de målgrupper. Fritekst bruges ikke her.
-- n_collaborations_any: enhedens igangværende samarbejder i alle temaer (0 = ingen partnere overhovedet).
WITH area_units AS (
    SELECT u.* FROM regional_units u WHERE list_has_all($codes::INTEGER[], u.area_municipality_codes)
),
chosen_themes AS (
    SELECT code AS theme, label AS theme_label, sort_order
    FROM vocabularies
    WHERE vocabulary = 'theme' AND (len($themes::VARCHAR[]) = 0 OR list_contains($themes::VARCHAR[], code))
),
unit_collaborations AS (
    SELECT x.unit_id, c.collaboration_id, c.themes
    FROM collaborations c, unnest(c.unit_ids) AS x(unit_id)
    WHERE (c.status = 'afsluttet' OR c.end_date < $today::DATE) IS NOT TRUE
      AND (len($groups::VARCHAR[]) = 0 OR list_has_any(c.target_groups, $groups::VARCHAR[]))
      AND x.unit_id IN (SELECT unit_id FROM area_units)
),
per_theme AS (
    SELECT uc.unit_id, t.theme, count(*) AS n
    FROM unit_collaborations uc, unnest(uc.themes) AS t(theme)
    GROUP BY ALL
),
per_unit AS (
    SELECT unit_id, count(*) AS n FROM unit_collaborations GROUP BY unit_id
)
SELECT u.unit_id, u.name, u.unit_type_label, m.municipality_name, t.theme, t.theme_label,
       coalesce(a.n, 0) AS n_collaborations_any
FROM area_units u
CROSS JOIN chosen_themes t
JOIN municipalities m ON m.municipality_code = u.municipality_code
LEFT JOIN per_theme k ON k.unit_id = u.unit_id AND k.theme = t.theme
LEFT JOIN per_unit a ON a.unit_id = u.unit_id
WHERE k.n IS NULL
ORDER BY u.name, u.unit_id, t.sort_order
