/*
 * test_jails_conditional.c - resource_version as the strong ETag:
 * If-None-Match on GET (304 without a body), If-Match on PUT, PATCH and
 * DELETE (412 and nothing changed on a mismatch, success on a match),
 * If-Match: * meaning "must exist".
 *
 * Every write uses ?wait so the reconciler's own status update has landed
 * before the ETag is read; otherwise the ETag could move under the test.
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
req(const char *method, const char *path, const char *body,
    const char *h1, const char *h2)
{
	const char *hdrs[3] = { h1, h1 ? h2 : NULL, NULL };

	return api_send(inst.url, method, path, api_body_type(method, body),
	    body, hdrs);
}

/* The settled ETag of a jail, e.g. "\"12\"" (static storage). */
static const char *
etag_of(const char *name)
{
	static char tag[64];
	struct http_resp *r;
	char path[96], want[64];

	snprintf(path, sizeof(path), "/v1/jails/%s", name);
	CHECK(http_wait_field(inst.url, path, "/status/phase", "stopped",
	    20000) == 0);
	r = http_get(inst.url, path);
	CHECK_INT(r->status, 200);
	snprintf(want, sizeof(want), "\"%lld\"", (long long)json_integer_value(
	    jptr(r->json, "/resource_version")));
	CHECK_STR(http_header(r, "ETag"), want);
	snprintf(tag, sizeof(tag), "%s", want);
	http_free(r);
	return tag;
}

static void
check_412(struct http_resp *r)
{
	CHECK_INT(r->status, 412);
	CHECK_STR(json_string_value(jptr(r->json, "/code")),
	    "precondition_failed");
}

static void
check_hostname(const char *name, const char *want, const char *etag)
{
	struct http_resp *r;
	char path[96];

	snprintf(path, sizeof(path), "/v1/jails/%s", name);
	r = http_get(inst.url, path);
	CHECK_INT(r->status, 200);
	CHECK_STR(json_string_value(jptr(r->json, "/hostname")), want);
	if (etag != NULL)
		CHECK_STR(http_header(r, "ETag"), etag);
	http_free(r);
}

static void
test_if_none_match(void)
{
	struct http_resp *r;
	char tag[64], hdr[96];

	r = req("PUT", "/v1/jails/c1?wait=30", "{\"path\":\"/j/c1\","
	    "\"hostname\":\"one\"}", NULL, NULL);
	CHECK_INT(r->status, 201);
	http_free(r);
	snprintf(tag, sizeof(tag), "%s", etag_of("c1"));

	snprintf(hdr, sizeof(hdr), "If-None-Match: %s", tag);
	r = req("GET", "/v1/jails/c1", NULL, hdr, NULL);
	CHECK_INT(r->status, 304);
	CHECK_INT(r->len, 0);
	CHECK_STR(http_header(r, "ETag"), tag);
	CHECK(http_header(r, "X-Request-Id") != NULL);
	http_free(r);

	/* In a list, and in its weak form. */
	snprintf(hdr, sizeof(hdr), "If-None-Match: \"99999\", W/%s", tag);
	r = req("GET", "/v1/jails/c1", NULL, hdr, NULL);
	CHECK_INT(r->status, 304);
	CHECK_INT(r->len, 0);
	http_free(r);

	/* Another tag: the full document. */
	r = req("GET", "/v1/jails/c1", NULL, "If-None-Match: \"99999\"",
	    NULL);
	CHECK_INT(r->status, 200);
	CHECK_STR(json_string_value(jptr(r->json, "/name")), "c1");
	CHECK_STR(http_header(r, "ETag"), tag);
	http_free(r);

	/* After a change the old tag no longer matches. */
	r = req("PATCH", "/v1/jails/c1?wait=30", "{\"hostname\":\"two\"}",
	    NULL, NULL);
	CHECK_INT(r->status, 200);
	http_free(r);
	snprintf(hdr, sizeof(hdr), "If-None-Match: %s", tag);
	r = req("GET", "/v1/jails/c1", NULL, hdr, NULL);
	CHECK_INT(r->status, 200);
	CHECK_STR(json_string_value(jptr(r->json, "/hostname")), "two");
	CHECK(strcmp(http_header(r, "ETag"), tag) != 0);
	http_free(r);
}

static void
test_if_match_writes(void)
{
	struct http_resp *r;
	char tag[64], hdr[96];

	r = req("PUT", "/v1/jails/c2?wait=30", "{\"path\":\"/j/c2\","
	    "\"hostname\":\"a\"}", NULL, NULL);
	CHECK_INT(r->status, 201);
	http_free(r);
	snprintf(tag, sizeof(tag), "%s", etag_of("c2"));

	/* Wrong tags: 412 and nothing changed. */
	r = req("PUT", "/v1/jails/c2",
	    "{\"path\":\"/j/c2\",\"hostname\":\"b\"}",
	    "If-Match: \"1\"", NULL);
	check_412(r);
	http_free(r);
	r = req("PATCH", "/v1/jails/c2", "{\"hostname\":\"b\"}",
	    "If-Match: \"424242\"", NULL);
	check_412(r);
	http_free(r);
	/* If-Match is a strong comparison: a weak tag never matches. */
	snprintf(hdr, sizeof(hdr), "If-Match: W/%s", tag);
	r = req("PATCH", "/v1/jails/c2", "{\"hostname\":\"b\"}", hdr, NULL);
	check_412(r);
	http_free(r);
	r = req("DELETE", "/v1/jails/c2", NULL, "If-Match: \"1\"", NULL);
	check_412(r);
	http_free(r);
	check_hostname("c2", "a", tag);

	/* The right tag: the write goes through. */
	snprintf(hdr, sizeof(hdr), "If-Match: %s", tag);
	r = req("PUT", "/v1/jails/c2?wait=30", "{\"path\":\"/j/c2\","
	    "\"hostname\":\"b\"}", hdr, NULL);
	CHECK_INT(r->status, 200);
	CHECK_STR(json_string_value(jptr(r->json, "/hostname")), "b");
	CHECK_INT(json_integer_value(jptr(r->json, "/generation")), 2);
	http_free(r);

	/* The old tag is stale now. */
	r = req("PATCH", "/v1/jails/c2", "{\"hostname\":\"c\"}", hdr, NULL);
	check_412(r);
	http_free(r);
	check_hostname("c2", "b", NULL);

	snprintf(tag, sizeof(tag), "%s", etag_of("c2"));
	snprintf(hdr, sizeof(hdr), "If-Match: \"1\", %s", tag);
	r = req("PATCH", "/v1/jails/c2?wait=30", "{\"hostname\":\"c\"}", hdr,
	    NULL);
	CHECK_INT(r->status, 200);
	CHECK_STR(json_string_value(jptr(r->json, "/hostname")), "c");
	http_free(r);

	/* DELETE with the right tag. */
	snprintf(tag, sizeof(tag), "%s", etag_of("c2"));
	snprintf(hdr, sizeof(hdr), "If-Match: %s", tag);
	r = req("DELETE", "/v1/jails/c2", NULL, hdr, NULL);
	CHECK_INT(r->status, 204);
	http_free(r);
	r = http_get(inst.url, "/v1/jails/c2");
	CHECK_INT(r->status, 404);
	http_free(r);
}

static void
test_if_match_star(void)
{
	struct http_resp *r;

	/* "*" on a missing jail: 412, and PUT does not create it. */
	r = req("PUT", "/v1/jails/c3", "{\"path\":\"/j/c3\"}", "If-Match: *",
	    NULL);
	check_412(r);
	http_free(r);
	r = http_get(inst.url, "/v1/jails/c3");
	CHECK_INT(r->status, 404);
	http_free(r);
	/* Any tag on a missing jail fails too. */
	r = req("PUT", "/v1/jails/c3", "{\"path\":\"/j/c3\"}",
	    "If-Match: \"1\"", NULL);
	check_412(r);
	http_free(r);
	r = req("DELETE", "/v1/jails/c3", NULL, "If-Match: *", NULL);
	check_412(r);
	http_free(r);

	/* Without the header PUT creates; then "*" matches. */
	r = req("PUT", "/v1/jails/c3?wait=30", "{\"path\":\"/j/c3\"}", NULL,
	    NULL);
	CHECK_INT(r->status, 201);
	http_free(r);
	r = req("PUT", "/v1/jails/c3?wait=30", "{\"path\":\"/j/c3\","
	    "\"hostname\":\"star\"}", "If-Match: *", NULL);
	CHECK_INT(r->status, 200);
	CHECK_STR(json_string_value(jptr(r->json, "/hostname")), "star");
	http_free(r);
	r = req("DELETE", "/v1/jails/c3", NULL, "If-Match: *", NULL);
	CHECK_INT(r->status, 204);
	http_free(r);
}

int
main(void)
{
	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	test_if_none_match();
	test_if_match_writes();
	test_if_match_star();
	harness_stop(&inst);
	return check_done();
}
