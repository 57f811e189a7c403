/*
 * test_lifecycle.c - jail(8)'s sequences over the simulated host
 * (prison/lifecycle.c), checked through the sim's journal: the order of
 * create and stop steps, rollback when a step fails, a failing exec.stop
 * leaving the jail up, update and repair, rctl rules (added before
 * exec.created and undone, removed at stop, brought in line by update and
 * repair, never touched for a spec without limits), state surviving a
 * reopen and a
 * SIGKILL, and the fault/delay controls jaild-sim uses.  The exec options
 * (clean, jail_user, system_user, system_jail_user, timeout_s, consolelog
 * and the JID/JNAME/JPATH variables) are checked twice: as the lifecycle
 * asks for them (the journal), and as commands really see them, with the
 * sim's exec methods swapped for ones that run hooks; host_run and
 * host_cred_lookup_root are also checked directly.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "prison/diff.h"
#include "prison/lifecycle.h"
#include "prison/rctl.h"
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
	char create_line[256], start[128], stop[128], sig[64], rm[64];
	int jid;

	journal_clear();
	CHECK(lifecycle_create(h, s, &jid, &err) == 0);
	CHECK(jid > 0);
	snprintf(create_line, sizeof(create_line), "create name=web1 "
	    "path=/j/web1 host.hostname=web1.test persist=true ip4=new "
	    "ip4.addr=10.0.0.5,10.0.0.6 ip6=new ip6.addr=fd00::5 "
	    "securelevel=2 -> jid %d", jid);
	snprintf(start, sizeof(start), "exec_jail %d exec.start /bin/sh "
	    "/etc/rc [env JID=%d JNAME=web1 JPATH=/j/web1]", jid, jid);
	{
		const char *want[] = {
			/* No JID before the prison exists. */
			"exec_host exec.prepare /bin/echo prepare "
			    "[env JNAME=web1 JPATH=/j/web1]",
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
	CHECK_CONTAINS(j, "exec.start /bin/sh /etc/rc [env JID=");
	CHECK_CONTAINS(j, " JNAME=web1 JPATH=/j/web1] -> EIO");
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

/* The host's rules for jail:lim1:, one per line. */
static char *
rules_of(const char *jail)
{
	static char out[2048];
	struct host_strings l;
	struct jd_error err;
	char filter[64];
	size_t i, n = 0;

	out[0] = '\0';
	snprintf(filter, sizeof(filter), "jail:%s:", jail);
	CHECK(host_rctl_list(h, filter, &l, &err) == 0);
	for (i = 0; i < l.n; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s\n",
		    l.v[i]);
	host_strings_free(&l);
	return out;
}

/* A spec for jail lim1 with limits (a JSON array text) and one hook. */
static void
lim_spec(const char *limits, struct prison_spec *s)
{
	char text[2048];

	snprintf(text, sizeof(text), "{\"name\": \"lim1\", \"path\":"
	    " \"/j/lim1\", \"state\": \"running\","
	    " \"exec\": {\"created\": [\"/bin/echo created\"],"
	    "  \"stop_timeout_s\": 0},"
	    " \"limits\": %s}", limits);
	spec_load(text, s);
}

static void
test_rctl_create_stop(void)
{
	struct prison_spec s;
	struct host_prison p;
	struct jd_error err;
	char create_line[160], rm[64];
	char *j;
	int jid;

	lim_spec("[{\"resource\": \"maxproc\", \"action\": \"deny\","
	    " \"amount\": 100},"
	    " {\"resource\": \"memoryuse\", \"action\": \"deny\","
	    "  \"amount\": 536870912, \"per\": \"process\"}]", &s);
	CHECK_INT(s.nlimits, 2);

	/* The rules go in after jail_set, before exec.created. */
	journal_clear();
	CHECK(lifecycle_create(h, &s, &jid, &err) == 0);
	snprintf(create_line, sizeof(create_line), "create name=lim1 "
	    "path=/j/lim1 host.hostname= persist=true ip4=disable ip6=disable"
	    " -> jid %d", jid);
	{
		const char *want[] = {
			create_line,
			"rctl_add jail:lim1:maxproc:deny=100",
			"rctl_add jail:lim1:memoryuse:deny=536870912/process",
			"exec_host exec.created /bin/echo created",
			NULL
		};
		journal_expect(want);
	}
	CHECK_STR(rules_of("lim1"), "jail:lim1:maxproc:deny=100\n"
	    "jail:lim1:memoryuse:deny=536870912/process\n");

	/* Stop: the jail's rules go right after jail_remove. */
	CHECK(live("lim1", &p));
	journal_clear();
	CHECK(lifecycle_stop(h, &s, &p, &err) == 0);
	snprintf(rm, sizeof(rm), "remove %d (lim1)", jid);
	{
		const char *want[] = { rm, "rctl_remove jail:lim1:", NULL };

		journal_expect(want);
	}
	host_prison_free(&p);
	CHECK_STR(rules_of("lim1"), "");
	/* Clean-up of a prison already gone: rules left are removed, none
	   left is no error. */
	CHECK(host_rctl_add(h, "jail:lim1:maxproc:deny=1", &err) == 0);
	CHECK(lifecycle_stop(h, &s, NULL, &err) == 0);
	CHECK_STR(rules_of("lim1"), "");
	CHECK(lifecycle_stop(h, &s, NULL, &err) == 0);
	/* A failing removal is reported like the other clean-up steps. */
	CHECK(host_rctl_add(h, "jail:lim1:maxproc:deny=1", &err) == 0);
	CHECK(host_sim_fault_set(dir, "rctl_remove", 1, EPERM, 0, &err) ==
	    0);
	CHECK(lifecycle_stop(h, &s, NULL, &err) == -1);
	CHECK_INT(err.sys_errno, EPERM);
	CHECK_STR(err.message, "rctl remove jail:lim1:: Operation not "
	    "permitted");
	CHECK(lifecycle_stop(h, &s, NULL, &err) == 0);
	CHECK_STR(rules_of("lim1"), "");

	/* exec.created fails: the rules are removed, each by its text. */
	CHECK(host_sim_fault_set(dir, "exec", 1, EIO, 0, &err) == 0);
	journal_clear();
	CHECK(lifecycle_create(h, &s, &jid, &err) == -1);
	CHECK_INT(err.sys_errno, EIO);
	CHECK(!live("lim1", NULL));
	CHECK_STR(rules_of("lim1"), "");
	j = journal();
	CHECK_CONTAINS(j, "JPATH=/j/lim1] -> EIO\n"
	    "rctl_remove jail:lim1:memoryuse:deny=536870912/process\n"
	    "rctl_remove jail:lim1:maxproc:deny=100/jail\n"
	    "remove ");
	jd_free(j);

	/* The second rule fails: the first goes, then the prison. */
	CHECK(host_sim_fault_set(dir, "rctl_add", 2, EPERM, 0, &err) == 0);
	journal_clear();
	CHECK(lifecycle_create(h, &s, &jid, &err) == -1);
	CHECK_INT(err.code, JD_E_HOST);
	CHECK_INT(err.sys_errno, EPERM);
	CHECK_STR(err.message, "rctl jail:lim1:memoryuse:deny=536870912/"
	    "process: Operation not permitted");
	CHECK(!live("lim1", NULL));
	CHECK_STR(rules_of("lim1"), "");
	j = journal();
	CHECK_CONTAINS(j, "rctl_add jail:lim1:maxproc:deny=100\n"
	    "rctl_add jail:lim1:memoryuse:deny=536870912/process -> EPERM\n"
	    "rctl_remove jail:lim1:maxproc:deny=100/jail\n"
	    "remove ");
	CHECK(strstr(j, "exec.created") == NULL);
	jd_free(j);

	/* RACCT disabled (ENOSYS): says how to enable it. */
	CHECK(host_sim_fault_set(dir, "rctl_add", 1, ENOSYS, 1, &err) == 0);
	CHECK(lifecycle_create(h, &s, &jid, &err) == -1);
	CHECK_INT(err.sys_errno, ENOSYS);
	CHECK_STR(err.message, "rctl jail:lim1:maxproc:deny=100: "
	    RCTL_DISABLED_MSG);
	CHECK_CONTAINS(err.message, "kern.racct.enable=1");
	CHECK(!live("lim1", NULL));
	CHECK(host_sim_fault_clear(dir, &err) == 0);
	prison_spec_free(&s);
}

static void
test_rctl_update(void)
{
	struct prison_spec old, s, s3;
	struct host_prison p;
	struct jd_error err;
	char summary[1024], *j;
	int jid;

	lim_spec("[{\"resource\": \"maxproc\", \"action\": \"deny\","
	    " \"amount\": 100},"
	    " {\"resource\": \"memoryuse\", \"action\": \"deny\","
	    "  \"amount\": \"512m\"},"
	    " {\"resource\": \"nthr\", \"action\": \"log\","
	    "  \"amount\": 10}]", &old);
	lim_spec("[{\"resource\": \"maxproc\", \"action\": \"deny\","
	    " \"amount\": 200},"
	    " {\"resource\": \"memoryuse\", \"action\": \"deny\","
	    "  \"amount\": 536870912},"
	    " {\"resource\": \"openfiles\", \"action\": \"deny\","
	    "  \"amount\": 1000}]", &s);
	CHECK(lifecycle_create(h, &old, &jid, &err) == 0);
	CHECK(live("lim1", &p));
	/* A rule nobody asked for stays. */
	CHECK(host_rctl_add(h, "jail:lim1:nsem:deny=5", &err) == 0);

	journal_clear();
	CHECK_INT(lifecycle_update(h, &s, &old, &p, summary, sizeof(summary),
	    &err), 4);
	printf("# updated: %s\n", summary);
	CHECK_STR(summary, "rctl -jail:lim1:maxproc:deny=100; "
	    "rctl -jail:lim1:nthr:log=10; rctl +jail:lim1:maxproc:deny=200; "
	    "rctl +jail:lim1:openfiles:deny=1000");
	{
		const char *want[] = {
			"rctl_remove jail:lim1:maxproc:deny=100/jail",
			"rctl_remove jail:lim1:nthr:log=10/jail",
			"rctl_add jail:lim1:maxproc:deny=200",
			"rctl_add jail:lim1:openfiles:deny=1000",
			NULL
		};
		journal_expect(want);
	}
	CHECK_STR(rules_of("lim1"), "jail:lim1:memoryuse:deny=536870912\n"
	    "jail:lim1:nsem:deny=5\n"
	    "jail:lim1:maxproc:deny=200\n"
	    "jail:lim1:openfiles:deny=1000\n");
	/* Idempotent. */
	journal_clear();
	CHECK_INT(lifecycle_update(h, &s, &old, &p, summary, sizeof(summary),
	    &err), 0);
	CHECK_STR(summary, "");
	j = journal();
	CHECK_STR(j, "");
	jd_free(j);

	/* Repair: a rule removed and an amount changed out of band. */
	CHECK(host_rctl_remove(h, "jail:lim1:openfiles", &err) == 0);
	CHECK(host_rctl_add(h, "jail:lim1:memoryuse:deny=1g", &err) == 0);
	CHECK_INT(lifecycle_repair(h, &s, &p, summary, sizeof(summary),
	    &err), 3);
	printf("# repaired: %s\n", summary);
	CHECK_STR(summary, "rctl -jail:lim1:memoryuse:deny=1073741824; "
	    "rctl +jail:lim1:memoryuse:deny=536870912; "
	    "rctl +jail:lim1:openfiles:deny=1000");
	CHECK_CONTAINS(rules_of("lim1"), "jail:lim1:nsem:deny=5\n");

	/* A failing add is named; ENOSYS from the listing too. */
	lim_spec("[{\"resource\": \"nthr\", \"action\": \"deny\","
	    " \"amount\": 50}]", &s3);
	CHECK(host_sim_fault_set(dir, "rctl_add", 1, EPERM, 0, &err) == 0);
	CHECK(lifecycle_update(h, &s3, &s, &p, summary, sizeof(summary),
	    &err) == -1);
	CHECK_CONTAINS(err.message, "rctl jail:lim1:nthr:deny=50: ");
	/* Not undone: the removals before the failure stand. */
	CHECK_STR(rules_of("lim1"), "jail:lim1:nsem:deny=5\n");
	CHECK(host_sim_fault_set(dir, "rctl_list", 1, ENOSYS, 0, &err) == 0);
	CHECK(lifecycle_update(h, &s3, &s, &p, summary, sizeof(summary),
	    &err) == -1);
	CHECK_INT(err.sys_errno, ENOSYS);
	CHECK_STR(err.message, "rctl list jail:lim1:: " RCTL_DISABLED_MSG);
	CHECK(host_sim_fault_clear(dir, &err) == 0);
	/* Every limit dropped: old's rules go, the foreign one stays. */
	CHECK_INT(lifecycle_repair(h, &s, &p, summary, sizeof(summary),
	    &err), 3);
	prison_spec_free(&s3);
	lim_spec("[]", &s3);
	CHECK_INT(lifecycle_update(h, &s3, &s, &p, summary, sizeof(summary),
	    &err), 3);
	CHECK_STR(summary, "rctl -jail:lim1:maxproc:deny=200; "
	    "rctl -jail:lim1:memoryuse:deny=536870912; "
	    "rctl -jail:lim1:openfiles:deny=1000");
	CHECK_STR(rules_of("lim1"), "jail:lim1:nsem:deny=5\n");
	/* Without limits on either side: no rctl call at all. */
	CHECK(host_sim_fault_set(dir, "rctl_list", 1, ENOSYS, 1, &err) == 0);
	CHECK_INT(lifecycle_update(h, &s3, &s3, &p, summary, sizeof(summary),
	    &err), 0);
	CHECK(host_sim_fault_clear(dir, &err) == 0);

	CHECK(lifecycle_stop(h, &s, &p, &err) == 0);
	CHECK_STR(rules_of("lim1"), "");
	host_prison_free(&p);
	prison_spec_free(&s3);
	prison_spec_free(&s);
	prison_spec_free(&old);
}

/*
 * A spec without limits never calls rctl: with every rctl method failing
 * ENOSYS (a host without RACCT), create, update, repair and stop work and
 * the journal has no rctl line.
 */
static void
test_rctl_none(const struct prison_spec *s)
{
	struct host_prison p;
	struct jd_error err;
	char summary[256], *j;
	int jid;

	CHECK(host_sim_fault_set(dir, "rctl_add", 1, ENOSYS, 1, &err) == 0);
	CHECK(host_sim_fault_set(dir, "rctl_remove", 1, ENOSYS, 1, &err) ==
	    0);
	CHECK(host_sim_fault_set(dir, "rctl_list", 1, ENOSYS, 1, &err) == 0);
	journal_clear();
	CHECK_INT(s->nlimits, 0);
	CHECK(lifecycle_create(h, s, &jid, &err) == 0);
	CHECK(live("web1", &p));
	CHECK_INT(lifecycle_update(h, s, s, &p, summary, sizeof(summary),
	    &err), 0);
	CHECK_INT(lifecycle_repair(h, s, &p, summary, sizeof(summary), &err),
	    0);
	CHECK(lifecycle_stop(h, s, &p, &err) == 0);
	CHECK(lifecycle_stop(h, s, NULL, &err) == 0);
	host_prison_free(&p);
	j = journal();
	CHECK(strstr(j, "rctl") == NULL);
	jd_free(j);
	CHECK(host_sim_fault_clear(dir, &err) == 0);
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

/* The whole of a file (caller frees with jd_free), or NULL. */
static char *
slurp(const char *path)
{
	struct buf b = { 0 };
	char chunk[4096];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		CHECK(buf_append(&b, chunk, (size_t)n) == 0);
	close(fd);
	if (buf_puts(&b, "") == -1)
		return NULL;
	return buf_detach(&b, NULL);
}

static void
spit(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	CHECK(fp != NULL);
	if (fp != NULL) {
		fputs(text, fp);
		fclose(fp);
	}
}

/* Whether env (NAME=value lines) has the exact line want. */
static int
has_line(const char *text, const char *want)
{
	size_t n = strlen(want);
	const char *p;

	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL)
		if (strncmp(p, want, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Whether some line of text starts with prefix. */
static int
has_prefix_line(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p;

	for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'),
	    p = p != NULL ? p + 1 : NULL)
		if (strncmp(p, prefix, n) == 0)
			return 1;
	return 0;
}

static size_t
count_lines(const char *text)
{
	size_t n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

static int
file_mode(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb) == -1)
		return -1;
	return (int)(sb.st_mode & 07777);
}

/* The journal must hold line (a whole line, newline included). */
static void
journal_has(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
journal_has(const char *fmt, ...)
{
	char line[1024], *j = journal();
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	CHECK_CONTAINS(j, line);
	jd_free(j);
}

/* exec options as the lifecycle hands them to the host (the journal). */
static void
test_exec_journal(void)
{
	struct prison_spec s;
	struct host_prison p;
	struct jd_error err;
	char text[2048], logdir[300], log[512], link[512], target[512];
	char *j;
	int jid;

	snprintf(logdir, sizeof(logdir), "%s/logs", dir);
	CHECK(mkdir(logdir, 0755) == 0);
	snprintf(log, sizeof(log), "%s/web2.log", logdir);
	snprintf(text, sizeof(text), "{\"name\": \"web2\", \"path\": "
	    "\"/j/web2\", \"state\": \"running\", \"exec\": {"
	    "\"prepare\": [\"/bin/echo prepare\"],"
	    " \"start\": [\"/bin/sh /etc/rc\"],"
	    " \"poststart\": [\"/bin/echo poststart\"],"
	    " \"stop\": [\"/bin/sh /etc/rc.shutdown jail\"],"
	    " \"poststop\": [\"/bin/echo poststop\"],"
	    " \"jail_user\": \"www\", \"system_user\": \"operator\","
	    " \"timeout_s\": 30, \"stop_timeout_s\": 0,"
	    " \"consolelog\": \"%s\"}}", log);
	spec_load(text, &s);
	journal_clear();
	CHECK(lifecycle_create(h, &s, &jid, &err) == 0);
	/* Host hooks: system_user, no JID yet, never the console log. */
	journal_has("exec_host exec.prepare user=operator /bin/echo prepare "
	    "[env JNAME=web2 JPATH=/j/web2]");
	journal_has("exec_jail %d exec.start user=www /bin/sh /etc/rc "
	    "[env JID=%d JNAME=web2 JPATH=/j/web2] [consolelog %s]", jid, jid,
	    log);
	journal_has("exec_host exec.poststart user=operator /bin/echo "
	    "poststart [env JID=%d JNAME=web2 JPATH=/j/web2]", jid);
	/* Its directory exists: the sim created the log, 0600, empty. */
	CHECK_INT(file_mode(log), 0600);
	CHECK(live("web2", &p));
	journal_clear();
	CHECK(lifecycle_stop(h, &s, &p, &err) == 0);
	journal_has("exec_jail %d exec.stop user=www /bin/sh /etc/rc.shutdown "
	    "jail [env JID=%d JNAME=web2 JPATH=/j/web2] [consolelog %s]", jid,
	    jid, log);
	journal_has("exec_host exec.poststop user=operator /bin/echo poststop "
	    "[env JID=%d JNAME=web2 JPATH=/j/web2]", jid);
	host_prison_free(&p);
	prison_spec_free(&s);

	/* clean: no variables of ours; system_jail_user for in-jail ones. */
	snprintf(text, sizeof(text), "{\"name\": \"web2\", \"path\": "
	    "\"/j/web2\", \"state\": \"running\", \"exec\": {"
	    "\"prepare\": [\"/bin/echo prepare\"],"
	    " \"start\": [\"/bin/sh /etc/rc\"], \"clean\": true,"
	    " \"jail_user\": \"www\", \"system_jail_user\": true,"
	    " \"consolelog\": \"/nonexistent-jd/web2.log\"}}");
	spec_load(text, &s);
	CHECK_INT(s.exec_clean, 1);
	CHECK_INT(s.system_jail_user, 1);
	journal_clear();
	CHECK(lifecycle_create(h, &s, &jid, &err) == 0);
	journal_has("exec_host exec.prepare /bin/echo prepare [clean]");
	/* A directory the sim host lacks: only recorded. */
	journal_has("exec_jail %d exec.start user=www /bin/sh /etc/rc [clean] "
	    "[system_jail_user] [consolelog /nonexistent-jd/web2.log]", jid);
	CHECK_INT(file_mode("/nonexistent-jd/web2.log"), -1);
	CHECK(live("web2", &p));
	CHECK(lifecycle_stop(h, &s, &p, &err) == 0);
	host_prison_free(&p);
	prison_spec_free(&s);

	/* A console log that is a symbolic link fails exec.start. */
	snprintf(link, sizeof(link), "%s/link.log", logdir);
	snprintf(target, sizeof(target), "%s/target.log", logdir);
	CHECK(symlink(target, link) == 0);
	snprintf(text, sizeof(text), "{\"name\": \"web2\", \"path\": "
	    "\"/j/web2\", \"state\": \"running\", \"exec\": {"
	    "\"start\": [\"/bin/sh /etc/rc\"], \"consolelog\": \"%s\"}}",
	    link);
	spec_load(text, &s);
	journal_clear();
	CHECK(lifecycle_create(h, &s, &jid, &err) == -1);
	CHECK_INT(err.sys_errno, ELOOP);
	CHECK_CONTAINS(err.message, "exec.start: /bin/sh /etc/rc: "
	    "consolelog ");
	CHECK_CONTAINS(err.message, "is a symbolic link");
	CHECK_INT(file_mode(target), -1);	/* nothing written through */
	CHECK(!live("web2", NULL));		/* rolled back */
	j = journal();
	CHECK_CONTAINS(j, "] -> ELOOP\n");
	CHECK_CONTAINS(j, "remove ");
	jd_free(j);
	prison_spec_free(&s);
}

/* The sim's exec methods, and ones that really run lifecycle hooks. */
static const struct host_ops *sim_ops;
static struct host_ops run_ops;

static int
run_exec_jail(struct host *hh, int jid, const struct host_exec_req *req,
    struct host_exec_result *out, struct jd_error *err)
{
	struct host_exec_req rq = *req;

	rq.flags &= ~(unsigned)HOST_EXEC_HOOK;
	return sim_ops->exec_jail(hh, jid, &rq, out, err);
}

static int
run_exec_host(struct host *hh, const struct host_exec_req *req,
    struct host_exec_result *out, struct jd_error *err)
{
	struct host_exec_req rq = *req;

	rq.flags &= ~(unsigned)HOST_EXEC_HOOK;
	return sim_ops->exec_host(hh, &rq, out, err);
}

static void
hooks_run(int on)
{
	if (on) {
		sim_ops = h->ops;
		run_ops = *h->ops;
		run_ops.exec_jail = run_exec_jail;
		run_ops.exec_host = run_exec_host;
		h->ops = &run_ops;
	} else
		h->ops = sim_ops;
}

/* exec options as the commands see them. */
static void
test_exec_real(void)
{
	struct prison_spec s;
	struct host_prison p;
	struct jd_error err;
	struct passwd *pw = getpwuid(getuid());
	struct timespec t0;
	char text[4096], root[300], log[512], f[512], want[1100], *t;
	int jid;

	CHECK(pw != NULL);
	setenv("JAILD_TOKEN", "sekrit-token", 1);
	setenv("JAILD_ADMIN_TOKEN", "sekrit-admin", 1);
	setenv("JD_TEST_KEPT", "kept", 1);
	setenv("TERM", "jd-term", 1);
	hooks_run(1);

	snprintf(root, sizeof(root), "%s/root3", dir);
	CHECK(mkdir(root, 0755) == 0);
	snprintf(log, sizeof(log), "%s/logs/web3.log", dir);
	snprintf(text, sizeof(text), "{\"name\": \"web3\", \"path\": \"%s\","
	    " \"state\": \"running\", \"exec\": {"
	    "\"prestart\": [\"env > %s/env.prestart\"],"
	    " \"start\": [\"env > %s/env.start\","
	    "   \"echo to-out; echo to-err >&2\"],"
	    " \"poststart\": [\"pwd > %s/pwd.poststart\"],"
	    " \"stop\": [\"echo stopping\"], \"stop_timeout_s\": 0,"
	    " \"timeout_s\": 20, \"consolelog\": \"%s\"}}",
	    root, dir, dir, dir, log);
	spec_load(text, &s);
	CHECK(lifecycle_create(h, &s, &jid, &err) == 0);
	snprintf(f, sizeof(f), "%s/env.prestart", dir);
	t = slurp(f);
	CHECK(t != NULL);
	if (t != NULL) {
		CHECK(has_line(t, "JNAME=web3"));
		snprintf(want, sizeof(want), "JPATH=%s", root);
		CHECK(has_line(t, want));
		CHECK(!has_prefix_line(t, "JID="));	/* not created yet */
		CHECK(has_line(t, "JD_TEST_KEPT=kept"));
		CHECK(strstr(t, "JAILD_") == NULL);
		CHECK(strstr(t, "sekrit") == NULL);
	}
	jd_free(t);
	snprintf(f, sizeof(f), "%s/env.start", dir);
	t = slurp(f);
	CHECK(t != NULL);
	if (t != NULL) {
		snprintf(want, sizeof(want), "JID=%d", jid);
		CHECK(has_line(t, want));
		CHECK(has_line(t, "JNAME=web3"));
		CHECK(strstr(t, "JAILD_") == NULL);
	}
	jd_free(t);
	/* The console log: in-jail output only, created 0600. */
	t = slurp(log);
	CHECK(t != NULL);
	if (t != NULL) {
		CHECK(has_line(t, "to-out"));
		CHECK(has_line(t, "to-err"));
		CHECK_INT(count_lines(t), 2);
	}
	jd_free(t);
	CHECK_INT(file_mode(log), 0600);
	CHECK(live("web3", &p));
	CHECK(lifecycle_stop(h, &s, &p, &err) == 0);
	host_prison_free(&p);
	t = slurp(log);
	CHECK(t != NULL && has_line(t, "stopping"));
	CHECK(t != NULL && count_lines(t) == 3);
	jd_free(t);
	prison_spec_free(&s);

	/* clean: the fixed set, in the user's home. */
	snprintf(text, sizeof(text), "{\"name\": \"web4\", \"path\": \"%s\","
	    " \"state\": \"running\", \"exec\": {"
	    "\"prestart\": [\"env > %s/env.clean; pwd > %s/pwd.clean\"],"
	    " \"clean\": true}}", root, dir, dir);
	spec_load(text, &s);
	CHECK(lifecycle_create(h, &s, &jid, &err) == 0);
	snprintf(f, sizeof(f), "%s/env.clean", dir);
	t = slurp(f);
	CHECK(t != NULL);
	if (t != NULL) {
		CHECK(has_line(t, "PATH=/bin:/usr/bin"));
		CHECK(has_line(t, "TERM=jd-term"));
		snprintf(want, sizeof(want), "USER=%s", pw->pw_name);
		CHECK(has_line(t, want));
		snprintf(want, sizeof(want), "HOME=%s", pw->pw_dir);
		CHECK(has_line(t, want));
		CHECK(has_prefix_line(t, "SHELL="));
		CHECK(!has_prefix_line(t, "JNAME="));
		CHECK(!has_prefix_line(t, "JPATH="));
		CHECK(!has_prefix_line(t, "JD_TEST_KEPT="));
		CHECK(strstr(t, "JAILD_") == NULL);
		/* sh adds PWD; nothing else beyond the fixed set. */
		CHECK(count_lines(t) <= 6);
	}
	jd_free(t);
	snprintf(f, sizeof(f), "%s/pwd.clean", dir);
	t = slurp(f);
	snprintf(want, sizeof(want), "%s\n", pw->pw_dir);
	CHECK(t != NULL);
	if (t != NULL)
		CHECK_STR(t, want);
	jd_free(t);
	CHECK(live("web4", &p));
	CHECK(lifecycle_stop(h, &s, &p, &err) == 0);
	host_prison_free(&p);
	prison_spec_free(&s);

	/* A failing command: its status and the first line of stderr. */
	spec_load("{\"name\": \"web5\", \"path\": \"/j/web5\", \"state\": "
	    "\"running\", \"exec\": {\"prestart\": [\"echo first-line >&2; "
	    "echo second-line >&2; exit 3\"]}}", &s);
	CHECK(lifecycle_create(h, &s, &jid, &err) == -1);
	CHECK_INT(err.code, JD_E_HOST);
	CHECK_INT(err.sys_errno, 0);
	CHECK_STR(err.message, "exec.prestart: echo first-line >&2; echo "
	    "second-line >&2; exit 3: exited with status 3: first-line");
	CHECK(!live("web5", NULL));
	prison_spec_free(&s);

	/* exec.timeout: over it, the step fails and the prison goes. */
	spec_load("{\"name\": \"web5\", \"path\": \"/j/web5\", \"state\": "
	    "\"running\", \"exec\": {\"start\": [\"echo slow-start >&2; "
	    "sleep 5\"], \"timeout_s\": 1}}", &s);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(lifecycle_create(h, &s, &jid, &err) == -1);
	CHECK(ms_since(&t0) < 4000);
	CHECK_INT(err.sys_errno, 0);
	CHECK_STR(err.message, "exec.start: echo slow-start >&2; sleep 5: "
	    "timed out after 1 s: slow-start");
	CHECK(!live("web5", NULL));
	prison_spec_free(&s);

	hooks_run(0);
	unsetenv("JAILD_TOKEN");
	unsetenv("JAILD_ADMIN_TOKEN");
}

/* host_run itself: the environment, the user, the console log. */
static void
test_host_run(void)
{
	const char *envv[] = { "env", NULL };
	const char *pwdv[] = { "pwd", NULL };
	const char *idv[] = { "id", "-u", NULL };
	const char *outv[] = { "/bin/sh", "-c", "echo a; echo b >&2", NULL };
	const char *extra[] = { "JNAME=x", "JD_TEST_KEPT=over", NULL };
	const char *extra1[] = { "EXTRA=1", NULL };
	struct host_exec_req req;
	struct host_exec_result r;
	struct host_cred cred;
	struct jd_error err;
	struct passwd *pw = getpwuid(getuid());
	char d[300], log[512], link[512], want[1100], *t;
	char ran[512], touchcmd[600];
	const char *touchv[] = { "/bin/sh", "-c", touchcmd, NULL };

	CHECK(pw != NULL);
	setenv("JAILD_TOKEN", "sekrit-token", 1);
	setenv("JD_TEST_KEPT", "kept", 1);
	setenv("TERM", "jd-term", 1);

	/* Not clean: ours minus JAILD_*, req->env over it. */
	memset(&req, 0, sizeof(req));
	req.argv = envv;
	req.env = extra;
	req.timeout_s = 10;
	CHECK(host_run(&req, NULL, NULL, NULL, NULL, &r, &err) == 0);
	CHECK_INT(r.status, 0);
	CHECK(has_line(r.out, "JNAME=x"));
	CHECK(has_line(r.out, "JD_TEST_KEPT=over"));
	CHECK(!has_line(r.out, "JD_TEST_KEPT=kept"));
	CHECK(has_line(r.out, "TERM=jd-term"));
	CHECK(strstr(r.out, "JAILD_") == NULL);
	CHECK(strstr(r.out, "sekrit") == NULL);
	host_exec_result_free(&r);

	/* Clean: exactly PATH, TERM, USER, HOME, SHELL and req->env. */
	req.env = extra1;
	req.flags = HOST_EXEC_CLEAN;
	CHECK(host_run(&req, "/tmp", NULL, NULL, NULL, &r, &err) == 0);
	CHECK_INT(r.status, 0);
	CHECK(has_line(r.out, "PATH=/bin:/usr/bin"));
	CHECK(has_line(r.out, "TERM=jd-term"));
	snprintf(want, sizeof(want), "USER=%s", pw->pw_name);
	CHECK(has_line(r.out, want));
	snprintf(want, sizeof(want), "HOME=%s", pw->pw_dir);
	CHECK(has_line(r.out, want));
	CHECK(has_prefix_line(r.out, "SHELL=/"));
	CHECK(has_line(r.out, "EXTRA=1"));
	CHECK_INT(count_lines(r.out), 6);
	host_exec_result_free(&r);
	/* ... in the user's home, whatever cwd says. */
	req.argv = pwdv;
	CHECK(host_run(&req, "/tmp", NULL, NULL, NULL, &r, &err) == 0);
	snprintf(want, sizeof(want), "%s\n", pw->pw_dir);
	CHECK_STR(r.out, want);
	host_exec_result_free(&r);
	/* Without TERM in ours, none in theirs. */
	unsetenv("TERM");
	req.argv = envv;
	CHECK(host_run(&req, NULL, NULL, NULL, NULL, &r, &err) == 0);
	CHECK(!has_prefix_line(r.out, "TERM="));
	CHECK_INT(count_lines(r.out), 5);
	host_exec_result_free(&r);

	/* A user: its credentials, and USER/HOME/SHELL even when not clean. */
	if (getuid() == 0 && host_cred_lookup("nobody", &cred, &err) == 0) {
		memset(&req, 0, sizeof(req));
		req.argv = idv;
		req.timeout_s = 10;
		CHECK(host_run(&req, "/", NULL, NULL, &cred, &r, &err) == 0);
		snprintf(want, sizeof(want), "%u\n", cred.uid);
		CHECK_STR(r.out, want);
		host_exec_result_free(&r);
		req.argv = envv;
		CHECK(host_run(&req, "/", NULL, NULL, &cred, &r, &err) == 0);
		CHECK(has_line(r.out, "USER=nobody"));
		snprintf(want, sizeof(want), "HOME=%s", cred.home);
		CHECK(has_line(r.out, want));
		CHECK(has_line(r.out, "JD_TEST_KEPT=kept"));
		host_exec_result_free(&r);
	} else
		printf("# not root: user switch not checked\n");

	/* The console log: both streams appended, 0600, no links. */
	snprintf(d, sizeof(d), "%s/hr", dir);
	CHECK(mkdir(d, 0755) == 0);
	snprintf(log, sizeof(log), "%s/console.log", d);
	memset(&req, 0, sizeof(req));
	req.argv = outv;
	req.timeout_s = 10;
	req.consolelog = log;
	CHECK(host_run(&req, NULL, NULL, NULL, NULL, &r, &err) == 0);
	CHECK_STR(r.out, "a\n");	/* still captured */
	CHECK_STR(r.err, "b\n");
	host_exec_result_free(&r);
	CHECK_INT(file_mode(log), 0600);
	CHECK(host_run(&req, NULL, NULL, NULL, NULL, &r, &err) == 0);
	host_exec_result_free(&r);
	t = slurp(log);
	CHECK(t != NULL && count_lines(t) == 4 && has_line(t, "a") &&
	    has_line(t, "b"));
	jd_free(t);

	snprintf(ran, sizeof(ran), "%s/ran", d);
	snprintf(touchcmd, sizeof(touchcmd), "touch %s", ran);
	req.argv = touchv;
	snprintf(link, sizeof(link), "%s/link.log", d);
	CHECK(symlink(log, link) == 0);
	req.consolelog = link;
	CHECK(host_run(&req, NULL, NULL, NULL, NULL, &r, &err) == -1);
	CHECK_INT(err.sys_errno, ELOOP);
	CHECK_CONTAINS(err.message, "is a symbolic link");
	CHECK_INT(file_mode(ran), -1);		/* never started */
	/* A link higher up the path. */
	snprintf(link, sizeof(link), "%s/linkdir", dir);
	CHECK(symlink(d, link) == 0);
	snprintf(want, sizeof(want), "%s/linkdir/console.log", dir);
	req.consolelog = want;
	CHECK(host_run(&req, NULL, NULL, NULL, NULL, &r, &err) == -1);
	CHECK_INT(err.sys_errno, ELOOP);
	snprintf(want, sizeof(want), "%s/linkdir is a symbolic link", dir);
	CHECK_CONTAINS(err.message, want);
	/* Relative paths and FIFOs are refused too. */
	req.consolelog = "console.log";
	CHECK(host_run(&req, NULL, NULL, NULL, NULL, &r, &err) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	snprintf(link, sizeof(link), "%s/fifo", d);
	CHECK(mkfifo(link, 0600) == 0);
	req.consolelog = link;
	CHECK(host_run(&req, NULL, NULL, NULL, NULL, &r, &err) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	CHECK_CONTAINS(err.message, "not a regular file");
	CHECK_INT(file_mode(ran), -1);
	unsetenv("JAILD_TOKEN");
}

/* A jail's passwd, read from the host side. */
static void
test_cred_root(void)
{
	struct host_cred c;
	struct jd_error err;
	char r[300], p[400];

	snprintf(r, sizeof(r), "%s/fr", dir);
	CHECK(mkdir(r, 0755) == 0);
	snprintf(p, sizeof(p), "%s/etc", r);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/etc/passwd", r);
	spit(p, "# comment\nroot:*:0:0:Charlie &:/root:/bin/csh\n"
	    "alice:*:1001:1001:Alice:/home/alice:/bin/tcsh\n");
	snprintf(p, sizeof(p), "%s/etc/group", r);
	spit(p, "wheel:*:0:root\nstaff:*:50:bob,alice\nalice:*:1001:\n"
	    "other:*:60:bob\n");
	CHECK(host_cred_lookup_root(r, "alice", &c, &err) == 0);
	CHECK_INT(c.uid, 1001);
	CHECK_INT(c.gid, 1001);
	CHECK_STR(c.name, "alice");
	CHECK_STR(c.home, "/home/alice");
	CHECK_STR(c.shell, "/bin/tcsh");
	CHECK_STR(c.class, "");
	CHECK_INT(c.ngroups, 2);
	CHECK_INT(c.groups[0], 1001);
	CHECK_INT(c.groups[1], 50);
	CHECK(host_cred_lookup_root(r, "0", &c, &err) == 0);
	CHECK_STR(c.name, "root");
	CHECK_STR(c.home, "/root");
	CHECK(host_cred_lookup_root(r, "bob", &c, &err) == -1);
	CHECK_INT(err.sys_errno, ENOENT);
	CHECK_STR(err.message, "unknown user bob");
	/* master.passwd wins, with the login class. */
	snprintf(p, sizeof(p), "%s/etc/master.passwd", r);
	spit(p, "alice:*:1001:1001:staff:0:0:Alice:/usr/home/alice:/bin/sh\n");
	CHECK(host_cred_lookup_root(r, "alice", &c, &err) == 0);
	CHECK_STR(c.home, "/usr/home/alice");
	CHECK_STR(c.class, "staff");
	/* A link planted in the jail is not followed. */
	CHECK(unlink(p) == 0);
	CHECK(symlink("/etc/master.passwd", p) == 0);
	CHECK(host_cred_lookup_root(r, "root", &c, &err) == -1);
	CHECK_INT(err.sys_errno, ELOOP);
	CHECK_CONTAINS(err.message, "is a symbolic link");
	snprintf(r, sizeof(r), "%s/fr2", dir);
	CHECK(mkdir(r, 0755) == 0);
	snprintf(p, sizeof(p), "%s/etc", r);
	CHECK(symlink("/etc", p) == 0);
	CHECK(host_cred_lookup_root(r, "root", &c, &err) == -1);
	CHECK_INT(err.sys_errno, ELOOP);
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
	test_rctl_create_stop();
	test_rctl_update();
	test_rctl_none(&s);
	test_persistence(&s);
	test_faults();
	test_exec_journal();
	test_exec_real();
	test_host_run();
	test_cred_root();

	prison_spec_free(&s);
	host_close(h);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	return check_done();
}
