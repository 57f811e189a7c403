/*
 * test_jails_idempotency.c - Idempotency-Key on POST /v1/jails: a retry
 * with the same key and body gets the first answer again (status, body,
 * ETag, Location), the same key with another body is a 422, a bad key is a
 * 400, and racing requests with one key get either the first answer or a
 * 409 "in progress", never a second execution.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/lib/api.h"
#include "tests/lib/check.h"
#include "tests/lib/harness.h"

#define NRACE	20
#define ROUNDS	15

static struct jd_instance inst;

static struct http_resp *
post(const char *base, const char *key, const char *body)
{
	char hdr[400];
	const char *hdrs[2] = { hdr, NULL };

	snprintf(hdr, sizeof(hdr), "Idempotency-Key: %s", key);
	return api_send(base, "POST", "/v1/jails", NULL, body,
	    key ? hdrs : NULL);
}

static int
count_jails(void)
{
	struct http_resp *r = http_get(inst.url, "/v1/jails?limit=1000");
	int n;

	CHECK_INT(r->status, 200);
	n = (int)json_array_size(jptr(r->json, "/items"));
	http_free(r);
	return n;
}

static void
test_replay(void)
{
	const char *body = "{\"name\":\"i1\",\"path\":\"/j/i1\","
	    "\"labels\":{\"k\":\"v\"}}";
	struct http_resp *a, *b, *g;

	a = post(inst.url, "key-one", body);
	CHECK_INT(a->status, 201);
	/* Let the reconciler move the jail on, so a replay that re-read
	 * the jail would differ from the first answer. */
	CHECK(http_wait_field(inst.url, "/v1/jails/i1",
	    "/status/observed_generation", "1", 20000) == 0);
	g = http_get(inst.url, "/v1/jails/i1");
	CHECK(json_integer_value(jptr(g->json, "/resource_version")) >
	    json_integer_value(jptr(a->json, "/resource_version")));

	b = post(inst.url, "key-one", body);
	CHECK_INT(b->status, 201);
	CHECK_INT(b->len, a->len);
	CHECK(memcmp(a->body, b->body, a->len) == 0);
	CHECK_STR(http_header(b, "Content-Type"), "application/json");
	CHECK(http_header(a, "ETag") != NULL);
	{
		char ea[64];
		snprintf(ea, sizeof(ea), "%s", http_header(a, "ETag"));
		CHECK_STR(http_header(b, "ETag"), ea);
	}
	CHECK_STR(http_header(b, "Location"), "/v1/jails/i1");
	CHECK_INT(json_integer_value(jptr(b->json, "/resource_version")),
	    json_integer_value(jptr(a->json, "/resource_version")));
	/* The replay did not write: the jail is as it was. */
	http_free(b);
	b = http_get(inst.url, "/v1/jails/i1");
	CHECK_INT(json_integer_value(jptr(b->json, "/resource_version")),
	    json_integer_value(jptr(g->json, "/resource_version")));
	CHECK_INT(json_integer_value(jptr(b->json, "/generation")), 1);
	http_free(b);
	http_free(g);
	CHECK_INT(count_jails(), 1);

	/* Without a key the same body is a plain conflict. */
	b = post(inst.url, NULL, body);
	CHECK_INT(b->status, 409);
	http_free(b);

	/* Same key, another body: 422, and that body's jail is not made. */
	b = post(inst.url, "key-one", "{\"name\":\"i2\",\"path\":\"/j/i2\"}");
	CHECK_INT(b->status, 422);
	CHECK_STR(json_string_value(jptr(b->json, "/code")), "invalid");
	CHECK_CONTAINS(json_string_value(jptr(b->json, "/detail")),
	    "Idempotency-Key");
	http_free(b);
	g = http_get(inst.url, "/v1/jails/i2");
	CHECK_INT(g->status, 404);
	http_free(g);
	/* Same key, a body that differs only by a field value. */
	b = post(inst.url, "key-one", "{\"name\":\"i1\",\"path\":\"/j/i1\","
	    "\"labels\":{\"k\":\"w\"}}");
	CHECK_INT(b->status, 422);
	http_free(b);

	/* Another key with that body creates i2. */
	b = post(inst.url, "key-two", "{\"name\":\"i2\",\"path\":\"/j/i2\"}");
	CHECK_INT(b->status, 201);
	http_free(b);
	CHECK_INT(count_jails(), 2);
	http_free(a);

	/* Bad keys: empty, too long, not printable ASCII. */
	{
		char longkey[300];
		memset(longkey, 'k', 256);
		longkey[256] = '\0';
		b = post(inst.url, longkey,
		    "{\"name\":\"i3\",\"path\":\"/j/i3\"}");
		CHECK_INT(b->status, 400);
		CHECK_STR(json_string_value(jptr(b->json, "/errors/0/field")),
		    "/headers/Idempotency-Key");
		http_free(b);
		longkey[255] = '\0';
		b = post(inst.url, longkey,
		    "{\"name\":\"i3\",\"path\":\"/j/i3\"}");
		CHECK_INT(b->status, 201);
		http_free(b);
	}
	CHECK_INT(count_jails(), 3);
}

struct racer {
	pthread_barrier_t	*go;
	const char		*base;
	const char		*key;
	const char		*body;
	struct http_resp	 r;
	int			 rc;
};

static void *
race_one(void *arg)
{
	struct racer *x = arg;
	char hdr[300];
	const char *hdrs[2] = { hdr, NULL };

	snprintf(hdr, sizeof(hdr), "Idempotency-Key: %s", x->key);
	pthread_barrier_wait(x->go);
	x->rc = http_do(x->base, "POST", "/v1/jails", NULL, x->body, hdrs,
	    &x->r);
	return NULL;
}

/*
 * NRACE threads POST one body with one key at once.  Returns how many got
 * the 409 "in progress".  Every answer must be the first answer (201,
 * byte-identical) or that 409; a 409 "already exists" would mean the
 * request ran twice.
 */
static int
race(const char *base, int round)
{
	pthread_barrier_t go;
	pthread_t th[NRACE];
	struct racer x[NRACE];
	char key[64], body[128], path[64];
	const char *first = NULL;
	size_t firstlen = 0;
	int i, n201 = 0, n409 = 0;
	struct http_resp *g;

	snprintf(key, sizeof(key), "race-%d", round);
	snprintf(body, sizeof(body), "{\"name\":\"race%d\","
	    "\"path\":\"/j/race%d\"}", round, round);
	pthread_barrier_init(&go, NULL, NRACE);
	for (i = 0; i < NRACE; i++) {
		memset(&x[i], 0, sizeof(x[i]));
		x[i].go = &go;
		x[i].base = base;
		x[i].key = key;
		x[i].body = body;
		CHECK(pthread_create(&th[i], NULL, race_one, &x[i]) == 0);
	}
	for (i = 0; i < NRACE; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	for (i = 0; i < NRACE; i++) {
		CHECK_INT(x[i].rc, 0);
		if (x[i].r.status == 201) {
			n201++;
			if (first == NULL) {
				first = x[i].r.body;
				firstlen = x[i].r.len;
			}
			CHECK_INT(x[i].r.len, firstlen);
			CHECK(memcmp(x[i].r.body, first, firstlen) == 0);
		} else {
			if (x[i].r.status != 409)
				printf("# racer %d: %ld %s\n", i,
				    x[i].r.status, x[i].r.body);
			CHECK_INT(x[i].r.status, 409);
			CHECK_CONTAINS(json_string_value(jptr(x[i].r.json,
			    "/detail")), "in progress");
			n409++;
		}
	}
	/* The first request always completes with a 201. */
	CHECK(n201 >= 1);
	CHECK_INT(n201 + n409, NRACE);
	snprintf(path, sizeof(path), "/v1/jails/race%d", round);
	g = http_get(inst.url, path);
	CHECK_INT(g->status, 200);
	CHECK_INT(json_integer_value(jptr(g->json, "/generation")), 1);
	http_free(g);
	for (i = 0; i < NRACE; i++)
		http_resp_free(&x[i].r);
	return n409;
}

static void
test_race(void)
{
	int before, round, seen409 = 0, n;

	before = count_jails();
	/* Through the proxy first, then straight at jaild, where requests
	 * arrive closer together; stop once a 409 was seen. */
	for (round = 0; round < ROUNDS && seen409 == 0; round++) {
		n = race(round < 5 ? inst.url : inst.direct, round);
		printf("# round %d (%s): %d of %d answered 409\n", round,
		    round < 5 ? "proxy" : "direct", n, NRACE);
		seen409 += n;
	}
	CHECK_INT(count_jails(), before + round);
	/* The in-flight guard answered at least once. */
	CHECK(seen409 > 0);
}

int
main(void)
{
	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	test_replay();
	test_race();
	harness_stop(&inst);
	return check_done();
}
