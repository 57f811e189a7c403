/*
 * spec.c - jail document <-> desired prison (see spec.h).
 *
 * The mapping follows jail(8): the kernel receives name, path,
 * host.hostname, persist, the bare addresses and the catalog parameters as
 * text; aliases, mounts and exec hooks are what jail(8) does in user space
 * around jail_set (freebsd-jail-facts.md sections 2 and 3).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/verr.h"
#include "prison/catalog.h"
#include "prison/rctl.h"
#include "prison/spec.h"

static const struct {
	const char	*key;
	const char	*label;
} hooks[PRISON_HOOK__COUNT] = {
	{ "prepare", "exec.prepare" },
	{ "prestart", "exec.prestart" },
	{ "created", "exec.created" },
	{ "start", "exec.start" },
	{ "poststart", "exec.poststart" },
	{ "prestop", "exec.prestop" },
	{ "stop", "exec.stop" },
	{ "poststop", "exec.poststop" },
	{ "release", "exec.release" },
};

/* Pseudo filesystems jail(8) mounts after the listed mounts, in order. */
static const char *const late_mounts[] = { "devfs", "fdescfs", "procfs" };

#define SHELL_META	"!\"$&'()*;<>?[\\]`{|}~"

const char *
prison_hook_key(enum prison_hook h)
{
	return h < PRISON_HOOK__COUNT ? hooks[h].key : "?";
}

const char *
prison_hook_label(enum prison_hook h)
{
	return h < PRISON_HOOK__COUNT ? hooks[h].label : "exec.?";
}

void
prison_argv_free(char **argv)
{
	size_t i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		jd_free(argv[i]);
	jd_free(argv);
}

char **
prison_cmd_split(const char *text)
{
	char **argv = NULL;
	size_t n = 0, i, len;
	const char *p;

	if (text == NULL)
		return NULL;
	if (strpbrk(text, SHELL_META) != NULL) {
		if ((argv = jd_calloc(4, sizeof(*argv))) == NULL)
			return NULL;
		if ((argv[0] = jd_strdup("/bin/sh")) == NULL ||
		    (argv[1] = jd_strdup("-c")) == NULL ||
		    (argv[2] = jd_strdup(text)) == NULL)
			goto fail;
		return argv;
	}
	for (p = text; *p != '\0'; ) {
		p += strspn(p, " \t\n");
		if (*p == '\0')
			break;
		n++;
		p += strcspn(p, " \t\n");
	}
	if (n == 0)
		return NULL;
	if ((argv = jd_calloc(n + 1, sizeof(*argv))) == NULL)
		return NULL;
	for (i = 0, p = text; i < n; i++) {
		p += strspn(p, " \t\n");
		len = strcspn(p, " \t\n");
		if ((argv[i] = jd_strndup(p, len)) == NULL)
			goto fail;
		p += len;
	}
	return argv;
fail:
	prison_argv_free(argv);
	return NULL;
}

static void
cmds_free(struct prison_cmds *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		jd_free(c->v[i].text);
		prison_argv_free(c->v[i].argv);
	}
	jd_free(c->v);
	memset(c, 0, sizeof(*c));
}

void
prison_spec_free(struct prison_spec *s)
{
	size_t i;

	if (s == NULL)
		return;
	jd_free(s->name);
	jd_free(s->path);
	jd_free(s->hostname);
	json_decref(s->params);
	host_params_free(&s->kparams);
	for (i = 0; i < s->nips; i++) {
		jd_free(s->ips[i].interface);
		jd_free(s->ips[i].address);
		json_decref(s->ips[i].doc);
	}
	jd_free(s->ips);
	for (i = 0; i < s->nmounts; i++) {
		jd_free(s->mounts[i].type);
		jd_free(s->mounts[i].source);
		jd_free(s->mounts[i].target);
		jd_free(s->mounts[i].options);
		json_decref(s->mounts[i].doc);
	}
	jd_free(s->mounts);
	for (i = 0; i < PRISON_HOOK__COUNT; i++)
		cmds_free(&s->exec[i]);
	jd_free(s->jail_user);
	jd_free(s->system_user);
	jd_free(s->consolelog);
	for (i = 0; i < s->ndepends; i++)
		jd_free(s->depends[i]);
	jd_free(s->depends);
	for (i = 0; i < s->nlimits; i++)
		jd_free(s->limits[i]);
	jd_free(s->limits);
	memset(s, 0, sizeof(*s));
}

#define NOMEM(err)	jd_error_set(err, JD_E_NOMEM, NULL, "out of memory")

/* A string member or NULL; -1 (err filled) if present and not a string. */
static int
opt_string(const json_t *o, const char *key, const char *field, int nullable,
    char **out, struct jd_error *err)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (v == NULL || (nullable && json_is_null(v)))
		return 0;
	if (!json_is_string(v))
		return jd_error_set(err, JD_E_INVALID, field,
		    "must be a string");
	if ((*out = jd_strdup(json_string_value(v))) == NULL)
		return NOMEM(err);
	return 0;
}

static int
parse_ip(const json_t *e, size_t i, struct prison_spec_ip *ip,
    struct jd_error *err)
{
	char field[64], text[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned char bin[16];
	const char *addr;
	json_t *iface;
	long pl;
	int af;

	snprintf(field, sizeof(field), "/ips/%zu/address", i);
	ip->index = i;
	addr = json_string_value(json_object_get(e, "address"));
	if (!json_is_object(e) || addr == NULL ||
	    strlen(addr) >= sizeof(text))
		return jd_error_set(err, JD_E_INVALID, field,
		    "must be an address with an optional /prefix");
	snprintf(text, sizeof(text), "%s", addr);
	ip->family = strchr(text, ':') != NULL ? HOST_AF_INET6 : HOST_AF_INET;
	af = ip->family == HOST_AF_INET6 ? AF_INET6 : AF_INET;
	ip->prefixlen = ip->family == HOST_AF_INET6 ? 128 : 32;
	if ((slash = strchr(text, '/')) != NULL) {
		*slash++ = '\0';
		pl = strtol(slash, &end, 10);
		if (*slash == '\0' || *end != '\0' || pl < 0 ||
		    pl > ip->prefixlen)
			return jd_error_set(err, JD_E_INVALID, field,
			    "has a bad prefix length");
		ip->prefixlen = (int)pl;
	}
	if (inet_pton(af, text, bin) != 1)
		return jd_error_set(err, JD_E_INVALID, field,
		    "is not an IPv4 or IPv6 address");
	inet_ntop(af, bin, text, sizeof(text));
	if ((ip->address = jd_strdup(text)) == NULL)
		return NOMEM(err);
	iface = json_object_get(e, "interface");
	if (json_is_string(iface) && *json_string_value(iface) != '\0' &&
	    (ip->interface = jd_strdup(json_string_value(iface))) == NULL)
		return NOMEM(err);
	ip->doc = json_incref((json_t *)e);
	return 0;
}

static int
late_rank(const char *type)
{
	size_t i;

	for (i = 0; i < sizeof(late_mounts) / sizeof(late_mounts[0]); i++)
		if (strcmp(type, late_mounts[i]) == 0)
			return (int)i + 1;
	return 0;
}

/* Comma-joined option list of a mount entry. */
static int
mount_options(const json_t *e, const char *type, const json_t *params,
    struct buf *b)
{
	json_t *opts = json_object_get(e, "options"), *v, *rs;
	size_t i;
	int bad = buf_puts(b, "");

	if (strcmp(type, "devfs") == 0) {
		/* jail(8): devfs_ruleset if set, otherwise ruleset 4 */
		rs = json_object_get(e, "ruleset");
		if (!json_is_integer(rs))
			rs = json_object_get(params, "devfs_ruleset");
		bad |= buf_printf(b, "ruleset=%lld", json_is_integer(rs) ?
		    (long long)json_integer_value(rs) : 4LL);
	}
	if (json_is_string(json_object_get(e, "size")))
		bad |= buf_printf(b, "%ssize=%s", b->len ? "," : "",
		    json_string_value(json_object_get(e, "size")));
	if (json_is_string(json_object_get(e, "mode")))
		bad |= buf_printf(b, "%smode=%s", b->len ? "," : "",
		    json_string_value(json_object_get(e, "mode")));
	json_array_foreach(opts, i, v) {
		if (json_is_string(v))
			bad |= buf_printf(b, "%s%s", b->len ? "," : "",
			    json_string_value(v));
	}
	return bad ? -1 : 0;
}

static int
parse_mount(const json_t *e, size_t i, const char *path, const json_t *params,
    struct prison_spec_mount *m, struct jd_error *err)
{
	char field[64];
	const char *type, *target, *source;
	struct buf b = { 0 };

	snprintf(field, sizeof(field), "/mounts/%zu", i);
	m->index = i;
	type = json_string_value(json_object_get(e, "type"));
	target = json_string_value(json_object_get(e, "target"));
	if (type == NULL || target == NULL || target[0] != '/')
		return jd_error_set(err, JD_E_INVALID, field,
		    "needs a type and an absolute target");
	source = json_string_value(json_object_get(e, "source"));
	if (source == NULL)
		source = type;
	if (strcmp(target, "/") == 0)
		target = "";
	if ((m->type = jd_strdup(type)) == NULL ||
	    (m->source = jd_strdup(source)) == NULL ||
	    buf_printf(&b, "%s%s", path, target) == -1 ||
	    (m->target = buf_detach(&b, NULL)) == NULL ||
	    mount_options(e, type, params, &b) == -1 ||
	    (m->options = buf_detach(&b, NULL)) == NULL) {
		buf_free(&b);
		return NOMEM(err);
	}
	m->doc = json_incref((json_t *)e);
	return 0;
}

static int
parse_exec(const json_t *ex, struct prison_spec *s, struct jd_error *err)
{
	char field[64];
	json_t *list, *v;
	struct prison_cmds *c;
	size_t h, i;

	s->stop_timeout_s = 10;
	if (ex == NULL || json_is_null(ex))
		return 0;
	if (!json_is_object(ex))
		return jd_error_set(err, JD_E_INVALID, "/exec",
		    "must be an object");
	for (h = 0; h < PRISON_HOOK__COUNT; h++) {
		list = json_object_get(ex, hooks[h].key);
		if (list == NULL || json_is_null(list))
			continue;
		snprintf(field, sizeof(field), "/exec/%s", hooks[h].key);
		if (!json_is_array(list))
			return jd_error_set(err, JD_E_INVALID, field,
			    "must be an array of commands");
		c = &s->exec[h];
		if ((c->v = jd_calloc(json_array_size(list) + 1,
		    sizeof(c->v[0]))) == NULL)
			return NOMEM(err);
		json_array_foreach(list, i, v) {
			if (!json_is_string(v)) {
				snprintf(field, sizeof(field), "/exec/%s/%zu",
				    hooks[h].key, i);
				return jd_error_set(err, JD_E_INVALID, field,
				    "must be a non-empty command string");
			}
			c->v[c->n].text = jd_strdup(json_string_value(v));
			c->v[c->n].argv = prison_cmd_split(json_string_value(v));
			c->n++;
			if (c->v[c->n - 1].text == NULL)
				return NOMEM(err);
			if (c->v[c->n - 1].argv == NULL) {
				snprintf(field, sizeof(field), "/exec/%s/%zu",
				    hooks[h].key, i);
				return jd_error_set(err, JD_E_INVALID, field,
				    "must be a non-empty command string");
			}
		}
	}
	s->exec_clean = json_is_true(json_object_get(ex, "clean"));
	/* Not (yet) in the API's document; jail.conf imports may carry it. */
	s->system_jail_user = json_is_true(json_object_get(ex,
	    "system_jail_user"));
	if (opt_string(ex, "jail_user", "/exec/jail_user", 1, &s->jail_user,
	    err) == -1 || opt_string(ex, "system_user", "/exec/system_user", 1,
	    &s->system_user, err) == -1 || opt_string(ex, "consolelog",
	    "/exec/consolelog", 1, &s->consolelog, err) == -1)
		return -1;
	v = json_object_get(ex, "timeout_s");
	if (json_is_integer(v))
		s->timeout_s = (int)json_integer_value(v);
	v = json_object_get(ex, "stop_timeout_s");
	if (json_is_integer(v))
		s->stop_timeout_s = (int)json_integer_value(v);
	return 0;
}

static int
keycmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The kernel parameter list for jail_set(JAIL_CREATE). */
static int
build_kparams(struct prison_spec *s, struct jd_error *err)
{
	struct buf a4 = { 0 }, a6 = { 0 };
	const struct param_def *def;
	const char **keys = NULL, *k;
	char text[1100];
	json_t *v;
	size_t i, n = 0;
	int rc = -1, bad = 0;

	bad |= host_params_set(&s->kparams, "name", s->name);
	bad |= host_params_set(&s->kparams, "path", s->path);
	bad |= host_params_set(&s->kparams, "host.hostname", s->hostname);
	bad |= host_params_set(&s->kparams, "persist", "true");
	bad |= buf_puts(&a4, "") | buf_puts(&a6, "");
	for (i = 0; i < s->nips; i++) {
		struct buf *b = s->ips[i].family == HOST_AF_INET6 ? &a6 : &a4;

		bad |= buf_printf(b, "%s%s", b->len ? "," : "",
		    s->ips[i].address);
	}
	if (bad)
		goto nomem;
	bad |= host_params_set(&s->kparams, "ip4", a4.len ? "new" : "disable");
	if (a4.len)
		bad |= host_params_set(&s->kparams, "ip4.addr", a4.data);
	bad |= host_params_set(&s->kparams, "ip6", a6.len ? "new" : "disable");
	if (a6.len)
		bad |= host_params_set(&s->kparams, "ip6.addr", a6.data);
	if (bad)
		goto nomem;
	/* Catalog parameters, in name order so the list is stable. */
	if ((keys = jd_calloc(json_object_size(s->params) + 1,
	    sizeof(*keys))) == NULL)
		goto nomem;
	json_object_foreach(s->params, k, v)
		keys[n++] = k;
	qsort(keys, n, sizeof(*keys), keycmp);
	for (i = 0; i < n; i++) {
		def = catalog_lookup(keys[i]);
		if (def == NULL || (def->flags & (PARAM_F_READONLY |
		    PARAM_F_MANAGED | PARAM_F_OWN_FIELD)))
			continue;
		if (catalog_value_to_text(def, json_object_get(s->params,
		    keys[i]), text, sizeof(text)) == -1) {
			char field[JD_ERR_FIELD_MAX];

			ptr_join(field, sizeof(field), "/params", keys[i]);
			jd_error_set(err, JD_E_INVALID, field,
			    "is not a valid value for %s", keys[i]);
			goto done;
		}
		if (host_params_set(&s->kparams, keys[i], text) == -1)
			goto nomem;
	}
	rc = 0;
	goto done;
nomem:
	NOMEM(err);
done:
	jd_free(keys);
	buf_free(&a4);
	buf_free(&a6);
	return rc;
}

/*
 * The rctl rules of the document's "limits", checked with the same
 * function that checked them when a policy was written.
 */
static int
parse_limits(const json_t *limits, struct prison_spec *s,
    struct jd_error *err)
{
	struct verrs errs = { 0 };
	json_t *canon = NULL, *e;
	char rule[512];
	size_t i;
	int rc = -1;

	if (limits == NULL || json_is_null(limits))
		return 0;
	if ((canon = rctl_limits_canon(limits, "/limits", &errs)) == NULL) {
		if (errs.n > 0)
			jd_error_set(err, JD_E_INVALID, errs.v[0].field, "%s",
			    errs.v[0].message);
		else
			NOMEM(err);
		goto done;
	}
	if (json_array_size(canon) > 0 && (s->limits = jd_calloc(
	    json_array_size(canon), sizeof(s->limits[0]))) == NULL) {
		NOMEM(err);
		goto done;
	}
	json_array_foreach(canon, i, e) {
		if (rctl_rule_text(s->name, json_string_value(json_object_get(
		    e, "resource")), json_string_value(json_object_get(e,
		    "action")), (int64_t)json_integer_value(json_object_get(e,
		    "amount")), json_string_value(json_object_get(e, "per")),
		    rule, sizeof(rule)) == -1) {
			char field[JD_ERR_FIELD_MAX];

			ptr_index(field, sizeof(field), "/limits", i);
			jd_error_set(err, JD_E_INVALID, field,
			    "makes a rule too long");
			goto done;
		}
		if ((s->limits[s->nlimits] = jd_strdup(rule)) == NULL) {
			NOMEM(err);
			goto done;
		}
		s->nlimits++;
	}
	rc = 0;
done:
	json_decref(canon);
	verrs_free(&errs);
	return rc;
}

int
prison_spec_from_json(const json_t *doc, struct prison_spec *s,
    struct jd_error *err)
{
	json_t *ips, *mounts, *e, *params, *deps;
	const char *st, *rp;
	size_t i, n;
	int pass;

	memset(s, 0, sizeof(*s));
	if (!json_is_object(doc))
		return jd_error_set(err, JD_E_INVALID, "",
		    "a jail document must be an object");
	if (opt_string(doc, "name", "/name", 0, &s->name, err) == -1 ||
	    opt_string(doc, "path", "/path", 0, &s->path, err) == -1 ||
	    opt_string(doc, "hostname", "/hostname", 1, &s->hostname, err) ==
	    -1)
		goto fail;
	if (s->name == NULL) {
		jd_error_set(err, JD_E_INVALID, "/name", "is required");
		goto fail;
	}
	if (s->path == NULL || s->path[0] != '/') {
		jd_error_set(err, JD_E_INVALID, "/path",
		    "must be an absolute path");
		goto fail;
	}
	if (s->hostname == NULL && (s->hostname = jd_strdup("")) == NULL)
		goto nomem;
	st = json_string_value(json_object_get(doc, "state"));
	s->want_running = st != NULL && strcmp(st, "running") == 0;
	rp = json_string_value(json_object_get(doc, "restart_policy"));
	s->restart_auto = rp != NULL && strcmp(rp, "auto") == 0;

	params = json_object_get(doc, "params");
	if (params != NULL && !json_is_null(params) && !json_is_object(params)) {
		jd_error_set(err, JD_E_INVALID, "/params", "must be an object");
		goto fail;
	}
	s->params = json_is_object(params) ? json_deep_copy(params) :
	    json_object();
	if (s->params == NULL)
		goto nomem;

	ips = json_object_get(doc, "ips");
	if (json_is_array(ips) && json_array_size(ips) > 0) {
		if ((s->ips = jd_calloc(json_array_size(ips),
		    sizeof(s->ips[0]))) == NULL)
			goto nomem;
		json_array_foreach(ips, i, e) {
			s->nips++;
			if (parse_ip(e, i, &s->ips[i], err) == -1)
				goto fail;
		}
	}
	mounts = json_object_get(doc, "mounts");
	if (json_is_array(mounts) && json_array_size(mounts) > 0) {
		if ((s->mounts = jd_calloc(json_array_size(mounts),
		    sizeof(s->mounts[0]))) == NULL)
			goto nomem;
		/* Pass 0: the listed mounts; then devfs, fdescfs, procfs. */
		n = sizeof(late_mounts) / sizeof(late_mounts[0]);
		for (pass = 0; pass <= (int)n; pass++) {
			json_array_foreach(mounts, i, e) {
				const char *t = json_string_value(
				    json_object_get(e, "type"));

				if (late_rank(t != NULL ? t : "") != pass)
					continue;
				s->nmounts++;
				if (parse_mount(e, i, s->path, s->params,
				    &s->mounts[s->nmounts - 1], err) == -1)
					goto fail;
			}
		}
	}
	if (parse_exec(json_object_get(doc, "exec"), s, err) == -1)
		goto fail;
	deps = json_object_get(doc, "depends");
	if (json_is_array(deps) && json_array_size(deps) > 0) {
		if ((s->depends = jd_calloc(json_array_size(deps),
		    sizeof(s->depends[0]))) == NULL)
			goto nomem;
		json_array_foreach(deps, i, e) {
			if (!json_is_string(e))
				continue;
			if ((s->depends[s->ndepends++] =
			    jd_strdup(json_string_value(e))) == NULL)
				goto nomem;
		}
	}
	if (parse_limits(json_object_get(doc, "limits"), s, err) == -1)
		goto fail;
	if (build_kparams(s, err) == -1)
		goto fail;
	return 0;
nomem:
	NOMEM(err);
fail:
	prison_spec_free(s);
	return -1;
}

/* From the host back to a document. */

/* Should an adopted document carry this parameter? */
static int
adopt_param(const struct param_def *def, const char *value)
{
	if (def->flags & (PARAM_F_READONLY | PARAM_F_MANAGED |
	    PARAM_F_OWN_FIELD))
		return 0;
	if (strcmp(def->name, "ip4") == 0 || strcmp(def->name, "ip6") == 0)
		return 0;	/* follows from the ips */
	if (def->dflt != NULL)
		return strcmp(def->dflt, value) != 0;
	/* Inherited from the host: only a raised securelevel matters. */
	return strcmp(def->name, "securelevel") == 0 &&
	    strcmp(value, "-1") != 0;
}

static const struct host_addr *
alias_for(const struct host_addr_list *addrs, const char *address)
{
	size_t i;

	for (i = 0; addrs != NULL && i < addrs->n; i++)
		if (strcmp(addrs->v[i].address, address) == 0)
			return &addrs->v[i];
	return NULL;
}

static int
add_ips(json_t *ips, const char *list, int v6,
    const struct host_addr_list *addrs)
{
	const struct host_addr *a;
	char one[INET6_ADDRSTRLEN + 8];
	const char *p = list, *comma;
	size_t len;
	json_t *e;

	while (p != NULL && *p != '\0') {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (len > 0 && len < INET6_ADDRSTRLEN) {
			snprintf(one, sizeof(one), "%.*s", (int)len, p);
			a = alias_for(addrs, one);
			snprintf(one + len, sizeof(one) - len, "/%d",
			    a != NULL ? a->prefixlen : v6 ? 128 : 32);
			e = json_pack("{s:o, s:s, s:s}", "interface",
			    a != NULL ? json_string(a->ifname) : json_null(),
			    "address", one, "family", v6 ? "inet6" : "inet");
			if (e == NULL || json_array_append_new(ips, e) == -1)
				return -1;
		}
		p = comma != NULL ? comma + 1 : NULL;
	}
	return 0;
}

/* One host mount as a document entry; target relative to path. */
static json_t *
mount_doc(const struct host_mount *m, const char *rel)
{
	json_t *e, *opts;
	char *copy, *tok, *save = NULL, *end;
	long rs;

	e = json_pack("{s:s, s:s}", "type", m->type, "target",
	    *rel != '\0' ? rel : "/");
	if (e == NULL)
		return NULL;
	if (strcmp(m->type, "nullfs") == 0 &&
	    json_object_set_new(e, "source", json_string(m->source)) == -1)
		goto fail;
	if ((opts = json_array()) == NULL ||
	    (copy = jd_strdup(m->options != NULL ? m->options : "")) == NULL) {
		json_decref(opts);
		goto fail;
	}
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(m->type, "devfs") == 0 &&
		    strncmp(tok, "ruleset=", 8) == 0) {
			rs = strtol(tok + 8, &end, 10);
			if (*end == '\0')
				json_object_set_new(e, "ruleset",
				    json_integer(rs));
		} else if (strcmp(m->type, "tmpfs") == 0 &&
		    strncmp(tok, "size=", 5) == 0)
			json_object_set_new(e, "size", json_string(tok + 5));
		else if (strcmp(m->type, "tmpfs") == 0 &&
		    strncmp(tok, "mode=", 5) == 0)
			json_object_set_new(e, "mode", json_string(tok + 5));
		else
			json_array_append_new(opts, json_string(tok));
	}
	jd_free(copy);
	if (json_array_size(opts) > 0)
		json_object_set_new(e, "options", opts);
	else
		json_decref(opts);
	return e;
fail:
	json_decref(e);
	return NULL;
}

json_t *
prison_doc_from_host(const struct host_prison *p,
    const struct host_mount_list *mounts, const struct host_addr_list *addrs)
{
	const struct param_def *def;
	json_t *doc, *params, *ips, *ms, *v, *e;
	size_t i, plen = strlen(p->path);
	const char *rel;

	doc = json_pack("{s:s, s:s, s:s, s:s, s:{}, s:[], s:[]}", "name",
	    p->name, "path", p->path, "hostname", p->hostname, "state",
	    "running", "params", "ips", "mounts");
	if (doc == NULL)
		return NULL;
	params = json_object_get(doc, "params");
	ips = json_object_get(doc, "ips");
	ms = json_object_get(doc, "mounts");
	for (i = 0; i < p->params.n; i++) {
		def = catalog_lookup(p->params.v[i].name);
		if (def == NULL || !adopt_param(def, p->params.v[i].value))
			continue;
		if ((v = catalog_value_from_text(def, p->params.v[i].value)) ==
		    NULL)
			continue;
		if (json_object_set_new(params, def->name, v) == -1)
			goto fail;
	}
	if (add_ips(ips, host_params_get(&p->params, "ip4.addr"), 0,
	    addrs) == -1 || add_ips(ips, host_params_get(&p->params,
	    "ip6.addr"), 1, addrs) == -1)
		goto fail;
	for (i = 0; mounts != NULL && i < mounts->n; i++) {
		if (strncmp(mounts->v[i].target, p->path, plen) != 0)
			continue;
		rel = mounts->v[i].target + plen;
		if (*rel != '\0' && *rel != '/')
			continue;
		if (strcmp(p->path, "/") == 0)
			rel = mounts->v[i].target;
		if ((e = mount_doc(&mounts->v[i], rel)) == NULL ||
		    json_array_append_new(ms, e) == -1)
			goto fail;
	}
	return doc;
fail:
	json_decref(doc);
	return NULL;
}
