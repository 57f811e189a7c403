/*
 * test_reconcile_actions.c - ?wait on writes and actions, the start, stop
 * and restart actions, and DELETE tearing the prison down.
 *
 * A write or action with ?wait=S (or Prefer: wait=S) answers when the
 * reconciler has observed the written generation and the phase settled
 * (200, or 201 for a creating PUT), or 202 with the current document when
 * the time is up (forced here with a sim delay on create); without a wait
 * the actions answer 202 at once.  DELETE ?wait answers 204 once the
 * prison, its alias and its mount are gone; DELETE without a wait answers
 * 202 with phase deleting and the jail is 404 soon after.
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

static const char a1_body[] =
    "{\"path\":\"/j/a1\",\"state\":\"running\",\"labels\":{\"v\":\"%d\"},"
    "\"ips\":[{\"interface\":\"em0\",\"address\":\"10.60.0.1\"}],"
    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\",\"ruleset\":4}]}";

static const char a2_body[] =
    "{\"path\":\"/j/a2\",\"state\":\"running\","
    "\"ips\":[{\"interface\":\"em0\",\"address\":\"10.60.0.2\"}],"
    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\",\"ruleset\":4}]}";

static char *
a1(int v)
{
	static char b[512];

	snprintf(b, sizeof(b), a1_body, v);
	return b;
}

/* Nothing of jail name (alias address) is left on the host. */
static void
check_gone(const char *name, const char *address)
{
	char *out, needle[64];

	CHECK_INT(sim_prison_jid(&inst, name), 0);
	out = SIM_OK(&inst, "addrs");
	CHECK(strstr(out, address) == NULL);
	free(out);
	out = SIM_OK(&inst, "mounts");
	snprintf(needle, sizeof(needle), "/j/%s/", name);
	CHECK(strstr(out, needle) == NULL);
	free(out);
}

/* A settled answer: phase, observed_generation == generation. */
static void
check_settled(json_t *doc, const char *phase)
{
	CHECK_STR(jptr_str(doc, "/status/phase"), phase);
	CHECK_INT(jptr_int(doc, "/status/observed_generation"),
	    jptr_int(doc, "/generation"));
}

int
main(void)
{
	const char *const prefer[] = { "Prefer: wait=30", NULL };
	struct http_resp r;
	json_t *doc;
	long long t0, elapsed, since;
	const char *phase;
	int jid, jid2;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);

	/* 13. PUT ?wait: created and settled. */
	doc = REQ(&inst, "PUT", "/v1/jails/a1?wait=30", a1(1), 201);
	check_settled(doc, "running");
	jid = (int)jptr_int(doc, "/status/jid");
	CHECK(jid > 0);
	CHECK_INT(sim_prison_jid(&inst, "a1"), jid);
	json_decref(doc);
	/* a replacing PUT of the running jail: 200 once settled */
	doc = REQ(&inst, "PUT", "/v1/jails/a1?wait=30", a1(2), 200);
	CHECK_INT(jptr_int(doc, "/generation"), 2);
	check_settled(doc, "running");
	CHECK_INT(jptr_int(doc, "/status/jid"), jid);
	json_decref(doc);
	/* wait=0: the time is up at once, 202 with the document */
	doc = REQ(&inst, "PUT", "/v1/jails/a1?wait=0", a1(3), 202);
	CHECK_INT(jptr_int(doc, "/generation"), 3);
	CHECK_STR(jptr_str(doc, "/name"), "a1");
	json_decref(doc);
	doc = api_jail_wait_phase(&inst, "a1", "running", 0, 5000);
	json_decref(doc);

	/* A slow host: wait=1 runs out, 202 with the current document. */
	free(SIM_OK(&inst, "delay create 4000"));
	t0 = harness_now_ms();
	doc = REQ(&inst, "PUT", "/v1/jails/a2?wait=1", a2_body, 202);
	elapsed = harness_now_ms() - t0;
	CHECK(elapsed >= 900);
	CHECK(elapsed < 3500);
	CHECK_STR(jptr_str(doc, "/name"), "a2");
	CHECK_INT(jptr_int(doc, "/generation"), 1);
	phase = jptr_str(doc, "/status/phase");
	CHECK(phase != NULL && (strcmp(phase, "pending") == 0 ||
	    strcmp(phase, "creating") == 0));
	json_decref(doc);
	doc = api_jail_wait_phase(&inst, "a2", "running", 0, 10000);
	json_decref(doc);
	free(SIM_OK(&inst, "delay create 0"));

	/* 7. Actions with ?wait: 200 and the settled phase. */
	doc = REQ(&inst, "POST", "/v1/jails/a1/stop?wait=30", NULL, 200);
	check_settled(doc, "stopped");
	CHECK(json_is_null(jptr(doc, "/status/jid")));
	json_decref(doc);
	check_gone("a1", "10.60.0.1");
	doc = REQ(&inst, "POST", "/v1/jails/a1/start?wait=30", "{}", 200);
	check_settled(doc, "running");
	jid2 = (int)jptr_int(doc, "/status/jid");
	CHECK(jid2 > jid);
	CHECK_INT(sim_prison_jid(&inst, "a1"), jid2);
	json_decref(doc);
	since = api_events_last(&inst);
	doc = REQ(&inst, "POST", "/v1/jails/a1/restart?wait=30", NULL, 200);
	check_settled(doc, "running");
	jid = (int)jptr_int(doc, "/status/jid");
	CHECK(jid > jid2);
	CHECK_INT(sim_prison_jid(&inst, "a1"), jid);
	json_decref(doc);
	CHECK(api_events_count(&inst, "a1", "restarted", since) >= 1);
	/* Prefer: wait=30 on an action */
	CHECK(http_do(inst.url, "POST", "/v1/jails/a1/stop", NULL, NULL,
	    prefer, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(jptr_str(r.json, "/status/phase"), "stopped");
	http_resp_free(&r);

	/* Without a wait: 202 at once, then it settles. */
	doc = REQ(&inst, "POST", "/v1/jails/a1/start", NULL, 202);
	CHECK_STR(jptr_str(doc, "/state"), "running");
	json_decref(doc);
	doc = api_jail_wait_phase(&inst, "a1", "running", 0, 5000);
	jid = (int)jptr_int(doc, "/status/jid");
	json_decref(doc);
	doc = REQ(&inst, "POST", "/v1/jails/a1/restart", "{}", 202);
	json_decref(doc);
	doc = api_jail_wait_phase(&inst, "a1", "running", jid, 5000);
	jid = (int)jptr_int(doc, "/status/jid");
	json_decref(doc);
	doc = REQ(&inst, "POST", "/v1/jails/a1/stop", NULL, 202);
	CHECK_STR(jptr_str(doc, "/state"), "stopped");
	json_decref(doc);
	doc = api_jail_wait_phase(&inst, "a1", "stopped", 0, 5000);
	json_decref(doc);
	check_gone("a1", "10.60.0.1");
	doc = REQ(&inst, "POST", "/v1/jails/a1/start?wait=30", NULL, 200);
	check_settled(doc, "running");
	json_decref(doc);

	/* 9. DELETE ?wait on a running jail: 204 once torn down. */
	CHECK(http_do(inst.url, "DELETE", "/v1/jails/a1?wait=30", NULL, NULL,
	    NULL, &r) == 0);
	CHECK_INT(r.status, 204);
	CHECK_INT(r.len, 0);
	http_resp_free(&r);
	check_gone("a1", "10.60.0.1");
	doc = api_jail_get(&inst, "a1");
	CHECK(doc == NULL);
	CHECK(api_events_count(&inst, "a1", "deleted", 0) == 1);

	/* DELETE without a wait: 202 deleting, then 404. */
	doc = REQ(&inst, "DELETE", "/v1/jails/a2", NULL, 202);
	CHECK_STR(jptr_str(doc, "/status/phase"), "deleting");
	json_decref(doc);
	t0 = harness_now_ms();
	while ((doc = api_jail_get(&inst, "a2")) != NULL &&
	    harness_now_ms() - t0 < 5000) {
		CHECK_STR(jptr_str(doc, "/status/phase"), "deleting");
		json_decref(doc);
		harness_msleep(100);
	}
	CHECK(doc == NULL);
	check_gone("a2", "10.60.0.2");

	harness_stop(&inst);
	return check_done();
}
