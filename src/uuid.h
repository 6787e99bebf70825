/*
 * uuid.h: opaque, unique, time-ordered identifiers (UUID version 7).
 */
#ifndef PIE_UUID_H
#define PIE_UUID_H

#include "result.h"

#define UUID_STR_LEN	 37	/* 36 characters and the NUL */

/*
 * Writes a new UUIDv7 (RFC 9562) into out: 48 bits of Unix milliseconds,
 * then randomness.  Within one process ids are strictly increasing even
 * inside one millisecond.  Returns PIE_ERR_CRYPTO when no randomness
 * could be had.
 */
enum pie_res	 uuid_v7(char out[UUID_STR_LEN]);

#endif /* PIE_UUID_H */
