/*
 * main.c - jaild: flags, configuration, start-up order, signals, shutdown.
 *
 * Start-up: configuration (embedded defaults < file < flags), data
 * directory, database (create or migrate, integrity check), render cache,
 * writer, waiters, reconciler, listeners; then listen.addr is written and
 * /readyz turns green.  SIGTERM and SIGINT drain in-flight requests, stop
 * the reconciler between steps, leave every jail running and exit 0.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/cache.h"
#include "api/inflight.h"
#include "common/alloc.h"
#include "common/log.h"
#include "db/db.h"
#include "db/store.h"
#include "auth.h"
#include "reconcile.h"
#include "server.h"
#include "waiters.h"
#include "writer.h"

extern const unsigned char jd_openapi_yaml[];
extern const size_t jd_openapi_yaml_len;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: jaild [-dn] [-f file] [--listen ADDR:PORT] [--socket PATH]\n"
	    "             [--data-dir DIR] [--host-backend sim|freebsd]\n"
	    "             [-o key=value] [--version]\n"
	    "  -d                 debug logging\n"
	    "  -n                 check the configuration and exit\n"
	    "  -f file            configuration file%s%s\n"
	    "  --listen ADDR:PORT TCP listener (\"none\" to disable; port 0 picks"
	    " one)\n"
	    "  --socket PATH      unix socket (default DATADIR/jaild.sock)\n"
	    "  --data-dir DIR     database and state (default %s)\n"
	    "  --host-backend B   sim or freebsd (default %s)\n"
	    "  -o key=value       any configuration-file option\n",
	    config_default_file() ? " (default " : "",
	    config_default_file() ? config_default_file() : "",
#ifdef __FreeBSD__
	    "/var/db/jaild", "freebsd"
#else
	    "./var", "sim"
#endif
	    );
}

static int
api_ready(void *arg)
{
	struct server *srv = arg;

	return atomic_load(&srv->ready) && !atomic_load(&srv->stopping);
}

static int
wait_check(void *arg, const char *jail, int64_t gen, int gone)
{
	struct server *srv = arg;

	return api_wait_settled(&srv->api, jail, gen, gone);
}

static void
api_wake(void *arg)
{
	struct server *srv = arg;

	waiters_poke(srv->waiters);
	if (srv->reconciler != NULL)
		reconciler_wake(srv->reconciler);
}

static int
cache_load_cb(void *arg, const struct jail_row *row)
{
	return cache_put(arg, row) == -1 ? -1 : 0;
}

static void
write_listen_addr(const struct server *srv, const char *addr)
{
	char path[CONFIG_STR_MAX + 32], tmp[CONFIG_STR_MAX + 48];
	FILE *f;

	snprintf(path, sizeof(path), "%s/listen.addr", srv->cfg.data_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		log_warn("cannot write %s", tmp);
		return;
	}
	fprintf(f, "%s\n", addr);
	if (fclose(f) != 0 || rename(tmp, path) == -1)
		log_warn("cannot write %s", path);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'L' },
		{ "socket", required_argument, NULL, 'S' },
		{ "data-dir", required_argument, NULL, 'D' },
		{ "host-backend", required_argument, NULL, 'B' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct { const char *key; char *val; } flags[64];
	struct server *srv;
	struct jd_error err;
	const char *file = NULL, *key;
	char *eq;
	int ch, check_only = 0, debug = 0, nflags = 0, i, sig, nreaders;
	sigset_t set;
	sqlite3 *wdb = NULL;

	jd_alloc_init();
	jd_error_clear(&err);
	while ((ch = getopt_long(argc, argv, "dnf:o:hV", longopts, NULL))
	    != -1) {
		key = NULL;
		switch (ch) {
		case 'd': debug = 1; break;
		case 'n': check_only = 1; break;
		case 'f': file = optarg; break;
		case 'L': key = "listen"; break;
		case 'S': key = "socket"; break;
		case 'D': key = "data_dir"; break;
		case 'B': key = "host_backend"; break;
		case 'o':
			eq = strchr(optarg, '=');
			if (eq == NULL) {
				fprintf(stderr, "jaild: -o takes key=value\n");
				return 1;
			}
			*eq = '\0';
			key = optarg;
			optarg = eq + 1;
			break;
		case 'V':
			printf("jaild %s\n", JD_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
		if (key != NULL && nflags < 64) {
			flags[nflags].key = key;
			flags[nflags].val = optarg;
			nflags++;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	srv = jd_calloc(1, sizeof(*srv));
	if (srv == NULL)
		fatalx("out of memory");
	config_defaults(&srv->cfg);
	if (file != NULL || config_default_file() != NULL) {
		if (config_load_file(&srv->cfg, file ? file :
		    config_default_file(), file != NULL, &err) == -1)
			fatalx("%s", err.message);
	}
	for (i = 0; i < nflags; i++)
		if (config_set(&srv->cfg, flags[i].key, flags[i].val,
		    &err) == -1)
			fatalx("%s", err.message);
	if (debug)
		srv->cfg.debug = 1;
	if (config_finish(&srv->cfg, &err) == -1)
		fatalx("configuration: %s", err.message);
	if (check_only) {
		printf("configuration OK%s%s\n", srv->cfg.file[0] ? ": " : "",
		    srv->cfg.file);
		return 0;
	}
	log_init(srv->cfg.debug);

	/* Signals are taken synchronously by this thread only. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if (mkdir(srv->cfg.data_dir, 0700) == -1 && errno != EEXIST)
		fatal("cannot create data directory %s", srv->cfg.data_dir);
	snprintf(srv->db_path, sizeof(srv->db_path), "%s/jaild.db",
	    srv->cfg.data_dir);
	if (db_open(srv->db_path, 1, &wdb, &err) == -1 ||
	    db_migrate(wdb, &err) == -1 ||
	    db_integrity_check(wdb, &err) == -1)
		fatalx("database %s: %s", srv->db_path, err.message);
	if (srv->cfg.db_max_pages > 0) {
		/* A ceiling on the file's size: how the tests make the disk
		 * "full" without filling one. */
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %ld",
		    srv->cfg.db_max_pages);
		if (db_exec(wdb, sql, &err) == -1)
			fatalx("database: %s", err.message);
	}
	if (store_idem_purge(wdb, 24 * 3600, &err) == -1)
		log_warnx("purge idempotency keys: %s", err.message);

	/* The resource layer's view of the process. */
	srv->api.cfg.max_body = (size_t)srv->cfg.max_body;
	srv->api.cfg.max_wait_s = srv->cfg.max_wait_s;
	srv->api.cfg.ndevfs_rulesets = (size_t)config_devfs_rulesets(
	    &srv->cfg, srv->api.cfg.devfs_rulesets, 16);
	snprintf(srv->api.cfg.mount_roots, sizeof(srv->api.cfg.mount_roots),
	    "%s", srv->cfg.mount_roots);
	srv->api.cache = cache_new();
	srv->api.inflight = inflight_new();
	if (srv->api.cache == NULL || srv->api.inflight == NULL)
		fatalx("out of memory");
	if (store_jail_foreach(wdb, cache_load_cb, srv->api.cache, &err) == -1)
		fatalx("load jails: %s", err.message);
	nreaders = (srv->cfg.threads > 0 ? srv->cfg.threads :
	    (int)sysconf(_SC_NPROCESSORS_ONLN)) * 2 + 2;
	if (readers_open(srv->db_path, nreaders, &srv->readers, &err) == -1)
		fatalx("database readers: %s", err.message);
	srv->api.reader = readers_get;
	srv->api.reader_arg = srv->readers;
	srv->api.wake = api_wake;
	srv->api.wake_arg = srv;
	srv->api.ready = api_ready;
	srv->api.ready_arg = srv;
	srv->api.backend_name = srv->cfg.host_backend;
	srv->api.spec = jd_openapi_yaml;
	srv->api.spec_len = jd_openapi_yaml_len;

	/* Credentials: the first admin token, then the TLS identity. */
	if (auth_open(srv, wdb, &srv->auth, &err) == -1)
		fatalx("tokens: %s", err.message);
	srv->api.tokens_changed = auth_reload;
	srv->api.tokens_arg = srv->auth;
	{
		char host[256] = "localhost";
		gethostname(host, sizeof(host) - 1);
		if (tls_prepare(srv->cfg.data_dir, srv->cfg.tls_key,
		    srv->cfg.tls_cert, host, &srv->tls, &err) == -1)
			fatalx("tls: %s", err.message);
	}
	srv->api.tls_fingerprint = srv->tls.fingerprint;
	srv->api.tls_pin = srv->tls.pin;
	if (srv->cfg.listen[0] != '\0' && config_tcp_tls(&srv->cfg))
		log_info("tls: sha256 fingerprint %s, pin %s",
		    srv->tls.fingerprint, srv->tls.pin);
	if (srv->cfg.listen[0] != '\0' && !config_tcp_tls(&srv->cfg) &&
	    !config_listen_is_loopback(&srv->cfg))
		log_warnx("INSECURE: %s speaks plain HTTP off loopback "
		    "(insecure_tcp = yes): tokens cross the network in clear "
		    "text", srv->cfg.listen);

	if (writer_start(wdb, &srv->writer, &err) == -1)
		fatalx("%s", err.message);
	srv->waiters = waiters_new(wait_check, srv);
	if (srv->waiters == NULL)
		fatalx("cannot start the waiter thread");
	if (reconciler_start(srv, &srv->reconciler, &err) == -1)
		fatalx("host backend %s: %s", srv->cfg.host_backend,
		    err.message);
	if (http_start(srv, &srv->http, &err) == -1)
		fatalx("%s", err.message);
	if (http_tcp_addr(srv->http)[0] != '\0') {
		log_info("listening on %s://%s", config_tcp_tls(&srv->cfg) ?
		    "https" : "http", http_tcp_addr(srv->http));
		write_listen_addr(srv, http_tcp_addr(srv->http));
	}
	if (srv->cfg.socket[0] != '\0')
		log_info("listening on unix:%s", srv->cfg.socket);
	log_info("jaild %s ready: %zu jails, data in %s, host backend %s",
	    JD_VERSION, cache_count(srv->api.cache), srv->cfg.data_dir,
	    srv->cfg.host_backend);
	atomic_store(&srv->ready, 1);

	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_warnx("SIGHUP: configuration reload is not "
			    "supported; restart jaild to apply changes");
			continue;
		}
		break;
	}
	log_info("signal %d: draining requests and stopping; jails keep "
	    "running", sig);
	atomic_store(&srv->stopping, 1);
	reconciler_stop(srv->reconciler);
	http_stop(srv->http, 10000);
	{
		/* A stale address must not send clients (and jailctl's
		 * default token) to whoever takes the port next. */
		char path[CONFIG_STR_MAX + 32];
		snprintf(path, sizeof(path), "%s/listen.addr",
		    srv->cfg.data_dir);
		unlink(path);
	}
	waiters_free(srv->waiters);
	writer_stop(srv->writer);
	readers_close(srv->readers);
	auth_close(srv->auth);
	tls_identity_free(&srv->tls);
	cache_free(srv->api.cache);
	inflight_free(srv->api.inflight);
	jd_free(srv);
	log_info("stopped");
	return 0;
}
