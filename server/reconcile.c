/*
 * reconcile.c - the reconciler thread.
 *
 * A pass reads every jail row and what the host reports (prisons, mounts,
 * aliases), then walks the jails in sweeps until nothing more can move:
 * starts wait for their dependencies to run, stops of jails that stop
 * together go dependents first.  Each action is a lifecycle sequence over
 * the host backend; before creating a prison the reconciler commits the
 * phase "creating", so a jaild killed mid-create recognises the prison as
 * its own after restart instead of calling it unmanaged.  Failures are per
 * jail, with exponential backoff; the other jails go on.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/cache.h"
#include "api/jails_op.h"
#include "common/alloc.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/timeutil.h"
#include "db/db.h"
#include "db/policies.h"
#include "db/store.h"
#include "prison/catalog.h"
#include "prison/diff.h"
#include "prison/host.h"
#include "prison/lifecycle.h"
#include "prison/policy.h"
#include "prison/spec.h"
#include "reconcile.h"
#include "server.h"
#include "waiters.h"
#include "writer.h"

#define BACKOFF_MIN_MS	1000
#define BACKOFF_MAX_MS	60000
#define NEEDS_RESTART_MSG "a create-only setting changed; restart the jail " \
	"to apply it (restart_policy is manual)"

struct backoff {
	char		 name[64];
	int		 failures;
	int64_t		 next_ms;
	int64_t		 generation;	/* reset when the spec changes */
};

struct reconciler {
	struct server	*srv;
	struct host	*host;
	sqlite3		*db;		/* own reader connection */
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 wake;
	atomic_int	 stopping;
	atomic_long	 passes;

	struct backoff	*backoff;
	size_t		 nbackoff, capbackoff;

	struct spec_cache *cache;	/* sorted by name */
	size_t		 ncache;
	/* the policies the cache was built against: their count and newest
	 * version (versions only grow, so any change moves one of them) */
	int		 pol_known;
	size_t		 pol_n;
	int64_t		 pol_max_rv;
	int		 acted;		/* this pass changed the host */

	/* set_status_w's writes in flight (not waited for one by one) */
	pthread_mutex_t	 pend_lock;
	pthread_cond_t	 pend_cond;
	int		 pending;

	pthread_mutex_t	 snap_lock;
	json_t		*snapshot;	/* built on demand from the lists */
	struct host_info snap_info;
	int		 have_snap;
	struct host_prison_list snap_prisons;
	struct host_mount_list	snap_mounts;
	struct host_addr_list	snap_addrs;
};

/* ---- status writes ---- */

struct status_op {
	struct api_write	 base;
	char			 name[64];
	int64_t			 acted_generation;
	char			 phase[16];
	int64_t			 jid;
	char			*message;
	char			*drift;		/* JSON text or NULL: [] */
	char			 event[32];	/* "" for none */
	char			*event_msg;
	int			 delete_row;
	int			 set_applied;	/* store applied (may be NULL) */
	char			*applied;
	struct api_response	 resp;		/* async: the writer's answer */
	/* results */
	int			 gone;
	struct jail_row		 row;
	int			 have_row;
	struct server		*srv;
};

static int
status_run(struct api_write *w, sqlite3 *db, struct api_response *resp)
{
	struct status_op *op = (struct status_op *)w;
	struct jail_row *r = &op->row;
	struct jd_error err;
	int found, changed;

	jd_error_clear(&err);
	found = store_jail_get(db, op->name, r, &err);
	if (found == -1)
		goto fail;
	if (found == 0) {
		op->gone = 1;
		resp->status = 204;	/* tells set_status the row is gone */
		return 0;
	}
	if (op->delete_row) {
		if (store_jail_delete(db, op->name, &err) == -1 ||
		    store_event_add(db, op->name, "deleted", op->event_msg,
		    r->generation, &err) == -1)
			goto fail;
		resp->status = 200;
		return 0;
	}
	if (op->set_applied && ((r->applied_spec == NULL) !=
	    (op->applied == NULL) || (op->applied != NULL &&
	    strcmp(r->applied_spec, op->applied) != 0))) {
		jd_free(r->applied_spec);
		r->applied_spec = op->applied ? jd_strdup(op->applied) : NULL;
		if (op->applied != NULL && r->applied_spec == NULL) {
			jd_error_set(&err, JD_E_NOMEM, NULL, "out of memory");
			goto fail;
		}
		if (store_jail_put(db, r, 0, &err) == -1)
			goto fail;
	}
	changed = strcmp(r->phase, op->phase) != 0 || r->jid != op->jid ||
	    r->observed_generation != op->acted_generation ||
	    (r->message == NULL) != (op->message == NULL) ||
	    (r->message && strcmp(r->message, op->message) != 0) ||
	    strcmp(r->drift ? r->drift : "[]", op->drift ? op->drift : "[]")
	    != 0;
	if (changed) {
		if (strcmp(r->phase, op->phase) != 0)
			time_now_rfc3339(r->last_transition_at,
			    sizeof(r->last_transition_at));
		if (!r->deleting)
			snprintf(r->phase, sizeof(r->phase), "%s", op->phase);
		r->jid = op->jid;
		r->observed_generation = op->acted_generation;
		jd_free(r->message);
		r->message = op->message ? jd_strdup(op->message) : NULL;
		jd_free(r->drift);
		r->drift = jd_strdup(op->drift ? op->drift : "[]");
		if (r->drift == NULL || (op->message && r->message == NULL)) {
			jd_error_set(&err, JD_E_NOMEM, NULL, "out of memory");
			goto fail;
		}
		if (store_next_rv(db, &r->resource_version, &err) == -1 ||
		    store_jail_put(db, r, 0, &err) == -1)
			goto fail;
		op->have_row = 1;
	}
	if (op->event[0] != '\0' && store_event_add(db, op->name, op->event,
	    op->event_msg, op->acted_generation, &err) == -1)
		goto fail;
	resp->status = 200;
	return 0;
fail:
	log_warnx("jail %s: status write: %s", op->name, err.message);
	resp->status = 503;
	return -1;
}

static void
status_done(struct api_write *w, int committed)
{
	struct status_op *op = (struct status_op *)w;

	if (!committed)
		return;
	if (op->delete_row && !op->gone)
		cache_remove(op->srv->api.cache, op->name);
	else if (op->have_row)
		cache_put(op->srv->api.cache, &op->row);
	waiters_poke(op->srv->waiters);
}

static void
status_free(struct api_write *w)
{
	struct status_op *op = (struct status_op *)w;

	jd_free(op->message);
	jd_free(op->drift);
	jd_free(op->event_msg);
	jd_free(op->applied);
	jail_row_free(&op->row);
	jd_free(op);
}

static struct status_op *
status_op_new(struct reconciler *r, const char *name, int64_t gen,
    const char *phase, int64_t jid, const char *message, const char *drift,
    const char *event, const char *event_msg, int delete_row,
    int set_applied, const char *applied)
{
	struct status_op *op;

	op = jd_calloc(1, sizeof(*op));
	if (op == NULL)
		return NULL;
	op->base.run = status_run;
	op->base.done = status_done;
	op->base.free = status_free;
	op->base.ctx = &r->srv->api;
	op->srv = r->srv;
	snprintf(op->name, sizeof(op->name), "%s", name);
	op->acted_generation = gen;
	snprintf(op->phase, sizeof(op->phase), "%s", phase ? phase : "");
	op->jid = jid;
	op->message = message ? jd_strdup(message) : NULL;
	op->drift = drift ? jd_strdup(drift) : NULL;
	snprintf(op->event, sizeof(op->event), "%s", event ? event : "");
	op->event_msg = event_msg ? jd_strdup(event_msg) : NULL;
	op->delete_row = delete_row;
	op->set_applied = set_applied;
	op->applied = applied ? jd_strdup(applied) : NULL;
	return op;
}

/*
 * Record what the reconciler saw or did for jail name at generation gen.
 * Returns 1 when the row no longer exists, 0 when written, -1 on failure.
 */
static int
set_status_full(struct reconciler *r, const char *name, int64_t gen,
    const char *phase, int64_t jid, const char *message, const char *drift,
    const char *event, const char *event_msg, int delete_row,
    int set_applied, const char *applied)
{
	struct status_op *op;
	struct api_response resp;
	int rc;

	op = status_op_new(r, name, gen, phase, jid, message, drift, event,
	    event_msg, delete_row, set_applied, applied);
	if (op == NULL)
		return -1;
	memset(&resp, 0, sizeof(resp));
	/* The op is freed by the writer; a 204 says the row was gone. */
	rc = writer_run_sync(r->srv->writer, &op->base, &resp);
	if (rc == 0 && resp.status == 204)
		rc = 1;
	api_response_free(&resp);
	return rc;
}

static int
set_status(struct reconciler *r, const char *name, int64_t gen,
    const char *phase, int64_t jid, const char *message, const char *drift,
    const char *event, const char *event_msg, int delete_row)
{
	return set_status_full(r, name, gen, phase, jid, message, drift, event,
	    event_msg, delete_row, 0, NULL);
}

static void
status_async_complete(void *arg, struct api_response *resp)
{
	struct reconciler *r = arg;

	api_response_free(resp);
	pthread_mutex_lock(&r->pend_lock);
	r->pending--;
	pthread_cond_broadcast(&r->pend_cond);
	pthread_mutex_unlock(&r->pend_lock);
}

/* Wait for every set_status_w write of this pass to be committed. */
static void
status_drain(struct reconciler *r)
{
	pthread_mutex_lock(&r->pend_lock);
	while (r->pending > 0)
		pthread_cond_wait(&r->pend_cond, &r->pend_lock);
	pthread_mutex_unlock(&r->pend_lock);
}

/*
 * set_status for a jail of this pass that records what was seen, after no
 * host action (or after a failed one): skipped when it would change
 * nothing, so a no-change resync pass costs no transaction, and otherwise
 * queued without waiting, so the writer commits a pass's many such writes
 * (10,000 jails observing a policy change) in a few groups instead of one
 * fsync each.  The writer runs jobs in order, so a later write for the
 * same jail lands after it; the pass waits for all of them at its end
 * (status_drain).
 */
static void
set_status_w(struct reconciler *r, const struct jail_row *row, int64_t gen,
    const char *phase, int64_t jid, const char *message, const char *drift,
    const char *event, const char *event_msg)
{
	struct status_op *op;

	if (event == NULL && strcmp(row->phase, phase) == 0 &&
	    row->jid == jid && row->observed_generation == gen &&
	    (row->message == NULL) == (message == NULL) &&
	    (message == NULL || strcmp(row->message, message) == 0) &&
	    strcmp(row->drift ? row->drift : "[]", drift ? drift : "[]") == 0)
		return;
	op = status_op_new(r, row->name, gen, phase, jid, message, drift,
	    event, event_msg, 0, 0, NULL);
	if (op == NULL)
		return;		/* the next pass tries again */
	pthread_mutex_lock(&r->pend_lock);
	r->pending++;
	pthread_mutex_unlock(&r->pend_lock);
	writer_submit(r->srv->writer, &op->base, &op->resp,
	    status_async_complete, r);
}

/* ---- backoff ---- */

static struct backoff *
backoff_get(struct reconciler *r, const char *name, int create)
{
	struct backoff *nb;
	size_t i;

	for (i = 0; i < r->nbackoff; i++)
		if (strcmp(r->backoff[i].name, name) == 0)
			return &r->backoff[i];
	if (!create)
		return NULL;
	if (r->nbackoff == r->capbackoff) {
		nb = jd_realloc(r->backoff, (r->capbackoff ? r->capbackoff * 2 :
		    16) * sizeof(*nb));
		if (nb == NULL)
			return NULL;
		r->backoff = nb;
		r->capbackoff = r->capbackoff ? r->capbackoff * 2 : 16;
	}
	memset(&r->backoff[r->nbackoff], 0, sizeof(*nb));
	snprintf(r->backoff[r->nbackoff].name, 64, "%s", name);
	return &r->backoff[r->nbackoff++];
}

static void
backoff_clear(struct reconciler *r, const char *name)
{
	struct backoff *b = backoff_get(r, name, 0);

	if (b != NULL)
		*b = r->backoff[--r->nbackoff];
}

/* Whether jail name may be tried now at generation gen. */
static int
backoff_allows(struct reconciler *r, const char *name, int64_t gen)
{
	struct backoff *b = backoff_get(r, name, 0);

	if (b == NULL)
		return 1;
	if (b->generation != gen) {
		backoff_clear(r, name);
		return 1;
	}
	return time_mono_ms() >= b->next_ms;
}

static void
backoff_fail(struct reconciler *r, const char *name, int64_t gen)
{
	struct backoff *b = backoff_get(r, name, 1);
	int64_t delay;
	int i;

	if (b == NULL)
		return;
	if (b->generation != gen) {
		b->failures = 0;
		b->generation = gen;
	}
	b->failures++;
	delay = BACKOFF_MIN_MS;
	for (i = 1; i < b->failures && delay < BACKOFF_MAX_MS; i++)
		delay *= 2;
	if (delay > BACKOFF_MAX_MS)
		delay = BACKOFF_MAX_MS;
	b->next_ms = time_mono_ms() + delay;
}

/* ---- one pass ---- */

/*
 * Parsed documents kept from pass to pass, sorted by name: a no-change
 * resync re-parses nothing (with 10,000 jails parsing and freeing was most
 * of a pass).
 */
struct spec_cache {
	char			*name;
	char			*text;		/* the spec it was parsed from */
	char			*pkey;		/* its policies' names and
						   versions ("" for none) */
	json_t			*json;		/* the effective document */
	char			*eff_text;	/* its text when policies were
						   merged, else NULL (text) */
	struct prison_spec	 spec;
	int			 ok;
	char			 err[JD_ERR_MSG_MAX];
	char			*old_text;	/* applied_spec, or NULL */
	struct prison_spec	 old;
	int			 old_ok;
};

struct jail_work {
	struct jail_row		 row;
	json_t			*spec_json;	/* borrowed from the cache */
	const char		*applied_text;	/* the effective document as
						   text (borrowed) */
	struct prison_spec	 spec;		/* shallow copy of the cache's
						   unless spec_owned */
	int			 spec_owned;
	int			 spec_ok;
	char			 spec_err[JD_ERR_MSG_MAX];
	struct prison_spec	 old;		/* what the prison came from
						   (borrowed) */
	int			 old_ok;
	int			 live_path;	/* spec uses the running path */
	char			*desired_path;
	const struct host_prison *prison;	/* live, by name */
	int			 owned;
	int			 done;		/* settled this pass */
	int			 running;	/* observed running now */
};

/* A policy as this pass read it. */
struct pass_policy {
	char		 name[64];
	int64_t		 resource_version;
	json_t		*layer;		/* {"name", "params", "limits"} */
};

struct pass {
	struct jail_work	*w;
	size_t			 n, cap;
	struct pass_policy	*pol;		/* sorted by name */
	size_t			 npol, cappol;
	int			 pol_same;	/* policies as the last pass
						   saw them */
	struct host_strings	 rules;		/* rctl rules of jails */
	int			 have_rules;
	const struct host_prison **byname;	/* live prisons by name */
	size_t			 nbyname;
	struct host_prison_list	 prisons;
	struct host_mount_list	 mounts;
	struct host_addr_list	 addrs;
};

static int
load_cb(void *arg, const struct jail_row *row)
{
	struct pass *p = arg;
	struct jail_work *nw;

	if (p->n == p->cap) {
		nw = jd_realloc(p->w, (p->cap ? p->cap * 2 : 64) * sizeof(*nw));
		if (nw == NULL)
			return -1;
		p->w = nw;
		p->cap = p->cap ? p->cap * 2 : 64;
	}
	memset(&p->w[p->n], 0, sizeof(p->w[0]));
	if (jail_row_copy(&p->w[p->n].row, row) == -1)
		return -1;
	p->n++;
	return 0;
}

static void
pass_free(struct pass *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		jail_row_free(&p->w[i].row);
		if (p->w[i].spec_owned)
			prison_spec_free(&p->w[i].spec);
		jd_free(p->w[i].desired_path);
	}
	jd_free(p->w);
	for (i = 0; i < p->npol; i++)
		json_decref(p->pol[i].layer);
	jd_free(p->pol);
	host_strings_free(&p->rules);
	jd_free(p->byname);
	host_prison_list_free(&p->prisons);
	host_mount_list_free(&p->mounts);
	host_addr_list_free(&p->addrs);
	memset(p, 0, sizeof(*p));
}

static int
work_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct jail_work *)elem)->row.name);
}

/* Rows come in name order (ORDER BY name, byte-wise like strcmp). */
static struct jail_work *
find_work(struct pass *p, const char *name)
{
	return bsearch(name, p->w, p->n, sizeof(p->w[0]), work_cmp);
}

static int
prison_ptr_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct host_prison *const *)a)->name,
	    (*(const struct host_prison *const *)b)->name);
}

static int
prison_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct host_prison *const *)elem)->name);
}

/* Index the live (not dying) prisons by name. */
static int
index_prisons(struct pass *p)
{
	size_t i;

	p->byname = jd_calloc(p->prisons.n ? p->prisons.n : 1,
	    sizeof(*p->byname));
	if (p->byname == NULL)
		return -1;
	for (i = 0; i < p->prisons.n; i++)
		if (!p->prisons.v[i].dying)
			p->byname[p->nbyname++] = &p->prisons.v[i];
	qsort(p->byname, p->nbyname, sizeof(*p->byname), prison_ptr_cmp);
	return 0;
}

static const struct host_prison *
find_prison_indexed(const struct pass *p, const char *name)
{
	const struct host_prison *const *hit;

	hit = bsearch(name, p->byname, p->nbyname, sizeof(*p->byname),
	    prison_key_cmp);
	return hit ? *hit : NULL;
}

static const struct host_prison *
find_prison(const struct host_prison_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!l->v[i].dying && strcmp(l->v[i].name, name) == 0)
			return &l->v[i];
	return NULL;
}

static char *
drift_text(const struct prison_drift_list *d, int only_restart)
{
	struct prison_drift_list sub = { 0 };
	json_t *j;
	char *s;
	size_t i;

	if (only_restart) {
		/* a shallow view of the needs_restart items */
		sub.v = jd_calloc(d->n ? d->n : 1, sizeof(*sub.v));
		if (sub.v == NULL)
			return NULL;
		for (i = 0; i < d->n; i++)
			if (d->v[i].needs_restart)
				sub.v[sub.n++] = d->v[i];
		j = prison_drift_json(&sub);
		jd_free(sub.v);
	} else
		j = prison_drift_json(d);
	s = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return s;
}

static char *
drift_fields(const struct prison_drift_list *d)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < d->n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", d->v[i].field);
	return buf_detach(&b, NULL);
}

/* Start jail w: intent, clean leftovers, create. */
static void
do_start(struct reconciler *r, struct jail_work *w, const char *why_event)
{
	struct jd_error err;
	int jid = 0;
	char msg[JD_ERR_MSG_MAX + 64];

	if (set_status(r, w->row.name, w->row.observed_generation, "creating",
	    0, NULL, NULL, NULL, NULL, 0) != 0)
		return;		/* failed, or the row was deleted meanwhile */
	jd_error_clear(&err);
	r->acted = 1;
	if (lifecycle_create(r->host, &w->spec, &jid, &err) == -1) {
		snprintf(msg, sizeof(msg), "start failed: %s", err.message);
		log_warnx("jail %s: %s", w->row.name, msg);
		backoff_fail(r, w->row.name, w->row.generation);
		set_status(r, w->row.name, w->row.generation, "failed", 0, msg,
		    NULL, "failed", msg, 0);
		return;
	}
	backoff_clear(r, w->row.name);
	w->running = 1;
	log_info("jail %s: %s (jid %d)", w->row.name, why_event, jid);
	set_status_full(r, w->row.name, w->row.generation, "running", jid,
	    NULL, NULL, why_event, NULL, 0, 1, w->applied_text);
}

/* Stop jail w (whose prison is live).  Returns 0 when it is gone. */
static int
do_stop(struct reconciler *r, struct jail_work *w, const char *phase_after,
    const char *event)
{
	struct jd_error err;
	char msg[JD_ERR_MSG_MAX + 64];
	int jid = w->prison->jid;

	set_status(r, w->row.name, w->row.observed_generation, "stopping",
	    jid, NULL, NULL, NULL, NULL, 0);
	jd_error_clear(&err);
	r->acted = 1;
	if (lifecycle_stop(r->host, w->old_ok ? &w->old : &w->spec, w->prison,
	    &err) == -1) {
		snprintf(msg, sizeof(msg), "stop failed: %s", err.message);
		log_warnx("jail %s: %s", w->row.name, msg);
		backoff_fail(r, w->row.name, w->row.generation);
		set_status(r, w->row.name, w->row.generation, "failed", jid,
		    msg, NULL, "failed", msg, 0);
		return -1;
	}
	w->running = 0;
	if (phase_after != NULL) {
		log_info("jail %s: %s", w->row.name, event);
		set_status_full(r, w->row.name, w->row.generation,
		    phase_after, 0, NULL, NULL, event, NULL, 0, 1, NULL);
	}
	return 0;
}

/*
 * The prison is gone; undo what it was made from (unmounts, aliases, the
 * poststop and release hooks), like jail -C.  0 when clean.
 */
static int
do_cleanup(struct reconciler *r, struct jail_work *w)
{
	struct jd_error err;
	char msg[JD_ERR_MSG_MAX + 64];

	jd_error_clear(&err);
	r->acted = 1;
	if (lifecycle_stop(r->host, &w->old, NULL, &err) == -1) {
		snprintf(msg, sizeof(msg), "clean-up failed: %s", err.message);
		log_warnx("jail %s: %s", w->row.name, msg);
		backoff_fail(r, w->row.name, w->row.generation);
		set_status_w(r, &w->row, w->row.generation, "failed", 0, msg,
		    NULL, strcmp(w->row.phase, "failed") ? "failed" : NULL,
		    msg);
		return -1;
	}
	backoff_clear(r, w->row.name);
	return 0;
}

/* Names of w's dependencies that are not running yet, or "" if none. */
static void
deps_waiting(struct pass *p, struct jail_work *w, char *out, size_t outsz)
{
	struct jail_work *d;
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < w->spec.ndepends; i++) {
		d = find_work(p, w->spec.depends[i]);
		if (d != NULL && d->running && !d->row.deleting)
			continue;
		n += (size_t)snprintf(out + n, n < outsz ? outsz - n : 0,
		    "%s%s%s", n ? ", " : "", w->spec.depends[i],
		    d == NULL ? " (not defined)" : "");
	}
}

/* Whether a live jail that is also stopping this pass depends on w. */
static int
dependents_running(struct pass *p, struct jail_work *w)
{
	struct jail_work *o;
	size_t i, j;

	for (i = 0; i < p->n; i++) {
		o = &p->w[i];
		if (o == w || !o->running || !o->spec_ok)
			continue;
		if (o->spec.want_running && !o->row.deleting)
			continue;
		for (j = 0; j < o->spec.ndepends; j++)
			if (strcmp(o->spec.depends[j], w->row.name) == 0)
				return 1;
	}
	return 0;
}

/* The document's path differs from the running prison's, and only a
 * manual restart will apply it. */
static int
path_pending(const struct jail_work *w)
{
	return w->prison != NULL && w->prison->path != NULL &&
	    !w->spec.restart_auto && !w->live_path &&
	    w->row.restart_generation <= w->row.observed_generation &&
	    strcmp(w->prison->path, w->spec.path) != 0;
}

/* Rebuild w->spec with the running prison's path (see check_running). */
static int
live_spec(struct jail_work *w)
{
	struct prison_spec ls;
	struct jd_error err;
	json_t *doc;
	int rc;

	doc = json_deep_copy(w->spec_json);
	if (doc == NULL)
		return -1;
	json_object_set_new(doc, "path", json_string(w->prison->path));
	rc = prison_spec_from_json(doc, &ls, &err);
	json_decref(doc);
	if (rc == -1)
		return -1;
	w->desired_path = jd_strdup(w->spec.path);
	if (w->desired_path == NULL) {
		prison_spec_free(&ls);
		return -1;
	}
	if (w->spec_owned)
		prison_spec_free(&w->spec);
	w->spec = ls;
	w->spec_owned = 1;
	w->live_path = 1;
	return 0;
}

static int
drift_add_path(struct prison_drift_list *d, const struct jail_work *w)
{
	struct prison_drift *nv;

	if (d->n == d->cap) {
		nv = jd_realloc(d->v, (d->cap ? d->cap * 2 : 4) * sizeof(*nv));
		if (nv == NULL)
			return -1;
		d->v = nv;
		d->cap = d->cap ? d->cap * 2 : 4;
	}
	memset(&d->v[d->n], 0, sizeof(d->v[0]));
	snprintf(d->v[d->n].field, sizeof(d->v[0].field), "/path");
	d->v[d->n].desired = json_string(w->desired_path);
	d->v[d->n].observed = json_string(w->prison->path);
	d->v[d->n].needs_restart = 1;
	d->n++;
	return 0;
}

/* Handle one running, owned jail that should keep running. */
static void
check_running(struct reconciler *r, struct pass *p, struct jail_work *w)
{
	struct prison_drift_list d = { 0 };
	struct jd_error err;
	char *dt = NULL, *fields = NULL;
	char msg[JD_ERR_MSG_MAX + 128];
	int spec_changed = w->row.generation > w->row.observed_generation;
	int restart_wanted = w->row.restart_generation >
	    w->row.observed_generation;
	int jid = w->prison->jid;

	jd_error_clear(&err);
	/*
	 * A new path waiting for a manual restart: compare (and repair)
	 * against the running path, so mounts are looked for where the
	 * prison really is, and report the path itself as needs_restart.
	 */
	if (path_pending(w) && live_spec(w) == -1)
		return;
	if (prison_diff(&w->spec, w->prison, &p->mounts, &p->addrs, &d,
	    &err) == -1 || prison_diff_limits(&w->spec, p->have_rules ?
	    &p->rules : NULL, &d, &err) == -1) {
		prison_drift_list_free(&d);
		return;
	}
	if (w->live_path && drift_add_path(&d, w) == -1) {
		prison_drift_list_free(&d);
		return;
	}
	if (restart_wanted || (prison_drift_needs_restart(&d) &&
	    w->spec.restart_auto)) {
		if (!backoff_allows(r, w->row.name, w->row.generation))
			goto done;
		if (do_stop(r, w, NULL, NULL) == 0) {
			w->prison = NULL;
			do_start(r, w, "restarted");
		}
		goto done;
	}
	{
		/* What can be fixed live is fixed now. */
		size_t fixable = 0, i;
		for (i = 0; i < d.n; i++)
			fixable += !d.v[i].needs_restart;
		/*
		 * A new document can also take things away (a mount, an
		 * alias) without any drift showing: what the old document
		 * had and the new one lacks is removed by the update.
		 */
		if (fixable > 0 || (spec_changed && w->old_ok &&
		    !w->live_path)) {
			if (!backoff_allows(r, w->row.name, w->row.generation))
				goto done;
			fields = d.n > 0 ? drift_fields(&d) :
			    jd_strdup("the document's changes");
			r->acted = 1;
			if ((spec_changed ? lifecycle_update(r->host, &w->spec,
			    w->old_ok ? &w->old : NULL, w->prison, NULL, 0,
			    &err) : lifecycle_repair(r->host, &w->spec,
			    w->prison, NULL, 0, &err)) == -1) {
				snprintf(msg, sizeof(msg), "%s failed: %s",
				    spec_changed ? "update" : "repair",
				    err.message);
				log_warnx("jail %s: %s", w->row.name, msg);
				backoff_fail(r, w->row.name,
				    w->row.generation);
				dt = drift_text(&d, 0);
				set_status(r, w->row.name, w->row.generation,
				    "failed", jid, msg, dt, "failed", msg, 0);
				goto done;
			}
			backoff_clear(r, w->row.name);
			snprintf(msg, sizeof(msg), "%s: %s", spec_changed ?
			    "applied in place" : "repaired out-of-band change",
			    fields);
			log_info("jail %s: %s", w->row.name, msg);
			dt = drift_text(&d, 1);
			set_status_full(r, w->row.name, w->row.generation,
			    "running", jid, prison_drift_needs_restart(&d) ?
			    NEEDS_RESTART_MSG : NULL, dt, spec_changed ?
			    "updated" : "drift_repaired", msg, 0,
			    !w->live_path, w->applied_text);
			goto done;
		}
	}
	dt = drift_text(&d, 1);
	set_status_w(r, &w->row, w->row.generation, "running", jid,
	    prison_drift_needs_restart(&d) ? NEEDS_RESTART_MSG : NULL,
	    dt, spec_changed && d.n == 0 ? "updated" : NULL, NULL);
done:
	jd_free(dt);
	jd_free(fields);
	prison_drift_list_free(&d);
}

/*
 * One step for jail w.  Returns 1 when it made progress (so another sweep
 * may unblock others), 0 when it is settled or blocked.
 */
static int
step(struct reconciler *r, struct pass *p, struct jail_work *w)
{
	char waiting[512], msg[700];
	const char *phase = w->row.phase;

	if (w->done)
		return 0;
	if (!w->spec_ok) {
		w->done = 1;
		snprintf(msg, sizeof(msg), "cannot use the stored document: %s",
		    w->spec_err);
		set_status_w(r, &w->row, w->row.generation, "failed", 0, msg,
		    NULL, strcmp(phase, "failed") ? "failed" : NULL, msg);
		return 0;
	}

	/* Deleted: tear down first, then the row goes. */
	if (w->row.deleting) {
		if (w->prison != NULL && w->owned) {
			if (dependents_running(p, w))
				return 0;
			if (do_stop(r, w, NULL, NULL) == -1) {
				w->done = 1;
				return 0;
			}
		} else if (w->old_ok && do_cleanup(r, w) == -1) {
			w->done = 1;
			return 0;
		}
		w->done = 1;
		log_info("jail %s: deleted", w->row.name);
		set_status(r, w->row.name, w->row.generation, NULL, 0, NULL,
		    NULL, NULL, "torn down and removed", 1);
		return 1;
	}

	/* A prison of that name that is not ours: hands off. */
	if (w->prison != NULL && !w->owned) {
		w->done = 1;
		snprintf(msg, sizeof(msg), "a prison named \"%s\" (jid %d) "
		    "exists that jaild does not manage; adopt it with POST "
		    "/v1/host/prisons/%s/adopt or remove it", w->row.name,
		    w->prison->jid, w->row.name);
		set_status_w(r, &w->row, w->row.generation,
		    w->spec.want_running ? "failed" : "stopped", 0, msg, NULL,
		    strcmp(phase, "failed") != 0 && w->spec.want_running ?
		    "failed" : NULL, msg);
		return 0;
	}

	if (w->spec.want_running) {
		if (w->prison != NULL) {
			w->done = 1;
			check_running(r, p, w);
			return 0;
		}
		deps_waiting(p, w, waiting, sizeof(waiting));
		if (waiting[0] != '\0') {
			snprintf(msg, sizeof(msg), "waiting for dependencies: "
			    "%s", waiting);
			set_status_w(r, &w->row, w->row.observed_generation,
			    "pending", 0, msg, NULL, NULL, NULL);
			return 0;
		}
		w->done = 1;
		if (!backoff_allows(r, w->row.name, w->row.generation))
			return 0;
		/* It ran before at this generation: it vanished behind our
		 * back. */
		if (w->row.jid > 0 && strcmp(phase, "running") == 0 &&
		    w->row.observed_generation == w->row.generation)
			do_start(r, w, "drift_repaired");
		else
			do_start(r, w, "started");
		return 1;
	}

	/* Wanted stopped. */
	if (w->prison != NULL) {
		if (dependents_running(p, w))
			return 0;
		w->done = 1;
		if (!backoff_allows(r, w->row.name, w->row.generation))
			return 0;
		do_stop(r, w, "stopped", "stopped");
		return 1;
	}
	w->done = 1;
	/* Gone, but what it was made from may have left mounts or aliases
	 * behind (a failed teardown, a jail -r by hand): clean up first. */
	if (w->old_ok) {
		if (!backoff_allows(r, w->row.name, w->row.generation))
			return 0;
		if (do_cleanup(r, w) == -1)
			return 0;
		set_status_full(r, w->row.name, w->row.generation, "stopped",
		    0, NULL, NULL, NULL, NULL, 0, 1, NULL);
		return 1;
	}
	set_status_w(r, &w->row, w->row.generation, "stopped", 0, NULL,
	    NULL, NULL, NULL);
	return 0;
}

/*
 * The /v1/host snapshot from the lists the last pass read; built on the
 * first request after a pass (snap_lock held), not by every pass.
 */
static json_t *
snapshot_build(struct reconciler *r)
{
	const struct host_prison_list *pl = &r->snap_prisons;
	json_t *prisons, *o, *ips, *params, *v;
	const struct param_def *def;
	const struct host_prison *hp;
	const char *a, *e;
	size_t i, j;

	prisons = json_array();
	for (i = 0; i < pl->n; i++) {
		hp = &pl->v[i];
		ips = json_array();
		params = json_object();
		for (j = 0; j < hp->params.n; j++) {
			const struct host_param *kp = &hp->params.v[j];
			if (strcmp(kp->name, "ip4.addr") == 0 ||
			    strcmp(kp->name, "ip6.addr") == 0) {
				for (a = kp->value; *a != '\0'; a = e) {
					e = a + strcspn(a, ",");
					if (e > a)
						json_array_append_new(ips,
						    json_stringn(a,
						    (size_t)(e - a)));
					if (*e == ',')
						e++;
				}
				continue;
			}
			def = catalog_lookup(kp->name);
			v = def ? catalog_value_from_text(def, kp->value) :
			    NULL;
			json_object_set_new(params, kp->name, v ? v :
			    json_string(kp->value));
		}
		o = json_pack("{s:s, s:i, s:s, s:s, s:b, s:o, s:o}",
		    "name", hp->name, "jid", hp->jid, "path",
		    hp->path ? hp->path : "", "hostname",
		    hp->hostname ? hp->hostname : "", "dying", hp->dying,
		    "ips", ips, "params", params);
		json_array_append_new(prisons, o);
	}
	return json_pack("{s:s, s:s, s:o}", "os_release",
	    r->snap_info.os_release, "hostname", r->snap_info.hostname,
	    "prisons", prisons);
}

static void
cache_entry_free(struct spec_cache *c)
{
	jd_free(c->name);
	jd_free(c->text);
	jd_free(c->pkey);
	json_decref(c->json);
	jd_free(c->eff_text);
	if (c->ok)
		prison_spec_free(&c->spec);
	jd_free(c->old_text);
	if (c->old_ok)
		prison_spec_free(&c->old);
	memset(c, 0, sizeof(*c));
}

static int
policy_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct pass_policy *)elem)->name);
}

static const struct pass_policy *
find_policy(const struct pass *p, const char *name)
{
	if (name == NULL || p->npol == 0)
		return NULL;
	return bsearch(name, p->pol, p->npol, sizeof(p->pol[0]), policy_cmp);
}

/*
 * The key of doc's policies as this pass sees them: "name@version," for
 * each ("name@-," for one that is gone), "" for none.  A cached entry
 * whose key differs is rebuilt, so a changed policy reaches the spec.
 */
static char *
policy_key(const struct pass *p, const json_t *doc)
{
	const struct pass_policy *pp;
	struct buf b = { 0 };
	const json_t *n;
	size_t i;

	json_array_foreach(json_object_get(doc, "policies"), i, n) {
		pp = find_policy(p, json_string_value(n));
		if (pp != NULL)
			buf_printf(&b, "%s@%lld,", pp->name,
			    (long long)pp->resource_version);
		else
			buf_printf(&b, "%s@-,", json_string_value(n));
	}
	if (b.data == NULL)
		return jd_strdup("");
	return buf_detach(&b, NULL);
}

/* doc with its policies merged (new reference), or NULL on OOM. */
static json_t *
effective_of(const struct pass *p, json_t *doc)
{
	const struct pass_policy *pp;
	json_t *layers, *eff, *n;
	size_t i;

	if ((layers = json_array()) == NULL)
		return NULL;
	json_array_foreach(json_object_get(doc, "policies"), i, n)
		if ((pp = find_policy(p, json_string_value(n))) != NULL &&
		    json_array_append(layers, pp->layer) == -1) {
			json_decref(layers);
			return NULL;
		}
	eff = policy_effective_doc(doc, layers);
	json_decref(layers);
	return eff;
}

static void
cache_entry_build(struct spec_cache *c, const struct pass *p,
    const struct jail_row *row)
{
	struct jd_error err;
	json_t *o, *eff;

	memset(c, 0, sizeof(*c));
	jd_error_clear(&err);
	c->name = jd_strdup(row->name);
	c->text = jd_strdup(row->spec);
	c->json = json_loads(row->spec, 0, NULL);
	if (c->json != NULL)
		c->pkey = policy_key(p, c->json);
	if (c->json != NULL && c->pkey != NULL && c->pkey[0] != '\0') {
		/* Policies: the prison comes from the merged document, and
		 * that is what is recorded as applied. */
		eff = effective_of(p, c->json);
		json_decref(c->json);
		c->json = eff;
		if (eff != NULL && (c->eff_text = json_dumps(eff,
		    JSON_COMPACT)) == NULL) {
			json_decref(c->json);
			c->json = NULL;
		}
	}
	if (c->name == NULL || c->text == NULL || c->json == NULL ||
	    c->pkey == NULL ||
	    prison_spec_from_json(c->json, &c->spec, &err) == -1)
		snprintf(c->err, sizeof(c->err), "%s", err.message[0] ?
		    err.message : "out of memory");
	else
		c->ok = 1;
	if (row->applied_spec != NULL) {
		c->old_text = jd_strdup(row->applied_spec);
		o = json_loads(row->applied_spec, 0, NULL);
		if (o != NULL && c->old_text != NULL &&
		    prison_spec_from_json(o, &c->old, &err) == 0)
			c->old_ok = 1;
		json_decref(o);
	}
}

static int
same_text(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Whether cached entry c still fits row under this pass's policies. */
static int
cache_entry_fits(const struct pass *p, const struct spec_cache *c,
    const struct jail_row *row)
{
	char *key;
	int same;

	if (!same_text(c->text, row->spec) ||
	    !same_text(c->old_text, row->applied_spec))
		return 0;
	if (c->pkey == NULL || c->pkey[0] == '\0' || p->pol_same)
		return 1;	/* no policies, or none changed */
	if (c->json == NULL || (key = policy_key(p, c->json)) == NULL)
		return 0;
	same = strcmp(key, c->pkey) == 0;
	jd_free(key);
	return same;
}

/*
 * Bring the parsed-spec cache in line with this pass's rows (both sorted by
 * name) and point every jail_work at its entry.
 */
static int
cache_refresh(struct reconciler *r, struct pass *p)
{
	struct spec_cache *nc;
	int64_t max_rv;
	size_t i, j = 0;

	nc = jd_calloc(p->n ? p->n : 1, sizeof(*nc));
	if (nc == NULL)
		return -1;
	max_rv = 0;
	for (i = 0; i < p->npol; i++)
		if (p->pol[i].resource_version > max_rv)
			max_rv = p->pol[i].resource_version;
	p->pol_same = r->pol_known && r->pol_n == p->npol &&
	    r->pol_max_rv == max_rv;
	for (i = 0; i < p->n; i++) {
		const struct jail_row *row = &p->w[i].row;
		while (j < r->ncache && strcmp(r->cache[j].name, row->name) < 0)
			cache_entry_free(&r->cache[j++]);
		if (j < r->ncache && strcmp(r->cache[j].name, row->name) == 0 &&
		    cache_entry_fits(p, &r->cache[j], row)) {
			nc[i] = r->cache[j];
			memset(&r->cache[j++], 0, sizeof(nc[i]));
		} else {
			if (j < r->ncache &&
			    strcmp(r->cache[j].name, row->name) == 0)
				cache_entry_free(&r->cache[j++]);
			cache_entry_build(&nc[i], p, row);
		}
	}
	for (; j < r->ncache; j++)
		cache_entry_free(&r->cache[j]);
	jd_free(r->cache);
	r->cache = nc;
	r->ncache = p->n;
	r->pol_known = 1;
	r->pol_n = p->npol;
	r->pol_max_rv = max_rv;
	for (i = 0; i < p->n; i++) {
		struct jail_work *w = &p->w[i];
		w->spec_json = nc[i].json;
		w->applied_text = nc[i].eff_text ? nc[i].eff_text :
		    w->row.spec;
		w->spec_ok = nc[i].ok;
		if (nc[i].ok)
			w->spec = nc[i].spec;
		else
			snprintf(w->spec_err, sizeof(w->spec_err), "%s",
			    nc[i].err);
		w->old_ok = nc[i].old_ok;
		if (nc[i].old_ok)
			w->old = nc[i].old;
	}
	return 0;
}

static int
policy_load_cb(void *arg, const struct policy_row *row)
{
	struct pass *p = arg;
	struct pass_policy *np;
	json_t *layer;

	if (p->npol == p->cappol) {
		np = jd_realloc(p->pol, (p->cappol ? p->cappol * 2 : 16) *
		    sizeof(*np));
		if (np == NULL)
			return -1;
		p->pol = np;
		p->cappol = p->cappol ? p->cappol * 2 : 16;
	}
	layer = json_loads(row->spec, 0, NULL);
	if (layer == NULL || json_object_set_new(layer, "name",
	    json_string(row->name)) == -1) {
		json_decref(layer);
		return -1;
	}
	np = &p->pol[p->npol++];
	snprintf(np->name, sizeof(np->name), "%s", row->name);
	np->resource_version = row->resource_version;
	np->layer = layer;
	return 0;
}

/*
 * Whether this pass needs the host's rctl rules: some jail's spec, or the
 * spec its prison came from, has limits.  Hosts without RACCT never get
 * an rctl call while no jail uses limits.
 */
static int
pass_needs_rules(const struct pass *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if ((p->w[i].spec_ok && p->w[i].spec.nlimits > 0) ||
		    (p->w[i].old_ok && p->w[i].old.nlimits > 0))
			return 1;
	return 0;
}

static void
pass_run(struct reconciler *r)
{
	struct pass p;
	struct jd_error err;
	struct jail_work *w;
	struct host_info info;
	size_t i, n;
	int progress, sweeps;
	int64_t t0;

	memset(&p, 0, sizeof(p));
	jd_error_clear(&err);
	r->acted = 0;
	t0 = time_mono_ms();
	/* One read transaction: the jails and the policies they list agree. */
	if (db_exec(r->db, "BEGIN", &err) == -1) {
		log_warnx("reconcile: read jails: %s", err.message);
		goto out;
	}
	if (store_jail_foreach(r->db, load_cb, &p, &err) == -1 ||
	    store_policy_foreach(r->db, policy_load_cb, &p, &err) == -1) {
		db_exec(r->db, "ROLLBACK", NULL);
		log_warnx("reconcile: read jails: %s", err.message[0] ?
		    err.message : "out of memory");
		goto out;
	}
	db_exec(r->db, "COMMIT", NULL);
	if (host_prison_list(r->host, 1, &p.prisons, &err) == -1 ||
	    host_mount_list(r->host, &p.mounts, &err) == -1 ||
	    host_addr_list(r->host, &p.addrs, &err) == -1) {
		log_warnx("reconcile: read host: %s", err.message);
		goto out;
	}
	if (cache_refresh(r, &p) == -1 || index_prisons(&p) == -1) {
		log_warnx("reconcile: out of memory");
		goto out;
	}
	if (pass_needs_rules(&p)) {
		if (host_rctl_list(r->host, "jail:", &p.rules, &err) == 0)
			p.have_rules = 1;
		else
			log_debug("reconcile: rctl rules: %s", err.message);
	}
	for (i = 0; i < p.n; i++) {
		w = &p.w[i];
		w->prison = find_prison_indexed(&p, w->row.name);
		w->owned = w->prison != NULL &&
		    jail_owns_prison(w->row.jid, w->row.phase, w->prison->jid);
		w->running = w->prison != NULL && w->owned;
	}
	/* Sweep until nothing moves: dependencies unblock dependents. */
	for (sweeps = 0, progress = 1; progress && sweeps <= (int)p.n + 1 &&
	    !atomic_load(&r->stopping); sweeps++) {
		progress = 0;
		for (i = 0; i < p.n && !atomic_load(&r->stopping); i++)
			progress |= step(r, &p, &p.w[i]);
	}
	status_drain(r);
	/* After acting, read the host again for /v1/host*; otherwise what
	 * this pass read is still true. */
	if (r->acted) {
		host_prison_list_free(&p.prisons);
		host_mount_list_free(&p.mounts);
		host_addr_list_free(&p.addrs);
		if (host_prison_list(r->host, 1, &p.prisons, &err) == -1 ||
		    host_mount_list(r->host, &p.mounts, &err) == -1 ||
		    host_addr_list(r->host, &p.addrs, &err) == -1)
			goto out;
	}
	memset(&info, 0, sizeof(info));
	if (host_info(r->host, &info, &err) == -1)
		snprintf(info.os_release, sizeof(info.os_release), "unknown");
	pthread_mutex_lock(&r->snap_lock);
	json_decref(r->snapshot);
	r->snapshot = NULL;
	r->snap_info = info;
	host_prison_list_free(&r->snap_prisons);
	host_mount_list_free(&r->snap_mounts);
	host_addr_list_free(&r->snap_addrs);
	r->snap_prisons = p.prisons;
	r->snap_mounts = p.mounts;
	r->snap_addrs = p.addrs;
	r->have_snap = 1;
	memset(&p.prisons, 0, sizeof(p.prisons));
	memset(&p.mounts, 0, sizeof(p.mounts));
	memset(&p.addrs, 0, sizeof(p.addrs));
	pthread_mutex_unlock(&r->snap_lock);
out:
	n = p.n;
	pass_free(&p);
	atomic_fetch_add(&r->passes, 1);
	log_debug("reconcile: pass over %zu jails took %lld ms%s", n,
	    (long long)(time_mono_ms() - t0), r->acted ? " (acted)" : "");
}

/* Idempotency keys expire after 24 h: drop them once an hour. */
static int
purge_run(struct api_write *w, sqlite3 *db, struct api_response *resp)
{
	struct jd_error err;

	(void)w;
	resp->status = 200;
	if (store_idem_purge(db, 24 * 3600, &err) == -1) {
		log_warnx("purge idempotency keys: %s", err.message);
		return -1;
	}
	return 0;
}

static void
purge_done(struct api_write *w, int committed)
{
	(void)w;
	(void)committed;
}

static void
purge_free(struct api_write *w)
{
	jd_free(w);
}

static void
purge_idempotency(struct reconciler *r)
{
	struct api_write *w;
	struct api_response resp;

	w = jd_calloc(1, sizeof(*w));
	if (w == NULL)
		return;
	w->run = purge_run;
	w->done = purge_done;
	w->free = purge_free;
	memset(&resp, 0, sizeof(resp));
	writer_run_sync(r->srv->writer, w, &resp);
	api_response_free(&resp);
}

static int64_t
next_backoff_ms(struct reconciler *r)
{
	int64_t best = -1;
	size_t i;

	for (i = 0; i < r->nbackoff; i++)
		if (best < 0 || r->backoff[i].next_ms < best)
			best = r->backoff[i].next_ms;
	return best;
}

static void *
reconciler_main(void *arg)
{
	struct reconciler *r = arg;
	struct timespec ts;
	int64_t now, due, bo, last_purge = time_mono_ms();

	while (!atomic_load(&r->stopping)) {
		pass_run(r);
		if (time_mono_ms() - last_purge >= 3600 * 1000) {
			purge_idempotency(r);
			last_purge = time_mono_ms();
		}
		pthread_mutex_lock(&r->lock);
		now = time_mono_ms();
		due = now + (int64_t)r->srv->cfg.resync_interval_s * 1000;
		bo = next_backoff_ms(r);
		if (bo >= 0 && bo < due)
			due = bo > now ? bo : now;
		while (!r->wake && !atomic_load(&r->stopping) &&
		    time_mono_ms() < due) {
			clock_gettime(CLOCK_REALTIME, &ts);
			now = due - time_mono_ms();
			if (now > 1000)
				now = 1000;
			ts.tv_sec += now / 1000;
			ts.tv_nsec += (now % 1000) * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&r->cond, &r->lock, &ts);
		}
		r->wake = 0;
		pthread_mutex_unlock(&r->lock);
	}
	return NULL;
}

int
reconciler_start(struct server *srv, struct reconciler **out,
    struct jd_error *err)
{
	struct reconciler *r;

	r = jd_calloc(1, sizeof(*r));
	if (r == NULL)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	r->srv = srv;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	pthread_mutex_init(&r->snap_lock, NULL);
	pthread_mutex_init(&r->pend_lock, NULL);
	pthread_cond_init(&r->pend_cond, NULL);
	if (host_open(srv->cfg.host_backend, srv->cfg.data_dir, &r->host,
	    err) == -1)
		goto fail;
	if (db_open(srv->db_path, 0, &r->db, err) == -1)
		goto fail;
	srv->api.host_snapshot = reconciler_snapshot;
	srv->api.host_arg = r;
	srv->api.prison_doc = reconciler_prison_doc;
	srv->api.prison_doc_arg = r;
	if (pthread_create(&r->thread, NULL, reconciler_main, r) != 0) {
		jd_error_set(err, JD_E_INTERNAL, NULL, "cannot start the "
		    "reconciler thread");
		goto fail;
	}
	*out = r;
	return 0;
fail:
	host_close(r->host);
	if (r->db != NULL)
		db_close(r->db);
	jd_free(r);
	return -1;
}

void
reconciler_wake(struct reconciler *r)
{
	pthread_mutex_lock(&r->lock);
	r->wake = 1;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
}

void
reconciler_stop(struct reconciler *r)
{
	size_t i;

	if (r == NULL)
		return;
	atomic_store(&r->stopping, 1);
	reconciler_wake(r);
	pthread_join(r->thread, NULL);
	host_close(r->host);
	db_close(r->db);
	json_decref(r->snapshot);
	host_prison_list_free(&r->snap_prisons);
	host_mount_list_free(&r->snap_mounts);
	host_addr_list_free(&r->snap_addrs);
	jd_free(r->backoff);
	for (i = 0; i < r->ncache; i++)
		cache_entry_free(&r->cache[i]);
	jd_free(r->cache);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->snap_lock);
	pthread_mutex_destroy(&r->pend_lock);
	pthread_cond_destroy(&r->pend_cond);
	r->srv->api.host_snapshot = NULL;
	r->srv->api.prison_doc = NULL;
	jd_free(r);
}

json_t *
reconciler_snapshot(void *arg)
{
	struct reconciler *r = arg;
	json_t *s;

	pthread_mutex_lock(&r->snap_lock);
	if (r->snapshot == NULL && r->have_snap)
		r->snapshot = snapshot_build(r);
	s = json_incref(r->snapshot);
	pthread_mutex_unlock(&r->snap_lock);
	return s;
}

int
reconciler_prison_doc(void *arg, const char *name, json_t **doc,
    int64_t *jid, struct jd_error *err)
{
	struct reconciler *r = arg;
	const struct host_prison *p;
	int ret = 0;

	pthread_mutex_lock(&r->snap_lock);
	if (!r->have_snap)
		ret = jd_error_set(err, JD_E_UNAVAILABLE, NULL, "the host "
		    "has not been read yet; retry in a moment");
	else if ((p = find_prison(&r->snap_prisons, name)) == NULL)
		ret = jd_error_set(err, JD_E_NOTFOUND, NULL, "the host has no "
		    "live prison named \"%s\"", name);
	else {
		*jid = p->jid;
		*doc = prison_doc_from_host(p, &r->snap_mounts,
		    &r->snap_addrs);
		if (*doc == NULL)
			ret = jd_error_set(err, JD_E_NOMEM, NULL,
			    "out of memory");
	}
	pthread_mutex_unlock(&r->snap_lock);
	return ret;
}

long
reconciler_passes(struct reconciler *r)
{
	return atomic_load(&r->passes);
}
