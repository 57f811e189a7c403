/*
 * test_wait_many.c - waiting requests hold no worker thread.
 *
 * 200 clients wait at once (?wait=) on a jail that cannot settle (it
 * depends on a jail nobody defined), on a jaild with two worker threads.
 * While they wait, other requests must still be answered promptly; when
 * the time is up every waiter gets 202 with the current document, not
 * before.  The waiters talk to jaild directly (200 connections through the
 * node proxy would measure the proxy); the rest goes through the
 * validating proxy as usual.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/lib/check.h"
#include "tests/lib/harness.h"

#define WAITERS		200
#define WAIT_S		6

static struct jd_instance inst;

struct waiter {
	pthread_t	 t;
	long		 status;
	double		 seconds;
	char		 phase[16];
};

static void *
wait_main(void *arg)
{
	struct waiter *w = arg;
	struct http_resp r;
	char path[64];
	double t0 = harness_now_s();
	json_t *ph;

	snprintf(path, sizeof(path), "/v1/jails/b/start?wait=%d", WAIT_S);
	if (http_do(inst.direct, "POST", path, NULL, NULL, NULL, &r) == 0) {
		w->status = r.status;
		ph = jptr(r.json, "/status/phase");
		snprintf(w->phase, sizeof(w->phase), "%s",
		    json_is_string(ph) ? json_string_value(ph) : "");
		http_resp_free(&r);
	} else
		w->status = -1;
	w->seconds = harness_now_s() - t0;
	return NULL;
}

int
main(void)
{
	static const char *const extra[] = { "-o", "threads=2", "-o",
	    "max_connections_per_ip=0", NULL };
	static struct waiter w[WAITERS];
	struct http_resp *r;
	double t0, worst = 0, dt;
	int i, n202 = 0;

	CHECK(harness_start(&inst, NULL, extra, 1) == 0);
	r = http_json(inst.url, "PUT", "/v1/jails/b",
	    "{\"path\":\"/j/b\",\"state\":\"running\",\"depends\":[\"a\"]}");
	CHECK_INT(r->status, 201);
	http_free(r);
	CHECK(http_wait_field(inst.url, "/v1/jails/b", "/status/phase",
	    "pending", 10000) == 0);

	t0 = harness_now_s();
	for (i = 0; i < WAITERS; i++)
		CHECK(pthread_create(&w[i].t, NULL, wait_main, &w[i]) == 0);
	/* Let them all arrive and suspend. */
	harness_msleep(1000);
	/* Meanwhile everything else is answered at once. */
	for (i = 0; i < 40; i++) {
		double s = harness_now_s();
		r = http_get(inst.url, i % 2 ? "/v1/jails/b" : "/v1/jails");
		CHECK_INT(r->status, 200);
		http_free(r);
		dt = harness_now_s() - s;
		if (dt > worst)
			worst = dt;
	}
	printf("# slowest other request while %d wait: %.3f s\n", WAITERS,
	    worst);
	CHECK(worst < 1.0);
	CHECK(harness_now_s() - t0 < WAIT_S);	/* all that happened mid-wait */

	for (i = 0; i < WAITERS; i++)
		pthread_join(w[i].t, NULL);
	for (i = 0; i < WAITERS; i++) {
		CHECK_INT(w[i].status, 202);
		CHECK_STR(w[i].phase, "pending");
		/* answered when the time was up, not before */
		CHECK(w[i].seconds >= WAIT_S - 0.5);
		CHECK(w[i].seconds < WAIT_S + 10);
		n202++;
	}
	CHECK_INT(n202, WAITERS);

	/* Still healthy afterwards, and SIGTERM is a clean exit. */
	r = http_get(inst.url, "/healthz");
	CHECK_INT(r->status, 200);
	http_free(r);
	{
		int st = harness_kill(&inst, 15);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	harness_stop(&inst);
	return check_done();
}
