/*
 * fuzz_codec.c - libFuzzer target for the jail document codec.
 *
 * The input is a request body.  It goes through codec_parse_body as
 * application/json, then codec_jail_decode four ways (with and without a
 * URL name, with and without a stored spec whose mount ids must carry
 * over).  Rejections must explain themselves: a 4xx problem document, or
 * a 422 whose "errors" lists every problem the validator found.  Accepted
 * documents must keep the codec's promises (codec.h): the canonical form
 * decodes to itself, codec_jail_render of a row holding it is JSON, and
 * that rendered GET body PUT back decodes to the same canonical spec.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/codec.h"
#include "api/problem.h"
#include "common/alloc.h"
#include "common/buf.h"
#include "common/names.h"
#include "fuzz_common.h"

static struct api_config cfg = {
	.max_body = 1 << 20,
	.devfs_rulesets = { 4, 5 },
	.ndevfs_rulesets = 2,
	.max_wait_s = 3600,
};

/* A stored spec with mounts whose ids are not 1..n. */
static json_t *old_spec;

static const char old_doc[] =
    "{\"name\":\"web1\",\"path\":\"/usr/local/jails/web1\","
    "\"mounts\":["
    "{\"type\":\"devfs\",\"target\":\"/dev\",\"ruleset\":4},"
    "{\"type\":\"nullfs\",\"source\":\"/usr/local/jails/base\","
    "\"target\":\"/basejail\",\"options\":[\"ro\"]},"
    "{\"type\":\"tmpfs\",\"target\":\"/tmp\",\"size\":\"512m\","
    "\"mode\":\"1777\"}],"
    "\"labels\":{\"env\":\"prod\"}}";

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const json_int_t ids[] = { 3, 7, 12 };
	struct verrs errs = { 0 };
	json_t *in, *m;
	size_t i;

	(void)argc;
	(void)argv;
	jd_alloc_init();
	in = json_loads(old_doc, 0, NULL);
	old_spec = codec_jail_decode(in, NULL, NULL, &cfg, &errs);
	if (old_spec == NULL)
		fuzz_fail("the stored spec of the harness does not decode");
	json_array_foreach(json_object_get(old_spec, "mounts"), i, m)
		json_object_set_new(m, "id", json_integer(ids[i]));
	json_decref(in);
	verrs_free(&errs);
	return 0;
}

/* The first string of spec's exec.start, or NULL: a fuzzed status text. */
static const char *
some_message(const json_t *spec)
{
	return json_string_value(json_array_get(json_object_get(
	    json_object_get(spec, "exec"), "start"), 0));
}

/*
 * Render spec as the full document of a row, check it is JSON, and check
 * that PUTting it back yields spec again.
 */
static void
check_render(const json_t *spec, int variant)
{
	struct jail_row row;
	struct verrs errs = { 0 };
	struct buf b = { 0 };
	json_t *drift, *doc, *again;
	const char *name;

	memset(&row, 0, sizeof(row));
	name = json_string_value(json_object_get(spec, "name"));
	if (name == NULL)
		fuzz_fail("canonical spec without a name");
	row.name = (char *)name;
	row.spec = json_dumps(spec, JSON_COMPACT);
	if (row.spec == NULL)
		fuzz_fail("json_dumps of the canonical spec failed");
	snprintf(row.state, sizeof(row.state), "%s",
	    json_string_value(json_object_get(spec, "state")));
	row.generation = 1 + variant;
	row.resource_version = 1000 + variant;
	snprintf(row.created_at, sizeof(row.created_at),
	    "2026-11-22T10:00:00Z");
	snprintf(row.updated_at, sizeof(row.updated_at),
	    "2026-11-22T10:05:00Z");
	snprintf(row.phase, sizeof(row.phase), variant & 1 ? "running" :
	    "pending");
	row.jid = variant & 1 ? 42 : 0;
	row.observed_generation = variant;
	row.message = (char *)some_message(spec);
	if (variant & 2)
		snprintf(row.last_transition_at,
		    sizeof(row.last_transition_at), "2026-11-22T10:06:00Z");
	drift = json_pack("[{s:s, s:O, s:n, s:s}]", "field", "/params",
	    "desired", json_object_get(spec, "params"), "observed",
	    "reason", "out_of_band");
	row.drift = variant & 2 ? json_dumps(drift, JSON_COMPACT) : NULL;
	json_decref(drift);

	if (codec_jail_render(&row, &b) == -1)
		fuzz_fail("codec_jail_render failed for %s", row.spec);
	doc = fuzz_must_parse("rendered jail document", b.data, b.len);
	if (!json_is_object(doc))
		fuzz_fail("rendered jail document is not an object");

	/* A GET body can be PUT back unchanged. */
	again = codec_jail_decode(doc, name, spec, &cfg, &errs);
	if (again == NULL)
		fuzz_fail("the rendered document does not decode (%zu "
		    "errors, first %s: %s): %.*s", errs.n,
		    errs.n ? errs.v[0].field : "", errs.n ?
		    errs.v[0].message : "", (int)b.len, b.data);
	if (!json_equal(again, spec)) {
		char *s = json_dumps(again, JSON_COMPACT);
		fuzz_fail("PUT of the GET body changes the spec:\n%s\n%s",
		    row.spec, s ? s : "");
	}
	json_decref(again);
	json_decref(doc);
	verrs_free(&errs);
	buf_free(&b);
	jd_free(row.spec);
	jd_free(row.drift);
}

/* One decode of in; checks whichever way it went. */
static void
decode_one(const struct api_request *req, const json_t *in,
    const char *url_name, const json_t *old, int variant)
{
	struct api_response resp;
	struct verrs errs = { 0 }, errs2 = { 0 };
	json_t *spec, *again;

	spec = codec_jail_decode(in, url_name, old, &cfg, &errs);
	if (getenv("JD_FUZZ_DEBUG") != NULL)
		fprintf(stderr, "variant %d: %s, %zu errors%s%s%s%s\n", variant,
		    spec ? "accepted" : "refused", errs.n,
		    errs.n ? ", first " : "", errs.n ? errs.v[0].field : "",
		    errs.n ? ": " : "", errs.n ? errs.v[0].message : "");
	if (spec == NULL) {
		if (errs.n == 0 && !errs.oom)
			fuzz_fail("decode refused without saying why");
		/* What precheck() in api/jails.c answers. */
		memset(&resp, 0, sizeof(resp));
		problem_set(&resp, req, JD_E_INVALID, "the jail document has "
		    "invalid fields", &errs);
		fuzz_check_response(&resp);
		if (resp.status != 422)
			fuzz_fail("invalid document answered %d", resp.status);
		fuzz_check_errors_count(&resp, errs.n);
		api_response_free(&resp);
		verrs_free(&errs);
		return;
	}
	if (errs.n != 0)
		fuzz_fail("decode accepted with %zu errors", errs.n);
	if (!json_is_object(spec))
		fuzz_fail("canonical spec is not an object");
	if (url_name != NULL && strcmp(json_string_value(json_object_get(spec,
	    "name")), url_name) != 0)
		fuzz_fail("canonical name differs from the URL's");
	if (!name_jail_valid(json_string_value(json_object_get(spec, "name"))))
		fuzz_fail("canonical spec with an invalid name");

	/* The canonical form is a fixed point. */
	again = codec_jail_decode(spec, NULL, spec, &cfg, &errs2);
	if (again == NULL)
		fuzz_fail("the canonical spec does not decode: %s: %s",
		    errs2.n ? errs2.v[0].field : "",
		    errs2.n ? errs2.v[0].message : "");
	if (!json_equal(again, spec))
		fuzz_fail("decoding the canonical spec changes it");
	json_decref(again);
	verrs_free(&errs2);

	check_render(spec, variant);
	json_decref(spec);
	verrs_free(&errs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_request req;
	struct api_response resp;
	const char *name;
	json_t *in;

	memset(&req, 0, sizeof(req));
	memset(&resp, 0, sizeof(resp));
	req.method = HM_POST;
	req.path = "/v1/jails";
	req.content_type = "application/json; charset=utf-8";
	req.request_id = "fuzz";
	req.body = size > 0 ? (const char *)data : NULL;
	req.body_len = size;

	in = codec_parse_body(&req, "application/json", &resp);
	if (in == NULL) {
		fuzz_check_response(&resp);
		if (resp.status != 400 && resp.status != 422)
			fuzz_fail("unparsable body answered %d", resp.status);
		api_response_free(&resp);
		return 0;
	}
	if (resp.status != 0 || resp.body != NULL)
		fuzz_fail("codec_parse_body filled resp on success");

	name = json_string_value(json_object_get(in, "name"));
	if (name == NULL || !name_jail_valid(name))
		name = "web1";
	decode_one(&req, in, NULL, NULL, 0);
	decode_one(&req, in, name, NULL, 1);
	decode_one(&req, in, NULL, old_spec, 2);
	decode_one(&req, in, name, old_spec, 3);
	json_decref(in);
	return 0;
}
