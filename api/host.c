/*
 * host.c - /v1/host, /v1/host/prisons, adoption and the parameter schema.
 *
 * Only the reconciler thread talks to the host backend; these handlers
 * read the snapshot it publishes after every pass (ctx->host_snapshot).
 */
#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "common/names.h"
#include "handlers.h"
#include "jails_op.h"
#include "prison/catalog.h"
#include "prison/rctl.h"
#include "problem.h"

static const char *const no_query[] = { NULL };

static json_t *
snapshot(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *resp)
{
	json_t *s = ctx->host_snapshot ? ctx->host_snapshot(ctx->host_arg) :
	    NULL;

	if (s == NULL)
		problem_set(resp, req, JD_E_UNAVAILABLE, "the host has not "
		    "been read yet; retry in a moment", NULL);
	return s;
}

/* managed: a row owns the prison (see jails_op.h). */
static int
is_managed(struct api_ctx *ctx, const char *name, json_int_t jid)
{
	struct cache_entry *e = cache_get(ctx->cache, name);
	int m;

	if (e == NULL)
		return 0;
	m = jail_owns_prison(e->jid, e->phase, jid);
	cache_release(e);
	return m;
}

void
h_host(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	json_t *s, *p, *out;
	size_t i, nprisons = 0, unmanaged = 0;

	(void)params;
	if (api_check_query(req, no_query, resp) == -1 ||
	    (s = snapshot(ctx, req, resp)) == NULL)
		return;
	json_array_foreach(json_object_get(s, "prisons"), i, p) {
		if (json_is_true(json_object_get(p, "dying")))
			continue;
		nprisons++;
		if (!is_managed(ctx, json_string_value(json_object_get(p,
		    "name")), json_integer_value(json_object_get(p, "jid"))))
			unmanaged++;
	}
	out = json_pack("{s:s, s:O, s:s, s:O, s:{s:I, s:I, s:I, s:I}}",
	    "backend", ctx->backend_name,
	    "os_release", json_object_get(s, "os_release"),
	    "version", JD_VERSION,
	    "hostname", json_object_get(s, "hostname"),
	    "counts",
	    "jails", (json_int_t)cache_count(ctx->cache),
	    "running", (json_int_t)cache_count_phase(ctx->cache, "running"),
	    "prisons", (json_int_t)nprisons,
	    "unmanaged", (json_int_t)unmanaged);
	json_decref(s);
	if (out != NULL)
		json_object_set_new(out, "tls", ctx->tls_fingerprint &&
		    ctx->tls_fingerprint[0] ? json_pack("{s:s, s:s}",
		    "fingerprint_sha256", ctx->tls_fingerprint, "pin",
		    ctx->tls_pin) : json_null());
	api_json_body(resp, 200, out);
}

void
h_host_prisons(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	json_t *s, *p, *items, *o;
	size_t i;

	(void)params;
	if (api_check_query(req, no_query, resp) == -1 ||
	    (s = snapshot(ctx, req, resp)) == NULL)
		return;
	items = json_array();
	json_array_foreach(json_object_get(s, "prisons"), i, p) {
		if (!api_principal_sees(req->principal, json_string_value(
		    json_object_get(p, "name"))))
			continue;
		o = json_deep_copy(p);
		json_object_set_new(o, "managed", json_boolean(is_managed(ctx,
		    json_string_value(json_object_get(p, "name")),
		    json_integer_value(json_object_get(p, "jid")))));
		json_array_append_new(items, o);
	}
	json_decref(s);
	api_json_body(resp, 200, json_pack("{s:o}", "items", items));
}

void
h_host_adopt(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	static const char *const q[] = { "wait", NULL };
	struct jd_error err;
	json_t *doc = NULL;
	int64_t jid = 0;
	char d[160];

	if (api_check_query(req, q, resp) == -1)
		return;
	if (!name_jail_valid(params[0])) {
		snprintf(d, sizeof(d), "\"%.63s\" is not a name jaild can "
		    "manage: jail names %s", params[0], name_jail_rule());
		problem_set(resp, req, JD_E_NOTFOUND, d, NULL);
		return;
	}
	jd_error_clear(&err);
	if (ctx->prison_doc == NULL || ctx->prison_doc(ctx->prison_doc_arg,
	    params[0], &doc, &jid, &err) == -1) {
		if (err.code == JD_OK)
			jd_error_set(&err, JD_E_UNAVAILABLE, NULL, "the host "
			    "has not been read yet");
		problem_from_error(resp, req, &err);
		return;
	}
	if (is_managed(ctx, params[0], jid)) {
		json_decref(doc);
		snprintf(d, sizeof(d), "prison \"%s\" is already managed",
		    params[0]);
		problem_set(resp, req, JD_E_CONFLICT, d, NULL);
		return;
	}
	jails_submit_adopt(ctx, req, resp, params[0], doc, jid);
}

void
h_host_params(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	json_t *doc, *rctl;

	(void)ctx;
	(void)params;
	if (api_check_query(req, no_query, resp) == -1)
		return;
	doc = catalog_schema_json();
	rctl = rctl_schema_json();
	if (doc == NULL || rctl == NULL ||
	    json_object_set_new(doc, "rctl", json_incref(rctl)) == -1) {
		json_decref(doc);
		json_decref(rctl);
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	json_decref(rctl);
	api_json_body(resp, 200, doc);
}
