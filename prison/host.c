/*
 * host.c - the host backend registry, the wrappers that dispatch through
 * struct host_ops, and the small owned-struct helpers every backend and
 * caller shares (parameter lists, _free functions, errno names).
 */
#ifdef __FreeBSD__
#undef _POSIX_C_SOURCE	/* the build defines it; it hides getgrouplist */
#endif

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "prison/host.h"

extern char **environ;

extern const struct host_ops host_sim_ops;
#ifdef JD_HAVE_FREEBSD_HOST
extern const struct host_ops host_freebsd_ops;
#endif

static const struct host_ops *const backends[] = {
	&host_sim_ops,
#ifdef JD_HAVE_FREEBSD_HOST
	&host_freebsd_ops,
#endif
};

static const char *const backend_names[] = {
	"sim",
#ifdef JD_HAVE_FREEBSD_HOST
	"freebsd",
#endif
	NULL
};

const char *
host_default_backend(void)
{
#ifdef JD_HAVE_FREEBSD_HOST
	return "freebsd";
#else
	return "sim";
#endif
}

const char *const *
host_backend_names(void)
{
	return backend_names;
}

int
host_open_flags(const char *backend_name, const char *datadir,
    unsigned flags, struct host **out, struct jd_error *err)
{
	size_t i;

	*out = NULL;
	if (backend_name == NULL)
		backend_name = host_default_backend();
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (strcmp(backends[i]->name, backend_name) == 0)
			return backends[i]->open(datadir, flags, out, err);
	}
	return jd_error_set(err, JD_E_INVALID, NULL,
	    "unknown host backend \"%s\" (built: %s)", backend_name,
#ifdef JD_HAVE_FREEBSD_HOST
	    "sim, freebsd"
#else
	    "sim"
#endif
	    );
}

int
host_open(const char *backend_name, const char *datadir, struct host **out,
    struct jd_error *err)
{
	return host_open_flags(backend_name, datadir, 0, out, err);
}

void
host_close(struct host *h)
{
	if (h != NULL)
		h->ops->close(h);
}

const char *
host_backend(const struct host *h)
{
	return h->ops->name;
}

int
host_info(struct host *h, struct host_info *out, struct jd_error *err)
{
	memset(out, 0, sizeof(*out));
	return h->ops->info(h, out, err);
}

int
host_prison_list(struct host *h, int include_dying,
    struct host_prison_list *out, struct jd_error *err)
{
	memset(out, 0, sizeof(*out));
	return h->ops->prison_list(h, include_dying, out, err);
}

int
host_prison_get(struct host *h, const char *key, int include_dying,
    struct host_prison *out, struct jd_error *err)
{
	memset(out, 0, sizeof(*out));
	return h->ops->prison_get(h, key, include_dying, out, err);
}

int
host_prison_create(struct host *h, const struct host_params *params,
    int *jidp, struct jd_error *err)
{
	int jid = 0;

	if (h->ops->prison_create(h, params, &jid, err) == -1)
		return -1;
	if (jidp != NULL)
		*jidp = jid;
	return 0;
}

int
host_prison_update(struct host *h, const char *key,
    const struct host_params *params, int *jidp, struct jd_error *err)
{
	int jid = 0;

	if (h->ops->prison_update(h, key, params, &jid, err) == -1)
		return -1;
	if (jidp != NULL)
		*jidp = jid;
	return 0;
}

int
host_prison_remove(struct host *h, int jid, struct jd_error *err)
{
	return h->ops->prison_remove(h, jid, err);
}

int
host_exec_jail(struct host *h, int jid, const struct host_exec_req *req,
    struct host_exec_result *out, struct jd_error *err)
{
	memset(out, 0, sizeof(*out));
	return h->ops->exec_jail(h, jid, req, out, err);
}

int
host_exec_host(struct host *h, const struct host_exec_req *req,
    struct host_exec_result *out, struct jd_error *err)
{
	memset(out, 0, sizeof(*out));
	return h->ops->exec_host(h, req, out, err);
}

int
host_signal_jail(struct host *h, int jid, int sig, int *countp,
    struct jd_error *err)
{
	int n = 0;

	if (h->ops->signal_jail(h, jid, sig, &n, err) == -1)
		return -1;
	if (countp != NULL)
		*countp = n;
	return 0;
}

int
host_mount(struct host *h, const struct host_mount *m, struct jd_error *err)
{
	return h->ops->mount(h, m, err);
}

int
host_unmount(struct host *h, const char *target, struct jd_error *err)
{
	return h->ops->unmount(h, target, err);
}

int
host_mount_list(struct host *h, struct host_mount_list *out,
    struct jd_error *err)
{
	memset(out, 0, sizeof(*out));
	return h->ops->mount_list(h, out, err);
}

int
host_addr_add(struct host *h, const struct host_addr *a, struct jd_error *err)
{
	return h->ops->addr_add(h, a, err);
}

int
host_addr_del(struct host *h, const struct host_addr *a, struct jd_error *err)
{
	return h->ops->addr_del(h, a, err);
}

int
host_addr_list(struct host *h, struct host_addr_list *out,
    struct jd_error *err)
{
	memset(out, 0, sizeof(*out));
	return h->ops->addr_list(h, out, err);
}

int
host_rctl_add(struct host *h, const char *rule, struct jd_error *err)
{
	return h->ops->rctl_add(h, rule, err);
}

int
host_rctl_remove(struct host *h, const char *filter, struct jd_error *err)
{
	return h->ops->rctl_remove(h, filter, err);
}

int
host_rctl_list(struct host *h, const char *filter, struct host_strings *out,
    struct jd_error *err)
{
	memset(out, 0, sizeof(*out));
	return h->ops->rctl_list(h, filter, out, err);
}

/* Parameter lists. */

int
host_params_set(struct host_params *l, const char *name, const char *value)
{
	struct host_param *nv;
	char *n = NULL, *v = NULL;
	size_t i, cap;

	if ((v = jd_strdup(value != NULL ? value : "")) == NULL)
		return -1;
	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].name, name) == 0) {
			jd_free(l->v[i].value);
			l->v[i].value = v;
			return 0;
		}
	}
	if ((n = jd_strdup(name)) == NULL)
		goto fail;
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		nv = jd_realloc(l->v, cap * sizeof(*nv));
		if (nv == NULL)
			goto fail;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n].name = n;
	l->v[l->n].value = v;
	l->n++;
	return 0;
fail:
	jd_free(n);
	jd_free(v);
	return -1;
}

const char *
host_params_get(const struct host_params *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].name, name) == 0)
			return l->v[i].value;
	return NULL;
}

void
host_params_del(struct host_params *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].name, name) == 0) {
			jd_free(l->v[i].name);
			jd_free(l->v[i].value);
			memmove(&l->v[i], &l->v[i + 1],
			    (l->n - i - 1) * sizeof(l->v[0]));
			l->n--;
			return;
		}
	}
}

void
host_params_free(struct host_params *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		jd_free(l->v[i].name);
		jd_free(l->v[i].value);
	}
	jd_free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Owned results. */

void
host_prison_free(struct host_prison *p)
{
	if (p == NULL)
		return;
	jd_free(p->name);
	jd_free(p->path);
	jd_free(p->hostname);
	host_params_free(&p->params);
	memset(p, 0, sizeof(*p));
}

void
host_prison_list_free(struct host_prison_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		host_prison_free(&l->v[i]);
	jd_free(l->v);
	memset(l, 0, sizeof(*l));
}

void
host_mount_free(struct host_mount *m)
{
	if (m == NULL)
		return;
	jd_free(m->type);
	jd_free(m->source);
	jd_free(m->target);
	jd_free(m->options);
	memset(m, 0, sizeof(*m));
}

void
host_mount_list_free(struct host_mount_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		host_mount_free(&l->v[i]);
	jd_free(l->v);
	memset(l, 0, sizeof(*l));
}

void
host_addr_free(struct host_addr *a)
{
	if (a == NULL)
		return;
	jd_free(a->ifname);
	jd_free(a->address);
	memset(a, 0, sizeof(*a));
}

void
host_addr_list_free(struct host_addr_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		host_addr_free(&l->v[i]);
	jd_free(l->v);
	memset(l, 0, sizeof(*l));
}

void
host_strings_free(struct host_strings *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		jd_free(l->v[i]);
	jd_free(l->v);
	memset(l, 0, sizeof(*l));
}

void
host_exec_result_free(struct host_exec_result *r)
{
	if (r == NULL)
		return;
	jd_free(r->out);
	jd_free(r->err);
	memset(r, 0, sizeof(*r));
}

/* Errors. */

int
host_error(struct jd_error *err, int errnum, const char *msg)
{
	if (msg == NULL || *msg == '\0')
		msg = strerror(errnum);
	return jd_error_sys(err, JD_E_HOST, errnum, "%s", msg);
}

static const struct {
	const char	*name;
	int		 num;
} errno_names[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "ESRCH", ESRCH },
	{ "EINTR", EINTR }, { "EIO", EIO }, { "ENXIO", ENXIO },
	{ "E2BIG", E2BIG }, { "EBADF", EBADF }, { "EAGAIN", EAGAIN },
	{ "ENOMEM", ENOMEM }, { "EACCES", EACCES }, { "EFAULT", EFAULT },
	{ "EBUSY", EBUSY }, { "EEXIST", EEXIST }, { "ENODEV", ENODEV },
	{ "ENOTDIR", ENOTDIR }, { "EISDIR", EISDIR }, { "EINVAL", EINVAL },
	{ "ENFILE", ENFILE }, { "EMFILE", EMFILE }, { "EFBIG", EFBIG },
	{ "ENOSPC", ENOSPC }, { "EROFS", EROFS }, { "ERANGE", ERANGE },
	{ "ENAMETOOLONG", ENAMETOOLONG }, { "ENOSYS", ENOSYS },
	{ "ENOTEMPTY", ENOTEMPTY }, { "EADDRINUSE", EADDRINUSE },
	{ "EADDRNOTAVAIL", EADDRNOTAVAIL }, { "ETIMEDOUT", ETIMEDOUT },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "ENOTSUP", ENOTSUP },
	{ "ECANCELED", ECANCELED }, { "ELOOP", ELOOP }, { "EMLINK", EMLINK },
};

const char *
host_errno_name(int errnum)
{
	size_t i;

	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i].num == errnum)
			return errno_names[i].name;
	return NULL;
}

int
host_errno_parse(const char *s)
{
	char *end;
	long v;
	size_t i;

	if (s == NULL || *s == '\0')
		return -1;
	for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (strcasecmp(errno_names[i].name, s) == 0)
			return errno_names[i].num;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v <= 0 || v > 4095)
		return -1;
	return (int)v;
}

/* Credentials and the command runner. */

int
host_cred_lookup(const char *user, struct host_cred *out,
    struct jd_error *err)
{
	struct passwd pw, *pwp = NULL;
	gid_t groups[64];
	char buf[4096], msg[JD_ERR_MSG_MAX], *end;
	int n = 64, i;
	long uid;

	memset(out, 0, sizeof(*out));
	errno = 0;
	uid = strtol(user, &end, 10);
	if (*user != '\0' && *end == '\0')
		(void)getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &pwp);
	else
		(void)getpwnam_r(user, &pw, buf, sizeof(buf), &pwp);
	if (pwp == NULL) {
		snprintf(msg, sizeof(msg), "unknown user %s", user);
		return host_error(err, ENOENT, msg);
	}
	out->uid = pw.pw_uid;
	out->gid = pw.pw_gid;
	snprintf(out->name, sizeof(out->name), "%s", pw.pw_name);
	snprintf(out->home, sizeof(out->home), "%s", pw.pw_dir);
	snprintf(out->shell, sizeof(out->shell), "%s", pw.pw_shell);
#ifdef __FreeBSD__
	snprintf(out->class, sizeof(out->class), "%s",
	    pw.pw_class != NULL ? pw.pw_class : "");
#endif
	if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &n) == -1)
		n = 64;		/* more than we keep: the first 64 */
	for (i = 0; i < n && i < 64; i++)
		out->groups[i] = groups[i];
	out->ngroups = i;
	return 0;
}

/*
 * openat(dirfd, name) without following a symbolic link; a link is ELOOP
 * whatever the system says (FreeBSD has used EMLINK for O_NOFOLLOW).
 */
static int
open_nofollow_at(int dirfd, const char *name, int flags)
{
	struct stat sb;
	int fd, e;

	fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1) {
		e = errno;
		if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(sb.st_mode))
			e = ELOOP;
		errno = e;
	}
	return fd;
}

/* Split line in place on ':' into at most max fields; returns the count. */
static int
split_fields(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		if ((line = strchr(line, ':')) == NULL)
			break;
		*line++ = '\0';
	}
	return line == NULL ? n : max + 1;
}

static int
parse_id(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT_MAX)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* Find user in an open passwd (7 fields) or master.passwd (10) stream. */
static int
pw_scan(FILE *fp, int master, const char *user, struct host_cred *out)
{
	char *line = NULL, *f[10];
	size_t cap = 0;
	unsigned uid, want_uid = 0;
	int byuid = parse_id(user, &want_uid) == 0, found = 0;
	int nf = master ? 10 : 7;

	while (!found && getline(&line, &cap, fp) != -1) {
		if (line[0] == '#' || line[0] == '+' || line[0] == '-' ||
		    split_fields(line, f, nf) != nf ||
		    parse_id(f[2], &uid) == -1 || parse_id(f[3], &out->gid) ==
		    -1)
			continue;
		if (byuid ? uid != want_uid : strcmp(f[0], user) != 0)
			continue;
		out->uid = uid;
		snprintf(out->name, sizeof(out->name), "%s", f[0]);
		snprintf(out->home, sizeof(out->home), "%s", f[nf - 2]);
		snprintf(out->shell, sizeof(out->shell), "%s", f[nf - 1]);
		snprintf(out->class, sizeof(out->class), "%s",
		    master ? f[4] : "");
		found = 1;
	}
	free(line);	/* getline's, not ours */
	return found;
}

/* The primary group, then every group of root/etc/group naming the user. */
static void
gr_scan(FILE *fp, struct host_cred *out)
{
	char *line = NULL, *f[4], *m, *save = NULL;
	size_t cap = 0;
	unsigned gid;

	out->groups[0] = out->gid;
	out->ngroups = 1;
	while (fp != NULL && getline(&line, &cap, fp) != -1 &&
	    out->ngroups < 64) {
		if (line[0] == '#' || split_fields(line, f, 4) != 4 ||
		    parse_id(f[2], &gid) == -1 || gid == out->gid)
			continue;
		for (m = strtok_r(f[3], ",", &save); m != NULL;
		    m = strtok_r(NULL, ",", &save)) {
			if (strcmp(m, out->name) == 0) {
				out->groups[out->ngroups++] = gid;
				break;
			}
		}
	}
	free(line);
}

int
host_cred_lookup_root(const char *root, const char *user,
    struct host_cred *out, struct jd_error *err)
{
	char msg[JD_ERR_MSG_MAX];
	FILE *pw = NULL, *gr = NULL;
	int rootfd = -1, etcfd = -1, fd, master = 1, rc = -1, e;

	memset(out, 0, sizeof(*out));
	if ((rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		e = errno;
		snprintf(msg, sizeof(msg), "%s: %s", root, strerror(e));
		return host_error(err, e, msg);
	}
	if ((etcfd = open_nofollow_at(rootfd, "etc", O_RDONLY |
	    O_DIRECTORY)) == -1) {
		e = errno;
		snprintf(msg, sizeof(msg), "%s/etc: %s", root,
		    e == ELOOP ? "is a symbolic link" : strerror(e));
		host_error(err, e, msg);
		goto done;
	}
	if ((fd = open_nofollow_at(etcfd, "master.passwd", O_RDONLY)) == -1 &&
	    errno != ELOOP) {
		master = 0;
		fd = open_nofollow_at(etcfd, "passwd", O_RDONLY);
	}
	if (fd == -1 || (pw = fdopen(fd, "r")) == NULL) {
		e = errno;
		if (fd != -1)
			close(fd);
		snprintf(msg, sizeof(msg), "%s/etc/%s: %s", root,
		    master ? "master.passwd" : "passwd",
		    e == ELOOP ? "is a symbolic link" : strerror(e));
		host_error(err, e, msg);
		goto done;
	}
	if (!pw_scan(pw, master, user, out)) {
		memset(out, 0, sizeof(*out));
		snprintf(msg, sizeof(msg), "unknown user %s", user);
		host_error(err, ENOENT, msg);
		goto done;
	}
	/* A missing group file leaves the primary group only. */
	if ((fd = open_nofollow_at(etcfd, "group", O_RDONLY)) != -1 &&
	    (gr = fdopen(fd, "r")) == NULL)
		close(fd);
	gr_scan(gr, out);
	rc = 0;
done:
	if (pw != NULL)
		fclose(pw);
	if (gr != NULL)
		fclose(gr);
	if (etcfd != -1)
		close(etcfd);
	close(rootfd);
	return rc;
}

int
host_consolelog_open(const char *path, struct jd_error *err)
{
	char msg[JD_ERR_MSG_MAX], *p = NULL, *slash;
	struct stat sb;
	int fd = -1, e, fl;

	if (path == NULL || path[0] != '/' || path[1] == '\0') {
		snprintf(msg, sizeof(msg), "consolelog %s: not an absolute "
		    "path to a file", path != NULL ? path : "(null)");
		return host_error(err, EINVAL, msg);
	}
	if ((p = jd_strdup(path)) == NULL)
		return host_error(err, ENOMEM, NULL);
	/* Every directory on the way, then the file itself. */
	for (slash = strchr(p + 1, '/'); ; slash = strchr(slash + 1, '/')) {
		if (slash != NULL)
			*slash = '\0';
		if (lstat(p, &sb) == 0 && S_ISLNK(sb.st_mode)) {
			snprintf(msg, sizeof(msg), "consolelog %s: %s is a "
			    "symbolic link", path, p);
			host_error(err, ELOOP, msg);
			goto done;
		}
		if (slash == NULL)
			break;
		*slash = '/';
	}
	/* A FIFO or device is refused before an open could act on it. */
	if (lstat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		snprintf(msg, sizeof(msg), "consolelog %s: not a regular file",
		    path);
		host_error(err, EINVAL, msg);
		goto done;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd == -1) {
		e = errno;
		if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode))
			e = ELOOP;
		snprintf(msg, sizeof(msg), "consolelog %s: %s", path,
		    e == ELOOP ? "is a symbolic link" : strerror(e));
		host_error(err, e, msg);
		goto done;
	}
	/* O_NONBLOCK kept a FIFO from blocking the open; files only. */
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		snprintf(msg, sizeof(msg), "consolelog %s: not a regular file",
		    path);
		host_error(err, EINVAL, msg);
		close(fd);
		fd = -1;
		goto done;
	}
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
done:
	jd_free(p);
	return fd;
}

int
host_consolelog_touch(const struct host_exec_req *req, struct jd_error *err)
{
	struct stat sb;
	char *dir;
	size_t n;
	int fd, exists;

	if (req->consolelog == NULL)
		return 0;
	if (req->consolelog[0] != '/')
		return host_consolelog_open(req->consolelog, err);
	n = (size_t)(strrchr(req->consolelog, '/') - req->consolelog);
	if ((dir = jd_strndup(req->consolelog, n ? n : 1)) == NULL)
		return host_error(err, ENOMEM, NULL);
	exists = stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode);
	jd_free(dir);
	if (!exists)
		return 0;
	if ((fd = host_consolelog_open(req->consolelog, err)) == -1)
		return -1;
	close(fd);
	return 0;
}

int
host_exec_req_describe(const struct host_exec_req *req, struct buf *b)
{
	size_t i;
	int rc = 0;

	if (req->env != NULL && req->env[0] != NULL) {
		rc |= buf_puts(b, " [env");
		for (i = 0; req->env[i] != NULL; i++)
			rc |= buf_printf(b, " %s", req->env[i]);
		rc |= buf_puts(b, "]");
	}
	if (req->flags & HOST_EXEC_CLEAN)
		rc |= buf_puts(b, " [clean]");
	if (req->flags & HOST_EXEC_SYSTEM_JAIL_USER)
		rc |= buf_puts(b, " [system_jail_user]");
	if (req->consolelog != NULL)
		rc |= buf_printf(b, " [consolelog %s]", req->consolelog);
	return rc != 0 ? -1 : 0;
}

/* The environment a command gets, built before the fork. */
struct envv {
	char	**v;	/* NULL-terminated */
	size_t	  n;
	size_t	  cap;
};

static void
envv_free(struct envv *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		jd_free(e->v[i]);
	jd_free(e->v);
	memset(e, 0, sizeof(*e));
}

/* Add "NAME=value" kv, replacing an entry of the same name. */
static int
envv_put(struct envv *e, const char *kv)
{
	size_t i, nl = strcspn(kv, "=");
	char *c, **nv;

	if (kv[nl] != '=' || nl == 0)
		return 0;	/* not a variable: dropped */
	if ((c = jd_strdup(kv)) == NULL)
		return -1;
	for (i = 0; i < e->n; i++) {
		if (strncmp(e->v[i], kv, nl + 1) == 0) {
			jd_free(e->v[i]);
			e->v[i] = c;
			return 0;
		}
	}
	if (e->n + 1 >= e->cap) {
		e->cap = e->cap ? e->cap * 2 : 32;
		if ((nv = jd_realloc(e->v, e->cap * sizeof(*nv))) == NULL) {
			jd_free(c);
			return -1;
		}
		e->v = nv;
	}
	e->v[e->n++] = c;
	e->v[e->n] = NULL;
	return 0;
}

static int
envv_set(struct envv *e, const char *name, const char *value)
{
	struct buf b = { 0 };
	int rc;

	if (buf_printf(&b, "%s=%s", name, value) == -1) {
		buf_free(&b);
		return -1;
	}
	rc = envv_put(e, b.data);
	buf_free(&b);
	return rc;
}

/*
 * req's environment (see struct host_exec_req) for a command running as
 * id (NULL: jaild's user, not clean).
 */
static int
env_build(const struct host_exec_req *req, const struct host_cred *id,
    struct envv *e)
{
	const char *term;
	size_t i;

	memset(e, 0, sizeof(*e));
	if (req->flags & HOST_EXEC_CLEAN) {
		if (envv_put(e, "PATH=/bin:/usr/bin") == -1 ||
		    ((term = getenv("TERM")) != NULL &&
		    envv_set(e, "TERM", term) == -1))
			goto fail;
	} else {
		for (i = 0; environ != NULL && environ[i] != NULL; i++) {
			if (strncmp(environ[i], "JAILD_", 6) == 0)
				continue;	/* tokens and other secrets */
			if (envv_put(e, environ[i]) == -1)
				goto fail;
		}
	}
	if (id != NULL && (envv_set(e, "USER", id->name) == -1 ||
	    envv_set(e, "HOME", id->home) == -1 || envv_set(e, "SHELL",
	    id->shell[0] != '\0' ? id->shell : "/bin/sh") == -1))
		goto fail;
	for (i = 0; req->env != NULL && req->env[i] != NULL; i++)
		if (envv_put(e, req->env[i]) == -1)
			goto fail;
	if (e->v == NULL && (e->v = jd_calloc(1, sizeof(e->v[0]))) == NULL)
		goto fail;	/* an empty environment, not a NULL one */
	return 0;
fail:
	envv_free(e);
	return -1;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Write all of p to the console log; a failing log stops logging. */
static void
log_write(int *logfd, const char *p, size_t n)
{
	ssize_t w;

	while (*logfd != -1 && n > 0) {
		w = write(*logfd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(*logfd);
			*logfd = -1;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/*
 * Append what fd has to b, keeping at most max bytes; everything read
 * also goes to *logfd (when not -1).
 */
static int
drain(int fd, struct buf *b, size_t max, int *truncated, int *logfd)
{
	char chunk[4096];
	ssize_t n;
	size_t keep;

	n = read(fd, chunk, sizeof(chunk));
	if (n == -1)
		return errno == EINTR || errno == EAGAIN ? 1 : 0;
	if (n == 0)
		return 0;
	log_write(logfd, chunk, (size_t)n);
	keep = b->len < max ? max - b->len : 0;
	if ((size_t)n > keep)
		*truncated = 1;
	if (keep > 0 && buf_append(b, chunk, (size_t)n < keep ? (size_t)n :
	    keep) == -1)
		*truncated = 1;
	return 1;
}

static void
child_fail(int fd, int e)
{
	ssize_t w;

	w = write(fd, &e, sizeof(e));
	(void)w;
	_exit(127);
}

int
host_run(const struct host_exec_req *req, const char *cwd,
    int (*child_fn)(void *), void *arg, const struct host_cred *cred,
    struct host_exec_result *out, struct jd_error *err)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, px[2] = { -1, -1 };
	struct buf bo = { 0 }, be = { 0 };
	struct pollfd pfd[2];
	struct envv env = { 0 };
	struct host_cred self;
	const struct host_cred *id = cred;
	size_t max = req->output_max ? req->output_max : 65536;
	int64_t deadline = 0, exited_at = 0;
	int status = 0, e, open_fds, rc = -1, nfd, i, reaped = 0, killed = 0;
	int clean = (req->flags & HOST_EXEC_CLEAN) != 0, logfd = -1;
	char uidtext[32];
	gid_t groups[64];
	pid_t pid;
	ssize_t r;

	memset(out, 0, sizeof(*out));
	if (req->argv == NULL || req->argv[0] == NULL)
		return host_error(err, EINVAL, "empty command");
	if (cred != NULL)
		for (i = 0; i < cred->ngroups; i++)
			groups[i] = cred->groups[i];
	/* exec.clean without a user: jaild's own, as jexec -l does. */
	if (id == NULL && clean) {
		snprintf(uidtext, sizeof(uidtext), "%u", (unsigned)getuid());
		if (host_cred_lookup(uidtext, &self, err) == -1)
			return -1;
		id = &self;
	}
	/* Everything that allocates happens here, before the fork. */
	if (env_build(req, id, &env) == -1)
		return host_error(err, ENOMEM, NULL);
	if (req->consolelog != NULL &&
	    (logfd = host_consolelog_open(req->consolelog, err)) == -1)
		goto done;
	if (pipe(po) == -1 || pipe(pe) == -1 || pipe(px) == -1) {
		e = errno;
		goto fail_errno;
	}
	for (i = 0; i < 2; i++) {
		(void)fcntl(po[i], F_SETFD, FD_CLOEXEC);
		(void)fcntl(pe[i], F_SETFD, FD_CLOEXEC);
		(void)fcntl(px[i], F_SETFD, FD_CLOEXEC);
	}
	if ((pid = fork()) == -1) {
		e = errno;
		goto fail_errno;
	}
	if (pid == 0) {
		int devnull;

		(void)setpgid(0, 0);
		if ((devnull = open("/dev/null", O_RDONLY)) == -1 ||
		    dup2(devnull, 0) == -1 || dup2(po[1], 1) == -1 ||
		    dup2(pe[1], 2) == -1)
			child_fail(px[1], errno);
		/* Only 0-2 and the exec-status pipe (as 3) reach the exec. */
		if (px[1] != 3) {
			if (dup2(px[1], 3) == -1)
				child_fail(px[1], errno);
			px[1] = 3;
		}
		(void)fcntl(3, F_SETFD, FD_CLOEXEC);
		closefrom(4);
		environ = env.v;
		if (cwd != NULL && chdir(cwd) == -1)
			child_fail(px[1], errno);
		if (child_fn != NULL && (e = child_fn(arg)) != 0)
			child_fail(px[1], e);
		if (cred != NULL && (setgroups((size_t)cred->ngroups,
		    groups) == -1 || setgid(cred->gid) == -1 ||
		    setuid(cred->uid) == -1))
			child_fail(px[1], errno);
		if (clean && id->home[0] != '\0' && chdir(id->home) == -1)
			child_fail(px[1], errno);
		execvp(req->argv[0], (char *const *)req->argv);
		child_fail(px[1], errno);
	}
	(void)setpgid(pid, pid);	/* either side may win the race */
	close(po[1]);
	close(pe[1]);
	close(px[1]);
	po[1] = pe[1] = px[1] = -1;
	/* The exec-status pipe closes on exec, or carries the errno. */
	do {
		r = read(px[0], &e, sizeof(e));
	} while (r == -1 && errno == EINTR);
	if (r == (ssize_t)sizeof(e)) {
		(void)waitpid(pid, &status, 0);
		goto fail_errno;
	}
	if (req->timeout_s > 0)
		deadline = mono_ms() + (int64_t)req->timeout_s * 1000;
	open_fds = 2;
	while (open_fds > 0) {
		int64_t now = mono_ms(), wait_ms = 200;

		nfd = 0;
		if (po[0] != -1) {
			pfd[nfd].fd = po[0];
			pfd[nfd++].events = POLLIN;
		}
		if (pe[0] != -1) {
			pfd[nfd].fd = pe[0];
			pfd[nfd++].events = POLLIN;
		}
		if (deadline != 0 && !killed && now >= deadline) {
			(void)kill(-pid, SIGKILL);
			(void)kill(pid, SIGKILL);
			killed = 1;
			out->timed_out = 1;
			exited_at = now;
		}
		/* A daemon left holding our pipes must not hold us. */
		if (!reaped && waitpid(pid, &status, WNOHANG) == pid) {
			reaped = 1;
			if (exited_at == 0)
				exited_at = now;
		}
		if (exited_at != 0 && now - exited_at > 500)
			break;
		if (deadline != 0 && !killed && deadline - now < wait_ms)
			wait_ms = deadline - now;
		if (poll(pfd, (nfds_t)nfd, (int)wait_ms) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < nfd; i++) {
			if (pfd[i].revents == 0)
				continue;
			if (pfd[i].fd == po[0] && !drain(po[0], &bo, max,
			    &out->truncated, &logfd)) {
				close(po[0]);
				po[0] = -1;
				open_fds--;
			} else if (pfd[i].fd == pe[0] && !drain(pe[0], &be, max,
			    &out->truncated, &logfd)) {
				close(pe[0]);
				pe[0] = -1;
				open_fds--;
			}
		}
	}
	if (!reaped) {
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	}
	if (WIFEXITED(status))
		out->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		out->status = 128 + WTERMSIG(status);
	if (buf_puts(&bo, "") == -1 || buf_puts(&be, "") == -1) {
		host_error(err, ENOMEM, NULL);
		goto done;
	}
	out->out = buf_detach(&bo, &out->outlen);
	out->err = buf_detach(&be, &out->errlen);
	rc = 0;
	goto done;
fail_errno:
	{
		char msg[JD_ERR_MSG_MAX];

		snprintf(msg, sizeof(msg), "%s: %s", req->argv[0],
		    strerror(e));
		host_error(err, e, msg);
	}
done:
	for (i = 0; i < 2; i++) {
		if (po[i] != -1)
			close(po[i]);
		if (pe[i] != -1)
			close(pe[i]);
		if (px[i] != -1)
			close(px[i]);
	}
	if (logfd != -1)
		close(logfd);
	envv_free(&env);
	buf_free(&bo);
	buf_free(&be);
	return rc;
}
