/*
 * host_freebsd.c - the host interface on a real FreeBSD kernel (built only
 * on FreeBSD, where JD_HAVE_FREEBSD_HOST is defined).
 *
 * Kept thin on purpose: the order of operations lives in lifecycle.c and
 * the parameter marshaling in spec.c, both exercised against host_sim in
 * every test run.  Here each method is one kernel facility:
 *   prisons    libjail jailparam_* (jail_get / jail_set) and jail_remove(2)
 *   commands   fork, jail_attach(2), execvp, through host_run()
 *   signals    kern.proc.proc sysctl, kill(2)
 *   mounts     nmount(2), unmount(2), getfsstat(2)
 *   aliases    SIOCAIFADDR / SIOCDIFADDR, SIOCAIFADDR_IN6 /
 *              SIOCDIFADDR_IN6, getifaddrs(3)
 *   rctl       rctl_add_rule(2), rctl_remove_rule(2), rctl_get_rules(2)
 *
 * libjail reports errors in one global buffer, jail_errmsg, so every
 * libjail call (and the copy of jail_errmsg into the caller's jd_error)
 * happens under libjail_lock, the one file-scope mutable object here.
 * Kernel messages are passed on verbatim; libjail's "jail_set: <strerror>"
 * fallback (the kernel said nothing) becomes plain strerror, the form the
 * simulated host uses too.
 *
 * Commands are not started with posix_spawn: it cannot put the child in a
 * jail.  As jexec(8) does, the child calls jail_attach(2) between fork and
 * exec.  The user of an in-jail command comes from the jail's passwd (read
 * from the host side, host_cred_lookup_root) unless exec.system_jail_user
 * says the host's; host-side commands use the host's passwd.
 */
#undef _POSIX_C_SOURCE		/* the build defines it; it hides BSD APIs */

#include <sys/param.h>
#include <sys/ioctl.h>
#include <sys/jail.h>
#include <sys/mount.h>
#include <sys/rctl.h>
#include <sys/socket.h>
#include <sys/sockio.h>
#include <sys/sysctl.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/utsname.h>

#include <net/if.h>
#include <netinet/in.h>
#include <netinet/in_var.h>
#include <netinet6/in6_var.h>
#include <netinet6/nd6.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <jail.h>
#include <login_cap.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "prison/catalog.h"
#include "prison/host.h"
#include "prison/rctl.h"

struct fbsd {
	struct host	 base;
	char		*datadir;
};

/* Serializes libjail (its jail_errmsg is one global buffer). */
static pthread_mutex_t libjail_lock = PTHREAD_MUTEX_INITIALIZER;

#define NOMEM(err)	jd_error_set(err, JD_E_NOMEM, NULL, "out of memory")

/* Call with libjail_lock held, right after the failing libjail call. */
static int
libjail_fail(struct jd_error *err, int e)
{
	const char *m = jail_errmsg;

	if (strncmp(m, "jail_set: ", 10) == 0 ||
	    strncmp(m, "jail_get: ", 10) == 0)
		m = "";
	return host_error(err, e != 0 ? e : EINVAL, m);
}

static int
all_digits(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

/*
 * Is name a parameter of the running kernel?  Asked through sysctl so that
 * libjail does not kldload linux.ko or sysv*.ko behind our back when a
 * module parameter is missing.
 */
static int
kernel_has_param(const char *name)
{
	char oid[300];
	int mib[CTL_MAXNAME];
	size_t miblen = CTL_MAXNAME;

	snprintf(oid, sizeof(oid), "security.jail.param.%s", name);
	if (sysctlnametomib(oid, mib, &miblen) == 0)
		return 1;
	snprintf(oid, sizeof(oid), "security.jail.param.%s.", name);
	miblen = CTL_MAXNAME;
	return sysctlnametomib(oid, mib, &miblen) == 0;
}

/* Prisons: reading. */

struct fb_read {
	struct jailparam	*jp;
	size_t			 n;
	size_t			 ijid, iname, ipath, ihost, idying;
};

static void
fb_read_free(struct fb_read *r)
{
	if (r->jp != NULL) {
		jailparam_free(r->jp, (unsigned)r->n);
		free(r->jp);
	}
	memset(r, 0, sizeof(*r));
}

static int
fb_read_add(struct fb_read *r, const char *name)
{
	if (jailparam_init(&r->jp[r->n], name) == -1)
		return -1;
	r->n++;
	return 0;
}

/*
 * The parameter array for jail_get: the key (lastjid, jid or name) first,
 * then jid, name, path, host.hostname, dying and every catalog parameter
 * the kernel knows.  Call with libjail_lock held.
 */
static int
fb_read_init(struct fb_read *r, const char *key, struct jd_error *err)
{
	const struct param_def *def;
	size_t i, cap = catalog_count() + 8;

	memset(r, 0, sizeof(*r));
	if ((r->jp = calloc(cap, sizeof(r->jp[0]))) == NULL)
		return NOMEM(err);
	if (fb_read_add(r, key) == -1)
		goto fail;
	r->ijid = r->iname = 0;
	if (strcmp(key, "jid") != 0) {
		r->ijid = r->n;
		if (fb_read_add(r, "jid") == -1)
			goto fail;
	}
	if (strcmp(key, "name") != 0) {
		r->iname = r->n;
		if (fb_read_add(r, "name") == -1)
			goto fail;
	}
	r->ipath = r->n;
	if (fb_read_add(r, "path") == -1)
		goto fail;
	r->ihost = r->n;
	if (fb_read_add(r, "host.hostname") == -1)
		goto fail;
	r->idying = r->n;
	if (fb_read_add(r, "dying") == -1)
		goto fail;
	for (i = 0; i < catalog_count() && r->n < cap; i++) {
		def = catalog_at(i);
		if (strcmp(def->name, "jid") == 0 ||
		    strcmp(def->name, "name") == 0 ||
		    strcmp(def->name, "path") == 0 ||
		    strcmp(def->name, "host.hostname") == 0 ||
		    strcmp(def->name, "dying") == 0 ||
		    !kernel_has_param(def->name))
			continue;
		if (fb_read_add(r, def->name) == -1)
			continue;	/* known to sysctl, not to libjail */
	}
	return 0;
fail:
	libjail_fail(err, errno);
	fb_read_free(r);
	return -1;
}

static int
param_cmp(const void *a, const void *b)
{
	return strcmp(((const struct host_param *)a)->name,
	    ((const struct host_param *)b)->name);
}

/* Export the values jail_get filled into an owned host_prison. */
static int
fb_export(struct fb_read *r, int jid, struct host_prison *out)
{
	char *v;
	size_t i;
	int bad = 0;

	memset(out, 0, sizeof(*out));
	out->jid = jid;
	for (i = 0; i < r->n; i++) {
		if (strcmp(r->jp[i].jp_name, "lastjid") == 0 || i == r->ijid)
			continue;
		if ((v = jailparam_export(&r->jp[i])) == NULL) {
			bad = 1;
			break;
		}
		if (i == r->iname)
			bad |= (out->name = jd_strdup(v)) == NULL;
		else if (i == r->ipath)
			bad |= (out->path = jd_strdup(v)) == NULL;
		else if (i == r->ihost)
			bad |= (out->hostname = jd_strdup(v)) == NULL;
		else if (i == r->idying)
			out->dying = strcmp(v, "true") == 0;
		else
			bad |= host_params_set(&out->params,
			    r->jp[i].jp_name, v) == -1;
		free(v);
		if (bad)
			break;
	}
	if (bad || out->name == NULL || out->path == NULL ||
	    out->hostname == NULL) {
		host_prison_free(out);
		return -1;
	}
	qsort(out->params.v, out->params.n, sizeof(out->params.v[0]),
	    param_cmp);
	return 0;
}

static int
fb_prison_list(struct host *h, int include_dying,
    struct host_prison_list *out, struct jd_error *err)
{
	struct host_prison *nv;
	struct fb_read r;
	char last[16];
	size_t cap = 0;
	int jid, lastjid = 0, rc = -1;

	(void)h;
	pthread_mutex_lock(&libjail_lock);
	if (fb_read_init(&r, "lastjid", err) == -1)
		goto done;
	for (;;) {
		snprintf(last, sizeof(last), "%d", lastjid);
		if (jailparam_import(&r.jp[0], last) == -1) {
			libjail_fail(err, errno);
			goto done;
		}
		jid = jailparam_get(r.jp, (unsigned)r.n,
		    include_dying ? JAIL_DYING : 0);
		if (jid == -1) {
			if (errno == ENOENT)
				break;		/* "no jail after N" */
			libjail_fail(err, errno);
			goto done;
		}
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = jd_realloc(out->v, cap * sizeof(*nv))) ==
			    NULL) {
				NOMEM(err);
				goto done;
			}
			out->v = nv;
		}
		if (fb_export(&r, jid, &out->v[out->n]) == -1) {
			NOMEM(err);
			goto done;
		}
		out->n++;
		lastjid = jid;
	}
	rc = 0;
done:
	fb_read_free(&r);
	pthread_mutex_unlock(&libjail_lock);
	if (rc == -1)
		host_prison_list_free(out);
	return rc;
}

static int
fb_prison_get(struct host *h, const char *key, int include_dying,
    struct host_prison *out, struct jd_error *err)
{
	struct fb_read r;
	int jid, rc = -1;

	(void)h;
	if (key == NULL || *key == '\0')
		return host_error(err, ENOENT, "no jail specified");
	pthread_mutex_lock(&libjail_lock);
	if (fb_read_init(&r, all_digits(key) ? "jid" : "name", err) == -1)
		goto done;
	if (jailparam_import(&r.jp[0], key) == -1) {
		libjail_fail(err, errno);
		goto done;
	}
	jid = jailparam_get(r.jp, (unsigned)r.n,
	    include_dying ? JAIL_DYING : 0);
	if (jid == -1) {
		libjail_fail(err, errno);
		goto done;
	}
	if (fb_export(&r, jid, out) == -1) {
		NOMEM(err);
		goto done;
	}
	rc = 0;
done:
	fb_read_free(&r);
	pthread_mutex_unlock(&libjail_lock);
	return rc;
}

/* Prisons: writing. */

/*
 * jail_set with flags: key/keyval first when given (the jail to update),
 * then params.  Unknown names are EINVAL "unknown parameter: X" (libjail
 * says ENOENT).  Call without libjail_lock; takes it.
 */
static int
fb_set(const char *key, const char *keyval, const struct host_params *in,
    int flags, int *jidp, struct jd_error *err)
{
	struct jailparam *jp;
	char msg[JD_ERR_MSG_MAX];
	size_t n = 0, i;
	int jid, rc = -1, e;

	if ((jp = calloc(in->n + 1, sizeof(*jp))) == NULL)
		return NOMEM(err);
	pthread_mutex_lock(&libjail_lock);
	if (key != NULL) {
		if (jailparam_init(&jp[n], key) == -1) {
			libjail_fail(err, errno);
			goto done;
		}
		n++;
		if (jailparam_import(&jp[0], keyval) == -1) {
			libjail_fail(err, errno);
			goto done;
		}
	}
	for (i = 0; i < in->n; i++) {
		if (jailparam_init(&jp[n], in->v[i].name) == -1) {
			e = errno;
			if (e == ENOENT) {
				snprintf(msg, sizeof(msg),
				    "unknown parameter: %s", in->v[i].name);
				host_error(err, EINVAL, msg);
			} else
				libjail_fail(err, e);
			goto done;
		}
		n++;
		if (jailparam_import(&jp[n - 1], in->v[i].value != NULL ?
		    in->v[i].value : "") == -1) {
			libjail_fail(err, errno);
			goto done;
		}
	}
	jid = jailparam_set(jp, (unsigned)n, flags);
	if (jid == -1) {
		libjail_fail(err, errno);
		goto done;
	}
	*jidp = jid;
	rc = 0;
done:
	jailparam_free(jp, (unsigned)n);
	pthread_mutex_unlock(&libjail_lock);
	free(jp);
	return rc;
}

static int
fb_prison_create(struct host *h, const struct host_params *in, int *jidp,
    struct jd_error *err)
{
	(void)h;
	return fb_set(NULL, NULL, in, JAIL_CREATE, jidp, err);
}

static int
fb_prison_update(struct host *h, const char *key,
    const struct host_params *in, int *jidp, struct jd_error *err)
{
	char jidtext[16];
	int jid;

	(void)h;
	if (key == NULL || *key == '\0')
		return host_error(err, ENOENT, "update specified no jail");
	if (all_digits(key))
		return fb_set("jid", key, in, JAIL_UPDATE, jidp, err);
	/*
	 * By name the kernel does the lookup itself, after its create-only
	 * check, so "X cannot be changed after creation" comes first as it
	 * should.  A rename needs the jid as the key instead.
	 */
	if (host_params_get(in, "name") == NULL)
		return fb_set("name", key, in, JAIL_UPDATE, jidp, err);
	pthread_mutex_lock(&libjail_lock);
	jid = jail_getid(key);
	if (jid == -1) {
		libjail_fail(err, errno);
		pthread_mutex_unlock(&libjail_lock);
		return -1;
	}
	pthread_mutex_unlock(&libjail_lock);
	snprintf(jidtext, sizeof(jidtext), "%d", jid);
	return fb_set("jid", jidtext, in, JAIL_UPDATE, jidp, err);
}

static int
fb_prison_remove(struct host *h, int jid, struct jd_error *err)
{
	(void)h;
	if (jail_remove(jid) == -1)
		return host_error(err, errno, NULL);
	return 0;
}

/* Commands. */

struct child_arg {
	int		 jid;	/* attach to it; 0: stay on the host */
	int		 clean;	/* exec.clean: the login class environment */
	struct passwd	 pw;	/* the user, for setusercontext */
};

/*
 * In the forked child, before the credentials change (host_run).
 * jail_attach and chdir are system calls.  With exec.clean,
 * setusercontext(3) reads the user's login class (inside the jail after
 * the attach, as jail(8) does) and sets its PATH and variables; that
 * allocates, which is safe here because FreeBSD's libthr runs the
 * allocator's fork handlers.
 */
static int
child_setup(void *arg)
{
	struct child_arg *a = arg;

	if (a->jid > 0 && (jail_attach(a->jid) == -1 || chdir("/") == -1))
		return errno;
	errno = 0;
	if (a->clean && setusercontext(NULL, &a->pw, a->pw.pw_uid,
	    LOGIN_SETENV | LOGIN_SETPATH) == -1)
		return errno != 0 ? errno : EPERM;
	return 0;
}

static int
fb_exec(struct host *h, int jid, const struct host_exec_req *req,
    struct host_exec_result *out, struct jd_error *err)
{
	struct host_cred cred, *credp = NULL;
	struct host_prison p;
	struct child_arg a;
	const char *user = req->user;
	char key[16], uidtext[16];
	int clean = (req->flags & HOST_EXEC_CLEAN) != 0, rc;
	int jailpw = jid > 0 && !(req->flags & HOST_EXEC_SYSTEM_JAIL_USER);

	memset(&a, 0, sizeof(a));
	a.jid = jid;
	a.clean = clean;
	/* exec.clean without a user: jaild's own uid, as jexec -l. */
	if (user == NULL && clean) {
		snprintf(uidtext, sizeof(uidtext), "%u", (unsigned)getuid());
		user = uidtext;
	}
	if (user != NULL) {
		if (jailpw) {
			/* As jexec -U: the jail's passwd. */
			snprintf(key, sizeof(key), "%d", jid);
			if (fb_prison_get(h, key, 0, &p, err) == -1)
				return -1;
			rc = host_cred_lookup_root(p.path, user, &cred, err);
			host_prison_free(&p);
			if (rc == -1)
				return -1;
		} else if (host_cred_lookup(user, &cred, err) == -1)
			return -1;	/* as jexec -u: the host's */
		/* Without a user named, jaild's own credentials stay. */
		if (req->user != NULL || jailpw)
			credp = &cred;
		a.pw.pw_name = cred.name;
		a.pw.pw_uid = cred.uid;
		a.pw.pw_gid = cred.gid;
		a.pw.pw_dir = cred.home;
		a.pw.pw_shell = cred.shell;
		a.pw.pw_class = cred.class;
	}
	return host_run(req, "/", jid > 0 || clean ? child_setup : NULL, &a,
	    credp, out, err);
}

static int
fb_exec_jail(struct host *h, int jid, const struct host_exec_req *req,
    struct host_exec_result *out, struct jd_error *err)
{
	if (jid <= 0)
		return host_error(err, EINVAL, NULL);
	return fb_exec(h, jid, req, out, err);
}

static int
fb_exec_host(struct host *h, const struct host_exec_req *req,
    struct host_exec_result *out, struct jd_error *err)
{
	return fb_exec(h, 0, req, out, err);
}

static int
fb_signal_jail(struct host *h, int jid, int sig, int *countp,
    struct jd_error *err)
{
	int mib[3] = { CTL_KERN, KERN_PROC, KERN_PROC_PROC };
	struct kinfo_proc *kp = NULL;
	size_t len = 0, i, n;
	int tries, count = 0;
	pid_t self = getpid();

	(void)h;
	for (tries = 0; tries < 5; tries++) {
		if (sysctl(mib, 3, NULL, &len, NULL, 0) == -1)
			return host_error(err, errno, NULL);
		len += len / 4 + 16 * sizeof(*kp);
		free(kp);
		if ((kp = malloc(len)) == NULL)
			return NOMEM(err);
		if (sysctl(mib, 3, kp, &len, NULL, 0) == 0)
			break;
		if (errno != ENOMEM) {
			free(kp);
			return host_error(err, errno, NULL);
		}
	}
	if (tries == 5) {
		free(kp);
		return host_error(err, EAGAIN, NULL);
	}
	n = len / sizeof(*kp);
	for (i = 0; i < n; i++) {
		if (kp[i].ki_jid != jid || kp[i].ki_pid == self)
			continue;
		count++;
		if (sig != 0)
			(void)kill(kp[i].ki_pid, sig);
	}
	free(kp);
	*countp = count;
	return 0;
}

/* Mounts. */

struct iovb {
	struct iovec	v[64];
	int		n;
};

static int
iov_add(struct iovb *b, const char *name, const char *val, size_t vlen)
{
	if (b->n + 2 > (int)(sizeof(b->v) / sizeof(b->v[0])))
		return -1;
	b->v[b->n].iov_base = (void *)(uintptr_t)name;
	b->v[b->n++].iov_len = strlen(name) + 1;
	b->v[b->n].iov_base = (void *)(uintptr_t)val;
	b->v[b->n++].iov_len = val == NULL ? 0 : vlen;
	return 0;
}

static int
fb_mount(struct host *h, const struct host_mount *m, struct jd_error *err)
{
	struct iovb b = { .n = 0 };
	char errmsg[256] = "", *opts = NULL, *tok, *save = NULL, *eq;
	const char *src = m->source != NULL && *m->source != '\0' ?
	    m->source : m->type;
	int rc = -1;

	(void)h;
	if (m->target == NULL || m->target[0] != '/')
		return host_error(err, EINVAL, NULL);
	if ((opts = jd_strdup(m->options != NULL ? m->options : "")) == NULL)
		return NOMEM(err);
	if (iov_add(&b, "fstype", m->type, strlen(m->type) + 1) == -1 ||
	    iov_add(&b, "fspath", m->target, strlen(m->target) + 1) == -1 ||
	    iov_add(&b, strcmp(m->type, "nullfs") == 0 ? "target" : "from",
	    src, strlen(src) + 1) == -1)
		goto toomany;
	/* "k=v" options carry a value, bare ones ("ro") are flags. */
	for (tok = strtok_r(opts, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if ((eq = strchr(tok, '=')) != NULL) {
			*eq++ = '\0';
			if (iov_add(&b, tok, eq, strlen(eq) + 1) == -1)
				goto toomany;
		} else if (iov_add(&b, tok, NULL, 0) == -1)
			goto toomany;
	}
	if (iov_add(&b, "errmsg", errmsg, sizeof(errmsg)) == -1)
		goto toomany;
	if (nmount(b.v, (unsigned)b.n, 0) == -1)
		host_error(err, errno, errmsg);
	else
		rc = 0;
	jd_free(opts);
	return rc;
toomany:
	jd_free(opts);
	return host_error(err, EINVAL, "too many mount options");
}

static int
fb_unmount(struct host *h, const char *target, struct jd_error *err)
{
	(void)h;
	if (unmount(target, 0) == -1)
		return host_error(err, errno, NULL);
	return 0;
}

static int
fb_mount_list(struct host *h, struct host_mount_list *out,
    struct jd_error *err)
{
	struct statfs *fs = NULL;
	struct host_mount *m;
	int n, i;

	(void)h;
	if ((n = getfsstat(NULL, 0, MNT_NOWAIT)) == -1)
		return host_error(err, errno, NULL);
	n += 16;
	if ((fs = calloc((size_t)n, sizeof(*fs))) == NULL)
		return NOMEM(err);
	if ((n = getfsstat(fs, (long)(n * sizeof(*fs)), MNT_NOWAIT)) == -1) {
		free(fs);
		return host_error(err, errno, NULL);
	}
	if ((out->v = jd_calloc((size_t)n + 1, sizeof(out->v[0]))) == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		m = &out->v[out->n++];
		m->type = jd_strdup(fs[i].f_fstypename);
		m->source = jd_strdup(fs[i].f_mntfromname);
		m->target = jd_strdup(fs[i].f_mntonname);
		m->options = jd_strdup((fs[i].f_flags & MNT_RDONLY) ?
		    "ro" : "");
		if (m->type == NULL || m->source == NULL ||
		    m->target == NULL || m->options == NULL)
			goto nomem;
	}
	free(fs);
	return 0;
nomem:
	free(fs);
	host_mount_list_free(out);
	return NOMEM(err);
}

/* Interface addresses. */

static int
prefix_len(const unsigned char *mask, size_t size)
{
	size_t i;
	int n = 0, bit;

	for (i = 0; i < size; i++) {
		for (bit = 7; bit >= 0; bit--) {
			if (!(mask[i] & (1 << bit)))
				return n;
			n++;
		}
	}
	return n;
}

static int
fb_addr_list(struct host *h, struct host_addr_list *out,
    struct jd_error *err)
{
	struct ifaddrs *ifap = NULL, *ifa;
	struct host_addr *a;
	struct sockaddr_in6 s6;
	char text[INET6_ADDRSTRLEN];
	size_t cap = 0;
	void *nv;

	(void)h;
	if (getifaddrs(&ifap) == -1)
		return host_error(err, errno, NULL);
	for (ifa = ifap; ifa != NULL; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL ||
		    (ifa->ifa_addr->sa_family != AF_INET &&
		    ifa->ifa_addr->sa_family != AF_INET6))
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = jd_realloc(out->v, cap * sizeof(out->v[0])))
			    == NULL)
				goto nomem;
			out->v = nv;
		}
		a = &out->v[out->n];
		memset(a, 0, sizeof(*a));
		if (ifa->ifa_addr->sa_family == AF_INET) {
			a->family = HOST_AF_INET;
			inet_ntop(AF_INET, &((struct sockaddr_in *)
			    (void *)ifa->ifa_addr)->sin_addr, text,
			    sizeof(text));
			a->prefixlen = ifa->ifa_netmask == NULL ? 32 :
			    prefix_len((const unsigned char *)
			    &((struct sockaddr_in *)(void *)
			    ifa->ifa_netmask)->sin_addr, 4);
		} else {
			a->family = HOST_AF_INET6;
			memcpy(&s6, ifa->ifa_addr, sizeof(s6));
			/* KAME embeds the scope in link-local addresses */
			if (IN6_IS_ADDR_LINKLOCAL(&s6.sin6_addr))
				s6.sin6_addr.s6_addr[2] =
				    s6.sin6_addr.s6_addr[3] = 0;
			inet_ntop(AF_INET6, &s6.sin6_addr, text, sizeof(text));
			a->prefixlen = ifa->ifa_netmask == NULL ? 128 :
			    prefix_len((const unsigned char *)
			    &((struct sockaddr_in6 *)(void *)
			    ifa->ifa_netmask)->sin6_addr, 16);
		}
		out->n++;
		a->ifname = jd_strdup(ifa->ifa_name);
		a->address = jd_strdup(text);
		if (a->ifname == NULL || a->address == NULL)
			goto nomem;
	}
	freeifaddrs(ifap);
	return 0;
nomem:
	freeifaddrs(ifap);
	host_addr_list_free(out);
	return NOMEM(err);
}

/*
 * Which interface holds a->address (on a->ifname only, unless that is
 * NULL)?  1 found (name in ifname), 0 not found, -1 error (err filled).
 */
static int
addr_where(const struct host_addr *a, const char *only, char *ifname,
    size_t sz, struct jd_error *err)
{
	struct host_addr_list l = { 0 };
	unsigned char want[16], have[16];
	int af = a->family == HOST_AF_INET6 ? AF_INET6 : AF_INET;
	size_t i, asz = af == AF_INET6 ? 16 : 4;
	int found = 0;

	if (a->address == NULL || inet_pton(af, a->address, want) != 1)
		return host_error(err, EINVAL, NULL);
	if (fb_addr_list(NULL, &l, err) == -1)
		return -1;
	for (i = 0; i < l.n && !found; i++) {
		if (l.v[i].family != a->family ||
		    inet_pton(af, l.v[i].address, have) != 1 ||
		    memcmp(want, have, asz) != 0)
			continue;
		if (only != NULL && strcmp(only, l.v[i].ifname) != 0)
			continue;
		snprintf(ifname, sz, "%s", l.v[i].ifname);
		found = 1;
	}
	host_addr_list_free(&l);
	return found;
}

static void
mask4(struct sockaddr_in *sin, int prefixlen)
{
	sin->sin_len = sizeof(*sin);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(prefixlen <= 0 ? 0 :
	    0xffffffffU << (32 - prefixlen));
}

static void
mask6(struct sockaddr_in6 *sin6, int prefixlen)
{
	int i;

	sin6->sin6_len = sizeof(*sin6);
	sin6->sin6_family = AF_INET6;
	memset(&sin6->sin6_addr, 0, sizeof(sin6->sin6_addr));
	for (i = 0; i < 16 && prefixlen > 0; i++, prefixlen -= 8)
		sin6->sin6_addr.s6_addr[i] = prefixlen >= 8 ? 0xff :
		    (unsigned char)(0xff << (8 - prefixlen));
}

static int
fb_addr_add(struct host *h, const struct host_addr *a, struct jd_error *err)
{
	struct in_aliasreq r4;
	struct in6_aliasreq r6;
	char where[IFNAMSIZ];
	int s, rc, maxp = a->family == HOST_AF_INET6 ? 128 : 32;

	(void)h;
	if (a->ifname == NULL || strlen(a->ifname) >= IFNAMSIZ)
		return host_error(err, ENXIO, NULL);
	if (a->prefixlen < 0 || a->prefixlen > maxp)
		return host_error(err, EINVAL, NULL);
	/* The contract: an address configured anywhere is EEXIST. */
	rc = addr_where(a, NULL, where, sizeof(where), err);
	if (rc == -1)
		return -1;
	if (rc == 1)
		return host_error(err, EEXIST, NULL);
	if (a->family == HOST_AF_INET6) {
		memset(&r6, 0, sizeof(r6));
		strlcpy(r6.ifra_name, a->ifname, sizeof(r6.ifra_name));
		r6.ifra_addr.sin6_len = sizeof(r6.ifra_addr);
		r6.ifra_addr.sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, a->address,
		    &r6.ifra_addr.sin6_addr) != 1)
			return host_error(err, EINVAL, NULL);
		mask6(&r6.ifra_prefixmask, a->prefixlen);
		r6.ifra_lifetime.ia6t_vltime = ND6_INFINITE_LIFETIME;
		r6.ifra_lifetime.ia6t_pltime = ND6_INFINITE_LIFETIME;
		if ((s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
			return host_error(err, errno, NULL);
		rc = ioctl(s, SIOCAIFADDR_IN6, &r6);
	} else {
		memset(&r4, 0, sizeof(r4));
		strlcpy(r4.ifra_name, a->ifname, sizeof(r4.ifra_name));
		r4.ifra_addr.sin_len = sizeof(r4.ifra_addr);
		r4.ifra_addr.sin_family = AF_INET;
		if (inet_pton(AF_INET, a->address,
		    &r4.ifra_addr.sin_addr) != 1)
			return host_error(err, EINVAL, NULL);
		mask4(&r4.ifra_mask, a->prefixlen);
		if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
			return host_error(err, errno, NULL);
		rc = ioctl(s, SIOCAIFADDR, &r4);
	}
	if (rc == -1) {
		rc = errno;
		close(s);
		return host_error(err, rc, NULL);
	}
	close(s);
	return 0;
}

static int
fb_addr_del(struct host *h, const struct host_addr *a, struct jd_error *err)
{
	struct ifreq r4;
	struct in6_ifreq r6;
	struct sockaddr_in *sin;
	char ifname[IFNAMSIZ];
	int s, rc;

	(void)h;
	rc = addr_where(a, a->ifname, ifname, sizeof(ifname), err);
	if (rc == -1)
		return -1;
	if (rc == 0)
		return host_error(err, EADDRNOTAVAIL, NULL);
	if (a->family == HOST_AF_INET6) {
		memset(&r6, 0, sizeof(r6));
		strlcpy(r6.ifr_name, ifname, sizeof(r6.ifr_name));
		r6.ifr_addr.sin6_len = sizeof(r6.ifr_addr);
		r6.ifr_addr.sin6_family = AF_INET6;
		(void)inet_pton(AF_INET6, a->address, &r6.ifr_addr.sin6_addr);
		if ((s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
			return host_error(err, errno, NULL);
		rc = ioctl(s, SIOCDIFADDR_IN6, &r6);
	} else {
		memset(&r4, 0, sizeof(r4));
		strlcpy(r4.ifr_name, ifname, sizeof(r4.ifr_name));
		sin = (struct sockaddr_in *)(void *)&r4.ifr_addr;
		sin->sin_len = sizeof(*sin);
		sin->sin_family = AF_INET;
		(void)inet_pton(AF_INET, a->address, &sin->sin_addr);
		if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
			return host_error(err, errno, NULL);
		rc = ioctl(s, SIOCDIFADDR, &r4);
	}
	if (rc == -1) {
		rc = errno;
		close(s);
		return host_error(err, rc, NULL);
	}
	close(s);
	return 0;
}

/*
 * rctl.  The kernel parses and checks the rules itself (EINVAL for a
 * malformed rule, EOPNOTSUPP for an action the resource does not take,
 * ESRCH from remove when no rule matched the filter; all passed on).
 * ENOSYS means RACCT is compiled in but kern.racct.enable is 0, a boot-time
 * tunable (freebsd-jail-facts.md section 8).
 */

static int
rctl_fail(struct jd_error *err, int e)
{
	if (e == ENOSYS)
		return host_error(err, e, RCTL_DISABLED_MSG);
	return host_error(err, e, NULL);
}

static int
fb_rctl_add(struct host *h, const char *rule, struct jd_error *err)
{
	(void)h;
	if (rctl_add_rule(rule, strlen(rule) + 1, NULL, 0) == -1)
		return rctl_fail(err, errno);
	return 0;
}

static int
fb_rctl_remove(struct host *h, const char *filter, struct jd_error *err)
{
	(void)h;
	if (rctl_remove_rule(filter, strlen(filter) + 1, NULL, 0) == -1)
		return rctl_fail(err, errno);
	return 0;
}

static int
fb_rctl_list(struct host *h, const char *filter, struct host_strings *out,
    struct jd_error *err)
{
	size_t len = 4096, n = 0, i;
	char *buf = NULL, *tok, *save = NULL;
	void *nv;

	(void)h;
	memset(out, 0, sizeof(*out));
	if (filter == NULL || *filter == '\0')
		filter = ":";	/* every rule */
	/* The rules come back as one string, "rule,rule,...", NUL-ended;
	   ERANGE when it does not fit. */
	for (;;) {
		if ((nv = realloc(buf, len)) == NULL) {
			free(buf);
			return NOMEM(err);
		}
		buf = nv;
		if (rctl_get_rules(filter, strlen(filter) + 1, buf, len) == 0)
			break;
		if (errno != ERANGE || len > 16 * 1024 * 1024) {
			i = (size_t)errno;
			free(buf);
			return rctl_fail(err, (int)i);
		}
		len *= 4;
	}
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] == ',')
			n++;
	if ((out->v = jd_calloc(n + 2, sizeof(out->v[0]))) == NULL) {
		free(buf);
		return NOMEM(err);
	}
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (*tok == '\0')
			continue;
		if ((out->v[out->n++] = jd_strdup(tok)) == NULL) {
			free(buf);
			host_strings_free(out);
			return NOMEM(err);
		}
	}
	free(buf);
	return 0;
}

/* The rest. */

static int
fb_info(struct host *h, struct host_info *out, struct jd_error *err)
{
	struct utsname u;

	(void)h;
	if (uname(&u) == -1)
		return host_error(err, errno, NULL);
	snprintf(out->backend, sizeof(out->backend), "freebsd");
	snprintf(out->os_release, sizeof(out->os_release), "%s", u.release);
	if (gethostname(out->hostname, sizeof(out->hostname) - 1) == -1)
		snprintf(out->hostname, sizeof(out->hostname), "%s",
		    u.nodename);
	return 0;
}

static void
fb_close(struct host *h)
{
	struct fbsd *f = (struct fbsd *)h;

	jd_free(f->datadir);
	jd_free(f);
}

extern const struct host_ops host_freebsd_ops;

static int
fb_open(const char *datadir, unsigned flags, struct host **out,
    struct jd_error *err)
{
	struct fbsd *f;

	(void)flags;
	if ((f = jd_calloc(1, sizeof(*f))) == NULL)
		return NOMEM(err);
	f->base.ops = &host_freebsd_ops;
	if (datadir != NULL && (f->datadir = jd_strdup(datadir)) == NULL) {
		jd_free(f);
		return NOMEM(err);
	}
	*out = &f->base;
	return 0;
}

const struct host_ops host_freebsd_ops = {
	.name = "freebsd",
	.open = fb_open,
	.close = fb_close,
	.info = fb_info,
	.prison_list = fb_prison_list,
	.prison_get = fb_prison_get,
	.prison_create = fb_prison_create,
	.prison_update = fb_prison_update,
	.prison_remove = fb_prison_remove,
	.exec_jail = fb_exec_jail,
	.exec_host = fb_exec_host,
	.signal_jail = fb_signal_jail,
	.mount = fb_mount,
	.unmount = fb_unmount,
	.mount_list = fb_mount_list,
	.addr_add = fb_addr_add,
	.addr_del = fb_addr_del,
	.addr_list = fb_addr_list,
	.rctl_add = fb_rctl_add,
	.rctl_remove = fb_rctl_remove,
	.rctl_list = fb_rctl_list,
};
