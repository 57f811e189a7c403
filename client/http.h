/*
 * http.h - jailctl's one connection to jaild, over libcurl.
 *
 * Where jaild is: --socket PATH, --url URL (http://, https:// or
 * unix:PATH), else JAILD_URL, else ./var/jaild.sock when it exists, else
 * /var/run/jaild.sock.  The connection opens on the first request and is
 * reused (keep-alive) for the others.  Connect timeout is fixed; the
 * request timeout is --timeout plus the seconds a ?wait request may take.
 *
 * The credential, sent as "Authorization: Bearer", is the first of:
 * --token or --token-file (whichever came last), JAILD_TOKEN, then the
 * admin token of the data directory that belongs to the address, when
 * readable: DIR/admin.token beside a unix socket DIR/jaild.sock (for the
 * system socket /var/run/jaild.sock, /var/db/jaild/admin.token) unless
 * jailctl runs as root, whom jaild trusts on its socket anyway, and for
 * a URL the admin.token of ./var or /var/db/jaild whose listen.addr names
 * exactly the URL's HOST:PORT, so a default token never goes to another
 * server.  The secret is never printed, not even with -v.
 *
 * https:// URLs are verified against the system's CAs, or --cacert FILE;
 * with --pinnedpubkey alone the server's public key must match the pin
 * and the certificate chain is not checked (a self-signed certificate).
 */
#ifndef JD_CLIENT_HTTP_H
#define JD_CLIENT_HTTP_H

#include <jansson.h>

#include "common/buf.h"
#include "ctl.h"

#define HTTP_CONNECT_TIMEOUT_MS	5000

struct http_resp {
	long		 status;
	struct buf	 body;
	char		 etag[128];	/* raw ETag header value, or "" */
	char		 ctype[128];	/* Content-Type, or "" */
	char		 retry_after[32]; /* Retry-After, or "" */
	const char	*auth_src;	/* where the credential sent came from
					   ("--token", "JAILD_TOKEN", a file),
					   NULL if none; valid until
					   http_close */
	json_t		*json;		/* parsed body when it is JSON */
};

/*
 * Send one request.  path starts with "/" and is already escaped; body may
 * be NULL (then ctype is ignored); if_match may be NULL.  extra_s lengthens
 * the request timeout (for ?wait).  When label is not NULL and stderr is a
 * terminal, a progress line "label (Ns)" is kept up to date while the
 * request takes longer than a second, and erased after.
 * Returns CTL_EXIT_OK with *resp filled (any HTTP status; free with
 * http_resp_free), CTL_EXIT_CONNECT after printing why jaild could not
 * be reached, did not answer or failed TLS verification (certificate,
 * pin), or CTL_EXIT_USAGE after printing why the connection options
 * cannot be used (an unreadable --token-file or --cacert, TLS options
 * for an address that is not https://).
 */
int	http_request(struct ctl *ctl, const char *method, const char *path,
	    const char *ctype, const char *body, const char *if_match,
	    long extra_s, const char *label, struct http_resp *resp);

/*
 * http_request with a JSON body (may be NULL); a non-2xx answer is
 * rendered (what names the object) and becomes CTL_EXIT_API with resp
 * freed.  On CTL_EXIT_OK the caller frees resp.
 */
int	http_call(struct ctl *ctl, const char *method, const char *path,
	    json_t *body, const char *what, struct http_resp *resp);

/*
 * Every item of a feed read with a "since" cursor (/v1/events,
 * /v1/audit): path is the route with any other query parameters
 * ("/v1/events?jail=web1"); pages of page items are read from since on
 * until a short page or a cursor that does not move.  CTL_EXIT_OK with
 * a new array in *all, or the failure rendered and its exit code.
 */
int	http_fetch_feed(struct ctl *ctl, const char *path, long long since,
	    int page, json_t **all);

/* Free what resp holds; resp itself is the caller's.  NULL-safe. */
void	http_resp_free(struct http_resp *resp);

/* Close the connection, if open (end of main). */
void	http_close(struct ctl *ctl);

/*
 * Percent-escape s for a path segment or query value.  Caller frees with
 * jd_free.  Exits on out-of-memory.
 */
char	*http_escape(const char *s);

#endif
