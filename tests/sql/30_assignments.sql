-- 30_assignments.sql: upserts, refusals, revisions, scopes, dry runs.

CALL pie_client_put('c', NULL);
CALL pie_domain_put('c', 'd', NULL);
CALL pie_model_put('m', NULL);
SET @f1 = '{"features":[{"name":"x","type":"integer","maximum":10}]}';
SET @f2 = '{"features":[{"name":"x","type":"integer","maximum":5}]}';
SET @f3 = '{"features":[{"name":"route","type":"string",'
    '"mandatory":true}]}';
CALL pie_model_version_put('m', '1', @f1, t_freeze(@f1));
CALL pie_model_version_put('m', '2', @f2, t_freeze(@f2));
CALL pie_model_version_put('m', '3', @f3, t_freeze(@f3));
CALL t_service('c', 'd', 's1', '{"x":1,"route":"r"}');
CALL t_service('c', 'd', 's2', '{"x":8,"route":"r"}');
CALL pie_service_put('c', 'd', 'gone', 'departed', '{"x":99}',
    t_feat('{"x":99}'));

-- Refusals, in the order of the API.
SET @call = 'CALL pie_assignment_upsert(';
CALL t_expect(CONCAT(@call, '''no'', ''d'', NULL, ''cap'', ''m'', ''1'',
    ''active'', NULL, NULL, NULL, ''u'', NULL, 0)'), '45404', 'client');
CALL t_expect(CONCAT(@call, '''c'', ''no'', NULL, ''cap'', ''m'', ''1'',
    ''active'', NULL, NULL, NULL, ''u'', NULL, 0)'), '45404', 'domain');
CALL t_expect(CONCAT(@call, '''c'', ''d'', ''no'', ''cap'', ''m'', ''1'',
    ''active'', NULL, NULL, NULL, ''u'', NULL, 0)'), '45404', 'service');
CALL t_expect(CONCAT(@call, '''c'', ''d'', NULL, ''cap'', ''no'', ''1'',
    ''active'', NULL, NULL, NULL, ''u'', NULL, 0)'), '45422', 'model');
CALL t_expect(CONCAT(@call, '''c'', ''d'', NULL, ''cap'', ''m'', ''9'',
    ''active'', NULL, NULL, NULL, ''u'', NULL, 0)'), '45422',
    'model_version');
CALL t_expect(CONCAT(@call, '''c'', ''d'', ''gone'', ''cap'', ''m'',
    ''1'', ''active'', NULL, NULL, NULL, ''u'', NULL, 0)'), '45424',
    'gone');
CALL t_expect(CONCAT(@call, '''c'', ''d'', NULL, ''cap'', ''m'', ''1'',
    ''active'', NULL, NULL, ', QUOTE(CONCAT('[', t_update('s1', '{}'),
    ',', t_update('ghost', '{}'), ']')), ', ''u'', NULL, 0)'), '45423',
    'ghost');
CALL t_expect(CONCAT(@call, '''c'', ''d'', NULL, ''cap'', ''m'', ''1'',
    ''active'', NULL, NULL, ', QUOTE(CONCAT('[', t_update('gone', '{}'),
    ']')), ', ''u'', NULL, 0)'), '45424', 'gone');
CALL t_expect(CONCAT(@call, '''c'', ''d'', ''s1'', ''cap'', ''m'', ''1'',
    ''active'', NULL, NULL, ''[]'', ''u'', NULL, 0)'), '45400',
    'service_updates');
CALL t_expect(CONCAT(@call, '''c'', ''d'', NULL, ''cap'', ''m'', ''1'',
    ''paused'', NULL, NULL, NULL, ''u'', NULL, 0)'), '45400', 'status');
CALL t_expect(CONCAT(@call, '''c'', ''d'', NULL, ''cap'', ''m'', ''1'',
    ''active'', NULL, NULL, NULL, ''u'', t_uuid(77), 0)'), '45412',
    'if_match');
CALL t_assert((SELECT COUNT(*) FROM assignments) = 0,
    'refusals write nothing');

-- Revisions 1, 2, 3 of one key, one active at a time.
CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '1',
    'active', '{"p":1}', '{"m":1}', NULL, 'alice', NULL, 0);
SET @r1 = t_rev('c', 'd', NULL, 'cap', 1);
CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '1',
    'active', NULL, NULL, NULL, 'bob', @r1, 0);
SET @r2 = t_rev('c', 'd', NULL, 'cap', 2);
CALL t_expect(CONCAT(@call, '''c'', ''d'', NULL, ''cap'', ''m'', ''1'',
    ''active'', NULL, NULL, NULL, ''u'', @r1, 0)'), '45412',
    'if_match');
CALL t_assert((SELECT GROUP_CONCAT(revision, status ORDER BY revision)
    FROM assignments WHERE capability = 'cap') = '1archived,2active',
    'revision 2 replaces revision 1');
CALL t_assert((SELECT archived_at IS NOT NULL AND archived_at >=
    created_at FROM assignments WHERE id = @r1), 'archived_at set');
CALL t_assert((SELECT parameters = '{"p":1}' AND metadata = '{"m":1}'
    FROM assignments WHERE id = @r1), 'objects stored as given');
CALL t_assert((SELECT last_revision = 2 AND latest_id = @r2
    FROM assignment_keys WHERE capability = 'cap'), 'key row');

-- The schema refuses a second active revision of a key.
CALL t_expect('INSERT INTO assignments (id, key_pk, client_id,
    domain_id, service_id, capability, revision, version_pk, model_id,
    model_version, status, parameters, metadata, updated_services,
    created_at, created_by) SELECT t_uuid(99), key_pk, client_id,
    domain_id, service_id, capability, 9, version_pk, model_id,
    model_version, ''active'', ''{}'', ''{}'', ''[]'', created_at,
    created_by FROM assignments WHERE id = @r2', '23000', NULL);
CALL t_expect('UPDATE assignments SET status = ''active'',
    archived_at = NULL WHERE id = @r1', '23000', NULL);

-- Archived, then active again.
CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '1',
    'archived', NULL, NULL, NULL, 'u', NULL, 0);
SET @r3 = t_rev('c', 'd', NULL, 'cap', 3);
CALL t_assert(t_active('c', 'd', NULL, 'cap') = 0, 'nothing active');
CALL t_assert((SELECT status = 'archived' AND archived_at = created_at
    FROM assignments WHERE id = @r3), 'archived revision');
CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '1',
    'active', NULL, NULL, NULL, 'u', NULL, 0);
CALL t_assert(t_active('c', 'd', NULL, 'cap') = 1 AND
    t_revisions('c', 'd', NULL, 'cap') = 4, 'active again, revision 4');
CALL t_assert((SELECT COUNT(*) FROM pie_latest_assignments) = 1,
    'one latest revision');

-- A blocked upsert with service_updates changes nothing.  s2 (x 8)
-- blocks version 2; the patch of s1 must be rolled back with it.
SELECT provided_features INTO @s1 FROM services WHERE service_id = 's1';
SELECT COUNT(*) INTO @sf FROM service_features;
SET @u = CONCAT('[', t_update('s1', '{"x":3,"route":null,"y":1}'), ']');
CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '2',
    'active', NULL, NULL, @u, 'u', NULL, 0);
CALL t_assert(t_revisions('c', 'd', NULL, 'cap') = 4, 'no revision');
CALL t_assert((SELECT provided_features FROM services
    WHERE service_id = 's1') = @s1, 'patch rolled back');
CALL t_assert((SELECT COUNT(*) FROM service_features) = @sf,
    'features rolled back');

-- A service-scope revision takes its service out of the domain check.
CALL pie_assignment_upsert('c', 'd', 's2', 'cap', 'm', '1',
    'active', NULL, NULL, NULL, 'u', NULL, 0);
CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '2',
    'active', NULL, NULL, @u, 'u', NULL, 0);
SET @r5 = t_rev('c', 'd', NULL, 'cap', 5);
CALL t_assert(t_revisions('c', 'd', NULL, 'cap') = 5 AND
    (SELECT model_version FROM assignments WHERE status = 'active'
    AND service_id IS NULL AND capability = 'cap') = '2',
    'domain default moved to 2 around the override');
CALL t_assert((SELECT provided_features FROM services
    WHERE service_id = 's1') = '{"x":3,"y":1}', 'patch applied');
CALL t_assert((SELECT GROUP_CONCAT(name ORDER BY name) FROM
    service_features JOIN services USING (service_pk)
    WHERE service_id = 's1') = 'x,y', 'features patched');
CALL t_assert((SELECT updated_services FROM assignments
    WHERE id = @r5) = '["s1"]', 'updated_services');

-- Archiving the override hands s2 back to version 2: refused.
CALL pie_assignment_upsert('c', 'd', 's2', 'cap', 'm', '1',
    'archived', NULL, NULL, NULL, 'u', NULL, 0);
CALL t_assert(t_active('c', 'd', 's2', 'cap') = 1 AND
    t_revisions('c', 'd', 's2', 'cap') = 1, 'override kept');
-- A service-scope upsert to an incompatible version: refused.
CALL pie_assignment_upsert('c', 'd', 's2', 'cap', 'm', '2',
    'active', NULL, NULL, NULL, 'u', NULL, 0);
CALL t_assert(t_revisions('c', 'd', 's2', 'cap') = 1, 'override kept');

-- A patched service is also checked against its other capabilities:
-- "route" is mandatory for capability other (version 3).
CALL pie_assignment_upsert('c', 'd', NULL, 'other', 'm', '3',
    'archived', NULL, NULL, NULL, 'u', NULL, 0);
CALL t_service('c', 'd', 's1', '{"x":3,"route":"r"}');
CALL pie_assignment_upsert('c', 'd', NULL, 'other', 'm', '3',
    'active', NULL, NULL, NULL, 'u', NULL, 0);
SET @u = CONCAT('[', t_update('s1', '{"route":null}'), ']');
CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '2',
    'active', NULL, NULL, @u, 'u', NULL, 0);
CALL t_assert(t_revisions('c', 'd', NULL, 'cap') = 5,
    'blocked by the other capability');
-- Even when the new revision is archived, patches are checked.
CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '2',
    'archived', NULL, NULL, @u, 'u', NULL, 0);
CALL t_assert(t_revisions('c', 'd', NULL, 'cap') = 5,
    'archived upsert with a bad patch blocked');

-- Dry runs write nothing, not even a key row.
SELECT COUNT(*) INTO @keys FROM assignment_keys;
SELECT COUNT(*) INTO @revs FROM assignments;
SET @u = CONCAT('[', t_update('s1', '{"x":4}'), ']');
CALL pie_assignment_upsert('c', 'd', NULL, 'new', 'm', '2',
    'active', NULL, NULL, @u, 'u', NULL, 1);
CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '1',
    'active', NULL, NULL, @u, 'u', @r5, 1);
CALL t_assert((SELECT COUNT(*) FROM assignment_keys) = @keys AND
    (SELECT COUNT(*) FROM assignments) = @revs, 'dry run wrote nothing');
CALL t_assert((SELECT provided_features FROM services
    WHERE service_id = 's1') = '{"x":3,"route":"r"}',
    'dry run patched nothing');
CALL t_expect('CALL pie_assignment_upsert(''c'', ''d'',
    NULL, ''cap'', ''m'', ''1'', ''active'', NULL, NULL, NULL, ''u'',
    @r1, 1)', '45412', 'if_match');

-- A refused first upsert leaves only an empty key row, seen by no read.
CALL pie_assignment_upsert('c', 'd', NULL, 'third', 'm', '2',
    'active', NULL, NULL, NULL, 'u', NULL, 0);
CALL t_assert((SELECT last_revision = 0 AND latest_id IS NULL
    FROM assignment_keys WHERE capability = 'third'), 'empty key row');
CALL t_assert((SELECT COUNT(*) FROM pie_latest_assignments
    WHERE capability = 'third') = 0, 'invisible');

-- Revision times and ids never go backwards within a key, and an id
-- is a UUIDv7 whose milliseconds are its revision's created_at.
CALL t_assert((SELECT COUNT(*) FROM assignments a JOIN assignments b
    ON a.key_pk = b.key_pk AND b.revision = a.revision + 1
    WHERE b.created_at < a.created_at) = 0, 'monotonic created_at');
CALL t_assert((SELECT COUNT(*) FROM assignments a JOIN assignments b
    ON a.key_pk = b.key_pk AND b.revision = a.revision + 1
    WHERE b.id <= a.id) = 0, 'monotonic ids');
CALL t_assert((SELECT COUNT(*) FROM assignments
    WHERE id NOT RLIKE '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab]'
	'[0-9a-f]{3}-[0-9a-f]{12}$'
    OR CONV(CONCAT(LEFT(id, 8), SUBSTR(id, 10, 4)), 16, 10) <>
	TIMESTAMPDIFF(MICROSECOND, '1970-01-01', created_at) DIV 1000)
    = 0, 'UUIDv7 ids of their revision''s time');

-- Within one tick, an id still sorts after the one it follows.
SET @t = '2026-12-04 10:00:00.000500';
SET @a = pie_uuid_v7(@t, NULL);
CALL t_assert(pie_uuid_v7(@t, @a) > @a, 'same microsecond');
CALL t_assert(pie_uuid_v7('2026-12-04 09:00:00', @a) > @a,
    'an earlier clock');
CALL t_assert(LEFT(pie_uuid_v7(@t, NULL), 13) = '01a2407f-1500',
    'the milliseconds of the time given');
CALL t_invariant('c', 'd');

-- The work tables live as long as the connection: what a blocked or a
-- failed write left in them is never seen by the next write.  The
-- blocked upsert leaves its pairs (MEMORY, not rolled back), s2 against
-- version 2 among them, which would block the put of s1 if it saw them.
CALL pie_assignment_upsert('c', 'd', NULL, 'fourth', 'm',
    '2', 'active', NULL, NULL, NULL, 'u', NULL, 0);
CALL t_assert((SELECT COUNT(*) FROM pie_check_pairs) = 2,
    'pairs left behind');
CALL t_service('c', 'd', 's1', '{"x":5,"route":"r"}');
CALL t_assert((SELECT provided_features FROM services
    WHERE service_id = 's1') = '{"x":5,"route":"r"}',
    'put after a blocked write');
CALL t_expect(CONCAT(@call, '''c'', ''d'', NULL, ''fourth'', ''m'',
    ''1'', ''active'', NULL, NULL, ', QUOTE(CONCAT('[', t_update('s1',
    '{"x":4}'), ',', t_update('ghost', '{}'), ']')), ', ''u'', NULL, 0)'),
    '45423', 'ghost');
SET @u = CONCAT('[', t_update('s2', '{"x":2}'), ']');
CALL pie_assignment_upsert('c', 'd', NULL, 'fourth', 'm',
    '2', 'active', NULL, NULL, @u, 'u', NULL, 0);
SET @fourth = t_rev('c', 'd', NULL, 'fourth', 1);
CALL t_assert((SELECT updated_services FROM assignments
    WHERE id = @fourth) = '["s2"]', 'only this write''s updates');
CALL t_invariant('c', 'd');
