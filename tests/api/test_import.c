/*
 * test_import.c - POST /v1/import of jail.conf and rc.conf text.
 *
 * Dry runs change nothing and report what would happen, with line numbers;
 * errors refuse the whole import; a refusal of one jail (an address held
 * by another) rolls back every jail of the import; export then import
 * changes nothing; the legacy rc.conf variables import too.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "tests/lib/check.h"
#include "tests/lib/harness.h"

static struct jd_instance inst;

static const char handbook[] =
    "# handbook style: globals, variables, += and three comment kinds\n"
    "exec.start = \"/bin/sh /etc/rc\";\n"
    "exec.stop = \"/bin/sh /etc/rc.shutdown jail\";\n"
    "mount.devfs;  // every jail gets /dev\n"
    "path = \"/usr/local/jails/$name\";\n"
    "host.hostname = \"${name}.example.org\";\n"
    "/* the web server */\n"
    "www {\n"
    "\tip4.addr = \"em0|192.0.2.10/24\";\n"
    "\tsecurelevel = 2;\n"
    "\tvnet.interface = \"epair0b\";\n"
    "}\n"
    "db {\n"
    "\tip4.addr = \"em0|192.0.2.11\";\n"
    "\tdepend = www;\n"
    "\texec.start += \"/usr/local/etc/rc.d/postgresql start\";\n"
    "}\n";

static struct http_resp
post(const char *query, const char *ctype, const char *body,
    const char *const *hdr)
{
	struct http_resp r;
	char path[64];

	snprintf(path, sizeof(path), "/v1/import%s", query);
	CHECK(http_do(inst.url, "POST", path, ctype, body, hdr, &r) == 0);
	return r;
}

static long
status_of(const char *path)
{
	struct http_resp *g = http_get(inst.url, path);
	long st = g->status;

	http_free(g);
	return st;
}

static int
has_name(json_t *arr, const char *name)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return 1;
	return 0;
}

int
main(void)
{
	struct http_resp r, *g, *e;
	const char *hdr[2] = { NULL, NULL };
	char authz[200], *text;
	json_t *ni;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);

	/* Dry run: what would be created, what is left out, no change. */
	r = post("?dry_run=true", "text/plain", handbook, NULL);
	CHECK_INT(r.status, 200);
	CHECK(json_is_true(jptr(r.json, "/dry_run")));
	CHECK_INT(json_array_size(jptr(r.json, "/jails")), 2);
	CHECK_STR(json_string_value(jptr(r.json, "/jails/0/name")), "www");
	CHECK_STR(json_string_value(jptr(r.json, "/jails/1/path")),
	    "/usr/local/jails/db");
	CHECK_INT(json_array_size(jptr(r.json, "/errors")), 0);
	ni = jptr(r.json, "/not_imported/0");
	CHECK_STR(json_string_value(json_object_get(ni, "name")),
	    "vnet.interface");
	CHECK_INT(json_integer_value(json_object_get(ni, "line")), 11);
	http_resp_free(&r);
	CHECK_INT(status_of("/v1/jails/www"), 404);

	/* The import itself. */
	r = post("", "text/plain", handbook, NULL);
	CHECK_INT(r.status, 200);
	CHECK(has_name(jptr(r.json, "/created"), "www"));
	CHECK(has_name(jptr(r.json, "/created"), "db"));
	CHECK_STR(json_string_value(jptr(r.json, "/not_imported/0/name")),
	    "vnet.interface");
	http_resp_free(&r);
	g = http_get(inst.url, "/v1/jails/db");
	CHECK_INT(g->status, 200);
	CHECK_STR(json_string_value(jptr(g->json, "/hostname")),
	    "db.example.org");
	CHECK_STR(json_string_value(jptr(g->json, "/ips/0/address")),
	    "192.0.2.11/32");
	CHECK_STR(json_string_value(jptr(g->json, "/ips/0/interface")), "em0");
	CHECK_STR(json_string_value(jptr(g->json, "/exec/start/1")),
	    "/usr/local/etc/rc.d/postgresql start");
	CHECK_STR(json_string_value(jptr(g->json, "/depends/0")), "www");
	CHECK_STR(json_string_value(jptr(g->json, "/mounts/0/type")),
	    "devfs");
	CHECK_INT(json_integer_value(jptr(g->json, "/mounts/0/ruleset")), 4);
	http_free(g);

	/* Again: nothing changes. */
	r = post("", "text/plain", handbook, NULL);
	CHECK_INT(r.status, 200);
	CHECK_INT(json_array_size(jptr(r.json, "/created")), 0);
	CHECK(has_name(jptr(r.json, "/unchanged"), "www"));
	CHECK(has_name(jptr(r.json, "/unchanged"), "db"));
	http_resp_free(&r);

	/* Export, then import the export: still nothing changes. */
	e = http_get(inst.url, "/v1/export");
	CHECK_INT(e->status, 200);
	text = e->body;
	r = post("", "text/plain", text, NULL);
	CHECK_INT(r.status, 200);
	CHECK_INT(json_array_size(jptr(r.json, "/created")), 0);
	CHECK_INT(json_array_size(jptr(r.json, "/replaced")), 0);
	CHECK_INT(json_array_size(jptr(r.json, "/unchanged")), 2);
	CHECK_INT(json_array_size(jptr(r.json, "/not_imported")), 0);
	http_resp_free(&r);
	http_free(e);

	/* Errors: every one with its line, and nothing written. */
	r = post("", "text/plain", "bad1 {\n  path = \"/j/b\"\n  foo = ;\n}\n",
	    NULL);
	CHECK_INT(r.status, 422);
	CHECK_CONTAINS(json_string_value(jptr(r.json, "/errors/0/message")),
	    "line 3");
	http_resp_free(&r);
	CHECK_INT(status_of("/v1/jails/bad1"), 404);
	r = post("?dry_run=true", "text/plain",
	    "bad1 {\n  path = \"/j/b\"\n  foo = ;\n}\n", NULL);
	CHECK_INT(r.status, 200);
	CHECK(json_array_size(jptr(r.json, "/errors")) >= 1);
	CHECK_INT(json_integer_value(jptr(r.json, "/errors/0/line")), 3);
	http_resp_free(&r);
	/* A jail that parses but that this jaild refuses: a devfs ruleset
	 * outside devfs_rulesets (4 by default). */
	r = post("", "text/plain", "r7 { path = \"/j/r7\"; mount.devfs; "
	    "devfs_ruleset = 7; }\n", NULL);
	CHECK_INT(r.status, 422);
	CHECK_CONTAINS(json_string_value(jptr(r.json, "/errors/0/message")),
	    "/mounts/0/ruleset");
	http_resp_free(&r);
	CHECK_INT(status_of("/v1/jails/r7"), 404);

	/* All or nothing: ok1 is fine, clash takes www's address. */
	r = post("", "text/plain", "ok1 { path = \"/j/ok1\"; }\n"
	    "clash { path = \"/j/c\"; ip4.addr = \"em0|192.0.2.10\"; }\n", NULL);
	CHECK_INT(r.status, 409);
	CHECK_CONTAINS(json_string_value(jptr(r.json, "/detail")), "clash");
	CHECK_CONTAINS(json_string_value(jptr(r.json, "/detail")), "www");
	http_resp_free(&r);
	CHECK_INT(status_of("/v1/jails/ok1"), 404);
	CHECK_INT(status_of("/v1/jails/clash"), 404);

	/* The old rc.conf variables. */
	r = post("", "text/x-rc-conf", "jail_enable=\"YES\"\n"
	    "jail_list=\"r1\"\n"
	    "jail_r1_rootdir=\"/j/r1\"\n"
	    "jail_r1_hostname=\"r1.example.org\"\n"
	    "jail_r1_ip=\"em0|192.0.2.30\"\n"
	    "jail_r1_devfs_enable=\"YES\"\n"
	    "jail_r1_devfs_ruleset=\"devfsrules_jail\"\n"
	    "jail_r1_exec=\"/bin/sh /etc/rc\"\n", NULL);
	CHECK_INT(r.status, 200);
	CHECK(has_name(jptr(r.json, "/created"), "r1"));
	http_resp_free(&r);
	g = http_get(inst.url, "/v1/jails/r1");
	CHECK_STR(json_string_value(jptr(g->json, "/path")), "/j/r1");
	CHECK_STR(json_string_value(jptr(g->json, "/exec/start/0")),
	    "/bin/sh /etc/rc");
	CHECK_INT(json_integer_value(jptr(g->json, "/mounts/0/ruleset")), 4);
	http_free(g);

	/* Wrong media type, bad dry_run, and a non-admin credential. */
	r = post("", "application/json", "{}", NULL);
	CHECK_INT(r.status, 415);
	http_resp_free(&r);
	r = post("?dry_run=maybe", "text/plain", handbook, NULL);
	CHECK_INT(r.status, 400);
	http_resp_free(&r);
	g = http_json(inst.url, "POST", "/v1/tokens",
	    "{\"name\":\"ci\",\"scope\":\"write\"}");
	CHECK_INT(g->status, 201);
	snprintf(authz, sizeof(authz), "Authorization: Bearer %s",
	    json_string_value(jptr(g->json, "/token")));
	http_free(g);
	hdr[0] = authz;
	r = post("", "text/plain", handbook, hdr);
	CHECK_INT(r.status, 403);
	http_resp_free(&r);

	harness_stop(&inst);
	return check_done();
}
