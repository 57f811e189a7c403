/*
 * test_policy.c - prison/policy.c: the merge order (defaults < policies in
 * order < the jail's params), limits merged by (resource, action, per)
 * with a later policy winning in the first one's place, and the effective
 * view's layers, shadowed values and rule texts.
 */
#include <string.h>

#include <jansson.h>

#include "prison/policy.h"
#include "tests/lib/check.h"

static json_t *
load(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	CHECK(j != NULL);
	return j;
}

static const char *
str_at(json_t *root, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(root, a);

	if (b != NULL)
		v = json_object_get(v, b);
	if (c != NULL)
		v = json_object_get(v, c);
	return json_string_value(v) ? json_string_value(v) : "";
}

int
main(void)
{
	json_t *doc, *layers, *eff, *view, *l, *sh;

	doc = load("{\"name\":\"web1\",\"path\":\"/j/web1\",\"policies\":"
	    "[\"base\",\"hard\"],\"params\":{\"children.max\":2}}");
	layers = load("[{\"name\":\"base\",\"params\":{\"securelevel\":1,"
	    "\"children.max\":1,\"allow.mlock\":true},\"limits\":["
	    "{\"resource\":\"maxproc\",\"action\":\"deny\",\"amount\":50,"
	    "\"per\":\"jail\"},{\"resource\":\"nthr\",\"action\":\"log\","
	    "\"amount\":10,\"per\":\"process\"}]},"
	    "{\"name\":\"hard\",\"params\":{\"securelevel\":3},\"limits\":["
	    "{\"resource\":\"openfiles\",\"action\":\"deny\",\"amount\":64,"
	    "\"per\":\"jail\"},{\"resource\":\"maxproc\",\"action\":\"deny\","
	    "\"amount\":100,\"per\":\"jail\"},{\"resource\":\"maxproc\","
	    "\"action\":\"deny\",\"amount\":5,\"per\":\"process\"}]}]");

	/* The document the prison is built from. */
	eff = policy_effective_doc(doc, layers);
	CHECK(eff != NULL);
	CHECK_INT(json_integer_value(json_object_get(json_object_get(eff,
	    "params"), "securelevel")), 3);		/* later policy */
	CHECK_INT(json_integer_value(json_object_get(json_object_get(eff,
	    "params"), "children.max")), 2);	/* the jail's own */
	CHECK(json_is_true(json_object_get(json_object_get(eff, "params"),
	    "allow.mlock")));
	l = json_object_get(eff, "limits");
	CHECK_INT(json_array_size(l), 4);
	/* maxproc/deny/jail: hard's amount, in base's (first) position */
	CHECK_STR(str_at(json_array_get(l, 0), "resource", NULL, NULL),
	    "maxproc");
	CHECK_INT(json_integer_value(json_object_get(json_array_get(l, 0),
	    "amount")), 100);
	CHECK_STR(str_at(json_array_get(l, 1), "resource", NULL, NULL),
	    "nthr");
	CHECK_STR(str_at(json_array_get(l, 2), "resource", NULL, NULL),
	    "openfiles");
	/* the same resource and action per process is another limit */
	CHECK_STR(str_at(json_array_get(l, 3), "per", NULL, NULL), "process");
	CHECK(json_object_get(json_array_get(l, 0), "policy") == NULL);
	/* the rest of the document is untouched */
	CHECK_STR(str_at(eff, "path", NULL, NULL), "/j/web1");
	json_decref(eff);

	/* The view: layers and what each value shadows, nearest first. */
	view = policy_effective_view(doc, layers);
	CHECK(view != NULL);
	CHECK_STR(str_at(view, "params", "securelevel", "layer"), "policy");
	CHECK_STR(str_at(view, "params", "securelevel", "policy"), "hard");
	sh = json_object_get(json_object_get(json_object_get(view, "params"),
	    "securelevel"), "shadowed");
	CHECK_INT(json_array_size(sh), 1);	/* securelevel has no default */
	CHECK_STR(str_at(json_array_get(sh, 0), "policy", NULL, NULL), "base");
	CHECK_STR(str_at(view, "params", "children.max", "layer"), "jail");
	sh = json_object_get(json_object_get(json_object_get(view, "params"),
	    "children.max"), "shadowed");
	CHECK_INT(json_array_size(sh), 2);	/* base's 1, the default 0 */
	CHECK_STR(str_at(json_array_get(sh, 0), "layer", NULL, NULL),
	    "policy");
	CHECK_STR(str_at(json_array_get(sh, 1), "layer", NULL, NULL),
	    "default");
	CHECK_STR(str_at(view, "params", "enforce_statfs", "layer"),
	    "default");
	CHECK(json_object_get(json_object_get(json_object_get(view, "params"),
	    "enforce_statfs"), "shadowed") == NULL);
	l = json_object_get(view, "limits");
	CHECK_STR(str_at(json_array_get(l, 0), "rule", NULL, NULL),
	    "jail:web1:maxproc:deny=100");
	CHECK_STR(str_at(json_array_get(l, 0), "policy", NULL, NULL), "hard");
	CHECK_STR(str_at(json_array_get(l, 1), "rule", NULL, NULL),
	    "jail:web1:nthr:log=10/process");
	CHECK_STR(str_at(json_array_get(l, 1), "policy", NULL, NULL), "base");
	json_decref(view);

	/* No policies: a copy with no limits. */
	eff = policy_effective_doc(doc, NULL);
	CHECK_INT(json_array_size(json_object_get(eff, "limits")), 0);
	CHECK_INT(json_integer_value(json_object_get(json_object_get(eff,
	    "params"), "children.max")), 2);
	json_decref(eff);

	json_decref(layers);
	json_decref(doc);
	return check_done();
}
