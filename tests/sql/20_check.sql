-- 20_check.sql: the compatibility check's reasons, order and plans.

CALL pie_client_put('c', NULL);
CALL pie_domain_put('c', 'd', NULL);
CALL pie_model_put('m', NULL);
SET @fz = CONCAT('{"features":[',
    '{"name":"route","type":"string","mandatory":true},',
    '{"name":"cabin","type":"string","mandatory":true,',
    '"default":"economy","allowed_values":["economy","business"]},',
    '{"name":"capacity","type":"integer","minimum":1,"maximum":5000},',
    '{"name":"ratio","type":"number","minimum":0,"maximum":1},',
    '{"name":"flag","type":"boolean"},',
    '{"name":"size","type":"number","allowed_values":[1,2.5]}]}');
CALL pie_model_version_put('m', '1', @fz, t_freeze(@fz));

CALL t_service('c', 'd', 'a_ok', '{"route":"r","capacity":10,'
    '"ratio":0.5,"flag":true,"cabin":"business","extra":"y"}');
CALL t_service('c', 'd', 'b_missing', '{}');
CALL t_service('c', 'd', 'c_types', '{"route":1,"capacity":1.5,'
    '"ratio":"x","flag":"true","size":true}');
CALL t_service('c', 'd', 'd_allowed', '{"route":"r","cabin":"first",'
    '"size":2}');
CALL t_service('c', 'd', 'e_range', '{"route":"r","capacity":0,'
    '"ratio":1.5}');
CALL t_service('c', 'd', 'f_int', '{"route":"r","capacity":5000.0,'
    '"ratio":1,"size":1.0}');
CALL t_service('c', 'd', 'g_null', '{"route":null}');
CALL t_service('c', 'd', 'h_first', '{"route":"r","cabin":5}');
CALL t_service('c', 'd', 'B_upper', '{"route":"r","capacity":6000}');
CALL pie_service_put('c', 'd', 'z_departed', 'departed', '{}', '[]');

CALL t_assert((SELECT COUNT(*) FROM service_features sf
    JOIN services s USING (service_pk) WHERE s.service_id = 'g_null') = 0,
    'a null feature is not stored');
CALL t_assert((SELECT COUNT(*) FROM service_features sf
    JOIN services s USING (service_pk) WHERE s.service_id = 'a_ok') = 6,
    'every non-null feature is stored');

-- Both plans over every scheduled service, against version 1.
SELECT domain_pk INTO @d FROM domains WHERE domain_id = 'd';
SELECT version_pk INTO @v FROM model_versions WHERE model_version = '1';
SET @expected = CONCAT_WS(',',
    'B_upper.capacity.out_of_range',
    'b_missing.route.missing',
    'c_types.capacity.wrong_type', 'c_types.flag.wrong_type',
    'c_types.ratio.wrong_type', 'c_types.route.wrong_type',
    'c_types.size.wrong_type',
    'd_allowed.cabin.not_allowed', 'd_allowed.size.not_allowed',
    'e_range.capacity.out_of_range', 'e_range.ratio.out_of_range',
    'g_null.route.missing',
    'h_first.cabin.wrong_type');

CALL pie_check_reset();
INSERT INTO pie_check_passes VALUES (1, 'cap');
INSERT INTO pie_check_pairs (pass, service_pk, version_pk)
SELECT 1, service_pk, @v FROM services
WHERE domain_pk = @d AND status = 'scheduled';
CALL pie_check(@d, @total);
SET @got = (SELECT GROUP_CONCAT(service_id, '.', feature, '.', reason
    ORDER BY service_id, feature SEPARATOR ',') FROM pie_blocking);
-- Binary order: "B_upper" sorts before "a_ok".
CALL t_assert(@got = @expected, CONCAT('lookup plan: ', @got));
CALL t_assert(@total = 13, 'thirteen entries');
CALL t_assert((SELECT COUNT(DISTINCT service_id) FROM pie_blocking) = 7,
    'seven services');

-- The report's value column: stored JSON text, NULL when missing.
CALL t_assert((SELECT GROUP_CONCAT(IFNULL(sf.v, 'NULL')
    ORDER BY b.service_id, b.feature SEPARATOR ' ')
    FROM pie_blocking b LEFT JOIN service_features sf
    ON sf.service_pk = b.service_pk AND sf.name = b.feature) =
    '6000 NULL 1.5 "true" "x" 1 true "first" 2 0 1.5 NULL 5',
    'values as stored');

DELETE FROM pie_blocking;
CALL pie_check_domain(@d, 1, @v);
SET @got = (SELECT GROUP_CONCAT(service_id, '.', feature, '.', reason
    ORDER BY service_id, feature SEPARATOR ',') FROM pie_blocking);
CALL t_assert(@got = @expected, CONCAT('domain plan: ', @got));

-- Lowest pass wins for a feature failing twice.
CALL pie_check_reset();
SET @fz2 = '{"features":[{"name":"capacity","type":"string"}]}';
CALL pie_model_version_put('m', '2', @fz2, t_freeze(@fz2));
SELECT version_pk INTO @v2 FROM model_versions WHERE model_version = '2';
INSERT INTO pie_check_passes VALUES (1, 'one'), (2, 'two');
INSERT INTO pie_check_pairs (pass, service_pk, version_pk)
SELECT 1, service_pk, @v2 FROM services WHERE service_id = 'e_range';
INSERT INTO pie_check_pairs (pass, service_pk, version_pk)
SELECT 2, service_pk, @v FROM services WHERE service_id = 'e_range';
CALL pie_check(@d, @total);
CALL t_assert(@total = 2, 'one entry per service and feature');
CALL t_assert((SELECT reason FROM pie_blocking WHERE feature = 'capacity')
    = 'wrong_type', 'the first pass keeps the feature');

