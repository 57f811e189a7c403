/*
 * test_mounts.c - mounts as resources through the validating proxy:
 * GET/POST /v1/jails/{name}/mounts and DELETE /v1/jails/{name}/mounts/{id}.
 *
 * Adding, listing and deleting each mount type and the ids jaild assigns,
 * a target through a symlink on the host refused (a real temporary jail
 * root holding a symlink), mount_roots for a write token against an
 * admin, a devfs ruleset outside the allowed list, and the reconciler
 * mounting an added mount on the simulated host for a running jail.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/lib/check.h"
#include "tests/lib/harness.h"
#include "tests/lib/sim.h"

static struct jd_instance inst;

static struct http_resp *
post(const char *path, const char *body)
{
	return http_json(inst.url, "POST", path, body);
}

/* POST a mount, expect 201; returns its id (or -1). */
static long long
add(const char *jail, const char *body)
{
	char path[128], loc[160];
	struct http_resp *r;
	long long id;

	snprintf(path, sizeof(path), "/v1/jails/%s/mounts", jail);
	r = post(path, body);
	CHECK_INT(r->status, 201);
	if (r->status != 201)
		printf("# %s %s -> %ld %s\n", path, body, r->status,
		    r->body ? r->body : "");
	id = jptr_int(r->json, "/id");
	CHECK(id > 0);
	snprintf(loc, sizeof(loc), "/v1/jails/%s/mounts/%lld", jail, id);
	CHECK_STR(http_header(r, "Location"), loc);
	http_free(r);
	return id;
}

static void
test_types(void)
{
	struct http_resp *r, *g;
	long long ids[5];
	char path[128];

	ids[0] = add("web1", "{\"type\":\"devfs\",\"target\":\"/dev\"}");
	ids[1] = add("web1", "{\"type\":\"nullfs\",\"source\":\"/srv/www\","
	    "\"target\":\"/usr/local/www\",\"options\":[\"ro\"]}");
	ids[2] = add("web1", "{\"type\":\"tmpfs\",\"target\":\"/tmp\","
	    "\"size\":\"64m\",\"mode\":\"1777\"}");
	ids[3] = add("web1", "{\"type\":\"procfs\",\"target\":\"/proc\"}");
	ids[4] = add("web1", "{\"type\":\"fdescfs\",\"target\":\"/dev/fd\"}");
	CHECK_INT(ids[0], 1);
	CHECK_INT(ids[1], 2);
	CHECK_INT(ids[2], 3);
	CHECK_INT(ids[3], 4);
	CHECK_INT(ids[4], 5);

	r = http_get(inst.url, "/v1/jails/web1/mounts");
	CHECK_INT(r->status, 200);
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 5);
	CHECK_STR(jptr_str(r->json, "/items/0/type"), "devfs");
	CHECK_INT(jptr_int(r->json, "/items/0/ruleset"), 4);
	CHECK_STR(jptr_str(r->json, "/items/1/source"), "/srv/www");
	CHECK_STR(jptr_str(r->json, "/items/1/options/0"), "ro");
	CHECK_STR(jptr_str(r->json, "/items/2/size"), "64m");
	CHECK_STR(jptr_str(r->json, "/items/3/type"), "procfs");
	CHECK_STR(jptr_str(r->json, "/items/4/target"), "/dev/fd");
	g = http_get(inst.url, "/v1/jails/web1");
	CHECK(json_equal(jptr(g->json, "/mounts"), jptr(r->json, "/items")));
	http_free(g);
	http_free(r);

	/* Invalid: a duplicate target, an escape, an id, a bad type. */
	r = post("/v1/jails/web1/mounts", "{\"type\":\"procfs\","
	    "\"target\":\"/proc\"}");
	CHECK_INT(r->status, 422);
	http_free(r);
	r = post("/v1/jails/web1/mounts", "{\"type\":\"tmpfs\","
	    "\"target\":\"/a/../../etc\"}");
	CHECK_INT(r->status, 422);
	CHECK_CONTAINS(r->body, "\"/target\"");
	http_free(r);
	r = post("/v1/jails/web1/mounts", "{\"id\":9,\"type\":\"tmpfs\","
	    "\"target\":\"/t9\"}");
	CHECK_INT(r->status, 422);
	CHECK_CONTAINS(r->body, "\"/id\"");
	http_free(r);
	r = http_json(inst.direct, "POST", "/v1/jails/web1/mounts",
	    "{\"type\":\"zfs\",\"target\":\"/z\"}");
	CHECK_INT(r->status, 422);
	CHECK_CONTAINS(r->body, "\"/type\"");
	http_free(r);
	/* devfs ruleset outside the allowed list (default 4). */
	r = post("/v1/jails/web1/mounts", "{\"type\":\"devfs\","
	    "\"target\":\"/dev2\",\"ruleset\":5}");
	CHECK_INT(r->status, 422);
	CHECK_STR(jptr_str(r->json, "/errors/0/field"), "/ruleset");
	http_free(r);
	r = post("/v1/jails/nosuch/mounts", "{\"type\":\"procfs\","
	    "\"target\":\"/proc\"}");
	CHECK_INT(r->status, 404);
	http_free(r);
	r = http_get(inst.url, "/v1/jails/nosuch/mounts");
	CHECK_INT(r->status, 404);
	http_free(r);

	/* Delete by id; ids are not reused. */
	snprintf(path, sizeof(path), "/v1/jails/web1/mounts/%lld", ids[2]);
	r = http_json(inst.url, "DELETE", path, NULL);
	CHECK_INT(r->status, 204);
	http_free(r);
	r = http_json(inst.url, "DELETE", path, NULL);
	CHECK_INT(r->status, 404);
	http_free(r);
	r = http_json(inst.url, "DELETE", "/v1/jails/web1/mounts/77", NULL);
	CHECK_INT(r->status, 404);
	http_free(r);
	r = http_get(inst.url, "/v1/jails/web1/mounts");
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 4);
	CHECK_STR(jptr_str(r->json, "/items/2/type"), "procfs");
	http_free(r);
	CHECK_INT(add("web1", "{\"type\":\"tmpfs\",\"target\":\"/var/tmp\"}"),
	    6);
}

static void
test_symlink(void)
{
	char dir[] = "/tmp/jd-mounts-XXXXXX", p[256], body[512];
	struct http_resp *r;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/usr", dir);
	CHECK_INT(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/usr/link", dir);
	CHECK_INT(symlink("/etc", p), 0);
	snprintf(body, sizeof(body), "{\"path\":\"%s\"}", dir);
	r = http_json(inst.url, "PUT", "/v1/jails/ln1", body);
	CHECK_INT(r->status, 201);
	http_free(r);
	r = post("/v1/jails/ln1/mounts", "{\"type\":\"tmpfs\","
	    "\"target\":\"/usr/link/x\"}");
	CHECK_INT(r->status, 422);
	CHECK_STR(jptr_str(r->json, "/errors/0/field"), "/target");
	CHECK_CONTAINS(r->body, "symlink");
	http_free(r);
	r = post("/v1/jails/ln1/mounts", "{\"type\":\"tmpfs\","
	    "\"target\":\"/usr/link\"}");
	CHECK_INT(r->status, 422);
	http_free(r);
	/* A real directory and a missing one are fine. */
	add("ln1", "{\"type\":\"tmpfs\",\"target\":\"/usr\"}");
	add("ln1", "{\"type\":\"tmpfs\",\"target\":\"/usr/none/deeper\"}");
	snprintf(p, sizeof(p), "%s/usr/link", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/usr", dir);
	rmdir(p);
	rmdir(dir);
}

static void
test_roots(void)
{
	const char *hdr[2] = { NULL, NULL };
	char authz[200];
	struct http_resp *r, w;

	r = http_json(inst.direct, "POST", "/v1/tokens",
	    "{\"name\":\"w\",\"scope\":\"write\"}");
	CHECK_INT(r->status, 201);
	snprintf(authz, sizeof(authz), "Authorization: Bearer %s",
	    jptr_str(r->json, "/token") ? jptr_str(r->json, "/token") : "");
	http_free(r);
	hdr[0] = authz;

	memset(&w, 0, sizeof(w));
	CHECK(http_do(inst.url, "POST", "/v1/jails/db1/mounts", NULL,
	    "{\"type\":\"nullfs\",\"source\":\"/srv/shared/data\","
	    "\"target\":\"/data\"}", hdr, &w) == 0);
	CHECK_INT(w.status, 201);
	CHECK_INT(jptr_int(w.json, "/id"), 1);
	http_resp_free(&w);
	memset(&w, 0, sizeof(w));
	CHECK(http_do(inst.url, "POST", "/v1/jails/db1/mounts", NULL,
	    "{\"type\":\"nullfs\",\"source\":\"/srv/shared\","
	    "\"target\":\"/data2\"}", hdr, &w) == 0);
	CHECK_INT(w.status, 201);
	http_resp_free(&w);
	/* Outside, a lookalike prefix, and a ".." escape: 403 /source. */
	memset(&w, 0, sizeof(w));
	CHECK(http_do(inst.url, "POST", "/v1/jails/db1/mounts", NULL,
	    "{\"type\":\"nullfs\",\"source\":\"/etc\","
	    "\"target\":\"/etc2\"}", hdr, &w) == 0);
	CHECK_INT(w.status, 403);
	CHECK_STR(jptr_str(w.json, "/errors/0/field"), "/source");
	http_resp_free(&w);
	memset(&w, 0, sizeof(w));
	CHECK(http_do(inst.url, "POST", "/v1/jails/db1/mounts", NULL,
	    "{\"type\":\"nullfs\",\"source\":\"/srv/sharedx\","
	    "\"target\":\"/x\"}", hdr, &w) == 0);
	CHECK_INT(w.status, 403);
	http_resp_free(&w);
	memset(&w, 0, sizeof(w));
	CHECK(http_do(inst.url, "POST", "/v1/jails/db1/mounts", NULL,
	    "{\"type\":\"nullfs\",\"source\":\"/srv/shared/../../etc\","
	    "\"target\":\"/y\"}", hdr, &w) == 0);
	CHECK_INT(w.status, 403);
	http_resp_free(&w);
	/* The write token may still add other types and delete. */
	memset(&w, 0, sizeof(w));
	CHECK(http_do(inst.url, "DELETE", "/v1/jails/db1/mounts/2", NULL,
	    NULL, hdr, &w) == 0);
	CHECK_INT(w.status, 204);
	http_resp_free(&w);
	/* The same rule for a whole-document PATCH by the write token. */
	memset(&w, 0, sizeof(w));
	CHECK(http_do(inst.url, "PATCH", "/v1/jails/db1",
	    "application/merge-patch+json", "{\"mounts\":[{\"type\":\"nullfs\","
	    "\"source\":\"/data/jails/x\",\"target\":\"/x\"}]}", hdr,
	    &w) == 0);
	CHECK_INT(w.status, 200);
	http_resp_free(&w);
	memset(&w, 0, sizeof(w));
	CHECK(http_do(inst.url, "PATCH", "/v1/jails/db1",
	    "application/merge-patch+json", "{\"mounts\":[{\"type\":\"nullfs\","
	    "\"source\":\"/var/db\",\"target\":\"/x\"}]}", hdr, &w) == 0);
	CHECK_INT(w.status, 403);
	CHECK_STR(jptr_str(w.json, "/errors/0/field"), "/mounts/0/source");
	http_resp_free(&w);
	/* An admin may mount any absolute path. */
	CHECK(add("db1", "{\"type\":\"nullfs\",\"source\":\"/etc\","
	    "\"target\":\"/etc2\"}") > 0);
	r = http_get(inst.url, "/v1/jails/db1/mounts");
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 2);
	CHECK_STR(jptr_str(r->json, "/items/1/source"), "/etc");
	http_free(r);
}

/* Whether `jaild-sim mounts` lists needle, waiting up to 10 s. */
static int
sim_has_mount(const char *needle, int want)
{
	long long end = harness_now_ms() + 10000;
	char *out = NULL;
	int has;

	for (;;) {
		CHECK_INT(sim_run(&inst, &out, "mounts"), 0);
		has = strstr(out, needle) != NULL;
		free(out);
		if (has == want || harness_now_ms() > end)
			return has;
		harness_msleep(100);
	}
}

static void
test_reconcile(void)
{
	struct http_resp *r;
	long long id;
	char path[128];

	r = http_json(inst.url, "PUT", "/v1/jails/run1",
	    "{\"path\":\"/j/run1\",\"state\":\"running\"}");
	CHECK_INT(r->status, 201);
	http_free(r);
	CHECK(http_wait_field(inst.url, "/v1/jails/run1", "/status/phase",
	    "running", 15000) == 0);
	CHECK(sim_has_mount("/j/run1/mnt/shared", 0) == 0);
	id = add("run1", "{\"type\":\"nullfs\",\"source\":\"/srv/shared\","
	    "\"target\":\"/mnt/shared\"}");
	CHECK(sim_has_mount("/j/run1/mnt/shared", 1));
	snprintf(path, sizeof(path), "/v1/jails/run1/mounts/%lld", id);
	r = http_json(inst.url, "DELETE", path, NULL);
	CHECK_INT(r->status, 204);
	http_free(r);
	r = http_get(inst.url, "/v1/jails/run1/mounts");
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 0);
	http_free(r);
	/* The reconciler unmounts what the document no longer lists. */
	CHECK(sim_has_mount("/j/run1/mnt/shared", 0) == 0);
}

int
main(void)
{
	static const char *const extra[] = { "-o",
	    "mount_roots=/srv/shared,/data/jails", NULL };
	struct http_resp *r;

	CHECK(harness_start(&inst, NULL, extra, 1) == 0);
	r = http_json(inst.url, "PUT", "/v1/jails/web1", "{\"path\":\"/j/web1\"}");
	CHECK_INT(r->status, 201);
	http_free(r);
	r = http_json(inst.url, "PUT", "/v1/jails/db1", "{\"path\":\"/j/db1\"}");
	CHECK_INT(r->status, 201);
	http_free(r);

	test_types();
	test_symlink();
	test_roots();
	test_reconcile();

	harness_stop(&inst);
	return check_done();
}
