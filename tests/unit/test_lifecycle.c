/*
 * test_lifecycle.c - jail(8)'s sequences over the simulated host
 * (prison/lifecycle.c), checked through the sim's journal: the order of
 * create and stop steps, rollback when a step fails, a failing exec.stop
 * leaving the jail up, update and repair, state surviving a reopen and a
 * SIGKILL, and the fault/delay controls jaild-sim uses.
 */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/alloc.h"
#include "prison/diff.h"
#include "prison/lifecycle.h"
#include "prison/spec.h"
#include "tests/lib/check.h"

static char dir[256];
static struct host *h;

static const char *doc_text =
    "{\"name\": \"web1\", \"path\": \"/j/web1\", \"hostname\": \"web1.test\","
    " \"state\": \"running\", \"params\": {\"securelevel\": 2},"
    " \"exec\": {\"prepare\": [\"/bin/echo prepare\"],"
    "   \"prestart\": [\"/bin/echo prestart\"], \"created\": [\"/bin/echo created\"],"
    "   \"start\": [\"/bin/sh /etc/rc\"], \"poststart\": [\"/bin/echo poststart\"],"
    "   \"prestop\": [\"/bin/echo prestop\"],"
    "   \"stop\": [\"/bin/sh /etc/rc.shutdown jail\"],"
    "   \"poststop\": [\"/bin/echo poststop\"], \"release\": [\"/bin/echo release\"],"
    "   \"stop_timeout_s\": 1},"
    " \"ips\": [{\"interface\": \"em0\", \"address\": \"10.0.0.5/24\"},"
    "   {\"interface\": \"em0\", \"address\": \"fd00::5\"},"
    "   {\"interface\": null, \"address\": \"10.0.0.6\"}],"
    " \"mounts\": [{\"type\": \"devfs\", \"target\": \"/dev\", \"ruleset\": 4},"
    "   {\"type\": \"nullfs\", \"source\": \"/j/base\", \"target\": \"/basejail\","
    "    \"options\": [\"ro\"]},"
    "   {\"type\": \"procfs\", \"target\": \"/proc\"},"
    "   {\"type\": \"tmpfs\", \"target\": \"/tmp\", \"size\": \"64m\"}]}";

static void
spec_load(const char *text, struct prison_spec *s)
{
	struct jd_error err;
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);

	CHECK(doc != NULL);
	CHECK(prison_spec_from_json(doc, s, &err) == 0);
	json_decref(doc);
}

static char *
journal(void)
{
	struct jd_error err;
	char *j = NULL;

	CHECK(host_sim_journal_read(dir, &j, &err) == 0);
	return j;
}

static void
journal_clear(void)
{
	struct jd_error err;

	CHECK(host_sim_journal_clear(dir, &err) == 0);
}

/* The journal's lines must start with want[0], want[1], ... exactly. */
static void
journal_expect(const char *const *want)
{
	char *j = journal(), *line, *save = NULL;
	size_t i = 0;

	for (line = strtok_r(j, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), i++) {
		if (want[i] == NULL) {
			printf("# extra journal line: %s\n", line);
			CHECK(want[i] != NULL);
		}
		if (strncmp(line, want[i], strlen(want[i])) != 0)
			printf("# journal line %zu: \"%s\", want \"%s...\"\n",
			    i, line, want[i]);
		CHECK(strncmp(line, want[i], strlen(want[i])) == 0);
	}
	if (want[i] != NULL)
		printf("# missing journal line: %s\n", want[i]);
	CHECK(want[i] == NULL);
	jd_free(j);
}

static size_t
count_mounts(void)
{
	struct host_mount_list l;
	struct jd_error err;
	size_t n;

	CHECK(host_mount_list(h, &l, &err) == 0);
	n = l.n;
	host_mount_list_free(&l);
	return n;
}

static size_t
count_addrs(void)
{
	struct host_addr_list l;
	struct jd_error err;
	size_t n;

	CHECK(host_addr_list(h, &l, &err) == 0);
	n = l.n;
	host_addr_list_free(&l);
	return n;
}

static int
live(const char *name, struct host_prison *out)
{
	struct host_prison p;
	struct jd_error err;

	if (host_prison_get(h, name, 0, &p, &err) == -1) {
		CHECK_INT(err.sys_errno, ENOENT);
		return 0;
	}
	if (out != NULL)
		*out = p;
	else
		host_prison_free(&p);
	return 1;
}

static void
nothing_left(void)
{
	CHECK_INT(count_mounts(), 0);
	CHECK_INT(count_addrs(), 0);
	CHECK(!live("web1", NULL));
}

static void
test_create_stop_order(const struct prison_spec *s)
{
	struct host_prison p;
	struct jd_error err;
	char create_line[256], start[64], stop[64], sig[64], rm[64];
	int jid;

	journal_clear();
	CHECK(lifecycle_create(h, s, &jid, &err) == 0);
	CHECK(jid > 0);
	snprintf(create_line, sizeof(create_line), "create name=web1 "
	    "path=/j/web1 host.hostname=web1.test persist=true ip4=new "
	    "ip4.addr=10.0.0.5,10.0.0.6 ip6=new ip6.addr=fd00::5 "
	    "securelevel=2 -> jid %d", jid);
	snprintf(start, sizeof(start), "exec_jail %d exec.start /bin/sh "
	    "/etc/rc", jid);
	{
		const char *want[] = {
			"exec_host exec.prepare /bin/echo prepare",
			"addr_add em0 inet 10.0.0.5/24",
			"addr_add em0 inet6 fd00::5/128",
			"mount nullfs /j/base /j/web1/basejail ro",
			"mount tmpfs tmpfs /j/web1/tmp size=64m",
			"mount devfs devfs /j/web1/dev ruleset=4",
			"mount procfs procfs /j/web1/proc -",
			"exec_host exec.prestart /bin/echo prestart",
			create_line,
			"exec_host exec.created /bin/echo created",
			start,
			"exec_host exec.poststart /bin/echo poststart",
			NULL
		};
		journal_expect(want);
	}
	CHECK_INT(count_mounts(), 4);
	CHECK_INT(count_addrs(), 2);
	CHECK(live("web1", &p));
	CHECK_INT(p.jid, jid);
	CHECK_STR(host_params_get(&p.params, "securelevel"), "2");

	journal_clear();
	CHECK(lifecycle_stop(h, s, &p, &err) == 0);
	snprintf(stop, sizeof(stop), "exec_jail %d exec.stop /bin/sh "
	    "/etc/rc.shutdown jail", jid);
	snprintf(sig, sizeof(sig), "signal %d %d", jid, SIGTERM);
	snprintf(rm, sizeof(rm), "remove %d (web1)", jid);
	{
		const char *want[] = {
			"exec_host exec.prestop /bin/echo prestop",
			stop,
			sig,
			rm,
			"exec_host exec.poststop /bin/echo poststop",
			"unmount /j/web1/proc",
			"unmount /j/web1/dev",
			"unmount /j/web1/tmp",
			"unmount /j/web1/basejail",
			"addr_del em0 inet6 fd00::5",
			"addr_del em0 inet 10.0.0.5",
			"exec_host exec.release /bin/echo release",
			NULL
		};
		journal_expect(want);
	}
	host_prison_free(&p);
	nothing_left();
	/* Dying, still visible with include_dying. */
	CHECK(host_prison_get(h, "web1", 1, &p, &err) == 0);
	CHECK_INT(p.dying, 1);
	host_prison_free(&p);
}

static void
test_rollback(const struct prison_spec *s)
{
	struct jd_error err;
	char *j;
	int jid;

	/* The second mount (tmpfs) fails. */
	CHECK(host_sim_fault_set(dir, "mount", 2, EPERM, 0, &err) == 0);
	journal_clear();
	CHECK(lifecycle_create(h, s, &jid, &err) == -1);
	CHECK_INT(err.code, JD_E_HOST);
	CHECK_INT(err.sys_errno, EPERM);
	CHECK_STR(err.message,
	    "mount /j/web1/tmp (tmpfs): Operation not permitted");
	nothing_left();
	{
		const char *want[] = {
			"exec_host exec.prepare",
			"addr_add em0 inet 10.0.0.5/24",
			"addr_add em0 inet6 fd00::5/128",
			"mount nullfs /j/base /j/web1/basejail ro",
			"mount tmpfs tmpfs /j/web1/tmp size=64m -> EPERM",
			"unmount /j/web1/basejail",
			"addr_del em0 inet6 fd00::5",
			"addr_del em0 inet 10.0.0.5",
			NULL
		};
		journal_expect(want);
	}

	/* jail_set fails: mounts and aliases undone. */
	CHECK(host_sim_fault_set(dir, "create", 1, EAGAIN, 0, &err) == 0);
	CHECK(lifecycle_create(h, s, &jid, &err) == -1);
	CHECK_INT(err.sys_errno, EAGAIN);
	CHECK_CONTAINS(err.message, "create web1: ");
	nothing_left();

	/* exec.start (the fourth command) fails: the prison goes too. */
	journal_clear();
	CHECK(host_sim_fault_set(dir, "exec", 4, EIO, 0, &err) == 0);
	CHECK(lifecycle_create(h, s, &jid, &err) == -1);
	CHECK_INT(err.sys_errno, EIO);
	CHECK_CONTAINS(err.message, "exec.start: /bin/sh /etc/rc: ");
	nothing_left();
	j = journal();
	CHECK_CONTAINS(j, "exec.start /bin/sh /etc/rc -> EIO");
	CHECK_CONTAINS(j, "remove ");
	CHECK(strstr(j, "exec.poststart") == NULL);
	CHECK(strstr(j, "exec.release") == NULL);
	jd_free(j);
}

static void
test_failing_stop(const struct prison_spec *s)
{
	struct host_prison p;
	struct jd_error err;
	int jid;

	CHECK(lifecycle_create(h, s, &jid, &err) == 0);
	CHECK(live("web1", &p));
	/* exec.prestop is call 1, exec.stop call 2. */
	CHECK(host_sim_fault_set(dir, "exec", 2, EPERM, 0, &err) == 0);
	CHECK(lifecycle_stop(h, s, &p, &err) == -1);
	CHECK_CONTAINS(err.message, "exec.stop: ");
	CHECK(live("web1", NULL));
	CHECK_INT(count_mounts(), 4);
	CHECK_INT(count_addrs(), 2);
	CHECK(host_sim_fault_set(dir, "exec", 1, EPERM, 0, &err) == 0);
	CHECK(lifecycle_stop(h, s, &p, &err) == -1);
	CHECK_CONTAINS(err.message, "exec.prestop: ");
	CHECK(live("web1", NULL));
	/* Cleared: it stops. */
	CHECK(lifecycle_stop(h, s, &p, &err) == 0);
	host_prison_free(&p);
	nothing_left();
}

static void
test_leftovers_and_repair(const struct prison_spec *s)
{
	struct host_addr a = { "em0", HOST_AF_INET, "10.0.0.5", 24 };
	struct host_mount m = { "devfs", "devfs", "/j/web1/dev", "ruleset=4" };
	struct prison_drift_list d;
	struct host_mount_list ml;
	struct host_addr_list al;
	struct host_params set = { 0 };
	struct host_prison p;
	struct jd_error err;
	char summary[512];
	int jid;

	/* What an interrupted attempt left behind counts as done. */
	CHECK(host_addr_add(h, &a, &err) == 0);
	CHECK(host_mount(h, &m, &err) == 0);
	CHECK(lifecycle_create(h, s, &jid, &err) == 0);
	CHECK_INT(count_addrs(), 2);
	CHECK_INT(count_mounts(), 4);

	/* The admin changes things by hand. */
	CHECK(host_addr_del(h, &a, &err) == 0);
	CHECK(host_unmount(h, "/j/web1/dev", &err) == 0);
	CHECK(host_params_set(&set, "securelevel", "0") == 0);
	CHECK(host_prison_update(h, "web1", &set, NULL, &err) == 0);
	host_params_free(&set);
	CHECK(live("web1", &p));
	CHECK(host_mount_list(h, &ml, &err) == 0);
	CHECK(host_addr_list(h, &al, &err) == 0);
	CHECK(prison_diff(s, &p, &ml, &al, &d, &err) == 0);
	CHECK_INT(d.n, 3);	/* securelevel, ips/0 alias, mounts/0 */
	prison_drift_list_free(&d);
	host_mount_list_free(&ml);
	host_addr_list_free(&al);

	CHECK_INT(lifecycle_repair(h, s, &p, summary, sizeof(summary), &err),
	    3);
	printf("# repaired: %s\n", summary);
	CHECK_CONTAINS(summary, "added alias em0 10.0.0.5/24");
	CHECK_CONTAINS(summary, "set securelevel=2");
	CHECK_CONTAINS(summary, "mounted /j/web1/dev (devfs)");
	host_prison_free(&p);
	CHECK(live("web1", &p));
	CHECK(host_mount_list(h, &ml, &err) == 0);
	CHECK(host_addr_list(h, &al, &err) == 0);
	CHECK(prison_diff(s, &p, &ml, &al, &d, &err) == 0);
	CHECK_INT(d.n, 0);
	prison_drift_list_free(&d);
	host_mount_list_free(&ml);
	host_addr_list_free(&al);
	/* Nothing to do twice. */
	CHECK_INT(lifecycle_repair(h, s, &p, summary, sizeof(summary), &err),
	    0);
	CHECK_STR(summary, "");

	/* An update from an older spec: drop tmpfs and the v6 alias. */
	{
		struct prison_spec s2;

		spec_load("{\"name\": \"web1\", \"path\": \"/j/web1\","
		    " \"hostname\": \"web1.test\", \"params\": {\"securelevel\": 3},"
		    " \"ips\": [{\"interface\": \"em0\", \"address\": \"10.0.0.5/24\"},"
		    "   {\"interface\": \"em1\", \"address\": \"10.0.1.5/24\"}],"
		    " \"mounts\": [{\"type\": \"devfs\", \"target\": \"/dev\"},"
		    "   {\"type\": \"nullfs\", \"source\": \"/j/base\","
		    "    \"target\": \"/basejail\"},"
		    "   {\"type\": \"procfs\", \"target\": \"/proc\"}]}", &s2);
		CHECK_INT(lifecycle_update(h, &s2, s, &p, summary,
		    sizeof(summary), &err), 6);
		printf("# updated: %s\n", summary);
		CHECK_CONTAINS(summary, "removed alias em0 fd00::5");
		CHECK_CONTAINS(summary, "unmounted /j/web1/tmp (tmpfs)");
		CHECK_CONTAINS(summary, "added alias em1 10.0.1.5/24");
		CHECK_CONTAINS(summary, "set ip4.addr=10.0.0.5,10.0.1.5");
		CHECK_CONTAINS(summary, "set securelevel=3");
		CHECK_CONTAINS(summary, "set ip6.addr=");
		host_prison_free(&p);
		CHECK(live("web1", &p));
		CHECK_STR(host_params_get(&p.params, "ip4.addr"),
		    "10.0.0.5,10.0.1.5");
		CHECK_STR(host_params_get(&p.params, "ip6.addr"), "");
		CHECK_INT(count_mounts(), 3);
		CHECK(lifecycle_stop(h, &s2, &p, &err) == 0);
		prison_spec_free(&s2);
	}
	host_prison_free(&p);
	nothing_left();
}

static void
test_persistence(const struct prison_spec *s)
{
	struct host *h2;
	struct host_prison p;
	struct jd_error err;
	int jid, status;
	pid_t pid;

	CHECK(lifecycle_create(h, s, &jid, &err) == 0);
	/* A second handle on the same directory sees the same host. */
	CHECK(host_open("sim", dir, &h2, &err) == 0);
	CHECK(host_prison_get(h2, "web1", 0, &p, &err) == 0);
	CHECK_INT(p.jid, jid);
	CHECK(host_prison_remove(h2, jid, &err) == 0);
	host_prison_free(&p);
	host_close(h2);
	CHECK(!live("web1", NULL));	/* h reloads the changed file */

	/* A process killed with SIGKILL leaves its prisons behind. */
	pid = fork();
	CHECK(pid != -1);
	if (pid == 0) {
		struct host *hc;
		struct host_params kp = { 0 };
		int j;

		if (host_open("sim", dir, &hc, &err) == -1)
			_exit(2);
		host_params_set(&kp, "name", "survivor");
		host_params_set(&kp, "path", "/j/survivor");
		host_params_set(&kp, "persist", "true");
		if (host_prison_create(hc, &kp, &j, &err) == -1)
			_exit(3);
		raise(SIGKILL);
		_exit(4);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK(host_open("sim", dir, &h2, &err) == 0);
	CHECK(host_prison_get(h2, "survivor", 0, &p, &err) == 0);
	CHECK_STR(p.path, "/j/survivor");
	CHECK(host_prison_remove(h2, p.jid, &err) == 0);
	host_prison_free(&p);
	host_close(h2);
	/* Leftover mounts and aliases of web1 (its stop never ran). */
	CHECK(lifecycle_stop(h, s, NULL, &err) == 0);
	nothing_left();
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	    (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void
test_faults(void)
{
	struct host_addr a = { "em0", HOST_AF_INET, "10.9.9.9", 32 };
	struct host_mount m = { "tmpfs", "tmpfs", "/j/x", "" };
	struct host *admin;
	struct jd_error err;
	struct timespec t0;
	char *text, *j;
	int i;

	CHECK(host_sim_fault_set(dir, "nosuch", 1, EIO, 0, &err) == -1);
	CHECK_INT(err.code, JD_E_INVALID);
	CHECK(host_sim_fault_set(dir, "mount", 0, EIO, 0, &err) == -1);
	CHECK_INT(err.code, JD_E_INVALID);

	/* The 2nd call fails once. */
	CHECK(host_sim_fault_set(dir, "addr_add", 2, EBUSY, 0, &err) == 0);
	CHECK(host_sim_fault_show(dir, &text, &err) == 0);
	CHECK_CONTAINS(text, "fault addr_add 2 EBUSY");
	jd_free(text);
	CHECK(host_addr_add(h, &a, &err) == 0);
	CHECK(host_addr_del(h, &a, &err) == 0);
	CHECK(host_addr_add(h, &a, &err) == -1);
	CHECK_INT(err.sys_errno, EBUSY);
	CHECK(host_addr_add(h, &a, &err) == 0);
	CHECK(host_addr_del(h, &a, &err) == 0);

	/* --every: from the 1st call on, until cleared; "any" op. */
	CHECK(host_sim_fault_set(dir, "any", 1, ENOSPC, 1, &err) == 0);
	for (i = 0; i < 3; i++) {
		CHECK(host_mount(h, &m, &err) == -1);
		CHECK_INT(err.sys_errno, ENOSPC);
	}
	CHECK_INT(count_mounts(), 0);	/* reads are not "any" */
	/* The admin (jaild-sim) is not subject to faults. */
	CHECK(host_open_flags("sim", dir, HOST_OPEN_ADMIN, &admin, &err) == 0);
	CHECK(host_mount(admin, &m, &err) == 0);
	CHECK(host_unmount(admin, "/j/x", &err) == 0);
	host_close(admin);
	CHECK(host_sim_fault_clear(dir, &err) == 0);
	CHECK(host_mount(h, &m, &err) == 0);
	CHECK(host_unmount(h, "/j/x", &err) == 0);
	j = journal();
	CHECK_CONTAINS(j, "mount tmpfs tmpfs /j/x - -> ENOSPC\n");
	CHECK_CONTAINS(j, "admin mount tmpfs tmpfs /j/x -\n");
	jd_free(j);

	/* Delays. */
	CHECK(host_sim_delay_set(dir, "mount", 250, &err) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(host_mount(h, &m, &err) == 0);
	CHECK(ms_since(&t0) >= 250);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(host_unmount(h, "/j/x", &err) == 0);
	CHECK(ms_since(&t0) < 250);
	CHECK(host_sim_delay_set(dir, "mount", 0, &err) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(host_mount(h, &m, &err) == 0);
	CHECK(ms_since(&t0) < 250);
	CHECK(host_unmount(h, "/j/x", &err) == 0);
	CHECK(host_sim_fault_clear(dir, &err) == 0);
}

int
main(void)
{
	struct prison_spec s;
	struct jd_error err;
	char cmd[300];

	snprintf(dir, sizeof(dir), "/tmp/jd-lc-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	CHECK(host_open("sim", dir, &h, &err) == 0);
	CHECK(host_sim_linger_set(dir, 100000, &err) == 0);
	spec_load(doc_text, &s);

	test_create_stop_order(&s);
	test_rollback(&s);
	test_failing_stop(&s);
	test_leftovers_and_repair(&s);
	test_persistence(&s);
	test_faults();

	prison_spec_free(&s);
	host_close(h);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	return check_done();
}
