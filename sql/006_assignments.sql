-- 006_assignments.sql: assignment upserts at both scopes.
--
-- The key row (assignment_keys) is the lock: upserts of one key
-- serialize on it, upserts of different keys never wait on each other
-- unless one of them patches services (see the lock order in
-- docs/database.md).  It is created, when missing, by its own small
-- transaction before the upsert's transaction, so that racing first
-- upserts never deadlock on the insert; an empty key row is invisible
-- to every read.

SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,'
    'NO_ZERO_DATE,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION';

-- Makes sure the key row (domain, scope, capability) exists, in its own
-- committed transaction.  It is inserted under an exclusive lock of the
-- domain row, which service writes hold in share mode: so a service
-- write either sees the new key row (and locks it) or finishes before
-- the key can be used.  Must be called outside any transaction.
CREATE OR REPLACE PROCEDURE pie_assignment_key_create(
	IN p_domain_pk	BIGINT UNSIGNED,
	IN p_service_pk	BIGINT UNSIGNED,
	IN p_capability	VARCHAR(64))
MODIFIES SQL DATA
BEGIN
	DECLARE v_n BIGINT;
	DECLARE EXIT HANDLER FOR SQLEXCEPTION
	BEGIN
		ROLLBACK;
		RESIGNAL;
	END;

	IF NOT EXISTS (SELECT 1 FROM assignment_keys
	    WHERE domain_pk = p_domain_pk
		AND scope_pk = IFNULL(p_service_pk, 0)
		AND capability = p_capability) THEN
		SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
		START TRANSACTION;
		SELECT COUNT(*) INTO v_n FROM domains
		WHERE domain_pk = p_domain_pk FOR UPDATE;
		INSERT INTO assignment_keys (domain_pk, service_pk,
		    capability)
		SELECT p_domain_pk, p_service_pk, p_capability
		FROM DUAL
		WHERE NOT EXISTS (SELECT 1 FROM assignment_keys
		    WHERE domain_pk = p_domain_pk
			AND scope_pk = IFNULL(p_service_pk, 0)
			AND capability = p_capability);
		COMMIT;
	END IF;
END;

-- A UUIDv7 (RFC 9562) for a revision made at p_at: 48 bits of Unix
-- milliseconds, then the microseconds within the millisecond in the 12
-- bits RFC 9562 lets a generator use for a finer clock, then random
-- bits.  It is greater than p_after (the key's latest revision id, or
-- NULL), so a key's ids sort like its revisions even within one tick.
-- Made under the key lock, so ids sort as the revisions were made.
CREATE OR REPLACE FUNCTION pie_uuid_v7(
	p_at	DATETIME(6),
	p_after	CHAR(36))
RETURNS CHAR(36) CHARACTER SET ascii
NOT DETERMINISTIC NO SQL
BEGIN
	DECLARE v_us BIGINT UNSIGNED DEFAULT
	    TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', p_at);
	DECLARE v_t, v_prev BIGINT UNSIGNED;
	DECLARE v_rand CHAR(16);

	-- v_t: milliseconds and the 12-bit fraction, as one number.
	SET v_t = (v_us DIV 1000) * 4096 + (v_us MOD 1000) * 4096 DIV 1000;
	IF p_after IS NOT NULL THEN
		SET v_prev = CONV(CONCAT(SUBSTR(p_after, 1, 8),
		    SUBSTR(p_after, 10, 4), SUBSTR(p_after, 16, 3)), 16, 10);
		SET v_t = GREATEST(v_t, v_prev + 1);
	END IF;

	-- The variant (binary 10) takes the top bits of the random part.
	SET v_rand = LOWER(HEX(RANDOM_BYTES(8)));
	SET v_rand = CONCAT(LOWER(HEX(8 + (CONV(LEFT(v_rand, 1), 16, 10)
	    MOD 4))), SUBSTR(v_rand, 2));
	RETURN LOWER(CONCAT(LPAD(HEX(v_t DIV 4096 DIV 65536), 8, '0'), '-',
	    LPAD(HEX(v_t DIV 4096 MOD 65536), 4, '0'), '-7',
	    LPAD(HEX(v_t MOD 4096), 3, '0'), '-', LEFT(v_rand, 4), '-',
	    SUBSTR(v_rand, 5)));
END;

-- Takes the locks of an upsert of key (p_domain_pk, p_service_pk,
-- p_capability), in the order every write takes them (docs/database.md:
-- the domain row, then key rows in the order of their unique index,
-- then service rows), so that two writes never wait on each other in a
-- cycle.  Each key row is locked by an equality on a unique key, never
-- by a range, which would also lock the row after it:
--   service scope: the domain default of the capability (share: the
--     service falls back to it when archived), then the key;
--   domain default without service_updates: the key alone;
--   domain default with p_service_updates: the domain row (share: no
--     new key appears while the patches are checked against every
--     effective assignment), then every domain-default key of the domain
--     and every service-scope key of the patched services (share; this
--     key exclusive: pie_lock_keys).  The rows of the patched services
--     follow in pie_assignment_patch_services.
CREATE OR REPLACE PROCEDURE pie_assignment_lock(
	IN p_domain_pk		BIGINT UNSIGNED,
	IN p_service_pk		BIGINT UNSIGNED,
	IN p_capability		VARCHAR(64),
	IN p_service_updates	LONGTEXT)
MODIFIES SQL DATA
BEGIN
	DECLARE v_n BIGINT;
	DECLARE v_own BIGINT UNSIGNED;

	IF p_service_pk IS NULL AND p_service_updates IS NOT NULL THEN
		SELECT COUNT(*) INTO v_n FROM domains
		WHERE domain_pk = p_domain_pk LOCK IN SHARE MODE;
		SELECT key_pk INTO v_own FROM assignment_keys
		WHERE domain_pk = p_domain_pk AND scope_pk = 0
		    AND capability = p_capability;
		DELETE FROM pie_lock_scopes;
		INSERT IGNORE INTO pie_lock_scopes (service_pk)
		SELECT s.service_pk
		FROM JSON_TABLE(p_service_updates, '$[*]' COLUMNS (
			service_id VARCHAR(128) PATH '$.service_id')) u
		JOIN services s ON s.domain_pk = p_domain_pk
		    AND s.service_id = u.service_id;
		CALL pie_lock_keys(p_domain_pk, v_own);
	ELSE
		IF p_service_pk IS NOT NULL THEN
			SELECT COUNT(*) INTO v_n FROM assignment_keys
			WHERE domain_pk = p_domain_pk AND scope_pk = 0
			    AND capability = p_capability
			LOCK IN SHARE MODE;
		END IF;
		SELECT COUNT(*) INTO v_n FROM assignment_keys
		WHERE domain_pk = p_domain_pk
		    AND scope_pk = IFNULL(p_service_pk, 0)
		    AND capability = p_capability
		FOR UPDATE;
	END IF;
END;

-- Loads p_updates (the service_updates array: [{"service_id", "patch",
-- "features"}]) into pie_updates, locks the services, and applies the
-- patches through their normalised features (provided_features are
-- made from them: pie_features_text).  Fills pie_touched with the
-- patched services.
-- p_updates is a JSON array (pie_assignment_args makes sure).
-- Refuses: 45400 'service_updates' (an item without service_id, a
-- service_id twice) or 'service_updates[i].static_features:
-- more than 256 features' / '...: larger than 64 KiB' (the first patched
-- service over the limits, i counting from 0 in request order); 45423
-- unknown service; 45424 departed service (MESSAGE_TEXT: the first such
-- service_id in request order).
CREATE OR REPLACE PROCEDURE pie_assignment_patch_services(
	IN p_domain_pk	BIGINT UNSIGNED,
	IN p_updates	LONGTEXT,
	IN p_now	DATETIME(3))
MODIFIES SQL DATA
BEGIN
	DECLARE v_n, v_distinct BIGINT;
	DECLARE v_bad VARCHAR(128);

	INSERT INTO pie_updates (ord, service_id, patch, features)
	SELECT u.ord, u.service_id, u.patch, u.features
	FROM JSON_TABLE(p_updates, '$[*]' COLUMNS (
		ord		FOR ORDINALITY,
		service_id	VARCHAR(128) PATH '$.service_id',
		patch		JSON PATH '$.patch',
		features	JSON PATH '$.features')) u;
	SELECT COUNT(service_id), COUNT(DISTINCT service_id)
	INTO v_n, v_distinct FROM pie_updates;
	IF v_n <> v_distinct OR
	    v_n <> (SELECT COUNT(*) FROM pie_updates) THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'service_updates';
	END IF;

	-- Lock the rows (latest committed state) before judging them;
	-- their keys are already held (pie_assignment_lock).
	UPDATE pie_updates u
	JOIN services s ON s.domain_pk = p_domain_pk
	    AND s.service_id = u.service_id
	SET u.service_pk = s.service_pk;
	SELECT COUNT(*) INTO v_n FROM services s
	WHERE s.service_pk IN (SELECT service_pk FROM pie_updates)
	FOR UPDATE;
	UPDATE pie_updates u
	JOIN services s ON s.service_pk = u.service_pk
	SET u.status = s.status;

	SET v_bad = NULL;
	SELECT service_id INTO v_bad FROM pie_updates
	WHERE service_pk IS NULL ORDER BY ord LIMIT 1;
	IF v_bad IS NOT NULL THEN
		SIGNAL SQLSTATE '45423' SET MESSAGE_TEXT = v_bad;
	END IF;
	SELECT service_id INTO v_bad FROM pie_updates
	WHERE status = 'departed' ORDER BY ord LIMIT 1;
	IF v_bad IS NOT NULL THEN
		SIGNAL SQLSTATE '45424' SET MESSAGE_TEXT = v_bad;
	END IF;

	INSERT INTO pie_feature_rows (service_pk, name, t, i, d, k, v)
	SELECT u.service_pk, f.n, f.t, f.i, f.d, f.k, f.v
	FROM pie_updates u,
	    JSON_TABLE(IFNULL(u.features, '[]'), '$[*]' COLUMNS (
		n	VARCHAR(255) PATH '$.n' ERROR ON EMPTY,
		t	CHAR(1) PATH '$.t' ERROR ON EMPTY,
		i	TINYINT PATH '$.i',
		d	DOUBLE PATH '$.d',
		k	CHAR(64) PATH '$.k',
		v	JSON PATH '$.v')) f
	ON DUPLICATE KEY UPDATE t = VALUES(t), i = VALUES(i),
	    d = VALUES(d), k = VALUES(k), v = VALUES(v);
	CALL pie_features_apply(p_domain_pk);

	SET v_bad = NULL;
	SELECT CONCAT('service_updates[', x.ord - 1, '].static_features: ',
	    x.problem)
	INTO v_bad
	FROM (SELECT u.ord, pie_features_problem(u.service_pk,
		s.provided_features, u.patch) AS problem
	    FROM pie_updates u
	    JOIN services s ON s.service_pk = u.service_pk) x
	WHERE x.problem IS NOT NULL
	ORDER BY x.ord LIMIT 1;
	IF v_bad IS NOT NULL THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = v_bad;
	END IF;
	UPDATE services s
	JOIN pie_updates u ON u.service_pk = s.service_pk
	SET s.provided_features = pie_features_text(s.service_pk,
		s.provided_features, u.patch),
	    s.updated_at = p_now;

	INSERT INTO pie_touched (service_pk, service_id)
	SELECT service_pk, service_id FROM pie_updates;
END;

-- Creates a new revision of an assignment key, at domain-default scope
-- (p_service_id NULL) or service scope, as one transaction:
--   1. lock the key (pie_assignment_lock); 412 unless p_if_match is
--      NULL, '*' and the key has a revision, or a comma-separated list
--      of ids holding the key's latest revision id;
--   2. apply p_service_updates (domain default only): each patched
--      service must be compatible with the target version whatever
--      p_status, and with its effective assignments of the other
--      capabilities (and with its own service-scope revision of this
--      capability, if any);
--   3. active: every scheduled service of the domain without an active
--      service-scope revision of this capability (service scope: the
--      one service) must be compatible with the target version;
--      archived at service scope: the service must be compatible with
--      the domain default's active version of this capability, if any;
--   4. archive the previous active revision (status 'archived',
--      archived_at now) and insert revision last + 1, active or
--      archived (archived_at = created_at), with a new id
--      (pie_uuid_v7) made under the key lock.
-- Any failure of 2 or 3 sends the blocked result sets and rolls back.
-- p_dry_run = 1 runs every check, writes nothing (no key row either) and
-- returns the row that would have been written.
-- p_created_by is the caller's name, NULL when the token named nobody.
-- Result (kind 'ok'): id, client_id, domain_id, service_id, capability,
-- revision, model_id, model_version, status, parameters, metadata,
-- updated_services, created_at, created_by, archived_at.
-- Refuses: 45400 (bad argument, MESSAGE_TEXT names it); 45404 'client',
-- 'domain', 'service'; 45422 'model' or 'model_version' (unknown model
-- version); 45423 unknown service in service_updates; 45424 departed
-- service; 45412 If-Match failed.
CREATE OR REPLACE PROCEDURE pie_assignment_upsert(
	IN p_client_id		VARCHAR(128),
	IN p_domain_id		VARCHAR(128),
	IN p_service_id		VARCHAR(128),
	IN p_capability		VARCHAR(64),
	IN p_model_id		VARCHAR(128),
	IN p_model_version	VARCHAR(64),
	IN p_status		VARCHAR(16),
	IN p_parameters		LONGTEXT,
	IN p_metadata		LONGTEXT,
	IN p_service_updates	LONGTEXT,
	IN p_created_by		VARCHAR(255),
	IN p_if_match		TEXT,
	IN p_dry_run		TINYINT)
MODIFIES SQL DATA
body: BEGIN
	DECLARE v_now DATETIME(3) DEFAULT UTC_TIMESTAMP(3);
	DECLARE v_at DATETIME(6);
	DECLARE v_id CHAR(36);
	DECLARE v_domain_pk, v_service_pk, v_key_pk BIGINT UNSIGNED;
	DECLARE v_version_pk, v_scope_version_pk BIGINT UNSIGNED;
	DECLARE v_service_status VARCHAR(16);
	DECLARE v_last INT UNSIGNED DEFAULT 0;
	DECLARE v_latest_id CHAR(36);
	DECLARE v_prev_at DATETIME(3);
	DECLARE v_total BIGINT DEFAULT 0;
	DECLARE v_updated LONGTEXT DEFAULT '[]';
	DECLARE EXIT HANDLER FOR SQLEXCEPTION
	BEGIN
		ROLLBACK;
		RESIGNAL;
	END;

	CALL pie_assignment_args(p_capability, p_status, p_parameters,
	    p_metadata, p_service_id, p_service_updates, p_if_match);
	SET p_parameters = IFNULL(p_parameters, '{}');
	SET p_metadata = IFNULL(p_metadata, '{}');
	SET p_dry_run = IFNULL(p_dry_run, 0);

	-- Path resources (never deleted, so no lock is needed).
	CALL pie_domain_find(p_client_id, p_domain_id, v_domain_pk);
	IF p_service_id IS NOT NULL THEN
		SELECT service_pk, status INTO v_service_pk, v_service_status
		FROM services
		WHERE domain_pk = v_domain_pk AND service_id = p_service_id;
		IF v_service_pk IS NULL THEN
			SIGNAL SQLSTATE '45404' SET MESSAGE_TEXT = 'service';
		END IF;
	END IF;
	SELECT version_pk INTO v_version_pk FROM model_versions
	WHERE model_id = p_model_id AND model_version = p_model_version;
	IF v_version_pk IS NULL THEN
		IF NOT EXISTS (SELECT 1 FROM models
		    WHERE model_id = p_model_id) THEN
			SIGNAL SQLSTATE '45422' SET MESSAGE_TEXT = 'model';
		END IF;
		SIGNAL SQLSTATE '45422' SET MESSAGE_TEXT = 'model_version';
	END IF;
	IF v_service_status = 'departed' THEN
		SIGNAL SQLSTATE '45424' SET MESSAGE_TEXT = p_service_id;
	END IF;

	CALL pie_check_reset();
	IF p_service_updates IS NOT NULL THEN
		CALL pie_features_reset();
	END IF;
	IF p_dry_run = 0 THEN
		CALL pie_assignment_key_create(v_domain_pk, v_service_pk,
		    p_capability);
		IF v_service_pk IS NOT NULL THEN
			CALL pie_assignment_key_create(v_domain_pk, NULL,
			    p_capability);
		END IF;
	END IF;

	SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
	START TRANSACTION;

	-- 1. The key.  A dry run locks nothing: it only reads.
	IF p_dry_run = 0 THEN
		CALL pie_assignment_lock(v_domain_pk, v_service_pk,
		    p_capability, p_service_updates);
	END IF;
	SELECT key_pk, last_revision, latest_id
	INTO v_key_pk, v_last, v_latest_id
	FROM assignment_keys
	WHERE domain_pk = v_domain_pk
	    AND scope_pk = IFNULL(v_service_pk, 0)
	    AND capability = p_capability;
	IF p_if_match IS NOT NULL AND (v_latest_id IS NULL OR
	    (p_if_match <> '*' AND FIND_IN_SET(v_latest_id, p_if_match) = 0))
	THEN
		SIGNAL SQLSTATE '45412' SET MESSAGE_TEXT = 'if_match';
	END IF;

	INSERT INTO pie_check_passes (pass, capability)
	VALUES (1, p_capability);

	-- Service scope: the service follows the target when active, the
	-- domain default when archived.  It may have departed since it was
	-- looked up; its row is read again, share-locked, now that the keys
	-- are held.
	IF v_service_pk IS NOT NULL THEN
		SELECT status INTO v_service_status FROM services
		WHERE service_pk = v_service_pk LOCK IN SHARE MODE;
		IF v_service_status = 'departed' THEN
			SIGNAL SQLSTATE '45424' SET MESSAGE_TEXT = p_service_id;
		END IF;
		IF p_status = 'active' THEN
			SET v_scope_version_pk = v_version_pk;
		ELSE
			SELECT a.version_pk INTO v_scope_version_pk
			FROM assignment_keys k
			JOIN assignments a ON a.active_key = k.key_pk
			WHERE k.domain_pk = v_domain_pk AND k.scope_pk = 0
			    AND k.capability = p_capability;
		END IF;
		IF v_scope_version_pk IS NOT NULL THEN
			INSERT INTO pie_check_pairs (pass, service_pk,
			    version_pk)
			VALUES (1, v_service_pk, v_scope_version_pk);
		END IF;
	END IF;

	-- 2. The service updates, checked against the target and against
	-- everything else that is effective for them.
	IF p_service_updates IS NOT NULL THEN
		CALL pie_assignment_patch_services(v_domain_pk,
		    p_service_updates, v_now);
		INSERT INTO pie_check_pairs (pass, service_pk, version_pk)
		SELECT 1, service_pk, v_version_pk FROM pie_touched;
		CALL pie_check_add_effective(v_domain_pk, 2, p_capability);
		SELECT IFNULL(JSON_ARRAYAGG(service_id ORDER BY ord), '[]')
		INTO v_updated FROM pie_updates;
	END IF;

	-- 3. The domain: services that would follow the new revision.
	IF p_status = 'active' AND v_service_pk IS NULL THEN
		INSERT INTO pie_check_pairs (pass, service_pk, version_pk)
		SELECT 1, s.service_pk, v_version_pk
		FROM services s
		WHERE s.domain_pk = v_domain_pk AND s.status = 'scheduled'
		    AND s.service_pk NOT IN (SELECT k.service_pk
			FROM assignment_keys k
			JOIN assignments a ON a.active_key = k.key_pk
			WHERE k.domain_pk = v_domain_pk
			    AND k.capability = p_capability
			    AND k.service_pk IS NOT NULL)
		ON DUPLICATE KEY UPDATE pass = pie_check_pairs.pass;
	END IF;

	CALL pie_check(v_domain_pk, v_total);
	IF v_total > 0 THEN
		CALL pie_check_report();
		ROLLBACK;
		LEAVE body;
	END IF;

	-- 4. The new revision, never older than the one it follows.  Its
	-- time is read again now, after the key lock and the check, so
	-- that it is as close to the commit as can be: a read of an
	-- earlier moment (as_of) must not find what was not yet visible.
	SELECT created_at INTO v_prev_at FROM assignments
	WHERE key_pk = v_key_pk AND revision = v_last;
	SET v_at = UTC_TIMESTAMP(6);
	SET v_at = GREATEST(v_at, IFNULL(v_prev_at, v_at));
	SET v_now = v_at;
	SET v_id = pie_uuid_v7(v_at, v_latest_id);
	IF p_dry_run = 0 THEN
		UPDATE assignments SET status = 'archived', archived_at = v_now
		WHERE active_key = v_key_pk;
		INSERT INTO assignments (id, key_pk, client_id, domain_id,
		    service_id, capability, revision, version_pk, model_id,
		    model_version, status, parameters, metadata,
		    updated_services, created_at, created_by, archived_at)
		VALUES (v_id, v_key_pk, p_client_id, p_domain_id,
		    p_service_id, p_capability, v_last + 1, v_version_pk,
		    p_model_id, p_model_version, p_status, p_parameters,
		    p_metadata, v_updated, v_now, p_created_by,
		    IF(p_status = 'archived', v_now, NULL));
		UPDATE assignment_keys
		SET last_revision = v_last + 1, latest_id = v_id
		WHERE key_pk = v_key_pk;
		COMMIT;
	ELSE
		ROLLBACK;
	END IF;

	SELECT 'ok' AS kind, v_id AS id, p_client_id AS client_id,
	    p_domain_id AS domain_id, p_service_id AS service_id,
	    p_capability AS capability, v_last + 1 AS revision,
	    p_model_id AS model_id, p_model_version AS model_version,
	    p_status AS status, p_parameters AS parameters,
	    p_metadata AS metadata, v_updated AS updated_services,
	    pie_ts(v_now) AS created_at, p_created_by AS created_by,
	    pie_ts(IF(p_status = 'archived', v_now, NULL)) AS archived_at;
END;

-- Validates the arguments of pie_assignment_upsert that the C code has
-- already validated, so that a bad call fails loudly: 45400 naming the
-- argument.
CREATE OR REPLACE PROCEDURE pie_assignment_args(
	IN p_capability		VARCHAR(64),
	IN p_status		VARCHAR(16),
	IN p_parameters		LONGTEXT,
	IN p_metadata		LONGTEXT,
	IN p_service_id		VARCHAR(128),
	IN p_service_updates	LONGTEXT,
	IN p_if_match		TEXT)
NO SQL
BEGIN
	IF p_capability IS NULL THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'capability';
	ELSEIF p_status IS NULL OR p_status NOT IN ('active', 'archived')
	THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'status';
	ELSEIF p_parameters IS NOT NULL AND (JSON_VALID(p_parameters) = 0
	    OR JSON_TYPE(p_parameters) <> 'OBJECT') THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'parameters';
	ELSEIF p_metadata IS NOT NULL AND (JSON_VALID(p_metadata) = 0
	    OR JSON_TYPE(p_metadata) <> 'OBJECT') THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'metadata';
	ELSEIF p_service_updates IS NOT NULL AND (p_service_id IS NOT NULL
	    OR JSON_VALID(p_service_updates) = 0
	    OR JSON_TYPE(p_service_updates) <> 'ARRAY') THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'service_updates';
	ELSEIF p_if_match = '' THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'if_match';
	END IF;
END;
