/*
 * result.h: the one result type every fallible function in pie returns.
 *
 * A function that can fail returns enum pie_res; PIE_OK is zero so that
 * "if ((res = f()) != PIE_OK) goto out;" reads naturally.  The values are
 * kinds of failure, not HTTP statuses: the handler layer maps them.
 */
#ifndef PIE_RESULT_H
#define PIE_RESULT_H

enum pie_res {
	PIE_OK = 0,
	PIE_ERR_NOMEM,		/* an allocation failed */
	PIE_ERR_INVALID,	/* the input is malformed (a 400) */
	PIE_ERR_TOO_BIG,	/* the input is over a size limit */
	PIE_ERR_NOT_FOUND,	/* the thing asked for does not exist */
	PIE_ERR_CONFLICT,	/* it exists and differs (a 409) */
	PIE_ERR_REFUSED,	/* well-formed but semantically refused */
	PIE_ERR_AUTH,		/* authentication failed */
	PIE_ERR_FORBIDDEN,	/* authenticated but not allowed */
	PIE_ERR_DB,		/* the database failed or went away */
	PIE_ERR_RETRY,		/* deadlock or lock wait: try again */
	PIE_ERR_IO,		/* a system call or file failed */
	PIE_ERR_CRYPTO,         /* OpenSSL failed (not a bad signature) */
	PIE_ERR_INTERNAL	/* a bug: should not happen */
};

/* A short constant name for a result, for logs.  Never NULL. */
const char	*pie_res_str(enum pie_res);

#endif /* PIE_RESULT_H */
