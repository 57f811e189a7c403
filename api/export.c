/*
 * export.c - the jails as jail.conf text: GET /v1/jails/{name}/jail.conf
 * and GET /v1/export.  The text is what jail(8) would accept for the
 * stored configuration with its policies merged in (the effective
 * parameters; limits become "# rctl:" comments, prison/jailconf_emit.c);
 * a token limited to jails exports only those.
 */
#include <string.h>

#include "cache.h"
#include "common/alloc.h"
#include "common/buf.h"
#include "common/names.h"
#include "db/policies.h"
#include "db/store.h"
#include "handlers.h"
#include "jails_op.h"
#include "prison/jailconf.h"
#include "prison/policy.h"
#include "problem.h"

static const char *const no_query[] = { NULL };

static void
text_body(struct api_response *resp, const struct api_request *req,
    struct buf *b)
{
	if (b->data == NULL && buf_puts(b, "") == -1) {
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	resp->status = 200;
	resp->content_type = "text/plain; charset=utf-8";
	resp->body = buf_detach(b, &resp->body_len);
}

/*
 * The jail's cached document with its policies merged (new reference),
 * or NULL when the jail is gone; err says why when it is not that.
 */
static json_t *
effective_doc(struct api_ctx *ctx, const char *name, struct jd_error *err)
{
	json_t *doc, *layers, *eff;

	if ((doc = jails_cached_doc(ctx, name)) == NULL)
		return NULL;
	if (json_array_size(json_object_get(doc, "policies")) == 0)
		return doc;
	if (store_policy_layers(ctx->reader(ctx->reader_arg),
	    json_object_get(doc, "policies"), &layers, NULL, err) == -1) {
		json_decref(doc);
		return NULL;
	}
	eff = policy_effective_doc(doc, layers);
	json_decref(layers);
	json_decref(doc);
	if (eff == NULL)
		jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	return eff;
}

void
h_jail_conf(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	struct jd_error err;
	struct buf b = { 0 };
	json_t *doc;

	if (api_check_query(req, no_query, resp) == -1)
		return;
	jd_error_clear(&err);
	if (!name_jail_valid(params[0]) ||
	    !api_principal_sees(req->principal, params[0]) ||
	    (doc = effective_doc(ctx, params[0], &err)) == NULL) {
		if (err.code != JD_OK)
			problem_from_error(resp, req, &err);
		else
			problem_set(resp, req, JD_E_NOTFOUND, "no such jail",
			    NULL);
		return;
	}
	if (jailconf_emit(doc, NULL, &b, &err) == -1) {
		json_decref(doc);
		buf_free(&b);
		problem_from_error(resp, req, &err);
		return;
	}
	json_decref(doc);
	text_body(resp, req, &b);
}

struct export_acc {
	struct api_ctx	*ctx;
	json_t		*docs;
	int		 oom;
	struct jd_error	 err;
};

static int
export_cb(void *arg, const char *name)
{
	struct export_acc *a = arg;
	json_t *doc = effective_doc(a->ctx, name, &a->err);

	if (doc == NULL)
		return a->err.code != JD_OK;	/* or deleted meanwhile */
	if (json_array_append_new(a->docs, doc) == -1)
		a->oom = 1;
	return a->oom;
}

void
h_export(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	struct jail_filter f;
	struct export_acc acc;
	struct jd_error err;
	struct buf b = { 0 };

	(void)params;
	if (api_check_query(req, no_query, resp) == -1)
		return;
	memset(&f, 0, sizeof(f));
	if (req->principal != NULL)
		f.names = req->principal->jails;
	acc.ctx = ctx;
	acc.docs = json_array();
	acc.oom = acc.docs == NULL;
	jd_error_clear(&acc.err);
	jd_error_clear(&err);
	if ((!acc.oom && store_jail_list(ctx->reader(ctx->reader_arg), &f, "",
	    1000000, export_cb, &acc, &err) == -1) || acc.err.code != JD_OK) {
		if (acc.err.code != JD_OK)
			err = acc.err;
		json_decref(acc.docs);
		problem_from_error(resp, req, &err);
		return;
	}
	if (acc.oom || jailconf_emit_file(acc.docs, NULL, &b, &err) == -1) {
		json_decref(acc.docs);
		buf_free(&b);
		if (err.code == JD_OK)
			jd_error_set(&err, JD_E_NOMEM, NULL, "out of memory");
		problem_from_error(resp, req, &err);
		return;
	}
	json_decref(acc.docs);
	text_body(resp, req, &b);
}
