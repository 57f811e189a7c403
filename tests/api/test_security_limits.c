/*
 * test_security_limits.c - the limits that keep a hostile or broken client
 * from hurting jaild, against an instance started with small limits
 * (max_body 4096, max_header 2048, request_timeout_s 3):
 *
 *   a body over max_body is a 413 problem (with and without Content-Length);
 *   headers over max_header get MHD's own error, never a 2xx, and jaild
 *   answers afterwards; a credential in the query string is a 400 naming
 *   /query; 11 bad tokens from one address give 429 with Retry-After (other
 *   addresses unaffected); a client sending its request a byte a second is
 *   dropped within request_timeout_s while others are served; 10,000 junk
 *   requests (fixed seed, raw sockets) change nothing but what the valid
 *   requests among them did; jaild exits 0 on SIGTERM (sanitizers clean).
 *
 * A second instance (max_connections_per_ip 4) refuses a fifth concurrent
 * connection from one address and still serves the four it holds.
 *
 * Raw sockets come from other loopback addresses (127.0.0.2, .3, .4) so
 * that the failed-authentication brake they trip never touches the
 * 127.0.0.1 the harness's requests come from.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "tests/lib/check.h"
#include "tests/lib/harness.h"

#define MAX_BODY	4096
#define MAX_HEADER	2048
#define REQ_TIMEOUT_S	3
#define JUNK_COUNT	10000
#define JUNK_SEED	0x5eedULL

static struct jd_instance inst;

/* The port of an instance ("http://127.0.0.1:PORT"). */
static int
port_of(const struct jd_instance *in)
{
	const char *c = strrchr(in->direct, ':');

	return c ? atoi(c + 1) : 0;
}

/* A TCP connection from src (a loopback address) to jaild, or -1. */
static int
raw_connect(const char *src, int port)
{
	struct sockaddr_in sa;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	inet_pton(AF_INET, src, &sa.sin_addr);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	sa.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0) {
			if (w == -1 && errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Case-insensitive strstr (strcasestr is a GNU extension). */
static const char *
find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

/*
 * Read an answer into out (NUL-terminated) until the peer closes, the
 * answer is complete (headers and Content-Length bytes), or timeout_ms
 * passes without data.  Returns the bytes read, or -1 if the connection
 * failed before any byte came.
 */
static long
read_answer(int fd, char *out, size_t outsz, int timeout_ms)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t n = 0;
	ssize_t r;
	const char *eoh, *cl;
	long want;

	out[0] = '\0';
	while (n + 1 < outsz) {
		if (poll(&pfd, 1, timeout_ms) <= 0)
			break;
		r = recv(fd, out + n, outsz - n - 1, 0);
		if (r <= 0) {
			if (r == -1 && n == 0)
				return -1;
			break;
		}
		n += (size_t)r;
		out[n] = '\0';
		eoh = strstr(out, "\r\n\r\n");
		if (eoh == NULL)
			continue;
		cl = find_ci(out, "\r\nContent-Length:");
		want = cl != NULL && cl < eoh ? strtol(cl + 17, NULL, 10) : 0;
		if ((long)(n - (size_t)(eoh + 4 - out)) >= want)
			break;
	}
	return (long)n;
}

/* The status of an HTTP answer in buf, or 0. */
static int
status_of(const char *buf)
{
	if (strncmp(buf, "HTTP/1.", 7) != 0 || strlen(buf) < 12)
		return 0;
	return atoi(buf + 9);
}

/* One raw request from src; the answer in out; returns its status or 0. */
static int
raw_request(const char *src, const char *req, size_t len, char *out,
    size_t outsz)
{
	int fd = raw_connect(src, port_of(&inst)), st = 0;

	if (fd == -1)
		return 0;
	if (send_all(fd, req, len) == 0 &&
	    read_answer(fd, out, outsz, 3000) > 0)
		st = status_of(out);
	close(fd);
	return st;
}

static void
check_alive(void)
{
	struct http_resp *r = http_get(inst.url, "/healthz");

	CHECK_INT(r->status, 200);
	http_free(r);
}

/* ---- bodies and headers ---- */

static void
test_body(void)
{
	char *body, req[512], ans[4096];
	struct http_resp r;
	size_t pad;
	int st;

	/* Just over the limit, a valid document otherwise. */
	pad = MAX_BODY + 100;
	body = malloc(pad + 200);
	CHECK(body != NULL);
	snprintf(body, pad + 200, "{\"name\":\"big\",\"path\":"
	    "\"/usr/local/jails/big\",\"labels\":{\"pad\":\"%0*d\"}}",
	    (int)pad, 0);
	CHECK(http_do(inst.url, "POST", "/v1/jails", NULL, body, NULL,
	    &r) == 0);
	CHECK_INT(r.status, 413);
	CHECK_STR(json_string_value(jptr(r.json, "/code")),
	    "payload_too_large");
	http_resp_free(&r);
	r.status = 0;
	/* Under the limit it is judged on its content (the label is too
	 * long), not its size. */
	snprintf(body, pad + 200, "{\"name\":\"big\",\"path\":"
	    "\"/usr/local/jails/big\",\"labels\":{\"pad\":\"%0*d\"}}",
	    MAX_BODY - 200, 0);
	CHECK(http_do(inst.url, "POST", "/v1/jails", NULL, body, NULL,
	    &r) == 0);
	CHECK_INT(r.status, 422);
	http_resp_free(&r);

	/* Chunked, no Content-Length: counted as it arrives. */
	snprintf(req, sizeof(req), "POST /v1/jails HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
	    "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
	    inst.token);
	{
		char *raw = malloc(pad + 1024);
		size_t n;

		CHECK(raw != NULL);
		/* the big body again, over the limit */
		snprintf(body, pad + 200, "{\"name\":\"big\",\"path\":"
		    "\"/usr/local/jails/big\",\"labels\":{\"pad\":\"%0*d\"}}",
		    (int)pad, 0);
		n = (size_t)snprintf(raw, pad + 1024, "%s%zx\r\n%s\r\n0\r\n\r\n",
		    req, strlen(body), body);
		st = raw_request("127.0.0.1", raw, n, ans, sizeof(ans));
		free(raw);
	}
	CHECK_INT(st, 413);
	CHECK_CONTAINS(ans, "application/problem+json");
	free(body);

	/* Nothing was created by any of it. */
	CHECK(http_do(inst.url, "GET", "/v1/jails/big", NULL, NULL, NULL,
	    &r) == 0);
	CHECK_INT(r.status, 404);
	http_resp_free(&r);
}

/*
 * Findings checked only at the end, so that one broken limit does not hide
 * what the rest of the test would show.
 */
struct late {
	int	header_accepted;	/* size of a header that got a 2xx */
	int	junk_5xx;		/* junk answered with a 5xx */
	long	bad_name;		/* status for a non-UTF-8 jail name */
};

static void
test_header(struct late *late)
{
	static const int sizes[] = { MAX_HEADER + 512, 64 * 1024 };
	char *req, ans[4096];
	size_t i, n;
	int st;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		req = malloc((size_t)sizes[i] + 512);
		CHECK(req != NULL);
		n = (size_t)snprintf(req, (size_t)sizes[i] + 512,
		    "GET /v1/jails HTTP/1.1\r\nHost: x\r\n"
		    "Authorization: Bearer %s\r\nX-Big: %0*d\r\n"
		    "Connection: close\r\n\r\n", inst.token, sizes[i], 0);
		st = raw_request("127.0.0.1", req, n, ans, sizeof(ans));
		free(req);
		printf("# header of %d bytes -> %d\n", sizes[i], st);
		/* Refused: an error status, or the connection closed. */
		if (!(st == 0 || (st >= 400 && st < 500)))
			late->header_accepted = sizes[i];
		check_alive();
	}
}

static void
test_query_secret(void)
{
	static const char *const paths[] = { "/v1/jails?token=abc",
	    "/v1/host?access_token=abc", "/v1/events?api_key=abc" };
	struct http_resp r;
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		CHECK(http_do(inst.url, "GET", paths[i], NULL, NULL, NULL,
		    &r) == 0);
		CHECK_INT(r.status, 400);
		CHECK_STR(json_string_value(jptr(r.json, "/code")),
		    "malformed");
		CHECK_STR(json_string_value(jptr(r.json, "/errors/0/field")),
		    "/query");
		http_resp_free(&r);
	}
}

/* A jail name that is not UTF-8 (straight to jaild: prism would judge
 * the path itself) is a client error like any other bad name. */
static void
test_bad_name(struct late *late)
{
	struct http_resp r;

	CHECK(http_do(inst.direct, "GET", "/v1/jails/%ff%fe", NULL, NULL,
	    NULL, &r) == 0);
	printf("# GET /v1/jails/%%ff%%fe -> %ld: %s\n", r.status, r.body);
	late->bad_name = r.status;
	http_resp_free(&r);
	check_alive();
}

/* ---- guessing ---- */

static void
test_brute_force(void)
{
	char req[512], ans[4096];
	const char *ra;
	int i, st, n;

	for (i = 1; i <= 11; i++) {
		n = snprintf(req, sizeof(req), "GET /v1/jails HTTP/1.1\r\n"
		    "Host: x\r\nAuthorization: Bearer jd_guess%040d\r\n"
		    "Connection: close\r\n\r\n", i);
		st = raw_request("127.0.0.2", req, (size_t)n, ans,
		    sizeof(ans));
		CHECK_INT(st, i <= 10 ? 401 : 429);
	}
	CHECK_CONTAINS(ans, "application/problem+json");
	CHECK_CONTAINS(ans, "rate_limited");
	ra = find_ci(ans, "\r\nRetry-After:");
	CHECK(ra != NULL);
	CHECK(atoi(ra + 14) >= 1 && atoi(ra + 14) <= 60);

	/* From there even the right token waits... */
	n = snprintf(req, sizeof(req), "GET /v1/jails HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer %s\r\nConnection: close\r\n\r\n",
	    inst.token);
	CHECK_INT(raw_request("127.0.0.2", req, (size_t)n, ans, sizeof(ans)),
	    429);
	/* ...while another address is served. */
	CHECK_INT(raw_request("127.0.0.5", req, (size_t)n, ans, sizeof(ans)),
	    200);
	check_alive();
}

/* ---- slow clients ---- */

static void
test_slow_client(void)
{
	static const char slow[] = "GET /v1/jails HTTP/1.1\r\nHost: slow\r\n"
	    "User-Agent: one-byte-a-second\r\nAccept: */*\r\n\r\n";
	struct pollfd pfd;
	char c;
	int fd, dropped = 0;
	size_t i;
	int64_t t0, t;

	fd = raw_connect("127.0.0.1", port_of(&inst));
	CHECK(fd != -1);
	t0 = harness_now_ms();
	for (i = 0; i < sizeof(slow) - 1 && !dropped; i++) {
		if (send(fd, slow + i, 1, MSG_NOSIGNAL) != 1) {
			dropped = 1;
			break;
		}
		/* The others are served meanwhile. */
		check_alive();
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, 1000) > 0) {
			ssize_t r = recv(fd, &c, 1, 0);
			if (r <= 0)
				dropped = 1;
			else {
				printf("# the slow request got an answer\n");
				break;
			}
		}
		if (harness_now_ms() - t0 > (REQ_TIMEOUT_S + 10) * 1000)
			break;
	}
	t = harness_now_ms() - t0;
	close(fd);
	printf("# slow client dropped after %lld ms\n", (long long)t);
	CHECK(dropped);
	/* Within the timeout (plus the sweep and one byte's interval), and
	 * not before it. */
	CHECK(t >= (REQ_TIMEOUT_S - 1) * 1000);
	CHECK(t <= (REQ_TIMEOUT_S + 2) * 1000);
	check_alive();
}

/* ---- junk ---- */

struct rng {
	uint64_t	s;
};

static uint64_t
rng_next(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

static unsigned
rng_below(struct rng *r, unsigned n)
{
	return (unsigned)(rng_next(r) % n);
}

struct out {
	char	*p;
	size_t	 n, cap;
};

static void
put(struct out *o, const void *s, size_t n)
{
	if (o->n + n >= o->cap)
		n = o->cap - o->n - 1;
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = '\0';
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
put_random(struct out *o, struct rng *r, size_t n, int printable)
{
	char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = printable ? (char)(0x21 + rng_below(r, 94)) :
		    (char)rng_below(r, 256);
		put(o, &c, 1);
	}
}

static const char *const junk_methods[] = { "GET", "POST", "PUT", "PATCH",
	"DELETE", "OPTIONS", "HEAD", "BREW", "TRACE", "CONNECT", "get",
	"P\x01ST", "PROPFIND", "", "GET GET", "POST\t" };
static const char *const safe_methods[] = { "GET", "POST", "PUT", "PATCH",
	"OPTIONS", "HEAD", "BREW", "TRACE", "get" };
static const char *const junk_paths[] = { "/v1/jails", "/v1/jails/fz1",
	"/v1/jails/fz2", "/v1/jails/fz1/start", "/v1/jails/fz2/stop",
	"/v1/jails/fz3/restart", "/v1/host", "/v1/host/prisons",
	"/v1/host/prisons/fz1/adopt", "/v1/host/params", "/v1/events",
	"/v1/tokens", "/v1/tokens/0123456789abcdef", "/v1/audit",
	"/healthz", "/readyz", "/openapi.yaml", "/", "*", "/v1/jails/..",
	"/v1/jails/%00", "/v1/jails/fz1%2f..", "//v1//jails",
	"/v1/jails?limit=-1", "/v1/jails?cursor=zz", "/v1/jails?wait=99999",
	"/v1/events?since=-5&limit=0", "/v1/jails/fz1?wait=abc",
	"http://x/v1/jails", "/v1/jails/\xff\xfe" };
static const char *const junk_headers[] = { "Content-Type: application/json",
	"Content-Type: application/merge-patch+json", "Content-Type: text/\x01",
	"Content-Length: -1", "Content-Length: 99999999999999999999",
	"Content-Length: 5, 7", "Transfer-Encoding: chunked",
	"Transfer-Encoding: gzip, chunked", "If-Match: \"\"",
	"If-Match: *", "If-None-Match: W/\"1\"", "Idempotency-Key: \x7f",
	"Prefer: wait=-1", "Prefer: wait=99999999999", "X-Request-Id: ../..",
	"Origin: null", "Expect: 100-continue", "Host:", ":", "Foo",
	"Authorization: Basic YTpi", "Authorization: Bearer",
	"Authorization: Bearer jd_nope", "Authorization: Bearer \xff",
	"Accept: application/xml" };
static const char *const doc_prefix[] = {
	"{\"name\":\"fz9\",\"path\":\"/usr/local/jails/fz9\",\"params\":{",
	"{\"labels\":{\"a\":\"\xc3\x28\"", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
	"{\"name\":\"fz1\",\"name\":\"fz1\"", "{\"state\":\"running\"",
	"{\"name\":\"x\",\"scope\":\"admin\"", "{\"exec\":{\"prestart\":[" };

/* A body that is never valid JSON: junk bytes or a cut-off document. */
static void
junk_body(struct out *b, struct rng *r)
{
	const char *d;
	size_t cut;

	switch (rng_below(r, 3)) {
	case 0:
		puts_(b, "\x01");
		put_random(b, r, rng_below(r, 300), 0);
		break;
	case 1:
		d = doc_prefix[rng_below(r, sizeof(doc_prefix) /
		    sizeof(doc_prefix[0]))];
		cut = 1 + rng_below(r, (unsigned)strlen(d));
		put(b, d, cut);
		break;
	default:
		puts_(b, "{\"");
		put_random(b, r, rng_below(r, 200), 1);
		break;
	}
}

/*
 * One junk request into o.  With a valid token (valid != 0) it never
 * deletes and always carries a non-JSON body, so it can change nothing;
 * otherwise anything goes.  Sets *incomplete when the server may be left
 * waiting for more bytes.
 */
static void
junk_request(struct out *o, struct rng *r, int valid, int *incomplete)
{
	char body_buf[2048], line[256];
	struct out b = { body_buf, 0, sizeof(body_buf) };
	const char *m;
	unsigned k, nh, i;

	*incomplete = 0;
	o->n = 0;
	o->p[0] = '\0';
	if (!valid && rng_below(r, 10) == 0) {
		/* Not HTTP at all. */
		put_random(o, r, 1 + rng_below(r, 1500), 0);
		*incomplete = 1;
		return;
	}
	m = valid ? safe_methods[rng_below(r, sizeof(safe_methods) /
	    sizeof(safe_methods[0]))] : junk_methods[rng_below(r,
	    sizeof(junk_methods) / sizeof(junk_methods[0]))];
	puts_(o, m);
	puts_(o, " ");
	puts_(o, junk_paths[rng_below(r, sizeof(junk_paths) /
	    sizeof(junk_paths[0]))]);
	if (rng_below(r, 4) == 0)
		put_random(o, r, rng_below(r, 40), 1);
	k = rng_below(r, 20);
	puts_(o, k == 0 ? " HTTP/9.9\r\n" : k == 1 ? "\r\n" : k == 2 ?
	    " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
	puts_(o, "Host: junk\r\nConnection: close\r\n");
	if (valid) {
		snprintf(line, sizeof(line), "Authorization: Bearer %s\r\n",
		    inst.token);
		puts_(o, line);
	}
	nh = rng_below(r, 6);
	for (i = 0; i < nh; i++) {
		if (valid && rng_below(r, 3) != 0)
			puts_(o, rng_below(r, 2) ? "Content-Type: "
			    "application/json\r\n" : "Content-Type: "
			    "application/merge-patch+json\r\n");
		else if (rng_below(r, 4) == 0) {
			put_random(o, r, 1 + rng_below(r, 30), 1);
			puts_(o, ": ");
			put_random(o, r, rng_below(r, 300), 0);
			puts_(o, "\r\n");
		} else {
			const char *h = junk_headers[rng_below(r,
			    sizeof(junk_headers) / sizeof(junk_headers[0]))];
			int framing = strstr(h, "Content-Length") != NULL ||
			    strstr(h, "Transfer-Encoding") != NULL ||
			    strstr(h, "Expect") != NULL;
			/* A request with the valid token keeps its one
			 * credential (never a failed one) and its junk body
			 * (without framing junk it could lose the body and
			 * become a real action). */
			if (valid && (framing ||
			    strncmp(h, "Authorization", 13) == 0))
				continue;
			if (framing)
				*incomplete = 1;
			puts_(o, h);
			puts_(o, "\r\n");
		}
	}
	junk_body(&b, r);
	if (!*incomplete) {
		snprintf(line, sizeof(line), "Content-Length: %zu\r\n", b.n);
		puts_(o, line);
	}
	puts_(o, "\r\n");
	put(o, b.p, b.n);
}

/* Print a junk request and its answer, escaped, for the report. */
static void
show_junk(int i, int st, const struct out *o, const char *ans)
{
	const char *body = strstr(ans, "\r\n\r\n");
	size_t k, tl = strlen(inst.token);

	printf("# junk %d -> %d %s\n# request: ", i, st, body ? body + 4 :
	    "");
	for (k = 0; k < o->n && k < 600; k++) {
		unsigned char c = (unsigned char)o->p[k];
		/* the token stays out of test logs */
		if (tl > 0 && k + tl <= o->n &&
		    memcmp(o->p + k, inst.token, tl) == 0) {
			printf("TOKEN");
			k += tl - 1;
			continue;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	putchar('\n');
}

/* The jails and the newest event id, for the before/after comparison. */
static json_t *
snapshot_jails(void)
{
	struct http_resp r;
	json_t *items;

	CHECK(http_do(inst.url, "GET", "/v1/jails?limit=1000", NULL, NULL,
	    NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	items = json_incref(jptr(r.json, "/items"));
	http_resp_free(&r);
	return items;
}

static json_t *
jail_in(json_t *items, const char *name)
{
	json_t *it;
	size_t i;

	json_array_foreach(items, i, it)
		if (strcmp(json_string_value(json_object_get(it, "name")),
		    name) == 0)
			return it;
	return NULL;
}

static long long
newest_id(const char *path)
{
	struct http_resp r;
	long long id = 0;
	json_t *it;
	size_t i;

	CHECK(http_do(inst.url, "GET", path, NULL, NULL, NULL, &r) == 0);
	CHECK_INT(r.status, 200);
	json_array_foreach(jptr(r.json, "/items"), i, it)
		if (json_integer_value(json_object_get(it, "id")) > id)
			id = json_integer_value(json_object_get(it, "id"));
	http_resp_free(&r);
	return id;
}

static void
test_junk(struct late *late)
{
	static const char *const names[] = { "fz1", "fz2", "fz3" };
	struct rng rng = { JUNK_SEED };
	struct out o;
	struct http_resp r;
	json_t *before, *after, *it;
	char body[256], path[128], ans[8192];
	long long ev0, au0;
	int i, valid, incomplete, fd, st, patches = 0, answered = 0;
	int fivexx = 0;
	int64_t t0 = harness_now_ms();
	size_t k;

	for (k = 0; k < 3; k++) {
		snprintf(body, sizeof(body), "{\"name\":\"%s\",\"path\":"
		    "\"/usr/local/jails/%s\"}", names[k], names[k]);
		CHECK(http_do(inst.url, "POST", "/v1/jails", NULL, body, NULL,
		    &r) == 0);
		CHECK_INT(r.status, 201);
		http_resp_free(&r);
	}
	/* Let the reconciler settle them so only requests move them. */
	for (k = 0; k < 3; k++) {
		snprintf(path, sizeof(path), "/v1/jails/%s", names[k]);
		CHECK(http_wait_field(inst.url, path, "/status/phase",
		    "stopped", 10000) == 0);
	}
	before = snapshot_jails();
	ev0 = newest_id("/v1/events?limit=1000");
	au0 = newest_id("/v1/audit?limit=1000");

	o.cap = 8192;
	o.p = malloc(o.cap);
	CHECK(o.p != NULL);
	for (i = 0; i < JUNK_COUNT; i++) {
		if (i % 1000 == 500) {
			/* A valid change among the junk. */
			snprintf(body, sizeof(body), "{\"labels\":{\"round\":"
			    "\"r%d\"}}", i);
			CHECK(http_do(inst.url, "PATCH", "/v1/jails/fz1",
			    "application/merge-patch+json", body, NULL,
			    &r) == 0);
			CHECK_INT(r.status, 200);
			http_resp_free(&r);
			patches++;
		}
		valid = rng_below(&rng, 3) == 0;
		junk_request(&o, &rng, valid, &incomplete);
		fd = raw_connect(valid ? "127.0.0.4" : "127.0.0.3",
		    port_of(&inst));
		if (fd == -1) {
			harness_msleep(10);
			continue;
		}
		if (send_all(fd, o.p, o.n) == 0) {
			if (incomplete)
				shutdown(fd, SHUT_WR);
			if (read_answer(fd, ans, sizeof(ans), incomplete ?
			    300 : 2000) > 0) {
				st = status_of(ans);
				answered++;
				if (st >= 500 && st != 505) {
					/* 505 is MHD's answer to HTTP/9.9 */
					fivexx++;
					if (fivexx <= 3)
						show_junk(i, st, &o, ans);
				}
			}
		}
		close(fd);
		if (harness_now_ms() - t0 > 60000)
			break;
	}
	free(o.p);
	printf("# %d junk requests in %lld ms, %d answered\n", i,
	    (long long)(harness_now_ms() - t0), answered);
	CHECK_INT(i, JUNK_COUNT);
	CHECK(answered > JUNK_COUNT / 2);

	/* Alive, and nothing moved but what the valid requests did. */
	CHECK_INT(waitpid(inst.pid, NULL, WNOHANG), 0);
	check_alive();
	after = snapshot_jails();
	CHECK_INT(json_array_size(after), json_array_size(before));
	for (k = 1; k < 3; k++)
		CHECK(json_equal(jail_in(before, names[k]),
		    jail_in(after, names[k])));
	it = jail_in(after, "fz1");
	CHECK(it != NULL);
	snprintf(body, sizeof(body), "r%d", (patches - 1) * 1000 + 500);
	CHECK_STR(json_string_value(jptr(it, "/labels/round")), body);
	CHECK_INT(json_object_size(jptr(it, "/labels")), 1);
	CHECK_INT(json_integer_value(jptr(it, "/generation")),
	    json_integer_value(jptr(jail_in(before, "fz1"), "/generation")) +
	    patches);
	json_decref(before);
	json_decref(after);

	/* Every new event is about fz1; every new audit row is a patch. */
	snprintf(path, sizeof(path), "/v1/events?since=%lld&limit=1000", ev0);
	CHECK(http_do(inst.url, "GET", path, NULL, NULL, NULL, &r) == 0);
	CHECK(json_array_size(jptr(r.json, "/items")) >= (size_t)patches);
	json_array_foreach(jptr(r.json, "/items"), k, it)
		CHECK_STR(json_string_value(json_object_get(it, "jail")),
		    "fz1");
	http_resp_free(&r);
	snprintf(path, sizeof(path), "/v1/audit?since=%lld&limit=1000", au0);
	CHECK(http_do(inst.url, "GET", path, NULL, NULL, NULL, &r) == 0);
	CHECK_INT(json_array_size(jptr(r.json, "/items")), patches);
	json_array_foreach(jptr(r.json, "/items"), k, it) {
		CHECK_STR(json_string_value(json_object_get(it, "method")),
		    "PATCH");
		CHECK_STR(json_string_value(json_object_get(it, "resource")),
		    "jail:fz1");
	}
	http_resp_free(&r);
	late->junk_5xx = fivexx;
}

/* ---- connections per address ---- */

static void
test_per_ip(void)
{
	static const char *const extra[] = { "-o", "max_connections_per_ip=4",
	    NULL };
	struct jd_instance b;
	char req[512], ans[4096];
	int fds[4], fifth, i, n, st;
	long got;

	CHECK(harness_start(&b, NULL, extra, 0) == 0);
	harness_msleep(200);	/* the harness's own connection is gone */
	for (i = 0; i < 4; i++) {
		fds[i] = raw_connect("127.0.0.6", port_of(&b));
		CHECK(fds[i] != -1);
	}
	harness_msleep(300);
	n = snprintf(req, sizeof(req), "GET /healthz HTTP/1.1\r\nHost: x\r\n"
	    "\r\n");
	/* The fifth is accepted by the kernel and closed by jaild. */
	fifth = raw_connect("127.0.0.6", port_of(&b));
	st = 0;
	if (fifth != -1) {
		send_all(fifth, req, (size_t)n);
		got = read_answer(fifth, ans, sizeof(ans), 2000);
		st = got > 0 ? status_of(ans) : 0;
		close(fifth);
	}
	printf("# fifth connection: %s\n", st ? ans : "closed");
	CHECK_INT(st, 0);
	/* The four it holds are served. */
	for (i = 0; i < 4; i++) {
		CHECK(send_all(fds[i], req, (size_t)n) == 0);
		CHECK(read_answer(fds[i], ans, sizeof(ans), 2000) > 0);
		CHECK_INT(status_of(ans), 200);
	}
	/* Other addresses are not limited by them. */
	fifth = raw_connect("127.0.0.7", port_of(&b));
	CHECK(fifth != -1);
	CHECK(send_all(fifth, req, (size_t)n) == 0);
	CHECK(read_answer(fifth, ans, sizeof(ans), 2000) > 0);
	CHECK_INT(status_of(ans), 200);
	close(fifth);
	/* One goes; a new one from the address is served again. */
	close(fds[0]);
	harness_msleep(300);
	fifth = raw_connect("127.0.0.6", port_of(&b));
	CHECK(fifth != -1);
	CHECK(send_all(fifth, req, (size_t)n) == 0);
	CHECK(read_answer(fifth, ans, sizeof(ans), 2000) > 0);
	CHECK_INT(status_of(ans), 200);
	close(fifth);
	for (i = 1; i < 4; i++)
		close(fds[i]);
	CHECK_INT(harness_kill(&b, SIGTERM), 0);
	harness_stop(&b);
}

static void
check_log_clean(const char *log)
{
	char line[4096];
	FILE *f = fopen(log, "r");
	int bad = 0;

	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, "AddressSanitizer") != NULL ||
		    strstr(line, "LeakSanitizer") != NULL ||
		    strstr(line, "runtime error:") != NULL) {
			printf("# %s", line);
			bad++;
		}
	fclose(f);
	CHECK_INT(bad, 0);
}

int
main(void)
{
	static const char *const extra[] = { "-o", "max_body=4096",
	    "-o", "max_header=2048", "-o", "request_timeout_s=3", NULL };
	struct late late = { 0, 0, 0 };
	char log[300];

	if (harness_start(&inst, NULL, extra, 1) == -1) {
		printf("not ok - harness_start\n");
		return 1;
	}
	test_body();
	test_header(&late);
	test_query_secret();
	test_bad_name(&late);
	test_brute_force();
	test_slow_client();
	test_junk(&late);
	snprintf(log, sizeof(log), "%s", inst.log);
	CHECK_INT(harness_kill(&inst, SIGTERM), 0);
	check_log_clean(log);
	harness_stop(&inst);
	test_per_ip();
	/* max_header is the limit, not max_header plus slack. */
	CHECK_INT(late.header_accepted, 0);
	/* Junk is the client's fault: never an internal error. */
	CHECK_INT(late.bad_name, 404);
	CHECK_INT(late.junk_5xx, 0);
	return check_done();
}
