/*
 * policies.h - the policies table (named sets of jail parameters and rctl
 * limits) and jail_policies, the index of which jails list which policy.
 *
 * A policy row keeps its canonical desired part as JSON text
 * ({"description", "params", "limits"}, validated by api/) and a
 * resource_version from the same counter as the jails.  jail_policies is
 * written with the jail's other satellites (store_jail_set_policies) and
 * references policies(name), so the database itself refuses to drop a
 * policy a jail still lists.
 *
 * Same conventions as store.h: the caller passes the connection, 0 / -1
 * with err, lookups 1 found / 0 not.
 */
#ifndef JD_POLICIES_H
#define JD_POLICIES_H

#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common/error.h"

struct policy_row {
	char	 name[64];
	char	*spec;			/* canonical JSON text, owned */
	int64_t	 resource_version;
	char	 created_at[32];
	char	 updated_at[32];
};

void	policy_row_free(struct policy_row *p);

/* 1 found (out filled, free with policy_row_free), 0 not found. */
int	store_policy_get(sqlite3 *db, const char *name, struct policy_row *out,
	    struct jd_error *err);
/* Insert (insert != 0; an existing name is JD_E_CONFLICT) or replace. */
int	store_policy_put(sqlite3 *db, const struct policy_row *p, int insert,
	    struct jd_error *err);
/* *deleted is 1 when a row went away. */
int	store_policy_delete(sqlite3 *db, const char *name, int *deleted,
	    struct jd_error *err);
/* Every policy in name order; a non-zero return of cb stops the walk. */
int	store_policy_foreach(sqlite3 *db,
	    int (*cb)(void *arg, const struct policy_row *p), void *arg,
	    struct jd_error *err);

/*
 * The jails listing policy name, in name order, as a JSON array of
 * strings (new reference in *out).
 */
int	store_policy_users(sqlite3 *db, const char *name, json_t **out,
	    struct jd_error *err);

/* Replace the jail's policy list with the names in the array policies. */
int	store_jail_set_policies(sqlite3 *db, const char *jail,
	    const json_t *policies, struct jd_error *err);

/*
 * The policies named in the array names, in that order, for the merge
 * (prison/policy.h): a new JSON array of {"name", "params", "limits"}
 * objects in *out.  A name with no row is skipped and, when missing is
 * not NULL, appended to *missing (a new array; may stay empty).
 */
int	store_policy_layers(sqlite3 *db, const json_t *names, json_t **out,
	    json_t **missing, struct jd_error *err);

#endif
