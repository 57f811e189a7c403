/*
 * test_export.c - GET /v1/jails/{name}/jail.conf and GET /v1/export.
 *
 * The rendered text must be jail.conf that imports back (prison/jailconf)
 * to the stored configuration, with nothing reported as not imported, and
 * a token limited to one jail must export only that jail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "prison/jailconf.h"
#include "tests/lib/check.h"
#include "tests/lib/harness.h"

static struct jd_instance inst;

static const char *const web1 = "{\"path\":\"/usr/local/jails/web1\","
    "\"hostname\":\"web1.example.org\",\"state\":\"running\","
    "\"params\":{\"securelevel\":2,\"allow.raw_sockets\":false,"
    "\"sysvshm\":\"new\"},"
    "\"exec\":{\"start\":[\"/bin/sh /etc/rc\"],\"stop\":[\"/bin/sh "
    "/etc/rc.shutdown jail\"],\"prestart\":[\"logger 'web1: starting'\"],"
    "\"stop_timeout_s\":30},"
    "\"ips\":[{\"interface\":\"em0\",\"address\":\"192.0.2.10/24\"},"
    "{\"address\":\"2001:db8::10\"}],"
    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\"},{\"type\":"
    "\"nullfs\",\"source\":\"/usr/local/jails/base\",\"target\":"
    "\"/basejail\",\"options\":[\"ro\"]},{\"type\":\"tmpfs\",\"target\":"
    "\"/tmp\",\"size\":\"64m\",\"mode\":\"1777\"}],"
    "\"depends\":[\"db1\"],\"labels\":{\"env\":\"prod\"}}";

static const char *const db1 = "{\"path\":\"/usr/local/jails/db1\","
    "\"hostname\":\"db1\"}";

/* The exported text imports back: same names and configuration. */
static void
check_round_trip(const char *text, const char *const *names, size_t n)
{
	struct jailconf_result res;
	struct jd_error err;
	struct http_resp *g;
	json_t *doc, *stored;
	char path[96];
	size_t i, j;
	static const char *const keys[] = { "path", "hostname", "params",
	    "ips", "depends" };

	memset(&res, 0, sizeof(res));
	CHECK_INT(jailconf_import(text, strlen(text), 0, &res, &err), 0);
	CHECK_INT(json_array_size(res.errors), 0);
	CHECK_INT(json_array_size(res.not_imported), 0);
	CHECK_INT(json_array_size(res.jails), n);
	for (i = 0; i < n; i++) {
		doc = NULL;
		for (j = 0; j < json_array_size(res.jails); j++)
			if (strcmp(json_string_value(json_object_get(
			    json_array_get(res.jails, j), "name")),
			    names[i]) == 0)
				doc = json_array_get(res.jails, j);
		CHECK(doc != NULL);
		snprintf(path, sizeof(path), "/v1/jails/%s", names[i]);
		g = http_get(inst.url, path);
		CHECK_INT(g->status, 200);
		stored = g->json;
		for (j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
			if (!json_equal(json_object_get(doc, keys[j]),
			    json_object_get(stored, keys[j])))
				printf("# %s: %s differs\n", names[i],
				    keys[j]);
			CHECK(json_equal(json_object_get(doc, keys[j]),
			    json_object_get(stored, keys[j])));
		}
		CHECK_INT(json_array_size(json_object_get(doc, "mounts")),
		    json_array_size(json_object_get(stored, "mounts")));
		CHECK(json_equal(jptr(doc, "/exec/start"),
		    jptr(stored, "/exec/start")));
		CHECK(json_equal(jptr(doc, "/exec/prestart"),
		    jptr(stored, "/exec/prestart")));
		CHECK(json_equal(jptr(doc, "/exec/stop_timeout_s"),
		    jptr(stored, "/exec/stop_timeout_s")));
		http_free(g);
	}
	jailconf_result_free(&res);
}

int
main(void)
{
	static const char *const both[] = { "db1", "web1" };
	static const char *const only_db1[] = { "db1" };
	const char *hdr[2] = { NULL, NULL };
	char authz[200];
	struct http_resp *r, r2;
	const char *tok;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	r = http_json(inst.url, "PUT", "/v1/jails/web1", web1);
	CHECK_INT(r->status, 201);
	http_free(r);
	r = http_json(inst.url, "PUT", "/v1/jails/db1", db1);
	CHECK_INT(r->status, 201);
	http_free(r);

	/* One jail. */
	r = http_get(inst.url, "/v1/jails/web1/jail.conf");
	CHECK_INT(r->status, 200);
	CHECK_CONTAINS(http_header(r, "Content-Type"), "text/plain");
	CHECK_CONTAINS(r->body, "web1 {");
	CHECK_CONTAINS(r->body, "ip4.addr = \"em0|192.0.2.10/24\";");
	CHECK_CONTAINS(r->body, "path = \"/usr/local/jails/web1\";");
	CHECK_CONTAINS(r->body, "securelevel = 2;");
	CHECK_CONTAINS(r->body, "persist;");
	CHECK_CONTAINS(r->body, "nullfs ro");
	check_round_trip(r->body, both + 1, 1);
	http_free(r);

	/* Everything. */
	r = http_get(inst.url, "/v1/export");
	CHECK_INT(r->status, 200);
	CHECK_CONTAINS(r->body, "db1 {");
	CHECK_CONTAINS(r->body, "web1 {");
	check_round_trip(r->body, both, 2);
	http_free(r);

	/* Not found, no credential. */
	r = http_get(inst.url, "/v1/jails/nosuch/jail.conf");
	CHECK_INT(r->status, 404);
	http_free(r);
	hdr[0] = "Authorization:";
	CHECK(http_do(inst.url, "GET", "/v1/export", NULL, NULL, hdr,
	    &r2) == 0);
	CHECK_INT(r2.status, 401);
	http_resp_free(&r2);

	/* A token limited to db1 exports only db1. */
	r = http_json(inst.url, "POST", "/v1/tokens",
	    "{\"name\":\"d\",\"scope\":\"read\",\"jails\":[\"db1\"]}");
	CHECK_INT(r->status, 201);
	tok = json_string_value(json_object_get(r->json, "token"));
	CHECK(tok != NULL);
	snprintf(authz, sizeof(authz), "Authorization: Bearer %s", tok);
	http_free(r);
	hdr[0] = authz;
	CHECK(http_do(inst.url, "GET", "/v1/export", NULL, NULL, hdr,
	    &r2) == 0);
	CHECK_INT(r2.status, 200);
	CHECK(strstr(r2.body, "web1") == NULL);
	check_round_trip(r2.body, only_db1, 1);
	http_resp_free(&r2);
	CHECK(http_do(inst.url, "GET", "/v1/jails/web1/jail.conf", NULL, NULL,
	    hdr, &r2) == 0);
	CHECK_INT(r2.status, 404);
	http_resp_free(&r2);

	harness_stop(&inst);
	return check_done();
}
