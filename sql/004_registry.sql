-- 004_registry.sql: writes of models and their immutable versions.

SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,'
    'NO_ZERO_DATE,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION';

-- Creates or updates a model, as pie_client_put (sql/003) does a
-- client.  Returns (kind, created, model_id, description, created_at,
-- updated_at).  Never refuses.
CREATE OR REPLACE PROCEDURE pie_model_put(
	IN p_model_id		VARCHAR(128),
	IN p_description	TEXT)
MODIFIES SQL DATA
BEGIN
	DECLARE v_now DATETIME(3) DEFAULT UTC_TIMESTAMP(3);
	DECLARE v_created TINYINT;

	IF p_model_id IS NULL THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'model_id';
	END IF;
	INSERT INTO models (model_id, description, created_at, updated_at)
	VALUES (p_model_id, p_description, v_now, v_now)
	ON DUPLICATE KEY UPDATE description = VALUES(description),
	    updated_at = VALUES(updated_at);
	SET v_created = ROW_COUNT() = 1;

	SELECT 'ok' AS kind, v_created AS created, model_id, description,
	    pie_ts(created_at) AS created_at, pie_ts(updated_at) AS updated_at
	FROM models WHERE model_id = p_model_id;
END;

-- Creates a version of a model with its freeze.  p_freeze is the
-- canonical freeze text (stored and compared as-is); p_norm is the
-- normalised freeze array of docs/internals.md, from which
-- freeze_features and freeze_allowed are built.  The same canonical text
-- again is not an error: created = 0.  Returns (kind, created, model_id,
-- model_version, freeze, created_at).
-- Refuses: 45404 'model'; 45409 'model_version' (exists, different
-- freeze); 45400 'freeze' (p_norm is not a JSON array).
CREATE OR REPLACE PROCEDURE pie_model_version_put(
	IN p_model_id		VARCHAR(128),
	IN p_model_version	VARCHAR(64),
	IN p_freeze		LONGTEXT,
	IN p_norm		LONGTEXT)
MODIFIES SQL DATA
BEGIN
	DECLARE v_now DATETIME(3) DEFAULT UTC_TIMESTAMP(3);
	DECLARE v_version_pk BIGINT UNSIGNED;
	DECLARE v_dup TINYINT DEFAULT 0;
	DECLARE v_old LONGTEXT;
	DECLARE EXIT HANDLER FOR SQLEXCEPTION
	BEGIN
		ROLLBACK;
		RESIGNAL;
	END;

	IF p_model_version IS NULL THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'model_version';
	END IF;
	IF p_norm IS NULL OR JSON_VALID(p_norm) = 0 OR
	    JSON_TYPE(p_norm) <> 'ARRAY' THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'freeze';
	END IF;

	SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
	START TRANSACTION;
	IF NOT EXISTS (SELECT 1 FROM models WHERE model_id = p_model_id)
	THEN
		SIGNAL SQLSTATE '45404' SET MESSAGE_TEXT = 'model';
	END IF;

	-- A racing create of the same version surfaces as a duplicate.
	BEGIN
		DECLARE CONTINUE HANDLER FOR 1062 SET v_dup = 1;
		INSERT INTO model_versions (model_id, model_version, freeze,
		    created_at)
		VALUES (p_model_id, p_model_version, p_freeze, v_now);
	END;

	IF v_dup = 1 THEN
		SELECT freeze INTO v_old FROM model_versions
		WHERE model_id = p_model_id
		    AND model_version = p_model_version;
		IF NOT (BINARY v_old = BINARY p_freeze) THEN
			SIGNAL SQLSTATE '45409'
			    SET MESSAGE_TEXT = 'model_version';
		END IF;
	ELSE
		SET v_version_pk = LAST_INSERT_ID();
		INSERT INTO freeze_features (version_pk, ordinal, name, type,
		    mandatory, has_default, min_value, max_value,
		    has_allowed)
		SELECT v_version_pk, f.o, f.n, f.ty, IFNULL(f.m, 0),
		    IFNULL(f.hd, 0), f.mn, f.mx,
		    IFNULL(JSON_TYPE(f.av) = 'ARRAY', 0)
		FROM JSON_TABLE(p_norm, '$[*]' COLUMNS (
			o	SMALLINT UNSIGNED PATH '$.o' ERROR ON EMPTY,
			n	VARCHAR(255) PATH '$.n' ERROR ON EMPTY,
			ty	VARCHAR(8) PATH '$.ty' ERROR ON EMPTY,
			m	TINYINT PATH '$.m',
			hd	TINYINT PATH '$.hd',
			mn	DOUBLE PATH '$.min',
			mx	DOUBLE PATH '$.max',
			av	JSON PATH '$.av')) f;

		INSERT INTO freeze_allowed (version_pk, ordinal, value_key)
		SELECT DISTINCT v_version_pk, f.o, UNHEX(f.k)
		FROM JSON_TABLE(p_norm, '$[*]' COLUMNS (
			o	SMALLINT UNSIGNED PATH '$.o',
			NESTED PATH '$.av[*]' COLUMNS (
				k VARCHAR(64) PATH '$'))) f
		WHERE f.k IS NOT NULL;
	END IF;
	COMMIT;

	SELECT 'ok' AS kind, 1 - v_dup AS created, model_id, model_version,
	    freeze, pie_ts(created_at) AS created_at
	FROM model_versions
	WHERE model_id = p_model_id AND model_version = p_model_version;
END;
