-- locks_setup.sql: two domains side by side, for the lock test of
-- run.sh: d2's first key row follows d1's last in every key index.
CALL pie_client_put('c', NULL);
CALL pie_domain_put('c', 'd1', NULL);
CALL pie_domain_put('c', 'd2', NULL);
CALL pie_model_put('m', NULL);
SET @f = '{"features":[]}';
CALL pie_model_version_put('m', '1', @f, t_freeze(@f));
CALL t_service('c', 'd1', 's1', '{}');
CALL pie_assignment_upsert('c', 'd1', NULL, 'm', 'm', '1', 'active',
    NULL, NULL, NULL, 'u', NULL, 0);
CALL pie_assignment_upsert('c', 'd2', NULL, 'aaa', 'm', '1', 'active',
    NULL, NULL, NULL, 'u', NULL, 0);
