/*
 * ijson.c: a strict I-JSON reader that builds a json-c tree (see ijson.h).
 *
 * The body is checked for UTF-8 once, up front, so that the parser below
 * only has to care about grammar: it is a recursive descent over the
 * bytes, at most IJSON_MAX_DEPTH calls deep, that keeps the path of the
 * member it is in for its messages.  Building the tree here rather than
 * handing the bytes to json_tokener afterwards means duplicate members are
 * found on exactly the keys that end up in the tree.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "ijson.h"

/* Room for the member path in messages; longer paths end in "...". */
#define IJSON_PATH_MAX	160

struct ijson {
	const unsigned char	*buf;
	size_t			 len;
	size_t			 pos;
	int			 depth;
	char			*err;
	size_t			 errlen;
	char			 path[IJSON_PATH_MAX];
	size_t			 plen;
	int			 pcut;		/* the path was cut */
	char                    *sb;            /* the last string read */
	size_t			 sblen;
	size_t			 sbcap;
};

/* Where the path stood before a member was entered. */
struct ijson_mark {
	size_t	 plen;
	int	 pcut;
};

static enum pie_res	 ijson_value(struct ijson *, struct json_object **);
static size_t		 ijson_utf8_bad(const unsigned char *, size_t);
static int		 ijson_utf8_tail_cut(const unsigned char *, size_t);

/*
 * Writes the message for the API user: what went wrong, the member path
 * when inside one, and the byte offset when with_pos is set.  Returns
 * PIE_ERR_INVALID.
 */
static enum pie_res
ijson_fail(struct ijson *p, int with_pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum pie_res
ijson_fail(struct ijson *p, int with_pos, const char *fmt, ...)
{
	va_list	 ap;
	char	 what[128], where[IJSON_PATH_MAX + 8], pos[32];

	if (p->err == NULL || p->errlen == 0)
		return PIE_ERR_INVALID;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);

	where[0] = pos[0] = '\0';
	if (p->plen > 0)
		snprintf(where, sizeof(where), " at %.*s", (int)p->plen,
		    p->path);
	if (with_pos)
		snprintf(pos, sizeof(pos), " (byte %zu)", p->pos);
	ijson_msg_clean(what);
	snprintf(p->err, p->errlen, "%s%s%s", what, where, pos);
	ijson_msg_clean(p->err);
	return PIE_ERR_INVALID;
}

void
ijson_msg_clean(char *s)
{
	size_t	 n = strlen(s), i = 0, ok;

	/*
	 * Replace each byte that starts no well-formed sequence; a sequence
	 * cut short at the very end (a truncating snprintf) is dropped.
	 */
	while (i < n) {
		ok = ijson_utf8_bad((const unsigned char *)s + i, n - i);
		i += ok;
		if (i == n)
			break;
		if ((unsigned char)s[i] >= 0xc2 &&
		    (unsigned char)s[i] <= 0xf4 &&
		    ijson_utf8_tail_cut((const unsigned char *)s + i, n - i)) {
			s[i] = '\0';
			n = i;
			break;
		}
		s[i++] = '?';
	}

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			s[i] = '?';
}

/* Appends piece to the path, or "..." once the path is full. */
static void
ijson_push(struct ijson *p, const char *piece, struct ijson_mark *m)
{
	size_t	 n = strlen(piece);

	m->plen = p->plen;
	m->pcut = p->pcut;
	if (p->pcut)
		return;
	if (p->plen + n + 4 > sizeof(p->path)) {
		memcpy(p->path + p->plen, "...", 3);
		p->plen += 3;
		p->pcut = 1;
		return;
	}
	memcpy(p->path + p->plen, piece, n);
	p->plen += n;
}

static void
ijson_push_key(struct ijson *p, const char *key, struct ijson_mark *m)
{
	char	 piece[IJSON_PATH_MAX];
	size_t	 i, n = 0;

	/* Control bytes would garble a log line that quotes the message. */
	if (p->plen > 0)
		piece[n++] = '.';
	for (i = 0; key[i] != '\0' && n + 1 < sizeof(piece); i++) {
		unsigned char c = (unsigned char)key[i];

		piece[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	piece[n] = '\0';
	ijson_push(p, piece, m);
}

static void
ijson_push_index(struct ijson *p, size_t index, struct ijson_mark *m)
{
	char	 piece[32];

	snprintf(piece, sizeof(piece), "[%zu]", index);
	ijson_push(p, piece, m);
}

static void
ijson_pop(struct ijson *p, const struct ijson_mark *m)
{

	p->plen = m->plen;
	p->pcut = m->pcut;
}

/*
 * Returns the offset of the first byte that does not start a well-formed
 * UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing past
 * U+10FFFF), or len when the whole buffer is valid.
 */
static size_t
ijson_utf8_bad(const unsigned char *s, size_t len)
{
	size_t		 i = 0, k, n;
	unsigned int	 c, lo, hi;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}

		/* The lead byte fixes the length and the second byte range. */
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c == 0xe0) {
			n = 2;
			lo = 0xa0;
		} else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
			n = 2;
		else if (c == 0xed) {
			n = 2;
			hi = 0x9f;
		} else if (c == 0xf0) {
			n = 3;
			lo = 0x90;
		} else if (c >= 0xf1 && c <= 0xf3)
			n = 3;
		else if (c == 0xf4) {
			n = 3;
			hi = 0x8f;
		} else
			return i;

		if (len - i - 1 < n || s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (k = 2; k <= n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
		i += n + 1;
	}
	return len;
}

/*
 * 1 when s[0..len), which starts with a lead byte, is a well-formed
 * sequence's beginning that the end of the buffer cut short.
 */
static int
ijson_utf8_tail_cut(const unsigned char *s, size_t len)
{
	size_t	 need = s[0] >= 0xf0 ? 3 : s[0] >= 0xe0 ? 2 : 1, k;

	if (len > need)
		return 0;
	for (k = 1; k < len; k++)
		if ((s[k] & 0xc0) != 0x80)
			return 0;
	return 1;
}

static void
ijson_skip_ws(struct ijson *p)
{

	while (p->pos < p->len && (p->buf[p->pos] == ' ' ||
	    p->buf[p->pos] == '\t' || p->buf[p->pos] == '\n' ||
	    p->buf[p->pos] == '\r'))
		p->pos++;
}

/* The byte at the current position, or -1 at the end. */
static int
ijson_peek(const struct ijson *p)
{

	return p->pos < p->len ? p->buf[p->pos] : -1;
}

/* Refuses the byte at the current position; expected says what fits. */
static enum pie_res
ijson_unexpected(struct ijson *p, const char *expected)
{
	int	 c = ijson_peek(p);

	if (c < 0)
		return ijson_fail(p, 1, "unexpected end of input, expected %s",
		    expected);
	if (c > 0x20 && c < 0x7f)
		return ijson_fail(p, 1, "unexpected '%c', expected %s", c,
		    expected);
	return ijson_fail(p, 1, "unexpected byte 0x%02x, expected %s", c,
	    expected);
}

/* Makes room for n more bytes and a NUL in the string buffer. */
static enum pie_res
ijson_sb_reserve(struct ijson *p, size_t n)
{
	char	*nb;
	size_t	 cap;

	if (p->sbcap - p->sblen > n)
		return PIE_OK;
	cap = p->sbcap == 0 ? 64 : p->sbcap;
	while (cap - p->sblen <= n)
		cap *= 2;
	if ((nb = realloc(p->sb, cap)) == NULL)
		return PIE_ERR_NOMEM;
	p->sb = nb;
	p->sbcap = cap;
	return PIE_OK;
}

/* Reads four hex digits at the current position; -1 when they are not. */
static long
ijson_hex4(struct ijson *p)
{
	long	 v = 0;
	size_t	 i;
	int	 c;

	if (p->len - p->pos < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		c = p->buf[p->pos + i];
		if (c >= '0' && c <= '9')
			v = v * 16 + (c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v * 16 + (c - 'A' + 10);
		else
			return -1;
	}
	p->pos += 4;
	return v;
}

/*
 * 1 when cp is a noncharacter, which I-JSON strings must not hold (RFC
 * 7493 section 2.1): U+FDD0..U+FDEF, and the last two code points of
 * every plane (U+FFFE, U+FFFF, U+1FFFE, ... U+10FFFF).
 */
static int
ijson_nonchar(unsigned long cp)
{

	return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) == 0xfffe;
}

/*
 * Returns the offset of the first noncharacter in s[0..len), which is
 * well-formed UTF-8 made of whole sequences, with its code point in
 * *cp; len when there is none.  Only three- and four-byte sequences can
 * hold one, and every noncharacter of the first plane starts with 0xef.
 */
static size_t
ijson_nonchar_at(const unsigned char *s, size_t len, unsigned long *cp)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (s[i] == 0xef && len - i >= 3)
			*cp = (unsigned long)(s[i] & 0x0f) << 12 |
			    (unsigned long)(s[i + 1] & 0x3f) << 6 |
			    (s[i + 2] & 0x3f);
		else if (s[i] >= 0xf0 && len - i >= 4)
			*cp = (unsigned long)(s[i] & 0x07) << 18 |
			    (unsigned long)(s[i + 1] & 0x3f) << 12 |
			    (unsigned long)(s[i + 2] & 0x3f) << 6 |
			    (s[i + 3] & 0x3f);
		else
			continue;
		if (ijson_nonchar(*cp))
			return i;
	}
	return len;
}

/*
 * Reads a \u escape (the position is past the 'u'), joining a surrogate
 * pair, and appends the code point as UTF-8.
 */
static enum pie_res
ijson_escape_u(struct ijson *p)
{
	long		 cp, lo;
	size_t		 n, start = p->pos - 2;
	unsigned char	*o;

	if ((cp = ijson_hex4(p)) < 0)
		return ijson_fail(p, 1, "invalid \\u escape in string");
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return ijson_fail(p, 1, "lone surrogate \\u escape in string");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (p->len - p->pos < 2 || p->buf[p->pos] != '\\' ||
		    p->buf[p->pos + 1] != 'u')
			return ijson_fail(p, 1,
			    "lone surrogate \\u escape in string");
		p->pos += 2;
		lo = ijson_hex4(p);
		if (lo < 0xdc00 || lo > 0xdfff)
			return ijson_fail(p, 1,
			    "lone surrogate \\u escape in string");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp == 0)
		return ijson_fail(p, 1, "U+0000 is not allowed in strings");
	if (ijson_nonchar((unsigned long)cp)) {
		p->pos = start;
		return ijson_fail(p, 1, "noncharacter U+%04lX in string", cp);
	}

	if (ijson_sb_reserve(p, 4) != PIE_OK)
		return PIE_ERR_NOMEM;
	o = (unsigned char *)p->sb + p->sblen;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		o[0] = (unsigned char)(0xf0 | (cp >> 18));
		o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	p->sblen += n;
	return PIE_OK;
}

/* Reads a one-character escape (the position is on the character). */
static enum pie_res
ijson_escape(struct ijson *p)
{
	char	 c;

	if (p->pos >= p->len)
		return ijson_fail(p, 1, "unterminated string");
	switch (p->buf[p->pos]) {
	case '"':
	case '\\':
	case '/':
		c = (char)p->buf[p->pos];
		break;
	case 'b':
		c = '\b';
		break;
	case 'f':
		c = '\f';
		break;
	case 'n':
		c = '\n';
		break;
	case 'r':
		c = '\r';
		break;
	case 't':
		c = '\t';
		break;
	case 'u':
		p->pos++;
		return ijson_escape_u(p);
	default:
		return ijson_fail(p, 1, "invalid escape in string");
	}
	if (ijson_sb_reserve(p, 1) != PIE_OK)
		return PIE_ERR_NOMEM;
	p->sb[p->sblen++] = c;
	p->pos++;
	return PIE_OK;
}

/*
 * Reads a string (the position is on its opening quote) into p->sb,
 * unescaped and NUL-terminated, its length in p->sblen.
 */
static enum pie_res
ijson_string(struct ijson *p)
{
	enum pie_res	 res;
	size_t		 run, bad;
	unsigned long	 cp;
	unsigned char	 c;

	p->pos++;
	p->sblen = 0;
	if ((res = ijson_sb_reserve(p, 0)) != PIE_OK)
		return res;
	for (;;) {
		/* Copy a run of ordinary bytes at once. */
		run = p->pos;
		while (run < p->len && p->buf[run] >= 0x20 &&
		    p->buf[run] != '"' && p->buf[run] != '\\')
			run++;
		bad = ijson_nonchar_at(p->buf + p->pos, run - p->pos, &cp);
		if (bad < run - p->pos) {
			p->pos += bad;
			return ijson_fail(p, 1,
			    "noncharacter U+%04lX in string", cp);
		}
		if ((res = ijson_sb_reserve(p, run - p->pos)) != PIE_OK)
			return res;
		memcpy(p->sb + p->sblen, p->buf + p->pos, run - p->pos);
		p->sblen += run - p->pos;
		p->pos = run;

		if (p->pos >= p->len)
			return ijson_fail(p, 1, "unterminated string");
		c = p->buf[p->pos];
		if (c == '"')
			break;
		if (c < 0x20)
			return ijson_fail(p, 1,
			    "control character U+%04X in string", c);
		p->pos++;
		if ((res = ijson_escape(p)) != PIE_OK)
			return res;
	}
	p->pos++;
	p->sb[p->sblen] = '\0';
	return PIE_OK;
}

static int
ijson_digit(const struct ijson *p)
{

	return p->pos < p->len && p->buf[p->pos] >= '0' &&
	    p->buf[p->pos] <= '9';
}

/* Skips the digits of a fraction or exponent; there must be one. */
static enum pie_res
ijson_digits(struct ijson *p, size_t start)
{

	if (!ijson_digit(p)) {
		p->pos = start;
		return ijson_fail(p, 1, "invalid number");
	}
	while (ijson_digit(p))
		p->pos++;
	return PIE_OK;
}

/*
 * Reads a number: a json-c int when it is written as an integer that fits
 * 64 bits, else a double that keeps its text.
 */
static enum pie_res
ijson_number(struct ijson *p, struct json_object **out)
{
	size_t		 start = p->pos, n;
	int		 isint = 1;
	long long	 ll;
	double		 d;
	enum pie_res	 res;

	if (p->buf[p->pos] == '-')
		p->pos++;
	if (!ijson_digit(p)) {
		p->pos = start;
		return ijson_fail(p, 1, "invalid number");
	}
	if (p->buf[p->pos++] == '0' && ijson_digit(p)) {
		p->pos = start;
		return ijson_fail(p, 1, "invalid number (leading zero)");
	}
	while (ijson_digit(p))
		p->pos++;
	if (p->pos < p->len && p->buf[p->pos] == '.') {
		isint = 0;
		p->pos++;
		if ((res = ijson_digits(p, start)) != PIE_OK)
			return res;
	}
	if (p->pos < p->len && (p->buf[p->pos] | 0x20) == 'e') {
		isint = 0;
		p->pos++;
		if (p->pos < p->len &&
		    (p->buf[p->pos] == '+' || p->buf[p->pos] == '-'))
			p->pos++;
		if ((res = ijson_digits(p, start)) != PIE_OK)
			return res;
	}

	/* strtod needs a NUL-terminated copy. */
	n = p->pos - start;
	p->sblen = 0;
	if ((res = ijson_sb_reserve(p, n)) != PIE_OK)
		return res;
	memcpy(p->sb, p->buf + start, n);
	p->sb[n] = '\0';

	if (isint) {
		errno = 0;
		ll = strtoll(p->sb, NULL, 10);
		if (errno != ERANGE) {
			*out = json_object_new_int64(ll);
			return *out == NULL ? PIE_ERR_NOMEM : PIE_OK;
		}
	}
	d = strtod(p->sb, NULL);
	if (d - d != 0) {
		p->pos = start;
		return ijson_fail(p, 1, "number out of the range of a double");
	}
	*out = json_object_new_double_s(d, p->sb);
	return *out == NULL ? PIE_ERR_NOMEM : PIE_OK;
}

/* Which of true, false, null starts at the position: 0, 1, 2 or -1. */
static int
ijson_which_literal(const struct ijson *p)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t	 n;
	int	 i;

	for (i = 0; i < 3; i++) {
		n = strlen(words[i]);
		if (p->len - p->pos >= n &&
		    memcmp(p->buf + p->pos, words[i], n) == 0)
			return i;
	}
	return -1;
}

static enum pie_res
ijson_literal(struct ijson *p, struct json_object **out)
{
	int	 i;

	*out = NULL;
	if ((i = ijson_which_literal(p)) < 0)
		return ijson_fail(p, 1,
		    "invalid literal (expected true, false or null)");
	p->pos += i == 1 ? 5 : 4;

	/* null is json-c's NULL object: nothing to allocate. */
	if (i == 2)
		return PIE_OK;
	*out = json_object_new_boolean(i == 0);
	return *out == NULL ? PIE_ERR_NOMEM : PIE_OK;
}

static enum pie_res
ijson_enter(struct ijson *p)
{

	if (++p->depth > IJSON_MAX_DEPTH)
		return ijson_fail(p, 1, "nesting deeper than %d levels",
		    IJSON_MAX_DEPTH);
	p->pos++;
	return PIE_OK;
}

/* Reads one member, "name": value, into obj; names must be new. */
static enum pie_res
ijson_member(struct ijson *p, struct json_object *obj)
{
	struct json_object	*val = NULL;
	struct ijson_mark	 m;
	char			*key;
	enum pie_res		 res;

	ijson_skip_ws(p);
	if (ijson_peek(p) != '"')
		return ijson_unexpected(p, "a member name");
	if ((res = ijson_string(p)) != PIE_OK)
		return res;
	if (json_object_object_get_ex(obj, p->sb, NULL))
		return ijson_fail(p, 0, "duplicate member \"%s\"", p->sb);
	if ((key = strdup(p->sb)) == NULL)
		return PIE_ERR_NOMEM;

	ijson_skip_ws(p);
	if (ijson_peek(p) != ':') {
		res = ijson_unexpected(p, "':' after a member name");
		goto out;
	}
	p->pos++;
	ijson_push_key(p, key, &m);
	if ((res = ijson_value(p, &val)) != PIE_OK)
		goto out;
	ijson_pop(p, &m);

	if (json_object_object_add_ex(obj, key, val,
	    JSON_C_OBJECT_ADD_KEY_IS_NEW) != 0) {
		res = PIE_ERR_NOMEM;
		goto out;
	}
	val = NULL;
out:
	json_object_put(val);
	free(key);
	return res;
}

/* Reads an object (the position is on '{'). */
static enum pie_res
ijson_object(struct ijson *p, struct json_object **out)
{
	struct json_object	*obj;
	enum pie_res		 res;
	int			 c;

	if ((res = ijson_enter(p)) != PIE_OK)
		return res;
	if ((obj = json_object_new_object()) == NULL)
		return PIE_ERR_NOMEM;

	ijson_skip_ws(p);
	c = ijson_peek(p);
	while (c != '}') {
		if ((res = ijson_member(p, obj)) != PIE_OK)
			goto out;
		ijson_skip_ws(p);
		if ((c = ijson_peek(p)) == ',')
			p->pos++;
		else if (c != '}') {
			res = ijson_unexpected(p, "',' or '}'");
			goto out;
		}
	}
	p->pos++;

	p->depth--;
	*out = obj;
	obj = NULL;
	res = PIE_OK;
out:
	json_object_put(obj);
	return res;
}

/* Reads an array (the position is on '['). */
static enum pie_res
ijson_array(struct ijson *p, struct json_object **out)
{
	struct json_object	*arr, *val = NULL;
	struct ijson_mark	 m;
	size_t			 i;
	enum pie_res		 res;
	int			 c;

	if ((res = ijson_enter(p)) != PIE_OK)
		return res;
	if ((arr = json_object_new_array()) == NULL)
		return PIE_ERR_NOMEM;

	ijson_skip_ws(p);
	c = ijson_peek(p);
	for (i = 0; c != ']'; i++) {
		ijson_push_index(p, i, &m);
		if ((res = ijson_value(p, &val)) != PIE_OK)
			goto out;
		ijson_pop(p, &m);
		if (json_object_array_add(arr, val) != 0) {
			res = PIE_ERR_NOMEM;
			goto out;
		}
		val = NULL;

		ijson_skip_ws(p);
		if ((c = ijson_peek(p)) == ',')
			p->pos++;
		else if (c != ']') {
			res = ijson_unexpected(p, "',' or ']'");
			goto out;
		}
	}
	p->pos++;

	p->depth--;
	*out = arr;
	arr = NULL;
	res = PIE_OK;
out:
	json_object_put(val);
	json_object_put(arr);
	return res;
}

/* Reads any value; *out is NULL for JSON null. */
static enum pie_res
ijson_value(struct ijson *p, struct json_object **out)
{
	enum pie_res	 res;
	int		 c;

	*out = NULL;
	ijson_skip_ws(p);
	c = ijson_peek(p);
	switch (c) {
	case '{':
		return ijson_object(p, out);
	case '[':
		return ijson_array(p, out);
	case '"':
		if ((res = ijson_string(p)) != PIE_OK)
			return res;
		*out = json_object_new_string_len(p->sb, (int)p->sblen);
		return *out == NULL ? PIE_ERR_NOMEM : PIE_OK;
	case 't':
	case 'f':
	case 'n':
		return ijson_literal(p, out);
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return ijson_number(p, out);
		return ijson_unexpected(p, "a value");
	}
}

enum pie_res
ijson_parse(const char *buf, size_t len, struct json_object **out,
    char *err, size_t errlen)
{
	struct ijson		 p;
	struct json_object	*tree = NULL;
	enum pie_res		 res;
	size_t			 bad;
	int			 c;

	memset(&p, 0, sizeof(p));
	p.buf = (const unsigned char *)buf;
	p.len = buf == NULL ? 0 : len;
	p.err = err;
	p.errlen = errlen;
	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';

	/* Encoding first: the grammar below assumes valid UTF-8. */
	if (p.len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		res = ijson_fail(&p, 0,
		    "the request body must not start with a byte-order mark");
		goto out;
	}
	if ((bad = ijson_utf8_bad(p.buf, p.len)) < p.len) {
		p.pos = bad;
		res = ijson_fail(&p, 1, "the request body is not valid UTF-8");
		goto out;
	}

	ijson_skip_ws(&p);
	if ((c = ijson_peek(&p)) < 0) {
		res = ijson_fail(&p, 0, "the request body is empty");
		goto out;
	}
	if (c == 0 || strchr("{[\"-0123456789tfn", c) == NULL ||
	    (strchr("tfn", c) != NULL && ijson_which_literal(&p) < 0)) {
		res = ijson_fail(&p, 1, "the request body is not JSON");
		goto out;
	}
	if ((res = ijson_value(&p, &tree)) != PIE_OK)
		goto out;
	ijson_skip_ws(&p);
	if (p.pos < p.len) {
		res = ijson_fail(&p, 1, "unexpected data after the JSON value");
		goto out;
	}

	*out = tree;
	tree = NULL;
out:
	json_object_put(tree);
	free(p.sb);
	return res;
}
