/*
 * inflight.c - the Idempotency-Keys whose first request has not answered
 * yet.  A retry that arrives meanwhile gets a 409 instead of a second
 * attempt.  A small mutex-guarded list: keys are few and short-lived.
 */
#include <pthread.h>
#include <string.h>

#include "common/alloc.h"
#include "inflight.h"

struct idem_inflight {
	pthread_mutex_t	  lock;
	char		**keys;
	size_t		  n, cap;
};

struct idem_inflight *
inflight_new(void)
{
	struct idem_inflight *f;

	f = jd_calloc(1, sizeof(*f));
	if (f != NULL)
		pthread_mutex_init(&f->lock, NULL);
	return f;
}

void
inflight_free(struct idem_inflight *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++)
		jd_free(f->keys[i]);
	jd_free(f->keys);
	pthread_mutex_destroy(&f->lock);
	jd_free(f);
}

int
inflight_add(struct idem_inflight *f, const char *key)
{
	char **nk, *k;
	size_t i;
	int ret = -1;

	pthread_mutex_lock(&f->lock);
	for (i = 0; i < f->n; i++)
		if (strcmp(f->keys[i], key) == 0)
			goto done;
	if (f->n == f->cap) {
		nk = jd_realloc(f->keys, (f->cap ? f->cap * 2 : 16) *
		    sizeof(*nk));
		if (nk == NULL)
			goto done;
		f->keys = nk;
		f->cap = f->cap ? f->cap * 2 : 16;
	}
	if ((k = jd_strdup(key)) == NULL)
		goto done;
	f->keys[f->n++] = k;
	ret = 0;
done:
	pthread_mutex_unlock(&f->lock);
	return ret;
}

void
inflight_remove(struct idem_inflight *f, const char *key)
{
	size_t i;

	pthread_mutex_lock(&f->lock);
	for (i = 0; i < f->n; i++)
		if (strcmp(f->keys[i], key) == 0) {
			jd_free(f->keys[i]);
			f->keys[i] = f->keys[--f->n];
			break;
		}
	pthread_mutex_unlock(&f->lock);
}
