/*
 * mounts.c - mounts as resources: GET/POST /v1/jails/{name}/mounts and
 * DELETE /v1/jails/{name}/mounts/{id}.
 *
 * The mounts array of the jail document and these sub-resources are two
 * views of the same rows: adding or removing a mount is a writer op that
 * loads the jail's stored desired part, changes its mounts array and
 * stores it with jails_put_in_txn, so validation (codec), ids, the event,
 * the audit row, the render cache and the reconciler's wake-up are those
 * of a PUT.  Two checks live here because they need the host or the
 * configuration: a target reached through a symlink on the host is
 * refused (every existing component of PATH + TARGET is lstat'ed), and a
 * nullfs source given by a non-admin must lie under one of mount_roots.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cache.h"
#include "codec.h"
#include "common/alloc.h"
#include "common/names.h"
#include "db/store.h"
#include "handlers.h"
#include "jails_op.h"
#include "privilege.h"
#include "problem.h"

enum mount_op_kind {
	MOP_ADD,
	MOP_DEL,
};

struct mount_op {
	struct api_write	 base;
	enum mount_op_kind	 kind;
	char			 name[64];
	json_t			*mount;		/* ADD: the request body */
	long long		 id;		/* DEL */
	int			 is_admin;
	struct audit_info	 audit;
	char			 request_id[72];
	struct jail_row		 row;
	int			 have_row;
};

static const char *const no_query[] = { NULL };

/*
 * 1 when some existing component of root + target is a symlink on this
 * host; missing components end the walk (they cannot be links).
 */
static int
through_symlink(const char *root, const char *target)
{
	char path[2048], *p;
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", root, target) >=
	    (int)sizeof(path))
		return 0;
	for (p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (p[-1] != '/') {
			char c = *p;

			*p = '\0';
			if (lstat(path, &st) == -1) {
				*p = c;
				return 0;
			}
			*p = c;
			if (S_ISLNK(st.st_mode))
				return 1;
		}
		if (*p == '\0')
			return 0;
	}
}

/* ---- the writer side ---- */

static void
op_free(struct api_write *w)
{
	struct mount_op *op = (struct mount_op *)w;

	json_decref(op->mount);
	jail_row_free(&op->row);
	jd_free(op);
}

static void
op_done(struct api_write *w, int committed)
{
	struct mount_op *op = (struct mount_op *)w;

	if (committed && op->have_row)
		jails_publish(w->ctx, &op->row, 1);
}

static void
op_problem(struct api_response *resp, const struct mount_op *op,
    enum jd_errcode code, const char *detail, const struct verrs *errs)
{
	problem_set_rid(resp, op->request_id, code, detail, errs);
}

/*
 * The PUT's problem names fields of the jail document ("/mounts/3/target");
 * the client sent one mount, so name its fields ("/target").
 */
static void
rebase_fields(struct api_response *resp, size_t idx)
{
	char prefix[48];
	json_t *doc, *e, *f;
	const char *s;
	char *text;
	size_t i, n;

	if (resp->body == NULL || resp->body_static)
		return;
	doc = json_loadb(resp->body, resp->body_len, 0, NULL);
	if (doc == NULL)
		return;
	n = (size_t)snprintf(prefix, sizeof(prefix), "/mounts/%zu", idx);
	json_array_foreach(json_object_get(doc, "errors"), i, e) {
		f = json_object_get(e, "field");
		s = json_string_value(f);
		if (s != NULL && strncmp(s, prefix, n) == 0 &&
		    (s[n] == '\0' || s[n] == '/'))
			json_object_set_new(e, "field", json_string(s[n] ?
			    s + n : ""));
	}
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (text == NULL)
		return;
	jd_free(resp->body);
	resp->body = jd_strdup(text);
	resp->body_len = resp->body ? strlen(resp->body) : 0;
	free(text);
}

static int
run_add(struct mount_op *op, sqlite3 *db, struct api_response *resp)
{
	struct verrs errs = { 0 };
	const char *path, *target;
	json_t *spec, *mounts, *doc, *m;
	size_t idx;

	if ((spec = jails_load_spec(db, op->name, "mounts", op->request_id,
	    resp)) == NULL)
		return -1;
	path = json_string_value(json_object_get(spec, "path"));
	target = json_string_value(json_object_get(op->mount, "target"));
	if (path != NULL && target != NULL && through_symlink(path, target)) {
		verrs_add(&errs, "/target", "passes through a symlink on the "
		    "host under %s", path);
		op_problem(resp, op, errs.oom ? JD_E_NOMEM : JD_E_INVALID,
		    "the mount has invalid fields", &errs);
		verrs_free(&errs);
		json_decref(spec);
		return -1;
	}
	mounts = json_object_get(spec, "mounts");
	idx = json_array_size(mounts);
	if (json_array_append(mounts, op->mount) == -1) {
		json_decref(spec);
		op_problem(resp, op, JD_E_NOMEM, "out of memory", NULL);
		return -1;
	}
	/* A non-admin's nullfs source was checked against mount_roots by
	 * the handler; nothing else in the document changes. */
	if (jails_put_spec(op->base.ctx, db, op->name, spec, 1,
	    &op->audit, op->request_id, resp, &op->row, &op->have_row) == -1) {
		rebase_fields(resp, idx);
		json_decref(spec);
		return -1;
	}
	json_decref(spec);
	doc = op->have_row ? json_loads(op->row.spec, 0, NULL) : NULL;
	m = json_array_get(json_object_get(doc, "mounts"), idx);
	if (m == NULL) {
		json_decref(doc);
		op_problem(resp, op, JD_E_INTERNAL, "the new mount was not "
		    "stored", NULL);
		return -1;
	}
	api_response_free(resp);
	memset(resp, 0, sizeof(*resp));
	snprintf(resp->location, sizeof(resp->location),
	    "/v1/jails/%s/mounts/%lld", op->name,
	    (long long)json_integer_value(json_object_get(m, "id")));
	api_json_body(resp, 201, json_incref(m));
	json_decref(doc);
	return 0;
}

static int
run_del(struct mount_op *op, sqlite3 *db, struct api_response *resp)
{
	json_t *spec, *mounts, *m;
	char d[160];
	size_t i;

	if ((spec = jails_load_spec(db, op->name, "mounts", op->request_id,
	    resp)) == NULL)
		return -1;
	mounts = json_object_get(spec, "mounts");
	json_array_foreach(mounts, i, m)
		if (json_integer_value(json_object_get(m, "id")) == op->id)
			break;
	if (i == json_array_size(mounts)) {
		snprintf(d, sizeof(d), "jail \"%s\" has no mount %lld",
		    op->name, op->id);
		op_problem(resp, op, JD_E_NOTFOUND, d, NULL);
		json_decref(spec);
		return -1;
	}
	json_array_remove(mounts, i);
	if (jails_put_spec(op->base.ctx, db, op->name, spec, op->is_admin,
	    &op->audit, op->request_id, resp, &op->row, &op->have_row) == -1) {
		json_decref(spec);
		return -1;
	}
	json_decref(spec);
	api_response_free(resp);
	memset(resp, 0, sizeof(*resp));
	resp->status = 204;
	return 0;
}

static int
op_run(struct api_write *w, sqlite3 *db, struct api_response *resp)
{
	struct mount_op *op = (struct mount_op *)w;

	return op->kind == MOP_ADD ? run_add(op, db, resp) :
	    run_del(op, db, resp);
}

static struct mount_op *
op_new(struct api_ctx *ctx, const struct api_request *req,
    enum mount_op_kind kind, const char *name)
{
	struct mount_op *op;

	op = jd_calloc(1, sizeof(*op));
	if (op == NULL)
		return NULL;
	op->base.run = op_run;
	op->base.done = op_done;
	op->base.free = op_free;
	op->base.ctx = ctx;
	op->kind = kind;
	snprintf(op->name, sizeof(op->name), "%s", name);
	op->is_admin = req->principal == NULL ||
	    req->principal->scope >= SCOPE_ADMIN;
	audit_info_from(&op->audit, req);
	snprintf(op->request_id, sizeof(op->request_id), "%s",
	    req->request_id ? req->request_id : "");
	op->base.request_id = op->request_id;
	return op;
}

/* ---- handlers ---- */

void
h_jail_mounts_list(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	jails_list_member(ctx, req, params[0], "mounts", resp);
}

void
h_jail_mounts_add(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	struct verrs errs = { 0 };
	struct mount_op *op;
	const char *src;
	json_t *in;
	int is_admin;

	if (jails_name_param(req, params[0], resp) == -1 ||
	    api_check_query(req, no_query, resp) == -1)
		return;
	in = codec_parse_body(req, "application/json", resp);
	if (in == NULL)
		return;
	if (!json_is_object(in)) {
		json_decref(in);
		verrs_add(&errs, "", "must be a mount object");
		problem_set(resp, req, JD_E_INVALID, "the mount has invalid "
		    "fields", &errs);
		verrs_free(&errs);
		return;
	}
	if (json_object_get(in, "id") != NULL) {
		verrs_add(&errs, "/id", "is assigned by jaild");
		problem_set(resp, req, JD_E_INVALID, "the mount has invalid "
		    "fields", &errs);
		verrs_free(&errs);
		json_decref(in);
		return;
	}
	is_admin = req->principal == NULL ||
	    req->principal->scope >= SCOPE_ADMIN;
	src = json_string_value(json_object_get(in, "source"));
	if (!is_admin && src != NULL && !privilege_path_under_roots(src,
	    ctx->cfg.mount_roots)) {
		verrs_add(&errs, "/source", "a non-admin may mount only host "
		    "paths under the configured mount_roots (%s)",
		    ctx->cfg.mount_roots[0] ? ctx->cfg.mount_roots : "none");
		problem_set(resp, req, JD_E_FORBIDDEN, "this field needs an "
		    "admin credential", &errs);
		verrs_free(&errs);
		json_decref(in);
		return;
	}
	op = op_new(ctx, req, MOP_ADD, params[0]);
	if (op == NULL) {
		json_decref(in);
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	op->mount = in;
	resp->defer = API_DEFER_WRITE;
	resp->write = &op->base;
}

void
h_jail_mount_delete(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	struct mount_op *op;
	char d[160], *end;
	long long id;

	if (jails_name_param(req, params[0], resp) == -1 ||
	    api_check_query(req, no_query, resp) == -1)
		return;
	errno = 0;
	id = strtoll(params[1], &end, 10);
	if (params[1][0] < '1' || params[1][0] > '9' || *end != '\0' ||
	    errno != 0) {
		snprintf(d, sizeof(d), "jail \"%s\" has no mount %.32s",
		    params[0], params[1]);
		problem_set(resp, req, JD_E_NOTFOUND, d, NULL);
		return;
	}
	op = op_new(ctx, req, MOP_DEL, params[0]);
	if (op == NULL) {
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	op->id = id;
	resp->defer = API_DEFER_WRITE;
	resp->write = &op->base;
}
