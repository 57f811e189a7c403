/*
 * spec.h - the desired prison: what a jail document asks the host for.
 *
 * A struct prison_spec is derived from a jail's effective document: the
 * stored jail document (the JSON shape of /v1/jails, validated by api/)
 * with its policies' parameters merged into "params" and their merged
 * rctl limits in "limits" (the reconciler builds it).  It holds everything
 * the lifecycle steps need in host terms: the kernel parameter list for
 * jail_set, the aliases to add, the mounts with host-absolute targets in
 * jail(8)'s order, each exec hook as argv lists, and the rctl rules.  prison_doc_from_host goes the other way, for adopting a prison
 * jaild did not create.  Pure functions, no host calls; thread-safe.
 */
#ifndef JD_SPEC_H
#define JD_SPEC_H

#include <stddef.h>

#include <jansson.h>

#include "common/error.h"
#include "prison/host.h"

/* The exec hooks, in the order the lifecycle meets them. */
enum prison_hook {
	PRISON_HOOK_PREPARE,
	PRISON_HOOK_PRESTART,
	PRISON_HOOK_CREATED,
	PRISON_HOOK_START,	/* in the jail */
	PRISON_HOOK_POSTSTART,
	PRISON_HOOK_PRESTOP,
	PRISON_HOOK_STOP,	/* in the jail */
	PRISON_HOOK_POSTSTOP,
	PRISON_HOOK_RELEASE,
	PRISON_HOOK__COUNT
};

/* "prepare", ... (the key in the document's "exec" object). */
const char *prison_hook_key(enum prison_hook h);
/* "exec.prepare", ... (jail(8)'s name; used in messages and journals). */
const char *prison_hook_label(enum prison_hook h);

/* One command of a hook. */
struct prison_cmd {
	char	 *text;		/* as written in the document */
	char	**argv;		/* NULL-terminated: split on blanks, or
				   /bin/sh -c text with shell metacharacters */
};

struct prison_cmds {
	struct prison_cmd	*v;
	size_t			 n;
};

struct prison_spec_ip {
	size_t	 index;		/* position in the document's "ips" */
	char	*interface;	/* NULL: the kernel list only, no alias */
	int	 family;	/* HOST_AF_INET, HOST_AF_INET6 */
	char	*address;	/* canonical, without prefix */
	int	 prefixlen;
	json_t	*doc;		/* the document's entry (own reference) */
};

struct prison_spec_mount {
	size_t	 index;		/* position in the document's "mounts" */
	char	*type;
	char	*source;	/* nullfs source, else the type */
	char	*target;	/* host-absolute: path + document target */
	char	*options;	/* "ro", "ruleset=4", "size=512m,mode=1777" */
	json_t	*doc;		/* the document's entry (own reference) */
};

struct prison_spec {
	char	*name;
	char	*path;
	char	*hostname;
	int	 want_running;	/* state "running" */
	int	 restart_auto;	/* restart_policy "auto" */
	json_t	*params;	/* effective params: document's merged with
				   the extra ones (own reference) */
	struct host_params kparams;	/* for jail_set(JAIL_CREATE) */
	struct prison_spec_ip *ips;	/* document order */
	size_t	 nips;
	struct prison_spec_mount *mounts; /* mount order: others as listed,
					     then devfs, fdescfs, procfs */
	size_t	 nmounts;
	struct prison_cmds exec[PRISON_HOOK__COUNT];
	int	 exec_clean;	/* exec.clean */
	char	*jail_user;	/* exec.jail_user; NULL: jaild's user */
	int	 system_jail_user;	/* exec.system_jail_user: jail_user
					   from the host's passwd */
	char	*system_user;	/* exec.system_user, for host-side hooks */
	int	 timeout_s;	/* exec.timeout; 0: none */
	int	 stop_timeout_s;	/* default 10 */
	char	*consolelog;	/* exec.consolelog (in-jail commands) */
	char	**depends;
	size_t	 ndepends;
	char	**limits;	/* rctl rules for this jail, in the document's
				   order: "jail:web1:maxproc:deny=100" */
	size_t	 nlimits;
};

/*
 * Build *out from an effective jail document (borrowed).  Its optional
 * "limits" member is an array of {resource, action, amount, per} objects
 * as rctl_limits_canon returns them (prison/rctl.h; "per" may be absent,
 * meaning jail); each becomes one rule in out->limits, made with
 * rctl_rule_text for the jail's name.  The document is expected to have
 * passed the API's validation; what cannot be mapped is JD_E_INVALID
 * naming the field (the first bad limit's pointer, e.g.
 * "/limits/0/action").  On failure *out is left empty.  Free with
 * prison_spec_free.
 */
int	prison_spec_from_json(const json_t *doc, struct prison_spec *out,
	    struct jd_error *err);
void	prison_spec_free(struct prison_spec *s);	/* NULL is a no-op */

/*
 * Split one exec command as jail(8) does: a string with any of
 * !"$&'()*;<>?[\]`{|}~ runs as {"/bin/sh", "-c", text}; otherwise it is
 * split on blanks.  Returns a NULL-terminated argv (free with
 * prison_argv_free) or NULL on out-of-memory or an empty command.
 */
char	**prison_cmd_split(const char *text);
void	prison_argv_free(char **argv);

/*
 * The desired part of a jail document for a live prison (adoption): name,
 * path, hostname, state "running", params that differ from a new jail's
 * defaults (and jaild can set), ips from ip4.addr / ip6.addr with the
 * interface and prefix of a matching alias in addrs, and the mounts under
 * the prison's path, in mount order.  mounts and addrs may be NULL.
 * Returns a new reference, or NULL on out-of-memory.
 */
json_t	*prison_doc_from_host(const struct host_prison *p,
	    const struct host_mount_list *mounts,
	    const struct host_addr_list *addrs);

#endif
