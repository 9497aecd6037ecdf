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
-- Læser byggeriets out_-tabeller (README "Den offentlige database"): sundhedsråd, temaer og målgrupper
-- er bits i council_mask, theme_mask og target_group_mask (out_bits siger hvilke); antallet af råd er
-- bit_count af organisationens rådsbits OR'et sammen.
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
offer_places AS (
    SELECT o.org_no, o.council_mask, o.municipality_code IN (SELECT unnest($codes::INTEGER[])) AS is_in_area
    FROM out_offers o, chosen w
    WHERE (len($themes::VARCHAR[]) = 0 OR o.theme_mask & w.themes <> 0)
      AND (len($groups::VARCHAR[]) = 0 OR o.target_group_mask & w.groups <> 0)
      AND (len($levels::VARCHAR[]) = 0 OR list_contains($levels::VARCHAR[], o.prevention_level))
      AND (len($statuses::VARCHAR[]) = 0 OR list_contains($statuses::VARCHAR[], o.status))
      AND ($referrals = '' OR o.accepts_social_referrals = ($referrals = 'ja'))
),
collaboration_places AS (
    SELECT p.org_no, p.council_mask, list_has_any(p.municipality_codes, $codes::INTEGER[]) AS is_in_area
    FROM out_organisation_collaborations p, chosen w
    WHERE (p.status = 'afsluttet' OR p.end_date < $today::DATE) IS NOT TRUE
      AND (len($themes::VARCHAR[]) = 0 OR p.theme_mask & w.themes <> 0)
      AND (len($groups::VARCHAR[]) = 0 OR p.target_group_mask & w.groups <> 0)
),
footprint AS (
    SELECT org_no,
           bit_or(council_mask) AS councils_mask,
           coalesce(bit_or(council_mask) FILTER (WHERE via = 'tilbud'), 0) AS offers_mask,
           coalesce(bit_or(council_mask) FILTER (WHERE via = 'samarbejde'), 0) AS collaborations_mask
    FROM (SELECT *, 'tilbud' AS via FROM offer_places
          UNION ALL
          SELECT *, 'samarbejde' FROM collaboration_places)
    GROUP BY org_no
    HAVING bool_or(is_in_area) AND bit_count(bit_or(council_mask)) >= 2
),
council_texts AS (
    SELECT map(list(councils_mask), list(councils)) AS of_mask
    FROM (SELECT m.councils_mask, string_agg(b.label, '; ' ORDER BY b.label) AS councils
          FROM (SELECT DISTINCT councils_mask FROM footprint) m
          JOIN out_bits b ON b.vocabulary = 'council' AND m.councils_mask & b.bit <> 0
          GROUP BY m.councils_mask)
)
SELECT g.organisation_id, g.name, g.organisation_type_label, g.municipality_name,
       bit_count(f.councils_mask) AS n_councils, t.of_mask[f.councils_mask] AS councils,
       bit_count(f.offers_mask) AS n_councils_offers, bit_count(f.collaborations_mask) AS n_councils_collaborations
FROM footprint f
JOIN out_organisations g USING (org_no)
CROSS JOIN council_texts t
WHERE (len($orgtypes::VARCHAR[]) = 0 OR list_contains($orgtypes::VARCHAR[], g.organisation_type))
  AND (len($staffing::VARCHAR[]) = 0 OR list_contains($staffing::VARCHAR[], g.staffing))
  AND ($text = '' OR g.organisation_id IN (SELECT organisation_id FROM text_hits))
ORDER BY n_councils DESC, g.name_rank
