/*
 * store.h - jaild's tables: jails (with labels, addresses, dependencies),
 * events and idempotency keys.
 *
 * Every function takes the connection to use: the writer's inside its
 * transaction, or a reader's.  Strings in rows are owned by the row and
 * freed with jail_row_free.  Functions return 0 on success and -1 with err
 * filled; lookups return 1 when found and 0 when not.
 */
#ifndef JD_STORE_H
#define JD_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common/error.h"

struct jail_row {
	char	*name;
	char	*spec;			/* canonical desired part, JSON text */
	char	 state[16];		/* desired state, copied from spec */
	int64_t	 generation;
	int64_t	 resource_version;
	char	 created_at[32];
	char	 updated_at[32];
	char	 phase[16];
	int64_t	 jid;			/* 0 when none */
	int64_t	 observed_generation;
	char	*message;		/* NULL when none */
	char	 last_transition_at[32];	/* "" when never */
	char	*drift;			/* JSON array text */
	int	 deleting;
	int64_t	 restart_generation;	/* restart wanted at this gen */
	char	*applied_spec;		/* spec the live prison came from,
					   or NULL */
};

void	jail_row_free(struct jail_row *row);
/* Deep copy; -1 on out-of-memory. */
int	jail_row_copy(struct jail_row *dst, const struct jail_row *src);

int	store_jail_get(sqlite3 *db, const char *name, struct jail_row *out,
	    struct jd_error *err);
/* Insert (insert != 0) or replace every column of the row named row->name. */
int	store_jail_put(sqlite3 *db, const struct jail_row *row, int insert,
	    struct jd_error *err);
int	store_jail_delete(sqlite3 *db, const char *name, struct jd_error *err);
/* Number of rows. */
int	store_jail_count(sqlite3 *db, int64_t *n, struct jd_error *err);

/* Bump the global resource_version counter and return the new value. */
int	store_next_rv(sqlite3 *db, int64_t *rv, struct jd_error *err);

/* Replace the jail's labels with those of the JSON object labels. */
int	store_jail_set_labels(sqlite3 *db, const char *name,
	    const json_t *labels, struct jd_error *err);
/*
 * Replace the jail's addresses with those of the ips array (objects with an
 * "address" of the form ADDR/PREFIX).  An address another jail holds fails
 * with JD_E_CONFLICT, err->field "/ips/N" and a message naming the holder.
 */
int	store_jail_set_ips(sqlite3 *db, const char *name, const json_t *ips,
	    struct jd_error *err);
/*
 * Replace the jail's dependencies.  If they would close a cycle, fail with
 * JD_E_INVALID, field "/depends" and the cycle in the message.
 */
int	store_jail_set_depends(sqlite3 *db, const char *name,
	    const json_t *depends, struct jd_error *err);

struct jail_filter {
	const char	*state;		/* NULL: any */
	const char	*phase;
	size_t		 nlabels;
	const char	*label_keys[16];
	const char	*label_values[16];
	char *const	*names;		/* NULL-terminated allow-list, or NULL */
};

/*
 * Names of the jails matching f, ordered by name, after `after` (NULL or
 * "" for the start), at most limit.  cb is called per name; a non-zero
 * return stops the walk.
 */
int	store_jail_list(sqlite3 *db, const struct jail_filter *f,
	    const char *after, int limit,
	    int (*cb)(void *arg, const char *name), void *arg,
	    struct jd_error *err);

/* Every jail row in name order (for the render cache and the reconciler). */
int	store_jail_foreach(sqlite3 *db,
	    int (*cb)(void *arg, const struct jail_row *row), void *arg,
	    struct jd_error *err);

/* Events. */
int	store_event_add(sqlite3 *db, const char *jail, const char *type,
	    const char *message, int64_t generation, struct jd_error *err);
struct event_row {
	int64_t		 id;
	const char	*time;
	const char	*jail;
	const char	*type;
	const char	*message;	/* may be NULL */
	int64_t		 generation;	/* 0 when none */
};
int	store_event_list(sqlite3 *db, int64_t since, const char *jail,
	    int limit, int (*cb)(void *arg, const struct event_row *ev),
	    void *arg, struct jd_error *err);

/* Idempotency keys: the first answer to a POST, kept 24 h. */
struct idem_row {
	char	*request_hash;
	int	 status;
	char	*content_type;
	char	*body;
	char	*etag;
	char	*location;
};
void	idem_row_free(struct idem_row *r);
/* 1 found (and younger than max_age_s), 0 not found. */
int	store_idem_get(sqlite3 *db, const char *key, int64_t max_age_s,
	    struct idem_row *out, struct jd_error *err);
int	store_idem_put(sqlite3 *db, const char *key, const struct idem_row *r,
	    struct jd_error *err);
int	store_idem_purge(sqlite3 *db, int64_t max_age_s, struct jd_error *err);

#endif
