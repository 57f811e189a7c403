/*
 * readers.c - the pool of reader connections, one per HTTP worker thread.
 *
 * Opened at start (opening WAL readers concurrently failed here with
 * "database is locked"); a thread claims one on its first request and
 * keeps it.  The pool is sized for every worker of every listener.
 */
#include <pthread.h>
#include <string.h>

#include "common/alloc.h"
#include "common/log.h"
#include "db/db.h"
#include "server.h"

struct readers {
	pthread_mutex_t	  lock;
	sqlite3		**conns;
	int		  n;
	int		  next;
};

static _Thread_local sqlite3 *thread_reader;

int
readers_open(const char *path, int n, struct readers **out,
    struct jd_error *err)
{
	struct readers *r;
	int i;

	r = jd_calloc(1, sizeof(*r));
	if (r == NULL || (r->conns = jd_calloc((size_t)n,
	    sizeof(*r->conns))) == NULL) {
		jd_free(r);
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	}
	pthread_mutex_init(&r->lock, NULL);
	for (i = 0; i < n; i++) {
		if (db_open(path, 0, &r->conns[i], err) == -1) {
			r->n = i;
			readers_close(r);
			return -1;
		}
	}
	r->n = n;
	*out = r;
	return 0;
}

sqlite3 *
readers_get(void *arg)
{
	struct readers *r = arg;

	if (thread_reader != NULL)
		return thread_reader;
	pthread_mutex_lock(&r->lock);
	if (r->next < r->n)
		thread_reader = r->conns[r->next++];
	else {
		/* More threads than planned: share the last one under SQLite's
		 * own serialization rather than fail. */
		log_warnx("readers: pool exhausted, sharing a connection");
		thread_reader = r->conns[r->n - 1];
	}
	pthread_mutex_unlock(&r->lock);
	return thread_reader;
}

void
readers_close(struct readers *r)
{
	int i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		db_close(r->conns[i]);
	jd_free(r->conns);
	pthread_mutex_destroy(&r->lock);
	jd_free(r);
}
