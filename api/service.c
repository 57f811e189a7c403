/*
 * service.c - health, readiness, the served contract, the event history,
 * and the query-string helpers every handler shares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/names.h"
#include "db/store.h"
#include "handlers.h"
#include "problem.h"

const char *
api_query_get(const struct api_request *req, const char *key)
{
	size_t i;

	for (i = 0; i < req->nquery; i++)
		if (strcmp(req->query[i].key, key) == 0)
			return req->query[i].value;
	return NULL;
}

void
api_items_answer(const struct api_request *req, struct api_response *resp,
    json_t *items, int failed, struct jd_error *err)
{
	if (failed || items == NULL) {
		json_decref(items);
		if (err->code == JD_OK)
			jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
		problem_from_error(resp, req, err);
		return;
	}
	api_json_body(resp, 200, json_pack("{s:o}", "items", items));
}

int
api_check_query(const struct api_request *req, const char *const *allowed,
    struct api_response *resp)
{
	struct verrs errs = { 0 };
	char ptr[128];
	size_t i, j;
	int known;

	for (i = 0; i < req->nquery; i++) {
		known = 0;
		for (j = 0; allowed[j] != NULL; j++)
			known |= strcmp(req->query[i].key, allowed[j]) == 0;
		if (!known) {
			ptr_join(ptr, sizeof(ptr), "/query", req->query[i].key);
			verrs_add(&errs, ptr, "unknown query parameter");
		}
	}
	if (errs.n == 0)
		return 0;
	problem_set(resp, req, JD_E_MALFORMED, "unknown query parameters",
	    &errs);
	verrs_free(&errs);
	return -1;
}

int
api_query_int(const struct api_request *req, const char *key, long long min,
    long long max, long long dflt, long long *out, struct verrs *errs)
{
	const char *v = api_query_get(req, key);
	char ptr[96], *end;
	long long n;

	*out = dflt;
	if (v == NULL)
		return 0;
	n = strtoll(v, &end, 10);
	if (v[0] == '\0' || *end != '\0' || n < min || n > max ||
	    strlen(v) > 12) {
		ptr_join(ptr, sizeof(ptr), "/query", key);
		verrs_add(errs, ptr, "must be an integer from %lld to %lld",
		    min, max);
		return -1;
	}
	*out = n;
	return 0;
}

int64_t
api_parse_wait(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *resp)
{
	struct verrs errs = { 0 };
	long long w = -1;
	const char *p;
	char *end;

	if (api_query_get(req, "wait") != NULL) {
		if (api_query_int(req, "wait", 0, 3600, -1, &w, &errs) == -1) {
			problem_set(resp, req, JD_E_MALFORMED, "bad wait",
			    &errs);
			verrs_free(&errs);
			return -2;
		}
	} else if (req->prefer != NULL &&
	    (p = strstr(req->prefer, "wait=")) != NULL) {
		w = strtoll(p + 5, &end, 10);
		if (end == p + 5 || w < 0)
			w = -1;		/* RFC 7240: ignore what we do not
					   understand */
		else if (w > 86400)
			w = 86400;
	}
	if (w < 0)
		return -1;
	if (ctx->cfg.max_wait_s > 0 && w > ctx->cfg.max_wait_s)
		w = ctx->cfg.max_wait_s;
	return (int64_t)w * 1000;
}

void
h_healthz(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	(void)ctx;
	(void)req;
	(void)params;
	resp->status = 200;
	resp->content_type = "application/json";
	resp->body = (char *)"{\"status\":\"ok\"}";
	resp->body_len = strlen(resp->body);
	resp->body_static = 1;
}

void
h_readyz(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	(void)params;
	if (ctx->ready != NULL && !ctx->ready(ctx->ready_arg)) {
		problem_set(resp, req, JD_E_UNAVAILABLE, "jaild is starting "
		    "or shutting down", NULL);
		resp->retry_after = 1;
		return;
	}
	resp->status = 200;
	resp->content_type = "application/json";
	resp->body = (char *)"{\"status\":\"ready\"}";
	resp->body_len = strlen(resp->body);
	resp->body_static = 1;
}

void
h_openapi(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	(void)req;
	(void)params;
	resp->status = 200;
	resp->content_type = "application/yaml";
	resp->body = (char *)ctx->spec;
	resp->body_len = ctx->spec_len;
	resp->body_static = 1;
}

struct ev_acc {
	json_t	*items;
	int64_t	 last;
	const struct api_principal *principal;
};

static int
ev_cb(void *arg, const struct event_row *ev)
{
	struct ev_acc *a = arg;
	json_t *o;

	a->last = ev->id;	/* advances past events it may not see */
	if (!api_principal_sees(a->principal, ev->jail))
		return 0;
	o = json_pack("{s:I, s:s, s:s, s:s, s:s?}", "id", (json_int_t)ev->id,
	    "time", ev->time, "jail", ev->jail, "type", ev->type,
	    "message", ev->message);
	if (o == NULL)
		return 1;
	json_object_set_new(o, "generation", ev->generation > 0 ?
	    json_integer(ev->generation) : json_null());
	if (ev->message == NULL)
		json_object_set_new(o, "message", json_null());
	json_array_append_new(a->items, o);
	a->last = ev->id;
	return 0;
}

void
h_events(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	static const char *const q[] = { "since", "limit", "jail", NULL };
	struct verrs errs = { 0 };
	struct ev_acc acc;
	struct jd_error err;
	long long since, limit;
	const char *jail;

	(void)params;
	if (api_check_query(req, q, resp) == -1)
		return;
	api_query_int(req, "since", 0, (1LL << 53), 0, &since, &errs);
	api_query_int(req, "limit", 1, 1000, 100, &limit, &errs);
	jail = api_query_get(req, "jail");
	if (jail != NULL && !name_jail_valid(jail))
		verrs_add(&errs, "/query/jail", "must be a jail name");
	if (errs.n > 0) {
		problem_set(resp, req, JD_E_MALFORMED, "bad query parameters",
		    &errs);
		verrs_free(&errs);
		return;
	}
	acc.items = json_array();
	acc.last = since;
	acc.principal = req->principal;
	jd_error_clear(&err);
	if (acc.items == NULL || store_event_list(ctx->reader(ctx->reader_arg),
	    since, jail, (int)limit, ev_cb, &acc, &err) == -1) {
		json_decref(acc.items);
		if (err.code == JD_OK)
			jd_error_set(&err, JD_E_NOMEM, NULL, "out of memory");
		problem_from_error(resp, req, &err);
		return;
	}
	api_json_body(resp, 200, json_pack("{s:o, s:I}", "items", acc.items,
	    "next_since", (json_int_t)acc.last));
}

void
api_response_free(struct api_response *resp)
{
	if (resp->body != NULL && !resp->body_static)
		jd_free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
	resp->body_static = 0;
	resp->content_type = NULL;
	if (resp->write != NULL) {
		resp->write->free(resp->write);
		resp->write = NULL;
	}
	resp->defer = API_DEFER_NONE;
}
