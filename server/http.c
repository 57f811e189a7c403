/*
 * http.c - the libmicrohttpd adapter: the only file that knows MHD.
 *
 * Two daemons share one access handler: TCP (if configured) and the unix
 * socket, each with its own listen socket (bound here, so port 0 and unix
 * paths work the same way) and an internal pool of polling threads
 * (a single polling thread stalls above ~128 connections here).
 *
 * A request's life: the first call (headers only) allocates its context
 * and never queues a response (MHD 0.9.75 would then close a keep-alive
 * connection); body chunks are collected up to max_body; the final call
 * builds a struct api_request and runs api_handle.  A deferred answer
 * suspends the connection: the writer (and, for ?wait=, the waiter thread)
 * completes it and resumes the connection, whose next handler call queues
 * the finished response.
 */
#if defined(__linux__)
#define _GNU_SOURCE	/* struct ucred for SO_PEERCRED */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api/problem.h"
#include "common/alloc.h"
#include "common/buf.h"
#include "common/log.h"
#include "common/names.h"
#include "common/timeutil.h"
#include "auth.h"
#include "server.h"
#include "waiters.h"
#include "writer.h"

/* One per listener, the access handler's closure. */
struct listener {
	struct http	*h;
	int		 is_unix;
};

/*
 * Every open connection, for the slow-client sweeper: a connection that
 * has not finished a request within request_timeout_s of its start (or of
 * its previous request) is shut down, however slowly it trickles bytes.
 */
struct track {
	int		 fd;
	atomic_int	 busy;		/* a request is being handled */
	atomic_llong	 since;		/* ms: start or last completion */
	struct track	*prev, *next;
};

struct http {
	struct server		*srv;
	struct listener		 lst_tcp, lst_unix;
	pthread_mutex_t		 track_lock;
	struct track		*tracks;
	pthread_t		 sweeper;
	int			 sweeper_started;
	atomic_int		 sweeper_stop;
	struct MHD_Daemon	*tcp;
	struct MHD_Daemon	*unix_d;
	int			 tcp_fd, unix_fd;
	char			 tcp_addr[128];
	atomic_int		 inflight;
	atomic_ullong		 reqseq;
	unsigned long long	 reqseed;
};

struct conn {
	struct http		*h;
	struct listener		*lst;
	struct MHD_Connection	*mc;
	struct api_principal	 principal;
	char			 client_addr[64];
	char			 origin[256];	/* allowed CORS origin, or "" */
	int			 preflight;
	struct buf		 body;
	int			 too_large;
	size_t			 header_bytes;
	int			 suspended;
	int			 ready;		/* resp holds the final answer */
	char			 request_id[72];
	struct api_response	 resp;
	struct api_kv		*query;
	size_t			 nquery, qcap;
};

/* ---- responses ---- */

static enum MHD_Result
queue(struct conn *c)
{
	struct MHD_Response *r;
	struct api_response *a = &c->resp;
	enum MHD_Result ret;
	char num[16];

	if (a->body != NULL && a->body_len > 0)
		r = MHD_create_response_from_buffer(a->body_len, a->body,
		    a->body_static ? MHD_RESPMEM_PERSISTENT :
		    MHD_RESPMEM_MUST_FREE);
	else
		r = MHD_create_response_from_buffer(0, (void *)"",
		    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	if (a->body != NULL && !a->body_static && a->body_len > 0)
		a->body = NULL;		/* MHD owns it now */
	if (a->content_type != NULL && a->status != 204 && a->status != 304)
		MHD_add_response_header(r, "Content-Type", a->content_type);
	if (a->etag[0] != '\0')
		MHD_add_response_header(r, "ETag", a->etag);
	if (a->location[0] != '\0')
		MHD_add_response_header(r, "Location", a->location);
	if (a->allow[0] != '\0')
		MHD_add_response_header(r, "Allow", a->allow);
	if (a->retry_after > 0) {
		snprintf(num, sizeof(num), "%d", a->retry_after);
		MHD_add_response_header(r, "Retry-After", num);
	}
	MHD_add_response_header(r, "X-Request-Id", c->request_id);
	if (a->status == 401)
		MHD_add_response_header(r, "WWW-Authenticate",
		    "Bearer realm=\"jaild\"");
	if (c->origin[0] != '\0') {
		MHD_add_response_header(r, "Access-Control-Allow-Origin",
		    c->origin);
		MHD_add_response_header(r, "Vary", "Origin");
		MHD_add_response_header(r, "Access-Control-Expose-Headers",
		    "ETag, Location, X-Request-Id, Retry-After");
		if (c->preflight) {
			MHD_add_response_header(r,
			    "Access-Control-Allow-Methods", a->allow);
			MHD_add_response_header(r,
			    "Access-Control-Allow-Headers", "Authorization, "
			    "Content-Type, If-Match, If-None-Match, "
			    "Idempotency-Key, Prefer, X-Request-Id");
			MHD_add_response_header(r, "Access-Control-Max-Age",
			    "600");
		}
	}
	ret = MHD_queue_response(c->mc, (unsigned)a->status, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- deferred answers ---- */

static void
resume(struct conn *c)
{
	c->ready = 1;
	MHD_resume_connection(c->mc);
}

static void
wait_fired(void *arg, int settled)
{
	struct conn *c = arg;
	struct server *srv = c->h->srv;
	char jail[64];
	int status = c->resp.wait_status;

	char location[API_LOCATION_MAX];

	snprintf(jail, sizeof(jail), "%s", c->resp.wait_jail);
	snprintf(location, sizeof(location), "%s", c->resp.location);
	api_response_free(&c->resp);
	c->resp.etag[0] = c->resp.location[0] = c->resp.allow[0] = '\0';
	api_wait_answer(&srv->api, jail, settled, status, c->request_id,
	    &c->resp);
	if (c->resp.status == 201)	/* created and settled */
		snprintf(c->resp.location, sizeof(c->resp.location), "%s",
		    location);
	resume(c);
}

static void
write_complete(void *arg, struct api_response *resp)
{
	struct conn *c = arg;
	struct server *srv = c->h->srv;

	(void)resp;
	waiters_poke(srv->waiters);
	if (c->resp.defer == API_DEFER_WAIT && c->resp.wait_ms == 0) {
		/*
		 * wait=0: the state right after the commit.  This runs on the
		 * writer thread, so the reconciler cannot have recorded the
		 * new generation yet: the answer does not depend on a race.
		 */
		wait_fired(c, api_wait_settled(&srv->api, c->resp.wait_jail,
		    c->resp.wait_generation, c->resp.wait_gone));
		return;
	}
	if (c->resp.defer == API_DEFER_WAIT) {
		if (waiters_add(srv->waiters, c->resp.wait_jail,
		    c->resp.wait_generation, c->resp.wait_gone,
		    c->resp.wait_ms, wait_fired, c) == 0)
			return;
		c->resp.defer = API_DEFER_NONE;
	}
	resume(c);
}

/* ---- requests ---- */

static enum http_method
method_of(const char *m)
{
	static const struct { const char *s; enum http_method m; } t[] = {
		{ "GET", HM_GET }, { "POST", HM_POST }, { "PUT", HM_PUT },
		{ "PATCH", HM_PATCH }, { "DELETE", HM_DELETE },
		{ "HEAD", HM_HEAD }, { "OPTIONS", HM_OPTIONS },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(m, t[i].s) == 0)
			return t[i].m;
	return HM_OTHER;
}

static enum MHD_Result
query_it(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct conn *c = cls;
	struct api_kv *nq;

	(void)kind;
	if (c->nquery == 64)
		return MHD_NO;		/* enough; the rest is ignored */
	if (c->nquery == c->qcap) {
		nq = jd_realloc(c->query, (c->qcap ? c->qcap * 2 : 8) *
		    sizeof(*nq));
		if (nq == NULL)
			return MHD_NO;
		c->query = nq;
		c->qcap = c->qcap ? c->qcap * 2 : 8;
	}
	c->query[c->nquery].key = (char *)key;
	c->query[c->nquery].value = (char *)(value ? value : "");
	c->nquery++;
	return MHD_YES;
}

static void
make_request_id(struct conn *c, const char *given)
{
	unsigned long long n;

	if (given != NULL && name_request_id_valid(given)) {
		snprintf(c->request_id, sizeof(c->request_id), "%s", given);
		return;
	}
	n = atomic_fetch_add(&c->h->reqseq, 1);
	snprintf(c->request_id, sizeof(c->request_id), "%016llx",
	    (c->h->reqseed ^ (n * 0x9e3779b97f4a7c15ULL)));
}

static int
query_has_secret(const struct conn *c)
{
	static const char *const keys[] = { "token", "access_token",
	    "api_key", "apikey", "auth", "authorization", NULL };
	size_t i, j;

	for (i = 0; i < c->nquery; i++)
		for (j = 0; keys[j] != NULL; j++)
			if (strcasecmp(c->query[i].key, keys[j]) == 0)
				return 1;
	return 0;
}

static long
peer_uid(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci;
	int fd;

	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci == NULL)
		return -1;
	fd = ci->connect_fd;
#if defined(__linux__)
	{
		struct ucred uc;
		socklen_t len = sizeof(uc);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0)
			return (long)uc.uid;
	}
#else
	{
		uid_t uid;
		gid_t gid;
		if (getpeereid(fd, &uid, &gid) == 0)
			return (long)uid;
	}
#endif
	return -1;
}

static void
client_address(struct conn *c)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	char a[INET6_ADDRSTRLEN];

	if (c->lst->is_unix) {
		snprintf(c->client_addr, sizeof(c->client_addr), "unix");
		return;
	}
	ci = MHD_get_connection_info(c->mc,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	sa = ci ? ci->client_addr : NULL;
	if (sa != NULL && sa->sa_family == AF_INET &&
	    inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)
	    sa)->sin_addr, a, sizeof(a)) != NULL)
		snprintf(c->client_addr, sizeof(c->client_addr), "%s", a);
	else if (sa != NULL && sa->sa_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)
	    sa)->sin6_addr, a, sizeof(a)) != NULL)
		snprintf(c->client_addr, sizeof(c->client_addr), "%s", a);
	else
		snprintf(c->client_addr, sizeof(c->client_addr), "unknown");
}

/* Fill c->principal, or c->resp with a 401 / 429 and return -1. */
static int
authenticate(struct conn *c, const struct api_request *req)
{
	struct auth_input in;
	struct jd_error err;
	int retry = 0;

	memset(&in, 0, sizeof(in));
	in.is_unix = c->lst->is_unix;
	in.peer_uid = in.is_unix ? peer_uid(c->mc) : -1;
	in.authorization = MHD_lookup_connection_value(c->mc,
	    MHD_HEADER_KIND, "Authorization");
	in.client_addr = c->client_addr;
	jd_error_clear(&err);
	if (auth_check(c->h->srv->auth, &in, &c->principal, &err,
	    &retry) == 0)
		return 0;
	problem_from_error(&c->resp, req, &err);
	c->resp.retry_after = retry;
	log_info("auth: refused %s from %s: %s", req->path, c->client_addr,
	    err.message);
	return -1;
}

static enum MHD_Result
handle(struct conn *c, const char *url, const char *method)
{
	struct server *srv = c->h->srv;
	struct api_request req;
	const char *ctype, *origin;

	memset(&req, 0, sizeof(req));
	req.method = method_of(method);
	req.path = url;
	MHD_get_connection_values(c->mc, MHD_GET_ARGUMENT_KIND, query_it, c);
	req.query = c->query;
	req.nquery = c->nquery;
	ctype = MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND,
	    "Content-Type");
	req.content_type = ctype;
	req.if_match = MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND,
	    "If-Match");
	req.if_none_match = MHD_lookup_connection_value(c->mc,
	    MHD_HEADER_KIND, "If-None-Match");
	req.idempotency_key = MHD_lookup_connection_value(c->mc,
	    MHD_HEADER_KIND, "Idempotency-Key");
	req.prefer = MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND,
	    "Prefer");
	req.request_id = c->request_id;
	req.body = c->body.data;
	req.body_len = c->body.len;
	req.client_addr = c->client_addr;
	req.principal = &c->principal;

	origin = MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, "Origin");
	if (origin != NULL && config_cors_allowed(&srv->cfg, origin))
		snprintf(c->origin, sizeof(c->origin), "%s", origin);
	if (req.method == HM_OPTIONS) {
		/* CORS preflight (or a plain OPTIONS): no credential needed,
		 * the answer lists what the path takes. */
		c->preflight = 1;
		api_options(&srv->api, &req, &c->resp);
		if (origin != NULL && c->origin[0] == '\0' &&
		    c->resp.status == 204) {
			problem_set(&c->resp, &req, JD_E_FORBIDDEN, "this "
			    "origin is not in cors_origins", NULL);
		}
		return queue(c);
	}
	if (query_has_secret(c)) {
		struct verrs l = { 0 };
		verrs_add(&l, "/query", "credentials are accepted only in the "
		    "Authorization header, never in the URL");
		problem_set(&c->resp, &req, JD_E_MALFORMED, "a credential in "
		    "the query string is refused", &l);
		verrs_free(&l);
		return queue(c);
	}
	if (authenticate(c, &req) == -1)
		return queue(c);

	if (c->header_bytes > (size_t)srv->cfg.max_header) {
		char d[96];
		snprintf(d, sizeof(d), "the request line and headers are "
		    "larger than %ld bytes", srv->cfg.max_header);
		problem_set(&c->resp, &req, JD_E_HEADERS, d, NULL);
		return queue(c);
	}
	if (c->too_large) {
		char d[96];
		snprintf(d, sizeof(d), "the body is larger than %ld bytes",
		    srv->cfg.max_body);
		problem_set(&c->resp, &req, JD_E_TOOLARGE, d, NULL);
		return queue(c);
	}
	api_handle(&srv->api, &req, &c->resp);
	if (c->resp.defer == API_DEFER_WRITE) {
		struct api_write *w = c->resp.write;
		c->resp.write = NULL;
		c->suspended = 1;
		MHD_suspend_connection(c->mc);
		writer_submit(srv->writer, w, &c->resp, write_complete, c);
		return MHD_YES;
	}
	return queue(c);
}

static enum MHD_Result
header_size(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct conn *c = cls;

	(void)kind;
	c->header_bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct listener *lst = cls;
	struct http *h = lst->h;
	struct conn *c = *con_cls;
	const union MHD_ConnectionInfo *ci;
	const char *cl;

	(void)version;
	if (c == NULL) {
		c = jd_calloc(1, sizeof(*c));
		if (c == NULL)
			return MHD_NO;
		c->h = h;
		c->lst = lst;
		c->mc = mc;
		client_address(c);
		make_request_id(c, MHD_lookup_connection_value(mc,
		    MHD_HEADER_KIND, "X-Request-Id"));
		cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
		    "Content-Length");
		if (cl != NULL && strtoll(cl, NULL, 10) > h->srv->cfg.max_body)
			c->too_large = 1;
		c->header_bytes = strlen(url);
		MHD_get_connection_values(mc, MHD_HEADER_KIND, header_size, c);
		atomic_fetch_add(&h->inflight, 1);
		*con_cls = c;
		return MHD_YES;
	}
	if (c->ready)
		return queue(c);
	if (*upload_data_size > 0) {
		if (!c->too_large) {
			if (c->body.len + *upload_data_size >
			    (size_t)h->srv->cfg.max_body)
				c->too_large = 1;
			else if (buf_append(&c->body, upload_data,
			    *upload_data_size) == -1)
				return MHD_NO;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci != NULL && ci->socket_context != NULL)
		atomic_store(&((struct track *)ci->socket_context)->busy, 1);
	return handle(c, url, method);
}

static void
completed_cb(void *cls, struct MHD_Connection *mc, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct listener *lst = cls;
	struct http *h = lst->h;
	struct conn *c = *con_cls;
	const union MHD_ConnectionInfo *ci;

	(void)toe;
	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci != NULL && ci->socket_context != NULL) {
		struct track *t = ci->socket_context;
		atomic_store(&t->since, time_mono_ms());
		atomic_store(&t->busy, 0);
	}
	if (c == NULL)
		return;
	auth_principal_free(&c->principal);
	buf_free(&c->body);
	api_response_free(&c->resp);
	jd_free(c->query);
	jd_free(c);
	*con_cls = NULL;
	atomic_fetch_sub(&h->inflight, 1);
}

/* ---- listeners ---- */

static int
listen_tcp(const char *spec, char bound[128], size_t boundsz,
    struct jd_error *err)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char host[128], ntop[INET6_ADDRSTRLEN], *colon;
	const char *p;
	long port;
	int fd, one = 1, af;

	memset(&ss, 0, sizeof(ss));
	if (spec[0] == '[') {
		p = strchr(spec, ']');
		if (p == NULL || p[1] != ':')
			return jd_error_set(err, JD_E_INVALID, "listen",
			    "listen: expected [ADDR]:PORT, got \"%s\"", spec);
		snprintf(host, sizeof(host), "%.*s", (int)(p - spec - 1),
		    spec + 1);
		p += 2;
	} else {
		snprintf(host, sizeof(host), "%s", spec);
		colon = strrchr(host, ':');
		if (colon == NULL)
			return jd_error_set(err, JD_E_INVALID, "listen",
			    "listen: expected ADDR:PORT, got \"%s\"", spec);
		*colon = '\0';
		p = spec + (colon - host) + 1;
	}
	port = strtol(p, &colon, 10);
	if (*p == '\0' || *colon != '\0' || port < 0 || port > 65535)
		return jd_error_set(err, JD_E_INVALID, "listen",
		    "listen: bad port in \"%s\"", spec);
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr)
	    == 1) {
		af = AF_INET;
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, host,
	    &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		af = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in6);
	} else
		return jd_error_set(err, JD_E_INVALID, "listen",
		    "listen: \"%s\" is not an IP address", host);
	fd = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return jd_error_sys(err, JD_E_IO, errno, "socket: %s",
		    strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1 ||
	    listen(fd, 1024) == -1) {
		jd_error_sys(err, JD_E_IO, errno, "listen on %s: %s", spec,
		    strerror(errno));
		close(fd);
		return -1;
	}
	sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	if (af == AF_INET) {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
		    ntop, sizeof(ntop));
		snprintf(bound, boundsz, "%s:%u", ntop,
		    ntohs(((struct sockaddr_in *)&ss)->sin_port));
	} else {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
		    ntop, sizeof(ntop));
		snprintf(bound, boundsz, "[%s]:%u", ntop,
		    ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	}
	return fd;
}

static int
listen_unix(const char *path, int mode, struct jd_error *err)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, probe;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return jd_error_set(err, JD_E_INVALID, "socket",
		    "socket path too long: %s", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return jd_error_set(err, JD_E_INVALID, "socket",
			    "%s exists and is not a socket", path);
		/* A live jaild answers; a stale socket is refused. */
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe != -1 && connect(probe, (struct sockaddr *)&sun,
		    sizeof(sun)) == 0) {
			close(probe);
			return jd_error_set(err, JD_E_INVALID, "socket",
			    "%s is in use: is another jaild running?", path);
		}
		if (probe != -1)
			close(probe);
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return jd_error_sys(err, JD_E_IO, errno, "socket: %s",
		    strerror(errno));
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, (mode_t)mode) == -1 || listen(fd, 1024) == -1) {
		jd_error_sys(err, JD_E_IO, errno, "listen on %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
notify_cb(void *cls, struct MHD_Connection *mc, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct listener *lst = cls;
	struct http *h = lst->h;
	const union MHD_ConnectionInfo *ci;
	struct track *t;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		t = jd_calloc(1, sizeof(*t));
		if (t == NULL)
			return;
		ci = MHD_get_connection_info(mc,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		t->fd = ci ? ci->connect_fd : -1;
		atomic_init(&t->busy, 0);
		atomic_init(&t->since, time_mono_ms());
		pthread_mutex_lock(&h->track_lock);
		t->next = h->tracks;
		if (h->tracks != NULL)
			h->tracks->prev = t;
		h->tracks = t;
		pthread_mutex_unlock(&h->track_lock);
		*socket_context = t;
		return;
	}
	t = *socket_context;
	if (t == NULL)
		return;
	pthread_mutex_lock(&h->track_lock);
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		h->tracks = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	pthread_mutex_unlock(&h->track_lock);
	jd_free(t);
	*socket_context = NULL;
}

static void *
sweeper_main(void *arg)
{
	struct http *h = arg;
	struct track *t;
	int64_t now, limit = (int64_t)h->srv->cfg.request_timeout_s * 1000;

	while (!atomic_load(&h->sweeper_stop)) {
		usleep(250000);
		now = time_mono_ms();
		pthread_mutex_lock(&h->track_lock);
		for (t = h->tracks; t != NULL; t = t->next) {
			if (atomic_load(&t->busy) || t->fd < 0 ||
			    now - atomic_load(&t->since) < limit)
				continue;
			/* MHD sees the connection fail and closes it; the
			 * lock keeps the fd from being closed meanwhile. */
			shutdown(t->fd, SHUT_RDWR);
			atomic_store(&t->since, now + 3600 * 1000);
		}
		pthread_mutex_unlock(&h->track_lock);
	}
	return NULL;
}

static struct MHD_Daemon *
daemon_start(struct http *h, int fd, int tcp)
{
	struct config *cfg = &h->srv->cfg;
	struct listener *lst = tcp ? &h->lst_tcp : &h->lst_unix;
	struct MHD_OptionItem o[16];
	unsigned threads = cfg->threads > 0 ? (unsigned)cfg->threads :
	    (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	int n = 0;

	if (threads < 1)
		threads = 1;
	lst->h = h;
	lst->is_unix = !tcp;
#define OPT(k, v, p) o[n++] = (struct MHD_OptionItem){ (k), (intptr_t)(v), (p) }
	OPT(MHD_OPTION_LISTEN_SOCKET, fd, NULL);
	OPT(MHD_OPTION_THREAD_POOL_SIZE, threads, NULL);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, completed_cb, lst);
	OPT(MHD_OPTION_NOTIFY_CONNECTION, notify_cb, lst);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout_s, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL);
	if (tcp && cfg->max_connections_per_ip > 0)
		OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		    cfg->max_connections_per_ip, NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->max_header +
	    16384, NULL);
	if (tcp && h->srv->tls.key_pem != NULL && config_tcp_tls(cfg)) {
		flags |= MHD_USE_TLS;
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, h->srv->tls.key_pem);
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, h->srv->tls.cert_pem);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	return MHD_start_daemon(flags, 0, NULL, NULL, access_cb, lst,
	    MHD_OPTION_ARRAY, o, MHD_OPTION_END);
}

int
http_start(struct server *srv, struct http **out, struct jd_error *err)
{
	struct http *h;

	h = jd_calloc(1, sizeof(*h));
	if (h == NULL)
		return jd_error_set(err, JD_E_NOMEM, NULL, "out of memory");
	h->srv = srv;
	h->tcp_fd = h->unix_fd = -1;
	pthread_mutex_init(&h->track_lock, NULL);
	h->reqseed = ((unsigned long long)getpid() << 32) ^
	    (unsigned long long)time_mono_ms() ^ (unsigned long long)time(NULL);
	if (srv->cfg.listen[0] != '\0') {
		h->tcp_fd = listen_tcp(srv->cfg.listen, h->tcp_addr,
		    sizeof(h->tcp_addr), err);
		if (h->tcp_fd == -1)
			goto fail;
		h->tcp = daemon_start(h, h->tcp_fd, 1);
		if (h->tcp == NULL) {
			jd_error_set(err, JD_E_IO, NULL, "cannot start the "
			    "HTTP listener on %s", h->tcp_addr);
			goto fail;
		}
	}
	if (srv->cfg.socket[0] != '\0') {
		h->unix_fd = listen_unix(srv->cfg.socket, srv->cfg.socket_mode,
		    err);
		if (h->unix_fd == -1)
			goto fail;
		h->unix_d = daemon_start(h, h->unix_fd, 0);
		if (h->unix_d == NULL) {
			jd_error_set(err, JD_E_IO, NULL, "cannot start the "
			    "HTTP listener on %s", srv->cfg.socket);
			goto fail;
		}
	}
	if (pthread_create(&h->sweeper, NULL, sweeper_main, h) == 0)
		h->sweeper_started = 1;
	*out = h;
	return 0;
fail:
	if (h->tcp != NULL)
		MHD_stop_daemon(h->tcp);
	if (h->unix_d != NULL)
		MHD_stop_daemon(h->unix_d);
	if (h->tcp_fd != -1)
		close(h->tcp_fd);
	if (h->unix_fd != -1)
		close(h->unix_fd);
	jd_free(h);
	return -1;
}

const char *
http_tcp_addr(struct http *h)
{
	return h->tcp_addr;
}

void
http_stop(struct http *h, int drain_ms)
{
	int64_t deadline;
	MHD_socket fd;

	if (h == NULL)
		return;
	/* Stop accepting: new connections are refused from here on. */
	if (h->tcp != NULL && (fd = MHD_quiesce_daemon(h->tcp)) != MHD_INVALID_SOCKET)
		close(fd);
	if (h->unix_d != NULL &&
	    (fd = MHD_quiesce_daemon(h->unix_d)) != MHD_INVALID_SOCKET)
		close(fd);
	/* Waiting requests answer with what they have now. */
	waiters_flush(h->srv->waiters);
	deadline = time_mono_ms() + drain_ms;
	while (atomic_load(&h->inflight) > 0 && time_mono_ms() < deadline)
		usleep(10000);
	if (atomic_load(&h->inflight) > 0)
		log_warnx("http: %d requests still open at shutdown",
		    atomic_load(&h->inflight));
	if (h->tcp != NULL)
		MHD_stop_daemon(h->tcp);
	if (h->unix_d != NULL)
		MHD_stop_daemon(h->unix_d);
	if (h->srv->cfg.socket[0] != '\0')
		unlink(h->srv->cfg.socket);
	if (h->sweeper_started) {
		atomic_store(&h->sweeper_stop, 1);
		pthread_join(h->sweeper, NULL);
	}
	pthread_mutex_destroy(&h->track_lock);
	jd_free(h);
}
