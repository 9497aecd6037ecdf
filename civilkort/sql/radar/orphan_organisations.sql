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
-- Læser byggeriets out_-tabeller (README "Den offentlige database"): temaer og målgrupper er bits i
-- theme_mask/target_group_mask (out_bits siger hvilke), så "et af de valgte temaer" er
-- theme_mask & <de valgte temaers bits> <> 0.
WITH chosen AS (
    SELECT coalesce(bit_or(bit) FILTER (WHERE vocabulary = 'theme' AND list_contains($themes::VARCHAR[], code)), 0) AS themes,
           coalesce(bit_or(bit) FILTER (WHERE vocabulary = 'target_group' AND list_contains($groups::VARCHAR[], code)), 0) AS groups
    FROM out_bits
),
text_hits AS (
    SELECT organisation_id FROM organisations
    WHERE $text <> '' AND (contains(lower(name), $text) OR contains(lower(description), $text))
    UNION
    SELECT organisation_id FROM offers WHERE $text <> '' AND contains(lower(name), $text)
),
partners_now AS (
    SELECT org_no,
           bool_or((status = 'afsluttet' OR end_date < $today::DATE) IS NOT TRUE) AS has_current,
           count(*) FILTER (WHERE (status = 'afsluttet' OR end_date < $today::DATE) IS TRUE) AS n_ended
    FROM out_organisation_collaborations
    GROUP BY org_no
),
sel_orgs AS (
    SELECT g.org_no, coalesce(p.n_ended, 0) AS n_ended
    FROM out_organisations g
    LEFT JOIN partners_now p USING (org_no)
    WHERE g.municipality_code IN (SELECT unnest($codes::INTEGER[]))
      AND (len($orgtypes::VARCHAR[]) = 0 OR list_contains($orgtypes::VARCHAR[], g.organisation_type))
      AND (len($staffing::VARCHAR[]) = 0 OR list_contains($staffing::VARCHAR[], g.staffing))
      AND ($text = '' OR g.organisation_id IN (SELECT organisation_id FROM text_hits))
      AND p.has_current IS NOT TRUE
),
matching_offers AS (
    SELECT o.org_no, count(*) AS n_offers, bit_or(o.theme_mask) AS theme_mask
    FROM out_offers o, chosen w
    WHERE o.org_no IN (SELECT org_no FROM sel_orgs)
      AND (len($themes::VARCHAR[]) = 0 OR o.theme_mask & w.themes <> 0)
      AND (len($groups::VARCHAR[]) = 0 OR o.target_group_mask & w.groups <> 0)
      AND (len($levels::VARCHAR[]) = 0 OR list_contains($levels::VARCHAR[], o.prevention_level))
      AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], o.status))
      AND ($referrals = '' OR o.accepts_social_referrals = ($referrals = 'ja'))
    GROUP BY o.org_no
),
theme_texts AS (
    SELECT map(list(theme_mask), list(themes)) AS of_mask
    FROM (SELECT m.theme_mask, string_agg(b.label, '; ' ORDER BY b.label) AS themes
          FROM (SELECT DISTINCT theme_mask FROM matching_offers) m
          JOIN out_bits b ON b.vocabulary = 'theme' AND m.theme_mask & b.bit <> 0
          GROUP BY m.theme_mask)
)
SELECT g.organisation_id, g.name, g.organisation_type_label, g.municipality_name,
       mo.n_offers, coalesce(t.of_mask[mo.theme_mask], '') AS themes, s.n_ended AS n_ended_collaborations
FROM sel_orgs s
JOIN matching_offers mo USING (org_no)
JOIN out_organisations g USING (org_no)
CROSS JOIN theme_texts t
ORDER BY g.name_rank
