/*
 * test_write_storm.c - SIGKILL jaild in the middle of a storm of writes,
 * twenty times over one data directory, and check what survives.
 *
 * Each round starts jaild on the same data directory, lets 16 threads
 * create jails (running, one em0 alias and a devfs mount each), replace
 * them with a new label and delete some, as fast as they can, and kills
 * jaild with SIGKILL after a random 50-500 ms.  After the restart:
 *   - every write that got a 2xx is there (a created jail exists with its
 *     whole document, a replaced one carries the acknowledged label or
 *     the one in flight at the kill, a deleted one is gone or deleting);
 *   - the database passes PRAGMA integrity_check;
 *   - the reconciler converges (every defined jail running, no deletion
 *     pending) and the simulated host holds no alias twice, no mount
 *     twice, no prison that is not a defined jail, and exactly the alias,
 *     mount and prison of each defined jail: nothing leaked by a kill in
 *     the middle of a create or a teardown.
 * The data directory is kept across rounds so the state accumulates.  Set
 * JD_SEED to replay a run (the seed is printed).
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prison/host.h"
#include "tests/lib/check.h"
#include "tests/lib/dbfile.h"
#include "tests/lib/harness.h"

#define ROUNDS		20
#define NTHREADS	16
#define MAXJAILS	(ROUNDS * NTHREADS * 3 + 16)
#define NEW_PER_ROUND	2	/* creations per thread and round, at most */
#define KEEP_PER_THREAD	3	/* a thread deletes beyond this many */
#define CONVERGE_MS	90000

/* One jail the storm tried to create. */
struct jrec {
	char	name[32];
	char	addr[20];
	int	create_acked;
	int	delete_tried;
	int	delete_acked;
	long	seq_tried;	/* highest label seq sent */
	long	seq_acked;	/* highest label seq answered 2xx */
};

struct storm {
	struct jd_instance	inst;
	pthread_mutex_t		lock;
	struct jrec		jails[MAXJAILS];
	int			njails;
	atomic_int		stop;
	atomic_long		acks, bad;
	char			bad_what[256];
	int			round;
};

struct worker {
	struct storm	*st;
	int		 id;
	unsigned	 seed;
	int		 own[MAXJAILS];	/* indices of live, acknowledged jails */
	int		 nown;
};

static void
jail_doc(char *buf, size_t sz, const struct jrec *j, long seq)
{
	snprintf(buf, sz, "{\"path\":\"/usr/local/jails/%s\","
	    "\"state\":\"running\",\"labels\":{\"seq\":\"%ld\"},"
	    "\"ips\":[{\"interface\":\"em0\",\"address\":\"%s\"}],"
	    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\","
	    "\"ruleset\":4}]}", j->name, seq, j->addr);
}

/* A non-2xx answer during the storm is a failure, reported after join. */
static void
note_bad(struct storm *st, const char *method, const char *name, long status,
    const char *body)
{
	if (atomic_fetch_add(&st->bad, 1) == 0)
		snprintf(st->bad_what, sizeof(st->bad_what), "%s %s -> %ld %.150s",
		    method, name, status, body ? body : "");
}

static void
do_create(struct worker *w)
{
	struct storm *st = w->st;
	struct http_resp r;
	struct jrec *j;
	char path[64], doc[512];
	int idx;

	pthread_mutex_lock(&st->lock);
	if (st->njails >= MAXJAILS) {
		pthread_mutex_unlock(&st->lock);
		return;
	}
	idx = st->njails++;
	j = &st->jails[idx];
	snprintf(j->name, sizeof(j->name), "w%02d-%02d-%04d", st->round,
	    w->id, idx);
	snprintf(j->addr, sizeof(j->addr), "10.20.%d.%d", idx / 250,
	    idx % 250 + 1);
	pthread_mutex_unlock(&st->lock);

	snprintf(path, sizeof(path), "/v1/jails/%s", j->name);
	jail_doc(doc, sizeof(doc), j, 0);
	if (http_do(st->inst.url, "PUT", path, NULL, doc, NULL, &r) == -1)
		return;		/* killed in flight: outcome unknown */
	if (r.status == 201) {
		j->create_acked = 1;
		w->own[w->nown++] = idx;
		atomic_fetch_add(&st->acks, 1);
	} else
		note_bad(st, "PUT", j->name, r.status, r.body);
	http_resp_free(&r);
}

static void
do_replace(struct worker *w)
{
	struct storm *st = w->st;
	struct http_resp r;
	struct jrec *j;
	char path[64], doc[512];
	long seq;

	j = &st->jails[w->own[rand_r(&w->seed) % (unsigned)w->nown]];
	seq = ++j->seq_tried;
	snprintf(path, sizeof(path), "/v1/jails/%s", j->name);
	jail_doc(doc, sizeof(doc), j, seq);
	if (http_do(st->inst.url, "PUT", path, NULL, doc, NULL, &r) == -1)
		return;
	if (r.status == 200) {
		j->seq_acked = seq;
		atomic_fetch_add(&st->acks, 1);
	} else
		note_bad(st, "PUT (replace)", j->name, r.status, r.body);
	http_resp_free(&r);
}

static void
do_delete(struct worker *w)
{
	struct storm *st = w->st;
	struct http_resp r;
	struct jrec *j;
	char path[64];

	/* The oldest one goes. */
	j = &st->jails[w->own[0]];
	memmove(&w->own[0], &w->own[1], (size_t)(w->nown - 1) *
	    sizeof(w->own[0]));
	w->nown--;
	j->delete_tried = 1;
	snprintf(path, sizeof(path), "/v1/jails/%s", j->name);
	if (http_do(st->inst.url, "DELETE", path, NULL, NULL, NULL, &r) == -1)
		return;
	if (r.status == 202 || r.status == 204) {
		j->delete_acked = 1;
		atomic_fetch_add(&st->acks, 1);
	} else
		note_bad(st, "DELETE", j->name, r.status, r.body);
	http_resp_free(&r);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	int created = 0, deleted = 0;
	unsigned dice;

	while (!atomic_load(&w->st->stop)) {
		dice = rand_r(&w->seed) % 100;
		if (w->nown == 0 || (created < NEW_PER_ROUND && dice < 6)) {
			if (created >= NEW_PER_ROUND) {
				/* nothing of ours to write */
				harness_msleep(5);
				continue;
			}
			created++;
			do_create(w);
		} else if (w->nown > KEEP_PER_THREAD && deleted == 0 &&
		    dice < 10) {
			deleted++;
			do_delete(w);
		} else
			do_replace(w);
	}
	return NULL;
}

/* Every acknowledged write survived the kill. */
static void
check_acked(struct storm *st)
{
	struct http_resp *r;
	struct jrec *j;
	json_t *seqv;
	char path[64], want[64], d[200];
	long seq;
	int i;

	for (i = 0; i < st->njails; i++) {
		j = &st->jails[i];
		snprintf(path, sizeof(path), "/v1/jails/%s", j->name);
		if (j->delete_acked) {
			r = http_get(st->inst.url, path);
			if (r->status == 200)
				CHECK_STR(json_string_value(jptr(r->json,
				    "/status/phase")), "deleting");
			else
				CHECK_INT(r->status, 404);
			http_free(r);
			continue;
		}
		if (!j->create_acked || j->delete_tried)
			continue;
		r = http_get(st->inst.url, path);
		if (r->status != 200) {
			snprintf(d, sizeof(d), "%s acknowledged, GET -> %ld",
			    j->name, r->status);
			check_fail(__FILE__, __LINE__, "2xx'd jail exists", d);
		}
		snprintf(want, sizeof(want), "/usr/local/jails/%s", j->name);
		CHECK_STR(json_string_value(jptr(r->json, "/path")), want);
		CHECK_STR(json_string_value(jptr(r->json, "/state")),
		    "running");
		snprintf(want, sizeof(want), "%s/32", j->addr);
		CHECK_STR(json_string_value(jptr(r->json, "/ips/0/address")),
		    want);
		CHECK(jptr(r->json, "/ips/1") == NULL);
		CHECK_STR(json_string_value(jptr(r->json, "/mounts/0/type")),
		    "devfs");
		CHECK(jptr(r->json, "/mounts/1") == NULL);
		seqv = jptr(r->json, "/labels/seq");
		CHECK(json_is_string(seqv));
		seq = atol(json_string_value(seqv));
		if (seq < j->seq_acked || seq > j->seq_tried) {
			snprintf(d, sizeof(d), "%s: label seq %ld, acked %ld, "
			    "sent up to %ld", j->name, seq, j->seq_acked,
			    j->seq_tried);
			check_fail(__FILE__, __LINE__, "acked replace survived",
			    d);
		}
		check_pass();
		http_free(r);
	}
}

/*
 * Wait until every defined jail runs and no deletion is pending; returns
 * the list (caller decrefs) or fails the test.
 */
static json_t *
wait_converged(struct storm *st)
{
	struct http_resp *all, *run;
	json_t *items, *it;
	size_t i, nall, nrun, nok;
	int waited = 0;
	char d[300], last[200] = "";
	const char *ph;

	for (;;) {
		all = http_get(st->inst.url, "/v1/jails?limit=1000");
		CHECK_INT(all->status, 200);
		CHECK(json_is_null(jptr(all->json, "/next_cursor")));
		items = jptr(all->json, "/items");
		nall = json_array_size(items);
		nok = 0;
		json_array_foreach(items, i, it) {
			ph = json_string_value(jptr(it, "/status/phase"));
			if (ph != NULL && strcmp(ph, "running") == 0)
				nok++;
			else
				snprintf(last, sizeof(last), "%s: %s %s",
				    json_string_value(jptr(it, "/name")),
				    ph ? ph : "?", json_string_value(jptr(it,
				    "/status/message")) ? json_string_value(
				    jptr(it, "/status/message")) : "");
		}
		run = http_get(st->inst.url,
		    "/v1/jails?phase=running&limit=1000");
		CHECK_INT(run->status, 200);
		nrun = json_array_size(jptr(run->json, "/items"));
		http_free(run);
		if (nok == nall && nrun == nall) {
			it = json_incref(items);
			http_free(all);
			return it;
		}
		http_free(all);
		if (waited >= CONVERGE_MS) {
			snprintf(d, sizeof(d), "round %d: %zu of %zu running "
			    "(filter says %zu); e.g. %s", st->round, nok, nall,
			    nrun, last);
			check_fail(__FILE__, __LINE__, "reconciler converges",
			    d);
		}
		harness_msleep(100);
		waited += 100;
	}
}

static int
in_baseline(const struct host_addr_list *base, const struct host_addr *a)
{
	size_t i;

	for (i = 0; i < base->n; i++)
		if (strcmp(base->v[i].address, a->address) == 0 &&
		    strcmp(base->v[i].ifname, a->ifname) == 0)
			return 1;
	return 0;
}

static int
in_mount_baseline(const struct host_mount_list *base,
    const struct host_mount *m)
{
	size_t i;

	for (i = 0; i < base->n; i++)
		if (strcmp(base->v[i].target, m->target) == 0)
			return 1;
	return 0;
}

/* The host holds exactly what the defined jails describe. */
static void
check_host(struct storm *st, json_t *items,
    const struct host_addr_list *abase, const struct host_mount_list *mbase)
{
	struct host *h = NULL;
	struct jd_error err;
	struct host_addr_list addrs = { 0 };
	struct host_mount_list mounts = { 0 };
	struct host_prison_list prisons = { 0 };
	json_t *it;
	const char *name, *addr;
	char want[128], d[300];
	size_t i, k, n, found;
	int jid;

	CHECK_INT(host_open_flags("sim", st->inst.datadir, HOST_OPEN_ADMIN,
	    &h, &err), 0);
	CHECK_INT(host_addr_list(h, &addrs, &err), 0);
	CHECK_INT(host_mount_list(h, &mounts, &err), 0);
	CHECK_INT(host_prison_list(h, 0, &prisons, &err), 0);

	/* No address twice, none that no jail owns. */
	for (i = 0; i < addrs.n; i++) {
		if (in_baseline(abase, &addrs.v[i]))
			continue;
		for (k = i + 1; k < addrs.n; k++)
			if (addrs.v[k].family == addrs.v[i].family &&
			    strcmp(addrs.v[k].address, addrs.v[i].address)
			    == 0) {
				snprintf(d, sizeof(d), "round %d: %s twice",
				    st->round, addrs.v[i].address);
				check_fail(__FILE__, __LINE__,
				    "no duplicate alias", d);
			}
		found = 0;
		json_array_foreach(items, n, it) {
			addr = json_string_value(jptr(it, "/ips/0/address"));
			if (addr != NULL && strncmp(addr, addrs.v[i].address,
			    strlen(addrs.v[i].address)) == 0 &&
			    addr[strlen(addrs.v[i].address)] == '/')
				found++;
		}
		if (found != 1) {
			snprintf(d, sizeof(d), "round %d: alias %s %s belongs "
			    "to %zu defined jails", st->round,
			    addrs.v[i].ifname, addrs.v[i].address, found);
			check_fail(__FILE__, __LINE__, "no leaked alias", d);
		}
		check_pass();
	}
	/* No mount twice, none that no jail owns. */
	for (i = 0; i < mounts.n; i++) {
		if (in_mount_baseline(mbase, &mounts.v[i]))
			continue;
		for (k = i + 1; k < mounts.n; k++)
			if (strcmp(mounts.v[k].target, mounts.v[i].target)
			    == 0) {
				snprintf(d, sizeof(d), "round %d: %s twice",
				    st->round, mounts.v[i].target);
				check_fail(__FILE__, __LINE__,
				    "no duplicate mount", d);
			}
		found = 0;
		json_array_foreach(items, n, it) {
			snprintf(want, sizeof(want), "%s/dev",
			    json_string_value(jptr(it, "/path")));
			found += strcmp(want, mounts.v[i].target) == 0;
		}
		if (found != 1 || strcmp(mounts.v[i].type, "devfs") != 0) {
			snprintf(d, sizeof(d), "round %d: %s on %s belongs to "
			    "%zu defined jails", st->round, mounts.v[i].type,
			    mounts.v[i].target, found);
			check_fail(__FILE__, __LINE__, "no leaked mount", d);
		}
		check_pass();
	}
	/* Every prison is a defined jail, once. */
	for (i = 0; i < prisons.n; i++) {
		found = 0;
		json_array_foreach(items, n, it)
			found += strcmp(json_string_value(jptr(it, "/name")),
			    prisons.v[i].name) == 0;
		if (found != 1) {
			snprintf(d, sizeof(d), "round %d: prison %s (jid %d)",
			    st->round, prisons.v[i].name, prisons.v[i].jid);
			check_fail(__FILE__, __LINE__, "no orphan prison", d);
		}
		for (k = i + 1; k < prisons.n; k++)
			CHECK(strcmp(prisons.v[k].name, prisons.v[i].name)
			    != 0);
	}
	/* Every defined (running) jail has its prison, alias and mount. */
	json_array_foreach(items, n, it) {
		name = json_string_value(jptr(it, "/name"));
		jid = (int)json_integer_value(jptr(it, "/status/jid"));
		found = 0;
		for (i = 0; i < prisons.n; i++)
			if (strcmp(prisons.v[i].name, name) == 0 &&
			    prisons.v[i].jid == jid)
				found++;
		if (found != 1) {
			snprintf(d, sizeof(d), "round %d: %s (jid %d) has %zu "
			    "prisons", st->round, name, jid, found);
			check_fail(__FILE__, __LINE__, "jail has its prison",
			    d);
		}
		addr = json_string_value(jptr(it, "/ips/0/address"));
		snprintf(want, sizeof(want), "%.*s", (int)strcspn(addr, "/"),
		    addr);
		found = 0;
		for (i = 0; i < addrs.n; i++)
			found += strcmp(addrs.v[i].address, want) == 0 &&
			    strcmp(addrs.v[i].ifname, "em0") == 0;
		if (found != 1) {
			snprintf(d, sizeof(d), "round %d: %s: alias %s on em0 "
			    "%zu times", st->round, name, want, found);
			check_fail(__FILE__, __LINE__, "jail has its alias", d);
		}
		snprintf(want, sizeof(want), "%s/dev",
		    json_string_value(jptr(it, "/path")));
		found = 0;
		for (i = 0; i < mounts.n; i++)
			found += strcmp(mounts.v[i].target, want) == 0;
		if (found != 1) {
			snprintf(d, sizeof(d), "round %d: %s: %s mounted %zu "
			    "times", st->round, name, want, found);
			check_fail(__FILE__, __LINE__, "jail has its mount", d);
		}
		check_pass();
	}
	host_addr_list_free(&addrs);
	host_mount_list_free(&mounts);
	host_prison_list_free(&prisons);
	host_close(h);
}

int
main(void)
{
	static struct storm st;
	static struct worker workers[NTHREADS];
	pthread_t tids[NTHREADS];
	struct host_addr_list abase = { 0 };
	struct host_mount_list mbase = { 0 };
	struct host *h = NULL;
	struct jd_error err;
	json_t *items;
	const char *seedenv = getenv("JD_SEED");
	unsigned seed;
	long kill_ms, total_acks = 0;
	int i, round, wst;

	seed = seedenv != NULL ? (unsigned)strtoul(seedenv, NULL, 10) :
	    (unsigned)time(NULL) ^ (unsigned)getpid();
	printf("# seed %u (JD_SEED=%u to replay)\n", seed, seed);
	srand(seed);
	pthread_mutex_init(&st.lock, NULL);

	CHECK_INT(harness_start(&st.inst, NULL, NULL, 0), 0);
	/* Whatever the simulated host has before any jail is not ours. */
	CHECK_INT(host_open_flags("sim", st.inst.datadir, HOST_OPEN_ADMIN, &h,
	    &err), 0);
	CHECK_INT(host_addr_list(h, &abase, &err), 0);
	CHECK_INT(host_mount_list(h, &mbase, &err), 0);
	host_close(h);

	for (round = 0; round < ROUNDS; round++) {
		st.round = round;
		if (round > 0)
			CHECK_INT(harness_restart(&st.inst), 0);
		atomic_store(&st.stop, 0);
		atomic_store(&st.acks, 0);
		for (i = 0; i < NTHREADS; i++) {
			workers[i].st = &st;
			workers[i].id = i;
			workers[i].seed = seed + (unsigned)(round * 97 + i);
			CHECK_INT(pthread_create(&tids[i], NULL, worker_main,
			    &workers[i]), 0);
		}
		kill_ms = 50 + rand() % 451;
		harness_msleep(kill_ms);
		wst = harness_kill(&st.inst, SIGKILL);
		CHECK(WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL);
		atomic_store(&st.stop, 1);
		for (i = 0; i < NTHREADS; i++)
			pthread_join(tids[i], NULL);
		if (atomic_load(&st.bad) > 0)
			check_fail(__FILE__, __LINE__, "every storm write "
			    "answered 2xx", st.bad_what);
		total_acks += atomic_load(&st.acks);
		printf("# round %d: killed after %ld ms, %ld writes "
		    "acknowledged, %d jails tried so far\n", round, kill_ms,
		    atomic_load(&st.acks), st.njails);

		CHECK_INT(harness_restart(&st.inst), 0);
		check_acked(&st);
		dbfile_check_integrity(st.inst.datadir);
		items = wait_converged(&st);
		check_host(&st, items, &abase, &mbase);
		json_decref(items);
		/* Stopped cleanly so the next round starts from a kill-free
		 * restart as well; SIGKILL is what the next round tests. */
		CHECK(harness_kill(&st.inst, SIGTERM) == 0);
	}
	CHECK(total_acks > ROUNDS * NTHREADS);
	host_addr_list_free(&abase);
	host_mount_list_free(&mbase);
	harness_stop(&st.inst);
	return check_done();
}
