/*
 * test_reconcile_restart.c - a create-only change on a running jail:
 * needs_restart with restart_policy manual, a restart with auto.
 *
 * path and params.osrelease cannot change on a live prison (jail_set
 * JAIL_UPDATE refuses them).  With restart_policy manual the jail must keep
 * running on the old prison, its status.drift naming the field with reason
 * needs_restart and status.message telling to restart; with auto jaild
 * must stop and recreate it (new jid, a restarted event, no drift left).
 *
 * Some properties are recorded as they are seen and judged at the end
 * (deferred), so that one broken detail does not hide the others.
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

static char deferred[16][700];
static int ndeferred;

/* A check judged at the end of the test (see the file comment). */
#define DEFER(e, what) do {						\
	if (e)								\
		check_pass();						\
	else if (ndeferred < 16)					\
		snprintf(deferred[ndeferred++], sizeof(deferred[0]),	\
		    "%s:%d: %s (%s)", __FILE__, __LINE__, #e, what);	\
} while (0)

static const char r1_body[] =
    "{\"path\":\"/j/r1\",\"state\":\"running\",\"restart_policy\":\"manual\","
    "\"ips\":[{\"interface\":\"em0\",\"address\":\"10.40.0.1\"}],"
    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\",\"ruleset\":4}]}";

/* The needs_restart drift entry for field in doc, or NULL (borrowed). */
static json_t *
needs_restart(json_t *doc, const char *field)
{
	json_t *it;
	size_t i;

	json_array_foreach(jptr(doc, "/status/drift"), i, it)
		if (jptr_str(it, "/reason") != NULL &&
		    strcmp(jptr_str(it, "/reason"), "needs_restart") == 0 &&
		    jptr_str(it, "/field") != NULL &&
		    strcmp(jptr_str(it, "/field"), field) == 0)
			return it;
	return NULL;
}

int
main(void)
{
	json_t *doc, *it, *p;
	long long since;
	char val[64], *out;
	int jid, jid2, k;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	doc = REQ(&inst, "PUT", "/v1/jails/r1?wait=30", r1_body, 201);
	CHECK_STR(jptr_str(doc, "/status/phase"), "running");
	jid = (int)jptr_int(doc, "/status/jid");
	CHECK(jid > 0);
	json_decref(doc);

	/* a. path changes, restart_policy manual: needs_restart. */
	since = api_events_last(&inst);
	doc = REQ(&inst, "PATCH", "/v1/jails/r1", "{\"path\":\"/j/r1-new\"}",
	    200);
	CHECK_INT(jptr_int(doc, "/generation"), 2);
	json_decref(doc);
	doc = api_jail_wait_phase(&inst, "r1", "running", 0, 5000);
	CHECK_INT(jptr_int(doc, "/status/jid"), jid);
	it = needs_restart(doc, "/path");
	CHECK(it != NULL);
	CHECK_STR(jptr_str(it, "/desired"), "/j/r1-new");
	CHECK_STR(jptr_str(it, "/observed"), "/j/r1");
	DEFER(jptr_str(doc, "/status/message") != NULL,
	    "status.message is set as soon as the generation is observed with "
	    "a needs_restart drift");
	json_decref(doc);
	/* It stays running on the old prison over several resyncs. */
	for (k = 0; k < 3; k++) {
		harness_msleep(1000);
		doc = api_jail_get(&inst, "r1");
		CHECK_STR(jptr_str(doc, "/status/phase"), "running");
		CHECK_INT(jptr_int(doc, "/status/jid"), jid);
		CHECK(needs_restart(doc, "/path") != NULL);
		json_decref(doc);
	}
	doc = api_jail_get(&inst, "r1");
	CHECK(jptr_str(doc, "/status/message") != NULL);
	CHECK_CONTAINS(jptr_str(doc, "/status/message"), "restart");
	json_decref(doc);
	p = sim_prison(&inst, "r1");
	CHECK(p != NULL);
	CHECK_INT(jptr_int(p, "/jid"), jid);
	CHECK_STR(jptr_str(p, "/path"), "/j/r1");
	json_decref(p);
	CHECK_INT(api_events_count(&inst, "r1", "restarted", since), 0);
	out = SIM_OK(&inst, "mounts");
	DEFER(strstr(out, "devfs on /j/r1/dev ") != NULL,
	    "the running prison (root /j/r1) keeps its devfs while the path "
	    "change waits for a restart");
	DEFER(strstr(out, "/j/r1-new/") == NULL,
	    "nothing is mounted under the new root before the restart");
	free(out);

	/* b. restart_policy auto: restarted at the new path. */
	since = api_events_last(&inst);
	json_decref(REQ(&inst, "PATCH", "/v1/jails/r1",
	    "{\"restart_policy\":\"auto\"}", 200));
	doc = api_jail_wait_phase(&inst, "r1", "running", jid, 8000);
	jid2 = (int)jptr_int(doc, "/status/jid");
	CHECK(jid2 > jid);
	CHECK_INT(json_array_size(jptr(doc, "/status/drift")), 0);
	CHECK(json_is_null(jptr(doc, "/status/message")));
	json_decref(doc);
	CHECK(api_events_wait(&inst, "r1", "restarted", since, 3000) >= 1);
	p = sim_prison(&inst, "r1");
	CHECK(p != NULL);
	CHECK_INT(jptr_int(p, "/jid"), jid2);
	CHECK_STR(jptr_str(p, "/path"), "/j/r1-new");
	json_decref(p);
	out = SIM_OK(&inst, "mounts");
	CHECK_CONTAINS(out, "devfs on /j/r1-new/dev (devfs, ruleset=4)");
	CHECK(strstr(out, "/j/r1/dev") == NULL);	/* not leaked */
	free(out);
	out = SIM_OK(&inst, "addrs");
	CHECK_CONTAINS(out, "em0 inet 10.40.0.1/32");
	free(out);
	jid = jid2;

	/* c. params.osrelease with manual again: needs_restart. */
	since = api_events_last(&inst);
	json_decref(REQ(&inst, "PATCH", "/v1/jails/r1", "{\"restart_policy\":"
	    "\"manual\",\"params\":{\"osrelease\":\"13.2-RELEASE\"}}", 200));
	doc = api_jail_wait_phase(&inst, "r1", "running", 0, 5000);
	CHECK_INT(jptr_int(doc, "/status/jid"), jid);
	it = needs_restart(doc, "/params/osrelease");
	CHECK(it != NULL);
	CHECK_STR(jptr_str(it, "/desired"), "13.2-RELEASE");
	json_decref(doc);
	harness_msleep(2000);
	doc = api_jail_get(&inst, "r1");
	CHECK_INT(jptr_int(doc, "/status/jid"), jid);
	CHECK(needs_restart(doc, "/params/osrelease") != NULL);
	CHECK(jptr_str(doc, "/status/message") != NULL);
	json_decref(doc);
	sim_prison_param(&inst, "r1", "osrelease", val, sizeof(val));
	CHECK_STR(val, "14.1-RELEASE");

	/* d. and auto applies it with a restart. */
	json_decref(REQ(&inst, "PATCH", "/v1/jails/r1",
	    "{\"restart_policy\":\"auto\"}", 200));
	doc = api_jail_wait_phase(&inst, "r1", "running", jid, 8000);
	CHECK_INT(json_array_size(jptr(doc, "/status/drift")), 0);
	jid2 = (int)jptr_int(doc, "/status/jid");
	json_decref(doc);
	CHECK(api_events_wait(&inst, "r1", "restarted", since, 3000) >= 1);
	CHECK_INT(sim_prison_jid(&inst, "r1"), jid2);
	sim_prison_param(&inst, "r1", "osrelease", val, sizeof(val));
	CHECK_STR(val, "13.2-RELEASE");

	harness_stop(&inst);
	for (k = 0; k < ndeferred; k++)
		printf("# deferred failure: %s\n", deferred[k]);
	if (ndeferred > 0)
		check_fail(__FILE__, __LINE__, "deferred checks", deferred[0]);
	return check_done();
}
