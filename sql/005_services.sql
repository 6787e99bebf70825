-- 005_services.sql: writes of services and their normalised features.
--
-- A service write keeps the invariant: after it, a scheduled service is
-- compatible with the freeze of its effective assignment of every
-- capability, or the write is refused with the blocked result sets and
-- rolled back.  Departed is final: any write to a departed service is
-- refused.  Lock order of every service write: the domain row (share),
-- the service row (exclusive), then the key rows that decide its
-- effective assignments (share), then the reads and the check.

SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,'
    'NO_ZERO_DATE,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION';

-- Empties the session's work tables for feature writes, creating them
-- on the session's first call (as pie_check_reset does):
--   pie_feature_rows  normalised feature values to store (t 'z': remove);
--   pie_updates       service_updates of an assignment upsert.
CREATE OR REPLACE PROCEDURE pie_features_reset()
MODIFIES SQL DATA
BEGIN
	CREATE TEMPORARY TABLE IF NOT EXISTS pie_feature_rows (
		service_pk	BIGINT UNSIGNED NOT NULL,
		name		VARCHAR(255) NOT NULL,
		t		CHAR(1) CHARACTER SET ascii NOT NULL,
		i		TINYINT NULL,
		d		DOUBLE NULL,
		k		CHAR(64) CHARACTER SET ascii NULL,
		v		LONGTEXT NULL,
		PRIMARY KEY (service_pk, name)
	) ENGINE=InnoDB;
	CREATE TEMPORARY TABLE IF NOT EXISTS pie_updates (
		ord		INT UNSIGNED NOT NULL,
		service_id	VARCHAR(128) NULL,
		service_pk	BIGINT UNSIGNED NULL,
		status		VARCHAR(16) NULL,
		patch		LONGTEXT NULL,
		features	LONGTEXT NULL,
		PRIMARY KEY (ord)
	) ENGINE=InnoDB;

	DELETE FROM pie_feature_rows;
	DELETE FROM pie_updates;
END;

-- Loads one service's normalised feature array (docs/internals.md) into
-- pie_feature_rows.  A later duplicate name replaces an earlier one.
CREATE OR REPLACE PROCEDURE pie_features_load(
	IN p_service_pk	BIGINT UNSIGNED,
	IN p_features	LONGTEXT)
MODIFIES SQL DATA
BEGIN
	IF p_features IS NOT NULL AND (JSON_VALID(p_features) = 0 OR
	    JSON_TYPE(p_features) <> 'ARRAY') THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'features';
	END IF;
	INSERT INTO pie_feature_rows (service_pk, name, t, i, d, k, v)
	SELECT p_service_pk, f.n, f.t, f.i, f.d, f.k, f.v
	FROM JSON_TABLE(IFNULL(p_features, '[]'), '$[*]' COLUMNS (
		n	VARCHAR(255) PATH '$.n' ERROR ON EMPTY,
		t	CHAR(1) PATH '$.t' ERROR ON EMPTY,
		i	TINYINT PATH '$.i',
		d	DOUBLE PATH '$.d',
		k	CHAR(64) PATH '$.k',
		v	JSON PATH '$.v')) f
	ON DUPLICATE KEY UPDATE t = VALUES(t), i = VALUES(i), d = VALUES(d),
	    k = VALUES(k), v = VALUES(v);
END;

-- Applies pie_feature_rows to service_features: t 'z' removes the
-- feature, anything else inserts or replaces it.  p_domain_pk is the
-- domain of every service in pie_feature_rows.
CREATE OR REPLACE PROCEDURE pie_features_apply(IN p_domain_pk BIGINT)
MODIFIES SQL DATA
BEGIN
	DELETE sf FROM service_features sf
	JOIN pie_feature_rows r ON r.service_pk = sf.service_pk
	    AND r.name = sf.name
	WHERE r.t = 'z';

	INSERT INTO service_features (service_pk, name, domain_pk, t, i, d,
	    k, v)
	SELECT r.service_pk, r.name, p_domain_pk, r.t, IFNULL(r.i, 0),
	    r.d, UNHEX(r.k), r.v
	FROM pie_feature_rows r
	WHERE r.t <> 'z'
	ON DUPLICATE KEY UPDATE t = VALUES(t), i = VALUES(i), d = VALUES(d),
	    k = VALUES(k), v = VALUES(v);
END;

-- The provided_features text of a service after a merge patch, made
-- from its service_features rows: the canonical object of the C code
-- (members in binary order of name, compact, each value as normalised),
-- so a patched service stores what a put of the same features stores.
-- service_features holds no nulls, so the null members of p_old (the
-- text before the patch) that p_patch does not name are added back: a
-- stored null is a provided value (API.md) that only a patch naming it
-- removes (RFC 7386).  Patches are applied this way, not with
-- JSON_MERGE_PATCH, which in MariaDB 10.11 keeps a member's old value
-- when the patch also removes a member listed after it ({"b":1,"a":null}
-- on {"a":0,"b":0} gives {"b":0}).
CREATE OR REPLACE FUNCTION pie_features_text(
	p_service_pk	BIGINT UNSIGNED,
	p_old		LONGTEXT,
	p_patch		LONGTEXT)
RETURNS LONGTEXT
READS SQL DATA
RETURN (SELECT CONCAT('{', IFNULL(GROUP_CONCAT(JSON_QUOTE(m.name), ':',
    m.v ORDER BY m.name SEPARATOR ','), ''), '}')
    FROM (SELECT name, v FROM service_features
	WHERE service_pk = p_service_pk
	UNION ALL
	SELECT k.name, 'null'
	FROM JSON_TABLE(IFNULL(JSON_KEYS(p_old), '[]'), '$[*]' COLUMNS (
	    name VARCHAR(255) CHARACTER SET utf8mb4
		COLLATE utf8mb4_nopad_bin PATH '$')) k
	WHERE JSON_TYPE(JSON_EXTRACT(p_old,
	    CONCAT('$.', JSON_QUOTE(k.name)))) = 'NULL'
	    AND NOT JSON_CONTAINS_PATH(IFNULL(p_patch, '{}'), 'one',
	    CONCAT('$.', JSON_QUOTE(k.name)))) m);

-- What breaks the limits of provided_features (API.md: at most 256
-- features, at most 64 KiB of JSON, as feature_validate counts them,
-- nulls included) in the text pie_features_text makes, or NULL.  A
-- patch alone is within them; the patched service must be too.  The
-- text is at most the old one and the patch, both within the limits, so
-- never cut by group_concat_max_len (1 MiB by default).
CREATE OR REPLACE FUNCTION pie_features_problem(
	p_service_pk	BIGINT UNSIGNED,
	p_old		LONGTEXT,
	p_patch		LONGTEXT)
RETURNS VARCHAR(32)
READS SQL DATA
BEGIN
	DECLARE v_text LONGTEXT DEFAULT
	    pie_features_text(p_service_pk, p_old, p_patch);

	IF JSON_LENGTH(v_text) > 256 THEN
		RETURN 'more than 256 features';
	ELSEIF LENGTH(v_text) > 65536 THEN
		RETURN 'larger than 64 KiB';
	END IF;
	RETURN NULL;
END;

-- Checks the services in pie_touched against their effective
-- assignments (what decides them was locked by pie_service_begin).
-- Returns the number of blocking entries; when it is not zero the
-- blocked result sets have been sent and the caller must roll back.
CREATE OR REPLACE PROCEDURE pie_service_check(
	IN p_domain_pk	BIGINT UNSIGNED,
	OUT p_total	BIGINT)
MODIFIES SQL DATA
BEGIN
	CALL pie_check_add_effective(p_domain_pk, 1, NULL);
	CALL pie_check(p_domain_pk, p_total);
	IF p_total > 0 THEN
		CALL pie_check_report();
	END IF;
END;

-- Resolves client and domain for a write; 45404 'client' or 'domain'.
CREATE OR REPLACE PROCEDURE pie_domain_find(
	IN p_client_id	VARCHAR(128),
	IN p_domain_id	VARCHAR(128),
	OUT p_domain_pk	BIGINT UNSIGNED)
READS SQL DATA
BEGIN
	SET p_domain_pk = NULL;
	SELECT domain_pk INTO p_domain_pk FROM domains
	WHERE client_id = p_client_id AND domain_id = p_domain_id;
	IF p_domain_pk IS NULL THEN
		IF NOT EXISTS (SELECT 1 FROM clients
		    WHERE client_id = p_client_id) THEN
			SIGNAL SQLSTATE '45404' SET MESSAGE_TEXT = 'client';
		END IF;
		SIGNAL SQLSTATE '45404' SET MESSAGE_TEXT = 'domain';
	END IF;
END;

-- Starts a service write: empties the session's work tables, opens the
-- transaction and takes the locks of the lock order (docs/database.md):
-- what decides the service's effective assignments (share, see
-- pie_check_lock_keys), then the service row (exclusive).  p_service_pk
-- and p_status are NULL when the domain has no such service.
-- Refuses: 45404 'client', 'domain'.
CREATE OR REPLACE PROCEDURE pie_service_begin(
	IN p_client_id		VARCHAR(128),
	IN p_domain_id		VARCHAR(128),
	IN p_service_id		VARCHAR(128),
	OUT p_domain_pk		BIGINT UNSIGNED,
	OUT p_service_pk	BIGINT UNSIGNED,
	OUT p_status		VARCHAR(16))
MODIFIES SQL DATA
BEGIN
	DECLARE v_n BIGINT;

	CALL pie_check_reset();
	CALL pie_features_reset();
	SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
	START TRANSACTION;
	CALL pie_domain_find(p_client_id, p_domain_id, p_domain_pk);

	-- Once the domain row is held, no key row can appear: a service
	-- that is not there now has none, one that is keeps its
	-- service_pk (services are never deleted).
	SELECT COUNT(*) INTO v_n FROM domains
	WHERE domain_pk = p_domain_pk LOCK IN SHARE MODE;
	SET p_service_pk = NULL, p_status = NULL;
	SELECT service_pk INTO p_service_pk FROM services
	WHERE domain_pk = p_domain_pk AND service_id = p_service_id;
	CALL pie_check_lock_keys(p_domain_pk, p_service_pk);
	SELECT service_pk, status INTO p_service_pk, p_status
	FROM services
	WHERE domain_pk = p_domain_pk AND service_id = p_service_id
	FOR UPDATE;
END;

-- Ends a service write begun by pie_service_begin: a service left
-- scheduled is checked against its effective assignments; when that
-- blocks, the blocked result sets are sent and everything is rolled
-- back, else the write commits and the service row is sent
-- (pie_service_result).
CREATE OR REPLACE PROCEDURE pie_service_finish(
	IN p_domain_pk	BIGINT UNSIGNED,
	IN p_service_pk	BIGINT UNSIGNED,
	IN p_service_id	VARCHAR(128),
	IN p_status	VARCHAR(16),
	IN p_created	TINYINT)
MODIFIES SQL DATA
BEGIN
	DECLARE v_total BIGINT DEFAULT 0;

	IF p_status = 'scheduled' THEN
		INSERT INTO pie_touched (service_pk, service_id)
		VALUES (p_service_pk, p_service_id);
		CALL pie_service_check(p_domain_pk, v_total);
	END IF;
	IF v_total > 0 THEN
		ROLLBACK;
	ELSE
		COMMIT;
		CALL pie_service_result(p_service_pk, p_created);
	END IF;
END;

-- Finds a service of a domain for a job, share-locking its row so that
-- it cannot depart before the job's transaction ends.  Returns its
-- service_pk and status.  Refuses: 45404 'service'.
CREATE OR REPLACE PROCEDURE pie_service_find(
	IN p_domain_pk		BIGINT UNSIGNED,
	IN p_service_id		VARCHAR(128),
	OUT p_service_pk	BIGINT UNSIGNED,
	OUT p_status		VARCHAR(16))
READS SQL DATA
BEGIN
	SET p_service_pk = NULL, p_status = NULL;
	SELECT service_pk, status INTO p_service_pk, p_status
	FROM services
	WHERE domain_pk = p_domain_pk AND service_id = p_service_id
	LOCK IN SHARE MODE;
	IF p_service_pk IS NULL THEN
		SIGNAL SQLSTATE '45404' SET MESSAGE_TEXT = 'service';
	END IF;
END;

-- Sends the 'ok' result of a service write: (kind, created, client_id,
-- domain_id, service_id, status, provided_features, created_at,
-- updated_at).
CREATE OR REPLACE PROCEDURE pie_service_result(
	IN p_service_pk	BIGINT UNSIGNED,
	IN p_created	TINYINT)
READS SQL DATA
BEGIN
	SELECT 'ok' AS kind, p_created AS created, client_id, domain_id,
	    service_id, status, provided_features,
	    pie_ts(created_at) AS created_at, pie_ts(updated_at) AS updated_at
	FROM services WHERE service_pk = p_service_pk;
END;

-- Creates or replaces a service.  p_provided is the canonical
-- provided_features object text (stored as-is), p_features its
-- normalised array (entries with t 'z' are ignored: null is absent).
-- Returns the service row with created 1/0, or the blocked result sets.
-- Refuses: 45400 'status'; 45404 'client', 'domain'; 45424 (the service
-- is departed; MESSAGE_TEXT is its id).
CREATE OR REPLACE PROCEDURE pie_service_put(
	IN p_client_id	VARCHAR(128),
	IN p_domain_id	VARCHAR(128),
	IN p_service_id	VARCHAR(128),
	IN p_status	VARCHAR(16),
	IN p_provided	LONGTEXT,
	IN p_features	LONGTEXT)
MODIFIES SQL DATA
BEGIN
	DECLARE v_now DATETIME(3) DEFAULT UTC_TIMESTAMP(3);
	DECLARE v_domain_pk, v_service_pk BIGINT UNSIGNED;
	DECLARE v_status VARCHAR(16);
	DECLARE v_created TINYINT DEFAULT 0;
	DECLARE EXIT HANDLER FOR SQLEXCEPTION
	BEGIN
		ROLLBACK;
		RESIGNAL;
	END;

	IF p_status IS NULL OR p_status NOT IN ('scheduled', 'departed')
	THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'status';
	END IF;
	IF p_service_id IS NULL THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'service_id';
	END IF;
	CALL pie_service_begin(p_client_id, p_domain_id, p_service_id,
	    v_domain_pk, v_service_pk, v_status);

	-- A racing create of the same service surfaces as a duplicate,
	-- once the other transaction commits: this one replaces it.
	IF v_service_pk IS NULL THEN
		BEGIN
			DECLARE CONTINUE HANDLER FOR 1062 SET v_created = 0;
			SET v_created = 1;
			INSERT INTO services (domain_pk, client_id,
			    domain_id, service_id, status,
			    provided_features, created_at, updated_at)
			VALUES (v_domain_pk, p_client_id, p_domain_id,
			    p_service_id, p_status, p_provided, v_now,
			    v_now);
		END;
		SELECT service_pk, status INTO v_service_pk, v_status
		FROM services
		WHERE domain_pk = v_domain_pk
		    AND service_id = p_service_id
		FOR UPDATE;
	END IF;
	IF v_created = 0 THEN
		IF v_status = 'departed' THEN
			SIGNAL SQLSTATE '45424' SET MESSAGE_TEXT = p_service_id;
		END IF;
		UPDATE services SET status = p_status,
		    provided_features = p_provided, updated_at = v_now
		WHERE service_pk = v_service_pk;
		DELETE FROM service_features WHERE service_pk = v_service_pk;
	END IF;

	CALL pie_features_load(v_service_pk, p_features);
	DELETE FROM pie_feature_rows WHERE t = 'z';
	CALL pie_features_apply(v_domain_pk);
	CALL pie_service_finish(v_domain_pk, v_service_pk, p_service_id,
	    p_status, v_created);
END;

-- Patches a service: p_status (NULL keeps it), p_patch a JSON merge
-- patch of provided_features (NULL: none) and p_features its normalised
-- array (t 'z' removes a feature), from which the new provided_features
-- are made (pie_features_text).  Returns the service row (created is
-- always 0), or the blocked result sets.
-- Refuses: 45400 'status', 'patch', or 'provided_features: more than
-- 256 features' / 'provided_features: larger than 64 KiB' (the patched
-- service); 45404 'client', 'domain', 'service'; 45424 (the service is
-- departed; MESSAGE_TEXT is its id).
CREATE OR REPLACE PROCEDURE pie_service_patch(
	IN p_client_id	VARCHAR(128),
	IN p_domain_id	VARCHAR(128),
	IN p_service_id	VARCHAR(128),
	IN p_status	VARCHAR(16),
	IN p_patch	LONGTEXT,
	IN p_features	LONGTEXT)
MODIFIES SQL DATA
BEGIN
	DECLARE v_now DATETIME(3) DEFAULT UTC_TIMESTAMP(3);
	DECLARE v_domain_pk, v_service_pk BIGINT UNSIGNED;
	DECLARE v_status VARCHAR(16);
	DECLARE v_problem VARCHAR(64);
	DECLARE v_old LONGTEXT;
	DECLARE EXIT HANDLER FOR SQLEXCEPTION
	BEGIN
		ROLLBACK;
		RESIGNAL;
	END;

	IF p_status IS NOT NULL AND
	    p_status NOT IN ('scheduled', 'departed') THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'status';
	END IF;
	IF p_patch IS NOT NULL AND (JSON_VALID(p_patch) = 0 OR
	    JSON_TYPE(p_patch) <> 'OBJECT') THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'patch';
	END IF;
	CALL pie_service_begin(p_client_id, p_domain_id, p_service_id,
	    v_domain_pk, v_service_pk, v_status);
	IF v_service_pk IS NULL THEN
		SIGNAL SQLSTATE '45404' SET MESSAGE_TEXT = 'service';
	END IF;
	IF v_status = 'departed' THEN
		SIGNAL SQLSTATE '45424' SET MESSAGE_TEXT = p_service_id;
	END IF;

	SET v_status = IFNULL(p_status, v_status);
	CALL pie_features_load(v_service_pk, p_features);
	CALL pie_features_apply(v_domain_pk);
	SELECT provided_features INTO v_old FROM services
	WHERE service_pk = v_service_pk;
	SET v_problem = pie_features_problem(v_service_pk, v_old, p_patch);
	IF v_problem IS NOT NULL THEN
		SET v_problem = CONCAT('provided_features: ', v_problem);
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = v_problem;
	END IF;
	UPDATE services SET status = v_status,
	    provided_features = IF(p_patch IS NULL AND p_features IS NULL,
		provided_features,
		pie_features_text(v_service_pk, v_old, p_patch)),
	    updated_at = IF(p_status IS NULL AND p_patch IS NULL, updated_at,
		v_now)
	WHERE service_pk = v_service_pk;
	CALL pie_service_finish(v_domain_pk, v_service_pk, p_service_id,
	    v_status, 0);
END;
