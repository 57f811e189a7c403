/*
 * host.h - the host interface: everything jaild asks of the kernel side.
 *
 * One method table (struct host_ops) with two backends behind a registry:
 * "sim" (prison/host_sim.c, a userspace prison table persisted beside the
 * database, always built) and "freebsd" (prison/host_freebsd.c: libjail,
 * nmount, interface ioctls, rctl, jail_attach; built only where
 * JD_HAVE_FREEBSD_HOST is defined).  The order of operations (jail(8)'s
 * create and remove sequences) is not here but in prison/lifecycle.c, so
 * the simulation exercises it in every test run.
 *
 * Inputs and outputs are plain structs.  Inputs are borrowed for the call;
 * outputs are owned copies the caller releases with the matching _free
 * function.  Nothing points into backend state, so the backend could later
 * live in a separate privileged process.  A failing call returns -1 and
 * fills err with code JD_E_HOST, sys_errno = the errno and message = the
 * kernel's message (freebsd-jail-facts.md section 4.6, verbatim) or, when
 * the kernel gives none, strerror(errno).
 *
 * Threads: a struct host is used by one thread at a time (the reconciler);
 * two struct host on the same data directory (in one process or two) are
 * safe, the sim serializes them with a file lock.
 */
#ifndef JD_HOST_H
#define JD_HOST_H

#include <stddef.h>

#include "common/error.h"

/* One parameter in its text form, as jail(8) and libjail take it. */
struct host_param {
	char	*name;
	char	*value;
};

/* A growable list of parameters; a zeroed struct is empty and valid. */
struct host_params {
	struct host_param	*v;
	size_t			 n;
	size_t			 cap;
};

/*
 * Append (copies of) name and value.  If name is already present its value
 * is replaced, so the list never holds a name twice.  Returns 0, or -1 on
 * out-of-memory (the list is unchanged).
 */
int	host_params_set(struct host_params *l, const char *name,
	    const char *value);
/* The value of name, or NULL (borrowed: valid until the list changes). */
const char *host_params_get(const struct host_params *l, const char *name);
/* Drop name if present. */
void	host_params_del(struct host_params *l, const char *name);
void	host_params_free(struct host_params *l);

/* A prison as the host reports it. */
struct host_prison {
	int		 jid;
	char		*name;
	char		*path;
	char		*hostname;	/* host.hostname */
	int		 dying;
	/* Every other parameter (ip4.addr, securelevel, allow.*, ...), sorted
	   by name; no entries for jid, name, path, host.hostname, dying. */
	struct host_params params;
};

void	host_prison_free(struct host_prison *p);	/* members; p may be NULL */

struct host_prison_list {
	struct host_prison	*v;	/* ascending jid */
	size_t			 n;
};

void	host_prison_list_free(struct host_prison_list *l);

/* A mounted filesystem. */
struct host_mount {
	char	*type;		/* "nullfs", "devfs", "tmpfs", ... */
	char	*source;	/* "/usr/local/jails/base", or the type for
				   pseudo filesystems */
	char	*target;	/* absolute host path */
	char	*options;	/* comma-separated, "" if none: "ro",
				   "ruleset=4", "size=512m,mode=1777" */
};

struct host_mount_list {
	struct host_mount	*v;	/* in mount order, oldest first */
	size_t			 n;
};

void	host_mount_free(struct host_mount *m);
void	host_mount_list_free(struct host_mount_list *l);

#define HOST_AF_INET	4
#define HOST_AF_INET6	6

/* An interface address (an alias jaild added, or any other). */
struct host_addr {
	char	*ifname;	/* "em0" */
	int	 family;	/* HOST_AF_INET or HOST_AF_INET6 */
	char	*address;	/* canonical text, no prefix: "10.0.0.5" */
	int	 prefixlen;	/* 32 for a /32 alias */
};

struct host_addr_list {
	struct host_addr	*v;
	size_t			 n;
};

void	host_addr_free(struct host_addr *a);
void	host_addr_list_free(struct host_addr_list *l);

/* rctl rules as text, "jail:web1:maxproc:deny=100". */
struct host_strings {
	char	**v;
	size_t	  n;
};

void	host_strings_free(struct host_strings *l);

/* A command to run. */
#define HOST_EXEC_HOOK	0x01	/* an exec.* hook of the lifecycle: the sim
				   records it and reports success without
				   running it; the freebsd backend runs it */
#define HOST_EXEC_CLEAN	0x02	/* exec.clean: the environment is only
				   PATH=/bin:/usr/bin, TERM (kept), USER, HOME
				   and SHELL of the user the command runs as
				   (plus its login class on FreeBSD) and
				   env; the working directory is that home */
#define HOST_EXEC_SYSTEM_JAIL_USER 0x04 /* exec.system_jail_user: for
				   host_exec_jail, look user up in the host's
				   passwd (jexec -u) instead of the jail's
				   (jexec -U, the default) */

struct host_exec_req {
	const char *const *argv;	/* NULL-terminated, argv[0] searched
					   in PATH */
	const char	*user;		/* NULL: as jaild's own user */
	const char	*label;		/* "exec.prestart" for the journal and
					   messages; may be NULL */
	int		 timeout_s;	/* 0: no limit */
	size_t		 output_max;	/* bytes kept of stdout and of stderr
					   each; 0 means 64 KiB */
	unsigned	 flags;		/* HOST_EXEC_* */
	/*
	 * "NAME=value" strings set last, over everything else (NULL-
	 * terminated; NULL for none).  Without HOST_EXEC_CLEAN the command
	 * gets jaild's environment minus every variable whose name starts
	 * with "JAILD_" (tokens and other secrets never reach a command),
	 * with USER, HOME and SHELL of user when one is given, then env.
	 */
	const char *const *env;
	/*
	 * Absolute host path that gets a copy of everything the command
	 * writes to stdout and stderr (exec.consolelog), or NULL.  Opened
	 * O_APPEND, created 0600, refused when any component of the path is
	 * a symbolic link or the file is not a regular file.
	 */
	const char	*consolelog;
};

struct host_exec_result {
	int	 status;	/* exit status; 128 + signal if killed */
	int	 timed_out;	/* killed because timeout_s passed */
	char	*out;		/* captured stdout, NUL-terminated */
	size_t	 outlen;
	char	*err;		/* captured stderr, NUL-terminated */
	size_t	 errlen;
	int	 truncated;	/* some output was dropped at output_max */
};

void	host_exec_result_free(struct host_exec_result *r);

struct host_info {
	char	backend[16];	/* "sim", "freebsd" */
	char	os_release[64];	/* "14.1-RELEASE" */
	char	hostname[256];
};

struct host;

/*
 * The method table a backend provides.  Each method has the contract of
 * the host_* wrapper of the same name below.
 */
struct host_ops {
	const char *name;
	int	(*open)(const char *datadir, unsigned flags, struct host **out,
		    struct jd_error *err);
	void	(*close)(struct host *h);
	int	(*info)(struct host *h, struct host_info *out,
		    struct jd_error *err);
	int	(*prison_list)(struct host *h, int include_dying,
		    struct host_prison_list *out, struct jd_error *err);
	int	(*prison_get)(struct host *h, const char *key, int include_dying,
		    struct host_prison *out, struct jd_error *err);
	int	(*prison_create)(struct host *h, const struct host_params *params,
		    int *jidp, struct jd_error *err);
	int	(*prison_update)(struct host *h, const char *key,
		    const struct host_params *params, int *jidp,
		    struct jd_error *err);
	int	(*prison_remove)(struct host *h, int jid, struct jd_error *err);
	int	(*exec_jail)(struct host *h, int jid,
		    const struct host_exec_req *req,
		    struct host_exec_result *out, struct jd_error *err);
	int	(*exec_host)(struct host *h, const struct host_exec_req *req,
		    struct host_exec_result *out, struct jd_error *err);
	int	(*signal_jail)(struct host *h, int jid, int sig, int *countp,
		    struct jd_error *err);
	int	(*mount)(struct host *h, const struct host_mount *m,
		    struct jd_error *err);
	int	(*unmount)(struct host *h, const char *target,
		    struct jd_error *err);
	int	(*mount_list)(struct host *h, struct host_mount_list *out,
		    struct jd_error *err);
	int	(*addr_add)(struct host *h, const struct host_addr *a,
		    struct jd_error *err);
	int	(*addr_del)(struct host *h, const struct host_addr *a,
		    struct jd_error *err);
	int	(*addr_list)(struct host *h, struct host_addr_list *out,
		    struct jd_error *err);
	int	(*rctl_add)(struct host *h, const char *rule,
		    struct jd_error *err);
	int	(*rctl_remove)(struct host *h, const char *filter,
		    struct jd_error *err);
	int	(*rctl_list)(struct host *h, const char *filter,
		    struct host_strings *out, struct jd_error *err);
};

/* Every backend's handle starts with this; the rest is private. */
struct host {
	const struct host_ops	*ops;
};

/* host_open flags */
#define HOST_OPEN_ADMIN	0x01	/* sim: act as the admin at the console
				   (jaild-sim): faults and delays do not
				   apply and the journal marks the calls */

/*
 * Open backend backend_name ("sim", "freebsd") over datadir (the jaild
 * data directory; the sim keeps host-sim.state, host-sim.oplog,
 * host-sim.lock and host-sim.journal there and creates them if missing).  On success *out
 * is the handle, released with host_close.  Errors: JD_E_INVALID for an
 * unknown or unbuilt backend, JD_E_IO when the state cannot be read.
 */
int	host_open(const char *backend_name, const char *datadir,
	    struct host **out, struct jd_error *err);
int	host_open_flags(const char *backend_name, const char *datadir,
	    unsigned flags, struct host **out, struct jd_error *err);
void	host_close(struct host *h);	/* NULL is a no-op */

/* "freebsd" when built with the FreeBSD backend, "sim" otherwise. */
const char *host_default_backend(void);
/* NULL-terminated list of the backends built in (static storage). */
const char *const *host_backend_names(void);
/* The backend's name ("sim", ...). */
const char *host_backend(const struct host *h);

int	host_info(struct host *h, struct host_info *out, struct jd_error *err);

/*
 * Every prison, ascending jid; dying ones only if include_dying.  The
 * caller frees *out with host_prison_list_free.
 */
int	host_prison_list(struct host *h, int include_dying,
	    struct host_prison_list *out, struct jd_error *err);
/*
 * One prison by key: an all-digit key is a jid, anything else a name.  A
 * missing prison, or a dying one without include_dying, is ENOENT
 * ("jail "x" not found", "jail N is dying").  Free with host_prison_free.
 */
int	host_prison_get(struct host *h, const char *key, int include_dying,
	    struct host_prison *out, struct jd_error *err);
/*
 * jail_set(JAIL_CREATE): params must hold "persist" = "true" (else EINVAL
 * "new jail must persist or attach") and normally "name" and "path".
 * Values are text: booleans "true"/"false", jailsys names, ip lists
 * comma-separated.  Errors as the kernel: EEXIST for a live name or jid,
 * EINVAL for unknown parameters ("unknown parameter: X"), bad values and
 * bad numeric names, ENAMETOOLONG, EADDRINUSE ("IPv4 addresses clash"),
 * ENOENT for a missing parent of a dotted name.  *jidp gets the new jid.
 */
int	host_prison_create(struct host *h, const struct host_params *params,
	    int *jidp, struct jd_error *err);
/*
 * jail_set(JAIL_UPDATE) of the live prison named by key (jid or name).
 * A create-only parameter in params is EINVAL "X cannot be changed after
 * creation" even when its value is equal; a "name" in params renames.
 * persist "false" on a prison without processes makes it die.
 */
int	host_prison_update(struct host *h, const char *key,
	    const struct host_params *params, int *jidp, struct jd_error *err);
/*
 * jail_remove(jid): the prison becomes dying (its processes are killed)
 * and later disappears.  Returns 0 also for a dying prison; EINVAL if no
 * prison has that jid.  Does not unmount or remove aliases.
 */
int	host_prison_remove(struct host *h, int jid, struct jd_error *err);

/*
 * Run req->argv inside prison jid (chdir to its path, jail_attach) or on
 * the host, wait for it up to req->timeout_s (then kill it), and capture
 * its output.  Returns 0 when the command ran, whatever its exit status
 * (see out->status and out->timed_out), -1 when it could not be started.
 * The caller frees *out with host_exec_result_free.
 */
int	host_exec_jail(struct host *h, int jid, const struct host_exec_req *req,
	    struct host_exec_result *out, struct jd_error *err);
int	host_exec_host(struct host *h, const struct host_exec_req *req,
	    struct host_exec_result *out, struct jd_error *err);
/*
 * Send sig to every process whose jail is exactly jid; *countp gets the
 * number of processes signalled.  sig 0 only counts them.
 */
int	host_signal_jail(struct host *h, int jid, int sig, int *countp,
	    struct jd_error *err);

/*
 * Mount m (target absolute).  Unmount the most recent mount on target
 * (EINVAL if nothing is mounted there).  List every mount of the host, in
 * mount order (free with host_mount_list_free).
 */
int	host_mount(struct host *h, const struct host_mount *m,
	    struct jd_error *err);
int	host_unmount(struct host *h, const char *target, struct jd_error *err);
int	host_mount_list(struct host *h, struct host_mount_list *out,
	    struct jd_error *err);

/*
 * Add an alias (EEXIST if the address is already configured), delete one
 * (EADDRNOTAVAIL if it is not there; prefixlen is ignored), list every
 * interface address of the host.
 */
int	host_addr_add(struct host *h, const struct host_addr *a,
	    struct jd_error *err);
int	host_addr_del(struct host *h, const struct host_addr *a,
	    struct jd_error *err);
int	host_addr_list(struct host *h, struct host_addr_list *out,
	    struct jd_error *err);

/*
 * rctl: add one rule ("jail:NAME:resource:action=amount[/per]"), remove
 * the rules matching a filter (ESRCH if none), list the rules matching a
 * filter (NULL or "" for all), amounts in canonical decimal.  ENOSYS when
 * RACCT is disabled on the host.
 */
int	host_rctl_add(struct host *h, const char *rule, struct jd_error *err);
int	host_rctl_remove(struct host *h, const char *filter,
	    struct jd_error *err);
int	host_rctl_list(struct host *h, const char *filter,
	    struct host_strings *out, struct jd_error *err);

/*
 * Fill err for a host call that failed with errnum and kernel message msg
 * (NULL or "" means strerror(errnum)); returns -1.  For backends.
 */
int	host_error(struct jd_error *err, int errnum, const char *msg);

/* Credentials a command runs with (host_cred_lookup fills them). */
struct host_cred {
	unsigned	uid;
	unsigned	gid;
	int		ngroups;
	unsigned	groups[64];
	char		name[64];	/* login name, for USER */
	char		home[1024];	/* for HOME and exec.clean's cwd */
	char		shell[256];	/* for SHELL; "/bin/sh" if empty */
	char		class[64];	/* login class ("" = default) */
};

/*
 * Look user up in the host's passwd (name or numeric uid) with its groups.
 * ENOENT "unknown user X" if there is no such user.
 */
int	host_cred_lookup(const char *user, struct host_cred *out,
	    struct jd_error *err);

/*
 * The same in the passwd and group files of the tree at root (a jail's
 * path): root/etc/master.passwd if it exists, else root/etc/passwd, and
 * root/etc/group.  The files are opened without following symbolic
 * links below root (a jail's root user must not point jaild at a host
 * file); ELOOP names the link.  ENOENT "unknown user X" if no entry
 * matches.  Thread-safe.
 */
int	host_cred_lookup_root(const char *root, const char *user,
	    struct host_cred *out, struct jd_error *err);

/*
 * Open path for exec.consolelog as host_run does (see struct
 * host_exec_req): absolute, no symbolic link in any component (ELOOP,
 * "consolelog /x/y: /x is a symbolic link"), a regular file, O_APPEND,
 * created 0600, close-on-exec.  Returns the descriptor or -1.
 */
int	host_consolelog_open(const char *path, struct jd_error *err);

/*
 * For backends that do not run hooks (the sim): open and close
 * req->consolelog as host_run would, but only when the path's directory
 * exists, so a simulated path like /var/log/jail_web1.log need not.
 * Returns 0 (also when there is nothing to do) or -1 with err filled.
 */
int	host_consolelog_touch(const struct host_exec_req *req,
	    struct jd_error *err);

struct buf;
/*
 * Append to b, for journals and logs, what req asks of the environment
 * beyond argv and user: " [env JID=3 JNAME=web1 JPATH=/j/web1]",
 * " [clean]", " [system_jail_user]", " [consolelog /var/log/x]", each
 * only when present.  Returns 0, or -1 on out-of-memory.
 */
int	host_exec_req_describe(const struct host_exec_req *req,
	    struct buf *b);

/*
 * The command runner backends share: fork, in the child start a new
 * process group, stdin from /dev/null, stdout and stderr to pipes, close
 * every other descriptor, install the environment (built before the fork
 * from req: see struct host_exec_req), chdir to cwd (if not NULL), call
 * child_fn(arg) (if not NULL; it runs in the forked child of a threaded
 * process, so it should keep to system calls; it returns 0 or an errno),
 * switch to cred (if not NULL), with HOST_EXEC_CLEAN chdir to the user's
 * home, then execvp (PATH from the new environment).  USER, HOME and
 * SHELL come from cred, or with HOST_EXEC_CLEAN and no cred from jaild's
 * own entry in the host's passwd.  The parent captures up to
 * req->output_max bytes of each stream, appends all of both to
 * req->consolelog when set, kills the process group at req->timeout_s,
 * and reaps the child.  Returns 0 when the command ran (see out->status,
 * out->timed_out) or -1 when it could not be started (errno of the
 * failing step; ENOENT for a missing program, ELOOP for a consolelog
 * through a symbolic link).  Free out with host_exec_result_free.
 */
int	host_run(const struct host_exec_req *req, const char *cwd,
	    int (*child_fn)(void *), void *arg, const struct host_cred *cred,
	    struct host_exec_result *out, struct jd_error *err);

/* errno name ("EPERM") <-> number, for the sim's fault table and tools. */
const char *host_errno_name(int errnum);
int	host_errno_parse(const char *s);	/* name or number; -1 if bad */

/*
 * Simulated-host controls (the sim backend only), by data directory, each
 * taking the same lock as the backend so they work while jaild runs.
 *
 * A fault fails the nth call (n >= 1, counted from now) of op with errnum;
 * with every, that call and all later ones fail until cleared.  op is a
 * method name without the host_ prefix: "prison_create" may be given as
 * "create", also "update", "remove", "get", "list", "exec" (both exec
 * kinds), "signal", "mount", "unmount", "addr_add", "addr_del", "rctl_add",
 * "rctl_remove", or "any" (every call that changes the host or runs a
 * command).  A delay makes every call of op sleep ms milliseconds first
 * (0 removes it).  The journal holds one line per call that changes the
 * host or runs something ("create web1 jid=3 ...", "mount devfs devfs
 * /j/web1/dev ruleset=4", failures end in " -> EPERM"), calls made with
 * HOST_OPEN_ADMIN start with "admin ".  linger_ms is how long a removed
 * prison stays dying (default 2000).
 * All return 0 or -1 with err filled (JD_E_INVALID for a bad op).
 */
int	host_sim_fault_set(const char *datadir, const char *op, long n,
	    int errnum, int every, struct jd_error *err);
int	host_sim_delay_set(const char *datadir, const char *op, long ms,
	    struct jd_error *err);
int	host_sim_fault_clear(const char *datadir, struct jd_error *err);
int	host_sim_linger_set(const char *datadir, long ms, struct jd_error *err);
/* The faults and delays as text, one per line (caller frees with jd_free). */
int	host_sim_fault_show(const char *datadir, char **out,
	    struct jd_error *err);
/* The whole journal (caller frees *out with jd_free; "" when empty). */
int	host_sim_journal_read(const char *datadir, char **out,
	    struct jd_error *err);
int	host_sim_journal_clear(const char *datadir, struct jd_error *err);

#endif
