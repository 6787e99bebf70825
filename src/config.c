/*
 * config.c: reading pie.conf with libinih.
 *
 * The file is INI: [server], [database] and [auth] sections of key = value
 * lines.  Each key has one row in config_keys below, which says where it
 * goes and how it is parsed; the first problem stops the load and is
 * reported with its line, because an operator fixes one thing at a time.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config.h"
#include "log.h"

enum config_kind {
	CFG_STR,	/* a string, copied */
	CFG_INT,	/* a decimal integer within [min, max] */
	CFG_SIZE,	/* a byte count within [min, max] */
	CFG_MODE,	/* an octal file mode */
	CFG_LEVEL,	/* a log level name */
	CFG_SECRET	/* a file whose first line is the value */
};

struct config_key {
	const char		*section;
	const char		*name;
	enum config_kind	 kind;
	size_t			 offset;
	long long		 min, max;
};

#define STR(s, n, f)	{ s, n, CFG_STR, offsetof(struct config, f), 0, 0 }
#define INT(s, n, f, lo, hi) \
	{ s, n, CFG_INT, offsetof(struct config, f), lo, hi }

static const struct config_key config_keys[] = {
	STR("server", "listen", listen),
	{ "server", "socket_mode", CFG_MODE,
	    offsetof(struct config, socket_mode), 0, 07777 },
	INT("server", "workers", workers, 1, 256),
	{ "server", "log_level", CFG_LEVEL,
	    offsetof(struct config, log_level), 0, 0 },
	{ "server", "max_body", CFG_SIZE,
	    offsetof(struct config, max_body), 1024, 64 << 20 },
	INT("server", "restart_backoff_max", restart_backoff_max, 1, 3600),
	STR("server", "pid_file", pid_file),

	STR("database", "socket", db_socket),
	STR("database", "host", db_host),
	INT("database", "port", db_port, 1, 65535),
	STR("database", "user", db_user),
	STR("database", "password", db_password),
	{ "database", "password_file", CFG_SECRET,
	    offsetof(struct config, db_password), 0, 0 },
	STR("database", "name", db_name),
	INT("database", "connect_timeout", db_connect_timeout, 1, 300),
	INT("database", "retries", db_retries, 0, 20),
	STR("database", "migrations_dir", migrations_dir),

	STR("auth", "jwks_file", jwks_file),
	STR("auth", "public_keys", public_keys),
	STR("auth", "hmac_secret_file", hmac_secret_file),
	STR("auth", "algorithms", algorithms),
	STR("auth", "issuer", issuer),
	STR("auth", "audience", audience),
	INT("auth", "leeway", leeway, 0, 3600),
	STR("auth", "clients_claim", clients_claim),
	{ "auth", "token_cache_size", CFG_SIZE,
	    offsetof(struct config, token_cache_size), 0, 1 << 20 },
};

struct config_parse {
	struct config	*cfg;
	const char	*file;
	char		*err;
	size_t		 errlen;
	FILE		*fp;
	int              line;          /* of the line inih last read */
	int		 failed;
	int		 have_password;
};

static int
config_fail(struct config_parse *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Debian's libinih does not pass line numbers to handlers, so the reader
 * counts them: inih asks for one line at a time.
 */
static char *
config_reader(char *buf, int size, void *stream)
{
	struct config_parse	*p = stream;
	char			*r;

	if ((r = fgets(buf, size, p->fp)) == NULL)
		return NULL;
	p->line++;

	/* inih would read the rest as a line of its own. */
	if (strchr(buf, '\n') == NULL && !feof(p->fp)) {
		config_fail(p, p->line, "line longer than %d bytes", size - 2);
		return NULL;
	}
	return r;
}

/*
 * Reads the first line of a secret file into a new string, without its
 * line ending.  Returns NULL (and sets errno) when the file cannot be read
 * or is empty.
 */
static char *
config_read_secret(const char *path)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = getline(&line, &cap, f);
	fclose(f);
	if (n <= 0) {
		free(line);
		errno = EINVAL;
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n == 0) {
		free(line);
		errno = EINVAL;
		return NULL;
	}
	return line;
}

static int
config_fail(struct config_parse *p, int line, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	if (p->failed)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s:%d: %s", p->file, line, msg);
	p->failed = 1;
	return 0;
}

/*
 * Stores one value according to its key's row.  Returns 1 on success, 0
 * after recording the error (inih's convention).
 */
static int
config_store(struct config_parse *p, const struct config_key *k,
    const char *value, int line)
{
	char		*base = (char *)p->cfg + k->offset, *end, *s;
	long long	 n;

	switch (k->kind) {
	case CFG_STR:
	case CFG_SECRET:
		if (k->kind == CFG_SECRET) {
			s = config_read_secret(value);
			if (s == NULL)
				return config_fail(p, line, "%s: cannot read "
				    "secret file %s: %s", k->name, value,
				    strerror(errno));
		} else if ((s = strdup(value)) == NULL)
			return config_fail(p, line, "out of memory");
		if (k->offset == offsetof(struct config, db_password)) {
			if (p->have_password++)
				return free(s), config_fail(p, line, "set "
				    "either password or password_file, "
				    "not both");
		}
		free(*(char **)base);
		*(char **)base = s;
		return 1;
	case CFG_LEVEL:
		if (log_level_parse(value) < 0)
			return config_fail(p, line, "%s: expected debug, "
			    "info, warn or error, not \"%s\"", k->name,
			    value);
		if ((s = strdup(value)) == NULL)
			return config_fail(p, line, "out of memory");
		free(*(char **)base);
		*(char **)base = s;
		return 1;
	default:
		break;
	}

	errno = 0;
	n = strtoll(value, &end, k->kind == CFG_MODE ? 8 : 10);
	if (errno != 0 || end == value || *end != '\0' || n < k->min ||
	    n > k->max)
		return config_fail(p, line, "%s: expected %s between "
		    "%lld and %lld, not \"%s\"", k->name,
		    k->kind == CFG_MODE ? "an octal mode" : "a number",
		    k->min, k->max, value);
	if (k->kind == CFG_INT)
		*(int *)base = (int)n;
	else if (k->kind == CFG_MODE)
		*(unsigned *)base = (unsigned)n;
	else
		*(size_t *)base = (size_t)n;
	return 1;
}

static int
config_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct config_parse	*p = user;
	int			 line = p->line;
	size_t			 i;

	if (p->failed)
		return 0;
	for (i = 0; i < sizeof(config_keys) / sizeof(config_keys[0]); i++) {
		if (strcmp(config_keys[i].section, section) != 0 ||
		    strcmp(config_keys[i].name, name) != 0)
			continue;
		return config_store(p, &config_keys[i], value, line);
	}
	if (section[0] == '\0')
		return config_fail(p, line, "key \"%s\" outside any section",
		    name);
	return config_fail(p, line, "unknown key \"%s\" in [%s]", name,
	    section);
}

/* Sets every default; returns 0 when out of memory. */
static int
config_defaults(struct config *c)
{
	c->socket_mode = 0660;
	c->workers = 4;
	c->max_body = 1 << 20;
	c->restart_backoff_max = 30;
	c->db_host = strdup("localhost");
	c->db_port = 3306;
	c->db_user = strdup("pie");
	c->db_name = strdup("pie");
	c->db_connect_timeout = 5;
	c->db_retries = 4;
	c->migrations_dir = strdup(PIE_DATADIR "/sql");
	c->log_level = strdup("info");
	c->leeway = 60;
	c->clients_claim = strdup("clients");
	c->token_cache_size = 1024;
	return c->db_host != NULL && c->db_user != NULL &&
	    c->db_name != NULL && c->migrations_dir != NULL &&
	    c->log_level != NULL && c->clients_claim != NULL;
}

enum pie_res
config_load(const char *file, struct config **out, char *err,
    size_t errlen)
{
	struct config_parse	 p;
	struct config		*c;
	int			 rc;

	if ((c = calloc(1, sizeof(*c))) == NULL || !config_defaults(c)) {
		config_free(c);
		snprintf(err, errlen, "%s: out of memory", file);
		return PIE_ERR_NOMEM;
	}

	memset(&p, 0, sizeof(p));
	p.cfg = c;
	p.file = file;
	p.err = err;
	p.errlen = errlen;
	if ((p.fp = fopen(file, "r")) == NULL)
		rc = -1;
	else {
		rc = ini_parse_stream(config_reader, &p, config_handler, &p);
		fclose(p.fp);
	}
	if (rc == -1 && !p.failed)
		snprintf(err, errlen, "%s: cannot open: %s", file,
		    strerror(errno));
	else if (rc > 0 && !p.failed)
		snprintf(err, errlen, "%s:%d: syntax error", file, rc);
	else if (rc == -2 && !p.failed)
		snprintf(err, errlen, "%s: out of memory", file);
	if (rc != 0 || p.failed) {
		config_free(c);
		return rc == -1 && !p.failed ? PIE_ERR_IO : PIE_ERR_INVALID;
	}

	if (c->listen != NULL && strncmp(c->listen, "unix:", 5) != 0 &&
	    strncmp(c->listen, "tcp:", 4) != 0) {
		snprintf(err, errlen, "%s: [server] listen: expected "
		    "unix:PATH or tcp:HOST:PORT, not \"%s\"", file, c->listen);
		config_free(c);
		return PIE_ERR_INVALID;
	}
	*out = c;
	return PIE_OK;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free(c->listen);
	free(c->log_level);
	free(c->pid_file);
	free(c->db_socket);
	free(c->db_host);
	free(c->db_user);
	free(c->db_password);
	free(c->db_name);
	free(c->migrations_dir);
	free(c->jwks_file);
	free(c->public_keys);
	free(c->hmac_secret_file);
	free(c->algorithms);
	free(c->issuer);
	free(c->audience);
	free(c->clients_claim);
	free(c);
}
