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
 * Whether the absolute path src lies under one of the comma-separated
 * absolute directories in roots (NULL or "" for none), component-wise; a
 * ".." component anywhere never is.
 */
int	privilege_path_under_roots(const char *src, const char *roots);

#endif
