-- 00_helpers.sql: test-only functions that play the C code's part:
-- they turn plain JSON into the normalised forms of docs/internals.md,
-- and assert.  Installed in the scratch database only.

-- The value key of a scalar JSON value (text), as the C code computes it.
-- Tests use numbers whose %.17g form is their shortest decimal form.
CREATE OR REPLACE FUNCTION t_key(p_v LONGTEXT)
RETURNS CHAR(64) DETERMINISTIC
RETURN CASE JSON_TYPE(p_v)
	WHEN 'STRING' THEN SHA2(CONCAT('s:', JSON_UNQUOTE(p_v)), 256)
	WHEN 'BOOLEAN' THEN SHA2(CONCAT('b:', p_v), 256)
	WHEN 'NULL' THEN NULL
	ELSE SHA2(CONCAT('n:', CAST(CAST(p_v AS DOUBLE) AS CHAR)), 256)
	END;

-- One normalised feature value (without the name).
CREATE OR REPLACE FUNCTION t_val(p_name VARCHAR(255), p_v LONGTEXT)
RETURNS LONGTEXT DETERMINISTIC
RETURN CASE JSON_TYPE(p_v)
	WHEN 'STRING' THEN JSON_OBJECT('n', p_name, 't', 's', 'i', 0,
	    'd', NULL, 'k', t_key(p_v), 'v', JSON_EXTRACT(p_v, '$'))
	WHEN 'BOOLEAN' THEN JSON_OBJECT('n', p_name, 't', 'b', 'i', 0,
	    'd', NULL, 'k', t_key(p_v), 'v', JSON_EXTRACT(p_v, '$'))
	WHEN 'NULL' THEN JSON_OBJECT('n', p_name, 't', 'z', 'i', 0,
	    'd', NULL, 'k', NULL, 'v', NULL)
	ELSE JSON_OBJECT('n', p_name, 't', 'n',
	    'i', IF(CAST(p_v AS DOUBLE) = FLOOR(CAST(p_v AS DOUBLE)), 1, 0),
	    'd', CAST(p_v AS DOUBLE), 'k', t_key(p_v),
	    'v', JSON_EXTRACT(p_v, '$'))
	END;

-- The normalised array of a flat JSON object (features or a patch).
CREATE OR REPLACE FUNCTION t_feat(p_obj LONGTEXT)
RETURNS LONGTEXT DETERMINISTIC
BEGIN
	DECLARE v_keys LONGTEXT DEFAULT JSON_KEYS(p_obj);
	DECLARE v_n INT DEFAULT IFNULL(JSON_LENGTH(v_keys), 0);
	DECLARE v_i INT DEFAULT 0;
	DECLARE v_out LONGTEXT DEFAULT '[]';
	DECLARE v_name VARCHAR(255);

	WHILE v_i < v_n DO
		SET v_name = JSON_UNQUOTE(JSON_EXTRACT(v_keys,
		    CONCAT('$[', v_i, ']')));
		SET v_out = JSON_ARRAY_APPEND(v_out, '$', JSON_EXTRACT(
		    t_val(v_name, JSON_EXTRACT(p_obj,
		    CONCAT('$."', v_name, '"'))), '$'));
		SET v_i = v_i + 1;
	END WHILE;
	RETURN v_out;
END;

-- The normalised form of a freeze {"features": [...]}.
CREATE OR REPLACE FUNCTION t_freeze(p_freeze LONGTEXT)
RETURNS LONGTEXT DETERMINISTIC
BEGIN
	DECLARE v_n INT DEFAULT JSON_LENGTH(p_freeze, '$.features');
	DECLARE v_i INT DEFAULT 0;
	DECLARE v_j INT;
	DECLARE v_f, v_av LONGTEXT;
	DECLARE v_out LONGTEXT DEFAULT '[]';

	WHILE v_i < v_n DO
		SET v_f = JSON_EXTRACT(p_freeze,
		    CONCAT('$.features[', v_i, ']'));
		SET v_av = NULL;
		IF JSON_CONTAINS_PATH(v_f, 'one', '$.allowed_values') THEN
			SET v_av = '[]';
			SET v_j = 0;
			WHILE v_j < JSON_LENGTH(v_f, '$.allowed_values') DO
				SET v_av = JSON_ARRAY_APPEND(v_av, '$',
				    t_key(JSON_EXTRACT(v_f, CONCAT(
				    '$.allowed_values[', v_j, ']'))));
				SET v_j = v_j + 1;
			END WHILE;
		END IF;
		SET v_out = JSON_ARRAY_APPEND(v_out, '$', JSON_OBJECT(
		    'o', 0 + v_i,
		    'n', JSON_VALUE(v_f, '$.name'),
		    'ty', JSON_VALUE(v_f, '$.type'),
		    'm', IF(JSON_VALUE(v_f, '$.mandatory') = '1', 1, 0),
		    'hd', IF(JSON_CONTAINS_PATH(v_f, 'one', '$.default'),
			1, 0),
		    'min', CAST(JSON_VALUE(v_f, '$.minimum') AS DOUBLE),
		    'max', CAST(JSON_VALUE(v_f, '$.maximum') AS DOUBLE),
		    'av', JSON_EXTRACT(v_av, '$')));
		SET v_i = v_i + 1;
	END WHILE;
	RETURN v_out;
END;

-- Fails the test run when p_ok is not true.
CREATE OR REPLACE PROCEDURE t_assert(IN p_ok BOOLEAN, IN p_what TEXT)
BEGIN
	DECLARE v_msg VARCHAR(255);

	IF p_ok IS NULL OR NOT p_ok THEN
		SET v_msg = LEFT(CONCAT('assertion failed: ', p_what), 255);
		SIGNAL SQLSTATE '45999' SET MESSAGE_TEXT = v_msg;
	END IF;
END;

-- Runs p_sql (one statement, usually a CALL) and fails the test run
-- unless it raises SQLSTATE p_state with MESSAGE_TEXT p_msg (p_msg NULL:
-- any message).
CREATE OR REPLACE PROCEDURE t_expect(IN p_sql LONGTEXT,
    IN p_state CHAR(5), IN p_msg TEXT)
BEGIN
	DECLARE v_state CHAR(5) DEFAULT NULL;
	DECLARE v_msg TEXT DEFAULT NULL;

	BEGIN
		DECLARE EXIT HANDLER FOR SQLEXCEPTION
			GET DIAGNOSTICS CONDITION 1
			    v_state = RETURNED_SQLSTATE,
			    v_msg = MESSAGE_TEXT;
		PREPARE t_stmt FROM p_sql;
		EXECUTE t_stmt;
	END;
	DEALLOCATE PREPARE t_stmt;
	CALL t_assert(v_state <=> p_state AND
	    (p_msg IS NULL OR v_msg <=> p_msg),
	    CONCAT(LEFT(p_sql, 120), ': expected ', p_state, ' ',
	    IFNULL(p_msg, '*'), ', got ', IFNULL(v_state, 'success'), ' ',
	    IFNULL(v_msg, '')));
END;

-- Shorthands for the tests: a service put from a plain object, and a
-- domain-default or service-scope upsert with the usual defaults.
CREATE OR REPLACE PROCEDURE t_service(IN p_c VARCHAR(128),
    IN p_d VARCHAR(128), IN p_s VARCHAR(128), IN p_obj LONGTEXT)
BEGIN
	CALL pie_service_put(p_c, p_d, p_s, 'scheduled', p_obj,
	    t_feat(p_obj));
END;

CREATE OR REPLACE FUNCTION t_uuid(p_n INT)
RETURNS CHAR(36) DETERMINISTIC
RETURN CONCAT('00000000-0000-7000-8000-', LPAD(HEX(p_n), 12, '0'));

-- The id of revision p_rev of a key (the procedure makes ids).
CREATE OR REPLACE FUNCTION t_rev(p_c VARCHAR(128), p_d VARCHAR(128),
    p_s VARCHAR(128), p_cap VARCHAR(64), p_rev INT)
RETURNS CHAR(36) CHARACTER SET ascii COLLATE ascii_bin READS SQL DATA
RETURN (SELECT id FROM assignments WHERE client_id = p_c
    AND domain_id = p_d AND service_id <=> p_s AND capability = p_cap
    AND revision = p_rev);

-- One service_updates item from a plain patch object.
CREATE OR REPLACE FUNCTION t_update(p_s VARCHAR(128), p_patch LONGTEXT)
RETURNS LONGTEXT DETERMINISTIC
RETURN JSON_OBJECT('service_id', p_s, 'patch', JSON_EXTRACT(p_patch, '$'),
    'features', JSON_EXTRACT(t_feat(p_patch), '$'));

-- Active revisions of a key, and its revision count.
CREATE OR REPLACE FUNCTION t_active(p_c VARCHAR(128), p_d VARCHAR(128),
    p_s VARCHAR(128), p_cap VARCHAR(64))
RETURNS INT READS SQL DATA
RETURN (SELECT COUNT(*) FROM assignments WHERE client_id = p_c
    AND domain_id = p_d AND service_id <=> p_s AND capability = p_cap
    AND status = 'active');

CREATE OR REPLACE FUNCTION t_revisions(p_c VARCHAR(128),
    p_d VARCHAR(128), p_s VARCHAR(128), p_cap VARCHAR(64))
RETURNS INT READS SQL DATA
RETURN (SELECT COUNT(*) FROM assignments WHERE client_id = p_c
    AND domain_id = p_d AND service_id <=> p_s AND capability = p_cap);

-- Fails unless every scheduled service of the domain is compatible with
-- its effective assignment of every capability (the invariant).
CREATE OR REPLACE PROCEDURE t_invariant(IN p_c VARCHAR(128),
    IN p_d VARCHAR(128))
BEGIN
	DECLARE v_domain_pk BIGINT UNSIGNED;
	DECLARE v_total BIGINT;

	SELECT domain_pk INTO v_domain_pk FROM domains
	WHERE client_id = p_c AND domain_id = p_d;
	CALL pie_check_reset();
	INSERT INTO pie_touched (service_pk, service_id)
	SELECT service_pk, service_id FROM services
	WHERE domain_pk = v_domain_pk AND status = 'scheduled';
	CALL pie_check_add_effective(v_domain_pk, 1, NULL);
	CALL pie_check(v_domain_pk, v_total);
	CALL t_assert(v_total = 0, CONCAT('invariant broken: ', v_total,
	    ' entries, first ', (SELECT CONCAT(service_id, '.', feature)
	    FROM pie_blocking ORDER BY service_id, feature LIMIT 1)));
END;
