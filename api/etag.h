/*
 * etag.h - strong entity tags from resource versions ("\"17\"") and the
 * If-Match / If-None-Match checks every versioned resource (jails,
 * policies) shares.  Internal to api/; pure, thread-safe.
 */
#ifndef JD_ETAG_H
#define JD_ETAG_H

#include <stdint.h>

#include "api.h"

/* Whether If-None-Match header (NULL: absent) names rv (weak compare). */
int	etag_matches(const char *header, int64_t rv);
/*
 * Whether an If-Match header (NULL: absent, always fine) allows a write
 * to a resource at rv that exists (exists != 0) or not: a strong match,
 * or "*" for any existing version.
 */
int	etag_if_match_ok(const char *header, int64_t rv, int exists);
/* resp's ETag from rv. */
void	etag_set(struct api_response *resp, int64_t rv);

#endif
