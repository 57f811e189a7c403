/*
 * lifecycle.c - jail(8)'s sequences as tables of {name, do, undo} steps
 * over the host interface (see lifecycle.h).
 *
 * The tables are the order; the step functions know nothing about what
 * comes before or after them.  Each undoable step records exactly what it
 * did (which aliases, which mounts, whether the prison exists) in the
 * context, so undo can run after a partial step as well as after a whole
 * one.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "prison/catalog.h"
#include "prison/lifecycle.h"
#include "prison/rctl.h"

struct lc {
	struct host			*h;
	const struct prison_spec	*s;
	int				 jid;
	const char			*path;	/* the prison's path */
	unsigned char			*ip_done;	/* per s->ips */
	unsigned char			*mount_done;	/* per s->mounts */
	int				 created;
	size_t				 rctl_done;	/* s->limits added */
	struct host_addr_list		 addrs;	/* the host before we began */
	struct host_mount_list		 mounts;
};

struct lc_step {
	const char	*name;
	int		(*run)(struct lc *, struct jd_error *);
	void		(*undo)(struct lc *);
};

/* Fill err for step what failing with the host's error herr. */
static int
step_fail(struct jd_error *err, const struct jd_error *herr,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
step_fail(struct jd_error *err, const struct jd_error *herr,
    const char *fmt, ...)
{
	char what[JD_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return jd_error_sys(err, JD_E_HOST, herr->sys_errno, "%s: %s", what,
	    herr->message);
}

/*
 * The variables every command gets without exec.clean: JNAME, JPATH and,
 * once the prison exists, JID (jail(8) exports them since 15.x; we do on
 * every host).  exec.clean keeps them out, as jail(8) does.
 */
static int
hook_env(const struct lc *c, char vars[3][1100], const char *env[4])
{
	size_t n = 0;

	if (c->s->exec_clean) {
		env[0] = NULL;
		return 0;
	}
	if (c->jid > 0) {
		snprintf(vars[n], sizeof(vars[n]), "JID=%d", c->jid);
		env[n] = vars[n];
		n++;
	}
	if ((size_t)snprintf(vars[n], sizeof(vars[n]), "JNAME=%s",
	    c->s->name) >= sizeof(vars[n]))
		return -1;
	env[n] = vars[n];
	n++;
	if ((size_t)snprintf(vars[n], sizeof(vars[n]), "JPATH=%s",
	    c->path != NULL ? c->path : "") >= sizeof(vars[n]))
		return -1;
	env[n] = vars[n];
	n++;
	env[n] = NULL;
	return 0;
}

/* The first line of a command's stderr, for a failure message. */
static int
first_line(const struct host_exec_result *r, const char **p)
{
	size_t n;

	*p = r->err != NULL ? r->err : "";
	n = strcspn(*p, "\n");
	return (int)(n > 200 ? 200 : n);
}

/*
 * Run every command of hook; in the jail for start and stop.  Host-side
 * hooks run as exec.system_user, in-jail ones as exec.jail_user (looked
 * up in the jail's passwd unless exec.system_jail_user) and append their
 * output to exec.consolelog; exec.timeout_s limits each command.
 */
static int
run_hook(struct lc *c, enum prison_hook hook, struct jd_error *err)
{
	const struct prison_cmds *cmds = &c->s->exec[hook];
	const char *label = prison_hook_label(hook), *env[4], *why;
	int in_jail = hook == PRISON_HOOK_START || hook == PRISON_HOOK_STOP;
	char vars[3][1100];
	struct host_exec_req req;
	struct host_exec_result r;
	struct jd_error herr;
	size_t i;
	int rc, n;

	if (cmds->n > 0 && hook_env(c, vars, env) == -1)
		return jd_error_set(err, JD_E_INVALID, NULL, "%s: jail path "
		    "too long for JPATH", label);
	for (i = 0; i < cmds->n; i++) {
		memset(&req, 0, sizeof(req));
		req.argv = (const char *const *)cmds->v[i].argv;
		req.user = in_jail ? c->s->jail_user : c->s->system_user;
		req.label = label;
		req.timeout_s = c->s->timeout_s;
		req.output_max = 4096;
		req.flags = HOST_EXEC_HOOK;
		if (c->s->exec_clean)
			req.flags |= HOST_EXEC_CLEAN;
		if (in_jail && c->s->system_jail_user)
			req.flags |= HOST_EXEC_SYSTEM_JAIL_USER;
		req.env = env;
		req.consolelog = in_jail ? c->s->consolelog : NULL;
		if (in_jail)
			rc = host_exec_jail(c->h, c->jid, &req, &r, &herr);
		else
			rc = host_exec_host(c->h, &req, &r, &herr);
		if (rc == -1)
			return step_fail(err, &herr, "%s: %s", label,
			    cmds->v[i].text);
		/* The first line of stderr says why, usually. */
		n = first_line(&r, &why);
		if (r.timed_out) {
			jd_error_sys(err, JD_E_HOST, 0, "%s: %s: timed out "
			    "after %d s%s%.*s", label, cmds->v[i].text,
			    c->s->timeout_s, n ? ": " : "", n, why);
			host_exec_result_free(&r);
			return -1;
		}
		if (r.status != 0) {
			jd_error_sys(err, JD_E_HOST, 0, "%s: %s: exited with "
			    "status %d%s%.*s", label, cmds->v[i].text,
			    r.status, n ? ": " : "", n, why);
			host_exec_result_free(&r);
			return -1;
		}
		host_exec_result_free(&r);
	}
	return 0;
}

static int do_prepare(struct lc *c, struct jd_error *e)
    { return run_hook(c, PRISON_HOOK_PREPARE, e); }
static int do_prestart(struct lc *c, struct jd_error *e)
    { return run_hook(c, PRISON_HOOK_PRESTART, e); }
static int do_created(struct lc *c, struct jd_error *e)
    { return run_hook(c, PRISON_HOOK_CREATED, e); }
static int do_start(struct lc *c, struct jd_error *e)
    { return run_hook(c, PRISON_HOOK_START, e); }
static int do_poststart(struct lc *c, struct jd_error *e)
    { return run_hook(c, PRISON_HOOK_POSTSTART, e); }
static int do_prestop(struct lc *c, struct jd_error *e)
    { return run_hook(c, PRISON_HOOK_PRESTOP, e); }
static int do_stop(struct lc *c, struct jd_error *e)
    { return run_hook(c, PRISON_HOOK_STOP, e); }
static int do_poststop(struct lc *c, struct jd_error *e)
    { return run_hook(c, PRISON_HOOK_POSTSTOP, e); }
static int do_release(struct lc *c, struct jd_error *e)
    { return run_hook(c, PRISON_HOOK_RELEASE, e); }

static const char *
family_name(int family)
{
	return family == HOST_AF_INET6 ? "inet6" : "inet";
}

static int
alias_on_host(const struct host_addr_list *l, const char *ifname, int family,
    const char *address)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].family == family &&
		    strcmp(l->v[i].address, address) == 0 &&
		    (ifname == NULL || strcmp(l->v[i].ifname, ifname) == 0))
			return 1;
	return 0;
}

static void
addr_of(const struct prison_spec_ip *ip, struct host_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->ifname = ip->interface;
	a->family = ip->family;
	a->address = ip->address;
	a->prefixlen = ip->prefixlen;
}

static int
add_aliases(struct lc *c, int family, struct jd_error *err)
{
	const struct prison_spec_ip *ip;
	struct host_addr a;
	struct jd_error herr;
	size_t i;

	for (i = 0; i < c->s->nips; i++) {
		ip = &c->s->ips[i];
		if (ip->family != family || ip->interface == NULL)
			continue;
		/* Left over from an interrupted attempt: ours already. */
		if (!alias_on_host(&c->addrs, ip->interface, family,
		    ip->address)) {
			addr_of(ip, &a);
			if (host_addr_add(c->h, &a, &herr) == -1)
				return step_fail(err, &herr, "alias %s %s "
				    "%s/%d", ip->interface,
				    family_name(family), ip->address,
				    ip->prefixlen);
		}
		c->ip_done[i] = 1;
	}
	return 0;
}

/* Remove the aliases of family marked done, newest first. */
static int
del_aliases(struct lc *c, int family, int only_present, struct jd_error *err)
{
	const struct prison_spec_ip *ip;
	struct host_addr a;
	struct jd_error herr;
	size_t i;
	int rc = 0;

	for (i = c->s->nips; i-- > 0; ) {
		ip = &c->s->ips[i];
		if (ip->family != family || !c->ip_done[i])
			continue;
		c->ip_done[i] = 0;
		if (only_present && !alias_on_host(&c->addrs, ip->interface,
		    family, ip->address))
			continue;
		addr_of(ip, &a);
		if (host_addr_del(c->h, &a, &herr) == -1 && rc == 0 &&
		    err != NULL)
			rc = step_fail(err, &herr, "remove alias %s %s %s",
			    ip->interface, family_name(family), ip->address);
	}
	return rc;
}

static int do_alias4(struct lc *c, struct jd_error *e)
    { return add_aliases(c, HOST_AF_INET, e); }
static int do_alias6(struct lc *c, struct jd_error *e)
    { return add_aliases(c, HOST_AF_INET6, e); }
static void undo_alias4(struct lc *c)
    { (void)del_aliases(c, HOST_AF_INET, 0, NULL); }
static void undo_alias6(struct lc *c)
    { (void)del_aliases(c, HOST_AF_INET6, 0, NULL); }

static int
mount_on_host(const struct host_mount_list *l, const char *type,
    const char *target)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].target, target) == 0 &&
		    strcmp(l->v[i].type, type) == 0)
			return 1;
	return 0;
}

static void
mount_of(const struct prison_spec_mount *sm, struct host_mount *m)
{
	memset(m, 0, sizeof(*m));
	m->type = sm->type;
	m->source = sm->source;
	m->target = sm->target;
	m->options = sm->options;
}

static int
do_mounts(struct lc *c, struct jd_error *err)
{
	const struct prison_spec_mount *sm;
	struct host_mount m;
	struct jd_error herr;
	size_t i;

	for (i = 0; i < c->s->nmounts; i++) {
		sm = &c->s->mounts[i];
		if (!mount_on_host(&c->mounts, sm->type, sm->target)) {
			mount_of(sm, &m);
			if (host_mount(c->h, &m, &herr) == -1)
				return step_fail(err, &herr, "mount %s (%s)",
				    sm->target, sm->type);
		}
		c->mount_done[i] = 1;
	}
	return 0;
}

static void
undo_mounts(struct lc *c)
{
	struct jd_error herr;
	size_t i;

	for (i = c->s->nmounts; i-- > 0; ) {
		if (!c->mount_done[i])
			continue;
		c->mount_done[i] = 0;
		(void)host_unmount(c->h, c->s->mounts[i].target, &herr);
	}
}

static int
do_jail_create(struct lc *c, struct jd_error *err)
{
	struct jd_error herr;

	if (host_prison_create(c->h, &c->s->kparams, &c->jid, &herr) == -1)
		return step_fail(err, &herr, "create %s", c->s->name);
	c->created = 1;
	return 0;
}

static void
undo_jail_create(struct lc *c)
{
	struct jd_error herr;

	if (c->created)
		(void)host_prison_remove(c->h, c->jid, &herr);
	c->created = 0;
}

/* rctl rules. */

/*
 * Fill err for an rctl call on rule (or filter) that failed with herr.
 * ENOSYS gets a sentence saying how to enable resource accounting,
 * whatever the backend said.
 */
static int
rctl_fail(struct jd_error *err, const struct jd_error *herr,
    const char *what)
{
	if (herr->sys_errno == ENOSYS)
		return jd_error_sys(err, JD_E_HOST, ENOSYS, "%s: %s", what,
		    RCTL_DISABLED_MSG);
	return jd_error_sys(err, JD_E_HOST, herr->sys_errno, "%s: %s", what,
	    herr->message);
}

/*
 * The filter that matches exactly one rule: the rule with its per spelt
 * out (a filter without "/per" matches every per).
 */
static int
rctl_exact(const char *rule, char *out, size_t outsz)
{
	const char *eq = strchr(rule, '=');
	int n;

	if (eq != NULL && strchr(eq, '/') != NULL)
		n = snprintf(out, outsz, "%s", rule);
	else
		n = snprintf(out, outsz, "%s/jail", rule);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* Remove exactly rule; ESRCH (already gone) is success. */
static int
rctl_del(struct host *h, const char *rule, struct jd_error *herr)
{
	char filter[600];

	if (rctl_exact(rule, filter, sizeof(filter)) == -1)
		return jd_error_sys(herr, JD_E_HOST, ENAMETOOLONG, "%s",
		    "rule too long");
	if (host_rctl_remove(h, filter, herr) == -1 &&
	    herr->sys_errno != ESRCH)
		return -1;
	return 0;
}

/*
 * The key of a jail rule "jail:NAME:RESOURCE:ACTION=AMOUNT[/PER]":
 * "RESOURCE:ACTION/PER" with per spelt out, and where AMOUNT starts.
 * Returns -1 for text not of that form.
 */
static int
rctl_key(const char *rule, char *key, size_t keysz, const char **amount)
{
	const char *p = rule, *eq, *slash;
	int i, n;

	for (i = 0; i < 2; i++) {
		if ((p = strchr(p, ':')) == NULL)
			return -1;
		p++;
	}
	if ((eq = strchr(p, '=')) == NULL)
		return -1;
	slash = strchr(eq, '/');
	n = snprintf(key, keysz, "%.*s/%s", (int)(eq - p), p,
	    slash != NULL ? slash + 1 : "jail");
	if (n < 0 || (size_t)n >= keysz)
		return -1;
	if (amount != NULL)
		*amount = eq + 1;
	return 0;
}

static int
has_rule(char *const *v, size_t n, const char *rule)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], rule) == 0)
			return 1;
	return 0;
}

/* Does s want a rule with rule's key but another amount? */
static int
rule_changed(const struct prison_spec *s, const char *rule)
{
	char k1[128], k2[128];
	size_t i;

	if (rctl_key(rule, k1, sizeof(k1), NULL) == -1)
		return 0;
	for (i = 0; i < s->nlimits; i++)
		if (rctl_key(s->limits[i], k2, sizeof(k2), NULL) == 0 &&
		    strcmp(k1, k2) == 0 && strcmp(rule, s->limits[i]) != 0)
			return 1;
	return 0;
}

static int
do_rctl(struct lc *c, struct jd_error *err)
{
	struct jd_error herr;
	size_t i;

	for (i = 0; i < c->s->nlimits; i++) {
		if (host_rctl_add(c->h, c->s->limits[i], &herr) == -1) {
			char what[600];

			snprintf(what, sizeof(what), "rctl %s",
			    c->s->limits[i]);
			return rctl_fail(err, &herr, what);
		}
		c->rctl_done = i + 1;
	}
	return 0;
}

static void
undo_rctl(struct lc *c)
{
	struct jd_error herr;

	while (c->rctl_done > 0)
		(void)rctl_del(c->h, c->s->limits[--c->rctl_done], &herr);
}

static const struct lc_step create_steps[] = {
	{ "exec.prepare", do_prepare, NULL },
	{ "ip4 aliases", do_alias4, undo_alias4 },
	{ "ip6 aliases", do_alias6, undo_alias6 },
	{ "mounts", do_mounts, undo_mounts },
	{ "exec.prestart", do_prestart, NULL },
	{ "jail_set", do_jail_create, undo_jail_create },
	{ "rctl", do_rctl, undo_rctl },
	{ "exec.created", do_created, NULL },
	{ "exec.start", do_start, NULL },
	{ "exec.poststart", do_poststart, NULL },
};

static int
lc_init(struct lc *c, struct host *h, const struct prison_spec *s,
    struct jd_error *err)
{
	memset(c, 0, sizeof(*c));
	c->h = h;
	c->s = s;
	c->path = s->path;
	c->ip_done = jd_calloc(s->nips + 1, 1);
	c->mount_done = jd_calloc(s->nmounts + 1, 1);
	if (c->ip_done == NULL || c->mount_done == NULL)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	if (host_addr_list(h, &c->addrs, err) == -1 ||
	    host_mount_list(h, &c->mounts, err) == -1)
		return -1;
	return 0;
}

static void
lc_fini(struct lc *c)
{
	jd_free(c->ip_done);
	jd_free(c->mount_done);
	host_addr_list_free(&c->addrs);
	host_mount_list_free(&c->mounts);
}

int
lifecycle_create(struct host *h, const struct prison_spec *s, int *jidp,
    struct jd_error *err)
{
	const size_t n = sizeof(create_steps) / sizeof(create_steps[0]);
	struct lc c;
	size_t i, j;

	if (lc_init(&c, h, s, err) == -1) {
		lc_fini(&c);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (create_steps[i].run(&c, err) == 0)
			continue;
		/* Undo this step's partial work, then the earlier steps. */
		for (j = i + 1; j-- > 0; )
			if (create_steps[j].undo != NULL)
				create_steps[j].undo(&c);
		lc_fini(&c);
		return -1;
	}
	if (jidp != NULL)
		*jidp = c.jid;
	lc_fini(&c);
	return 0;
}

/* Stop. */

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
do_term(struct lc *c, struct jd_error *err)
{
	struct jd_error herr;
	int n = 0;
	long waited = 0;

	if (c->s->stop_timeout_s <= 0)
		return 0;
	if (host_signal_jail(c->h, c->jid, SIGTERM, &n, &herr) == -1)
		return step_fail(err, &herr, "SIGTERM to jail %d", c->jid);
	while (n > 0 && waited < (long)c->s->stop_timeout_s * 1000) {
		sleep_ms(100);
		waited += 100;
		if (host_signal_jail(c->h, c->jid, 0, &n, &herr) == -1)
			break;
	}
	return 0;
}

static int
do_jail_remove(struct lc *c, struct jd_error *err)
{
	struct jd_error herr;

	if (host_prison_remove(c->h, c->jid, &herr) == -1)
		return step_fail(err, &herr, "remove %s (jid %d)", c->s->name,
		    c->jid);
	return 0;
}

/* Every mount at or under the prison's path, newest first. */
static int
do_unmounts(struct lc *c, struct jd_error *err)
{
	struct jd_error herr;
	size_t i, plen = strlen(c->path);
	const char *t;
	int rc = 0;

	for (i = c->mounts.n; i-- > 0; ) {
		t = c->mounts.v[i].target;
		if (strncmp(t, c->path, plen) != 0 || (t[plen] != '\0' &&
		    t[plen] != '/' && strcmp(c->path, "/") != 0))
			continue;
		if (strcmp(c->path, "/") == 0)
			continue;	/* never the host's own mounts */
		if (host_unmount(c->h, t, &herr) == -1 && rc == 0)
			rc = step_fail(err, &herr, "unmount %s (%s)", t,
			    c->mounts.v[i].type);
	}
	return rc;
}

/* Every rule of the jail's name, when the spec has limits. */
static int
do_unrctl(struct lc *c, struct jd_error *err)
{
	struct jd_error herr;
	char filter[300];

	if (c->s->nlimits == 0)
		return 0;
	snprintf(filter, sizeof(filter), "jail:%s:", c->s->name);
	if (host_rctl_remove(c->h, filter, &herr) == -1 &&
	    herr.sys_errno != ESRCH) {
		char what[320];

		snprintf(what, sizeof(what), "rctl remove %s", filter);
		return rctl_fail(err, &herr, what);
	}
	return 0;
}

static int
do_unalias6(struct lc *c, struct jd_error *err)
{
	return del_aliases(c, HOST_AF_INET6, 1, err);
}

static int
do_unalias4(struct lc *c, struct jd_error *err)
{
	return del_aliases(c, HOST_AF_INET, 1, err);
}

/*
 * {name, do, must_succeed}: the steps before jail_remove stop the whole
 * sequence when they fail (the jail stays up); the clean-up after it goes
 * on and reports the first failure.
 */
static const struct {
	const char	*name;
	int		(*run)(struct lc *, struct jd_error *);
	int		 live_only;	/* only while the prison exists */
	int		 fatal;
} stop_steps[] = {
	{ "exec.prestop", do_prestop, 1, 1 },
	{ "exec.stop", do_stop, 1, 1 },
	{ "stop.timeout", do_term, 1, 0 },
	{ "jail_remove", do_jail_remove, 1, 1 },
	{ "rctl", do_unrctl, 0, 0 },
	{ "exec.poststop", do_poststop, 0, 0 },
	{ "unmount", do_unmounts, 0, 0 },
	{ "ip6 aliases", do_unalias6, 0, 0 },
	{ "ip4 aliases", do_unalias4, 0, 0 },
	{ "exec.release", do_release, 0, 0 },
};

int
lifecycle_stop(struct host *h, const struct prison_spec *s,
    const struct host_prison *cur, struct jd_error *err)
{
	struct jd_error serr, first;
	struct lc c;
	size_t i;
	int live = cur != NULL && !cur->dying, failed = 0;

	if (lc_init(&c, h, s, err) == -1) {
		lc_fini(&c);
		return -1;
	}
	if (cur != NULL) {
		c.jid = cur->jid;
		c.path = cur->path;
	}
	/* Aliases of s present on the host are the ones to remove. */
	for (i = 0; i < s->nips; i++)
		c.ip_done[i] = s->ips[i].interface != NULL;
	jd_error_clear(&first);
	for (i = 0; i < sizeof(stop_steps) / sizeof(stop_steps[0]); i++) {
		if (stop_steps[i].live_only && !live)
			continue;
		if (stop_steps[i].run(&c, &serr) == 0)
			continue;
		if (stop_steps[i].fatal) {
			if (err != NULL)
				*err = serr;
			lc_fini(&c);
			return -1;
		}
		if (!failed) {
			first = serr;
			failed = 1;
		}
	}
	lc_fini(&c);
	if (failed) {
		if (err != NULL)
			*err = first;
		return -1;
	}
	return 0;
}

/* Update and repair. */

static void
note(struct buf *sum, int *count, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
note(struct buf *sum, int *count, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	(void)buf_printf(sum, "%s%s", sum->len ? "; " : "", line);
	(*count)++;
}

/* Address lists are equal when the primary and the set match. */
static int
iplist_equal(const char *a, const char *b)
{
	char *x = NULL, *y = NULL, *tok, *save = NULL;
	size_t na = 0, nb = 0, la, lb;
	int eq = 0;

	if (a == NULL)
		a = "";
	if (b == NULL)
		b = "";
	la = strcspn(a, ",");
	lb = strcspn(b, ",");
	if (la != lb || strncmp(a, b, la) != 0)
		return 0;
	if ((x = jd_strdup(a)) == NULL || (y = jd_strdup(b)) == NULL)
		goto done;
	for (tok = strtok_r(x, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(tok);
		const char *p = b;

		na++;
		while (p != NULL && !(strncmp(p, tok, n) == 0 &&
		    (p[n] == ',' || p[n] == '\0'))) {
			p = strchr(p, ',');
			if (p != NULL)
				p++;
		}
		if (p == NULL)
			goto done;
	}
	for (tok = strtok_r(y, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		nb++;
	eq = na == nb;
done:
	jd_free(x);
	jd_free(y);
	return eq;
}

/* The changeable parameters of s whose value differs on cur. */
static int
changed_params(const struct prison_spec *s, const struct host_prison *cur,
    struct host_params *out)
{
	const struct param_def *def;
	const char *name, *want, *have;
	size_t i;
	int k;

	for (i = 0; i < s->kparams.n; i++) {
		name = s->kparams.v[i].name;
		want = s->kparams.v[i].value;
		if (strcmp(name, "name") == 0 || strcmp(name, "jid") == 0)
			continue;
		def = catalog_lookup(name);
		if (def == NULL || (def->flags & PARAM_F_CREATE_ONLY))
			continue;
		if (strcmp(name, "host.hostname") == 0)
			have = cur->hostname;
		else
			have = host_params_get(&cur->params, name);
		if (def->type == PARAM_IP4LIST || def->type == PARAM_IP6LIST) {
			if (iplist_equal(want, have))
				continue;
		} else if (have != NULL && strcmp(have, want) == 0)
			continue;
		if (host_params_set(out, name, want) == -1)
			return -1;
	}
	/* Addresses the spec no longer has for a family it lists none of. */
	for (k = 0; k < 2; k++) {
		const char *key = k ? "ip6.addr" : "ip4.addr";

		have = host_params_get(&cur->params, key);
		if (host_params_get(&s->kparams, key) == NULL &&
		    have != NULL && *have != '\0' &&
		    strcmp(host_params_get(&cur->params, k ? "ip6" : "ip4") ?
		    host_params_get(&cur->params, k ? "ip6" : "ip4") : "",
		    "inherit") != 0 && host_params_set(out, key, "") == -1)
			return -1;
	}
	return 0;
}

static int
spec_has_mount(const struct prison_spec *s, const struct host_mount *m)
{
	size_t i;

	for (i = 0; i < s->nmounts; i++)
		if (strcmp(s->mounts[i].target, m->target) == 0 &&
		    strcmp(s->mounts[i].type, m->type) == 0)
			return 1;
	return 0;
}

static int
spec_has_alias(const struct prison_spec *s, const struct prison_spec_ip *ip)
{
	size_t i;

	for (i = 0; i < s->nips; i++)
		if (s->ips[i].interface != NULL &&
		    strcmp(s->ips[i].interface, ip->interface) == 0 &&
		    strcmp(s->ips[i].address, ip->address) == 0)
			return 1;
	return 0;
}

/*
 * Bring the host's rules for s->name in line with s (see lifecycle.h).
 * Makes no host call when neither s nor old has limits.
 */
static int
update_rctl(struct host *h, const struct prison_spec *s,
    const struct prison_spec *old, struct buf *sum, int *count,
    struct jd_error *err)
{
	struct host_strings have = { 0 };
	struct jd_error herr;
	char filter[300], what[600];
	const char *r;
	size_t i;
	int rc = -1;

	if (s->nlimits == 0 && (old == NULL || old->nlimits == 0))
		return 0;
	snprintf(filter, sizeof(filter), "jail:%s:", s->name);
	if (host_rctl_list(h, filter, &have, &herr) == -1) {
		snprintf(what, sizeof(what), "rctl list %s", filter);
		return rctl_fail(err, &herr, what);
	}
	/* Rules old had and s does not; rules whose amount changed. */
	for (i = 0; i < have.n; i++) {
		r = have.v[i];
		if (has_rule(s->limits, s->nlimits, r))
			continue;
		if (!(old != NULL && has_rule(old->limits, old->nlimits, r)) &&
		    !rule_changed(s, r))
			continue;
		if (rctl_del(h, r, &herr) == -1) {
			snprintf(what, sizeof(what), "rctl remove %s", r);
			rctl_fail(err, &herr, what);
			goto done;
		}
		note(sum, count, "rctl -%s", r);
	}
	for (i = 0; i < s->nlimits; i++) {
		r = s->limits[i];
		if (has_rule(have.v, have.n, r))
			continue;
		if (host_rctl_add(h, r, &herr) == -1) {
			snprintf(what, sizeof(what), "rctl %s", r);
			rctl_fail(err, &herr, what);
			goto done;
		}
		note(sum, count, "rctl +%s", r);
	}
	rc = 0;
done:
	host_strings_free(&have);
	return rc;
}

int
lifecycle_update(struct host *h, const struct prison_spec *s,
    const struct prison_spec *old, const struct host_prison *cur,
    char *summary, size_t summarysz, struct jd_error *err)
{
	struct host_params set = { 0 };
	struct host_addr_list addrs = { 0 };
	struct host_mount_list mounts = { 0 };
	struct host_mount m;
	struct host_addr a;
	struct jd_error herr;
	struct buf sum = { 0 };
	char key[16];
	size_t i;
	int count = 0, rc = -1;

	if (summary != NULL && summarysz > 0)
		summary[0] = '\0';
	if (host_addr_list(h, &addrs, err) == -1 ||
	    host_mount_list(h, &mounts, err) == -1)
		goto done;
	/* Aliases and mounts the old spec had and this one does not. */
	for (i = 0; old != NULL && i < old->nips; i++) {
		const struct prison_spec_ip *ip = &old->ips[i];

		if (ip->interface == NULL || spec_has_alias(s, ip) ||
		    !alias_on_host(&addrs, ip->interface, ip->family,
		    ip->address))
			continue;
		addr_of(ip, &a);
		if (host_addr_del(h, &a, &herr) == -1) {
			step_fail(err, &herr, "remove alias %s %s %s",
			    ip->interface, family_name(ip->family),
			    ip->address);
			goto done;
		}
		note(&sum, &count, "removed alias %s %s", ip->interface,
		    ip->address);
	}
	for (i = old != NULL ? old->nmounts : 0; i-- > 0; ) {
		mount_of(&old->mounts[i], &m);
		if (spec_has_mount(s, &m) ||
		    !mount_on_host(&mounts, m.type, m.target))
			continue;
		if (host_unmount(h, m.target, &herr) == -1) {
			step_fail(err, &herr, "unmount %s (%s)", m.target,
			    m.type);
			goto done;
		}
		note(&sum, &count, "unmounted %s (%s)", m.target, m.type);
	}
	/* Aliases first, so new addresses exist before the kernel list. */
	for (i = 0; i < s->nips; i++) {
		const struct prison_spec_ip *ip = &s->ips[i];

		if (ip->interface == NULL || alias_on_host(&addrs,
		    ip->interface, ip->family, ip->address))
			continue;
		addr_of(ip, &a);
		if (host_addr_add(h, &a, &herr) == -1) {
			step_fail(err, &herr, "alias %s %s %s/%d",
			    ip->interface, family_name(ip->family),
			    ip->address, ip->prefixlen);
			goto done;
		}
		note(&sum, &count, "added alias %s %s/%d", ip->interface,
		    ip->address, ip->prefixlen);
	}
	if (changed_params(s, cur, &set) == -1) {
		jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
		goto done;
	}
	if (set.n > 0) {
		snprintf(key, sizeof(key), "%d", cur->jid);
		if (host_prison_update(h, key, &set, NULL, &herr) == -1) {
			step_fail(err, &herr, "update %s", s->name);
			goto done;
		}
		for (i = 0; i < set.n; i++)
			note(&sum, &count, "set %s=%s", set.v[i].name,
			    set.v[i].value);
	}
	for (i = 0; i < s->nmounts; i++) {
		if (mount_on_host(&mounts, s->mounts[i].type,
		    s->mounts[i].target))
			continue;
		mount_of(&s->mounts[i], &m);
		if (host_mount(h, &m, &herr) == -1) {
			step_fail(err, &herr, "mount %s (%s)", m.target,
			    m.type);
			goto done;
		}
		note(&sum, &count, "mounted %s (%s)", m.target, m.type);
	}
	if (update_rctl(h, s, old, &sum, &count, err) == -1)
		goto done;
	rc = count;
done:
	if (summary != NULL && summarysz > 0 && sum.data != NULL)
		snprintf(summary, summarysz, "%s", sum.data);
	buf_free(&sum);
	host_params_free(&set);
	host_addr_list_free(&addrs);
	host_mount_list_free(&mounts);
	return rc;
}

int
lifecycle_repair(struct host *h, const struct prison_spec *s,
    const struct host_prison *cur, char *summary, size_t summarysz,
    struct jd_error *err)
{
	return lifecycle_update(h, s, NULL, cur, summary, summarysz, err);
}
