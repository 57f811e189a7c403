/*
 * test_sqlite_faults.c - jaild when SQLite cannot write: the disk is full
 * or another process holds the database lock.
 *
 * (a) Disk full: jaild runs with -o db_max_pages=N (PRAGMA max_page_count
 *     on the writer), so after some hundreds of jails the file cannot
 *     grow.  Sixteen clients keep PUTting distinct jails.  Every failure must
 *     be a 5xx problem document (503 unavailable or 500 storage_error),
 *     nothing may be half-written (a 2xx'd jail is complete, a failed one
 *     does not exist, also when failures and successes shared a group
 *     commit), reads keep working, and after a restart without the limit
 *     writes succeed again and integrity_check is ok.
 * (b) Busy: the test holds BEGIN EXCLUSIVE for longer than jaild's busy
 *     timeout (5 s) while a PUT is sent: the PUT is answered 503 with
 *     Retry-After and leaves nothing behind, reads are answered during the
 *     lock, and once the lock is released the next PUT succeeds.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tests/lib/check.h"
#include "tests/lib/dbfile.h"
#include "tests/lib/harness.h"

#define FULL_PAGES	"db_max_pages=150"
#define FULL_THREADS	16
#define FULL_MAX	4000	/* attempts, all threads together */
#define FULL_FAILS	12	/* a thread stops after this many failures */

struct attempt {
	char	name[32];
	long	status;		/* 0: transport failure */
	char	code[32];	/* problem code of a failure */
	int	retry_after;
};

struct full {
	struct jd_instance	 inst;
	struct attempt		 a[FULL_MAX];
	atomic_int		 next;
};

struct fworker {
	struct full	*f;
	int		 id;
};

/*
 * The pad label's value: its length varies with idx so that, near the
 * ceiling, a small document can still fit where a big one did not.
 */
static void
full_pad(char *buf, size_t sz, int idx)
{
	int n = (idx * 37) % 60 + 1;

	if ((size_t)n >= sz)
		n = (int)sz - 1;
	memset(buf, 'p', (size_t)n);
	buf[n] = '\0';
}

static void
full_doc(char *buf, size_t sz, const char *name, int idx)
{
	char pad[64];

	full_pad(pad, sizeof(pad), idx);
	snprintf(buf, sz, "{\"path\":\"/usr/local/jails/%s\",\"hostname\":"
	    "\"%s.example.org\",\"labels\":{\"env\":\"fill\",\"n\":\"%d\","
	    "\"pad\":\"%s\"},"
	    "\"ips\":[{\"interface\":\"em0\",\"address\":\"10.30.%d.%d\"}],"
	    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\","
	    "\"ruleset\":4}]}", name, name, idx, pad, idx / 250,
	    idx % 250 + 1);
}

static void *
full_worker(void *arg)
{
	struct fworker *w = arg;
	struct full *f = w->f;
	struct http_resp r;
	struct attempt *a;
	char path[64], doc[1024];
	const char *code;
	int idx, fails = 0;

	while (fails < FULL_FAILS) {
		idx = atomic_fetch_add(&f->next, 1);
		if (idx >= FULL_MAX)
			break;
		a = &f->a[idx];
		snprintf(a->name, sizeof(a->name), "fill-%04d", idx);
		snprintf(path, sizeof(path), "/v1/jails/%s", a->name);
		full_doc(doc, sizeof(doc), a->name, idx);
		if (http_do(f->inst.url, "PUT", path, NULL, doc, NULL, &r)
		    == -1) {
			fails++;
			continue;
		}
		a->status = r.status;
		if (r.status >= 300) {
			fails++;
			code = json_string_value(jptr(r.json, "/code"));
			snprintf(a->code, sizeof(a->code), "%s",
			    code ? code : "");
			a->retry_after = http_header(&r, "Retry-After") != NULL;
		}
		http_resp_free(&r);
	}
	return NULL;
}

/* A 2xx'd fill jail carries every field it was sent with. */
static void
check_complete(const char *base, const char *name, int idx)
{
	struct http_resp *r;
	char path[64], want[96];

	snprintf(path, sizeof(path), "/v1/jails/%s", name);
	r = http_get(base, path);
	CHECK_INT(r->status, 200);
	snprintf(want, sizeof(want), "/usr/local/jails/%s", name);
	CHECK_STR(json_string_value(jptr(r->json, "/path")), want);
	snprintf(want, sizeof(want), "%s.example.org", name);
	CHECK_STR(json_string_value(jptr(r->json, "/hostname")), want);
	CHECK_STR(json_string_value(jptr(r->json, "/labels/env")), "fill");
	snprintf(want, sizeof(want), "%d", idx);
	CHECK_STR(json_string_value(jptr(r->json, "/labels/n")), want);
	full_pad(want, sizeof(want), idx);
	CHECK_STR(json_string_value(jptr(r->json, "/labels/pad")), want);
	snprintf(want, sizeof(want), "10.30.%d.%d/32", idx / 250,
	    idx % 250 + 1);
	CHECK_STR(json_string_value(jptr(r->json, "/ips/0/address")), want);
	CHECK_STR(json_string_value(jptr(r->json, "/mounts/0/type")),
	    "devfs");
	CHECK_INT(json_integer_value(jptr(r->json, "/mounts/0/ruleset")), 4);
	CHECK_INT(json_integer_value(jptr(r->json, "/generation")), 1);
	http_free(r);
}

static void
test_disk_full(void)
{
	static struct full f;
	static struct fworker w[FULL_THREADS];
	const char *extra[] = { "-o", FULL_PAGES, NULL };
	pthread_t tids[FULL_THREADS];
	struct http_resp *r;
	struct attempt *a;
	char path[64], doc[1024], d[512], nm[32];
	int i, n, ok = 0, failed = 0, wst;

	CHECK_INT(harness_start(&f.inst, NULL, extra, 0), 0);
	for (i = 0; i < FULL_THREADS; i++) {
		w[i].f = &f;
		w[i].id = i;
		CHECK_INT(pthread_create(&tids[i], NULL, full_worker, &w[i]),
		    0);
	}
	for (i = 0; i < FULL_THREADS; i++)
		pthread_join(tids[i], NULL);
	n = atomic_load(&f.next);
	if (n > FULL_MAX)
		n = FULL_MAX;

	for (i = 0; i < n; i++) {
		a = &f.a[i];
		if (a->name[0] == '\0')
			continue;
		if (a->status == 201) {
			ok++;
			continue;
		}
		failed++;
		snprintf(d, sizeof(d), "PUT %s -> %ld %s", a->name, a->status,
		    a->code);
		/* A clear server error, never a client error or a hang-up. */
		if (!((a->status == 503 && strcmp(a->code, "unavailable") ==
		    0) || (a->status == 500 && strcmp(a->code,
		    "storage_error") == 0)))
			check_fail(__FILE__, __LINE__, "disk full is a 5xx "
			    "problem", d);
		check_pass();
	}
	printf("# disk full: %d stored, %d refused of %d PUTs\n", ok, failed,
	    n);
	CHECK(ok >= 100);	/* "some hundreds" fit before the ceiling */
	CHECK(failed >= FULL_THREADS);

	/* Reads keep working while writes cannot. */
	r = http_get(f.inst.url, "/v1/jails?limit=5");
	CHECK_INT(r->status, 200);
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 5);
	http_free(r);
	r = http_get(f.inst.url, "/healthz");
	CHECK_INT(r->status, 200);
	http_free(r);

	/* Nothing half-written: all of a stored jail, none of a refused one. */
	for (i = 0; i < n; i++) {
		a = &f.a[i];
		if (a->name[0] == '\0' || a->status == 0)
			continue;
		if (a->status == 201) {
			check_complete(f.inst.url, a->name, i);
			continue;
		}
		snprintf(path, sizeof(path), "/v1/jails/%s", a->name);
		r = http_get(f.inst.url, path);
		if (r->status != 404) {
			snprintf(d, sizeof(d), "PUT %s answered %ld %s, yet GET "
			    "-> %ld", a->name, a->status, a->code, r->status);
			check_fail(__FILE__, __LINE__, "a refused PUT leaves "
			    "no jail", d);
		}
		check_pass();
		http_free(r);
	}
	/* Alone, a write may still fit where a group did not; but the
	 * ceiling holds: single writes are refused soon, the same way. */
	for (i = 0, ok = 0; i < 200 && !ok; i++) {
		snprintf(nm, sizeof(nm), "late-%03d", i);
		snprintf(path, sizeof(path), "/v1/jails/%s", nm);
		full_doc(doc, sizeof(doc), nm, 3500 + i);
		r = http_json(f.inst.url, "PUT", path, doc);
		CHECK(r->status == 201 || r->status == 503 ||
		    r->status == 500);
		ok = r->status != 201;
		http_free(r);
		r = http_get(f.inst.url, path);
		CHECK_INT(r->status, ok ? 404 : 200);
		http_free(r);
	}
	CHECK(ok);

	/* Restart without the ceiling: writes succeed again.  jaild's exit
	 * status is checked last so the checks after it still run. */
	wst = harness_kill(&f.inst, SIGTERM);
	for (i = 0; i < 32; i++) {
		free(f.inst.extra[i]);
		f.inst.extra[i] = NULL;
	}
	CHECK_INT(harness_restart(&f.inst), 0);
	dbfile_check_integrity(f.inst.datadir);
	for (i = 0; i < 20; i++) {
		snprintf(path, sizeof(path), "/v1/jails/after-%02d", i);
		snprintf(nm, sizeof(nm), "after-%02d", i);
		full_doc(doc, sizeof(doc), nm, 3000 + i);
		r = http_json(f.inst.url, "PUT", path, doc);
		CHECK_INT(r->status, 201);
		http_free(r);
		check_complete(f.inst.url, nm, 3000 + i);
	}
	/* The same after a restart, which reads the database afresh (not
	 * the render cache): stored means complete, refused means absent. */
	for (i = 0; i < n; i++) {
		a = &f.a[i];
		if (a->status == 201)
			check_complete(f.inst.url, a->name, i);
		else if (a->status != 0) {
			snprintf(path, sizeof(path), "/v1/jails/%s", a->name);
			r = http_get(f.inst.url, path);
			if (r->status != 404) {
				snprintf(d, sizeof(d), "PUT %s answered %ld %s, "
				    "after restart GET -> %ld", a->name,
				    a->status, a->code, r->status);
				check_fail(__FILE__, __LINE__, "a refused PUT "
				    "was not committed", d);
			}
			check_pass();
			http_free(r);
		}
	}
	dbfile_check_integrity(f.inst.datadir);
	harness_stop(&f.inst);
	/* A clean stop after the disk was full: exit 0 (under ASan, no
	 * leak of the answers to failed writes). */
	if (wst != 0) {
		snprintf(d, sizeof(d), "wait status %d; see %s", wst,
		    f.inst.log);
		check_fail(__FILE__, __LINE__, "jaild stops cleanly after "
		    "disk-full errors", d);
	}
	check_pass();
}

/* ---- busy ---- */

struct busy_put {
	const char	*base;
	const char	*name;
	long		 status;
	char		 code[32];
	int		 retry_after;
	long		 t_done;
};

static void *
busy_put_main(void *arg)
{
	struct busy_put *b = arg;
	struct http_resp r;
	char path[64], doc[256];
	const char *code;

	snprintf(path, sizeof(path), "/v1/jails/%s", b->name);
	snprintf(doc, sizeof(doc), "{\"path\":\"/usr/local/jails/%s\"}",
	    b->name);
	if (http_do(b->base, "PUT", path, NULL, doc, NULL, &r) == 0) {
		b->status = r.status;
		code = json_string_value(jptr(r.json, "/code"));
		snprintf(b->code, sizeof(b->code), "%s", code ? code : "");
		b->retry_after = http_header(&r, "Retry-After") != NULL;
		http_resp_free(&r);
	}
	b->t_done = harness_now_ms();
	return NULL;
}

static void
test_busy(void)
{
	struct jd_instance inst;
	struct busy_put bp;
	struct http_resp *r;
	pthread_t tid;
	sqlite3 *db = NULL;
	char path[320];
	long t0, t1, t_release;

	CHECK_INT(harness_start(&inst, NULL, NULL, 0), 0);
	r = http_json(inst.url, "PUT", "/v1/jails/held",
	    "{\"path\":\"/usr/local/jails/held\",\"labels\":{\"k\":\"v\"}}");
	CHECK_INT(r->status, 201);
	http_free(r);
	/* Settled, so the reconciler has nothing to write during the lock. */
	CHECK_INT(http_wait_field(inst.url, "/v1/jails/held",
	    "/status/observed_generation", "1", 10000), 0);
	CHECK_INT(http_wait_field(inst.url, "/v1/jails/held",
	    "/status/phase", "stopped", 10000), 0);

	snprintf(path, sizeof(path), "%s/jaild.db", inst.datadir);
	CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL),
	    SQLITE_OK);
	t0 = harness_now_ms();

	memset(&bp, 0, sizeof(bp));
	bp.base = inst.url;
	bp.name = "blocked";
	CHECK_INT(pthread_create(&tid, NULL, busy_put_main, &bp), 0);

	/* Reads are answered while the write waits for the lock. */
	harness_msleep(500);
	t1 = harness_now_ms();
	r = http_get(inst.url, "/v1/jails/held");
	CHECK_INT(r->status, 200);
	CHECK_STR(json_string_value(jptr(r->json, "/labels/k")), "v");
	http_free(r);
	r = http_get(inst.url, "/v1/jails?limit=10");
	CHECK_INT(r->status, 200);
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 1);
	http_free(r);
	r = http_get(inst.url, "/v1/events?jail=held");
	CHECK_INT(r->status, 200);
	CHECK(json_array_size(jptr(r->json, "/items")) >= 1);
	http_free(r);
	r = http_get(inst.url, "/healthz");
	CHECK_INT(r->status, 200);
	http_free(r);
	/* not stuck behind the writer */
	CHECK(harness_now_ms() - t1 < 2000);

	/* Hold the lock well past the 5 s busy timeout. */
	while (harness_now_ms() - t0 < 7500)
		harness_msleep(100);
	t_release = harness_now_ms();
	CHECK_INT(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	pthread_join(tid, NULL);

	printf("# busy: PUT answered %ld (%s) after %ld ms, lock held %ld ms\n",
	    bp.status, bp.code, bp.t_done - t0, t_release - t0);
	CHECK_INT(bp.status, 503);
	CHECK_STR(bp.code, "unavailable");
	CHECK(bp.retry_after);
	CHECK(bp.t_done < t_release);	/* answered while still locked */
	CHECK(bp.t_done - t0 >= 4000);	/* after waiting for the lock */

	r = http_get(inst.url, "/v1/jails/blocked");
	CHECK_INT(r->status, 404);
	http_free(r);

	/* Released: the next PUT succeeds, and so does the retry. */
	r = http_json(inst.url, "PUT", "/v1/jails/after",
	    "{\"path\":\"/usr/local/jails/after\"}");
	CHECK_INT(r->status, 201);
	http_free(r);
	r = http_json(inst.url, "PUT", "/v1/jails/blocked",
	    "{\"path\":\"/usr/local/jails/blocked\"}");
	CHECK_INT(r->status, 201);
	http_free(r);
	r = http_get(inst.url, "/v1/jails/blocked");
	CHECK_INT(r->status, 200);
	http_free(r);
	r = http_get(inst.url, "/v1/jails?limit=10");
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 3);
	http_free(r);
	dbfile_check_integrity(inst.datadir);
	harness_stop(&inst);
}

int
main(void)
{
	test_busy();
	test_disk_full();
	return check_done();
}
