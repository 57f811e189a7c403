/*
 * http.c - jailctl's connection to jaild: libcurl over the unix socket or
 * TCP (plain or TLS), one easy handle reused for every request of a run
 * (so a paged list or a poll loop keeps its connection), the credential
 * and where it came from, the -v trace with the credential masked, and
 * the progress line shown while a ?wait request is held by the server.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "common/alloc.h"
#include "http.h"
#include "output.h"

#define TOKEN_MAX	1024	/* longest credential accepted from a file */
#define SYS_DATA_DIR	"/var/db/jaild"
#define SYS_SOCKET	"/var/run/jaild.sock"

/* The opened connection: where jaild is and the handle talking to it. */
struct http_conn {
	CURL	*curl;
	char	*base;		/* "http://localhost" or the --url, no '/' */
	char	*sock;		/* unix socket path, or NULL */
	char	*where;		/* for messages: "unix:PATH" or the URL */
	char	*auth;		/* "Authorization: Bearer ..." or NULL */
	char	*auth_src;	/* where the secret came from, or NULL */
	int	 tls;		/* base is https:// */
	int	 failed;	/* open failed: the exit status, said once */
};

/* What the progress callback needs. */
struct http_progress {
	const char	*label;
	double		 started;
	long		 shown;		/* last whole second shown, -1 none */
	int		 enabled;
};

static char *
xstrdup(const char *s)
{
	char *d;

	if ((d = jd_strdup(s)) == NULL)
		ctl_oom();
	return d;
}

static char *
xconcat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *d;

	if ((d = jd_malloc(la + lb + 1)) == NULL)
		ctl_oom();
	memcpy(d, a, la);
	memcpy(d + la, b, lb + 1);
	return d;
}

/* Wipe and free a string that held a secret. */
static void
secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	jd_free(s);
}

/*
 * A credential must be one header-safe word: printable ASCII, no blanks,
 * so nothing in a file or variable can add header lines.
 */
static int
token_valid(const char *t)
{
	size_t n = 0;

	for (; *t != '\0'; t++, n++)
		if (*t <= ' ' || *t > '~')
			return 0;
	return n > 0 && n <= TOKEN_MAX;
}

/*
 * Read the credential from the first line of path into c->auth.  A file
 * named explicitly (--token-file) must be readable and hold a token; a
 * default one is skipped quietly when absent or unreadable.
 * Returns CTL_EXIT_OK (also when a default file was skipped) or
 * CTL_EXIT_USAGE after printing why; the secret is never printed.
 */
static int
token_from_file(struct http_conn *c, const char *path, int explicit,
    const char *src)
{
	char line[TOKEN_MAX + 2];
	size_t n;
	FILE *fp;
	int rc = CTL_EXIT_OK;

	if ((fp = fopen(path, "r")) == NULL) {
		if (!explicit)
			return CTL_EXIT_OK;
		fprintf(stderr, "jailctl: cannot read the token file %s: %s\n",
		    path, strerror(errno));
		return CTL_EXIT_USAGE;
	}
	line[0] = '\0';
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	fclose(fp);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
	    line[n - 1] == ' ' || line[n - 1] == '\t'))
		line[--n] = '\0';
	if (!token_valid(line)) {
		fprintf(stderr, "jailctl: %s%s does not hold a token (one "
		    "line of printable characters without blanks)\n",
		    explicit ? "the token file " : "", path);
		if (explicit)
			rc = CTL_EXIT_USAGE;
		goto done;
	}
	c->auth = xconcat("Authorization: Bearer ", line);
	c->auth_src = xstrdup(src);
done:
	explicit_bzero(line, sizeof(line));
	return rc;
}

/* "DIR/NAME" for the directory of path (NAME when it has no slash). */
static char *
path_sibling(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/');
	struct buf b = { 0 };

	if (slash == NULL)
		return xstrdup(name);
	if (buf_printf(&b, "%.*s/%s", (int)(slash - path), path, name) == -1)
		ctl_oom();
	return buf_detach(&b, NULL);
}

/*
 * The data directory whose listen.addr names the URL's HOST:PORT, as
 * "DIR/admin.token", or NULL.  Only ./var and the system data directory
 * are asked, and only an exact match counts, so that a default token is
 * sent to the server that wrote it and to no other.
 */
static char *
token_file_for_url(const char *url)
{
	static const char *const dirs[] = { "var", SYS_DATA_DIR };
	char addr[300], *file;
	const char *host;
	size_t hlen, n, i;
	FILE *fp;

	if ((host = strstr(url, "://")) == NULL)
		return NULL;
	host += 3;
	hlen = strcspn(host, "/?#");
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		file = xconcat(dirs[i], "/listen.addr");
		fp = fopen(file, "r");
		jd_free(file);
		if (fp == NULL)
			continue;
		if (fgets(addr, sizeof(addr), fp) == NULL)
			addr[0] = '\0';
		fclose(fp);
		n = strcspn(addr, "\r\n");
		if (n == hlen && n > 0 && strncmp(addr, host, n) == 0)
			return xconcat(dirs[i], "/admin.token");
	}
	return NULL;
}

/* Decide which credential to send (see http.h) into c->auth. */
static int
http_token(struct ctl *ctl, struct http_conn *c)
{
	const char *env;
	char *file;
	int rc;

	if (ctl->token_file != NULL) {
		file = xconcat("--token-file ", ctl->token_file);
		rc = token_from_file(c, ctl->token_file, 1, file);
		jd_free(file);
		return rc;
	}
	if (ctl->token != NULL) {
		if (!token_valid(ctl->token)) {
			fputs("jailctl: --token wants one word of printable "
			    "characters\n", stderr);
			return CTL_EXIT_USAGE;
		}
		c->auth = xconcat("Authorization: Bearer ", ctl->token);
		c->auth_src = xstrdup("--token");
		return CTL_EXIT_OK;
	}
	if ((env = getenv("JAILD_TOKEN")) != NULL && *env != '\0') {
		if (!token_valid(env)) {
			fputs("jailctl: JAILD_TOKEN does not hold a token (one "
			    "word of printable characters)\n", stderr);
			return CTL_EXIT_USAGE;
		}
		c->auth = xconcat("Authorization: Bearer ", env);
		c->auth_src = xstrdup("JAILD_TOKEN");
		return CTL_EXIT_OK;
	}
	/*
	 * jaild trusts root on its unix socket: no secret needs reading,
	 * and the audit log then names uid:0 rather than the admin token.
	 */
	if (c->sock != NULL && geteuid() == 0)
		return CTL_EXIT_OK;
	if (c->sock != NULL && strcmp(c->sock, SYS_SOCKET) == 0)
		file = xstrdup(SYS_DATA_DIR "/admin.token");
	else if (c->sock != NULL)
		file = path_sibling(c->sock, "admin.token");
	else
		file = token_file_for_url(c->base);
	if (file == NULL)
		return CTL_EXIT_OK;
	rc = token_from_file(c, file, 0, file);
	jd_free(file);
	return rc;
}

/* Decide where jaild is and what to send it (see http.h); open curl. */
static int
http_open(struct ctl *ctl)
{
	struct http_conn *c;
	const char *url;
	size_t n;
	int rc;

	if ((c = jd_calloc(1, sizeof(*c))) == NULL)
		ctl_oom();
	ctl->conn = c;
	url = ctl->url;
	if (url == NULL && ctl->socket == NULL)
		url = getenv("JAILD_URL");
	if (url != NULL && *url == '\0')
		url = NULL;
	if (ctl->socket != NULL) {
		c->sock = xstrdup(ctl->socket);
	} else if (url != NULL && strncmp(url, "unix:", 5) == 0) {
		c->sock = xstrdup(url + 5);
	} else if (url != NULL) {
		c->base = xstrdup(url);
		n = strlen(c->base);
		while (n > 0 && c->base[n - 1] == '/')
			c->base[--n] = '\0';
		c->tls = strncasecmp(c->base, "https://", 8) == 0;
	} else if (access("var/jaild.sock", F_OK) == 0) {
		c->sock = xstrdup("var/jaild.sock");
	} else {
		c->sock = xstrdup(SYS_SOCKET);
	}
	if (c->sock != NULL) {
		c->base = xstrdup("http://localhost");
		c->where = xconcat("unix:", c->sock);
	} else
		c->where = xstrdup(c->base);
	if ((ctl->cacert != NULL || ctl->pinnedpubkey != NULL) && !c->tls) {
		fprintf(stderr, "jailctl: --cacert and --pinnedpubkey are for "
		    "https:// URLs; jaild is at %s\n", c->where);
		return CTL_EXIT_USAGE;
	}
	if (ctl->cacert != NULL && access(ctl->cacert, R_OK) == -1) {
		fprintf(stderr, "jailctl: cannot read --cacert %s: %s\n",
		    ctl->cacert, strerror(errno));
		return CTL_EXIT_USAGE;
	}
	if ((rc = http_token(ctl, c)) != CTL_EXIT_OK)
		return rc;
	if ((c->curl = curl_easy_init()) == NULL)
		ctl_oom();
	return CTL_EXIT_OK;
}

/* http_open once per run; a failure is remembered and said only once. */
static int
http_conn_get(struct ctl *ctl)
{
	int rc;

	if (ctl->conn == NULL && (rc = http_open(ctl)) != CTL_EXIT_OK) {
		ctl->conn->failed = rc;
		return rc;
	}
	return ctl->conn->curl != NULL ? CTL_EXIT_OK : ctl->conn->failed;
}

void
http_close(struct ctl *ctl)
{
	struct http_conn *c = ctl->conn;

	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	jd_free(c->base);
	jd_free(c->sock);
	jd_free(c->where);
	secret_free(c->auth);
	jd_free(c->auth_src);
	jd_free(c);
	ctl->conn = NULL;
}

static size_t
http_body_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct http_resp *resp = arg;

	if (buf_append(&resp->body, p, size * nmemb) == -1)
		return 0;
	return size * nmemb;
}

/* Copy the value of header line p (len n) into dst, trimmed. */
static void
http_header_copy(char *dst, size_t dstlen, const char *p, size_t n)
{
	while (n > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n' ||
	    p[n - 1] == ' '))
		n--;
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

static size_t
http_header_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct http_resp *resp = arg;
	size_t n = size * nmemb;

	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* A new status line (after a 1xx): forget earlier headers. */
		resp->etag[0] = resp->ctype[0] = resp->retry_after[0] = '\0';
	} else if (n > 5 && strncasecmp(p, "ETag:", 5) == 0) {
		http_header_copy(resp->etag, sizeof(resp->etag), p + 5, n - 5);
	} else if (n > 13 && strncasecmp(p, "Content-Type:", 13) == 0) {
		http_header_copy(resp->ctype, sizeof(resp->ctype), p + 13,
		    n - 13);
	} else if (n > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		http_header_copy(resp->retry_after, sizeof(resp->retry_after),
		    p + 12, n - 12);
	}
	return n;
}

/*
 * -v: the request and answer headers and curl's notes on stderr, each
 * line prefixed "> ", "< " or "* ".  Bodies are not shown (a token
 * create answer holds a secret), and the value of an Authorization
 * header is masked.
 */
static int
http_debug_cb(CURL *h, curl_infotype type, char *data, size_t size,
    void *arg)
{
	const char *prefix, *p, *end, *nl;
	size_t n;

	(void)h;
	(void)arg;
	switch (type) {
	case CURLINFO_TEXT:
		prefix = "* ";
		break;
	case CURLINFO_HEADER_OUT:
		prefix = "> ";
		break;
	case CURLINFO_HEADER_IN:
		prefix = "< ";
		break;
	default:
		return 0;
	}
	for (p = data, end = data + size; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		n = nl - p;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0 && nl == end)
			break;
		if (n >= 14 && strncasecmp(p, "Authorization:", 14) == 0)
			fprintf(stderr, "%sAuthorization: [not shown]\n",
			    prefix);
		else if (n > 0)
			fprintf(stderr, "%s%.*s\n", prefix, (int)n, p);
	}
	return 0;
}

static int
http_progress_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct http_progress *pr = arg;
	char line[256];
	long secs;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	secs = (long)(ctl_now() - pr->started);
	if (secs >= 1 && secs != pr->shown) {
		pr->shown = secs;
		snprintf(line, sizeof(line), "%s (%lds)", pr->label, secs);
		output_progress(pr->enabled, line);
	}
	return 0;
}

char *
http_escape(const char *s)
{
	char *e, *d;

	if ((e = curl_easy_escape(NULL, s, 0)) == NULL)
		ctl_oom();
	d = xstrdup(e);
	curl_free(e);
	return d;
}

/* Say why a TLS handshake failed, and what to give jailctl for it. */
static void
http_explain_tls(const struct ctl *ctl, const struct http_conn *c,
    CURLcode rc, const char *why)
{
	switch (rc) {
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		fprintf(stderr, "jailctl: TLS: the public key of jaild at %s "
		    "does not match --pinnedpubkey %s; nothing was sent\n"
		    "jailctl: check the pin: GET /v1/host shows tls.pin, "
		    "and jaild logs it at start\n", c->where,
		    ctl->pinnedpubkey);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
		fprintf(stderr, "jailctl: TLS: cannot verify the certificate "
		    "of jaild at %s: %s; nothing was sent\n", c->where, why);
		if (ctl->cacert == NULL)
			fprintf(stderr, "jailctl: give its certificate or CA "
			    "with --cacert FILE (DATADIR/tls.crt for the one "
			    "jaild generated) or its key's pin with "
			    "--pinnedpubkey sha256//...\n");
		break;
	case CURLE_SSL_CACERT_BADFILE:
		fprintf(stderr, "jailctl: TLS: cannot load --cacert %s: %s\n",
		    ctl->cacert != NULL ? ctl->cacert : "(system CAs)", why);
		break;
	default:
		fprintf(stderr, "jailctl: TLS handshake with jaild at %s "
		    "failed: %s\n", c->where, why);
		if (strstr(why, "wrong version number") != NULL)
			fprintf(stderr, "jailctl: is it listening without "
			    "TLS? try http://\n");
		break;
	}
}

/* Say why the request failed, with a hint when it is the socket. */
static void
http_explain(const struct ctl *ctl, const struct http_conn *c, CURLcode rc,
    const char *errbuf, long timeout_s)
{
	const char *why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);

	if (rc == CURLE_OPERATION_TIMEDOUT && timeout_s > 0) {
		fprintf(stderr, "jailctl: jaild at %s did not answer within "
		    "%lds (%s)\n", c->where, timeout_s, why);
		return;
	}
	switch (rc) {
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
		http_explain_tls(ctl, c, rc, why);
		return;
	default:
		break;
	}
	if (c->sock != NULL && access(c->sock, F_OK) == -1) {
		fprintf(stderr, "jailctl: cannot connect to jaild at %s: %s\n",
		    c->where, strerror(errno));
	} else {
		fprintf(stderr, "jailctl: cannot connect to jaild at %s: %s\n",
		    c->where, why);
	}
	if (rc == CURLE_GOT_NOTHING && c->sock == NULL && !c->tls) {
		fprintf(stderr, "jailctl: does jaild expect TLS there? "
		    "try https://\n");
		return;
	}
	fprintf(stderr, "jailctl: is jaild running? "
	    "(see --socket, --url and JAILD_URL)\n");
}

/* Free a header list, wiping each line first (one holds the secret). */
static void
http_slist_free(struct curl_slist *hdrs)
{
	struct curl_slist *l;

	for (l = hdrs; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(hdrs);
}

int
http_request(struct ctl *ctl, const char *method, const char *path,
    const char *ctype, const char *body, const char *if_match, long extra_s,
    const char *label, struct http_resp *resp)
{
	struct http_progress pr;
	struct curl_slist *hdrs = NULL;
	struct http_conn *c;
	char errbuf[CURL_ERROR_SIZE];
	char hbuf[256];
	char *url;
	long timeout_s;
	CURLcode rc;
	CURL *h;
	int rc0;

	memset(resp, 0, sizeof(*resp));
	if ((rc0 = http_conn_get(ctl)) != CTL_EXIT_OK)
		return rc0;
	c = ctl->conn;
	h = c->curl;
	url = xconcat(c->base, path);
	timeout_s = ctl->timeout_s > 0 ? ctl->timeout_s + extra_s : 0;

	curl_easy_reset(h);
	errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	if (c->sock != NULL)
		curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->sock);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)HTTP_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_s * 1000L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "jailctl/" JD_VERSION);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http_body_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, http_header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
	if (ctl->verbose) {
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, http_debug_cb);
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	}
	if (ctl->cacert != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, ctl->cacert);
	if (ctl->pinnedpubkey != NULL) {
		curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY,
		    ctl->pinnedpubkey);
		/*
		 * A pin alone names the key: a self-signed certificate is
		 * then fine, and curl still refuses any other key.  With
		 * --cacert as well, both must hold.
		 */
		if (ctl->cacert == NULL) {
			curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
		}
	}

	if ((hdrs = curl_slist_append(hdrs, "Accept: application/json, "
	    "application/problem+json")) == NULL)
		ctl_oom();
	/* No "Expect: 100-continue" round trip for larger bodies. */
	if ((hdrs = curl_slist_append(hdrs, "Expect:")) == NULL)
		ctl_oom();
	if (body != NULL) {
		snprintf(hbuf, sizeof(hbuf), "Content-Type: %s", ctype);
		if ((hdrs = curl_slist_append(hdrs, hbuf)) == NULL)
			ctl_oom();
	}
	if (if_match != NULL) {
		snprintf(hbuf, sizeof(hbuf), "If-Match: %s", if_match);
		if ((hdrs = curl_slist_append(hdrs, hbuf)) == NULL)
			ctl_oom();
	}
	if (c->auth != NULL) {
		if ((hdrs = curl_slist_append(hdrs, c->auth)) == NULL)
			ctl_oom();
		resp->auth_src = c->auth_src;
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);

	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
		if (body != NULL || strcmp(method, "POST") == 0) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS,
			    body != NULL ? body : "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE,
			    body != NULL ? (long)strlen(body) : 0L);
		}
	}

	pr.label = label;
	pr.started = ctl_now();
	pr.shown = -1;
	pr.enabled = ctl->progress && label != NULL;
	if (pr.enabled) {
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION,
		    http_progress_cb);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, &pr);
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	}

	rc = curl_easy_perform(h);
	if (pr.enabled && pr.shown >= 0)
		output_progress(1, NULL);
	http_slist_free(hdrs);
	jd_free(url);
	if (rc != CURLE_OK) {
		if (rc == CURLE_WRITE_ERROR)
			ctl_oom();
		http_explain(ctl, c, rc, errbuf, timeout_s);
		http_resp_free(resp);
		return CTL_EXIT_CONNECT;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	if (resp->body.len > 0 && strstr(resp->ctype, "json") != NULL)
		resp->json = json_loadb(resp->body.data, resp->body.len, 0,
		    NULL);
	return CTL_EXIT_OK;
}

void
http_resp_free(struct http_resp *resp)
{
	if (resp == NULL)
		return;
	buf_free(&resp->body);
	json_decref(resp->json);
	resp->json = NULL;
}

int
http_call(struct ctl *ctl, const char *method, const char *path, json_t *body,
    const char *what, struct http_resp *resp)
{
	char *text = NULL;
	int rc;

	if (body != NULL && (text = json_dumps(body, JSON_COMPACT)) == NULL)
		ctl_oom();
	rc = http_request(ctl, method, path, body ? "application/json" : NULL,
	    text, NULL, 0, NULL, resp);
	jd_free(text);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (resp->status < 200 || resp->status > 299) {
		output_problem(resp, what);
		http_resp_free(resp);
		return CTL_EXIT_API;
	}
	return CTL_EXIT_OK;
}

int
http_fetch_feed(struct ctl *ctl, const char *path, long long since, int page,
    json_t **all)
{
	struct http_resp resp;
	struct buf url = { 0 };
	json_t *items;
	long long next;
	size_t n;
	int rc = CTL_EXIT_OK;

	if ((*all = json_array()) == NULL)
		ctl_oom();
	for (;;) {
		buf_reset(&url);
		if (buf_printf(&url, "%s%ssince=%lld&limit=%d", path,
		    strchr(path, '?') ? "&" : "?", since, page) == -1)
			ctl_oom();
		if ((rc = http_request(ctl, "GET", url.data, NULL, NULL, NULL,
		    0, NULL, &resp)) != CTL_EXIT_OK)
			break;
		items = json_object_get(resp.json, "items");
		if (resp.status != 200 || !json_is_array(items)) {
			output_problem(&resp, NULL);
			http_resp_free(&resp);
			rc = CTL_EXIT_API;
			break;
		}
		n = json_array_size(items);
		if (json_array_extend(*all, items) == -1)
			ctl_oom();
		next = ctl_json_int(resp.json, "next_since", since);
		http_resp_free(&resp);
		/* A short page is the end; so is a cursor that did not move. */
		if (n < (size_t)page || next <= since)
			break;
		since = next;
	}
	buf_free(&url);
	if (rc != CTL_EXIT_OK) {
		json_decref(*all);
		*all = NULL;
	}
	return rc;
}
