/*
 * jobs.h: launching a capability for one service, reading the jobs, and
 * moving a job's status forward (API.md section 5).
 *
 * A job is pinned to the assignment revision that was effective when it
 * was launched and keeps it for good, even after that revision is
 * archived.  Every handler runs after the worker admitted the request
 * (token, path parameters, scopes, client).
 */
#ifndef PIE_JOBS_H
#define PIE_JOBS_H

#include "result.h"

struct http_req;
struct http_resp;

/* POST .../services/{service_id}/jobs: 201 with Location and the job. */
enum pie_res	 jobs_launch(struct http_req *, struct http_resp *);

/* GET .../services/{service_id}/jobs: a page, ?status= filters. */
enum pie_res	 jobs_list(struct http_req *, struct http_resp *);

/* GET .../services/{service_id}/jobs/{job_id}: the job or 404. */
enum pie_res	 jobs_get(struct http_req *, struct http_resp *);

/* PATCH .../services/{service_id}/jobs/{job_id}: {"status"}. */
enum pie_res	 jobs_patch(struct http_req *, struct http_resp *);

#endif /* PIE_JOBS_H */
