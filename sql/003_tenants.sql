-- 003_tenants.sql: writes of clients and domains.
--
-- A put is one INSERT ... ON DUPLICATE KEY UPDATE, a transaction of its
-- own: two racing creates of the same row serialize on its unique key,
-- and exactly one of them creates.  ROW_COUNT() tells which: 1 for an
-- insert, 2 for an update (0 when the update changed nothing; the
-- connector must not set CLIENT_FOUND_ROWS, which makes that 1).
-- Results: one row, kind 'ok'.

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
	DECLARE v_created TINYINT;

	IF p_client_id IS NULL THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'client_id';
	END IF;
	INSERT INTO clients (client_id, display_name, created_at, updated_at)
	VALUES (p_client_id, p_display_name, v_now, v_now)
	ON DUPLICATE KEY UPDATE display_name = VALUES(display_name),
	    updated_at = VALUES(updated_at);
	SET v_created = ROW_COUNT() = 1;

	SELECT 'ok' AS kind, v_created AS created, client_id, display_name,
	    pie_ts(created_at) AS created_at, pie_ts(updated_at) AS updated_at
	FROM clients WHERE client_id = p_client_id;
END;

-- Creates or updates a domain of an existing client (clients are never
-- deleted, so the check needs no lock).  Returns (kind, created,
-- client_id, domain_id, display_name, created_at, updated_at).
-- Refuses: 45404 'client'.
CREATE OR REPLACE PROCEDURE pie_domain_put(
	IN p_client_id		VARCHAR(128),
	IN p_domain_id		VARCHAR(128),
	IN p_display_name	VARCHAR(256))
MODIFIES SQL DATA
BEGIN
	DECLARE v_now DATETIME(3) DEFAULT UTC_TIMESTAMP(3);
	DECLARE v_created TINYINT;

	IF p_domain_id IS NULL THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'domain_id';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM clients
	    WHERE client_id = p_client_id) THEN
		SIGNAL SQLSTATE '45404' SET MESSAGE_TEXT = 'client';
	END IF;
	INSERT INTO domains (client_id, domain_id, display_name, created_at,
	    updated_at)
	VALUES (p_client_id, p_domain_id, p_display_name, v_now, v_now)
	ON DUPLICATE KEY UPDATE display_name = VALUES(display_name),
	    updated_at = VALUES(updated_at);
	SET v_created = ROW_COUNT() = 1;

	SELECT 'ok' AS kind, v_created AS created, client_id, domain_id,
	    display_name, pie_ts(created_at) AS created_at,
	    pie_ts(updated_at) AS updated_at
	FROM domains
	WHERE client_id = p_client_id AND domain_id = p_domain_id;
END;
