/*
 * cache.c - a chained hash table of immutable, reference-counted rendered
 * jail documents.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "cache.h"
#include "codec.h"

struct jail_cache {
	pthread_rwlock_t	  lock;
	struct cache_entry	**slots;
	size_t			  nslots;
	size_t			  count;
};

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

struct jail_cache *
cache_new(void)
{
	struct jail_cache *c;

	c = jd_calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->nslots = 1024;
	c->slots = jd_calloc(c->nslots, sizeof(*c->slots));
	if (c->slots == NULL) {
		jd_free(c);
		return NULL;
	}
	pthread_rwlock_init(&c->lock, NULL);
	return c;
}

static void
entry_unref(struct cache_entry *e)
{
	if (e == NULL)
		return;
	if (atomic_fetch_sub(&e->refs, 1) == 1) {
		jd_free(e->name);
		jd_free(e->json);
		jd_free(e);
	}
}

void
cache_release(struct cache_entry *e)
{
	entry_unref(e);
}

void
cache_free(struct jail_cache *c)
{
	struct cache_entry *e, *n;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nslots; i++)
		for (e = c->slots[i]; e != NULL; e = n) {
			n = e->next;
			entry_unref(e);
		}
	jd_free(c->slots);
	pthread_rwlock_destroy(&c->lock);
	jd_free(c);
}

/* Double the table when it gets crowded.  Called with the write lock. */
static void
grow(struct jail_cache *c)
{
	struct cache_entry **ns, *e, *n;
	size_t i, nn = c->nslots * 2, h;

	ns = jd_calloc(nn, sizeof(*ns));
	if (ns == NULL)
		return;		/* longer chains, still correct */
	for (i = 0; i < c->nslots; i++)
		for (e = c->slots[i]; e != NULL; e = n) {
			n = e->next;
			h = hash(e->name) & (nn - 1);
			e->next = ns[h];
			ns[h] = e;
		}
	jd_free(c->slots);
	c->slots = ns;
	c->nslots = nn;
}

int
cache_put(struct jail_cache *c, const struct jail_row *row)
{
	struct cache_entry *e, **pp;
	struct buf b = { 0 };

	e = jd_calloc(1, sizeof(*e));
	if (e == NULL)
		return -1;
	if (codec_jail_render(row, &b) == -1 ||
	    (e->name = jd_strdup(row->name)) == NULL) {
		buf_free(&b);
		jd_free(e);
		return -1;
	}
	e->json = buf_detach(&b, &e->len);
	atomic_init(&e->refs, 1);
	e->resource_version = row->resource_version;
	e->generation = row->generation;
	e->observed_generation = row->observed_generation;
	e->jid = row->jid;
	memcpy(e->phase, row->phase, sizeof(e->phase));
	memcpy(e->state, row->state, sizeof(e->state));
	e->deleting = row->deleting;

	pthread_rwlock_wrlock(&c->lock);
	if (c->count >= c->nslots)
		grow(c);
	for (pp = &c->slots[hash(row->name) & (c->nslots - 1)]; *pp != NULL;
	    pp = &(*pp)->next) {
		if (strcmp((*pp)->name, row->name) == 0) {
			struct cache_entry *old = *pp;
			e->next = old->next;
			*pp = e;
			pthread_rwlock_unlock(&c->lock);
			entry_unref(old);
			return 0;
		}
	}
	e->next = NULL;
	*pp = e;
	c->count++;
	pthread_rwlock_unlock(&c->lock);
	return 0;
}

void
cache_remove(struct jail_cache *c, const char *name)
{
	struct cache_entry **pp, *old = NULL;

	pthread_rwlock_wrlock(&c->lock);
	for (pp = &c->slots[hash(name) & (c->nslots - 1)]; *pp != NULL;
	    pp = &(*pp)->next) {
		if (strcmp((*pp)->name, name) == 0) {
			old = *pp;
			*pp = old->next;
			c->count--;
			break;
		}
	}
	pthread_rwlock_unlock(&c->lock);
	entry_unref(old);
}

struct cache_entry *
cache_get(struct jail_cache *c, const char *name)
{
	struct cache_entry *e;

	pthread_rwlock_rdlock(&c->lock);
	for (e = c->slots[hash(name) & (c->nslots - 1)]; e != NULL;
	    e = e->next) {
		if (strcmp(e->name, name) == 0) {
			atomic_fetch_add(&e->refs, 1);
			break;
		}
	}
	pthread_rwlock_unlock(&c->lock);
	return e;
}

size_t
cache_count(struct jail_cache *c)
{
	size_t n;

	pthread_rwlock_rdlock(&c->lock);
	n = c->count;
	pthread_rwlock_unlock(&c->lock);
	return n;
}

size_t
cache_count_phase(struct jail_cache *c, const char *phase)
{
	struct cache_entry *e;
	size_t i, n = 0;

	pthread_rwlock_rdlock(&c->lock);
	for (i = 0; i < c->nslots; i++)
		for (e = c->slots[i]; e != NULL; e = e->next)
			if (phase == NULL || strcmp(e->phase, phase) == 0)
				n++;
	pthread_rwlock_unlock(&c->lock);
	return n;
}
