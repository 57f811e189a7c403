/*
 * auth.h - authentication for every request (DESIGN.md section 5).
 *
 * The unix socket trusts its peer's uid (SO_PEERCRED / getpeereid): uid 0
 * is admin, others need a token.  Over TCP every request needs a token,
 * loopback included.  Tokens are Bearer only.  Thread-safe.
 */
#ifndef JD_AUTH_H
#define JD_AUTH_H

#include <sqlite3.h>

#include "api/api.h"
#include "common/error.h"

struct server;
struct auth;

struct auth_input {
	int		 is_unix;
	long		 peer_uid;	/* -1: unknown */
	const char	*authorization;	/* the header, or NULL */
	const char	*client_addr;	/* for rate limiting */
};

/*
 * Load the tokens (through wdb, before the writer owns it) and make sure
 * DATADIR/admin.token holds a valid admin token, creating one on first
 * start.
 */
int	auth_open(struct server *srv, sqlite3 *wdb, struct auth **out,
	    struct jd_error *err);
void	auth_close(struct auth *a);
/* Reload the token table (api_ctx.tokens_changed). */
void	auth_reload(void *a);
/*
 * Fill *out for a request.  No credential is not an error: out->scope is
 * SCOPE_NONE (or admin for root on the unix socket) and the router answers
 * 401 where a scope is needed.  A bad or expired token is JD_E_UNAUTHORIZED,
 * too many failures from the address JD_E_RATELIMIT with *retry_after.
 * Free out with auth_principal_free.
 */
int	auth_check(struct auth *a, const struct auth_input *in,
	    struct api_principal *out, struct jd_error *err, int *retry_after);
void	auth_principal_free(struct api_principal *p);

#endif
