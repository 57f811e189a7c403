/*
 * pools.h - IP pools: named networks that jaild hands addresses out of
 * (POST /v1/jails/{name}/ips with {"pool": ...}), and the CIDR arithmetic
 * that picks the lowest free address.
 *
 * A pool is {name, interface, cidr, exclude}: exclude lists addresses or
 * networks inside cidr that are never handed out.  Allocation skips the
 * network and broadcast addresses of IPv4 networks shorter than /31, every
 * excluded address and every address in jail_ips.  It reads jail_ips, so
 * run it in the writer's transaction together with the insert of the
 * chosen address: the writer serialises transactions, so two concurrent
 * allocations never pick the same address.
 *
 * Same conventions as store.h: the caller passes the connection, 0 / -1
 * with err, lookups 1 found / 0 not.  The pool_net functions are pure and
 * thread-safe.
 */
#ifndef JD_POOLS_H
#define JD_POOLS_H

#include <stddef.h>

#include <sqlite3.h>

#include "common/error.h"

/* An IPv4 or IPv6 network (a single address is a /32 or /128). */
struct pool_net {
	int		 af;		/* AF_INET or AF_INET6 */
	int		 len;		/* 4 or 16 bytes */
	int		 prefix;	/* 0..32 or 0..128 */
	unsigned char	 addr[16];	/* network address, big-endian */
};

/*
 * Parse "ADDR/PREFIX" (or a bare "ADDR" when need_prefix is 0, meaning
 * the full length) into out.  Host bits must be zero.  -1 with a sentence
 * in msg when the text is not such a network.
 */
int	pool_net_parse(const char *s, int need_prefix, struct pool_net *out,
	    char *msg, size_t msgsz);

/* Canonical text: "ADDR/PREFIX", or a bare "ADDR" when bare_host is set
 * and the prefix is the full length. */
void	pool_net_format(const struct pool_net *n, int bare_host, char *out,
	    size_t outsz);

/* Whether every address of inner lies in outer (same family). */
int	pool_net_contains(const struct pool_net *outer,
	    const struct pool_net *inner);

/*
 * The lowest address of net that is not reserved (network / broadcast of
 * an IPv4 network shorter than /31, the IPv6 unspecified address), not in
 * any of the nexcl networks excl, and for which used(arg, addr) is 0.
 * used returns 1 when taken, 0 when free, -1 on error.  Returns 1 with the
 * address in out (net->len bytes), 0 when the pool is full, -1 when used
 * failed.  Cost: one used() call per taken address before the answer.
 */
int	pool_net_next_free(const struct pool_net *net,
	    const struct pool_net *excl, size_t nexcl,
	    int (*used)(void *arg, const unsigned char *addr), void *arg,
	    unsigned char out[16]);

struct pool_row {
	char	 name[64];
	char	 interface[16];
	char	 cidr[64];		/* canonical "ADDR/PREFIX" */
	char	*exclude;		/* JSON array text of canonical
					   entries, owned */
	char	 created_at[32];
};

void	pool_row_free(struct pool_row *p);

/* Insert; a pool with that name already is JD_E_CONFLICT. */
int	store_pool_insert(sqlite3 *db, const struct pool_row *p,
	    struct jd_error *err);
/* 1 found (out filled, free with pool_row_free), 0 not found. */
int	store_pool_get(sqlite3 *db, const char *name, struct pool_row *out,
	    struct jd_error *err);
/* *deleted is 1 when a row went away. */
int	store_pool_delete(sqlite3 *db, const char *name, int *deleted,
	    struct jd_error *err);
/* Every pool in name order; a non-zero return of cb stops the walk. */
int	store_pool_foreach(sqlite3 *db,
	    int (*cb)(void *arg, const struct pool_row *p), void *arg,
	    struct jd_error *err);

/*
 * The lowest free address of pool p given the jail_ips table of db:
 * 1 with "ADDR/PREFIX" (the pool's prefix length) in out, 0 when the pool
 * is full, -1 with err.  Call it inside the transaction that stores the
 * address.
 */
int	store_pool_allocate(sqlite3 *db, const struct pool_row *p, char *out,
	    size_t outsz, struct jd_error *err);

#endif
