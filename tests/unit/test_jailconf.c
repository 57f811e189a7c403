/*
 * test_jailconf.c - jail.conf and rc.conf import, jail.conf export.
 *
 * Data files in tests/unit/cases/jailconf: each NAME.conf (jail.conf) or
 * NAME.rc (rc.conf variables) has NAME.json with the expected
 * {"jails", "not_imported", "errors"}.  For every case without errors the
 * documents must pass codec_jail_decode (devfs rulesets 4 and 5) and the
 * round trip import -> emit -> import must give the same documents.
 * Error cases with exact lines and columns, emitter quoting, effective
 * parameters, limits and allocation failures are checked inline.
 * JAILCONF_WRITE_EXPECTED=1 rewrites the .json files (review the diff!).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/codec.h"
#include "common/alloc.h"
#include "common/buf.h"
#include "prison/jailconf.h"
#include "tests/lib/check.h"

static const struct api_config test_cfg = {
	.max_body = 1 << 20,
	.devfs_rulesets = { 4, 5 },
	.ndevfs_rulesets = 2,
	.max_wait_s = 3600,
};

static void
cases_dir(char *out, size_t outsz)
{
	const char *src = getenv("JD_SOURCE_DIR");

	if (src != NULL)
		snprintf(out, outsz, "%s/tests/unit/cases/jailconf", src);
	else
		snprintf(out, outsz, "%.*s/cases/jailconf",
		    (int)(strrchr(__FILE__, '/') - __FILE__), __FILE__);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char tmp[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(&b, tmp, n);
	fclose(f);
	if (b.data == NULL)
		buf_puts(&b, "");
	*len = b.len;
	return buf_detach(&b, NULL);
}

static char *
dump(const json_t *j)
{
	return json_dumps(j, JSON_INDENT(1) | JSON_COMPACT);
}

/* Every document passes the API's validation unchanged in meaning. */
static void
check_codec(const json_t *jails)
{
	struct verrs errs;
	const json_t *doc;
	json_t *canon;
	size_t i;
	char msg[1024];

	json_array_foreach((json_t *)jails, i, doc) {
		memset(&errs, 0, sizeof(errs));
		canon = codec_jail_decode(doc, NULL, NULL, &test_cfg, &errs);
		if (canon == NULL) {
			snprintf(msg, sizeof(msg), "%s: %s: %s",
			    json_string_value(json_object_get(doc, "name")),
			    errs.n ? errs.v[0].field : "?",
			    errs.n ? errs.v[0].message : "?");
			check_fail(__FILE__, __LINE__, "codec_jail_decode",
			    msg);
		}
		CHECK_INT(errs.n, 0);
		CHECK(json_equal(json_object_get(canon, "ips"),
		    json_object_get(doc, "ips")));
		CHECK(json_equal(json_object_get(canon, "exec"),
		    json_object_get(doc, "exec")));
		CHECK(json_equal(json_object_get(canon, "params"),
		    json_object_get(doc, "params")));
		CHECK_INT(json_array_size(json_object_get(canon, "mounts")),
		    json_array_size(json_object_get(doc, "mounts")));
		json_decref(canon);
		verrs_free(&errs);
	}
}

/* import -> emit -> import gives the same documents. */
static void
check_round_trip(const json_t *jails, const char *what)
{
	struct jailconf_result r2 = { 0 };
	struct jd_error err;
	struct buf b = { 0 };
	char *a, *c;

	CHECK_INT(jailconf_emit_file(jails, NULL, &b, &err), 0);
	if (jailconf_import(b.data, b.len, 0, &r2, &err) != 0) {
		c = dump(r2.errors);
		fprintf(stderr, "%s\n%s\n", b.data, c);
		check_fail(__FILE__, __LINE__, what, c);
	}
	if (!json_equal(jails, r2.jails)) {
		a = dump(jails);
		c = dump(r2.jails);
		fprintf(stderr, "emitted:\n%s\nfirst:\n%s\nagain:\n%s\n",
		    b.data, a, c);
		check_fail(__FILE__, __LINE__, what, "round trip differs");
	}
	check_pass();
	/* And the emitted text is a fixed point. */
	{
		struct buf b2 = { 0 };

		CHECK_INT(jailconf_emit_file(r2.jails, NULL, &b2, &err), 0);
		CHECK_STR(b2.data, b.data);
		buf_free(&b2);
	}
	CHECK_INT(json_array_size(r2.not_imported), 0);
	jailconf_result_free(&r2);
	buf_free(&b);
}

static void
test_cases(void)
{
	char dir[1024], path[1400], exp_path[1400];
	struct jailconf_result r;
	struct jd_error err;
	struct dirent *de;
	json_error_t jerr;
	json_t *got, *want;
	char *text, *a, *b;
	size_t len, n;
	int ncases = 0, rcconf, rc;
	DIR *d;

	cases_dir(dir, sizeof(dir));
	d = opendir(dir);
	CHECK(d != NULL);
	while ((de = readdir(d)) != NULL) {
		n = strlen(de->d_name);
		rcconf = n > 3 && strcmp(de->d_name + n - 3, ".rc") == 0;
		if (!rcconf && !(n > 5 && strcmp(de->d_name + n - 5,
		    ".conf") == 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		snprintf(exp_path, sizeof(exp_path), "%s/%.*s.json", dir,
		    (int)(n - (rcconf ? 3 : 5)), de->d_name);
		text = slurp(path, &len);
		CHECK(text != NULL);
		memset(&r, 0, sizeof(r));
		rc = jailconf_import(text, len, rcconf, &r, &err);
		CHECK(rc == 0 || err.code == JD_E_INVALID);
		CHECK_INT(rc == 0, json_array_size(r.errors) == 0);
		got = json_pack("{s:O, s:O, s:O}", "jails", r.jails,
		    "not_imported", r.not_imported, "errors", r.errors);
		if (getenv("JAILCONF_WRITE_EXPECTED") != NULL)
			json_dump_file(got, exp_path, JSON_INDENT(1) |
			    JSON_COMPACT);
		want = json_load_file(exp_path, JSON_REJECT_DUPLICATES,
		    &jerr);
		if (want == NULL)
			check_fail(__FILE__, __LINE__, exp_path, jerr.text);
		if (!json_equal(got, want)) {
			a = dump(got);
			b = dump(want);
			fprintf(stderr, "%s: got\n%s\nwant\n%s\n",
			    de->d_name, a, b);
			check_fail(__FILE__, __LINE__, de->d_name,
			    "differs from the expected .json");
		}
		check_pass();
		if (rc == 0) {
			CHECK(json_array_size(r.jails) > 0);
			check_codec(r.jails);
			check_round_trip(r.jails, de->d_name);
		}
		json_decref(got);
		json_decref(want);
		jailconf_result_free(&r);
		free(text);
		ncases++;
	}
	closedir(d);
	CHECK(ncases >= 6);
}

/* Spot checks on the handbook case, so a bad .json cannot hide them. */
static void
test_handbook_facts(void)
{
	char dir[1024], path[1400];
	struct jailconf_result r = { 0 };
	struct jd_error err;
	json_t *classic, *db, *x;
	char *text;
	size_t len;

	cases_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/handbook.conf", dir);
	text = slurp(path, &len);
	CHECK(text != NULL);
	CHECK_INT(jailconf_import(text, len, 0, &r, &err), 0);
	CHECK_INT(json_array_size(r.jails), 2);
	classic = json_array_get(r.jails, 0);
	db = json_array_get(r.jails, 1);
	CHECK_STR(json_string_value(json_object_get(classic, "path")),
	    "/usr/local/jails/containers/classic");
	CHECK_STR(json_string_value(json_object_get(db, "hostname")),
	    "db.example.org");
	x = json_object_get(classic, "ips");
	CHECK_INT(json_array_size(x), 3);
	/* a bare address takes the jail's "interface" */
	CHECK_STR(json_string_value(json_object_get(json_array_get(x, 1),
	    "interface")), "em1");
	CHECK_STR(json_string_value(json_object_get(json_array_get(x, 1),
	    "address")), "192.168.1.152/32");
	CHECK_STR(json_string_value(json_object_get(json_array_get(x, 2),
	    "family")), "inet6");
	/* dotted netmask, no interface anywhere: null */
	x = json_array_get(json_object_get(db, "ips"), 0);
	CHECK_STR(json_string_value(json_object_get(x, "address")),
	    "192.168.1.160/24");
	CHECK(json_is_null(json_object_get(x, "interface")));
	/* += appends to the global exec.start */
	x = json_object_get(json_object_get(classic, "exec"), "start");
	CHECK_INT(json_array_size(x), 2);
	CHECK_STR(json_string_value(json_array_get(x, 1)),
	    "/usr/local/bin/app --daemon");
	/* single quotes do not expand */
	x = json_object_get(json_object_get(db, "exec"), "poststop");
	CHECK_STR(json_string_value(json_array_get(x, 0)),
	    "echo \"db $name stopped\" >> /var/log/jails");
	/* mount point under path becomes a jail-relative target */
	x = json_array_get(json_object_get(classic, "mounts"), 1);
	CHECK_STR(json_string_value(json_object_get(x, "target")), "/tmp");
	x = json_array_get(json_object_get(classic, "mounts"), 2);
	CHECK_INT(json_integer_value(json_object_get(x, "ruleset")), 5);
	/* allow.nomount and allow.noraw_sockets are false */
	CHECK(json_is_false(json_object_get(json_object_get(classic,
	    "params"), "allow.mount")));
	CHECK(json_is_false(json_object_get(json_object_get(db, "params"),
	    "allow.raw_sockets")));
	CHECK_STR(json_string_value(json_object_get(json_object_get(db,
	    "params"), "sysvsem")), "new");
	/* devfs_ruleset went to the mount, not params */
	CHECK(json_object_get(json_object_get(classic, "params"),
	    "devfs_ruleset") == NULL);
	CHECK_INT(json_array_size(r.not_imported), 3);
	CHECK_STR(json_string_value(json_object_get(json_array_get(
	    r.not_imported, 0), "name")), "vnet.interface");
	jailconf_result_free(&r);
	free(text);
}

static const struct err_case {
	int		 rcconf;
	const char	*text;
	int		 line, column;
	const char	*msg;
} err_cases[] = {
	{ 0, "a {\n path = /x;\n", 1, 1, "not closed" },
	{ 0, "a { path = /j/a }", 1, 17, "expected ',' or ';'" },
	{ 0, "a {\n\tpath = \"/x;\n}\n", 2, 9, "unterminated \" string" },
	{ 0, "# ok\n/* never closed\n", 2, 1, "unterminated /* comment" },
	{ 0, "a {\n  b { }\n}", 2, 3, "nested blocks" },
	{ 0, "a {\n path = /j/a;\n exec.start = \"${nope}\";\n}", 3, 15,
	    "variable \"nope\" not found" },
	{ 0, "$x = \"$y\";\n$y = \"$x\";\na { path = /j/$x; }", 1, 1,
	    "variable loop" },
	{ 0, "a {\n path = /j/a;\n ip4.addr = 10.0.0.1, 10.0.0.2;\n "
	    "exec.start = \"echo ${ip4.addr}\";\n}", 4, 15,
	    "cannot be substituted inline" },
	{ 0, "\n\nbad.name { path = /x; }", 3, 1, "not a jail name" },
	{ 0, "a { path = /j/a;\n\tname = b; }", 2, 2,
	    "cannot redefine parameter \"name\"" },
	{ 0, "a { path = relative; }", 1, 5, "must be an absolute path" },
	{ 0, "a { path = /j/a;\n ip4.addr = 2001:db8::1; }", 2, 2,
	    "belongs in ip6.addr" },
	{ 0, "a { path = /j/a;\n mount += \"/x /elsewhere nullfs ro 0 0\"; "
	    "}", 2, 2, "not inside the jail's path" },
	{ 0, "a { path = /j/a; securelevel = 7; }", 1, 18,
	    "securelevel must be" },
	{ 0, "a { path = /j/a; }\na { path = /j/b; }", 2, 1,
	    "defined twice (first at line 1)" },
	{ 0, "a { host.hostname = x; }", 1, 1, "has no path" },
	{ 0, "a { path = /j/a;\n.include \"/etc/x\"; }", 2, 1,
	    ".include cannot be imported" },
	{ 0, "a { path = /j/a; exec.timeout = soon; }", 1, 18,
	    "must be an integer" },
	{ 0, "a { path = /j/a; persist = maybe; }", 1, 18,
	    "must be true or false" },
	{ 0, "a { path = /j/a; ip4.addr = \"em0 x|10.0.0.1\"; }", 1, 18,
	    "not an IPv4 address" },
	{ 0, "a { path = /j/a; ip4.addr = \"bad/if|10.0.0.1\"; }", 1, 18,
	    "not an interface name" },
	{ 0, "a { path = /j/a; depend = \"x y\"; }", 1, 18,
	    "not a jail name" },
	{ 0, "}", 1, 1, "without a block" },
	{ 0, "a { path = /j/a; exec.start = \"a\\000b\"; }", 1, 37,
	    "NUL character" },
	{ 1, "jail_list=\"a\"\njail_a_rootdir=/j/a\n", 1, 1,
	    "must both be set" },
	{ 1, "jail_a_rootdir=/j/a\njail_a_hostname=a\n"
	    "jail_a_devfs_ruleset=devfsrules_bogus\n", 3, 1,
	    "devfs ruleset \"devfsrules_bogus\"" },
	{ 1, "jail_list=a\nif true; then\n", 2, 1,
	    "not a variable assignment" },
	{ 1, "jail_a_rootdir=\"/j/a\njail_a_hostname=a\n", 1, 16,
	    "unterminated \" string" },
	{ 1, "jail_a_rootdir=/j/a\njail_a_hostname=a\n"
	    "jail_a_devfs_enable=perhaps\n", 3, 1, "not YES or NO" },
	{ 1, "jail_a_rootdir=/j/a jail_a_hostname=`hostname`\n", 1, 37,
	    "only plain variable assignments" },
};

static void
test_errors(void)
{
	struct jailconf_result r;
	struct jd_error err;
	const struct err_case *ec;
	const json_t *e;
	char what[160];
	size_t i;

	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		ec = &err_cases[i];
		snprintf(what, sizeof(what), "error case %zu", i);
		memset(&r, 0, sizeof(r));
		CHECK_INT(jailconf_import(ec->text, strlen(ec->text),
		    ec->rcconf, &r, &err), -1);
		CHECK_INT(err.code, JD_E_INVALID);
		if (json_array_size(r.errors) < 1)
			check_fail(__FILE__, __LINE__, what, "no errors");
		e = json_array_get(r.errors, 0);
		if (!json_is_string(json_object_get(e, "message")) ||
		    strstr(json_string_value(json_object_get(e, "message")),
		    ec->msg) == NULL ||
		    json_integer_value(json_object_get(e, "line")) !=
		    ec->line ||
		    json_integer_value(json_object_get(e, "column")) !=
		    ec->column) {
			char *s = dump(r.errors);

			fprintf(stderr, "%s: want %d:%d %s\n", what, ec->line,
			    ec->column, ec->msg);
			check_fail(__FILE__, __LINE__, what, s);
		}
		check_pass();
		jailconf_result_free(&r);
	}
}

/* Every conversion error is reported, each with its own line. */
static void
test_many_errors(void)
{
	static const char text[] =
	    "a { path = rel; }\n"
	    "b { path = /j/b; securelevel = 9; }\n"
	    "c { path = /j/c; }\n"
	    "d { path = /j/d; ip6.addr = 10.0.0.1; }\n";
	struct jailconf_result r = { 0 };
	struct jd_error err;

	CHECK_INT(jailconf_import(text, strlen(text), 0, &r, &err), -1);
	CHECK_INT(json_array_size(r.errors), 3);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(
	    r.errors, 0), "line")), 1);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(
	    r.errors, 1), "line")), 2);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(
	    r.errors, 2), "line")), 4);
	CHECK_STR(json_string_value(json_object_get(json_array_get(
	    r.errors, 2), "jail")), "d");
	/* the valid jail is listed for a dry run; the caller refuses */
	CHECK_INT(json_array_size(r.jails), 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(r.jails,
	    0), "name")), "c");
	jailconf_result_free(&r);
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

/* Values jail.conf must quote survive export and import. */
static void
test_emit_quoting(void)
{
	json_t *doc, *params, *eff, *canon;
	struct jailconf_result r = { 0 };
	struct verrs errs;
	struct jd_error err;
	struct buf b = { 0 };
	const json_t *got;

	doc = load("{\"name\":\"odd\",\"path\":\"/j/with space/$x\","
	    "\"hostname\":\"odd.example\",\"state\":\"stopped\","
	    "\"params\":{\"host.domainname\":\"a\\\"b\\\\c$d{};#,=\\u0001'\","
	    "\"allow.raw_sockets\":false,\"securelevel\":1},"
	    "\"exec\":{\"start\":[\"echo \\\"$HOME\\\" \\\\ ${x}\","
	    "\"tab\\there\"],\"stop\":[],\"clean\":true,"
	    "\"jail_user\":\"root\",\"system_user\":null,\"timeout_s\":5,"
	    "\"stop_timeout_s\":0,\"consolelog\":\"/var/log/odd.log\"},"
	    "\"ips\":[{\"interface\":\"em0\",\"address\":\"10.0.0.5/24\","
	    "\"family\":\"inet\"},{\"interface\":null,"
	    "\"address\":\"fd00::5/64\",\"family\":\"inet6\"}],"
	    "\"mounts\":[{\"id\":7,\"type\":\"nullfs\",\"source\":"
	    "\"/src dir\",\"target\":\"/mnt/a b\",\"options\":[\"rw\"]},"
	    "{\"id\":8,\"type\":\"devfs\",\"target\":\"/dev\","
	    "\"ruleset\":5},{\"id\":9,\"type\":\"fdescfs\","
	    "\"target\":\"/dev/fd\"}],\"depends\":[\"db1\",\"cache\"],"
	    "\"labels\":{\"env\":\"prod\"},\"policies\":[]}");
	/* As the API stores it: the canonical desired part. */
	memset(&errs, 0, sizeof(errs));
	canon = codec_jail_decode(doc, NULL, NULL, &test_cfg, &errs);
	CHECK(canon != NULL);
	json_decref(doc);
	doc = canon;
	CHECK_INT(jailconf_emit(doc, NULL, &b, &err), 0);
	CHECK_CONTAINS(b.data, "odd {\n");
	CHECK_CONTAINS(b.data, "\tip4.addr = \"em0|10.0.0.5/24\";\n");
	CHECK_CONTAINS(b.data, "\tip6.addr = \"fd00::5/64\";\n");
	CHECK_CONTAINS(b.data, "\tallow.noraw_sockets;\n");
	CHECK_CONTAINS(b.data, "\tmount.devfs;\n\tdevfs_ruleset = 5;\n");
	CHECK_CONTAINS(b.data, "\tmount.fdescfs;\n");
	CHECK_CONTAINS(b.data, "\tmount = \"/src\\\\040dir "
	    "/j/with\\\\040space/\\$x/mnt/a\\\\040b nullfs rw 0 0\";\n");
	CHECK_CONTAINS(b.data, "\texec.start += \"tab\\there\";\n");
	CHECK_CONTAINS(b.data, "\\001");
	CHECK_CONTAINS(b.data, "\tdepend = \"db1\", \"cache\";\n");
	CHECK_CONTAINS(b.data, "\tpersist;\n}\n");
	CHECK_CONTAINS(b.data, "desired state: stopped");
	CHECK_CONTAINS(b.data, "# labels: env=prod");
	CHECK_INT(jailconf_import(b.data, b.len, 0, &r, &err), 0);
	got = json_array_get(r.jails, 0);
	CHECK(json_equal(json_object_get(got, "params"),
	    json_object_get(doc, "params")));
	CHECK(json_equal(json_object_get(got, "exec"),
	    json_object_get(doc, "exec")));
	CHECK(json_equal(json_object_get(got, "ips"),
	    json_object_get(doc, "ips")));
	CHECK(json_equal(json_object_get(got, "depends"),
	    json_object_get(doc, "depends")));
	CHECK_STR(json_string_value(json_object_get(got, "path")),
	    "/j/with space/$x");
	CHECK_STR(json_string_value(json_object_get(json_array_get(
	    json_object_get(got, "mounts"), 0), "source")), "/src dir");
	CHECK_STR(json_string_value(json_object_get(json_array_get(
	    json_object_get(got, "mounts"), 0), "target")), "/mnt/a b");
	CHECK_INT(json_integer_value(json_object_get(json_array_get(
	    json_object_get(got, "mounts"), 1), "ruleset")), 5);
	check_codec(r.jails);
	jailconf_result_free(&r);

	/* Effective params override the document's. */
	buf_reset(&b);
	eff = load("{\"securelevel\":3,\"enforce_statfs\":1,"
	    "\"devfs_ruleset\":5,\"path\":\"/ignored\"}");
	CHECK_INT(jailconf_emit(doc, eff, &b, &err), 0);
	CHECK_CONTAINS(b.data, "\tsecurelevel = 3;\n");
	CHECK_CONTAINS(b.data, "\tenforce_statfs = 1;\n");
	CHECK(strstr(b.data, "securelevel = 1;") == NULL);
	CHECK(strstr(b.data, "/ignored") == NULL);
	CHECK(strstr(b.data, "params.devfs_ruleset differs") == NULL);
	json_decref(eff);
	buf_reset(&b);
	eff = load("{\"devfs_ruleset\":4}");
	CHECK_INT(jailconf_emit(doc, eff, &b, &err), 0);
	CHECK_CONTAINS(b.data, "params.devfs_ruleset differs");
	json_decref(eff);

	/* A document without a valid name or path is refused. */
	params = load("{\"name\":\"a.b\",\"path\":\"/j\"}");
	CHECK_INT(jailconf_emit(params, NULL, &b, &err), -1);
	CHECK_INT(err.code, JD_E_INVALID);
	json_decref(params);
	params = load("{\"name\":\"ab\"}");
	CHECK_INT(jailconf_emit(params, NULL, &b, &err), -1);
	json_decref(params);
	json_decref(doc);
	buf_free(&b);
}

static void
test_limits(void)
{
	struct jailconf_result r = { 0 };
	struct jd_error err;
	struct buf b = { 0 };
	char *big;
	int i;

	big = calloc(1, JAILCONF_MAX_INPUT + 2);
	CHECK(big != NULL);
	memset(big, '#', JAILCONF_MAX_INPUT + 1);
	CHECK_INT(jailconf_import(big, JAILCONF_MAX_INPUT + 1, 0, &r, &err),
	    -1);
	CHECK_CONTAINS(json_string_value(json_object_get(json_array_get(
	    r.errors, 0), "message")), "larger than");
	jailconf_result_free(&r);
	free(big);

	for (i = 0; i <= JAILCONF_MAX_JAILS; i++)
		buf_printf(&b, "j%d{path=/j/%d;}\n", i, i);
	CHECK_INT(jailconf_import(b.data, b.len, 0, &r, &err), -1);
	CHECK_CONTAINS(json_string_value(json_object_get(json_array_get(
	    r.errors, 0), "message")), "more than 1024 jails");
	jailconf_result_free(&r);

	/* Doubling variables hit the value cap, not the memory. */
	buf_reset(&b);
	buf_puts(&b, "$v0 = \"xxxxxxxxxxxxxxxx\";\n");
	for (i = 1; i < 30; i++)
		buf_printf(&b, "$v%d = \"${v%d}${v%d}\";\n", i, i - 1, i - 1);
	buf_puts(&b, "a { path = /j/a; exec.start = \"$v29\"; }\n");
	CHECK_INT(jailconf_import(b.data, b.len, 0, &r, &err), -1);
	CHECK_CONTAINS(json_string_value(json_object_get(json_array_get(
	    r.errors, 0), "message")), "longer than");
	jailconf_result_free(&r);

	/* Error reporting stops after the cap. */
	buf_reset(&b);
	for (i = 0; i < 300; i++)
		buf_printf(&b, "j%d{path=rel;}\n", i);
	CHECK_INT(jailconf_import(b.data, b.len, 0, &r, &err), -1);
	CHECK_INT(json_array_size(r.errors), JAILCONF_MAX_ERRORS + 1);
	CHECK_CONTAINS(json_string_value(json_object_get(json_array_get(
	    r.errors, JAILCONF_MAX_ERRORS), "message")), "too many errors");
	jailconf_result_free(&r);
	buf_free(&b);
}

/* Failing every allocation in turn never crashes or leaks (ASan). */
static void
test_alloc_failures(void)
{
	static const char text[] =
	    "exec.start = \"/bin/sh /etc/rc\";\n"
	    "* { mount.devfs; $d = example.org; }\n"
	    "a { path = /j/$name; host.hostname = \"$name.$d\";\n"
	    "  ip4.addr = em0|10.0.0.1/24; exec.start += x;\n"
	    "  mount += \"/s /j/a/s nullfs ro 0 0\"; vnet.interface = e; }\n";
	static const char rc[] = "jail_list=\"a\"\njail_a_rootdir=/j/a\n"
	    "jail_a_hostname=a\njail_a_ip=10.0.0.2\n";
	struct jailconf_result r;
	struct jd_error err;
	struct buf b;
	long n;
	int rcv, ok = 0, nomem = 0, pass;

	for (pass = 0; pass < 2; pass++) {
		for (n = 0; n < 2000; n++) {
			memset(&r, 0, sizeof(r));
			jd_alloc_fail_after(n);
			rcv = pass == 0 ? jailconf_import(text,
			    strlen(text), 0, &r, &err) :
			    jailconf_import(rc, strlen(rc), 1, &r, &err);
			if (rcv == 0) {
				memset(&b, 0, sizeof(b));
				if (jailconf_emit_file(r.jails, NULL, &b,
				    &err) != 0)
					CHECK_INT(err.code, JD_E_NOMEM);
				buf_free(&b);
			}
			jd_alloc_fail_after(-1);
			if (rcv == -1 && err.code == JD_E_NOMEM) {
				nomem++;
				CHECK(r.jails == NULL && r.errors == NULL);
			} else if (rcv == 0) {
				CHECK_INT(json_array_size(r.jails), 1);
				ok++;
			}
			jailconf_result_free(&r);
			if (rcv == 0 && n > 0)
				break;
		}
	}
	CHECK(nomem > 10);
	CHECK(ok >= 2);
}

int
main(void)
{
	jd_alloc_init();
	test_cases();
	test_handbook_facts();
	test_errors();
	test_many_errors();
	test_emit_quoting();
	test_limits();
	test_alloc_failures();
	return check_done();
}
