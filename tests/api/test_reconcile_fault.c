/*
 * test_reconcile_fault.c - a failing lifecycle step is undone, the jail
 * is failed with the step in its message, and it recovers by itself once
 * the host works again.
 *
 * The sim fails every mount with EPERM (jaild-sim fault mount 1 EPERM
 * --every); a jail with an alias and a devfs mount is created.  The alias
 * is added before the mount, so the undo must remove it: no alias, no
 * mount and no prison may be left.  jaild retries with backoff (the
 * journal shows several refused mounts, each undone) while the other jails
 * go on; once the fault is cleared the jail reaches running without any
 * new request.
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

static const char f1_body[] =
    "{\"path\":\"/j/f1\",\"state\":\"running\","
    "\"ips\":[{\"interface\":\"em0\",\"address\":\"10.50.0.1\"}],"
    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\",\"ruleset\":4}]}";

/*
 * Whether nothing of f1 is on the host: no alias, no mount, no prison.
 * jaild keeps retrying, and a sample taken inside one attempt (between
 * its addr_add and the undo) sees the alias for a moment, so callers
 * sample a few times: a leak shows in every sample.
 */
static int
f1_clean(void)
{
	char *a = SIM_OK(&inst, "addrs"), *m = SIM_OK(&inst, "mounts");
	char *l = SIM_OK(&inst, "ls --dying");
	int clean = strstr(a, "10.50.0.1") == NULL &&
	    strstr(m, "/j/f1") == NULL && strstr(l, " f1 ") == NULL;

	free(a);
	free(m);
	free(l);
	return clean;
}

static void
check_clean(void)
{
	int k, clean;

	for (k = 0; !(clean = f1_clean()) && k < 5; k++)
		harness_msleep(150);
	CHECK(clean);
	CHECK_INT(sim_prison_jid(&inst, "f1"), 0);
}

int
main(void)
{
	json_t *doc;
	const char *msg;
	char *journal, *out;
	int mounts_refused = 0, alias_adds = 0, alias_dels = 0, k;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	/* A bystander that must keep running throughout. */
	json_decref(REQ(&inst, "PUT", "/v1/jails/ok1?wait=30",
	    "{\"path\":\"/j/ok1\",\"state\":\"running\"}", 201));

	free(SIM_OK(&inst, "journal --clear"));
	free(SIM_OK(&inst, "fault mount 1 EPERM --every"));
	json_decref(REQ(&inst, "PUT", "/v1/jails/f1", f1_body, 201));
	doc = api_jail_wait_phase(&inst, "f1", "failed", 0, 10000);
	msg = jptr_str(doc, "/status/message");
	CHECK(msg != NULL);
	CHECK_CONTAINS(msg, "mount");
	CHECK_CONTAINS(msg, "/j/f1/dev");
	CHECK_CONTAINS(msg, "Operation not permitted");
	CHECK(json_is_null(jptr(doc, "/status/jid")));
	json_decref(doc);
	CHECK(api_events_count(&inst, "f1", "failed", 0) >= 1);
	check_clean();

	/* Retries go on (backoff 1 s, 2 s, ...), each one undone. */
	harness_msleep(3500);
	doc = api_jail_get(&inst, "f1");
	CHECK_STR(jptr_str(doc, "/status/phase"), "failed");
	json_decref(doc);
	check_clean();
	for (k = 0; ; k++) {	/* a sample between attempts */
		journal = SIM_OK(&inst, "journal");
		mounts_refused = sim_count_lines(journal,
		    "mount devfs devfs /j/f1/dev", "-> EPERM");
		alias_adds = sim_count_lines(journal,
		    "addr_add em0 inet 10.50.0.1/", NULL);
		alias_dels = sim_count_lines(journal,
		    "addr_del em0 inet 10.50.0.1", NULL);
		if ((alias_adds == mounts_refused &&
		    alias_dels == alias_adds) || k == 4)
			break;
		free(journal);
		harness_msleep(150);
	}
	CHECK(mounts_refused >= 2);
	CHECK_INT(alias_adds, mounts_refused);
	CHECK_INT(alias_dels, alias_adds);
	CHECK_INT(sim_count_lines(journal, "create", NULL), 0);
	free(journal);
	/* the bystander was not disturbed */
	doc = api_jail_get(&inst, "ok1");
	CHECK_STR(jptr_str(doc, "/status/phase"), "running");
	json_decref(doc);

	/* The admin fixes the host: f1 recovers on its own. */
	free(SIM_OK(&inst, "fault clear"));
	doc = api_jail_wait_phase(&inst, "f1", "running", 0, 15000);
	CHECK(jptr_int(doc, "/status/jid") > 0);
	CHECK(json_is_null(jptr(doc, "/status/message")));
	CHECK_INT(sim_prison_jid(&inst, "f1"), jptr_int(doc, "/status/jid"));
	json_decref(doc);
	out = SIM_OK(&inst, "addrs");
	CHECK_CONTAINS(out, "em0 inet 10.50.0.1/32");
	free(out);
	out = SIM_OK(&inst, "mounts");
	CHECK_CONTAINS(out, "devfs on /j/f1/dev (devfs, ruleset=4)");
	free(out);
	CHECK(api_events_count(&inst, "f1", "started", 0) >= 1);

	/* A one-shot fault on create: the attempt is undone, then retried. */
	free(SIM_OK(&inst, "journal --clear"));
	free(SIM_OK(&inst, "fault create 1 ENOMEM"));
	json_decref(REQ(&inst, "PUT", "/v1/jails/f2",
	    "{\"path\":\"/j/f2\",\"state\":\"running\","
	    "\"ips\":[{\"interface\":\"em0\",\"address\":\"10.50.0.2\"}],"
	    "\"mounts\":[{\"type\":\"tmpfs\",\"target\":\"/tmp\"}]}", 201));
	doc = api_jail_wait_phase(&inst, "f2", "running", 0, 15000);
	json_decref(doc);
	CHECK(api_events_count(&inst, "f2", "failed", 0) >= 1);
	journal = SIM_OK(&inst, "journal");
	CHECK_INT(sim_count_lines(journal, "create name=f2", "-> ENOMEM"), 1);
	CHECK_INT(sim_count_lines(journal, "unmount /j/f2/tmp", NULL), 1);
	CHECK_INT(sim_count_lines(journal, "addr_del em0 inet 10.50.0.2",
	    NULL), 1);
	CHECK_INT(sim_count_lines(journal, "addr_add em0 inet 10.50.0.2",
	    NULL), 2);
	free(journal);
	out = SIM_OK(&inst, "mounts");
	CHECK_INT(sim_count_lines(out, "tmpfs on /j/f2/tmp", NULL), 1);
	free(out);

	harness_stop(&inst);
	return check_done();
}
