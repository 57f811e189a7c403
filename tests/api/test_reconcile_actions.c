/*
 * test_reconcile_actions.c - ?wait on writes and actions, the start, stop
 * and restart actions, and DELETE tearing the prison down.
 *
 * A write or action with ?wait=S (or Prefer: wait=S) answers when the
 * reconciler has observed the written generation and the phase settled
 * (200, or 201 for a creating PUT), or 202 with the current document when
 * the time is up (forced here with a sim delay on create); without a wait
 * the actions answer 202 at once.  DELETE ?wait answers 204 once the
 * prison, its alias and its mount are gone; DELETE without a wait answers
 * 202 with phase deleting and the jail is 404 soon after.
 */
#include <sys/wait.h>

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

static const char a1_body[] =
    "{\"path\":\"/j/a1\",\"state\":\"running\",\"labels\":{\"v\":\"%d\"},"
    "\"ips\":[{\"interface\":\"em0\",\"address\":\"10.60.0.1\"}],"
    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\",\"ruleset\":4}]}";

static const char a2_body[] =
    "{\"path\":\"/j/a2\",\"state\":\"running\","
    "\"ips\":[{\"interface\":\"em0\",\"address\":\"10.60.0.2\"}],"
    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\",\"ruleset\":4}]}";

static char *
a1(int v)
{
	static char b[512];

	snprintf(b, sizeof(b), a1_body, v);
	return b;
}

/* Nothing of jail name (alias address) is left on the host. */
static void
check_gone(const char *name, const char *address)
{
	char *out, needle[64];

	CHECK_INT(sim_prison_jid(name), 0);
	out = SIM_OK("addrs");
	CHECK(strstr(out, address) == NULL);
	free(out);
	out = SIM_OK("mounts");
	snprintf(needle, sizeof(needle), "/j/%s/", name);
	CHECK(strstr(out, needle) == NULL);
	free(out);
}

/* A settled answer: phase, observed_generation == generation. */
static void
check_settled(json_t *doc, const char *phase)
{
	CHECK_STR(jstr(doc, "/status/phase"), phase);
	CHECK_INT(jint(doc, "/status/observed_generation"),
	    jint(doc, "/generation"));
}

int
main(void)
{
	const char *const prefer[] = { "Prefer: wait=30", NULL };
	struct http_resp r;
	json_t *doc;
	long long t0, elapsed, since;
	const char *phase;
	int jid, jid2;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);

	/* 13. PUT ?wait: created and settled. */
	doc = REQ("PUT", "/v1/jails/a1?wait=30", a1(1), 201);
	check_settled(doc, "running");
	jid = (int)jint(doc, "/status/jid");
	CHECK(jid > 0);
	CHECK_INT(sim_prison_jid("a1"), jid);
	json_decref(doc);
	/* a replacing PUT of the running jail: 200 once settled */
	doc = REQ("PUT", "/v1/jails/a1?wait=30", a1(2), 200);
	CHECK_INT(jint(doc, "/generation"), 2);
	check_settled(doc, "running");
	CHECK_INT(jint(doc, "/status/jid"), jid);
	json_decref(doc);
	/* wait=0: the time is up at once, 202 with the document */
	doc = REQ("PUT", "/v1/jails/a1?wait=0", a1(3), 202);
	CHECK_INT(jint(doc, "/generation"), 3);
	CHECK_STR(jstr(doc, "/name"), "a1");
	json_decref(doc);
	doc = wait_phase("a1", "running", 0, 5000);
	json_decref(doc);

	/* A slow host: wait=1 runs out, 202 with the current document. */
	free(SIM_OK("delay create 4000"));
	t0 = now_ms();
	doc = REQ("PUT", "/v1/jails/a2?wait=1", a2_body, 202);
	elapsed = now_ms() - t0;
	CHECK(elapsed >= 900);
	CHECK(elapsed < 3500);
	CHECK_STR(jstr(doc, "/name"), "a2");
	CHECK_INT(jint(doc, "/generation"), 1);
	phase = jstr(doc, "/status/phase");
	CHECK(phase != NULL && (strcmp(phase, "pending") == 0 ||
	    strcmp(phase, "creating") == 0));
	json_decref(doc);
	doc = wait_phase("a2", "running", 0, 10000);
	json_decref(doc);
	free(SIM_OK("delay create 0"));

	/* 7. Actions with ?wait: 200 and the settled phase. */
	doc = REQ("POST", "/v1/jails/a1/stop?wait=30", NULL, 200);
	check_settled(doc, "stopped");
	CHECK(json_is_null(jptr(doc, "/status/jid")));
	json_decref(doc);
	check_gone("a1", "10.60.0.1");
	doc = REQ("POST", "/v1/jails/a1/start?wait=30", "{}", 200);
	check_settled(doc, "running");
	jid2 = (int)jint(doc, "/status/jid");
	CHECK(jid2 > jid);
	CHECK_INT(sim_prison_jid("a1"), jid2);
	json_decref(doc);
	since = last_event_id();
	doc = REQ("POST", "/v1/jails/a1/restart?wait=30", NULL, 200);
	check_settled(doc, "running");
	jid = (int)jint(doc, "/status/jid");
	CHECK(jid > jid2);
	CHECK_INT(sim_prison_jid("a1"), jid);
	json_decref(doc);
	CHECK(count_events("a1", "restarted", since) >= 1);
	/* Prefer: wait=30 on an action */
	CHECK(http_do(inst.url, "POST", "/v1/jails/a1/stop", NULL, NULL,
	    prefer, &r) == 0);
	CHECK_INT(r.status, 200);
	CHECK_STR(jstr(r.json, "/status/phase"), "stopped");
	http_resp_free(&r);

	/* Without a wait: 202 at once, then it settles. */
	doc = REQ("POST", "/v1/jails/a1/start", NULL, 202);
	CHECK_STR(jstr(doc, "/state"), "running");
	json_decref(doc);
	doc = wait_phase("a1", "running", 0, 5000);
	jid = (int)jint(doc, "/status/jid");
	json_decref(doc);
	doc = REQ("POST", "/v1/jails/a1/restart", "{}", 202);
	json_decref(doc);
	doc = wait_phase("a1", "running", jid, 5000);
	jid = (int)jint(doc, "/status/jid");
	json_decref(doc);
	doc = REQ("POST", "/v1/jails/a1/stop", NULL, 202);
	CHECK_STR(jstr(doc, "/state"), "stopped");
	json_decref(doc);
	doc = wait_phase("a1", "stopped", 0, 5000);
	json_decref(doc);
	check_gone("a1", "10.60.0.1");
	doc = REQ("POST", "/v1/jails/a1/start?wait=30", NULL, 200);
	check_settled(doc, "running");
	json_decref(doc);

	/* 9. DELETE ?wait on a running jail: 204 once torn down. */
	CHECK(http_do(inst.url, "DELETE", "/v1/jails/a1?wait=30", NULL, NULL,
	    NULL, &r) == 0);
	CHECK_INT(r.status, 204);
	CHECK_INT(r.len, 0);
	http_resp_free(&r);
	check_gone("a1", "10.60.0.1");
	doc = jail_get("a1");
	CHECK(doc == NULL);
	CHECK(count_events("a1", "deleted", 0) == 1);

	/* DELETE without a wait: 202 deleting, then 404. */
	doc = REQ("DELETE", "/v1/jails/a2", NULL, 202);
	CHECK_STR(jstr(doc, "/status/phase"), "deleting");
	json_decref(doc);
	t0 = now_ms();
	while ((doc = jail_get("a2")) != NULL && now_ms() - t0 < 5000) {
		CHECK_STR(jstr(doc, "/status/phase"), "deleting");
		json_decref(doc);
		msleep(100);
	}
	CHECK(doc == NULL);
	check_gone("a2", "10.60.0.2");

	harness_stop(&inst);
	return check_done();
}
