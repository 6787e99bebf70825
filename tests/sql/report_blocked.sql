-- report_blocked.sql: 1200 services without the mandatory "route", then
-- an upsert they block.  run.sh reads the result sets it prints.
CALL pie_client_put('c', NULL);
CALL pie_domain_put('c', 'd', NULL);
CALL pie_model_put('m', NULL);
SET @fz = '{"features":[{"name":"route","type":"string","mandatory":true}]}';
CALL pie_model_version_put('m', '1', @fz, t_freeze(@fz));
INSERT INTO services (domain_pk, client_id, domain_id, service_id,
    status, provided_features, created_at, updated_at)
SELECT d.domain_pk, 'c', 'd', CONCAT('svc-', LPAD(seq, 4, '0')),
    'scheduled', '{}', UTC_TIMESTAMP(3), UTC_TIMESTAMP(3)
FROM seq_1_to_1200, domains d;
CALL pie_assignment_upsert('c', 'd', NULL, 'cap', 'm', '1',
    'active', NULL, NULL, NULL, 't', NULL, 0);
