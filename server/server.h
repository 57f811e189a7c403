/*
 * server.h - the process: what main() assembles and the modules share.
 *
 * Threads: MHD's pool threads run the API handlers; one writer thread
 * commits; one waiter thread times out waits; one reconciler thread owns
 * the host backend.  main() handles the signals.
 */
#ifndef JD_SERVER_H
#define JD_SERVER_H

#include <pthread.h>
#include <stdatomic.h>

#include "api/api.h"
#include "config.h"
#include "tls.h"

struct writer;
struct waiters;
struct reconciler;
struct http;
struct readers;
struct auth;

struct server {
	struct config		 cfg;
	struct api_ctx		 api;
	struct writer		*writer;
	struct waiters		*waiters;
	struct readers		*readers;
	struct reconciler	*reconciler;
	struct http		*http;
	struct auth		*auth;
	struct tls_identity	 tls;
	char			 db_path[CONFIG_STR_MAX + 16];
	atomic_int		 ready;
	atomic_int		 stopping;
};

/* readers.c: one reader connection per calling thread, from a pool. */
int	readers_open(const char *path, int n, struct readers **out,
	    struct jd_error *err);
sqlite3	*readers_get(void *readers);	/* api_ctx.reader */
void	readers_close(struct readers *r);

/* http.c: the libmicrohttpd listeners. */
int	http_start(struct server *srv, struct http **out, struct jd_error *err);
/* Stop accepting, answer waiting requests, drain in-flight ones (up to
 * drain_ms), then stop. */
void	http_stop(struct http *h, int drain_ms);
/* The TCP address actually bound ("127.0.0.1:43123"), or "". */
const char *http_tcp_addr(struct http *h);

#endif
