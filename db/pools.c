/*
 * pools.c - the ip_pools table and the CIDR arithmetic of allocation
 * (lowest free address of a network, skipping reserved, excluded and
 * used addresses).  See pools.h.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/alloc.h"
#include "db.h"
#include "pools.h"

/* ---- CIDR arithmetic ---- */

/* Host-bit mask byte i of a prefix. */
static unsigned char
mask_byte(int prefix, int i)
{
	int bits = prefix - 8 * i;

	if (bits >= 8)
		return 0xff;
	if (bits <= 0)
		return 0;
	return (unsigned char)(0xff << (8 - bits));
}

int
pool_net_parse(const char *s, int need_prefix, struct pool_net *out,
    char *msg, size_t msgsz)
{
	char addr[64], canon[INET6_ADDRSTRLEN];
	const char *slash;
	char *end;
	long prefix;
	size_t alen;
	int i, maxp;

	memset(out, 0, sizeof(*out));
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (alen == 0 || alen >= sizeof(addr)) {
		snprintf(msg, msgsz, "must be an IPv4 or IPv6 %s",
		    need_prefix ? "network with /prefix" : "address or network");
		return -1;
	}
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->af = AF_INET;
		out->len = 4;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->af = AF_INET6;
		out->len = 16;
	} else {
		snprintf(msg, msgsz, "\"%s\" is not an IPv4 or IPv6 address",
		    addr);
		return -1;
	}
	maxp = out->len * 8;
	prefix = maxp;
	if (slash == NULL && need_prefix) {
		snprintf(msg, msgsz, "needs a prefix length (ADDRESS/PREFIX)");
		return -1;
	}
	if (slash != NULL) {
		if (slash[1] < '0' || slash[1] > '9' ||
		    strlen(slash + 1) > 3) {
			snprintf(msg, msgsz, "the prefix must be 0 to %d",
			    maxp);
			return -1;
		}
		prefix = strtol(slash + 1, &end, 10);
		if (*end != '\0' || prefix < 0 || prefix > maxp) {
			snprintf(msg, msgsz, "the prefix must be 0 to %d",
			    maxp);
			return -1;
		}
	}
	out->prefix = (int)prefix;
	for (i = 0; i < out->len; i++)
		if ((out->addr[i] & ~mask_byte(out->prefix, i)) != 0) {
			unsigned char net[16];
			int j;

			for (j = 0; j < out->len; j++)
				net[j] = out->addr[j] & mask_byte(out->prefix,
				    j);
			inet_ntop(out->af, net, canon, sizeof(canon));
			snprintf(msg, msgsz, "the host bits must be zero "
			    "(the network is %s/%d)", canon, out->prefix);
			return -1;
		}
	return 0;
}

void
pool_net_format(const struct pool_net *n, int bare_host, char *out,
    size_t outsz)
{
	char canon[INET6_ADDRSTRLEN];

	inet_ntop(n->af, n->addr, canon, sizeof(canon));
	if (bare_host && n->prefix == n->len * 8)
		snprintf(out, outsz, "%s", canon);
	else
		snprintf(out, outsz, "%s/%d", canon, n->prefix);
}

int
pool_net_contains(const struct pool_net *outer, const struct pool_net *inner)
{
	int i;

	if (outer->af != inner->af || inner->prefix < outer->prefix)
		return 0;
	for (i = 0; i < outer->len; i++)
		if ((inner->addr[i] & mask_byte(outer->prefix, i)) !=
		    outer->addr[i])
			return 0;
	return 1;
}

/* The last address of n. */
static void
net_last(const struct pool_net *n, unsigned char out[16])
{
	int i;

	for (i = 0; i < n->len; i++)
		out[i] = n->addr[i] | (unsigned char)~mask_byte(n->prefix, i);
}

/* a += 1; returns 1 when it wrapped around. */
static int
addr_inc(unsigned char *a, int len)
{
	int i;

	for (i = len - 1; i >= 0; i--)
		if (++a[i] != 0)
			return 0;
	return 1;
}

/* a -= 1 (never called on zero). */
static void
addr_dec(unsigned char *a, int len)
{
	int i;

	for (i = len - 1; i >= 0; i--)
		if (a[i]-- != 0)
			return;
}

static int
addr_in(const struct pool_net *n, const unsigned char *a)
{
	int i;

	for (i = 0; i < n->len; i++)
		if ((a[i] & mask_byte(n->prefix, i)) != n->addr[i])
			return 0;
	return 1;
}

int
pool_net_next_free(const struct pool_net *net, const struct pool_net *excl,
    size_t nexcl, int (*used)(void *arg, const unsigned char *addr),
    void *arg, unsigned char out[16])
{
	static const unsigned char zero[16];
	unsigned char cur[16], last[16], end[16];
	size_t i;
	int len = net->len, moved, u;

	memcpy(cur, net->addr, 16);
	net_last(net, last);
	if (net->af == AF_INET && net->prefix < 31) {
		addr_inc(cur, len);		/* network address */
		addr_dec(last, len);		/* broadcast address */
	}
	for (;;) {
		if (memcmp(cur, last, (size_t)len) > 0)
			return 0;
		moved = 0;
		for (i = 0; i < nexcl; i++) {
			if (excl[i].af != net->af || !addr_in(&excl[i], cur))
				continue;
			/* Jump past the whole excluded network. */
			net_last(&excl[i], end);
			if (memcmp(end, last, (size_t)len) >= 0)
				return 0;
			memcpy(cur, end, 16);
			addr_inc(cur, len);
			moved = 1;
			break;
		}
		if (moved)
			continue;
		if (net->af == AF_INET6 && memcmp(cur, zero, 16) == 0) {
			if (addr_inc(cur, len))
				return 0;
			continue;
		}
		u = used(arg, cur);
		if (u == -1)
			return -1;
		if (u == 0) {
			memset(out, 0, 16);
			memcpy(out, cur, (size_t)len);
			return 1;
		}
		if (memcmp(cur, last, (size_t)len) == 0 || addr_inc(cur, len))
			return 0;
	}
}

/* ---- the table ---- */

void
pool_row_free(struct pool_row *p)
{
	if (p == NULL)
		return;
	jd_free(p->exclude);
	memset(p, 0, sizeof(*p));
}

static void
copy_col(char *dst, size_t sz, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(dst, sz, "%s", t ? (const char *)t : "");
}

static int
row_from(sqlite3_stmt *st, struct pool_row *p)
{
	const unsigned char *t;

	memset(p, 0, sizeof(*p));
	copy_col(p->name, sizeof(p->name), st, 0);
	copy_col(p->interface, sizeof(p->interface), st, 1);
	copy_col(p->cidr, sizeof(p->cidr), st, 2);
	t = sqlite3_column_text(st, 3);
	p->exclude = jd_strdup(t ? (const char *)t : "[]");
	copy_col(p->created_at, sizeof(p->created_at), st, 4);
	return p->exclude == NULL ? -1 : 0;
}

int
store_pool_get(sqlite3 *db, const char *name, struct pool_row *out,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc, found = 0;

	rc = db_prepare(db, "SELECT name, interface, cidr, exclude, "
	    "created_at FROM ip_pools WHERE name = ?", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "read IP pool");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (row_from(st, out) == -1) {
			db_finish(st);
			pool_row_free(out);
			return jd_error_set(err, JD_E_NOMEM, NULL,
			    "out of memory");
		}
		found = 1;
	} else if (rc != SQLITE_DONE) {
		db_finish(st);
		return db_error(db, rc, err, "read IP pool");
	}
	db_finish(st);
	return found;
}

int
store_pool_insert(sqlite3 *db, const struct pool_row *p,
    struct jd_error *err)
{
	struct pool_row cur;
	sqlite3_stmt *st = NULL;
	int rc;

	rc = store_pool_get(db, p->name, &cur, err);
	if (rc == -1)
		return -1;
	if (rc == 1) {
		pool_row_free(&cur);
		return jd_error_set(err, JD_E_CONFLICT, NULL, "an IP pool "
		    "named \"%s\" exists already", p->name);
	}
	rc = db_prepare(db, "INSERT INTO ip_pools (name, interface, cidr, "
	    "exclude, created_at) VALUES (?,?,?,?,?)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "store IP pool");
	sqlite3_bind_text(st, 1, p->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->interface, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->cidr, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->exclude ? p->exclude : "[]", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->created_at, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	db_finish(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, err, "store IP pool");
	return 0;
}

int
store_pool_delete(sqlite3 *db, const char *name, int *deleted,
    struct jd_error *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = db_prepare(db, "DELETE FROM ip_pools WHERE name = ?", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "delete IP pool");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	db_finish(st);
	if (rc != SQLITE_DONE)
		return db_error(db, rc, err, "delete IP pool");
	*deleted = sqlite3_changes(db) > 0;
	return 0;
}

int
store_pool_foreach(sqlite3 *db,
    int (*cb)(void *arg, const struct pool_row *p), void *arg,
    struct jd_error *err)
{
	struct pool_row p;
	sqlite3_stmt *st = NULL;
	int rc, stop = 0;

	rc = db_prepare(db, "SELECT name, interface, cidr, exclude, "
	    "created_at FROM ip_pools ORDER BY name", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return db_error(db, rc, err, "list IP pools");
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (row_from(st, &p) == -1) {
			pool_row_free(&p);
			db_finish(st);
			return jd_error_set(err, JD_E_NOMEM, NULL,
			    "out of memory");
		}
		stop = cb(arg, &p);
		pool_row_free(&p);
	}
	db_finish(st);
	if (!stop && rc != SQLITE_DONE)
		return db_error(db, rc, err, "list IP pools");
	return 0;
}

struct used_arg {
	sqlite3		*db;
	sqlite3_stmt	*st;
	int		 af;
	struct jd_error	*err;
};

static int
used_in_db(void *arg, const unsigned char *addr)
{
	struct used_arg *u = arg;
	char canon[INET6_ADDRSTRLEN];
	int rc;

	inet_ntop(u->af, addr, canon, sizeof(canon));
	sqlite3_reset(u->st);
	sqlite3_bind_text(u->st, 1, canon, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(u->st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	db_error(u->db, rc, u->err, "read addresses");
	return -1;
}

int
store_pool_allocate(sqlite3 *db, const struct pool_row *p, char *out,
    size_t outsz, struct jd_error *err)
{
	struct pool_net net, *excl = NULL;
	struct used_arg u;
	unsigned char a[16];
	char msg[160], canon[INET6_ADDRSTRLEN];
	json_t *ex, *e;
	size_t i, n = 0;
	int rc;

	if (pool_net_parse(p->cidr, 1, &net, msg, sizeof(msg)) == -1)
		return jd_error_set(err, JD_E_INTERNAL, NULL, "IP pool \"%s\" "
		    "has a bad network: %s", p->name, msg);
	ex = json_loads(p->exclude ? p->exclude : "[]", 0, NULL);
	if (ex == NULL || !json_is_array(ex)) {
		json_decref(ex);
		return jd_error_set(err, JD_E_INTERNAL, NULL, "IP pool \"%s\" "
		    "has a bad exclude list", p->name);
	}
	excl = jd_calloc(json_array_size(ex) + 1, sizeof(*excl));
	if (excl == NULL) {
		json_decref(ex);
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	}
	json_array_foreach(ex, i, e) {
		const char *s = json_string_value(e);

		if (s != NULL && pool_net_parse(s, 0, &excl[n], msg,
		    sizeof(msg)) == 0)
			n++;
	}
	json_decref(ex);
	memset(&u, 0, sizeof(u));
	u.db = db;
	u.af = net.af;
	u.err = err;
	rc = db_prepare(db, "SELECT 1 FROM jail_ips WHERE address = ?", -1,
	    &u.st, NULL);
	if (rc != SQLITE_OK) {
		jd_free(excl);
		return db_error(db, rc, err, "read addresses");
	}
	rc = pool_net_next_free(&net, excl, n, used_in_db, &u, a);
	db_finish(u.st);
	jd_free(excl);
	if (rc == 1) {
		inet_ntop(net.af, a, canon, sizeof(canon));
		snprintf(out, outsz, "%s/%d", canon, net.prefix);
	}
	return rc;
}
