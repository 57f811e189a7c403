/*
 * lifecycle.h - jail(8)'s create and remove sequences, once, over the host
 * interface (DESIGN.md section 4, freebsd-jail-facts.md sections 3.1 and
 * 3.2).
 *
 * create: exec.prepare, IPv4 aliases, IPv6 aliases, mounts (as listed,
 * then devfs, fdescfs, procfs), exec.prestart, jail_set(JAIL_CREATE) with
 * persist, the rctl rules of s->limits (host_rctl_add, in order),
 * exec.created, exec.start (in the jail), exec.poststart.  A failing step
 * undoes the non-exec steps done so far in reverse (removes the rules it
 * added, each by its own text, removes the prison, unmounts, removes the
 * aliases it added); exec.release is not run.
 *
 * stop: exec.prestop, exec.stop (in the jail), SIGTERM and up to
 * stop_timeout_s for the processes to go, jail_remove, the jail's rctl
 * rules (filter "jail:NAME:", only when s has limits; none left is not an
 * error), exec.poststop, unmount in reverse, IPv6 then IPv4 aliases
 * removed, exec.release.  A failing prestop or stop (or jail_remove)
 * leaves the jail running.
 *
 * Every error says which step failed and the host's message, e.g.
 * "mount /j/web1/dev (devfs): Operation not permitted" or
 * "rctl jail:web1:maxproc:deny=100: Invalid argument", with code
 * JD_E_HOST and sys_errno the host's errno (0 for a command that exited
 * non-zero or timed out).  An rctl call failing with ENOSYS (RACCT
 * disabled on the host) says so with RCTL_DISABLED_MSG (prison/rctl.h)
 * instead of the host's message.  Specs without limits never make an
 * rctl call, so hosts without RACCT run them as before.
 *
 * Threads: the caller owns h (the reconciler thread).  Nothing here keeps
 * state between calls.
 */
#ifndef JD_LIFECYCLE_H
#define JD_LIFECYCLE_H

#include <stddef.h>

#include "common/error.h"
#include "prison/host.h"
#include "prison/spec.h"

/*
 * Create and start the prison s describes.  Aliases and mounts already on
 * the host (left by an attempt that was interrupted, e.g. jaild killed)
 * count as done rather than failing with EEXIST, and are undone like the
 * others if a later step fails.  On success *jidp (may be NULL) gets the
 * jid.
 */
int	lifecycle_create(struct host *h, const struct prison_spec *s,
	    int *jidp, struct jd_error *err);

/*
 * Stop and remove prison cur (as the host reported it) that was created
 * from s.  With cur NULL (the prison is already gone) only the clean-up
 * runs: the jail's rctl rules (when s has limits), exec.poststop,
 * unmounts, alias removal, exec.release, like jail -C.  Unmounting takes every mount at or under the prison's path,
 * newest first, so mounts of an older spec are not leaked; aliases are
 * those of s that are present.  Clean-up failures after jail_remove do
 * not stop the clean-up: the first one is returned.
 */
int	lifecycle_stop(struct host *h, const struct prison_spec *s,
	    const struct host_prison *cur, struct jd_error *err);

/*
 * Bring running prison cur in line with s without a restart: jail_set
 * (JAIL_UPDATE) with the changeable parameters whose value differs (the
 * create-only ones are left out; prison_diff tells whether a restart is
 * needed), add missing aliases and mounts of s and, when old (the spec
 * the prison was started from; may be NULL) is given, remove the aliases
 * and mounts old had and s no longer has.
 *
 * Then the rctl rules, when s or old has limits (otherwise no rctl call at
 * all): list the host's rules for "jail:NAME:", remove those old had and
 * s does not, and those with the key (resource, action, per) of a rule of
 * s but another amount (each by its exact text), then add the rules of s
 * the host lacks.  Rules nobody asked for are left alone.
 *
 * summary (may be NULL) receives a "; "-separated account of what was
 * done ("set securelevel=3; mounted /j/web1/dev (devfs); rctl
 * -jail:web1:maxproc:deny=100; rctl +jail:web1:maxproc:deny=200"); each
 * item counts as one change.  Returns the number of changes made (0 when
 * nothing differed) or -1.
 */
int	lifecycle_update(struct host *h, const struct prison_spec *s,
	    const struct prison_spec *old, const struct host_prison *cur,
	    char *summary, size_t summarysz, struct jd_error *err);

/*
 * Repair out-of-band drift: lifecycle_update without an old spec (re-add
 * missing aliases, mounts and rctl rules, re-apply parameters and rule
 * amounts that differ).
 */
int	lifecycle_repair(struct host *h, const struct prison_spec *s,
	    const struct host_prison *cur, char *summary, size_t summarysz,
	    struct jd_error *err);

#endif
