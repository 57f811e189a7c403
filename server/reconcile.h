/*
 * reconcile.h - the reconciler: desired state in SQLite becomes running
 * prisons, and drift is repaired (DESIGN.md section 4).
 *
 * One thread owns the host backend.  It wakes on every committed change
 * (reconciler_wake) and on the resync timer, compares each jail's stored
 * document with what the host reports, acts in jail(8)'s order through
 * prison/lifecycle.c, and writes status and events through the writer.
 * After every pass it publishes a snapshot of the host for /v1/host*.
 */
#ifndef JD_RECONCILE_H
#define JD_RECONCILE_H

#include <jansson.h>

#include "common/error.h"

struct server;
struct reconciler;

/* Open the configured host backend and start the thread. */
int	reconciler_start(struct server *srv, struct reconciler **out,
	    struct jd_error *err);
/* Ask for a pass soon.  Thread-safe, cheap. */
void	reconciler_wake(struct reconciler *r);
/* Stop between steps, join the thread, close the backend.  Jails keep
 * running. */
void	reconciler_stop(struct reconciler *r);

/* The last host snapshot (new reference) or NULL before the first pass:
 * {"os_release", "hostname", "prisons": [{name, jid, path, hostname,
 * dying, ips, params}]}.  Thread-safe. */
json_t	*reconciler_snapshot(void *r);
/* The desired part of a jail document for live prison name (adoption). */
int	reconciler_prison_doc(void *r, const char *name, json_t **doc,
	    int64_t *jid, struct jd_error *err);
/* Passes completed so far (tests, benchmarks). */
long	reconciler_passes(struct reconciler *r);

#endif
