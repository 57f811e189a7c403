/*
 * test_codec.c - the jail document codec: codec_jail_decode's canonical
 * form and every validation rule with its exact JSON Pointer, many errors
 * in one document, codec_merge_patch over RFC 7396's appendix A (data files
 * in tests/unit/cases/merge-patch), codec_jail_render and
 * codec_parse_body's statuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/codec.h"
#include "api/problem.h"
#include "common/alloc.h"
#include "common/buf.h"
#include "tests/lib/check.h"

/* The minimal valid document every fragment test builds on. */
#define BASE	"\"name\":\"web1\",\"path\":\"/j/web1\""

static const struct api_config test_cfg = {
	.max_body = 1 << 20,
	.devfs_rulesets = { 4, 5 },
	.ndevfs_rulesets = 2,
	.max_wait_s = 3600,
};

static json_t *
load(const char *file, int line, const char *text)
{
	json_error_t jerr;
	json_t *j;

	j = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL, &jerr);
	if (j == NULL)
		check_fail(file, line, text, jerr.text);
	return j;
}

/* Resolve a JSON Pointer (no escapes needed by these tests). */
static json_t *
jp(json_t *j, const char *ptr)
{
	char tok[128];
	const char *p = ptr, *e;
	size_t n;

	while (j != NULL && *p == '/') {
		p++;
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		snprintf(tok, sizeof(tok), "%.*s", (int)n, p);
		if (json_is_array(j))
			j = json_array_get(j, strtoul(tok, NULL, 10));
		else
			j = json_object_get(j, tok);
		p += n;
	}
	return j;
}

static void
errs_text(const struct verrs *e, char *out, size_t outsz)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < e->n && n + 1 < outsz; i++)
		n += (size_t)snprintf(out + n, outsz - n, "[%s: %s] ",
		    e->v[i].field, e->v[i].message);
	if (e->n == 0)
		snprintf(out, outsz, "no errors");
}

static json_t *
decode_text(const char *file, int line, const char *text, const char *url,
    const char *old, struct verrs *errs)
{
	json_t *in, *oldj = NULL, *out;

	in = load(file, line, text);
	if (old != NULL)
		oldj = load(file, line, old);
	out = codec_jail_decode(in, url, oldj, &test_cfg, errs);
	json_decref(in);
	json_decref(oldj);
	return out;
}

/* A valid document: its canonical form (caller decrefs). */
static json_t *
good(const char *file, int line, const char *text, const char *url,
    const char *old)
{
	struct verrs e = { 0 };
	char d[2048];
	json_t *out;

	out = decode_text(file, line, text, url, old, &e);
	if (out == NULL || e.n != 0) {
		errs_text(&e, d, sizeof(d));
		check_fail(file, line, text, d);
	}
	check_pass();
	verrs_free(&e);
	return out;
}

/* An invalid document with exactly one error at ptr (message has msg). */
static void
bad(const char *file, int line, const char *text, const char *url,
    const char *old, const char *ptr, const char *msg)
{
	struct verrs e = { 0 };
	char d[2048];
	json_t *out;

	out = decode_text(file, line, text, url, old, &e);
	if (out != NULL) {
		json_decref(out);
		check_fail(file, line, text, "was accepted");
	}
	if (e.n != 1 || e.oom || strcmp(e.v[0].field, ptr) != 0 ||
	    (msg != NULL && strstr(e.v[0].message, msg) == NULL)) {
		errs_text(&e, d, sizeof(d));
		check_fail(file, line, ptr, d);
	}
	check_pass();
	verrs_free(&e);
}

static void
with_base(char *out, size_t outsz, const char *frag)
{
	snprintf(out, outsz, "{" BASE "%s%s}", frag[0] ? "," : "", frag);
}

static json_t *
good_frag(const char *file, int line, const char *frag)
{
	char doc[8192];

	with_base(doc, sizeof(doc), frag);
	return good(file, line, doc, NULL, NULL);
}

static void
bad_frag(const char *file, int line, const char *frag, const char *ptr,
    const char *msg)
{
	char doc[8192];

	with_base(doc, sizeof(doc), frag);
	bad(file, line, doc, NULL, NULL, ptr, msg);
}

#define GOOD(frag)		good_frag(__FILE__, __LINE__, frag)
#define BAD(frag, ptr, msg)	bad_frag(__FILE__, __LINE__, frag, ptr, msg)
#define GOODDOC(t, url, old)	good(__FILE__, __LINE__, t, url, old)
#define BADDOC(t, url, old, ptr, msg) \
	bad(__FILE__, __LINE__, t, url, old, ptr, msg)

/* The value at ptr in j, as compact JSON text, compared with want. */
#define CHECK_AT(j, ptr, want) do {					\
	json_t *_x = jp((j), (ptr));					\
	char *_s = _x ? json_dumps(_x, JSON_COMPACT | JSON_ENCODE_ANY)	\
	    : NULL;							\
	CHECK_STR(_s ? _s : "(absent)", (want));			\
	jd_free(_s);							\
} while (0)

static const char canonical_min[] =
    "{\"name\":\"web1\",\"path\":\"/j/web1\",\"hostname\":\"\","
    "\"state\":\"stopped\",\"restart_policy\":\"manual\",\"policies\":[],"
    "\"params\":{},\"exec\":{\"prepare\":[],\"prestart\":[],\"created\":[],"
    "\"start\":[],\"poststart\":[],\"prestop\":[],\"stop\":[],"
    "\"poststop\":[],\"release\":[],\"clean\":false,\"jail_user\":null,"
    "\"system_user\":null,\"timeout_s\":null,\"stop_timeout_s\":10,"
    "\"consolelog\":null},\"ips\":[],\"mounts\":[],\"depends\":[],"
    "\"labels\":{}}";

static void
check_dump(const char *file, int line, json_t *j, const char *want)
{
	char *s = json_dumps(j, JSON_COMPACT);

	if (s == NULL || strcmp(s, want) != 0)
		check_fail(file, line, want, s ? s : "(null)");
	check_pass();
	jd_free(s);
}

static void
test_defaults(void)
{
	json_t *a, *b, *c;
	char *s;

	/* Defaults filled in, every field in the canonical order. */
	a = GOODDOC("{" BASE "}", NULL, NULL);
	check_dump(__FILE__, __LINE__, a, canonical_min);

	/* Input order does not matter; the output order is fixed. */
	b = GOODDOC("{\"labels\":{},\"depends\":[],\"mounts\":[],\"ips\":[],"
	    "\"exec\":{\"consolelog\":null,\"stop_timeout_s\":10},"
	    "\"params\":{},\"policies\":[],\"restart_policy\":\"manual\","
	    "\"state\":\"stopped\",\"hostname\":\"\",\"path\":\"/j/web1\","
	    "\"name\":\"web1\"}", NULL, NULL);
	check_dump(__FILE__, __LINE__, b, canonical_min);

	/* Read-only fields are accepted and dropped. */
	c = GOODDOC("{" BASE ",\"generation\":7,\"resource_version\":1042,"
	    "\"created_at\":\"2026-11-22T10:00:00Z\",\"updated_at\":\"x\","
	    "\"status\":{\"phase\":\"running\",\"jid\":12}}", NULL, NULL);
	check_dump(__FILE__, __LINE__, c, canonical_min);

	/* The canonical form decodes to itself (a GET body can be PUT). */
	s = json_dumps(a, JSON_COMPACT);
	json_decref(b);
	b = GOODDOC(s, "web1", s);
	check_dump(__FILE__, __LINE__, b, canonical_min);
	jd_free(s);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

static void
test_name(void)
{
	json_t *j;
	char doc[256];

	BADDOC("{\"path\":\"/j/x\"}", NULL, NULL, "/name", "is required");
	/* PUT: the URL gives the name. */
	j = GOODDOC("{\"path\":\"/j/x\"}", "x1", NULL);
	CHECK_AT(j, "/name", "\"x1\"");
	json_decref(j);
	j = GOODDOC("{\"name\":\"x1\",\"path\":\"/j/x\"}", "x1", NULL);
	CHECK_AT(j, "/name", "\"x1\"");
	json_decref(j);
	BADDOC("{\"name\":\"x2\",\"path\":\"/j/x\"}", "x1", NULL, "/name",
	    "must match the name in the URL");
	BADDOC("{\"name\":5,\"path\":\"/j/x\"}", NULL, NULL, "/name",
	    "must be a string");
	BADDOC("{\"name\":null,\"path\":\"/j/x\"}", NULL, NULL, "/name",
	    "must be a string");
	BADDOC("{\"name\":\"-a\",\"path\":\"/j/x\"}", NULL, NULL, "/name",
	    "1 to 63");
	BADDOC("{\"name\":\"_a\",\"path\":\"/j/x\"}", NULL, NULL, "/name",
	    NULL);
	BADDOC("{\"name\":\"123\",\"path\":\"/j/x\"}", NULL, NULL, "/name",
	    "not be all digits");
	BADDOC("{\"name\":\"a.b\",\"path\":\"/j/x\"}", NULL, NULL, "/name",
	    NULL);
	BADDOC("{\"name\":\"a b\",\"path\":\"/j/x\"}", NULL, NULL, "/name",
	    NULL);
	BADDOC("{\"name\":\"\",\"path\":\"/j/x\"}", NULL, NULL, "/name",
	    NULL);
	BADDOC("{\"name\":\"a\\u0000b\",\"path\":\"/j/x\"}", NULL, NULL,
	    "/name", NULL);
	/* 63 characters pass, 64 do not. */
	snprintf(doc, sizeof(doc), "{\"name\":\"%s\",\"path\":\"/j/x\"}",
	    "a23456789012345678901234567890123456789012345678901234567890123");
	json_decref(GOODDOC(doc, NULL, NULL));
	snprintf(doc, sizeof(doc), "{\"name\":\"%s\",\"path\":\"/j/x\"}",
	    "a234567890123456789012345678901234567890123456789012345678901234");
	BADDOC(doc, NULL, NULL, "/name", NULL);
	j = GOODDOC("{\"name\":\"9lives_-X\",\"path\":\"/j/x\"}", NULL, NULL);
	CHECK_AT(j, "/name", "\"9lives_-X\"");
	json_decref(j);
}

static void
test_path(void)
{
	static const struct {
		const char	*path;
		const char	*msg;
	} bads[] = {
		{ "relative/x", "must be an absolute path" },
		{ "", "must be an absolute path" },
		{ "/a/../b", "\"..\"" },
		{ "/..", "\"..\"" },
		{ "/a/./b", "\".\"" },
		{ "/a/.", "\".\"" },
		{ "/a//b", "normalised" },
		{ "//a", "normalised" },
		{ "/a/", "trailing" },
		{ "/", "must not be \"/\"" },
		{ "/a\\u0001b", "control characters" },
	};
	char doc[2300], big[1100];
	json_t *j;
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		snprintf(doc, sizeof(doc), "{\"name\":\"a\",\"path\":\"%s\"}",
		    bads[i].path);
		BADDOC(doc, NULL, NULL, "/path", bads[i].msg);
	}
	BADDOC("{\"name\":\"a\"}", NULL, NULL, "/path", "is required");
	BADDOC("{\"name\":\"a\",\"path\":7}", NULL, NULL, "/path",
	    "must be a string");
	BADDOC("{\"name\":\"a\",\"path\":\"/a\\u0000b\"}", NULL, NULL, "/path",
	    "must be a string");
	/* 1023 bytes pass, 1024 are too long. */
	memset(big, 'x', sizeof(big));
	big[0] = '/';
	big[1023] = '\0';
	snprintf(doc, sizeof(doc), "{\"name\":\"a\",\"path\":\"%s\"}", big);
	json_decref(GOODDOC(doc, NULL, NULL));
	big[1023] = 'x';
	big[1024] = '\0';
	snprintf(doc, sizeof(doc), "{\"name\":\"a\",\"path\":\"%s\"}", big);
	BADDOC(doc, NULL, NULL, "/path", "too long");
	/* Dots inside names are fine. */
	j = GOODDOC("{\"name\":\"a\",\"path\":\"/j/.hidden/a..b/...\"}",
	    NULL, NULL);
	CHECK_AT(j, "/path", "\"/j/.hidden/a..b/...\"");
	json_decref(j);
}

static void
test_scalars(void)
{
	char frag[400], h[300];
	json_t *j;

	j = GOOD("\"hostname\":\"web1.example.org\",\"state\":\"running\","
	    "\"restart_policy\":\"auto\"");
	CHECK_AT(j, "/hostname", "\"web1.example.org\"");
	CHECK_AT(j, "/state", "\"running\"");
	CHECK_AT(j, "/restart_policy", "\"auto\"");
	json_decref(j);
	BAD("\"hostname\":\"web_1\"", "/hostname", "[A-Za-z0-9.-]");
	BAD("\"hostname\":\"a b\"", "/hostname", NULL);
	BAD("\"hostname\":5", "/hostname", "must be a string");
	BAD("\"hostname\":null", "/hostname", "must be a string");
	memset(h, 'h', sizeof(h));
	h[255] = '\0';
	snprintf(frag, sizeof(frag), "\"hostname\":\"%s\"", h);
	json_decref(GOOD(frag));
	h[255] = 'h';
	h[256] = '\0';
	snprintf(frag, sizeof(frag), "\"hostname\":\"%s\"", h);
	BAD(frag, "/hostname", "at most 255");

	BAD("\"state\":\"paused\"", "/state",
	    "must be \"running\" or \"stopped\"");
	BAD("\"state\":\"RUNNING\"", "/state", NULL);
	BAD("\"state\":1", "/state", NULL);
	BAD("\"state\":null", "/state", NULL);
	BAD("\"restart_policy\":\"always\"", "/restart_policy",
	    "must be \"manual\" or \"auto\"");
	BAD("\"restart_policy\":true", "/restart_policy", NULL);

	/* Names are checked here; whether each exists, in the writer. */
	BAD("\"policies\":[\"a\",\"b\",\"a\"]", "/policies/2",
	    "duplicates /policies/0");
	j = GOOD("\"policies\":[\"hardened\",\"base\"]");
	CHECK_AT(j, "/policies", "[\"hardened\",\"base\"]");
	json_decref(j);
	BAD("\"policies\":[5]", "/policies/0", "must be a policy name");
	BAD("\"policies\":[\"-x\"]", "/policies/0", "must be a policy name");
	BAD("\"policies\":\"hardened\"", "/policies", "must be an array");
	j = GOOD("\"policies\":[]");
	CHECK_AT(j, "/policies", "[]");
	json_decref(j);
}

static void
test_params(void)
{
	json_t *j;

	j = GOOD("\"params\":{\"securelevel\":3,\"allow.raw_sockets\":false,"
	    "\"enforce_statfs\":2}");
	CHECK_AT(j, "/params/securelevel", "3");
	CHECK_AT(j, "/params/allow.raw_sockets", "false");
	CHECK_AT(j, "/params/enforce_statfs", "2");
	json_decref(j);
	BAD("\"params\":{\"securelevel\":9}", "/params/securelevel", NULL);
	BAD("\"params\":{\"securelevel\":\"3\"}", "/params/securelevel",
	    NULL);
	BAD("\"params\":{\"bogus\":1}", "/params/bogus",
	    "unknown jail parameter");
	BAD("\"params\":{\"path\":\"/x\"}", "/params/path", "\"path\" field");
	BAD("\"params\":{\"host.hostname\":\"x\"}", "/params/host.hostname",
	    "\"hostname\" field");
	BAD("\"params\":{\"persist\":true}", "/params/persist",
	    "jaild manages");
	BAD("\"params\":{\"dying\":false}", "/params/dying", "read-only");
	BAD("\"params\":{\"allow.noraw_sockets\":true}",
	    "/params/allow.noraw_sockets", "instead of the \"no\" form");
	BAD("\"params\":[]", "/params", "must be an object");
}

static void
test_exec(void)
{
	char frag[5000], cmd[4200];
	json_t *j;

	j = GOOD("\"exec\":{\"start\":[\"/bin/sh /etc/rc\"],\"stop\":["
	    "\"/bin/sh /etc/rc.shutdown jail\",\"echo done\"],\"clean\":true,"
	    "\"jail_user\":\"root\",\"system_user\":\"www_x.y-z\","
	    "\"timeout_s\":60,\"stop_timeout_s\":0,"
	    "\"consolelog\":\"/var/log/jail_web1.log\"}");
	CHECK_AT(j, "/exec/start", "[\"/bin/sh /etc/rc\"]");
	CHECK_AT(j, "/exec/stop",
	    "[\"/bin/sh /etc/rc.shutdown jail\",\"echo done\"]");
	CHECK_AT(j, "/exec/prepare", "[]");
	CHECK_AT(j, "/exec/release", "[]");
	CHECK_AT(j, "/exec/clean", "true");
	CHECK_AT(j, "/exec/jail_user", "\"root\"");
	CHECK_AT(j, "/exec/system_user", "\"www_x.y-z\"");
	CHECK_AT(j, "/exec/timeout_s", "60");
	CHECK_AT(j, "/exec/stop_timeout_s", "0");
	CHECK_AT(j, "/exec/consolelog", "\"/var/log/jail_web1.log\"");
	CHECK_INT(json_object_size(jp(j, "/exec")), 15);
	json_decref(j);

	j = GOOD("\"exec\":{\"timeout_s\":null,\"stop_timeout_s\":null,"
	    "\"jail_user\":null}");
	CHECK_AT(j, "/exec/timeout_s", "null");
	CHECK_AT(j, "/exec/stop_timeout_s", "10");
	CHECK_AT(j, "/exec/jail_user", "null");
	json_decref(j);

	BAD("\"exec\":[]", "/exec", "must be an object");
	BAD("\"exec\":{\"bogus\":1}", "/exec/bogus", "unknown field");
	BAD("\"exec\":{\"start\":\"/bin/sh /etc/rc\"}", "/exec/start",
	    "must be an array of command strings");
	BAD("\"exec\":{\"prestart\":[\"ok\",\"\"]}", "/exec/prestart/1",
	    "must be 1 to 4096 bytes on one line");
	BAD("\"exec\":{\"poststop\":[\"a\\nb\"]}", "/exec/poststop/0",
	    "one line");
	BAD("\"exec\":{\"created\":[\"a\\rb\"]}", "/exec/created/0", NULL);
	BAD("\"exec\":{\"release\":[7]}", "/exec/release/0",
	    "must be a command string");
	BAD("\"exec\":{\"stop\":[\"a\\u0000b\"]}", "/exec/stop/0",
	    "must be a command string");
	memset(cmd, 'c', sizeof(cmd));
	cmd[4096] = '\0';
	snprintf(frag, sizeof(frag), "\"exec\":{\"start\":[\"%s\"]}", cmd);
	json_decref(GOOD(frag));
	cmd[4096] = 'c';
	cmd[4097] = '\0';
	snprintf(frag, sizeof(frag), "\"exec\":{\"start\":[\"%s\"]}", cmd);
	BAD(frag, "/exec/start/0", NULL);
	BAD("\"exec\":{\"clean\":\"yes\"}", "/exec/clean",
	    "must be true or false");
	BAD("\"exec\":{\"jail_user\":\"-root\"}", "/exec/jail_user",
	    "must be a user name");
	BAD("\"exec\":{\"jail_user\":\"\"}", "/exec/jail_user", NULL);
	BAD("\"exec\":{\"system_user\":\"a b\"}", "/exec/system_user", NULL);
	BAD("\"exec\":{\"jail_user\":0}", "/exec/jail_user", NULL);
	BAD("\"exec\":{\"timeout_s\":0}", "/exec/timeout_s",
	    "must be an integer from 1 to 86400");
	BAD("\"exec\":{\"timeout_s\":86401}", "/exec/timeout_s", NULL);
	BAD("\"exec\":{\"timeout_s\":1.5}", "/exec/timeout_s", NULL);
	json_decref(GOOD("\"exec\":{\"timeout_s\":86400}"));
	BAD("\"exec\":{\"stop_timeout_s\":-1}", "/exec/stop_timeout_s",
	    "must be an integer from 0 to 3600");
	BAD("\"exec\":{\"stop_timeout_s\":3601}", "/exec/stop_timeout_s",
	    NULL);
	BAD("\"exec\":{\"consolelog\":\"log\"}", "/exec/consolelog",
	    "absolute");
	BAD("\"exec\":{\"consolelog\":\"/var/log/\"}", "/exec/consolelog",
	    NULL);
	BAD("\"exec\":{\"consolelog\":false}", "/exec/consolelog",
	    "must be a path or null");
}

static void
test_ips(void)
{
	static const struct {
		const char	*in;
		const char	*out;
		const char	*family;
	} goods[] = {
		{ "10.0.0.5", "10.0.0.5/32", "inet" },
		{ "10.0.0.5/24", "10.0.0.5/24", "inet" },
		{ "10.0.0.5/0", "10.0.0.5/0", "inet" },
		{ "192.168.1.1/32", "192.168.1.1/32", "inet" },
		{ "2001:DB8::0001", "2001:db8::1/128", "inet6" },
		{ "2001:db8:0:0:0:0:0:1/64", "2001:db8::1/64", "inet6" },
		{ "fe80::1/128", "fe80::1/128", "inet6" },
		{ "::1", "::1/128", "inet6" },
		{ "::ffff:10.0.0.1", "::ffff:10.0.0.1/128", "inet6" },
	};
	static const struct {
		const char	*in;
		const char	*msg;
	} bads[] = {
		{ "10.0.0.5/33", "the prefix must be 0 to 32" },
		{ "10.0.0.5/-1", "the prefix must be a number" },
		{ "10.0.0.5/", "the prefix must be a number" },
		{ "10.0.0.5/24x", "the prefix must be 0 to 32" },
		{ "2001:db8::1/129", "the prefix must be 0 to 128" },
		{ "0.0.0.0", "cannot be a jail address" },
		{ "0.0.0.0/8", "cannot be a jail address" },
		{ "255.255.255.255", "cannot be a jail address" },
		{ "::", ":: cannot be a jail address" },
		{ "0:0::0/64", ":: cannot be a jail address" },
		{ "10.0.0", "is not an IPv4 or IPv6 address" },
		{ "10.0.0.256", "is not an IPv4 or IPv6 address" },
		{ "example.org", "is not an IPv4 or IPv6 address" },
		{ "fe80::1%em0", "is not an IPv4 or IPv6 address" },
		{ "", "must be an IPv4 or IPv6 address" },
		{ "/24", "must be an IPv4 or IPv6 address" },
	};
	char frag[512], canon[80], msg[160];
	const char *fam;
	json_t *j;
	size_t i;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		snprintf(frag, sizeof(frag), "\"ips\":[{\"address\":\"%s\"}]",
		    goods[i].in);
		j = GOOD(frag);
		snprintf(frag, sizeof(frag), "[{\"interface\":null,"
		    "\"address\":\"%s\",\"family\":\"%s\"}]", goods[i].out,
		    goods[i].family);
		CHECK_AT(j, "/ips", frag);
		json_decref(j);
		/* The same through the exported helper. */
		CHECK_INT(codec_ip_normalize(goods[i].in, canon, sizeof(canon),
		    &fam, msg, sizeof(msg)), 0);
		CHECK_STR(canon, goods[i].out);
		CHECK_STR(fam, goods[i].family);
	}
	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		snprintf(frag, sizeof(frag), "\"ips\":[{\"address\":\"%s\"}]",
		    bads[i].in);
		BAD(frag, "/ips/0/address", bads[i].msg);
		CHECK_INT(codec_ip_normalize(bads[i].in, canon, sizeof(canon),
		    &fam, msg, sizeof(msg)), -1);
		CHECK_CONTAINS(msg, bads[i].msg);
	}

	/* Interface kept, family recomputed (input family ignored). */
	j = GOOD("\"ips\":[{\"interface\":\"em0\",\"address\":\"10.0.0.5/24\","
	    "\"family\":\"inet6\"},{\"interface\":\"lo1.5_x-y\",\"address\":"
	    "\"2001:db8::5\"}]");
	CHECK_AT(j, "/ips", "[{\"interface\":\"em0\",\"address\":"
	    "\"10.0.0.5/24\",\"family\":\"inet\"},{\"interface\":"
	    "\"lo1.5_x-y\",\"address\":\"2001:db8::5/128\",\"family\":"
	    "\"inet6\"}]");
	json_decref(j);

	/* Duplicates compare the address, not the prefix. */
	BAD("\"ips\":[{\"address\":\"10.0.0.5\"},"
	    "{\"address\":\"10.0.0.5/24\"}]",
	    "/ips/1/address", "duplicate address 10.0.0.5");
	BAD("\"ips\":[{\"address\":\"2001:db8::1\"},{\"address\":"
	    "\"2001:DB8:0::1/64\"}]", "/ips/1/address",
	    "duplicate address 2001:db8::1");
	/* Not a prefix match: 10.0.0.5 and 10.0.0.50 differ. */
	j = GOOD("\"ips\":[{\"address\":\"10.0.0.5\"},{\"address\":"
	    "\"10.0.0.50\"}]");
	CHECK_INT(json_array_size(jp(j, "/ips")), 2);
	json_decref(j);

	BAD("\"ips\":[{\"address\":\"10.0.0.5\",\"mask\":\"24\"}]",
	    "/ips/0/mask", "unknown field");
	BAD("\"ips\":[{\"interface\":\"em0\"}]", "/ips/0/address",
	    "is required");
	BAD("\"ips\":[{\"address\":5}]", "/ips/0/address", "is required");
	BAD("\"ips\":[{\"interface\":\"0em\",\"address\":\"10.0.0.1\"}]",
	    "/ips/0/interface", "interface name");
	BAD("\"ips\":[{\"interface\":\"abcdefghijklmnop\",\"address\":"
	    "\"10.0.0.1\"}]", "/ips/0/interface", NULL);
	BAD("\"ips\":[{\"interface\":5,\"address\":\"10.0.0.1\"}]",
	    "/ips/0/interface", NULL);
	BAD("\"ips\":[\"10.0.0.1\"]", "/ips/0", "must be an object");
	BAD("\"ips\":\"10.0.0.1\"", "/ips", "must be an array");
	BAD("\"ips\":[{\"address\":\"10.0.0.1\"},{\"address\":\"10.0.0.2\"},"
	    "{\"address\":\"10.0.0.0\"},{\"address\":\"0.0.0.0\"}]",
	    "/ips/3/address", NULL);
}

static void
test_mounts(void)
{
	char frag[2300], big[1100];
	json_t *j;

	j = GOOD("\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\"},"
	    "{\"type\":\"nullfs\",\"source\":\"/usr/local/jails/base\","
	    "\"target\":\"/basejail\",\"options\":[\"ro\"]},"
	    "{\"type\":\"tmpfs\",\"target\":\"/tmp\",\"size\":\"512m\","
	    "\"mode\":\"1777\"},{\"type\":\"procfs\",\"target\":\"/proc\"},"
	    "{\"type\":\"fdescfs\",\"target\":\"/dev/fd\"},"
	    "{\"type\":\"nullfs\",\"source\":\"/\",\"target\":\"/host\"},"
	    "{\"type\":\"devfs\",\"target\":\"/dev2\",\"ruleset\":5}]");
	CHECK_AT(j, "/mounts/0", "{\"id\":1,\"type\":\"devfs\",\"target\":"
	    "\"/dev\",\"ruleset\":4}");
	CHECK_AT(j, "/mounts/1", "{\"id\":2,\"type\":\"nullfs\",\"source\":"
	    "\"/usr/local/jails/base\",\"target\":\"/basejail\",\"options\":"
	    "[\"ro\"]}");
	CHECK_AT(j, "/mounts/2", "{\"id\":3,\"type\":\"tmpfs\",\"target\":"
	    "\"/tmp\",\"size\":\"512m\",\"mode\":\"1777\"}");
	CHECK_AT(j, "/mounts/3", "{\"id\":4,\"type\":\"procfs\",\"target\":"
	    "\"/proc\"}");
	CHECK_AT(j, "/mounts/4", "{\"id\":5,\"type\":\"fdescfs\",\"target\":"
	    "\"/dev/fd\"}");
	/* nullfs options default to rw; "/" is a valid source. */
	CHECK_AT(j, "/mounts/5", "{\"id\":6,\"type\":\"nullfs\",\"source\":"
	    "\"/\",\"target\":\"/host\",\"options\":[\"rw\"]}");
	CHECK_AT(j, "/mounts/6/ruleset", "5");
	json_decref(j);

	/* Types and their fields. */
	BAD("\"mounts\":[{\"type\":\"zfs\",\"target\":\"/z\"}]",
	    "/mounts/0/type", "must be one of nullfs, devfs, tmpfs");
	BAD("\"mounts\":[{\"target\":\"/z\"}]", "/mounts/0/type", NULL);
	BAD("\"mounts\":[{\"type\":\"nullfs\",\"target\":\"/b\"}]",
	    "/mounts/0/source", "is required for nullfs");
	BAD("\"mounts\":[{\"type\":\"nullfs\",\"source\":\"base\","
	    "\"target\":\"/b\"}]", "/mounts/0/source", "absolute");
	BAD("\"mounts\":[{\"type\":\"nullfs\",\"source\":\"/a/../b\","
	    "\"target\":\"/b\"}]", "/mounts/0/source", "\"..\"");
	BAD("\"mounts\":[{\"type\":\"nullfs\",\"source\":\"/a\","
	    "\"target\":\"/b\",\"options\":[\"rx\"]}]", "/mounts/0/options",
	    "must be [\"ro\"] or [\"rw\"]");
	BAD("\"mounts\":[{\"type\":\"nullfs\",\"source\":\"/a\","
	    "\"target\":\"/b\",\"options\":[\"ro\",\"rw\"]}]",
	    "/mounts/0/options", NULL);
	BAD("\"mounts\":[{\"type\":\"nullfs\",\"source\":\"/a\","
	    "\"target\":\"/b\",\"options\":\"ro\"}]", "/mounts/0/options",
	    NULL);
	BAD("\"mounts\":[{\"type\":\"nullfs\",\"source\":\"/a\","
	    "\"target\":\"/b\",\"options\":[]}]", "/mounts/0/options", NULL);
	BAD("\"mounts\":[{\"type\":\"nullfs\",\"source\":\"/a\","
	    "\"target\":\"/b\",\"ruleset\":4}]", "/mounts/0/ruleset",
	    "only devfs mounts take a ruleset");
	BAD("\"mounts\":[{\"type\":\"devfs\",\"source\":\"/a\","
	    "\"target\":\"/dev\"}]", "/mounts/0/source",
	    "only nullfs mounts take a source");
	BAD("\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\","
	    "\"options\":[\"ro\"]}]", "/mounts/0/options",
	    "only nullfs mounts take options");
	BAD("\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\","
	    "\"ruleset\":6}]", "/mounts/0/ruleset",
	    "allowed devfs rulesets (4, 5)");
	BAD("\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\","
	    "\"ruleset\":\"4\"}]", "/mounts/0/ruleset", NULL);
	BAD("\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\","
	    "\"size\":\"1m\"}]", "/mounts/0/size",
	    "only tmpfs mounts take a size");
	BAD("\"mounts\":[{\"type\":\"procfs\",\"target\":\"/proc\","
	    "\"mode\":\"755\"}]", "/mounts/0/mode",
	    "only tmpfs mounts take a mode");
	BAD("\"mounts\":[{\"type\":\"fdescfs\",\"target\":\"/dev/fd\","
	    "\"bogus\":1}]", "/mounts/0/bogus", "unknown field");
	/* Empty options and null fields are allowed on other types. */
	j = GOOD("\"mounts\":[{\"type\":\"procfs\",\"target\":\"/proc\","
	    "\"options\":[],\"source\":null,\"ruleset\":null,\"size\":null,"
	    "\"mode\":null}]");
	CHECK_AT(j, "/mounts/0", "{\"id\":1,\"type\":\"procfs\",\"target\":"
	    "\"/proc\"}");
	json_decref(j);

	/* tmpfs size and mode syntax. */
	j = GOOD("\"mounts\":[{\"type\":\"tmpfs\",\"target\":\"/a\","
	    "\"size\":\"512\",\"mode\":\"777\"},{\"type\":\"tmpfs\",\"target\":"
	    "\"/b\",\"size\":\"2G\"},{\"type\":\"tmpfs\",\"target\":\"/c\","
	    "\"size\":\"1t\",\"mode\":\"0700\"},{\"type\":\"tmpfs\",\"target\":"
	    "\"/d\",\"size\":\"64k\"}]");
	CHECK_AT(j, "/mounts/0/size", "\"512\"");
	CHECK_AT(j, "/mounts/0/mode", "\"777\"");
	CHECK_AT(j, "/mounts/1/size", "\"2G\"");
	CHECK_AT(j, "/mounts/2/mode", "\"0700\"");
	CHECK_AT(j, "/mounts/3/size", "\"64k\"");
	json_decref(j);
	BAD("\"mounts\":[{\"type\":\"tmpfs\",\"target\":\"/t\","
	    "\"size\":\"512x\"}]", "/mounts/0/size", "must be a size");
	BAD("\"mounts\":[{\"type\":\"tmpfs\",\"target\":\"/t\","
	    "\"size\":\"512mb\"}]", "/mounts/0/size", NULL);
	BAD("\"mounts\":[{\"type\":\"tmpfs\",\"target\":\"/t\","
	    "\"size\":\"m\"}]", "/mounts/0/size", NULL);
	BAD("\"mounts\":[{\"type\":\"tmpfs\",\"target\":\"/t\","
	    "\"size\":\"\"}]", "/mounts/0/size", NULL);
	BAD("\"mounts\":[{\"type\":\"tmpfs\",\"target\":\"/t\","
	    "\"size\":512}]", "/mounts/0/size", NULL);
	BAD("\"mounts\":[{\"type\":\"tmpfs\",\"target\":\"/t\","
	    "\"size\":\"-5m\"}]", "/mounts/0/size", NULL);
	BAD("\"mounts\":[{\"type\":\"tmpfs\",\"target\":\"/t\","
	    "\"size\":\"123456789012345678901\"}]", "/mounts/0/size", NULL);
	BAD("\"mounts\":[{\"type\":\"tmpfs\",\"target\":\"/t\","
	    "\"mode\":\"77\"}]", "/mounts/0/mode", "octal mode");
	BAD("\"mounts\":[{\"type\":\"tmpfs\",\"target\":\"/t\","
	    "\"mode\":\"1778\"}]", "/mounts/0/mode", NULL);
	BAD("\"mounts\":[{\"type\":\"tmpfs\",\"target\":\"/t\","
	    "\"mode\":\"01777\"}]", "/mounts/0/mode", NULL);
	BAD("\"mounts\":[{\"type\":\"tmpfs\",\"target\":\"/t\","
	    "\"mode\":1777}]", "/mounts/0/mode", NULL);

	/* Targets: absolute, normalised, not "/", inside the root. */
	BAD("\"mounts\":[{\"type\":\"procfs\"}]", "/mounts/0/target",
	    "is required");
	BAD("\"mounts\":[{\"type\":\"procfs\",\"target\":\"proc\"}]",
	    "/mounts/0/target", "absolute");
	BAD("\"mounts\":[{\"type\":\"procfs\",\"target\":\"/proc/\"}]",
	    "/mounts/0/target", "trailing");
	BAD("\"mounts\":[{\"type\":\"procfs\",\"target\":\"/a//proc\"}]",
	    "/mounts/0/target", "normalised");
	BAD("\"mounts\":[{\"type\":\"procfs\",\"target\":\"/../proc\"}]",
	    "/mounts/0/target", "\"..\"");
	BAD("\"mounts\":[{\"type\":\"procfs\",\"target\":\"/./proc\"}]",
	    "/mounts/0/target", "\".\"");
	BAD("\"mounts\":[{\"type\":\"procfs\",\"target\":\"/\"}]",
	    "/mounts/0/target", "must not be \"/\"");
	/* path "/j/web1" is 7 bytes: a target may have 1016 more. */
	memset(big, 'x', sizeof(big));
	big[0] = '/';
	big[1016] = '\0';
	snprintf(frag, sizeof(frag), "\"mounts\":[{\"type\":\"procfs\","
	    "\"target\":\"%s\"}]", big);
	json_decref(GOOD(frag));
	big[1016] = 'x';
	big[1017] = '\0';
	snprintf(frag, sizeof(frag), "\"mounts\":[{\"type\":\"procfs\","
	    "\"target\":\"%s\"}]", big);
	BAD(frag, "/mounts/0/target", "too long");

	BAD("\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\"},"
	    "{\"type\":\"tmpfs\",\"target\":\"/dev\"}]", "/mounts",
	    "two mounts on /dev");
	BAD("\"mounts\":[\"devfs\"]", "/mounts/0", "must be an object");
	BAD("\"mounts\":{}", "/mounts", "must be an array");
}

static void
test_mount_ids(void)
{
	static const char old[] = "{\"name\":\"web1\",\"path\":\"/j/web1\","
	    "\"mounts\":[{\"id\":3,\"type\":\"devfs\",\"target\":\"/dev\","
	    "\"ruleset\":4},{\"id\":7,\"type\":\"tmpfs\","
	    "\"target\":\"/tmp\"}]}";
	json_t *j;

	/* Kept ids stay, an unknown id is a new mount, new ones count up
	 * from the highest id of the old and kept mounts. */
	j = GOODDOC("{\"path\":\"/j/web1\",\"mounts\":["
	    "{\"id\":7,\"type\":\"tmpfs\",\"target\":\"/tmp\"},"
	    "{\"type\":\"procfs\",\"target\":\"/proc\"},"
	    "{\"id\":99,\"type\":\"fdescfs\",\"target\":\"/dev/fd\"},"
	    "{\"id\":3,\"type\":\"devfs\",\"target\":\"/dev\"}]}", "web1", old);
	CHECK_AT(j, "/mounts/0/id", "7");
	CHECK_AT(j, "/mounts/1/id", "8");
	CHECK_AT(j, "/mounts/2/id", "9");
	CHECK_AT(j, "/mounts/3/id", "3");
	json_decref(j);

	/* A removed mount's id is not reused: the old max still counts. */
	j = GOODDOC("{\"path\":\"/j/web1\",\"mounts\":["
	    "{\"type\":\"procfs\",\"target\":\"/proc\"}]}", "web1", old);
	CHECK_AT(j, "/mounts/0/id", "8");
	json_decref(j);

	/* The same id twice: the second is a new mount. */
	j = GOODDOC("{\"path\":\"/j/web1\",\"mounts\":["
	    "{\"id\":3,\"type\":\"devfs\",\"target\":\"/dev\"},"
	    "{\"id\":3,\"type\":\"procfs\",\"target\":\"/proc\"}]}", "web1",
	    old);
	CHECK_AT(j, "/mounts/0/id", "3");
	CHECK_AT(j, "/mounts/1/id", "8");
	json_decref(j);

	/* Without an old spec every id given is ignored. */
	j = GOODDOC("{\"name\":\"web1\",\"path\":\"/j/web1\",\"mounts\":["
	    "{\"id\":40,\"type\":\"devfs\",\"target\":\"/dev\"},"
	    "{\"id\":\"x\",\"type\":\"procfs\",\"target\":\"/proc\"}]}", NULL,
	    NULL);
	CHECK_AT(j, "/mounts/0/id", "1");
	CHECK_AT(j, "/mounts/1/id", "2");
	json_decref(j);
}

static void
test_depends_labels(void)
{
	char frag[300], v[80], ptr[100];
	json_t *j;

	j = GOOD("\"depends\":[\"db1\",\"cache-2\"]");
	CHECK_AT(j, "/depends", "[\"db1\",\"cache-2\"]");
	json_decref(j);
	BAD("\"depends\":[\"web1\"]", "/depends/0",
	    "cannot depend on itself");
	BADDOC("{\"path\":\"/j/x\",\"depends\":[\"db1\",\"x1\"]}", "x1",
	    NULL, "/depends/1", "itself");
	BAD("\"depends\":[\"db1\",\"db2\",\"db1\"]", "/depends/2",
	    "\"db1\" is listed twice");
	BAD("\"depends\":[\"-db\"]", "/depends/0", "must be a jail name");
	BAD("\"depends\":[\"12\"]", "/depends/0", NULL);
	BAD("\"depends\":[null]", "/depends/0", NULL);
	BAD("\"depends\":\"db1\"", "/depends", "must be an array");

	j = GOOD("\"labels\":{\"env\":\"prod\",\"app.kubernetes.io/name\":"
	    "\"web_1.x-y\",\"empty\":\"\"}");
	CHECK_AT(j, "/labels", "{\"env\":\"prod\",\"app.kubernetes.io/name\":"
	    "\"web_1.x-y\",\"empty\":\"\"}");
	json_decref(j);
	BAD("\"labels\":{\"\":\"x\"}", "/labels/", "label keys");
	BAD("\"labels\":{\"a b\":\"x\"}", "/labels/a b", "label keys");
	BAD("\"labels\":{\"team/x\":\"a b\"}", "/labels/team~1x",
	    "label values");
	BAD("\"labels\":{\"t~x\":\"v\"}", "/labels/t~0x", "label keys");
	BAD("\"labels\":{\"k\":5}", "/labels/k", "label values");
	BAD("\"labels\":{\"k\":null}", "/labels/k", NULL);
	BAD("\"labels\":{\"k\":\"a/b\"}", "/labels/k", NULL);
	memset(v, 'v', sizeof(v));
	v[63] = '\0';
	snprintf(frag, sizeof(frag), "\"labels\":{\"k\":\"%s\"}", v);
	json_decref(GOOD(frag));
	snprintf(frag, sizeof(frag), "\"labels\":{\"%s\":\"v\"}", v);
	json_decref(GOOD(frag));
	v[63] = 'v';
	v[64] = '\0';
	snprintf(frag, sizeof(frag), "\"labels\":{\"k\":\"%s\"}", v);
	BAD(frag, "/labels/k", NULL);
	snprintf(frag, sizeof(frag), "\"labels\":{\"%s\":\"v\"}", v);
	snprintf(ptr, sizeof(ptr), "/labels/%s", v);
	BAD(frag, ptr, "label keys");
	BAD("\"labels\":[]", "/labels", "must be an object");
}

static void
test_unknown_and_many(void)
{
	static const char *const want[] = {
		"/bogus", "/a~1b", "/name", "/path", "/hostname", "/state",
		"/policies/1", "/params/securelevel", "/exec/start/0",
		"/exec/timeout_s", "/ips/0/address", "/ips/1/interface",
		"/mounts/0/ruleset", "/mounts/1/source", "/depends/0",
		"/labels/a b",
	};
	struct verrs e = { 0 };
	json_t *out;
	size_t i, k;
	char d[4096];

	BAD("\"bogus\":1", "/bogus", "unknown field");
	BAD("\"Name\":\"x\"", "/Name", "unknown field");
	BADDOC("[1,2]", NULL, NULL, "", "must be a JSON object");

	/* Every problem at once, each at its own pointer. */
	out = decode_text(__FILE__, __LINE__, "{\"bogus\":1,\"a/b\":2,"
	    "\"name\":\"-x\",\"path\":\"/a/\",\"hostname\":\"a_b\","
	    "\"state\":\"on\",\"policies\":[\"p\",\"p\"],"
	    "\"params\":{\"securelevel\":42},"
	    "\"exec\":{\"start\":[\"\"],\"timeout_s\":0},"
	    "\"ips\":[{\"address\":\"0.0.0.0\"},{\"interface\":\"9\","
	    "\"address\":\"10.1.1.1\"}],"
	    "\"mounts\":[{\"type\":\"devfs\",\"target\":\"/dev\","
	    "\"ruleset\":99},{\"type\":\"nullfs\",\"target\":\"/x\"}],"
	    "\"depends\":[\"\"],\"labels\":{\"a b\":\"c\"}}", NULL, NULL, &e);
	CHECK(out == NULL);
	errs_text(&e, d, sizeof(d));
	if (e.n != sizeof(want) / sizeof(want[0]))
		check_fail(__FILE__, __LINE__, "error count", d);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		for (k = 0; k < e.n; k++)
			if (strcmp(e.v[k].field, want[i]) == 0)
				break;
		if (k == e.n)
			check_fail(__FILE__, __LINE__, want[i], d);
		check_pass();
	}
	CHECK(!e.oom);
	verrs_free(&e);
}

/* ---- merge patch ---- */

static json_t *
load_case(const char *dir, int n, const char *what)
{
	char path[1024];
	json_error_t jerr;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%02d.%s.json", dir, n, what);
	j = json_load_file(path, JSON_DECODE_ANY, &jerr);
	if (j == NULL && strcmp(what, "target") != 0)
		check_fail(__FILE__, __LINE__, path, jerr.text);
	return j;
}

static void
cases_dir(char *out, size_t outsz, const char *sub)
{
	const char *src = getenv("JD_SOURCE_DIR");
	const char *slash;

	if (src != NULL && src[0] != '\0') {
		snprintf(out, outsz, "%s/tests/unit/cases/%s", src, sub);
		return;
	}
	/* Fall back on this file's own directory. */
	slash = strrchr(__FILE__, '/');
	snprintf(out, outsz, "%.*s/cases/%s",
	    slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".", sub);
}

static void
test_merge_patch(void)
{
	char dir[900], *got, *want;
	json_t *t, *p, *r, *tcopy, *out;
	int n;

	cases_dir(dir, sizeof(dir), "merge-patch");
	for (n = 1; (t = load_case(dir, n, "target")) != NULL; n++) {
		p = load_case(dir, n, "patch");
		r = load_case(dir, n, "result");
		tcopy = json_deep_copy(t);
		out = codec_merge_patch(t, p);
		got = out ? json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY |
		    JSON_SORT_KEYS) : NULL;
		want = json_dumps(r, JSON_COMPACT | JSON_ENCODE_ANY |
		    JSON_SORT_KEYS);
		if (out == NULL || !json_equal(out, r)) {
			char d[600];
			snprintf(d, sizeof(d), "case %02d: got %s, want %s",
			    n, got ? got : "(null)", want);
			check_fail(__FILE__, __LINE__, "merge patch", d);
		}
		check_pass();
		/* The target is not modified. */
		CHECK(json_equal(t, tcopy));
		jd_free(got);
		jd_free(want);
		json_decref(t);
		json_decref(p);
		json_decref(r);
		json_decref(tcopy);
		json_decref(out);
	}
	/* RFC 7396 appendix A has 15 cases; all must be there. */
	CHECK_INT(n - 1, 15);

	/* A patch into a jail document, then validated. */
	t = load(__FILE__, __LINE__, "{" BASE ",\"labels\":{\"a\":\"1\","
	    "\"b\":\"2\"},\"state\":\"running\"}");
	p = load(__FILE__, __LINE__, "{\"labels\":{\"a\":null,\"c\":\"3\"},"
	    "\"state\":null,\"hostname\":\"h\"}");
	out = codec_merge_patch(t, p);
	CHECK_AT(out, "/labels", "{\"b\":\"2\",\"c\":\"3\"}");
	CHECK(jp(out, "/state") == NULL);
	CHECK_AT(out, "/hostname", "\"h\"");
	json_decref(t);
	json_decref(p);
	json_decref(out);
}

/* ---- render ---- */

static void
test_render(void)
{
	struct jail_row row;
	struct buf b = { 0 };
	json_t *spec, *doc;
	json_error_t jerr;
	char *s;

	spec = GOOD("\"state\":\"running\",\"labels\":{\"env\":\"prod\"}");
	s = json_dumps(spec, JSON_COMPACT);
	memset(&row, 0, sizeof(row));
	row.name = (char *)"web1";
	row.spec = s;
	snprintf(row.state, sizeof(row.state), "running");
	row.generation = 3;
	row.resource_version = 42;
	snprintf(row.created_at, sizeof(row.created_at),
	    "2026-01-02T03:04:05Z");
	snprintf(row.updated_at, sizeof(row.updated_at),
	    "2026-01-02T03:04:06Z");
	snprintf(row.phase, sizeof(row.phase), "pending");

	/* No jid, message, transition or drift: nulls and []. */
	CHECK_INT(codec_jail_render(&row, &b), 0);
	doc = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		check_fail(__FILE__, __LINE__, b.data, jerr.text);
	CHECK_AT(doc, "/name", "\"web1\"");
	CHECK_AT(doc, "/state", "\"running\"");
	CHECK_AT(doc, "/labels/env", "\"prod\"");
	CHECK_AT(doc, "/generation", "3");
	CHECK_AT(doc, "/resource_version", "42");
	CHECK_AT(doc, "/created_at", "\"2026-01-02T03:04:05Z\"");
	CHECK_AT(doc, "/updated_at", "\"2026-01-02T03:04:06Z\"");
	CHECK_AT(doc, "/status", "{\"phase\":\"pending\",\"jid\":null,"
	    "\"observed_generation\":0,\"message\":null,"
	    "\"last_transition_at\":null,\"drift\":[]}");
	/* Desired part first, in the canonical order, then jaild's. */
	CHECK_INT(json_object_size(doc), json_object_size(spec) + 5);
	json_decref(doc);

	/* Everything set; a message that needs escaping. */
	buf_free(&b);
	row.jid = 12;
	row.observed_generation = 3;
	row.message = (char *)"start failed: \"exit 1\"\n\\ done";
	snprintf(row.last_transition_at, sizeof(row.last_transition_at),
	    "2026-01-02T03:04:07Z");
	snprintf(row.phase, sizeof(row.phase), "running");
	row.drift = (char *)"[{\"field\":\"/params/securelevel\","
	    "\"desired\":3,\"observed\":1,\"reason\":\"out_of_band\"}]";
	CHECK_INT(codec_jail_render(&row, &b), 0);
	doc = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		check_fail(__FILE__, __LINE__, b.data, jerr.text);
	CHECK_AT(doc, "/status/phase", "\"running\"");
	CHECK_AT(doc, "/status/jid", "12");
	CHECK_AT(doc, "/status/observed_generation", "3");
	CHECK_STR(json_string_value(jp(doc, "/status/message")),
	    "start failed: \"exit 1\"\n\\ done");
	CHECK_AT(doc, "/status/last_transition_at",
	    "\"2026-01-02T03:04:07Z\"");
	CHECK_AT(doc, "/status/drift/0/reason", "\"out_of_band\"");
	CHECK_AT(doc, "/status/drift/0/desired", "3");

	/* The rendered document decodes back to the same desired part. */
	json_decref(spec);
	spec = GOODDOC(b.data, "web1", s);
	{
		char *again = json_dumps(spec, JSON_COMPACT);
		CHECK_STR(again, s);
		jd_free(again);
	}
	json_decref(doc);
	buf_free(&b);

	/* A spec that is not an object cannot be rendered. */
	row.spec = (char *)"not json";
	CHECK_INT(codec_jail_render(&row, &b), -1);
	buf_free(&b);
	json_decref(spec);
	jd_free(s);
}

/* ---- request bodies ---- */

static json_t *
parse(const char *body, const char *ct, const char *media,
    struct api_response *resp)
{
	struct api_request req;

	memset(&req, 0, sizeof(req));
	memset(resp, 0, sizeof(*resp));
	req.method = HM_POST;
	req.path = "/v1/jails";
	req.request_id = "rid-1";
	req.content_type = ct;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	return codec_parse_body(&req, media, resp);
}

static json_t *
problem_of(const struct api_response *resp)
{
	json_error_t jerr;
	json_t *p;

	CHECK_STR(resp->content_type, "application/problem+json");
	p = json_loadb(resp->body, resp->body_len, 0, &jerr);
	if (p == NULL)
		check_fail(__FILE__, __LINE__, "problem body", jerr.text);
	return p;
}

static void
test_parse_body(void)
{
	struct api_response resp;
	json_t *j, *p;

	j = parse("{\"a\":1}", "application/json", "application/json", &resp);
	CHECK(j != NULL);
	CHECK_AT(j, "/a", "1");
	CHECK_INT(resp.status, 0);
	json_decref(j);
	j = parse("{}", "Application/JSON; charset=utf-8", "application/json",
	    &resp);
	CHECK(j != NULL);
	json_decref(j);
	j = parse("{}", "application/merge-patch+json",
	    "application/merge-patch+json", &resp);
	CHECK(j != NULL);
	json_decref(j);

	/* Malformed: 400 with line and column. */
	j = parse("{\n  \"a\": 1,\n  \"b\": }", "application/json",
	    "application/json", &resp);
	CHECK(j == NULL);
	CHECK_INT(resp.status, 400);
	p = problem_of(&resp);
	CHECK_AT(p, "/code", "\"malformed\"");
	CHECK_AT(p, "/type", "\"urn:jaild:problem:malformed\"");
	CHECK_AT(p, "/status", "400");
	CHECK_AT(p, "/request_id", "\"rid-1\"");
	CHECK_AT(p, "/line", "3");
	CHECK_AT(p, "/column", "8");
	CHECK_CONTAINS(json_string_value(jp(p, "/detail")), "malformed JSON");
	json_decref(p);
	api_response_free(&resp);

	j = parse("{\"a\":1} trailing", "application/json", "application/json",
	    &resp);
	CHECK(j == NULL);
	CHECK_INT(resp.status, 400);
	p = problem_of(&resp);
	CHECK_AT(p, "/line", "1");
	json_decref(p);
	api_response_free(&resp);

	/* Duplicate keys, at the top and nested: 400. */
	j = parse("{\"a\":1,\"a\":2}", "application/json", "application/json",
	    &resp);
	CHECK(j == NULL);
	CHECK_INT(resp.status, 400);
	p = problem_of(&resp);
	CHECK_CONTAINS(json_string_value(jp(p, "/detail")), "duplicate");
	json_decref(p);
	api_response_free(&resp);
	j = parse("{\"labels\":{\"k\":\"1\",\"k\":\"2\"}}", "application/json",
	    "application/json", &resp);
	CHECK(j == NULL);
	CHECK_INT(resp.status, 400);
	api_response_free(&resp);

	/* Wrong media type: 415. */
	j = parse("{}", "text/plain", "application/json", &resp);
	CHECK(j == NULL);
	CHECK_INT(resp.status, 415);
	p = problem_of(&resp);
	CHECK_AT(p, "/code", "\"unsupported_media_type\"");
	CHECK_CONTAINS(json_string_value(jp(p, "/detail")),
	    "application/json");
	json_decref(p);
	api_response_free(&resp);
	j = parse("{}", "application/jsonx", "application/json", &resp);
	CHECK_INT(resp.status, 415);
	api_response_free(&resp);
	j = parse("{}", NULL, "application/json", &resp);
	CHECK_INT(resp.status, 415);
	api_response_free(&resp);
	j = parse("{}", "application/json", "application/merge-patch+json",
	    &resp);
	CHECK(j == NULL);
	CHECK_INT(resp.status, 415);
	p = problem_of(&resp);
	CHECK_CONTAINS(json_string_value(jp(p, "/detail")),
	    "application/merge-patch+json");
	json_decref(p);
	api_response_free(&resp);

	/* Not an object: 422 with the root pointer. */
	j = parse("[1,2]", "application/json", "application/json", &resp);
	CHECK(j == NULL);
	CHECK_INT(resp.status, 422);
	p = problem_of(&resp);
	CHECK_AT(p, "/code", "\"invalid\"");
	CHECK_AT(p, "/errors/0/field", "\"\"");
	CHECK_INT(json_array_size(jp(p, "/errors")), 1);
	json_decref(p);
	api_response_free(&resp);

	/* No body at all: 400. */
	j = parse(NULL, "application/json", "application/json", &resp);
	CHECK(j == NULL);
	CHECK_INT(resp.status, 400);
	api_response_free(&resp);
}

/*
 * A body that is valid JSON but not an object or array (a string, a
 * number, null) is well-formed: 422 like [1,2], not 400 "malformed".
 * Last in main because a failure here ends the run.
 */
static void
test_parse_body_scalars(void)
{
	static const char *const bodies[] = { "\"str\"", "5", "null",
	    "true" };
	struct api_response resp;
	json_t *j, *p;
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		j = parse(bodies[i], "application/json", "application/json",
		    &resp);
		CHECK(j == NULL);
		p = problem_of(&resp);
		if (resp.status != 422)
			check_fail(__FILE__, __LINE__, bodies[i],
			    json_string_value(jp(p, "/detail")));
		check_pass();
		CHECK_AT(p, "/errors/0/field", "\"\"");
		json_decref(p);
		api_response_free(&resp);
	}
}

int
main(void)
{
	jd_alloc_init();
	test_defaults();
	test_name();
	test_path();
	test_scalars();
	test_params();
	test_exec();
	test_ips();
	test_mounts();
	test_mount_ids();
	test_depends_labels();
	test_unknown_and_many();
	test_merge_patch();
	test_render();
	test_parse_body();
	test_parse_body_scalars();
	return check_done();
}
