/*
 * test_jails_validation.c - 422 answers for jail documents: every bad
 * field reported at once with its exact JSON Pointer and nothing written,
 * policies refused until they exist, and the depends rules (unknown jails
 * allowed, no self-dependency, no cycle), all through the validating
 * proxy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/lib/check.h"
#include "tests/lib/harness.h"

static struct jd_instance inst;

static struct http_resp *
req(const char *method, const char *path, const char *body)
{
	return http_json(inst.url, method, path, body);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The problem's errors must name exactly the fields in want (any order),
 * each once, each with a non-empty message.
 */
static void
check_fields(struct http_resp *r, const char *const *want)
{
	const char *got[64], *exp[64];
	size_t n = 0, m = 0, i;
	json_t *e, *errs;

	CHECK_INT(r->status, 422);
	CHECK_STR(json_string_value(jptr(r->json, "/code")), "invalid");
	CHECK_STR(json_string_value(jptr(r->json, "/type")),
	    "urn:jaild:problem:invalid");
	CHECK_INT(json_integer_value(jptr(r->json, "/status")), 422);
	errs = jptr(r->json, "/errors");
	CHECK(json_is_array(errs));
	json_array_foreach(errs, i, e) {
		CHECK(n < 64);
		got[n] = json_string_value(json_object_get(e, "field"));
		CHECK(got[n] != NULL);
		CHECK(json_string_length(json_object_get(e, "message")) > 0);
		n++;
	}
	for (m = 0; want[m] != NULL; m++)
		exp[m] = want[m];
	qsort(got, n, sizeof(got[0]), cmp_str);
	qsort(exp, m, sizeof(exp[0]), cmp_str);
	for (i = 0; i < n || i < m; i++) {
		if (i >= n || i >= m || strcmp(got[i], exp[i]) != 0) {
			printf("# errors: %s\n", json_dumps(errs, 0));
			CHECK_STR(i < n ? got[i] : "(missing)",
			    i < m ? exp[i] : "(extra)");
		}
	}
	CHECK_INT(n, m);
}

static const char many_bad[] =
    "{\"name\":\"-bad name\","
    "\"path\":\"relative/path\","
    "\"hostname\":\"under_score\","
    "\"bogus\":1,"
    "\"state\":\"paused\","
    "\"restart_policy\":\"sometimes\","
    "\"params\":{\"nosuchparam\":1,\"securelevel\":\"high\","
    "\"persist\":true},"
    "\"exec\":{\"start\":[\"\"],\"bogus_hook\":[],\"stop_timeout_s\":99999,"
    "\"consolelog\":\"/var/log/../x\"},"
    "\"ips\":[{\"address\":\"10.0.0.300\"},{\"address\":\"10.0.0.1\","
    "\"vlan\":3}],"
    "\"mounts\":[{\"type\":\"nullfs\",\"source\":\"/a/../b\","
    "\"target\":\"/b\"},{\"type\":\"tmpfs\",\"target\":\"../x\"},"
    "{\"type\":\"devfs\",\"target\":\"/dev\",\"ruleset\":9}],"
    "\"depends\":[\"ok-name\",\"bad name\"],"
    "\"labels\":{\"bad key!\":\"v\",\"good\":\"bad value!\"}}";

static const char *const many_bad_fields[] = {
	"/name", "/path", "/hostname", "/bogus", "/state", "/restart_policy",
	"/params/nosuchparam", "/params/securelevel", "/params/persist",
	"/exec/start/0", "/exec/bogus_hook", "/exec/stop_timeout_s",
	"/exec/consolelog",
	"/ips/0/address", "/ips/1/vlan",
	"/mounts/0/source", "/mounts/1/target", "/mounts/2/ruleset",
	"/depends/1",
	"/labels/bad key!", "/labels/good",
	NULL
};

static void
test_many_at_once(void)
{
	struct http_resp *r;

	/* POST: every field in one answer. */
	r = req("POST", "/v1/jails", many_bad);
	check_fields(r, many_bad_fields);
	http_free(r);

	/* PUT of the same body to a valid name: nothing is created. */
	r = req("PUT", "/v1/jails/multi", many_bad);
	check_fields(r, many_bad_fields);
	http_free(r);
	r = http_get(inst.url, "/v1/jails/multi");
	CHECK_INT(r->status, 404);
	http_free(r);
	r = http_get(inst.url, "/v1/jails");
	CHECK_INT(r->status, 200);
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 0);
	http_free(r);

	/* Required fields. */
	{
		static const char *const f[] = { "/name", "/path", NULL };
		r = req("POST", "/v1/jails", "{}");
		check_fields(r, f);
		http_free(r);
	}
	{
		static const char *const f[] = { "/path", NULL };
		r = req("PUT", "/v1/jails/nopath", "{\"hostname\":\"x\"}");
		check_fields(r, f);
		http_free(r);
	}
	/* Wrong JSON types. */
	{
		static const char *const f[] = { "/path", "/params", "/exec",
		    "/ips", "/mounts", "/depends", "/labels", "/policies",
		    NULL };
		r = req("POST", "/v1/jails", "{\"name\":\"types\",\"path\":1,"
		    "\"params\":[],\"exec\":\"x\",\"ips\":{},\"mounts\":3,"
		    "\"depends\":\"a\",\"labels\":[],\"policies\":{}}");
		check_fields(r, f);
		http_free(r);
	}
	/* Path forms: "/", "//", trailing slash, "." component. */
	{
		static const char *const paths[] = { "/", "/a//b", "/a/b/",
		    "/a/./b", "/a/..", NULL };
		static const char *const f[] = { "/path", NULL };
		char body[128];
		int i;
		for (i = 0; paths[i] != NULL; i++) {
			snprintf(body, sizeof(body),
			    "{\"name\":\"pf\",\"path\":\"%s\"}", paths[i]);
			r = req("POST", "/v1/jails", body);
			check_fields(r, f);
			http_free(r);
		}
	}
	/* A body that is JSON but not an object. */
	r = req("POST", "/v1/jails", "[1,2]");
	CHECK_INT(r->status, 422);
	http_free(r);
	r = http_get(inst.url, "/v1/jails");
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 0);
	http_free(r);
}

static void
test_policies(void)
{
	static const char *const f[] = { "/policies/0", NULL };
	static const char *const f2[] = { "/policies/0", "/policies/1", NULL };
	struct http_resp *r;

	r = req("POST", "/v1/jails", "{\"name\":\"pol\",\"path\":\"/j/pol\","
	    "\"policies\":[\"hardened\"]}");
	check_fields(r, f);
	CHECK_CONTAINS(json_string_value(jptr(r->json, "/errors/0/message")),
	    "hardened");
	http_free(r);
	r = req("PUT", "/v1/jails/pol", "{\"path\":\"/j/pol\","
	    "\"policies\":[\"a\",\"b\"]}");
	check_fields(r, f2);
	http_free(r);
	r = http_get(inst.url, "/v1/jails/pol");
	CHECK_INT(r->status, 404);
	http_free(r);
	/* An empty list is fine. */
	r = req("POST", "/v1/jails", "{\"name\":\"pol\",\"path\":\"/j/pol\","
	    "\"policies\":[]}");
	CHECK_INT(r->status, 201);
	http_free(r);
}

static void
test_depends(void)
{
	static const char *const dep[] = { "/depends", NULL };
	static const char *const dep0[] = { "/depends/0", NULL };
	struct http_resp *r;

	/* A jail not defined yet may be named. */
	r = req("PUT", "/v1/jails/da", "{\"path\":\"/j/da\","
	    "\"depends\":[\"db\"]}");
	CHECK_INT(r->status, 201);
	CHECK_STR(json_string_value(jptr(r->json, "/depends/0")), "db");
	http_free(r);
	r = http_get(inst.url, "/v1/jails/db");
	CHECK_INT(r->status, 404);
	http_free(r);

	/* db -> da -> db is a cycle: 422, and db is not created. */
	r = req("PUT", "/v1/jails/db", "{\"path\":\"/j/db\","
	    "\"depends\":[\"da\"]}");
	check_fields(r, dep);
	CHECK_CONTAINS(json_string_value(jptr(r->json, "/errors/0/message")),
	    "cycle");
	http_free(r);
	r = http_get(inst.url, "/v1/jails/db");
	CHECK_INT(r->status, 404);
	http_free(r);
	r = req("POST", "/v1/jails", "{\"name\":\"db\",\"path\":\"/j/db\","
	    "\"depends\":[\"da\"]}");
	check_fields(r, dep);
	http_free(r);

	/* db without the back edge is fine. */
	r = req("PUT", "/v1/jails/db", "{\"path\":\"/j/db\"}");
	CHECK_INT(r->status, 201);
	http_free(r);

	/* A longer cycle made by an update: dc -> da -> db -> dc. */
	r = req("PUT", "/v1/jails/dc", "{\"path\":\"/j/dc\","
	    "\"depends\":[\"da\"]}");
	CHECK_INT(r->status, 201);
	http_free(r);
	r = req("PATCH", "/v1/jails/db", "{\"depends\":[\"dc\"]}");
	check_fields(r, dep);
	http_free(r);
	r = http_get(inst.url, "/v1/jails/db");
	CHECK_INT(json_array_size(jptr(r->json, "/depends")), 0);
	CHECK_INT(json_integer_value(jptr(r->json, "/generation")), 1);
	http_free(r);

	/* Self-dependency, by POST and by PUT. */
	r = req("POST", "/v1/jails", "{\"name\":\"self\",\"path\":\"/j/self\","
	    "\"depends\":[\"self\"]}");
	check_fields(r, dep0);
	http_free(r);
	r = req("PUT", "/v1/jails/self", "{\"path\":\"/j/self\","
	    "\"depends\":[\"self\"]}");
	check_fields(r, dep0);
	http_free(r);
	r = http_get(inst.url, "/v1/jails/self");
	CHECK_INT(r->status, 404);
	http_free(r);
}

int
main(void)
{
	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	test_many_at_once();
	test_policies();
	test_depends();
	harness_stop(&inst);
	return check_done();
}
