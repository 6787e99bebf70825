/*
 * test_ijson.c: the I-JSON reader accepts exactly RFC 8259 with the
 * RFC 7493 restrictions, and says where a body went wrong.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "ijson.h"

static char	 err[256];

/* Parses the NUL-terminated s; the caller puts the result. */
static struct json_object *
parse_ok(const char *s)
{
	struct json_object	*o = NULL;
	enum pie_res		 res;

	res = ijson_parse(s, strlen(s), &o, err, sizeof(err));
	cr_assert_eq(res, PIE_OK, "refused %s: %s", s, err);
	return o;
}

/* Expects s of len bytes to be refused with a message containing want. */
static void
refuse_len(const char *s, size_t len, const char *want)
{
	struct json_object	*o = NULL;
	enum pie_res		 res;

	res = ijson_parse(s, len, &o, err, sizeof(err));
	cr_assert_eq(res, PIE_ERR_INVALID, "accepted %.*s", (int)len, s);
	cr_assert_null(o);
	cr_assert(strstr(err, want) != NULL, "message \"%s\" lacks \"%s\"",
	    err, want);
}

static void
refuse(const char *s, const char *want)
{

	refuse_len(s, strlen(s), want);
}

Test(ijson, accepts_an_object_and_keeps_member_order)
{
	struct json_object *o = parse_ok(
	    " {\"b\": [1, 2.5, \"x\", true, false, null], \"a\": {}}\r\n");

	cr_assert_str_eq(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN),
	    "{\"b\":[1,2.5,\"x\",true,false,null],\"a\":{}}");
	json_object_put(o);
}

Test(ijson, accepts_a_scalar_at_the_top)
{
	struct json_object *o = parse_ok("\"hi\"");

	cr_assert_str_eq(json_object_get_string(o), "hi");
	json_object_put(o);
	o = parse_ok("null");
	cr_assert_null(o);
}

Test(ijson, reads_a_buffer_that_is_not_nul_terminated)
{
	struct json_object	*o = NULL;

	cr_assert_eq(ijson_parse("[1]]]", 3, &o, err, sizeof(err)), PIE_OK);
	cr_assert_eq(json_object_array_length(o), 1);
	json_object_put(o);
}

Test(ijson, rejects_an_empty_body)
{

	refuse("", "empty");
	refuse(" \n\t", "empty");
	refuse_len(NULL, 0, "empty");
}

Test(ijson, rejects_a_body_that_is_not_json)
{

	refuse("name=value", "not JSON");
	refuse("<xml/>", "not JSON");
	refuse("'single'", "not JSON");
}

Test(ijson, rejects_a_byte_order_mark)
{

	refuse("\xef\xbb\xbf{}", "byte-order mark");
}

Test(ijson, rejects_overlong_utf8)
{

	refuse("\"\xc0\xaf\"", "not valid UTF-8 (byte 1)");
	refuse("\"\xe0\x80\xaf\"", "not valid UTF-8");
	refuse("\"\xf0\x80\x80\xaf\"", "not valid UTF-8");
}

Test(ijson, rejects_utf8_encoded_surrogates)
{

	refuse("\"\xed\xa0\x80\"", "not valid UTF-8");
	refuse("\"\xed\xbf\xbf\"", "not valid UTF-8");
}

Test(ijson, rejects_code_points_above_10ffff)
{

	refuse("\"\xf4\x90\x80\x80\"", "not valid UTF-8");
	refuse("\"\xf5\x80\x80\x80\"", "not valid UTF-8");
}

Test(ijson, rejects_truncated_and_stray_utf8)
{

	refuse("\"\xc3\"", "not valid UTF-8");
	refuse("\"\xe2\x82\"", "not valid UTF-8");
	refuse("\"\x80\"", "not valid UTF-8");
	refuse("\"\xff\"", "not valid UTF-8");
	refuse_len("\"\xf0\x9f\x98", 4, "not valid UTF-8");
}

Test(ijson, accepts_multibyte_utf8_and_escapes_alike)
{
	struct json_object *o = parse_ok(
	    "[\"Z\xc3\xbcrich\", \"Z\\u00fcrich\", \"\xf0\x9f\x9a\x86\", "
	    "\"\\ud83d\\ude86\", \"\xe2\x82\xac\"]");

	cr_assert_str_eq(json_object_get_string(
	    json_object_array_get_idx(o, 1)), "Z\xc3\xbcrich");
	cr_assert_str_eq(json_object_get_string(
	    json_object_array_get_idx(o, 3)), "\xf0\x9f\x9a\x86");
	json_object_put(o);
}

Test(ijson, unescapes_every_short_escape)
{
	struct json_object *o = parse_ok("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"");

	cr_assert_str_eq(json_object_get_string(o), "\"\\/\b\f\n\r\t");
	json_object_put(o);
}

Test(ijson, rejects_lone_surrogate_escapes)
{

	refuse("\"\\ud83d\"", "lone surrogate");
	refuse("\"\\ud83dx\"", "lone surrogate");
	refuse("\"\\ud83d\\u0041\"", "lone surrogate");
	refuse("\"\\ude86\"", "lone surrogate");
	refuse("\"\\ud83d\\ud83d\"", "lone surrogate");
}

Test(ijson, rejects_invalid_escapes)
{

	refuse("\"\\x41\"", "invalid escape");
	refuse("\"\\u12g4\"", "invalid \\u escape");
	refuse("\"\\u12\"", "invalid \\u escape");
	refuse("\"abc\\", "unterminated string");
}

Test(ijson, rejects_nul_in_strings)
{

	refuse("\"a\\u0000b\"", "U+0000");
	refuse("{\"a\\u0000\": 1}", "U+0000");
	refuse_len("\"a\0b\"", 5, "control character U+0000");
}

Test(ijson, rejects_escaped_noncharacters_naming_where)
{

	refuse("{\"a\":\"x\\ufdd0\"}", "noncharacter U+FDD0 in string at a "
	    "(byte 7)");
	refuse("[\"\\ufdef\"]", "noncharacter U+FDEF in string at [0]");
	refuse("\"\\ufffe\"", "noncharacter U+FFFE");
	refuse("\"\\uFFFF\"", "noncharacter U+FFFF");
	refuse("\"\\ud83f\\udffe\"", "noncharacter U+1FFFE");
	refuse("\"\\ud83f\\udfff\"", "noncharacter U+1FFFF");
	refuse("\"\\udbbf\\udfff\"", "noncharacter U+FFFFF");
	refuse("\"\\udbff\\udffe\"", "noncharacter U+10FFFE");
	refuse("{\"\\uffff\": 1}", "noncharacter U+FFFF");
}

Test(ijson, rejects_raw_noncharacters_naming_where)
{

	refuse("{\"a\":\"xy\xef\xb7\x90\"}", "noncharacter U+FDD0 in string "
	    "at a (byte 8)");
	refuse("\"\xef\xb7\xaf\"", "noncharacter U+FDEF");
	refuse("\"\xef\xbf\xbe\"", "noncharacter U+FFFE");
	refuse("\"\xef\xbf\xbf\"", "noncharacter U+FFFF");
	refuse("\"\xf0\x9f\xbf\xbe\"", "noncharacter U+1FFFE");
	refuse("\"\xf3\xbf\xbf\xbf\"", "noncharacter U+FFFFF");
	refuse("\"\xf4\x8f\xbf\xbf\"", "noncharacter U+10FFFF");
	refuse("{\"k\xef\xbf\xbf\": 1}", "noncharacter U+FFFF");
}

Test(ijson, accepts_the_neighbours_of_noncharacters)
{
	struct json_object *o = parse_ok("[\"\\ufdcf\\ufdf0\\ufffd\", "
	    "\"\\ud83f\\udffd\\ud840\\udc00\", "
	    "\"\xef\xb7\x8f\xef\xb7\xb0\xef\xbf\xbd\", "
	    "\"\xf0\x9f\xbf\xbd\xf4\x8f\xbf\xbd\"]");

	cr_assert_str_eq(json_object_get_string(
	    json_object_array_get_idx(o, 0)),
	    "\xef\xb7\x8f\xef\xb7\xb0\xef\xbf\xbd");
	cr_assert_str_eq(json_object_get_string(
	    json_object_array_get_idx(o, 1)),
	    "\xf0\x9f\xbf\xbd\xf0\xa0\x80\x80");
	json_object_put(o);
}

Test(ijson, rejects_control_characters_in_strings)
{

	refuse("\"line\nbreak\"", "control character U+000A");
	refuse("\"tab\there\"", "control character U+0009");
	refuse("{\"k\":\"\x1f\"}", "control character U+001F in string at k");
}

Test(ijson, accepts_escaped_control_characters)
{
	struct json_object *o = parse_ok("\"a\\u001fb\\u007f\"");

	cr_assert_eq(json_object_get_string_len(o), 4);
	json_object_put(o);
}

Test(ijson, rejects_unterminated_strings)
{

	refuse("\"abc", "unterminated string");
	refuse("{\"abc", "unterminated string");
}

Test(ijson, rejects_duplicate_members)
{

	refuse("{\"a\": 1, \"b\": 2, \"a\": 3}", "duplicate member \"a\"");
}

Test(ijson, compares_member_names_after_unescaping)
{

	refuse("{\"\xc3\xbc\": 1, \"\\u00fc\": 2}",
	    "duplicate member \"\xc3\xbc\"");
	refuse("{\"a\": 1, \"\\u0061\": 2}", "duplicate member \"a\"");
}

Test(ijson, names_the_path_of_a_duplicate_member_at_depth)
{

	refuse("{\"service_updates\": [{}, {}, {\"model_id\": \"a\", "
	    "\"model_id\": \"b\"}]}",
	    "duplicate member \"model_id\" at service_updates[2]");
	refuse("{\"a\": {\"b\": [[{\"x\": 1, \"x\": 1}]]}}",
	    "duplicate member \"x\" at a.b[0][0]");
}

Test(ijson, allows_one_name_in_sibling_objects)
{
	struct json_object *o = parse_ok(
	    "[{\"a\": 1}, {\"a\": 2, \"b\": {\"a\": 3}}]");

	json_object_put(o);
}

Test(ijson, rejects_numbers_beyond_a_double)
{

	refuse("1e400", "out of the range of a double");
	refuse("[-1e400]", "out of the range of a double at [0]");
	refuse("{\"x\": 2e308}", "out of the range of a double at x");
}

Test(ijson, accepts_the_largest_double)
{
	struct json_object *o = parse_ok("1.7976931348623157e308");

	cr_assert_eq(json_object_get_double(o), 1.7976931348623157e308);
	json_object_put(o);
}

Test(ijson, reads_numbers_below_the_smallest_double_as_zero)
{
	struct json_object *o = parse_ok("1e-400");

	cr_assert_eq(json_object_get_double(o), 0.0);
	json_object_put(o);
}

Test(ijson, keeps_integers_past_64_bits_as_doubles)
{
	struct json_object *o = parse_ok("123456789012345678901234567890");

	cr_assert(json_object_is_type(o, json_type_double));
	cr_assert_float_eq(json_object_get_double(o), 1.2345678901234568e29,
	    1e14);
	cr_assert_str_eq(json_object_to_json_string(o),
	    "123456789012345678901234567890");
	json_object_put(o);
}

Test(ijson, reads_64_bit_integers_exactly)
{
	struct json_object *o = parse_ok(
	    "[9223372036854775807, -9223372036854775808, -0]");

	cr_assert(json_object_is_type(json_object_array_get_idx(o, 0),
	    json_type_int));
	cr_assert_eq(json_object_get_int64(json_object_array_get_idx(o, 0)),
	    INT64_MAX);
	cr_assert_eq(json_object_get_int64(json_object_array_get_idx(o, 1)),
	    INT64_MIN);
	json_object_put(o);
}

Test(ijson, keeps_the_text_of_fractional_numbers)
{
	struct json_object *o = parse_ok("[1.0, 1e3, -0.5E-2]");

	cr_assert_str_eq(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN), "[1.0,1e3,-0.5E-2]");
	cr_assert(json_object_is_type(json_object_array_get_idx(o, 0),
	    json_type_double));
	json_object_put(o);
}

Test(ijson, rejects_invalid_number_grammar)
{

	refuse("01", "leading zero");
	refuse("-01", "leading zero");
	refuse("1.", "invalid number");
	refuse("1.e5", "invalid number");
	refuse("1e", "invalid number");
	refuse("1e+", "invalid number");
	refuse("-", "invalid number");
	refuse("[.5]", "unexpected '.'");
	refuse("[+1]", "unexpected '+'");
	refuse("[NaN]", "unexpected 'N'");
	refuse("[Infinity]", "unexpected 'I'");
	refuse("[0x10]", "unexpected 'x'");
}

Test(ijson, rejects_invalid_literals)
{

	refuse("tru", "not JSON");
	refuse("[tru]", "invalid literal");
	refuse("[True]", "unexpected 'T'");
	refuse("{\"a\": nul}", "invalid literal");
	refuse("nulll", "unexpected data after");
}

Test(ijson, rejects_trailing_data)
{

	refuse("{} x", "unexpected data after the JSON value (byte 3)");
	refuse("{}{}", "unexpected data after");
	refuse("1 2", "unexpected data after");
	refuse_len("{}\0", 3, "unexpected data after");
}

Test(ijson, rejects_trailing_commas_and_missing_separators)
{

	refuse("{\"a\": 1,}", "expected a member name");
	refuse("[1,]", "expected a value");
	refuse("[1 2]", "expected ',' or ']'");
	refuse("{\"a\" 1}", "expected ':' after a member name");
	refuse("{\"a\": 1 \"b\": 2}", "expected ',' or '}'");
	refuse("{a: 1}", "expected a member name");
	refuse("[1", "unexpected end of input");
	refuse("{\"a\":", "unexpected end of input, expected a value at a");
}

Test(ijson, rejects_comments)
{

	refuse("{} // no", "unexpected data after");
	refuse("[1 /* no */]", "unexpected '/'");
}

Test(ijson, names_the_path_of_a_grammar_error)
{

	refuse("{\"a\": [1, {\"b\": tru}]}",
	    "invalid literal (expected true, false or null) at a[1].b");
}

/* Builds n nested arrays around 0 in buf. */
static size_t
nest(char *buf, int n)
{
	int	 i;
	size_t	 len = 0;

	for (i = 0; i < n; i++)
		buf[len++] = '[';
	buf[len++] = '0';
	for (i = 0; i < n; i++)
		buf[len++] = ']';
	buf[len] = '\0';
	return len;
}

Test(ijson, accepts_nesting_up_to_the_limit)
{
	char	 buf[256];

	nest(buf, IJSON_MAX_DEPTH);
	json_object_put(parse_ok(buf));
}

Test(ijson, rejects_nesting_past_the_limit)
{
	char	 buf[256];

	nest(buf, IJSON_MAX_DEPTH + 1);
	refuse(buf, "nesting deeper than 64 levels");
	refuse("{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
	    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
	    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
	    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
	    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
	    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
	    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
	    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
	    "{\"a\":1", "nesting deeper than 64 levels");
}

Test(ijson, cuts_a_very_long_path_in_messages)
{
	char	 buf[4096];
	size_t	 len = 0;
	int	 i;

	/* 40 levels of a 30-character member name, then an error. */
	for (i = 0; i < 40; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		    "{\"abcdefghijklmnopqrstuvwxyz0123\":");
	snprintf(buf + len, sizeof(buf) - len, "x");
	refuse(buf, "...");
	cr_assert(strlen(err) < sizeof(err));
}

Test(ijson, survives_a_null_error_buffer)
{
	struct json_object	*o = NULL;

	cr_assert_eq(ijson_parse("{", 1, &o, NULL, 0), PIE_ERR_INVALID);
	cr_assert_null(o);
}

Test(ijson, cleans_control_characters_and_cut_utf8_from_messages)
{
	char	 a[] = "ab\xc3", b[] = "ab\xf0\x9f\x9a", c[] = "ab\xc3\xbc";
	char	 d[] = "\xe2\x82\xac", e[] = "", f[] = "a\nb\x7f";
	char	 g[] = "/v2/\xff\xfex\xed\xa0\x80\xc3\xa9";

	ijson_msg_clean(a);
	cr_assert_str_eq(a, "ab");
	ijson_msg_clean(b);
	cr_assert_str_eq(b, "ab");
	ijson_msg_clean(c);
	cr_assert_str_eq(c, "ab\xc3\xbc");
	ijson_msg_clean(d);
	cr_assert_str_eq(d, "\xe2\x82\xac");
	ijson_msg_clean(e);
	cr_assert_str_eq(e, "");
	ijson_msg_clean(f);
	cr_assert_str_eq(f, "a?b?");
	ijson_msg_clean(g);
	cr_assert_str_eq(g, "/v2/??x???\xc3\xa9");
	refuse("{\"a\\nb\": 1, \"a\\nb\": 2}", "duplicate member \"a?b\"");
}

Test(ijson, keeps_messages_valid_utf8_when_a_long_name_is_cut)
{
	char			 buf[1024], msg[sizeof(err) + 2];
	struct json_object	*o = NULL;
	size_t			 len = 0;
	int			 i, j;

	/* A duplicate name of 150 two-byte characters: cut in the message. */
	for (i = 0; i < 2; i++) {
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		    "%s\"", i == 0 ? "{" : ",");
		for (j = 0; j < 150; j++) {
			buf[len++] = '\xc3';
			buf[len++] = '\xbc';
		}
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "\":1");
	}
	snprintf(buf + len, sizeof(buf) - len, "}");
	refuse(buf, "duplicate member");

	/* The message, quotes aside, must read as a JSON string. */
	snprintf(msg, sizeof(msg), "\"%s\"", err);
	for (i = 1; msg[i + 1] != '\0'; i++)
		if (msg[i] == '"')
			msg[i] = '\'';
	cr_assert_eq(ijson_parse(msg, strlen(msg), &o, NULL, 0), PIE_OK);
	json_object_put(o);
}
