/*
 * test_freeze.c: a freeze is accepted only when every member agrees with
 * its type, and comes out in one canonical and one normalised form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "feature.h"
#include "freeze.h"
#include "ijson.h"

#define API_EXAMPLE \
	"{\"features\": [" \
	"{\"name\": \"route\", \"type\": \"string\", \"mandatory\": true}," \
	"{\"name\": \"cabin_category\", \"type\": \"string\", " \
	"\"mandatory\": true, \"default\": \"economy\", " \
	"\"allowed_values\": [\"economy\", \"business\"]}," \
	"{\"name\": \"capacity\", \"type\": \"integer\", \"minimum\": 1, " \
	"\"maximum\": 5000}]}"

static struct json_object *
parse(const char *s)
{
	struct json_object	*o = NULL;
	char			 err[256];

	cr_assert_eq(ijson_parse(s, strlen(s), &o, err, sizeof(err)),
	    PIE_OK, "%s", err);
	return o;
}

/* Validates s; the caller frees *canon and *norm. */
static void
accept(const char *s, char **canon, char **norm)
{
	struct json_object	*o = parse(s);
	struct verr		 err = { NULL, "" };

	cr_assert_eq(freeze_validate(o, canon, norm, &err), PIE_OK,
	    "refused %s: %s", s, err.msg);
	json_object_put(o);
}

/* Expects s to be refused with code and exactly msg. */
static void
refuse(const char *s, const char *code, const char *msg)
{
	struct json_object	*o = parse(s);
	struct verr		 err = { NULL, "" };
	char			*canon = (char *)1, *norm = (char *)1;

	cr_assert_eq(freeze_validate(o, &canon, &norm, &err),
	    PIE_ERR_INVALID, "accepted %s", s);
	cr_assert_null(canon);
	cr_assert_null(norm);
	cr_assert_str_eq(err.code, code);
	cr_assert_str_eq(err.msg, msg);
	json_object_put(o);
}

/* Refuses a freeze of the one feature f. */
static void
refuse1(const char *f, const char *code, const char *msg)
{
	char	 buf[2048];

	snprintf(buf, sizeof(buf), "{\"features\": [%s]}", f);
	refuse(buf, code, msg);
}

/* Accepts a freeze of the one feature f; returns its canonical form. */
static char *
accept1(const char *f)
{
	char	 buf[2048], *canon, *norm;

	snprintf(buf, sizeof(buf), "{\"features\": [%s]}", f);
	accept(buf, &canon, &norm);
	free(norm);
	return canon;
}

static void
key_of(const char *json, char key[FEATURE_KEY_LEN + 1])
{
	struct json_object	*o = parse(json);

	cr_assert_eq(feature_value_key(o, key), PIE_OK);
	json_object_put(o);
}

Test(freeze, accepts_the_api_example_in_canonical_form)
{
	char	*canon, *norm;

	accept(API_EXAMPLE, &canon, &norm);
	cr_assert_str_eq(canon, "{\"features\":["
	    "{\"name\":\"route\",\"type\":\"string\",\"mandatory\":true},"
	    "{\"name\":\"cabin_category\",\"type\":\"string\","
	    "\"mandatory\":true,\"default\":\"economy\","
	    "\"allowed_values\":[\"economy\",\"business\"]},"
	    "{\"name\":\"capacity\",\"type\":\"integer\","
	    "\"mandatory\":false,\"minimum\":1,\"maximum\":5000}]}");
	free(canon);
	free(norm);
}

Test(freeze, normalises_the_api_example_as_internals_describes)
{
	char	*canon, *norm, want[1024], economy[65], business[65];

	accept(API_EXAMPLE, &canon, &norm);
	key_of("\"economy\"", economy);
	key_of("\"business\"", business);
	snprintf(want, sizeof(want), "["
	    "{\"o\":0,\"n\":\"route\",\"ty\":\"string\",\"m\":1,\"hd\":0,"
	    "\"min\":null,\"max\":null,\"av\":null},"
	    "{\"o\":1,\"n\":\"cabin_category\",\"ty\":\"string\",\"m\":1,"
	    "\"hd\":1,\"min\":null,\"max\":null,\"av\":[\"%s\",\"%s\"]},"
	    "{\"o\":2,\"n\":\"capacity\",\"ty\":\"integer\",\"m\":0,"
	    "\"hd\":0,\"min\":1,\"max\":5000,\"av\":null}]",
	    economy, business);
	cr_assert_str_eq(norm, want);
	cr_assert_str_eq(economy, "df9f7fca42297fa714c1678fcb972211"
	    "d93c9caa3c36e12b6bf1e2bdc6f8a799");
	free(canon);
	free(norm);
}

Test(freeze, gives_one_canonical_form_to_equivalent_freezes)
{
	char	*a, *b, *na, *nb;

	accept("{\"features\":[{\"name\":\"x\",\"type\":\"number\","
	    "\"minimum\":1.0,\"maximum\":1e3,\"default\":2}]}", &a, &na);
	accept("{ \"features\" : [ { \"maximum\" : 1000, \"type\" : "
	    "\"number\", \"default\": 2.0, \"mandatory\": false, "
	    "\"name\": \"x\", \"minimum\": 1 } ] }", &b, &nb);
	cr_assert_str_eq(a, b);
	cr_assert_str_eq(na, nb);
	cr_assert_str_eq(a, "{\"features\":[{\"name\":\"x\",\"type\":"
	    "\"number\",\"mandatory\":false,\"default\":2,\"minimum\":1,"
	    "\"maximum\":1000}]}");
	free(a);
	free(b);
	free(na);
	free(nb);
}

Test(freeze, keeps_fractional_bounds_in_shortest_form)
{
	char	*c = accept1("{\"name\": \"x\", \"type\": \"number\", "
	    "\"minimum\": -0.5, \"maximum\": 0.1}");

	cr_assert(strstr(c, "\"minimum\":-0.5,\"maximum\":0.1}") != NULL,
	    "%s", c);
	free(c);
}

Test(freeze, keeps_unicode_values_as_utf8)
{
	char	*c = accept1("{\"name\": \"city\", \"type\": \"string\", "
	    "\"allowed_values\": [\"Z\\u00fcrich\", \"\xf0\x9f\x9a\x86\"]}");

	cr_assert(strstr(c, "[\"Z\xc3\xbcrich\",\"\xf0\x9f\x9a\x86\"]") !=
	    NULL, "%s", c);
	free(c);
}

Test(freeze, accepts_an_empty_feature_list)
{
	char	*canon, *norm;

	accept("{\"features\": []}", &canon, &norm);
	cr_assert_str_eq(canon, "{\"features\":[]}");
	cr_assert_str_eq(norm, "[]");
	free(canon);
	free(norm);
}

Test(freeze, rejects_a_freeze_that_is_not_an_object)
{

	refuse("[]", "invalid_type", "freeze must be an object");
}

Test(freeze, rejects_a_freeze_without_features)
{

	refuse("{}", "missing_field", "freeze.features is required");
	refuse("{\"features\": {}}", "invalid_type",
	    "freeze.features must be an array");
}

Test(freeze, rejects_unknown_members_at_the_top)
{

	refuse("{\"features\": [], \"version\": 1}", "unknown_field",
	    "unknown field freeze.version");
}

Test(freeze, rejects_more_than_256_features)
{
	char	*buf;
	size_t	 len, i;

	buf = malloc(257 * 48 + 32);
	cr_assert_not_null(buf);
	len = (size_t)sprintf(buf, "{\"features\": [");
	for (i = 0; i < 257; i++)
		len += (size_t)sprintf(buf + len, "%s{\"name\": \"f%zu\", "
		    "\"type\": \"string\"}", i == 0 ? "" : ",", i);
	strcpy(buf + len, "]}");
	refuse(buf, "too_large", "freeze.features must have at most 256 "
	    "items");
	free(buf);
}

Test(freeze, accepts_256_features)
{
	char	*buf, *canon, *norm;
	size_t	 len, i;

	buf = malloc(256 * 48 + 32);
	cr_assert_not_null(buf);
	len = (size_t)sprintf(buf, "{\"features\": [");
	for (i = 0; i < 256; i++)
		len += (size_t)sprintf(buf + len, "%s{\"name\": \"f%zu\", "
		    "\"type\": \"string\"}", i == 0 ? "" : ",", i);
	strcpy(buf + len, "]}");
	accept(buf, &canon, &norm);
	free(buf);
	free(canon);
	free(norm);
}

Test(freeze, rejects_a_feature_that_is_not_an_object)
{

	refuse1("\"route\"", "invalid_type",
	    "freeze.features[0] must be an object");
}

Test(freeze, rejects_unknown_members_of_a_feature)
{

	refuse1("{\"name\": \"x\", \"type\": \"string\", \"mandatroy\": true}",
	    "unknown_field", "unknown field freeze.features[0].mandatroy");
}

Test(freeze, rejects_a_feature_without_name_or_type)
{

	refuse1("{\"type\": \"string\"}", "missing_field",
	    "freeze.features[0].name is required");
	refuse1("{\"name\": \"x\"}", "missing_field",
	    "freeze.features[0].type is required");
}

Test(freeze, rejects_invalid_feature_names)
{

	refuse1("{\"name\": \"cabin class\", \"type\": \"string\"}",
	    "invalid_value",
	    "freeze.features[0].name is not a valid feature name");
	refuse1("{\"name\": \"\", \"type\": \"string\"}", "invalid_value",
	    "freeze.features[0].name is not a valid feature name");
	refuse1("{\"name\": 7, \"type\": \"string\"}", "invalid_type",
	    "freeze.features[0].name must be a string");
}

Test(freeze, rejects_duplicate_feature_names)
{

	refuse("{\"features\": [{\"name\": \"a\", \"type\": \"string\"}, "
	    "{\"name\": \"b\", \"type\": \"string\"}, "
	    "{\"name\": \"a\", \"type\": \"integer\"}]}", "invalid_value",
	    "freeze.features[2].name \"a\" is already the name of "
	    "freeze.features[0]");
}

Test(freeze, rejects_an_unknown_type)
{

	refuse1("{\"name\": \"x\", \"type\": \"float\"}", "invalid_value",
	    "freeze.features[0].type must be one of string, integer, number "
	    "or boolean");
	refuse1("{\"name\": \"x\", \"type\": \"String\"}", "invalid_value",
	    "freeze.features[0].type must be one of string, integer, number "
	    "or boolean");
}

Test(freeze, rejects_a_mandatory_that_is_not_boolean)
{

	refuse1("{\"name\": \"x\", \"type\": \"string\", \"mandatory\": 1}",
	    "invalid_type", "freeze.features[0].mandatory must be a boolean");
}

Test(freeze, rejects_a_default_of_the_wrong_type)
{

	refuse1("{\"name\": \"x\", \"type\": \"string\", \"default\": 1}",
	    "invalid_type", "freeze.features[0].default must be a string");
	refuse1("{\"name\": \"x\", \"type\": \"integer\", \"default\": 2.5}",
	    "invalid_type", "freeze.features[0].default must be an integer");
	refuse1("{\"name\": \"x\", \"type\": \"integer\", \"default\": \"2\"}",
	    "invalid_type", "freeze.features[0].default must be an integer");
	refuse1("{\"name\": \"x\", \"type\": \"number\", \"default\": true}",
	    "invalid_type", "freeze.features[0].default must be a number");
	refuse1("{\"name\": \"x\", \"type\": \"boolean\", \"default\": 0}",
	    "invalid_type", "freeze.features[0].default must be a boolean");
}

Test(freeze, rejects_a_null_or_structured_default)
{

	refuse1("{\"name\": \"x\", \"type\": \"string\", \"default\": null}",
	    "invalid_type", "freeze.features[0].default must be a string, "
	    "a number or a boolean");
	refuse1("{\"name\": \"x\", \"type\": \"string\", \"default\": []}",
	    "invalid_type", "freeze.features[0].default must be a string, "
	    "a number or a boolean");
}

Test(freeze, accepts_whole_floats_as_integer_values)
{
	char	*c = accept1("{\"name\": \"x\", \"type\": \"integer\", "
	    "\"default\": 3.0, \"allowed_values\": [1e3, 3], "
	    "\"minimum\": 0.0, \"maximum\": 1E4}");

	cr_assert(strstr(c, "\"default\":3,\"allowed_values\":[1000,3],"
	    "\"minimum\":0,\"maximum\":10000") != NULL, "%s", c);
	free(c);
}

Test(freeze, accepts_every_type_with_a_default)
{
	free(accept1("{\"name\": \"s\", \"type\": \"string\", "
	    "\"default\": \"\"}"));
	free(accept1("{\"name\": \"i\", \"type\": \"integer\", "
	    "\"default\": -7}"));
	free(accept1("{\"name\": \"n\", \"type\": \"number\", "
	    "\"default\": 2.5}"));
	free(accept1("{\"name\": \"b\", \"type\": \"boolean\", "
	    "\"default\": false, \"allowed_values\": [false]}"));
}

Test(freeze, rejects_default_outside_allowed_values)
{

	refuse1("{\"name\": \"c\", \"type\": \"string\", "
	    "\"default\": \"first\", "
	    "\"allowed_values\": [\"economy\", \"business\"]}",
	    "invalid_value",
	    "freeze.features[0].default is not one of allowed_values");
}

Test(freeze, matches_a_default_to_allowed_values_by_value_key)
{
	free(accept1("{\"name\": \"n\", \"type\": \"number\", "
	    "\"default\": 1.0, \"allowed_values\": [1, 2]}"));
	free(accept1("{\"name\": \"c\", \"type\": \"string\", "
	    "\"default\": \"Z\\u00fcrich\", "
	    "\"allowed_values\": [\"Z\xc3\xbcrich\"]}"));
}

Test(freeze, rejects_default_outside_the_range)
{

	refuse1("{\"name\": \"c\", \"type\": \"integer\", \"default\": 0, "
	    "\"minimum\": 1}", "invalid_value",
	    "freeze.features[0].default is below the minimum");
	refuse1("{\"name\": \"c\", \"type\": \"number\", \"default\": 5.5, "
	    "\"maximum\": 5}", "invalid_value",
	    "freeze.features[0].default is above the maximum");
}

Test(freeze, rejects_empty_allowed_values)
{

	refuse1("{\"name\": \"c\", \"type\": \"string\", "
	    "\"allowed_values\": []}", "invalid_value",
	    "freeze.features[0].allowed_values must not be empty");
	refuse1("{\"name\": \"c\", \"type\": \"string\", "
	    "\"allowed_values\": \"a\"}", "invalid_type",
	    "freeze.features[0].allowed_values must be an array");
}

Test(freeze, rejects_allowed_values_of_the_wrong_type)
{

	refuse1("{\"name\": \"c\", \"type\": \"string\", "
	    "\"allowed_values\": [\"a\", 1]}", "invalid_type",
	    "freeze.features[0].allowed_values[1] must be a string");
	refuse1("{\"name\": \"c\", \"type\": \"integer\", "
	    "\"allowed_values\": [1, 1.5]}", "invalid_type",
	    "freeze.features[0].allowed_values[1] must be an integer");
	refuse1("{\"name\": \"c\", \"type\": \"boolean\", "
	    "\"allowed_values\": [null]}", "invalid_type",
	    "freeze.features[0].allowed_values[0] must be a boolean");
}

Test(freeze, rejects_duplicate_allowed_values_by_value_key)
{

	refuse1("{\"name\": \"c\", \"type\": \"string\", "
	    "\"allowed_values\": [\"a\", \"b\", \"a\"]}", "invalid_value",
	    "freeze.features[0].allowed_values[2] duplicates "
	    "allowed_values[0]");
	refuse1("{\"name\": \"c\", \"type\": \"number\", "
	    "\"allowed_values\": [1, 1.0]}", "invalid_value",
	    "freeze.features[0].allowed_values[1] duplicates "
	    "allowed_values[0]");
	refuse1("{\"name\": \"c\", \"type\": \"number\", "
	    "\"allowed_values\": [0, -0.0]}", "invalid_value",
	    "freeze.features[0].allowed_values[1] duplicates "
	    "allowed_values[0]");
	refuse1("{\"name\": \"c\", \"type\": \"string\", "
	    "\"allowed_values\": [\"Z\xc3\xbcrich\", \"Z\\u00fcrich\"]}",
	    "invalid_value", "freeze.features[0].allowed_values[1] "
	    "duplicates allowed_values[0]");
}

Test(freeze, rejects_allowed_values_outside_the_range)
{

	refuse1("{\"name\": \"c\", \"type\": \"integer\", \"minimum\": 1, "
	    "\"maximum\": 3, \"allowed_values\": [1, 4]}", "invalid_value",
	    "freeze.features[0].allowed_values[1] is above the maximum");
}

Test(freeze, rejects_a_range_on_string_and_boolean_features)
{

	refuse1("{\"name\": \"c\", \"type\": \"string\", \"minimum\": 1}",
	    "invalid_value", "freeze.features[0].minimum is only allowed "
	    "for integer and number features");
	refuse1("{\"name\": \"c\", \"type\": \"boolean\", \"maximum\": 1}",
	    "invalid_value", "freeze.features[0].maximum is only allowed "
	    "for integer and number features");
}

Test(freeze, rejects_fractional_bounds_on_integer_features)
{

	refuse1("{\"name\": \"c\", \"type\": \"integer\", \"minimum\": 0.5}",
	    "invalid_type", "freeze.features[0].minimum must be an integer");
	refuse1("{\"name\": \"c\", \"type\": \"integer\", \"maximum\": 9.9}",
	    "invalid_type", "freeze.features[0].maximum must be an integer");
}

Test(freeze, rejects_bounds_that_are_not_numbers)
{

	refuse1("{\"name\": \"c\", \"type\": \"number\", \"minimum\": \"1\"}",
	    "invalid_type", "freeze.features[0].minimum must be a number");
}

Test(freeze, rejects_minimum_above_maximum)
{

	refuse1("{\"name\": \"c\", \"type\": \"number\", \"minimum\": 2, "
	    "\"maximum\": 1.5}", "invalid_value",
	    "freeze.features[0].minimum must not be greater than maximum");
}

Test(freeze, accepts_minimum_equal_to_maximum)
{
	free(accept1("{\"name\": \"c\", \"type\": \"integer\", "
	    "\"minimum\": 7, \"maximum\": 7, \"default\": 7}"));
}

Test(freeze, names_the_failing_feature_by_index)
{

	refuse("{\"features\": ["
	    "{\"name\": \"a\", \"type\": \"string\"},"
	    "{\"name\": \"b\", \"type\": \"string\"},"
	    "{\"name\": \"c\", \"type\": \"string\"},"
	    "{\"name\": \"d\", \"type\": \"integer\", \"default\": \"x\"}]}",
	    "invalid_type", "freeze.features[3].default must be an integer");
}

Test(freeze, normalises_huge_and_fractional_bounds_as_numbers)
{
	char		 buf[256], *canon, *norm;

	snprintf(buf, sizeof(buf), "{\"features\": [{\"name\": \"x\", "
	    "\"type\": \"number\", \"minimum\": -1e300, \"maximum\": 2.5}]}");
	accept(buf, &canon, &norm);
	cr_assert(strstr(norm, "\"min\":-1e+300,\"max\":2.5,") != NULL,
	    "%s", norm);
	free(canon);
	free(norm);
}
