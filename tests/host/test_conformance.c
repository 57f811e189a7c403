/*
 * test_conformance.c - one suite every host backend must pass.
 *
 * Runs against the backend named by JD_HOST_BACKEND (default "sim") in a
 * temporary data directory.  Written to run unchanged on FreeBSD as root
 * with JD_HOST_BACKEND=freebsd: jail roots and mount points are real
 * directories under the temporary directory, prison names carry the pid,
 * addresses come from 127.0.10.0/24 (JD_TEST_IFACE names the interface for
 * aliases, default lo0), and everything created is removed at the end.
 * Checks that only the simulation can make (how long a dying prison
 * lingers) run only against "sim".
 */
#include <sys/stat.h>

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prison/host.h"
#include "tests/lib/check.h"

static struct host *h;
static char tmpdir[256];
static char prefix[32];
static int is_sim;
static const char *iface;

static void
mkdirp(const char *p)
{
	if (mkdir(p, 0755) == -1 && errno != EEXIST) {
		perror(p);
		exit(1);
	}
}

/* tmpdir/sub as a fresh directory; returns a static buffer per slot. */
static const char *
dir(int slot, const char *sub)
{
	static char bufs[8][512];

	snprintf(bufs[slot], sizeof(bufs[slot]), "%s/%s", tmpdir, sub);
	mkdirp(bufs[slot]);
	return bufs[slot];
}

static const char *
pname(int slot, const char *base)
{
	static char bufs[8][64];

	snprintf(bufs[slot], sizeof(bufs[slot]), "%s%s", prefix, base);
	return bufs[slot];
}

/* Create a prison from name/value pairs (NULL-terminated); jid or -1. */
static int
create(struct jd_error *err, ...)
{
	struct host_params p = { 0 };
	const char *n, *v;
	va_list ap;
	int jid = -1;

	va_start(ap, err);
	while ((n = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		CHECK(host_params_set(&p, n, v) == 0);
	}
	va_end(ap);
	if (host_prison_create(h, &p, &jid, err) == -1)
		jid = -1;
	host_params_free(&p);
	return jid;
}

static int
update1(const char *key, const char *name, const char *value,
    struct jd_error *err)
{
	struct host_params p = { 0 };
	int rc;

	CHECK(host_params_set(&p, name, value) == 0);
	rc = host_prison_update(h, key, &p, NULL, err);
	host_params_free(&p);
	return rc;
}

static void
test_create_get_list(void)
{
	struct jd_error err;
	struct host_prison p;
	struct host_prison_list l;
	char key[16];
	int jid, found = 0;
	size_t i;

	jid = create(&err, "name", pname(0, "a"), "path", dir(0, "ra"),
	    "host.hostname", "a.example.org", "persist", "true",
	    "ip4.addr", "127.0.10.1", NULL);
	CHECK(jid > 0);
	CHECK(host_prison_get(h, pname(0, "a"), 0, &p, &err) == 0);
	CHECK_INT(p.jid, jid);
	CHECK_STR(p.name, pname(0, "a"));
	CHECK_STR(p.path, dir(0, "ra"));
	CHECK_STR(p.hostname, "a.example.org");
	CHECK_INT(p.dying, 0);
	CHECK_STR(host_params_get(&p.params, "ip4.addr"), "127.0.10.1");
	CHECK_STR(host_params_get(&p.params, "persist"), "true");
	CHECK(host_params_get(&p.params, "securelevel") != NULL);
	CHECK(host_params_get(&p.params, "name") == NULL);
	host_prison_free(&p);

	snprintf(key, sizeof(key), "%d", jid);
	CHECK(host_prison_get(h, key, 0, &p, &err) == 0);
	CHECK_STR(p.name, pname(0, "a"));
	host_prison_free(&p);

	CHECK(host_prison_list(h, 0, &l, &err) == 0);
	for (i = 0; i < l.n; i++) {
		if (i > 0)
			CHECK(l.v[i].jid > l.v[i - 1].jid);
		if (l.v[i].jid == jid) {
			CHECK_STR(l.v[i].name, pname(0, "a"));
			found = 1;
		}
	}
	CHECK(found);
	host_prison_list_free(&l);

	/* A missing prison. */
	CHECK(host_prison_get(h, pname(0, "nosuch"), 0, &p, &err) == -1);
	CHECK_INT(err.sys_errno, ENOENT);
	CHECK_INT(err.code, JD_E_HOST);

	/* The same name again. */
	CHECK(create(&err, "name", pname(0, "a"), "path", dir(0, "ra"),
	    "persist", "true", NULL) == -1);
	CHECK_INT(err.sys_errno, EEXIST);
	CHECK_CONTAINS(err.message, "already exists");
}

static void
test_update(void)
{
	struct jd_error err;
	struct host_prison p;
	char msg[128];

	CHECK(update1(pname(0, "a"), "securelevel", "1", &err) == 0);
	CHECK(update1(pname(0, "a"), "host.hostname", "b.example.org",
	    &err) == 0);
	CHECK(update1(pname(0, "a"), "allow.mount", "true", &err) == 0);
	CHECK(update1(pname(0, "a"), "allow.nomount", "true", &err) == 0);
	CHECK(host_prison_get(h, pname(0, "a"), 0, &p, &err) == 0);
	CHECK_STR(host_params_get(&p.params, "securelevel"), "1");
	CHECK_STR(host_params_get(&p.params, "allow.mount"), "false");
	CHECK_STR(p.hostname, "b.example.org");
	host_prison_free(&p);

	/* Create-only parameters, even with the value they already have. */
	CHECK(update1(pname(0, "a"), "path", dir(0, "ra"), &err) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	CHECK_STR(err.message, "path cannot be changed after creation");
	CHECK(update1(pname(0, "a"), "osrelease", "13.0-RELEASE", &err) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	CHECK_STR(err.message, "osrelease cannot be changed after creation");
	/* ... also for a prison that does not exist. */
	CHECK(update1(pname(0, "nosuch"), "ip4", "new", &err) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	CHECK_STR(err.message, "ip4 cannot be changed after creation");

	CHECK(update1(pname(0, "nosuch"), "securelevel", "1", &err) == -1);
	CHECK_INT(err.sys_errno, ENOENT);
	snprintf(msg, sizeof(msg), "jail \"%s\" not found", pname(0, "nosuch"));
	CHECK_STR(err.message, msg);
}

static void
test_value_errors(void)
{
	struct jd_error err;

	/* Without persist (and without attach). */
	CHECK(create(&err, "name", pname(1, "np"), "path", dir(1, "rnp"),
	    NULL) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	CHECK_STR(err.message, "new jail must persist or attach");
	CHECK(create(&err, "name", pname(1, "np"), "path", dir(1, "rnp"),
	    "persist", "false", NULL) == -1);
	CHECK_INT(err.sys_errno, EINVAL);

	/* bool, jailsys, integer ranges, unknown names, numeric names. */
	CHECK(update1(pname(0, "a"), "allow.raw_sockets", "maybe", &err) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	CHECK(update1(pname(0, "a"), "host", "disable", &err) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	CHECK(update1(pname(0, "a"), "enforce_statfs", "3", &err) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	CHECK(update1(pname(0, "a"), "devfs_ruleset", "70000", &err) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	CHECK(update1(pname(0, "a"), "securelevel", "high", &err) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	CHECK(update1(pname(0, "a"), "no.such.param", "1", &err) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	CHECK_CONTAINS(err.message, "unknown parameter: no.such.param");
	CHECK(create(&err, "name", "999998", "path", dir(1, "rnp"),
	    "persist", "true", "jid", "999997", NULL) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	CHECK_STR(err.message, "name cannot be numeric (unless it is the jid)");
	CHECK(create(&err, "name", "0123", "path", dir(1, "rnp"),
	    "persist", "true", NULL) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	/* A dotted name whose parent does not exist. */
	CHECK(create(&err, "name", "jdct_nosuchparent.child", "path",
	    dir(1, "rnp"), "persist", "true", NULL) == -1);
	CHECK_INT(err.sys_errno, ENOENT);
	CHECK_STR(err.message, "jail \"jdct_nosuchparent\" not found");
}

static void
test_jids_and_dying(void)
{
	struct jd_error err;
	struct host_prison p;
	struct host_prison_list l;
	int j1, j2, j3, j4, saw = 0;
	size_t i;

	j1 = create(&err, "name", pname(1, "j1"), "path", dir(1, "rj"),
	    "persist", "true", NULL);
	j2 = create(&err, "name", pname(2, "j2"), "path", dir(1, "rj"),
	    "persist", "true", NULL);
	CHECK(j1 > 0);
	CHECK(j2 > j1);
	CHECK(host_prison_remove(h, j1, &err) == 0);
	j3 = create(&err, "name", pname(3, "j3"), "path", dir(1, "rj"),
	    "persist", "true", NULL);
	CHECK(j3 > j2);		/* increasing, j1 not reused */

	/* A removed prison is hidden unless dying ones are asked for. */
	CHECK(host_prison_get(h, pname(1, "j1"), 0, &p, &err) == -1);
	CHECK_INT(err.sys_errno, ENOENT);
	if (host_prison_get(h, pname(1, "j1"), 1, &p, &err) == 0) {
		CHECK_INT(p.dying, 1);
		CHECK_INT(p.jid, j1);
		host_prison_free(&p);
		CHECK(host_prison_list(h, 1, &l, &err) == 0);
		for (i = 0; i < l.n; i++)
			if (l.v[i].jid == j1 && l.v[i].dying)
				saw = 1;
		CHECK(saw);
		host_prison_list_free(&l);
		CHECK(host_prison_list(h, 0, &l, &err) == 0);
		for (i = 0; i < l.n; i++)
			CHECK(l.v[i].jid != j1);
		host_prison_list_free(&l);
		/* Removing a dying prison again is not an error. */
		CHECK(host_prison_remove(h, j1, &err) == 0);
	} else
		CHECK(!is_sim);	/* the kernel may free it at once */
	/* Its name is free again. */
	j4 = create(&err, "name", pname(1, "j1"), "path", dir(1, "rj"),
	    "persist", "true", NULL);
	CHECK(j4 > j3);
	CHECK(host_prison_remove(h, j4, &err) == 0);
	CHECK(host_prison_remove(h, j2, &err) == 0);
	CHECK(host_prison_remove(h, j3, &err) == 0);
	/* A jid nobody holds. */
	CHECK(host_prison_remove(h, 999990, &err) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	/* Turning persist off on a prison without processes kills it. */
	j1 = create(&err, "name", pname(1, "np2"), "path", dir(1, "rj"),
	    "persist", "true", NULL);
	CHECK(j1 > 0);
	CHECK(update1(pname(1, "np2"), "persist", "false", &err) == 0);
	CHECK(host_prison_get(h, pname(1, "np2"), 0, &p, &err) == -1);
	CHECK_INT(err.sys_errno, ENOENT);
}

static void
test_sim_linger(void)
{
	struct jd_error err;
	struct host_prison p;
	int jid;

	CHECK(host_sim_linger_set(tmpdir, 300, &err) == 0);
	jid = create(&err, "name", pname(1, "lg"), "path", dir(1, "rj"),
	    "persist", "true", NULL);
	CHECK(jid > 0);
	CHECK(host_prison_remove(h, jid, &err) == 0);
	CHECK(host_prison_get(h, pname(1, "lg"), 1, &p, &err) == 0);
	CHECK_INT(p.dying, 1);
	host_prison_free(&p);
	usleep(450 * 1000);
	CHECK(host_prison_get(h, pname(1, "lg"), 1, &p, &err) == -1);
	CHECK_INT(err.sys_errno, ENOENT);

	/* A requested jid held by a dying prison: the dying one moves. */
	jid = create(&err, "name", pname(1, "lg2"), "path", dir(1, "rj"),
	    "persist", "true", NULL);
	CHECK(host_prison_remove(h, jid, &err) == 0);
	{
		char jt[16];
		int j2;

		snprintf(jt, sizeof(jt), "%d", jid);
		j2 = create(&err, "name", pname(2, "lg3"), "path",
		    dir(1, "rj"), "persist", "true", "jid", jt, NULL);
		CHECK_INT(j2, jid);
		CHECK(host_prison_get(h, pname(1, "lg2"), 1, &p, &err) == 0);
		CHECK_INT(p.dying, 1);
		CHECK(p.jid != jid);
		CHECK(p.jid > 900000);
		host_prison_free(&p);
		CHECK(host_prison_remove(h, j2, &err) == 0);
	}
	/* All-digit names become the jid. */
	jid = create(&err, "name", "777777", "path", dir(1, "rj"),
	    "persist", "true", NULL);
	CHECK_INT(jid, 777777);
	CHECK(host_prison_remove(h, jid, &err) == 0);
}

static void
test_ip_lists(void)
{
	struct jd_error err;
	struct host_prison p;
	int jid, j2;

	jid = create(&err, "name", pname(1, "ip"), "path", dir(1, "rip"),
	    "persist", "true", "ip4.addr",
	    "127.0.10.9,127.0.10.5,127.0.10.3,127.0.10.20", NULL);
	CHECK(jid > 0);
	CHECK(host_prison_get(h, pname(1, "ip"), 0, &p, &err) == 0);
	CHECK_STR(host_params_get(&p.params, "ip4.addr"),
	    "127.0.10.9,127.0.10.3,127.0.10.5,127.0.10.20");
	host_prison_free(&p);
	/* Clash with a prison holding more than one address. */
	CHECK(create(&err, "name", pname(2, "ip2"), "path", dir(1, "rip"),
	    "persist", "true", "ip4.addr", "127.0.10.5", NULL) == -1);
	CHECK_INT(err.sys_errno, EADDRINUSE);
	CHECK_STR(err.message, "IPv4 addresses clash");
	/* Duplicates and the unspecified address are refused. */
	CHECK(create(&err, "name", pname(2, "ip2"), "path", dir(1, "rip"),
	    "persist", "true", "ip4.addr", "127.0.10.30,127.0.10.30",
	    NULL) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	CHECK(create(&err, "name", pname(2, "ip2"), "path", dir(1, "rip"),
	    "persist", "true", "ip4.addr", "0.0.0.0", NULL) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	/* IPv6 keeps the same order rule. */
	j2 = create(&err, "name", pname(2, "ip2"), "path", dir(1, "rip"),
	    "persist", "true", "ip6.addr", "fd00::9,fd00::2,fd00::1", NULL);
	CHECK(j2 > 0);
	CHECK(host_prison_get(h, pname(2, "ip2"), 0, &p, &err) == 0);
	CHECK_STR(host_params_get(&p.params, "ip6.addr"),
	    "fd00::9,fd00::1,fd00::2");
	host_prison_free(&p);
	/* ip4.addr may change on a restricted prison. */
	CHECK(update1(pname(1, "ip"), "ip4.addr", "127.0.10.40,127.0.10.39",
	    &err) == 0);
	CHECK(host_prison_get(h, pname(1, "ip"), 0, &p, &err) == 0);
	CHECK_STR(host_params_get(&p.params, "ip4.addr"),
	    "127.0.10.40,127.0.10.39");
	host_prison_free(&p);
	CHECK(host_prison_remove(h, jid, &err) == 0);
	CHECK(host_prison_remove(h, j2, &err) == 0);
}

static int
has_addr(const char *addr, const char *ifname)
{
	struct host_addr_list l;
	struct jd_error err;
	size_t i;
	int found = 0;

	CHECK(host_addr_list(h, &l, &err) == 0);
	for (i = 0; i < l.n; i++)
		if (strcmp(l.v[i].address, addr) == 0 &&
		    strcmp(l.v[i].ifname, ifname) == 0)
			found = 1;
	host_addr_list_free(&l);
	return found;
}

static void
test_addrs(void)
{
	struct host_addr a = { 0 }, a6 = { 0 };
	struct jd_error err;

	a.ifname = (char *)iface;
	a.family = HOST_AF_INET;
	a.address = "127.0.20.1";
	a.prefixlen = 32;
	CHECK(host_addr_add(h, &a, &err) == 0);
	CHECK(has_addr("127.0.20.1", iface));
	CHECK(host_addr_add(h, &a, &err) == -1);
	CHECK_INT(err.sys_errno, EEXIST);
	a6.ifname = (char *)iface;
	a6.family = HOST_AF_INET6;
	a6.address = "fd00:0:0::20";
	a6.prefixlen = 128;
	CHECK(host_addr_add(h, &a6, &err) == 0);
	CHECK(has_addr("fd00::20", iface));
	CHECK(host_addr_del(h, &a6, &err) == 0);
	CHECK(!has_addr("fd00::20", iface));
	CHECK(host_addr_del(h, &a, &err) == 0);
	CHECK(!has_addr("127.0.20.1", iface));
	CHECK(host_addr_del(h, &a, &err) == -1);
	CHECK_INT(err.sys_errno, EADDRNOTAVAIL);
}

static int
mounted(const char *target)
{
	struct host_mount_list l;
	struct jd_error err;
	size_t i;
	int n = 0;

	CHECK(host_mount_list(h, &l, &err) == 0);
	for (i = 0; i < l.n; i++)
		if (strcmp(l.v[i].target, target) == 0) {
			CHECK_STR(l.v[i].type, "tmpfs");
			n++;
		}
	host_mount_list_free(&l);
	return n;
}

static void
test_mounts(void)
{
	struct host_mount m = { 0 };
	struct jd_error err;
	char target[512];

	snprintf(target, sizeof(target), "%s", dir(2, "mnt"));
	m.type = "tmpfs";
	m.source = "tmpfs";
	m.target = target;
	m.options = "size=1m";
	CHECK(host_mount(h, &m, &err) == 0);
	CHECK_INT(mounted(target), 1);
	CHECK(host_unmount(h, target, &err) == 0);
	CHECK_INT(mounted(target), 0);
	CHECK(host_unmount(h, target, &err) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
}

static void
test_rctl(void)
{
	struct host_strings l;
	struct jd_error err;
	char rule[128], filter[128], want[128];

	snprintf(rule, sizeof(rule), "jail:%s:maxproc:deny=10",
	    pname(0, "a"));
	snprintf(filter, sizeof(filter), "jail:%s", pname(0, "a"));
	if (host_rctl_add(h, rule, &err) == -1 && err.sys_errno == ENOSYS) {
		CHECK(!is_sim);
		printf("# skip rctl: RACCT is disabled on this host\n");
		return;
	}
	CHECK(host_rctl_list(h, filter, &l, &err) == 0);
	CHECK_INT(l.n, 1);
	CHECK_STR(l.v[0], rule);
	host_strings_free(&l);
	snprintf(rule, sizeof(rule), "jail:%s:memoryuse:deny=1m",
	    pname(0, "a"));
	CHECK(host_rctl_add(h, rule, &err) == 0);
	snprintf(want, sizeof(want), "jail:%s:memoryuse:deny=1048576",
	    pname(0, "a"));
	CHECK(host_rctl_list(h, filter, &l, &err) == 0);
	CHECK_INT(l.n, 2);
	CHECK(strcmp(l.v[0], want) == 0 || strcmp(l.v[1], want) == 0);
	host_strings_free(&l);
	CHECK(host_rctl_add(h, "jail:x:nosuchresource:deny=1", &err) == -1);
	CHECK_INT(err.sys_errno, EINVAL);
	CHECK(host_rctl_remove(h, filter, &err) == 0);
	CHECK(host_rctl_list(h, filter, &l, &err) == 0);
	CHECK_INT(l.n, 0);
	host_strings_free(&l);
}

static void
test_exec_host(void)
{
	const char *argv1[] = { "/bin/sh", "-c",
	    "echo out; echo err >&2; exit 3", NULL };
	const char *argv2[] = { "/bin/sh", "-c", "sleep 5", NULL };
	const char *argv3[] = { "/nonexistent/program", NULL };
	const char *argv4[] = { "/bin/sh", "-c",
	    "i=0; while [ $i -lt 2000 ]; do echo 0123456789; i=$((i+1)); done",
	    NULL };
	struct host_exec_req req = { 0 };
	struct host_exec_result r;
	struct jd_error err;

	req.argv = argv1;
	req.timeout_s = 10;
	CHECK(host_exec_host(h, &req, &r, &err) == 0);
	CHECK_INT(r.status, 3);
	CHECK_INT(r.timed_out, 0);
	CHECK_STR(r.out, "out\n");
	CHECK_STR(r.err, "err\n");
	host_exec_result_free(&r);

	req.argv = argv2;
	req.timeout_s = 1;
	CHECK(host_exec_host(h, &req, &r, &err) == 0);
	CHECK_INT(r.timed_out, 1);
	CHECK(r.status != 0);
	host_exec_result_free(&r);

	req.argv = argv3;
	CHECK(host_exec_host(h, &req, &r, &err) == -1);
	CHECK_INT(err.sys_errno, ENOENT);

	req.argv = argv4;
	req.timeout_s = 10;
	req.output_max = 1000;
	CHECK(host_exec_host(h, &req, &r, &err) == 0);
	CHECK_INT(r.status, 0);
	CHECK_INT(r.outlen, 1000);
	CHECK_INT(r.truncated, 1);
	host_exec_result_free(&r);
}

/*
 * What every backend's commands see: jaild's environment without JAILD_*
 * variables plus req->env; with HOST_EXEC_CLEAN only the fixed set, in
 * the user's home; a console log gets both streams (0600) and is refused
 * through a symbolic link.
 */
static void
test_exec_env(void)
{
	const char *envv[] = { "env", NULL };
	const char *pwdv[] = { "pwd", NULL };
	const char *outv[] = { "/bin/sh", "-c", "echo o; echo e >&2", NULL };
	const char *extra[] = { "JNAME=conf", NULL };
	struct host_exec_req req = { 0 };
	struct host_exec_result r;
	struct jd_error err;
	struct stat sb;
	char log[512], link[512], home[1100];
	const char *d = dir(7, "conslog");
	struct passwd *pw = getpwuid(getuid());

	setenv("JAILD_TOKEN", "sekrit-conf", 1);
	setenv("JD_CONF_KEPT", "yes", 1);
	req.argv = envv;
	req.env = extra;
	req.timeout_s = 10;
	CHECK(host_exec_host(h, &req, &r, &err) == 0);
	CHECK_CONTAINS(r.out, "JNAME=conf\n");
	CHECK_CONTAINS(r.out, "JD_CONF_KEPT=yes\n");
	CHECK(strstr(r.out, "JAILD_") == NULL);
	host_exec_result_free(&r);

	req.flags = HOST_EXEC_CLEAN;
	req.env = NULL;
	CHECK(host_exec_host(h, &req, &r, &err) == 0);
	CHECK_CONTAINS(r.out, "PATH=/bin:/usr/bin\n");
	CHECK(strstr(r.out, "JD_CONF_KEPT") == NULL);
	CHECK(strstr(r.out, "JAILD_") == NULL);
	host_exec_result_free(&r);
	req.argv = pwdv;
	CHECK(host_exec_host(h, &req, &r, &err) == 0);
	/* jaild's own user (from the host's passwd) */
	CHECK(pw != NULL);
	snprintf(home, sizeof(home), "%s\n", pw != NULL ? pw->pw_dir : "");
	CHECK_STR(r.out, home);
	host_exec_result_free(&r);

	snprintf(log, sizeof(log), "%s/console.log", d);
	memset(&req, 0, sizeof(req));
	req.argv = outv;
	req.timeout_s = 10;
	req.consolelog = log;
	CHECK(host_exec_host(h, &req, &r, &err) == 0);
	CHECK_STR(r.out, "o\n");
	host_exec_result_free(&r);
	CHECK(stat(log, &sb) == 0);
	CHECK_INT(sb.st_mode & 0777, 0600);
	CHECK_INT(sb.st_size, 4);
	snprintf(link, sizeof(link), "%s/link.log", d);
	CHECK(symlink(log, link) == 0);
	req.consolelog = link;
	CHECK(host_exec_host(h, &req, &r, &err) == -1);
	CHECK_INT(err.sys_errno, ELOOP);
	CHECK(stat(log, &sb) == 0 && sb.st_size == 4);
	unsetenv("JAILD_TOKEN");
}

static void
cleanup(void)
{
	struct host_prison_list l;
	struct jd_error err;
	size_t i;

	if (host_prison_list(h, 0, &l, &err) == 0) {
		for (i = 0; i < l.n; i++)
			if (strncmp(l.v[i].name, prefix, strlen(prefix)) == 0)
				(void)host_prison_remove(h, l.v[i].jid, &err);
		host_prison_list_free(&l);
	}
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
	iface = getenv("JD_TEST_IFACE");
	if (iface == NULL || *iface == '\0')
		iface = "lo0";
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/jd-conf-XXXXXX");
	CHECK(mkdtemp(tmpdir) != NULL);
	snprintf(prefix, sizeof(prefix), "jdct%ld_", (long)getpid());
	printf("# backend %s in %s\n", backend, tmpdir);

	CHECK(host_open("nosuch", tmpdir, &h, &err) == -1);
	CHECK_INT(err.code, JD_E_INVALID);
	CHECK(host_backend_names()[0] != NULL);
	CHECK(host_open(backend, tmpdir, &h, &err) == 0);
	CHECK_STR(host_backend(h), backend);

	test_create_get_list();
	test_update();
	test_value_errors();
	test_jids_and_dying();
	if (is_sim)
		test_sim_linger();
	test_ip_lists();
	test_addrs();
	test_mounts();
	test_rctl();
	test_exec_host();
	test_exec_env();

	cleanup();
	host_close(h);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmpdir);
	return check_done();
}
