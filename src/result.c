/*
 * result.c: names for the result enum, for log lines.
 */
#include "result.h"

const char *
pie_res_str(enum pie_res res)
{
	switch (res) {
	case PIE_OK:
		return "ok";
	case PIE_ERR_NOMEM:
		return "out of memory";
	case PIE_ERR_INVALID:
		return "invalid input";
	case PIE_ERR_TOO_BIG:
		return "too large";
	case PIE_ERR_NOT_FOUND:
		return "not found";
	case PIE_ERR_CONFLICT:
		return "conflict";
	case PIE_ERR_REFUSED:
		return "refused";
	case PIE_ERR_AUTH:
		return "authentication failed";
	case PIE_ERR_FORBIDDEN:
		return "forbidden";
	case PIE_ERR_DB:
		return "database error";
	case PIE_ERR_RETRY:
		return "transient database conflict";
	case PIE_ERR_IO:
		return "i/o error";
	case PIE_ERR_CRYPTO:
		return "crypto library error";
	case PIE_ERR_INTERNAL:
		return "internal error";
	}
	return "unknown result";
}
