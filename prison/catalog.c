/*
 * catalog.c - the FreeBSD 14 jail parameter table and the checks that read
 * it.
 *
 * The table is data: one row per kernel parameter, sorted by name (strcmp
 * order) so lookup is a binary search; tests/unit/test_catalog.c checks the
 * order.  The privilege rules (which values only an admin may set) are a
 * second, smaller table beside it.  Everything here is const, so every
 * function is pure and safe on any thread.
 *
 * Left out on purpose: meta, env and mac.label (FreeBSD 15 only), the 15.x
 * allow flags (unprivileged_parent_tampering, setaudit, vmm_ppt), and the
 * jail_get/jail_set control values (lastjid, errmsg, desc).  Unknown-name
 * messages say so when a client names one of them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prison/catalog.h"

#define JAIL_MAX_ID	999999		/* JAIL_MAX */
#define JAIL_MAX_AF_IPS	255		/* security.jail.jail_max_af_ips */

#define F_CO	PARAM_F_CREATE_ONLY
#define F_RO	PARAM_F_READONLY
#define F_AD	PARAM_F_ADMIN
#define F_OWN	PARAM_F_OWN_FIELD
#define F_MGD	PARAM_F_MANAGED
#define F_ND	PARAM_F_NO_DISABLE
#define F_MOD	PARAM_F_MODULE

#define P_INT(n, lo, hi, fl, d, s) \
	{ n, PARAM_INT, lo, hi, 0, fl, NULL, d, s }
#define P_ULONG(n, lo, hi, fl, d, s) \
	{ n, PARAM_ULONG, lo, hi, 0, fl, NULL, d, s }
#define P_BOOL(n, fl, d, s) \
	{ n, PARAM_BOOL, 0, 0, 0, fl, NULL, d, s }
#define P_STR(n, lo, len, fl, own, d, s) \
	{ n, PARAM_STRING, lo, 0, len, fl, own, d, s }
#define P_SYS(n, fl, d, s) \
	{ n, PARAM_JAILSYS, 0, 0, 0, fl, NULL, d, s }
#define P_IPS(n, t, s) \
	{ n, t, 0, 0, 0, F_OWN, "/ips", NULL, s }

/*
 * Sources: freebsd-jail-facts.md sections 1.2, 1.3 and 1.5.  String
 * lengths are the kernel's buffer sizes minus the NUL.  host.hostid is an
 * unsigned long in the kernel but capped at LLONG_MAX here: JSON integers
 * in jansson are signed 64-bit.
 */
static const struct param_def catalog[] = {
	P_BOOL("allow.adjtime", F_AD, "false",
	    "may adjust the host clock with adjtime(2) and ntp_adjtime(2)"),
	P_BOOL("allow.chflags", 0, "false",
	    "root may change system file flags, within the securelevel"),
	P_BOOL("allow.extattr", 0, "false",
	    "root may use system-namespace extended attributes"),
	P_BOOL("allow.mlock", 0, "false",
	    "may lock memory with mlock(2)"),
	P_BOOL("allow.mount", F_AD, "false",
	    "root may mount jail-friendly file systems "
	    "(needs enforce_statfs below 2)"),
	P_BOOL("allow.mount.devfs", F_AD, "false",
	    "root may mount devfs (needs allow.mount)"),
	P_BOOL("allow.mount.fdescfs", F_AD | F_MOD, "false",
	    "root may mount fdescfs (needs allow.mount and fdescfs)"),
	P_BOOL("allow.mount.fusefs", F_AD | F_MOD, "false",
	    "root may mount fusefs (needs allow.mount and fusefs)"),
	P_BOOL("allow.mount.linprocfs", F_AD | F_MOD, "false",
	    "root may mount linprocfs (needs allow.mount and linprocfs)"),
	P_BOOL("allow.mount.linsysfs", F_AD | F_MOD, "false",
	    "root may mount linsysfs (needs allow.mount and linsysfs)"),
	P_BOOL("allow.mount.nullfs", F_AD | F_MOD, "false",
	    "root may mount nullfs (needs allow.mount and nullfs)"),
	P_BOOL("allow.mount.procfs", F_AD | F_MOD, "false",
	    "root may mount procfs (needs allow.mount and procfs)"),
	P_BOOL("allow.mount.tmpfs", F_AD | F_MOD, "false",
	    "root may mount tmpfs (needs allow.mount and tmpfs)"),
	P_BOOL("allow.mount.zfs", F_AD | F_MOD, "false",
	    "root may mount ZFS datasets (needs allow.mount and zfs)"),
	P_BOOL("allow.nfsd", F_AD, "false",
	    "may run mountd and nfsd (vnet jails only)"),
	P_BOOL("allow.quotas", 0, "false",
	    "root may manage file system quotas"),
	P_BOOL("allow.raw_sockets", F_AD, "false",
	    "may open raw sockets (ping, traceroute)"),
	P_BOOL("allow.read_msgbuf", F_AD, "false",
	    "may read the kernel message buffer"),
	P_BOOL("allow.reserved_ports", 0, "true",
	    "root may bind ports below 1024"),
	P_BOOL("allow.routing", F_AD, "false",
	    "may change the host routing table (non-vnet jails, 14.1 and "
	    "later)"),
	P_BOOL("allow.set_hostname", 0, "true",
	    "root may change the jail's hostname"),
	P_BOOL("allow.settime", F_AD, "false",
	    "may set the host clock (implies allow.adjtime)"),
	P_BOOL("allow.socket_af", F_AD, "false",
	    "may use socket families other than INET, INET6, LOCAL, ROUTE "
	    "and NETLINK"),
	P_BOOL("allow.suser", 0, "true",
	    "uid 0 has root privileges"),
	P_BOOL("allow.sysvipc", 0, "false",
	    "deprecated: true means sysvmsg, sysvsem and sysvshm inherit"),
	P_BOOL("allow.unprivileged_proc_debug", 0, "true",
	    "unprivileged processes may debug"),
	P_BOOL("allow.vmm", F_AD | F_MOD, "false",
	    "may use vmm(4) to run bhyve guests (needs vmm.ko)"),
	P_INT("children.cur", 0, JAIL_MAX_ID, F_RO, NULL,
	    "current number of descendant jails"),
	P_INT("children.max", 0, JAIL_MAX_ID, F_AD, "0",
	    "how many descendant jails the jail may create"),
	P_INT("cpuset.id", 0, INT_MAX, F_RO, NULL,
	    "the jail's root cpuset id"),
	P_INT("devfs_ruleset", 0, 65535, F_AD, "0",
	    "devfs ruleset enforced on devfs mounts made inside the jail"),
	P_BOOL("dying", F_RO, NULL,
	    "true once removed while the jail still holds resources"),
	P_INT("enforce_statfs", 0, 2, F_AD, "2",
	    "mount points the jail sees: 0 all, 1 those under its root, "
	    "2 only its root's"),
	P_SYS("host", F_ND, "new",
	    "whether the host.* values are the jail's own (new) or its "
	    "parent's (inherit)"),
	P_STR("host.domainname", 0, 255, 0, NULL, "",
	    "NIS domain name"),
	P_ULONG("host.hostid", 0, LLONG_MAX, 0, "0",
	    "host id (kern.hostid)"),
	P_STR("host.hostname", 0, 255, F_OWN, "/hostname", NULL,
	    "hostname; set with the jail's hostname field"),
	P_STR("host.hostuuid", 0, 63, 0, NULL,
	    "00000000-0000-0000-0000-000000000000",
	    "host UUID (kern.hostuuid)"),
	P_SYS("ip4", F_CO, NULL,
	    "IPv4: new limits the jail to ip4.addr, inherit shares the "
	    "parent's, disable has none"),
	P_IPS("ip4.addr", PARAM_IP4LIST,
	    "IPv4 addresses; set with the jail's ips field"),
	P_BOOL("ip4.saddrsel", 0, "true",
	    "choose IPv4 source addresses normally, not always the primary"),
	P_SYS("ip6", F_CO, NULL,
	    "IPv6: new limits the jail to ip6.addr, inherit shares the "
	    "parent's, disable has none"),
	P_IPS("ip6.addr", PARAM_IP6LIST,
	    "IPv6 addresses; set with the jail's ips field"),
	P_BOOL("ip6.saddrsel", 0, "true",
	    "choose IPv6 source addresses normally, not always the primary"),
	P_INT("jid", 1, JAIL_MAX_ID, F_CO | F_MGD, NULL,
	    "jail id; jaild assigns the jid"),
	P_SYS("linux", F_ND | F_MOD, NULL,
	    "whether Linux emulation settings are the jail's own "
	    "(needs linux.ko)"),
	P_STR("linux.osname", 0, 64, F_MOD, NULL, NULL,
	    "OS name reported to Linux programs (needs linux.ko)"),
	P_STR("linux.osrelease", 0, 64, F_MOD, NULL, NULL,
	    "OS release reported to Linux programs (needs linux.ko)"),
	P_INT("linux.oss_version", INT_MIN, INT_MAX, F_MOD, NULL,
	    "OSS version reported to Linux programs (needs linux.ko)"),
	P_STR("name", 1, 255, F_OWN, "/name", NULL,
	    "jail name; set with the jail's name field"),
	P_INT("osreldate", 1, INT_MAX, F_CO, NULL,
	    "kern.osreldate inside the jail (uname -K)"),
	P_STR("osrelease", 1, 31, F_CO, NULL, NULL,
	    "kern.osrelease inside the jail (uname -r)"),
	P_INT("parent", 0, JAIL_MAX_ID, F_RO, NULL,
	    "parent jail's jid, 0 for a top-level jail"),
	P_STR("path", 1, 1023, F_CO | F_OWN, "/path", NULL,
	    "jail root directory; set with the jail's path field"),
	P_BOOL("persist", F_MGD, NULL,
	    "jaild keeps jails persistent itself"),
	P_INT("securelevel", -1, 3, F_AD, NULL,
	    "kern.securelevel inside the jail; may only go up"),
	P_SYS("sysvmsg", F_MOD, "disable",
	    "System V message queues: new private, inherit shared, "
	    "disable none"),
	P_SYS("sysvsem", F_MOD, "disable",
	    "System V semaphores: new private, inherit shared, disable none"),
	P_SYS("sysvshm", F_MOD, "disable",
	    "System V shared memory: new private, inherit shared, "
	    "disable none"),
	P_SYS("vnet", F_CO | F_ND | F_AD, "inherit",
	    "new gives the jail its own network stack"),
	P_INT("zfs.mount_snapshot", 0, 1, F_MOD, NULL,
	    "1 lets the jail look inside .zfs snapshots (needs zfs)"),
};

#define CATALOG_N	(sizeof(catalog) / sizeof(catalog[0]))

/*
 * Which values only an admin principal may set.  A rule names one
 * parameter, or with prefix set every parameter under a dotted prefix.
 */
enum admin_kind {
	ADM_TRUE,		/* boolean true */
	ADM_BELOW,		/* integer below bound */
	ADM_ABOVE,		/* integer above bound */
	ADM_ANY,		/* any value */
	ADM_NEW,		/* jailsys "new" */
};

struct admin_rule {
	const char	*name;
	int		 prefix;
	enum admin_kind	 kind;
	long long	 bound;
	const char	*why;
};

static const struct admin_rule admin_rules[] = {
	{ "allow.adjtime", 0, ADM_TRUE, 0,
	    "it lets the jail change the rate of the host clock" },
	{ "allow.mount", 0, ADM_TRUE, 0,
	    "mount permission lets the jail mount file systems on the host" },
	{ "allow.mount.", 1, ADM_TRUE, 0,
	    "mount permission lets the jail mount file systems on the host" },
	{ "allow.nfsd", 0, ADM_TRUE, 0,
	    "it lets the jail run an NFS server" },
	{ "allow.raw_sockets", 0, ADM_TRUE, 0,
	    "raw sockets let the jail craft packets on the host's network" },
	{ "allow.read_msgbuf", 0, ADM_TRUE, 0,
	    "it lets the jail read the host's kernel message buffer" },
	{ "allow.routing", 0, ADM_TRUE, 0,
	    "it lets the jail change the host routing table" },
	{ "allow.settime", 0, ADM_TRUE, 0,
	    "it lets the jail set the host clock" },
	{ "allow.socket_af", 0, ADM_TRUE, 0,
	    "it lets the jail open every socket family of the host kernel" },
	{ "allow.vmm", 0, ADM_TRUE, 0,
	    "it lets the jail use the host hypervisor" },
	{ "children.max", 0, ADM_ABOVE, 0,
	    "children.max above 0 lets the jail create jails of its own" },
	{ "devfs_ruleset", 0, ADM_ANY, 0,
	    "the devfs ruleset decides which host devices the jail sees" },
	{ "enforce_statfs", 0, ADM_BELOW, 2,
	    "enforce_statfs below 2 shows the jail mount points outside "
	    "its root" },
	{ "securelevel", 0, ADM_BELOW, 0,
	    "a securelevel below 0 turns off the kernel's securelevel "
	    "protections in the jail" },
	{ "vnet", 0, ADM_NEW, 0,
	    "a vnet jail gets its own network stack and can take host "
	    "interfaces" },
};

/*
 * jail(8) and jail.conf settings that never reach the kernel (facts
 * section 2), 15.x-only parameters and jail_get/jail_set control values:
 * named here so that "unknown jail parameter" can say where they belong.
 * A name ending in '.' matches everything under that prefix.
 */
struct param_hint {
	const char	*name;
	const char	*hint;
};

static const struct param_hint param_hints[] = {
	{ "allow.dying", "deprecated in jail(8) and without effect" },
	{ "allow.setaudit", "FreeBSD 15 only; jaild models FreeBSD 14" },
	{ "allow.unprivileged_parent_tampering",
	    "FreeBSD 15 only; jaild models FreeBSD 14" },
	{ "allow.vmm_ppt", "FreeBSD 15 only; jaild models FreeBSD 14" },
	{ "command", "a jail(8) setting: use the jail's \"exec\" field" },
	{ "depend", "a jail(8) setting: use the jail's \"depends\" field" },
	{ "desc", "a jail_get/jail_set control value, not a parameter" },
	{ "env", "FreeBSD 15 only; jaild models FreeBSD 14" },
	{ "env.", "FreeBSD 15 only; jaild models FreeBSD 14" },
	{ "errmsg", "a jail_get/jail_set control value, not a parameter" },
	{ "exec.fib", "a jail(8) setting jaild does not support" },
	{ "exec.system_jail_user", "a jail(8) setting jaild does not support" },
	{ "exec.", "a jail(8) setting: use the jail's \"exec\" field" },
	{ "interface", "a jail(8) setting: use the jail's \"ips\" field" },
	{ "ip_hostname", "a jail(8) setting: use the jail's \"ips\" field" },
	{ "lastjid", "a jail_get/jail_set control value, not a parameter" },
	{ "mac.label", "FreeBSD 15 only; jaild models FreeBSD 14" },
	{ "meta", "FreeBSD 15 only; jaild models FreeBSD 14" },
	{ "meta.", "FreeBSD 15 only; jaild models FreeBSD 14" },
	{ "mount", "a jail(8) setting: use the jail's \"mounts\" field" },
	{ "mount.", "a jail(8) setting: use the jail's \"mounts\" field" },
	{ "stop.timeout", "a jail(8) setting: use the jail's \"exec\" field" },
	{ "vnet.interface", "a jail(8) setting jaild does not support" },
	{ "zfs.dataset", "a jail(8) setting jaild does not support" },
};

/* The noun and field named when an own-field parameter is refused. */
struct own_field_name {
	const char	*field;		/* param_def.own_field */
	const char	*noun;
};

static const struct own_field_name own_field_names[] = {
	{ "/hostname", "hostname" },
	{ "/ips", "IP addresses" },
	{ "/name", "name" },
	{ "/path", "path" },
};

static const char *const jailsys_names[] = { "disable", "new", "inherit" };

static int
catalog_cmp(const void *key, const void *elem)
{
	const struct param_def *d = elem;

	return strcmp(key, d->name);
}

const struct param_def *
catalog_lookup(const char *name)
{
	if (name == NULL)
		return NULL;
	return bsearch(name, catalog, CATALOG_N, sizeof(catalog[0]),
	    catalog_cmp);
}

size_t
catalog_count(void)
{
	return CATALOG_N;
}

const struct param_def *
catalog_at(size_t i)
{
	return i < CATALOG_N ? &catalog[i] : NULL;
}

const char *
catalog_type_name(enum param_type t)
{
	switch (t) {
	case PARAM_INT:
		return "int";
	case PARAM_UINT:
		return "uint";
	case PARAM_ULONG:
		return "ulong";
	case PARAM_BOOL:
		return "bool";
	case PARAM_STRING:
		return "string";
	case PARAM_JAILSYS:
		return "jailsys";
	case PARAM_IP4LIST:
		return "ip4list";
	case PARAM_IP6LIST:
		return "ip6list";
	}
	return "unknown";
}

static int
is_int_type(enum param_type t)
{
	return t == PARAM_INT || t == PARAM_UINT || t == PARAM_ULONG;
}

/* The index of a jailsys name (its kernel number), or -1. */
static int
jailsys_index(const char *s)
{
	int i;

	for (i = 0; i < 3; i++)
		if (strcmp(s, jailsys_names[i]) == 0)
			return i;
	return -1;
}

/*
 * Check a comma-separated address list of len bytes as the kernel would
 * take it: every element an address of the family, none of the
 * unspecified or broadcast addresses, no duplicates, at most
 * JAIL_MAX_AF_IPS.  The empty string is the empty list.
 */
static int
iplist_check(int v6, const char *s, size_t len, char *msg, size_t msgsz)
{
	unsigned char addrs[JAIL_MAX_AF_IPS][16];
	const char *fam = v6 ? "IPv6" : "IPv4";
	size_t asz = v6 ? 16 : 4;
	size_t n = 0, i, elen;
	const char *p = s, *end = s + len, *comma;
	char one[INET6_ADDRSTRLEN + 1];

	if (memchr(s, '\0', len) != NULL) {
		snprintf(msg, msgsz, "must not contain a NUL byte");
		return -1;
	}
	if (len == 0)
		return 0;
	for (;;) {
		comma = memchr(p, ',', (size_t)(end - p));
		elen = (size_t)((comma != NULL ? comma : end) - p);
		if (elen == 0) {
			snprintf(msg, msgsz, "must be comma-separated %s "
			    "addresses with no empty element", fam);
			return -1;
		}
		if (n == JAIL_MAX_AF_IPS) {
			snprintf(msg, msgsz, "must hold at most %d addresses",
			    JAIL_MAX_AF_IPS);
			return -1;
		}
		if (elen < sizeof(one)) {
			memcpy(one, p, elen);
			one[elen] = '\0';
		}
		if (elen >= sizeof(one) ||
		    inet_pton(v6 ? AF_INET6 : AF_INET, one, addrs[n]) != 1) {
			snprintf(msg, msgsz, "\"%.*s\" is not an %s address",
			    (int)(elen > 64 ? 64 : elen), p, fam);
			return -1;
		}
		if ((!v6 && (memcmp(addrs[n], "\0\0\0\0", 4) == 0 ||
		    memcmp(addrs[n], "\377\377\377\377", 4) == 0)) ||
		    (v6 && memcmp(addrs[n], &in6addr_any, 16) == 0)) {
			snprintf(msg, msgsz, "%s may not be a jail address",
			    one);
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (memcmp(addrs[i], addrs[n], asz) == 0) {
				snprintf(msg, msgsz,
				    "lists %s more than once", one);
				return -1;
			}
		}
		n++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}

int
catalog_value_check(const struct param_def *def, const json_t *value,
    char *msg, size_t msgsz)
{
	const char *s;
	size_t len;
	long long v;

	if (def == NULL || value == NULL) {
		snprintf(msg, msgsz, "must have a value");
		return -1;
	}
	switch (def->type) {
	case PARAM_INT:
	case PARAM_UINT:
	case PARAM_ULONG:
		if (!json_is_integer(value))
			goto badint;
		v = (long long)json_integer_value(value);
		if (v < def->min || v > def->max)
			goto badint;
		return 0;
	badint:
		snprintf(msg, msgsz, "must be an integer from %lld to %lld",
		    def->min, def->max);
		return -1;
	case PARAM_BOOL:
		if (json_is_boolean(value))
			return 0;
		snprintf(msg, msgsz, "must be true or false");
		return -1;
	case PARAM_STRING:
		if (!json_is_string(value)) {
			snprintf(msg, msgsz, "must be a string");
			return -1;
		}
		s = json_string_value(value);
		len = json_string_length(value);
		if (memchr(s, '\0', len) != NULL) {
			snprintf(msg, msgsz, "must not contain a NUL byte");
			return -1;
		}
		if (len > def->maxlen) {
			snprintf(msg, msgsz, "must be at most %zu bytes",
			    def->maxlen);
			return -1;
		}
		if (def->min > 0 && len < (size_t)def->min) {
			if (def->min == 1)
				snprintf(msg, msgsz, "must not be empty");
			else
				snprintf(msg, msgsz,
				    "must be at least %lld bytes", def->min);
			return -1;
		}
		return 0;
	case PARAM_JAILSYS:
		if (json_is_string(value) &&
		    strlen(json_string_value(value)) ==
		    json_string_length(value)) {
			int i = jailsys_index(json_string_value(value));

			if (i > 0 || (i == 0 &&
			    (def->flags & PARAM_F_NO_DISABLE) == 0))
				return 0;
		}
		if (def->flags & PARAM_F_NO_DISABLE)
			snprintf(msg, msgsz, "must be \"new\" or \"inherit\"");
		else
			snprintf(msg, msgsz,
			    "must be \"new\", \"inherit\" or \"disable\"");
		return -1;
	case PARAM_IP4LIST:
	case PARAM_IP6LIST:
		if (!json_is_string(value)) {
			snprintf(msg, msgsz, "must be a string of "
			    "comma-separated %s addresses",
			    def->type == PARAM_IP6LIST ? "IPv6" : "IPv4");
			return -1;
		}
		return iplist_check(def->type == PARAM_IP6LIST,
		    json_string_value(value), json_string_length(value),
		    msg, msgsz);
	}
	snprintf(msg, msgsz, "has a type jaild does not know");
	return -1;
}

/* Levenshtein distance, or a large number for names too long to try. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t row[65], la = strlen(a), lb = strlen(b), i, j, diag, up;

	if (la > 64 || lb > 64)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

/* The nearest catalog name within two edits, or NULL. */
static const char *
nearest_name(const char *name)
{
	const char *best = NULL;
	size_t i, d, bestd = 3;

	for (i = 0; i < CATALOG_N; i++) {
		d = edit_distance(name, catalog[i].name);
		if (d < bestd) {
			bestd = d;
			best = catalog[i].name;
		}
	}
	return best;
}

static const char *
hint_for(const char *name)
{
	size_t i, n;

	for (i = 0; i < sizeof(param_hints) / sizeof(param_hints[0]); i++) {
		n = strlen(param_hints[i].name);
		if (param_hints[i].name[n - 1] == '.' ?
		    strncmp(name, param_hints[i].name, n) == 0 :
		    strcmp(name, param_hints[i].name) == 0)
			return param_hints[i].hint;
	}
	return NULL;
}

/*
 * The boolean a "no" form names ("allow.nomount" -> allow.mount,
 * "nopersist" -> persist), or NULL.
 */
static const struct param_def *
noform_target(const char *name)
{
	char buf[256];
	const char *dot = strrchr(name, '.');
	const char *last = dot != NULL ? dot + 1 : name;
	size_t plen = (size_t)(last - name);
	const struct param_def *d;

	if (strncmp(last, "no", 2) != 0 || last[2] == '\0' ||
	    strlen(name) >= sizeof(buf))
		return NULL;
	memcpy(buf, name, plen);
	strcpy(buf + plen, last + 2);
	d = catalog_lookup(buf);
	return d != NULL && d->type == PARAM_BOOL ? d : NULL;
}

static const char *
own_field_noun(const char *field)
{
	size_t i;

	for (i = 0; i < sizeof(own_field_names) / sizeof(own_field_names[0]);
	    i++)
		if (strcmp(own_field_names[i].field, field) == 0)
			return own_field_names[i].noun;
	return field + 1;
}

/*
 * The refusal for a parameter that params may not carry at all, or 0 when
 * params may set it.
 */
static int
refuse_param(const struct param_def *d, const char *field,
    struct verrs *errs)
{
	if (d->flags & PARAM_F_OWN_FIELD) {
		verrs_add(errs, field,
		    "set the jail's %s with the \"%s\" field, not params",
		    own_field_noun(d->own_field), d->own_field + 1);
		return 1;
	}
	if (d->flags & PARAM_F_MANAGED) {
		verrs_add(errs, field, "jaild manages \"%s\" itself", d->name);
		return 1;
	}
	if (d->flags & PARAM_F_READONLY) {
		verrs_add(errs, field, "\"%s\" is read-only", d->name);
		return 1;
	}
	return 0;
}

static void
refuse_unknown(const char *name, const char *field, struct verrs *errs)
{
	const struct param_def *d;
	const char *s;

	if ((d = noform_target(name)) != NULL) {
		if (!refuse_param(d, field, errs))
			verrs_add(errs, field, "use \"%s\": false instead of "
			    "the \"no\" form", d->name);
		return;
	}
	if ((s = hint_for(name)) != NULL) {
		verrs_add(errs, field, "unknown jail parameter \"%.100s\" (%s)",
		    name, s);
		return;
	}
	if ((s = nearest_name(name)) != NULL) {
		verrs_add(errs, field, "unknown jail parameter \"%.100s\" "
		    "(did you mean \"%s\"?)", name, s);
		return;
	}
	verrs_add(errs, field, "unknown jail parameter \"%.100s\"", name);
}

void
catalog_validate_params(const json_t *params, const char *base,
    struct verrs *errs)
{
	const char *name;
	json_t *value;
	const struct param_def *d;
	char field[512], msg[256];

	if (base == NULL)
		base = "";
	if (!json_is_object(params)) {
		verrs_add(errs, base, "must be an object");
		return;
	}
	/* jansson's iterator is not const-correct; nothing is changed. */
	json_object_foreach((json_t *)params, name, value) {
		ptr_join(field, sizeof(field), base, name);
		d = catalog_lookup(name);
		if (d == NULL) {
			refuse_unknown(name, field, errs);
			continue;
		}
		if (refuse_param(d, field, errs))
			continue;
		if (catalog_value_check(d, value, msg, sizeof(msg)) != 0)
			verrs_add(errs, field, "%s", msg);
	}
}

int
catalog_value_to_text(const struct param_def *def, const json_t *value,
    char *out, size_t outsz)
{
	char msg[128];
	const char *s;
	int n;

	if (outsz == 0 || catalog_value_check(def, value, msg,
	    sizeof(msg)) != 0)
		return -1;
	switch (def->type) {
	case PARAM_INT:
	case PARAM_UINT:
	case PARAM_ULONG:
		n = snprintf(out, outsz, "%lld",
		    (long long)json_integer_value(value));
		break;
	case PARAM_BOOL:
		n = snprintf(out, outsz, "%s",
		    json_is_true(value) ? "true" : "false");
		break;
	case PARAM_STRING:
	case PARAM_JAILSYS:
	case PARAM_IP4LIST:
	case PARAM_IP6LIST:
		s = json_string_value(value);
		n = snprintf(out, outsz, "%s", s);
		break;
	default:
		return -1;
	}
	if (n < 0 || (size_t)n >= outsz) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/* Strict decimal: optional '-' (signed only), digits, nothing else. */
static int
parse_integer(const char *text, int allow_neg, long long *out)
{
	const char *p = text;
	char *end;
	long long v;

	if (*p == '-') {
		if (!allow_neg)
			return -1;
		p++;
	}
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

json_t *
catalog_value_from_text(const struct param_def *def, const char *text)
{
	json_t *v = NULL;
	char msg[128];
	long long n;
	int i;

	if (def == NULL || text == NULL)
		return NULL;
	switch (def->type) {
	case PARAM_INT:
	case PARAM_UINT:
	case PARAM_ULONG:
		if (parse_integer(text, def->type == PARAM_INT, &n) != 0)
			return NULL;
		v = json_integer((json_int_t)n);
		break;
	case PARAM_BOOL:
		if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
			v = json_true();
		else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
			v = json_false();
		else
			return NULL;
		break;
	case PARAM_JAILSYS:
		if (text[0] >= '0' && text[0] <= '2' && text[1] == '\0')
			i = text[0] - '0';
		else
			i = jailsys_index(text);
		if (i < 0)
			return NULL;
		v = json_string(jailsys_names[i]);
		break;
	case PARAM_STRING:
	case PARAM_IP4LIST:
	case PARAM_IP6LIST:
		v = json_string(text);
		break;
	}
	if (v == NULL)
		return NULL;
	if (catalog_value_check(def, v, msg, sizeof(msg)) != 0) {
		json_decref(v);
		return NULL;
	}
	return v;
}

static const struct admin_rule *
admin_rule_for(const char *name)
{
	const struct admin_rule *r;
	size_t i;

	for (i = 0; i < sizeof(admin_rules) / sizeof(admin_rules[0]); i++) {
		r = &admin_rules[i];
		if (r->prefix ? strncmp(name, r->name, strlen(r->name)) == 0 :
		    strcmp(name, r->name) == 0)
			return r;
	}
	return NULL;
}

int
catalog_needs_admin(const struct param_def *def, const json_t *value,
    const char **why)
{
	const struct admin_rule *r;
	int need = 0;

	if (why != NULL)
		*why = NULL;
	if (def == NULL)
		return 0;
	r = admin_rule_for(def->name);
	if (r == NULL) {
		if ((def->flags & PARAM_F_ADMIN) == 0)
			return 0;
		if (why != NULL)
			*why = "only an admin may set this parameter";
		return 1;
	}
	switch (r->kind) {
	case ADM_TRUE:
		need = json_is_true(value);
		break;
	case ADM_BELOW:
		need = json_is_integer(value) &&
		    (long long)json_integer_value(value) < r->bound;
		break;
	case ADM_ABOVE:
		need = json_is_integer(value) &&
		    (long long)json_integer_value(value) > r->bound;
		break;
	case ADM_ANY:
		need = 1;
		break;
	case ADM_NEW:
		need = json_is_string(value) &&
		    strcmp(json_string_value(value), "new") == 0;
		break;
	}
	if (need && why != NULL)
		*why = r->why;
	return need;
}

/* Set key to v (stolen) in o; counts a failure in *bad. */
static void
set_new(json_t *o, const char *key, json_t *v, int *bad)
{
	if (v == NULL || json_object_set_new(o, key, v) != 0)
		(*bad)++;
}

static json_t *
schema_item(const struct param_def *d)
{
	json_t *o, *dv;
	int bad = 0;

	if ((o = json_object()) == NULL)
		return NULL;
	set_new(o, "name", json_string(d->name), &bad);
	set_new(o, "type", json_string(catalog_type_name(d->type)), &bad);
	if (is_int_type(d->type)) {
		set_new(o, "min", json_integer((json_int_t)d->min), &bad);
		set_new(o, "max", json_integer((json_int_t)d->max), &bad);
	}
	if (d->type == PARAM_STRING)
		set_new(o, "maxlen", json_integer((json_int_t)d->maxlen),
		    &bad);
	set_new(o, "create_only",
	    json_boolean(d->flags & PARAM_F_CREATE_ONLY), &bad);
	set_new(o, "read_only", json_boolean(d->flags & PARAM_F_READONLY),
	    &bad);
	set_new(o, "admin_only", json_boolean(d->flags & PARAM_F_ADMIN),
	    &bad);
	if (d->flags & PARAM_F_OWN_FIELD)
		set_new(o, "own_field", json_string(d->own_field), &bad);
	if (d->dflt != NULL) {
		dv = catalog_value_from_text(d, d->dflt);
		set_new(o, "default", dv, &bad);
	} else
		set_new(o, "default", json_null(), &bad);
	set_new(o, "description", json_string(d->desc), &bad);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
catalog_schema_json(void)
{
	json_t *root = NULL, *items = NULL, *it;
	size_t i;

	if ((root = json_object()) == NULL || (items = json_array()) == NULL)
		goto fail;
	for (i = 0; i < CATALOG_N; i++) {
		if ((it = schema_item(&catalog[i])) == NULL ||
		    json_array_append_new(items, it) != 0)
			goto fail;
	}
	if (json_object_set_new(root, "items", items) != 0) {
		items = NULL;	/* set_new took it */
		goto fail;
	}
	return root;
fail:
	json_decref(items);
	json_decref(root);
	return NULL;
}
