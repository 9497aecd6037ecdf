-- Før og efter: organisationer der er kommet til ('ny') eller er væk ('fjernet') siden øjebliksbilledet.
--
-- * Sammenlignet på organisation_id; $codes: organisationens egen kommune (tom liste = hele landet).
SELECT 'ny' AS change, n.organisation_id, n.name, n.organisation_type_label AS organisation_type,
       n.municipality_code, m.municipality_name, n.source
FROM nowdb.organisations n
LEFT JOIN nowdb.municipalities m USING (municipality_code)
WHERE n.organisation_id NOT IN (SELECT organisation_id FROM thendb.organisations)
  AND (len($codes::INTEGER[]) = 0 OR list_contains($codes::INTEGER[], n.municipality_code))
UNION ALL
SELECT 'fjernet' AS change, t.organisation_id, t.name, t.organisation_type_label, t.municipality_code,
       m.municipality_name, t.source
FROM thendb.organisations t
LEFT JOIN thendb.municipalities m USING (municipality_code)
WHERE t.organisation_id NOT IN (SELECT organisation_id FROM nowdb.organisations)
  AND (len($codes::INTEGER[]) = 0 OR list_contains($codes::INTEGER[], t.municipality_code))
ORDER BY change DESC, name, organisation_id;
