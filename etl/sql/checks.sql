-- Data checks run on every new database before it is switched in.
-- Each check is a query that returns the offending rows; any row fails the build.
-- Format: a line starting "-- check:" then "<name> | <Danish message>", followed by one query.

-- check: organisations_unique | Organisationernes id er ikke entydige
SELECT organisation_id FROM core_organisations GROUP BY 1 HAVING count(*) > 1;

-- check: offers_unique | Tilbuddenes id er ikke entydige
SELECT offer_id FROM core_offers GROUP BY 1 HAVING count(*) > 1;

-- check: units_unique | De regionale enheders id er ikke entydige
SELECT unit_id FROM core_regional_units GROUP BY 1 HAVING count(*) > 1;

-- check: collaborations_unique | Samarbejdernes id er ikke entydige
SELECT collaboration_id FROM core_collaborations GROUP BY 1 HAVING count(*) > 1;

-- check: experiences_unique | Erfaringernes id er ikke entydige
SELECT experience_id FROM core_experiences GROUP BY 1 HAVING count(*) > 1;

-- check: placed | Poster uden kommune eller sundhedsråd (en enhed for hele regionen har region, men intet råd)
SELECT organisation_id FROM core_organisations WHERE municipality_code IS NULL OR council_id IS NULL
UNION ALL SELECT offer_id FROM core_offers WHERE municipality_code IS NULL OR council_id IS NULL
UNION ALL SELECT unit_id FROM core_regional_units WHERE municipality_code IS NULL OR region_id IS NULL
    OR (council_id IS NULL) <> is_region_wide OR len(area_municipality_codes) = 0;

-- check: known_municipality | Poster i en kommune, der ikke findes
SELECT municipality_code FROM core_organisations WHERE municipality_code NOT IN (SELECT municipality_code FROM ref_municipalities)
UNION ALL SELECT municipality_code FROM core_offers WHERE municipality_code NOT IN (SELECT municipality_code FROM ref_municipalities)
UNION ALL SELECT municipality_code FROM core_regional_units WHERE municipality_code NOT IN (SELECT municipality_code FROM ref_municipalities);

-- check: inside_denmark | Punkter uden for Danmark
SELECT organisation_id FROM core_organisations WHERE NOT (lat BETWEEN 54.5 AND 57.9 AND lon BETWEEN 7.8 AND 15.3)
UNION ALL SELECT offer_id FROM core_offers WHERE NOT (lat BETWEEN 54.5 AND 57.9 AND lon BETWEEN 7.8 AND 15.3)
UNION ALL SELECT unit_id FROM core_regional_units WHERE NOT (lat BETWEEN 54.5 AND 57.9 AND lon BETWEEN 7.8 AND 15.3);

-- check: offer_organisation | Tilbud der peger på en organisation, der ikke findes
SELECT offer_id FROM core_offers WHERE organisation_id NOT IN (SELECT organisation_id FROM core_organisations);

-- check: collaboration_partners | Samarbejder der peger på en enhed eller organisation, der ikke findes
SELECT collaboration_id FROM collaboration_partners p
WHERE (partner_kind = 'regional_unit' AND partner_id NOT IN (SELECT unit_id FROM core_regional_units))
   OR (partner_kind = 'organisation' AND partner_id NOT IN (SELECT organisation_id FROM core_organisations));

-- check: collaboration_has_partners | Samarbejder uden enhed eller organisation
SELECT collaboration_id FROM core_collaborations WHERE len(unit_ids) = 0 OR len(organisation_ids) = 0;

-- check: experience_collaboration | Erfaringer der peger på et samarbejde, der ikke findes
SELECT experience_id FROM core_experiences WHERE collaboration_id NOT IN (SELECT collaboration_id FROM core_collaborations);

-- check: dates_in_order | Samarbejder der slutter før de starter
SELECT collaboration_id FROM core_collaborations WHERE end_date < start_date;

-- check: accepted_vocabulary | Værdier uden for vokabularerne
SELECT 'organisation_type', organisation_type FROM core_organisations
WHERE organisation_type NOT IN (SELECT code FROM ref_vocabularies WHERE vocabulary = 'organisation_type')
UNION ALL SELECT 'theme', t FROM core_offers, unnest(themes) AS x(t)
WHERE t NOT IN (SELECT code FROM ref_vocabularies WHERE vocabulary = 'theme')
UNION ALL SELECT 'target_group', t FROM core_offers, unnest(target_groups) AS x(t)
WHERE t NOT IN (SELECT code FROM ref_vocabularies WHERE vocabulary = 'target_group')
UNION ALL SELECT 'unit_type', unit_type FROM core_regional_units
WHERE unit_type NOT IN (SELECT code FROM ref_vocabularies WHERE vocabulary = 'unit_type')
UNION ALL SELECT 'offer_status', status FROM core_offers
WHERE status NOT IN (SELECT code FROM ref_vocabularies WHERE vocabulary = 'offer_status');

-- check: offers_have_theme | Tilbud uden tema (kun tilbud fra HSDS må mangle tema: 'Tema ikke angivet')
SELECT offer_id FROM core_offers WHERE len(themes) = 0 AND source_sheet IS DISTINCT FROM 'service';

-- check: mask_bits | Højst 63 temaer og 63 målgrupper (out_-tabellerne gemmer dem som bits i et tal)
SELECT vocabulary, code FROM out_bits WHERE bit IS NULL;

-- check: indicators_unique | En indikator har flere værdier for samme kommune
SELECT indicator_id, municipality_code FROM ref_indicators GROUP BY ALL HAVING count(*) > 1;

-- check: indicators_known | Indikatorværdier for en kommune, der ikke findes, eller uden beskrivelse
SELECT indicator_id FROM ref_indicators
WHERE municipality_code NOT IN (SELECT municipality_code FROM ref_municipalities)
   OR indicator_id NOT IN (SELECT indicator_id FROM ref_indicator_meta);

-- check: indicator_meta_valid | Indikatorer uden entydigt id, navn eller med ukendt enhed
SELECT indicator_id FROM ref_indicator_meta
WHERE name IS NULL OR name = '' OR unit NOT IN ('people', 'percent', 'per_1000')
   OR indicator_id IN (SELECT indicator_id FROM ref_indicator_meta GROUP BY 1 HAVING count(*) > 1);

-- check: target_group_need_valid | Behovskortet nævner en ukendt målgruppe eller indikator
SELECT target_group FROM ref_target_group_need
WHERE target_group NOT IN (SELECT code FROM ref_vocabularies WHERE vocabulary = 'target_group')
   OR (indicator_id IS NOT NULL AND indicator_id NOT IN (SELECT indicator_id FROM ref_indicator_meta))
   OR target_group IN (SELECT target_group FROM ref_target_group_need GROUP BY 1 HAVING count(*) > 1);
