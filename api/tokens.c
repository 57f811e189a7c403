/*
 * tokens.c - /v1/tokens: API tokens with scopes and delegation.
 *
 * The secret (jd_ + 256 random bits, base64url) is shown once, in the 201
 * answer, and stored only as its SHA-256.  Creating and revoking go
 * through the writer like every change, with an audit row, and then ask
 * the server to reload its token table (ctx->tokens_changed), so a revoked
 * token stops working as soon as DELETE answers.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "codec.h"
#include "common/alloc.h"
#include "common/names.h"
#include "common/timeutil.h"
#include "db/tokens.h"
#include "handlers.h"
#include "problem.h"
#include "tokens.h"

struct token_op {
	struct api_write	 base;
	int			 create;
	struct token_row	 row;
	char			 secret[64];
	struct audit_info	 audit;
	char			 request_id[72];
};

int
token_secret_new(char *out, size_t outsz)
{
	unsigned char raw[32], b64[48];
	int n, i, j;

	if (outsz < 48 || RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	n = EVP_EncodeBlock(b64, raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	memcpy(out, "jd_", 3);
	for (i = 0, j = 3; i < n && b64[i] != '='; i++)
		out[j++] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' :
		    (char)b64[i];
	out[j] = '\0';
	OPENSSL_cleanse(b64, sizeof(b64));
	return 0;
}

int
token_hash(const char *secret, unsigned char out[TOKEN_HASH_LEN])
{
	unsigned int n = 0;

	if (EVP_Digest(secret, strlen(secret), out, &n, EVP_sha256(), NULL)
	    != 1 || n != TOKEN_HASH_LEN)
		return -1;
	return 0;
}

json_t *
token_doc(const struct token_row *t)
{
	json_t *o, *jails = NULL;

	if (t->jails != NULL)
		jails = json_loads(t->jails, 0, NULL);
	o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:o}",
	    "id", t->id, "name", t->name, "scope", t->scope,
	    "jails", jails ? jails : json_null(),
	    "expires_at", t->expires_at[0] ? json_string(t->expires_at) :
	    json_null(),
	    "created_at", t->created_at,
	    "last_used_at", t->last_used_at[0] ?
	    json_string(t->last_used_at) : json_null());
	return o;
}

static void
op_free(struct api_write *w)
{
	struct token_op *op = (struct token_op *)w;

	OPENSSL_cleanse(op->secret, sizeof(op->secret));
	token_row_free(&op->row);
	jd_free(op);
}

static void
op_done(struct api_write *w, int committed)
{
	struct api_ctx *ctx = w->ctx;

	if (committed && ctx->tokens_changed != NULL)
		ctx->tokens_changed(ctx->tokens_arg);
}

static void
op_problem(struct api_response *resp, const struct token_op *op,
    const struct jd_error *err)
{
	problem_from_error_rid(resp, op->request_id, err);
}

static int
op_run(struct api_write *w, sqlite3 *db, struct api_response *resp)
{
	struct token_op *op = (struct token_op *)w;
	struct jd_error err;
	char resource[64];
	json_t *doc;
	int deleted = 0;

	jd_error_clear(&err);
	snprintf(resource, sizeof(resource), "token:%s", op->row.id);
	if (op->create) {
		if (store_token_insert(db, &op->row, &err) == -1 ||
		    audit_write(db, &op->audit, resource, 0, 0, &err) == -1) {
			op_problem(resp, op, &err);
			return -1;
		}
		doc = token_doc(&op->row);
		if (doc != NULL)
			json_object_set_new(doc, "token",
			    json_string(op->secret));
		api_json_body(resp, 201, doc);
		snprintf(resp->location, sizeof(resp->location),
		    "/v1/tokens/%s", op->row.id);
		return 0;
	}
	if (store_token_delete(db, op->row.id, &deleted, &err) == -1) {
		op_problem(resp, op, &err);
		return -1;
	}
	if (!deleted) {
		jd_error_set(&err, JD_E_NOTFOUND, NULL, "no token with id "
		    "\"%s\"", op->row.id);
		op_problem(resp, op, &err);
		return -1;
	}
	if (audit_write(db, &op->audit, resource, 0, 0, &err) == -1) {
		op_problem(resp, op, &err);
		return -1;
	}
	resp->status = 204;
	return 0;
}

static struct token_op *
op_new(struct api_ctx *ctx, const struct api_request *req, int create)
{
	struct token_op *op;

	op = jd_calloc(1, sizeof(*op));
	if (op == NULL)
		return NULL;
	op->base.run = op_run;
	op->base.done = op_done;
	op->base.free = op_free;
	op->base.ctx = ctx;
	op->create = create;
	audit_info_from(&op->audit, req);
	snprintf(op->request_id, sizeof(op->request_id), "%s",
	    req->request_id ? req->request_id : "");
	op->base.request_id = op->request_id;
	return op;
}

static void
validate(const json_t *in, struct verrs *errs, struct token_row *row)
{
	static const char *const keys[] = { "name", "scope", "jails",
	    "expires_at", NULL };
	const char *k, *s;
	char ptr[128];
	json_t *v, *j;
	size_t i, n;
	time_t t;

	json_object_foreach((json_t *)in, k, v) {
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (keys[i] == NULL) {
			ptr_join(ptr, sizeof(ptr), "", k);
			verrs_add(errs, ptr, "unknown field");
		}
	}
	s = json_string_value(json_object_get(in, "name"));
	if (s == NULL || strlen(s) < 1 || strlen(s) > 63 ||
	    !name_label_value_valid(s))
		verrs_add(errs, "/name", "is required: 1 to 63 of "
		    "[A-Za-z0-9._-]");
	else
		row->name = jd_strdup(s);
	s = json_string_value(json_object_get(in, "scope"));
	if (s == NULL || (strcmp(s, "read") != 0 && strcmp(s, "write") != 0 &&
	    strcmp(s, "admin") != 0))
		verrs_add(errs, "/scope", "must be \"read\", \"write\" or "
		    "\"admin\"");
	else
		snprintf(row->scope, sizeof(row->scope), "%s", s);
	v = json_object_get(in, "jails");
	if (v != NULL && !json_is_null(v)) {
		if (!json_is_array(v) || json_array_size(v) == 0 ||
		    json_array_size(v) > 256)
			verrs_add(errs, "/jails", "must be a list of 1 to 256 "
			    "jail names, or null for every jail");
		else {
			n = 0;
			json_array_foreach(v, i, j) {
				ptr_index(ptr, sizeof(ptr), "/jails", i);
				if (!json_is_string(j) ||
				    !name_jail_valid(json_string_value(j))) {
					verrs_add(errs, ptr, "must be a jail "
					    "name");
					n++;
				}
			}
			if (n == 0)
				row->jails = json_dumps(v, JSON_COMPACT);
			if (s != NULL && strcmp(s, "admin") == 0)
				verrs_add(errs, "/jails", "an admin token "
				    "cannot be limited to jails");
		}
	}
	v = json_object_get(in, "expires_at");
	if (v != NULL && !json_is_null(v)) {
		s = json_string_value(v);
		if (s == NULL || time_parse_rfc3339(s, &t) == -1)
			verrs_add(errs, "/expires_at", "must be an RFC 3339 "
			    "time such as 2027-01-01T00:00:00Z");
		else if (t <= time(NULL))
			verrs_add(errs, "/expires_at", "must be in the future");
		else
			time_rfc3339(t, row->expires_at,
			    sizeof(row->expires_at));
	}
}

void
h_tokens_create(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	static const char *const q[] = { NULL };
	struct verrs errs = { 0 };
	struct token_op *op;
	unsigned char id[8];
	json_t *in;
	int i;

	(void)params;
	if (api_check_query(req, q, resp) == -1)
		return;
	in = codec_parse_body(req, "application/json", resp);
	if (in == NULL)
		return;
	op = op_new(ctx, req, 1);
	if (op == NULL) {
		json_decref(in);
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	validate(in, &errs, &op->row);
	json_decref(in);
	if (errs.n > 0 || errs.oom) {
		problem_set(resp, req, errs.oom ? JD_E_NOMEM : JD_E_INVALID,
		    "the token request has invalid fields", &errs);
		verrs_free(&errs);
		op_free(&op->base);
		return;
	}
	if (RAND_bytes(id, sizeof(id)) != 1 ||
	    token_secret_new(op->secret, sizeof(op->secret)) == -1 ||
	    token_hash(op->secret, op->row.hash) == -1) {
		op_free(&op->base);
		problem_set(resp, req, JD_E_INTERNAL, "no randomness", NULL);
		return;
	}
	for (i = 0; i < 8; i++)
		snprintf(op->row.id + 2 * i, 3, "%02x", id[i]);
	time_now_rfc3339(op->row.created_at, sizeof(op->row.created_at));
	resp->defer = API_DEFER_WRITE;
	resp->write = &op->base;
}

void
h_token_delete(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	static const char *const q[] = { NULL };
	struct token_op *op;
	size_t n = strlen(params[0]);

	if (api_check_query(req, q, resp) == -1)
		return;
	if (n != 16 || strspn(params[0], "0123456789abcdef") != n) {
		problem_set(resp, req, JD_E_NOTFOUND, "no such token", NULL);
		return;
	}
	op = op_new(ctx, req, 0);
	if (op == NULL) {
		problem_set(resp, req, JD_E_NOMEM, "out of memory", NULL);
		return;
	}
	snprintf(op->row.id, sizeof(op->row.id), "%s", params[0]);
	resp->defer = API_DEFER_WRITE;
	resp->write = &op->base;
}

static int
list_cb(void *arg, const struct token_row *t)
{
	json_t *doc = token_doc(t);

	if (doc == NULL)
		return 1;
	json_array_append_new(arg, doc);
	return 0;
}

void
h_tokens_list(struct api_ctx *ctx, const struct api_request *req,
    char *const *params, struct api_response *resp)
{
	static const char *const q[] = { NULL };
	struct jd_error err;
	json_t *items;

	(void)params;
	if (api_check_query(req, q, resp) == -1)
		return;
	items = json_array();
	jd_error_clear(&err);
	api_items_answer(req, resp, items, items == NULL ||
	    store_token_foreach(ctx->reader(ctx->reader_arg), list_cb, items,
	    &err) == -1, &err);
}
