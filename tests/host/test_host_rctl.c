/*
 * test_host_rctl.c - rctl through the host interface, for every backend
 * (JD_HOST_BACKEND, default "sim", in a temporary data directory): what
 * the kernel refuses (EINVAL for an unknown resource or action,
 * EOPNOTSUPP for an action the resource does not take), the listing form
 * (decimal amounts, per omitted when it is the subject), a deny rule
 * replacing the deny rule that differs only in amount while other actions
 * keep one rule per amount, exact filters ("/jail" spelt out) and ESRCH
 * from a remove that matches nothing.  On FreeBSD without RACCT (ENOSYS)
 * the checks are skipped and say so; the sim's rctl_add fault with ENOSYS
 * stands in for that host.  Rules use jail names carrying the pid and are
 * removed at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prison/host.h"
#include "tests/lib/check.h"

static struct host *h;
static char tmpdir[256];
static char name[64];
static int is_sim;

/* "jail:NAME:" + rest, in a static buffer per slot. */
static const char *
rule(int slot, const char *rest)
{
	static char bufs[4][256];

	snprintf(bufs[slot], sizeof(bufs[slot]), "jail:%s:%s", name, rest);
	return bufs[slot];
}

/* The jail's rules, one per line in listing order. */
static char *
listing(void)
{
	static char out[4096];
	struct host_strings l;
	struct jd_error err;
	size_t i, n = 0;

	out[0] = '\0';
	CHECK(host_rctl_list(h, rule(3, ""), &l, &err) == 0);
	for (i = 0; i < l.n; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s\n",
		    l.v[i] + strlen(rule(3, "")));
	host_strings_free(&l);
	return out;
}

static void
add_fails(const char *rest, int errnum)
{
	struct jd_error err;

	if (host_rctl_add(h, rule(0, rest), &err) == 0)
		printf("# %s was accepted\n", rule(0, rest));
	else if (err.sys_errno != errnum)
		printf("# %s: %s\n", rule(0, rest), err.message);
	CHECK(host_rctl_add(h, rule(0, rest), &err) == -1);
	CHECK_INT(err.sys_errno, errnum);
	CHECK_INT(err.code, JD_E_HOST);
}

static void
add_ok(const char *rest)
{
	struct jd_error err;

	if (host_rctl_add(h, rule(0, rest), &err) == -1)
		printf("# %s: %s\n", rule(0, rest), err.message);
	CHECK(host_rctl_add(h, rule(0, rest), &err) == 0);
}

static void
test_refused(void)
{
	/* Unknown resource or action: EINVAL. */
	add_fails("nosuchresource:deny=1", EINVAL);
	add_fails("maxproc:nosuchaction=1", EINVAL);
	add_fails("maxproc:sigbogus=1", EINVAL);
	add_fails("maxproc:deny=12q", EINVAL);
	add_fails("maxproc:deny", EINVAL);
	add_fails("maxproc:deny=1/nosuchper", EINVAL);
	/* Actions the resource does not take: EOPNOTSUPP. */
	add_fails("cputime:deny=10", EOPNOTSUPP);
	add_fails("wallclock:deny=10", EOPNOTSUPP);
	add_fails("readbps:deny=10", EOPNOTSUPP);
	add_fails("writeiops:deny=10", EOPNOTSUPP);
	add_fails("maxproc:throttle=10", EOPNOTSUPP);
	add_fails("memoryuse:throttle=10", EOPNOTSUPP);
	add_fails("pcpu:throttle=10", EOPNOTSUPP);
	if (is_sim) {
		/* jaild's table: the I/O resources take only throttle,
		   which needs an amount. */
		add_fails("readbps:log=10", EOPNOTSUPP);
		add_fails("writebps:sigterm=10", EOPNOTSUPP);
		add_fails("readbps:throttle=0", EINVAL);
	}
	CHECK_STR(listing(), "");
}

static void
test_forms_and_replace(void)
{
	struct jd_error err;

	add_ok("memoryuse:deny=1m");
	add_ok("maxproc:deny=10");
	add_ok("readbps:throttle=1k/process");
	add_ok("cputime:sigxcpu=60");
	CHECK_STR(listing(), "memoryuse:deny=1048576\n"
	    "maxproc:deny=10\n"
	    "readbps:throttle=1024/process\n"
	    "cputime:sigxcpu=60\n");
	/* A deny rule replaces the one differing only in its amount; the
	   new one is listed last.  "/jail" is the default per. */
	add_ok("maxproc:deny=20/jail");
	CHECK_STR(listing(), "memoryuse:deny=1048576\n"
	    "readbps:throttle=1024/process\n"
	    "cputime:sigxcpu=60\n"
	    "maxproc:deny=20\n");
	/* Another per is another rule. */
	add_ok("maxproc:deny=5/process");
	/* Other actions: one rule per amount, an exact repeat is one. */
	add_ok("maxproc:log=100");
	add_ok("maxproc:log=200");
	add_ok("maxproc:log=100");
	{
		const char *l = listing();

		CHECK_CONTAINS(l, "maxproc:deny=20\n");
		CHECK_CONTAINS(l, "maxproc:deny=5/process\n");
		CHECK_CONTAINS(l, "maxproc:log=100\n");
		CHECK_CONTAINS(l, "maxproc:log=200\n");
		CHECK(strstr(strstr(l, "maxproc:log=100\n") + 1,
		    "maxproc:log=100\n") == NULL);
	}

	/* Exact filters: "/jail" spelt out leaves the /process rule. */
	CHECK(host_rctl_remove(h, rule(0, "maxproc:deny=20/jail"), &err) ==
	    0);
	{
		const char *l = listing();

		CHECK(strstr(l, "maxproc:deny=20\n") == NULL);
		CHECK_CONTAINS(l, "maxproc:deny=5/process\n");
	}
	/* An amount in a filter must match. */
	CHECK(host_rctl_remove(h, rule(0, "maxproc:log=300"), &err) == -1);
	CHECK_INT(err.sys_errno, ESRCH);
	CHECK(host_rctl_remove(h, rule(0, "maxproc:log=100"), &err) == 0);
	CHECK(strstr(listing(), "maxproc:log=100\n") == NULL);
	CHECK_CONTAINS(listing(), "maxproc:log=200\n");
	/* Without per or amount a filter takes every such rule. */
	CHECK(host_rctl_remove(h, rule(0, "maxproc"), &err) == 0);
	CHECK(strstr(listing(), "maxproc") == NULL);
	CHECK_STR(listing(), "memoryuse:deny=1048576\n"
	    "readbps:throttle=1024/process\n"
	    "cputime:sigxcpu=60\n");

	/* The whole jail; then nothing matches: ESRCH. */
	CHECK(host_rctl_remove(h, rule(0, ""), &err) == 0);
	CHECK_STR(listing(), "");
	CHECK(host_rctl_remove(h, rule(0, ""), &err) == -1);
	CHECK_INT(err.sys_errno, ESRCH);
	CHECK_INT(err.code, JD_E_HOST);
}

/* The sim's fault table stands in for a host with RACCT disabled. */
static void
test_sim_disabled(void)
{
	struct jd_error err;

	CHECK(host_sim_fault_set(tmpdir, "rctl_add", 1, ENOSYS, 1, &err) ==
	    0);
	CHECK(host_rctl_add(h, rule(0, "maxproc:deny=1"), &err) == -1);
	CHECK_INT(err.sys_errno, ENOSYS);
	CHECK(host_rctl_add(h, rule(0, "nthr:deny=1"), &err) == -1);
	CHECK_INT(err.sys_errno, ENOSYS);
	CHECK(host_sim_fault_clear(tmpdir, &err) == 0);
	CHECK_STR(listing(), "");
}

int
main(void)
{
	const char *backend = getenv("JD_HOST_BACKEND");
	struct jd_error err;
	char cmd[300];

	if (backend == NULL || *backend == '\0')
		backend = "sim";
	is_sim = strcmp(backend, "sim") == 0;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/jd-rctl-XXXXXX");
	CHECK(mkdtemp(tmpdir) != NULL);
	snprintf(name, sizeof(name), "jdrc%ld", (long)getpid());
	printf("# backend %s in %s\n", backend, tmpdir);
	CHECK(host_open(backend, tmpdir, &h, &err) == 0);

	if (host_rctl_add(h, rule(0, "maxproc:deny=1"), &err) == -1 &&
	    err.sys_errno == ENOSYS) {
		CHECK(!is_sim);
		printf("# skip: RACCT is disabled on this host (%s)\n",
		    err.message);
	} else {
		CHECK(host_rctl_remove(h, rule(0, ""), &err) == 0);
		test_refused();
		test_forms_and_replace();
		if (is_sim)
			test_sim_disabled();
	}

	(void)host_rctl_remove(h, rule(0, ""), &err);
	host_close(h);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return check_done();
}
