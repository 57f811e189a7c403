/*
 * import.c - POST /v1/import: jails from jail.conf (text/plain) or from
 * the old rc.conf jail_* variables (text/x-rc-conf).
 *
 * The text is parsed and every jail it describes validated before anything
 * is written.  ?dry_run=true answers what would be created, what jaild
 * does not model (by name), and every error with its line, changing
 * nothing.  Otherwise the whole import is one transaction in the writer:
 * each jail is created or replaced with PUT semantics, and the first
 * refusal (an address another jail holds, ...) rolls all of it back.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit.h"
#include "cache.h"
#include "codec.h"
#include "common/alloc.h"
#include "db/store.h"
#include "handlers.h"
#include "jails_op.h"
#include "prison/jailconf.h"
#include "problem.h"

struct import_op {
	struct api_write	 base;
	json_t			*docs;		/* desired parts */
	json_t			*not_imported;
	struct audit_info	 audit;
	char			 request_id[72];
	struct jail_row		*rows;		/* committed changes */
	size_t			 nrows;
};

static int
media(const char *ct, const char *want)
{
	size_t n = strlen(want);

	return ct != NULL && strncasecmp(ct, want, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void
op_free(struct api_write *w)
{
	struct import_op *op = (struct import_op *)w;
	size_t i;

	json_decref(op->docs);
	json_decref(op->not_imported);
	for (i = 0; i < op->nrows; i++)
		jail_row_free(&op->rows[i]);
	jd_free(op->rows);
	jd_free(op);
}

static void
op_done(struct api_write *w, int committed)
{
	struct import_op *op = (struct import_op *)w;

	if (committed)
		jails_publish(w->ctx, op->rows, op->nrows);
}

static int
op_run(struct api_write *w, sqlite3 *db, struct api_response *resp)
{
	struct import_op *op = (struct import_op *)w;
	struct api_response one;
	json_t *created, *replaced, *unchanged, *doc;
	const char *name;
	char detail[700];
	size_t i;
	int changed;

	op->rows = jd_calloc(json_array_size(op->docs) + 1,
	    sizeof(*op->rows));
	created = json_array();
	replaced = json_array();
	unchanged = json_array();
	if (op->rows == NULL || created == NULL || replaced == NULL ||
	    unchanged == NULL)
		goto oom;
	json_array_foreach(op->docs, i, doc) {
		name = json_string_value(json_object_get(doc, "name"));
		memset(&one, 0, sizeof(one));
		if (jails_put_in_txn(w->ctx, db, name, doc, 1, &op->audit,
		    op->request_id, &one, &op->rows[op->nrows], &changed)
		    == -1) {
			/* The jail's own refusal, said to be about it. */
			json_t *p = one.body ? json_loads(one.body, 0, NULL) :
			    NULL;
			int status = one.status;
			const char *d = json_string_value(json_object_get(p,
			    "detail"));

			snprintf(detail, sizeof(detail), "jail \"%s\": %s",
			    name, d ? d : "refused");
			api_response_free(&one);
			api_response_free(resp);
			if (p != NULL) {
				json_object_set_new(p, "detail",
				    json_string(detail));
				resp->content_type = "application/problem+json";
				api_json_body(resp, status, p);
			} else
				problem_set(resp, NULL, JD_E_INTERNAL, detail,
				    NULL);
			for (i = 0; i < op->nrows; i++)
				jail_row_free(&op->rows[i]);
			op->nrows = 0;
			json_decref(created);
			json_decref(replaced);
			json_decref(unchanged);
			return -1;
		}
		if (changed)
			op->nrows++;
		json_array_append_new(changed ? (one.status == 201 ? created :
		    replaced) : unchanged, json_string(name));
		api_response_free(&one);
	}
	api_json_body(resp, 200, json_pack("{s:b, s:o, s:o, s:o, s:O}",
	    "dry_run", 0, "created", created, "replaced", replaced,
	    "unchanged", unchanged, "not_imported", op->not_imported));
	return 0;
oom:
	json_decref(created);
	json_decref(replaced);
	json_decref(unchanged);
	problem_set(resp, NULL, JD_E_NOMEM, "out of memory", NULL);
	return -1;
}

void
h_import(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	static const char *const q[] = { "dry_run", NULL };
	struct jailconf_result res;
	struct verrs errs = { 0 };
	struct import_op *op;
	struct jd_error err;
	const char *dry = api_query_get(req, "dry_run"), *name;
	json_t *doc, *spec, *errors, *e;
	char ptr[96];
	size_t i, j;
	int rcconf, dry_run;

	(void)params;
	if (api_check_query(req, q, resp) == -1)
		return;
	if (dry != NULL && strcmp(dry, "true") != 0 &&
	    strcmp(dry, "false") != 0) {
		verrs_add(&errs, "/query/dry_run", "must be true or false");
		problem_set(resp, req, JD_E_MALFORMED, "bad query parameters",
		    &errs);
		verrs_free(&errs);
		return;
	}
	dry_run = dry != NULL && strcmp(dry, "true") == 0;
	if (media(req->content_type, "text/plain"))
		rcconf = 0;
	else if (media(req->content_type, "text/x-rc-conf"))
		rcconf = 1;
	else {
		problem_set(resp, req, JD_E_MEDIATYPE, "send jail.conf as "
		    "text/plain or rc.conf jail_* variables as text/x-rc-conf",
		    NULL);
		return;
	}
	if (req->body == NULL || req->body_len == 0) {
		problem_set(resp, req, JD_E_MALFORMED, "the request needs a "
		    "jail.conf or rc.conf body", NULL);
		return;
	}
	memset(&res, 0, sizeof(res));
	jd_error_clear(&err);
	if (jailconf_import(req->body, req->body_len, rcconf, &res,
	    &err) == -1 && err.code == JD_E_NOMEM) {
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	/* Every jail must also be a valid document. */
	errors = json_copy(res.errors);
	json_array_foreach(res.jails, i, doc) {
		struct verrs ve = { 0 };
		name = json_string_value(json_object_get(doc, "name"));
		spec = codec_jail_decode(doc, name, NULL, &ctx->cfg, &ve);
		for (j = 0; j < ve.n; j++) {
			e = json_pack("{s:n, s:n, s:s, s:s}", "line", "column",
			    "jail", name ? name : "", "message", "");
			snprintf(ptr, sizeof(ptr), "%s", ve.v[j].field);
			json_object_set_new(e, "message", json_sprintf("%s: %s",
			    ptr, ve.v[j].message));
			json_array_append_new(errors, e);
		}
		verrs_free(&ve);
		json_decref(spec);
	}
	if (dry_run) {
		api_json_body(resp, 200, json_pack("{s:b, s:O, s:O, s:o}",
		    "dry_run", 1, "jails", res.jails, "not_imported",
		    res.not_imported, "errors", errors));
		jailconf_result_free(&res);
		return;
	}
	if (json_array_size(errors) > 0) {
		json_array_foreach(errors, i, e) {
			if (json_is_integer(json_object_get(e, "line")))
				verrs_add(&errs, "", "line %lld, column %lld: %s",
				    (long long)json_integer_value(
				    json_object_get(e, "line")),
				    (long long)json_integer_value(
				    json_object_get(e, "column")),
				    json_string_value(json_object_get(e,
				    "message")));
			else
				verrs_add(&errs, "", "jail \"%s\": %s",
				    json_string_value(json_object_get(e,
				    "jail")), json_string_value(
				    json_object_get(e, "message")));
		}
		problem_set(resp, req, JD_E_INVALID, "the configuration has "
		    "errors; nothing was imported (try ?dry_run=true)", &errs);
		verrs_free(&errs);
		json_decref(errors);
		jailconf_result_free(&res);
		return;
	}
	json_decref(errors);
	op = jd_calloc(1, sizeof(*op));
	if (op == NULL) {
		jailconf_result_free(&res);
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	op->base.run = op_run;
	op->base.done = op_done;
	op->base.free = op_free;
	op->base.ctx = ctx;
	op->docs = json_incref(res.jails);
	op->not_imported = json_incref(res.not_imported);
	audit_info_from(&op->audit, req);
	snprintf(op->request_id, sizeof(op->request_id), "%s",
	    req->request_id ? req->request_id : "");
	op->base.request_id = op->request_id;
	jailconf_result_free(&res);
	resp->defer = API_DEFER_WRITE;
	resp->write = &op->base;
}
