/*
 * assignment_reads.h: the read routes of assignments (API.md section 4):
 * the latest revision of each key, one key with its ETag, a key's
 * revisions, and a service's effective assignments at a moment.
 */
#ifndef PIE_ASSIGNMENT_READS_H
#define PIE_ASSIGNMENT_READS_H

#include <stddef.h>

#include "result.h"

struct http_req;
struct http_resp;

/* Room for a DATETIME(3) as MariaDB reads it: "2026-12-03 18:26:23.123". */
#define ASSIGN_READS_TIME_LEN	24

/*
 * Parses an RFC 3339 date-time with a time zone ("2026-12-03T18:26:23Z",
 * "2026-12-03T20:56:23.5+02:30") into UTC with milliseconds, written as
 * "YYYY-MM-DD HH:MM:SS.mmm" into out (at least ASSIGN_READS_TIME_LEN
 * bytes).  Fractions past milliseconds are cut.  Returns 0, or -1 when s
 * is not such a date-time or falls outside the years 1 to 9999.
 */
int		 assign_reads_time(const char *s, char *out, size_t size);

/* GET .../assignments at either scope: the latest revision of each key. */
enum pie_res	 assign_reads_list(struct http_req *, struct http_resp *);

/* GET .../assignments/{capability}: the latest revision, with ETag. */
enum pie_res	 assign_reads_one(struct http_req *, struct http_resp *);

/* GET .../assignments/{capability}/revisions: newest first. */
enum pie_res	 assign_reads_revisions(struct http_req *,
		    struct http_resp *);

/* GET .../services/{service_id}/effective-assignments[?as_of=]. */
enum pie_res	 assign_reads_effective(struct http_req *,
		    struct http_resp *);

#endif /* PIE_ASSIGNMENT_READS_H */
