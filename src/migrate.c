/*
 * migrate.c: the migration runner (see migrate.h).
 *
 * Each file is sent whole as one multi-statement query: the server parses
 * compound statements (procedure bodies) itself, so the files need no
 * DELIMITER lines and read exactly as they run.
 */
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>
#include <openssl/evp.h>

#include "config.h"
#include "log.h"
#include "migrate.h"

#define MIGRATE_MAX_FILES	 512

static const char migrate_table_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT UNSIGNED NOT NULL PRIMARY KEY,"
    " name VARCHAR(255) NOT NULL,"
    " checksum CHAR(64) NOT NULL,"
    " applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

/* 1 when name is NNN_something.sql. */
static int
migrate_is_file(const char *name)
{
	size_t	 n = strlen(name);

	return n > 8 && isdigit((unsigned char)name[0]) &&
	    isdigit((unsigned char)name[1]) &&
	    isdigit((unsigned char)name[2]) && name[3] == '_' &&
	    strcmp(name + n - 4, ".sql") == 0;
}

static int
migrate_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Reads a whole file into a new NUL-terminated buffer and its SHA-256 in
 * hex.  Returns NULL on failure (logged).
 */
static char *
migrate_slurp(const char *path, size_t *len, char hex[65])
{
	unsigned char	 md[32];
	unsigned int	 mdlen = 0;
	FILE		*f;
	char		*buf = NULL;
	long		 size;
	int		 i;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)size + 1)) == NULL ||
	    fread(buf, 1, (size_t)size, f) != (size_t)size) {
		log_error("migrate: cannot read %s: %s", path,
		    strerror(errno));
		free(buf);
		if (f != NULL)
			fclose(f);
		return NULL;
	}
	fclose(f);
	buf[size] = '\0';
	*len = (size_t)size;
	EVP_Digest(buf, *len, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(hex + i * 2, 3, "%02x", md[i]);
	return buf;
}

/*
 * Runs a (multi-)statement and discards its results.  Returns 0, or -1
 * with the error logged under what.
 */
static int
migrate_query(MYSQL *m, const char *sql, size_t len, const char *what)
{
	MYSQL_RES	*r;
	int		 status;

	if (mysql_real_query(m, sql, (unsigned long)len) != 0)
		goto fail;
	do {
		if ((r = mysql_store_result(m)) != NULL)
			mysql_free_result(r);
		else if (mysql_field_count(m) != 0)
			goto fail;
		status = mysql_next_result(m);
	} while (status == 0);
	if (status > 0)
		goto fail;
	return 0;
fail:
	log_error("migrate: %s: %s", what, mysql_error(m));
	return -1;
}

/*
 * Looks up the recorded checksum of version into sum.  Returns 1 when
 * recorded, 0 when not, -1 on error.
 */
static int
migrate_recorded(MYSQL *m, unsigned version, char sum[65])
{
	MYSQL_STMT	*st;
	MYSQL_BIND	 in, out;
	unsigned long	 len = 0;
	int		 rc = -1;

	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	in.buffer_type = MYSQL_TYPE_LONG;
	in.buffer = &version;
	in.is_unsigned = 1;
	out.buffer_type = MYSQL_TYPE_STRING;
	out.buffer = sum;
	out.buffer_length = 65;
	out.length = &len;

	static const char q[] =
	    "SELECT checksum FROM schema_migrations WHERE version = ?";
	if ((st = mysql_stmt_init(m)) == NULL ||
	    mysql_stmt_prepare(st, q, sizeof(q) - 1) != 0 ||
	    mysql_stmt_bind_param(st, &in) != 0 ||
	    mysql_stmt_execute(st) != 0 ||
	    mysql_stmt_bind_result(st, &out) != 0)
		goto out;
	rc = mysql_stmt_fetch(st) == 0 ? 1 : 0;
	sum[len < 65 ? len : 64] = '\0';
out:
	if (rc < 0)
		log_error("migrate: reading schema_migrations: %s",
		    st != NULL ? mysql_stmt_error(st) : "out of memory");
	if (st != NULL)
		mysql_stmt_close(st);
	return rc;
}

/* Records an applied file.  Returns 0 or -1 (logged). */
static int
migrate_record(MYSQL *m, unsigned version, const char *name,
    const char *sum)
{
	static const char q[] = "INSERT INTO schema_migrations "
	    "(version, name, checksum) VALUES (?, ?, ?)";
	MYSQL_STMT	*st;
	MYSQL_BIND	 in[3];
	int		 rc = -1;

	memset(in, 0, sizeof(in));
	in[0].buffer_type = MYSQL_TYPE_LONG;
	in[0].buffer = &version;
	in[0].is_unsigned = 1;
	in[1].buffer_type = MYSQL_TYPE_STRING;
	in[1].buffer = (void *)name;
	in[1].buffer_length = strlen(name);
	in[2].buffer_type = MYSQL_TYPE_STRING;
	in[2].buffer = (void *)sum;
	in[2].buffer_length = strlen(sum);
	if ((st = mysql_stmt_init(m)) != NULL &&
	    mysql_stmt_prepare(st, q, sizeof(q) - 1) == 0 &&
	    mysql_stmt_bind_param(st, in) == 0 &&
	    mysql_stmt_execute(st) == 0)
		rc = 0;
	else
		log_error("migrate: recording %s: %s", name,
		    st != NULL ? mysql_stmt_error(st) : "out of memory");
	if (st != NULL)
		mysql_stmt_close(st);
	return rc;
}

/* Applies one file unless already applied.  Returns 0 or -1. */
static int
migrate_file(MYSQL *m, const char *dir, const char *name)
{
	char		 path[4096], sum[65], old[65];
	char		*sql;
	size_t		 len;
	unsigned	 version = (unsigned)strtoul(name, NULL, 10);
	int		 rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((sql = migrate_slurp(path, &len, sum)) == NULL)
		return -1;
	if ((rc = migrate_recorded(m, version, old)) != 0) {
		if (rc > 0 && strcmp(old, sum) != 0) {
			log_error("migrate: %s changed after it was applied; "
			    "write a new migration instead", name);
			rc = -1;
		}
		free(sql);
		return rc < 0 ? -1 : 0;
	}

	log_info("migrate: applying %s", name);
	rc = migrate_query(m, sql, len, name);
	free(sql);
	if (rc == 0)
		rc = migrate_record(m, version, name, sum);
	return rc;
}

enum pie_res
migrate_run(const struct config *c, const char *dir)
{
	MYSQL		*m;
	DIR		*d;
	struct dirent	*e;
	char		*names[MIGRATE_MAX_FILES];
	size_t		 n = 0, i;
	enum pie_res	 res = PIE_ERR_DB;

	if (dir == NULL)
		dir = c->migrations_dir;
	if ((d = opendir(dir)) == NULL) {
		log_error("migrate: cannot open %s: %s", dir,
		    strerror(errno));
		return PIE_ERR_IO;
	}
	while ((e = readdir(d)) != NULL && n < MIGRATE_MAX_FILES)
		if (migrate_is_file(e->d_name) &&
		    (names[n] = strdup(e->d_name)) != NULL)
			n++;
	closedir(d);
	qsort(names, n, sizeof(names[0]), migrate_cmp);

	if ((m = mysql_init(NULL)) == NULL)
		goto out;
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(m, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	if (mysql_real_connect(m, c->db_socket != NULL ? NULL : c->db_host,
	    c->db_user, c->db_password, c->db_name, (unsigned)c->db_port,
	    c->db_socket, CLIENT_MULTI_STATEMENTS) == NULL) {
		log_error("migrate: cannot connect: %s", mysql_error(m));
		goto out;
	}
	if (migrate_query(m, migrate_table_sql, sizeof(migrate_table_sql) - 1,
	    "creating schema_migrations") != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (migrate_file(m, dir, names[i]) != 0)
			goto out;
	log_info("migrate: %zu migrations in %s, database up to date", n,
	    dir);
	res = PIE_OK;
out:
	if (m != NULL)
		mysql_close(m);
	for (i = 0; i < n; i++)
		free(names[i]);
	return res;
}
