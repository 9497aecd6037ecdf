-- Før og efter: samarbejder der findes nu, men ikke fandtes i det frosne øjebliksbillede.
--
-- * thendb = øjebliksbilledet (frosset), nowdb = de data der vises nu; begge åbnet skrivebeskyttet.
-- * $codes: kommunekoder for området (tom liste = hele landet); et samarbejde hører til området, når
--   mindst én involveret kommune (municipality_codes) ligger i det.
SELECT c.collaboration_id, c.title, c.status_label AS status, c.start_date, c.end_date,
       array_to_string(list_sort(list_distinct(list(DISTINCT g.name) FILTER (WHERE g.name IS NOT NULL))), '; ')
           AS organisations,
       c.source
FROM nowdb.collaborations c
LEFT JOIN nowdb.organisations g ON list_contains(c.organisation_ids, g.organisation_id)
WHERE c.collaboration_id NOT IN (SELECT collaboration_id FROM thendb.collaborations)
  AND (len($codes::INTEGER[]) = 0 OR list_has_any(c.municipality_codes, $codes::INTEGER[]))
GROUP BY ALL
ORDER BY c.title, c.collaboration_id;
