/*
 * tenants.c: clients and domains (see tenants.h).
 *
 * Writes go through pie_client_put and pie_domain_put (sql/003); reads
 * are plain SELECTs on the natural keys.  A PUT replaces the whole
 * resource: display_name left out of the body becomes null.
 */
#include <stddef.h>

#include "body.h"
#include "db.h"
#include "handler.h"
#include "http.h"
#include "tenants.h"

/* The body of both PUTs: {"display_name"?: string | null}. */
static const struct body_field tenants_fields[] = {
	{ "display_name", BODY_T_STRING | BODY_T_NULL, 0, 256, IDENT_NONE },
	{ NULL, 0, 0, 0, IDENT_NONE }
};

static const char *const tenants_no_query[] = { NULL };
static const char *const tenants_list_query[] = { "limit", "cursor", NULL };

static const struct render_col tenants_client_cols[] = {
	{ "client_id", NULL, RENDER_STR },
	{ "display_name", NULL, RENDER_STR },
	{ "created_at", NULL, RENDER_STR },
	{ "updated_at", NULL, RENDER_STR },
	{ NULL, NULL, RENDER_STR }
};

static const struct render_col tenants_domain_cols[] = {
	{ "client_id", NULL, RENDER_STR },
	{ "domain_id", NULL, RENDER_STR },
	{ "display_name", NULL, RENDER_STR },
	{ "created_at", NULL, RENDER_STR },
	{ "updated_at", NULL, RENDER_STR },
	{ NULL, NULL, RENDER_STR }
};

static const char tenants_client_put_sql[] =
    "CALL pie_client_put(?, ?)";
static const char tenants_domain_put_sql[] =
    "CALL pie_domain_put(?, ?, ?)";
static const char tenants_client_sql[] =
    "SELECT client_id, display_name, pie_ts(created_at) AS created_at, "
    "pie_ts(updated_at) AS updated_at FROM clients WHERE client_id = ?";
#define TENANTS_DOMAIN_SELECT \
    "SELECT client_id, domain_id, display_name, " \
    "pie_ts(created_at) AS created_at, pie_ts(updated_at) AS updated_at " \
    "FROM domains WHERE client_id = ? "

static const char tenants_domain_sql[] =
    TENANTS_DOMAIN_SELECT "AND domain_id = ?";
static const char tenants_domains_sql[] =
    TENANTS_DOMAIN_SELECT "AND (? IS NULL OR domain_id > ?) "
    "ORDER BY domain_id LIMIT ?";

static const char *const tenants_client_params[] = { "client_id", NULL };
static const char *const tenants_domain_params[] = { "client_id",
    "domain_id", NULL };

enum pie_res
tenants_client_put(struct http_req *req, struct http_resp *resp)
{
	return handler_put_named(req, resp, tenants_fields,
	    tenants_client_params, tenants_client_put_sql,
	    tenants_client_cols);
}

enum pie_res
tenants_domain_put(struct http_req *req, struct http_resp *resp)
{
	return handler_put_named(req, resp, tenants_fields,
	    tenants_domain_params, tenants_domain_put_sql,
	    tenants_domain_cols);
}

enum pie_res
tenants_client_get(struct http_req *req, struct http_resp *resp)
{
	struct db_arg	 arg = db_str(http_param(req, "client_id"));
	enum pie_res	 res;

	if ((res = http_query_allow(req, resp, tenants_no_query)) != PIE_OK)
		return res;
	return handler_get_one(req, resp, tenants_client_sql, &arg, 1,
	    tenants_client_cols, "client", "client_id");
}

enum pie_res
tenants_domain_get(struct http_req *req, struct http_resp *resp)
{
	struct db_arg	 args[2];
	enum pie_res	 res;

	if ((res = http_query_allow(req, resp, tenants_no_query)) != PIE_OK)
		return res;
	args[0] = db_str(http_param(req, "client_id"));
	args[1] = db_str(http_param(req, "domain_id"));
	return handler_get_one(req, resp, tenants_domain_sql, args, 2,
	    tenants_domain_cols, "domain", "domain_id");
}

enum pie_res
tenants_domain_list(struct http_req *req, struct http_resp *resp)
{
	struct handler_page	 page;
	struct db_arg		 args[4];
	enum pie_res		 res;

	if ((res = http_query_allow(req, resp, tenants_list_query)) !=
	    PIE_OK || (res = handler_page(req, resp, &page,
	    IDENT_DOMAIN, 1)) != PIE_OK)
		return res;
	args[0] = db_str(http_param(req, "client_id"));
	return handler_list_page(req, resp, &page, tenants_domains_sql, args,
	    1, tenants_domain_cols, "domain_id");
}
