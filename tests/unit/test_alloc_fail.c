/*
 * test_alloc_fail.c - out-of-memory in the request paths: with
 * jd_alloc_fail_after(n) for n = 0, 1, 2, ... until a run no longer hits
 * the failure, codec_jail_decode of a big document, codec_jail_render,
 * cache_put and codec_parse_body never crash, never leak (ASan's leak
 * check runs at exit), and either give the same answer as without the
 * failure or report it cleanly (NULL with errs->oom, -1, a 500).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/cache.h"
#include "api/codec.h"
#include "common/alloc.h"
#include "common/buf.h"
#include "tests/lib/check.h"

/* Give up rather than loop forever if the failure never stops mattering. */
#define MAX_N	100000

static const struct api_config test_cfg = {
	.max_body = 1 << 20,
	.devfs_rulesets = { 4, 5 },
	.ndevfs_rulesets = 2,
	.max_wait_s = 3600,
};

static const char big_doc[] =
    "{\"name\":\"web1\",\"path\":\"/usr/local/jails/web1\","
    "\"hostname\":\"web1.example.org\",\"state\":\"running\","
    "\"restart_policy\":\"auto\",\"policies\":[],"
    "\"params\":{\"securelevel\":3,\"allow.raw_sockets\":false,"
    "\"enforce_statfs\":2,\"children.max\":0,\"sysvshm\":\"new\","
    "\"allow.mount\":false,\"osrelease\":\"14.1-RELEASE\"},"
    "\"exec\":{\"prestart\":[\"logger prestart web1\"],"
    "\"start\":[\"/bin/sh /etc/rc\"],\"poststart\":[\"echo started\","
    "\"logger -t jail web1 up\"],\"stop\":[\"/bin/sh /etc/rc.shutdown "
    "jail\"],\"release\":[\"true\"],\"clean\":true,\"jail_user\":\"root\","
    "\"system_user\":\"admin\",\"timeout_s\":60,\"stop_timeout_s\":30,"
    "\"consolelog\":\"/var/log/jail_web1_console.log\"},"
    "\"ips\":[{\"interface\":\"em0\",\"address\":\"10.0.0.5/24\"},"
    "{\"interface\":\"em0\",\"address\":\"10.0.0.6\"},"
    "{\"interface\":null,\"address\":\"2001:DB8::0005/64\"},"
    "{\"address\":\"fe80::5\",\"family\":\"inet6\"}],"
    "\"mounts\":[{\"id\":3,\"type\":\"devfs\",\"target\":\"/dev\","
    "\"ruleset\":5},{\"type\":\"nullfs\",\"source\":\"/usr/local/jails/"
    "base/14.1\",\"target\":\"/basejail\",\"options\":[\"ro\"]},"
    "{\"type\":\"tmpfs\",\"target\":\"/tmp\",\"size\":\"512m\","
    "\"mode\":\"1777\"},{\"type\":\"procfs\",\"target\":\"/proc\"},"
    "{\"id\":9,\"type\":\"fdescfs\",\"target\":\"/dev/fd\"}],"
    "\"depends\":[\"db1\",\"cache1\",\"auth-2\"],"
    "\"labels\":{\"env\":\"prod\",\"tier\":\"web\",\"team/owner\":\"ops\","
    "\"version\":\"1.2.3\"},\"generation\":4,\"resource_version\":99,"
    "\"status\":{\"phase\":\"running\"}}";

static const char old_spec[] =
    "{\"name\":\"web1\",\"mounts\":[{\"id\":3,\"type\":\"devfs\","
    "\"target\":\"/dev\"},{\"id\":9,\"type\":\"fdescfs\","
    "\"target\":\"/dev/fd\"}]}";

/* The same document with many errors, so verrs grows under failure. */
static const char bad_doc[] =
    "{\"name\":\"-web\",\"path\":\"jails/web\",\"hostname\":\"a_b\","
    "\"state\":\"up\",\"restart_policy\":1,\"policies\":[\"x\",\"y\"],"
    "\"params\":{\"securelevel\":9,\"bogus\":1,\"path\":\"/x\"},"
    "\"exec\":{\"start\":[\"\",5],\"timeout_s\":0,\"what\":1},"
    "\"ips\":[{\"address\":\"0.0.0.0\"},{\"address\":\"10.0.0.1\","
    "\"x\":1},{\"address\":\"10.0.0.1\"}],"
    "\"mounts\":[{\"type\":\"zfs\"},{\"type\":\"devfs\",\"target\":\"dev\","
    "\"ruleset\":7}],\"depends\":[\"-x\",\"db\",\"db\"],"
    "\"labels\":{\"a b\":\"c\",\"k\":5},\"extra\":true}";

/*
 * Whether the failure point was reached: with the countdown at zero the
 * next allocation fails.  Resets the hook.
 */
static int
failure_reached(void)
{
	void *p = jd_malloc(1);

	jd_alloc_fail_after(-1);
	jd_free(p);
	return p == NULL;
}

static json_t *
load(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);

	if (j == NULL)
		check_fail(__FILE__, __LINE__, text, jerr.text);
	return j;
}

/* An invalid document stays invalid, every error or the oom flag. */
static void
test_decode_invalid(void)
{
	struct verrs e = { 0 }, refe = { 0 };
	json_t *bad, *out;
	long n;
	int reached;
	bad = load(bad_doc);
	CHECK(codec_jail_decode(bad, NULL, NULL, &test_cfg, &refe) == NULL);
	CHECK(refe.n > 20);
	for (n = 0; n < MAX_N; n++) {
		memset(&e, 0, sizeof(e));
		jd_alloc_fail_after(n);
		out = codec_jail_decode(bad, NULL, NULL, &test_cfg, &e);
		reached = failure_reached();
		CHECK(out == NULL);
		CHECK(e.oom || e.n == refe.n);
		verrs_free(&e);
		if (!reached)
			break;
	}
	CHECK(n < MAX_N);
	verrs_free(&refe);
	json_decref(bad);
}

/*
 * A valid document: the canonical form, or NULL with errs->oom.  Last in
 * main: a failure here ends the run.
 */
static void
test_decode_valid(void)
{
	json_t *in, *old, *ref, *out;
	struct verrs e = { 0 };
	char *want, *got;
	long n, oom = 0;
	int reached;

	in = load(big_doc);
	old = load(old_spec);
	ref = codec_jail_decode(in, NULL, old, &test_cfg, &e);
	CHECK(ref != NULL);
	CHECK_INT(e.n, 0);
	want = json_dumps(ref, JSON_COMPACT);
	CHECK(want != NULL);

	for (n = 0; n < MAX_N; n++) {
		memset(&e, 0, sizeof(e));
		jd_alloc_fail_after(n);
		out = codec_jail_decode(in, NULL, old, &test_cfg, &e);
		reached = failure_reached();
		if (out != NULL) {
			/* Success must be the whole document, not one with
			 * fields silently missing. */
			got = json_dumps(out, JSON_COMPACT);
			if (got == NULL || strcmp(got, want) != 0) {
				char d[160];
				snprintf(d, sizeof(d), "n=%ld: a document "
				    "differing from the reference came back",
				    n);
				check_fail(__FILE__, __LINE__, d, got);
			}
			check_pass();
			CHECK_INT(e.n, 0);
			CHECK(!e.oom);
			jd_free(got);
			json_decref(out);
		} else {
			if (!e.oom) {
				char d[600];
				snprintf(d, sizeof(d), "n=%ld: NULL without "
				    "oom, %zu errors, first %s: %s", n, e.n,
				    e.n ? e.v[0].field : "-",
				    e.n ? e.v[0].message : "-");
				check_fail(__FILE__, __LINE__, "oom flag", d);
			}
			check_pass();
			oom++;
		}
		verrs_free(&e);
		if (!reached)
			break;
	}
	CHECK(n < MAX_N);
	CHECK(oom > 50);	/* the failure really was exercised */
	jd_free(want);
	json_decref(ref);
	json_decref(in);
	json_decref(old);
}

static void
row_from(struct jail_row *r, char *spec)
{
	memset(r, 0, sizeof(*r));
	r->name = (char *)"web1";
	r->spec = spec;
	snprintf(r->state, sizeof(r->state), "running");
	r->generation = 4;
	r->resource_version = 17;
	snprintf(r->created_at, sizeof(r->created_at), "2026-01-01T00:00:00Z");
	snprintf(r->updated_at, sizeof(r->updated_at), "2026-01-01T00:00:01Z");
	snprintf(r->phase, sizeof(r->phase), "failed");
	r->jid = 8;
	r->observed_generation = 4;
	r->message = (char *)"exec.start failed: \"/bin/sh /etc/rc\" exit 1";
	snprintf(r->last_transition_at, sizeof(r->last_transition_at),
	    "2026-01-01T00:00:02Z");
	r->drift = (char *)"[{\"field\":\"/params/securelevel\",\"desired\":3,"
	    "\"observed\":1,\"reason\":\"out_of_band\"}]";
}

static char *
canonical_spec(void)
{
	json_t *in, *old, *spec;
	struct verrs e = { 0 };
	char *s;

	in = load(big_doc);
	old = load(old_spec);
	spec = codec_jail_decode(in, NULL, old, &test_cfg, &e);
	CHECK(spec != NULL);
	s = json_dumps(spec, JSON_COMPACT);
	CHECK(s != NULL);
	json_decref(spec);
	json_decref(in);
	json_decref(old);
	verrs_free(&e);
	return s;
}

static void
test_render(void)
{
	struct jail_row row;
	struct buf ref = { 0 }, b;
	char *spec = canonical_spec();
	long n, fails = 0;
	int rc, reached;

	row_from(&row, spec);
	CHECK_INT(codec_jail_render(&row, &ref), 0);
	for (n = 0; n < MAX_N; n++) {
		memset(&b, 0, sizeof(b));
		jd_alloc_fail_after(n);
		rc = codec_jail_render(&row, &b);
		reached = failure_reached();
		if (rc == 0) {
			CHECK_INT(b.len, ref.len);
			CHECK_STR(b.data, ref.data);
		} else {
			CHECK_INT(rc, -1);
			fails++;
		}
		buf_free(&b);
		if (!reached)
			break;
	}
	CHECK(n < MAX_N);
	CHECK(fails > 0);
	buf_free(&ref);
	jd_free(spec);
}

static void
test_cache(void)
{
	struct jail_cache *c = NULL;
	struct cache_entry *e;
	struct jail_row row;
	struct buf ref = { 0 };
	char *spec = canonical_spec(), name[32];
	long n;
	int rc, reached, i;
	size_t count;

	/* cache_new itself. */
	for (n = 0; n < MAX_N; n++) {
		jd_alloc_fail_after(n);
		c = cache_new();
		reached = failure_reached();
		if (!reached)
			break;
		cache_free(c);
	}
	CHECK(c != NULL);

	row_from(&row, spec);
	CHECK_INT(cache_put(c, &row), 0);

	/* Replacing an entry: success gives the new one, failure keeps the
	 * old one intact. */
	for (n = 0; n < MAX_N; n++) {
		row.resource_version = 1000 + n;
		buf_free(&ref);
		CHECK_INT(codec_jail_render(&row, &ref), 0);
		jd_alloc_fail_after(n);
		rc = cache_put(c, &row);
		reached = failure_reached();
		e = cache_get(c, "web1");
		CHECK(e != NULL);
		if (rc == 0) {
			CHECK_INT(e->resource_version, 1000 + n);
			CHECK_STR(e->json, ref.data);
			CHECK_INT(e->len, ref.len);
		} else {
			CHECK_INT(rc, -1);
			CHECK(e->resource_version < 1000 + n);
			CHECK_STR(e->name, "web1");
			CHECK(strstr(e->json, "\"status\"") != NULL);
		}
		cache_release(e);
		if (!reached)
			break;
	}
	CHECK(n < MAX_N);
	CHECK_INT(cache_count(c), 1);

	/* New names while the table must grow (1024 slots). */
	for (i = 0; i < 1100; i++) {
		snprintf(name, sizeof(name), "fill%d", i);
		row.name = name;
		CHECK_INT(cache_put(c, &row), 0);
	}
	count = cache_count(c);
	for (n = 0; n < MAX_N; n++) {
		snprintf(name, sizeof(name), "new%ld", n);
		row.name = name;
		jd_alloc_fail_after(n);
		rc = cache_put(c, &row);
		reached = failure_reached();
		e = cache_get(c, name);
		if (rc == 0) {
			CHECK(e != NULL);
			count++;
		} else
			CHECK(e == NULL);
		cache_release(e);
		CHECK_INT(cache_count(c), count);
		if (!reached)
			break;
	}
	CHECK(n < MAX_N);
	for (i = 0; i < 1100; i++) {
		snprintf(name, sizeof(name), "fill%d", i);
		e = cache_get(c, name);
		if (e == NULL)
			check_fail(__FILE__, __LINE__, name, "lost");
		cache_release(e);
	}
	check_pass();
	CHECK_INT(cache_count_phase(c, "failed"), count);
	cache_free(c);
	buf_free(&ref);
	jd_free(spec);
}

/*
 * codec_parse_body on a valid body: the object, or NULL with a 500.  An
 * allocation failure inside the JSON parser is not the client's malformed
 * JSON.
 */
static void
test_parse_body(void)
{
	struct api_request req;
	struct api_response resp;
	json_t *ref, *out;
	long n;
	int reached;

	memset(&req, 0, sizeof(req));
	req.method = HM_POST;
	req.path = "/v1/jails";
	req.content_type = "application/json";
	req.request_id = "r1";
	req.body = big_doc;
	req.body_len = strlen(big_doc);
	ref = load(big_doc);
	for (n = 0; n < MAX_N; n++) {
		memset(&resp, 0, sizeof(resp));
		jd_alloc_fail_after(n);
		out = codec_parse_body(&req, "application/json", &resp);
		reached = failure_reached();
		if (out != NULL) {
			CHECK(json_equal(out, ref));
			CHECK_INT(resp.status, 0);
			json_decref(out);
		} else {
			char d[400];
			CHECK(resp.body != NULL);
			snprintf(d, sizeof(d), "n=%ld: status %d: %.300s", n,
			    resp.status, resp.body);
			if (resp.status != 500)
				check_fail(__FILE__, __LINE__,
				    "out of memory while parsing", d);
			check_pass();
		}
		api_response_free(&resp);
		if (!reached)
			break;
	}
	CHECK(n < MAX_N);
	json_decref(ref);
}

int
main(void)
{
	jd_alloc_init();
	test_decode_invalid();
	test_render();
	test_cache();
	test_parse_body();
	test_decode_valid();
	jd_alloc_fail_after(-1);
	return check_done();
}
