/*
 * test_reconcile_unmanaged.c - prisons jaild does not manage are left
 * alone, a jail with the same name fails with advice, and adopt turns such
 * a prison into a managed jail without recreating it.
 *
 * The admin creates "other" (and "stray") with jaild-sim.  They show in
 * /v1/host/prisons with managed false; a jail named "other" fails with a
 * message saying to adopt or remove the prison, and neither its failure
 * nor its DELETE touches the prison.  POST /v1/host/prisons/other/adopt
 * then gives a managed running jail with the prison's jid, and the sim's
 * journal shows no create or remove by jaild.
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

/* The entry for name in GET /v1/host/prisons, or NULL (new reference). */
static json_t *
host_prison(const char *name)
{
	struct http_resp *r = http_get(inst.url, "/v1/host/prisons");
	json_t *it, *found = NULL;
	size_t i;

	CHECK_INT(r->status, 200);
	json_array_foreach(json_object_get(r->json, "items"), i, it)
		if (strcmp(jptr_str(it, "/name"), name) == 0)
			found = json_incref(it);
	http_free(r);
	return found;
}

/* Poll /v1/host/prisons until name is listed with managed == managed. */
static json_t *
wait_host_prison(const char *name, int managed, int timeout_ms)
{
	long long end = harness_now_ms() + timeout_ms;
	json_t *p;

	for (;;) {
		p = host_prison(name);
		if ((p != NULL && json_is_boolean(jptr(p, "/managed")) &&
		    json_is_true(jptr(p, "/managed")) == managed) ||
		    harness_now_ms() > end)
			return p;
		json_decref(p);
		harness_msleep(100);
	}
}

/* Journal lines by jaild (not "admin ...") that start with op. */
static int
jaild_lines(const char *op)
{
	char *journal = SIM_OK(&inst, "journal");
	int n = sim_count_lines(journal, op, NULL);

	free(journal);
	return n;
}

int
main(void)
{
	struct http_resp *r;
	json_t *doc, *p;
	const char *msg;
	char *journal;
	int jid, stray, k;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	free(SIM_OK(&inst, "create other path=/x host.hostname=other.test "
	    "securelevel=1"));
	free(SIM_OK(&inst, "create stray path=/y"));
	jid = sim_prison_jid(&inst, "other");
	stray = sim_prison_jid(&inst, "stray");
	CHECK(jid > 0);
	CHECK(stray > jid);

	/* Listed, unmanaged. */
	p = wait_host_prison("other", 0, 5000);
	CHECK(p != NULL);
	CHECK(json_is_false(jptr(p, "/managed")));
	CHECK_INT(jptr_int(p, "/jid"), jid);
	CHECK_STR(jptr_str(p, "/path"), "/x");
	CHECK_STR(jptr_str(p, "/hostname"), "other.test");
	json_decref(p);
	r = http_get(inst.url, "/v1/host");
	CHECK_INT(r->status, 200);
	CHECK_INT(jptr_int(r->json, "/counts/prisons"), 2);
	CHECK_INT(jptr_int(r->json, "/counts/unmanaged"), 2);
	CHECK_INT(jptr_int(r->json, "/counts/jails"), 0);
	http_free(r);

	/* A jail of the same name: failed, with advice; prison untouched. */
	json_decref(REQ(&inst, "PUT", "/v1/jails/other",
	    "{\"path\":\"/x\",\"state\":\"running\"}", 201));
	doc = api_jail_wait_phase(&inst, "other", "failed", 0, 5000);
	msg = jptr_str(doc, "/status/message");
	CHECK(msg != NULL);
	CHECK_CONTAINS(msg, "other");
	CHECK_CONTAINS(msg, "adopt");
	CHECK_CONTAINS(msg, "remove");
	CHECK(json_is_null(jptr(doc, "/status/jid")));
	json_decref(doc);
	CHECK(api_events_count(&inst, "other", "failed", 0) >= 1);
	harness_msleep(2500);	/* a few resyncs: still hands off */
	doc = api_jail_get(&inst, "other");
	CHECK_STR(jptr_str(doc, "/status/phase"), "failed");
	json_decref(doc);
	CHECK_INT(sim_prison_jid(&inst, "other"), jid);
	CHECK_INT(sim_prison_jid(&inst, "stray"), stray);
	p = host_prison("other");
	CHECK(p != NULL);
	CHECK(json_is_false(jptr(p, "/managed")));
	json_decref(p);
	CHECK_INT(jaild_lines("create"), 0);
	CHECK_INT(jaild_lines("remove"), 0);
	CHECK_INT(jaild_lines("update"), 0);

	/* Adopting while a jail of that name exists: conflict. */
	doc = REQ(&inst, "POST", "/v1/host/prisons/other/adopt", NULL, 409);
	json_decref(doc);

	/* Deleting the failed jail does not touch the prison. */
	r = http_json(inst.url, "DELETE", "/v1/jails/other?wait=30", NULL);
	CHECK_INT(r->status, 204);
	http_free(r);
	CHECK(api_jail_get(&inst, "other") == NULL);
	CHECK_INT(sim_prison_jid(&inst, "other"), jid);
	CHECK_INT(jaild_lines("remove"), 0);

	/* Adopt: 201, a managed running jail with the same jid. */
	doc = REQ(&inst, "POST", "/v1/host/prisons/other/adopt", NULL, 201);
	CHECK_STR(jptr_str(doc, "/name"), "other");
	CHECK_STR(jptr_str(doc, "/path"), "/x");
	CHECK_STR(jptr_str(doc, "/hostname"), "other.test");
	CHECK_STR(jptr_str(doc, "/state"), "running");
	CHECK_INT(jptr_int(doc, "/params/securelevel"), 1);
	json_decref(doc);
	doc = api_jail_wait_phase(&inst, "other", "running", 0, 5000);
	CHECK_INT(jptr_int(doc, "/status/jid"), jid);
	CHECK_INT(json_array_size(jptr(doc, "/status/drift")), 0);
	json_decref(doc);
	CHECK(api_events_count(&inst, "other", "adopted", 0) == 1);
	/* over a few resyncs it stays the same prison */
	for (k = 0; k < 3; k++) {
		harness_msleep(700);
		doc = api_jail_get(&inst, "other");
		CHECK_STR(jptr_str(doc, "/status/phase"), "running");
		CHECK_INT(jptr_int(doc, "/status/jid"), jid);
		json_decref(doc);
	}
	CHECK_INT(sim_prison_jid(&inst, "other"), jid);
	journal = SIM_OK(&inst, "journal");
	CHECK_INT(sim_count_lines(journal, "admin create name=other ", NULL),
	    1);
	CHECK_INT(sim_count_lines(journal, "create", NULL), 0);
	CHECK_INT(sim_count_lines(journal, "remove", NULL), 0);
	free(journal);
	p = wait_host_prison("other", 1, 5000);
	CHECK(p != NULL);
	CHECK(json_is_true(jptr(p, "/managed")));
	CHECK_INT(jptr_int(p, "/jid"), jid);
	json_decref(p);
	r = http_get(inst.url, "/v1/host");
	CHECK_INT(jptr_int(r->json, "/counts/jails"), 1);
	CHECK_INT(jptr_int(r->json, "/counts/running"), 1);
	CHECK_INT(jptr_int(r->json, "/counts/unmanaged"), 1);
	http_free(r);

	/* Adopt again: already managed; an unknown prison: 404. */
	json_decref(REQ(&inst, "POST", "/v1/host/prisons/other/adopt", NULL,
	    409));
	json_decref(REQ(&inst, "POST", "/v1/host/prisons/nosuch/adopt", NULL,
	    404));

	/* The stray prison was never touched. */
	CHECK_INT(sim_prison_jid(&inst, "stray"), stray);
	p = host_prison("stray");
	CHECK(p != NULL);
	CHECK(json_is_false(jptr(p, "/managed")));
	json_decref(p);

	harness_stop(&inst);
	return check_done();
}
