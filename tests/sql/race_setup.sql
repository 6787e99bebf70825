-- race_setup.sql: the domain the concurrency tests in run.sh race in.
-- Version 1 accepts x in 1..10, version 2 only 1..5; services start
-- with x in 1..5, and t_race_patch sets x anywhere in 1..10.
CALL pie_client_put('c', NULL);
CALL pie_domain_put('c', 'd', NULL);
CALL pie_model_put('m', NULL);
SET @f1 = '{"features":[{"name":"x","type":"integer","mandatory":true,'
    '"minimum":1,"maximum":10}]}';
SET @f2 = '{"features":[{"name":"x","type":"integer","mandatory":true,'
    '"minimum":1,"maximum":5}]}';
CALL pie_model_version_put('m', '1', @f1, t_freeze(@f1));
CALL pie_model_version_put('m', '2', @f2, t_freeze(@f2));
CALL t_service('c', 'd', 's01', '{"x":1}');
CALL t_service('c', 'd', 's02', '{"x":2}');
CALL t_service('c', 'd', 's03', '{"x":3}');
CALL t_service('c', 'd', 's04', '{"x":4}');
CALL t_service('c', 'd', 's05', '{"x":5}');
CALL t_service('c', 'd', 's06', '{"x":1}');

CREATE OR REPLACE PROCEDURE t_race_patch(IN p_i INT)
BEGIN
	DECLARE v_patch LONGTEXT DEFAULT JSON_OBJECT('x', p_i MOD 10 + 1);

	CALL pie_service_patch('c', 'd', CONCAT('s0', p_i MOD 6 + 1), NULL,
	    v_patch, t_feat(v_patch));
END;
