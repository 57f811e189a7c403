/*
 * test_http_errors.c - the protocol-level refusals: 400 for malformed JSON
 * (with line and column) and duplicate keys, 413 for a body over the
 * limit, 415 for the wrong media type, 405 with Allow, 404 for unknown
 * paths, 400 naming /query/<param> for bad query parameters.
 *
 * Prism answers malformed bodies, unknown paths and wrong methods itself
 * and collapses duplicate keys, so those requests go straight to jaild
 * (inst.direct); the rest go through the validating proxy (inst.url).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/lib/api.h"
#include "tests/lib/check.h"
#include "tests/lib/harness.h"

static struct jd_instance inst;

static struct http_resp *
req(const char *base, const char *method, const char *path, const char *ct,
    const char *body)
{
	return api_send(base, method, path, ct, body, NULL);
}

static const char *
code_of(struct http_resp *r)
{
	return json_string_value(jptr(r->json, "/code"));
}

static void
check_problem(struct http_resp *r, long status, const char *code)
{
	CHECK_INT(r->status, status);
	CHECK_STR(http_header(r, "Content-Type"), "application/problem+json");
	CHECK_STR(code_of(r), code);
	CHECK_INT(json_integer_value(jptr(r->json, "/status")), status);
	CHECK(json_string_length(jptr(r->json, "/detail")) > 0);
	CHECK_STR(json_string_value(jptr(r->json, "/request_id")),
	    http_header(r, "X-Request-Id"));
}

static void
check_no_jails(void)
{
	struct http_resp *r = http_get(inst.url, "/v1/jails");

	CHECK_INT(r->status, 200);
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 0);
	http_free(r);
}

static void
test_malformed(void)
{
	struct http_resp *r;

	r = req(inst.direct, "POST", "/v1/jails", NULL,
	    "{\n  \"name\": \"x\",\n  \"path\": ,\n}");
	check_problem(r, 400, "malformed");
	CHECK_INT(json_integer_value(jptr(r->json, "/line")), 3);
	CHECK_INT(json_integer_value(jptr(r->json, "/column")), 11);
	CHECK(jptr(r->json, "/errors") == NULL);
	http_free(r);

	r = req(inst.direct, "PUT", "/v1/jails/x", NULL, "{\"path\": \"/j/x\"");
	check_problem(r, 400, "malformed");
	CHECK_INT(json_integer_value(jptr(r->json, "/line")), 1);
	CHECK(json_integer_value(jptr(r->json, "/column")) >= 15);
	http_free(r);

	r = req(inst.direct, "PATCH", "/v1/jails/x",
	    "application/merge-patch+json", "{\"hostname\": nope}");
	/* No jail x: parsing comes first, so still a 400. */
	check_problem(r, 400, "malformed");
	CHECK_INT(json_integer_value(jptr(r->json, "/line")), 1);
	http_free(r);

	/* Duplicate keys, at the top and nested. */
	r = req(inst.direct, "POST", "/v1/jails", NULL,
	    "{\"name\":\"a\",\"name\":\"b\",\"path\":\"/j/a\"}");
	check_problem(r, 400, "malformed");
	CHECK_CONTAINS(json_string_value(jptr(r->json, "/detail")),
	    "duplicate");
	CHECK_INT(json_integer_value(jptr(r->json, "/line")), 1);
	http_free(r);
	r = req(inst.direct, "PUT", "/v1/jails/a", NULL,
	    "{\"path\":\"/j/a\",\"labels\":{\"k\":\"1\",\"k\":\"2\"}}");
	check_problem(r, 400, "malformed");
	http_free(r);

	/* An empty body. */
	r = req(inst.url, "POST", "/v1/jails", NULL, "");
	check_problem(r, 400, "malformed");
	http_free(r);
	check_no_jails();
}

static void
test_too_large_and_media(void)
{
	struct http_resp *r;
	size_t n = (1 << 20) + 100, pre;
	char *big;

	/* Valid JSON, one long string: only the size is wrong. */
	big = malloc(n + 64);
	CHECK(big != NULL);
	pre = (size_t)snprintf(big, 64, "{\"name\":\"big\",\"path\":\"/j/");
	memset(big + pre, 'a', n);
	snprintf(big + pre + n, 64, "\"}");
	r = req(inst.url, "POST", "/v1/jails", NULL, big);
	check_problem(r, 413, "payload_too_large");
	http_free(r);
	r = req(inst.url, "PUT", "/v1/jails/big", NULL, big);
	check_problem(r, 413, "payload_too_large");
	http_free(r);
	free(big);

	/* Just under the limit gets past the size check (to a 422 for the
	 * overlong path). */
	n = (1 << 20) - 200;
	big = malloc(n + 64);
	CHECK(big != NULL);
	pre = (size_t)snprintf(big, 64, "{\"name\":\"big\",\"path\":\"/j/");
	memset(big + pre, 'a', n);
	snprintf(big + pre + n, 64, "\"}");
	r = req(inst.url, "POST", "/v1/jails", NULL, big);
	CHECK_INT(r->status, 422);
	CHECK_STR(json_string_value(jptr(r->json, "/errors/0/field")),
	    "/path");
	http_free(r);
	free(big);

	r = req(inst.url, "POST", "/v1/jails", "text/plain",
	    "{\"name\":\"t\",\"path\":\"/j/t\"}");
	check_problem(r, 415, "unsupported_media_type");
	http_free(r);
	r = req(inst.url, "PUT", "/v1/jails/t", "application/xml",
	    "{\"path\":\"/j/t\"}");
	check_problem(r, 415, "unsupported_media_type");
	http_free(r);
	/* Parameters on the right type are fine. */
	r = req(inst.url, "POST", "/v1/jails",
	    "application/json; charset=utf-8",
	    "{\"name\":\"t\",\"path\":\"/j/t\"}");
	CHECK_INT(r->status, 201);
	http_free(r);
	r = req(inst.url, "DELETE", "/v1/jails/t", NULL, NULL);
	CHECK_INT(r->status, 204);
	http_free(r);
	check_no_jails();
}

static void
test_routing(void)
{
	static const struct {
		const char *method, *path, *allow;
	} cases[] = {
		{ "DELETE", "/v1/jails", "GET, POST" },
		{ "PUT", "/v1/jails", "GET, POST" },
		{ "POST", "/v1/jails/x", "GET, PUT, PATCH, DELETE" },
		{ "GET", "/v1/jails/x/start", "POST" },
		{ "POST", "/healthz", "GET" },
		{ "DELETE", "/openapi.yaml", "GET" },
	};
	static const char *const unknown[] = { "/", "/v2/jails", "/v1/jail",
	    "/v1/jails/x/y", "/v1/jails/x/start/now", "/healthz/x", NULL };
	struct http_resp *r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = req(inst.direct, cases[i].method, cases[i].path, NULL,
		    NULL);
		check_problem(r, 405, "method_not_allowed");
		CHECK_STR(http_header(r, "Allow"), cases[i].allow);
		http_free(r);
	}
	for (i = 0; unknown[i] != NULL; i++) {
		r = req(inst.direct, "GET", unknown[i], NULL, NULL);
		check_problem(r, 404, "not_found");
		CHECK(http_header(r, "Allow") == NULL);
		http_free(r);
	}
}

/* A 400 whose errors name exactly the given fields, in order. */
static void
check_query(const char *path, const char *const *fields)
{
	struct http_resp *r;
	size_t i;

	r = req(inst.url, "GET", path, NULL, NULL);
	check_problem(r, 400, "malformed");
	for (i = 0; fields[i] != NULL; i++) {
		char ptr[64];
		snprintf(ptr, sizeof(ptr), "/errors/%zu/field", i);
		CHECK_STR(json_string_value(jptr(r->json, ptr)), fields[i]);
	}
	CHECK_INT(json_array_size(jptr(r->json, "/errors")), i);
	http_free(r);
}

static void
test_query(void)
{
	static const char *const limit[] = { "/query/limit", NULL };
	static const char *const state[] = { "/query/state", NULL };
	static const char *const phase[] = { "/query/phase", NULL };
	static const char *const label[] = { "/query/label", NULL };
	static const char *const cursor[] = { "/query/cursor", NULL };
	static const char *const unknown[] = { "/query/bogus", NULL };
	static const char *const both[] = { "/query/state", "/query/limit",
	    NULL };
	static const char *const wait[] = { "/query/wait", NULL };

	check_query("/v1/jails?limit=0", limit);
	check_query("/v1/jails?limit=1001", limit);
	check_query("/v1/jails?limit=ten", limit);
	check_query("/v1/jails?state=bogus", state);
	check_query("/v1/jails?phase=asleep", phase);
	check_query("/v1/jails?label=novalue", label);
	check_query("/v1/jails?cursor=zz", cursor);
	check_query("/v1/jails?bogus=1", unknown);
	check_query("/v1/jails?state=bogus&limit=0", both);
	check_query("/v1/jails/x?bogus=1", unknown);
	check_query("/v1/events?bogus=1", unknown);
	{
		struct http_resp *r = req(inst.url, "POST",
		    "/v1/jails?wait=-1", NULL,
		    "{\"name\":\"w\",\"path\":\"/j/w\"}");
		check_problem(r, 400, "malformed");
		CHECK_STR(json_string_value(jptr(r->json,
		    "/errors/0/field")), wait[0]);
		http_free(r);
	}
	check_no_jails();
}

int
main(void)
{
	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	test_malformed();
	test_too_large_and_media();
	test_routing();
	test_query();
	harness_stop(&inst);
	return check_done();
}
