/*
 * config.c - the option table and the configuration-file reader.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "prison/host.h"

enum opt_type { OT_STR, OT_INT, OT_LONG, OT_BOOL, OT_OCTAL };

static const struct opt {
	const char	*key;
	enum opt_type	 type;
	size_t		 off;
	size_t		 size;		/* for strings */
	long		 min, max;
} opts[] = {
#define S(k) #k, OT_STR, offsetof(struct config, k), \
	sizeof(((struct config *)0)->k), 0, 0
#define I(k, t, lo, hi) #k, t, offsetof(struct config, k), 0, lo, hi
	{ S(data_dir) },
	{ S(listen) },
	{ S(socket) },
	{ I(socket_mode, OT_OCTAL, 0, 0777) },
	{ S(host_backend) },
	{ I(resync_interval_s, OT_INT, 1, 86400) },
	{ I(threads, OT_INT, 0, 64) },
	{ I(max_body, OT_LONG, 1024, 1L << 30) },
	{ I(max_header, OT_LONG, 1024, 1L << 20) },
	{ I(max_connections, OT_INT, 1, 100000) },
	{ I(max_connections_per_ip, OT_INT, 0, 100000) },
	{ I(idle_timeout_s, OT_INT, 1, 86400) },
	{ I(max_wait_s, OT_INT, 0, 86400) },
	{ S(devfs_rulesets) },
	{ S(mount_roots) },
	{ I(debug, OT_BOOL, 0, 1) },
	{ I(db_max_pages, OT_LONG, 0, 1L << 40) },
	{ S(tls) },
	{ S(tls_key) },
	{ S(tls_cert) },
	{ I(insecure_tcp, OT_BOOL, 0, 1) },
	{ S(cors_origins) },
	{ I(request_timeout_s, OT_INT, 1, 86400) },
#undef S
#undef I
};

/* 0 when roots is "" or a comma list of absolute paths without "..". */
static int
mount_roots_check(const char *roots)
{
	const char *r = roots, *p;
	size_t n;

	while (*r != '\0') {
		n = strcspn(r, ",");
		if (n == 0 || r[0] != '/')
			return -1;
		for (p = r; p + 1 < r + n; p++)
			if (p[0] == '.' && p[1] == '.' && p[-1] == '/' &&
			    (p + 2 == r + n || p[2] == '/'))
				return -1;
		r += n;
		if (*r == ',' && *++r == '\0')
			return -1;
	}
	return 0;
}

const char *
config_default_file(void)
{
#ifdef __FreeBSD__
	return "/usr/local/etc/jaild.conf";
#else
	return NULL;
#endif
}

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
#ifdef __FreeBSD__
	snprintf(c->data_dir, sizeof(c->data_dir), "/var/db/jaild");
#else
	snprintf(c->data_dir, sizeof(c->data_dir), "./var");
#endif
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1:8080");
	c->socket_mode = 0660;
	c->resync_interval_s = 5;
	c->max_body = 1L << 20;
	c->max_header = 16384;
	c->max_connections = 1024;
	c->max_connections_per_ip = 256;
	c->idle_timeout_s = 60;
	c->max_wait_s = 3600;
	snprintf(c->devfs_rulesets, sizeof(c->devfs_rulesets), "4");
	snprintf(c->tls, sizeof(c->tls), "auto");
	c->request_timeout_s = 30;
}

int
config_listen_is_loopback(const struct config *c)
{
	return strncmp(c->listen, "127.", 4) == 0 ||
	    strncmp(c->listen, "[::1]:", 6) == 0 ||
	    strncmp(c->listen, "localhost:", 10) == 0;
}

int
config_tcp_tls(const struct config *c)
{
	if (strcmp(c->tls, "on") == 0)
		return 1;
	if (strcmp(c->tls, "off") == 0)
		return 0;
	return !config_listen_is_loopback(c);
}

int
config_cors_allowed(const struct config *c, const char *origin)
{
	const char *p = c->cors_origins, *e;
	size_t n = strlen(origin);

	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		e = p + strcspn(p, ", ");
		if ((size_t)(e - p) == n && n > 0 && strncmp(p, origin, n) == 0)
			return 1;
		p = e;
	}
	return 0;
}

int
config_set(struct config *c, const char *key, const char *value,
    struct jd_error *err)
{
	const struct opt *o = NULL;
	char *end, *p;
	long v;
	size_t i;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (strcmp(opts[i].key, key) == 0)
			o = &opts[i];
	if (o == NULL)
		return jd_error_set(err, JD_E_INVALID, key,
		    "unknown option \"%s\"", key);
	p = (char *)c + o->off;
	switch (o->type) {
	case OT_STR:
		if (strlen(value) >= o->size)
			return jd_error_set(err, JD_E_INVALID, key,
			    "%s: value too long", key);
		memcpy(p, value, strlen(value) + 1);
		return 0;
	case OT_BOOL:
		if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0 ||
		    strcmp(value, "1") == 0)
			v = 1;
		else if (strcmp(value, "no") == 0 ||
		    strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
			v = 0;
		else
			return jd_error_set(err, JD_E_INVALID, key,
			    "%s: must be yes or no", key);
		*(int *)(void *)p = (int)v;
		return 0;
	default:
		errno = 0;
		v = strtol(value, &end, o->type == OT_OCTAL ? 8 : 10);
		if (value[0] == '\0' || *end != '\0' || errno != 0 ||
		    v < o->min || v > o->max)
			return jd_error_set(err, JD_E_INVALID, key,
			    "%s: must be %s from %ld to %ld", key,
			    o->type == OT_OCTAL ? "an octal mode" :
			    "an integer", o->min, o->max);
		if (o->type == OT_LONG)
			*(long *)(void *)p = v;
		else
			*(int *)(void *)p = (int)v;
		return 0;
	}
}

/* Strip blanks; unquote "..." in place.  Returns NULL on a bad quote. */
static char *
unquote(char *s)
{
	char *e, *r, *w;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	if (*s != '"')
		return s;
	for (r = s + 1, w = s; *r != '\0' && *r != '"'; r++) {
		if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
			r++;
		*w++ = *r;
	}
	if (*r != '"' || r[1] != '\0')
		return NULL;
	*w = '\0';
	return s;
}

int
config_load_file(struct config *c, const char *path, int required,
    struct jd_error *err)
{
	char line[4096], *eq, *key, *val, *hash, *q;
	struct jd_error e;
	FILE *f;
	int lineno = 0, inq;

	f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT && !required)
			return 0;
		return jd_error_sys(err, JD_E_INVALID, errno, "%s: %s", path,
		    strerror(errno));
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fclose(f);
			return jd_error_set(err, JD_E_INVALID, NULL,
			    "%s:%d: line too long", path, lineno);
		}
		/* A '#' outside quotes starts a comment. */
		for (q = line, inq = 0, hash = NULL; *q != '\0'; q++) {
			if (inq && *q == '\\' && q[1] != '\0')
				q++;	/* an escaped character */
			else if (*q == '"')
				inq = !inq;
			else if (*q == '#' && !inq) {
				hash = q;
				break;
			}
		}
		if (hash != NULL)
			*hash = '\0';
		key = unquote(line);
		if (key == NULL || *key == '\0')
			continue;
		eq = strchr(key, '=');
		if (eq == NULL) {
			fclose(f);
			return jd_error_set(err, JD_E_INVALID, NULL,
			    "%s:%d: expected key = value", path, lineno);
		}
		*eq = '\0';
		key = unquote(key);
		val = unquote(eq + 1);
		if (key == NULL || val == NULL) {
			fclose(f);
			return jd_error_set(err, JD_E_INVALID, NULL,
			    "%s:%d: unterminated quote", path, lineno);
		}
		if (config_set(c, key, val, &e) == -1) {
			fclose(f);
			return jd_error_set(err, JD_E_INVALID, NULL,
			    "%s:%d: %s", path, lineno, e.message);
		}
	}
	fclose(f);
	snprintf(c->file, sizeof(c->file), "%s", path);
	return 0;
}

int
config_devfs_rulesets(const struct config *c, int *out, size_t max)
{
	const char *p = c->devfs_rulesets;
	char *end;
	long v;
	size_t n = 0;

	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		v = strtol(p, &end, 10);
		if (end == p || v < 0 || v > 65535 || n == max)
			return -1;
		out[n++] = (int)v;
		p = end;
		if (*p != '\0' && *p != ',' && *p != ' ')
			return -1;
	}
	return (int)n;
}

int
config_finish(struct config *c, struct jd_error *err)
{
	int rs[16];
	int n;

	if (c->data_dir[0] == '\0')
		return jd_error_set(err, JD_E_INVALID, "data_dir",
		    "data_dir must not be empty");
	if (c->socket[0] == '\0' && snprintf(c->socket, sizeof(c->socket),
	    "%s/jaild.sock", c->data_dir) >= (int)sizeof(c->socket))
		return jd_error_set(err, JD_E_INVALID, "socket",
		    "socket path too long");
	if (strcmp(c->socket, "none") == 0)
		c->socket[0] = '\0';
	if (strcmp(c->listen, "none") == 0)
		c->listen[0] = '\0';
	if (c->socket[0] == '\0' && c->listen[0] == '\0')
		return jd_error_set(err, JD_E_INVALID, "listen",
		    "no listener: set listen or socket");
	if (c->host_backend[0] == '\0')
		snprintf(c->host_backend, sizeof(c->host_backend), "%s",
		    host_default_backend());
	if (strcmp(c->tls, "auto") != 0 && strcmp(c->tls, "on") != 0 &&
	    strcmp(c->tls, "off") != 0)
		return jd_error_set(err, JD_E_INVALID, "tls",
		    "tls must be auto, on or off");
	if (c->listen[0] != '\0' && !config_tcp_tls(c) &&
	    !config_listen_is_loopback(c) && !c->insecure_tcp)
		return jd_error_set(err, JD_E_INVALID, "tls", "listening on "
		    "%s without TLS needs insecure_tcp = yes: tokens would "
		    "cross the network in clear text", c->listen);
	n = config_devfs_rulesets(c, rs, 16);
	if (n <= 0)
		return jd_error_set(err, JD_E_INVALID, "devfs_rulesets",
		    "devfs_rulesets must be a comma-separated list of 1 to "
		    "16 ruleset numbers");
	if (mount_roots_check(c->mount_roots) == -1)
		return jd_error_set(err, JD_E_INVALID, "mount_roots",
		    "mount_roots must be a comma-separated list of absolute "
		    "directories without \"..\"");
	return 0;
}
