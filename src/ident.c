/*
 * ident.c: the identifier rules of the API, written as byte tests.
 *
 * Each rule is a first-character class, a class for the rest and a
 * maximum length; see ident.h for the rules themselves.  No regular
 * expression library and no <ctype.h>, whose answers depend on the locale.
 */
#include <stddef.h>

#include "ident.h"

/* Character classes, as bits, tested per byte. */
#define IDENT_C_ALNUM	0x01	/* A-Z a-z 0-9 */
#define IDENT_C_UNDER	0x02	/* _ */
#define IDENT_C_DOT	0x04	/* . */
#define IDENT_C_COLON	0x08	/* : */
#define IDENT_C_DASH	0x10	/* - */
#define IDENT_C_PLUS	0x20	/* + */

struct ident_rule {
	unsigned int	 first;
	unsigned int	 rest;
	size_t		 max;
};

static unsigned int
ident_class(unsigned char c)
{

	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return IDENT_C_ALNUM;
	switch (c) {
	case '_':
		return IDENT_C_UNDER;
	case '.':
		return IDENT_C_DOT;
	case ':':
		return IDENT_C_COLON;
	case '-':
		return IDENT_C_DASH;
	case '+':
		return IDENT_C_PLUS;
	default:
		return 0;
	}
}

/* Fills *r with the rule of kind; returns 0 for IDENT_NONE. */
static int
ident_rule(enum ident_kind kind, struct ident_rule *r)
{
	const unsigned int name = IDENT_C_ALNUM | IDENT_C_UNDER |
	    IDENT_C_DOT | IDENT_C_COLON | IDENT_C_DASH;

	r->first = IDENT_C_ALNUM;
	r->rest = name;
	r->max = 128;
	switch (kind) {
	case IDENT_NONE:
		return 0;
	case IDENT_CAPABILITY:
		r->max = 64;
		break;
	case IDENT_MODEL_VERSION:
		r->rest = IDENT_C_ALNUM | IDENT_C_DOT | IDENT_C_UNDER |
		    IDENT_C_PLUS | IDENT_C_DASH;
		r->max = 64;
		break;
	case IDENT_FEATURE:
		r->first = IDENT_C_ALNUM | IDENT_C_UNDER;
		break;
	default:
		break;
	}
	return 1;
}

int
ident_valid(enum ident_kind kind, const char *s)
{
	struct ident_rule	 r;
	size_t			 i;

	if (s == NULL)
		return 0;
	if (!ident_rule(kind, &r))
		return 1;

	if ((ident_class((unsigned char)s[0]) & r.first) == 0)
		return 0;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= r.max)
			return 0;
		if ((ident_class((unsigned char)s[i]) & r.rest) == 0)
			return 0;
	}
	return 1;
}

const char *
ident_kind_name(enum ident_kind kind)
{

	switch (kind) {
	case IDENT_CLIENT:
		return "client_id";
	case IDENT_DOMAIN:
		return "domain_id";
	case IDENT_SERVICE:
		return "service_id";
	case IDENT_MODEL:
		return "model_id";
	case IDENT_CAPABILITY:
		return "capability";
	case IDENT_MODEL_VERSION:
		return "model_version";
	case IDENT_FEATURE:
		return "feature name";
	default:
		return "identifier";
	}
}
