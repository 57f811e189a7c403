/*
 * test_rctl.c - the rctl table and checks (prison/rctl.c): resources and
 * their action classes, the signal actions, per, expand_number amounts,
 * rule text, and rctl_limits_canon's canonical form and every error
 * pointer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/verr.h"
#include "prison/rctl.h"
#include "tests/lib/check.h"

static json_t *
load(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);

	if (v == NULL)
		printf("# bad test JSON: %s\n", jerr.text);
	CHECK(v != NULL);
	return v;
}

/* The message for field in errs, or NULL. */
static const char *
err_at(const struct verrs *errs, const char *field)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		if (strcmp(errs->v[i].field, field) == 0)
			return errs->v[i].message;
	return NULL;
}

/* Canonicalise text; expect failure with exactly nerr errors. */
static void
canon_fails(const char *text, size_t nerr, struct verrs *errs)
{
	json_t *in = text != NULL ? load(text) : NULL, *out;

	memset(errs, 0, sizeof(*errs));
	out = rctl_limits_canon(in, "/limits", errs);
	if (out != NULL || errs->n != nerr) {
		size_t i;

		printf("# %s: %zu errors\n", text, errs->n);
		for (i = 0; i < errs->n; i++)
			printf("#   %s: %s\n", errs->v[i].field,
			    errs->v[i].message);
	}
	CHECK(out == NULL);
	CHECK_INT(errs->n, nerr);
	CHECK_INT(errs->oom, 0);
	json_decref(in);
}

static void
test_table(void)
{
	const struct rctl_resource *r;
	char msg[128];
	size_t i;

	CHECK_INT(rctl_resource_count(), 25);
	for (i = 0; i < rctl_resource_count(); i++) {
		r = rctl_resource_at(i);
		CHECK(r != NULL && r->name != NULL && r->unit != NULL &&
		    r->desc != NULL && r->desc[0] != '\0' && r->actions != 0);
		CHECK(rctl_resource_lookup(r->name) == r);
	}
	CHECK(rctl_resource_at(rctl_resource_count()) == NULL);
	CHECK(rctl_resource_lookup("nosuch") == NULL);
	CHECK(rctl_resource_lookup("MaxProc") == NULL);
	CHECK(rctl_resource_lookup(NULL) == NULL);
	CHECK_STR(rctl_resource_lookup("memoryuse")->unit, "bytes");
	CHECK_STR(rctl_resource_lookup("maxproc")->unit, "count");
	CHECK_STR(rctl_resource_lookup("cputime")->unit, "seconds");

	/* Actions. */
	CHECK(rctl_action_known("deny") && rctl_action_known("log") &&
	    rctl_action_known("devctl") && rctl_action_known("throttle"));
	CHECK(rctl_action_known("sigterm") && rctl_action_known("sigkill") &&
	    rctl_action_known("sigthr") && rctl_action_known("sigusr2") &&
	    rctl_action_known("siginfo") && rctl_action_known("sigemt"));
	CHECK(!rctl_action_known("sig") && !rctl_action_known("sigfoo") &&
	    !rctl_action_known("SIGTERM") && !rctl_action_known("sigTERM") &&
	    !rctl_action_known("sigrtmin") && !rctl_action_known("Deny") &&
	    !rctl_action_known("") && !rctl_action_known(NULL));

	/* deny refused for cputime and wallclock only. */
	r = rctl_resource_lookup("cputime");
	CHECK(rctl_action_check(r, "deny", msg, sizeof(msg)) == -1);
	CHECK_STR(msg, "deny is not supported for cputime");
	CHECK(rctl_action_check(r, "sigxcpu", msg, sizeof(msg)) == 0);
	CHECK(rctl_action_check(r, "log", msg, sizeof(msg)) == 0);
	CHECK(rctl_action_check(r, "devctl", msg, sizeof(msg)) == 0);
	r = rctl_resource_lookup("wallclock");
	CHECK(rctl_action_check(r, "deny", msg, sizeof(msg)) == -1);
	CHECK(rctl_action_check(r, "sigkill", msg, sizeof(msg)) == 0);
	/* The I/O resources take only throttle. */
	for (i = 0; i < 4; i++) {
		static const char *const io[] = { "readbps", "writebps",
		    "readiops", "writeiops" };

		r = rctl_resource_lookup(io[i]);
		CHECK(r != NULL);
		CHECK(rctl_action_check(r, "throttle", msg, sizeof(msg)) == 0);
		CHECK(rctl_action_check(r, "deny", msg, sizeof(msg)) == -1);
		CHECK_CONTAINS(msg, "only throttle");
		CHECK(rctl_action_check(r, "log", msg, sizeof(msg)) == -1);
		CHECK(rctl_action_check(r, "sigterm", msg, sizeof(msg)) == -1);
	}
	/* throttle refused for every other resource. */
	for (i = 0; i < rctl_resource_count(); i++) {
		r = rctl_resource_at(i);
		if (strstr(r->name, "bps") != NULL ||
		    strstr(r->name, "iops") != NULL)
			continue;
		CHECK(rctl_action_check(r, "throttle", msg, sizeof(msg)) == -1);
		CHECK(rctl_action_check(r, "log", msg, sizeof(msg)) == 0);
		if (strcmp(r->name, "cputime") != 0 &&
		    strcmp(r->name, "wallclock") != 0)
			CHECK(rctl_action_check(r, "deny", msg,
			    sizeof(msg)) == 0);
	}
	r = rctl_resource_lookup("maxproc");
	CHECK(rctl_action_check(r, "throttle", msg, sizeof(msg)) == -1);
	CHECK_STR(msg, "throttle is not supported for maxproc");
	CHECK(rctl_action_check(r, "sigbogus", msg, sizeof(msg)) == -1);
	CHECK_CONTAINS(msg, "unknown action");

	/* per. */
	CHECK(rctl_per_valid("jail") && rctl_per_valid("process") &&
	    rctl_per_valid("user") && rctl_per_valid("loginclass"));
	CHECK(!rctl_per_valid("j") && !rctl_per_valid("class") &&
	    !rctl_per_valid("") && !rctl_per_valid(NULL));
}

static void
test_amount(void)
{
	int64_t v;

	CHECK(rctl_amount_parse("0", &v) == 0);
	CHECK_INT(v, 0);
	CHECK(rctl_amount_parse("100", &v) == 0);
	CHECK_INT(v, 100);
	CHECK(rctl_amount_parse("1k", &v) == 0);
	CHECK_INT(v, 1024);
	CHECK(rctl_amount_parse("512m", &v) == 0);
	CHECK_INT(v, 536870912);
	CHECK(rctl_amount_parse("512M", &v) == 0);
	CHECK_INT(v, 536870912);
	CHECK(rctl_amount_parse("1g", &v) == 0);
	CHECK_INT(v, 1073741824LL);
	CHECK(rctl_amount_parse("2T", &v) == 0);
	CHECK_INT(v, 2LL << 40);
	CHECK(rctl_amount_parse("3p", &v) == 0);
	CHECK_INT(v, 3LL << 50);
	CHECK(rctl_amount_parse("7e", &v) == 0);
	CHECK_INT(v, 7LL << 60);
	CHECK(rctl_amount_parse("9223372036854775807", &v) == 0);
	CHECK(v == INT64_MAX);
	/* Malformed or too large. */
	CHECK(rctl_amount_parse("8e", &v) == -1);
	CHECK(rctl_amount_parse("9223372036854775808", &v) == -1);
	CHECK(rctl_amount_parse("99999999999999999999", &v) == -1);
	CHECK(rctl_amount_parse("", &v) == -1);
	CHECK(rctl_amount_parse("-1", &v) == -1);
	CHECK(rctl_amount_parse("+1", &v) == -1);
	CHECK(rctl_amount_parse(" 1", &v) == -1);
	CHECK(rctl_amount_parse("1 ", &v) == -1);
	CHECK(rctl_amount_parse("1kb", &v) == -1);
	CHECK(rctl_amount_parse("1x", &v) == -1);
	CHECK(rctl_amount_parse("k", &v) == -1);
	CHECK(rctl_amount_parse("1.5g", &v) == -1);
	CHECK(rctl_amount_parse(NULL, &v) == -1);
}

static void
test_rule_text(void)
{
	char out[128], small[20];

	CHECK(rctl_rule_text("web1", "maxproc", "deny", 100, "jail", out,
	    sizeof(out)) == 0);
	CHECK_STR(out, "jail:web1:maxproc:deny=100");
	CHECK(rctl_rule_text("web1", "maxproc", "deny", 100, NULL, out,
	    sizeof(out)) == 0);
	CHECK_STR(out, "jail:web1:maxproc:deny=100");
	CHECK(rctl_rule_text("web1", "memoryuse", "sigterm", 536870912,
	    "process", out, sizeof(out)) == 0);
	CHECK_STR(out, "jail:web1:memoryuse:sigterm=536870912/process");
	CHECK(rctl_rule_text("web1", "readbps", "throttle", INT64_MAX, "user",
	    out, sizeof(out)) == 0);
	CHECK_STR(out, "jail:web1:readbps:throttle=9223372036854775807/user");
	CHECK(rctl_rule_text("web1", "maxproc", "deny", 100, "jail", small,
	    sizeof(small)) == -1);
	CHECK(rctl_rule_text("w", "nthr", "log", 5, "jail", small,
	    sizeof(small)) == 0);
	CHECK_STR(small, "jail:w:nthr:log=5");
}

static void
test_canon_ok(void)
{
	struct verrs errs = { 0 };
	json_t *in, *out, *want;

	/* Absent: the empty list. */
	out = rctl_limits_canon(NULL, "/limits", &errs);
	CHECK(out != NULL && json_is_array(out));
	CHECK_INT(json_array_size(out), 0);
	CHECK_INT(errs.n, 0);
	json_decref(out);

	in = load("[{\"resource\": \"maxproc\", \"action\": \"deny\","
	    " \"amount\": 100},"
	    " {\"resource\": \"memoryuse\", \"action\": \"deny\","
	    "  \"amount\": \"512m\", \"per\": \"jail\"},"
	    " {\"per\": \"process\", \"amount\": \"1G\", \"action\": \"sigterm\","
	    "  \"resource\": \"memoryuse\"},"
	    " {\"resource\": \"readbps\", \"action\": \"throttle\","
	    "  \"amount\": 1048576, \"per\": \"user\"},"
	    " {\"resource\": \"cputime\", \"action\": \"log\", \"amount\": 0},"
	    " {\"resource\": \"maxproc\", \"action\": \"deny\", \"amount\": 5,"
	    "  \"per\": \"process\"}]");
	want = load("[{\"resource\": \"maxproc\", \"action\": \"deny\","
	    " \"amount\": 100, \"per\": \"jail\"},"
	    " {\"resource\": \"memoryuse\", \"action\": \"deny\","
	    "  \"amount\": 536870912, \"per\": \"jail\"},"
	    " {\"resource\": \"memoryuse\", \"action\": \"sigterm\","
	    "  \"amount\": 1073741824, \"per\": \"process\"},"
	    " {\"resource\": \"readbps\", \"action\": \"throttle\","
	    "  \"amount\": 1048576, \"per\": \"user\"},"
	    " {\"resource\": \"cputime\", \"action\": \"log\", \"amount\": 0,"
	    "  \"per\": \"jail\"},"
	    " {\"resource\": \"maxproc\", \"action\": \"deny\", \"amount\": 5,"
	    "  \"per\": \"process\"}]");
	out = rctl_limits_canon(in, "/limits", &errs);
	CHECK_INT(errs.n, 0);
	CHECK(out != NULL);
	CHECK(json_equal(out, want));
	/* Member order in each object: resource, action, amount, per. */
	{
		char *text = json_dumps(json_array_get(out, 0), JSON_COMPACT |
		    JSON_PRESERVE_ORDER);

		CHECK_STR(text, "{\"resource\":\"maxproc\",\"action\":\"deny\","
		    "\"amount\":100,\"per\":\"jail\"}");
		free(text);
	}
	json_decref(out);
	json_decref(want);
	json_decref(in);

	/* Exactly 64 is fine. */
	{
		json_t *a = json_array();
		int i;

		/* 16 resources x 4 pers: 64 distinct keys. */
		for (i = 0; i < 64; i++) {
			static const char *const per[] = { "jail", "process",
			    "user", "loginclass" };
			const struct rctl_resource *r =
			    rctl_resource_at((size_t)(i / 4) % 16 + 1);

			json_array_append_new(a, json_pack("{s:s, s:s, s:i,"
			    " s:s}", "resource", r->name, "action", "deny",
			    "amount", i, "per", per[i % 4]));
		}
		out = rctl_limits_canon(a, "/limits", &errs);
		CHECK_INT(errs.n, 0);
		CHECK(out != NULL);
		CHECK_INT(json_array_size(out), 64);
		json_decref(out);
		/* 65: refused at the base. */
		json_array_append_new(a, json_pack("{s:s, s:s, s:i}",
		    "resource", "nthr", "action", "log", "amount", 1));
		out = rctl_limits_canon(a, "/limits", &errs);
		CHECK(out == NULL);
		CHECK_INT(errs.n, 1);
		CHECK_STR(errs.v[0].field, "/limits");
		CHECK_CONTAINS(errs.v[0].message, "at most 64");
		verrs_free(&errs);
		json_decref(a);
	}
}

static void
test_canon_errors(void)
{
	struct verrs errs;

	canon_fails("{}", 1, &errs);
	CHECK_STR(errs.v[0].field, "/limits");
	verrs_free(&errs);
	canon_fails("\"maxproc:deny=1\"", 1, &errs);
	CHECK_STR(errs.v[0].field, "/limits");
	verrs_free(&errs);

	canon_fails("[1, null, [], {\"resource\": \"maxproc\","
	    " \"action\": \"deny\", \"amount\": 1}]", 3, &errs);
	CHECK(err_at(&errs, "/limits/0") != NULL);
	CHECK(err_at(&errs, "/limits/1") != NULL);
	CHECK(err_at(&errs, "/limits/2") != NULL);
	verrs_free(&errs);

	/* Missing members. */
	canon_fails("[{}]", 3, &errs);
	CHECK_STR(err_at(&errs, "/limits/0/resource"), "is required");
	CHECK_STR(err_at(&errs, "/limits/0/action"), "is required");
	CHECK_STR(err_at(&errs, "/limits/0/amount"), "is required");
	verrs_free(&errs);

	/* Unknown members, each by name (escaped as a JSON Pointer). */
	canon_fails("[{\"resource\": \"maxproc\", \"action\": \"deny\","
	    " \"amount\": 1, \"Amount\": 2, \"a/b\": 3}]", 2, &errs);
	CHECK_STR(err_at(&errs, "/limits/0/Amount"), "unknown field");
	CHECK_STR(err_at(&errs, "/limits/0/a~1b"), "unknown field");
	verrs_free(&errs);

	/* Bad values. */
	canon_fails("[{\"resource\": \"nosuch\", \"action\": \"deny\","
	    " \"amount\": 1},"
	    " {\"resource\": 5, \"action\": \"sigbogus\", \"amount\": -1,"
	    "  \"per\": \"j\"},"
	    " {\"resource\": \"maxproc\", \"action\": true, \"amount\": 1.5,"
	    "  \"per\": 3},"
	    " {\"resource\": \"maxproc\", \"action\": \"deny\","
	    "  \"amount\": \"12q\"},"
	    " {\"resource\": \"maxproc\", \"action\": \"log\","
	    "  \"amount\": \"9e\"},"
	    " {\"resource\": \"maxproc\", \"action\": \"sigterm\","
	    "  \"amount\": null}]", 11, &errs);
	CHECK_CONTAINS(err_at(&errs, "/limits/0/resource"),
	    "unknown resource \"nosuch\"");
	CHECK_STR(err_at(&errs, "/limits/1/resource"), "must be a string");
	CHECK_CONTAINS(err_at(&errs, "/limits/1/action"),
	    "unknown action \"sigbogus\"");
	CHECK(err_at(&errs, "/limits/1/amount") != NULL);
	CHECK_CONTAINS(err_at(&errs, "/limits/1/per"), "jail, process");
	CHECK_STR(err_at(&errs, "/limits/2/action"), "must be a string");
	CHECK(err_at(&errs, "/limits/2/amount") != NULL);
	CHECK(err_at(&errs, "/limits/2/per") != NULL);
	CHECK(err_at(&errs, "/limits/3/amount") != NULL);
	CHECK(err_at(&errs, "/limits/4/amount") != NULL);
	CHECK(err_at(&errs, "/limits/5/amount") != NULL);
	verrs_free(&errs);

	/* Actions a resource does not take; throttle with 0. */
	canon_fails("[{\"resource\": \"cputime\", \"action\": \"deny\","
	    " \"amount\": 10},"
	    " {\"resource\": \"wallclock\", \"action\": \"deny\","
	    "  \"amount\": 10},"
	    " {\"resource\": \"readbps\", \"action\": \"deny\","
	    "  \"amount\": 10},"
	    " {\"resource\": \"writeiops\", \"action\": \"sigkill\","
	    "  \"amount\": 10},"
	    " {\"resource\": \"maxproc\", \"action\": \"throttle\","
	    "  \"amount\": 10},"
	    " {\"resource\": \"writebps\", \"action\": \"throttle\","
	    "  \"amount\": 0},"
	    " {\"resource\": \"readiops\", \"action\": \"throttle\","
	    "  \"amount\": \"0k\"}]", 7, &errs);
	CHECK_STR(err_at(&errs, "/limits/0/action"),
	    "deny is not supported for cputime");
	CHECK_STR(err_at(&errs, "/limits/1/action"),
	    "deny is not supported for wallclock");
	CHECK_CONTAINS(err_at(&errs, "/limits/2/action"), "only throttle");
	CHECK_CONTAINS(err_at(&errs, "/limits/3/action"), "only throttle");
	CHECK_STR(err_at(&errs, "/limits/4/action"),
	    "throttle is not supported for maxproc");
	CHECK_CONTAINS(err_at(&errs, "/limits/5/amount"), "above 0");
	CHECK_CONTAINS(err_at(&errs, "/limits/6/amount"), "above 0");
	verrs_free(&errs);

	/*
	 * Duplicates by (resource, action, per): the later one is named,
	 * "per" absent equals "jail"; another per or action is no duplicate.
	 */
	canon_fails("[{\"resource\": \"maxproc\", \"action\": \"deny\","
	    " \"amount\": 10},"
	    " {\"resource\": \"maxproc\", \"action\": \"deny\","
	    "  \"amount\": 10, \"per\": \"process\"},"
	    " {\"resource\": \"maxproc\", \"action\": \"log\","
	    "  \"amount\": 10},"
	    " {\"resource\": \"maxproc\", \"action\": \"deny\","
	    "  \"amount\": 20, \"per\": \"jail\"},"
	    " {\"resource\": \"maxproc\", \"action\": \"log\","
	    "  \"amount\": 5},"
	    " {\"resource\": \"maxproc\", \"action\": \"deny\","
	    "  \"amount\": -3}]", 4, &errs);
	CHECK_STR(err_at(&errs, "/limits/3"), "duplicates /limits/0");
	CHECK_STR(err_at(&errs, "/limits/4"), "duplicates /limits/2");
	CHECK(err_at(&errs, "/limits/5/amount") != NULL);
	CHECK_STR(err_at(&errs, "/limits/5"), "duplicates /limits/0");
	CHECK(err_at(&errs, "/limits/1") == NULL);
	verrs_free(&errs);

	/* The base is used as given. */
	{
		json_t *in = load("[{\"resource\": \"x\", \"action\": \"deny\","
		    " \"amount\": 1}]");

		memset(&errs, 0, sizeof(errs));
		CHECK(rctl_limits_canon(in, "/policies/0/limits", &errs) ==
		    NULL);
		CHECK_INT(errs.n, 1);
		CHECK_STR(errs.v[0].field, "/policies/0/limits/0/resource");
		verrs_free(&errs);
		json_decref(in);
	}
}

int
main(void)
{
	test_table();
	test_amount();
	test_rule_text();
	test_canon_ok();
	test_canon_errors();
	return check_done();
}
