/*
 * test_jobs.c: launching capabilities for services, reading the jobs,
 * and moving their status forward, through nginx over TLS.  Every test
 * makes its own client, domain, model and service with unique ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "itest.h"

/* Each path has room for the one above it and the longest ids. */
struct fx {
	char	 client[136], domain[136], service[136], model[136];
	char	 domain_path[320];	/* /v2/clients/{c}/domains/{d} */
	char	 service_path[480];	/* ... /services/{s} */
	char	 jobs[512];		/* ... /services/{s}/jobs */
};

/* Sends body with method to path and asserts the status is one of two. */
static void
fx_put(const char *path, const char *body, long a, long b)
{
	struct it_resp	*r = it_send("PUT", path, body);

	cr_assert(r->status == a || r->status == b, "PUT %s: %ld %s", path,
	    r->status, r->body);
	it_free(r);
}

/* Adds a scheduled service of the fixture's domain. */
static void
fx_service(const struct fx *f, const char *service)
{
	char	 path[480];

	snprintf(path, sizeof(path), "%s/services/%s", f->domain_path,
	    service);
	fx_put(path, "{\"status\":\"scheduled\",\"provided_features\":"
	    "{\"route\":\"r1\"}}", 201, 200);
}

/*
 * A client, a domain, a model with versions 1 and 2 (both accept every
 * service: no mandatory feature) and one scheduled service.
 */
static void fx_make_padded(struct fx *, size_t);

static void
fx_make(struct fx *f)
{
	fx_make_padded(f, 0);
}

/* A unique id with prefix into buf, padded with 'x' to pad characters. */
static void
fx_id(char *buf, size_t len, const char *prefix, size_t pad)
{
	size_t	 n = (size_t)snprintf(buf, len, "%s", it_unique(prefix));

	while (n < pad && n + 1 < len)
		buf[n++] = 'x';
	buf[n] = '\0';
}

/* fx_make, with every id padded to pad characters (0: not padded). */
static void
fx_make_padded(struct fx *f, size_t pad)
{
	static const char freeze[] = "{\"freeze\":{\"features\":["
	    "{\"name\":\"route\",\"type\":\"string\"}]}}";
	char	 path[512];

	fx_id(f->client, sizeof(f->client), "jc", pad);
	fx_id(f->domain, sizeof(f->domain), "jd", pad);
	fx_id(f->service, sizeof(f->service), "js", pad);
	fx_id(f->model, sizeof(f->model), "jm", pad);
	snprintf(f->domain_path, sizeof(f->domain_path),
	    "/v2/clients/%s/domains/%s", f->client, f->domain);
	snprintf(f->service_path, sizeof(f->service_path), "%s/services/%s",
	    f->domain_path, f->service);
	snprintf(f->jobs, sizeof(f->jobs), "%s/jobs", f->service_path);

	snprintf(path, sizeof(path), "/v2/clients/%s", f->client);
	fx_put(path, "{}", 201, 201);
	fx_put(f->domain_path, "{}", 201, 201);
	snprintf(path, sizeof(path), "/v2/models/%s", f->model);
	fx_put(path, "{}", 201, 201);
	snprintf(path, sizeof(path), "/v2/models/%s/versions/1", f->model);
	fx_put(path, freeze, 201, 201);
	snprintf(path, sizeof(path), "/v2/models/%s/versions/2", f->model);
	fx_put(path, freeze, 201, 201);
	fx_service(f, f->service);
}

/*
 * Assigns version of the fixture's model for cap, at domain-default
 * scope (service NULL) or for one service, with status and parameters
 * (JSON object text or NULL).  Returns the revision id (static).
 */
static const char *
fx_assign(const struct fx *f, const char *service, const char *cap,
    const char *version, const char *status, const char *params)
{
	static char	 id[64];
	struct it_resp	*r;
	char		 path[800], body[1024];

	if (service != NULL)
		snprintf(path, sizeof(path), "%s/services/%s/assignments",
		    f->domain_path, service);
	else
		snprintf(path, sizeof(path), "%s/assignments", f->domain_path);
	snprintf(body, sizeof(body), "{\"capability\":\"%s\",\"model_id\":"
	    "\"%s\",\"model_version\":\"%s\",\"status\":\"%s\"%s%s}", cap,
	    f->model, version, status, params ? ",\"parameters\":" : "",
	    params ? params : "");
	r = it_send("POST", path, body);
	cr_assert_eq(r->status, 200, "assign: %s", r->body);
	snprintf(id, sizeof(id), "%s", it_str(r, "id"));
	it_free(r);
	return id;
}

/* Launches cap with an optional parameters member; asserts 201. */
static struct it_resp *
fx_launch(const struct fx *f, const char *cap, const char *params)
{
	struct it_resp	*r;
	char		 body[1024];

	snprintf(body, sizeof(body), "{\"capability\":\"%s\"%s%s}", cap,
	    params ? ",\"parameters\":" : "", params ? params : "");
	r = it_send("POST", f->jobs, body);
	cr_assert_eq(r->status, 201, "launch: %s", r->body);
	return r;
}

/* Launches cap with no parameters and copies the new job's id to id. */
static void
fx_launched(const struct fx *f, const char *cap, char *id, size_t size)
{
	struct it_resp	*r = fx_launch(f, cap, NULL);

	snprintf(id, size, "%s", it_str(r, "id"));
	it_free(r);
}

/* The path of one job of the fixture's service. */
static const char *
fx_job_path(const struct fx *f, const char *id)
{
	static char	 path[800];

	snprintf(path, sizeof(path), "%s/%s", f->jobs, id);
	return path;
}

/* PATCHes a job's status; returns the response. */
static struct it_resp *
fx_status(const struct fx *f, const char *id, const char *status)
{
	char	 body[128];

	snprintf(body, sizeof(body), "{\"status\":\"%s\"}", status);
	return it_send("PATCH", fx_job_path(f, id), body);
}

/* Asserts JSON member name of r equals the JSON text want. */
static void
fx_assert_json(const struct it_resp *r, const char *name, const char *want)
{
	struct json_object	*w = json_tokener_parse(want);

	cr_assert_not_null(w);
	cr_assert(json_object_equal(it_obj(r, name), w), "%s is %s, not %s",
	    name, json_object_to_json_string(it_obj(r, name)), want);
	json_object_put(w);
}

Test(jobs, launch_answers_201_with_location_and_the_pinned_revision)
{
	struct fx	 f;
	struct it_resp	*r, *g;
	const char	*rev;
	char		 loc[800], id[64];

	fx_make(&f);
	rev = fx_assign(&f, NULL, "fare_forecast", "1", "active",
	    "{\"horizon\":7}");
	r = fx_launch(&f, "fare_forecast", NULL);
	snprintf(id, sizeof(id), "%s", it_str(r, "id"));
	snprintf(loc, sizeof(loc), "%s/%s", f.jobs, id);
	cr_assert_str_eq(it_header(r, "location"), loc);
	cr_assert_str_eq(it_str(r, "client_id"), f.client);
	cr_assert_str_eq(it_str(r, "domain_id"), f.domain);
	cr_assert_str_eq(it_str(r, "service_id"), f.service);
	cr_assert_str_eq(it_str(r, "capability"), "fare_forecast");
	cr_assert_str_eq(it_str(r, "assignment_id"), rev);
	cr_assert_str_eq(it_str(r, "model_id"), f.model);
	cr_assert_str_eq(it_str(r, "model_version"), "1");
	cr_assert_str_eq(it_str(r, "status"), "queued");
	cr_assert_str_eq(it_str(r, "created_by"), "tester");
	cr_assert_not_null(it_str(r, "created_at"));
	cr_assert_str_eq(it_str(r, "updated_at"), it_str(r, "created_at"));
	fx_assert_json(r, "parameters", "{\"horizon\":7}");

	g = it_get(loc);
	cr_assert_eq(g->status, 200, "%s", g->body);
	cr_assert(json_object_equal(g->json, r->json), "%s vs %s", g->body,
	    r->body);
	it_free(g);
	it_free(r);
}

Test(jobs, location_holds_the_longest_identifiers)
{
	struct fx	 f;
	struct it_resp	*r, *g;
	char		 loc[800];

	fx_make_padded(&f, 128);
	cr_assert_eq(strlen(f.service), 128);
	fx_assign(&f, NULL, "fare_forecast", "1", "active", NULL);
	r = fx_launch(&f, "fare_forecast", NULL);
	snprintf(loc, sizeof(loc), "%s/%s", f.jobs, it_str(r, "id"));
	cr_assert_str_eq(it_header(r, "location"), loc);
	g = it_get(loc);
	cr_assert_eq(g->status, 200, "%s", g->body);
	it_free(g);
	it_free(r);
}

Test(jobs, launch_takes_parameters_16_levels_deep_and_no_deeper)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 body[512], *p;
	int		 i;

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	for (i = 16; i <= 17; i++) {
		int	 k;

		p = body + sprintf(body, "{\"capability\":\"cap\","
		    "\"parameters\":");
		for (k = 0; k < i; k++)
			p += sprintf(p, "{\"k\":");
		p += sprintf(p, "1");
		for (k = 0; k < i; k++)
			*p++ = '}';
		strcpy(p, "}");
		r = it_send("POST", f.jobs, body);
		if (i == 16)
			cr_assert_eq(r->status, 201, "%s", r->body);
		else {
			it_assert_error(r, 400, "too_large");
			cr_assert(strstr(it_str(r, "error"), "parameters") !=
			    NULL, "%s", r->body);
		}
		it_free(r);
	}
}

Test(jobs, launch_parameters_are_merge_patched_over_the_revisions)
{
	struct fx	 f;
	struct it_resp	*r;

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active",
	    "{\"a\":1,\"b\":{\"x\":1,\"y\":2},\"c\":3}");
	r = fx_launch(&f, "cap", "{\"b\":{\"y\":20},\"c\":null,\"d\":\"new\"}");
	fx_assert_json(r, "parameters",
	    "{\"a\":1,\"b\":{\"x\":1,\"y\":20},\"d\":\"new\"}");
	it_free(r);
}

Test(jobs, a_patch_that_removes_after_it_sets_still_sets)
{
	struct fx	 f;
	struct it_resp	*r;

	/* Patches MariaDB's own JSON_MERGE_PATCH gets wrong. */
	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active",
	    "{\"a\":0,\"b\":0,\"n\":{\"x\":1,\"y\":2,\"z\":3}}");
	r = fx_launch(&f, "cap", "{\"b\":1,\"a\":null,"
	    "\"n\":{\"z\":30,\"y\":null,\"x\":null}}");
	fx_assert_json(r, "parameters", "{\"b\":1,\"n\":{\"z\":30}}");
	it_free(r);
}

Test(jobs, service_scope_revision_is_pinned_before_the_domain_default)
{
	struct fx	 f;
	struct it_resp	*r;
	const char	*rev;
	char		 own[64];

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	rev = fx_assign(&f, f.service, "cap", "2", "active", NULL);
	snprintf(own, sizeof(own), "%s", rev);
	r = fx_launch(&f, "cap", NULL);
	cr_assert_str_eq(it_str(r, "assignment_id"), own);
	cr_assert_str_eq(it_str(r, "model_version"), "2");
	it_free(r);
}

Test(jobs, job_keeps_its_revision_after_the_capability_is_reassigned)
{
	struct fx	 f;
	struct it_resp	*r, *g;
	char		 rev[64], id[64];

	fx_make(&f);
	snprintf(rev, sizeof(rev), "%s", fx_assign(&f, NULL, "cap", "1",
	    "active", "{\"p\":1}"));
	fx_launched(&f, "cap", id, sizeof(id));

	fx_assign(&f, NULL, "cap", "2", "active", "{\"p\":2}");
	g = it_get(fx_job_path(&f, id));
	cr_assert_eq(g->status, 200, "%s", g->body);
	cr_assert_str_eq(it_str(g, "assignment_id"), rev);
	cr_assert_str_eq(it_str(g, "model_version"), "1");
	fx_assert_json(g, "parameters", "{\"p\":1}");
	it_free(g);

	/* A new launch pins the new revision. */
	r = fx_launch(&f, "cap", NULL);
	cr_assert_str_neq(it_str(r, "assignment_id"), rev);
	cr_assert_str_eq(it_str(r, "model_version"), "2");
	it_free(r);
}

Test(jobs, launch_without_an_active_assignment_is_422)
{
	struct fx	 f;
	struct it_resp	*r;

	fx_make(&f);
	r = it_send("POST", f.jobs, "{\"capability\":\"never_assigned\"}");
	it_assert_error(r, 422, "no_active_assignment");
	cr_assert(strstr(it_str(r, "error"), "never_assigned"), "%s",
	    r->body);
	it_free(r);
}

Test(jobs, launch_of_an_archived_capability_is_422)
{
	struct fx	 f;
	struct it_resp	*r;

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	fx_assign(&f, NULL, "cap", "1", "archived", NULL);
	r = it_send("POST", f.jobs, "{\"capability\":\"cap\"}");
	it_assert_error(r, 422, "no_active_assignment");
	it_free(r);
}

Test(jobs, launch_for_a_departed_service_is_422)
{
	struct fx	 f;
	struct it_resp	*r;

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	r = it_send("PATCH", f.service_path, "{\"status\":\"departed\"}");
	cr_assert_eq(r->status, 200, "%s", r->body);
	it_free(r);
	r = it_send("POST", f.jobs, "{\"capability\":\"cap\"}");
	it_assert_error(r, 422, "service_departed");
	it_free(r);
}

Test(jobs, launch_for_a_missing_client_domain_or_service_is_404)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 path[800];

	fx_make(&f);
	snprintf(path, sizeof(path), "%s/services/%s/jobs", f.domain_path,
	    it_unique("nosvc"));
	r = it_send("POST", path, "{\"capability\":\"cap\"}");
	it_assert_error(r, 404, "not_found");
	cr_assert(strstr(it_str(r, "error"), "service"), "%s", r->body);
	it_free(r);

	snprintf(path, sizeof(path), "/v2/clients/%s/domains/nodom/services/"
	    "s/jobs", f.client);
	r = it_send("POST", path, "{\"capability\":\"cap\"}");
	it_assert_error(r, 404, "not_found");
	cr_assert(strstr(it_str(r, "error"), "domain"), "%s", r->body);
	it_free(r);

	snprintf(path, sizeof(path), "/v2/clients/%s/domains/d/services/s/"
	    "jobs", it_unique("nocli"));
	r = it_send("POST", path, "{\"capability\":\"cap\"}");
	it_assert_error(r, 404, "not_found");
	cr_assert(strstr(it_str(r, "error"), "client"), "%s", r->body);
	it_free(r);
}

Test(jobs, launch_bodies_that_break_the_rules_are_400_naming_the_field)
{
	static const struct {
		const char	*body, *code, *field;
	} c[] = {
		{ "{}", "missing_field", "capability" },
		{ "{\"capability\":\"bad cap\"}", "invalid_value",
		    "capability" },
		{ "{\"capability\":\"a234567890123456789012345678901234567890"
		    "12345678901234567890123456\"}", NULL, "capability" },
		{ "{\"capability\":7}", "invalid_type", "capability" },
		{ "{\"capability\":\"cap\",\"parameters\":[]}", "invalid_type",
		    "parameters" },
		{ "{\"capability\":\"cap\",\"extra\":1}", "unknown_field",
		    "extra" },
		{ "[]", "invalid_json", NULL },
		{ "{\"capability\":\"cap\",\"capability\":\"cap\"}",
		    "invalid_json", NULL },
	};
	struct fx	 f;
	struct it_resp	*r, *l;
	size_t		 i;

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		r = it_send("POST", f.jobs, c[i].body);
		it_assert_error(r, 400, c[i].code);
		if (c[i].field != NULL)
			cr_assert(strstr(it_str(r, "error"), c[i].field),
			    "%s: %s", c[i].body, r->body);
		it_free(r);
	}

	/* Nothing was launched by any of them. */
	l = it_get(f.jobs);
	cr_assert_eq(json_object_array_length(it_obj(l, "items")), 0);
	it_free(l);
}

Test(jobs, launch_parameters_over_16_kib_are_400)
{
	struct fx	 f;
	struct it_resp	*r;
	size_t		 n = 17000;
	char		*body = malloc(n + 100);

	cr_assert_not_null(body);
	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	strcpy(body, "{\"capability\":\"cap\",\"parameters\":{\"k\":\"");
	memset(body + strlen(body), 'x', n);
	strcpy(body + strlen("{\"capability\":\"cap\",\"parameters\":{\"k\":\"")
	    + n, "\"}}");
	r = it_send("POST", f.jobs, body);
	it_assert_error(r, 400, "too_large");
	cr_assert(strstr(it_str(r, "error"), "parameters"), "%s", r->body);
	it_free(r);
	free(body);
}

Test(jobs, launch_without_a_json_content_type_is_415)
{
	struct fx	 f;
	struct it_resp	*r;

	fx_make(&f);
	r = it_call("POST", f.jobs, it_admin_token(),
	    "{\"capability\":\"cap\"}", NULL);
	it_assert_error(r, 415, NULL);
	it_free(r);
}

Test(jobs, list_is_in_launch_order_and_pages_with_a_cursor)
{
	struct fx	 f;
	struct it_resp	*r, *l;
	struct json_object *items;
	char		 ids[5][64], path[1200];
	const char	*cursor;
	int		 i, seen = 0;

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	for (i = 0; i < 5; i++) {
		r = fx_launch(&f, "cap", NULL);
		snprintf(ids[i], sizeof(ids[i]), "%s", it_str(r, "id"));
		it_free(r);
	}

	snprintf(path, sizeof(path), "%s?limit=2", f.jobs);
	for (;;) {
		l = it_get(path);
		cr_assert_eq(l->status, 200, "%s", l->body);
		items = it_obj(l, "items");
		for (i = 0; i < (int)json_object_array_length(items); i++) {
			cr_assert_lt(seen, 5);
			cr_assert_str_eq(json_object_get_string(
			    json_object_object_get(json_object_array_get_idx(
			    items, (size_t)i), "id")), ids[seen]);
			seen++;
		}
		cursor = it_str(l, "next_cursor");
		if (cursor == NULL) {
			cr_assert_not_null(it_obj(l, "items"));
			it_free(l);
			break;
		}
		cr_assert_eq(json_object_array_length(items), 2);
		snprintf(path, sizeof(path), "%s?limit=2&cursor=%s", f.jobs,
		    cursor);
		it_free(l);
	}
	cr_assert_eq(seen, 5);
}

Test(jobs, list_filters_by_status)
{
	struct fx	 f;
	struct it_resp	*r, *l;
	char		 a[64], path[800];

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	r = fx_launch(&f, "cap", NULL);
	snprintf(a, sizeof(a), "%s", it_str(r, "id"));
	it_free(r);
	it_free(fx_launch(&f, "cap", NULL));
	r = fx_status(&f, a, "running");
	cr_assert_eq(r->status, 200, "%s", r->body);
	it_free(r);

	snprintf(path, sizeof(path), "%s?status=running", f.jobs);
	l = it_get(path);
	cr_assert_eq(l->status, 200, "%s", l->body);
	cr_assert_eq(json_object_array_length(it_obj(l, "items")), 1);
	cr_assert_str_eq(it_str(l, "items.0.id"), a);
	cr_assert_str_eq(it_str(l, "items.0.status"), "running");
	it_free(l);

	snprintf(path, sizeof(path), "%s?status=queued", f.jobs);
	l = it_get(path);
	cr_assert_eq(json_object_array_length(it_obj(l, "items")), 1);
	cr_assert_str_neq(it_str(l, "items.0.id"), a);
	it_free(l);
}

Test(jobs, list_refuses_bad_query_parameters)
{
	static const char *const q[] = {
		"?status=done", "?limit=0", "?limit=501", "?cursor=abc",
		"?cursor=WyJ4IiwieSJd", "?colour=red",
	};
	struct fx	 f;
	struct it_resp	*r;
	char		 path[800];
	size_t		 i;

	fx_make(&f);
	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", f.jobs, q[i]);
		r = it_get(path);
		it_assert_error(r, 400, NULL);
		it_free(r);
	}
}

/* The base64url (no padding) of text into out, as a cursor is made. */
static void
fx_b64url(const char *text, char *out, size_t len)
{
	static const char	 abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char	*in = (const unsigned char *)text;
	size_t			 n = strlen(text), i, o = 0;
	unsigned long		 v;

	for (i = 0; i < n; i += 3) {
		v = (unsigned long)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned long)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		cr_assert_lt(o + 4, len);
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		if (i + 1 < n)
			out[o++] = abc[v >> 6 & 63];
		if (i + 2 < n)
			out[o++] = abc[v & 63];
	}
	out[o] = '\0';
}

/* GETs the fixture's jobs after the moment at; returns the response. */
static struct it_resp *
fx_list_after(const struct fx *f, const char *at)
{
	char	 text[128], cursor[192], path[800];

	snprintf(text, sizeof(text), "[\"%s\","
	    "\"01a23ffa-2e8f-7142-aecc-11f3afb3ec18\"]", at);
	fx_b64url(text, cursor, sizeof(cursor));
	snprintf(path, sizeof(path), "%s?cursor=%s", f->jobs, cursor);
	return it_get(path);
}

Test(jobs, list_refuses_a_cursor_whose_moment_never_was)
{
	static const char *const never[] = {
		"2026-02-31 00:00:00.000", "2026-04-31 12:00:00.000",
		"2025-02-29 12:00:00.000", "2100-02-29 12:00:00.000",
		"2026-01-01 24:00:00.000", "2026-01-01 23:60:00.000",
		"2026-00-10 00:00:00.000", "0999-12-31 00:00:00.000",
	};
	struct fx	 f;
	struct it_resp	*r;
	size_t		 i;

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	it_free(fx_launch(&f, "cap", NULL));
	for (i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		r = fx_list_after(&f, never[i]);
		it_assert_error(r, 400, "invalid_cursor");
		it_free(r);
	}

	/* A leap day is a real moment: the job came after it. */
	r = fx_list_after(&f, "2024-02-29 23:59:59.999");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_eq(json_object_array_length(it_obj(r, "items")), 1);
	it_free(r);
}

Test(jobs, list_of_a_service_without_jobs_is_empty)
{
	struct fx	 f;
	struct it_resp	*l;

	fx_make(&f);
	l = it_get(f.jobs);
	cr_assert_eq(l->status, 200, "%s", l->body);
	cr_assert_eq(json_object_array_length(it_obj(l, "items")), 0);
	cr_assert_null(it_obj(l, "next_cursor"));
	cr_assert(json_object_object_get_ex(l->json, "next_cursor", NULL));
	it_free(l);
}

Test(jobs, list_of_a_missing_service_is_404)
{
	struct fx	 f;
	struct it_resp	*l;
	char		 path[800];

	fx_make(&f);
	snprintf(path, sizeof(path), "%s/services/nosuch/jobs",
	    f.domain_path);
	l = it_get(path);
	it_assert_error(l, 404, "not_found");
	it_free(l);
}

Test(jobs, a_job_is_not_found_under_another_service_or_by_a_wrong_id)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 id[64], path[1000];

	fx_make(&f);
	fx_service(&f, "other");
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	fx_launched(&f, "cap", id, sizeof(id));

	snprintf(path, sizeof(path), "%s/services/other/jobs/%s",
	    f.domain_path, id);
	r = it_get(path);
	it_assert_error(r, 404, "not_found");
	it_free(r);
	r = it_get(fx_job_path(&f, "01890000-0000-7000-8000-000000000000"));
	it_assert_error(r, 404, "not_found");
	it_free(r);
	r = it_get(fx_job_path(&f, "not-a-job"));
	it_assert_error(r, 404, "not_found");
	it_free(r);
	r = fx_status(&f, "not-a-job", "running");
	it_assert_error(r, 404, "not_found");
	it_free(r);
}

Test(jobs, status_moves_forward_queued_running_succeeded)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 id[64], created[64];

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	r = fx_launch(&f, "cap", NULL);
	snprintf(id, sizeof(id), "%s", it_str(r, "id"));
	snprintf(created, sizeof(created), "%s", it_str(r, "created_at"));
	it_free(r);

	r = fx_status(&f, id, "running");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "status"), "running");
	cr_assert_str_eq(it_str(r, "created_at"), created);
	cr_assert_geq(strcmp(it_str(r, "updated_at"), created), 0);
	it_free(r);
	r = fx_status(&f, id, "succeeded");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "status"), "succeeded");
	it_free(r);

	r = it_get(fx_job_path(&f, id));
	cr_assert_str_eq(it_str(r, "status"), "succeeded");
	it_free(r);
}

Test(jobs, status_may_be_sent_as_a_merge_patch)
{
	static const char *const merge[] = {
		"Content-Type: application/merge-patch+json", NULL };
	struct fx	 f;
	struct it_resp	*r;
	char		 id[64];

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	fx_launched(&f, "cap", id, sizeof(id));
	r = it_call("PATCH", fx_job_path(&f, id), it_admin_token(),
	    "{\"status\":\"running\"}", merge);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "status"), "running");
	it_free(r);

	/* A launch is no patch. */
	r = it_call("POST", f.jobs, it_admin_token(),
	    "{\"capability\":\"cap\"}", merge);
	it_assert_error(r, 415, "unsupported_media_type");
	it_free(r);
}

Test(jobs, a_job_launched_by_a_token_without_sub_has_no_creator)
{
	struct fx		 f;
	struct it_resp		*r;
	struct json_object	*by = NULL;
	char			*anon = it_token("-S 'jobs:write jobs:read' "
				    "-C '*' --no-sub");

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	r = it_call("POST", f.jobs, anon, "{\"capability\":\"cap\"}",
	    it_json_ct);
	cr_assert_eq(r->status, 201, "%s", r->body);
	cr_assert(json_object_object_get_ex(r->json, "created_by", &by) &&
	    by == NULL, "%s", r->body);
	it_free(r);

	r = fx_launch(&f, "cap", NULL);
	cr_assert_str_eq(it_str(r, "created_by"), "tester");
	it_free(r);
	free(anon);
}

Test(jobs, a_running_job_may_fail)
{
	struct fx	 f;
	struct it_resp	*r;
	char		 id[64];

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	fx_launched(&f, "cap", id, sizeof(id));
	it_free(fx_status(&f, id, "running"));
	r = fx_status(&f, id, "failed");
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert_str_eq(it_str(r, "status"), "failed");
	it_free(r);
}

Test(jobs, status_never_goes_backward_skips_or_repeats)
{
	static const char *const bad_from_queued[] = {
		"queued", "succeeded", "failed"
	};
	struct fx	 f;
	struct it_resp	*r;
	char		 id[64];
	size_t		 i;

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	fx_launched(&f, "cap", id, sizeof(id));
	for (i = 0; i < 3; i++) {
		r = fx_status(&f, id, bad_from_queued[i]);
		it_assert_error(r, 422, "invalid_status_transition");
		it_free(r);
	}
	r = it_get(fx_job_path(&f, id));
	cr_assert_str_eq(it_str(r, "status"), "queued");
	it_free(r);

	it_free(fx_status(&f, id, "running"));
	it_free(fx_status(&f, id, "succeeded"));
	r = fx_status(&f, id, "running");
	it_assert_error(r, 422, "invalid_status_transition");
	it_free(r);
	r = fx_status(&f, id, "failed");
	it_assert_error(r, 422, "invalid_status_transition");
	it_free(r);
	r = it_get(fx_job_path(&f, id));
	cr_assert_str_eq(it_str(r, "status"), "succeeded");
	it_free(r);
}

Test(jobs, patch_with_an_unknown_status_or_field_is_400)
{
	static const struct {
		const char	*body, *code;
	} c[] = {
		{ "{\"status\":\"done\"}", "invalid_value" },
		{ "{\"status\":\"RUNNING\"}", "invalid_value" },
		{ "{\"status\":1}", "invalid_type" },
		{ "{}", "missing_field" },
		{ "{\"status\":\"running\",\"x\":1}", "unknown_field" },
	};
	struct fx	 f;
	struct it_resp	*r;
	char		 id[64];
	size_t		 i;

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	fx_launched(&f, "cap", id, sizeof(id));
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		r = it_send("PATCH", fx_job_path(&f, id), c[i].body);
		it_assert_error(r, 400, c[i].code);
		it_free(r);
	}
	r = it_get(fx_job_path(&f, id));
	cr_assert_str_eq(it_str(r, "status"), "queued");
	it_free(r);
}

Test(jobs, each_route_needs_its_jobs_scope)
{
	static const char *const json[] = {
	    "Content-Type: application/json", NULL };
	struct fx	 f;
	struct it_resp	*r;
	char		*rd, *wr, id[64];

	fx_make(&f);
	fx_assign(&f, NULL, "cap", "1", "active", NULL);
	rd = it_token("-S 'jobs:read' -C '*'");
	wr = it_token("-S 'jobs:write' -C '*'");

	r = it_call("POST", f.jobs, rd, "{\"capability\":\"cap\"}", json);
	it_assert_error(r, 403, "insufficient_scope");
	it_free(r);
	r = it_call("POST", f.jobs, wr, "{\"capability\":\"cap\"}", json);
	cr_assert_eq(r->status, 201, "%s", r->body);
	snprintf(id, sizeof(id), "%s", it_str(r, "id"));
	it_free(r);

	r = it_call("GET", f.jobs, wr, NULL, NULL);
	it_assert_error(r, 403, "insufficient_scope");
	it_free(r);
	r = it_call("GET", fx_job_path(&f, id), rd, NULL, NULL);
	cr_assert_eq(r->status, 200, "%s", r->body);
	it_free(r);
	r = it_call("PATCH", fx_job_path(&f, id), rd,
	    "{\"status\":\"running\"}", json);
	it_assert_error(r, 403, "insufficient_scope");
	it_free(r);
	free(rd);
	free(wr);
}
