/*
 * test_jails_list.c - GET /v1/jails: 250 jails paged by keyset cursors
 * (every name once, in name order, next_cursor null on the last page),
 * the state, phase and label filters (labels ANDed, combined with state),
 * and a cursor from one filter refused under another.
 *
 * Jail i is "j%03d" with labels tier=even|odd (i % 2) and zone=z(i % 3);
 * every 50th is state running.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/lib/check.h"
#include "tests/lib/harness.h"

#define NJAILS		250
#define NTHREADS	10

static struct jd_instance inst;

static void
put_one(int i, long *status)
{
	char path[64], body[256];
	struct http_resp r;
	int tries;

	snprintf(path, sizeof(path), "/v1/jails/j%03d", i);
	snprintf(body, sizeof(body), "{\"path\":\"/j/j%03d\",\"state\":\"%s\","
	    "\"labels\":{\"tier\":\"%s\",\"zone\":\"z%d\"}}", i,
	    i % 50 == 0 ? "running" : "stopped", i % 2 ? "odd" : "even",
	    i % 3);
	*status = -1;
	/* A transport failure (seen from prism on a loaded machine) is
	 * retried; a PUT is safe to repeat, and the retry answers 200 if
	 * the first attempt did land.  The walks below check every jail. */
	for (tries = 0; tries < 3 && *status == -1; tries++) {
		if (http_do(inst.url, "PUT", path, NULL, body, NULL, &r) == 0) {
			*status = r.status;
			if (tries > 0 && r.status == 200)
				*status = 201;
		} else
			printf("# PUT %s: transport failure, retrying\n",
			    path);
		http_resp_free(&r);
	}
}

struct filler {
	int	t;
	long	status[NJAILS];
};

static void *
fill(void *arg)
{
	struct filler *f = arg;
	int i;

	for (i = f->t; i < NJAILS; i += NTHREADS)
		put_one(i, &f->status[i]);
	return NULL;
}

static void
create_all(void)
{
	static struct filler f[NTHREADS];
	pthread_t th[NTHREADS];
	int t, i;

	for (t = 0; t < NTHREADS; t++) {
		f[t].t = t;
		CHECK(pthread_create(&th[t], NULL, fill, &f[t]) == 0);
	}
	for (t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	for (i = 0; i < NJAILS; i++)
		CHECK_INT(f[i % NTHREADS].status[i], 201);
}

/*
 * Walk every page of query (with "?" already in it or not) and put the
 * names in out (malloc'd strings, caller frees).  Checks order within and
 * across pages, page sizes, and that the last page's next_cursor is null.
 */
static int
walk(const char *query, int limit, char **out, int max)
{
	char path[512], prev[64] = "";
	const char *cursor = NULL, *name;
	struct http_resp *r;
	json_t *it;
	size_t i, pages = 0;
	int n = 0;
	char *cur = NULL;

	for (;;) {
		snprintf(path, sizeof(path), "/v1/jails?%s", query);
		if (limit > 0)
			snprintf(path + strlen(path), sizeof(path) -
			    strlen(path), "%slimit=%d", query[0] ? "&" : "",
			    limit);
		if (cursor != NULL)
			snprintf(path + strlen(path), sizeof(path) -
			    strlen(path), "%scursor=%s", query[0] ||
			    limit > 0 ? "&" : "", cursor);
		r = http_get(inst.url, path);
		if (r->status != 200)
			printf("# %s -> %ld %s\n", path, r->status, r->body);
		CHECK_INT(r->status, 200);
		pages++;
		CHECK(json_is_array(jptr(r->json, "/items")));
		json_array_foreach(jptr(r->json, "/items"), i, it) {
			name = json_string_value(json_object_get(it, "name"));
			CHECK(name != NULL);
			/* strictly increasing: in order and no repeats */
			CHECK(strcmp(prev, name) < 0);
			snprintf(prev, sizeof(prev), "%s", name);
			CHECK(n < max);
			out[n++] = strdup(name);
		}
		it = jptr(r->json, "/next_cursor");
		CHECK(it != NULL);
		if (json_is_null(it)) {
			/* A last page is never over-full. */
			CHECK(json_array_size(jptr(r->json, "/items")) <=
			    (size_t)(limit > 0 ? limit : 100));
			http_free(r);
			break;
		}
		/* A page with a next cursor is full. */
		CHECK_INT(json_array_size(jptr(r->json, "/items")),
		    limit > 0 ? limit : 100);
		CHECK(json_is_string(it));
		free(cur);
		cur = strdup(json_string_value(it));
		cursor = cur;
		http_free(r);
		CHECK(pages < 1000);
	}
	free(cur);
	return n;
}

static void
free_names(char **v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(v[i]);
}

/* The names walk() found must be exactly the jails i with pred(i). */
static void
expect(const char *query, int limit, int (*pred)(int))
{
	static char *names[NJAILS + 1];
	char want[16];
	int n, i, k = 0;

	n = walk(query, limit, names, NJAILS + 1);
	for (i = 0; i < NJAILS; i++) {
		if (!pred(i))
			continue;
		snprintf(want, sizeof(want), "j%03d", i);
		CHECK(k < n);
		CHECK_STR(names[k], want);
		k++;
	}
	if (k != n)
		printf("# %s: %d names, want %d\n", query, n, k);
	CHECK_INT(n, k);
	free_names(names, n);
}

static int p_all(int i) { (void)i; return 1; }
static int p_running(int i) { return i % 50 == 0; }
static int p_stopped(int i) { return i % 50 != 0; }
static int p_even(int i) { return i % 2 == 0; }
static int p_even_z0(int i) { return i % 2 == 0 && i % 3 == 0; }
static int p_odd_z2(int i) { return i % 2 == 1 && i % 3 == 2; }
static int p_running_z0(int i) { return i % 50 == 0 && i % 3 == 0; }
static int p_none(int i) { (void)i; return 0; }

static void
wait_settled(void)
{
	struct http_resp *r;
	int tries, nrun = 0, nstop = 0;

	for (tries = 0; tries < 300; tries++) {
		r = http_get(inst.url, "/v1/jails?phase=running&limit=1000");
		nrun = (int)json_array_size(jptr(r->json, "/items"));
		http_free(r);
		r = http_get(inst.url, "/v1/jails?phase=stopped&limit=1000");
		nstop = (int)json_array_size(jptr(r->json, "/items"));
		http_free(r);
		if (nrun == 5 && nstop == NJAILS - 5)
			return;
		{
			struct timespec ts = { 0, 100000000L };
			nanosleep(&ts, NULL);
		}
	}
	printf("# phases did not settle: %d running, %d stopped\n", nrun,
	    nstop);
	CHECK(0);
}

static void
test_pages(void)
{
	struct http_resp *r;

	/* The default page size is 100: 100, 100, 50. */
	expect("", 0, p_all);
	/* An exact multiple: the second page ends the list. */
	expect("", 125, p_all);
	expect("", 1000, p_all);
	expect("", 7, p_all);

	r = http_get(inst.url, "/v1/jails?limit=1");
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 1);
	CHECK_STR(json_string_value(jptr(r->json, "/items/0/name")), "j000");
	/* Items are full jail documents. */
	CHECK_STR(json_string_value(jptr(r->json, "/items/0/path")),
	    "/j/j000");
	CHECK(json_is_object(jptr(r->json, "/items/0/status")));
	CHECK(json_is_string(jptr(r->json, "/next_cursor")));
	http_free(r);
}

static void
test_filters(void)
{
	expect("state=running", 0, p_running);
	expect("state=stopped", 0, p_stopped);
	expect("state=stopped", 60, p_stopped);
	expect("phase=running", 0, p_running);
	expect("phase=stopped", 100, p_stopped);
	expect("phase=pending", 0, p_none);
	expect("label=tier=even", 30, p_even);
	expect("label=tier=even&label=zone=z0", 0, p_even_z0);
	expect("label=zone=z2&label=tier=odd", 9, p_odd_z2);
	expect("state=running&label=zone=z0", 0, p_running_z0);
	expect("label=tier=none", 0, p_none);
	expect("label=nosuchkey=x", 0, p_none);
}

static void
test_cursor_mismatch(void)
{
	struct http_resp *r;
	char cursor[256], path[400];

	r = http_get(inst.url, "/v1/jails?label=tier=even&limit=10");
	CHECK_INT(r->status, 200);
	CHECK(json_is_string(jptr(r->json, "/next_cursor")));
	snprintf(cursor, sizeof(cursor), "%s",
	    json_string_value(jptr(r->json, "/next_cursor")));
	http_free(r);

	/* The same filter accepts it (with another limit, too). */
	snprintf(path, sizeof(path), "/v1/jails?label=tier=even&limit=5&"
	    "cursor=%s", cursor);
	r = http_get(inst.url, path);
	CHECK_INT(r->status, 200);
	CHECK_STR(json_string_value(jptr(r->json, "/items/0/name")), "j020");
	http_free(r);

	/* Another filter, or none, refuses it. */
	snprintf(path, sizeof(path), "/v1/jails?state=running&cursor=%s",
	    cursor);
	r = http_get(inst.url, path);
	CHECK_INT(r->status, 400);
	CHECK_STR(json_string_value(jptr(r->json, "/errors/0/field")),
	    "/query/cursor");
	http_free(r);
	snprintf(path, sizeof(path), "/v1/jails?label=tier=odd&cursor=%s",
	    cursor);
	r = http_get(inst.url, path);
	CHECK_INT(r->status, 400);
	CHECK_STR(json_string_value(jptr(r->json, "/errors/0/field")),
	    "/query/cursor");
	http_free(r);
	snprintf(path, sizeof(path), "/v1/jails?cursor=%s", cursor);
	r = http_get(inst.url, path);
	CHECK_INT(r->status, 400);
	CHECK_STR(json_string_value(jptr(r->json, "/errors/0/field")),
	    "/query/cursor");
	http_free(r);
}

int
main(void)
{
	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	create_all();
	wait_settled();
	test_pages();
	test_filters();
	test_cursor_mismatch();
	harness_stop(&inst);
	return check_done();
}
