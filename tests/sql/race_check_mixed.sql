-- race_check_mixed.sql: after upserts raced with service writes.
CALL t_invariant('c', 'd');
CALL t_assert((SELECT COUNT(*) FROM (SELECT key_pk FROM assignments
    WHERE status = 'active' GROUP BY key_pk HAVING COUNT(*) > 1) x) = 0,
    'at most one active revision per key');
CALL t_assert((SELECT COUNT(*) FROM assignment_keys k
    WHERE k.last_revision <> (SELECT COUNT(*) FROM assignments a
    WHERE a.key_pk = k.key_pk)) = 0, 'dense revision numbers');
