/*
 * health.h: /healthz (the process answers) and /readyz (and so does the
 * database).  Neither needs a token, so load balancers can probe them.
 */
#ifndef PIE_HEALTH_H
#define PIE_HEALTH_H

#include "result.h"

struct http_req;
struct http_resp;

enum pie_res	 health_live(struct http_req *, struct http_resp *);
enum pie_res	 health_ready(struct http_req *, struct http_resp *);

#endif /* PIE_HEALTH_H */
