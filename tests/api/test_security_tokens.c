/*
 * test_security_tokens.c - API tokens, the audit trail and the privilege
 * model, against a live jaild behind the validating proxy.
 *
 * Tokens: each scope can be made; the secret (jd_ + 43 base64url chars) is
 * in the 201 answer only: never in GET /v1/tokens, never in the audit
 * list, never in jaild's log; DELETE revokes at once; an expiry in the
 * past is a 422 and a token past its expiry is a 401 worded exactly like a
 * made-up token's; the first admin token file is 0600 and works;
 * last_used_at is filled in after use.
 *
 * Audit: rows for a token's creation and for jail changes name the token
 * (token:ID) and the generation before and after; only the admin reads it.
 *
 * Privilege: a write token may not change what runs or writes on the host
 * (a 403 naming exactly the fields), may PUT an admin-written document
 * back unchanged, and may change what is safe inside the jail.
 */
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/lib/check.h"
#include "tests/lib/harness.h"

static struct jd_instance inst;
static const char *base;	/* where requests go: the proxy */

#define MAX_SECRETS	16
static char secrets[MAX_SECRETS][128];	/* every secret seen, for the greps */
static int nsecrets;

/*
 * One request with an explicit credential: secret NULL sends the admin
 * token (the harness's), "" sends no Authorization header at all.
 */
static struct http_resp *
as(const char *secret, const char *method, const char *path,
    const char *body)
{
	struct http_resp *r = calloc(1, sizeof(*r));
	char authz[200];
	const char *hdrs[2] = { NULL, NULL };
	const char *ct = NULL;

	if (secret != NULL) {
		snprintf(authz, sizeof(authz), "Authorization:%s%s",
		    *secret ? " Bearer " : "", secret);
		hdrs[0] = authz;
	}
	if (body != NULL && strcmp(method, "PATCH") == 0)
		ct = "application/merge-patch+json";
	if (r == NULL || http_do(base, method, path, ct, body, hdrs, r) == -1)
		check_fail(__FILE__, __LINE__, method, path);
	return r;
}

static const char *
jstr(json_t *root, const char *ptr)
{
	json_t *v = jptr(root, ptr);

	if (!json_is_string(v))
		printf("# %s is not a string\n", ptr);
	CHECK(json_is_string(v));
	return json_string_value(v);
}

static int
secret_format_ok(const char *s)
{
	regex_t re;
	int ok;

	if (regcomp(&re, "^jd_[A-Za-z0-9_-]{43}$", REG_EXTENDED | REG_NOSUB)
	    != 0)
		return 0;
	ok = s != NULL && regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

/* Create a token; its secret into sec, its id into id. */
static void
token_make(const char *body, char *sec, size_t secsz, char *id, size_t idsz)
{
	struct http_resp *r = as(NULL, "POST", "/v1/tokens", body);
	char loc[64];

	CHECK_INT(r->status, 201);
	CHECK_STR(http_header(r, "Content-Type"), "application/json");
	snprintf(id, idsz, "%s", jstr(r->json, "/id"));
	CHECK_INT(strlen(id), 16);
	CHECK(strspn(id, "0123456789abcdef") == 16);
	snprintf(loc, sizeof(loc), "/v1/tokens/%s", id);
	CHECK_STR(http_header(r, "Location"), loc);
	snprintf(sec, secsz, "%s", jstr(r->json, "/token"));
	if (!secret_format_ok(sec))
		printf("# bad secret format: %s\n", sec);
	CHECK(secret_format_ok(sec));
	CHECK(json_is_null(jptr(r->json, "/last_used_at")));
	CHECK(json_is_string(jptr(r->json, "/created_at")));
	if (nsecrets < MAX_SECRETS)
		snprintf(secrets[nsecrets++], sizeof(secrets[0]), "%s", sec);
	http_free(r);
}

/* The 401's detail (caller frees), checking the shape on the way. */
static char *
refused_detail(const char *secret)
{
	struct http_resp *r = as(secret, "GET", "/v1/jails", NULL);
	char *d;

	CHECK_INT(r->status, 401);
	CHECK_STR(jstr(r->json, "/code"), "unauthorized");
	CHECK(http_header(r, "WWW-Authenticate") != NULL);
	d = strdup(jstr(r->json, "/detail"));
	http_free(r);
	return d;
}

static json_t *
token_listed(json_t *list, const char *id)
{
	json_t *it;
	size_t i;

	json_array_foreach(jptr(list, "/items"), i, it)
		if (strcmp(json_string_value(json_object_get(it, "id")),
		    id) == 0)
			return it;
	return NULL;
}

static char *
read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void
test_scopes(char *rsec, char *wsec, char *wid)
{
	char asec[128], aid[40], rid[40];
	struct http_resp *r;

	token_make("{\"name\":\"reader\",\"scope\":\"read\"}", rsec, 128, rid,
	    sizeof(rid));
	token_make("{\"name\":\"writer\",\"scope\":\"write\"}", wsec, 128, wid,
	    40);
	token_make("{\"name\":\"second-admin\",\"scope\":\"admin\"}", asec,
	    sizeof(asec), aid, sizeof(aid));

	/* Each does what its scope allows, and no more. */
	r = as(rsec, "GET", "/v1/jails", NULL);
	CHECK_INT(r->status, 200);
	http_free(r);
	r = as(rsec, "POST", "/v1/jails",
	    "{\"name\":\"nope\",\"path\":\"/usr/local/jails/nope\"}");
	CHECK_INT(r->status, 403);
	CHECK_CONTAINS(jstr(r->json, "/detail"), "write");
	http_free(r);
	r = as(wsec, "POST", "/v1/jails",
	    "{\"name\":\"byw\",\"path\":\"/usr/local/jails/byw\"}");
	CHECK_INT(r->status, 201);
	http_free(r);
	r = as(wsec, "GET", "/v1/tokens", NULL);
	CHECK_INT(r->status, 403);
	http_free(r);
	r = as(asec, "GET", "/v1/tokens", NULL);
	CHECK_INT(r->status, 200);
	http_free(r);

	/* An admin token cannot be limited to jails; bad fields all named. */
	r = as(NULL, "POST", "/v1/tokens", "{\"name\":\"x\",\"scope\":\"admin\","
	    "\"jails\":[\"a\"]}");
	CHECK_INT(r->status, 422);
	CHECK_STR(jstr(r->json, "/errors/0/field"), "/jails");
	http_free(r);
	r = as(NULL, "POST", "/v1/tokens", "{\"name\":\"\",\"scope\":\"root\"}");
	CHECK_INT(r->status, 422);
	CHECK_INT(json_array_size(jptr(r->json, "/errors")), 2);
	http_free(r);
}

/* GET /v1/tokens never carries a secret. */
static void
test_list_has_no_secret(const char *wid)
{
	struct http_resp *r = as(NULL, "GET", "/v1/tokens", NULL);
	json_t *it;
	size_t i;
	int k;

	CHECK_INT(r->status, 200);
	CHECK(json_array_size(jptr(r->json, "/items")) >= 4);
	json_array_foreach(jptr(r->json, "/items"), i, it) {
		CHECK(json_object_get(it, "token") == NULL);
		CHECK(json_is_string(json_object_get(it, "id")));
		CHECK(json_is_string(json_object_get(it, "scope")));
	}
	CHECK(token_listed(r->json, wid) != NULL);
	CHECK(strstr(r->body, "\"token\"") == NULL);
	for (k = 0; k < nsecrets; k++)
		CHECK(strstr(r->body, secrets[k]) == NULL);
	CHECK(strstr(r->body, inst.token) == NULL);
	http_free(r);
}

static void
test_revoke(void)
{
	char sec[128], id[40], path[64];
	struct http_resp *r;

	token_make("{\"name\":\"doomed\",\"scope\":\"read\"}", sec,
	    sizeof(sec), id, sizeof(id));
	r = as(sec, "GET", "/v1/host", NULL);
	CHECK_INT(r->status, 200);
	http_free(r);
	snprintf(path, sizeof(path), "/v1/tokens/%s", id);
	r = as(NULL, "DELETE", path, NULL);
	CHECK_INT(r->status, 204);
	http_free(r);
	/* The very next request is refused. */
	free(refused_detail(sec));
	r = as(NULL, "DELETE", path, NULL);
	CHECK_INT(r->status, 404);
	http_free(r);
	r = as(NULL, "GET", "/v1/tokens", NULL);
	CHECK(token_listed(r->json, id) == NULL);
	http_free(r);
}

static void
test_expiry(void)
{
	char sec[128], id[40], body[160], when[32];
	char *d_bad, *d_expired;
	struct http_resp *r;
	time_t t;
	struct tm tm;

	r = as(NULL, "POST", "/v1/tokens", "{\"name\":\"old\",\"scope\":"
	    "\"read\",\"expires_at\":\"2020-01-01T00:00:00Z\"}");
	CHECK_INT(r->status, 422);
	CHECK_STR(jstr(r->json, "/code"), "invalid");
	CHECK_STR(jstr(r->json, "/errors/0/field"), "/expires_at");
	CHECK_INT(json_array_size(jptr(r->json, "/errors")), 1);
	http_free(r);

	t = time(NULL) + 2;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(body, sizeof(body), "{\"name\":\"brief\",\"scope\":\"read\","
	    "\"expires_at\":\"%s\"}", when);
	token_make(body, sec, sizeof(sec), id, sizeof(id));
	r = as(sec, "GET", "/v1/jails", NULL);
	CHECK_INT(r->status, 200);
	http_free(r);
	sleep(3);
	d_expired = refused_detail(sec);
	d_bad = refused_detail("jd_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	/* Never says whether the token exists. */
	CHECK_STR(d_expired, d_bad);
	free(d_expired);
	free(d_bad);
}

static void
test_admin_file(void)
{
	char path[320], *text;
	struct stat st;
	struct http_resp *r;

	snprintf(path, sizeof(path), "%s/admin.token", inst.datadir);
	CHECK(stat(path, &st) == 0);
	CHECK_INT(st.st_mode & 07777, 0600);
	text = read_file(path);
	CHECK(text != NULL);
	text[strcspn(text, "\r\n")] = '\0';
	CHECK(secret_format_ok(text));
	r = as(text, "GET", "/v1/tokens", NULL);
	CHECK_INT(r->status, 200);
	http_free(r);
	if (nsecrets < MAX_SECRETS)
		snprintf(secrets[nsecrets++], sizeof(secrets[0]), "%s", text);
	free(text);
}

static void
test_last_used(void)
{
	char sec[128], id[40];
	struct http_resp *r;
	json_t *t;
	int i, filled = 0;

	token_make("{\"name\":\"user\",\"scope\":\"read\"}", sec, sizeof(sec),
	    id, sizeof(id));
	for (i = 0; i < 100 && !filled; i++) {
		r = as(sec, "GET", "/v1/host", NULL);
		CHECK_INT(r->status, 200);
		http_free(r);
		r = as(NULL, "GET", "/v1/tokens", NULL);
		t = token_listed(r->json, id);
		CHECK(t != NULL);
		filled = json_is_string(json_object_get(t, "last_used_at"));
		http_free(r);
		if (!filled)
			usleep(50000);
	}
	CHECK(filled);
}

/* The audit row for resource, the newest one (new reference), or NULL. */
static json_t *
audit_find(const char *resource, const char *method)
{
	struct http_resp *r = as(NULL, "GET", "/v1/audit?limit=1000", NULL);
	json_t *it, *found = NULL;
	size_t i;
	int k;

	CHECK_INT(r->status, 200);
	CHECK(json_is_integer(jptr(r->json, "/next_since")));
	for (k = 0; k < nsecrets; k++)
		CHECK(strstr(r->body, secrets[k]) == NULL);
	json_array_foreach(jptr(r->json, "/items"), i, it) {
		if (strcmp(json_string_value(json_object_get(it, "resource")),
		    resource) == 0 && strcmp(json_string_value(
		    json_object_get(it, "method")), method) == 0) {
			json_decref(found);
			found = json_incref(it);
		}
	}
	http_free(r);
	return found;
}

static void
check_gen(json_t *row, const char *key, long long want)
{
	json_t *v = json_object_get(row, key);

	if (want == 0)
		CHECK(json_is_null(v));
	else {
		CHECK(json_is_integer(v));
		CHECK_INT(json_integer_value(v), want);
	}
}

static void
test_audit(const char *rsec, const char *wsec, const char *wid)
{
	char sec[128], id[40], res[64], principal[64], admin_id[40] = "";
	struct http_resp *r;
	json_t *row, *it;
	size_t i;

	/* The admin token's id, from the list. */
	r = as(NULL, "GET", "/v1/tokens", NULL);
	json_array_foreach(jptr(r->json, "/items"), i, it)
		if (strcmp(json_string_value(json_object_get(it, "name")),
		    "admin") == 0)
			snprintf(admin_id, sizeof(admin_id), "%s",
			    json_string_value(json_object_get(it, "id")));
	http_free(r);
	CHECK(admin_id[0] != '\0');

	token_make("{\"name\":\"audited\",\"scope\":\"read\"}", sec,
	    sizeof(sec), id, sizeof(id));
	snprintf(res, sizeof(res), "token:%s", id);
	row = audit_find(res, "POST");
	CHECK(row != NULL);
	snprintf(principal, sizeof(principal), "token:%s", admin_id);
	CHECK_STR(json_string_value(json_object_get(row, "principal")),
	    principal);
	CHECK_STR(json_string_value(json_object_get(row, "path")),
	    "/v1/tokens");
	CHECK_STR(json_string_value(json_object_get(row, "client_addr")),
	    "127.0.0.1");
	CHECK(json_is_string(json_object_get(row, "request_id")));
	CHECK(json_is_string(json_object_get(row, "time")));
	json_decref(row);

	/* Jail changes by the write token: before / after generations. */
	snprintf(principal, sizeof(principal), "token:%s", wid);
	r = as(wsec, "POST", "/v1/jails",
	    "{\"name\":\"aud\",\"path\":\"/usr/local/jails/aud\"}");
	CHECK_INT(r->status, 201);
	http_free(r);
	row = audit_find("jail:aud", "POST");
	CHECK(row != NULL);
	CHECK_STR(json_string_value(json_object_get(row, "principal")),
	    principal);
	CHECK_STR(json_string_value(json_object_get(row, "path")),
	    "/v1/jails");
	check_gen(row, "generation_before", 0);
	check_gen(row, "generation_after", 1);
	json_decref(row);

	r = as(wsec, "PATCH", "/v1/jails/aud", "{\"hostname\":\"aud.test\"}");
	CHECK_INT(r->status, 200);
	http_free(r);
	row = audit_find("jail:aud", "PATCH");
	CHECK(row != NULL);
	CHECK_STR(json_string_value(json_object_get(row, "principal")),
	    principal);
	check_gen(row, "generation_before", 1);
	check_gen(row, "generation_after", 2);
	json_decref(row);

	r = as(wsec, "DELETE", "/v1/jails/aud", NULL);
	CHECK(r->status == 204 || r->status == 202);
	http_free(r);
	row = audit_find("jail:aud", "DELETE");
	CHECK(row != NULL);
	CHECK_STR(json_string_value(json_object_get(row, "principal")),
	    principal);
	CHECK_STR(json_string_value(json_object_get(row, "path")),
	    "/v1/jails/aud");
	check_gen(row, "generation_before", 2);
	json_decref(row);

	/* Refused writes leave no row. */
	r = as(rsec, "PATCH", "/v1/jails/byw", "{\"hostname\":\"no.test\"}");
	CHECK_INT(r->status, 403);
	http_free(r);
	row = audit_find("jail:byw", "PATCH");
	CHECK(row == NULL);

	/* Only the admin reads the trail. */
	r = as(rsec, "GET", "/v1/audit", NULL);
	CHECK_INT(r->status, 403);
	http_free(r);
	r = as(wsec, "GET", "/v1/audit", NULL);
	CHECK_INT(r->status, 403);
	http_free(r);
	r = as("", "GET", "/v1/audit", NULL);
	CHECK_INT(r->status, 401);
	http_free(r);
	r = as(NULL, "GET", "/v1/audit?since=1&limit=1", NULL);
	CHECK_INT(r->status, 200);
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 1);
	CHECK(json_integer_value(jptr(r->json, "/items/0/id")) > 1);
	http_free(r);
}

/* The pointers of a 403's errors, sorted, joined by spaces. */
static void
fields_of(json_t *problem, char *out, size_t outsz)
{
	const char *f[32], *t;
	json_t *e;
	size_t i, n = 0, j, k, len = 0;

	json_array_foreach(jptr(problem, "/errors"), i, e)
		if (n < 32)
			f[n++] = json_string_value(json_object_get(e, "field"));
	for (j = 0; j < n; j++)
		for (k = j + 1; k < n; k++)
			if (f[j] && f[k] && strcmp(f[j], f[k]) > 0) {
				t = f[j];
				f[j] = f[k];
				f[k] = t;
			}
	out[0] = '\0';
	for (j = 0; j < n; j++)
		len += (size_t)snprintf(out + len, len < outsz ? outsz - len :
		    0, "%s%s", j ? " " : "", f[j] ? f[j] : "(null)");
}

static void
test_privilege(const char *wsec)
{
	static const char *const dangerous =
	    "{\"path\":\"/usr/local/jails/priv\","
	    "\"exec\":{\"prestart\":[\"/bin/echo pre\"],"
	    "\"poststop\":[\"/bin/echo post\"],\"system_user\":\"nobody\"},"
	    "\"params\":{\"allow.raw_sockets\":true,\"enforce_statfs\":1,"
	    "\"securelevel\":-1},"
	    "\"mounts\":[{\"type\":\"nullfs\",\"source\":\"/usr/local/share\","
	    "\"target\":\"/share\",\"options\":[\"ro\"]}]}";
	struct http_resp *r, *g;
	char fields[512], *doc;
	json_t *d;

	r = as(NULL, "POST", "/v1/jails",
	    "{\"name\":\"priv\",\"path\":\"/usr/local/jails/priv\"}");
	CHECK_INT(r->status, 201);
	http_free(r);

	/* All the host-touching fields at once: each one named. */
	r = as(wsec, "PUT", "/v1/jails/priv", dangerous);
	CHECK_INT(r->status, 403);
	CHECK_STR(jstr(r->json, "/code"), "forbidden");
	fields_of(r->json, fields, sizeof(fields));
	CHECK_STR(fields, "/exec/poststop /exec/prestart /exec/system_user "
	    "/mounts/0/source /params/allow.raw_sockets /params/enforce_statfs "
	    "/params/securelevel");
	http_free(r);
	/* One at a time through PATCH too. */
	r = as(wsec, "PATCH", "/v1/jails/priv",
	    "{\"params\":{\"securelevel\":-1}}");
	CHECK_INT(r->status, 403);
	fields_of(r->json, fields, sizeof(fields));
	CHECK_STR(fields, "/params/securelevel");
	http_free(r);
	/* Nothing changed. */
	g = as(NULL, "GET", "/v1/jails/priv", NULL);
	CHECK_INT(json_integer_value(jptr(g->json, "/generation")), 1);
	http_free(g);

	/* The admin may; then the write token PUTs the document back. */
	r = as(NULL, "PUT", "/v1/jails/priv", dangerous);
	CHECK_INT(r->status, 200);
	http_free(r);
	g = as(wsec, "GET", "/v1/jails/priv", NULL);
	CHECK_INT(g->status, 200);
	r = as(wsec, "PUT", "/v1/jails/priv", g->body);
	CHECK_INT(r->status, 200);
	CHECK_INT(json_integer_value(jptr(r->json, "/generation")),
	    json_integer_value(jptr(g->json, "/generation")));
	http_free(r);

	/* Safe changes inside the jail, keeping the admin's settings. */
	d = json_deep_copy(g->json);
	http_free(g);
	json_object_set_new(d, "hostname", json_string("priv.example"));
	json_object_set_new(jptr(d, "/exec"), "start",
	    json_pack("[s]", "/bin/sh /etc/rc"));
	json_object_set_new(jptr(d, "/params"), "securelevel",
	    json_integer(3));
	json_object_set_new(d, "labels", json_pack("{s:s}", "team", "web"));
	doc = json_dumps(d, JSON_COMPACT);
	json_decref(d);
	r = as(wsec, "PUT", "/v1/jails/priv", doc);
	free(doc);
	CHECK_INT(r->status / 100, 2);
	CHECK_STR(jstr(r->json, "/hostname"), "priv.example");
	CHECK_INT(json_integer_value(jptr(r->json, "/params/securelevel")), 3);
	CHECK_STR(jstr(r->json, "/labels/team"), "web");
	CHECK_STR(jstr(r->json, "/exec/start/0"), "/bin/sh /etc/rc");
	CHECK_STR(jstr(r->json, "/exec/prestart/0"), "/bin/echo pre");
	http_free(r);

	/* The same safe things on a plain jail through PATCH. */
	r = as(wsec, "PATCH", "/v1/jails/byw", "{\"hostname\":\"byw.example\","
	    "\"exec\":{\"start\":[\"/bin/sh /etc/rc\"]},"
	    "\"params\":{\"securelevel\":3},\"labels\":{\"a\":\"b\"}}");
	CHECK_INT(r->status / 100, 2);
	http_free(r);
}

/* After all the traffic: no secret is in jaild's log. */
static void
test_log_clean(void)
{
	char *log = read_file(inst.log);
	int k;

	CHECK(log != NULL);
	CHECK(strlen(log) > 0);
	CHECK(nsecrets >= 8);
	for (k = 0; k < nsecrets; k++) {
		if (strstr(log, secrets[k]) != NULL)
			printf("# secret %d is in %s\n", k, inst.log);
		CHECK(strstr(log, secrets[k]) == NULL);
	}
	free(log);
}

int
main(void)
{
	char rsec[128], wsec[128], wid[40];

	if (harness_start(&inst, NULL, NULL, 1) == -1) {
		printf("not ok - harness_start\n");
		return 1;
	}
	base = inst.url;
	test_scopes(rsec, wsec, wid);
	test_list_has_no_secret(wid);
	test_revoke();
	test_expiry();
	test_admin_file();
	test_last_used();
	test_audit(rsec, wsec, wid);
	test_privilege(wsec);
	CHECK_INT(harness_kill(&inst, SIGTERM), 0);
	test_log_clean();
	harness_stop(&inst);
	return check_done();
}
