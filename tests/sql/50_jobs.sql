-- 50_jobs.sql: job launch pinning and status transitions.

CALL pie_client_put('c', NULL);
CALL pie_domain_put('c', 'd', NULL);
CALL pie_model_put('m', NULL);
SET @fz = '{"features":[{"name":"x","type":"integer"}]}';
CALL pie_model_version_put('m', '1', @fz, t_freeze(@fz));
CALL pie_model_version_put('m', '2', @fz, t_freeze(@fz));
CALL t_service('c', 'd', 's1', '{"x":1}');
CALL t_service('c', 'd', 's2', '{"x":2}');

CALL t_expect('CALL pie_job_launch(t_uuid(1), ''c'', ''d'', ''s1'',
    ''cap'', NULL, ''u'')', '45425', 'cap');
CALL t_expect('CALL pie_job_launch(t_uuid(1), ''c'', ''d'', ''nope'',
    ''cap'', NULL, ''u'')', '45404', 'service');
CALL t_expect('CALL pie_job_launch(t_uuid(1), ''c'', ''x'', ''s1'',
    ''cap'', NULL, ''u'')', '45404', 'domain');

CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '1',
    'active', '{"a":1,"b":{"c":2}}', NULL, NULL, 'u', NULL, 0);
CALL pie_assignment_upsert('c', 'd', 's2', 'cap', 'm', '2',
    'active', '{"a":9}', NULL, NULL, 'u', NULL, 0);

-- The request's parameters arrive as one patch per leaf.
CALL pie_job_launch(t_uuid(1), 'c', 'd', 's1', 'cap',
    '[{"b":{"d":3}},{"e":4}]', 'u');
CALL t_assert((SELECT assignment_id = t_rev('c', 'd', NULL, 'cap', 1)
    AND model_version = '1' AND status = 'queued' AND JSON_EQUALS(parameters,
    '{"a":1,"b":{"c":2,"d":3},"e":4}') FROM jobs WHERE id = t_uuid(1)),
    'pinned to the domain default, parameters merged');
CALL pie_job_launch(t_uuid(2), 'c', 'd', 's2', 'cap', NULL, 'u');
CALL t_assert((SELECT assignment_id = t_rev('c', 'd', 's2', 'cap', 1)
    AND model_version = '2' AND JSON_EQUALS(parameters, '{"a":9}') FROM jobs
    WHERE id = t_uuid(2)), 'pinned to the service-scope revision');
CALL pie_job_launch(t_uuid(5), 'c', 'd', 's1', 'cap',
    '[{"b":{"c":null}},{"e":5},{"a":null}]', 'u');
CALL t_assert((SELECT JSON_EQUALS(parameters, '{"b":{},"e":5}')
    FROM jobs WHERE id = t_uuid(5)), 'leaf patches remove and set');
CALL t_expect('CALL pie_job_launch(t_uuid(6), ''c'', ''d'', ''s1'',
    ''cap'', ''{"a":1}'', ''u'')', '45400', 'parameters');

-- A job keeps its revision after that revision is archived.
CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '1',
    'archived', NULL, NULL, NULL, 'u', NULL, 0);
CALL t_assert((SELECT assignment_id FROM jobs WHERE id = t_uuid(1)) =
    t_rev('c', 'd', NULL, 'cap', 1), 'job keeps its revision');
CALL t_expect('CALL pie_job_launch(t_uuid(3), ''c'', ''d'', ''s1'',
    ''cap'', NULL, ''u'')', '45425', 'cap');

-- Forward only.
CALL t_expect('CALL pie_job_patch(''c'', ''d'', ''s1'', t_uuid(1),
    ''succeeded'')', '45426', 'queued->succeeded');
CALL t_expect('CALL pie_job_patch(''c'', ''d'', ''s1'', t_uuid(1),
    ''queued'')', '45426', 'queued->queued');
CALL pie_job_patch('c', 'd', 's1', t_uuid(1), 'running');
CALL t_expect('CALL pie_job_patch(''c'', ''d'', ''s1'', t_uuid(1),
    ''queued'')', '45426', 'running->queued');
CALL pie_job_patch('c', 'd', 's1', t_uuid(1), 'failed');
CALL t_expect('CALL pie_job_patch(''c'', ''d'', ''s1'', t_uuid(1),
    ''succeeded'')', '45426', 'failed->succeeded');
CALL t_assert((SELECT status FROM jobs WHERE id = t_uuid(1)) = 'failed',
    'status failed');
CALL t_expect('CALL pie_job_patch(''c'', ''d'', ''s2'', t_uuid(1),
    ''running'')', '45404', 'job');
CALL t_expect('CALL pie_job_patch(''c'', ''d'', ''s1'', t_uuid(1),
    ''done'')', '45400', 'status');

-- Departed services launch nothing.
CALL pie_service_patch('c', 'd', 's2', 'departed', NULL, NULL);
CALL t_expect('CALL pie_job_launch(t_uuid(4), ''c'', ''d'', ''s2'',
    ''cap'', NULL, ''u'')', '45424', 's2');
