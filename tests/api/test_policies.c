/*
 * test_policies.c - policies through the validating proxy: /v1/policies
 * CRUD and validation, jails listing policies, the effective view with
 * layers, the reconciler applying a policy's parameters and rctl limits
 * on the simulated host (and again after the policy changes, after the
 * rules are removed behind jaild's back, and removing them with the
 * jail), the 409 for deleting a policy in use, the non-admin rules, the
 * jail.conf export, and RACCT disabled on the host.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/lib/api.h"
#include "tests/lib/check.h"
#include "tests/lib/harness.h"
#include "tests/lib/sim.h"

static struct jd_instance inst;

#define HARDENED "{\"name\":\"hardened\",\"description\":\"no raw " \
	"sockets, capped\",\"params\":{\"securelevel\":3," \
	"\"allow.raw_sockets\":false},\"limits\":[{\"resource\":" \
	"\"maxproc\",\"action\":\"deny\",\"amount\":100},{\"resource\":" \
	"\"memoryuse\",\"action\":\"deny\",\"amount\":\"512m\"}]}"

/* Whether `jaild-sim rctl` lists rule (want 1) or not (0) within 10 s. */
static int
sim_has_rule(const char *rule, int want)
{
	long long end = harness_now_ms() + 10000;
	char *out = NULL;
	int has;

	for (;;) {
		CHECK_INT(sim_run(&inst, &out, "rctl"), 0);
		has = out != NULL && strstr(out, rule) != NULL;
		free(out);
		if (has == want || harness_now_ms() > end)
			return has;
		harness_msleep(100);
	}
}

/* Lines of `jaild-sim WHAT` that contain needle. */
static int
sim_count(const char *what, const char *needle)
{
	char *out = NULL, *p;
	int n = 0;

	CHECK_INT(sim_run(&inst, &out, "%s", what), 0);
	for (p = out; p != NULL && (p = strstr(p, needle)) != NULL; p++)
		n++;
	free(out);
	return n;
}

/* The live prison's parameter param as `jaild-sim ls --json` shows it. */
static json_t *
sim_param(const char *jail, const char *param)
{
	json_t *all, *p, *v = NULL;
	char *out = NULL;
	size_t i;

	CHECK_INT(sim_run(&inst, &out, "ls --json"), 0);
	all = out ? json_loads(out, 0, NULL) : NULL;
	free(out);
	json_array_foreach(json_object_get(all, "items"), i, p)
		if (strcmp(jptr_str(p, "/name") ? jptr_str(p, "/name") : "",
		    jail) == 0)
			v = json_incref(json_object_get(json_object_get(p,
			    "params"), param));
	json_decref(all);
	return v;
}

/* Wait until the simulated prison's param has the integer value want. */
static int
sim_param_wait(const char *jail, const char *param, long long want)
{
	long long end = harness_now_ms() + 10000;
	json_t *v;
	long long have;

	for (;;) {
		v = sim_param(jail, param);
		have = json_is_integer(v) ? json_integer_value(v) :
		    json_is_string(v) ? atoll(json_string_value(v)) : -99;
		json_decref(v);
		if (have == want || harness_now_ms() > end)
			return have == want;
		harness_msleep(100);
	}
}

static int
has_error(json_t *problem, const char *field)
{
	json_t *e;
	size_t i;

	json_array_foreach(json_object_get(problem, "errors"), i, e)
		if (strcmp(jptr_str(e, "/field") ? jptr_str(e, "/field") : "",
		    field) == 0)
			return 1;
	printf("# no error for %s in %s\n", field,
	    json_dumps(problem, JSON_COMPACT));
	return 0;
}

static void
test_crud(void)
{
	struct http_resp *r, r2;
	char etag[64], h[96];
	const char *hdr[2] = { h, NULL };
	long long rv;

	r = http_json(inst.url, "POST", "/v1/policies", HARDENED);
	CHECK_INT(r->status, 201);
	CHECK_STR(http_header(r, "Location"), "/v1/policies/hardened");
	CHECK_INT(jptr_int(r->json, "/limits/1/amount"), 536870912);
	CHECK_STR(jptr_str(r->json, "/limits/0/per"), "jail");
	CHECK_INT(json_array_size(jptr(r->json, "/used_by")), 0);
	snprintf(etag, sizeof(etag), "%s", http_header(r, "ETag"));
	rv = jptr_int(r->json, "/resource_version");
	CHECK(rv > 0);
	http_free(r);

	/* The name is taken. */
	r = http_json(inst.url, "POST", "/v1/policies", HARDENED);
	CHECK_INT(r->status, 409);
	http_free(r);

	r = http_get(inst.url, "/v1/policies/hardened");
	CHECK_INT(r->status, 200);
	CHECK_STR(http_header(r, "ETag"), etag);
	CHECK_STR(jptr_str(r->json, "/description"), "no raw sockets, "
	    "capped");
	CHECK_INT(jptr_int(r->json, "/params/securelevel"), 3);
	http_free(r);

	/* A GET body PUT back changes nothing. */
	r = http_get(inst.url, "/v1/policies/hardened");
	{
		char *body = json_dumps(r->json, JSON_COMPACT);
		struct http_resp *p = http_json(inst.url, "PUT",
		    "/v1/policies/hardened", body);
		CHECK_INT(p->status, 200);
		CHECK_INT(jptr_int(p->json, "/resource_version"), rv);
		http_free(p);
		free(body);
	}
	http_free(r);

	/* If-Match with a stale tag: 412, nothing changes. */
	snprintf(h, sizeof(h), "If-Match: \"999999\"");
	CHECK(http_do(inst.url, "PUT", "/v1/policies/hardened",
	    "application/json", "{\"description\":\"x\"}", hdr, &r2) == 0);
	CHECK_INT(r2.status, 412);
	http_resp_free(&r2);

	/* PUT creates too, and the list has both in name order. */
	r = http_json(inst.url, "PUT", "/v1/policies/base",
	    "{\"params\":{\"securelevel\":1,\"children.max\":0}}");
	CHECK_INT(r->status, 201);
	http_free(r);
	r = http_get(inst.url, "/v1/policies");
	CHECK_INT(r->status, 200);
	CHECK_STR(jptr_str(r->json, "/items/0/name"), "base");
	CHECK_STR(jptr_str(r->json, "/items/1/name"), "hardened");
	http_free(r);

	/* A name in the body must match the URL's. */
	r = http_json(inst.url, "PUT", "/v1/policies/base",
	    "{\"name\":\"other\"}");
	CHECK_INT(r->status, 422);
	CHECK(has_error(r->json, "/name"));
	http_free(r);

	/* Unused: it goes (but not with a stale If-Match). */
	r = http_json(inst.url, "PUT", "/v1/policies/tmp", "{}");
	CHECK_INT(r->status, 201);
	http_free(r);
	CHECK(http_do(inst.url, "DELETE", "/v1/policies/tmp", NULL, NULL, hdr,
	    &r2) == 0);
	CHECK_INT(r2.status, 412);
	http_resp_free(&r2);
	r = http_json(inst.url, "DELETE", "/v1/policies/tmp", NULL);
	CHECK_INT(r->status, 204);
	http_free(r);
	r = http_get(inst.url, "/v1/policies/tmp");
	CHECK_INT(r->status, 404);
	http_free(r);
	r = http_json(inst.url, "DELETE", "/v1/policies/tmp", NULL);
	CHECK_INT(r->status, 404);
	http_free(r);

	/* Every accepted change has its audit row; refused ones none. */
	r = http_get(inst.url, "/v1/audit?limit=1000");
	CHECK_INT(r->status, 200);
	{
		int created = 0, deleted = 0, refused = 0;
		json_t *it;
		size_t i;

		json_array_foreach(jptr(r->json, "/items"), i, it) {
			const char *res = jptr_str(it, "/resource");
			const char *m = jptr_str(it, "/method");

			if (res == NULL || m == NULL)
				continue;
			created += strcmp(res, "policy:tmp") == 0 &&
			    strcmp(m, "PUT") == 0;
			deleted += strcmp(res, "policy:tmp") == 0 &&
			    strcmp(m, "DELETE") == 0;
			refused += strcmp(res, "policy:hardened") == 0 &&
			    strcmp(m, "POST") == 0;
		}
		CHECK_INT(created, 1);
		CHECK_INT(deleted, 1);
		CHECK_INT(refused, 1);	/* the first POST; not the 409 */
	}
	http_free(r);
}

static void
test_validation(void)
{
	struct http_resp *r;

	r = http_json(inst.url, "POST", "/v1/policies",
	    "{\"name\":\"-bad\",\"description\":7,\"params\":{\"securelevl\":"
	    "3,\"enforce_statfs\":9},\"limits\":[{\"resource\":\"cpu\","
	    "\"action\":\"deny\",\"amount\":1},{\"resource\":\"cputime\","
	    "\"action\":\"deny\",\"amount\":10},{\"resource\":\"readbps\","
	    "\"action\":\"throttle\",\"amount\":0},{\"resource\":\"maxproc\","
	    "\"action\":\"deny\",\"amount\":5,\"per\":\"jail\"},"
	    "{\"resource\":\"maxproc\",\"action\":\"deny\",\"amount\":6},"
	    "{\"resource\":\"nthr\",\"action\":\"sigfoo\",\"amount\":\"1x\","
	    "\"per\":\"planet\",\"extra\":1}],\"bogus\":true}");
	CHECK_INT(r->status, 422);
	CHECK(has_error(r->json, "/name"));
	CHECK(has_error(r->json, "/description"));
	CHECK(has_error(r->json, "/params/securelevl"));
	CHECK(has_error(r->json, "/params/enforce_statfs"));
	CHECK(has_error(r->json, "/limits/0/resource"));
	CHECK(has_error(r->json, "/limits/1/action"));
	CHECK(has_error(r->json, "/limits/2/amount"));
	CHECK(has_error(r->json, "/limits/4"));
	CHECK(has_error(r->json, "/limits/5/action"));
	CHECK(has_error(r->json, "/limits/5/amount"));
	CHECK(has_error(r->json, "/limits/5/per"));
	CHECK(has_error(r->json, "/limits/5/extra"));
	CHECK(has_error(r->json, "/bogus"));
	http_free(r);
	r = http_get(inst.url, "/v1/policies");
	CHECK_INT(json_array_size(jptr(r->json, "/items")), 2);
	http_free(r);

	/* Jails: unknown and repeated policy names. */
	r = http_json(inst.url, "POST", "/v1/jails",
	    "{\"name\":\"v1\",\"path\":\"/j/v1\",\"policies\":[\"base\","
	    "\"nope\",\"base\",\"x y\"]}");
	CHECK_INT(r->status, 422);
	CHECK(has_error(r->json, "/policies/1"));
	CHECK(has_error(r->json, "/policies/2"));
	CHECK(has_error(r->json, "/policies/3"));
	http_free(r);
	r = http_get(inst.url, "/v1/jails/v1");
	CHECK_INT(r->status, 404);
	http_free(r);
}

static void
test_effective_and_reconcile(void)
{
	struct http_resp *r;
	long long gen, since;
	int adds, rules;

	r = http_json(inst.url, "PUT", "/v1/jails/web1?wait=10",
	    "{\"path\":\"/j/web1\",\"state\":\"running\",\"policies\":"
	    "[\"base\",\"hardened\"],\"params\":{\"children.max\":0}}");
	CHECK_INT(r->status, 201);
	CHECK_STR(jptr_str(r->json, "/status/phase"), "running");
	gen = jptr_int(r->json, "/generation");
	http_free(r);

	r = http_get(inst.url, "/v1/jails/web1/effective");
	CHECK_INT(r->status, 200);
	CHECK_STR(jptr_str(r->json, "/policies/1"), "hardened");
	/* securelevel: hardened (3) over base (1) over the default */
	CHECK_INT(jptr_int(r->json, "/params/securelevel/value"), 3);
	CHECK_STR(jptr_str(r->json, "/params/securelevel/layer"), "policy");
	CHECK_STR(jptr_str(r->json, "/params/securelevel/policy"), "hardened");
	CHECK_STR(jptr_str(r->json, "/params/securelevel/shadowed/0/policy"),
	    "base");
	CHECK_INT(jptr_int(r->json, "/params/securelevel/shadowed/0/value"),
	    1);
	CHECK_STR(jptr_str(r->json, "/params/children.max/layer"), "jail");
	CHECK_STR(jptr_str(r->json, "/params/enforce_statfs/layer"),
	    "default");
	CHECK_INT(jptr_int(r->json, "/params/enforce_statfs/value"), 2);
	CHECK_STR(jptr_str(r->json, "/limits/0/rule"),
	    "jail:web1:maxproc:deny=100");
	CHECK_STR(jptr_str(r->json, "/limits/1/policy"), "hardened");
	http_free(r);

	/* On the host: the merged parameter and both rules. */
	CHECK(sim_param_wait("web1", "securelevel", 3));
	CHECK(sim_has_rule("jail:web1:maxproc:deny=100", 1));
	CHECK(sim_has_rule("jail:web1:memoryuse:deny=536870912", 1));

	/* The policy is listed as used; deleting it is a 409 naming web1. */
	r = http_get(inst.url, "/v1/policies/hardened");
	CHECK_STR(jptr_str(r->json, "/used_by/0"), "web1");
	http_free(r);
	r = http_json(inst.url, "DELETE", "/v1/policies/hardened", NULL);
	CHECK_INT(r->status, 409);
	CHECK_STR(jptr_str(r->json, "/jails/0"), "web1");
	CHECK(r->body != NULL && strstr(r->body, "web1") != NULL);
	http_free(r);

	/* A new description alone changes no jail. */
	r = http_get(inst.url, "/v1/policies/hardened");
	{
		json_t *d = json_deep_copy(r->json);
		char *body;
		struct http_resp *p;

		json_object_set_new(d, "description", json_string("edited"));
		body = json_dumps(d, JSON_COMPACT);
		p = http_json(inst.url, "PUT", "/v1/policies/hardened", body);
		CHECK_INT(p->status, 200);
		CHECK(jptr_int(p->json, "/resource_version") >
		    jptr_int(r->json, "/resource_version"));
		http_free(p);
		free(body);
		json_decref(d);
	}
	http_free(r);
	r = http_get(inst.url, "/v1/jails/web1");
	CHECK_INT(jptr_int(r->json, "/generation"), gen);
	http_free(r);

	/* Changing the policy changes the jail and the host. */
	r = http_json(inst.url, "PUT", "/v1/policies/hardened",
	    "{\"params\":{\"securelevel\":2},\"limits\":[{\"resource\":"
	    "\"maxproc\",\"action\":\"deny\",\"amount\":200}]}");
	CHECK_INT(r->status, 200);
	http_free(r);
	r = http_get(inst.url, "/v1/jails/web1");
	CHECK_INT(jptr_int(r->json, "/generation"), gen + 1);
	http_free(r);
	CHECK(api_events_wait(&inst, "web1", "policy_changed", 0, 5000) > 0);
	CHECK(sim_param_wait("web1", "securelevel", 2));
	CHECK(sim_has_rule("jail:web1:maxproc:deny=200", 1));
	CHECK(sim_has_rule("jail:web1:maxproc:deny=100", 0) == 0);
	CHECK(sim_has_rule("jail:web1:memoryuse", 0) == 0);
	CHECK(http_wait_field(inst.url, "/v1/jails/web1",
	    "/status/phase", "running", 5000) == 0);

	/*
	 * Idempotent across restarts: a jaild restarted over running jails
	 * with limits adds no rule (the kernel keeps them by name).
	 */
	adds = sim_count("journal", "rctl_add ");
	rules = sim_count("rctl", "jail:web1:");
	CHECK(adds >= 3);		/* 2 at the start, 1 after the change */
	CHECK_INT(rules, 1);
	CHECK_INT(harness_kill(&inst, SIGTERM), 0);
	CHECK(harness_restart(&inst) == 0);
	since = api_events_last(&inst);
	harness_msleep(2500);		/* at least two passes */
	CHECK_INT(sim_count("journal", "rctl_add "), adds);
	CHECK_INT(sim_count("rctl", "jail:web1:"), rules);
	CHECK_INT(api_events_count(&inst, "web1", "drift_repaired", since), 0);
	CHECK_INT(api_events_count(&inst, "web1", "started", since), 0);

	/* A rule removed behind jaild's back comes back. */
	since = api_events_last(&inst);
	free(SIM_OK(&inst, "rctl-rm jail:web1:maxproc"));
	CHECK(api_events_wait(&inst, "web1", "drift_repaired", since, 10000)
	    > 0);
	CHECK(sim_has_rule("jail:web1:maxproc:deny=200", 1));

	/* jail.conf carries the merged parameters and the rules. */
	r = http_get(inst.url, "/v1/jails/web1/jail.conf");
	CHECK_INT(r->status, 200);
	CHECK(r->body != NULL && strstr(r->body,
	    "# rctl: jail:web1:maxproc:deny=200") != NULL);
	CHECK(r->body != NULL && strstr(r->body, "securelevel = 2;") != NULL);
	http_free(r);
	r = http_get(inst.url, "/v1/export");
	CHECK(r->body != NULL && strstr(r->body,
	    "# rctl: jail:web1:maxproc:deny=200") != NULL);
	http_free(r);

	/* Detaching the policy takes its rules away. */
	r = http_json(inst.url, "PUT", "/v1/jails/web1?wait=10",
	    "{\"path\":\"/j/web1\",\"state\":\"running\",\"policies\":"
	    "[\"base\"],\"params\":{\"children.max\":0}}");
	CHECK_INT(r->status, 200);
	http_free(r);
	CHECK(sim_has_rule("jail:web1:", 0) == 0);
	CHECK(sim_param_wait("web1", "securelevel", 1));

	/* Attached again, then the jail deleted: the rules go with it. */
	{
		struct http_resp p;
		CHECK(http_do(inst.url, "PATCH", "/v1/jails/web1",
		    "application/merge-patch+json",
		    "{\"policies\":[\"hardened\"]}", NULL, &p) == 0);
		CHECK_INT(p.status, 200);
		http_resp_free(&p);
	}
	CHECK(sim_has_rule("jail:web1:maxproc:deny=200", 1));
	r = http_json(inst.url, "DELETE", "/v1/jails/web1?wait=10", NULL);
	CHECK_INT(r->status, 204);
	http_free(r);
	CHECK(sim_has_rule("jail:web1:", 0) == 0);
	/* No jail lists it now: it can go. */
	r = http_get(inst.url, "/v1/policies/hardened");
	CHECK_INT(json_array_size(jptr(r->json, "/used_by")), 0);
	http_free(r);
}

/* A write token (not admin) as header line h. */
static void
write_token(char *h, size_t hsz, const char *jails)
{
	char body[256];
	struct http_resp *r;

	snprintf(body, sizeof(body), "{\"name\":\"w\",\"scope\":\"write\"%s%s"
	    "}", jails ? ",\"jails\":" : "", jails ? jails : "");
	r = http_json(inst.url, "POST", "/v1/tokens", body);
	CHECK_INT(r->status, 201);
	snprintf(h, hsz, "Authorization: Bearer %s",
	    jptr_str(r->json, "/token") ? jptr_str(r->json, "/token") : "");
	http_free(r);
}

static long
as(const char *h, const char *method, const char *path, const char *body,
    struct http_resp *out)
{
	const char *hdr[2] = { h, NULL };

	CHECK(http_do(inst.url, method, path, body ? "application/json" :
	    NULL, body, hdr, out) == 0);
	return out->status;
}

static void
test_privilege(void)
{
	struct http_resp r;
	char h[256];

	write_token(h, sizeof(h), NULL);
	CHECK_INT(as(h, "GET", "/v1/policies", NULL, &r), 200);
	http_resp_free(&r);
	CHECK_INT(as(h, "POST", "/v1/policies", "{\"name\":\"mine\"}", &r),
	    403);
	http_resp_free(&r);
	CHECK_INT(as(h, "PUT", "/v1/policies/hardened", "{}", &r), 403);
	http_resp_free(&r);
	CHECK_INT(as(h, "DELETE", "/v1/policies/base", NULL, &r), 403);
	http_resp_free(&r);

	/* An admin's policy that loosens the host's protection. */
	CHECK_INT(as(NULL, "PUT", "/v1/policies/raw",
	    "{\"params\":{\"allow.raw_sockets\":true}}", &r), 201);
	http_resp_free(&r);
	CHECK_INT(as(h, "PUT", "/v1/jails/p1", "{\"path\":\"/j/p1\","
	    "\"policies\":[\"base\",\"raw\"]}", &r), 403);
	CHECK(has_error(r.json, "/policies/1"));
	http_resp_free(&r);

	/* Limits may be added by anyone, lifted only by an admin. */
	CHECK_INT(as(h, "PUT", "/v1/jails/p1", "{\"path\":\"/j/p1\","
	    "\"policies\":[\"hardened\"]}", &r), 201);
	http_resp_free(&r);
	CHECK_INT(as(h, "PUT", "/v1/jails/p1", "{\"path\":\"/j/p1\","
	    "\"policies\":[]}", &r), 403);
	CHECK(has_error(r.json, "/policies"));
	http_resp_free(&r);
	CHECK_INT(as(NULL, "PUT", "/v1/jails/p1", "{\"path\":\"/j/p1\","
	    "\"policies\":[]}", &r), 200);
	http_resp_free(&r);

	/* The effective view follows delegation. */
	write_token(h, sizeof(h), "[\"p1\"]");
	CHECK_INT(as(h, "GET", "/v1/jails/p1/effective", NULL, &r), 200);
	http_resp_free(&r);
	CHECK_INT(as(NULL, "PUT", "/v1/jails/p2", "{\"path\":\"/j/p2\"}", &r),
	    201);
	http_resp_free(&r);
	CHECK_INT(as(h, "GET", "/v1/jails/p2/effective", NULL, &r), 404);
	http_resp_free(&r);
	/* used_by names only the jails the token may see. */
	CHECK_INT(as(NULL, "PUT", "/v1/jails/p2", "{\"path\":\"/j/p2\","
	    "\"policies\":[\"base\"]}", &r), 200);
	http_resp_free(&r);
	CHECK_INT(as(NULL, "PUT", "/v1/jails/p1", "{\"path\":\"/j/p1\","
	    "\"policies\":[\"base\"]}", &r), 200);
	http_resp_free(&r);
	CHECK_INT(as(h, "GET", "/v1/policies/base", NULL, &r), 200);
	CHECK_INT(json_array_size(jptr(r.json, "/used_by")), 1);
	CHECK_STR(jptr_str(r.json, "/used_by/0"), "p1");
	http_resp_free(&r);
	CHECK_INT(as(h, "GET", "/v1/policies", NULL, &r), 200);
	CHECK_INT(json_array_size(jptr(r.json, "/items/0/used_by")), 1);
	http_resp_free(&r);
	CHECK_INT(as(NULL, "GET", "/v1/policies/base", NULL, &r), 200);
	CHECK_INT(json_array_size(jptr(r.json, "/used_by")), 2);
	http_resp_free(&r);
	CHECK_INT(as(NULL, "GET", "/v1/jails/nosuch/effective", NULL, &r),
	    404);
	http_resp_free(&r);
}

static void
test_racct_disabled(void)
{
	struct http_resp *r;

	/* Every rctl_add fails as on a host booted without RACCT. */
	free(SIM_OK(&inst, "fault rctl_add 1 ENOSYS --every"));
	r = http_json(inst.url, "PUT", "/v1/jails/nr?wait=10",
	    "{\"path\":\"/j/nr\",\"state\":\"running\",\"policies\":"
	    "[\"hardened\"]}");
	CHECK_INT(r->status, 201);
	http_free(r);
	CHECK(http_wait_field(inst.url, "/v1/jails/nr", "/status/phase",
	    "failed", 10000) == 0);
	r = http_get(inst.url, "/v1/jails/nr");
	CHECK(jptr_str(r->json, "/status/message") != NULL &&
	    strstr(jptr_str(r->json, "/status/message"),
	    "kern.racct.enable") != NULL);
	http_free(r);
	/* Nothing of the failed start is left on the host. */
	CHECK(sim_param("nr", "securelevel") == NULL);
	free(SIM_OK(&inst, "fault clear"));
	/* Without limits the jail runs on such a host. */
	free(SIM_OK(&inst, "fault rctl_add 1 ENOSYS --every"));
	r = http_json(inst.url, "PUT", "/v1/jails/nr?wait=10",
	    "{\"path\":\"/j/nr\",\"state\":\"running\",\"policies\":"
	    "[\"base\"]}");
	CHECK_INT(r->status, 200);
	http_free(r);
	CHECK(http_wait_field(inst.url, "/v1/jails/nr", "/status/phase",
	    "running", 10000) == 0);
	free(SIM_OK(&inst, "fault clear"));
}

/* GET /v1/host/params tells a dashboard what limits may use. */
static void
test_rctl_schema(void)
{
	struct http_resp *r;
	json_t *it;
	size_t i;
	int seen = 0;

	/* Through the proxy for the contract; read from jaild itself, since
	 * the proxy re-serializes numbers as JavaScript doubles and the
	 * catalog's 64-bit bounds no longer parse after that. */
	r = http_get(inst.url, "/v1/host/params");
	CHECK_INT(r->status, 200);
	http_free(r);
	r = http_get(inst.direct, "/v1/host/params");
	CHECK_INT(r->status, 200);
	CHECK_INT(json_array_size(jptr(r->json, "/rctl/resources")), 25);
	json_array_foreach(jptr(r->json, "/rctl/resources"), i, it) {
		const char *n = jptr_str(it, "/name");
		char *a = json_dumps(jptr(it, "/actions"), JSON_COMPACT);

		if (n != NULL && strcmp(n, "readbps") == 0) {
			CHECK_STR(a, "[\"throttle\"]");
			seen++;
		} else if (n != NULL && strcmp(n, "cputime") == 0) {
			CHECK_STR(a, "[\"log\",\"devctl\",\"signal\"]");
			CHECK_STR(jptr_str(it, "/unit"), "seconds");
			seen++;
		} else if (n != NULL && strcmp(n, "memoryuse") == 0) {
			CHECK_STR(a, "[\"deny\",\"log\",\"devctl\","
			    "\"signal\"]");
			seen++;
		}
		free(a);
	}
	CHECK_INT(seen, 3);
	CHECK_STR(jptr_str(r->json, "/rctl/per/0"), "jail");
	CHECK(r->body != NULL && strstr(r->body, "\"sigterm\"") != NULL);
	http_free(r);
}

int
main(void)
{
	CHECK(harness_start(&inst, NULL, NULL, 1) == 0);
	test_crud();
	test_validation();
	test_rctl_schema();
	test_effective_and_reconcile();
	test_privilege();
	test_racct_disabled();
	harness_stop(&inst);
	return check_done();
}
