/*
 * test_jails_crud.c - the jails resource's basic life cycle over HTTP,
 * through the validating proxy: POST (201, Location, ETag, the document
 * with its defaults), GET (200, the same ETag), PUT (201 create, 200
 * replace, an unchanged body keeps generation and resource_version, a GET
 * body can be PUT back), PATCH (merge-patch, 415 for plain JSON), DELETE
 * (204 then 404), 409 for a taken name, 422 for a PUT renaming the jail.
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
req(const char *method, const char *path, const char *ct, const char *body,
    const char *const *hdrs)
{
	return api_send(inst.url, method, path, ct, body, hdrs);
}

static long long
jint(json_t *root, const char *ptr)
{
	json_t *v = jptr(root, ptr);

	CHECK(json_is_integer(v));
	return (long long)json_integer_value(v);
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

/* The ETag header must be the quoted resource_version of the body. */
static void
check_etag(struct http_resp *r)
{
	char want[40];

	snprintf(want, sizeof(want), "\"%lld\"", jint(r->json,
	    "/resource_version"));
	CHECK_STR(http_header(r, "ETag"), want);
}

static int
is_rfc3339_utc(const char *s)
{
	int i;

	if (s == NULL || strlen(s) != 20)
		return 0;
	for (i = 0; i < 20; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return 0;
		} else if (i == 10) {
			if (s[i] != 'T')
				return 0;
		} else if (i == 13 || i == 16) {
			if (s[i] != ':')
				return 0;
		} else if (i == 19) {
			if (s[i] != 'Z')
				return 0;
		} else if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return 1;
}

static void
test_post_defaults(void)
{
	static const char *const hooks[] = { "prepare", "prestart", "created",
	    "start", "poststart", "prestop", "stop", "poststop", "release",
	    NULL };
	struct http_resp *r, *g;
	char ptr[64];
	json_t *d;
	int i;

	r = req("POST", "/v1/jails", NULL,
	    "{\"name\":\"web1\",\"path\":\"/usr/local/jails/web1\"}", NULL);
	CHECK_INT(r->status, 201);
	CHECK_STR(http_header(r, "Location"), "/v1/jails/web1");
	CHECK_STR(http_header(r, "Content-Type"), "application/json");
	d = r->json;
	CHECK(json_is_object(d));
	check_etag(r);
	CHECK_STR(jstr(d, "/name"), "web1");
	CHECK_STR(jstr(d, "/path"), "/usr/local/jails/web1");
	CHECK_STR(jstr(d, "/hostname"), "");
	CHECK_STR(jstr(d, "/state"), "stopped");
	CHECK_STR(jstr(d, "/restart_policy"), "manual");
	CHECK(json_is_array(jptr(d, "/policies")) &&
	    json_array_size(jptr(d, "/policies")) == 0);
	CHECK(json_is_object(jptr(d, "/params")) &&
	    json_object_size(jptr(d, "/params")) == 0);
	for (i = 0; hooks[i] != NULL; i++) {
		snprintf(ptr, sizeof(ptr), "/exec/%s", hooks[i]);
		CHECK(json_is_array(jptr(d, ptr)) &&
		    json_array_size(jptr(d, ptr)) == 0);
	}
	CHECK(json_is_false(jptr(d, "/exec/clean")));
	CHECK(json_is_null(jptr(d, "/exec/jail_user")));
	CHECK(json_is_null(jptr(d, "/exec/system_user")));
	CHECK(json_is_null(jptr(d, "/exec/timeout_s")));
	CHECK_INT(jint(d, "/exec/stop_timeout_s"), 10);
	CHECK(json_is_null(jptr(d, "/exec/consolelog")));
	CHECK_INT(json_object_size(jptr(d, "/exec")), 15);
	CHECK(json_is_array(jptr(d, "/ips")) &&
	    json_array_size(jptr(d, "/ips")) == 0);
	CHECK(json_is_array(jptr(d, "/mounts")) &&
	    json_array_size(jptr(d, "/mounts")) == 0);
	CHECK(json_is_array(jptr(d, "/depends")) &&
	    json_array_size(jptr(d, "/depends")) == 0);
	CHECK(json_is_object(jptr(d, "/labels")) &&
	    json_object_size(jptr(d, "/labels")) == 0);
	CHECK_INT(jint(d, "/generation"), 1);
	CHECK(jint(d, "/resource_version") >= 1);
	CHECK(is_rfc3339_utc(jstr(d, "/created_at")));
	CHECK_STR(jstr(d, "/created_at"), jstr(d, "/updated_at"));
	/* Fresh from the writer: the reconciler has not seen it yet. */
	CHECK_STR(jstr(d, "/status/phase"), "pending");
	CHECK(json_is_null(jptr(d, "/status/jid")));
	CHECK_INT(jint(d, "/status/observed_generation"), 0);
	CHECK(json_is_array(jptr(d, "/status/drift")));

	/* A GET answers the same document (modulo the reconciler's status
	 * updates, which bump resource_version: wait for them first). */
	CHECK(http_wait_field(inst.url, "/v1/jails/web1",
	    "/status/observed_generation", "1", 20000) == 0);
	g = http_get(inst.url, "/v1/jails/web1");
	CHECK_INT(g->status, 200);
	check_etag(g);
	CHECK(json_equal(jptr(g->json, "/exec"), jptr(d, "/exec")));
	CHECK_STR(jstr(g->json, "/created_at"), jstr(d, "/created_at"));
	CHECK_INT(jint(g->json, "/generation"), 1);
	http_free(g);
	http_free(r);

	/* Normalised inputs: bare addresses get a prefix, family and mount
	 * ids are assigned by jaild. */
	r = req("POST", "/v1/jails", NULL,
	    "{\"name\":\"web2\",\"path\":\"/j/web2\","
	    "\"hostname\":\"web2.example.org\",\"restart_policy\":\"auto\","
	    "\"params\":{\"securelevel\":3,\"allow.raw_sockets\":false},"
	    "\"exec\":{\"start\":[\"/bin/sh /etc/rc\"],\"stop_timeout_s\":30},"
	    "\"ips\":[{\"interface\":\"em0\",\"address\":\"10.0.0.5\"},"
	    "{\"address\":\"fd00::5/64\"}],"
	    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\"},"
	    "{\"type\":\"tmpfs\",\"target\":\"/tmp\",\"size\":\"512m\","
	    "\"mode\":\"1777\"}],\"depends\":[\"web1\"],"
	    "\"labels\":{\"env\":\"prod\"}}", NULL);
	CHECK_INT(r->status, 201);
	d = r->json;
	CHECK_STR(jstr(d, "/hostname"), "web2.example.org");
	CHECK_STR(jstr(d, "/restart_policy"), "auto");
	CHECK_INT(jint(d, "/params/securelevel"), 3);
	CHECK(json_is_false(jptr(d, "/params/allow.raw_sockets")));
	CHECK_STR(jstr(d, "/exec/start/0"), "/bin/sh /etc/rc");
	CHECK_INT(jint(d, "/exec/stop_timeout_s"), 30);
	CHECK_STR(jstr(d, "/ips/0/address"), "10.0.0.5/32");
	CHECK_STR(jstr(d, "/ips/0/family"), "inet");
	CHECK_STR(jstr(d, "/ips/0/interface"), "em0");
	CHECK_STR(jstr(d, "/ips/1/address"), "fd00::5/64");
	CHECK_STR(jstr(d, "/ips/1/family"), "inet6");
	CHECK(json_is_null(jptr(d, "/ips/1/interface")));
	CHECK_INT(jint(d, "/mounts/0/id"), 1);
	CHECK_INT(jint(d, "/mounts/0/ruleset"), 4);
	CHECK_INT(jint(d, "/mounts/1/id"), 2);
	CHECK_STR(jstr(d, "/depends/0"), "web1");
	CHECK_STR(jstr(d, "/labels/env"), "prod");
	http_free(r);
}

static void
test_get_etag_stable(void)
{
	struct http_resp *p, *g1, *g2;

	/* ?wait answers once the reconciler settled the jail, so its ETag
	 * is the one a GET sees. */
	p = req("POST", "/v1/jails?wait=30", NULL,
	    "{\"name\":\"g1\",\"path\":\"/j/g1\"}", NULL);
	CHECK_INT(p->status, 201);
	CHECK(http_header(p, "ETag") != NULL);
	g1 = http_get(inst.url, "/v1/jails/g1");
	CHECK_INT(g1->status, 200);
	CHECK_STR(http_header(g1, "ETag"), http_header(p, "ETag"));
	check_etag(g1);
	CHECK(json_equal(g1->json, p->json));
	g2 = http_get(inst.url, "/v1/jails/g1");
	CHECK_STR(http_header(g2, "ETag"), http_header(p, "ETag"));
	CHECK_INT(g2->len, g1->len);
	CHECK(memcmp(g2->body, g1->body, g1->len) == 0);
	http_free(p);
	http_free(g1);
	http_free(g2);

	g1 = http_get(inst.url, "/v1/jails/nosuch");
	CHECK_INT(g1->status, 404);
	CHECK_STR(jstr(g1->json, "/code"), "not_found");
	http_free(g1);
}

static void
test_put(void)
{
	const char *body = "{\"path\":\"/j/p1\",\"hostname\":\"a.example\","
	    "\"ips\":[{\"address\":\"10.1.0.1\"}],"
	    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\"},"
	    "{\"type\":\"nullfs\",\"source\":\"/j/base\","
	    "\"target\":\"/base\",\"options\":[\"ro\"]}],"
	    "\"labels\":{\"a\":\"1\"}}";
	struct http_resp *r, *g, *u;
	long long gen, rv;
	json_t *back;
	char *text;

	r = req("PUT", "/v1/jails/p1?wait=30", NULL, body, NULL);
	CHECK_INT(r->status, 201);
	CHECK_STR(http_header(r, "Location"), "/v1/jails/p1");
	check_etag(r);
	CHECK_STR(jstr(r->json, "/name"), "p1");
	CHECK_INT(jint(r->json, "/generation"), 1);
	gen = jint(r->json, "/generation");
	rv = jint(r->json, "/resource_version");
	http_free(r);

	/* A GET body, read-only fields and all, PUT back: unchanged too. */
	g = http_get(inst.url, "/v1/jails/p1");
	CHECK_INT(g->status, 200);
	CHECK_INT(jint(g->json, "/resource_version"), rv);
	CHECK_STR(jstr(g->json, "/ips/0/family"), "inet");
	CHECK_INT(jint(g->json, "/mounts/1/id"), 2);
	r = req("PUT", "/v1/jails/p1", NULL, g->body, NULL);
	CHECK_INT(r->status, 200);
	CHECK_INT(jint(r->json, "/generation"), gen);
	CHECK_INT(jint(r->json, "/resource_version"), rv);
	CHECK(json_equal(r->json, g->json));
	http_free(r);

	/* Read-only fields with other values are ignored, not applied. */
	back = json_deep_copy(g->json);
	json_object_set_new(back, "generation", json_integer(999));
	json_object_set_new(back, "resource_version", json_integer(12345));
	json_object_set_new(back, "created_at",
	    json_string("2000-01-01T00:00:00Z"));
	json_object_set_new(jptr(back, "/status"), "phase",
	    json_string("failed"));
	text = json_dumps(back, JSON_COMPACT);
	r = req("PUT", "/v1/jails/p1", NULL, text, NULL);
	CHECK_INT(r->status, 200);
	CHECK_INT(jint(r->json, "/generation"), gen);
	CHECK_INT(jint(r->json, "/resource_version"), rv);
	CHECK_STR(jstr(r->json, "/created_at"), jstr(g->json, "/created_at"));
	CHECK(strcmp(jstr(r->json, "/status/phase"), "failed") != 0);
	free(text);
	json_decref(back);
	http_free(r);

	/* A real change: 200, a new generation and resource_version, the
	 * unchanged mounts keep their ids. */
	r = req("PUT", "/v1/jails/p1", NULL,
	    "{\"name\":\"p1\",\"path\":\"/j/p1\",\"hostname\":\"b.example\","
	    "\"ips\":[{\"address\":\"10.1.0.1\"}],"
	    "\"mounts\":[{\"id\":1,\"type\":\"devfs\",\"target\":\"/dev\"},"
	    "{\"id\":2,\"type\":\"nullfs\",\"source\":\"/j/base\","
	    "\"target\":\"/base\",\"options\":[\"ro\"]}],"
	    "\"labels\":{\"a\":\"1\"}}", NULL);
	CHECK_INT(r->status, 200);
	CHECK(http_header(r, "Location") == NULL);
	CHECK_INT(jint(r->json, "/generation"), gen + 1);
	CHECK(jint(r->json, "/resource_version") > rv);
	check_etag(r);
	CHECK_STR(jstr(r->json, "/hostname"), "b.example");
	CHECK_STR(jstr(r->json, "/created_at"), jstr(g->json, "/created_at"));
	CHECK_INT(jint(r->json, "/mounts/0/id"), 1);
	CHECK_INT(jint(r->json, "/mounts/1/id"), 2);
	u = http_get(inst.url, "/v1/jails/p1");
	CHECK_STR(jstr(u->json, "/hostname"), "b.example");
	CHECK(jint(u->json, "/generation") == gen + 1);
	http_free(u);
	http_free(r);
	http_free(g);

	/* The name in the body must be the URL's. */
	r = req("PUT", "/v1/jails/p1", NULL,
	    "{\"name\":\"p2\",\"path\":\"/j/p1\"}", NULL);
	CHECK_INT(r->status, 422);
	CHECK_STR(jstr(r->json, "/code"), "invalid");
	CHECK_INT(json_array_size(jptr(r->json, "/errors")), 1);
	CHECK_STR(jstr(r->json, "/errors/0/field"), "/name");
	http_free(r);
	g = http_get(inst.url, "/v1/jails/p2");
	CHECK_INT(g->status, 404);
	http_free(g);
	g = http_get(inst.url, "/v1/jails/p1");
	CHECK_STR(jstr(g->json, "/name"), "p1");
	CHECK_STR(jstr(g->json, "/hostname"), "b.example");
	http_free(g);
}

/* The same body PUT twice: nothing changed, nothing moves. */
static void
test_put_same_body(const char *name, const char *body)
{
	struct http_resp *r;
	long long gen, rv;
	char path[96];

	snprintf(path, sizeof(path), "/v1/jails/%s?wait=30", name);
	r = req("PUT", path, NULL, body, NULL);
	CHECK_INT(r->status, 201);
	gen = jint(r->json, "/generation");
	rv = jint(r->json, "/resource_version");
	http_free(r);
	snprintf(path, sizeof(path), "/v1/jails/%s", name);
	r = req("PUT", path, NULL, body, NULL);
	CHECK_INT(r->status, 200);
	if (jint(r->json, "/generation") != gen)
		printf("# second PUT of the same body to %s changed it: %s\n",
		    name, r->body);
	CHECK_INT(jint(r->json, "/generation"), gen);
	CHECK_INT(jint(r->json, "/resource_version"), rv);
	check_etag(r);
	http_free(r);
}

static void
test_patch(void)
{
	struct http_resp *r, *g;
	long long rv;

	r = req("PUT", "/v1/jails/m1?wait=30", NULL,
	    "{\"path\":\"/j/m1\",\"hostname\":\"old.example\","
	    "\"params\":{\"securelevel\":1,\"allow.raw_sockets\":false},"
	    "\"labels\":{\"keep\":\"yes\",\"drop\":\"me\"}}", NULL);
	CHECK_INT(r->status, 201);
	rv = jint(r->json, "/resource_version");
	http_free(r);

	r = req("PATCH", "/v1/jails/m1", "application/merge-patch+json",
	    "{\"hostname\":\"new.example\",\"labels\":{\"drop\":null,"
	    "\"add\":\"1\"},\"params\":{\"enforce_statfs\":1}}", NULL);
	CHECK_INT(r->status, 200);
	check_etag(r);
	CHECK_STR(jstr(r->json, "/hostname"), "new.example");
	CHECK_STR(jstr(r->json, "/labels/keep"), "yes");
	CHECK_STR(jstr(r->json, "/labels/add"), "1");
	CHECK(jptr(r->json, "/labels/drop") == NULL);
	CHECK_INT(json_object_size(jptr(r->json, "/labels")), 2);
	/* params merge: old keys stay beside the new one */
	CHECK_INT(jint(r->json, "/params/securelevel"), 1);
	CHECK(json_is_false(jptr(r->json, "/params/allow.raw_sockets")));
	CHECK_INT(jint(r->json, "/params/enforce_statfs"), 1);
	CHECK_STR(jstr(r->json, "/path"), "/j/m1");
	CHECK_INT(jint(r->json, "/generation"), 2);
	CHECK(jint(r->json, "/resource_version") > rv);
	http_free(r);

	/* null removes a param; the merged document is validated. */
	r = req("PATCH", "/v1/jails/m1", "application/merge-patch+json",
	    "{\"params\":{\"securelevel\":null}}", NULL);
	CHECK_INT(r->status, 200);
	CHECK(jptr(r->json, "/params/securelevel") == NULL);
	CHECK_INT(jint(r->json, "/params/enforce_statfs"), 1);
	CHECK_INT(jint(r->json, "/generation"), 3);
	http_free(r);
	r = req("PATCH", "/v1/jails/m1", "application/merge-patch+json",
	    "{\"params\":{\"securelevel\":7}}", NULL);
	CHECK_INT(r->status, 422);
	CHECK_STR(jstr(r->json, "/errors/0/field"), "/params/securelevel");
	http_free(r);

	/* application/json is not a merge patch. */
	r = req("PATCH", "/v1/jails/m1", "application/json",
	    "{\"hostname\":\"json.example\"}", NULL);
	CHECK_INT(r->status, 415);
	CHECK_STR(jstr(r->json, "/code"), "unsupported_media_type");
	http_free(r);
	g = http_get(inst.url, "/v1/jails/m1");
	CHECK_STR(jstr(g->json, "/hostname"), "new.example");
	CHECK_INT(jint(g->json, "/generation"), 3);
	http_free(g);

	r = req("PATCH", "/v1/jails/nosuch", "application/merge-patch+json",
	    "{\"hostname\":\"x\"}", NULL);
	CHECK_INT(r->status, 404);
	http_free(r);
}

static void
test_delete_and_conflict(void)
{
	struct http_resp *r;

	r = req("POST", "/v1/jails", NULL,
	    "{\"name\":\"web1\",\"path\":\"/j/other\"}", NULL);
	CHECK_INT(r->status, 409);
	CHECK_STR(jstr(r->json, "/code"), "conflict");
	http_free(r);
	/* The 409 left the first jail alone. */
	r = http_get(inst.url, "/v1/jails/web1");
	CHECK_STR(jstr(r->json, "/path"), "/usr/local/jails/web1");
	http_free(r);

	r = req("DELETE", "/v1/jails/g1", NULL, NULL, NULL);
	CHECK_INT(r->status, 204);
	CHECK_INT(r->len, 0);
	http_free(r);
	r = http_get(inst.url, "/v1/jails/g1");
	CHECK_INT(r->status, 404);
	http_free(r);
	r = req("DELETE", "/v1/jails/g1", NULL, NULL, NULL);
	CHECK_INT(r->status, 404);
	http_free(r);

	/* The name is free again. */
	r = req("POST", "/v1/jails", NULL,
	    "{\"name\":\"g1\",\"path\":\"/j/g1-again\"}", NULL);
	CHECK_INT(r->status, 201);
	CHECK_INT(jint(r->json, "/generation"), 1);
	http_free(r);
}

int
main(void)
{
	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	test_post_defaults();
	test_get_etag_stable();
	test_put();
	test_put_same_body("s1", "{\"path\":\"/j/s1\",\"hostname\":\"s1\","
	    "\"ips\":[{\"address\":\"10.2.0.1\"}],\"labels\":{\"a\":\"b\"},"
	    "\"params\":{\"securelevel\":2},\"depends\":[\"web1\"]}");
	test_patch();
	test_delete_and_conflict();
	/* Mounts given without ids (as a client's own file has them) keep
	 * the ids they got the first time, so the body is unchanged. */
	test_put_same_body("s2", "{\"path\":\"/j/s2\",\"mounts\":["
	    "{\"type\":\"devfs\",\"target\":\"/dev\"}]}");
	harness_stop(&inst);
	return check_done();
}
