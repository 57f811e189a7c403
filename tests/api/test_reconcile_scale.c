/*
 * test_reconcile_scale.c - desired state at scale, and restarting jaild.
 *
 * 100 jails are PUT concurrently with state running (each with an alias);
 * all must reach phase running with distinct jids and observed_generation
 * == generation, GET /v1/host must count them and /v1/host/prisons list
 * them as managed.  Then jaild is stopped with SIGTERM and started again on
 * the same data directory: the prisons must survive both (same jids) and
 * the simulated host's journal must show no remove or create by jaild
 * after the restart (issue 3: restarting jaild never stops or restarts
 * healthy jails).
 */
#include <sys/wait.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/lib/api.h"
#include "tests/lib/check.h"
#include "tests/lib/harness.h"
#include "tests/lib/sim.h"

static struct jd_instance inst;

#define NJAILS		100
#define NTHREADS	10

struct putter {
	int	first, step;
	long	status[NJAILS];
};

static void *
put_some(void *arg)
{
	struct putter *p = arg;
	char path[64], body[256];
	int i;

	for (i = p->first; i < NJAILS; i += p->step) {
		snprintf(path, sizeof(path), "/v1/jails/s%03d", i);
		snprintf(body, sizeof(body), "{\"path\":\"/j/s%03d\","
		    "\"state\":\"running\",\"labels\":{\"set\":\"scale\"},"
		    "\"ips\":[{\"interface\":\"em0\","
		    "\"address\":\"10.20.%d.%d\"}]}", i, i / 200, i % 200 + 1);
		p->status[i] = api_status(inst.url, "PUT", path, body);
	}
	return NULL;
}

/* GET /v1/jails?label=set=scale, every page; returns the items. */
static json_t *
list_scale(void)
{
	json_t *all = json_array(), *it;
	struct http_resp *r;
	char path[300];
	const char *cursor = NULL;
	char cur[200] = "";
	size_t i;

	for (;;) {
		snprintf(path, sizeof(path),
		    "/v1/jails?label=set%%3Dscale&limit=40%s%s",
		    cursor ? "&cursor=" : "", cursor ? cur : "");
		r = http_get(inst.url, path);
		CHECK_INT(r->status, 200);
		json_array_foreach(json_object_get(r->json, "items"), i, it)
			json_array_append(all, it);
		cursor = jptr_str(r->json, "/next_cursor");
		if (cursor == NULL) {
			http_free(r);
			break;
		}
		snprintf(cur, sizeof(cur), "%s", cursor);
		cursor = cur;
		http_free(r);
	}
	return all;
}

/* Whether all NJAILS jails are running at their generation. */
static int
all_running(json_t *items)
{
	json_t *it;
	size_t i;
	int n = 0;

	json_array_foreach(items, i, it)
		if (strcmp(jptr_str(it, "/status/phase"), "running") == 0 &&
		    jptr_int(it, "/status/observed_generation") ==
		    jptr_int(it, "/generation"))
			n++;
	return n == NJAILS;
}

/* list_scale() every 250 ms until all_running() or timeout_ms is up. */
static json_t *
wait_all_running(int timeout_ms)
{
	long long deadline = harness_now_ms() + timeout_ms;
	json_t *items;

	for (;;) {
		items = list_scale();
		if (all_running(items) || harness_now_ms() > deadline)
			return items;
		json_decref(items);
		harness_msleep(250);
	}
}

int
main(void)
{
	static struct putter put[NTHREADS];
	pthread_t th[NTHREADS];
	json_t *items = NULL, *it, *host, *prisons;
	struct http_resp *r;
	int jids[NJAILS], seen[NJAILS];
	char *journal, *out, name[64];
	long long deadline, t0;
	size_t i;
	int t, idx;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	t0 = harness_now_ms();

	/* 1. 100 jails, PUT concurrently. */
	for (t = 0; t < NTHREADS; t++) {
		put[t].first = t;
		put[t].step = NTHREADS;
		CHECK(pthread_create(&th[t], NULL, put_some, &put[t]) == 0);
	}
	for (t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	for (t = 0; t < NJAILS; t++)
		CHECK_INT(put[t % NTHREADS].status[t], 201);

	items = wait_all_running(45000);
	printf("# all running after %lld ms\n", harness_now_ms() - t0);
	CHECK_INT(json_array_size(items), NJAILS);
	CHECK(all_running(items));
	memset(jids, 0, sizeof(jids));
	json_array_foreach(items, i, it) {
		CHECK(sscanf(jptr_str(it, "/name"), "s%d", &idx) == 1);
		CHECK(idx >= 0 && idx < NJAILS);
		CHECK_STR(jptr_str(it, "/status/phase"), "running");
		CHECK(jptr_int(it, "/status/jid") > 0);
		CHECK_INT(jptr_int(it, "/status/observed_generation"),
		    jptr_int(it, "/generation"));
		CHECK(jptr(it, "/status/message") == NULL ||
		    json_is_null(jptr(it, "/status/message")));
		CHECK_INT(json_array_size(jptr(it, "/status/drift")), 0);
		jids[idx] = (int)jptr_int(it, "/status/jid");
		/* distinct jids */
		for (t = 0; t < idx; t++)
			CHECK(jids[t] == 0 || jids[t] != jids[idx]);
		for (t = idx + 1; t < NJAILS; t++)
			CHECK(jids[t] == 0 || jids[t] != jids[idx]);
	}
	json_decref(items);
	for (t = 0; t < NJAILS; t++)
		CHECK(jids[t] > 0);

	/* The host agrees: each prison with the jid jaild reports. */
	out = SIM_OK(&inst, "ls --json");
	prisons = json_loads(out, 0, NULL);
	free(out);
	CHECK(prisons != NULL);
	memset(seen, 0, sizeof(seen));
	json_array_foreach(json_object_get(prisons, "items"), i, it) {
		CHECK(sscanf(jptr_str(it, "/name"), "s%d", &idx) == 1);
		CHECK_INT(jptr_int(it, "/jid"), jids[idx]);
		CHECK(!json_is_true(jptr(it, "/dying")));
		seen[idx]++;
	}
	json_decref(prisons);
	for (t = 0; t < NJAILS; t++)
		CHECK_INT(seen[t], 1);

	/* GET /v1/host counts them; the snapshot follows within a resync. */
	deadline = harness_now_ms() + 5000;
	for (;;) {
		r = http_get(inst.url, "/v1/host");
		CHECK_INT(r->status, 200);
		host = json_incref(r->json);
		http_free(r);
		if (jptr_int(host, "/counts/prisons") == NJAILS ||
		    harness_now_ms() > deadline)
			break;
		json_decref(host);
		harness_msleep(200);
	}
	CHECK_STR(jptr_str(host, "/backend"), "sim");
	CHECK_INT(jptr_int(host, "/counts/jails"), NJAILS);
	CHECK_INT(jptr_int(host, "/counts/running"), NJAILS);
	CHECK_INT(jptr_int(host, "/counts/prisons"), NJAILS);
	CHECK_INT(jptr_int(host, "/counts/unmanaged"), 0);
	json_decref(host);

	r = http_get(inst.url, "/v1/host/prisons");
	CHECK_INT(r->status, 200);
	CHECK_INT(json_array_size(json_object_get(r->json, "items")), NJAILS);
	memset(seen, 0, sizeof(seen));
	json_array_foreach(json_object_get(r->json, "items"), i, it) {
		CHECK(sscanf(jptr_str(it, "/name"), "s%d", &idx) == 1);
		CHECK(json_is_true(jptr(it, "/managed")));
		CHECK_INT(jptr_int(it, "/jid"), jids[idx]);
		snprintf(name, sizeof(name), "10.20.%d.%d", idx / 200,
		    idx % 200 + 1);
		CHECK_STR(jptr_str(it, "/ips/0"), name);
		seen[idx]++;
	}
	http_free(r);
	for (t = 0; t < NJAILS; t++)
		CHECK_INT(seen[t], 1);

	/* 11. SIGTERM jaild: the prisons stay. */
	free(SIM_OK(&inst, "journal --clear"));
	CHECK(WIFEXITED(harness_kill(&inst, SIGTERM)));
	out = SIM_OK(&inst, "ls --json");
	prisons = json_loads(out, 0, NULL);
	free(out);
	CHECK_INT(json_array_size(json_object_get(prisons, "items")), NJAILS);
	json_decref(prisons);

	/* Start it again; give it several resyncs to (not) act. */
	CHECK(harness_restart(&inst) == 0);
	items = wait_all_running(20000);
	printf("# restarted and settled after %lld ms\n",
	    harness_now_ms() - t0);
	harness_msleep(3500);
	json_decref(items);
	items = list_scale();
	CHECK_INT(json_array_size(items), NJAILS);
	CHECK(all_running(items));
	json_array_foreach(items, i, it) {
		CHECK(sscanf(jptr_str(it, "/name"), "s%d", &idx) == 1);
		CHECK_INT(jptr_int(it, "/status/jid"), jids[idx]);
	}
	json_decref(items);
	/* The host still has the same prisons, none dying. */
	out = SIM_OK(&inst, "ls --json --dying");
	prisons = json_loads(out, 0, NULL);
	free(out);
	CHECK(prisons != NULL);
	CHECK_INT(json_array_size(json_object_get(prisons, "items")), NJAILS);
	json_array_foreach(json_object_get(prisons, "items"), i, it) {
		CHECK(sscanf(jptr_str(it, "/name"), "s%d", &idx) == 1);
		CHECK_INT(jptr_int(it, "/jid"), jids[idx]);
		CHECK(!json_is_true(jptr(it, "/dying")));
	}
	json_decref(prisons);
	journal = SIM_OK(&inst, "journal");
	/* Nothing jaild did to the host since the restart changed it. */
	CHECK_INT(sim_count_lines(journal, "create", NULL), 0);
	CHECK_INT(sim_count_lines(journal, "remove", NULL), 0);
	CHECK_INT(sim_count_lines(journal, "addr_", NULL), 0);
	CHECK_INT(sim_count_lines(journal, "mount", NULL), 0);
	CHECK_INT(sim_count_lines(journal, "unmount", NULL), 0);
	CHECK_INT(sim_count_lines(journal, "signal", NULL), 0);
	CHECK_INT(sim_count_lines(journal, "update", NULL), 0);
	free(journal);
	printf("# done after %lld ms\n", harness_now_ms() - t0);
	harness_stop(&inst);
	return check_done();
}
