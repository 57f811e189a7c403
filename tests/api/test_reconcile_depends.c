/*
 * test_reconcile_depends.c - starts and stops ordered by depends.
 *
 * b depends on a.  b is created first (state running) and must wait in
 * phase pending with a message naming a, without any prison being created
 * for it; once a is defined both run, and the sim's journal shows a's
 * create before b's.  Then both are set to stopped while the reconciler is
 * busy (a third jail's create is delayed), so that one pass sees both
 * stops; the stop of a is written first, yet the journal must show b
 * removed before a.  Likewise two starts seen in one pass go dependency
 * first even when the dependent sorts first.
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

/* Offset of the first journal line starting with prefix, or -1. */
static long
line_at(const char *journal, const char *prefix)
{
	const char *p = journal;
	size_t n = strlen(prefix);

	while (*p != '\0') {
		if (strncmp(p, prefix, n) == 0)
			return (long)(p - journal);
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	return -1;
}

int
main(void)
{
	json_t *doc;
	char *journal, line[64];
	long at_a, at_b;
	long long end;
	int jid_a, jid_b, k;
	const char *phase;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	free(SIM_OK("journal --clear"));

	/* b first: it waits for a. */
	doc = REQ("PUT", "/v1/jails/b", "{\"path\":\"/j/b\",\"state\":"
	    "\"running\",\"depends\":[\"a\"]}", 201);
	json_decref(doc);
	end = now_ms() + 5000;
	for (;;) {
		doc = jail_get("b");
		phase = jstr(doc, "/status/phase");
		if ((phase != NULL && strcmp(phase, "pending") == 0 &&
		    jstr(doc, "/status/message") != NULL) || now_ms() > end)
			break;
		json_decref(doc);
		msleep(100);
	}
	CHECK_STR(jstr(doc, "/status/phase"), "pending");
	CHECK(jstr(doc, "/status/message") != NULL);
	CHECK_CONTAINS(jstr(doc, "/status/message"), "a");
	CHECK_CONTAINS(jstr(doc, "/status/message"), "depend");
	json_decref(doc);
	/* and keeps waiting over several resyncs */
	for (k = 0; k < 3; k++) {
		msleep(700);
		doc = jail_get("b");
		CHECK_STR(jstr(doc, "/status/phase"), "pending");
		CHECK(json_is_null(jptr(doc, "/status/jid")));
		json_decref(doc);
	}
	CHECK_INT(sim_prison_jid("b"), 0);
	journal = SIM_OK("journal");
	CHECK_INT(count_lines(journal, "create", NULL), 0);
	free(journal);

	/* a appears: both run, a created first. */
	json_decref(REQ("PUT", "/v1/jails/a",
	    "{\"path\":\"/j/a\",\"state\":\"running\"}", 201));
	doc = wait_phase("a", "running", 0, 5000);
	jid_a = (int)jint(doc, "/status/jid");
	json_decref(doc);
	doc = wait_phase("b", "running", 0, 5000);
	jid_b = (int)jint(doc, "/status/jid");
	CHECK(json_is_null(jptr(doc, "/status/message")));
	json_decref(doc);
	CHECK(jid_a > 0 && jid_b > 0);
	CHECK(jid_a < jid_b);
	journal = SIM_OK("journal");
	at_a = line_at(journal, "create name=a ");
	at_b = line_at(journal, "create name=b ");
	CHECK(at_a >= 0);
	CHECK(at_b >= 0);
	CHECK(at_a < at_b);
	CHECK_INT(count_lines(journal, "create", NULL), 2);
	free(journal);

	/*
	 * Stop both in one go: keep the reconciler inside a slow create of
	 * a third jail while the two writes land (a's first), so its next
	 * pass sees both.
	 */
	free(SIM_OK("journal --clear"));
	free(SIM_OK("delay create 3000"));
	json_decref(REQ("PUT", "/v1/jails/slow",
	    "{\"path\":\"/j/slow\",\"state\":\"running\"}", 201));
	end = now_ms() + 5000;
	for (;;) {
		doc = jail_get("slow");
		phase = jstr(doc, "/status/phase");
		if ((phase != NULL && strcmp(phase, "creating") == 0) ||
		    now_ms() > end)
			break;
		json_decref(doc);
		msleep(20);
	}
	CHECK_STR(phase, "creating");
	json_decref(doc);
	json_decref(REQ("PATCH", "/v1/jails/a", "{\"state\":\"stopped\"}",
	    200));
	json_decref(REQ("PATCH", "/v1/jails/b", "{\"state\":\"stopped\"}",
	    200));
	free(SIM_OK("delay create 0"));
	doc = wait_phase("a", "stopped", 0, 10000);
	json_decref(doc);
	doc = wait_phase("b", "stopped", 0, 10000);
	json_decref(doc);
	journal = SIM_OK("journal");
	snprintf(line, sizeof(line), "remove %d (a)", jid_a);
	at_a = line_at(journal, line);
	snprintf(line, sizeof(line), "remove %d (b)", jid_b);
	at_b = line_at(journal, line);
	CHECK(at_a >= 0);
	CHECK(at_b >= 0);
	CHECK(at_b < at_a);
	free(journal);
	CHECK_INT(sim_prison_jid("a"), 0);
	CHECK_INT(sim_prison_jid("b"), 0);

	/*
	 * Starts in one pass: c0 depends on zz, which sorts after it; keep
	 * the reconciler in a slow exec.start of another jail while both
	 * are written, then zz must still be created first.
	 */
	free(SIM_OK("journal --clear"));
	free(SIM_OK("delay exec 3000"));
	json_decref(REQ("PUT", "/v1/jails/slow2",
	    "{\"path\":\"/j/slow2\",\"state\":\"running\","
	    "\"exec\":{\"start\":[\"/bin/sh /etc/rc\"]}}", 201));
	end = now_ms() + 5000;
	for (;;) {
		doc = jail_get("slow2");
		phase = jstr(doc, "/status/phase");
		if ((phase != NULL && strcmp(phase, "creating") == 0) ||
		    now_ms() > end)
			break;
		json_decref(doc);
		msleep(20);
	}
	CHECK_STR(phase, "creating");
	json_decref(doc);
	json_decref(REQ("PUT", "/v1/jails/c0", "{\"path\":\"/j/c0\","
	    "\"state\":\"running\",\"depends\":[\"zz\"]}", 201));
	json_decref(REQ("PUT", "/v1/jails/zz",
	    "{\"path\":\"/j/zz\",\"state\":\"running\"}", 201));
	free(SIM_OK("delay exec 0"));
	json_decref(wait_phase("zz", "running", 0, 10000));
	json_decref(wait_phase("c0", "running", 0, 10000));
	journal = SIM_OK("journal");
	at_a = line_at(journal, "create name=zz ");
	at_b = line_at(journal, "create name=c0 ");
	CHECK(at_a >= 0);
	CHECK(at_b >= 0);
	CHECK(at_a < at_b);
	free(journal);

	harness_stop(&inst);
	return check_done();
}
