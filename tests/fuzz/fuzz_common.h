/*
 * fuzz_common.h - what the libFuzzer targets in tests/fuzz share: the
 * entry-point prototypes, a loud failure for a broken invariant, and the
 * checks every api_response must pass whatever the input was.
 *
 * A broken invariant is a bug in jaild, not in the input, so it aborts:
 * libFuzzer then saves the input as a crash file.  Everything here is
 * static inline so each target stays a single translation unit.
 */
#ifndef JD_FUZZ_COMMON_H
#define JD_FUZZ_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/api.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	LLVMFuzzerInitialize(int *argc, char ***argv);

/* Report a broken invariant and abort (libFuzzer keeps the input). */
static inline void
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FUZZ INVARIANT BROKEN: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

/* Parse text as one JSON value (duplicate keys refused) or fail. */
static inline json_t *
fuzz_must_parse(const char *what, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *j;

	j = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &jerr);
	if (j == NULL)
		fuzz_fail("%s is not JSON (%s at %d:%d): %.*s", what,
		    jerr.text, jerr.line, jerr.column,
		    (int)(len > 2000 ? 2000 : len), text);
	return j;
}

/*
 * A problem document: its "status" is the HTTP status, and "errors", when
 * present, names at least one field (problem_set adds it only for a
 * non-empty list, so an empty one means entries were lost), each with a
 * string field and message.
 */
static inline void
fuzz_check_problem(const json_t *j, const struct api_response *resp)
{
	json_t *errs, *e;
	size_t i;

	if (json_integer_value(json_object_get(j, "status")) != resp->status)
		fuzz_fail("problem document status differs from %d: %.*s",
		    resp->status, (int)resp->body_len, resp->body);
	if (!json_is_string(json_object_get(j, "type")) ||
	    !json_is_string(json_object_get(j, "code")) ||
	    !json_is_string(json_object_get(j, "title")) ||
	    !json_is_string(json_object_get(j, "detail")) ||
	    !json_is_string(json_object_get(j, "request_id")))
		fuzz_fail("problem document without type, code, title, "
		    "detail or request_id: %.*s", (int)resp->body_len,
		    resp->body);
	errs = json_object_get(j, "errors");
	if (errs == NULL)
		return;
	if (!json_is_array(errs) || json_array_size(errs) == 0)
		fuzz_fail("problem document with an empty \"errors\" (entries "
		    "lost): %.*s", (int)resp->body_len, resp->body);
	json_array_foreach(errs, i, e)
		if (!json_is_string(json_object_get(e, "field")) ||
		    !json_is_string(json_object_get(e, "message")))
			fuzz_fail("errors[%zu] without field or message", i);
}

/*
 * The contract every answer keeps (/tmp/jaild-api.md): a real status;
 * every 4xx/5xx is a problem document whose "status" is the HTTP status;
 * JSON bodies parse; 204 and 304 carry no body.  With no allocation
 * failures and an in-memory database there is no excuse for a 500, so a
 * 500 for any input is a bug too.
 */
static inline void
fuzz_check_response(const struct api_response *resp)
{
	const char *ct = resp->content_type;
	json_t *j;

	if (resp->status < 100 || resp->status > 599)
		fuzz_fail("status %d", resp->status);
	if (resp->status == 500)
		fuzz_fail("500 for a client input: %.*s",
		    (int)(resp->body_len > 2000 ? 2000 : resp->body_len),
		    resp->body ? resp->body : "");
	if (resp->status == 204 || resp->status == 304) {
		if (resp->body != NULL && resp->body_len != 0)
			fuzz_fail("%d with a body", resp->status);
		return;
	}
	if (resp->body == NULL)
		fuzz_fail("status %d without a body", resp->status);
	if (ct == NULL)
		fuzz_fail("status %d without a content type", resp->status);
	if (resp->status >= 400 &&
	    strcmp(ct, "application/problem+json") != 0)
		fuzz_fail("status %d answered as %s", resp->status, ct);
	if (strcmp(ct, "application/json") != 0 &&
	    strcmp(ct, "application/problem+json") != 0)
		return;
	j = fuzz_must_parse("response body", resp->body, resp->body_len);
	if (strcmp(ct, "application/problem+json") == 0)
		fuzz_check_problem(j, resp);
	json_decref(j);
}

/*
 * A problem document built from a list of n validation errors must list
 * all n of them.
 */
static inline void
fuzz_check_errors_count(const struct api_response *resp, size_t n)
{
	json_t *j;
	size_t got;

	j = fuzz_must_parse("problem document", resp->body, resp->body_len);
	got = json_array_size(json_object_get(j, "errors"));
	if (got != n)
		fuzz_fail("problem document lists %zu of %zu errors: %.*s",
		    got, n, (int)resp->body_len, resp->body);
	json_decref(j);
}

#endif
