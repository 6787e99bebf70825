/*
 * master.h: the master process and its pool of workers.
 *
 * The master owns the listening socket, forks the workers, restarts one
 * that dies (with backoff when they keep dying), replaces them all on
 * SIGHUP after re-reading the configuration and keys, and on SIGTERM lets
 * them finish the request in hand before it exits.  Workers stop on
 * their own when the master dies.
 */
#ifndef PIE_MASTER_H
#define PIE_MASTER_H

#include <stddef.h>

#include "result.h"

struct config;
struct auth_ctx;

/*
 * Closes the descriptors this process inherited, apart from standard
 * input, output and error and the sockets systemd passes, so that a
 * parent's pipes and files are not held open by the pool.  Call it
 * before opening anything.  Failure is only logged.
 */
void		 master_close_inherited(void);

/*
 * Loads the configuration file and the keys it names.  On success the
 * caller owns *cfg and *auth.  On failure err says what and where.
 */
enum pie_res	 master_load(const char *file, struct config **cfg,
		    struct auth_ctx **auth, char *err, size_t errlen);

/*
 * Runs the pool until SIGTERM or SIGINT.  Takes ownership of cfg and
 * auth.  Returns the process exit status.
 */
int		 master_run(const char *file, struct config *cfg,
		    struct auth_ctx *auth);

#endif /* PIE_MASTER_H */
