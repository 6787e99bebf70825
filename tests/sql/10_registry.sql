-- 10_registry.sql: clients, domains, models and versions.

CALL pie_client_put('c1', 'One');
CALL pie_client_put('c1', 'Uno');
CALL t_assert((SELECT display_name FROM clients WHERE client_id = 'c1')
    = 'Uno', 'client put replaces display_name');
CALL pie_client_put('C1', 'case');
CALL t_assert((SELECT COUNT(*) FROM clients) = 2,
    'client ids are case-sensitive');
CALL t_expect('CALL pie_domain_put(''nope'', ''d'', NULL)', '45404',
    'client');
CALL pie_domain_put('c1', 'd1', NULL);
CALL pie_domain_put('c1', 'd1', 'Domain');
CALL pie_domain_put('C1', 'd1', NULL);
CALL t_assert((SELECT COUNT(*) FROM domains) = 2,
    'domains are unique per client');

CALL t_expect('CALL pie_model_version_put(''m'', ''1'', ''{}'', ''[]'')',
    '45404', 'model');
CALL pie_model_put('m', 'a model');
SET @fz = '{"features":[{"name":"a","type":"string","mandatory":true}]}';
CALL pie_model_version_put('m', '1', @fz, t_freeze(@fz));
CALL pie_model_version_put('m', '1', @fz, t_freeze(@fz));
CALL t_assert((SELECT COUNT(*) FROM model_versions) = 1,
    'same freeze again creates nothing');
CALL t_expect(CONCAT('CALL pie_model_version_put(''m'', ''1'', ',
    QUOTE(CONCAT(@fz, ' ')), ', ', QUOTE(t_freeze(@fz)), ')'),
    '45409', 'model_version');
CALL t_expect('CALL pie_model_version_put(''m'', ''2'', ''{}'', ''{}'')',
    '45400', 'freeze');
CALL t_assert((SELECT COUNT(*) FROM freeze_features) = 1,
    'refused versions leave no freeze rows');

-- Allowed values, bounds and flags land in the normalised tables.
SET @fz = CONCAT('{"features":[',
    '{"name":"cabin","type":"string","mandatory":true,',
    '"default":"economy","allowed_values":["economy","business"]},',
    '{"name":"capacity","type":"integer","minimum":1,"maximum":5000},',
    '{"name":"none","type":"string","allowed_values":[]}]}');
CALL pie_model_version_put('m', '2.0.0', @fz, t_freeze(@fz));
CALL t_assert((SELECT COUNT(*) FROM freeze_features f
    JOIN model_versions v USING (version_pk)
    WHERE v.model_version = '2.0.0') = 3, 'three features');
CALL t_assert((SELECT COUNT(*) FROM freeze_allowed a
    JOIN model_versions v USING (version_pk)
    WHERE v.model_version = '2.0.0') = 2, 'two allowed keys');
CALL t_assert((SELECT CONCAT(mandatory, has_default, has_allowed)
    FROM freeze_features WHERE name = 'cabin') = '111', 'cabin flags');
CALL t_assert((SELECT CONCAT(type, min_value, ':', max_value)
    FROM freeze_features WHERE name = 'capacity') = 'integer1:5000',
    'capacity bounds');
CALL t_assert((SELECT has_allowed FROM freeze_features
    WHERE name = 'none') = 1, 'an empty allowed_values still counts');
