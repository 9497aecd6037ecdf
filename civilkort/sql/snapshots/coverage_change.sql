-- Før og efter: dækning pr. kommune × tema = antal aktive tilbud (status 'aktiv') i kommunen med temaet,
-- dengang (before) og nu (after), og forskellen (change). Én række pr. (kommune, tema), nuller med.
--
-- * Et tilbud med flere temaer tælles under hvert af dem; kommunen er tilbuddets egen (som på kortet).
-- * Kommuner og temaer er de nuværende data's; $codes afgrænser området (tom liste = hele landet).
WITH row_dim AS (
    SELECT municipality_code, municipality_name
    FROM nowdb.municipalities
    WHERE len($codes::INTEGER[]) = 0 OR list_contains($codes::INTEGER[], municipality_code)
),
col_dim AS (
    SELECT code AS theme, label AS theme_label, sort_order
    FROM nowdb.vocabularies
    WHERE vocabulary = 'theme'
),
then_cells AS (
    SELECT o.municipality_code, t.code AS theme, count(*) AS n
    FROM thendb.offers o, unnest(o.themes) AS t(code)
    WHERE o.status = 'aktiv'
    GROUP BY ALL
),
now_cells AS (
    SELECT o.municipality_code, t.code AS theme, count(*) AS n
    FROM nowdb.offers o, unnest(o.themes) AS t(code)
    WHERE o.status = 'aktiv'
    GROUP BY ALL
)
SELECT r.municipality_code, r.municipality_name, c.theme, c.theme_label,
       coalesce(b.n, 0) AS before, coalesce(a.n, 0) AS after, coalesce(a.n, 0) - coalesce(b.n, 0) AS change
FROM row_dim r
CROSS JOIN col_dim c
LEFT JOIN then_cells b ON b.municipality_code = r.municipality_code AND b.theme = c.theme
LEFT JOIN now_cells a ON a.municipality_code = r.municipality_code AND a.theme = c.theme
ORDER BY r.municipality_name, c.sort_order, c.theme_label;
