/*
 * api.h - the resource layer: a parsed request in, a response (or a
 * deferred answer) out.  No libmicrohttpd here, so every handler is tested
 * without sockets; server/http.c adapts MHD to these structs.
 *
 * Threads: api_handle runs on an HTTP worker thread and reads through that
 * thread's reader connection (ctx->reader).  Writes never happen there: a
 * handler that changes state returns API_DEFER_WRITE with a struct
 * api_write, which the writer thread runs inside a group-commit
 * transaction; the connection stays suspended meanwhile.
 */
#ifndef JD_API_H
#define JD_API_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "common/error.h"

enum http_method {
	HM_GET = 0x01,
	HM_POST = 0x02,
	HM_PUT = 0x04,
	HM_PATCH = 0x08,
	HM_DELETE = 0x10,
	HM_HEAD = 0x20,
	HM_OPTIONS = 0x40,
	HM_OTHER = 0x80,
};

/* What a principal may do: read < write < admin. */
enum api_scope {
	SCOPE_NONE = 0,
	SCOPE_READ = 1,
	SCOPE_WRITE = 2,
	SCOPE_ADMIN = 3,
};

/*
 * Who is asking: filled by server/auth.c from the unix socket's peer
 * credentials or a Bearer token.  jails, when not NULL, limits the
 * principal to those jails (delegation): other jails are 404 to it.
 */
struct api_principal {
	enum api_scope	 scope;		/* SCOPE_NONE: no credential */
	char		 id[64];	/* "uid:0", "token:ID", "anonymous" */
	char		**jails;	/* NULL-terminated, or NULL for all */
};

/* Whether p may see jail name (delegation). */
int	api_principal_sees(const struct api_principal *p, const char *name);
/* "read", "write", "admin" */
const char *api_scope_name(enum api_scope s);

struct api_kv {
	char	*key;
	char	*value;
};

struct api_request {
	enum http_method method;
	const char	*path;		/* without the query string */
	struct api_kv	*query;		/* decoded, in order */
	size_t		 nquery;
	/* headers, borrowed, NULL when absent */
	const char	*content_type;
	const char	*if_match;
	const char	*if_none_match;
	const char	*idempotency_key;
	const char	*prefer;
	const char	*request_id;	/* always set by the server */
	const char	*client_addr;
	/* server/ always sets it; NULL means an internal caller with admin
	 * rights (unit tests) */
	const struct api_principal *principal;
	const char	*body;		/* NULL when none */
	size_t		 body_len;
};

enum api_defer {
	API_DEFER_NONE = 0,
	API_DEFER_WRITE,	/* run resp->write in the writer, then answer */
	API_DEFER_WAIT,		/* answer when the jail settles (see wait_*) */
};

struct api_write;

#define API_ETAG_MAX	32
#define API_LOCATION_MAX 320

struct api_response {
	int		 status;
	const char	*content_type;	/* static string */
	char		*body;		/* owned (jd_free) unless body_static */
	size_t		 body_len;
	int		 body_static;	/* body points at static data */
	char		 etag[API_ETAG_MAX];		/* with quotes, or "" */
	char		 location[API_LOCATION_MAX];
	char		 allow[64];
	int		 retry_after;	/* seconds, 0: none */

	enum api_defer	 defer;
	struct api_write *write;	/* API_DEFER_WRITE */
	/* API_DEFER_WAIT: wait until jail wait_jail has observed
	 * wait_generation and settled, or is gone (wait_gone), or until
	 * wait_ms passed; then call api_wait_answer. */
	char		 wait_jail[64];
	int64_t		 wait_generation;
	int		 wait_gone;
	int64_t		 wait_ms;
	int		 wait_status;	/* status when settled in time */
};

/*
 * A change to run in the writer thread.  run() executes inside a
 * savepoint of the group transaction and fills resp (success or problem);
 * it returns 0 to keep its changes or -1 to roll them back.  done() runs
 * after the group's COMMIT (committed = 1) or after it failed (0), still on
 * the writer thread: it updates caches and wakes the reconciler.  free()
 * releases the op.  All three are set by the creator.
 */
struct api_write {
	int	(*run)(struct api_write *w, sqlite3 *db,
		    struct api_response *resp);
	void	(*done)(struct api_write *w, int committed);
	void	(*free)(struct api_write *w);
	struct api_ctx	*ctx;
	const char	*request_id;	/* for problem documents, or NULL */
};

struct api_config {
	size_t	 max_body;		/* bytes */
	int	 devfs_rulesets[16];	/* allowed devfs rulesets */
	size_t	 ndevfs_rulesets;
	int	 max_wait_s;		/* cap for ?wait= */
	char	 mount_roots[1024];	/* "/a,/b": where non-admins may
					   take nullfs sources; "" none */
};

struct jail_cache;
struct idem_inflight;

/*
 * What the resource layer needs from the process around it.  Filled by
 * server/ (or by a unit test); the function pointers are called from
 * worker threads and must be thread-safe.
 */
struct api_ctx {
	struct api_config	 cfg;
	struct jail_cache	*cache;		/* rendered jail documents */
	struct idem_inflight	*inflight;	/* Idempotency-Keys in flight */
	/* the calling thread's reader connection */
	sqlite3	*(*reader)(void *arg);
	void	*reader_arg;
	/* after a committed change to desired state */
	void	(*wake)(void *arg);
	void	*wake_arg;
	/* a snapshot of the host for /v1/host* (new reference) or NULL */
	json_t	*(*host_snapshot)(void *arg);
	void	*host_arg;
	/*
	 * The desired part of a jail document built from the live prison
	 * named name, and its jid, for adoption (new reference).  -1 with
	 * JD_E_NOTFOUND when the host has no such prison.
	 */
	int	(*prison_doc)(void *arg, const char *name, json_t **doc_out,
		    int64_t *jid_out, struct jd_error *err);
	void	*prison_doc_arg;
	int	(*ready)(void *arg);	/* 1 when /readyz is green */
	void	*ready_arg;
	/* after a committed change to tokens: reload them */
	void	(*tokens_changed)(void *arg);
	void	*tokens_arg;
	/* TLS identity shown by /v1/host ("" when none) */
	const char	*tls_fingerprint;
	const char	*tls_pin;
	const char	*backend_name;
	const unsigned char *spec;	/* openapi.yaml */
	size_t		 spec_len;
};

/* Handle one request.  resp is zeroed by the caller. */
void	api_handle(struct api_ctx *ctx, const struct api_request *req,
	    struct api_response *resp);

/*
 * OPTIONS (and CORS preflight): 204 with the Allow header listing the
 * methods the path takes, or 404.  Needs no credential.
 */
void	api_options(struct api_ctx *ctx, const struct api_request *req,
	    struct api_response *resp);

/*
 * The final answer to a API_DEFER_WAIT request: the jail's current
 * document with wait_status when it settled, 202 when the time ran out, or
 * 204 when the jail is gone after a DELETE.  settled says which.
 */
void	api_wait_answer(struct api_ctx *ctx, const char *jail, int settled,
	    int wait_status, const char *request_id,
	    struct api_response *resp);

/*
 * Whether jail has settled for a waiter: observed_generation >= gen and a
 * settled phase, or (gone) the jail no longer exists.  Thread-safe (reads
 * the render cache).
 */
int	api_wait_settled(struct api_ctx *ctx, const char *jail, int64_t gen,
	    int gone);

/* Release what resp owns (body, pending write). */
void	api_response_free(struct api_response *resp);

/* "GET", "POST", ... ("OTHER" for anything else). */
const char *api_method_name(enum http_method m);

/* Query helpers: the first value of key, or NULL. */
const char *api_query_get(const struct api_request *req, const char *key);

#endif
