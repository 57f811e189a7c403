/*
 * jailconf_emit.c - rendering jail documents as jail.conf(5) blocks.
 *
 * The output is what jail(8) would accept for the same jail and what
 * jailconf_import reads back into the same document: every string value
 * is double-quoted with `\`, `"` and `$` escaped (so no variable expands)
 * and control characters as octal escapes; mount points are the jail's
 * path plus the document's target, with blanks in fstab fields written
 * as \040 as fstab(5) does.  jaild's own settings that jail.conf cannot
 * say (state, restart policy, policies, labels) become comments.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common/names.h"
#include "prison/catalog.h"
#include "prison/jailconf.h"
#include "prison/rctl.h"

static const char *const hook_keys[] = {
	"prepare", "prestart", "created", "start", "poststart", "prestop",
	"stop", "poststop", "release", NULL
};

struct em {
	struct buf	*b;
	int		 oom;
};

static void
em_puts(struct em *e, const char *s)
{
	if (buf_puts(e->b, s) != 0)
		e->oom = 1;
}

static void
em_printf(struct em *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
em_printf(struct em *e, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		e->oom = 1;	/* callers only format short things */
	else
		em_puts(e, tmp);
}

/* s as a double-quoted jail.conf string. */
static void
em_quoted(struct em *e, const char *s)
{
	char esc[8];
	unsigned char ch;

	em_puts(e, "\"");
	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		switch (ch) {
		case '\\':
			em_puts(e, "\\\\");
			break;
		case '"':
			em_puts(e, "\\\"");
			break;
		case '$':
			em_puts(e, "\\$");
			break;
		case '\n':
			em_puts(e, "\\n");
			break;
		case '\t':
			em_puts(e, "\\t");
			break;
		default:
			if (ch < 0x20 || ch == 0x7f) {
				snprintf(esc, sizeof(esc), "\\%03o", ch);
				em_puts(e, esc);
			} else if (buf_putc(e->b, (char)ch) != 0)
				e->oom = 1;
		}
	}
	em_puts(e, "\"");
}

/* An fstab field: blanks and backslashes as octal escapes. */
static void
em_fstab_field(struct buf *b, const char *s, int *oom)
{
	char esc[8];

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\\') {
			snprintf(esc, sizeof(esc), "\\%03o",
			    (unsigned char)*s);
			if (buf_puts(b, esc) != 0)
				*oom = 1;
		} else if (buf_putc(b, *s) != 0)
			*oom = 1;
	}
}

/* `name = "v";` for the first value, `name += "v";` for the rest. */
static void
em_list_item(struct em *e, const char *name, const char *v, int first)
{
	em_printf(e, "\t%s %s ", name, first ? "=" : "+=");
	em_quoted(e, v);
	em_puts(e, ";\n");
}

static void
em_ips(struct em *e, const json_t *ips, const char *family,
    const char *param)
{
	const json_t *ip;
	const char *iface, *addr, *fam;
	char item[128];
	size_t i;
	int first = 1;

	json_array_foreach((json_t *)ips, i, ip) {
		addr = json_string_value(json_object_get(ip, "address"));
		if (addr == NULL)
			continue;
		/* family is jaild's; without it, decide by the form */
		fam = json_string_value(json_object_get(ip, "family"));
		if (fam == NULL)
			fam = strchr(addr, ':') ? "inet6" : "inet";
		if (strcmp(fam, family) != 0)
			continue;
		iface = json_string_value(json_object_get(ip, "interface"));
		snprintf(item, sizeof(item), "%s%s%s", iface ? iface : "",
		    iface ? "|" : "", addr);
		em_list_item(e, param, item, first);
		first = 0;
	}
}

/* Mounts that have a jail.conf switch of their own. */
static int
mount_is_switch(const json_t *m, const char *type, const char *target)
{
	return json_is_string(json_object_get(m, "type")) &&
	    strcmp(json_string_value(json_object_get(m, "type")), type) == 0 &&
	    json_is_string(json_object_get(m, "target")) &&
	    strcmp(json_string_value(json_object_get(m, "target")), target) ==
	    0;
}

static void
em_mounts(struct em *e, const json_t *mounts, const char *path,
    long long *devfs_ruleset)
{
	const json_t *m, *x;
	const char *type, *target, *src;
	struct buf line = { 0 };
	int first = 1, devfs = 0, fdesc = 0, proc = 0;
	size_t i, tail;

	/*
	 * jail(8) mounts the fstab entries first, then devfs on /dev,
	 * fdescfs on /dev/fd and procfs on /proc.  Only a tail of the list
	 * in that order becomes the switches; anything else stays an fstab
	 * line, so the order survives a round trip.
	 */
	*devfs_ruleset = -1;
	tail = json_array_size(mounts);
	if (tail > 0 && mount_is_switch(json_array_get(mounts, tail - 1),
	    "procfs", "/proc")) {
		proc = 1;
		tail--;
	}
	if (tail > 0 && mount_is_switch(json_array_get(mounts, tail - 1),
	    "fdescfs", "/dev/fd")) {
		fdesc = 1;
		tail--;
	}
	if (tail > 0 && mount_is_switch(json_array_get(mounts, tail - 1),
	    "devfs", "/dev")) {
		devfs = 1;
		tail--;
		x = json_object_get(json_array_get(mounts, tail), "ruleset");
		*devfs_ruleset = json_is_integer(x) ? json_integer_value(x) :
		    4;
	}
	json_array_foreach((json_t *)mounts, i, m) {
		type = json_string_value(json_object_get(m, "type"));
		target = json_string_value(json_object_get(m, "target"));
		if (type == NULL || target == NULL || i >= tail)
			continue;
		buf_reset(&line);
		src = strcmp(type, "nullfs") == 0 ? json_string_value(
		    json_object_get(m, "source")) : strcmp(type, "procfs") ==
		    0 ? "proc" : type;
		em_fstab_field(&line, src ? src : type, &e->oom);
		if (buf_putc(&line, ' ') != 0)
			e->oom = 1;
		em_fstab_field(&line, path, &e->oom);
		em_fstab_field(&line, target, &e->oom);
		if (buf_printf(&line, " %s ", type) != 0)
			e->oom = 1;
		if (strcmp(type, "nullfs") == 0) {
			x = json_array_get(json_object_get(m, "options"), 0);
			if (buf_puts(&line, json_is_string(x) && strcmp(
			    json_string_value(x), "ro") == 0 ? "ro" : "rw") !=
			    0)
				e->oom = 1;
		} else if (strcmp(type, "devfs") == 0) {
			x = json_object_get(m, "ruleset");
			if (buf_printf(&line, "ruleset=%lld",
			    json_is_integer(x) ? (long long)
			    json_integer_value(x) : 4LL) != 0)
				e->oom = 1;
		} else {
			if (buf_puts(&line, "rw") != 0)
				e->oom = 1;
			x = json_object_get(m, "size");
			if (json_is_string(x)) {
				if (buf_puts(&line, ",size=") != 0)
					e->oom = 1;
				em_fstab_field(&line, json_string_value(x),
				    &e->oom);
			}
			x = json_object_get(m, "mode");
			if (json_is_string(x)) {
				if (buf_puts(&line, ",mode=") != 0)
					e->oom = 1;
				em_fstab_field(&line, json_string_value(x),
				    &e->oom);
			}
		}
		if (buf_puts(&line, " 0 0") != 0)
			e->oom = 1;
		if (!e->oom)
			em_list_item(e, "mount", line.data, first);
		first = 0;
	}
	buf_free(&line);
	if (devfs) {
		em_puts(e, "\tmount.devfs;\n");
		em_printf(e, "\tdevfs_ruleset = %lld;\n", *devfs_ruleset);
	}
	if (fdesc)
		em_puts(e, "\tmount.fdescfs;\n");
	if (proc)
		em_puts(e, "\tmount.procfs;\n");
}

static void
em_exec(struct em *e, const json_t *exec)
{
	const json_t *arr, *x;
	char name[32];
	size_t h, i;

	for (h = 0; hook_keys[h] != NULL; h++) {
		arr = json_object_get(exec, hook_keys[h]);
		snprintf(name, sizeof(name), "exec.%s", hook_keys[h]);
		json_array_foreach((json_t *)arr, i, x)
			if (json_is_string(x))
				em_list_item(e, name, json_string_value(x),
				    i == 0);
	}
	if (json_is_true(json_object_get(exec, "clean")))
		em_puts(e, "\texec.clean;\n");
	if (json_is_string(x = json_object_get(exec, "jail_user"))) {
		em_puts(e, "\texec.jail_user = ");
		em_quoted(e, json_string_value(x));
		em_puts(e, ";\n");
	}
	if (json_is_string(x = json_object_get(exec, "system_user"))) {
		em_puts(e, "\texec.system_user = ");
		em_quoted(e, json_string_value(x));
		em_puts(e, ";\n");
	}
	if (json_is_integer(x = json_object_get(exec, "timeout_s")))
		em_printf(e, "\texec.timeout = %lld;\n",
		    (long long)json_integer_value(x));
	x = json_object_get(exec, "stop_timeout_s");
	em_printf(e, "\tstop.timeout = %lld;\n", json_is_integer(x) ?
	    (long long)json_integer_value(x) : 10LL);
	if (json_is_string(x = json_object_get(exec, "consolelog"))) {
		em_puts(e, "\texec.consolelog = ");
		em_quoted(e, json_string_value(x));
		em_puts(e, ";\n");
	}
}

/* A boolean's "no" form: "allow.raw_sockets" -> "allow.noraw_sockets". */
static void
em_bool(struct em *e, const char *name, int on)
{
	const char *dot = strrchr(name, '.');
	size_t pre = dot ? (size_t)(dot - name) + 1 : 0;

	if (on)
		em_printf(e, "\t%s;\n", name);
	else
		em_printf(e, "\t%.*sno%s;\n", (int)pre, name, name + pre);
}

static void
em_params(struct em *e, const json_t *params, long long devfs_ruleset)
{
	const struct param_def *d;
	const json_t *v;
	const char *k;
	char text[1100];
	size_t i;

	for (i = 0; i < catalog_count(); i++) {
		d = catalog_at(i);
		if ((v = json_object_get(params, d->name)) == NULL ||
		    json_is_null(v))
			continue;
		if (d->flags & (PARAM_F_OWN_FIELD | PARAM_F_MANAGED |
		    PARAM_F_READONLY))
			continue;
		if (strcmp(d->name, "devfs_ruleset") == 0 &&
		    devfs_ruleset >= 0) {
			if (!json_is_integer(v) ||
			    json_integer_value(v) != devfs_ruleset)
				em_printf(e, "\t# params.devfs_ruleset differs "
				    "from the /dev mount's ruleset %lld; "
				    "jail.conf has one devfs_ruleset\n",
				    devfs_ruleset);
			continue;
		}
		if (catalog_value_to_text(d, v, text, sizeof(text)) != 0) {
			em_printf(e, "\t# %s: value not rendered (wrong "
			    "type)\n", d->name);
			continue;
		}
		if (d->type == PARAM_BOOL)
			em_bool(e, d->name, json_is_true(v));
		else if (d->type == PARAM_STRING) {
			em_printf(e, "\t%s = ", d->name);
			em_quoted(e, text);
			em_puts(e, ";\n");
		} else
			em_printf(e, "\t%s = %s;\n", d->name, text);
	}
	json_object_foreach((json_t *)params, k, v)
		if (catalog_lookup(k) == NULL && strlen(k) < 100)
			em_printf(e, "\t# %s: unknown parameter, not "
			    "rendered\n", k);
}

int
jailconf_emit(const json_t *doc, const json_t *effective_params,
    struct buf *out, struct jd_error *err)
{
	struct em e = { out, 0 };
	const char *name, *path, *host, *k;
	const json_t *x, *v;
	json_t *params = NULL;
	long long devfs_ruleset;
	size_t i;

	name = json_string_value(json_object_get(doc, "name"));
	path = json_string_value(json_object_get(doc, "path"));
	if (name == NULL || !name_jail_valid(name))
		return jd_error_set(err, JD_E_INVALID, "/name", "the document "
		    "has no valid jail name");
	if (path == NULL || path[0] != '/' || strlen(path) > 1023)
		return jd_error_set(err, JD_E_INVALID, "/path", "the document "
		    "has no absolute path");
	params = json_object();
	if (params == NULL)
		goto oom;
	if (json_is_object(x = json_object_get(doc, "params")) &&
	    json_object_update(params, (json_t *)x) != 0)
		goto oom;
	if (json_is_object(effective_params) && json_object_update(params,
	    (json_t *)effective_params) != 0)
		goto oom;

	em_printf(&e, "# jail \"%s\", rendered by jaild", name);
	if (json_is_string(x = json_object_get(doc, "state")))
		em_printf(&e, " (desired state: %.20s)",
		    json_string_value(x));
	em_puts(&e, "\n");
	if (json_is_string(x = json_object_get(doc, "restart_policy")) &&
	    strcmp(json_string_value(x), "manual") != 0)
		em_printf(&e, "# restart_policy: %.20s\n",
		    json_string_value(x));
	if (json_array_size(x = json_object_get(doc, "policies")) > 0) {
		em_puts(&e, "# policies (merged into the parameters):");
		json_array_foreach((json_t *)x, i, v)
			if (json_is_string(v) &&
			    name_object_valid(json_string_value(v)))
				em_printf(&e, " %s", json_string_value(v));
		em_puts(&e, "\n");
	}
	/* An effective document's limits (policies): rctl(8) rules, which
	 * jail.conf cannot express. */
	json_array_foreach(json_object_get(doc, "limits"), i, v) {
		const char *res = json_string_value(json_object_get(v,
		    "resource"));
		const char *act = json_string_value(json_object_get(v,
		    "action"));
		const char *per = json_string_value(json_object_get(v, "per"));
		char rule[256];

		if (res == NULL || act == NULL || per == NULL ||
		    rctl_resource_lookup(res) == NULL ||
		    !rctl_action_known(act) || !rctl_per_valid(per) ||
		    !json_is_integer(json_object_get(v, "amount")) ||
		    rctl_rule_text(name, res, act, json_integer_value(
		    json_object_get(v, "amount")), per, rule,
		    sizeof(rule)) == -1)
			continue;
		em_printf(&e, "# rctl: %s\n", rule);
	}
	if (json_object_size(x = json_object_get(doc, "labels")) > 0) {
		em_puts(&e, "# labels:");
		json_object_foreach((json_t *)x, k, v)
			if (name_label_key_valid(k) && json_is_string(v) &&
			    name_label_value_valid(json_string_value(v)))
				em_printf(&e, " %s=%s", k,
				    json_string_value(v));
		em_puts(&e, "\n");
	}
	em_printf(&e, "%s {\n", name);
	em_puts(&e, "\tpath = ");
	em_quoted(&e, path);
	em_puts(&e, ";\n");
	host = json_string_value(json_object_get(doc, "hostname"));
	if (host != NULL && host[0] != '\0') {
		em_puts(&e, "\thost.hostname = ");
		em_quoted(&e, host);
		em_puts(&e, ";\n");
	}
	x = json_object_get(doc, "ips");
	em_ips(&e, x, "inet", "ip4.addr");
	em_ips(&e, x, "inet6", "ip6.addr");
	em_mounts(&e, json_object_get(doc, "mounts"), path, &devfs_ruleset);
	em_exec(&e, json_object_get(doc, "exec"));
	x = json_object_get(doc, "depends");
	if (json_array_size(x) > 0) {
		em_puts(&e, "\tdepend = ");
		json_array_foreach((json_t *)x, i, v) {
			if (i > 0)
				em_puts(&e, ", ");
			em_quoted(&e, json_is_string(v) ?
			    json_string_value(v) : "");
		}
		em_puts(&e, ";\n");
	}
	em_params(&e, params, devfs_ruleset);
	em_puts(&e, "\tpersist;\n}\n");
	json_decref(params);
	if (e.oom)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	return 0;
oom:
	json_decref(params);
	return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
}

int
jailconf_emit_file(const json_t *docs, const json_t *effective,
    struct buf *out, struct jd_error *err)
{
	const json_t *doc;
	const char *name;
	size_t i;

	if (buf_printf(out, "# jail.conf rendered by jaild: %zu jail%s\n",
	    json_array_size(docs), json_array_size(docs) == 1 ? "" : "s") !=
	    0)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	json_array_foreach((json_t *)docs, i, doc) {
		name = json_string_value(json_object_get(doc, "name"));
		if (buf_puts(out, "\n") != 0)
			return jd_error_set(err, JD_E_NOMEM, NULL,
			    "out of memory");
		if (jailconf_emit(doc, name ? json_object_get(effective,
		    name) : NULL, out, err) != 0)
			return -1;
	}
	return 0;
}
