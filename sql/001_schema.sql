-- 001_schema.sql: every table of pie.
--
-- Identifiers compare byte for byte: the database default collation is
-- utf8mb4_nopad_bin (binary, case-sensitive, and unlike utf8mb4_bin it
-- does not ignore trailing spaces, so "a" and "a " are different feature
-- names).  Surrogate keys (*_pk) are internal: they join the large tables
-- cheaply and are never shown to a user, so Galera's interleaved
-- auto-increment values are harmless.  Every JSON column is LONGTEXT with
-- a JSON_VALID check.  Timestamps are DATETIME(3) in UTC.
--
-- Re-runnable: every statement is CREATE ... IF NOT EXISTS or idempotent.

SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,'
    'NO_ZERO_DATE,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION';
ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin;

-- Tenants.
CREATE TABLE IF NOT EXISTS clients (
	client_id	VARCHAR(128) NOT NULL,
	display_name	VARCHAR(256) NULL,
	created_at	DATETIME(3) NOT NULL,
	updated_at	DATETIME(3) NOT NULL,
	PRIMARY KEY (client_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

CREATE TABLE IF NOT EXISTS domains (
	domain_pk	BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	client_id	VARCHAR(128) NOT NULL,
	domain_id	VARCHAR(128) NOT NULL,
	display_name	VARCHAR(256) NULL,
	created_at	DATETIME(3) NOT NULL,
	updated_at	DATETIME(3) NOT NULL,
	PRIMARY KEY (domain_pk),
	UNIQUE KEY domains_natural (client_id, domain_id),
	CONSTRAINT domains_client FOREIGN KEY (client_id)
	    REFERENCES clients (client_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- The model registry, shared by all clients.
CREATE TABLE IF NOT EXISTS models (
	model_id	VARCHAR(128) NOT NULL,
	description	TEXT NULL,
	created_at	DATETIME(3) NOT NULL,
	updated_at	DATETIME(3) NOT NULL,
	PRIMARY KEY (model_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- An immutable version; freeze is the canonical text the C code made.
CREATE TABLE IF NOT EXISTS model_versions (
	version_pk	BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	model_id	VARCHAR(128) NOT NULL,
	model_version	VARCHAR(64) NOT NULL,
	freeze		LONGTEXT NOT NULL CHECK (JSON_VALID(freeze)),
	created_at	DATETIME(3) NOT NULL,
	PRIMARY KEY (version_pk),
	UNIQUE KEY model_versions_natural (model_id, model_version),
	CONSTRAINT model_versions_model FOREIGN KEY (model_id)
	    REFERENCES models (model_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- One row per feature of a freeze.  want_t and want_int restate type in
-- the terms of a normalised value (t, i) so the check compares columns.
CREATE TABLE IF NOT EXISTS freeze_features (
	version_pk	BIGINT UNSIGNED NOT NULL,
	ordinal		SMALLINT UNSIGNED NOT NULL,
	name		VARCHAR(255) NOT NULL,
	type		ENUM('string', 'integer', 'number', 'boolean')
			    NOT NULL,
	mandatory	TINYINT(1) NOT NULL,
	has_default	TINYINT(1) NOT NULL,
	min_value	DOUBLE NULL,
	max_value	DOUBLE NULL,
	has_allowed	TINYINT(1) NOT NULL,
	want_t		CHAR(1) CHARACTER SET ascii COLLATE ascii_bin
			    AS (CASE type WHEN 'string' THEN 's'
			    WHEN 'boolean' THEN 'b' ELSE 'n' END) STORED,
	want_int	TINYINT(1) AS (type = 'integer') STORED,
	PRIMARY KEY (version_pk, ordinal),
	UNIQUE KEY freeze_features_name (version_pk, name),
	CONSTRAINT freeze_features_version FOREIGN KEY (version_pk)
	    REFERENCES model_versions (version_pk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- allowed_values of a freeze feature, as value keys (SHA-256, binary).
CREATE TABLE IF NOT EXISTS freeze_allowed (
	version_pk	BIGINT UNSIGNED NOT NULL,
	ordinal		SMALLINT UNSIGNED NOT NULL,
	value_key	BINARY(32) NOT NULL,
	PRIMARY KEY (version_pk, ordinal, value_key),
	CONSTRAINT freeze_allowed_feature FOREIGN KEY (version_pk, ordinal)
	    REFERENCES freeze_features (version_pk, ordinal)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- Services.  client_id and domain_id repeat the domain's natural key
-- (they never change) so that reads need no join.
CREATE TABLE IF NOT EXISTS services (
	service_pk	BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	domain_pk	BIGINT UNSIGNED NOT NULL,
	client_id	VARCHAR(128) NOT NULL,
	domain_id	VARCHAR(128) NOT NULL,
	service_id	VARCHAR(128) NOT NULL,
	status		ENUM('scheduled', 'departed') NOT NULL,
	provided_features LONGTEXT NOT NULL
			    CHECK (JSON_VALID(provided_features)),
	created_at	DATETIME(3) NOT NULL,
	updated_at	DATETIME(3) NOT NULL,
	PRIMARY KEY (service_pk),
	UNIQUE KEY services_natural (client_id, domain_id, service_id),
	UNIQUE KEY services_domain (domain_pk, service_id),
	KEY services_domain_status (domain_pk, status, service_id),
	CONSTRAINT services_domain FOREIGN KEY (domain_pk)
	    REFERENCES domains (domain_pk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- One row per provided non-null feature of a service, normalised as in
-- docs/internals.md (t: s string, n number, b boolean; k: binary value
-- key; v: the JSON value text).  Kept in step with provided_features by
-- every service write.  The primary key clusters a domain's values
-- feature by feature, so checking a whole domain against a freeze is one
-- range scan per freeze feature; (service_pk, name) finds one value.
CREATE TABLE IF NOT EXISTS service_features (
	domain_pk	BIGINT UNSIGNED NOT NULL,
	name		VARCHAR(255) NOT NULL,
	service_pk	BIGINT UNSIGNED NOT NULL,
	t		CHAR(1) CHARACTER SET ascii COLLATE ascii_bin
			    NOT NULL CHECK (t IN ('s', 'n', 'b')),
	i		TINYINT(1) NOT NULL,
	d		DOUBLE NULL,
	k		BINARY(32) NOT NULL,
	v		LONGTEXT NOT NULL CHECK (JSON_VALID(v)),
	PRIMARY KEY (domain_pk, name, service_pk),
	UNIQUE KEY service_features_service (service_pk, name),
	CONSTRAINT service_features_service FOREIGN KEY (service_pk)
	    REFERENCES services (service_pk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- One row per assignment key: (domain, scope, capability), scope being
-- the domain default (service_pk NULL) or one service.  The row is the
-- lock that serializes upserts of the key; it also remembers the last
-- revision.  A row with last_revision = 0 has no revision yet and is
-- invisible to every read (reads join on latest_id).
CREATE TABLE IF NOT EXISTS assignment_keys (
	key_pk		BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
	domain_pk	BIGINT UNSIGNED NOT NULL,
	service_pk	BIGINT UNSIGNED NULL,
	capability	VARCHAR(64) NOT NULL,
	scope_pk	BIGINT UNSIGNED AS (IFNULL(service_pk, 0)) STORED,
	last_revision	INT UNSIGNED NOT NULL DEFAULT 0,
	latest_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
	PRIMARY KEY (key_pk),
	UNIQUE KEY assignment_keys_natural (domain_pk, scope_pk, capability),
	KEY assignment_keys_capability (domain_pk, capability, scope_pk),
	KEY assignment_keys_service (service_pk, capability),
	CONSTRAINT assignment_keys_domain FOREIGN KEY (domain_pk)
	    REFERENCES domains (domain_pk),
	CONSTRAINT assignment_keys_service FOREIGN KEY (service_pk)
	    REFERENCES services (service_pk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- Assignment revisions.  The natural columns (client_id ... capability,
-- model_id, model_version) repeat what key_pk and version_pk say, so a
-- row renders without joins.  active_key is the key while the revision
-- is active and NULL otherwise; its UNIQUE index is the schema's promise
-- that a key never has two active revisions.
CREATE TABLE IF NOT EXISTS assignments (
	id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin
			    NOT NULL,
	key_pk		BIGINT UNSIGNED NOT NULL,
	client_id	VARCHAR(128) NOT NULL,
	domain_id	VARCHAR(128) NOT NULL,
	service_id	VARCHAR(128) NULL,
	capability	VARCHAR(64) NOT NULL,
	revision	INT UNSIGNED NOT NULL CHECK (revision >= 1),
	version_pk	BIGINT UNSIGNED NOT NULL,
	model_id	VARCHAR(128) NOT NULL,
	model_version	VARCHAR(64) NOT NULL,
	status		ENUM('active', 'archived') NOT NULL,
	parameters	LONGTEXT NOT NULL CHECK (JSON_VALID(parameters)),
	metadata	LONGTEXT NOT NULL CHECK (JSON_VALID(metadata)),
	updated_services LONGTEXT NOT NULL
			    CHECK (JSON_VALID(updated_services)),
	created_at	DATETIME(3) NOT NULL,
	created_by	VARCHAR(255) NULL,	-- the token's sub, if any
	archived_at	DATETIME(3) NULL,
	active_key	BIGINT UNSIGNED AS (IF(status = 'active' AND
			    archived_at IS NULL, key_pk, NULL)) STORED,
	PRIMARY KEY (id),
	UNIQUE KEY assignments_revision (key_pk, revision),
	UNIQUE KEY assignments_active (active_key),
	KEY assignments_natural (client_id, domain_id, service_id,
	    capability, revision),
	KEY assignments_model (model_id, model_version),
	CONSTRAINT assignments_key FOREIGN KEY (key_pk)
	    REFERENCES assignment_keys (key_pk),
	CONSTRAINT assignments_version FOREIGN KEY (version_pk)
	    REFERENCES model_versions (version_pk),
	CONSTRAINT assignments_archived CHECK (status = 'active' OR
	    archived_at IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- Jobs, pinned to the revision that was effective at launch.
CREATE TABLE IF NOT EXISTS jobs (
	id		CHAR(36) CHARACTER SET ascii COLLATE ascii_bin
			    NOT NULL,
	service_pk	BIGINT UNSIGNED NOT NULL,
	client_id	VARCHAR(128) NOT NULL,
	domain_id	VARCHAR(128) NOT NULL,
	service_id	VARCHAR(128) NOT NULL,
	capability	VARCHAR(64) NOT NULL,
	assignment_id	CHAR(36) CHARACTER SET ascii COLLATE ascii_bin
			    NOT NULL,
	model_id	VARCHAR(128) NOT NULL,
	model_version	VARCHAR(64) NOT NULL,
	parameters	LONGTEXT NOT NULL CHECK (JSON_VALID(parameters)),
	status		ENUM('queued', 'running', 'succeeded', 'failed')
			    NOT NULL,
	created_at	DATETIME(3) NOT NULL,
	updated_at	DATETIME(3) NOT NULL,
	created_by	VARCHAR(255) NULL,	-- the token's sub, if any
	PRIMARY KEY (id),
	KEY jobs_service (client_id, domain_id, service_id, created_at, id),
	KEY jobs_service_pk (service_pk),
	KEY jobs_assignment (assignment_id),
	CONSTRAINT jobs_service FOREIGN KEY (service_pk)
	    REFERENCES services (service_pk),
	CONSTRAINT jobs_assignment FOREIGN KEY (assignment_id)
	    REFERENCES assignments (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin;

-- Renders a timestamp as RFC 3339 with milliseconds, e.g.
-- 2026-12-03T18:26:23.123Z.
CREATE OR REPLACE FUNCTION pie_ts(p_ts DATETIME(3))
RETURNS CHAR(24) CHARACTER SET ascii
DETERMINISTIC NO SQL
RETURN IF(p_ts IS NULL, NULL,
    CONCAT(DATE_FORMAT(p_ts, '%Y-%m-%dT%H:%i:%s.'),
    LPAD(MICROSECOND(p_ts) DIV 1000, 3, '0'), 'Z'));

-- The latest revision of every key: what the keyed and list reads show.
CREATE OR REPLACE VIEW pie_latest_assignments AS
SELECT a.*
FROM assignments a
JOIN assignment_keys k ON k.key_pk = a.key_pk
    AND k.last_revision = a.revision;
