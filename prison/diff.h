/*
 * diff.h - what differs between a desired prison and the host.
 *
 * The reconciler compares a prison_spec with what the host reports for the
 * prison (its parameters, the mounts under its path, the interface
 * aliases and the rctl rules) and gets a list of differences, each named
 * by a JSON Pointer into the (effective) jail document.  The same list, rendered, is the API's
 * status.drift.  Parameters the document does not set are never drift:
 * the kernel's defaults are not jaild's business.  Pure functions;
 * thread-safe.
 */
#ifndef JD_DIFF_H
#define JD_DIFF_H

#include <stddef.h>

#include <jansson.h>

#include "common/error.h"
#include "prison/host.h"
#include "prison/spec.h"

struct prison_drift {
	char	 field[JD_ERR_FIELD_MAX];	/* "/params/securelevel" */
	json_t	*desired;	/* own reference; JSON null when absent */
	json_t	*observed;	/* own reference; JSON null when absent */
	int	 needs_restart;	/* path or a create-only parameter: only a
				   restart can fix it */
};

struct prison_drift_list {
	struct prison_drift	*v;
	size_t			 n;
	size_t			 cap;
};

/*
 * Compare s with prison p, the host's mounts and addrs (both may be NULL,
 * meaning "not checked").  Fields, in this order:
 *   /path (needs_restart), /hostname, /params/NAME (needs_restart when
 *   create-only), /ips/I (address missing from the prison's ip4.addr /
 *   ip6.addr, or its alias missing from the interface), /ips (addresses
 *   the prison has that the document does not list), /mounts/I (no mount
 *   of that type on that target).
 * I is the index in the document.  Returns 0 and fills *out (empty when
 * nothing differs; free with prison_drift_list_free), or -1 on
 * out-of-memory.
 */
int	prison_diff(const struct prison_spec *s, const struct host_prison *p,
	    const struct host_mount_list *mounts,
	    const struct host_addr_list *addrs, struct prison_drift_list *out,
	    struct jd_error *err);
/*
 * Compare s's rctl rules with rules, the host's (e.g. host_rctl_list with
 * filter "jail:"; NULL means "not checked": nothing is added).  When s has
 * limits and any of its rule texts is not among rules exactly, append one
 * item to *out (which must be initialised, e.g. by prison_diff): field
 * "/limits", desired the JSON array of s's rules, observed the JSON array
 * of the host's rules whose subject is "jail:NAME:", needs_restart 0.
 * Rules of the jail that s does not ask for are not drift by themselves.
 * Returns 0, or -1 on out-of-memory (err filled; *out keeps what it had).
 */
int	prison_diff_limits(const struct prison_spec *s,
	    const struct host_strings *rules, struct prison_drift_list *out,
	    struct jd_error *err);
void	prison_drift_list_free(struct prison_drift_list *l);
/* Whether any item needs a restart. */
int	prison_drift_needs_restart(const struct prison_drift_list *l);
/*
 * The list as status.drift: [{"field", "desired", "observed", "reason":
 * "needs_restart" | "out_of_band"}].  New reference, NULL on
 * out-of-memory.
 */
json_t	*prison_drift_json(const struct prison_drift_list *l);

#endif
