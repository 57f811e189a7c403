/*
 * test_reconcile_depends.c - starts and stops ordered by depends.
 *
 * b depends on a.  b is created first (state running) and must wait in
 * phase pending with a message naming a, without any prison being created
 * for it; once a is defined both run, and the sim's journal shows a's
 * create before b's.  Then both are set to stopped while the reconciler is
 * busy (a third jail's create is delayed), so that one pass sees both
 * stops; the stop of a is written first, yet the journal must show b
 * removed before a.  Likewise two starts seen in one pass go dependency
 * first even when the dependent sorts first.
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

/*
 * Poll jail name every 20 ms (up to 5 s) until it is creating, and check
 * that it got there: the reconciler is then busy inside its slow create.
 */
static void
check_creating(const char *name)
{
	long long end = harness_now_ms() + 5000;
	const char *phase;
	json_t *doc;

	for (;;) {
		doc = api_jail_get(&inst, name);
		phase = jptr_str(doc, "/status/phase");
		if ((phase != NULL && strcmp(phase, "creating") == 0) ||
		    harness_now_ms() > end)
			break;
		json_decref(doc);
		harness_msleep(20);
	}
	CHECK_STR(phase, "creating");
	json_decref(doc);
}

/* Offset of the first journal line starting with prefix, or -1. */
static long
line_at(const char *journal, const char *prefix)
{
	const char *p = journal;
	size_t n = strlen(prefix);

	while (*p != '\0') {
		if (strncmp(p, prefix, n) == 0)
			return (long)(p - journal);
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return -1;
}

int
main(void)
{
	json_t *doc;
	char *journal, line[64];
	long at_a, at_b;
	long long end;
	int jid_a, jid_b, k;
	const char *phase;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	free(SIM_OK(&inst, "journal --clear"));

	/* b first: it waits for a. */
	doc = REQ(&inst, "PUT", "/v1/jails/b", "{\"path\":\"/j/b\",\"state\":"
	    "\"running\",\"depends\":[\"a\"]}", 201);
	json_decref(doc);
	end = harness_now_ms() + 5000;
	for (;;) {
		doc = api_jail_get(&inst, "b");
		phase = jptr_str(doc, "/status/phase");
		if ((phase != NULL && strcmp(phase, "pending") == 0 &&
		    jptr_str(doc, "/status/message") != NULL) ||
		    harness_now_ms() > end)
			break;
		json_decref(doc);
		harness_msleep(100);
	}
	CHECK_STR(jptr_str(doc, "/status/phase"), "pending");
	CHECK(jptr_str(doc, "/status/message") != NULL);
	CHECK_CONTAINS(jptr_str(doc, "/status/message"), "a");
	CHECK_CONTAINS(jptr_str(doc, "/status/message"), "depend");
	json_decref(doc);
	/* and keeps waiting over several resyncs */
	for (k = 0; k < 3; k++) {
		harness_msleep(700);
		doc = api_jail_get(&inst, "b");
		CHECK_STR(jptr_str(doc, "/status/phase"), "pending");
		CHECK(json_is_null(jptr(doc, "/status/jid")));
		json_decref(doc);
	}
	CHECK_INT(sim_prison_jid(&inst, "b"), 0);
	journal = SIM_OK(&inst, "journal");
	CHECK_INT(sim_count_lines(journal, "create", NULL), 0);
	free(journal);

	/* a appears: both run, a created first. */
	json_decref(REQ(&inst, "PUT", "/v1/jails/a",
	    "{\"path\":\"/j/a\",\"state\":\"running\"}", 201));
	doc = api_jail_wait_phase(&inst, "a", "running", 0, 5000);
	jid_a = (int)jptr_int(doc, "/status/jid");
	json_decref(doc);
	doc = api_jail_wait_phase(&inst, "b", "running", 0, 5000);
	jid_b = (int)jptr_int(doc, "/status/jid");
	CHECK(json_is_null(jptr(doc, "/status/message")));
	json_decref(doc);
	CHECK(jid_a > 0 && jid_b > 0);
	CHECK(jid_a < jid_b);
	journal = SIM_OK(&inst, "journal");
	at_a = line_at(journal, "create name=a ");
	at_b = line_at(journal, "create name=b ");
	CHECK(at_a >= 0);
	CHECK(at_b >= 0);
	CHECK(at_a < at_b);
	CHECK_INT(sim_count_lines(journal, "create", NULL), 2);
	free(journal);

	/*
	 * Stop both in one go: keep the reconciler inside a slow create of
	 * a third jail while the two writes land (a's first), so its next
	 * pass sees both.
	 */
	free(SIM_OK(&inst, "journal --clear"));
	free(SIM_OK(&inst, "delay create 3000"));
	json_decref(REQ(&inst, "PUT", "/v1/jails/slow",
	    "{\"path\":\"/j/slow\",\"state\":\"running\"}", 201));
	check_creating("slow");
	json_decref(REQ(&inst, "PATCH", "/v1/jails/a",
	    "{\"state\":\"stopped\"}", 200));
	json_decref(REQ(&inst, "PATCH", "/v1/jails/b",
	    "{\"state\":\"stopped\"}", 200));
	free(SIM_OK(&inst, "delay create 0"));
	doc = api_jail_wait_phase(&inst, "a", "stopped", 0, 10000);
	json_decref(doc);
	doc = api_jail_wait_phase(&inst, "b", "stopped", 0, 10000);
	json_decref(doc);
	journal = SIM_OK(&inst, "journal");
	snprintf(line, sizeof(line), "remove %d (a)", jid_a);
	at_a = line_at(journal, line);
	snprintf(line, sizeof(line), "remove %d (b)", jid_b);
	at_b = line_at(journal, line);
	CHECK(at_a >= 0);
	CHECK(at_b >= 0);
	CHECK(at_b < at_a);
	free(journal);
	CHECK_INT(sim_prison_jid(&inst, "a"), 0);
	CHECK_INT(sim_prison_jid(&inst, "b"), 0);

	/*
	 * Starts in one pass: c0 depends on zz, which sorts after it; keep
	 * the reconciler in a slow exec.start of another jail while both
	 * are written, then zz must still be created first.
	 */
	free(SIM_OK(&inst, "journal --clear"));
	free(SIM_OK(&inst, "delay exec 3000"));
	json_decref(REQ(&inst, "PUT", "/v1/jails/slow2",
	    "{\"path\":\"/j/slow2\",\"state\":\"running\","
	    "\"exec\":{\"start\":[\"/bin/sh /etc/rc\"]}}", 201));
	check_creating("slow2");
	json_decref(REQ(&inst, "PUT", "/v1/jails/c0", "{\"path\":\"/j/c0\","
	    "\"state\":\"running\",\"depends\":[\"zz\"]}", 201));
	json_decref(REQ(&inst, "PUT", "/v1/jails/zz",
	    "{\"path\":\"/j/zz\",\"state\":\"running\"}", 201));
	free(SIM_OK(&inst, "delay exec 0"));
	json_decref(api_jail_wait_phase(&inst, "zz", "running", 0, 10000));
	json_decref(api_jail_wait_phase(&inst, "c0", "running", 0, 10000));
	journal = SIM_OK(&inst, "journal");
	at_a = line_at(journal, "create name=zz ");
	at_b = line_at(journal, "create name=c0 ");
	CHECK(at_a >= 0);
	CHECK(at_b >= 0);
	CHECK(at_a < at_b);
	free(journal);

	harness_stop(&inst);
	return check_done();
}
