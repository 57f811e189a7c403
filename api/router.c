/*
 * router.c - the routing table and api_handle.
 *
 * Patterns are literal segments and {param} captures.  A path that matches
 * a pattern with another method is a 405 whose Allow lists every method the
 * path takes; a path that matches nothing is a 404.
 */
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "handlers.h"
#include "problem.h"

struct route {
	unsigned	 methods;
	const char	*pattern;
	api_handler_fn	 fn;
	enum api_scope	 scope;		/* the least scope it needs */
};

static const struct route routes[] = {
	{ HM_GET,	"/healthz",		h_healthz,	SCOPE_NONE },
	{ HM_GET,	"/readyz",		h_readyz,	SCOPE_NONE },
	{ HM_GET,	"/openapi.yaml",	h_openapi,	SCOPE_NONE },
	{ HM_GET,	"/v1/jails",		h_jails_list,	SCOPE_READ },
	{ HM_POST,	"/v1/jails",		h_jails_create,	SCOPE_WRITE },
	{ HM_GET,	"/v1/jails/{name}",	h_jail_get,	SCOPE_READ },
	{ HM_PUT,	"/v1/jails/{name}",	h_jail_put,	SCOPE_WRITE },
	{ HM_PATCH,	"/v1/jails/{name}",	h_jail_patch,	SCOPE_WRITE },
	{ HM_DELETE,	"/v1/jails/{name}",	h_jail_delete,	SCOPE_WRITE },
	{ HM_POST,	"/v1/jails/{name}/start", h_jail_start,	SCOPE_WRITE },
	{ HM_POST,	"/v1/jails/{name}/stop", h_jail_stop,	SCOPE_WRITE },
	{ HM_POST,	"/v1/jails/{name}/restart", h_jail_restart, SCOPE_WRITE },
	{ HM_GET,	"/v1/jails/{name}/jail.conf", h_jail_conf,	SCOPE_READ },
	{ HM_GET,	"/v1/jails/{name}/ips",	h_jail_ips_list, SCOPE_READ },
	{ HM_POST,	"/v1/jails/{name}/ips",	h_jail_ips_add,	SCOPE_WRITE },
	{ HM_DELETE,	"/v1/jails/{name}/ips/{address}", h_jail_ip_delete,
	    SCOPE_WRITE },
	{ HM_GET,	"/v1/ips",		h_ips_list,	SCOPE_READ },
	{ HM_GET,	"/v1/ip-pools",		h_pools_list,	SCOPE_READ },
	{ HM_POST,	"/v1/ip-pools",		h_pools_create,	SCOPE_ADMIN },
	{ HM_GET,	"/v1/ip-pools/{name}",	h_pool_get,	SCOPE_READ },
	{ HM_DELETE,	"/v1/ip-pools/{name}",	h_pool_delete,	SCOPE_ADMIN },
	{ HM_GET,	"/v1/jails/{name}/mounts", h_jail_mounts_list,
	    SCOPE_READ },
	{ HM_POST,	"/v1/jails/{name}/mounts", h_jail_mounts_add,
	    SCOPE_WRITE },
	{ HM_DELETE,	"/v1/jails/{name}/mounts/{id}", h_jail_mount_delete,
	    SCOPE_WRITE },
	{ HM_GET,	"/v1/jails/{name}/effective", h_jail_effective,
	    SCOPE_READ },
	{ HM_GET,	"/v1/policies",		h_policies_list, SCOPE_READ },
	{ HM_POST,	"/v1/policies",		h_policies_create, SCOPE_ADMIN },
	{ HM_GET,	"/v1/policies/{name}",	h_policy_get,	SCOPE_READ },
	{ HM_PUT,	"/v1/policies/{name}",	h_policy_put,	SCOPE_ADMIN },
	{ HM_DELETE,	"/v1/policies/{name}",	h_policy_delete, SCOPE_ADMIN },
	{ HM_GET,	"/v1/export",		h_export,	SCOPE_READ },
	{ HM_POST,	"/v1/import",		h_import,	SCOPE_ADMIN },
	{ HM_GET,	"/v1/host",		h_host,		SCOPE_READ },
	{ HM_GET,	"/v1/host/prisons",	h_host_prisons,	SCOPE_READ },
	{ HM_POST,	"/v1/host/prisons/{name}/adopt", h_host_adopt, SCOPE_ADMIN },
	{ HM_GET,	"/v1/host/params",	h_host_params,	SCOPE_READ },
	{ HM_GET,	"/v1/events",		h_events,	SCOPE_READ },
	{ HM_GET,	"/v1/tokens",		h_tokens_list,	SCOPE_ADMIN },
	{ HM_POST,	"/v1/tokens",		h_tokens_create, SCOPE_ADMIN },
	{ HM_DELETE,	"/v1/tokens/{id}",	h_token_delete,	SCOPE_ADMIN },
	{ HM_GET,	"/v1/audit",		h_audit,	SCOPE_ADMIN },
};

#define MAX_PARAMS	4
#define MAX_SEG		64

/*
 * Match path against pattern; captured segments are copied into caps.
 * Returns 1 on a match.
 */
static int
match(const char *pattern, const char *path, char caps[MAX_PARAMS][MAX_SEG],
    int *ncaps)
{
	const char *p = pattern, *s = path, *pe, *se;
	size_t pl, sl;

	*ncaps = 0;
	while (*p != '\0' && *s != '\0') {
		if (*p != '/' || *s != '/')
			return 0;
		p++;
		s++;
		pe = strchr(p, '/');
		se = strchr(s, '/');
		pl = pe ? (size_t)(pe - p) : strlen(p);
		sl = se ? (size_t)(se - s) : strlen(s);
		if (p[0] == '{') {
			if (sl == 0 || sl >= MAX_SEG || *ncaps == MAX_PARAMS)
				return 0;
			memcpy(caps[*ncaps], s, sl);
			caps[*ncaps][sl] = '\0';
			(*ncaps)++;
		} else if (pl != sl || strncmp(p, s, pl) != 0)
			return 0;
		p += pl;
		s += sl;
	}
	return *p == '\0' && *s == '\0';
}

const char *
api_method_name(enum http_method m)
{
	switch (m) {
	case HM_GET: return "GET";
	case HM_POST: return "POST";
	case HM_PUT: return "PUT";
	case HM_PATCH: return "PATCH";
	case HM_DELETE: return "DELETE";
	case HM_HEAD: return "HEAD";
	case HM_OPTIONS: return "OPTIONS";
	default: return "OTHER";
	}
}

const char *
api_scope_name(enum api_scope s)
{
	switch (s) {
	case SCOPE_READ: return "read";
	case SCOPE_WRITE: return "write";
	case SCOPE_ADMIN: return "admin";
	default: return "none";
	}
}

int
api_principal_sees(const struct api_principal *p, const char *name)
{
	char **j;

	if (p == NULL || p->jails == NULL)
		return 1;
	for (j = p->jails; *j != NULL; j++)
		if (strcmp(*j, name) == 0)
			return 1;
	return 0;
}

/*
 * No credential is a 401 (the server has already refused bad ones); too
 * little scope is a 403 that says what is needed.
 */
static int
scope_ok(const struct api_request *req, enum api_scope need,
    struct api_response *resp)
{
	const struct api_principal *p = req->principal;
	char d[128];

	if (need == SCOPE_NONE || p == NULL || p->scope >= need)
		return 1;
	if (p->scope == SCOPE_NONE) {
		problem_set(resp, req, JD_E_UNAUTHORIZED, "this request needs "
		    "a credential: send Authorization: Bearer TOKEN", NULL);
		return 0;
	}
	snprintf(d, sizeof(d), "this request needs the %s scope; the "
	    "credential has %s", api_scope_name(need),
	    api_scope_name(p->scope));
	problem_set(resp, req, JD_E_FORBIDDEN, d, NULL);
	return 0;
}

static void
allow_list(unsigned allowed, char *out, size_t outsz)
{
	unsigned bit;
	size_t n = 0;

	out[0] = '\0';
	for (bit = HM_GET; bit <= HM_DELETE; bit <<= 1)
		if (allowed & bit)
			n += (size_t)snprintf(out + n, n < outsz ? outsz - n :
			    0, "%s%s", n ? ", " : "",
			    api_method_name((enum http_method)bit));
}

void
api_options(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *resp)
{
	char caps[MAX_PARAMS][MAX_SEG];
	unsigned allowed = 0;
	size_t i;
	int ncaps;

	(void)ctx;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (match(routes[i].pattern, req->path, caps, &ncaps))
			allowed |= routes[i].methods;
	if (allowed == 0) {
		problem_set(resp, req, JD_E_NOTFOUND, "no such resource",
		    NULL);
		return;
	}
	allow_list(allowed, resp->allow, sizeof(resp->allow));
	resp->status = 204;
}

void
api_handle(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *resp)
{
	char caps[MAX_PARAMS][MAX_SEG], *params[MAX_PARAMS + 1];
	unsigned allowed = 0;
	size_t i;
	int ncaps, j;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!match(routes[i].pattern, req->path, caps, &ncaps))
			continue;
		if ((routes[i].methods & req->method) == 0) {
			allowed |= routes[i].methods;
			continue;
		}
		if (!scope_ok(req, routes[i].scope, resp))
			return;
		for (j = 0; j < ncaps; j++)
			params[j] = caps[j];
		params[ncaps] = NULL;
		routes[i].fn(ctx, req, params, resp);
		return;
	}
	if (allowed == 0) {
		problem_set(resp, req, JD_E_NOTFOUND, "no such resource",
		    NULL);
		return;
	}
	allow_list(allowed, resp->allow, sizeof(resp->allow));
	problem_set(resp, req, JD_E_METHOD, "this resource does not take "
	    "that method; see the Allow header", NULL);
}
