-- Samarbejdsradar · Styring: samarbejder uden tovholder, uden juristvurdering eller uden erfaringer.
--
-- Området og filtrene som i timeline.sql; alle samarbejder i området, også afsluttede (se is_current
-- og status). Én række pr. samarbejde med tre flag:
--   lacks_tovholder     ingen tovholder registreret (has_tovholder: navnet selv ligger i lageret, ikke i
--                       databasen; tom eller kun mellemrum tæller som ingen tovholder)
--   lacks_legal_review  juristvurdering ikke registreret som foretaget: Nej eller ikke angivet
--                       (legal_review viser hvilken)
--   lacks_experience    ingen række i experiences for samarbejdet
-- Sidens tal er SELECT count(*) FROM (<denne forespørgsel>) WHERE lacks_tovholder (osv.), og
-- "af N samarbejder" er count(*) uden betingelse. Listerne er de rækker, hvor flaget er sandt.
WITH sel_collabs AS (
    SELECT c.*,
           (c.status = 'afsluttet' OR c.end_date < $today::DATE) IS NOT TRUE AS is_current
    FROM collaborations c
    WHERE list_has_any(c.municipality_codes, $codes::INTEGER[])
      AND (len($themes::VARCHAR[]) = 0 OR list_has_any(c.themes, $themes::VARCHAR[]))
      AND (len($groups::VARCHAR[]) = 0 OR list_has_any(c.target_groups, $groups::VARCHAR[]))
      AND ($text = '' OR contains(lower(c.title), $text) OR contains(lower(c.description), $text))
),
experience_counts AS (
    SELECT e.collaboration_id, count(*) AS n_experiences
    FROM experiences e JOIN sel_collabs s USING (collaboration_id)
    GROUP BY e.collaboration_id
),
flagged AS (
    SELECT c.*,
           NOT c.has_tovholder AS lacks_tovholder,
           c.legal_review_done IS DISTINCT FROM TRUE AS lacks_legal_review,
           coalesce(x.n_experiences, 0) AS n_experiences
    FROM sel_collabs c LEFT JOIN experience_counts x USING (collaboration_id)
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
)
SELECT f.collaboration_id, f.title, n.units, n.organisations,
       coalesce(f.kind_label, 'Ikke angivet') AS kind_label,
       f.start_date, f.end_date, f.status_label, f.is_current,
       f.tovholder,
       CASE f.legal_review_done WHEN TRUE THEN 'Ja' WHEN FALSE THEN 'Nej' ELSE 'Ikke angivet' END AS legal_review,
       f.n_experiences,
       f.lacks_tovholder, f.lacks_legal_review, f.n_experiences = 0 AS lacks_experience
FROM flagged f
LEFT JOIN partner_names n USING (collaboration_id)
ORDER BY f.is_current DESC, f.end_date NULLS LAST, f.title, f.collaboration_id
