/*
 * test_ident.c: identifiers follow the rules of API.md section 1, and
 * feature names the rule of ident.h, byte for byte.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "ident.h"

/* Fills buf with n copies of c after the first character first. */
static const char *
repeat(char *buf, char first, char c, size_t n)
{

	buf[0] = first;
	memset(buf + 1, c, n - 1);
	buf[n] = '\0';
	return buf;
}

Test(ident, accepts_typical_identifiers)
{

	cr_assert(ident_valid(IDENT_CLIENT, "client-1"));
	cr_assert(ident_valid(IDENT_DOMAIN, "south_australia"));
	cr_assert(ident_valid(IDENT_SERVICE, "svc-001"));
	cr_assert(ident_valid(IDENT_SERVICE, "route:42.a"));
	cr_assert(ident_valid(IDENT_MODEL, "example-model"));
	cr_assert(ident_valid(IDENT_CAPABILITY, "fare_forecast"));
	cr_assert(ident_valid(IDENT_CLIENT, "7"));
}

Test(ident, rejects_empty_and_null)
{

	cr_assert_not(ident_valid(IDENT_CLIENT, ""));
	cr_assert_not(ident_valid(IDENT_CLIENT, NULL));
	cr_assert_not(ident_valid(IDENT_MODEL_VERSION, ""));
	cr_assert_not(ident_valid(IDENT_FEATURE, ""));
}

Test(ident, rejects_a_leading_punctuation_character)
{

	cr_assert_not(ident_valid(IDENT_SERVICE, "-svc"));
	cr_assert_not(ident_valid(IDENT_SERVICE, "_svc"));
	cr_assert_not(ident_valid(IDENT_SERVICE, ".svc"));
	cr_assert_not(ident_valid(IDENT_SERVICE, ":svc"));
	cr_assert_not(ident_valid(IDENT_MODEL_VERSION, "+1"));
	cr_assert_not(ident_valid(IDENT_MODEL_VERSION, ".1"));
}

Test(ident, rejects_characters_outside_the_rule)
{

	cr_assert_not(ident_valid(IDENT_CLIENT, "a b"));
	cr_assert_not(ident_valid(IDENT_CLIENT, "a/b"));
	cr_assert_not(ident_valid(IDENT_CLIENT, "a+b"));
	cr_assert_not(ident_valid(IDENT_DOMAIN, "z\xc3\xbcrich"));
	cr_assert_not(ident_valid(IDENT_MODEL, "m%2e"));
	cr_assert_not(ident_valid(IDENT_CAPABILITY, "cap\n"));
}

Test(ident, allows_128_characters_and_no_more)
{
	char	 buf[200];

	cr_assert(ident_valid(IDENT_CLIENT, repeat(buf, 'a', 'b', 128)));
	cr_assert_not(ident_valid(IDENT_CLIENT, repeat(buf, 'a', 'b', 129)));
	cr_assert(ident_valid(IDENT_SERVICE, repeat(buf, '1', '-', 128)));
	cr_assert_not(ident_valid(IDENT_MODEL, repeat(buf, '1', '-', 129)));
}

Test(ident, allows_a_capability_of_64_characters_and_no_more)
{
	char	 buf[200];

	cr_assert(ident_valid(IDENT_CAPABILITY, repeat(buf, 'c', 'x', 64)));
	cr_assert_not(ident_valid(IDENT_CAPABILITY,
	    repeat(buf, 'c', 'x', 65)));
}

Test(ident, accepts_model_versions_with_dots_and_plus)
{

	cr_assert(ident_valid(IDENT_MODEL_VERSION, "2.0.0"));
	cr_assert(ident_valid(IDENT_MODEL_VERSION, "3"));
	cr_assert(ident_valid(IDENT_MODEL_VERSION, "1.0.0-rc.1+build_7"));
	cr_assert_not(ident_valid(IDENT_MODEL_VERSION, "1:0"));
	cr_assert_not(ident_valid(IDENT_MODEL_VERSION, "v 1"));
}

Test(ident, allows_a_model_version_of_64_characters_and_no_more)
{
	char	 buf[200];

	cr_assert(ident_valid(IDENT_MODEL_VERSION, repeat(buf, '1', '.', 64)));
	cr_assert_not(ident_valid(IDENT_MODEL_VERSION,
	    repeat(buf, '1', '.', 65)));
}

Test(ident, lets_a_feature_name_start_with_an_underscore)
{
	char	 buf[200];

	cr_assert(ident_valid(IDENT_FEATURE, "_internal"));
	cr_assert(ident_valid(IDENT_FEATURE, "cabin_category"));
	cr_assert(ident_valid(IDENT_FEATURE, "ns:key.sub-part"));
	cr_assert_not(ident_valid(IDENT_FEATURE, "-x"));
	cr_assert_not(ident_valid(IDENT_FEATURE, "has space"));
	cr_assert(ident_valid(IDENT_FEATURE, repeat(buf, '_', 'f', 128)));
	cr_assert_not(ident_valid(IDENT_FEATURE, repeat(buf, '_', 'f', 129)));
}

Test(ident, accepts_anything_for_no_rule)
{

	cr_assert(ident_valid(IDENT_NONE, "any thing / at all"));
	cr_assert(ident_valid(IDENT_NONE, ""));
}

Test(ident, names_each_kind_for_messages)
{

	cr_assert_str_eq(ident_kind_name(IDENT_CLIENT), "client_id");
	cr_assert_str_eq(ident_kind_name(IDENT_DOMAIN), "domain_id");
	cr_assert_str_eq(ident_kind_name(IDENT_SERVICE), "service_id");
	cr_assert_str_eq(ident_kind_name(IDENT_MODEL), "model_id");
	cr_assert_str_eq(ident_kind_name(IDENT_CAPABILITY), "capability");
	cr_assert_str_eq(ident_kind_name(IDENT_MODEL_VERSION),
	    "model_version");
	cr_assert_str_eq(ident_kind_name(IDENT_FEATURE), "feature name");
}
