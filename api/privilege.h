/*
 * privilege.h - what only an admin may change in a jail document
 * (DESIGN.md section 5): everything that runs or writes on the host
 * rather than in the jail.
 */
#ifndef JD_PRIVILEGE_H
#define JD_PRIVILEGE_H

#include <jansson.h>

#include "common/verr.h"

/*
 * Add one entry to errs for every admin-only field whose value in
 * new_spec differs from old_spec (NULL: a new jail, compared with the
 * defaults): the host-side exec hooks, exec.system_user,
 * exec.consolelog, parameters the catalog marks (catalog_needs_admin),
 * and nullfs sources outside mount_roots (comma-separated directories, or
 * NULL / "" for none).  Unchanged values pass, so a non-admin can PUT back
 * a document an admin wrote.
 */
void	privilege_check(const json_t *old_spec, const json_t *new_spec,
	    const char *mount_roots, struct verrs *errs);

/*
 * The policy rules for a non-admin changing a jail from old_spec (NULL:
 * a new jail) to new_spec, given the policy layers each lists
 * (store_policy_layers; NULL or empty for none).  A policy new_spec
 * attaches that old_spec did not list and whose params set a value only
 * an admin may set is one entry at /policies/N naming the parameter; an
 * effective limit old_spec had that is gone or different under new_spec
 * is one entry at /policies naming the rule (only an admin may lift or
 * change a resource limit).  Adding limits is allowed.
 */
void	privilege_check_policies(const json_t *old_spec,
	    const json_t *new_spec, const json_t *old_layers,
	    const json_t *new_layers, struct verrs *errs);

/*
 * Whether the absolute path src lies under one of the comma-separated
 * absolute directories in roots (NULL or "" for none), component-wise; a
 * ".." component anywhere never is.
 */
int	privilege_path_under_roots(const char *src, const char *roots);

#endif
