/*
 * test_reconcile_restart.c - a create-only change on a running jail:
 * needs_restart with restart_policy manual, a restart with auto.
 *
 * path and params.osrelease cannot change on a live prison (jail_set
 * JAIL_UPDATE refuses them).  With restart_policy manual the jail must keep
 * running on the old prison, its status.drift naming the field with reason
 * needs_restart and status.message telling to restart; with auto jaild
 * must stop and recreate it (new jid, a restarted event, no drift left).
 *
 * Some properties are recorded as they are seen and judged at the end
 * (deferred), so that one broken detail does not hide the others.
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

static char deferred[16][700];
static int ndeferred;

/* A check judged at the end of the test (see the file comment). */
#define DEFER(e, what) do {						\
	if (e)								\
		check_pass();						\
	else if (ndeferred < 16)					\
		snprintf(deferred[ndeferred++], sizeof(deferred[0]),	\
		    "%s:%d: %s (%s)", __FILE__, __LINE__, #e, what);	\
} while (0)

static const char r1_body[] =
    "{\"path\":\"/j/r1\",\"state\":\"running\",\"restart_policy\":\"manual\","
    "\"ips\":[{\"interface\":\"em0\",\"address\":\"10.40.0.1\"}],"
    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\",\"ruleset\":4}]}";

static void
sim_param(const char *name, const char *param, char *out, size_t outsz)
{
	json_t *p = sim_prison(name);
	json_t *v = p ? json_object_get(json_object_get(p, "params"), param) :
	    NULL;

	snprintf(out, outsz, "%s", json_is_string(v) ? json_string_value(v) :
	    "");
	json_decref(p);
}

/* The needs_restart drift entry for field in doc, or NULL (borrowed). */
static json_t *
needs_restart(json_t *doc, const char *field)
{
	json_t *it;
	size_t i;

	json_array_foreach(jptr(doc, "/status/drift"), i, it)
		if (jstr(it, "/reason") != NULL &&
		    strcmp(jstr(it, "/reason"), "needs_restart") == 0 &&
		    jstr(it, "/field") != NULL &&
		    strcmp(jstr(it, "/field"), field) == 0)
			return it;
	return NULL;
}

static int
wait_restarted(long long since, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	int n;

	while ((n = count_events("r1", "restarted", since)) == 0 &&
	    now_ms() < end)
		msleep(100);
	return n;
}

int
main(void)
{
	json_t *doc, *it, *p;
	long long since;
	char val[64], *out;
	int jid, jid2, k;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	doc = REQ("PUT", "/v1/jails/r1?wait=30", r1_body, 201);
	CHECK_STR(jstr(doc, "/status/phase"), "running");
	jid = (int)jint(doc, "/status/jid");
	CHECK(jid > 0);
	json_decref(doc);

	/* a. path changes, restart_policy manual: needs_restart. */
	since = last_event_id();
	doc = REQ("PATCH", "/v1/jails/r1", "{\"path\":\"/j/r1-new\"}", 200);
	CHECK_INT(jint(doc, "/generation"), 2);
	json_decref(doc);
	doc = wait_phase("r1", "running", 0, 5000);
	CHECK_INT(jint(doc, "/status/jid"), jid);
	it = needs_restart(doc, "/path");
	CHECK(it != NULL);
	CHECK_STR(jstr(it, "/desired"), "/j/r1-new");
	CHECK_STR(jstr(it, "/observed"), "/j/r1");
	DEFER(jstr(doc, "/status/message") != NULL,
	    "status.message is set as soon as the generation is observed with "
	    "a needs_restart drift");
	json_decref(doc);
	/* It stays running on the old prison over several resyncs. */
	for (k = 0; k < 3; k++) {
		msleep(1000);
		doc = jail_get("r1");
		CHECK_STR(jstr(doc, "/status/phase"), "running");
		CHECK_INT(jint(doc, "/status/jid"), jid);
		CHECK(needs_restart(doc, "/path") != NULL);
		json_decref(doc);
	}
	doc = jail_get("r1");
	CHECK(jstr(doc, "/status/message") != NULL);
	CHECK_CONTAINS(jstr(doc, "/status/message"), "restart");
	json_decref(doc);
	p = sim_prison("r1");
	CHECK(p != NULL);
	CHECK_INT(jint(p, "/jid"), jid);
	CHECK_STR(jstr(p, "/path"), "/j/r1");
	json_decref(p);
	CHECK_INT(count_events("r1", "restarted", since), 0);
	out = SIM_OK("mounts");
	DEFER(strstr(out, "devfs on /j/r1/dev ") != NULL,
	    "the running prison (root /j/r1) keeps its devfs while the path "
	    "change waits for a restart");
	DEFER(strstr(out, "/j/r1-new/") == NULL,
	    "nothing is mounted under the new root before the restart");
	free(out);

	/* b. restart_policy auto: restarted at the new path. */
	since = last_event_id();
	json_decref(REQ("PATCH", "/v1/jails/r1",
	    "{\"restart_policy\":\"auto\"}", 200));
	doc = wait_phase("r1", "running", jid, 8000);
	jid2 = (int)jint(doc, "/status/jid");
	CHECK(jid2 > jid);
	CHECK_INT(json_array_size(jptr(doc, "/status/drift")), 0);
	CHECK(json_is_null(jptr(doc, "/status/message")));
	json_decref(doc);
	CHECK(wait_restarted(since, 3000) >= 1);
	p = sim_prison("r1");
	CHECK(p != NULL);
	CHECK_INT(jint(p, "/jid"), jid2);
	CHECK_STR(jstr(p, "/path"), "/j/r1-new");
	json_decref(p);
	out = SIM_OK("mounts");
	CHECK_CONTAINS(out, "devfs on /j/r1-new/dev (devfs, ruleset=4)");
	CHECK(strstr(out, "/j/r1/dev") == NULL);	/* not leaked */
	free(out);
	out = SIM_OK("addrs");
	CHECK_CONTAINS(out, "em0 inet 10.40.0.1/32");
	free(out);
	jid = jid2;

	/* c. params.osrelease with manual again: needs_restart. */
	since = last_event_id();
	json_decref(REQ("PATCH", "/v1/jails/r1", "{\"restart_policy\":"
	    "\"manual\",\"params\":{\"osrelease\":\"13.2-RELEASE\"}}", 200));
	doc = wait_phase("r1", "running", 0, 5000);
	CHECK_INT(jint(doc, "/status/jid"), jid);
	it = needs_restart(doc, "/params/osrelease");
	CHECK(it != NULL);
	CHECK_STR(jstr(it, "/desired"), "13.2-RELEASE");
	json_decref(doc);
	msleep(2000);
	doc = jail_get("r1");
	CHECK_INT(jint(doc, "/status/jid"), jid);
	CHECK(needs_restart(doc, "/params/osrelease") != NULL);
	CHECK(jstr(doc, "/status/message") != NULL);
	json_decref(doc);
	sim_param("r1", "osrelease", val, sizeof(val));
	CHECK_STR(val, "14.1-RELEASE");

	/* d. and auto applies it with a restart. */
	json_decref(REQ("PATCH", "/v1/jails/r1",
	    "{\"restart_policy\":\"auto\"}", 200));
	doc = wait_phase("r1", "running", jid, 8000);
	CHECK_INT(json_array_size(jptr(doc, "/status/drift")), 0);
	jid2 = (int)jint(doc, "/status/jid");
	json_decref(doc);
	CHECK(wait_restarted(since, 3000) >= 1);
	CHECK_INT(sim_prison_jid("r1"), jid2);
	sim_param("r1", "osrelease", val, sizeof(val));
	CHECK_STR(val, "13.2-RELEASE");

	harness_stop(&inst);
	for (k = 0; k < ndeferred; k++)
		printf("# deferred failure: %s\n", deferred[k]);
	if (ndeferred > 0)
		check_fail(__FILE__, __LINE__, "deferred checks", deferred[0]);
	return check_done();
}
