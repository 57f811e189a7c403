/*
 * waiters.c - the wait registry and its deadline thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/timeutil.h"
#include "waiters.h"

struct waiter {
	char		 jail[64];
	int64_t		 gen;
	int		 gone;
	int64_t		 deadline;	/* monotonic ms */
	waiter_fn	 fn;
	void		*arg;
	struct waiter	*next;
};

struct waiters {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	pthread_t	 thread;
	struct waiter	*list;
	int		 count;
	int		 stopping;
	int		 poked;
	waiter_check_fn	 check;
	void		*check_ctx;
};

/*
 * Detach every entry that is settled (or expired, or all when flush) into
 * a private list.  Called with the lock held.
 */
static struct waiter *
collect(struct waiters *ws, int flush, int64_t now, struct waiter **expired)
{
	struct waiter **pp, *w, *done = NULL;

	*expired = NULL;
	for (pp = &ws->list; (w = *pp) != NULL;) {
		if (!flush && ws->check(ws->check_ctx, w->jail, w->gen,
		    w->gone)) {
			*pp = w->next;
			w->next = done;
			done = w;
			ws->count--;
		} else if (flush || now >= w->deadline) {
			*pp = w->next;
			w->next = *expired;
			*expired = w;
			ws->count--;
		} else
			pp = &w->next;
	}
	return done;
}

static void
fire(struct waiter *list, int settled)
{
	struct waiter *w, *n;

	for (w = list; w != NULL; w = n) {
		n = w->next;
		w->fn(w->arg, settled);
		jd_free(w);
	}
}

static void *
timer_main(void *arg)
{
	struct waiters *ws = arg;
	struct waiter *done, *expired, *w;
	struct timespec ts;
	int64_t now, next;

	pthread_mutex_lock(&ws->lock);
	while (!ws->stopping) {
		now = time_mono_ms();
		done = collect(ws, 0, now, &expired);
		ws->poked = 0;
		next = now + 1000;
		for (w = ws->list; w != NULL; w = w->next)
			if (w->deadline < next)
				next = w->deadline;
		if (done != NULL || expired != NULL) {
			pthread_mutex_unlock(&ws->lock);
			fire(done, 1);
			fire(expired, 0);
			pthread_mutex_lock(&ws->lock);
			continue;
		}
		if (ws->poked)
			continue;
		clock_gettime(CLOCK_REALTIME, &ts);
		next -= now;
		ts.tv_sec += next / 1000;
		ts.tv_nsec += (next % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&ws->cond, &ws->lock, &ts);
	}
	pthread_mutex_unlock(&ws->lock);
	return NULL;
}

struct waiters *
waiters_new(waiter_check_fn check, void *check_ctx)
{
	struct waiters *ws;

	ws = jd_calloc(1, sizeof(*ws));
	if (ws == NULL)
		return NULL;
	ws->check = check;
	ws->check_ctx = check_ctx;
	pthread_mutex_init(&ws->lock, NULL);
	pthread_cond_init(&ws->cond, NULL);
	if (pthread_create(&ws->thread, NULL, timer_main, ws) != 0) {
		jd_free(ws);
		return NULL;
	}
	return ws;
}

int
waiters_add(struct waiters *ws, const char *jail, int64_t gen, int gone,
    int64_t timeout_ms, waiter_fn fn, void *arg)
{
	struct waiter *w;

	w = jd_calloc(1, sizeof(*w));
	if (w == NULL)
		return -1;
	snprintf(w->jail, sizeof(w->jail), "%s", jail);
	w->gen = gen;
	w->gone = gone;
	w->deadline = time_mono_ms() + timeout_ms;
	w->fn = fn;
	w->arg = arg;
	pthread_mutex_lock(&ws->lock);
	w->next = ws->list;
	ws->list = w;
	ws->count++;
	ws->poked = 1;
	pthread_cond_signal(&ws->cond);
	pthread_mutex_unlock(&ws->lock);
	return 0;
}

void
waiters_poke(struct waiters *ws)
{
	pthread_mutex_lock(&ws->lock);
	ws->poked = 1;
	pthread_cond_signal(&ws->cond);
	pthread_mutex_unlock(&ws->lock);
}

void
waiters_flush(struct waiters *ws)
{
	struct waiter *expired;

	pthread_mutex_lock(&ws->lock);
	(void)collect(ws, 1, 0, &expired);
	pthread_mutex_unlock(&ws->lock);
	fire(expired, 0);
}

int
waiters_count(struct waiters *ws)
{
	int n;

	pthread_mutex_lock(&ws->lock);
	n = ws->count;
	pthread_mutex_unlock(&ws->lock);
	return n;
}

void
waiters_free(struct waiters *ws)
{
	if (ws == NULL)
		return;
	pthread_mutex_lock(&ws->lock);
	ws->stopping = 1;
	pthread_cond_signal(&ws->cond);
	pthread_mutex_unlock(&ws->lock);
	pthread_join(ws->thread, NULL);
	waiters_flush(ws);
	pthread_mutex_destroy(&ws->lock);
	pthread_cond_destroy(&ws->cond);
	jd_free(ws);
}
