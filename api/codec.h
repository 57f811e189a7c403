/*
 * codec.h - the jail document: parsing request bodies, validating and
 * canonicalising the desired part, merge-patch, and rendering.
 *
 * Validation is a table-driven walk that reports every bad field at once
 * as JSON Pointers (DESIGN.md section 3).  The canonical desired part has
 * every field in a fixed order with defaults filled in, so that equal
 * documents compare equal and a GET body can be PUT back unchanged.
 */
#ifndef JD_CODEC_H
#define JD_CODEC_H

#include <jansson.h>

#include "api.h"
#include "common/buf.h"
#include "common/verr.h"
#include "db/store.h"

/*
 * Parse req's body as a JSON object with duplicate keys refused.  On
 * failure fill resp (400 with line and column, or 415 / 422) and return
 * NULL.  media is the content type the route takes ("application/json" or
 * "application/merge-patch+json").
 */
json_t	*codec_parse_body(const struct api_request *req, const char *media,
	    struct api_response *resp);

/*
 * Validate a jail document and return its canonical desired part (new
 * reference), or NULL with every problem added to errs.  url_name is the
 * name in the URL (PUT, PATCH) or NULL (POST, which requires "name").
 * old_spec is the stored desired part when replacing (mount ids carry over
 * for mounts given with an existing id) or NULL.  Read-only fields
 * (generation, resource_version, created_at, updated_at, status,
 * ips[].family, mounts[].id) are accepted and ignored.
 */
json_t	*codec_jail_decode(const json_t *in, const char *url_name,
	    const json_t *old_spec, const struct api_config *cfg,
	    struct verrs *errs);

/* RFC 7396 merge patch of target by patch; returns a new reference. */
json_t	*codec_merge_patch(const json_t *target, const json_t *patch);

/* The full jail document of row (spec + versions + status) into b. */
int	codec_jail_render(const struct jail_row *row, struct buf *b);

/*
 * Canonical "ADDR/PREFIX" for an address with or without a prefix; family
 * gets "inet" or "inet6".  -1 with a sentence in msg when invalid.
 */
int	codec_ip_normalize(const char *in, char *out, size_t outsz,
	    const char **family, char *msg, size_t msgsz);

#endif
