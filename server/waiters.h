/*
 * waiters.h - requests waiting for a jail to settle (?wait=, Prefer: wait).
 *
 * A waiting request holds no thread: its connection is suspended and an
 * entry here remembers what it waits for.  waiters_poke() (after every
 * commit) re-checks the entries; one thread fires those whose deadline
 * passed.  The callback runs on the poking or the timer thread, once.
 */
#ifndef JD_WAITERS_H
#define JD_WAITERS_H

#include <stdint.h>

struct waiters;

/* settled: 1 when the condition held, 0 when the time ran out. */
typedef void (*waiter_fn)(void *arg, int settled);
/* Whether the condition holds now (jail, generation, gone). */
typedef int (*waiter_check_fn)(void *ctx, const char *jail, int64_t gen,
    int gone);

struct waiters *waiters_new(waiter_check_fn check, void *check_ctx);
/* Register; fires at once if the condition already holds. */
int	waiters_add(struct waiters *ws, const char *jail, int64_t gen,
	    int gone, int64_t timeout_ms, waiter_fn fn, void *arg);
/* Re-check every entry (call after a commit). */
void	waiters_poke(struct waiters *ws);
/* Fire every entry now with settled = 0 (shutdown). */
void	waiters_flush(struct waiters *ws);
void	waiters_free(struct waiters *ws);
/* Entries still waiting. */
int	waiters_count(struct waiters *ws);

#endif
