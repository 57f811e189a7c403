/*
 * cache.h - the rendered JSON of every jail, keyed by name.
 *
 * DESIGN.md section 7: a GET is a lookup and a conditional 304, not a query
 * plus a render.  Only the writer thread (and startup) puts or removes
 * entries, right after the commit that changed the row, so the cache never
 * holds a version older than the database's committed one.  Readers take a
 * counted reference that stays valid after the entry is replaced.
 * Thread-safe: a rwlock guards the table; entries are immutable.
 */
#ifndef JD_CACHE_H
#define JD_CACHE_H

#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>

#include "db/store.h"

struct jail_cache;

struct cache_entry {
	atomic_int	 refs;
	char		*name;
	char		*json;		/* the full jail document */
	size_t		 len;
	int64_t		 resource_version;
	int64_t		 generation;
	int64_t		 observed_generation;
	int64_t		 jid;
	char		 phase[16];
	char		 state[16];
	int		 deleting;
	struct cache_entry *next;	/* hash chain, under the table lock */
};

struct jail_cache *cache_new(void);
void	cache_free(struct jail_cache *c);

/* Render row and make it the entry for row->name.  -1 on out-of-memory. */
int	cache_put(struct jail_cache *c, const struct jail_row *row);
void	cache_remove(struct jail_cache *c, const char *name);

/* A counted reference, or NULL.  Release with cache_release. */
struct cache_entry *cache_get(struct jail_cache *c, const char *name);
void	cache_release(struct cache_entry *e);

size_t	cache_count(struct jail_cache *c);
/* Count entries whose phase is phase (NULL: all). */
size_t	cache_count_phase(struct jail_cache *c, const char *phase);

#endif
