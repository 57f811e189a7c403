/*
 * http.c - jailctl's connection to jaild: libcurl over the unix socket or
 * TCP, one easy handle reused for every request of a run (so a paged list
 * or a poll loop keeps its connection), and the progress line shown while
 * a ?wait request is held by the server.
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

/* The opened connection: where jaild is and the handle talking to it. */
struct http_conn {
	CURL	*curl;
	char	*base;		/* "http://localhost" or the --url, no '/' */
	char	*sock;		/* unix socket path, or NULL */
	char	*where;		/* for messages: "unix:PATH" or the URL */
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

/* Decide where jaild is (see http.h) and open the curl handle. */
static int
http_open(struct ctl *ctl)
{
	struct http_conn *c;
	const char *url;
	size_t n;

	if ((c = jd_calloc(1, sizeof(*c))) == NULL)
		ctl_oom();
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
	} else if (access("var/jaild.sock", F_OK) == 0) {
		c->sock = xstrdup("var/jaild.sock");
	} else {
		c->sock = xstrdup("/var/run/jaild.sock");
	}
	if (c->sock != NULL) {
		c->base = xstrdup("http://localhost");
		c->where = xconcat("unix:", c->sock);
	} else
		c->where = xstrdup(c->base);
	if ((c->curl = curl_easy_init()) == NULL)
		ctl_oom();
	ctl->conn = c;
	return 0;
}

void
http_close(struct ctl *ctl)
{
	struct http_conn *c = ctl->conn;

	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	jd_free(c->base);
	jd_free(c->sock);
	jd_free(c->where);
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
		resp->etag[0] = resp->ctype[0] = '\0';
	} else if (n > 5 && strncasecmp(p, "ETag:", 5) == 0) {
		http_header_copy(resp->etag, sizeof(resp->etag), p + 5, n - 5);
	} else if (n > 13 && strncasecmp(p, "Content-Type:", 13) == 0) {
		http_header_copy(resp->ctype, sizeof(resp->ctype), p + 13,
		    n - 13);
	}
	return n;
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

/* Say why the request failed, with a hint when it is the socket. */
static void
http_explain(const struct http_conn *c, CURLcode rc, const char *errbuf,
    long timeout_s)
{
	const char *why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);

	if (rc == CURLE_OPERATION_TIMEDOUT && timeout_s > 0) {
		fprintf(stderr, "jailctl: jaild at %s did not answer within "
		    "%lds (%s)\n", c->where, timeout_s, why);
		return;
	}
	if (c->sock != NULL && access(c->sock, F_OK) == -1) {
		fprintf(stderr, "jailctl: cannot connect to jaild at %s: %s\n",
		    c->where, strerror(errno));
	} else {
		fprintf(stderr, "jailctl: cannot connect to jaild at %s: %s\n",
		    c->where, why);
	}
	fprintf(stderr, "jailctl: is jaild running? "
	    "(see --socket, --url and JAILD_URL)\n");
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

	memset(resp, 0, sizeof(*resp));
	if (ctl->conn == NULL)
		http_open(ctl);
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
	curl_slist_free_all(hdrs);
	jd_free(url);
	if (rc != CURLE_OK) {
		if (rc == CURLE_WRITE_ERROR)
			ctl_oom();
		http_explain(c, rc, errbuf, timeout_s);
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
