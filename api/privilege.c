/*
 * privilege.c - the admin-only fields of a jail document.
 */
#include <stdio.h>
#include <string.h>

#include "prison/catalog.h"
#include "prison/policy.h"
#include "privilege.h"

static const char *const host_exec[] = { "prepare", "prestart", "created",
	"poststart", "prestop", "poststop", "release", "system_user",
	"consolelog", NULL };

static int
is_default(const json_t *v)
{
	return v == NULL || json_is_null(v) ||
	    (json_is_array(v) && json_array_size(v) == 0);
}

static const json_t *
mount_by_id(const json_t *spec, const json_t *id)
{
	const json_t *m;
	size_t i;

	json_array_foreach(json_object_get(spec, "mounts"), i, m)
		if (json_equal(json_object_get(m, "id"), (json_t *)id))
			return m;
	return NULL;
}

/*
 * Whether the absolute path src lies under one of the comma-separated
 * absolute directories in roots, component-wise ("/srv/a" is under "/srv"
 * but not under "/sr"); a ".." component anywhere never is.
 */
int
privilege_path_under_roots(const char *src, const char *roots)
{
	const char *p, *r = roots ? roots : "";
	size_t n, l;

	if (src[0] != '/')
		return 0;
	for (p = src; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == src || p[-1] == '/') && (p[2] == '\0' ||
		    p[2] == '/'))
			return 0;
	while (*r != '\0') {
		n = strcspn(r, ",");
		l = n;
		while (l > 1 && r[l - 1] == '/')
			l--;
		if (l > 0 && r[0] == '/') {
			if (l == 1)		/* "/" */
				return 1;
			if (strncmp(src, r, l) == 0 && (src[l] == '\0' ||
			    src[l] == '/'))
				return 1;
		}
		r += n;
		if (*r == ',')
			r++;
	}
	return 0;
}

void
privilege_check(const json_t *old_spec, const json_t *new_spec,
    const char *mount_roots, struct verrs *errs)
{
	const json_t *oe = json_object_get(old_spec, "exec");
	const json_t *ne = json_object_get(new_spec, "exec");
	const json_t *op = json_object_get(old_spec, "params");
	const json_t *m, *om, *nv, *ov;
	const struct param_def *def;
	const char *k, *why;
	char ptr[160];
	size_t i;

	for (i = 0; host_exec[i] != NULL; i++) {
		nv = json_object_get(ne, host_exec[i]);
		ov = json_object_get(oe, host_exec[i]);
		if (ov == NULL ? is_default(nv) : json_equal((json_t *)ov,
		    (json_t *)nv))
			continue;
		snprintf(ptr, sizeof(ptr), "/exec/%s", host_exec[i]);
		verrs_add(errs, ptr, "only an admin may change this: it runs "
		    "or writes on the host, outside the jail");
	}
	json_object_foreach((json_t *)json_object_get(new_spec, "params"), k,
	    nv) {
		ov = json_object_get(op, k);
		if (ov != NULL && json_equal((json_t *)ov, (json_t *)nv))
			continue;
		def = catalog_lookup(k);
		if (def == NULL || !catalog_needs_admin(def, nv, &why))
			continue;
		ptr_join(ptr, sizeof(ptr), "/params", k);
		verrs_add(errs, ptr, "only an admin may set this: %s",
		    why ? why : "it weakens the host's protection");
	}
	json_array_foreach(json_object_get(new_spec, "mounts"), i, m) {
		if (json_object_get(m, "source") == NULL)
			continue;
		om = mount_by_id(old_spec, json_object_get(m, "id"));
		if (om != NULL && json_equal(json_object_get(om, "source"),
		    json_object_get(m, "source")) &&
		    json_equal(json_object_get(om, "target"),
		    json_object_get(m, "target")))
			continue;
		if (json_is_string(json_object_get(m, "source")) &&
		    privilege_path_under_roots(json_string_value(
		    json_object_get(m, "source")), mount_roots))
			continue;
		snprintf(ptr, sizeof(ptr), "/mounts/%zu/source", i);
		verrs_add(errs, ptr, "only an admin may mount a host path "
		    "outside mount_roots into a jail");
	}
}

static int
lists_policy(const json_t *spec, const json_t *name)
{
	const json_t *p;
	size_t i;

	json_array_foreach(json_object_get(spec, "policies"), i, p)
		if (json_equal((json_t *)p, (json_t *)name))
			return 1;
	return 0;
}

static const json_t *
layer_named(const json_t *layers, const json_t *name)
{
	const json_t *l;
	size_t i;

	json_array_foreach(layers, i, l)
		if (json_equal(json_object_get(l, "name"), (json_t *)name))
			return l;
	return NULL;
}

void
privilege_check_policies(const json_t *old_spec, const json_t *new_spec,
    const json_t *old_layers, const json_t *new_layers, struct verrs *errs)
{
	const struct param_def *def;
	const json_t *name, *layer, *v, *ol, *nl;
	json_t *old_eff = NULL, *new_eff = NULL;
	const char *k, *why;
	char ptr[64];
	size_t i, j;

	json_array_foreach(json_object_get(new_spec, "policies"), i, name) {
		if (lists_policy(old_spec, name) ||
		    (layer = layer_named(new_layers, name)) == NULL)
			continue;
		ptr_index(ptr, sizeof(ptr), "/policies", i);
		json_object_foreach((json_t *)json_object_get(layer, "params"),
		    k, v) {
			def = catalog_lookup(k);
			if (def == NULL || !catalog_needs_admin(def, v, &why))
				continue;
			verrs_add(errs, ptr, "policy \"%s\" sets %s, which only "
			    "an admin may set: %s", json_string_value(name), k,
			    why ? why : "it weakens the host's protection");
			break;
		}
	}
	if (old_spec == NULL || json_array_size(old_layers) == 0)
		return;
	old_eff = policy_effective_doc(old_spec, old_layers);
	new_eff = policy_effective_doc(new_spec, new_layers);
	if (old_eff == NULL || new_eff == NULL) {
		errs->oom = 1;
		goto done;
	}
	json_array_foreach(json_object_get(old_eff, "limits"), i, ol) {
		json_array_foreach(json_object_get(new_eff, "limits"), j, nl)
			if (json_equal((json_t *)ol, (json_t *)nl))
				break;
		if (j < json_array_size(json_object_get(new_eff, "limits")))
			continue;
		verrs_add(errs, "/policies", "only an admin may lift or change "
		    "a resource limit: %s:%s=%lld/%s would no longer apply",
		    json_string_value(json_object_get(ol, "resource")),
		    json_string_value(json_object_get(ol, "action")),
		    (long long)json_integer_value(json_object_get(ol,
		    "amount")), json_string_value(json_object_get(ol, "per")));
	}
done:
	json_decref(old_eff);
	json_decref(new_eff);
}
