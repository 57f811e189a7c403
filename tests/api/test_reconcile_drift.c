/*
 * test_reconcile_drift.c - changes made on the host behind jaild's back
 * are repaired.
 *
 * The admin (jaild-sim) removes a running prison, lowers its securelevel
 * and deletes its alias; each time jaild must put it back within a couple
 * of resyncs (resync_interval_s=1) and record a drift_repaired event,
 * without touching what was not changed.  (Create-only changes are in
 * test_reconcile_restart.c.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/lib/api.h"
#include "tests/lib/check.h"
#include "tests/lib/harness.h"
#include "tests/lib/sim.h"

static struct jd_instance inst;

static const char d1_body[] =
    "{\"path\":\"/j/d1\",\"state\":\"running\",\"restart_policy\":\"manual\","
    "\"params\":{\"securelevel\":2},"
    "\"ips\":[{\"interface\":\"em0\",\"address\":\"10.30.0.1\"}],"
    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\",\"ruleset\":4}]}";

/* Whether `jaild-sim addrs` lists address. */
static int
sim_has_addr(const char *address)
{
	char *out = SIM_OK(&inst, "addrs"), needle[96];
	int has;

	snprintf(needle, sizeof(needle), " %s/", address);
	has = strstr(out, needle) != NULL;
	free(out);
	return has;
}

int
main(void)
{
	json_t *doc;
	long long since, end;
	char val[64], *out;
	int jid, jid2;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	doc = REQ(&inst, "PUT", "/v1/jails/d1?wait=30", d1_body, 201);
	CHECK_STR(jptr_str(doc, "/status/phase"), "running");
	jid = (int)jptr_int(doc, "/status/jid");
	CHECK(jid > 0);
	json_decref(doc);
	CHECK_INT(sim_prison_jid(&inst, "d1"), jid);
	sim_prison_param(&inst, "d1", "securelevel", val, sizeof(val));
	CHECK_STR(val, "2");
	CHECK(sim_has_addr("10.30.0.1"));

	/* 2. The admin removes the prison: back with a new jid. */
	since = api_events_last(&inst);
	out = SIM_OK(&inst, "remove d1");
	CHECK_CONTAINS(out, "d1: removed");
	free(out);
	/* gone, or already back */
	CHECK(sim_prison_jid(&inst, "d1") != jid);
	doc = api_jail_wait_phase(&inst, "d1", "running", jid, 5000);
	jid2 = (int)jptr_int(doc, "/status/jid");
	CHECK(jid2 > jid);
	json_decref(doc);
	CHECK_INT(sim_prison_jid(&inst, "d1"), jid2);
	CHECK(api_events_wait(&inst, "d1", "drift_repaired", since, 3000) >= 1);
	CHECK_INT(api_events_count(&inst, "d1", "failed", since), 0);
	/* the recreated prison has its parameters, alias and mount */
	sim_prison_param(&inst, "d1", "securelevel", val, sizeof(val));
	CHECK_STR(val, "2");
	CHECK(sim_has_addr("10.30.0.1"));
	out = SIM_OK(&inst, "mounts");
	CHECK_CONTAINS(out, "devfs on /j/d1/dev (devfs, ruleset=4)");
	free(out);
	jid = jid2;

	/* 3. The admin lowers securelevel: restored in place. */
	since = api_events_last(&inst);
	out = SIM_OK(&inst, "set d1 securelevel=0");
	CHECK_CONTAINS(out, "d1: updated");
	free(out);
	end = harness_now_ms() + 5000;
	do {
		harness_msleep(100);
		sim_prison_param(&inst, "d1", "securelevel", val, sizeof(val));
	} while (strcmp(val, "2") != 0 && harness_now_ms() < end);
	CHECK_STR(val, "2");
	CHECK(api_events_wait(&inst, "d1", "drift_repaired", since, 3000) >= 1);
	CHECK_INT(sim_prison_jid(&inst, "d1"), jid);	/* not recreated */
	doc = api_jail_wait_phase(&inst, "d1", "running", 0, 3000);
	CHECK_INT(jptr_int(doc, "/status/jid"), jid);
	CHECK_INT(json_array_size(jptr(doc, "/status/drift")), 0);
	json_decref(doc);

	/* 6. The admin deletes the alias: restored. */
	since = api_events_last(&inst);
	out = SIM_OK(&inst, "addr-del d1 10.30.0.1");
	CHECK_CONTAINS(out, "d1: removed alias em0 10.30.0.1");
	free(out);
	end = harness_now_ms() + 5000;
	while (!sim_has_addr("10.30.0.1") && harness_now_ms() < end)
		harness_msleep(100);
	CHECK(sim_has_addr("10.30.0.1"));
	CHECK(api_events_wait(&inst, "d1", "drift_repaired", since, 3000) >= 1);
	CHECK_INT(sim_prison_jid(&inst, "d1"), jid);

	harness_stop(&inst);
	return check_done();
}
