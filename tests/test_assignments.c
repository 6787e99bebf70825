/*
 * test_assignments.c: the upsert request validator, the If-Match reader
 * and the as_of parser, without a database: every member of the field
 * table of API.md section 4, what is refused with which code and which
 * path, the form the stored procedure receives, and which entity tags
 * admit a revision.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "assignment_reads.h"
#include "assignments.h"
#include "body.h"

/* The result of validating text as the body of a route. */
struct outcome {
	enum pie_res		 res;
	struct verr		 err;
	struct assign_req	 req;
	struct json_object	*body;
};

static struct outcome *
validate(const char *text, const char *path_cap, int service_scope)
{
	struct outcome	*o = calloc(1, sizeof(*o));

	cr_assert_not_null(o);
	o->body = json_tokener_parse(text);
	cr_assert_not_null(o->body, "test body does not parse: %s", text);
	o->res = assign_validate(o->body, path_cap, service_scope, &o->req,
	    &o->err);
	return o;
}

static void
outcome_free(struct outcome *o)
{
	assign_req_clear(&o->req);
	json_object_put(o->body);
	free(o);
}

/* Asserts a 400 with code whose message contains every word given. */
static void
assert_refused(const char *text, const char *path_cap, int service_scope,
    const char *code, const char *word)
{
	struct outcome	*o = validate(text, path_cap, service_scope);

	cr_assert_eq(o->res, PIE_ERR_INVALID, "accepted: %s", text);
	cr_assert_str_eq(o->err.code, code, "%s: %s", text, o->err.msg);
	cr_assert(strstr(o->err.msg, word) != NULL,
	    "message \"%s\" does not name %s", o->err.msg, word);
	outcome_free(o);
}

#define MINIMAL "\"model_id\":\"m\",\"model_version\":\"1\""

Test(assign_validate, minimal_post_defaults_to_active_and_no_objects)
{
	struct outcome  *o = validate("{\"capability\":\"c\"," MINIMAL "}",
	    NULL, 0);

	cr_assert_eq(o->res, PIE_OK, "%s", o->err.msg);
	cr_assert_str_eq(o->req.capability, "c");
	cr_assert_str_eq(o->req.model_id, "m");
	cr_assert_str_eq(o->req.model_version, "1");
	cr_assert_str_eq(o->req.status, "active");
	cr_assert_null(o->req.parameters);
	cr_assert_null(o->req.metadata);
	cr_assert_null(o->req.service_updates);
	outcome_free(o);
}

Test(assign_validate, reference_example_without_capability_says_how_to_fix)
{
	const char	*ref = "{\"model_id\":\"example-model\","
	    "\"model_version\":\"2.0.0\",\"service_updates\":[{\"service_id\":"
	    "\"svc-001\",\"static_features\":{\"route\":\"route-a\"}}]}";
	struct outcome	*o = validate(ref, NULL, 0);

	cr_assert_eq(o->res, PIE_ERR_INVALID);
	cr_assert_str_eq(o->err.code, "missing_field");
	cr_assert(strstr(o->err.msg, "capability") != NULL);
	cr_assert(strstr(o->err.msg, "PUT") != NULL, "%s", o->err.msg);
	cr_assert(strstr(o->err.msg, "assignments/{capability}") != NULL);
	outcome_free(o);
}

Test(assign_validate, keyed_put_takes_capability_from_the_path)
{
	struct outcome	*o = validate("{" MINIMAL "}", "fare", 0);

	cr_assert_eq(o->res, PIE_OK, "%s", o->err.msg);
	cr_assert_str_eq(o->req.capability, "fare");
	outcome_free(o);
}

Test(assign_validate, keyed_put_accepts_the_same_capability_in_the_body)
{
	struct outcome  *o = validate("{\"capability\":\"fare\"," MINIMAL "}",
	    "fare", 0);

	cr_assert_eq(o->res, PIE_OK, "%s", o->err.msg);
	outcome_free(o);
}

Test(assign_validate, keyed_put_refuses_a_different_capability)
{
	assert_refused("{\"capability\":\"other\"," MINIMAL "}", "fare", 0,
	    "invalid_value", "capability");
}

Test(assign_validate, capability_must_be_a_valid_identifier)
{
	assert_refused("{\"capability\":\"-x\"," MINIMAL "}", NULL, 0,
	    "invalid_value", "capability");
	assert_refused("{\"capability\":\"\"," MINIMAL "}", NULL, 0,
	    "invalid_value", "capability");
	assert_refused("{\"capability\":7," MINIMAL "}", NULL, 0,
	    "invalid_type", "capability");
}

Test(assign_validate, capability_over_64_characters_is_refused)
{
	char	 body[256];

	snprintf(body, sizeof(body), "{\"capability\":\"%065d\"," MINIMAL
	    "}", 0);
	assert_refused(body, NULL, 0, "invalid_value", "capability");
}

Test(assign_validate, model_id_is_required_and_named)
{
	assert_refused("{\"capability\":\"c\",\"model_version\":\"1\"}", NULL,
	    0, "missing_field", "model_id");
	assert_refused("{\"capability\":\"c\",\"model_id\":\"a b\","
	    "\"model_version\":\"1\"}", NULL, 0, "invalid_value", "model_id");
	assert_refused("{\"capability\":\"c\",\"model_id\":null,"
	    "\"model_version\":\"1\"}", NULL, 0, "invalid_type", "model_id");
}

Test(assign_validate, model_version_is_required_and_named)
{
	assert_refused("{\"capability\":\"c\",\"model_id\":\"m\"}", NULL, 0,
	    "missing_field", "model_version");
	assert_refused("{\"capability\":\"c\",\"model_id\":\"m\","
	    "\"model_version\":\"2:0\"}", NULL, 0, "invalid_value",
	    "model_version");
	assert_refused("{\"capability\":\"c\",\"model_id\":\"m\","
	    "\"model_version\":3}", NULL, 0, "invalid_type", "model_version");
}

Test(assign_validate, model_version_accepts_plus_and_single_digit)
{
	struct outcome  *o = validate("{\"capability\":\"c\",\"model_id\":"
	    "\"m\",\"model_version\":\"2.0.0+build_1\"}", NULL, 0);

	cr_assert_eq(o->res, PIE_OK, "%s", o->err.msg);
	outcome_free(o);
}

Test(assign_validate, status_archived_is_kept)
{
	struct outcome	*o = validate("{\"capability\":\"c\"," MINIMAL
	    ",\"status\":\"archived\"}", NULL, 0);

	cr_assert_eq(o->res, PIE_OK, "%s", o->err.msg);
	cr_assert_str_eq(o->req.status, "archived");
	outcome_free(o);
}

Test(assign_validate, status_other_than_active_or_archived_is_refused)
{
	assert_refused("{\"capability\":\"c\"," MINIMAL
	    ",\"status\":\"Active\"}", NULL, 0, "invalid_value", "status");
	assert_refused("{\"capability\":\"c\"," MINIMAL ",\"status\":true}",
	    NULL, 0, "invalid_type", "status");
	assert_refused("{\"capability\":\"c\"," MINIMAL ",\"status\":null}",
	    NULL, 0, "invalid_type", "status");
}

Test(assign_validate, parameters_and_metadata_are_compact_objects)
{
	struct outcome	*o = validate("{\"capability\":\"c\"," MINIMAL
	    ",\"parameters\": {\"a\" : [1, 2]},\"metadata\":{}}", NULL, 0);

	cr_assert_eq(o->res, PIE_OK, "%s", o->err.msg);
	cr_assert_str_eq(o->req.parameters, "{\"a\":[1,2]}");
	cr_assert_str_eq(o->req.metadata, "{}");
	outcome_free(o);
}

Test(assign_validate, parameters_and_metadata_must_be_objects)
{
	assert_refused("{\"capability\":\"c\"," MINIMAL ",\"parameters\":[]}",
	    NULL, 0, "invalid_type", "parameters");
	assert_refused("{\"capability\":\"c\"," MINIMAL ",\"metadata\":\"x\"}",
	    NULL, 0, "invalid_type", "metadata");
	assert_refused("{\"capability\":\"c\"," MINIMAL
	    ",\"metadata\":null}", NULL, 0, "invalid_type", "metadata");
}

/* A body whose member name holds an object of about size bytes. */
static char *
body_with_object(const char *name, size_t size)
{
	char	*pad = malloc(size + 1), *body;

	cr_assert_not_null(pad);
	memset(pad, 'x', size);
	pad[size] = '\0';
	cr_assert(asprintf(&body, "{\"capability\":\"c\"," MINIMAL
	    ",\"%s\":{\"k\":\"%s\"}}", name, pad) > 0);
	free(pad);
	return body;
}

Test(assign_validate, objects_of_16_kib_pass_and_larger_ones_do_not)
{
	/* {"k":"..."} is 8 bytes around the padding. */
	char		*fits = body_with_object("parameters", 16384 - 8);
	char		*over = body_with_object("metadata", 16384 - 7);
	struct outcome	*o = validate(fits, NULL, 0);

	cr_assert_eq(o->res, PIE_OK, "%s", o->err.msg);
	outcome_free(o);
	assert_refused(over, NULL, 0, "too_large", "metadata");
	free(fits);
	free(over);
}

Test(assign_validate, unknown_top_level_field_is_named)
{
	assert_refused("{\"capability\":\"c\"," MINIMAL ",\"colour\":1}",
	    NULL, 0, "unknown_field", "colour");
}

Test(assign_validate, service_updates_become_canonical_patches)
{
	struct outcome          *o = validate("{\"capability\":\"c\"," MINIMAL
	    ",\"service_updates\":[{\"service_id\":\"s1\",\"static_features\":"
	    "{\"cap\":1.0,\"gone\":null}},{\"service_id\":\"s2\","
	    "\"static_features\":{}}]}", NULL, 0);
	struct json_object	*arr, *item, *v;

	cr_assert_eq(o->res, PIE_OK, "%s", o->err.msg);
	arr = json_tokener_parse(o->req.service_updates);
	cr_assert_not_null(arr, "%s", o->req.service_updates);
	cr_assert_eq(json_object_array_length(arr), 2);
	item = json_object_array_get_idx(arr, 0);
	cr_assert(json_object_object_get_ex(item, "service_id", &v));
	cr_assert_str_eq(json_object_get_string(v), "s1");
	cr_assert(json_object_object_get_ex(item, "patch", &v));
	cr_assert_str_eq(json_object_to_json_string_ext(v,
	    JSON_C_TO_STRING_PLAIN), "{\"cap\":1,\"gone\":null}");
	cr_assert(json_object_object_get_ex(item, "features", &v));
	cr_assert_eq(json_object_array_length(v), 2);
	json_object_put(arr);
	outcome_free(o);
}

Test(assign_validate, service_updates_are_refused_at_service_scope)
{
	assert_refused("{\"capability\":\"c\"," MINIMAL
	    ",\"service_updates\":[]}", NULL, 1, "unknown_field",
	    "service_updates");
}

Test(assign_validate, service_updates_must_be_an_array_of_objects)
{
	assert_refused("{\"capability\":\"c\"," MINIMAL
	    ",\"service_updates\":{}}", NULL, 0, "invalid_type",
	    "service_updates");
	assert_refused("{\"capability\":\"c\"," MINIMAL
	    ",\"service_updates\":[{\"service_id\":\"a\","
	    "\"static_features\":{}},3]}", NULL, 0, "invalid_type",
	    "service_updates[1]");
}

Test(assign_validate, service_update_members_are_named_by_path)
{
	assert_refused("{\"capability\":\"c\"," MINIMAL
	    ",\"service_updates\":[{\"static_features\":{}}]}", NULL, 0,
	    "missing_field", "service_updates[0].service_id");
	assert_refused("{\"capability\":\"c\"," MINIMAL
	    ",\"service_updates\":[{\"service_id\":\"a\"}]}", NULL, 0,
	    "missing_field", "service_updates[0].static_features");
	assert_refused("{\"capability\":\"c\"," MINIMAL
	    ",\"service_updates\":[{\"service_id\":\"a\",\"static_features\":"
	    "{},\"route\":1}]}", NULL, 0, "unknown_field",
	    "service_updates[0].route");
	assert_refused("{\"capability\":\"c\"," MINIMAL
	    ",\"service_updates\":[{\"service_id\":\"a b\","
	    "\"static_features\":{}}]}", NULL, 0, "invalid_value",
	    "service_updates[0].service_id");
}

Test(assign_validate, duplicate_service_id_names_the_second_one)
{
	assert_refused("{\"capability\":\"c\"," MINIMAL
	    ",\"service_updates\":[{\"service_id\":\"a\",\"static_features\":"
	    "{}},{\"service_id\":\"b\",\"static_features\":{}},"
	    "{\"service_id\":\"a\",\"static_features\":{}}]}", NULL, 0,
	    "invalid_value", "service_updates[2].service_id");
}

Test(assign_validate, static_features_values_must_be_scalars_or_null)
{
	assert_refused("{\"capability\":\"c\"," MINIMAL
	    ",\"service_updates\":[{\"service_id\":\"a\",\"static_features\":"
	    "{}},{\"service_id\":\"b\",\"static_features\":{}},"
	    "{\"service_id\":\"c\",\"static_features\":{\"route\":[1]}}]}",
	    NULL, 0, "invalid_type",
	    "service_updates[2].static_features.route");
	assert_refused("{\"capability\":\"c\"," MINIMAL
	    ",\"service_updates\":[{\"service_id\":\"a\",\"static_features\":"
	    "{\"-bad\":1}}]}", NULL, 0, "invalid_value",
	    "service_updates[0].static_features");
	assert_refused("{\"capability\":\"c\"," MINIMAL
	    ",\"service_updates\":[{\"service_id\":\"a\",\"static_features\":"
	    "[]}]}", NULL, 0, "invalid_type",
	    "service_updates[0].static_features");
}

/* A body with n service updates, each with a distinct service. */
static char *
body_with_updates(size_t n)
{
	char	*body;
	size_t	 i, len;
	FILE	*f = open_memstream(&body, &len);

	cr_assert_not_null(f);
	fputs("{\"capability\":\"c\"," MINIMAL ",\"service_updates\":[", f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s{\"service_id\":\"s%zu\",\"static_features\":"
		    "{\"x\":%zu}}", i > 0 ? "," : "", i, i);
	fputs("]}", f);
	cr_assert_eq(fclose(f), 0);
	return body;
}

Test(assign_validate, at_most_1000_service_updates)
{
	char		*fits = body_with_updates(1000);
	char		*over = body_with_updates(1001);
	struct outcome	*o = validate(fits, NULL, 0);

	cr_assert_eq(o->res, PIE_OK, "%s", o->err.msg);
	outcome_free(o);
	assert_refused(over, NULL, 0, "too_large", "service_updates");
	free(fits);
	free(over);
}

Test(assign_reads_time, utc_with_milliseconds)
{
	char	 out[ASSIGN_READS_TIME_LEN];

	cr_assert_eq(assign_reads_time("2026-12-03T18:26:23.123Z", out,
	    sizeof(out)), 0);
	cr_assert_str_eq(out, "2026-12-03 18:26:23.123");
}

Test(assign_reads_time, offsets_are_turned_into_utc)
{
	char	 out[ASSIGN_READS_TIME_LEN];

	cr_assert_eq(assign_reads_time("2026-01-01T01:30:00+02:30", out,
	    sizeof(out)), 0);
	cr_assert_str_eq(out, "2025-12-31 23:00:00.000");
	cr_assert_eq(assign_reads_time("2026-02-28t23:00:00.5-01:00", out,
	    sizeof(out)), 0);
	cr_assert_str_eq(out, "2026-03-01 00:00:00.500");
}

Test(assign_reads_time, fractions_past_milliseconds_are_cut)
{
	char	 out[ASSIGN_READS_TIME_LEN];

	cr_assert_eq(assign_reads_time("2026-12-03T18:26:23.987654Z", out,
	    sizeof(out)), 0);
	cr_assert_str_eq(out, "2026-12-03 18:26:23.987");
}

Test(assign_reads_time, malformed_times_are_refused)
{
	static const char *const bad[] = {
		"", "2026-12-03", "2026-12-03T18:26:23", "2026-12-03 18:26:23Z",
		"2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
		"2026-12-03T24:00:00Z", "2026-12-03T18:26:23.Z",
		"2026-12-03T18:26:23+0200", "2026-12-03T18:26:23Zjunk",
		"0000-01-01T00:00:00+01:00", "now",
	};
	char	 out[ASSIGN_READS_TIME_LEN];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(assign_reads_time(bad[i], out, sizeof(out)), -1,
		    "accepted %s", bad[i]);
}

Test(assign_reads_time, a_plus_sent_unescaped_in_a_query_still_counts)
{
	char	 out[ASSIGN_READS_TIME_LEN];

	/* "?as_of=...T10:00:00+02:00" arrives with a space for the plus. */
	cr_assert_eq(assign_reads_time("2026-12-03T10:00:00 02:00", out,
	    sizeof(out)), 0);
	cr_assert_str_eq(out, "2026-12-03 08:00:00.000");
}

Test(assign_reads_time, a_leap_second_is_the_next_minute)
{
	char	 out[ASSIGN_READS_TIME_LEN];

	cr_assert_eq(assign_reads_time("2016-12-31T23:59:60Z", out,
	    sizeof(out)), 0);
	cr_assert_str_eq(out, "2017-01-01 00:00:00.000");
	cr_assert_eq(assign_reads_time("2016-12-31T23:59:61Z", out,
	    sizeof(out)), -1);
}

#define REV	"01a23d73-1bc0-70d4-8a0b-769a590785bd"

/* assign_if_match's answer for h, checked against want. */
static void
if_match_is(const char *h, const char *want)
{
	char	*got;
	int	 malformed = -1;

	got = assign_if_match(h, &malformed);
	cr_assert_not_null(got, "refused %s", h);
	cr_assert_eq(malformed, 0);
	cr_assert_str_eq(got, want, "%s gave %s", h, got);
	free(got);
}

Test(assign_if_match, the_quoted_etag_of_a_read_is_its_id)
{
	if_match_is("\"" REV "\"", REV);
	if_match_is("  \"" REV "\"\t", REV);
}

Test(assign_if_match, a_bare_id_is_taken_as_its_tag)
{
	if_match_is(REV, REV);
}

Test(assign_if_match, weak_tags_are_left_out_so_they_never_match)
{
	if_match_is("W/\"" REV "\"", "-");
	if_match_is("W/\"" REV "\", \"old\"", "old");
}

Test(assign_if_match, a_list_gives_every_strong_tag)
{
	if_match_is("\"old\", \"" REV "\"", "old," REV);
	if_match_is("\"old\",, \"older\"", "old,older");
}

Test(assign_if_match, a_tag_holding_a_comma_is_left_out)
{
	/* No revision id holds one, and the list is comma-separated. */
	if_match_is("\"a,b\",\"" REV "\"", REV);
	if_match_is("\"a,b\"", "-");
}

Test(assign_if_match, star_stays_a_star)
{
	if_match_is("*", "*");
	if_match_is(" * ", "*");
}

Test(assign_if_match, malformed_headers_are_refused)
{
	static const char *const bad[] = {
		"\"unterminated", "\"a\" \"b\"", "*, \"a\"", "\"a\"x",
		"a b", ",", "\"\xc3\xa9\" junk", "\"a\"\"b\"",
	};
	size_t	 i;
	int	 malformed;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		malformed = 0;
		cr_assert_null(assign_if_match(bad[i], &malformed),
		    "accepted %s", bad[i]);
		cr_assert_eq(malformed, 1);
	}
}
