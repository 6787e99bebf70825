/*
 * config.c: reading pie.conf with libinih.
 *
 * The file is INI: [server], [database] and [auth] sections of key = value
 * lines.  Each key has one row in config_keys below, which says where it
 * goes and how it is parsed; the first problem stops the load and is
 * reported with its line, because an operator fixes one thing at a time.
 * What needs the whole file (where pie listens, whether the database
 * timeouts fit in the web server's) is checked once it is read, and
 * reported with the line of the key that makes it fail.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config.h"
#include "db.h"
#include "log.h"

enum config_kind {
	CFG_STR,	/* a string, copied */
	CFG_INT,	/* a decimal integer within [min, max] */
	CFG_SIZE,	/* a byte count within [min, max] */
	CFG_MODE,	/* an octal file mode */
	CFG_LEVEL,	/* a log level name */
	CFG_BOOL,	/* on/off, yes/no or true/false, into an int */
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
	{ "server", "log_timestamps", CFG_BOOL,
	    offsetof(struct config, log_timestamps), 0, 1 },
	{ "server", "max_body", CFG_SIZE,
	    offsetof(struct config, max_body), 1024, 64 << 20 },
	INT("server", "restart_backoff_max", restart_backoff_max, 1, 3600),
	STR("server", "pid_file", pid_file),
	INT("server", "gateway_timeout", gateway_timeout, 1, 86400),

	STR("database", "socket", db_socket),
	STR("database", "host", db_host),
	INT("database", "port", db_port, 1, 65535),
	STR("database", "user", db_user),
	STR("database", "password", db_password),
	{ "database", "password_file", CFG_SECRET,
	    offsetof(struct config, db_password), 0, 0 },
	STR("database", "name", db_name),
	INT("database", "connect_timeout", db_connect_timeout, 1, 300),
	INT("database", "read_timeout", db_read_timeout, 1, 86400),
	INT("database", "write_timeout", db_write_timeout, 1, 86400),
	INT("database", "ping_timeout", db_ping_timeout, 1, 60),
	INT("database", "lock_wait_timeout", db_lock_wait_timeout, 1, 3600),
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

#define CONFIG_NKEYS	(sizeof(config_keys) / sizeof(config_keys[0]))

_Static_assert(CONFIG_NKEYS <= CONFIG_MAX_KEYS,
    "struct config has no room for the line of every key");

struct config_parse {
	struct config	*cfg;
	const char	*file;
	char		*err;
	size_t		 errlen;
	FILE		*fp;
	int              line;          /* of the line inih last read */
	int		 failed;
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
	const char		*s;

	if ((r = fgets(buf, size, p->fp)) == NULL)
		return NULL;
	p->line++;
	p->cfg->last_line = p->line;

	/* inih would read the rest as a line of its own. */
	if (strchr(buf, '\n') == NULL && !feof(p->fp)) {
		config_fail(p, p->line, "line longer than %d bytes", size - 2);
		return NULL;
	}

	/* inih says nothing of headers; an [auth] error may need one. */
	s = buf + strspn(buf, " \t");
	if (p->cfg->auth_line == 0 && strncmp(s, "[auth]", 6) == 0)
		p->cfg->auth_line = p->line;
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

/* The line where section's key name was set, or 0. */
static int
config_key_line(const struct config *c, const char *section,
    const char *name)
{
	size_t	 i;

	for (i = 0; i < CONFIG_NKEYS; i++)
		if (strcmp(config_keys[i].section, section) == 0 &&
		    strcmp(config_keys[i].name, name) == 0)
			return c->key_line[i];
	return 0;
}

/* 1 for on, yes or true, 0 for off, no or false, -1 for anything else. */
static int
config_bool(const char *s)
{
	if (strcmp(s, "on") == 0 || strcmp(s, "yes") == 0 ||
	    strcmp(s, "true") == 0)
		return 1;
	if (strcmp(s, "off") == 0 || strcmp(s, "no") == 0 ||
	    strcmp(s, "false") == 0)
		return 0;
	return -1;
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
		if (k->offset == offsetof(struct config, db_password) &&
		    *(char **)base != NULL) {
			free(s);
			return config_fail(p, line, "set either password "
			    "or password_file, not both (the other is on "
			    "line %d)", config_key_line(p->cfg, "database",
			    strcmp(k->name, "password") == 0 ?
			    "password_file" : "password"));
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
	case CFG_BOOL:
		if ((n = config_bool(value)) < 0)
			return config_fail(p, line, "%s: expected on or off "
			    "(yes/no, true/false), not \"%s\"", k->name,
			    value);
		*(int *)base = (int)n;
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
	int			 line = p->line, *seen;
	size_t			 i;

	if (p->failed)
		return 0;
	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (strcmp(config_keys[i].section, section) != 0 ||
		    strcmp(config_keys[i].name, name) != 0)
			continue;

		/* The same mistake as a typo: one of the two is ignored. */
		seen = &p->cfg->key_line[i];
		if (*seen != 0)
			return config_fail(p, line, "%s is set twice in "
			    "[%s], on line %d and on line %d", name, section,
			    *seen, line);
		*seen = line;
		return config_store(p, &config_keys[i], value, line);
	}
	if (section[0] == '\0')
		return config_fail(p, line, "key \"%s\" outside any section",
		    name);
	return config_fail(p, line, "unknown key \"%s\" in [%s]", name,
	    section);
}

/*
 * Checks the path of "unix:PATH": absolute, short enough for a socket
 * address, in a directory that exists, and not something other than a
 * socket (which the master would remove to make room).  Returns 0, or -1
 * with why filled.
 */
static int
config_check_unix(const char *path, char *why, size_t len)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	char			 dir[sizeof(sun.sun_path)], *slash;
	size_t			 n = strlen(path);

	if (n == 0)
		return snprintf(why, len, "unix: needs the socket's path, "
		    "e.g. unix:/run/pie/pie.sock"), -1;
	if (path[0] != '/')
		return snprintf(why, len, "the socket path %s is not "
		    "absolute", path), -1;
	if (n >= sizeof(sun.sun_path))
		return snprintf(why, len, "the socket path is %zu bytes "
		    "long; at most %zu fit in a socket address", n,
		    sizeof(sun.sun_path) - 1), -1;
	if (path[n - 1] == '/')
		return snprintf(why, len, "%s names a directory, not a "
		    "socket", path), -1;

	/* The directory of /pie.sock is /, the slash itself. */
	memcpy(dir, path, n + 1);
	if ((slash = strrchr(dir, '/')) == dir)
		slash++;
	*slash = '\0';
	if (stat(dir, &st) != 0)
		return snprintf(why, len, "directory %s: %s", dir,
		    strerror(errno)), -1;
	if (!S_ISDIR(st.st_mode))
		return snprintf(why, len, "%s is not a directory", dir), -1;
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return snprintf(why, len, "%s exists and is not a socket",
		    path), -1;
	return 0;
}

/*
 * Checks "HOST:PORT" of c->listen and splits it into c->listen_host
 * (without the brackets of an IPv6 address) and c->listen_port: a port
 * from 1 to 65535, and a host that is a bracketed IPv6 address, an IPv4
 * address or a name that resolves.  Returns 0, or -1 with why filled.
 */
static int
config_check_tcp(struct config *c, const char *spec, char *why, size_t len)
{
	const char	*colon, *port, *close = NULL;
	char		 host[256], addr[sizeof(struct in6_addr)];
	struct addrinfo	 hints, *ai;
	size_t		 hlen;
	long		 n;
	int		 rc;

	if (spec[0] == '[' && (close = strchr(spec, ']')) == NULL)
		return snprintf(why, len, "no closing bracket in tcp:%s: "
		    "expected tcp:[IPV6]:PORT", spec), -1;
	colon = close != NULL ? close + 1 : strrchr(spec, ':');
	if (colon == NULL || *colon != ':')
		return snprintf(why, len, "no port: expected tcp:HOST:PORT, "
		    "e.g. tcp:127.0.0.1:9000"), -1;
	port = colon + 1;
	if (*port == '\0')
		return snprintf(why, len, "no port after the host: expected "
		    "tcp:HOST:PORT"), -1;
	if (port[strspn(port, "0123456789")] != '\0' || strlen(port) > 5 ||
	    (n = strtol(port, NULL, 10)) < 1 || n > 65535)
		return snprintf(why, len, "port \"%s\" is not a number from "
		    "1 to 65535", port), -1;

	hlen = (size_t)(colon - spec);
	if (hlen == 0)
		return snprintf(why, len, "no host: expected tcp:HOST:PORT "
		    "(tcp:0.0.0.0:%s for every IPv4 address)", port), -1;
	if (hlen >= sizeof(host))
		return snprintf(why, len, "the host is longer than %zu bytes",
		    sizeof(host) - 1), -1;
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	snprintf(c->listen_port, sizeof(c->listen_port), "%s", port);
	if (close != NULL) {
		host[hlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, addr) != 1)
			return snprintf(why, len, "\"%s\" is not an IPv6 "
			    "address", host + 1), -1;
		snprintf(c->listen_host, sizeof(c->listen_host), "%s",
		    host + 1);
		return 0;
	}
	snprintf(c->listen_host, sizeof(c->listen_host), "%s", host);
	if (strpbrk(host, "[]") != NULL)
		return snprintf(why, len, "unbalanced brackets in \"%s\": "
		    "write an IPv6 address as [::1]", host), -1;
	if (strchr(host, ':') != NULL)
		return snprintf(why, len, "an IPv6 address goes in brackets: "
		    "tcp:[%s]:%s", host, port), -1;
	if (host[strspn(host, "0123456789.")] == '\0') {
		if (inet_pton(AF_INET, host, addr) != 1)
			return snprintf(why, len, "%s is not an IPv4 address",
			    host), -1;
		return 0;
	}

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		return snprintf(why, len, "cannot resolve %s: %s", host,
		    gai_strerror(rc)), -1;
	freeaddrinfo(ai);
	return 0;
}

/*
 * Refuses a listen value the master could not start with, on the line
 * that set it.  Returns 0, or -1 with the error recorded.
 */
static int
config_check_listen(struct config_parse *p)
{
	const char	*l = p->cfg->listen;
	char		 why[512];
	int		 rc;

	if (l == NULL)
		return 0;
	if (strncmp(l, "unix:", 5) == 0)
		rc = config_check_unix(l + 5, why, sizeof(why));
	else if (strncmp(l, "tcp:", 4) == 0)
		rc = config_check_tcp(p->cfg, l + 4, why, sizeof(why));
	else {
		snprintf(why, sizeof(why), "expected unix:PATH or "
		    "tcp:HOST:PORT, not \"%s\"", l);
		rc = -1;
	}
	if (rc != 0)
		config_fail(p, config_key_line(p->cfg, "server", "listen"),
		    "listen: %s", why);
	return rc;
}

/*
 * The last line among the named [database] keys, and gateway_timeout
 * when with_gateway, that the file sets, or the file's last line when
 * it sets none of them: the line to name for a problem that several
 * keys make together.
 */
static int
config_blame(const struct config *c, const char *const *names,
    int with_gateway)
{
	int	 line = 0, l;

	for (; *names != NULL; names++)
		if ((l = config_key_line(c, "database", *names)) > line)
			line = l;
	if (with_gateway &&
	    (l = config_key_line(c, "server", "gateway_timeout")) > line)
		line = l;
	return line > 0 ? line : c->last_line;
}

/*
 * The database timeouts against the web server's: a worker must answer
 * before gateway_timeout, or the client gets the web server's 504 while
 * the write may still commit.  Lock waits are retried, so they add up;
 * a database that stops answering costs at most one read or write
 * timeout, or a ping and a reconnection.  Returns 0, or -1 with the
 * error recorded.
 */
static int
config_check_timeouts(struct config_parse *p)
{
	static const char *const lock_keys[] = { "lock_wait_timeout",
	    "retries", NULL };
	static const char *const read_keys[] = { "lock_wait_timeout",
	    "read_timeout", NULL };
	static const char *const hang_keys[] = { "read_timeout",
	    "write_timeout", "ping_timeout", "connect_timeout", NULL };
	const struct config	*c = p->cfg;
	long long		 lock_ms, hang;
	int			 i;

	lock_ms = (long long)(c->db_retries + 1) * c->db_lock_wait_timeout *
	    1000;
	for (i = 0; i < c->db_retries; i++)
		lock_ms += db_backoff_max_ms(i);
	hang = c->db_read_timeout;
	if (c->db_write_timeout > hang)
		hang = c->db_write_timeout;
	if (c->db_ping_timeout + c->db_connect_timeout > hang)
		hang = c->db_ping_timeout + c->db_connect_timeout;

	if (c->db_read_timeout <= c->db_lock_wait_timeout)
		return config_fail(p, config_blame(c, read_keys, 0),
		    "read_timeout (%d s) must be longer than "
		    "lock_wait_timeout (%d s): a statement waiting for a "
		    "lock would be cut off instead of retried",
		    c->db_read_timeout, c->db_lock_wait_timeout), -1;
	if (lock_ms >= c->gateway_timeout * 1000LL)
		return config_fail(p, config_blame(c, lock_keys, 1),
		    "lock waits and retries can take "
		    "%.1f s ((retries %d + 1) x lock_wait_timeout %d s, plus "
		    "pauses), not less than gateway_timeout (%d s): the "
		    "client would get the web server's 504 instead of 503; "
		    "lower lock_wait_timeout or retries", lock_ms / 1000.0,
		    c->db_retries, c->db_lock_wait_timeout,
		    c->gateway_timeout), -1;
	if (hang >= c->gateway_timeout)
		return config_fail(p, config_blame(c, hang_keys, 1),
		    "a database that stops answering "
		    "would hold a request %lld s (the longest of "
		    "read_timeout, write_timeout, and ping_timeout plus "
		    "connect_timeout), not less than gateway_timeout (%d s): "
		    "the client would get the web server's 504 instead of "
		    "503", hang, c->gateway_timeout), -1;
	return 0;
}

int
config_auth_line(const struct config *c, const char *why)
{
	static const char *const files[] = { "jwks_file", "public_keys",
	    "hmac_secret_file" };
	const char	*values[3], *v;
	char		 word[PATH_MAX];
	size_t		 i, n;
	int		 line;

	/* auth_load starts the errors of a plain key with its name. */
	for (i = 0; i < CONFIG_NKEYS; i++) {
		n = strlen(config_keys[i].name);
		if (strcmp(config_keys[i].section, "auth") == 0 &&
		    c->key_line[i] != 0 &&
		    strncmp(why, config_keys[i].name, n) == 0 &&
		    why[n] == ':')
			return c->key_line[i];
	}

	/* Key file errors name the file. */
	values[0] = c->jwks_file;
	values[1] = c->public_keys;
	values[2] = c->hmac_secret_file;
	for (i = 0; i < 3; i++) {
		line = config_key_line(c, "auth", files[i]);
		for (v = values[i]; line != 0 && v != NULL && *v != '\0';
		    v += n) {
			v += strspn(v, " \t");
			n = strcspn(v, " \t");
			if (n == 0 || n >= sizeof(word))
				continue;
			memcpy(word, v, n);
			word[n] = '\0';
			if (strstr(why, word) != NULL)
				return line;
		}
	}
	return c->auth_line != 0 ? c->auth_line : c->last_line;
}

/* Sets every default; returns 0 when out of memory. */
static int
config_defaults(struct config *c)
{
	c->socket_mode = 0660;
	c->workers = 4;
	c->max_body = 1 << 20;
	c->restart_backoff_max = 30;
	c->gateway_timeout = 30;
	c->db_host = strdup("localhost");
	c->db_port = 3306;
	c->db_user = strdup("pie");
	c->db_name = strdup("pie");
	c->db_connect_timeout = 5;
	c->db_read_timeout = 15;
	c->db_write_timeout = 15;
	c->db_ping_timeout = 2;
	c->db_lock_wait_timeout = 5;
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

	if (config_check_listen(&p) != 0 || config_check_timeouts(&p) != 0) {
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
