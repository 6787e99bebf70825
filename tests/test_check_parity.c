/*
 * test_check_parity.c: the compatibility check of the stored procedures
 * (sql/002_check.sql) and feature_check(), its reference in C, find the
 * same blocking entries in the same order.
 *
 * Random freezes and services, drawn from a fixed seed, go through the
 * real write procedures of a scratch database (built from sql/ by the
 * migration runner) and through feature_check(); a disagreement prints
 * the whole case and both lists of entries.  Small writes (service puts
 * and patches, upserts of small domains, service_updates) run the lookup
 * plan of the check; an upsert over a large domain runs the domain-wide
 * plan, and the same pairs are also handed to each plan directly.
 *
 * Needs the stack's MariaDB: PIE_DB_SOCKET (user root, no password, or
 * PIE_DB_USER and PIE_DB_PASSWORD); skipped without it.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <json-c/json.h>
#include <mysql.h>

#include "config.h"
#include "feature.h"
#include "freeze.h"
#include "ijson.h"
#include "log.h"
#include "migrate.h"

#ifndef PARITY_SQL_DIR
#define PARITY_SQL_DIR	"sql"
#endif

#define PARITY_SEED		0x9e3779b97f4a7c15ULL
#define PARITY_CASES		400	/* small cases */
#define PARITY_BIG		600	/* services of the large domain */
#define PARITY_BIG_VERSIONS	24
#define PARITY_SHOWN		5	/* disagreements printed in full */
#define PARITY_JSON \
	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/*
 * Values that features, bounds, defaults and allowed values are drawn
 * from, as JSON text so that each spelling (3.0, 1e3, escapes) reaches
 * the validators as a user would send it.
 */
/* A string past the small buffer of a value key: 396 bytes. */
#define PARITY_LONG \
	"long-string-long-string-long-string-long-string-long-string-" \
	"long-string-long-string-long-string-long-string-long-string-" \
	"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"

static const char *const parity_values[] = {
	"\"\"", "\"economy\"", "\"business\"", "\"Economy\"",
	"\"economy \"", "\"Z\\u00fcrich\"", "\"Z\xc3\xbcrich\"",
	"\"Zu\\u0308rich\"", "\"\\ud83d\\ude86\"", "\"\xe6\x9d\xb1\"",
	"\"a\\\"b\"", "\"back\\\\slash\"", "\"tab\\there\"", "\"1\"",
	"\"true\"", "\"null\"",
	"0", "-0", "-0.0", "1", "-1", "3", "3.0", "1e3", "1000", "1E+3",
	"5000", "5001", "2.5", "0.1", "0.30000000000000004", "-7.25",
	"9007199254740992", "9007199254740993", "9223372036854775807",
	"-9223372036854775808", "18446744073709551615", "1e300", "-1e300",
	"1.7976931348623157e308", "-1.7976931348623157e308", "5e-324",
	"2.2250738585072014e-308", "1e-7", "1e-400", "-0.1", "0.3",
	"4999.999999999999", "5000.000000000001", "123456789012345678",
	"123456789012345680", "-5000", "100",
	"true", "false",
	"\"" PARITY_LONG PARITY_LONG PARITY_LONG "\""
};
#define PARITY_NVALUES	(sizeof(parity_values) / sizeof(parity_values[0]))

static const char *const parity_names[] = {
	"route", "cabin_category", "capacity", "speed", "a", "A", "a.b",
	"x:y", "z-1", "f_0", "F_0", "n9", "Zz", "zz"
};
#define PARITY_NNAMES	(sizeof(parity_names) / sizeof(parity_names[0]))

/* Provided features that no freeze names: they must be ignored. */
static const char *const parity_extras[] = { "extra", "route2", "ROUTE" };

static const char *const parity_types[] = {
	"string", "integer", "number", "boolean"
};

/* Service ids whose binary order differs from any case-folded order. */
static const char *const parity_sids[] = {
	"s1", "S1", "s-1", "s_1", "s.1", "s10", "s2", "T"
};
#define PARITY_NSIDS	(sizeof(parity_sids) / sizeof(parity_sids[0]))

struct parity {
	MYSQL		*m;
	char		 db[64];
	uint64_t	 rng;
	int		 bad;		/* disagreements found */
	size_t		 compared;	/* lists of entries compared */
	size_t		 entries;	/* entries found by SQL */
	struct json_object *stored;	/* large domain: id -> features */
};

/* The results of one query: every result set, or the error. */
struct parity_res {
	MYSQL_RES	*set[8];
	size_t		 n;
	unsigned	 err;
	char		 state[6];
	char		 msg[512];
};

/* The first result set of a write: total is -1 for 'ok'. */
struct parity_head {
	long		 total;
	long		 services;
	char		 version[65];	/* the failing model_version */
};

static struct parity parity;

/* xorshift64: a number in [0, n). */
static uint32_t
parity_rand(struct parity *p, uint32_t n)
{

	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 7;
	p->rng ^= p->rng << 17;
	return (uint32_t)((p->rng >> 11) % n);
}

/* The parsed JSON text s; the caller puts it. */
static struct json_object *
parity_parse(const char *s)
{
	struct json_object	*o = NULL;
	char			 err[256];

	cr_assert_eq(ijson_parse(s, strlen(s), &o, err, sizeof(err)),
	    PIE_OK, "%s: %s", s, err);
	return o;
}

/* A JSON text for messages; valid until obj changes or is put. */
static const char *
parity_text(struct json_object *obj)
{

	return obj == NULL ? "null" :
	    json_object_to_json_string_ext(obj, PARITY_JSON);
}

/*
 * Runs the SQL text (possibly several statements) and keeps every result
 * set in r.  Returns 0, or -1 with r->err, state and msg set.
 */
static int
parity_query(struct parity *p, const char *sql, struct parity_res *r)
{
	MYSQL_RES	*res;
	int		 status;

	memset(r, 0, sizeof(*r));
	if (mysql_real_query(p->m, sql, strlen(sql)) != 0)
		goto fail;
	do {
		if ((res = mysql_store_result(p->m)) != NULL) {
			cr_assert_lt(r->n, 8, "too many result sets");
			r->set[r->n++] = res;
		} else if (mysql_field_count(p->m) != 0)
			goto fail;
		status = mysql_next_result(p->m);
	} while (status == 0);
	if (status > 0)
		goto fail;
	return 0;
fail:
	r->err = mysql_errno(p->m);
	snprintf(r->state, sizeof(r->state), "%s", mysql_sqlstate(p->m));
	snprintf(r->msg, sizeof(r->msg), "%s", mysql_error(p->m));
	return -1;
}

static void
parity_free(struct parity_res *r)
{
	size_t	 i;

	for (i = 0; i < r->n; i++)
		mysql_free_result(r->set[i]);
	r->n = 0;
}

/* Runs sql, which must succeed, and drops its results. */
static void
parity_exec(struct parity *p, const char *sql)
{
	struct parity_res	 r;

	cr_assert_eq(parity_query(p, sql, &r), 0, "%.300s: %s", sql, r.msg);
	parity_free(&r);
}

/*
 * Formats SQL into a new string: %s inserts text as is, %q a quoted and
 * escaped string literal (NULL for a NULL pointer), %u an unsigned.  The
 * caller frees the result.
 */
static char *
parity_sql(struct parity *p, const char *fmt, ...)
{
	va_list		 ap;
	const char	*s, *v;
	char		*out, *o;
	size_t		 cap = strlen(fmt) + 1;

	/* The room needed first: an escaped string at most doubles. */
	va_start(ap, fmt);
	for (s = fmt; *s != '\0'; s++) {
		if (s[0] != '%' || s[1] == '\0')
			continue;
		if (*++s == 'u') {
			(void)va_arg(ap, unsigned);
			cap += 12;
		} else if ((v = va_arg(ap, const char *)) != NULL)
			cap += strlen(v) * 2 + 3;
		else
			cap += 5;
	}
	va_end(ap);

	cr_assert_not_null(out = malloc(cap));
	o = out;
	va_start(ap, fmt);
	for (s = fmt; *s != '\0'; s++) {
		if (s[0] != '%' || s[1] == '\0') {
			*o++ = *s;
			continue;
		}
		switch (*++s) {
		case 'u':
			o += sprintf(o, "%u", va_arg(ap, unsigned));
			break;
		case 's':
			o = stpcpy(o, va_arg(ap, const char *));
			break;
		default:
			if ((v = va_arg(ap, const char *)) == NULL) {
				o = stpcpy(o, "NULL");
				break;
			}
			*o++ = '\'';
			o += mysql_real_escape_string(p->m, o, v, strlen(v));
			*o++ = '\'';
		}
	}
	*o = '\0';
	va_end(ap);
	return out;
}

/* Runs the formatted SQL, which must succeed. */
static void
parity_run(struct parity *p, char *sql)
{

	parity_exec(p, sql);
	free(sql);
}

/* Connects, creates the scratch database and applies sql/ to it. */
static void
parity_setup(void)
{
	struct parity	*p = &parity;
	struct config	 cfg;
	const char	*sock = getenv("PIE_DB_SOCKET");
	const char	*user = getenv("PIE_DB_USER");
	const char	*pw = getenv("PIE_DB_PASSWORD");
	char		 sql[512];

	memset(p, 0, sizeof(*p));
	p->rng = PARITY_SEED;
	if (sock == NULL || *sock == '\0')
		return;
	if (user == NULL || *user == '\0')
		user = "root";
	snprintf(p->db, sizeof(p->db), "pie_parity_%ld", (long)getpid());

	cr_assert_not_null(p->m = mysql_init(NULL));
	mysql_options(p->m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(p->m, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	cr_assert_not_null(mysql_real_connect(p->m, NULL, user, pw, NULL, 0,
	    sock, CLIENT_MULTI_STATEMENTS), "connect: %s",
	    mysql_error(p->m));
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s; CREATE "
	    "DATABASE %s CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin; "
	    "USE %s", p->db, p->db, p->db);
	parity_exec(p, sql);

	memset(&cfg, 0, sizeof(cfg));
	cfg.db_socket = (char *)sock;
	cfg.db_user = (char *)user;
	cfg.db_password = (char *)pw;
	cfg.db_name = p->db;
	log_threshold = LOG_LVL_WARN;
	cr_assert_eq(migrate_run(&cfg, PARITY_SQL_DIR), PIE_OK,
	    "migrations of %s failed", PARITY_SQL_DIR);

	parity_exec(p, "CALL pie_client_put('c', NULL)");
	parity_exec(p, "CALL pie_model_put('m', NULL)");
}

static void
parity_teardown(void)
{
	struct parity	*p = &parity;
	char		 sql[128];

	if (p->m == NULL)
		return;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", p->db);
	mysql_query(p->m, sql);
	mysql_close(p->m);
	p->m = NULL;
}

/* The member name of obj, or NULL. */
static struct json_object *
parity_member(struct json_object *obj, const char *name)
{
	struct json_object	*v = NULL;

	json_object_object_get_ex(obj, name, &v);
	return v;
}

/* A single number from a query that returns one row. */
static unsigned long long
parity_number(struct parity *p, char *sql)
{
	struct parity_res	 r;
	MYSQL_ROW		 row;
	unsigned long long	 n;

	cr_assert_eq(parity_query(p, sql, &r), 0, "%s: %s", sql, r.msg);
	cr_assert(r.n >= 1 && (row = mysql_fetch_row(r.set[0])) != NULL &&
	    row[0] != NULL, "%s: no row", sql);
	n = strtoull(row[0], NULL, 10);
	parity_free(&r);
	free(sql);
	return n;
}

/* A new value drawn from the pool. */
static struct json_object *
parity_any(struct parity *p)
{

	return parity_parse(parity_values[parity_rand(p, PARITY_NVALUES)]);
}

static int
parity_numeric(const char *type)
{

	return strcmp(type, "integer") == 0 || strcmp(type, "number") == 0;
}

/* 1 when v has the type and lies within lo..hi (each may be NULL). */
static int
parity_fits(const char *type, struct json_object *lo,
    struct json_object *hi, struct json_object *v)
{
	double	 d;

	if (!feature_type_fits(type, v))
		return 0;
	if (!parity_numeric(type))
		return 1;
	d = json_object_get_double(v);
	return (lo == NULL || d >= json_object_get_double(lo)) &&
	    (hi == NULL || d <= json_object_get_double(hi));
}

/* A new value that fits, or NULL when none of many draws did. */
static struct json_object *
parity_fitting(struct parity *p, const char *type, struct json_object *lo,
    struct json_object *hi)
{
	struct json_object	*v;
	int			 i;

	for (i = 0; i < 200; i++) {
		v = parity_any(p);
		if (parity_fits(type, lo, hi, v))
			return v;
		json_object_put(v);
	}
	return NULL;
}

/* Up to four allowed values that fit, with distinct keys; or NULL. */
static struct json_object *
parity_allowed(struct parity *p, const char *type, struct json_object *lo,
    struct json_object *hi)
{
	struct json_object	*av, *v;
	char			 keys[4][FEATURE_KEY_LEN + 1];
	size_t			 n = 0, want, i, j;

	want = 1 + parity_rand(p, 4);
	cr_assert_not_null(av = json_object_new_array());
	for (i = 0; i < 32 && n < want; i++) {
		if ((v = parity_fitting(p, type, lo, hi)) == NULL)
			break;
		cr_assert_eq(feature_value_key(v, keys[n]), PIE_OK);
		for (j = 0; j < n && strcmp(keys[j], keys[n]) != 0; j++)
			continue;
		if (j < n) {
			json_object_put(v);
			continue;
		}
		json_object_array_add(av, v);
		n++;
	}
	if (n == 0) {
		json_object_put(av);
		return NULL;
	}
	return av;
}

/* A random freeze feature named name. */
static struct json_object *
parity_feature(struct parity *p, const char *name)
{
	struct json_object	*f, *lo = NULL, *hi = NULL, *av = NULL;
	struct json_object	*def = NULL, *t;
	const char		*type = parity_types[parity_rand(p, 4)];

	cr_assert_not_null(f = json_object_new_object());
	json_object_object_add(f, "name", json_object_new_string(name));
	json_object_object_add(f, "type", json_object_new_string(type));
	if (parity_rand(p, 3) > 0)
		json_object_object_add(f, "mandatory",
		    json_object_new_boolean(parity_rand(p, 3) > 0));

	if (parity_numeric(type) && parity_rand(p, 2))
		lo = parity_fitting(p, type, NULL, NULL);
	if (parity_numeric(type) && parity_rand(p, 2))
		hi = parity_fitting(p, type, NULL, NULL);
	if (lo != NULL && hi != NULL &&
	    json_object_get_double(lo) > json_object_get_double(hi)) {
		t = lo;
		lo = hi;
		hi = t;
	}
	if (parity_rand(p, 5) < 2)
		av = parity_allowed(p, type, lo, hi);
	if (parity_rand(p, 10) < 3)
		def = av != NULL ? json_object_get(json_object_array_get_idx(
		    av, parity_rand(p, json_object_array_length(av)))) :
		    parity_fitting(p, type, lo, hi);

	if (def != NULL)
		json_object_object_add(f, "default", def);
	if (av != NULL)
		json_object_object_add(f, "allowed_values", av);
	if (lo != NULL)
		json_object_object_add(f, "minimum", lo);
	if (hi != NULL)
		json_object_object_add(f, "maximum", hi);
	return f;
}

/* A random freeze of up to six features. */
static struct json_object *
parity_freeze(struct parity *p)
{
	struct json_object	*fz, *list;
	const char		*names[PARITY_NNAMES], *t;
	size_t			 i, j, n = parity_rand(p, 7);

	for (i = 0; i < PARITY_NNAMES; i++)
		names[i] = parity_names[i];
	for (i = PARITY_NNAMES - 1; i > 0; i--) {
		j = parity_rand(p, (uint32_t)i + 1);
		t = names[i];
		names[i] = names[j];
		names[j] = t;
	}

	cr_assert_not_null(fz = json_object_new_object());
	cr_assert_not_null(list = json_object_new_array());
	for (i = 0; i < n; i++)
		json_object_array_add(list, parity_feature(p, names[i]));
	json_object_object_add(fz, "features", list);
	return fz;
}

/* Creates version ver of model m with the freeze fz, as the API would. */
static void
parity_version(struct parity *p, const char *ver, struct json_object *fz)
{
	struct verr	 err = { NULL, "" };
	char		*canon = NULL, *norm = NULL;

	cr_assert_eq(freeze_validate(fz, &canon, &norm, &err), PIE_OK,
	    "the freeze %s was refused: %s", parity_text(fz), err.msg);
	parity_run(p, parity_sql(p, "CALL pie_model_version_put('m', %q, "
	    "%q, %q)", ver, canon, norm));
	free(canon);
	free(norm);
}

/* A new value that passes freeze feature f, or NULL (JSON null). */
static struct json_object *
parity_good(struct parity *p, struct json_object *f)
{
	struct json_object	*av = parity_member(f, "allowed_values");
	struct json_object	*lo = parity_member(f, "minimum");
	struct json_object	*hi = parity_member(f, "maximum");

	if (av != NULL)
		return json_object_get(json_object_array_get_idx(av,
		    parity_rand(p, json_object_array_length(av))));
	if ((lo != NULL || hi != NULL) && parity_rand(p, 3) == 0)
		return json_object_get(lo != NULL && (hi == NULL ||
		    parity_rand(p, 2)) ? lo : hi);
	return parity_fitting(p, json_object_get_string(
	    parity_member(f, "type")), lo, hi);
}

/*
 * Random provided_features for the freeze fz, as a user might send them:
 * each feature of the freeze absent, null, a value that passes, or any
 * value at all; and a few features the freeze does not name.
 */
static struct json_object *
parity_provided(struct parity *p, struct json_object *fz)
{
	struct json_object	*obj, *list, *f, *v;
	size_t			 i;
	uint32_t		 r;

	cr_assert_not_null(obj = json_object_new_object());
	list = parity_member(fz, "features");
	for (i = 0; i < json_object_array_length(list); i++) {
		f = json_object_array_get_idx(list, i);
		if ((r = parity_rand(p, 20)) < 5)
			continue;
		if (r < 7)
			v = NULL;
		else if (r < 13)
			v = parity_good(p, f);
		else
			v = parity_any(p);
		json_object_object_add(obj, json_object_get_string(
		    parity_member(f, "name")), v);
	}
	for (i = 0; i < 3; i++)
		if (parity_rand(p, 3) == 0)
			json_object_object_add(obj, parity_extras[i],
			    parity_any(p));
	return obj;
}

/* One service of a case: its features as sent and as stored. */
struct parity_svc {
	const char		*id;
	struct json_object	*sent;
	struct json_object	*canon;
	char			*canon_text;
	char			*norm;
	int			 exists;	/* created in domain b */
};

/* Fills s for id with random features for fz, validated as the API does. */
static void
parity_svc_new(struct parity *p, struct parity_svc *s, const char *id,
    struct json_object *fz)
{
	struct verr	 err = { NULL, "" };

	memset(s, 0, sizeof(*s));
	s->id = id;
	s->sent = parity_provided(p, fz);
	cr_assert_eq(feature_validate(s->sent, "provided_features",
	    &s->canon_text, &s->norm, &err), PIE_OK, "%s refused: %s",
	    parity_text(s->sent), err.msg);
	s->canon = parity_parse(s->canon_text);
}

static void
parity_svc_free(struct parity_svc *s)
{

	json_object_put(s->sent);
	json_object_put(s->canon);
	free(s->canon_text);
	free(s->norm);
}

/*
 * A random merge patch of the features of s for fz, as sent: new values,
 * and nulls that remove features s has.
 */
static struct json_object *
parity_patch(struct parity *p, struct parity_svc *s, struct json_object *fz)
{
	struct json_object	*patch = parity_provided(p, fz);

	json_object_object_foreach(s->canon, key, val) {
		(void)val;
		if (parity_rand(p, 4) == 0 &&
		    !json_object_object_get_ex(patch, key, NULL))
			json_object_object_add(patch, key, NULL);
	}
	return patch;
}

/*
 * The procedures' form of a patch: its canonical values, nulls kept, as
 * the handlers send it.  *norm is set to its normalised array; the
 * caller frees both.
 */
static char *
parity_patch_text(struct json_object *patch, const char *path, char **norm)
{
	struct json_object	*c;
	struct verr		 err = { NULL, "" };
	char			*text;

	cr_assert_eq(feature_patch_validate(patch, path, norm, &err), PIE_OK,
	    "%s refused: %s", parity_text(patch), err.msg);
	cr_assert_not_null(c = json_object_new_object());
	json_object_object_foreach(patch, key, val)
		json_object_object_add(c, key, val == NULL ? NULL :
		    feature_canon_value(val));
	cr_assert_not_null(text = strdup(parity_text(c)));
	json_object_put(c);
	return text;
}

/* The stored features of s with the patch (as sent) merged in. */
static struct json_object *
parity_merge(struct parity_svc *s, struct json_object *patch)
{
	struct json_object	*m = NULL;

	cr_assert_eq(json_object_deep_copy(s->canon, &m, NULL), 0);
	json_object_object_foreach(patch, key, val) {
		if (val == NULL)
			json_object_object_del(m, key);
		else
			json_object_object_add(m, key,
			    feature_canon_value(val));
	}
	return m;
}

static int
parity_cmp_feature(const void *a, const void *b)
{

	return strcmp(json_object_get_string(parity_member(
	    *(struct json_object *const *)a, "feature")),
	    json_object_get_string(parity_member(
	    *(struct json_object *const *)b, "feature")));
}

/*
 * Appends to want what feature_check finds for the service sid with the
 * stored features pf against the freezes fz[0..n), in the order a write
 * checks them: one entry per feature, from the first freeze it fails,
 * in feature order, each with its service_id.  Returns the index of the
 * first freeze with an entry, or -1.
 */
static int
parity_expect(struct json_object **fz, size_t n, const char *sid,
    struct json_object *pf, struct json_object *want)
{
	struct json_object	*b, *e, *f, *all;
	size_t			 i, j, k;
	int			 first = -1;

	cr_assert_not_null(all = json_object_new_array());
	for (i = 0; i < n; i++) {
		cr_assert_eq(feature_check(fz[i], pf, &b), PIE_OK);
		for (j = 0; j < json_object_array_length(b); j++) {
			e = json_object_array_get_idx(b, j);
			for (k = 0; k < json_object_array_length(all); k++) {
				f = json_object_array_get_idx(all, k);
				if (parity_cmp_feature(&e, &f) == 0)
					break;
			}
			if (k < json_object_array_length(all))
				continue;
			if (first < 0)
				first = (int)i;
			json_object_object_add(e, "service_id",
			    json_object_new_string(sid));
			json_object_array_add(all, json_object_get(e));
		}
		json_object_put(b);
	}
	json_object_array_sort(all, parity_cmp_feature);
	for (j = 0; j < json_object_array_length(all); j++)
		json_object_array_add(want,
		    json_object_get(json_object_array_get_idx(all, j)));
	json_object_put(all);
	return first;
}

/* The rows (service_id, feature, value, reason) of set as entries. */
static struct json_object *
parity_rows(MYSQL_RES *set)
{
	struct json_object	*got, *e;
	MYSQL_ROW		 row;

	cr_assert_eq(mysql_num_fields(set), 4);
	cr_assert_not_null(got = json_object_new_array());
	while ((row = mysql_fetch_row(set)) != NULL) {
		cr_assert_not_null(e = json_object_new_object());
		json_object_object_add(e, "service_id",
		    json_object_new_string(row[0]));
		json_object_object_add(e, "feature",
		    json_object_new_string(row[1]));
		json_object_object_add(e, "value", row[2] == NULL ? NULL :
		    parity_parse(row[2]));
		json_object_object_add(e, "reason",
		    json_object_new_string(row[3]));
		json_object_array_add(got, e);
	}
	return got;
}

/*
 * The entries of a write's result r: an empty array for 'ok', else the
 * blocked entries, with the header (kind, services, total, model_id,
 * model_version, capability) in h.
 */
static struct json_object *
parity_write_entries(struct parity_res *r, struct parity_head *h)
{
	MYSQL_ROW	 row;

	memset(h, 0, sizeof(*h));
	h->total = h->services = -1;
	cr_assert(r->n >= 1 && mysql_num_fields(r->set[0]) >= 3);
	cr_assert_not_null(row = mysql_fetch_row(r->set[0]));
	if (strcmp(row[0], "ok") == 0)
		return json_object_new_array();
	cr_assert_str_eq(row[0], "blocked");
	cr_assert_eq(r->n, 2, "blocked without its entries");
	cr_assert_eq(mysql_num_fields(r->set[0]), 6);
	h->services = atol(row[1]);
	h->total = atol(row[2]);
	snprintf(h->version, sizeof(h->version), "%s",
	    row[4] != NULL ? row[4] : "(null)");
	return parity_rows(r->set[1]);
}

/* Distinct service ids of the entries (sorted by service_id). */
static long
parity_services(struct json_object *entries)
{
	const char	*prev = NULL, *s;
	size_t		 i;
	long		 n = 0;

	for (i = 0; i < json_object_array_length(entries); i++) {
		s = json_object_get_string(parity_member(
		    json_object_array_get_idx(entries, i), "service_id"));
		if (prev == NULL || strcmp(prev, s) != 0)
			n++;
		prev = s;
	}
	return n;
}

static int
parity_same_entry(struct json_object *a, struct json_object *b)
{
	static const char *const keys[] =
	    { "service_id", "feature", "reason" };
	size_t	 i;

	for (i = 0; i < 3; i++)
		if (strcmp(json_object_get_string(parity_member(a, keys[i])),
		    json_object_get_string(parity_member(b, keys[i]))) != 0)
			return 0;
	return json_object_equal(parity_member(a, "value"),
	    parity_member(b, "value"));
}

/*
 * The index of the first entry where want and got differ (up to limit
 * entries of want), or -1 when got is want's first limit entries.
 */
static long
parity_diff(struct json_object *want, struct json_object *got, size_t limit)
{
	size_t	 n = json_object_array_length(want), i;

	if (n > limit)
		n = limit;
	for (i = 0; i < n && i < json_object_array_length(got); i++)
		if (!parity_same_entry(json_object_array_get_idx(want, i),
		    json_object_array_get_idx(got, i)))
			return (long)i;
	return json_object_array_length(got) == n ? -1 : (long)i;
}

/* Prints up to 40 entries of list from first on. */
static void
parity_print(const char *label, struct json_object *list, long first)
{
	size_t	 i, n = json_object_array_length(list);

	fprintf(stderr, "  %s (%zu entries, from #%ld):\n", label, n, first);
	for (i = (size_t)first; i < n && i < (size_t)first + 40; i++)
		fprintf(stderr, "    %s\n",
		    parity_text(json_object_array_get_idx(list, i)));
}

/*
 * Prints the stored features of the service of entry at of list, when
 * the case is too large to print whole.
 */
static void
parity_print_service(struct parity *p, struct json_object *list, long at)
{
	struct json_object	*e = json_object_array_get_idx(list, at);
	const char		*sid;

	if (p->stored == NULL || e == NULL)
		return;
	sid = json_object_get_string(parity_member(e, "service_id"));
	fprintf(stderr, "  service %s stores %s\n", sid,
	    parity_text(parity_member(p->stored, sid)));
}

/*
 * Compares the entries want (feature_check) and got (SQL); on a
 * difference counts it and prints the case in full, the first few times.
 * Takes got.
 */
static void
parity_compare(struct parity *p, const char *what, struct json_object *kase,
    struct json_object *want, struct json_object *got, size_t limit)
{
	long	 at = parity_diff(want, got, limit);

	p->entries += json_object_array_length(got);
	p->compared++;

	if (at >= 0 && ++p->bad <= PARITY_SHOWN) {
		fprintf(stderr, "DISAGREEMENT in %s at entry #%ld\n  case: "
		    "%s\n", what, at, parity_text(kase));
		parity_print("feature_check", want, at > 2 ? at - 2 : 0);
		parity_print("SQL", got, at > 2 ? at - 2 : 0);
		parity_print_service(p, want, at);
		parity_print_service(p, got, at);
	}
	json_object_put(got);
}

/*
 * Checks a write's blocked header h against want and the version whose
 * freeze failed first.
 */
static void
parity_header(struct parity *p, const char *what, struct json_object *kase,
    struct json_object *want, const struct parity_head *h,
    const char *version)
{
	long	 n = (long)json_object_array_length(want);

	if (n == 0 ? h->total == -1 : h->total == n &&
	    h->services == parity_services(want) &&
	    strcmp(h->version, version) == 0)
		return;
	if (++p->bad <= PARITY_SHOWN)
		fprintf(stderr, "DISAGREEMENT in %s: header total %ld, "
		    "services %ld, version %s; feature_check: %ld entries of "
		    "%ld services, version %s\n  case: %s\n", what,
		    h->total, h->services, h->version, n,
		    parity_services(want), version, parity_text(kase));
}

/* Picks k distinct service ids, in binary order, into ids. */
static void
parity_pick_ids(struct parity *p, const char **ids, size_t k)
{
	const char	*t;
	size_t		 i, j;

	for (i = 0; i < k; i++) {
		do {
			ids[i] = parity_sids[parity_rand(p, PARITY_NSIDS)];
			for (j = 0; j < i && strcmp(ids[j], ids[i]) != 0; j++)
				continue;
		} while (j < i);
	}
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
			t = ids[j];
			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
}

/* Runs a write that must end 'ok' or 'blocked'; returns its entries. */
static struct json_object *
parity_write(struct parity *p, char *sql, struct parity_head *h)
{
	struct parity_res	 r;
	struct json_object	*got;

	cr_assert_eq(parity_query(p, sql, &r), 0, "%.400s: %s", sql, r.msg);
	got = parity_write_entries(&r, h);
	parity_free(&r);
	free(sql);
	return got;
}

/*
 * feature_check judges the value as sent and the value as stored alike
 * (the spelling of a number never changes a verdict).
 */
static void
parity_sent_vs_stored(struct parity *p, struct json_object *fz,
    struct parity_svc *s, struct json_object *kase)
{
	struct json_object	*a, *b;
	size_t			 i, n;
	int			 same;

	cr_assert_eq(feature_check(fz, s->sent, &a), PIE_OK);
	cr_assert_eq(feature_check(fz, s->canon, &b), PIE_OK);
	n = json_object_array_length(a);
	same = n == json_object_array_length(b);
	for (i = 0; same && i < n; i++)
		same = strcmp(parity_text(parity_member(
		    json_object_array_get_idx(a, i), "reason")),
		    parity_text(parity_member(json_object_array_get_idx(b, i),
		    "reason"))) == 0 && strcmp(parity_text(parity_member(
		    json_object_array_get_idx(a, i), "feature")),
		    parity_text(parity_member(json_object_array_get_idx(b, i),
		    "feature"))) == 0;
	if (!same && ++p->bad <= PARITY_SHOWN)
		fprintf(stderr, "DISAGREEMENT of feature_check with itself "
		    "for %s: as sent %s, as stored %s\n  case: %s\n", s->id,
		    parity_text(a), parity_text(b), parity_text(kase));
	json_object_put(a);
	json_object_put(b);
}

/*
 * A small case: two versions with random freezes, for the capabilities
 * cap and cap2, and what a report of it prints.
 */
struct parity_case {
	struct json_object	*fz[2];
	char			 ver[2][16];
	struct json_object	*kase;
};

/*
 * The service_updates argument patching service s with patch (as sent):
 * [{"service_id", "patch", "features"}] as the handlers make it.
 */
static struct json_object *
parity_updates(struct parity_svc *s, struct json_object *patch)
{
	struct json_object	*upd, *item;
	char			*ptext, *pnorm;

	ptext = parity_patch_text(patch,
	    "service_updates[0].static_features", &pnorm);
	cr_assert_not_null(item = json_object_new_object());
	json_object_object_add(item, "service_id",
	    json_object_new_string(s->id));
	json_object_object_add(item, "patch", parity_parse(ptext));
	json_object_object_add(item, "features", parity_parse(pnorm));
	cr_assert_not_null(upd = json_object_new_array());
	json_object_array_add(upd, item);
	free(ptext);
	free(pnorm);
	return upd;
}

/*
 * A dry-run domain-default upsert of the first version over domain dom,
 * whose services are s[0..k) (in binary order), with a random patch of
 * one of them in service_updates half of the time.
 */
static void
parity_dry_upsert(struct parity *p, struct parity_case *c, const char *dom,
    struct parity_svc *s, size_t k)
{
	struct json_object	*want, *got, *patch = NULL, *merged = NULL;
	struct json_object	*upd = NULL;
	struct parity_head	 h;
	size_t			 j, u = parity_rand(p, (uint32_t)k);

	if (parity_rand(p, 2)) {
		patch = parity_patch(p, &s[u], c->fz[0]);
		merged = parity_merge(&s[u], patch);
		upd = parity_updates(&s[u], patch);
		json_object_object_add(c->kase, "service_updates",
		    json_object_get(upd));
	}

	cr_assert_not_null(want = json_object_new_array());
	for (j = 0; j < k; j++)
		parity_expect(c->fz, 1, s[j].id, patch != NULL && j == u ?
		    merged : s[j].canon, want);
	got = parity_write(p, parity_sql(p, "CALL pie_assignment_upsert("
	    "'c', %q, NULL, 'cap', 'm', %q, 'active', NULL, NULL, %q, "
	    "'parity', NULL, 1)", dom, c->ver[0],
	    upd != NULL ? parity_text(upd) : NULL), &h);
	parity_header(p, "a dry-run upsert", c->kase, want, &h, c->ver[0]);
	parity_compare(p, "a dry-run upsert", c->kase, want, got, 1000);

	json_object_object_del(c->kase, "service_updates");
	json_object_put(want);
	json_object_put(patch);
	json_object_put(merged);
	json_object_put(upd);
}

/*
 * Counts a disagreement unless the service sid of dom stores the merge
 * that feature_check judged, as the very text a put of it would store.
 */
static void
parity_stored(struct parity *p, struct parity_case *c, const char *dom,
    const char *sid, struct json_object *merged)
{
	struct parity_res	 r;
	struct verr		 err = { NULL, "" };
	char			*sql, *canon, *norm;
	MYSQL_ROW		 row;

	cr_assert_eq(feature_validate(merged, "provided_features", &canon,
	    &norm, &err), PIE_OK, "%s", err.msg);
	sql = parity_sql(p, "SELECT provided_features FROM services WHERE "
	    "client_id = 'c' AND domain_id = %q AND service_id = %q", dom,
	    sid);
	cr_assert_eq(parity_query(p, sql, &r), 0, "%s", r.msg);
	cr_assert_not_null(row = mysql_fetch_row(r.set[0]));
	if (strcmp(row[0], canon) != 0 && ++p->bad <= PARITY_SHOWN)
		fprintf(stderr, "DISAGREEMENT of the merge: stored %s, "
		    "expected %s\n  case: %s\n", row[0], canon,
		    parity_text(c->kase));
	parity_free(&r);
	free(sql);
	free(canon);
	free(norm);
}

/* A patch of one created service of s[0..k) in dom, checked. */
static void
parity_service_patch(struct parity *p, struct parity_case *c,
    const char *dom, struct parity_svc *s, size_t k)
{
	struct json_object	*want, *got, *patch, *merged;
	struct parity_head	 h;
	char			*ptext, *pnorm;
	size_t			 j, u;
	int			 first;

	for (u = parity_rand(p, (uint32_t)k), j = 0; j < k; j++)
		if (s[(u + j) % k].exists)
			break;
	if (j == k)
		return;
	u = (u + j) % k;
	patch = parity_patch(p, &s[u], c->fz[parity_rand(p, 2)]);
	ptext = parity_patch_text(patch, "provided_features", &pnorm);
	merged = parity_merge(&s[u], patch);
	json_object_object_add(c->kase, "patch", json_object_get(patch));
	json_object_object_add(c->kase, "patched",
	    json_object_new_string(s[u].id));

	cr_assert_not_null(want = json_object_new_array());
	first = parity_expect(c->fz, 2, s[u].id, merged, want);
	got = parity_write(p, parity_sql(p, "CALL pie_service_patch('c', %q, "
	    "%q, NULL, %q, %q)", dom, s[u].id, ptext, pnorm), &h);
	parity_header(p, "a service patch", c->kase, want, &h,
	    c->ver[first < 0 ? 0 : first]);
	parity_compare(p, "a service patch", c->kase, want, got, 1000);
	if (h.total == -1) {
		parity_stored(p, c, dom, s[u].id, merged);
		json_object_put(s[u].canon);
		s[u].canon = json_object_get(merged);
	}

	json_object_object_del(c->kase, "patch");
	json_object_object_del(c->kase, "patched");
	json_object_put(want);
	json_object_put(patch);
	json_object_put(merged);
	free(ptext);
	free(pnorm);
}

/*
 * An upsert of cap in dom, where s[0..k) were put, that patches one
 * created service in service_updates: the patched service is checked
 * against the target and against its other capability, cap2.
 */
static void
parity_upsert_patch(struct parity *p, struct parity_case *c,
    const char *dom, struct parity_svc *s, size_t k)
{
	struct json_object	*want, *got, *patch, *merged, *upd;
	struct parity_head	 h;
	size_t			 j, u;
	int			 first = -1, f;

	for (u = parity_rand(p, (uint32_t)k), j = 0; j < k; j++)
		if (s[(u + j) % k].exists)
			break;
	if (j == k)
		return;
	u = (u + j) % k;
	patch = parity_patch(p, &s[u], c->fz[parity_rand(p, 2)]);
	merged = parity_merge(&s[u], patch);
	upd = parity_updates(&s[u], patch);
	json_object_object_add(c->kase, "service_updates",
	    json_object_get(upd));

	cr_assert_not_null(want = json_object_new_array());
	for (j = 0; j < k; j++) {
		if (!s[j].exists)
			continue;
		f = parity_expect(c->fz, j == u ? 2 : 1, s[j].id, j == u ?
		    merged : s[j].canon, want);
		if (f >= 0 && (first < 0 || f < first))
			first = f;
	}
	got = parity_write(p, parity_sql(p, "CALL pie_assignment_upsert("
	    "'c', %q, NULL, 'cap', 'm', %q, 'active', NULL, NULL, %q, "
	    "'parity', NULL, 0)", dom, c->ver[0], parity_text(upd)), &h);
	parity_header(p, "an upsert with service_updates", c->kase, want, &h,
	    c->ver[first < 0 ? 0 : first]);
	parity_compare(p, "an upsert with service_updates", c->kase, want,
	    got, 1000);
	if (h.total == -1)
		parity_stored(p, c, dom, s[u].id, merged);

	json_object_object_del(c->kase, "service_updates");
	json_object_put(want);
	json_object_put(patch);
	json_object_put(merged);
	json_object_put(upd);
}

/*
 * Service writes in the empty domain dom under active assignments of
 * both versions: a put of each service, then a patch of one that was
 * created.  Each is checked against both freezes, cap's first.
 */
static void
parity_service_writes(struct parity *p, struct parity_case *c,
    const char *dom, struct parity_svc *s, size_t k)
{
	struct json_object	*want, *got;
	struct parity_head	 h;
	size_t			 j;
	int			 first;

	parity_run(p, parity_sql(p, "CALL pie_assignment_upsert('c', %q, "
	    "NULL, 'cap', 'm', %q, 'active', NULL, NULL, NULL, 'parity', "
	    "NULL, 0)", dom, c->ver[0]));
	parity_run(p, parity_sql(p, "CALL pie_assignment_upsert('c', %q, "
	    "NULL, 'cap2', 'm', %q, 'active', NULL, NULL, NULL, 'parity', "
	    "NULL, 0)", dom, c->ver[1]));
	for (j = 0; j < k; j++) {
		cr_assert_not_null(want = json_object_new_array());
		first = parity_expect(c->fz, 2, s[j].id, s[j].canon, want);
		got = parity_write(p, parity_sql(p, "CALL pie_service_put('c', "
		    "%q, %q, 'scheduled', %q, %q)", dom, s[j].id,
		    s[j].canon_text, s[j].norm), &h);
		s[j].exists = h.total == -1;
		parity_header(p, "a service put", c->kase, want, &h,
		    c->ver[first < 0 ? 0 : first]);
		parity_compare(p, "a service put", c->kase, want, got, 1000);
		json_object_put(want);
	}
	parity_service_patch(p, c, dom, s, k);
	parity_upsert_patch(p, c, dom, s, k);
}

/*
 * One small case: two versions with random freezes, up to four services
 * with random features (drawn for the first freeze), through a dry-run
 * upsert (domain "a<i>") and through service writes under active
 * assignments (domain "b<i>").
 */
static void
parity_small_case(struct parity *p, unsigned i)
{
	struct parity_case	 c;
	struct json_object	*svcs;
	struct parity_svc	 s[4];
	struct parity_head	 h;
	const char		*ids[4];
	char			 da[16], db[16];
	size_t			 k = 1 + parity_rand(p, 4), j;

	memset(&c, 0, sizeof(c));
	snprintf(da, sizeof(da), "a%u", i);
	snprintf(db, sizeof(db), "b%u", i);
	for (j = 0; j < 2; j++) {
		snprintf(c.ver[j], sizeof(c.ver[j]), "%c%u", "ab"[j], i);
		c.fz[j] = parity_freeze(p);
		parity_version(p, c.ver[j], c.fz[j]);
	}
	parity_run(p, parity_sql(p, "CALL pie_domain_put('c', %q, NULL); "
	    "CALL pie_domain_put('c', %q, NULL)", da, db));

	cr_assert_not_null(c.kase = json_object_new_object());
	cr_assert_not_null(svcs = json_object_new_object());
	json_object_object_add(c.kase, "case", json_object_new_int((int)i));
	json_object_object_add(c.kase, "freeze", json_object_get(c.fz[0]));
	json_object_object_add(c.kase, "freeze_cap2",
	    json_object_get(c.fz[1]));
	json_object_object_add(c.kase, "services", svcs);
	parity_pick_ids(p, ids, k);
	for (j = 0; j < k; j++) {
		parity_svc_new(p, &s[j], ids[j], c.fz[parity_rand(p, 2)]);
		json_object_object_add(svcs, ids[j],
		    json_object_get(s[j].sent));
		parity_sent_vs_stored(p, c.fz[0], &s[j], c.kase);
		json_object_put(parity_write(p, parity_sql(p, "CALL "
		    "pie_service_put('c', %q, %q, 'scheduled', %q, %q)", da,
		    ids[j], s[j].canon_text, s[j].norm), &h));
		cr_assert_eq(h.total, -1, "a put without assignments blocked");
	}

	parity_dry_upsert(p, &c, da, s, k);
	parity_service_writes(p, &c, db, s, k);

	for (j = 0; j < k; j++)
		parity_svc_free(&s[j]);
	json_object_put(c.kase);
	json_object_put(c.fz[0]);
	json_object_put(c.fz[1]);
}

TestSuite(check_parity, .init = parity_setup, .fini = parity_teardown);

Test(check_parity, small_writes_block_exactly_what_feature_check_blocks)
{
	struct parity	*p = &parity;
	unsigned	 i;

	if (p->m == NULL)
		cr_skip_test("no database: set PIE_DB_SOCKET");
	for (i = 0; i < PARITY_CASES; i++)
		parity_small_case(p, i);
	cr_log_info("%zu lists compared, %zu entries", p->compared,
	    p->entries);
	cr_assert_gt(p->entries, 100, "too few entries to prove anything");
	cr_assert_eq(p->bad, 0, "%d disagreements in %d cases (seed %#llx)",
	    p->bad, PARITY_CASES, (unsigned long long)PARITY_SEED);
}

/* The services of the large domain, in binary order of their ids. */
struct parity_big {
	struct parity_svc	 s[PARITY_BIG];
	char			 ids[PARITY_BIG][16];
	int			 override[PARITY_BIG];
	size_t			 overrides;
	unsigned long long	 domain_pk;
};

static int
parity_cmp_svc(const void *a, const void *b)
{

	return strcmp(((const struct parity_svc *)a)->id,
	    ((const struct parity_svc *)b)->id);
}

/*
 * Fills the domain "big": PARITY_BIG scheduled services, each with
 * features drawn for one of the freezes fz[], a few departed ones, and a
 * few with a service-scope revision (of a version with no features) that
 * the domain-wide check must skip.
 */
static void
parity_big_fill(struct parity *p, struct parity_big *b,
    struct json_object **fz, size_t nfz)
{
	static const char *const prefixes[] =
	    { "s", "S", "s-", "s_", "s.", "t", "T" };
	struct json_object	*junk;
	struct verr		 err = { NULL, "" };
	char			 did[16], *canon, *norm;
	size_t			 j;

	parity_exec(p, "CALL pie_domain_put('c', 'big', NULL)");
	for (j = 0; j < PARITY_BIG; j++) {
		snprintf(b->ids[j], sizeof(b->ids[j]), "%s%03zu",
		    prefixes[parity_rand(p, 7)], j);
		parity_svc_new(p, &b->s[j], b->ids[j],
		    fz[parity_rand(p, (uint32_t)nfz)]);
		parity_run(p, parity_sql(p, "CALL pie_service_put('c', 'big', "
		    "%q, 'scheduled', %q, %q)", b->ids[j],
		    b->s[j].canon_text, b->s[j].norm));
	}
	for (j = 0; j < 6; j++) {
		snprintf(did, sizeof(did), "d%zu", j);
		junk = parity_provided(p, fz[j % nfz]);
		cr_assert_eq(feature_validate(junk, "provided_features",
		    &canon, &norm, &err), PIE_OK);
		parity_run(p, parity_sql(p, "CALL pie_service_put('c', 'big', "
		    "%q, 'departed', %q, %q)", did, canon, norm));
		free(canon);
		free(norm);
		json_object_put(junk);
	}
	while (b->overrides < 8) {
		j = parity_rand(p, PARITY_BIG);
		if (b->s[j].exists)
			continue;
		b->s[j].exists = 1;	/* marks an override until sorted */
		b->overrides++;
		parity_run(p, parity_sql(p, "CALL pie_assignment_upsert("
		    "'c', 'big', %q, 'cap', 'm', 'empty', 'active', NULL, "
		    "NULL, NULL, 'parity', NULL, 0)", b->ids[j]));
	}

	qsort(b->s, PARITY_BIG, sizeof(b->s[0]), parity_cmp_svc);
	cr_assert_not_null(p->stored = json_object_new_object());
	for (j = 0; j < PARITY_BIG; j++) {
		b->override[j] = b->s[j].exists;
		b->s[j].exists = 0;
		json_object_object_add(p->stored, b->s[j].id,
		    json_object_get(b->s[j].canon));
	}
	b->domain_pk = parity_number(p, parity_sql(p, "SELECT domain_pk "
	    "FROM domains WHERE client_id = 'c' AND domain_id = 'big'"));
}

/* Pairs of the domain-wide pass, as the upsert makes them. */
static const char parity_pairs_sql[] =
    "CALL pie_check_reset(); "
    "INSERT INTO pie_check_passes (pass, capability) VALUES (1, 'cap'); "
    "INSERT INTO pie_check_pairs (pass, service_pk, version_pk) "
    "SELECT 1, s.service_pk, %u FROM services s "
    "WHERE s.domain_pk = %u AND s.status = 'scheduled' "
    "AND s.service_pk NOT IN (SELECT k.service_pk "
    "FROM assignment_keys k JOIN assignments a ON a.active_key = k.key_pk "
    "WHERE k.domain_pk = %u AND k.capability = 'cap' "
    "AND k.service_pk IS NOT NULL); "
    "CALL %s; "
    "SELECT b.service_id, b.feature, sf.v, b.reason FROM pie_blocking b "
    "LEFT JOIN service_features sf ON sf.service_pk = b.service_pk "
    "AND sf.name = b.feature ORDER BY b.service_id, b.feature";

/* Runs one plan of the check directly on the domain-wide pairs. */
static struct json_object *
parity_plan(struct parity *p, struct parity_big *b, unsigned vpk,
    const char *plan)
{
	struct parity_res	 r;
	struct json_object	*got;
	char			 call[96], *sql;
	unsigned		 dpk = (unsigned)b->domain_pk;

	if (strcmp(plan, "domain") == 0)
		snprintf(call, sizeof(call), "pie_check_domain(%u, 1, %u)",
		    dpk, vpk);
	else
		snprintf(call, sizeof(call), "pie_check_lookup(%u, 1)", dpk);
	sql = parity_sql(p, parity_pairs_sql, vpk, dpk, dpk, call);
	cr_assert_eq(parity_query(p, sql, &r), 0, "%s: %s", call, r.msg);
	cr_assert(r.n >= 1);
	got = parity_rows(r.set[r.n - 1]);
	parity_free(&r);
	free(sql);
	return got;
}

/* Checks version ver (freeze fz) over the large domain, three ways. */
static void
parity_big_version(struct parity *p, struct parity_big *b,
    const char *ver, struct json_object *fz)
{
	struct json_object	*want, *kase;
	unsigned		 vpk;
	size_t			 j;
	struct parity_head	 h;

	cr_assert_not_null(kase = json_object_new_object());
	json_object_object_add(kase, "version", json_object_new_string(ver));
	json_object_object_add(kase, "freeze", json_object_get(fz));
	cr_assert_not_null(want = json_object_new_array());
	for (j = 0; j < PARITY_BIG; j++)
		if (!b->override[j])
			parity_expect(&fz, 1, b->s[j].id, b->s[j].canon,
			    want);
	vpk = (unsigned)parity_number(p, parity_sql(p, "SELECT version_pk "
	    "FROM model_versions WHERE model_id = 'm' AND "
	    "model_version = %q", ver));

	parity_compare(p, "the upsert over the large domain", kase, want,
	    parity_write(p, parity_sql(p, "CALL pie_assignment_upsert("
	    "'c', 'big', NULL, 'cap', 'm', %q, 'active', NULL, NULL, NULL, "
	    "'parity', NULL, 1)", ver), &h), 1000);
	parity_header(p, "the upsert over the large domain", kase, want, &h,
	    ver);
	parity_compare(p, "the domain-wide plan", kase, want,
	    parity_plan(p, b, vpk, "domain"), SIZE_MAX);
	parity_compare(p, "the lookup plan over the large domain", kase,
	    want, parity_plan(p, b, vpk, "lookup"), SIZE_MAX);

	json_object_put(want);
	json_object_put(kase);
}

Test(check_parity, domain_wide_plan_blocks_exactly_what_feature_check_blocks)
{
	struct parity		*p = &parity;
	struct parity_big	*b;
	struct json_object	*fz[PARITY_BIG_VERSIONS], *empty;
	char			 ver[16];
	size_t			 i;

	if (p->m == NULL)
		cr_skip_test("no database: set PIE_DB_SOCKET");
	cr_assert_not_null(b = calloc(1, sizeof(*b)));

	/* The upsert takes the domain-wide plan only for a pass this big. */
	cr_assert(PARITY_BIG - 8 >= 500 && (PARITY_BIG - 8) * 4 >= PARITY_BIG);

	empty = parity_parse("{\"features\":[]}");
	parity_version(p, "empty", empty);
	json_object_put(empty);
	for (i = 0; i < PARITY_BIG_VERSIONS; i++) {
		fz[i] = parity_freeze(p);
		snprintf(ver, sizeof(ver), "w%zu", i);
		parity_version(p, ver, fz[i]);
	}
	parity_big_fill(p, b, fz, PARITY_BIG_VERSIONS);

	for (i = 0; i < PARITY_BIG_VERSIONS; i++) {
		snprintf(ver, sizeof(ver), "w%zu", i);
		parity_big_version(p, b, ver, fz[i]);
	}

	for (i = 0; i < PARITY_BIG_VERSIONS; i++)
		json_object_put(fz[i]);
	for (i = 0; i < PARITY_BIG; i++)
		parity_svc_free(&b->s[i]);
	free(b);
	json_object_put(p->stored);
	p->stored = NULL;
	cr_log_info("%zu lists compared, %zu entries", p->compared,
	    p->entries);
	cr_assert_gt(p->entries, 1000, "too few entries to prove anything");
	cr_assert_eq(p->bad, 0, "%d disagreements over %d versions (seed "
	    "%#llx)", p->bad, PARITY_BIG_VERSIONS,
	    (unsigned long long)PARITY_SEED);
}
