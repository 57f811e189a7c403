/*
 * audit.c - the audit trail: rows written with each change, and
 * GET /v1/audit.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "db/tokens.h"
#include "handlers.h"
#include "problem.h"

void
audit_info_from(struct audit_info *a, const struct api_request *req)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->principal, sizeof(a->principal), "%s",
	    req->principal ? req->principal->id : "internal");
	snprintf(a->client_addr, sizeof(a->client_addr), "%s",
	    req->client_addr ? req->client_addr : "");
	snprintf(a->request_id, sizeof(a->request_id), "%s",
	    req->request_id ? req->request_id : "");
	snprintf(a->method, sizeof(a->method), "%s", api_method_name(req->method));
	snprintf(a->path, sizeof(a->path), "%s", req->path ? req->path : "");
}

int
audit_write(sqlite3 *db, const struct audit_info *a, const char *resource,
    int64_t gen_before, int64_t gen_after, struct jd_error *err)
{
	struct audit_row r;

	memset(&r, 0, sizeof(r));
	r.principal = a->principal[0] ? a->principal : "internal";
	r.client_addr = a->client_addr;
	r.request_id = a->request_id;
	r.method = a->method[0] ? a->method : "OTHER";
	r.path = a->path;
	r.resource = resource;
	r.generation_before = gen_before;
	r.generation_after = gen_after;
	return store_audit_add(db, &r, err);
}

struct audit_acc {
	json_t	*items;
	int64_t	 last;
};

static json_t *
gen_or_null(int64_t g)
{
	return g > 0 ? json_integer(g) : json_null();
}

static int
audit_cb(void *arg, const struct audit_row *a)
{
	struct audit_acc *acc = arg;
	json_t *o;

	o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}",
	    "id", (json_int_t)a->id, "time", a->time,
	    "principal", a->principal, "client_addr", a->client_addr,
	    "request_id", a->request_id, "method", a->method,
	    "path", a->path, "resource", a->resource,
	    "generation_before", gen_or_null(a->generation_before),
	    "generation_after", gen_or_null(a->generation_after));
	if (o == NULL)
		return 1;
	json_array_append_new(acc->items, o);
	acc->last = a->id;
	return 0;
}

void
h_audit(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	static const char *const q[] = { "since", "limit", NULL };
	struct verrs errs = { 0 };
	struct audit_acc acc;
	struct jd_error err;
	long long since, limit;

	(void)params;
	if (api_check_query(req, q, resp) == -1)
		return;
	api_query_int(req, "since", 0, (1LL << 53), 0, &since, &errs);
	api_query_int(req, "limit", 1, 1000, 100, &limit, &errs);
	if (errs.n > 0) {
		problem_set(resp, req, JD_E_MALFORMED, "bad query parameters",
		    &errs);
		verrs_free(&errs);
		return;
	}
	acc.items = json_array();
	acc.last = since;
	jd_error_clear(&err);
	if (acc.items == NULL || store_audit_list(ctx->reader(ctx->reader_arg),
	    since, (int)limit, audit_cb, &acc, &err) == -1) {
		json_decref(acc.items);
		if (err.code == JD_OK)
			jd_error_set(&err, JD_E_NOMEM, NULL, "out of memory");
		problem_from_error(resp, req, &err);
		return;
	}
	api_json_body(resp, 200, json_pack("{s:o, s:I}", "items", acc.items,
	    "next_since", (json_int_t)acc.last));
}
