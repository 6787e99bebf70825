-- 003_tenants.sql: writes of clients and domains.
--
-- Each procedure is one transaction (READ COMMITTED).  A put locks the
-- row it replaces; a racing create of the same row is caught as a
-- duplicate and becomes a replace.  Results: one row, kind 'ok'.

SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,'
    'NO_ZERO_DATE,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION';

-- Creates or updates a client.  Returns (kind, created, client_id,
-- display_name, created_at, updated_at).  Never refuses.
CREATE OR REPLACE PROCEDURE pie_client_put(
	IN p_client_id		VARCHAR(128),
	IN p_display_name	VARCHAR(256))
MODIFIES SQL DATA
BEGIN
	DECLARE v_now DATETIME(3) DEFAULT UTC_TIMESTAMP(3);
	DECLARE v_found INT DEFAULT 0;
	DECLARE v_created TINYINT DEFAULT 0;
	DECLARE EXIT HANDLER FOR SQLEXCEPTION
	BEGIN
		ROLLBACK;
		RESIGNAL;
	END;

	IF p_client_id IS NULL THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'client_id';
	END IF;

	SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
	START TRANSACTION;
	SELECT COUNT(*) INTO v_found FROM clients
	WHERE client_id = p_client_id FOR UPDATE;
	IF v_found = 0 THEN
		BEGIN
			DECLARE CONTINUE HANDLER FOR 1062 SET v_created = 0;
			SET v_created = 1;
			INSERT INTO clients (client_id, display_name,
			    created_at, updated_at)
			VALUES (p_client_id, p_display_name, v_now, v_now);
		END;
	END IF;
	IF v_created = 0 THEN
		UPDATE clients SET display_name = p_display_name,
		    updated_at = v_now
		WHERE client_id = p_client_id;
	END IF;
	COMMIT;

	SELECT 'ok' AS kind, v_created AS created, client_id, display_name,
	    pie_ts(created_at) AS created_at, pie_ts(updated_at) AS updated_at
	FROM clients WHERE client_id = p_client_id;
END;

-- Creates or updates a domain of an existing client.  Returns (kind,
-- created, client_id, domain_id, display_name, created_at, updated_at).
-- Refuses: 45404 'client'.
CREATE OR REPLACE PROCEDURE pie_domain_put(
	IN p_client_id		VARCHAR(128),
	IN p_domain_id		VARCHAR(128),
	IN p_display_name	VARCHAR(256))
MODIFIES SQL DATA
BEGIN
	DECLARE v_now DATETIME(3) DEFAULT UTC_TIMESTAMP(3);
	DECLARE v_found INT DEFAULT 0;
	DECLARE v_created TINYINT DEFAULT 0;
	DECLARE EXIT HANDLER FOR SQLEXCEPTION
	BEGIN
		ROLLBACK;
		RESIGNAL;
	END;

	IF p_domain_id IS NULL THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'domain_id';
	END IF;

	SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
	START TRANSACTION;
	IF NOT EXISTS (SELECT 1 FROM clients
	    WHERE client_id = p_client_id) THEN
		SIGNAL SQLSTATE '45404' SET MESSAGE_TEXT = 'client';
	END IF;
	SELECT COUNT(*) INTO v_found FROM domains
	WHERE client_id = p_client_id AND domain_id = p_domain_id
	FOR UPDATE;
	IF v_found = 0 THEN
		BEGIN
			DECLARE CONTINUE HANDLER FOR 1062 SET v_created = 0;
			SET v_created = 1;
			INSERT INTO domains (client_id, domain_id,
			    display_name, created_at, updated_at)
			VALUES (p_client_id, p_domain_id, p_display_name,
			    v_now, v_now);
		END;
	END IF;
	IF v_created = 0 THEN
		UPDATE domains SET display_name = p_display_name,
		    updated_at = v_now
		WHERE client_id = p_client_id AND domain_id = p_domain_id;
	END IF;
	COMMIT;

	SELECT 'ok' AS kind, v_created AS created, client_id, domain_id,
	    display_name, pie_ts(created_at) AS created_at,
	    pie_ts(updated_at) AS updated_at
	FROM domains
	WHERE client_id = p_client_id AND domain_id = p_domain_id;
END;
