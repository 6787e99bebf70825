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

struct config {
	/* [server] */
	char		*listen;	/* NULL: inherit a socket */
	unsigned	 socket_mode;
	int		 workers;
	char		*log_level;
	size_t		 max_body;
	int		 restart_backoff_max;
	char		*pid_file;

	/* [database] */
	char		*db_socket;
	char		*db_host;
	int		 db_port;
	char		*db_user;
	char            *db_password;   /* from password or password_file */
	char		*db_name;
	int		 db_connect_timeout;
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
};

/*
 * Reads FILE into a new config.  On failure returns an error and writes
 * "FILE:LINE: what is wrong" into err; *out is untouched.  On success the
 * caller owns *out and frees it with config_free().
 */
enum pie_res	 config_load(const char *file, struct config **out,
		    char *err, size_t errlen);
void		 config_free(struct config *);

#endif /* PIE_CONFIG_H */
