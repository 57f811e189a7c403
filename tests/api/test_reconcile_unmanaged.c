/*
 * test_reconcile_unmanaged.c - prisons jaild does not manage are left
 * alone, a jail with the same name fails with advice, and adopt turns such
 * a prison into a managed jail without recreating it.
 *
 * The admin creates "other" (and "stray") with jaild-sim.  They show in
 * /v1/host/prisons with managed false; a jail named "other" fails with a
 * message saying to adopt or remove the prison, and neither its failure
 * nor its DELETE touches the prison.  POST /v1/host/prisons/other/adopt
 * then gives a managed running jail with the prison's jid, and the sim's
 * journal shows no create or remove by jaild.
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

/* The entry for name in GET /v1/host/prisons, or NULL (new reference). */
static json_t *
host_prison(const char *name)
{
	struct http_resp *r = http_get(inst.url, "/v1/host/prisons");
	json_t *it, *found = NULL;
	size_t i;

	CHECK_INT(r->status, 200);
	json_array_foreach(json_object_get(r->json, "items"), i, it)
		if (strcmp(jstr(it, "/name"), name) == 0)
			found = json_incref(it);
	http_free(r);
	return found;
}

/* Poll /v1/host/prisons until name is listed with managed == managed. */
static json_t *
wait_host_prison(const char *name, int managed, int timeout_ms)
{
	long long end = now_ms() + timeout_ms;
	json_t *p;

	for (;;) {
		p = host_prison(name);
		if ((p != NULL && json_is_boolean(jptr(p, "/managed")) &&
		    json_is_true(jptr(p, "/managed")) == managed) ||
		    now_ms() > end)
			return p;
		json_decref(p);
		msleep(100);
	}
}

/* Journal lines by jaild (not "admin ...") that start with op. */
static int
jaild_lines(const char *op)
{
	char *journal = SIM_OK("journal");
	int n = count_lines(journal, op, NULL);

	free(journal);
	return n;
}

int
main(void)
{
	struct http_resp *r;
	json_t *doc, *p;
	const char *msg;
	char *journal;
	int jid, stray, k;

	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	free(SIM_OK("create other path=/x host.hostname=other.test "
	    "securelevel=1"));
	free(SIM_OK("create stray path=/y"));
	jid = sim_prison_jid("other");
	stray = sim_prison_jid("stray");
	CHECK(jid > 0);
	CHECK(stray > jid);

	/* Listed, unmanaged. */
	p = wait_host_prison("other", 0, 5000);
	CHECK(p != NULL);
	CHECK(json_is_false(jptr(p, "/managed")));
	CHECK_INT(jint(p, "/jid"), jid);
	CHECK_STR(jstr(p, "/path"), "/x");
	CHECK_STR(jstr(p, "/hostname"), "other.test");
	json_decref(p);
	r = http_get(inst.url, "/v1/host");
	CHECK_INT(r->status, 200);
	CHECK_INT(jint(r->json, "/counts/prisons"), 2);
	CHECK_INT(jint(r->json, "/counts/unmanaged"), 2);
	CHECK_INT(jint(r->json, "/counts/jails"), 0);
	http_free(r);

	/* A jail of the same name: failed, with advice; prison untouched. */
	json_decref(REQ("PUT", "/v1/jails/other",
	    "{\"path\":\"/x\",\"state\":\"running\"}", 201));
	doc = wait_phase("other", "failed", 0, 5000);
	msg = jstr(doc, "/status/message");
	CHECK(msg != NULL);
	CHECK_CONTAINS(msg, "other");
	CHECK_CONTAINS(msg, "adopt");
	CHECK_CONTAINS(msg, "remove");
	CHECK(json_is_null(jptr(doc, "/status/jid")));
	json_decref(doc);
	CHECK(count_events("other", "failed", 0) >= 1);
	msleep(2500);	/* a few resyncs: still hands off */
	doc = jail_get("other");
	CHECK_STR(jstr(doc, "/status/phase"), "failed");
	json_decref(doc);
	CHECK_INT(sim_prison_jid("other"), jid);
	CHECK_INT(sim_prison_jid("stray"), stray);
	p = host_prison("other");
	CHECK(p != NULL);
	CHECK(json_is_false(jptr(p, "/managed")));
	json_decref(p);
	CHECK_INT(jaild_lines("create"), 0);
	CHECK_INT(jaild_lines("remove"), 0);
	CHECK_INT(jaild_lines("update"), 0);

	/* Adopting while a jail of that name exists: conflict. */
	doc = REQ("POST", "/v1/host/prisons/other/adopt", NULL, 409);
	json_decref(doc);

	/* Deleting the failed jail does not touch the prison. */
	r = http_json(inst.url, "DELETE", "/v1/jails/other?wait=30", NULL);
	CHECK_INT(r->status, 204);
	http_free(r);
	CHECK(jail_get("other") == NULL);
	CHECK_INT(sim_prison_jid("other"), jid);
	CHECK_INT(jaild_lines("remove"), 0);

	/* Adopt: 201, a managed running jail with the same jid. */
	doc = REQ("POST", "/v1/host/prisons/other/adopt", NULL, 201);
	CHECK_STR(jstr(doc, "/name"), "other");
	CHECK_STR(jstr(doc, "/path"), "/x");
	CHECK_STR(jstr(doc, "/hostname"), "other.test");
	CHECK_STR(jstr(doc, "/state"), "running");
	CHECK_INT(jint(doc, "/params/securelevel"), 1);
	json_decref(doc);
	doc = wait_phase("other", "running", 0, 5000);
	CHECK_INT(jint(doc, "/status/jid"), jid);
	CHECK_INT(json_array_size(jptr(doc, "/status/drift")), 0);
	json_decref(doc);
	CHECK(count_events("other", "adopted", 0) == 1);
	/* over a few resyncs it stays the same prison */
	for (k = 0; k < 3; k++) {
		msleep(700);
		doc = jail_get("other");
		CHECK_STR(jstr(doc, "/status/phase"), "running");
		CHECK_INT(jint(doc, "/status/jid"), jid);
		json_decref(doc);
	}
	CHECK_INT(sim_prison_jid("other"), jid);
	journal = SIM_OK("journal");
	CHECK_INT(count_lines(journal, "admin create name=other ", NULL), 1);
	CHECK_INT(count_lines(journal, "create", NULL), 0);
	CHECK_INT(count_lines(journal, "remove", NULL), 0);
	free(journal);
	p = wait_host_prison("other", 1, 5000);
	CHECK(p != NULL);
	CHECK(json_is_true(jptr(p, "/managed")));
	CHECK_INT(jint(p, "/jid"), jid);
	json_decref(p);
	r = http_get(inst.url, "/v1/host");
	CHECK_INT(jint(r->json, "/counts/jails"), 1);
	CHECK_INT(jint(r->json, "/counts/running"), 1);
	CHECK_INT(jint(r->json, "/counts/unmanaged"), 1);
	http_free(r);

	/* Adopt again: already managed; an unknown prison: 404. */
	json_decref(REQ("POST", "/v1/host/prisons/other/adopt", NULL, 409));
	json_decref(REQ("POST", "/v1/host/prisons/nosuch/adopt", NULL, 404));

	/* The stray prison was never touched. */
	CHECK_INT(sim_prison_jid("stray"), stray);
	p = host_prison("stray");
	CHECK(p != NULL);
	CHECK(json_is_false(jptr(p, "/managed")));
	json_decref(p);

	harness_stop(&inst);
	return check_done();
}
