/*
 * test_security_cors.c - the CORS allow-list, for dashboards on another
 * origin.
 *
 * With cors_origins=https://dash.example: a preflight (OPTIONS, no
 * credential) from that origin is a 204 with Allow and the
 * Access-Control-* answers; from any other origin (including near misses)
 * a 403 problem without them; an unknown path a 404; ordinary answers
 * (200 and errors alike) to the allowed origin carry
 * Access-Control-Allow-Origin, Vary and Access-Control-Expose-Headers, and
 * answers to other origins carry none.  A list of two origins allows both.
 * Without cors_origins no answer ever has an Access-Control-* header.
 *
 * Requests go through the validating proxy (run with --cors=false, so the
 * CORS headers seen are jaild's), except those to unknown paths, which
 * prism would answer itself.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "tests/lib/check.h"
#include "tests/lib/harness.h"

#define DASH	"https://dash.example"

static struct http_resp *
ask(const struct jd_instance *in, const char *method, const char *path,
    const char *origin, int with_token)
{
	struct http_resp *r = calloc(1, sizeof(*r));
	char o[200];
	const char *hdrs[5], *base;
	int n = 0;

	if (origin != NULL) {
		snprintf(o, sizeof(o), "Origin: %s", origin);
		hdrs[n++] = o;
	}
	if (!with_token)
		hdrs[n++] = "Authorization:";
	if (strcmp(method, "OPTIONS") == 0) {
		hdrs[n++] = "Access-Control-Request-Method: POST";
		hdrs[n++] = "Access-Control-Request-Headers: authorization, "
		    "content-type";
	}
	hdrs[n] = NULL;
	base = strncmp(path, "/v1/nothing", 11) == 0 ? in->direct : in->url;
	if (r == NULL || http_do(base, method, path, NULL, NULL, hdrs,
	    r) == -1)
		check_fail(__FILE__, __LINE__, method, path);
	return r;
}

/* How many Access-Control-* header lines an answer has. */
static int
ac_headers(const struct http_resp *r)
{
	const char *p = r->headers;
	int n = 0;

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, "Access-Control-", 15) == 0)
			n++;
		p = strstr(p, "\r\n");
		if (p != NULL)
			p += 2;
	}
	return n;
}

static void
check_list_has(const char *list, const char *want)
{
	char d[300];

	CHECK(list != NULL);
	snprintf(d, sizeof(d), "%s", list);
	CHECK_CONTAINS(d, want);
}

static void
test_allowed(const struct jd_instance *in, const char *origin)
{
	struct http_resp *r;

	/* The preflight. */
	r = ask(in, "OPTIONS", "/v1/jails", origin, 0);
	CHECK_INT(r->status, 204);
	CHECK_INT(r->len, 0);
	CHECK_STR(http_header(r, "Access-Control-Allow-Origin"), origin);
	CHECK_STR(http_header(r, "Vary"), "Origin");
	CHECK_STR(http_header(r, "Allow"), "GET, POST");
	check_list_has(http_header(r, "Access-Control-Allow-Methods"), "GET");
	check_list_has(http_header(r, "Access-Control-Allow-Methods"), "POST");
	check_list_has(http_header(r, "Access-Control-Allow-Headers"),
	    "Authorization");
	check_list_has(http_header(r, "Access-Control-Allow-Headers"),
	    "Content-Type");
	check_list_has(http_header(r, "Access-Control-Allow-Headers"),
	    "If-Match");
	check_list_has(http_header(r, "Access-Control-Allow-Headers"),
	    "Idempotency-Key");
	CHECK_STR(http_header(r, "Access-Control-Max-Age"), "600");
	/* Never a wildcard, never credentials for every origin. */
	CHECK(strcmp(http_header(r, "Access-Control-Allow-Origin"), "*") != 0);
	http_free(r);

	/* A jail's methods. */
	r = ask(in, "OPTIONS", "/v1/jails/anything", origin, 0);
	CHECK_INT(r->status, 204);
	check_list_has(http_header(r, "Access-Control-Allow-Methods"),
	    "PATCH");
	check_list_has(http_header(r, "Access-Control-Allow-Methods"),
	    "DELETE");
	http_free(r);

	/* Ordinary answers carry the origin, errors included. */
	r = ask(in, "GET", "/v1/jails", origin, 1);
	CHECK_INT(r->status, 200);
	CHECK_STR(http_header(r, "Access-Control-Allow-Origin"), origin);
	CHECK_STR(http_header(r, "Vary"), "Origin");
	check_list_has(http_header(r, "Access-Control-Expose-Headers"),
	    "ETag");
	check_list_has(http_header(r, "Access-Control-Expose-Headers"),
	    "Location");
	check_list_has(http_header(r, "Access-Control-Expose-Headers"),
	    "X-Request-Id");
	check_list_has(http_header(r, "Access-Control-Expose-Headers"),
	    "Retry-After");
	/* The preflight-only headers stay on the preflight. */
	CHECK(http_header(r, "Access-Control-Max-Age") == NULL);
	http_free(r);
	r = ask(in, "GET", "/v1/jails", origin, 0);
	CHECK_INT(r->status, 401);
	CHECK_STR(http_header(r, "Access-Control-Allow-Origin"), origin);
	http_free(r);
	r = ask(in, "GET", "/v1/jails/none-such", origin, 1);
	CHECK_INT(r->status, 404);
	CHECK_STR(http_header(r, "Access-Control-Allow-Origin"), origin);
	http_free(r);
}

static void
test_refused(const struct jd_instance *in)
{
	static const char *const others[] = { "https://evil.example",
	    "http://dash.example", "https://dash.example.evil.example",
	    "https://dash.example:8443", "null", "HTTPS://DASH.EXAMPLE" };
	struct http_resp *r;
	size_t i;

	for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		r = ask(in, "OPTIONS", "/v1/jails", others[i], 0);
		if (r->status != 403)
			printf("# preflight from %s -> %ld\n", others[i],
			    r->status);
		CHECK_INT(r->status, 403);
		CHECK_STR(json_string_value(jptr(r->json, "/code")),
		    "forbidden");
		CHECK_INT(ac_headers(r), 0);
		http_free(r);
		/* A simple request still works, with no CORS grant. */
		r = ask(in, "GET", "/v1/host", others[i], 1);
		CHECK_INT(r->status, 200);
		CHECK_INT(ac_headers(r), 0);
		http_free(r);
	}
	/* Unknown paths are 404 whoever asks. */
	r = ask(in, "OPTIONS", "/v1/nothing", DASH, 0);
	CHECK_INT(r->status, 404);
	http_free(r);
	/* OPTIONS without Origin: the Allow list, no CORS. */
	r = ask(in, "OPTIONS", "/v1/tokens", NULL, 0);
	CHECK_INT(r->status, 204);
	CHECK_STR(http_header(r, "Allow"), "GET, POST");
	CHECK_INT(ac_headers(r), 0);
	http_free(r);
}

static void
test_none_configured(void)
{
	static const char *const paths[] = { "/v1/jails", "/v1/host",
	    "/healthz", "/v1/tokens", "/v1/nothing", "/v1/jails/x" };
	static const char *const methods[] = { "GET", "OPTIONS", "POST",
	    "DELETE" };
	struct jd_instance in;
	struct http_resp *r;
	size_t i, j;

	CHECK(harness_start(&in, NULL, NULL, 1) == 0);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		for (j = 0; j < sizeof(methods) / sizeof(methods[0]); j++) {
			r = ask(&in, methods[j], paths[i], DASH,
			    (int)((i + j) % 2));
			if (ac_headers(r) != 0)
				printf("# %s %s: %s\n", methods[j], paths[i],
				    r->headers);
			CHECK_INT(ac_headers(r), 0);
			if (strcmp(methods[j], "OPTIONS") == 0 &&
			    strcmp(paths[i], "/v1/nothing") != 0)
				CHECK_INT(r->status, 403);
			http_free(r);
		}
	CHECK_INT(harness_kill(&in, SIGTERM), 0);
	harness_stop(&in);
}

int
main(void)
{
	static const char *const one[] = { "-o", "cors_origins=" DASH, NULL };
	static const char *const two[] = { "-o", "cors_origins=https://a."
	    "example, " DASH, NULL };
	struct jd_instance a, b;

	if (harness_start(&a, NULL, one, 1) == -1) {
		printf("not ok - harness_start\n");
		return 1;
	}
	test_allowed(&a, DASH);
	test_refused(&a);
	CHECK_INT(harness_kill(&a, SIGTERM), 0);
	harness_stop(&a);

	CHECK(harness_start(&b, NULL, two, 1) == 0);
	test_allowed(&b, "https://a.example");
	test_allowed(&b, DASH);
	CHECK_INT(harness_kill(&b, SIGTERM), 0);
	harness_stop(&b);

	test_none_configured();
	return check_done();
}
