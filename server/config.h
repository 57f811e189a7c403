/*
 * config.h - jaild's configuration: one table of options with types,
 * defaults and bounds, read from the configuration file and overridden by
 * command-line flags (DESIGN.md section 2).
 *
 * File format: one `key = value` per line, `#` starts a comment, values may
 * be in double quotes (with \" and \\ escapes).  Keys are the long option
 * names with '_' (data_dir, host_backend, resync_interval_s, ...).
 */
#ifndef JD_CONFIG_H
#define JD_CONFIG_H

#include <stddef.h>

#include "common/error.h"

#define CONFIG_STR_MAX	1024

struct config {
	char	data_dir[CONFIG_STR_MAX];
	char	listen[CONFIG_STR_MAX];		/* "" disables TCP */
	char	socket[CONFIG_STR_MAX];		/* "" = DATADIR/jaild.sock */
	int	socket_mode;			/* octal, 0660 */
	char	host_backend[32];		/* "" = the platform default */
	int	resync_interval_s;
	int	threads;			/* 0 = one per core */
	long	max_body;
	long	max_header;
	int	max_connections;
	int	max_connections_per_ip;
	int	idle_timeout_s;
	int	max_wait_s;
	char	devfs_rulesets[256];		/* "4" or "4,5" */
	char	mount_roots[1024];		/* "/srv,/data" or "" */
	int	debug;
	char	tls[8];				/* auto, on, off */
	char	tls_key[CONFIG_STR_MAX];
	char	tls_cert[CONFIG_STR_MAX];
	int	insecure_tcp;			/* plain HTTP off loopback */
	char	cors_origins[CONFIG_STR_MAX];	/* comma-separated */
	int	request_timeout_s;
	long	db_max_pages;			/* 0: unlimited (tests: disk full) */
	char	file[CONFIG_STR_MAX];		/* where it came from, or "" */
};

/* Embedded defaults. */
void	config_defaults(struct config *c);

/*
 * Read path into c.  A missing file is an error only when required (the
 * user named it with -f).  Errors name the line.
 */
int	config_load_file(struct config *c, const char *path, int required,
	    struct jd_error *err);

/* Set one option by its file key from text; used by the file and flags. */
int	config_set(struct config *c, const char *key, const char *value,
	    struct jd_error *err);

/* Final checks and derived values (socket path, backend); -1 on error. */
int	config_finish(struct config *c, struct jd_error *err);

/* Parse devfs_rulesets into out; returns the count or -1. */
int	config_devfs_rulesets(const struct config *c, int *out, size_t max);

/* Whether the listen address is on loopback (127/8, ::1). */
int	config_listen_is_loopback(const struct config *c);
/* Whether TCP speaks TLS: tls=on, or tls=auto off loopback. */
int	config_tcp_tls(const struct config *c);
/* Whether origin is in cors_origins (exact match). */
int	config_cors_allowed(const struct config *c, const char *origin);

/* The default configuration file for this platform, or NULL. */
const char *config_default_file(void);

#endif
