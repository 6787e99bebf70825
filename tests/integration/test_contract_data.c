/*
 * test_contract_data.c: the data rules of the contract at their edges,
 * through nginx: identifiers of 128 and 129 characters, a leading '-' or
 * '.', non-ASCII ids, the spellings of a model version, freezes of 256
 * and 257 features and the rules between a feature's members, what
 * "integer" and "mandatory" mean to the compatibility check, a service
 * checked against its own override instead of the domain default, and
 * lists walked one item a page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "itest.h"

/* A freeze: route mandatory, cabin with a default, capacity 1..5000. */
#define CONTRACT_FREEZE "{\"freeze\": {\"features\": [" \
	"{\"name\": \"route\", \"type\": \"string\", \"mandatory\": true}, " \
	"{\"name\": \"cabin\", \"type\": \"string\", \"mandatory\": true, " \
	"\"default\": \"economy\", \"allowed_values\": [\"economy\", " \
	"\"business\"]}, " \
	"{\"name\": \"capacity\", \"type\": \"integer\", \"minimum\": 1, " \
	"\"maximum\": 5000}]}}"

/* A freeze that asks nothing of route. */
#define CONTRACT_LOOSE "{\"freeze\": {\"features\": [" \
	"{\"name\": \"capacity\", \"type\": \"number\"}]}}"

/* Asserts a 400 invalid_parameter whose message names param. */
static void
assert_bad_param(const char *method, const char *path, const char *body,
    const char *param)
{
	struct it_resp	*r = it_send(method, path, body);

	it_assert_error(r, 400, "invalid_parameter");
	cr_assert(strstr(it_str(r, "error"), param), "%s %s: %s", method,
	    path, r->body);
	it_free(r);
}

/* Writes n times the character c and a NUL into buf. */
static char *
repeat(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
	return buf;
}

Test(contract, ids_of_128_characters_pass_and_129_are_400_naming_them)
{
	char		 id[200], dom[256], path[600];
	const char	*uniq;

	/* A fresh 128-character client id, so a second run creates too. */
	it_new_domain(dom, sizeof(dom));
	repeat(id, 'c', 128);
	uniq = it_unique("c");
	memcpy(id, uniq, strlen(uniq));
	snprintf(path, sizeof(path), "/v2/clients/%s", id);
	it_expect("PUT", path, "{}", 201);
	snprintf(path, sizeof(path), "/v2/clients/%s",
	    repeat(id, 'c', 129));
	assert_bad_param("PUT", path, "{}", "client_id");

	snprintf(path, sizeof(path), "%s/services/%s", dom,
	    repeat(id, 's', 128));
	it_expect("PUT", path, "{}", 201);
	snprintf(path, sizeof(path), "%s/services/%s", dom,
	    repeat(id, 's', 129));
	assert_bad_param("PUT", path, "{}", "service_id");

	snprintf(path, sizeof(path), "/v2/models/%s", repeat(id, 'M', 129));
	assert_bad_param("PUT", path, "{}", "model_id");
	snprintf(path, sizeof(path), "%.*s/domains/%s",
	    (int)(strstr(dom, "/domains/") - dom), dom, repeat(id, 'd', 129));
	assert_bad_param("PUT", path, "{}", "domain_id");
}

Test(contract, ids_starting_with_dash_or_dot_or_not_ascii_are_400)
{
	static const char *const bad[] = { "-a", ".a", "%C3%A9t", "a%20b",
	    "_a", NULL };
	const char *const	*b;
	char			 dom[256], path[600];

	it_new_domain(dom, sizeof(dom));
	for (b = bad; *b != NULL; b++) {
		snprintf(path, sizeof(path), "/v2/clients/%s", *b);
		assert_bad_param("GET", path, NULL, "client_id");
		snprintf(path, sizeof(path), "%s/services/%s", dom, *b);
		assert_bad_param("PUT", path, "{}", "service_id");
		snprintf(path, sizeof(path), "/v2/models/%s", *b);
		assert_bad_param("PUT", path, "{}", "model_id");
	}

	/* The rest of an id may hold '_', '.', ':' and '-'. */
	snprintf(path, sizeof(path), "%s/services/a_b.c:d-e", dom);
	it_expect("PUT", path, "{}", 201);
}

Test(contract, model_versions_3_and_with_build_metadata_are_versions)
{
	static const char *const good[] = { "3", "2.0.0+build.1",
	    "1.0.0-rc.1", "v2_final", NULL };
	const char *const	*g;
	char			 model[256], path[600], id[100];
	struct it_resp		*r;

	it_new_model(model, sizeof(model));
	for (g = good; *g != NULL; g++) {
		snprintf(path, sizeof(path), "%s/versions/%s", model, *g);
		it_expect("PUT", path, CONTRACT_LOOSE, 201);
		r = it_get(path);
		cr_assert_eq(r->status, 200, "%s: %s", path, r->body);
		cr_assert_str_eq(it_str(r, "model_version"), *g);
		it_free(r);
	}
	snprintf(path, sizeof(path), "%s/versions/%s", model,
	    repeat(id, '9', 64));
	it_expect("PUT", path, CONTRACT_LOOSE, 201);

	/* 65 characters, a leading '+', or a ':' are not versions. */
	snprintf(path, sizeof(path), "%s/versions/%s", model,
	    repeat(id, '9', 65));
	assert_bad_param("PUT", path, CONTRACT_LOOSE, "model_version");
	snprintf(path, sizeof(path), "%s/versions/%%2B1", model);
	assert_bad_param("PUT", path, CONTRACT_LOOSE, "model_version");
	snprintf(path, sizeof(path), "%s/versions/1:2", model);
	assert_bad_param("GET", path, NULL, "model_version");
}

/* A freeze body of n string features f0, f1, ...; free it. */
static char *
freeze_of(size_t n)
{
	size_t	 i, len = 64 + n * 48, at;
	char	*s = malloc(len);

	cr_assert_not_null(s);
	at = (size_t)snprintf(s, len, "{\"freeze\": {\"features\": [");
	for (i = 0; i < n; i++)
		at += (size_t)snprintf(s + at, len - at, "%s{\"name\": "
		    "\"f%zu\", \"type\": \"string\"}", i > 0 ? ", " : "", i);
	snprintf(s + at, len - at, "]}}");
	return s;
}

Test(contract, a_freeze_holds_256_features_and_257_are_400)
{
	char		 model[256], path[600], *body;
	struct it_resp	*r;

	it_new_model(model, sizeof(model));
	snprintf(path, sizeof(path), "%s/versions/1", model);
	body = freeze_of(256);
	it_expect("PUT", path, body, 201);
	it_expect("PUT", path, body, 200);
	free(body);

	snprintf(path, sizeof(path), "%s/versions/2", model);
	body = freeze_of(257);
	r = it_send("PUT", path, body);
	cr_assert_eq(r->status, 400, "%s", r->body);
	cr_assert(strstr(it_str(r, "error"), "freeze.features"), "%s",
	    r->body);
	it_free(r);
	free(body);
	r = it_get(path);
	it_assert_error(r, 404, "not_found");
	it_free(r);
}

/* A freeze feature that is refused, and the member its message names. */
struct contract_bad {
	const char	*feature;
	const char	*names;
};

static const struct contract_bad contract_bad_features[] = {
	{ "{\"name\": \"a\", \"type\": \"integer\", \"minimum\": 1.5}",
	    "minimum" },
	{ "{\"name\": \"a\", \"type\": \"integer\", \"default\": 2.5}",
	    "default" },
	{ "{\"name\": \"a\", \"type\": \"boolean\", \"default\": 1}",
	    "default" },
	{ "{\"name\": \"a\", \"type\": \"number\", \"default\": \"1\"}",
	    "default" },
	{ "{\"name\": \"a\", \"type\": \"integer\", \"allowed_values\": "
	    "[1, \"2\"]}", "allowed_values[1]" },
	{ "{\"name\": \"a\", \"type\": \"integer\", \"allowed_values\": "
	    "[1, 9], \"maximum\": 5}", "allowed_values[1]" },
	{ "{\"name\": \"a\", \"type\": \"integer\", \"default\": 0, "
	    "\"minimum\": 1}", "default" },
	{ "{\"name\": \"a\", \"type\": \"boolean\", \"maximum\": 1}",
	    "maximum" },
	{ "{\"name\": \"a\", \"type\": \"string\", \"allowed_values\": []}",
	    "allowed_values" },
	{ "{\"name\": \"a\", \"type\": \"string\", \"allowed_values\": "
	    "\"x\"}", "allowed_values" },
	{ "{\"name\": \"a\", \"type\": \"string\", \"default\": null}",
	    "default" },
	{ "{\"name\": \"a\", \"type\": \"string\", \"mandatory\": null}",
	    "mandatory" },
	{ "{\"name\": 7, \"type\": \"string\"}", "name" },
	{ "{\"name\": \"a\"}", "type" },
	{ "\"a\"", "features[0]" },
	{ NULL, NULL }
};

Test(contract, members_that_disagree_with_the_type_are_400_at_creation)
{
	const struct contract_bad	*b;
	char				 model[256], path[600], body[512];
	struct it_resp			*r;

	it_new_model(model, sizeof(model));
	snprintf(path, sizeof(path), "%s/versions/1", model);
	for (b = contract_bad_features; b->feature != NULL; b++) {
		snprintf(body, sizeof(body), "{\"freeze\": {\"features\": "
		    "[%s]}}", b->feature);
		r = it_send("PUT", path, body);
		cr_assert_eq(r->status, 400, "%s: %s", body, r->body);
		cr_assert(strstr(it_str(r, "error"), b->names), "%s: %s",
		    body, r->body);
		it_free(r);
	}
	assert_bad_param("PUT", "/v2/models/-x/versions/1", "{}",
	    "model_id");
	r = it_send("PUT", path, "{\"freeze\": {\"features\": {}}}");
	it_assert_error(r, 400, "invalid_type");
	it_free(r);
	r = it_get(path);
	it_assert_error(r, 404, "not_found");
	it_free(r);
}

Test(contract, mandatory_defaults_to_false_and_a_number_may_be_whole)
{
	char		 model[256], path[600];
	struct it_resp	*r;

	it_new_model(model, sizeof(model));
	snprintf(path, sizeof(path), "%s/versions/1", model);
	it_expect("PUT", path, "{\"freeze\": {\"features\": [{\"name\": "
	    "\"a\", \"type\": \"number\", \"default\": 2, \"minimum\": 1.5, "
	    "\"allowed_values\": [2, 2.5]}]}}", 201);
	r = it_get(path);
	cr_assert_eq(r->status, 200, "%s", r->body);
	cr_assert(json_object_is_type(it_obj(r,
	    "freeze.features.0.mandatory"), json_type_boolean), "%s",
	    r->body);
	cr_assert_not(json_object_get_boolean(it_obj(r,
	    "freeze.features.0.mandatory")), "%s", r->body);
	it_free(r);
}

/*
 * A domain whose default for capability "fare" is CONTRACT_FREEZE of a
 * new model; the domain's path into dom, the model's id into model.
 */
static void
contract_domain(char *dom, size_t dlen, char *model, size_t mlen)
{
	char	 path[600], body[300];

	it_new_domain(dom, dlen);
	snprintf(model, mlen, "%s", it_unique("m"));
	snprintf(path, sizeof(path), "/v2/models/%s", model);
	it_expect("PUT", path, "{}", 201);
	snprintf(path, sizeof(path), "/v2/models/%s/versions/1", model);
	it_expect("PUT", path, CONTRACT_FREEZE, 201);
	snprintf(path, sizeof(path), "/v2/models/%s/versions/2", model);
	it_expect("PUT", path, CONTRACT_LOOSE, 201);
	snprintf(path, sizeof(path), "%s/assignments/fare", dom);
	snprintf(body, sizeof(body), "{\"model_id\": \"%s\", "
	    "\"model_version\": \"1\"}", model);
	it_expect("PUT", path, body, 200);
}

Test(contract, integer_means_a_number_without_fractional_part)
{
	char		 dom[256], model[128], path[600];
	struct it_resp	*r;

	contract_domain(dom, sizeof(dom), model, sizeof(model));
	snprintf(path, sizeof(path), "%s/services/s1", dom);
	it_expect("PUT", path, "{\"provided_features\": {\"route\": \"r\", "
	    "\"capacity\": 3.0}}", 201);
	it_expect("PATCH", path, "{\"provided_features\": "
	    "{\"capacity\": 1e3}}", 200);

	r = it_send("PATCH", path, "{\"provided_features\": "
	    "{\"capacity\": 2.5}}");
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_str_eq(it_str(r, "blocking_services.0.feature"),
	    "capacity");
	cr_assert_str_eq(it_str(r, "blocking_services.0.reason"),
	    "wrong_type");
	it_free(r);
	r = it_send("PATCH", path, "{\"provided_features\": "
	    "{\"capacity\": \"3\"}}");
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_str_eq(it_str(r, "blocking_services.0.value"), "3");
	it_free(r);
	r = it_get(path);
	cr_assert_eq(it_int(r, "provided_features.capacity"), 1000, "%s",
	    r->body);
	it_free(r);
}

Test(contract, defaults_fill_missing_mandatory_and_unknown_are_ignored)
{
	char		 dom[256], model[128], path[600];
	struct it_resp	*r;

	contract_domain(dom, sizeof(dom), model, sizeof(model));
	snprintf(path, sizeof(path), "%s/services/s1", dom);

	/* cabin is mandatory but has a default; night is not in it. */
	it_expect("PUT", path, "{\"provided_features\": {\"route\": \"r\", "
	    "\"night\": [1]}}", 400);
	it_expect("PUT", path, "{\"provided_features\": {\"route\": \"r\", "
	    "\"night\": true}}", 201);

	/* Every reason at once, sorted by feature, values as stored. */
	r = it_send("PUT", path, "{\"provided_features\": {\"cabin\": "
	    "\"first\", \"capacity\": 5001, \"route\": null}}");
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_eq(it_int(r, "blocking_services_total"), 3, "%s", r->body);
	cr_assert_str_eq(it_str(r, "blocking_services.0.feature"), "cabin");
	cr_assert_str_eq(it_str(r, "blocking_services.0.reason"),
	    "not_allowed");
	cr_assert_str_eq(it_str(r, "blocking_services.1.feature"),
	    "capacity");
	cr_assert_eq(it_int(r, "blocking_services.1.value"), 5001);
	cr_assert_str_eq(it_str(r, "blocking_services.1.reason"),
	    "out_of_range");
	cr_assert_str_eq(it_str(r, "blocking_services.2.feature"), "route");
	cr_assert(json_object_is_type(it_obj(r, "blocking_services.2"),
	    json_type_object) && it_obj(r, "blocking_services.2.value") ==
	    NULL, "%s", r->body);
	cr_assert_str_eq(it_str(r, "blocking_services.2.reason"), "missing");
	it_free(r);
}

Test(contract, a_service_is_checked_against_its_own_override_alone)
{
	char		 dom[256], model[128], path[600], ovr[700];
	char		 body[300];
	struct it_resp	*r;

	contract_domain(dom, sizeof(dom), model, sizeof(model));
	snprintf(path, sizeof(path), "%s/services/s1", dom);
	it_expect("PUT", path, "{\"provided_features\": {\"route\": \"r\"}}",
	    201);
	snprintf(ovr, sizeof(ovr), "%s/assignments/fare", path);
	snprintf(body, sizeof(body), "{\"model_id\": \"%s\", "
	    "\"model_version\": \"2\"}", model);
	it_expect("PUT", ovr, body, 200);

	/* The domain default no longer applies: route may go. */
	it_expect("PATCH", path, "{\"provided_features\": {\"route\": null}}",
	    200);
	r = it_send("PUT", path, "{\"provided_features\": {\"capacity\": "
	    "\"many\"}}");
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_str_eq(it_str(r, "blocking_services.0.service_id"), "s1");
	cr_assert_str_eq(it_str(r, "blocking_services.0.reason"),
	    "wrong_type");
	it_free(r);

	/* Archived, the override leaves the service to the default. */
	it_expect("PATCH", path, "{\"provided_features\": {\"route\": \"r\"}}",
	    200);
	snprintf(body, sizeof(body), "{\"model_id\": \"%s\", "
	    "\"model_version\": \"2\", \"status\": \"archived\"}", model);
	it_expect("PUT", ovr, body, 200);
	r = it_send("PATCH", path, "{\"provided_features\": {\"route\": "
	    "null}}");
	it_assert_error(r, 422, "assignment_blocked");
	cr_assert_str_eq(it_str(r, "blocking_services.0.reason"), "missing");
	it_free(r);
}

Test(contract, a_departed_service_refuses_every_write_with_422)
{
	char		 dom[256], path[600];
	struct it_resp	*r;

	it_new_domain(dom, sizeof(dom));
	snprintf(path, sizeof(path), "%s/services/s1", dom);
	it_expect("PUT", path, "{\"status\": \"departed\"}", 201);
	r = it_send("PUT", path, "{\"status\": \"departed\"}");
	it_assert_error(r, 422, "service_departed");
	it_free(r);
	r = it_send("PATCH", path, "{\"status\": \"scheduled\"}");
	it_assert_error(r, 422, "service_departed");
	it_free(r);
	r = it_send("PATCH", path, "{\"provided_features\": {\"a\": null}}");
	it_assert_error(r, 422, "service_departed");
	it_free(r);
	strcat(path, "/jobs");
	r = it_send("POST", path, "{\"capability\": \"fare\"}");
	it_assert_error(r, 422, "service_departed");
	it_free(r);
}

/* Walks path one item a page and asserts the ids are want, in order. */
static void
assert_walk(const char *path, const char *key, const char *const *want,
    size_t n)
{
	char	 url[800], *ids[16];
	size_t	 got, i;
	int	 pages;

	snprintf(url, sizeof(url), "%s?limit=1", path);
	got = it_walk(url, 1, key, ids, 16, &pages);
	cr_assert_eq(got, n, "%s: %zu items", path, got);
	cr_assert_eq((size_t)pages, n, "%s: %d pages", path, pages);
	for (i = 0; i < got; i++) {
		cr_assert_str_eq(ids[i], want[i]);
		free(ids[i]);
	}
}

Test(contract, lists_walk_one_item_a_page_in_a_stable_order)
{
	static const char *const ids[] = { "A", "B", "a", "a.b", "b" };
	char	 dom[256], model[256], path[600], client[300];
	size_t	 i;

	it_new_domain(dom, sizeof(dom));
	it_new_model(model, sizeof(model));
	snprintf(client, sizeof(client), "%.*s",
	    (int)(strstr(dom, "/domains/") - dom), dom);
	for (i = 5; i-- > 0;) {
		snprintf(path, sizeof(path), "%s/services/%s", dom, ids[i]);
		it_expect("PUT", path, "{}", 201);
		snprintf(path, sizeof(path), "%s/domains/%s", client, ids[i]);
		it_expect("PUT", path, "{}", 201);
		snprintf(path, sizeof(path), "%s/versions/%s", model, ids[i]);
		it_expect("PUT", path, CONTRACT_LOOSE, 201);
	}
	snprintf(path, sizeof(path), "%s/services", dom);
	assert_walk(path, "service_id", ids, 5);
	snprintf(path, sizeof(path), "%s/versions", model);
	assert_walk(path, "model_version", ids, 5);
	{
		static const char *const doms[] = { "A", "B", "a", "a.b",
		    "b", "d1" };

		snprintf(path, sizeof(path), "%s/domains", client);
		assert_walk(path, "domain_id", doms, 6);
	}
}

Test(contract, limits_outside_1_to_500_and_foreign_cursors_are_400)
{
	static const char *const bad[] = { "0", "501", "abc", "-1", "1.5",
	    "%2B5", "%205", "", NULL };
	/*
	 * Not JSON; ["' OR 1=1"]; a job cursor in month 13; one whose id
	 * is no job id: each decodes, none is a cursor pie gives out.
	 */
	static const char *const forged[] = { "bm90LWEtY3Vyc29y",
	    "WyInIE9SIDE9MSJd",
	    "WyIyMDI2LTEzLTAxIDAwOjAwOjAwLjAwMCIsIjAxYTIzZjY1LWY3YjktNzBl"
	    "Yy05ZWQwLTRjZTQwYTIzZDZhZCJd",
	    "WyIyMDI2LTAxLTAxIDAwOjAwOjAwLjAwMCIsIjAxYTIzZjY1LWY3YjktNzBl"
	    "Yy05ZWQwLTRjZTQwYTIzZDZhWiJd", NULL };
	const char *const	*b;
	char			 dom[256], lists[4][300], url[1400];
	struct it_resp		*r;
	size_t			 i;

	it_new_domain(dom, sizeof(dom));
	it_expect("PUT", strcat(strcpy(url, dom), "/services/s1"), "{}", 201);
	snprintf(lists[0], sizeof(lists[0]), "%s/services", dom);
	snprintf(lists[1], sizeof(lists[1]), "%s/services/s1/jobs", dom);
	snprintf(lists[2], sizeof(lists[2]), "%.*s/domains",
	    (int)(strstr(dom, "/domains/") - dom), dom);
	snprintf(lists[3], sizeof(lists[3]), "/v2/models");
	for (i = 0; i < 4; i++) {
		for (b = bad; *b != NULL; b++) {
			snprintf(url, sizeof(url), "%s?limit=%s", lists[i],
			    *b);
			assert_bad_param("GET", url, NULL, "limit");
		}
		snprintf(url, sizeof(url), "%s?limit=500", lists[i]);
		r = it_get(url);
		cr_assert_eq(r->status, 200, "%s: %s", url, r->body);
		it_free(r);
		for (b = forged; *b != NULL; b++) {
			snprintf(url, sizeof(url), "%s?cursor=%s", lists[i],
			    *b);
			r = it_get(url);
			it_assert_error(r, 400, "invalid_cursor");
			it_free(r);
		}
	}
}
