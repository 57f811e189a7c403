/*
 * test_pools.c - the CIDR arithmetic of IP pools (db/pools.c): parsing
 * networks, containment, the lowest free address (reserved, excluded and
 * used addresses skipped), and the ip_pools table with allocation against
 * jail_ips.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/alloc.h"
#include "db/db.h"
#include "db/pools.h"
#include "tests/lib/check.h"

/* A set of used addresses, as text, for pool_net_next_free. */
struct used_set {
	const char *const	*addrs;
	int			 calls;
};

static int
used_cb(void *arg, const unsigned char *a)
{
	struct used_set *u = arg;
	unsigned char b[16];
	size_t i;

	u->calls++;
	for (i = 0; u->addrs != NULL && u->addrs[i] != NULL; i++) {
		memset(b, 0, sizeof(b));
		if (inet_pton(AF_INET, u->addrs[i], b) == 1) {
			if (memcmp(a, b, 4) == 0)
				return 1;
		} else if (inet_pton(AF_INET6, u->addrs[i], b) == 1 &&
		    memcmp(a, b, 16) == 0)
			return 1;
	}
	return 0;
}

static int
failing_cb(void *arg, const unsigned char *a)
{
	(void)arg;
	(void)a;
	return -1;
}

/* The next free address of cidr as text, "FULL" or "ERROR". */
static const char *
next(const char *cidr, const char *const *excl, const char *const *used)
{
	static char out[64];
	struct pool_net net, ex[8];
	struct used_set u = { used, 0 };
	unsigned char a[16];
	char msg[160];
	size_t n = 0;
	int rc;

	if (pool_net_parse(cidr, 1, &net, msg, sizeof(msg)) == -1)
		return "ERROR";
	while (excl != NULL && excl[n] != NULL) {
		if (pool_net_parse(excl[n], 0, &ex[n], msg, sizeof(msg)) == -1)
			return "ERROR";
		n++;
	}
	rc = pool_net_next_free(&net, ex, n, used_cb, &u, a);
	if (rc == 0)
		return "FULL";
	if (rc == -1)
		return "ERROR";
	inet_ntop(net.af, a, out, sizeof(out));
	return out;
}

static void
test_parse(void)
{
	struct pool_net n, m;
	char msg[160], out[80];

	CHECK_INT(pool_net_parse("10.0.0.0/24", 1, &n, msg, sizeof(msg)), 0);
	CHECK_INT(n.af, AF_INET);
	CHECK_INT(n.prefix, 24);
	pool_net_format(&n, 0, out, sizeof(out));
	CHECK_STR(out, "10.0.0.0/24");
	CHECK_INT(pool_net_parse("10.0.0.1/24", 1, &n, msg, sizeof(msg)), -1);
	CHECK_CONTAINS(msg, "host bits");
	CHECK_CONTAINS(msg, "10.0.0.0/24");
	CHECK_INT(pool_net_parse("10.0.0.0", 1, &n, msg, sizeof(msg)), -1);
	CHECK_INT(pool_net_parse("10.0.0.7", 0, &n, msg, sizeof(msg)), 0);
	CHECK_INT(n.prefix, 32);
	pool_net_format(&n, 1, out, sizeof(out));
	CHECK_STR(out, "10.0.0.7");
	pool_net_format(&n, 0, out, sizeof(out));
	CHECK_STR(out, "10.0.0.7/32");
	CHECK_INT(pool_net_parse("10.0.0.0/33", 1, &n, msg, sizeof(msg)), -1);
	CHECK_INT(pool_net_parse("10.0.0.0/", 1, &n, msg, sizeof(msg)), -1);
	CHECK_INT(pool_net_parse("10.0.0.0/2x", 1, &n, msg, sizeof(msg)), -1);
	CHECK_INT(pool_net_parse("lan/24", 1, &n, msg, sizeof(msg)), -1);
	CHECK_INT(pool_net_parse("", 0, &n, msg, sizeof(msg)), -1);
	CHECK_INT(pool_net_parse("fd00:0:0::/64", 1, &n, msg, sizeof(msg)), 0);
	CHECK_INT(n.af, AF_INET6);
	pool_net_format(&n, 0, out, sizeof(out));
	CHECK_STR(out, "fd00::/64");
	CHECK_INT(pool_net_parse("fd00::1/64", 1, &n, msg, sizeof(msg)), -1);
	CHECK_INT(pool_net_parse("fd00::/129", 1, &n, msg, sizeof(msg)), -1);
	CHECK_INT(pool_net_parse("0.0.0.0/0", 1, &n, msg, sizeof(msg)), 0);
	CHECK_INT(pool_net_parse("10.0.0.128/25", 1, &n, msg, sizeof(msg)),
	    0);

	/* Containment. */
	CHECK_INT(pool_net_parse("10.0.0.0/24", 1, &n, msg, sizeof(msg)), 0);
	CHECK_INT(pool_net_parse("10.0.0.16/28", 0, &m, msg, sizeof(msg)), 0);
	CHECK_INT(pool_net_contains(&n, &m), 1);
	CHECK_INT(pool_net_contains(&m, &n), 0);
	CHECK_INT(pool_net_parse("10.0.1.1", 0, &m, msg, sizeof(msg)), 0);
	CHECK_INT(pool_net_contains(&n, &m), 0);
	CHECK_INT(pool_net_parse("10.0.0.0/23", 0, &m, msg, sizeof(msg)), 0);
	CHECK_INT(pool_net_contains(&n, &m), 0);
	CHECK_INT(pool_net_parse("::ffff:10.0.0.1", 0, &m, msg, sizeof(msg)),
	    0);
	CHECK_INT(pool_net_contains(&n, &m), 0);
	CHECK_INT(pool_net_contains(&n, &n), 1);
}

static void
test_next_free(void)
{
	static const char *const used12[] = { "10.0.0.1", "10.0.0.2", NULL };
	static const char *const used_all[] = { "10.0.0.1", "10.0.0.2",
	    "10.0.0.3", "10.0.0.5", "10.0.0.6", NULL };
	static const char *const ex4[] = { "10.0.0.4/30", NULL };
	static const char *const ex1[] = { "10.0.0.1", "10.0.0.3", NULL };
	static const char *const used31[] = { "10.0.0.0", NULL };
	static const char *const used6[] = { "fd00::1", "fd00::2", NULL };
	static const char *const ex6[] = { "fd00::/126", NULL };
	struct pool_net net;
	unsigned char a[16];
	char msg[80];

	/* IPv4: network and broadcast are never handed out. */
	CHECK_STR(next("10.0.0.0/29", NULL, NULL), "10.0.0.1");
	CHECK_STR(next("10.0.0.0/29", NULL, used12), "10.0.0.3");
	CHECK_STR(next("10.0.0.0/29", ex1, NULL), "10.0.0.2");
	CHECK_STR(next("10.0.0.0/29", ex1, used12), "10.0.0.4");
	/* .4/30 covers .4-.7, .7 is the broadcast anyway: full. */
	CHECK_STR(next("10.0.0.0/29", ex4, used12), "10.0.0.3");
	CHECK_STR(next("10.0.0.0/29", ex4, used_all), "FULL");
	CHECK_STR(next("10.0.0.0/29", NULL, used_all), "10.0.0.4");
	CHECK_STR(next("10.0.0.0/30", NULL, used12), "FULL");
	/* /31 and /32 have no network or broadcast address. */
	CHECK_STR(next("10.0.0.0/31", NULL, NULL), "10.0.0.0");
	CHECK_STR(next("10.0.0.0/31", NULL, used31), "10.0.0.1");
	CHECK_STR(next("10.0.0.9/32", NULL, NULL), "10.0.0.9");
	/* The top of the address space does not wrap around. */
	CHECK_STR(next("255.255.255.254/31", NULL, NULL),
	    "255.255.255.254");
	/* IPv6: the subnet address counts, :: does not. */
	CHECK_STR(next("fd00::/64", NULL, NULL), "fd00::");
	CHECK_STR(next("fd00::/126", ex1, used6), "fd00::");
	CHECK_STR(next("fd00::/64", ex6, used6), "fd00::4");
	CHECK_STR(next("::/127", NULL, NULL), "::1");
	CHECK_STR(next("fd00::/127", ex6, NULL), "FULL");
	CHECK_STR(next("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127", NULL,
	    NULL), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
	/* An error from the used callback comes back. */
	CHECK_INT(pool_net_parse("10.0.0.0/24", 1, &net, msg, sizeof(msg)),
	    0);
	CHECK_INT(pool_net_next_free(&net, NULL, 0, failing_cb, NULL, a), -1);
}

static void
exec_ok(sqlite3 *db, const char *sql)
{
	struct jd_error err;

	CHECK_INT(db_exec(db, sql, &err), 0);
}

static int
count_cb(void *arg, const struct pool_row *p)
{
	(void)p;
	(*(int *)arg)++;
	return 0;
}

static void
test_table(void)
{
	char dir[] = "/tmp/jd_pools_XXXXXX", path[96], out[80];
	struct pool_row p, q;
	struct jd_error err;
	sqlite3 *db = NULL;
	int deleted = 0, n = 0;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/jaild.db", dir);
	CHECK_INT(db_open(path, 1, &db, &err), 0);
	CHECK_INT(db_migrate(db, &err), 0);

	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "lan");
	snprintf(p.interface, sizeof(p.interface), "em0");
	snprintf(p.cidr, sizeof(p.cidr), "192.0.2.0/28");
	p.exclude = jd_strdup("[\"192.0.2.1\",\"192.0.2.4/31\"]");
	snprintf(p.created_at, sizeof(p.created_at), "2026-11-22T10:00:00Z");
	CHECK_INT(store_pool_insert(db, &p, &err), 0);
	CHECK_INT(store_pool_insert(db, &p, &err), -1);
	CHECK_INT(err.code, JD_E_CONFLICT);
	CHECK_CONTAINS(err.message, "lan");
	CHECK_INT(store_pool_get(db, "lan", &q, &err), 1);
	CHECK_STR(q.cidr, "192.0.2.0/28");
	CHECK_STR(q.interface, "em0");
	CHECK_STR(q.exclude, "[\"192.0.2.1\",\"192.0.2.4/31\"]");
	pool_row_free(&q);
	CHECK_INT(store_pool_get(db, "wan", &q, &err), 0);
	CHECK_INT(store_pool_foreach(db, count_cb, &n, &err), 0);
	CHECK_INT(n, 1);

	/* Allocation reads jail_ips. */
	CHECK_INT(store_pool_allocate(db, &p, out, sizeof(out), &err), 1);
	CHECK_STR(out, "192.0.2.2/28");
	exec_ok(db, "INSERT INTO jails (name, spec, state, generation, "
	    "resource_version, created_at, updated_at) VALUES ('a', '{}', "
	    "'stopped', 1, 1, 'x', 'x')");
	exec_ok(db, "INSERT INTO jail_ips VALUES ('192.0.2.2', 'a'), "
	    "('192.0.2.3', 'a'), ('192.0.2.6', 'a')");
	CHECK_INT(store_pool_allocate(db, &p, out, sizeof(out), &err), 1);
	CHECK_STR(out, "192.0.2.7/28");
	exec_ok(db, "INSERT INTO jail_ips VALUES ('192.0.2.7', 'a'), "
	    "('192.0.2.8', 'a'), ('192.0.2.9', 'a'), ('192.0.2.10', 'a'), "
	    "('192.0.2.11', 'a'), ('192.0.2.12', 'a'), ('192.0.2.13', 'a')");
	CHECK_INT(store_pool_allocate(db, &p, out, sizeof(out), &err), 1);
	CHECK_STR(out, "192.0.2.14/28");
	exec_ok(db, "INSERT INTO jail_ips VALUES ('192.0.2.14', 'a')");
	CHECK_INT(store_pool_allocate(db, &p, out, sizeof(out), &err), 0);

	CHECK_INT(store_pool_delete(db, "lan", &deleted, &err), 0);
	CHECK_INT(deleted, 1);
	CHECK_INT(store_pool_delete(db, "lan", &deleted, &err), 0);
	CHECK_INT(deleted, 0);
	pool_row_free(&p);
	db_close(db);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK_INT(system(path), 0);
}

int
main(void)
{
	jd_alloc_init();
	test_parse();
	test_next_free();
	test_table();
	return check_done();
}
