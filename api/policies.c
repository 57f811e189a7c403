/*
 * policies.c - /v1/policies (named sets of jail parameters and rctl
 * limits) and GET /v1/jails/{name}/effective.
 *
 * A policy is validated on the worker thread into its canonical desired
 * part ({"description", "params", "limits"}); the writer stores it.  A
 * change to a policy is a change to every jail that lists it: in the same
 * transaction each such jail gets a new generation, resource_version and
 * a "policy_changed" event, so clients see the jail change, ?wait works,
 * and the reconciler applies the new effective configuration like any
 * other document change.  A policy still listed by a jail cannot be
 * deleted (409 naming the jails).
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "cache.h"
#include "codec.h"
#include "common/alloc.h"
#include "common/names.h"
#include "common/timeutil.h"
#include "db/policies.h"
#include "db/store.h"
#include "etag.h"
#include "handlers.h"
#include "jails_op.h"
#include "prison/catalog.h"
#include "prison/policy.h"
#include "prison/rctl.h"
#include "problem.h"

#define DESCRIPTION_MAX	1024

enum pol_kind {
	POL_CREATE,
	POL_PUT,
	POL_DELETE,
};

struct pol_op {
	struct api_write	 base;
	enum pol_kind		 kind;
	char			 name[64];
	json_t			*spec;		/* canonical; CREATE, PUT */
	char			*if_match;
	struct audit_info	 audit;
	char			 request_id[72];
	struct jail_row		*rows;		/* jails it changed, for the
						   render cache */
	size_t			 nrows;
};

static const char *const no_query[] = { NULL };

/* ---- documents ---- */

/*
 * The policy document of row p, with used_by read through db: only the
 * jails principal may see (NULL: all), so a token limited to some jails
 * learns no other jail's name from it.
 */
static json_t *
policy_doc(sqlite3 *db, const struct policy_row *p,
    const struct api_principal *principal, struct jd_error *err)
{
	json_t *spec, *users, *doc;
	size_t i;

	if (store_policy_users(db, p->name, &users, err) == -1)
		return NULL;
	for (i = json_array_size(users); i-- > 0;)
		if (!api_principal_sees(principal, json_string_value(
		    json_array_get(users, i))))
			json_array_remove(users, i);
	spec = json_loads(p->spec, 0, NULL);
	doc = spec == NULL ? NULL : json_pack("{s:s, s:O, s:O, s:O, s:I, "
	    "s:s, s:s, s:o}", "name", p->name, "description",
	    json_object_get(spec, "description"), "params",
	    json_object_get(spec, "params"), "limits",
	    json_object_get(spec, "limits"), "resource_version",
	    (json_int_t)p->resource_version, "created_at", p->created_at,
	    "updated_at", p->updated_at, "used_by", users);
	json_decref(spec);
	if (doc == NULL)
		jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	return doc;
}

/*
 * Validate a policy document and return its canonical desired part (new
 * reference), or NULL with every problem in errs.  url_name is the name
 * in the URL (PUT) or NULL (POST, which needs "name"); *name gets it.
 */
static json_t *
policy_decode(const json_t *in, const char *url_name, struct verrs *errs,
    char name[64])
{
	static const char *const keys[] = { "name", "description", "params",
	    "limits", "resource_version", "created_at", "updated_at",
	    "used_by", NULL };
	const char *k, *s;
	json_t *v, *params, *limits, *desc;
	char ptr[128];
	size_t i, before = errs->n;

	json_object_foreach((json_t *)in, k, v) {
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (keys[i] == NULL) {
			ptr_join(ptr, sizeof(ptr), "", k);
			verrs_add(errs, ptr, "unknown field");
		}
	}
	v = json_object_get(in, "name");
	s = json_string_value(v);
	if (url_name != NULL) {
		if (v != NULL && (s == NULL || strcmp(s, url_name) != 0))
			verrs_add(errs, "/name", "must be the name in the URL "
			    "(\"%s\") or left out", url_name);
		snprintf(name, 64, "%s", url_name);
	} else if (s == NULL || !name_object_valid(s))
		verrs_add(errs, "/name", "is required: 1 to 63 of "
		    "[A-Za-z0-9_-], starting with a letter or digit, not all "
		    "digits");
	else
		snprintf(name, 64, "%s", s);
	desc = json_object_get(in, "description");
	if (desc != NULL && (!json_is_string(desc) ||
	    json_string_length(desc) > DESCRIPTION_MAX ||
	    strlen(json_string_value(desc)) != json_string_length(desc)))
		verrs_add(errs, "/description", "must be a string of at most "
		    "%d bytes", DESCRIPTION_MAX);
	params = json_object_get(in, "params");
	if (params != NULL)
		catalog_validate_params(params, "/params", errs);
	limits = rctl_limits_canon(json_object_get(in, "limits"), "/limits",
	    errs);
	if (errs->n > before || errs->oom) {
		json_decref(limits);
		return NULL;
	}
	return json_pack("{s:s, s:o, s:o}", "description", desc ?
	    json_string_value(desc) : "", "params", params ?
	    json_deep_copy(params) : json_object(), "limits", limits);
}

/* ---- the writer side ---- */

static void
op_free(struct api_write *w)
{
	struct pol_op *op = (struct pol_op *)w;
	size_t i;

	json_decref(op->spec);
	jd_free(op->if_match);
	for (i = 0; i < op->nrows; i++)
		jail_row_free(&op->rows[i]);
	jd_free(op->rows);
	jd_free(op);
}

static void
op_done(struct api_write *w, int committed)
{
	struct pol_op *op = (struct pol_op *)w;

	if (committed)
		jails_publish(w->ctx, op->rows, op->nrows);
}

static void
op_problem(struct api_response *resp, const struct pol_op *op,
    enum jd_errcode code, const char *detail)
{
	problem_set_rid(resp, op->request_id, code, detail, NULL);
}

static void
op_error(struct api_response *resp, const struct pol_op *op,
    const struct jd_error *err)
{
	problem_from_error_rid(resp, op->request_id, err);
}

/*
 * The policy changed: every jail listing it gets a new generation and
 * version and a "policy_changed" event; the rows are kept for the render
 * cache.
 */
static int
bump_users(struct pol_op *op, sqlite3 *db, const char *now,
    struct jd_error *err)
{
	struct jail_row r;
	json_t *users, *u;
	char msg[128];
	size_t i;
	int found;

	if (store_policy_users(db, op->name, &users, err) == -1)
		return -1;
	op->rows = jd_calloc(json_array_size(users) + 1, sizeof(*op->rows));
	if (op->rows == NULL) {
		json_decref(users);
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	}
	snprintf(msg, sizeof(msg), "policy \"%s\" changed", op->name);
	json_array_foreach(users, i, u) {
		found = store_jail_get(db, json_string_value(u), &r, err);
		if (found == -1)
			goto fail;
		if (found == 0)
			continue;
		if (r.deleting) {
			jail_row_free(&r);
			continue;
		}
		r.generation++;
		snprintf(r.updated_at, sizeof(r.updated_at), "%s", now);
		if (store_next_rv(db, &r.resource_version, err) == -1 ||
		    store_jail_put(db, &r, 0, err) == -1 ||
		    store_event_add(db, r.name, "policy_changed", msg,
		    r.generation, err) == -1) {
			jail_row_free(&r);
			goto fail;
		}
		op->rows[op->nrows++] = r;
	}
	json_decref(users);
	return 0;
fail:
	json_decref(users);
	return -1;
}

static int
run_put(struct pol_op *op, sqlite3 *db, struct api_response *resp)
{
	struct policy_row cur, row;
	struct jd_error err;
	char resource[80], d[160];
	json_t *old, *doc;
	int found, same, affects = 0, ret = -1;

	jd_error_clear(&err);
	memset(&row, 0, sizeof(row));
	found = store_policy_get(db, op->name, &cur, &err);
	if (found == -1) {
		op_error(resp, op, &err);
		return -1;
	}
	if (op->kind == POL_CREATE && found) {
		snprintf(d, sizeof(d), "a policy named \"%s\" exists already",
		    op->name);
		op_problem(resp, op, JD_E_CONFLICT, d);
		goto done;
	}
	if (!etag_if_match_ok(op->if_match, found ? cur.resource_version : 0,
	    found)) {
		op_problem(resp, op, JD_E_PRECONDITION, found ? "the policy "
		    "changed since you read it (If-Match does not match its "
		    "ETag)" : "the policy does not exist (If-Match)");
		goto done;
	}
	if (found) {
		old = json_loads(cur.spec, 0, NULL);
		same = old != NULL && json_equal(old, op->spec);
		/* Only params and limits reach the jails; a new description
		 * alone changes no jail. */
		affects = old == NULL || !json_equal(json_object_get(old,
		    "params"), json_object_get(op->spec, "params")) ||
		    !json_equal(json_object_get(old, "limits"),
		    json_object_get(op->spec, "limits"));
		json_decref(old);
		if (same) {
			/* Nothing changed: no new version, no re-reconcile. */
			if ((doc = policy_doc(db, &cur, NULL, &err)) == NULL) {
				op_error(resp, op, &err);
				goto done;
			}
			api_json_body(resp, 200, doc);
			etag_set(resp, cur.resource_version);
			ret = 0;
			goto done;
		}
	}
	snprintf(row.name, sizeof(row.name), "%s", op->name);
	time_now_rfc3339(row.updated_at, sizeof(row.updated_at));
	snprintf(row.created_at, sizeof(row.created_at), "%s", found ?
	    cur.created_at : row.updated_at);
	snprintf(resource, sizeof(resource), "policy:%s", op->name);
	if ((row.spec = json_dumps(op->spec, JSON_COMPACT)) == NULL) {
		jd_error_set(&err, JD_E_NOMEM, NULL, "out of memory");
		op_error(resp, op, &err);
		goto done;
	}
	if (store_next_rv(db, &row.resource_version, &err) == -1 ||
	    store_policy_put(db, &row, !found, &err) == -1 ||
	    (found && affects && bump_users(op, db, row.updated_at, &err) ==
	    -1) ||
	    audit_write(db, &op->audit, resource, 0, 0, &err) == -1 ||
	    (doc = policy_doc(db, &row, NULL, &err)) == NULL) {
		op_error(resp, op, &err);
		goto done;
	}
	api_json_body(resp, found ? 200 : 201, doc);
	etag_set(resp, row.resource_version);
	if (!found)
		snprintf(resp->location, sizeof(resp->location),
		    "/v1/policies/%s", op->name);
	ret = 0;
done:
	if (found == 1)
		policy_row_free(&cur);
	policy_row_free(&row);
	return ret;
}

static int
run_delete(struct pol_op *op, sqlite3 *db, struct api_response *resp)
{
	struct policy_row cur;
	struct jd_error err;
	struct api_request req;
	struct buf b = { 0 };
	char resource[80];
	json_t *users, *u;
	size_t i;
	int found, deleted = 0;

	jd_error_clear(&err);
	found = store_policy_get(db, op->name, &cur, &err);
	if (found == -1) {
		op_error(resp, op, &err);
		return -1;
	}
	if (found == 0) {
		memset(&req, 0, sizeof(req));
		req.request_id = op->request_id;
		problem_not_found(resp, &req, "policy", op->name);
		return -1;
	}
	if (!etag_if_match_ok(op->if_match, cur.resource_version, 1)) {
		policy_row_free(&cur);
		op_problem(resp, op, JD_E_PRECONDITION, "the policy changed "
		    "since you read it (If-Match does not match its ETag)");
		return -1;
	}
	policy_row_free(&cur);
	if (store_policy_users(db, op->name, &users, &err) == -1) {
		op_error(resp, op, &err);
		return -1;
	}
	if (json_array_size(users) > 0) {
		buf_printf(&b, "policy \"%s\" is used by %zu jail%s: ",
		    op->name, json_array_size(users),
		    json_array_size(users) == 1 ? "" : "s");
		json_array_foreach(users, i, u) {
			if (i == 20) {
				buf_printf(&b, ", ...");
				break;
			}
			buf_printf(&b, "%s%s", i ? ", " : "",
			    json_string_value(u));
		}
		buf_printf(&b, "; remove it from their \"policies\" first");
		memset(&req, 0, sizeof(req));
		req.request_id = op->request_id;
		problem_set_member(resp, &req, JD_E_CONFLICT, b.data ? b.data :
		    "the policy is in use", "jails", users);
		buf_free(&b);
		return -1;
	}
	json_decref(users);
	snprintf(resource, sizeof(resource), "policy:%s", op->name);
	if (store_policy_delete(db, op->name, &deleted, &err) == -1 ||
	    audit_write(db, &op->audit, resource, 0, 0, &err) == -1) {
		op_error(resp, op, &err);
		return -1;
	}
	api_response_free(resp);
	resp->status = 204;
	return 0;
}

static int
op_run(struct api_write *w, sqlite3 *db, struct api_response *resp)
{
	struct pol_op *op = (struct pol_op *)w;

	return op->kind == POL_DELETE ? run_delete(op, db, resp) :
	    run_put(op, db, resp);
}

static struct pol_op *
op_new(struct api_ctx *ctx, const struct api_request *req,
    enum pol_kind kind)
{
	struct pol_op *op;

	op = jd_calloc(1, sizeof(*op));
	if (op == NULL)
		return NULL;
	op->base.run = op_run;
	op->base.done = op_done;
	op->base.free = op_free;
	op->base.ctx = ctx;
	op->kind = kind;
	if (req->if_match != NULL &&
	    (op->if_match = jd_strdup(req->if_match)) == NULL) {
		jd_free(op);
		return NULL;
	}
	audit_info_from(&op->audit, req);
	snprintf(op->request_id, sizeof(op->request_id), "%s",
	    req->request_id ? req->request_id : "");
	op->base.request_id = op->request_id;
	return op;
}

/* ---- the HTTP side ---- */

struct list_acc {
	sqlite3		*db;
	const struct api_principal *principal;
	json_t		*items;
	struct jd_error	*err;
};

static int
list_cb(void *arg, const struct policy_row *p)
{
	struct list_acc *a = arg;
	json_t *doc = policy_doc(a->db, p, a->principal, a->err);

	if (doc == NULL)
		return 1;
	if (json_array_append_new(a->items, doc) == -1) {
		jd_error_set(a->err, JD_E_NOMEM, NULL, "out of memory");
		return 1;
	}
	return 0;
}

void
h_policies_list(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	struct list_acc acc;
	struct jd_error err;

	(void)params;
	if (api_check_query(req, no_query, resp) == -1)
		return;
	jd_error_clear(&err);
	acc.db = ctx->reader(ctx->reader_arg);
	acc.principal = req->principal;
	acc.items = json_array();
	acc.err = &err;
	api_items_answer(req, resp, acc.items, acc.items == NULL ||
	    store_policy_foreach(acc.db, list_cb, &acc, &err) == -1 ||
	    err.code != JD_OK, &err);
}

void
h_policy_get(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	struct policy_row p;
	struct jd_error err;
	sqlite3 *db;
	json_t *doc;
	int rc;

	if (api_check_query(req, no_query, resp) == -1)
		return;
	if (!name_object_valid(params[0])) {
		problem_not_found(resp, req, "policy", params[0]);
		return;
	}
	jd_error_clear(&err);
	db = ctx->reader(ctx->reader_arg);
	rc = store_policy_get(db, params[0], &p, &err);
	if (rc == 0) {
		problem_not_found(resp, req, "policy", params[0]);
		return;
	}
	if (rc == -1 || (doc = policy_doc(db, &p, req->principal, &err)) == NULL) {
		if (rc == 1)
			policy_row_free(&p);
		problem_from_error(resp, req, &err);
		return;
	}
	api_json_body(resp, 200, doc);
	etag_set(resp, p.resource_version);
	policy_row_free(&p);
}

/* POST and PUT: validate on this thread, store in the writer. */
static void
submit_put(struct api_ctx *ctx, const struct api_request *req,
    const char *url_name, struct api_response *resp)
{
	struct verrs errs = { 0 };
	struct pol_op *op;
	json_t *in;

	if (api_check_query(req, no_query, resp) == -1)
		return;
	if (url_name != NULL && !name_object_valid(url_name)) {
		problem_not_found(resp, req, "policy", url_name);
		return;
	}
	in = codec_parse_body(req, "application/json", resp);
	if (in == NULL)
		return;
	op = op_new(ctx, req, url_name ? POL_PUT : POL_CREATE);
	if (op == NULL) {
		json_decref(in);
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	op->spec = policy_decode(in, url_name, &errs, op->name);
	json_decref(in);
	if (op->spec == NULL) {
		problem_set(resp, req, errs.oom || errs.n == 0 ? JD_E_NOMEM :
		    JD_E_INVALID, "the policy has invalid fields", &errs);
		verrs_free(&errs);
		op_free(&op->base);
		return;
	}
	verrs_free(&errs);
	resp->defer = API_DEFER_WRITE;
	resp->write = &op->base;
}

void
h_policies_create(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	(void)params;
	submit_put(ctx, req, NULL, resp);
}

void
h_policy_put(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	submit_put(ctx, req, params[0], resp);
}

void
h_policy_delete(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	struct pol_op *op;

	if (api_check_query(req, no_query, resp) == -1)
		return;
	if (!name_object_valid(params[0])) {
		problem_not_found(resp, req, "policy", params[0]);
		return;
	}
	op = op_new(ctx, req, POL_DELETE);
	if (op == NULL) {
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	snprintf(op->name, sizeof(op->name), "%s", params[0]);
	resp->defer = API_DEFER_WRITE;
	resp->write = &op->base;
}

/* ---- /v1/jails/{name}/effective ---- */

void
h_jail_effective(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	struct jd_error err;
	json_t *doc, *layers, *view;

	if (api_check_query(req, no_query, resp) == -1)
		return;
	if (jails_name_param(req, params[0], resp) == -1)
		return;
	if ((doc = jails_cached_doc(ctx, params[0])) == NULL) {
		jails_not_found(resp, req, params[0]);
		return;
	}
	jd_error_clear(&err);
	if (store_policy_layers(ctx->reader(ctx->reader_arg),
	    json_object_get(doc, "policies"), &layers, NULL, &err) == -1) {
		json_decref(doc);
		problem_from_error(resp, req, &err);
		return;
	}
	view = policy_effective_view(doc, layers);
	json_decref(layers);
	json_decref(doc);
	if (view == NULL) {
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	api_json_body(resp, 200, view);
}
