/*
 * test_reconcile_scale.c - desired state at scale, and restarting jaild.
 *
 * 100 jails are PUT concurrently with state running (each with an alias);
 * all must reach phase running with distinct jids and observed_generation
 * == generation, GET /v1/host must count them and /v1/host/prisons list
 * them as managed.  Then jaild is stopped with SIGTERM and started again on
 * the same data directory: the prisons must survive both (same jids) and
 * the simulated host's journal must show no remove or create by jaild
 * after the restart (issue 3: restarting jaild never stops or restarts
 * healthy jails).
 */
#include <sys/wait.h>

#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "tests/lib/check.h"
#include "tests/lib/harness.h"

/* ---- helpers (the same block opens every test_reconcile_*.c) ---- */

#pragma GCC diagnostic ignored "-Wunused-function"

static struct jd_instance inst;

static void
msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Run `jaild-sim --data-dir DATADIR ARGS` (the admin at the console);
 * returns its exit status and its standard output in *out (malloc'd, or
 * NULL when out is NULL).
 */
static int
sim(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
sim(char **out, const char *fmt, ...)
{
	char args[1024], cmd[1600], chunk[4096];
	const char *bin = getenv("JAILD_SIM_BIN");
	char *text = NULL, *nt;
	size_t len = 0, n;
	va_list ap;
	FILE *f;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s --data-dir %s %s",
	    bin != NULL && *bin ? bin : "build/jaild-sim", inst.datadir, args);
	f = popen(cmd, "r");
	if (f == NULL)
		check_fail(__FILE__, __LINE__, "popen jaild-sim", cmd);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		nt = realloc(text, len + n + 1);
		if (nt == NULL)
			break;
		text = nt;
		memcpy(text + len, chunk, n);
		len += n;
		text[len] = '\0';
	}
	st = pclose(f);
	if (text == NULL)
		text = strdup("");
	if (out != NULL)
		*out = text;
	else
		free(text);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* jaild-sim that must succeed; its output (caller frees). */
#define SIM_OK(...) sim_ok(__LINE__, __VA_ARGS__)
static char *
sim_ok(int line, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *
sim_ok(int line, const char *fmt, ...)
{
	char args[1024], d[1200];
	char *out;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	rc = sim(&out, "%s", args);
	if (rc != 0) {
		snprintf(d, sizeof(d), "jaild-sim %s exited %d", args, rc);
		check_fail(__FILE__, line, "jaild-sim succeeds", d);
	}
	check_pass();
	return out;
}

/* The live prison name in `jaild-sim ls --json`, or NULL (new reference). */
static json_t *
sim_prison(const char *name)
{
	char *out = SIM_OK("ls --json");
	json_t *root = json_loads(out, 0, NULL), *it, *found = NULL;
	size_t i;

	free(out);
	CHECK(root != NULL);
	json_array_foreach(json_object_get(root, "items"), i, it)
		if (strcmp(json_string_value(json_object_get(it, "name")),
		    name) == 0 && !json_is_true(json_object_get(it, "dying")))
			found = json_incref(it);
	json_decref(root);
	return found;
}

static int
sim_prison_jid(const char *name)
{
	json_t *p = sim_prison(name);
	int jid = p ? (int)json_integer_value(json_object_get(p, "jid")) : 0;

	json_decref(p);
	return jid;
}

/* Lines of text that start with prefix and contain needle (NULL: any). */
static int
count_lines(const char *text, const char *prefix, const char *needle)
{
	const char *p = text, *eol;
	char line[4096];
	size_t n;
	int count = 0;

	for (; *p != '\0'; p = *eol ? eol + 1 : eol) {
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		n = (size_t)(eol - p) < sizeof(line) - 1 ?
		    (size_t)(eol - p) : sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (strncmp(line, prefix, strlen(prefix)) == 0 &&
		    (needle == NULL || strstr(line, needle) != NULL))
			count++;
	}
	return count;
}

/* GET /v1/jails/NAME: the document, or NULL when 404 (new reference). */
static json_t *
jail_get(const char *name)
{
	char path[256];
	struct http_resp *r;
	json_t *doc = NULL;

	snprintf(path, sizeof(path), "/v1/jails/%s", name);
	r = http_get(inst.url, path);
	if (r->status == 200)
		doc = json_incref(r->json);
	else if (r->status != 404) {
		char d[300];
		snprintf(d, sizeof(d), "GET %s -> %ld", path, r->status);
		check_fail(__FILE__, __LINE__, "GET jail answers", d);
	}
	http_free(r);
	return doc;
}

static const char *
jstr(json_t *doc, const char *ptr)
{
	json_t *v = jptr(doc, ptr);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static long long
jint(json_t *doc, const char *ptr)
{
	json_t *v = jptr(doc, ptr);

	return json_is_integer(v) ? json_integer_value(v) : -1;
}

/*
 * Poll GET until the jail is in phase, at observed_generation ==
 * generation (and, with jid_not > 0, its jid differs from jid_not).
 * Returns the document (new reference) or fails the test with the last
 * one seen.
 */
static json_t *
wait_phase_line(int line, const char *name, const char *phase, int jid_not,
    int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	json_t *doc;
	char *text, d[1200];

	for (;;) {
		doc = jail_get(name);
		if (doc != NULL && jstr(doc, "/status/phase") != NULL &&
		    strcmp(jstr(doc, "/status/phase"), phase) == 0 &&
		    jint(doc, "/status/observed_generation") ==
		    jint(doc, "/generation") &&
		    (jid_not <= 0 || jint(doc, "/status/jid") != jid_not)) {
			check_pass();
			return doc;
		}
		if (now_ms() > end)
			break;
		json_decref(doc);
		msleep(100);
	}
	text = doc ? json_dumps(jptr(doc, "/status"), JSON_COMPACT) : NULL;
	snprintf(d, sizeof(d), "%s not %s within %d ms; status %.900s", name,
	    phase, timeout_ms, text ? text : "(404)");
	check_fail(__FILE__, line, "jail reaches phase", d);
}
#define wait_phase(n, ph, jn, t) wait_phase_line(__LINE__, n, ph, jn, t)

/* Events of jail name of type since id `since`. */
static int
count_events(const char *name, const char *type, long long since)
{
	char path[256];
	struct http_resp *r;
	json_t *it;
	size_t i;
	int n = 0;

	snprintf(path, sizeof(path), "/v1/events?jail=%s&since=%lld&limit=1000",
	    name, since);
	r = http_get(inst.url, path);
	CHECK_INT(r->status, 200);
	json_array_foreach(json_object_get(r->json, "items"), i, it) {
		CHECK_STR(json_string_value(json_object_get(it, "jail")),
		    name);
		if (strcmp(json_string_value(json_object_get(it, "type")),
		    type) == 0)
			n++;
	}
	http_free(r);
	return n;
}

/* The id of the newest event so far (for since=). */
static long long
last_event_id(void)
{
	struct http_resp *r;
	long long since = 0, next;

	for (;;) {
		char path[96];
		snprintf(path, sizeof(path), "/v1/events?since=%lld&limit=1000",
		    since);
		r = http_get(inst.url, path);
		CHECK_INT(r->status, 200);
		next = jint(r->json, "/next_since");
		if (json_array_size(json_object_get(r->json, "items")) == 0 ||
		    next <= since) {
			http_free(r);
			return since;
		}
		since = next;
		http_free(r);
	}
}

/* A request with a body; fails the test on a different status. */
static json_t *
req_line(int line, const char *method, const char *path, const char *body,
    long want)
{
	struct http_resp *r = http_json(inst.url, method, path, body);
	json_t *doc = json_incref(r->json);
	char d[900];

	if (r->status != want) {
		snprintf(d, sizeof(d), "%s %s -> %ld, want %ld: %.600s",
		    method, path, r->status, want, r->body ? r->body : "");
		check_fail(__FILE__, line, "status", d);
	}
	check_pass();
	http_free(r);
	return doc;
}
#define REQ(m, p, b, w) req_line(__LINE__, m, p, b, w)

/* ---- the test ---- */

#define NJAILS		100
#define NTHREADS	10

struct putter {
	int	first, step;
	long	status[NJAILS];
};

static void *
put_some(void *arg)
{
	struct putter *p = arg;
	struct http_resp r;
	char path[64], body[256];
	int i;

	for (i = p->first; i < NJAILS; i += p->step) {
		snprintf(path, sizeof(path), "/v1/jails/s%03d", i);
		snprintf(body, sizeof(body), "{\"path\":\"/j/s%03d\","
		    "\"state\":\"running\",\"labels\":{\"set\":\"scale\"},"
		    "\"ips\":[{\"interface\":\"em0\","
		    "\"address\":\"10.20.%d.%d\"}]}", i, i / 200, i % 200 + 1);
		if (http_do(inst.url, "PUT", path, NULL, body, NULL, &r) == 0)
			p->status[i] = r.status;
		else
			p->status[i] = -1;
		http_resp_free(&r);
	}
	return NULL;
}

/* GET /v1/jails?label=set=scale, every page; returns the items. */
static json_t *
list_scale(void)
{
	json_t *all = json_array(), *it;
	struct http_resp *r;
	char path[300];
	const char *cursor = NULL;
	char cur[200] = "";
	size_t i;

	for (;;) {
		snprintf(path, sizeof(path),
		    "/v1/jails?label=set%%3Dscale&limit=40%s%s",
		    cursor ? "&cursor=" : "", cursor ? cur : "");
		r = http_get(inst.url, path);
		CHECK_INT(r->status, 200);
		json_array_foreach(json_object_get(r->json, "items"), i, it)
			json_array_append(all, it);
		cursor = jstr(r->json, "/next_cursor");
		if (cursor == NULL) {
			http_free(r);
			break;
		}
		snprintf(cur, sizeof(cur), "%s", cursor);
		cursor = cur;
		http_free(r);
	}
	return all;
}

/* Whether all NJAILS jails are running at their generation. */
static int
all_running(json_t *items)
{
	json_t *it;
	size_t i;
	int n = 0;

	json_array_foreach(items, i, it)
		if (strcmp(jstr(it, "/status/phase"), "running") == 0 &&
		    jint(it, "/status/observed_generation") ==
		    jint(it, "/generation"))
			n++;
	return n == NJAILS;
}

int
main(void)
{
	static struct putter put[NTHREADS];
	pthread_t th[NTHREADS];
	json_t *items = NULL, *it, *host, *prisons;
	struct http_resp *r;
	int jids[NJAILS], seen[NJAILS];
	char *journal, *out, name[64];
	long long deadline, t0;
	size_t i;
	int t, idx;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	t0 = now_ms();

	/* 1. 100 jails, PUT concurrently. */
	for (t = 0; t < NTHREADS; t++) {
		put[t].first = t;
		put[t].step = NTHREADS;
		CHECK(pthread_create(&th[t], NULL, put_some, &put[t]) == 0);
	}
	for (t = 0; t < NTHREADS; t++)
		pthread_join(th[t], NULL);
	for (t = 0; t < NJAILS; t++)
		CHECK_INT(put[t % NTHREADS].status[t], 201);

	deadline = now_ms() + 45000;
	for (;;) {
		items = list_scale();
		if (all_running(items) || now_ms() > deadline)
			break;
		json_decref(items);
		msleep(250);
	}
	printf("# all running after %lld ms\n", now_ms() - t0);
	CHECK_INT(json_array_size(items), NJAILS);
	CHECK(all_running(items));
	memset(jids, 0, sizeof(jids));
	json_array_foreach(items, i, it) {
		CHECK(sscanf(jstr(it, "/name"), "s%d", &idx) == 1);
		CHECK(idx >= 0 && idx < NJAILS);
		CHECK_STR(jstr(it, "/status/phase"), "running");
		CHECK(jint(it, "/status/jid") > 0);
		CHECK_INT(jint(it, "/status/observed_generation"),
		    jint(it, "/generation"));
		CHECK(jptr(it, "/status/message") == NULL ||
		    json_is_null(jptr(it, "/status/message")));
		CHECK_INT(json_array_size(jptr(it, "/status/drift")), 0);
		jids[idx] = (int)jint(it, "/status/jid");
		/* distinct jids */
		for (t = 0; t < idx; t++)
			CHECK(jids[t] == 0 || jids[t] != jids[idx]);
		for (t = idx + 1; t < NJAILS; t++)
			CHECK(jids[t] == 0 || jids[t] != jids[idx]);
	}
	json_decref(items);
	for (t = 0; t < NJAILS; t++)
		CHECK(jids[t] > 0);

	/* The host agrees: each prison with the jid jaild reports. */
	out = SIM_OK("ls --json");
	prisons = json_loads(out, 0, NULL);
	free(out);
	CHECK(prisons != NULL);
	memset(seen, 0, sizeof(seen));
	json_array_foreach(json_object_get(prisons, "items"), i, it) {
		CHECK(sscanf(jstr(it, "/name"), "s%d", &idx) == 1);
		CHECK_INT(jint(it, "/jid"), jids[idx]);
		CHECK(!json_is_true(jptr(it, "/dying")));
		seen[idx]++;
	}
	json_decref(prisons);
	for (t = 0; t < NJAILS; t++)
		CHECK_INT(seen[t], 1);

	/* GET /v1/host counts them; the snapshot follows within a resync. */
	deadline = now_ms() + 5000;
	for (;;) {
		r = http_get(inst.url, "/v1/host");
		CHECK_INT(r->status, 200);
		host = json_incref(r->json);
		http_free(r);
		if (jint(host, "/counts/prisons") == NJAILS ||
		    now_ms() > deadline)
			break;
		json_decref(host);
		msleep(200);
	}
	CHECK_STR(jstr(host, "/backend"), "sim");
	CHECK_INT(jint(host, "/counts/jails"), NJAILS);
	CHECK_INT(jint(host, "/counts/running"), NJAILS);
	CHECK_INT(jint(host, "/counts/prisons"), NJAILS);
	CHECK_INT(jint(host, "/counts/unmanaged"), 0);
	json_decref(host);

	r = http_get(inst.url, "/v1/host/prisons");
	CHECK_INT(r->status, 200);
	CHECK_INT(json_array_size(json_object_get(r->json, "items")), NJAILS);
	memset(seen, 0, sizeof(seen));
	json_array_foreach(json_object_get(r->json, "items"), i, it) {
		CHECK(sscanf(jstr(it, "/name"), "s%d", &idx) == 1);
		CHECK(json_is_true(jptr(it, "/managed")));
		CHECK_INT(jint(it, "/jid"), jids[idx]);
		snprintf(name, sizeof(name), "10.20.%d.%d", idx / 200,
		    idx % 200 + 1);
		CHECK_STR(jstr(it, "/ips/0"), name);
		seen[idx]++;
	}
	http_free(r);
	for (t = 0; t < NJAILS; t++)
		CHECK_INT(seen[t], 1);

	/* 11. SIGTERM jaild: the prisons stay. */
	free(SIM_OK("journal --clear"));
	CHECK(WIFEXITED(harness_kill(&inst, SIGTERM)));
	out = SIM_OK("ls --json");
	prisons = json_loads(out, 0, NULL);
	free(out);
	CHECK_INT(json_array_size(json_object_get(prisons, "items")), NJAILS);
	json_decref(prisons);

	/* Start it again; give it several resyncs to (not) act. */
	CHECK(harness_restart(&inst) == 0);
	deadline = now_ms() + 20000;
	for (;;) {
		items = list_scale();
		if (all_running(items) || now_ms() > deadline)
			break;
		json_decref(items);
		msleep(250);
	}
	printf("# restarted and settled after %lld ms\n", now_ms() - t0);
	msleep(3500);
	json_decref(items);
	items = list_scale();
	CHECK_INT(json_array_size(items), NJAILS);
	CHECK(all_running(items));
	json_array_foreach(items, i, it) {
		CHECK(sscanf(jstr(it, "/name"), "s%d", &idx) == 1);
		CHECK_INT(jint(it, "/status/jid"), jids[idx]);
	}
	json_decref(items);
	/* The host still has the same prisons, none dying. */
	out = SIM_OK("ls --json --dying");
	prisons = json_loads(out, 0, NULL);
	free(out);
	CHECK(prisons != NULL);
	CHECK_INT(json_array_size(json_object_get(prisons, "items")), NJAILS);
	json_array_foreach(json_object_get(prisons, "items"), i, it) {
		CHECK(sscanf(jstr(it, "/name"), "s%d", &idx) == 1);
		CHECK_INT(jint(it, "/jid"), jids[idx]);
		CHECK(!json_is_true(jptr(it, "/dying")));
	}
	json_decref(prisons);
	journal = SIM_OK("journal");
	/* Nothing jaild did to the host since the restart changed it. */
	CHECK_INT(count_lines(journal, "create", NULL), 0);
	CHECK_INT(count_lines(journal, "remove", NULL), 0);
	CHECK_INT(count_lines(journal, "addr_", NULL), 0);
	CHECK_INT(count_lines(journal, "mount", NULL), 0);
	CHECK_INT(count_lines(journal, "unmount", NULL), 0);
	CHECK_INT(count_lines(journal, "signal", NULL), 0);
	CHECK_INT(count_lines(journal, "update", NULL), 0);
	free(journal);
	printf("# done after %lld ms\n", now_ms() - t0);
	harness_stop(&inst);
	return check_done();
}
