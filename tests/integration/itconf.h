/*
 * itconf.h: running the stack's worker pool with another configuration
 * for a while, for the tests of settings that only a configuration can
 * change (issuer, audience, keys).
 *
 * The stack's pie.conf is copied aside before the first change and put
 * back by itconf_restore, which a test calls from its fini so that a
 * failed assertion still restores it; a copy left behind by a test that
 * crashed is put back by the next itconf_save.  Every change takes
 * effect by SIGHUP to the master, and the helpers wait until the pool
 * has been replaced (or the reload refused) before they return.
 */
#ifndef PIE_ITCONF_H
#define PIE_ITCONF_H

/* Keeps a copy of the stack's pie.conf (restoring a stale one first). */
void		 itconf_save(void);

/*
 * Writes the saved configuration back with public_keys replaced by
 * keys (unless NULL) and the lines of extra (or NULL) added to [auth].
 */
void		 itconf_write(const char *keys, const char *extra);

/* Writes text as the whole configuration. */
void		 itconf_write_raw(const char *text);

/*
 * Sends SIGHUP to the master and waits until a new generation of
 * workers serves every request (returns 1) or the reload was refused
 * (returns 0).  Aborts the test after 20 s without either.
 */
int		 itconf_reload(void);

/* Puts the saved configuration back, reloads, forgets the copy. */
void		 itconf_restore(void);

/* The text the worker pool's log gained since the last itconf_reload. */
char		*itconf_log_since_reload(void);

/*
 * Makes a new Ed25519 key pair in the stack's keys directory, named
 * with prefix.  Returns the private key path in priv and the public in
 * pub (each PATH_MAX bytes).
 */
void		 itconf_new_key(const char *prefix, char *priv, char *pub);

#endif /* PIE_ITCONF_H */
