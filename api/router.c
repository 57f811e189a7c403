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
};

static const struct route routes[] = {
	{ HM_GET,	"/healthz",			h_healthz },
	{ HM_GET,	"/readyz",			h_readyz },
	{ HM_GET,	"/openapi.yaml",		h_openapi },
	{ HM_GET,	"/v1/jails",			h_jails_list },
	{ HM_POST,	"/v1/jails",			h_jails_create },
	{ HM_GET,	"/v1/jails/{name}",		h_jail_get },
	{ HM_PUT,	"/v1/jails/{name}",		h_jail_put },
	{ HM_PATCH,	"/v1/jails/{name}",		h_jail_patch },
	{ HM_DELETE,	"/v1/jails/{name}",		h_jail_delete },
	{ HM_POST,	"/v1/jails/{name}/start",	h_jail_start },
	{ HM_POST,	"/v1/jails/{name}/stop",	h_jail_stop },
	{ HM_POST,	"/v1/jails/{name}/restart",	h_jail_restart },
	{ HM_GET,	"/v1/host",			h_host },
	{ HM_GET,	"/v1/host/prisons",		h_host_prisons },
	{ HM_POST,	"/v1/host/prisons/{name}/adopt", h_host_adopt },
	{ HM_GET,	"/v1/host/params",		h_host_params },
	{ HM_GET,	"/v1/events",			h_events },
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

static const char *
method_name(unsigned m)
{
	switch (m) {
	case HM_GET: return "GET";
	case HM_POST: return "POST";
	case HM_PUT: return "PUT";
	case HM_PATCH: return "PATCH";
	case HM_DELETE: return "DELETE";
	default: return "";
	}
}

void
api_handle(struct api_ctx *ctx, const struct api_request *req,
    struct api_response *resp)
{
	char caps[MAX_PARAMS][MAX_SEG], *params[MAX_PARAMS + 1];
	unsigned allowed = 0, bit;
	size_t i, n;
	int ncaps, j;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!match(routes[i].pattern, req->path, caps, &ncaps))
			continue;
		if ((routes[i].methods & req->method) == 0) {
			allowed |= routes[i].methods;
			continue;
		}
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
	n = 0;
	for (bit = HM_GET; bit <= HM_DELETE; bit <<= 1)
		if (allowed & bit)
			n += (size_t)snprintf(resp->allow + n,
			    sizeof(resp->allow) - n, "%s%s", n ? ", " : "",
			    method_name(bit));
	problem_set(resp, req, JD_E_METHOD, "this resource does not take "
	    "that method; see the Allow header", NULL);
}
