/*
 * itest.c: the integration test helpers (see itest.h).
 */
#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include "itest.h"

int	 it_http1;
int	 it_plain;

void
it_require_stack(void)
{
	if (getenv("PIE_TEST_URL") == NULL)
		cr_skip_test("no stack: run scripts/test (PIE_TEST_URL unset)");
}

const char *
it_stack_dir(void)
{
	const char	*s;

	it_require_stack();
	s = getenv("PIE_STACK_DIR");
	cr_assert_not_null(s, "PIE_STACK_DIR is not set");
	return s;
}

char *
it_token(const char *args)
{
	char	 cmd[4096], buf[8192];
	FILE	*p;
	size_t	 n;

	snprintf(cmd, sizeof(cmd), "%s -k %s/keys/signing.pem -a EdDSA "
	    "-s tester %s", getenv("PIE_TOKEN_BIN"), it_stack_dir(), args);
	p = popen(cmd, "r");
	cr_assert_not_null(p, "cannot run %s", cmd);
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	cr_assert_eq(pclose(p), 0, "pie-token failed: %s", cmd);
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return strdup(buf);
}

const char *
it_admin_token(void)
{
	static char	*tok;

	if (tok == NULL)
		tok = it_token("-S 'assignments:read assignments:write "
		    "services:read services:write registry:read "
		    "registry:write jobs:read jobs:write tenants:admin' "
		    "-C '*' -e 3600");
	return tok;
}

struct it_buf {
	char	*p;
	size_t	 len;
};

static size_t
it_collect(char *data, size_t size, size_t n, void *user)
{
	struct it_buf	*b = user;
	char		*np;

	np = realloc(b->p, b->len + size * n + 1);
	cr_assert_not_null(np);
	memcpy(np + b->len, data, size * n);
	b->len += size * n;
	np[b->len] = '\0';
	b->p = np;
	return size * n;
}

/* Header names are case-insensitive; keep them lowercase for lookups. */
static size_t
it_collect_header(char *data, size_t size, size_t n, void *user)
{
	size_t	 i, len = size * n;

	for (i = 0; i < len && data[i] != ':'; i++)
		data[i] = (char)tolower((unsigned char)data[i]);
	return it_collect(data, size, n, user);
}

struct it_resp *
it_call(const char *method, const char *path, const char *token,
    const char *body, const char *const *extra)
{
	struct it_resp		*r;
	struct it_buf		 b = { NULL, 0 }, h = { NULL, 0 };
	struct curl_slist	*hdrs = NULL;
	char			*url, auth[8192], ca[1024];
	CURL			*c;
	CURLcode		 rc;

	it_require_stack();
	if (asprintf(&url, "%s%s", getenv("PIE_TEST_URL"), path) < 0)
		cr_assert_fail("out of memory");
	if (it_plain && strncmp(url, "https:", 6) == 0)
		memmove(url + 4, url + 5, strlen(url + 5) + 1);
	snprintf(ca, sizeof(ca), "%s/tls/cert.pem", it_stack_dir());
	c = curl_easy_init();
	cr_assert_not_null(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, it_http1 ?
	    (long)CURL_HTTP_VERSION_1_1 : (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, it_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, it_collect_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
		    token);
		hdrs = curl_slist_append(hdrs, auth);
	}
	for (; extra != NULL && *extra != NULL; extra++)
		hdrs = curl_slist_append(hdrs, *extra);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	hdrs = curl_slist_append(hdrs, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);

	rc = curl_easy_perform(c);
	cr_assert_eq(rc, CURLE_OK, "%s %s: %s", method, path,
	    curl_easy_strerror(rc));
	r = calloc(1, sizeof(*r));
	cr_assert_not_null(r);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	r->body = b.p != NULL ? b.p : strdup("");
	r->len = b.len;
	r->headers = h.p != NULL ? h.p : strdup("");
	r->json = json_tokener_parse(r->body);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	free(url);
	return r;
}

struct it_resp *
it_get(const char *path)
{
	return it_call("GET", path, it_admin_token(), NULL, NULL);
}

struct it_resp *
it_send(const char *method, const char *path, const char *body)
{
	static const char *const json[] = {
	    "Content-Type: application/json", NULL };

	return it_call(method, path, it_admin_token(), body, json);
}

const char *
it_header(const struct it_resp *r, const char *name)
{
	static char	 value[1024];
	const char	*p = r->headers;
	size_t		 n = strlen(name), len;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == r->headers || p[-1] == '\n') && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			len = strcspn(p, "\r\n");
			if (len >= sizeof(value))
				len = sizeof(value) - 1;
			memcpy(value, p, len);
			value[len] = '\0';
			return value;
		}
		p += n;
	}
	return NULL;
}

struct json_object *
it_obj(const struct it_resp *r, const char *path)
{
	struct json_object	*o = r->json, *v;
	char			 part[256];
	const char		*p = path, *dot;
	size_t			 len;

	while (o != NULL && *p != '\0') {
		dot = strchr(p, '.');
		len = dot != NULL ? (size_t)(dot - p) : strlen(p);
		snprintf(part, sizeof(part), "%.*s", (int)len, p);
		if (json_object_is_type(o, json_type_array) &&
		    isdigit((unsigned char)part[0]))
			v = json_object_array_get_idx(o, (size_t)atoi(part));
		else if (!json_object_object_get_ex(o, part, &v))
			v = NULL;
		o = v;
		p += len + (dot != NULL);
	}
	return o;
}

const char *
it_str(const struct it_resp *r, const char *path)
{
	struct json_object	*o = it_obj(r, path);

	return o == NULL || !json_object_is_type(o, json_type_string) ?
	    NULL : json_object_get_string(o);
}

long long
it_int(const struct it_resp *r, const char *path)
{
	struct json_object	*o = it_obj(r, path);

	return o == NULL || !json_object_is_type(o, json_type_int) ? -1 :
	    json_object_get_int64(o);
}

void
it_assert_error(const struct it_resp *r, long status, const char *code)
{
	struct json_object	*s;

	cr_assert_eq(r->status, status, "expected %ld, got %ld: %s", status,
	    r->status, r->body);
	cr_assert_not_null(r->json, "error body is not JSON: %s", r->body);
	s = it_obj(r, "success");
	cr_assert(s != NULL && json_object_is_type(s, json_type_boolean) &&
	    !json_object_get_boolean(s), "success is not false: %s", r->body);
	cr_assert(it_str(r, "error") != NULL && *it_str(r, "error") != '\0',
	    "no error message: %s", r->body);
	if (code != NULL)
		cr_assert_str_eq(it_str(r, "code") ? it_str(r, "code") : "",
		    code, "wrong code in %s", r->body);
	cr_assert_not_null(it_header(r, "content-type"));
	cr_assert(strstr(it_header(r, "content-type"), "application/json"),
	    "content type %s", it_header(r, "content-type"));
	cr_assert_str_eq(it_header(r, "cache-control"), "no-store");
	cr_assert_not_null(it_header(r, "x-request-id"));
}

const char *
it_unique(const char *prefix)
{
	static char	 buf[8][96];
	static int	 next;
	char		*out = buf[next++ % 8];
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(out, sizeof(buf[0]), "%s-%ld-%ld-%d", prefix, (long)getpid(),
	    (long)ts.tv_nsec, next);
	return out;
}

void
it_free(struct it_resp *r)
{
	if (r == NULL)
		return;
	json_object_put(r->json);
	free(r->body);
	free(r->headers);
	free(r);
}

size_t
it_walk(const char *path, int limit, const char *key, char **ids,
    size_t max, int *pages)
{
	struct it_resp		*r;
	struct json_object	*items;
	char			 url[2048], cursor[1024] = "";
	size_t			 n = 0, i, len;
	int			 npages = 0;

	do {
		snprintf(url, sizeof(url), "%s%s%s", path,
		    cursor[0] != '\0' ? "&cursor=" : "", cursor);
		r = it_get(url);
		cr_assert_eq(r->status, 200, "%s: %s", url, r->body);
		items = it_obj(r, "items");
		cr_assert(items != NULL &&
		    json_object_is_type(items, json_type_array), "%s", r->body);
		len = json_object_array_length(items);
		cr_assert_leq(len, (size_t)limit, "page over the limit");
		for (i = 0; i < len; i++, n++)
			if (n < max)
				ids[n] = strdup(json_object_get_string(
				    json_object_object_get(
				    json_object_array_get_idx(items, i), key)));
		snprintf(cursor, sizeof(cursor), "%s",
		    it_str(r, "next_cursor") ? it_str(r, "next_cursor") : "");
		cr_assert(cursor[0] != '\0' || it_obj(r, "next_cursor") == NULL,
		    "next_cursor is neither a string nor null: %s", r->body);
		it_free(r);
		npages++;
	} while (cursor[0] != '\0');
	if (pages != NULL)
		*pages = npages;
	return n;
}

const char *const it_json_ct[] = { "Content-Type: application/json", NULL };

void
it_expect(const char *method, const char *path, const char *body,
    long status)
{
	struct it_resp	*r = it_send(method, path, body);

	cr_assert_eq(r->status, status, "%s %s: %s", method, path, r->body);
	it_free(r);
}

void
it_new_client(char *buf, size_t len)
{
	snprintf(buf, len, "/v2/clients/%s", it_unique("c"));
	it_expect("PUT", buf, "{\"display_name\": \"Test client\"}", 201);
}

void
it_new_domain(char *buf, size_t len)
{
	char	 client[128];

	it_new_client(client, sizeof(client));
	snprintf(buf, len, "%s/domains/d1", client);
	it_expect("PUT", buf, "{}", 201);
}

void
it_new_model(char *buf, size_t len)
{
	snprintf(buf, len, "/v2/models/%s", it_unique("m"));
	it_expect("PUT", buf, "{\"description\": \"a test model\"}", 201);
}

int
it_gone(pid_t pid)
{
	char	 path[64], buf[256], *state;
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	state = strrchr(buf, ')');
	return state == NULL || state[1] == '\0' || state[2] == 'Z' ||
	    state[2] == 'X';
}

pid_t
it_master_pid(void)
{
	char	 path[4096];
	FILE	*f;
	long	 pid = 0;

	snprintf(path, sizeof(path), "%s/run/pie.pid", it_stack_dir());
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid > 0 && !it_gone((pid_t)pid) ? (pid_t)pid : 0;
}

int
it_children(pid_t pid, pid_t *kids, int max)
{
	char	 cmd[64];
	FILE	*p;
	long	 kid;
	int	 n = 0;

	snprintf(cmd, sizeof(cmd), "pgrep -P %ld", (long)pid);
	p = popen(cmd, "r");
	cr_assert_not_null(p);
	while (n < max && fscanf(p, "%ld", &kid) == 1)
		kids[n++] = (pid_t)kid;
	pclose(p);
	return n;
}

FILE *
it_db_session(const char *out)
{
	const char	*sock = getenv("PIE_DB_SOCKET");
	char		 cmd[4096], def[2048];
	FILE		*p;

	if (sock == NULL) {
		snprintf(def, sizeof(def), "%s/mariadb/mariadb.sock",
		    it_stack_dir());
		sock = def;
	}
	snprintf(cmd, sizeof(cmd), "mariadb --no-defaults -n -N -S '%s' "
	    "-u root pie >'%s' 2>&1", sock, out);
	p = popen(cmd, "w");
	cr_assert_not_null(p, "cannot run %s", cmd);
	return p;
}

void
it_wait_for(const char *path, const char *word)
{
	char	 buf[4096];
	size_t	 n;
	FILE	*f;
	int	 i;

	for (i = 0; i < 3000; i++) {
		if ((f = fopen(path, "r")) != NULL) {
			n = fread(buf, 1, sizeof(buf) - 1, f);
			buf[n] = '\0';
			fclose(f);
			if (strstr(buf, word) != NULL)
				return;
		}
		usleep(10000);
	}
	cr_assert_fail("the database session never said %s", word);
}

char *
it_read_file(const char *path, long offset)
{
	FILE	*f = fopen(path, "r");
	char	*buf;
	long	 len;

	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	if (offset > len)
		offset = len;
	fseek(f, offset, SEEK_SET);
	buf = malloc((size_t)(len - offset) + 1);
	cr_assert_not_null(buf);
	len = (long)fread(buf, 1, (size_t)(len - offset), f);
	buf[len] = '\0';
	fclose(f);
	return buf;
}
