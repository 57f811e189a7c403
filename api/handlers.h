/*
 * handlers.h - the resource handlers the routing table points at, and the
 * helpers they share.  Internal to api/.
 */
#ifndef JD_HANDLERS_H
#define JD_HANDLERS_H

#include "api.h"

/* A handler gets the request, its path parameters ({name}, ...) and the
 * response to fill. */
typedef void (*api_handler_fn)(struct api_ctx *ctx,
    const struct api_request *req, char *const *params,
    struct api_response *resp);

/* service.c */
void	h_healthz(struct api_ctx *, const struct api_request *, char *const *,
	    struct api_response *);
void	h_readyz(struct api_ctx *, const struct api_request *, char *const *,
	    struct api_response *);
void	h_openapi(struct api_ctx *, const struct api_request *, char *const *,
	    struct api_response *);
void	h_events(struct api_ctx *, const struct api_request *, char *const *,
	    struct api_response *);

/* jails.c */
void	h_jails_list(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_jails_create(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_jail_get(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_jail_put(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_jail_patch(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_jail_delete(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_jail_start(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_jail_stop(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_jail_restart(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);

/* host.c */
void	h_host(struct api_ctx *, const struct api_request *, char *const *,
	    struct api_response *);
void	h_host_prisons(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_host_adopt(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_host_params(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);

/* export.c */
void	h_jail_conf(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_export(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);

/* import.c */
void	h_import(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);

/* tokens.c */
void	h_tokens_list(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_tokens_create(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_token_delete(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_audit(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);

/* ips.c */
void	h_jail_ips_list(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_jail_ips_add(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_jail_ip_delete(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_ips_list(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_pools_list(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_pools_create(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_pool_get(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_pool_delete(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);

/* mounts.c */
void	h_jail_mounts_list(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_jail_mounts_add(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_jail_mount_delete(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);

/* policies.c */
void	h_policies_list(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_policies_create(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_policy_get(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_policy_put(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_policy_delete(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);
void	h_jail_effective(struct api_ctx *, const struct api_request *,
	    char *const *, struct api_response *);

/*
 * Parse ?wait=S / Prefer: wait=S.  Returns the wait in milliseconds, -1
 * when none was asked, or -2 after filling resp with a 400.
 */
int64_t	api_parse_wait(struct api_ctx *ctx, const struct api_request *req,
	    struct api_response *resp);

/*
 * Refuse query parameters other than the NULL-terminated allowed list with
 * a 400 naming each.  Returns 0 when all are known.
 */
int	api_check_query(const struct api_request *req,
	    const char *const *allowed, struct api_response *resp);

/*
 * Answer a collection read: 200 {"items": items} (stolen) unless failed,
 * else the problem in err (out of memory when err is empty) and items
 * dropped (items may be NULL).
 */
void	api_items_answer(const struct api_request *req,
	    struct api_response *resp, json_t *items, int failed,
	    struct jd_error *err);

/* Parse an integer query parameter in [min, max]; -1 and adds to errs. */
struct verrs;
int	api_query_int(const struct api_request *req, const char *key,
	    long long min, long long max, long long dflt, long long *out,
	    struct verrs *errs);

#endif
