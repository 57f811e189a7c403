/*
 * fuzz_router.c - libFuzzer target for the whole resource layer: the
 * routing table, query-string, label-selector, cursor, wait and header
 * parsing, and every handler's validation, through api_handle.
 *
 * The input is an HTTP request in a plain text form, so seeds are easy to
 * write and read:
 *
 *	METHOD TARGET\n			TARGET is the path with ?query; both
 *	Header-Name: value\n		are percent-decoded as libmicrohttpd
 *	...				does (a %00 ends the string there)
 *	\n
 *	body bytes			(no blank line: no body)
 *
 * The api_ctx is a fake of what server/ builds: a render cache, the
 * Idempotency-Key table, one in-memory SQLite database (reader and writer
 * both) migrated with db_migrate and seeded with a few jails, a fixed host
 * snapshot and a prison_doc that knows two prisons.  A deferred write runs
 * as the writer thread would (savepoint, run, done, free) inside a
 * transaction that is then rolled back, so every input sees the same
 * state; a deferred wait is answered as if its time ran out.  Every
 * answer must keep the contract (fuzz_common.h).  OPTIONS goes to
 * api_options, as server/http.c sends it.  Two pseudo-headers are the
 * harness's own:
 *	X-Fuzz-Max-Wait-S: N		cfg.max_wait_s for this request (0 to
 *					86400 as server/config.c allows;
 *					default 3600)
 *	X-Fuzz-Principal: S [J,J..]	the caller: scope S (none, read, write,
 *					admin) limited to jails J (at most 8);
 *					default admin for every jail, as the
 *					unix socket's root peer
 * A principal limited to some jails must never get a document of another
 * one.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/cache.h"
#include "api/inflight.h"
#include "common/alloc.h"
#include "common/names.h"
#include "db/db.h"
#include "db/store.h"
#include "fuzz_common.h"

#define MAX_QUERY	64	/* what server/http.c keeps */

static sqlite3 *db;
static struct api_ctx ctx;

static const unsigned char spec_text[] = "openapi: 3.1.0\n";

static sqlite3 *
fake_reader(void *arg)
{
	(void)arg;
	return db;
}

static void
fake_wake(void *arg)
{
	(void)arg;
}

static int
fake_ready(void *arg)
{
	(void)arg;
	return 1;
}

/* What the reconciler would publish: one managed prison, one not. */
static json_t *
fake_host_snapshot(void *arg)
{
	(void)arg;
	return json_pack("{s:s, s:s, s:[{s:s, s:i, s:s, s:s, s:b, s:[s], "
	    "s:{}}, {s:s, s:i, s:s, s:s, s:b, s:[], s:{s:i}}]}",
	    "os_release", "14.1-RELEASE", "hostname", "fuzzhost",
	    "prisons",
	    "name", "web1", "jid", 9, "path", "/usr/local/jails/web1",
	    "hostname", "web1", "dying", 0, "ips", "10.0.0.5", "params",
	    "name", "legacy", "jid", 7, "path", "/jails/legacy",
	    "hostname", "legacy", "dying", 0, "ips", "params",
	    "securelevel", 2);
}

static int
fake_prison_doc(void *arg, const char *name, json_t **doc_out,
    int64_t *jid_out, struct jd_error *err)
{
	(void)arg;
	if (strcmp(name, "legacy") != 0 && strcmp(name, "web1") != 0)
		return jd_error_set(err, JD_E_NOTFOUND, NULL,
		    "no prison named \"%s\"", name);
	*doc_out = json_pack("{s:s, s:s, s:s, s:{s:i}, s:[{s:s}]}",
	    "name", name, "path", strcmp(name, "web1") == 0 ?
	    "/usr/local/jails/web1" : "/jails/legacy", "hostname", name,
	    "params", "securelevel", 2, "ips", "address", "10.9.0.1");
	*jid_out = strcmp(name, "web1") == 0 ? 9 : 7;
	return 0;
}

static void
must_exec(const char *sql)
{
	struct jd_error err;

	if (db_exec(db, sql, &err) == -1)
		fuzz_fail("%s: %s", sql, err.message);
}

static int
cache_fill_cb(void *arg, const struct jail_row *row)
{
	(void)arg;
	if (cache_put(ctx.cache, row) == -1)
		fuzz_fail("cache_put");
	return 0;
}

/* The render cache as server/main.c builds it at start-up. */
static void
cache_rebuild(void)
{
	struct jd_error err;

	cache_free(ctx.cache);
	ctx.cache = cache_new();
	if (ctx.cache == NULL ||
	    store_jail_foreach(db, cache_fill_cb, NULL, &err) == -1)
		fuzz_fail("cache rebuild");
}

/*
 * Run a deferred write the way server/writer.c does, then answer a
 * deferred wait the way server/http.c does once the waiters give up (the
 * reconciler never runs here).  While seeding (keep) the change is
 * committed.  Otherwise done() still hears "committed", so the cache and
 * the wait see what a real commit leaves, and then the transaction is
 * rolled back and the cache rebuilt: every input starts from the seeds.
 */
static void
run_deferred(struct api_response *resp, const char *request_id, int keep)
{
	struct api_write *w = resp->write;
	char jail[sizeof(resp->wait_jail)];
	int rc, status, settled;

	if (w == NULL || w->run == NULL || w->done == NULL || w->free == NULL)
		fuzz_fail("API_DEFER_WRITE without a complete write op");
	resp->write = NULL;
	resp->defer = API_DEFER_NONE;
	must_exec("BEGIN IMMEDIATE");
	must_exec("SAVEPOINT op");
	rc = w->run(w, db, resp);
	if (rc != 0 && rc != -1)
		fuzz_fail("write run returned %d", rc);
	if (rc == -1)
		must_exec("ROLLBACK TO op");
	must_exec("RELEASE op");
	if (keep)
		must_exec("COMMIT");
	w->done(w, rc == 0);
	if (resp->defer == API_DEFER_WRITE || resp->write != NULL)
		fuzz_fail("a write answered with another write");
	if (rc == -1 && resp->status < 400)
		fuzz_fail("a rolled-back write answered %d", resp->status);
	if (resp->defer == API_DEFER_WAIT) {
		fuzz_check_response(resp);
		if (resp->wait_ms < 0 || resp->wait_jail[0] == '\0' ||
		    memchr(resp->wait_jail, '\0',
		    sizeof(resp->wait_jail)) == NULL)
			fuzz_fail("a wait without a jail or a time");
		snprintf(jail, sizeof(jail), "%s", resp->wait_jail);
		status = resp->wait_status;
		settled = api_wait_settled(&ctx, jail, resp->wait_generation,
		    resp->wait_gone);
		api_response_free(resp);
		api_wait_answer(&ctx, jail, settled, status, request_id, resp);
	}
	w->free(w);
	if (!keep) {
		must_exec("ROLLBACK");
		if (rc == 0)
			cache_rebuild();
	}
}

/* What the database starts with: a policy, then jails (POSTed there). */
static const struct {
	const char	*path;
	const char	*body;
} seeds[] = {
	{ "/v1/policies", "{\"name\":\"hardened\",\"params\":{"
	"\"securelevel\":3,\"allow.raw_sockets\":false},\"limits\":[{"
	"\"resource\":\"maxproc\",\"action\":\"deny\",\"amount\":100},"
	"{\"resource\":\"readbps\",\"action\":\"throttle\",\"amount\":"
	"\"1m\",\"per\":\"process\"}]}" },
	{ "/v1/jails", "{\"name\":\"web1\",\"path\":\"/usr/local/jails/web1\","
	"\"hostname\":\"web1.example.org\",\"state\":\"running\","
	"\"params\":{\"securelevel\":3},"
	"\"exec\":{\"start\":[\"/bin/sh /etc/rc\"]},"
	"\"ips\":[{\"interface\":\"em0\",\"address\":\"10.0.0.5/24\"}],"
	"\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\",\"ruleset\":4},"
	"{\"type\":\"tmpfs\",\"target\":\"/tmp\",\"size\":\"512m\"}],"
	"\"depends\":[\"db1\"],\"policies\":[\"hardened\"],"
	"\"labels\":{\"env\":\"prod\",\"tier\":\"web\"}}" },
	{ "/v1/jails", "{\"name\":\"db1\",\"path\":\"/jails/db1\","
	"\"state\":\"running\",\"labels\":{\"env\":\"prod\","
	"\"tier\":\"db\"}}" },
	{ "/v1/jails", "{\"name\":\"a-b_c\",\"path\":\"/jails/a-b_c\","
	"\"labels\":{\"env\":\"dev\"}}" },
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct api_request req;
	struct api_response resp;
	struct jd_error err;
	size_t i;

	(void)argc;
	(void)argv;
	jd_alloc_init();
	jd_error_clear(&err);
	if (db_open(":memory:", 1, &db, &err) == -1 ||
	    db_migrate(db, &err) == -1)
		fuzz_fail("database: %s", err.message);
	ctx.cfg.max_body = 1 << 20;
	ctx.cfg.devfs_rulesets[0] = 4;
	ctx.cfg.devfs_rulesets[1] = 5;
	ctx.cfg.ndevfs_rulesets = 2;
	ctx.cfg.max_wait_s = 3600;
	ctx.cache = cache_new();
	ctx.inflight = inflight_new();
	if (ctx.cache == NULL || ctx.inflight == NULL)
		fuzz_fail("cache or inflight table");
	ctx.reader = fake_reader;
	ctx.wake = fake_wake;
	ctx.host_snapshot = fake_host_snapshot;
	ctx.prison_doc = fake_prison_doc;
	ctx.ready = fake_ready;
	ctx.backend_name = "sim";
	ctx.tls_fingerprint = "";
	ctx.tls_pin = "";
	ctx.spec = spec_text;
	ctx.spec_len = sizeof(spec_text) - 1;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		memset(&req, 0, sizeof(req));
		memset(&resp, 0, sizeof(resp));
		req.method = HM_POST;
		req.path = seeds[i].path;
		req.content_type = "application/json";
		req.request_id = "seed";
		/* The first jail leaves an Idempotency-Key to replay. */
		req.idempotency_key = i == 1 ? "seed-key-1" : NULL;
		req.body = seeds[i].body;
		req.body_len = strlen(seeds[i].body);
		api_handle(&ctx, &req, &resp);
		if (resp.defer != API_DEFER_WRITE)
			fuzz_fail("seeding %zu: status %d %.*s", i,
			    resp.status, (int)resp.body_len,
			    resp.body ? resp.body : "");
		run_deferred(&resp, "seed", 1);
		if (resp.status != 201)
			fuzz_fail("seeding %zu: status %d %.*s", i,
			    resp.status, (int)resp.body_len,
			    resp.body ? resp.body : "");
		api_response_free(&resp);
	}
	return 0;
}

/* ---- the request from the input ---- */

struct fuzz_req {
	struct api_request	 req;
	char			*path;
	struct api_kv		 query[MAX_QUERY];
	char			*hdr[8];
	struct api_principal	 principal;
	char			*jails[9];
	char			 request_id[72];
};

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* A NUL-terminated, percent-decoded copy of s[0..n); plus: '+' is ' '. */
static char *
unescape(const char *s, size_t n, int plus)
{
	char *out, *w;
	size_t i;

	out = jd_malloc(n + 1);
	if (out == NULL)
		fuzz_fail("out of memory");
	for (i = 0, w = out; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    hexval((unsigned char)s[i + 1]) >= 0 &&
		    hexval((unsigned char)s[i + 2]) >= 0) {
			*w++ = (char)(hexval((unsigned char)s[i + 1]) * 16 +
			    hexval((unsigned char)s[i + 2]));
			i += 2;
		} else if (plus && s[i] == '+')
			*w++ = ' ';
		else
			*w++ = s[i];
	}
	*w = '\0';
	return out;
}

static enum http_method
method_of(const char *m, size_t n)
{
	static const struct {
		const char		*s;
		enum http_method	 m;
	} t[] = {
		{ "GET", HM_GET }, { "POST", HM_POST }, { "PUT", HM_PUT },
		{ "PATCH", HM_PATCH }, { "DELETE", HM_DELETE },
		{ "HEAD", HM_HEAD }, { "OPTIONS", HM_OPTIONS },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].s) == n && memcmp(m, t[i].s, n) == 0)
			return t[i].m;
	return HM_OTHER;
}

static void
parse_query(struct fuzz_req *fr, const char *q, size_t n)
{
	const char *end = q + n, *amp, *eq;

	while (q < end && fr->req.nquery < MAX_QUERY) {
		amp = memchr(q, '&', (size_t)(end - q));
		if (amp == NULL)
			amp = end;
		if (amp > q) {
			eq = memchr(q, '=', (size_t)(amp - q));
			fr->query[fr->req.nquery].key = unescape(q,
			    (size_t)((eq ? eq : amp) - q), 1);
			fr->query[fr->req.nquery].value = eq ?
			    unescape(eq + 1, (size_t)(amp - eq - 1), 1) :
			    unescape("", 0, 1);
			fr->req.nquery++;
		}
		q = amp + 1;
	}
}

/* Header names the resource layer reads, in fuzz_req.hdr order. */
static const char *const hdr_names[] = { "content-type", "if-match",
	"if-none-match", "idempotency-key", "prefer", "x-request-id",
	"x-fuzz-max-wait-s", "x-fuzz-principal" };

static void
parse_header(struct fuzz_req *fr, const char *l, size_t n)
{
	const char *colon = memchr(l, ':', n), *v;
	size_t i, kn;

	if (colon == NULL)
		return;
	kn = (size_t)(colon - l);
	for (v = colon + 1; v < l + n && (*v == ' ' || *v == '\t'); v++)
		;
	for (i = 0; i < sizeof(hdr_names) / sizeof(hdr_names[0]); i++)
		if (strlen(hdr_names[i]) == kn &&
		    strncasecmp(l, hdr_names[i], kn) == 0 &&
		    fr->hdr[i] == NULL)
			fr->hdr[i] = jd_strndup(v, (size_t)(l + n - v));
}

/* "SCOPE [JAIL,JAIL...]" into fr->principal. */
static void
build_principal(struct fuzz_req *fr, const char *h)
{
	static const char *const scopes[] = { "none", "read", "write",
	    "admin" };
	const char *sp, *p, *c;
	size_t i, n, nj = 0;

	fr->principal.scope = SCOPE_ADMIN;
	snprintf(fr->principal.id, sizeof(fr->principal.id), "uid:0");
	if (h == NULL)
		return;
	snprintf(fr->principal.id, sizeof(fr->principal.id), "token:fuzz");
	sp = strchr(h, ' ');
	n = sp ? (size_t)(sp - h) : strlen(h);
	fr->principal.scope = SCOPE_NONE;
	for (i = 0; i < 4; i++)
		if (strlen(scopes[i]) == n && strncmp(h, scopes[i], n) == 0)
			fr->principal.scope = (enum api_scope)i;
	if (sp == NULL)
		return;
	for (p = sp + 1; nj < 8; p = c + 1) {
		c = strchr(p, ',');
		fr->jails[nj++] = jd_strndup(p, c ? (size_t)(c - p) :
		    strlen(p));
		if (c == NULL)
			break;
	}
	fr->jails[nj] = NULL;
	fr->principal.jails = fr->jails;
}

static void
build_request(struct fuzz_req *fr, const char *in, size_t size)
{
	const char *end = in + size, *p, *nl, *sp, *qm, *tgt;
	size_t ln, tn;

	memset(fr, 0, sizeof(*fr));
	nl = memchr(in, '\n', size);
	ln = nl ? (size_t)(nl - in) : size;
	if (ln > 0 && in[ln - 1] == '\r')
		ln--;
	sp = memchr(in, ' ', ln);
	fr->req.method = method_of(in, sp ? (size_t)(sp - in) : ln);
	tgt = sp ? sp + 1 : in + ln;
	tn = (size_t)(in + ln - tgt);
	sp = memchr(tgt, ' ', tn);	/* " HTTP/1.1" may follow */
	if (sp != NULL)
		tn = (size_t)(sp - tgt);
	qm = memchr(tgt, '?', tn);
	fr->path = unescape(tgt, qm ? (size_t)(qm - tgt) : tn, 0);
	fr->req.path = fr->path;
	fr->req.query = fr->query;
	if (qm != NULL)
		parse_query(fr, qm + 1, (size_t)(tgt + tn - qm - 1));

	p = nl ? nl + 1 : end;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		ln = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (ln > 0 && p[ln - 1] == '\r')
			ln--;
		if (ln == 0) {
			/* The blank line: the rest is the body. */
			p = nl ? nl + 1 : end;
			if (p < end) {
				fr->req.body = p;
				fr->req.body_len = (size_t)(end - p);
			}
			break;
		}
		parse_header(fr, p, ln);
		p = nl ? nl + 1 : end;
	}
	fr->req.content_type = fr->hdr[0];
	fr->req.if_match = fr->hdr[1];
	fr->req.if_none_match = fr->hdr[2];
	fr->req.idempotency_key = fr->hdr[3];
	fr->req.prefer = fr->hdr[4];
	/* As server/http.c: echo a valid X-Request-Id, else make one. */
	snprintf(fr->request_id, sizeof(fr->request_id), "%s",
	    fr->hdr[5] != NULL && name_request_id_valid(fr->hdr[5]) ?
	    fr->hdr[5] : "0123456789abcdef");
	fr->req.request_id = fr->request_id;
	fr->req.client_addr = "127.0.0.1";
	build_principal(fr, fr->hdr[7]);
	fr->req.principal = &fr->principal;
}

static void
free_request(struct fuzz_req *fr)
{
	size_t i;

	jd_free(fr->path);
	for (i = 0; i < fr->req.nquery; i++) {
		jd_free(fr->query[i].key);
		jd_free(fr->query[i].value);
	}
	for (i = 0; i < sizeof(fr->hdr) / sizeof(fr->hdr[0]); i++)
		jd_free(fr->hdr[i]);
	for (i = 0; fr->jails[i] != NULL; i++)
		jd_free(fr->jails[i]);
}

/* ---- checks beyond fuzz_check_response ---- */

static void
check_answer(const struct api_response *resp)
{
	json_t *j;
	char want[API_ETAG_MAX];

	fuzz_check_response(resp);
	if (memchr(resp->etag, '\0', sizeof(resp->etag)) == NULL ||
	    memchr(resp->location, '\0', sizeof(resp->location)) == NULL ||
	    memchr(resp->allow, '\0', sizeof(resp->allow)) == NULL)
		fuzz_fail("an unterminated header field");
	if (resp->status == 405 && resp->allow[0] == '\0')
		fuzz_fail("405 without Allow");
	if (resp->status == 201 && resp->location[0] == '\0')
		fuzz_fail("201 without Location");
	/* A jail document's ETag is its resource_version. */
	if (resp->status < 300 && resp->status != 204 && resp->body != NULL &&
	    resp->etag[0] != '\0' && resp->content_type != NULL &&
	    strcmp(resp->content_type, "application/json") == 0) {
		j = fuzz_must_parse("jail document", resp->body,
		    resp->body_len);
		if (json_is_integer(json_object_get(j, "resource_version"))) {
			snprintf(want, sizeof(want), "\"%lld\"",
			    (long long)json_integer_value(json_object_get(j,
			    "resource_version")));
			if (strcmp(want, resp->etag) != 0)
				fuzz_fail("ETag %s for resource_version %s",
				    resp->etag, want);
		}
		json_decref(j);
	}
}

/* Whether a name appears as a jail of the answer (document or list). */
static void
check_delegation(const struct api_principal *p,
    const struct api_response *resp)
{
	json_t *j, *items, *it;
	const char *name;
	size_t i;

	if (p->jails == NULL || resp->status >= 300 || resp->body == NULL ||
	    resp->content_type == NULL ||
	    strcmp(resp->content_type, "application/json") != 0)
		return;
	j = fuzz_must_parse("answer", resp->body, resp->body_len);
	name = json_string_value(json_object_get(j, "name"));
	if (name != NULL && json_object_get(j, "path") != NULL &&
	    !api_principal_sees(p, name))
		fuzz_fail("jail \"%s\" shown to a principal limited to other "
		    "jails", name);
	items = json_object_get(j, "items");
	json_array_foreach(items, i, it) {
		name = json_string_value(json_object_get(it, "name"));
		if (name == NULL)
			name = json_string_value(json_object_get(it, "jail"));
		if (name != NULL && (json_object_get(it, "path") != NULL ||
		    json_object_get(it, "jail") != NULL) &&
		    !api_principal_sees(p, name))
			fuzz_fail("jail \"%s\" listed to a principal limited "
			    "to other jails", name);
	}
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_req fr;
	struct api_response resp;

	build_request(&fr, (const char *)data, size);
	ctx.cfg.max_wait_s = 3600;
	if (fr.hdr[6] != NULL) {
		long v = strtol(fr.hdr[6], NULL, 10);
		ctx.cfg.max_wait_s = v < 0 ? 0 : v > 86400 ? 86400 : (int)v;
	}
	memset(&resp, 0, sizeof(resp));
	if (fr.req.method == HM_OPTIONS) {
		api_options(&ctx, &fr.req, &resp);
		if (resp.status == 204 && resp.allow[0] == '\0')
			fuzz_fail("OPTIONS 204 without Allow");
	} else
		api_handle(&ctx, &fr.req, &resp);
	if (resp.defer == API_DEFER_WRITE)
		run_deferred(&resp, fr.request_id, 0);
	else if (resp.write != NULL)
		fuzz_fail("a write op without API_DEFER_WRITE");
	if (resp.defer == API_DEFER_WAIT)
		fuzz_fail("API_DEFER_WAIT straight from api_handle");
	if (getenv("JD_FUZZ_DEBUG") != NULL)
		fprintf(stderr, "%d %s etag=%s location=%s allow=%s\n%.*s\n",
		    resp.status, resp.content_type ? resp.content_type : "-",
		    resp.etag, resp.location, resp.allow,
		    (int)resp.body_len,
		    resp.body ? resp.body : "");
	check_answer(&resp);
	check_delegation(&fr.principal, &resp);
	api_response_free(&resp);
	free_request(&fr);
	return 0;
}
