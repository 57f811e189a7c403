/*
 * fuzz_jailconf.c - libFuzzer target for the jail.conf and rc.conf
 * importers and the jail.conf emitter (prison/jailconf.h).
 *
 * The first byte picks the parser (odd: rc.conf variables, even:
 * jail.conf); the rest is the text.  Whatever the bytes, jailconf_import
 * returns 0 or -1 (never crashes or reads past the input), every error has
 * a line, a column and a message, and a text that imported cleanly must
 * round-trip: its documents render with jailconf_emit_file, the rendering
 * imports again without errors, to the same documents.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common/alloc.h"
#include "fuzz_common.h"
#include "prison/jailconf.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	jd_alloc_init();
	return 0;
}

static void
check_errors(const json_t *errors)
{
	const json_t *e;
	size_t i;

	json_array_foreach((json_t *)errors, i, e) {
		if (json_integer_value(json_object_get(e, "line")) < 1 ||
		    json_integer_value(json_object_get(e, "column")) < 1)
			fuzz_fail("error %zu without a line and column", i);
		if (!json_is_string(json_object_get(e, "message")) ||
		    json_string_length(json_object_get(e, "message")) == 0)
			fuzz_fail("error %zu without a message", i);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jailconf_result r, r2;
	struct jd_error err;
	struct buf b = { 0 };
	char *a, *c;
	int rc, rcconf;

	if (size == 0)
		return 0;
	rcconf = data[0] & 1;
	memset(&r, 0, sizeof(r));
	rc = jailconf_import((const char *)data + 1, size - 1, rcconf, &r,
	    &err);
	if (rc != 0 && rc != -1)
		fuzz_fail("jailconf_import returned %d", rc);
	if (r.jails == NULL || r.errors == NULL || r.not_imported == NULL)
		fuzz_fail("result arrays missing (code %d)", err.code);
	check_errors(r.errors);
	if ((rc == 0) != (json_array_size(r.errors) == 0))
		fuzz_fail("returned %d with %zu errors", rc,
		    json_array_size(r.errors));
	if (rc == -1 && err.code != JD_E_INVALID)
		fuzz_fail("failed with code %d", err.code);
	if (rc == 0) {
		if (jailconf_emit_file(r.jails, NULL, &b, &err) != 0)
			fuzz_fail("cannot emit imported documents: %s",
			    err.message);
		memset(&r2, 0, sizeof(r2));
		if (jailconf_import(b.data, b.len, 0, &r2, &err) != 0) {
			a = json_dumps(r2.errors, JSON_COMPACT);
			fuzz_fail("emitted text does not import: %s\n%s", a,
			    b.data);
		}
		if (!json_equal(r.jails, r2.jails)) {
			a = json_dumps(r.jails, JSON_COMPACT);
			c = json_dumps(r2.jails, JSON_COMPACT);
			fuzz_fail("round trip differs:\n%s\n%s\n%s", a, c,
			    b.data);
		}
		jailconf_result_free(&r2);
	}
	buf_free(&b);
	jailconf_result_free(&r);
	return 0;
}
