-- Før og efter: samarbejder der var i gang i øjebliksbilledet, men er afsluttet nu.
--
-- * I gang dengang: status ikke 'afsluttet' og ingen slutdato før øjebliksbilledets dato ($then).
-- * Afsluttet nu: status 'afsluttet', slutdatoen passeret ($today), eller samarbejdet er væk fra data.
-- * $codes som i collaborations_new.sql (området efter øjebliksbilledets kommuner).
WITH running AS (
    SELECT collaboration_id, title, end_date, municipality_codes
    FROM thendb.collaborations
    WHERE coalesce(status, '') <> 'afsluttet'
      AND (end_date IS NULL OR end_date >= $then::DATE)
      AND (len($codes::INTEGER[]) = 0 OR list_has_any(municipality_codes, $codes::INTEGER[]))
)
SELECT r.collaboration_id, coalesce(n.title, r.title) AS title, r.end_date AS end_date_then,
       n.end_date AS end_date_now,
       CASE
           WHEN n.collaboration_id IS NULL THEN 'fjernet fra data'
           WHEN n.status = 'afsluttet' THEN 'status afsluttet'
           ELSE 'slutdato passeret'
       END AS reason
FROM running r
LEFT JOIN nowdb.collaborations n USING (collaboration_id)
WHERE n.collaboration_id IS NULL
   OR n.status = 'afsluttet'
   OR n.end_date < $today::DATE
ORDER BY title, r.collaboration_id;
