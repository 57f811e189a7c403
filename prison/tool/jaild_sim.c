/*
 * jaild_sim.c - jaild-sim, the admin at the console of the simulated host.
 *
 * Tests use it to change the host under a running jaild the way a person
 * would with jail(8), jls(8), ifconfig(8) and umount(8): list prisons,
 * remove or change one, create one jaild does not manage, drop an alias,
 * unmount something, and to set the sim's faults and delays.  It opens the
 * "sim" backend with HOST_OPEN_ADMIN on jaild's data directory, so it takes
 * the same lock, is not subject to injected faults, and its calls show in
 * the journal as "admin ...".  Exit status 0 on success, 1 with a message
 * on standard error otherwise.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/alloc.h"
#include "prison/host.h"

struct cmd {
	const char	*name;
	int		(*fn)(const char *dir, int argc, char **argv);
	int		 min_args;	/* after the subcommand name */
	const char	*usage;
};

static const char *progname = "jaild-sim";

static int
fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int
open_host(const char *dir, struct host **h)
{
	struct jd_error err;

	if (host_open_flags("sim", dir, HOST_OPEN_ADMIN, h, &err) == -1)
		return fail("%s", err.message);
	return 0;
}

static const char *
first_ip4(const struct host_prison *p)
{
	static char one[64];
	const char *l = host_params_get(&p->params, "ip4.addr");

	if (l == NULL || *l == '\0')
		return "-";
	snprintf(one, sizeof(one), "%.*s", (int)strcspn(l, ","), l);
	return one;
}

static int
cmd_ls(const char *dir, int argc, char **argv)
{
	struct host_prison_list l;
	struct jd_error err;
	struct host *h;
	json_t *items = NULL, *o, *params;
	int json = 0, dying = 0, i;
	size_t k, j;
	char *text;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--dying") == 0)
			dying = 1;
		else
			return fail("ls: unknown option %s", argv[i]);
	}
	if (open_host(dir, &h) != 0)
		return 1;
	if (host_prison_list(h, dying, &l, &err) == -1) {
		host_close(h);
		return fail("%s", err.message);
	}
	if (json)
		items = json_array();
	else
		printf("%6s  %-20s %-6s %-15s %-29s %s\n", "JID", "Name",
		    "State", "IP Address", "Hostname", "Path");
	for (k = 0; k < l.n; k++) {
		const struct host_prison *p = &l.v[k];

		if (!json) {
			printf("%6d  %-20s %-6s %-15s %-29s %s\n", p->jid,
			    p->name, p->dying ? "DYING" : "ACTIVE",
			    first_ip4(p), *p->hostname ? p->hostname : "-",
			    p->path);
			continue;
		}
		params = json_object();
		for (j = 0; j < p->params.n; j++)
			json_object_set_new(params, p->params.v[j].name,
			    json_string(p->params.v[j].value));
		o = json_pack("{s:i, s:s, s:s, s:s, s:b, s:o}", "jid", p->jid,
		    "name", p->name, "path", p->path, "hostname", p->hostname,
		    "dying", p->dying, "params", params);
		json_array_append_new(items, o);
	}
	if (json) {
		o = json_pack("{s:o}", "items", items);
		text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
		printf("%s\n", text != NULL ? text : "{}");
		free(text);
		json_decref(o);
	}
	host_prison_list_free(&l);
	host_close(h);
	return 0;
}

/* The live prison name or jid names, or an error printed (returns -1). */
static int
find_prison(struct host *h, const char *name, struct host_prison *p)
{
	struct jd_error err;

	if (host_prison_get(h, name, 0, p, &err) == -1) {
		if (err.sys_errno == ENOENT)
			fail("\"%s\" not found", name);
		else
			fail("%s: %s", name, err.message);
		return -1;
	}
	return 0;
}

static int
cmd_remove(const char *dir, int argc, char **argv)
{
	struct host_prison p;
	struct jd_error err;
	struct host *h;
	int rc = 1;

	(void)argc;
	if (open_host(dir, &h) != 0)
		return 1;
	if (find_prison(h, argv[0], &p) == -1)
		goto done;
	/* Like jail_remove(2): mounts and aliases stay where they are. */
	if (host_prison_remove(h, p.jid, &err) == -1)
		fail("%s: %s", argv[0], err.message);
	else {
		printf("%s: removed\n", p.name);
		rc = 0;
	}
	host_prison_free(&p);
done:
	host_close(h);
	return rc;
}

/* NAME=VALUE arguments into params; a bare NAME means "true". */
static int
parse_params(int argc, char **argv, struct host_params *out)
{
	char name[512];
	const char *eq;
	int i;

	for (i = 0; i < argc; i++) {
		eq = strchr(argv[i], '=');
		if (eq == argv[i] || (eq != NULL &&
		    (size_t)(eq - argv[i]) >= sizeof(name)))
			return fail("bad parameter \"%s\"%s", argv[i], "");
		if (eq == NULL) {
			if (host_params_set(out, argv[i], "true") == -1)
				return fail("out of memory");
			continue;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - argv[i]),
		    argv[i]);
		if (host_params_set(out, name, eq + 1) == -1)
			return fail("out of memory");
	}
	return 0;
}

static int
cmd_set(const char *dir, int argc, char **argv)
{
	struct host_params params = { 0 };
	struct jd_error err;
	struct host *h;
	int rc = 1;

	if (parse_params(argc - 1, argv + 1, &params) != 0) {
		host_params_free(&params);
		return 1;
	}
	if (open_host(dir, &h) != 0) {
		host_params_free(&params);
		return 1;
	}
	if (host_prison_update(h, argv[0], &params, NULL, &err) == -1) {
		if (err.sys_errno == ENOENT &&
		    strstr(err.message, "not found") != NULL)
			fail("\"%s\" not found", argv[0]);
		else
			fail("%s", err.message);
	} else {
		printf("%s: updated\n", argv[0]);
		rc = 0;
	}
	host_params_free(&params);
	host_close(h);
	return rc;
}

static int
cmd_create(const char *dir, int argc, char **argv)
{
	struct host_params params = { 0 };
	struct jd_error err;
	struct host *h;
	int rc = 1, jid;

	if (host_params_set(&params, "name", argv[0]) == -1 ||
	    host_params_set(&params, "persist", "true") == -1 ||
	    parse_params(argc - 1, argv + 1, &params) != 0) {
		host_params_free(&params);
		return 1;
	}
	if (host_params_get(&params, "path") == NULL) {
		host_params_free(&params);
		return fail("create %s: path=... is required", argv[0]);
	}
	if (open_host(dir, &h) != 0) {
		host_params_free(&params);
		return 1;
	}
	if (host_prison_create(h, &params, &jid, &err) == -1) {
		if (err.sys_errno == EEXIST)
			fail("\"%s\" already exists", argv[0]);
		else
			fail("%s", err.message);
	} else {
		printf("%s: created (jid %d)\n", argv[0], jid);
		rc = 0;
	}
	host_params_free(&params);
	host_close(h);
	return rc;
}

static int
cmd_addr_del(const char *dir, int argc, char **argv)
{
	struct host_addr_list l;
	struct host_prison p;
	struct jd_error err;
	struct host *h;
	size_t i;
	int rc = 1, found = 0;

	(void)argc;
	if (open_host(dir, &h) != 0)
		return 1;
	if (find_prison(h, argv[0], &p) == -1)
		goto done;
	host_prison_free(&p);
	if (host_addr_list(h, &l, &err) == -1) {
		fail("%s", err.message);
		goto done;
	}
	for (i = 0; i < l.n && !found; i++) {
		if (strcmp(l.v[i].address, argv[1]) != 0)
			continue;
		found = 1;
		if (host_addr_del(h, &l.v[i], &err) == -1)
			fail("%s: %s", argv[1], err.message);
		else {
			printf("%s: removed alias %s %s\n", argv[0],
			    l.v[i].ifname, l.v[i].address);
			rc = 0;
		}
	}
	if (!found)
		fail("%s: %s", argv[1], "Cannot assign requested address");
	host_addr_list_free(&l);
done:
	host_close(h);
	return rc;
}

static int
cmd_addr_add(const char *dir, int argc, char **argv)
{
	struct host_addr a = { 0 };
	struct jd_error err;
	struct host *h;
	char addr[64], *slash, *end;
	long pl;
	int rc = 0;

	(void)argc;
	snprintf(addr, sizeof(addr), "%s", argv[1]);
	a.ifname = argv[0];
	a.address = addr;
	a.family = strchr(addr, ':') != NULL ? HOST_AF_INET6 : HOST_AF_INET;
	a.prefixlen = a.family == HOST_AF_INET6 ? 128 : 32;
	if ((slash = strchr(addr, '/')) != NULL) {
		*slash++ = '\0';
		pl = strtol(slash, &end, 10);
		if (*slash == '\0' || *end != '\0')
			return fail("%s: bad prefix length", argv[1]);
		a.prefixlen = (int)pl;
	}
	if (open_host(dir, &h) != 0)
		return 1;
	if (host_addr_add(h, &a, &err) == -1)
		rc = fail("%s: %s", argv[1], err.message);
	host_close(h);
	return rc;
}

static int
cmd_mount(const char *dir, int argc, char **argv)
{
	struct host_mount m = { 0 };
	struct jd_error err;
	struct host *h;
	int rc = 0;

	m.type = argv[0];
	m.source = argv[1];
	m.target = argv[2];
	m.options = argc > 3 ? argv[3] : "";
	if (open_host(dir, &h) != 0)
		return 1;
	if (host_mount(h, &m, &err) == -1)
		rc = fail("%s: %s", argv[2], err.message);
	host_close(h);
	return rc;
}

static int
cmd_umount(const char *dir, int argc, char **argv)
{
	struct jd_error err;
	struct host *h;
	int rc = 0;

	(void)argc;
	if (open_host(dir, &h) != 0)
		return 1;
	if (host_unmount(h, argv[0], &err) == -1)
		rc = fail("%s: %s", argv[0], err.message);
	host_close(h);
	return rc;
}

static int
cmd_mounts(const char *dir, int argc, char **argv)
{
	struct host_mount_list l;
	struct jd_error err;
	struct host *h;
	size_t i;

	(void)argc;
	(void)argv;
	if (open_host(dir, &h) != 0)
		return 1;
	if (host_mount_list(h, &l, &err) == -1) {
		host_close(h);
		return fail("%s", err.message);
	}
	for (i = 0; i < l.n; i++)
		printf("%s on %s (%s%s%s)\n", l.v[i].source, l.v[i].target,
		    l.v[i].type, *l.v[i].options ? ", " : "",
		    l.v[i].options);
	host_mount_list_free(&l);
	host_close(h);
	return 0;
}

static int
cmd_addrs(const char *dir, int argc, char **argv)
{
	struct host_addr_list l;
	struct jd_error err;
	struct host *h;
	size_t i;

	(void)argc;
	(void)argv;
	if (open_host(dir, &h) != 0)
		return 1;
	if (host_addr_list(h, &l, &err) == -1) {
		host_close(h);
		return fail("%s", err.message);
	}
	for (i = 0; i < l.n; i++)
		printf("%s %s %s/%d\n", l.v[i].ifname,
		    l.v[i].family == HOST_AF_INET6 ? "inet6" : "inet",
		    l.v[i].address, l.v[i].prefixlen);
	host_addr_list_free(&l);
	host_close(h);
	return 0;
}

/* rctl [FILTER]: the rules, one per line, as the kernel lists them. */
static int
cmd_rctl(const char *dir, int argc, char **argv)
{
	struct host_strings l;
	struct jd_error err;
	struct host *h;
	size_t i;

	if (open_host(dir, &h) != 0)
		return 1;
	memset(&l, 0, sizeof(l));
	if (host_rctl_list(h, argc > 0 ? argv[0] : "", &l, &err) == -1) {
		host_close(h);
		return fail("%s", err.message);
	}
	for (i = 0; i < l.n; i++)
		printf("%s\n", l.v[i]);
	host_strings_free(&l);
	host_close(h);
	return 0;
}

/* rctl-add RULE / rctl-rm FILTER: out-of-band changes, like rctl -a/-r. */
static int
cmd_rctl_change(const char *dir, const char *what, int add, char **argv)
{
	struct jd_error err;
	struct host *h;
	int rc = 0;

	if (open_host(dir, &h) != 0)
		return 1;
	if ((add ? host_rctl_add(h, argv[0], &err) :
	    host_rctl_remove(h, argv[0], &err)) == -1)
		rc = fail("%s %s: %s", what, argv[0], err.message);
	host_close(h);
	return rc;
}

static int
cmd_rctl_add(const char *dir, int argc, char **argv)
{
	(void)argc;
	return cmd_rctl_change(dir, "rctl-add", 1, argv);
}

static int
cmd_rctl_rm(const char *dir, int argc, char **argv)
{
	(void)argc;
	return cmd_rctl_change(dir, "rctl-rm", 0, argv);
}

static int
parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return *s == '\0' || *end != '\0' || errno != 0 ? -1 : 0;
}

static int
cmd_fault(const char *dir, int argc, char **argv)
{
	struct jd_error err;
	char *text;
	long n;
	int e, every = 0;

	if (argc == 0) {
		if (host_sim_fault_show(dir, &text, &err) == -1)
			return fail("%s", err.message);
		fputs(text, stdout);
		jd_free(text);
		return 0;
	}
	if (argc == 1 && strcmp(argv[0], "clear") == 0) {
		if (host_sim_fault_clear(dir, &err) == -1)
			return fail("%s", err.message);
		return 0;
	}
	if (argc == 4 && strcmp(argv[3], "--every") == 0)
		every = 1;
	else if (argc != 3)
		return fail("usage: fault OP N ERRNO [--every] | fault clear");
	if (parse_long(argv[1], &n) == -1)
		return fail("fault: bad call number \"%s\"", argv[1]);
	if ((e = host_errno_parse(argv[2])) == -1)
		return fail("fault: unknown errno \"%s\"", argv[2]);
	if (host_sim_fault_set(dir, argv[0], n, e, every, &err) == -1)
		return fail("fault: %s", err.message);
	return 0;
}

static int
cmd_delay(const char *dir, int argc, char **argv)
{
	struct jd_error err;
	long ms;

	(void)argc;
	if (parse_long(argv[1], &ms) == -1)
		return fail("delay: bad milliseconds \"%s\"", argv[1]);
	if (host_sim_delay_set(dir, argv[0], ms, &err) == -1)
		return fail("delay: %s", err.message);
	return 0;
}

static int
cmd_linger(const char *dir, int argc, char **argv)
{
	struct jd_error err;
	long ms;

	(void)argc;
	if (parse_long(argv[0], &ms) == -1)
		return fail("linger: bad milliseconds \"%s\"", argv[0]);
	if (host_sim_linger_set(dir, ms, &err) == -1)
		return fail("linger: %s", err.message);
	return 0;
}

static int
cmd_journal(const char *dir, int argc, char **argv)
{
	struct jd_error err;
	char *text;

	if (argc == 1 && strcmp(argv[0], "--clear") == 0) {
		if (host_sim_journal_clear(dir, &err) == -1)
			return fail("%s", err.message);
		return 0;
	}
	if (argc != 0)
		return fail("usage: journal [--clear]");
	if (host_sim_journal_read(dir, &text, &err) == -1)
		return fail("%s", err.message);
	fputs(text, stdout);
	jd_free(text);
	return 0;
}

static const struct cmd cmds[] = {
	{ "ls", cmd_ls, 0, "ls [--json] [--dying]" },
	{ "remove", cmd_remove, 1, "remove NAME" },
	{ "set", cmd_set, 2, "set NAME PARAM=VALUE..." },
	{ "create", cmd_create, 2, "create NAME path=PATH [PARAM=VALUE...]" },
	{ "addr-del", cmd_addr_del, 2, "addr-del NAME ADDRESS" },
	{ "addr-add", cmd_addr_add, 2, "addr-add IFACE ADDRESS[/PREFIX]" },
	{ "mount", cmd_mount, 3, "mount TYPE SOURCE TARGET [OPTIONS]" },
	{ "umount", cmd_umount, 1, "umount TARGET" },
	{ "mounts", cmd_mounts, 0, "mounts" },
	{ "addrs", cmd_addrs, 0, "addrs" },
	{ "rctl", cmd_rctl, 0, "rctl [FILTER]" },
	{ "rctl-add", cmd_rctl_add, 1, "rctl-add RULE" },
	{ "rctl-rm", cmd_rctl_rm, 1, "rctl-rm FILTER" },
	{ "fault", cmd_fault, 0, "fault [OP N ERRNO [--every] | clear]" },
	{ "delay", cmd_delay, 2, "delay OP MS" },
	{ "linger", cmd_linger, 1, "linger MS" },
	{ "journal", cmd_journal, 0, "journal [--clear]" },
};

static int
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: %s --data-dir DIR command [args]\n", progname);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "       %s --data-dir DIR %s\n", progname,
		    cmds[i].usage);
	return 1;
}

int
main(int argc, char **argv)
{
	const char *dir = NULL;
	size_t i;
	int a = 1;

	jd_alloc_init();
	while (a < argc && strncmp(argv[a], "--", 2) == 0) {
		if (strcmp(argv[a], "--data-dir") == 0 && a + 1 < argc) {
			dir = argv[a + 1];
			a += 2;
		} else if (strncmp(argv[a], "--data-dir=", 11) == 0) {
			dir = argv[a] + 11;
			a++;
		} else if (strcmp(argv[a], "--help") == 0 ||
		    strcmp(argv[a], "-h") == 0) {
			usage();
			return 0;
		} else
			return usage();
	}
	if (dir == NULL || a >= argc)
		return usage();
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(cmds[i].name, argv[a]) != 0)
			continue;
		if (argc - a - 1 < cmds[i].min_args) {
			fprintf(stderr, "usage: %s --data-dir DIR %s\n",
			    progname, cmds[i].usage);
			return 1;
		}
		return cmds[i].fn(dir, argc - a - 1, argv + a + 1);
	}
	fprintf(stderr, "%s: unknown command \"%s\"\n", progname, argv[a]);
	return usage();
}
