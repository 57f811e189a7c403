/*
 * test_writer.c - server/writer.c, the group-commit writer, on a temporary
 * database: 64 threads submit at once; every op runs in a transaction,
 * done() and the completion fire exactly once each and in that order, ops
 * share commits (writer_stats), a failing op is rolled back alone while
 * the rest of its group commits, and a failed COMMIT fails the whole group
 * with a 503.
 *
 * A "gate" op holds the writer inside its run() so that the ops submitted
 * meanwhile are queued and form known groups.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/alloc.h"
#include "db/db.h"
#include "server/writer.h"
#include "tests/lib/check.h"

#define NTHREADS	64
#define PER_THREAD	20
#define MAXOPS		2048

enum op_kind {
	K_GOOD,		/* insert a row, keep it */
	K_FAIL,		/* insert a row, then return -1 */
	K_GATE,		/* wait for the gate to open */
	K_ORPHAN,	/* insert a row breaking a deferred foreign key */
};

struct slot {
	atomic_int	 done;
	atomic_int	 committed;
	atomic_int	 complete;
	atomic_int	 freed;
	atomic_int	 order_bad;	/* complete before done */
	atomic_int	 no_txn;	/* run outside a transaction */
	struct api_response resp;
};

struct world {
	struct slot	 slots[MAXOPS];
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 gate_open;
	int		 gate_waiting;
	atomic_int	 completed;
	struct writer	*wr;
};

struct top {
	struct api_write base;
	struct world	*w;
	int		 id;
	enum op_kind	 kind;
};

static int
op_run(struct api_write *aw, sqlite3 *db, struct api_response *resp)
{
	struct top *op = (struct top *)aw;
	struct world *w = op->w;
	char sql[128];

	if (sqlite3_get_autocommit(db))
		atomic_store(&w->slots[op->id].no_txn, 1);
	if (op->kind == K_GATE) {
		pthread_mutex_lock(&w->lock);
		w->gate_waiting = 1;
		pthread_cond_broadcast(&w->cond);
		while (!w->gate_open)
			pthread_cond_wait(&w->cond, &w->lock);
		pthread_mutex_unlock(&w->lock);
		resp->status = 200;
		return 0;
	}
	snprintf(sql, sizeof(sql), op->kind == K_ORPHAN ?
	    "INSERT INTO child (id, parent) VALUES (%d, 999999)" :
	    "INSERT INTO t (id) VALUES (%d)", op->id);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		resp->status = 599;
		return -1;
	}
	if (op->kind == K_FAIL) {
		resp->status = 409;
		return -1;
	}
	resp->status = 201;
	return 0;
}

static void
op_done(struct api_write *aw, int committed)
{
	struct top *op = (struct top *)aw;
	struct slot *s = &op->w->slots[op->id];

	atomic_store(&s->committed, committed);
	atomic_fetch_add(&s->done, 1);
}

static void
op_free(struct api_write *aw)
{
	struct top *op = (struct top *)aw;
	struct world *w = op->w;
	int id = op->id;

	jd_free(op);
	pthread_mutex_lock(&w->lock);
	atomic_fetch_add(&w->slots[id].freed, 1);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

struct cctx {
	struct world	*w;
	int		 id;
};

static void
op_complete(void *arg, struct api_response *resp)
{
	struct cctx *c = arg;
	struct world *w = c->w;
	struct slot *s = &w->slots[c->id];

	if (resp != &s->resp || atomic_load(&s->done) != 1)
		atomic_store(&s->order_bad, 1);
	atomic_fetch_add(&s->complete, 1);
	jd_free(c);
	pthread_mutex_lock(&w->lock);
	atomic_fetch_add(&w->completed, 1);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static struct top *
op_new(struct world *w, int id, enum op_kind kind)
{
	struct top *op = jd_calloc(1, sizeof(*op));

	CHECK(op != NULL);
	op->base.run = op_run;
	op->base.done = op_done;
	op->base.free = op_free;
	op->w = w;
	op->id = id;
	op->kind = kind;
	return op;
}

static void
submit(struct world *w, int id, enum op_kind kind)
{
	struct top *op = op_new(w, id, kind);
	struct cctx *c = jd_calloc(1, sizeof(*c));

	if (c == NULL)
		abort();
	c->w = w;
	c->id = id;
	writer_submit(w->wr, &op->base, &w->slots[id].resp, op_complete, c);
}

/* Submit a gate op and wait until the writer is held inside it. */
static void
gate_close(struct world *w, int id)
{
	pthread_mutex_lock(&w->lock);
	w->gate_open = 0;
	w->gate_waiting = 0;
	pthread_mutex_unlock(&w->lock);
	submit(w, id, K_GATE);
	pthread_mutex_lock(&w->lock);
	while (!w->gate_waiting)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

static void
gate_open(struct world *w)
{
	pthread_mutex_lock(&w->lock);
	w->gate_open = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/*
 * Wait (at most 60 s) until ops from..to were freed and, when they were
 * submitted with a completion (not writer_run_sync), completed.
 */
static void
wait_ops(struct world *w, int from, int to, int completes)
{
	struct timespec ts;
	int id, pending;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 60;
	pthread_mutex_lock(&w->lock);
	for (;;) {
		pending = 0;
		for (id = from; id <= to; id++)
			if (atomic_load(&w->slots[id].freed) == 0 ||
			    (completes &&
			    atomic_load(&w->slots[id].complete) == 0))
				pending++;
		if (pending == 0 ||
		    pthread_cond_timedwait(&w->cond, &w->lock, &ts) != 0)
			break;
	}
	pthread_mutex_unlock(&w->lock);
	CHECK_INT(pending, 0);
}

static int
is_failing(int id)
{
	return id % 10 == 7;
}

struct thr {
	struct world	*w;
	int		 first;
};

static void *
submitter(void *arg)
{
	struct thr *t = arg;
	int k, id;

	for (k = 0; k < PER_THREAD; k++) {
		id = t->first + k;
		submit(t->w, id, is_failing(id) ? K_FAIL : K_GOOD);
	}
	return NULL;
}

static long long
sql_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		check_fail(__FILE__, __LINE__, sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
row_exists(sqlite3 *db, const char *table, int id)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE id = %d",
	    table, id);
	return (int)sql_int(db, sql);
}

int
main(void)
{
	static struct world w;	/* large: keep it off the stack */
	char dir[] = "/tmp/jd-test-writer-XXXXXX", path[128], aux[160];
	struct thr thr[NTHREADS];
	pthread_t tid[NTHREADS];
	struct jd_error err;
	struct top *sync_op;
	struct api_response sresp;
	sqlite3 *db;
	long groups, ops, groups0, ops0;
	int i, id, nbatch, good = 0, first_extra, gate2;

	jd_alloc_init();
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/jaild.db", dir);
	CHECK_INT(db_open(path, 1, &db, &err), 0);
	CHECK_INT(db_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
	    "CREATE TABLE child (id INTEGER PRIMARY KEY, parent INTEGER "
	    "REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);", &err), 0);
	CHECK_INT(writer_start(db, &w.wr, &err), 0);

	/* 1. The writer is held; 64 threads queue 1280 ops meanwhile. */
	gate_close(&w, 0);
	nbatch = NTHREADS * PER_THREAD;
	for (i = 0; i < NTHREADS; i++) {
		thr[i].w = &w;
		thr[i].first = 1 + i * PER_THREAD;
		CHECK_INT(pthread_create(&tid[i], NULL, submitter, &thr[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++)
		CHECK_INT(pthread_join(tid[i], NULL), 0);
	CHECK_INT(atomic_load(&w.completed), 0);
	writer_stats(w.wr, &groups0, &ops0);
	CHECK_INT(groups0, 0);
	gate_open(&w);
	wait_ops(&w, 0, nbatch, 1);

	writer_stats(w.wr, &groups, &ops);
	CHECK_INT(ops, nbatch + 1);
	/* Group commit happened: far fewer commits than ops (the gate's own
	 * group, then the queue in a handful of large groups). */
	if (!(groups >= 2 && groups <= 12))
		check_fail(__FILE__, __LINE__, "group count",
		    groups < 2 ? "too few" : "too many: no group commit");
	check_pass();
	CHECK(groups < ops);

	for (id = 0; id <= nbatch; id++) {
		struct slot *s = &w.slots[id];
		int want_commit = id == 0 || !is_failing(id);
		if (atomic_load(&s->done) != 1 ||
		    atomic_load(&s->complete) != 1 ||
		    atomic_load(&s->freed) != 1 ||
		    atomic_load(&s->order_bad) || atomic_load(&s->no_txn) ||
		    atomic_load(&s->committed) != want_commit) {
			char d[160];
			snprintf(d, sizeof(d), "op %d: done %d complete %d "
			    "freed %d order_bad %d no_txn %d committed %d", id,
			    atomic_load(&s->done), atomic_load(&s->complete),
			    atomic_load(&s->freed), atomic_load(&s->order_bad),
			    atomic_load(&s->no_txn),
			    atomic_load(&s->committed));
			check_fail(__FILE__, __LINE__, "callbacks", d);
		}
		check_pass();
		CHECK_INT(s->resp.status, id == 0 ? 200 : is_failing(id) ? 409 :
		    201);
		if (id > 0 && !is_failing(id))
			good++;
	}

	/* 2. writer_run_sync: run's answer, from another thread. */
	first_extra = nbatch + 1;
	sync_op = op_new(&w, first_extra, K_GOOD);
	memset(&sresp, 0, sizeof(sresp));
	CHECK_INT(writer_run_sync(w.wr, &sync_op->base, &sresp), 0);
	CHECK_INT(sresp.status, 201);
	wait_ops(&w, first_extra, first_extra, 0);
	CHECK_INT(w.slots[first_extra].done, 1);
	CHECK_INT(w.slots[first_extra].committed, 1);
	CHECK_INT(w.slots[first_extra].freed, 1);
	sync_op = op_new(&w, first_extra + 1, K_FAIL);
	memset(&sresp, 0, sizeof(sresp));
	CHECK_INT(writer_run_sync(w.wr, &sync_op->base, &sresp), -1);
	CHECK_INT(sresp.status, 409);
	wait_ops(&w, first_extra + 1, first_extra + 1, 0);
	CHECK_INT(w.slots[first_extra + 1].committed, 0);

	/* 3. A group whose COMMIT fails (a deferred foreign key): every op
	 * of it is answered 503 with Retry-After and nothing is kept. */
	gate2 = first_extra + 2;
	gate_close(&w, gate2);
	submit(&w, gate2 + 1, K_GOOD);
	submit(&w, gate2 + 2, K_ORPHAN);
	submit(&w, gate2 + 3, K_GOOD);
	gate_open(&w);
	wait_ops(&w, gate2, gate2 + 3, 1);
	for (id = gate2 + 1; id <= gate2 + 3; id++) {
		struct slot *s = &w.slots[id];
		CHECK_INT(s->done, 1);
		CHECK_INT(s->committed, 0);
		CHECK_INT(s->complete, 1);
		CHECK_INT(s->freed, 1);
		CHECK_INT(s->resp.status, 503);
		CHECK_INT(s->resp.retry_after, 1);
		CHECK_STR(s->resp.content_type, "application/problem+json");
		CHECK_CONTAINS(s->resp.body, "\"unavailable\"");
		api_response_free(&s->resp);
	}
	/* The writer goes on after a failed group. */
	sync_op = op_new(&w, gate2 + 4, K_GOOD);
	memset(&sresp, 0, sizeof(sresp));
	CHECK_INT(writer_run_sync(w.wr, &sync_op->base, &sresp), 0);

	writer_stop(w.wr);

	/* What is on disk: every good op, none of the failed ones. */
	CHECK_INT(db_open(path, 1, &db, &err), 0);
	snprintf(aux, sizeof(aux), "SELECT count(*) FROM t WHERE id <= %d",
	    nbatch);
	CHECK_INT(sql_int(db, aux), good);
	CHECK_INT(good, nbatch - nbatch / 10);
	for (id = 1; id <= nbatch; id++)
		if (row_exists(db, "t", id) != !is_failing(id))
			check_fail(__FILE__, __LINE__, "row", is_failing(id) ?
			    "a failed op's row was kept" :
			    "a good op's row is missing");
	check_pass();
	CHECK_INT(row_exists(db, "t", first_extra), 1);
	CHECK_INT(row_exists(db, "t", first_extra + 1), 0);
	CHECK_INT(row_exists(db, "t", gate2 + 1), 0);
	CHECK_INT(row_exists(db, "child", gate2 + 2), 0);
	CHECK_INT(row_exists(db, "t", gate2 + 3), 0);
	CHECK_INT(row_exists(db, "t", gate2 + 4), 1);
	db_close(db);

	unlink(path);
	snprintf(aux, sizeof(aux), "%s-wal", path);
	unlink(aux);
	snprintf(aux, sizeof(aux), "%s-shm", path);
	unlink(aux);
	rmdir(dir);
	pthread_mutex_destroy(&w.lock);
	pthread_cond_destroy(&w.cond);
	return check_done();
}
