/*
 * test_feature.c: provided features, their normalised form and value
 * keys, and the compatibility check that the stored procedures must
 * reproduce case for case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "feature.h"
#include "freeze.h"
#include "ijson.h"

#define KEY_N1 \
	"c96504c8e4c90470266843fe8563dad9b1b9422c63d6c1bf37fc3cbb4985a317"
#define KEY_N0 \
	"d00479e197303c58f661eda1c0a51d03b4c38d261be12be577ecac2f54261255"
#define KEY_ECONOMY \
	"df9f7fca42297fa714c1678fcb972211d93c9caa3c36e12b6bf1e2bdc6f8a799"
#define KEY_TRUE \
	"9545dfe9be9f29ae9027bf5dcac81a07389039d6fb451df3d2a3eaaf2c15eb4e"
#define KEY_ZURICH \
	"52e247ab2a67c27ce65c107b2e85fbd82a9591e95494ff5a4857ed97ac2cc439"
#define KEY_2_5 \
	"15e10b58545ba64c7101e8f99168f20a36ee51df77accf75beb316c58809f3fc"
#define KEY_0_1 \
	"faf3b333eb9991d9fa7fcf6d642f0559575c41b2f4abc0e299ef85278157c705"

static struct json_object *
parse(const char *s)
{
	struct json_object	*o = NULL;
	char			 err[256];

	cr_assert_eq(ijson_parse(s, strlen(s), &o, err, sizeof(err)),
	    PIE_OK, "%s", err);
	return o;
}

/* The value key of the JSON text s. */
static const char *
key(const char *s)
{
	static char		 k[FEATURE_KEY_LEN + 1];
	struct json_object	*o = parse(s);

	cr_assert_eq(feature_value_key(o, k), PIE_OK);
	json_object_put(o);
	return k;
}

static void
validate(const char *s, char **canon, char **norm)
{
	struct json_object	*o = parse(s);
	struct verr		 err = { NULL, "" };

	cr_assert_eq(feature_validate(o, "provided_features", canon, norm,
	    &err), PIE_OK, "refused %s: %s", s, err.msg);
	json_object_put(o);
}

static void
refuse(const char *s, const char *code, const char *msg)
{
	struct json_object	*o = parse(s);
	struct verr		 err = { NULL, "" };
	char			*canon = NULL, *norm = NULL;

	cr_assert_eq(feature_validate(o, "provided_features", &canon, &norm,
	    &err), PIE_ERR_INVALID, "accepted %s", s);
	cr_assert_null(canon);
	cr_assert_null(norm);
	cr_assert_str_eq(err.code, code);
	cr_assert_str_eq(err.msg, msg);
	json_object_put(o);
}

/*
 * Runs the check of the provided features p against the freeze f (both
 * JSON text; p may be NULL) and returns the blocking entries as compact
 * JSON, freed by the caller.
 */
static char *
check(const char *f, const char *p)
{
	struct json_object	*fo = parse(f), *po = NULL, *out = NULL;
	char			*s;

	if (p != NULL)
		po = parse(p);
	cr_assert_eq(feature_check(fo, po, &out), PIE_OK);
	s = strdup(json_object_to_json_string_ext(out,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(fo);
	json_object_put(po);
	json_object_put(out);
	return s;
}

static void
expect_check(const char *f, const char *p, const char *want)
{
	char	*got = check(f, p);

	cr_assert_str_eq(got, want, "freeze %s, provided %s", f, p);
	free(got);
}

/* A freeze of one feature, from its members. */
static const char *
one(const char *members)
{
	static char	 buf[1024];

	snprintf(buf, sizeof(buf), "{\"features\": [{%s}]}", members);
	return buf;
}

/* Value keys. */

Test(feature, keys_values_as_internals_documents)
{

	cr_assert_str_eq(key("1"), KEY_N1);
	cr_assert_str_eq(key("\"economy\""), KEY_ECONOMY);
	cr_assert_str_eq(key("true"), KEY_TRUE);
	cr_assert_str_eq(key("2.5"), KEY_2_5);
	cr_assert_str_eq(key("0.1"), KEY_0_1);
}

Test(feature, gives_one_key_to_every_spelling_of_a_number)
{

	cr_assert_str_eq(key("1.0"), KEY_N1);
	cr_assert_str_eq(key("1e0"), KEY_N1);
	cr_assert_str_eq(key("10E-1"), KEY_N1);
	cr_assert_str_eq(key("0"), KEY_N0);
	cr_assert_str_eq(key("-0"), KEY_N0);
	cr_assert_str_eq(key("-0.0"), KEY_N0);
	cr_assert_str_eq(key("1e-400"), KEY_N0);
}

Test(feature, keys_an_escaped_string_like_its_literal_form)
{

	cr_assert_str_eq(key("\"Z\xc3\xbcrich\""), KEY_ZURICH);
	cr_assert_str_eq(key("\"Z\\u00fcrich\""), KEY_ZURICH);
	cr_assert_str_neq(key("\"Zu\xcc\x88rich\""), KEY_ZURICH);
}

Test(feature, keeps_types_apart_in_keys)
{
	char	 s1[FEATURE_KEY_LEN + 1];

	strcpy(s1, key("\"1\""));
	cr_assert_str_neq(s1, KEY_N1);
	strcpy(s1, key("\"true\""));
	cr_assert_str_neq(s1, KEY_TRUE);
}

Test(feature, keys_long_strings)
{
	char	*buf, k1[FEATURE_KEY_LEN + 1];

	buf = malloc(5003);
	cr_assert_not_null(buf);
	buf[0] = '"';
	memset(buf + 1, 'a', 5000);
	strcpy(buf + 5001, "\"");
	strcpy(k1, key(buf));
	buf[5000] = 'b';
	cr_assert_str_neq(key(buf), k1);
	free(buf);
}

Test(feature, refuses_to_key_structured_values)
{
	struct json_object	*o = parse("[1]");
	char			 k[FEATURE_KEY_LEN + 1];

	cr_assert_eq(feature_value_key(o, k), PIE_ERR_INVALID);
	cr_assert_eq(feature_value_key(NULL, k), PIE_ERR_INVALID);
	json_object_put(o);
}

Test(feature, formats_doubles_in_their_shortest_exact_form)
{
	char	 buf[40];

	feature_format_double(0.1, buf, sizeof(buf));
	cr_assert_str_eq(buf, "0.1");
	feature_format_double(1.0 / 3, buf, sizeof(buf));
	cr_assert_str_eq(buf, "0.3333333333333333");
	feature_format_double(-0.0, buf, sizeof(buf));
	cr_assert_str_eq(buf, "0");
	feature_format_double(1e300, buf, sizeof(buf));
	cr_assert_str_eq(buf, "1e+300");
	feature_format_double(5e-324, buf, sizeof(buf));
	cr_assert_str_eq(buf, "5e-324");
}

/* provided_features. */

Test(feature, stores_provided_features_sorted_with_their_nulls)
{
	char	*canon, *norm;

	validate("{\"b\": 1.0, \"a\": \"x\", \"c\": null, \"d\": 1e3, "
	    "\"e\": 2.5, \"f\": true, \"_g\": -0}", &canon, &norm);
	cr_assert_str_eq(canon, "{\"_g\":0,\"a\":\"x\",\"b\":1,\"c\":null,"
	    "\"d\":1000,\"e\":2.5,\"f\":true}");
	cr_assert(strstr(norm, "{\"n\":\"c\",\"t\":\"z\"") != NULL, "%s",
	    norm);
	free(canon);
	free(norm);
}

Test(feature, normalises_each_kind_of_value)
{
	char	*canon, *norm;

	validate("{\"capacity\": 1.0, \"cabin\": \"economy\", "
	    "\"wifi\": true, \"load\": 2.5}", &canon, &norm);
	cr_assert_str_eq(norm, "["
	    "{\"n\":\"cabin\",\"t\":\"s\",\"i\":0,\"d\":null,"
	    "\"k\":\"" KEY_ECONOMY "\",\"v\":\"economy\"},"
	    "{\"n\":\"capacity\",\"t\":\"n\",\"i\":1,\"d\":1,"
	    "\"k\":\"" KEY_N1 "\",\"v\":1},"
	    "{\"n\":\"load\",\"t\":\"n\",\"i\":0,\"d\":2.5,"
	    "\"k\":\"" KEY_2_5 "\",\"v\":2.5},"
	    "{\"n\":\"wifi\",\"t\":\"b\",\"i\":0,\"d\":null,"
	    "\"k\":\"" KEY_TRUE "\",\"v\":true}]");
	free(canon);
	free(norm);
}

Test(feature, keeps_unicode_strings_as_utf8)
{
	char	*canon, *norm;

	validate("{\"city\": \"Z\\u00fcrich\", \"icon\": \"\\ud83d\\ude86\"}",
	    &canon, &norm);
	cr_assert_str_eq(canon, "{\"city\":\"Z\xc3\xbcrich\","
	    "\"icon\":\"\xf0\x9f\x9a\x86\"}");
	cr_assert(strstr(norm, KEY_ZURICH) != NULL);
	free(canon);
	free(norm);
}

Test(feature, keeps_large_integers_exactly_and_huge_numbers_as_doubles)
{
	char	*canon, *norm;

	validate("{\"a\": 9007199254740993, \"b\": 1e300, "
	    "\"c\": 123456789012345678901234567890}", &canon, &norm);
	cr_assert_str_eq(canon, "{\"a\":9007199254740993,\"b\":1e+300,"
	    "\"c\":1.2345678901234568e+29}");
	cr_assert(strstr(norm, "\"n\":\"a\",\"t\":\"n\",\"i\":1,"
	    "\"d\":9007199254740992,") != NULL, "%s", norm);
	cr_assert(strstr(norm, "\"n\":\"b\",\"t\":\"n\",\"i\":1,"
	    "\"d\":1e+300,") != NULL, "%s", norm);
	free(canon);
	free(norm);
}

Test(feature, accepts_empty_provided_features)
{
	char	*canon, *norm;

	validate("{}", &canon, &norm);
	cr_assert_str_eq(canon, "{}");
	cr_assert_str_eq(norm, "[]");
	free(canon);
	free(norm);
}

Test(feature, refuses_provided_features_that_are_not_an_object)
{

	refuse("[]", "invalid_type", "provided_features must be an object");
	refuse("null", "invalid_type", "provided_features must be an object");
}

Test(feature, refuses_structured_values)
{

	refuse("{\"a\": [1]}", "invalid_type", "provided_features.a must be "
	    "a string, number, boolean or null");
	refuse("{\"a\": {\"b\": 1}}", "invalid_type", "provided_features.a "
	    "must be a string, number, boolean or null");
}

Test(feature, refuses_invalid_feature_names)
{

	refuse("{\"cabin class\": 1}", "invalid_value", "provided_features: "
	    "\"cabin class\" is not a valid feature name");
	refuse("{\"\": 1}", "invalid_value", "provided_features: "
	    "\"\" is not a valid feature name");
}

/* Writes {"f0": 0, ..., "f<n-1>": n-1} with nulls from null_from on. */
static char *
many(size_t n, size_t null_from)
{
	char	*buf;
	size_t	 i, len;

	buf = malloc(n * 24 + 8);
	cr_assert_not_null(buf);
	len = (size_t)sprintf(buf, "{");
	for (i = 0; i < n; i++) {
		if (i >= null_from)
			len += (size_t)sprintf(buf + len, "%s\"f%zu\": null",
			    i == 0 ? "" : ",", i);
		else
			len += (size_t)sprintf(buf + len, "%s\"f%zu\": %zu",
			    i == 0 ? "" : ",", i, i);
	}
	strcpy(buf + len, "}");
	return buf;
}

Test(feature, counts_nulls_among_the_256_features)
{
	char	*buf = many(256, 250), *canon, *norm;

	validate(buf, &canon, &norm);
	free(buf);
	free(canon);
	free(norm);
	buf = many(257, 250);
	refuse(buf, "too_large",
	    "provided_features must have at most 256 features");
	free(buf);
}

Test(feature, refuses_more_than_256_features)
{
	char	*buf = many(257, 257);

	refuse(buf, "too_large",
	    "provided_features must have at most 256 features");
	free(buf);
}

Test(feature, refuses_more_than_64_kib_of_features)
{
	char	*buf;
	size_t	 len, i;

	/* Three strings of 22000 bytes: over 65536 once serialised. */
	buf = malloc(3 * 22020 + 8);
	cr_assert_not_null(buf);
	len = (size_t)sprintf(buf, "{");
	for (i = 0; i < 3; i++) {
		len += (size_t)sprintf(buf + len, "%s\"s%zu\": \"",
		    i == 0 ? "" : ",", i);
		memset(buf + len, 'x', 22000);
		len += 22000;
		buf[len++] = '"';
	}
	strcpy(buf + len, "}");
	refuse(buf, "too_large",
	    "provided_features must be at most 65536 bytes of JSON");
	free(buf);
}

/* Merge patches. */

Test(feature, normalises_a_patch_with_removals)
{
	struct json_object	*o = parse("{\"b\": null, \"a\": 3.0}");
	struct verr		 err = { NULL, "" };
	char			*norm;

	cr_assert_eq(feature_patch_validate(o,
	    "service_updates[2].static_features", &norm, &err), PIE_OK);
	cr_assert_str_eq(norm, "["
	    "{\"n\":\"a\",\"t\":\"n\",\"i\":1,\"d\":3,\"k\":\""
	    "5ffe81902cb3cd3f70a289b67c150fee524478686a8315869f0f4ef39ccccabc"
	    "\",\"v\":3},"
	    "{\"n\":\"b\",\"t\":\"z\",\"i\":0,\"d\":null,\"k\":null,"
	    "\"v\":null}]");
	free(norm);
	json_object_put(o);
}

Test(feature, refuses_a_patch_with_structured_values_by_path)
{
	struct json_object	*o = parse("{\"a\": [1]}");
	struct verr		 err = { NULL, "" };
	char			*norm = NULL;

	cr_assert_eq(feature_patch_validate(o,
	    "service_updates[2].static_features", &norm, &err),
	    PIE_ERR_INVALID);
	cr_assert_null(norm);
	cr_assert_str_eq(err.code, "invalid_type");
	cr_assert_str_eq(err.msg, "service_updates[2].static_features.a "
	    "must be a string, number, boolean or null");
	json_object_put(o);
}

Test(feature, refuses_a_patch_that_is_not_an_object)
{
	struct json_object	*o = parse("\"x\"");
	struct verr		 err = { NULL, "" };
	char			*norm = NULL;

	cr_assert_eq(feature_patch_validate(o, "static_features", &norm,
	    &err), PIE_ERR_INVALID);
	cr_assert_str_eq(err.msg, "static_features must be an object");
	json_object_put(o);
}

/* The compatibility check. */

Test(feature, finds_a_compatible_service_compatible)
{

	expect_check("{\"features\": ["
	    "{\"name\": \"route\", \"type\": \"string\", \"mandatory\": true},"
	    "{\"name\": \"capacity\", \"type\": \"integer\", \"minimum\": 1,"
	    " \"maximum\": 5000}]}",
	    "{\"route\": \"r1\", \"capacity\": 120, \"other\": [1]}", "[]");
}

Test(feature, reports_a_missing_mandatory_feature)
{
	const char	*f = one("\"name\": \"route\", \"type\": \"string\", "
	    "\"mandatory\": true");

	expect_check(f, "{}",
	    "[{\"feature\":\"route\",\"value\":null,\"reason\":\"missing\"}]");
	expect_check(f, NULL,
	    "[{\"feature\":\"route\",\"value\":null,\"reason\":\"missing\"}]");
	expect_check(f, "{\"route\": null}",
	    "[{\"feature\":\"route\",\"value\":null,\"reason\":\"missing\"}]");
}

Test(feature, lets_a_default_stand_in_for_a_missing_feature)
{

	expect_check(one("\"name\": \"cabin\", \"type\": \"string\", "
	    "\"mandatory\": true, \"default\": \"economy\""), "{}", "[]");
}

Test(feature, lets_an_optional_feature_be_absent)
{

	expect_check(one("\"name\": \"cabin\", \"type\": \"string\", "
	    "\"allowed_values\": [\"a\"]"), "{}", "[]");
	expect_check(one("\"name\": \"cabin\", \"type\": \"string\", "
	    "\"mandatory\": false"), "{\"cabin\": null}", "[]");
}

Test(feature, reports_wrong_types_for_every_type)
{

	expect_check(one("\"name\": \"x\", \"type\": \"string\""),
	    "{\"x\": 1}",
	    "[{\"feature\":\"x\",\"value\":1,\"reason\":\"wrong_type\"}]");
	expect_check(one("\"name\": \"x\", \"type\": \"integer\""),
	    "{\"x\": 2.5}",
	    "[{\"feature\":\"x\",\"value\":2.5,\"reason\":\"wrong_type\"}]");
	expect_check(one("\"name\": \"x\", \"type\": \"integer\""),
	    "{\"x\": \"3\"}",
	    "[{\"feature\":\"x\",\"value\":\"3\",\"reason\":\"wrong_type\"}]");
	expect_check(one("\"name\": \"x\", \"type\": \"number\""),
	    "{\"x\": true}",
	    "[{\"feature\":\"x\",\"value\":true,\"reason\":\"wrong_type\"}]");
	expect_check(one("\"name\": \"x\", \"type\": \"boolean\""),
	    "{\"x\": \"true\"}",
	    "[{\"feature\":\"x\",\"value\":\"true\","
	    "\"reason\":\"wrong_type\"}]");
}

Test(feature, takes_whole_floats_as_integers)
{
	const char	*f = one("\"name\": \"x\", \"type\": \"integer\", "
	    "\"minimum\": 1, \"maximum\": 5000");

	expect_check(f, "{\"x\": 3.0}", "[]");
	expect_check(f, "{\"x\": 1e3}", "[]");
	expect_check(f, "{\"x\": 120}", "[]");
}

Test(feature, takes_any_number_as_a_number)
{
	const char	*f = one("\"name\": \"x\", \"type\": \"number\"");

	expect_check(f, "{\"x\": 3}", "[]");
	expect_check(f, "{\"x\": -2.5e-3}", "[]");
	expect_check(f, "{\"x\": 1e300}", "[]");
}

Test(feature, reports_values_outside_allowed_values)
{

	expect_check(one("\"name\": \"cabin\", \"type\": \"string\", "
	    "\"allowed_values\": [\"economy\", \"business\"]"),
	    "{\"cabin\": \"unknown\"}",
	    "[{\"feature\":\"cabin\",\"value\":\"unknown\","
	    "\"reason\":\"not_allowed\"}]");
	expect_check(one("\"name\": \"b\", \"type\": \"boolean\", "
	    "\"allowed_values\": [true]"), "{\"b\": false}",
	    "[{\"feature\":\"b\",\"value\":false,"
	    "\"reason\":\"not_allowed\"}]");
}

Test(feature, compares_allowed_values_by_value_key)
{

	expect_check(one("\"name\": \"city\", \"type\": \"string\", "
	    "\"allowed_values\": [\"Z\xc3\xbcrich\", \"\xf0\x9f\x9a\x86\"]"),
	    "{\"city\": \"Z\\u00fcrich\"}", "[]");
	expect_check(one("\"name\": \"city\", \"type\": \"string\", "
	    "\"allowed_values\": [\"Z\xc3\xbcrich\", \"\xf0\x9f\x9a\x86\"]"),
	    "{\"city\": \"\\ud83d\\ude86\"}", "[]");
	expect_check(one("\"name\": \"n\", \"type\": \"number\", "
	    "\"allowed_values\": [1, 2.5]"), "{\"n\": 1.0}", "[]");
	expect_check(one("\"name\": \"n\", \"type\": \"integer\", "
	    "\"allowed_values\": [1000]"), "{\"n\": 1e3}", "[]");
	expect_check(one("\"name\": \"city\", \"type\": \"string\", "
	    "\"allowed_values\": [\"zurich\"]"), "{\"city\": \"Zurich\"}",
	    "[{\"feature\":\"city\",\"value\":\"Zurich\","
	    "\"reason\":\"not_allowed\"}]");
}

Test(feature, reports_values_outside_the_range)
{
	const char	*f = one("\"name\": \"capacity\", "
	    "\"type\": \"integer\", \"minimum\": 1, \"maximum\": 5000");

	expect_check(f, "{\"capacity\": 0}",
	    "[{\"feature\":\"capacity\",\"value\":0,"
	    "\"reason\":\"out_of_range\"}]");
	expect_check(f, "{\"capacity\": 5001}",
	    "[{\"feature\":\"capacity\",\"value\":5001,"
	    "\"reason\":\"out_of_range\"}]");
	expect_check(f, "{\"capacity\": 1}", "[]");
	expect_check(f, "{\"capacity\": 5000.0}", "[]");
}

Test(feature, honours_a_single_bound)
{

	expect_check(one("\"name\": \"x\", \"type\": \"number\", "
	    "\"minimum\": -0.5"), "{\"x\": -0.6}",
	    "[{\"feature\":\"x\",\"value\":-0.6,"
	    "\"reason\":\"out_of_range\"}]");
	expect_check(one("\"name\": \"x\", \"type\": \"number\", "
	    "\"maximum\": 0.1"), "{\"x\": 1e300}",
	    "[{\"feature\":\"x\",\"value\":1e300,"
	    "\"reason\":\"out_of_range\"}]");
}

Test(feature, reports_wrong_type_before_not_allowed)
{

	expect_check(one("\"name\": \"x\", \"type\": \"integer\", "
	    "\"allowed_values\": [1, 2]"), "{\"x\": 1.5}",
	    "[{\"feature\":\"x\",\"value\":1.5,\"reason\":\"wrong_type\"}]");
}

Test(feature, reports_not_allowed_before_out_of_range)
{

	/* Not a freeze freeze_validate accepts; the order still holds. */
	expect_check(one("\"name\": \"x\", \"type\": \"integer\", "
	    "\"allowed_values\": [1, 2], \"minimum\": 0, \"maximum\": 10"),
	    "{\"x\": 20}",
	    "[{\"feature\":\"x\",\"value\":20,\"reason\":\"not_allowed\"}]");
}

Test(feature, lists_failures_in_feature_name_order)
{

	expect_check("{\"features\": ["
	    "{\"name\": \"zone\", \"type\": \"string\", \"mandatory\": true},"
	    "{\"name\": \"age\", \"type\": \"integer\"},"
	    "{\"name\": \"mode\", \"type\": \"boolean\"},"
	    "{\"name\": \"ok\", \"type\": \"string\"}]}",
	    "{\"age\": \"x\", \"mode\": 1, \"ok\": \"fine\"}",
	    "[{\"feature\":\"age\",\"value\":\"x\",\"reason\":\"wrong_type\"},"
	    "{\"feature\":\"mode\",\"value\":1,\"reason\":\"wrong_type\"},"
	    "{\"feature\":\"zone\",\"value\":null,\"reason\":\"missing\"}]");
}

Test(feature, ignores_features_the_freeze_does_not_name)
{

	expect_check("{\"features\": []}", "{\"anything\": \"at all\"}",
	    "[]");
}

Test(feature, checks_against_a_stored_canonical_freeze)
{
	struct json_object      *f = parse("{\"features\": [{\"name\": \"c\", "
	    "\"type\": \"integer\", \"mandatory\": true, \"default\": 2, "
	    "\"allowed_values\": [1, 2], \"minimum\": 1.0, \"maximum\": 2}]}");
	struct verr		 err = { NULL, "" };
	char			*canon, *norm, *got;

	cr_assert_eq(freeze_validate(f, &canon, &norm, &err), PIE_OK);
	got = check(canon, "{\"c\": 3}");
	cr_assert_str_eq(got,
	    "[{\"feature\":\"c\",\"value\":3,\"reason\":\"not_allowed\"}]");
	free(got);
	got = check(canon, "{}");
	cr_assert_str_eq(got, "[]");
	free(got);
	free(canon);
	free(norm);
	json_object_put(f);
}

Test(feature, refuses_a_freeze_without_features)
{
	struct json_object	*f = parse("{\"feature\": []}");
	struct json_object	*out = (struct json_object *)1;

	cr_assert_eq(feature_check(f, NULL, &out), PIE_ERR_INVALID);
	cr_assert_null(out);
	json_object_put(f);
	f = parse("{\"features\": [{\"type\": \"string\"}]}");
	cr_assert_eq(feature_check(f, NULL, &out), PIE_ERR_INVALID);
	json_object_put(f);
}
