-- Samarbejdsradar · Projekt eller drift: antal og andel pr. art (kind) af områdets samarbejder.
--
-- Området og filtrene som i timeline.sql. n/pct: alle samarbejder i området; n_current/pct_current:
-- kun igangværende (ikke afsluttet: status er ikke 'afsluttet', og slutdatoen er tom eller >= $today).
-- Arterne fra vokabularet vises altid (også med 0); 'Ikke angivet' kun når der er nogen.
-- Andele i procent med én decimal; 0 samarbejder giver tomme andele.
WITH sel_collabs AS (
    SELECT c.*,
           (c.status = 'afsluttet' OR c.end_date < $today::DATE) IS NOT TRUE AS is_current
    FROM collaborations c
    WHERE list_has_any(c.municipality_codes, $codes::INTEGER[])
      AND (len($themes::VARCHAR[]) = 0 OR list_has_any(c.themes, $themes::VARCHAR[]))
      AND (len($groups::VARCHAR[]) = 0 OR list_has_any(c.target_groups, $groups::VARCHAR[]))
      AND ($text = '' OR contains(lower(c.title), $text) OR contains(lower(c.description), $text))
),
kinds AS (
    SELECT code AS kind, label AS kind_label, sort_order FROM vocabularies WHERE vocabulary = 'collaboration_kind'
    UNION ALL
    SELECT NULL, 'Ikke angivet', 1000
),
counted AS (
    SELECT k.kind, k.kind_label, k.sort_order,
           count(c.collaboration_id) AS n,
           count(c.collaboration_id) FILTER (WHERE c.is_current) AS n_current
    FROM kinds k
    LEFT JOIN sel_collabs c ON c.kind IS NOT DISTINCT FROM k.kind
    GROUP BY ALL
    HAVING k.kind IS NOT NULL OR count(c.collaboration_id) > 0
)
SELECT kind, kind_label, n,
       round(100.0 * n / nullif(sum(n) OVER (), 0), 1) AS pct,
       n_current,
       round(100.0 * n_current / nullif(sum(n_current) OVER (), 0), 1) AS pct_current
FROM counted
ORDER BY sort_order
