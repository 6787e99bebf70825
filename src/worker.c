/*
 * worker.c: the request loop of a worker process (see worker.h).
 *
 * Signals are kept blocked while a request is served and are let in only
 * while the worker waits in ppoll(2) for a connection, so a SIGTERM can
 * never interrupt a read or a write half-way: it is seen between
 * requests.  Letting them in there is not enough on its own: when ppoll
 * returns because a descriptor is ready, Linux puts the blocked mask back
 * without delivering a signal that came meanwhile, and under load the
 * listening socket is always ready.  So the worker also looks at its
 * pending signals after each request and before each accept, and a stop
 * is never more than the request in hand away.  The worker accepts
 * connections itself, on a non-blocking listening socket, and hands each
 * to libfcgi; that way a worker that loses the race for a connection
 * goes back to ppoll instead of blocking in accept(2) where no signal
 * could reach it.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "ident.h"
#include "log.h"
#include "router.h"
#include "routes.h"
#include "worker.h"

static volatile sig_atomic_t	 worker_stop;

static void
worker_on_term(int sig)
{
	(void)sig;
	worker_stop = 1;
}

/*
 * Returns 1 once the worker has been told to stop: by a signal its
 * handler saw, or by one that is still pending because it came while
 * signals were blocked (during a request, or as ppoll returned).
 */
static int
worker_stopping(void)
{
	sigset_t	 pending;

	if (!worker_stop && sigpending(&pending) == 0 &&
	    (sigismember(&pending, SIGTERM) == 1 ||
	    sigismember(&pending, SIGINT) == 1))
		worker_stop = 1;
	return worker_stop;
}

/* Milliseconds since an arbitrary point, for request durations. */
static double
worker_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Reads the whole request body, at most max bytes.  Returns PIE_OK,
 * PIE_ERR_TOO_BIG, PIE_ERR_IO when the stream broke, or PIE_ERR_NOMEM.
 */
static enum pie_res
worker_read_body(FCGX_Request *r, struct http_req *req, size_t max)
{
	size_t	 cap = 0, len = 0;
	char	*buf = NULL, *nbuf;
	int	 n;

	if (req->content_length > (long long)max)
		return PIE_ERR_TOO_BIG;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap == 0 ? 8192 : cap * 2;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				free(buf);
				return PIE_ERR_NOMEM;
			}
			buf = nbuf;
		}
		n = FCGX_GetStr(buf + len, 4096, r->in);
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len > max) {
			free(buf);
			return PIE_ERR_TOO_BIG;
		}
	}
	if (FCGX_GetError(r->in) != 0) {
		free(buf);
		return PIE_ERR_IO;
	}
	buf[len] = '\0';
	req->body = buf;
	req->body_len = len;
	return PIE_OK;
}

/* Fills req from the FastCGI parameters.  PIE_ERR_NOMEM or PIE_OK. */
static enum pie_res
worker_read_params(FCGX_Request *r, struct http_req *req)
{
	const char	*cl, *q;
	char		*end;

	req->method = FCGX_GetParam("REQUEST_METHOD", r->envp);
	req->uri = FCGX_GetParam("REQUEST_URI", r->envp);
	req->request_id = FCGX_GetParam("REQUEST_ID", r->envp);
	req->content_type = FCGX_GetParam("CONTENT_TYPE", r->envp);
	req->authorization = FCGX_GetParam("HTTP_AUTHORIZATION", r->envp);
	req->if_match = FCGX_GetParam("HTTP_IF_MATCH", r->envp);
	if (req->method == NULL)
		req->method = "GET";
	if (req->uri == NULL)
		req->uri = "/";
	if (req->content_type != NULL && req->content_type[0] == '\0')
		req->content_type = NULL;

	req->content_length = -1;
	cl = FCGX_GetParam("CONTENT_LENGTH", r->envp);
	if (cl != NULL && cl[0] != '\0') {
		req->content_length = strtoll(cl, &end, 10);
		if (*end != '\0' || req->content_length < 0)
			req->content_length = -1;
	}

	q = strchr(req->uri, '?');
	req->path = q == NULL ? strdup(req->uri) :
	    strndup(req->uri, (size_t)(q - req->uri));
	req->query = q == NULL ? NULL : q + 1;
	return req->path == NULL ? PIE_ERR_NOMEM : PIE_OK;
}

/* The message of each 401, naming the check that failed. */
static const char *
worker_auth_message(const char *code)
{
	static const struct {
		const char	*code, *msg;
	} m[] = {
		{ "missing_token", "an Authorization: Bearer token is "
		    "required" },
		{ "malformed_token", "the bearer token is not a well-formed "
		    "JWT" },
		{ "unsupported_algorithm", "the token's signature algorithm "
		    "is not accepted" },
		{ "unknown_key", "no configured key matches the token" },
		{ "invalid_signature", "the token's signature does not "
		    "verify" },
		{ "token_expired", "the token has expired" },
		{ "token_not_yet_valid", "the token is not valid yet" },
		{ "invalid_issuer", "the token's issuer is not accepted" },
		{ "invalid_audience", "the token is not meant for this "
		    "service" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strcmp(m[i].code, code) == 0)
			return m[i].msg;
	return "the token was refused";
}

/* Each path parameter name and the identifier rule it follows. */
static int
worker_param_valid(const char *name, const char *value)
{
	static const struct {
		const char	*name;
		enum ident_kind	 kind;
	} k[] = {
		{ "client_id", IDENT_CLIENT },
		{ "domain_id", IDENT_DOMAIN },
		{ "service_id", IDENT_SERVICE },
		{ "model_id", IDENT_MODEL },
		{ "model_version", IDENT_MODEL_VERSION },
		{ "capability", IDENT_CAPABILITY },
		{ "job_id", IDENT_SERVICE },
	};
	size_t	 i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (strcmp(k[i].name, name) == 0)
			return ident_valid(k[i].kind, value);
	return 0;
}

/*
 * The checks every /v2 route shares, in the contract's order: the token
 * (401), the path parameters (400), then scope and tenancy (403).
 * Returns PIE_OK when the handler may run; otherwise resp is filled.
 */
static enum pie_res
worker_admit(struct auth_ctx *auth, const struct route *rt,
    struct http_req *req, struct http_resp *resp)
{
	const char	*code = NULL, *client;
	size_t		 i;
	enum pie_res	 res;

	if (rt->public)
		return PIE_OK;

	res = auth_authenticate(auth, req->authorization, time(NULL),
	    &req->who, &code);
	if (res != PIE_OK && res != PIE_ERR_AUTH)
		return http_error(resp, 503, "unavailable", "the token could "
		    "not be checked; try again");
	if (res == PIE_ERR_AUTH) {
		int	 presented = strcmp(code, "missing_token") != 0;

		http_header(resp, "WWW-Authenticate", "Bearer realm=\"pie\"%s",
		    presented ? ", error=\"invalid_token\"" : "");
		return http_error(resp, 401, code, "%s",
		    worker_auth_message(code));
	}

	for (i = 0; i < req->params.n; i++)
		if (req->params.value[i] == NULL ||
		    !worker_param_valid(req->params.name[i],
		    req->params.value[i]))
			return http_error(resp, 400, "invalid_parameter",
			    "path parameter %s is not a valid identifier",
			    req->params.name[i]);

	if (!auth_has_scope(req->who, rt->scopes)) {
		http_header(resp, "WWW-Authenticate",
		    "Bearer realm=\"pie\", error=\"insufficient_scope\"");
		return http_error(resp, 403, "insufficient_scope",
		    "the token lacks the scope this route needs");
	}
	client = http_param(req, "client_id");
	if (client != NULL && !auth_may_touch_client(req->who, client))
		return http_error(resp, 403, "forbidden_client",
		    "the token does not grant access to client %s", client);
	return PIE_OK;
}

/*
 * Routes the request and runs its handler; resp is always filled.  HEAD
 * is served by the GET route of the path (worker_send leaves the body
 * out), and OPTIONS is answered for every known path with its Allow.
 */
static void
worker_dispatch(struct auth_ctx *auth, FCGX_Request *r,
    struct http_req *req, struct http_resp *resp)
{
	const struct route	*rt = NULL;
	const char		*method = req->method;
	char			 allow[64];
	enum pie_res		 res;

	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	switch (router_match(routes, routes_count, method, req->path,
	    &req->params, &rt, allow, sizeof(allow))) {
	case ROUTER_NOT_FOUND:
		http_error(resp, 404, "not_found", "no such route: %s %s",
		    req->method, req->path);
		return;
	case ROUTER_BAD_METHOD:
		http_header(resp, "Allow", "%s", allow);
		if (strcmp(method, "OPTIONS") == 0) {
			resp->status = 204;
			return;
		}
		http_error(resp, 405, "method_not_allowed", "%s is not "
		    "allowed here; allowed: %s", req->method, allow);
		return;
	case ROUTER_FOUND:
		break;
	}

	if (worker_admit(auth, rt, req, resp) != PIE_OK)
		return;

	/* Bodies are read only for admitted requests. */
	res = worker_read_body(r, req, req->cfg->max_body);
	if (res == PIE_ERR_TOO_BIG) {
		http_error(resp, 413, "payload_too_large", "the body is larger "
		    "than %zu bytes", req->cfg->max_body);
		return;
	}
	if (res != PIE_OK) {
		http_error(resp, res == PIE_ERR_NOMEM ? 503 : 400,
		    res == PIE_ERR_NOMEM ? "unavailable" : "invalid_body",
		    "the request body could not be read");
		return;
	}

	res = rt->handler(req, resp);
	if (resp->status != 0)
		return;

	/* A handler that failed without answering. */
	switch (res) {
	case PIE_ERR_NOMEM:
	case PIE_ERR_DB:
	case PIE_ERR_RETRY:
		http_error(resp, 503, "unavailable", "the service is "
		    "temporarily unable to answer; try again");
		break;
	default:
		log_error("handler for %s %s returned %s without answering",
		    req->method, rt->pattern, pie_res_str(res));
		http_error(resp, 500, "internal_error", "internal error");
		break;
	}
}

/*
 * The status a response goes out with: a response without a body is one
 * that ran out of memory (503), unless it is a 204.
 */
static int
worker_status(const struct http_resp *resp)
{
	if (resp->body == NULL && resp->status != 204)
		return 503;
	return resp->status;
}

/*
 * Writes the response; a broken client connection is only logged.  A
 * HEAD request gets the head a GET would have, Content-Length included.
 */
static void
worker_send(FCGX_Request *r, const struct http_req *req,
    const struct http_resp *resp)
{
	static const char fallback[] = "{\"success\":false,"
	    "\"error\":\"out of memory\",\"code\":\"unavailable\"}";
	int		 status = worker_status(resp);
	const char	*body = resp->body != NULL ? resp->body : fallback;
	size_t		 len = resp->body != NULL ? resp->body_len :
	    sizeof(fallback) - 1;
	char		 head[1024], content[96] = "";
	int		 n;

	/* libfcgi's own printf knows no %zu: format the head here. */
	if (status == 204)
		len = 0;
	else
		snprintf(content, sizeof(content), "Content-Type: "
		    "application/json\r\nContent-Length: %zu\r\n", len);
	n = snprintf(head, sizeof(head), "Status: %d %s\r\n%s"
	    "Cache-Control: no-store\r\nX-Request-Id: %s\r\n%s\r\n",
	    status, http_reason(status), content, req->request_id != NULL ?
	    req->request_id : "-", resp->headers);
	if (strcmp(req->method, "HEAD") == 0)
		len = 0;
	if (n < 0 || (size_t)n >= sizeof(head) ||
	    FCGX_PutStr(head, n, r->out) < 0 ||
	    (len > 0 && FCGX_PutStr(body, (int)len, r->out) < 0))
		log_warn("client went away before the response was sent");
}

static void
worker_serve(struct auth_ctx *auth, const struct config *cfg,
    struct db *db, FCGX_Request *r)
{
	struct http_req		 req;
	struct http_resp	 resp;
	double			 start = worker_now_ms();
	const char		*client, *who;
	char			 sub[800], cl[400];

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.cfg = cfg;
	req.db = db;

	if (worker_read_params(r, &req) != PIE_OK)
		http_error(&resp, 503, "unavailable", "out of memory");
	else {
		log_set_request_id(req.request_id);
		worker_dispatch(auth, r, &req, &resp);
	}
	worker_send(r, &req, &resp);

	/* sub and client are the caller's text: they must not fake fields. */
	client = http_param(&req, "client_id");
	who = req.who != NULL ? auth_principal_sub(req.who) : NULL;
	log_info("%s %s %d %.1fms sub=%s client=%s%s%s", req.method,
	    req.path != NULL ? req.path : "-", worker_status(&resp),
	    worker_now_ms() - start,
	    log_field(sub, sizeof(sub), who != NULL ? who : "-"),
	    log_field(cl, sizeof(cl), client != NULL ? client : "-"),
	    resp.code != NULL ? " code=" : "",
	    resp.code != NULL ? resp.code : "");
	log_set_request_id(NULL);

	auth_principal_free(req.who);
	http_req_clear(&req);
	http_resp_clear(&resp);
}

/*
 * Accepts one connection from the non-blocking listening socket.  Returns
 * its fd, or -1 when another worker was faster or accept failed (logged,
 * with a pause, unless it is one of the harmless races).
 */
static int
worker_accept(int listen_fd)
{
	int	 fd;

	fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR && errno != ECONNABORTED) {
		log_error("worker: accept: %s", strerror(errno));
		sleep(1);
	}
	return fd;
}

void
worker_run(int listen_fd, const struct config *cfg, struct auth_ctx *auth)
{
	FCGX_Request		 r;
	struct pollfd		 pfd;
	struct sigaction	 sa;
	sigset_t		 block, waitmask;
	struct db		*db;
	int			 kept;

	/*
	 * Stop signals wait while a request is served.  The master forks
	 * with them blocked, so one sent before this point is pending, not
	 * lost, and the first worker_stopping sees it.
	 */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_SETMASK, &block, NULL);
	sigemptyset(&waitmask);

	if (FCGX_Init() != 0 || FCGX_InitRequest(&r, listen_fd, 0) != 0 ||
	    (db = db_new(cfg)) == NULL) {
		log_error("worker: cannot initialise");
		_exit(1);
	}
	log_info("worker ready");

	while (!worker_stopping()) {
		/*
		 * A connection nginx keeps open (fastcgi_keep_conn on) is
		 * served until nginx closes it; otherwise a new one is
		 * accepted.  Either way the wait lets signals in.
		 */
		kept = r.ipcFd >= 0;
		pfd.fd = kept ? r.ipcFd : listen_fd;
		pfd.events = POLLIN;
		if (ppoll(&pfd, 1, NULL, &waitmask) < 0) {
			if (errno == EINTR)
				continue;
			log_error("worker: poll: %s", strerror(errno));
			break;
		}

		/* A stop that came with the connection wins over it. */
		if (worker_stopping())
			break;
		if (!kept && (r.ipcFd = worker_accept(listen_fd)) < 0)
			continue;

		/*
		 * libfcgi takes a connection accepted this way: it first
		 * finishes the previous request, which would close the new
		 * fd unless that request is marked as keeping it.
		 */
		r.keepConnection = 1;
		if (FCGX_Accept_r(&r) < 0) {
			/* nginx closing a kept connection is no news. */
			if (!kept)
				log_warn("worker: a FastCGI connection failed "
				    "to start");
			r.ipcFd = -1;
			continue;
		}
		worker_serve(auth, cfg, db, &r);
		FCGX_Finish_r(&r);
	}

	log_info("worker stopping");
	db_free(db);
	_exit(0);
}
