-- bench_check.sql: times the compatibility check over a whole domain:
-- 100,000 scheduled services with 20 features each, against a freeze of
-- 10 features, through a dry-run domain-default upsert (every check,
-- nothing written).  Run by run.sh only when PIE_SQL_BENCH=1; it prints
-- the timings and fails when the check exceeds 2 s or 4x the scan.

SET @fz = CONCAT('{"features":[',
 '{"name":"f01","type":"string","mandatory":true,',
 '"allowed_values":["a0","a1","a2","a3","a4"]},',
 '{"name":"f02","type":"string","mandatory":true},',
 '{"name":"f03","type":"string",',
 '"allowed_values":["a0","a1","a2","a3","a4"]},',
 '{"name":"f06","type":"integer","minimum":0,"maximum":100000},',
 '{"name":"f07","type":"integer","mandatory":true},',
 '{"name":"f08","type":"integer","minimum":0},',
 '{"name":"f09","type":"number","maximum":1e9},',
 '{"name":"f16","type":"number","minimum":-1,"maximum":1000000},',
 '{"name":"f17","type":"number"},',
 '{"name":"f18","type":"boolean","mandatory":true,"default":false}]}');
CALL pie_client_put('bench', NULL);
CALL pie_domain_put('bench', 'big', NULL);
CALL pie_model_put('bm', NULL);
CALL pie_model_version_put('bm', '1', @fz, t_freeze(@fz));
SELECT domain_pk INTO @d FROM domains
WHERE client_id = 'bench' AND domain_id = 'big';

-- Generated directly: f01..f05 strings a0..a4, f06..f15 integers,
-- f16, f17, f19 numbers x.5, f18 and f20 booleans.
INSERT INTO services (domain_pk, client_id, domain_id, service_id,
    status, provided_features, created_at, updated_at)
SELECT @d, 'bench', 'big', CONCAT('svc-', LPAD(seq, 6, '0')),
    'scheduled', '{}', UTC_TIMESTAMP(3), UTC_TIMESTAMP(3)
FROM seq_1_to_100000;
INSERT INTO service_features (domain_pk, name, service_pk, t, i, d, k, v)
SELECT @d, CONCAT('f', LPAD(n.seq, 2, '0')), s.service_pk,
    CASE WHEN n.seq <= 5 THEN 's' WHEN n.seq IN (18, 20) THEN 'b'
    ELSE 'n' END,
    n.seq BETWEEN 6 AND 15,
    CASE WHEN n.seq <= 5 OR n.seq IN (18, 20) THEN NULL
    WHEN n.seq <= 15 THEN s.service_pk MOD 1000
    ELSE s.service_pk MOD 1000 + 0.5 END,
    UNHEX(t_key(CASE WHEN n.seq <= 5
	THEN CONCAT('"a', s.service_pk MOD 5, '"')
	WHEN n.seq IN (18, 20) THEN 'true'
	WHEN n.seq <= 15 THEN s.service_pk MOD 1000
	ELSE s.service_pk MOD 1000 + 0.5 END)),
    CASE WHEN n.seq <= 5 THEN CONCAT('"a', s.service_pk MOD 5, '"')
    WHEN n.seq IN (18, 20) THEN 'true'
    WHEN n.seq <= 15 THEN s.service_pk MOD 1000
    ELSE s.service_pk MOD 1000 + 0.5 END
FROM services s JOIN seq_1_to_20 n WHERE s.domain_pk = @d;
ANALYZE TABLE services, service_features;

-- Warm the cache, then time the plain scan (best of three).
SELECT COUNT(*), SUM(LENGTH(v)) INTO @n, @len
FROM service_features WHERE domain_pk = @d;
SET @scan = 1e9;
SET @t = SYSDATE(6);
SELECT COUNT(*), SUM(LENGTH(v)) INTO @n, @len
FROM service_features WHERE domain_pk = @d;
SET @scan = LEAST(@scan, TIMESTAMPDIFF(MICROSECOND, @t, SYSDATE(6)));
SET @t = SYSDATE(6);
SELECT COUNT(*), SUM(LENGTH(v)) INTO @n, @len
FROM service_features WHERE domain_pk = @d;
SET @scan = LEAST(@scan, TIMESTAMPDIFF(MICROSECOND, @t, SYSDATE(6)));
SET @t = SYSDATE(6);
SELECT COUNT(*), SUM(LENGTH(v)) INTO @n, @len
FROM service_features WHERE domain_pk = @d;
SET @scan = LEAST(@scan, TIMESTAMPDIFF(MICROSECOND, @t, SYSDATE(6)));

-- A passing domain check (best of three).
SET @check = 1e9;
SET @t = SYSDATE(6);
CALL pie_assignment_upsert('bench', 'big', NULL, 'cap', 'bm', '1',
    'active', NULL, NULL, NULL, 'bench', NULL, 1);
SET @check = LEAST(@check, TIMESTAMPDIFF(MICROSECOND, @t, SYSDATE(6)));
SET @t = SYSDATE(6);
CALL pie_assignment_upsert('bench', 'big', NULL, 'cap', 'bm', '1',
    'active', NULL, NULL, NULL, 'bench', NULL, 1);
SET @check = LEAST(@check, TIMESTAMPDIFF(MICROSECOND, @t, SYSDATE(6)));
SET @t = SYSDATE(6);
CALL pie_assignment_upsert('bench', 'big', NULL, 'cap', 'bm', '1',
    'active', NULL, NULL, NULL, 'bench', NULL, 1);
SET @check = LEAST(@check, TIMESTAMPDIFF(MICROSECOND, @t, SYSDATE(6)));

-- A failing one: every service misses f02 and has f06 out of range.
DELETE FROM service_features WHERE domain_pk = @d AND name = 'f02';
UPDATE service_features SET d = d + 200000, v = d
WHERE domain_pk = @d AND name = 'f06';
SET @t = SYSDATE(6);
CALL pie_assignment_upsert('bench', 'big', NULL, 'cap', 'bm', '1',
    'active', NULL, NULL, NULL, 'bench', NULL, 1);
SET @fail = TIMESTAMPDIFF(MICROSECOND, @t, SYSDATE(6));

SELECT 'bench' AS kind, @n AS feature_rows, @scan / 1e6 AS scan_s,
    @check / 1e6 AS check_s, ROUND(@check / @scan, 2) AS ratio,
    @fail / 1e6 AS blocked_200k_entries_s;
CALL t_assert(@check < 2e6, 'domain check under 2 s');
CALL t_assert(@check < 4 * @scan, 'domain check under 4x the scan');
