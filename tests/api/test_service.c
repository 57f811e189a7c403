/*
 * test_service.c - the service routes and the cross-cutting behaviour:
 * /healthz, /readyz, GET /openapi.yaml (the committed spec, as YAML),
 * X-Request-Id on every answer (echoed when valid, else 16 generated hex
 * digits), the unix socket, and SIGTERM (waiting requests are answered,
 * committed writes survive, exit status 0).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/lib/api.h"
#include "tests/lib/check.h"
#include "tests/lib/harness.h"

static struct jd_instance inst;

static struct http_resp *
req(const char *base, const char *method, const char *path,
    const char *body, const char *hdr)
{
	const char *hdrs[2] = { hdr, NULL };

	return api_send(base, method, path, api_body_type(method, body), body,
	    hdrs);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n + 1)) != NULL) {
		*len = fread(p, 1, (size_t)n, f);
		p[*len] = '\0';
	}
	fclose(f);
	return p;
}

static void
test_health(void)
{
	struct http_resp *r;
	char path[512], *spec;
	size_t len = 0;
	const char *src = getenv("JD_SOURCE_DIR");

	r = http_get(inst.url, "/healthz");
	CHECK_INT(r->status, 200);
	CHECK_STR(http_header(r, "Content-Type"), "application/json");
	CHECK_STR(json_string_value(jptr(r->json, "/status")), "ok");
	http_free(r);

	r = http_get(inst.url, "/readyz");
	CHECK_INT(r->status, 200);
	CHECK_STR(json_string_value(jptr(r->json, "/status")), "ready");
	http_free(r);

	r = http_get(inst.url, "/openapi.yaml");
	CHECK_INT(r->status, 200);
	CHECK(strncmp(http_header(r, "Content-Type"), "application/yaml",
	    16) == 0);
	CHECK(strncmp(r->body, "openapi: 3.1", 12) == 0);
	CHECK_CONTAINS(r->body, "/v1/jails/{name}:");
	/* It is the committed contract itself. */
	snprintf(path, sizeof(path), "%s/openapi/openapi.yaml",
	    src ? src : ".");
	spec = slurp(path, &len);
	CHECK(spec != NULL);
	CHECK_INT(r->len, len);
	CHECK(memcmp(r->body, spec, len) == 0);
	free(spec);
	http_free(r);

	/* The same routes answer on the unix socket. */
	snprintf(path, sizeof(path), "unix:%s", inst.sock);
	r = http_get(path, "/healthz");
	CHECK_INT(r->status, 200);
	CHECK_STR(json_string_value(jptr(r->json, "/status")), "ok");
	CHECK(http_header(r, "X-Request-Id") != NULL);
	http_free(r);
}

static int
is_hex16(const char *s)
{
	int i;

	if (s == NULL || strlen(s) != 16)
		return 0;
	for (i = 0; i < 16; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* The answer's X-Request-Id is given (or, with given NULL, generated),
 * and a problem body carries the same id. */
static void
check_rid(struct http_resp *r, const char *given)
{
	const char *h = http_header(r, "X-Request-Id");
	char id[128];

	CHECK(h != NULL);
	snprintf(id, sizeof(id), "%s", h);
	if (given != NULL)
		CHECK_STR(id, given);
	else {
		if (!is_hex16(id))
			printf("# generated id \"%s\"\n", id);
		CHECK(is_hex16(id));
	}
	if (r->status >= 400 && r->len > 0)
		CHECK_STR(json_string_value(jptr(r->json, "/request_id")), id);
}

static void
test_request_id(void)
{
	static const char *const valid[] = { "abc", "A-1_b.c",
	    "0123456789012345678901234567890123456789012345678901234567890123",
	    NULL };
	static const char *const invalid[] = { "bad id", "bad/id", "a\"b",
	    "01234567890123456789012345678901234567890123456789012345678901234",
	    "caf\xc3\xa9", NULL };
	struct http_resp *r;
	char hdr[160], first[32];
	int i;

	for (i = 0; valid[i] != NULL; i++) {
		snprintf(hdr, sizeof(hdr), "X-Request-Id: %s", valid[i]);
		r = req(inst.url, "GET", "/healthz", NULL, hdr);
		check_rid(r, valid[i]);
		http_free(r);
	}
	for (i = 0; invalid[i] != NULL; i++) {
		snprintf(hdr, sizeof(hdr), "X-Request-Id: %s", invalid[i]);
		r = req(inst.url, "GET", "/healthz", NULL, hdr);
		check_rid(r, NULL);
		http_free(r);
	}
	/* Absent: generated, and different each time. */
	r = req(inst.url, "GET", "/healthz", NULL, NULL);
	check_rid(r, NULL);
	snprintf(first, sizeof(first), "%s", http_header(r, "X-Request-Id"));
	http_free(r);
	r = req(inst.url, "GET", "/readyz", NULL, NULL);
	check_rid(r, NULL);
	CHECK(strcmp(first, http_header(r, "X-Request-Id")) != 0);
	http_free(r);
	/* An empty header counts as absent. */
	r = req(inst.url, "GET", "/healthz", NULL, "X-Request-Id;");
	check_rid(r, NULL);
	http_free(r);

	/* On every kind of answer, errors included. */
	r = req(inst.url, "POST", "/v1/jails", "{\"name\":\"rid\","
	    "\"path\":\"/j/rid\"}", "X-Request-Id: rid-201");
	CHECK_INT(r->status, 201);
	check_rid(r, "rid-201");
	http_free(r);
	r = req(inst.url, "GET", "/v1/jails/rid", NULL,
	    "X-Request-Id: rid-200");
	CHECK_INT(r->status, 200);
	check_rid(r, "rid-200");
	http_free(r);
	r = req(inst.url, "GET", "/v1/jails/nosuch", NULL,
	    "X-Request-Id: rid-404");
	CHECK_INT(r->status, 404);
	check_rid(r, "rid-404");
	http_free(r);
	r = req(inst.url, "GET", "/v1/jails/nosuch", NULL, NULL);
	CHECK_INT(r->status, 404);
	check_rid(r, NULL);
	http_free(r);
	r = req(inst.url, "POST", "/v1/jails", "{\"name\":\"rid\","
	    "\"path\":\"/j/rid\"}", "X-Request-Id: rid-409");
	CHECK_INT(r->status, 409);
	check_rid(r, "rid-409");
	http_free(r);
	r = req(inst.url, "POST", "/v1/jails", "{\"name\":\"x\"}",
	    "X-Request-Id: rid-422");
	CHECK_INT(r->status, 422);
	check_rid(r, "rid-422");
	http_free(r);
	r = req(inst.url, "GET", "/v1/jails?limit=0", NULL,
	    "X-Request-Id: rid-400");
	CHECK_INT(r->status, 400);
	check_rid(r, "rid-400");
	http_free(r);
	r = req(inst.url, "PUT", "/v1/jails/rid", "{\"path\":\"/j/rid\"}",
	    "If-Match: \"1\"");
	CHECK_INT(r->status, 412);
	check_rid(r, NULL);
	http_free(r);
	r = req(inst.url, "DELETE", "/v1/jails/rid", NULL,
	    "X-Request-Id: rid-204");
	CHECK_INT(r->status, 204);
	check_rid(r, "rid-204");
	http_free(r);
	/* Without credentials: a 401, with the id all the same. */
	{
		const char *h[3] = { "Authorization:",
		    "X-Request-Id: rid-401", NULL };
		struct http_resp a;
		CHECK(http_do(inst.url, "GET", "/v1/jails", NULL, NULL, h,
		    &a) == 0);
		CHECK_INT(a.status, 401);
		check_rid(&a, "rid-401");
		http_resp_free(&a);
	}
	/* The answers prism would otherwise give itself. */
	r = req(inst.direct, "DELETE", "/v1/jails", NULL,
	    "X-Request-Id: rid-405");
	CHECK_INT(r->status, 405);
	check_rid(r, "rid-405");
	http_free(r);
	r = req(inst.direct, "GET", "/nowhere", NULL, "X-Request-Id: rid-404b");
	CHECK_INT(r->status, 404);
	check_rid(r, "rid-404b");
	http_free(r);
	r = req(inst.direct, "POST", "/v1/jails", "{",
	    "X-Request-Id: rid-400b");
	CHECK_INT(r->status, 400);
	check_rid(r, "rid-400b");
	http_free(r);
	r = req(inst.direct, "POST", "/v1/jails", "{", NULL);
	CHECK_INT(r->status, 400);
	check_rid(r, NULL);
	http_free(r);
}

struct waiter {
	struct http_resp	r;
	int			rc;
	double			secs;
};

static void *
wait_req(void *arg)
{
	struct waiter *w = arg;
	double t0 = harness_now_s();

	/* Never settles: it waits for a jail that is not defined. */
	w->rc = http_do(inst.url, "PUT", "/v1/jails/waits?wait=60",
	    "application/json", "{\"path\":\"/j/waits\",\"state\":\"running\","
	    "\"depends\":[\"ghost\"]}", NULL, &w->r);
	w->secs = harness_now_s() - t0;
	return NULL;
}

static void
test_sigterm(void)
{
	struct http_resp *r;
	struct waiter w;
	struct stat sb;
	pthread_t th;
	int st;

	r = req(inst.url, "PUT", "/v1/jails/kept", "{\"path\":\"/j/kept\","
	    "\"labels\":{\"a\":\"b\"}}", NULL);
	CHECK_INT(r->status, 201);
	http_free(r);

	memset(&w, 0, sizeof(w));
	CHECK(pthread_create(&th, NULL, wait_req, &w) == 0);
	/* Let the request reach its wait. */
	CHECK(http_wait_field(inst.url, "/v1/jails/waits", "/status/phase",
	    "pending", 10000) == 0);
	usleep(300000);
	st = harness_kill(&inst, SIGTERM);
	pthread_join(th, NULL);
	if (!WIFEXITED(st))
		printf("# jaild did not exit normally (status %#x)\n", st);
	CHECK(WIFEXITED(st));
	CHECK_INT(WEXITSTATUS(st), 0);
	/* The waiting request was answered with what there was, at once. */
	CHECK_INT(w.rc, 0);
	CHECK_INT(w.r.status, 202);
	CHECK(w.secs < 20.0);
	CHECK_STR(json_string_value(jptr(w.r.json, "/status/phase")),
	    "pending");
	http_resp_free(&w.r);
	/* The unix socket is gone. */
	CHECK(stat(inst.sock, &sb) == -1);

	/* What was answered 2xx is there after a restart. */
	CHECK(harness_restart(&inst) == 0);
	r = http_get(inst.url, "/v1/jails/kept");
	CHECK_INT(r->status, 200);
	CHECK_STR(json_string_value(jptr(r->json, "/labels/a")), "b");
	http_free(r);
	r = http_get(inst.url, "/v1/jails/waits");
	CHECK_INT(r->status, 200);
	http_free(r);
	st = harness_kill(&inst, SIGTERM);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int
main(void)
{
	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	test_health();
	test_request_id();
	test_sigterm();
	harness_stop(&inst);
	return check_done();
}
