/*
 * test_body.c: the declarative body checker refuses unknown, missing,
 * mistyped and oversized members with the right code and the member's
 * path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "body.h"
#include "ijson.h"

static const struct body_field assignment[] = {
	{ "capability", BODY_T_STRING, 1, 0, IDENT_CAPABILITY },
	{ "model_id", BODY_T_STRING, 1, 0, IDENT_MODEL },
	{ "status", BODY_T_STRING, 0, 0, IDENT_NONE },
	{ "parameters", BODY_T_OBJECT, 0, 16384, IDENT_NONE },
	{ "service_updates", BODY_T_ARRAY, 0, 3, IDENT_NONE },
	{ "note", BODY_T_STRING | BODY_T_NULL, 0, 5, IDENT_NONE },
	{ "count", BODY_T_INTEGER, 0, 0, IDENT_NONE },
	{ NULL, 0, 0, 0, IDENT_NONE }
};

static const struct body_field update[] = {
	{ "service_id", BODY_T_STRING, 1, 0, IDENT_SERVICE },
	{ "static_features", BODY_T_OBJECT, 0, 0, IDENT_NONE },
	{ NULL, 0, 0, 0, IDENT_NONE }
};

static struct json_object *
parse(const char *s)
{
	struct json_object	*o = NULL;
	char			 err[256];

	cr_assert_eq(ijson_parse(s, strlen(s), &o, err, sizeof(err)),
	    PIE_OK, "%s", err);
	return o;
}

/* Checks s against fields at prefix; expects code and message. */
static void
expect(const char *s, const struct body_field *fields, const char *prefix,
    const char *code, const char *msg)
{
	struct json_object	*o = parse(s);
	struct verr		 err = { NULL, "" };
	enum pie_res		 res;

	res = body_check(o, fields, prefix, &err);
	if (code == NULL) {
		cr_assert_eq(res, PIE_OK, "refused %s: %s", s, err.msg);
		cr_assert_null(err.code);
	} else {
		cr_assert_eq(res, PIE_ERR_INVALID, "accepted %s", s);
		cr_assert_str_eq(err.code, code);
		cr_assert_str_eq(err.msg, msg);
	}
	json_object_put(o);
}

Test(body, accepts_a_body_that_fits_the_table)
{

	expect("{\"capability\": \"fare\", \"model_id\": \"m\", "
	    "\"parameters\": {\"a\": [1]}, \"note\": null, \"count\": 3}",
	    assignment, NULL, NULL, NULL);
}

Test(body, refuses_a_body_that_is_not_an_object)
{

	expect("[1]", assignment, NULL, BODY_E_TYPE,
	    "the request body must be a JSON object");
	expect("[1]", update, "service_updates[0]", BODY_E_TYPE,
	    "service_updates[0] must be an object");
}

Test(body, refuses_unknown_members_by_path)
{

	expect("{\"capability\": \"c\", \"model_id\": \"m\", \"extra\": 1}",
	    assignment, NULL, BODY_E_UNKNOWN, "unknown field extra");
	expect("{\"service_id\": \"s\", \"static_feature\": {}}", update,
	    "service_updates[2]", BODY_E_UNKNOWN,
	    "unknown field service_updates[2].static_feature");
}

Test(body, reports_an_unknown_member_before_a_missing_one)
{

	expect("{\"capabilty\": \"c\", \"model_id\": \"m\"}", assignment,
	    NULL, BODY_E_UNKNOWN, "unknown field capabilty");
}

Test(body, refuses_missing_required_members)
{

	expect("{\"model_id\": \"m\"}", assignment, NULL, BODY_E_MISSING,
	    "capability is required");
	expect("{}", update, "service_updates[2]", BODY_E_MISSING,
	    "service_updates[2].service_id is required");
}

Test(body, refuses_wrong_types_naming_the_expected_one)
{

	expect("{\"capability\": \"c\", \"model_id\": \"m\", "
	    "\"parameters\": []}", assignment, NULL, BODY_E_TYPE,
	    "parameters must be an object");
	expect("{\"capability\": 7, \"model_id\": \"m\"}", assignment, NULL,
	    BODY_E_TYPE, "capability must be a string");
	expect("{\"capability\": \"c\", \"model_id\": \"m\", \"note\": 1}",
	    assignment, NULL, BODY_E_TYPE, "note must be a string or null");
}

Test(body, refuses_null_unless_the_table_allows_it)
{

	expect("{\"capability\": null, \"model_id\": \"m\"}", assignment,
	    NULL, BODY_E_TYPE, "capability must be a string");
}

Test(body, takes_whole_floats_as_integers)
{

	expect("{\"capability\": \"c\", \"model_id\": \"m\", \"count\": 3.0}",
	    assignment, NULL, NULL, NULL);
	expect("{\"capability\": \"c\", \"model_id\": \"m\", \"count\": 1e3}",
	    assignment, NULL, NULL, NULL);
	expect("{\"capability\": \"c\", \"model_id\": \"m\", \"count\": 2.5}",
	    assignment, NULL, BODY_E_TYPE, "count must be an integer");
}

Test(body, refuses_identifiers_that_break_their_rule)
{

	expect("{\"service_id\": \"no spaces\"}", update,
	    "service_updates[2]", BODY_E_VALUE,
	    "service_updates[2].service_id is not a valid service_id");
	expect("{\"capability\": \"c/d\", \"model_id\": \"m\"}", assignment,
	    NULL, BODY_E_VALUE, "capability is not a valid capability");
}

Test(body, counts_string_limits_in_characters)
{

	expect("{\"capability\": \"c\", \"model_id\": \"m\", "
	    "\"note\": \"\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\xc3\xbc\"}",
	    assignment, NULL, NULL, NULL);
	expect("{\"capability\": \"c\", \"model_id\": \"m\", "
	    "\"note\": \"abcdef\"}", assignment, NULL, BODY_E_TOO_LARGE,
	    "note must be at most 5 characters");
}

Test(body, limits_array_items)
{

	expect("{\"capability\": \"c\", \"model_id\": \"m\", "
	    "\"service_updates\": [1, 2, 3, 4]}", assignment, NULL,
	    BODY_E_TOO_LARGE, "service_updates must have at most 3 items");
}

Test(body, limits_objects_by_their_serialised_size)
{
	char	*buf;
	size_t	 n = 16384 - 8, len;

	/* {"a":"xxx..."} is n + 8 bytes: exactly at the limit. */
	buf = malloc(n + 200);
	cr_assert_not_null(buf);
	len = (size_t)sprintf(buf, "{\"capability\": \"c\", \"model_id\": "
	    "\"m\", \"parameters\": {\"a\": \"");
	memset(buf + len, 'x', n);
	strcpy(buf + len + n, "\"}}");
	expect(buf, assignment, NULL, NULL, NULL);

	strcpy(buf + len + n, "x\"}}");
	expect(buf, assignment, NULL, BODY_E_TOO_LARGE,
	    "parameters must be at most 16384 bytes of JSON");
	free(buf);
}

/* A body whose parameters nest depth levels: objects, one array. */
static char *
nested(size_t depth)
{
	char	*buf = malloc(64 + depth * 8), *p;
	size_t	 i;

	cr_assert_not_null(buf);
	p = buf + sprintf(buf, "{\"capability\": \"c\", \"model_id\": "
	    "\"m\", \"parameters\": ");
	for (i = 1; i < depth; i++)
		p += sprintf(p, "{\"k\": ");
	p += sprintf(p, "[1]");
	for (i = 1; i < depth; i++)
		*p++ = '}';
	strcpy(p, "}");
	return buf;
}

Test(body, limits_how_deep_a_free_form_object_nests)
{
	char	*ok = nested(BODY_OBJECT_DEPTH_MAX);
	char	*deep = nested(BODY_OBJECT_DEPTH_MAX + 1);

	expect(ok, assignment, NULL, NULL, NULL);
	expect(deep, assignment, NULL, BODY_E_TOO_LARGE, "parameters must "
	    "nest at most 16 levels of objects and arrays");
	free(ok);
	free(deep);
}

Test(body, finds_duplicates_in_an_array_of_objects)
{
	struct json_object	*o = parse("[{\"service_id\": \"a\"}, "
	    "{\"service_id\": \"b\"}, {\"x\": 1}, {\"service_id\": \"a\"}]");
	struct verr		 err = { NULL, "" };

	cr_assert_eq(body_check_unique(o, "service_id", "service_updates",
	    &err), PIE_ERR_INVALID);
	cr_assert_str_eq(err.code, BODY_E_VALUE);
	cr_assert_str_eq(err.msg, "service_updates[3].service_id \"a\" "
	    "appears more than once");
	json_object_put(o);

	o = parse("[{\"service_id\": \"a\"}, {\"service_id\": \"A\"}]");
	cr_assert_eq(body_check_unique(o, "service_id", "service_updates",
	    &err), PIE_OK);
	json_object_put(o);
}

Test(body, writes_paths_with_and_without_prefix)
{
	char	 buf[BODY_PATH_MAX], small[12];

	body_path(buf, sizeof(buf), NULL, "a");
	cr_assert_str_eq(buf, "a");
	body_path(buf, sizeof(buf), "", "a");
	cr_assert_str_eq(buf, "a");
	body_path(buf, sizeof(buf), "x[1]", "a");
	cr_assert_str_eq(buf, "x[1].a");
	body_path_index(buf, sizeof(buf), "features", 12);
	cr_assert_str_eq(buf, "features[12]");
	body_path(small, sizeof(small), "abcdefgh", "ijklmn");
	cr_assert_str_eq(small, "abcdefgh...");

	/* The cut never splits a UTF-8 sequence. */
	body_path(small, sizeof(small), "abcdefg\xc3\xbc", "xy");
	cr_assert_str_eq(small, "abcdefg...");
}

Test(body, phrases_type_sets_for_messages)
{
	char	 buf[80];

	body_types_phrase(buf, sizeof(buf), BODY_T_OBJECT);
	cr_assert_str_eq(buf, "an object");
	body_types_phrase(buf, sizeof(buf), BODY_T_STRING | BODY_T_NULL);
	cr_assert_str_eq(buf, "a string or null");
	body_types_phrase(buf, sizeof(buf), BODY_T_SCALAR);
	cr_assert_str_eq(buf, "a string, a number or a boolean");
	body_types_phrase(buf, sizeof(buf), BODY_T_INTEGER | BODY_T_NUMBER);
	cr_assert_str_eq(buf, "a number");
}

Test(body, keeps_the_first_failure_message)
{
	struct verr	 err = { NULL, "" };

	cr_assert_eq(body_fail(&err, BODY_E_VALUE, "x %d", 1),
	    PIE_ERR_INVALID);
	cr_assert_str_eq(err.msg, "x 1");
	cr_assert_eq(body_fail(NULL, BODY_E_VALUE, "ignored"),
	    PIE_ERR_INVALID);
}
