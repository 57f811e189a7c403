/*
 * policy.c - merging policies into a jail's effective configuration.
 * See policy.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "prison/catalog.h"
#include "prison/policy.h"
#include "prison/rctl.h"

/* Whether limits a and b have the same (resource, action, per). */
static int
limit_same_key(const json_t *a, const json_t *b)
{
	static const char *const keys[] = { "resource", "action", "per" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!json_equal(json_object_get(a, keys[i]),
		    json_object_get(b, keys[i])))
			return 0;
	return 1;
}

/*
 * The merged limits: each a copy of the winning policy's limit, plus
 * "policy" (its name) when with_policy is set.
 */
static json_t *
limits_merge(const json_t *layers, int with_policy)
{
	json_t *out, *layer, *lim, *have, *c;
	size_t i, j, k;

	if ((out = json_array()) == NULL)
		return NULL;
	json_array_foreach(layers, i, layer) {
		json_array_foreach(json_object_get(layer, "limits"), j, lim) {
			c = json_pack("{s:O, s:O, s:O, s:O}", "resource",
			    json_object_get(lim, "resource"), "action",
			    json_object_get(lim, "action"), "amount",
			    json_object_get(lim, "amount"), "per",
			    json_object_get(lim, "per"));
			if (c == NULL || (with_policy && json_object_set(c,
			    "policy", json_object_get(layer, "name")) == -1)) {
				json_decref(c);
				json_decref(out);
				return NULL;
			}
			json_array_foreach(out, k, have)
				if (limit_same_key(have, c))
					break;
			if ((k < json_array_size(out) ?
			    json_array_set_new(out, k, c) :
			    json_array_append_new(out, c)) == -1) {
				json_decref(out);
				return NULL;
			}
		}
	}
	return out;
}

json_t *
policy_effective_doc(const json_t *doc, const json_t *layers)
{
	json_t *eff, *params, *layer, *limits;
	size_t i;

	if ((eff = json_deep_copy(doc)) == NULL)
		return NULL;
	if ((params = json_object()) == NULL)
		goto fail;
	json_array_foreach(layers, i, layer)
		if (json_is_object(json_object_get(layer, "params")) &&
		    json_object_update(params, json_object_get(layer,
		    "params")) == -1) {
			json_decref(params);
			goto fail;
		}
	if (json_is_object(json_object_get(doc, "params")) &&
	    json_object_update(params, json_object_get(doc, "params")) == -1) {
		json_decref(params);
		goto fail;
	}
	if (json_object_set_new(eff, "params", params) == -1)
		goto fail;
	if ((limits = limits_merge(layers, 0)) == NULL ||
	    json_object_set_new(eff, "limits", limits) == -1)
		goto fail;
	return eff;
fail:
	json_decref(eff);
	return NULL;
}

/* One layer's value for the view. */
static json_t *
entry(const json_t *value, const char *layer, const json_t *policy)
{
	json_t *e = json_pack("{s:O, s:s}", "value", value, "layer", layer);

	if (e != NULL && policy != NULL && json_object_set(e, "policy",
	    (json_t *)policy) == -1) {
		json_decref(e);
		return NULL;
	}
	return e;
}

/* Push entry e (stolen) onto the stack of values of parameter name. */
static int
stack_push(json_t *stacks, const char *name, json_t *e)
{
	json_t *s = json_object_get(stacks, name);

	if (e == NULL)
		return -1;
	if (s == NULL) {
		if ((s = json_array()) == NULL ||
		    json_object_set_new(stacks, name, s) == -1) {
			json_decref(e);
			return -1;
		}
	}
	return json_array_append_new(s, e);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Each parameter's stack, lowest layer first, as the view's entries: the
 * top one with the rest as "shadowed", nearest first; keys in name order.
 */
static json_t *
params_view(json_t *stacks)
{
	const char **names, *k;
	json_t *out, *s, *top, *sh, *v;
	size_t n = 0, i, j;

	if ((out = json_object()) == NULL)
		return NULL;
	names = jd_calloc(json_object_size(stacks) + 1, sizeof(*names));
	if (names == NULL) {
		json_decref(out);
		return NULL;
	}
	json_object_foreach(stacks, k, v)
		names[n++] = k;
	qsort(names, n, sizeof(*names), str_cmp);
	for (i = 0; i < n; i++) {
		s = json_object_get(stacks, names[i]);
		top = json_deep_copy(json_array_get(s, json_array_size(s) - 1));
		if (top == NULL)
			goto fail;
		if (json_array_size(s) > 1) {
			if ((sh = json_array()) == NULL) {
				json_decref(top);
				goto fail;
			}
			for (j = json_array_size(s) - 1; j-- > 0;)
				json_array_append(sh, json_array_get(s, j));
			json_object_set_new(top, "shadowed", sh);
		}
		if (json_object_set_new(out, names[i], top) == -1)
			goto fail;
	}
	jd_free(names);
	return out;
fail:
	jd_free(names);
	json_decref(out);
	return NULL;
}

json_t *
policy_effective_view(const json_t *doc, const json_t *layers)
{
	const struct param_def *def;
	const char *name, *k;
	json_t *stacks, *view = NULL, *params = NULL, *limits = NULL, *v, *l,
	    *layer, *lim;
	char rule[512];
	size_t i;

	name = json_string_value(json_object_get(doc, "name"));
	if ((stacks = json_object()) == NULL)
		return NULL;
	for (i = 0; i < catalog_count(); i++) {
		def = catalog_at(i);
		if (def->dflt == NULL)
			continue;
		if ((v = catalog_value_from_text(def, def->dflt)) == NULL)
			continue;
		if (stack_push(stacks, def->name, entry(v, "default", NULL))
		    == -1) {
			json_decref(v);
			goto fail;
		}
		json_decref(v);
	}
	json_array_foreach(layers, i, layer)
		json_object_foreach(json_object_get(layer, "params"), k, v)
			if (stack_push(stacks, k, entry(v, "policy",
			    json_object_get(layer, "name"))) == -1)
				goto fail;
	json_object_foreach(json_object_get(doc, "params"), k, v)
		if (stack_push(stacks, k, entry(v, "jail", NULL)) == -1)
			goto fail;
	if ((params = params_view(stacks)) == NULL ||
	    (limits = limits_merge(layers, 1)) == NULL)
		goto fail;
	json_array_foreach(limits, i, lim) {
		if (rctl_rule_text(name ? name : "", json_string_value(
		    json_object_get(lim, "resource")), json_string_value(
		    json_object_get(lim, "action")), json_integer_value(
		    json_object_get(lim, "amount")), json_string_value(
		    json_object_get(lim, "per")), rule, sizeof(rule)) == -1 ||
		    json_object_set_new(lim, "rule", json_string(rule)) == -1)
			goto fail;
	}
	l = json_object_get(doc, "policies");
	l = l != NULL ? json_incref(l) : json_array();
	view = json_pack("{s:s, s:o, s:o, s:o}", "name", name ? name : "",
	    "policies", l, "params", params, "limits", limits);
	params = limits = NULL;
fail:
	json_decref(stacks);
	json_decref(params);
	json_decref(limits);
	return view;
}
