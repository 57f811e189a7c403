/*
 * api.c - jail-level helpers for the API tests (see api.h): get a jail,
 * wait for its phase, count its events, requests that must answer a given
 * status.  They were copied into every tests/api/test_reconcile_*.c and
 * in smaller forms into the other API tests before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "check.h"
#include "harness.h"

json_t *
api_jail_get(const struct jd_instance *inst, const char *name)
{
	char path[256];
	struct http_resp *r;
	json_t *doc = NULL;

	snprintf(path, sizeof(path), "/v1/jails/%s", name);
	r = http_get(inst->url, path);
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

json_t *
api_jail_wait_phase_at(const char *file, int line,
    const struct jd_instance *inst, const char *name, const char *phase,
    int jid_not, int timeout_ms)
{
	long long end = harness_now_ms() + timeout_ms;
	json_t *doc;
	char *text, d[1200];

	for (;;) {
		doc = api_jail_get(inst, name);
		if (doc != NULL && jptr_str(doc, "/status/phase") != NULL &&
		    strcmp(jptr_str(doc, "/status/phase"), phase) == 0 &&
		    jptr_int(doc, "/status/observed_generation") ==
		    jptr_int(doc, "/generation") &&
		    (jid_not <= 0 || jptr_int(doc, "/status/jid") != jid_not)) {
			check_pass();
			return doc;
		}
		if (harness_now_ms() > end)
			break;
		json_decref(doc);
		harness_msleep(100);
	}
	text = doc ? json_dumps(jptr(doc, "/status"), JSON_COMPACT) : NULL;
	snprintf(d, sizeof(d), "%s not %s within %d ms; status %.900s", name,
	    phase, timeout_ms, text ? text : "(404)");
	check_fail(file, line, "jail reaches phase", d);
}

int
api_events_count(const struct jd_instance *inst, const char *name,
    const char *type, long long since)
{
	char path[256];
	struct http_resp *r;
	json_t *it;
	size_t i;
	int n = 0;

	snprintf(path, sizeof(path), "/v1/events?jail=%s&since=%lld&limit=1000",
	    name, since);
	r = http_get(inst->url, path);
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

int
api_events_wait(const struct jd_instance *inst, const char *name,
    const char *type, long long since, int timeout_ms)
{
	long long end = harness_now_ms() + timeout_ms;
	int n;

	while ((n = api_events_count(inst, name, type, since)) == 0 &&
	    harness_now_ms() < end)
		harness_msleep(100);
	return n;
}

long long
api_events_last(const struct jd_instance *inst)
{
	struct http_resp *r;
	long long since = 0, next;

	for (;;) {
		char path[96];
		snprintf(path, sizeof(path), "/v1/events?since=%lld&limit=1000",
		    since);
		r = http_get(inst->url, path);
		CHECK_INT(r->status, 200);
		next = jptr_int(r->json, "/next_since");
		if (json_array_size(json_object_get(r->json, "items")) == 0 ||
		    next <= since) {
			http_free(r);
			return since;
		}
		since = next;
		http_free(r);
	}
}

json_t *
api_req_at(const char *file, int line, const struct jd_instance *inst,
    const char *method, const char *path, const char *body, long want)
{
	struct http_resp *r = http_json(inst->url, method, path, body);
	json_t *doc = json_incref(r->json);
	char d[900];

	if (r->status != want) {
		snprintf(d, sizeof(d), "%s %s -> %ld, want %ld: %.600s",
		    method, path, r->status, want, r->body ? r->body : "");
		check_fail(file, line, "status", d);
	}
	check_pass();
	http_free(r);
	return doc;
}

struct http_resp *
api_send(const char *base, const char *method, const char *path,
    const char *ct, const char *body, const char *const *headers)
{
	struct http_resp *r = calloc(1, sizeof(*r));

	if (r == NULL || http_do(base, method, path, ct, body, headers,
	    r) == -1)
		check_fail(__FILE__, __LINE__, method, path);
	return r;
}

long
api_status(const char *base, const char *method, const char *path,
    const char *body)
{
	struct http_resp r;
	long status;

	if (http_do(base, method, path, NULL, body, NULL, &r) == 0)
		status = r.status;
	else
		status = -1;
	http_resp_free(&r);
	return status;
}

const char *
api_body_type(const char *method, const char *body)
{
	if (body == NULL)
		return NULL;
	return strcmp(method, "PATCH") == 0 ?
	    "application/merge-patch+json" : "application/json";
}
