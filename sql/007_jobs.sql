-- 007_jobs.sql: job launches and job status changes.

SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,'
    'NO_ZERO_DATE,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION';

-- Sends the 'ok' result of a job write: (kind, id, client_id, domain_id,
-- service_id, capability, assignment_id, model_id, model_version,
-- parameters, status, created_at, updated_at, created_by).
CREATE OR REPLACE PROCEDURE pie_job_result(IN p_id CHAR(36))
READS SQL DATA
BEGIN
	SELECT 'ok' AS kind, id, client_id, domain_id, service_id,
	    capability, assignment_id, model_id, model_version, parameters,
	    status, pie_ts(created_at) AS created_at,
	    pie_ts(updated_at) AS updated_at, created_by
	FROM jobs WHERE id = p_id;
END;

-- Launches a job of p_capability for a scheduled service, pinned to the
-- service's effective active revision (service scope first, then the
-- domain default) as committed when the launch runs.  parameters is the
-- revision's parameters merge-patched with the request's parameters,
-- which the C code hands over as p_parameters: a JSON array of patches
-- of one member each, applied in turn (NULL: none).  MariaDB 10.11's
-- JSON_MERGE_PATCH drops members of a patch that also removes others
-- ({"b":1,"a":null} on {"a":0,"b":0} gives {"b":0}); one member at a
-- time it follows RFC 7386, and applying the leaves of a patch one by
-- one is the same merge.
-- The job starts 'queued'.
-- Refuses: 45400 (bad argument); 45404 'client', 'domain', 'service';
-- 45424 departed service; 45425 no active assignment.
CREATE OR REPLACE PROCEDURE pie_job_launch(
	IN p_id		CHAR(36),
	IN p_client_id	VARCHAR(128),
	IN p_domain_id	VARCHAR(128),
	IN p_service_id	VARCHAR(128),
	IN p_capability	VARCHAR(64),
	IN p_parameters	LONGTEXT,
	IN p_created_by	VARCHAR(255))
MODIFIES SQL DATA
BEGIN
	DECLARE v_now DATETIME(3) DEFAULT UTC_TIMESTAMP(3);
	DECLARE v_domain_pk, v_service_pk BIGINT UNSIGNED;
	DECLARE v_status VARCHAR(16);
	DECLARE v_assignment_id CHAR(36);
	DECLARE v_parameters LONGTEXT;
	DECLARE v_i INT DEFAULT 0;
	DECLARE EXIT HANDLER FOR SQLEXCEPTION
	BEGIN
		ROLLBACK;
		RESIGNAL;
	END;

	IF p_id IS NULL OR CHAR_LENGTH(p_id) <> 36 THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'id';
	ELSEIF p_capability IS NULL THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'capability';
	ELSEIF p_parameters IS NOT NULL AND (JSON_VALID(p_parameters) = 0
	    OR JSON_TYPE(p_parameters) <> 'ARRAY') THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'parameters';
	END IF;

	SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
	START TRANSACTION;
	CALL pie_domain_find(p_client_id, p_domain_id, v_domain_pk);
	CALL pie_service_find(v_domain_pk, p_service_id, v_service_pk,
	    v_status);
	IF v_status = 'departed' THEN
		SIGNAL SQLSTATE '45424' SET MESSAGE_TEXT = p_service_id;
	END IF;

	SELECT a.id INTO v_assignment_id
	FROM assignment_keys k
	JOIN assignments a ON a.active_key = k.key_pk
	WHERE k.domain_pk = v_domain_pk
	    AND k.scope_pk IN (0, v_service_pk)
	    AND k.capability = p_capability
	ORDER BY k.scope_pk DESC
	LIMIT 1;
	IF v_assignment_id IS NULL THEN
		SIGNAL SQLSTATE '45425' SET MESSAGE_TEXT = p_capability;
	END IF;

	SELECT parameters INTO v_parameters
	FROM assignments WHERE id = v_assignment_id;
	WHILE v_i < IFNULL(JSON_LENGTH(p_parameters), 0) DO
		SET v_parameters = JSON_MERGE_PATCH(v_parameters,
		    JSON_EXTRACT(p_parameters, CONCAT('$[', v_i, ']')));
		SET v_i = v_i + 1;
	END WHILE;

	INSERT INTO jobs (id, service_pk, client_id, domain_id, service_id,
	    capability, assignment_id, model_id, model_version, parameters,
	    status, created_at, updated_at, created_by)
	SELECT p_id, v_service_pk, p_client_id, p_domain_id, p_service_id,
	    p_capability, a.id, a.model_id, a.model_version,
	    JSON_COMPACT(v_parameters), 'queued', v_now, v_now, p_created_by
	FROM assignments a WHERE a.id = v_assignment_id;
	COMMIT;

	CALL pie_job_result(p_id);
END;

-- Moves a job of the given service forward: queued -> running,
-- running -> succeeded or failed.  Nothing else, not even the same
-- status again.  Returns the job row.
-- Refuses: 45400 'status'; 45404 'client', 'domain', 'service', 'job';
-- 45426 transition not allowed (MESSAGE_TEXT 'from->to').
CREATE OR REPLACE PROCEDURE pie_job_patch(
	IN p_client_id	VARCHAR(128),
	IN p_domain_id	VARCHAR(128),
	IN p_service_id	VARCHAR(128),
	IN p_job_id	CHAR(36),
	IN p_status	VARCHAR(16))
MODIFIES SQL DATA
BEGIN
	DECLARE v_now DATETIME(3) DEFAULT UTC_TIMESTAMP(3);
	DECLARE v_domain_pk, v_service_pk BIGINT UNSIGNED;
	DECLARE v_old, v_status VARCHAR(16);
	DECLARE v_move VARCHAR(40);
	DECLARE v_created DATETIME(3);
	DECLARE EXIT HANDLER FOR SQLEXCEPTION
	BEGIN
		ROLLBACK;
		RESIGNAL;
	END;

	IF p_status IS NULL OR p_status NOT IN ('queued', 'running',
	    'succeeded', 'failed') THEN
		SIGNAL SQLSTATE '45400' SET MESSAGE_TEXT = 'status';
	END IF;

	SET TRANSACTION ISOLATION LEVEL READ COMMITTED;
	START TRANSACTION;
	CALL pie_domain_find(p_client_id, p_domain_id, v_domain_pk);
	CALL pie_service_find(v_domain_pk, p_service_id, v_service_pk,
	    v_status);
	SELECT status, created_at INTO v_old, v_created FROM jobs
	WHERE id = p_job_id AND service_pk = v_service_pk
	FOR UPDATE;
	IF v_old IS NULL THEN
		SIGNAL SQLSTATE '45404' SET MESSAGE_TEXT = 'job';
	END IF;
	IF NOT ((v_old = 'queued' AND p_status = 'running') OR
	    (v_old = 'running' AND p_status IN ('succeeded', 'failed')))
	THEN
		SET v_move = CONCAT(v_old, '->', p_status);
		SIGNAL SQLSTATE '45426' SET MESSAGE_TEXT = v_move;
	END IF;

	UPDATE jobs SET status = p_status,
	    updated_at = GREATEST(v_now, v_created)
	WHERE id = p_job_id;
	COMMIT;

	CALL pie_job_result(p_job_id);
END;
