/*
 * config.h: pie.conf, the one configuration file.
 *
 * Every key is documented in docs/configuration.md and in the commented
 * example docs/pie.conf.example.  Unknown sections and keys are errors, so
 * a typo never silently falls back to a default.
 */
#ifndef PIE_CONFIG_H
#define PIE_CONFIG_H

#include <stddef.h>

#include "result.h"

/* Room for the line of every key of config.c's table. */
#define CONFIG_MAX_KEYS	 48

struct config {
	/* [server] */
	char		*listen;	/* NULL: inherit a socket */
	/* listen = tcp:HOST:PORT, split once it is checked ("" for unix:) */
	char		 listen_host[256];	/* no brackets around IPv6 */
	char		 listen_port[6];
	unsigned	 socket_mode;
	int		 workers;
	char		*log_level;
	int		 log_timestamps; /* 1: lines begin with the time */
	size_t		 max_body;
	int		 restart_backoff_max;
	char		*pid_file;
	int		 gateway_timeout;	/* s the web server waits */

	/* [database] */
	char		*db_socket;
	char		*db_host;
	int		 db_port;
	char		*db_user;
	char            *db_password;   /* from password or password_file */
	char		*db_name;
	int		 db_connect_timeout;
	int		 db_read_timeout;
	int		 db_write_timeout;
	int		 db_ping_timeout;
	int		 db_lock_wait_timeout;
	int		 db_retries;
	char		*migrations_dir;

	/* [auth] */
	char		*jwks_file;
	char		*public_keys;
	char		*hmac_secret_file;
	char		*algorithms;
	char		*issuer;
	char		*audience;
	int		 leeway;
	char		*clients_claim;
	size_t		 token_cache_size;

	/*
	 * Where each key was set (0: defaulted), in the order of config.c's
	 * table, the line of the first [auth] header (0: none) and the
	 * number of lines read: for errors found after the file is read.
	 */
	int		 key_line[CONFIG_MAX_KEYS];
	int		 auth_line;
	int		 last_line;
};

/*
 * Reads FILE into a new config.  On failure returns an error and writes
 * "FILE:LINE: what is wrong" into err; *out is untouched.  On success the
 * caller owns *out and frees it with config_free().
 */
enum pie_res	 config_load(const char *file, struct config **out,
		    char *err, size_t errlen);
void		 config_free(struct config *);

/*
 * The line of the file that an error about the [auth] keys (why, as
 * auth_load words it) is about: the line of the key whose name or file
 * the message starts with or names, else the [auth] header, else the
 * last line of the file.  Never 0 for a loaded file.
 */
int		 config_auth_line(const struct config *, const char *why);

#endif /* PIE_CONFIG_H */
