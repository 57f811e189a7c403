/*
 * ceiling.c - the HTTP ceiling: a bare libmicrohttpd server in jaild's
 * threading mode answering a fixed body.
 *
 * Every HTTP figure of the benchmarks is a ratio to this server measured in
 * the same run, so it copies what jaild's server/http.c does and nothing
 * more: the same daemon flags (internal polling thread pool of one thread
 * per core, poll, suspend/resume, ITC), a listen socket bound by hand (TCP
 * or unix), the same connection limits, no answer queued on the first
 * handler call, and the same headers (Content-Type, ETag, a fresh
 * X-Request-Id per request).  The body is SIZE bytes of valid JSON, taken
 * by run.sh from a real GET of a jail document.
 *
 * usage: bench_ceiling [--listen ADDR:PORT] [--socket PATH] --size N
 *        [--threads N] [--addr-file FILE]
 * The bound TCP address is written to FILE (like jaild's listen.addr);
 * SIGTERM or SIGINT stops it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

struct ceiling {
	char		*body;
	size_t		 size;
	atomic_ullong	 seq;
	unsigned long long seed;
};

/* The marker stored in *con_cls after the first (headers-only) call. */
static int first_call_seen;

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct ceiling *c = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;
	unsigned long long n;
	char id[24];

	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {
		/* Like jaild: never queue on the first call. */
		*con_cls = &first_call_seen;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	n = atomic_fetch_add(&c->seq, 1);
	snprintf(id, sizeof(id), "%016llx", c->seed ^
	    (n * 0x9e3779b97f4a7c15ULL));
	r = MHD_create_response_from_buffer(c->size, c->body,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "application/json");
	MHD_add_response_header(r, "ETag", "\"10042\"");
	MHD_add_response_header(r, "X-Request-Id", id);
	ret = MHD_queue_response(mc, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static int
listen_tcp(const char *spec, char *bound, size_t boundsz)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	char host[64], *colon;
	int fd, one = 1;

	snprintf(host, sizeof(host), "%s", spec);
	colon = strrchr(host, ':');
	if (colon == NULL)
		return -1;
	*colon = '\0';
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return -1;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 1024) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == -1) {
		close(fd);
		return -1;
	}
	snprintf(bound, boundsz, "%s:%u", host, ntohs(sin.sin_port));
	return fd;
}

static int
listen_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, 1024) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The daemon options of jaild's daemon_start, with its defaults. */
static struct MHD_Daemon *
daemon_start(struct ceiling *c, int fd, unsigned threads)
{
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_POLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
	    MHD_USE_ERROR_LOG, 0, NULL, NULL, access_cb, c,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_THREAD_POOL_SIZE, threads,
	    MHD_OPTION_CONNECTION_TIMEOUT, 60U,
	    MHD_OPTION_CONNECTION_LIMIT, 1024U,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0U,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384 + 16384,
	    MHD_OPTION_END);
}

/* A JSON object of exactly size bytes (at least 12). */
static char *
body_make(size_t size)
{
	char *b;

	if (size < 12)
		size = 12;
	b = malloc(size + 1);
	if (b == NULL)
		return NULL;
	memcpy(b, "{\"pad\":\"", 8);
	memset(b + 8, 'x', size - 10);
	memcpy(b + size - 2, "\"}", 3);
	return b;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_ceiling [--listen ADDR:PORT] "
	    "[--socket PATH] --size N [--threads N] [--addr-file FILE]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "socket", required_argument, NULL, 's' },
		{ "size", required_argument, NULL, 'z' },
		{ "threads", required_argument, NULL, 't' },
		{ "addr-file", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct ceiling c;
	struct MHD_Daemon *tcp = NULL, *un = NULL;
	const char *listen_spec = NULL, *sock = NULL, *addr_file = NULL;
	char bound[128] = "", tmp[4096];
	sigset_t set;
	FILE *f;
	long size = 0;
	unsigned threads = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	int ch, fd, sig;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'l': listen_spec = optarg; break;
		case 's': sock = optarg; break;
		case 'z': size = atol(optarg); break;
		case 't': threads = (unsigned)atoi(optarg); break;
		case 'f': addr_file = optarg; break;
		default: usage();
		}
	}
	if (size <= 0 || (listen_spec == NULL && sock == NULL))
		usage();
	if (threads < 1)
		threads = 1;
	memset(&c, 0, sizeof(c));
	c.size = (size_t)(size < 12 ? 12 : size);
	c.body = body_make(c.size);
	c.seed = ((unsigned long long)getpid() << 32) ^
	    (unsigned long long)time(NULL);
	if (c.body == NULL)
		return 1;

	/* Block the stop signals before MHD starts its threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (listen_spec != NULL) {
		fd = listen_tcp(listen_spec, bound, sizeof(bound));
		if (fd == -1 || (tcp = daemon_start(&c, fd, threads)) == NULL) {
			fprintf(stderr, "bench_ceiling: cannot listen on %s: "
			    "%s\n", listen_spec, strerror(errno));
			return 1;
		}
	}
	if (sock != NULL) {
		fd = listen_unix(sock);
		if (fd == -1 || (un = daemon_start(&c, fd, threads)) == NULL) {
			fprintf(stderr, "bench_ceiling: cannot listen on %s: "
			    "%s\n", sock, strerror(errno));
			return 1;
		}
	}
	if (addr_file != NULL) {
		/* Written whole, then renamed: a reader never sees half. */
		snprintf(tmp, sizeof(tmp), "%s.tmp", addr_file);
		f = fopen(tmp, "w");
		if (f == NULL)
			return 1;
		fprintf(f, "%s\n", bound[0] ? bound : sock);
		if (fclose(f) == EOF || rename(tmp, addr_file) == -1)
			return 1;
	}
	sigwait(&set, &sig);
	if (tcp != NULL)
		MHD_stop_daemon(tcp);
	if (un != NULL) {
		MHD_stop_daemon(un);
		unlink(sock);
	}
	free(c.body);
	return 0;
}
