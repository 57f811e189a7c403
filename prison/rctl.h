/*
 * rctl.h - rctl(8) resource limits as data: which resources exist, which
 * actions each takes, amounts with expand_number suffixes, and the rule
 * text jaild hands to the host ("jail:web1:maxproc:deny=100").
 *
 * The API validates a policy's limits with rctl_limits_canon, the prison
 * layer turns them into rule text with rctl_rule_text, and the simulated
 * host refuses what the kernel refuses with the same table.  Source:
 * ../shared/freebsd-jail-facts.md section 8.  Pure functions, thread-safe.
 */
#ifndef JD_RCTL_H
#define JD_RCTL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/verr.h"

/*
 * What a rule operation on a host without resource accounting says (the
 * rctl calls fail with ENOSYS there): the FreeBSD backend's message, and
 * the lifecycle's whatever the backend said.
 */
#define RCTL_DISABLED_MSG	"RACCT/RCTL is disabled on this host: set " \
	"kern.racct.enable=1 in /boot/loader.conf and reboot"

/* Action classes a resource accepts. */
#define RCTL_A_DENY	0x01	/* deny */
#define RCTL_A_THROTTLE	0x02	/* throttle */
#define RCTL_A_NOTIFY	0x04	/* log, devctl, sig<NAME> */

struct rctl_resource {
	const char	*name;		/* "memoryuse" */
	const char	*unit;		/* "bytes", "count", "seconds", ... */
	unsigned	 actions;	/* RCTL_A_* */
	const char	*desc;		/* one line */
};

/* Exact-name lookup; NULL when unknown. */
const struct rctl_resource *rctl_resource_lookup(const char *name);
size_t	rctl_resource_count(void);
const struct rctl_resource *rctl_resource_at(size_t i);

/*
 * Whether action is an rctl action at all: deny, log, devctl, throttle, or
 * "sig" followed by a FreeBSD signal name in lower case (sigterm, ...).
 */
int	rctl_action_known(const char *action);

/*
 * Whether resource r takes action (a known action).  Returns 0, or -1 with
 * a lower-case sentence in msg ("deny is not supported for cputime").
 */
int	rctl_action_check(const struct rctl_resource *r, const char *action,
	    char *msg, size_t msgsz);

/* Whether per is a subject type: jail, process, user, loginclass. */
int	rctl_per_valid(const char *per);

/*
 * An amount as rctl(8) takes it: decimal digits with an optional k, m, g,
 * t, p or e suffix (either case; powers of 1024).  Returns 0 with *out
 * set, or -1 when malformed or above INT64_MAX.
 */
int	rctl_amount_parse(const char *s, int64_t *out);

/*
 * The rule for jail's limit: "jail:JAIL:RESOURCE:ACTION=AMOUNT", with
 * "/PER" appended when per is not "jail" (the form the kernel reports
 * rules in).  Returns 0, or -1 when it does not fit outsz.
 */
int	rctl_rule_text(const char *jail, const char *resource,
	    const char *action, int64_t amount, const char *per, char *out,
	    size_t outsz);

/*
 * The tables for GET /v1/host/params (new reference, NULL when out of
 * memory): {"resources": [{"name", "unit", "actions", "description"}],
 * "signals": ["sighup", ...], "per": ["jail", ...]}.  A resource's
 * "actions" lists "deny", "throttle", "log", "devctl" and "signal" (any
 * of "signals") as it takes them, in that order.
 */
json_t	*rctl_schema_json(void);

/*
 * Validate a policy's "limits" value (NULL means absent: the empty list)
 * and return its canonical form (new reference): an array of
 * {"resource", "action", "amount" (integer), "per" ("jail" when absent)}
 * in the given order.  Every problem is added to errs under base (e.g.
 * "/limits"): not an array or more than 64 items (base), not an object
 * (base/N), unknown members (base/N/FIELD), a bad or missing resource,
 * action, amount or per (base/N/resource, ...), an action the resource
 * does not take (base/N/action), throttle with amount 0 (base/N/amount),
 * two limits with the same resource, action and per (base/N, "duplicates
 * base/M").  Returns NULL when errs got any entry or on out-of-memory
 * (errs->oom).
 */
json_t	*rctl_limits_canon(const json_t *limits, const char *base,
	    struct verrs *errs);

#endif
