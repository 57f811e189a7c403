/*
 * test_catalog.c - the jail parameter catalog: lookup and order, value
 * checks per type, params validation messages, the admin rules, text
 * round trips and the schema document.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common/alloc.h"
#include "prison/catalog.h"
#include "tests/lib/check.h"

static const struct param_def *
must(const char *name)
{
	const struct param_def *d = catalog_lookup(name);

	if (d == NULL)
		check_fail(__FILE__, __LINE__, name, "not in the catalog");
	return d;
}

/* Check def against a JSON text; returns catalog_value_check's result. */
static int
check_json(const char *name, const char *jtext, char *msg, size_t msgsz)
{
	json_t *v;
	json_error_t jerr;
	int rc;

	v = json_loads(jtext, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (v == NULL)
		check_fail(__FILE__, __LINE__, jtext, jerr.text);
	msg[0] = '\0';
	rc = catalog_value_check(must(name), v, msg, msgsz);
	json_decref(v);
	return rc;
}

#define OK(name, j) do {						\
	char _m[256];							\
	int _rc = check_json(name, j, _m, sizeof(_m));			\
	if (_rc != 0)							\
		check_fail(__FILE__, __LINE__, j, _m);			\
	check_pass();							\
} while (0)

#define BAD(name, j, want) do {						\
	char _m[256];							\
	CHECK_INT(check_json(name, j, _m, sizeof(_m)), -1);		\
	CHECK_STR(_m, want);						\
} while (0)

static void
test_lookup(void)
{
	static const char *const names[] = {
		"jid", "name", "parent", "path", "persist", "dying",
		"securelevel", "enforce_statfs", "devfs_ruleset",
		"children.max", "children.cur", "cpuset.id", "osrelease",
		"osreldate", "host", "host.hostname", "host.domainname",
		"host.hostuuid", "host.hostid", "ip4", "ip6", "ip4.addr",
		"ip6.addr", "ip4.saddrsel", "ip6.saddrsel", "vnet",
		"allow.set_hostname", "allow.sysvipc", "allow.raw_sockets",
		"allow.chflags", "allow.mount", "allow.mount.devfs",
		"allow.mount.fdescfs", "allow.mount.nullfs",
		"allow.mount.procfs", "allow.mount.tmpfs", "allow.mount.zfs",
		"allow.mount.linprocfs", "allow.mount.linsysfs",
		"allow.mount.fusefs", "allow.quotas", "allow.socket_af",
		"allow.mlock", "allow.reserved_ports", "allow.read_msgbuf",
		"allow.unprivileged_proc_debug", "allow.suser", "allow.nfsd",
		"allow.extattr", "allow.adjtime", "allow.settime",
		"allow.routing", "allow.vmm", "sysvmsg", "sysvsem", "sysvshm",
		"linux", "linux.osname", "linux.osrelease",
		"linux.oss_version", "zfs.mount_snapshot",
	};
	static const char *const absent[] = {
		"meta", "env", "mac.label", "allow.nomount", "exec.start",
		"mount.devfs", "lastjid", "errmsg", "", "allow", "allow.",
		"zzz", "a",
	};
	const struct param_def *d;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		d = catalog_lookup(names[i]);
		CHECK(d != NULL);
		CHECK_STR(d->name, names[i]);
	}
	CHECK_INT(catalog_count(), sizeof(names) / sizeof(names[0]));
	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		CHECK(catalog_lookup(absent[i]) == NULL);
	CHECK(catalog_lookup(NULL) == NULL);
	CHECK(catalog_at(catalog_count()) == NULL);

	/* Sorted, unique, and lookup of every row finds that very row. */
	for (i = 0; i < catalog_count(); i++) {
		d = catalog_at(i);
		CHECK(d != NULL && d->desc != NULL && d->desc[0] != '\0');
		CHECK(catalog_lookup(d->name) == d);
		if (i > 0)
			CHECK(strcmp(catalog_at(i - 1)->name, d->name) < 0);
		CHECK(((d->flags & PARAM_F_OWN_FIELD) != 0) ==
		    (d->own_field != NULL));
	}

	/* A few rows in detail. */
	d = must("jid");
	CHECK_INT(d->type, PARAM_INT);
	CHECK_INT(d->min, 1);
	CHECK_INT(d->max, 999999);
	CHECK(d->flags & PARAM_F_MANAGED);
	d = must("path");
	CHECK_INT(d->type, PARAM_STRING);
	CHECK_INT(d->maxlen, 1023);
	CHECK(d->flags & PARAM_F_CREATE_ONLY);
	CHECK_STR(d->own_field, "/path");
	CHECK_STR(must("name")->own_field, "/name");
	CHECK_INT(must("name")->maxlen, 255);
	CHECK_STR(must("host.hostname")->own_field, "/hostname");
	CHECK_STR(must("ip4.addr")->own_field, "/ips");
	CHECK_STR(must("ip6.addr")->own_field, "/ips");
	CHECK_INT(must("ip4.addr")->type, PARAM_IP4LIST);
	CHECK_INT(must("ip6.addr")->type, PARAM_IP6LIST);
	CHECK_INT(must("osrelease")->maxlen, 31);
	CHECK(must("osrelease")->flags & PARAM_F_CREATE_ONLY);
	CHECK(must("osreldate")->flags & PARAM_F_CREATE_ONLY);
	CHECK_INT(must("osreldate")->max, INT_MAX);
	CHECK(must("ip4")->flags & PARAM_F_CREATE_ONLY);
	CHECK(must("ip6")->flags & PARAM_F_CREATE_ONLY);
	CHECK(must("vnet")->flags & PARAM_F_CREATE_ONLY);
	CHECK(must("vnet")->flags & PARAM_F_NO_DISABLE);
	CHECK(must("host")->flags & PARAM_F_NO_DISABLE);
	CHECK(must("linux")->flags & PARAM_F_NO_DISABLE);
	CHECK((must("ip4")->flags & PARAM_F_NO_DISABLE) == 0);
	CHECK(must("dying")->flags & PARAM_F_READONLY);
	CHECK(must("parent")->flags & PARAM_F_READONLY);
	CHECK(must("children.cur")->flags & PARAM_F_READONLY);
	CHECK(must("cpuset.id")->flags & PARAM_F_READONLY);
	CHECK(must("persist")->flags & PARAM_F_MANAGED);
	CHECK_INT(must("host.hostid")->type, PARAM_ULONG);
	CHECK_STR(must("enforce_statfs")->dflt, "2");
	CHECK_STR(must("children.max")->dflt, "0");
	CHECK_STR(must("ip4.saddrsel")->dflt, "true");
	CHECK_STR(must("sysvshm")->dflt, "disable");
	CHECK(must("sysvmsg")->flags & PARAM_F_MODULE);
	CHECK(must("linux.oss_version")->flags & PARAM_F_MODULE);
	CHECK(must("zfs.mount_snapshot")->flags & PARAM_F_MODULE);
	CHECK((must("securelevel")->flags & PARAM_F_MODULE) == 0);

	/* allow.* defaults: four on, the rest off. */
	for (i = 0; i < catalog_count(); i++) {
		d = catalog_at(i);
		if (strncmp(d->name, "allow.", 6) != 0)
			continue;
		CHECK_INT(d->type, PARAM_BOOL);
		if (strcmp(d->name, "allow.set_hostname") == 0 ||
		    strcmp(d->name, "allow.reserved_ports") == 0 ||
		    strcmp(d->name, "allow.unprivileged_proc_debug") == 0 ||
		    strcmp(d->name, "allow.suser") == 0)
			CHECK_STR(d->dflt, "true");
		else
			CHECK_STR(d->dflt, "false");
	}

	CHECK_STR(catalog_type_name(PARAM_INT), "int");
	CHECK_STR(catalog_type_name(PARAM_UINT), "uint");
	CHECK_STR(catalog_type_name(PARAM_ULONG), "ulong");
	CHECK_STR(catalog_type_name(PARAM_BOOL), "bool");
	CHECK_STR(catalog_type_name(PARAM_STRING), "string");
	CHECK_STR(catalog_type_name(PARAM_JAILSYS), "jailsys");
	CHECK_STR(catalog_type_name(PARAM_IP4LIST), "ip4list");
	CHECK_STR(catalog_type_name(PARAM_IP6LIST), "ip6list");
}

static void
test_value_check(void)
{
	char m[256];
	char longs[300];
	json_t *v;

	/* int */
	OK("securelevel", "-1");
	OK("securelevel", "3");
	OK("securelevel", "0");
	BAD("securelevel", "4", "must be an integer from -1 to 3");
	BAD("securelevel", "-2", "must be an integer from -1 to 3");
	BAD("securelevel", "3.0", "must be an integer from -1 to 3");
	BAD("securelevel", "\"3\"", "must be an integer from -1 to 3");
	BAD("securelevel", "true", "must be an integer from -1 to 3");
	BAD("securelevel", "null", "must be an integer from -1 to 3");
	OK("enforce_statfs", "0");
	OK("enforce_statfs", "2");
	BAD("enforce_statfs", "3", "must be an integer from 0 to 2");
	OK("devfs_ruleset", "65535");
	BAD("devfs_ruleset", "65536", "must be an integer from 0 to 65535");
	OK("children.max", "999999");
	BAD("children.max", "1000000", "must be an integer from 0 to 999999");
	BAD("children.max", "-1", "must be an integer from 0 to 999999");
	OK("osreldate", "1400097");
	BAD("osreldate", "0", "must be an integer from 1 to 2147483647");
	BAD("osreldate", "2147483648",
	    "must be an integer from 1 to 2147483647");
	OK("zfs.mount_snapshot", "1");
	BAD("zfs.mount_snapshot", "2", "must be an integer from 0 to 1");
	OK("linux.oss_version", "-2147483648");
	/* ulong */
	OK("host.hostid", "0");
	OK("host.hostid", "9223372036854775807");
	BAD("host.hostid", "-1",
	    "must be an integer from 0 to 9223372036854775807");
	BAD("host.hostid", "1e3",
	    "must be an integer from 0 to 9223372036854775807");

	/* bool */
	OK("allow.raw_sockets", "true");
	OK("allow.raw_sockets", "false");
	BAD("allow.raw_sockets", "1", "must be true or false");
	BAD("allow.raw_sockets", "\"true\"", "must be true or false");
	BAD("ip4.saddrsel", "null", "must be true or false");

	/* string */
	OK("host.domainname", "\"\"");
	OK("host.domainname", "\"example.org\"");
	memset(longs, 'a', sizeof(longs));
	longs[0] = '"';
	longs[256] = '"';
	longs[257] = '\0';	/* 255 bytes */
	OK("host.domainname", longs);
	longs[256] = 'a';
	longs[257] = '"';
	longs[258] = '\0';	/* 256 bytes */
	BAD("host.domainname", longs, "must be at most 255 bytes");
	OK("osrelease", "\"14.1-RELEASE\"");
	BAD("osrelease", "\"\"", "must not be empty");
	OK("osrelease", "\"14.1-RELEASE-p5-and-a-long-tail\"");
	BAD("osrelease", "\"14.1-RELEASE-p5-and-a-long-tails\"",
	    "must be at most 31 bytes");
	BAD("host.hostuuid", "\"a\\u0000b\"", "must not contain a NUL byte");
	BAD("linux.osname", "42", "must be a string");

	/* jailsys */
	OK("sysvshm", "\"new\"");
	OK("sysvshm", "\"inherit\"");
	OK("sysvshm", "\"disable\"");
	BAD("sysvshm", "\"New\"",
	    "must be \"new\", \"inherit\" or \"disable\"");
	BAD("sysvshm", "1", "must be \"new\", \"inherit\" or \"disable\"");
	BAD("sysvshm", "\"new\\u0000x\"",
	    "must be \"new\", \"inherit\" or \"disable\"");
	OK("vnet", "\"new\"");
	OK("vnet", "\"inherit\"");
	BAD("vnet", "\"disable\"", "must be \"new\" or \"inherit\"");
	BAD("host", "\"disable\"", "must be \"new\" or \"inherit\"");
	BAD("linux", "\"disable\"", "must be \"new\" or \"inherit\"");
	OK("ip4", "\"disable\"");

	/* IP lists */
	OK("ip4.addr", "\"\"");
	OK("ip4.addr", "\"10.0.0.5\"");
	OK("ip4.addr", "\"10.0.0.5,192.168.1.1\"");
	BAD("ip4.addr", "\"10.0.0.5,::1\"", "\"::1\" is not an IPv4 address");
	BAD("ip4.addr", "\"10.0.0.256\"",
	    "\"10.0.0.256\" is not an IPv4 address");
	BAD("ip4.addr", "\"10.0.0.5, 10.0.0.6\"",
	    "\" 10.0.0.6\" is not an IPv4 address");
	BAD("ip4.addr", "\"10.0.0.5,,10.0.0.6\"",
	    "must be comma-separated IPv4 addresses with no empty element");
	BAD("ip4.addr", "\"10.0.0.5,\"",
	    "must be comma-separated IPv4 addresses with no empty element");
	BAD("ip4.addr", "\"0.0.0.0\"", "0.0.0.0 may not be a jail address");
	BAD("ip4.addr", "\"255.255.255.255\"",
	    "255.255.255.255 may not be a jail address");
	BAD("ip4.addr", "\"10.0.0.5,10.0.0.5\"",
	    "lists 10.0.0.5 more than once");
	BAD("ip4.addr", "[\"10.0.0.5\"]",
	    "must be a string of comma-separated IPv4 addresses");
	OK("ip6.addr", "\"2001:db8::1,fe80::1\"");
	BAD("ip6.addr", "\"10.0.0.5\"", "\"10.0.0.5\" is not an IPv6 address");
	BAD("ip6.addr", "\"::\"", ":: may not be a jail address");
	BAD("ip6.addr", "\"2001:db8::1,2001:db8:0::1\"",
	    "lists 2001:db8:0::1 more than once");

	/* NULL value */
	CHECK_INT(catalog_value_check(must("securelevel"), NULL, m,
	    sizeof(m)), -1);
	v = json_integer(1);
	CHECK_INT(catalog_value_check(NULL, v, m, sizeof(m)), -1);
	json_decref(v);
}

static void
test_iplist_limit(void)
{
	char buf[256 * 16 + 8], m[256];
	size_t n = 0;
	int i;
	json_t *v;

	for (i = 0; i < 255; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s10.0.%d.%d",
		    i ? "," : "", i / 200, i % 200 + 1);
	v = json_string(buf);
	CHECK_INT(catalog_value_check(must("ip4.addr"), v, m, sizeof(m)), 0);
	json_decref(v);
	snprintf(buf + n, sizeof(buf) - n, ",10.1.0.1");
	v = json_string(buf);
	CHECK_INT(catalog_value_check(must("ip4.addr"), v, m, sizeof(m)), -1);
	CHECK_STR(m, "must hold at most 255 addresses");
	json_decref(v);
}

static json_t *
load(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, 0, &jerr);

	if (v == NULL)
		check_fail(__FILE__, __LINE__, text, jerr.text);
	return v;
}

/* Validate one params text; returns the error count, errors left in e. */
static size_t
validate(const char *text, struct verrs *e)
{
	json_t *p = load(text);

	memset(e, 0, sizeof(*e));
	catalog_validate_params(p, "/params", e);
	json_decref(p);
	CHECK_INT(e->oom, 0);
	return e->n;
}

#define ONE(text, wfield, wmsg) do {					\
	struct verrs _e;						\
	CHECK_INT(validate(text, &_e), 1);				\
	CHECK_STR(_e.v[0].field, wfield);				\
	CHECK_STR(_e.v[0].message, wmsg);				\
	verrs_free(&_e);						\
} while (0)

static void
test_validate(void)
{
	struct verrs e;
	json_t *p;

	/* Good documents give nothing. */
	CHECK_INT(validate("{}", &e), 0);
	verrs_free(&e);
	CHECK_INT(validate("{\"securelevel\": 3, \"allow.raw_sockets\": false,"
	    " \"enforce_statfs\": 1, \"vnet\": \"new\", \"sysvshm\": \"new\","
	    " \"host.domainname\": \"d\", \"osrelease\": \"14.2-RELEASE\"}",
	    &e), 0);
	verrs_free(&e);

	/* Several bad members at once, each reported in order. */
	CHECK_INT(validate("{\"securelevel\": 4, \"allow.nomount\": true,"
	    " \"path\": \"/j\", \"persist\": true, \"dying\": false,"
	    " \"enforce_statfs\": \"2\", \"securelvel\": 1,"
	    " \"allow.mount\": true, \"vnet\": \"disable\"}", &e), 8);
	CHECK_STR(e.v[0].field, "/params/securelevel");
	CHECK_STR(e.v[0].message, "must be an integer from -1 to 3");
	CHECK_STR(e.v[1].field, "/params/allow.nomount");
	CHECK_STR(e.v[1].message,
	    "use \"allow.mount\": false instead of the \"no\" form");
	CHECK_STR(e.v[2].field, "/params/path");
	CHECK_STR(e.v[2].message,
	    "set the jail's path with the \"path\" field, not params");
	CHECK_STR(e.v[3].field, "/params/persist");
	CHECK_STR(e.v[3].message, "jaild manages \"persist\" itself");
	CHECK_STR(e.v[4].field, "/params/dying");
	CHECK_STR(e.v[4].message, "\"dying\" is read-only");
	CHECK_STR(e.v[5].field, "/params/enforce_statfs");
	CHECK_STR(e.v[5].message, "must be an integer from 0 to 2");
	CHECK_STR(e.v[6].field, "/params/securelvel");
	CHECK_STR(e.v[6].message, "unknown jail parameter \"securelvel\" "
	    "(did you mean \"securelevel\"?)");
	CHECK_STR(e.v[7].field, "/params/vnet");
	CHECK_STR(e.v[7].message, "must be \"new\" or \"inherit\"");
	verrs_free(&e);

	/* Own fields name the right field. */
	ONE("{\"host.hostname\": \"h\"}", "/params/host.hostname",
	    "set the jail's hostname with the \"hostname\" field, not params");
	ONE("{\"ip4.addr\": \"10.0.0.1\"}", "/params/ip4.addr",
	    "set the jail's IP addresses with the \"ips\" field, not params");
	ONE("{\"ip6.addr\": \"::1\"}", "/params/ip6.addr",
	    "set the jail's IP addresses with the \"ips\" field, not params");
	ONE("{\"name\": \"x\"}", "/params/name",
	    "set the jail's name with the \"name\" field, not params");
	/* Managed and read-only. */
	ONE("{\"jid\": 5}", "/params/jid", "jaild manages \"jid\" itself");
	ONE("{\"parent\": 0}", "/params/parent", "\"parent\" is read-only");
	ONE("{\"children.cur\": 0}", "/params/children.cur",
	    "\"children.cur\" is read-only");
	ONE("{\"cpuset.id\": 1}", "/params/cpuset.id",
	    "\"cpuset.id\" is read-only");
	/* No forms, including ones whose target may not be set at all. */
	ONE("{\"ip4.nosaddrsel\": true}", "/params/ip4.nosaddrsel",
	    "use \"ip4.saddrsel\": false instead of the \"no\" form");
	ONE("{\"allow.mount.nodevfs\": true}", "/params/allow.mount.nodevfs",
	    "use \"allow.mount.devfs\": false instead of the \"no\" form");
	ONE("{\"nopersist\": true}", "/params/nopersist",
	    "jaild manages \"persist\" itself");
	ONE("{\"nodying\": true}", "/params/nodying", "\"dying\" is read-only");
	/* "no" before a non-boolean is no no-form, just a near miss. */
	ONE("{\"nosecurelevel\": 1}", "/params/nosecurelevel",
	    "unknown jail parameter \"nosecurelevel\" "
	    "(did you mean \"securelevel\"?)");
	ONE("{\"allow.nomountain\": true}", "/params/allow.nomountain",
	    "unknown jail parameter \"allow.nomountain\"");
	/* Did you mean, and nothing when nothing is close. */
	ONE("{\"allow.raw_socket\": true}", "/params/allow.raw_socket",
	    "unknown jail parameter \"allow.raw_socket\" "
	    "(did you mean \"allow.raw_sockets\"?)");
	ONE("{\"enforce-statfs\": 2}", "/params/enforce-statfs",
	    "unknown jail parameter \"enforce-statfs\" "
	    "(did you mean \"enforce_statfs\"?)");
	ONE("{\"bogus_thing\": 1}", "/params/bogus_thing",
	    "unknown jail parameter \"bogus_thing\"");
	/* Settings of jail(8) and FreeBSD 15 say where they belong. */
	ONE("{\"exec.start\": \"sh /etc/rc\"}", "/params/exec.start",
	    "unknown jail parameter \"exec.start\" "
	    "(a jail(8) setting: use the jail's \"exec\" field)");
	ONE("{\"mount.devfs\": true}", "/params/mount.devfs",
	    "unknown jail parameter \"mount.devfs\" "
	    "(a jail(8) setting: use the jail's \"mounts\" field)");
	ONE("{\"meta\": \"a=b\"}", "/params/meta",
	    "unknown jail parameter \"meta\" "
	    "(FreeBSD 15 only; jaild models FreeBSD 14)");
	/* Pointer escaping of odd member names. */
	ONE("{\"a/b~c\": 1}", "/params/a~1b~0c",
	    "unknown jail parameter \"a/b~c\"");

	/* Not an object. */
	p = load("[1]");
	memset(&e, 0, sizeof(e));
	catalog_validate_params(p, "/params", &e);
	CHECK_INT(e.n, 1);
	CHECK_STR(e.v[0].field, "/params");
	CHECK_STR(e.v[0].message, "must be an object");
	verrs_free(&e);
	json_decref(p);
}

static int
admin(const char *name, const char *jtext, const char **why)
{
	json_t *v = json_loads(jtext, JSON_DECODE_ANY, NULL);
	int rc;

	if (v == NULL)
		check_fail(__FILE__, __LINE__, jtext, "bad JSON");
	rc = catalog_needs_admin(must(name), v, why);
	json_decref(v);
	return rc;
}

static void
test_admin(void)
{
	static const char *const bools[] = {
		"allow.mount", "allow.mount.devfs", "allow.mount.fdescfs",
		"allow.mount.nullfs", "allow.mount.procfs", "allow.mount.tmpfs",
		"allow.mount.zfs", "allow.mount.linprocfs",
		"allow.mount.linsysfs", "allow.mount.fusefs",
		"allow.raw_sockets", "allow.vmm", "allow.routing", "allow.nfsd",
		"allow.settime", "allow.adjtime", "allow.socket_af",
		"allow.read_msgbuf",
	};
	const struct param_def *d;
	const char *why;
	size_t i;
	json_t *lo, *hi;

	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		why = "x";
		CHECK_INT(admin(bools[i], "true", &why), 1);
		CHECK(why != NULL && why[0] != '\0');
		CHECK_INT(admin(bools[i], "false", &why), 0);
		CHECK(why == NULL);
		CHECK(must(bools[i])->flags & PARAM_F_ADMIN);
	}
	CHECK_INT(admin("enforce_statfs", "1", &why), 1);
	CHECK_CONTAINS(why, "enforce_statfs");
	CHECK_INT(admin("enforce_statfs", "0", &why), 1);
	CHECK_INT(admin("enforce_statfs", "2", &why), 0);
	CHECK_INT(admin("securelevel", "-1", &why), 1);
	CHECK_CONTAINS(why, "securelevel");
	CHECK_INT(admin("securelevel", "0", &why), 0);
	CHECK_INT(admin("securelevel", "3", &why), 0);
	CHECK_INT(admin("children.max", "1", &why), 1);
	CHECK_CONTAINS(why, "children.max");
	CHECK_INT(admin("children.max", "0", &why), 0);
	CHECK_INT(admin("devfs_ruleset", "4", &why), 1);
	CHECK_INT(admin("devfs_ruleset", "0", &why), 1);
	CHECK_CONTAINS(why, "devfs");
	CHECK_INT(admin("vnet", "\"new\"", &why), 1);
	CHECK_CONTAINS(why, "vnet");
	CHECK_INT(admin("vnet", "\"inherit\"", &why), 0);
	/* Safe parameters never need an admin. */
	CHECK_INT(admin("allow.set_hostname", "true", &why), 0);
	CHECK_INT(admin("allow.chflags", "true", &why), 0);
	CHECK_INT(admin("allow.sysvipc", "true", &why), 0);
	CHECK_INT(admin("sysvshm", "\"new\"", &why), 0);
	CHECK_INT(admin("host.domainname", "\"x\"", &why), 0);
	CHECK_INT(admin("osrelease", "\"13.2-RELEASE\"", &why), 0);
	CHECK_INT(catalog_needs_admin(must("allow.mount"), NULL, NULL), 0);
	CHECK_INT(catalog_needs_admin(must("devfs_ruleset"), NULL, NULL), 1);

	/*
	 * The flag agrees with the rules: a flagged row has a value that
	 * needs an admin; an unflagged row has none at its bounds.
	 */
	for (i = 0; i < catalog_count(); i++) {
		int any = 0;

		d = catalog_at(i);
		switch (d->type) {
		case PARAM_BOOL:
			lo = json_false();
			hi = json_true();
			break;
		case PARAM_JAILSYS:
			lo = json_string("inherit");
			hi = json_string("new");
			break;
		case PARAM_INT:
		case PARAM_UINT:
		case PARAM_ULONG:
			lo = json_integer(d->min);
			hi = json_integer(d->max);
			break;
		default:
			lo = json_string("");
			hi = json_string("x");
			break;
		}
		any = catalog_needs_admin(d, lo, NULL) ||
		    catalog_needs_admin(d, hi, NULL);
		if (any != ((d->flags & PARAM_F_ADMIN) != 0))
			check_fail(__FILE__, __LINE__, d->name,
			    "admin flag and rules disagree");
		check_pass();
		json_decref(lo);
		json_decref(hi);
	}
}

/* to_text(from_text(t)) == want, and from_text(to_text(v)) == v. */
static void
round_trip(const char *name, const char *text, const char *want)
{
	const struct param_def *d = must(name);
	json_t *v, *v2;
	char out[2048];

	v = catalog_value_from_text(d, text);
	if (v == NULL)
		check_fail(__FILE__, __LINE__, text, "from_text refused it");
	CHECK_INT(catalog_value_to_text(d, v, out, sizeof(out)), 0);
	CHECK_STR(out, want);
	v2 = catalog_value_from_text(d, out);
	CHECK(v2 != NULL && json_equal(v, v2));
	json_decref(v);
	json_decref(v2);
}

static void
refused_text(const char *name, const char *text)
{
	json_t *v = catalog_value_from_text(must(name), text);

	if (v != NULL) {
		json_decref(v);
		check_fail(__FILE__, __LINE__, text, "from_text took it");
	}
	check_pass();
}

static void
test_text(void)
{
	const struct param_def *d;
	json_t *v;
	char out[64], small[3];
	size_t i;

	round_trip("securelevel", "-1", "-1");
	round_trip("securelevel", "3", "3");
	round_trip("host.hostid", "9223372036854775807",
	    "9223372036854775807");
	round_trip("allow.mount", "true", "true");
	round_trip("allow.mount", "1", "true");
	round_trip("allow.mount", "0", "false");
	round_trip("allow.mount", "false", "false");
	round_trip("vnet", "new", "new");
	round_trip("vnet", "2", "inherit");
	round_trip("vnet", "1", "new");
	round_trip("ip4", "0", "disable");
	round_trip("ip4", "disable", "disable");
	round_trip("host.hostname", "web1.example.org", "web1.example.org");
	round_trip("host.domainname", "", "");
	round_trip("ip4.addr", "10.0.0.5,10.0.0.1", "10.0.0.5,10.0.0.1");
	round_trip("ip6.addr", "2001:db8::1", "2001:db8::1");

	v = catalog_value_from_text(must("securelevel"), "2");
	CHECK(json_is_integer(v) && json_integer_value(v) == 2);
	json_decref(v);
	v = catalog_value_from_text(must("allow.mount"), "1");
	CHECK(json_is_true(v));
	json_decref(v);

	refused_text("securelevel", "4");
	refused_text("securelevel", "");
	refused_text("securelevel", " 1");
	refused_text("securelevel", "1 ");
	refused_text("securelevel", "+1");
	refused_text("securelevel", "1.0");
	refused_text("host.hostid", "-0");
	refused_text("host.hostid", "18446744073709551615");
	refused_text("allow.mount", "yes");
	refused_text("allow.mount", "");
	refused_text("vnet", "disable");
	refused_text("vnet", "0");
	refused_text("vnet", "3");
	refused_text("osrelease", "");
	refused_text("ip4.addr", "::1");

	/* to_text refuses mismatched values and too-small buffers. */
	v = json_string("3");
	CHECK_INT(catalog_value_to_text(must("securelevel"), v, out,
	    sizeof(out)), -1);
	json_decref(v);
	v = json_integer(123);
	CHECK_INT(catalog_value_to_text(must("devfs_ruleset"), v, small,
	    sizeof(small)), -1);
	CHECK_INT(catalog_value_to_text(must("devfs_ruleset"), v, out,
	    sizeof(out)), 0);
	CHECK_STR(out, "123");
	json_decref(v);

	/* Every default in the table reads back and passes its check. */
	for (i = 0; i < catalog_count(); i++) {
		d = catalog_at(i);
		if (d->dflt == NULL)
			continue;
		v = catalog_value_from_text(d, d->dflt);
		if (v == NULL)
			check_fail(__FILE__, __LINE__, d->name, "bad default");
		CHECK_INT(catalog_value_to_text(d, v, out, sizeof(out)), 0);
		CHECK_STR(out, d->dflt);
		json_decref(v);
	}
}

static json_t *
schema_item(json_t *items, const char *name)
{
	size_t i;
	json_t *it;

	json_array_foreach(items, i, it) {
		if (strcmp(json_string_value(json_object_get(it, "name")),
		    name) == 0)
			return it;
	}
	return NULL;
}

static void
test_schema(void)
{
	json_t *s, *items, *it;
	size_t i;
	const char *key;
	json_t *val;
	static const char *const allowed[] = {
		"name", "type", "min", "max", "maxlen", "create_only",
		"read_only", "admin_only", "own_field", "default",
		"description",
	};

	s = catalog_schema_json();
	CHECK(s != NULL);
	CHECK_INT(json_object_size(s), 1);
	items = json_object_get(s, "items");
	CHECK(json_is_array(items));
	CHECK_INT(json_array_size(items), catalog_count());
	json_array_foreach(items, i, it) {
		const struct param_def *d = catalog_at(i);

		CHECK_STR(json_string_value(json_object_get(it, "name")),
		    d->name);
		CHECK_STR(json_string_value(json_object_get(it, "type")),
		    catalog_type_name(d->type));
		CHECK(json_is_boolean(json_object_get(it, "create_only")));
		CHECK(json_is_boolean(json_object_get(it, "read_only")));
		CHECK(json_is_boolean(json_object_get(it, "admin_only")));
		CHECK(json_is_string(json_object_get(it, "description")));
		CHECK(json_object_get(it, "default") != NULL);
		json_object_foreach(it, key, val) {
			size_t k;
			int known = 0;

			for (k = 0; k < sizeof(allowed) / sizeof(allowed[0]);
			    k++)
				known |= strcmp(key, allowed[k]) == 0;
			CHECK(known);
		}
	}

	it = schema_item(items, "securelevel");
	CHECK(it != NULL);
	CHECK_INT(json_integer_value(json_object_get(it, "min")), -1);
	CHECK_INT(json_integer_value(json_object_get(it, "max")), 3);
	CHECK(json_object_get(it, "maxlen") == NULL);
	CHECK(json_is_null(json_object_get(it, "default")));
	CHECK(json_is_false(json_object_get(it, "create_only")));
	CHECK(json_object_get(it, "own_field") == NULL);

	it = schema_item(items, "enforce_statfs");
	CHECK(json_is_integer(json_object_get(it, "default")));
	CHECK_INT(json_integer_value(json_object_get(it, "default")), 2);
	CHECK(json_is_true(json_object_get(it, "admin_only")));

	it = schema_item(items, "path");
	CHECK_INT(json_integer_value(json_object_get(it, "maxlen")), 1023);
	CHECK(json_object_get(it, "min") == NULL);
	CHECK(json_is_true(json_object_get(it, "create_only")));
	CHECK_STR(json_string_value(json_object_get(it, "own_field")),
	    "/path");

	it = schema_item(items, "allow.suser");
	CHECK(json_is_true(json_object_get(it, "default")));
	CHECK(json_is_false(json_object_get(it, "admin_only")));
	it = schema_item(items, "sysvmsg");
	CHECK_STR(json_string_value(json_object_get(it, "default")),
	    "disable");
	CHECK(json_object_get(it, "min") == NULL);
	it = schema_item(items, "dying");
	CHECK(json_is_true(json_object_get(it, "read_only")));
	it = schema_item(items, "persist");
	CHECK_CONTAINS(json_string_value(json_object_get(it, "description")),
	    "jaild keeps jails persistent itself");
	it = schema_item(items, "jid");
	CHECK_CONTAINS(json_string_value(json_object_get(it, "description")),
	    "jaild assigns the jid");
	json_decref(s);
}

/*
 * Out of memory at every allocation of the schema build: NULL and nothing
 * leaked (ASan's leak check), until enough memory gives the full document.
 */
static void
test_oom(void)
{
	json_t *ref, *s = NULL, *p;
	struct verrs e;
	long n;

	ref = catalog_schema_json();
	CHECK(ref != NULL);
	for (n = 0; n < 100000 && s == NULL; n++) {
		jd_alloc_fail_after(n);
		s = catalog_schema_json();
		jd_alloc_fail_after(-1);
	}
	CHECK(n > 1);
	CHECK(s != NULL && json_equal(s, ref));
	json_decref(s);
	json_decref(ref);

	/* Validation records the lost error instead of crashing. */
	p = load("{\"bogus\": 1, \"securelevel\": 9}");
	memset(&e, 0, sizeof(e));
	jd_alloc_fail_after(0);
	catalog_validate_params(p, "/params", &e);
	jd_alloc_fail_after(-1);
	CHECK_INT(e.n, 0);
	CHECK_INT(e.oom, 1);
	verrs_free(&e);
	json_decref(p);
}

int
main(void)
{
	jd_alloc_init();
	test_lookup();
	test_value_check();
	test_iplist_limit();
	test_validate();
	test_admin();
	test_text();
	test_schema();
	test_oom();
	return check_done();
}
