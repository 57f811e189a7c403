/*
 * jails_op.h - what other api/ files need from jails.c.  Internal to api/.
 */
#ifndef JD_JAILS_OP_H
#define JD_JAILS_OP_H

#include <stdint.h>

#include <jansson.h>

#include "api.h"

/*
 * Whether a jail row (its recorded jid and phase) owns the live prison
 * with jid prison_jid: the row recorded that jid, or the row was in the
 * middle of creating it (phase "creating", written before the host call,
 * so a jaild killed mid-create recognises its own prison on restart).
 */
int	jail_owns_prison(int64_t row_jid, const char *row_phase,
	    int64_t prison_jid);

/*
 * Queue the creation of a managed jail named name from doc (stolen), the
 * desired part read from a live prison with jid: POST /v1/host/prisons/
 * {name}/adopt.
 */
void	jails_submit_adopt(struct api_ctx *ctx, const struct api_request *req,
	    struct api_response *resp, const char *name, json_t *doc,
	    int64_t jid);

/* 404 problem naming the jail. */
void	jails_not_found(struct api_response *resp,
	    const struct api_request *req, const char *name);
/* The jail named in the URL is a valid name this principal may see;
 * otherwise a 404 in resp and -1. */
int	jails_name_param(const struct api_request *req, const char *name,
	    struct api_response *resp);
/* The jail's rendered document, parsed (new reference), or NULL. */
json_t	*jails_cached_doc(struct api_ctx *ctx, const char *name);
/* GET of a jail's array member ("ips", "mounts") as {"items": [...]}. */
void	jails_list_member(struct api_ctx *ctx, const struct api_request *req,
	    const char *name, const char *member, struct api_response *resp);

struct audit_info;
struct jail_row;

/*
 * For the sub-resource writers (ips, mounts), inside the writer's
 * transaction: the stored desired part of jail name (new reference), which
 * must have an array member (e.g. "ips"); NULL with a 404 or 500 problem
 * in resp otherwise.
 */
json_t	*jails_load_spec(sqlite3 *db, const char *name, const char *member,
	    const char *request_id, struct api_response *resp);
/*
 * Store spec as jail name's desired part with PUT semantics
 * (jails_put_in_txn).  On a refusal resp holds the PUT's problem and -1
 * comes back; otherwise resp is untouched and *have_row says whether
 * row_out holds a changed row.
 */
int	jails_put_spec(struct api_ctx *ctx, sqlite3 *db, const char *name,
	    json_t *spec, int is_admin, const struct audit_info *audit,
	    const char *request_id, struct api_response *resp,
	    struct jail_row *row_out, int *have_row);

/*
 * After a commit on the writer thread: put the n committed rows into the
 * render cache and, when n > 0, wake the reconciler.
 */
void	jails_publish(struct api_ctx *ctx, const struct jail_row *rows,
	    size_t n);

/*
 * PUT semantics for one jail inside the writer's transaction (for
 * POST /v1/import): validate doc, create or replace jail name, write its
 * satellites, event and audit row.  resp gets the answer a PUT would
 * (201, 200 or a problem); on a change *changed is 1 and *row_out holds
 * the committed row for the render cache (caller frees).  Returns -1
 * when the import must be rolled back.
 */
int	jails_put_in_txn(struct api_ctx *ctx, sqlite3 *db, const char *name,
	    json_t *doc, int is_admin, const struct audit_info *audit,
	    const char *request_id, struct api_response *resp,
	    struct jail_row *row_out, int *changed);

#endif
