-- 40_services.sql: service puts and patches keep the invariant.

CALL pie_client_put('c', NULL);
CALL pie_domain_put('c', 'd', NULL);
CALL pie_model_put('m', NULL);
SET @f1 = '{"features":[{"name":"x","type":"integer","mandatory":true,'
    '"maximum":10}]}';
CALL pie_model_version_put('m', '1', @f1, t_freeze(@f1));

CALL t_expect('CALL pie_service_put(''no'', ''d'', ''s'', ''scheduled'',
    ''{}'', ''[]'')', '45404', 'client');
CALL t_expect('CALL pie_service_put(''c'', ''no'', ''s'', ''scheduled'',
    ''{}'', ''[]'')', '45404', 'domain');
CALL t_expect('CALL pie_service_patch(''c'', ''d'', ''no'', NULL, NULL,
    NULL)', '45404', 'service');
CALL t_expect('CALL pie_service_put(''c'', ''d'', ''s'', ''gone'',
    ''{}'', ''[]'')', '45400', 'status');

CALL t_service('c', 'd', 's1', '{"x":1,"a":"b"}');
CALL t_service('c', 'd', 's1', '{"x":2}');
CALL t_assert((SELECT GROUP_CONCAT(name) FROM service_features
    JOIN services USING (service_pk) WHERE service_id = 's1') = 'x',
    'put replaces every feature');
CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '1',
    'active', NULL, NULL, NULL, 'u', NULL, 0);

-- Writes that break the effective assignment are blocked.
CALL t_service('c', 'd', 's1', '{"x":20}');
CALL pie_service_patch('c', 'd', 's1', NULL, '{"x":null}',
    t_feat('{"x":null}'));
CALL t_service('c', 'd', 's2', '{"y":1}');
CALL t_assert((SELECT provided_features FROM services
    WHERE service_id = 's1') = '{"x":2}', 's1 unchanged');
CALL t_assert((SELECT COUNT(*) FROM services WHERE service_id = 's2')
    = 0, 'incompatible new service not created');
CALL t_assert((SELECT d FROM service_features JOIN services
    USING (service_pk) WHERE service_id = 's1') = 2, 'x still 2');

-- Compatible patches apply to both forms.
CALL pie_service_patch('c', 'd', 's1', NULL, '{"x":3,"z":"q"}',
    t_feat('{"x":3,"z":"q"}'));
CALL pie_service_patch('c', 'd', 's1', NULL, '{"z":null}',
    t_feat('{"z":null}'));
CALL t_assert((SELECT provided_features FROM services
    WHERE service_id = 's1') = '{"x":3}', 'merge patch applied');
CALL t_assert((SELECT GROUP_CONCAT(name, '=', v) FROM service_features
    JOIN services USING (service_pk) WHERE service_id = 's1') = 'x=3',
    'features in step');

-- Without an override, the domain default decides.
SET @f2 = '{"features":[{"name":"x","type":"integer","minimum":100}]}';
CALL pie_model_version_put('m', '2', @f2, t_freeze(@f2));
CALL t_service('c', 'd', 's3', '{"x":5}');
CALL pie_service_patch('c', 'd', 's3', NULL, '{"x":500}',
    t_feat('{"x":500}'));
CALL t_assert((SELECT provided_features FROM services
    WHERE service_id = 's3') = '{"x":5}', 'blocked by the default');

-- Departing is allowed whatever the features; departed is final.
CALL pie_service_patch('c', 'd', 's3', 'departed', '{"x":"bad"}',
    t_feat('{"x":"bad"}'));
CALL t_assert((SELECT status FROM services WHERE service_id = 's3') =
    'departed', 'departed');
CALL t_expect('CALL pie_service_patch(''c'', ''d'', ''s3'',
    ''scheduled'', NULL, NULL)', '45424', 's3');
CALL t_expect('CALL pie_service_put(''c'', ''d'', ''s3'', ''departed'',
    ''{}'', ''[]'')', '45424', 's3');
CALL t_expect('CALL pie_service_patch(''c'', ''d'', ''s3'', NULL,
    ''{}'', ''[]'')', '45424', 's3');

-- A departed service does not block a domain upsert.
CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '1',
    'active', NULL, NULL, NULL, 'u', NULL, 0);
CALL t_assert(t_revisions('c', 'd', NULL, 'cap') = 2,
    'departed services are exempt');
CALL t_invariant('c', 'd');
