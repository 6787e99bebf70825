-- 45_patches.sql: a merge patch, by service patch or by service_updates,
-- stores what a put of the same features stores, and the patched
-- service stays within the limits of provided_features (256 features,
-- 64 KiB of JSON): a patch that would break them is refused with 45400
-- naming the field, and changes nothing.

CALL pie_client_put('c', NULL);
CALL pie_domain_put('c', 'd', NULL);
CALL pie_model_put('m', NULL);
SET @f = '{"features":[]}';
CALL pie_model_version_put('m', '1', @f, t_freeze(@f));

-- n features f000, f001, ... with the value 1, as one object.
CREATE OR REPLACE FUNCTION t_many(p_from INT, p_n INT)
RETURNS LONGTEXT DETERMINISTIC
RETURN (WITH RECURSIVE n (i) AS (SELECT p_from UNION ALL
    SELECT i + 1 FROM n WHERE i + 1 < p_from + p_n)
    SELECT CONCAT('{', GROUP_CONCAT(CONCAT('"f', LPAD(i, 3, '0'),
    '":1') ORDER BY i SEPARATOR ','), '}') FROM n);

-- Features of a service, by name, as text: what the check reads.
CREATE OR REPLACE FUNCTION t_rows(p_s VARCHAR(128))
RETURNS LONGTEXT READS SQL DATA
RETURN (SELECT GROUP_CONCAT(name, '=', v ORDER BY name)
    FROM service_features JOIN services USING (service_pk)
    WHERE service_id = p_s);

CREATE OR REPLACE FUNCTION t_stored(p_s VARCHAR(128))
RETURNS LONGTEXT READS SQL DATA
RETURN (SELECT provided_features FROM services WHERE service_id = p_s);

-- A patch that sets one feature and removes one listed after it keeps
-- both changes; the stored text is canonical (binary order, compact).
CALL t_service('c', 'd', 's1', '{"a":0,"b":0,"c":"x"}');
CALL pie_service_patch('c', 'd', 's1', NULL, '{"b":1,"a":null}',
    t_feat('{"b":1,"a":null}'));
CALL t_assert(t_stored('s1') = '{"b":1,"c":"x"}', 'patch applied whole');
CALL t_assert(t_rows('s1') = 'b=1,c="x"', 'features patched');
CALL pie_service_patch('c', 'd', 's1', NULL, '{"Z":true,"B":2}',
    t_feat('{"Z":true,"B":2}'));
CALL t_assert(t_stored('s1') = '{"B":2,"Z":true,"b":1,"c":"x"}',
    'members in binary order');

CALL t_service('c', 'd', 's2', '{"a":0,"b":0}');
SET @u = CONCAT('[', t_update('s2', '{"b":1,"a":null}'), ']');
CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '1',
    'active', NULL, NULL, @u, 'u', NULL, 0);
CALL t_assert(t_stored('s2') = '{"b":1}', 'service_updates applied whole');

-- 256 features after the merge are allowed, 257 are not.
SET @p = t_many(0, 200);
CALL t_service('c', 'd', 's3', @p);
SET @p = t_many(200, 56);
CALL pie_service_patch('c', 'd', 's3', NULL, @p, t_feat(@p));
CALL t_assert((SELECT JSON_LENGTH(t_stored('s3'))) = 256, '256 features');
SET @before = t_stored('s3');
SET @p = t_many(256, 1);
CALL t_expect(CONCAT('CALL pie_service_patch(''c'', ''d'', ''s3'', NULL, ',
    QUOTE(@p), ', ', QUOTE(t_feat(@p)), ')'), '45400',
    'provided_features: more than 256 features');
CALL t_assert(t_stored('s3') = @before, '257th feature not stored');
CALL t_assert((SELECT COUNT(*) FROM service_features JOIN services
    USING (service_pk) WHERE service_id = 's3') = 256,
    '257th feature not in the features');

-- Removing one makes room for another in the same patch.
SET @p = '{"f000":null,"x":1}';
CALL pie_service_patch('c', 'd', 's3', NULL, @p, t_feat(@p));
CALL t_assert((SELECT JSON_LENGTH(t_stored('s3'))) = 256 AND
    JSON_EXISTS(t_stored('s3'), '$.x'), 'one out, one in');

-- At most 64 KiB of JSON: {"a":"<n1>","b":"<n2>"} is n1 + n2 + 15 bytes.
SET @a = CONCAT('{"a":"', REPEAT('x', 40000), '"}');
CALL t_service('c', 'd', 's4', @a);
SET @p = CONCAT('{"b":"', REPEAT('y', 25522), '"}');
CALL t_expect(CONCAT('CALL pie_service_patch(''c'', ''d'', ''s4'', NULL, ',
    QUOTE(@p), ', ', QUOTE(t_feat(@p)), ')'), '45400',
    'provided_features: larger than 64 KiB');
CALL t_assert(t_stored('s4') = @a, '65537 bytes not stored');
SET @p = CONCAT('{"b":"', REPEAT('y', 25521), '"}');
CALL pie_service_patch('c', 'd', 's4', NULL, @p, t_feat(@p));
CALL t_assert(LENGTH(t_stored('s4')) = 65536, '65536 bytes stored');

-- Departing does not lift the limits.
SET @p = t_many(256, 1);
CALL t_expect(CONCAT('CALL pie_service_patch(''c'', ''d'', ''s3'', ',
    '''departed'', ', QUOTE(@p), ', ', QUOTE(t_feat(@p)), ')'), '45400',
    'provided_features: more than 256 features');
CALL t_assert((SELECT status FROM services WHERE service_id = 's3') =
    'scheduled', 'still scheduled');

-- service_updates: the first item (from 0, in request order) whose
-- service would break a limit is named, dry run or not, and nothing is
-- written.
CALL t_service('c', 'd', 's5', '{}');
SET @before = t_stored('s3');
SET @u = CONCAT('[', t_update('s5', '{"q":1}'), ',',
    t_update('s4', '{"c":1}'), ',', t_update('s3', t_many(256, 1)), ']');
CALL t_expect(CONCAT('CALL pie_assignment_upsert(''c'', ',
    '''d'', NULL, ''cap'', ''m'', ''1'', ''active'', NULL, NULL, ',
    QUOTE(@u), ', ''u'', NULL, 0)'), '45400',
    'service_updates[1].static_features: larger than 64 KiB');
CALL t_expect(CONCAT('CALL pie_assignment_upsert(''c'', ',
    '''d'', NULL, ''cap'', ''m'', ''1'', ''active'', NULL, NULL, ',
    QUOTE(@u), ', ''u'', NULL, 1)'), '45400',
    'service_updates[1].static_features: larger than 64 KiB');
SET @u = CONCAT('[', t_update('s5', '{"q":1}'), ',',
    t_update('s3', t_many(256, 1)), ']');
CALL t_expect(CONCAT('CALL pie_assignment_upsert(''c'', ',
    '''d'', NULL, ''cap'', ''m'', ''1'', ''archived'', NULL, NULL, ',
    QUOTE(@u), ', ''u'', NULL, 0)'), '45400',
    'service_updates[1].static_features: more than 256 features');
CALL t_assert(t_revisions('c', 'd', NULL, 'cap') = 1, 'no revision');
CALL t_assert(t_stored('s5') = '{}' AND t_rows('s5') IS NULL,
    's5 not patched');
CALL t_assert(t_stored('s3') = @before, 's3 not patched');
CALL t_invariant('c', 'd');

-- A stored null is a provided value: a patch that does not name it
-- keeps it (RFC 7386), one that names it removes or replaces it, and it
-- counts towards the 256 features.
CALL t_service('c', 'd', 'n1', '{"a":null,"b":1}');
CALL pie_service_patch('c', 'd', 'n1', NULL, '{"b":2}', t_feat('{"b":2}'));
CALL t_assert(t_stored('n1') = '{"a":null,"b":2}', 'null kept by patch');
SET @u = CONCAT('[', t_update('n1', '{"c":3}'), ']');
CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '1', 'active',
    NULL, NULL, @u, 'u', NULL, 0);
CALL t_assert(t_stored('n1') = '{"a":null,"b":2,"c":3}',
    'null kept by service_updates');
CALL pie_service_patch('c', 'd', 'n1', NULL, '{"a":null}',
    t_feat('{"a":null}'));
CALL t_assert(t_stored('n1') = '{"b":2,"c":3}', 'null removed');
CALL t_service('c', 'd', 'n2', '{"a":null}');
CALL pie_service_patch('c', 'd', 'n2', NULL, '{"a":"x"}',
    t_feat('{"a":"x"}'));
CALL t_assert(t_stored('n2') = '{"a":"x"}', 'null replaced');
SET @m = t_many(0, 255);
CALL t_service('c', 'd', 'n3', CONCAT(LEFT(@m, CHAR_LENGTH(@m) - 1),
    ',"z":null}'));
CALL t_expect('CALL pie_service_patch(''c'', ''d'', ''n3'', NULL,
    ''{"y":1}'', t_feat(''{"y":1}''))', '45400',
    'provided_features: more than 256 features');
CALL t_invariant('c', 'd');
