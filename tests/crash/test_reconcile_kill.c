/*
 * test_reconcile_kill.c - jaild killed with SIGKILL in the middle of
 * creating 50 jails converges after a restart without leaking anything.
 *
 * 50 jails (each with an alias, a devfs and a tmpfs mount) are PUT
 * concurrently while the simulated host is slowed down (delays on create
 * and mount), so that jaild is killed with some prisons created, one
 * attempt half-done (alias and mounts but no prison yet) and the rest not
 * started.  This happens twice.  After the final restart every jail must
 * run with the jid the host reports, every address must be configured
 * exactly once, every mount must belong to a defined jail and be there
 * once, and every prison on the host must be a defined jail.  The host is
 * inspected through the sim backend itself (host_prison_list,
 * host_addr_list, host_mount_list) opened as the admin.
 */
#include <sys/wait.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "prison/host.h"
#include "tests/lib/api.h"
#include "tests/lib/check.h"
#include "tests/lib/harness.h"

#define NJAILS		50
#define NTHREADS	10

static struct jd_instance inst;

struct putter {
	int	first;
	long	status[NJAILS];
};

static void
jail_address(int i, char *out, size_t outsz)
{
	snprintf(out, outsz, "10.70.%d.%d", i / 100, i % 100 + 1);
}

static void *
put_some(void *arg)
{
	struct putter *p = arg;
	char path[64], body[512], addr[32];
	int i;

	for (i = p->first; i < NJAILS; i += NTHREADS) {
		jail_address(i, addr, sizeof(addr));
		snprintf(path, sizeof(path), "/v1/jails/k%02d", i);
		snprintf(body, sizeof(body), "{\"path\":\"/j/k%02d\","
		    "\"state\":\"running\",\"labels\":{\"set\":\"kill\"},"
		    "\"ips\":[{\"interface\":\"em0\",\"address\":\"%s\"}],"
		    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\","
		    "\"ruleset\":4},{\"type\":\"tmpfs\",\"target\":\"/tmp\","
		    "\"size\":\"64m\"}]}", i, addr);
		p->status[i] = api_status(inst.url, "PUT", path, body);
	}
	return NULL;
}

/* The index of jail name "kNN", or -1. */
static int
jail_index(const char *name)
{
	int i;
	char rest;

	if (name == NULL || sscanf(name, "k%2d%c", &i, &rest) != 1 || i < 0 ||
	    i >= NJAILS || strlen(name) != 3)
		return -1;
	return i;
}

/* Live prisons that are defined jails (the sim opened as the admin). */
static int
prisons_up(void)
{
	struct host_prison_list l;
	struct jd_error err;
	struct host *h;
	size_t i;
	int n = 0;

	CHECK(host_open_flags("sim", inst.datadir, HOST_OPEN_ADMIN, &h,
	    &err) == 0);
	CHECK(host_prison_list(h, 0, &l, &err) == 0);
	for (i = 0; i < l.n; i++)
		n += jail_index(l.v[i].name) >= 0;
	host_prison_list_free(&l);
	host_close(h);
	return n;
}

/* How many jails the API shows running at their generation; jids out. */
static int
api_running(int *jids)
{
	struct http_resp *r;
	json_t *it, *st;
	size_t i;
	int n = 0, idx;

	r = http_get(inst.url, "/v1/jails?label=set%3Dkill&limit=1000");
	CHECK_INT(r->status, 200);
	CHECK_INT(json_array_size(json_object_get(r->json, "items")),
	    NJAILS);
	json_array_foreach(json_object_get(r->json, "items"), i, it) {
		idx = jail_index(json_string_value(json_object_get(it,
		    "name")));
		CHECK(idx >= 0);
		st = json_object_get(it, "status");
		jids[idx] = json_is_integer(json_object_get(st, "jid")) ?
		    (int)json_integer_value(json_object_get(st, "jid")) : 0;
		if (strcmp(json_string_value(json_object_get(st, "phase")),
		    "running") == 0 && json_integer_value(json_object_get(st,
		    "observed_generation")) == json_integer_value(
		    json_object_get(it, "generation")))
			n++;
	}
	http_free(r);
	return n;
}

/*
 * Kill jaild once at least `atleast` prisons are up (but not all), a
 * little after a create, when the next attempt has likely added its alias
 * and mounts and sleeps in the slowed-down create.  Returns 1 when it did
 * cut an attempt off half-way (more aliases than prisons).
 */
static int
kill_midway(int atleast)
{
	long long end = harness_now_ms() + 30000;
	struct host_addr_list al;
	struct host_mount_list ml;
	struct jd_error err;
	struct host *h;
	int up, half;

	while ((up = prisons_up()) < atleast && harness_now_ms() < end)
		harness_msleep(20);
	harness_msleep(120);
	CHECK(harness_kill(&inst, SIGKILL) != -1);
	up = prisons_up();
	CHECK(host_open_flags("sim", inst.datadir, HOST_OPEN_ADMIN, &h,
	    &err) == 0);
	CHECK(host_addr_list(h, &al, &err) == 0);
	CHECK(host_mount_list(h, &ml, &err) == 0);
	/* more aliases than prisons: an attempt was cut off half-way */
	printf("# killed with %d of %d prisons up, %zu aliases, %zu mounts\n",
	    up, NJAILS, al.n, ml.n);
	half = al.n > (size_t)up;
	host_addr_list_free(&al);
	host_mount_list_free(&ml);
	host_close(h);
	CHECK(up >= atleast);
	CHECK(up < NJAILS);
	return half;
}

int
main(void)
{
	static struct putter put[NTHREADS];
	pthread_t th[NTHREADS];
	struct host_prison_list pl;
	struct host_addr_list al;
	struct host_mount_list ml;
	struct jd_error err;
	struct host *h;
	int jids[NJAILS], seen[NJAILS], mounts[NJAILS][2];
	char addr[32], want[64];
	long long end;
	size_t i, j;
	int t, idx, n, half;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	CHECK(host_sim_delay_set(inst.datadir, "create", 150, &err) == 0);
	CHECK(host_sim_delay_set(inst.datadir, "mount", 30, &err) == 0);

	for (t = 0; t < NTHREADS; t++) {
		put[t].first = t;
		CHECK(pthread_create(&th[t], NULL, put_some, &put[t]) == 0);
	}
	for (t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	for (t = 0; t < NJAILS; t++)
		CHECK_INT(put[t % NTHREADS].status[t], 201);

	/* Round 1: kill after some converged. */
	half = kill_midway(8);
	CHECK(harness_restart(&inst) == 0);
	/* Round 2: kill again mid-way through the rest. */
	half += kill_midway(25);
	/* at least one kill left an attempt half-done for the restart */
	CHECK(half >= 1);
	CHECK(host_sim_delay_set(inst.datadir, "create", 0, &err) == 0);
	CHECK(host_sim_delay_set(inst.datadir, "mount", 0, &err) == 0);
	CHECK(harness_restart(&inst) == 0);

	end = harness_now_ms() + 30000;
	while ((n = api_running(jids)) < NJAILS && harness_now_ms() < end)
		harness_msleep(200);
	CHECK_INT(n, NJAILS);
	harness_msleep(1500);	/* a resync more: nothing may change now */
	CHECK_INT(api_running(jids), NJAILS);

	CHECK(host_open_flags("sim", inst.datadir, HOST_OPEN_ADMIN, &h,
	    &err) == 0);

	/* Every prison (dying ones too) is a defined jail, each live once,
	   with the jid jaild reports. */
	CHECK(host_prison_list(h, 1, &pl, &err) == 0);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < pl.n; i++) {
		idx = jail_index(pl.v[i].name);
		CHECK(idx >= 0);
		if (pl.v[i].dying)
			continue;
		seen[idx]++;
		CHECK_INT(pl.v[i].jid, jids[idx]);
		CHECK_STR(pl.v[i].path, (snprintf(want, sizeof(want),
		    "/j/k%02d", idx), want));
	}
	for (t = 0; t < NJAILS; t++)
		CHECK_INT(seen[t], 1);
	host_prison_list_free(&pl);

	/* Every address once, and only the jails' addresses. */
	CHECK(host_addr_list(h, &al, &err) == 0);
	CHECK_INT(al.n, NJAILS);
	for (i = 0; i < al.n; i++)
		for (j = i + 1; j < al.n; j++)
			CHECK(strcmp(al.v[i].address, al.v[j].address) != 0);
	for (t = 0; t < NJAILS; t++) {
		jail_address(t, addr, sizeof(addr));
		for (i = 0, n = 0; i < al.n; i++)
			n += strcmp(al.v[i].address, addr) == 0;
		CHECK_INT(n, 1);
	}
	host_addr_list_free(&al);

	/* Every mount belongs to a defined jail, none twice, none missing. */
	CHECK(host_mount_list(h, &ml, &err) == 0);
	memset(mounts, 0, sizeof(mounts));
	for (i = 0; i < ml.n; i++) {
		char name[8], rest[32];

		CHECK(sscanf(ml.v[i].target, "/j/%3[^/]/%31s", name, rest) ==
		    2);
		idx = jail_index(name);
		CHECK(idx >= 0);
		if (strcmp(rest, "dev") == 0) {
			CHECK_STR(ml.v[i].type, "devfs");
			mounts[idx][0]++;
		} else {
			CHECK_STR(rest, "tmp");
			CHECK_STR(ml.v[i].type, "tmpfs");
			mounts[idx][1]++;
		}
	}
	for (t = 0; t < NJAILS; t++) {
		CHECK_INT(mounts[t][0], 1);
		CHECK_INT(mounts[t][1], 1);
	}
	CHECK_INT(ml.n, 2 * NJAILS);
	host_mount_list_free(&ml);
	host_close(h);

	harness_stop(&inst);
	return check_done();
}
