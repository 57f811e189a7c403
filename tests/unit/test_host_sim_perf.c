/*
 * test_host_sim_perf.c - the simulated host's persistence: snapshot plus
 * operation log (prison/host_sim.c).
 *
 * Checks that a mutating call appends to host-sim.oplog and leaves the
 * snapshot alone (so its cost does not grow with the number of prisons),
 * that read-only calls write nothing, that other handles and processes
 * see each change before their next call, that a reopened host (a jaild
 * restarted after SIGKILL) finds prisons, mounts, aliases, rctl rules and
 * faults as after the last call, that a torn last line and a log left
 * over from an interrupted compaction are ignored, that compaction keeps
 * everything, and that a version 1 snapshot (arrays) is still read.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prison/host.h"
#include "tests/lib/check.h"

static char tmpdir[256];

static void
path(char *buf, size_t sz, const char *dir, const char *file)
{
	snprintf(buf, sz, "%s/%s", dir, file);
}

static const char *
mkdir_in(const char *sub)
{
	static char bufs[8][512];
	static int slot;
	char *b = bufs[slot++ % 8];

	snprintf(b, 512, "%s/%s", tmpdir, sub);
	if (mkdir(b, 0755) == -1 && errno != EEXIST) {
		perror(b);
		exit(1);
	}
	return b;
}

static struct host *
open_sim(const char *dir)
{
	struct host *h = NULL;
	struct jd_error err;

	if (host_open("sim", dir, &h, &err) == -1) {
		fprintf(stderr, "host_open %s: %s\n", dir, err.message);
		CHECK(0);
	}
	return h;
}

static int
create(struct host *h, const char *name)
{
	struct host_params p = { 0 };
	struct jd_error err;
	char pbuf[256];
	int jid = -1;

	snprintf(pbuf, sizeof(pbuf), "/j/%s", name);
	CHECK(host_params_set(&p, "name", name) == 0);
	CHECK(host_params_set(&p, "path", pbuf) == 0);
	CHECK(host_params_set(&p, "host.hostname", name) == 0);
	CHECK(host_params_set(&p, "persist", "true") == 0);
	if (host_prison_create(h, &p, &jid, &err) == -1) {
		fprintf(stderr, "create %s: %s\n", name, err.message);
		jid = -1;
	}
	host_params_free(&p);
	return jid;
}

static int
mount_dev(struct host *h, const char *name)
{
	struct host_mount m = { "devfs", "devfs", NULL, "ruleset=4" };
	struct jd_error err;
	char t[256];

	snprintf(t, sizeof(t), "/j/%s/dev", name);
	m.target = t;
	return host_mount(h, &m, &err);
}

static int
addr_add(struct host *h, int i)
{
	struct host_addr a = { "lo1", HOST_AF_INET, NULL, 32 };
	struct jd_error err;
	char ip[32];

	snprintf(ip, sizeof(ip), "10.1.%d.%d", i / 250, i % 250 + 1);
	a.address = ip;
	return host_addr_add(h, &a, &err);
}

static size_t
nprisons(struct host *h, int include_dying)
{
	struct host_prison_list l = { 0 };
	struct jd_error err;
	size_t n;

	CHECK(host_prison_list(h, include_dying, &l, &err) == 0);
	n = l.n;
	host_prison_list_free(&l);
	return n;
}

static size_t
nmounts(struct host *h)
{
	struct host_mount_list l = { 0 };
	struct jd_error err;
	size_t n;

	CHECK(host_mount_list(h, &l, &err) == 0);
	n = l.n;
	host_mount_list_free(&l);
	return n;
}

static size_t
naddrs(struct host *h)
{
	struct host_addr_list l = { 0 };
	struct jd_error err;
	size_t n;

	CHECK(host_addr_list(h, &l, &err) == 0);
	n = l.n;
	host_addr_list_free(&l);
	return n;
}

static char *
rctl_all(struct host *h)
{
	struct host_strings l = { 0 };
	struct jd_error err;
	static char out[4096];
	size_t i;

	out[0] = '\0';
	CHECK(host_rctl_list(h, NULL, &l, &err) == 0);
	for (i = 0; i < l.n; i++) {
		strncat(out, l.v[i], sizeof(out) - strlen(out) - 2);
		strcat(out, "\n");
	}
	host_strings_free(&l);
	return out;
}

static int
has_prison(struct host *h, const char *name)
{
	struct host_prison p;
	struct jd_error err;

	if (host_prison_get(h, name, 0, &p, &err) == -1)
		return 0;
	host_prison_free(&p);
	return 1;
}

static void
stat_file(const char *dir, const char *file, struct stat *sb)
{
	char p[512];

	path(p, sizeof(p), dir, file);
	if (stat(p, sb) == -1)
		memset(sb, 0, sizeof(*sb));
}

static void
append_raw(const char *dir, const char *file, const char *text)
{
	char p[512];
	int fd;

	path(p, sizeof(p), dir, file);
	fd = open(p, O_WRONLY | O_APPEND);
	CHECK(fd != -1);
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static void
copy_file(const char *dir, const char *from, const char *to)
{
	char a[512], b[512], buf[65536];
	ssize_t n;
	int in, out;

	path(a, sizeof(a), dir, from);
	path(b, sizeof(b), dir, to);
	in = open(a, O_RDONLY);
	out = open(b, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(in != -1 && out != -1);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		CHECK(write(out, buf, (size_t)n) == n);
	close(in);
	close(out);
}

/* Appends, not rewrites; other handles see changes; reopen keeps all. */
static void
test_append_and_share(void)
{
	const char *d = mkdir_in("share");
	struct host *h = open_sim(d), *h2;
	struct stat s0, s1, l0, l1;
	struct jd_error err;
	char name[32];
	int i, jid;

	CHECK(create(h, "first") > 0);
	stat_file(d, "host-sim.state", &s0);
	stat_file(d, "host-sim.oplog", &l0);
	CHECK(s0.st_ino != 0);
	CHECK(l0.st_ino != 0);
	h2 = open_sim(d);		/* a second handle, like jaild-sim */
	CHECK(has_prison(h2, "first"));
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		CHECK((jid = create(h, name)) > 0);
		CHECK_INT(mount_dev(h, name), 0);
		CHECK_INT(addr_add(h, i), 0);
	}
	stat_file(d, "host-sim.state", &s1);
	stat_file(d, "host-sim.oplog", &l1);
	/* The snapshot was not touched: every call went to the log. */
	CHECK_INT(s1.st_ino, s0.st_ino);
	CHECK_INT(s1.st_size, s0.st_size);
	CHECK(l1.st_ino == l0.st_ino && l1.st_size > l0.st_size);
	/* The other handle sees them at its next call ... */
	CHECK_INT(nprisons(h2, 0), 201);
	CHECK_INT(nmounts(h2), 200);
	CHECK_INT(naddrs(h2), 200);
	CHECK(has_prison(h2, "p199"));
	/* ... and its own changes reach the first handle. */
	CHECK(host_rctl_add(h2, "jail:p1:maxproc:deny=100", &err) == 0);
	CHECK(host_rctl_add(h2, "jail:p2:memoryuse:deny=1g", &err) == 0);
	CHECK(host_rctl_add(h2, "jail:p1:maxproc:deny=50", &err) == 0);
	CHECK(host_unmount(h2, "/j/p5/dev", &err) == 0);
	CHECK(host_prison_remove(h2, jid, &err) == 0);
	CHECK_STR(rctl_all(h), "jail:p2:memoryuse:deny=1073741824\n"
	    "jail:p1:maxproc:deny=50\n");
	CHECK_INT(nmounts(h), 199);
	CHECK(!has_prison(h, "p199"));
	CHECK_INT(nprisons(h, 1), 201);		/* dying, still there */
	CHECK(host_sim_fault_set(d, "mount", 3, EPERM, 0, &err) == 0);
	/* A rename moves the prison in the name index everywhere. */
	{
		struct host_params p = { 0 };

		CHECK(host_params_set(&p, "name", "renamed") == 0);
		CHECK(host_prison_update(h, "p7", &p, &jid, &err) == 0);
		host_params_free(&p);
	}
	CHECK(has_prison(h2, "renamed") && !has_prison(h2, "p7"));
	host_close(h2);
	host_close(h);

	/* Restart (as after SIGKILL: nothing is flushed at close). */
	h = open_sim(d);
	CHECK_INT(nprisons(h, 0), 200);
	CHECK_INT(nmounts(h), 199);
	CHECK_INT(naddrs(h), 200);
	CHECK(has_prison(h, "renamed") && has_prison(h, "p198"));
	CHECK_STR(rctl_all(h), "jail:p2:memoryuse:deny=1073741824\n"
	    "jail:p1:maxproc:deny=50\n");
	/* The fault survived too: the third mount from now fails. */
	CHECK_INT(mount_dev(h, "x1"), 0);
	CHECK_INT(mount_dev(h, "x2"), 0);
	CHECK_INT(mount_dev(h, "x3"), -1);
	CHECK_INT(mount_dev(h, "x4"), 0);
	host_close(h);
}

/* Read-only calls leave both files alone. */
static void
test_readonly_writes_nothing(void)
{
	const char *d = mkdir_in("ro");
	struct host *h = open_sim(d);
	struct host_prison p;
	struct stat s0, s1, l0, l1;
	struct jd_error err;

	CHECK(create(h, "web1") > 0);
	CHECK_INT(mount_dev(h, "web1"), 0);
	stat_file(d, "host-sim.state", &s0);
	stat_file(d, "host-sim.oplog", &l0);
	usleep(20000);
	CHECK_INT(nprisons(h, 1), 1);
	CHECK(host_prison_get(h, "web1", 0, &p, &err) == 0);
	host_prison_free(&p);
	CHECK(host_prison_get(h, "nosuch", 1, &p, &err) == -1);
	CHECK_INT(nmounts(h), 1);
	CHECK_INT(naddrs(h), 0);
	CHECK_STR(rctl_all(h), "");
	stat_file(d, "host-sim.state", &s1);
	stat_file(d, "host-sim.oplog", &l1);
	CHECK(s1.st_ino == s0.st_ino && s1.st_size == s0.st_size &&
	    s1.st_mtim.tv_nsec == s0.st_mtim.tv_nsec);
	CHECK(l1.st_ino == l0.st_ino && l1.st_size == l0.st_size &&
	    l1.st_mtim.tv_sec == l0.st_mtim.tv_sec &&
	    l1.st_mtim.tv_nsec == l0.st_mtim.tv_nsec);
	host_close(h);
}

/* A writer killed mid-line leaves a torn line: ignored, then cut off. */
static void
test_torn_line(void)
{
	const char *d = mkdir_in("torn");
	struct host *h = open_sim(d), *h2;
	struct stat l0, l1;

	CHECK(create(h, "a") > 0);
	CHECK(create(h, "b") > 0);
	stat_file(d, "host-sim.oplog", &l0);
	append_raw(d, "host-sim.oplog", "{\"c\":[[\"p\",\"99\",{\"jid\":99,");
	h2 = open_sim(d);
	CHECK_INT(nprisons(h2, 1), 2);
	CHECK_INT(nprisons(h, 1), 2);		/* the open handle too */
	CHECK(create(h2, "c") > 0);		/* cuts the torn line off */
	stat_file(d, "host-sim.oplog", &l1);
	CHECK(l1.st_size > l0.st_size);
	CHECK(has_prison(h, "c"));
	host_close(h2);
	host_close(h);
	h = open_sim(d);
	CHECK_INT(nprisons(h, 1), 3);
	CHECK(has_prison(h, "a") && has_prison(h, "b") && has_prison(h, "c"));
	host_close(h);
}

/*
 * Compaction: a log past its limit becomes a new snapshot and an empty
 * log; a handle opened before sees it; a log from before the compaction
 * (a compaction cut short between its two renames) is ignored.
 */
static void
test_compaction(void)
{
	const char *d = mkdir_in("compact");
	struct host *h = open_sim(d), *h2;
	struct host_params p = { 0 };
	struct stat s0, s1, l1;
	struct jd_error err;
	char v[32];
	int i, jid;

	CHECK(create(h, "busy") > 0);
	CHECK(create(h, "quiet") > 0);
	h2 = open_sim(d);
	CHECK_INT(nprisons(h2, 0), 2);
	stat_file(d, "host-sim.state", &s0);
	copy_file(d, "host-sim.oplog", "old.oplog");
	/* Each update logs the whole prison: some thousands pass 4 MiB. */
	for (i = 0; i < 20000; i++) {
		snprintf(v, sizeof(v), "%d", i % 3);
		CHECK(host_params_set(&p, "securelevel", v) == 0);
		CHECK(host_prison_update(h, "busy", &p, &jid, &err) == 0);
		stat_file(d, "host-sim.state", &s1);
		if (s1.st_ino != s0.st_ino)
			break;
	}
	host_params_free(&p);
	printf("# compacted after %d updates\n", i + 1);
	CHECK(s1.st_ino != s0.st_ino);		/* compacted */
	stat_file(d, "host-sim.oplog", &l1);
	CHECK(l1.st_size < 4096);
	CHECK(create(h, "after") > 0);
	/* The old handle notices the new files. */
	CHECK_INT(nprisons(h2, 0), 3);
	CHECK(has_prison(h2, "after"));
	host_close(h2);
	host_close(h);

	/* A log of the previous generation next to the new snapshot. */
	copy_file(d, "old.oplog", "host-sim.oplog");
	append_raw(d, "host-sim.oplog",
	    "{\"c\":[[\"p\",\"77\",{\"jid\":77,\"name\":\"ghost\","
	    "\"dying\":false,\"gone_at\":0,\"params\":{}}]]}\n");
	h = open_sim(d);
	CHECK(!has_prison(h, "ghost"));
	CHECK_INT(nprisons(h, 0), 2);		/* "after" was in the log */
	CHECK(has_prison(h, "busy") && has_prison(h, "quiet"));
	CHECK(create(h, "later") > 0);		/* compacts again */
	host_close(h);
	h = open_sim(d);
	CHECK(has_prison(h, "later") && !has_prison(h, "ghost"));
	host_close(h);
}

/* A version 1 snapshot (arrays, indented) is read and kept. */
static void
test_v1_snapshot(void)
{
	const char *d = mkdir_in("v1");
	struct host *h;
	char p[512];
	FILE *f;

	path(p, sizeof(p), d, "host-sim.state");
	f = fopen(p, "w");
	CHECK(f != NULL);
	fputs("{\n \"addrs\": [{\"address\": \"10.0.0.5\", \"family\": 4,"
	    " \"ifname\": \"em0\", \"prefixlen\": 32}],\n"
	    " \"delays\": {},\n \"faults\": [],\n \"lastdeadid\": 0,\n"
	    " \"lastprid\": 4,\n \"linger_ms\": 2000,\n"
	    " \"mounts\": [{\"options\": \"\", \"source\": \"tmpfs\","
	    " \"target\": \"/j/old/tmp\", \"type\": \"tmpfs\"}],\n"
	    " \"prisons\": [{\"dying\": false, \"gone_at\": 0, \"jid\": 4,"
	    " \"name\": \"old\", \"params\": {\"path\": \"/j/old\","
	    " \"host.hostname\": \"old\", \"persist\": \"true\"}}],\n"
	    " \"rctl\": [\"jail:old:maxproc:deny=10\"],\n \"version\": 1\n}\n",
	    f);
	fclose(f);
	h = open_sim(d);
	CHECK(has_prison(h, "old"));
	CHECK_INT(nmounts(h), 1);
	CHECK_INT(naddrs(h), 1);
	CHECK_STR(rctl_all(h), "jail:old:maxproc:deny=10\n");
	CHECK_INT(create(h, "new"), 5);		/* lastprid kept */
	CHECK_INT(mount_dev(h, "new"), 0);
	host_close(h);
	h = open_sim(d);
	CHECK(has_prison(h, "old") && has_prison(h, "new"));
	CHECK_INT(nmounts(h), 2);
	CHECK_STR(rctl_all(h), "jail:old:maxproc:deny=10\n");
	host_close(h);
}

/* Two processes creating at once: every prison once, distinct jids. */
static void
test_two_processes(void)
{
	const char *d = mkdir_in("procs");
	struct host_prison_list l = { 0 };
	struct jd_error err;
	struct host *h;
	pid_t pid;
	char name[32];
	int i, st, ok = 1;
	size_t k;

	h = open_sim(d);
	CHECK(create(h, "seed") > 0);
	pid = fork();
	CHECK(pid != -1);
	if (pid == 0) {
		struct host *c = NULL;

		if (host_open("sim", d, &c, &err) == -1)
			_exit(2);
		for (i = 0; i < 150; i++) {
			snprintf(name, sizeof(name), "child%d", i);
			if (create(c, name) <= 0 || mount_dev(c, name) != 0)
				_exit(3);
		}
		host_close(c);
		_exit(0);
	}
	for (i = 0; i < 150; i++) {
		snprintf(name, sizeof(name), "parent%d", i);
		if (create(h, name) <= 0 || mount_dev(h, name) != 0)
			ok = 0;
	}
	CHECK(ok);
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(host_prison_list(h, 1, &l, &err) == 0);
	CHECK_INT(l.n, 301);
	for (k = 1; k < l.n; k++)
		if (l.v[k].jid == l.v[k - 1].jid)
			ok = 0;
	CHECK(ok);
	host_prison_list_free(&l);
	CHECK_INT(nmounts(h), 300);
	host_close(h);
	h = open_sim(d);
	CHECK_INT(nprisons(h, 1), 301);
	CHECK(has_prison(h, "child149") && has_prison(h, "parent149"));
	host_close(h);
}

int
main(void)
{
	char cmd[300];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/jd-simperf-XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_append_and_share();
	test_readonly_writes_nothing();
	test_torn_line();
	test_compaction();
	test_v1_snapshot();
	test_two_processes();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	CHECK(system(cmd) == 0);
	return check_done();
}
