-- 002_check.sql: the compatibility check, written once for every write.
--
-- A writer calls pie_check_reset() before its transaction, fills
-- pie_check_passes and pie_check_pairs with (pass, service, version)
-- pairs, calls pie_check() and, when it found entries, sends them with
-- pie_check_report() and rolls back.  The check is set-based and never
-- parses JSON per service; reasons follow docs/internals.md.
--
-- Passes exist because one write can check a service against several
-- versions (one per capability).  Entries are one per (service,
-- feature): the lowest pass that fails a feature keeps it.

SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,'
    'NO_ZERO_DATE,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION';

-- Empties the session's work tables, creating them on the session's
-- first call:
--   pie_touched       services written by this call, to be checked
--                     against their effective assignments;
--   pie_check_passes  one row per pass: the capability it checks;
--   pie_check_pairs   what to check (MEMORY: a domain's worth of pairs
--                     is written and read fast and never rolled back);
--   pie_blocking      the entries found;
--   pie_effective     scratch of pie_check_add_effective (emptied there);
--   pie_lock_scopes   the services whose service-scope keys
--                     pie_lock_keys locks besides the domain's defaults.
-- Temporary tables are private to the session and never replicated.
-- They live as long as the connection: created once, emptied by every
-- write before its transaction, so rows left by a write that failed
-- half-way are never seen by the next.  Emptying costs a fraction of
-- dropping and creating them again.  A change to their definitions
-- must rename them: a connection opened before it keeps the old ones.
CREATE OR REPLACE PROCEDURE pie_check_reset()
MODIFIES SQL DATA
BEGIN
	DECLARE v_heap BIGINT UNSIGNED DEFAULT @@SESSION.max_heap_table_size;

	CREATE TEMPORARY TABLE IF NOT EXISTS pie_touched (
		service_pk	BIGINT UNSIGNED NOT NULL,
		service_id	VARCHAR(128) NOT NULL,
		PRIMARY KEY (service_pk)
	) ENGINE=InnoDB;
	CREATE TEMPORARY TABLE IF NOT EXISTS pie_check_passes (
		pass		SMALLINT UNSIGNED NOT NULL,
		capability	VARCHAR(64) NOT NULL,
		PRIMARY KEY (pass)
	) ENGINE=InnoDB;

	-- A MEMORY table's size limit is fixed when it is created.
	SET SESSION max_heap_table_size = 1024 * 1024 * 1024;
	CREATE TEMPORARY TABLE IF NOT EXISTS pie_check_pairs (
		pass		SMALLINT UNSIGNED NOT NULL,
		service_pk	BIGINT UNSIGNED NOT NULL,
		version_pk	BIGINT UNSIGNED NOT NULL,
		PRIMARY KEY USING BTREE (pass, service_pk)
	) ENGINE=MEMORY;
	SET SESSION max_heap_table_size = v_heap;

	CREATE TEMPORARY TABLE IF NOT EXISTS pie_blocking (
		service_id	VARCHAR(128) NOT NULL,
		feature		VARCHAR(255) NOT NULL,
		service_pk	BIGINT UNSIGNED NOT NULL,
		reason		ENUM('missing', 'wrong_type',
				    'not_allowed', 'out_of_range') NOT NULL,
		pass		SMALLINT UNSIGNED NOT NULL,
		version_pk	BIGINT UNSIGNED NOT NULL,
		PRIMARY KEY (service_id, feature)
	) ENGINE=InnoDB;
	CREATE TEMPORARY TABLE IF NOT EXISTS pie_effective (
		service_pk	BIGINT UNSIGNED NOT NULL,
		capability	VARCHAR(64) NOT NULL,
		version_pk	BIGINT UNSIGNED NOT NULL,
		PRIMARY KEY (capability, service_pk)
	) ENGINE=InnoDB;

	CREATE TEMPORARY TABLE IF NOT EXISTS pie_lock_scopes (
		service_pk	BIGINT UNSIGNED NOT NULL,
		PRIMARY KEY (service_pk)
	) ENGINE=InnoDB;

	DELETE FROM pie_touched;
	DELETE FROM pie_check_passes;
	DELETE FROM pie_check_pairs;
	DELETE FROM pie_blocking;
	DELETE FROM pie_lock_scopes;
END;

-- Locks key rows of domain p_domain_pk in the lock order of every write
-- (docs/database.md): every domain-default key, then the service-scope
-- keys of the services in pie_lock_scopes, in the order of the unique
-- index (scope_pk, capability); all in share mode but p_own_pk (NULL:
-- none), exclusive.  Row by row, by primary key: a locking range scan
-- would also lock the row that ends the range, which may be a key of
-- another domain, and make its upserts wait for this write.
CREATE OR REPLACE PROCEDURE pie_lock_keys(
	IN p_domain_pk	BIGINT UNSIGNED,
	IN p_own_pk	BIGINT UNSIGNED)
READS SQL DATA
BEGIN
	DECLARE v_pk BIGINT UNSIGNED;
	DECLARE v_n BIGINT;
	DECLARE v_done TINYINT DEFAULT 0;
	DECLARE c_keys CURSOR FOR
		SELECT k.key_pk FROM assignment_keys k
		WHERE k.domain_pk = p_domain_pk AND (k.scope_pk = 0 OR
		    k.scope_pk IN (SELECT service_pk FROM pie_lock_scopes))
		ORDER BY k.scope_pk, k.capability;
	DECLARE CONTINUE HANDLER FOR NOT FOUND SET v_done = 1;

	OPEN c_keys;
	next_key: LOOP
		FETCH c_keys INTO v_pk;
		IF v_done = 1 THEN
			LEAVE next_key;
		END IF;
		IF v_pk <=> p_own_pk THEN
			SELECT COUNT(*) INTO v_n FROM assignment_keys
			WHERE key_pk = v_pk FOR UPDATE;
		ELSE
			SELECT COUNT(*) INTO v_n FROM assignment_keys
			WHERE key_pk = v_pk LOCK IN SHARE MODE;
		END IF;
	END LOOP next_key;
	CLOSE c_keys;
END;

-- Share-locks what decides the effective assignments of service
-- p_service_pk (NULL: a service not created yet), in the lock order of
-- every write: the domain row (new keys are created under an exclusive
-- lock of it, see pie_assignment_key_create), then every domain-default
-- key row of the domain and every service-scope key row of the service
-- (pie_lock_keys).  A service write takes these before it locks the
-- service row, so a concurrent upsert either finishes first (and the
-- check sees its revision) or waits for this write (and then sees the
-- new features).
CREATE OR REPLACE PROCEDURE pie_check_lock_keys(
	IN p_domain_pk	BIGINT UNSIGNED,
	IN p_service_pk	BIGINT UNSIGNED)
MODIFIES SQL DATA
BEGIN
	DECLARE v_n BIGINT;

	SELECT COUNT(*) INTO v_n FROM domains
	WHERE domain_pk = p_domain_pk LOCK IN SHARE MODE;
	DELETE FROM pie_lock_scopes;
	IF p_service_pk IS NOT NULL THEN
		INSERT INTO pie_lock_scopes (service_pk) VALUES (p_service_pk);
	END IF;
	CALL pie_lock_keys(p_domain_pk, NULL);
END;

-- Adds to the pairs every effective active revision of every service in
-- pie_touched, one pass per capability from p_first_pass on, in
-- capability order.  The effective revision of a capability is the
-- service-scope one if active, else the domain-default one.  When
-- p_skip_capability is given, the domain default of that capability is
-- left out (the caller checks against its target version instead).
CREATE OR REPLACE PROCEDURE pie_check_add_effective(
	IN p_domain_pk		BIGINT,
	IN p_first_pass		SMALLINT,
	IN p_skip_capability	VARCHAR(64))
MODIFIES SQL DATA
BEGIN
	DELETE FROM pie_effective;
	INSERT INTO pie_effective (service_pk, capability, version_pk)
	SELECT e.service_pk, e.capability, e.version_pk
	FROM (
		SELECT t.service_pk, k.capability, k.scope_pk, a.version_pk,
		    ROW_NUMBER() OVER (PARTITION BY t.service_pk,
			k.capability ORDER BY k.scope_pk DESC) AS rn
		FROM pie_touched t
		JOIN assignment_keys k ON k.domain_pk = p_domain_pk
		    AND k.scope_pk IN (0, t.service_pk)
		JOIN assignments a ON a.active_key = k.key_pk
	) e
	WHERE e.rn = 1 AND NOT (e.scope_pk = 0 AND
	    e.capability <=> p_skip_capability);

	INSERT INTO pie_check_passes (pass, capability)
	SELECT p_first_pass - 1 + ROW_NUMBER() OVER (ORDER BY c.capability),
	    c.capability
	FROM (SELECT DISTINCT capability FROM pie_effective) c;

	INSERT INTO pie_check_pairs (pass, service_pk, version_pk)
	SELECT ps.pass, e.service_pk, e.version_pk
	FROM pie_effective e
	JOIN pie_check_passes ps ON ps.capability = e.capability
	    AND ps.pass >= p_first_pass;
END;

-- Fills pie_blocking from pie_check_pairs, pass by pass, and returns the
-- number of entries.  Every service of the pairs is in p_domain_pk.
-- A feature fails when it is absent and mandatory without a default
-- (missing), or present and of the wrong type (wrong_type), not among
-- allowed_values (not_allowed) or outside minimum..maximum
-- (out_of_range), the first of these in that order.
--
-- Two plans give the same entries.  A small pass looks each (service,
-- freeze feature) value up by primary key.  A pass that covers much of
-- the domain with one version scans the domain's values of each freeze
-- feature (contiguous in the primary key), joins only the failing ones
-- to the pairs, and finds missing features with one anti-join per
-- mandatory feature.  The reason expression is the same in both.
CREATE OR REPLACE PROCEDURE pie_check(
	IN p_domain_pk	BIGINT UNSIGNED,
	OUT p_total	BIGINT)
MODIFIES SQL DATA
BEGIN
	DECLARE v_pass INT;
	DECLARE v_pairs, v_versions, v_domain BIGINT;
	DECLARE v_version_pk BIGINT UNSIGNED;

	SELECT MIN(pass) INTO v_pass FROM pie_check_pairs;
	WHILE v_pass IS NOT NULL DO
		SELECT COUNT(*), COUNT(DISTINCT version_pk), MIN(version_pk)
		INTO v_pairs, v_versions, v_version_pk
		FROM pie_check_pairs WHERE pass = v_pass;
		SET v_domain = 0;
		IF v_versions = 1 AND v_pairs >= 500 THEN
			SELECT COUNT(*) INTO v_domain FROM services
			WHERE domain_pk = p_domain_pk
			    AND status = 'scheduled';
		END IF;

		IF v_versions = 1 AND v_pairs >= 500 AND
		    v_pairs * 4 >= v_domain THEN
			CALL pie_check_domain(p_domain_pk, v_pass,
			    v_version_pk);
		ELSE
			CALL pie_check_lookup(p_domain_pk, v_pass);
		END IF;

		SELECT MIN(pass) INTO v_pass FROM pie_check_pairs
		WHERE pass > v_pass;
	END WHILE;

	SELECT COUNT(*) INTO p_total FROM pie_blocking;
END;

-- pie_check for a small pass: pairs x freeze features, each value
-- fetched by primary key.
CREATE OR REPLACE PROCEDURE pie_check_lookup(
	IN p_domain_pk	BIGINT UNSIGNED,
	IN p_pass	INT)
MODIFIES SQL DATA
BEGIN
	INSERT INTO pie_blocking (service_id, feature, service_pk, reason,
	    pass, version_pk)
	SELECT s.service_id, x.name, x.service_pk, x.reason, p_pass,
	    x.version_pk
	FROM (
		SELECT p.service_pk, p.version_pk, ff.name,
		    CASE
		    WHEN sf.service_pk IS NULL THEN 'missing'
		    WHEN sf.t <> ff.want_t OR (ff.want_int = 1 AND sf.i = 0)
			THEN 'wrong_type'
		    WHEN ff.has_allowed = 1 AND NOT EXISTS (
			SELECT 1 FROM freeze_allowed fa
			WHERE fa.version_pk = ff.version_pk
			    AND fa.ordinal = ff.ordinal
			    AND fa.value_key = sf.k)
			THEN 'not_allowed'
		    WHEN sf.d < ff.min_value OR sf.d > ff.max_value
			THEN 'out_of_range'
		    END AS reason
		FROM pie_check_pairs p
		STRAIGHT_JOIN freeze_features ff
		    ON ff.version_pk = p.version_pk
		LEFT JOIN service_features sf
		    ON sf.domain_pk = p_domain_pk AND sf.name = ff.name
		    AND sf.service_pk = p.service_pk
		WHERE p.pass = p_pass AND (sf.service_pk IS NOT NULL
		    OR (ff.mandatory = 1 AND ff.has_default = 0))
	) x
	STRAIGHT_JOIN services s ON s.service_pk = x.service_pk
	WHERE x.reason IS NOT NULL
	ON DUPLICATE KEY UPDATE pass = pie_blocking.pass;
END;

-- pie_check for a pass over much of a domain with one version.
CREATE OR REPLACE PROCEDURE pie_check_domain(
	IN p_domain_pk	BIGINT UNSIGNED,
	IN p_pass	INT,
	IN p_version_pk	BIGINT UNSIGNED)
MODIFIES SQL DATA
BEGIN
	DECLARE v_ordinal INT DEFAULT -1;
	DECLARE v_name VARCHAR(255);

	-- Present values that fail.
	INSERT INTO pie_blocking (service_id, feature, service_pk, reason,
	    pass, version_pk)
	SELECT s.service_id, x.name, x.service_pk, x.reason, p_pass,
	    p_version_pk
	FROM (
		SELECT sf.service_pk, ff.name,
		    CASE
		    WHEN sf.service_pk IS NULL THEN 'missing'
		    WHEN sf.t <> ff.want_t OR (ff.want_int = 1 AND sf.i = 0)
			THEN 'wrong_type'
		    WHEN ff.has_allowed = 1 AND NOT EXISTS (
			SELECT 1 FROM freeze_allowed fa
			WHERE fa.version_pk = ff.version_pk
			    AND fa.ordinal = ff.ordinal
			    AND fa.value_key = sf.k)
			THEN 'not_allowed'
		    WHEN sf.d < ff.min_value OR sf.d > ff.max_value
			THEN 'out_of_range'
		    END AS reason
		FROM freeze_features ff
		STRAIGHT_JOIN service_features sf
		    ON sf.domain_pk = p_domain_pk AND sf.name = ff.name
		WHERE ff.version_pk = p_version_pk
	) x
	STRAIGHT_JOIN pie_check_pairs p ON p.pass = p_pass
	    AND p.service_pk = x.service_pk
	STRAIGHT_JOIN services s ON s.service_pk = x.service_pk
	WHERE x.reason IS NOT NULL
	ON DUPLICATE KEY UPDATE pass = pie_blocking.pass;

	-- Mandatory features without a default that are absent.
	mandatory: LOOP
		SET v_name = NULL;
		SELECT ordinal, name INTO v_ordinal, v_name
		FROM freeze_features
		WHERE version_pk = p_version_pk AND ordinal > v_ordinal
		    AND mandatory = 1 AND has_default = 0
		ORDER BY ordinal LIMIT 1;
		IF v_name IS NULL THEN
			LEAVE mandatory;
		END IF;

		INSERT INTO pie_blocking (service_id, feature, service_pk,
		    reason, pass, version_pk)
		SELECT s.service_id, v_name, p.service_pk, 'missing',
		    p_pass, p_version_pk
		FROM pie_check_pairs p
		STRAIGHT_JOIN services s ON s.service_pk = p.service_pk
		WHERE p.pass = p_pass AND p.service_pk NOT IN (
			SELECT sf.service_pk FROM service_features sf
			WHERE sf.domain_pk = p_domain_pk
			    AND sf.name = v_name)
		ON DUPLICATE KEY UPDATE pass = pie_blocking.pass;
	END LOOP mandatory;
END;

-- Sends the two result sets of a refused write (see docs/database.md):
-- a header (kind 'blocked', services, total, model_id, model_version,
-- capability of the first failing pass) and the first 1000 entries in
-- (service_id, feature) order.  The caller rolls back afterwards.
CREATE OR REPLACE PROCEDURE pie_check_report()
READS SQL DATA
BEGIN
	DECLARE v_services, v_total BIGINT;
	DECLARE v_pass INT;
	DECLARE v_version_pk BIGINT UNSIGNED;
	DECLARE v_capability VARCHAR(64);

	SELECT COUNT(DISTINCT service_id), COUNT(*), MIN(pass)
	INTO v_services, v_total, v_pass FROM pie_blocking;
	SELECT version_pk INTO v_version_pk
	FROM pie_blocking WHERE pass = v_pass
	ORDER BY service_id, feature LIMIT 1;
	SELECT capability INTO v_capability FROM pie_check_passes
	WHERE pass = v_pass;

	SELECT 'blocked' AS kind, v_services AS services, v_total AS total,
	    mv.model_id, mv.model_version, v_capability AS capability
	FROM model_versions mv WHERE mv.version_pk = v_version_pk;
	SELECT b.service_id, b.feature, sf.v AS value, b.reason
	FROM pie_blocking b
	LEFT JOIN service_features sf ON sf.service_pk = b.service_pk
	    AND sf.name = b.feature
	ORDER BY b.service_id, b.feature
	LIMIT 1000;
END;
