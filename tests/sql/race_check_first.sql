-- race_check_first.sql: after 50 concurrent first upserts of one key.
CALL t_assert(t_revisions('c', 'd', NULL, 'cap') = 50, '50 revisions');
CALL t_assert((SELECT COUNT(DISTINCT revision) = 50 AND MIN(revision) = 1
    AND MAX(revision) = 50 FROM assignments WHERE capability = 'cap'),
    'revisions 1..50');
CALL t_assert(t_active('c', 'd', NULL, 'cap') = 1, 'one active');
CALL t_assert((SELECT a.revision = 50 FROM assignments a
    JOIN assignment_keys k ON k.key_pk = a.key_pk
    WHERE a.status = 'active' AND k.latest_id = a.id
    AND a.capability = 'cap'), 'the active one is the latest');
CALL t_assert((SELECT COUNT(*) FROM assignment_keys
    WHERE capability = 'cap') = 1, 'one key row');
CALL t_assert((SELECT COUNT(*) FROM assignments a JOIN assignments b
    ON a.key_pk = b.key_pk AND b.revision = a.revision + 1
    WHERE b.id <= a.id OR b.created_at < a.created_at) = 0,
    'ids and times in revision order');
