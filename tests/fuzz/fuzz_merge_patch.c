/*
 * fuzz_merge_patch.c - libFuzzer target for codec_merge_patch (RFC 7396).
 *
 * The input is two JSON texts, the target and the patch, split at the
 * first NUL byte (or, without one, half-way).  Inputs that are not JSON
 * are skipped: the HTTP layer refuses them before the merge runs.  The
 * result is checked against the RFC's definition, written out here as
 * separate assertions instead of a second implementation:
 *   - a patch that is not an object replaces the target;
 *   - otherwise the result is an object, each null member of the patch is
 *     absent from it, each non-object member is copied as is, each object
 *     member is merged recursively, and every other member of the target
 *     is kept unchanged; nothing else appears;
 *   - applying the same patch again changes nothing (idempotence);
 *   - neither input is modified.
 */
#include <stdint.h>
#include <string.h>

#include "api/codec.h"
#include "common/alloc.h"
#include "fuzz_common.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	jd_alloc_init();
	return 0;
}

/* result == MergePatch(target, patch), member by member. */
static void
check_merge(const json_t *target, const json_t *patch, const json_t *result)
{
	const char *k;
	json_t *pv, *tv, *rv;

	if (result == NULL)
		fuzz_fail("merge returned NULL");
	if (!json_is_object(patch)) {
		if (!json_equal(result, patch))
			fuzz_fail("a non-object patch must replace the target");
		return;
	}
	if (!json_is_object(result))
		fuzz_fail("an object patch must give an object");
	json_object_foreach((json_t *)patch, k, pv) {
		rv = json_object_get(result, k);
		tv = json_is_object(target) ? json_object_get(target, k) :
		    NULL;
		if (json_is_null(pv)) {
			if (rv != NULL)
				fuzz_fail("member \"%s\" patched with null is "
				    "still there", k);
			continue;
		}
		if (rv == NULL)
			fuzz_fail("patched member \"%s\" is missing", k);
		if (!json_is_object(pv)) {
			if (!json_equal(rv, pv))
				fuzz_fail("member \"%s\" is not the patch's "
				    "value", k);
			continue;
		}
		check_merge(tv, pv, rv);
	}
	/* Members the patch does not name are the target's, untouched. */
	json_object_foreach((json_t *)result, k, rv) {
		if (json_object_get(patch, k) != NULL)
			continue;
		tv = json_is_object(target) ? json_object_get(target, k) :
		    NULL;
		if (tv == NULL)
			fuzz_fail("member \"%s\" comes from nowhere", k);
		if (!json_equal(rv, tv))
			fuzz_fail("member \"%s\" changed without a patch", k);
	}
	if (json_is_object(target)) {
		json_object_foreach((json_t *)target, k, tv)
			if (json_object_get(patch, k) == NULL &&
			    json_object_get(result, k) == NULL)
				fuzz_fail("member \"%s\" of the target was "
				    "lost", k);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const uint8_t *nul;
	size_t tlen, poff;
	json_t *target, *patch, *tcopy, *pcopy, *result, *twice;
	int flags = JSON_DECODE_ANY | JSON_REJECT_DUPLICATES;

	nul = memchr(data, '\0', size);
	if (nul != NULL) {
		tlen = (size_t)(nul - data);
		poff = tlen + 1;
	} else {
		tlen = size / 2;
		poff = tlen;
	}
	target = json_loadb(text, tlen, flags, NULL);
	patch = json_loadb(text + poff, size - poff, flags, NULL);
	if (target == NULL || patch == NULL) {
		json_decref(target);
		json_decref(patch);
		return 0;
	}
	tcopy = json_deep_copy(target);
	pcopy = json_deep_copy(patch);

	result = codec_merge_patch(target, patch);
	check_merge(target, patch, result);
	if (!json_equal(target, tcopy))
		fuzz_fail("the merge modified its target");
	if (!json_equal(patch, pcopy))
		fuzz_fail("the merge modified its patch");

	twice = codec_merge_patch(result, patch);
	if (twice == NULL || !json_equal(twice, result))
		fuzz_fail("applying the patch twice is not idempotent");

	/* The result is a value jansson can write and read back. */
	if (result != NULL) {
		char *s = json_dumps(result, JSON_ENCODE_ANY | JSON_COMPACT);
		json_t *back;

		if (s == NULL)
			fuzz_fail("the merge result cannot be serialised");
		back = fuzz_must_parse("merge result", s, strlen(s));
		if (!json_equal(back, result))
			fuzz_fail("the merge result does not round-trip");
		json_decref(back);
		jd_free(s);
	}
	json_decref(twice);
	json_decref(result);
	json_decref(tcopy);
	json_decref(pcopy);
	json_decref(target);
	json_decref(patch);
	return 0;
}
