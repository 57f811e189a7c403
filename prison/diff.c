/*
 * diff.c - desired prison vs. host report (see diff.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/verr.h"
#include "prison/catalog.h"
#include "prison/diff.h"

/* Add one item; desired and observed are stolen (NULL means JSON null). */
static int
drift_add(struct prison_drift_list *l, const char *field, json_t *desired,
    json_t *observed, int needs_restart)
{
	struct prison_drift *nv, *d;
	size_t cap;

	if (desired == NULL)
		desired = json_null();
	if (observed == NULL)
		observed = json_null();
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 8;
		if ((nv = jd_realloc(l->v, cap * sizeof(*nv))) == NULL)
			goto fail;
		l->v = nv;
		l->cap = cap;
	}
	d = &l->v[l->n++];
	snprintf(d->field, sizeof(d->field), "%s", field);
	d->desired = desired;
	d->observed = observed;
	d->needs_restart = needs_restart;
	return 0;
fail:
	json_decref(desired);
	json_decref(observed);
	return -1;
}

void
prison_drift_list_free(struct prison_drift_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		json_decref(l->v[i].desired);
		json_decref(l->v[i].observed);
	}
	jd_free(l->v);
	memset(l, 0, sizeof(*l));
}

int
prison_drift_needs_restart(const struct prison_drift_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].needs_restart)
			return 1;
	return 0;
}

json_t *
prison_drift_json(const struct prison_drift_list *l)
{
	json_t *a, *e;
	size_t i;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < l->n; i++) {
		e = json_pack("{s:s, s:O, s:O, s:s}", "field", l->v[i].field,
		    "desired", l->v[i].desired, "observed", l->v[i].observed,
		    "reason", l->v[i].needs_restart ? "needs_restart" :
		    "out_of_band");
		if (e == NULL || json_array_append_new(a, e) == -1) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* Is address in the comma-separated list? */
static int
in_list(const char *list, const char *address)
{
	size_t n = strlen(address);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, address, n) == 0 && (p[n] == ',' ||
		    p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		if (p != NULL)
			p++;
	}
	return 0;
}

static int
alias_present(const struct host_addr_list *addrs,
    const struct prison_spec_ip *ip)
{
	size_t i;

	for (i = 0; i < addrs->n; i++)
		if (addrs->v[i].family == ip->family &&
		    strcmp(addrs->v[i].address, ip->address) == 0 &&
		    strcmp(addrs->v[i].ifname, ip->interface) == 0)
			return 1;
	return 0;
}

static int
spec_has_address(const struct prison_spec *s, const char *address)
{
	size_t i;

	for (i = 0; i < s->nips; i++)
		if (strcmp(s->ips[i].address, address) == 0)
			return 1;
	return 0;
}

/* Addresses the prison holds that the document does not list. */
static int
diff_extra_ips(const struct prison_spec *s, const struct host_prison *p,
    struct prison_drift_list *out)
{
	static const char *const keys[] = { "ip4.addr", "ip6.addr" };
	json_t *want = NULL, *have = NULL;
	const char *list, *q, *comma;
	char one[64];
	size_t i, k, len;
	int extra = 0;

	if ((want = json_array()) == NULL || (have = json_array()) == NULL)
		goto fail;
	for (i = 0; i < s->nips; i++)
		if (json_array_append_new(want,
		    json_string(s->ips[i].address)) == -1)
			goto fail;
	for (k = 0; k < 2; k++) {
		list = host_params_get(&p->params, keys[k]);
		for (q = list; q != NULL && *q != '\0';
		    q = comma != NULL ? comma + 1 : NULL) {
			comma = strchr(q, ',');
			len = comma != NULL ? (size_t)(comma - q) : strlen(q);
			if (len == 0 || len >= sizeof(one))
				continue;
			snprintf(one, sizeof(one), "%.*s", (int)len, q);
			if (json_array_append_new(have, json_string(one)) == -1)
				goto fail;
			if (!spec_has_address(s, one))
				extra = 1;
		}
	}
	if (!extra) {
		json_decref(want);
		json_decref(have);
		return 0;
	}
	return drift_add(out, "/ips", want, have, 0);
fail:
	json_decref(want);
	json_decref(have);
	return -1;
}

static int
mount_present(const struct host_mount_list *mounts,
    const struct prison_spec_mount *m)
{
	size_t i;

	for (i = 0; i < mounts->n; i++)
		if (strcmp(mounts->v[i].target, m->target) == 0 &&
		    strcmp(mounts->v[i].type, m->type) == 0)
			return 1;
	return 0;
}

int
prison_diff(const struct prison_spec *s, const struct host_prison *p,
    const struct host_mount_list *mounts, const struct host_addr_list *addrs,
    struct prison_drift_list *out, struct jd_error *err)
{
	const struct param_def *def;
	const char *key, *have, *list;
	char field[JD_ERR_FIELD_MAX], want[1100];
	json_t *v, *obs;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (strcmp(s->path, p->path) != 0 && drift_add(out, "/path",
	    json_string(s->path), json_string(p->path), 1) == -1)
		goto nomem;
	if (strcmp(s->hostname, p->hostname != NULL ? p->hostname : "") != 0 &&
	    drift_add(out, "/hostname", json_string(s->hostname),
	    json_string(p->hostname != NULL ? p->hostname : ""), 0) == -1)
		goto nomem;
	json_object_foreach(s->params, key, v) {
		def = catalog_lookup(key);
		if (def == NULL || (def->flags & (PARAM_F_READONLY |
		    PARAM_F_MANAGED | PARAM_F_OWN_FIELD)))
			continue;
		if (catalog_value_to_text(def, v, want, sizeof(want)) == -1)
			continue;
		have = host_params_get(&p->params, key);
		if (have != NULL && strcmp(have, want) == 0)
			continue;
		obs = NULL;
		if (have != NULL && (obs = catalog_value_from_text(def,
		    have)) == NULL)
			obs = json_string(have);
		ptr_join(field, sizeof(field), "/params", key);
		if (drift_add(out, field, json_deep_copy(v), obs,
		    (def->flags & PARAM_F_CREATE_ONLY) != 0) == -1)
			goto nomem;
	}
	for (i = 0; i < s->nips; i++) {
		const struct prison_spec_ip *ip = &s->ips[i];

		list = host_params_get(&p->params,
		    ip->family == HOST_AF_INET6 ? "ip6.addr" : "ip4.addr");
		if (in_list(list, ip->address) && (ip->interface == NULL ||
		    addrs == NULL || alias_present(addrs, ip)))
			continue;
		ptr_index(field, sizeof(field), "/ips", ip->index);
		if (drift_add(out, field, json_incref(ip->doc), NULL, 0) == -1)
			goto nomem;
	}
	if (diff_extra_ips(s, p, out) == -1)
		goto nomem;
	for (i = 0; mounts != NULL && i < s->nmounts; i++) {
		if (mount_present(mounts, &s->mounts[i]))
			continue;
		ptr_index(field, sizeof(field), "/mounts", s->mounts[i].index);
		if (drift_add(out, field, json_incref(s->mounts[i].doc), NULL,
		    0) == -1)
			goto nomem;
	}
	return 0;
nomem:
	prison_drift_list_free(out);
	return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
}

int
prison_diff_limits(const struct prison_spec *s,
    const struct host_strings *rules, struct prison_drift_list *out,
    struct jd_error *err)
{
	json_t *want = NULL, *have = NULL;
	char prefix[300];
	size_t i, j, plen;
	int missing = 0;

	if (rules == NULL || s->nlimits == 0)
		return 0;
	for (i = 0; i < s->nlimits && !missing; i++) {
		for (j = 0; j < rules->n; j++)
			if (strcmp(rules->v[j], s->limits[i]) == 0)
				break;
		missing = j == rules->n;
	}
	if (!missing)
		return 0;
	snprintf(prefix, sizeof(prefix), "jail:%s:", s->name);
	plen = strlen(prefix);
	if ((want = json_array()) == NULL || (have = json_array()) == NULL)
		goto nomem;
	for (i = 0; i < s->nlimits; i++)
		if (json_array_append_new(want, json_string(s->limits[i])) ==
		    -1)
			goto nomem;
	for (j = 0; j < rules->n; j++)
		if (strncmp(rules->v[j], prefix, plen) == 0 &&
		    json_array_append_new(have, json_string(rules->v[j])) ==
		    -1)
			goto nomem;
	if (drift_add(out, "/limits", want, have, 0) == -1)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	return 0;
nomem:
	json_decref(want);
	json_decref(have);
	return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
}
