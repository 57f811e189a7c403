/*
 * ips.c - addresses as resources: /v1/jails/{name}/ips (list, add, remove),
 * /v1/ips (every assignment on the host) and /v1/ip-pools (CRUD).
 *
 * The ips array of the jail document and these sub-resources are two views
 * of the same rows: adding or removing an address is a writer op that
 * loads the jail's stored desired part, changes its ips array and stores it
 * with jails_put_in_txn, so validation, the 409 naming the holder of an
 * address, the event, the audit row, the render cache and the reconciler's
 * wake-up are those of a PUT.  An address from a pool is picked in the
 * same transaction (store_pool_allocate); the writer runs transactions one
 * at a time, so concurrent allocations never pick the same address.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "cache.h"
#include "codec.h"
#include "common/alloc.h"
#include "common/names.h"
#include "common/timeutil.h"
#include "db/pools.h"
#include "db/store.h"
#include "handlers.h"
#include "jails_op.h"
#include "problem.h"

enum ip_op_kind {
	IPOP_ADD,
	IPOP_DEL,
	IPOP_POOL_ADD,
	IPOP_POOL_DEL,
};

struct ip_op {
	struct api_write	 base;
	enum ip_op_kind		 kind;
	char			 name[64];	/* jail, or pool */
	char			 address[80];	/* ADD: ADDR/PREFIX or "";
						   DEL: bare canonical */
	char			 pool[64];	/* ADD from a pool */
	int			 iface_given;
	char			 iface[16];	/* "" means null */
	int			 is_admin;
	struct pool_row		 prow;		/* POOL_ADD */
	struct audit_info	 audit;
	char			 request_id[72];
	struct jail_row		 row;		/* committed, for the cache */
	int			 have_row;
};

static const char *const no_query[] = { NULL };

/* ---- helpers ---- */

static int
ifname_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 15 &&
	    ((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") == n;
}

static void
unknown_keys(const json_t *in, const char *const *keys, struct verrs *errs)
{
	const char *k;
	char ptr[128];
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)in, k, v) {
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (keys[i] == NULL) {
			ptr_join(ptr, sizeof(ptr), "", k);
			verrs_add(errs, ptr, "unknown field");
		}
	}
}

/* The length of the address part of "ADDR/PREFIX". */
static size_t
addr_len(const char *a)
{
	return strcspn(a, "/");
}

static json_t *
pool_doc(const struct pool_row *p)
{
	json_t *ex = json_loads(p->exclude ? p->exclude : "[]", 0, NULL);

	return json_pack("{s:s, s:s, s:s, s:o}", "name", p->name,
	    "interface", p->interface, "cidr", p->cidr,
	    "exclude", ex ? ex : json_array());
}

/* ---- the writer side ---- */

static void
op_free(struct api_write *w)
{
	struct ip_op *op = (struct ip_op *)w;

	jail_row_free(&op->row);
	pool_row_free(&op->prow);
	jd_free(op);
}

static void
op_done(struct api_write *w, int committed)
{
	struct ip_op *op = (struct ip_op *)w;

	if (committed && op->have_row)
		jails_publish(w->ctx, &op->row, 1);
}

static void
op_problem(struct api_response *resp, const struct ip_op *op,
    enum jd_errcode code, const char *detail, const struct verrs *errs)
{
	problem_set_rid(resp, op->request_id, code, detail, errs);
}

static void
op_error(struct api_response *resp, const struct ip_op *op,
    const struct jd_error *err)
{
	problem_from_error_rid(resp, op->request_id, err);
}

static int
run_add(struct ip_op *op, sqlite3 *db, struct api_response *resp)
{
	struct pool_row p;
	struct verrs errs = { 0 };
	struct jd_error err;
	char d[160], canon[80], msg[160];
	const char *iface, *fam;
	json_t *spec, *ip;
	int rc;

	memset(&p, 0, sizeof(p));
	jd_error_clear(&err);
	if ((spec = jails_load_spec(db, op->name, "ips", op->request_id,
	    resp)) == NULL)
		return -1;
	iface = op->iface_given ? op->iface : "";
	if (op->pool[0] != '\0') {
		rc = store_pool_get(db, op->pool, &p, &err);
		if (rc == -1) {
			op_error(resp, op, &err);
			goto fail;
		}
		if (rc == 0) {
			verrs_add(&errs, "/pool", "no IP pool named \"%s\"",
			    op->pool);
			op_problem(resp, op, JD_E_INVALID, "the address "
			    "request has invalid fields", &errs);
			verrs_free(&errs);
			goto fail;
		}
		rc = store_pool_allocate(db, &p, op->address,
		    sizeof(op->address), &err);
		if (rc == -1) {
			op_error(resp, op, &err);
			goto fail;
		}
		if (rc == 0) {
			snprintf(d, sizeof(d), "IP pool \"%s\" (%s) has no "
			    "free address", p.name, p.cidr);
			op_problem(resp, op, JD_E_CONFLICT, d, NULL);
			goto fail;
		}
		if (!op->iface_given)
			iface = p.interface;
	}
	if (codec_ip_normalize(op->address, canon, sizeof(canon), &fam, msg,
	    sizeof(msg)) == -1) {
		op_problem(resp, op, JD_E_INTERNAL, msg, NULL);
		goto fail;
	}
	ip = json_pack("{s:o, s:s}", "interface", iface[0] ?
	    json_string(iface) : json_null(), "address", canon);
	if (ip == NULL || json_array_append_new(json_object_get(spec, "ips"),
	    ip) == -1) {
		op_problem(resp, op, JD_E_NOMEM, "out of memory", NULL);
		goto fail;
	}
	if (jails_put_spec(op->base.ctx, db, op->name, spec, op->is_admin,
	    &op->audit, op->request_id, resp, &op->row, &op->have_row) == -1)
		goto fail;
	json_decref(spec);
	api_response_free(resp);
	memset(resp, 0, sizeof(*resp));
	api_json_body(resp, 201, json_pack("{s:o, s:s, s:s}", "interface",
	    iface[0] ? json_string(iface) : json_null(), "address", canon,
	    "family", fam));
	snprintf(resp->location, sizeof(resp->location),
	    "/v1/jails/%s/ips/%.*s", op->name, (int)addr_len(canon), canon);
	pool_row_free(&p);
	return 0;
fail:
	pool_row_free(&p);
	json_decref(spec);
	return -1;
}

static int
run_del(struct ip_op *op, sqlite3 *db, struct api_response *resp)
{
	json_t *spec, *ips, *ip;
	const char *a;
	char d[200];
	size_t i, n = strlen(op->address);

	if ((spec = jails_load_spec(db, op->name, "ips", op->request_id,
	    resp)) == NULL)
		return -1;
	ips = json_object_get(spec, "ips");
	json_array_foreach(ips, i, ip) {
		a = json_string_value(json_object_get(ip, "address"));
		if (a != NULL && addr_len(a) == n &&
		    strncmp(a, op->address, n) == 0)
			break;
	}
	if (i == json_array_size(ips)) {
		snprintf(d, sizeof(d), "jail \"%s\" has no address %s",
		    op->name, op->address);
		op_problem(resp, op, JD_E_NOTFOUND, d, NULL);
		json_decref(spec);
		return -1;
	}
	json_array_remove(ips, i);
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
run_pool(struct ip_op *op, sqlite3 *db, struct api_response *resp)
{
	struct jd_error err;
	char resource[80], d[128];
	int deleted = 0;

	jd_error_clear(&err);
	snprintf(resource, sizeof(resource), "pool:%s", op->name);
	if (op->kind == IPOP_POOL_ADD) {
		if (store_pool_insert(db, &op->prow, &err) == -1 ||
		    audit_write(db, &op->audit, resource, 0, 0, &err) == -1) {
			op_error(resp, op, &err);
			return -1;
		}
		api_json_body(resp, 201, pool_doc(&op->prow));
		snprintf(resp->location, sizeof(resp->location),
		    "/v1/ip-pools/%s", op->name);
		return 0;
	}
	if (store_pool_delete(db, op->name, &deleted, &err) == -1) {
		op_error(resp, op, &err);
		return -1;
	}
	if (!deleted) {
		snprintf(d, sizeof(d), "no IP pool named \"%s\"", op->name);
		op_problem(resp, op, JD_E_NOTFOUND, d, NULL);
		return -1;
	}
	if (audit_write(db, &op->audit, resource, 0, 0, &err) == -1) {
		op_error(resp, op, &err);
		return -1;
	}
	resp->status = 204;
	return 0;
}

static int
op_run(struct api_write *w, sqlite3 *db, struct api_response *resp)
{
	struct ip_op *op = (struct ip_op *)w;

	switch (op->kind) {
	case IPOP_ADD:
		return run_add(op, db, resp);
	case IPOP_DEL:
		return run_del(op, db, resp);
	default:
		return run_pool(op, db, resp);
	}
}

static struct ip_op *
op_new(struct api_ctx *ctx, const struct api_request *req,
    enum ip_op_kind kind, const char *name)
{
	struct ip_op *op;

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

static void
submit(struct api_response *resp, struct ip_op *op)
{
	resp->defer = API_DEFER_WRITE;
	resp->write = &op->base;
}

/* ---- /v1/jails/{name}/ips ---- */

void
h_jail_ips_list(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	jails_list_member(ctx, req, params[0], "ips", resp);
}

void
h_jail_ips_add(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	static const char *const keys[] = { "interface", "address", "pool",
	    NULL };
	struct verrs errs = { 0 };
	struct ip_op *op;
	const char *fam, *s;
	char canon[80], msg[160];
	json_t *in, *v, *addr, *pool;

	if (jails_name_param(req, params[0], resp) == -1 ||
	    api_check_query(req, no_query, resp) == -1)
		return;
	in = codec_parse_body(req, "application/json", resp);
	if (in == NULL)
		return;
	op = op_new(ctx, req, IPOP_ADD, params[0]);
	if (op == NULL) {
		json_decref(in);
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	unknown_keys(in, keys, &errs);
	v = json_object_get(in, "interface");
	if (v != NULL) {
		op->iface_given = 1;
		if (json_is_string(v) && ifname_ok(json_string_value(v)))
			snprintf(op->iface, sizeof(op->iface), "%s",
			    json_string_value(v));
		else if (!json_is_null(v))
			verrs_add(&errs, "/interface", "must be an interface "
			    "name (1 to 15 of [A-Za-z0-9._-], starting with a "
			    "letter) or null");
	}
	addr = json_object_get(in, "address");
	pool = json_object_get(in, "pool");
	if (addr == NULL && pool == NULL)
		verrs_add(&errs, "/address", "is required (an IPv4 or IPv6 "
		    "address, optionally with /prefix), unless \"pool\" is "
		    "given");
	else if (addr != NULL && pool != NULL)
		verrs_add(&errs, "/pool", "give either \"address\" or "
		    "\"pool\", not both");
	if (addr != NULL) {
		s = json_string_value(addr);
		if (s == NULL)
			verrs_add(&errs, "/address", "must be an IPv4 or IPv6 "
			    "address, optionally with /prefix");
		else if (codec_ip_normalize(s, canon, sizeof(canon), &fam,
		    msg, sizeof(msg)) == -1)
			verrs_add(&errs, "/address", "%s", msg);
		else
			snprintf(op->address, sizeof(op->address), "%s",
			    canon);
	}
	if (pool != NULL) {
		s = json_string_value(pool);
		if (s == NULL || !name_object_valid(s))
			verrs_add(&errs, "/pool", "must be the name of an IP "
			    "pool");
		else
			snprintf(op->pool, sizeof(op->pool), "%s", s);
	}
	json_decref(in);
	if (errs.n > 0 || errs.oom) {
		problem_set(resp, req, errs.oom ? JD_E_NOMEM : JD_E_INVALID,
		    "the address request has invalid fields", &errs);
		verrs_free(&errs);
		op_free(&op->base);
		return;
	}
	submit(resp, op);
}

void
h_jail_ip_delete(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	struct ip_op *op;
	const char *fam;
	char canon[80], msg[160], d[200];

	if (jails_name_param(req, params[0], resp) == -1 ||
	    api_check_query(req, no_query, resp) == -1)
		return;
	if (strchr(params[1], '/') != NULL ||
	    codec_ip_normalize(params[1], canon, sizeof(canon), &fam, msg,
	    sizeof(msg)) == -1) {
		snprintf(d, sizeof(d), "jail \"%s\" has no address %.64s",
		    params[0], params[1]);
		problem_set(resp, req, JD_E_NOTFOUND, d, NULL);
		return;
	}
	op = op_new(ctx, req, IPOP_DEL, params[0]);
	if (op == NULL) {
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	snprintf(op->address, sizeof(op->address), "%.*s",
	    (int)addr_len(canon), canon);
	submit(resp, op);
}

/* ---- /v1/ips ---- */

struct ip_item {
	json_t		*item;
	int		 af;
	unsigned char	 a[16];
};

struct ips_walk {
	const struct api_principal *principal;
	struct ip_item	*v;
	size_t		 n, cap;
	int		 oom;
};

static int
ips_cb(void *arg, const struct jail_row *row)
{
	struct ips_walk *w = arg;
	struct ip_item *nv;
	json_t *spec, *ip, *iface;
	const char *a;
	char bare[64];
	size_t i, l;

	if (!api_principal_sees(w->principal, row->name))
		return 0;
	spec = json_loads(row->spec, 0, NULL);
	json_array_foreach(json_object_get(spec, "ips"), i, ip) {
		a = json_string_value(json_object_get(ip, "address"));
		if (a == NULL)
			continue;
		if (w->n == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 16;
			nv = jd_realloc(w->v, w->cap * sizeof(*nv));
			if (nv == NULL) {
				w->oom = 1;
				break;
			}
			w->v = nv;
		}
		l = addr_len(a);
		snprintf(bare, sizeof(bare), "%.*s", (int)l, a);
		memset(&w->v[w->n], 0, sizeof(w->v[w->n]));
		if (inet_pton(AF_INET, bare, w->v[w->n].a) == 1)
			w->v[w->n].af = 4;
		else if (inet_pton(AF_INET6, bare, w->v[w->n].a) == 1)
			w->v[w->n].af = 6;
		iface = json_object_get(ip, "interface");
		w->v[w->n].item = json_pack("{s:s, s:O, s:s, s:O}", "jail",
		    row->name, "interface", iface ? iface : json_null(),
		    "address", a, "family", json_object_get(ip, "family"));
		if (w->v[w->n].item == NULL) {
			w->oom = 1;
			break;
		}
		w->n++;
	}
	json_decref(spec);
	return w->oom;
}

/* IPv4 before IPv6, then by numeric value. */
static int
ip_item_cmp(const void *x, const void *y)
{
	const struct ip_item *a = x, *b = y;

	if (a->af != b->af)
		return a->af < b->af ? -1 : 1;
	return memcmp(a->a, b->a, sizeof(a->a));
}

void
h_ips_list(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	struct ips_walk w;
	struct jd_error err;
	json_t *items;
	size_t i;

	(void)params;
	if (api_check_query(req, no_query, resp) == -1)
		return;
	memset(&w, 0, sizeof(w));
	w.principal = req->principal;
	jd_error_clear(&err);
	if (store_jail_foreach(ctx->reader(ctx->reader_arg), ips_cb, &w,
	    &err) == -1 && err.code != JD_OK) {
		problem_from_error(resp, req, &err);
		goto done;
	}
	items = json_array();
	if (w.oom || items == NULL) {
		json_decref(items);
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		goto done;
	}
	if (w.n > 0)
		qsort(w.v, w.n, sizeof(*w.v), ip_item_cmp);
	for (i = 0; i < w.n; i++) {
		json_array_append_new(items, w.v[i].item);
		w.v[i].item = NULL;
	}
	api_json_body(resp, 200, json_pack("{s:o}", "items", items));
done:
	for (i = 0; i < w.n; i++)
		json_decref(w.v[i].item);
	jd_free(w.v);
}

/* ---- /v1/ip-pools ---- */

static int
pools_cb(void *arg, const struct pool_row *p)
{
	json_t *doc = pool_doc(p);

	if (doc == NULL)
		return 1;
	return json_array_append_new(arg, doc) == -1;
}

void
h_pools_list(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	struct jd_error err;
	json_t *items;

	(void)params;
	if (api_check_query(req, no_query, resp) == -1)
		return;
	items = json_array();
	jd_error_clear(&err);
	api_items_answer(req, resp, items, items == NULL ||
	    store_pool_foreach(ctx->reader(ctx->reader_arg), pools_cb, items,
	    &err) == -1, &err);
}

void
h_pool_get(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	struct pool_row p;
	struct jd_error err;
	int rc;

	if (api_check_query(req, no_query, resp) == -1)
		return;
	if (!name_object_valid(params[0])) {
		problem_not_found(resp, req, "IP pool", params[0]);
		return;
	}
	jd_error_clear(&err);
	rc = store_pool_get(ctx->reader(ctx->reader_arg), params[0], &p,
	    &err);
	if (rc == -1) {
		problem_from_error(resp, req, &err);
		return;
	}
	if (rc == 0) {
		problem_not_found(resp, req, "IP pool", params[0]);
		return;
	}
	api_json_body(resp, 200, pool_doc(&p));
	pool_row_free(&p);
}

/* Check a pool request; fills row when every field is good. */
static void
pool_validate(const json_t *in, struct verrs *errs, struct pool_row *row)
{
	static const char *const keys[] = { "name", "interface", "cidr",
	    "exclude", NULL };
	struct pool_net net, ex;
	char ptr[64], msg[160], canon[80];
	const char *s;
	json_t *v, *e, *out;
	size_t i;
	int net_ok = 0;

	unknown_keys(in, keys, errs);
	s = json_string_value(json_object_get(in, "name"));
	if (s == NULL || !name_object_valid(s))
		verrs_add(errs, "/name", "is required: 1 to 63 of "
		    "[A-Za-z0-9_-], starting with a letter or digit, not all "
		    "digits");
	else
		snprintf(row->name, sizeof(row->name), "%s", s);
	s = json_string_value(json_object_get(in, "interface"));
	if (s == NULL || !ifname_ok(s))
		verrs_add(errs, "/interface", "is required: an interface name "
		    "(1 to 15 of [A-Za-z0-9._-], starting with a letter)");
	else
		snprintf(row->interface, sizeof(row->interface), "%s", s);
	s = json_string_value(json_object_get(in, "cidr"));
	if (s == NULL)
		verrs_add(errs, "/cidr", "is required: an IPv4 or IPv6 network "
		    "with its prefix length, such as 10.0.0.0/24");
	else if (pool_net_parse(s, 1, &net, msg, sizeof(msg)) == -1)
		verrs_add(errs, "/cidr", "%s", msg);
	else {
		net_ok = 1;
		pool_net_format(&net, 0, row->cidr, sizeof(row->cidr));
	}
	v = json_object_get(in, "exclude");
	out = json_array();
	if (out == NULL) {
		errs->oom = 1;
		return;
	}
	if (v != NULL && !json_is_null(v) && (!json_is_array(v) ||
	    json_array_size(v) > 1024))
		verrs_add(errs, "/exclude", "must be a list of at most 1024 "
		    "addresses or networks inside cidr");
	else if (v != NULL) {
		json_array_foreach(v, i, e) {
			ptr_index(ptr, sizeof(ptr), "/exclude", i);
			s = json_string_value(e);
			if (s == NULL) {
				verrs_add(errs, ptr, "must be an address or a "
				    "network");
				continue;
			}
			if (pool_net_parse(s, 0, &ex, msg, sizeof(msg)) == -1) {
				verrs_add(errs, ptr, "%s", msg);
				continue;
			}
			if (net_ok && !pool_net_contains(&net, &ex)) {
				verrs_add(errs, ptr, "is not inside %s",
				    row->cidr);
				continue;
			}
			pool_net_format(&ex, 1, canon, sizeof(canon));
			json_array_append_new(out, json_string(canon));
		}
	}
	row->exclude = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	if (row->exclude == NULL)
		errs->oom = 1;
}

void
h_pools_create(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	struct verrs errs = { 0 };
	struct ip_op *op;
	json_t *in;

	(void)params;
	if (api_check_query(req, no_query, resp) == -1)
		return;
	in = codec_parse_body(req, "application/json", resp);
	if (in == NULL)
		return;
	op = op_new(ctx, req, IPOP_POOL_ADD, "");
	if (op == NULL) {
		json_decref(in);
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	pool_validate(in, &errs, &op->prow);
	json_decref(in);
	if (errs.n > 0 || errs.oom) {
		problem_set(resp, req, errs.oom ? JD_E_NOMEM : JD_E_INVALID,
		    "the IP pool has invalid fields", &errs);
		verrs_free(&errs);
		op_free(&op->base);
		return;
	}
	snprintf(op->name, sizeof(op->name), "%s", op->prow.name);
	time_now_rfc3339(op->prow.created_at, sizeof(op->prow.created_at));
	submit(resp, op);
}

void
h_pool_delete(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	struct ip_op *op;

	if (api_check_query(req, no_query, resp) == -1)
		return;
	if (!name_object_valid(params[0])) {
		problem_not_found(resp, req, "IP pool", params[0]);
		return;
	}
	op = op_new(ctx, req, IPOP_POOL_DEL, params[0]);
	if (op == NULL) {
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	submit(resp, op);
}
