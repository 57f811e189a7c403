/*
 * test_security_matrix.c - who may call what: every route of api/router.c
 * with a concrete path, asked by five principals (no credential, a read
 * token, a write token, the admin token, a write token delegated to the
 * jail "other" only), each answer checked against the table below.  Jails
 * "mine" and "other" exist before every row (a row that deleted one gets it
 * back).  Then the delegated token on its own jail (2xx, but no delete),
 * the filtered lists, and the unix socket as root, which is the admin for
 * every route without any Authorization header.
 *
 * Rows go through the validating proxy (inst.url); the unix socket rows go
 * straight to jaild.  A mismatch is printed and counted, so one run shows
 * every broken row; the test fails if any row did.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/lib/check.h"
#include "tests/lib/harness.h"

enum who { P_NONE, P_READ, P_WRITE, P_ADMIN, P_DELEG, P_ROOT, P_COUNT };

static const char *const who_name[P_COUNT] = { "none", "read", "write",
	"admin", "delegated", "unix-root" };

#define ANY2XX	2	/* any 2xx status */

/*
 * One (route, principal, expected) row.  In path and body "@" becomes a
 * number unique to the run, "{tok}" a throwaway token's id and "{prison}"
 * a fresh unmanaged prison on the simulated host.
 */
struct row {
	const char	*method;
	const char	*path;
	const char	*body;
	enum who	 who;
	int		 expect;
};

#define JAIL_NEW	"{\"name\":\"n@\",\"path\":\"/usr/local/jails/n@\"}"
#define PUT_MINE	"{\"path\":\"/usr/local/jails/mine\",\"hostname\":\"h@\"}"
#define PATCH_BODY	"{\"labels\":{\"k\":\"v@\"}}"
#define TOKEN_NEW	"{\"name\":\"t@\",\"scope\":\"read\"}"
#define PUT_OTHER	"{\"path\":\"/usr/local/jails/other\",\"hostname\":\"o@\"}"

static const struct row rows[] = {
	{ "GET", "/healthz", NULL, P_NONE, 200 },
	{ "GET", "/healthz", NULL, P_READ, 200 },
	{ "GET", "/healthz", NULL, P_WRITE, 200 },
	{ "GET", "/healthz", NULL, P_ADMIN, 200 },
	{ "GET", "/healthz", NULL, P_DELEG, 200 },

	{ "GET", "/readyz", NULL, P_NONE, 200 },
	{ "GET", "/readyz", NULL, P_READ, 200 },
	{ "GET", "/readyz", NULL, P_WRITE, 200 },
	{ "GET", "/readyz", NULL, P_ADMIN, 200 },
	{ "GET", "/readyz", NULL, P_DELEG, 200 },

	{ "GET", "/openapi.yaml", NULL, P_NONE, 200 },
	{ "GET", "/openapi.yaml", NULL, P_READ, 200 },
	{ "GET", "/openapi.yaml", NULL, P_WRITE, 200 },
	{ "GET", "/openapi.yaml", NULL, P_ADMIN, 200 },
	{ "GET", "/openapi.yaml", NULL, P_DELEG, 200 },

	{ "GET", "/v1/jails", NULL, P_NONE, 401 },
	{ "GET", "/v1/jails", NULL, P_READ, 200 },
	{ "GET", "/v1/jails", NULL, P_WRITE, 200 },
	{ "GET", "/v1/jails", NULL, P_ADMIN, 200 },
	{ "GET", "/v1/jails", NULL, P_DELEG, 200 },

	{ "POST", "/v1/jails", JAIL_NEW, P_NONE, 401 },
	{ "POST", "/v1/jails", JAIL_NEW, P_READ, 403 },
	{ "POST", "/v1/jails", JAIL_NEW, P_WRITE, 201 },
	{ "POST", "/v1/jails", JAIL_NEW, P_ADMIN, 201 },
	{ "POST", "/v1/jails", JAIL_NEW, P_DELEG, 403 },

	{ "GET", "/v1/jails/mine", NULL, P_NONE, 401 },
	{ "GET", "/v1/jails/mine", NULL, P_READ, 200 },
	{ "GET", "/v1/jails/mine", NULL, P_WRITE, 200 },
	{ "GET", "/v1/jails/mine", NULL, P_ADMIN, 200 },
	{ "GET", "/v1/jails/mine", NULL, P_DELEG, 404 },

	{ "PUT", "/v1/jails/mine", PUT_MINE, P_NONE, 401 },
	{ "PUT", "/v1/jails/mine", PUT_MINE, P_READ, 403 },
	{ "PUT", "/v1/jails/mine", PUT_MINE, P_WRITE, 200 },
	{ "PUT", "/v1/jails/mine", PUT_MINE, P_ADMIN, 200 },
	{ "PUT", "/v1/jails/mine", PUT_MINE, P_DELEG, 404 },

	{ "PATCH", "/v1/jails/mine", PATCH_BODY, P_NONE, 401 },
	{ "PATCH", "/v1/jails/mine", PATCH_BODY, P_READ, 403 },
	{ "PATCH", "/v1/jails/mine", PATCH_BODY, P_WRITE, 200 },
	{ "PATCH", "/v1/jails/mine", PATCH_BODY, P_ADMIN, 200 },
	{ "PATCH", "/v1/jails/mine", PATCH_BODY, P_DELEG, 404 },

	{ "DELETE", "/v1/jails/mine", NULL, P_NONE, 401 },
	{ "DELETE", "/v1/jails/mine", NULL, P_READ, 403 },
	{ "DELETE", "/v1/jails/mine", NULL, P_DELEG, 404 },
	{ "DELETE", "/v1/jails/mine", NULL, P_WRITE, ANY2XX },
	{ "DELETE", "/v1/jails/mine", NULL, P_ADMIN, ANY2XX },

	{ "POST", "/v1/jails/mine/start", NULL, P_NONE, 401 },
	{ "POST", "/v1/jails/mine/start", NULL, P_READ, 403 },
	{ "POST", "/v1/jails/mine/start", NULL, P_WRITE, 202 },
	{ "POST", "/v1/jails/mine/start", NULL, P_ADMIN, 202 },
	{ "POST", "/v1/jails/mine/start", NULL, P_DELEG, 404 },

	{ "POST", "/v1/jails/mine/stop", NULL, P_NONE, 401 },
	{ "POST", "/v1/jails/mine/stop", NULL, P_READ, 403 },
	{ "POST", "/v1/jails/mine/stop", NULL, P_WRITE, 202 },
	{ "POST", "/v1/jails/mine/stop", NULL, P_ADMIN, 202 },
	{ "POST", "/v1/jails/mine/stop", NULL, P_DELEG, 404 },

	{ "POST", "/v1/jails/mine/restart", NULL, P_NONE, 401 },
	{ "POST", "/v1/jails/mine/restart", NULL, P_READ, 403 },
	{ "POST", "/v1/jails/mine/restart", NULL, P_WRITE, 202 },
	{ "POST", "/v1/jails/mine/restart", NULL, P_ADMIN, 202 },
	{ "POST", "/v1/jails/mine/restart", NULL, P_DELEG, 404 },

	{ "GET", "/v1/host", NULL, P_NONE, 401 },
	{ "GET", "/v1/host", NULL, P_READ, 200 },
	{ "GET", "/v1/host", NULL, P_WRITE, 200 },
	{ "GET", "/v1/host", NULL, P_ADMIN, 200 },
	{ "GET", "/v1/host", NULL, P_DELEG, 200 },

	{ "GET", "/v1/host/prisons", NULL, P_NONE, 401 },
	{ "GET", "/v1/host/prisons", NULL, P_READ, 200 },
	{ "GET", "/v1/host/prisons", NULL, P_WRITE, 200 },
	{ "GET", "/v1/host/prisons", NULL, P_ADMIN, 200 },
	{ "GET", "/v1/host/prisons", NULL, P_DELEG, 200 },

	{ "POST", "/v1/host/prisons/{prison}/adopt", NULL, P_NONE, 401 },
	{ "POST", "/v1/host/prisons/{prison}/adopt", NULL, P_READ, 403 },
	{ "POST", "/v1/host/prisons/{prison}/adopt", NULL, P_WRITE, 403 },
	{ "POST", "/v1/host/prisons/{prison}/adopt", NULL, P_ADMIN, 201 },
	{ "POST", "/v1/host/prisons/{prison}/adopt", NULL, P_DELEG, 403 },

	{ "GET", "/v1/host/params", NULL, P_NONE, 401 },
	{ "GET", "/v1/host/params", NULL, P_READ, 200 },
	{ "GET", "/v1/host/params", NULL, P_WRITE, 200 },
	{ "GET", "/v1/host/params", NULL, P_ADMIN, 200 },
	{ "GET", "/v1/host/params", NULL, P_DELEG, 200 },

	{ "GET", "/v1/events", NULL, P_NONE, 401 },
	{ "GET", "/v1/events", NULL, P_READ, 200 },
	{ "GET", "/v1/events", NULL, P_WRITE, 200 },
	{ "GET", "/v1/events", NULL, P_ADMIN, 200 },
	{ "GET", "/v1/events", NULL, P_DELEG, 200 },

	{ "GET", "/v1/tokens", NULL, P_NONE, 401 },
	{ "GET", "/v1/tokens", NULL, P_READ, 403 },
	{ "GET", "/v1/tokens", NULL, P_WRITE, 403 },
	{ "GET", "/v1/tokens", NULL, P_ADMIN, 200 },
	{ "GET", "/v1/tokens", NULL, P_DELEG, 403 },

	{ "POST", "/v1/tokens", TOKEN_NEW, P_NONE, 401 },
	{ "POST", "/v1/tokens", TOKEN_NEW, P_READ, 403 },
	{ "POST", "/v1/tokens", TOKEN_NEW, P_WRITE, 403 },
	{ "POST", "/v1/tokens", TOKEN_NEW, P_ADMIN, 201 },
	{ "POST", "/v1/tokens", TOKEN_NEW, P_DELEG, 403 },

	{ "DELETE", "/v1/tokens/{tok}", NULL, P_NONE, 401 },
	{ "DELETE", "/v1/tokens/{tok}", NULL, P_READ, 403 },
	{ "DELETE", "/v1/tokens/{tok}", NULL, P_WRITE, 403 },
	{ "DELETE", "/v1/tokens/{tok}", NULL, P_ADMIN, 204 },
	{ "DELETE", "/v1/tokens/{tok}", NULL, P_DELEG, 403 },

	{ "GET", "/v1/audit", NULL, P_NONE, 401 },
	{ "GET", "/v1/audit", NULL, P_READ, 403 },
	{ "GET", "/v1/audit", NULL, P_WRITE, 403 },
	{ "GET", "/v1/audit", NULL, P_ADMIN, 200 },
	{ "GET", "/v1/audit", NULL, P_DELEG, 403 },

	/* The delegated token on its own jail: everything but delete. */
	{ "GET", "/v1/jails/other", NULL, P_DELEG, 200 },
	{ "PUT", "/v1/jails/other", PUT_OTHER, P_DELEG, 200 },
	{ "PATCH", "/v1/jails/other", PATCH_BODY, P_DELEG, 200 },
	{ "POST", "/v1/jails/other/start", NULL, P_DELEG, 202 },
	{ "POST", "/v1/jails/other/stop", NULL, P_DELEG, 202 },
	{ "POST", "/v1/jails/other/restart", NULL, P_DELEG, 202 },
	{ "DELETE", "/v1/jails/other", NULL, P_DELEG, 403 },
	/* PUT of a jail it does not see is not a create. */
	{ "PUT", "/v1/jails/fresh", "{\"path\":\"/usr/local/jails/fresh\"}",
	    P_DELEG, 404 },
	{ "GET", "/v1/jails/fresh", NULL, P_ADMIN, 404 },
};

/* The routes again, as the root user on the unix socket: the admin. */
static const struct row unix_rows[] = {
	{ "GET", "/healthz", NULL, P_ROOT, 200 },
	{ "GET", "/readyz", NULL, P_ROOT, 200 },
	{ "GET", "/openapi.yaml", NULL, P_ROOT, 200 },
	{ "GET", "/v1/jails", NULL, P_ROOT, 200 },
	{ "POST", "/v1/jails", JAIL_NEW, P_ROOT, 201 },
	{ "GET", "/v1/jails/mine", NULL, P_ROOT, 200 },
	{ "PUT", "/v1/jails/mine", PUT_MINE, P_ROOT, 200 },
	{ "PATCH", "/v1/jails/mine", PATCH_BODY, P_ROOT, 200 },
	{ "DELETE", "/v1/jails/mine", NULL, P_ROOT, ANY2XX },
	{ "POST", "/v1/jails/mine/start", NULL, P_ROOT, 202 },
	{ "POST", "/v1/jails/mine/stop", NULL, P_ROOT, 202 },
	{ "POST", "/v1/jails/mine/restart", NULL, P_ROOT, 202 },
	{ "GET", "/v1/host", NULL, P_ROOT, 200 },
	{ "GET", "/v1/host/prisons", NULL, P_ROOT, 200 },
	{ "POST", "/v1/host/prisons/{prison}/adopt", NULL, P_ROOT, 201 },
	{ "GET", "/v1/host/params", NULL, P_ROOT, 200 },
	{ "GET", "/v1/events", NULL, P_ROOT, 200 },
	{ "GET", "/v1/tokens", NULL, P_ROOT, 200 },
	{ "POST", "/v1/tokens", TOKEN_NEW, P_ROOT, 201 },
	{ "DELETE", "/v1/tokens/{tok}", NULL, P_ROOT, 204 },
	{ "GET", "/v1/audit", NULL, P_ROOT, 200 },
};

static struct jd_instance inst;
static char unix_base[320];
static char secret[P_COUNT][128];	/* bearer secrets by principal */
static int serial;
static int failures;

/* A request as the admin straight to jaild (set-up, not under test). */
static struct http_resp *
admin(const char *method, const char *path, const char *body)
{
	struct http_resp *r = calloc(1, sizeof(*r));

	if (r == NULL || http_do(inst.direct, method, path, NULL, body, NULL,
	    r) == -1)
		check_fail(__FILE__, __LINE__, method, path);
	return r;
}

static void
token_new(const char *body, char *out, size_t outsz, char *id, size_t idsz)
{
	struct http_resp *r = admin("POST", "/v1/tokens", body);
	json_t *t = jptr(r->json, "/token"), *i = jptr(r->json, "/id");

	CHECK_INT(r->status, 201);
	CHECK(json_is_string(t) && json_is_string(i));
	if (out != NULL)
		snprintf(out, outsz, "%s", json_string_value(t));
	if (id != NULL)
		snprintf(id, idsz, "%s", json_string_value(i));
	http_free(r);
}

/* Make sure jail name exists (waiting out a deletion in progress). */
static void
ensure_jail(const char *name)
{
	struct http_resp *r;
	char path[128], body[256];
	const char *phase;
	int i;

	snprintf(path, sizeof(path), "/v1/jails/%s", name);
	for (i = 0; i < 400; i++) {
		r = admin("GET", path, NULL);
		if (r->status == 200) {
			phase = json_string_value(jptr(r->json,
			    "/status/phase"));
			if (phase == NULL || strcmp(phase, "deleting") != 0) {
				http_free(r);
				return;
			}
		} else if (r->status == 404) {
			http_free(r);
			snprintf(body, sizeof(body), "{\"name\":\"%s\","
			    "\"path\":\"/usr/local/jails/%s\"}", name, name);
			r = admin("POST", "/v1/jails", body);
			CHECK_INT(r->status, 201);
			http_free(r);
			return;
		}
		http_free(r);
		harness_msleep(50);
	}
	check_fail(__FILE__, __LINE__, "jail comes back after delete", name);
}

/* A fresh unmanaged prison on the simulated host; its name in out. */
static void
prison_new(char *out, size_t outsz)
{
	const char *bin = getenv("JAILD_SIM_BIN");
	char cmd[1024];
	struct http_resp *r;
	json_t *it;
	size_t k;
	int st, i;

	snprintf(out, outsz, "loose%d", ++serial);
	snprintf(cmd, sizeof(cmd), "%s --data-dir %s create %s "
	    "path=/usr/local/jails/%s >/dev/null", bin != NULL && *bin ? bin :
	    "build/jaild-sim", inst.datadir, out, out);
	st = system(cmd);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		check_fail(__FILE__, __LINE__, "jaild-sim create", cmd);
	/* jaild learns of it at its next look at the host */
	for (i = 0; i < 200; i++) {
		r = admin("GET", "/v1/host/prisons", NULL);
		json_array_foreach(jptr(r->json, "/items"), k, it)
			if (strcmp(json_string_value(json_object_get(it,
			    "name")), out) == 0) {
				http_free(r);
				return;
			}
		http_free(r);
		harness_msleep(50);
	}
	check_fail(__FILE__, __LINE__, "jaild sees the new prison", out);
}

/* Copy s into out, "@" -> serial, "{tok}" -> tok, "{prison}" -> prison. */
static void
expand(const char *s, char *out, size_t outsz, const char *tok,
    const char *prison)
{
	size_t n = 0;
	int w;

	out[0] = '\0';
	while (*s != '\0' && n + 1 < outsz) {
		if (*s == '@') {
			w = snprintf(out + n, outsz - n, "%d", serial);
			s++;
		} else if (strncmp(s, "{tok}", 5) == 0) {
			w = snprintf(out + n, outsz - n, "%s", tok);
			s += 5;
		} else if (strncmp(s, "{prison}", 8) == 0) {
			w = snprintf(out + n, outsz - n, "%s", prison);
			s += 8;
		} else {
			out[n] = *s++;
			out[n + 1] = '\0';
			w = 1;
		}
		n += (size_t)w;
	}
}

static void
run_row(const struct row *rw)
{
	char path[256], body[512], tok[40] = "0000000000000000", prison[64] = "",
	    authz[200];
	const char *hdrs[2] = { NULL, NULL }, *base, *code;
	const char *ct = NULL;
	struct http_resp r;
	int ok;

	ensure_jail("mine");
	ensure_jail("other");
	serial++;
	if (strstr(rw->path, "{tok}") != NULL)
		token_new("{\"name\":\"victim\",\"scope\":\"read\"}", NULL, 0,
		    tok, sizeof(tok));
	if (strstr(rw->path, "{prison}") != NULL)
		prison_new(prison, sizeof(prison));
	expand(rw->path, path, sizeof(path), tok, prison);
	if (rw->body != NULL)
		expand(rw->body, body, sizeof(body), tok, prison);
	if (rw->body != NULL && strcmp(rw->method, "PATCH") == 0)
		ct = "application/merge-patch+json";

	base = inst.url;
	switch (rw->who) {
	case P_NONE:
		hdrs[0] = "Authorization:";
		break;
	case P_ROOT:
		hdrs[0] = "Authorization:";
		base = unix_base;
		break;
	case P_ADMIN:
		break;		/* the harness sends the admin token */
	default:
		snprintf(authz, sizeof(authz), "Authorization: Bearer %s",
		    secret[rw->who]);
		hdrs[0] = authz;
		break;
	}
	if (http_do(base, rw->method, path, ct, rw->body ? body : NULL, hdrs,
	    &r) == -1)
		check_fail(__FILE__, __LINE__, rw->method, path);
	ok = rw->expect == ANY2XX ? r.status / 100 == 2 :
	    r.status == rw->expect;
	/* Refusals say why, the way the contract words them. */
	code = json_string_value(jptr(r.json, "/code"));
	if (ok && r.status == 401)
		ok = http_header(&r, "WWW-Authenticate") != NULL &&
		    code != NULL && strcmp(code, "unauthorized") == 0;
	if (ok && r.status == 403)
		ok = code != NULL && strcmp(code, "forbidden") == 0;
	if (ok && r.status == 404 && rw->who == P_DELEG)
		ok = code != NULL && strcmp(code, "not_found") == 0;
	if (ok)
		check_pass();
	else {
		failures++;
		printf("not ok - %s %s as %s: want %d, got %ld: %.300s\n",
		    rw->method, path, who_name[rw->who], rw->expect, r.status,
		    r.body ? r.body : "");
	}
	http_resp_free(&r);
}

/* The delegated token sees only "other" in lists and host prisons. */
static void
check_filtered(void)
{
	char authz[200];
	const char *hdrs[] = { authz, NULL };
	struct http_resp r;
	json_t *it;
	size_t i;
	int seen_other = 0;

	snprintf(authz, sizeof(authz), "Authorization: Bearer %s",
	    secret[P_DELEG]);
	CHECK(http_do(inst.url, "GET", "/v1/jails", NULL, NULL, hdrs,
	    &r) == 0);
	CHECK_INT(r.status, 200);
	json_array_foreach(jptr(r.json, "/items"), i, it) {
		CHECK_STR(json_string_value(json_object_get(it, "name")),
		    "other");
		seen_other = 1;
	}
	CHECK(seen_other);
	http_resp_free(&r);

	CHECK(http_do(inst.url, "GET", "/v1/events?limit=1000", NULL, NULL,
	    hdrs, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK(json_array_size(jptr(r.json, "/items")) > 0);
	json_array_foreach(jptr(r.json, "/items"), i, it)
		CHECK_STR(json_string_value(json_object_get(it, "jail")),
		    "other");
	http_resp_free(&r);

	CHECK(http_do(inst.url, "GET", "/v1/host/prisons", NULL, NULL, hdrs,
	    &r) == 0);
	CHECK_INT(r.status, 200);
	json_array_foreach(jptr(r.json, "/items"), i, it)
		CHECK_STR(json_string_value(json_object_get(it, "name")),
		    "other");
	http_resp_free(&r);
}

int
main(void)
{
	size_t i;

	if (harness_start(&inst, NULL, NULL, 1) == -1) {
		printf("not ok - harness_start\n");
		return 1;
	}
	snprintf(unix_base, sizeof(unix_base), "unix:%s", inst.sock);
	token_new("{\"name\":\"reader\",\"scope\":\"read\"}", secret[P_READ],
	    sizeof(secret[P_READ]), NULL, 0);
	token_new("{\"name\":\"writer\",\"scope\":\"write\"}",
	    secret[P_WRITE], sizeof(secret[P_WRITE]), NULL, 0);
	token_new("{\"name\":\"deleg\",\"scope\":\"write\","
	    "\"jails\":[\"other\"]}", secret[P_DELEG], sizeof(secret[P_DELEG]),
	    NULL, 0);

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
	for (i = 0; i < sizeof(unix_rows) / sizeof(unix_rows[0]); i++)
		run_row(&unix_rows[i]);
	ensure_jail("other");
	check_filtered();

	printf("# %d of %zu rows failed\n", failures,
	    sizeof(rows) / sizeof(rows[0]) +
	    sizeof(unix_rows) / sizeof(unix_rows[0]));
	CHECK_INT(failures, 0);
	CHECK_INT(harness_kill(&inst, SIGTERM), 0);
	harness_stop(&inst);
	return check_done();
}
