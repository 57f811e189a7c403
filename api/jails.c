/*
 * jails.c - the jails resource: list, create, get, replace, merge-patch,
 * delete, and the start / stop / restart actions.
 *
 * Reads come from the render cache (a GET is a lookup) and, for lists, the
 * reader connection.  Every change is a struct jail_op that the writer
 * runs inside its group-commit transaction: preconditions (If-Match,
 * existence, Idempotency-Key) are checked there, against committed state,
 * so two racing writers cannot both win.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/names.h"
#include "common/timeutil.h"
#include "cache.h"
#include "etag.h"
#include "codec.h"
#include "db/policies.h"
#include "db/store.h"
#include "handlers.h"
#include "audit.h"
#include "inflight.h"
#include "privilege.h"
#include "jails_op.h"
#include "problem.h"

#define IDEM_MAX_AGE_S	(24 * 3600)

enum jail_op_kind {
	OP_CREATE,
	OP_PUT,
	OP_PATCH,
	OP_DELETE,
	OP_START,
	OP_STOP,
	OP_RESTART,
	OP_ADOPT,
};

struct jail_op {
	struct api_write	 base;
	enum jail_op_kind	 kind;
	char			 name[64];
	json_t			*body;		/* document or patch */
	char			*if_match;
	char			*idem_key;
	char			 idem_hash[65];
	char			 request_id[72];
	int64_t			 wait_ms;	/* -1: no wait */
	struct jail_row		 row;		/* committed row for the cache */
	int			 have_row;
	int			 removed;
	int64_t			 adopt_jid;
	int			 is_admin;	/* may change admin-only fields */
	int			 delegated;	/* limited to named jails */
	struct audit_info	 audit;
	int64_t			 gen_before;
};

/* ---- helpers ---- */

static void
op_free(struct api_write *w)
{
	struct jail_op *op = (struct jail_op *)w;

	json_decref(op->body);
	jd_free(op->if_match);
	jd_free(op->idem_key);
	jail_row_free(&op->row);
	jd_free(op);
}

static void
op_done(struct api_write *w, int committed)
{
	struct jail_op *op = (struct jail_op *)w;
	struct api_ctx *ctx = w->ctx;

	if (committed) {
		if (op->have_row)
			cache_put(ctx->cache, &op->row);
		if (op->removed)
			cache_remove(ctx->cache, op->name);
		if ((op->have_row || op->removed) && ctx->wake != NULL)
			ctx->wake(ctx->wake_arg);
	}
	if (op->idem_key != NULL)
		inflight_remove(ctx->inflight, op->idem_key);
}

static void
body_from_row(struct api_response *resp, int status, const struct jail_row *r)
{
	struct buf b = { 0 };

	if (codec_jail_render(r, &b) == -1) {
		buf_free(&b);
		problem_set(resp, NULL, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	api_response_free(resp);
	resp->status = status;
	resp->content_type = "application/json";
	resp->body = buf_detach(&b, &resp->body_len);
	etag_set(resp, r->resource_version);
}

void
jails_not_found(struct api_response *resp, const struct api_request *req,
    const char *name)
{
	problem_not_found(resp, req, "jail", name);
}

static void
hash_request(const struct api_request *req, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	EVP_MD_CTX *c;

	out[0] = '\0';
	c = EVP_MD_CTX_new();
	if (c == NULL)
		return;
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	EVP_DigestUpdate(c, req->path, strlen(req->path) + 1);
	if (req->body != NULL)
		EVP_DigestUpdate(c, req->body, req->body_len);
	EVP_DigestFinal_ex(c, md, &n);
	EVP_MD_CTX_free(c);
	for (i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static struct jail_op *
op_new(struct api_ctx *ctx, const struct api_request *req,
    enum jail_op_kind kind, const char *name, json_t *body, int64_t wait_ms)
{
	struct jail_op *op;

	op = jd_calloc(1, sizeof(*op));
	if (op == NULL)
		return NULL;
	op->base.done = op_done;
	op->base.free = op_free;
	op->base.ctx = ctx;
	op->kind = kind;
	snprintf(op->name, sizeof(op->name), "%s", name ? name : "");
	op->body = body;
	op->wait_ms = wait_ms;
	snprintf(op->request_id, sizeof(op->request_id), "%s",
	    req->request_id ? req->request_id : "");
	op->base.request_id = op->request_id;
	op->is_admin = req->principal == NULL ||
	    req->principal->scope >= SCOPE_ADMIN;
	op->delegated = req->principal != NULL &&
	    req->principal->jails != NULL;
	audit_info_from(&op->audit, req);
	if (req->if_match != NULL &&
	    (op->if_match = jd_strdup(req->if_match)) == NULL) {
		jd_free(op);
		return NULL;
	}
	return op;
}

static int write_run(struct api_write *w, sqlite3 *db,
    struct api_response *resp);

static void
defer_op(struct api_response *resp, struct jail_op *op)
{
	op->base.run = write_run;
	resp->defer = API_DEFER_WRITE;
	resp->write = &op->base;
}

/* A request struct for problem documents built in the writer thread. */
static void
fake_req(const struct jail_op *op, struct api_request *req)
{
	memset(req, 0, sizeof(*req));
	req->request_id = op->request_id;
}

static void
problem_in_op(struct api_response *resp, const struct jail_op *op,
    enum jd_errcode code, const char *detail, const struct verrs *errs)
{
	struct api_request req;

	fake_req(op, &req);
	problem_set(resp, &req, code, detail, errs);
}

static void
error_in_op(struct api_response *resp, const struct jail_op *op,
    const struct jd_error *err)
{
	struct api_request req;

	fake_req(op, &req);
	problem_from_error(resp, &req, err);
}

/* ---- the writer side ---- */

/*
 * Store the satellites of a spec (labels, addresses, dependencies) for
 * name.  Conflicts and cycles come back in err.
 */
static int
store_satellites(sqlite3 *db, const char *name, const json_t *spec,
    struct jd_error *err)
{
	if (store_jail_set_labels(db, name, json_object_get(spec, "labels"),
	    err) == -1 ||
	    store_jail_set_ips(db, name, json_object_get(spec, "ips"),
	    err) == -1 ||
	    store_jail_set_depends(db, name, json_object_get(spec, "depends"),
	    err) == -1 ||
	    store_jail_set_policies(db, name, json_object_get(spec,
	    "policies"), err) == -1)
		return -1;
	return 0;
}

static int
set_spec(struct jail_row *row, const json_t *spec)
{
	char *s;

	s = json_dumps(spec, JSON_COMPACT);
	if (s == NULL)
		return -1;
	jd_free(row->spec);
	row->spec = s;
	snprintf(row->state, sizeof(row->state), "%s",
	    json_string_value(json_object_get(spec, "state")));
	return 0;
}

/* Insert a new jail from a canonical spec. */
static int
run_insert(struct jail_op *op, sqlite3 *db, const json_t *spec,
    struct api_response *resp)
{
	struct jail_row *r = &op->row;
	struct jd_error err;
	char now[32];

	jd_error_clear(&err);
	memset(r, 0, sizeof(*r));
	time_now_rfc3339(now, sizeof(now));
	if ((r->name = jd_strdup(op->name)) == NULL || set_spec(r, spec) == -1)
		goto oom;
	r->generation = 1;
	if (store_next_rv(db, &r->resource_version, &err) == -1)
		goto fail;
	memcpy(r->created_at, now, sizeof(now));
	memcpy(r->updated_at, now, sizeof(now));
	snprintf(r->phase, sizeof(r->phase), "pending");
	r->jid = op->adopt_jid;
	if (store_jail_put(db, r, 1, &err) == -1 ||
	    store_satellites(db, op->name, spec, &err) == -1 ||
	    store_event_add(db, op->name, op->kind == OP_ADOPT ? "adopted" :
	    "created", op->kind == OP_ADOPT ? "prison adopted from the host" :
	    "jail defined", r->generation, &err) == -1)
		goto fail;
	op->have_row = 1;
	body_from_row(resp, 201, r);
	snprintf(resp->location, sizeof(resp->location), "/v1/jails/%s",
	    op->name);
	return 0;
oom:
	jd_error_set(&err, JD_E_NOMEM, NULL, "out of memory");
fail:
	error_in_op(resp, op, &err);
	return -1;
}

/* Replace the desired part of an existing row with spec. */
static int
run_replace(struct jail_op *op, sqlite3 *db, struct jail_row *cur,
    const json_t *spec, const char *event, struct api_response *resp)
{
	struct jd_error err;
	json_t *old;
	int same;

	jd_error_clear(&err);
	old = json_loads(cur->spec, 0, NULL);
	same = old != NULL && json_equal(old, spec);
	json_decref(old);
	if (same) {
		/* Nothing changed: no new generation, no new version. */
		body_from_row(resp, 200, cur);
		return 0;
	}
	if (set_spec(cur, spec) == -1) {
		jd_error_set(&err, JD_E_NOMEM, NULL, "out of memory");
		goto fail;
	}
	cur->generation++;
	time_now_rfc3339(cur->updated_at, sizeof(cur->updated_at));
	if (store_next_rv(db, &cur->resource_version, &err) == -1 ||
	    store_jail_put(db, cur, 0, &err) == -1 ||
	    store_satellites(db, cur->name, spec, &err) == -1 ||
	    store_event_add(db, cur->name, event, NULL, cur->generation,
	    &err) == -1)
		goto fail;
	body_from_row(resp, 200, cur);
	return 1;
fail:
	error_in_op(resp, op, &err);
	return -1;
}

static int
run_idem_check(struct jail_op *op, sqlite3 *db, struct api_response *resp)
{
	struct idem_row ir;
	struct jd_error err;
	int rc;

	jd_error_clear(&err);
	rc = store_idem_get(db, op->idem_key, IDEM_MAX_AGE_S, &ir, &err);
	if (rc == -1) {
		error_in_op(resp, op, &err);
		return -1;
	}
	if (rc == 0)
		return 0;
	if (strcmp(ir.request_hash, op->idem_hash) != 0) {
		idem_row_free(&ir);
		problem_in_op(resp, op, JD_E_INVALID, "this Idempotency-Key "
		    "was used with a different request body", NULL);
		return -1;
	}
	/* A retry: the first answer again, byte for byte. */
	api_response_free(resp);
	resp->status = ir.status;
	resp->content_type = strcmp(ir.content_type, "application/json") == 0 ?
	    "application/json" : "application/problem+json";
	resp->body = ir.body;
	resp->body_len = strlen(ir.body);
	ir.body = NULL;
	if (ir.etag)
		snprintf(resp->etag, sizeof(resp->etag), "%s", ir.etag);
	if (ir.location)
		snprintf(resp->location, sizeof(resp->location), "%s",
		    ir.location);
	idem_row_free(&ir);
	op->wait_ms = -1;
	return 1;
}

static int
run_idem_store(struct jail_op *op, sqlite3 *db, struct api_response *resp)
{
	struct idem_row ir;
	struct jd_error err;

	memset(&ir, 0, sizeof(ir));
	ir.request_hash = op->idem_hash;
	ir.status = resp->status;
	ir.content_type = (char *)resp->content_type;
	ir.body = resp->body;
	ir.etag = resp->etag[0] ? resp->etag : NULL;
	ir.location = resp->location[0] ? resp->location : NULL;
	if (store_idem_put(db, op->idem_key, &ir, &err) == -1) {
		error_in_op(resp, op, &err);
		return -1;
	}
	return 0;
}

static void
want_wait(struct jail_op *op, struct api_response *resp, int gone)
{
	if (op->wait_ms < 0 || resp->status >= 300)
		return;
	resp->defer = API_DEFER_WAIT;
	snprintf(resp->wait_jail, sizeof(resp->wait_jail), "%s", op->name);
	resp->wait_generation = op->have_row ? op->row.generation : 0;
	resp->wait_gone = gone;
	resp->wait_ms = op->wait_ms;
	resp->wait_status = resp->status == 202 ? 200 : resp->status;
	if (gone)
		resp->wait_status = 204;
}

/*
 * Add "/policies/N" for every valid name in doc's policies that names no
 * policy (in this transaction, so a concurrent delete cannot slip
 * between the check and the commit).
 */
static int
check_policy_refs(sqlite3 *db, const json_t *doc, struct verrs *errs,
    json_t **layers_out, struct jd_error *err)
{
	json_t *layers = NULL, *missing = NULL, *names, *n, *m;
	char ptr[64];
	size_t i, j;

	if (layers_out != NULL)
		*layers_out = NULL;
	names = json_object_get(doc, "policies");
	if (!json_is_array(names) || json_array_size(names) == 0)
		return 0;
	if (store_policy_layers(db, names, &layers, &missing, err) == -1)
		return -1;
	json_array_foreach(names, i, n) {
		json_array_foreach(missing, j, m)
			if (json_equal(n, m) && json_is_string(n) &&
			    name_object_valid(json_string_value(n))) {
				ptr_index(ptr, sizeof(ptr), "/policies", i);
				verrs_add(errs, ptr, "no policy named \"%s\"",
				    json_string_value(n));
				break;
			}
	}
	if (layers_out != NULL)
		*layers_out = layers;
	else
		json_decref(layers);
	json_decref(missing);
	return 0;
}

/*
 * The non-admin rules for policies (privilege_check_policies); nl are the
 * layers of spec's policies, as check_policy_refs loaded them.
 */
static int
check_policy_privilege(sqlite3 *db, const json_t *old, const json_t *spec,
    const json_t *nl, struct verrs *errs, struct jd_error *err)
{
	json_t *ol = NULL;

	if (json_array_size(json_object_get(spec, "policies")) == 0 &&
	    json_array_size(json_object_get(old, "policies")) == 0)
		return 0;
	if (old != NULL && store_policy_layers(db, json_object_get(old,
	    "policies"), &ol, NULL, err) == -1)
		return -1;
	privilege_check_policies(old, spec, ol, nl, errs);
	json_decref(ol);
	return 0;
}

static json_t *
decode_in_txn(struct jail_op *op, sqlite3 *db, const json_t *doc,
    const char *spec_text, struct api_response *resp)
{
	struct verrs errs = { 0 };
	struct jd_error err;
	json_t *old = spec_text ? json_loads(spec_text, 0, NULL) : NULL;
	json_t *spec, *layers = NULL;

	jd_error_clear(&err);
	spec = codec_jail_decode(doc, op->kind == OP_CREATE ||
	    op->kind == OP_ADOPT ? NULL : op->name,
	    old, &op->base.ctx->cfg, &errs);
	/* A valid spec lists exactly doc's policies: their layers serve
	 * the privilege rules below too. */
	if (check_policy_refs(db, doc, &errs, &layers, &err) == -1)
		goto fail_err;
	if (spec == NULL || errs.n > 0) {
		problem_in_op(resp, op, errs.oom ? JD_E_NOMEM : JD_E_INVALID,
		    "the jail document has invalid fields", &errs);
		goto fail;
	}
	if (!op->is_admin) {
		privilege_check(old, spec, op->base.ctx->cfg.mount_roots,
		    &errs);
		if (check_policy_privilege(db, old, spec, layers, &errs,
		    &err) == -1)
			goto fail_err;
		if (errs.n > 0) {
			problem_in_op(resp, op, JD_E_FORBIDDEN, "these fields "
			    "need an admin credential", &errs);
			goto fail;
		}
	}
	json_decref(old);
	json_decref(layers);
	verrs_free(&errs);
	return spec;
fail_err:
	error_in_op(resp, op, &err);
fail:
	json_decref(old);
	json_decref(spec);
	json_decref(layers);
	verrs_free(&errs);
	return NULL;
}

static const char *
resource_name(struct jail_op *op)
{
	static _Thread_local char r[80];

	snprintf(r, sizeof(r), "jail:%s", op->name);
	return r;
}

static int
write_run(struct api_write *w, sqlite3 *db, struct api_response *resp)
{
	struct jail_op *op = (struct jail_op *)w;
	struct jail_row cur;
	struct jd_error err;
	json_t *spec = NULL, *merged = NULL, *curspec = NULL;
	int found, rc = -1, r;
	char d[160];

	memset(&cur, 0, sizeof(cur));
	jd_error_clear(&err);
	if (op->idem_key != NULL) {
		r = run_idem_check(op, db, resp);
		if (r != 0)
			return r == 1 ? 0 : -1;
	}
	found = store_jail_get(db, op->name, &cur, &err);
	if (found == -1) {
		error_in_op(resp, op, &err);
		return -1;
	}
	if (op->kind != OP_CREATE && op->kind != OP_ADOPT &&
	    !etag_if_match_ok(op->if_match,
	    cur.resource_version, found)) {
		problem_in_op(resp, op, JD_E_PRECONDITION, found ?
		    "the jail changed since you read it (If-Match does not "
		    "match its ETag)" : "the jail does not exist (If-Match)",
		    NULL);
		goto done;
	}
	if (!found && op->delegated && op->kind == OP_PUT) {
		problem_in_op(resp, op, JD_E_FORBIDDEN, "a credential limited "
		    "to named jails cannot create jails", NULL);
		goto done;
	}
	op->gen_before = found ? cur.generation : 0;
	if (!found && op->kind != OP_CREATE && op->kind != OP_ADOPT &&
	    op->kind != OP_PUT) {
		struct api_request req;
		fake_req(op, &req);
		jails_not_found(resp, &req, op->name);
		goto done;
	}
	if (found && cur.deleting && op->kind != OP_DELETE) {
		snprintf(d, sizeof(d), "jail \"%s\" is being deleted",
		    op->name);
		problem_in_op(resp, op, JD_E_CONFLICT, d, NULL);
		goto done;
	}

	switch (op->kind) {
	case OP_CREATE:
	case OP_ADOPT:
		if (found) {
			snprintf(d, sizeof(d), "a jail named \"%s\" already "
			    "exists", op->name);
			problem_in_op(resp, op, JD_E_CONFLICT, d, NULL);
			goto done;
		}
		if ((spec = decode_in_txn(op, db, op->body, NULL,
		    resp)) == NULL ||
		    run_insert(op, db, spec, resp) == -1)
			goto done;
		break;
	case OP_PUT:
		spec = decode_in_txn(op, db, op->body, found ? cur.spec : NULL,
		    resp);
		if (spec == NULL)
			goto done;
		if (!found) {
			if (run_insert(op, db, spec, resp) == -1)
				goto done;
			break;
		}
		r = run_replace(op, db, &cur, spec, "changed", resp);
		if (r == -1)
			goto done;
		if (r == 1 && jail_row_copy(&op->row, &cur) == 0)
			op->have_row = 1;
		break;
	case OP_PATCH:
		curspec = json_loads(cur.spec, 0, NULL);
		merged = curspec ? codec_merge_patch(curspec, op->body) : NULL;
		if (merged == NULL) {
			problem_in_op(resp, op, JD_E_NOMEM, "out of memory",
			    NULL);
			goto done;
		}
		if ((spec = decode_in_txn(op, db, merged, cur.spec,
		    resp)) == NULL)
			goto done;
		r = run_replace(op, db, &cur, spec, "changed", resp);
		if (r == -1)
			goto done;
		if (r == 1 && jail_row_copy(&op->row, &cur) == 0)
			op->have_row = 1;
		break;
	case OP_DELETE:
		if (cur.deleting) {
			body_from_row(resp, 202, &cur);
			rc = 0;
			goto done;
		}
		if (cur.jid == 0 && (strcmp(cur.phase, "pending") == 0 ||
		    strcmp(cur.phase, "stopped") == 0 ||
		    strcmp(cur.phase, "failed") == 0)) {
			/* Nothing on the host to tear down. */
			if (store_jail_delete(db, op->name, &err) == -1 ||
			    store_event_add(db, op->name, "deleted", NULL,
			    cur.generation, &err) == -1) {
				error_in_op(resp, op, &err);
				goto done;
			}
			api_response_free(resp);
			resp->status = 204;
			op->removed = 1;
			break;
		}
		cur.deleting = 1;
		snprintf(cur.phase, sizeof(cur.phase), "deleting");
		time_now_rfc3339(cur.last_transition_at,
		    sizeof(cur.last_transition_at));
		if (store_next_rv(db, &cur.resource_version, &err) == -1 ||
		    store_jail_put(db, &cur, 0, &err) == -1) {
			error_in_op(resp, op, &err);
			goto done;
		}
		body_from_row(resp, 202, &cur);
		if (jail_row_copy(&op->row, &cur) == 0)
			op->have_row = 1;
		break;
	case OP_START:
	case OP_STOP:
	case OP_RESTART:
		curspec = json_loads(cur.spec, 0, NULL);
		if (curspec == NULL) {
			problem_in_op(resp, op, JD_E_NOMEM, "out of memory",
			    NULL);
			goto done;
		}
		json_object_set_new(curspec, "state", json_string(
		    op->kind == OP_STOP ? "stopped" : "running"));
		r = run_replace(op, db, &cur, curspec, op->kind == OP_STOP ?
		    "stop_requested" : op->kind == OP_START ?
		    "start_requested" : "restart_requested", resp);
		if (r == -1)
			goto done;
		if (op->kind == OP_RESTART || (op->kind == OP_START &&
		    r == 0 && strcmp(cur.phase, "failed") == 0)) {
			/* A restart is a new generation even when the state
			 * was already running; so is starting a failed jail,
			 * which retries at once instead of after its
			 * backoff. */
			if (r == 0) {
				cur.generation++;
				if (store_next_rv(db, &cur.resource_version,
				    &err) == -1 ||
				    store_event_add(db, cur.name,
				    op->kind == OP_RESTART ? "restart_requested" :
				    "start_requested", NULL, cur.generation,
				    &err) == -1) {
					error_in_op(resp, op, &err);
					goto done;
				}
			}
			if (op->kind == OP_RESTART)
				cur.restart_generation = cur.generation;
			if (store_jail_put(db, &cur, 0, &err) == -1) {
				error_in_op(resp, op, &err);
				goto done;
			}
			r = 1;
		}
		if (r == 1 && jail_row_copy(&op->row, &cur) == 0)
			op->have_row = 1;
		body_from_row(resp, 202, &cur);
		break;
	}
	if ((op->have_row || op->removed) && audit_write(db, &op->audit,
	    resource_name(op), op->gen_before, op->removed ? 0 :
	    op->row.generation, &err) == -1) {
		error_in_op(resp, op, &err);
		goto done;
	}
	if (op->idem_key != NULL && run_idem_store(op, db, resp) == -1)
		goto done;
	rc = 0;
	if (op->wait_ms >= 0 && resp->status < 300 && resp->status != 204) {
		want_wait(op, resp, op->kind == OP_DELETE);
		/* Unchanged documents wait for the generation they have. */
		resp->wait_generation = op->have_row ? op->row.generation :
		    cur.generation;
	}
done:
	json_decref(spec);
	json_decref(merged);
	json_decref(curspec);
	jail_row_free(&cur);
	return rc;
}

/* ---- the HTTP side ---- */

int
jails_name_param(const struct api_request *req, const char *name,
    struct api_response *resp)
{
	if (!name_jail_valid(name) ||
	    !api_principal_sees(req->principal, name)) {
		jails_not_found(resp, req, name);
		return -1;
	}
	return 0;
}

json_t *
jails_cached_doc(struct api_ctx *ctx, const char *name)
{
	struct cache_entry *e;
	json_t *doc;

	e = cache_get(ctx->cache, name);
	if (e == NULL)
		return NULL;
	doc = json_loadb(e->json, e->len, 0, NULL);
	cache_release(e);
	return doc;
}

void
jails_list_member(struct api_ctx *ctx, const struct api_request *req,
    const char *name, const char *member, struct api_response *resp)
{
	static const char *const no_query[] = { NULL };
	json_t *doc, *arr;

	if (jails_name_param(req, name, resp) == -1 ||
	    api_check_query(req, no_query, resp) == -1)
		return;
	if ((doc = jails_cached_doc(ctx, name)) == NULL) {
		jails_not_found(resp, req, name);
		return;
	}
	arr = json_object_get(doc, member);
	if (!json_is_array(arr)) {
		json_decref(doc);
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	api_json_body(resp, 200, json_pack("{s:O}", "items", arr));
	json_decref(doc);
}

void
h_jail_get(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	static const char *const q[] = { NULL };
	struct cache_entry *e;

	if (jails_name_param(req, params[0], resp) == -1 ||
	    api_check_query(req, q, resp) == -1)
		return;
	e = cache_get(ctx->cache, params[0]);
	if (e == NULL) {
		jails_not_found(resp, req, params[0]);
		return;
	}
	etag_set(resp, e->resource_version);
	if (etag_matches(req->if_none_match, e->resource_version)) {
		resp->status = 304;
		cache_release(e);
		return;
	}
	resp->body = jd_malloc(e->len + 1);
	if (resp->body == NULL) {
		cache_release(e);
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	memcpy(resp->body, e->json, e->len + 1);
	resp->body_len = e->len;
	resp->status = 200;
	resp->content_type = "application/json";
	cache_release(e);
}

static void
submit(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *resp, enum jail_op_kind kind, const char *name,
    json_t *body)
{
	struct jail_op *op;
	int64_t wait_ms;

	wait_ms = api_parse_wait(ctx, req, resp);
	if (wait_ms == -2) {
		json_decref(body);
		return;
	}
	op = op_new(ctx, req, kind, name, body, wait_ms);
	if (op == NULL) {
		json_decref(body);
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	if (kind == OP_CREATE && req->idempotency_key != NULL) {
		const char *k = req->idempotency_key;
		size_t i, n = strlen(k);
		for (i = 0; i < n; i++)
			if (k[i] < 0x21 || k[i] > 0x7e)
				break;
		if (n == 0 || n > 255 || i < n) {
			struct verrs l = { 0 };
			verrs_add(&l, "/headers/Idempotency-Key", "must be 1 "
			    "to 255 printable ASCII characters");
			problem_set(resp, req, JD_E_MALFORMED, "bad "
			    "Idempotency-Key header", &l);
			verrs_free(&l);
			op_free(&op->base);
			return;
		}
		if ((op->idem_key = jd_strdup(k)) == NULL) {
			op_free(&op->base);
			problem_set(resp, req, JD_E_NOMEM, "out of memory",
			    NULL);
			return;
		}
		if (inflight_add(ctx->inflight, k) == -1) {
			jd_free(op->idem_key);
			op->idem_key = NULL;
			op_free(&op->base);
			problem_set(resp, req, JD_E_CONFLICT, "a request with "
			    "this Idempotency-Key is still in progress", NULL);
			return;
		}
		hash_request(req, op->idem_hash);
	}
	defer_op(resp, op);
}

/* Validate up front so bad input never queues behind the writer. */
static int
precheck(struct api_ctx *ctx, const struct api_request *req,
    const json_t *doc, const char *url_name, struct api_response *resp)
{
	struct verrs errs = { 0 };
	struct jd_error err;
	json_t *spec;

	spec = codec_jail_decode(doc, url_name, NULL, &ctx->cfg, &errs);
	/* Every bad field at once: unknown policies too (the writer checks
	 * them again against committed state). */
	jd_error_clear(&err);
	if (ctx->reader != NULL && check_policy_refs(ctx->reader(
	    ctx->reader_arg), doc, &errs, NULL, &err) == -1) {
		json_decref(spec);
		verrs_free(&errs);
		problem_from_error(resp, req, &err);
		return -1;
	}
	if (spec == NULL || errs.n > 0) {
		json_decref(spec);
		problem_set(resp, req, errs.oom ? JD_E_NOMEM : JD_E_INVALID,
		    "the jail document has invalid fields", &errs);
		verrs_free(&errs);
		return -1;
	}
	json_decref(spec);
	verrs_free(&errs);
	return 0;
}

static const char *const write_query[] = { "wait", NULL };

void
h_jails_create(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	json_t *doc;
	const char *name;

	(void)params;
	if (api_check_query(req, write_query, resp) == -1)
		return;
	if (req->principal != NULL && req->principal->jails != NULL) {
		problem_set(resp, req, JD_E_FORBIDDEN, "a credential limited "
		    "to named jails cannot create jails", NULL);
		return;
	}
	doc = codec_parse_body(req, "application/json", resp);
	if (doc == NULL)
		return;
	if (precheck(ctx, req, doc, NULL, resp) == -1) {
		json_decref(doc);
		return;
	}
	name = json_string_value(json_object_get(doc, "name"));
	submit(ctx, req, resp, OP_CREATE, name, doc);
}

void
h_jail_put(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	json_t *doc;

	if (jails_name_param(req, params[0], resp) == -1 ||
	    api_check_query(req, write_query, resp) == -1)
		return;
	doc = codec_parse_body(req, "application/json", resp);
	if (doc == NULL)
		return;
	if (precheck(ctx, req, doc, params[0], resp) == -1) {
		json_decref(doc);
		return;
	}
	submit(ctx, req, resp, OP_PUT, params[0], doc);
}

void
h_jail_patch(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	json_t *doc;

	if (jails_name_param(req, params[0], resp) == -1 ||
	    api_check_query(req, write_query, resp) == -1)
		return;
	doc = codec_parse_body(req, "application/merge-patch+json", resp);
	if (doc == NULL)
		return;
	submit(ctx, req, resp, OP_PATCH, params[0], doc);
}

void
h_jail_delete(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	if (jails_name_param(req, params[0], resp) == -1 ||
	    api_check_query(req, write_query, resp) == -1)
		return;
	if (req->principal != NULL && req->principal->jails != NULL) {
		problem_set(resp, req, JD_E_FORBIDDEN, "a credential limited "
		    "to named jails cannot delete jails", NULL);
		return;
	}
	submit(ctx, req, resp, OP_DELETE, params[0], NULL);
}

static void
action(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp, enum jail_op_kind kind)
{
	json_t *doc;

	if (jails_name_param(req, params[0], resp) == -1 ||
	    api_check_query(req, write_query, resp) == -1)
		return;
	if (req->body_len > 0) {
		/* An optional empty object, nothing else. */
		doc = codec_parse_body(req, "application/json", resp);
		if (doc == NULL)
			return;
		if (json_object_size(doc) != 0) {
			struct verrs l = { 0 };
			const char *k;
			json_t *v;
			char ptr[128];
			json_object_foreach(doc, k, v) {
				ptr_join(ptr, sizeof(ptr), "", k);
				verrs_add(&l, ptr, "unknown field");
			}
			problem_set(resp, req, JD_E_INVALID, "actions take no "
			    "fields", &l);
			verrs_free(&l);
			json_decref(doc);
			return;
		}
		json_decref(doc);
	}
	submit(ctx, req, resp, kind, params[0], NULL);
}

void
h_jail_start(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	action(ctx, req, params, resp, OP_START);
}

void
h_jail_stop(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	action(ctx, req, params, resp, OP_STOP);
}

void
h_jail_restart(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	action(ctx, req, params, resp, OP_RESTART);
}

int
jails_put_in_txn(struct api_ctx *ctx, sqlite3 *db, const char *name,
    json_t *doc, int is_admin, const struct audit_info *audit,
    const char *request_id, struct api_response *resp,
    struct jail_row *row_out, int *changed)
{
	struct jail_op op;
	int rc;

	memset(&op, 0, sizeof(op));
	op.base.ctx = ctx;
	op.kind = OP_PUT;
	snprintf(op.name, sizeof(op.name), "%s", name);
	op.body = doc;			/* borrowed */
	op.wait_ms = -1;
	op.is_admin = is_admin;
	op.audit = *audit;
	snprintf(op.request_id, sizeof(op.request_id), "%s",
	    request_id ? request_id : "");
	op.base.request_id = op.request_id;
	rc = write_run(&op.base, db, resp);
	*changed = rc == 0 && op.have_row;
	if (*changed)
		*row_out = op.row;	/* moved */
	else
		jail_row_free(&op.row);
	return rc;
}

json_t *
jails_load_spec(sqlite3 *db, const char *name, const char *member,
    const char *request_id, struct api_response *resp)
{
	struct jail_row cur;
	struct jd_error err;
	json_t *spec;
	char d[128];
	int found;

	memset(&cur, 0, sizeof(cur));
	jd_error_clear(&err);
	found = store_jail_get(db, name, &cur, &err);
	if (found == -1) {
		problem_from_error_rid(resp, request_id, &err);
		return NULL;
	}
	if (found == 0) {
		snprintf(d, sizeof(d), "no jail named \"%s\"", name);
		problem_set_rid(resp, request_id, JD_E_NOTFOUND, d, NULL);
		return NULL;
	}
	spec = json_loads(cur.spec, 0, NULL);
	jail_row_free(&cur);
	if (spec == NULL || !json_is_array(json_object_get(spec, member))) {
		json_decref(spec);
		problem_set_rid(resp, request_id, JD_E_INTERNAL, "the stored "
		    "jail cannot be read", NULL);
		return NULL;
	}
	return spec;
}

int
jails_put_spec(struct api_ctx *ctx, sqlite3 *db, const char *name,
    json_t *spec, int is_admin, const struct audit_info *audit,
    const char *request_id, struct api_response *resp,
    struct jail_row *row_out, int *have_row)
{
	struct api_response one;
	int changed = 0;

	memset(&one, 0, sizeof(one));
	if (jails_put_in_txn(ctx, db, name, spec, is_admin, audit, request_id,
	    &one, row_out, &changed) == -1) {
		api_response_free(resp);
		*resp = one;
		return -1;
	}
	api_response_free(&one);
	*have_row = changed;
	return 0;
}

void
jails_publish(struct api_ctx *ctx, const struct jail_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		cache_put(ctx->cache, &rows[i]);
	if (n > 0 && ctx->wake != NULL)
		ctx->wake(ctx->wake_arg);
}

int
jail_owns_prison(int64_t row_jid, const char *row_phase, int64_t prison_jid)
{
	if (row_jid > 0)
		return row_jid == prison_jid;
	return strcmp(row_phase, "creating") == 0;
}

void
jails_submit_adopt(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *resp, const char *name, json_t *doc, int64_t jid)
{
	struct verrs errs = { 0 };
	json_t *spec;

	spec = codec_jail_decode(doc, NULL, NULL, &ctx->cfg, &errs);
	if (spec == NULL) {
		problem_set(resp, req, errs.oom ? JD_E_NOMEM : JD_E_INVALID,
		    "the live prison has settings jaild cannot manage",
		    &errs);
		verrs_free(&errs);
		json_decref(doc);
		return;
	}
	json_decref(spec);
	verrs_free(&errs);
	submit(ctx, req, resp, OP_ADOPT, name, doc);
	if (resp->write != NULL)
		((struct jail_op *)resp->write)->adopt_jid = jid;
}

/* ---- lists ---- */

static const char *const phases[] = { "pending", "creating", "running",
	"stopping", "stopped", "failed", "deleting", NULL };

static uint64_t
fnv(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h ^ 0xff;
}

static uint64_t
filter_hash(const struct jail_filter *f)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	h = fnv(h, f->state ? f->state : "");
	h = fnv(h, f->phase ? f->phase : "");
	for (i = 0; i < f->nlabels; i++) {
		h = fnv(h, f->label_keys[i]);
		h = fnv(h, f->label_values[i]);
	}
	return h;
}

static void
cursor_make(char *out, size_t outsz, const char *after, uint64_t fh)
{
	size_t n = 0;

	for (; *after != '\0' && n + 3 < outsz; after++)
		n += (size_t)snprintf(out + n, outsz - n, "%02x",
		    (unsigned char)*after);
	snprintf(out + n, outsz - n, ".%016llx", (unsigned long long)fh);
}

static int
cursor_parse(const char *c, char *after, size_t aftersz, uint64_t fh)
{
	const char *dot = strchr(c, '.');
	size_t n, i;
	unsigned int byte;
	char want[20];

	if (dot == NULL)
		return -1;
	n = (size_t)(dot - c);
	if (n % 2 != 0 || n / 2 >= aftersz || n == 0)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(c + 2 * i, "%2x", &byte) != 1)
			return -1;
		after[i] = (char)byte;
	}
	after[n / 2] = '\0';
	snprintf(want, sizeof(want), "%016llx", (unsigned long long)fh);
	if (strcmp(dot + 1, want) != 0 || !name_jail_valid(after))
		return -1;
	return 0;
}

struct list_acc {
	struct api_ctx	*ctx;
	const struct api_principal *principal;
	struct buf	*b;
	int		 count;
	int		 limit;
	char		 last[64];
	int		 more;
	int		 oom;
};

static int
list_cb(void *arg, const char *name)
{
	struct list_acc *a = arg;
	struct cache_entry *e;

	if (a->count == a->limit) {
		a->more = 1;
		return 1;
	}
	if (!api_principal_sees(a->principal, name))
		return 0;
	e = cache_get(a->ctx->cache, name);
	if (e == NULL)
		return 0;	/* deleted since the query started */
	if ((a->count > 0 && buf_putc(a->b, ',') == -1) ||
	    buf_append(a->b, e->json, e->len) == -1)
		a->oom = 1;
	cache_release(e);
	snprintf(a->last, sizeof(a->last), "%s", name);
	a->count++;
	return a->oom;
}

void
h_jails_list(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	static const char *const q[] = { "state", "phase", "label", "limit",
	    "cursor", NULL };
	struct jail_filter f;
	struct verrs errs = { 0 };
	struct list_acc acc;
	struct buf b = { 0 };
	struct jd_error err;
	char after[64] = "", cursor[200], lk[16][64];
	long long limit;
	const char *c, *eq;
	size_t i, j;

	(void)params;
	if (api_check_query(req, q, resp) == -1)
		return;
	memset(&f, 0, sizeof(f));
	if (req->principal != NULL)
		f.names = req->principal->jails;
	f.state = api_query_get(req, "state");
	if (f.state != NULL && strcmp(f.state, "running") != 0 &&
	    strcmp(f.state, "stopped") != 0)
		verrs_add(&errs, "/query/state", "must be running or stopped");
	f.phase = api_query_get(req, "phase");
	for (j = 0; f.phase != NULL && phases[j] != NULL; j++)
		if (strcmp(f.phase, phases[j]) == 0)
			break;
	if (f.phase != NULL && phases[j] == NULL)
		verrs_add(&errs, "/query/phase", "must be one of pending, "
		    "creating, running, stopping, stopped, failed, deleting");
	for (i = 0; i < req->nquery; i++) {
		if (strcmp(req->query[i].key, "label") != 0)
			continue;
		c = req->query[i].value;
		eq = strchr(c, '=');
		if (f.nlabels == 16) {
			verrs_add(&errs, "/query/label", "at most 16 label "
			    "filters");
			break;
		}
		if (eq == NULL || (size_t)(eq - c) >= sizeof(lk[0])) {
			verrs_add(&errs, "/query/label", "must be KEY=VALUE");
			continue;
		}
		snprintf(lk[f.nlabels], sizeof(lk[0]), "%.*s", (int)(eq - c),
		    c);
		if (!name_label_key_valid(lk[f.nlabels]) ||
		    !name_label_value_valid(eq + 1)) {
			verrs_add(&errs, "/query/label", "\"%s\" is not a "
			    "valid KEY=VALUE label selector", c);
			continue;
		}
		f.label_keys[f.nlabels] = lk[f.nlabels];
		f.label_values[f.nlabels] = eq + 1;
		f.nlabels++;
	}
	api_query_int(req, "limit", 1, 1000, 100, &limit, &errs);
	c = api_query_get(req, "cursor");
	if (c != NULL && errs.n == 0 &&
	    cursor_parse(c, after, sizeof(after), filter_hash(&f)) == -1)
		verrs_add(&errs, "/query/cursor", "is not a cursor from this "
		    "list with these filters");
	if (errs.n > 0) {
		problem_set(resp, req, JD_E_MALFORMED, "bad query parameters",
		    &errs);
		verrs_free(&errs);
		return;
	}
	memset(&acc, 0, sizeof(acc));
	acc.ctx = ctx;
	acc.principal = req->principal;
	acc.b = &b;
	acc.limit = (int)limit;
	jd_error_clear(&err);
	if (buf_puts(&b, "{\"items\":[") == -1)
		acc.oom = 1;
	if (!acc.oom && store_jail_list(ctx->reader(ctx->reader_arg), &f,
	    after, (int)limit + 1, list_cb, &acc, &err) == -1) {
		buf_free(&b);
		problem_from_error(resp, req, &err);
		return;
	}
	if (acc.more) {
		cursor_make(cursor, sizeof(cursor), acc.last, filter_hash(&f));
		if (buf_printf(&b, "],\"next_cursor\":\"%s\"}", cursor) == -1)
			acc.oom = 1;
	} else if (buf_puts(&b, "],\"next_cursor\":null}") == -1)
		acc.oom = 1;
	if (acc.oom) {
		buf_free(&b);
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	resp->status = 200;
	resp->content_type = "application/json";
	resp->body = buf_detach(&b, &resp->body_len);
}

/* ---- waiting ---- */

static int
phase_settled(const char *phase)
{
	return strcmp(phase, "running") == 0 || strcmp(phase, "stopped") == 0 ||
	    strcmp(phase, "failed") == 0;
}

int
api_wait_settled(struct api_ctx *ctx, const char *jail, int64_t gen,
    int gone)
{
	struct cache_entry *e;
	int settled;

	e = cache_get(ctx->cache, jail);
	if (e == NULL)
		return 1;	/* gone settles every wait */
	settled = !gone && e->observed_generation >= gen &&
	    phase_settled(e->phase);
	cache_release(e);
	return settled;
}

void
api_wait_answer(struct api_ctx *ctx, const char *jail, int settled,
    int wait_status, const char *request_id, struct api_response *resp)
{
	struct api_request req;
	struct cache_entry *e;

	memset(&req, 0, sizeof(req));
	req.request_id = request_id;
	e = cache_get(ctx->cache, jail);
	if (e == NULL) {
		if (wait_status == 204) {
			resp->status = 204;
			return;
		}
		jails_not_found(resp, &req, jail);
		return;
	}
	resp->body = jd_malloc(e->len + 1);
	if (resp->body == NULL) {
		cache_release(e);
		problem_set(resp, &req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	memcpy(resp->body, e->json, e->len + 1);
	resp->body_len = e->len;
	resp->content_type = "application/json";
	resp->status = settled && wait_status != 204 ? wait_status : 202;
	etag_set(resp, e->resource_version);
	cache_release(e);
}
