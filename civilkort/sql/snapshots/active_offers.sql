-- Før og efter: antal aktive tilbud (status 'aktiv') i området dengang og nu; hvert tilbud én gang.
-- $codes: tilbuddets egen kommune (tom liste = hele landet).
SELECT
    (SELECT count(*) FROM thendb.offers
     WHERE status = 'aktiv' AND (len($codes::INTEGER[]) = 0 OR list_contains($codes::INTEGER[], municipality_code)))
        AS active_then,
    (SELECT count(*) FROM nowdb.offers
     WHERE status = 'aktiv' AND (len($codes::INTEGER[]) = 0 OR list_contains($codes::INTEGER[], municipality_code)))
        AS active_now;
