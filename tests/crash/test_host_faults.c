/*
 * test_host_faults.c - every operation of the simulated host failing in
 * turn, persistently, while jaild drives a jail through the transition
 * that uses it.
 *
 * For each operation: inject `fault OP 1 EIO --every`, then create (for
 * the operations a start uses), stop (for those a stop uses), change a
 * parameter (update), or just start (for the host reads a pass needs).
 * While the fault lasts the jail must end "failed" with a status message
 * naming the step and the host's error, the API must keep answering, and
 * the host must hold nothing half-done: no alias, mount or prison left by
 * a failed create, a jail whose stop failed before jail_remove still
 * running with all it had.  Then the fault is cleared and the jail must
 * reach the wanted state by itself (the reconciler's backoff retry), with
 * exactly its alias, mount and prison, or none of them once stopped.
 *
 * rctl_add and rctl_remove are not used by any transition (the jail
 * document has no resource limits yet); their case checks that a jail
 * still starts and stops while they fail.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prison/host.h"
#include "tests/lib/check.h"
#include "tests/lib/harness.h"

#define WAIT_FAIL_MS	15000
#define WAIT_OK_MS	30000

enum fault_kind {
	FK_CREATE,	/* a start fails at this step; nothing may remain */
	FK_STOP,	/* a stop fails before jail_remove; still running */
	FK_CLEANUP,	/* a stop fails after jail_remove; must be cleaned up */
	FK_UPDATE,	/* an in-place change fails; still running as before */
	FK_READ,	/* the reconciler cannot read the host; nothing moves */
	FK_UNUSED,	/* no transition uses it; everything still works */
};

/* One case: the op, what drives it, and the step the message names. */
static const struct fault_case {
	const char	*op;
	enum fault_kind	 kind;
	const char	*step;	/* printf format, %s = jail name */
} cases[] = {
	{ "addr_add",	FK_CREATE,	"start failed: alias em0 inet" },
	{ "mount",	FK_CREATE,	"start failed: mount "
					"/usr/local/jails/%s/dev (devfs)" },
	{ "exec",	FK_CREATE,	"start failed: exec.prestart: "
					"/bin/true" },
	{ "create",	FK_CREATE,	"start failed: create %s" },
	{ "update",	FK_UPDATE,	"update failed: update %s" },
	{ "exec",	FK_STOP,	"stop failed: exec.prestop: /bin/true" },
	{ "remove",	FK_STOP,	"stop failed: remove %s (jid" },
	{ "list",	FK_READ,	NULL },
	{ "mount_list",	FK_READ,	NULL },
	{ "addr_list",	FK_READ,	NULL },
	{ "rctl_add",	FK_UNUSED,	NULL },
	{ "rctl_remove", FK_UNUSED,	NULL },
	{ "signal",	FK_CLEANUP,	"stop failed: SIGTERM to jail" },
	{ "unmount",	FK_CLEANUP,	"stop failed: unmount "
					"/usr/local/jails/%s/dev (devfs)" },
	{ "addr_del",	FK_CLEANUP,	"stop failed: remove alias em0 inet" },
};

/* What the host holds for one jail. */
struct host_view {
	int	prisons;	/* live prisons of that name */
	int	jid;		/* the last one's jid */
	char	hostname[128];
	int	aliases;	/* our address on em0 */
	int	mounts;		/* mounts at or under the jail's path */
};

static void
host_look(const char *datadir, const char *name, const char *addr,
    struct host_view *v)
{
	struct host *h = NULL;
	struct jd_error err;
	struct host_prison_list pl = { 0 };
	struct host_mount_list ml = { 0 };
	struct host_addr_list al = { 0 };
	char path[128];
	size_t i, plen;

	memset(v, 0, sizeof(*v));
	snprintf(path, sizeof(path), "/usr/local/jails/%s", name);
	plen = strlen(path);
	CHECK_INT(host_open_flags("sim", datadir, HOST_OPEN_ADMIN, &h, &err),
	    0);
	CHECK_INT(host_prison_list(h, 0, &pl, &err), 0);
	CHECK_INT(host_mount_list(h, &ml, &err), 0);
	CHECK_INT(host_addr_list(h, &al, &err), 0);
	for (i = 0; i < pl.n; i++)
		if (strcmp(pl.v[i].name, name) == 0) {
			v->prisons++;
			v->jid = pl.v[i].jid;
			snprintf(v->hostname, sizeof(v->hostname), "%s",
			    pl.v[i].hostname ? pl.v[i].hostname : "");
		}
	for (i = 0; i < ml.n; i++)
		if (strncmp(ml.v[i].target, path, plen) == 0 &&
		    (ml.v[i].target[plen] == '\0' ||
		    ml.v[i].target[plen] == '/'))
			v->mounts++;
	for (i = 0; i < al.n; i++)
		if (strcmp(al.v[i].ifname, "em0") == 0 &&
		    strcmp(al.v[i].address, addr) == 0)
			v->aliases++;
	host_prison_list_free(&pl);
	host_mount_list_free(&ml);
	host_addr_list_free(&al);
	host_close(h);
}

static void
expect_host(const char *datadir, const char *name, const char *addr,
    int prisons, int aliases, int mounts, const char *when)
{
	struct host_view v;
	char d[300];

	host_look(datadir, name, addr, &v);
	if (v.prisons != prisons || v.aliases != aliases ||
	    v.mounts != mounts) {
		snprintf(d, sizeof(d), "%s: %s: %d prisons, %d aliases, %d "
		    "mounts; want %d, %d, %d", when, name, v.prisons,
		    v.aliases, v.mounts, prisons, aliases, mounts);
		check_fail(__FILE__, __LINE__, "host state", d);
	}
	check_pass();
}

/* The API keeps answering while the host fails. */
static void
expect_api(const char *base, const char *name)
{
	struct http_resp *r;
	char path[96];

	r = http_get(base, "/healthz");
	CHECK_INT(r->status, 200);
	http_free(r);
	r = http_get(base, "/v1/jails");
	CHECK_INT(r->status, 200);
	http_free(r);
	r = http_get(base, "/v1/host");
	CHECK_INT(r->status, 200);
	http_free(r);
	snprintf(path, sizeof(path), "/v1/jails/%s", name);
	r = http_get(base, path);
	CHECK_INT(r->status, 200);
	http_free(r);
}

static void
wait_phase(const char *base, const char *name, const char *phase, int ms,
    const char *when)
{
	struct http_resp *r;
	char path[96], d[400];

	snprintf(path, sizeof(path), "/v1/jails/%s", name);
	if (http_wait_field(base, path, "/status/phase", phase, ms) == 0) {
		check_pass();
		return;
	}
	r = http_get(base, path);
	snprintf(d, sizeof(d), "%s: %s is %s (%.200s), want %s", when, name,
	    json_string_value(jptr(r->json, "/status/phase")),
	    json_string_value(jptr(r->json, "/status/message")) ?
	    json_string_value(jptr(r->json, "/status/message")) : "-", phase);
	http_free(r);
	check_fail(__FILE__, __LINE__, "phase reached", d);
}

/* status.message of name names the step and the host's error. */
static void
expect_message(const char *base, const char *name, const char *step)
{
	struct http_resp *r;
	char path[96];
	const char *msg;

	snprintf(path, sizeof(path), "/v1/jails/%s", name);
	r = http_get(base, path);
	msg = json_string_value(jptr(r->json, "/status/message"));
	CHECK_CONTAINS(msg, step);
	CHECK_CONTAINS(msg, "Input/output error");
	http_free(r);
}

/* A "failed" event of name names the step (the phase may have moved on). */
static void
expect_failed_event(const char *base, const char *name, const char *step)
{
	struct http_resp *r;
	json_t *it;
	const char *msg;
	char path[128], d[300];
	size_t i;
	int found = 0, waited = 0;

	snprintf(path, sizeof(path), "/v1/events?jail=%s&limit=1000", name);
	while (!found && waited <= WAIT_FAIL_MS) {
		r = http_get(base, path);
		CHECK_INT(r->status, 200);
		json_array_foreach(jptr(r->json, "/items"), i, it) {
			msg = json_string_value(jptr(it, "/message"));
			if (strcmp(json_string_value(jptr(it, "/type")),
			    "failed") == 0 && msg != NULL &&
			    strstr(msg, step) != NULL &&
			    strstr(msg, "Input/output error") != NULL)
				found = 1;
		}
		http_free(r);
		if (!found) {
			harness_msleep(100);
			waited += 100;
		}
	}
	if (!found) {
		snprintf(d, sizeof(d), "no failed event of %.60s naming \"%.200s\"",
		    name, step);
		check_fail(__FILE__, __LINE__, "failure reported", d);
	}
	check_pass();
}

static void
fault_on(const char *datadir, const char *op)
{
	struct jd_error err;

	CHECK_INT(host_sim_fault_set(datadir, op, 1, EIO, 1, &err), 0);
}

static void
fault_off(const char *datadir)
{
	struct jd_error err;

	CHECK_INT(host_sim_fault_clear(datadir, &err), 0);
}

static void
put_jail(const char *base, const char *name, const char *addr)
{
	struct http_resp *r;
	char path[96], doc[768];

	snprintf(path, sizeof(path), "/v1/jails/%s", name);
	snprintf(doc, sizeof(doc), "{\"path\":\"/usr/local/jails/%s\","
	    "\"hostname\":\"%s.test\",\"state\":\"running\","
	    "\"ips\":[{\"interface\":\"em0\",\"address\":\"%s\"}],"
	    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\","
	    "\"ruleset\":4}],\"exec\":{\"prestart\":[\"/bin/true\"],"
	    "\"prestop\":[\"/bin/true\"]}}", name, name, addr);
	r = http_json(base, "PUT", path, doc);
	CHECK_INT(r->status, 201);
	http_free(r);
}

static void
action(const char *base, const char *name, const char *what)
{
	struct http_resp *r;
	char path[128];

	snprintf(path, sizeof(path), "/v1/jails/%s/%s", name, what);
	r = http_json(base, "POST", path, "{}");
	CHECK_INT(r->status, 202);
	http_free(r);
}

static void
run_case(struct jd_instance *inst, const struct fault_case *c, int idx,
    char *leaks, size_t leaksz)
{
	const char *base = inst->url, *dd = inst->datadir;
	struct http_resp *r;
	struct host_view before, v;
	char name[64], addr[32], step[256], path[96];

	snprintf(name, sizeof(name), "hf%02d-%s", idx, c->op);
	for (char *p = name; *p != '\0'; p++)
		if (*p == '_')
			*p = '-';
	snprintf(addr, sizeof(addr), "10.40.0.%d", idx + 1);
	snprintf(step, sizeof(step), c->step ? c->step : "", name);
	snprintf(path, sizeof(path), "/v1/jails/%s", name);
	printf("# %s: %s\n", c->op, name);

	switch (c->kind) {
	case FK_CREATE:
		fault_on(dd, c->op);
		put_jail(base, name, addr);
		wait_phase(base, name, "failed", WAIT_FAIL_MS, "fault on");
		expect_message(base, name, step);
		expect_api(base, name);
		expect_host(dd, name, addr, 0, 0, 0, "failed create");
		/* The backoff retry fails the same way, cleanly. */
		harness_msleep(1500);
		wait_phase(base, name, "failed", 0, "retry under fault");
		expect_host(dd, name, addr, 0, 0, 0, "failed retry");
		fault_off(dd);
		wait_phase(base, name, "running", WAIT_OK_MS, "fault cleared");
		expect_host(dd, name, addr, 1, 1, 1, "recovered");
		break;

	case FK_STOP:
	case FK_CLEANUP:
		put_jail(base, name, addr);
		wait_phase(base, name, "running", WAIT_OK_MS, "before fault");
		host_look(dd, name, addr, &before);
		CHECK_INT(before.prisons, 1);
		fault_on(dd, c->op);
		action(base, name, "stop");
		if (c->kind == FK_STOP) {
			wait_phase(base, name, "failed", WAIT_FAIL_MS,
			    "fault on");
			expect_message(base, name, step);
			expect_api(base, name);
			/* Stopped before jail_remove: still all there. */
			host_look(dd, name, addr, &v);
			CHECK_INT(v.prisons, 1);
			CHECK_INT(v.jid, before.jid);
			expect_host(dd, name, addr, 1, 1, 1, "failed stop");
			harness_msleep(1500);
			wait_phase(base, name, "failed", 0,
			    "retry under fault");
			expect_host(dd, name, addr, 1, 1, 1, "failed retry");
		} else {
			/* The prison is gone; the clean-up step failed. */
			expect_failed_event(base, name, step);
			expect_api(base, name);
			harness_msleep(1500);
		}
		fault_off(dd);
		wait_phase(base, name, "stopped", WAIT_OK_MS, "fault cleared");
		/* Let a retry or two pass before judging the clean-up. */
		harness_msleep(2500);
		wait_phase(base, name, "stopped", 0, "settled");
		if (c->kind == FK_STOP) {
			expect_host(dd, name, addr, 0, 0, 0,
			    "stopped after fault");
			break;
		}
		/* Judged at the end, so every clean-up case gets to run. */
		host_look(dd, name, addr, &v);
		if (v.prisons != 0 || v.aliases != 0 || v.mounts != 0) {
			size_t n = strlen(leaks);
			snprintf(leaks + n, leaksz - n, "%s%s (%s fault): "
			    "%d prisons, %d aliases, %d mounts left",
			    n ? "; " : "", name, c->op, v.prisons, v.aliases,
			    v.mounts);
		} else
			check_pass();
		break;

	case FK_UPDATE:
		put_jail(base, name, addr);
		wait_phase(base, name, "running", WAIT_OK_MS, "before fault");
		host_look(dd, name, addr, &before);
		fault_on(dd, c->op);
		r = http_json(base, "PATCH", path,
		    "{\"hostname\":\"changed.test\"}");
		CHECK_INT(r->status, 200);
		http_free(r);
		wait_phase(base, name, "failed", WAIT_FAIL_MS, "fault on");
		expect_message(base, name, step);
		expect_api(base, name);
		/* Nothing changed: same prison, old hostname, all mounted. */
		host_look(dd, name, addr, &v);
		CHECK_INT(v.jid, before.jid);
		CHECK_STR(v.hostname, before.hostname);
		expect_host(dd, name, addr, 1, 1, 1, "failed update");
		fault_off(dd);
		wait_phase(base, name, "running", WAIT_OK_MS, "fault cleared");
		CHECK_INT(http_wait_field(base, path,
		    "/status/observed_generation", "2", WAIT_OK_MS), 0);
		host_look(dd, name, addr, &v);
		CHECK_INT(v.jid, before.jid);
		CHECK_STR(v.hostname, "changed.test");
		expect_host(dd, name, addr, 1, 1, 1, "updated");
		break;

	case FK_READ:
		fault_on(dd, c->op);
		put_jail(base, name, addr);
		/* Passes give up before acting: nothing is created. */
		harness_msleep(2500);
		r = http_get(base, path);
		CHECK_INT(r->status, 200);
		CHECK(strcmp(json_string_value(jptr(r->json,
		    "/status/phase")), "running") != 0);
		http_free(r);
		expect_api(base, name);
		expect_host(dd, name, addr, 0, 0, 0, "host unreadable");
		fault_off(dd);
		wait_phase(base, name, "running", WAIT_OK_MS, "fault cleared");
		expect_host(dd, name, addr, 1, 1, 1, "recovered");
		break;

	case FK_UNUSED:
		fault_on(dd, c->op);
		put_jail(base, name, addr);
		wait_phase(base, name, "running", WAIT_OK_MS, "unused op");
		expect_host(dd, name, addr, 1, 1, 1, "started");
		action(base, name, "stop");
		wait_phase(base, name, "stopped", WAIT_OK_MS, "unused op");
		expect_host(dd, name, addr, 0, 0, 0, "stopped");
		fault_off(dd);
		break;
	}
}

int
main(void)
{
	struct jd_instance inst;
	char leaks[1024] = "";
	size_t i;

	CHECK_INT(harness_start(&inst, NULL, NULL, 0), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&inst, &cases[i], (int)i, leaks, sizeof(leaks));
	harness_stop(&inst);
	if (leaks[0] != '\0')
		check_fail(__FILE__, __LINE__, "a stop whose clean-up failed "
		    "is cleaned up once the fault clears", leaks);
	return check_done();
}
