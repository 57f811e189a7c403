/*
 * test_router.c - api_handle without sockets: a fake struct api_ctx (render
 * cache, in-flight keys, an in-memory SQLite database migrated with
 * db_migrate as both reader and writer, no host).  Routing (404, 405 with
 * Allow), health, jail reads from the cache with ETags and 304s, writes
 * deferred to the writer and run here inside BEGIN/COMMIT, list
 * pagination through the store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "api/api.h"
#include "api/cache.h"
#include "api/inflight.h"
#include "common/alloc.h"
#include "db/db.h"
#include "tests/lib/check.h"

struct fake {
	struct api_ctx	 ctx;
	sqlite3		*db;
	int		 wakes;
};

static sqlite3 *
fake_reader(void *arg)
{
	return arg;
}

static void
fake_wake(void *arg)
{
	struct fake *f = arg;

	f->wakes++;
}

static void
fake_init(struct fake *f)
{
	struct jd_error err;

	memset(f, 0, sizeof(*f));
	if (db_open(":memory:", 1, &f->db, &err) == -1 ||
	    db_migrate(f->db, &err) == -1)
		check_fail(__FILE__, __LINE__, "open the database",
		    err.message);
	f->ctx.cfg.max_body = 1 << 20;
	f->ctx.cfg.devfs_rulesets[0] = 4;
	f->ctx.cfg.ndevfs_rulesets = 1;
	f->ctx.cfg.max_wait_s = 3600;
	f->ctx.cache = cache_new();
	f->ctx.inflight = inflight_new();
	CHECK(f->ctx.cache != NULL && f->ctx.inflight != NULL);
	f->ctx.reader = fake_reader;
	f->ctx.reader_arg = f->db;
	f->ctx.wake = fake_wake;
	f->ctx.wake_arg = f;
	f->ctx.backend_name = "sim";
}

static void
fake_fini(struct fake *f)
{
	cache_free(f->ctx.cache);
	inflight_free(f->ctx.inflight);
	db_close(f->db);
}

/* A request: "METHOD", path with an optional ?query, headers. */
struct call {
	enum http_method	 method;
	const char		*target;
	const char		*content_type;
	const char		*body;
	const char		*if_match;
	const char		*if_none_match;
};

#define MAXQ	8

static void
do_call(struct fake *f, const struct call *c, struct api_response *resp)
{
	struct api_request req;
	struct api_kv kv[MAXQ];
	char path[256], qs[512], *p, *amp, *eq;
	const char *q;
	size_t n = 0;

	memset(&req, 0, sizeof(req));
	memset(resp, 0, sizeof(*resp));
	q = strchr(c->target, '?');
	snprintf(path, sizeof(path), "%.*s", q ? (int)(q - c->target) :
	    (int)strlen(c->target), c->target);
	snprintf(qs, sizeof(qs), "%s", q ? q + 1 : "");
	for (p = qs; q != NULL && *p != '\0' && n < MAXQ; p = amp + 1) {
		amp = strchr(p, '&');
		if (amp != NULL)
			*amp = '\0';
		eq = strchr(p, '=');
		kv[n].key = p;
		kv[n].value = (char *)"";
		if (eq != NULL) {
			*eq = '\0';
			kv[n].value = eq + 1;
		}
		n++;
		if (amp == NULL)
			break;
	}
	req.method = c->method;
	req.path = path;
	req.query = kv;
	req.nquery = n;
	req.content_type = c->content_type;
	req.body = c->body;
	req.body_len = c->body ? strlen(c->body) : 0;
	req.if_match = c->if_match;
	req.if_none_match = c->if_none_match;
	req.request_id = "req-42";
	req.client_addr = "127.0.0.1";
	api_handle(&f->ctx, &req, resp);
}

/*
 * What the writer thread does with a deferred write: run it in a savepoint
 * of a transaction, commit, then done() and free().  Returns run()'s result.
 */
static int
run_write(struct fake *f, struct api_response *resp)
{
	struct api_write *w;
	struct jd_error err;
	int rc;

	CHECK_INT(resp->defer, API_DEFER_WRITE);
	CHECK(resp->write != NULL);
	w = resp->write;
	resp->write = NULL;
	resp->defer = API_DEFER_NONE;
	CHECK_INT(db_exec(f->db, "BEGIN IMMEDIATE", &err), 0);
	CHECK_INT(db_exec(f->db, "SAVEPOINT op", &err), 0);
	rc = w->run(w, f->db, resp);
	if (rc == -1)
		CHECK_INT(db_exec(f->db, "ROLLBACK TO op", &err), 0);
	CHECK_INT(db_exec(f->db, "RELEASE op", &err), 0);
	CHECK_INT(db_exec(f->db, "COMMIT", &err), 0);
	w->done(w, rc == 0);
	w->free(w);
	return rc;
}

static json_t *
body_json(const struct api_response *resp)
{
	json_error_t jerr;
	json_t *j;

	if (resp->body == NULL)
		check_fail(__FILE__, __LINE__, "response body", "none");
	j = json_loadb(resp->body, resp->body_len, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (j == NULL)
		check_fail(__FILE__, __LINE__, resp->body, jerr.text);
	return j;
}

static void
check_problem(const char *file, int line, const struct api_response *resp,
    int status, const char *code)
{
	json_t *p;
	char d[512];

	if (resp->status != status || resp->content_type == NULL ||
	    strcmp(resp->content_type, "application/problem+json") != 0) {
		snprintf(d, sizeof(d), "status %d (%s): %.300s", resp->status,
		    resp->content_type ? resp->content_type : "no type",
		    resp->body ? resp->body : "");
		check_fail(file, line, code, d);
	}
	p = body_json(resp);
	if (strcmp(json_string_value(json_object_get(p, "code")), code) != 0 ||
	    json_integer_value(json_object_get(p, "status")) != status ||
	    strcmp(json_string_value(json_object_get(p, "request_id")),
	    "req-42") != 0)
		check_fail(file, line, code, resp->body);
	check_pass();
	json_decref(p);
}

#define CHECK_PROBLEM(resp, status, code) \
	check_problem(__FILE__, __LINE__, resp, status, code)

/* The first errors[] field of a problem. */
static void
check_error_field(const char *file, int line,
    const struct api_response *resp, const char *field)
{
	json_t *p = body_json(resp), *e;
	size_t i;

	json_array_foreach(json_object_get(p, "errors"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "field")),
		    field) == 0) {
			check_pass();
			json_decref(p);
			return;
		}
	check_fail(file, line, field, resp->body);
}

#define CHECK_ERROR_FIELD(resp, field) \
	check_error_field(__FILE__, __LINE__, resp, field)

static void
test_routing(struct fake *f)
{
	static const struct {
		enum http_method	 m;
		const char		*path;
		const char		*allow;
	} not_allowed[] = {
		{ HM_DELETE, "/v1/jails", "GET, POST" },
		{ HM_PUT, "/v1/jails", "GET, POST" },
		{ HM_OPTIONS, "/v1/jails", "GET, POST" },
		{ HM_POST, "/v1/jails/web1", "GET, PUT, PATCH, DELETE" },
		{ HM_GET, "/v1/jails/web1/start", "POST" },
		{ HM_DELETE, "/v1/jails/web1/restart", "POST" },
		{ HM_POST, "/healthz", "GET" },
		{ HM_PUT, "/v1/events", "GET" },
		{ HM_DELETE, "/v1/host/prisons/x/adopt", "POST" },
		{ HM_POST, "/v1/host/params", "GET" },
	};
	static const char *const unknown[] = {
		"/nope", "/", "/v1", "/v1/", "/v1/jails/", "/v1/jails/a/b",
		"/v1/jails/a/start/x", "/v1/jailsx", "/healthz/", "//v1/jails",
		"/v1/host/prisons/x",
	};
	struct api_response resp;
	struct call c;
	json_t *j;
	size_t i;

	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.method = HM_GET;
		c.target = unknown[i];
		do_call(f, &c, &resp);
		CHECK_PROBLEM(&resp, 404, "not_found");
		CHECK_STR(resp.allow, "");
		api_response_free(&resp);
	}
	for (i = 0; i < sizeof(not_allowed) / sizeof(not_allowed[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.method = not_allowed[i].m;
		c.target = not_allowed[i].path;
		do_call(f, &c, &resp);
		CHECK_PROBLEM(&resp, 405, "method_not_allowed");
		CHECK_STR(resp.allow, not_allowed[i].allow);
		CHECK_INT(resp.defer, API_DEFER_NONE);
		api_response_free(&resp);
	}

	memset(&c, 0, sizeof(c));
	c.method = HM_GET;
	c.target = "/healthz";
	do_call(f, &c, &resp);
	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.content_type, "application/json");
	j = body_json(&resp);
	CHECK_STR(json_string_value(json_object_get(j, "status")), "ok");
	json_decref(j);
	api_response_free(&resp);

	/* Bad and absent jail names are 404 problems. */
	c.target = "/v1/jails/-bad";
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 404, "not_found");
	CHECK_CONTAINS(resp.body, "no jail named");
	api_response_free(&resp);
	c.target = "/v1/jails/123";
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 404, "not_found");
	api_response_free(&resp);
	c.target = "/v1/jails/a.b";
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 404, "not_found");
	api_response_free(&resp);
	c.target = "/v1/jails/ghost";
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 404, "not_found");
	CHECK_CONTAINS(resp.body, "\\\"ghost\\\"");
	api_response_free(&resp);
	c.target = "/v1/jails/"
	    "a234567890123456789012345678901234567890123456789012345678901234";
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 404, "not_found");
	api_response_free(&resp);
	/* A GET takes no query parameters. */
	c.target = "/v1/jails/ghost?x=1";
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 400, "malformed");
	CHECK_ERROR_FIELD(&resp, "/query/x");
	api_response_free(&resp);
}

static void
create(struct fake *f, const char *name, const char *extra)
{
	struct api_response resp;
	struct call c;
	char body[512];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"path\":\"/j/%s\"%s%s}",
	    name, name, extra[0] ? "," : "", extra);
	memset(&c, 0, sizeof(c));
	c.method = HM_POST;
	c.target = "/v1/jails";
	c.content_type = "application/json";
	c.body = body;
	do_call(f, &c, &resp);
	CHECK_INT(run_write(f, &resp), 0);
	CHECK_INT(resp.status, 201);
	api_response_free(&resp);
}

static void
test_write_then_read(struct fake *f)
{
	struct api_response resp, get;
	struct call c;
	json_t *j;
	char *created;

	memset(&c, 0, sizeof(c));
	c.method = HM_POST;
	c.target = "/v1/jails";
	c.content_type = "application/json";
	c.body = "{\"name\":\"web1\",\"path\":\"/j/web1\",\"labels\":"
	    "{\"env\":\"prod\"}}";
	do_call(f, &c, &resp);
	/* Deferred: nothing is written on the worker thread. */
	if (resp.defer != API_DEFER_WRITE)
		check_fail(__FILE__, __LINE__, "deferred", resp.body);
	CHECK_INT(resp.defer, API_DEFER_WRITE);
	CHECK(resp.write != NULL && resp.write->run != NULL &&
	    resp.write->done != NULL && resp.write->free != NULL);
	CHECK(resp.body == NULL);
	CHECK(cache_get(f->ctx.cache, "web1") == NULL);
	CHECK_INT(run_write(f, &resp), 0);
	CHECK_INT(resp.status, 201);
	CHECK_STR(resp.etag, "\"1\"");
	CHECK_STR(resp.location, "/v1/jails/web1");
	CHECK_STR(resp.content_type, "application/json");
	CHECK_INT(f->wakes, 1);
	j = body_json(&resp);
	CHECK_STR(json_string_value(json_object_get(j, "name")), "web1");
	CHECK_INT(json_integer_value(json_object_get(j, "generation")), 1);
	CHECK_INT(json_integer_value(json_object_get(j, "resource_version")),
	    1);
	CHECK_STR(json_string_value(json_object_get(json_object_get(j,
	    "status"), "phase")), "pending");
	json_decref(j);
	created = jd_strdup(resp.body);
	api_response_free(&resp);

	/* GET answers from the cache: the same document, ETag "1". */
	memset(&c, 0, sizeof(c));
	c.method = HM_GET;
	c.target = "/v1/jails/web1";
	do_call(f, &c, &get);
	CHECK_INT(get.status, 200);
	CHECK_STR(get.etag, "\"1\"");
	CHECK_STR(get.content_type, "application/json");
	CHECK_STR(get.body, created);
	CHECK_INT(get.body_len, strlen(created));
	api_response_free(&get);
	jd_free(created);

	/* Conditional GETs. */
	c.if_none_match = "\"1\"";
	do_call(f, &c, &get);
	CHECK_INT(get.status, 304);
	CHECK(get.body == NULL);
	CHECK_STR(get.etag, "\"1\"");
	api_response_free(&get);
	c.if_none_match = "W/\"1\"";
	do_call(f, &c, &get);
	CHECK_INT(get.status, 304);
	api_response_free(&get);
	c.if_none_match = "\"7\", \"1\"";
	do_call(f, &c, &get);
	CHECK_INT(get.status, 304);
	api_response_free(&get);
	c.if_none_match = "*";
	do_call(f, &c, &get);
	CHECK_INT(get.status, 304);
	api_response_free(&get);
	c.if_none_match = "\"2\"";
	do_call(f, &c, &get);
	CHECK_INT(get.status, 200);
	CHECK(get.body != NULL);
	api_response_free(&get);
	c.if_none_match = "\"11\"";
	do_call(f, &c, &get);
	CHECK_INT(get.status, 200);
	api_response_free(&get);

	/* Invalid documents never reach the writer. */
	memset(&c, 0, sizeof(c));
	c.method = HM_POST;
	c.target = "/v1/jails";
	c.content_type = "application/json";
	c.body = "{\"name\":\"web2\",\"path\":\"web2\",\"x\":1}";
	do_call(f, &c, &resp);
	CHECK_INT(resp.defer, API_DEFER_NONE);
	CHECK(resp.write == NULL);
	CHECK_PROBLEM(&resp, 422, "invalid");
	CHECK_ERROR_FIELD(&resp, "/path");
	CHECK_ERROR_FIELD(&resp, "/x");
	api_response_free(&resp);
	c.content_type = "text/plain";
	c.body = "{\"name\":\"web2\",\"path\":\"/j/web2\"}";
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 415, "unsupported_media_type");
	api_response_free(&resp);
	c.content_type = "application/json";
	c.body = "{\"name\":\"web2\",";
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 400, "malformed");
	api_response_free(&resp);

	/* A second create of the same name: 409 inside the writer, and
	 * rolled back. */
	c.body = "{\"name\":\"web1\",\"path\":\"/j/other\"}";
	do_call(f, &c, &resp);
	CHECK_INT(run_write(f, &resp), -1);
	CHECK_PROBLEM(&resp, 409, "conflict");
	api_response_free(&resp);
	memset(&c, 0, sizeof(c));
	c.method = HM_GET;
	c.target = "/v1/jails/web1";
	do_call(f, &c, &get);
	CHECK_STR(get.etag, "\"1\"");
	CHECK_CONTAINS(get.body, "\"/j/web1\"");
	api_response_free(&get);
	CHECK_INT(f->wakes, 1);

	/* PUT with a stale If-Match: 412; with the right one: 200, "2". */
	memset(&c, 0, sizeof(c));
	c.method = HM_PUT;
	c.target = "/v1/jails/web1";
	c.content_type = "application/json";
	c.body = "{\"path\":\"/j/web1\",\"hostname\":\"web1.example.org\","
	    "\"labels\":{\"env\":\"prod\"}}";
	c.if_match = "\"7\"";
	do_call(f, &c, &resp);
	CHECK_INT(run_write(f, &resp), -1);
	CHECK_PROBLEM(&resp, 412, "precondition_failed");
	api_response_free(&resp);
	c.if_match = "\"1\"";
	do_call(f, &c, &resp);
	CHECK_INT(run_write(f, &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.etag, "\"2\"");
	api_response_free(&resp);
	/* The same document again changes nothing. */
	c.if_match = NULL;
	do_call(f, &c, &resp);
	CHECK_INT(run_write(f, &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.etag, "\"2\"");
	api_response_free(&resp);
	memset(&c, 0, sizeof(c));
	c.method = HM_GET;
	c.target = "/v1/jails/web1";
	c.if_none_match = "\"1\"";
	do_call(f, &c, &get);
	CHECK_INT(get.status, 200);
	CHECK_STR(get.etag, "\"2\"");
	j = body_json(&get);
	CHECK_STR(json_string_value(json_object_get(j, "hostname")),
	    "web1.example.org");
	CHECK_INT(json_integer_value(json_object_get(j, "generation")), 2);
	json_decref(j);
	api_response_free(&get);

	/* PATCH: merge-patch media type only. */
	memset(&c, 0, sizeof(c));
	c.method = HM_PATCH;
	c.target = "/v1/jails/web1";
	c.content_type = "application/json";
	c.body = "{\"labels\":{\"tier\":\"web\"}}";
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 415, "unsupported_media_type");
	api_response_free(&resp);
	c.content_type = "application/merge-patch+json";
	do_call(f, &c, &resp);
	CHECK_INT(run_write(f, &resp), 0);
	CHECK_INT(resp.status, 200);
	CHECK_STR(resp.etag, "\"3\"");
	j = body_json(&resp);
	CHECK_STR(json_string_value(json_object_get(json_object_get(j,
	    "labels"), "env")), "prod");
	CHECK_STR(json_string_value(json_object_get(json_object_get(j,
	    "labels"), "tier")), "web");
	json_decref(j);
	api_response_free(&resp);
	/* A patch that breaks the document: 422 from the writer. */
	c.body = "{\"path\":null}";
	do_call(f, &c, &resp);
	CHECK_INT(run_write(f, &resp), -1);
	CHECK_PROBLEM(&resp, 422, "invalid");
	CHECK_ERROR_FIELD(&resp, "/path");
	api_response_free(&resp);
}

/* Names of a list answer joined with ',', and its next_cursor. */
static void
list(struct fake *f, const char *target, char *names, size_t namesz,
    char *cursor, size_t cursorsz)
{
	struct api_response resp;
	struct call c;
	json_t *j, *it;
	size_t i, n = 0;
	const char *nc;

	memset(&c, 0, sizeof(c));
	c.method = HM_GET;
	c.target = target;
	do_call(f, &c, &resp);
	if (resp.status != 200)
		check_fail(__FILE__, __LINE__, target, resp.body);
	j = body_json(&resp);
	names[0] = '\0';
	json_array_foreach(json_object_get(j, "items"), i, it)
		n += (size_t)snprintf(names + n, namesz - n, "%s%s",
		    i ? "," : "", json_string_value(json_object_get(it,
		    "name")));
	nc = json_string_value(json_object_get(j, "next_cursor"));
	if (!json_is_null(json_object_get(j, "next_cursor")) && nc == NULL)
		check_fail(__FILE__, __LINE__, target, "next_cursor missing");
	snprintf(cursor, cursorsz, "%s", nc ? nc : "");
	json_decref(j);
	api_response_free(&resp);
}

static void
test_list(struct fake *f)
{
	struct api_response resp;
	struct call c;
	char names[512], cur[256], cur2[256], t[512];

	create(f, "j03", "\"labels\":{\"env\":\"prod\",\"tier\":\"db\"}");
	create(f, "j01", "\"labels\":{\"env\":\"prod\"}");
	create(f, "j05", "");
	create(f, "j02", "\"labels\":{\"env\":\"dev\",\"tier\":\"db\"}");
	create(f, "j04", "");

	list(f, "/v1/jails", names, sizeof(names), cur, sizeof(cur));
	CHECK_STR(names, "j01,j02,j03,j04,j05,web1");
	CHECK_STR(cur, "");

	/* Keyset pages: 4, then the last 2, then no cursor. */
	list(f, "/v1/jails?limit=4", names, sizeof(names), cur, sizeof(cur));
	CHECK_STR(names, "j01,j02,j03,j04");
	CHECK(cur[0] != '\0');
	snprintf(t, sizeof(t), "/v1/jails?limit=4&cursor=%s", cur);
	list(f, t, names, sizeof(names), cur2, sizeof(cur2));
	CHECK_STR(names, "j05,web1");
	CHECK_STR(cur2, "");
	/* Exactly a page: no cursor. */
	list(f, "/v1/jails?limit=6", names, sizeof(names), cur2, sizeof(cur2));
	CHECK_STR(names, "j01,j02,j03,j04,j05,web1");
	CHECK_STR(cur2, "");
	list(f, "/v1/jails?limit=1", names, sizeof(names), cur2, sizeof(cur2));
	CHECK_STR(names, "j01");
	snprintf(t, sizeof(t), "/v1/jails?limit=1&cursor=%s", cur2);
	list(f, t, names, sizeof(names), cur2, sizeof(cur2));
	CHECK_STR(names, "j02");

	/* Filters: labels AND, state. */
	list(f, "/v1/jails?label=env=prod", names, sizeof(names), cur2,
	    sizeof(cur2));
	CHECK_STR(names, "j01,j03,web1");
	list(f, "/v1/jails?label=env=prod&label=tier=db", names,
	    sizeof(names), cur2, sizeof(cur2));
	CHECK_STR(names, "j03");
	list(f, "/v1/jails?label=tier=db&limit=1", names, sizeof(names), cur2,
	    sizeof(cur2));
	CHECK_STR(names, "j02");
	snprintf(t, sizeof(t), "/v1/jails?label=tier=db&limit=1&cursor=%s",
	    cur2);
	list(f, t, names, sizeof(names), cur2, sizeof(cur2));
	CHECK_STR(names, "j03");
	CHECK_STR(cur2, "");
	list(f, "/v1/jails?phase=pending&state=stopped", names,
	    sizeof(names), cur2, sizeof(cur2));
	CHECK_STR(names, "j01,j02,j03,j04,j05,web1");

	memset(&c, 0, sizeof(c));
	c.method = HM_POST;
	c.target = "/v1/jails/j04/start";
	do_call(f, &c, &resp);
	CHECK_INT(run_write(f, &resp), 0);
	CHECK_INT(resp.status, 202);
	api_response_free(&resp);
	list(f, "/v1/jails?state=running", names, sizeof(names), cur2,
	    sizeof(cur2));
	CHECK_STR(names, "j04");
	list(f, "/v1/jails?state=stopped&phase=running", names,
	    sizeof(names), cur2, sizeof(cur2));
	CHECK_STR(names, "");

	/* Bad query parameters: 400 naming each. */
	memset(&c, 0, sizeof(c));
	c.method = HM_GET;
	c.target = "/v1/jails?limit=0";
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 400, "malformed");
	CHECK_ERROR_FIELD(&resp, "/query/limit");
	api_response_free(&resp);
	c.target = "/v1/jails?limit=1001";
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 400, "malformed");
	api_response_free(&resp);
	c.target = "/v1/jails?bogus=1";
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 400, "malformed");
	CHECK_ERROR_FIELD(&resp, "/query/bogus");
	api_response_free(&resp);
	c.target = "/v1/jails?state=paused";
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 400, "malformed");
	CHECK_ERROR_FIELD(&resp, "/query/state");
	api_response_free(&resp);
	c.target = "/v1/jails?label=novalue";
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 400, "malformed");
	CHECK_ERROR_FIELD(&resp, "/query/label");
	api_response_free(&resp);
	c.target = "/v1/jails?cursor=zz";
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 400, "malformed");
	CHECK_ERROR_FIELD(&resp, "/query/cursor");
	api_response_free(&resp);
	/* A cursor is bound to its filters. */
	snprintf(t, sizeof(t), "/v1/jails?state=stopped&cursor=%s", cur);
	c.target = t;
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 400, "malformed");
	CHECK_ERROR_FIELD(&resp, "/query/cursor");
	api_response_free(&resp);

	/* DELETE of a jail with nothing on the host: 204, gone. */
	memset(&c, 0, sizeof(c));
	c.method = HM_DELETE;
	c.target = "/v1/jails/j05";
	do_call(f, &c, &resp);
	CHECK_INT(run_write(f, &resp), 0);
	CHECK_INT(resp.status, 204);
	CHECK(resp.body == NULL);
	api_response_free(&resp);
	c.method = HM_GET;
	do_call(f, &c, &resp);
	CHECK_PROBLEM(&resp, 404, "not_found");
	api_response_free(&resp);
	CHECK_INT(cache_count(f->ctx.cache), 5);
	list(f, "/v1/jails", names, sizeof(names), cur2, sizeof(cur2));
	CHECK_STR(names, "j01,j02,j03,j04,web1");
	/* A DELETE of a missing jail is a 404 from the writer. */
	c.method = HM_DELETE;
	do_call(f, &c, &resp);
	CHECK_INT(run_write(f, &resp), -1);
	CHECK_PROBLEM(&resp, 404, "not_found");
	api_response_free(&resp);
}

int
main(void)
{
	struct fake f;

	jd_alloc_init();
	fake_init(&f);
	test_routing(&f);
	test_write_then_read(&f);
	test_list(&f);
	fake_fini(&f);
	return check_done();
}
