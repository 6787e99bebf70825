/*
 * uuid.c: UUIDv7 generation (see uuid.h).
 *
 * The 12 bits after the timestamp are a per-millisecond counter (RFC 9562
 * method 1) so that two ids made in the same millisecond still sort in
 * the order they were made.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "uuid.h"

static uint64_t	 uuid_last_ms;
static uint16_t	 uuid_counter;

enum pie_res
uuid_v7(char out[UUID_STR_LEN])
{
	unsigned char	 b[16];
	struct timespec	 ts;
	uint64_t	 ms;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return PIE_ERR_CRYPTO;
	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;

	/* Same or earlier millisecond: count on from the last id. */
	if (ms <= uuid_last_ms) {
		ms = uuid_last_ms;
		if (++uuid_counter > 0x0fff) {
			ms = ++uuid_last_ms;
			uuid_counter = 0;
		}
	} else
		uuid_counter = (uint16_t)((b[6] << 8 | b[7]) & 0x01ff);
	uuid_last_ms = ms;

	b[0] = (unsigned char)(ms >> 40);
	b[1] = (unsigned char)(ms >> 32);
	b[2] = (unsigned char)(ms >> 24);
	b[3] = (unsigned char)(ms >> 16);
	b[4] = (unsigned char)(ms >> 8);
	b[5] = (unsigned char)ms;
	b[6] = (unsigned char)(0x70 | (uuid_counter >> 8));
	b[7] = (unsigned char)uuid_counter;
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));

	snprintf(out, UUID_STR_LEN, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
	    b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
	    b[14], b[15]);
	return PIE_OK;
}
