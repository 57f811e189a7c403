/*
 * audit.h - who changed what: every accepted change writes one audit row
 * in the same transaction as the change (DESIGN.md section 5).
 *
 * A write op copies what the audit needs from its request (the request is
 * gone by the time the writer runs it) into a struct audit_info.
 */
#ifndef JD_AUDIT_H
#define JD_AUDIT_H

#include <stdint.h>

#include <sqlite3.h>

#include "api.h"

struct audit_info {
	char	principal[64];
	char	client_addr[64];
	char	request_id[72];
	char	method[8];
	char	path[256];
};

void	audit_info_from(struct audit_info *a, const struct api_request *req);
/* Record the change of resource ("jail:web1", "token:ID") in db. */
int	audit_write(sqlite3 *db, const struct audit_info *a,
	    const char *resource, int64_t gen_before, int64_t gen_after,
	    struct jd_error *err);

#endif
