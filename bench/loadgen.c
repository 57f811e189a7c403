/*
 * loadgen.c - a small keep-alive HTTP/1.1 load generator for the benchmarks.
 *
 * Why not only wrk: the same client must drive TCP and unix sockets (jaild,
 * the ceiling and LXD all listen on both), must create distinct jails by
 * PUT (a name from a shared counter, a body from a template), and must tell
 * 2xx from the rest.  N keep-alive connections are spread over T threads,
 * each with its own epoll set; every connection has one request in flight
 * (no pipelining).  Latency goes into a log-linear histogram (~1.5 %
 * resolution) per thread, merged at the end.
 *
 * usage: bench_loadgen (--tcp HOST:PORT | --unix PATH) [-c conns] [-t threads]
 *        [-d seconds] [-n count] [-m method] [-p path] [--body TEMPLATE]
 *        [--prefix P] [-H 'Name: value'] [--json]
 * "{name}" in the path and the body becomes PREFIX followed by a counter
 * that no two requests share.  With -n the run ends after that many
 * requests were answered (or -d passed, whichever comes first).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define HIST_LINEAR	128
#define HIST_SUB	64
#define HIST_BUCKETS	(HIST_LINEAR + 40 * HIST_SUB)
#define MAX_HEADERS	8
#define NSTATUS		600

struct opts {
	const char	*tcp, *unixpath;
	int		 conns, threads, json;
	double		 seconds;
	long		 count;
	const char	*method, *path, *body, *prefix;
	const char	*headers[MAX_HEADERS];
	int		 nheaders;
};

struct stats {
	uint64_t	 hist[HIST_BUCKETS];
	uint64_t	 status[NSTATUS];
	uint64_t	 done, ok, non2xx, errors, reconnects, bytes;
	uint64_t	 max_ns;
};

struct shared {
	const struct opts *o;
	struct sockaddr_storage addr;
	socklen_t	 addrlen;
	atomic_long	 next_name;	/* names handed out */
	atomic_long	 answered;	/* for -n */
	int64_t		 start_ns, deadline_ns;
	char		*get_req;	/* prebuilt when nothing varies */
	size_t		 get_len;
};

struct conn {
	int		 fd;
	char		*out;
	size_t		 outlen, outoff, outcap;
	char		*in;
	size_t		 inlen, incap;
	int64_t		 sent_ns;
	int		 busy;		/* a request is in flight */
};

struct worker {
	struct shared	*sh;
	pthread_t	 tid;
	int		 first, nconns;
	struct conn	*conns;
	struct stats	 st;
};

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- histogram ---- */

static size_t
hist_index(uint64_t v)
{
	int msb, shift;

	if (v < HIST_LINEAR)
		return (size_t)v;
	if (v >= (1ULL << 40))
		v = (1ULL << 40) - 1;
	msb = 63 - __builtin_clzll(v);
	shift = msb - 6;
	return HIST_LINEAR + (size_t)(shift - 1) * HIST_SUB +
	    (size_t)((v >> shift) - HIST_SUB);
}

static uint64_t
hist_value(size_t i)
{
	uint64_t sub;
	int shift;

	if (i < HIST_LINEAR)
		return i;
	shift = (int)((i - HIST_LINEAR) / HIST_SUB) + 1;
	sub = (i - HIST_LINEAR) % HIST_SUB + HIST_SUB;
	return (sub << shift) + (1ULL << shift) / 2;
}

static double
hist_pct_ms(const struct stats *st, double p)
{
	uint64_t total = 0, want, acc = 0;
	size_t i;

	for (i = 0; i < HIST_BUCKETS; i++)
		total += st->hist[i];
	if (total == 0)
		return 0;
	want = (uint64_t)(p * (double)total + 0.999999);
	if (want < 1)
		want = 1;
	for (i = 0; i < HIST_BUCKETS; i++) {
		acc += st->hist[i];
		if (acc >= want)
			return (double)hist_value(i) / 1e6;
	}
	return (double)st->max_ns / 1e6;
}

/* ---- requests ---- */

static int
buf_reserve(char **b, size_t *cap, size_t need)
{
	char *nb;
	size_t ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 4096;
	while (ncap < need)
		ncap *= 2;
	nb = realloc(*b, ncap);
	if (nb == NULL)
		return -1;
	*b = nb;
	*cap = ncap;
	return 0;
}

/* Append s with every "{name}" replaced by name. */
static int
append_subst(char **b, size_t *len, size_t *cap, const char *s,
    const char *name)
{
	const char *p;
	size_t n, nl = strlen(name);

	while (*s != '\0') {
		p = strstr(s, "{name}");
		n = p ? (size_t)(p - s) : strlen(s);
		if (buf_reserve(b, cap, *len + n + nl + 1) == -1)
			return -1;
		memcpy(*b + *len, s, n);
		*len += n;
		if (p == NULL)
			break;
		memcpy(*b + *len, name, nl);
		*len += nl;
		s = p + 6;
	}
	return 0;
}

static int
append_str(char **b, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);

	if (buf_reserve(b, cap, *len + n + 1) == -1)
		return -1;
	memcpy(*b + *len, s, n);
	*len += n;
	return 0;
}

/* Build one request into c->out; name is used for "{name}". */
static int
request_build(const struct opts *o, struct conn *c, const char *name)
{
	char *body = NULL, num[32];
	size_t blen = 0, bcap = 0;
	int i, rc = -1;

	c->outlen = c->outoff = 0;
	if (o->body != NULL &&
	    append_subst(&body, &blen, &bcap, o->body, name) == -1)
		goto done;
	if (append_str(&c->out, &c->outlen, &c->outcap, o->method) == -1 ||
	    append_str(&c->out, &c->outlen, &c->outcap, " ") == -1 ||
	    append_subst(&c->out, &c->outlen, &c->outcap, o->path, name) ==
	    -1 || append_str(&c->out, &c->outlen, &c->outcap,
	    " HTTP/1.1\r\nHost: localhost\r\n") == -1)
		goto done;
	for (i = 0; i < o->nheaders; i++)
		if (append_str(&c->out, &c->outlen, &c->outcap,
		    o->headers[i]) == -1 || append_str(&c->out, &c->outlen,
		    &c->outcap, "\r\n") == -1)
			goto done;
	if (o->body != NULL) {
		snprintf(num, sizeof(num), "%zu", blen);
		if (append_str(&c->out, &c->outlen, &c->outcap,
		    "Content-Type: application/json\r\nContent-Length: ") ==
		    -1 || append_str(&c->out, &c->outlen, &c->outcap, num) ==
		    -1)
			goto done;
	}
	if (append_str(&c->out, &c->outlen, &c->outcap,
	    o->body != NULL ? "\r\n\r\n" : "\r\n") == -1)
		goto done;
	if (body != NULL && (buf_reserve(&c->out, &c->outcap, c->outlen +
	    blen) == -1 || (memcpy(c->out + c->outlen, body, blen), 0)))
		goto done;
	c->outlen += blen;
	rc = 0;
done:
	free(body);
	return rc;
}

static int
varies(const struct opts *o)
{
	return strstr(o->path, "{name}") != NULL ||
	    (o->body != NULL && strstr(o->body, "{name}") != NULL);
}

/* ---- responses ---- */

static const char *
find_crlfcrlf(const char *b, size_t n)
{
	size_t i;

	for (i = 0; i + 3 < n; i++)
		if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' &&
		    b[i + 3] == '\n')
			return b + i;
	return NULL;
}

/*
 * Length of the chunked body at b (n bytes so far), or 0 while
 * incomplete, -1 if malformed.  Trailers are not expected.
 */
static long
chunked_len(const char *b, size_t n)
{
	size_t off = 0, sz;
	char *end;
	const char *lf;

	for (;;) {
		lf = memchr(b + off, '\n', n - off);
		if (lf == NULL)
			return 0;
		sz = strtoul(b + off, &end, 16);
		if (end == b + off)
			return -1;
		off = (size_t)(lf - b) + 1;
		if (sz == 0) {
			if (n - off < 2)
				return 0;
			return (long)(off + 2);
		}
		if (n - off < sz + 2)
			return 0;
		off += sz + 2;
	}
}

/*
 * Whether c->in holds a whole response: 1 and *status, *total, *close
 * set; 0 if more is needed; -1 if it cannot be parsed.
 */
static int
response_parse(const struct conn *c, int *status, size_t *total, int *close)
{
	const char *he, *p, *line, *eol;
	size_t hlen;
	long clen = -1, cl;
	int chunked = 0;

	he = find_crlfcrlf(c->in, c->inlen);
	if (he == NULL)
		return 0;
	hlen = (size_t)(he - c->in) + 4;
	if (c->inlen < 12 || strncmp(c->in, "HTTP/1.", 7) != 0)
		return -1;
	*status = atoi(c->in + 9);
	*close = strncmp(c->in, "HTTP/1.0", 8) == 0;
	line = memchr(c->in, '\n', hlen);
	while (line != NULL && line + 1 < he) {
		p = line + 1;
		eol = memchr(p, '\n', (size_t)(he + 2 - p));
		if (eol == NULL)
			break;
		if (strncasecmp(p, "Content-Length:", 15) == 0)
			clen = strtol(p + 15, NULL, 10);
		else if (strncasecmp(p, "Transfer-Encoding:", 18) == 0 &&
		    strstr(p, "chunked") != NULL && strstr(p, "chunked") < eol)
			chunked = 1;
		else if (strncasecmp(p, "Connection:", 11) == 0) {
			const char *v = p + 11;
			while (*v == ' ')
				v++;
			if (strncasecmp(v, "close", 5) == 0)
				*close = 1;
			else if (strncasecmp(v, "keep-alive", 10) == 0)
				*close = 0;
		}
		line = eol;
	}
	if (*status == 204 || *status == 304 || *status < 200) {
		*total = hlen;
		return 1;
	}
	if (chunked) {
		cl = chunked_len(c->in + hlen, c->inlen - hlen);
		if (cl <= 0)
			return (int)cl;
		*total = hlen + (size_t)cl;
		return 1;
	}
	if (clen < 0)
		return -1;	/* read-to-close bodies are not supported */
	if (c->inlen < hlen + (size_t)clen)
		return 0;
	*total = hlen + (size_t)clen;
	return 1;
}

/* ---- connections ---- */

static int
fcntl_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl == -1 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int
conn_open(struct worker *w, struct conn *c, int ep)
{
	struct shared *sh = w->sh;
	struct epoll_event ev;
	int one = 1, fd;

	fd = socket(sh->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sh->addr, sh->addrlen) == -1) {
		close(fd);
		return -1;
	}
	if (sh->addr.ss_family != AF_UNIX)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* Non-blocking from here: reads and writes go through epoll. */
	if (fcntl_nonblock(fd) == -1) {
		close(fd);
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		close(fd);
		return -1;
	}
	c->fd = fd;
	c->inlen = 0;
	c->busy = 0;
	return 0;
}

static void
conn_close(struct conn *c, int ep)
{
	if (c->fd != -1) {
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	c->busy = 0;
	c->inlen = 0;
}

static void
want_write(struct conn *c, int ep, int on)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | (on ? EPOLLOUT : 0);
	ev.data.ptr = c;
	epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Write what is pending; 0 when all is out or it would block, -1 on error. */
static int
conn_flush(struct conn *c, int ep)
{
	ssize_t n;

	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			want_write(c, ep, 1);
			return 0;
		}
		if (n <= 0)
			return -1;
		c->outoff += (size_t)n;
		if (c->outoff == c->outlen && c->outlen > 0)
			want_write(c, ep, 0);
	}
	return 0;
}

/*
 * Start the next request on c, or leave it idle when the run is over.
 * Returns -1 on a socket error.
 */
static int
conn_send(struct worker *w, struct conn *c, int ep)
{
	struct shared *sh = w->sh;
	const struct opts *o = sh->o;
	char name[96];
	long n;

	if (now_ns() >= sh->deadline_ns)
		return 0;
	if (o->count > 0) {
		n = atomic_fetch_add(&sh->next_name, 1);
		if (n >= o->count)
			return 0;
	} else if (sh->get_req == NULL)
		n = atomic_fetch_add(&sh->next_name, 1);
	else
		n = 0;
	if (sh->get_req != NULL) {
		if (buf_reserve(&c->out, &c->outcap, sh->get_len) == -1)
			return -1;
		memcpy(c->out, sh->get_req, sh->get_len);
		c->outlen = sh->get_len;
		c->outoff = 0;
	} else {
		snprintf(name, sizeof(name), "%s%ld", o->prefix, n);
		if (request_build(o, c, name) == -1)
			return -1;
	}
	c->busy = 1;
	c->sent_ns = now_ns();
	return conn_flush(c, ep);
}

static void
record(struct stats *st, int status, uint64_t ns, size_t bytes)
{
	st->done++;
	st->bytes += bytes;
	if (status >= 200 && status < 300)
		st->ok++;
	else
		st->non2xx++;
	if (status >= 0 && status < NSTATUS)
		st->status[status]++;
	st->hist[hist_index(ns)]++;
	if (ns > st->max_ns)
		st->max_ns = ns;
}

/* Read what is there; answer each complete response.  -1: drop c. */
static int
conn_read(struct worker *w, struct conn *c, int ep)
{
	struct shared *sh = w->sh;
	ssize_t n;
	size_t total = 0, avail;
	int status = 0, close_after = 0, r;
	int64_t t;

	for (;;) {
		if (buf_reserve(&c->in, &c->incap, c->inlen + 16384) == -1)
			return -1;
		avail = c->incap - c->inlen;
		n = recv(c->fd, c->in + c->inlen, avail, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0)
			return -1;
		c->inlen += (size_t)n;
		if ((size_t)n < avail)
			break;		/* drained, most likely */
	}
	if (!c->busy)
		return c->inlen > 0 ? -1 : 0;
	r = response_parse(c, &status, &total, &close_after);
	if (r == 0)
		return 0;
	if (r == -1)
		return -1;
	t = now_ns();
	if (t <= sh->deadline_ns)
		record(&w->st, status, (uint64_t)(t - c->sent_ns), total);
	atomic_fetch_add(&sh->answered, 1);
	memmove(c->in, c->in + total, c->inlen - total);
	c->inlen -= total;
	c->busy = 0;
	if (close_after) {
		conn_close(c, ep);
		if (conn_open(w, c, ep) == -1)
			return -1;
		w->st.reconnects++;
	}
	return conn_send(w, c, ep);
}

static int
all_idle(const struct worker *w)
{
	int i;

	for (i = 0; i < w->nconns; i++)
		if (w->conns[i].busy)
			return 0;
	return 1;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct epoll_event evs[256];
	struct conn *c;
	int ep, i, n, timeout;
	int64_t left;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep == -1) {
		w->st.errors += (uint64_t)w->nconns;
		return NULL;
	}
	for (i = 0; i < w->nconns; i++) {
		c = &w->conns[i];
		c->fd = -1;
		if (conn_open(w, c, ep) == -1 || conn_send(w, c, ep) == -1) {
			w->st.errors++;
			conn_close(c, ep);
		}
	}
	for (;;) {
		left = sh->deadline_ns - now_ns();
		if (left <= 0 || all_idle(w))
			break;
		timeout = (int)(left / 1000000) + 1;
		n = epoll_wait(ep, evs, 256, timeout);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		for (i = 0; i < n; i++) {
			c = evs[i].data.ptr;
			if (c->fd == -1)
				continue;
			if ((evs[i].events & EPOLLOUT) &&
			    conn_flush(c, ep) == -1)
				goto drop;
			if ((evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) &&
			    conn_read(w, c, ep) == -1)
				goto drop;
			continue;
drop:
			/* The request in flight is lost; reconnect. */
			w->st.errors++;
			conn_close(c, ep);
			if (now_ns() < sh->deadline_ns &&
			    conn_open(w, c, ep) == 0) {
				w->st.reconnects++;
				if (conn_send(w, c, ep) == -1) {
					w->st.errors++;
					conn_close(c, ep);
				}
			}
		}
	}
	for (i = 0; i < w->nconns; i++)
		conn_close(&w->conns[i], ep);
	close(ep);
	return NULL;
}

/* ---- set-up and report ---- */

static int
resolve(struct shared *sh, const struct opts *o)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)&sh->addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&sh->addr;
	struct sockaddr_un *un = (struct sockaddr_un *)&sh->addr;
	char host[128], *colon;
	const char *h;

	memset(&sh->addr, 0, sizeof(sh->addr));
	if (o->unixpath != NULL) {
		if (strlen(o->unixpath) >= sizeof(un->sun_path))
			return -1;
		un->sun_family = AF_UNIX;
		memcpy(un->sun_path, o->unixpath, strlen(o->unixpath) + 1);
		sh->addrlen = sizeof(*un);
		return 0;
	}
	snprintf(host, sizeof(host), "%s", o->tcp);
	colon = strrchr(host, ':');
	if (colon == NULL)
		return -1;
	*colon = '\0';
	h = host;
	if (h[0] == '[') {
		h++;
		host[strlen(host) - 1] = '\0';
	}
	if (inet_pton(AF_INET, h, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)atoi(colon + 1));
		sh->addrlen = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, h, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)atoi(colon + 1));
		sh->addrlen = sizeof(*in6);
		return 0;
	}
	return -1;
}

static void
report(const struct opts *o, const struct stats *st, double secs)
{
	int i, first = 1;

	if (!o->json) {
		printf("%s %s: %d connections, %.2f s: %llu answers, "
		    "%.0f 2xx/s, non-2xx %llu, errors %llu, p50 %.3f ms, "
		    "p99 %.3f ms, max %.3f ms\n", o->method, o->path,
		    o->conns, secs, (unsigned long long)st->done,
		    (double)st->ok / secs, (unsigned long long)st->non2xx,
		    (unsigned long long)st->errors, hist_pct_ms(st, 0.50),
		    hist_pct_ms(st, 0.99), (double)st->max_ns / 1e6);
		for (i = 0; i < NSTATUS; i++)
			if (st->status[i] > 0 && (i < 200 || i >= 300))
				printf("  status %d: %llu\n", i,
				    (unsigned long long)st->status[i]);
		return;
	}
	printf("{\"method\":\"%s\",\"connections\":%d,\"seconds\":%.3f,"
	    "\"answers\":%llu,\"ok\":%llu,\"non2xx\":%llu,\"errors\":%llu,"
	    "\"reconnects\":%llu,\"rps\":%.1f,\"p50_ms\":%.4f,"
	    "\"p90_ms\":%.4f,\"p99_ms\":%.4f,\"max_ms\":%.4f,"
	    "\"bytes\":%llu,\"status\":{", o->method, o->conns, secs,
	    (unsigned long long)st->done, (unsigned long long)st->ok,
	    (unsigned long long)st->non2xx, (unsigned long long)st->errors,
	    (unsigned long long)st->reconnects, (double)st->ok / secs,
	    hist_pct_ms(st, 0.50), hist_pct_ms(st, 0.90),
	    hist_pct_ms(st, 0.99), (double)st->max_ns / 1e6,
	    (unsigned long long)st->bytes);
	for (i = 0; i < NSTATUS; i++)
		if (st->status[i] > 0) {
			printf("%s\"%d\":%llu", first ? "" : ",", i,
			    (unsigned long long)st->status[i]);
			first = 0;
		}
	printf("}}\n");
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: bench_loadgen (--tcp HOST:PORT | --unix PATH) [-c conns]\n"
	    "       [-t threads] [-d seconds] [-n count] [-m method] [-p path]\n"
	    "       [--body TEMPLATE] [--prefix P] [-H 'Name: value'] [--json]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "tcp", required_argument, NULL, 'a' },
		{ "unix", required_argument, NULL, 'u' },
		{ "body", required_argument, NULL, 'b' },
		{ "prefix", required_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o;
	struct shared sh;
	struct worker *ws;
	struct stats total;
	struct conn dummy;
	double secs;
	int ch, i, j, per, extra, first;
	size_t k;

	memset(&o, 0, sizeof(o));
	o.conns = 16;
	o.threads = 1;
	o.seconds = 3;
	o.method = "GET";
	o.path = "/";
	o.prefix = "b";
	while ((ch = getopt_long(argc, argv, "c:t:d:n:m:p:H:", lo, NULL)) !=
	    -1) {
		switch (ch) {
		case 'a': o.tcp = optarg; break;
		case 'u': o.unixpath = optarg; break;
		case 'b': o.body = optarg; break;
		case 'P': o.prefix = optarg; break;
		case 'j': o.json = 1; break;
		case 'c': o.conns = atoi(optarg); break;
		case 't': o.threads = atoi(optarg); break;
		case 'd': o.seconds = atof(optarg); break;
		case 'n': o.count = atol(optarg); break;
		case 'm': o.method = optarg; break;
		case 'p': o.path = optarg; break;
		case 'H':
			if (o.nheaders == MAX_HEADERS)
				usage();
			o.headers[o.nheaders++] = optarg;
			break;
		default: usage();
		}
	}
	if ((o.tcp == NULL) == (o.unixpath == NULL) || o.conns < 1 ||
	    o.threads < 1 || o.seconds <= 0)
		usage();
	if (o.threads > o.conns)
		o.threads = o.conns;

	memset(&sh, 0, sizeof(sh));
	sh.o = &o;
	if (resolve(&sh, &o) == -1) {
		fprintf(stderr, "bench_loadgen: bad address\n");
		return 2;
	}
	if (!varies(&o)) {
		memset(&dummy, 0, sizeof(dummy));
		if (request_build(&o, &dummy, "") == -1)
			return 1;
		sh.get_req = dummy.out;
		sh.get_len = dummy.outlen;
	}
	ws = calloc((size_t)o.threads, sizeof(*ws));
	if (ws == NULL)
		return 1;
	per = o.conns / o.threads;
	extra = o.conns % o.threads;
	first = 0;
	sh.start_ns = now_ns();
	sh.deadline_ns = sh.start_ns + (int64_t)(o.seconds * 1e9);
	for (i = 0; i < o.threads; i++) {
		ws[i].sh = &sh;
		ws[i].first = first;
		ws[i].nconns = per + (i < extra ? 1 : 0);
		first += ws[i].nconns;
		ws[i].conns = calloc((size_t)ws[i].nconns, sizeof(struct conn));
		if (ws[i].conns == NULL ||
		    pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]) != 0)
			return 1;
	}
	memset(&total, 0, sizeof(total));
	for (i = 0; i < o.threads; i++) {
		pthread_join(ws[i].tid, NULL);
		for (k = 0; k < HIST_BUCKETS; k++)
			total.hist[k] += ws[i].st.hist[k];
		for (k = 0; k < NSTATUS; k++)
			total.status[k] += ws[i].st.status[k];
		total.done += ws[i].st.done;
		total.ok += ws[i].st.ok;
		total.non2xx += ws[i].st.non2xx;
		total.errors += ws[i].st.errors;
		total.reconnects += ws[i].st.reconnects;
		total.bytes += ws[i].st.bytes;
		if (ws[i].st.max_ns > total.max_ns)
			total.max_ns = ws[i].st.max_ns;
		for (j = 0; j < ws[i].nconns; j++) {
			free(ws[i].conns[j].in);
			free(ws[i].conns[j].out);
		}
		free(ws[i].conns);
	}
	secs = (double)(now_ns() - sh.start_ns) / 1e9;
	if (o.count <= 0 || secs > o.seconds)
		secs = o.seconds;
	report(&o, &total, secs);
	free(ws);
	free(sh.get_req);
	return total.errors > 0 && total.ok == 0 ? 1 : 0;
}
