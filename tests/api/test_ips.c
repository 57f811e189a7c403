/*
 * test_ips.c - addresses as resources through the validating proxy:
 * /v1/jails/{name}/ips, /v1/ips and /v1/ip-pools.
 *
 * Adding and removing addresses, bare addresses getting /32 and /128, the
 * 409 naming the holder, pool CRUD and validation, allocation order
 * (lowest free, skipping network / broadcast / excluded / used), a full
 * pool, 20 concurrent allocations getting 20 distinct addresses, the
 * host-wide listing and its delegation filter, and the reconciler putting
 * an added address on the simulated host.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/lib/check.h"
#include "tests/lib/harness.h"
#include "tests/lib/sim.h"

#define NRACE	20

static struct jd_instance inst;

static struct http_resp *
post(const char *base, const char *path, const char *body)
{
	return http_json(base, "POST", path, body);
}

/* POST and expect status; returns the address in the answer or "". */
static void
expect(const char *base, const char *path, const char *body, long status,
    const char *want_addr)
{
	struct http_resp *r = post(base, path, body);

	CHECK_INT(r->status, status);
	if (want_addr != NULL) {
		if (r->status != status || jptr_str(r->json, "/address") ==
		    NULL || strcmp(jptr_str(r->json, "/address"), want_addr))
			printf("# %s %s -> %ld %s\n", path, body, r->status,
			    r->body ? r->body : "");
		CHECK_STR(jptr_str(r->json, "/address"), want_addr);
	}
	http_free(r);
}

/* Whether `jaild-sim addrs` lists address, waiting up to 10 s. */
static int
sim_has_addr(const char *address, int want)
{
	long long end = harness_now_ms() + 10000;
	char *out = NULL;
	int has;

	for (;;) {
		CHECK_INT(sim_run(&inst, &out, "addrs"), 0);
		has = strstr(out, address) != NULL;
		free(out);
		if (has == want || harness_now_ms() > end)
			return has;
		harness_msleep(100);
	}
}

static void
test_jail_ips(void)
{
	struct http_resp *r;

	r = post(inst.url, "/v1/jails/web1/ips",
	    "{\"interface\":\"em0\",\"address\":\"10.70.0.5\"}");
	CHECK_INT(r->status, 201);
	CHECK_STR(jptr_str(r->json, "/address"), "10.70.0.5/32");
	CHECK_STR(jptr_str(r->json, "/family"), "inet");
	CHECK_STR(jptr_str(r->json, "/interface"), "em0");
	CHECK_STR(http_header(r, "Location"), "/v1/jails/web1/ips/10.70.0.5");
	http_free(r);
	r = post(inst.url, "/v1/jails/web1/ips", "{\"address\":\"fd00:0::5\"}");
	CHECK_INT(r->status, 201);
	CHECK_STR(jptr_str(r->json, "/address"), "fd00::5/128");
	CHECK_STR(jptr_str(r->json, "/family"), "inet6");
	CHECK(json_is_null(jptr(r->json, "/interface")));
	CHECK_STR(http_header(r, "Location"), "/v1/jails/web1/ips/fd00::5");
	http_free(r);
	expect(inst.url, "/v1/jails/web1/ips",
	    "{\"interface\":\"em0\",\"address\":\"10.70.0.6/24\"}", 201,
	    "10.70.0.6/24");

	/* The list is the document's ips array, primary first. */
	r = http_get(inst.url, "/v1/jails/web1/ips");
	CHECK_INT(r->status, 200);
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 3);
	CHECK_STR(jptr_str(r->json, "/items/0/address"), "10.70.0.5/32");
	CHECK_STR(jptr_str(r->json, "/items/1/address"), "fd00::5/128");
	CHECK_STR(jptr_str(r->json, "/items/2/address"), "10.70.0.6/24");
	{
		struct http_resp *g = http_get(inst.url, "/v1/jails/web1");

		CHECK(json_equal(jptr(g->json, "/ips"),
		    jptr(r->json, "/items")));
		CHECK_INT(jptr_int(g->json, "/generation"), 4);
		http_free(g);
	}
	http_free(r);

	/* The same address on another jail: 409 naming the holder. */
	r = post(inst.url, "/v1/jails/db1/ips", "{\"address\":\"10.70.0.5/24\"}");
	CHECK_INT(r->status, 409);
	CHECK_CONTAINS(jptr_str(r->json, "/detail"), "web1");
	CHECK_CONTAINS(jptr_str(r->json, "/detail"), "10.70.0.5");
	http_free(r);
	/* The same address twice on one jail is invalid. */
	r = post(inst.url, "/v1/jails/web1/ips", "{\"address\":\"10.70.0.5\"}");
	CHECK_INT(r->status, 422);
	http_free(r);

	/* Validation: every bad field at once. */
	r = post(inst.direct, "/v1/jails/web1/ips",
	    "{\"interface\":\"0bad\",\"address\":\"10.70.0.300\",\"x\":1}");
	CHECK_INT(r->status, 422);
	CHECK_INT(json_array_size(jptr(r->json, "/errors")), 3);
	CHECK_CONTAINS(r->body, "/interface");
	CHECK_CONTAINS(r->body, "/address");
	CHECK_CONTAINS(r->body, "/x");
	http_free(r);
	r = post(inst.direct, "/v1/jails/web1/ips", "{}");
	CHECK_INT(r->status, 422);
	CHECK_STR(jptr_str(r->json, "/errors/0/field"), "/address");
	http_free(r);
	r = post(inst.direct, "/v1/jails/web1/ips",
	    "{\"address\":\"10.70.0.9\",\"pool\":\"lan\"}");
	CHECK_INT(r->status, 422);
	CHECK_STR(jptr_str(r->json, "/errors/0/field"), "/pool");
	http_free(r);
	r = post(inst.url, "/v1/jails/nosuch/ips", "{\"address\":\"10.70.0.9\"}");
	CHECK_INT(r->status, 404);
	http_free(r);
	r = http_get(inst.url, "/v1/jails/nosuch/ips");
	CHECK_INT(r->status, 404);
	http_free(r);

	/* Delete by address without prefix, IPv6 canonical. */
	r = http_json(inst.url, "DELETE", "/v1/jails/web1/ips/fd00::5", NULL);
	CHECK_INT(r->status, 204);
	http_free(r);
	r = http_json(inst.url, "DELETE", "/v1/jails/web1/ips/fd00::5", NULL);
	CHECK_INT(r->status, 404);
	http_free(r);
	r = http_json(inst.url, "DELETE", "/v1/jails/db1/ips/10.70.0.5", NULL);
	CHECK_INT(r->status, 404);
	http_free(r);
	r = http_get(inst.url, "/v1/jails/web1/ips");
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 2);
	CHECK_STR(jptr_str(r->json, "/items/1/address"), "10.70.0.6/24");
	http_free(r);
	/* Once freed the address can go to another jail. */
	expect(inst.url, "/v1/jails/db1/ips", "{\"address\":\"fd00::5\"}", 201,
	    "fd00::5/128");
}

static void
test_reconcile(void)
{
	/* web1 runs with its first address on the host. */
	CHECK(http_wait_field(inst.url, "/v1/jails/web1", "/status/phase",
	    "running", 15000) == 0);
	CHECK(sim_has_addr("10.70.0.5", 1));
	CHECK(sim_has_addr("10.70.0.7", 0) == 0);
	expect(inst.url, "/v1/jails/web1/ips",
	    "{\"interface\":\"em0\",\"address\":\"10.70.0.7/24\"}", 201,
	    "10.70.0.7/24");
	CHECK(sim_has_addr("10.70.0.7", 1));
	{
		struct http_resp *r = http_json(inst.url, "DELETE",
		    "/v1/jails/web1/ips/10.70.0.7", NULL);
		CHECK_INT(r->status, 204);
		http_free(r);
	}
	CHECK(sim_has_addr("10.70.0.7", 0) == 0);
}

static void
test_pools(void)
{
	struct http_resp *r;

	r = post(inst.url, "/v1/ip-pools", "{\"name\":\"lan\",\"interface\":"
	    "\"em1\",\"cidr\":\"10.80.0.0/28\",\"exclude\":[\"10.80.0.1\","
	    "\"10.80.0.4/30\"]}");
	CHECK_INT(r->status, 201);
	CHECK_STR(http_header(r, "Location"), "/v1/ip-pools/lan");
	CHECK_STR(jptr_str(r->json, "/cidr"), "10.80.0.0/28");
	CHECK_STR(jptr_str(r->json, "/exclude/1"), "10.80.0.4/30");
	http_free(r);
	r = post(inst.url, "/v1/ip-pools", "{\"name\":\"lan\",\"interface\":"
	    "\"em1\",\"cidr\":\"10.81.0.0/28\"}");
	CHECK_INT(r->status, 409);
	CHECK_CONTAINS(jptr_str(r->json, "/detail"), "lan");
	http_free(r);
	r = post(inst.direct, "/v1/ip-pools", "{\"name\":\"123\",\"interface\":"
	    "\"0em\",\"cidr\":\"10.82.0.1/24\",\"exclude\":[\"10.83.0.1\","
	    "7],\"colour\":\"red\"}");
	CHECK_INT(r->status, 422);
	CHECK_INT(json_array_size(jptr(r->json, "/errors")), 5);
	CHECK_CONTAINS(r->body, "\"/name\"");
	CHECK_CONTAINS(r->body, "\"/interface\"");
	CHECK_CONTAINS(r->body, "host bits");
	CHECK_CONTAINS(r->body, "\"/exclude/1\"");
	CHECK_CONTAINS(r->body, "\"/colour\"");
	http_free(r);
	r = post(inst.direct, "/v1/ip-pools", "{\"name\":\"p6\",\"interface\":"
	    "\"em0\",\"cidr\":\"fd01::/64\",\"exclude\":[\"fd02::1\","
	    "\"10.0.0.1\",\"fd01::/48\",\"fd01::1\"]}");
	CHECK_INT(r->status, 422);
	CHECK_INT(json_array_size(jptr(r->json, "/errors")), 3);
	CHECK_CONTAINS(r->body, "\"/exclude/0\"");
	CHECK_CONTAINS(r->body, "\"/exclude/1\"");
	CHECK_CONTAINS(r->body, "\"/exclude/2\"");
	http_free(r);
	r = post(inst.direct, "/v1/ip-pools", "{\"name\":\"p6\","
	    "\"interface\":\"em0\",\"cidr\":\"fd01::\"}");
	CHECK_INT(r->status, 422);
	CHECK_STR(jptr_str(r->json, "/errors/0/field"), "/cidr");
	http_free(r);
	r = post(inst.url, "/v1/ip-pools", "{\"name\":\"tiny\",\"interface\":"
	    "\"em0\",\"cidr\":\"10.90.0.0/30\"}");
	CHECK_INT(r->status, 201);
	http_free(r);

	r = http_get(inst.url, "/v1/ip-pools");
	CHECK_INT(r->status, 200);
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 2);
	CHECK_STR(jptr_str(r->json, "/items/0/name"), "lan");
	CHECK_STR(jptr_str(r->json, "/items/1/name"), "tiny");
	CHECK_INT(json_array_size(jptr(r->json, "/items/1/exclude")), 0);
	http_free(r);
	r = http_get(inst.url, "/v1/ip-pools/lan");
	CHECK_INT(r->status, 200);
	CHECK_STR(jptr_str(r->json, "/interface"), "em1");
	CHECK_STR(jptr_str(r->json, "/exclude/0"), "10.80.0.1");
	http_free(r);
	r = http_get(inst.url, "/v1/ip-pools/nosuch");
	CHECK_INT(r->status, 404);
	http_free(r);

	/* Allocation: .0 network, .1 excluded, .2 used, .4-.7 excluded. */
	expect(inst.url, "/v1/jails/db1/ips", "{\"address\":\"10.80.0.2\"}",
	    201, "10.80.0.2/32");
	r = post(inst.url, "/v1/jails/db1/ips", "{\"pool\":\"lan\"}");
	CHECK_INT(r->status, 201);
	CHECK_STR(jptr_str(r->json, "/address"), "10.80.0.3/28");
	CHECK_STR(jptr_str(r->json, "/interface"), "em1");
	CHECK_STR(http_header(r, "Location"), "/v1/jails/db1/ips/10.80.0.3");
	http_free(r);
	r = post(inst.url, "/v1/jails/db1/ips",
	    "{\"pool\":\"lan\",\"interface\":null}");
	CHECK_INT(r->status, 201);
	CHECK_STR(jptr_str(r->json, "/address"), "10.80.0.8/28");
	CHECK(json_is_null(jptr(r->json, "/interface")));
	http_free(r);
	expect(inst.url, "/v1/jails/web1/ips",
	    "{\"pool\":\"lan\",\"interface\":\"em2\"}", 201, "10.80.0.9/28");
	/* A freed address is handed out again first. */
	r = http_json(inst.url, "DELETE", "/v1/jails/db1/ips/10.80.0.3", NULL);
	CHECK_INT(r->status, 204);
	http_free(r);
	expect(inst.url, "/v1/jails/web1/ips", "{\"pool\":\"lan\"}", 201,
	    "10.80.0.3/28");

	/* A full pool: .1 and .2 of a /30, then 409 naming it. */
	expect(inst.url, "/v1/jails/db1/ips", "{\"pool\":\"tiny\"}", 201,
	    "10.90.0.1/30");
	expect(inst.url, "/v1/jails/db1/ips", "{\"pool\":\"tiny\"}", 201,
	    "10.90.0.2/30");
	r = post(inst.url, "/v1/jails/db1/ips", "{\"pool\":\"tiny\"}");
	CHECK_INT(r->status, 409);
	CHECK_CONTAINS(jptr_str(r->json, "/detail"), "tiny");
	http_free(r);
	r = post(inst.url, "/v1/jails/db1/ips", "{\"pool\":\"nosuch\"}");
	CHECK_INT(r->status, 422);
	CHECK_STR(jptr_str(r->json, "/errors/0/field"), "/pool");
	http_free(r);

	r = http_json(inst.url, "DELETE", "/v1/ip-pools/tiny", NULL);
	CHECK_INT(r->status, 204);
	http_free(r);
	r = http_json(inst.url, "DELETE", "/v1/ip-pools/tiny", NULL);
	CHECK_INT(r->status, 404);
	http_free(r);
	/* Its addresses stay with their jail. */
	r = http_get(inst.url, "/v1/jails/db1/ips");
	CHECK_CONTAINS(r->body, "10.90.0.2/30");
	http_free(r);
}

struct racer {
	pthread_barrier_t	*go;
	char			 path[64];
	long			 status;
	char			 address[64];
};

static void *
race(void *arg)
{
	struct racer *x = arg;
	struct http_resp r;
	const char *a;

	pthread_barrier_wait(x->go);
	memset(&r, 0, sizeof(r));
	if (http_do(inst.url, "POST", x->path, "application/json",
	    "{\"pool\":\"conc\"}", NULL, &r) == 0) {
		x->status = r.status;
		a = r.json ? json_string_value(json_object_get(r.json,
		    "address")) : NULL;
		snprintf(x->address, sizeof(x->address), "%s", a ? a : "");
	}
	http_resp_free(&r);
	return NULL;
}

static void
test_concurrent(void)
{
	static struct racer x[NRACE];
	pthread_barrier_t go;
	pthread_t th[NRACE];
	struct http_resp *r;
	char want[32];
	int i, j, seen[NRACE];

	r = post(inst.url, "/v1/ip-pools", "{\"name\":\"conc\",\"interface\":"
	    "\"em0\",\"cidr\":\"10.100.0.0/24\"}");
	CHECK_INT(r->status, 201);
	http_free(r);
	r = http_json(inst.url, "PUT", "/v1/jails/c1", "{\"path\":\"/j/c1\"}");
	CHECK_INT(r->status, 201);
	http_free(r);
	r = http_json(inst.url, "PUT", "/v1/jails/c2", "{\"path\":\"/j/c2\"}");
	CHECK_INT(r->status, 201);
	http_free(r);
	pthread_barrier_init(&go, NULL, NRACE);
	for (i = 0; i < NRACE; i++) {
		x[i].go = &go;
		snprintf(x[i].path, sizeof(x[i].path), "/v1/jails/c%d/ips",
		    1 + i % 2);
		pthread_create(&th[i], NULL, race, &x[i]);
	}
	for (i = 0; i < NRACE; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	/* 20 distinct addresses: exactly .1 to .20. */
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < NRACE; i++) {
		CHECK_INT(x[i].status, 201);
		for (j = 1; j <= NRACE; j++) {
			snprintf(want, sizeof(want), "10.100.0.%d/24", j);
			if (strcmp(x[i].address, want) == 0)
				seen[j - 1]++;
		}
	}
	for (j = 0; j < NRACE; j++)
		CHECK_INT(seen[j], 1);
	r = http_get(inst.url, "/v1/jails/c1/ips");
	CHECK_INT(json_array_size(jptr(r->json, "/items")), NRACE / 2);
	http_free(r);
}

/* /v1/ips items are sorted: IPv4 before IPv6, numeric order. */
static void
check_sorted(json_t *items)
{
	unsigned char a[16], b[16];
	char s[64];
	const char *x;
	size_t i;
	int fa, fb = 0;

	for (i = 0; i < json_array_size(items); i++) {
		x = jptr_str(json_array_get(items, i), "/address");
		CHECK(x != NULL);
		if (x == NULL)
			return;
		snprintf(s, sizeof(s), "%.*s", (int)strcspn(x, "/"), x);
		memset(a, 0, sizeof(a));
		fa = inet_pton(AF_INET, s, a) == 1 ? 4 : 6;
		if (fa == 6)
			CHECK_INT(inet_pton(AF_INET6, s, a), 1);
		if (i > 0) {
			CHECK(fb < fa || (fb == fa && memcmp(b, a, 16) < 0));
		}
		memcpy(b, a, 16);
		fb = fa;
	}
}

static void
test_host_list(void)
{
	const char *hdr[2] = { NULL, NULL };
	char authz[200];
	struct http_resp *r, r2;
	json_t *it;
	size_t i, n_db1 = 0;

	r = http_get(inst.url, "/v1/ips");
	CHECK_INT(r->status, 200);
	/* web1 3 (+ .3, .9 from lan), db1 ..., c1/c2 20 */
	CHECK(json_array_size(jptr(r->json, "/items")) > NRACE + 5);
	check_sorted(jptr(r->json, "/items"));
	CHECK_STR(jptr_str(r->json, "/items/0/address"), "10.70.0.5/32");
	CHECK_STR(jptr_str(r->json, "/items/0/jail"), "web1");
	CHECK_STR(jptr_str(r->json, "/items/0/interface"), "em0");
	CHECK_STR(jptr_str(r->json, "/items/0/family"), "inet");
	json_array_foreach(jptr(r->json, "/items"), i, it)
		if (strcmp(jptr_str(it, "/jail"), "db1") == 0)
			n_db1++;
	CHECK(n_db1 >= 5);
	http_free(r);

	/* A token limited to db1 sees only db1's addresses. */
	r = post(inst.url, "/v1/tokens",
	    "{\"name\":\"d\",\"scope\":\"write\",\"jails\":[\"db1\"]}");
	CHECK_INT(r->status, 201);
	snprintf(authz, sizeof(authz), "Authorization: Bearer %s",
	    jptr_str(r->json, "/token"));
	http_free(r);
	hdr[0] = authz;
	CHECK(http_do(inst.url, "GET", "/v1/ips", NULL, NULL, hdr, &r2) == 0);
	CHECK_INT(r2.status, 200);
	CHECK_INT(json_array_size(jptr(r2.json, "/items")), n_db1);
	json_array_foreach(jptr(r2.json, "/items"), i, it)
		CHECK_STR(jptr_str(it, "/jail"), "db1");
	check_sorted(jptr(r2.json, "/items"));
	http_resp_free(&r2);
	CHECK(http_do(inst.url, "GET", "/v1/jails/web1/ips", NULL, NULL, hdr,
	    &r2) == 0);
	CHECK_INT(r2.status, 404);
	http_resp_free(&r2);
	CHECK(http_do(inst.url, "POST", "/v1/jails/web1/ips",
	    "application/json", "{\"address\":\"10.70.1.1\"}", hdr, &r2) == 0);
	CHECK_INT(r2.status, 404);
	http_resp_free(&r2);
	CHECK(http_do(inst.url, "POST", "/v1/jails/db1/ips",
	    "application/json", "{\"address\":\"10.70.1.1\"}", hdr, &r2) == 0);
	CHECK_INT(r2.status, 201);
	http_resp_free(&r2);
	CHECK(http_do(inst.url, "DELETE", "/v1/jails/db1/ips/10.70.1.1",
	    NULL, NULL, hdr, &r2) == 0);
	CHECK_INT(r2.status, 204);
	http_resp_free(&r2);
	/* Pools: read for GET, admin for changes. */
	CHECK(http_do(inst.url, "GET", "/v1/ip-pools", NULL, NULL, hdr,
	    &r2) == 0);
	CHECK_INT(r2.status, 200);
	http_resp_free(&r2);
	CHECK(http_do(inst.url, "POST", "/v1/ip-pools", "application/json",
	    "{\"name\":\"x\",\"interface\":\"em0\",\"cidr\":\"10.1.0.0/24\"}",
	    hdr, &r2) == 0);
	CHECK_INT(r2.status, 403);
	http_resp_free(&r2);
	CHECK(http_do(inst.url, "DELETE", "/v1/ip-pools/lan", NULL, NULL, hdr,
	    &r2) == 0);
	CHECK_INT(r2.status, 403);
	http_resp_free(&r2);
	/* No credential. */
	hdr[0] = "Authorization:";
	CHECK(http_do(inst.url, "GET", "/v1/ips", NULL, NULL, hdr, &r2) == 0);
	CHECK_INT(r2.status, 401);
	http_resp_free(&r2);
}

int
main(void)
{
	struct http_resp *r;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	r = http_json(inst.url, "PUT", "/v1/jails/web1",
	    "{\"path\":\"/j/web1\",\"state\":\"running\"}");
	CHECK_INT(r->status, 201);
	http_free(r);
	r = http_json(inst.url, "PUT", "/v1/jails/db1", "{\"path\":\"/j/db1\"}");
	CHECK_INT(r->status, 201);
	http_free(r);

	test_jail_ips();
	test_reconcile();
	test_pools();
	test_concurrent();
	test_host_list();

	harness_stop(&inst);
	return check_done();
}
